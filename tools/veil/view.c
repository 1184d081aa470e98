// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink attributes to views (view.h): each SA, policy, encap socket or
 * veil link of a dump is decoded once, into a struct on the caller's stack, and then
 * printed as text or built into JSON from there.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veil.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include "veil.h"
#include "view.h"

_Static_assert(VEIL_A_SA_MAX < 32 && VEIL_A_POLICY_MAX < 32 && VEIL_A_TMPL_MAX < 32 &&
	       VEIL_A_KEY_ALG_MAX < 32 && VEIL_A_ENCAP_MAX < 32 &&
	       VEIL_A_ENCAP_SOCK_MAX < 32,
	       "a view's has holds one bit per attribute");
_Static_assert(VEIL_IFNAME_LEN == IFNAMSIZ, "an interface name fits a view's ifname");
_Static_assert(VEIL_A_LIFETIME_MAX < 16 && VEIL_A_STATS_MAX < 16,
	       "u64_nest_decode() parses into 16 slots");

/*
 * Without a policy, libnl's nla_parse() only indexes the attributes it can
 * walk and does not fail; should it ever, the nest reads as empty.
 */
static void parse_nest(struct nlattr **tb, int max, struct nlattr *nest)
{
	if (nla_parse_nested(tb, max, nest, NULL) < 0)
		memset(tb, 0, (max + 1) * sizeof(*tb));
}

/* VEIL_BIT() of each attribute of @tb[1..@max] present. */
static uint32_t present(struct nlattr **tb, int max)
{
	uint32_t has = 0;
	int i;

	for (i = 1; i <= max; i++)
		if (tb[i])
			has |= VEIL_BIT(i);
	return has;
}

static uint8_t u8_or(const struct nlattr *nla, uint8_t dflt)
{
	return nla ? nla_get_u8(nla) : dflt;
}

static uint16_t u16_or(const struct nlattr *nla, uint16_t dflt)
{
	return nla ? nla_get_u16(nla) : dflt;
}

static uint32_t u32_or(const struct nlattr *nla, uint32_t dflt)
{
	return nla ? nla_get_u32(nla) : dflt;
}

/* The family an address attribute's length implies, unless @fam says. */
static int family_of(const struct nlattr *fam, const struct nlattr *addr)
{
	if (fam)
		return nla_get_u16(fam);
	return addr && nla_len(addr) == 16 ? AF_INET6 : AF_INET;
}

/*
 * Dotted decimal, as inet_ntop() writes it. glibc's inet_ntop() formats
 * IPv4 with sprintf(), which alone cost more than the rest of decoding an
 * SA of a large dump.
 */
static void ipv4_str(const uint8_t *a, char *buf)
{
	int i;

	for (i = 0; i < 4; i++) {
		if (a[i] >= 100)
			*buf++ = (char)('0' + a[i] / 100);
		if (a[i] >= 10)
			*buf++ = (char)('0' + a[i] / 10 % 10);
		*buf++ = (char)('0' + a[i] % 10);
		*buf++ = i < 3 ? '.' : '\0';
	}
}

/* @nla as text into @buf, VEIL_ADDR_STRLEN bytes; "" stays when it is NULL. */
static void addr_str(const struct nlattr *nla, char *buf)
{
	if (!nla)
		return;
	if (nla_len(nla) == 4)
		ipv4_str(nla_data(nla), buf);
	else if (nla_len(nla) != 16 ||
		 !inet_ntop(AF_INET6, nla_data(nla), buf, VEIL_ADDR_STRLEN))
		strcpy(buf, "?");
}

static void alg_decode(const struct veil_ctx *ctx, struct nlattr *nest,
		       struct veil_alg_view *a)
{
	struct nlattr *tb[VEIL_A_KEY_ALG_MAX + 1], *key;

	parse_nest(tb, VEIL_A_KEY_ALG_MAX, nest);
	a->has = present(tb, VEIL_A_KEY_ALG_MAX);
	if (tb[VEIL_A_KEY_ALG_NAME])
		a->name = nla_get_string(tb[VEIL_A_KEY_ALG_NAME]);
	key = tb[VEIL_A_KEY_ALG_KEY];
	if (key && ctx->keys) {
		a->key = nla_data(key);
		a->key_len = nla_len(key) < VEIL_KEY_MAX_LEN ? nla_len(key) : VEIL_KEY_MAX_LEN;
	} else {
		a->has &= ~VEIL_BIT(VEIL_A_KEY_ALG_KEY);
	}
	a->icv_len = u32_or(tb[VEIL_A_KEY_ALG_ICV_LEN], 0);
	a->trunc_len = u32_or(tb[VEIL_A_KEY_ALG_TRUNC_LEN], 0);
}

static void sel_decode(struct nlattr *nest, struct veil_sel_view *s)
{
	struct nlattr *tb[VEIL_A_SELECTOR_MAX + 1];

	parse_nest(tb, VEIL_A_SELECTOR_MAX, nest);
	s->family = family_of(tb[VEIL_A_SELECTOR_FAMILY], tb[VEIL_A_SELECTOR_SRC]);
	addr_str(tb[VEIL_A_SELECTOR_SRC], s->src);
	addr_str(tb[VEIL_A_SELECTOR_DST], s->dst);
	s->src_plen = u8_or(tb[VEIL_A_SELECTOR_SRC_PREFIX_LEN], 0);
	s->dst_plen = u8_or(tb[VEIL_A_SELECTOR_DST_PREFIX_LEN], 0);
	s->proto = u8_or(tb[VEIL_A_SELECTOR_PROTO], 0);
	s->sport = u16_or(tb[VEIL_A_SELECTOR_SPORT], 0);
	s->dport = u16_or(tb[VEIL_A_SELECTOR_DPORT], 0);
}

static void encap_decode(struct nlattr *nest, struct veil_encap_view *e)
{
	struct nlattr *tb[VEIL_A_ENCAP_MAX + 1];

	parse_nest(tb, VEIL_A_ENCAP_MAX, nest);
	e->has = present(tb, VEIL_A_ENCAP_MAX);
	e->type = u16_or(tb[VEIL_A_ENCAP_TYPE], 0);
	e->sport = u16_or(tb[VEIL_A_ENCAP_SPORT], 0);
	e->dport = u16_or(tb[VEIL_A_ENCAP_DPORT], 0);
	addr_str(tb[VEIL_A_ENCAP_OADDR], e->oaddr);
}

/* A nest of u64s (lifetime, stats) into @out[1..@max]; 0 for those not sent. */
static void u64_nest_decode(struct nlattr *nest, int max, uint64_t *out)
{
	struct nlattr *tb[16];
	int i;

	parse_nest(tb, max, nest);
	for (i = 1; i <= max; i++)
		out[i] = tb[i] ? nla_get_u64(tb[i]) : 0;
}

/**
 * veil_sa_view_decode() - one SA from the kernel, as a view
 * @ctx: global options: the keys are kept only with --keys, the lifetime
 *	only with -j or -s, the counters only with -s
 * @attrs: the SA's attributes (VEIL_A_SA_*)
 * @len: their length
 * @v: the view to fill
 *
 * Return: 0, or the negative error of nla_parse().
 */
int veil_sa_view_decode(const struct veil_ctx *ctx, struct nlattr *attrs, int len,
			struct veil_sa_view *v)
{
	struct nlattr *tb[VEIL_A_SA_MAX + 1];
	int ret;

	ret = nla_parse(tb, VEIL_A_SA_MAX, attrs, len, NULL);
	if (ret < 0)
		return ret;
	memset(v, 0, sizeof(*v));
	v->has = present(tb, VEIL_A_SA_MAX);
	/* A whole SA (one with an SPI) has a mode and flags, sent or not. */
	if (tb[VEIL_A_SA_SPI])
		v->has |= VEIL_BIT(VEIL_A_SA_MODE) | VEIL_BIT(VEIL_A_SA_FLAGS);
	/* Text shows limits and counters only with -s: a big dump skips them. */
	if (!ctx->json && !ctx->stats)
		v->has &= ~VEIL_BIT(VEIL_A_SA_LIFETIME);
	if (!ctx->stats)
		v->has &= ~VEIL_BIT(VEIL_A_SA_STATS);

	v->family = family_of(tb[VEIL_A_SA_FAMILY], tb[VEIL_A_SA_DST]);
	addr_str(tb[VEIL_A_SA_SRC], v->src);
	addr_str(tb[VEIL_A_SA_DST], v->dst);
	v->proto = u8_or(tb[VEIL_A_SA_PROTO], 0);
	v->mode = u8_or(tb[VEIL_A_SA_MODE], VEIL_MODE_TRANSPORT);
	v->spi = u32_or(tb[VEIL_A_SA_SPI], 0);
	v->reqid = u32_or(tb[VEIL_A_SA_REQID], 0);
	v->if_id = u32_or(tb[VEIL_A_SA_IF_ID], 0);
	v->replay_window = u32_or(tb[VEIL_A_SA_REPLAY_WINDOW], 0);
	v->flags = u32_or(tb[VEIL_A_SA_FLAGS], 0);
	v->replay_seq = u32_or(tb[VEIL_A_SA_REPLAY_SEQ], 0);
	v->replay_oseq = u32_or(tb[VEIL_A_SA_REPLAY_OSEQ], 0);
	v->replay_seq_hi = u32_or(tb[VEIL_A_SA_REPLAY_SEQ_HI], 0);
	v->replay_oseq_hi = u32_or(tb[VEIL_A_SA_REPLAY_OSEQ_HI], 0);
	if (tb[VEIL_A_SA_AEAD])
		alg_decode(ctx, tb[VEIL_A_SA_AEAD], &v->aead);
	if (tb[VEIL_A_SA_ENC])
		alg_decode(ctx, tb[VEIL_A_SA_ENC], &v->enc);
	if (tb[VEIL_A_SA_AUTH])
		alg_decode(ctx, tb[VEIL_A_SA_AUTH], &v->auth);
	if (VEIL_HAS(v, VEIL_A_SA_LIFETIME))
		u64_nest_decode(tb[VEIL_A_SA_LIFETIME], VEIL_A_LIFETIME_MAX, v->lifetime);
	if (VEIL_HAS(v, VEIL_A_SA_STATS))
		u64_nest_decode(tb[VEIL_A_SA_STATS], VEIL_A_STATS_MAX, v->stats);
	if (tb[VEIL_A_SA_ENCAP])
		encap_decode(tb[VEIL_A_SA_ENCAP], &v->encap);
	if (tb[VEIL_A_SA_SELECTOR])
		sel_decode(tb[VEIL_A_SA_SELECTOR], &v->sel);
	return 0;
}

static void tmpl_decode(struct nlattr *nest, struct veil_tmpl_view *t)
{
	struct nlattr *tb[VEIL_A_TMPL_MAX + 1];

	memset(t, 0, sizeof(*t));
	parse_nest(tb, VEIL_A_TMPL_MAX, nest);
	t->has = present(tb, VEIL_A_TMPL_MAX);
	t->family = family_of(tb[VEIL_A_TMPL_FAMILY],
			      tb[VEIL_A_TMPL_SRC] ? tb[VEIL_A_TMPL_SRC] : tb[VEIL_A_TMPL_DST]);
	addr_str(tb[VEIL_A_TMPL_SRC], t->src);
	addr_str(tb[VEIL_A_TMPL_DST], t->dst);
	t->proto = u8_or(tb[VEIL_A_TMPL_PROTO], 0);
	t->mode = u8_or(tb[VEIL_A_TMPL_MODE], VEIL_MODE_TRANSPORT);
	t->level = u8_or(tb[VEIL_A_TMPL_LEVEL], VEIL_LEVEL_REQUIRED);
	t->spi = u32_or(tb[VEIL_A_TMPL_SPI], 0);
	t->reqid = u32_or(tb[VEIL_A_TMPL_REQID], 0);
}

/**
 * veil_policy_view_decode() - one policy from the kernel, as a view
 * @attrs: the policy's attributes (VEIL_A_POLICY_*)
 * @len: their length
 * @v: the view to fill
 *
 * Return: 0, or the negative error of nla_parse().
 */
int veil_policy_view_decode(struct nlattr *attrs, int len, struct veil_policy_view *v)
{
	struct nlattr *tb[VEIL_A_POLICY_MAX + 1], *a;
	int ret, rem;

	ret = nla_parse(tb, VEIL_A_POLICY_MAX, attrs, len, NULL);
	if (ret < 0)
		return ret;
	/* Templates are cleared one by one as they are decoded. */
	memset(v, 0, offsetof(struct veil_policy_view, tmpl));
	v->has = present(tb, VEIL_A_POLICY_MAX);
	if (tb[VEIL_A_POLICY_SELECTOR])
		sel_decode(tb[VEIL_A_POLICY_SELECTOR], &v->sel);
	v->dir = u8_or(tb[VEIL_A_POLICY_DIR], 0);
	v->action = u8_or(tb[VEIL_A_POLICY_ACTION], VEIL_ACTION_ALLOW);
	v->priority = u32_or(tb[VEIL_A_POLICY_PRIORITY], 0);
	v->if_id = u32_or(tb[VEIL_A_POLICY_IF_ID], 0);
	v->index = u32_or(tb[VEIL_A_POLICY_INDEX], 0);
	if (tb[VEIL_A_POLICY_FLOW])
		sel_decode(tb[VEIL_A_POLICY_FLOW], &v->flow);
	v->tmpl_index = u32_or(tb[VEIL_A_POLICY_TMPL_INDEX], 0);
	/* tb[] keeps only the last of a multi-attr; walk the whole stream. */
	nla_for_each_attr(a, attrs, len, rem)
		if (nla_type(a) == VEIL_A_POLICY_TMPL && v->n_tmpl < VEIL_VIEW_TMPL_MAX)
			tmpl_decode(a, &v->tmpl[v->n_tmpl++]);
	return 0;
}

/**
 * veil_encap_sock_view_decode() - one encap socket from the kernel, as a view
 * @attrs: the socket's attributes (VEIL_A_ENCAP_SOCK_*)
 * @len: their length
 * @v: the view to fill
 *
 * Return: 0, or the negative error of nla_parse().
 */
int veil_encap_sock_view_decode(struct nlattr *attrs, int len,
				struct veil_encap_sock_view *v)
{
	struct nlattr *tb[VEIL_A_ENCAP_SOCK_MAX + 1];
	int ret;

	ret = nla_parse(tb, VEIL_A_ENCAP_SOCK_MAX, attrs, len, NULL);
	if (ret < 0)
		return ret;
	memset(v, 0, sizeof(*v));
	v->has = present(tb, VEIL_A_ENCAP_SOCK_MAX);
	v->family = family_of(tb[VEIL_A_ENCAP_SOCK_FAMILY], tb[VEIL_A_ENCAP_SOCK_LOCAL]);
	v->port = u16_or(tb[VEIL_A_ENCAP_SOCK_PORT], 0);
	addr_str(tb[VEIL_A_ENCAP_SOCK_LOCAL], v->local);
	if (tb[VEIL_A_ENCAP_SOCK_ESP_PACKETS])
		v->esp_packets = nla_get_u64(tb[VEIL_A_ENCAP_SOCK_ESP_PACKETS]);
	if (tb[VEIL_A_ENCAP_SOCK_OTHER_PACKETS])
		v->other_packets = nla_get_u64(tb[VEIL_A_ENCAP_SOCK_OTHER_PACKETS]);
	return 0;
}

/* A string attribute into @buf, cut to @size - 1 bytes; "" when not sent. */
static void str_copy(const struct nlattr *nla, char *buf, size_t size)
{
	buf[0] = '\0';
	if (nla)
		snprintf(buf, size, "%.*s", nla_len(nla), (const char *)nla_data(nla));
}

/**
 * veil_link_view_decode() - one interface from the kernel, as a view
 * @nlh: an RTM_NEWLINK message (the reply to RTM_GETLINK, or one of a dump)
 * @v: the view to fill
 *
 * Any interface decodes; @v->is_veil says whether it is of kind "veil",
 * whose IFLA_INFO_DATA then gives the if_id.
 *
 * Return: 0, or -EBADMSG when @nlh is not a well-formed RTM_NEWLINK.
 */
int veil_link_view_decode(const struct nlmsghdr *nlh, struct veil_link_view *v)
{
	struct nlattr *tb[IFLA_MAX + 1], *li[IFLA_INFO_MAX + 1], *vd[IFLA_VEIL_MAX + 1];
	const struct ifinfomsg *ifi;

	memset(v, 0, sizeof(*v));
	if (nlh->nlmsg_type != RTM_NEWLINK ||
	    nlmsg_parse((struct nlmsghdr *)nlh, sizeof(*ifi), tb, IFLA_MAX, NULL) < 0)
		return -EBADMSG;
	ifi = nlmsg_data(nlh);
	v->ifindex = ifi->ifi_index;
	v->flags = ifi->ifi_flags;
	str_copy(tb[IFLA_IFNAME], v->ifname, sizeof(v->ifname));
	if (tb[IFLA_MTU] && nla_len(tb[IFLA_MTU]) >= 4) {
		v->has_mtu = true;
		v->mtu = nla_get_u32(tb[IFLA_MTU]);
	}
	if (!tb[IFLA_LINKINFO])
		return 0;
	parse_nest(li, IFLA_INFO_MAX, tb[IFLA_LINKINFO]);
	str_copy(li[IFLA_INFO_KIND], v->kind, sizeof(v->kind));
	v->is_veil = !strcmp(v->kind, "veil");
	if (!v->is_veil || !li[IFLA_INFO_DATA])
		return 0;
	parse_nest(vd, IFLA_VEIL_MAX, li[IFLA_INFO_DATA]);
	if (vd[IFLA_VEIL_IF_ID] && nla_len(vd[IFLA_VEIL_IF_ID]) >= 4) {
		v->has_if_id = true;
		v->if_id = nla_get_u32(vd[IFLA_VEIL_IF_ID]);
	}
	return 0;
}

/**
 * veil_key_hex() - an algorithm's key as "0x" and lowercase hex digits
 * @a: the algorithm, whose key is shown (VEIL_HAS(a, VEIL_A_KEY_ALG_KEY))
 * @buf: VEIL_KEY_HEX_LEN bytes
 *
 * Return: @buf.
 */
char *veil_key_hex(const struct veil_alg_view *a, char *buf)
{
	static const char digits[] = "0123456789abcdef";
	char *p = buf;
	int i;

	*p++ = '0';
	*p++ = 'x';
	for (i = 0; i < a->key_len; i++) {
		*p++ = digits[a->key[i] >> 4];
		*p++ = digits[a->key[i] & 15];
	}
	*p = '\0';
	return buf;
}

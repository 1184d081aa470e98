// SPDX-License-Identifier: GPL-2.0
/*
 * veil-iked and veil.ko: Child SAs and policies go in through the same
 * request builders as `veil sa add` and `veil policy add` (veil/parse.h),
 * and events come back through the same decoders as `veil monitor`
 * (veil/view.h), so that the daemon and the CLI cannot disagree on what an
 * SA is.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/veil.h>
#include <netlink/genl/genl.h>
#include <openssl/crypto.h>

#include "kernel.h"
#include "parse.h"
#include "veil.h"
#include "view.h"

static int kernel_fail(struct iked_kernel *k, int ret, const char *what, char *err,
		       size_t errlen)
{
	snprintf(err, errlen, "%s: %s", what, veil_nl_strerror(&k->nl, ret));
	return ret;
}

/**
 * iked_kernel_open - connect to veil.ko and join its events
 * @k: the connections to open
 * @err: a one-line reason on failure
 * @errlen: its size
 *
 * Return: 0 or a negative errno.
 */
int iked_kernel_open(struct iked_kernel *k, char *err, size_t errlen)
{
	int ret;

	memset(k, 0, sizeof(*k));
	ret = veil_nl_open(&k->nl);
	if (!ret)
		ret = veil_nl_open(&k->ev);
	if (!ret)
		ret = veil_nl_subscribe(&k->ev, VEIL_MCGRP_EVENTS);
	if (ret) {
		snprintf(err, errlen, "veil.ko: %s", ret == VEIL_NL_ENOFAMILY ?
			 "not loaded (modprobe veil)" : veil_nl_strerror(&k->ev, ret));
		iked_kernel_close(k);
	}
	return ret;
}

void iked_kernel_close(struct iked_kernel *k)
{
	veil_nl_close(&k->nl);
	veil_nl_close(&k->ev);
}

/* The events socket, for the daemon's epoll set. */
int iked_kernel_events_fd(const struct iked_kernel *k)
{
	return nl_socket_get_fd(k->ev.sk);
}

static void kernel_addr(struct veil_addr *a, int family, const uint8_t *bytes)
{
	memset(a, 0, sizeof(*a));
	a->family = family;
	a->plen = family == AF_INET ? 32 : 128;
	memcpy(a->bytes, bytes, family == AF_INET ? 4 : 16);
}

static void kernel_alg(struct veil_sa_alg *alg, const char *name, const uint8_t *key,
		       size_t keylen, uint32_t bits)
{
	alg->set = true;
	alg->name = name;
	memcpy(alg->key, key, keylen);
	alg->keylen = keylen;
	alg->bits = bits;
	alg->has_bits = bits != 0;
}

/**
 * iked_kernel_sa_add - install one direction of a Child SA
 * @k: the connection
 * @sa: the SA
 * @err: a one-line reason on failure (the kernel's extack when it gave one)
 * @errlen: its size
 *
 * Return: 0 or a negative errno; -EEXIST when the SPI is taken.
 */
int iked_kernel_sa_add(struct iked_kernel *k, const struct iked_kernel_sa *sa, char *err,
		       size_t errlen)
{
	static const uint8_t none[16];
	struct veil_sa_args s;
	struct veil_perr e;
	struct nl_msg *msg;
	int ret;

	if (sa->enc_keylen > VEIL_KEY_MAX_LEN || sa->auth_keylen > VEIL_KEY_MAX_LEN) {
		snprintf(err, errlen, "SA %08x: a key is longer than veil.ko takes", sa->spi);
		return -EINVAL;
	}
	memset(&s, 0, sizeof(s));
	kernel_addr(&s.src, sa->family, sa->src);
	kernel_addr(&s.dst, sa->family, sa->dst);
	s.has_src = s.has_dst = true;
	s.proto = sa->proto;
	s.mode = sa->mode;
	s.has[VEIL_A_SA_MODE] = true;
	s.u32[VEIL_A_SA_SPI] = sa->spi;
	s.has[VEIL_A_SA_SPI] = true;
	s.u32[VEIL_A_SA_REQID] = sa->reqid;
	s.has[VEIL_A_SA_REQID] = sa->reqid != 0;
	s.u32[VEIL_A_SA_IF_ID] = sa->if_id;
	s.has[VEIL_A_SA_IF_ID] = sa->if_id != 0;
	s.u32[VEIL_A_SA_REPLAY_WINDOW] = sa->replay_window;
	s.has[VEIL_A_SA_REPLAY_WINDOW] = sa->replay_window != 0;
	s.u32[VEIL_A_SA_FLAGS] = (sa->esn ? VEIL_SA_FLAGS_ESN : 0) |
				 (sa->align4 ? VEIL_SA_FLAGS_ALIGN4 : 0);
	s.has[VEIL_A_SA_FLAGS] = s.u32[VEIL_A_SA_FLAGS] != 0;
	s.u32[VEIL_A_SA_REPLAY_OSEQ] = (uint32_t)sa->oseq;
	s.has[VEIL_A_SA_REPLAY_OSEQ] = sa->oseq != 0;
	s.u32[VEIL_A_SA_REPLAY_OSEQ_HI] = (uint32_t)(sa->oseq >> 32);
	s.has[VEIL_A_SA_REPLAY_OSEQ_HI] = sa->esn && sa->oseq >> 32;
	if (sa->enc_alg)
		kernel_alg(sa->aead ? &s.aead : &s.enc, sa->enc_alg, sa->enc_key,
			   sa->enc_keylen, sa->aead ? sa->icv_bits : 0);
	if (sa->auth_alg)
		kernel_alg(&s.auth, sa->auth_alg, sa->auth_key, sa->auth_keylen,
			   sa->trunc_bits);
	s.life[VEIL_A_LIFETIME_SOFT_BYTES] = sa->soft_bytes;
	s.life[VEIL_A_LIFETIME_HARD_BYTES] = sa->hard_bytes;
	s.life[VEIL_A_LIFETIME_SOFT_PACKETS] = sa->soft_packets;
	s.life[VEIL_A_LIFETIME_HARD_PACKETS] = sa->hard_packets;
	s.life[VEIL_A_LIFETIME_SOFT_ADD_SECONDS] = sa->soft_secs;
	s.life[VEIL_A_LIFETIME_HARD_ADD_SECONDS] = sa->hard_secs;
	for (ret = 1; ret <= VEIL_A_LIFETIME_MAX; ret++)
		s.has_life[ret] = s.life[ret] != 0;
	if (sa->encap) {
		s.has_encap = true;
		s.encap_type = VEIL_ENCAP_TYPE_ESPINUDP;
		s.encap_sport = sa->encap_sport;
		s.encap_dport = sa->encap_dport;
		/*
		 * Only the peer's own address is of use (transport mode, to
		 * mend checksums); without it (all zeros: none) veil.ko
		 * leaves them to the ICV.
		 */
		kernel_addr(&s.oaddr, sa->family, sa->oaddr ? sa->oaddr : none);
	}

	msg = veil_nl_msg(&k->nl, sa->update ? VEIL_CMD_SA_UPDATE : VEIL_CMD_SA_NEW, 0);
	ret = msg ? veil_sa_put_new(msg, &s, &e) : -ENOMEM;
	OPENSSL_cleanse(&s, sizeof(s));
	if (ret) {
		nlmsg_free(msg);
		snprintf(err, errlen, "SA %08x: %s", sa->spi, msg ? e.msg : strerror(ENOMEM));
		return ret;
	}
	/* The message holds the keys too: veil_nl_request() frees it. */
	ret = veil_nl_request(&k->nl, msg, NULL, NULL);
	if (ret) {
		char what[32];

		snprintf(what, sizeof(what), "SA %08x", sa->spi);
		return kernel_fail(k, ret, what, err, errlen);
	}
	return 0;
}

static struct nl_msg *kernel_sa_id(struct iked_kernel *k, uint8_t cmd, int family,
				   const uint8_t *dst, uint8_t proto, uint32_t spi)
{
	struct veil_sa_args s;
	struct nl_msg *msg;

	memset(&s, 0, sizeof(s));
	kernel_addr(&s.dst, family, dst);
	s.proto = proto;
	s.u32[VEIL_A_SA_SPI] = spi;
	msg = veil_nl_msg(&k->nl, cmd, 0);
	if (msg && veil_sa_put_id(msg, &s)) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return msg;
}

/**
 * iked_kernel_sa_del - remove one direction of a Child SA
 * @k: the connection
 * @family: its address family
 * @dst: its destination
 * @proto: VEIL_PROTO_*
 * @spi: its SPI, host order
 * @err: a one-line reason on failure
 * @errlen: its size
 *
 * Return: 0 or a negative errno; -ENOENT when it is gone already (a hard
 * expiry, or `veil sa del`), which callers may ignore.
 */
int iked_kernel_sa_del(struct iked_kernel *k, int family, const uint8_t *dst, uint8_t proto,
		       uint32_t spi, char *err, size_t errlen)
{
	struct nl_msg *msg = kernel_sa_id(k, VEIL_CMD_SA_DEL, family, dst, proto, spi);
	char what[32];
	int ret;

	if (!msg)
		return -ENOMEM;
	ret = veil_nl_request(&k->nl, msg, NULL, NULL);
	if (ret) {
		snprintf(what, sizeof(what), "SA %08x", spi);
		return kernel_fail(k, ret, what, err, errlen);
	}
	return 0;
}

static int kernel_on_sa(struct nlmsghdr *nlh, void *arg)
{
	static const struct veil_ctx ctx = { .stats = true };
	struct genlmsghdr *g = nlmsg_data(nlh);
	struct iked_kernel_sa_state *st = arg;
	struct veil_sa_view v;
	int ret;

	ret = veil_sa_view_decode(&ctx, genlmsg_attrdata(g, 0), genlmsg_attrlen(g, 0), &v);
	if (ret)
		return -EPROTO;
	st->bytes = v.stats[VEIL_A_STATS_BYTES];
	st->packets = v.stats[VEIL_A_STATS_PACKETS];
	st->use_time = v.stats[VEIL_A_STATS_USE_TIME];
	st->oseq = (uint64_t)v.replay_oseq_hi << 32 | v.replay_oseq;
	return 0;
}

/**
 * iked_kernel_sa_state - what an SA has carried and sent, for `veil ike
 *	list` and for moving an SA to a new address
 * @k: the connection
 * @family: its address family
 * @dst: its destination
 * @proto: VEIL_PROTO_*
 * @spi: its SPI, host order
 * @st: filled in (zeroes when the SA is not there)
 *
 * Return: 0 or a negative errno.
 */
int iked_kernel_sa_state(struct iked_kernel *k, int family, const uint8_t *dst, uint8_t proto,
			 uint32_t spi, struct iked_kernel_sa_state *st)
{
	struct nl_msg *msg = kernel_sa_id(k, VEIL_CMD_SA_GET, family, dst, proto, spi);

	memset(st, 0, sizeof(*st));
	if (!msg)
		return -ENOMEM;
	return veil_nl_request(&k->nl, msg, kernel_on_sa, st);
}

/* A selector's side: a prefix, a protocol and one port or all. */
static int kernel_sel_side(const struct iked_ts *ts, struct veil_addr *a, uint16_t *port,
			   char *err, size_t errlen)
{
	char text[96];
	int plen;

	if (!iked_ts_to_prefix(ts, &plen) ||
	    (ts->from_port != ts->to_port && (ts->from_port || ts->to_port != 0xffff))) {
		iked_ts_format(ts, text, sizeof(text));
		snprintf(err, errlen, "traffic selector %s: a policy takes a prefix and one "
			 "port or all", text);
		return -EINVAL;
	}
	kernel_addr(a, ts->family, ts->from);
	a->plen = plen;
	*port = ts->from_port == ts->to_port ? ts->from_port : 0;
	return 0;
}

static int kernel_policy(const struct iked_kernel_policy *p, struct veil_pol_args *a, char *err,
			 size_t errlen)
{
	struct veil_pol_tmpl *t = &a->tmpl[0];

	memset(a, 0, sizeof(*a));
	if (kernel_sel_side(&p->src, &a->sel.src, &a->sel.sport, err, errlen) ||
	    kernel_sel_side(&p->dst, &a->sel.dst, &a->sel.dport, err, errlen))
		return -EINVAL;
	a->sel.has_src = a->sel.has_dst = true;
	a->sel.proto = p->src.proto ? p->src.proto : p->dst.proto;
	a->has_dir = true;
	a->dir = p->dir;
	a->has_action = true;
	a->action = p->block ? VEIL_ACTION_BLOCK : VEIL_ACTION_ALLOW;
	a->has_prio = true;
	a->prio = p->priority;
	a->has_if_id = p->if_id != 0;
	a->if_id = p->if_id;
	if (p->block || p->bypass)
		return 0;
	a->ntmpl = 1;
	t->has_proto = t->has_mode = t->has_reqid = true;
	t->proto = p->proto;
	t->mode = p->mode;
	t->reqid = p->reqid;
	if (p->mode == VEIL_MODE_TUNNEL) {
		t->has_src = t->has_dst = true;
		kernel_addr(&t->src, p->family, p->tmpl_src);
		kernel_addr(&t->dst, p->family, p->tmpl_dst);
	}
	return 0;
}

/* One policy request: @cmd with the whole policy (@full) or what names it. */
static int kernel_policy_send(struct iked_kernel *k, const struct iked_kernel_policy *p,
			      uint8_t cmd, bool full, char *err, size_t errlen)
{
	struct veil_pol_args a;
	struct veil_perr e;
	struct nl_msg *msg;
	int ret;

	if (kernel_policy(p, &a, err, errlen))
		return -EINVAL;
	msg = veil_nl_msg(&k->nl, cmd, 0);
	if (!msg)
		return -ENOMEM;
	if (full ? veil_policy_put_new(msg, &a, &e) : veil_policy_put_id(msg, &a, &e)) {
		nlmsg_free(msg);
		snprintf(err, errlen, "policy: %s", e.msg);
		return -EINVAL;
	}
	ret = veil_nl_request(&k->nl, msg, NULL, NULL);
	return ret ? kernel_fail(k, ret, "policy", err, errlen) : 0;
}

/**
 * iked_kernel_policy_add - install (or replace) one direction's policy
 * @k: the connection
 * @p: the policy
 * @err: a one-line reason on failure
 * @errlen: its size
 *
 * policy-update: a trap becomes the child's policy without a moment with
 * none.
 *
 * Return: 0 or a negative errno.
 */
int iked_kernel_policy_add(struct iked_kernel *k, const struct iked_kernel_policy *p,
			   char *err, size_t errlen)
{
	return kernel_policy_send(k, p, VEIL_CMD_POLICY_UPDATE, true, err, errlen);
}

/**
 * iked_kernel_policy_del - remove one direction's policy
 * @k: the connection
 * @p: the policy (selector, direction and if_id name it)
 * @err: a one-line reason on failure
 * @errlen: its size
 *
 * Return: 0 or a negative errno (-ENOENT when it is gone already).
 */
int iked_kernel_policy_del(struct iked_kernel *k, const struct iked_kernel_policy *p,
			   char *err, size_t errlen)
{
	return kernel_policy_send(k, p, VEIL_CMD_POLICY_DEL, false, err, errlen);
}

/**
 * iked_kernel_encap_sock - let veil.ko take UDP-encapsulated ESP off the
 *	daemon's NAT-T socket (port 4500); IKE messages, behind their non-ESP
 *	marker, still reach the daemon
 * @k: the connection
 * @fd: the bound UDP socket
 * @err: a one-line reason on failure
 * @errlen: its size
 *
 * Return: 0 or a negative errno.
 */
int iked_kernel_encap_sock(struct iked_kernel *k, int fd, char *err, size_t errlen)
{
	struct nl_msg *msg = veil_nl_msg(&k->nl, VEIL_CMD_ENCAP_NEW, 0);
	int ret;

	if (!msg)
		return -ENOMEM;
	if (nla_put_u32(msg, VEIL_A_ENCAP_SOCK_FD, fd)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	ret = veil_nl_request(&k->nl, msg, NULL, NULL);
	return ret ? kernel_fail(k, ret, "NAT-T socket", err, errlen) : 0;
}

static void kernel_text_addr(const char *text, int family, uint8_t *out)
{
	memset(out, 0, 16);
	if (*text)
		inet_pton(family, text, out);
}

static void kernel_flow_side(const struct veil_sel_view *sel, const char *addr, uint8_t plen,
			     uint16_t port, struct iked_ts *ts)
{
	uint8_t bytes[16];

	memset(ts, 0, sizeof(*ts));
	kernel_text_addr(addr, sel->family, bytes);
	iked_ts_from_addr(ts, sel->family, bytes);
	(void)plen;	/* a flow is one packet: host prefixes */
	ts->proto = sel->proto;
	ts->from_port = port;
	ts->to_port = port ? port : 0xffff;
}

struct kernel_events {
	iked_kernel_event_fn fn;
	void *arg;
};

static int kernel_on_event(struct nlmsghdr *nlh, void *arg)
{
	static const struct veil_ctx ctx;
	struct genlmsghdr *g = nlmsg_data(nlh);
	struct kernel_events *ke = arg;
	struct iked_kernel_event ev = { .type = g->cmd };
	struct veil_policy_view pol;
	struct veil_sa_view sa;
	const struct veil_tmpl_view *t;

	switch (g->cmd) {
	case VEIL_CMD_ACQUIRE_NTF:
		if (veil_policy_view_decode(genlmsg_attrdata(g, 0), genlmsg_attrlen(g, 0), &pol) ||
		    pol.tmpl_index >= (uint32_t)pol.n_tmpl)
			return 0;
		t = &pol.tmpl[pol.tmpl_index];
		kernel_flow_side(&pol.flow, pol.flow.src, pol.flow.src_plen, pol.flow.sport,
				 &ev.flow);
		kernel_flow_side(&pol.flow, pol.flow.dst, pol.flow.dst_plen, pol.flow.dport,
				 &ev.flow_dst);
		/* Transport mode templates name no addresses: the packet's are the SA's. */
		ev.family = VEIL_HAS(t, VEIL_A_TMPL_DST) ? t->family : pol.flow.family;
		kernel_text_addr(VEIL_HAS(t, VEIL_A_TMPL_SRC) ? t->src : pol.flow.src,
				 ev.family, ev.src);
		kernel_text_addr(VEIL_HAS(t, VEIL_A_TMPL_DST) ? t->dst : pol.flow.dst,
				 ev.family, ev.dst);
		ev.proto = t->proto;
		ev.reqid = t->reqid;
		ev.if_id = pol.if_id;
		break;
	case VEIL_CMD_SA_EXPIRE_NTF:
		if (veil_sa_view_decode(&ctx, genlmsg_attrdata(g, 0), genlmsg_attrlen(g, 0), &sa))
			return 0;
		ev.family = sa.family;
		kernel_text_addr(sa.src, sa.family, ev.src);
		kernel_text_addr(sa.dst, sa.family, ev.dst);
		ev.proto = sa.proto;
		ev.spi = sa.spi;
		ev.reqid = sa.reqid;
		ev.if_id = sa.if_id;
		ev.hard = VEIL_HAS(&sa, VEIL_A_SA_HARD);
		break;
	default:
		return 0;	/* the SAD's and SPD's own changes: not ours to act on */
	}
	ke->fn(&ev, ke->arg);
	return 0;
}

/**
 * iked_kernel_events - pass the acquires and expiries queued now to @fn
 * @k: the connection
 * @fn: called once per event
 * @arg: passed to @fn
 *
 * Return: 0, or a negative errno; -ENOBUFS when events were lost (the
 * caller then checks its SAs' state against the kernel's).
 */
int iked_kernel_events(struct iked_kernel *k, iked_kernel_event_fn fn, void *arg)
{
	struct kernel_events ke = { .fn = fn, .arg = arg };

	return veil_nl_drain(&k->ev, kernel_on_event, &ke);
}

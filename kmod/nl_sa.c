// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The veil authors. All Rights Reserved.
 *
 * The SA commands of the veil family: sa-new, sa-update, sa-get (do and
 * dump), sa-del, sa-flush, and the SA notifications. Requests are checked
 * completely before anything changes; each rejection says why.
 */

#include <linux/in.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "crypto.h"
#include "main.h"
#include "netlink.h"
#include "sa.h"
#include "uapi/linux/veil.h"

static const struct nla_policy veil_key_alg_policy[VEIL_A_KEY_ALG_MAX + 1] = {
	[VEIL_A_KEY_ALG_NAME] = { .type = NLA_NUL_STRING, .len = VEIL_ALG_NAME_LEN - 1 },
	[VEIL_A_KEY_ALG_KEY] = { .type = NLA_BINARY, .len = VEIL_KEY_MAX_LEN },
	[VEIL_A_KEY_ALG_ICV_LEN] = { .type = NLA_U32 },
	[VEIL_A_KEY_ALG_TRUNC_LEN] = { .type = NLA_U32 },
};

const struct nla_policy veil_selector_policy[VEIL_A_SELECTOR_MAX + 1] = {
	[VEIL_A_SELECTOR_FAMILY] = { .type = NLA_U16 },
	[VEIL_A_SELECTOR_SRC] = { .type = NLA_BINARY, .len = 16 },
	[VEIL_A_SELECTOR_DST] = { .type = NLA_BINARY, .len = 16 },
	[VEIL_A_SELECTOR_SRC_PREFIX_LEN] = { .type = NLA_U8 },
	[VEIL_A_SELECTOR_DST_PREFIX_LEN] = { .type = NLA_U8 },
	[VEIL_A_SELECTOR_PROTO] = { .type = NLA_U8 },
	[VEIL_A_SELECTOR_SPORT] = { .type = NLA_U16 },
	[VEIL_A_SELECTOR_DPORT] = { .type = NLA_U16 },
};

static const struct nla_policy veil_lifetime_policy[VEIL_A_LIFETIME_MAX + 1] = {
	[VEIL_A_LIFETIME_SOFT_BYTES] = { .type = NLA_U64 },
	[VEIL_A_LIFETIME_HARD_BYTES] = { .type = NLA_U64 },
	[VEIL_A_LIFETIME_SOFT_PACKETS] = { .type = NLA_U64 },
	[VEIL_A_LIFETIME_HARD_PACKETS] = { .type = NLA_U64 },
	[VEIL_A_LIFETIME_SOFT_ADD_SECONDS] = { .type = NLA_U64 },
	[VEIL_A_LIFETIME_HARD_ADD_SECONDS] = { .type = NLA_U64 },
	[VEIL_A_LIFETIME_SOFT_USE_SECONDS] = { .type = NLA_U64 },
	[VEIL_A_LIFETIME_HARD_USE_SECONDS] = { .type = NLA_U64 },
};

static const struct nla_policy veil_encap_policy[VEIL_A_ENCAP_MAX + 1] = {
	[VEIL_A_ENCAP_TYPE] = { .type = NLA_U16 },
	[VEIL_A_ENCAP_SPORT] = { .type = NLA_U16 },
	[VEIL_A_ENCAP_DPORT] = { .type = NLA_U16 },
	[VEIL_A_ENCAP_OADDR] = { .type = NLA_BINARY, .len = 16 },
};

/* sa-new and sa-update: everything that describes an SA. */
const struct nla_policy veil_sa_new_policy[VEIL_A_SA_MAX + 1] = {
	[VEIL_A_SA_FAMILY] = { .type = NLA_U16 },
	[VEIL_A_SA_SRC] = { .type = NLA_BINARY, .len = 16 },
	[VEIL_A_SA_DST] = { .type = NLA_BINARY, .len = 16 },
	[VEIL_A_SA_PROTO] = { .type = NLA_U8 },
	[VEIL_A_SA_SPI] = { .type = NLA_U32 },
	[VEIL_A_SA_MODE] = { .type = NLA_U8 },
	[VEIL_A_SA_REQID] = { .type = NLA_U32 },
	[VEIL_A_SA_IF_ID] = { .type = NLA_U32 },
	[VEIL_A_SA_AEAD] = NLA_POLICY_NESTED(veil_key_alg_policy),
	[VEIL_A_SA_ENC] = NLA_POLICY_NESTED(veil_key_alg_policy),
	[VEIL_A_SA_AUTH] = NLA_POLICY_NESTED(veil_key_alg_policy),
	[VEIL_A_SA_REPLAY_WINDOW] = { .type = NLA_U32 },
	[VEIL_A_SA_FLAGS] = { .type = NLA_U32 },
	[VEIL_A_SA_REPLAY_SEQ] = { .type = NLA_U32 },
	[VEIL_A_SA_REPLAY_OSEQ] = { .type = NLA_U32 },
	[VEIL_A_SA_REPLAY_SEQ_HI] = { .type = NLA_U32 },
	[VEIL_A_SA_REPLAY_OSEQ_HI] = { .type = NLA_U32 },
	[VEIL_A_SA_LIFETIME] = NLA_POLICY_NESTED(veil_lifetime_policy),
	[VEIL_A_SA_ENCAP] = NLA_POLICY_NESTED(veil_encap_policy),
	[VEIL_A_SA_SELECTOR] = NLA_POLICY_NESTED(veil_selector_policy),
	[VEIL_A_SA_STATS] = { .type = NLA_REJECT, .reject_message = "stats are reply-only" },
	[VEIL_A_SA_KEYS] = { .type = NLA_REJECT, .reject_message = "keys is a sa-get flag" },
	[VEIL_A_SA_HARD] = { .type = NLA_REJECT, .reject_message = "hard is notification-only" },
};

/* sa-get and sa-del: what identifies an SA, and the keys flag for get. */
const struct nla_policy veil_sa_id_policy[VEIL_A_SA_MAX + 1] = {
	[VEIL_A_SA_FAMILY] = { .type = NLA_U16 },
	[VEIL_A_SA_SRC] = { .type = NLA_BINARY, .len = 16 },
	[VEIL_A_SA_DST] = { .type = NLA_BINARY, .len = 16 },
	[VEIL_A_SA_PROTO] = { .type = NLA_U8 },
	[VEIL_A_SA_SPI] = { .type = NLA_U32 },
	[VEIL_A_SA_KEYS] = { .type = NLA_FLAG },
};

/* sa-flush: an optional protocol. */
const struct nla_policy veil_sa_flush_policy[VEIL_A_SA_MAX + 1] = {
	[VEIL_A_SA_PROTO] = { .type = NLA_U8 },
};

static int veil_nl_family(struct nlattr *attr, u16 *family,
			  struct netlink_ext_ack *extack)
{
	*family = nla_get_u16(attr);
	if (!veil_addr_len(*family)) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "family must be AF_INET (2) or AF_INET6 (10)");
		return -EAFNOSUPPORT;
	}
	return 0;
}

/**
 * veil_nl_addr() - an address attribute of a known family
 * @attr: the attribute
 * @family: AF_INET or AF_INET6
 * @a: filled in, zero-padded
 * @extack: for the reason of a failure
 *
 * Return: 0, or -EINVAL when the length does not fit @family.
 */
int veil_nl_addr(const struct nlattr *attr, u16 family, union veil_addr *a,
		 struct netlink_ext_ack *extack)
{
	memset(a, 0, sizeof(*a));
	if (nla_len(attr) != veil_addr_len(family)) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "address does not match the family (4 bytes for AF_INET, 16 for AF_INET6)");
		return -EINVAL;
	}
	memcpy(a->raw, nla_data(attr), nla_len(attr));
	return 0;
}

/**
 * veil_nl_selector() - parse a selector nest
 * @nest: the VEIL_A_*_SELECTOR attribute
 * @sel: filled in; prefixes are masked to their length
 * @extack: for the reason of a failure
 *
 * Return: 0 or a negative errno.
 */
int veil_nl_selector(struct nlattr *nest, struct veil_selector *sel,
		     struct netlink_ext_ack *extack)
{
	struct nlattr *tb[VEIL_A_SELECTOR_MAX + 1];
	unsigned int bits;
	int ret;

	memset(sel, 0, sizeof(*sel));
	ret = nla_parse_nested(tb, VEIL_A_SELECTOR_MAX, nest, veil_selector_policy, extack);
	if (ret)
		return ret;
	if (!tb[VEIL_A_SELECTOR_FAMILY]) {
		NL_SET_ERR_ATTR_MISS(extack, nest, VEIL_A_SELECTOR_FAMILY);
		NL_SET_ERR_MSG(extack, "a selector needs a family");
		return -EINVAL;
	}
	ret = veil_nl_family(tb[VEIL_A_SELECTOR_FAMILY], &sel->family, extack);
	if (ret)
		return ret;
	bits = veil_addr_len(sel->family) * 8;

	if (tb[VEIL_A_SELECTOR_SRC]) {
		ret = veil_nl_addr(tb[VEIL_A_SELECTOR_SRC], sel->family, &sel->src, extack);
		if (ret)
			return ret;
	}
	if (tb[VEIL_A_SELECTOR_DST]) {
		ret = veil_nl_addr(tb[VEIL_A_SELECTOR_DST], sel->family, &sel->dst, extack);
		if (ret)
			return ret;
	}
	/* An address without a length is a host; no address is "any". */
	sel->src_len = tb[VEIL_A_SELECTOR_SRC] ? bits : 0;
	sel->dst_len = tb[VEIL_A_SELECTOR_DST] ? bits : 0;
	if (tb[VEIL_A_SELECTOR_SRC_PREFIX_LEN])
		sel->src_len = nla_get_u8(tb[VEIL_A_SELECTOR_SRC_PREFIX_LEN]);
	if (tb[VEIL_A_SELECTOR_DST_PREFIX_LEN])
		sel->dst_len = nla_get_u8(tb[VEIL_A_SELECTOR_DST_PREFIX_LEN]);
	if (sel->src_len > bits) {
		NL_SET_ERR_MSG_ATTR(extack, tb[VEIL_A_SELECTOR_SRC_PREFIX_LEN],
				    "prefix length is longer than the address");
		return -EINVAL;
	}
	if (sel->dst_len > bits) {
		NL_SET_ERR_MSG_ATTR(extack, tb[VEIL_A_SELECTOR_DST_PREFIX_LEN],
				    "prefix length is longer than the address");
		return -EINVAL;
	}
	veil_addr_prefix(&sel->src, sel->src_len);
	veil_addr_prefix(&sel->dst, sel->dst_len);

	if (tb[VEIL_A_SELECTOR_PROTO])
		sel->proto = nla_get_u8(tb[VEIL_A_SELECTOR_PROTO]);
	if (tb[VEIL_A_SELECTOR_SPORT])
		sel->sport = nla_get_u16(tb[VEIL_A_SELECTOR_SPORT]);
	if (tb[VEIL_A_SELECTOR_DPORT])
		sel->dport = nla_get_u16(tb[VEIL_A_SELECTOR_DPORT]);
	if ((sel->sport || sel->dport) &&
	    sel->proto != IPPROTO_TCP && sel->proto != IPPROTO_UDP &&
	    sel->proto != IPPROTO_UDPLITE && sel->proto != IPPROTO_SCTP) {
		NL_SET_ERR_MSG(extack, "ports need proto tcp, udp, udplite or sctp in the selector");
		return -EINVAL;
	}
	return 0;
}

static const char *const veil_alg_kind[] = {
	[VEIL_ALG_TYPE_AEAD] = "unknown AEAD algorithm (veil info lists them)",
	[VEIL_ALG_TYPE_CIPHER] = "unknown cipher (veil info lists them)",
	[VEIL_ALG_TYPE_AUTH] = "unknown authentication algorithm (veil info lists them)",
};

static int veil_nl_alg(struct nlattr *nest, u32 type, u8 proto,
		       struct veil_sa_alg **out, struct netlink_ext_ack *extack)
{
	struct nlattr *tb[VEIL_A_KEY_ALG_MAX + 1];
	const struct veil_crypto_alg *alg;
	struct veil_sa_alg *a;
	unsigned int key_len = 0, bits = 0;
	int ret;

	ret = nla_parse_nested(tb, VEIL_A_KEY_ALG_MAX, nest, veil_key_alg_policy, extack);
	if (ret)
		return ret;
	if (!tb[VEIL_A_KEY_ALG_NAME]) {
		NL_SET_ERR_ATTR_MISS(extack, nest, VEIL_A_KEY_ALG_NAME);
		NL_SET_ERR_MSG(extack, "algorithm needs a name");
		return -EINVAL;
	}
	alg = veil_crypto_alg_find(nla_data(tb[VEIL_A_KEY_ALG_NAME]), type);
	if (!alg) {
		veil_nl_set_err(extack, tb[VEIL_A_KEY_ALG_NAME], veil_alg_kind[type]);
		return -ENOENT;
	}
	if (!(alg->uses & (proto == IPPROTO_AH ? VEIL_ALG_USE_AH : VEIL_ALG_USE_ESP))) {
		veil_nl_set_err(extack, tb[VEIL_A_KEY_ALG_NAME],
				    proto == IPPROTO_AH ?
				    "algorithm cannot be used with AH (veil info shows its uses)" :
				    "algorithm cannot be used with ESP; for AES-GCM use rfc4106(gcm(aes)) (veil info shows its uses)");
		return -EINVAL;
	}
	if (tb[VEIL_A_KEY_ALG_KEY])
		key_len = nla_len(tb[VEIL_A_KEY_ALG_KEY]);
	if (!veil_crypto_key_len_ok(alg, key_len)) {
		veil_nl_set_err(extack, tb[VEIL_A_KEY_ALG_KEY] ?: nest, alg->key_msg);
		return -EINVAL;
	}

	switch (type) {
	case VEIL_ALG_TYPE_AEAD:
		if (tb[VEIL_A_KEY_ALG_TRUNC_LEN]) {
			NL_SET_ERR_MSG_ATTR(extack, tb[VEIL_A_KEY_ALG_TRUNC_LEN],
					    "trunc-len applies to authentication algorithms; an AEAD takes icv-len");
			return -EINVAL;
		}
		if (!tb[VEIL_A_KEY_ALG_ICV_LEN]) {
			NL_SET_ERR_ATTR_MISS(extack, nest, VEIL_A_KEY_ALG_ICV_LEN);
			NL_SET_ERR_MSG(extack, "an AEAD needs its ICV length in bits");
			return -EINVAL;
		}
		bits = nla_get_u32(tb[VEIL_A_KEY_ALG_ICV_LEN]);
		if (!veil_crypto_icv_ok(alg, bits)) {
			NL_SET_ERR_MSG_ATTR(extack, tb[VEIL_A_KEY_ALG_ICV_LEN],
					    "ICV length not allowed: GCM and CCM take 64, 96 or 128 bits, GMAC and ChaCha20-Poly1305 128");
			return -EINVAL;
		}
		break;
	case VEIL_ALG_TYPE_AUTH:
		if (tb[VEIL_A_KEY_ALG_ICV_LEN]) {
			NL_SET_ERR_MSG_ATTR(extack, tb[VEIL_A_KEY_ALG_ICV_LEN],
					    "icv-len applies to AEADs; authentication takes trunc-len");
			return -EINVAL;
		}
		bits = alg->trunc_default;
		if (tb[VEIL_A_KEY_ALG_TRUNC_LEN]) {
			bits = nla_get_u32(tb[VEIL_A_KEY_ALG_TRUNC_LEN]);
			if (!veil_crypto_trunc_ok(alg, bits)) {
				NL_SET_ERR_MSG_ATTR(extack, tb[VEIL_A_KEY_ALG_TRUNC_LEN],
						    "truncation must be a multiple of 32 bits, at least 64 and at most the digest length");
				return -EINVAL;
			}
		}
		break;
	default:
		if (tb[VEIL_A_KEY_ALG_ICV_LEN] || tb[VEIL_A_KEY_ALG_TRUNC_LEN]) {
			NL_SET_ERR_MSG_ATTR(extack, tb[VEIL_A_KEY_ALG_ICV_LEN] ?: tb[VEIL_A_KEY_ALG_TRUNC_LEN],
					    "a cipher takes neither icv-len nor trunc-len");
			return -EINVAL;
		}
	}

	if (!veil_crypto_alg_available(alg)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[VEIL_A_KEY_ALG_NAME],
				    "the running kernel's crypto API does not provide this algorithm");
		return -ENOENT;
	}

	a = kzalloc(struct_size(a, key, key_len), GFP_KERNEL);
	if (!a) {
		NL_SET_ERR_MSG(extack, "out of memory for the key");
		return -ENOMEM;
	}
	a->alg = alg;
	a->bits = bits;
	a->key_len = key_len;
	if (key_len)
		nla_memcpy(a->key, tb[VEIL_A_KEY_ALG_KEY], key_len);
	*out = a;
	return 0;
}

static int veil_nl_lifetime(struct nlattr *nest, struct veil_lifetime *l,
			    struct netlink_ext_ack *extack)
{
	struct nlattr *tb[VEIL_A_LIFETIME_MAX + 1];
	int ret;

	ret = nla_parse_nested(tb, VEIL_A_LIFETIME_MAX, nest, veil_lifetime_policy, extack);
	if (ret)
		return ret;
#define VEIL_LFT(field, attr) \
	l->field = tb[VEIL_A_LIFETIME_##attr] ? nla_get_u64(tb[VEIL_A_LIFETIME_##attr]) : 0
	VEIL_LFT(soft_bytes, SOFT_BYTES);
	VEIL_LFT(hard_bytes, HARD_BYTES);
	VEIL_LFT(soft_packets, SOFT_PACKETS);
	VEIL_LFT(hard_packets, HARD_PACKETS);
	VEIL_LFT(soft_add, SOFT_ADD_SECONDS);
	VEIL_LFT(hard_add, HARD_ADD_SECONDS);
	VEIL_LFT(soft_use, SOFT_USE_SECONDS);
	VEIL_LFT(hard_use, HARD_USE_SECONDS);
#undef VEIL_LFT
	if ((l->hard_bytes && l->soft_bytes > l->hard_bytes) ||
	    (l->hard_packets && l->soft_packets > l->hard_packets) ||
	    (l->hard_add && l->soft_add > l->hard_add) ||
	    (l->hard_use && l->soft_use > l->hard_use)) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "a soft limit must not exceed its hard limit");
		return -EINVAL;
	}
	return 0;
}

static int veil_nl_encap(struct nlattr *nest, u16 family, struct veil_encap *e,
			 struct netlink_ext_ack *extack)
{
	struct nlattr *tb[VEIL_A_ENCAP_MAX + 1];
	int ret;

	ret = nla_parse_nested(tb, VEIL_A_ENCAP_MAX, nest, veil_encap_policy, extack);
	if (ret)
		return ret;
	if (!tb[VEIL_A_ENCAP_TYPE] || !tb[VEIL_A_ENCAP_SPORT] || !tb[VEIL_A_ENCAP_DPORT]) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "encap needs type, sport and dport");
		return -EINVAL;
	}
	e->type = nla_get_u16(tb[VEIL_A_ENCAP_TYPE]);
	/*
	 * The draft's non-IKE marker is gone from XFRM's datapath (6.12
	 * sends and takes such SAs' packets as RFC 3948's), so what the
	 * name promises is not what a Linux peer does.
	 */
	if (e->type == VEIL_ENCAP_TYPE_ESPINUDP_NONIKE) {
		NL_SET_ERR_MSG_ATTR(extack, tb[VEIL_A_ENCAP_TYPE],
				    "espinudp-nonike (draft-ietf-ipsec-udp-encaps-00) is not supported; use espinudp (RFC 3948)");
		return -EOPNOTSUPP;
	}
	if (e->type != VEIL_ENCAP_TYPE_ESPINUDP) {
		NL_SET_ERR_MSG_ATTR(extack, tb[VEIL_A_ENCAP_TYPE],
				    "encap type must be espinudp (2)");
		return -EINVAL;
	}
	e->sport = nla_get_u16(tb[VEIL_A_ENCAP_SPORT]);
	e->dport = nla_get_u16(tb[VEIL_A_ENCAP_DPORT]);
	if (!e->sport || !e->dport) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "encap ports must not be 0");
		return -EINVAL;
	}
	if (tb[VEIL_A_ENCAP_OADDR]) {
		ret = veil_nl_addr(tb[VEIL_A_ENCAP_OADDR], family, &e->oaddr, extack);
		if (ret)
			return ret;
		/* ip xfrm's grammar makes one write 0.0.0.0 or :: for none. */
		e->has_oaddr = memchr_inv(e->oaddr.raw, 0, sizeof(e->oaddr.raw));
	}
	return 0;
}

/* The attributes every identification of an SA needs. */
static int veil_nl_sa_key(struct genl_info *info, struct veil_sa_key *key)
{
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr **tb = info->attrs;
	int ret;

	memset(key, 0, sizeof(*key));
	if (GENL_REQ_ATTR_CHECK(info, VEIL_A_SA_FAMILY) ||
	    GENL_REQ_ATTR_CHECK(info, VEIL_A_SA_DST) ||
	    GENL_REQ_ATTR_CHECK(info, VEIL_A_SA_PROTO) ||
	    GENL_REQ_ATTR_CHECK(info, VEIL_A_SA_SPI)) {
		NL_SET_ERR_MSG(extack, "an SA is identified by family, dst, proto and spi");
		return -EINVAL;
	}
	ret = veil_nl_family(tb[VEIL_A_SA_FAMILY], &key->family, extack);
	if (ret)
		return ret;
	ret = veil_nl_addr(tb[VEIL_A_SA_DST], key->family, &key->dst, extack);
	if (ret)
		return ret;
	key->proto = nla_get_u8(tb[VEIL_A_SA_PROTO]);
	if (key->proto != IPPROTO_ESP && key->proto != IPPROTO_AH) {
		NL_SET_ERR_MSG_ATTR(extack, tb[VEIL_A_SA_PROTO], "proto must be esp (50) or ah (51)");
		return -EPROTONOSUPPORT;
	}
	key->spi = nla_get_u32(tb[VEIL_A_SA_SPI]);
	if (key->spi < VEIL_SPI_MIN) {
		NL_SET_ERR_MSG_ATTR(extack, tb[VEIL_A_SA_SPI],
				    "SPI must be 256 or more: 1 to 255 are reserved (RFC 4303)");
		return -EINVAL;
	}
	return 0;
}

#define VEIL_U32(tb, attr) ((tb)[attr] ? nla_get_u32((tb)[attr]) : 0)

/* Builds a complete, unpublished SA from an sa-new or sa-update request. */
static int veil_nl_sa_parse(struct genl_info *info, struct veil_sa *sa)
{
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr **tb = info->attrs;
	u8 proto;
	int ret;

	ret = veil_nl_sa_key(info, &sa->key);
	if (ret)
		return ret;
	proto = sa->key.proto;
	if (GENL_REQ_ATTR_CHECK(info, VEIL_A_SA_SRC)) {
		NL_SET_ERR_MSG(extack, "an SA needs its source address");
		return -EINVAL;
	}
	ret = veil_nl_addr(tb[VEIL_A_SA_SRC], sa->key.family, &sa->src, extack);
	if (ret)
		return ret;

	sa->mode = tb[VEIL_A_SA_MODE] ? nla_get_u8(tb[VEIL_A_SA_MODE]) : VEIL_MODE_TRANSPORT;
	if (sa->mode != VEIL_MODE_TRANSPORT && sa->mode != VEIL_MODE_TUNNEL) {
		NL_SET_ERR_MSG_ATTR(extack, tb[VEIL_A_SA_MODE], "mode must be transport (0) or tunnel (1)");
		return -EINVAL;
	}
	sa->reqid = VEIL_U32(tb, VEIL_A_SA_REQID);
	sa->if_id = VEIL_U32(tb, VEIL_A_SA_IF_ID);
	sa->replay_window = VEIL_U32(tb, VEIL_A_SA_REPLAY_WINDOW);
	if (sa->replay_window > VEIL_REPLAY_WINDOW_MAX) {
		NL_SET_ERR_MSG_ATTR(extack, tb[VEIL_A_SA_REPLAY_WINDOW],
				    "replay window is at most 4096 packets");
		return -EINVAL;
	}
	sa->flags = VEIL_U32(tb, VEIL_A_SA_FLAGS);
	if (sa->flags & ~(VEIL_SA_FLAGS_ESN | VEIL_SA_FLAGS_ALIGN4)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[VEIL_A_SA_FLAGS], "unknown SA flag (esn and align4 are known)");
		return -EINVAL;
	}
	if ((sa->flags & VEIL_SA_FLAGS_ALIGN4) &&
	    (sa->key.proto != IPPROTO_AH || sa->key.family != AF_INET)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[VEIL_A_SA_FLAGS], "flag align4 is for IPv4 AH SAs only");
		return -EINVAL;
	}
	sa->replay_seq = VEIL_U32(tb, VEIL_A_SA_REPLAY_SEQ);
	sa->replay_oseq = VEIL_U32(tb, VEIL_A_SA_REPLAY_OSEQ);
	sa->replay_seq_hi = VEIL_U32(tb, VEIL_A_SA_REPLAY_SEQ_HI);
	sa->replay_oseq_hi = VEIL_U32(tb, VEIL_A_SA_REPLAY_OSEQ_HI);
	if (!(sa->flags & VEIL_SA_FLAGS_ESN) &&
	    (tb[VEIL_A_SA_REPLAY_SEQ_HI] || tb[VEIL_A_SA_REPLAY_OSEQ_HI])) {
		NL_SET_ERR_MSG_ATTR(extack, tb[VEIL_A_SA_REPLAY_SEQ_HI] ?: tb[VEIL_A_SA_REPLAY_OSEQ_HI],
				    "replay-seq-hi and replay-oseq-hi need flag esn");
		return -EINVAL;
	}

	/* Algorithms: ESP takes an AEAD, or a cipher with optional auth; AH auth. */
	if (proto == IPPROTO_AH) {
		if (tb[VEIL_A_SA_AEAD] || tb[VEIL_A_SA_ENC]) {
			NL_SET_ERR_MSG_ATTR(extack, tb[VEIL_A_SA_AEAD] ?: tb[VEIL_A_SA_ENC],
					    "AH authenticates only: it takes auth, not aead or enc (AES-GMAC is ESP's: aead rfc4543(gcm(aes)))");
			return -EINVAL;
		}
		if (!tb[VEIL_A_SA_AUTH]) {
			NL_SET_ERR_MSG(extack, "an AH SA needs auth");
			return -EINVAL;
		}
	} else {
		if (tb[VEIL_A_SA_AEAD] && (tb[VEIL_A_SA_ENC] || tb[VEIL_A_SA_AUTH])) {
			NL_SET_ERR_MSG_ATTR(extack, tb[VEIL_A_SA_ENC] ?: tb[VEIL_A_SA_AUTH],
					    "an AEAD SA takes no separate enc or auth");
			return -EINVAL;
		}
		if (!tb[VEIL_A_SA_AEAD] && !tb[VEIL_A_SA_ENC]) {
			NL_SET_ERR_MSG(extack, "an ESP SA needs aead, or enc (with auth)");
			return -EINVAL;
		}
	}
	if (tb[VEIL_A_SA_AEAD]) {
		ret = veil_nl_alg(tb[VEIL_A_SA_AEAD], VEIL_ALG_TYPE_AEAD, proto, &sa->aead, extack);
		if (ret)
			return ret;
	}
	if (tb[VEIL_A_SA_ENC]) {
		ret = veil_nl_alg(tb[VEIL_A_SA_ENC], VEIL_ALG_TYPE_CIPHER, proto, &sa->enc, extack);
		if (ret)
			return ret;
	}
	if (tb[VEIL_A_SA_AUTH]) {
		ret = veil_nl_alg(tb[VEIL_A_SA_AUTH], VEIL_ALG_TYPE_AUTH, proto, &sa->auth, extack);
		if (ret)
			return ret;
	}

	if (tb[VEIL_A_SA_LIFETIME]) {
		ret = veil_nl_lifetime(tb[VEIL_A_SA_LIFETIME], &sa->lft, extack);
		if (ret)
			return ret;
	}
	if (tb[VEIL_A_SA_ENCAP]) {
		if (proto != IPPROTO_ESP) {
			NL_SET_ERR_MSG_ATTR(extack, tb[VEIL_A_SA_ENCAP],
					    "UDP encapsulation applies to ESP only");
			return -EINVAL;
		}
		ret = veil_nl_encap(tb[VEIL_A_SA_ENCAP], sa->key.family, &sa->encap, extack);
		if (ret)
			return ret;
	}
	if (tb[VEIL_A_SA_SELECTOR]) {
		ret = veil_nl_selector(tb[VEIL_A_SA_SELECTOR], &sa->sel, extack);
		if (ret)
			return ret;
		if (sa->mode == VEIL_MODE_TRANSPORT && sa->sel.family != sa->key.family) {
			NL_SET_ERR_MSG_ATTR(extack, tb[VEIL_A_SA_SELECTOR],
					    "in transport mode the selector's family must be the SA's");
			return -EINVAL;
		}
	}

	sa->tkey.dst = sa->key.dst;
	sa->tkey.reqid = sa->reqid;
	sa->tkey.family = sa->key.family;
	sa->tkey.proto = proto;
	return 0;
}

static int veil_nl_sa_new_or_update(struct sk_buff *skb, struct genl_info *info,
				    bool update)
{
	struct veil_net *vn = veil_net(genl_info_net(info));
	struct veil_sa *sa;
	int ret;

	ret = veil_nl_require_admin(skb, info);
	if (ret)
		return ret;
	sa = veil_sa_alloc();
	if (!sa) {
		NL_SET_ERR_MSG(info->extack, "out of memory for the SA");
		return -ENOMEM;
	}
	ret = veil_nl_sa_parse(info, sa);
	if (!ret)
		/* Outside conf_lock: it may sleep loading crypto modules. */
		ret = veil_sa_crypto_init(sa, info->extack);
	if (ret) {
		veil_sa_put(sa);
		return ret;
	}
	return veil_sa_add(vn, sa, update, info->extack);
}

int veil_nl_sa_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	return veil_nl_sa_new_or_update(skb, info, false);
}

int veil_nl_sa_update_doit(struct sk_buff *skb, struct genl_info *info)
{
	return veil_nl_sa_new_or_update(skb, info, true);
}

static int veil_nl_put_alg(struct sk_buff *skb, int type, const struct veil_sa_alg *a,
			   u32 alg_type, bool keys)
{
	struct nlattr *nest = nla_nest_start(skb, type);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_string(skb, VEIL_A_KEY_ALG_NAME, a->alg->name) ||
	    (keys && nla_put(skb, VEIL_A_KEY_ALG_KEY, a->key_len, a->key)) ||
	    (alg_type == VEIL_ALG_TYPE_AEAD &&
	     nla_put_u32(skb, VEIL_A_KEY_ALG_ICV_LEN, a->bits)) ||
	    (alg_type == VEIL_ALG_TYPE_AUTH &&
	     nla_put_u32(skb, VEIL_A_KEY_ALG_TRUNC_LEN, a->bits)))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/**
 * veil_nl_put_selector() - add a selector nest
 * @skb: message
 * @type: attribute type of the nest
 * @sel: the selector
 *
 * Return: 0 or -EMSGSIZE.
 */
int veil_nl_put_selector(struct sk_buff *skb, int type, const struct veil_selector *sel)
{
	unsigned int len = veil_addr_len(sel->family);
	struct nlattr *nest = nla_nest_start(skb, type);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u16(skb, VEIL_A_SELECTOR_FAMILY, sel->family) ||
	    nla_put(skb, VEIL_A_SELECTOR_SRC, len, sel->src.raw) ||
	    nla_put(skb, VEIL_A_SELECTOR_DST, len, sel->dst.raw) ||
	    nla_put_u8(skb, VEIL_A_SELECTOR_SRC_PREFIX_LEN, sel->src_len) ||
	    nla_put_u8(skb, VEIL_A_SELECTOR_DST_PREFIX_LEN, sel->dst_len) ||
	    (sel->proto && nla_put_u8(skb, VEIL_A_SELECTOR_PROTO, sel->proto)) ||
	    (sel->sport && nla_put_u16(skb, VEIL_A_SELECTOR_SPORT, sel->sport)) ||
	    (sel->dport && nla_put_u16(skb, VEIL_A_SELECTOR_DPORT, sel->dport)))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int veil_nl_put_lifetime(struct sk_buff *skb, const struct veil_lifetime *l)
{
	struct nlattr *nest = nla_nest_start(skb, VEIL_A_SA_LIFETIME);

	if (!nest)
		return -EMSGSIZE;
#define VEIL_PUT_LFT(field, attr) \
	(l->field && nla_put_u64_64bit(skb, VEIL_A_LIFETIME_##attr, l->field, 0))
	if (VEIL_PUT_LFT(soft_bytes, SOFT_BYTES) ||
	    VEIL_PUT_LFT(hard_bytes, HARD_BYTES) ||
	    VEIL_PUT_LFT(soft_packets, SOFT_PACKETS) ||
	    VEIL_PUT_LFT(hard_packets, HARD_PACKETS) ||
	    VEIL_PUT_LFT(soft_add, SOFT_ADD_SECONDS) ||
	    VEIL_PUT_LFT(hard_add, HARD_ADD_SECONDS) ||
	    VEIL_PUT_LFT(soft_use, SOFT_USE_SECONDS) ||
	    VEIL_PUT_LFT(hard_use, HARD_USE_SECONDS))
		return -EMSGSIZE;
#undef VEIL_PUT_LFT
	nla_nest_end(skb, nest);
	return 0;
}

static int veil_nl_put_stats(struct sk_buff *skb, struct veil_sa *sa)
{
	struct veil_sa_stats st;
	struct nlattr *nest;
	time64_t use_time;

	veil_sa_stats_read(sa, &st, &use_time);
	nest = nla_nest_start(skb, VEIL_A_SA_STATS);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, VEIL_A_STATS_PACKETS, st.packets, 0) ||
	    nla_put_u64_64bit(skb, VEIL_A_STATS_BYTES, st.bytes, 0) ||
	    nla_put_u64_64bit(skb, VEIL_A_STATS_REPLAY_DROPS, st.replay_drops, 0) ||
	    nla_put_u64_64bit(skb, VEIL_A_STATS_INTEGRITY_FAILURES, st.integrity_failures, 0) ||
	    nla_put_u64_64bit(skb, VEIL_A_STATS_OTHER_DROPS, st.other_drops, 0) ||
	    nla_put_u64_64bit(skb, VEIL_A_STATS_BAD_PADDING, st.bad_padding, 0) ||
	    nla_put_u64_64bit(skb, VEIL_A_STATS_POLICY_DROPS, st.policy_drops, 0) ||
	    nla_put_u64_64bit(skb, VEIL_A_STATS_ADD_TIME, sa->add_time, 0) ||
	    nla_put_u64_64bit(skb, VEIL_A_STATS_USE_TIME, use_time, 0))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/* The identifying part of an SA, shared by full replies and expire events. */
static int veil_nl_put_sa_id(struct sk_buff *skb, const struct veil_sa *sa)
{
	unsigned int len = veil_addr_len(sa->key.family);

	if (nla_put_u16(skb, VEIL_A_SA_FAMILY, sa->key.family) ||
	    nla_put(skb, VEIL_A_SA_SRC, len, sa->src.raw) ||
	    nla_put(skb, VEIL_A_SA_DST, len, sa->key.dst.raw) ||
	    nla_put_u8(skb, VEIL_A_SA_PROTO, sa->key.proto) ||
	    nla_put_u32(skb, VEIL_A_SA_SPI, sa->key.spi) ||
	    nla_put_u32(skb, VEIL_A_SA_REQID, sa->reqid) ||
	    (sa->if_id && nla_put_u32(skb, VEIL_A_SA_IF_ID, sa->if_id)))
		return -EMSGSIZE;
	return 0;
}

static int veil_nl_sa_fill(struct sk_buff *skb, struct veil_sa *sa, u32 portid,
			   u32 seq, int flags, u8 cmd, bool keys)
{
	unsigned int len = veil_addr_len(sa->key.family);
	u64 rseq, oseq;
	void *hdr;

	veil_sa_seq_read(sa, &rseq, &oseq);
	hdr = genlmsg_put(skb, portid, seq, &veil_genl_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (veil_nl_put_sa_id(skb, sa) ||
	    nla_put_u8(skb, VEIL_A_SA_MODE, sa->mode) ||
	    nla_put_u32(skb, VEIL_A_SA_REPLAY_WINDOW, sa->replay_window) ||
	    nla_put_u32(skb, VEIL_A_SA_FLAGS, sa->flags) ||
	    nla_put_u32(skb, VEIL_A_SA_REPLAY_SEQ, lower_32_bits(rseq)) ||
	    nla_put_u32(skb, VEIL_A_SA_REPLAY_OSEQ, lower_32_bits(oseq)) ||
	    ((sa->flags & VEIL_SA_FLAGS_ESN) &&
	     (nla_put_u32(skb, VEIL_A_SA_REPLAY_SEQ_HI, upper_32_bits(rseq)) ||
	      nla_put_u32(skb, VEIL_A_SA_REPLAY_OSEQ_HI, upper_32_bits(oseq)))) ||
	    (sa->aead && veil_nl_put_alg(skb, VEIL_A_SA_AEAD, sa->aead, VEIL_ALG_TYPE_AEAD, keys)) ||
	    (sa->enc && veil_nl_put_alg(skb, VEIL_A_SA_ENC, sa->enc, VEIL_ALG_TYPE_CIPHER, keys)) ||
	    (sa->auth && veil_nl_put_alg(skb, VEIL_A_SA_AUTH, sa->auth, VEIL_ALG_TYPE_AUTH, keys)) ||
	    veil_nl_put_lifetime(skb, &sa->lft) ||
	    (sa->sel.family && veil_nl_put_selector(skb, VEIL_A_SA_SELECTOR, &sa->sel)) ||
	    veil_nl_put_stats(skb, sa))
		goto cancel;
	if (sa->encap.type) {
		struct nlattr *nest = nla_nest_start(skb, VEIL_A_SA_ENCAP);

		if (!nest ||
		    nla_put_u16(skb, VEIL_A_ENCAP_TYPE, sa->encap.type) ||
		    nla_put_u16(skb, VEIL_A_ENCAP_SPORT, sa->encap.sport) ||
		    nla_put_u16(skb, VEIL_A_ENCAP_DPORT, sa->encap.dport) ||
		    (sa->encap.has_oaddr &&
		     nla_put(skb, VEIL_A_ENCAP_OADDR, len, sa->encap.oaddr.raw)))
			goto cancel;
		nla_nest_end(skb, nest);
	}
	genlmsg_end(skb, hdr);
	return 0;
cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

/* Keys leave the kernel only on request, and only to CAP_NET_ADMIN. */
static int veil_nl_keys_allowed(const struct sk_buff *skb, struct net *net,
				struct nlattr **attrs, bool *keys,
				struct netlink_ext_ack *extack)
{
	*keys = attrs && attrs[VEIL_A_SA_KEYS];
	if (*keys && !netlink_ns_capable(skb, net->user_ns, CAP_NET_ADMIN)) {
		NL_SET_ERR_MSG(extack, "showing keys needs CAP_NET_ADMIN");
		return -EPERM;
	}
	return 0;
}

int veil_nl_sa_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct veil_sa_key key;
	struct sk_buff *msg;
	struct veil_sa *sa;
	bool keys;
	int ret;

	ret = veil_nl_keys_allowed(skb, net, info->attrs, &keys, info->extack);
	if (ret)
		return ret;
	ret = veil_nl_sa_key(info, &key);
	if (ret)
		return ret;
	msg = veil_nl_reply_new(info);
	if (!msg)
		return -ENOMEM;

	rcu_read_lock();
	sa = veil_sa_lookup(veil_net(net), &key);
	ret = sa ? veil_nl_sa_fill(msg, sa, info->snd_portid, info->snd_seq, 0,
				   VEIL_CMD_SA_GET, keys) : -ENOENT;
	rcu_read_unlock();
	if (ret) {
		nlmsg_free(msg);
		if (ret == -ENOENT)
			NL_SET_ERR_MSG(info->extack, "no SA with this destination, SPI and protocol");
		else
			NL_SET_ERR_MSG(info->extack, "SA reply does not fit in one message");
		return ret;
	}
	return genlmsg_reply(msg, info);
}

int veil_nl_sa_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct net *net = sock_net(skb->sk);
	unsigned long id = cb->args[0];
	struct veil_sa *sa;
	bool keys;
	int ret;

	ret = veil_nl_keys_allowed(cb->skb, net, veil_genl_dump_attrs(cb), &keys,
				   cb->extack);
	if (ret)
		return ret;

	rcu_read_lock();
	while ((sa = veil_sa_next(veil_net(net), &id))) {
		if (veil_nl_sa_fill(skb, sa, NETLINK_CB(cb->skb).portid,
				    cb->nlh->nlmsg_seq, NLM_F_MULTI,
				    VEIL_CMD_SA_GET, keys))
			break;
		id++;
	}
	rcu_read_unlock();
	cb->args[0] = id;
	return skb->len;
}

int veil_nl_sa_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct veil_net *vn = veil_net(genl_info_net(info));
	struct veil_sa_key key;
	struct veil_sa *sa;
	int ret;

	ret = veil_nl_require_admin(skb, info);
	if (ret)
		return ret;
	ret = veil_nl_sa_key(info, &key);
	if (ret)
		return ret;

	mutex_lock(&vn->conf_lock);
	sa = veil_sa_lookup(vn, &key);
	if (sa && info->attrs[VEIL_A_SA_SRC]) {
		union veil_addr src;

		ret = veil_nl_addr(info->attrs[VEIL_A_SA_SRC], key.family, &src, info->extack);
		if (!ret && memcmp(&src, &sa->src, sizeof(src)))
			sa = NULL;
	}
	if (!ret && sa)
		veil_sa_del(vn, sa);
	mutex_unlock(&vn->conf_lock);
	if (ret)
		return ret;
	if (!sa) {
		NL_SET_ERR_MSG(info->extack, "no SA with this destination, SPI and protocol");
		return -ENOENT;
	}
	return 0;
}

int veil_nl_sa_flush_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct veil_net *vn = veil_net(genl_info_net(info));
	u8 proto = 0;
	int ret;

	ret = veil_nl_require_admin(skb, info);
	if (ret)
		return ret;
	if (info->attrs[VEIL_A_SA_PROTO]) {
		proto = nla_get_u8(info->attrs[VEIL_A_SA_PROTO]);
		if (proto != IPPROTO_ESP && proto != IPPROTO_AH) {
			NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[VEIL_A_SA_PROTO],
					    "proto must be esp (50) or ah (51)");
			return -EPROTONOSUPPORT;
		}
	}
	mutex_lock(&vn->conf_lock);
	veil_sa_flush(vn, proto);
	mutex_unlock(&vn->conf_lock);
	return 0;
}

/**
 * veil_nl_sa_notify() - tell the events group about an SA
 * @sa: the SA
 * @cmd: VEIL_CMD_SA_NEW_NTF or VEIL_CMD_SA_DEL_NTF
 *
 * Never carries keys.
 */
void veil_nl_sa_notify(struct veil_sa *sa, u8 cmd)
{
	struct sk_buff *msg = veil_nl_event_new(sa->vn->net);

	if (!msg)
		return;
	if (veil_nl_sa_fill(msg, sa, 0, 0, 0, cmd, false)) {
		nlmsg_free(msg);
		return;
	}
	veil_nl_event_send(sa->vn->net, msg);
}

/**
 * veil_nl_sa_expire_notify() - announce that @sa reached a limit
 * @sa: the SA
 * @hard: a hard limit (the SA is being deleted) rather than a soft one
 */
void veil_nl_sa_expire_notify(struct veil_sa *sa, bool hard)
{
	struct sk_buff *msg = veil_nl_event_new(sa->vn->net);
	void *hdr;

	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &veil_genl_family, 0, VEIL_CMD_SA_EXPIRE_NTF);
	if (!hdr || veil_nl_put_sa_id(msg, sa) ||
	    (hard && nla_put_flag(msg, VEIL_A_SA_HARD))) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	veil_nl_event_send(sa->vn->net, msg);
}

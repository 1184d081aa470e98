// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The veil authors. All Rights Reserved.
 *
 * AH (RFC 4302): integrity for the whole packet, IPv4 and IPv6, transport
 * and tunnel mode, wire-compatible with the kernel's ah4 and ah6.
 *
 * The ICV covers the IP header with its mutable fields as zero (IPv4:
 * TOS, flags and fragment offset, TTL, checksum and the mutable options;
 * IPv6: traffic class, flow label and hop limit), the AH header with a
 * zero ICV field, the payload, and with ESN the high half of the sequence
 * number after it all (RFC 4302 section 3.3.3.2). veil zeroes the fields
 * in place, runs the keyed hash over the packet, then puts the saved
 * header back. IPv6 hop-by-hop and destination options before AH have
 * their mutable options zeroed; a routing header before AH is refused.
 *
 * Input comes from the same protocol demultiplexer as ESP, for protocol
 * 51, above ah4/ah6: what is not veil's goes on to them. A verified packet
 * takes the same way back to the stack as a decrypted ESP packet
 * (veil_ipsec_deliver()). Output is called by esp_output.c once the
 * packet is segmented, routed, counted and numbered.
 */

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/scatterlist.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <crypto/algapi.h>
#include <crypto/hash.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/xfrm.h>

#include "ah.h"
#include "esp.h"
#include "main.h"
#include "replay.h"
#include "sa.h"
#include "uapi/linux/veil.h"

/* IP header and, for IPv6, the extension headers before AH, at most. */
#define VEIL_AH_HEADER_MAX 256

/**
 * struct veil_ah_ctx - one packet's ICV computation, with its request
 * @sa: the SA, holding a reference until the packet is done
 * @seq64: the full sequence number
 * @ihl: bytes of IP header before the AH header
 * @ahlen: bytes of AH header, ICV included
 * @seqhi: with ESN, the high half, hashed after the packet
 * @header: the IP header as it was, put back after hashing
 * @icv: input: the ICV the packet carried
 * @digest: the hash's result
 */
struct veil_ah_ctx {
	struct veil_sa *sa;
	u64 seq64;
	unsigned int ihl;
	unsigned int ahlen;
	__be32 seqhi;
	u8 header[VEIL_AH_HEADER_MAX];
	u8 icv[VEIL_AH_ICV_MAX];
	u8 digest[VEIL_AH_ICV_MAX];
};

#define VEIL_AH_CB(skb) (*(struct veil_ah_ctx **)&(skb)->cb[sizeof(struct inet6_skb_parm)])

static unsigned int veil_ah_icv_len(const struct veil_sa *sa)
{
	return sa->auth->bits / 8;
}

/**
 * veil_ah_len() - bytes of AH header @sa puts in a packet
 * @sa: an AH SA
 *
 * Return: the header with its ICV, padded to 8 bytes: what IPv6 needs
 * (RFC 4302 section 2.2), and what ah4 sends and expects for IPv4 too;
 * or, for an IPv4 SA with flag align4, to 4 bytes, as strongSwan's (XFRM's
 * align4) send and expect.
 */
unsigned int veil_ah_len(const struct veil_sa *sa)
{
	unsigned int len = sizeof(struct ip_auth_hdr) + veil_ah_icv_len(sa);

	return sa->flags & VEIL_SA_FLAGS_ALIGN4 ? ALIGN(len, 4) : ALIGN(len, 8);
}

/* The context, then the request and @nfrags scatterlist entries. */
static struct veil_ah_ctx *veil_ah_ctx_alloc(struct crypto_ahash *ahash, int nfrags,
					     struct ahash_request **req,
					     struct scatterlist **sg)
{
	unsigned int len = ALIGN(sizeof(struct veil_ah_ctx), crypto_tfm_ctx_alignment());
	struct veil_ah_ctx *ctx;

	len += sizeof(struct ahash_request) + crypto_ahash_reqsize(ahash);
	len = ALIGN(len, __alignof__(struct scatterlist));
	ctx = kmalloc(len + sizeof(struct scatterlist) * nfrags, GFP_ATOMIC);
	if (!ctx)
		return NULL;
	*req = (void *)PTR_ALIGN((u8 *)(ctx + 1), crypto_tfm_ctx_alignment());
	ahash_request_set_tfm(*req, ahash);
	*sg = (void *)ALIGN((unsigned long)(*req + 1) + crypto_ahash_reqsize(ahash),
			    __alignof__(struct scatterlist));
	return ctx;
}

/*
 * IPv4 options (RFC 4302 appendix A1): security, extended security,
 * CIPSO, router alert and selective directed broadcast are immutable;
 * the rest are zeroed, and a source route's final address stands as the
 * destination, as the receiver will see it.
 */
static int veil_ah_clear_options4(struct iphdr *iph)
{
	u8 *opt = (u8 *)(iph + 1);
	int left = iph->ihl * 4 - sizeof(*iph);

	while (left > 0) {
		int len;

		if (opt[0] == IPOPT_END)
			return 0;
		if (opt[0] == IPOPT_NOOP) {
			opt++;
			left--;
			continue;
		}
		if (left < 2 || opt[1] < 2 || opt[1] > left)
			return -EINVAL;
		len = opt[1];
		switch (opt[0]) {
		case IPOPT_SEC:
		case 0x85:		/* extended security */
		case IPOPT_CIPSO:
		case IPOPT_RA:
		case 0x80 | 21:		/* selective directed broadcast (RFC 1770) */
			break;
		case IPOPT_LSRR:
		case IPOPT_SSRR:
			if (len < 7)
				return -EINVAL;
			memcpy(&iph->daddr, opt + len - 4, 4);
			fallthrough;
		default:
			memset(opt, 0, len);
		}
		opt += len;
		left -= len;
	}
	return 0;
}

/*
 * IPv6 extension headers before AH (RFC 4302 appendix A2): in hop-by-hop
 * and destination options, the data of every option whose type says it
 * may change en route (the 0x20 bit) counts as zero. A routing header
 * would need its addresses rearranged as the receiver sees them; it is
 * refused.
 */
static int veil_ah_clear_options6(u8 *p, unsigned int len, u8 nexthdr)
{
	unsigned int off = sizeof(struct ipv6hdr);

	while (off < len) {
		unsigned int hlen, o;

		if (off + 2 > len)
			return -EINVAL;
		if (nexthdr != NEXTHDR_HOP && nexthdr != NEXTHDR_DEST)
			return -EINVAL;
		hlen = ipv6_optlen((struct ipv6_opt_hdr *)(p + off));
		if (off + hlen > len)
			return -EINVAL;
		for (o = off + 2; o < off + hlen;) {
			u8 type = p[o];

			if (type == IPV6_TLV_PAD1) {
				o++;
				continue;
			}
			if (o + 2 > off + hlen || o + 2 + p[o + 1] > off + hlen)
				return -EINVAL;
			if (type & 0x20)
				memset(p + o + 2, 0, p[o + 1]);
			o += 2 + p[o + 1];
		}
		nexthdr = p[off];
		off += hlen;
	}
	return off == len ? 0 : -EINVAL;
}

/*
 * Zero what may change in flight; skb->data at the IP header, @ihl bytes
 * of it (IPv6: with the extension headers) before AH.
 */
static int veil_ah_clear_mutable(struct sk_buff *skb, u16 family, unsigned int ihl)
{
	if (family == AF_INET) {
		struct iphdr *iph = ip_hdr(skb);

		iph->tos = 0;
		iph->frag_off = 0;
		iph->ttl = 0;
		iph->check = 0;
		return iph->ihl > 5 ? veil_ah_clear_options4(iph) : 0;
	}
	ip6_flow_hdr(ipv6_hdr(skb), 0, 0);
	ipv6_hdr(skb)->hop_limit = 0;
	if (ihl == sizeof(struct ipv6hdr))
		return 0;
	return veil_ah_clear_options6(skb->data, ihl, ipv6_hdr(skb)->nexthdr);
}

/*
 * Hash @skb from its IP header (skb->data) to its end, with ESN's high
 * half after it; the result lands in ctx->digest. Returns what
 * crypto_ahash_digest() returns; @done runs if that is -EINPROGRESS.
 */
static int veil_ah_hash(struct sk_buff *skb, struct veil_ah_ctx *ctx,
			struct ahash_request *req, struct scatterlist *sg, int nfrags,
			crypto_completion_t done)
{
	bool esn = ctx->sa->flags & VEIL_SA_FLAGS_ESN;
	int n;

	sg_init_table(sg, nfrags + esn);
	n = skb_to_sgvec_nomark(skb, sg, 0, skb->len);
	if (unlikely(n < 0))
		return n;
	if (esn) {
		ctx->seqhi = htonl(upper_32_bits(ctx->seq64));
		sg_set_buf(&sg[n], &ctx->seqhi, sizeof(ctx->seqhi));
		n++;
	}
	sg_mark_end(&sg[n - 1]);
	ahash_request_set_callback(req, 0, done, skb);
	ahash_request_set_crypt(req, sg, ctx->digest, skb->len + (esn ? 4 : 0));
	return crypto_ahash_digest(req);
}

/* --- input --- */

static void veil_ah_input_resume(struct sk_buff *skb, int err)
{
	struct veil_ah_ctx *ctx = VEIL_AH_CB(skb);
	struct veil_sa *sa = ctx->sa;
	unsigned int ahlen = ctx->ahlen;
	u64 seq64 = ctx->seq64;
	u8 nexthdr;

	if (!err && crypto_memneq(ctx->digest, ctx->icv, veil_ah_icv_len(sa)))
		err = -EBADMSG;
	memcpy(skb->data, ctx->header, ctx->ihl);
	__skb_pull(skb, ctx->ihl);
	kfree(ctx);

	if (err) {
		if (err == -EBADMSG)
			veil_esp_drop(sa, &sa->stats.integrity_failures,
				      VEIL_A_NET_STATS_INTEGRITY_FAILURES);
		else
			veil_esp_drop(sa, &sa->stats.other_drops, VEIL_A_NET_STATS_OTHER_DROPS);
		goto drop;
	}
	if (!veil_ipsec_replay_advance(sa, seq64))
		goto drop;
	nexthdr = ((struct ip_auth_hdr *)skb->data)->nexthdr;
	veil_ipsec_deliver(skb, sa, ahlen, nexthdr);
	goto out;
drop:
	kfree_skb(skb);
out:
	veil_sa_put(sa);
	veil_esp_inflight_put();
}

static void veil_ah_input_done(veil_crypto_cb_arg_t arg, int err)
{
	veil_ah_input_resume(veil_crypto_cb_data(arg), err);
}

/* Verify @skb, whose reference on @sa it takes over; consumes both. */
static void veil_ah_input(struct sk_buff *skb, struct veil_sa *sa, u16 family)
{
	unsigned int ihl = skb_network_header_len(skb), ahlen, icvlen = veil_ah_icv_len(sa);
	struct veil_ah_ctx *ctx;
	struct ahash_request *req;
	struct scatterlist *sg;
	struct sk_buff *trailer;
	struct ip_auth_hdr *ah;
	int nfrags, err;
	u64 seq64;

	if (ihl > sizeof(ctx->header))
		goto drop_other;
	if (!pskb_may_pull(skb, sizeof(*ah)))
		goto drop_other;
	ah = (struct ip_auth_hdr *)skb->data;
	ahlen = (ah->hdrlen + 2) << 2;
	/*
	 * Padded to 8 bytes, as ah4 and ah6 send it; for IPv4 also to 4, as
	 * RFC 4302 allows and ah4 sends with its align4 flag.
	 */
	if (ahlen != ALIGN(sizeof(*ah) + icvlen, 8) &&
	    (family != AF_INET || ahlen != ALIGN(sizeof(*ah) + icvlen, 4)))
		goto drop_other;
	if (!pskb_may_pull(skb, ahlen))
		goto drop_other;
	ah = (struct ip_auth_hdr *)skb->data;

	spin_lock_bh(&sa->lock);
	err = veil_replay_check(sa->replay, ntohl(ah->seq_no), &seq64);
	if (err)
		sa->stats.replay_drops++;
	spin_unlock_bh(&sa->lock);
	if (err) {
		veil_stat_inc(sa->vn, VEIL_A_NET_STATS_REPLAY_DROPS);
		goto drop;
	}

	skb_dst_force(skb);
	if (!skb_dst(skb))
		goto drop_other;
	nfrags = skb_cow_data(skb, 0, &trailer);
	if (nfrags < 0)
		goto drop_other;
	ctx = veil_ah_ctx_alloc(sa->ahash, nfrags + 1, &req, &sg);
	if (!ctx)
		goto drop_other;
	veil_esp_inflight_get();
	ctx->sa = sa;
	ctx->seq64 = seq64;
	ctx->ihl = ihl;
	ctx->ahlen = ahlen;
	VEIL_AH_CB(skb) = ctx;

	ah = (struct ip_auth_hdr *)skb->data;
	memcpy(ctx->icv, ah->auth_data, icvlen);
	/* Only the ICV is zeroed: padding after it counts as sent (ah4, ah6). */
	memset(ah->auth_data, 0, icvlen);
	__skb_push(skb, ihl);
	memcpy(ctx->header, skb->data, ihl);
	if (veil_ah_clear_mutable(skb, family, ihl)) {
		veil_ah_input_resume(skb, -EINVAL);
		return;
	}
	err = veil_ah_hash(skb, ctx, req, sg, nfrags, veil_ah_input_done);
	if (err == -EINPROGRESS)
		return;
	veil_ah_input_resume(skb, err);
	return;

drop_other:
	veil_esp_drop(sa, &sa->stats.other_drops, VEIL_A_NET_STATS_OTHER_DROPS);
drop:
	veil_sa_put(sa);
	kfree_skb(skb);
}

static struct veil_sa *veil_ah_sa(struct sk_buff *skb, u16 family)
{
	struct veil_sa_key key = { .family = family, .proto = IPPROTO_AH };
	struct veil_sa *sa;

	if (!pskb_may_pull(skb, sizeof(struct ip_auth_hdr)))
		return NULL;
	key.spi = ntohl(((struct ip_auth_hdr *)skb->data)->spi);
	if (family == AF_INET)
		key.dst.ip4 = ip_hdr(skb)->daddr;
	else
		key.dst.ip6 = ipv6_hdr(skb)->daddr;
	sa = veil_sa_lookup(veil_net(dev_net(skb->dev)), &key);
	if (!sa || !sa->ahash || !refcount_inc_not_zero(&sa->refcnt))
		return NULL;
	return sa;
}

static int veil_ah4_rcv(struct sk_buff *skb)
{
	struct veil_sa *sa = veil_ah_sa(skb, AF_INET);

	if (!sa)
		return -EINVAL;	/* not veil's: ah4's */
	veil_ah_input(skb, sa, AF_INET);
	return 0;
}

static int veil_ah6_rcv(struct sk_buff *skb)
{
	struct veil_sa *sa = veil_ah_sa(skb, AF_INET6);

	if (!sa)
		return -EINVAL;	/* not veil's: ah6's */
	veil_ah_input(skb, sa, AF_INET6);
	return 0;
}

static struct xfrm4_protocol veil_ah4_protocol = {
	.handler = veil_ah4_rcv,
	.input_handler = veil_ipsec_no_encap,
	.cb_handler = veil_ipsec_rcv_cb,
	.err_handler = veil_ipsec_err4,
	.priority = VEIL_IPSEC_PRIORITY,
};

static struct xfrm6_protocol veil_ah6_protocol = {
	.handler = veil_ah6_rcv,
	.input_handler = veil_ipsec_no_encap,
	.cb_handler = veil_ipsec_rcv_cb,
	.err_handler = veil_ipsec_err6,
	.priority = VEIL_IPSEC_PRIORITY,
};

/**
 * veil_ah_input_init() - start taking AH packets for veil's SAs
 *
 * Return: 0, or the error of xfrm4/6_protocol_register().
 */
int __init veil_ah_input_init(void)
{
	BUILD_BUG_ON(sizeof(struct inet6_skb_parm) + sizeof(void *) >
		     sizeof_field(struct sk_buff, cb));
	return veil_ipsec_protocol_register(&veil_ah4_protocol, &veil_ah6_protocol, IPPROTO_AH);
}

/**
 * veil_ah_input_uninit() - stop taking AH packets
 */
void veil_ah_input_uninit(void)
{
	veil_ipsec_protocol_deregister(&veil_ah4_protocol, &veil_ah6_protocol, IPPROTO_AH);
}

/* --- output --- */

static void veil_ah_output_resume(struct sk_buff *skb, int err)
{
	struct veil_ah_ctx *ctx = VEIL_AH_CB(skb);
	struct veil_sa *sa = ctx->sa;
	struct ip_auth_hdr *ah = (struct ip_auth_hdr *)(skb->data + ctx->ihl);

	memcpy(ah->auth_data, ctx->digest, veil_ah_icv_len(sa));
	memcpy(skb->data, ctx->header, ctx->ihl);
	kfree(ctx);
	if (unlikely(err)) {
		veil_esp_drop(sa, &sa->stats.other_drops, VEIL_A_NET_STATS_OTHER_DROPS);
		kfree_skb(skb);
	} else {
		veil_ipsec_xmit(skb, sa);
	}
	veil_sa_put(sa);
	veil_esp_inflight_put();
}

static void veil_ah_output_done(veil_crypto_cb_arg_t arg, int err)
{
	veil_ah_output_resume(veil_crypto_cb_data(arg), err);
}

/**
 * veil_ah_output() - protect one packet with AH and send it
 * @skb: the packet, skb->data at its IP header, no GSO, checksum done
 * @sa: an AH SA; its reference is taken over
 * @dst: tunnel mode: the route to the far end, whose reference is taken
 *	over; transport mode: the packet's own route
 * @seq: the packet's sequence number
 * @ihl: transport mode: bytes of IP header (IPv6: and extension headers)
 *	before where AH goes
 * @nhoff: transport mode, IPv6: where the byte naming AH goes, from the
 *	network header
 * @nexthdr: what AH is to name as next
 * @in: tunnel mode: what the outer header takes from the inner one
 *
 * Consumes @skb.
 */
void veil_ah_output(struct sk_buff *skb, struct veil_sa *sa, struct dst_entry *dst,
		    u64 seq, unsigned int ihl, int nhoff, u8 nexthdr,
		    const struct veil_inner *in)
{
	bool tunnel = sa->mode == VEIL_MODE_TUNNEL;
	unsigned int ahlen = veil_ah_len(sa);
	struct veil_ah_ctx *ctx;
	struct ahash_request *req;
	struct scatterlist *sg;
	struct sk_buff *trailer;
	struct ip_auth_hdr *ah;
	int nfrags, err;

	if (tunnel)
		ihl = sa->key.family == AF_INET ? sizeof(struct iphdr) : sizeof(struct ipv6hdr);
	if (ihl > sizeof(ctx->header))
		goto drop_dst;
	nfrags = skb_cow_data(skb, 0, &trailer);
	if (nfrags < 0 ||
	    skb_cow_head(skb, ahlen + (tunnel ? ihl : 0) + LL_RESERVED_SPACE(dst->dev)))
		goto drop_dst;

	if (tunnel) {
		ah = skb_push(skb, ahlen);
		skb_push(skb, ihl);
		skb_reset_network_header(skb);
		skb_dst_drop(skb);
		skb_dst_set(skb, dst);
		veil_ipsec_outer(skb, sa, dst, IPPROTO_AH, in);
	} else {
		skb_push(skb, ahlen);
		memmove(skb->data, skb->data + ahlen, ihl);
		skb_reset_network_header(skb);
		ah = (struct ip_auth_hdr *)(skb->data + ihl);
		if (sa->key.family == AF_INET) {
			ip_hdr(skb)->protocol = IPPROTO_AH;
			ip_hdr(skb)->tot_len = htons(skb->len);
		} else {
			skb_network_header(skb)[nhoff] = IPPROTO_AH;
			ipv6_hdr(skb)->payload_len = htons(skb->len - sizeof(struct ipv6hdr));
		}
	}
	skb_set_transport_header(skb, ihl);
	ah->nexthdr = nexthdr;
	ah->hdrlen = (ahlen >> 2) - 2;
	ah->reserved = 0;
	ah->spi = htonl(sa->key.spi);
	ah->seq_no = htonl(lower_32_bits(seq));
	memset(ah->auth_data, 0, ahlen - sizeof(*ah));

	ctx = veil_ah_ctx_alloc(sa->ahash, nfrags + 1, &req, &sg);
	if (!ctx)
		goto drop;
	veil_esp_inflight_get();
	ctx->sa = sa;
	ctx->seq64 = seq;
	ctx->ihl = ihl;
	ctx->ahlen = ahlen;
	VEIL_AH_CB(skb) = ctx;
	memcpy(ctx->header, skb->data, ihl);
	if (sa->key.family == AF_INET)
		ip_hdr(skb)->tot_len = htons(skb->len);
	if (veil_ah_clear_mutable(skb, sa->key.family, ihl)) {
		veil_ah_output_resume(skb, -EINVAL);
		return;
	}
	err = veil_ah_hash(skb, ctx, req, sg, nfrags, veil_ah_output_done);
	if (err == -EINPROGRESS)
		return;
	veil_ah_output_resume(skb, err);
	return;

drop_dst:
	if (tunnel)
		dst_release(dst);
drop:
	veil_esp_drop(sa, &sa->stats.other_drops, VEIL_A_NET_STATS_OTHER_DROPS);
	veil_sa_put(sa);
	kfree_skb(skb);
}

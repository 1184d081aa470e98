// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The veil authors. All Rights Reserved.
 *
 * Outbound ESP (RFC 4303 section 3.3), IPv4 and IPv6, transport and tunnel
 * mode.
 *
 * output.c decides that a packet is to be protected by an SA and lets the
 * packet pass the POST_ROUTING hooks as itself (so NAT and conntrack see
 * the cleartext, as with XFRM); then it comes here. A GSO packet is first
 * cut into segments, each with its checksum done, because each segment
 * becomes an ESP packet of its own. Then, per packet:
 *
 *  - the outer route: in transport mode the packet's own; in tunnel mode
 *    the route to the SA's destination, cached per SA and per CPU;
 *  - the path MTU: a forwarded packet that will not fit and must not be
 *    fragmented (IPv4 with DF, any IPv6) is answered with an ICMP "too
 *    big" that gives its sender the room left inside the tunnel, so TCP
 *    through a gateway settles on the right segment size; any other packet
 *    that will not fit goes out as fragments of the ESP packet. A local
 *    sender is never sent such an ICMP: in transport mode, and in tunnel
 *    mode between two hosts, the route the ESP packet takes is the one
 *    the cleartext took, and the MTU the ICMP would lower is the one the
 *    ESP packet needs (output.c clamps TCP's MSS instead);
 *  - sequence number, lifetime accounting, padding (1, 2, 3, ... to the
 *    cipher's block and 4 bytes), the ESP header, and in tunnel mode the
 *    new outer IPv4 or IPv6 header;
 *  - encryption and the ICV in one AEAD operation, in place, the IV made
 *    by the SA's IV generator from the sequence number, as esp4/esp6 do;
 *  - the ESP packet leaves through ip_local_out()/ip6_local_out(), so
 *    the firewall sees it at OUTPUT and POSTROUTING like XFRM's.
 *
 * Crypto may complete asynchronously: veil_esp_output_done() carries on.
 */

#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/udp.h>
#include <crypto/aead.h>
#include <net/dst.h>
#include <net/dst_cache.h>
#include <net/icmp.h>
#include <net/inet_ecn.h>
#include <net/ip.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/route.h>
#include <net/tcp.h>
#include <net/xfrm.h>

#include "ah.h"
#include "encap.h"
#include "esp.h"
#include "main.h"
#include "sa.h"
#include "uapi/linux/veil.h"

/*
 * skb->cb while a packet is being encrypted: the IP layer's control
 * block is not needed any more and is cleared before the packet leaves.
 */
struct veil_esp_out_cb {
	struct veil_esp_ctx *ctx;
	u16 esp_off;
};

#define VEIL_ESP_OUT_CB(skb) ((struct veil_esp_out_cb *)&(skb)->cb[0])

/* The length of the outer header tunnel mode adds for @sa. */
static unsigned int veil_esp_outer_len(const struct veil_sa *sa)
{
	return sa->key.family == AF_INET ? sizeof(struct iphdr) : sizeof(struct ipv6hdr);
}

/* The UDP header NAT traversal puts before the ESP header (RFC 3948). */
static unsigned int veil_esp_udp_len(const struct veil_sa *sa)
{
	return sa->encap.type ? sizeof(struct udphdr) : 0;
}

/* Cipher block rounded up to 4 bytes: what the encrypted part is a multiple of. */
static unsigned int veil_esp_block(const struct veil_sa *sa)
{
	return ALIGN(crypto_aead_blocksize(sa->tfm), 4);
}

/**
 * veil_esp_overhead() - bytes ESP (or AH) adds to @len bytes of payload
 * @sa: an ESP or AH SA
 * @len: the payload: the inner packet in tunnel mode, the data after the
 *	IP header in transport mode
 *
 * Return: UDP header with NAT traversal, ESP header, IV, padding, pad
 * length, next header and ICV; not the outer IP header of tunnel mode.
 */
unsigned int veil_esp_overhead(const struct veil_sa *sa, unsigned int len)
{
	if (sa->ahash)
		return veil_ah_len(sa);
	return veil_esp_udp_len(sa) + sizeof(struct ip_esp_hdr) + crypto_aead_ivsize(sa->tfm) +
	       ALIGN(len + 2, veil_esp_block(sa)) - len + crypto_aead_authsize(sa->tfm);
}

/**
 * veil_esp_max_payload() - the largest payload ESP (or AH) fits in @room bytes
 * @sa: an ESP or AH SA
 * @room: bytes after the (outer) IP header
 *
 * Return: the payload length, 0 when nothing fits.
 */
unsigned int veil_esp_max_payload(const struct veil_sa *sa, unsigned int room)
{
	unsigned int fixed;

	if (sa->ahash)
		return room > veil_ah_len(sa) ? room - veil_ah_len(sa) : 0;
	fixed = veil_esp_udp_len(sa) + sizeof(struct ip_esp_hdr) +
		crypto_aead_ivsize(sa->tfm) + crypto_aead_authsize(sa->tfm) + 2;
	if (room < fixed)
		return 0;
	return rounddown(room - fixed + 2, veil_esp_block(sa)) - 2;
}

/*
 * The route to the tunnel's far end, from the SA's per-CPU cache; with a
 * reference. Called with BHs off, as the cache wants.
 */
static struct dst_entry *veil_esp_tunnel_route(struct veil_sa *sa, struct net *net)
{
	struct dst_cache *cache = rcu_dereference(sa->route);
	struct dst_entry *dst;

	if (unlikely(!cache)) {
		cache = kmalloc(sizeof(*cache), GFP_ATOMIC);
		if (!cache)
			return ERR_PTR(-ENOMEM);
		if (dst_cache_init(cache, GFP_ATOMIC)) {
			kfree(cache);
			return ERR_PTR(-ENOMEM);
		}
		/* Another CPU may have been first: use its cache. */
		if (cmpxchg((struct dst_cache __force **)&sa->route, NULL, cache)) {
			dst_cache_destroy(cache);
			kfree(cache);
			cache = rcu_dereference(sa->route);
		}
	}

	if (sa->key.family == AF_INET) {
		struct flowi4 fl4 = {
			.daddr = sa->key.dst.ip4,
			.saddr = sa->src.ip4,
			.flowi4_proto = IPPROTO_ESP,
		};
		__be32 saddr;
		struct rtable *rt;

		rt = dst_cache_get_ip4(cache, &saddr);
		if (rt)
			return &rt->dst;
		/* No XFRM lookup: the ESP packet is not XFRM's to transform. */
		rt = ip_route_output_key_hash(net, &fl4, NULL);
		if (IS_ERR(rt))
			return ERR_CAST(rt);
		dst_cache_set_ip4(cache, &rt->dst, fl4.saddr);
		return &rt->dst;
	}

	{
		struct flowi6 fl6 = {
			.daddr = sa->key.dst.ip6,
			.saddr = sa->src.ip6,
			.flowi6_proto = IPPROTO_ESP,
		};
		struct in6_addr saddr;

		dst = dst_cache_get_ip6(cache, &saddr);
		if (dst)
			return dst;
		dst = ip6_route_output(net, NULL, &fl6);
		if (dst->error) {
			int err = dst->error;

			dst_release(dst);
			return ERR_PTR(err);
		}
		dst_cache_set_ip6(cache, dst, &fl6.saddr);
		return dst;
	}
}

/*
 * The largest inner packet that fits in @mtu once protected by @sa: for
 * tunnel mode the whole inner packet, for transport mode the packet with
 * an IP header of @ihl bytes.
 */
static unsigned int veil_esp_inner_mtu(const struct veil_sa *sa, unsigned int mtu,
				       unsigned int ihl)
{
	if (sa->mode == VEIL_MODE_TUNNEL) {
		if (mtu <= veil_esp_outer_len(sa))
			return 0;
		return veil_esp_max_payload(sa, mtu - veil_esp_outer_len(sa));
	}
	if (mtu <= ihl)
		return 0;
	return ihl + veil_esp_max_payload(sa, mtu - ihl);
}

/**
 * veil_esp_clamp_mss_in() - clamp a SYN that came out of @sa
 * @skb: the decrypted packet, skb->data at its IP header
 * @sa: the SA
 * @mtu: the MTU of the link the ESP packet came in on
 *
 * The answers take the same path back, through an SA of the same
 * algorithms: what fits one way fits the other.
 */
void veil_esp_clamp_mss_in(struct sk_buff *skb, const struct veil_sa *sa, unsigned int mtu)
{
	unsigned int ih = skb->protocol == htons(ETH_P_IP) ? sizeof(struct iphdr) :
			  sizeof(struct ipv6hdr);
	unsigned int inner = veil_esp_inner_mtu(sa, mtu, ih);

	if (inner > ih + sizeof(struct tcphdr))
		veil_esp_clamp_mss(skb, inner - ih - sizeof(struct tcphdr));
}

/*
 * @skb, forwarded, will not fit in @mtu and may not be fragmented on the
 * way: tell its sender how much room the tunnel leaves (RFC 4301 section
 * 8.2). Return: true when the packet is to be dropped for it.
 */
static bool veil_esp_too_big(struct sk_buff *skb, const struct veil_sa *sa,
			     unsigned int mtu, unsigned int ihl)
{
	unsigned int inner = veil_esp_inner_mtu(sa, mtu, ihl);

	if (skb->protocol == htons(ETH_P_IP)) {
		if (!(ip_hdr(skb)->frag_off & htons(IP_DF)))
			return false;
		icmp_send(skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED,
			  htonl(max(inner, 68U)));
		return true;
	}
	/*
	 * IPv6 links carry 1280 bytes whatever is below: a packet that fits
	 * in that goes out as ESP fragments rather than being refused.
	 */
	if (skb->len <= IPV6_MIN_MTU)
		return false;
	icmpv6_send(skb, ICMPV6_PKT_TOOBIG, 0, max(inner, (unsigned int)IPV6_MIN_MTU));
	return true;
}

/**
 * veil_esp_clamp_mss() - lower the MSS a TCP SYN offers
 * @skb: an IPv4 or IPv6 packet, skb->data at its IP header
 * @mss: the largest MSS that fits in the tunnel
 *
 * For SYNs entering an SA, and those coming out of one: both ends then
 * send segments that need neither fragments nor path MTU discovery, as
 * XFRM's smaller route MTU makes them do on its hosts. Only SYNs with the
 * TCP header right after the IP header are looked at; anything odd is
 * left alone.
 */
void veil_esp_clamp_mss(struct sk_buff *skb, unsigned int mss)
{
	unsigned int thoff, optlen, i;
	struct tcphdr *th;
	u8 *opt;

	if (skb->protocol == htons(ETH_P_IP)) {
		if (ip_hdr(skb)->protocol != IPPROTO_TCP || ip_is_fragment(ip_hdr(skb)))
			return;
		thoff = ip_hdrlen(skb);
	} else {
		if (ipv6_hdr(skb)->nexthdr != IPPROTO_TCP)
			return;
		thoff = sizeof(struct ipv6hdr);
	}
	if (!pskb_may_pull(skb, thoff + sizeof(*th)))
		return;
	th = (struct tcphdr *)(skb->data + thoff);
	if (!th->syn || th->doff * 4 <= sizeof(*th))
		return;
	optlen = th->doff * 4 - sizeof(*th);
	if (skb_ensure_writable(skb, thoff + th->doff * 4))
		return;
	th = (struct tcphdr *)(skb->data + thoff);
	opt = (u8 *)(th + 1);
	for (i = 0; i < optlen && opt[i] != TCPOPT_EOL;) {
		u16 old;

		if (opt[i] == TCPOPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= optlen || opt[i + 1] < 2 || i + opt[i + 1] > optlen)
			return;
		if (opt[i] != TCPOPT_MSS || opt[i + 1] != TCPOLEN_MSS) {
			i += opt[i + 1];
			continue;
		}
		old = opt[i + 2] << 8 | opt[i + 3];
		if (old <= mss)
			return;
		opt[i + 2] = mss >> 8;
		opt[i + 3] = mss & 0xff;
		/* At an odd offset the two bytes count swapped in the checksum. */
		if (i & 1)
			inet_proto_csum_replace2(&th->check, skb, (__force __be16)old,
						 (__force __be16)(u16)mss, false);
		else
			inet_proto_csum_replace2(&th->check, skb, htons(old), htons(mss), false);
		return;
	}
}

/* Sequence number for the next packet; false when the SA has run out. */
static bool veil_esp_next_seq(struct veil_sa *sa, u64 *seq)
{
	u64 limit = sa->flags & VEIL_SA_FLAGS_ESN ? U64_MAX : U32_MAX;
	s64 old = atomic64_read(&sa->oseq);

	do {
		if ((u64)old == limit) {
			veil_sa_exhaust(sa);
			return false;
		}
	} while (!atomic64_try_cmpxchg(&sa->oseq, &old, old + 1));
	*seq = old + 1;
	return true;
}

/* The ESP packet is ready: hand it to the IP layer as a local packet. */
/**
 * veil_ipsec_xmit() - send a finished ESP or AH packet
 * @skb: the packet, its outer IP header complete but for the IPv4 checksum
 * @sa: the SA that made it
 *
 * As a packet this host sends: the firewall sees it at OUTPUT and
 * POSTROUTING, and veil's own hook knows it by its SPI.
 */
void veil_ipsec_xmit(struct sk_buff *skb, struct veil_sa *sa)
{
	struct net *net = sa->vn->net;

	memset(skb->cb, 0, sizeof(skb->cb));
	nf_reset_ct(skb);
	/* Whatever the cleartext's checksum state was, the packet has none. */
	skb->ip_summed = CHECKSUM_NONE;
	if (sa->encap.type)
		veil_encap_udp_finish(skb, sa);
	if (sa->key.family == AF_INET) {
		ip_send_check(ip_hdr(skb));
		ip_local_out(net, skb->sk, skb);
	} else {
		ip6_local_out(net, skb->sk, skb);
	}
}

static void veil_esp_output_one(struct sk_buff *skb, struct veil_sa *sa, bool forwarded,
				struct veil_sa *then);

/*
 * The ESP packet is ready: hand it to the IP layer as a local packet, or,
 * in a bundle, to the outer SA (AH) first.
 */
static void veil_esp_output_finish(struct sk_buff *skb, int err)
{
	struct veil_esp_ctx *ctx = VEIL_ESP_OUT_CB(skb)->ctx;
	struct veil_sa *sa = ctx->sa, *then = ctx->then;
	bool forwarded = ctx->forwarded;

	kfree(ctx);
	if (unlikely(err)) {
		veil_esp_drop(sa, &sa->stats.other_drops, VEIL_A_NET_STATS_OTHER_DROPS);
		veil_sa_put(then);
		kfree_skb(skb);
	} else if (then) {
		memset(skb->cb, 0, sizeof(skb->cb));
		veil_esp_output_one(skb, then, forwarded, NULL);
	} else {
		veil_ipsec_xmit(skb, sa);
	}
	veil_sa_put(sa);
	veil_esp_inflight_put();
}

/* With ESN, the high half displaced 4 bytes before the header: put them back. */
static void veil_esp_output_resume(struct sk_buff *skb, int err)
{
	struct veil_esp_ctx *ctx = VEIL_ESP_OUT_CB(skb)->ctx;

	if (ctx->sa->flags & VEIL_SA_FLAGS_ESN) {
		struct ip_esp_hdr *esph = (void *)(skb->data + VEIL_ESP_OUT_CB(skb)->esp_off);

		*(__be32 *)((u8 *)esph - 4) = ctx->seqhi_save;
		esph->spi = htonl(ctx->sa->key.spi);
	}
	veil_esp_output_finish(skb, err);
}

static void veil_esp_output_done(veil_crypto_cb_arg_t arg, int err)
{
	veil_esp_output_resume(veil_crypto_cb_data(arg), err);
}

/**
 * veil_ipsec_outer() - tunnel mode: the outer header, as XFRM makes it
 * @skb: the packet, its network header reset to where the outer goes
 * @sa: the SA, whose addresses and family the header gets
 * @dst: the route to the tunnel's far end
 * @proto: IPPROTO_ESP or IPPROTO_AH
 * @in: the inner packet's DSCP and ECN, DF and flow label
 */
void veil_ipsec_outer(struct sk_buff *skb, const struct veil_sa *sa, struct dst_entry *dst,
		      u8 proto, const struct veil_inner *in)
{
	u8 tos = INET_ECN_encapsulate(in->dsfield, in->dsfield);

	if (sa->key.family == AF_INET) {
		struct iphdr *top = ip_hdr(skb);

		skb->protocol = htons(ETH_P_IP);
		top->version = 4;
		top->ihl = sizeof(*top) >> 2;
		top->tos = tos;
		top->tot_len = htons(skb->len);
		top->frag_off = in->df ? htons(IP_DF) : 0;
		top->ttl = ip4_dst_hoplimit(dst);
		top->protocol = proto;
		top->saddr = sa->src.ip4;
		top->daddr = sa->key.dst.ip4;
		ip_select_ident(dev_net(dst->dev), skb, NULL);
	} else {
		struct ipv6hdr *top = ipv6_hdr(skb);

		skb->protocol = htons(ETH_P_IPV6);
		ip6_flow_hdr(top, tos, in->flowlabel);
		top->payload_len = htons(skb->len - sizeof(*top));
		top->nexthdr = proto;
		top->hop_limit = ip6_dst_hoplimit(dst);
		top->saddr = sa->src.ip6;
		top->daddr = sa->key.dst.ip6;
	}
}

/*
 * Protect one packet (no GSO, checksum done) with @sa, whose reference it
 * takes over, and send it. skb->data is at the inner IP header.
 */
static void veil_esp_output_one(struct sk_buff *skb, struct veil_sa *sa, bool forwarded,
				struct veil_sa *then)
{
	struct crypto_aead *tfm = sa->tfm;
	unsigned int ivlen, icvlen, hlen, ulen = veil_esp_udp_len(sa);
	bool tunnel = sa->mode == VEIL_MODE_TUNNEL;
	bool inner4 = skb->protocol == htons(ETH_P_IP);
	unsigned int ihl, olen, plen, clen, padlen, tailen, mtu, assoclen, inner, i;
	struct dst_entry *dst;
	struct veil_esp_ctx *ctx;
	struct aead_request *req;
	struct scatterlist *sg;
	struct sk_buff *trailer;
	struct ip_esp_hdr *esph;
	int nhoff = -1, nfrags, err;
	struct veil_inner in = { 0 };
	u8 nexthdr, oproto, *tail, *iv, *prevhdr;
	bool frag = false;
	__be64 seqbe;
	u64 seq;

	if (inner4) {
		in.dsfield = ipv4_get_dsfield(ip_hdr(skb));
		in.df = ip_hdr(skb)->frag_off & htons(IP_DF);
	} else {
		in.dsfield = ipv6_get_dsfield(ipv6_hdr(skb));
		in.flowlabel = ip6_flowlabel(ipv6_hdr(skb));
	}

	if (tunnel) {
		ihl = 0;
		olen = veil_esp_outer_len(sa);
		nexthdr = inner4 ? IPPROTO_IPIP : IPPROTO_IPV6;
		local_bh_disable();
		dst = veil_esp_tunnel_route(sa, sa->vn->net);
		local_bh_enable();
		if (IS_ERR(dst))
			goto drop_other;
	} else {
		if (inner4) {
			ihl = ip_hdrlen(skb);
			nexthdr = ip_hdr(skb)->protocol;
		} else {
			err = ip6_find_1stfragopt(skb, &prevhdr);
			if (err < 0)
				goto drop_other;
			ihl = err;
			nhoff = prevhdr - skb_network_header(skb);
			nexthdr = *prevhdr;
		}
		olen = ihl;
		/* Crypto may finish after this context: keep the route. */
		skb_dst_force(skb);
		dst = skb_dst(skb);
		if (!dst)
			goto drop_other;
	}
	mtu = dst_mtu(dst);
	inner = inner4 ? sizeof(struct iphdr) : sizeof(struct ipv6hdr);
	if (mtu > inner + sizeof(struct tcphdr)) {
		inner = veil_esp_inner_mtu(sa, mtu, tunnel ? 0 : inner) - inner;
		if (inner > sizeof(struct tcphdr))
			veil_esp_clamp_mss(skb, inner - sizeof(struct tcphdr));
	}
	if (skb->ip_summed == CHECKSUM_PARTIAL && skb_checksum_help(skb))
		goto drop_dst_other;

	plen = skb->len - ihl;
	if (olen + plen + veil_esp_overhead(sa, plen) > mtu) {
		if (forwarded && veil_esp_too_big(skb, sa, mtu, ihl)) {
			veil_esp_drop(sa, NULL, VEIL_A_NET_STATS_TOO_BIG);
			goto drop_dst;
		}
		frag = true;
	}

	/* RFC 4301 8.1: the outer DF from an IPv4 inner header, cleared to fragment. */
	in.df = in.df && !frag;
	if (veil_sa_account(sa, plen) || !veil_esp_next_seq(sa, &seq)) {
		veil_esp_drop(sa, NULL, VEIL_A_NET_STATS_EXPIRED);
		goto drop_dst;
	}
	veil_stat_inc(sa->vn, VEIL_A_NET_STATS_OUT_PACKETS);
	veil_stat_add(sa->vn, VEIL_A_NET_STATS_OUT_BYTES, plen);

	if (sa->ahash) {
		/* In a bundle AH is the outer SA. */
		if (then)
			goto drop_dst_other;
		if (frag)
			skb->ignore_df = 1;
		if (!tunnel && inner4 && frag)
			ip_hdr(skb)->frag_off &= ~htons(IP_DF);
		veil_ah_output(skb, sa, dst, seq, ihl, nhoff, nexthdr, &in);
		return;
	}

	ivlen = crypto_aead_ivsize(tfm);
	icvlen = crypto_aead_authsize(tfm);
	hlen = sizeof(struct ip_esp_hdr) + ivlen;

	clen = ALIGN(plen + 2, veil_esp_block(sa));
	padlen = clen - plen - 2;
	tailen = padlen + 2 + icvlen;
	nfrags = skb_cow_data(skb, tailen, &trailer);
	if (nfrags < 0)
		goto drop_dst_other;
	tail = pskb_put(skb, trailer, tailen);
	for (i = 0; i < padlen; i++)
		tail[i] = i + 1;
	tail[padlen] = padlen;
	tail[padlen + 1] = nexthdr;

	if (skb_cow_head(skb, ulen + hlen + (tunnel ? olen : 0) + LL_RESERVED_SPACE(dst->dev)))
		goto drop_dst_other;

	oproto = ulen ? IPPROTO_UDP : IPPROTO_ESP;
	if (tunnel) {
		esph = skb_push(skb, hlen);
		skb_push(skb, ulen + olen);
		skb_reset_network_header(skb);
		skb_dst_drop(skb);
		skb_dst_set(skb, dst);
		veil_ipsec_outer(skb, sa, dst, oproto, &in);
	} else {
		skb_push(skb, ulen + hlen);
		memmove(skb->data, skb->data + ulen + hlen, ihl);
		skb_reset_network_header(skb);
		esph = (struct ip_esp_hdr *)(skb->data + ihl + ulen);
		if (inner4) {
			struct iphdr *iph = ip_hdr(skb);

			iph->protocol = oproto;
			iph->tot_len = htons(skb->len);
			if (frag)
				iph->frag_off &= ~htons(IP_DF);
		} else {
			skb_network_header(skb)[nhoff] = oproto;
			ipv6_hdr(skb)->payload_len = htons(skb->len - sizeof(struct ipv6hdr));
		}
	}
	skb_set_transport_header(skb, (u8 *)esph - ulen - skb->data);
	if (ulen) {
		struct udphdr *uh = udp_hdr(skb);

		/* Length and checksum once encrypted: veil_encap_udp_finish(). */
		uh->source = htons(sa->encap.sport);
		uh->dest = htons(sa->encap.dport);
		uh->len = 0;
		uh->check = 0;
	}
	if (frag)
		skb->ignore_df = 1;

	ctx = veil_esp_ctx_alloc(tfm, nfrags);
	if (!ctx)
		goto drop_other;
	veil_esp_inflight_get();
	ctx->sa = sa;
	ctx->seq64 = seq;
	ctx->forwarded = forwarded;
	ctx->then = then;
	VEIL_ESP_OUT_CB(skb)->ctx = ctx;
	VEIL_ESP_OUT_CB(skb)->esp_off = (u8 *)esph - skb->data;
	iv = veil_esp_ctx_iv(tfm, ctx);
	req = veil_esp_ctx_req(tfm, iv);
	sg = veil_esp_req_sg(tfm, req);

	/* The IV generator makes the IV from this: the sequence number. */
	memset(iv, 0, ivlen);
	seqbe = cpu_to_be64(seq);
	memcpy(iv + ivlen - min(ivlen, 8U), (u8 *)&seqbe + 8 - min(ivlen, 8U), min(ivlen, 8U));

	esph->spi = htonl(sa->key.spi);
	esph->seq_no = htonl(lower_32_bits(seq));
	assoclen = sizeof(*esph);
	if (sa->flags & VEIL_SA_FLAGS_ESN) {
		/* SPI, high half, low half, as for input (RFC 4303 2.2.1). */
		__be32 *before = (__be32 *)esph - 1;

		ctx->seqhi_save = *before;
		*before = esph->spi;
		esph->spi = htonl(upper_32_bits(seq));
		esph = (struct ip_esp_hdr *)before;
		assoclen += 4;
	}

	sg_init_table(sg, nfrags);
	err = skb_to_sgvec(skb, sg, (u8 *)esph - skb->data, assoclen + ivlen + clen + icvlen);
	if (unlikely(err < 0)) {
		veil_esp_output_resume(skb, err);
		return;
	}
	aead_request_set_callback(req, 0, veil_esp_output_done, skb);
	aead_request_set_crypt(req, sg, sg, ivlen + clen, iv);
	aead_request_set_ad(req, assoclen);
	err = crypto_aead_encrypt(req);
	if (err == -EINPROGRESS)
		return;
	veil_esp_output_resume(skb, err);
	return;

drop_dst_other:
	veil_esp_drop(sa, &sa->stats.other_drops, VEIL_A_NET_STATS_OTHER_DROPS);
drop_dst:
	/* Tunnel mode: the outer route, not yet the packet's. */
	if (tunnel)
		dst_release(dst);
	goto drop;
drop_other:
	veil_esp_drop(sa, &sa->stats.other_drops, VEIL_A_NET_STATS_OTHER_DROPS);
drop:
	veil_sa_put(then);
	veil_sa_put(sa);
	kfree_skb(skb);
}

/**
 * veil_esp_output() - protect @skb with @sa and send it
 * @skb: an IPv4 or IPv6 packet, skb->data at its IP header, with the
 *	route it was given; GSO packets are segmented here
 * @sa: an ESP or AH SA of this namespace; the caller's reference is taken
 *	over
 * @forwarded: @skb is being forwarded rather than sent by this host
 * @then: in a bundle, the AH SA to apply to the ESP packet @sa makes, with
 *	a reference that is taken over; NULL for none
 *
 * Consumes @skb. Any context.
 */
void veil_esp_output(struct sk_buff *skb, struct veil_sa *sa, bool forwarded,
		     struct veil_sa *then)
{
	struct sk_buff *segs, *next;

	if (!skb_is_gso(skb)) {
		veil_esp_output_one(skb, sa, forwarded, then);
		return;
	}

	/* No offloads: each segment comes back with its checksum done. */
	segs = skb_gso_segment(skb, 0);
	if (IS_ERR_OR_NULL(segs)) {
		veil_esp_drop(sa, &sa->stats.other_drops, VEIL_A_NET_STATS_OTHER_DROPS);
		veil_sa_put(then);
		veil_sa_put(sa);
		kfree_skb(skb);
		return;
	}
	consume_skb(skb);
	skb_list_walk_safe(segs, skb, next) {
		skb_mark_not_on_list(skb);
		refcount_inc(&sa->refcnt);
		if (then)
			refcount_inc(&then->refcnt);
		veil_esp_output_one(skb, sa, forwarded, then);
	}
	veil_sa_put(then);
	veil_sa_put(sa);
}

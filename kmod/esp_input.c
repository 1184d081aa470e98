// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The veil authors. All Rights Reserved.
 *
 * Inbound ESP (RFC 4303 section 3.4), IPv4 and IPv6.
 *
 * veil takes ESP from the kernel's own demultiplexers for IP protocol 50
 * (xfrm4_protocol and xfrm6_protocol), registered above esp4, esp6 and
 * vti: a packet whose (destination, SPI) is in veil's SAD is veil's, any
 * other goes on to the kernel's XFRM untouched, so both work side by side.
 * The handlers run after reassembly, in softirq, under rcu_read_lock().
 *
 * Order of checks, as RFC 4303 section 3.4 asks: the replay window first
 * (cheap, and it gives the ESN high half the ICV covers), then integrity
 * and decryption in one AEAD operation, then the window is advanced, then
 * the padding and next header are checked. Crypto may complete
 * asynchronously; veil_esp_input_done() carries on either way.
 *
 * The cleartext is then handed back to the stack with netif_rx(), as a
 * packet received again on the same device: in transport mode the IP
 * header is moved over the ESP header and its protocol set to the next
 * header; in tunnel mode the inner packet is what is received. Either way
 * it is routed, filtered and delivered (or forwarded) like any packet,
 * from any context the crypto completion runs in.
 */

#include <linux/ip.h>
#include <linux/netdevice.h>
#include <linux/udp.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <crypto/aead.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/xfrm.h>

#include "dev.h"
#include "encap.h"
#include "esp.h"
#include "input.h"
#include "main.h"
#include "replay.h"
#include "sa.h"
#include "uapi/linux/veil.h"

/*
 * skb->cb while a packet is being decrypted: the IP layer's control block
 * stays where it is, as it is when XFRM decrypts.
 */
struct veil_esp_skb_cb {
	union {
		struct inet_skb_parm h4;
		struct inet6_skb_parm h6;
	} header;
	struct veil_esp_ctx *ctx;
};

#define VEIL_ESP_SKB_CB(skb) ((struct veil_esp_skb_cb *)&(skb)->cb[0])

/*
 * RFC 4303 section 2.4: padding bytes, when the sender used the default,
 * are 1, 2, 3, ...; a receiver checks them. The pad length byte and the
 * next header follow, then the ICV.
 * Return: the next header, or -EINVAL when the trailer is not well formed.
 */
static int veil_esp_trailer(struct sk_buff *skb, unsigned int hlen, unsigned int alen)
{
	u8 tail[2], pad[255];
	unsigned int elen = skb->len - hlen, i;

	if (skb_copy_bits(skb, skb->len - alen - 2, tail, 2))
		return -EINVAL;
	if (tail[0] + 2 + alen > elen)
		return -EINVAL;
	if (tail[0] && skb_copy_bits(skb, skb->len - alen - 2 - tail[0], pad, tail[0]))
		return -EINVAL;
	for (i = 0; i < tail[0]; i++)
		if (pad[i] != i + 1)
			return -EINVAL;
	if (pskb_trim(skb, skb->len - alen - 2 - tail[0]))
		return -EINVAL;
	return tail[1];
}

/*
 * Transport mode: the IP header (IPv6: with the extension headers before
 * ESP) moves over the ESP header and IV, and names the next header.
 */
static int veil_esp_transport(struct sk_buff *skb, unsigned int hlen, u8 nexthdr,
			      u16 family)
{
	/* skb->data is at the ESP header, the network header before it. */
	unsigned int ihl = skb_network_header_len(skb);
	/* IPv6: where the byte that said "ESP" is, from the network header. */
	u16 nhoff = family == AF_INET6 ? IP6CB(skb)->nhoff : 0;

	memmove(skb_network_header(skb) + hlen, skb_network_header(skb), ihl);
	__skb_pull(skb, hlen);
	skb_set_network_header(skb, -(int)ihl);
	skb_reset_transport_header(skb);
	__skb_push(skb, ihl);
	if (family == AF_INET) {
		struct iphdr *iph = ip_hdr(skb);

		iph->protocol = nexthdr;
		iph->tot_len = htons(skb->len);
		ip_send_check(iph);
		skb->protocol = htons(ETH_P_IP);
	} else {
		skb_network_header(skb)[nhoff] = nexthdr;
		ipv6_hdr(skb)->payload_len = htons(skb->len - sizeof(struct ipv6hdr));
		skb->protocol = htons(ETH_P_IPV6);
	}
	return 0;
}

/* Tunnel mode: the inner packet, IPv4 or IPv6, is what was received. */
static int veil_esp_tunnel(struct sk_buff *skb, unsigned int hlen, u8 nexthdr)
{
	__skb_pull(skb, hlen);
	skb_reset_network_header(skb);
	skb_reset_transport_header(skb);
	switch (nexthdr) {
	case IPPROTO_IPIP:
		if (!pskb_may_pull(skb, sizeof(struct iphdr)) || ip_hdr(skb)->version != 4)
			return -EINVAL;
		skb->protocol = htons(ETH_P_IP);
		return 0;
	case IPPROTO_IPV6:
		if (!pskb_may_pull(skb, sizeof(struct ipv6hdr)) || ipv6_hdr(skb)->version != 6)
			return -EINVAL;
		skb->protocol = htons(ETH_P_IPV6);
		return 0;
	}
	return -EINVAL;
}

/**
 * veil_ipsec_deliver() - hand a verified, decrypted packet back to the stack
 * @skb: the packet, skb->data at the ESP or AH header, trailer removed
 * @sa: the SA it came through; the caller keeps its reference
 * @hlen: bytes of ESP or AH header (and IV) at skb->data
 * @nexthdr: what follows them
 *
 * Counts the packet against the SA's lifetimes, removes the IPsec header
 * (transport mode) or the outer packet (tunnel mode), clamps a TCP SYN's
 * MSS, marks the packet with its SA for the inbound policy check and
 * queues it with netif_rx(). Consumes @skb.
 */
void veil_ipsec_deliver(struct sk_buff *skb, struct veil_sa *sa, unsigned int hlen, u8 nexthdr)
{
	unsigned int len = skb->len - hlen;
	int err;

	if (veil_sa_account(sa, len)) {
		veil_esp_drop(sa, NULL, VEIL_A_NET_STATS_EXPIRED);
		goto drop;
	}
	if (sa->mode == VEIL_MODE_TUNNEL)
		err = veil_esp_tunnel(skb, hlen, nexthdr);
	else
		err = veil_esp_transport(skb, hlen, nexthdr, sa->key.family);
	if (err) {
		veil_esp_drop(sa, &sa->stats.other_drops, VEIL_A_NET_STATS_OTHER_DROPS);
		goto drop;
	}

	veil_esp_clamp_mss_in(skb, sa, READ_ONCE(skb->dev->mtu));

	/* A new packet as far as the stack goes: no route, no conntrack. */
	skb_dst_drop(skb);
	nf_reset_ct(skb);
	/* Tunnel mode with an interface id: received on that veil interface. */
	rcu_read_lock();	/* the interface stays until netif_rx() queued */
	if (sa->if_id && sa->mode == VEIL_MODE_TUNNEL) {
		struct net_device *dev = veil_dev_lookup(sa->vn, sa->if_id);

		if (!dev) {
			rcu_read_unlock();
			veil_esp_drop(sa, &sa->stats.other_drops, VEIL_A_NET_STATS_OTHER_DROPS);
			goto drop;
		}
		veil_dev_receive(skb, dev);
	}
	skb->pkt_type = PACKET_HOST;
	skb->ip_summed = CHECKSUM_NONE;
	if (sa->encap.type && sa->mode == VEIL_MODE_TRANSPORT &&
	    !veil_encap_csum_fixed(skb, sa, nexthdr))
		skb->ip_summed = CHECKSUM_UNNECESSARY;
	/* cb cleared, but for the marks the SPD check reads (input.c). */
	veil_input_mark(skb, sa);
	veil_stat_inc(sa->vn, VEIL_A_NET_STATS_IN_PACKETS);
	veil_stat_add(sa->vn, VEIL_A_NET_STATS_IN_BYTES, len);
	netif_rx(skb);
	rcu_read_unlock();
	return;
drop:
	kfree_skb(skb);
}

static void veil_esp_input_finish(struct sk_buff *skb, int err)
{
	struct veil_esp_ctx *ctx = VEIL_ESP_SKB_CB(skb)->ctx;
	struct veil_sa *sa = ctx->sa;
	struct crypto_aead *tfm = sa->tfm;
	unsigned int hlen = sizeof(struct ip_esp_hdr) + crypto_aead_ivsize(tfm);
	u64 seq64 = ctx->seq64;
	int nexthdr;

	kfree(ctx);
	if (err == -EBADMSG) {
		veil_esp_drop(sa, &sa->stats.integrity_failures,
			      VEIL_A_NET_STATS_INTEGRITY_FAILURES);
		goto drop;
	}
	if (err) {
		veil_esp_drop(sa, &sa->stats.other_drops, VEIL_A_NET_STATS_OTHER_DROPS);
		goto drop;
	}

	if (!veil_ipsec_replay_advance(sa, seq64))
		goto drop;

	nexthdr = veil_esp_trailer(skb, hlen, crypto_aead_authsize(tfm));
	if (nexthdr < 0 || nexthdr == IPPROTO_NONE) {
		/* Bad padding; or a dummy packet (RFC 4303 2.6), dropped quietly. */
		if (nexthdr < 0)
			veil_esp_drop(sa, &sa->stats.bad_padding, VEIL_A_NET_STATS_BAD_PADDING);
		goto drop;
	}
	veil_ipsec_deliver(skb, sa, hlen, nexthdr);
	veil_sa_put(sa);
	veil_esp_inflight_put();
	return;
drop:
	veil_sa_put(sa);
	kfree_skb(skb);
	veil_esp_inflight_put();
}

/* With ESN, the high half went in before the sequence number; undo it. */
static void veil_esp_restore_header(struct sk_buff *skb)
{
	struct veil_esp_ctx *ctx = VEIL_ESP_SKB_CB(skb)->ctx;
	struct ip_esp_hdr *esph = (struct ip_esp_hdr *)skb->data;

	esph->seq_no = esph->spi;
	esph->spi = ctx->seqhi_save;
	__skb_pull(skb, 4);
}

static void veil_esp_input_resume(struct sk_buff *skb, int err)
{
	if (VEIL_ESP_SKB_CB(skb)->ctx->sa->flags & VEIL_SA_FLAGS_ESN)
		veil_esp_restore_header(skb);
	veil_esp_input_finish(skb, err);
}

/* The crypto API's completion, when decryption went asynchronous. */
static void veil_esp_input_done(veil_crypto_cb_arg_t arg, int err)
{
	veil_esp_input_resume(veil_crypto_cb_data(arg), err);
}

/*
 * Decrypt and verify @skb, which holds a reference on @sa, then hand it on
 * (veil_esp_input_finish()). Always consumes @skb and the reference.
 */
static void veil_esp_input(struct sk_buff *skb, struct veil_sa *sa)
{
	struct crypto_aead *tfm = sa->tfm;
	unsigned int ivlen = crypto_aead_ivsize(tfm);
	unsigned int assoclen = sizeof(struct ip_esp_hdr);
	bool esn = sa->flags & VEIL_SA_FLAGS_ESN;
	struct veil_esp_ctx *ctx;
	struct aead_request *req;
	struct scatterlist *sg;
	struct sk_buff *trailer;
	struct ip_esp_hdr *esph;
	int elen, nfrags, err;
	u64 seq64;
	u8 *iv;

	if (!pskb_may_pull(skb, sizeof(*esph) + ivlen))
		goto drop_other;
	elen = skb->len - sizeof(*esph) - ivlen;
	if (elen < (int)crypto_aead_authsize(tfm) + 2)
		goto drop_other;
	esph = (struct ip_esp_hdr *)skb->data;

	spin_lock_bh(&sa->lock);
	err = veil_replay_check(sa->replay, ntohl(esph->seq_no), &seq64);
	if (err)
		sa->stats.replay_drops++;
	spin_unlock_bh(&sa->lock);
	if (err) {
		veil_stat_inc(sa->vn, VEIL_A_NET_STATS_REPLAY_DROPS);
		goto drop;
	}

	/* The completion may run after this softirq: keep the route. */
	skb_dst_force(skb);
	if (!skb_dst(skb))
		goto drop_other;

	if (!skb_cloned(skb) && !skb_is_nonlinear(skb)) {
		nfrags = 1;
	} else if (!skb_cloned(skb) && !skb_has_frag_list(skb) &&
		   !skb_has_shared_frag(skb)) {
		nfrags = skb_shinfo(skb)->nr_frags + 1;
	} else {
		nfrags = skb_cow_data(skb, 0, &trailer);
		if (nfrags < 0)
			goto drop_other;
	}

	ctx = veil_esp_ctx_alloc(tfm, nfrags);
	if (!ctx)
		goto drop_other;
	veil_esp_inflight_get();
	ctx->sa = sa;
	ctx->seq64 = seq64;
	VEIL_ESP_SKB_CB(skb)->ctx = ctx;
	iv = veil_esp_ctx_iv(tfm, ctx);
	req = veil_esp_ctx_req(tfm, iv);
	sg = veil_esp_req_sg(tfm, req);

	if (esn) {
		/*
		 * The ICV covers SPI, high half, low half: move the SPI back
		 * four bytes and put the high half between (RFC 4303 2.2.1),
		 * the layout authencesn and rfc4106 expect.
		 */
		esph = skb_push(skb, 4);
		ctx->seqhi_save = esph->spi;
		esph->spi = esph->seq_no;
		esph->seq_no = htonl(upper_32_bits(seq64));
		assoclen += 4;
	}

	sg_init_table(sg, nfrags);
	err = skb_to_sgvec(skb, sg, 0, skb->len);
	if (unlikely(err < 0)) {
		if (esn)
			veil_esp_restore_header(skb);
		kfree(ctx);
		veil_esp_inflight_put();
		goto drop_other;
	}

	aead_request_set_callback(req, 0, veil_esp_input_done, skb);
	aead_request_set_crypt(req, sg, sg, elen + ivlen, iv);
	aead_request_set_ad(req, assoclen);
	err = crypto_aead_decrypt(req);
	if (err == -EINPROGRESS)
		return;
	veil_esp_input_resume(skb, err);
	return;

drop_other:
	veil_esp_drop(sa, &sa->stats.other_drops, VEIL_A_NET_STATS_OTHER_DROPS);
drop:
	veil_sa_put(sa);
	kfree_skb(skb);
}

/*
 * The SA @skb is for, with a reference, or NULL when it is not veil's.
 * Called under rcu_read_lock(), as protocol handlers are.
 */
static struct veil_sa *veil_esp_sa(struct sk_buff *skb, u16 family)
{
	struct veil_sa_key key = { .family = family, .proto = IPPROTO_ESP };
	const struct ip_esp_hdr *esph;
	struct veil_sa *sa;

	if (!pskb_may_pull(skb, sizeof(*esph)))
		return NULL;
	esph = (const struct ip_esp_hdr *)skb->data;
	key.spi = ntohl(esph->spi);
	if (family == AF_INET)
		key.dst.ip4 = ip_hdr(skb)->daddr;
	else
		key.dst.ip6 = ipv6_hdr(skb)->daddr;
	sa = veil_sa_lookup(veil_net(dev_net(skb->dev)), &key);
	if (!sa || !sa->tfm || !refcount_inc_not_zero(&sa->refcnt))
		return NULL;
	return sa;
}

/*
 * ESP, plain or (@encap_type UDP_ENCAP_ESPINUDP) taken off a UDP socket.
 * An SA takes only what it was made for: UDP-encapsulated ESP when it has
 * encap, plain ESP when not, as a peer sends either one or the other.
 * Return: 0 when the packet was veil's, -EINVAL to pass it on to XFRM.
 */
static int veil_esp_rcv(struct sk_buff *skb, u16 family, int encap_type)
{
	struct veil_sa *sa = veil_esp_sa(skb, family);

	if (!sa)
		return -EINVAL;	/* not veil's: the next handler's (esp4/esp6) */
	if (!sa->encap.type != !encap_type) {
		veil_esp_drop(sa, &sa->stats.other_drops, VEIL_A_NET_STATS_OTHER_DROPS);
		goto drop;
	}
	if (encap_type && veil_encap_udp_strip(skb, family)) {
		veil_esp_drop(sa, &sa->stats.other_drops, VEIL_A_NET_STATS_OTHER_DROPS);
		goto drop;
	}
	veil_esp_input(skb, sa);
	return 0;
drop:
	veil_sa_put(sa);
	kfree_skb(skb);
	return 0;
}

static int veil_esp4_rcv(struct sk_buff *skb)
{
	return veil_esp_rcv(skb, AF_INET, 0);
}

static int veil_esp6_rcv(struct sk_buff *skb)
{
	return veil_esp_rcv(skb, AF_INET6, 0);
}

/*
 * From xfrm4_rcv_encap()/xfrm6_rcv_encap(): ESP-in-UDP off veil's sockets
 * and XFRM's (encap.c), skb->data at the ESP header. TCP encapsulation
 * (RFC 8229) is not veil's.
 */
static int veil_esp4_encap_rcv(struct sk_buff *skb, int nexthdr, __be32 spi, int encap_type)
{
	if (encap_type != UDP_ENCAP_ESPINUDP)
		return -EINVAL;
	return veil_esp_rcv(skb, AF_INET, encap_type);
}

static int veil_esp6_encap_rcv(struct sk_buff *skb, int nexthdr, __be32 spi, int encap_type)
{
	if (encap_type != UDP_ENCAP_ESPINUDP)
		return -EINVAL;
	return veil_esp_rcv(skb, AF_INET6, encap_type);
}

static struct xfrm4_protocol veil_esp4_protocol = {
	.handler = veil_esp4_rcv,
	.input_handler = veil_esp4_encap_rcv,
	.cb_handler = veil_ipsec_rcv_cb,
	.err_handler = veil_ipsec_err4,
	.priority = VEIL_IPSEC_PRIORITY,
};

static struct xfrm6_protocol veil_esp6_protocol = {
	.handler = veil_esp6_rcv,
	.input_handler = veil_esp6_encap_rcv,
	.cb_handler = veil_ipsec_rcv_cb,
	.err_handler = veil_ipsec_err6,
	.priority = VEIL_IPSEC_PRIORITY,
};

/**
 * veil_esp_input_init() - start taking ESP packets for veil's SAs
 *
 * Return: 0, or the error of xfrm4/6_protocol_register().
 */
int __init veil_esp_input_init(void)
{
	BUILD_BUG_ON(sizeof(struct veil_esp_skb_cb) > sizeof_field(struct sk_buff, cb));
	return veil_ipsec_protocol_register(&veil_esp4_protocol, &veil_esp6_protocol,
					    IPPROTO_ESP);
}

/**
 * veil_esp_input_uninit() - stop taking ESP packets
 *
 * Then waits for the packets still being decrypted, whose completions
 * run module code.
 */
void veil_esp_input_uninit(void)
{
	veil_ipsec_protocol_deregister(&veil_esp4_protocol, &veil_esp6_protocol, IPPROTO_ESP);
	veil_esp_inflight_wait();
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The veil authors. All Rights Reserved.
 */

#ifndef _VEIL_ESP_H
#define _VEIL_ESP_H

#include <linux/types.h>

struct aead_request;
struct inet6_skb_parm;
struct xfrm4_protocol;
struct xfrm6_protocol;
struct dst_entry;
struct crypto_aead;
struct scatterlist;
struct sk_buff;
struct veil_sa;

/**
 * struct veil_esp_ctx - one packet's encryption or decryption, allocated
 *	with its crypto request (veil_esp_ctx_alloc())
 * @sa: the SA, holding a reference until the packet is done
 * @seq64: the packet's full sequence number
 * @seqhi_save: with ESN, the 4 bytes before the ESP header that the high
 *	half of the sequence number displaces while the ICV is computed
 * @forwarded: output: the packet is being forwarded, not sent by this host
 * @then: output, in a bundle: the AH SA to apply next, with a reference
 */
struct veil_esp_ctx {
	struct veil_sa *sa;
	u64 seq64;
	__be32 seqhi_save;
	bool forwarded;
	struct veil_sa *then;
};

/**
 * struct veil_inner - what a tunnel's outer header takes from the inner one
 * @dsfield: DSCP and ECN
 * @flowlabel: the IPv6 flow label, for an IPv6 outer header; 0 otherwise
 * @df: set DF in an IPv4 outer header
 */
struct veil_inner {
	u8 dsfield;
	__be32 flowlabel;
	bool df;
};

struct veil_esp_ctx *veil_esp_ctx_alloc(struct crypto_aead *tfm, int nfrags);
u8 *veil_esp_ctx_iv(struct crypto_aead *tfm, struct veil_esp_ctx *ctx);
struct aead_request *veil_esp_ctx_req(struct crypto_aead *tfm, u8 *iv);
struct scatterlist *veil_esp_req_sg(struct crypto_aead *tfm, struct aead_request *req);
void veil_esp_inflight_get(void);
void veil_esp_inflight_put(void);
void veil_esp_inflight_wait(void);
void veil_esp_drop(struct veil_sa *sa, u64 *counter, unsigned int net_stat);

/*
 * veil's ESP and AH handlers come ahead of esp4/esp6/ah4/ah6 (0) and vti
 * (100), which see what veil passes on.
 */
#define VEIL_IPSEC_PRIORITY 200

bool veil_ipsec_replay_advance(struct veil_sa *sa, u64 seq64);
int veil_ipsec_no_encap(struct sk_buff *skb, int nexthdr, __be32 spi, int encap_type);
int veil_ipsec_rcv_cb(struct sk_buff *skb, int err);
int veil_ipsec_err4(struct sk_buff *skb, u32 info);
int veil_ipsec_err6(struct sk_buff *skb, struct inet6_skb_parm *opt, u8 type, u8 code,
		    int offset, __be32 info);
int veil_ipsec_protocol_register(struct xfrm4_protocol *p4, struct xfrm6_protocol *p6,
				 u8 proto);
void veil_ipsec_protocol_deregister(struct xfrm4_protocol *p4, struct xfrm6_protocol *p6,
				    u8 proto);
void veil_ipsec_deliver(struct sk_buff *skb, struct veil_sa *sa, unsigned int hlen, u8 nexthdr);
int veil_esp_input_init(void);
void veil_esp_input_uninit(void);

unsigned int veil_esp_overhead(const struct veil_sa *sa, unsigned int len);
unsigned int veil_esp_max_payload(const struct veil_sa *sa, unsigned int room);
void veil_esp_clamp_mss(struct sk_buff *skb, unsigned int mss);
void veil_esp_clamp_mss_in(struct sk_buff *skb, const struct veil_sa *sa, unsigned int mtu);
void veil_esp_output(struct sk_buff *skb, struct veil_sa *sa, bool forwarded,
		     struct veil_sa *then);
void veil_ipsec_outer(struct sk_buff *skb, const struct veil_sa *sa, struct dst_entry *dst,
		      u8 proto, const struct veil_inner *in);
void veil_ipsec_xmit(struct sk_buff *skb, struct veil_sa *sa);

#endif /* _VEIL_ESP_H */

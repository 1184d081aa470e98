// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The veil authors. All Rights Reserved.
 *
 * What ESP input (esp_input.c) and output (esp_output.c) share: each
 * packet's crypto request lives in one allocation with its context, and
 * packets whose crypto may still complete asynchronously are counted, so
 * that the module is not unloaded under a completion.
 */

#include <linux/atomic.h>
#include <linux/slab.h>
#include <linux/wait_bit.h>
#include <crypto/aead.h>
#include <net/xfrm.h>

#include "esp.h"
#include "main.h"
#include "replay.h"
#include "sa.h"

static atomic_t veil_esp_inflight = ATOMIC_INIT(0);

/**
 * veil_esp_inflight_get() - a packet enters the crypto API
 */
void veil_esp_inflight_get(void)
{
	atomic_inc(&veil_esp_inflight);
}

/**
 * veil_esp_inflight_put() - a packet is done with module code
 */
void veil_esp_inflight_put(void)
{
	if (atomic_dec_and_test(&veil_esp_inflight))
		wake_up_var(&veil_esp_inflight);
}

/**
 * veil_esp_inflight_wait() - wait until no packet is in the crypto API
 *
 * For module unload, once no new packet can reach veil.
 */
void veil_esp_inflight_wait(void)
{
	wait_var_event(&veil_esp_inflight, !atomic_read(&veil_esp_inflight));
}

/**
 * veil_esp_ctx_alloc() - a packet's context and crypto request
 * @tfm: the SA's transform
 * @nfrags: scatterlist entries the packet needs
 *
 * The context, then the IV, the request and the scatterlist, each aligned
 * as the crypto API wants, in one GFP_ATOMIC allocation, freed with
 * kfree() of the context.
 *
 * Return: the context, or NULL.
 */
struct veil_esp_ctx *veil_esp_ctx_alloc(struct crypto_aead *tfm, int nfrags)
{
	unsigned int len = sizeof(struct veil_esp_ctx);

	len += crypto_aead_alignmask(tfm) & ~(crypto_tfm_ctx_alignment() - 1);
	len = ALIGN(len, crypto_tfm_ctx_alignment());
	len += crypto_aead_ivsize(tfm);
	len = ALIGN(len, crypto_tfm_ctx_alignment());
	len += sizeof(struct aead_request) + crypto_aead_reqsize(tfm);
	len = ALIGN(len, __alignof__(struct scatterlist));
	len += sizeof(struct scatterlist) * nfrags;
	return kmalloc(len, GFP_ATOMIC);
}

/**
 * veil_esp_ctx_iv() - the IV buffer of a context
 * @tfm: the transform it was allocated for
 * @ctx: the context
 *
 * Return: a buffer of crypto_aead_ivsize(@tfm) bytes.
 */
u8 *veil_esp_ctx_iv(struct crypto_aead *tfm, struct veil_esp_ctx *ctx)
{
	return PTR_ALIGN((u8 *)(ctx + 1), crypto_aead_alignmask(tfm) + 1);
}

/**
 * veil_esp_ctx_req() - the request after the IV @iv
 * @tfm: the transform, set on the request
 * @iv: from veil_esp_ctx_iv()
 *
 * Return: the request.
 */
struct aead_request *veil_esp_ctx_req(struct crypto_aead *tfm, u8 *iv)
{
	struct aead_request *req;

	req = (void *)PTR_ALIGN(iv + crypto_aead_ivsize(tfm), crypto_tfm_ctx_alignment());
	aead_request_set_tfm(req, tfm);
	return req;
}

/**
 * veil_esp_req_sg() - the scatterlist after the request @req
 * @tfm: the transform
 * @req: from veil_esp_ctx_req()
 *
 * Return: room for the entries veil_esp_ctx_alloc() was asked for.
 */
struct scatterlist *veil_esp_req_sg(struct crypto_aead *tfm, struct aead_request *req)
{
	return (void *)ALIGN((unsigned long)(req + 1) + crypto_aead_reqsize(tfm),
			     __alignof__(struct scatterlist));
}

/**
 * veil_esp_drop() - count a dropped packet against @sa and its namespace
 * @sa: the SA
 * @counter: one of @sa's stats, or NULL for the namespace's only
 * @net_stat: the namespace's counter, VEIL_A_NET_STATS_*
 */
void veil_esp_drop(struct veil_sa *sa, u64 *counter, unsigned int net_stat)
{
	if (counter) {
		spin_lock_bh(&sa->lock);
		(*counter)++;
		spin_unlock_bh(&sa->lock);
	}
	veil_stat_inc(sa->vn, net_stat);
}

/**
 * veil_ipsec_replay_advance() - record an authenticated packet in @sa's
 *	window, or count it dropped
 * @sa: the inbound SA
 * @seq64: its full sequence number, from veil_replay_check()
 *
 * An SA that sa-update or sa-del retired takes nothing more in: its
 * successor's window was copied from this one, and a packet recorded
 * here now could be replayed to the successor.
 *
 * Return: true when the packet may be delivered.
 */
bool veil_ipsec_replay_advance(struct veil_sa *sa, u64 seq64)
{
	int err = -ESTALE;

	spin_lock_bh(&sa->lock);
	if (!sa->dead)
		err = veil_replay_advance(sa->replay, seq64);
	if (err == -ESTALE)
		sa->stats.other_drops++;
	else if (err)
		sa->stats.replay_drops++;
	spin_unlock_bh(&sa->lock);
	if (err)
		veil_stat_inc(sa->vn, err == -ESTALE ? VEIL_A_NET_STATS_OTHER_DROPS :
				      VEIL_A_NET_STATS_REPLAY_DROPS);
	return !err;
}

/* AH is never UDP-encapsulated (RFC 3948 is ESP's): nothing here is veil's. */
int veil_ipsec_no_encap(struct sk_buff *skb, int nexthdr, __be32 spi, int encap_type)
{
	return -EINVAL;
}

/* XFRM's completions: never veil's packets, so always the next handler's. */
int veil_ipsec_rcv_cb(struct sk_buff *skb, int err)
{
	return 1;
}

/* ICMP errors about ESP or AH veil sent: not handled yet, XFRM's to see. */
int veil_ipsec_err4(struct sk_buff *skb, u32 info)
{
	return -ENOENT;
}

int veil_ipsec_err6(struct sk_buff *skb, struct inet6_skb_parm *opt, u8 type, u8 code,
		    int offset, __be32 info)
{
	return -ENOENT;
}

/**
 * veil_ipsec_protocol_register() - take IP protocol @proto, both families
 * @p4: the IPv4 handlers
 * @p6: the IPv6 handlers
 * @proto: IPPROTO_ESP or IPPROTO_AH
 *
 * Return: 0, or the error of xfrm4/6_protocol_register(), with nothing
 * left registered.
 */
int veil_ipsec_protocol_register(struct xfrm4_protocol *p4, struct xfrm6_protocol *p6,
				 u8 proto)
{
	int ret = xfrm4_protocol_register(p4, proto);

	if (ret)
		return ret;
	ret = xfrm6_protocol_register(p6, proto);
	if (ret)
		xfrm4_protocol_deregister(p4, proto);
	return ret;
}

/**
 * veil_ipsec_protocol_deregister() - give IP protocol @proto back
 * @p4: the IPv4 handlers
 * @p6: the IPv6 handlers
 * @proto: as registered
 */
void veil_ipsec_protocol_deregister(struct xfrm4_protocol *p4, struct xfrm6_protocol *p6,
				    u8 proto)
{
	xfrm6_protocol_deregister(p6, proto);
	xfrm4_protocol_deregister(p4, proto);
}

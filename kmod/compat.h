/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The veil authors. All Rights Reserved.
 *
 * Every difference between the kernels veil supports is dealt with here,
 * and only here: Kbuild force-includes this header into each object, so
 * the rest of the code is written against the newest kernel API and stays
 * fit to go upstream. Where a feature can be detected from a macro that
 * the kernel defines alongside it, test that rather than the version.
 */

#ifndef _VEIL_COMPAT_H
#define _VEIL_COMPAT_H

#include <linux/version.h>

/*
 * Debian 12 ships 6.1 as its default kernel and 6.12 in bookworm-backports
 * style packages; those are the oldest and newest kernels veil is built
 * and tested against in `make check`.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 1, 0)
#error "veil needs Linux 6.1 or later"
#endif

/* crypto_has_aead() arrived in 6.2; 6.1 answers the same via the type. */
#ifndef VEIL_HAVE_CRYPTO_HAS_AEAD
#include <linux/crypto.h>

static inline int crypto_has_aead(const char *alg_name, u32 type, u32 mask)
{
	type &= ~CRYPTO_ALG_TYPE_MASK;
	type |= CRYPTO_ALG_TYPE_AEAD;
	mask |= CRYPTO_ALG_TYPE_MASK;
	return crypto_has_alg(alg_name, type, mask);
}
#endif

/*
 * A dump's parsed request attributes: 6.2 moved them into a struct
 * genl_info reached with genl_info_dump().
 */
#include <net/genetlink.h>

#ifdef VEIL_HAVE_GENL_INFO_DUMP
static inline struct nlattr **veil_genl_dump_attrs(struct netlink_callback *cb)
{
	return genl_info_dump(cb)->attrs;
}
#else
static inline struct nlattr **veil_genl_dump_attrs(struct netlink_callback *cb)
{
	return genl_dumpit_info(cb)->attrs;
}
#endif

/*
 * Crypto completion callbacks: since 6.3 they get the request's data
 * pointer, before it the request, whose ->data holds it.
 */
#ifdef VEIL_HAVE_CRYPTO_CB_DATA
typedef void *veil_crypto_cb_arg_t;

static inline void *veil_crypto_cb_data(void *arg)
{
	return arg;
}
#else
typedef struct crypto_async_request *veil_crypto_cb_arg_t;

static inline void *veil_crypto_cb_data(struct crypto_async_request *req)
{
	return req->data;
}
#endif

/* skb_gso_segment(): net/gso.h since 6.5, linux/netdevice.h before. */
#ifdef VEIL_HAVE_NET_GSO_H
#include <net/gso.h>
#else
#include <linux/netdevice.h>
#endif

/*
 * Lockless transmit: a bit of its own in struct net_device since 6.12,
 * the feature flag NETIF_F_LLTX before.
 */
#include <linux/netdevice.h>

static inline void veil_netdev_set_lltx(struct net_device *dev)
{
#ifdef VEIL_HAVE_NETDEV_LLTX
	dev->lltx = true;
#else
	dev->features |= NETIF_F_LLTX;
#endif
}

#endif /* _VEIL_COMPAT_H */

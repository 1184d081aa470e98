/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The veil authors. All Rights Reserved.
 */

#ifndef _VEIL_CRYPTO_H
#define _VEIL_CRYPTO_H

#include <linux/types.h>

struct netlink_ext_ack;
struct nlattr;

/**
 * struct veil_crypto_alg - one transform veil can offer
 * @name: kernel crypto API name, spelt the way `ip xfrm` spells it
 * @type: which crypto API interface reaches it (enum veil_alg_type)
 * @uses: which veil transforms may use it (enum veil_alg_use bits)
 * @key_lens: the key lengths it takes in bytes, salt included; 0 ends the
 *	list, and an empty list means "any length, 1 byte or more"
 * @key_msg: why a key of another length is refused, for the extack
 * @icv_bits: AEAD: ICV lengths it allows; auth: its full digest length
 *	in [0]; 0 ends the list
 * @trunc_default: auth: the truncation XFRM applies for plain `auth`
 * @geniv: ESP AEADs and ciphers: the IV generator template the transform
 *	is wrapped in, as XFRM wraps it ("seqiv" for counter modes, whose IVs
 *	must never repeat; "echainiv" for CBC, whose IVs must not be
 *	predictable); NULL for none
 *
 * The messages are static strings rather than formatted ones because 6.1
 * has no NL_SET_ERR_MSG_FMT(); each names the algorithm and what it takes.
 */
struct veil_crypto_alg {
	const char *name;
	u32 type;
	u32 uses;
	u8 key_lens[4];
	const char *key_msg;
	u16 icv_bits[4];
	u16 trunc_default;
	const char *geniv;
};

unsigned int veil_crypto_alg_count(void);
const struct veil_crypto_alg *veil_crypto_alg_get(unsigned int idx);
const struct veil_crypto_alg *veil_crypto_alg_find(const char *name, u32 type);
bool veil_crypto_alg_available(const struct veil_crypto_alg *alg);
bool veil_crypto_key_len_ok(const struct veil_crypto_alg *alg, unsigned int len);
bool veil_crypto_icv_ok(const struct veil_crypto_alg *alg, unsigned int bits);
bool veil_crypto_trunc_ok(const struct veil_crypto_alg *alg, unsigned int bits);

#endif /* _VEIL_CRYPTO_H */

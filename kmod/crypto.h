/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The veil authors. All Rights Reserved.
 */

#ifndef _VEIL_CRYPTO_H
#define _VEIL_CRYPTO_H

#include <linux/types.h>

/**
 * struct veil_crypto_alg - one transform veil can offer
 * @name: kernel crypto API name, spelt the way `ip xfrm` spells it
 * @type: which crypto API interface reaches it (enum veil_alg_type)
 * @uses: which veil transforms may use it (enum veil_alg_use bits)
 */
struct veil_crypto_alg {
	const char *name;
	u32 type;
	u32 uses;
};

unsigned int veil_crypto_alg_count(void);
const struct veil_crypto_alg *veil_crypto_alg_get(unsigned int idx);
bool veil_crypto_alg_available(const struct veil_crypto_alg *alg);

#endif /* _VEIL_CRYPTO_H */

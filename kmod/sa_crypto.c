// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The veil authors. All Rights Reserved.
 *
 * The crypto transform an ESP SA runs on, allocated and keyed when the SA
 * is added, so that an SA the kernel cannot run is refused then, not when
 * its first packet arrives, and the datapath never allocates; and, for the
 * same reason, its anti-replay window.
 *
 * Every ESP SA is one AEAD transform, as in the kernel's esp4/esp6: an
 * AEAD algorithm directly, or a cipher and an integrity algorithm joined
 * by the authenc template (authencesn with extended sequence numbers,
 * whose high half authenc would not cover). Both are wrapped in the IV
 * generator XFRM uses for the algorithm, so that IVs on the wire are made
 * exactly as XFRM makes them.
 */

#include <linux/rtnetlink.h>
#include <net/dst_cache.h>
#include <linux/slab.h>
#include <crypto/aead.h>
#include <crypto/hash.h>
#include <crypto/authenc.h>
#include <net/netlink.h>

#include "ah.h"
#include "crypto.h"
#include "replay.h"
#include "sa.h"
#include "uapi/linux/veil.h"

/* "geniv(name)", or "name" when @geniv is NULL; false when it does not fit. */
static bool veil_sa_crypto_name(char *buf, const char *geniv, const char *name)
{
	int n;

	if (geniv)
		n = snprintf(buf, CRYPTO_MAX_ALG_NAME, "%s(%s)", geniv, name);
	else
		n = snprintf(buf, CRYPTO_MAX_ALG_NAME, "%s", name);
	return n < CRYPTO_MAX_ALG_NAME;
}

/*
 * authenc's key: an rtattr holding the cipher key's length, then the
 * integrity key, then the cipher key (crypto/authenc.h).
 */
static int veil_sa_crypto_authenc_key(struct crypto_aead *tfm, const struct veil_sa *sa)
{
	unsigned int auth_len = sa->auth ? sa->auth->key_len : 0;
	unsigned int len = RTA_SPACE(sizeof(struct crypto_authenc_key_param)) +
			   auth_len + sa->enc->key_len;
	struct crypto_authenc_key_param *param;
	struct rtattr *rta;
	u8 *key, *p;
	int ret;

	key = kmalloc(len, GFP_KERNEL);
	if (!key)
		return -ENOMEM;
	rta = (struct rtattr *)key;
	rta->rta_type = CRYPTO_AUTHENC_KEYA_PARAM;
	rta->rta_len = RTA_LENGTH(sizeof(*param));
	param = RTA_DATA(rta);
	param->enckeylen = cpu_to_be32(sa->enc->key_len);
	p = key + RTA_SPACE(sizeof(*param));
	if (auth_len)
		memcpy(p, sa->auth->key, auth_len);
	memcpy(p + auth_len, sa->enc->key, sa->enc->key_len);
	ret = crypto_aead_setkey(tfm, key, len);
	kfree_sensitive(key);
	return ret;
}

/*
 * AH: the integrity algorithm as an ahash, keyed, as ah4/ah6 use it; the
 * ICV is the digest cut to the SA's length.
 */
static int veil_sa_crypto_ah(struct veil_sa *sa, struct netlink_ext_ack *extack)
{
	struct crypto_ahash *ahash;
	int ret;

	ahash = crypto_alloc_ahash(sa->auth->alg->name, 0, 0);
	if (IS_ERR(ahash)) {
		ret = PTR_ERR(ahash);
		if (ret == -ENOMEM) {
			NL_SET_ERR_MSG(extack, "out of memory for the SA's crypto transform");
			return ret;
		}
		NL_SET_ERR_MSG(extack, "the kernel's crypto API cannot run this SA's algorithm");
		return -ENOENT;
	}
	if (sa->auth->bits / 8 > crypto_ahash_digestsize(ahash) ||
	    sa->auth->bits / 8 > VEIL_AH_ICV_MAX) {
		NL_SET_ERR_MSG(extack, "the ICV is longer than the algorithm's digest");
		ret = -EINVAL;
		goto err;
	}
	ret = crypto_ahash_setkey(ahash, sa->auth->key, sa->auth->key_len);
	if (ret) {
		NL_SET_ERR_MSG(extack, "the kernel's crypto API refused the SA's key");
		goto err;
	}
	sa->ahash = ahash;
	return 0;
err:
	crypto_free_ahash(ahash);
	return ret == -ENOMEM ? ret : -EINVAL;
}

/**
 * veil_sa_crypto_init() - allocate and key the transform of an ESP or AH SA
 * @sa: a parsed SA, not yet published; its algorithms are from veil's
 *	table and its key and ICV lengths already checked against it
 * @extack: for the reason of a failure
 *
 * Sleeps (it may load crypto modules). AH SAs get a keyed ahash of their
 * integrity algorithm instead (veil_sa_crypto_ah()).
 *
 * Return: 0, -ENOENT when the kernel cannot provide the algorithms,
 * -EINVAL when it refuses the key or ICV length, -ENOMEM.
 */
int veil_sa_crypto_init(struct veil_sa *sa, struct netlink_ext_ack *extack)
{
	char name[CRYPTO_MAX_ALG_NAME], inner[CRYPTO_MAX_ALG_NAME];
	const struct veil_sa_alg *icv_alg;
	struct crypto_aead *tfm;
	bool fits;
	int ret;

	atomic64_set(&sa->oseq, (u64)sa->replay_oseq_hi << 32 | sa->replay_oseq);
	sa->replay = veil_replay_new(sa->replay_window, sa->flags & VEIL_SA_FLAGS_ESN,
				     (u64)sa->replay_seq_hi << 32 | sa->replay_seq, GFP_KERNEL);
	if (!sa->replay) {
		NL_SET_ERR_MSG(extack, "out of memory for the SA's replay window");
		return -ENOMEM;
	}
	if (sa->key.proto == IPPROTO_AH)
		return veil_sa_crypto_ah(sa, extack);
	if (sa->aead) {
		fits = veil_sa_crypto_name(name, sa->aead->alg->geniv, sa->aead->alg->name);
		icv_alg = sa->aead;
	} else {
		fits = snprintf(inner, sizeof(inner), "%s(%s,%s)",
				sa->flags & VEIL_SA_FLAGS_ESN ? "authencesn" : "authenc",
				sa->auth ? sa->auth->alg->name : "digest_null",
				sa->enc->alg->name) < (int)sizeof(inner) &&
		       veil_sa_crypto_name(name, sa->enc->alg->geniv, inner);
		icv_alg = sa->auth;
	}
	if (!fits) {
		NL_SET_ERR_MSG(extack, "the SA's algorithm names are too long for the crypto API");
		return -ENAMETOOLONG;
	}

	tfm = crypto_alloc_aead(name, 0, 0);
	if (IS_ERR(tfm)) {
		ret = PTR_ERR(tfm);
		if (ret == -ENOMEM) {
			NL_SET_ERR_MSG(extack, "out of memory for the SA's crypto transform");
			return ret;
		}
		NL_SET_ERR_MSG(extack, "the kernel's crypto API cannot run this SA's algorithms (veil info shows which are available)");
		return -ENOENT;
	}

	if (sa->aead)
		ret = crypto_aead_setkey(tfm, sa->aead->key, sa->aead->key_len);
	else
		ret = veil_sa_crypto_authenc_key(tfm, sa);
	if (ret == -ENOMEM) {
		NL_SET_ERR_MSG(extack, "out of memory keying the SA's crypto transform");
		goto err;
	}
	if (ret) {
		NL_SET_ERR_MSG(extack, "the kernel's crypto API refused the SA's key");
		goto err;
	}
	ret = crypto_aead_setauthsize(tfm, icv_alg ? icv_alg->bits / 8 : 0);
	if (ret) {
		NL_SET_ERR_MSG(extack, "the kernel's crypto API refused the SA's ICV length");
		goto err;
	}
	sa->tfm = tfm;
	return 0;
err:
	/* Freeing the transform wipes the key schedule it holds. */
	crypto_free_aead(tfm);
	return ret == -ENOMEM ? ret : -EINVAL;
}

/**
 * veil_sa_crypto_free() - free an SA's transform, and the keys it holds
 * @sa: the SA, unreachable by now
 */
void veil_sa_crypto_free(struct veil_sa *sa)
{
	struct dst_cache *route = rcu_dereference_protected(sa->route, true);

	if (sa->tfm)
		crypto_free_aead(sa->tfm);
	if (sa->ahash)
		crypto_free_ahash(sa->ahash);
	if (route) {
		dst_cache_destroy(route);
		kfree(route);
	}
}

/**
 * veil_sa_seq_read() - where @sa's sequence numbers are now
 * @sa: the SA
 * @seq: the highest sequence number received, all 64 bits
 * @oseq: the last one sent
 */
void veil_sa_seq_read(struct veil_sa *sa, u64 *seq, u64 *oseq)
{
	*oseq = atomic64_read(&sa->oseq);
	if (!sa->replay) {
		*seq = (u64)sa->replay_seq_hi << 32 | sa->replay_seq;
		return;
	}
	spin_lock_bh(&sa->lock);
	*seq = sa->replay->top;
	spin_unlock_bh(&sa->lock);
}

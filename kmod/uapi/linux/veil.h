/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/veil.yaml */
/* YNL-GEN uapi header */

#ifndef _UAPI_LINUX_VEIL_H
#define _UAPI_LINUX_VEIL_H

#define VEIL_FAMILY_NAME	"veil"
#define VEIL_FAMILY_VERSION	1

#define VEIL_VERSION_LEN	32
#define VEIL_ALG_NAME_LEN	128

/**
 * enum veil_alg_type - Which kernel crypto API interface an algorithm is
 *   reached through.
 * @VEIL_ALG_TYPE_AEAD: Authenticated encryption with associated data
 *   (crypto_aead).
 * @VEIL_ALG_TYPE_CIPHER: A symmetric cipher without integrity
 *   (crypto_skcipher).
 * @VEIL_ALG_TYPE_AUTH: A keyed hash used for integrity (crypto_ahash).
 */
enum veil_alg_type {
	VEIL_ALG_TYPE_AEAD = 1,
	VEIL_ALG_TYPE_CIPHER,
	VEIL_ALG_TYPE_AUTH,
};

/**
 * enum veil_alg_use - Which veil transforms an algorithm can serve.
 * @VEIL_ALG_USE_ESP: IPsec Encapsulating Security Payload (RFC 4303).
 * @VEIL_ALG_USE_AH: IPsec Authentication Header (RFC 4302).
 * @VEIL_ALG_USE_TLS: The TLS 1.2 / 1.3 record layer (RFC 5246, RFC 8446).
 */
enum veil_alg_use {
	VEIL_ALG_USE_ESP = 1,
	VEIL_ALG_USE_AH = 2,
	VEIL_ALG_USE_TLS = 4,
};

enum {
	VEIL_A_ALG_NAME = 1,
	VEIL_A_ALG_TYPE,
	VEIL_A_ALG_USES,
	VEIL_A_ALG_AVAILABLE,

	__VEIL_A_ALG_MAX,
	VEIL_A_ALG_MAX = (__VEIL_A_ALG_MAX - 1)
};

enum {
	VEIL_A_INFO_VERSION = 1,
	VEIL_A_INFO_ALG,

	__VEIL_A_INFO_MAX,
	VEIL_A_INFO_MAX = (__VEIL_A_INFO_MAX - 1)
};

enum {
	VEIL_CMD_INFO = 1,

	__VEIL_CMD_MAX,
	VEIL_CMD_MAX = (__VEIL_CMD_MAX - 1)
};

#endif /* _UAPI_LINUX_VEIL_H */

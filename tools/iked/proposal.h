/* SPDX-License-Identifier: GPL-2.0 */
/*
 * IKEv2 proposals (RFC 7296 section 3.3): the table of algorithms veil-iked
 * knows, strongSwan's proposal syntax ("aes256gcm16-prfsha384-x25519") in
 * both directions, and the choice of one proposal out of a peer's offer.
 * No message parsing happens here: the codec turns an SA payload into an
 * array of struct ike_prop and back.
 */
#ifndef VEIL_IKED_PROPOSAL_H
#define VEIL_IKED_PROPOSAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ikev2.h"

/* Transforms of one type in one proposal; the codec drops any beyond. */
#define IKE_PROP_MAX_TRANSFORMS	16
/* Transform types 1 (ENCR) to 5 (ESN); xf[] is indexed by type - 1. */
#define IKE_PROP_NTYPES		5
#define IKE_PROP_IDX(type)	((type) - 1)
#define IKE_PROP_SPI_MAX	8
/* Longest text of one proposal ike_prop_parse() takes. */
#define IKE_PROP_TEXT_MAX	512

/**
 * struct ike_prop_transform - one transform substructure
 * @type: enum ikev2_transform_type
 * @id: transform ID within @type (enum ikev2_encr, ikev2_prf, ...)
 * @keylen: the Key Length attribute in bits; 0 when the transform has none
 */
struct ike_prop_transform {
	uint8_t type;
	uint16_t id;
	uint16_t keylen;
};

/**
 * struct ike_prop_list - the transforms of one type, most preferred first
 * @n: how many of @t are used
 * @t: the transforms
 */
struct ike_prop_list {
	uint8_t n;
	struct ike_prop_transform t[IKE_PROP_MAX_TRANSFORMS];
};

/* struct ike_prop.flags */
/* The peer's proposal had a transform type or attribute we do not know:
 * RFC 7296 section 3.3.6 makes the whole proposal unacceptable. */
#define IKE_PROP_F_UNKNOWN	0x01

/**
 * struct ike_prop - one proposal substructure, or one configured proposal
 * @proto: enum ikev2_proto (IKE, AH or ESP)
 * @num: proposal number as on the wire (1, 2, ...); 0 in a configuration
 *	until ike_prop_number() numbers an offer
 * @spi_len: bytes of @spi used: 0 (IKE_SA_INIT), 4 (ESP, AH) or 8 (IKE
 *	SA rekey)
 * @flags: IKE_PROP_F_*
 * @spi: the SPI, in network byte order as on the wire
 * @xf: per transform type, indexed IKE_PROP_IDX(type), the transforms
 *
 * A configured proposal may list several transforms per type; a chosen one
 * (a responder's answer) lists at most one per type. An empty INTEG, DH or
 * ESN list means the same as one holding only ID 0 (NONE, "no ESN").
 */
struct ike_prop {
	uint8_t proto;
	uint8_t num;
	uint8_t spi_len;
	uint8_t flags;
	uint8_t spi[IKE_PROP_SPI_MAX];
	struct ike_prop_list xf[IKE_PROP_NTYPES];
};

/* struct ike_prop_alg.flags */
#define IKE_PROP_ALG_AEAD	0x01	/* combined mode: no INTEG with it */
#define IKE_PROP_ALG_ALIAS	0x02	/* another spelling; never printed */
#define IKE_PROP_ALG_IKE	0x04	/* crypto.c implements it for IKE SAs */
#define IKE_PROP_ALG_ESP	0x08	/* the kernel has it for ESP */
#define IKE_PROP_ALG_AH		0x10	/* the kernel has it for AH */

/* struct ike_prop_alg.mode: how crypto.c computes it */
enum ike_prop_mode {
	IKE_PROP_MODE_NONE,
	IKE_PROP_MODE_CBC,	/* ENCR: CBC and separate INTEG */
	IKE_PROP_MODE_CTR,	/* ENCR: RFC 3686/5930 counter mode, separate INTEG */
	IKE_PROP_MODE_GCM,	/* ENCR: RFC 4106/5282 */
	IKE_PROP_MODE_CCM,	/* ENCR: RFC 4309/5282 */
	IKE_PROP_MODE_CHACHA,	/* ENCR: RFC 7634 */
	IKE_PROP_MODE_GMAC,	/* ENCR: RFC 4543, ESP only */
	IKE_PROP_MODE_NULL,	/* ENCR: RFC 2410, ESP only */
	IKE_PROP_MODE_HMAC,	/* INTEG, PRF */
	IKE_PROP_MODE_CMAC,	/* INTEG (RFC 4494), PRF (RFC 4615) */
	IKE_PROP_MODE_XCBC,	/* INTEG, PRF: kernel only, OpenSSL has no XCBC */
	IKE_PROP_MODE_MODP,	/* DH: RFC 3526 / RFC 2409 groups */
	IKE_PROP_MODE_ECP,	/* DH: RFC 5903 */
	IKE_PROP_MODE_ECX,	/* DH: RFC 8031 */
};

/**
 * struct ike_prop_alg - one algorithm: its keyword, its wire identity and
 *	everything the crypto needs to know about it
 * @name: the strongSwan keyword
 * @type: enum ikev2_transform_type
 * @id: transform ID
 * @keylen: Key Length attribute in bits, 0 when none is sent
 * @flags: IKE_PROP_ALG_*
 * @mode: enum ike_prop_mode
 * @ossl: OpenSSL's name: the EVP_CIPHER (ENCR, and CMAC's cipher), the
 *	digest of HMAC, or the group (EC curve, DH named group, "X25519");
 *	NULL when OpenSSL has none
 * @key_len: bytes: ENCR: the cipher key without salt; INTEG: the MAC key;
 *	PRF: its preferred key length (of SK_d, SK_pi, SK_pr); DH: the length
 *	of a public value in a KE payload
 * @salt_len: ENCR: bytes of salt or nonce that follow the key in the
 *	keying material (RFC 4106 section 8.1, RFC 4309, RFC 3686, RFC 7634)
 * @block_len: ENCR: the alignment of padded plaintext in an SK payload
 * @iv_len: ENCR: bytes of IV sent with every message
 * @icv_len: ENCR (AEAD): bytes of the tag; INTEG: bytes of the truncated MAC
 * @out_len: PRF: bytes of output; DH: bytes of the shared secret
 * @kernel: the Linux crypto API name veil.ko (and XFRM) use for Child SAs,
 *	NULL when the algorithm cannot protect one
 * @kernel_icv_bits: AEAD ICV or authentication truncation in bits for the
 *	kernel's SA
 * @prf: INTEG: the PRF strongSwan derives from it when an IKE proposal has
 *	none; 0 when none fits
 */
struct ike_prop_alg {
	const char *name;
	uint8_t type;
	uint16_t id;
	uint16_t keylen;
	uint8_t flags;
	uint8_t mode;
	const char *ossl;
	uint16_t key_len;
	uint8_t salt_len;
	uint8_t block_len;
	uint8_t iv_len;
	uint8_t icv_len;
	uint16_t out_len;
	const char *kernel;
	uint16_t kernel_icv_bits;
	uint16_t prf;
};

/* The table, in the order keywords are documented and printed. */
size_t ike_prop_alg_count(void);
const struct ike_prop_alg *ike_prop_alg_get(size_t idx);
const struct ike_prop_alg *ike_prop_alg_find(uint8_t type, uint16_t id, uint16_t keylen);
const struct ike_prop_alg *ike_prop_alg_by_name(const char *name);
const struct ike_prop_alg *ike_prop_alg_of(const struct ike_prop_transform *t);
size_t ike_prop_alg_keymat_len(const struct ike_prop_alg *alg);

const char *ike_prop_default_text(enum ikev2_proto proto);
void ike_prop_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int ike_prop_parse(const char *text, enum ikev2_proto proto, struct ike_prop *out, size_t max,
		   char *err, size_t errlen);
int ike_prop_format(const struct ike_prop *prop, char *buf, size_t len);
int ike_prop_format_list(const struct ike_prop *props, size_t n, char *buf, size_t len);

const struct ike_prop_transform *ike_prop_get(const struct ike_prop *prop, uint8_t type);
bool ike_prop_is_aead(const struct ike_prop *prop);
bool ike_prop_equal(const struct ike_prop *a, const struct ike_prop *b);
void ike_prop_number(struct ike_prop *props, size_t n);
size_t ike_prop_child_keymat_len(const struct ike_prop *chosen);

int ike_prop_select(const struct ike_prop *conf, size_t nconf, const struct ike_prop *offered,
		    size_t noffered, struct ike_prop *chosen);
int ike_prop_select_ke(const struct ike_prop *conf, size_t nconf,
		       const struct ike_prop *offered, size_t noffered, uint16_t ke_group,
		       struct ike_prop *chosen);
int ike_prop_check_chosen(const struct ike_prop *offered, size_t noffered,
			  const struct ike_prop *chosen);

#endif /* VEIL_IKED_PROPOSAL_H */

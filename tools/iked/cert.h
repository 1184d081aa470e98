/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Certificates for IKE_AUTH (RFC 7296 §3.6-3.8, RFC 7427): the local
 * certificate, its chain and private key; the CAs a peer's chain must end
 * in; signing and checking AUTH; matching an identity to a certificate.
 * All of it is OpenSSL's libcrypto.
 */
#ifndef VEIL_IKED_CERT_H
#define VEIL_IKED_CERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <openssl/types.h>

#include "id.h"

#define IKE_CERT_CHAIN_MAX	8	/* CERT payloads taken from, or sent to, a peer */
#define IKE_CERT_SIG_MAX	1200	/* AlgorithmIdentifier and an RSA-8192 signature */
#define IKE_CERT_CERTREQ_MAX	(8 * 20)

struct iked_config;
struct iked_cred;
struct ike_peer_cert;

/* Hashes of SIGNATURE_HASH_ALGORITHMS, as a bit mask: 1 << IKEV2_HASH_* */
typedef uint16_t ike_hash_mask;

int iked_creds_load(struct iked_config *cfg, const char *conf_path, char *err, size_t errlen);
void iked_cred_free(struct iked_cred *cred);

/* local */
int iked_cred_subject(const struct iked_cred *cred, struct iked_id *id);
unsigned int iked_cred_n_certs(const struct iked_cred *cred);
const uint8_t *iked_cred_cert_der(const struct iked_cred *cred, unsigned int i, size_t *len);
int iked_cred_sign(const struct iked_cred *cred, ike_hash_mask peer_hashes,
		   const uint8_t *octets, size_t octets_len, uint8_t *method, uint8_t *sig,
		   size_t *sig_len, char *why, size_t whylen);
const char *iked_cred_key_type(const struct iked_cred *cred);
EVP_PKEY *iked_cred_key(const struct iked_cred *cred);

/* remote */
size_t iked_cred_certreq(const struct iked_cred *cas, uint8_t *out, size_t max);
unsigned int iked_cred_n_cas(const struct iked_cred *cas);
const uint8_t *iked_cred_ca_name(const struct iked_cred *cas, unsigned int i, size_t *len);
int ike_peer_cert_verify(const struct iked_cred *cas, const uint8_t *const *der,
			 const size_t *len, unsigned int n, struct ike_peer_cert **out,
			 char *why, size_t whylen);
bool ike_peer_cert_has_id(const struct ike_peer_cert *pc, const struct iked_id *id);
int ike_peer_cert_subject(const struct ike_peer_cert *pc, struct iked_id *id);
int ike_peer_cert_check_auth(const struct ike_peer_cert *pc, uint8_t method,
			     const uint8_t *data, size_t len, const uint8_t *octets,
			     size_t octets_len, char *why, size_t whylen);
EVP_PKEY *ike_peer_cert_key(const struct ike_peer_cert *pc);
void ike_peer_cert_free(struct ike_peer_cert *pc);

#endif /* VEIL_IKED_CERT_H */

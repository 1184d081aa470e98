// SPDX-License-Identifier: GPL-2.0
/*
 * Certificates for IKE_AUTH: loading a connection's credentials, signing
 * this end's AUTH, and checking a peer's chain, identity and AUTH.
 *
 * AUTH signatures follow RFC 7427 (Digital Signature, method 14) whenever
 * the peer announced SIGNATURE_HASH_ALGORITHMS, as every current
 * implementation does; the older fixed methods (RSA with SHA-1, RFC 4754
 * ECDSA) are kept for peers that did not, and are accepted from them. A
 * 7427 signature names its scheme in an AlgorithmIdentifier: PKCS#1 v1.5
 * and PSS for RSA, ECDSA, Ed25519 and Ed448, each with a SHA-2 hash we
 * announced. Chains are checked with X509_verify_cert() against the
 * connection's CAs, with the peer's other CERT payloads as intermediates.
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "cert.h"
#include "config.h"
#include "ikev2.h"

/**
 * struct iked_cred - one side's credentials
 * @cert: local: this end's certificate
 * @chain: local: intermediates sent after it
 * @key: local: its private key
 * @der: local: @cert then @chain, DER-encoded, as the CERT payloads carry them
 * @der_len: their lengths
 * @n_der: how many
 * @store: remote: the trusted CAs
 * @cas: remote: the same, for CERTREQ's hashes
 */
struct iked_cred {
	X509 *cert;
	STACK_OF(X509) *chain;
	EVP_PKEY *key;
	uint8_t *der[IKE_CERT_CHAIN_MAX];
	size_t der_len[IKE_CERT_CHAIN_MAX];
	unsigned int n_der;
	X509_STORE *store;
	STACK_OF(X509) *cas;
};

/**
 * struct ike_peer_cert - a peer's certificate, its chain checked
 * @cert: the end-entity certificate
 * @key: its public key
 */
struct ike_peer_cert {
	X509 *cert;
	EVP_PKEY *key;
};

/* OpenSSL's reason for the last failure, or @fallback. */
static const char *cert_ssl_err(const char *fallback)
{
	static char buf[160];
	unsigned long e = ERR_peek_last_error();

	ERR_clear_error();
	if (!e)
		return fallback;
	ERR_error_string_n(e, buf, sizeof(buf));
	return buf;
}

/* A relative path is taken from the configuration file's directory. */
static void cert_path(const char *conf_path, const char *file, char *out, size_t len)
{
	char dir[IKED_PATH_MAX];

	if (file[0] == '/' || !conf_path) {
		snprintf(out, len, "%s", file);
		return;
	}
	snprintf(dir, sizeof(dir), "%s", conf_path);
	snprintf(out, len, "%s/%s", dirname(dir), file);
}

/* Every certificate in a PEM file (or one DER certificate), in order. */
static int cert_read_file(const char *path, STACK_OF(X509) *out, char *err, size_t errlen)
{
	BIO *bio = BIO_new_file(path, "rb");
	int before = sk_X509_num(out);
	X509 *x;

	if (!bio) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno ? errno : ENOENT));
		ERR_clear_error();
		return -1;
	}
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)))
		if (!sk_X509_push(out, x)) {
			X509_free(x);
			break;
		}
	ERR_clear_error();
	if (sk_X509_num(out) == before) {
		(void)BIO_reset(bio);
		x = d2i_X509_bio(bio, NULL);
		if (x && !sk_X509_push(out, x))
			X509_free(x);
	}
	BIO_free(bio);
	if (sk_X509_num(out) == before) {
		snprintf(err, errlen, "%s: no certificate in it (PEM or DER expected)", path);
		ERR_clear_error();
		return -1;
	}
	return 0;
}

/* A key in a file that asks for a passphrase is refused, not prompted for. */
static int cert_no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf; (void)size; (void)rwflag; (void)u;
	return -1;
}

static EVP_PKEY *cert_read_key(const char *path, char *err, size_t errlen)
{
	BIO *bio = BIO_new_file(path, "rb");
	EVP_PKEY *key;

	if (!bio) {
		snprintf(err, errlen, "key %s: %s", path, strerror(errno ? errno : ENOENT));
		ERR_clear_error();
		return NULL;
	}
	key = PEM_read_bio_PrivateKey(bio, NULL, cert_no_passphrase, NULL);
	if (!key) {
		(void)BIO_reset(bio);
		key = d2i_PrivateKey_bio(bio, NULL);
	}
	BIO_free(bio);
	if (!key)
		snprintf(err, errlen, "key %s: no private key it can read (PEM or DER, not "
			 "encrypted): %s", path, cert_ssl_err("unreadable"));
	ERR_clear_error();
	return key;
}

void iked_cred_free(struct iked_cred *cred)
{
	unsigned int i;

	if (!cred)
		return;
	X509_free(cred->cert);
	sk_X509_pop_free(cred->chain, X509_free);
	EVP_PKEY_free(cred->key);	/* OpenSSL clears the key's numbers */
	for (i = 0; i < cred->n_der; i++)
		free(cred->der[i]);
	X509_STORE_free(cred->store);
	sk_X509_pop_free(cred->cas, X509_free);
	free(cred);
}

static int cert_keep_der(struct iked_cred *cred, X509 *x, char *err, size_t errlen)
{
	unsigned char *p = NULL;
	int n;

	if (cred->n_der == IKE_CERT_CHAIN_MAX) {
		snprintf(err, errlen, "more than %d certificates to send", IKE_CERT_CHAIN_MAX);
		return -1;
	}
	n = i2d_X509(x, &p);
	if (n <= 0)
		return -1;
	cred->der[cred->n_der] = malloc(n);
	if (!cred->der[cred->n_der]) {
		OPENSSL_free(p);
		return -1;
	}
	memcpy(cred->der[cred->n_der], p, n);
	cred->der_len[cred->n_der++] = n;
	OPENSSL_free(p);
	return 0;
}

static int cert_key_usable(EVP_PKEY *key, char *err, size_t errlen)
{
	switch (EVP_PKEY_get_base_id(key)) {
	case EVP_PKEY_RSA:
	case EVP_PKEY_EC:
	case EVP_PKEY_ED25519:
	case EVP_PKEY_ED448:
		return 0;
	default:
		snprintf(err, errlen, "a %s key: IKE signs with RSA, ECDSA, Ed25519 or Ed448",
			 OBJ_nid2sn(EVP_PKEY_get_base_id(key)));
		return -1;
	}
}

static struct iked_cred *cert_load_local(const struct iked_auth_cfg *a, const char *conf_path,
					 char *err, size_t errlen)
{
	struct iked_cred *cred = calloc(1, sizeof(*cred));
	STACK_OF(X509) *all = sk_X509_new_null();
	char path[2 * IKED_PATH_MAX];
	unsigned int i;
	int j;

	if (!cred || !all)
		goto nomem;
	for (i = 0; i < a->n_certs; i++) {
		cert_path(conf_path, a->certs[i], path, sizeof(path));
		if (cert_read_file(path, all, err, errlen))
			goto fail;
	}
	cred->cert = sk_X509_shift(all);
	cred->chain = all;
	all = NULL;
	/* No key file: it may sit in the certificate's own PEM file. */
	cert_path(conf_path, *a->key ? a->key : a->certs[0], path, sizeof(path));
	cred->key = cert_read_key(path, err, errlen);
	if (!cred->key)
		goto fail;
	if (cert_key_usable(cred->key, err, errlen))
		goto fail;
	if (X509_check_private_key(cred->cert, cred->key) != 1) {
		snprintf(err, errlen, "key %s is not the key of certificate %s", path,
			 a->certs[0]);
		ERR_clear_error();
		goto fail;
	}
	if (cert_keep_der(cred, cred->cert, err, errlen))
		goto fail;
	for (j = 0; j < sk_X509_num(cred->chain); j++)
		if (cert_keep_der(cred, sk_X509_value(cred->chain, j), err, errlen))
			goto fail;
	return cred;
nomem:
	snprintf(err, errlen, "out of memory");
fail:
	sk_X509_pop_free(all, X509_free);
	iked_cred_free(cred);
	return NULL;
}

static struct iked_cred *cert_load_cas(const struct iked_auth_cfg *a, const char *conf_path,
				       char *err, size_t errlen)
{
	struct iked_cred *cred = calloc(1, sizeof(*cred));
	char path[2 * IKED_PATH_MAX];
	unsigned int i;
	int j;

	if (!cred || !(cred->cas = sk_X509_new_null()) || !(cred->store = X509_STORE_new())) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	for (i = 0; i < a->n_cacerts; i++) {
		cert_path(conf_path, a->cacerts[i], path, sizeof(path));
		if (cert_read_file(path, cred->cas, err, errlen))
			goto fail;
	}
	for (j = 0; j < sk_X509_num(cred->cas); j++)
		if (X509_STORE_add_cert(cred->store, sk_X509_value(cred->cas, j)) != 1) {
			snprintf(err, errlen, "CA certificate %d: %s", j + 1,
				 cert_ssl_err("cannot be used"));
			goto fail;
		}
	return cred;
fail:
	iked_cred_free(cred);
	return NULL;
}

/**
 * iked_creds_load - read the certificates and keys a configuration names
 * @cfg: the configuration; each pubkey side gets its credentials
 * @conf_path: the configuration file (relative paths are from its
 *	directory), or NULL
 * @err: "connection NAME, local: what is wrong" on failure
 * @errlen: its size
 *
 * Return: 0, or -1 (what was loaded stays, for iked_conf_free()).
 */
int iked_creds_load(struct iked_config *cfg, const char *conf_path, char *err, size_t errlen)
{
	char why[2048];
	unsigned int i;

	for (i = 0; i < cfg->n_conns; i++) {
		struct iked_conn_cfg *c = &cfg->conns[i];
		struct iked_id subject;

		if (c->local.method == IKED_AUTH_PUBKEY) {
			c->local.cred = cert_load_local(&c->local, conf_path, why, sizeof(why));
			if (!c->local.cred) {
				snprintf(err, errlen, "connection %s, local: %s", c->name, why);
				/* it names the configuration's files, as written */
				iked_conf_one_line(err);
				return -1;
			}
			/* IKEv1 signs with RSA (RFC 2409 §5.1) here: no ECDSA methods */
			if (c->version == 1 && EVP_PKEY_get_base_id(c->local.cred->key) !=
					       EVP_PKEY_RSA) {
				snprintf(err, errlen, "connection %s, local: IKEv1 signs with an "
					 "RSA key only, not %s", c->name,
					 iked_cred_key_type(c->local.cred));
				return -1;
			}
			if (!c->local.has_id && iked_cred_subject(c->local.cred, &subject)) {
				snprintf(err, errlen, "connection %s, local: the certificate's "
					 "subject is longer than %d bytes: set id", c->name,
					 IKED_ID_MAX);
				return -1;
			}
		}
		if (c->remote.method == IKED_AUTH_PUBKEY) {
			c->remote.cred = cert_load_cas(&c->remote, conf_path, why, sizeof(why));
			if (!c->remote.cred) {
				snprintf(err, errlen, "connection %s, remote: cacerts %s", c->name,
					 why);
				iked_conf_one_line(err);
				return -1;
			}
		}
	}
	return 0;
}

/* A Name as an ID_DER_ASN1_DN identity. */
static int cert_name_id(const X509_NAME *name, struct iked_id *id)
{
	const unsigned char *der;
	size_t len;

	if (X509_NAME_get0_der((X509_NAME *)name, &der, &len) != 1 || len > IKED_ID_MAX)
		return -1;
	memset(id, 0, sizeof(*id));
	id->type = IKEV2_ID_DER_ASN1_DN;
	id->len = len;
	memcpy(id->data, der, len);
	return 0;
}

/**
 * iked_cred_subject - this end's identity when none is configured
 * @cred: local credentials
 * @id: the certificate's subject, as a DN identity
 *
 * Return: 0, or -1 if the subject is too long for an identity.
 */
int iked_cred_subject(const struct iked_cred *cred, struct iked_id *id)
{
	return cert_name_id(X509_get_subject_name(cred->cert), id);
}

unsigned int iked_cred_n_certs(const struct iked_cred *cred)
{
	return cred->n_der;
}

/* The i-th certificate to send (0: this end's own), DER. */
const uint8_t *iked_cred_cert_der(const struct iked_cred *cred, unsigned int i, size_t *len)
{
	*len = cred->der_len[i];
	return cred->der[i];
}

const char *iked_cred_key_type(const struct iked_cred *cred)
{
	switch (EVP_PKEY_get_base_id(cred->key)) {
	case EVP_PKEY_RSA: return "RSA";
	case EVP_PKEY_EC: return "ECDSA";
	case EVP_PKEY_ED25519: return "Ed25519";
	case EVP_PKEY_ED448: return "Ed448";
	default: return "unknown";
	}
}

/**
 * iked_cred_key - this end's private key, for signatures made elsewhere
 * @cred: local credentials
 *
 * IKEv1's SIG payload (v1crypto.c) signs HASH_I or HASH_R as it is, which
 * iked_cred_sign()'s schemes do not.
 *
 * Return: the key, owned by @cred.
 */
EVP_PKEY *iked_cred_key(const struct iked_cred *cred)
{
	return cred->key;
}

/**
 * iked_cred_certreq - a CERTREQ's data: the CAs this side trusts
 * @cas: remote credentials
 * @out: the SHA-1 hashes of their SubjectPublicKeyInfo (RFC 7296 §3.7)
 * @max: its size
 *
 * Return: the length written.
 */
size_t iked_cred_certreq(const struct iked_cred *cas, uint8_t *out, size_t max)
{
	unsigned char *der, hash[SHA_DIGEST_LENGTH];
	size_t n = 0;
	int i, len;

	for (i = 0; i < sk_X509_num(cas->cas) && n + sizeof(hash) <= max; i++) {
		der = NULL;
		len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(sk_X509_value(cas->cas, i)), &der);
		if (len <= 0)
			continue;
		if (EVP_Digest(der, len, hash, NULL, EVP_sha1(), NULL) == 1) {
			memcpy(out + n, hash, sizeof(hash));
			n += sizeof(hash);
		}
		OPENSSL_free(der);
	}
	return n;
}

/**
 * iked_cred_n_cas - how many CAs a remote side trusts
 * @cas: remote credentials
 *
 * Return: their number, for iked_cred_ca_name().
 */
unsigned int iked_cred_n_cas(const struct iked_cred *cas)
{
	int n = sk_X509_num(cas->cas);

	return n > 0 ? (unsigned int)n : 0;
}

/**
 * iked_cred_ca_name - a trusted CA's subject, DER-encoded
 * @cas: remote credentials
 * @i: which CA, below iked_cred_n_cas()
 * @len: the encoding's length
 *
 * IKEv1's CR payload names a CA by its Distinguished Name (RFC 2408
 * §3.10) where IKEv2's CERTREQ has key hashes.
 *
 * Return: the encoding, owned by @cas, or NULL.
 */
const uint8_t *iked_cred_ca_name(const struct iked_cred *cas, unsigned int i, size_t *len)
{
	const unsigned char *der;

	if (X509_NAME_get0_der(X509_get_subject_name(sk_X509_value(cas->cas, (int)i)), &der,
			       len) != 1)
		return NULL;
	return der;
}

/* The digest of an IKEV2_HASH_* value; NULL for IDENTITY and the unknown. */
static const EVP_MD *cert_md(unsigned int hash)
{
	switch (hash) {
	case IKEV2_HASH_SHA1: return EVP_sha1();
	case IKEV2_HASH_SHA2_256: return EVP_sha256();
	case IKEV2_HASH_SHA2_384: return EVP_sha384();
	case IKEV2_HASH_SHA2_512: return EVP_sha512();
	default: return NULL;
	}
}

/* ECDSA's natural hash for its curve (RFC 4754's pairs). */
static unsigned int cert_ec_hash(const EVP_PKEY *key)
{
	int bits = EVP_PKEY_get_bits(key);

	return bits > 384 ? IKEV2_HASH_SHA2_512 : bits > 256 ? IKEV2_HASH_SHA2_384 :
	       IKEV2_HASH_SHA2_256;
}

/* Signs (or, with @verify, checks) @tbs with @md and @key; @pss for RSA-PSS. */
static int cert_evp(EVP_PKEY *key, const EVP_MD *md, bool verify, int pss_salt,
		    const EVP_MD *mgf1, const uint8_t *tbs, size_t tbs_len, uint8_t *sig,
		    size_t *sig_len)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	int ok;

	if (!ctx)
		return -ENOMEM;
	ok = verify ? EVP_DigestVerifyInit(ctx, &pctx, md, NULL, key) :
		      EVP_DigestSignInit(ctx, &pctx, md, NULL, key);
	if (ok == 1 && mgf1)
		ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
		     EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, pss_salt) == 1 &&
		     EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, mgf1) == 1;
	if (ok == 1)
		ok = verify ? EVP_DigestVerify(ctx, sig, *sig_len, tbs, tbs_len) :
			      EVP_DigestSign(ctx, sig, sig_len, tbs, tbs_len);
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return ok == 1 ? 0 : -EBADMSG;
}

/* An AlgorithmIdentifier, DER, as RFC 7427's AUTH data begins with. */
static int cert_algid(int nid, bool null_params, uint8_t *out, size_t max)
{
	X509_ALGOR *a = X509_ALGOR_new();
	unsigned char *p = out;
	int n = -1;

	if (a && X509_ALGOR_set0(a, OBJ_nid2obj(nid), null_params ? V_ASN1_NULL : V_ASN1_UNDEF,
				 NULL) == 1) {
		n = i2d_X509_ALGOR(a, NULL);
		if (n > 0 && (size_t)n <= max && n < 256)
			n = i2d_X509_ALGOR(a, &p);
		else
			n = -1;
	}
	X509_ALGOR_free(a);
	return n;
}

/* r || s, each as long as the curve's order, from a DER ECDSA-Sig-Value. */
static int cert_ecdsa_raw(const EVP_PKEY *key, uint8_t *sig, size_t *len)
{
	const unsigned char *p = sig;
	ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, *len);
	int half = (EVP_PKEY_get_bits(key) + 7) / 8;
	int ret = -EINVAL;

	if (es && BN_bn2binpad(ECDSA_SIG_get0_r(es), sig, half) == half &&
	    BN_bn2binpad(ECDSA_SIG_get0_s(es), sig + half, half) == half) {
		*len = 2 * half;
		ret = 0;
	}
	ECDSA_SIG_free(es);
	return ret;
}

/**
 * iked_cred_sign - this end's AUTH data
 * @cred: local credentials
 * @peer_hashes: the hashes the peer's SIGNATURE_HASH_ALGORITHMS named (0:
 *	it sent none, so one of the fixed methods of RFC 7296 is used)
 * @octets: what is signed (§2.15's signed octets)
 * @octets_len: their length
 * @method: the AUTH method
 * @sig: the AUTH data, at least IKE_CERT_SIG_MAX bytes
 * @sig_len: its length
 * @why: on failure, the reason
 * @whylen: its size
 *
 * Return: 0 or a negative errno.
 */
int iked_cred_sign(const struct iked_cred *cred, ike_hash_mask peer_hashes,
		   const uint8_t *octets, size_t octets_len, uint8_t *method, uint8_t *sig,
		   size_t *sig_len, char *why, size_t whylen)
{
	static const unsigned int rsa_pref[] = { IKEV2_HASH_SHA2_256, IKEV2_HASH_SHA2_384,
						 IKEV2_HASH_SHA2_512 };
	static const int rsa_nid[] = { NID_sha256WithRSAEncryption, NID_sha384WithRSAEncryption,
				       NID_sha512WithRSAEncryption };
	static const int ec_nid[] = { NID_ecdsa_with_SHA256, NID_ecdsa_with_SHA384,
				      NID_ecdsa_with_SHA512 };
	int type = EVP_PKEY_get_base_id(cred->key), nid = 0, alen;
	unsigned int hash = 0, i;
	size_t room;

	if (EVP_PKEY_get_size(cred->key) + 64 > IKE_CERT_SIG_MAX) {
		snprintf(why, whylen, "the %d-bit key is too large to sign with",
			 EVP_PKEY_get_bits(cred->key));
		return -E2BIG;
	}
	if (!peer_hashes) {
		/* RFC 7296's own methods: RSA is with SHA-1, ECDSA per curve. */
		room = IKE_CERT_SIG_MAX;
		if (type == EVP_PKEY_RSA) {
			*method = IKEV2_AUTH_RSA_SIG;
			*sig_len = room;
			if (cert_evp(cred->key, EVP_sha1(), false, 0, NULL, octets, octets_len, sig,
				     sig_len)) {
				snprintf(why, whylen, "RSA signing failed");
				return -EINVAL;
			}
			return 0;
		}
		if (type == EVP_PKEY_EC) {
			hash = cert_ec_hash(cred->key);
			*method = hash == IKEV2_HASH_SHA2_256 ? IKEV2_AUTH_ECDSA_SHA256_P256 :
				  hash == IKEV2_HASH_SHA2_384 ? IKEV2_AUTH_ECDSA_SHA384_P384 :
								IKEV2_AUTH_ECDSA_SHA512_P521;
			*sig_len = room;
			if (cert_evp(cred->key, cert_md(hash), false, 0, NULL, octets, octets_len,
				     sig, sig_len) || cert_ecdsa_raw(cred->key, sig, sig_len)) {
				snprintf(why, whylen, "ECDSA signing failed");
				return -EINVAL;
			}
			return 0;
		}
		snprintf(why, whylen, "an %s key signs only with RFC 7427 signatures, and the "
			 "peer announced no SIGNATURE_HASH_ALGORITHMS", iked_cred_key_type(cred));
		return -ENOTSUP;
	}

	if (type == EVP_PKEY_ED25519 || type == EVP_PKEY_ED448) {
		if (!(peer_hashes & 1 << IKEV2_HASH_IDENTITY)) {
			snprintf(why, whylen, "the peer does not take %s signatures (no "
				 "IDENTITY hash, RFC 8420)", iked_cred_key_type(cred));
			return -ENOTSUP;
		}
		nid = type == EVP_PKEY_ED25519 ? NID_ED25519 : NID_ED448;
	} else {
		if (type == EVP_PKEY_EC && peer_hashes & 1 << cert_ec_hash(cred->key))
			hash = cert_ec_hash(cred->key);
		for (i = 0; !hash && i < 3; i++)
			if (peer_hashes & 1 << rsa_pref[i])
				hash = rsa_pref[i];
		if (!hash) {
			snprintf(why, whylen, "the peer's signature hashes include no SHA-2");
			return -ENOTSUP;
		}
		for (i = 0; rsa_pref[i] != hash; i++)
			;
		nid = type == EVP_PKEY_RSA ? rsa_nid[i] : ec_nid[i];
	}
	alen = cert_algid(nid, type == EVP_PKEY_RSA, sig + 1, IKE_CERT_SIG_MAX - 1);
	if (alen < 0) {
		snprintf(why, whylen, "cannot encode the signature's AlgorithmIdentifier");
		return -EINVAL;
	}
	sig[0] = alen;
	*method = IKEV2_AUTH_DIGITAL_SIGNATURE;
	room = IKE_CERT_SIG_MAX - 1 - alen;
	if (cert_evp(cred->key, cert_md(hash), false, 0, NULL, octets, octets_len,
		     sig + 1 + alen, &room)) {
		snprintf(why, whylen, "signing failed");
		return -EINVAL;
	}
	*sig_len = 1 + alen + room;
	return 0;
}

/**
 * ike_peer_cert_verify - check a peer's certificate chain
 * @cas: the connection's remote credentials (its CAs)
 * @der: the peer's X.509 CERT payloads' data, its own certificate first
 * @len: their lengths
 * @n: how many
 * @out: on success, the certificate (free with ike_peer_cert_free())
 * @why: on failure, the reason
 * @whylen: its size
 *
 * Return: 0, or -EBADMSG for an unreadable certificate, -EACCES for a
 * chain that does not verify.
 */
int ike_peer_cert_verify(const struct iked_cred *cas, const uint8_t *const *der,
			 const size_t *len, unsigned int n, struct ike_peer_cert **out,
			 char *why, size_t whylen)
{
	STACK_OF(X509) *untrusted = sk_X509_new_null();
	struct ike_peer_cert *pc = calloc(1, sizeof(*pc));
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	const unsigned char *p;
	char subject[256];
	unsigned int i;
	int ret = -ENOMEM;
	X509 *x;

	*out = NULL;
	if (!n) {
		snprintf(why, whylen, "no certificate");
		ret = -EBADMSG;
		goto out;
	}
	if (!untrusted || !pc || !ctx)
		goto out;
	for (i = 0; i < n; i++) {
		p = der[i];
		x = d2i_X509(NULL, &p, len[i]);
		if (!x || p != der[i] + len[i]) {
			X509_free(x);
			snprintf(why, whylen, "certificate %u of %u cannot be parsed", i + 1, n);
			ret = -EBADMSG;
			goto out;
		}
		if (!i)
			pc->cert = x;
		else if (!sk_X509_push(untrusted, x)) {
			X509_free(x);
			goto out;
		}
	}
	X509_NAME_oneline(X509_get_subject_name(pc->cert), subject, sizeof(subject));
	if (X509_STORE_CTX_init(ctx, cas->store, pc->cert, untrusted) != 1)
		goto out;
	if (X509_verify_cert(ctx) != 1) {
		snprintf(why, whylen, "certificate \"%s\": %s", subject,
			 X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
		ret = -EACCES;
		goto out;
	}
	pc->key = X509_get_pubkey(pc->cert);
	if (!pc->key || cert_key_usable(pc->key, why, whylen)) {
		ret = -EACCES;
		goto out;
	}
	*out = pc;
	pc = NULL;
	ret = 0;
out:
	if (ret == -ENOMEM)
		snprintf(why, whylen, "out of memory");
	ERR_clear_error();
	X509_STORE_CTX_free(ctx);
	sk_X509_pop_free(untrusted, X509_free);
	ike_peer_cert_free(pc);
	return ret;
}

/**
 * ike_peer_cert_key - the public key of a peer's checked certificate
 * @pc: the certificate
 *
 * Return: the key, owned by @pc.
 */
EVP_PKEY *ike_peer_cert_key(const struct ike_peer_cert *pc)
{
	return pc->key;
}

void ike_peer_cert_free(struct ike_peer_cert *pc)
{
	if (!pc)
		return;
	X509_free(pc->cert);
	EVP_PKEY_free(pc->key);
	free(pc);
}

/* The peer's identity when the connection names none: its subject. */
int ike_peer_cert_subject(const struct ike_peer_cert *pc, struct iked_id *id)
{
	return cert_name_id(X509_get_subject_name(pc->cert), id);
}

/**
 * ike_peer_cert_has_id - whether a certificate vouches for an identity
 * @pc: the peer's checked certificate
 * @id: the identity its ID payload claims
 *
 * A DN is the subject; an address, a name or an e-mail address must be in
 * subjectAltName (never taken from the subject's CN, and no wildcard); a
 * key ID is the SHA-1 of the public key, as strongSwan has it.
 */
bool ike_peer_cert_has_id(const struct ike_peer_cert *pc, const struct iked_id *id)
{
	const unsigned int flags = X509_CHECK_FLAG_NEVER_CHECK_SUBJECT |
				   X509_CHECK_FLAG_NO_WILDCARDS;
	unsigned char kid[EVP_MAX_MD_SIZE];
	const unsigned char *p = id->data;
	unsigned int klen;
	X509_NAME *name;
	char text[IKED_ID_MAX + 1];
	bool ok = false;

	switch (id->type) {
	case IKEV2_ID_DER_ASN1_DN:
		name = d2i_X509_NAME(NULL, &p, id->len);
		ok = name && p == id->data + id->len &&
		     !X509_NAME_cmp(name, X509_get_subject_name(pc->cert));
		X509_NAME_free(name);
		break;
	case IKEV2_ID_IPV4_ADDR:
	case IKEV2_ID_IPV6_ADDR:
		ok = X509_check_ip(pc->cert, id->data, id->len, 0) == 1;
		break;
	case IKEV2_ID_FQDN:
	case IKEV2_ID_RFC822_ADDR:
		/* X509_check_host() takes ".example.org" as any name under it */
		if (!id->len || memchr(id->data, 0, id->len) || id->data[0] == '.')
			break;
		memcpy(text, id->data, id->len);
		text[id->len] = 0;
		ok = id->type == IKEV2_ID_FQDN ?
		     X509_check_host(pc->cert, text, id->len, flags, NULL) == 1 :
		     X509_check_email(pc->cert, text, id->len, flags) == 1;
		break;
	case IKEV2_ID_KEY_ID:
		ok = X509_pubkey_digest(pc->cert, EVP_sha1(), kid, &klen) == 1 &&
		     klen == id->len && !memcmp(kid, id->data, klen);
		break;
	default:
		break;
	}
	ERR_clear_error();
	return ok;
}

/* RSASSA-PSS's parameters (RFC 4055): hash, MGF1's hash, salt length. */
static int cert_pss_params(const X509_ALGOR *alg, const EVP_MD **md, const EVP_MD **mgf1,
			   int *salt)
{
	const ASN1_OBJECT *obj;
	const ASN1_STRING *s;
	const unsigned char *p;
	RSA_PSS_PARAMS *pss;
	X509_ALGOR *mh = NULL;
	const void *pval;
	int ptype, ret = -1;

	X509_ALGOR_get0(&obj, &ptype, &pval, alg);
	if (ptype != V_ASN1_SEQUENCE)
		return -1;
	s = pval;
	p = ASN1_STRING_get0_data(s);
	pss = d2i_RSA_PSS_PARAMS(NULL, &p, ASN1_STRING_length(s));
	if (!pss)
		return -1;
	*md = pss->hashAlgorithm ? EVP_get_digestbyobj(pss->hashAlgorithm->algorithm) :
				   EVP_sha1();
	*mgf1 = EVP_sha1();
	if (pss->maskGenAlgorithm) {
		X509_ALGOR_get0(&obj, &ptype, &pval, pss->maskGenAlgorithm);
		if (OBJ_obj2nid(obj) != NID_mgf1 || ptype != V_ASN1_SEQUENCE)
			goto out;
		s = pval;
		p = ASN1_STRING_get0_data(s);
		mh = d2i_X509_ALGOR(NULL, &p, ASN1_STRING_length(s));
		if (!mh)
			goto out;
		*mgf1 = EVP_get_digestbyobj(mh->algorithm);
	}
	*salt = pss->saltLength ? (int)ASN1_INTEGER_get(pss->saltLength) : 20;
	if (pss->trailerField && ASN1_INTEGER_get(pss->trailerField) != 1)
		goto out;
	ret = *md && *mgf1 && *salt >= 0 ? 0 : -1;
out:
	X509_ALGOR_free(mh);
	RSA_PSS_PARAMS_free(pss);
	return ret;
}

/* Whether @md is one of the SHA-2 hashes we announce. */
static bool cert_md_announced(const EVP_MD *md)
{
	int t = md ? EVP_MD_get_type(md) : NID_undef;

	return t == NID_sha256 || t == NID_sha384 || t == NID_sha512;
}

/* Checks an RFC 7427 AUTH: AlgorithmIdentifier, then the signature. */
static int cert_check_7427(const struct ike_peer_cert *pc, const uint8_t *data, size_t len,
			   const uint8_t *octets, size_t olen, char *why, size_t whylen)
{
	int type = EVP_PKEY_get_base_id(pc->key), nid, want, salt = 0, ptype;
	const EVP_MD *md = NULL, *mgf1 = NULL;
	const unsigned char *p = data + 1;
	X509_ALGOR *alg = NULL;
	size_t slen;
	int ret = -EACCES;

	if (len < 2 || (size_t)data[0] + 1 >= len) {
		snprintf(why, whylen, "malformed RFC 7427 AUTH data");
		return -EBADMSG;
	}
	alg = d2i_X509_ALGOR(NULL, &p, data[0]);
	if (!alg || p != data + 1 + data[0]) {
		snprintf(why, whylen, "unreadable signature AlgorithmIdentifier");
		ret = -EBADMSG;
		goto out;
	}
	nid = OBJ_obj2nid(alg->algorithm);
	switch (nid) {
	case NID_sha256WithRSAEncryption: md = EVP_sha256(); want = EVP_PKEY_RSA; break;
	case NID_sha384WithRSAEncryption: md = EVP_sha384(); want = EVP_PKEY_RSA; break;
	case NID_sha512WithRSAEncryption: md = EVP_sha512(); want = EVP_PKEY_RSA; break;
	case NID_ecdsa_with_SHA256: md = EVP_sha256(); want = EVP_PKEY_EC; break;
	case NID_ecdsa_with_SHA384: md = EVP_sha384(); want = EVP_PKEY_EC; break;
	case NID_ecdsa_with_SHA512: md = EVP_sha512(); want = EVP_PKEY_EC; break;
	case NID_ED25519: want = EVP_PKEY_ED25519; break;
	case NID_ED448: want = EVP_PKEY_ED448; break;
	case NID_rsassaPss:
		want = EVP_PKEY_RSA;
		if (cert_pss_params(alg, &md, &mgf1, &salt) || !cert_md_announced(mgf1)) {
			snprintf(why, whylen, "RSASSA-PSS parameters we do not take");
			goto out;
		}
		break;
	default:
		snprintf(why, whylen, "signature scheme %s is not one veil-iked checks",
			 nid == NID_undef ? "(unknown)" : OBJ_nid2sn(nid));
		goto out;
	}
	if (nid != NID_rsassaPss) {
		/* PKCS#1 names NULL parameters; ECDSA and EdDSA none at all */
		X509_ALGOR_get0(NULL, &ptype, NULL, alg);
		if (ptype != V_ASN1_UNDEF && !(ptype == V_ASN1_NULL && want == EVP_PKEY_RSA)) {
			snprintf(why, whylen, "unexpected parameters for %s", OBJ_nid2sn(nid));
			goto out;
		}
	}
	if (type != want) {
		snprintf(why, whylen, "an %s signature from a %s key", OBJ_nid2sn(nid),
			 OBJ_nid2sn(type));
		goto out;
	}
	if (md && !cert_md_announced(md)) {
		snprintf(why, whylen, "signature hash %s was not among those we announced",
			 EVP_MD_get0_name(md));
		goto out;
	}
	slen = len - 1 - data[0];
	if (cert_evp(pc->key, md, true, salt, mgf1, octets, olen, (uint8_t *)p, &slen)) {
		snprintf(why, whylen, "the %s signature does not verify", OBJ_nid2sn(nid));
		goto out;
	}
	ret = 0;
out:
	X509_ALGOR_free(alg);
	ERR_clear_error();
	return ret;
}

/**
 * ike_peer_cert_check_auth - check the peer's AUTH against its certificate
 * @pc: the peer's checked certificate
 * @method: the AUTH payload's method
 * @data: its data
 * @len: its length
 * @octets: what the peer signed (§2.15)
 * @octets_len: their length
 * @why: on failure, the reason
 * @whylen: its size
 *
 * Return: 0, or a negative errno.
 */
int ike_peer_cert_check_auth(const struct ike_peer_cert *pc, uint8_t method,
			     const uint8_t *data, size_t len, const uint8_t *octets,
			     size_t octets_len, char *why, size_t whylen)
{
	int type = EVP_PKEY_get_base_id(pc->key), half, ret;
	unsigned int hash;
	ECDSA_SIG *es;
	BIGNUM *r, *s;
	unsigned char *der = NULL;
	size_t dlen;

	switch (method) {
	case IKEV2_AUTH_DIGITAL_SIGNATURE:
		return cert_check_7427(pc, data, len, octets, octets_len, why, whylen);
	case IKEV2_AUTH_RSA_SIG:
		dlen = len;
		if (type != EVP_PKEY_RSA ||
		    cert_evp(pc->key, EVP_sha1(), true, 0, NULL, octets, octets_len,
			     (uint8_t *)data, &dlen)) {
			snprintf(why, whylen, "the RSA signature does not verify");
			return -EACCES;
		}
		return 0;
	case IKEV2_AUTH_ECDSA_SHA256_P256:
	case IKEV2_AUTH_ECDSA_SHA384_P384:
	case IKEV2_AUTH_ECDSA_SHA512_P521:
		hash = method == IKEV2_AUTH_ECDSA_SHA256_P256 ? IKEV2_HASH_SHA2_256 :
		       method == IKEV2_AUTH_ECDSA_SHA384_P384 ? IKEV2_HASH_SHA2_384 :
								 IKEV2_HASH_SHA2_512;
		if (type != EVP_PKEY_EC || cert_ec_hash(pc->key) != hash) {
			snprintf(why, whylen, "AUTH method %u does not fit the certificate's key",
				 method);
			return -EACCES;
		}
		half = (EVP_PKEY_get_bits(pc->key) + 7) / 8;
		if (len != (size_t)2 * half) {
			snprintf(why, whylen, "ECDSA signature of %zu bytes", len);
			return -EBADMSG;
		}
		es = ECDSA_SIG_new();
		r = BN_bin2bn(data, half, NULL);
		s = BN_bin2bn(data + half, half, NULL);
		if (!es || !r || !s || ECDSA_SIG_set0(es, r, s) != 1) {
			BN_free(r);
			BN_free(s);
			ECDSA_SIG_free(es);
			return -ENOMEM;
		}
		ret = i2d_ECDSA_SIG(es, &der);
		ECDSA_SIG_free(es);
		if (ret <= 0)
			return -ENOMEM;
		dlen = ret;
		ret = cert_evp(pc->key, cert_md(hash), true, 0, NULL, octets, octets_len, der,
			       &dlen);
		OPENSSL_free(der);
		if (ret) {
			snprintf(why, whylen, "the ECDSA signature does not verify");
			return -EACCES;
		}
		return 0;
	default:
		snprintf(why, whylen, "AUTH method %u is not a signature veil-iked checks", method);
		return -ENOTSUP;
	}
}

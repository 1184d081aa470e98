// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side tests of veil-iked's certificates (iked/cert.c): loading a
 * connection's credentials through the configuration, RFC 7427 and the
 * fixed AUTH methods signed and checked, RSASSA-PSS from a peer, AUTH data
 * that must be refused, chain verification, the identities a certificate
 * vouches for, and CERTREQ's CA hashes. The keys and certificates are made
 * here at run time with OpenSSL, written as PEM into a temporary directory
 * that is removed at the end; signatures are also checked independently
 * with OpenSSL's one-shot functions, not only through the code under test.
 * Output is KTAP; the exit status is non-zero when any check fails.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/dsa.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "cert.h"
#include "config.h"
#include "id.h"
#include "ikev2.h"

#include "ktap.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* SIGNATURE_HASH_ALGORITHMS as ike_init.c keeps it: bit 0 says it came. */
#define HASHES_ANNOUNCED	((ike_hash_mask)1)
#define HASH_BIT(h)		((ike_hash_mask)(1 << (h)))
#define HASHES_ALL		(HASHES_ANNOUNCED | HASH_BIT(IKEV2_HASH_SHA2_256) |	\
				 HASH_BIT(IKEV2_HASH_SHA2_384) |			\
				 HASH_BIT(IKEV2_HASH_SHA2_512) |			\
				 HASH_BIT(IKEV2_HASH_IDENTITY))

/* The temporary directory, and the files written into it (to remove). */
static char tmp_dir[] = "/tmp/ike_cert_test.XXXXXX";
static char tmp_files[64][64];
static unsigned int n_tmp_files;

/* The root CA most certificates here are issued by (root.pem), and one RSA key. */
static EVP_PKEY *root_key;
static X509 *root_cert;
static EVP_PKEY *rsa_key;

/* What the AUTH signatures sign: §2.15's octets stand-in. */
static uint8_t octets[160];

static void tmp_path(const char *name, char *out, size_t len)
{
	snprintf(out, len, "%s/%s", tmp_dir, name);
}

static void tmp_note(const char *name)
{
	unsigned int i;

	for (i = 0; i < n_tmp_files; i++)
		if (!strcmp(tmp_files[i], name))
			return;
	if (n_tmp_files < ARRAY_SIZE(tmp_files))
		snprintf(tmp_files[n_tmp_files++], sizeof(tmp_files[0]), "%s", name);
}

/* A key: "RSA" (2048 bits), "P-256", "P-384", "P-521", "DSA", or an OpenSSL name. */
static EVP_PKEY *key_new(const char *type)
{
	EVP_PKEY_CTX *ctx = NULL, *kctx = NULL;
	EVP_PKEY *params = NULL, *key = NULL;

	if (!strcmp(type, "RSA"))
		return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	if (!strncmp(type, "P-", 2))
		return EVP_PKEY_Q_keygen(NULL, NULL, "EC", type);
	if (strcmp(type, "DSA"))
		return EVP_PKEY_Q_keygen(NULL, NULL, type);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "DSA", NULL);
	if (ctx && EVP_PKEY_paramgen_init(ctx) == 1 &&
	    EVP_PKEY_CTX_set_dsa_paramgen_bits(ctx, 1024) == 1 &&
	    EVP_PKEY_CTX_set_dsa_paramgen_q_bits(ctx, 160) == 1 &&
	    EVP_PKEY_paramgen(ctx, &params) == 1) {
		kctx = EVP_PKEY_CTX_new_from_pkey(NULL, params, NULL);
		if (kctx && EVP_PKEY_keygen_init(kctx) == 1)
			EVP_PKEY_keygen(kctx, &key);
	}
	EVP_PKEY_CTX_free(kctx);
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(params);
	return key;
}

static int cert_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509_EXTENSION *ext;
	X509V3_CTX v3;
	int ok;

	X509V3_set_ctx(&v3, issuer, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
	ok = ext && X509_add_ext(x, ext, -1) == 1;
	X509_EXTENSION_free(ext);
	return ok ? 0 : -1;
}

/**
 * cert_new - a certificate
 * @key: its key (the public half goes in)
 * @subject: "C=CH/O=x/CN=y"
 * @issuer: its issuer, or NULL for self-signed
 * @issuer_key: the issuer's key (or @key)
 * @ca: basicConstraints CA:TRUE
 * @san: subjectAltName as OpenSSL's configuration writes it, or NULL
 * @from: notBefore, seconds from now
 * @to: notAfter, seconds from now
 */
static X509 *cert_new(EVP_PKEY *key, const char *subject, X509 *issuer, EVP_PKEY *issuer_key,
		      bool ca, const char *san, long from, long to)
{
	static long serial;
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();
	char buf[256], *tok, *save, *eq;
	int type, ok;

	snprintf(buf, sizeof(buf), "%s", subject);
	ok = x && name && X509_set_version(x, X509_VERSION_3) == 1 &&
	     ASN1_INTEGER_set(X509_get_serialNumber(x), ++serial) == 1 &&
	     X509_gmtime_adj(X509_getm_notBefore(x), from) &&
	     X509_gmtime_adj(X509_getm_notAfter(x), to) && X509_set_pubkey(x, key) == 1;
	for (tok = strtok_r(buf, "/", &save); ok && tok; tok = strtok_r(NULL, "/", &save)) {
		eq = strchr(tok, '=');
		if (!eq) {
			ok = 0;
			break;
		}
		*eq = 0;
		ok = X509_NAME_add_entry_by_txt(name, tok, MBSTRING_ASC,
						(const unsigned char *)eq + 1, -1, -1, 0) == 1;
	}
	ok = ok && X509_set_subject_name(x, name) == 1 &&
	     X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name) == 1;
	if (ok && ca)
		ok = !cert_ext(x, issuer ? issuer : x, NID_basic_constraints, "critical,CA:TRUE") &&
		     !cert_ext(x, issuer ? issuer : x, NID_key_usage,
			       "critical,keyCertSign,cRLSign,digitalSignature");
	if (ok && san)
		ok = !cert_ext(x, issuer ? issuer : x, NID_subject_alt_name, san);
	type = EVP_PKEY_get_base_id(issuer_key);
	ok = ok && X509_sign(x, issuer_key, type == EVP_PKEY_ED25519 || type == EVP_PKEY_ED448 ?
				 NULL : EVP_sha256()) > 0;
	X509_NAME_free(name);
	if (!ok) {
		printf("# cannot make certificate %s\n", subject);
		ERR_print_errors_fp(stdout);
		X509_free(x);
		return NULL;
	}
	return x;
}

/* A leaf issued by the root CA, valid for a day. */
static X509 *leaf_new(EVP_PKEY *key, const char *subject, const char *san)
{
	return cert_new(key, subject, root_cert, root_key, false, san, -3600, 86400);
}

/**
 * pem_write - a PEM file in the temporary directory
 * @name: its name
 * @key_first: a private key written before the certificates, or NULL
 * @c1: a certificate, or NULL
 * @c2: another after it, or NULL
 * @key: a private key written after them, or NULL
 * @pass: encrypt @key with this passphrase, or NULL
 */
static int pem_write(const char *name, EVP_PKEY *key_first, X509 *c1, X509 *c2, EVP_PKEY *key,
		     const char *pass)
{
	char path[PATH_MAX];
	BIO *bio;
	int ok;

	tmp_path(name, path, sizeof(path));
	tmp_note(name);
	bio = BIO_new_file(path, "w");
	ok = bio != NULL;
	if (ok && key_first)
		ok = PEM_write_bio_PrivateKey(bio, key_first, NULL, NULL, 0, NULL, NULL);
	if (ok && c1)
		ok = PEM_write_bio_X509(bio, c1);
	if (ok && c2)
		ok = PEM_write_bio_X509(bio, c2);
	if (ok && key)
		ok = pass ? PEM_write_bio_PrivateKey(bio, key, EVP_aes_256_cbc(),
						     (const unsigned char *)pass,
						     (int)strlen(pass), NULL, NULL) :
			    PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL);
	BIO_free(bio);
	if (!CHECK(ok))
		printf("# cannot write %s\n", path);
	return ok ? 0 : -1;
}

static int text_write(const char *name, const void *data, size_t len)
{
	char path[PATH_MAX];
	FILE *f;
	int ok;

	tmp_path(name, path, sizeof(path));
	tmp_note(name);
	f = fopen(path, "w");
	ok = f && fwrite(data, 1, len, f) == len;
	if (f && fclose(f))
		ok = 0;
	if (!CHECK(ok))
		printf("# cannot write %s\n", path);
	return ok ? 0 : -1;
}

/* A certificate's DER (free it with OPENSSL_free()). */
static uint8_t *cert_der(X509 *x, size_t *len)
{
	unsigned char *der = NULL;
	int n = i2d_X509(x, &der);

	*len = n > 0 ? (size_t)n : 0;
	return n > 0 ? der : NULL;
}

/**
 * creds_load_conn - a configuration with one connection "c", its credentials
 *	loaded
 * @cfg: the configuration (iked_conf_free() it whatever this returns)
 * @more: more settings of the connection ("version = 1; "), or ""
 * @local: the local section's settings
 * @remote: the remote section's
 * @err: iked_creds_load()'s error
 * @errlen: its size
 *
 * The file is iked.conf in the temporary directory, so relative paths in
 * it are the temporary directory's files.
 *
 * Return: 0, -1 when iked_creds_load() fails, -2 when the configuration
 * itself does not load (a failed check).
 */
static int creds_load_conn(struct iked_config *cfg, const char *more, const char *local,
			   const char *remote, char *err, size_t errlen)
{
	char text[2048], path[PATH_MAX];
	int n;

	memset(cfg, 0, sizeof(*cfg));
	n = snprintf(text, sizeof(text),
		     "connections = {\n  c = {\n    %sremote_addrs = \"192.0.2.2\";\n"
		     "    local = { %s };\n    remote = { %s };\n  };\n};\n", more, local,
		     remote);
	if (text_write("iked.conf", text, n))
		return -2;
	tmp_path("iked.conf", path, sizeof(path));
	if (!CHECK(!iked_conf_load(cfg, path, err, errlen))) {
		printf("# %s\n", err);
		return -2;
	}
	return iked_creds_load(cfg, path, err, errlen) ? -1 : 0;
}

/* creds_load_conn() with nothing more in the connection. */
static int creds_load(struct iked_config *cfg, const char *local, const char *remote, char *err,
		      size_t errlen)
{
	return creds_load_conn(cfg, "", local, remote, err, errlen);
}

/* Verifies @n certificates as a peer's CERT payloads would carry them. */
static int peer_verify(const struct iked_cred *cas, X509 *const *chain, unsigned int n,
		       struct ike_peer_cert **pc, char *why, size_t whylen)
{
	const uint8_t *der[IKE_CERT_CHAIN_MAX];
	uint8_t *buf[IKE_CERT_CHAIN_MAX];
	size_t len[IKE_CERT_CHAIN_MAX];
	unsigned int i;
	int ret = -ENOMEM;

	for (i = 0; i < n; i++)
		der[i] = buf[i] = cert_der(chain[i], &len[i]);
	for (i = 0; i < n && der[i]; i++)
		;
	if (i == n)
		ret = ike_peer_cert_verify(cas, der, len, n, pc, why, whylen);
	for (i = 0; i < n; i++)
		OPENSSL_free(buf[i]);
	return ret;
}

/**
 * struct party - a peer: its key and certificate (issued by the root CA),
 *	loaded as a connection's local credentials, and checked as the other
 *	end would check it
 * @key: the key
 * @cert: its certificate
 * @cfg: the configuration both credentials hang off
 * @local: the signing side's credentials
 * @cas: the checking side's (root.pem)
 * @pc: @cert, verified against @cas
 */
struct party {
	EVP_PKEY *key;
	X509 *cert;
	struct iked_config cfg;
	const struct iked_cred *local;
	const struct iked_cred *cas;
	struct ike_peer_cert *pc;
};

static void party_free(struct party *p)
{
	ike_peer_cert_free(p->pc);
	iked_conf_free(&p->cfg);
	X509_free(p->cert);
	EVP_PKEY_free(p->key);
	memset(p, 0, sizeof(*p));
}

/* @key (taken) and a certificate for it, files NAME.pem and NAME.key. */
static int party_new(struct party *p, const char *name, EVP_PKEY *key)
{
	char subject[128], cert_file[64], key_file[64], local[256], err[512] = "";

	memset(p, 0, sizeof(*p));
	p->key = key;
	if (!CHECK(key)) {
		printf("# %s: no key\n", name);
		return -1;
	}
	snprintf(subject, sizeof(subject), "O=veil test/CN=%s.example.org", name);
	snprintf(cert_file, sizeof(cert_file), "%s.pem", name);
	snprintf(key_file, sizeof(key_file), "%s.key", name);
	snprintf(local, sizeof(local), "auth = \"pubkey\"; certs = \"%s\"; key = \"%s\";",
		 cert_file, key_file);
	p->cert = leaf_new(key, subject, NULL);
	if (!CHECK(p->cert) || pem_write(cert_file, NULL, p->cert, NULL, NULL, NULL) ||
	    pem_write(key_file, NULL, NULL, NULL, key, NULL))
		goto fail;
	if (!CHECK(!creds_load(&p->cfg, local, "auth = \"pubkey\"; cacerts = \"root.pem\";", err,
			       sizeof(err)))) {
		printf("# %s: %s\n", name, err);
		goto fail;
	}
	p->local = p->cfg.conns[0].local.cred;
	p->cas = p->cfg.conns[0].remote.cred;
	if (!CHECK(p->local && p->cas))
		goto fail;
	if (!CHECK(!peer_verify(p->cas, &p->cert, 1, &p->pc, err, sizeof(err)))) {
		printf("# %s: %s\n", name, err);
		goto fail;
	}
	return 0;
fail:
	party_free(p);
	return -1;
}

static int check_auth(const struct party *p, uint8_t method, const uint8_t *data, size_t len,
		      char *why, size_t whylen)
{
	return ike_peer_cert_check_auth(p->pc, method, data, len, octets, sizeof(octets), why,
					whylen);
}

/* Whether @sig verifies over the octets with OpenSSL alone (PKCS#1 v1.5 for RSA). */
static bool evp_verifies(X509 *cert, const EVP_MD *md, const uint8_t *sig, size_t len)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	bool ok = ctx && EVP_DigestVerifyInit(ctx, NULL, md, NULL, X509_get0_pubkey(cert)) == 1 &&
		  EVP_DigestVerify(ctx, sig, len, octets, sizeof(octets)) == 1;

	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return ok;
}

/* The same for a fixed-method ECDSA signature, r || s. */
static bool evp_verifies_rs(X509 *cert, const EVP_MD *md, const uint8_t *rs, size_t len)
{
	ECDSA_SIG *es = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(rs, (int)len / 2, NULL), *s = BN_bin2bn(rs + len / 2,
								      (int)len / 2, NULL);
	unsigned char *der = NULL;
	bool ok = false;
	int n;

	if (es && r && s && ECDSA_SIG_set0(es, r, s) == 1) {
		r = s = NULL;
		n = i2d_ECDSA_SIG(es, &der);
		ok = n > 0 && evp_verifies(cert, md, der, n);
	}
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(es);
	OPENSSL_free(der);
	return ok;
}

/* The NID of an RFC 7427 AUTH's AlgorithmIdentifier, NID_undef if malformed. */
static int auth_algid_nid(const uint8_t *data, size_t len, X509_ALGOR **out)
{
	const unsigned char *p = data + 1;
	X509_ALGOR *alg;
	int nid;

	if (len < 2 || (size_t)data[0] + 1 >= len)
		return NID_undef;
	alg = d2i_X509_ALGOR(NULL, &p, data[0]);
	if (!alg || p != data + 1 + data[0]) {
		X509_ALGOR_free(alg);
		return NID_undef;
	}
	nid = OBJ_obj2nid(alg->algorithm);
	if (out)
		*out = alg;
	else
		X509_ALGOR_free(alg);
	return nid;
}

/*
 * Where an RFC 7427 AUTH's algorithm OID ends: [len] 30 L 06 N <N bytes>.
 * The parameters after it are not covered by the signature, and cert.c
 * does not check them (NULL for RSA, absent for ECDSA and EdDSA), so a
 * flipped bit there may be harmlessly accepted; the tests flip no bit
 * there.
 */
static size_t auth_oid_end(const uint8_t *data)
{
	return (size_t)5 + data[4];
}

/*
 * How many single-bit changes of @data[@from..@to) check_auth accepts (each
 * should fail): every bit, or bit i % 8 of byte i.
 */
static unsigned int flips_accepted(const struct party *p, uint8_t method, uint8_t *data,
				   size_t len, size_t from, size_t to, bool every_bit)
{
	unsigned int bad = 0, bit;
	char why[512];
	size_t i;

	for (i = from; i < to; i++)
		for (bit = every_bit ? 0 : i % 8; bit < (every_bit ? 8 : i % 8 + 1); bit++) {
			data[i] ^= 1 << bit;
			if (!check_auth(p, method, data, len, why, sizeof(why))) {
				printf("# AUTH data byte %zu bit %u flipped: accepted\n", i, bit);
				bad++;
			}
			data[i] ^= 1 << bit;
		}
	return bad;
}

/* The same for the signed octets. */
static unsigned int octet_flips_accepted(const struct party *p, uint8_t method,
					 const uint8_t *data, size_t len)
{
	unsigned int bad = 0;
	char why[512];
	size_t i;

	for (i = 0; i < sizeof(octets); i++) {
		octets[i] ^= 1 << (i % 8);
		if (!check_auth(p, method, data, len, why, sizeof(why))) {
			printf("# signed octet %zu flipped: accepted\n", i);
			bad++;
		}
		octets[i] ^= 1 << (i % 8);
	}
	return bad;
}

static void test_load(void)
{
	struct iked_config cfg;
	X509 *leaf = NULL, *inter = NULL;
	EVP_PKEY *inter_key = key_new("P-256"), *leaf_key = key_new("P-256");
	const struct iked_cred *cred;
	struct iked_id id;
	char err[1024] = "", local[PATH_MAX + 128], path[PATH_MAX];
	const uint8_t *der;
	unsigned char *want = NULL;
	uint8_t *leaf_der = NULL, *inter_der = NULL;
	size_t len, leaf_len = 0, inter_len = 0;
	int n;

	if (!CHECK(inter_key && leaf_key))
		goto out;
	inter = cert_new(inter_key, "O=veil test/CN=Intermediate CA", root_cert, root_key, true,
			 NULL, -3600, 86400);
	leaf = cert_new(leaf_key, "C=CH/O=veil test/CN=gw.example.org", inter, inter_key, false,
			"DNS:gw.example.org", -3600, 86400);
	if (!CHECK(inter && leaf))
		goto out;
	leaf_der = cert_der(leaf, &leaf_len);
	inter_der = cert_der(inter, &inter_len);
	if (!CHECK(leaf_der && inter_der) ||
	    pem_write("leaf.pem", NULL, leaf, NULL, NULL, NULL) ||
	    pem_write("leaf.key", NULL, NULL, NULL, leaf_key, NULL) ||
	    pem_write("inter.pem", NULL, inter, NULL, NULL, NULL) ||
	    pem_write("both.pem", NULL, leaf, NULL, leaf_key, NULL) ||
	    pem_write("keyfirst.pem", leaf_key, leaf, NULL, NULL, NULL) ||
	    pem_write("chain.pem", NULL, leaf, inter, leaf_key, NULL) ||
	    text_write("leaf.der", leaf_der, leaf_len))
		goto out;

	/* Relative paths are the configuration file's directory's, not ours. */
	CHECK(strcmp(getcwd(path, sizeof(path)) ? path : "", tmp_dir));
	if (CHECK(!creds_load(&cfg, "auth = \"pubkey\"; certs = \"leaf.pem\"; key = \"leaf.key\";",
			      "auth = \"pubkey\"; cacerts = \"root.pem\";", err, sizeof(err)))) {
		cred = cfg.conns[0].local.cred;
		CHECK(cred && iked_cred_n_certs(cred) == 1);
		der = cred ? iked_cred_cert_der(cred, 0, &len) : NULL;
		CHECK(der && len == leaf_len && !memcmp(der, leaf_der, len));
		CHECK(cred && !strcmp(iked_cred_key_type(cred), "ECDSA"));
		CHECK(cfg.conns[0].remote.cred);
		/* The subject is the DN identity, the certificate's own DER of it. */
		n = i2d_X509_NAME(X509_get_subject_name(leaf), &want);
		CHECK(cred && !iked_cred_subject(cred, &id));
		CHECK(id.type == IKEV2_ID_DER_ASN1_DN && n > 0 && id.len == n &&
		      !memcmp(id.data, want, n));
		OPENSSL_free(want);
		want = NULL;
	} else {
		printf("# %s\n", err);
	}
	iked_conf_free(&cfg);
	CHECK(!cfg.conns && !cfg.n_conns);

	/* An absolute path; a DER certificate. */
	tmp_path("leaf.key", path, sizeof(path));
	snprintf(local, sizeof(local), "auth = \"pubkey\"; certs = \"leaf.der\"; key = \"%s\";",
		 path);
	if (!CHECK(!creds_load(&cfg, local, "auth = \"psk\";", err, sizeof(err))))
		printf("# %s\n", err);
	CHECK(cfg.n_conns == 1 && cfg.conns[0].local.cred && !cfg.conns[0].remote.cred);
	iked_conf_free(&cfg);

	/* Certificate and key in one file, no key =, either order. */
	if (!CHECK(!creds_load(&cfg, "auth = \"pubkey\"; certs = \"both.pem\";", "auth = \"psk\";",
			       err, sizeof(err))))
		printf("# %s\n", err);
	CHECK(cfg.n_conns == 1 && cfg.conns[0].local.cred);
	iked_conf_free(&cfg);
	if (!CHECK(!creds_load(&cfg, "auth = \"pubkey\"; certs = \"keyfirst.pem\";",
			       "auth = \"psk\";", err, sizeof(err))))
		printf("# %s\n", err);
	CHECK(cfg.n_conns == 1 && cfg.conns[0].local.cred);
	iked_conf_free(&cfg);

	/* Intermediates: in a second file, or after the certificate in the first. */
	if (CHECK(!creds_load(&cfg, "auth = \"pubkey\"; certs = [\"leaf.pem\", \"inter.pem\"];"
			      " key = \"leaf.key\";", "auth = \"psk\";", err, sizeof(err))) &&
	    CHECK(cfg.conns[0].local.cred)) {
		cred = cfg.conns[0].local.cred;
		CHECK(iked_cred_n_certs(cred) == 2);
		der = iked_cred_cert_der(cred, 0, &len);
		CHECK(len == leaf_len && !memcmp(der, leaf_der, len));
		der = iked_cred_cert_der(cred, 1, &len);
		CHECK(len == inter_len && !memcmp(der, inter_der, len));
	} else {
		printf("# %s\n", err);
	}
	iked_conf_free(&cfg);
	if (CHECK(!creds_load(&cfg, "auth = \"pubkey\"; certs = \"chain.pem\";", "auth = \"psk\";",
			      err, sizeof(err))) && CHECK(cfg.conns[0].local.cred)) {
		cred = cfg.conns[0].local.cred;
		CHECK(iked_cred_n_certs(cred) == 2);
		der = iked_cred_cert_der(cred, 0, &len);
		CHECK(len == leaf_len && !memcmp(der, leaf_der, len));
		der = iked_cred_cert_der(cred, 1, &len);
		CHECK(len == inter_len && !memcmp(der, inter_der, len));
	} else {
		printf("# %s\n", err);
	}
	iked_conf_free(&cfg);
out:
	OPENSSL_free(leaf_der);
	OPENSSL_free(inter_der);
	X509_free(leaf);
	X509_free(inter);
	EVP_PKEY_free(leaf_key);
	EVP_PKEY_free(inter_key);
}

/* Loading must fail, and the error say @msg (and @msg2, if given). */
static void load_bad(const char *local, const char *remote, const char *msg, const char *msg2)
{
	struct iked_config cfg;
	char err[1024] = "";
	int ret = creds_load(&cfg, local, remote, err, sizeof(err));

	CHECK(ret == -1);
	if (!CHECK(strstr(err, msg) && (!msg2 || strstr(err, msg2))))
		printf("# [%s] [%s]: \"%s\" lacks \"%s\"%s%s\n", local, remote, err, msg,
		       msg2 ? " or " : "", msg2 ? msg2 : "");
	iked_conf_free(&cfg);
	CHECK(!cfg.conns && !cfg.n_conns);
}

static void test_load_errors(void)
{
	EVP_PKEY *key = key_new("P-256"), *other = key_new("P-256"), *dsa = key_new("DSA");
	X509 *cert = NULL, *dsa_cert = NULL;

	if (!CHECK(key && other && dsa))
		goto out;
	cert = leaf_new(key, "O=veil test/CN=bad.example.org", NULL);
	dsa_cert = leaf_new(dsa, "O=veil test/CN=dsa.example.org", NULL);
	if (!CHECK(cert && dsa_cert) ||
	    pem_write("bad.pem", NULL, cert, NULL, NULL, NULL) ||
	    pem_write("bad.key", NULL, NULL, NULL, key, NULL) ||
	    pem_write("other.key", NULL, NULL, NULL, other, NULL) ||
	    pem_write("secret.key", NULL, NULL, NULL, key, "passphrase") ||
	    pem_write("dsa.pem", NULL, dsa_cert, NULL, dsa, NULL) ||
	    text_write("junk.pem", "not a certificate\n", 18))
		goto out;

	load_bad("auth = \"pubkey\"; certs = \"missing.pem\"; key = \"bad.key\";",
		 "auth = \"psk\";", "connection c, local: ", "missing.pem: No such file");
	/* the path is the configuration file's directory's */
	load_bad("auth = \"pubkey\"; certs = \"missing.pem\"; key = \"bad.key\";",
		 "auth = \"psk\";", tmp_dir, NULL);
	load_bad("auth = \"pubkey\"; certs = \"bad.pem\"; key = \"missing.key\";",
		 "auth = \"psk\";", "key ", "missing.key: No such file");
	load_bad("auth = \"pubkey\"; certs = \"bad.pem\";", "auth = \"psk\";",
		 "bad.pem: no private key it can read", NULL);
	load_bad("auth = \"pubkey\"; certs = \"bad.pem\"; key = \"other.key\";",
		 "auth = \"psk\";", "other.key is not the key of certificate bad.pem", NULL);
	load_bad("auth = \"pubkey\"; certs = \"bad.pem\"; key = \"secret.key\";",
		 "auth = \"psk\";", "secret.key: no private key it can read", "not encrypted");
	load_bad("auth = \"pubkey\"; certs = \"dsa.pem\";", "auth = \"psk\";",
		 "a DSA key: IKE signs with RSA, ECDSA, Ed25519 or Ed448", NULL);
	load_bad("auth = \"pubkey\"; certs = \"junk.pem\"; key = \"bad.key\";", "auth = \"psk\";",
		 "junk.pem: no certificate in it", NULL);
	load_bad("auth = \"pubkey\"; certs = \"bad.pem\"; key = \"junk.pem\";", "auth = \"psk\";",
		 "junk.pem: no private key it can read", NULL);
	/* the remote side's CAs */
	load_bad("auth = \"psk\";", "auth = \"pubkey\"; cacerts = [\"root.pem\", \"nope.pem\"];",
		 "connection c, remote: cacerts ", "nope.pem: No such file");
	load_bad("auth = \"psk\";", "auth = \"pubkey\"; cacerts = \"junk.pem\";",
		 "connection c, remote: cacerts ", "junk.pem: no certificate in it");
	/* local loads, then remote fails: what loaded is freed with the configuration */
	load_bad("auth = \"pubkey\"; certs = \"bad.pem\"; key = \"bad.key\";",
		 "auth = \"pubkey\"; cacerts = \"nope.pem\";", "connection c, remote: ", "nope.pem");
out:
	X509_free(cert);
	X509_free(dsa_cert);
	EVP_PKEY_free(key);
	EVP_PKEY_free(other);
	EVP_PKEY_free(dsa);
}

/**
 * struct sign_case - one key type's RFC 7427 signature
 * @name: the key, as key_new() takes it
 * @type: iked_cred_key_type()
 * @nid: the AlgorithmIdentifier it must sign with, all hashes announced
 * @md: the hash, NID_undef for EdDSA
 * @algid: that AlgorithmIdentifier's DER as RFC 7427 A.1 and A.3 and
 *	RFC 8420 write it (NULL parameters for RSA, none for the others)
 * @algid_len: its length
 */
struct sign_case {
	const char *name;
	const char *type;
	int nid;
	int md;
	const char *algid;
	size_t algid_len;
};

#define ALGID(der) der, sizeof(der) - 1

static void sign_7427(const struct sign_case *sc)
{
	uint8_t sig[IKE_CERT_SIG_MAX], method = 0;
	struct party p;
	char why[512] = "", file[32];
	size_t len = 0, alen;
	int nid;

	snprintf(file, sizeof(file), "sig-%s", sc->name);
	if (party_new(&p, file, !strcmp(sc->name, "RSA") && EVP_PKEY_up_ref(rsa_key) ? rsa_key :
			    key_new(sc->name)))
		return;
	CHECK(!strcmp(iked_cred_key_type(p.local), sc->type));
	if (!CHECK(!iked_cred_sign(p.local, HASHES_ALL, octets, sizeof(octets), &method, sig, &len,
				   why, sizeof(why)))) {
		printf("# %s: %s\n", sc->name, why);
		goto out;
	}
	CHECK(method == IKEV2_AUTH_DIGITAL_SIGNATURE);
	nid = auth_algid_nid(sig, len, NULL);
	if (!CHECK(nid == sc->nid)) {
		printf("# %s signs with %s, not %s\n", sc->name, OBJ_nid2sn(nid),
		       OBJ_nid2sn(sc->nid));
		goto out;
	}
	alen = 1 + sig[0];
	CHECK(alen >= 5 && sig[1] == 0x30 && sig[3] == 0x06 && (size_t)5 + sig[4] <= alen);
	if (!CHECK(sig[0] == sc->algid_len && !memcmp(sig + 1, sc->algid, sc->algid_len)))
		printf("# %s: AlgorithmIdentifier is not RFC 7427's DER\n", sc->name);
	CHECK(evp_verifies(p.cert, sc->md == NID_undef ? NULL : EVP_get_digestbynid(sc->md),
			   sig + alen, len - alen));
	if (!CHECK(!check_auth(&p, method, sig, len, why, sizeof(why)))) {
		printf("# %s: %s\n", sc->name, why);
		goto out;
	}
	/*
	 * Every bit of the length and of the AlgorithmIdentifier up to the end
	 * of its OID (its parameters are not looked at: see auth_oid_end()), a
	 * bit of each signature byte.
	 */
	CHECK(!flips_accepted(&p, method, sig, len, 0, auth_oid_end(sig), true));
	CHECK(!flips_accepted(&p, method, sig, len, alen, len, false));
	CHECK(!octet_flips_accepted(&p, method, sig, len));
	/* one byte short, one byte more */
	CHECK(check_auth(&p, method, sig, len - 1, why, sizeof(why)));
	if (CHECK(len < sizeof(sig))) {
		sig[len] = 0;
		CHECK(check_auth(&p, method, sig, len + 1, why, sizeof(why)));
	}
	/* the same signature under another method */
	CHECK(check_auth(&p, IKEV2_AUTH_RSA_SIG, sig, len, why, sizeof(why)));
	CHECK(!check_auth(&p, method, sig, len, why, sizeof(why)));
out:
	party_free(&p);
}

static void test_sign_7427(void)
{
	static const struct sign_case cases[] = {
		{ "RSA", "RSA", NID_sha256WithRSAEncryption, NID_sha256,
		  ALGID("\x30\x0d\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0b\x05\x00") },
		{ "P-256", "ECDSA", NID_ecdsa_with_SHA256, NID_sha256,
		  ALGID("\x30\x0a\x06\x08\x2a\x86\x48\xce\x3d\x04\x03\x02") },
		{ "P-384", "ECDSA", NID_ecdsa_with_SHA384, NID_sha384,
		  ALGID("\x30\x0a\x06\x08\x2a\x86\x48\xce\x3d\x04\x03\x03") },
		{ "P-521", "ECDSA", NID_ecdsa_with_SHA512, NID_sha512,
		  ALGID("\x30\x0a\x06\x08\x2a\x86\x48\xce\x3d\x04\x03\x04") },
		{ "ED25519", "Ed25519", NID_ED25519, NID_undef,
		  ALGID("\x30\x05\x06\x03\x2b\x65\x70") },
		{ "ED448", "Ed448", NID_ED448, NID_undef, ALGID("\x30\x05\x06\x03\x2b\x65\x71") },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		sign_7427(&cases[i]);
}

/* Signs with @hashes announced: 0, or the AlgorithmIdentifier's NID. */
static int sign_nid(const struct party *p, ike_hash_mask hashes, char *why, size_t whylen)
{
	uint8_t sig[IKE_CERT_SIG_MAX], method = 0;
	size_t len = 0;
	int nid;

	if (iked_cred_sign(p->local, hashes, octets, sizeof(octets), &method, sig, &len, why,
			   whylen))
		return 0;
	nid = auth_algid_nid(sig, len, NULL);
	if (method != IKEV2_AUTH_DIGITAL_SIGNATURE || check_auth(p, method, sig, len, why, whylen))
		return NID_undef;
	return nid;
}

static void test_sign_hashes(void)
{
	struct party rsa, ec, ed;
	char why[512] = "";

	if (party_new(&rsa, "hash-rsa", EVP_PKEY_up_ref(rsa_key) ? rsa_key : NULL))
		return;
	if (party_new(&ec, "hash-ec", key_new("P-256"))) {
		party_free(&rsa);
		return;
	}
	if (party_new(&ed, "hash-ed", key_new("ED25519"))) {
		party_free(&rsa);
		party_free(&ec);
		return;
	}
	/* RSA takes the first SHA-2 the peer named, in 256, 384, 512 order */
	CHECK(sign_nid(&rsa, HASHES_ANNOUNCED | HASH_BIT(IKEV2_HASH_SHA2_384), why, sizeof(why)) ==
	      NID_sha384WithRSAEncryption);
	CHECK(sign_nid(&rsa, HASHES_ANNOUNCED | HASH_BIT(IKEV2_HASH_SHA2_512), why, sizeof(why)) ==
	      NID_sha512WithRSAEncryption);
	CHECK(sign_nid(&rsa, HASHES_ANNOUNCED | HASH_BIT(IKEV2_HASH_SHA2_384) |
		       HASH_BIT(IKEV2_HASH_SHA2_512), why, sizeof(why)) ==
	      NID_sha384WithRSAEncryption);
	/* ECDSA: its curve's hash if named, else another SHA-2 */
	CHECK(sign_nid(&ec, HASHES_ANNOUNCED | HASH_BIT(IKEV2_HASH_SHA2_512) |
		       HASH_BIT(IKEV2_HASH_SHA2_256), why, sizeof(why)) == NID_ecdsa_with_SHA256);
	CHECK(sign_nid(&ec, HASHES_ANNOUNCED | HASH_BIT(IKEV2_HASH_SHA2_384), why, sizeof(why)) ==
	      NID_ecdsa_with_SHA384);
	/* no SHA-2 at all: refused, not SHA-1 */
	why[0] = 0;
	CHECK(!sign_nid(&rsa, HASHES_ANNOUNCED | HASH_BIT(IKEV2_HASH_SHA1), why, sizeof(why)));
	CHECK(strstr(why, "no SHA-2"));
	why[0] = 0;
	CHECK(!sign_nid(&ec, HASHES_ANNOUNCED | HASH_BIT(IKEV2_HASH_IDENTITY), why, sizeof(why)));
	CHECK(strstr(why, "no SHA-2"));
	/* EdDSA needs the IDENTITY hash (RFC 8420), and is enough with it */
	CHECK(sign_nid(&ed, HASHES_ANNOUNCED | HASH_BIT(IKEV2_HASH_IDENTITY), why, sizeof(why)) ==
	      NID_ED25519);
	why[0] = 0;
	CHECK(!sign_nid(&ed, HASHES_ALL & ~HASH_BIT(IKEV2_HASH_IDENTITY), why, sizeof(why)));
	CHECK(strstr(why, "IDENTITY"));
	party_free(&rsa);
	party_free(&ec);
	party_free(&ed);
}

/* A fixed-method signature (no SIGNATURE_HASH_ALGORITHMS) from @key. */
static void sign_fixed(const char *name, EVP_PKEY *key, uint8_t want_method, size_t want_len,
		       const EVP_MD *md)
{
	uint8_t sig[IKE_CERT_SIG_MAX], method = 0;
	struct party p;
	char why[512] = "", file[32];
	size_t len = 0;

	snprintf(file, sizeof(file), "fixed-%s", name);
	if (party_new(&p, file, key))
		return;
	if (!CHECK(!iked_cred_sign(p.local, 0, octets, sizeof(octets), &method, sig, &len, why,
				   sizeof(why)))) {
		printf("# %s: %s\n", name, why);
		goto out;
	}
	if (!CHECK(method == want_method && len == want_len)) {
		printf("# %s: method %u, %zu bytes\n", name, method, len);
		goto out;
	}
	if (want_method == IKEV2_AUTH_RSA_SIG)
		CHECK(evp_verifies(p.cert, md, sig, len));
	else
		CHECK(evp_verifies_rs(p.cert, md, sig, len));
	if (!CHECK(!check_auth(&p, method, sig, len, why, sizeof(why))))
		printf("# %s: %s\n", name, why);
	CHECK(!flips_accepted(&p, method, sig, len, 0, len, false));
	CHECK(!octet_flips_accepted(&p, method, sig, len));
	CHECK(check_auth(&p, method, sig, len - 1, why, sizeof(why)));
	/* not as RFC 7427 data either */
	CHECK(check_auth(&p, IKEV2_AUTH_DIGITAL_SIGNATURE, sig, len, why, sizeof(why)));
out:
	party_free(&p);
}

static void test_sign_fixed(void)
{
	struct party p;
	uint8_t sig[IKE_CERT_SIG_MAX], method = 0;
	char why[512] = "";
	size_t len = 0;

	sign_fixed("RSA", EVP_PKEY_up_ref(rsa_key) ? rsa_key : NULL, IKEV2_AUTH_RSA_SIG, 256,
		   EVP_sha1());
	sign_fixed("P-256", key_new("P-256"), IKEV2_AUTH_ECDSA_SHA256_P256, 64, EVP_sha256());
	sign_fixed("P-384", key_new("P-384"), IKEV2_AUTH_ECDSA_SHA384_P384, 96, EVP_sha384());
	sign_fixed("P-521", key_new("P-521"), IKEV2_AUTH_ECDSA_SHA512_P521, 132, EVP_sha512());

	/* EdDSA has no fixed method */
	if (party_new(&p, "fixed-ed", key_new("ED25519")))
		return;
	CHECK(iked_cred_sign(p.local, 0, octets, sizeof(octets), &method, sig, &len, why,
			     sizeof(why)));
	if (!CHECK(strstr(why, "RFC 7427") && strstr(why, "SIGNATURE_HASH_ALGORITHMS")))
		printf("# %s\n", why);
	party_free(&p);
}

/* An id-RSASSA-PSS AlgorithmIdentifier, DER, with @md, MGF1 with @mgf1, and @salt. */
static int pss_algid(EVP_PKEY *key, const EVP_MD *md, const EVP_MD *mgf1, int salt,
		     uint8_t *out, size_t max)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();
	unsigned char *p = out;
	int n = -1;

	if (ctx && x && name &&
	    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"pss",
				       -1, -1, 0) == 1 &&
	    X509_set_subject_name(x, name) == 1 && X509_set_issuer_name(x, name) == 1 &&
	    X509_gmtime_adj(X509_getm_notBefore(x), 0) && X509_gmtime_adj(X509_getm_notAfter(x), 60) &&
	    X509_set_pubkey(x, key) == 1 &&
	    EVP_DigestSignInit(ctx, &pctx, md, NULL, key) == 1 &&
	    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
	    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, salt) == 1 &&
	    EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, mgf1) == 1 && X509_sign_ctx(x, ctx) > 0) {
		n = i2d_X509_ALGOR(X509_get0_tbs_sigalg(x), NULL);
		if (n > 0 && (size_t)n <= max && n < 256)
			n = i2d_X509_ALGOR(X509_get0_tbs_sigalg(x), &p);
		else
			n = -1;
	}
	if (n < 0)
		ERR_print_errors_fp(stdout);
	X509_NAME_free(name);
	X509_free(x);
	EVP_MD_CTX_free(ctx);
	return n;
}

/* An RFC 7427 AUTH with PSS: [len][algid][sig]; its length, 0 on failure. */
static size_t pss_auth(EVP_PKEY *key, const EVP_MD *md, const EVP_MD *mgf1, int param_salt,
		       int sig_salt, uint8_t *out, size_t max)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	int alen = pss_algid(key, md, mgf1, param_salt, out + 1, max - 1);
	size_t slen;
	bool ok;

	if (alen <= 0) {
		EVP_MD_CTX_free(ctx);
		return 0;
	}
	out[0] = alen;
	slen = max - 1 - alen;
	ok = ctx && EVP_DigestSignInit(ctx, &pctx, md, NULL, key) == 1 &&
	     EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
	     EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, sig_salt) == 1 &&
	     EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, mgf1) == 1 &&
	     EVP_DigestSign(ctx, out + 1 + alen, &slen, octets, sizeof(octets)) == 1;
	EVP_MD_CTX_free(ctx);
	if (!ok) {
		ERR_print_errors_fp(stdout);
		return 0;
	}
	return 1 + alen + slen;
}

static void test_pss(void)
{
	uint8_t auth[IKE_CERT_SIG_MAX];
	X509_ALGOR *alg = NULL;
	struct party p;
	char why[512] = "";
	size_t len;

	if (party_new(&p, "pss", EVP_PKEY_up_ref(rsa_key) ? rsa_key : NULL))
		return;
	/* SHA-256, MGF1-SHA-256, salt 32 */
	len = pss_auth(p.key, EVP_sha256(), EVP_sha256(), 32, 32, auth, sizeof(auth));
	if (!CHECK(len && auth_algid_nid(auth, len, &alg) == NID_rsassaPss))
		goto out;
	CHECK(alg->parameter && alg->parameter->type == V_ASN1_SEQUENCE);
	X509_ALGOR_free(alg);
	if (!CHECK(!check_auth(&p, IKEV2_AUTH_DIGITAL_SIGNATURE, auth, len, why, sizeof(why))))
		printf("# %s\n", why);
	CHECK(!flips_accepted(&p, IKEV2_AUTH_DIGITAL_SIGNATURE, auth, len, 0, auth_oid_end(auth),
			      true));
	CHECK(!flips_accepted(&p, IKEV2_AUTH_DIGITAL_SIGNATURE, auth, len, 1 + auth[0], len,
			      false));
	CHECK(!octet_flips_accepted(&p, IKEV2_AUTH_DIGITAL_SIGNATURE, auth, len));
	/* an unpadded PKCS#1 v1.5 reading of a PSS signature fails */
	CHECK(check_auth(&p, IKEV2_AUTH_RSA_SIG, auth + 1 + auth[0], len - 1 - auth[0], why,
			 sizeof(why)));

	/* SHA-512 and its salt */
	len = pss_auth(p.key, EVP_sha512(), EVP_sha512(), 64, 64, auth, sizeof(auth));
	if (CHECK(len) &&
	    !CHECK(!check_auth(&p, IKEV2_AUTH_DIGITAL_SIGNATURE, auth, len, why, sizeof(why))))
		printf("# %s\n", why);
	/* the salt is the parameters' (32), not whatever the signature used (20) */
	len = pss_auth(p.key, EVP_sha256(), EVP_sha256(), 32, 20, auth, sizeof(auth));
	CHECK(len && check_auth(&p, IKEV2_AUTH_DIGITAL_SIGNATURE, auth, len, why, sizeof(why)));
	/* the hash is the parameters': a SHA-384 signature under SHA-256 parameters fails */
	len = pss_auth(p.key, EVP_sha256(), EVP_sha256(), 32, 32, auth, sizeof(auth));
	if (CHECK(len)) {
		EVP_MD_CTX *ctx = EVP_MD_CTX_new();
		EVP_PKEY_CTX *pctx = NULL;
		size_t slen = sizeof(auth) - 1 - auth[0];

		CHECK(ctx && EVP_DigestSignInit(ctx, &pctx, EVP_sha384(), NULL, p.key) == 1 &&
		      EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
		      EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 32) == 1 &&
		      EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) == 1 &&
		      EVP_DigestSign(ctx, auth + 1 + auth[0], &slen, octets, sizeof(octets)) == 1);
		EVP_MD_CTX_free(ctx);
		CHECK(check_auth(&p, IKEV2_AUTH_DIGITAL_SIGNATURE, auth, 1 + auth[0] + slen, why,
				 sizeof(why)));
	}

	/* SHA-1 is not among the hashes we announce: refused, though it verifies */
	len = pss_auth(p.key, EVP_sha1(), EVP_sha256(), 20, 20, auth, sizeof(auth));
	why[0] = 0;
	CHECK(len && check_auth(&p, IKEV2_AUTH_DIGITAL_SIGNATURE, auth, len, why, sizeof(why)));
	if (!CHECK(strstr(why, "SHA1") && strstr(why, "not among those we announced")))
		printf("# %s\n", why);
	len = pss_auth(p.key, EVP_sha1(), EVP_sha1(), 20, 20, auth, sizeof(auth));
	CHECK(len && check_auth(&p, IKEV2_AUTH_DIGITAL_SIGNATURE, auth, len, why, sizeof(why)));
	/* nor for MGF1 (cert.c takes SHA-2 there too) */
	len = pss_auth(p.key, EVP_sha256(), EVP_sha1(), 32, 32, auth, sizeof(auth));
	why[0] = 0;
	CHECK(len && check_auth(&p, IKEV2_AUTH_DIGITAL_SIGNATURE, auth, len, why, sizeof(why)));
	CHECK(strstr(why, "RSASSA-PSS parameters"));
out:
	party_free(&p);
}

/* @data with its AlgorithmIdentifier replaced by one for @nid (params NULL or absent). */
static size_t swap_algid(const uint8_t *data, size_t len, int nid, bool null_params,
			 uint8_t *out, size_t max)
{
	X509_ALGOR *a = X509_ALGOR_new();
	unsigned char *p = out + 1;
	size_t sig_len = len - 1 - data[0];
	int n = -1;

	if (a && X509_ALGOR_set0(a, OBJ_nid2obj(nid), null_params ? V_ASN1_NULL : V_ASN1_UNDEF,
				 NULL) == 1)
		n = i2d_X509_ALGOR(a, NULL);
	if (n > 0 && n < 256 && 1 + (size_t)n + sig_len <= max)
		n = i2d_X509_ALGOR(a, &p);
	else
		n = -1;
	X509_ALGOR_free(a);
	if (n <= 0)
		return 0;
	out[0] = n;
	memcpy(out + 1 + n, data + 1 + data[0], sig_len);
	return 1 + n + sig_len;
}

/* check_auth on an exact-size copy, so that a read past the end is a memory error. */
static int check_auth_copy(const struct party *p, uint8_t method, const uint8_t *data,
			   size_t len)
{
	uint8_t *copy = malloc(len ? len : 1);
	char why[512] = "";
	int ret;

	if (!copy)
		return -ENOMEM;
	memcpy(copy, data, len);
	ret = check_auth(p, method, copy, len, why, sizeof(why));
	free(copy);
	return ret;
}

static void test_auth_mismatch(void)
{
	uint8_t sig[IKE_CERT_SIG_MAX], other[IKE_CERT_SIG_MAX + 16], method = 0;
	struct party rsa, ec;
	char why[512] = "";
	size_t len = 0, olen, i;

	if (party_new(&rsa, "mis-rsa", EVP_PKEY_up_ref(rsa_key) ? rsa_key : NULL))
		return;
	if (party_new(&ec, "mis-p384", key_new("P-384"))) {
		party_free(&rsa);
		return;
	}
	/* an ECDSA AlgorithmIdentifier on an RSA signature, and the reverse */
	if (CHECK(!iked_cred_sign(rsa.local, HASHES_ALL, octets, sizeof(octets), &method, sig, &len,
				  why, sizeof(why)))) {
		CHECK(!check_auth(&rsa, method, sig, len, why, sizeof(why)));
		olen = swap_algid(sig, len, NID_ecdsa_with_SHA256, false, other, sizeof(other));
		why[0] = 0;
		CHECK(olen && check_auth(&rsa, method, other, olen, why, sizeof(why)) == -EACCES);
		if (!CHECK(strstr(why, "ecdsa-with-SHA256") && strstr(why, "rsaEncryption")))
			printf("# %s\n", why);
		olen = swap_algid(sig, len, NID_ED25519, false, other, sizeof(other));
		CHECK(olen && check_auth(&rsa, method, other, olen, why, sizeof(why)));
		/* a scheme nobody checks */
		olen = swap_algid(sig, len, NID_sha1WithRSAEncryption, true, other, sizeof(other));
		why[0] = 0;
		CHECK(olen && check_auth(&rsa, method, other, olen, why, sizeof(why)));
		CHECK(strstr(why, "not one veil-iked checks"));
		/* The ECDSA certificate's peer checks the RSA-signed AUTH */
		CHECK(check_auth(&ec, method, sig, len, why, sizeof(why)));

		/* truncated or inconsistent: refused, nothing read past the end */
		CHECK(check_auth_copy(&rsa, method, sig, 0));
		CHECK(check_auth_copy(&rsa, method, sig, 1));
		CHECK(check_auth_copy(&rsa, method, sig, 1 + sig[0]));	/* no signature */
		CHECK(check_auth_copy(&rsa, method, sig, 1 + sig[0] - 1));
		for (i = 2; i < len; i += 7)
			CHECK(check_auth_copy(&rsa, method, sig, i));
		memcpy(other, sig, len);
		other[0] = 0xff;
		CHECK(check_auth_copy(&rsa, method, other, 20) == -EBADMSG);
		CHECK(check_auth_copy(&rsa, method, other, len));
		other[0] = 0;
		CHECK(check_auth_copy(&rsa, method, other, len) == -EBADMSG);
		other[0] = sig[0] - 1;
		CHECK(check_auth_copy(&rsa, method, other, len) == -EBADMSG);
	}
	/* fixed ECDSA methods: the method must be the curve's */
	if (CHECK(!iked_cred_sign(ec.local, 0, octets, sizeof(octets), &method, sig, &len, why,
				  sizeof(why))) &&
	    CHECK(method == IKEV2_AUTH_ECDSA_SHA384_P384 && len == 96)) {
		CHECK(!check_auth(&ec, method, sig, len, why, sizeof(why)));
		why[0] = 0;
		CHECK(check_auth(&ec, IKEV2_AUTH_ECDSA_SHA256_P256, sig, len, why, sizeof(why)) ==
		      -EACCES);
		CHECK(strstr(why, "AUTH method 9 does not fit"));
		CHECK(check_auth(&ec, IKEV2_AUTH_ECDSA_SHA256_P256, sig, 64, why, sizeof(why)));
		CHECK(check_auth(&ec, IKEV2_AUTH_ECDSA_SHA512_P521, sig, len, why, sizeof(why)));
		CHECK(check_auth(&rsa, IKEV2_AUTH_ECDSA_SHA384_P384, sig, len, why, sizeof(why)));
		CHECK(check_auth(&ec, IKEV2_AUTH_RSA_SIG, sig, len, why, sizeof(why)));
		CHECK(check_auth_copy(&ec, method, sig, len - 1) == -EBADMSG);
		CHECK(check_auth_copy(&ec, method, sig, 0) == -EBADMSG);
		/* r or s out of range: zero */
		memcpy(other, sig, len);
		memset(other, 0, 48);
		CHECK(check_auth(&ec, method, other, len, why, sizeof(why)));
		/* neither PSK nor DSS nor NULL authentication are signatures it checks */
		why[0] = 0;
		CHECK(check_auth(&ec, IKEV2_AUTH_PSK, sig, len, why, sizeof(why)) == -ENOTSUP);
		CHECK(strstr(why, "AUTH method 2"));
		CHECK(check_auth(&ec, IKEV2_AUTH_DSS_SIG, sig, len, why, sizeof(why)) == -ENOTSUP);
		CHECK(check_auth(&ec, IKEV2_AUTH_NULL, sig, len, why, sizeof(why)) == -ENOTSUP);
	}
	party_free(&rsa);
	party_free(&ec);
}

static void test_chains(void)
{
	EVP_PKEY *inter_key = key_new("P-256"), *leaf_key = key_new("P-256");
	EVP_PKEY *other_key = key_new("P-256"), *x_key = key_new("X25519");
	X509 *inter = NULL, *leaf = NULL, *other = NULL, *stray = NULL, *expired = NULL;
	X509 *not_ca = NULL, *under_ee = NULL, *xcert = NULL, *chain[3];
	struct ike_peer_cert *pc = NULL;
	struct iked_config cfg;
	struct iked_id id;
	char why[512] = "", err[512] = "";
	const uint8_t *der[2];
	uint8_t *leaf_der = NULL, *buf = NULL;
	unsigned char *want = NULL;
	size_t len[2], leaf_len = 0;
	int n;

	memset(&cfg, 0, sizeof(cfg));
	if (!CHECK(inter_key && leaf_key && other_key && x_key))
		goto out;
	inter = cert_new(inter_key, "O=veil test/CN=Intermediate CA", root_cert, root_key, true,
			 NULL, -3600, 86400);
	leaf = cert_new(leaf_key, "O=veil test/CN=chain.example.org", inter, inter_key, false,
			"DNS:chain.example.org", -3600, 86400);
	other = cert_new(other_key, "O=veil test/CN=Other CA", NULL, other_key, true, NULL,
			 -3600, 86400);
	stray = cert_new(leaf_key, "O=veil test/CN=stray.example.org", other, other_key, false,
			 NULL, -3600, 86400);
	expired = cert_new(leaf_key, "O=veil test/CN=old.example.org", root_cert, root_key,
			   false, NULL, -2 * 86400, -86400);
	not_ca = cert_new(inter_key, "O=veil test/CN=not a CA", root_cert, root_key, false, NULL,
			  -3600, 86400);
	under_ee = cert_new(leaf_key, "O=veil test/CN=under.example.org", not_ca, inter_key,
			    false, NULL, -3600, 86400);
	xcert = cert_new(x_key, "O=veil test/CN=x25519.example.org", root_cert, root_key, false,
			 NULL, -3600, 86400);
	if (!CHECK(inter && leaf && other && stray && expired && not_ca && under_ee && xcert))
		goto out;
	if (!CHECK(!creds_load(&cfg, "auth = \"psk\";", "auth = \"pubkey\"; cacerts = \"root.pem\";",
			       err, sizeof(err))) || !CHECK(cfg.conns[0].remote.cred)) {
		printf("# %s\n", err);
		goto out;
	}
#define CAS (cfg.conns[0].remote.cred)

	/* leaf, then its intermediate: verifies; the subject is the leaf's */
	chain[0] = leaf;
	chain[1] = inter;
	if (CHECK(!peer_verify(CAS, chain, 2, &pc, why, sizeof(why))) && CHECK(pc)) {
		n = i2d_X509_NAME(X509_get_subject_name(leaf), &want);
		CHECK(!ike_peer_cert_subject(pc, &id));
		CHECK(id.type == IKEV2_ID_DER_ASN1_DN && n > 0 && id.len == n &&
		      !memcmp(id.data, want, n));
		OPENSSL_free(want);
	} else {
		printf("# %s\n", why);
	}
	ike_peer_cert_free(pc);
	pc = NULL;
	/* without the intermediate, the issuer is not found */
	why[0] = 0;
	CHECK(peer_verify(CAS, chain, 1, &pc, why, sizeof(why)) == -EACCES && !pc);
	if (!CHECK(strstr(why, "issuer") && strstr(why, "chain.example.org")))
		printf("# %s\n", why);
	/* a leaf from a CA we do not trust, with or without that CA */
	chain[0] = stray;
	chain[1] = other;
	CHECK(peer_verify(CAS, chain, 1, &pc, why, sizeof(why)) == -EACCES && !pc);
	CHECK(peer_verify(CAS, chain, 2, &pc, why, sizeof(why)) == -EACCES && !pc);
	/* expired */
	why[0] = 0;
	CHECK(peer_verify(CAS, &expired, 1, &pc, why, sizeof(why)) == -EACCES && !pc);
	if (!CHECK(strstr(why, "expired")))
		printf("# %s\n", why);
	/* issued by a certificate that is not a CA */
	chain[0] = under_ee;
	chain[1] = not_ca;
	CHECK(peer_verify(CAS, chain, 2, &pc, why, sizeof(why)) == -EACCES && !pc);
	/* a chain that verifies, for a key IKE cannot sign with */
	why[0] = 0;
	CHECK(peer_verify(CAS, &xcert, 1, &pc, why, sizeof(why)) == -EACCES && !pc);
	CHECK(strstr(why, "X25519"));

	/* garbage, and a good certificate with a byte after it */
	leaf_der = cert_der(leaf, &leaf_len);
	if (!CHECK(leaf_der))
		goto out;
	der[0] = (const uint8_t *)"\x30\x03\x02\x01\x01garbage";
	len[0] = 12;
	why[0] = 0;
	CHECK(ike_peer_cert_verify(CAS, der, len, 1, &pc, why, sizeof(why)) == -EBADMSG && !pc);
	CHECK(strstr(why, "certificate 1 of 1 cannot be parsed"));
	buf = malloc(leaf_len + 1);
	if (!CHECK(buf))
		goto out;
	memcpy(buf, leaf_der, leaf_len);
	buf[leaf_len] = 0;
	der[0] = buf;
	len[0] = leaf_len + 1;
	CHECK(ike_peer_cert_verify(CAS, der, len, 1, &pc, why, sizeof(why)) == -EBADMSG && !pc);
	/* one byte short */
	len[0] = leaf_len - 1;
	CHECK(ike_peer_cert_verify(CAS, der, len, 1, &pc, why, sizeof(why)) == -EBADMSG && !pc);
	/* a good leaf, a bad second certificate */
	len[0] = leaf_len;
	der[1] = (const uint8_t *)"\x30\x00";
	len[1] = 2;
	why[0] = 0;
	CHECK(ike_peer_cert_verify(CAS, der, len, 2, &pc, why, sizeof(why)) == -EBADMSG && !pc);
	CHECK(strstr(why, "certificate 2 of 2 cannot be parsed"));
	/* and the exact bytes verify, intermediates permitting */
	chain[0] = leaf;
	chain[1] = inter;
	CHECK(!peer_verify(CAS, chain, 2, &pc, why, sizeof(why)) && pc);
	ike_peer_cert_free(pc);
	pc = NULL;
#undef CAS
out:
	iked_conf_free(&cfg);
	free(buf);
	OPENSSL_free(leaf_der);
	X509_free(inter);
	X509_free(leaf);
	X509_free(other);
	X509_free(stray);
	X509_free(expired);
	X509_free(not_ca);
	X509_free(under_ee);
	X509_free(xcert);
	EVP_PKEY_free(inter_key);
	EVP_PKEY_free(leaf_key);
	EVP_PKEY_free(other_key);
	EVP_PKEY_free(x_key);
}

/* Whether @pc vouches for the identity @text (iked_id_parse()'s syntax). */
static bool has_id_text(const struct ike_peer_cert *pc, const char *text)
{
	struct iked_id id;
	char err[256];

	if (!CHECK(!iked_id_parse(text, &id, err, sizeof(err)))) {
		printf("# \"%s\": %s\n", text, err);
		return false;
	}
	return ike_peer_cert_has_id(pc, &id);
}

/* A peer certificate for @key issued by the root, checked. */
static struct ike_peer_cert *peer_cert(const struct iked_cred *cas, EVP_PKEY *key,
				       const char *subject, const char *san, X509 **cert)
{
	struct ike_peer_cert *pc = NULL;
	char why[512] = "";
	X509 *x = leaf_new(key, subject, san);

	if (!CHECK(x))
		return NULL;
	if (!CHECK(!peer_verify(cas, &x, 1, &pc, why, sizeof(why))))
		printf("# %s: %s\n", subject, why);
	if (cert)
		*cert = x;
	else
		X509_free(x);
	return pc;
}

static void test_ids(void)
{
	EVP_PKEY *key = key_new("P-256");
	struct ike_peer_cert *pc = NULL, *cn_only = NULL, *wild = NULL, *subj_mail = NULL;
	X509 *cert = NULL;
	struct iked_config cfg;
	struct iked_id id;
	unsigned int klen = 0;
	unsigned char *der = NULL;
	char err[512] = "";
	int n;

	memset(&cfg, 0, sizeof(cfg));
	if (!CHECK(key) ||
	    !CHECK(!creds_load(&cfg, "auth = \"psk\";", "auth = \"pubkey\"; cacerts = \"root.pem\";",
			       err, sizeof(err)))) {
		printf("# %s\n", err);
		goto out;
	}
	pc = peer_cert(cfg.conns[0].remote.cred, key, "C=CH/O=veil test/CN=gw.example.org",
		       "DNS:gw.example.org, email:admin@example.org, IP:10.1.2.3, IP:fd00::7",
		       &cert);
	cn_only = peer_cert(cfg.conns[0].remote.cred, key, "O=veil test/CN=host.example.net",
			    NULL, NULL);
	wild = peer_cert(cfg.conns[0].remote.cred, key, "O=veil test/CN=wild",
			 "DNS:*.example.org", NULL);
	subj_mail = peer_cert(cfg.conns[0].remote.cred, key,
			      "O=veil test/CN=mail/emailAddress=x@example.net", NULL, NULL);
	if (!CHECK(pc && cn_only && wild && subj_mail))
		goto out;

	/* subjectAltName: the name, the e-mail address, both addresses */
	CHECK(has_id_text(pc, "gw.example.org"));
	CHECK(has_id_text(pc, "admin@example.org"));
	CHECK(has_id_text(pc, "10.1.2.3"));
	CHECK(has_id_text(pc, "fd00::7"));
	/* the subject, from text and from the certificate's own DER */
	CHECK(has_id_text(pc, "C=CH, O=veil test, CN=gw.example.org"));
	n = i2d_X509_NAME(X509_get_subject_name(cert), &der);
	memset(&id, 0, sizeof(id));
	id.type = IKEV2_ID_DER_ASN1_DN;
	if (CHECK(n > 0 && n <= IKED_ID_MAX)) {
		id.len = n;
		memcpy(id.data, der, n);
		CHECK(ike_peer_cert_has_id(pc, &id));
		/* trailing bytes after the Name */
		id.data[id.len++] = 0;
		CHECK(!ike_peer_cert_has_id(pc, &id));
		id.len = n - 1;
		CHECK(!ike_peer_cert_has_id(pc, &id));
	}
	OPENSSL_free(der);

	/* what it does not hold */
	CHECK(!has_id_text(pc, "gw.example.com"));
	CHECK(!has_id_text(pc, "other.example.org"));
	CHECK(!has_id_text(pc, "example.org"));
	CHECK(!has_id_text(pc, "gw.example.org.evil"));
	CHECK(!has_id_text(pc, "other@example.org"));
	CHECK(!has_id_text(pc, "10.1.2.4"));
	CHECK(!has_id_text(pc, "fd00::8"));
	CHECK(!has_id_text(pc, "C=CH, O=veil test, CN=other.example.org"));
	CHECK(!has_id_text(pc, "O=veil test, CN=gw.example.org"));
	CHECK(!has_id_text(pc, "CN=gw.example.org"));
	/* the right text under the wrong type */
	CHECK(!has_id_text(pc, "fqdn:admin@example.org"));
	CHECK(!has_id_text(pc, "email:gw.example.org"));
	CHECK(!has_id_text(pc, "fqdn:10.1.2.3"));
	/* OpenSSL's "any name under" form is no name at all here */
	CHECK(!has_id_text(pc, "fqdn:.example.org"));
	CHECK(!has_id_text(pc, "fqdn:.org"));
	/* an identity with a NUL in it */
	memset(&id, 0, sizeof(id));
	id.type = IKEV2_ID_FQDN;
	memcpy(id.data, "gw.example.org\0.evil", 20);
	id.len = 20;
	CHECK(!ike_peer_cert_has_id(pc, &id));
	id.len = 15;	/* "gw.example.org" and its NUL */
	CHECK(!ike_peer_cert_has_id(pc, &id));
	id.len = 0;
	CHECK(!ike_peer_cert_has_id(pc, &id));

	/* never the subject's CN (or e-mail attribute), never a wildcard */
	CHECK(has_id_text(cn_only, "O=veil test, CN=host.example.net"));
	CHECK(!has_id_text(cn_only, "host.example.net"));
	CHECK(!has_id_text(subj_mail, "x@example.net"));
	CHECK(!has_id_text(wild, "a.example.org"));
	CHECK(!has_id_text(wild, "gw.example.org"));

	/* KEY_ID: the SHA-1 of the public key */
	memset(&id, 0, sizeof(id));
	id.type = IKEV2_ID_KEY_ID;
	if (CHECK(X509_pubkey_digest(cert, EVP_sha1(), id.data, &klen) == 1 && klen == 20)) {
		id.len = klen;
		CHECK(ike_peer_cert_has_id(pc, &id));
		CHECK(ike_peer_cert_has_id(cn_only, &id));	/* the same key */
		id.data[19] ^= 1;
		CHECK(!ike_peer_cert_has_id(pc, &id));
		id.data[19] ^= 1;
		id.len = 19;
		CHECK(!ike_peer_cert_has_id(pc, &id));
	}
	/* %any is not a certificate's identity; nor is an unknown type */
	memset(&id, 0, sizeof(id));
	CHECK(!ike_peer_cert_has_id(pc, &id));
	id.type = IKEV2_ID_DER_ASN1_GN;
	id.len = 4;
	CHECK(!ike_peer_cert_has_id(pc, &id));
out:
	ike_peer_cert_free(pc);
	ike_peer_cert_free(cn_only);
	ike_peer_cert_free(wild);
	ike_peer_cert_free(subj_mail);
	X509_free(cert);
	EVP_PKEY_free(key);
	iked_conf_free(&cfg);
}

/* SHA-1 of a certificate's SubjectPublicKeyInfo, computed here. */
static int spki_sha1(X509 *x, uint8_t *out)
{
	unsigned char *der = NULL;
	int n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &der);

	if (n <= 0)
		return -1;
	SHA1(der, n, out);
	OPENSSL_free(der);
	return 0;
}

static void test_certreq(void)
{
	EVP_PKEY *key = key_new("RSA");
	X509 *ca2 = NULL;
	struct iked_config cfg;
	uint8_t want[40], got[IKE_CERT_CERTREQ_MAX + 8];
	const struct iked_cred *cas;
	char err[512] = "";

	memset(&cfg, 0, sizeof(cfg));
	if (!CHECK(key))
		goto out;
	ca2 = cert_new(key, "O=veil test/CN=Second CA", NULL, key, true, NULL, -3600, 86400);
	if (!CHECK(ca2) || pem_write("ca2.pem", NULL, ca2, NULL, NULL, NULL) ||
	    !CHECK(!spki_sha1(root_cert, want) && !spki_sha1(ca2, want + 20)))
		goto out;
	if (!CHECK(!creds_load(&cfg, "auth = \"psk\";",
			       "auth = \"pubkey\"; cacerts = (\"root.pem\", \"ca2.pem\");", err,
			       sizeof(err))) || !CHECK(cfg.conns[0].remote.cred)) {
		printf("# %s\n", err);
		goto out;
	}
	cas = cfg.conns[0].remote.cred;
	memset(got, 0xee, sizeof(got));
	CHECK(iked_cred_certreq(cas, got, sizeof(got)) == 40);
	CHECK(!memcmp(got, want, 40));
	CHECK(got[40] == 0xee);
	/* room for one hash only, or none */
	memset(got, 0xee, sizeof(got));
	CHECK(iked_cred_certreq(cas, got, 39) == 20);
	CHECK(!memcmp(got, want, 20) && got[20] == 0xee);
	CHECK(iked_cred_certreq(cas, got, 19) == 0);
	iked_conf_free(&cfg);

	/* both CAs in one file: the same */
	if (pem_write("cas.pem", NULL, root_cert, ca2, NULL, NULL))
		goto out;
	if (!CHECK(!creds_load(&cfg, "auth = \"psk\";", "auth = \"pubkey\"; cacerts = \"cas.pem\";",
			       err, sizeof(err))) || !CHECK(cfg.conns[0].remote.cred)) {
		printf("# %s\n", err);
		goto out;
	}
	CHECK(iked_cred_certreq(cfg.conns[0].remote.cred, got, sizeof(got)) == 40);
	CHECK(!memcmp(got, want, 40));
out:
	iked_conf_free(&cfg);
	X509_free(ca2);
	EVP_PKEY_free(key);
}

/* A version = 1 connection whose both sides use certificates: @file's. */
static int v1_load(struct iked_config *cfg, const char *file, char *err, size_t errlen)
{
	char local[512];

	snprintf(local, sizeof(local), "auth = \"pubkey\"; certs = \"%s\";", file);
	return creds_load_conn(cfg, "version = 1; ", local,
			       "auth = \"pubkey\"; cacerts = \"root.pem\";", err, errlen);
}

/*
 * IKEv1 (v1_main.c): its SIG is RSA only, so other keys are refused at
 * load; the keys for v1crypto.c's signatures; CR's CA names, the DER of
 * the CAs' subjects (RFC 2408 §3.10).
 */
static void test_v1(void)
{
	EVP_PKEY *ec = key_new("P-256");
	X509 *rsa = leaf_new(rsa_key, "O=veil test/CN=v1.example.org", NULL);
	X509 *ecc = ec ? leaf_new(ec, "O=veil test/CN=v1-ec.example.org", NULL) : NULL;
	const struct iked_cred *cred, *cas;
	struct ike_peer_cert *pc = NULL;
	struct iked_config cfg;
	unsigned char *want = NULL;
	const uint8_t *name;
	char err[1024] = "";
	size_t len;
	int n;

	if (!CHECK(rsa && ecc) || pem_write("v1-rsa.pem", NULL, rsa, NULL, rsa_key, NULL) ||
	    pem_write("v1-ec.pem", NULL, ecc, NULL, ec, NULL))
		goto out;
	if (CHECK(!v1_load(&cfg, "v1-rsa.pem", err, sizeof(err)))) {
		cred = cfg.conns[0].local.cred;
		cas = cfg.conns[0].remote.cred;
		CHECK(EVP_PKEY_eq(iked_cred_key(cred), rsa_key) == 1);
		CHECK(iked_cred_n_cas(cas) == 1);
		n = i2d_X509_NAME(X509_get_subject_name(root_cert), &want);
		name = iked_cred_ca_name(cas, 0, &len);
		CHECK(name && n > 0 && len == (size_t)n && !memcmp(name, want, len));
		if (CHECK(!peer_verify(cas, &rsa, 1, &pc, err, sizeof(err))))
			CHECK(EVP_PKEY_eq(ike_peer_cert_key(pc), rsa_key) == 1);
		ike_peer_cert_free(pc);
	} else {
		printf("# %s\n", err);
	}
	iked_conf_free(&cfg);
	CHECK(v1_load(&cfg, "v1-ec.pem", err, sizeof(err)) == -1);
	if (!CHECK(strstr(err, "connection c, local: IKEv1 signs with an RSA key only, not ECDSA")))
		printf("# \"%s\"\n", err);
	iked_conf_free(&cfg);
out:
	OPENSSL_free(want);
	X509_free(rsa);
	X509_free(ecc);
	EVP_PKEY_free(ec);
}

static const struct ktap_test tests[] = {
	{ "credentials load, relative to the configuration file", test_load },
	{ "credential errors say what is wrong", test_load_errors },
	{ "RFC 7427 signatures: RSA, ECDSA P-256/384/521, Ed25519, Ed448", test_sign_7427 },
	{ "the signature hash follows the peer's announced hashes", test_sign_hashes },
	{ "fixed AUTH methods without SIGNATURE_HASH_ALGORITHMS", test_sign_fixed },
	{ "RSASSA-PSS AUTH from a peer", test_pss },
	{ "AUTH data that does not fit the certificate is refused", test_auth_mismatch },
	{ "certificate chains", test_chains },
	{ "identities a certificate vouches for", test_ids },
	{ "CERTREQ: SHA-1 of the CAs' public keys", test_certreq },
	{ "IKEv1: RSA keys only, the keys for SIG, CR's CA names", test_v1 },
};

/* The root CA, one RSA key and the signed octets, for all the tests. */
static int fixtures(void)
{
	size_t i;

	for (i = 0; i < sizeof(octets); i++)
		octets[i] = (uint8_t)(i * 37 + 11);
	root_key = key_new("P-256");
	rsa_key = key_new("RSA");
	if (!root_key || !rsa_key)
		return -1;
	root_cert = cert_new(root_key, "C=CH/O=veil test/CN=veil test root CA", NULL, root_key,
			     true, NULL, -3600, 86400);
	if (!root_cert)
		return -1;
	return pem_write("root.pem", NULL, root_cert, NULL, NULL, NULL);
}

int main(void)
{
	char path[PATH_MAX];
	unsigned int i;
	int ret;

	if (!mkdtemp(tmp_dir)) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	if (fixtures()) {
		printf("Bail out! cannot make the root CA\n");
		ERR_print_errors_fp(stdout);
		ret = 1;
	} else {
		ret = ktap_run(tests, ARRAY_SIZE(tests));
	}
	for (i = 0; i < n_tmp_files; i++) {
		tmp_path(tmp_files[i], path, sizeof(path));
		if (unlink(path) && errno != ENOENT)
			printf("# unlink %s: %s\n", path, strerror(errno));
	}
	if (rmdir(tmp_dir)) {
		printf("# rmdir %s: %s\n", tmp_dir, strerror(errno));
		ret = 1;
	}
	X509_free(root_cert);
	EVP_PKEY_free(root_key);
	EVP_PKEY_free(rsa_key);
	return ret;
}

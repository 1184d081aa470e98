// SPDX-License-Identifier: GPL-2.0
/*
 * Traffic keys from a finished handshake, with OpenSSL's KDFs: RFC 8446
 * section 7 for TLS 1.3, the key block of RFC 5246 section 6.3 for TLS 1.2.
 * And the one record this program ever seals itself: a TLS 1.3 handshake
 * record for OpenSSL's own reading, so that OpenSSL parses a session ticket
 * the kernel already decrypted.
 */
#include <string.h>
#include <linux/veil.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "kdf.h"
#include "vtls.h"

#define VTLS_TAG_LEN	16
#define VTLS_NONCE_LEN	12

static const struct vtls_suite vtls_suites[] = {
	{ VEIL_TLS_CIPHER_AES_GCM_128, NID_aes_128_gcm, "AES-128-GCM", 16, 4 },
	{ VEIL_TLS_CIPHER_AES_GCM_256, NID_aes_256_gcm, "AES-256-GCM", 32, 4 },
	{ VEIL_TLS_CIPHER_AES_CCM_128, NID_aes_128_ccm, "AES-128-CCM", 16, 4 },
	{ VEIL_TLS_CIPHER_CHACHA20_POLY1305, NID_chacha20_poly1305,
	  "ChaCha20-Poly1305", 32, 0 },
};

void vtls_wipe(void *p, size_t len)
{
	OPENSSL_cleanse(p, len);
}

/**
 * vtls_suite_of() - the record protection of a negotiated cipher suite
 * @c: OpenSSL's cipher
 *
 * Return: the suite, or NULL when veil.ko cannot carry it (CBC, and CCM
 * with an 8-byte tag, which OpenSSL also reports as AES-128-CCM).
 */
const struct vtls_suite *vtls_suite_of(const SSL_CIPHER *c)
{
	const char *name = SSL_CIPHER_get_name(c);
	int nid = SSL_CIPHER_get_cipher_nid(c);
	size_t i;

	if (strstr(name, "CCM8") || strstr(name, "CCM_8"))
		return NULL;
	for (i = 0; i < sizeof(vtls_suites) / sizeof(vtls_suites[0]); i++)
		if (vtls_suites[i].nid == nid)
			return &vtls_suites[i];
	return NULL;
}

static int vtls_key13(const struct vtls_conn *c, const uint8_t *secret, struct vtls_key *k)
{
	memcpy(k->secret, secret, c->secret_len);
	return vtls_expand_label(c->md, secret, c->secret_len, "key", k->key,
				 c->suite->key_len) ||
	       vtls_expand_label(c->md, secret, c->secret_len, "iv", k->iv, VTLS_NONCE_LEN);
}

/*
 * TLS 1.2: key_block = PRF(master_secret, "key expansion", server_random +
 * client_random), cut into client and server keys, then client and server
 * fixed IVs (4 bytes for AES-GCM and AES-CCM, 12 for ChaCha20-Poly1305);
 * AEAD suites have no MAC keys.
 */
static int vtls_keys12(struct vtls_conn *c)
{
	const struct vtls_suite *s = c->suite;
	size_t fixed = s->salt_len ? s->salt_len : VTLS_NONCE_LEN;
	size_t need = 2 * s->key_len + 2 * fixed;
	uint8_t seed[13 + 2 * SSL3_RANDOM_SIZE], block[2 * 32 + 2 * VTLS_NONCE_LEN];
	uint8_t master[SSL_MAX_MASTER_KEY_LENGTH];
	struct vtls_key *cw = c->server ? &c->rx : &c->tx;
	struct vtls_key *sw = c->server ? &c->tx : &c->rx;
	size_t mlen;
	int ret;

	mlen = SSL_SESSION_get_master_key(SSL_get_session(c->ssl), master, sizeof(master));
	memcpy(seed, "key expansion", 13);
	SSL_get_server_random(c->ssl, seed + 13, SSL3_RANDOM_SIZE);
	SSL_get_client_random(c->ssl, seed + 13 + SSL3_RANDOM_SIZE, SSL3_RANDOM_SIZE);
	ret = mlen ? vtls_prf(c->md, master, mlen, seed, sizeof(seed), block, need) : -1;
	if (!ret) {
		memcpy(cw->key, block, s->key_len);
		memcpy(sw->key, block + s->key_len, s->key_len);
		memcpy(cw->iv, block + 2 * s->key_len, fixed);
		memcpy(sw->iv, block + 2 * s->key_len + fixed, fixed);
	}
	vtls_wipe(master, sizeof(master));
	vtls_wipe(block, sizeof(block));
	return ret;
}

/* The explicit nonce veil sends first: the sequence number, as kTLS does. */
static void vtls_put64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--, v >>= 8)
		p[i] = v;
}

/**
 * vtls_derive() - both directions' keys and sequence numbers after the
 *   handshake
 * @c: a connection whose handshake completed, with its suite set
 *
 * The sequence numbers count the records OpenSSL wrote and read after the
 * Finished messages: TLS 1.3 application keys start at 0 (a server has
 * usually sent its session tickets under them already), TLS 1.2's at 1
 * because Finished itself was record 0 of the new keys.
 *
 * Return: 0, or -1 with @c->err set.
 */
int vtls_derive(struct vtls_conn *c)
{
	bool tls13 = c->version == TLS1_3_VERSION;
	uint64_t base = tls13 ? 0 : 1;
	int ret;

	if (c->tx_after < 0 || c->rx_after < 0) {
		snprintf(c->err, sizeof(c->err),
			 "cannot tell the record sequence numbers (no Finished seen)");
		return -1;
	}
	if (tls13) {
		if ((c->secrets & (VTLS_SEEN_CLIENT | VTLS_SEEN_SERVER)) !=
		    (VTLS_SEEN_CLIENT | VTLS_SEEN_SERVER)) {
			snprintf(c->err, sizeof(c->err), "OpenSSL gave no traffic secrets");
			return -1;
		}
		ret = vtls_key13(c, c->server ? c->server_secret : c->client_secret, &c->tx) ||
		      vtls_key13(c, c->server ? c->client_secret : c->server_secret, &c->rx);
		/* OpenSSL's reading resumes where the handshake left it. */
		c->feed = c->rx;
		c->feed.seq = c->rx_after;
	} else {
		ret = vtls_keys12(c);
	}
	if (ret) {
		snprintf(c->err, sizeof(c->err), "key derivation failed: %s", vtls_ssl_error());
		return -1;
	}
	c->tx.seq = base + c->tx_after;
	c->rx.seq = base + c->rx_after;
	if (!tls13 && c->suite->salt_len)
		vtls_put64(c->tx.iv + c->suite->salt_len, c->tx.seq);
	return 0;
}

/**
 * vtls_next_secret() - application_traffic_secret_N+1 of RFC 8446 section
 *   7.2, and its key and IV, in place; for a KeyUpdate
 * @c: the connection
 * @k: the direction to advance; its sequence number starts again at 0
 *
 * Return: 0 or -1.
 */
int vtls_next_secret(const struct vtls_conn *c, struct vtls_key *k)
{
	uint8_t next[VTLS_MAX_SECRET];
	int ret;

	ret = vtls_expand_label(c->md, k->secret, c->secret_len, "traffic upd", next,
				c->secret_len);
	if (!ret)
		ret = vtls_key13(c, next, k);
	k->seq = 0;
	vtls_wipe(next, sizeof(next));
	return ret;
}

/**
 * vtls_seal13() - one TLS 1.3 record, as the peer would have sent it
 * @c: the connection, for its suite
 * @k: the key; its sequence number advances
 * @type: the inner content type
 * @data: the content
 * @len: its length, at most 2^14
 * @out: where the record goes
 * @room: size of @out
 *
 * Return: the record's length, or -1.
 */
ssize_t vtls_seal13(const struct vtls_conn *c, struct vtls_key *k, uint8_t type,
		    const uint8_t *data, size_t len, uint8_t *out, size_t room)
{
	size_t inner = len + 1, total = 5 + inner + VTLS_TAG_LEN;
	EVP_CIPHER *ciph = EVP_CIPHER_fetch(NULL, c->suite->aead, NULL);
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	bool ccm = c->suite->cipher == VEIL_TLS_CIPHER_AES_CCM_128;
	uint8_t nonce[VTLS_NONCE_LEN], seq[8], *body = out + 5;
	int n, ok, i;

	if (total > room || len > 16384) {
		ok = 0;
		goto out;
	}
	out[0] = 23;		/* opaque_type: application_data */
	out[1] = 3;
	out[2] = 3;
	out[3] = (inner + VTLS_TAG_LEN) >> 8;
	out[4] = inner + VTLS_TAG_LEN;
	memcpy(body, data, len);
	body[len] = type;
	memcpy(nonce, k->iv, VTLS_NONCE_LEN);
	vtls_put64(seq, k->seq);
	for (i = 0; i < 8; i++)
		nonce[4 + i] ^= seq[i];
	ok = ciph && ctx &&
	     EVP_EncryptInit_ex(ctx, ciph, NULL, NULL, NULL) &&
	     EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, VTLS_NONCE_LEN, NULL) &&
	     (!ccm || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, VTLS_TAG_LEN, NULL)) &&
	     EVP_EncryptInit_ex(ctx, NULL, NULL, k->key, nonce) &&
	     (!ccm || EVP_EncryptUpdate(ctx, NULL, &n, NULL, inner)) &&
	     EVP_EncryptUpdate(ctx, NULL, &n, out, 5) &&
	     EVP_EncryptUpdate(ctx, body, &n, body, inner) &&
	     EVP_EncryptFinal_ex(ctx, body + inner, &n) &&
	     EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, VTLS_TAG_LEN, body + inner);
	if (ok)
		k->seq++;
out:
	EVP_CIPHER_CTX_free(ctx);
	EVP_CIPHER_free(ciph);
	return ok ? (ssize_t)total : -1;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side tests of veil-iked's IKEv1 cryptography (iked/v1crypto.c).
 * The known answers come from tests/ike_v1_vectors.py, a second
 * implementation on Python's hashlib and hmac and the cryptography
 * package, which the Makefile runs at each build into ike_v1_vectors.h.
 * Each vector is played as a whole exchange: Main Mode's keys, HASH_I and
 * HASH_R and its encrypted messages 5 and 6, a Quick Mode, an
 * Informational exchange, KEYMAT and NAT-D, with one key set for each end.
 * RSA signatures are checked against a raw RSA public operation done here
 * with BIGNUMs. Output is KTAP; the exit status is non-zero when any check
 * fails.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/un.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "v1crypto.h"

#include "ktap.h"
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/**
 * struct v1_vec - one exchange's inputs and outputs, in hex
 *
 * The fields are named after RFC 2409's: see ike_v1_vectors.py, which
 * fills them. The @mm5_* and @mm6_* are Main Mode's encrypted messages 5
 * (initiator) and 6 (responder), @qm1_* to @qm3_* Quick Mode's messages,
 * @info_* an Informational exchange's Delete; *_plain is the payloads,
 * *_padded the same with section 5.3's padding, *_ct the ciphertext and
 * *_iv_after the IV the next message takes.
 */
struct v1_vec {
	const char *name;
	uint16_t hash, encr, keylen;
	const char *cky_i, *cky_r, *gxi, *gxr, *gxy, *ni, *nr, *sai_b, *idii_b, *idir_b, *psk;
	const char *skeyid, *skeyid_d, *skeyid_a, *skeyid_e, *enc_key, *hash_i, *hash_r;
	const char *p1_iv, *mm5_plain, *mm5_padded, *mm5_ct, *mm5_iv_after;
	const char *mm6_plain, *mm6_padded, *mm6_ct, *mm6_iv_after;
	uint32_t qm_msgid;
	const char *qm_ni, *qm_nr, *qm_iv, *qm1_rest, *qm1_hash, *qm1_plain, *qm1_ct;
	const char *qm2_rest, *qm2_hash, *qm2_plain, *qm2_ct;
	const char *qm3_hash, *qm3_plain, *qm3_ct, *qm3_padded;
	size_t keymat_len;
	const char *spi_i, *spi_r, *gqm, *keymat_i2r, *keymat_r2i, *keymat_pfs_i2r,
		   *keymat_pfs_r2i;
	uint32_t info_msgid;
	const char *info_payloads, *info_hash, *info_iv, *info_plain, *info_ct;
	const char *natd4, *natd6, *natd4_addr, *natd6_addr;
	uint16_t natd4_port, natd6_port;
};

static const struct v1_vec vecs[] = {
#include "ike_v1_vectors.h"
};

/* ------------------------------------------------------------------ */

#define OCTETS_MAX 1024

struct octets {
	size_t len;
	uint8_t b[OCTETS_MAX];
};

/* Hex into bytes; exits on a malformed vector. */
static void unhex(struct octets *o, const char *hex)
{
	o->len = hex ? ktap_unhex(hex, o->b, OCTETS_MAX) : 0;
}

static bool bytes_are(const uint8_t *got, size_t len, const char *hex)
{
	static struct octets want;
	size_t i;

	unhex(&want, hex);
	if (want.len == len && !memcmp(got, want.b, len))
		return true;
	printf("# got  ");
	for (i = 0; i < len; i++)
		printf("%02x", got[i]);
	printf("\n# want %s\n", hex);
	return false;
}

/* For what must come out different: silent, unlike bytes_are() */
static bool bytes_differ(const uint8_t *got, size_t len, const char *hex)
{
	static struct octets want;

	unhex(&want, hex);
	return want.len != len || memcmp(got, want.b, len);
}

#define SAME(got, len, hex) CHECK(bytes_are(got, len, hex))

/**
 * struct v1_case - a vector decoded, and both ends' keys derived from it
 * @v: the vector
 * @p1: its Phase 1 values, pointing into the octets below
 * @ki: the initiator's keys
 * @kr: the responder's keys
 */
struct v1_case {
	const struct v1_vec *v;
	struct octets cky_i, cky_r, gxi, gxr, gxy, ni, nr, sai, idii, idir, psk;
	struct ike_v1_phase1 p1;
	struct ike_v1_keys *ki, *kr;
};

static void case_free(struct v1_case *c)
{
	ike_v1_keys_free(c->ki);
	ike_v1_keys_free(c->kr);
	free(c);
}

static struct v1_case *case_new(const struct v1_vec *v)
{
	struct v1_case *c = calloc(1, sizeof(*c));
	const uint8_t *psk;

	if (!c)
		exit(2);
	c->v = v;
	unhex(&c->cky_i, v->cky_i);
	unhex(&c->cky_r, v->cky_r);
	unhex(&c->gxi, v->gxi);
	unhex(&c->gxr, v->gxr);
	unhex(&c->gxy, v->gxy);
	unhex(&c->ni, v->ni);
	unhex(&c->nr, v->nr);
	unhex(&c->sai, v->sai_b);
	unhex(&c->idii, v->idii_b);
	unhex(&c->idir, v->idir_b);
	unhex(&c->psk, v->psk);
	c->p1 = (struct ike_v1_phase1){
		.cky_i = c->cky_i.b, .cky_r = c->cky_r.b,
		.gxi = c->gxi.b, .gxi_len = c->gxi.len,
		.gxr = c->gxr.b, .gxr_len = c->gxr.len,
		.gxy = c->gxy.b, .gxy_len = c->gxy.len,
		.ni = c->ni.b, .ni_len = c->ni.len,
		.nr = c->nr.b, .nr_len = c->nr.len,
	};
	psk = v->psk ? c->psk.b : NULL;
	if (!CHECK(ike_v1_keys_new(v->hash, v->encr, v->keylen, &c->ki) == 0) ||
	    !CHECK(ike_v1_keys_new(v->hash, v->encr, v->keylen, &c->kr) == 0) ||
	    !CHECK(ike_v1_keys_derive(c->ki, &c->p1, psk, c->psk.len) == 0) ||
	    !CHECK(ike_v1_keys_derive(c->kr, &c->p1, psk, c->psk.len) == 0)) {
		case_free(c);
		return NULL;
	}
	return c;
}

/* Runs @fn on every vector; names the vector whose checks failed. */
static void for_each_vec(void (*fn)(struct v1_case *c))
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(vecs); i++) {
		int before = ktap_test_failed;
		struct v1_case *c;

		ktap_test_failed = 0;
		c = case_new(&vecs[i]);
		if (c) {
			fn(c);
			case_free(c);
		}
		if (ktap_test_failed)
			printf("# in vector %s\n", vecs[i].name);
		ktap_test_failed |= before;
	}
}

static bool iv_is(const struct ike_v1_keys *k, uint32_t msgid, const char *hex)
{
	uint8_t iv[IKE_V1_BLOCK_MAX];

	return ike_v1_iv_get(k, msgid, iv) == 0 && bytes_are(iv, k->block_len, hex);
}

/*
 * @from encrypts @plain_hex as message @msgid, which must give @ct_hex;
 * @to decrypts it into @padded_hex and confirms it. Both chains must then
 * stand at the last ciphertext block.
 */
static void send_msg(struct ike_v1_keys *from, struct ike_v1_keys *to, uint32_t msgid,
		     const char *plain_hex, const char *padded_hex, const char *ct_hex)
{
	static struct octets plain, ct;
	uint8_t out[OCTETS_MAX], in[OCTETS_MAX], last[IKE_V1_BLOCK_MAX];
	size_t len = 0;

	unhex(&plain, plain_hex);
	unhex(&ct, ct_hex);
	CHECK(ike_v1_padded_len(from, plain.len) == ct.len);
	if (!CHECK(ike_v1_encrypt(from, msgid, plain.b, plain.len, out, sizeof(out), &len) == 0))
		return;
	SAME(out, len, ct_hex);
	memcpy(last, ct.b + ct.len - from->block_len, from->block_len);
	memcpy(in, ct.b, ct.len);
	if (!CHECK(ike_v1_decrypt(to, msgid, in, ct.len, in) == 0))
		return;
	if (padded_hex)
		SAME(in, ct.len, padded_hex);
	else
		CHECK(!memcmp(in, plain.b, plain.len));
	CHECK(ike_v1_iv_confirm(to, msgid) == 0);
	CHECK(ike_v1_iv_confirm(to, msgid) == -ENOENT);
	{
		uint8_t a[IKE_V1_BLOCK_MAX], b[IKE_V1_BLOCK_MAX];

		CHECK(ike_v1_iv_get(from, msgid, a) == 0 && !memcmp(a, last, from->block_len));
		CHECK(ike_v1_iv_get(to, msgid, b) == 0 && !memcmp(b, last, to->block_len));
	}
}

/* ------------------------------------------------------------------ */
/* Phase 1                                                            */

static void keys_case(struct v1_case *c)
{
	const struct v1_vec *v = c->v;
	struct ike_v1_keys *k;
	int i;

	for (i = 0; i < 2; i++) {
		k = i ? c->kr : c->ki;
		CHECK(k->derived);
		CHECK(k->hash_len == ike_v1_hash_len(v->hash));
		SAME(k->skeyid, k->hash_len, v->skeyid);
		SAME(k->skeyid_d, k->hash_len, v->skeyid_d);
		SAME(k->skeyid_a, k->hash_len, v->skeyid_a);
		SAME(k->skeyid_e, k->hash_len, v->skeyid_e);
		SAME(k->enc_key, k->key_len, v->enc_key);
		CHECK(iv_is(k, 0, v->p1_iv));
	}
}

static void test_keys(void)
{
	for_each_vec(keys_case);
}

static void hash_ir_case(struct v1_case *c)
{
	uint8_t hi[IKE_V1_HASH_MAX], hr[IKE_V1_HASH_MAX], hr2[IKE_V1_HASH_MAX];
	struct ike_v1_phase1 p1 = c->p1;
	size_t n = c->ki->hash_len;

	CHECK(ike_v1_hash_i(c->ki, &c->p1, c->sai.b, c->sai.len, c->idii.b, c->idii.len, hi) == 0);
	SAME(hi, n, c->v->hash_i);
	CHECK(ike_v1_hash_r(c->kr, &c->p1, c->sai.b, c->sai.len, c->idir.b, c->idir.len, hr) == 0);
	SAME(hr, n, c->v->hash_r);
	/* the other end checks them */
	CHECK(ike_v1_hash_i(c->kr, &c->p1, c->sai.b, c->sai.len, c->idii.b, c->idii.len, hr2) ==
	      0);
	CHECK(ike_v1_hash_check(c->kr, hr2, hi, n) == 0);
	CHECK(ike_v1_hash_check(c->kr, hr2, hi, n - 1) == -EBADMSG);
	hi[n - 1] ^= 0x80;
	CHECK(ike_v1_hash_check(c->kr, hr2, hi, n) == -EBADMSG);
	/* HASH_R swaps g^x and cookies: swapping the cookies back must show */
	p1.cky_i = c->p1.cky_r;
	p1.cky_r = c->p1.cky_i;
	CHECK(ike_v1_hash_r(c->kr, &p1, c->sai.b, c->sai.len, c->idir.b, c->idir.len, hr2) == 0);
	CHECK(memcmp(hr, hr2, n));
	CHECK(ike_v1_hash_i(c->ki, &c->p1, c->sai.b, 0, c->idii.b, c->idii.len, hi) == -EINVAL);
	CHECK(ike_v1_hash_r(c->ki, &c->p1, c->sai.b, c->sai.len, NULL, 4, hi) == -EINVAL);
}

static void test_hash_ir(void)
{
	for_each_vec(hash_ir_case);
}

/* Main Mode's messages 5 and 6: Appendix B's Phase 1 chain, both ways */
static void phase1_crypt_case(struct v1_case *c)
{
	const struct v1_vec *v = c->v;

	send_msg(c->ki, c->kr, 0, v->mm5_plain, v->mm5_padded, v->mm5_ct);
	CHECK(iv_is(c->ki, 0, v->mm5_iv_after) && iv_is(c->kr, 0, v->mm5_iv_after));
	send_msg(c->kr, c->ki, 0, v->mm6_plain, v->mm6_padded, v->mm6_ct);
	CHECK(iv_is(c->ki, 0, v->mm6_iv_after) && iv_is(c->kr, 0, v->mm6_iv_after));
}

static void test_phase1_crypt(void)
{
	for_each_vec(phase1_crypt_case);
}

/* ------------------------------------------------------------------ */
/* Quick Mode and Informational                                       */

static void phase1_done(struct v1_case *c)
{
	send_msg(c->ki, c->kr, 0, c->v->mm5_plain, NULL, c->v->mm5_ct);
	send_msg(c->kr, c->ki, 0, c->v->mm6_plain, NULL, c->v->mm6_ct);
}

static void quick_mode_case(struct v1_case *c)
{
	const struct v1_vec *v = c->v;
	uint32_t m = v->qm_msgid;
	static struct octets ni, nr, rest;
	uint8_t h[IKE_V1_HASH_MAX];
	size_t n = c->ki->hash_len;

	phase1_done(c);
	unhex(&ni, v->qm_ni);
	unhex(&nr, v->qm_nr);
	/* the first IV, hash(last Phase 1 block | M-ID), on both ends */
	CHECK(iv_is(c->ki, m, v->qm_iv) && iv_is(c->kr, m, v->qm_iv));

	unhex(&rest, v->qm1_rest);
	CHECK(ike_v1_qm_hash1(c->ki, m, rest.b, rest.len, h) == 0);
	SAME(h, n, v->qm1_hash);
	send_msg(c->ki, c->kr, m, v->qm1_plain, NULL, v->qm1_ct);

	unhex(&rest, v->qm2_rest);
	CHECK(ike_v1_qm_hash2(c->kr, m, ni.b, ni.len, rest.b, rest.len, h) == 0);
	SAME(h, n, v->qm2_hash);
	send_msg(c->kr, c->ki, m, v->qm2_plain, NULL, v->qm2_ct);

	CHECK(ike_v1_qm_hash3(c->ki, m, ni.b, ni.len, nr.b, nr.len, h) == 0);
	SAME(h, n, v->qm3_hash);
	send_msg(c->ki, c->kr, m, v->qm3_plain, v->qm3_padded, v->qm3_ct);

	/* Quick Mode left the Phase 1 chain where it was */
	CHECK(iv_is(c->ki, 0, v->mm6_iv_after) && iv_is(c->kr, 0, v->mm6_iv_after));
	/* HASH(3)'s leading zero octet and the M-ID both count */
	CHECK(ike_v1_qm_hash3(c->ki, m ^ 1, ni.b, ni.len, nr.b, nr.len, h) == 0);
	CHECK(bytes_differ(h, n, v->qm3_hash));
	CHECK(ike_v1_qm_hash2(c->kr, m, ni.b, 0, rest.b, rest.len, h) == -EINVAL);
}

static void test_quick_mode(void)
{
	for_each_vec(quick_mode_case);
}

static void info_case(struct v1_case *c)
{
	const struct v1_vec *v = c->v;
	static struct octets pl;
	uint8_t h[IKE_V1_HASH_MAX];

	phase1_done(c);
	unhex(&pl, v->info_payloads);
	CHECK(ike_v1_info_hash(c->kr, v->info_msgid, pl.b, pl.len, h) == 0);
	SAME(h, c->kr->hash_len, v->info_hash);
	CHECK(iv_is(c->kr, v->info_msgid, v->info_iv));
	send_msg(c->kr, c->ki, v->info_msgid, v->info_plain, NULL, v->info_ct);
	/* a Quick Mode after it still starts from Phase 1's last block */
	CHECK(iv_is(c->ki, v->qm_msgid, v->qm_iv));
}

static void test_informational(void)
{
	for_each_vec(info_case);
}

static void keymat_case(struct v1_case *c)
{
	const struct v1_vec *v = c->v;
	static struct octets ni, nr, spi_i, spi_r, gqm;
	uint8_t i2r[512], r2i[512], one[512];
	size_t n = v->keymat_len;

	unhex(&ni, v->qm_ni);
	unhex(&nr, v->qm_nr);
	unhex(&spi_i, v->spi_i);
	unhex(&spi_r, v->spi_r);
	unhex(&gqm, v->gqm);
	CHECK(ike_v1_keymat_sa_pair(c->ki, NULL, 0, 3, spi_i.b, spi_r.b, ni.b, ni.len, nr.b,
				    nr.len, i2r, r2i, n) == 0);
	SAME(i2r, n, v->keymat_i2r);
	SAME(r2i, n, v->keymat_r2i);
	CHECK(ike_v1_keymat_sa_pair(c->kr, gqm.b, gqm.len, 3, spi_i.b, spi_r.b, ni.b, ni.len,
				    nr.b, nr.len, i2r, r2i, n) == 0);
	SAME(i2r, n, v->keymat_pfs_i2r);
	SAME(r2i, n, v->keymat_pfs_r2i);
	/* one SA at a time: the responder's inbound SA is keyed with its SPI */
	CHECK(ike_v1_keymat(c->kr, gqm.b, gqm.len, 3, spi_r.b, 4, ni.b, ni.len, nr.b, nr.len,
			    one, n) == 0);
	SAME(one, n, v->keymat_pfs_i2r);
	/* a prefix is the same KEYMAT cut short */
	CHECK(ike_v1_keymat(c->ki, NULL, 0, 3, spi_i.b, 4, ni.b, ni.len, nr.b, nr.len, one,
			    5) == 0);
	{
		static struct octets want;

		unhex(&want, v->keymat_r2i);
		CHECK(!memcmp(one, want.b, 5));
	}
	/* the protocol counts */
	CHECK(ike_v1_keymat(c->ki, NULL, 0, 2, spi_i.b, 4, ni.b, ni.len, nr.b, nr.len, one,
			    n) == 0);
	CHECK(bytes_differ(one, n, v->keymat_r2i));
	CHECK(ike_v1_keymat(c->ki, gqm.b, 0, 3, spi_i.b, 4, ni.b, ni.len, nr.b, nr.len, one,
			    n) == -EINVAL);
	CHECK(ike_v1_keymat(c->ki, NULL, 0, 3, NULL, 4, ni.b, ni.len, nr.b, nr.len, one, n) ==
	      -EINVAL);
	CHECK(ike_v1_keymat(c->ki, NULL, 0, 3, spi_i.b, 4, ni.b, ni.len, nr.b, nr.len, one,
			    IKE_V1_KEYMAT_MAX + 1) == -EINVAL);
}

static void test_keymat(void)
{
	for_each_vec(keymat_case);
}

static void sa4(struct sockaddr_storage *ss, const char *ip, uint16_t port)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	inet_pton(AF_INET, ip, &sin->sin_addr);
}

static void sa6(struct sockaddr_storage *ss, const char *ip, uint16_t port)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(port);
	inet_pton(AF_INET6, ip, &sin6->sin6_addr);
}

static void natd_case(struct v1_case *c)
{
	const struct v1_vec *v = c->v;
	struct sockaddr_storage ss;
	uint8_t h[IKE_V1_HASH_MAX];
	size_t n = ike_v1_hash_len(v->hash);

	sa4(&ss, v->natd4_addr, v->natd4_port);
	CHECK(ike_v1_natd(v->hash, c->cky_i.b, c->cky_r.b, &ss, h) == 0);
	SAME(h, n, v->natd4);
	sa6(&ss, v->natd6_addr, v->natd6_port);
	CHECK(ike_v1_natd(v->hash, c->cky_i.b, c->cky_r.b, &ss, h) == 0);
	SAME(h, n, v->natd6);
	sa6(&ss, v->natd6_addr, (uint16_t)(v->natd6_port + 1));
	CHECK(ike_v1_natd(v->hash, c->cky_i.b, c->cky_r.b, &ss, h) == 0);
	CHECK(bytes_differ(h, n, v->natd6));
	memset(&ss, 0, sizeof(ss));
	ss.ss_family = AF_UNIX;
	CHECK(ike_v1_natd(v->hash, c->cky_i.b, c->cky_r.b, &ss, h) == -EINVAL);
	sa4(&ss, v->natd4_addr, v->natd4_port);
	CHECK(ike_v1_natd(3, c->cky_i.b, c->cky_r.b, &ss, h) == -ENOTSUP);	/* Tiger */
}

static void test_natd(void)
{
	for_each_vec(natd_case);
}

/* ------------------------------------------------------------------ */
/* The IV state, padding and misuse                                   */

/* hash(Phase 1 IV | M-ID) cut to the block, with OpenSSL's one-shot digest */
static void first_iv(const EVP_MD *md, const uint8_t *p1, size_t bl, uint32_t m, uint8_t *out)
{
	uint8_t in[IKE_V1_BLOCK_MAX + 4], h[EVP_MAX_MD_SIZE];
	unsigned int l;

	memcpy(in, p1, bl);
	in[bl] = (uint8_t)(m >> 24);
	in[bl + 1] = (uint8_t)(m >> 16);
	in[bl + 2] = (uint8_t)(m >> 8);
	in[bl + 3] = (uint8_t)m;
	EVP_Digest(in, bl + 4, h, &l, md, NULL);
	memcpy(out, h, bl);
}

static void test_iv_state(void)
{
	struct v1_case *c = case_new(&vecs[3]);
	const struct v1_vec *v;
	static struct octets ct, plain;
	uint8_t buf[OCTETS_MAX], iv0[IKE_V1_BLOCK_MAX], iv[IKE_V1_BLOCK_MAX];
	uint8_t p1[IKE_V1_BLOCK_MAX];
	size_t len, bl;
	uint32_t m;

	if (!c)
		return;
	v = c->v;
	bl = c->kr->block_len;
	if (!CHECK(v->hash == IKE_V1_HASH_SHA && bl == 16)) {	/* first_iv() below */
		case_free(c);
		return;
	}
	/*
	 * A forged message 5 decrypts to garbage, and is never confirmed: the
	 * real one then still decrypts, because the chain did not move.
	 */
	unhex(&ct, v->mm5_ct);
	memcpy(buf, ct.b, ct.len);
	buf[ct.len - 1] ^= 1;
	CHECK(ike_v1_decrypt(c->kr, 0, buf, ct.len, buf) == 0);
	CHECK(iv_is(c->kr, 0, v->p1_iv));
	CHECK(ike_v1_decrypt(c->kr, 0, ct.b, ct.len, buf) == 0);
	SAME(buf, ct.len, v->mm5_padded);
	/* confirming another exchange's message does nothing */
	CHECK(ike_v1_iv_confirm(c->kr, 7) == -ENOENT);
	CHECK(iv_is(c->kr, 0, v->p1_iv));
	CHECK(ike_v1_iv_confirm(c->kr, 0) == 0);
	CHECK(iv_is(c->kr, 0, v->mm5_iv_after));
	/* an encryption supersedes a message decrypted but not confirmed */
	CHECK(ike_v1_decrypt(c->ki, 0, ct.b, ct.len, buf) == 0);
	unhex(&plain, v->mm5_plain);
	CHECK(ike_v1_encrypt(c->ki, 0, plain.b, plain.len, buf, sizeof(buf), &len) == 0);
	CHECK(ike_v1_iv_confirm(c->ki, 0) == -ENOENT);
	CHECK(iv_is(c->ki, 0, v->mm5_iv_after));

	/* Phase 2 slots: a new Message ID starts afresh from Phase 1's chain */
	m = v->qm_msgid;
	CHECK(ike_v1_iv_get(c->ki, m, iv0) == 0);
	CHECK(ike_v1_encrypt(c->ki, m, plain.b, plain.len, buf, sizeof(buf), &len) == 0);
	CHECK(ike_v1_iv_get(c->ki, m, iv) == 0 && !memcmp(iv, buf + len - bl, bl));
	ike_v1_iv_forget(c->ki, m);
	CHECK(ike_v1_iv_get(c->ki, m, iv) == 0 && !memcmp(iv, iv0, bl));
	/* one slot per exchange; past IKE_V1_IV_SLOTS the oldest goes */
	for (m = 1; m <= IKE_V1_IV_SLOTS; m++)
		CHECK(ike_v1_encrypt(c->ki, m, plain.b, plain.len, buf, sizeof(buf), &len) == 0);
	CHECK(ike_v1_encrypt(c->ki, 2, plain.b, plain.len, buf, sizeof(buf), &len) == 0);
	CHECK(ike_v1_iv_get(c->ki, 2, iv) == 0 && !memcmp(iv, buf + len - bl, bl));
	CHECK(ike_v1_encrypt(c->ki, 1000, plain.b, plain.len, buf, sizeof(buf), &len) == 0);
	CHECK(ike_v1_iv_get(c->ki, 0, p1) == 0);
	/* 1 was the oldest: it is back at its first IV; 2 and 3 kept theirs */
	first_iv(EVP_sha1(), p1, bl, 1, iv0);
	CHECK(ike_v1_iv_get(c->ki, 1, iv) == 0 && !memcmp(iv, iv0, bl));
	first_iv(EVP_sha1(), p1, bl, 3, iv0);
	CHECK(ike_v1_iv_get(c->ki, 3, iv) == 0 && memcmp(iv, iv0, bl));
	first_iv(EVP_sha1(), p1, bl, 2, iv0);
	CHECK(ike_v1_iv_get(c->ki, 2, iv) == 0 && memcmp(iv, iv0, bl));

	/* a new derivation drops the Phase 2 state and restarts Phase 1's */
	CHECK(ike_v1_keys_derive(c->ki, &c->p1, c->psk.b, c->psk.len) == 0);
	CHECK(iv_is(c->ki, 0, v->p1_iv));
	unhex(&ct, v->p1_iv);
	first_iv(EVP_sha1(), ct.b, bl, 2, iv0);
	CHECK(ike_v1_iv_get(c->ki, 2, iv) == 0 && !memcmp(iv, iv0, bl));
	case_free(c);
}

static void padding_case(struct v1_case *c)
{
	uint8_t plain[80], ct[96], dec[96];
	size_t bl = c->ki->block_len, pl, len, i;

	for (pl = 0; pl <= 2 * bl + 1; pl++) {
		size_t want = (pl / bl + 1) * bl;
		bool ok = true;

		memset(plain, 0xa5, sizeof(plain));
		CHECK(ike_v1_padded_len(c->ki, pl) == want);
		if (!CHECK(ike_v1_encrypt(c->ki, 0, plain, pl, ct, sizeof(ct), &len) == 0 &&
			   len == want))
			continue;
		CHECK(ike_v1_decrypt(c->kr, 0, ct, len, dec) == 0 &&
		      ike_v1_iv_confirm(c->kr, 0) == 0);
		/* section 5.3: payloads, zero octets, then how many zeros came */
		ok = !memcmp(dec, plain, pl) && dec[len - 1] == len - pl - 1;
		for (i = pl; i < len - 1; i++)
			ok = ok && !dec[i];
		if (!CHECK(ok))
			printf("# plaintext of %zu octets\n", pl);
	}
	/* in place, with exactly the room needed */
	memset(plain, 0x5a, sizeof(plain));
	memcpy(ct, plain, 2 * bl);
	CHECK(ike_v1_encrypt(c->ki, 0, ct, 2 * bl, ct, 3 * bl, &len) == 0 && len == 3 * bl);
	CHECK(ike_v1_decrypt(c->kr, 0, ct, len, ct) == 0 && !memcmp(ct, plain, 2 * bl) &&
	      ct[len - 1] == bl - 1);
	CHECK(ike_v1_encrypt(c->ki, 0, plain, 2 * bl, ct, 3 * bl - 1, &len) == -ENOSPC);
}

static void test_padding(void)
{
	for_each_vec(padding_case);
}

static void test_decrypt_lengths(void)
{
	struct v1_case *c = case_new(&vecs[0]);		/* 3DES: 8-octet blocks */
	struct v1_case *a = case_new(&vecs[3]);		/* AES: 16 */
	uint8_t buf[64], canary[64];
	size_t len;

	if (!c || !a || !CHECK(c->kr->block_len == 8 && a->kr->block_len == 16))
		goto out;
	memset(buf, 0x33, sizeof(buf));
	memcpy(canary, buf, sizeof(buf));
	CHECK(ike_v1_decrypt(c->kr, 0, buf, 0, buf) == -EBADMSG);
	CHECK(ike_v1_decrypt(c->kr, 0, buf, 7, buf) == -EBADMSG);
	CHECK(ike_v1_decrypt(c->kr, 0, buf, 12, buf) == -EBADMSG);
	CHECK(ike_v1_decrypt(a->kr, 0, buf, 8, buf) == -EBADMSG);
	CHECK(ike_v1_decrypt(a->kr, 0, buf, 24, buf) == -EBADMSG);
	CHECK(ike_v1_decrypt(a->kr, 0, buf, 33, buf) == -EBADMSG);
	/* refused lengths touch nothing and leave nothing to confirm */
	CHECK(!memcmp(buf, canary, sizeof(buf)));
	CHECK(ike_v1_iv_confirm(c->kr, 0) == -ENOENT);
	CHECK(ike_v1_decrypt(c->kr, 0, NULL, 8, buf) == -EINVAL);
	CHECK(ike_v1_decrypt(c->kr, 0, buf, 8, NULL) == -EINVAL);
	CHECK(ike_v1_decrypt(c->kr, 0, buf, 8, buf) == 0);
	CHECK(ike_v1_decrypt(a->kr, 0, buf, 16, buf) == 0);
	CHECK(ike_v1_encrypt(c->ki, 0, NULL, 4, buf, sizeof(buf), &len) == -EINVAL);
	CHECK(ike_v1_encrypt(c->ki, 0, NULL, 0, buf, sizeof(buf), &len) == 0 && len == 8);
out:
	if (c)
		case_free(c);
	if (a)
		case_free(a);
}

static void test_misuse(void)
{
	static const uint8_t cky[8], g[32], n[257];
	struct ike_v1_phase1 p1 = {
		.cky_i = cky, .cky_r = cky, .gxi = g, .gxi_len = 32, .gxr = g, .gxr_len = 32,
		.gxy = g, .gxy_len = 32, .ni = n, .ni_len = 16, .nr = n, .nr_len = 16,
	};
	struct ike_v1_keys *k = NULL;
	uint8_t out[IKE_V1_HASH_MAX], buf[32];
	size_t len;

	CHECK(ike_v1_keys_new(IKE_V1_HASH_SHA, IKE_V1_ENCR_AES_CBC, 0, &k) == -ENOTSUP && !k);
	CHECK(ike_v1_keys_new(IKE_V1_HASH_SHA, IKE_V1_ENCR_AES_CBC, 160, &k) == -ENOTSUP);
	CHECK(ike_v1_keys_new(IKE_V1_HASH_SHA, IKE_V1_ENCR_3DES_CBC, 128, &k) == -ENOTSUP);
	CHECK(ike_v1_keys_new(IKE_V1_HASH_SHA, 1, 0, &k) == -ENOTSUP);		/* DES */
	CHECK(ike_v1_keys_new(3, IKE_V1_ENCR_3DES_CBC, 0, &k) == -ENOTSUP);	/* Tiger */
	CHECK(ike_v1_keys_new(IKE_V1_HASH_SHA, IKE_V1_ENCR_3DES_CBC, 0, NULL) == -EINVAL);
	CHECK(ike_v1_hash_len(3) == 0 && ike_v1_hash_len(IKE_V1_HASH_SHA2_384) == 48);
	if (!CHECK(ike_v1_keys_new(IKE_V1_HASH_SHA, IKE_V1_ENCR_3DES_CBC, 192, &k) == 0))
		return;
	CHECK(k->key_len == 24 && k->block_len == 8 && k->encr_keylen == 0);
	/* nothing works before the keys exist */
	CHECK(ike_v1_encrypt(k, 0, buf, 4, buf, sizeof(buf), &len) == -EINVAL);
	CHECK(ike_v1_decrypt(k, 0, buf, 8, buf) == -EINVAL);
	CHECK(ike_v1_iv_get(k, 0, buf) == -EINVAL);
	CHECK(ike_v1_qm_hash1(k, 1, buf, 4, out) == -EINVAL);
	CHECK(ike_v1_hash_i(k, &p1, buf, 4, buf, 4, out) == -EINVAL);
	/* bad Phase 1 values */
	CHECK(ike_v1_keys_derive(k, &p1, cky, 0) == -EINVAL);
	p1.ni_len = 257;
	CHECK(ike_v1_keys_derive(k, &p1, NULL, 0) == -EINVAL);
	p1.ni_len = 0;
	CHECK(ike_v1_keys_derive(k, &p1, NULL, 0) == -EINVAL);
	p1.ni_len = 8;
	p1.gxy = NULL;
	CHECK(ike_v1_keys_derive(k, &p1, NULL, 0) == -EINVAL);
	p1.gxy = g;
	p1.cky_r = NULL;
	CHECK(ike_v1_keys_derive(k, &p1, NULL, 0) == -EINVAL);
	CHECK(ike_v1_keys_derive(k, NULL, NULL, 0) == -EINVAL);
	CHECK(!k->derived);
	p1.cky_r = cky;
	CHECK(ike_v1_keys_derive(k, &p1, NULL, 0) == 0 && k->derived);
	CHECK(ike_v1_qm_hash1(k, 1, NULL, 4, out) == -EINVAL);
	CHECK(ike_v1_info_hash(k, 1, buf, 0, out) == -EINVAL);
	ike_v1_iv_forget(k, 0);
	ike_v1_iv_forget(NULL, 1);
	ike_v1_keys_free(k);
	ike_v1_keys_free(NULL);
}

/* Both ends of a real key exchange (MODP 2048) get the same keys. */
static void test_real_dh(void)
{
	struct ike_dh *di = ike_dh_new(14), *dr = ike_dh_new(14);
	uint8_t gxi[256], gxr[256], si[256], sr[256], cky_i[8], cky_r[8], ni[16], nr[16];
	size_t li = sizeof(gxi), lr = sizeof(gxr), lsi = sizeof(si), lsr = sizeof(sr);
	struct ike_v1_keys *ki = NULL, *kr = NULL;
	struct ike_v1_phase1 pi, pr;
	uint8_t ct[64], pt[64];
	size_t len;

	if (!CHECK(di && dr))
		goto out;
	CHECK(ike_dh_public(di, gxi, &li) == 0 && ike_dh_public(dr, gxr, &lr) == 0);
	CHECK(ike_dh_derive(di, gxr, lr, si, &lsi) == 0);
	CHECK(ike_dh_derive(dr, gxi, li, sr, &lsr) == 0);
	CHECK(lsi == 256 && lsr == 256 && !memcmp(si, sr, 256));
	CHECK(ike_crypto_random(cky_i, 8) == 0 && ike_crypto_random(cky_r, 8) == 0);
	CHECK(ike_crypto_random(ni, 16) == 0 && ike_crypto_random(nr, 16) == 0);
	pi = (struct ike_v1_phase1){
		.cky_i = cky_i, .cky_r = cky_r, .gxi = gxi, .gxi_len = li, .gxr = gxr,
		.gxr_len = lr, .gxy = si, .gxy_len = lsi, .ni = ni, .ni_len = 16, .nr = nr,
		.nr_len = 16,
	};
	pr = pi;
	pr.gxy = sr;
	pr.gxy_len = lsr;
	if (!CHECK(ike_v1_keys_new(IKE_V1_HASH_SHA2_256, IKE_V1_ENCR_AES_CBC, 256, &ki) == 0 &&
		   ike_v1_keys_new(IKE_V1_HASH_SHA2_256, IKE_V1_ENCR_AES_CBC, 256, &kr) == 0))
		goto out;
	CHECK(ike_v1_keys_derive(ki, &pi, NULL, 0) == 0);
	CHECK(ike_v1_keys_derive(kr, &pr, NULL, 0) == 0);
	CHECK(!memcmp(ki->skeyid_d, kr->skeyid_d, 32) && !memcmp(ki->enc_key, kr->enc_key, 32));
	memset(pt, 0x42, sizeof(pt));
	CHECK(ike_v1_encrypt(ki, 0, pt, 40, ct, sizeof(ct), &len) == 0 && len == 48);
	CHECK(ike_v1_decrypt(kr, 0, ct, len, ct) == 0 && !memcmp(ct, pt, 40));
out:
	ike_dh_free(di);
	ike_dh_free(dr);
	ike_v1_keys_free(ki);
	ike_v1_keys_free(kr);
}

/* ------------------------------------------------------------------ */
/* RSA signatures                                                     */

/* s^e mod n, done here with BIGNUMs rather than through EVP_PKEY */
static bool raw_rsa_public(EVP_PKEY *key, const uint8_t *sig, size_t len, uint8_t *out)
{
	BIGNUM *n = NULL, *e = NULL, *s = BN_bin2bn(sig, (int)len, NULL), *m = BN_new();
	BN_CTX *ctx = BN_CTX_new();
	bool ok;

	ok = s && m && ctx && EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_N, &n) == 1 &&
	     EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &e) == 1 &&
	     BN_mod_exp(m, s, e, n, ctx) == 1 && BN_bn2binpad(m, out, (int)len) == (int)len;
	BN_free(n);
	BN_free(e);
	BN_free(s);
	BN_free(m);
	BN_CTX_free(ctx);
	return ok;
}

/* The public half alone, as a peer's certificate gives it */
static EVP_PKEY *public_only(EVP_PKEY *key)
{
	unsigned char *der = NULL;
	const unsigned char *p;
	EVP_PKEY *pub = NULL;
	int len = i2d_PUBKEY(key, &der);

	p = der;
	if (len > 0)
		pub = d2i_PUBKEY(NULL, &p, len);
	OPENSSL_free(der);
	return pub;
}

static void test_rsa(void)
{
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	EVP_PKEY *ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	EVP_PKEY *pub = key ? public_only(key) : NULL;
	uint8_t sig[512], raw[512];
	size_t i, j, len;

	if (!CHECK(key && ec && pub))
		goto out;
	memset(raw, 0x5c, sizeof(raw));
	/* a public key cannot sign */
	len = sizeof(sig);
	CHECK(ike_v1_rsa_sign(pub, raw, 20, sig, &len) == -EIO);
	for (i = 0; i < ARRAY_SIZE(vecs); i += 4) {
		struct octets h;
		bool ok = true;

		unhex(&h, vecs[i].hash_i);
		len = sizeof(sig);
		if (!CHECK(ike_v1_rsa_sign(key, h.b, h.len, sig, &len) == 0 && len == 256))
			continue;
		CHECK(ike_v1_rsa_verify(pub, h.b, h.len, sig, len) == 0);
		/* 00 01 FF..FF 00 | HASH_I: block type 1, no DigestInfo */
		CHECK(raw_rsa_public(pub, sig, len, raw));
		ok = raw[0] == 0x00 && raw[1] == 0x01 && raw[len - h.len - 1] == 0x00 &&
		     !memcmp(raw + len - h.len, h.b, h.len);
		for (j = 2; j < len - h.len - 1; j++)
			ok = ok && raw[j] == 0xff;
		if (!CHECK(ok))
			printf("# vector %s\n", vecs[i].name);
		/* any flipped bit, in the signature or the hash, fails */
		sig[len / 2] ^= 0x10;
		CHECK(ike_v1_rsa_verify(pub, h.b, h.len, sig, len) == -EBADMSG);
		sig[len / 2] ^= 0x10;
		sig[len - 1] ^= 0x01;
		CHECK(ike_v1_rsa_verify(pub, h.b, h.len, sig, len) == -EBADMSG);
		sig[len - 1] ^= 0x01;
		h.b[0] ^= 0x80;
		CHECK(ike_v1_rsa_verify(pub, h.b, h.len, sig, len) == -EBADMSG);
		h.b[0] ^= 0x80;
		CHECK(ike_v1_rsa_verify(pub, h.b, h.len - 1, sig, len) == -EBADMSG);
		CHECK(ike_v1_rsa_verify(pub, h.b, h.len, sig, len - 1) == -EBADMSG);
		CHECK(ike_v1_rsa_verify(pub, h.b, h.len, sig, len) == 0);
		/* not a signature over a DigestInfo, as PKCS#1's RSASSA would make */
		{
			EVP_MD_CTX *md = EVP_MD_CTX_new();
			uint8_t other[512];
			size_t olen = sizeof(other);

			CHECK(md && EVP_DigestSignInit_ex(md, NULL, "SHA256", NULL, NULL, key,
							  NULL) == 1 &&
			      EVP_DigestSign(md, other, &olen, h.b, h.len) == 1);
			CHECK(ike_v1_rsa_verify(pub, h.b, h.len, other, olen) == -EBADMSG);
			EVP_MD_CTX_free(md);
		}
	}
	len = 255;
	CHECK(ike_v1_rsa_sign(key, raw, 20, sig, &len) == -ENOSPC);
	len = sizeof(sig);
	CHECK(ike_v1_rsa_sign(key, raw, 256 - 10, sig, &len) == -EINVAL);
	CHECK(ike_v1_rsa_sign(ec, raw, 20, sig, &len) == -ENOTSUP);
	CHECK(ike_v1_rsa_verify(ec, raw, 20, sig, 64) == -ENOTSUP);
	CHECK(ike_v1_rsa_verify(key, raw, 20, NULL, 256) == -EBADMSG);
out:
	EVP_PKEY_free(key);
	EVP_PKEY_free(pub);
	EVP_PKEY_free(ec);
}

static const struct ktap_test tests[] = {
	{ "v1_keys", test_keys },
	{ "v1_hash_i_r", test_hash_ir },
	{ "v1_phase1_crypt", test_phase1_crypt },
	{ "v1_quick_mode", test_quick_mode },
	{ "v1_informational", test_informational },
	{ "v1_keymat", test_keymat },
	{ "v1_natd", test_natd },
	{ "v1_iv_state", test_iv_state },
	{ "v1_padding", test_padding },
	{ "v1_decrypt_lengths", test_decrypt_lengths },
	{ "v1_misuse", test_misuse },
	{ "v1_real_dh", test_real_dh },
	{ "v1_rsa", test_rsa },
};

int main(void)
{
	printf("# %zu vectors from tests/ike_v1_vectors.py\n", ARRAY_SIZE(vecs));
	return ktap_run(tests, ARRAY_SIZE(tests));
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side tests of veil-iked's IKEv2 message codec (iked/msg.c): what
 * the builder writes parses back to what went in, a hand-assembled
 * IKE_SA_INIT comes out byte for byte, and each class of malformed input
 * is refused with its own code and a reason that says where. Output is
 * KTAP; the exit status is non-zero when any check fails.
 *
 * "ike_msg_test --corpus DIR" instead writes seed messages for the fuzz
 * target (iked/fuzz_msg.c) into DIR, one file each: they are built here
 * so that no binary file needs to live in the repository.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "msg.h"

#include "ktap.h"


/* @rc must be @code, with a reason that contains @want. */
#include "msg_fails.h"


/* Hex into one of a few static buffers: for short inline bodies. */
static const uint8_t *unhex_buf(const char *hex)
{
	static uint8_t buf[4][256];
	static int next;
	uint8_t *p = buf[next++ % 4];

	ktap_unhex(hex, p, sizeof(buf[0]));
	return p;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static const uint8_t spi_i[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
static const uint8_t spi_r[8] = { 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8 };

/* Bytes that differ from one use to the next: seed, seed + 1, ... */
static const uint8_t *pattern(size_t n, uint8_t seed)
{
	static uint8_t buf[8][512];
	static int next;
	uint8_t *p = buf[next++ % 8];
	size_t i;

	for (i = 0; i < n && i < sizeof(buf[0]); i++)
		p[i] = (uint8_t)(seed + i);
	return p;
}

static void hdr_init(struct ike_hdr *h, uint8_t exchange, uint8_t flags, uint32_t msg_id)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->spi_i, spi_i, 8);
	if (exchange != IKEV2_EXCH_IKE_SA_INIT || (flags & IKEV2_FLAG_RESPONSE))
		memcpy(h->spi_r, spi_r, 8);
	h->exchange = exchange;
	h->flags = flags;
	h->msg_id = msg_id;
}

/* A message with a header and @hex as its payloads: for malformed chains. */
static int parse_msg_hex(uint8_t first, const char *hex, struct ike_msg *m,
			 struct ike_msg_err *e)
{
	static uint8_t buf[4096];
	size_t n;

	memset(buf, 0, IKEV2_HDR_LEN);
	memcpy(buf, spi_i, 8);
	buf[16] = first;
	buf[17] = IKEV2_VERSION;
	buf[18] = IKEV2_EXCH_IKE_SA_INIT;
	buf[19] = IKEV2_FLAG_INITIATOR;
	n = ktap_unhex(hex, buf + IKEV2_HDR_LEN, sizeof(buf) - IKEV2_HDR_LEN);
	put32(buf + 24, (uint32_t)(IKEV2_HDR_LEN + n));
	return ike_msg_parse(buf, IKEV2_HDR_LEN + n, m, e);
}

/* Finish @b, a bare chain of one payload, and parse it back into @c. */
static bool chain_one(struct ike_builder *b, uint8_t type, struct ike_chain *c)
{
	struct ike_msg_err e;
	size_t len;

	if (!CHECK(ike_msg_build_end(b, &len) == 0)) {
		printf("#   %s\n", b->err.reason);
		return false;
	}
	if (!CHECK(b->first == type) ||
	    !CHECK(ike_msg_parse_inner(b->first, b->buf, len, c, &e) == 0))
		return false;
	return CHECK(c->n == 1) && CHECK(c->pl[0].type == type) && CHECK(!c->pl[0].critical);
}

static bool blob_is(const uint8_t *data, size_t len, const uint8_t *want, size_t want_len)
{
	return len == want_len && (!len || !memcmp(data, want, len));
}

/* The SA of the hand-assembled IKE_SA_INIT: AES-GCM-16/256, SHA2-256, 31. */
static void sa_ike(struct ike_sa_payload *sa)
{
	struct ike_proposal *p = &sa->prop[0];

	memset(sa, 0, sizeof(*sa));
	sa->n_proposals = 1;
	p->num = 1;
	p->proto = IKEV2_PROTO_IKE;
	p->n_transforms = 3;
	p->tr[0] = (struct ike_transform){ IKEV2_TRANS_ENCR, IKEV2_ENCR_AES_GCM_16, 256, false };
	p->tr[1] = (struct ike_transform){ IKEV2_TRANS_PRF, IKEV2_PRF_HMAC_SHA2_256, 0, false };
	p->tr[2] = (struct ike_transform){ IKEV2_TRANS_DH, IKEV2_DH_CURVE25519, 0, false };
}

/* Two ESP proposals with SPIs: AES-GCM, or AES-CBC with HMAC-SHA2-256. */
static void sa_esp(struct ike_sa_payload *sa)
{
	static const uint8_t spi[4] = { 0xc0, 0x01, 0xd0, 0x0d };
	struct ike_proposal *p;

	memset(sa, 0, sizeof(*sa));
	sa->n_proposals = 2;
	p = &sa->prop[0];
	p->num = 1;
	p->proto = IKEV2_PROTO_ESP;
	p->spi_size = 4;
	memcpy(p->spi, spi, 4);
	p->n_transforms = 2;
	p->tr[0] = (struct ike_transform){ IKEV2_TRANS_ENCR, IKEV2_ENCR_AES_GCM_16, 128, false };
	p->tr[1] = (struct ike_transform){ IKEV2_TRANS_ESN, IKEV2_ESN_NO, 0, false };
	p = &sa->prop[1];
	p->num = 2;
	p->proto = IKEV2_PROTO_ESP;
	p->spi_size = 4;
	memcpy(p->spi, spi, 4);
	p->n_transforms = 4;
	p->tr[0] = (struct ike_transform){ IKEV2_TRANS_ENCR, IKEV2_ENCR_AES_CBC, 256, false };
	p->tr[1] = (struct ike_transform){ IKEV2_TRANS_INTEG, IKEV2_INTEG_HMAC_SHA2_256_128, 0,
					   false };
	p->tr[2] = (struct ike_transform){ IKEV2_TRANS_ESN, IKEV2_ESN_YES, 0, false };
	p->tr[3] = (struct ike_transform){ IKEV2_TRANS_ESN, IKEV2_ESN_NO, 0, false };
}

static bool sa_equal(const struct ike_sa_payload *a, const struct ike_sa_payload *b)
{
	const struct ike_proposal *p, *q;
	size_t i, j;

	if (a->n_proposals != b->n_proposals)
		return false;
	for (i = 0; i < a->n_proposals; i++) {
		p = &a->prop[i];
		q = &b->prop[i];
		if (p->num != q->num || p->proto != q->proto || p->spi_size != q->spi_size ||
		    memcmp(p->spi, q->spi, p->spi_size) || p->n_transforms != q->n_transforms)
			return false;
		for (j = 0; j < p->n_transforms; j++)
			if (p->tr[j].type != q->tr[j].type || p->tr[j].id != q->tr[j].id ||
			    p->tr[j].key_len != q->tr[j].key_len ||
			    p->tr[j].unknown_attrs != q->tr[j].unknown_attrs)
				return false;
	}
	return true;
}

static void ts_v4(struct ike_ts *ts, const char *from, const char *to, uint8_t proto)
{
	memset(ts, 0, sizeof(*ts));
	ts->type = IKEV2_TS_IPV4_ADDR_RANGE;
	ts->ip_proto = proto;
	ts->end_port = 65535;
	ktap_unhex(from, ts->start_addr, 4);
	ktap_unhex(to, ts->end_addr, 4);
}

static void ts_pair(struct ike_ts_payload *tsi, struct ike_ts_payload *tsr)
{
	memset(tsi, 0, sizeof(*tsi));
	memset(tsr, 0, sizeof(*tsr));
	tsi->n_ts = 1;
	ts_v4(&tsi->ts[0], "0a010000", "0a0100ff", 0);
	tsr->n_ts = 2;
	ts_v4(&tsr->ts[0], "0a020000", "0a0200ff", 6);
	tsr->ts[1].type = IKEV2_TS_IPV6_ADDR_RANGE;
	tsr->ts[1].start_port = 500;
	tsr->ts[1].end_port = 500;
	tsr->ts[1].ip_proto = 17;
	ktap_unhex("20010db8000000000000000000000000", tsr->ts[1].start_addr, 16);
	ktap_unhex("20010db8ffffffffffffffffffffffff", tsr->ts[1].end_addr, 16);
}

/* Body parsing by type, as a daemon would: 0 or the parser's error. */
static int parse_body(const struct ike_payload *pl, bool response)
{
	struct ike_sa_payload sa;
	struct ike_ts_payload ts;
	struct ike_notify n;
	struct ike_delete d;
	struct ike_blob blob;
	struct ike_auth auth;
	struct ike_cert cert;
	struct ike_skf skf;
	struct ike_ke ke;
	struct ike_id id;
	struct ike_cp cp;

	switch (pl->type) {
	case IKEV2_PL_SA:
		return ike_msg_parse_sa(pl->body, pl->len, response, &sa, NULL);
	case IKEV2_PL_KE:
		return ike_msg_parse_ke(pl->body, pl->len, &ke, NULL);
	case IKEV2_PL_IDI:
	case IKEV2_PL_IDR:
		return ike_msg_parse_id(pl->body, pl->len, &id, NULL);
	case IKEV2_PL_CERT:
		return ike_msg_parse_cert(pl->body, pl->len, &cert, NULL);
	case IKEV2_PL_CERTREQ:
		return ike_msg_parse_certreq(pl->body, pl->len, &cert, NULL);
	case IKEV2_PL_AUTH:
		return ike_msg_parse_auth(pl->body, pl->len, &auth, NULL);
	case IKEV2_PL_NONCE:
		return ike_msg_parse_nonce(pl->body, pl->len, &blob, NULL);
	case IKEV2_PL_NOTIFY:
		return ike_msg_parse_notify(pl->body, pl->len, &n, NULL);
	case IKEV2_PL_DELETE:
		return ike_msg_parse_delete(pl->body, pl->len, &d, NULL);
	case IKEV2_PL_VENDOR:
		return ike_msg_parse_vendor(pl->body, pl->len, &blob, NULL);
	case IKEV2_PL_TSI:
	case IKEV2_PL_TSR:
		return ike_msg_parse_ts(pl->body, pl->len, &ts, NULL);
	case IKEV2_PL_CP:
		return ike_msg_parse_cp(pl->body, pl->len, &cp, NULL);
	case IKEV2_PL_SK:
		return ike_msg_parse_sk(pl->body, pl->len, &blob, NULL);
	case IKEV2_PL_SKF:
		return ike_msg_parse_skf(pl->body, pl->len, &skf, NULL);
	default:
		return 0;
	}
}

/* Messages, for tests and for the fuzzer's corpus */

/*
 * Each builds a whole datagram into @buf and returns its length, 0 when
 * the builder refused (a test then fails on it). Messages with SK carry
 * their inner chain as the SK body, unencrypted, so that the fuzzer's
 * inner-chain parsing starts from something real.
 */
typedef size_t (*msg_fn)(uint8_t *buf, size_t cap);

static size_t finish(struct ike_builder *b)
{
	size_t len;

	if (ike_msg_build_end(b, &len)) {
		printf("# builder: %s\n", b->err.reason);
		return 0;
	}
	return len;
}

static void add_nat_d(struct ike_builder *b)
{
	struct ike_notify n = { .type = IKEV2_N_NAT_DETECTION_SOURCE_IP };

	n.data = pattern(20, 0x40);
	n.len = 20;
	ike_msg_add_notify(b, &n);
	n.type = IKEV2_N_NAT_DETECTION_DESTINATION_IP;
	n.data = pattern(20, 0x60);
	ike_msg_add_notify(b, &n);
}

static size_t msg_sa_init_req(uint8_t *buf, size_t cap)
{
	static const uint8_t hashes[] = { 0, 2, 0, 3, 0, 4, 0, 5 };
	struct ike_notify n = { .type = IKEV2_N_IKEV2_FRAGMENTATION_SUPPORTED };
	struct ike_ke ke = { IKEV2_DH_CURVE25519, pattern(32, 0x10), 32 };
	struct ike_sa_payload sa;
	struct ike_builder b;
	struct ike_hdr h;

	hdr_init(&h, IKEV2_EXCH_IKE_SA_INIT, IKEV2_FLAG_INITIATOR, 0);
	ike_msg_build_init(&b, buf, cap, &h);
	sa_ike(&sa);
	sa.n_proposals = 2;
	sa.prop[1] = sa.prop[0];
	sa.prop[1].num = 2;
	sa.prop[1].tr[2].id = IKEV2_DH_ECP256;
	ike_msg_add_sa(&b, &sa);
	ike_msg_add_ke(&b, &ke);
	ike_msg_add_nonce(&b, pattern(32, 0x20), 32);
	add_nat_d(&b);
	ike_msg_add_notify(&b, &n);
	n.type = IKEV2_N_SIGNATURE_HASH_ALGORITHMS;
	n.data = hashes;
	n.len = sizeof(hashes);
	ike_msg_add_notify(&b, &n);
	ike_msg_add_vendor(&b, pattern(16, 0x30), 16);
	return finish(&b);
}

static size_t msg_sa_init_resp(uint8_t *buf, size_t cap)
{
	struct ike_ke ke = { IKEV2_DH_CURVE25519, pattern(32, 0x11), 32 };
	struct ike_cert req = { IKEV2_CERT_X509_SIG, pattern(40, 0x50), 40 };
	struct ike_sa_payload sa;
	struct ike_builder b;
	struct ike_hdr h;

	hdr_init(&h, IKEV2_EXCH_IKE_SA_INIT, IKEV2_FLAG_RESPONSE, 0);
	ike_msg_build_init(&b, buf, cap, &h);
	sa_ike(&sa);
	sa.prop[0].num = 2;	/* the initiator's second proposal, accepted */
	ike_msg_add_sa(&b, &sa);
	ike_msg_add_ke(&b, &ke);
	ike_msg_add_nonce(&b, pattern(32, 0x21), 32);
	add_nat_d(&b);
	ike_msg_add_certreq(&b, &req);
	return finish(&b);
}

/* The payloads of an IKE_AUTH request, as a bare chain for SK. */
static size_t chain_ike_auth(uint8_t *buf, size_t cap, uint8_t *first)
{
	struct ike_id id = { IKEV2_ID_FQDN, (const uint8_t *)"alice.example", 13 };
	struct ike_auth auth = { IKEV2_AUTH_DIGITAL_SIGNATURE, pattern(64, 0x70), 64 };
	struct ike_cert cert = { IKEV2_CERT_X509_SIG, pattern(100, 0x80), 100 };
	struct ike_notify n = { .type = IKEV2_N_INITIAL_CONTACT };
	struct ike_ts_payload tsi, tsr;
	struct ike_cp cp = { .type = IKEV2_CFG_REQUEST, .n_attrs = 2 };
	struct ike_sa_payload sa;
	struct ike_builder b;

	cp.attr[0].type = 1;	/* INTERNAL_IP4_ADDRESS */
	cp.attr[1].type = 3;	/* INTERNAL_IP4_DNS */
	ike_msg_chain_init(&b, buf, cap);
	ike_msg_add_id(&b, IKEV2_PL_IDI, &id);
	ike_msg_add_cert(&b, &cert);
	ike_msg_add_notify(&b, &n);
	id.data = (const uint8_t *)"bob.example";
	id.len = 11;
	ike_msg_add_id(&b, IKEV2_PL_IDR, &id);
	ike_msg_add_auth(&b, &auth);
	ike_msg_add_cp(&b, &cp);
	sa_esp(&sa);
	ike_msg_add_sa(&b, &sa);
	ts_pair(&tsi, &tsr);
	ike_msg_add_ts(&b, IKEV2_PL_TSI, &tsi);
	ike_msg_add_ts(&b, IKEV2_PL_TSR, &tsr);
	*first = b.first;
	return finish(&b);
}

/* Wrap a chain in SK, unencrypted: header, SK, the chain as its body. */
static size_t wrap_sk(uint8_t *buf, size_t cap, uint8_t exchange, uint8_t flags, uint32_t msg_id,
		      const uint8_t *inner, size_t len, uint8_t first)
{
	struct ike_builder b;
	struct ike_hdr h;
	uint8_t *body;

	hdr_init(&h, exchange, flags, msg_id);
	ike_msg_build_init(&b, buf, cap, &h);
	if (!ike_msg_add_sk(&b, first, len, &body))
		memcpy(body, inner, len);
	return finish(&b);
}

static size_t msg_ike_auth(uint8_t *buf, size_t cap)
{
	uint8_t inner[2048], first;
	size_t len = chain_ike_auth(inner, sizeof(inner), &first);

	if (!len)
		return 0;
	return wrap_sk(buf, cap, IKEV2_EXCH_IKE_AUTH, IKEV2_FLAG_INITIATOR, 1, inner, len, first);
}

static size_t msg_natt_ike_auth(uint8_t *buf, size_t cap)
{
	size_t len;

	if (cap < IKEV2_NON_ESP_MARKER_LEN)
		return 0;
	memset(buf, 0, IKEV2_NON_ESP_MARKER_LEN);
	len = msg_ike_auth(buf + IKEV2_NON_ESP_MARKER_LEN, cap - IKEV2_NON_ESP_MARKER_LEN);
	return len ? len + IKEV2_NON_ESP_MARKER_LEN : 0;
}

static size_t msg_informational(uint8_t *buf, size_t cap)
{
	static const uint8_t spis[8] = { 0xc0, 0x01, 0xd0, 0x0d, 0xc0, 0x02, 0xd0, 0x0d };
	struct ike_delete esp = { IKEV2_PROTO_ESP, 4, 2, spis };
	struct ike_delete ike = { IKEV2_PROTO_IKE, 0, 0, NULL };
	uint8_t inner[256];
	struct ike_builder b;
	size_t len;

	ike_msg_chain_init(&b, inner, sizeof(inner));
	ike_msg_add_delete(&b, &esp);
	ike_msg_add_delete(&b, &ike);
	len = finish(&b);
	if (!len)
		return 0;
	return wrap_sk(buf, cap, IKEV2_EXCH_INFORMATIONAL, IKEV2_FLAG_INITIATOR, 2, inner, len,
		       b.first);
}

static size_t msg_create_child_sa(uint8_t *buf, size_t cap)
{
	static const uint8_t old_spi[4] = { 0xc0, 0x01, 0xd0, 0x0d };
	struct ike_notify n = { IKEV2_PROTO_ESP, 4, { 0 }, IKEV2_N_REKEY_SA, NULL, 0 };
	struct ike_ke ke = { IKEV2_DH_ECP256, pattern(64, 0x12), 64 };
	struct ike_ts_payload tsi, tsr;
	struct ike_sa_payload sa;
	uint8_t inner[1024];
	struct ike_builder b;
	size_t len;

	memcpy(n.spi, old_spi, 4);
	ike_msg_chain_init(&b, inner, sizeof(inner));
	ike_msg_add_notify(&b, &n);
	sa_esp(&sa);
	ike_msg_add_sa(&b, &sa);
	ike_msg_add_nonce(&b, pattern(24, 0x22), 24);
	ike_msg_add_ke(&b, &ke);
	ts_pair(&tsi, &tsr);
	ike_msg_add_ts(&b, IKEV2_PL_TSI, &tsi);
	ike_msg_add_ts(&b, IKEV2_PL_TSR, &tsr);
	len = finish(&b);
	if (!len)
		return 0;
	return wrap_sk(buf, cap, IKEV2_EXCH_CREATE_CHILD_SA, IKEV2_FLAG_INITIATOR, 3, inner, len,
		       b.first);
}

/* Every payload type in the clear, an unknown critical one, then SK. */
static size_t msg_every_payload(uint8_t *buf, size_t cap)
{
	static const uint8_t spis[4] = { 0, 0, 0x10, 0 };
	struct ike_ke ke = { IKEV2_DH_MODP2048, pattern(256, 0x13), 256 };
	struct ike_id idi = { IKEV2_ID_IPV4_ADDR, (const uint8_t *)"\xc0\x00\x02\x01", 4 };
	struct ike_id idr = { IKEV2_ID_IPV6_ADDR, pattern(16, 0x20), 16 };
	struct ike_cert cert = { IKEV2_CERT_X509_SIG, pattern(64, 0x81), 64 };
	struct ike_cert req = { IKEV2_CERT_X509_SIG, pattern(20, 0x51), 20 };
	struct ike_auth auth = { IKEV2_AUTH_PSK, pattern(32, 0x71), 32 };
	struct ike_notify n = { IKEV2_PROTO_IKE, 8, { 0 }, IKEV2_N_COOKIE, NULL, 0 };
	struct ike_delete del = { IKEV2_PROTO_AH, 4, 1, spis };
	struct ike_cp cp = { .type = IKEV2_CFG_REPLY, .n_attrs = 1 };
	struct ike_ts_payload tsi, tsr;
	struct ike_sa_payload sa;
	struct ike_builder b;
	struct ike_hdr h;
	uint8_t *sk;

	memcpy(n.spi, spi_i, 8);
	n.data = pattern(16, 0x90);
	n.len = 16;
	cp.attr[0] = (struct ike_cp_attr){ 1, (const uint8_t *)"\x0a\x00\x00\x02", 4 };
	hdr_init(&h, IKEV2_EXCH_INFORMATIONAL, IKEV2_FLAG_INITIATOR, 7);
	ike_msg_build_init(&b, buf, cap, &h);
	sa_esp(&sa);
	ike_msg_add_sa(&b, &sa);
	ike_msg_add_ke(&b, &ke);
	ike_msg_add_id(&b, IKEV2_PL_IDI, &idi);
	ike_msg_add_id(&b, IKEV2_PL_IDR, &idr);
	ike_msg_add_cert(&b, &cert);
	ike_msg_add_certreq(&b, &req);
	ike_msg_add_auth(&b, &auth);
	ike_msg_add_nonce(&b, pattern(IKE_MSG_NONCE_MIN, 0x23), IKE_MSG_NONCE_MIN);
	ike_msg_add_notify(&b, &n);
	ike_msg_add_delete(&b, &del);
	ike_msg_add_vendor(&b, (const uint8_t *)"veil", 4);
	ts_pair(&tsi, &tsr);
	ike_msg_add_ts(&b, IKEV2_PL_TSI, &tsi);
	ike_msg_add_ts(&b, IKEV2_PL_TSR, &tsr);
	ike_msg_add_cp(&b, &cp);
	ike_msg_add_raw(&b, IKEV2_PL_EAP, false, (const uint8_t *)"\x01\x01\x00\x05\x01", 5);
	ike_msg_add_raw(&b, 99, true, pattern(6, 0xa0), 6);
	if (!ike_msg_add_sk(&b, IKEV2_PL_NONE, 24, &sk))
		memcpy(sk, pattern(24, 0xb0), 24);
	return finish(&b);
}

static size_t msg_fragment(uint8_t *buf, size_t cap, uint16_t number)
{
	uint8_t inner[2048], first, *body;
	size_t len = chain_ike_auth(inner, sizeof(inner), &first), half = len / 2;
	struct ike_builder b;
	struct ike_hdr h;

	if (!len)
		return 0;
	hdr_init(&h, IKEV2_EXCH_IKE_AUTH, IKEV2_FLAG_INITIATOR, 1);
	ike_msg_build_init(&b, buf, cap, &h);
	if (number == 1 && !ike_msg_add_skf(&b, first, 1, 2, half, &body))
		memcpy(body, inner, half);
	if (number == 2 && !ike_msg_add_skf(&b, IKEV2_PL_NONE, 2, 2, len - half, &body))
		memcpy(body, inner + half, len - half);
	return finish(&b);
}

static size_t msg_fragment_1(uint8_t *buf, size_t cap)
{
	return msg_fragment(buf, cap, 1);
}

static size_t msg_fragment_2(uint8_t *buf, size_t cap)
{
	return msg_fragment(buf, cap, 2);
}

static const struct {
	const char *name;
	msg_fn build;
} msgs[] = {
	{ "ike_sa_init_request", msg_sa_init_req },
	{ "ike_sa_init_response", msg_sa_init_resp },
	{ "ike_auth_sk", msg_ike_auth },
	{ "ike_auth_sk_port4500", msg_natt_ike_auth },
	{ "informational_delete", msg_informational },
	{ "create_child_sa", msg_create_child_sa },
	{ "every_payload", msg_every_payload },
	{ "skf_fragment_1_of_2", msg_fragment_1 },
	{ "skf_fragment_2_of_2", msg_fragment_2 },
};

/* Tests */

static void test_names(void)
{
	CHECK(!strcmp(ike_msg_payload_name(IKEV2_PL_NONCE), "Nonce"));
	CHECK(!strcmp(ike_msg_payload_name(IKEV2_PL_SKF), "SKF"));
	CHECK(!strcmp(ike_msg_payload_name(99), "unknown"));
	CHECK(!strcmp(ike_msg_exchange_name(IKEV2_EXCH_IKE_AUTH), "IKE_AUTH"));
	CHECK(!strcmp(ike_msg_exchange_name(33), "unknown"));
	CHECK(!strcmp(ike_msg_notify_name(IKEV2_N_COOKIE), "COOKIE"));
	CHECK(!strcmp(ike_msg_notify_name(IKEV2_N_INVALID_MAJOR_VERSION),
		      "INVALID_MAJOR_VERSION"));
	CHECK(!strcmp(ike_msg_notify_name(16383), "unknown"));
	CHECK(!strcmp(ike_msg_strerror(0), "no error"));
	CHECK(!strcmp(ike_msg_strerror(IKE_MSG_E_CHAIN), "bad payload chain"));
	CHECK(!strcmp(ike_msg_strerror(IKE_MSG_E_INVAL - 1), "unknown"));
	CHECK(!strcmp(ike_msg_strerror(INT_MIN), "unknown"));
	CHECK(!strcmp(ike_msg_strerror(1), "unknown"));
}

/*
 * The hand-assembled message: RFC 7296 §3.1 header, §3.3 SA payload with
 * one IKE proposal of three transforms, the first with a TV Key Length.
 */
static const char *const sa_init_hex =
	"0102030405060708 0000000000000000"	/* SPIi, SPIr */
	"21 20 22 08"				/* next SA, v2.0, IKE_SA_INIT, I */
	"00000000 00000044"			/* message ID 0, length 68 */
	"00 00 0028"				/* SA: last payload, 40 octets */
	"00 00 0024 01 01 00 03"		/* proposal: last, 36, #1, IKE, no SPI, 3 */
	"03 00 000c 01 00 0014 800e 0100"	/* ENCR AES-GCM-16, Key Length 256 */
	"03 00 0008 02 00 0005"			/* PRF HMAC-SHA2-256 */
	"00 00 0008 04 00 001f";		/* DH 31 (Curve25519), last */

static void test_exact_sa_init(void)
{
	struct ike_sa_payload sa, got;
	uint8_t want[128], buf[128];
	struct ike_builder b;
	struct ike_msg_err e;
	size_t n, len = 0;
	struct ike_msg m;
	struct ike_hdr h;

	n = ktap_unhex(sa_init_hex, want, sizeof(want));
	CHECK(n == 68);
	hdr_init(&h, IKEV2_EXCH_IKE_SA_INIT, IKEV2_FLAG_INITIATOR, 0);
	CHECK(ike_msg_build_init(&b, buf, sizeof(buf), &h) == 0);
	sa_ike(&sa);
	CHECK(ike_msg_add_sa(&b, &sa) == 0);
	CHECK(ike_msg_build_end(&b, &len) == 0);
	CHECK(len == n && !memcmp(buf, want, n));

	if (!CHECK(ike_msg_parse(want, n, &m, &e) == 0))
		return;
	CHECK(!memcmp(m.hdr.spi_i, spi_i, 8) && m.hdr.major == 2 && m.hdr.minor == 0);
	CHECK(m.hdr.exchange == IKEV2_EXCH_IKE_SA_INIT && m.hdr.flags == IKEV2_FLAG_INITIATOR);
	CHECK(m.hdr.msg_id == 0 && m.hdr.length == 68 && m.hdr.next == IKEV2_PL_SA);
	CHECK(m.chain.n == 1 && m.chain.pl[0].type == IKEV2_PL_SA && m.chain.pl[0].len == 36);
	CHECK(m.chain.pl[0].body == want + 32);
	CHECK(ike_msg_chain_sk(&m.chain) == NULL);
	if (!CHECK(ike_msg_parse_sa(m.chain.pl[0].body, m.chain.pl[0].len, false, &got, &e) == 0))
		return;
	CHECK(sa_equal(&got, &sa));
	CHECK(got.prop[0].tr[0].key_len == 256 && got.prop[0].tr[2].id == 31);
}

static void test_hdr(void)
{
	struct ike_builder b;
	struct ike_msg_err e;
	uint8_t buf[64];
	struct ike_msg m;
	struct ike_hdr h;
	size_t len = 0;

	hdr_init(&h, IKEV2_EXCH_INFORMATIONAL, IKEV2_FLAG_RESPONSE | IKEV2_FLAG_VERSION,
		 0x01020304);
	h.minor = 1;
	h.next = IKEV2_PL_SA;	/* ignored: the builder fills it */
	h.length = 1000;	/* likewise */
	ike_msg_build_init(&b, buf, sizeof(buf), &h);
	CHECK(ike_msg_build_end(&b, &len) == 0 && len == IKEV2_HDR_LEN);
	CHECK(buf[16] == IKEV2_PL_NONE && buf[17] == 0x21);
	if (CHECK(ike_msg_parse(buf, len, &m, &e) == 0)) {
		CHECK(!memcmp(m.hdr.spi_i, spi_i, 8) && !memcmp(m.hdr.spi_r, spi_r, 8));
		CHECK(m.hdr.major == 2 && m.hdr.minor == 1);
		CHECK(m.hdr.exchange == IKEV2_EXCH_INFORMATIONAL);
		CHECK(m.hdr.flags == (IKEV2_FLAG_RESPONSE | IKEV2_FLAG_VERSION));
		CHECK(m.hdr.msg_id == 0x01020304 && m.hdr.length == 28 && m.chain.n == 0);
	}

	FAILS(ike_msg_parse(buf, 27, &m, &e), e, IKE_MSG_E_TRUNCATED, "header: 27 octets");
	FAILS(ike_msg_parse(buf, 0, &m, &e), e, IKE_MSG_E_TRUNCATED, "header: 0 octets");

	/* Length must be the datagram's, both ways. */
	put32(buf + 24, 29);
	FAILS(ike_msg_parse(buf, 28, &m, &e), e, IKE_MSG_E_MSG_LEN,
	      "Length 29, but the datagram has 28");
	put32(buf + 24, 28);
	buf[28] = 0;
	FAILS(ike_msg_parse(buf, 29, &m, &e), e, IKE_MSG_E_MSG_LEN,
	      "Length 28, but the datagram has 29");

	/* A later major version: the header is there to answer from. */
	buf[17] = 0x30;
	memset(&m.hdr, 0, sizeof(m.hdr));
	FAILS(ike_msg_parse(buf, 28, &m, &e), e, IKE_MSG_E_MAJOR, "major version 3");
	CHECK(m.hdr.msg_id == 0x01020304 && !memcmp(m.hdr.spi_i, spi_i, 8));
	CHECK(m.hdr.major == 3);
	buf[17] = 0x10;
	FAILS(ike_msg_parse(buf, 28, &m, &e), e, IKE_MSG_E_OLD_MAJOR, "major version 1");
	buf[17] = 0x20;
	CHECK(ike_msg_parse_hdr(buf, 28, &h, NULL) == 0);
}

static void test_natt(void)
{
	static const uint8_t esp[12] = { 0, 0, 0x10, 0, 0, 0, 0, 1, 0xaa, 0xbb, 0xcc, 0xdd };
	static const uint8_t keepalive[1] = { 0xff };
	static const uint8_t zeros[4] = { 0 };
	const uint8_t *ike = NULL;
	struct ike_msg_err e;
	size_t len, ike_len = 0;
	struct ike_msg m;
	uint8_t buf[2048];

	len = msg_natt_ike_auth(buf, sizeof(buf));
	if (!CHECK(len > 32))
		return;
	CHECK(ike_msg_natt_kind(buf, len) == IKE_MSG_NATT_IKE);
	CHECK(ike_msg_natt_strip(buf, len, &ike, &ike_len, &e) == 0);
	CHECK(ike == buf + 4 && ike_len == len - 4);
	CHECK(ike_msg_parse(ike, ike_len, &m, &e) == 0 && m.hdr.exchange == IKEV2_EXCH_IKE_AUTH);
	/* The marker itself is no IKE header. */
	CHECK(ike_msg_parse(buf, len, &m, &e) != 0);

	CHECK(ike_msg_natt_kind(esp, sizeof(esp)) == IKE_MSG_NATT_ESP);
	FAILS(ike_msg_natt_strip(esp, sizeof(esp), &ike, &ike_len, &e), e, IKE_MSG_E_NOT_IKE,
	      "ESP packet (SPI 0x00001000)");
	CHECK(ike_msg_natt_kind(keepalive, 1) == IKE_MSG_NATT_KEEPALIVE);
	FAILS(ike_msg_natt_strip(keepalive, 1, &ike, &ike_len, &e), e, IKE_MSG_E_NOT_IKE,
	      "NAT-keepalive");
	CHECK(ike_msg_natt_kind(zeros, 3) == IKE_MSG_NATT_RUNT);
	CHECK(ike_msg_natt_kind(zeros, 4) == IKE_MSG_NATT_RUNT);
	CHECK(ike_msg_natt_kind(esp, 7) == IKE_MSG_NATT_RUNT);
	FAILS(ike_msg_natt_strip(zeros, 4, &ike, &ike_len, &e), e, IKE_MSG_E_TRUNCATED,
	      "4 octets");
	/* A marker and then too little for a header. */
	CHECK(ike_msg_natt_strip(buf, 10, &ike, &ike_len, &e) == 0 && ike_len == 6);
	FAILS(ike_msg_parse(ike, ike_len, &m, &e), e, IKE_MSG_E_TRUNCATED, "header: 6 octets");
}

static void test_chain(void)
{
	struct ike_msg_err e;
	struct ike_msg m;

	/* Vendor ID, then Nonce; critical bit and reserved bits */
	CHECK(parse_msg_hex(IKEV2_PL_VENDOR, "28 7f 0006 aabb 00 80 0014 "
			    "000102030405060708090a0b0c0d0e0f", &m, &e) == 0);
	CHECK(m.chain.n == 2 && m.chain.pl[0].type == IKEV2_PL_VENDOR && !m.chain.pl[0].critical);
	CHECK(m.chain.pl[0].len == 2 && m.chain.pl[0].body[0] == 0xaa);
	CHECK(m.chain.pl[1].type == IKEV2_PL_NONCE && m.chain.pl[1].critical);
	CHECK(m.chain.pl[1].len == 16 && m.chain.pl[1].body[15] == 0x0f);
	CHECK(ike_msg_chain_find(&m.chain, IKEV2_PL_NONCE, 0) == 1);
	CHECK(ike_msg_chain_find(&m.chain, IKEV2_PL_NONCE, 2) == -1);
	CHECK(ike_msg_chain_find(&m.chain, IKEV2_PL_KE, 0) == -1);

	/* Unknown types are kept with their critical bit, for the caller. */
	CHECK(parse_msg_hex(99, "00 80 0006 abcd", &m, &e) == 0);
	CHECK(m.chain.n == 1 && m.chain.pl[0].type == 99 && m.chain.pl[0].critical);
	FAILS(parse_msg_hex(99, "00 80 0003", &m, &e), e, IKE_MSG_E_BAD_LEN,
	      "payload 1 (type 99): length 3 shorter than its 4-octet header");

	FAILS(parse_msg_hex(IKEV2_PL_NONCE, "00 00 0002", &m, &e), e, IKE_MSG_E_BAD_LEN,
	      "payload 1 (Nonce): length 2 shorter than its 4-octet header");
	FAILS(parse_msg_hex(IKEV2_PL_VENDOR, "28 00 0005 aa 00 00 0000", &m, &e), e,
	      IKE_MSG_E_BAD_LEN, "payload 2 (Nonce): length 0");
	FAILS(parse_msg_hex(IKEV2_PL_NONCE, "00 00 0010 aabbccdd", &m, &e), e, IKE_MSG_E_OVERRUN,
	      "payload 1 (Nonce): length 16 runs past the end (8 octets left)");
	FAILS(parse_msg_hex(IKEV2_PL_VENDOR, "28 00 0005 aa", &m, &e), e, IKE_MSG_E_CHAIN,
	      "payload 2 (Nonce) announced, but the message ends");
	FAILS(parse_msg_hex(IKEV2_PL_KE, "", &m, &e), e, IKE_MSG_E_CHAIN,
	      "payload 1 (KE) announced");
	FAILS(parse_msg_hex(IKEV2_PL_VENDOR, "28 00 0005 aa 00 00", &m, &e), e,
	      IKE_MSG_E_TRUNCATED, "payload 2 (Nonce): 2 octets left");
	FAILS(parse_msg_hex(IKEV2_PL_VENDOR, "00 00 0005 aa bbbb", &m, &e), e, IKE_MSG_E_CHAIN,
	      "2 octets after the last payload");
	FAILS(parse_msg_hex(IKEV2_PL_NONE, "00 00 0005 aa", &m, &e), e, IKE_MSG_E_CHAIN,
	      "5 octets after the last payload");
}

/* @count Vendor ID payloads: the 64-payload limit. */
static void test_too_many_payloads(void)
{
	char hex[70 * 14 + 1] = "";
	struct ike_msg_err e;
	struct ike_msg m;
	int i;

	for (i = 0; i < 64; i++)
		strcat(hex, i < 63 ? "2b 00 0005 aa " : "00 00 0005 aa ");
	CHECK(parse_msg_hex(IKEV2_PL_VENDOR, hex, &m, &e) == 0 && m.chain.n == 64);
	hex[strlen(hex) - 14] = 0;
	strcat(hex, "2b 00 0005 aa 00 00 0005 aa");
	FAILS(parse_msg_hex(IKEV2_PL_VENDOR, hex, &m, &e), e, IKE_MSG_E_TOO_MANY,
	      "payload 65 (Vendor ID): more than 64 payloads");
}

static void test_sk_chain(void)
{
	struct ike_chain c;
	struct ike_msg_err e;
	struct ike_msg m;
	uint8_t pt[8];
	size_t n;

	/* SK is last; its Next Payload names the first payload inside. */
	CHECK(parse_msg_hex(IKEV2_PL_SK, "23 00 0008 01020304", &m, &e) == 0);
	CHECK(m.chain.n == 1 && m.chain.inner_first == IKEV2_PL_IDI);
	CHECK(ike_msg_chain_sk(&m.chain) == &m.chain.pl[0]);
	CHECK(parse_msg_hex(IKEV2_PL_VENDOR, "2e 00 0005 aa 00 00 0005 bb", &m, &e) == 0);
	CHECK(m.chain.n == 2 && m.chain.inner_first == IKEV2_PL_NONE);
	CHECK(ike_msg_chain_sk(&m.chain) == &m.chain.pl[1]);

	FAILS(parse_msg_hex(IKEV2_PL_SK, "2b 00 0005 aa 00 00 0005 bb", &m, &e), e,
	      IKE_MSG_E_CHAIN, "payload 1 (SK) is not last: 5 octets follow");
	FAILS(parse_msg_hex(IKEV2_PL_SK, "23 00 0004", &m, &e), e, IKE_MSG_E_BAD_LEN,
	      "SK: no encrypted data");
	FAILS(parse_msg_hex(IKEV2_PL_SKF, "23 00 0008 0001 0002", &m, &e), e, IKE_MSG_E_BAD_LEN,
	      "SKF: no encrypted data");
	FAILS(parse_msg_hex(IKEV2_PL_SKF, "23 00 0006 0001", &m, &e), e, IKE_MSG_E_TRUNCATED,
	      "SKF: 2 octets");

	/* Inside SK, no SK; and the inner walker is the outer one. */
	n = ktap_unhex("00 00 0005 aa", pt, sizeof(pt));
	FAILS(ike_msg_parse_inner(IKEV2_PL_SK, pt, n, &c, &e), e, IKE_MSG_E_CHAIN,
	      "payload 1 (SK) inside an encrypted payload");
	FAILS(ike_msg_parse_inner(IKEV2_PL_SKF, pt, n, &c, &e), e, IKE_MSG_E_CHAIN,
	      "inside an encrypted payload");
	CHECK(ike_msg_parse_inner(IKEV2_PL_VENDOR, pt, n, &c, &e) == 0 && c.n == 1);
	CHECK(ike_msg_parse_inner(IKEV2_PL_NONE, pt, 0, &c, &e) == 0 && c.n == 0);
	FAILS(ike_msg_parse_inner(IKEV2_PL_VENDOR, pt, 3, &c, &e), e, IKE_MSG_E_TRUNCATED,
	      "3 octets left");
}

static void test_sa_roundtrip(void)
{
	struct ike_sa_payload sa, got;
	struct ike_builder b;
	struct ike_msg_err e;
	struct ike_chain c;
	uint8_t buf[1024];
	size_t len;

	sa_esp(&sa);
	ike_msg_chain_init(&b, buf, sizeof(buf));
	CHECK(ike_msg_add_sa(&b, &sa) == 0);
	if (chain_one(&b, IKEV2_PL_SA, &c) &&
	    CHECK(ike_msg_parse_sa(c.pl[0].body, c.pl[0].len, false, &got, &e) == 0)) {
		CHECK(sa_equal(&got, &sa));
		CHECK(got.prop[1].spi[0] == 0xc0 && got.prop[1].tr[0].key_len == 256);
		/* Two proposals are no response. */
		FAILS(ike_msg_parse_sa(c.pl[0].body, c.pl[0].len, true, &got, &e), e,
		      IKE_MSG_E_BAD_VALUE, "a response carries one proposal, not 2");
	}

	/* A response: the one proposal chosen, under its number. */
	sa.n_proposals = 1;
	sa.prop[0] = sa.prop[1];
	ike_msg_chain_init(&b, buf, sizeof(buf));
	CHECK(ike_msg_add_sa(&b, &sa) == 0);
	if (chain_one(&b, IKEV2_PL_SA, &c)) {
		CHECK(ike_msg_parse_sa(c.pl[0].body, c.pl[0].len, true, &got, &e) == 0);
		CHECK(sa_equal(&got, &sa) && got.prop[0].num == 2);
		FAILS(ike_msg_parse_sa(c.pl[0].body, c.pl[0].len, false, &got, &e), e,
		      IKE_MSG_E_BAD_VALUE, "SA: proposal 1 numbered 2, expected 1");
	}

	/* The builder refuses what the parser would. */
	ike_msg_chain_init(&b, buf, sizeof(buf));
	sa.prop[0].num = 0;
	FAILS(ike_msg_add_sa(&b, &sa), b.err, IKE_MSG_E_INVAL, "proposal numbered 0");
	CHECK(b.len == 0 && b.first == 0 && ike_msg_build_end(&b, &len) == IKE_MSG_E_INVAL);
	sa_esp(&sa);
	sa.prop[1].num = 3;
	ike_msg_chain_init(&b, buf, sizeof(buf));
	FAILS(ike_msg_add_sa(&b, &sa), b.err, IKE_MSG_E_INVAL, "proposal 2 numbered 3");
	sa_esp(&sa);
	sa.prop[0].spi_size = 8;
	ike_msg_chain_init(&b, buf, sizeof(buf));
	FAILS(ike_msg_add_sa(&b, &sa), b.err, IKE_MSG_E_INVAL, "SPI size 8 does not suit");
	sa.n_proposals = 0;
	ike_msg_chain_init(&b, buf, sizeof(buf));
	FAILS(ike_msg_add_sa(&b, &sa), b.err, IKE_MSG_E_INVAL, "SA: no proposal");
	sa.n_proposals = IKE_MSG_MAX_PROPOSALS + 1;
	ike_msg_chain_init(&b, buf, sizeof(buf));
	FAILS(ike_msg_add_sa(&b, &sa), b.err, IKE_MSG_E_INVAL, "17 proposals");
	sa_esp(&sa);
	sa.prop[0].n_transforms = 0;
	ike_msg_chain_init(&b, buf, sizeof(buf));
	FAILS(ike_msg_add_sa(&b, &sa), b.err, IKE_MSG_E_INVAL, "no transform");
}

#define T_CBC "01 00 000c"	/* ENCR AES-CBC, the tail of a transform header */

/* Parse @hex as an SA body; expect @code and @want. */
static void sa_bad(const char *hex, bool response, int code, const char *want, int line)
{
	struct ike_sa_payload sa;
	struct ike_msg_err e;
	uint8_t body[1024];
	size_t n = ktap_unhex(hex, body, sizeof(body));

	fails(ike_msg_parse_sa(body, n, response, &sa, &e), &e, code, want, line);
}

#define SA_BAD(hex, code, want) sa_bad(hex, false, code, want, __LINE__)

static void test_sa_malformed(void)
{
	struct ike_sa_payload sa;
	struct ike_msg_err e;
	uint8_t body[1024];
	char hex[17 * 60 + 1] = "";
	size_t n;
	int i;

	SA_BAD("", IKE_MSG_E_BAD_VALUE, "SA: no proposal");
	SA_BAD("00 00", IKE_MSG_E_TRUNCATED, "SA: proposal 1: 2 octets left");
	/* Proposal numbering */
	SA_BAD("02 00 0010 01 01 00 01 00 00 0008 " T_CBC
	       "00 00 0010 03 01 00 01 00 00 0008 " T_CBC,
	       IKE_MSG_E_BAD_VALUE, "SA: proposal 2 numbered 3, expected 2");
	SA_BAD("00 00 0010 00 01 00 01 00 00 0008 " T_CBC,
	       IKE_MSG_E_BAD_VALUE, "SA: proposal 1 numbered 0, expected 1");
	sa_bad("00 00 0010 00 01 00 01 00 00 0008 " T_CBC, true, IKE_MSG_E_BAD_VALUE,
	       "proposal numbered 0", __LINE__);
	/* Last Substruc and the lengths of proposals */
	SA_BAD("03 00 0010 01 01 00 01 00 00 0008 " T_CBC,
	       IKE_MSG_E_BAD_VALUE, "SA: proposal 1: Last Substruc 3, neither 0 nor 2");
	SA_BAD("02 00 0010 01 01 00 01 00 00 0008 " T_CBC,
	       IKE_MSG_E_BAD_VALUE, "SA: proposal 1 marked more, but the payload ends");
	SA_BAD("00 00 0010 01 01 00 01 00 00 0008 " T_CBC "00 00 0010 02 01 00 01",
	       IKE_MSG_E_BAD_LEN, "SA: 8 octets after the last proposal");
	SA_BAD("00 00 0007 01 01 00 01 00 00 0008 " T_CBC,
	       IKE_MSG_E_BAD_LEN, "SA: proposal 1: length 7 shorter than its 8-octet header");
	SA_BAD("00 00 0011 01 01 00 01 00 00 0008 " T_CBC,
	       IKE_MSG_E_OVERRUN, "SA: proposal 1: length 17 runs past the SA payload");
	SA_BAD("00 00 0014 01 01 00 01 00 00 0008 " T_CBC "00000000",
	       IKE_MSG_E_BAD_LEN, "SA: proposal 1: 4 octets after its last transform");
	/* SPI sizes */
	SA_BAD("00 00 0018 01 03 08 01 0102030405060708 00 00 0008 " T_CBC,
	       IKE_MSG_E_BAD_VALUE, "SA: proposal 1: SPI size 8 does not suit protocol 3");
	SA_BAD("00 00 0014 01 01 04 01 01020304 00 00 0008 " T_CBC,
	       IKE_MSG_E_BAD_VALUE, "SPI size 4 does not suit protocol 1");
	SA_BAD("00 00 000a 01 03 04 01 0102",
	       IKE_MSG_E_BAD_LEN, "SA: proposal 1: length 10 too short for its 4-octet SPI");
	/* Transform counts */
	SA_BAD("00 00 0008 01 01 00 00", IKE_MSG_E_BAD_VALUE, "SA: proposal 1: no transform");
	SA_BAD("00 00 0008 01 01 00 21", IKE_MSG_E_TOO_MANY, "33 transforms, at most 32");
	SA_BAD("00 00 0010 01 01 00 02 00 00 0008 " T_CBC,
	       IKE_MSG_E_BAD_VALUE, "transform 1: marked last, but 2 transforms announced");
	SA_BAD("00 00 0010 01 01 00 01 03 00 0008 " T_CBC,
	       IKE_MSG_E_BAD_VALUE, "transform 1: marked more, but only 1 transforms");
	SA_BAD("00 00 0010 01 01 00 02 03 00 0008 " T_CBC,
	       IKE_MSG_E_TRUNCATED, "SA: proposal 1, transform 2: 0 octets left");
	SA_BAD("00 00 0010 01 01 00 01 01 00 0008 " T_CBC,
	       IKE_MSG_E_BAD_VALUE, "transform 1: Last Substruc 1, neither 0 nor 3");
	/* Transform lengths */
	SA_BAD("00 00 0010 01 01 00 01 00 00 0006 " T_CBC,
	       IKE_MSG_E_BAD_LEN, "SA: proposal 1, transform 1: length 6 shorter than its");
	SA_BAD("00 00 0010 01 01 00 01 00 00 000c " T_CBC,
	       IKE_MSG_E_OVERRUN, "transform 1: length 12 runs past the proposal (8 octets left)");
	/* Attributes */
	SA_BAD("00 00 0012 01 01 00 01 00 00 000a " T_CBC "800e",
	       IKE_MSG_E_TRUNCATED, "transform 1: attribute truncated (2 of 4 octets)");
	SA_BAD("00 00 0016 01 01 00 01 00 00 000e " T_CBC "0001 0004 aabb",
	       IKE_MSG_E_OVERRUN, "transform 1: attribute of 8 octets runs past the transform");
	SA_BAD("00 00 0016 01 01 00 01 00 00 000e " T_CBC "000e 0002 0100",
	       IKE_MSG_E_BAD_VALUE, "Key Length attribute in TLV form");
	SA_BAD("00 00 0018 01 01 00 01 00 00 0010 " T_CBC "800e 0080 800e 0100",
	       IKE_MSG_E_BAD_VALUE, "Key Length attribute twice");
	SA_BAD("00 00 0014 01 01 00 01 00 00 000c " T_CBC "800e 0000",
	       IKE_MSG_E_BAD_VALUE, "Key Length 0");

	/* Unknown attributes, TV and TLV, are skipped and flagged. */
	n = ktap_unhex("00 00 001e 01 01 00 01 00 00 0016 " T_CBC "8001 0005 0002 0002 aabb 800e 0080",
		  body, sizeof(body));
	if (CHECK(ike_msg_parse_sa(body, n, false, &sa, &e) == 0)) {
		CHECK(sa.n_proposals == 1 && sa.prop[0].n_transforms == 1);
		CHECK(sa.prop[0].tr[0].key_len == 128 && sa.prop[0].tr[0].unknown_attrs);
		CHECK(sa.prop[0].tr[0].id == IKEV2_ENCR_AES_CBC);
	}

	/* Sixteen proposals are taken, seventeen are not. */
	for (i = 1; i <= 17; i++)
		sprintf(hex + strlen(hex), "%s 00 0010 %02x 01 00 01 00 00 0008 " T_CBC " ",
			i < 16 ? "02" : "00", i);
	n = ktap_unhex(hex, body, sizeof(body));
	CHECK(ike_msg_parse_sa(body, 16 * 16, false, &sa, &e) == 0 && sa.n_proposals == 16);
	body[15 * 16] = IKEV2_MORE_PROPOSALS;
	FAILS(ike_msg_parse_sa(body, n, false, &sa, &e), e, IKE_MSG_E_TOO_MANY,
	      "SA: more than 16 proposals");
}

static void test_ke_nonce(void)
{
	struct ike_ke ke = { IKEV2_DH_ECP256, pattern(64, 1), 64 }, got;
	struct ike_blob nonce;
	struct ike_builder b;
	struct ike_msg_err e;
	struct ike_chain c;
	uint8_t buf[512];

	ike_msg_chain_init(&b, buf, sizeof(buf));
	CHECK(ike_msg_add_ke(&b, &ke) == 0);
	if (chain_one(&b, IKEV2_PL_KE, &c) &&
	    CHECK(ike_msg_parse_ke(c.pl[0].body, c.pl[0].len, &got, &e) == 0)) {
		CHECK(got.group == IKEV2_DH_ECP256 && blob_is(got.data, got.len, ke.data, 64));
		CHECK(c.pl[0].body[2] == 0 && c.pl[0].body[3] == 0);
	}
	FAILS(ike_msg_parse_ke(buf, 3, &got, &e), e, IKE_MSG_E_TRUNCATED, "KE: 3 octets");
	FAILS(ike_msg_parse_ke(buf, 4, &got, &e), e, IKE_MSG_E_BAD_LEN, "KE: no key exchange");
	ke.len = 0;
	ike_msg_chain_init(&b, buf, sizeof(buf));
	FAILS(ike_msg_add_ke(&b, &ke), b.err, IKE_MSG_E_INVAL, "KE: no key exchange");

	ike_msg_chain_init(&b, buf, sizeof(buf));
	CHECK(ike_msg_add_nonce(&b, pattern(IKE_MSG_NONCE_MAX, 2), IKE_MSG_NONCE_MAX) == 0);
	if (chain_one(&b, IKEV2_PL_NONCE, &c) &&
	    CHECK(ike_msg_parse_nonce(c.pl[0].body, c.pl[0].len, &nonce, &e) == 0))
		CHECK(blob_is(nonce.data, nonce.len, pattern(256, 2), 256));
	CHECK(ike_msg_parse_nonce(buf, 16, &nonce, &e) == 0 && nonce.len == 16);
	FAILS(ike_msg_parse_nonce(buf, 15, &nonce, &e), e, IKE_MSG_E_BAD_LEN,
	      "Nonce: 15 octets, RFC 7296 allows 16 to 256");
	FAILS(ike_msg_parse_nonce(buf, 257, &nonce, &e), e, IKE_MSG_E_BAD_LEN,
	      "Nonce: 257 octets");
	ike_msg_chain_init(&b, buf, sizeof(buf));
	FAILS(ike_msg_add_nonce(&b, buf, 8), b.err, IKE_MSG_E_INVAL, "Nonce: 8 octets");
}

static void notify_bad(const char *hex, int code, const char *want, int line)
{
	struct ike_msg_err e;
	struct ike_notify n;
	uint8_t body[64];
	size_t len = ktap_unhex(hex, body, sizeof(body));

	fails(ike_msg_parse_notify(body, len, &n, &e), &e, code, want, line);
}

#define NOTIFY_BAD(hex, code, want) notify_bad(hex, code, want, __LINE__)

static void test_notify(void)
{
	struct ike_notify n = { IKEV2_PROTO_ESP, 4, { 1, 2, 3, 4 }, IKEV2_N_REKEY_SA, NULL, 0 };
	struct ike_notify got;
	struct ike_builder b;
	struct ike_msg_err e;
	struct ike_chain c;
	uint8_t buf[256];

	ike_msg_chain_init(&b, buf, sizeof(buf));
	CHECK(ike_msg_add_notify(&b, &n) == 0);
	if (chain_one(&b, IKEV2_PL_NOTIFY, &c) &&
	    CHECK(ike_msg_parse_notify(c.pl[0].body, c.pl[0].len, &got, &e) == 0)) {
		CHECK(got.proto == IKEV2_PROTO_ESP && got.spi_size == 4 && got.len == 0);
		CHECK(!memcmp(got.spi, n.spi, 4) && got.type == IKEV2_N_REKEY_SA);
	}
	n = (struct ike_notify){ 0, 0, { 0 }, IKEV2_N_COOKIE, pattern(64, 3), 64 };
	ike_msg_chain_init(&b, buf, sizeof(buf));
	CHECK(ike_msg_add_notify(&b, &n) == 0);
	if (chain_one(&b, IKEV2_PL_NOTIFY, &c) &&
	    CHECK(ike_msg_parse_notify(c.pl[0].body, c.pl[0].len, &got, &e) == 0)) {
		CHECK(got.spi_size == 0 && got.type == IKEV2_N_COOKIE);
		CHECK(blob_is(got.data, got.len, n.data, 64));
	}

	NOTIFY_BAD("00 00 40", IKE_MSG_E_TRUNCATED, "Notify: 3 octets");
	NOTIFY_BAD("03 08 4009 0102030405060708", IKE_MSG_E_BAD_VALUE,
		   "Notify REKEY_SA: SPI size 8 does not suit protocol 3");
	NOTIFY_BAD("01 04 4000 01020304", IKE_MSG_E_BAD_VALUE,
		   "Notify INITIAL_CONTACT: SPI size 4 does not suit protocol 1");
	NOTIFY_BAD("00 04 4000 01020304", IKE_MSG_E_BAD_VALUE,
		   "SPI size 4 does not suit protocol 0");
	NOTIFY_BAD("03 03 4009 010203", IKE_MSG_E_BAD_VALUE, "SPI size 3");
	NOTIFY_BAD("03 04 4009 0102", IKE_MSG_E_OVERRUN,
		   "Notify REKEY_SA: 4-octet SPI runs past the payload (2 left)");
	n.proto = IKEV2_PROTO_AH;
	n.spi_size = 8;
	ike_msg_chain_init(&b, buf, sizeof(buf));
	FAILS(ike_msg_add_notify(&b, &n), b.err, IKE_MSG_E_INVAL, "SPI size 8 does not suit");
	n.spi_size = 9;
	ike_msg_chain_init(&b, buf, sizeof(buf));
	FAILS(ike_msg_add_notify(&b, &n), b.err, IKE_MSG_E_INVAL, "Notify: SPI size 9");
}

static void test_id_auth_cert(void)
{
	struct ike_id id = { IKEV2_ID_FQDN, (const uint8_t *)"vpn.example.org", 15 }, gid;
	struct ike_auth auth = { IKEV2_AUTH_PSK, pattern(32, 4), 32 }, gauth;
	struct ike_cert cert = { IKEV2_CERT_X509_SIG, pattern(300, 5), 300 }, gcert;
	struct ike_builder b;
	struct ike_msg_err e;
	struct ike_chain c;
	uint8_t buf[512];

	ike_msg_chain_init(&b, buf, sizeof(buf));
	CHECK(ike_msg_add_id(&b, IKEV2_PL_IDR, &id) == 0);
	if (chain_one(&b, IKEV2_PL_IDR, &c) &&
	    CHECK(ike_msg_parse_id(c.pl[0].body, c.pl[0].len, &gid, &e) == 0))
		CHECK(gid.type == IKEV2_ID_FQDN && blob_is(gid.data, gid.len, id.data, 15));
	FAILS(ike_msg_parse_id(unhex_buf("01 000000 c0000201 02"), 9, &gid, &e), e,
	      IKE_MSG_E_BAD_LEN, "ID: address of 5 octets, type 1 needs 4");
	FAILS(ike_msg_parse_id(unhex_buf("05 000000 c0000201"), 8, &gid, &e), e,
	      IKE_MSG_E_BAD_LEN, "ID: address of 4 octets, type 5 needs 16");
	FAILS(ike_msg_parse_id(unhex_buf("02 000000"), 4, &gid, &e), e, IKE_MSG_E_BAD_LEN,
	      "ID: no identification data");
	FAILS(ike_msg_parse_id(buf, 2, &gid, &e), e, IKE_MSG_E_TRUNCATED, "ID: 2 octets");
	CHECK(ike_msg_parse_id(unhex_buf("01 000000 c0000201"), 8, &gid, &e) == 0);
	ike_msg_chain_init(&b, buf, sizeof(buf));
	FAILS(ike_msg_add_id(&b, IKEV2_PL_TSI, &id), b.err, IKE_MSG_E_INVAL,
	      "neither IDi nor IDr");

	ike_msg_chain_init(&b, buf, sizeof(buf));
	CHECK(ike_msg_add_auth(&b, &auth) == 0);
	if (chain_one(&b, IKEV2_PL_AUTH, &c) &&
	    CHECK(ike_msg_parse_auth(c.pl[0].body, c.pl[0].len, &gauth, &e) == 0))
		CHECK(gauth.method == IKEV2_AUTH_PSK &&
		      blob_is(gauth.data, gauth.len, auth.data, 32));
	FAILS(ike_msg_parse_auth(buf, 4, &gauth, &e), e, IKE_MSG_E_BAD_LEN,
	      "AUTH: no authentication data");

	ike_msg_chain_init(&b, buf, sizeof(buf));
	CHECK(ike_msg_add_cert(&b, &cert) == 0);
	if (chain_one(&b, IKEV2_PL_CERT, &c) &&
	    CHECK(ike_msg_parse_cert(c.pl[0].body, c.pl[0].len, &gcert, &e) == 0))
		CHECK(gcert.encoding == IKEV2_CERT_X509_SIG &&
		      blob_is(gcert.data, gcert.len, cert.data, 300));
	FAILS(ike_msg_parse_cert(buf, 1, &gcert, &e), e, IKE_MSG_E_BAD_LEN, "CERT: no certificate");
	FAILS(ike_msg_parse_cert(buf, 0, &gcert, &e), e, IKE_MSG_E_TRUNCATED, "CERT: 0 octets");

	cert.len = 40;
	ike_msg_chain_init(&b, buf, sizeof(buf));
	CHECK(ike_msg_add_certreq(&b, &cert) == 0);
	if (chain_one(&b, IKEV2_PL_CERTREQ, &c) &&
	    CHECK(ike_msg_parse_certreq(c.pl[0].body, c.pl[0].len, &gcert, &e) == 0))
		CHECK(blob_is(gcert.data, gcert.len, cert.data, 40));
	CHECK(ike_msg_parse_certreq(unhex_buf("04"), 1, &gcert, &e) == 0 && gcert.len == 0);
	buf[0] = IKEV2_CERT_X509_SIG;
	FAILS(ike_msg_parse_certreq(buf, 22, &gcert, &e), e, IKE_MSG_E_BAD_LEN,
	      "CERTREQ: 21 octets of CA hashes, not a multiple of 20");
	cert.len = 21;
	ike_msg_chain_init(&b, buf, sizeof(buf));
	FAILS(ike_msg_add_certreq(&b, &cert), b.err, IKE_MSG_E_INVAL, "not a multiple of 20");
}

static void test_delete(void)
{
	static const uint8_t spis[8] = { 0xc0, 0x01, 0xd0, 0x0d, 0, 0, 0, 9 };
	struct ike_delete del = { IKEV2_PROTO_ESP, 4, 2, spis }, got;
	struct ike_builder b;
	struct ike_msg_err e;
	struct ike_chain c;
	uint8_t buf[64];

	ike_msg_chain_init(&b, buf, sizeof(buf));
	CHECK(ike_msg_add_delete(&b, &del) == 0);
	if (chain_one(&b, IKEV2_PL_DELETE, &c) &&
	    CHECK(ike_msg_parse_delete(c.pl[0].body, c.pl[0].len, &got, &e) == 0)) {
		CHECK(got.proto == IKEV2_PROTO_ESP && got.n_spis == 2);
		CHECK(ike_msg_delete_spi(&got, 0) == 0xc001d00d);
		CHECK(ike_msg_delete_spi(&got, 1) == 9 && ike_msg_delete_spi(&got, 2) == 0);
	}
	del = (struct ike_delete){ IKEV2_PROTO_IKE, 0, 0, NULL };
	ike_msg_chain_init(&b, buf, sizeof(buf));
	CHECK(ike_msg_add_delete(&b, &del) == 0);
	if (chain_one(&b, IKEV2_PL_DELETE, &c) &&
	    CHECK(ike_msg_parse_delete(c.pl[0].body, c.pl[0].len, &got, &e) == 0))
		CHECK(got.proto == IKEV2_PROTO_IKE && got.n_spis == 0 && c.pl[0].len == 4);

	FAILS(ike_msg_parse_delete(unhex_buf("01 04 0001 01020304"), 8, &got, &e), e,
	      IKE_MSG_E_BAD_VALUE, "Delete: IKE SA, SPI size 4, 1 SPIs: both must be 0");
	FAILS(ike_msg_parse_delete(unhex_buf("03 08 0001 0102030405060708"), 12, &got, &e), e,
	      IKE_MSG_E_BAD_VALUE, "Delete: SPI size 8, AH and ESP use 4");
	FAILS(ike_msg_parse_delete(unhex_buf("03 04 0000"), 4, &got, &e), e,
	      IKE_MSG_E_BAD_VALUE, "Delete: no SPI");
	FAILS(ike_msg_parse_delete(unhex_buf("03 04 0002 01020304"), 8, &got, &e), e,
	      IKE_MSG_E_BAD_LEN, "Delete: 4 octets of SPIs, 2 SPIs need 8");
	FAILS(ike_msg_parse_delete(unhex_buf("01 00 0000 00"), 5, &got, &e), e,
	      IKE_MSG_E_BAD_LEN, "Delete: 1 octets of SPIs, 0 SPIs need 0");
	FAILS(ike_msg_parse_delete(unhex_buf("09 04 0001 01020304"), 8, &got, &e), e,
	      IKE_MSG_E_BAD_VALUE, "Delete: protocol 9");
	FAILS(ike_msg_parse_delete(buf, 3, &got, &e), e, IKE_MSG_E_TRUNCATED, "Delete: 3 octets");
	del.spi_size = 4;
	ike_msg_chain_init(&b, buf, sizeof(buf));
	FAILS(ike_msg_add_delete(&b, &del), b.err, IKE_MSG_E_INVAL, "both must be 0");
}

static void test_vendor_cp(void)
{
	struct ike_cp cp = { .type = IKEV2_CFG_REPLY, .n_attrs = 3 }, got;
	struct ike_blob vid;
	struct ike_builder b;
	struct ike_msg_err e;
	struct ike_chain c;
	uint8_t buf[256];
	size_t i;

	ike_msg_chain_init(&b, buf, sizeof(buf));
	CHECK(ike_msg_add_vendor(&b, (const uint8_t *)"strongSwan", 10) == 0);
	if (chain_one(&b, IKEV2_PL_VENDOR, &c) &&
	    CHECK(ike_msg_parse_vendor(c.pl[0].body, c.pl[0].len, &vid, &e) == 0))
		CHECK(blob_is(vid.data, vid.len, (const uint8_t *)"strongSwan", 10));
	FAILS(ike_msg_parse_vendor(buf, 0, &vid, &e), e, IKE_MSG_E_BAD_LEN, "Vendor ID: empty");
	ike_msg_chain_init(&b, buf, sizeof(buf));
	FAILS(ike_msg_add_vendor(&b, buf, 0), b.err, IKE_MSG_E_INVAL, "Vendor ID: empty");

	cp.attr[0] = (struct ike_cp_attr){ 1, (const uint8_t *)"\x0a\x00\x00\x02", 4 };
	cp.attr[1] = (struct ike_cp_attr){ 3, (const uint8_t *)"\x0a\x00\x00\x01", 4 };
	cp.attr[2] = (struct ike_cp_attr){ 0x7fff, NULL, 0 };
	ike_msg_chain_init(&b, buf, sizeof(buf));
	CHECK(ike_msg_add_cp(&b, &cp) == 0);
	if (chain_one(&b, IKEV2_PL_CP, &c) &&
	    CHECK(ike_msg_parse_cp(c.pl[0].body, c.pl[0].len, &got, &e) == 0)) {
		CHECK(got.type == IKEV2_CFG_REPLY && got.n_attrs == 3);
		for (i = 0; i < 3; i++)
			CHECK(got.attr[i].type == cp.attr[i].type &&
			      blob_is(got.attr[i].value, got.attr[i].len, cp.attr[i].value,
				      cp.attr[i].len));
	}
	/* The reserved bit of an attribute type is ignored on receipt. */
	CHECK(ike_msg_parse_cp(unhex_buf("01 000000 8001 0000"), 8, &got, &e) == 0 &&
	      got.n_attrs == 1 && got.attr[0].type == 1);
	CHECK(ike_msg_parse_cp(unhex_buf("01 000000"), 4, &got, &e) == 0 && got.n_attrs == 0);
	FAILS(ike_msg_parse_cp(unhex_buf("01 000000 0001 0004 0a00"), 10, &got, &e), e,
	      IKE_MSG_E_OVERRUN, "CP: attribute 1: 4-octet value runs past the end");
	FAILS(ike_msg_parse_cp(unhex_buf("01 000000 0001 0000 0003"), 10, &got, &e), e,
	      IKE_MSG_E_TRUNCATED, "CP: attribute 2 truncated (2 of 4 octets)");
	FAILS(ike_msg_parse_cp(buf, 3, &got, &e), e, IKE_MSG_E_TRUNCATED, "CP: 3 octets");
	memset(buf, 0, 4 + 33 * 4);
	CHECK(ike_msg_parse_cp(buf, 4 + 32 * 4, &got, &e) == 0 && got.n_attrs == 32);
	FAILS(ike_msg_parse_cp(buf, 4 + 33 * 4, &got, &e), e, IKE_MSG_E_TOO_MANY,
	      "CP: more than 32 attributes");
	cp.attr[2].type = 0x8000;
	ike_msg_chain_init(&b, buf, sizeof(buf));
	FAILS(ike_msg_add_cp(&b, &cp), b.err, IKE_MSG_E_INVAL, "CP: attribute 3: type 32768");
}

static bool ts_equal(const struct ike_ts *a, const struct ike_ts *b)
{
	return a->type == b->type && a->ip_proto == b->ip_proto &&
	       a->start_port == b->start_port && a->end_port == b->end_port &&
	       !memcmp(a->start_addr, b->start_addr, 16) && !memcmp(a->end_addr, b->end_addr, 16) &&
	       blob_is(a->data, a->len, b->data, b->len);
}

static void test_ts(void)
{
	struct ike_ts_payload tsi, tsr, got;
	struct ike_builder b;
	struct ike_msg_err e;
	struct ike_chain c;
	uint8_t buf[256];
	size_t i;

	ts_pair(&tsi, &tsr);
	/* An unknown type (RFC 9478's security label) travels raw. */
	tsr.n_ts = 3;
	tsr.ts[2] = (struct ike_ts){ .type = 10, .data = (const uint8_t *)"\x00\x05label",
				     .len = 7 };
	ike_msg_chain_init(&b, buf, sizeof(buf));
	CHECK(ike_msg_add_ts(&b, IKEV2_PL_TSR, &tsr) == 0);
	if (chain_one(&b, IKEV2_PL_TSR, &c) &&
	    CHECK(ike_msg_parse_ts(c.pl[0].body, c.pl[0].len, &got, &e) == 0)) {
		CHECK(got.n_ts == 3);
		for (i = 0; i < 3; i++)
			CHECK(ts_equal(&got.ts[i], &tsr.ts[i]));
		CHECK(c.pl[0].len == 4 + 16 + 40 + 11);
	}
	/* Exactly as RFC 7296 §3.13.1 lays it out. */
	CHECK(ike_msg_parse_ts(unhex_buf("01 000000 07 11 0010 01f4 01f4 c0000201 c00002ff"), 20,
			       &got, &e) == 0);
	CHECK(got.n_ts == 1 && got.ts[0].ip_proto == 17 && got.ts[0].start_port == 500);
	CHECK(got.ts[0].end_addr[0] == 0xc0 && got.ts[0].end_addr[3] == 0xff);

	FAILS(ike_msg_parse_ts(unhex_buf("01 000000 07 00 0014 0000 ffff 0a000000 0a0000ff "
					 "00000000"), 24, &got, &e), e, IKE_MSG_E_BAD_LEN,
	      "TS: selector 1 (type 7): length 20, not 16");
	FAILS(ike_msg_parse_ts(unhex_buf("01 000000 08 00 0010 0000 ffff 0a000000 0a0000ff"), 20,
			       &got, &e), e, IKE_MSG_E_BAD_LEN,
	      "TS: selector 1 (type 8): length 16, not 40");
	FAILS(ike_msg_parse_ts(unhex_buf("01 000000 08 00 0028 0000 ffff 0a000000 0a0000ff"), 20,
			       &got, &e), e, IKE_MSG_E_OVERRUN,
	      "TS: selector 1: length 40 runs past the payload (16 left)");
	FAILS(ike_msg_parse_ts(unhex_buf("02 000000 07 00 0010 0000 ffff 0a000000 0a0000ff"), 20,
			       &got, &e), e, IKE_MSG_E_TRUNCATED, "TS: selector 2: 0 octets left");
	FAILS(ike_msg_parse_ts(unhex_buf("01 000000 07 00 0010 0000 ffff 0a000000 0a0000ff "
					 "0000"), 22, &got, &e), e, IKE_MSG_E_BAD_LEN,
	      "TS: 2 octets after the 1 announced selectors");
	FAILS(ike_msg_parse_ts(unhex_buf("01 000000 0a 00 0003"), 8, &got, &e), e,
	      IKE_MSG_E_BAD_LEN, "TS: selector 1 (type 10): length 3, shorter than 4");
	FAILS(ike_msg_parse_ts(unhex_buf("00 000000"), 4, &got, &e), e, IKE_MSG_E_BAD_VALUE,
	      "TS: no traffic selector");
	FAILS(ike_msg_parse_ts(unhex_buf("11 000000"), 4, &got, &e), e, IKE_MSG_E_TOO_MANY,
	      "TS: 17 selectors, at most 16");
	FAILS(ike_msg_parse_ts(buf, 3, &got, &e), e, IKE_MSG_E_TRUNCATED, "TS: 3 octets");
	tsi.n_ts = 0;
	ike_msg_chain_init(&b, buf, sizeof(buf));
	FAILS(ike_msg_add_ts(&b, IKEV2_PL_TSI, &tsi), b.err, IKE_MSG_E_INVAL,
	      "TS: no traffic selector");
	ike_msg_chain_init(&b, buf, sizeof(buf));
	FAILS(ike_msg_add_ts(&b, IKEV2_PL_IDI, &tsr), b.err, IKE_MSG_E_INVAL,
	      "neither TSi nor TSr");
}

static void test_sk_roundtrip(void)
{
	uint8_t inner[2048], buf[2048], first, *body;
	size_t len, ilen, i, ns = 0;
	struct ike_builder b;
	struct ike_msg_err e;
	struct ike_chain c;
	struct ike_msg m;
	struct ike_hdr h;

	ilen = chain_ike_auth(inner, sizeof(inner), &first);
	if (!CHECK(ilen > 0) || !CHECK(first == IKEV2_PL_IDI))
		return;
	hdr_init(&h, IKEV2_EXCH_IKE_AUTH, IKEV2_FLAG_INITIATOR, 1);
	ike_msg_build_init(&b, buf, sizeof(buf), &h);
	CHECK(ike_msg_add_sk(&b, first, ilen + 24, &body) == 0);
	/* What precedes the body is the AEAD's associated data. */
	CHECK(body == buf + IKEV2_HDR_LEN + IKEV2_PAYLOAD_HDR_LEN);
	CHECK(body[0] == 0 && body[ilen + 23] == 0);
	memcpy(body + 8, inner, ilen);	/* an 8-octet IV, then a 16-octet ICV */
	CHECK(ike_msg_build_end(&b, &len) == 0 && len == 32 + ilen + 24);
	if (!CHECK(ike_msg_parse(buf, len, &m, &e) == 0))
		return;
	CHECK(m.hdr.next == IKEV2_PL_SK && m.chain.n == 1);
	CHECK(m.chain.inner_first == IKEV2_PL_IDI && m.chain.pl[0].len == ilen + 24);
	if (!CHECK(ike_msg_parse_inner(m.chain.inner_first, m.chain.pl[0].body + 8, ilen, &c,
				       &e) == 0))
		return;
	CHECK(c.n == 9 && c.pl[0].type == IKEV2_PL_IDI && c.pl[8].type == IKEV2_PL_TSR);
	CHECK(c.pl[6].type == IKEV2_PL_SA && c.pl[5].type == IKEV2_PL_CP);
	for (i = 0; i < c.n; i++)
		ns += !parse_body(&c.pl[i], false);
	CHECK(ns == c.n);
}

static void test_skf(void)
{
	struct ike_msg_err e;
	struct ike_builder b;
	struct ike_skf skf;
	struct ike_msg m;
	uint8_t buf[2048], *body;
	size_t len;

	len = msg_fragment_1(buf, sizeof(buf));
	if (CHECK(len) && CHECK(ike_msg_parse(buf, len, &m, &e) == 0)) {
		CHECK(m.chain.n == 1 && m.chain.pl[0].type == IKEV2_PL_SKF);
		CHECK(m.chain.inner_first == IKEV2_PL_IDI);
		CHECK(ike_msg_parse_skf(m.chain.pl[0].body, m.chain.pl[0].len, &skf, &e) == 0);
		CHECK(skf.number == 1 && skf.total == 2 && skf.len == m.chain.pl[0].len - 4);
	}
	len = msg_fragment_2(buf, sizeof(buf));
	if (CHECK(len) && CHECK(ike_msg_parse(buf, len, &m, &e) == 0))
		CHECK(m.chain.inner_first == IKEV2_PL_NONE);
	/* Only the first fragment names the first inner payload. */
	buf[IKEV2_HDR_LEN] = IKEV2_PL_IDI;
	FAILS(ike_msg_parse(buf, len, &m, &e), e, IKE_MSG_E_BAD_VALUE,
	      "SKF: fragment 2 has Next Payload 35, only fragment 1 may");

	FAILS(ike_msg_parse_skf(unhex_buf("0000 0002 aa"), 5, &skf, &e), e, IKE_MSG_E_BAD_VALUE,
	      "SKF: fragment number 0 of 2");
	FAILS(ike_msg_parse_skf(unhex_buf("0003 0002 aa"), 5, &skf, &e), e, IKE_MSG_E_BAD_VALUE,
	      "SKF: fragment number 3 of 2");
	FAILS(ike_msg_parse_skf(unhex_buf("0001 0000 aa"), 5, &skf, &e), e, IKE_MSG_E_BAD_VALUE,
	      "SKF: fragment number 1 of 0");
	CHECK(ike_msg_parse_skf(unhex_buf("0002 0002 aa"), 5, &skf, &e) == 0);

	ike_msg_build_init(&b, buf, sizeof(buf), &m.hdr);
	FAILS(ike_msg_add_skf(&b, IKEV2_PL_IDI, 2, 2, 10, &body), b.err, IKE_MSG_E_INVAL,
	      "SKF: fragment 2 of 2");
	ike_msg_build_init(&b, buf, sizeof(buf), &m.hdr);
	FAILS(ike_msg_add_skf(&b, IKEV2_PL_NONE, 0, 2, 10, &body), b.err, IKE_MSG_E_INVAL,
	      "SKF: fragment 0 of 2");
	ike_msg_build_init(&b, buf, sizeof(buf), &m.hdr);
	FAILS(ike_msg_add_skf(&b, IKEV2_PL_NONE, 1, 1, 0, &body), b.err, IKE_MSG_E_INVAL,
	      "SKF: fragment 1 of 1, 0 octets");
}

/* Rebuild a parsed message payload by payload: the same octets must come out. */
static void test_every_payload(void)
{
	uint8_t buf[4096], again[4096], *sk;
	const struct ike_payload *pl;
	struct ike_builder b;
	struct ike_msg_err e;
	size_t len, len2 = 0, i;
	struct ike_msg m;

	len = msg_every_payload(buf, sizeof(buf));
	if (!CHECK(len) || !CHECK(ike_msg_parse(buf, len, &m, &e) == 0))
		return;
	CHECK(m.chain.n == 17);
	for (i = 0; i + 1 < m.chain.n; i++) {
		pl = &m.chain.pl[i];
		if (!CHECK(parse_body(pl, false) == 0))
			printf("#   payload %zu (%s)\n", i + 1, ike_msg_payload_name(pl->type));
	}
	CHECK(m.chain.pl[14].type == IKEV2_PL_EAP);
	CHECK(m.chain.pl[15].type == 99 && m.chain.pl[15].critical);
	CHECK(m.chain.pl[16].type == IKEV2_PL_SK && m.chain.inner_first == IKEV2_PL_NONE);

	ike_msg_build_init(&b, again, sizeof(again), &m.hdr);
	for (i = 0; i + 1 < m.chain.n; i++) {
		pl = &m.chain.pl[i];
		ike_msg_add_raw(&b, pl->type, pl->critical, pl->body, pl->len);
	}
	pl = &m.chain.pl[i];
	if (!ike_msg_add_sk(&b, m.chain.inner_first, pl->len, &sk))
		memcpy(sk, pl->body, pl->len);
	CHECK(ike_msg_build_end(&b, &len2) == 0);
	CHECK(len2 == len && !memcmp(buf, again, len));
}

static void test_builder_refusals(void)
{
	static const uint8_t nonce[32];
	uint8_t buf[256], *body;
	struct ike_builder b;
	struct ike_msg_err e;
	struct ike_hdr h;
	struct ike_msg m;
	size_t len = 0;

	hdr_init(&h, IKEV2_EXCH_IKE_SA_INIT, IKEV2_FLAG_INITIATOR, 0);
	FAILS(ike_msg_build_init(&b, buf, 27, &h), b.err, IKE_MSG_E_NOSPACE,
	      "header: 27 octets of room, it needs 28");
	CHECK(ike_msg_add_vendor(&b, nonce, 4) == IKE_MSG_E_NOSPACE);

	/* Refusing, not overflowing; and once refused, always refused. */
	ike_msg_build_init(&b, buf, 28 + 30, &h);
	CHECK(ike_msg_add_vendor(&b, nonce, 4) == 0);
	FAILS(ike_msg_add_nonce(&b, nonce, 32), b.err, IKE_MSG_E_NOSPACE,
	      "payload 2 (Nonce): 36 octets needed, 22 left");
	CHECK(b.len == 36 && buf[28] == IKEV2_PL_NONE);
	CHECK(ike_msg_add_vendor(&b, nonce, 4) == IKE_MSG_E_NOSPACE && b.len == 36);
	CHECK(ike_msg_build_end(&b, &len) == IKE_MSG_E_NOSPACE);

	/* A refused payload is taken back out: the message before it stands. */
	ike_msg_build_init(&b, buf, sizeof(buf), &h);
	CHECK(ike_msg_add_vendor(&b, nonce, 4) == 0);
	CHECK(ike_msg_add_id(&b, IKEV2_PL_IDI, &(struct ike_id){ 1, nonce, 5 }) ==
	      IKE_MSG_E_INVAL);
	CHECK(b.len == 36 && buf[28] == IKEV2_PL_NONE && b.first == IKEV2_PL_VENDOR);
	put32(buf + 24, 36);
	CHECK(ike_msg_parse(buf, 36, &m, &e) == 0 && m.chain.n == 1);

	ike_msg_build_init(&b, buf, sizeof(buf), &h);
	FAILS(ike_msg_add_raw(&b, IKEV2_PL_SK, false, nonce, 4), b.err, IKE_MSG_E_INVAL,
	      "raw payload of type 46 (SK)");
	ike_msg_build_init(&b, buf, sizeof(buf), &h);
	FAILS(ike_msg_add_raw(&b, IKEV2_PL_NONE, false, nonce, 4), b.err, IKE_MSG_E_INVAL,
	      "raw payload of type 0");
	ike_msg_build_init(&b, buf, sizeof(buf), &h);
	FAILS(ike_msg_add_raw(&b, IKEV2_PL_VENDOR, false, nonce, IKE_MSG_BODY_MAX + 1), b.err,
	      IKE_MSG_E_INVAL, "payload 1 (Vendor ID): body of 65532 octets, a payload holds");

	/* No more payloads than a parser takes. */
	ike_msg_chain_init(&b, buf, sizeof(buf));
	for (len = 0; len < IKE_MSG_MAX_PAYLOADS; len++)
		ike_msg_add_raw(&b, 99, false, NULL, 0);
	CHECK(b.n == IKE_MSG_MAX_PAYLOADS && b.err.code == 0);
	FAILS(ike_msg_add_raw(&b, 99, false, NULL, 0), b.err, IKE_MSG_E_INVAL,
	      "payload 65 (type 99): more than 64 payloads");

	/* SK is last, and only in a message. */
	ike_msg_build_init(&b, buf, sizeof(buf), &h);
	CHECK(ike_msg_add_sk(&b, IKEV2_PL_IDI, 16, &body) == 0);
	FAILS(ike_msg_add_vendor(&b, nonce, 4), b.err, IKE_MSG_E_INVAL,
	      "payload 2 (Vendor ID) after the encrypted payload");
	ike_msg_build_init(&b, buf, sizeof(buf), &h);
	FAILS(ike_msg_add_sk(&b, IKEV2_PL_IDI, 0, &body), b.err, IKE_MSG_E_INVAL, "SK: empty");
	ike_msg_chain_init(&b, buf, sizeof(buf));
	FAILS(ike_msg_add_sk(&b, IKEV2_PL_IDI, 16, &body), b.err, IKE_MSG_E_INVAL,
	      "SK inside a payload chain");
}

/* The largest payload a 16-bit length allows, in and out. */
static void test_largest_payload(void)
{
	static uint8_t buf[IKEV2_HDR_LEN + 0x10000], vid[IKE_MSG_BODY_MAX];
	struct ike_builder b;
	struct ike_msg_err e;
	struct ike_blob blob;
	struct ike_msg m;
	struct ike_hdr h;
	uint8_t *body;
	size_t len = 0;

	memset(vid, 0x5a, sizeof(vid));
	hdr_init(&h, IKEV2_EXCH_INFORMATIONAL, IKEV2_FLAG_INITIATOR, 9);
	ike_msg_build_init(&b, buf, sizeof(buf), &h);
	CHECK(ike_msg_add_vendor(&b, vid, sizeof(vid)) == 0);
	CHECK(ike_msg_build_end(&b, &len) == 0 && len == IKEV2_HDR_LEN + 0xffff);
	if (CHECK(ike_msg_parse(buf, len, &m, &e) == 0)) {
		CHECK(m.chain.n == 1 && m.chain.pl[0].len == IKE_MSG_BODY_MAX);
		CHECK(ike_msg_parse_vendor(m.chain.pl[0].body, m.chain.pl[0].len, &blob, &e) == 0);
		CHECK(blob.data[IKE_MSG_BODY_MAX - 1] == 0x5a);
	}
	ike_msg_build_init(&b, buf, sizeof(buf), &h);
	CHECK(ike_msg_add_sk(&b, IKEV2_PL_IDI, IKE_MSG_BODY_MAX, &body) == 0);
	CHECK(ike_msg_build_end(&b, &len) == 0 && ike_msg_parse(buf, len, &m, &e) == 0);
	ike_msg_build_init(&b, buf, sizeof(buf), &h);
	FAILS(ike_msg_add_sk(&b, IKEV2_PL_IDI, IKE_MSG_BODY_MAX + 1, &body), b.err,
	      IKE_MSG_E_INVAL, "body of 65532 octets");
	ike_msg_build_init(&b, buf, sizeof(buf), &h);
	FAILS(ike_msg_add_skf(&b, IKEV2_PL_IDI, 1, 1, IKE_MSG_BODY_MAX - 3, &body), b.err,
	      IKE_MSG_E_INVAL, "body of 65532 octets");
	ike_msg_build_init(&b, buf, sizeof(buf), &h);
	CHECK(ike_msg_add_skf(&b, IKEV2_PL_IDI, 1, 1, IKE_MSG_BODY_MAX - 4, &body) == 0);
	ike_msg_build_init(&b, buf, sizeof(buf), &h);
	FAILS(ike_msg_add_ke(&b, &(struct ike_ke){ 14, vid, IKE_MSG_BODY_MAX - 3 }), b.err,
	      IKE_MSG_E_INVAL, "payload 1 (KE): body of 65532 octets");
	ike_msg_build_init(&b, buf, sizeof(buf), &h);
	FAILS(ike_msg_add_notify(&b, &(struct ike_notify){ .data = vid,
							    .len = IKE_MSG_BODY_MAX }),
	      b.err, IKE_MSG_E_INVAL, "payload 1 (Notify): body of 65535 octets");
	ike_msg_build_init(&b, buf, sizeof(buf), &h);
	FAILS(ike_msg_add_auth(&b, &(struct ike_auth){ 2, vid, SIZE_MAX - 1 }), b.err,
	      IKE_MSG_E_INVAL, "payload 1 (AUTH): body of ");
	ike_msg_build_init(&b, buf, sizeof(buf), &h);
	FAILS(ike_msg_add_skf(&b, IKEV2_PL_IDI, 1, 1, SIZE_MAX - 2, &body), b.err,
	      IKE_MSG_E_INVAL, "payload 1 (SKF): body of ");
}

/* Each seed message parses, and each payload in it too. */
static void test_corpus_messages(void)
{
	const uint8_t *ike;
	struct ike_msg_err e;
	const struct ike_payload *sk;
	struct ike_chain inner;
	size_t i, j, len, ike_len;
	bool response;
	struct ike_msg m;
	uint8_t buf[4096];

	for (i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
		len = msgs[i].build(buf, sizeof(buf));
		ike = buf;
		ike_len = len;
		if (!CHECK(len > 0) ||
		    (!buf[0] && !CHECK(ike_msg_natt_strip(buf, len, &ike, &ike_len, &e) == 0)))
			continue;
		if (!CHECK(ike_msg_parse(ike, ike_len, &m, &e) == 0)) {
			printf("#   %s: %s\n", msgs[i].name, e.reason);
			continue;
		}
		response = m.hdr.flags & IKEV2_FLAG_RESPONSE;
		for (j = 0; j < m.chain.n; j++)
			CHECK(parse_body(&m.chain.pl[j], response) == 0);
		/* every_payload's SK holds random octets, not a chain. */
		sk = ike_msg_chain_sk(&m.chain);
		if (!sk || sk->type != IKEV2_PL_SK || !strcmp(msgs[i].name, "every_payload"))
			continue;
		if (!CHECK(ike_msg_parse_inner(m.chain.inner_first, sk->body, sk->len, &inner,
					       &e) == 0)) {
			printf("#   %s: inner: %s\n", msgs[i].name, e.reason);
			continue;
		}
		for (j = 0; j < inner.n; j++)
			CHECK(parse_body(&inner.pl[j], response) == 0);
	}
}

/* Write each seed message into @dir. */
static int write_corpus(const char *dir)
{
	uint8_t buf[4096];
	char path[4096];
	size_t i, len;
	FILE *f;

	if (mkdir(dir, 0755) && errno != EEXIST) {
		perror(dir);
		return 1;
	}
	for (i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
		len = msgs[i].build(buf, sizeof(buf));
		snprintf(path, sizeof(path), "%s/%s", dir, msgs[i].name);
		f = fopen(path, "wb");
		if (!len || !f || fwrite(buf, 1, len, f) != len || fclose(f)) {
			fprintf(stderr, "cannot write %s\n", path);
			return 1;
		}
	}
	printf("%zu seed messages written to %s\n", i, dir);
	return 0;
}

static const struct ktap_test tests[] = {
	{ "names", test_names },
	{ "exact_sa_init", test_exact_sa_init },
	{ "header", test_hdr },
	{ "natt_marker", test_natt },
	{ "payload_chain", test_chain },
	{ "too_many_payloads", test_too_many_payloads },
	{ "sk_chain", test_sk_chain },
	{ "sa_roundtrip", test_sa_roundtrip },
	{ "sa_malformed", test_sa_malformed },
	{ "ke_nonce", test_ke_nonce },
	{ "notify", test_notify },
	{ "id_auth_cert", test_id_auth_cert },
	{ "delete", test_delete },
	{ "vendor_cp", test_vendor_cp },
	{ "traffic_selectors", test_ts },
	{ "sk_roundtrip", test_sk_roundtrip },
	{ "skf", test_skf },
	{ "every_payload_rebuilt", test_every_payload },
	{ "builder_refusals", test_builder_refusals },
	{ "largest_payload", test_largest_payload },
	{ "corpus_messages", test_corpus_messages },
};

int main(int argc, char **argv)
{
	size_t n = sizeof(tests) / sizeof(tests[0]);

	if (argc == 3 && !strcmp(argv[1], "--corpus"))
		return write_corpus(argv[2]);
	if (argc != 1) {
		fprintf(stderr, "usage: %s [--corpus DIR]\n", argv[0]);
		return 2;
	}
	return ktap_run(tests, n);
}

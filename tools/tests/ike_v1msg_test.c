// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side tests of veil-iked's IKEv1 message codec (iked/v1msg.c): what
 * the builders write parses back to what went in, a Main Mode first
 * message as strongSwan sends it comes apart field by field and is built
 * again octet for octet, every truncation of a valid message is refused,
 * and each class of malformed input is refused with its own code and a
 * reason that says where. Output is KTAP; the exit status is non-zero when
 * any check fails.
 *
 * "ike_v1msg_test --corpus DIR" instead writes seed messages for the fuzz
 * target (iked/fuzz_v1msg.c) into DIR, one per exchange type and more:
 * they are built here so that no binary file needs to live in the
 * repository. Encrypted ones carry their payloads in the clear, padded,
 * so that the fuzzer's walk of decrypted bodies starts from something real.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "v1msg.h"

#include "ktap.h"

/* @rc must be @code, with a reason that contains @want. */
#include "msg_fails.h"


static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static const uint8_t cky_i[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
static const uint8_t cky_r[8] = { 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8 };
/* Both cookies: the ISAKMP SA's SPI in Notification and Delete payloads. */
static const uint8_t cookies[16] = { 1, 2, 3, 4, 5, 6, 7, 8,
				     0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8 };

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

/* A header; @first is the first message of an exchange, before any rcookie. */
static void hdr_init(struct ike_v1_hdr *h, uint8_t exchange, uint8_t flags, uint32_t msg_id,
		     bool first)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->icookie, cky_i, 8);
	if (!first)
		memcpy(h->rcookie, cky_r, 8);
	h->exchange = exchange;
	h->flags = flags;
	h->msg_id = msg_id;
}

/* A Main Mode message with a header and @hex as its payloads. */
static int parse_msg_hex(uint8_t first, const char *hex, struct ike_v1_msg *m,
			 struct ike_msg_err *e)
{
	static uint8_t buf[4096];
	size_t n;

	memset(buf, 0, IKEV1_HDR_LEN);
	memcpy(buf, cky_i, 8);
	buf[16] = first;
	buf[17] = IKEV1_VERSION;
	buf[18] = IKEV1_EXCH_IDENTITY_PROT;
	n = ktap_unhex(hex, buf + IKEV1_HDR_LEN, sizeof(buf) - IKEV1_HDR_LEN);
	put32(buf + 24, (uint32_t)(IKEV1_HDR_LEN + n));
	return ike_v1_msg_parse(buf, IKEV1_HDR_LEN + n, m, e);
}

/* A bare chain of @hex, as a decrypted body or as plaintext. */
static int parse_chain_hex(uint8_t first, const char *hex, bool decrypted,
			   struct ike_v1_chain *c, struct ike_msg_err *e)
{
	static uint8_t buf[4096];
	size_t n = ktap_unhex(hex, buf, sizeof(buf));

	return ike_v1_msg_parse_chain(first, buf, n, decrypted, c, e);
}

/* Finish @b, a bare chain of one payload, and parse it back into @c. */
static bool chain_one(struct ike_v1_builder *b, uint8_t type, struct ike_v1_chain *c)
{
	struct ike_msg_err e;
	size_t len;

	if (!CHECK(ike_v1_msg_build_end(b, &len) == 0)) {
		printf("#   %s\n", b->err.reason);
		return false;
	}
	if (!CHECK(b->first == type) ||
	    !CHECK(ike_v1_msg_parse_chain(b->first, b->buf, len, false, c, &e) == 0))
		return false;
	return CHECK(c->n == 1) && CHECK(c->pl[0].type == type);
}

static bool blob_is(const uint8_t *data, size_t len, const uint8_t *want, size_t want_len)
{
	return len == want_len && (!len || !memcmp(data, want, len));
}

/* Numeric attributes: the builder picks the form, or TV when @tv. */
#define ATTR(type, value)	{ (type), false, (value), NULL, 0 }
#define ATTR_TV(type, value)	{ (type), true, (value), NULL, 0 }

/* One proposal of one transform carrying @attrs. */
static void sa_one(struct ike_v1_sa *sa, uint8_t proto, uint8_t id,
		   const struct ike_v1_attr *attrs, size_t n)
{
	struct ike_v1_proposal *p = &sa->prop[0];

	memset(sa, 0, sizeof(*sa));
	sa->doi = IKEV1_DOI_IPSEC;
	sa->situation = IKEV1_SIT_IDENTITY_ONLY;
	sa->n_proposals = 1;
	p->num = 1;
	p->proto = proto;
	p->n_transforms = 1;
	p->tr[0].num = 1;
	p->tr[0].id = id;
	p->tr[0].attr = attrs;
	p->tr[0].n_attrs = n;
}

/*
 * What strongSwan's charon proposes in Main Mode for aes128-sha256-modp2048
 * with a PSK and a 4-hour lifetime, in its order: encryption, key length,
 * hash, group, authentication, life type, life duration. strongSwan writes
 * every value that fits 16 bits in TV form, life duration included (RFC
 * 2409 App. A allows it for variable attributes): hence the TV request.
 */
static const struct ike_v1_attr ss_attrs[] = {
	ATTR(IKEV1_P1_ENCR, IKEV1_ENCR_AES_CBC),
	ATTR(IKEV1_P1_KEY_LENGTH, 128),
	ATTR(IKEV1_P1_HASH, IKEV1_HASH_SHA2_256),
	ATTR(IKEV1_P1_GROUP, IKEV1_GROUP_MODP2048),
	ATTR(IKEV1_P1_AUTH, IKEV1_AUTH_PSK),
	ATTR(IKEV1_P1_LIFE_TYPE, IKEV1_LIFE_SECONDS),
	ATTR_TV(IKEV1_P1_LIFE_DURATION, 14400),
};

static const uint8_t vid_xauth[] = IKEV1_VID_XAUTH;
static const uint8_t vid_dpd[] = IKEV1_VID_DPD;
static const uint8_t vid_frag[] = IKEV1_VID_FRAGMENTATION;
static const uint8_t vid_rfc3947[] = IKEV1_VID_NATT_RFC3947;
static const uint8_t vid_draft02n[] = IKEV1_VID_NATT_DRAFT_02N;
static const uint8_t vid_draft02[] = IKEV1_VID_NATT_DRAFT_02;
static const uint8_t vid_draft03[] = IKEV1_VID_NATT_DRAFT_03;

/*
 * Main Mode message 1 as strongSwan's charon sends it ("[ SA V V V V V ]"):
 * RFC 2408 §3.1 header, §3.4 to §3.6 SA with one proposal of one KEY_IKE
 * transform, then its Vendor IDs: XAuth, DPD, FRAGMENTATION, RFC 3947 and
 * draft-ietf-ipsec-nat-t-ike-02\n.
 */
static const char *const ss_mm1_hex =
	"0102030405060708 0000000000000000"	/* CKY-I, CKY-R (none yet) */
	"01 10 02 00"				/* next SA, v1.0, Main Mode, no flags */
	"00000000 000000b4"			/* message ID 0, length 180 */
	"0d 00 0038"				/* SA, next VID, 56 octets */
	"00000001 00000001"			/* IPsec DOI, SIT_IDENTITY_ONLY */
	"00 00 002c 01 01 00 01"		/* proposal: last, 44, #1, ISAKMP, no SPI, 1 */
	"00 00 0024 01 01 0000"			/* transform: last, 36, #1, KEY_IKE */
	"8001 0007"				/* encryption AES-CBC */
	"800e 0080"				/* key length 128 */
	"8002 0004"				/* hash SHA2-256 */
	"8004 000e"				/* group 14 */
	"8003 0001"				/* authentication PSK */
	"800b 0001"				/* life type seconds */
	"800c 3840"				/* life duration 14400 */
	"0d 00 000c 09002689dfd6b712"			/* XAuth */
	"0d 00 0014 afcad71368a1f1c96b8696fc77570100"	/* DPD 1.0 */
	"0d 00 0018 4048b7d56ebce88525e7de7f00d6c2d3 80000000"	/* FRAGMENTATION */
	"0d 00 0014 4a131c81070358455c5728f20e95452f"	/* RFC 3947 */
	"00 00 0014 90cb80913ebb696e086381b5ec427b1f";	/* draft-02\n, last */

/* Messages, for tests and for the fuzzer's corpus */

/*
 * Each builds a whole datagram into @buf and returns its length, 0 when
 * the builder refused (a test then fails on it).
 */
typedef size_t (*msg_fn)(uint8_t *buf, size_t cap);

/* Set while builders are meant to fail: their reasons are not news. */
static bool builder_quiet;

static size_t finish(struct ike_v1_builder *b)
{
	size_t len;

	if (ike_v1_msg_build_end(b, &len)) {
		if (!builder_quiet)
			printf("# builder: %s\n", b->err.reason);
		return 0;
	}
	return len;
}

/*
 * Close an "encrypted" message: padding to 16 octets, its last octet the
 * count of the others, as RFC 2409 §5.3 describes. The payloads stay in the
 * clear: the codec does not encrypt.
 */
static size_t finish_padded(struct ike_v1_builder *b)
{
	size_t off, len, pad;
	uint8_t *p;

	if (ike_v1_msg_span_encrypted(b, &off, &len))
		return 0;
	pad = 16 - len % 16;
	if (ike_v1_msg_add_pad(b, pad, &p) == 0)
		p[pad - 1] = (uint8_t)(pad - 1);
	return finish(b);
}

static void add_vids(struct ike_v1_builder *b)
{
	ike_v1_msg_add_vendor(b, vid_xauth, sizeof(vid_xauth));
	ike_v1_msg_add_vendor(b, vid_dpd, sizeof(vid_dpd));
	ike_v1_msg_add_vendor(b, vid_frag, sizeof(vid_frag));
	ike_v1_msg_add_vendor(b, vid_rfc3947, sizeof(vid_rfc3947));
	ike_v1_msg_add_vendor(b, vid_draft02n, sizeof(vid_draft02n));
}

static size_t msg_mm1(uint8_t *buf, size_t cap)
{
	static struct ike_v1_sa sa;
	struct ike_v1_builder b;
	struct ike_v1_hdr h;

	hdr_init(&h, IKEV1_EXCH_IDENTITY_PROT, 0, 0, true);
	ike_v1_msg_build_init(&b, buf, cap, &h);
	sa_one(&sa, IKEV1_PROTO_ISAKMP, IKEV1_KEY_IKE, ss_attrs, 7);
	ike_v1_msg_add_sa(&b, &sa);
	add_vids(&b);
	return finish(&b);
}

/*
 * The responder's choice, two alternatives offered by the initiator first:
 * 3DES-SHA1-MODP1024 with lifetimes in seconds and kilobytes, and
 * AES-256-SHA2-512 with RSA signatures and ECP384.
 */
static const struct ike_v1_attr p1_3des[] = {
	ATTR(IKEV1_P1_ENCR, IKEV1_ENCR_3DES_CBC),
	ATTR(IKEV1_P1_HASH, IKEV1_HASH_SHA),
	ATTR(IKEV1_P1_AUTH, IKEV1_AUTH_PSK),
	ATTR(IKEV1_P1_GROUP, IKEV1_GROUP_MODP1024),
	ATTR(IKEV1_P1_LIFE_TYPE, IKEV1_LIFE_SECONDS),
	ATTR(IKEV1_P1_LIFE_DURATION, 86400),
	ATTR(IKEV1_P1_LIFE_TYPE, IKEV1_LIFE_KILOBYTES),
	ATTR(IKEV1_P1_LIFE_DURATION, 1000000),
};

static const struct ike_v1_attr p1_aes256[] = {
	ATTR(IKEV1_P1_ENCR, IKEV1_ENCR_AES_CBC),
	ATTR(IKEV1_P1_KEY_LENGTH, 256),
	ATTR(IKEV1_P1_HASH, IKEV1_HASH_SHA2_512),
	ATTR(IKEV1_P1_AUTH, IKEV1_AUTH_RSA_SIG),
	ATTR(IKEV1_P1_GROUP, IKEV1_GROUP_ECP384),
	ATTR(IKEV1_P1_LIFE_TYPE, IKEV1_LIFE_SECONDS),
	ATTR(IKEV1_P1_LIFE_DURATION, 3600),
};

/* One ISAKMP proposal, two transforms: 3DES first, AES-256 second. */
static void sa_p1_two(struct ike_v1_sa *sa)
{
	struct ike_v1_proposal *p = &sa->prop[0];

	sa_one(sa, IKEV1_PROTO_ISAKMP, IKEV1_KEY_IKE, p1_3des, 8);
	p->n_transforms = 2;
	p->tr[1] = p->tr[0];
	p->tr[1].num = 2;
	p->tr[1].attr = p1_aes256;
	p->tr[1].n_attrs = 7;
}

static size_t msg_mm2(uint8_t *buf, size_t cap)
{
	static struct ike_v1_sa sa;
	struct ike_v1_builder b;
	struct ike_v1_hdr h;

	hdr_init(&h, IKEV1_EXCH_IDENTITY_PROT, 0, 0, false);
	ike_v1_msg_build_init(&b, buf, cap, &h);
	sa_p1_two(&sa);
	sa.prop[0].n_transforms = 1;
	sa.prop[0].tr[0] = sa.prop[0].tr[1];	/* the AES-256 one, chosen */
	ike_v1_msg_add_sa(&b, &sa);
	ike_v1_msg_add_vendor(&b, vid_dpd, sizeof(vid_dpd));
	ike_v1_msg_add_vendor(&b, vid_rfc3947, sizeof(vid_rfc3947));
	return finish(&b);
}

static size_t msg_mm3(uint8_t *buf, size_t cap)
{
	struct ike_v1_builder b;
	struct ike_v1_hdr h;

	hdr_init(&h, IKEV1_EXCH_IDENTITY_PROT, 0, 0, false);
	ike_v1_msg_build_init(&b, buf, cap, &h);
	ike_v1_msg_add_ke(&b, pattern(256, 0x10), 256);
	ike_v1_msg_add_nonce(&b, pattern(32, 0x20), 32);
	ike_v1_msg_add_nat_d(&b, IKEV1_PL_NAT_D, pattern(32, 0x30), 32);
	ike_v1_msg_add_nat_d(&b, IKEV1_PL_NAT_D, pattern(32, 0x40), 32);
	return finish(&b);
}

/* Message 4 to a peer that spoke draft-02: NAT-D under its number 130. */
static size_t msg_mm4(uint8_t *buf, size_t cap)
{
	struct ike_v1_cert cr = { IKEV1_CERT_X509_SIG, pattern(40, 0x50), 40 };
	struct ike_v1_builder b;
	struct ike_v1_hdr h;

	hdr_init(&h, IKEV1_EXCH_IDENTITY_PROT, 0, 0, false);
	ike_v1_msg_build_init(&b, buf, cap, &h);
	ike_v1_msg_add_ke(&b, pattern(256, 0x11), 256);
	ike_v1_msg_add_nonce(&b, pattern(24, 0x21), 24);
	ike_v1_msg_add_cr(&b, &cr);
	ike_v1_msg_add_nat_d(&b, IKEV1_PL_NAT_D_DRAFT, pattern(20, 0x31), 20);
	ike_v1_msg_add_nat_d(&b, IKEV1_PL_NAT_D_DRAFT, pattern(20, 0x41), 20);
	return finish(&b);
}

static size_t msg_mm5_psk(uint8_t *buf, size_t cap)
{
	struct ike_v1_id id = { IKEV1_ID_FQDN, 17, 500, (const uint8_t *)"alice.example", 13 };
	struct ike_v1_notify n = { IKEV1_DOI_IPSEC, IKEV1_PROTO_ISAKMP, 16,
				   IKEV1_N_INITIAL_CONTACT, cookies, NULL, 0 };
	struct ike_v1_builder b;
	struct ike_v1_hdr h;

	hdr_init(&h, IKEV1_EXCH_IDENTITY_PROT, IKEV1_FLAG_ENCRYPTION, 0, false);
	ike_v1_msg_build_init(&b, buf, cap, &h);
	ike_v1_msg_add_id(&b, &id);
	ike_v1_msg_add_hash(&b, pattern(32, 0x60), 32);
	ike_v1_msg_add_notify(&b, &n);
	return finish_padded(&b);
}

static size_t msg_mm5_sig(uint8_t *buf, size_t cap)
{
	struct ike_v1_id id = { IKEV1_ID_DER_ASN1_DN, 0, 0, pattern(60, 0x70), 60 };
	struct ike_v1_cert cert = { IKEV1_CERT_X509_SIG, pattern(300, 0x80), 300 };
	struct ike_v1_builder b;
	struct ike_v1_hdr h;

	hdr_init(&h, IKEV1_EXCH_IDENTITY_PROT, IKEV1_FLAG_ENCRYPTION, 0, false);
	ike_v1_msg_build_init(&b, buf, cap, &h);
	ike_v1_msg_add_id(&b, &id);
	ike_v1_msg_add_cert(&b, &cert);
	ike_v1_msg_add_sig(&b, pattern(256, 0x90), 256);
	return finish_padded(&b);
}

static size_t msg_aggressive_1(uint8_t *buf, size_t cap)
{
	struct ike_v1_id id = { IKEV1_ID_USER_FQDN, 0, 0, (const uint8_t *)"bob@example.org", 15 };
	static struct ike_v1_sa sa;
	struct ike_v1_builder b;
	struct ike_v1_hdr h;

	hdr_init(&h, IKEV1_EXCH_AGGRESSIVE, 0, 0, true);
	ike_v1_msg_build_init(&b, buf, cap, &h);
	sa_p1_two(&sa);
	ike_v1_msg_add_sa(&b, &sa);
	ike_v1_msg_add_ke(&b, pattern(128, 0x12), 128);
	ike_v1_msg_add_nonce(&b, pattern(16, 0x22), 16);
	ike_v1_msg_add_id(&b, &id);
	add_vids(&b);
	return finish(&b);
}

static size_t msg_aggressive_2(uint8_t *buf, size_t cap)
{
	struct ike_v1_id id = { IKEV1_ID_IPV4_ADDR, 17, 500, (const uint8_t *)"\xc0\x00\x02\x01",
				4 };
	static struct ike_v1_sa sa;
	struct ike_v1_builder b;
	struct ike_v1_hdr h;

	hdr_init(&h, IKEV1_EXCH_AGGRESSIVE, 0, 0, false);
	ike_v1_msg_build_init(&b, buf, cap, &h);
	sa_one(&sa, IKEV1_PROTO_ISAKMP, IKEV1_KEY_IKE, p1_3des, 8);
	ike_v1_msg_add_sa(&b, &sa);
	ike_v1_msg_add_ke(&b, pattern(128, 0x13), 128);
	ike_v1_msg_add_nonce(&b, pattern(16, 0x23), 16);
	ike_v1_msg_add_id(&b, &id);
	ike_v1_msg_add_nat_d(&b, IKEV1_PL_NAT_D, pattern(20, 0x32), 20);
	ike_v1_msg_add_nat_d(&b, IKEV1_PL_NAT_D, pattern(20, 0x42), 20);
	ike_v1_msg_add_hash(&b, pattern(20, 0x61), 20);
	ike_v1_msg_add_vendor(&b, vid_dpd, sizeof(vid_dpd));
	return finish(&b);
}

/* Phase 2: AES-GCM-16/256 tunnel over UDP, for 1 hour (TLV: variable). */
static const struct ike_v1_attr p2_gcm[] = {
	ATTR(IKEV1_P2_ENCAP, IKEV1_ENCAP_UDP_TUNNEL),
	ATTR(IKEV1_P2_KEY_LENGTH, 256),
	ATTR(IKEV1_P2_GROUP, IKEV1_GROUP_MODP2048),
	ATTR(IKEV1_P2_LIFE_TYPE, IKEV1_LIFE_SECONDS),
	ATTR(IKEV1_P2_LIFE_DURATION, 3600),
	ATTR(IKEV1_P2_ESN, IKEV1_ESN_64BIT),
};

/* Phase 2: HMAC-SHA2-256 (AH, or ESP's integrity), transport over UDP. */
static const struct ike_v1_attr p2_sha256[] = {
	ATTR(IKEV1_P2_ENCAP, IKEV1_ENCAP_UDP_TRANSPORT),
	ATTR(IKEV1_P2_AUTH, IKEV1_P2_AUTH_HMAC_SHA2_256),
	ATTR(IKEV1_P2_LIFE_TYPE, IKEV1_LIFE_KILOBYTES),
	ATTR(IKEV1_P2_LIFE_DURATION, 4608000),
};

static const uint8_t spi_ah[4] = { 0xc0, 0x01, 0xa0, 0x0d };
static const uint8_t spi_esp[4] = { 0xc0, 0x01, 0xd0, 0x0d };
static const uint8_t cpi[2] = { 0x12, 0x34 };

/*
 * Quick Mode offers: proposal 1 is AH and ESP together (one number, a
 * bundle), proposal 2 ESP AES-GCM alone, proposal 3 ESP with IPCOMP.
 */
static void sa_p2(struct ike_v1_sa *sa)
{
	struct ike_v1_proposal *p;

	memset(sa, 0, sizeof(*sa));
	sa->doi = IKEV1_DOI_IPSEC;
	sa->situation = IKEV1_SIT_IDENTITY_ONLY;
	sa->n_proposals = 5;
	p = &sa->prop[0];
	*p = (struct ike_v1_proposal){ 1, IKEV1_PROTO_AH, 4, spi_ah, 1, { { 0 } } };
	p->tr[0] = (struct ike_v1_transform){ 1, IKEV1_AH_SHA2_256, 4, p2_sha256, NULL, 0 };
	p = &sa->prop[1];
	*p = (struct ike_v1_proposal){ 1, IKEV1_PROTO_ESP, 4, spi_esp, 1, { { 0 } } };
	p->tr[0] = (struct ike_v1_transform){ 1, IKEV1_ESP_AES, 4, p2_sha256, NULL, 0 };
	p = &sa->prop[2];
	*p = (struct ike_v1_proposal){ 2, IKEV1_PROTO_ESP, 4, spi_esp, 2, { { 0 } } };
	p->tr[0] = (struct ike_v1_transform){ 1, IKEV1_ESP_AES_GCM_16, 6, p2_gcm, NULL, 0 };
	p->tr[1] = (struct ike_v1_transform){ 2, IKEV1_ESP_AES_GCM_12, 6, p2_gcm, NULL, 0 };
	p = &sa->prop[3];
	*p = (struct ike_v1_proposal){ 3, IKEV1_PROTO_ESP, 4, spi_esp, 1, { { 0 } } };
	p->tr[0] = (struct ike_v1_transform){ 1, IKEV1_ESP_AES_GCM_16, 6, p2_gcm, NULL, 0 };
	p = &sa->prop[4];
	*p = (struct ike_v1_proposal){ 3, IKEV1_PROTO_IPCOMP, 2, cpi, 1, { { 0 } } };
	p->tr[0] = (struct ike_v1_transform){ 1, IKEV1_IPCOMP_DEFLATE, 1, p2_gcm, NULL, 0 };
}

/* Quick Mode message 1: HASH(1) first, covering all that follows. */
static size_t build_quick_1(struct ike_v1_builder *b, uint8_t *buf, size_t cap)
{
	struct ike_v1_id idci = { IKEV1_ID_IPV4_ADDR_SUBNET, 0, 0,
				  (const uint8_t *)"\x0a\x01\x00\x00\xff\xff\xff\x00", 8 };
	struct ike_v1_id idcr = { IKEV1_ID_IPV6_ADDR_RANGE, 6, 443, pattern(32, 0xa0), 32 };
	struct ike_v1_nat_oa oai = { IKEV1_ID_IPV4_ADDR, (const uint8_t *)"\xc0\xa8\x01\x02", 4 };
	struct ike_v1_nat_oa oar = { IKEV1_ID_IPV6_ADDR, pattern(16, 0xb0), 16 };
	static struct ike_v1_sa sa;
	struct ike_v1_hdr h;

	hdr_init(&h, IKEV1_EXCH_QUICK, IKEV1_FLAG_ENCRYPTION, 0x5eed0001, false);
	ike_v1_msg_build_init(b, buf, cap, &h);
	ike_v1_msg_add_hash(b, NULL, 32);
	sa_p2(&sa);
	ike_v1_msg_add_sa(b, &sa);
	ike_v1_msg_add_nonce(b, pattern(32, 0x24), 32);
	ike_v1_msg_add_ke(b, pattern(256, 0x14), 256);
	ike_v1_msg_add_id(b, &idci);
	ike_v1_msg_add_id(b, &idcr);
	ike_v1_msg_add_nat_oa(b, IKEV1_PL_NAT_OA, &oai);
	ike_v1_msg_add_nat_oa(b, IKEV1_PL_NAT_OA, &oar);
	return b->len;
}

static size_t msg_quick_1(uint8_t *buf, size_t cap)
{
	struct ike_v1_builder b;

	build_quick_1(&b, buf, cap);
	return finish_padded(&b);
}

/* Quick Mode message 3: HASH(3) only. */
static size_t msg_quick_3(uint8_t *buf, size_t cap)
{
	struct ike_v1_builder b;
	struct ike_v1_hdr h;

	hdr_init(&h, IKEV1_EXCH_QUICK, IKEV1_FLAG_ENCRYPTION | IKEV1_FLAG_COMMIT, 0x5eed0001,
		 false);
	ike_v1_msg_build_init(&b, buf, cap, &h);
	ike_v1_msg_add_hash(&b, pattern(32, 0x62), 32);
	return finish_padded(&b);
}

static size_t msg_info_delete(uint8_t *buf, size_t cap)
{
	static const uint8_t spis[8] = { 0xc0, 0x01, 0xd0, 0x0d, 0xc0, 0x02, 0xd0, 0x0d };
	struct ike_v1_delete esp = { IKEV1_DOI_IPSEC, IKEV1_PROTO_ESP, 4, 2, spis };
	struct ike_v1_delete isakmp = { IKEV1_DOI_IPSEC, IKEV1_PROTO_ISAKMP, 16, 1, cookies };
	struct ike_v1_builder b;
	struct ike_v1_hdr h;

	hdr_init(&h, IKEV1_EXCH_INFORMATIONAL, IKEV1_FLAG_ENCRYPTION, 0x0badcafe, false);
	ike_v1_msg_build_init(&b, buf, cap, &h);
	ike_v1_msg_add_hash(&b, pattern(32, 0x63), 32);
	ike_v1_msg_add_delete(&b, &esp);
	ike_v1_msg_add_delete(&b, &isakmp);
	return finish_padded(&b);
}

/* DPD (RFC 3706 §5): R-U-THERE, the cookies as SPI, a sequence number. */
static size_t msg_info_dpd(uint8_t *buf, size_t cap)
{
	struct ike_v1_notify n = { IKEV1_DOI_IPSEC, IKEV1_PROTO_ISAKMP, 16, IKEV1_N_R_U_THERE,
				   cookies, (const uint8_t *)"\x00\x00\x12\x34", 4 };
	struct ike_v1_builder b;
	struct ike_v1_hdr h;

	hdr_init(&h, IKEV1_EXCH_INFORMATIONAL, IKEV1_FLAG_ENCRYPTION, 0x0badcaff, false);
	ike_v1_msg_build_init(&b, buf, cap, &h);
	ike_v1_msg_add_hash(&b, pattern(20, 0x64), 20);
	ike_v1_msg_add_notify(&b, &n);
	return finish_padded(&b);
}

/* An error before any key: in the clear, no HASH. */
static size_t msg_info_plain(uint8_t *buf, size_t cap)
{
	struct ike_v1_notify n = { IKEV1_DOI_ISAKMP, IKEV1_PROTO_ISAKMP, 0,
				   IKEV1_N_NO_PROPOSAL_CHOSEN, NULL, NULL, 0 };
	struct ike_v1_builder b;
	struct ike_v1_hdr h;

	hdr_init(&h, IKEV1_EXCH_INFORMATIONAL, 0, 0, false);
	ike_v1_msg_build_init(&b, buf, cap, &h);
	ike_v1_msg_add_notify(&b, &n);
	return finish(&b);
}

static size_t msg_base_1(uint8_t *buf, size_t cap)
{
	struct ike_v1_id id = { IKEV1_ID_KEY_ID, 0, 0, (const uint8_t *)"key-1", 5 };
	static struct ike_v1_sa sa;
	struct ike_v1_builder b;
	struct ike_v1_hdr h;

	hdr_init(&h, IKEV1_EXCH_BASE, 0, 0, true);
	ike_v1_msg_build_init(&b, buf, cap, &h);
	sa_one(&sa, IKEV1_PROTO_ISAKMP, IKEV1_KEY_IKE, p1_aes256, 7);
	ike_v1_msg_add_sa(&b, &sa);
	ike_v1_msg_add_nonce(&b, pattern(20, 0x25), 20);
	ike_v1_msg_add_id(&b, &id);
	return finish(&b);
}

static size_t msg_auth_only(uint8_t *buf, size_t cap)
{
	struct ike_v1_id id = { IKEV1_ID_IPV6_ADDR, 0, 0, pattern(16, 0xc0), 16 };
	static struct ike_v1_sa sa;
	struct ike_v1_builder b;
	struct ike_v1_hdr h;

	hdr_init(&h, IKEV1_EXCH_AUTH_ONLY, IKEV1_FLAG_AUTH_ONLY, 0, false);
	ike_v1_msg_build_init(&b, buf, cap, &h);
	sa_one(&sa, IKEV1_PROTO_ISAKMP, IKEV1_KEY_IKE, ss_attrs, 7);
	ike_v1_msg_add_sa(&b, &sa);
	ike_v1_msg_add_nonce(&b, pattern(20, 0x26), 20);
	ike_v1_msg_add_id(&b, &id);
	ike_v1_msg_add_hash(&b, pattern(32, 0x65), 32);
	return finish(&b);
}

/* New Group Mode (RFC 2409 §5.6): a private MODP group, its prime TLV. */
static size_t msg_new_group(uint8_t *buf, size_t cap)
{
	struct ike_v1_attr grp[] = {
		ATTR(IKEV1_P1_GROUP_TYPE, IKEV1_GROUP_TYPE_MODP),
		{ IKEV1_P1_GROUP_PRIME, false, 0, pattern(128, 0xd0), 128 },
		ATTR(IKEV1_P1_GROUP_GEN_ONE, 2),
	};
	static struct ike_v1_sa sa;
	struct ike_v1_builder b;
	struct ike_v1_hdr h;

	hdr_init(&h, IKEV1_EXCH_NEW_GROUP, IKEV1_FLAG_ENCRYPTION, 0x00c0ffee, false);
	ike_v1_msg_build_init(&b, buf, cap, &h);
	ike_v1_msg_add_hash(&b, pattern(32, 0x66), 32);
	sa_one(&sa, IKEV1_PROTO_ISAKMP, IKEV1_KEY_IKE, grp, 3);
	ike_v1_msg_add_sa(&b, &sa);
	return finish_padded(&b);
}

/* A Mode-Config request: its ATTR payload raw (the codec does not parse it). */
static size_t msg_transaction(uint8_t *buf, size_t cap)
{
	static const uint8_t cfg[] = { 1, 0, 0x12, 0x34, 0, 1, 0, 0, 0, 3, 0, 0 };
	struct ike_v1_builder b;
	struct ike_v1_hdr h;

	hdr_init(&h, IKEV1_EXCH_TRANSACTION, IKEV1_FLAG_ENCRYPTION, 0x7a7a7a7a, false);
	ike_v1_msg_build_init(&b, buf, cap, &h);
	ike_v1_msg_add_hash(&b, pattern(32, 0x67), 32);
	ike_v1_msg_add_raw(&b, IKEV1_PL_ATTR, cfg, sizeof(cfg));
	return finish_padded(&b);
}

/* Every payload kind in the clear, and an unknown one. */
static size_t msg_every_payload(uint8_t *buf, size_t cap)
{
	static const uint8_t spis[2] = { 0x56, 0x78 };
	struct ike_v1_id id = { IKEV1_ID_IPV4_ADDR_RANGE, 0, 0, pattern(8, 0xe0), 8 };
	struct ike_v1_cert cert = { IKEV1_CERT_X509_SIG, pattern(64, 0x81), 64 };
	struct ike_v1_cert cr = { IKEV1_CERT_X509_SIG, NULL, 0 };
	struct ike_v1_notify n = { IKEV1_DOI_IPSEC, IKEV1_PROTO_ESP, 4,
				   IKEV1_N_RESPONDER_LIFETIME, spi_esp, pattern(8, 0x91), 8 };
	struct ike_v1_delete del = { IKEV1_DOI_IPSEC, IKEV1_PROTO_IPCOMP, 2, 1, spis };
	struct ike_v1_nat_oa oa = { IKEV1_ID_IPV4_ADDR, pattern(4, 0xf0), 4 };
	static struct ike_v1_sa sa;
	struct ike_v1_builder b;
	struct ike_v1_hdr h;

	hdr_init(&h, IKEV1_EXCH_INFORMATIONAL, IKEV1_FLAG_COMMIT | 0x80, 9, false);
	ike_v1_msg_build_init(&b, buf, cap, &h);
	sa_p2(&sa);
	ike_v1_msg_add_sa(&b, &sa);
	ike_v1_msg_add_ke(&b, pattern(96, 0x15), 96);
	ike_v1_msg_add_id(&b, &id);
	ike_v1_msg_add_cert(&b, &cert);
	ike_v1_msg_add_cr(&b, &cr);
	ike_v1_msg_add_hash(&b, pattern(16, 0x68), 16);
	ike_v1_msg_add_sig(&b, pattern(64, 0x92), 64);
	ike_v1_msg_add_nonce(&b, pattern(IKE_V1_MSG_NONCE_MIN, 0x27), IKE_V1_MSG_NONCE_MIN);
	ike_v1_msg_add_notify(&b, &n);
	ike_v1_msg_add_delete(&b, &del);
	ike_v1_msg_add_vendor(&b, vid_draft03, sizeof(vid_draft03));
	ike_v1_msg_add_vendor(&b, vid_draft02, sizeof(vid_draft02));
	ike_v1_msg_add_raw(&b, IKEV1_PL_ATTR, pattern(8, 0x93), 8);
	ike_v1_msg_add_nat_d(&b, IKEV1_PL_NAT_D, pattern(16, 0x94), 16);
	ike_v1_msg_add_nat_oa(&b, IKEV1_PL_NAT_OA_DRAFT, &oa);
	ike_v1_msg_add_raw(&b, IKEV1_PL_FRAGMENT, pattern(12, 0x95), 12);
	ike_v1_msg_add_raw(&b, 99, pattern(6, 0xa0), 6);
	return finish(&b);
}

static const struct {
	const char *name;
	msg_fn build;
} msgs[] = {
	{ "main_mode_1_strongswan", msg_mm1 },
	{ "main_mode_2", msg_mm2 },
	{ "main_mode_3", msg_mm3 },
	{ "main_mode_4_draft_natd", msg_mm4 },
	{ "main_mode_5_psk", msg_mm5_psk },
	{ "main_mode_5_sig", msg_mm5_sig },
	{ "aggressive_1", msg_aggressive_1 },
	{ "aggressive_2", msg_aggressive_2 },
	{ "quick_mode_1", msg_quick_1 },
	{ "quick_mode_3", msg_quick_3 },
	{ "informational_delete", msg_info_delete },
	{ "informational_dpd", msg_info_dpd },
	{ "informational_plain", msg_info_plain },
	{ "base_1", msg_base_1 },
	{ "authentication_only", msg_auth_only },
	{ "new_group_mode", msg_new_group },
	{ "transaction", msg_transaction },
	{ "every_payload", msg_every_payload },
};

#define N_MSGS (sizeof(msgs) / sizeof(msgs[0]))

/* Body parsing by type, as a daemon would: 0 or the parser's error. */
static int parse_body(const struct ike_v1_payload *pl)
{
	static struct ike_v1_sa sa;
	struct ike_v1_notify n;
	struct ike_v1_delete d;
	struct ike_v1_nat_oa oa;
	struct ike_v1_cert cert;
	struct ike_blob blob;
	struct ike_v1_id id;

	switch (pl->type) {
	case IKEV1_PL_SA:
		return ike_v1_msg_parse_sa(pl->body, pl->len, &sa, NULL);
	case IKEV1_PL_KE:
		return ike_v1_msg_parse_ke(pl->body, pl->len, &blob, NULL);
	case IKEV1_PL_ID:
		return ike_v1_msg_parse_id(pl->body, pl->len, &id, NULL);
	case IKEV1_PL_CERT:
		return ike_v1_msg_parse_cert(pl->body, pl->len, &cert, NULL);
	case IKEV1_PL_CR:
		return ike_v1_msg_parse_cr(pl->body, pl->len, &cert, NULL);
	case IKEV1_PL_HASH:
		return ike_v1_msg_parse_hash(pl->body, pl->len, &blob, NULL);
	case IKEV1_PL_SIG:
		return ike_v1_msg_parse_sig(pl->body, pl->len, &blob, NULL);
	case IKEV1_PL_NONCE:
		return ike_v1_msg_parse_nonce(pl->body, pl->len, &blob, NULL);
	case IKEV1_PL_N:
		return ike_v1_msg_parse_notify(pl->body, pl->len, &n, NULL);
	case IKEV1_PL_D:
		return ike_v1_msg_parse_delete(pl->body, pl->len, &d, NULL);
	case IKEV1_PL_VID:
		return ike_v1_msg_parse_vendor(pl->body, pl->len, &blob, NULL);
	case IKEV1_PL_NAT_D:
	case IKEV1_PL_NAT_D_DRAFT:
		return ike_v1_msg_parse_nat_d(pl->body, pl->len, &blob, NULL);
	case IKEV1_PL_NAT_OA:
	case IKEV1_PL_NAT_OA_DRAFT:
		return ike_v1_msg_parse_nat_oa(pl->body, pl->len, &oa, NULL);
	default:
		return 0;
	}
}

/*
 * Parse a whole message as the daemon will: header, then the chain, in
 * the clear or (for the seeds' unencrypted "encrypted" bodies) as a
 * decrypted body with padding; then every payload body.
 */
static int parse_all(const uint8_t *buf, size_t len, struct ike_v1_msg *m, struct ike_msg_err *e)
{
	size_t i;
	int rc;

	rc = ike_v1_msg_parse(buf, len, m, e);
	if (rc)
		return rc;
	if (m->hdr.flags & IKEV1_FLAG_ENCRYPTION) {
		rc = ike_v1_msg_parse_chain(m->hdr.next, m->body, m->body_len, true, &m->chain, e);
		if (rc)
			return rc;
	}
	for (i = 0; i < m->chain.n; i++) {
		rc = parse_body(&m->chain.pl[i]);
		if (rc) {
			snprintf(e->reason, sizeof(e->reason), "payload %zu (%s) refused", i + 1,
				 ike_v1_msg_payload_name(m->chain.pl[i].type));
			return rc;
		}
	}
	return 0;
}

/* Tests */

static void test_names(void)
{
	CHECK(!strcmp(ike_v1_msg_payload_name(IKEV1_PL_NONCE), "Nonce"));
	CHECK(!strcmp(ike_v1_msg_payload_name(IKEV1_PL_NAT_OA_DRAFT), "NAT-OA (draft)"));
	CHECK(!strcmp(ike_v1_msg_payload_name(99), "unknown"));
	CHECK(!strcmp(ike_v1_msg_exchange_name(IKEV1_EXCH_IDENTITY_PROT), "Main Mode"));
	CHECK(!strcmp(ike_v1_msg_exchange_name(IKEV1_EXCH_QUICK), "Quick Mode"));
	CHECK(!strcmp(ike_v1_msg_exchange_name(34), "unknown"));
	CHECK(!strcmp(ike_v1_msg_notify_name(IKEV1_N_R_U_THERE_ACK), "R-U-THERE-ACK"));
	CHECK(!strcmp(ike_v1_msg_notify_name(IKEV1_N_UNEQUAL_PAYLOAD_LENGTHS),
		      "UNEQUAL-PAYLOAD-LENGTHS"));
	CHECK(!strcmp(ike_v1_msg_notify_name(IKEV1_N_INITIAL_CONTACT), "INITIAL-CONTACT"));
	CHECK(!strcmp(ike_v1_msg_notify_name(31), "unknown"));
}

static bool attr_is(const struct ike_v1_attr *a, uint16_t type, bool tv, uint64_t value,
		    size_t len)
{
	return a->type == type && a->tv == tv && a->value == value && a->len == len;
}

static void test_strongswan_mm1(void)
{
	static const uint8_t frag_hash[IKEV1_VID_FRAGMENTATION_HASH_LEN] = {
		0x40, 0x48, 0xb7, 0xd5, 0x6e, 0xbc, 0xe8, 0x85,
		0x25, 0xe7, 0xde, 0x7f, 0x00, 0xd6, 0xc2, 0xd3 };
	static const uint8_t *const vids[] = { vid_xauth, vid_dpd, vid_frag, vid_rfc3947,
					       vid_draft02n };
	static const size_t vid_lens[] = { 8, 16, 20, 16, 16 };
	const struct ike_v1_transform *t;
	const struct ike_v1_proposal *p;
	static struct ike_v1_sa sa, again;
	struct ike_v1_attr_iter it;
	uint8_t want[256], buf[256];
	struct ike_v1_builder b;
	struct ike_v1_attr a;
	struct ike_msg_err e;
	struct ike_v1_hdr h;
	struct ike_v1_msg m;
	size_t n, i, len = 0;

	n = ktap_unhex(ss_mm1_hex, want, sizeof(want));
	CHECK(n == 180);
	if (!CHECK(ike_v1_msg_parse(want, n, &m, &e) == 0)) {
		printf("#   %s\n", e.reason);
		return;
	}
	CHECK(!memcmp(m.hdr.icookie, cky_i, 8) && !memcmp(m.hdr.rcookie, "\0\0\0\0\0\0\0\0", 8));
	CHECK(m.hdr.next == IKEV1_PL_SA && m.hdr.major == 1 && m.hdr.minor == 0);
	CHECK(m.hdr.exchange == IKEV1_EXCH_IDENTITY_PROT && m.hdr.flags == 0);
	CHECK(m.hdr.msg_id == 0 && m.hdr.length == 180);
	CHECK(m.body == want + 28 && m.body_len == 152);
	CHECK(m.chain.n == 6 && m.chain.len == 152 && m.chain.pad == 0);
	CHECK(m.chain.pl[0].type == IKEV1_PL_SA && m.chain.pl[0].len == 52);
	CHECK(m.chain.pl[0].body == want + 32);
	for (i = 0; i < 5; i++) {
		CHECK(m.chain.pl[i + 1].type == IKEV1_PL_VID);
		CHECK(blob_is(m.chain.pl[i + 1].body, m.chain.pl[i + 1].len, vids[i], vid_lens[i]));
	}
	/* Windows sends FRAGMENTATION without the capabilities: same 16 octets. */
	CHECK(!memcmp(m.chain.pl[3].body, frag_hash, sizeof(frag_hash)));

	if (!CHECK(ike_v1_msg_parse_sa(m.chain.pl[0].body, m.chain.pl[0].len, &sa, &e) == 0)) {
		printf("#   %s\n", e.reason);
		return;
	}
	CHECK(sa.doi == IKEV1_DOI_IPSEC && sa.situation == IKEV1_SIT_IDENTITY_ONLY);
	CHECK(sa.n_proposals == 1);
	p = &sa.prop[0];
	CHECK(p->num == 1 && p->proto == IKEV1_PROTO_ISAKMP && p->spi_size == 0);
	CHECK(p->n_transforms == 1);
	t = &p->tr[0];
	CHECK(t->num == 1 && t->id == IKEV1_KEY_IKE && t->n_attrs == 7 && t->raw_len == 28);
	CHECK(t->attr == NULL && t->raw == want + 28 + 4 + 8 + 8 + 8);
	ike_v1_attr_iter_init(&it, t);
	CHECK(ike_v1_attr_next(&it, &a) && attr_is(&a, IKEV1_P1_ENCR, true, 7, 2));
	CHECK(ike_v1_attr_next(&it, &a) && attr_is(&a, IKEV1_P1_KEY_LENGTH, true, 128, 2));
	CHECK(ike_v1_attr_next(&it, &a) && attr_is(&a, IKEV1_P1_HASH, true, 4, 2));
	CHECK(ike_v1_attr_next(&it, &a) && attr_is(&a, IKEV1_P1_GROUP, true, 14, 2));
	CHECK(ike_v1_attr_next(&it, &a) && attr_is(&a, IKEV1_P1_AUTH, true, 1, 2));
	CHECK(ike_v1_attr_next(&it, &a) && attr_is(&a, IKEV1_P1_LIFE_TYPE, true, 1, 2));
	CHECK(ike_v1_attr_next(&it, &a) && attr_is(&a, IKEV1_P1_LIFE_DURATION, true, 14400, 2));
	CHECK(a.data == t->raw + 26);
	CHECK(!ike_v1_attr_next(&it, &a));
	CHECK(ike_v1_transform_attr(t, IKEV1_P1_GROUP, &a) && a.value == IKEV1_GROUP_MODP2048);
	CHECK(!ike_v1_transform_attr(t, IKEV1_P1_PRF, &a));

	/* Built from typed attributes, it is strongSwan's message, octet for octet. */
	CHECK(msg_mm1(buf, sizeof(buf)) == n && !memcmp(buf, want, n));

	/* And a responder echoing the parsed transform as it came writes it back. */
	hdr_init(&h, IKEV1_EXCH_IDENTITY_PROT, 0, 0, true);
	ike_v1_msg_build_init(&b, buf, sizeof(buf), &h);
	CHECK(ike_v1_msg_add_sa(&b, &sa) == 0);
	add_vids(&b);
	CHECK(ike_v1_msg_build_end(&b, &len) == 0 && len == n && !memcmp(buf, want, n));
	CHECK(ike_v1_msg_parse_sa(buf + 32, 52, &again, &e) == 0);
	CHECK(again.prop[0].tr[0].n_attrs == 7);
}

/*
 * Life duration is a variable attribute: TV when it fits and is asked for
 * (strongSwan), TLV otherwise, and TLV of any length is read (Windows sends
 * 28800 as a 4-octet TLV).
 */
static void test_attr_forms(void)
{
	static const struct ike_v1_attr life[] = {
		ATTR(IKEV1_P1_LIFE_TYPE, IKEV1_LIFE_SECONDS),
		ATTR(IKEV1_P1_LIFE_DURATION, 14400),
		ATTR(IKEV1_P1_LIFE_DURATION, 86400),
		ATTR(IKEV1_P1_LIFE_DURATION, 0x123456789aULL),
		ATTR(IKEV1_P1_HASH, IKEV1_HASH_SHA),
		ATTR(999, 7),
		ATTR(999, 70000),
	};
	/*
	 * In an ESP transform the numbers are Phase 2's: 2 is life duration
	 * (variable) and 6 key length (basic), where in an ISAKMP one 2 is the
	 * hash (basic) and 6 a group's prime (variable).
	 */
	static const struct ike_v1_attr p2[] = {
		ATTR(IKEV1_P2_LIFE_DURATION, 3600),
		ATTR(IKEV1_P2_KEY_LENGTH, 128),
	};
	static const char *const life_hex =
		"800b 0001"			/* life type: basic, TV */
		"000c 0004 00003840"		/* 14400: variable, TLV of 4 */
		"000c 0004 00015180"		/* 86400 */
		"000c 0008 000000123456789a"	/* above 32 bits: 8 octets */
		"8002 0002"			/* hash: basic */
		"83e7 0007"			/* unknown type, fits: TV */
		"03e7 0004 00011170";		/* unknown type, too big: TLV */
	static struct ike_v1_sa sa, got;
	uint8_t buf[256], want[128];
	struct ike_v1_builder b;
	struct ike_v1_attr a;
	struct ike_msg_err e;
	struct ike_v1_chain c;
	size_t n;

	n = ktap_unhex(life_hex, want, sizeof(want));
	sa_one(&sa, IKEV1_PROTO_ISAKMP, IKEV1_KEY_IKE, life, 7);
	ike_v1_msg_chain_init(&b, buf, sizeof(buf));
	CHECK(ike_v1_msg_add_sa(&b, &sa) == 0);
	if (chain_one(&b, IKEV1_PL_SA, &c) &&
	    CHECK(ike_v1_msg_parse_sa(c.pl[0].body, c.pl[0].len, &got, &e) == 0)) {
		CHECK(blob_is(got.prop[0].tr[0].raw, got.prop[0].tr[0].raw_len, want, n));
		CHECK(ike_v1_transform_attr(&got.prop[0].tr[0], IKEV1_P1_LIFE_DURATION, &a));
		CHECK(attr_is(&a, IKEV1_P1_LIFE_DURATION, false, 14400, 4));
	}

	sa_one(&sa, IKEV1_PROTO_ESP, IKEV1_ESP_AES, p2, 2);
	sa.prop[0].spi_size = 4;
	sa.prop[0].spi = spi_esp;
	ike_v1_msg_chain_init(&b, buf, sizeof(buf));
	CHECK(ike_v1_msg_add_sa(&b, &sa) == 0);
	if (chain_one(&b, IKEV1_PL_SA, &c) &&
	    CHECK(ike_v1_msg_parse_sa(c.pl[0].body, c.pl[0].len, &got, &e) == 0)) {
		n = ktap_unhex("0002 0004 00000e10 8006 0080", want, sizeof(want));
		CHECK(blob_is(got.prop[0].tr[0].raw, got.prop[0].tr[0].raw_len, want, n));
	}

	/* A basic attribute's value must fit its two octets. */
	sa_one(&sa, IKEV1_PROTO_ISAKMP, IKEV1_KEY_IKE,
	       (const struct ike_v1_attr[]){ ATTR(IKEV1_P1_KEY_LENGTH, 65536) }, 1);
	ike_v1_msg_chain_init(&b, buf, sizeof(buf));
	FAILS(ike_v1_msg_add_sa(&b, &sa), b.err, IKE_MSG_E_INVAL,
	      "SA: proposal 1, transform 1: attribute 14: value 65536 does not fit TV form");
	CHECK(b.len == 0);
	sa_one(&sa, IKEV1_PROTO_ISAKMP, IKEV1_KEY_IKE,
	       (const struct ike_v1_attr[]){ ATTR_TV(IKEV1_P1_LIFE_DURATION, 86400) }, 1);
	ike_v1_msg_chain_init(&b, buf, sizeof(buf));
	FAILS(ike_v1_msg_add_sa(&b, &sa), b.err, IKE_MSG_E_INVAL, "does not fit TV form");
	/* Ready-made octets: TV takes exactly two. */
	sa_one(&sa, IKEV1_PROTO_ISAKMP, IKEV1_KEY_IKE,
	       (const struct ike_v1_attr[]){ { 12, true, 0, (const uint8_t *)"abc", 3 } }, 1);
	ike_v1_msg_chain_init(&b, buf, sizeof(buf));
	FAILS(ike_v1_msg_add_sa(&b, &sa), b.err, IKE_MSG_E_INVAL,
	      "attribute 12 of 3 octets in TV form");
	sa_one(&sa, IKEV1_PROTO_ISAKMP, IKEV1_KEY_IKE,
	       (const struct ike_v1_attr[]){ ATTR(0x8001, 1) }, 1);
	ike_v1_msg_chain_init(&b, buf, sizeof(buf));
	FAILS(ike_v1_msg_add_sa(&b, &sa), b.err, IKE_MSG_E_INVAL,
	      "attribute type 32769 is not 15 bits");
	/* A basic attribute in ready-made TLV form: the parser refuses, so does the builder. */
	sa_one(&sa, IKEV1_PROTO_ISAKMP, IKEV1_KEY_IKE,
	       (const struct ike_v1_attr[]){ { 1, false, 0, (const uint8_t *)"\0\7", 2 } }, 1);
	ike_v1_msg_chain_init(&b, buf, sizeof(buf));
	FAILS(ike_v1_msg_add_sa(&b, &sa), b.err, IKE_MSG_E_INVAL,
	      "attribute 1 (type 1) is basic, but in TLV form");
	CHECK(b.len == 0 && b.n == 0);
}

/* The attribute iterator, on parsed octets and on typed arrays. */
static void test_attr_iter(void)
{
	static const char *const hex =
		"000c 0000"				/* empty TLV: value 0 */
		"000c 0008 0102030405060708"		/* 8 octets: a number */
		"000c 0009 010203040506070809"		/* 9 octets: octets only */
		"800b 0002";
	struct ike_v1_attr typed[2] = { ATTR(5, 6), ATTR(7, 8) }, a;
	struct ike_v1_transform t = { 0 };
	struct ike_v1_attr_iter it;
	uint8_t raw[64];

	t.raw = raw;
	t.raw_len = ktap_unhex(hex, raw, sizeof(raw));
	ike_v1_attr_iter_init(&it, &t);
	CHECK(ike_v1_attr_next(&it, &a) && attr_is(&a, 12, false, 0, 0));
	CHECK(ike_v1_attr_next(&it, &a) && attr_is(&a, 12, false, 0x0102030405060708ULL, 8));
	CHECK(ike_v1_attr_next(&it, &a) && attr_is(&a, 12, false, 0, 9) && a.data == raw + 20);
	CHECK(ike_v1_attr_next(&it, &a) && attr_is(&a, 11, true, 2, 2));
	CHECK(!ike_v1_attr_next(&it, &a) && it.i == 4);

	/* Octets that make no attribute end the walk, whoever filled the struct. */
	t.raw_len = 3;
	ike_v1_attr_iter_init(&it, &t);
	CHECK(!ike_v1_attr_next(&it, &a));
	t.raw_len = 10;
	ike_v1_attr_iter_init(&it, &t);
	CHECK(ike_v1_attr_next(&it, &a) && !ike_v1_attr_next(&it, &a));
	t.raw = NULL;
	t.raw_len = 0;
	CHECK(!ike_v1_transform_attr(&t, 12, &a));

	t.attr = typed;
	t.n_attrs = 2;
	ike_v1_attr_iter_init(&it, &t);
	CHECK(ike_v1_attr_next(&it, &a) && a.type == 5 && a.value == 6);
	CHECK(ike_v1_attr_next(&it, &a) && a.type == 7 && !ike_v1_attr_next(&it, &a));
	CHECK(ike_v1_transform_attr(&t, 7, &a) && a.value == 8);
}

static void test_hdr(void)
{
	struct ike_v1_builder b;
	struct ike_msg_err e;
	struct ike_v1_msg m;
	struct ike_v1_hdr h;
	uint8_t buf[64];
	size_t len = 0;

	hdr_init(&h, IKEV1_EXCH_INFORMATIONAL, IKEV1_FLAG_COMMIT | 0xf0, 0x01020304, false);
	h.minor = 3;		/* ignored: the builder writes 1.0 */
	h.next = IKEV1_PL_SA;	/* ignored: the builder fills it */
	h.length = 1000;	/* likewise */
	CHECK(ike_v1_msg_build_init(&b, buf, sizeof(buf), &h) == 0);
	CHECK(ike_v1_msg_build_end(&b, &len) == 0 && len == IKEV1_HDR_LEN);
	CHECK(buf[16] == IKEV1_PL_NONE && buf[17] == 0x10);
	if (CHECK(ike_v1_msg_parse(buf, len, &m, &e) == 0)) {
		CHECK(!memcmp(m.hdr.icookie, cky_i, 8) && !memcmp(m.hdr.rcookie, cky_r, 8));
		CHECK(m.hdr.major == 1 && m.hdr.minor == 0);
		CHECK(m.hdr.exchange == IKEV1_EXCH_INFORMATIONAL);
		CHECK(m.hdr.flags == (IKEV1_FLAG_COMMIT | 0xf0));	/* unknown bits kept */
		CHECK(m.hdr.msg_id == 0x01020304 && m.hdr.length == 28 && m.chain.n == 0);
		CHECK(m.body_len == 0 && m.chain.len == 0);
	}

	FAILS(ike_v1_msg_parse(buf, 27, &m, &e), e, IKE_MSG_E_TRUNCATED,
	      "header: 27 octets, an ISAKMP header has 28");
	FAILS(ike_v1_msg_parse(buf, 0, &m, &e), e, IKE_MSG_E_TRUNCATED, "header: 0 octets");

	/* Length must be the datagram's, both ways. */
	put32(buf + 24, 29);
	FAILS(ike_v1_msg_parse(buf, 28, &m, &e), e, IKE_MSG_E_MSG_LEN,
	      "Length 29, but the datagram has 28");
	put32(buf + 24, 28);
	buf[28] = 0;
	FAILS(ike_v1_msg_parse(buf, 29, &m, &e), e, IKE_MSG_E_MSG_LEN,
	      "Length 28, but the datagram has 29");

	/* IKEv2 is told apart, header filled for the hand-over. */
	buf[17] = 0x20;
	memset(&m.hdr, 0, sizeof(m.hdr));
	FAILS(ike_v1_msg_parse(buf, 28, &m, &e), e, IKE_MSG_E_MAJOR,
	      "header: major version 2 is not IKEv1");
	CHECK(m.hdr.major == 2 && m.hdr.msg_id == 0x01020304 && !memcmp(m.hdr.icookie, cky_i, 8));
	buf[17] = 0x30;
	FAILS(ike_v1_msg_parse_hdr(buf, 28, &h, &e), e, IKE_MSG_E_MAJOR, "major version 3");
	buf[17] = 0x00;
	FAILS(ike_v1_msg_parse(buf, 28, &m, &e), e, IKE_MSG_E_OLD_MAJOR,
	      "header: major version 0, only 1 is spoken");
	/* RFC 2408 §3.1: no minor version above ours. */
	buf[17] = 0x11;
	FAILS(ike_v1_msg_parse(buf, 28, &m, &e), e, IKE_MSG_E_BAD_VALUE,
	      "header: minor version 1, only 0 is spoken");
	CHECK(m.hdr.minor == 1);
	buf[17] = 0x10;
	CHECK(ike_v1_msg_parse_hdr(buf, 28, &h, NULL) == 0);

	/* Encrypted: the body is the caller's to decrypt, and must be there. */
	buf[19] = IKEV1_FLAG_ENCRYPTION;
	FAILS(ike_v1_msg_parse(buf, 28, &m, &e), e, IKE_MSG_E_BAD_LEN,
	      "encryption flag set, but nothing follows the header");
	buf[16] = IKEV1_PL_HASH;
	memset(buf + 28, 0xee, 16);	/* nothing like a payload: ciphertext */
	put32(buf + 24, 44);
	if (CHECK(ike_v1_msg_parse(buf, 44, &m, &e) == 0)) {
		CHECK(m.chain.n == 0 && m.body == buf + 28 && m.body_len == 16);
		CHECK(m.hdr.next == IKEV1_PL_HASH);
	}
}

/* The two codecs hand each other's messages on by their major version. */
static void test_v1_v2_dispatch(void)
{
	static const struct ike_hdr v2h = { .spi_i = { 1, 2, 3, 4, 5, 6, 7, 8 },
					    .exchange = IKEV2_EXCH_IKE_SA_INIT,
					    .flags = IKEV2_FLAG_INITIATOR };
	struct ike_v1_msg m1;
	struct ike_builder b2;
	struct ike_msg_err e;
	struct ike_msg m2;
	struct ike_hdr h2;
	uint8_t buf[512];
	size_t len = 0;

	ike_msg_build_init(&b2, buf, sizeof(buf), &v2h);
	ike_msg_add_vendor(&b2, vid_dpd, sizeof(vid_dpd));
	CHECK(ike_msg_build_end(&b2, &len) == 0);
	FAILS(ike_v1_msg_parse(buf, len, &m1, &e), e, IKE_MSG_E_MAJOR, "major version 2");
	CHECK(m1.hdr.major == 2 && ike_msg_parse(buf, len, &m2, &e) == 0);

	len = msg_mm1(buf, sizeof(buf));
	CHECK(ike_msg_parse_hdr(buf, len, &h2, &e) == IKE_MSG_E_OLD_MAJOR && h2.major == 1);
	CHECK(ike_v1_msg_parse(buf, len, &m1, &e) == 0);
}

static void test_chain(void)
{
	struct ike_msg_err e;
	struct ike_v1_msg m;

	/* Vendor ID, then Nonce */
	CHECK(parse_msg_hex(IKEV1_PL_VID, "0a 00 0006 aabb 00 00 000c 0001020304050607", &m,
			    &e) == 0);
	CHECK(m.chain.n == 2 && m.chain.pl[0].type == IKEV1_PL_VID);
	CHECK(m.chain.pl[0].len == 2 && m.chain.pl[0].body[0] == 0xaa);
	CHECK(m.chain.pl[1].type == IKEV1_PL_NONCE && m.chain.pl[1].len == 8);
	CHECK(m.chain.pl[1].body[7] == 0x07 && m.chain.len == 18 && m.chain.pad == 0);
	CHECK(ike_v1_chain_find(&m.chain, IKEV1_PL_NONCE, 0) == 1);
	CHECK(ike_v1_chain_find(&m.chain, IKEV1_PL_NONCE, 2) == -1);
	CHECK(ike_v1_chain_find(&m.chain, IKEV1_PL_KE, 0) == -1);

	/* Unknown types are kept for the caller (INVALID-PAYLOAD-TYPE). */
	CHECK(parse_msg_hex(99, "00 00 0006 abcd", &m, &e) == 0);
	CHECK(m.chain.n == 1 && m.chain.pl[0].type == 99);
	FAILS(parse_msg_hex(99, "00 00 0003", &m, &e), e, IKE_MSG_E_BAD_LEN,
	      "payload 1 (type 99): length 3 shorter than its 4-octet header");

	/* Lying lengths */
	FAILS(parse_msg_hex(IKEV1_PL_NONCE, "00 00 0002", &m, &e), e, IKE_MSG_E_BAD_LEN,
	      "payload 1 (Nonce): length 2 shorter than its 4-octet header");
	FAILS(parse_msg_hex(IKEV1_PL_VID, "0a 00 0005 aa 00 00 0000", &m, &e), e,
	      IKE_MSG_E_BAD_LEN, "payload 2 (Nonce): length 0");
	FAILS(parse_msg_hex(IKEV1_PL_NONCE, "00 00 0010 aabbccdd", &m, &e), e,
	      IKE_MSG_E_OVERRUN, "payload 1 (Nonce): length 16 runs past the end (8 octets left)");
	FAILS(parse_msg_hex(IKEV1_PL_VID, "0a 00 0005 aa", &m, &e), e, IKE_MSG_E_CHAIN,
	      "payload 2 (Nonce) announced, but the message ends");
	FAILS(parse_msg_hex(IKEV1_PL_KE, "", &m, &e), e, IKE_MSG_E_CHAIN,
	      "payload 1 (KE) announced");
	FAILS(parse_msg_hex(IKEV1_PL_VID, "0a 00 0005 aa 00 00", &m, &e), e,
	      IKE_MSG_E_TRUNCATED, "payload 2 (Nonce): 2 octets left");
	FAILS(parse_msg_hex(IKEV1_PL_VID, "00 00 0005 aa bbbb", &m, &e), e, IKE_MSG_E_CHAIN,
	      "2 octets after the last payload");
	FAILS(parse_msg_hex(IKEV1_PL_NONE, "00 00 0005 aa", &m, &e), e, IKE_MSG_E_CHAIN,
	      "5 octets after the last payload");
	/* RFC 2408 §2.5.2: RESERVED is checked. */
	FAILS(parse_msg_hex(IKEV1_PL_VID, "0d 00 0005 aa 00 80 0005 bb", &m, &e), e,
	      IKE_MSG_E_BAD_VALUE, "payload 2 (Vendor ID): RESERVED is 0x80, not 0");
	/* Proposals and transforms belong inside an SA. */
	FAILS(parse_msg_hex(IKEV1_PL_PROPOSAL, "00 00 0008 01 01 00 01", &m, &e), e,
	      IKE_MSG_E_CHAIN, "payload 1 (Proposal) outside an SA payload");
	FAILS(parse_msg_hex(IKEV1_PL_VID, "03 00 0005 aa 00 00 0008 01 01 0000", &m, &e), e,
	      IKE_MSG_E_CHAIN, "payload 2 (Transform) outside an SA payload");
}

/* @count Vendor ID payloads: the 64-payload limit. */
static void test_too_many_payloads(void)
{
	char hex[70 * 14 + 1] = "";
	struct ike_msg_err e;
	struct ike_v1_msg m;
	int i;

	for (i = 0; i < 64; i++)
		strcat(hex, i < 63 ? "0d 00 0005 aa " : "00 00 0005 aa ");
	CHECK(parse_msg_hex(IKEV1_PL_VID, hex, &m, &e) == 0 && m.chain.n == 64);
	hex[strlen(hex) - 14] = 0;
	strcat(hex, "0d 00 0005 aa 00 00 0005 aa");
	FAILS(parse_msg_hex(IKEV1_PL_VID, hex, &m, &e), e, IKE_MSG_E_TOO_MANY,
	      "payload 65 (Vendor ID): more than 64 payloads");
}

/* CBC padding (RFC 2409 §5.3) follows the last payload of a decrypted body only. */
static void test_padding(void)
{
	static const char *const body =
		"0b 00 0008 01020304"			/* HASH, then N */
		"00 00 000c 00000001 01 00 8d28"	/* R-U-THERE, no SPI */
		"00 00 00 00 00 00 00 07";		/* 8 octets of padding */
	uint8_t buf[512];
	struct ike_v1_chain c;
	struct ike_msg_err e;
	struct ike_v1_msg m;
	struct ike_blob after;
	size_t len;

	FAILS(parse_chain_hex(IKEV1_PL_HASH, body, false, &c, &e), e, IKE_MSG_E_CHAIN,
	      "8 octets after the last payload");
	if (CHECK(parse_chain_hex(IKEV1_PL_HASH, body, true, &c, &e) == 0)) {
		CHECK(c.n == 2 && c.len == 20 && c.pad == 8);
		/* What HASH(1) covers: the Notification, not the padding. */
		ike_v1_chain_after(&c, 0, &after);
		CHECK(after.data == c.start + 8 && after.len == 12);
		ike_v1_chain_after(&c, 1, &after);
		CHECK(after.len == 0);
		ike_v1_chain_after(&c, 2, &after);
		CHECK(after.data == NULL && after.len == 0);
	}
	/* Fewer octets than a payload header, and a body that is all padding */
	CHECK(parse_chain_hex(IKEV1_PL_HASH, "00 00 0005 aa 0000 02", true, &c, &e) == 0 &&
	      c.n == 1 && c.pad == 3);
	CHECK(parse_chain_hex(IKEV1_PL_NONE, "00000000 0000000f", true, &c, &e) == 0 &&
	      c.n == 0 && c.pad == 8 && c.len == 0);
	/* Padding after a payload that announces another is read as that payload. */
	FAILS(parse_chain_hex(IKEV1_PL_HASH, "0d 00 0005 aa 0000 0003", true, &c, &e), e,
	      IKE_MSG_E_BAD_LEN, "payload 2 (Vendor ID): length 3 shorter");

	/* A whole encrypted message, as the daemon receives one (here unencrypted). */
	len = msg_info_dpd(buf, sizeof(buf));
	if (CHECK(len > 28) && CHECK(ike_v1_msg_parse(buf, len, &m, &e) == 0)) {
		CHECK(m.chain.n == 0 && m.body_len == len - 28 && m.body_len % 16 == 0);
		FAILS(ike_v1_msg_parse_chain(m.hdr.next, m.body, m.body_len, false, &c, &e), e,
		      IKE_MSG_E_CHAIN, "octets after the last payload");
		CHECK(ike_v1_msg_parse_chain(m.hdr.next, m.body, m.body_len, true, &c, &e) == 0);
		CHECK(c.n == 2 && c.pad > 0 && c.len + c.pad == m.body_len);
		CHECK(buf[len - 1] == c.pad - 1);
	}
	/* A plaintext message with padding is refused as a whole. */
	len = msg_info_dpd(buf, sizeof(buf));
	buf[19] = 0;
	FAILS(ike_v1_msg_parse(buf, len, &m, &e), e, IKE_MSG_E_CHAIN,
	      "octets after the last payload");
}

/*
 * Every strict prefix of every seed is refused, as a datagram (its Length
 * lies) and with Length set to the prefix (the payloads run out), each in
 * a buffer of exactly its length; and every prefix of a decrypted body
 * that cuts into its payloads. A refusal always carries a reason.
 */
static void test_truncation(void)
{
	static uint8_t buf[4096];
	size_t i, len, cut, refused = 0, tried = 0;
	struct ike_v1_chain c;
	struct ike_msg_err e;
	struct ike_v1_msg m;
	uint8_t *p;
	int rc;

	for (i = 0; i < N_MSGS; i++) {
		len = msgs[i].build(buf, sizeof(buf));
		if (!CHECK(len > IKEV1_HDR_LEN))
			continue;
		for (cut = 0; cut < len; cut++) {
			p = malloc(cut ? cut : 1);
			if (!p)
				abort();
			memcpy(p, buf, cut);
			e.reason[0] = 0;
			rc = ike_v1_msg_parse(p, cut, &m, &e);
			tried++;
			refused += rc < 0 && e.code == rc && e.reason[0];
			if (cut >= IKEV1_HDR_LEN && !(p[19] & IKEV1_FLAG_ENCRYPTION)) {
				put32(p + 24, (uint32_t)cut);
				e.reason[0] = 0;
				rc = ike_v1_msg_parse(p, cut, &m, &e);
				tried++;
				refused += (rc == IKE_MSG_E_TRUNCATED || rc == IKE_MSG_E_OVERRUN ||
					    rc == IKE_MSG_E_CHAIN) && e.reason[0];
			}
			free(p);
		}
		if (!(buf[19] & IKEV1_FLAG_ENCRYPTION) ||
		    !CHECK(ike_v1_msg_parse(buf, len, &m, &e) == 0) ||
		    !CHECK(ike_v1_msg_parse_chain(m.hdr.next, m.body, m.body_len, true, &c,
						  &e) == 0))
			continue;
		/* Cut into the payloads: refused; cut into the padding: still whole. */
		for (cut = 0; cut < m.body_len; cut++) {
			p = malloc(cut ? cut : 1);
			if (!p)
				abort();
			memcpy(p, m.body, cut);
			rc = ike_v1_msg_parse_chain(m.hdr.next, p, cut, true, &c, &e);
			tried++;
			if (cut < m.body_len - 1 - buf[len - 1])
				refused += rc < 0 && e.reason[0];
			else
				refused += rc == 0 && c.pad == cut - c.len;
			free(p);
		}
	}
	if (!CHECK(refused == tried))
		printf("#   %zu of %zu truncations handled as they should\n", refused, tried);
}

/* Proposals of every protocol, bundles, and attributes both ways round. */
static void test_sa_roundtrip(void)
{
	static struct ike_v1_sa sa, got, again;
	struct ike_v1_attr_iter it;
	struct ike_v1_builder b;
	struct ike_v1_attr a;
	struct ike_msg_err e;
	struct ike_v1_chain c;
	uint8_t buf[1024], buf2[1024];
	size_t i, j, k, len, len2 = 0;

	sa_p2(&sa);
	ike_v1_msg_chain_init(&b, buf, sizeof(buf));
	CHECK(ike_v1_msg_add_sa(&b, &sa) == 0);
	if (!chain_one(&b, IKEV1_PL_SA, &c) ||
	    !CHECK(ike_v1_msg_parse_sa(c.pl[0].body, c.pl[0].len, &got, &e) == 0))
		return;
	CHECK(got.n_proposals == 5);
	for (i = 0; i < got.n_proposals; i++) {
		CHECK(got.prop[i].num == sa.prop[i].num && got.prop[i].proto == sa.prop[i].proto);
		CHECK(blob_is(got.prop[i].spi, got.prop[i].spi_size, sa.prop[i].spi,
			      sa.prop[i].spi_size));
		CHECK(got.prop[i].n_transforms == sa.prop[i].n_transforms);
		for (j = 0; j < got.prop[i].n_transforms; j++) {
			CHECK(got.prop[i].tr[j].id == sa.prop[i].tr[j].id);
			CHECK(got.prop[i].tr[j].num == sa.prop[i].tr[j].num);
			CHECK(got.prop[i].tr[j].n_attrs == sa.prop[i].tr[j].n_attrs);
			ike_v1_attr_iter_init(&it, &got.prop[i].tr[j]);
			for (k = 0; ike_v1_attr_next(&it, &a); k++)
				CHECK(k < sa.prop[i].tr[j].n_attrs &&
				      a.type == sa.prop[i].tr[j].attr[k].type &&
				      a.value == sa.prop[i].tr[j].attr[k].value);
			CHECK(k == sa.prop[i].tr[j].n_attrs);
		}
	}
	/* The IPCOMP proposal's 2-octet CPI, and ESP's life in kilobytes as TLV */
	CHECK(got.prop[4].spi_size == 2 && got.prop[4].spi[0] == 0x12);
	CHECK(ike_v1_transform_attr(&got.prop[1].tr[0], IKEV1_P2_LIFE_DURATION, &a) &&
	      !a.tv && a.len == 4 && a.value == 4608000);

	/* What was parsed is written back as it came. */
	len = b.len;
	ike_v1_msg_chain_init(&b, buf2, sizeof(buf2));
	CHECK(ike_v1_msg_add_sa(&b, &got) == 0 && ike_v1_msg_build_end(&b, &len2) == 0);
	CHECK(len2 == len && !memcmp(buf, buf2, len));
	CHECK(ike_v1_msg_parse_sa(buf2 + 4, len2 - 4, &again, &e) == 0 &&
	      again.n_proposals == 5);

	/* Phase 1: two transforms in one proposal, both lifetimes in the first. */
	sa_p1_two(&sa);
	ike_v1_msg_chain_init(&b, buf, sizeof(buf));
	CHECK(ike_v1_msg_add_sa(&b, &sa) == 0);
	if (chain_one(&b, IKEV1_PL_SA, &c) &&
	    CHECK(ike_v1_msg_parse_sa(c.pl[0].body, c.pl[0].len, &got, &e) == 0)) {
		CHECK(got.prop[0].n_transforms == 2 && got.prop[0].tr[0].n_attrs == 8);
		CHECK(got.prop[0].tr[1].num == 2 && got.prop[0].tr[1].n_attrs == 7);
		ike_v1_attr_iter_init(&it, &got.prop[0].tr[0]);
		for (k = 0; k < 7; k++)
			CHECK(ike_v1_attr_next(&it, &a));
		CHECK(attr_is(&a, IKEV1_P1_LIFE_TYPE, true, IKEV1_LIFE_KILOBYTES, 2));
		CHECK(ike_v1_attr_next(&it, &a) &&
		      attr_is(&a, IKEV1_P1_LIFE_DURATION, false, 1000000, 4));
	}
	/* An ISAKMP SPI of any size up to 16 is taken (and ignored). */
	sa.prop[0].spi_size = 16;
	sa.prop[0].spi = cookies;
	ike_v1_msg_chain_init(&b, buf, sizeof(buf));
	CHECK(ike_v1_msg_add_sa(&b, &sa) == 0);
	if (chain_one(&b, IKEV1_PL_SA, &c) &&
	    CHECK(ike_v1_msg_parse_sa(c.pl[0].body, c.pl[0].len, &got, &e) == 0))
		CHECK(got.prop[0].spi_size == 16 && !memcmp(got.prop[0].spi, cookies, 16));
}

#define T_KEY "01 01 0000"	/* transform #1, KEY_IKE: the tail of its header */
#define SA_HDR "00000001 00000001"

/* Parse @hex as an SA body; expect @code and @want. */
static void sa_bad(const char *hex, int code, const char *want, int line)
{
	static struct ike_v1_sa sa;
	struct ike_msg_err e;
	uint8_t body[2048];
	size_t n = ktap_unhex(hex, body, sizeof(body));

	fails(ike_v1_msg_parse_sa(body, n, &sa, &e), &e, code, want, line);
}

#define SA_BAD(hex, code, want) sa_bad(hex, code, want, __LINE__)

static void test_sa_malformed(void)
{
	static struct ike_v1_sa sa;
	char hex[40 * 40 + 1] = "";
	struct ike_msg_err e;
	uint8_t body[2048];
	size_t n;
	int i;

	SA_BAD("", IKE_MSG_E_TRUNCATED, "SA: 0 octets, less than its 8-octet header");
	/* DOI and situation: filled in, for DOI- and SITUATION-NOT-SUPPORTED */
	SA_BAD("00000000 00000001", IKE_MSG_E_BAD_VALUE,
	       "SA: DOI 0, only the IPsec DOI (1) is spoken");
	n = ktap_unhex("00000001 00000003", body, sizeof(body));
	FAILS(ike_v1_msg_parse_sa(body, n, &sa, &e), e, IKE_MSG_E_BAD_VALUE,
	      "SA: situation 0x3, only SIT_IDENTITY_ONLY (1) is spoken");
	CHECK(sa.doi == 1 && sa.situation == 3);
	SA_BAD(SA_HDR, IKE_MSG_E_BAD_VALUE, "SA: no proposal");
	SA_BAD(SA_HDR "00 00", IKE_MSG_E_TRUNCATED, "SA: proposal 1: 2 octets left");
	/* Lying proposal lengths */
	SA_BAD(SA_HDR "00 00 0007 01 01 00 01 00 00 0008 " T_KEY, IKE_MSG_E_BAD_LEN,
	       "SA: proposal 1: length 7 shorter than its 8-octet header");
	SA_BAD(SA_HDR "00 00 0011 01 01 00 01 00 00 0008 " T_KEY, IKE_MSG_E_OVERRUN,
	       "SA: proposal 1: length 17 runs past the SA payload (16 octets left)");
	SA_BAD(SA_HDR "00 00 0014 01 01 00 01 00 00 0008 " T_KEY "00000000", IKE_MSG_E_BAD_LEN,
	       "SA: proposal 1: 4 octets after its last transform");
	/* The proposals' own chain: 2, 2, ..., 0 */
	SA_BAD(SA_HDR "03 00 0010 01 01 00 01 00 00 0008 " T_KEY, IKE_MSG_E_BAD_VALUE,
	       "SA: proposal 1: Next Payload 3, neither 0 nor 2");
	SA_BAD(SA_HDR "02 00 0010 01 01 00 01 00 00 0008 " T_KEY, IKE_MSG_E_BAD_VALUE,
	       "SA: proposal 1 marked more, but the payload ends");
	SA_BAD(SA_HDR "00 00 0010 01 01 00 01 00 00 0008 " T_KEY "00 00 0010 02 01 00 01",
	       IKE_MSG_E_BAD_LEN, "SA: 8 octets after the last proposal");
	SA_BAD(SA_HDR "00 01 0010 01 01 00 01 00 00 0008 " T_KEY, IKE_MSG_E_BAD_VALUE,
	       "SA: proposal 1: RESERVED is 0x01, not 0");
	/* Numbers: equal is a bundle, down is wrong */
	n = ktap_unhex(SA_HDR "02 00 0014 02 02 04 01 01020304 00 00 0008 01 02 0000"
		  "02 00 0014 02 03 04 01 01020304 00 00 0008 01 0c 0000"
		  "00 00 0014 03 03 04 01 01020304 00 00 0008 01 14 0000", body, sizeof(body));
	CHECK(ike_v1_msg_parse_sa(body, n, &sa, &e) == 0 && sa.n_proposals == 3);
	CHECK(sa.prop[1].num == 2 && sa.prop[1].proto == IKEV1_PROTO_ESP);
	SA_BAD(SA_HDR "02 00 0010 02 01 00 01 00 00 0008 " T_KEY
	       "00 00 0010 01 01 00 01 00 00 0008 " T_KEY, IKE_MSG_E_BAD_VALUE,
	       "SA: proposal 2 numbered 1, after 2");
	/* SPI sizes */
	SA_BAD(SA_HDR "00 00 0018 01 03 08 01 0102030405060708 00 00 0008 01 0c 0000",
	       IKE_MSG_E_BAD_VALUE, "SA: proposal 1: SPI size 8 does not suit protocol 3");
	SA_BAD(SA_HDR "00 00 0010 01 02 00 01 00 00 0008 01 02 0000", IKE_MSG_E_BAD_VALUE,
	       "SPI size 0 does not suit protocol 2");
	SA_BAD(SA_HDR "00 00 0010 01 04 03 01 010203 00 00 0008 01 02 0000",
	       IKE_MSG_E_BAD_VALUE, "SPI size 3 does not suit protocol 4");
	SA_BAD(SA_HDR "00 00 0008 01 01 11 01", IKE_MSG_E_BAD_VALUE,
	       "SPI size 17 does not suit protocol 1");
	SA_BAD(SA_HDR "00 00 000a 01 03 04 01 0102", IKE_MSG_E_BAD_LEN,
	       "SA: proposal 1: length 10 too short for its 4-octet SPI");
	/* Transform counts */
	SA_BAD(SA_HDR "00 00 0008 01 01 00 00", IKE_MSG_E_BAD_VALUE,
	       "SA: proposal 1: no transform");
	SA_BAD(SA_HDR "00 00 0008 01 01 00 21", IKE_MSG_E_TOO_MANY,
	       "33 transforms, at most 32");
	SA_BAD(SA_HDR "00 00 0010 01 01 00 02 00 00 0008 " T_KEY, IKE_MSG_E_BAD_VALUE,
	       "transform 1: marked last, but 2 transforms announced");
	SA_BAD(SA_HDR "00 00 0018 01 01 00 01 03 00 0008 " T_KEY "00 00 0008 02 01 0000",
	       IKE_MSG_E_BAD_VALUE, "transform 1: marked more, but only 1 transforms");
	SA_BAD(SA_HDR "00 00 0010 01 01 00 02 03 00 0008 " T_KEY, IKE_MSG_E_TRUNCATED,
	       "SA: proposal 1, transform 2: 0 octets left");
	SA_BAD(SA_HDR "00 00 0010 01 01 00 01 02 00 0008 " T_KEY, IKE_MSG_E_BAD_VALUE,
	       "transform 1: Next Payload 2, neither 0 nor 3");
	/* Lying transform lengths, RESERVED */
	SA_BAD(SA_HDR "00 00 0010 01 01 00 01 00 00 0006 " T_KEY, IKE_MSG_E_BAD_LEN,
	       "SA: proposal 1, transform 1: length 6 shorter than its 8-octet header");
	SA_BAD(SA_HDR "00 00 0010 01 01 00 01 00 00 000c " T_KEY, IKE_MSG_E_OVERRUN,
	       "transform 1: length 12 runs past the proposal (8 octets left)");
	SA_BAD(SA_HDR "00 00 0010 01 01 00 01 00 00 0008 01 01 0100", IKE_MSG_E_BAD_VALUE,
	       "transform 1: RESERVED fields not 0");
	/* Attributes: lengths, and basic ones in TLV form */
	SA_BAD(SA_HDR "00 00 0012 01 01 00 01 00 00 000a " T_KEY "8001", IKE_MSG_E_TRUNCATED,
	       "transform 1: attribute 1 truncated (2 of 4 octets)");
	SA_BAD(SA_HDR "00 00 0016 01 01 00 01 00 00 000e " T_KEY "000c 0004 aabb",
	       IKE_MSG_E_OVERRUN,
	       "transform 1: attribute 1 (type 12): 4-octet value runs past the transform");
	/* One octet past, with octets behind the transform to read by mistake */
	SA_BAD(SA_HDR "00 00 001b 01 01 00 01 00 00 0013 " T_KEY "800b 0001 000c 0004 aabbcc"
	       "dd", IKE_MSG_E_OVERRUN,
	       "transform 1: attribute 2 (type 12): 4-octet value runs past the transform");
	SA_BAD(SA_HDR "00 00 001a 01 01 00 01 00 00 0012 " T_KEY "800e 0080 0001 0002 0007",
	       IKE_MSG_E_BAD_VALUE, "attribute 2 (type 1) is basic, but in TLV form");
	/* Type 2 is Phase 1's hash (basic), Phase 2's life duration (variable). */
	SA_BAD(SA_HDR "00 00 0018 01 01 00 01 00 00 0010 " T_KEY "0002 0004 00000002",
	       IKE_MSG_E_BAD_VALUE, "attribute 1 (type 2) is basic");
	n = ktap_unhex(SA_HDR "00 00 001c 01 03 04 01 01020304 00 00 0010 01 0c 0000 0002 0004 "
		  "00000e10", body, sizeof(body));
	CHECK(ike_v1_msg_parse_sa(body, n, &sa, &e) == 0 && sa.prop[0].tr[0].n_attrs == 1);
	/* Unknown attribute types, either form, are the caller's to judge. */
	n = ktap_unhex(SA_HDR "00 00 001c 01 01 00 01 00 00 0014 " T_KEY "8063 0001 0063 0004 "
		  "aabbccdd", body, sizeof(body));
	CHECK(ike_v1_msg_parse_sa(body, n, &sa, &e) == 0 && sa.prop[0].tr[0].n_attrs == 2);

	/* Thirty-two attributes are taken, thirty-three are not. */
	strcpy(hex, SA_HDR "00 00 0094 01 01 00 01 00 00 008c " T_KEY);
	for (i = 0; i < 33; i++)
		strcat(hex, "8063 0001 ");
	n = ktap_unhex(hex, body, sizeof(body));
	FAILS(ike_v1_msg_parse_sa(body, n, &sa, &e), e, IKE_MSG_E_TOO_MANY,
	      "transform 1: more than 32 attributes");
	body[8 + 3] -= 4;
	body[8 + 8 + 3] -= 4;
	CHECK(ike_v1_msg_parse_sa(body, n - 4, &sa, &e) == 0 && sa.prop[0].tr[0].n_attrs == 32);

	/* Sixteen proposals are taken, seventeen are not. */
	strcpy(hex, SA_HDR);
	for (i = 1; i <= 17; i++)
		sprintf(hex + strlen(hex), "%s 00 0010 %02x 01 00 01 00 00 0008 " T_KEY " ",
			i < 16 ? "02" : "00", i);
	n = ktap_unhex(hex, body, sizeof(body));
	CHECK(ike_v1_msg_parse_sa(body, 8 + 16 * 16, &sa, &e) == 0 && sa.n_proposals == 16);
	body[8 + 15 * 16] = IKEV1_MORE_PROPOSALS;
	FAILS(ike_v1_msg_parse_sa(body, n, &sa, &e), e, IKE_MSG_E_TOO_MANY,
	      "SA: more than 16 proposals");
}

/* The builder refuses SAs it cannot write or the parser would refuse. */
static void test_sa_builder_refusals(void)
{
	static struct ike_v1_sa sa;
	struct ike_v1_builder b;
	uint8_t buf[2048];
	size_t len;

	sa_p2(&sa);
	sa.prop[1].num = 0;
	ike_v1_msg_chain_init(&b, buf, sizeof(buf));
	FAILS(ike_v1_msg_add_sa(&b, &sa), b.err, IKE_MSG_E_INVAL,
	      "SA: proposal 2 numbered 0, after 1");
	CHECK(b.len == 0 && b.first == 0 && ike_v1_msg_build_end(&b, &len) == IKE_MSG_E_INVAL);
	sa_p2(&sa);
	sa.doi = IKEV1_DOI_ISAKMP;
	ike_v1_msg_chain_init(&b, buf, sizeof(buf));
	FAILS(ike_v1_msg_add_sa(&b, &sa), b.err, IKE_MSG_E_INVAL, "SA: DOI 0");
	sa_p2(&sa);
	sa.prop[0].spi_size = 8;
	sa.prop[0].spi = cookies;
	ike_v1_msg_chain_init(&b, buf, sizeof(buf));
	FAILS(ike_v1_msg_add_sa(&b, &sa), b.err, IKE_MSG_E_INVAL,
	      "SPI size 8 does not suit protocol 2");
	sa.prop[0].spi_size = 17;
	ike_v1_msg_chain_init(&b, buf, sizeof(buf));
	FAILS(ike_v1_msg_add_sa(&b, &sa), b.err, IKE_MSG_E_INVAL, "SA: proposal 1: SPI size 17");
	sa.prop[0].spi_size = 4;
	sa.prop[0].spi = NULL;
	ike_v1_msg_chain_init(&b, buf, sizeof(buf));
	FAILS(ike_v1_msg_add_sa(&b, &sa), b.err, IKE_MSG_E_INVAL, "SA: proposal 1: SPI size 4");
	sa_p2(&sa);
	sa.n_proposals = 0;
	ike_v1_msg_chain_init(&b, buf, sizeof(buf));
	FAILS(ike_v1_msg_add_sa(&b, &sa), b.err, IKE_MSG_E_INVAL, "SA: no proposal");
	sa.n_proposals = IKE_V1_MSG_MAX_PROPOSALS + 1;
	ike_v1_msg_chain_init(&b, buf, sizeof(buf));
	FAILS(ike_v1_msg_add_sa(&b, &sa), b.err, IKE_MSG_E_INVAL, "SA: 17 proposals, at most 16");
	sa_p2(&sa);
	sa.prop[2].n_transforms = 0;
	ike_v1_msg_chain_init(&b, buf, sizeof(buf));
	FAILS(ike_v1_msg_add_sa(&b, &sa), b.err, IKE_MSG_E_INVAL, "proposal 3: no transform");
	sa.prop[2].n_transforms = IKE_V1_MSG_MAX_TRANSFORMS + 1;
	ike_v1_msg_chain_init(&b, buf, sizeof(buf));
	FAILS(ike_v1_msg_add_sa(&b, &sa), b.err, IKE_MSG_E_INVAL,
	      "proposal 3: 33 transforms, at most 32");
	sa_p2(&sa);
	sa.prop[2].tr[1].n_attrs = IKE_V1_MSG_MAX_ATTRS + 1;
	ike_v1_msg_chain_init(&b, buf, sizeof(buf));
	FAILS(ike_v1_msg_add_sa(&b, &sa), b.err, IKE_MSG_E_INVAL,
	      "proposal 3, transform 2: 33 attributes, at most 32");
}

static void test_opaque(void)
{
	static const struct {
		uint8_t type;
		const char *name;
		int (*add)(struct ike_v1_builder *b, const uint8_t *p, size_t len);
		int (*parse)(const uint8_t *body, size_t len, struct ike_blob *blob,
			     struct ike_msg_err *err);
	} kinds[] = {
		{ IKEV1_PL_KE, "KE", ike_v1_msg_add_ke, ike_v1_msg_parse_ke },
		{ IKEV1_PL_HASH, "HASH", ike_v1_msg_add_hash, ike_v1_msg_parse_hash },
		{ IKEV1_PL_SIG, "SIG", ike_v1_msg_add_sig, ike_v1_msg_parse_sig },
		{ IKEV1_PL_VID, "Vendor ID", ike_v1_msg_add_vendor, ike_v1_msg_parse_vendor },
	};
	struct ike_v1_builder b;
	struct ike_v1_chain c;
	struct ike_msg_err e;
	struct ike_blob blob;
	uint8_t buf[512];
	char want[32];
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		ike_v1_msg_chain_init(&b, buf, sizeof(buf));
		CHECK(kinds[i].add(&b, pattern(100, (uint8_t)i), 100) == 0);
		if (chain_one(&b, kinds[i].type, &c) &&
		    CHECK(kinds[i].parse(c.pl[0].body, c.pl[0].len, &blob, &e) == 0))
			CHECK(blob_is(blob.data, blob.len, pattern(100, (uint8_t)i), 100));
		snprintf(want, sizeof(want), "%s: empty", kinds[i].name);
		FAILS(kinds[i].parse(buf, 0, &blob, &e), e, IKE_MSG_E_BAD_LEN, want);
		ike_v1_msg_chain_init(&b, buf, sizeof(buf));
		FAILS(kinds[i].add(&b, buf, 0), b.err, IKE_MSG_E_INVAL, want);
		CHECK(b.len == 0 && b.n == 0);
	}
	/* HASH and SIG as room to fill in later: zeroed */
	memset(buf, 0xff, sizeof(buf));
	ike_v1_msg_chain_init(&b, buf, sizeof(buf));
	CHECK(ike_v1_msg_add_hash(&b, NULL, 20) == 0 && buf[4] == 0 && buf[23] == 0);

	/* NAT-D under either number */
	ike_v1_msg_chain_init(&b, buf, sizeof(buf));
	CHECK(ike_v1_msg_add_nat_d(&b, IKEV1_PL_NAT_D_DRAFT, pattern(20, 9), 20) == 0);
	if (chain_one(&b, IKEV1_PL_NAT_D_DRAFT, &c))
		CHECK(ike_v1_msg_parse_nat_d(c.pl[0].body, c.pl[0].len, &blob, &e) == 0 &&
		      blob.len == 20);
	FAILS(ike_v1_msg_parse_nat_d(buf, 0, &blob, &e), e, IKE_MSG_E_BAD_LEN, "NAT-D: empty");
	ike_v1_msg_chain_init(&b, buf, sizeof(buf));
	FAILS(ike_v1_msg_add_nat_d(&b, IKEV1_PL_NAT_OA, pattern(20, 9), 20), b.err,
	      IKE_MSG_E_INVAL, "NAT-D: payload type 21");

	/* Nonces: 8 to 256 octets (RFC 2409 §5) */
	ike_v1_msg_chain_init(&b, buf, sizeof(buf));
	CHECK(ike_v1_msg_add_nonce(&b, pattern(256, 2), 256) == 0);
	if (chain_one(&b, IKEV1_PL_NONCE, &c) &&
	    CHECK(ike_v1_msg_parse_nonce(c.pl[0].body, c.pl[0].len, &blob, &e) == 0))
		CHECK(blob_is(blob.data, blob.len, pattern(256, 2), 256));
	CHECK(ike_v1_msg_parse_nonce(buf, 8, &blob, &e) == 0 && blob.len == 8);
	FAILS(ike_v1_msg_parse_nonce(buf, 7, &blob, &e), e, IKE_MSG_E_BAD_LEN,
	      "Nonce: 7 octets, RFC 2409 allows 8 to 256");
	FAILS(ike_v1_msg_parse_nonce(buf, 257, &blob, &e), e, IKE_MSG_E_BAD_LEN,
	      "Nonce: 257 octets");
	ike_v1_msg_chain_init(&b, buf, sizeof(buf));
	FAILS(ike_v1_msg_add_nonce(&b, buf, 4), b.err, IKE_MSG_E_INVAL, "Nonce: 4 octets");
}

static void id_bad(const char *hex, int code, const char *want, int line)
{
	struct ike_msg_err e;
	struct ike_v1_id id;
	uint8_t body[64];
	size_t n = ktap_unhex(hex, body, sizeof(body));

	fails(ike_v1_msg_parse_id(body, n, &id, &e), &e, code, want, line);
}

#define ID_BAD(hex, code, want) id_bad(hex, code, want, __LINE__)

static void test_id(void)
{
	static const struct {
		uint8_t type;
		size_t len;
	} ids[] = {
		{ IKEV1_ID_IPV4_ADDR, 4 },		{ IKEV1_ID_FQDN, 11 },
		{ IKEV1_ID_USER_FQDN, 17 },		{ IKEV1_ID_IPV4_ADDR_SUBNET, 8 },
		{ IKEV1_ID_IPV6_ADDR, 16 },		{ IKEV1_ID_IPV6_ADDR_SUBNET, 32 },
		{ IKEV1_ID_IPV4_ADDR_RANGE, 8 },	{ IKEV1_ID_IPV6_ADDR_RANGE, 32 },
		{ IKEV1_ID_DER_ASN1_DN, 70 },		{ IKEV1_ID_DER_ASN1_GN, 30 },
		{ IKEV1_ID_KEY_ID, 1 },			{ 200, 3 },
	};
	struct ike_v1_id id, got;
	struct ike_v1_builder b;
	struct ike_v1_chain c;
	struct ike_msg_err e;
	uint8_t buf[256];
	size_t i;

	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		id = (struct ike_v1_id){ ids[i].type, 17, 1701, pattern(ids[i].len, 0x30),
					 ids[i].len };
		ike_v1_msg_chain_init(&b, buf, sizeof(buf));
		CHECK(ike_v1_msg_add_id(&b, &id) == 0);
		if (chain_one(&b, IKEV1_PL_ID, &c) &&
		    CHECK(ike_v1_msg_parse_id(c.pl[0].body, c.pl[0].len, &got, &e) == 0))
			CHECK(got.type == ids[i].type && got.proto == 17 && got.port == 1701 &&
			      blob_is(got.data, got.len, id.data, id.len));
		/* An address one octet short or long: the builder refuses it too. */
		if (ids[i].type == IKEV1_ID_FQDN || ids[i].type == IKEV1_ID_USER_FQDN ||
		    ids[i].type >= IKEV1_ID_DER_ASN1_DN)
			continue;
		id.len = ids[i].len + (i & 1 ? 1 : -1);
		ike_v1_msg_chain_init(&b, buf, sizeof(buf));
		CHECK(ike_v1_msg_add_id(&b, &id) == IKE_MSG_E_INVAL && b.len == 0);
	}
	ID_BAD("01 00 0000 c0000201 02", IKE_MSG_E_BAD_LEN,
	       "ID: 5 octets of data, type 1 needs 4");
	ID_BAD("04 00 0000 0a000000", IKE_MSG_E_BAD_LEN, "ID: 4 octets of data, type 4 needs 8");
	ID_BAD("05 00 0000 c0000201", IKE_MSG_E_BAD_LEN, "type 5 needs 16");
	ID_BAD("06 00 0000 c0000201", IKE_MSG_E_BAD_LEN, "type 6 needs 32");
	ID_BAD("07 00 0000 c0000201", IKE_MSG_E_BAD_LEN, "type 7 needs 8");
	ID_BAD("08 00 0000", IKE_MSG_E_BAD_LEN, "ID: 0 octets of data, type 8 needs 32");
	ID_BAD("02 00 0000", IKE_MSG_E_BAD_LEN, "ID: no identification data");
	ID_BAD("02 00 00", IKE_MSG_E_TRUNCATED, "ID: 3 octets, less than its 4-octet header");
}

static void test_cert_cr(void)
{
	struct ike_v1_cert cert = { IKEV1_CERT_X509_SIG, pattern(300, 5), 300 }, got;
	struct ike_v1_builder b;
	struct ike_v1_chain c;
	struct ike_msg_err e;
	uint8_t buf[512];

	ike_v1_msg_chain_init(&b, buf, sizeof(buf));
	CHECK(ike_v1_msg_add_cert(&b, &cert) == 0);
	if (chain_one(&b, IKEV1_PL_CERT, &c) &&
	    CHECK(ike_v1_msg_parse_cert(c.pl[0].body, c.pl[0].len, &got, &e) == 0))
		CHECK(got.encoding == IKEV1_CERT_X509_SIG &&
		      blob_is(got.data, got.len, cert.data, 300));
	FAILS(ike_v1_msg_parse_cert(buf, 0, &got, &e), e, IKE_MSG_E_TRUNCATED, "CERT: 0 octets");
	FAILS(ike_v1_msg_parse_cert(buf + 4, 1, &got, &e), e, IKE_MSG_E_BAD_LEN,
	      "CERT: no certificate data");
	cert.len = 0;
	ike_v1_msg_chain_init(&b, buf, sizeof(buf));
	FAILS(ike_v1_msg_add_cert(&b, &cert), b.err, IKE_MSG_E_INVAL, "CERT: no certificate");

	/* A CR for any authority is empty; one for a named one carries its DN. */
	ike_v1_msg_chain_init(&b, buf, sizeof(buf));
	CHECK(ike_v1_msg_add_cr(&b, &cert) == 0);
	if (chain_one(&b, IKEV1_PL_CR, &c) &&
	    CHECK(ike_v1_msg_parse_cr(c.pl[0].body, c.pl[0].len, &got, &e) == 0))
		CHECK(got.encoding == IKEV1_CERT_X509_SIG && got.len == 0);
	cert.len = 40;
	ike_v1_msg_chain_init(&b, buf, sizeof(buf));
	CHECK(ike_v1_msg_add_cr(&b, &cert) == 0);
	if (chain_one(&b, IKEV1_PL_CR, &c) &&
	    CHECK(ike_v1_msg_parse_cr(c.pl[0].body, c.pl[0].len, &got, &e) == 0))
		CHECK(blob_is(got.data, got.len, cert.data, 40));
	FAILS(ike_v1_msg_parse_cr(buf, 0, &got, &e), e, IKE_MSG_E_TRUNCATED, "CR: 0 octets");
}

static void notify_bad(const char *hex, int code, const char *want, int line)
{
	struct ike_v1_notify n;
	struct ike_msg_err e;
	uint8_t body[64];
	size_t len = ktap_unhex(hex, body, sizeof(body));

	fails(ike_v1_msg_parse_notify(body, len, &n, &e), &e, code, want, line);
}

#define NOTIFY_BAD(hex, code, want) notify_bad(hex, code, want, __LINE__)

static void test_notify(void)
{
	struct ike_v1_notify n = { IKEV1_DOI_IPSEC, IKEV1_PROTO_ISAKMP, 16,
				   IKEV1_N_R_U_THERE_ACK, cookies,
				   (const uint8_t *)"\x00\x00\x12\x34", 4 }, got;
	struct ike_v1_builder b;
	struct ike_v1_chain c;
	struct ike_msg_err e;
	uint8_t buf[256];

	/* DPD's ACK: the cookies as SPI, the sequence number as data */
	ike_v1_msg_chain_init(&b, buf, sizeof(buf));
	CHECK(ike_v1_msg_add_notify(&b, &n) == 0);
	if (chain_one(&b, IKEV1_PL_N, &c) &&
	    CHECK(ike_v1_msg_parse_notify(c.pl[0].body, c.pl[0].len, &got, &e) == 0)) {
		CHECK(got.doi == IKEV1_DOI_IPSEC && got.proto == IKEV1_PROTO_ISAKMP);
		CHECK(got.spi_size == 16 && !memcmp(got.spi, cookies, 16));
		CHECK(got.type == IKEV1_N_R_U_THERE_ACK && blob_is(got.data, got.len, n.data, 4));
	}
	/* An ESP SA's RESPONDER-LIFETIME, and an error with no SPI at all */
	n = (struct ike_v1_notify){ IKEV1_DOI_IPSEC, IKEV1_PROTO_ESP, 4,
				    IKEV1_N_RESPONDER_LIFETIME, spi_esp, pattern(8, 3), 8 };
	ike_v1_msg_chain_init(&b, buf, sizeof(buf));
	CHECK(ike_v1_msg_add_notify(&b, &n) == 0);
	if (chain_one(&b, IKEV1_PL_N, &c) &&
	    CHECK(ike_v1_msg_parse_notify(c.pl[0].body, c.pl[0].len, &got, &e) == 0))
		CHECK(got.spi_size == 4 && !memcmp(got.spi, spi_esp, 4) && got.len == 8);
	n = (struct ike_v1_notify){ IKEV1_DOI_ISAKMP, IKEV1_PROTO_ESP, 0,
				    IKEV1_N_INVALID_SPI, NULL, NULL, 0 };
	ike_v1_msg_chain_init(&b, buf, sizeof(buf));
	CHECK(ike_v1_msg_add_notify(&b, &n) == 0);
	if (chain_one(&b, IKEV1_PL_N, &c) &&
	    CHECK(ike_v1_msg_parse_notify(c.pl[0].body, c.pl[0].len, &got, &e) == 0))
		CHECK(got.spi_size == 0 && got.len == 0 && got.doi == IKEV1_DOI_ISAKMP);

	NOTIFY_BAD("00000001 01 00 60", IKE_MSG_E_TRUNCATED, "Notification: 7 octets");
	NOTIFY_BAD("00000002 01 00 6002", IKE_MSG_E_BAD_VALUE,
		   "Notification INITIAL-CONTACT (24578): DOI 2");
	NOTIFY_BAD("00000001 03 08 6000 0102030405060708", IKE_MSG_E_BAD_VALUE,
		   "Notification RESPONDER-LIFETIME (24576): SPI size 8 does not suit protocol 3");
	NOTIFY_BAD("00000001 01 11 8d28", IKE_MSG_E_BAD_VALUE,
		   "Notification R-U-THERE (36136): SPI size 17 does not suit protocol 1");
	NOTIFY_BAD("00000001 01 10 8d28 0102030405060708", IKE_MSG_E_OVERRUN,
		   "R-U-THERE (36136): 16-octet SPI runs past the payload (8 left)");
	NOTIFY_BAD("00000001 04 03 7000 010203", IKE_MSG_E_BAD_VALUE,
		   "Notification unknown (28672): SPI size 3 does not suit protocol 4");
	n.spi_size = 17;
	ike_v1_msg_chain_init(&b, buf, sizeof(buf));
	FAILS(ike_v1_msg_add_notify(&b, &n), b.err, IKE_MSG_E_INVAL, "Notification: SPI size 17");
	n.spi_size = 8;
	n.spi = cookies;
	ike_v1_msg_chain_init(&b, buf, sizeof(buf));
	FAILS(ike_v1_msg_add_notify(&b, &n), b.err, IKE_MSG_E_INVAL,
	      "SPI size 8 does not suit protocol 3");
}

static void delete_bad(const char *hex, int code, const char *want, int line)
{
	struct ike_v1_delete d;
	struct ike_msg_err e;
	uint8_t body[64];
	size_t len = ktap_unhex(hex, body, sizeof(body));

	fails(ike_v1_msg_parse_delete(body, len, &d, &e), &e, code, want, line);
}

#define DELETE_BAD(hex, code, want) delete_bad(hex, code, want, __LINE__)

static void test_delete(void)
{
	static const uint8_t spis[12] = { 0, 0, 0x10, 0, 0, 0, 0x10, 1, 0, 0, 0x10, 2 };
	struct ike_v1_delete del = { IKEV1_DOI_IPSEC, IKEV1_PROTO_ESP, 4, 3, spis }, got;
	struct ike_v1_builder b;
	struct ike_v1_chain c;
	struct ike_msg_err e;
	uint8_t buf[256];

	ike_v1_msg_chain_init(&b, buf, sizeof(buf));
	CHECK(ike_v1_msg_add_delete(&b, &del) == 0);
	if (chain_one(&b, IKEV1_PL_D, &c) &&
	    CHECK(ike_v1_msg_parse_delete(c.pl[0].body, c.pl[0].len, &got, &e) == 0)) {
		CHECK(got.doi == 1 && got.proto == IKEV1_PROTO_ESP && got.n_spis == 3);
		CHECK(ike_v1_delete_spi(&got, 2) == got.spis + 8 &&
		      ike_v1_delete_spi(&got, 2)[3] == 2);
		CHECK(ike_v1_delete_spi(&got, 3) == NULL);
	}
	/* The ISAKMP SA, by its cookies */
	del = (struct ike_v1_delete){ IKEV1_DOI_IPSEC, IKEV1_PROTO_ISAKMP, 16, 1, cookies };
	ike_v1_msg_chain_init(&b, buf, sizeof(buf));
	CHECK(ike_v1_msg_add_delete(&b, &del) == 0);
	if (chain_one(&b, IKEV1_PL_D, &c) &&
	    CHECK(ike_v1_msg_parse_delete(c.pl[0].body, c.pl[0].len, &got, &e) == 0))
		CHECK(got.spi_size == 16 && !memcmp(ike_v1_delete_spi(&got, 0), cookies, 16));

	DELETE_BAD("00000001 03 04 00", IKE_MSG_E_TRUNCATED, "Delete: 7 octets");
	DELETE_BAD("00000007 03 04 0001 01020304", IKE_MSG_E_BAD_VALUE, "Delete: DOI 7");
	DELETE_BAD("00000001 00 04 0001 01020304", IKE_MSG_E_BAD_VALUE, "Delete: protocol 0");
	DELETE_BAD("00000001 05 04 0001 01020304", IKE_MSG_E_BAD_VALUE, "Delete: protocol 5");
	DELETE_BAD("00000001 01 08 0001 0102030405060708", IKE_MSG_E_BAD_VALUE,
		   "Delete: SPI size 8 does not suit protocol 1");
	DELETE_BAD("00000001 03 02 0001 0102", IKE_MSG_E_BAD_VALUE,
		   "Delete: SPI size 2 does not suit protocol 3");
	DELETE_BAD("00000001 04 00 0001", IKE_MSG_E_BAD_VALUE,
		   "Delete: SPI size 0 does not suit protocol 4");
	DELETE_BAD("00000001 03 04 0000", IKE_MSG_E_BAD_VALUE, "Delete: no SPI");
	DELETE_BAD("00000001 03 04 0002 01020304", IKE_MSG_E_BAD_LEN,
		   "Delete: 4 octets of SPIs, 2 SPIs of 4 need 8");
	DELETE_BAD("00000001 03 04 0001 0102030405", IKE_MSG_E_BAD_LEN,
		   "Delete: 5 octets of SPIs, 1 SPIs of 4 need 4");
	del.n_spis = 0;
	ike_v1_msg_chain_init(&b, buf, sizeof(buf));
	FAILS(ike_v1_msg_add_delete(&b, &del), b.err, IKE_MSG_E_INVAL, "Delete: no SPI");
}

static void test_nat_oa(void)
{
	struct ike_v1_nat_oa oa = { IKEV1_ID_IPV6_ADDR, pattern(16, 0x40), 16 }, got;
	struct ike_v1_builder b;
	struct ike_v1_chain c;
	struct ike_msg_err e;
	uint8_t buf[64];

	ike_v1_msg_chain_init(&b, buf, sizeof(buf));
	CHECK(ike_v1_msg_add_nat_oa(&b, IKEV1_PL_NAT_OA, &oa) == 0);
	if (chain_one(&b, IKEV1_PL_NAT_OA, &c) &&
	    CHECK(ike_v1_msg_parse_nat_oa(c.pl[0].body, c.pl[0].len, &got, &e) == 0))
		CHECK(got.id_type == IKEV1_ID_IPV6_ADDR && blob_is(got.addr, got.len, oa.addr, 16));
	oa = (struct ike_v1_nat_oa){ IKEV1_ID_IPV4_ADDR, (const uint8_t *)"\xc0\xa8\0\1", 4 };
	ike_v1_msg_chain_init(&b, buf, sizeof(buf));
	CHECK(ike_v1_msg_add_nat_oa(&b, IKEV1_PL_NAT_OA_DRAFT, &oa) == 0);
	if (chain_one(&b, IKEV1_PL_NAT_OA_DRAFT, &c) &&
	    CHECK(ike_v1_msg_parse_nat_oa(c.pl[0].body, c.pl[0].len, &got, &e) == 0))
		CHECK(got.len == 4 && got.addr[0] == 0xc0 && c.pl[0].len == 8);

	FAILS(ike_v1_msg_parse_nat_oa(buf, 3, &got, &e), e, IKE_MSG_E_TRUNCATED,
	      "NAT-OA: 3 octets");
	memcpy(buf, "\x02\x00\x00\x00" "abcd", 8);
	FAILS(ike_v1_msg_parse_nat_oa(buf, 8, &got, &e), e, IKE_MSG_E_BAD_VALUE,
	      "NAT-OA: ID type 2, neither IPV4_ADDR (1) nor IPV6_ADDR (5)");
	memcpy(buf, "\x01\x00\x01\x00" "abcd", 8);
	FAILS(ike_v1_msg_parse_nat_oa(buf, 8, &got, &e), e, IKE_MSG_E_BAD_VALUE,
	      "NAT-OA: RESERVED not 0");
	memcpy(buf, "\x05\x00\x00\x00" "abcd", 8);
	FAILS(ike_v1_msg_parse_nat_oa(buf, 8, &got, &e), e, IKE_MSG_E_BAD_LEN,
	      "NAT-OA: address of 4 octets, type 5 needs 16");
	oa.len = 5;
	ike_v1_msg_chain_init(&b, buf, sizeof(buf));
	FAILS(ike_v1_msg_add_nat_oa(&b, IKEV1_PL_NAT_OA, &oa), b.err, IKE_MSG_E_INVAL,
	      "NAT-OA: address of 5 octets");
	ike_v1_msg_chain_init(&b, buf, sizeof(buf));
	FAILS(ike_v1_msg_add_nat_oa(&b, IKEV1_PL_NAT_D, &oa), b.err, IKE_MSG_E_INVAL,
	      "NAT-OA: payload type 20");
}

/*
 * Quick Mode HASH(1) = prf(SKEYID_a, M-ID | all after HASH): the builder's
 * span and the parser's agree on what that is, padding left out; and the
 * encrypted part is everything after the header, padding in.
 */
static void test_spans(void)
{
	static struct ike_v1_sa sa;
	size_t off, len, boff, blen, eoff, elen, total;
	struct ike_v1_builder b;
	struct ike_v1_chain c;
	struct ike_blob after;
	struct ike_msg_err e;
	struct ike_v1_msg m;
	uint8_t buf[2048], *pad;

	build_quick_1(&b, buf, sizeof(buf));
	if (!CHECK(b.err.code == 0 && b.n == 8))
		return;
	CHECK(ike_v1_msg_span_after(&b, 0, &off, &len) == 0);
	CHECK(off == 28 + 4 + 32 && off + len == b.len);
	/* The HASH's own body, to write the result into */
	CHECK(ike_v1_msg_span_body(&b, 0, &boff, &blen) == 0 && boff == 32 && blen == 32);
	memset(buf + boff, 0x5a, blen);
	/* The SA's body (SAi_b in Phase 1's HASH_I) */
	CHECK(ike_v1_msg_span_body(&b, 1, &boff, &blen) == 0 && boff == off + 4);
	CHECK(ike_v1_msg_parse_sa(buf + boff, blen, &sa, &e) == 0 && sa.n_proposals == 5);
	CHECK(ike_v1_msg_span_after(&b, 7, &boff, &blen) == 0 && blen == 0);
	CHECK(ike_v1_msg_span_body(&b, 8, &boff, &blen) == IKE_MSG_E_INVAL);
	CHECK(ike_v1_msg_span_after(&b, 8, &boff, &blen) == IKE_MSG_E_INVAL);

	CHECK(ike_v1_msg_add_pad(&b, 12, &pad) == 0 && pad == buf + off + len);
	CHECK(ike_v1_msg_span_after(&b, 0, &boff, &blen) == 0 && boff == off && blen == len);
	CHECK(ike_v1_msg_span_encrypted(&b, &eoff, &elen) == 0);
	CHECK(eoff == 28 && elen == len + 32 + 4 + 12);
	FAILS(ike_v1_msg_add_vendor(&b, vid_dpd, 16), b.err, IKE_MSG_E_INVAL,
	      "payload 9 (Vendor ID) after the padding, which is last");
	CHECK(ike_v1_msg_build_end(&b, &total) == IKE_MSG_E_INVAL);

	/* The receiver's view of the same octets */
	build_quick_1(&b, buf, sizeof(buf));
	ike_v1_msg_add_pad(&b, 12, &pad);
	CHECK(ike_v1_msg_build_end(&b, &total) == 0 && total == b.len);
	if (!CHECK(ike_v1_msg_parse(buf, total, &m, &e) == 0))
		return;
	CHECK(m.body == buf + eoff && m.body_len == elen && m.hdr.msg_id == 0x5eed0001);
	if (!CHECK(ike_v1_msg_parse_chain(m.hdr.next, m.body, m.body_len, true, &c, &e) == 0))
		return;
	CHECK(c.n == 8 && c.pad == 12 && c.pl[0].type == IKEV1_PL_HASH);
	ike_v1_chain_after(&c, 0, &after);
	CHECK(after.data == buf + off && after.len == len);

	ike_v1_msg_chain_init(&b, buf, sizeof(buf));
	CHECK(ike_v1_msg_span_encrypted(&b, &eoff, &elen) == IKE_MSG_E_INVAL);
}

static void test_builder_refusals(void)
{
	static uint8_t buf[512], want[512];
	static const uint8_t data[32];
	struct ike_v1_builder b;
	struct ike_msg_err e;
	struct ike_v1_hdr h;
	struct ike_v1_msg m;
	size_t n, cap, len = 0, bad = 0;
	uint8_t *pad;

	hdr_init(&h, IKEV1_EXCH_IDENTITY_PROT, 0, 0, true);
	FAILS(ike_v1_msg_build_init(&b, buf, 27, &h), b.err, IKE_MSG_E_NOSPACE,
	      "header: 27 octets of room, it needs 28");
	CHECK(ike_v1_msg_add_vendor(&b, data, 4) == IKE_MSG_E_NOSPACE);

	/* Every room short of a whole message: refused, nothing past it written. */
	n = msg_mm1(want, sizeof(want));
	builder_quiet = true;
	for (cap = 0; cap < n; cap++) {
		memset(buf, 0xee, sizeof(buf));
		bad += msg_mm1(buf, cap) != 0 || buf[cap] != 0xee;
	}
	builder_quiet = false;
	CHECK(n == 180 && bad == 0 && msg_mm1(buf, n) == n && !memcmp(buf, want, n));

	/* Refusing, not overflowing; and once refused, always refused. */
	ike_v1_msg_build_init(&b, buf, 28 + 30, &h);
	CHECK(ike_v1_msg_add_vendor(&b, data, 4) == 0);
	FAILS(ike_v1_msg_add_nonce(&b, data, 32), b.err, IKE_MSG_E_NOSPACE,
	      "payload 2 (Nonce): 36 octets needed, 22 left");
	CHECK(b.len == 36 && buf[28] == IKEV1_PL_NONE);
	CHECK(ike_v1_msg_add_vendor(&b, data, 4) == IKE_MSG_E_NOSPACE && b.len == 36);
	CHECK(ike_v1_msg_build_end(&b, &len) == IKE_MSG_E_NOSPACE);
	ike_v1_msg_build_init(&b, buf, 28 + 8, &h);
	CHECK(ike_v1_msg_add_vendor(&b, data, 4) == 0);
	FAILS(ike_v1_msg_add_pad(&b, 1, &pad), b.err, IKE_MSG_E_NOSPACE,
	      "padding: 1 octets needed, 0 left");

	/* A refused payload is taken back out: the message before it stands. */
	ike_v1_msg_build_init(&b, buf, sizeof(buf), &h);
	CHECK(ike_v1_msg_add_vendor(&b, data, 4) == 0);
	CHECK(ike_v1_msg_add_id(&b, &(struct ike_v1_id){ 1, 0, 0, data, 5 }) ==
	      IKE_MSG_E_INVAL);
	CHECK(b.len == 36 && b.n == 1 && buf[28] == IKEV1_PL_NONE && b.first == IKEV1_PL_VID);
	put32(buf + 24, 36);
	CHECK(ike_v1_msg_parse(buf, 36, &m, &e) == 0 && m.chain.n == 1);
	/* The first payload too: the header's Next Payload goes back to NONE. */
	ike_v1_msg_build_init(&b, buf, sizeof(buf), &h);
	CHECK(ike_v1_msg_add_nonce(&b, data, 3) == IKE_MSG_E_INVAL);
	CHECK(b.len == 28 && b.n == 0 && buf[16] == IKEV1_PL_NONE && b.first == 0);

	ike_v1_msg_build_init(&b, buf, sizeof(buf), &h);
	FAILS(ike_v1_msg_add_raw(&b, IKEV1_PL_PROPOSAL, data, 4), b.err, IKE_MSG_E_INVAL,
	      "raw payload of type 2 (Proposal)");
	ike_v1_msg_build_init(&b, buf, sizeof(buf), &h);
	FAILS(ike_v1_msg_add_raw(&b, IKEV1_PL_TRANSFORM, data, 4), b.err, IKE_MSG_E_INVAL,
	      "raw payload of type 3 (Transform)");
	ike_v1_msg_build_init(&b, buf, sizeof(buf), &h);
	FAILS(ike_v1_msg_add_raw(&b, IKEV1_PL_NONE, data, 4), b.err, IKE_MSG_E_INVAL,
	      "raw payload of type 0");
	ike_v1_msg_build_init(&b, buf, sizeof(buf), &h);
	FAILS(ike_v1_msg_add_raw(&b, IKEV1_PL_VID, data, IKE_V1_MSG_BODY_MAX + 1), b.err,
	      IKE_MSG_E_INVAL, "payload 1 (Vendor ID): body of 65532 octets, a payload holds");
	ike_v1_msg_build_init(&b, buf, sizeof(buf), &h);
	FAILS(ike_v1_msg_add_cert(&b, &(struct ike_v1_cert){ 4, data, SIZE_MAX }), b.err,
	      IKE_MSG_E_INVAL, "payload 1 (CERT): body of ");
	ike_v1_msg_build_init(&b, buf, sizeof(buf), &h);
	CHECK(ike_v1_msg_add_pad(&b, 0, &pad) == 0);
	FAILS(ike_v1_msg_add_pad(&b, 0, &pad), b.err, IKE_MSG_E_INVAL, "padding added twice");

	/* No more payloads than a parser takes. */
	ike_v1_msg_chain_init(&b, buf, sizeof(buf));
	for (len = 0; len < IKE_V1_MSG_MAX_PAYLOADS; len++)
		ike_v1_msg_add_raw(&b, 99, NULL, 0);
	CHECK(b.n == IKE_V1_MSG_MAX_PAYLOADS && b.err.code == 0);
	FAILS(ike_v1_msg_add_raw(&b, 99, NULL, 0), b.err, IKE_MSG_E_INVAL,
	      "payload 65 (type 99): more than 64 payloads");
}

/* The largest payload a 16-bit length allows, in and out. */
static void test_largest_payload(void)
{
	static uint8_t buf[IKEV1_HDR_LEN + 0x10000], vid[IKE_V1_MSG_BODY_MAX];
	struct ike_v1_builder b;
	struct ike_msg_err e;
	struct ike_blob blob;
	struct ike_v1_msg m;
	struct ike_v1_hdr h;
	size_t len = 0;

	memset(vid, 0x5a, sizeof(vid));
	hdr_init(&h, IKEV1_EXCH_INFORMATIONAL, 0, 9, false);
	ike_v1_msg_build_init(&b, buf, sizeof(buf), &h);
	CHECK(ike_v1_msg_add_vendor(&b, vid, sizeof(vid)) == 0);
	CHECK(ike_v1_msg_build_end(&b, &len) == 0 && len == IKEV1_HDR_LEN + 0xffff);
	if (CHECK(ike_v1_msg_parse(buf, len, &m, &e) == 0)) {
		CHECK(m.chain.n == 1 && m.chain.pl[0].len == IKE_V1_MSG_BODY_MAX);
		CHECK(ike_v1_msg_parse_vendor(m.chain.pl[0].body, m.chain.pl[0].len, &blob,
					      &e) == 0);
		CHECK(blob.data[IKE_V1_MSG_BODY_MAX - 1] == 0x5a);
	}
	ike_v1_msg_build_init(&b, buf, sizeof(buf), &h);
	FAILS(ike_v1_msg_add_id(&b, &(struct ike_v1_id){ 2, 0, 0, vid,
							  IKE_V1_MSG_BODY_MAX - 3 }),
	      b.err, IKE_MSG_E_INVAL, "payload 1 (ID): body of 65532 octets");
	ike_v1_msg_build_init(&b, buf, sizeof(buf), &h);
	FAILS(ike_v1_msg_add_notify(&b, &(struct ike_v1_notify){ .doi = 1, .data = vid,
								  .len = SIZE_MAX - 4 }),
	      b.err, IKE_MSG_E_INVAL, "payload 1 (Notification): body of ");
}

/* Each seed message parses, and each payload in it too. */
static void test_corpus_messages(void)
{
	static uint8_t buf[4096];
	struct ike_msg_err e;
	struct ike_v1_msg m;
	size_t i, len;

	for (i = 0; i < N_MSGS; i++) {
		len = msgs[i].build(buf, sizeof(buf));
		if (!CHECK(len > IKEV1_HDR_LEN))
			continue;
		if (!CHECK(parse_all(buf, len, &m, &e) == 0))
			printf("#   %s: %s\n", msgs[i].name, e.reason);
		else if (!strcmp(msgs[i].name, "every_payload"))
			CHECK(m.chain.n == 17);
	}
}

/* Write each seed message into @dir. */
static int write_corpus(const char *dir)
{
	static uint8_t buf[4096];
	char path[4096];
	size_t i, len;
	FILE *f;

	if (mkdir(dir, 0755) && errno != EEXIST) {
		perror(dir);
		return 1;
	}
	for (i = 0; i < N_MSGS; i++) {
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
	{ "strongswan_main_mode_1", test_strongswan_mm1 },
	{ "attribute_forms", test_attr_forms },
	{ "attribute_iterator", test_attr_iter },
	{ "header", test_hdr },
	{ "v1_v2_dispatch", test_v1_v2_dispatch },
	{ "payload_chain", test_chain },
	{ "too_many_payloads", test_too_many_payloads },
	{ "padding", test_padding },
	{ "truncation", test_truncation },
	{ "sa_roundtrip", test_sa_roundtrip },
	{ "sa_malformed", test_sa_malformed },
	{ "sa_builder_refusals", test_sa_builder_refusals },
	{ "opaque_payloads", test_opaque },
	{ "id", test_id },
	{ "cert_cr", test_cert_cr },
	{ "notify", test_notify },
	{ "delete", test_delete },
	{ "nat_oa", test_nat_oa },
	{ "spans", test_spans },
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

// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the IKEv1 message codec (v1msg.c).
 *
 * Each input is taken three ways: as a datagram (an encrypted one's body
 * read as if already decrypted, padding and all), as a bare payload chain
 * whose first octet picks the first payload type and the mode, and as a
 * script that fills payload structs for the builders. RESERVED fields must
 * be zero, so whatever parses rebuilds to the same octets, payload by
 * payload and message by message; what is built must parse; every refusal
 * must say why. Any inconsistency calls abort(), which libFuzzer reports
 * with the input that caused it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "v1msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Room for any message: a 16-bit payload length and a header. */
#define V1_FUZZ_OUT_MAX		(0x10000 + IKEV1_HDR_LEN)

#define V1_FUZZ_ASSERT(cond)						\
	do {								\
		if (!(cond))						\
			v1_fuzz_die(__LINE__, #cond);			\
	} while (0)

__attribute__((noreturn))
static void v1_fuzz_die(int line, const char *what)
{
	fprintf(stderr, "fuzz_v1msg.c:%d: inconsistency: %s\n", line, what);
	abort();
}

/* A refusal carries its code and a one-line reason. */
static void v1_fuzz_check_err(int rc, const struct ike_msg_err *err)
{
	V1_FUZZ_ASSERT(rc <= 0 && rc >= IKE_MSG_E_INVAL);
	if (!rc)
		return;
	V1_FUZZ_ASSERT(err->code == rc);
	V1_FUZZ_ASSERT(memchr(err->reason, 0, sizeof(err->reason)) != NULL);
	V1_FUZZ_ASSERT(err->reason[0] != 0 && !strchr(err->reason, '\n'));
	V1_FUZZ_ASSERT(strcmp(ike_msg_strerror(rc), "unknown"));
}

static bool v1_fuzz_blob_eq(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	return alen == blen && (!alen || !memcmp(a, b, alen));
}

/* Every body parser, by kind */

enum v1_fuzz_kind {
	V1_FUZZ_SA,
	V1_FUZZ_KE,
	V1_FUZZ_NONCE,
	V1_FUZZ_HASH,
	V1_FUZZ_SIG,
	V1_FUZZ_VENDOR,
	V1_FUZZ_NAT_D,
	V1_FUZZ_ID,
	V1_FUZZ_CERT,
	V1_FUZZ_CR,
	V1_FUZZ_NOTIFY,
	V1_FUZZ_DELETE,
	V1_FUZZ_NAT_OA,
	V1_FUZZ_KINDS,
};

union v1_fuzz_body {
	struct ike_v1_sa sa;
	struct ike_blob blob;
	struct ike_v1_id id;
	struct ike_v1_cert cert;
	struct ike_v1_notify n;
	struct ike_v1_delete del;
	struct ike_v1_nat_oa oa;
};

static int v1_fuzz_parse(enum v1_fuzz_kind k, const uint8_t *p, size_t len,
			 union v1_fuzz_body *out, struct ike_msg_err *err)
{
	switch (k) {
	case V1_FUZZ_SA:
		return ike_v1_msg_parse_sa(p, len, &out->sa, err);
	case V1_FUZZ_KE:
		return ike_v1_msg_parse_ke(p, len, &out->blob, err);
	case V1_FUZZ_NONCE:
		return ike_v1_msg_parse_nonce(p, len, &out->blob, err);
	case V1_FUZZ_HASH:
		return ike_v1_msg_parse_hash(p, len, &out->blob, err);
	case V1_FUZZ_SIG:
		return ike_v1_msg_parse_sig(p, len, &out->blob, err);
	case V1_FUZZ_VENDOR:
		return ike_v1_msg_parse_vendor(p, len, &out->blob, err);
	case V1_FUZZ_NAT_D:
		return ike_v1_msg_parse_nat_d(p, len, &out->blob, err);
	case V1_FUZZ_ID:
		return ike_v1_msg_parse_id(p, len, &out->id, err);
	case V1_FUZZ_CERT:
		return ike_v1_msg_parse_cert(p, len, &out->cert, err);
	case V1_FUZZ_CR:
		return ike_v1_msg_parse_cr(p, len, &out->cert, err);
	case V1_FUZZ_NOTIFY:
		return ike_v1_msg_parse_notify(p, len, &out->n, err);
	case V1_FUZZ_DELETE:
		return ike_v1_msg_parse_delete(p, len, &out->del, err);
	default:
		return ike_v1_msg_parse_nat_oa(p, len, &out->oa, err);
	}
}

/* The payload type each kind is built as. */
static uint8_t v1_fuzz_type(enum v1_fuzz_kind k)
{
	static const uint8_t types[V1_FUZZ_KINDS] = {
		[V1_FUZZ_SA] = IKEV1_PL_SA,		[V1_FUZZ_KE] = IKEV1_PL_KE,
		[V1_FUZZ_NONCE] = IKEV1_PL_NONCE,	[V1_FUZZ_HASH] = IKEV1_PL_HASH,
		[V1_FUZZ_SIG] = IKEV1_PL_SIG,		[V1_FUZZ_VENDOR] = IKEV1_PL_VID,
		[V1_FUZZ_NAT_D] = IKEV1_PL_NAT_D,	[V1_FUZZ_ID] = IKEV1_PL_ID,
		[V1_FUZZ_CERT] = IKEV1_PL_CERT,		[V1_FUZZ_CR] = IKEV1_PL_CR,
		[V1_FUZZ_NOTIFY] = IKEV1_PL_N,		[V1_FUZZ_DELETE] = IKEV1_PL_D,
		[V1_FUZZ_NAT_OA] = IKEV1_PL_NAT_OA,
	};

	return types[k];
}

/* Append @in to @b as the payload of kind @k. */
static int v1_fuzz_build(enum v1_fuzz_kind k, struct ike_v1_builder *b,
			 const union v1_fuzz_body *in)
{
	switch (k) {
	case V1_FUZZ_SA:
		return ike_v1_msg_add_sa(b, &in->sa);
	case V1_FUZZ_KE:
		return ike_v1_msg_add_ke(b, in->blob.data, in->blob.len);
	case V1_FUZZ_NONCE:
		return ike_v1_msg_add_nonce(b, in->blob.data, in->blob.len);
	case V1_FUZZ_HASH:
		return ike_v1_msg_add_hash(b, in->blob.data, in->blob.len);
	case V1_FUZZ_SIG:
		return ike_v1_msg_add_sig(b, in->blob.data, in->blob.len);
	case V1_FUZZ_VENDOR:
		return ike_v1_msg_add_vendor(b, in->blob.data, in->blob.len);
	case V1_FUZZ_NAT_D:
		return ike_v1_msg_add_nat_d(b, IKEV1_PL_NAT_D, in->blob.data, in->blob.len);
	case V1_FUZZ_ID:
		return ike_v1_msg_add_id(b, &in->id);
	case V1_FUZZ_CERT:
		return ike_v1_msg_add_cert(b, &in->cert);
	case V1_FUZZ_CR:
		return ike_v1_msg_add_cr(b, &in->cert);
	case V1_FUZZ_NOTIFY:
		return ike_v1_msg_add_notify(b, &in->n);
	case V1_FUZZ_DELETE:
		return ike_v1_msg_add_delete(b, &in->del);
	default:
		return ike_v1_msg_add_nat_oa(b, IKEV1_PL_NAT_OA, &in->oa);
	}
}

/* Build one payload of kind @k from @in into exactly its room; parse it back. */
static const struct ike_v1_payload *v1_fuzz_rebuild_one(enum v1_fuzz_kind k,
							const union v1_fuzz_body *in,
							size_t body_len)
{
	static uint8_t out[V1_FUZZ_OUT_MAX];
	static struct ike_v1_chain c;
	struct ike_v1_builder b;
	struct ike_msg_err err;
	size_t olen;
	int rc;

	ike_v1_msg_chain_init(&b, out, IKEV1_PAYLOAD_HDR_LEN + body_len);
	rc = v1_fuzz_build(k, &b, in);
	v1_fuzz_check_err(rc, &b.err);
	V1_FUZZ_ASSERT(rc == 0 && ike_v1_msg_build_end(&b, &olen) == 0);
	V1_FUZZ_ASSERT(b.first == v1_fuzz_type(k) && b.n == 1);
	V1_FUZZ_ASSERT(ike_v1_msg_parse_chain(b.first, out, olen, false, &c, &err) == 0);
	V1_FUZZ_ASSERT(c.n == 1 && c.pad == 0);
	return &c.pl[0];
}

/*
 * A parsed SA again, its attributes given as typed arrays: TV ones by
 * value, TLV ones by their octets. It must come out as it came in. On the
 * way, the attributes the iterator reads must tile their transform: each
 * value inside it, the next attribute right behind.
 */
static void v1_fuzz_sa_typed(const struct ike_v1_sa *parsed, const uint8_t *p, size_t len)
{
	static struct ike_v1_attr attrs[IKE_V1_MSG_MAX_PROPOSALS][IKE_V1_MSG_MAX_TRANSFORMS]
				       [IKE_V1_MSG_MAX_ATTRS];
	static union v1_fuzz_body typed;
	const struct ike_v1_payload *pl;
	struct ike_v1_transform *t;
	struct ike_v1_attr_iter it;
	struct ike_v1_attr *a, more;
	size_t i, j, n, off;

	typed.sa = *parsed;
	for (i = 0; i < typed.sa.n_proposals; i++) {
		for (j = 0; j < typed.sa.prop[i].n_transforms; j++) {
			t = &typed.sa.prop[i].tr[j];
			ike_v1_attr_iter_init(&it, t);
			off = 0;
			for (n = 0; n < IKE_V1_MSG_MAX_ATTRS && ike_v1_attr_next(&it, &attrs[i][j][n]);
			     n++) {
				a = &attrs[i][j][n];
				off += 4 + (a->tv ? 0 : a->len);
				V1_FUZZ_ASSERT(off <= t->raw_len);
				V1_FUZZ_ASSERT((size_t)(a->data - t->raw) + a->len == off);
				if (a->tv)
					a->data = NULL;
			}
			V1_FUZZ_ASSERT(n == t->n_attrs && !ike_v1_attr_next(&it, &more));
			V1_FUZZ_ASSERT(off == t->raw_len);
			t->attr = attrs[i][j];
			t->raw = NULL;
			t->raw_len = 0;
		}
	}
	pl = v1_fuzz_rebuild_one(V1_FUZZ_SA, &typed, len);
	V1_FUZZ_ASSERT(v1_fuzz_blob_eq(pl->body, pl->len, p, len));
}

/* Parse @p as kind @k; if it parses, rebuild it: the same octets come out. */
static void v1_fuzz_body(enum v1_fuzz_kind k, const uint8_t *p, size_t len)
{
	static union v1_fuzz_body a;
	const struct ike_v1_payload *pl;
	struct ike_msg_err err;
	int rc;

	rc = v1_fuzz_parse(k, p, len, &a, &err);
	v1_fuzz_check_err(rc, &err);
	if (rc)
		return;
	pl = v1_fuzz_rebuild_one(k, &a, len);
	V1_FUZZ_ASSERT(v1_fuzz_blob_eq(pl->body, pl->len, p, len));
	if (k == V1_FUZZ_SA)
		v1_fuzz_sa_typed(&a.sa, p, len);
}

/* Every body parser on every payload, whatever its type. */
static void v1_fuzz_chain_bodies(const struct ike_v1_chain *c)
{
	size_t i;
	int k;

	for (i = 0; i < c->n; i++) {
		V1_FUZZ_ASSERT(ike_v1_msg_payload_name(c->pl[i].type) != NULL);
		for (k = 0; k < V1_FUZZ_KINDS; k++)
			v1_fuzz_body(k, c->pl[i].body, c->pl[i].len);
	}
}

/*
 * The chain covers its octets in order, payloads then padding; what
 * follows each payload is the rest of the chain. Offsets, not pointers,
 * are compared: libFuzzer learns from comparisons, and addresses would
 * only teach it noise.
 */
static void v1_fuzz_check_chain(const struct ike_v1_chain *c, const uint8_t *p, size_t len,
				bool decrypted)
{
	struct ike_blob after;
	size_t i, off = 0;

	V1_FUZZ_ASSERT(c->n <= IKE_V1_MSG_MAX_PAYLOADS && c->start == p);
	V1_FUZZ_ASSERT(c->len + c->pad == len && (decrypted || !c->pad));
	for (i = 0; i < c->n; i++) {
		V1_FUZZ_ASSERT((size_t)(c->pl[i].body - p) == off + IKEV1_PAYLOAD_HDR_LEN);
		V1_FUZZ_ASSERT(c->pl[i].type != IKEV1_PL_NONE);
		V1_FUZZ_ASSERT(c->pl[i].type != IKEV1_PL_PROPOSAL &&
			       c->pl[i].type != IKEV1_PL_TRANSFORM);
		off += IKEV1_PAYLOAD_HDR_LEN + c->pl[i].len;
		ike_v1_chain_after(c, i, &after);
		V1_FUZZ_ASSERT(after.len == c->len - off);
		V1_FUZZ_ASSERT(!after.len || (size_t)(after.data - p) == off);
	}
	V1_FUZZ_ASSERT(off == c->len);
	V1_FUZZ_ASSERT(ike_v1_chain_find(c, IKEV1_PL_NONE, 0) == -1);
}

/*
 * Rebuild a parsed chain (behind a header when @hdr) from raw payloads and
 * its padding, into exactly the room it had: the same octets come out, and
 * the builder's spans say what the parser's chain says.
 */
static void v1_fuzz_rebuild(const struct ike_v1_hdr *hdr, const struct ike_v1_chain *c,
			    const uint8_t *p, size_t len, const uint8_t *whole, size_t whole_len)
{
	static uint8_t out[V1_FUZZ_OUT_MAX];
	const struct ike_v1_payload *pl;
	size_t i, olen, off, slen, base;
	struct ike_v1_builder b;
	struct ike_blob after;
	uint8_t *pad;
	int rc = 0;

	if (hdr)
		ike_v1_msg_build_init(&b, out, whole_len, hdr);
	else
		ike_v1_msg_chain_init(&b, out, whole_len);
	base = hdr ? IKEV1_HDR_LEN : 0;
	for (i = 0; i < c->n && !rc; i++) {
		pl = &c->pl[i];
		rc = ike_v1_msg_add_raw(&b, pl->type, pl->body, pl->len);
	}
	if (!rc && c->pad) {
		rc = ike_v1_msg_add_pad(&b, c->pad, &pad);
		if (!rc)
			memcpy(pad, p + c->len, c->pad);
	}
	v1_fuzz_check_err(rc, &b.err);
	V1_FUZZ_ASSERT(rc == 0 && ike_v1_msg_build_end(&b, &olen) == 0);
	V1_FUZZ_ASSERT(olen == whole_len && !memcmp(out, whole, whole_len));
	V1_FUZZ_ASSERT(!c->n || b.first == c->pl[0].type);
	for (i = 0; i < c->n; i++) {
		V1_FUZZ_ASSERT(ike_v1_msg_span_body(&b, i, &off, &slen) == 0);
		V1_FUZZ_ASSERT(off == base + (size_t)(c->pl[i].body - p) && slen == c->pl[i].len);
		V1_FUZZ_ASSERT(ike_v1_msg_span_after(&b, i, &off, &slen) == 0);
		ike_v1_chain_after(c, i, &after);
		V1_FUZZ_ASSERT(slen == after.len);
		V1_FUZZ_ASSERT(off == base + (size_t)(c->pl[i].body - p) + c->pl[i].len);
	}
	V1_FUZZ_ASSERT(ike_v1_msg_span_body(&b, c->n, &off, &slen) == IKE_MSG_E_INVAL);
	if (hdr) {
		V1_FUZZ_ASSERT(ike_v1_msg_span_encrypted(&b, &off, &slen) == 0);
		V1_FUZZ_ASSERT(off == IKEV1_HDR_LEN && slen == len);
	}
}

/* A datagram; an encrypted one's body taken as if decrypted. */
static void v1_fuzz_message(const uint8_t *data, size_t size)
{
	static struct ike_v1_msg m;
	static struct ike_v1_chain inner;
	struct ike_msg_err err;
	int rc;

	rc = ike_v1_msg_parse(data, size, &m, &err);
	v1_fuzz_check_err(rc, &err);
	V1_FUZZ_ASSERT(ike_v1_msg_exchange_name(m.hdr.exchange) != NULL);
	if (size >= IKEV1_HDR_LEN && (rc == IKE_MSG_E_MAJOR || rc == IKE_MSG_E_OLD_MAJOR))
		V1_FUZZ_ASSERT(m.hdr.major != 1 && m.hdr.major == data[17] >> 4);
	if (rc)
		return;
	V1_FUZZ_ASSERT(m.hdr.length == size && m.hdr.major == 1 && m.hdr.minor == 0);
	V1_FUZZ_ASSERT(m.body == data + IKEV1_HDR_LEN && m.body_len == size - IKEV1_HDR_LEN);
	if (!(m.hdr.flags & IKEV1_FLAG_ENCRYPTION)) {
		v1_fuzz_check_chain(&m.chain, m.body, m.body_len, false);
		v1_fuzz_chain_bodies(&m.chain);
		v1_fuzz_rebuild(&m.hdr, &m.chain, m.body, m.body_len, data, size);
		return;
	}
	V1_FUZZ_ASSERT(m.chain.n == 0 && m.body_len > 0);
	rc = ike_v1_msg_parse_chain(m.hdr.next, m.body, m.body_len, true, &inner, &err);
	v1_fuzz_check_err(rc, &err);
	if (rc)
		return;
	v1_fuzz_check_chain(&inner, m.body, m.body_len, true);
	v1_fuzz_chain_bodies(&inner);
	v1_fuzz_rebuild(&m.hdr, &inner, m.body, m.body_len, data, size);
}

/* The input as a bare chain: its first octet picks the first type and the mode. */
static void v1_fuzz_bare_chain(const uint8_t *data, size_t size)
{
	static struct ike_v1_chain c;
	struct ike_msg_err err;
	bool decrypted;
	uint8_t first;
	int rc;

	if (!size)
		return;
	first = data[0] & 0x7f;
	decrypted = data[0] & 0x80;
	rc = ike_v1_msg_parse_chain(first, data + 1, size - 1, decrypted, &c, &err);
	v1_fuzz_check_err(rc, &err);
	if (rc)
		return;
	v1_fuzz_check_chain(&c, data + 1, size - 1, decrypted);
	v1_fuzz_rebuild(NULL, &c, data + 1, size - 1, data + 1, size - 1);
}

/* The builders, fed structs filled from the input */

struct v1_fuzz_reader {
	const uint8_t *p;
	size_t len;
	size_t off;
};

static uint8_t v1_fuzz_u8(struct v1_fuzz_reader *r)
{
	return r->off < r->len ? r->p[r->off++] : 0;
}

static uint16_t v1_fuzz_u16(struct v1_fuzz_reader *r)
{
	uint8_t hi = v1_fuzz_u8(r);

	return (uint16_t)(hi << 8 | v1_fuzz_u8(r));
}

/* Up to @max octets of input, really there, for a builder to copy. */
static const uint8_t *v1_fuzz_bytes(struct v1_fuzz_reader *r, size_t max, size_t *len)
{
	const uint8_t *p = r->p + r->off;

	*len = max < r->len - r->off ? max : r->len - r->off;
	r->off += *len;
	return p;
}

/* SPIs come from here: always IKE_V1_MSG_SPI_MAX octets to read. */
static uint8_t v1_fuzz_spi[IKE_V1_MSG_SPI_MAX];

static void v1_fuzz_fill_attr(struct v1_fuzz_reader *r, struct ike_v1_attr *a)
{
	uint8_t how = v1_fuzz_u8(r);
	size_t i;

	memset(a, 0, sizeof(*a));
	a->type = how & 1 ? v1_fuzz_u16(r) : v1_fuzz_u8(r) % 18;
	a->tv = how & 2;
	for (i = 0; i < (size_t)(how >> 5); i++)
		a->value = a->value << 8 | v1_fuzz_u8(r);
	if (how & 4)
		a->data = v1_fuzz_bytes(r, how & 8 ? 2 : v1_fuzz_u8(r) % 12, &a->len);
}

static void v1_fuzz_fill_sa(struct v1_fuzz_reader *r, struct ike_v1_sa *sa)
{
	static struct ike_v1_attr attrs[IKE_V1_MSG_MAX_PROPOSALS][IKE_V1_MSG_MAX_TRANSFORMS]
				       [IKE_V1_MSG_MAX_ATTRS];
	struct ike_v1_proposal *p;
	struct ike_v1_transform *t;
	size_t i, j, k, np, nt;
	uint8_t how;

	how = v1_fuzz_u8(r);
	sa->doi = how & 1 ? v1_fuzz_u8(r) : IKEV1_DOI_IPSEC;
	sa->situation = how & 2 ? v1_fuzz_u8(r) : IKEV1_SIT_IDENTITY_ONLY;
	sa->n_proposals = v1_fuzz_u8(r) % (IKE_V1_MSG_MAX_PROPOSALS + 2);
	np = sa->n_proposals <= IKE_V1_MSG_MAX_PROPOSALS ? sa->n_proposals : 0;
	for (i = 0; i < np; i++) {
		p = &sa->prop[i];
		how = v1_fuzz_u8(r);
		p->num = how & 1 ? (uint8_t)(i + 1) : v1_fuzz_u8(r);
		p->proto = how >> 1 & 7;
		p->spi_size = how & 0x10 ? v1_fuzz_u8(r) % (IKE_V1_MSG_SPI_MAX + 2) :
			      p->proto == IKEV1_PROTO_ISAKMP ? 0 : 4;
		p->spi = v1_fuzz_spi;
		p->n_transforms = v1_fuzz_u8(r) % (IKE_V1_MSG_MAX_TRANSFORMS + 2);
		nt = p->n_transforms <= IKE_V1_MSG_MAX_TRANSFORMS ? p->n_transforms : 0;
		for (j = 0; j < nt; j++) {
			t = &p->tr[j];
			memset(t, 0, sizeof(*t));
			t->num = v1_fuzz_u8(r);
			t->id = v1_fuzz_u8(r);
			if (how & 0x20) {
				t->raw = v1_fuzz_bytes(r, v1_fuzz_u8(r) % 40, &t->raw_len);
				continue;
			}
			t->n_attrs = v1_fuzz_u8(r) % (IKE_V1_MSG_MAX_ATTRS + 2);
			t->attr = attrs[i][j];
			for (k = 0; k < t->n_attrs && k < IKE_V1_MSG_MAX_ATTRS; k++)
				v1_fuzz_fill_attr(r, &attrs[i][j][k]);
		}
	}
}

/* Fill a payload struct of kind @k from @r. */
static void v1_fuzz_fill(struct v1_fuzz_reader *r, enum v1_fuzz_kind k, union v1_fuzz_body *u)
{
	size_t max;

	switch (k) {
	case V1_FUZZ_SA:
		v1_fuzz_fill_sa(r, &u->sa);
		return;
	case V1_FUZZ_ID:
		u->id.type = v1_fuzz_u8(r) % 13;
		u->id.proto = v1_fuzz_u8(r);
		u->id.port = v1_fuzz_u16(r);
		u->id.data = v1_fuzz_bytes(r, v1_fuzz_u8(r) % 40, &u->id.len);
		return;
	case V1_FUZZ_CERT:
	case V1_FUZZ_CR:
		u->cert.encoding = v1_fuzz_u8(r);
		u->cert.data = v1_fuzz_bytes(r, v1_fuzz_u16(r) % 300, &u->cert.len);
		return;
	case V1_FUZZ_NOTIFY:
		u->n.doi = v1_fuzz_u8(r) % 3;
		u->n.proto = v1_fuzz_u8(r) % 6;
		u->n.spi_size = v1_fuzz_u8(r) % (IKE_V1_MSG_SPI_MAX + 2);
		u->n.type = v1_fuzz_u16(r);
		u->n.spi = v1_fuzz_spi;
		u->n.data = v1_fuzz_bytes(r, v1_fuzz_u8(r), &u->n.len);
		return;
	case V1_FUZZ_DELETE:
		u->del.doi = v1_fuzz_u8(r) % 3;
		u->del.proto = v1_fuzz_u8(r) % 6;
		u->del.spi_size = v1_fuzz_u8(r) % (IKE_V1_MSG_SPI_MAX + 2);
		u->del.n_spis = v1_fuzz_u8(r) % 4;
		/* The builder reads n_spis * spi_size octets: they must be there. */
		max = (r->len - r->off) / (u->del.spi_size ? u->del.spi_size : 1);
		if (u->del.n_spis > max)
			u->del.n_spis = (uint16_t)max;
		u->del.spis = v1_fuzz_bytes(r, (size_t)u->del.n_spis * u->del.spi_size, &max);
		return;
	case V1_FUZZ_NAT_OA:
		u->oa.id_type = v1_fuzz_u8(r) % 7;
		u->oa.addr = v1_fuzz_bytes(r, v1_fuzz_u8(r) % 20, &u->oa.len);
		return;
	default:
		u->blob.data = v1_fuzz_bytes(r, v1_fuzz_u16(r) % 300, &u->blob.len);
		/* HASH and SIG may be zeroed room to fill in later. */
		if ((k == V1_FUZZ_HASH || k == V1_FUZZ_SIG) && u->blob.len && !u->blob.data[0])
			u->blob.data = NULL;
		return;
	}
}

/* A payload a builder wrote parses with its type's parser. */
static void v1_fuzz_check_built(const struct ike_v1_payload *pl, union v1_fuzz_body *u)
{
	int k;

	for (k = 0; k < V1_FUZZ_KINDS; k++)
		if (v1_fuzz_type(k) == pl->type)
			V1_FUZZ_ASSERT(v1_fuzz_parse(k, pl->body, pl->len, u, NULL) == 0);
	if (pl->type == IKEV1_PL_NAT_D_DRAFT)
		V1_FUZZ_ASSERT(ike_v1_msg_parse_nat_d(pl->body, pl->len, &u->blob, NULL) == 0);
	if (pl->type == IKEV1_PL_NAT_OA_DRAFT)
		V1_FUZZ_ASSERT(ike_v1_msg_parse_nat_oa(pl->body, pl->len, &u->oa, NULL) == 0);
}

/* Beyond the kinds: raw payloads of any type, and padding, which ends it. */
#define V1_FUZZ_RAW	V1_FUZZ_KINDS
#define V1_FUZZ_PAD	(V1_FUZZ_KINDS + 1)

/* One step of the script: a payload of kind @k, or raw, or padding. */
static int v1_fuzz_step(struct v1_fuzz_reader *r, int k, struct ike_v1_builder *b,
			union v1_fuzz_body *u)
{
	const uint8_t *p;
	uint8_t type, *pad;
	size_t len;
	int rc;

	if (k == V1_FUZZ_RAW) {
		type = v1_fuzz_u8(r);
		p = v1_fuzz_bytes(r, v1_fuzz_u8(r), &len);
		return ike_v1_msg_add_raw(b, type, p, len);
	}
	if (k == V1_FUZZ_PAD) {
		len = v1_fuzz_u8(r) % 20;
		rc = ike_v1_msg_add_pad(b, len, &pad);
		if (!rc && len)
			pad[len - 1] = (uint8_t)(len - 1);
		return rc;
	}
	v1_fuzz_fill(r, k, u);
	/* The drafts' numbers for NAT-D and NAT-OA, or a wrong one, now and then */
	type = v1_fuzz_u8(r);
	if (k == V1_FUZZ_NAT_D && type < 0x40)
		return ike_v1_msg_add_nat_d(b, type < 0x20 ? IKEV1_PL_NAT_D_DRAFT : type, u->blob.data,
					    u->blob.len);
	if (k == V1_FUZZ_NAT_OA && type < 0x40)
		return ike_v1_msg_add_nat_oa(b, type < 0x20 ? IKEV1_PL_NAT_OA_DRAFT : type, &u->oa);
	return v1_fuzz_build(k, b, u);
}

/*
 * Payloads from the input until it runs out or the builder refuses, into
 * a buffer of a size the input picks, malloc'ed to exactly that size so that
 * any write past it is caught. What was built must parse, and the spans
 * must find in it what the parser finds.
 */
static void v1_fuzz_builders(const uint8_t *data, size_t size)
{
	struct v1_fuzz_reader r = { data, size, 0 };
	static union v1_fuzz_body u, check;
	static struct ike_v1_chain c;
	bool raw[IKE_V1_MSG_MAX_PAYLOADS] = { false };
	struct ike_v1_hdr hdr, got;
	struct ike_v1_builder b;
	struct ike_msg_err err;
	size_t cap, len, before, i;
	uint8_t *buf;
	int rc = 0, k;

	memset(&hdr, 0, sizeof(hdr));
	hdr.exchange = v1_fuzz_u8(&r);
	hdr.flags = v1_fuzz_u8(&r) & ~IKEV1_FLAG_ENCRYPTION;
	cap = v1_fuzz_u16(&r) % 2048;
	buf = malloc(cap ? cap : 1);
	V1_FUZZ_ASSERT(buf != NULL);
	ike_v1_msg_build_init(&b, buf, cap, &hdr);
	memset(v1_fuzz_spi, 0x5c, sizeof(v1_fuzz_spi));
	while (!rc && r.off < r.len && !b.sealed) {
		k = v1_fuzz_u8(&r) % (V1_FUZZ_KINDS + 2);
		before = b.len;
		i = b.n;
		rc = v1_fuzz_step(&r, k, &b, &u);
		v1_fuzz_check_err(rc, &b.err);
		V1_FUZZ_ASSERT(b.len <= cap);
		if (rc)
			V1_FUZZ_ASSERT(b.len == before);
		else if (k == V1_FUZZ_RAW)
			raw[i] = true;
	}
	rc = ike_v1_msg_build_end(&b, &len);
	if (!rc) {
		/* Padding, if any, is for a body to be encrypted: walk it as decrypted. */
		if (ike_v1_msg_parse_hdr(buf, len, &got, &err) ||
		    ike_v1_msg_parse_chain(got.next, buf + IKEV1_HDR_LEN, len - IKEV1_HDR_LEN,
					   b.sealed, &c, &err)) {
			fprintf(stderr, "built message refused: %s\n", err.reason);
			v1_fuzz_die(__LINE__, "what was built parses");
		}
		V1_FUZZ_ASSERT(c.n == b.n && c.len == b.chain_end - IKEV1_HDR_LEN);
		for (i = 0; i < c.n; i++)
			if (!raw[i])
				v1_fuzz_check_built(&c.pl[i], &check);
	}
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	v1_fuzz_message(data, size);
	v1_fuzz_bare_chain(data, size);
	v1_fuzz_builders(data, size);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the IKEv2 message codec (msg.c).
 *
 * Each input is taken three ways: as a datagram from port 500, as one from
 * port 4500 (behind the non-ESP marker), and as a script that fills payload
 * structs for the builders. What parses must rebuild to the same octets
 * and parse again to the same structs; what is built must parse; every
 * refusal must say why. Any inconsistency calls abort(), which libFuzzer
 * reports with the input that caused it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Room for any message: a 16-bit payload length, a header and a marker. */
#define IKE_FUZZ_OUT_MAX	(0x10000 + IKEV2_HDR_LEN + IKEV2_NON_ESP_MARKER_LEN)

#define IKE_FUZZ_ASSERT(cond)						\
	do {								\
		if (!(cond))						\
			ike_fuzz_die(__LINE__, #cond);			\
	} while (0)

__attribute__((noreturn))
static void ike_fuzz_die(int line, const char *what)
{
	fprintf(stderr, "fuzz_msg.c:%d: inconsistency: %s\n", line, what);
	abort();
}

/* A refusal carries its code and a one-line reason. */
static void ike_fuzz_check_err(int rc, const struct ike_msg_err *err)
{
	IKE_FUZZ_ASSERT(rc <= 0 && rc >= IKE_MSG_E_INVAL);
	if (!rc)
		return;
	IKE_FUZZ_ASSERT(err->code == rc);
	IKE_FUZZ_ASSERT(memchr(err->reason, 0, sizeof(err->reason)) != NULL);
	IKE_FUZZ_ASSERT(err->reason[0] != 0 && !strchr(err->reason, '\n'));
	IKE_FUZZ_ASSERT(strcmp(ike_msg_strerror(rc), "unknown"));
}

static bool ike_fuzz_blob_eq(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	return alen == blen && (!alen || !memcmp(a, b, alen));
}

/* Every body parser, by kind */

enum ike_fuzz_kind {
	IKE_FUZZ_SA_REQUEST,
	IKE_FUZZ_SA_RESPONSE,
	IKE_FUZZ_KE,
	IKE_FUZZ_NONCE,
	IKE_FUZZ_NOTIFY,
	IKE_FUZZ_ID,
	IKE_FUZZ_AUTH,
	IKE_FUZZ_CERT,
	IKE_FUZZ_CERTREQ,
	IKE_FUZZ_DELETE,
	IKE_FUZZ_VENDOR,
	IKE_FUZZ_TS,
	IKE_FUZZ_CP,
	IKE_FUZZ_SK,
	IKE_FUZZ_SKF,
	IKE_FUZZ_KINDS,
};

union ike_fuzz_body {
	struct ike_sa_payload sa;
	struct ike_ke ke;
	struct ike_blob blob;
	struct ike_notify n;
	struct ike_id id;
	struct ike_auth auth;
	struct ike_cert cert;
	struct ike_delete del;
	struct ike_ts_payload ts;
	struct ike_cp cp;
	struct ike_skf skf;
};

/* Kinds whose rebuilt body must be the received one, octet for octet. */
static bool ike_fuzz_exact(enum ike_fuzz_kind k)
{
	switch (k) {
	case IKE_FUZZ_NONCE:
	case IKE_FUZZ_NOTIFY:
	case IKE_FUZZ_CERT:
	case IKE_FUZZ_CERTREQ:
	case IKE_FUZZ_DELETE:
	case IKE_FUZZ_VENDOR:
	case IKE_FUZZ_SK:
	case IKE_FUZZ_SKF:
		return true;
	default:
		return false;	/* reserved octets, dropped attributes */
	}
}

static int ike_fuzz_parse(enum ike_fuzz_kind k, const uint8_t *p, size_t len,
			  union ike_fuzz_body *out, struct ike_msg_err *err)
{
	switch (k) {
	case IKE_FUZZ_SA_REQUEST:
		return ike_msg_parse_sa(p, len, false, &out->sa, err);
	case IKE_FUZZ_SA_RESPONSE:
		return ike_msg_parse_sa(p, len, true, &out->sa, err);
	case IKE_FUZZ_KE:
		return ike_msg_parse_ke(p, len, &out->ke, err);
	case IKE_FUZZ_NONCE:
		return ike_msg_parse_nonce(p, len, &out->blob, err);
	case IKE_FUZZ_NOTIFY:
		return ike_msg_parse_notify(p, len, &out->n, err);
	case IKE_FUZZ_ID:
		return ike_msg_parse_id(p, len, &out->id, err);
	case IKE_FUZZ_AUTH:
		return ike_msg_parse_auth(p, len, &out->auth, err);
	case IKE_FUZZ_CERT:
		return ike_msg_parse_cert(p, len, &out->cert, err);
	case IKE_FUZZ_CERTREQ:
		return ike_msg_parse_certreq(p, len, &out->cert, err);
	case IKE_FUZZ_DELETE:
		return ike_msg_parse_delete(p, len, &out->del, err);
	case IKE_FUZZ_VENDOR:
		return ike_msg_parse_vendor(p, len, &out->blob, err);
	case IKE_FUZZ_TS:
		return ike_msg_parse_ts(p, len, &out->ts, err);
	case IKE_FUZZ_CP:
		return ike_msg_parse_cp(p, len, &out->cp, err);
	case IKE_FUZZ_SK:
		return ike_msg_parse_sk(p, len, &out->blob, err);
	default:
		return ike_msg_parse_skf(p, len, &out->skf, err);
	}
}

/* Append @in to @b as the payload of kind @k; SK and SKF need a header. */
static int ike_fuzz_build(enum ike_fuzz_kind k, struct ike_builder *b,
			  const union ike_fuzz_body *in)
{
	uint8_t *body;
	int rc;

	switch (k) {
	case IKE_FUZZ_SA_REQUEST:
	case IKE_FUZZ_SA_RESPONSE:
		return ike_msg_add_sa(b, &in->sa);
	case IKE_FUZZ_KE:
		return ike_msg_add_ke(b, &in->ke);
	case IKE_FUZZ_NONCE:
		return ike_msg_add_nonce(b, in->blob.data, in->blob.len);
	case IKE_FUZZ_NOTIFY:
		return ike_msg_add_notify(b, &in->n);
	case IKE_FUZZ_ID:
		return ike_msg_add_id(b, IKEV2_PL_IDI, &in->id);
	case IKE_FUZZ_AUTH:
		return ike_msg_add_auth(b, &in->auth);
	case IKE_FUZZ_CERT:
		return ike_msg_add_cert(b, &in->cert);
	case IKE_FUZZ_CERTREQ:
		return ike_msg_add_certreq(b, &in->cert);
	case IKE_FUZZ_DELETE:
		return ike_msg_add_delete(b, &in->del);
	case IKE_FUZZ_VENDOR:
		return ike_msg_add_vendor(b, in->blob.data, in->blob.len);
	case IKE_FUZZ_TS:
		return ike_msg_add_ts(b, IKEV2_PL_TSR, &in->ts);
	case IKE_FUZZ_CP:
		return ike_msg_add_cp(b, &in->cp);
	case IKE_FUZZ_SK:
		rc = ike_msg_add_sk(b, IKEV2_PL_NONE, in->blob.len, &body);
		if (!rc)
			memcpy(body, in->blob.data, in->blob.len);
		return rc;
	default:
		rc = ike_msg_add_skf(b, IKEV2_PL_NONE, in->skf.number, in->skf.total, in->skf.len,
				     &body);
		if (!rc)
			memcpy(body, in->skf.data, in->skf.len);
		return rc;
	}
}

static bool ike_fuzz_sa_eq(const struct ike_sa_payload *a, const struct ike_sa_payload *b)
{
	const struct ike_proposal *p, *q;
	size_t i, j;

	if (a->n_proposals != b->n_proposals)
		return false;
	for (i = 0; i < a->n_proposals; i++) {
		p = &a->prop[i];
		q = &b->prop[i];
		if (p->num != q->num || p->proto != q->proto || p->spi_size != q->spi_size ||
		    memcmp(p->spi, q->spi, sizeof(p->spi)) || p->n_transforms != q->n_transforms)
			return false;
		/* The builder writes Key Length only: unknown attributes go. */
		for (j = 0; j < p->n_transforms; j++)
			if (p->tr[j].type != q->tr[j].type || p->tr[j].id != q->tr[j].id ||
			    p->tr[j].key_len != q->tr[j].key_len || q->tr[j].unknown_attrs)
				return false;
	}
	return true;
}

static bool ike_fuzz_ts_eq(const struct ike_ts_payload *a, const struct ike_ts_payload *b)
{
	const struct ike_ts *s, *t;
	size_t i;

	if (a->n_ts != b->n_ts)
		return false;
	for (i = 0; i < a->n_ts; i++) {
		s = &a->ts[i];
		t = &b->ts[i];
		if (s->type != t->type || s->ip_proto != t->ip_proto ||
		    s->start_port != t->start_port || s->end_port != t->end_port ||
		    memcmp(s->start_addr, t->start_addr, 16) ||
		    memcmp(s->end_addr, t->end_addr, 16) ||
		    !ike_fuzz_blob_eq(s->data, s->len, t->data, t->len))
			return false;
	}
	return true;
}

static bool ike_fuzz_cp_eq(const struct ike_cp *a, const struct ike_cp *b)
{
	size_t i;

	if (a->type != b->type || a->n_attrs != b->n_attrs)
		return false;
	for (i = 0; i < a->n_attrs; i++)
		if (a->attr[i].type != b->attr[i].type ||
		    !ike_fuzz_blob_eq(a->attr[i].value, a->attr[i].len, b->attr[i].value,
				      b->attr[i].len))
			return false;
	return true;
}

static bool ike_fuzz_eq(enum ike_fuzz_kind k, const union ike_fuzz_body *a,
			const union ike_fuzz_body *b)
{
	switch (k) {
	case IKE_FUZZ_SA_REQUEST:
	case IKE_FUZZ_SA_RESPONSE:
		return ike_fuzz_sa_eq(&a->sa, &b->sa);
	case IKE_FUZZ_KE:
		return a->ke.group == b->ke.group &&
		       ike_fuzz_blob_eq(a->ke.data, a->ke.len, b->ke.data, b->ke.len);
	case IKE_FUZZ_NONCE:
	case IKE_FUZZ_VENDOR:
	case IKE_FUZZ_SK:
		return ike_fuzz_blob_eq(a->blob.data, a->blob.len, b->blob.data, b->blob.len);
	case IKE_FUZZ_NOTIFY:
		return a->n.proto == b->n.proto && a->n.spi_size == b->n.spi_size &&
		       !memcmp(a->n.spi, b->n.spi, sizeof(a->n.spi)) && a->n.type == b->n.type &&
		       ike_fuzz_blob_eq(a->n.data, a->n.len, b->n.data, b->n.len);
	case IKE_FUZZ_ID:
		return a->id.type == b->id.type &&
		       ike_fuzz_blob_eq(a->id.data, a->id.len, b->id.data, b->id.len);
	case IKE_FUZZ_AUTH:
		return a->auth.method == b->auth.method &&
		       ike_fuzz_blob_eq(a->auth.data, a->auth.len, b->auth.data, b->auth.len);
	case IKE_FUZZ_CERT:
	case IKE_FUZZ_CERTREQ:
		return a->cert.encoding == b->cert.encoding &&
		       ike_fuzz_blob_eq(a->cert.data, a->cert.len, b->cert.data, b->cert.len);
	case IKE_FUZZ_DELETE:
		return a->del.proto == b->del.proto && a->del.spi_size == b->del.spi_size &&
		       a->del.n_spis == b->del.n_spis &&
		       ike_fuzz_blob_eq(a->del.spis, (size_t)a->del.n_spis * a->del.spi_size,
					b->del.spis, (size_t)b->del.n_spis * b->del.spi_size);
	case IKE_FUZZ_TS:
		return ike_fuzz_ts_eq(&a->ts, &b->ts);
	case IKE_FUZZ_CP:
		return ike_fuzz_cp_eq(&a->cp, &b->cp);
	default:
		return a->skf.number == b->skf.number && a->skf.total == b->skf.total &&
		       ike_fuzz_blob_eq(a->skf.data, a->skf.len, b->skf.data, b->skf.len);
	}
}

/* Parse @p as kind @k; if it parses, rebuild it and parse that again. */
static void ike_fuzz_body(enum ike_fuzz_kind k, const uint8_t *p, size_t len)
{
	static union ike_fuzz_body a, again;
	static uint8_t out[IKE_FUZZ_OUT_MAX];
	static const struct ike_hdr hdr;
	const struct ike_payload *pl;
	struct ike_msg_err err;
	struct ike_builder b;
	struct ike_chain c;
	struct ike_msg m;
	size_t olen;
	int rc;

	rc = ike_fuzz_parse(k, p, len, &a, &err);
	ike_fuzz_check_err(rc, &err);
	if (rc)
		return;
	if (k == IKE_FUZZ_SK || k == IKE_FUZZ_SKF)
		ike_msg_build_init(&b, out, sizeof(out), &hdr);
	else
		ike_msg_chain_init(&b, out, sizeof(out));
	rc = ike_fuzz_build(k, &b, &a);
	ike_fuzz_check_err(rc, &b.err);
	IKE_FUZZ_ASSERT(rc == 0 && ike_msg_build_end(&b, &olen) == 0);
	if (b.has_hdr) {
		IKE_FUZZ_ASSERT(ike_msg_parse(out, olen, &m, &err) == 0);
		c = m.chain;
	} else {
		IKE_FUZZ_ASSERT(ike_msg_parse_inner(b.first, out, olen, &c, &err) == 0);
	}
	IKE_FUZZ_ASSERT(c.n == 1);
	pl = &c.pl[0];
	IKE_FUZZ_ASSERT(ike_fuzz_parse(k, pl->body, pl->len, &again, &err) == 0);
	IKE_FUZZ_ASSERT(ike_fuzz_eq(k, &a, &again));
	if (ike_fuzz_exact(k))
		IKE_FUZZ_ASSERT(ike_fuzz_blob_eq(pl->body, pl->len, p, len));
	else
		IKE_FUZZ_ASSERT(pl->len <= len);
}

/* Every body parser on every payload, whatever its type. */
static void ike_fuzz_chain_bodies(const struct ike_chain *c)
{
	size_t i;
	int k;

	for (i = 0; i < c->n; i++) {
		IKE_FUZZ_ASSERT(ike_msg_payload_name(c->pl[i].type) != NULL);
		for (k = 0; k < IKE_FUZZ_KINDS; k++)
			ike_fuzz_body(k, c->pl[i].body, c->pl[i].len);
	}
}

/*
 * Which payload of @c is SK or SKF, @c->n when none. Offsets and indexes,
 * not pointers, are compared here: libFuzzer learns from comparisons, and
 * heap addresses would only teach it noise that changes from run to run.
 */
static size_t ike_fuzz_sk_index(const struct ike_chain *c)
{
	const struct ike_payload *sk = ike_msg_chain_sk(c);

	return sk ? (size_t)(sk - c->pl) : c->n;
}

/* The chain covers its octets exactly, in order. */
static void ike_fuzz_check_chain(const struct ike_chain *c, const uint8_t *p, size_t len)
{
	size_t i, off = 0;

	IKE_FUZZ_ASSERT(c->n <= IKE_MSG_MAX_PAYLOADS);
	for (i = 0; i < c->n; i++) {
		IKE_FUZZ_ASSERT((size_t)(c->pl[i].body - p) == off + IKEV2_PAYLOAD_HDR_LEN);
		IKE_FUZZ_ASSERT(c->pl[i].type != IKEV2_PL_NONE);
		off += IKEV2_PAYLOAD_HDR_LEN + c->pl[i].len;
		IKE_FUZZ_ASSERT(off <= len);
	}
	IKE_FUZZ_ASSERT(off == len);
	IKE_FUZZ_ASSERT(!c->inner_first || ike_fuzz_sk_index(c) + 1 == c->n);
}

/*
 * Rebuild a parsed chain (behind a header when @hdr) from raw payloads:
 * the octets must be the received ones, but for the reserved bits of the
 * generic payload headers, which are ignored on receipt and sent as zero.
 */
static void ike_fuzz_rebuild(const struct ike_hdr *hdr, const struct ike_chain *c,
			     const uint8_t *p, size_t len, uint8_t first)
{
	static uint8_t out[IKE_FUZZ_OUT_MAX], want[IKE_FUZZ_OUT_MAX];
	const struct ike_payload *pl;
	struct ike_builder b;
	struct ike_skf skf;
	size_t i, olen, off;
	uint8_t *body;
	int rc = 0;

	/* Exactly the room needed: refusing, not overflowing, is the rule. */
	if (hdr)
		ike_msg_build_init(&b, out, len, hdr);
	else
		ike_msg_chain_init(&b, out, len);
	memcpy(want, p, len);
	for (i = 0; i < c->n && !rc; i++) {
		pl = &c->pl[i];
		off = (size_t)(pl->body - p) - IKEV2_PAYLOAD_HDR_LEN;
		want[off + 1] &= IKEV2_PAYLOAD_CRITICAL;
		if (pl->type == IKEV2_PL_SK) {
			rc = ike_msg_add_sk(&b, c->inner_first, pl->len, &body);
			if (!rc)
				memcpy(body, pl->body, pl->len);
		} else if (pl->type == IKEV2_PL_SKF) {
			IKE_FUZZ_ASSERT(ike_msg_parse_skf(pl->body, pl->len, &skf, NULL) == 0);
			rc = ike_msg_add_skf(&b, c->inner_first, skf.number, skf.total, skf.len,
					     &body);
			if (!rc)
				memcpy(body, skf.data, skf.len);
		} else {
			rc = ike_msg_add_raw(&b, pl->type, pl->critical, pl->body, pl->len);
		}
		/* The builder never sets the critical bit of SK or SKF. */
		if (ike_fuzz_sk_index(c) == i)
			want[off + 1] = 0;
	}
	ike_fuzz_check_err(rc, &b.err);
	IKE_FUZZ_ASSERT(rc == 0 && ike_msg_build_end(&b, &olen) == 0);
	IKE_FUZZ_ASSERT(olen == len && b.first == first);
	IKE_FUZZ_ASSERT(!memcmp(out, want, len));
}

/* A datagram as received on port 500, or after the marker on port 4500. */
static void ike_fuzz_message(const uint8_t *data, size_t size)
{
	static struct ike_msg m;
	static struct ike_chain inner;
	const struct ike_payload *sk;
	struct ike_msg_err err;
	struct ike_skf skf;
	int rc;

	rc = ike_msg_parse(data, size, &m, &err);
	ike_fuzz_check_err(rc, &err);
	IKE_FUZZ_ASSERT(ike_msg_exchange_name(m.hdr.exchange) != NULL);
	if (rc)
		return;
	IKE_FUZZ_ASSERT(m.hdr.length == size && m.hdr.major == IKEV2_VERSION >> 4);
	ike_fuzz_check_chain(&m.chain, data + IKEV2_HDR_LEN, size - IKEV2_HDR_LEN);
	ike_fuzz_chain_bodies(&m.chain);
	ike_fuzz_rebuild(&m.hdr, &m.chain, data, size, m.hdr.next);

	/* Take what SK or SKF carries as if it were already plaintext. */
	sk = ike_msg_chain_sk(&m.chain);
	if (!sk)
		return;
	if (sk->type == IKEV2_PL_SK) {
		rc = ike_msg_parse_inner(m.chain.inner_first, sk->body, sk->len, &inner, &err);
	} else {
		IKE_FUZZ_ASSERT(ike_msg_parse_skf(sk->body, sk->len, &skf, NULL) == 0);
		IKE_FUZZ_ASSERT(skf.number == 1 || !m.chain.inner_first);
		sk = NULL;
		rc = ike_msg_parse_inner(m.chain.inner_first, skf.data, skf.len, &inner, &err);
	}
	ike_fuzz_check_err(rc, &err);
	if (rc || !sk)
		return;
	ike_fuzz_check_chain(&inner, sk->body, sk->len);
	IKE_FUZZ_ASSERT(!ike_msg_chain_sk(&inner));
	ike_fuzz_chain_bodies(&inner);
	ike_fuzz_rebuild(NULL, &inner, sk->body, sk->len, inner.n ? m.chain.inner_first : 0);
}

/* The builders, fed structs filled from the input */

struct ike_fuzz_reader {
	const uint8_t *p;
	size_t len;
	size_t off;
};

static uint8_t ike_fuzz_u8(struct ike_fuzz_reader *r)
{
	return r->off < r->len ? r->p[r->off++] : 0;
}

static uint16_t ike_fuzz_u16(struct ike_fuzz_reader *r)
{
	uint8_t hi = ike_fuzz_u8(r);

	return (uint16_t)(hi << 8 | ike_fuzz_u8(r));
}

/* Up to @max octets of input, really there, for a builder to copy. */
static const uint8_t *ike_fuzz_bytes(struct ike_fuzz_reader *r, size_t max, size_t *len)
{
	const uint8_t *p = r->p + r->off;

	*len = max < r->len - r->off ? max : r->len - r->off;
	r->off += *len;
	return p;
}

static void ike_fuzz_fill_sa(struct ike_fuzz_reader *r, struct ike_sa_payload *sa)
{
	struct ike_proposal *p;
	size_t i, j, n;
	uint8_t how;

	sa->n_proposals = ike_fuzz_u8(r) % (IKE_MSG_MAX_PROPOSALS + 2);
	n = sa->n_proposals < IKE_MSG_MAX_PROPOSALS ? sa->n_proposals : IKE_MSG_MAX_PROPOSALS;
	for (i = 0; i < n; i++) {
		p = &sa->prop[i];
		how = ike_fuzz_u8(r);
		p->num = how & 1 ? (uint8_t)(i + 1) : ike_fuzz_u8(r);
		p->proto = how >> 1 & 3;
		p->spi_size = how >> 3 & 1 ? ike_fuzz_u8(r) % 10 : (p->proto == 1 ? 0 : 4);
		for (j = 0; j < sizeof(p->spi); j++)
			p->spi[j] = ike_fuzz_u8(r);
		p->n_transforms = ike_fuzz_u8(r) % (IKE_MSG_MAX_TRANSFORMS + 2);
		for (j = 0; j < p->n_transforms && j < IKE_MSG_MAX_TRANSFORMS; j++) {
			p->tr[j].type = ike_fuzz_u8(r);
			p->tr[j].id = ike_fuzz_u16(r);
			p->tr[j].key_len = how & 0x10 ? ike_fuzz_u16(r) : 0;
			p->tr[j].unknown_attrs = how & 0x20;
		}
	}
}

static void ike_fuzz_fill_ts(struct ike_fuzz_reader *r, struct ike_ts_payload *ts)
{
	struct ike_ts *t;
	size_t i, n;

	ts->n_ts = ike_fuzz_u8(r) % (IKE_MSG_MAX_TS + 2);
	n = ts->n_ts < IKE_MSG_MAX_TS ? ts->n_ts : IKE_MSG_MAX_TS;
	for (i = 0; i < n; i++) {
		t = &ts->ts[i];
		t->type = ike_fuzz_u8(r) % 12;
		t->ip_proto = ike_fuzz_u8(r);
		t->start_port = ike_fuzz_u16(r);
		t->end_port = ike_fuzz_u16(r);
		memset(t->start_addr, ike_fuzz_u8(r), sizeof(t->start_addr));
		memset(t->end_addr, ike_fuzz_u8(r), sizeof(t->end_addr));
		t->data = ike_fuzz_bytes(r, ike_fuzz_u8(r), &t->len);
	}
}

static void ike_fuzz_fill_cp(struct ike_fuzz_reader *r, struct ike_cp *cp)
{
	size_t i, n;

	cp->type = ike_fuzz_u8(r);
	cp->n_attrs = ike_fuzz_u8(r) % (IKE_MSG_MAX_CP_ATTRS + 2);
	n = cp->n_attrs < IKE_MSG_MAX_CP_ATTRS ? cp->n_attrs : IKE_MSG_MAX_CP_ATTRS;
	for (i = 0; i < n; i++) {
		cp->attr[i].type = ike_fuzz_u16(r);
		cp->attr[i].value = ike_fuzz_bytes(r, ike_fuzz_u8(r) % 16, &cp->attr[i].len);
	}
}

/* The payloads that are a type (or none) and data. */
static void ike_fuzz_fill_typed(struct ike_fuzz_reader *r, enum ike_fuzz_kind k,
				union ike_fuzz_body *u)
{
	uint16_t type = ike_fuzz_u16(r);
	const uint8_t *data;
	size_t len;

	data = ike_fuzz_bytes(r, ike_fuzz_u16(r) % 300, &len);
	switch (k) {
	case IKE_FUZZ_KE:
		u->ke = (struct ike_ke){ type, data, len };
		break;
	case IKE_FUZZ_ID:
		u->id = (struct ike_id){ (uint8_t)type, data, len };
		break;
	case IKE_FUZZ_AUTH:
		u->auth = (struct ike_auth){ (uint8_t)type, data, len };
		break;
	case IKE_FUZZ_CERT:
	case IKE_FUZZ_CERTREQ:
		u->cert = (struct ike_cert){ (uint8_t)type, data, len };
		break;
	default:
		u->blob = (struct ike_blob){ data, len };
		break;
	}
}

/* Fill a payload struct of kind @k from @r. */
static void ike_fuzz_fill(struct ike_fuzz_reader *r, enum ike_fuzz_kind k,
			  union ike_fuzz_body *u)
{
	size_t max;

	memset(u, 0, sizeof(*u));
	switch (k) {
	case IKE_FUZZ_SA_REQUEST:
	case IKE_FUZZ_SA_RESPONSE:
		ike_fuzz_fill_sa(r, &u->sa);
		break;
	case IKE_FUZZ_TS:
		ike_fuzz_fill_ts(r, &u->ts);
		break;
	case IKE_FUZZ_CP:
		ike_fuzz_fill_cp(r, &u->cp);
		break;
	case IKE_FUZZ_NOTIFY:
		u->n.proto = ike_fuzz_u8(r) % 5;
		u->n.spi_size = ike_fuzz_u8(r) % 10;
		u->n.type = ike_fuzz_u16(r);
		u->n.data = ike_fuzz_bytes(r, ike_fuzz_u8(r), &u->n.len);
		break;
	case IKE_FUZZ_DELETE:
		u->del.proto = ike_fuzz_u8(r) % 5;
		u->del.spi_size = ike_fuzz_u8(r) % 9;
		u->del.n_spis = ike_fuzz_u8(r) % 4;
		/* The builder reads n_spis * spi_size octets: they must be there. */
		max = (r->len - r->off) / (u->del.spi_size ? u->del.spi_size : 1);
		if (u->del.n_spis > max)
			u->del.n_spis = (uint16_t)max;
		u->del.spis = ike_fuzz_bytes(r, (size_t)u->del.n_spis * u->del.spi_size, &max);
		break;
	case IKE_FUZZ_SKF:
		u->skf.number = ike_fuzz_u8(r) % 4;
		u->skf.total = ike_fuzz_u8(r) % 4;
		u->skf.data = ike_fuzz_bytes(r, ike_fuzz_u8(r), &u->skf.len);
		break;
	default:
		ike_fuzz_fill_typed(r, k, u);
		break;
	}
}

/* A payload a builder wrote parses with its type's parser. */
static void ike_fuzz_check_built(const struct ike_payload *pl, union ike_fuzz_body *u)
{
	static const struct {
		uint8_t type;
		enum ike_fuzz_kind kind;
	} kinds[] = {
		{ IKEV2_PL_KE, IKE_FUZZ_KE },		{ IKEV2_PL_NONCE, IKE_FUZZ_NONCE },
		{ IKEV2_PL_NOTIFY, IKE_FUZZ_NOTIFY },	{ IKEV2_PL_IDI, IKE_FUZZ_ID },
		{ IKEV2_PL_AUTH, IKE_FUZZ_AUTH },	{ IKEV2_PL_CERT, IKE_FUZZ_CERT },
		{ IKEV2_PL_CERTREQ, IKE_FUZZ_CERTREQ },	{ IKEV2_PL_DELETE, IKE_FUZZ_DELETE },
		{ IKEV2_PL_VENDOR, IKE_FUZZ_VENDOR },	{ IKEV2_PL_TSR, IKE_FUZZ_TS },
		{ IKEV2_PL_CP, IKE_FUZZ_CP },		{ IKEV2_PL_SK, IKE_FUZZ_SK },
		{ IKEV2_PL_SKF, IKE_FUZZ_SKF },
	};
	size_t i;

	/* An SA is built as a response when it has one proposal. */
	if (pl->type == IKEV2_PL_SA) {
		IKE_FUZZ_ASSERT(!ike_msg_parse_sa(pl->body, pl->len, true, &u->sa, NULL) ||
				!ike_msg_parse_sa(pl->body, pl->len, false, &u->sa, NULL));
		return;
	}
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (kinds[i].type == pl->type)
			IKE_FUZZ_ASSERT(ike_fuzz_parse(kinds[i].kind, pl->body, pl->len, u,
						       NULL) == 0);
}

/*
 * Payloads from the input until it runs out or the builder refuses, into
 * a buffer of a size the input picks, malloc'ed to exactly that size so that
 * any write past it is caught. What was built must parse.
 */
static void ike_fuzz_builders(const uint8_t *data, size_t size)
{
	struct ike_fuzz_reader r = { data, size, 0 };
	static union ike_fuzz_body u, check;
	static const struct ike_hdr hdr;
	enum ike_fuzz_kind k = 0;
	struct ike_msg_err err;
	struct ike_builder b;
	size_t cap, len, i, before;
	struct ike_msg m;
	uint8_t *buf;
	int rc = 0;

	cap = ike_fuzz_u16(&r) % 2048;
	buf = malloc(cap ? cap : 1);
	IKE_FUZZ_ASSERT(buf != NULL);
	ike_msg_build_init(&b, buf, cap, &hdr);
	while (!rc && r.off < r.len) {
		k = ike_fuzz_u8(&r) % IKE_FUZZ_KINDS;
		ike_fuzz_fill(&r, k, &u);
		before = b.len;
		rc = ike_fuzz_build(k, &b, &u);
		ike_fuzz_check_err(rc, &b.err);
		IKE_FUZZ_ASSERT(b.len <= cap);
		if (rc)
			IKE_FUZZ_ASSERT(b.len == before);
		if (b.sealed)
			break;
	}
	rc = ike_msg_build_end(&b, &len);
	if (!rc) {
		if (ike_msg_parse(buf, len, &m, &err)) {
			fprintf(stderr, "built message refused: %s\n", err.reason);
			ike_fuzz_die(__LINE__, "what was built parses");
		}
		for (i = 0; i < m.chain.n; i++)
			ike_fuzz_check_built(&m.chain.pl[i], &check);
	}
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *ike;
	size_t ike_len;

	ike_fuzz_message(data, size);
	if (!ike_msg_natt_strip(data, size, &ike, &ike_len, NULL))
		ike_fuzz_message(ike, ike_len);
	ike_fuzz_builders(data, size);
	return 0;
}

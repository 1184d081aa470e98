// SPDX-License-Identifier: GPL-2.0
/*
 * The IKEv1 message codec: ISAKMP's header, generic payloads and payload
 * bodies (RFC 2408 §3), in the IPsec DOI's forms (RFC 2407 §4.6), with
 * IKE's rules on top (RFC 2409) and the NAT-T payloads (RFC 3947 §5).
 *
 * As in msg.c, parsers trust no length: each one is checked against the
 * octets its container really has before anything behind it is read.
 * Builders write a payload, parse it back with its parser and take it out
 * again when the parser refuses, so that whatever they emit is something
 * the parsers accept: one set of rules, not two that drift apart.
 *
 * RESERVED fields must be zero: RFC 2408 §2.5.2 has receivers check them.
 * A parsed message therefore rebuilds octet for octet.
 */
#include <stdio.h>
#include <string.h>

#include "v1msg.h"
#include "wire.h"

#define IKE_V1_SA_HDR_LEN	8	/* DOI, situation */
#define IKE_V1_SUB_HDR_LEN	8	/* proposal and transform headers */
#define IKE_V1_ATTR_HDR_LEN	4
#define IKE_V1_N_HDR_LEN	8	/* notification and delete: DOI, then 4 */
#define IKE_V1_ID_HDR_LEN	4

/* wire.c walks and builds ISAKMP's framing, IKEv1's own. */
_Static_assert(IKEV1_HDR_LEN == IKE_WIRE_HDR_LEN && IKEV1_PAYLOAD_HDR_LEN == IKE_WIRE_PL_HDR_LEN &&
	       IKEV1_PL_NONE == IKE_WIRE_PL_NONE && IKE_V1_MSG_BODY_MAX == IKE_WIRE_BODY_MAX,
	       "ISAKMP's header and generic payload header are what wire.c writes");

/* struct ike_v1_builder's named fields must be its core's, in place and size. */
#define IKE_V1_CORE_FIELD(f)							\
	_Static_assert(offsetof(struct ike_v1_builder, f) ==			\
		       offsetof(struct ike_v1_builder, core.f) &&			\
		       sizeof(((struct ike_v1_builder *)0)->f) ==			\
		       sizeof(((struct ike_v1_builder *)0)->core.f), "ike_v1_builder." #f)
IKE_V1_CORE_FIELD(buf);
IKE_V1_CORE_FIELD(cap);
IKE_V1_CORE_FIELD(len);
IKE_V1_CORE_FIELD(n);
IKE_V1_CORE_FIELD(first);
IKE_V1_CORE_FIELD(has_hdr);
IKE_V1_CORE_FIELD(sealed);
IKE_V1_CORE_FIELD(next_off);
IKE_V1_CORE_FIELD(err);

/* Names */

static const struct ike_msg_name ike_v1_payloads[] = {
	{ IKEV1_PL_NONE, "NONE" },
	{ IKEV1_PL_SA, "SA" },
	{ IKEV1_PL_PROPOSAL, "Proposal" },
	{ IKEV1_PL_TRANSFORM, "Transform" },
	{ IKEV1_PL_KE, "KE" },
	{ IKEV1_PL_ID, "ID" },
	{ IKEV1_PL_CERT, "CERT" },
	{ IKEV1_PL_CR, "CR" },
	{ IKEV1_PL_HASH, "HASH" },
	{ IKEV1_PL_SIG, "SIG" },
	{ IKEV1_PL_NONCE, "Nonce" },
	{ IKEV1_PL_N, "Notification" },
	{ IKEV1_PL_D, "Delete" },
	{ IKEV1_PL_VID, "Vendor ID" },
	{ IKEV1_PL_ATTR, "Attribute" },
	{ IKEV1_PL_NAT_D, "NAT-D" },
	{ IKEV1_PL_NAT_OA, "NAT-OA" },
	{ IKEV1_PL_NAT_D_DRAFT, "NAT-D (draft)" },
	{ IKEV1_PL_NAT_OA_DRAFT, "NAT-OA (draft)" },
	{ IKEV1_PL_FRAGMENT, "Fragment" },
};

static const struct ike_msg_name ike_v1_exchanges[] = {
	{ IKEV1_EXCH_BASE, "Base" },
	{ IKEV1_EXCH_IDENTITY_PROT, "Main Mode" },
	{ IKEV1_EXCH_AUTH_ONLY, "Authentication Only" },
	{ IKEV1_EXCH_AGGRESSIVE, "Aggressive Mode" },
	{ IKEV1_EXCH_INFORMATIONAL, "Informational" },
	{ IKEV1_EXCH_TRANSACTION, "Transaction" },
	{ IKEV1_EXCH_QUICK, "Quick Mode" },
	{ IKEV1_EXCH_NEW_GROUP, "New Group Mode" },
};

static const struct ike_msg_name ike_v1_notifies[] = {
	{ IKEV1_N_INVALID_PAYLOAD_TYPE, "INVALID-PAYLOAD-TYPE" },
	{ IKEV1_N_DOI_NOT_SUPPORTED, "DOI-NOT-SUPPORTED" },
	{ IKEV1_N_SITUATION_NOT_SUPPORTED, "SITUATION-NOT-SUPPORTED" },
	{ IKEV1_N_INVALID_COOKIE, "INVALID-COOKIE" },
	{ IKEV1_N_INVALID_MAJOR_VERSION, "INVALID-MAJOR-VERSION" },
	{ IKEV1_N_INVALID_MINOR_VERSION, "INVALID-MINOR-VERSION" },
	{ IKEV1_N_INVALID_EXCHANGE_TYPE, "INVALID-EXCHANGE-TYPE" },
	{ IKEV1_N_INVALID_FLAGS, "INVALID-FLAGS" },
	{ IKEV1_N_INVALID_MESSAGE_ID, "INVALID-MESSAGE-ID" },
	{ IKEV1_N_INVALID_PROTOCOL_ID, "INVALID-PROTOCOL-ID" },
	{ IKEV1_N_INVALID_SPI, "INVALID-SPI" },
	{ IKEV1_N_INVALID_TRANSFORM_ID, "INVALID-TRANSFORM-ID" },
	{ IKEV1_N_ATTRIBUTES_NOT_SUPPORTED, "ATTRIBUTES-NOT-SUPPORTED" },
	{ IKEV1_N_NO_PROPOSAL_CHOSEN, "NO-PROPOSAL-CHOSEN" },
	{ IKEV1_N_BAD_PROPOSAL_SYNTAX, "BAD-PROPOSAL-SYNTAX" },
	{ IKEV1_N_PAYLOAD_MALFORMED, "PAYLOAD-MALFORMED" },
	{ IKEV1_N_INVALID_KEY_INFORMATION, "INVALID-KEY-INFORMATION" },
	{ IKEV1_N_INVALID_ID_INFORMATION, "INVALID-ID-INFORMATION" },
	{ IKEV1_N_INVALID_CERT_ENCODING, "INVALID-CERT-ENCODING" },
	{ IKEV1_N_INVALID_CERTIFICATE, "INVALID-CERTIFICATE" },
	{ IKEV1_N_CERT_TYPE_UNSUPPORTED, "CERT-TYPE-UNSUPPORTED" },
	{ IKEV1_N_INVALID_CERT_AUTHORITY, "INVALID-CERT-AUTHORITY" },
	{ IKEV1_N_INVALID_HASH_INFORMATION, "INVALID-HASH-INFORMATION" },
	{ IKEV1_N_AUTHENTICATION_FAILED, "AUTHENTICATION-FAILED" },
	{ IKEV1_N_INVALID_SIGNATURE, "INVALID-SIGNATURE" },
	{ IKEV1_N_ADDRESS_NOTIFICATION, "ADDRESS-NOTIFICATION" },
	{ IKEV1_N_NOTIFY_SA_LIFETIME, "NOTIFY-SA-LIFETIME" },
	{ IKEV1_N_CERTIFICATE_UNAVAILABLE, "CERTIFICATE-UNAVAILABLE" },
	{ IKEV1_N_UNSUPPORTED_EXCHANGE_TYPE, "UNSUPPORTED-EXCHANGE-TYPE" },
	{ IKEV1_N_UNEQUAL_PAYLOAD_LENGTHS, "UNEQUAL-PAYLOAD-LENGTHS" },
	{ IKEV1_N_RESPONDER_LIFETIME, "RESPONDER-LIFETIME" },
	{ IKEV1_N_REPLAY_STATUS, "REPLAY-STATUS" },
	{ IKEV1_N_INITIAL_CONTACT, "INITIAL-CONTACT" },
	{ IKEV1_N_R_U_THERE, "R-U-THERE" },
	{ IKEV1_N_R_U_THERE_ACK, "R-U-THERE-ACK" },
};


/**
 * ike_v1_msg_payload_name() - a payload type's short name, e.g. "Nonce"
 * @type: enum ikev1_payload
 *
 * Return: the name, "unknown" for a type isakmp.h does not list.
 */
const char *ike_v1_msg_payload_name(unsigned int type)
{
	return ike_msg_lookup(ike_v1_payloads, IKE_MSG_N(ike_v1_payloads), type);
}

/**
 * ike_v1_msg_exchange_name() - an exchange type's name, e.g. "Main Mode"
 * @exchange: enum ikev1_exchange
 *
 * Return: the name, "unknown" for others.
 */
const char *ike_v1_msg_exchange_name(unsigned int exchange)
{
	return ike_msg_lookup(ike_v1_exchanges, IKE_MSG_N(ike_v1_exchanges), exchange);
}

/**
 * ike_v1_msg_notify_name() - a notify message type's name, e.g. "R-U-THERE"
 * @type: enum ikev1_notify_error or enum ikev1_notify_status
 *
 * Return: the name as the RFCs spell it, "unknown" for others.
 */
const char *ike_v1_msg_notify_name(unsigned int type)
{
	return ike_msg_lookup(ike_v1_notifies, IKE_MSG_N(ike_v1_notifies), type);
}

/* The header and the payload chain */

/**
 * ike_v1_msg_parse_hdr() - parse and check the ISAKMP header of a datagram
 * @buf: the datagram (after the non-ESP marker on port 4500)
 * @len: its length
 * @hdr: filled in; on every failure but IKE_MSG_E_TRUNCATED too, so that
 *	the caller can answer, log, or hand an IKEv2 message on
 * @err: filled on failure; may be NULL
 *
 * Return: 0; IKE_MSG_E_TRUNCATED when @len < 28; IKE_MSG_E_MAJOR for a
 * major version above 1 (2: IKEv2's); IKE_MSG_E_OLD_MAJOR for 0;
 * IKE_MSG_E_BAD_VALUE for a minor version other than 0, which RFC 2408
 * §3.1 has receivers refuse (INVALID-MINOR-VERSION); IKE_MSG_E_MSG_LEN when
 * the Length field is not @len.
 */
int ike_v1_msg_parse_hdr(const uint8_t *buf, size_t len, struct ike_v1_hdr *hdr,
			 struct ike_msg_err *err)
{
	unsigned int v1 = IKEV1_VERSION >> 4;

	if (len < IKEV1_HDR_LEN)
		return IKE_MSG_FAIL(err, IKE_MSG_E_TRUNCATED,
				   "header: %zu octets, an ISAKMP header has %d", len,
				   IKEV1_HDR_LEN);
	memcpy(hdr->icookie, buf, IKEV1_COOKIE_LEN);
	memcpy(hdr->rcookie, buf + IKEV1_COOKIE_LEN, IKEV1_COOKIE_LEN);
	hdr->next = buf[16];
	hdr->major = buf[17] >> 4;
	hdr->minor = buf[17] & 0x0f;
	hdr->exchange = buf[18];
	hdr->flags = buf[19];
	hdr->msg_id = ike_get32(buf + 20);
	hdr->length = ike_get32(buf + 24);
	/* Version first: an IKEv2 message's rules are IKEv2's to check. */
	if (hdr->major > v1)
		return IKE_MSG_FAIL(err, IKE_MSG_E_MAJOR, "header: major version %u is not IKEv1",
				   hdr->major);
	if (hdr->major < v1)
		return IKE_MSG_FAIL(err, IKE_MSG_E_OLD_MAJOR,
				   "header: major version %u, only %u is spoken", hdr->major, v1);
	if (hdr->minor)
		return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_VALUE,
				   "header: minor version %u, only 0 is spoken", hdr->minor);
	if (hdr->length != len)
		return IKE_MSG_FAIL(err, IKE_MSG_E_MSG_LEN,
				   "header: Length %u, but the datagram has %zu octets",
				   hdr->length, len);
	return 0;
}

/* Proposals and transforms live inside SA payloads only (RFC 2408 §3.4). */
static bool ike_v1_is_substructure(uint8_t type)
{
	return type == IKEV1_PL_PROPOSAL || type == IKEV1_PL_TRANSFORM;
}

/**
 * ike_v1_msg_parse_chain() - walk a chain of payloads
 * @first: the type of the first payload: the header's Next Payload
 * @buf: the payloads: what follows the header, or the decrypted body
 * @len: their length
 * @decrypted: @buf is a decrypted body, whose last payload may be followed
 *	by CBC padding (RFC 2409 §5.3); a plaintext message must end exactly
 *	where its last payload does
 * @chain: filled in; its payloads point into @buf
 * @err: filled on failure; may be NULL
 *
 * Payload bodies are the body parsers' business; unknown payload types are
 * kept for the caller (INVALID-PAYLOAD-TYPE). Proposal and Transform
 * payloads outside an SA are an error (IKE_MSG_E_CHAIN).
 *
 * Return: 0 or a negative enum ike_msg_code.
 */
int ike_v1_msg_parse_chain(uint8_t first, const uint8_t *buf, size_t len, bool decrypted,
			   struct ike_v1_chain *chain, struct ike_msg_err *err)
{
	struct ike_wire_payload gp;
	uint8_t type = first;
	size_t off = 0;
	char who[48];
	int rc;

	chain->n = 0;
	chain->start = buf;
	chain->len = 0;
	chain->pad = 0;
	while (type != IKEV1_PL_NONE) {
		ike_wire_label(who, sizeof(who), chain->n + 1, type, ike_v1_msg_payload_name(type));
		if (ike_v1_is_substructure(type))
			return IKE_MSG_FAIL(err, IKE_MSG_E_CHAIN, "%s outside an SA payload", who);
		if (off == len)
			return IKE_MSG_FAIL(err, IKE_MSG_E_CHAIN,
					   "%s announced, but the message ends", who);
		if (chain->n == IKE_V1_MSG_MAX_PAYLOADS)
			return IKE_MSG_FAIL(err, IKE_MSG_E_TOO_MANY, "%s: more than %d payloads",
					   who, IKE_V1_MSG_MAX_PAYLOADS);
		/* RFC 2408 §2.5.2: RESERVED must be zero, and receivers check. */
		rc = ike_wire_walk_one(buf + off, len - off, who, 0xff, &gp, err);
		if (rc)
			return rc;
		chain->pl[chain->n++] = (struct ike_v1_payload){
			.type = type,
			.body = gp.body,
			.len = gp.len,
		};
		off += IKE_WIRE_PL_HDR_LEN + gp.len;
		type = gp.next;
	}
	chain->len = off;
	if (off != len && !decrypted)
		return IKE_MSG_FAIL(err, IKE_MSG_E_CHAIN, "%zu octets after the last payload",
				   len - off);
	chain->pad = len - off;
	return 0;
}

/**
 * ike_v1_msg_parse() - parse a datagram into its header and payloads
 * @buf: the datagram (after the non-ESP marker on port 4500)
 * @len: its length
 * @msg: filled in; its payloads point into @buf
 * @err: filled on failure; may be NULL
 *
 * Checks the header and, for an unencrypted message, walks its payloads.
 * An encrypted message's body is left to the caller to decrypt and to walk
 * with ike_v1_msg_parse_chain(@msg->hdr.next, ..., true, ...).
 *
 * Return: 0 or a negative enum ike_msg_code.
 */
int ike_v1_msg_parse(const uint8_t *buf, size_t len, struct ike_v1_msg *msg,
		     struct ike_msg_err *err)
{
	int rc;

	msg->body = NULL;
	msg->body_len = 0;
	msg->chain.n = 0;
	msg->chain.start = NULL;
	msg->chain.len = 0;
	msg->chain.pad = 0;
	rc = ike_v1_msg_parse_hdr(buf, len, &msg->hdr, err);
	if (rc)
		return rc;
	msg->body = buf + IKEV1_HDR_LEN;
	msg->body_len = len - IKEV1_HDR_LEN;
	if (!(msg->hdr.flags & IKEV1_FLAG_ENCRYPTION))
		return ike_v1_msg_parse_chain(msg->hdr.next, msg->body, msg->body_len, false,
					      &msg->chain, err);
	msg->chain.start = msg->body;
	if (!msg->body_len)
		return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_LEN,
				   "header: encryption flag set, but nothing follows the header");
	return 0;
}

/**
 * ike_v1_chain_find() - the next payload of a type
 * @chain: a parsed chain
 * @type: the payload type to look for
 * @from: index to start at (0, or one past the previous find)
 *
 * Return: its index in @chain, -1 when there is none.
 */
int ike_v1_chain_find(const struct ike_v1_chain *chain, uint8_t type, size_t from)
{
	size_t i;

	for (i = from; i < chain->n; i++)
		if (chain->pl[i].type == type)
			return (int)i;
	return -1;
}

/**
 * ike_v1_chain_after() - the octets that follow a payload, padding excluded
 * @chain: a parsed chain
 * @i: the payload's index
 * @after: set to the payloads after payload @i, generic headers included,
 *	up to the end of the last one; empty when @i is the last or past it
 *
 * What Quick Mode's HASH(1) and HASH(2) and an Informational exchange's
 * HASH(1) cover once @i is the HASH payload (RFC 2409 §5.5, §5.7).
 */
void ike_v1_chain_after(const struct ike_v1_chain *chain, size_t i, struct ike_blob *after)
{
	const struct ike_v1_payload *pl;
	size_t from;

	after->data = NULL;
	after->len = 0;
	if (i >= chain->n)
		return;
	pl = &chain->pl[i];
	from = (size_t)(pl->body - chain->start) + pl->len;
	after->data = pl->body + pl->len;
	after->len = chain->len - from;
}

/* SPIs (RFC 2408 §3.5, RFC 2407 §4.4.1) */

/*
 * The SPI sizes a protocol allows: ISAKMP's is the cookie pair, so any size
 * up to 16 is taken and ignored (RFC 2408 §3.5); AH and ESP have 4 octets;
 * IPCOMP's CPI is 2, which some send as 4. @optional lets notifications
 * omit the SPI. Protocols not known here get any size up to 16.
 */
static bool ike_v1_spi_size_ok(uint8_t proto, uint8_t size, bool optional)
{
	switch (proto) {
	case IKEV1_PROTO_ISAKMP:
		return size <= IKEV1_ISAKMP_SPI_LEN;
	case IKEV1_PROTO_AH:
	case IKEV1_PROTO_ESP:
		return size == 4 || (optional && size == 0);
	case IKEV1_PROTO_IPCOMP:
		return size == 2 || size == 4 || (optional && size == 0);
	default:
		return size <= IKE_V1_MSG_SPI_MAX;
	}
}

/* Data attributes (RFC 2408 §3.3) */

enum ike_v1_attr_class {
	IKE_V1_ATTR_UNKNOWN,
	IKE_V1_ATTR_BASIC,
	IKE_V1_ATTR_VARIABLE,
};

#define IKE_V1_BIT(n) (1u << (n))

/*
 * Basic or variable, by the tables of RFC 2409 Appendix A (Phase 1, in
 * ISAKMP proposals) and RFC 2407 §4.5 (Phase 2, in AH, ESP and IPCOMP
 * proposals): bit n of a mask stands for attribute type n.
 */
static enum ike_v1_attr_class ike_v1_attr_class(uint8_t proto, uint16_t type)
{
	static const uint32_t p1_known = 0x1fffe;	/* 1 to 16 */
	static const uint32_t p1_var = IKE_V1_BIT(IKEV1_P1_GROUP_PRIME) |
		IKE_V1_BIT(IKEV1_P1_GROUP_GEN_ONE) | IKE_V1_BIT(IKEV1_P1_GROUP_GEN_TWO) |
		IKE_V1_BIT(IKEV1_P1_GROUP_CURVE_A) | IKE_V1_BIT(IKEV1_P1_GROUP_CURVE_B) |
		IKE_V1_BIT(IKEV1_P1_LIFE_DURATION) | IKE_V1_BIT(IKEV1_P1_GROUP_ORDER);
	static const uint32_t p2_known = 0xffe;		/* 1 to 11 */
	static const uint32_t p2_var = IKE_V1_BIT(IKEV1_P2_LIFE_DURATION) |
		IKE_V1_BIT(IKEV1_P2_COMP_PRIV_ALG);
	uint32_t known, var;

	switch (proto) {
	case IKEV1_PROTO_ISAKMP:
		known = p1_known;
		var = p1_var;
		break;
	case IKEV1_PROTO_AH:
	case IKEV1_PROTO_ESP:
	case IKEV1_PROTO_IPCOMP:
		known = p2_known;
		var = p2_var;
		break;
	default:
		return IKE_V1_ATTR_UNKNOWN;
	}
	if (type > 31 || !(known & IKE_V1_BIT(type)))
		return IKE_V1_ATTR_UNKNOWN;
	return var & IKE_V1_BIT(type) ? IKE_V1_ATTR_VARIABLE : IKE_V1_ATTR_BASIC;
}

/* One attribute at @p, @left octets there: its size, or 0 when it does not fit. */
static size_t ike_v1_attr_decode(const uint8_t *p, size_t left, struct ike_v1_attr *a)
{
	uint16_t type;
	size_t i;

	if (left < IKE_V1_ATTR_HDR_LEN)
		return 0;
	type = ike_get16(p);
	a->type = type & IKEV1_ATTR_TYPE_MASK;
	a->tv = type & IKEV1_ATTR_AF;
	a->value = 0;
	if (a->tv) {
		a->data = p + 2;
		a->len = 2;
		a->value = ike_get16(p + 2);
		return IKE_V1_ATTR_HDR_LEN;
	}
	a->len = ike_get16(p + 2);
	if (a->len > left - IKE_V1_ATTR_HDR_LEN)
		return 0;
	a->data = p + IKE_V1_ATTR_HDR_LEN;
	for (i = 0; a->len <= sizeof(a->value) && i < a->len; i++)
		a->value = a->value << 8 | a->data[i];
	return IKE_V1_ATTR_HDR_LEN + a->len;
}

/* Check a parsed transform's attributes and count them. */
static int ike_v1_check_attrs(uint8_t proto, const char *who, struct ike_v1_transform *t,
			      struct ike_msg_err *err)
{
	struct ike_v1_attr a;
	size_t off, used, left;

	t->n_attrs = 0;
	for (off = 0; off < t->raw_len; off += used) {
		left = t->raw_len - off;
		if (t->n_attrs == IKE_V1_MSG_MAX_ATTRS)
			return IKE_MSG_FAIL(err, IKE_MSG_E_TOO_MANY, "%s: more than %d attributes",
					   who, IKE_V1_MSG_MAX_ATTRS);
		if (left < IKE_V1_ATTR_HDR_LEN)
			return IKE_MSG_FAIL(err, IKE_MSG_E_TRUNCATED,
					   "%s: attribute %zu truncated (%zu of %d octets)", who,
					   t->n_attrs + 1, left, IKE_V1_ATTR_HDR_LEN);
		used = ike_v1_attr_decode(t->raw + off, left, &a);
		if (!used)
			return IKE_MSG_FAIL(err, IKE_MSG_E_OVERRUN,
					   "%s: attribute %zu (type %u): %zu-octet value runs past "
					   "the transform", who, t->n_attrs + 1, a.type, a.len);
		/* RFC 2409 App. A: basic attributes MUST NOT be encoded as variable. */
		if (!a.tv && ike_v1_attr_class(proto, a.type) == IKE_V1_ATTR_BASIC)
			return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_VALUE,
					   "%s: attribute %zu (type %u) is basic, but in TLV form",
					   who, t->n_attrs + 1, a.type);
		t->n_attrs++;
	}
	return 0;
}

/**
 * ike_v1_attr_iter_init() - start reading a transform's attributes
 * @it: the iterator
 * @t: a parsed transform, or one with attributes in @t->attr
 */
void ike_v1_attr_iter_init(struct ike_v1_attr_iter *it, const struct ike_v1_transform *t)
{
	it->t = t;
	it->i = 0;
	it->off = 0;
}

/**
 * ike_v1_attr_next() - the next attribute of a transform
 * @it: the iterator
 * @attr: filled in
 *
 * Octets that do not make an attribute end the walk: a transform that
 * ike_v1_msg_parse_sa() accepted has none.
 *
 * Return: true when @attr was filled, false at the end.
 */
bool ike_v1_attr_next(struct ike_v1_attr_iter *it, struct ike_v1_attr *attr)
{
	const struct ike_v1_transform *t = it->t;
	size_t used;

	if (t->attr) {
		if (it->i >= t->n_attrs)
			return false;
		*attr = t->attr[it->i++];
		return true;
	}
	if (!t->raw || it->off >= t->raw_len)
		return false;
	used = ike_v1_attr_decode(t->raw + it->off, t->raw_len - it->off, attr);
	if (!used)
		return false;
	it->off += used;
	it->i++;
	return true;
}

/**
 * ike_v1_transform_attr() - a transform's first attribute of a type
 * @t: the transform
 * @type: the attribute type, e.g. IKEV1_P1_LIFE_DURATION
 * @attr: filled in when found
 *
 * Life Type and Life Duration may come in pairs (seconds, kilobytes): walk
 * those with ike_v1_attr_next().
 *
 * Return: true when found.
 */
bool ike_v1_transform_attr(const struct ike_v1_transform *t, uint16_t type,
			   struct ike_v1_attr *attr)
{
	struct ike_v1_attr_iter it;
	struct ike_v1_attr a;

	ike_v1_attr_iter_init(&it, t);
	while (ike_v1_attr_next(&it, &a)) {
		if (a.type == type) {
			*attr = a;
			return true;
		}
	}
	return false;
}

/* The SA payload (RFC 2408 §3.4 to §3.6, RFC 2407 §4.6.1) */

/* One transform (§3.6); *more is its Next Payload octet. */
static int ike_v1_parse_transform(const uint8_t *p, size_t left, const char *who, uint8_t proto,
				  struct ike_v1_transform *t, size_t *used, uint8_t *more,
				  struct ike_msg_err *err)
{
	size_t tlen;

	if (left < IKE_V1_SUB_HDR_LEN)
		return IKE_MSG_FAIL(err, IKE_MSG_E_TRUNCATED,
				   "%s: %zu octets left, less than its %d-octet header", who, left,
				   IKE_V1_SUB_HDR_LEN);
	*more = p[0];
	tlen = ike_get16(p + 2);
	if (tlen < IKE_V1_SUB_HDR_LEN)
		return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_LEN,
				   "%s: length %zu shorter than its %d-octet header", who, tlen,
				   IKE_V1_SUB_HDR_LEN);
	if (tlen > left)
		return IKE_MSG_FAIL(err, IKE_MSG_E_OVERRUN,
				   "%s: length %zu runs past the proposal (%zu octets left)", who,
				   tlen, left);
	if (*more != IKEV1_LAST && *more != IKEV1_MORE_TRANSFORMS)
		return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_VALUE,
				   "%s: Next Payload %u, neither 0 nor %d", who, *more,
				   IKEV1_MORE_TRANSFORMS);
	if (p[1] || ike_get16(p + 6))
		return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_VALUE, "%s: RESERVED fields not 0", who);
	t->num = p[4];
	t->id = p[5];
	t->attr = NULL;
	t->raw = p + IKE_V1_SUB_HDR_LEN;
	t->raw_len = tlen - IKE_V1_SUB_HDR_LEN;
	*used = tlen;
	return ike_v1_check_attrs(proto, who, t, err);
}

/* The transforms of a proposal: as many as it announces, chained 3, 3, ..., 0. */
static int ike_v1_parse_transforms(const uint8_t *p, size_t len, const char *who,
				   struct ike_v1_proposal *prop, struct ike_msg_err *err)
{
	size_t i, off = 0, used;
	char twho[80];
	uint8_t more;
	int rc;

	for (i = 0; i < prop->n_transforms; i++) {
		snprintf(twho, sizeof(twho), "%s, transform %zu", who, i + 1);
		rc = ike_v1_parse_transform(p + off, len - off, twho, prop->proto, &prop->tr[i],
					    &used, &more, err);
		if (rc)
			return rc;
		off += used;
		if (more == IKEV1_LAST && i + 1 < prop->n_transforms)
			return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_VALUE,
					   "%s: marked last, but %zu transforms announced", twho,
					   prop->n_transforms);
		if (more != IKEV1_LAST && i + 1 == prop->n_transforms)
			return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_VALUE,
					   "%s: marked more, but only %zu transforms announced",
					   twho, prop->n_transforms);
	}
	if (off != len)
		return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_LEN,
				   "%s: %zu octets after its last transform", who, len - off);
	return 0;
}

/* One proposal (§3.5); *more is its Next Payload octet. */
static int ike_v1_parse_proposal(const uint8_t *p, size_t left, size_t idx,
				 struct ike_v1_proposal *prop, size_t *used, uint8_t *more,
				 struct ike_msg_err *err)
{
	size_t plen, hlen;
	char who[32];

	snprintf(who, sizeof(who), "SA: proposal %zu", idx);
	if (left < IKE_V1_SUB_HDR_LEN)
		return IKE_MSG_FAIL(err, IKE_MSG_E_TRUNCATED,
				   "%s: %zu octets left, less than its %d-octet header", who, left,
				   IKE_V1_SUB_HDR_LEN);
	*more = p[0];
	plen = ike_get16(p + 2);
	prop->num = p[4];
	prop->proto = p[5];
	prop->spi_size = p[6];
	prop->n_transforms = p[7];
	prop->spi = p + IKE_V1_SUB_HDR_LEN;
	if (plen < IKE_V1_SUB_HDR_LEN)
		return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_LEN,
				   "%s: length %zu shorter than its %d-octet header", who, plen,
				   IKE_V1_SUB_HDR_LEN);
	if (plen > left)
		return IKE_MSG_FAIL(err, IKE_MSG_E_OVERRUN,
				   "%s: length %zu runs past the SA payload (%zu octets left)",
				   who, plen, left);
	if (*more != IKEV1_LAST && *more != IKEV1_MORE_PROPOSALS)
		return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_VALUE,
				   "%s: Next Payload %u, neither 0 nor %d", who, *more,
				   IKEV1_MORE_PROPOSALS);
	if (p[1])
		return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_VALUE, "%s: RESERVED is 0x%02x, not 0",
				   who, p[1]);
	if (!ike_v1_spi_size_ok(prop->proto, prop->spi_size, false))
		return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_VALUE,
				   "%s: SPI size %u does not suit protocol %u", who,
				   prop->spi_size, prop->proto);
	hlen = IKE_V1_SUB_HDR_LEN + prop->spi_size;
	if (plen < hlen)
		return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_LEN,
				   "%s: length %zu too short for its %u-octet SPI", who, plen,
				   prop->spi_size);
	if (!prop->n_transforms)
		return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_VALUE, "%s: no transform", who);
	if (prop->n_transforms > IKE_V1_MSG_MAX_TRANSFORMS)
		return IKE_MSG_FAIL(err, IKE_MSG_E_TOO_MANY,
				   "%s: %zu transforms, at most %d are taken", who,
				   prop->n_transforms, IKE_V1_MSG_MAX_TRANSFORMS);
	*used = plen;
	return ike_v1_parse_transforms(p + hlen, plen - hlen, who, prop, err);
}

/**
 * ike_v1_msg_parse_sa() - parse an SA payload's body
 * @body: the payload body
 * @len: its length
 * @sa: filled in, as far as parsing got
 * @err: filled on failure; may be NULL
 *
 * The DOI must be IPsec and the situation SIT_IDENTITY_ONLY. Every proposal
 * and transform length, Next Payload octet, count, SPI size and attribute
 * is checked; proposal numbers may repeat (a bundle) but not go down. What
 * the proposals say is the caller's to judge.
 *
 * Return: 0 or a negative enum ike_msg_code.
 */
int ike_v1_msg_parse_sa(const uint8_t *body, size_t len, struct ike_v1_sa *sa,
			struct ike_msg_err *err)
{
	uint8_t more = IKEV1_MORE_PROPOSALS;
	size_t off = IKE_V1_SA_HDR_LEN, used;
	struct ike_v1_proposal *prop;
	int rc = ike_wire_need(len, IKE_V1_SA_HDR_LEN, "SA", err);

	sa->n_proposals = 0;
	if (rc)
		return rc;
	sa->doi = ike_get32(body);
	sa->situation = ike_get32(body + 4);
	if (sa->doi != IKEV1_DOI_IPSEC)
		return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_VALUE,
				   "SA: DOI %u, only the IPsec DOI (%d) is spoken", sa->doi,
				   IKEV1_DOI_IPSEC);
	if (sa->situation != IKEV1_SIT_IDENTITY_ONLY)
		return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_VALUE,
				   "SA: situation 0x%x, only SIT_IDENTITY_ONLY (%d) is spoken",
				   sa->situation, IKEV1_SIT_IDENTITY_ONLY);
	if (off == len)
		return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_VALUE, "SA: no proposal");
	while (off < len) {
		if (more == IKEV1_LAST)
			return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_LEN,
					   "SA: %zu octets after the last proposal", len - off);
		if (sa->n_proposals == IKE_V1_MSG_MAX_PROPOSALS)
			return IKE_MSG_FAIL(err, IKE_MSG_E_TOO_MANY, "SA: more than %d proposals",
					   IKE_V1_MSG_MAX_PROPOSALS);
		prop = &sa->prop[sa->n_proposals];
		rc = ike_v1_parse_proposal(body + off, len - off, sa->n_proposals + 1, prop,
					   &used, &more, err);
		if (rc)
			return rc;
		/* RFC 2408 §4.2: one number is one bundle, the next an alternative. */
		if (sa->n_proposals && prop->num < prop[-1].num)
			return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_VALUE,
					   "SA: proposal %zu numbered %u, after %u", sa->n_proposals + 1,
					   prop->num, prop[-1].num);
		sa->n_proposals++;
		off += used;
	}
	if (more != IKEV1_LAST)
		return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_VALUE,
				   "SA: proposal %zu marked more, but the payload ends",
				   sa->n_proposals);
	return 0;
}

/* The other payloads (RFC 2408 §3.7 to §3.15, RFC 2407 §4.6.2, RFC 3947 §5) */

/**
 * ike_v1_msg_parse_ke() - parse a KE payload's body (§3.7)
 * @body: the payload body: the key exchange data
 * @len: its length, not 0
 * @ke: filled in
 * @err: filled on failure; may be NULL
 *
 * The group is the SA's; whether the length suits it is the crypto's
 * business.
 *
 * Return: 0 or IKE_MSG_E_BAD_LEN.
 */
int ike_v1_msg_parse_ke(const uint8_t *body, size_t len, struct ike_blob *ke,
			struct ike_msg_err *err)
{
	return ike_wire_opaque("KE", body, len, ke, err);
}

/**
 * ike_v1_msg_parse_nonce() - parse a Nonce payload's body (§3.13)
 * @body: the payload body
 * @len: its length, 8 to 256 (RFC 2409 §5)
 * @nonce: filled in
 * @err: filled on failure; may be NULL
 *
 * Return: 0 or IKE_MSG_E_BAD_LEN.
 */
int ike_v1_msg_parse_nonce(const uint8_t *body, size_t len, struct ike_blob *nonce,
			   struct ike_msg_err *err)
{
	if (len < IKE_V1_MSG_NONCE_MIN || len > IKE_V1_MSG_NONCE_MAX)
		return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_LEN,
				   "Nonce: %zu octets, RFC 2409 allows %d to %d", len,
				   IKE_V1_MSG_NONCE_MIN, IKE_V1_MSG_NONCE_MAX);
	nonce->data = body;
	nonce->len = len;
	return 0;
}

/**
 * ike_v1_msg_parse_hash() - parse a HASH payload's body (§3.11)
 * @body: the payload body
 * @len: its length, not 0; whether it is the PRF's is the crypto's business
 * @hash: filled in
 * @err: filled on failure; may be NULL
 *
 * Return: 0 or IKE_MSG_E_BAD_LEN.
 */
int ike_v1_msg_parse_hash(const uint8_t *body, size_t len, struct ike_blob *hash,
			  struct ike_msg_err *err)
{
	return ike_wire_opaque("HASH", body, len, hash, err);
}

/**
 * ike_v1_msg_parse_sig() - parse a SIG payload's body (§3.12)
 * @body: the payload body
 * @len: its length, not 0
 * @sig: filled in
 * @err: filled on failure; may be NULL
 *
 * Return: 0 or IKE_MSG_E_BAD_LEN.
 */
int ike_v1_msg_parse_sig(const uint8_t *body, size_t len, struct ike_blob *sig,
			 struct ike_msg_err *err)
{
	return ike_wire_opaque("SIG", body, len, sig, err);
}

/**
 * ike_v1_msg_parse_vendor() - parse a Vendor ID payload's body (§3.16)
 * @body: the payload body
 * @len: its length, not 0
 * @vid: filled in
 * @err: filled on failure; may be NULL
 *
 * Return: 0 or IKE_MSG_E_BAD_LEN.
 */
int ike_v1_msg_parse_vendor(const uint8_t *body, size_t len, struct ike_blob *vid,
			    struct ike_msg_err *err)
{
	return ike_wire_opaque("Vendor ID", body, len, vid, err);
}

/**
 * ike_v1_msg_parse_nat_d() - parse a NAT-D payload's body (RFC 3947 §3.2)
 * @body: the payload body: a hash of address and port
 * @len: its length, not 0
 * @nat_d: filled in
 * @err: filled on failure; may be NULL
 *
 * For payload type 20 and the drafts' 130 alike.
 *
 * Return: 0 or IKE_MSG_E_BAD_LEN.
 */
int ike_v1_msg_parse_nat_d(const uint8_t *body, size_t len, struct ike_blob *nat_d,
			   struct ike_msg_err *err)
{
	return ike_wire_opaque("NAT-D", body, len, nat_d, err);
}

/* The length an ID type's data must have, 0 when any non-empty one will do. */
static size_t ike_v1_id_len(uint8_t type)
{
	switch (type) {
	case IKEV1_ID_IPV4_ADDR:
		return 4;
	case IKEV1_ID_IPV4_ADDR_SUBNET:
	case IKEV1_ID_IPV4_ADDR_RANGE:
		return 8;
	case IKEV1_ID_IPV6_ADDR:
		return 16;
	case IKEV1_ID_IPV6_ADDR_SUBNET:
	case IKEV1_ID_IPV6_ADDR_RANGE:
		return 32;
	default:
		return 0;
	}
}

/**
 * ike_v1_msg_parse_id() - parse an ID payload's body (RFC 2407 §4.6.2)
 * @body: the payload body
 * @len: its length
 * @id: filled in
 * @err: filled on failure; may be NULL
 *
 * Address types must have their addresses' lengths; others are not empty.
 *
 * Return: 0 or a negative enum ike_msg_code.
 */
int ike_v1_msg_parse_id(const uint8_t *body, size_t len, struct ike_v1_id *id,
			struct ike_msg_err *err)
{
	int rc = ike_wire_need(len, IKE_V1_ID_HDR_LEN, "ID", err);
	size_t want;

	if (rc)
		return rc;
	id->type = body[0];
	id->proto = body[1];
	id->port = ike_get16(body + 2);
	id->data = body + IKE_V1_ID_HDR_LEN;
	id->len = len - IKE_V1_ID_HDR_LEN;
	want = ike_v1_id_len(id->type);
	if (want && id->len != want)
		return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_LEN,
				   "ID: %zu octets of data, type %u needs %zu", id->len, id->type,
				   want);
	if (!id->len)
		return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_LEN, "ID: no identification data");
	return 0;
}

/**
 * ike_v1_msg_parse_cert() - parse a CERT payload's body (§3.9)
 * @body: the payload body
 * @len: its length
 * @cert: filled in
 * @err: filled on failure; may be NULL
 *
 * Return: 0 or a negative enum ike_msg_code.
 */
int ike_v1_msg_parse_cert(const uint8_t *body, size_t len, struct ike_v1_cert *cert,
			  struct ike_msg_err *err)
{
	int rc = ike_wire_need(len, 1, "CERT", err);

	if (rc)
		return rc;
	cert->encoding = body[0];
	cert->data = body + 1;
	cert->len = len - 1;
	if (!cert->len)
		return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_LEN, "CERT: no certificate data");
	return 0;
}

/**
 * ike_v1_msg_parse_cr() - parse a CR payload's body (§3.10)
 * @body: the payload body
 * @len: its length
 * @cr: filled in; @cr->len is 0 for a request for any authority
 * @err: filled on failure; may be NULL
 *
 * Return: 0 or IKE_MSG_E_TRUNCATED.
 */
int ike_v1_msg_parse_cr(const uint8_t *body, size_t len, struct ike_v1_cert *cr,
			struct ike_msg_err *err)
{
	int rc = ike_wire_need(len, 1, "CR", err);

	if (rc)
		return rc;
	cr->encoding = body[0];
	cr->data = body + 1;
	cr->len = len - 1;
	return 0;
}

/* Notification and Delete name their DOI: ISAKMP's or IPsec's. */
static bool ike_v1_doi_ok(uint32_t doi)
{
	return doi == IKEV1_DOI_ISAKMP || doi == IKEV1_DOI_IPSEC;
}

/**
 * ike_v1_msg_parse_notify() - parse a Notification payload's body (§3.14)
 * @body: the payload body
 * @len: its length
 * @n: filled in, as far as parsing got
 * @err: filled on failure; may be NULL
 *
 * The SPI size must suit the protocol: up to 16 for ISAKMP (R-U-THERE
 * carries both cookies), 0 or 4 for AH and ESP, 0, 2 or 4 for IPCOMP.
 *
 * Return: 0 or a negative enum ike_msg_code.
 */
int ike_v1_msg_parse_notify(const uint8_t *body, size_t len, struct ike_v1_notify *n,
			    struct ike_msg_err *err)
{
	int rc = ike_wire_need(len, IKE_V1_N_HDR_LEN, "Notification", err);
	const char *name;

	if (rc)
		return rc;
	n->doi = ike_get32(body);
	n->proto = body[4];
	n->spi_size = body[5];
	n->type = ike_get16(body + 6);
	name = ike_v1_msg_notify_name(n->type);
	if (!ike_v1_doi_ok(n->doi))
		return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_VALUE, "Notification %s (%u): DOI %u",
				   name, n->type, n->doi);
	if (!ike_v1_spi_size_ok(n->proto, n->spi_size, true))
		return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_VALUE,
				   "Notification %s (%u): SPI size %u does not suit protocol %u",
				   name, n->type, n->spi_size, n->proto);
	if (n->spi_size > len - IKE_V1_N_HDR_LEN)
		return IKE_MSG_FAIL(err, IKE_MSG_E_OVERRUN,
				   "Notification %s (%u): %u-octet SPI runs past the payload "
				   "(%zu left)", name, n->type, n->spi_size, len - IKE_V1_N_HDR_LEN);
	n->spi = body + IKE_V1_N_HDR_LEN;
	n->data = n->spi + n->spi_size;
	n->len = len - IKE_V1_N_HDR_LEN - n->spi_size;
	return 0;
}

/**
 * ike_v1_msg_parse_delete() - parse a Delete payload's body (§3.15)
 * @body: the payload body
 * @len: its length
 * @del: filled in, as far as parsing got
 * @err: filled on failure; may be NULL
 *
 * ISAKMP SAs are deleted by their cookies (16-octet SPIs), AH and ESP SAs
 * by 4-octet SPIs, IPCOMP ones by 2- or 4-octet CPIs; at least one, and
 * exactly the octets that many take. Other protocols have nothing to
 * delete.
 *
 * Return: 0 or a negative enum ike_msg_code.
 */
int ike_v1_msg_parse_delete(const uint8_t *body, size_t len, struct ike_v1_delete *del,
			    struct ike_msg_err *err)
{
	int rc = ike_wire_need(len, IKE_V1_N_HDR_LEN, "Delete", err);
	bool size_ok;
	size_t want;

	if (rc)
		return rc;
	del->doi = ike_get32(body);
	del->proto = body[4];
	del->spi_size = body[5];
	del->n_spis = ike_get16(body + 6);
	del->spis = body + IKE_V1_N_HDR_LEN;
	if (!ike_v1_doi_ok(del->doi))
		return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_VALUE, "Delete: DOI %u", del->doi);
	switch (del->proto) {
	case IKEV1_PROTO_ISAKMP:
		size_ok = del->spi_size == IKEV1_ISAKMP_SPI_LEN;
		break;
	case IKEV1_PROTO_AH:
	case IKEV1_PROTO_ESP:
	case IKEV1_PROTO_IPCOMP:
		size_ok = ike_v1_spi_size_ok(del->proto, del->spi_size, false);
		break;
	default:
		return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_VALUE, "Delete: protocol %u", del->proto);
	}
	if (!size_ok)
		return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_VALUE,
				   "Delete: SPI size %u does not suit protocol %u", del->spi_size,
				   del->proto);
	if (!del->n_spis)
		return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_VALUE, "Delete: no SPI");
	want = (size_t)del->n_spis * del->spi_size;
	if (len - IKE_V1_N_HDR_LEN != want)
		return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_LEN,
				   "Delete: %zu octets of SPIs, %u SPIs of %u need %zu",
				   len - IKE_V1_N_HDR_LEN, del->n_spis, del->spi_size, want);
	return 0;
}

/**
 * ike_v1_delete_spi() - one SPI of a parsed Delete payload
 * @del: the payload
 * @i: which, below @del->n_spis
 *
 * Return: its @del->spi_size octets, NULL when there is no such SPI.
 */
const uint8_t *ike_v1_delete_spi(const struct ike_v1_delete *del, size_t i)
{
	if (i >= del->n_spis)
		return NULL;
	return del->spis + i * del->spi_size;
}

/**
 * ike_v1_msg_parse_nat_oa() - parse a NAT-OA payload's body (RFC 3947 §5.2)
 * @body: the payload body
 * @len: its length
 * @oa: filled in
 * @err: filled on failure; may be NULL
 *
 * For payload type 21 and the drafts' 131 alike.
 *
 * Return: 0 or a negative enum ike_msg_code.
 */
int ike_v1_msg_parse_nat_oa(const uint8_t *body, size_t len, struct ike_v1_nat_oa *oa,
			    struct ike_msg_err *err)
{
	int rc = ike_wire_need(len, IKEV1_NAT_OA_HDR_LEN, "NAT-OA", err);
	size_t want;

	if (rc)
		return rc;
	oa->id_type = body[0];
	oa->addr = body + IKEV1_NAT_OA_HDR_LEN;
	oa->len = len - IKEV1_NAT_OA_HDR_LEN;
	if (body[1] || body[2] || body[3])
		return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_VALUE, "NAT-OA: RESERVED not 0");
	if (oa->id_type == IKEV1_ID_IPV4_ADDR)
		want = 4;
	else if (oa->id_type == IKEV1_ID_IPV6_ADDR)
		want = 16;
	else
		return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_VALUE,
				   "NAT-OA: ID type %u, neither IPV4_ADDR (%d) nor IPV6_ADDR (%d)",
				   oa->id_type, IKEV1_ID_IPV4_ADDR, IKEV1_ID_IPV6_ADDR);
	if (oa->len != want)
		return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_LEN,
				   "NAT-OA: address of %zu octets, type %u needs %zu", oa->len,
				   oa->id_type, want);
	return 0;
}

/* Building */

static void ike_v1_builder_reset(struct ike_v1_builder *b, uint8_t *buf, size_t cap)
{
	ike_wire_reset(&b->core, buf, cap);
	b->chain_end = 0;
	memset(b->off, 0, sizeof(b->off));
}

/**
 * ike_v1_msg_build_init() - start a message: write its header
 * @b: the builder
 * @buf: where the message goes
 * @cap: the room there
 * @hdr: cookies, exchange, flags and message ID to write; the version is
 *	always 1.0, Next Payload and Length are filled in as payloads are
 *	added and by ike_v1_msg_build_end()
 *
 * With IKEV1_FLAG_ENCRYPTION in @hdr->flags, the payloads are written in
 * the clear, then padded (ike_v1_msg_add_pad()) and encrypted in place by
 * the caller (ike_v1_msg_span_encrypted()).
 *
 * Return: 0, or IKE_MSG_E_NOSPACE when @cap < 28 (also kept in @b).
 */
int ike_v1_msg_build_init(struct ike_v1_builder *b, uint8_t *buf, size_t cap,
			  const struct ike_v1_hdr *hdr)
{
	int rc;

	ike_v1_builder_reset(b, buf, cap);
	rc = ike_wire_start(&b->core);
	if (rc)
		return rc;
	memcpy(buf, hdr->icookie, IKEV1_COOKIE_LEN);
	memcpy(buf + IKEV1_COOKIE_LEN, hdr->rcookie, IKEV1_COOKIE_LEN);
	buf[17] = IKEV1_VERSION;
	buf[18] = hdr->exchange;
	buf[19] = hdr->flags;
	ike_put32(buf + 20, hdr->msg_id);
	b->chain_end = IKEV1_HDR_LEN;
	return 0;
}

/**
 * ike_v1_msg_chain_init() - start a bare payload chain
 * @b: the builder
 * @buf: where the chain goes
 * @cap: the room there
 *
 * The chain has no header to name its first payload: that type is left in
 * @b->first.
 */
void ike_v1_msg_chain_init(struct ike_v1_builder *b, uint8_t *buf, size_t cap)
{
	ike_v1_builder_reset(b, buf, cap);
}

/**
 * ike_v1_msg_build_end() - finish: set the header's Length
 * @b: the builder
 * @len: set to the length of the message or chain, padding included
 *
 * May be called again after more payloads were added.
 *
 * Return: 0, or the first failure of any call on @b (reason in @b->err).
 */
int ike_v1_msg_build_end(struct ike_v1_builder *b, size_t *len)
{
	return ike_wire_end(&b->core, len);
}

static const struct ike_wire_codec ike_v1_wire = {
	.payload_name = ike_v1_msg_payload_name,
	.last = "the padding",
	.max_payloads = IKE_V1_MSG_MAX_PAYLOADS,
};

/*
 * Append a payload header for a body of @len octets and chain it to the
 * one before; *body is where the body goes. Where it starts is kept for
 * the span helpers.
 */
static int ike_v1_begin(struct ike_v1_builder *b, uint8_t type, size_t len, uint8_t **body,
			struct ike_wire_mark *mark)
{
	int rc = ike_wire_begin(&b->core, &ike_v1_wire, type, 0, len, body, mark);

	if (rc)
		return rc;
	b->off[b->n - 1] = mark->len;
	b->chain_end = b->len;
	return 0;
}

/*
 * A builder wrote a payload and its parser refused it (rc, reason in
 * b->err): take the payload back out and report the struct invalid.
 */
static int ike_v1_take_back(struct ike_v1_builder *b, const struct ike_wire_mark *mark, int rc)
{
	if (rc)
		b->chain_end = mark->len;
	return ike_wire_take_back(&b->core, mark, rc);
}

/**
 * ike_v1_msg_add_raw() - append a payload whose body is ready-made
 * @b: the builder
 * @type: the payload type; not NONE, Proposal or Transform
 * @body: the body
 * @len: its length
 *
 * Return: 0 or a negative enum ike_msg_code (also kept in @b).
 */
int ike_v1_msg_add_raw(struct ike_v1_builder *b, uint8_t type, const uint8_t *body, size_t len)
{
	struct ike_wire_mark mark;
	uint8_t *p;
	int rc;

	if (b->err.code)
		return b->err.code;
	if (type == IKEV1_PL_NONE || ike_v1_is_substructure(type))
		return IKE_MSG_FAIL(&b->err, IKE_MSG_E_INVAL, "raw payload of type %u (%s)", type,
				   ike_v1_msg_payload_name(type));
	rc = ike_v1_begin(b, type, len, &p, &mark);
	if (rc)
		return rc;
	if (len)
		memcpy(p, body, len);
	return 0;
}

/*
 * Write one attribute at @p, or with @p NULL only measure it into *size;
 * refuse, with the reason in b->err, what cannot be written.
 */
static int ike_v1_put_attr(struct ike_v1_builder *b, const char *who, uint8_t proto,
			   const struct ike_v1_attr *a, uint8_t *p, size_t *size)
{
	enum ike_v1_attr_class class = ike_v1_attr_class(proto, a->type);
	size_t i, vlen;
	bool tv;

	if (a->type > IKEV1_ATTR_TYPE_MASK)
		return IKE_MSG_FAIL(&b->err, IKE_MSG_E_INVAL, "%s: attribute type %u is not 15 bits",
				   who, a->type);
	if (a->data) {
		if ((a->tv && a->len != 2) || a->len > 0xffff)
			return IKE_MSG_FAIL(&b->err, IKE_MSG_E_INVAL,
					   "%s: attribute %u of %zu octets in %s form", who, a->type,
					   a->len, a->tv ? "TV" : "TLV");
		*size = IKE_V1_ATTR_HDR_LEN + (a->tv ? 0 : a->len);
		if (p) {
			ike_put16(p, a->type | (a->tv ? IKEV1_ATTR_AF : 0));
			if (a->tv)
				memcpy(p + 2, a->data, 2);
			else
				ike_put16(p + 2, (uint16_t)a->len);
			if (!a->tv && a->len)
				memcpy(p + IKE_V1_ATTR_HDR_LEN, a->data, a->len);
		}
		return 0;
	}
	/* Unknown attributes go as TV when they can: they may be basic. */
	tv = a->tv || class == IKE_V1_ATTR_BASIC ||
	     (class == IKE_V1_ATTR_UNKNOWN && a->value <= 0xffff);
	if (tv && a->value > 0xffff)
		return IKE_MSG_FAIL(&b->err, IKE_MSG_E_INVAL,
				   "%s: attribute %u: value %llu does not fit TV form", who,
				   a->type, (unsigned long long)a->value);
	vlen = tv ? 0 : a->value > UINT32_MAX ? 8 : 4;
	*size = IKE_V1_ATTR_HDR_LEN + vlen;
	if (!p)
		return 0;
	ike_put16(p, a->type | (tv ? IKEV1_ATTR_AF : 0));
	ike_put16(p + 2, (uint16_t)(tv ? a->value : vlen));
	for (i = 0; i < vlen; i++)
		p[IKE_V1_ATTR_HDR_LEN + i] = (uint8_t)(a->value >> 8 * (vlen - 1 - i));
	return 0;
}

/* Write a transform's attributes at @p (NULL: only measure them into *size). */
static int ike_v1_put_attrs(struct ike_v1_builder *b, const char *who, uint8_t proto,
			    const struct ike_v1_transform *t, uint8_t *p, size_t *size)
{
	size_t i, one;
	int rc;

	*size = 0;
	if (!t->attr) {
		*size = t->raw_len;
		if (p && t->raw_len)
			memcpy(p, t->raw, t->raw_len);
		return 0;
	}
	if (t->n_attrs > IKE_V1_MSG_MAX_ATTRS)
		return IKE_MSG_FAIL(&b->err, IKE_MSG_E_INVAL, "%s: %zu attributes, at most %d", who,
				   t->n_attrs, IKE_V1_MSG_MAX_ATTRS);
	for (i = 0; i < t->n_attrs; i++) {
		rc = ike_v1_put_attr(b, who, proto, &t->attr[i], p ? p + *size : NULL, &one);
		if (rc)
			return rc;
		*size += one;
	}
	return 0;
}

/*
 * Write a proposal at @p (NULL: only measure it into *size and check what
 * must hold before it can be written at all).
 */
static int ike_v1_put_proposal(struct ike_v1_builder *b, size_t idx,
			       const struct ike_v1_proposal *prop, bool last, uint8_t *p,
			       size_t *size)
{
	size_t i, alen, tsize, off;
	char who[80];
	uint8_t *t;
	int rc;

	snprintf(who, sizeof(who), "SA: proposal %zu", idx + 1);
	if (prop->n_transforms > IKE_V1_MSG_MAX_TRANSFORMS)
		return IKE_MSG_FAIL(&b->err, IKE_MSG_E_INVAL, "%s: %zu transforms, at most %d",
				   who, prop->n_transforms, IKE_V1_MSG_MAX_TRANSFORMS);
	if (prop->spi_size > IKE_V1_MSG_SPI_MAX || (prop->spi_size && !prop->spi))
		return IKE_MSG_FAIL(&b->err, IKE_MSG_E_INVAL, "%s: SPI size %u", who,
				   prop->spi_size);
	off = IKE_V1_SUB_HDR_LEN + prop->spi_size;
	for (i = 0; i < prop->n_transforms; i++) {
		snprintf(who, sizeof(who), "SA: proposal %zu, transform %zu", idx + 1, i + 1);
		t = p ? p + off : NULL;
		rc = ike_v1_put_attrs(b, who, prop->proto, &prop->tr[i],
				      t ? t + IKE_V1_SUB_HDR_LEN : NULL, &alen);
		if (rc)
			return rc;
		tsize = ike_wire_size_add(IKE_V1_SUB_HDR_LEN, alen);
		if (t) {
			t[0] = i + 1 == prop->n_transforms ? IKEV1_LAST : IKEV1_MORE_TRANSFORMS;
			t[1] = 0;
			ike_put16(t + 2, (uint16_t)tsize);
			t[4] = prop->tr[i].num;
			t[5] = prop->tr[i].id;
			ike_put16(t + 6, 0);
		}
		off = ike_wire_size_add(off, tsize);
	}
	*size = off;
	if (!p)
		return 0;
	p[0] = last ? IKEV1_LAST : IKEV1_MORE_PROPOSALS;
	p[1] = 0;
	ike_put16(p + 2, (uint16_t)off);
	p[4] = prop->num;
	p[5] = prop->proto;
	p[6] = prop->spi_size;
	p[7] = (uint8_t)prop->n_transforms;
	if (prop->spi_size)
		memcpy(p + IKE_V1_SUB_HDR_LEN, prop->spi, prop->spi_size);
	return 0;
}

/*
 * Write the SA body at @body (NULL: only measure it into *size). A length
 * that would not fit its 16-bit field is caught by ike_v1_begin()'s check
 * on the whole body, which holds every proposal and transform.
 */
static int ike_v1_put_sa(struct ike_v1_builder *b, const struct ike_v1_sa *sa, uint8_t *body,
			 size_t *size)
{
	size_t i, one, off = IKE_V1_SA_HDR_LEN;
	int rc;

	if (sa->n_proposals > IKE_V1_MSG_MAX_PROPOSALS)
		return IKE_MSG_FAIL(&b->err, IKE_MSG_E_INVAL, "SA: %zu proposals, at most %d",
				   sa->n_proposals, IKE_V1_MSG_MAX_PROPOSALS);
	if (body) {
		ike_put32(body, sa->doi);
		ike_put32(body + 4, sa->situation);
	}
	for (i = 0; i < sa->n_proposals; i++) {
		rc = ike_v1_put_proposal(b, i, &sa->prop[i], i + 1 == sa->n_proposals,
					 body ? body + off : NULL, &one);
		if (rc)
			return rc;
		off = ike_wire_size_add(off, one);
	}
	*size = off;
	return 0;
}

/**
 * ike_v1_msg_add_sa() - append an SA payload
 * @b: the builder
 * @sa: DOI, situation and proposals. Each transform's attributes are
 *	written from its @attr array, TV or TLV as struct ike_v1_attr says
 *	(basic ones TV, variable ones TLV unless asked for TV), or copied
 *	from its @raw octets when @attr is NULL
 *
 * Return: 0 or a negative enum ike_msg_code (also kept in @b).
 */
int ike_v1_msg_add_sa(struct ike_v1_builder *b, const struct ike_v1_sa *sa)
{
	struct ike_wire_mark mark;
	struct ike_v1_sa check;
	size_t size;
	uint8_t *body;
	int rc;

	if (b->err.code)
		return b->err.code;
	rc = ike_v1_put_sa(b, sa, NULL, &size);
	if (rc)
		return rc;
	rc = ike_v1_begin(b, IKEV1_PL_SA, size, &body, &mark);
	if (rc)
		return rc;
	ike_v1_put_sa(b, sa, body, &size);
	rc = ike_v1_msg_parse_sa(body, size, &check, &b->err);
	return ike_v1_take_back(b, &mark, rc);
}

typedef int (*ike_v1_blob_parser)(const uint8_t *body, size_t len, struct ike_blob *blob,
				  struct ike_msg_err *err);

/* A payload whose body is opaque octets; NULL @data leaves zeroed room. */
static int ike_v1_add_opaque(struct ike_v1_builder *b, uint8_t type, ike_v1_blob_parser parse,
			     const uint8_t *data, size_t len)
{
	struct ike_wire_mark mark;
	struct ike_blob check;
	uint8_t *body;
	int rc;

	rc = ike_v1_begin(b, type, len, &body, &mark);
	if (rc)
		return rc;
	if (data && len)
		memcpy(body, data, len);
	else if (len)
		memset(body, 0, len);
	rc = parse(body, len, &check, &b->err);
	return ike_v1_take_back(b, &mark, rc);
}

/**
 * ike_v1_msg_add_ke() - append a KE payload
 * @b: the builder
 * @ke: the key exchange data
 * @len: its length, not 0
 *
 * Return: 0 or a negative enum ike_msg_code (also kept in @b).
 */
int ike_v1_msg_add_ke(struct ike_v1_builder *b, const uint8_t *ke, size_t len)
{
	return ike_v1_add_opaque(b, IKEV1_PL_KE, ike_v1_msg_parse_ke, ke, len);
}

/**
 * ike_v1_msg_add_nonce() - append a Nonce payload
 * @b: the builder
 * @nonce: the nonce
 * @len: its length, 8 to 256
 *
 * Return: 0 or a negative enum ike_msg_code (also kept in @b).
 */
int ike_v1_msg_add_nonce(struct ike_v1_builder *b, const uint8_t *nonce, size_t len)
{
	return ike_v1_add_opaque(b, IKEV1_PL_NONCE, ike_v1_msg_parse_nonce, nonce, len);
}

/**
 * ike_v1_msg_add_hash() - append a HASH payload
 * @b: the builder
 * @hash: the hash, or NULL for zeroed room to fill in once the octets it
 *	covers are written (ike_v1_msg_span_after(), ike_v1_msg_span_body())
 * @len: its length, not 0
 *
 * Return: 0 or a negative enum ike_msg_code (also kept in @b).
 */
int ike_v1_msg_add_hash(struct ike_v1_builder *b, const uint8_t *hash, size_t len)
{
	return ike_v1_add_opaque(b, IKEV1_PL_HASH, ike_v1_msg_parse_hash, hash, len);
}

/**
 * ike_v1_msg_add_sig() - append a SIG payload
 * @b: the builder
 * @sig: the signature, or NULL for zeroed room to fill in later
 * @len: its length, not 0
 *
 * Return: 0 or a negative enum ike_msg_code (also kept in @b).
 */
int ike_v1_msg_add_sig(struct ike_v1_builder *b, const uint8_t *sig, size_t len)
{
	return ike_v1_add_opaque(b, IKEV1_PL_SIG, ike_v1_msg_parse_sig, sig, len);
}

/**
 * ike_v1_msg_add_vendor() - append a Vendor ID payload
 * @b: the builder
 * @vid: the vendor ID, e.g. IKEV1_VID_DPD
 * @len: its length, not 0
 *
 * Return: 0 or a negative enum ike_msg_code (also kept in @b).
 */
int ike_v1_msg_add_vendor(struct ike_v1_builder *b, const uint8_t *vid, size_t len)
{
	return ike_v1_add_opaque(b, IKEV1_PL_VID, ike_v1_msg_parse_vendor, vid, len);
}

/**
 * ike_v1_msg_add_nat_d() - append a NAT-D payload
 * @b: the builder
 * @type: IKEV1_PL_NAT_D, or IKEV1_PL_NAT_D_DRAFT for a peer that spoke a draft
 * @hash: the hash of address and port
 * @len: its length, not 0
 *
 * Return: 0 or a negative enum ike_msg_code (also kept in @b).
 */
int ike_v1_msg_add_nat_d(struct ike_v1_builder *b, uint8_t type, const uint8_t *hash,
			 size_t len)
{
	if (b->err.code)
		return b->err.code;
	if (type != IKEV1_PL_NAT_D && type != IKEV1_PL_NAT_D_DRAFT)
		return IKE_MSG_FAIL(&b->err, IKE_MSG_E_INVAL, "NAT-D: payload type %u", type);
	return ike_v1_add_opaque(b, type, ike_v1_msg_parse_nat_d, hash, len);
}

/**
 * ike_v1_msg_add_id() - append an ID payload
 * @b: the builder
 * @id: type, protocol, port and data
 *
 * Return: 0 or a negative enum ike_msg_code (also kept in @b).
 */
int ike_v1_msg_add_id(struct ike_v1_builder *b, const struct ike_v1_id *id)
{
	size_t size = ike_wire_size_add(IKE_V1_ID_HDR_LEN, id->len);
	struct ike_wire_mark mark;
	struct ike_v1_id check;
	uint8_t *body;
	int rc;

	rc = ike_v1_begin(b, IKEV1_PL_ID, size, &body, &mark);
	if (rc)
		return rc;
	body[0] = id->type;
	body[1] = id->proto;
	ike_put16(body + 2, id->port);
	if (id->len)
		memcpy(body + IKE_V1_ID_HDR_LEN, id->data, id->len);
	rc = ike_v1_msg_parse_id(body, size, &check, &b->err);
	return ike_v1_take_back(b, &mark, rc);
}

/* CERT and CR: an encoding octet, then data. */
static int ike_v1_add_cert_like(struct ike_v1_builder *b, uint8_t type,
				const struct ike_v1_cert *cert)
{
	size_t size = ike_wire_size_add(1, cert->len);
	struct ike_v1_cert check;
	struct ike_wire_mark mark;
	uint8_t *body;
	int rc;

	rc = ike_v1_begin(b, type, size, &body, &mark);
	if (rc)
		return rc;
	body[0] = cert->encoding;
	if (cert->len)
		memcpy(body + 1, cert->data, cert->len);
	if (type == IKEV1_PL_CERT)
		rc = ike_v1_msg_parse_cert(body, size, &check, &b->err);
	else
		rc = ike_v1_msg_parse_cr(body, size, &check, &b->err);
	return ike_v1_take_back(b, &mark, rc);
}

/**
 * ike_v1_msg_add_cert() - append a CERT payload
 * @b: the builder
 * @cert: encoding and certificate data (not empty)
 *
 * Return: 0 or a negative enum ike_msg_code (also kept in @b).
 */
int ike_v1_msg_add_cert(struct ike_v1_builder *b, const struct ike_v1_cert *cert)
{
	return ike_v1_add_cert_like(b, IKEV1_PL_CERT, cert);
}

/**
 * ike_v1_msg_add_cr() - append a CR payload
 * @b: the builder
 * @cr: encoding and certificate authority (possibly empty)
 *
 * Return: 0 or a negative enum ike_msg_code (also kept in @b).
 */
int ike_v1_msg_add_cr(struct ike_v1_builder *b, const struct ike_v1_cert *cr)
{
	return ike_v1_add_cert_like(b, IKEV1_PL_CR, cr);
}

/**
 * ike_v1_msg_add_notify() - append a Notification payload
 * @b: the builder
 * @n: DOI, protocol, SPI size and SPI (to suit the protocol), type and data
 *
 * Return: 0 or a negative enum ike_msg_code (also kept in @b).
 */
int ike_v1_msg_add_notify(struct ike_v1_builder *b, const struct ike_v1_notify *n)
{
	struct ike_v1_notify check;
	struct ike_wire_mark mark;
	uint8_t *body;
	size_t size;
	int rc;

	if (b->err.code)
		return b->err.code;
	if (n->spi_size > IKE_V1_MSG_SPI_MAX || (n->spi_size && !n->spi))
		return IKE_MSG_FAIL(&b->err, IKE_MSG_E_INVAL, "Notification: SPI size %u",
				   n->spi_size);
	size = ike_wire_size_add(IKE_V1_N_HDR_LEN + n->spi_size, n->len);
	rc = ike_v1_begin(b, IKEV1_PL_N, size, &body, &mark);
	if (rc)
		return rc;
	ike_put32(body, n->doi);
	body[4] = n->proto;
	body[5] = n->spi_size;
	ike_put16(body + 6, n->type);
	if (n->spi_size)
		memcpy(body + IKE_V1_N_HDR_LEN, n->spi, n->spi_size);
	if (n->len)
		memcpy(body + IKE_V1_N_HDR_LEN + n->spi_size, n->data, n->len);
	rc = ike_v1_msg_parse_notify(body, size, &check, &b->err);
	return ike_v1_take_back(b, &mark, rc);
}

/**
 * ike_v1_msg_add_delete() - append a Delete payload
 * @b: the builder
 * @del: DOI, protocol, SPI size and @del->n_spis SPIs at @del->spis
 *
 * Return: 0 or a negative enum ike_msg_code (also kept in @b).
 */
int ike_v1_msg_add_delete(struct ike_v1_builder *b, const struct ike_v1_delete *del)
{
	size_t spis = (size_t)del->n_spis * del->spi_size;
	size_t size = ike_wire_size_add(IKE_V1_N_HDR_LEN, spis);
	struct ike_v1_delete check;
	struct ike_wire_mark mark;
	uint8_t *body;
	int rc;

	rc = ike_v1_begin(b, IKEV1_PL_D, size, &body, &mark);
	if (rc)
		return rc;
	ike_put32(body, del->doi);
	body[4] = del->proto;
	body[5] = del->spi_size;
	ike_put16(body + 6, del->n_spis);
	if (spis)
		memcpy(body + IKE_V1_N_HDR_LEN, del->spis, spis);
	rc = ike_v1_msg_parse_delete(body, size, &check, &b->err);
	return ike_v1_take_back(b, &mark, rc);
}

/**
 * ike_v1_msg_add_nat_oa() - append a NAT-OA payload
 * @b: the builder
 * @type: IKEV1_PL_NAT_OA, or IKEV1_PL_NAT_OA_DRAFT for a peer that spoke a
 *	draft
 * @oa: ID type and address
 *
 * Return: 0 or a negative enum ike_msg_code (also kept in @b).
 */
int ike_v1_msg_add_nat_oa(struct ike_v1_builder *b, uint8_t type, const struct ike_v1_nat_oa *oa)
{
	size_t size = ike_wire_size_add(IKEV1_NAT_OA_HDR_LEN, oa->len);
	struct ike_v1_nat_oa check;
	struct ike_wire_mark mark;
	uint8_t *body;
	int rc;

	if (b->err.code)
		return b->err.code;
	if (type != IKEV1_PL_NAT_OA && type != IKEV1_PL_NAT_OA_DRAFT)
		return IKE_MSG_FAIL(&b->err, IKE_MSG_E_INVAL, "NAT-OA: payload type %u", type);
	rc = ike_v1_begin(b, type, size, &body, &mark);
	if (rc)
		return rc;
	memset(body, 0, IKEV1_NAT_OA_HDR_LEN);
	body[0] = oa->id_type;
	if (oa->len)
		memcpy(body + IKEV1_NAT_OA_HDR_LEN, oa->addr, oa->len);
	rc = ike_v1_msg_parse_nat_oa(body, size, &check, &b->err);
	return ike_v1_take_back(b, &mark, rc);
}

/**
 * ike_v1_msg_add_pad() - append padding after the last payload
 * @b: the builder
 * @len: octets of padding, to bring the encrypted part to a whole number
 *	of cipher blocks
 * @pad: set to the padding, zeroed, for the caller to fill as RFC 2409
 *	§5.3 describes: zeros, then a last octet that counts them
 *
 * Nothing can be added after it; only a decrypted body may carry it
 * (ike_v1_msg_parse_chain()'s @decrypted).
 *
 * Return: 0 or a negative enum ike_msg_code (also kept in @b).
 */
int ike_v1_msg_add_pad(struct ike_v1_builder *b, size_t len, uint8_t **pad)
{
	if (b->err.code)
		return b->err.code;
	if (b->sealed)
		return IKE_MSG_FAIL(&b->err, IKE_MSG_E_INVAL, "padding added twice");
	if (b->cap - b->len < len || (b->has_hdr && len > UINT32_MAX - b->len))
		return IKE_MSG_FAIL(&b->err, IKE_MSG_E_NOSPACE,
				   "padding: %zu octets needed, %zu left", len, b->cap - b->len);
	*pad = b->buf + b->len;
	if (len)
		memset(*pad, 0, len);
	b->len += len;
	b->sealed = true;
	return 0;
}

/* Spans */

/**
 * ike_v1_msg_span_body() - where a payload's body is in the builder's buffer
 * @b: the builder
 * @i: the payload's index: 0 for the first added
 * @off: set to its offset in @b->buf
 * @len: set to its length
 *
 * What HASH_I and HASH_R cover of our own SA and ID payloads (SAi_b,
 * IDii_b), and where to write a HASH or SIG added as zeroed room.
 *
 * Return: 0, or IKE_MSG_E_INVAL when there is no payload @i.
 */
int ike_v1_msg_span_body(const struct ike_v1_builder *b, size_t i, size_t *off, size_t *len)
{
	if (i >= b->n)
		return IKE_MSG_E_INVAL;
	*off = b->off[i] + IKEV1_PAYLOAD_HDR_LEN;
	*len = ike_get16(b->buf + b->off[i] + 2) - IKEV1_PAYLOAD_HDR_LEN;
	return 0;
}

/**
 * ike_v1_msg_span_after() - where the payloads after one are
 * @b: the builder
 * @i: the payload's index
 * @off: set to the offset of the payload after it in @b->buf
 * @len: set to the length of all payloads after it, generic headers
 *	included, padding excluded
 *
 * With @i the HASH payload added first: what Quick Mode's HASH(1) and
 * HASH(2) and an Informational exchange's HASH(1) cover, after the message
 * ID (RFC 2409 §5.5, §5.7).
 *
 * Return: 0, or IKE_MSG_E_INVAL when there is no payload @i.
 */
int ike_v1_msg_span_after(const struct ike_v1_builder *b, size_t i, size_t *off, size_t *len)
{
	if (i >= b->n)
		return IKE_MSG_E_INVAL;
	*off = b->off[i] + ike_get16(b->buf + b->off[i] + 2);
	*len = b->chain_end - *off;
	return 0;
}

/**
 * ike_v1_msg_span_encrypted() - what encryption covers
 * @b: the builder of a message with a header
 * @off: set to the offset after the header
 * @len: set to the length of all payloads and the padding
 *
 * Return: 0, or IKE_MSG_E_INVAL for a bare chain.
 */
int ike_v1_msg_span_encrypted(const struct ike_v1_builder *b, size_t *off, size_t *len)
{
	if (!b->has_hdr)
		return IKE_MSG_E_INVAL;
	*off = IKEV1_HDR_LEN;
	*len = b->len - IKEV1_HDR_LEN;
	return 0;
}

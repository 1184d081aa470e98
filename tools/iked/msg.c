// SPDX-License-Identifier: GPL-2.0
/*
 * The IKEv2 message codec: RFC 7296 §3 (header, payloads, substructures)
 * and RFC 7383 §2.5 (Encrypted Fragment payload).
 *
 * Parsers trust no length: each one is checked against the octets its
 * container really has before anything behind it is read. Builders hold
 * each payload to its parser: they check what they wrote with it and take
 * the payload back out when it fails, so that whatever they emit is
 * something the parsers accept: one set of rules, not two that drift apart.
 */
#include <stdio.h>
#include <string.h>

#include "msg.h"
#include "wire.h"

#define IKE_MSG_SA_HDR_LEN	8	/* proposal and transform headers */
#define IKE_MSG_ATTR_HDR_LEN	4
#define IKE_MSG_TS_HDR_LEN	4	/* TS type, one octet, selector length */
#define IKE_MSG_TS4_LEN		16
#define IKE_MSG_TS6_LEN		40
#define IKE_MSG_SKF_HDR_LEN	4
#define IKE_MSG_SHA1_LEN	20	/* one CA in an X.509 CERTREQ */
#define IKE_MSG_CP_TYPE_MASK	0x7fff	/* the top bit is reserved */

/* wire.c walks and builds ISAKMP's framing, which IKEv2 kept. */
_Static_assert(IKEV2_HDR_LEN == IKE_WIRE_HDR_LEN && IKEV2_PAYLOAD_HDR_LEN == IKE_WIRE_PL_HDR_LEN &&
	       IKEV2_PL_NONE == IKE_WIRE_PL_NONE && IKE_MSG_BODY_MAX == IKE_WIRE_BODY_MAX,
	       "IKEv2's header and generic payload header are ISAKMP's");

/* Names */

static const struct ike_msg_name ike_msg_payloads[] = {
	{ IKEV2_PL_NONE, "NONE" },
	{ IKEV2_PL_SA, "SA" },
	{ IKEV2_PL_KE, "KE" },
	{ IKEV2_PL_IDI, "IDi" },
	{ IKEV2_PL_IDR, "IDr" },
	{ IKEV2_PL_CERT, "CERT" },
	{ IKEV2_PL_CERTREQ, "CERTREQ" },
	{ IKEV2_PL_AUTH, "AUTH" },
	{ IKEV2_PL_NONCE, "Nonce" },
	{ IKEV2_PL_NOTIFY, "Notify" },
	{ IKEV2_PL_DELETE, "Delete" },
	{ IKEV2_PL_VENDOR, "Vendor ID" },
	{ IKEV2_PL_TSI, "TSi" },
	{ IKEV2_PL_TSR, "TSr" },
	{ IKEV2_PL_SK, "SK" },
	{ IKEV2_PL_CP, "CP" },
	{ IKEV2_PL_EAP, "EAP" },
	{ IKEV2_PL_SKF, "SKF" },
};

static const struct ike_msg_name ike_msg_exchanges[] = {
	{ IKEV2_EXCH_IKE_SA_INIT, "IKE_SA_INIT" },
	{ IKEV2_EXCH_IKE_AUTH, "IKE_AUTH" },
	{ IKEV2_EXCH_CREATE_CHILD_SA, "CREATE_CHILD_SA" },
	{ IKEV2_EXCH_INFORMATIONAL, "INFORMATIONAL" },
};

static const struct ike_msg_name ike_msg_notifies[] = {
	{ IKEV2_N_UNSUPPORTED_CRITICAL_PAYLOAD, "UNSUPPORTED_CRITICAL_PAYLOAD" },
	{ IKEV2_N_INVALID_IKE_SPI, "INVALID_IKE_SPI" },
	{ IKEV2_N_INVALID_MAJOR_VERSION, "INVALID_MAJOR_VERSION" },
	{ IKEV2_N_INVALID_SYNTAX, "INVALID_SYNTAX" },
	{ IKEV2_N_INVALID_MESSAGE_ID, "INVALID_MESSAGE_ID" },
	{ IKEV2_N_INVALID_SPI, "INVALID_SPI" },
	{ IKEV2_N_NO_PROPOSAL_CHOSEN, "NO_PROPOSAL_CHOSEN" },
	{ IKEV2_N_INVALID_KE_PAYLOAD, "INVALID_KE_PAYLOAD" },
	{ IKEV2_N_AUTHENTICATION_FAILED, "AUTHENTICATION_FAILED" },
	{ IKEV2_N_SINGLE_PAIR_REQUIRED, "SINGLE_PAIR_REQUIRED" },
	{ IKEV2_N_NO_ADDITIONAL_SAS, "NO_ADDITIONAL_SAS" },
	{ IKEV2_N_INTERNAL_ADDRESS_FAILURE, "INTERNAL_ADDRESS_FAILURE" },
	{ IKEV2_N_FAILED_CP_REQUIRED, "FAILED_CP_REQUIRED" },
	{ IKEV2_N_TS_UNACCEPTABLE, "TS_UNACCEPTABLE" },
	{ IKEV2_N_INVALID_SELECTORS, "INVALID_SELECTORS" },
	{ IKEV2_N_TEMPORARY_FAILURE, "TEMPORARY_FAILURE" },
	{ IKEV2_N_CHILD_SA_NOT_FOUND, "CHILD_SA_NOT_FOUND" },
	{ IKEV2_N_INITIAL_CONTACT, "INITIAL_CONTACT" },
	{ IKEV2_N_SET_WINDOW_SIZE, "SET_WINDOW_SIZE" },
	{ IKEV2_N_ADDITIONAL_TS_POSSIBLE, "ADDITIONAL_TS_POSSIBLE" },
	{ IKEV2_N_IPCOMP_SUPPORTED, "IPCOMP_SUPPORTED" },
	{ IKEV2_N_NAT_DETECTION_SOURCE_IP, "NAT_DETECTION_SOURCE_IP" },
	{ IKEV2_N_NAT_DETECTION_DESTINATION_IP, "NAT_DETECTION_DESTINATION_IP" },
	{ IKEV2_N_COOKIE, "COOKIE" },
	{ IKEV2_N_USE_TRANSPORT_MODE, "USE_TRANSPORT_MODE" },
	{ IKEV2_N_HTTP_CERT_LOOKUP_SUPPORTED, "HTTP_CERT_LOOKUP_SUPPORTED" },
	{ IKEV2_N_REKEY_SA, "REKEY_SA" },
	{ IKEV2_N_ESP_TFC_PADDING_NOT_SUPPORTED, "ESP_TFC_PADDING_NOT_SUPPORTED" },
	{ IKEV2_N_NON_FIRST_FRAGMENTS_ALSO, "NON_FIRST_FRAGMENTS_ALSO" },
	{ IKEV2_N_MOBIKE_SUPPORTED, "MOBIKE_SUPPORTED" },
	{ IKEV2_N_MULTIPLE_AUTH_SUPPORTED, "MULTIPLE_AUTH_SUPPORTED" },
	{ IKEV2_N_ANOTHER_AUTH_FOLLOWS, "ANOTHER_AUTH_FOLLOWS" },
	{ IKEV2_N_REDIRECT_SUPPORTED, "REDIRECT_SUPPORTED" },
	{ IKEV2_N_CHILDLESS_IKEV2_SUPPORTED, "CHILDLESS_IKEV2_SUPPORTED" },
	{ IKEV2_N_IKEV2_FRAGMENTATION_SUPPORTED, "IKEV2_FRAGMENTATION_SUPPORTED" },
	{ IKEV2_N_SIGNATURE_HASH_ALGORITHMS, "SIGNATURE_HASH_ALGORITHMS" },
};

static const struct ike_msg_name ike_msg_codes[] = {
	{ -IKE_MSG_OK, "no error" },
	{ -IKE_MSG_E_TRUNCATED, "truncated" },
	{ -IKE_MSG_E_MSG_LEN, "message length mismatch" },
	{ -IKE_MSG_E_MAJOR, "unsupported major version" },
	{ -IKE_MSG_E_OLD_MAJOR, "not IKEv2" },
	{ -IKE_MSG_E_NOT_IKE, "not an IKE message" },
	{ -IKE_MSG_E_BAD_LEN, "bad length" },
	{ -IKE_MSG_E_OVERRUN, "length overruns its container" },
	{ -IKE_MSG_E_CHAIN, "bad payload chain" },
	{ -IKE_MSG_E_TOO_MANY, "too many items" },
	{ -IKE_MSG_E_BAD_VALUE, "bad field value" },
	{ -IKE_MSG_E_NOSPACE, "no space left in the buffer" },
	{ -IKE_MSG_E_INVAL, "invalid payload to build" },
};

/**
 * ike_msg_payload_name() - a payload type's short name, e.g. "Nonce"
 * @type: enum ikev2_payload
 *
 * Return: the name, "unknown" for a type not in RFC 7296 or RFC 7383.
 */
const char *ike_msg_payload_name(unsigned int type)
{
	return ike_msg_lookup(ike_msg_payloads, IKE_MSG_N(ike_msg_payloads), type);
}

/**
 * ike_msg_exchange_name() - an exchange type's name, e.g. "IKE_AUTH"
 * @exchange: enum ikev2_exchange
 *
 * Return: the name, "unknown" for others.
 */
const char *ike_msg_exchange_name(unsigned int exchange)
{
	return ike_msg_lookup(ike_msg_exchanges, IKE_MSG_N(ike_msg_exchanges), exchange);
}

/**
 * ike_msg_notify_name() - a notify message type's name, e.g. "COOKIE"
 * @type: enum ikev2_notify_error or enum ikev2_notify_status
 *
 * Return: the name, "unknown" for types ikev2.h does not list.
 */
const char *ike_msg_notify_name(unsigned int type)
{
	return ike_msg_lookup(ike_msg_notifies, IKE_MSG_N(ike_msg_notifies), type);
}

/**
 * ike_msg_strerror() - a few words for an enum ike_msg_code
 * @code: 0 or a negative enum ike_msg_code
 *
 * Return: the words; struct ike_msg_err's reason says more.
 */
const char *ike_msg_strerror(int code)
{
	if (code > 0 || code < IKE_MSG_E_INVAL)
		return "unknown";
	return ike_msg_lookup(ike_msg_codes, IKE_MSG_N(ike_msg_codes), (unsigned int)-code);
}

/* Port 4500 */

/**
 * ike_msg_natt_kind() - tell what arrived on the NAT-T port
 * @buf: the UDP payload
 * @len: its length
 *
 * Return: enum ike_msg_natt_kind. An IKE message needs its marker and at
 * least one more octet; ESP needs at least its SPI and sequence number.
 */
enum ike_msg_natt_kind ike_msg_natt_kind(const uint8_t *buf, size_t len)
{
	if (len == 1 && buf[0] == 0xff)
		return IKE_MSG_NATT_KEEPALIVE;
	if (len <= IKEV2_NON_ESP_MARKER_LEN)
		return IKE_MSG_NATT_RUNT;
	if (ike_get32(buf) == 0)
		return IKE_MSG_NATT_IKE;
	return len >= 8 ? IKE_MSG_NATT_ESP : IKE_MSG_NATT_RUNT;
}

/**
 * ike_msg_natt_strip() - find the IKE message behind the non-ESP marker
 * @buf: the UDP payload received on port 4500
 * @len: its length
 * @ike: set to the IKE message (for ike_msg_parse())
 * @ike_len: set to its length
 * @err: filled on failure; may be NULL
 *
 * Return: 0, or IKE_MSG_E_NOT_IKE for ESP and NAT-keepalives (the caller
 * hands those elsewhere or drops them), IKE_MSG_E_TRUNCATED for runts.
 */
int ike_msg_natt_strip(const uint8_t *buf, size_t len, const uint8_t **ike, size_t *ike_len,
		       struct ike_msg_err *err)
{
	switch (ike_msg_natt_kind(buf, len)) {
	case IKE_MSG_NATT_IKE:
		*ike = buf + IKEV2_NON_ESP_MARKER_LEN;
		*ike_len = len - IKEV2_NON_ESP_MARKER_LEN;
		return 0;
	case IKE_MSG_NATT_ESP:
		return IKE_MSG_FAIL(err, IKE_MSG_E_NOT_IKE,
				    "port 4500: ESP packet (SPI 0x%08x), not IKE",
				    ike_get32(buf));
	case IKE_MSG_NATT_KEEPALIVE:
		return IKE_MSG_FAIL(err, IKE_MSG_E_NOT_IKE, "port 4500: NAT-keepalive, not IKE");
	default:
		return IKE_MSG_FAIL(err, IKE_MSG_E_TRUNCATED,
				    "port 4500: %zu octets, too short for IKE or ESP", len);
	}
}

/* The header and the payload chain */

/**
 * ike_msg_parse_hdr() - parse and check the IKE header of a datagram
 * @buf: the datagram (after the non-ESP marker on port 4500)
 * @len: its length
 * @hdr: filled in; on IKE_MSG_E_MAJOR, IKE_MSG_E_OLD_MAJOR and
 *	IKE_MSG_E_MSG_LEN too, so that the caller can answer or log
 * @err: filled on failure; may be NULL
 *
 * Return: 0, IKE_MSG_E_TRUNCATED when @len < 28, IKE_MSG_E_MAJOR or
 * IKE_MSG_E_OLD_MAJOR, IKE_MSG_E_MSG_LEN when the Length field is not @len.
 */
int ike_msg_parse_hdr(const uint8_t *buf, size_t len, struct ike_hdr *hdr,
		      struct ike_msg_err *err)
{
	unsigned int v2 = IKEV2_VERSION >> 4;

	if (len < IKEV2_HDR_LEN)
		return IKE_MSG_FAIL(err, IKE_MSG_E_TRUNCATED,
				    "header: %zu octets, an IKE header has %d", len, IKEV2_HDR_LEN);
	memcpy(hdr->spi_i, buf, IKEV2_SPI_LEN);
	memcpy(hdr->spi_r, buf + IKEV2_SPI_LEN, IKEV2_SPI_LEN);
	hdr->next = buf[16];
	hdr->major = buf[17] >> 4;
	hdr->minor = buf[17] & 0x0f;
	hdr->exchange = buf[18];
	hdr->flags = buf[19];
	hdr->msg_id = ike_get32(buf + 20);
	hdr->length = ike_get32(buf + 24);
	/* Version first: a v3 message's length rules need not be ours. */
	if (hdr->major > v2)
		return IKE_MSG_FAIL(err, IKE_MSG_E_MAJOR,
				    "header: major version %u, only %u is spoken", hdr->major, v2);
	if (hdr->major < v2)
		return IKE_MSG_FAIL(err, IKE_MSG_E_OLD_MAJOR,
				    "header: major version %u is not IKEv2", hdr->major);
	if (hdr->length != len)
		return IKE_MSG_FAIL(err, IKE_MSG_E_MSG_LEN,
				    "header: Length %u, but the datagram has %zu octets",
				    hdr->length, len);
	return 0;
}

static bool ike_msg_is_encrypted(uint8_t type)
{
	return type == IKEV2_PL_SK || type == IKEV2_PL_SKF;
}

/*
 * Walk the generic payload headers from @type on. SK and SKF end the walk:
 * RFC 7296 §3.14 and RFC 7383 §2.5 make them last, and their Next Payload
 * names the first payload inside, not one after.
 */
static int ike_msg_walk(uint8_t type, const uint8_t *p, size_t len, bool outer,
			struct ike_chain *c, struct ike_msg_err *err)
{
	struct ike_wire_payload gp;
	size_t off = 0;
	char who[48];
	int rc;

	c->n = 0;
	c->inner_first = IKEV2_PL_NONE;
	while (type != IKEV2_PL_NONE) {
		ike_wire_label(who, sizeof(who), c->n + 1, type, ike_msg_payload_name(type));
		if (off == len)
			return IKE_MSG_FAIL(err, IKE_MSG_E_CHAIN,
					    "%s announced, but the message ends", who);
		if (c->n == IKE_MSG_MAX_PAYLOADS)
			return IKE_MSG_FAIL(err, IKE_MSG_E_TOO_MANY, "%s: more than %d payloads",
					    who, IKE_MSG_MAX_PAYLOADS);
		/* RFC 7296 §3.2: the reserved bits are ignored on receipt. */
		rc = ike_wire_walk_one(p + off, len - off, who, 0, &gp, err);
		if (rc)
			return rc;
		c->pl[c->n++] = (struct ike_payload){
			.type = type,
			.critical = gp.flags & IKEV2_PAYLOAD_CRITICAL,
			.body = gp.body,
			.len = gp.len,
		};
		off += IKE_WIRE_PL_HDR_LEN + gp.len;
		if (ike_msg_is_encrypted(type)) {
			if (!outer)
				return IKE_MSG_FAIL(err, IKE_MSG_E_CHAIN,
						    "%s inside an encrypted payload", who);
			if (off != len)
				return IKE_MSG_FAIL(err, IKE_MSG_E_CHAIN,
						    "%s is not last: %zu octets follow", who,
						    len - off);
			c->inner_first = gp.next;
			return 0;
		}
		type = gp.next;
	}
	if (off != len)
		return IKE_MSG_FAIL(err, IKE_MSG_E_CHAIN, "%zu octets after the last payload",
				    len - off);
	return 0;
}

/* The encrypted payload closes the message; check what the chain can see of it. */
static int ike_msg_check_encrypted(const struct ike_chain *c, struct ike_msg_err *err)
{
	const struct ike_payload *pl = ike_msg_chain_sk(c);
	struct ike_skf skf;
	struct ike_blob sk;
	int rc;

	if (!pl)
		return 0;
	if (pl->type == IKEV2_PL_SK)
		return ike_msg_parse_sk(pl->body, pl->len, &sk, err);
	rc = ike_msg_parse_skf(pl->body, pl->len, &skf, err);
	if (rc)
		return rc;
	/* RFC 7383 §2.5: only the first fragment names the first inner payload. */
	if (skf.number > 1 && c->inner_first != IKEV2_PL_NONE)
		return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_VALUE,
				    "SKF: fragment %u has Next Payload %u, only fragment 1 may",
				    skf.number, c->inner_first);
	return 0;
}

/**
 * ike_msg_parse() - parse a datagram into its header and payload chain
 * @buf: the datagram (after the non-ESP marker on port 4500)
 * @len: its length
 * @msg: filled in; its payloads point into @buf
 * @err: filled on failure; may be NULL
 *
 * Checks the header, walks the payload chain, and checks the SK or SKF
 * payload that may close it. Payload bodies are the body parsers' business;
 * unknown payload types are kept for the caller to judge by their critical
 * bit.
 *
 * Return: 0 or a negative enum ike_msg_code.
 */
int ike_msg_parse(const uint8_t *buf, size_t len, struct ike_msg *msg, struct ike_msg_err *err)
{
	int rc;

	msg->chain.n = 0;
	msg->chain.inner_first = IKEV2_PL_NONE;
	rc = ike_msg_parse_hdr(buf, len, &msg->hdr, err);
	if (rc)
		return rc;
	rc = ike_msg_walk(msg->hdr.next, buf + IKEV2_HDR_LEN, len - IKEV2_HDR_LEN, true,
			  &msg->chain, err);
	if (rc)
		return rc;
	return ike_msg_check_encrypted(&msg->chain, err);
}

/**
 * ike_msg_parse_inner() - parse the payloads found inside SK once decrypted
 * @first: the SK payload's Next Payload (struct ike_chain's inner_first)
 * @buf: the plaintext, padding and Pad Length already removed
 * @len: its length
 * @chain: filled in; its payloads point into @buf
 * @err: filled on failure; may be NULL
 *
 * Also for the reassembled plaintext of SKF fragments. SK or SKF inside is
 * an error (IKE_MSG_E_CHAIN).
 *
 * Return: 0 or a negative enum ike_msg_code.
 */
int ike_msg_parse_inner(uint8_t first, const uint8_t *buf, size_t len, struct ike_chain *chain,
			struct ike_msg_err *err)
{
	return ike_msg_walk(first, buf, len, false, chain, err);
}

/**
 * ike_msg_chain_find() - the next payload of a type
 * @chain: a parsed chain
 * @type: the payload type to look for
 * @from: index to start at (0, or one past the previous find)
 *
 * Return: its index in @chain, -1 when there is none.
 */
int ike_msg_chain_find(const struct ike_chain *chain, uint8_t type, size_t from)
{
	size_t i;

	for (i = from; i < chain->n; i++)
		if (chain->pl[i].type == type)
			return (int)i;
	return -1;
}

/**
 * ike_msg_chain_sk() - the SK or SKF payload closing a chain
 * @chain: a parsed chain
 *
 * Return: the payload, NULL when the message is not encrypted.
 */
const struct ike_payload *ike_msg_chain_sk(const struct ike_chain *chain)
{
	const struct ike_payload *last;

	if (!chain->n)
		return NULL;
	last = &chain->pl[chain->n - 1];
	return ike_msg_is_encrypted(last->type) ? last : NULL;
}

/* SA payload (RFC 7296 §3.3) */

/*
 * The SPI sizes RFC 7296 §3.3.1, §3.10 and §3.11 allow: none or 8 octets
 * for IKE (8 when rekeying), 4 for AH and ESP; @optional lets notifies omit
 * the SPI of any protocol. Unknown protocols get any size a protocol uses.
 */
static bool ike_msg_spi_size_ok(uint8_t proto, uint8_t size, bool optional)
{
	if (size != 0 && size != 4 && size != 8)
		return false;
	switch (proto) {
	case IKEV2_PROTO_NONE:
		return size == 0;
	case IKEV2_PROTO_IKE:
		return size == 0 || size == 8;
	case IKEV2_PROTO_AH:
	case IKEV2_PROTO_ESP:
		return size == 4 || (optional && size == 0);
	default:
		return true;
	}
}

/* One transform attribute (§3.3.5): only Key Length is known, and it is TV. */
static int ike_msg_parse_attr(const uint8_t *p, size_t left, const char *who,
			      struct ike_transform *t, size_t *used, struct ike_msg_err *err)
{
	uint16_t type;

	if (left < IKE_MSG_ATTR_HDR_LEN)
		return IKE_MSG_FAIL(err, IKE_MSG_E_TRUNCATED,
				    "%s: attribute truncated (%zu of %d octets)", who, left,
				    IKE_MSG_ATTR_HDR_LEN);
	type = ike_get16(p);
	if (!(type & IKEV2_ATTR_AF)) {
		*used = IKE_MSG_ATTR_HDR_LEN + ike_get16(p + 2);
		if (*used > left)
			return IKE_MSG_FAIL(err, IKE_MSG_E_OVERRUN,
					    "%s: attribute of %zu octets runs past the transform",
					    who, *used);
		if (type == IKEV2_ATTR_KEY_LENGTH)
			return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_VALUE,
					    "%s: Key Length attribute in TLV form", who);
		t->unknown_attrs = true;
		return 0;
	}
	*used = IKE_MSG_ATTR_HDR_LEN;
	if ((type & ~IKEV2_ATTR_AF) != IKEV2_ATTR_KEY_LENGTH) {
		t->unknown_attrs = true;
		return 0;
	}
	if (t->key_len)
		return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_VALUE, "%s: Key Length attribute twice",
				    who);
	t->key_len = ike_get16(p + 2);
	if (!t->key_len)
		return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_VALUE, "%s: Key Length 0", who);
	return 0;
}

/* One transform substructure (§3.3.2); *more is its Last Substruc octet. */
static int ike_msg_parse_transform(const uint8_t *p, size_t left, const char *who,
				   struct ike_transform *t, size_t *used, uint8_t *more,
				   struct ike_msg_err *err)
{
	size_t tlen, off, alen;
	int rc;

	if (left < IKE_MSG_SA_HDR_LEN)
		return IKE_MSG_FAIL(err, IKE_MSG_E_TRUNCATED,
				    "%s: %zu octets left, less than its %d-octet header", who, left,
				    IKE_MSG_SA_HDR_LEN);
	*more = p[0];
	tlen = ike_get16(p + 2);
	if (tlen < IKE_MSG_SA_HDR_LEN)
		return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_LEN,
				    "%s: length %zu shorter than its %d-octet header", who, tlen,
				    IKE_MSG_SA_HDR_LEN);
	if (tlen > left)
		return IKE_MSG_FAIL(err, IKE_MSG_E_OVERRUN,
				    "%s: length %zu runs past the proposal (%zu octets left)", who,
				    tlen, left);
	if (*more != IKEV2_LAST && *more != IKEV2_MORE_TRANSFORMS)
		return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_VALUE,
				    "%s: Last Substruc %u, neither 0 nor %d", who, *more,
				    IKEV2_MORE_TRANSFORMS);
	t->type = p[4];
	t->id = ike_get16(p + 6);
	t->key_len = 0;
	t->unknown_attrs = false;
	for (off = IKE_MSG_SA_HDR_LEN; off < tlen; off += alen) {
		rc = ike_msg_parse_attr(p + off, tlen - off, who, t, &alen, err);
		if (rc)
			return rc;
	}
	*used = tlen;
	return 0;
}

/* The transforms of a proposal: as many as it announces, chained 3, 3, ..., 0. */
static int ike_msg_parse_transforms(const uint8_t *p, size_t len, const char *who,
				    struct ike_proposal *prop, struct ike_msg_err *err)
{
	size_t i, off = 0, used;
	char twho[80];
	uint8_t more;
	int rc;

	for (i = 0; i < prop->n_transforms; i++) {
		snprintf(twho, sizeof(twho), "%s, transform %zu", who, i + 1);
		rc = ike_msg_parse_transform(p + off, len - off, twho, &prop->tr[i], &used, &more,
					     err);
		if (rc)
			return rc;
		off += used;
		if (more == IKEV2_LAST && i + 1 < prop->n_transforms)
			return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_VALUE,
					    "%s: marked last, but %zu transforms announced", twho,
					    prop->n_transforms);
		if (more != IKEV2_LAST && i + 1 == prop->n_transforms)
			return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_VALUE,
					    "%s: marked more, but only %zu transforms announced",
					    twho, prop->n_transforms);
	}
	if (off != len)
		return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_LEN,
				    "%s: %zu octets after its last transform", who, len - off);
	return 0;
}

/* One proposal substructure (§3.3.1); *more is its Last Substruc octet. */
static int ike_msg_parse_proposal(const uint8_t *p, size_t left, size_t idx,
				  struct ike_proposal *prop, size_t *used, uint8_t *more,
				  struct ike_msg_err *err)
{
	size_t plen, hlen;
	char who[32];

	snprintf(who, sizeof(who), "SA: proposal %zu", idx);
	if (left < IKE_MSG_SA_HDR_LEN)
		return IKE_MSG_FAIL(err, IKE_MSG_E_TRUNCATED,
				    "%s: %zu octets left, less than its %d-octet header", who, left,
				    IKE_MSG_SA_HDR_LEN);
	*more = p[0];
	plen = ike_get16(p + 2);
	prop->num = p[4];
	prop->proto = p[5];
	prop->spi_size = p[6];
	prop->n_transforms = p[7];
	if (plen < IKE_MSG_SA_HDR_LEN)
		return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_LEN,
				    "%s: length %zu shorter than its %d-octet header", who, plen,
				    IKE_MSG_SA_HDR_LEN);
	if (plen > left)
		return IKE_MSG_FAIL(err, IKE_MSG_E_OVERRUN,
				    "%s: length %zu runs past the SA payload (%zu octets left)",
				    who, plen, left);
	if (*more != IKEV2_LAST && *more != IKEV2_MORE_PROPOSALS)
		return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_VALUE,
				    "%s: Last Substruc %u, neither 0 nor %d", who, *more,
				    IKEV2_MORE_PROPOSALS);
	if (!ike_msg_spi_size_ok(prop->proto, prop->spi_size, false))
		return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_VALUE,
				    "%s: SPI size %u does not suit protocol %u", who,
				    prop->spi_size, prop->proto);
	hlen = IKE_MSG_SA_HDR_LEN + prop->spi_size;
	if (plen < hlen)
		return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_LEN,
				    "%s: length %zu too short for its %u-octet SPI", who, plen,
				    prop->spi_size);
	if (!prop->n_transforms)
		return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_VALUE, "%s: no transform", who);
	if (prop->n_transforms > IKE_MSG_MAX_TRANSFORMS)
		return IKE_MSG_FAIL(err, IKE_MSG_E_TOO_MANY,
				    "%s: %zu transforms, at most %d are taken", who,
				    prop->n_transforms, IKE_MSG_MAX_TRANSFORMS);
	memset(prop->spi, 0, sizeof(prop->spi));
	memcpy(prop->spi, p + IKE_MSG_SA_HDR_LEN, prop->spi_size);
	*used = plen;
	return ike_msg_parse_transforms(p + hlen, plen - hlen, who, prop, err);
}

/*
 * §3.3.1: proposals are numbered 1, 2, 3...; a response carries the one
 * proposal it accepted, under the number it had in the request.
 */
static int ike_msg_check_proposal_num(const struct ike_sa_payload *sa, bool response,
				      struct ike_msg_err *err)
{
	size_t i = sa->n_proposals - 1;
	unsigned int num = sa->prop[i].num;

	if (response && i > 0)
		return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_VALUE,
				    "SA: a response carries one proposal, not %zu", i + 1);
	if (response && num == 0)
		return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_VALUE, "SA: proposal numbered 0");
	if (!response && num != i + 1)
		return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_VALUE,
				    "SA: proposal %zu numbered %u, expected %zu", i + 1, num,
				    i + 1);
	return 0;
}

/**
 * ike_msg_parse_sa() - parse an SA payload's body
 * @body: the payload body
 * @len: its length
 * @response: the message is a response (IKEV2_FLAG_RESPONSE): one proposal,
 *	numbered as the request numbered it; otherwise proposals 1, 2, ...
 * @sa: filled in
 * @err: filled on failure; may be NULL
 *
 * Every proposal and transform length, Last Substruc octet, count, SPI size
 * and attribute is checked. Attributes other than Key Length are skipped,
 * the transform flagged.
 *
 * Return: 0 or a negative enum ike_msg_code.
 */
int ike_msg_parse_sa(const uint8_t *body, size_t len, bool response, struct ike_sa_payload *sa,
		     struct ike_msg_err *err)
{
	size_t off = 0, used;
	uint8_t more = IKEV2_MORE_PROPOSALS;
	int rc;

	sa->n_proposals = 0;
	if (!len)
		return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_VALUE, "SA: no proposal");
	while (off < len) {
		if (more == IKEV2_LAST)
			return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_LEN,
					    "SA: %zu octets after the last proposal", len - off);
		if (sa->n_proposals == IKE_MSG_MAX_PROPOSALS)
			return IKE_MSG_FAIL(err, IKE_MSG_E_TOO_MANY, "SA: more than %d proposals",
					    IKE_MSG_MAX_PROPOSALS);
		rc = ike_msg_parse_proposal(body + off, len - off, sa->n_proposals + 1,
					    &sa->prop[sa->n_proposals], &used, &more, err);
		if (rc)
			return rc;
		sa->n_proposals++;
		rc = ike_msg_check_proposal_num(sa, response, err);
		if (rc)
			return rc;
		off += used;
	}
	if (more != IKEV2_LAST)
		return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_VALUE,
				    "SA: proposal %zu marked more, but the payload ends",
				    sa->n_proposals);
	return 0;
}

/* The other payloads (RFC 7296 §3.4 to §3.16, RFC 7383 §2.5) */

/**
 * ike_msg_parse_ke() - parse a KE payload's body (§3.4)
 * @body: the payload body
 * @len: its length
 * @ke: filled in
 * @err: filled on failure; may be NULL
 *
 * Whether the data's length suits the group is the crypto's business.
 *
 * Return: 0 or a negative enum ike_msg_code.
 */
int ike_msg_parse_ke(const uint8_t *body, size_t len, struct ike_ke *ke, struct ike_msg_err *err)
{
	int rc = ike_wire_need(len, 4, "KE", err);

	if (rc)
		return rc;
	ke->group = ike_get16(body);
	ke->data = body + 4;
	ke->len = len - 4;
	if (!ke->len)
		return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_LEN, "KE: no key exchange data");
	return 0;
}

/**
 * ike_msg_parse_nonce() - parse a Nonce payload's body (§3.9)
 * @body: the payload body
 * @len: its length, 16 to 256
 * @nonce: filled in
 * @err: filled on failure; may be NULL
 *
 * Return: 0 or IKE_MSG_E_BAD_LEN.
 */
int ike_msg_parse_nonce(const uint8_t *body, size_t len, struct ike_blob *nonce,
			struct ike_msg_err *err)
{
	if (len < IKE_MSG_NONCE_MIN || len > IKE_MSG_NONCE_MAX)
		return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_LEN,
				    "Nonce: %zu octets, RFC 7296 allows %d to %d", len,
				    IKE_MSG_NONCE_MIN, IKE_MSG_NONCE_MAX);
	nonce->data = body;
	nonce->len = len;
	return 0;
}

/**
 * ike_msg_parse_notify() - parse a Notify payload's body (§3.10)
 * @body: the payload body
 * @len: its length
 * @n: filled in
 * @err: filled on failure; may be NULL
 *
 * The SPI size must suit the protocol: 0 or 8 for IKE, 0 or 4 for AH and
 * ESP, 0 without a protocol.
 *
 * Return: 0 or a negative enum ike_msg_code.
 */
int ike_msg_parse_notify(const uint8_t *body, size_t len, struct ike_notify *n,
			 struct ike_msg_err *err)
{
	int rc = ike_wire_need(len, 4, "Notify", err);

	if (rc)
		return rc;
	n->proto = body[0];
	n->spi_size = body[1];
	n->type = ike_get16(body + 2);
	if (!ike_msg_spi_size_ok(n->proto, n->spi_size, true))
		return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_VALUE,
				    "Notify %s: SPI size %u does not suit protocol %u",
				    ike_msg_notify_name(n->type), n->spi_size, n->proto);
	if (n->spi_size > len - 4)
		return IKE_MSG_FAIL(err, IKE_MSG_E_OVERRUN,
				    "Notify %s: %u-octet SPI runs past the payload (%zu left)",
				    ike_msg_notify_name(n->type), n->spi_size, len - 4);
	memset(n->spi, 0, sizeof(n->spi));
	memcpy(n->spi, body + 4, n->spi_size);
	n->data = body + 4 + n->spi_size;
	n->len = len - 4 - n->spi_size;
	return 0;
}

/**
 * ike_msg_parse_id() - parse an IDi or IDr payload's body (§3.5)
 * @body: the payload body
 * @len: its length
 * @id: filled in
 * @err: filled on failure; may be NULL
 *
 * Address IDs must have their address's length; others are not empty.
 *
 * Return: 0 or a negative enum ike_msg_code.
 */
int ike_msg_parse_id(const uint8_t *body, size_t len, struct ike_id *id, struct ike_msg_err *err)
{
	size_t want = 0;
	int rc = ike_wire_need(len, 4, "ID", err);

	if (rc)
		return rc;
	id->type = body[0];
	id->data = body + 4;
	id->len = len - 4;
	if (id->type == IKEV2_ID_IPV4_ADDR)
		want = 4;
	else if (id->type == IKEV2_ID_IPV6_ADDR)
		want = 16;
	if (want && id->len != want)
		return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_LEN,
				    "ID: address of %zu octets, type %u needs %zu", id->len,
				    id->type, want);
	if (!id->len)
		return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_LEN, "ID: no identification data");
	return 0;
}

/**
 * ike_msg_parse_auth() - parse an AUTH payload's body (§3.8)
 * @body: the payload body
 * @len: its length
 * @auth: filled in
 * @err: filled on failure; may be NULL
 *
 * Return: 0 or a negative enum ike_msg_code.
 */
int ike_msg_parse_auth(const uint8_t *body, size_t len, struct ike_auth *auth,
		       struct ike_msg_err *err)
{
	int rc = ike_wire_need(len, 4, "AUTH", err);

	if (rc)
		return rc;
	auth->method = body[0];
	auth->data = body + 4;
	auth->len = len - 4;
	if (!auth->len)
		return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_LEN, "AUTH: no authentication data");
	return 0;
}

/**
 * ike_msg_parse_cert() - parse a CERT payload's body (§3.6)
 * @body: the payload body
 * @len: its length
 * @cert: filled in
 * @err: filled on failure; may be NULL
 *
 * Return: 0 or a negative enum ike_msg_code.
 */
int ike_msg_parse_cert(const uint8_t *body, size_t len, struct ike_cert *cert,
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
 * ike_msg_parse_certreq() - parse a CERTREQ payload's body (§3.7)
 * @body: the payload body
 * @len: its length
 * @req: filled in
 * @err: filled on failure; may be NULL
 *
 * An X.509 request lists 20-octet SHA-1 hashes, possibly none (any CA).
 *
 * Return: 0 or a negative enum ike_msg_code.
 */
int ike_msg_parse_certreq(const uint8_t *body, size_t len, struct ike_cert *req,
			  struct ike_msg_err *err)
{
	int rc = ike_wire_need(len, 1, "CERTREQ", err);

	if (rc)
		return rc;
	req->encoding = body[0];
	req->data = body + 1;
	req->len = len - 1;
	if (req->encoding == IKEV2_CERT_X509_SIG && req->len % IKE_MSG_SHA1_LEN)
		return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_LEN,
				    "CERTREQ: %zu octets of CA hashes, not a multiple of %d",
				    req->len, IKE_MSG_SHA1_LEN);
	return 0;
}

/**
 * ike_msg_parse_delete() - parse a Delete payload's body (§3.11)
 * @body: the payload body
 * @len: its length
 * @del: filled in
 * @err: filled on failure; may be NULL
 *
 * IKE: SPI size 0 and no SPI (the header names the SA). AH, ESP: SPI size
 * 4 and at least one SPI. Other protocols have nothing to delete.
 *
 * Return: 0 or a negative enum ike_msg_code.
 */
int ike_msg_parse_delete(const uint8_t *body, size_t len, struct ike_delete *del,
			 struct ike_msg_err *err)
{
	size_t want;
	int rc = ike_wire_need(len, 4, "Delete", err);

	if (rc)
		return rc;
	del->proto = body[0];
	del->spi_size = body[1];
	del->n_spis = ike_get16(body + 2);
	del->spis = body + 4;
	switch (del->proto) {
	case IKEV2_PROTO_IKE:
		if (del->spi_size || del->n_spis)
			return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_VALUE,
					    "Delete: IKE SA, SPI size %u, %u SPIs: both must be 0",
					    del->spi_size, del->n_spis);
		break;
	case IKEV2_PROTO_AH:
	case IKEV2_PROTO_ESP:
		if (del->spi_size != 4)
			return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_VALUE,
					    "Delete: SPI size %u, AH and ESP use 4", del->spi_size);
		if (!del->n_spis)
			return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_VALUE, "Delete: no SPI");
		break;
	default:
		return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_VALUE, "Delete: protocol %u", del->proto);
	}
	want = (size_t)del->n_spis * del->spi_size;
	if (len - 4 != want)
		return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_LEN,
				    "Delete: %zu octets of SPIs, %u SPIs need %zu", len - 4,
				    del->n_spis, want);
	return 0;
}

/**
 * ike_msg_delete_spi() - one SPI of an AH or ESP Delete payload
 * @del: a parsed Delete payload
 * @i: which, below @del->n_spis
 *
 * Return: the SPI in host order, 0 when there is no such SPI.
 */
uint32_t ike_msg_delete_spi(const struct ike_delete *del, size_t i)
{
	if (del->spi_size != 4 || i >= del->n_spis)
		return 0;
	return ike_get32(del->spis + 4 * i);
}

/**
 * ike_msg_parse_vendor() - parse a Vendor ID payload's body (§3.12)
 * @body: the payload body
 * @len: its length, not 0
 * @vid: filled in
 * @err: filled on failure; may be NULL
 *
 * Return: 0 or IKE_MSG_E_BAD_LEN.
 */
int ike_msg_parse_vendor(const uint8_t *body, size_t len, struct ike_blob *vid,
			 struct ike_msg_err *err)
{
	return ike_wire_opaque("Vendor ID", body, len, vid, err);
}

/* One traffic selector (§3.13.1); unknown types are kept raw. */
static int ike_msg_parse_one_ts(const uint8_t *p, size_t left, size_t idx, struct ike_ts *ts,
				size_t *used, struct ike_msg_err *err)
{
	size_t slen, want = 0, alen;

	if (left < IKE_MSG_TS_HDR_LEN)
		return IKE_MSG_FAIL(err, IKE_MSG_E_TRUNCATED,
				    "TS: selector %zu: %zu octets left, less than its header", idx,
				    left);
	memset(ts, 0, sizeof(*ts));
	ts->type = p[0];
	ts->ip_proto = p[1];
	slen = ike_get16(p + 2);
	if (ts->type == IKEV2_TS_IPV4_ADDR_RANGE)
		want = IKE_MSG_TS4_LEN;
	else if (ts->type == IKEV2_TS_IPV6_ADDR_RANGE)
		want = IKE_MSG_TS6_LEN;
	if (want && slen != want)
		return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_LEN,
				    "TS: selector %zu (type %u): length %zu, not %zu", idx,
				    ts->type, slen, want);
	if (slen < IKE_MSG_TS_HDR_LEN)
		return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_LEN,
				    "TS: selector %zu (type %u): length %zu, shorter than 4", idx,
				    ts->type, slen);
	if (slen > left)
		return IKE_MSG_FAIL(err, IKE_MSG_E_OVERRUN,
				    "TS: selector %zu: length %zu runs past the payload (%zu left)",
				    idx, slen, left);
	*used = slen;
	if (!want) {
		ts->data = p + IKE_MSG_TS_HDR_LEN;
		ts->len = slen - IKE_MSG_TS_HDR_LEN;
		return 0;
	}
	alen = (want - 8) / 2;
	ts->start_port = ike_get16(p + 4);
	ts->end_port = ike_get16(p + 6);
	memcpy(ts->start_addr, p + 8, alen);
	memcpy(ts->end_addr, p + 8 + alen, alen);
	return 0;
}

/**
 * ike_msg_parse_ts() - parse a TSi or TSr payload's body (§3.13)
 * @body: the payload body
 * @len: its length
 * @ts: filled in
 * @err: filled on failure; may be NULL
 *
 * IPv4 selectors are 16 octets and IPv6 ones 40, exactly; selectors of
 * other types are kept raw (see struct ike_ts). The count must match.
 *
 * Return: 0 or a negative enum ike_msg_code.
 */
int ike_msg_parse_ts(const uint8_t *body, size_t len, struct ike_ts_payload *ts,
		     struct ike_msg_err *err)
{
	size_t i, count, off = 4, used;
	int rc = ike_wire_need(len, 4, "TS", err);

	ts->n_ts = 0;
	if (rc)
		return rc;
	count = body[0];
	if (!count)
		return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_VALUE, "TS: no traffic selector");
	if (count > IKE_MSG_MAX_TS)
		return IKE_MSG_FAIL(err, IKE_MSG_E_TOO_MANY,
				    "TS: %zu selectors, at most %d are taken", count,
				    IKE_MSG_MAX_TS);
	for (i = 0; i < count; i++) {
		rc = ike_msg_parse_one_ts(body + off, len - off, i + 1, &ts->ts[i], &used, err);
		if (rc)
			return rc;
		off += used;
	}
	if (off != len)
		return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_LEN,
				    "TS: %zu octets after the %zu announced selectors", len - off,
				    count);
	ts->n_ts = count;
	return 0;
}

/**
 * ike_msg_parse_cp() - parse a CP payload's body (§3.15)
 * @body: the payload body
 * @len: its length
 * @cp: filled in
 * @err: filled on failure; may be NULL
 *
 * Attributes are kept as type and value; the reserved top bit of the type
 * is dropped, as §3.15.1 asks.
 *
 * Return: 0 or a negative enum ike_msg_code.
 */
int ike_msg_parse_cp(const uint8_t *body, size_t len, struct ike_cp *cp, struct ike_msg_err *err)
{
	size_t off = 4, alen, left;
	struct ike_cp_attr *a;
	int rc = ike_wire_need(len, 4, "CP", err);

	cp->n_attrs = 0;
	if (rc)
		return rc;
	cp->type = body[0];
	for (; off < len; off += IKE_MSG_ATTR_HDR_LEN + alen) {
		left = len - off;
		if (cp->n_attrs == IKE_MSG_MAX_CP_ATTRS)
			return IKE_MSG_FAIL(err, IKE_MSG_E_TOO_MANY, "CP: more than %d attributes",
					    IKE_MSG_MAX_CP_ATTRS);
		if (left < IKE_MSG_ATTR_HDR_LEN)
			return IKE_MSG_FAIL(err, IKE_MSG_E_TRUNCATED,
					    "CP: attribute %zu truncated (%zu of %d octets)",
					    cp->n_attrs + 1, left, IKE_MSG_ATTR_HDR_LEN);
		alen = ike_get16(body + off + 2);
		if (alen > left - IKE_MSG_ATTR_HDR_LEN)
			return IKE_MSG_FAIL(err, IKE_MSG_E_OVERRUN,
					    "CP: attribute %zu: %zu-octet value runs past the end",
					    cp->n_attrs + 1, alen);
		a = &cp->attr[cp->n_attrs++];
		a->type = ike_get16(body + off) & IKE_MSG_CP_TYPE_MASK;
		a->value = body + off + IKE_MSG_ATTR_HDR_LEN;
		a->len = alen;
	}
	return 0;
}

/**
 * ike_msg_parse_sk() - parse an SK payload's body (§3.14)
 * @body: the payload body: IV, ciphertext, ICV, opaque here
 * @len: its length, not 0
 * @sk: filled in
 * @err: filled on failure; may be NULL
 *
 * Return: 0 or IKE_MSG_E_BAD_LEN.
 */
int ike_msg_parse_sk(const uint8_t *body, size_t len, struct ike_blob *sk,
		     struct ike_msg_err *err)
{
	if (!len)
		return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_LEN, "SK: no encrypted data");
	sk->data = body;
	sk->len = len;
	return 0;
}

/**
 * ike_msg_parse_skf() - parse an SKF payload's body (RFC 7383 §2.5)
 * @body: the payload body
 * @len: its length
 * @skf: filled in
 * @err: filled on failure; may be NULL
 *
 * Return: 0, or a negative enum ike_msg_code when the fragment number is
 * 0 or above the total, or nothing encrypted follows.
 */
int ike_msg_parse_skf(const uint8_t *body, size_t len, struct ike_skf *skf,
		      struct ike_msg_err *err)
{
	int rc = ike_wire_need(len, IKE_MSG_SKF_HDR_LEN, "SKF", err);

	if (rc)
		return rc;
	skf->number = ike_get16(body);
	skf->total = ike_get16(body + 2);
	skf->data = body + IKE_MSG_SKF_HDR_LEN;
	skf->len = len - IKE_MSG_SKF_HDR_LEN;
	if (!skf->number || skf->number > skf->total)
		return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_VALUE, "SKF: fragment number %u of %u",
				    skf->number, skf->total);
	if (!skf->len)
		return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_LEN, "SKF: no encrypted data");
	return 0;
}

/* Building */

/**
 * ike_msg_build_init() - start a message: write its header
 * @b: the builder
 * @buf: where the message goes
 * @cap: the room there
 * @hdr: SPIs, exchange, flags, message ID and minor version to write; the
 *	major version is always 2, Next Payload and Length are filled in as
 *	payloads are added and by ike_msg_build_end()
 *
 * Return: 0, or IKE_MSG_E_NOSPACE when @cap < 28 (also kept in @b).
 */
int ike_msg_build_init(struct ike_builder *b, uint8_t *buf, size_t cap,
		       const struct ike_hdr *hdr)
{
	int rc;

	ike_wire_reset(b, buf, cap);
	rc = ike_wire_start(b);
	if (rc)
		return rc;
	memcpy(buf, hdr->spi_i, IKEV2_SPI_LEN);
	memcpy(buf + IKEV2_SPI_LEN, hdr->spi_r, IKEV2_SPI_LEN);
	buf[17] = (IKEV2_VERSION & 0xf0) | (hdr->minor & 0x0f);
	buf[18] = hdr->exchange;
	buf[19] = hdr->flags;
	ike_put32(buf + 20, hdr->msg_id);
	return 0;
}

/**
 * ike_msg_chain_init() - start a bare payload chain, to go inside SK
 * @b: the builder
 * @buf: where the chain goes
 * @cap: the room there
 *
 * The chain has no header to name its first payload: that type is left in
 * @b->first for ike_msg_add_sk() on the outer message.
 */
void ike_msg_chain_init(struct ike_builder *b, uint8_t *buf, size_t cap)
{
	ike_wire_reset(b, buf, cap);
}

/**
 * ike_msg_build_end() - finish: set the header's Length
 * @b: the builder
 * @len: set to the length of the message or chain
 *
 * May be called again after more payloads were added.
 *
 * Return: 0, or the first failure of any call on @b (reason in @b->err).
 */
int ike_msg_build_end(struct ike_builder *b, size_t *len)
{
	return ike_wire_end(b, len);
}

static const struct ike_wire_codec ike_msg_wire = {
	.payload_name = ike_msg_payload_name,
	.last = "the encrypted payload",
	.max_payloads = IKE_MSG_MAX_PAYLOADS,
};

/*
 * Append a payload header for a body of @len octets and chain it to the
 * one before; *body is where the body goes.
 */
static int ike_msg_begin(struct ike_builder *b, uint8_t type, bool critical, size_t len,
			 uint8_t **body, struct ike_wire_mark *mark)
{
	return ike_wire_begin(b, &ike_msg_wire, type, critical ? IKEV2_PAYLOAD_CRITICAL : 0, len,
			      body, mark);
}

/* A body that is a 4-octet header of one type octet, then data. */
static int ike_msg_add_typed(struct ike_builder *b, uint8_t pl_type, size_t hlen, uint8_t type,
			     const uint8_t *data, size_t len, struct ike_wire_mark *mark,
			     uint8_t **body)
{
	int rc;

	rc = ike_msg_begin(b, pl_type, false, ike_wire_size_add(hlen, len), body, mark);
	if (rc)
		return rc;
	memset(*body, 0, hlen);
	(*body)[0] = type;
	if (len)
		memcpy(*body + hlen, data, len);
	return 0;
}

/**
 * ike_msg_add_raw() - append a payload whose body is ready-made
 * @b: the builder
 * @type: the payload type; not NONE, SK or SKF (see ike_msg_add_sk())
 * @critical: set the critical bit
 * @body: the body
 * @len: its length
 *
 * Return: 0 or a negative enum ike_msg_code (also kept in @b).
 */
int ike_msg_add_raw(struct ike_builder *b, uint8_t type, bool critical, const uint8_t *body,
		    size_t len)
{
	struct ike_wire_mark mark;
	uint8_t *p;
	int rc;

	if (b->err.code)
		return b->err.code;
	if (type == IKEV2_PL_NONE || ike_msg_is_encrypted(type))
		return IKE_MSG_FAIL(&b->err, IKE_MSG_E_INVAL, "raw payload of type %u (%s)", type,
				    ike_msg_payload_name(type));
	rc = ike_msg_begin(b, type, critical, len, &p, &mark);
	if (rc)
		return rc;
	if (len)
		memcpy(p, body, len);
	return 0;
}

static size_t ike_msg_transform_size(const struct ike_transform *t)
{
	return IKE_MSG_SA_HDR_LEN + (t->key_len ? IKE_MSG_ATTR_HDR_LEN : 0);
}

static size_t ike_msg_proposal_size(const struct ike_proposal *prop)
{
	size_t i, size = IKE_MSG_SA_HDR_LEN + prop->spi_size;

	for (i = 0; i < prop->n_transforms; i++)
		size += ike_msg_transform_size(&prop->tr[i]);
	return size;
}

static uint8_t *ike_msg_put_transform(uint8_t *p, const struct ike_transform *t, bool last)
{
	size_t size = ike_msg_transform_size(t);

	p[0] = last ? IKEV2_LAST : IKEV2_MORE_TRANSFORMS;
	p[1] = 0;
	ike_put16(p + 2, (uint16_t)size);
	p[4] = t->type;
	p[5] = 0;
	ike_put16(p + 6, t->id);
	if (t->key_len) {
		ike_put16(p + 8, IKEV2_ATTR_AF | IKEV2_ATTR_KEY_LENGTH);
		ike_put16(p + 10, t->key_len);
	}
	return p + size;
}

static uint8_t *ike_msg_put_proposal(uint8_t *p, const struct ike_proposal *prop, bool last)
{
	size_t i;

	p[0] = last ? IKEV2_LAST : IKEV2_MORE_PROPOSALS;
	p[1] = 0;
	ike_put16(p + 2, (uint16_t)ike_msg_proposal_size(prop));
	p[4] = prop->num;
	p[5] = prop->proto;
	p[6] = prop->spi_size;
	p[7] = (uint8_t)prop->n_transforms;
	memcpy(p + IKE_MSG_SA_HDR_LEN, prop->spi, prop->spi_size);
	p += IKE_MSG_SA_HDR_LEN + prop->spi_size;
	for (i = 0; i < prop->n_transforms; i++)
		p = ike_msg_put_transform(p, &prop->tr[i], i + 1 == prop->n_transforms);
	return p;
}

/* What must hold before an SA struct can even be walked to write it. */
static int ike_msg_sa_fits(struct ike_builder *b, const struct ike_sa_payload *sa)
{
	size_t i;

	if (sa->n_proposals > IKE_MSG_MAX_PROPOSALS)
		return IKE_MSG_FAIL(&b->err, IKE_MSG_E_INVAL, "SA: %zu proposals, at most %d",
				    sa->n_proposals, IKE_MSG_MAX_PROPOSALS);
	for (i = 0; i < sa->n_proposals; i++) {
		if (sa->prop[i].n_transforms > IKE_MSG_MAX_TRANSFORMS)
			return IKE_MSG_FAIL(&b->err, IKE_MSG_E_INVAL,
					    "SA: proposal %zu: %zu transforms, at most %d", i + 1,
					    sa->prop[i].n_transforms, IKE_MSG_MAX_TRANSFORMS);
		if (sa->prop[i].spi_size > sizeof(sa->prop[i].spi))
			return IKE_MSG_FAIL(&b->err, IKE_MSG_E_INVAL,
					    "SA: proposal %zu: SPI size %u", i + 1,
					    sa->prop[i].spi_size);
	}
	return 0;
}

/**
 * ike_msg_add_sa() - append an SA payload
 * @b: the builder
 * @sa: the proposals: numbered 1, 2, ..., or a single one numbered as the
 *	request numbered it (a response). Key Length is written when not 0.
 *
 * Return: 0 or a negative enum ike_msg_code (also kept in @b).
 */
int ike_msg_add_sa(struct ike_builder *b, const struct ike_sa_payload *sa)
{
	struct ike_sa_payload check;
	struct ike_wire_mark mark;
	size_t i, size = 0;
	uint8_t *body, *p;
	int rc;

	if (b->err.code)
		return b->err.code;
	rc = ike_msg_sa_fits(b, sa);
	if (rc)
		return rc;
	for (i = 0; i < sa->n_proposals; i++)
		size += ike_msg_proposal_size(&sa->prop[i]);
	rc = ike_msg_begin(b, IKEV2_PL_SA, false, size, &body, &mark);
	if (rc)
		return rc;
	p = body;
	for (i = 0; i < sa->n_proposals; i++)
		p = ike_msg_put_proposal(p, &sa->prop[i], i + 1 == sa->n_proposals);
	rc = ike_msg_parse_sa(body, size, sa->n_proposals == 1, &check, &b->err);
	return ike_wire_take_back(b, &mark, rc);
}

/**
 * ike_msg_add_ke() - append a KE payload
 * @b: the builder
 * @ke: the group and its key exchange data (not empty)
 *
 * Return: 0 or a negative enum ike_msg_code (also kept in @b).
 */
int ike_msg_add_ke(struct ike_builder *b, const struct ike_ke *ke)
{
	struct ike_wire_mark mark;
	struct ike_ke check;
	uint8_t *body;
	int rc;

	rc = ike_msg_add_typed(b, IKEV2_PL_KE, 4, 0, ke->data, ke->len, &mark, &body);
	if (rc)
		return rc;
	ike_put16(body, ke->group);
	rc = ike_msg_parse_ke(body, 4 + ke->len, &check, &b->err);
	return ike_wire_take_back(b, &mark, rc);
}

/**
 * ike_msg_add_nonce() - append a Nonce payload
 * @b: the builder
 * @nonce: the nonce
 * @len: its length, 16 to 256
 *
 * Return: 0 or a negative enum ike_msg_code (also kept in @b).
 */
int ike_msg_add_nonce(struct ike_builder *b, const uint8_t *nonce, size_t len)
{
	struct ike_wire_mark mark;
	struct ike_blob check;
	uint8_t *body;
	int rc;

	if (b->err.code)
		return b->err.code;
	/* The body is the nonce itself: check it before writing it. */
	if (ike_msg_parse_nonce(nonce, len, &check, &b->err))
		return ike_wire_refuse(b);
	rc = ike_msg_begin(b, IKEV2_PL_NONCE, false, len, &body, &mark);
	if (rc)
		return rc;
	memcpy(body, nonce, len);
	return 0;
}

/**
 * ike_msg_add_notify() - append a Notify payload
 * @b: the builder
 * @n: protocol, SPI size and SPI (0, 4 or 8 octets to suit the protocol),
 *	type and data
 *
 * Return: 0 or a negative enum ike_msg_code (also kept in @b).
 */
int ike_msg_add_notify(struct ike_builder *b, const struct ike_notify *n)
{
	struct ike_notify check;
	struct ike_wire_mark mark;
	size_t size;
	uint8_t *body;
	int rc;

	if (b->err.code)
		return b->err.code;
	if (n->spi_size > sizeof(n->spi))
		return IKE_MSG_FAIL(&b->err, IKE_MSG_E_INVAL, "Notify: SPI size %u", n->spi_size);
	size = ike_wire_size_add(4 + n->spi_size, n->len);
	rc = ike_msg_begin(b, IKEV2_PL_NOTIFY, false, size, &body, &mark);
	if (rc)
		return rc;
	body[0] = n->proto;
	body[1] = n->spi_size;
	ike_put16(body + 2, n->type);
	memcpy(body + 4, n->spi, n->spi_size);
	if (n->len)
		memcpy(body + 4 + n->spi_size, n->data, n->len);
	rc = ike_msg_parse_notify(body, size, &check, &b->err);
	return ike_wire_take_back(b, &mark, rc);
}

/**
 * ike_msg_add_id() - append an IDi or IDr payload
 * @b: the builder
 * @type: IKEV2_PL_IDI or IKEV2_PL_IDR
 * @id: ID type and data
 *
 * Return: 0 or a negative enum ike_msg_code (also kept in @b).
 */
int ike_msg_add_id(struct ike_builder *b, uint8_t type, const struct ike_id *id)
{
	struct ike_wire_mark mark;
	struct ike_id check;
	uint8_t *body;
	int rc;

	if (b->err.code)
		return b->err.code;
	if (type != IKEV2_PL_IDI && type != IKEV2_PL_IDR)
		return IKE_MSG_FAIL(&b->err, IKE_MSG_E_INVAL,
				    "ID: payload type %u is neither IDi nor IDr", type);
	rc = ike_msg_add_typed(b, type, 4, id->type, id->data, id->len, &mark, &body);
	if (rc)
		return rc;
	rc = ike_msg_parse_id(body, 4 + id->len, &check, &b->err);
	return ike_wire_take_back(b, &mark, rc);
}

/**
 * ike_msg_add_auth() - append an AUTH payload
 * @b: the builder
 * @auth: method and data
 *
 * Return: 0 or a negative enum ike_msg_code (also kept in @b).
 */
int ike_msg_add_auth(struct ike_builder *b, const struct ike_auth *auth)
{
	struct ike_wire_mark mark;
	struct ike_auth check;
	uint8_t *body;
	int rc;

	rc = ike_msg_add_typed(b, IKEV2_PL_AUTH, 4, auth->method, auth->data, auth->len, &mark,
			       &body);
	if (rc)
		return rc;
	rc = ike_msg_parse_auth(body, 4 + auth->len, &check, &b->err);
	return ike_wire_take_back(b, &mark, rc);
}

/**
 * ike_msg_add_cert() - append a CERT payload
 * @b: the builder
 * @cert: encoding and certificate data
 *
 * Return: 0 or a negative enum ike_msg_code (also kept in @b).
 */
int ike_msg_add_cert(struct ike_builder *b, const struct ike_cert *cert)
{
	struct ike_wire_mark mark;
	struct ike_cert check;
	uint8_t *body;
	int rc;

	rc = ike_msg_add_typed(b, IKEV2_PL_CERT, 1, cert->encoding, cert->data, cert->len, &mark,
			       &body);
	if (rc)
		return rc;
	rc = ike_msg_parse_cert(body, 1 + cert->len, &check, &b->err);
	return ike_wire_take_back(b, &mark, rc);
}

/**
 * ike_msg_add_certreq() - append a CERTREQ payload
 * @b: the builder
 * @req: encoding and certification authorities
 *
 * Return: 0 or a negative enum ike_msg_code (also kept in @b).
 */
int ike_msg_add_certreq(struct ike_builder *b, const struct ike_cert *req)
{
	struct ike_wire_mark mark;
	struct ike_cert check;
	uint8_t *body;
	int rc;

	rc = ike_msg_add_typed(b, IKEV2_PL_CERTREQ, 1, req->encoding, req->data, req->len, &mark,
			       &body);
	if (rc)
		return rc;
	rc = ike_msg_parse_certreq(body, 1 + req->len, &check, &b->err);
	return ike_wire_take_back(b, &mark, rc);
}

/**
 * ike_msg_add_delete() - append a Delete payload
 * @b: the builder
 * @del: IKE with no SPI, or AH/ESP with @del->n_spis 4-octet SPIs at
 *	@del->spis in network order
 *
 * Return: 0 or a negative enum ike_msg_code (also kept in @b).
 */
int ike_msg_add_delete(struct ike_builder *b, const struct ike_delete *del)
{
	struct ike_delete check;
	struct ike_wire_mark mark;
	size_t size = 4 + (size_t)del->n_spis * del->spi_size;
	uint8_t *body;
	int rc;

	rc = ike_msg_begin(b, IKEV2_PL_DELETE, false, size, &body, &mark);
	if (rc)
		return rc;
	body[0] = del->proto;
	body[1] = del->spi_size;
	ike_put16(body + 2, del->n_spis);
	if (size > 4)
		memcpy(body + 4, del->spis, size - 4);
	rc = ike_msg_parse_delete(body, size, &check, &b->err);
	return ike_wire_take_back(b, &mark, rc);
}

/**
 * ike_msg_add_vendor() - append a Vendor ID payload
 * @b: the builder
 * @vid: the vendor ID
 * @len: its length, not 0
 *
 * Return: 0 or a negative enum ike_msg_code (also kept in @b).
 */
int ike_msg_add_vendor(struct ike_builder *b, const uint8_t *vid, size_t len)
{
	struct ike_blob check;

	if (b->err.code)
		return b->err.code;
	if (ike_msg_parse_vendor(vid, len, &check, &b->err))
		return ike_wire_refuse(b);
	return ike_msg_add_raw(b, IKEV2_PL_VENDOR, false, vid, len);
}

static size_t ike_msg_ts_size(const struct ike_ts *ts)
{
	if (ts->type == IKEV2_TS_IPV4_ADDR_RANGE)
		return IKE_MSG_TS4_LEN;
	if (ts->type == IKEV2_TS_IPV6_ADDR_RANGE)
		return IKE_MSG_TS6_LEN;
	return ike_wire_size_add(IKE_MSG_TS_HDR_LEN, ts->len);
}

static uint8_t *ike_msg_put_ts(uint8_t *p, const struct ike_ts *ts)
{
	size_t size = ike_msg_ts_size(ts), alen;

	p[0] = ts->type;
	p[1] = ts->ip_proto;
	ike_put16(p + 2, (uint16_t)size);
	if (ts->type != IKEV2_TS_IPV4_ADDR_RANGE && ts->type != IKEV2_TS_IPV6_ADDR_RANGE) {
		if (ts->len)
			memcpy(p + IKE_MSG_TS_HDR_LEN, ts->data, ts->len);
		return p + size;
	}
	alen = (size - 8) / 2;
	ike_put16(p + 4, ts->start_port);
	ike_put16(p + 6, ts->end_port);
	memcpy(p + 8, ts->start_addr, alen);
	memcpy(p + 8 + alen, ts->end_addr, alen);
	return p + size;
}

/**
 * ike_msg_add_ts() - append a TSi or TSr payload
 * @b: the builder
 * @type: IKEV2_PL_TSI or IKEV2_PL_TSR
 * @ts: one to IKE_MSG_MAX_TS selectors
 *
 * Return: 0 or a negative enum ike_msg_code (also kept in @b).
 */
int ike_msg_add_ts(struct ike_builder *b, uint8_t type, const struct ike_ts_payload *ts)
{
	struct ike_ts_payload check;
	struct ike_wire_mark mark;
	size_t i, size = 4;
	uint8_t *body, *p;
	int rc;

	if (b->err.code)
		return b->err.code;
	if (type != IKEV2_PL_TSI && type != IKEV2_PL_TSR)
		return IKE_MSG_FAIL(&b->err, IKE_MSG_E_INVAL,
				    "TS: payload type %u is neither TSi nor TSr", type);
	if (ts->n_ts > IKE_MSG_MAX_TS)
		return IKE_MSG_FAIL(&b->err, IKE_MSG_E_INVAL, "TS: %zu selectors, at most %d",
				    ts->n_ts, IKE_MSG_MAX_TS);
	for (i = 0; i < ts->n_ts; i++)
		size = ike_wire_size_add(size, ike_msg_ts_size(&ts->ts[i]));
	rc = ike_msg_begin(b, type, false, size, &body, &mark);
	if (rc)
		return rc;
	memset(body, 0, 4);
	body[0] = (uint8_t)ts->n_ts;
	p = body + 4;
	for (i = 0; i < ts->n_ts; i++)
		p = ike_msg_put_ts(p, &ts->ts[i]);
	rc = ike_msg_parse_ts(body, size, &check, &b->err);
	return ike_wire_take_back(b, &mark, rc);
}

/**
 * ike_msg_add_cp() - append a CP payload
 * @b: the builder
 * @cp: its type and up to IKE_MSG_MAX_CP_ATTRS attributes (15-bit types)
 *
 * Return: 0 or a negative enum ike_msg_code (also kept in @b).
 */
int ike_msg_add_cp(struct ike_builder *b, const struct ike_cp *cp)
{
	const struct ike_cp_attr *a;
	struct ike_wire_mark mark;
	struct ike_cp check;
	size_t i, size = 4;
	uint8_t *body, *p;
	int rc;

	if (b->err.code)
		return b->err.code;
	if (cp->n_attrs > IKE_MSG_MAX_CP_ATTRS)
		return IKE_MSG_FAIL(&b->err, IKE_MSG_E_INVAL, "CP: %zu attributes, at most %d",
				    cp->n_attrs, IKE_MSG_MAX_CP_ATTRS);
	for (i = 0; i < cp->n_attrs; i++) {
		a = &cp->attr[i];
		if (a->type > IKE_MSG_CP_TYPE_MASK || a->len > IKE_MSG_BODY_MAX)
			return IKE_MSG_FAIL(&b->err, IKE_MSG_E_INVAL,
					    "CP: attribute %zu: type %u, %zu octets", i + 1,
					    a->type, a->len);
		size += IKE_MSG_ATTR_HDR_LEN + a->len;
	}
	rc = ike_msg_begin(b, IKEV2_PL_CP, false, size, &body, &mark);
	if (rc)
		return rc;
	memset(body, 0, 4);
	body[0] = cp->type;
	for (i = 0, p = body + 4; i < cp->n_attrs; i++) {
		a = &cp->attr[i];
		ike_put16(p, a->type);
		ike_put16(p + 2, (uint16_t)a->len);
		if (a->len)
			memcpy(p + IKE_MSG_ATTR_HDR_LEN, a->value, a->len);
		p += IKE_MSG_ATTR_HDR_LEN + a->len;
	}
	rc = ike_msg_parse_cp(body, size, &check, &b->err);
	return ike_wire_take_back(b, &mark, rc);
}

/* SK and SKF go last in a message with a header, never in a bare chain. */
static int ike_msg_begin_encrypted(struct ike_builder *b, uint8_t type, uint8_t inner_first,
				   size_t len, uint8_t **body)
{
	struct ike_wire_mark mark;
	int rc;

	if (b->err.code)
		return b->err.code;
	if (!b->has_hdr)
		return IKE_MSG_FAIL(&b->err, IKE_MSG_E_INVAL, "%s inside a payload chain",
				    ike_msg_payload_name(type));
	rc = ike_msg_begin(b, type, false, len, body, &mark);
	if (rc)
		return rc;
	b->buf[b->next_off] = inner_first;
	b->sealed = true;
	memset(*body, 0, len);
	return 0;
}

/**
 * ike_msg_add_sk() - append the SK payload and make room for its body
 * @b: the builder of an outer message
 * @inner_first: type of the first payload inside (the inner chain's
 *	builder's first)
 * @len: octets of IV, ciphertext (padding and Pad Length included) and ICV
 * @body: set to where they go: zeroed room for the caller to fill or to
 *	encrypt in place; the octets before it are the AEAD's associated data
 *	once ike_msg_build_end() has set the Length
 *
 * Nothing can be added after it.
 *
 * Return: 0 or a negative enum ike_msg_code (also kept in @b).
 */
int ike_msg_add_sk(struct ike_builder *b, uint8_t inner_first, size_t len, uint8_t **body)
{
	if (b->err.code)
		return b->err.code;
	if (!len)
		return IKE_MSG_FAIL(&b->err, IKE_MSG_E_INVAL, "SK: empty body");
	return ike_msg_begin_encrypted(b, IKEV2_PL_SK, inner_first, len, body);
}

/**
 * ike_msg_add_skf() - append an SKF payload and make room for its body
 * @b: the builder of an outer message
 * @inner_first: type of the first inner payload in fragment 1, 0 in others
 * @number: this fragment's number, 1 to @total
 * @total: how many fragments
 * @len: octets of IV, ciphertext and ICV
 * @body: set to where they go, after Fragment Number and Total Fragments
 *
 * Nothing can be added after it.
 *
 * Return: 0 or a negative enum ike_msg_code (also kept in @b).
 */
int ike_msg_add_skf(struct ike_builder *b, uint8_t inner_first, uint16_t number, uint16_t total,
		    size_t len, uint8_t **body)
{
	uint8_t *p;
	int rc;

	if (b->err.code)
		return b->err.code;
	if (!number || number > total || !len || (number > 1 && inner_first != IKEV2_PL_NONE))
		return IKE_MSG_FAIL(&b->err, IKE_MSG_E_INVAL,
				    "SKF: fragment %u of %u, %zu octets, first inner payload %u",
				    number, total, len, inner_first);
	rc = ike_msg_begin_encrypted(b, IKEV2_PL_SKF, inner_first,
				     ike_wire_size_add(IKE_MSG_SKF_HDR_LEN, len), &p);
	if (rc)
		return rc;
	ike_put16(p, number);
	ike_put16(p + 2, total);
	*body = p + IKE_MSG_SKF_HDR_LEN;
	return 0;
}

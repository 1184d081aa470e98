// SPDX-License-Identifier: GPL-2.0
/*
 * What the IKEv2 and IKEv1 codecs share, where the logic is the same: the
 * failure record, name lookups, one generic payload header on receipt, and
 * the builder's core (header, chaining, taking a refused payload back).
 *
 * The rules that differ stay with each codec: which payloads a chain may
 * hold and where it may end, what the payload header's octet of flags
 * means, what closes a message.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "msg.h"
#include "wire.h"

/**
 * ike_msg_set_err() - record why parsing or building failed
 * @err: where, or NULL not to
 * @code: an enum ike_msg_code
 * @fmt: the reason, printf-style, one line
 */
void ike_msg_set_err(struct ike_msg_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->reason, sizeof(err->reason), fmt, ap);
	va_end(ap);
}

/**
 * ike_msg_lookup() - the name of @value in @tbl
 * @tbl: the table
 * @n: its entries
 * @value: the number
 *
 * Return: the name, "unknown" for a number the table does not have.
 */
const char *ike_msg_lookup(const struct ike_msg_name *tbl, size_t n, unsigned int value)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (tbl[i].value == value)
			return tbl[i].name;
	return "unknown";
}

/**
 * ike_wire_label() - "payload 3 (Nonce)" or "payload 3 (type 99)", for reasons
 * @buf: where to write it
 * @size: room there
 * @idx: the payload's place in its chain, from 1
 * @type: its type
 * @name: the type's name in the version's table, "unknown" if it has none
 *
 * Return: @buf.
 */
const char *ike_wire_label(char *buf, size_t size, size_t idx, uint8_t type, const char *name)
{
	if (strcmp(name, "unknown"))
		snprintf(buf, size, "payload %zu (%s)", idx, name);
	else
		snprintf(buf, size, "payload %zu (type %u)", idx, type);
	return buf;
}

/* Parsing */

/**
 * ike_wire_walk_one() - read one generic payload header of a chain
 * @p: where it starts
 * @left: octets from there to the end of the chain
 * @who: the payload's label, for reasons
 * @reserved: bits of the flags octet that must be zero: all in IKEv1
 *	(RFC 2408 §2.5.2 has receivers check RESERVED), none in IKEv2, whose
 *	receivers ignore them (RFC 7296 §3.2)
 * @pl: filled in on success
 * @err: filled on failure; may be NULL
 *
 * Return: 0, IKE_MSG_E_TRUNCATED when fewer than 4 octets are left,
 * IKE_MSG_E_BAD_VALUE for a reserved bit set, IKE_MSG_E_BAD_LEN for a
 * length shorter than the header, IKE_MSG_E_OVERRUN for one past @left.
 */
int ike_wire_walk_one(const uint8_t *p, size_t left, const char *who, uint8_t reserved,
		      struct ike_wire_payload *pl, struct ike_msg_err *err)
{
	size_t plen;

	if (left < IKE_WIRE_PL_HDR_LEN)
		return IKE_MSG_FAIL(err, IKE_MSG_E_TRUNCATED,
				    "%s: %zu octets left, less than its %d-octet header", who, left,
				    IKE_WIRE_PL_HDR_LEN);
	if (p[1] & reserved)
		return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_VALUE, "%s: RESERVED is 0x%02x, not 0",
				    who, p[1]);
	plen = ike_get16(p + 2);
	if (plen < IKE_WIRE_PL_HDR_LEN)
		return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_LEN,
				    "%s: length %zu shorter than its %d-octet header", who, plen,
				    IKE_WIRE_PL_HDR_LEN);
	if (plen > left)
		return IKE_MSG_FAIL(err, IKE_MSG_E_OVERRUN,
				    "%s: length %zu runs past the end (%zu octets left)", who, plen,
				    left);
	pl->next = p[0];
	pl->flags = p[1];
	pl->body = p + IKE_WIRE_PL_HDR_LEN;
	pl->len = plen - IKE_WIRE_PL_HDR_LEN;
	return 0;
}

/**
 * ike_wire_need() - check that a body has its fixed part
 * @len: the body's length
 * @hlen: octets its fixed part has
 * @who: the payload's name, for reasons
 * @err: filled on failure; may be NULL
 *
 * Return: 0 or IKE_MSG_E_TRUNCATED.
 */
int ike_wire_need(size_t len, size_t hlen, const char *who, struct ike_msg_err *err)
{
	if (len < hlen)
		return IKE_MSG_FAIL(err, IKE_MSG_E_TRUNCATED,
				    "%s: %zu octets, less than its %zu-octet header", who, len,
				    hlen);
	return 0;
}

/**
 * ike_wire_opaque() - take a body of opaque octets that must not be empty
 * @who: the payload's name, for reasons
 * @body: the body
 * @len: its length
 * @blob: set to @body and @len
 * @err: filled on failure; may be NULL
 *
 * Return: 0 or IKE_MSG_E_BAD_LEN.
 */
int ike_wire_opaque(const char *who, const uint8_t *body, size_t len, struct ike_blob *blob,
		    struct ike_msg_err *err)
{
	if (!len)
		return IKE_MSG_FAIL(err, IKE_MSG_E_BAD_LEN, "%s: empty", who);
	blob->data = body;
	blob->len = len;
	return 0;
}

/* Building */

/**
 * ike_wire_reset() - start a builder afresh over a buffer
 * @b: the builder
 * @buf: where the message or chain goes
 * @cap: the room there
 */
void ike_wire_reset(struct ike_builder *b, uint8_t *buf, size_t cap)
{
	memset(b, 0, sizeof(*b));
	b->buf = buf;
	b->cap = cap;
	b->next_off = SIZE_MAX;
}

/**
 * ike_wire_start() - write the parts of the header the versions share
 * @b: a builder just reset
 *
 * Next Payload (NONE until a payload is added) and Length (the header's,
 * until ike_wire_end()); the caller writes the SPIs or cookies, version,
 * exchange, flags and message ID.
 *
 * Return: 0, or IKE_MSG_E_NOSPACE when the buffer has less than 28
 * octets (also kept in @b).
 */
int ike_wire_start(struct ike_builder *b)
{
	b->has_hdr = true;
	if (b->cap < IKE_WIRE_HDR_LEN)
		return IKE_MSG_FAIL(&b->err, IKE_MSG_E_NOSPACE,
				    "header: %zu octets of room, it needs %d", b->cap,
				    IKE_WIRE_HDR_LEN);
	b->buf[IKE_WIRE_HDR_NEXT] = IKE_WIRE_PL_NONE;
	ike_put32(b->buf + IKE_WIRE_HDR_LENGTH, IKE_WIRE_HDR_LEN);
	b->len = IKE_WIRE_HDR_LEN;
	b->next_off = IKE_WIRE_HDR_NEXT;
	return 0;
}

/**
 * ike_wire_end() - finish: set the header's Length
 * @b: the builder
 * @len: set to the length of the message or chain
 *
 * Return: 0, or the first failure of any call on @b (reason in @b->err).
 */
int ike_wire_end(struct ike_builder *b, size_t *len)
{
	if (b->err.code)
		return b->err.code;
	if (b->has_hdr)
		ike_put32(b->buf + IKE_WIRE_HDR_LENGTH, (uint32_t)b->len);
	*len = b->len;
	return 0;
}

/**
 * ike_wire_begin() - append a generic payload header and chain it on
 * @b: the builder
 * @c: the version's codec
 * @type: the payload's type, written into the previous payload's (or the
 *	header's) Next Payload octet
 * @flags: the header's octet after Next Payload
 * @len: octets of body to make room for
 * @body: set to where the body goes
 * @mark: set to where ike_wire_take_back() can take the payload back from
 *
 * Return: 0 or a negative enum ike_msg_code (also kept in @b).
 */
int ike_wire_begin(struct ike_builder *b, const struct ike_wire_codec *c, uint8_t type,
		   uint8_t flags, size_t len, uint8_t **body, struct ike_wire_mark *mark)
{
	char who[48];
	uint8_t *p;

	if (b->err.code)
		return b->err.code;
	ike_wire_label(who, sizeof(who), b->n + 1, type, c->payload_name(type));
	if (b->sealed)
		return IKE_MSG_FAIL(&b->err, IKE_MSG_E_INVAL, "%s after %s, which is last", who,
				    c->last);
	if (b->n == c->max_payloads)
		return IKE_MSG_FAIL(&b->err, IKE_MSG_E_INVAL, "%s: more than %zu payloads", who,
				    c->max_payloads);
	if (len > IKE_WIRE_BODY_MAX)
		return IKE_MSG_FAIL(&b->err, IKE_MSG_E_INVAL,
				    "%s: body of %zu octets, a payload holds %d", who, len,
				    IKE_WIRE_BODY_MAX);
	if (b->cap - b->len < IKE_WIRE_PL_HDR_LEN + len ||
	    (b->has_hdr && b->len + IKE_WIRE_PL_HDR_LEN + len > UINT32_MAX))
		return IKE_MSG_FAIL(&b->err, IKE_MSG_E_NOSPACE, "%s: %zu octets needed, %zu left",
				    who, IKE_WIRE_PL_HDR_LEN + len, b->cap - b->len);
	mark->len = b->len;
	mark->n = b->n;
	mark->next_off = b->next_off;
	mark->first = b->first;
	if (!b->n++)
		b->first = type;
	if (b->next_off != SIZE_MAX)
		b->buf[b->next_off] = type;
	p = b->buf + b->len;
	p[0] = IKE_WIRE_PL_NONE;
	p[1] = flags;
	ike_put16(p + 2, (uint16_t)(IKE_WIRE_PL_HDR_LEN + len));
	b->next_off = b->len;
	b->len += IKE_WIRE_PL_HDR_LEN + len;
	*body = p + IKE_WIRE_PL_HDR_LEN;
	return 0;
}

/**
 * ike_wire_refuse() - a parser refused what a builder was given
 * @b: the builder, whose @err has the parser's reason
 *
 * Return: IKE_MSG_E_INVAL, also kept in @b: the caller's struct is what
 * is wrong, whatever the parser called it.
 */
int ike_wire_refuse(struct ike_builder *b)
{
	b->err.code = IKE_MSG_E_INVAL;
	return IKE_MSG_E_INVAL;
}

/**
 * ike_wire_take_back() - take out a payload its parser refused
 * @b: the builder
 * @mark: what ike_wire_begin() set for the payload
 * @rc: the parser's return, its reason in @b->err
 *
 * Return: 0 when @rc is 0; otherwise IKE_MSG_E_INVAL, with @b as it was
 * before the payload.
 */
int ike_wire_take_back(struct ike_builder *b, const struct ike_wire_mark *mark, int rc)
{
	if (!rc)
		return 0;
	b->len = mark->len;
	b->n = mark->n;
	b->next_off = mark->next_off;
	b->first = mark->first;
	if (b->next_off != SIZE_MAX)
		b->buf[b->next_off] = IKE_WIRE_PL_NONE;
	return ike_wire_refuse(b);
}

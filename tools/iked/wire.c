// SPDX-License-Identifier: GPL-2.0
/*
 * What the IKEv2 and IKEv1 codecs share, where the logic is the same: the
 * failure record, name lookups and one generic payload header on receipt.
 *
 * The rules that differ stay with each codec: which payloads a chain may
 * hold and where it may end, what the payload header's octet of flags
 * means.
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

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the IKEv2 and IKEv1 codecs (msg.c, v1msg.c) share: big-endian
 * field access, the failure record, the tables that name numbers for the
 * log, the walk over one generic payload header and the builder's core
 * (wire.c). Internal to the codecs.
 *
 * IKEv2 kept ISAKMP's framing, so one implementation serves both: a
 * 28-octet header with Next Payload at octet 16 and Length at octet 24
 * (RFC 2408 §3.1, RFC 7296 §3.1), and a 4-octet generic payload header of
 * Next Payload, one octet of flags and Payload Length (RFC 2408 §3.2,
 * RFC 7296 §3.2). What that octet of flags means is each version's own.
 */
#ifndef VEIL_IKED_WIRE_H
#define VEIL_IKED_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "msg.h"

#define IKE_WIRE_HDR_LEN	28
#define IKE_WIRE_HDR_NEXT	16	/* the header's Next Payload octet */
#define IKE_WIRE_HDR_LENGTH	24	/* the header's Length field */
#define IKE_WIRE_PL_HDR_LEN	4
#define IKE_WIRE_PL_NONE	0	/* Next Payload of the last payload */

/* A payload's length field is 16 bits and counts its 4-octet header. */
#define IKE_WIRE_BODY_MAX	(0xffff - IKE_WIRE_PL_HDR_LEN)

static inline uint16_t ike_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t ike_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void ike_put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static inline void ike_put32(uint8_t *p, uint32_t v)
{
	ike_put16(p, v >> 16);
	ike_put16(p + 2, v & 0xffff);
}

__attribute__((format(printf, 3, 4)))
void ike_msg_set_err(struct ike_msg_err *err, int code, const char *fmt, ...);

/*
 * Record why and evaluate to @code: a macro, so that the compiler sees a
 * constant non-zero return and knows the success path's outputs are set.
 */
#define IKE_MSG_FAIL(err, code, ...) (ike_msg_set_err((err), (code), __VA_ARGS__), (code))

/**
 * struct ike_msg_name - a number and its name in the log
 * @value: the number
 * @name: its name
 */
struct ike_msg_name {
	unsigned int value;
	const char *name;
};

#define IKE_MSG_N(tbl) (sizeof(tbl) / sizeof((tbl)[0]))

const char *ike_msg_lookup(const struct ike_msg_name *tbl, size_t n, unsigned int value);

const char *ike_wire_label(char *buf, size_t size, size_t idx, uint8_t type, const char *name);

/* Parsing */

/**
 * struct ike_wire_payload - one generic payload header and what it frames
 * @next: its Next Payload
 * @flags: the octet after it: IKEv2's critical bit and reserved bits,
 *	IKEv1's RESERVED
 * @body: what follows the header
 * @len: octets of @body; the payload takes IKE_WIRE_PL_HDR_LEN more
 */
struct ike_wire_payload {
	uint8_t next;
	uint8_t flags;
	const uint8_t *body;
	size_t len;
};

int ike_wire_walk_one(const uint8_t *p, size_t left, const char *who, uint8_t reserved,
		      struct ike_wire_payload *pl, struct ike_msg_err *err);
int ike_wire_need(size_t len, size_t hlen, const char *who, struct ike_msg_err *err);
int ike_wire_opaque(const char *who, const uint8_t *body, size_t len, struct ike_blob *blob,
		    struct ike_msg_err *err);

/* Building: the core of struct ike_builder, which struct ike_v1_builder embeds */

/**
 * struct ike_wire_codec - what the builder core needs to know of a version
 * @payload_name: names payload types in reasons
 * @last: what closes a message, after which nothing may be added
 * @max_payloads: payloads in a message at most, as its parser would refuse
 *	more
 */
struct ike_wire_codec {
	const char *(*payload_name)(unsigned int type);
	const char *last;
	size_t max_payloads;
};

/**
 * struct ike_wire_mark - where a payload being added can be taken back from
 * @len: the builder's length before it
 * @n: its payload count before it
 * @next_off: its Next Payload octet to chain to before it
 * @first: its first payload's type before it
 */
struct ike_wire_mark {
	size_t len;
	size_t n;
	size_t next_off;
	uint8_t first;
};

/*
 * Body sizes add up without wrapping: a caller's absurd length must reach
 * ike_wire_begin()'s check as too big, not wrap around to something small.
 */
static inline size_t ike_wire_size_add(size_t a, size_t b)
{
	return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

void ike_wire_reset(struct ike_builder *b, uint8_t *buf, size_t cap);
int ike_wire_start(struct ike_builder *b);
int ike_wire_end(struct ike_builder *b, size_t *len);
int ike_wire_begin(struct ike_builder *b, const struct ike_wire_codec *c, uint8_t type,
		   uint8_t flags, size_t len, uint8_t **body, struct ike_wire_mark *mark);
int ike_wire_refuse(struct ike_builder *b);
int ike_wire_take_back(struct ike_builder *b, const struct ike_wire_mark *mark, int rc);

#endif /* VEIL_IKED_WIRE_H */

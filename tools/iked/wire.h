/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the IKEv2 and IKEv1 codecs (msg.c, v1msg.c) share: big-endian
 * field access, the failure record, and the tables that name numbers for
 * the log. Internal to the codecs.
 */
#ifndef VEIL_IKED_WIRE_H
#define VEIL_IKED_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "msg.h"

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

#endif /* VEIL_IKED_WIRE_H */

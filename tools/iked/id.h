/* SPDX-License-Identifier: GPL-2.0 */
/*
 * IKE identities (RFC 7296 §3.5): what a connection says it is and whom it
 * accepts, written the way strongSwan users write them.
 */
#ifndef VEIL_IKED_ID_H
#define VEIL_IKED_ID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IKED_ID_MAX	256	/* a DN or an FQDN longer than this is refused */

/**
 * struct iked_id - an identity as it goes into an ID payload
 * @type: IKEV2_ID_*, or 0 for "%any" (matches every identity, and is never
 *	sent)
 * @len: length of @data
 * @data: the payload's identification data: 4 or 16 address bytes, the
 *	name's characters (no terminating NUL), or a DER-encoded Name
 */
struct iked_id {
	uint8_t type;
	uint16_t len;
	uint8_t data[IKED_ID_MAX];
};

int iked_id_parse(const char *text, struct iked_id *id, char *err, size_t errlen);
int iked_id_format(const struct iked_id *id, char *buf, size_t len);
bool iked_id_match(const struct iked_id *want, const struct iked_id *got);
bool iked_id_equal(const struct iked_id *a, const struct iked_id *b);

#endif /* VEIL_IKED_ID_H */

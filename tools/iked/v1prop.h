/* SPDX-License-Identifier: GPL-2.0 */
/*
 * IKEv1's proposals. A connection's proposals are written once, in
 * strongSwan's syntax, and read by proposal.c into IKEv2's form; this file
 * turns them into the transforms IKEv1 offers (RFC 2409 Appendix A for
 * Phase 1, RFC 2407 section 4.5 for Quick Mode), reads a peer's offered
 * transforms back, chooses among them as a responder, and gives the chosen
 * Quick Mode transform in IKEv2's form again, which child.c installs.
 *
 * IKEv1 cannot say everything IKEv2 can: there is no IKEv1 number for
 * ChaCha20-Poly1305 or Curve25519, and Phase 1 has no AEAD. Such a
 * proposal is refused with a reason, never silently changed.
 */
#ifndef VEIL_IKED_V1PROP_H
#define VEIL_IKED_V1PROP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proposal.h"
#include "v1msg.h"

/**
 * struct ike_v1_p1_xf - one Phase 1 transform: an ISAKMP SA's algorithms
 * @encr: IKEV1_ENCR_AES_CBC or IKEV1_ENCR_3DES_CBC
 * @keylen: the Key Length attribute in bits (AES), 0 for none (3DES)
 * @hash: IKEV1_HASH_*; the prf is HMAC with it
 * @auth: IKEV1_AUTH_PSK or IKEV1_AUTH_RSA_SIG
 * @group: the Diffie-Hellman group (IKEv1 and IKEv2 share the numbers)
 * @life: the lifetime in seconds, 0 for none said
 */
struct ike_v1_p1_xf {
	uint16_t encr;
	uint16_t keylen;
	uint16_t hash;
	uint16_t auth;
	uint16_t group;
	uint32_t life;
};

/**
 * struct ike_v1_p2_xf - one Quick Mode transform: an IPsec SA's algorithms
 * @proto: IKEV1_PROTO_ESP or IKEV1_PROTO_AH
 * @id: the transform ID: enum ikev1_esp, or enum ikev1_ah
 * @keylen: the Key Length attribute in bits, 0 for none
 * @auth: the Authentication Algorithm attribute, enum ikev1_p2_auth; 0 for
 *	none (an AEAD)
 * @group: the PFS group, 0 for no PFS
 * @encap: the Encapsulation Mode, enum ikev1_encap
 * @esn: extended sequence numbers (RFC 4304)
 * @life: the lifetime in seconds, 0 for none said
 */
struct ike_v1_p2_xf {
	uint8_t proto;
	uint8_t id;
	uint16_t keylen;
	uint16_t auth;
	uint16_t group;
	uint16_t encap;
	bool esn;
	uint32_t life;
};

int ike_v1_p1_expand(const struct ike_prop *props, size_t n, uint16_t auth, uint32_t life,
		     struct ike_v1_p1_xf *out, size_t max, char *err, size_t errlen);
int ike_v1_p1_read(const struct ike_v1_transform *t, struct ike_v1_p1_xf *x);
int ike_v1_p1_select(const struct ike_v1_p1_xf *ours, size_t n, const struct ike_v1_sa *offered,
		     struct ike_v1_p1_xf *chosen, size_t *tr);
int ike_v1_p1_add_sa(struct ike_v1_builder *b, const struct ike_v1_p1_xf *xf, size_t n);

int ike_v1_p2_expand(const struct ike_prop *props, size_t n, uint16_t encap, uint32_t life,
		     struct ike_v1_p2_xf *out, size_t max, char *err, size_t errlen);
int ike_v1_p2_read(uint8_t proto, const struct ike_v1_transform *t, struct ike_v1_p2_xf *x);
int ike_v1_p2_select(const struct ike_v1_p2_xf *ours, size_t n, const struct ike_v1_sa *offered,
		     struct ike_v1_p2_xf *chosen, size_t *prop, size_t *tr);
int ike_v1_p2_add_sa(struct ike_v1_builder *b, const struct ike_v1_p2_xf *xf, size_t n,
		     const uint8_t spi[4]);
int ike_v1_p2_to_prop(const struct ike_v1_p2_xf *x, struct ike_prop *p);

#endif /* VEIL_IKED_V1PROP_H */

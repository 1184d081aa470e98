/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What v1.c (the ISAKMP SA, sending, Informational, dispatch), v1_main.c
 * (Main Mode) and v1_quick.c (Quick Mode) share. Internal to them.
 */
#ifndef VEIL_IKED_V1_INT_H
#define VEIL_IKED_V1_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon.h"
#include "v1crypto.h"
#include "v1msg.h"
#include "v1prop.h"

#define V1_NONCE_LEN	32
#define V1_MSG_MAX	8192
/* How long a rekey's new outbound SA waits for the responder (ms). */
#define V1_SWITCH_MS	500
/* How long an ISAKMP SA our rekey replaced lives on (ms): see v1_info.c. */
#define V1_OLD_DELETE_MS	1000

extern const uint8_t ike_v1_vid_natt[16];
extern const uint8_t ike_v1_vid_dpd[16];

enum v1_state {
	V1_MM1_SENT,		/* initiator */
	V1_MM3_SENT,
	V1_MM5_SENT,
	V1_MM2_SENT,		/* responder */
	V1_MM4_SENT,
	V1_AM1_SENT,		/* Aggressive Mode, initiator */
	V1_AM2_SENT,		/* Aggressive Mode, responder */
	V1_ESTABLISHED,
};

/**
 * struct v1_qm - a Quick Mode exchange this end started
 * @active: one is in flight
 * @msgid: its Message ID, host order
 * @cfg: the child it is for
 * @dh: the PFS key exchange, NULL without PFS
 * @ni: our nonce
 * @ni_len: its length
 * @spi_in: our inbound SPI, host order
 * @xf: the transforms we offered
 * @n_xf: how many
 * @responder: the peer started it: we wait for its HASH(3)
 * @peer_ni: as responder, the initiator's nonce
 * @peer_ni_len: its length
 * @spi_out: as responder, the initiator's inbound SPI
 * @chosen: as responder, the transform chosen
 * @gqm: as responder, the PFS shared secret
 * @gqm_len: its length (0 without PFS)
 * @replaces: the inbound SPI of the child this one rekeys (0 for none):
 *	IKEv1 rekeys by a new Quick Mode, then deletes the old child
 * @has_oa: @oa is known
 * @oa: the peer's own address, from its NAT-OA payload (transport mode
 *	through a NAT in front of it)
 */
struct v1_qm {
	bool active;
	uint32_t msgid;
	const struct iked_child_cfg *cfg;
	struct ike_dh *dh;
	uint8_t ni[V1_NONCE_LEN];
	size_t ni_len;
	uint32_t spi_in;
	struct ike_v1_p2_xf xf[IKE_V1_MSG_MAX_TRANSFORMS];
	size_t n_xf;
	bool responder;
	uint8_t peer_ni[IKE_V1_MSG_NONCE_MAX];
	size_t peer_ni_len;
	uint32_t spi_out;
	struct ike_v1_p2_xf chosen;
	uint8_t gqm[1024];
	size_t gqm_len;
	uint32_t replaces;
	bool has_oa;
	uint8_t oa[16];
};

/**
 * struct ike_v1 - what an IKEv1 SA has beyond struct ike_sa
 * @state: enum v1_state
 * @keys: the ISAKMP SA's keys and IVs, once Main Mode's KE is done
 * @xf: the Phase 1 transforms we offered
 * @n_xf: how many
 * @chosen: the one the responder chose
 * @sai_b: the SA payload's body as we sent it (HASH_I and HASH_R cover it)
 * @sai_len: its length
 * @gxi: our KE data (g^xi)
 * @gxi_len: its length
 * @gxr: the responder's
 * @gxr_len: its length
 * @qm: the Quick Mode in flight
 * @last_in: as responder, the last message we answered, to know it again
 * @last_in_len: its length
 * @idi_b: Aggressive Mode's responder: the initiator's ID body (HASH_I
 *	covers it, and it comes before HASH_I does)
 * @idi_len: its length
 * @sa: the IKE SA this is part of (for the timer)
 * @switch_timer: a rekey's switch to the new child (ike_v1_switch_later())
 * @switch_new: the new child's inbound SPI, 0 when no switch waits
 * @switch_old: the old child's
 * @natt: the peer sent RFC 3947's Vendor ID: NAT-D goes both ways
 * @peer_dpd: the peer sent the DPD Vendor ID (RFC 3706): it answers
 *	R-U-THERE
 * @dpd_out: our R-U-THERE is the request in flight (sa->req)
 * @dpd_seq: the sequence number of our last R-U-THERE
 * @peer_ic: the peer's Phase 1 carried INITIAL-CONTACT
 * @replaces: our rekey: the local cookie of the ISAKMP SA this one
 *	replaces (found again by it: that one may be gone meanwhile)
 * @rekey_by: on the old SA, the local cookie of its replacement while
 *	that is made
 * @replaced: another ISAKMP SA took this one's children; it only waits
 *	for its Delete
 */
struct ike_v1 {
	enum v1_state state;
	struct ike_v1_keys *keys;
	struct ike_v1_p1_xf xf[IKE_V1_MSG_MAX_TRANSFORMS];
	size_t n_xf;
	struct ike_v1_p1_xf chosen;
	uint8_t *sai_b;
	size_t sai_len;
	uint8_t gxi[1024];
	size_t gxi_len;
	uint8_t gxr[1024];
	size_t gxr_len;
	struct v1_qm qm;
	uint8_t *last_in;
	size_t last_in_len;
	uint8_t idi_b[4 + IKED_ID_MAX];
	size_t idi_len;
	struct ike_sa *sa;
	struct iked_timer switch_timer;
	uint32_t switch_new;
	uint32_t switch_old;
	bool natt;
	bool peer_dpd;
	bool dpd_out;
	uint32_t dpd_seq;
	bool peer_ic;
	uint8_t replaces[IKEV1_COOKIE_LEN];
	uint8_t rekey_by[IKEV1_COOKIE_LEN];
	bool replaced;
};

bool ike_v1_again(struct ike_sa *sa, const struct iked_dgram *in);
int ike_v1_answer(struct ike_sa *sa, const struct iked_dgram *in, const uint8_t *msg,
		  size_t len);
void ike_v1_hdr(const struct ike_sa *sa, struct ike_v1_hdr *h, uint8_t exchange, uint8_t flags,
		uint32_t msgid);
void ike_v1_am1(struct iked *d, struct iked_dgram *dg, const struct ike_v1_msg *msg);
void ike_v1_am2(struct ike_sa *sa, const struct ike_v1_msg *msg);
void ike_v1_am3(struct ike_sa *sa, const struct ike_v1_chain *c, bool encrypted);
void ike_v1_mm1(struct iked *d, struct iked_dgram *dg, const struct ike_v1_msg *msg);
void ike_v1_mm2(struct ike_sa *sa, const struct ike_v1_msg *msg);
void ike_v1_mm3(struct ike_sa *sa, const struct iked_dgram *dg, const struct ike_v1_msg *msg);
void ike_v1_mm4(struct ike_sa *sa, const struct ike_v1_msg *msg);
void ike_v1_mm5(struct ike_sa *sa, const struct iked_dgram *dg, const struct ike_v1_chain *c);
void ike_v1_mm6(struct ike_sa *sa, const struct ike_v1_chain *c);
void ike_v1_qm1(struct ike_sa *sa, const struct iked_dgram *dg, const struct ike_v1_msg *msg,
		const struct ike_v1_chain *c);
void ike_v1_qm2(struct ike_sa *sa, const struct ike_v1_msg *msg, const uint8_t *plain,
		const struct ike_v1_chain *c);
void ike_v1_qm3(struct ike_sa *sa, const struct ike_v1_chain *c);
void ike_v1_qm_start(struct ike_sa *sa, uint32_t replaces);
void ike_v1_replaced(struct ike_sa *sa, uint32_t spi_in);
void ike_v1_switch_later(struct ike_sa *sa, uint32_t spi_new, uint32_t spi_old);
int ike_v1_seal_send(struct ike_sa *sa, struct ike_v1_builder *b, uint32_t msgid,
		     bool expect_answer, const struct iked_dgram *in);
void ike_v1_self_id(const struct ike_sa *sa, struct ike_v1_id *id);
int ike_v1_delete_isakmp(struct ike_sa *sa);
int ike_v1_notify_isakmp(struct ike_sa *sa, uint16_t type, const uint8_t *data, size_t len,
			 bool expect_answer);
int ike_v1_info_send(struct ike_sa *sa, const struct ike_v1_notify *n,
		     const struct ike_v1_delete *del, bool expect_answer);

/* v1_info.c: DPD, INITIAL-CONTACT, the ISAKMP SA's lifetime */
void ike_v1_phase1_seen(struct ike_sa *sa, const struct ike_v1_chain *c);
int ike_v1_add_initial_contact(struct ike_sa *sa, struct ike_v1_builder *b);
void ike_v1_life_up(struct ike_sa *sa);
struct ike_sa *ike_v1_successor(struct ike_sa *sa);
bool ike_v1_forward_ops(struct ike_sa *sa);
bool ike_v1_pass_on(struct ike_sa *sa);
void ike_v1_notify_in(struct ike_sa *sa, const struct ike_v1_notify *n);
int ike_v1_send(struct ike_sa *sa, const uint8_t *msg, size_t len, bool expect_answer);

#endif /* VEIL_IKED_V1_INT_H */

// SPDX-License-Identifier: GPL-2.0
/*
 * An ISAKMP SA's life once it is up: the peer's liveness (RFC 3706 Dead
 * Peer Detection, both ways), INITIAL-CONTACT (RFC 2407 §4.6.3, both
 * ways), and its renewal before its lifetime ends.
 *
 * IKEv1 cannot rekey an ISAKMP SA in place: a new Main (or Aggressive)
 * Mode makes another one with the same peer, and the IPsec SAs, which do
 * not depend on the ISAKMP SA that negotiated them, move over to it; the
 * old one then goes with an ISAKMP Delete alone. When the peer does the
 * same (charon "reauthenticates"), the new ISAKMP SA it makes adopts the
 * children of the old one likewise, so that the peer's Delete for the old
 * one takes none of them along. Nothing is uninstalled meanwhile: the
 * traffic never notices.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "isakmp.h"
#include "log.h"
#include "v1.h"
#include "v1_int.h"

/*
 * The same peer as @sa's: an ISAKMP SA of the same connection (whose
 * identities authenticated it) with the same address.
 */
static bool v1_same_peer(const struct ike_sa *sa, const struct ike_sa *o)
{
	return o != sa && o->version == 1 && o->v1 && o->conn == sa->conn &&
	       o->state != IKE_SA_DEAD && iked_addr_equal(&o->remote, &sa->remote, false);
}

/* The cookies, as DPD's and INITIAL-CONTACT's SPI field carries them. */
static void v1_cookies(const struct ike_sa *sa, uint8_t *spi)
{
	memcpy(spi, sa->spi_i, IKEV1_COOKIE_LEN);
	memcpy(spi + IKEV1_COOKIE_LEN, sa->spi_r, IKEV1_COOKIE_LEN);
}

/**
 * ike_v1_phase1_seen - what a Phase 1 message says of the peer: the DPD
 *	Vendor ID, INITIAL-CONTACT
 * @sa: the ISAKMP SA being made
 * @c: the message's payloads (decrypted)
 *
 * INITIAL-CONTACT counts only once the SA is authenticated
 * (ike_v1_life_up()).
 */
void ike_v1_phase1_seen(struct ike_sa *sa, const struct ike_v1_chain *c)
{
	struct ike_v1_notify n;
	struct ike_msg_err e;
	struct ike_blob vid;
	size_t i;

	for (i = 0; i < c->n; i++) {
		/* the last two octets are the version (1.0); any will do */
		if (c->pl[i].type == IKEV1_PL_VID &&
		    !ike_v1_msg_parse_vendor(c->pl[i].body, c->pl[i].len, &vid, &e) &&
		    vid.len == sizeof(ike_v1_vid_dpd) &&
		    !memcmp(vid.data, ike_v1_vid_dpd, sizeof(ike_v1_vid_dpd) - 2))
			sa->v1->peer_dpd = true;
		if (c->pl[i].type == IKEV1_PL_N &&
		    !ike_v1_msg_parse_notify(c->pl[i].body, c->pl[i].len, &n, &e) &&
		    n.type == IKEV1_N_INITIAL_CONTACT)
			sa->v1->peer_ic = true;
	}
}

/**
 * ike_v1_add_initial_contact - INITIAL-CONTACT in our last Phase 1
 *	message (Main Mode's fifth, Aggressive Mode's third), when this is
 *	our only ISAKMP SA with the peer
 * @sa: the SA being made
 * @b: the message being built, its identity and HASH in already
 *
 * It tells the peer that we have no other SA with it (we started anew),
 * so that it drops what it still holds of an earlier life of ours. A
 * Phase 1 rekey does not send it: the old SA is still up.
 *
 * Return: 0 or the builder's error.
 */
int ike_v1_add_initial_contact(struct ike_sa *sa, struct ike_v1_builder *b)
{
	uint8_t spi[IKEV1_ISAKMP_SPI_LEN];
	struct ike_sa *o;
	unsigned int k;

	for (k = 0; k < IKED_SA_HASH; k++)
		for (o = sa->d->sas[k]; o; o = o->hnext)
			if (v1_same_peer(sa, o) && o->state == IKE_SA_ESTABLISHED)
				return 0;
	v1_cookies(sa, spi);
	ike_sa_log(sa, 1, "INITIAL-CONTACT: our first ISAKMP SA with the peer");
	return ike_v1_msg_add_notify(b, &(struct ike_v1_notify){
		.doi = IKEV1_DOI_IPSEC, .proto = IKEV1_PROTO_ISAKMP,
		.spi_size = IKEV1_ISAKMP_SPI_LEN, .spi = spi, .type = IKEV1_N_INITIAL_CONTACT,
	});
}

/*
 * The peer's INITIAL-CONTACT: it has started anew and holds no other SA
 * with us, so every other ISAKMP SA we have with it, and their children,
 * go without a word to it (as charon does). @sa stays.
 */
static void v1_initial_contact(struct ike_sa *sa)
{
	struct ike_sa *o;
	unsigned int k;

	for (k = 0; k < IKED_SA_HASH; k++)
		for (o = sa->d->sas[k]; o; o = o->hnext)
			if (v1_same_peer(sa, o))
				ike_sa_dead(o, "INITIAL-CONTACT: the peer has started anew");
}

/* --- DPD (RFC 3706) --- */

/**
 * ike_v1_notify_isakmp - a notification about the ISAKMP SA itself (its
 *	cookies as the SPI) in an Informational exchange under its keys
 * @sa: the SA, its keys derived
 * @type: the notification
 * @data: its data, or NULL
 * @len: its length
 * @expect_answer: retransmit it until answered (DPD's R-U-THERE)
 *
 * Return: 0 or a negative errno.
 */
int ike_v1_notify_isakmp(struct ike_sa *sa, uint16_t type, const uint8_t *data, size_t len,
			 bool expect_answer)
{
	uint8_t spi[IKEV1_ISAKMP_SPI_LEN];

	v1_cookies(sa, spi);
	return ike_v1_info_send(sa, &(struct ike_v1_notify){
		.doi = IKEV1_DOI_IPSEC, .proto = IKEV1_PROTO_ISAKMP,
		.spi_size = IKEV1_ISAKMP_SPI_LEN, .spi = spi, .type = type,
		.data = data, .len = len,
	}, NULL, expect_answer);
}

/* An R-U-THERE or R-U-THERE-ACK with sequence number @seq. */
static int v1_dpd_send(struct ike_sa *sa, uint16_t type, uint32_t seq, bool expect_answer)
{
	uint8_t data[4] = { seq >> 24, seq >> 16, seq >> 8, seq };

	return ike_v1_notify_isakmp(sa, type, data, sizeof(data), expect_answer);
}

/**
 * ike_v1_dpd - the peer was silent for dpd_delay: an R-U-THERE
 * @sa: the ISAKMP SA, established, with no request in flight
 *
 * It is our request in flight, sent again as any other; when the peer
 * never answers, the retransmission gives up and the SA ends as a dead
 * peer's (dpd_action), as in IKEv2.
 *
 * Return: 0 or a negative errno.
 */
int ike_v1_dpd(struct ike_sa *sa)
{
	struct ike_v1 *v = sa->v1;
	int ret;

	if (!v->peer_dpd)
		return -EOPNOTSUPP;
	v->dpd_seq++;
	ike_sa_log(sa, 2, "DPD: R-U-THERE %u", v->dpd_seq);
	ret = v1_dpd_send(sa, IKEV1_N_R_U_THERE, v->dpd_seq, true);
	/* after the send: ike_v1_send() forgets what the request was */
	v->dpd_out = !ret;
	return ret;
}

/* A DPD notification's sequence number, if it is for this SA. */
static bool v1_dpd_seq(struct ike_sa *sa, const struct ike_v1_notify *n, uint32_t *seq)
{
	uint8_t spi[IKEV1_ISAKMP_SPI_LEN];

	v1_cookies(sa, spi);
	if (n->len != 4 || n->spi_size != IKEV1_ISAKMP_SPI_LEN ||
	    memcmp(n->spi, spi, sizeof(spi))) {
		ike_sa_log(sa, 1, "DPD %s not for this ISAKMP SA, or without a sequence "
			   "number: ignored", ike_v1_msg_notify_name(n->type));
		return false;
	}
	*seq = (uint32_t)n->data[0] << 24 | n->data[1] << 16 | n->data[2] << 8 | n->data[3];
	return true;
}

/**
 * ike_v1_notify_in - a notification in the peer's Informational exchange,
 *	its HASH(1) checked
 * @sa: the ISAKMP SA
 * @n: the notification
 *
 * R-U-THERE is answered with R-U-THERE-ACK and the same sequence number;
 * an ACK ends our R-U-THERE only with the number it carried.
 */
void ike_v1_notify_in(struct ike_sa *sa, const struct ike_v1_notify *n)
{
	struct ike_v1 *v = sa->v1;
	uint32_t seq;

	switch (n->type) {
	case IKEV1_N_R_U_THERE:
		if (!v1_dpd_seq(sa, n, &seq))
			return;
		ike_sa_log(sa, 2, "DPD: R-U-THERE %u from the peer: answered", seq);
		v1_dpd_send(sa, IKEV1_N_R_U_THERE_ACK, seq, false);
		return;
	case IKEV1_N_R_U_THERE_ACK:
		if (!v1_dpd_seq(sa, n, &seq))
			return;
		if (!v->dpd_out || seq != v->dpd_seq) {
			ike_sa_log(sa, 1, "DPD: R-U-THERE-ACK %u answers no R-U-THERE of ours "
				   "(%s %u): ignored", seq, v->dpd_out ? "ours is" : "last was",
				   v->dpd_seq);
			return;
		}
		ike_sa_log(sa, 2, "DPD: R-U-THERE-ACK %u", seq);
		v->dpd_out = false;
		ike_wire_free(&sa->req);
		iked_timer_cancel(&sa->retransmit);
		ike_v1_kick(sa);
		return;
	case IKEV1_N_INITIAL_CONTACT:
		/* some send it in an Informational exchange after Phase 1 */
		ike_sa_log(sa, 1, "INITIAL-CONTACT from the peer");
		v1_initial_contact(sa);
		return;
	default:
		ike_sa_log(sa, 1, "IKEv1 notification %s (%u) from the peer",
			   ike_v1_msg_notify_name(n->type), n->type);
	}
}

/* --- the ISAKMP SA's renewal --- */

/**
 * ike_v1_successor - the ISAKMP SA our rekey of @sa is making, while that
 *	is under way (@sa's requests wait for it)
 * @sa: the SA
 *
 * Return: the new SA, or NULL.
 */
struct ike_sa *ike_v1_successor(struct ike_sa *sa)
{
	static const uint8_t none[IKEV1_COOKIE_LEN];
	struct ike_sa *n;

	if (!memcmp(sa->v1->rekey_by, none, sizeof(none)))
		return NULL;
	n = ike_sa_find(sa->d, sa->v1->rekey_by);
	if (!n || n->version != 1 || !n->v1 ||
	    memcmp(n->v1->replaces, ike_sa_local_spi(sa), IKEV1_COOKIE_LEN)) {
		memset(sa->v1->rekey_by, 0, sizeof(sa->v1->rekey_by));
		return NULL;
	}
	return n;
}

/*
 * @sa takes over @old's children, their queued requests and a rekey's
 * pending switch; @old keeps nothing that a Delete of it would take.
 */
static void v1_adopt(struct ike_sa *sa, struct ike_sa *old)
{
	struct ike_child **pp, *c;
	unsigned int n = 0, i;

	for (pp = &sa->children; *pp; pp = &(*pp)->next)
		;
	*pp = old->children;
	for (c = old->children; c; c = c->next)
		n++;
	old->children = NULL;
	for (i = 0; i < old->n_ops && sa->n_ops < IKE_SA_OPS; i++)
		sa->ops[sa->n_ops++] = old->ops[i];
	old->n_ops = 0;
	if (old->v1->switch_new && !sa->v1->switch_new) {
		iked_timer_cancel(&old->v1->switch_timer);
		ike_v1_switch_later(sa, old->v1->switch_new, old->v1->switch_old);
		old->v1->switch_new = old->v1->switch_old = 0;
	}
	old->v1->replaced = true;
	iked_timer_cancel(&old->dpd);
	ike_sa_log(sa, 0, "took over %u IPsec SA%s of ISAKMP SA %02x%02x%02x%02x", n,
		   n == 1 ? "" : "s", ike_sa_local_spi(old)[0], ike_sa_local_spi(old)[1],
		   ike_sa_local_spi(old)[2], ike_sa_local_spi(old)[3]);
}

/**
 * ike_v1_pass_on - the peer deletes an ISAKMP SA while another with it is
 *	up or on its way: that one takes the children
 * @sa: the SA the peer deletes
 *
 * charon moves its CHILD_SAs to the new IKE_SA as soon as it starts to
 * renew one, and may delete the old one (at its hard lifetime) before the
 * new one is up: its Delete then says nothing of the children, which live
 * on at charon's. Here they wait on the new SA likewise, and go with it
 * if it never comes up.
 *
 * Return: whether another SA took them.
 */
bool ike_v1_pass_on(struct ike_sa *sa)
{
	struct ike_sa *o, *heir = NULL;
	unsigned int k;

	/* one on its way only if it is alive: a stale half-made one never ends */
	for (k = 0; k < IKED_SA_HASH; k++)
		for (o = sa->d->sas[k]; o; o = o->hnext)
			if (v1_same_peer(sa, o) && !o->v1->replaced &&
			    (o->state == IKE_SA_ESTABLISHED ||
			     (!heir && iked_now_ms() - o->last_rx < IKED_HALF_OPEN_MS)))
				heir = o;
	if (!heir || !sa->children)
		return false;
	v1_adopt(heir, sa);
	return true;
}

/**
 * ike_v1_life_up - an ISAKMP SA is established: INITIAL-CONTACT, the
 *	children of the one it replaces, and its timers
 * @sa: the SA, just established
 *
 * With the peer's INITIAL-CONTACT, every other ISAKMP SA with it goes.
 * Else, when it replaces one of ours (our rekey), it takes that one's
 * children and the old one is deleted (an ISAKMP Delete alone); when the
 * peer made it while others are up (the peer's rekey), it takes theirs
 * and those wait for the peer's Deletes. Then the liveness check (when
 * the peer speaks DPD) and the rekey are armed.
 */
void ike_v1_life_up(struct ike_sa *sa)
{
	const struct iked_conn_cfg *c = sa->conn;
	struct ike_sa *o, *old = NULL;
	unsigned int k;
	uint32_t r = 0;

	sa->established_at = time(NULL);
	if (sa->v1->peer_ic) {
		ike_sa_log(sa, 1, "INITIAL-CONTACT from the peer");
		v1_initial_contact(sa);
	} else {
		for (k = 0; k < IKED_SA_HASH; k++)
			for (o = sa->d->sas[k]; o; o = o->hnext)
				if (v1_same_peer(sa, o) && o->state == IKE_SA_ESTABLISHED &&
				    !memcmp(sa->v1->replaces, ike_sa_local_spi(o),
					    IKEV1_COOKIE_LEN))
					old = o;
		if (old) {
			v1_adopt(sa, old);
			memset(old->v1->rekey_by, 0, sizeof(old->v1->rekey_by));
			/*
			 * Its Delete waits a moment: charon moves the
			 * children over to the new SA in a job of its own
			 * once Main Mode is done, and a Delete seen before
			 * that would take them along.
			 */
			ike_sa_log(old, 0, "replaced by ISAKMP SA %02x%02x%02x%02x: deleting it",
				   sa->spi_i[0], sa->spi_i[1], sa->spi_i[2], sa->spi_i[3]);
			iked_timer_cancel(&old->rekey);
			iked_timer_set(&old->expire, V1_OLD_DELETE_MS);
		} else {
			/* the peer's rekey: the old ones wait for its Deletes */
			for (k = 0; k < IKED_SA_HASH; k++)
				for (o = sa->d->sas[k]; o; o = o->hnext)
					if (v1_same_peer(sa, o) &&
					    o->state == IKE_SA_ESTABLISHED && o->children)
						v1_adopt(sa, o);
		}
	}
	if (c->rekey_time) {
		if (c->rand_time)
			ike_crypto_random(&r, sizeof(r));
		iked_timer_set(&sa->rekey, ((uint64_t)c->rekey_time -
					    (c->rand_time ? r % c->rand_time : 0)) * 1000);
	}
	if (c->dpd_delay && sa->v1->peer_dpd) {
		/* RFC 3706 §7: the first sequence number is random */
		ike_crypto_random(&sa->v1->dpd_seq, sizeof(sa->v1->dpd_seq));
		sa->v1->dpd_seq &= 0x7fffffff;
		iked_timer_set(&sa->dpd, (uint64_t)c->dpd_delay * 1000);
	} else if (c->dpd_delay) {
		ike_sa_log(sa, 1, "the peer does not speak DPD (RFC 3706): no liveness check");
	}
	/* what waited on the old SA goes on here (a child's own start comes next) */
	if (!sa->pending)
		ike_v1_kick(sa);
}

/**
 * ike_v1_forward_ops - what was queued on an ISAKMP SA whose children
 *	another took over goes to that one
 * @sa: the SA
 *
 * A child started on the old SA now would go with it; the new one that
 * holds the others runs it instead.
 *
 * Return: whether @sa was replaced (and its queue, if any, moved on).
 */
bool ike_v1_forward_ops(struct ike_sa *sa)
{
	struct ike_sa *o, *heir = NULL;
	unsigned int k, i;

	if (!sa->v1->replaced)
		return false;
	for (k = 0; k < IKED_SA_HASH && !heir; k++)
		for (o = sa->d->sas[k]; o && !heir; o = o->hnext)
			if (v1_same_peer(sa, o) && o->state == IKE_SA_ESTABLISHED &&
			    !o->v1->replaced)
				heir = o;
	if (!heir || !sa->n_ops)
		return true;
	for (i = 0; i < sa->n_ops && heir->n_ops < IKE_SA_OPS; i++)
		heir->ops[heir->n_ops++] = sa->ops[i];
	sa->n_ops = 0;
	ike_v1_kick(heir);
	return true;
}

/* The SA ike_v1_start() just made for @conn: the newest one on its way. */
static struct ike_sa *v1_just_started(struct iked *d, const struct iked_conn_cfg *conn)
{
	static const uint8_t none[IKEV1_COOKIE_LEN];
	struct ike_sa *sa;
	unsigned int k;

	for (k = 0; k < IKED_SA_HASH; k++)
		for (sa = d->sas[k]; sa; sa = sa->hnext)
			if (sa->conn == conn && sa->version == 1 && sa->v1 && sa->initiator &&
			    sa->state == IKE_SA_INIT_SENT && sa->req_tries == 1 &&
			    (sa->v1->state == V1_MM1_SENT || sa->v1->state == V1_AM1_SENT) &&
			    !memcmp(sa->v1->replaces, none, sizeof(none)))
				return sa;
	return NULL;
}

/**
 * ike_v1_rekey - the ISAKMP SA's lifetime is nearly over: a new one
 * @sa: the SA, established
 *
 * A new Main or Aggressive Mode with the same peer, without a child of
 * its own: once it is up, it takes over this one's children and deletes
 * this one (ike_v1_life_up()). One that the peer's rekey replaced already
 * just goes. Nothing starts while a Quick Mode or a switch is under way,
 * and nothing at all on a connection without a single remote address to
 * send to (a responder for peers anywhere): the peer renews it, or it
 * ends.
 *
 * Return: 0 when done with, else a negative errno: ask again in a moment
 * (a new SA under way counts: if it fails, another is started).
 */
int ike_v1_rekey(struct ike_sa *sa)
{
	struct ike_v1 *v = sa->v1;
	struct ike_sa *n;
	unsigned int i;
	int ret;

	if (v->replaced) {
		ike_sa_log(sa, 1, "replaced by the peer's new ISAKMP SA: deleting it");
		ike_v1_delete(sa, true);
		return 0;
	}
	if (ike_v1_successor(sa))
		return -EINPROGRESS;
	if (v->qm.active || v->switch_new)
		return -EBUSY;
	for (i = 0; i < sa->conn->n_remote_addrs; i++)
		if (iked_ts_is_host(&sa->conn->remote_addrs[i]))
			break;
	if (i == sa->conn->n_remote_addrs) {
		/* a responder for peers anywhere: the peer renews it, or it ends */
		ike_sa_log(sa, 1, "no single remote address to renew the ISAKMP SA with");
		return 0;
	}
	ike_sa_log(sa, 0, "rekeying the ISAKMP SA: a new %s",
		   sa->conn->aggressive ? "Aggressive Mode" : "Main Mode");
	ret = ike_v1_start(sa->d, sa->conn, NULL);
	n = ret ? NULL : v1_just_started(sa->d, sa->conn);
	if (!n) {
		/* not every second: a proposal or a route that fails now will again */
		ike_sa_log(sa, 0, "cannot start the new ISAKMP SA: trying again in a minute");
		iked_timer_set(&sa->rekey, 60000);
		return 0;
	}
	memcpy(n->v1->replaces, ike_sa_local_spi(sa), IKEV1_COOKIE_LEN);
	memcpy(v->rekey_by, n->spi_i, IKEV1_COOKIE_LEN);
	return -EINPROGRESS;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * IKEv1 (RFC 2409) in veil-iked: the ISAKMP SA's messages in and out
 * (retransmission, answering a message again), Informational exchanges
 * (Deletes both ways) and the dispatch of what arrives. Main Mode is in
 * v1_main.c, Quick Mode in v1_quick.c.
 *
 * DPD, INITIAL-CONTACT and the ISAKMP SA's rekeying are in v1_info.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/veil.h>
#include <openssl/crypto.h>

#include "isakmp.h"
#include "log.h"
#include "v1.h"
#include "v1_int.h"

void ike_v1_free(struct ike_v1 *v)
{
	if (!v)
		return;
	if (v->switch_new)
		iked_timer_cancel(&v->switch_timer);
	ike_v1_keys_free(v->keys);
	ike_dh_free(v->qm.dh);
	free(v->sai_b);
	free(v->last_in);
	OPENSSL_cleanse(v, sizeof(*v));
	free(v);
}

/* Sends a message and keeps it for retransmission until it is answered. */
/* @w becomes a copy of one datagram (IKEv1 has no fragments here). */
static int v1_wire_set(struct ike_wire *w, const uint8_t *msg, size_t len)
{
	ike_wire_free(w);
	w->buf = malloc(len);
	if (!w->buf)
		return -ENOMEM;
	memcpy(w->buf, msg, len);
	w->len = len;
	w->ends[0] = len;
	w->n = 1;
	return 0;
}

int ike_v1_send(struct ike_sa *sa, const uint8_t *msg, size_t len, bool expect_answer)
{
	ike_wire_free(&sa->req);
	iked_timer_cancel(&sa->retransmit);
	sa->v1->dpd_out = false;
	if (expect_answer) {
		if (v1_wire_set(&sa->req, msg, len))
			return -ENOMEM;
		sa->req_tries = 1;
		sa->on_reply = NULL;
		iked_timer_set(&sa->retransmit, ike_sa_retransmit_ms(sa, 0));
	}
	return ike_sa_send_plain(sa, msg, len);
}

/*
 * A responder's message: kept with the message it answers, so that the
 * same message again (our answer lost) gets the same answer (RFC 2408
 * §5: the initiator drives retransmission).
 */
int ike_v1_answer(struct ike_sa *sa, const struct iked_dgram *in, const uint8_t *msg,
		  size_t len)
{
	struct ike_v1 *v = sa->v1;

	free(v->last_in);
	v->last_in_len = 0;
	v->last_in = malloc(in->len);
	if (!v->last_in || v1_wire_set(&sa->resp, msg, len))
		return -ENOMEM;
	memcpy(v->last_in, in->buf, in->len);
	v->last_in_len = in->len;
	return ike_sa_send_plain(sa, msg, len);
}

/* The message we last answered, again: answer it again. */
bool ike_v1_again(struct ike_sa *sa, const struct iked_dgram *in)
{
	struct ike_v1 *v = sa->v1;

	if (!v->last_in || v->last_in_len != in->len || memcmp(v->last_in, in->buf, in->len) ||
	    !sa->resp.buf)
		return false;
	ike_sa_log(sa, 1, "the same message again: answering again");
	ike_sa_send_wire(sa, &sa->resp);
	return true;
}

void ike_v1_hdr(const struct ike_sa *sa, struct ike_v1_hdr *h, uint8_t exchange, uint8_t flags,
		uint32_t msgid)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->icookie, sa->spi_i, IKEV1_COOKIE_LEN);
	memcpy(h->rcookie, sa->spi_r, IKEV1_COOKIE_LEN);
	h->exchange = exchange;
	h->flags = flags;
	h->msg_id = msgid;
}

/* Encrypts a message built in the clear with its header into @out. */
static int v1_seal(struct ike_sa *sa, struct ike_v1_builder *b, uint32_t msgid, uint8_t *out,
		   size_t cap, size_t *out_len)
{
	size_t len, clen;
	int ret;

	ret = ike_v1_msg_build_end(b, &len);
	if (ret)
		return ret;
	ret = ike_v1_encrypt(sa->v1->keys, msgid, b->buf + IKEV1_HDR_LEN, len - IKEV1_HDR_LEN,
			     out + IKEV1_HDR_LEN, cap - IKEV1_HDR_LEN, &clen);
	if (ret)
		return ret;
	memcpy(out, b->buf, IKEV1_HDR_LEN);
	len = IKEV1_HDR_LEN + clen;
	out[24] = len >> 24;
	out[25] = len >> 16;
	out[26] = len >> 8;
	out[27] = len;
	OPENSSL_cleanse(b->buf + IKEV1_HDR_LEN, b->len - IKEV1_HDR_LEN);
	*out_len = len;
	return 0;
}

/*
 * Encrypts a message built in the clear with its header (RFC 2409 §5.3,
 * Appendix B), and sends it: as an answer to @in, or as a message of ours
 * (retransmitted until answered when @expect_answer).
 */
int ike_v1_seal_send(struct ike_sa *sa, struct ike_v1_builder *b, uint32_t msgid,
		     bool expect_answer, const struct iked_dgram *in)
{
	uint8_t out[V1_MSG_MAX];
	size_t len;
	int ret;

	ret = v1_seal(sa, b, msgid, out, sizeof(out), &len);
	if (ret)
		return ret;
	return in ? ike_v1_answer(sa, in, out, len) : ike_v1_send(sa, out, len, expect_answer);
}

/* Our identity's ID payload for Phase 1: no protocol, no port. */
void ike_v1_self_id(const struct ike_sa *sa, struct ike_v1_id *id)
{
	const struct iked_id *self = &sa->conn->local.id;

	memset(id, 0, sizeof(*id));
	if (sa->conn->local.has_id && self->type) {
		id->type = self->type;
		id->data = self->data;
		id->len = self->len;
	} else {
		id->type = sa->local.ss_family == AF_INET ? IKEV1_ID_IPV4_ADDR : IKEV1_ID_IPV6_ADDR;
		id->data = iked_addr_bytes(&sa->local);
		id->len = iked_addr_len(sa->local.ss_family);
	}
}

/* --- Informational --- */

/**
 * ike_v1_info_send - one Informational exchange (RFC 2409 §5.7) with one
 *	Notification or one Delete payload
 * @sa: an ISAKMP SA with keys
 * @n: the Notification, or NULL
 * @del: else the Delete
 * @expect_answer: it is our request in flight (an R-U-THERE), sent again
 *	until answered; else it is sent once, and whatever request is in
 *	flight (a Quick Mode, a DPD) stays so
 *
 * HASH(1) = prf(SKEYID_a, M-ID | N/D), under a fresh Message ID's IV.
 *
 * Return: 0 or a negative errno.
 */
int ike_v1_info_send(struct ike_sa *sa, const struct ike_v1_notify *n,
		     const struct ike_v1_delete *del, bool expect_answer)
{
	struct ike_v1_builder b;
	struct ike_v1_hdr h;
	uint8_t buf[512], out[512 + 64];
	size_t off, len, hoff, hlen;
	uint32_t msgid = 0;
	int ret;

	while (!msgid)
		ike_crypto_random(&msgid, sizeof(msgid));
	ike_v1_hdr(sa, &h, IKEV1_EXCH_INFORMATIONAL, IKEV1_FLAG_ENCRYPTION, msgid);
	ike_v1_msg_build_init(&b, buf, sizeof(buf), &h);
	ike_v1_msg_add_hash(&b, NULL, sa->v1->keys->hash_len);
	if (n)
		ike_v1_msg_add_notify(&b, n);
	else
		ike_v1_msg_add_delete(&b, del);
	ret = ike_v1_msg_build_end(&b, &len);
	if (!ret)
		ret = ike_v1_msg_span_after(&b, 0, &off, &len);
	if (!ret)
		ret = ike_v1_msg_span_body(&b, 0, &hoff, &hlen);
	if (!ret)
		ret = ike_v1_info_hash(sa->v1->keys, msgid, buf + off, len, buf + hoff);
	if (!ret)
		ret = v1_seal(sa, &b, msgid, out, sizeof(out), &len);
	ike_v1_iv_forget(sa->v1->keys, msgid);
	if (ret)
		return ret;
	return expect_answer ? ike_v1_send(sa, out, len, true) : ike_sa_send_plain(sa, out, len);
}

static int v1_send_delete(struct ike_sa *sa, const struct ike_v1_delete *del)
{
	return ike_v1_info_send(sa, NULL, del, false);
}

/* A child's Delete (its inbound SPI), sent when the ISAKMP SA can. */
static void v1_delete_child(struct ike_sa *sa, struct ike_child *c)
{
	uint8_t spi[4] = { c->spi_in >> 24, c->spi_in >> 16, c->spi_in >> 8, c->spi_in };
	struct ike_v1_delete del = {
		.doi = IKEV1_DOI_IPSEC, .n_spis = 1, .spi_size = 4, .spis = spi,
		.proto = c->proto == VEIL_PROTO_AH ? IKEV1_PROTO_AH : IKEV1_PROTO_ESP,
	};

	if (c->installed && sa->v1 && sa->v1->state == V1_ESTABLISHED)
		v1_send_delete(sa, &del);
}

/**
 * ike_v1_replaced - a Quick Mode that rekeyed a child is done: the old
 *	child goes, and the peer is told
 * @sa: the ISAKMP SA
 * @spi_in: the old child's inbound SPI
 */
void ike_v1_replaced(struct ike_sa *sa, uint32_t spi_in)
{
	struct ike_child *c = spi_in ? ike_child_by_spi_in(sa, spi_in) : NULL;

	if (!c)
		return;
	ike_sa_log(sa, 1, "child %s rekeyed: deleting %08x_i", c->cfg->name, c->spi_in);
	v1_delete_child(sa, c);
	ike_child_uninstall(sa, c);
	ike_child_release(sa, c);
}

/* The switch's time has come: the new child sends, the old one goes. */
static void v1_on_switch(struct iked_timer *t)
{
	struct ike_v1 *v = iked_container_of(t, struct ike_v1, switch_timer);
	struct ike_sa *sa = v->sa;
	struct ike_child *c = ike_child_by_spi_in(sa, v->switch_new);

	if (c)
		ike_child_install_out(sa, c);
	ike_v1_replaced(sa, v->switch_old);
	v->switch_new = v->switch_old = 0;
	ike_v1_kick(sa);
}

/**
 * ike_v1_switch_later - after a rekey's Quick Mode, move the traffic to
 *	the new child and delete the old one, in a moment
 * @sa: the ISAKMP SA
 * @spi_new: the new child's inbound SPI
 * @spi_old: the old child's
 *
 * IKEv1 has no answer to HASH(3): the wait gives the responder the time to
 * install its SAs (charon does so on HASH(3)); meanwhile the old child
 * carries the traffic. Nothing else starts until then.
 */
void ike_v1_switch_later(struct ike_sa *sa, uint32_t spi_new, uint32_t spi_old)
{
	struct ike_v1 *v = sa->v1;

	v->sa = sa;
	v->switch_new = spi_new;
	v->switch_old = spi_old;
	iked_timer_init(&v->switch_timer, v1_on_switch);
	iked_timer_set(&v->switch_timer, V1_SWITCH_MS);
}

/**
 * ike_v1_kick - what is queued on an ISAKMP SA: a new child (Quick Mode),
 *	a child to delete
 * @sa: the SA
 *
 * A child's rekey is not done yet: it goes at its hard lifetime, and the
 * log says so.
 */
void ike_v1_kick(struct ike_sa *sa)
{
	struct ike_child *c;
	struct ike_op op;

	if (ike_v1_forward_ops(sa))
		return;
	while (sa->n_ops && sa->state == IKE_SA_ESTABLISHED && !sa->v1->qm.active &&
	       !sa->v1->switch_new && !ike_v1_successor(sa)) {
		op = sa->ops[0];
		memmove(sa->ops, sa->ops + 1, --sa->n_ops * sizeof(sa->ops[0]));
		if (op.type == IKE_OP_NEW_CHILD) {
			sa->pending = op.cfg;
			ike_v1_qm_start(sa, 0);
			continue;
		}
		c = ike_child_by_spi_in(sa, op.spi_in);
		if (!c)
			continue;
		if (op.type == IKE_OP_REKEY_CHILD) {
			/* make before break: a new child, then the old one's Delete */
			ike_sa_log(sa, 1, "rekeying child %s (IKEv1 Quick Mode)", c->cfg->name);
			c->rekeying = true;
			sa->pending = c->cfg;
			ike_v1_qm_start(sa, c->spi_in);
			continue;
		}
		v1_delete_child(sa, c);
		ike_child_uninstall(sa, c);
		ike_child_release(sa, c);
	}
}

/**
 * ike_v1_qm_new_child - the child our Quick Mode in flight makes, if it
 *	makes a new one (not a rekey), for `veil ike list`'s pending ones
 * @sa: the SA (any version)
 *
 * Return: its configuration, or NULL.
 */
const struct iked_child_cfg *ike_v1_qm_new_child(const struct ike_sa *sa)
{
	const struct v1_qm *q = sa->version == 1 && sa->v1 ? &sa->v1->qm : NULL;

	return q && q->active && !q->responder && !q->replaces ? q->cfg : NULL;
}

/**
 * ike_v1_delete - delete an ISAKMP SA and its IPsec SAs
 * @sa: the SA
 * @tell_peer: send Deletes first: one per child (its inbound SPI), then
 *	one for the ISAKMP SA (the cookies); IKEv1 Deletes are not answered
 */
/**
 * ike_v1_delete_isakmp - tell the peer the ISAKMP SA is gone (its cookies)
 * @sa: the SA, its keys derived
 *
 * Return: 0 or a negative errno.
 */
int ike_v1_delete_isakmp(struct ike_sa *sa)
{
	uint8_t spis[IKEV1_ISAKMP_SPI_LEN];

	memcpy(spis, sa->spi_i, IKEV1_COOKIE_LEN);
	memcpy(spis + IKEV1_COOKIE_LEN, sa->spi_r, IKEV1_COOKIE_LEN);
	return v1_send_delete(sa, &(struct ike_v1_delete){
		.doi = IKEV1_DOI_IPSEC, .proto = IKEV1_PROTO_ISAKMP, .n_spis = 1,
		.spi_size = IKEV1_ISAKMP_SPI_LEN, .spis = spis,
	});
}

void ike_v1_delete(struct ike_sa *sa, bool tell_peer)
{
	struct ike_child *c;

	if (tell_peer && sa->v1 && sa->v1->state == V1_ESTABLISHED) {
		for (c = sa->children; c; c = c->next)
			v1_delete_child(sa, c);
		ike_v1_delete_isakmp(sa);
	}
	ike_child_free_all(sa);
	ike_sa_dead(sa, "ISAKMP SA deleted");
}

/*
 * An Informational exchange from the peer (RFC 2409 §5.7), its HASH(1)
 * checked: a Delete of a child (by the SPI it receives on, our outbound
 * one) or of the ISAKMP SA; a notification (DPD, INITIAL-CONTACT; the
 * others are logged).
 */
static void v1_info_in(struct ike_sa *sa, uint32_t msgid, const struct ike_v1_chain *c)
{
	uint8_t want[IKE_V1_HASH_MAX];
	struct ike_v1_delete del;
	struct ike_v1_notify n;
	struct ike_blob got, after;
	struct ike_msg_err e;
	struct ike_child *ch;
	size_t i, k;
	bool drop_sa = false;

	ike_v1_chain_after(c, 0, &after);
	if (c->n < 1 || c->pl[0].type != IKEV1_PL_HASH ||
	    ike_v1_msg_parse_hash(c->pl[0].body, c->pl[0].len, &got, &e) ||
	    ike_v1_info_hash(sa->v1->keys, msgid, after.data, after.len, want) ||
	    ike_v1_hash_check(sa->v1->keys, want, got.data, got.len)) {
		ike_sa_log(sa, 1, "IKEv1 Informational without a valid HASH: dropped");
		ike_v1_iv_forget(sa->v1->keys, msgid);
		return;
	}
	ike_v1_iv_forget(sa->v1->keys, msgid);
	for (i = 1; i < c->n && sa->state != IKE_SA_DEAD; i++) {
		if (c->pl[i].type == IKEV1_PL_N) {
			if (!ike_v1_msg_parse_notify(c->pl[i].body, c->pl[i].len, &n, &e))
				ike_v1_notify_in(sa, &n);
			continue;
		}
		if (c->pl[i].type != IKEV1_PL_D ||
		    ike_v1_msg_parse_delete(c->pl[i].body, c->pl[i].len, &del, &e))
			continue;
		if (del.proto == IKEV1_PROTO_ISAKMP) {
			drop_sa = true;
			continue;
		}
		for (k = 0; k < del.n_spis && del.spi_size == 4; k++) {
			const uint8_t *p = ike_v1_delete_spi(&del, k);
			uint32_t spi = (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];

			for (ch = sa->children; ch; ch = ch->next)
				if (ch->spi_out == spi)
					break;
			if (!ch)
				continue;
			ike_sa_log(sa, 1, "child %s: the peer deleted it", ch->cfg->name);
			ike_child_uninstall(sa, ch);
			ike_child_release(sa, ch);
		}
	}
	if (drop_sa && sa->state != IKE_SA_DEAD) {
		/*
		 * IKEv1's IPsec SAs do not depend on the ISAKMP SA that made
		 * them, but charon deletes its CHILD_SAs with the IKE_SA they
		 * are on (without a Delete for them), so those still here go
		 * too, or ours would outlive charon's. Children that a newer
		 * ISAKMP SA with the peer took over (a Phase 1 rekey, either
		 * side's) are on that one, and stay; so do those still here
		 * while such an SA is on its way (ike_v1_pass_on()).
		 */
		ike_sa_log(sa, 0, "the peer deleted the ISAKMP SA");
		ike_v1_pass_on(sa);
		ike_v1_delete(sa, false);
	}
}

/* --- dispatch --- */

/* The responder's ISAKMP SA an initiator's first message just made. */
static struct ike_sa *v1_responder_of(struct iked *d, const uint8_t *icookie,
				      const struct iked_dgram *dg)
{
	struct ike_sa *sa;
	unsigned int b;

	for (b = 0; b < IKED_SA_HASH; b++)
		for (sa = d->sas[b]; sa; sa = sa->hnext)
			if (sa->version == 1 && !sa->initiator && sa->v1 &&
			    sa->state != IKE_SA_DEAD &&
			    !memcmp(sa->spi_i, icookie, IKEV1_COOKIE_LEN) &&
			    iked_addr_equal(&sa->remote, &dg->remote, true))
				return sa;
	return NULL;
}

/*
 * An Informational under Phase 1's keys before Phase 1 is done: the
 * peer's refusal (AUTHENTICATION-FAILED when our signature or hash did
 * not verify, INVALID-ID-INFORMATION, ...). Only the holder of the keys
 * can have sent it, and there is no HASH(1) yet to check; the SA ends
 * with what the peer said instead of retransmitting to the end.
 */
static void v1_phase1_refused(struct ike_sa *sa, uint32_t msgid, const struct ike_v1_chain *c)
{
	struct ike_v1_notify n;
	struct ike_msg_err e;
	char why[128];
	size_t i;

	ike_v1_iv_forget(sa->v1->keys, msgid);
	for (i = 0; i < c->n; i++) {
		/* 1 to 8191 are errors (RFC 2408 §3.14.1) */
		if (c->pl[i].type != IKEV1_PL_N ||
		    ike_v1_msg_parse_notify(c->pl[i].body, c->pl[i].len, &n, &e) ||
		    !n.type || n.type >= 8192)
			continue;
		snprintf(why, sizeof(why), "IKEv1 Phase 1 refused by the peer: %s",
			 ike_v1_msg_notify_name(n.type));
		ike_sa_dead(sa, why);
		return;
	}
	ike_sa_log(sa, 1, "IKEv1 Informational during Phase 1 with no error: ignored");
}

/**
 * ike_v1_receive - an IKEv1 datagram
 * @d: the daemon
 * @dg: what arrived (the NAT-T marker gone)
 */
void ike_v1_receive(struct iked *d, struct iked_dgram *dg)
{
	static uint8_t plain[V1_MSG_MAX];
	struct ike_v1_chain chain;
	struct ike_v1_msg msg;
	struct ike_msg_err e;
	struct ike_sa *sa;
	char a[64];
	uint32_t id;

	if (ike_v1_msg_parse(dg->buf, dg->len, &msg, &e)) {
		iked_log(IKED_ENC, 1, "IKEv1 from %s: %s: dropped",
			 iked_addr_str(&dg->remote, a, sizeof(a)), e.reason);
		return;
	}
	iked_log(IKED_NET, 2, "received IKEv1 %s (%zu bytes) from %s",
		 ike_v1_msg_exchange_name(msg.hdr.exchange), dg->len,
		 iked_addr_str(&dg->remote, a, sizeof(a)));
	if (!memcmp(msg.hdr.rcookie, "\0\0\0\0\0\0\0\0", IKEV1_COOKIE_LEN)) {
		if (msg.hdr.exchange == IKEV1_EXCH_IDENTITY_PROT &&
		    !(msg.hdr.flags & IKEV1_FLAG_ENCRYPTION))
			ike_v1_mm1(d, dg, &msg);
		else if (msg.hdr.exchange == IKEV1_EXCH_AGGRESSIVE &&
			 !(msg.hdr.flags & IKEV1_FLAG_ENCRYPTION))
			ike_v1_am1(d, dg, &msg);
		else
			return;
		sa = v1_responder_of(d, msg.hdr.icookie, dg);
		if (sa)
			ike_v1_phase1_seen(sa, &msg.chain);
		return;
	}
	/* our cookie: the initiator's if we started, else the responder's */
	sa = ike_sa_find(d, msg.hdr.icookie);
	if (!sa || sa->version != 1 || !sa->initiator) {
		sa = ike_sa_find(d, msg.hdr.rcookie);
		if (sa && (sa->version != 1 || sa->initiator ||
			   memcmp(sa->spi_i, msg.hdr.icookie, IKEV1_COOKIE_LEN)))
			sa = NULL;
	}
	if (!sa || sa->state == IKE_SA_DEAD) {
		iked_log(IKED_IKE, 1, "IKEv1 %s from %s for no ISAKMP SA of ours: dropped",
			 ike_v1_msg_exchange_name(msg.hdr.exchange),
			 iked_addr_str(&dg->remote, a, sizeof(a)));
		return;
	}
	sa->last_rx = iked_now_ms();
	/*
	 * Whichever end began the ISAKMP SA: the peer's Quick Mode or
	 * Informational we answered may come again (our answer lost), and
	 * its IV is spent; only the same answer again will do.
	 */
	if (ike_v1_again(sa, dg))
		return;
	if (!(msg.hdr.flags & IKEV1_FLAG_ENCRYPTION)) {
		/* what the peer speaks (its Vendor IDs), what it says of itself */
		if (!msg.hdr.msg_id && sa->v1->state != V1_ESTABLISHED)
			ike_v1_phase1_seen(sa, &msg.chain);
		/* Aggressive Mode's second message, and a third one sent in the clear */
		if (msg.hdr.exchange == IKEV1_EXCH_AGGRESSIVE && sa->v1->state == V1_AM1_SENT)
			ike_v1_am2(sa, &msg);
		else if (msg.hdr.exchange == IKEV1_EXCH_AGGRESSIVE &&
			 sa->v1->state == V1_AM2_SENT)
			ike_v1_am3(sa, &msg.chain, false);
		if (msg.hdr.exchange != IKEV1_EXCH_IDENTITY_PROT)
			return;
		if (sa->v1->state == V1_MM1_SENT)
			ike_v1_mm2(sa, &msg);
		else if (sa->v1->state == V1_MM3_SENT)
			ike_v1_mm4(sa, &msg);
		else if (sa->v1->state == V1_MM2_SENT)
			ike_v1_mm3(sa, dg, &msg);
		return;
	}
	if (!sa->v1->keys || !sa->v1->keys->derived || msg.body_len > sizeof(plain))
		return;
	id = msg.hdr.msg_id;
	if (ike_v1_decrypt(sa->v1->keys, id, msg.body, msg.body_len, plain) ||
	    ike_v1_msg_parse_chain(msg.hdr.next, plain, msg.body_len, true, &chain, &e)) {
		ike_sa_log(sa, 1, "IKEv1 %s: cannot decrypt or parse: dropped",
			   ike_v1_msg_exchange_name(msg.hdr.exchange));
		return;
	}
	/* the initiator floated to the NAT-T port (RFC 3947 §4), or its NAT remapped */
	ike_sa_follow(sa, dg);
	if (!id && sa->v1->state != V1_ESTABLISHED)
		ike_v1_phase1_seen(sa, &chain);
	if (msg.hdr.exchange == IKEV1_EXCH_IDENTITY_PROT && !id && sa->v1->state == V1_MM5_SENT)
		ike_v1_mm6(sa, &chain);
	else if (msg.hdr.exchange == IKEV1_EXCH_AGGRESSIVE && !id &&
		 sa->v1->state == V1_AM2_SENT)
		ike_v1_am3(sa, &chain, true);
	else if (msg.hdr.exchange == IKEV1_EXCH_IDENTITY_PROT && !id &&
		 sa->v1->state == V1_MM4_SENT)
		ike_v1_mm5(sa, dg, &chain);
	else if (msg.hdr.exchange == IKEV1_EXCH_QUICK && sa->v1->qm.active &&
		 id == sa->v1->qm.msgid && !sa->v1->qm.responder)
		ike_v1_qm2(sa, &msg, plain, &chain);
	else if (msg.hdr.exchange == IKEV1_EXCH_QUICK && sa->v1->qm.active &&
		 id == sa->v1->qm.msgid && sa->v1->qm.responder)
		ike_v1_qm3(sa, &chain);
	else if (msg.hdr.exchange == IKEV1_EXCH_QUICK && id && !sa->v1->qm.active &&
		 sa->v1->state == V1_ESTABLISHED)
		ike_v1_qm1(sa, dg, &msg, &chain);
	else if (msg.hdr.exchange == IKEV1_EXCH_INFORMATIONAL && id &&
		 sa->v1->state == V1_ESTABLISHED)
		v1_info_in(sa, id, &chain);
	else if (msg.hdr.exchange == IKEV1_EXCH_INFORMATIONAL && id)
		v1_phase1_refused(sa, id, &chain);
	else
		ike_sa_log(sa, 1, "IKEv1 %s %08x: not handled yet",
			   ike_v1_msg_exchange_name(msg.hdr.exchange), id);
	OPENSSL_cleanse(plain, msg.body_len);
}

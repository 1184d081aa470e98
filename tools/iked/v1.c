// SPDX-License-Identifier: GPL-2.0
/*
 * IKEv1 (RFC 2409) in veil-iked: Main Mode with pre-shared keys and Quick
 * Mode, as the initiator, for a connection with version = 1.
 *
 * Work in progress, on its own branch: the responder, Aggressive Mode,
 * signatures, NAT-T, Informational exchanges (Delete, DPD) and rekeying
 * are still to come.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/veil.h>
#include <openssl/crypto.h>

#include "daemon.h"
#include "isakmp.h"
#include "log.h"
#include "v1.h"
#include "v1crypto.h"
#include "v1msg.h"
#include "v1prop.h"

#define V1_NONCE_LEN	32
#define V1_MSG_MAX	8192

/* The RFC 3947 NAT-T and RFC 3706 DPD Vendor IDs: what we speak. */
static const uint8_t v1_vid_natt[16] = {
	0x4a, 0x13, 0x1c, 0x81, 0x07, 0x03, 0x58, 0x45,
	0x5c, 0x57, 0x28, 0xf2, 0x0e, 0x95, 0x45, 0x2f,
};
static const uint8_t v1_vid_dpd[16] = {
	0xaf, 0xca, 0xd7, 0x13, 0x68, 0xa1, 0xf1, 0xc9,
	0x6b, 0x86, 0x96, 0xfc, 0x77, 0x57, 0x01, 0x00,
};

enum v1_state {
	V1_MM1_SENT,		/* initiator */
	V1_MM3_SENT,
	V1_MM5_SENT,
	V1_MM2_SENT,		/* responder */
	V1_MM4_SENT,
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
};

void ike_v1_free(struct ike_v1 *v)
{
	if (!v)
		return;
	ike_v1_keys_free(v->keys);
	ike_dh_free(v->qm.dh);
	free(v->sai_b);
	free(v->last_in);
	OPENSSL_cleanse(v, sizeof(*v));
	free(v);
}

/* Sends a message and keeps it for retransmission until it is answered. */
static int v1_send(struct ike_sa *sa, const uint8_t *msg, size_t len, bool expect_answer)
{
	ike_wire_free(&sa->req);
	iked_timer_cancel(&sa->retransmit);
	if (expect_answer) {
		sa->req.buf = malloc(len);
		if (!sa->req.buf)
			return -ENOMEM;
		memcpy(sa->req.buf, msg, len);
		sa->req.len = len;
		sa->req.ends[0] = len;
		sa->req.n = 1;
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
static int v1_answer(struct ike_sa *sa, const struct iked_dgram *in, const uint8_t *msg,
		     size_t len)
{
	struct ike_v1 *v = sa->v1;

	ike_wire_free(&sa->resp);
	free(v->last_in);
	v->last_in = malloc(in->len);
	sa->resp.buf = malloc(len);
	if (!v->last_in || !sa->resp.buf)
		return -ENOMEM;
	memcpy(v->last_in, in->buf, in->len);
	v->last_in_len = in->len;
	memcpy(sa->resp.buf, msg, len);
	sa->resp.len = len;
	sa->resp.ends[0] = len;
	sa->resp.n = 1;
	return ike_sa_send_plain(sa, msg, len);
}

/* The message we last answered, again: answer it again. */
static bool v1_again(struct ike_sa *sa, const struct iked_dgram *in)
{
	struct ike_v1 *v = sa->v1;

	if (!v->last_in || v->last_in_len != in->len || memcmp(v->last_in, in->buf, in->len) ||
	    !sa->resp.buf)
		return false;
	ike_sa_log(sa, 1, "the same message again: answering again");
	ike_sa_send_wire(sa, &sa->resp);
	return true;
}

static void v1_hdr(const struct ike_sa *sa, struct ike_v1_hdr *h, uint8_t exchange, uint8_t flags,
		   uint32_t msgid)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->icookie, sa->spi_i, IKEV1_COOKIE_LEN);
	memcpy(h->rcookie, sa->spi_r, IKEV1_COOKIE_LEN);
	h->exchange = exchange;
	h->flags = flags;
	h->msg_id = msgid;
}

/*
 * Encrypts a message built in the clear with its header (RFC 2409 §5.3,
 * Appendix B), and sends it: as an answer to @in, or as a message of ours
 * (retransmitted until answered when @expect_answer).
 */
static int v1_seal_send(struct ike_sa *sa, struct ike_v1_builder *b, uint32_t msgid,
			bool expect_answer, const struct iked_dgram *in)
{
	uint8_t out[V1_MSG_MAX];
	size_t len, clen;
	int ret;

	ret = ike_v1_msg_build_end(b, &len);
	if (ret)
		return ret;
	ret = ike_v1_encrypt(sa->v1->keys, msgid, b->buf + IKEV1_HDR_LEN, len - IKEV1_HDR_LEN,
			     out + IKEV1_HDR_LEN, sizeof(out) - IKEV1_HDR_LEN, &clen);
	if (ret)
		return ret;
	memcpy(out, b->buf, IKEV1_HDR_LEN);
	len = IKEV1_HDR_LEN + clen;
	out[24] = len >> 24;
	out[25] = len >> 16;
	out[26] = len >> 8;
	out[27] = len;
	OPENSSL_cleanse(b->buf + IKEV1_HDR_LEN, b->len - IKEV1_HDR_LEN);
	return in ? v1_answer(sa, in, out, len) : v1_send(sa, out, len, expect_answer);
}

/* Our identity's ID payload for Phase 1: no protocol, no port. */
static void v1_self_id(const struct ike_sa *sa, struct ike_v1_id *id)
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

/* --- Main Mode, initiator --- */

static void v1_fail(struct ike_sa *sa, const char *why)
{
	char msg[256];

	snprintf(msg, sizeof(msg), "IKEv1 Main Mode failed: %s", why);
	ike_sa_dead(sa, msg);
}

/**
 * ike_v1_start - initiate an ISAKMP SA (Main Mode) and then @child
 * @d: the daemon
 * @conn: a connection with version = 1
 * @child: the child to bring up once the ISAKMP SA is there
 *
 * Return: 0 or a negative errno (logged).
 */
int ike_v1_start(struct iked *d, const struct iked_conn_cfg *conn,
		 const struct iked_child_cfg *child)
{
	struct ike_prop props[IKED_MAX_PROPS];
	struct ike_v1_builder b;
	struct ike_v1_hdr h;
	uint8_t buf[V1_MSG_MAX];
	struct ike_sa *sa;
	char err[256];
	size_t len, off, blen;
	int n, ret;

	n = ike_prop_parse(conn->proposals, IKEV2_PROTO_IKE, props, IKED_MAX_PROPS, err,
			   sizeof(err));
	if (n < 0) {
		iked_log(IKED_CFG, 0, "%s: proposals: %s", conn->name, err);
		return n;
	}
	sa = ike_sa_new(d, conn, true);
	if (!sa)
		return -ENOMEM;
	sa->version = 1;
	sa->v1 = calloc(1, sizeof(*sa->v1));
	if (!sa->v1) {
		ike_sa_dead(sa, "out of memory");
		return -ENOMEM;
	}
	ret = ike_v1_p1_expand(props, (size_t)n, IKEV1_AUTH_PSK, conn->rekey_time, sa->v1->xf,
			       IKE_V1_MSG_MAX_TRANSFORMS, err, sizeof(err));
	if (ret < 0) {
		iked_log(IKED_CFG, 0, "%s: IKEv1 proposals: %s", conn->name, err);
		ike_sa_dead(sa, "no IKEv1 proposal");
		return ret;
	}
	sa->v1->n_xf = (size_t)ret;
	ret = ike_init_addrs(sa, conn);
	if (ret)
		return ret;
	sa->pending = child;
	sa->state = IKE_SA_INIT_SENT;

	v1_hdr(sa, &h, IKEV1_EXCH_IDENTITY_PROT, 0, 0);
	ike_v1_msg_build_init(&b, buf, sizeof(buf), &h);
	ike_v1_p1_add_sa(&b, sa->v1->xf, sa->v1->n_xf);
	ike_v1_msg_add_vendor(&b, v1_vid_natt, sizeof(v1_vid_natt));
	ike_v1_msg_add_vendor(&b, v1_vid_dpd, sizeof(v1_vid_dpd));
	ret = ike_v1_msg_build_end(&b, &len);
	if (!ret)
		ret = ike_v1_msg_span_body(&b, 0, &off, &blen);
	if (ret) {
		ike_sa_dead(sa, "cannot build Main Mode's first message");
		return -EIO;
	}
	sa->v1->sai_b = malloc(blen);
	if (!sa->v1->sai_b) {
		ike_sa_dead(sa, "out of memory");
		return -ENOMEM;
	}
	memcpy(sa->v1->sai_b, buf + off, blen);
	sa->v1->sai_len = blen;
	sa->v1->state = V1_MM1_SENT;
	ike_sa_log(sa, 1, "initiating IKEv1 Main Mode to %s", conn->name);
	return v1_send(sa, buf, len, true);
}

/* NAT-D hashes: the peer's address first, then ours (RFC 3947 §3.2). */
static int v1_add_natd(struct ike_sa *sa, struct ike_v1_builder *b)
{
	uint8_t h[IKE_V1_HASH_MAX];
	size_t hl = ike_v1_hash_len(sa->v1->chosen.hash);

	if (ike_v1_natd(sa->v1->chosen.hash, sa->spi_i, sa->spi_r, &sa->remote, h))
		return -EIO;
	ike_v1_msg_add_nat_d(b, IKEV1_PL_NAT_D, h, hl);
	if (ike_v1_natd(sa->v1->chosen.hash, sa->spi_i, sa->spi_r, &sa->local, h))
		return -EIO;
	return ike_v1_msg_add_nat_d(b, IKEV1_PL_NAT_D, h, hl);
}

/* MM2: the responder's choice; MM3: our KE, nonce and NAT-D. */
static void v1_mm2(struct ike_sa *sa, const struct ike_v1_msg *msg)
{
	static struct ike_v1_sa offered;
	struct ike_v1_builder b;
	struct ike_v1_hdr h;
	struct ike_msg_err e;
	uint8_t buf[V1_MSG_MAX];
	size_t tr, len;
	int i;

	i = ike_v1_chain_find(&msg->chain, IKEV1_PL_SA, 0);
	if (i < 0 || ike_v1_msg_parse_sa(msg->chain.pl[i].body, msg->chain.pl[i].len, &offered,
					 &e) ||
	    offered.n_proposals != 1 || offered.prop[0].n_transforms != 1 ||
	    ike_v1_p1_select(sa->v1->xf, sa->v1->n_xf, &offered, &sa->v1->chosen, &tr)) {
		v1_fail(sa, "the responder's SA is not one we offered");
		return;
	}
	memcpy(sa->spi_r, msg->hdr.rcookie, IKEV1_COOKIE_LEN);
	sa->dh = ike_dh_new(sa->v1->chosen.group);
	sa->ni_len = V1_NONCE_LEN;
	len = sizeof(sa->v1->gxi);
	if (!sa->dh || ike_crypto_random(sa->ni, sa->ni_len) ||
	    ike_dh_public(sa->dh, sa->v1->gxi, &len)) {
		v1_fail(sa, "key exchange");
		return;
	}
	sa->v1->gxi_len = len;
	v1_hdr(sa, &h, IKEV1_EXCH_IDENTITY_PROT, 0, 0);
	ike_v1_msg_build_init(&b, buf, sizeof(buf), &h);
	ike_v1_msg_add_ke(&b, sa->v1->gxi, sa->v1->gxi_len);
	ike_v1_msg_add_nonce(&b, sa->ni, sa->ni_len);
	if (v1_add_natd(sa, &b) || ike_v1_msg_build_end(&b, &len)) {
		v1_fail(sa, "cannot build Main Mode's third message");
		return;
	}
	sa->v1->state = V1_MM3_SENT;
	v1_send(sa, buf, len, true);
}

/* The pre-shared key for this connection's identities. */
static const struct iked_secret *v1_psk(const struct ike_sa *sa)
{
	struct iked_id any = { 0 };
	const struct iked_id *peer = sa->conn->remote.has_id ? &sa->conn->remote.id : &any;

	return iked_secret_find(&sa->d->cfg, &sa->conn->local.id, peer);
}

/* What HASH_I and HASH_R cover of the exchange (not g^xy). */
static void v1_p1_public(const struct ike_sa *sa, struct ike_v1_phase1 *p1)
{
	const struct ike_v1 *v = sa->v1;

	*p1 = (struct ike_v1_phase1){
		.cky_i = sa->spi_i, .cky_r = sa->spi_r,
		.gxi = v->gxi, .gxi_len = v->gxi_len, .gxr = v->gxr, .gxr_len = v->gxr_len,
		.ni = sa->ni, .ni_len = sa->ni_len, .nr = sa->nr, .nr_len = sa->nr_len,
	};
}

static void v1_established(struct ike_sa *sa)
{
	char a[64], b[64];

	sa->v1->state = V1_ESTABLISHED;
	sa->state = IKE_SA_ESTABLISHED;
	ike_sa_log(sa, 0, "ISAKMP SA established between %s and %s (IKEv1 Main Mode)",
		   iked_addr_str(&sa->local, a, sizeof(a)), iked_addr_str(&sa->remote, b, sizeof(b)));
}

/*
 * Main Mode's fifth or sixth message of ours, in the clear in @b over
 * @buf: our ID, and HASH_I (we initiated) or HASH_R over it.
 */
static int v1_build_id_hash(struct ike_sa *sa, const struct ike_v1_phase1 *p1,
			    struct ike_v1_builder *b, uint8_t *buf, size_t cap)
{
	struct ike_v1 *v = sa->v1;
	uint8_t hash[IKE_V1_HASH_MAX];
	struct ike_v1_hdr h;
	struct ike_v1_id id;
	size_t off, len;
	int ret;

	v1_hdr(sa, &h, IKEV1_EXCH_IDENTITY_PROT, IKEV1_FLAG_ENCRYPTION, 0);
	ike_v1_msg_build_init(b, buf, cap, &h);
	v1_self_id(sa, &id);
	ike_v1_msg_add_id(b, &id);
	ike_v1_msg_add_hash(b, NULL, v->keys->hash_len);
	ret = ike_v1_msg_span_body(b, 0, &off, &len);
	if (!ret)
		ret = (sa->initiator ? ike_v1_hash_i : ike_v1_hash_r)(v->keys, p1, v->sai_b,
								      v->sai_len, buf + off, len,
								      hash);
	if (!ret)
		ret = ike_v1_msg_span_body(b, 1, &off, &len);
	if (!ret)
		memcpy(buf + off, hash, len);
	return ret;
}

/*
 * The peer's fifth or sixth message: its ID, and HASH_R (we initiated) or
 * HASH_I over it, and the identity the connection wants.
 *
 * Return: NULL, or why not.
 */
static const char *v1_check_id_hash(struct ike_sa *sa, const struct ike_v1_phase1 *p1,
				    const struct ike_v1_chain *c)
{
	const struct iked_auth_cfg *peer = &sa->conn->remote;
	struct ike_v1 *v = sa->v1;
	uint8_t want[IKE_V1_HASH_MAX];
	struct ike_v1_id id;
	struct ike_blob got;
	struct ike_msg_err e;
	int i, j;

	i = ike_v1_chain_find(c, IKEV1_PL_ID, 0);
	j = ike_v1_chain_find(c, IKEV1_PL_HASH, 0);
	if (i < 0 || j < 0 || ike_v1_msg_parse_id(c->pl[i].body, c->pl[i].len, &id, &e) ||
	    ike_v1_msg_parse_hash(c->pl[j].body, c->pl[j].len, &got, &e))
		return "no ID or HASH";
	if ((sa->initiator ? ike_v1_hash_r : ike_v1_hash_i)(v->keys, p1, v->sai_b, v->sai_len,
							    c->pl[i].body, c->pl[i].len, want) ||
	    ike_v1_hash_check(v->keys, want, got.data, got.len))
		return sa->initiator ? "HASH_R does not verify: a wrong pre-shared key?" :
				       "HASH_I does not verify: a wrong pre-shared key?";
	if (peer->has_id && peer->id.type &&
	    (id.type != peer->id.type || id.len != peer->id.len ||
	     memcmp(id.data, peer->id.data, id.len)))
		return "the peer's identity is not the configured one";
	return NULL;
}

/* The keys, from the KE and nonce both ends have now. */
static int v1_derive(struct ike_sa *sa, struct ike_v1_phase1 *p1)
{
	struct ike_v1 *v = sa->v1;
	const struct iked_secret *psk = v1_psk(sa);
	uint8_t gxy[1024];
	size_t gxy_len = sizeof(gxy);
	int ret;

	if (!psk)
		return -ENOENT;
	if (ike_dh_derive(sa->dh, sa->initiator ? v->gxr : v->gxi,
			  sa->initiator ? v->gxr_len : v->gxi_len, gxy, &gxy_len))
		return -EBADMSG;
	ret = ike_v1_keys_new(v->chosen.hash, v->chosen.encr, v->chosen.keylen, &v->keys);
	*p1 = (struct ike_v1_phase1){
		.cky_i = sa->spi_i, .cky_r = sa->spi_r,
		.gxi = v->gxi, .gxi_len = v->gxi_len, .gxr = v->gxr, .gxr_len = v->gxr_len,
		.gxy = gxy, .gxy_len = gxy_len,
		.ni = sa->ni, .ni_len = sa->ni_len, .nr = sa->nr, .nr_len = sa->nr_len,
	};
	if (!ret)
		ret = ike_v1_keys_derive(v->keys, p1, psk->key, psk->len);
	OPENSSL_cleanse(gxy, sizeof(gxy));
	p1->gxy = NULL;
	p1->gxy_len = 0;
	return ret;
}

/* MM4: the responder's KE and nonce: the keys; MM5: our ID and HASH_I. */
static void v1_mm4(struct ike_sa *sa, const struct ike_v1_msg *msg)
{
	struct ike_v1 *v = sa->v1;
	struct ike_v1_phase1 p1;
	struct ike_v1_builder b;
	struct ike_blob ke, nonce;
	struct ike_msg_err e;
	uint8_t buf[V1_MSG_MAX];
	int i, j, ret;

	i = ike_v1_chain_find(&msg->chain, IKEV1_PL_KE, 0);
	j = ike_v1_chain_find(&msg->chain, IKEV1_PL_NONCE, 0);
	if (i < 0 || j < 0 ||
	    ike_v1_msg_parse_ke(msg->chain.pl[i].body, msg->chain.pl[i].len, &ke, &e) ||
	    ike_v1_msg_parse_nonce(msg->chain.pl[j].body, msg->chain.pl[j].len, &nonce, &e) ||
	    ke.len > sizeof(v->gxr) || nonce.len > sizeof(sa->nr)) {
		v1_fail(sa, "Main Mode's fourth message lacks KE or Nonce");
		return;
	}
	memcpy(v->gxr, ke.data, ke.len);
	v->gxr_len = ke.len;
	memcpy(sa->nr, nonce.data, nonce.len);
	sa->nr_len = nonce.len;
	ret = v1_derive(sa, &p1);
	if (ret) {
		v1_fail(sa, ret == -ENOENT ? "no pre-shared key for these identities" :
			ret == -EBADMSG ? "the responder's KE is not a valid public value" :
			"key derivation");
		return;
	}
	if (v1_build_id_hash(sa, &p1, &b, buf, sizeof(buf))) {
		v1_fail(sa, "cannot build Main Mode's fifth message");
		return;
	}
	v->state = V1_MM5_SENT;
	sa->state = IKE_SA_AUTH_SENT;
	if (v1_seal_send(sa, &b, 0, true, NULL))
		v1_fail(sa, "cannot encrypt Main Mode's fifth message");
}

static void v1_qm_start(struct ike_sa *sa);

/* MM6: the responder's ID and HASH_R: the ISAKMP SA is there. */
static void v1_mm6(struct ike_sa *sa, const struct ike_v1_chain *c)
{
	struct ike_v1_phase1 p1;
	const char *why;

	v1_p1_public(sa, &p1);
	why = v1_check_id_hash(sa, &p1, c);
	if (why) {
		v1_fail(sa, why);
		return;
	}
	ike_v1_iv_confirm(sa->v1->keys, 0);
	ike_wire_free(&sa->req);
	iked_timer_cancel(&sa->retransmit);
	v1_established(sa);
	if (sa->pending)
		v1_qm_start(sa);
}

/* --- Quick Mode, initiator --- */

/* A traffic selector as a Quick Mode ID: a subnet, or one address. */
static void v1_ts_id(const struct iked_ts *ts, struct ike_v1_id *id, uint8_t *data)
{
	size_t alen = ts->family == AF_INET ? 4 : 16, i;
	int plen;

	memset(id, 0, sizeof(*id));
	id->proto = ts->proto;
	id->port = ts->from_port == ts->to_port ? ts->from_port : 0;
	id->data = data;
	if (!iked_ts_to_prefix(ts, &plen))
		plen = (int)alen * 8;
	memcpy(data, ts->from, alen);
	if (plen == (int)alen * 8) {
		id->type = ts->family == AF_INET ? IKEV1_ID_IPV4_ADDR : IKEV1_ID_IPV6_ADDR;
		id->len = alen;
		return;
	}
	id->type = ts->family == AF_INET ? IKEV1_ID_IPV4_ADDR_SUBNET : IKEV1_ID_IPV6_ADDR_SUBNET;
	for (i = 0; i < alen; i++) {
		int bits = plen - (int)i * 8;

		data[alen + i] = bits >= 8 ? 0xff : bits <= 0 ? 0 : (uint8_t)(0xff << (8 - bits));
	}
	id->len = 2 * alen;
}

static void v1_qm_start(struct ike_sa *sa)
{
	const struct iked_child_cfg *cfg = sa->pending;
	struct v1_qm *q = &sa->v1->qm;
	struct ike_prop props[IKED_MAX_PROPS];
	struct ike_v1_builder b;
	struct ike_v1_hdr h;
	struct ike_v1_id idi, idr;
	uint8_t buf[V1_MSG_MAX], di[32], dr[32], spi[4], ke[1024];
	size_t off, len, hoff, hlen, kel = sizeof(ke);
	char err[256];
	int n;

	sa->pending = NULL;
	memset(q, 0, sizeof(*q));
	q->cfg = cfg;
	n = ike_prop_parse(*cfg->esp_proposals ? cfg->esp_proposals : cfg->ah_proposals,
			   *cfg->esp_proposals ? IKEV2_PROTO_ESP : IKEV2_PROTO_AH, props,
			   IKED_MAX_PROPS, err, sizeof(err));
	if (n > 0)
		n = ike_v1_p2_expand(props, (size_t)n, cfg->mode == IKED_MODE_TUNNEL ?
				     IKEV1_ENCAP_TUNNEL : IKEV1_ENCAP_TRANSPORT, cfg->life_time,
				     q->xf, IKE_V1_MSG_MAX_TRANSFORMS, err, sizeof(err));
	if (n < 0) {
		ike_sa_log(sa, 0, "child %s: IKEv1 proposals: %s", cfg->name, err);
		return;
	}
	q->n_xf = (size_t)n;
	do {
		ike_crypto_random(&q->msgid, sizeof(q->msgid));
	} while (!q->msgid);
	q->spi_in = ike_child_spi();
	q->ni_len = V1_NONCE_LEN;
	ike_crypto_random(q->ni, q->ni_len);
	if (q->xf[0].group) {
		q->dh = ike_dh_new(q->xf[0].group);
		if (!q->dh || ike_dh_public(q->dh, ke, &kel)) {
			ike_sa_log(sa, 0, "child %s: PFS key exchange", cfg->name);
			return;
		}
	}
	spi[0] = q->spi_in >> 24;
	spi[1] = q->spi_in >> 16;
	spi[2] = q->spi_in >> 8;
	spi[3] = q->spi_in;
	v1_hdr(sa, &h, IKEV1_EXCH_QUICK, IKEV1_FLAG_ENCRYPTION, q->msgid);
	ike_v1_msg_build_init(&b, buf, sizeof(buf), &h);
	ike_v1_msg_add_hash(&b, NULL, sa->v1->keys->hash_len);
	ike_v1_p2_add_sa(&b, q->xf, q->n_xf, spi);
	ike_v1_msg_add_nonce(&b, q->ni, q->ni_len);
	if (q->dh)
		ike_v1_msg_add_ke(&b, ke, kel);
	v1_ts_id(&cfg->local_ts[0], &idi, di);
	v1_ts_id(&cfg->remote_ts[0], &idr, dr);
	ike_v1_msg_add_id(&b, &idi);
	ike_v1_msg_add_id(&b, &idr);
	if (ike_v1_msg_build_end(&b, &len) || ike_v1_msg_span_after(&b, 0, &off, &len) ||
	    ike_v1_msg_span_body(&b, 0, &hoff, &hlen) ||
	    ike_v1_qm_hash1(sa->v1->keys, q->msgid, buf + off, len, buf + hoff)) {
		ike_sa_log(sa, 0, "child %s: cannot build Quick Mode's first message", cfg->name);
		return;
	}
	q->active = true;
	ike_sa_log(sa, 1, "child %s: Quick Mode %08x", cfg->name, q->msgid);
	v1_seal_send(sa, &b, q->msgid, true, NULL);
}

/*
 * A Quick Mode's child into veil.ko: its KEYMAT (RFC 2409 §5.5) for both
 * SAs, laid out as child.c takes it (the initiator's outbound keys
 * first), and its selectors from the configuration.
 */
static void v1_install(struct ike_sa *sa, struct v1_qm *q, const uint8_t *ni, size_t ni_len,
		       const uint8_t *nr, size_t nr_len)
{
	uint32_t spi_i = q->responder ? q->spi_out : q->spi_in;
	uint32_t spi_r = q->responder ? q->spi_in : q->spi_out;
	uint8_t si[4] = { spi_i >> 24, spi_i >> 16, spi_i >> 8, spi_i };
	uint8_t sr[4] = { spi_r >> 24, spi_r >> 16, spi_r >> 8, spi_r };
	struct ike_child *ch;
	uint8_t *keymat;
	size_t half;

	ch = calloc(1, sizeof(*ch));
	if (!ch)
		return;
	ch->cfg = q->cfg;
	ch->reqid = q->cfg->reqid;
	ch->proto = q->chosen.proto == IKEV1_PROTO_AH ? VEIL_PROTO_AH : VEIL_PROTO_ESP;
	ch->mode = q->cfg->mode == IKED_MODE_TUNNEL ? VEIL_MODE_TUNNEL : VEIL_MODE_TRANSPORT;
	ch->spi_in = q->spi_in;
	ch->spi_out = q->spi_out;
	ike_v1_p2_to_prop(&q->chosen, &ch->chosen);
	ch->esn = q->chosen.esn;
	ch->ts_local[0] = q->cfg->local_ts[0];
	ch->n_local = 1;
	ch->ts_remote[0] = q->cfg->remote_ts[0];
	ch->n_remote = 1;
	ch->initiated = !q->responder;
	half = ike_prop_child_keymat_len(&ch->chosen) / 2;
	keymat = malloc(2 * half);
	if (!keymat ||
	    ike_v1_keymat_sa_pair(sa->v1->keys, q->gqm_len ? q->gqm : NULL, q->gqm_len,
				  q->chosen.proto, si, sr, ni, ni_len, nr, nr_len, keymat,
				  keymat + half, half)) {
		free(keymat);
		free(ch);
		ike_sa_log(sa, 0, "Quick Mode: KEYMAT");
		return;
	}
	ch->next = sa->children;
	sa->children = ch;
	if (ike_child_install(sa, ch, keymat))
		ike_sa_log(sa, 0, "child %s: cannot install", q->cfg->name);
	OPENSSL_cleanse(keymat, 2 * half);
	free(keymat);
	OPENSSL_cleanse(q->gqm, sizeof(q->gqm));
	q->gqm_len = 0;
}

/* QM2: the responder's choice and keys: the child is installed; QM3. */
static void v1_qm2(struct ike_sa *sa, const struct ike_v1_msg *msg, const uint8_t *plain,
		   const struct ike_v1_chain *c)
{
	static struct ike_v1_sa offered;
	struct v1_qm *q = &sa->v1->qm;
	struct ike_v1_p2_xf chosen;
	struct ike_v1_builder b;
	struct ike_v1_hdr h;
	struct ike_blob got, nr, ke;
	struct ike_msg_err e;
	uint8_t want[IKE_V1_HASH_MAX], buf[512], gqm[1024];
	size_t gqm_len = 0, pi, ti, off, len;
	int k, s, n;

	(void)plain;
	k = ike_v1_chain_find(c, IKEV1_PL_HASH, 0);
	s = ike_v1_chain_find(c, IKEV1_PL_SA, 0);
	n = ike_v1_chain_find(c, IKEV1_PL_NONCE, 0);
	if (k != 0 || s < 0 || n < 0 ||
	    ike_v1_msg_parse_hash(c->pl[0].body, c->pl[0].len, &got, &e) ||
	    ike_v1_msg_parse_sa(c->pl[s].body, c->pl[s].len, &offered, &e) ||
	    ike_v1_msg_parse_nonce(c->pl[n].body, c->pl[n].len, &nr, &e)) {
		ike_sa_log(sa, 0, "Quick Mode's second message is malformed");
		return;
	}
	{
		struct ike_blob after;

		ike_v1_chain_after(c, 0, &after);
		if (ike_v1_qm_hash2(sa->v1->keys, q->msgid, q->ni, q->ni_len, after.data,
				    after.len, want) ||
		    ike_v1_hash_check(sa->v1->keys, want, got.data, got.len)) {
			ike_sa_log(sa, 0, "Quick Mode's HASH(2) does not verify");
			return;
		}
	}
	ike_v1_iv_confirm(sa->v1->keys, q->msgid);
	if (ike_v1_p2_select(q->xf, q->n_xf, &offered, &chosen, &pi, &ti) ||
	    offered.prop[pi].spi_size != 4) {
		ike_sa_log(sa, 0, "Quick Mode: the responder's SA is not one we offered");
		return;
	}
	if (chosen.group) {
		int kk = ike_v1_chain_find(c, IKEV1_PL_KE, 0);

		gqm_len = sizeof(gqm);
		if (kk < 0 || !q->dh ||
		    ike_v1_msg_parse_ke(c->pl[kk].body, c->pl[kk].len, &ke, &e) ||
		    ike_dh_derive(q->dh, ke.data, ke.len, gqm, &gqm_len)) {
			ike_sa_log(sa, 0, "Quick Mode: the PFS key exchange failed");
			return;
		}
	}
	q->chosen = chosen;
	q->spi_out = (uint32_t)offered.prop[pi].spi[0] << 24 | offered.prop[pi].spi[1] << 16 |
		     offered.prop[pi].spi[2] << 8 | offered.prop[pi].spi[3];
	q->gqm_len = gqm_len;
	memcpy(q->gqm, gqm, gqm_len);
	OPENSSL_cleanse(gqm, sizeof(gqm));
	v1_install(sa, q, q->ni, q->ni_len, nr.data, nr.len);

	/* QM3: HASH(3) */
	v1_hdr(sa, &h, IKEV1_EXCH_QUICK, IKEV1_FLAG_ENCRYPTION, q->msgid);
	ike_v1_msg_build_init(&b, buf, sizeof(buf), &h);
	ike_v1_msg_add_hash(&b, NULL, sa->v1->keys->hash_len);
	if (!ike_v1_msg_span_body(&b, 0, &off, &len) &&
	    !ike_v1_qm_hash3(sa->v1->keys, q->msgid, q->ni, q->ni_len, nr.data, nr.len, buf + off))
		v1_seal_send(sa, &b, q->msgid, false, NULL);
	ike_v1_iv_forget(sa->v1->keys, q->msgid);
	ike_dh_free(q->dh);
	q->dh = NULL;
	q->active = false;
	(void)msg;
	ike_v1_kick(sa);
}

/* --- Main Mode and Quick Mode, responder --- */

/* A responder's Main Mode message in the clear, sent as an answer. */
static int v1_mm_answer(struct ike_sa *sa, const struct iked_dgram *in, struct ike_v1_builder *b)
{
	size_t len;

	if (ike_v1_msg_build_end(b, &len))
		return -EIO;
	return v1_answer(sa, in, b->buf, len);
}

/* MM1: the initiator's offer: a new ISAKMP SA, and MM2, our choice. */
static void v1_mm1(struct iked *d, struct iked_dgram *dg, const struct ike_v1_msg *msg)
{
	static struct ike_v1_sa offered;
	const struct iked_conn_cfg *conn = ike_init_find_conn(d, dg);
	struct ike_prop props[IKED_MAX_PROPS];
	struct ike_v1_sa answer;
	struct ike_v1_builder b;
	struct ike_v1_hdr h;
	struct ike_msg_err e;
	uint8_t buf[V1_MSG_MAX];
	struct ike_sa *sa;
	char a[64], err[256];
	size_t tr;
	unsigned int bk;
	int i, n;

	/* our answer lost: the same first message again */
	for (bk = 0; bk < IKED_SA_HASH; bk++)
		for (sa = d->sas[bk]; sa; sa = sa->hnext)
			if (sa->version == 1 && !sa->initiator &&
			    !memcmp(sa->spi_i, msg->hdr.icookie, IKEV1_COOKIE_LEN) &&
			    iked_addr_equal(&sa->remote, &dg->remote, true)) {
				v1_again(sa, dg);
				return;
			}
	iked_addr_str(&dg->remote, a, sizeof(a));
	if (!conn || conn->version != 1) {
		iked_log(IKED_IKE, 1, "IKEv1 Main Mode from %s: no IKEv1 connection takes it", a);
		return;
	}
	i = ike_v1_chain_find(&msg->chain, IKEV1_PL_SA, 0);
	if (i < 0 || ike_v1_msg_parse_sa(msg->chain.pl[i].body, msg->chain.pl[i].len, &offered,
					 &e)) {
		iked_log(IKED_IKE, 1, "IKEv1 Main Mode from %s: no SA payload", a);
		return;
	}
	n = ike_prop_parse(conn->proposals, IKEV2_PROTO_IKE, props, IKED_MAX_PROPS, err,
			   sizeof(err));
	sa = n > 0 ? ike_sa_new(d, conn, false) : NULL;
	if (!sa)
		return;
	sa->version = 1;
	sa->v1 = calloc(1, sizeof(*sa->v1));
	if (!sa->v1) {
		ike_sa_dead(sa, "out of memory");
		return;
	}
	n = ike_v1_p1_expand(props, (size_t)n, IKEV1_AUTH_PSK, conn->rekey_time, sa->v1->xf,
			     IKE_V1_MSG_MAX_TRANSFORMS, err, sizeof(err));
	if (n < 0 || (sa->v1->n_xf = (size_t)n,
		      ike_v1_p1_select(sa->v1->xf, sa->v1->n_xf, &offered, &sa->v1->chosen, &tr))) {
		ike_sa_log(sa, 0, "IKEv1 Main Mode from %s: no proposal chosen%s%s", a,
			   n < 0 ? ": " : "", n < 0 ? err : "");
		ike_sa_dead(sa, "no proposal chosen");
		return;
	}
	memcpy(sa->spi_i, msg->hdr.icookie, IKEV1_COOKIE_LEN);
	sa->local = dg->local;
	sa->remote = dg->remote;
	sa->state = IKE_SA_INIT_DONE;
	sa->v1->sai_b = malloc(msg->chain.pl[i].len);
	if (!sa->v1->sai_b) {
		ike_sa_dead(sa, "out of memory");
		return;
	}
	memcpy(sa->v1->sai_b, msg->chain.pl[i].body, msg->chain.pl[i].len);
	sa->v1->sai_len = msg->chain.pl[i].len;
	/* the chosen transform, as it came */
	answer = (struct ike_v1_sa){ .doi = offered.doi, .situation = offered.situation,
				     .n_proposals = 1 };
	answer.prop[0] = offered.prop[0];
	answer.prop[0].n_transforms = 1;
	answer.prop[0].tr[0] = offered.prop[0].tr[tr];
	v1_hdr(sa, &h, IKEV1_EXCH_IDENTITY_PROT, 0, 0);
	ike_v1_msg_build_init(&b, buf, sizeof(buf), &h);
	ike_v1_msg_add_sa(&b, &answer);
	ike_v1_msg_add_vendor(&b, v1_vid_natt, sizeof(v1_vid_natt));
	ike_v1_msg_add_vendor(&b, v1_vid_dpd, sizeof(v1_vid_dpd));
	sa->v1->state = V1_MM2_SENT;
	ike_sa_log(sa, 1, "IKEv1 Main Mode from %s for %s", a, conn->name);
	if (v1_mm_answer(sa, dg, &b))
		ike_sa_dead(sa, "cannot answer Main Mode");
}

/* MM3: the initiator's KE and nonce; MM4: ours, and the keys. */
static void v1_mm3(struct ike_sa *sa, const struct iked_dgram *dg, const struct ike_v1_msg *msg)
{
	struct ike_v1 *v = sa->v1;
	struct ike_v1_phase1 p1;
	struct ike_v1_builder b;
	struct ike_v1_hdr h;
	struct ike_blob ke, nonce;
	struct ike_msg_err e;
	uint8_t buf[V1_MSG_MAX];
	size_t len = sizeof(v->gxr);
	int i, j;

	i = ike_v1_chain_find(&msg->chain, IKEV1_PL_KE, 0);
	j = ike_v1_chain_find(&msg->chain, IKEV1_PL_NONCE, 0);
	if (i < 0 || j < 0 ||
	    ike_v1_msg_parse_ke(msg->chain.pl[i].body, msg->chain.pl[i].len, &ke, &e) ||
	    ike_v1_msg_parse_nonce(msg->chain.pl[j].body, msg->chain.pl[j].len, &nonce, &e) ||
	    ke.len > sizeof(v->gxi) || nonce.len > sizeof(sa->ni)) {
		ike_sa_log(sa, 1, "Main Mode's third message lacks KE or Nonce: dropped");
		return;
	}
	memcpy(v->gxi, ke.data, ke.len);
	v->gxi_len = ke.len;
	memcpy(sa->ni, nonce.data, nonce.len);
	sa->ni_len = nonce.len;
	sa->dh = ike_dh_new(v->chosen.group);
	sa->nr_len = V1_NONCE_LEN;
	if (!sa->dh || ike_crypto_random(sa->nr, sa->nr_len) ||
	    ike_dh_public(sa->dh, v->gxr, &len)) {
		ike_sa_dead(sa, "key exchange");
		return;
	}
	v->gxr_len = len;
	if (v1_derive(sa, &p1)) {
		ike_sa_dead(sa, "no pre-shared key, or an invalid KE");
		return;
	}
	v1_hdr(sa, &h, IKEV1_EXCH_IDENTITY_PROT, 0, 0);
	ike_v1_msg_build_init(&b, buf, sizeof(buf), &h);
	ike_v1_msg_add_ke(&b, v->gxr, v->gxr_len);
	ike_v1_msg_add_nonce(&b, sa->nr, sa->nr_len);
	if (v1_add_natd(sa, &b) || v1_mm_answer(sa, dg, &b)) {
		ike_sa_dead(sa, "cannot answer Main Mode");
		return;
	}
	v->state = V1_MM4_SENT;
}

/* MM5: the initiator's ID and HASH_I; MM6: ours. */
static void v1_mm5(struct ike_sa *sa, const struct iked_dgram *dg, const struct ike_v1_chain *c)
{
	struct ike_v1_phase1 p1;
	struct ike_v1_builder b;
	uint8_t buf[V1_MSG_MAX];
	const char *why;
	char msg[160];

	v1_p1_public(sa, &p1);
	why = v1_check_id_hash(sa, &p1, c);
	if (why) {
		snprintf(msg, sizeof(msg), "IKEv1 Main Mode: %s", why);
		ike_sa_dead(sa, msg);
		return;
	}
	ike_v1_iv_confirm(sa->v1->keys, 0);
	if (v1_build_id_hash(sa, &p1, &b, buf, sizeof(buf)) ||
	    v1_seal_send(sa, &b, 0, false, dg)) {
		ike_sa_dead(sa, "cannot answer Main Mode");
		return;
	}
	v1_established(sa);
}

/* A Quick Mode ID as a traffic selector. */
static bool v1_id_ts(const struct ike_v1_id *id, struct iked_ts *ts)
{
	size_t alen = id->type == IKEV1_ID_IPV4_ADDR || id->type == IKEV1_ID_IPV4_ADDR_SUBNET ?
		      4 : 16, i;

	memset(ts, 0, sizeof(*ts));
	ts->family = alen == 4 ? AF_INET : AF_INET6;
	ts->proto = id->proto;
	ts->from_port = id->port;
	ts->to_port = id->port ? id->port : 0xffff;
	switch (id->type) {
	case IKEV1_ID_IPV4_ADDR:
	case IKEV1_ID_IPV6_ADDR:
		memcpy(ts->from, id->data, alen);
		memcpy(ts->to, id->data, alen);
		return true;
	case IKEV1_ID_IPV4_ADDR_SUBNET:
	case IKEV1_ID_IPV6_ADDR_SUBNET:
		for (i = 0; i < alen; i++) {
			ts->from[i] = id->data[i] & id->data[alen + i];
			ts->to[i] = id->data[i] | (uint8_t)~id->data[alen + i];
		}
		return true;
	default:
		return false;
	}
}

static bool v1_ts_same(const struct iked_ts *a, const struct iked_ts *b)
{
	return a->family == b->family && !memcmp(a->from, b->from, 16) &&
	       !memcmp(a->to, b->to, 16) && a->proto == b->proto &&
	       a->from_port == b->from_port && a->to_port == b->to_port;
}

/* QM1: the initiator's offer for a child; QM2: our choice. */
static void v1_qm1(struct ike_sa *sa, const struct iked_dgram *dg, const struct ike_v1_msg *msg,
		   const struct ike_v1_chain *c)
{
	static struct ike_v1_sa offered;
	struct v1_qm *q = &sa->v1->qm;
	struct ike_prop props[IKED_MAX_PROPS];
	struct ike_v1_sa answer;
	struct ike_v1_builder b;
	struct ike_v1_hdr h;
	struct ike_v1_id idi, idr;
	struct iked_ts ti, tr;
	struct ike_blob got, after, ni, ke;
	struct ike_msg_err e;
	uint8_t want[IKE_V1_HASH_MAX], buf[V1_MSG_MAX], spi[4], pub[1024];
	size_t pi, tix, off, len, hoff, hlen, publen = sizeof(pub);
	unsigned int k;
	int s, n, x, y, kk;
	char err[256];

	s = ike_v1_chain_find(c, IKEV1_PL_SA, 0);
	n = ike_v1_chain_find(c, IKEV1_PL_NONCE, 0);
	x = ike_v1_chain_find(c, IKEV1_PL_ID, 0);
	y = x < 0 ? -1 : ike_v1_chain_find(c, IKEV1_PL_ID, (size_t)x + 1);
	if (c->n < 1 || c->pl[0].type != IKEV1_PL_HASH || s < 0 || n < 0 || x < 0 || y < 0 ||
	    ike_v1_msg_parse_hash(c->pl[0].body, c->pl[0].len, &got, &e) ||
	    ike_v1_msg_parse_sa(c->pl[s].body, c->pl[s].len, &offered, &e) ||
	    ike_v1_msg_parse_nonce(c->pl[n].body, c->pl[n].len, &ni, &e) ||
	    ike_v1_msg_parse_id(c->pl[x].body, c->pl[x].len, &idi, &e) ||
	    ike_v1_msg_parse_id(c->pl[y].body, c->pl[y].len, &idr, &e) ||
	    ni.len > sizeof(q->peer_ni)) {
		ike_sa_log(sa, 1, "Quick Mode's first message is malformed: dropped");
		return;
	}
	ike_v1_chain_after(c, 0, &after);
	if (ike_v1_qm_hash1(sa->v1->keys, msg->hdr.msg_id, after.data, after.len, want) ||
	    ike_v1_hash_check(sa->v1->keys, want, got.data, got.len)) {
		ike_sa_log(sa, 1, "Quick Mode's HASH(1) does not verify: dropped");
		return;
	}
	ike_v1_iv_confirm(sa->v1->keys, msg->hdr.msg_id);
	memset(q, 0, sizeof(*q));
	if (!v1_id_ts(&idi, &ti) || !v1_id_ts(&idr, &tr)) {
		ike_sa_log(sa, 0, "Quick Mode: IDs that are not addresses or subnets");
		return;
	}
	for (k = 0; k < sa->conn->n_children; k++) {
		const struct iked_child_cfg *cc = &sa->conn->children[k];

		if (cc->n_remote_ts && cc->n_local_ts && v1_ts_same(&cc->remote_ts[0], &ti) &&
		    v1_ts_same(&cc->local_ts[0], &tr))
			q->cfg = cc;
	}
	if (!q->cfg) {
		ike_sa_log(sa, 0, "Quick Mode: no child of %s has these selectors", sa->conn->name);
		return;
	}
	kk = ike_prop_parse(*q->cfg->esp_proposals ? q->cfg->esp_proposals : q->cfg->ah_proposals,
			    *q->cfg->esp_proposals ? IKEV2_PROTO_ESP : IKEV2_PROTO_AH, props,
			    IKED_MAX_PROPS, err, sizeof(err));
	if (kk > 0)
		kk = ike_v1_p2_expand(props, (size_t)kk, q->cfg->mode == IKED_MODE_TUNNEL ?
				      IKEV1_ENCAP_TUNNEL : IKEV1_ENCAP_TRANSPORT, q->cfg->life_time,
				      q->xf, IKE_V1_MSG_MAX_TRANSFORMS, err, sizeof(err));
	if (kk < 0 || (q->n_xf = (size_t)kk,
		       ike_v1_p2_select(q->xf, q->n_xf, &offered, &q->chosen, &pi, &tix))) {
		ike_sa_log(sa, 0, "child %s: Quick Mode: no proposal chosen", q->cfg->name);
		return;
	}
	q->msgid = msg->hdr.msg_id;
	q->responder = true;
	q->spi_out = (uint32_t)offered.prop[pi].spi[0] << 24 | offered.prop[pi].spi[1] << 16 |
		     offered.prop[pi].spi[2] << 8 | offered.prop[pi].spi[3];
	memcpy(q->peer_ni, ni.data, ni.len);
	q->peer_ni_len = ni.len;
	q->spi_in = ike_child_spi();
	q->ni_len = V1_NONCE_LEN;
	ike_crypto_random(q->ni, q->ni_len);
	if (q->chosen.group) {
		int ki = ike_v1_chain_find(c, IKEV1_PL_KE, 0);

		q->dh = ike_dh_new(q->chosen.group);
		q->gqm_len = sizeof(q->gqm);
		if (ki < 0 || !q->dh || ike_dh_public(q->dh, pub, &publen) ||
		    ike_v1_msg_parse_ke(c->pl[ki].body, c->pl[ki].len, &ke, &e) ||
		    ike_dh_derive(q->dh, ke.data, ke.len, q->gqm, &q->gqm_len)) {
			ike_sa_log(sa, 0, "child %s: Quick Mode: PFS key exchange", q->cfg->name);
			return;
		}
	}
	spi[0] = q->spi_in >> 24;
	spi[1] = q->spi_in >> 16;
	spi[2] = q->spi_in >> 8;
	spi[3] = q->spi_in;
	answer = (struct ike_v1_sa){ .doi = offered.doi, .situation = offered.situation,
				     .n_proposals = 1 };
	answer.prop[0] = offered.prop[pi];
	answer.prop[0].spi = spi;
	answer.prop[0].n_transforms = 1;
	answer.prop[0].tr[0] = offered.prop[pi].tr[tix];
	v1_hdr(sa, &h, IKEV1_EXCH_QUICK, IKEV1_FLAG_ENCRYPTION, q->msgid);
	ike_v1_msg_build_init(&b, buf, sizeof(buf), &h);
	ike_v1_msg_add_hash(&b, NULL, sa->v1->keys->hash_len);
	ike_v1_msg_add_sa(&b, &answer);
	ike_v1_msg_add_nonce(&b, q->ni, q->ni_len);
	if (q->dh)
		ike_v1_msg_add_ke(&b, pub, publen);
	ike_v1_msg_add_raw(&b, IKEV1_PL_ID, c->pl[x].body, c->pl[x].len);
	ike_v1_msg_add_raw(&b, IKEV1_PL_ID, c->pl[y].body, c->pl[y].len);
	if (ike_v1_msg_build_end(&b, &len) || ike_v1_msg_span_after(&b, 0, &off, &len) ||
	    ike_v1_msg_span_body(&b, 0, &hoff, &hlen) ||
	    ike_v1_qm_hash2(sa->v1->keys, q->msgid, q->peer_ni, q->peer_ni_len, buf + off, len,
			    buf + hoff)) {
		ike_sa_log(sa, 0, "child %s: cannot answer Quick Mode", q->cfg->name);
		return;
	}
	q->active = true;
	v1_seal_send(sa, &b, q->msgid, false, dg);
}

/* QM3: HASH(3): the initiator has the keys; the child goes in. */
static void v1_qm3(struct ike_sa *sa, const struct ike_v1_chain *c)
{
	struct v1_qm *q = &sa->v1->qm;
	uint8_t want[IKE_V1_HASH_MAX];
	struct ike_blob got;
	struct ike_msg_err e;

	if (c->n < 1 || c->pl[0].type != IKEV1_PL_HASH ||
	    ike_v1_msg_parse_hash(c->pl[0].body, c->pl[0].len, &got, &e) ||
	    ike_v1_qm_hash3(sa->v1->keys, q->msgid, q->peer_ni, q->peer_ni_len, q->ni, q->ni_len,
			    want) ||
	    ike_v1_hash_check(sa->v1->keys, want, got.data, got.len)) {
		ike_sa_log(sa, 1, "Quick Mode's HASH(3) does not verify: dropped");
		return;
	}
	v1_install(sa, q, q->peer_ni, q->peer_ni_len, q->ni, q->ni_len);
	ike_v1_iv_forget(sa->v1->keys, q->msgid);
	ike_dh_free(q->dh);
	q->dh = NULL;
	q->active = false;
	ike_v1_kick(sa);
}

/* --- Informational --- */

/*
 * One Informational exchange (RFC 2409 §5.7) with one Delete payload:
 * HASH(1) = prf(SKEYID_a, M-ID | D), under a fresh Message ID's IV.
 */
static int v1_send_delete(struct ike_sa *sa, const struct ike_v1_delete *del)
{
	struct ike_v1_builder b;
	struct ike_v1_hdr h;
	uint8_t buf[512];
	size_t off, len, hoff, hlen;
	uint32_t msgid = 0;
	int ret;

	while (!msgid)
		ike_crypto_random(&msgid, sizeof(msgid));
	v1_hdr(sa, &h, IKEV1_EXCH_INFORMATIONAL, IKEV1_FLAG_ENCRYPTION, msgid);
	ike_v1_msg_build_init(&b, buf, sizeof(buf), &h);
	ike_v1_msg_add_hash(&b, NULL, sa->v1->keys->hash_len);
	ike_v1_msg_add_delete(&b, del);
	ret = ike_v1_msg_build_end(&b, &len);
	if (!ret)
		ret = ike_v1_msg_span_after(&b, 0, &off, &len);
	if (!ret)
		ret = ike_v1_msg_span_body(&b, 0, &hoff, &hlen);
	if (!ret)
		ret = ike_v1_info_hash(sa->v1->keys, msgid, buf + off, len, buf + hoff);
	if (!ret)
		ret = v1_seal_send(sa, &b, msgid, false, NULL);
	ike_v1_iv_forget(sa->v1->keys, msgid);
	return ret;
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

	while (sa->n_ops && sa->state == IKE_SA_ESTABLISHED && !sa->v1->qm.active) {
		op = sa->ops[0];
		memmove(sa->ops, sa->ops + 1, --sa->n_ops * sizeof(sa->ops[0]));
		if (op.type == IKE_OP_NEW_CHILD) {
			sa->pending = op.cfg;
			v1_qm_start(sa);
			continue;
		}
		c = ike_child_by_spi_in(sa, op.spi_in);
		if (!c)
			continue;
		if (op.type == IKE_OP_REKEY_CHILD) {
			ike_sa_log(sa, 0, "child %s: IKEv1 rekeying is not implemented yet: it "
				   "goes at its hard lifetime", c->cfg->name);
			c->rekeyed = true;
			continue;
		}
		v1_delete_child(sa, c);
		ike_child_uninstall(sa, c);
		ike_child_release(sa, c);
	}
}

/**
 * ike_v1_delete - delete an ISAKMP SA and its IPsec SAs
 * @sa: the SA
 * @tell_peer: send Deletes first: one per child (its inbound SPI), then
 *	one for the ISAKMP SA (the cookies); IKEv1 Deletes are not answered
 */
void ike_v1_delete(struct ike_sa *sa, bool tell_peer)
{
	uint8_t spis[IKEV1_ISAKMP_SPI_LEN];
	struct ike_child *c;

	if (tell_peer && sa->v1 && sa->v1->state == V1_ESTABLISHED) {
		for (c = sa->children; c; c = c->next)
			v1_delete_child(sa, c);
		memcpy(spis, sa->spi_i, IKEV1_COOKIE_LEN);
		memcpy(spis + IKEV1_COOKIE_LEN, sa->spi_r, IKEV1_COOKIE_LEN);
		v1_send_delete(sa, &(struct ike_v1_delete){
			.doi = IKEV1_DOI_IPSEC, .proto = IKEV1_PROTO_ISAKMP, .n_spis = 1,
			.spi_size = IKEV1_ISAKMP_SPI_LEN, .spis = spis,
		});
	}
	ike_child_free_all(sa);
	ike_sa_dead(sa, "ISAKMP SA deleted");
}

/*
 * An Informational exchange from the peer (RFC 2409 §5.7), its HASH(1)
 * checked: a Delete of a child (by the SPI it receives on, our outbound
 * one) or of the ISAKMP SA. Notifications are logged.
 */
static void v1_info_in(struct ike_sa *sa, uint32_t msgid, const struct ike_v1_chain *c)
{
	uint8_t want[IKE_V1_HASH_MAX];
	struct ike_v1_delete del;
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
	for (i = 1; i < c->n; i++) {
		if (c->pl[i].type == IKEV1_PL_N) {
			ike_sa_log(sa, 1, "IKEv1 notification from the peer");
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
	ike_v1_iv_forget(sa->v1->keys, msgid);
	if (drop_sa) {
		ike_sa_log(sa, 0, "the peer deleted the ISAKMP SA");
		ike_v1_delete(sa, false);
	}
}

/* --- dispatch --- */

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
			v1_mm1(d, dg, &msg);
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
	if (!sa->initiator && v1_again(sa, dg))
		return;
	if (!(msg.hdr.flags & IKEV1_FLAG_ENCRYPTION)) {
		if (msg.hdr.exchange != IKEV1_EXCH_IDENTITY_PROT)
			return;
		if (sa->v1->state == V1_MM1_SENT)
			v1_mm2(sa, &msg);
		else if (sa->v1->state == V1_MM3_SENT)
			v1_mm4(sa, &msg);
		else if (sa->v1->state == V1_MM2_SENT)
			v1_mm3(sa, dg, &msg);
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
	if (msg.hdr.exchange == IKEV1_EXCH_IDENTITY_PROT && !id && sa->v1->state == V1_MM5_SENT)
		v1_mm6(sa, &chain);
	else if (msg.hdr.exchange == IKEV1_EXCH_IDENTITY_PROT && !id &&
		 sa->v1->state == V1_MM4_SENT)
		v1_mm5(sa, dg, &chain);
	else if (msg.hdr.exchange == IKEV1_EXCH_QUICK && sa->v1->qm.active &&
		 id == sa->v1->qm.msgid && !sa->v1->qm.responder)
		v1_qm2(sa, &msg, plain, &chain);
	else if (msg.hdr.exchange == IKEV1_EXCH_QUICK && sa->v1->qm.active &&
		 id == sa->v1->qm.msgid && sa->v1->qm.responder)
		v1_qm3(sa, &chain);
	else if (msg.hdr.exchange == IKEV1_EXCH_QUICK && id && !sa->v1->qm.active &&
		 sa->v1->state == V1_ESTABLISHED)
		v1_qm1(sa, dg, &msg, &chain);
	else if (msg.hdr.exchange == IKEV1_EXCH_INFORMATIONAL && id &&
		 sa->v1->state == V1_ESTABLISHED)
		v1_info_in(sa, id, &chain);
	else
		ike_sa_log(sa, 1, "IKEv1 %s %08x: not handled yet",
			   ike_v1_msg_exchange_name(msg.hdr.exchange), id);
	OPENSSL_cleanse(plain, msg.body_len);
}

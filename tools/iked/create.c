// SPDX-License-Identifier: GPL-2.0
/*
 * CREATE_CHILD_SA (RFC 7296 §1.3): rekeying a Child SA, both roles, with
 * an optional key exchange (PFS), and simultaneous rekeys (§2.8.1).
 *
 * Make-before-break: the new child's SAs go into veil.ko (inbound first)
 * before the old child's leave, and veil.ko sends on the newest SA of a
 * reqid; so no packet finds no SA. The initiator of the rekey deletes the
 * old child once the new one is in; its SAs stay until the peer answers
 * that Delete.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <linux/veil.h>
#include <openssl/crypto.h>

#include "daemon.h"
#include "log.h"

#define CREATE_MSG_MAX		4096
#define CREATE_NONCE_LEN	32
#define CREATE_RETRY_MS		2000

/* Nonce and KE, between a child's SA payload and its selectors. */
struct create_nke {
	const uint8_t *nonce;
	size_t nonce_len;
	struct ike_dh *dh;
};

static int create_add_nke(struct ike_builder *b, void *arg)
{
	const struct create_nke *x = arg;
	uint8_t pub[IKE_DH_PUBLIC_MAX];
	struct ike_ke ke;
	size_t len = sizeof(pub);

	if (ike_msg_add_nonce(b, x->nonce, x->nonce_len))
		return -ENOSPC;
	if (!x->dh)
		return 0;
	if (ike_dh_public(x->dh, pub, &len))
		return -EIO;
	ke = (struct ike_ke){ .group = ike_dh_group(x->dh), .data = pub, .len = len };
	return ike_msg_add_ke(b, &ke) ? -ENOSPC : 0;
}

static void create_on_reply(struct ike_sa *sa, const struct ike_msg *msg,
			    const struct ike_chain *in);
static void create_ike_respond(struct ike_sa *sa, const struct ike_msg *msg,
			       const struct ike_child_parts *p);

/*
 * CREATE_CHILD_SA for @cfg: a rekey of @old (REKEY_SA) or, without, a
 * further child. @group: the key exchange method the peer asked for, or 0
 * for the configuration's first, if any.
 */
static int create_offer(struct ike_sa *sa, const struct iked_child_cfg *cfg,
			struct ike_child *old, uint16_t group)
{
	struct ike_rekey *r = &sa->rekey_ctx;
	uint8_t buf[CREATE_MSG_MAX];
	struct ike_notify n = { .type = IKEV2_N_REKEY_SA, .spi_size = 4 };
	struct create_nke x;
	struct ike_builder b;
	bool retry = group != 0;
	uint32_t spi;
	int ret = 0;

	ike_dh_free(r->dh);
	memset(r, 0, sizeof(*r));
	r->cfg = cfg;
	r->old_spi = old ? old->spi_in : 0;
	r->spi = ike_child_spi();
	r->ni_len = CREATE_NONCE_LEN;
	r->group_retry = retry;
	if (!group)
		group = ike_child_pfs_group(cfg);
	if (group) {
		r->dh = ike_dh_new(group);
		if (!r->dh)
			return -EIO;
	}
	if (!r->spi || ike_crypto_random(r->ni, r->ni_len))
		return -EIO;
	x = (struct create_nke){ .nonce = r->ni, .nonce_len = r->ni_len, .dh = r->dh };
	ike_msg_chain_init(&b, buf, sizeof(buf));
	if (old) {
		n.proto = old->proto == VEIL_PROTO_AH ? IKEV2_PROTO_AH : IKEV2_PROTO_ESP;
		spi = htonl(old->spi_in);
		memcpy(n.spi, &spi, 4);
		ret = ike_msg_add_notify(&b, &n) ? -ENOSPC : 0;
	}
	ret = ret ?: ike_child_add_offer(sa, &b, cfg, r->spi, r->dh != NULL, old, create_add_nke,
					 &x);
	ret = ret ?: ike_sa_request(sa, IKEV2_EXCH_CREATE_CHILD_SA, &b, create_on_reply);
	if (ret)
		return ret;
	if (old)
		old->rekeying = true;
	ike_sa_log(sa, 1, "%s child %s%s", old ? "rekeying" : "starting", cfg->name,
		   r->dh ? ", with a key exchange" : "");
	return 0;
}

/**
 * ike_create_rekey - rekey a child: CREATE_CHILD_SA with REKEY_SA
 * @sa: its IKE SA, with nothing in flight
 * @c: the child
 * @group: the key exchange method to use (the peer asked for it), or 0 for
 *	the configuration's first, if any
 *
 * Return: 0 or a negative errno.
 */
int ike_create_rekey(struct ike_sa *sa, struct ike_child *c, uint16_t group)
{
	return create_offer(sa, c->cfg, c, group);
}

/**
 * ike_create_child - a further child on an established IKE SA
 * @sa: the IKE SA, with nothing in flight
 * @cfg: the child configuration
 * @group: as for ike_create_rekey()
 *
 * Return: 0 or a negative errno.
 */
int ike_create_child(struct ike_sa *sa, const struct iked_child_cfg *cfg, uint16_t group)
{
	return create_offer(sa, cfg, NULL, group);
}

/* Whether nonce @a (of length @al) sorts before @b. */
static bool create_nonce_lower(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
	int cmp = memcmp(a, b, al < bl ? al : bl);

	return cmp < 0 || (!cmp && al < bl);
}

/* Our rekey's answer. */
static void create_on_reply(struct ike_sa *sa, const struct ike_msg *msg,
			    const struct ike_chain *in)
{
	struct ike_rekey *r = &sa->rekey_ctx;
	struct ike_child *old = ike_child_by_spi_in(sa, r->old_spi), *nc = NULL, *peer;
	uint8_t gir[IKE_DH_PUBLIC_MAX];
	struct ike_child_parts p;
	size_t glen = sizeof(gir);
	uint16_t group;
	int ret;

	if (!msg)
		goto out;
	if (old)
		old->rekeying = false;
	if (ike_child_parts(in, true, &p)) {
		ike_sa_log(sa, 0, "child %s: malformed CREATE_CHILD_SA answer", r->cfg->name);
		goto out;
	}
	if (p.error == IKEV2_N_INVALID_KE_PAYLOAD && p.error_len == 2 && !r->group_retry &&
	    (old || !r->old_spi)) {
		group = p.error_data[0] << 8 | p.error_data[1];
		ike_sa_log(sa, 1, "child %s: the peer wants key exchange group %u", r->cfg->name,
			   group);
		if (ike_dh_supported(group) && !create_offer(sa, r->cfg, old, group))
			return;
		goto out;
	}
	if (p.error == IKEV2_N_TEMPORARY_FAILURE && (old || !r->old_spi)) {
		/* §2.25: the peer is busy (rekeying too, perhaps): try again later */
		ike_sa_log(sa, 1, "child %s: the peer cannot do it now: retrying", r->cfg->name);
		if (sa->n_ops < IKE_SA_OPS)
			sa->ops[sa->n_ops++] = old ?
				(struct ike_op){ .type = IKE_OP_REKEY_CHILD, .spi_in = old->spi_in } :
				(struct ike_op){ .type = IKE_OP_NEW_CHILD, .cfg = r->cfg };
		iked_timer_set(&sa->retry, CREATE_RETRY_MS);
		goto out;
	}
	if (p.error || !p.has_nonce || (r->dh && (!p.has_ke || p.ke.group != ike_dh_group(r->dh)))) {
		ike_sa_log(sa, 0, "child %s: %s refused: %s", r->cfg->name,
			   r->old_spi ? "rekey" : "CREATE_CHILD_SA",
			   p.error ? ike_msg_notify_name(p.error) : "no Nonce or KE");
		goto out;
	}
	if (r->dh && ike_dh_derive(r->dh, p.ke.data, p.ke.len, gir, &glen)) {
		ike_sa_log(sa, 0, "child %s: the peer's key exchange value is invalid", r->cfg->name);
		goto out;
	}
	ret = ike_child_confirm(sa, in, r->cfg, r->spi, r->dh ? gir : NULL, r->dh ? glen : 0,
				r->ni, r->ni_len, p.nonce.data, p.nonce.len, &nc);
	OPENSSL_cleanse(gir, sizeof(gir));
	if (ret || !old)
		goto out;
	old->rekeyed = true;
	/*
	 * §2.8.1: the peer rekeyed the same child meanwhile. Of the two new
	 * children, the one made with the lowest nonce goes, deleted by the
	 * end that made it.
	 */
	peer = old->peer_successor ? ike_child_by_spi_in(sa, old->peer_successor) : NULL;
	old->peer_successor = 0;	/* resolved here */
	if (peer && create_nonce_lower(nc->lo_nonce, nc->lo_len, peer->lo_nonce, peer->lo_len)) {
		ike_sa_log(sa, 1, "child %s: both ends rekeyed it; ours is redundant", r->cfg->name);
		nc->rekeyed = true;
		ike_child_install_out(sa, peer);	/* the newest: traffic moves to it */
		ike_child_drop_out(sa, nc);
		ike_sa_queue(sa, IKE_OP_DELETE_CHILD, nc->spi_in);
	} else if (peer) {
		/* theirs is redundant: the peer deletes it, and nothing follows */
		ike_sa_log(sa, 1, "child %s: both ends rekeyed it; the peer's is redundant",
			   r->cfg->name);
		peer->rekeyed = true;
	}
	ike_sa_queue(sa, IKE_OP_DELETE_CHILD, old->spi_in);
out:
	/* Ours failed while the peer's rekey of the same child succeeded. */
	old = ike_child_by_spi_in(sa, r->old_spi);
	if (old && old->peer_successor) {
		peer = ike_child_by_spi_in(sa, old->peer_successor);
		if (peer && peer->defer_out)
			ike_child_install_out(sa, peer);
		old->peer_successor = 0;
	}
	ike_dh_free(r->dh);
	r->dh = NULL;
}

static void create_refuse(struct ike_sa *sa, const struct ike_msg *msg, uint16_t type,
			  const uint8_t *data, size_t len)
{
	ike_sa_respond_notify(sa, &msg->hdr, type, data, len);
}

/* The child the peer's REKEY_SA names: its inbound SPI is our outbound. */
static struct ike_child *create_find_old(struct ike_sa *sa, const struct ike_child_parts *p)
{
	uint8_t proto = p->rekey_proto == IKEV2_PROTO_AH ? VEIL_PROTO_AH : VEIL_PROTO_ESP;
	struct ike_child *c;

	for (c = sa->children; c; c = c->next)
		if (c->spi_out == p->rekey_spi && c->proto == proto)
			return c;
	return NULL;
}

/**
 * ike_create_respond - the peer's CREATE_CHILD_SA request
 * @sa: the SA
 * @msg: the request
 * @in: its inner payloads
 */
void ike_create_respond(struct ike_sa *sa, const struct ike_msg *msg, const struct ike_chain *in)
{
	uint8_t buf[CREATE_MSG_MAX], nr[CREATE_NONCE_LEN], gir[IKE_DH_PUBLIC_MAX], grp[2];
	const struct ike_prop_transform *dht;
	struct ike_child tmp = { 0 }, *c, *old = NULL;
	struct ike_dh *dh = NULL;
	struct ike_child_parts p;
	struct create_nke x;
	struct ike_builder b;
	size_t glen = 0;
	uint16_t notify;

	if (ike_child_parts(in, false, &p) || !p.has_sa || !p.has_nonce) {
		create_refuse(sa, msg, IKEV2_N_INVALID_SYNTAX, NULL, 0);
		return;
	}
	if (p.sa.n_proposals && p.sa.prop[0].proto == IKEV2_PROTO_IKE) {
		create_ike_respond(sa, msg, &p);
		return;
	}
	if (p.rekey) {
		old = create_find_old(sa, &p);
		if (!old || old->rekeyed) {
			ike_sa_log(sa, 1, "the peer rekeys SPI %08x, which is no child of ours",
				   p.rekey_spi);
			create_refuse(sa, msg, IKEV2_N_CHILD_SA_NOT_FOUND, NULL, 0);
			return;
		}
	}
	if (ike_child_choose(sa, &p, old ? old->cfg : NULL, true, &tmp, &notify)) {
		create_refuse(sa, msg, notify, NULL, 0);
		return;
	}
	dht = ike_prop_get(&tmp.chosen, IKEV2_TRANS_DH);
	if (dht && dht->id) {
		if (!p.has_ke || p.ke.group != dht->id) {
			grp[0] = dht->id >> 8;
			grp[1] = dht->id;
			create_refuse(sa, msg, IKEV2_N_INVALID_KE_PAYLOAD, grp, 2);
			return;
		}
		glen = sizeof(gir);
		dh = ike_dh_new(dht->id);
		if (!dh || ike_dh_derive(dh, p.ke.data, p.ke.len, gir, &glen)) {
			ike_dh_free(dh);
			create_refuse(sa, msg, IKEV2_N_INVALID_SYNTAX, NULL, 0);
			return;
		}
	}
	c = ike_child_alloc(sa, tmp.cfg);
	if (!c || ike_crypto_random(nr, sizeof(nr)))
		goto fail;
	tmp.next = c->next;
	tmp.proto = c->proto;
	tmp.encap = c->encap;
	*c = tmp;
	c->spi_in = ike_child_spi();
	c->initiated = false;
	/*
	 * A plain rekey: our outbound SA waits for the old child to go. In a
	 * collision it waits for our own rekey's answer: if the peer's child
	 * turns out redundant, the peer deletes it at once, and what we sent
	 * on it meanwhile would be lost.
	 */
	c->defer_out = old != NULL;
	if (!c->spi_in || ike_child_make(sa, c, dh ? gir : NULL, glen, p.nonce.data, p.nonce.len,
					 nr, sizeof(nr))) {
		ike_child_release(sa, c);
		goto fail;
	}
	if (old) {
		/* Ours may be in flight too: then it is a collision (§2.8.1). */
		if (old->rekeying) {
			ike_sa_log(sa, 1, "child %s: the peer rekeys it too (simultaneous rekey, "
				   "RFC 7296 2.8.1)", c->cfg->name);
			old->peer_successor = c->spi_in;
		} else {
			old->rekeyed = true;
			old->successor = c->spi_in;
		}
		ike_sa_log(sa, 1, "child %s rekeyed by the peer", c->cfg->name);
	}
	x = (struct create_nke){ .nonce = nr, .nonce_len = sizeof(nr), .dh = dh };
	ike_msg_chain_init(&b, buf, sizeof(buf));
	if (ike_child_add_answer(&b, c, create_add_nke, &x)) {
		ike_child_uninstall(sa, c);
		ike_child_release(sa, c);
		goto fail;
	}
	ike_sa_respond(sa, &msg->hdr, &b);
	ike_dh_free(dh);
	OPENSSL_cleanse(gir, sizeof(gir));
	return;
fail:
	ike_dh_free(dh);
	OPENSSL_cleanse(gir, sizeof(gir));
	create_refuse(sa, msg, IKEV2_N_TEMPORARY_FAILURE, NULL, 0);
}

/*
 * IKE SA rekeying (§1.3.2, §2.18): a new IKE SA with new SPIs and keys
 * derived from the old SK_d; the children move to it, and the rekey's
 * initiator deletes the old one. The rekey's initiator is the new SA's
 * original initiator.
 */

/* Our IKE proposals, numbered, with @spi (ours, 8 bytes). */
static int create_ike_props(const struct ike_sa *sa, const uint8_t *spi, struct ike_prop *props)
{
	char err[256];
	int n, i;

	n = ike_prop_parse(sa->conn->proposals, IKEV2_PROTO_IKE, props, IKED_MAX_PROPS, err,
			   sizeof(err));
	for (i = 0; i < n; i++) {
		props[i].spi_len = IKEV2_SPI_LEN;
		memcpy(props[i].spi, spi, IKEV2_SPI_LEN);
	}
	if (n > 0)
		ike_prop_number(props, n);
	return n;
}

/* What moves from @old to the new IKE SA @sa, and the new SA's start. */
static void create_ike_switch(struct ike_sa *old, struct ike_sa *sa)
{
	unsigned int i;

	sa->local = old->local;
	sa->remote = old->remote;
	sa->natt = old->natt;
	sa->nat_local = old->nat_local;
	sa->nat_remote = old->nat_remote;
	sa->frag_ok = old->frag_ok;
	sa->peer_hashes = old->peer_hashes;
	sa->peer_id = old->peer_id;
	sa->children = old->children;
	old->children = NULL;
	for (i = 0; i < old->n_ops && sa->n_ops < IKE_SA_OPS; i++)
		sa->ops[sa->n_ops++] = old->ops[i];
	old->n_ops = 0;
	sa->state = IKE_SA_INIT_DONE;	/* so that established() sees it come up */
	sa->d->half_open++;
	ike_sa_established(sa);
	ike_sa_log(sa, 0, "rekeyed IKE SA %02x%02x%02x%02x", ike_sa_local_spi(old)[0],
		   ike_sa_local_spi(old)[1], ike_sa_local_spi(old)[2], ike_sa_local_spi(old)[3]);
	iked_timer_cancel(&old->rekey);
	iked_timer_cancel(&old->dpd);
	iked_timer_cancel(&old->keepalive);
	ike_sa_kick(sa);
}

static void create_ike_on_reply(struct ike_sa *sa, const struct ike_msg *msg,
				const struct ike_chain *in);

/**
 * ike_create_rekey_ike - rekey an IKE SA
 * @sa: an established SA with nothing in flight
 *
 * Return: 0 or a negative errno.
 */
int ike_create_rekey_ike(struct ike_sa *sa)
{
	struct ike_prop props[IKED_MAX_PROPS];
	const struct ike_prop_transform *dh = ike_prop_get(&sa->chosen, IKEV2_TRANS_DH);
	uint8_t buf[CREATE_MSG_MAX];
	struct ike_sa_payload sap;
	struct ike_builder b;
	struct create_nke x;
	struct ike_sa *nsa;
	int n, ret;

	if (!dh)
		return -EINVAL;
	nsa = ike_sa_new(sa->d, sa->conn, true);
	if (!nsa)
		return -ENOMEM;
	nsa->state = IKE_SA_INIT_SENT;
	nsa->ni_len = CREATE_NONCE_LEN;
	/* The group in use: the responder took it once, so no INVALID_KE round trip. */
	nsa->dh = ike_dh_new(dh->id);
	n = create_ike_props(sa, nsa->spi_i, props);
	if (!nsa->dh || n <= 0 || ike_crypto_random(nsa->ni, nsa->ni_len)) {
		ike_sa_dead(nsa, "cannot start an IKE SA rekey");
		return -EIO;
	}
	ike_props_to_payload(props, n, &sap);
	x = (struct create_nke){ .nonce = nsa->ni, .nonce_len = nsa->ni_len, .dh = nsa->dh };
	ike_msg_chain_init(&b, buf, sizeof(buf));
	ret = ike_msg_add_sa(&b, &sap) ? -ENOSPC : 0;
	ret = ret ?: create_add_nke(&b, &x);
	ret = ret ?: ike_sa_request(sa, IKEV2_EXCH_CREATE_CHILD_SA, &b, create_ike_on_reply);
	if (ret) {
		ike_sa_dead(nsa, "cannot start an IKE SA rekey");
		return ret;
	}
	sa->rekey_new = nsa;
	ike_sa_log(sa, 1, "rekeying the IKE SA");
	return 0;
}

static void create_ike_on_reply(struct ike_sa *sa, const struct ike_msg *msg,
				const struct ike_chain *in)
{
	struct ike_prop offered[IKED_MAX_PROPS], got[IKED_MAX_PROPS];
	struct ike_sa *nsa = sa->rekey_new;
	uint8_t gir[IKE_DH_PUBLIC_MAX];
	struct ike_child_parts p;
	size_t glen = sizeof(gir), ngot;
	int n, ret;

	sa->rekey_new = NULL;
	if (!nsa || nsa->state == IKE_SA_DEAD)
		return;
	if (!msg) {
		ike_sa_dead(nsa, "the IKE SA rekey got no answer");
		return;
	}
	if (ike_child_parts(in, true, &p) || p.error || !p.has_sa || !p.has_nonce || !p.has_ke) {
		ike_sa_log(sa, 1, "IKE SA rekey refused: %s",
			   p.error ? ike_msg_notify_name(p.error) : "malformed answer");
		ike_sa_dead(nsa, "IKE SA rekey failed");
		/* §2.25: a busy peer; a refusal: try again in a while */
		iked_timer_set(&sa->rekey, 10000);
		return;
	}
	n = create_ike_props(sa, nsa->spi_i, offered);
	ike_props_from_payload(&p.sa, got, IKED_MAX_PROPS, &ngot);
	if (n <= 0 || ngot != 1 || ike_prop_check_chosen(offered, n, &got[0]) < 0 ||
	    got[0].spi_len != IKEV2_SPI_LEN || p.ke.group != ike_dh_group(nsa->dh) ||
	    !memcmp(got[0].spi, "\0\0\0\0\0\0\0\0", IKEV2_SPI_LEN)) {
		ike_sa_dead(nsa, "IKE SA rekey: the peer chose what we did not offer");
		return;
	}
	memcpy(nsa->spi_r, got[0].spi, IKEV2_SPI_LEN);
	nsa->chosen = got[0];
	nsa->chosen.spi_len = 0;
	memcpy(nsa->nr, p.nonce.data, p.nonce.len);
	nsa->nr_len = p.nonce.len;
	ret = ike_dh_derive(nsa->dh, p.ke.data, p.ke.len, gir, &glen);
	ret = ret ?: ike_sk_new(&nsa->chosen, &nsa->sk);
	ret = ret ?: ike_sk_derive_rekey(nsa->sk, sa->sk, gir, glen, nsa->ni, nsa->ni_len,
					 nsa->nr, nsa->nr_len, nsa->spi_i, nsa->spi_r);
	OPENSSL_cleanse(gir, sizeof(gir));
	ike_dh_free(nsa->dh);
	nsa->dh = NULL;
	if (ret) {
		ike_sa_dead(nsa, "IKE SA rekey: cannot derive the keys");
		return;
	}
	create_ike_switch(sa, nsa);
	/* The old SA goes: with its children moved, only its Delete is left. */
	ike_sa_delete(sa, true);
	/* A stop came meanwhile: the new SA goes too. */
	if (sa->close_pending) {
		sa->close_pending = false;
		ike_sa_delete(nsa, true);
	}
}

/* The peer rekeys the IKE SA. */
static void create_ike_respond(struct ike_sa *sa, const struct ike_msg *msg,
			       const struct ike_child_parts *p)
{
	struct ike_prop conf[IKED_MAX_PROPS], offered[IKED_MAX_PROPS], chosen;
	uint8_t buf[CREATE_MSG_MAX], gir[IKE_DH_PUBLIC_MAX], grp[2], zero[IKEV2_SPI_LEN] = { 0 };
	const struct ike_prop_transform *dh;
	struct ike_sa_payload sap;
	struct ike_builder b;
	struct create_nke x;
	struct ike_sa *nsa;
	size_t noff, glen = sizeof(gir);
	int n, ret;

	if (sa->rekey_new || sa->req.buf) {
		/* Ours is in flight (§2.8.2 would pick one; a retry does as well). */
		create_refuse(sa, msg, IKEV2_N_TEMPORARY_FAILURE, NULL, 0);
		return;
	}
	n = create_ike_props(sa, zero, conf);
	ike_props_from_payload(&p->sa, offered, IKED_MAX_PROPS, &noff);
	if (n <= 0 || !p->has_ke ||
	    ike_prop_select_ke(conf, n, offered, noff, p->ke.group, &chosen) < 0 ||
	    chosen.spi_len != IKEV2_SPI_LEN) {
		create_refuse(sa, msg, IKEV2_N_NO_PROPOSAL_CHOSEN, NULL, 0);
		return;
	}
	dh = ike_prop_get(&chosen, IKEV2_TRANS_DH);
	if (!dh || dh->id != p->ke.group) {
		grp[0] = dh ? dh->id >> 8 : 0;
		grp[1] = dh ? dh->id : 0;
		create_refuse(sa, msg, IKEV2_N_INVALID_KE_PAYLOAD, grp, 2);
		return;
	}
	nsa = ike_sa_new(sa->d, sa->conn, false);
	if (!nsa) {
		create_refuse(sa, msg, IKEV2_N_TEMPORARY_FAILURE, NULL, 0);
		return;
	}
	memcpy(nsa->spi_i, chosen.spi, IKEV2_SPI_LEN);
	nsa->chosen = chosen;
	nsa->chosen.spi_len = 0;
	memcpy(nsa->ni, p->nonce.data, p->nonce.len);
	nsa->ni_len = p->nonce.len;
	nsa->nr_len = CREATE_NONCE_LEN;
	nsa->dh = ike_dh_new(dh->id);
	ret = nsa->dh ? ike_crypto_random(nsa->nr, nsa->nr_len) : -ENOMEM;
	ret = ret ?: ike_dh_derive(nsa->dh, p->ke.data, p->ke.len, gir, &glen);
	ret = ret ?: ike_sk_new(&nsa->chosen, &nsa->sk);
	ret = ret ?: ike_sk_derive_rekey(nsa->sk, sa->sk, gir, glen, nsa->ni, nsa->ni_len,
					 nsa->nr, nsa->nr_len, nsa->spi_i, nsa->spi_r);
	OPENSSL_cleanse(gir, sizeof(gir));
	/* The answer carries our new SPI. */
	memcpy(chosen.spi, nsa->spi_r, IKEV2_SPI_LEN);
	ike_props_to_payload(&chosen, 1, &sap);
	x = (struct create_nke){ .nonce = nsa->nr, .nonce_len = nsa->nr_len, .dh = nsa->dh };
	ike_msg_chain_init(&b, buf, sizeof(buf));
	ret = ret ?: (ike_msg_add_sa(&b, &sap) ? -ENOSPC : 0);
	ret = ret ?: create_add_nke(&b, &x);
	ike_dh_free(nsa->dh);
	nsa->dh = NULL;
	if (ret) {
		ike_sa_dead(nsa, "cannot answer the IKE SA rekey");
		create_refuse(sa, msg, IKEV2_N_TEMPORARY_FAILURE, NULL, 0);
		return;
	}
	ike_sa_respond(sa, &msg->hdr, &b);
	create_ike_switch(sa, nsa);
	/* The peer deletes the old SA; should it not, it goes on its own. */
	iked_timer_set(&sa->expire, 30000);
}

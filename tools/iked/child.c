// SPDX-License-Identifier: GPL-2.0
/*
 * Child SAs: what the initiator offers (SA, TSi, TSr, USE_TRANSPORT_MODE),
 * how the responder chooses and narrows (RFC 7296 §2.9), the keys
 * (§2.17), and the SAs and policies that go into veil.ko.
 *
 * A child's policies carry its configuration's reqid. A policy whose
 * template no SA fills is a trap: veil.ko raises acquire-ntf for the first
 * packet, and the daemon negotiates. So a trap is installed as the child's
 * policies with the configured selectors, and stays when its SAs go.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/veil.h>
#include <openssl/crypto.h>

#include "daemon.h"
#include "log.h"

#define CHILD_PRIO_BASE	1000

/**
 * ike_child_spi - a random SPI for an inbound SA
 *
 * Below 256 SPIs are reserved (RFC 4303 §2.1); a clash with an SA veil.ko
 * has is reported by its sa-new (EEXIST).
 */
uint32_t ike_child_spi(void)
{
	uint32_t spi = 0;

	while (spi < VEIL_SPI_MIN)
		if (ike_crypto_random(&spi, sizeof(spi)))
			return 0;
	return spi;
}

static uint8_t child_proto(const struct iked_child_cfg *cfg)
{
	return *cfg->ah_proposals ? IKEV2_PROTO_AH : IKEV2_PROTO_ESP;
}

/**
 * ike_child_props - a child's proposals, numbered, with @spi
 * @cfg: the child
 * @spi: our inbound SPI, host order
 * @pfs: keep the key exchange methods (CREATE_CHILD_SA); without, they go
 *	(IKE_AUTH's child has no key exchange of its own, RFC 7296 §1.2)
 * @props: filled in
 * @max: room
 * @err: the reason when the configuration's proposals do not parse
 * @errlen: its size
 *
 * Return: how many, or a negative errno.
 */
int ike_child_props(const struct iked_child_cfg *cfg, uint32_t spi, bool pfs,
		    struct ike_prop *props, size_t max, char *err, size_t errlen)
{
	uint8_t proto = child_proto(cfg);
	uint32_t nspi = htonl(spi);
	int n, i;

	n = ike_prop_parse(proto == IKEV2_PROTO_AH ? cfg->ah_proposals : cfg->esp_proposals,
			   proto, props, max, err, errlen);
	for (i = 0; i < n; i++) {
		props[i].spi_len = 4;
		memcpy(props[i].spi, &nspi, 4);
		if (!pfs)
			props[i].xf[IKE_PROP_IDX(IKEV2_TRANS_DH)].n = 0;
	}
	if (n > 0)
		ike_prop_number(props, n);
	return n;
}

/* The first key exchange method of a child's first proposal: 0 for no PFS. */
uint16_t ike_child_pfs_group(const struct iked_child_cfg *cfg)
{
	struct ike_prop props[IKED_MAX_PROPS];
	const struct ike_prop_transform *t;
	char err[256];

	if (ike_child_props(cfg, 0, true, props, IKED_MAX_PROPS, err, sizeof(err)) < 1)
		return 0;
	t = ike_prop_get(&props[0], IKEV2_TRANS_DH);
	return t ? t->id : 0;
}

static void child_ts_to_wire(const struct iked_ts *t, struct ike_ts *w)
{
	int n = iked_ts_addr_len(t);

	memset(w, 0, sizeof(*w));
	w->type = t->family == AF_INET6 ? IKEV2_TS_IPV6_ADDR_RANGE : IKEV2_TS_IPV4_ADDR_RANGE;
	w->ip_proto = t->proto;
	w->start_port = t->from_port;
	w->end_port = t->to_port;
	memcpy(w->start_addr, t->from, n);
	memcpy(w->end_addr, t->to, n);
}

static bool child_ts_from_wire(const struct ike_ts *w, struct iked_ts *t)
{
	if (w->type != IKEV2_TS_IPV4_ADDR_RANGE && w->type != IKEV2_TS_IPV6_ADDR_RANGE)
		return false;
	memset(t, 0, sizeof(*t));
	t->family = w->type == IKEV2_TS_IPV6_ADDR_RANGE ? AF_INET6 : AF_INET;
	t->proto = w->ip_proto;
	t->from_port = w->start_port;
	t->to_port = w->end_port;
	memcpy(t->from, w->start_addr, iked_ts_addr_len(t));
	memcpy(t->to, w->end_addr, iked_ts_addr_len(t));
	return t->from_port <= t->to_port &&
	       memcmp(t->from, t->to, iked_ts_addr_len(t)) <= 0;
}

/* "dynamic" becomes the IKE SA's own address, keeping protocol and ports. */
static void child_resolve(const struct iked_ts *in, const struct sockaddr_storage *addr,
			  struct iked_ts *out)
{
	*out = *in;
	if (in->dynamic)
		iked_ts_from_addr(out, addr->ss_family, iked_addr_bytes(addr));
}

static void child_ts_payload(const struct iked_ts *ts, unsigned int n,
			     const struct sockaddr_storage *addr, const struct iked_ts *first,
			     struct ike_ts_payload *p)
{
	struct iked_ts r;
	unsigned int i;

	memset(p, 0, sizeof(*p));
	/* A trap's packet first: the responder can narrow to it (§2.9). */
	if (first)
		child_ts_to_wire(first, &p->ts[p->n_ts++]);
	for (i = 0; i < n && p->n_ts < IKE_MSG_MAX_TS; i++) {
		child_resolve(&ts[i], addr, &r);
		child_ts_to_wire(&r, &p->ts[p->n_ts++]);
	}
}

static void child_ts_list(const struct iked_ts *ts, unsigned int n, struct ike_ts_payload *p)
{
	unsigned int i;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < n && p->n_ts < IKE_MSG_MAX_TS; i++)
		child_ts_to_wire(&ts[i], &p->ts[p->n_ts++]);
}

/**
 * ike_child_add_offer - an initiator's child: [USE_TRANSPORT_MODE], SA,
 *	TSi, TSr (in CREATE_CHILD_SA the caller adds Nonce and KE between)
 * @sa: the IKE SA
 * @b: the inner chain being built
 * @cfg: the child
 * @spi: our inbound SPI for it
 * @pfs: offer the key exchange methods too
 * @old: a child being rekeyed, whose selectors are offered again; or NULL
 *	for the configured ones (and a trap's flow first)
 * @between: called after SA and before the selectors (Nonce, KE), or NULL
 * @arg: for @between
 *
 * Return: 0 or a negative errno.
 */
int ike_child_add_offer(struct ike_sa *sa, struct ike_builder *b,
			const struct iked_child_cfg *cfg, uint32_t spi, bool pfs,
			const struct ike_child *old,
			int (*between)(struct ike_builder *b, void *arg), void *arg)
{
	struct ike_prop props[IKED_MAX_PROPS];
	struct ike_sa_payload sap;
	struct ike_ts_payload tsi, tsr;
	struct ike_notify n = { .type = IKEV2_N_USE_TRANSPORT_MODE };
	char err[256];
	int np, ret = 0;

	np = ike_child_props(cfg, spi, pfs, props, IKED_MAX_PROPS, err, sizeof(err));
	if (np < 0) {
		ike_sa_log(sa, 0, "child %s: %s", cfg->name, err);
		return np;
	}
	ike_props_to_payload(props, np, &sap);
	if (old) {
		child_ts_list(old->ts_local, old->n_local, &tsi);
		child_ts_list(old->ts_remote, old->n_remote, &tsr);
	} else {
		child_ts_payload(cfg->local_ts, cfg->n_local_ts, &sa->local,
				 sa->has_pending_ts ? &sa->pending_ts : NULL, &tsi);
		child_ts_payload(cfg->remote_ts, cfg->n_remote_ts, &sa->remote,
				 sa->has_pending_ts ? &sa->pending_ts_dst : NULL, &tsr);
	}
	if (old ? old->mode == VEIL_MODE_TRANSPORT : cfg->mode == IKED_MODE_TRANSPORT)
		ret = ike_msg_add_notify(b, &n);
	ret = ret ?: ike_msg_add_sa(b, &sap);
	if (!ret && between)
		ret = between(b, arg);
	ret = ret ?: ike_msg_add_ts(b, IKEV2_PL_TSI, &tsi);
	ret = ret ?: ike_msg_add_ts(b, IKEV2_PL_TSR, &tsr);
	return ret ? -ENOSPC : 0;
}

/**
 * ike_child_parts - a child's payloads in a message: SA, TSi, TSr, Nonce,
 *	KE, and its notifications (USE_TRANSPORT_MODE, REKEY_SA, errors)
 * @in: the message's inner payloads
 * @response: whether it is a response (one proposal, numbered as offered)
 * @p: filled in
 *
 * Return: 0, or -EBADMSG when a payload is malformed.
 */
int ike_child_parts(const struct ike_chain *in, bool response, struct ike_child_parts *p)
{
	const struct ike_payload *pl;
	struct ike_msg_err e;
	struct ike_notify n;
	size_t i;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < in->n; i++) {
		pl = &in->pl[i];
		switch (pl->type) {
		case IKEV2_PL_SA:
			if (ike_msg_parse_sa(pl->body, pl->len, response, &p->sa, &e))
				return -EBADMSG;
			p->has_sa = true;
			break;
		case IKEV2_PL_TSI:
			if (ike_msg_parse_ts(pl->body, pl->len, &p->tsi, &e))
				return -EBADMSG;
			p->has_tsi = true;
			break;
		case IKEV2_PL_TSR:
			if (ike_msg_parse_ts(pl->body, pl->len, &p->tsr, &e))
				return -EBADMSG;
			p->has_tsr = true;
			break;
		case IKEV2_PL_NONCE:
			if (ike_msg_parse_nonce(pl->body, pl->len, &p->nonce, &e))
				return -EBADMSG;
			p->has_nonce = true;
			break;
		case IKEV2_PL_KE:
			if (ike_msg_parse_ke(pl->body, pl->len, &p->ke, &e))
				return -EBADMSG;
			p->has_ke = true;
			break;
		case IKEV2_PL_NOTIFY:
			if (ike_msg_parse_notify(pl->body, pl->len, &n, &e))
				return -EBADMSG;
			if (n.type == IKEV2_N_USE_TRANSPORT_MODE) {
				p->transport = true;
			} else if (n.type == IKEV2_N_REKEY_SA) {
				if (n.spi_size != 4)
					return -EBADMSG;
				p->rekey = true;
				p->rekey_proto = n.proto;
				memcpy(&p->rekey_spi, n.spi, 4);
				p->rekey_spi = ntohl(p->rekey_spi);
			} else if (n.type <= IKEV2_N_ERROR_MAX && !p->error) {
				p->error = n.type;
				p->error_data = n.data;
				p->error_len = n.len;
			}
			break;
		}
	}
	return 0;
}

/*
 * The responder's narrowing: every non-empty intersection of what was
 * proposed with what is configured, in the proposal's order (§2.9).
 */
static unsigned int child_narrow(const struct ike_ts_payload *offered, const struct iked_ts *conf,
				 unsigned int nconf, const struct sockaddr_storage *addr,
				 struct iked_ts *out)
{
	struct iked_ts o, c, r;
	unsigned int i, j, n = 0, k;
	bool dup;

	for (i = 0; i < offered->n_ts; i++) {
		if (!child_ts_from_wire(&offered->ts[i], &o))
			continue;
		for (j = 0; j < nconf && n < IKED_CHILD_TS; j++) {
			child_resolve(&conf[j], addr, &c);
			if (!iked_ts_intersect(&o, &c, &r))
				continue;
			for (dup = false, k = 0; k < n && !dup; k++)
				dup = iked_ts_contains(&out[k], &r);
			if (!dup)
				out[n++] = r;
		}
	}
	return n;
}

/**
 * ike_child_alloc - a child on @sa, not installed yet
 * @sa: its IKE SA
 * @cfg: its configuration
 *
 * Return: the child, or NULL.
 */
struct ike_child *ike_child_alloc(struct ike_sa *sa, const struct iked_child_cfg *cfg)
{
	struct ike_child *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->cfg = cfg;
	c->reqid = cfg->reqid;
	c->proto = child_proto(cfg) == IKEV2_PROTO_AH ? VEIL_PROTO_AH : VEIL_PROTO_ESP;
	/*
	 * ESP goes in UDP when there is a NAT (or encap asks for it), not
	 * merely because IKE is on port 4500: strongSwan moves there for
	 * MOBIKE's sake with no NAT at all, and keeps its ESP plain.
	 */
	c->encap = sa->nat_local || sa->nat_remote || sa->conn->encap;
	c->next = sa->children;
	sa->children = c;
	return c;
}

/* Unlinks @c from @sa and frees it (uninstall it first). */
void ike_child_release(struct ike_sa *sa, struct ike_child *c)
{
	struct ike_child **pp;

	for (pp = &sa->children; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	if (c->keymat) {
		OPENSSL_cleanse(c->keymat, c->keymat_len);
		free(c->keymat);
	}
	OPENSSL_cleanse(c, sizeof(*c));
	free(c);
}

/**
 * ike_child_make - derive a child's keys and install it
 * @sa: its IKE SA
 * @c: the child, negotiated
 * @gir: the exchange's new shared secret (PFS), or NULL
 * @girlen: its length
 * @ni: the exchange initiator's nonce
 * @nilen: its length
 * @nr: the responder's
 * @nrlen: its length
 *
 * Return: 0 or a negative errno (logged).
 */
int ike_child_make(struct ike_sa *sa, struct ike_child *c, const uint8_t *gir, size_t girlen,
		   const uint8_t *ni, size_t nilen, const uint8_t *nr, size_t nrlen)
{
	size_t len = ike_prop_child_keymat_len(&c->chosen);
	uint8_t *keymat = len ? malloc(len) : NULL;
	int ret = -ENOMEM;

	/* §2.8.1 compares the lowest nonces of simultaneous rekeys */
	if (nilen && nrlen) {
		bool ni_low = memcmp(ni, nr, nilen < nrlen ? nilen : nrlen) < 0 ||
			      (!memcmp(ni, nr, nilen < nrlen ? nilen : nrlen) && nilen < nrlen);

		c->lo_len = ni_low ? nilen : nrlen;
		memcpy(c->lo_nonce, ni_low ? ni : nr, c->lo_len);
	}
	if (keymat) {
		ret = ike_sk_child_keymat(sa->sk, gir, girlen, ni, nilen, nr, nrlen, keymat, len);
		if (!ret)
			ret = ike_child_install(sa, c, keymat);
		OPENSSL_cleanse(keymat, len);
		free(keymat);
	}
	return ret;
}

/**
 * ike_child_choose - the responder's choice for a proposed child
 * @sa: the IKE SA
 * @p: what the initiator sent
 * @only: the child configuration to use (a rekey), or NULL to find one
 *	whose selectors and proposals fit
 * @pfs: a key exchange may be part of the proposal (CREATE_CHILD_SA)
 * @c: filled with the configuration, proposal, peer's SPI, mode and
 *	narrowed selectors
 * @notify: the error to answer with, when there is no choice
 *
 * Return: 0 with @c filled, or -EPERM with @notify set.
 */
int ike_child_choose(struct ike_sa *sa, const struct ike_child_parts *p,
		     const struct iked_child_cfg *only, bool pfs, struct ike_child *c,
		     uint16_t *notify)
{
	struct ike_prop conf[IKED_MAX_PROPS], offered[IKED_MAX_PROPS], chosen;
	struct iked_ts tsi[IKED_CHILD_TS], tsr[IKED_CHILD_TS];
	const struct iked_child_cfg *cfg = NULL;
	unsigned int i, ni = 0, nr = 0;
	size_t noff;
	char err[256];
	int nconf;

	*notify = 0;
	if (!p->has_sa || !p->has_tsi || !p->has_tsr) {
		*notify = IKEV2_N_INVALID_SYNTAX;
		return -EPERM;
	}
	ike_props_from_payload(&p->sa, offered, IKED_MAX_PROPS, &noff);
	for (i = 0; i < sa->conn->n_children; i++) {
		const struct iked_child_cfg *cc = &sa->conn->children[i];

		if (only && cc != only)
			continue;
		ni = child_narrow(&p->tsi, cc->remote_ts, cc->n_remote_ts, &sa->remote, tsi);
		nr = child_narrow(&p->tsr, cc->local_ts, cc->n_local_ts, &sa->local, tsr);
		if (!ni || !nr) {
			*notify = IKEV2_N_TS_UNACCEPTABLE;
			continue;
		}
		nconf = ike_child_props(cc, 0, pfs, conf, IKED_MAX_PROPS, err, sizeof(err));
		if (nconf <= 0 || ike_prop_select_ke(conf, nconf, offered, noff,
						     p->has_ke ? p->ke.group : 0, &chosen) < 0) {
			*notify = IKEV2_N_NO_PROPOSAL_CHOSEN;
			continue;
		}
		cfg = cc;
		break;
	}
	if (!cfg) {
		if (!*notify)
			*notify = IKEV2_N_TS_UNACCEPTABLE;
		ike_sa_log(sa, 0, "no child configuration takes the initiator's: %s",
			   ike_msg_notify_name(*notify));
		return -EPERM;
	}
	if (chosen.spi_len != 4) {
		*notify = IKEV2_N_INVALID_SYNTAX;
		return -EPERM;
	}
	c->cfg = cfg;
	c->reqid = cfg->reqid;
	c->chosen = chosen;
	memcpy(&c->spi_out, chosen.spi, 4);
	c->spi_out = ntohl(c->spi_out);
	c->mode = p->transport && cfg->mode == IKED_MODE_TRANSPORT ? VEIL_MODE_TRANSPORT :
		  VEIL_MODE_TUNNEL;
	memcpy(c->ts_remote, tsi, ni * sizeof(tsi[0]));
	c->n_remote = ni;
	memcpy(c->ts_local, tsr, nr * sizeof(tsr[0]));
	c->n_local = nr;
	return 0;
}

/**
 * ike_child_add_answer - the responder's child payloads: [USE_TRANSPORT_MODE],
 *	SA (with our SPI), TSi, TSr
 * @out: the response being built
 * @c: the chosen child
 * @between: called after SA, before the selectors (Nr, KEr), or NULL
 * @arg: for @between
 *
 * Return: 0 or -ENOSPC.
 */
int ike_child_add_answer(struct ike_builder *out, const struct ike_child *c,
			 int (*between)(struct ike_builder *b, void *arg), void *arg)
{
	struct ike_notify tm = { .type = IKEV2_N_USE_TRANSPORT_MODE };
	struct ike_prop chosen = c->chosen;
	struct ike_ts_payload pi, pr;
	struct ike_sa_payload sap;
	uint32_t spi = htonl(c->spi_in);
	unsigned int i;
	int ret;

	memcpy(chosen.spi, &spi, 4);
	ike_props_to_payload(&chosen, 1, &sap);
	memset(&pi, 0, sizeof(pi));
	memset(&pr, 0, sizeof(pr));
	for (i = 0; i < c->n_remote; i++)
		child_ts_to_wire(&c->ts_remote[i], &pi.ts[pi.n_ts++]);
	for (i = 0; i < c->n_local; i++)
		child_ts_to_wire(&c->ts_local[i], &pr.ts[pr.n_ts++]);
	ret = c->mode == VEIL_MODE_TRANSPORT ? ike_msg_add_notify(out, &tm) : 0;
	ret = ret ?: ike_msg_add_sa(out, &sap);
	if (!ret && between)
		ret = between(out, arg);
	return ret ?: ike_msg_add_ts(out, IKEV2_PL_TSI, &pi) ?: ike_msg_add_ts(out, IKEV2_PL_TSR, &pr);
}

/**
 * ike_child_accept - the responder's side of IKE_AUTH's child
 * @sa: the IKE SA
 * @in: the request's inner payloads
 * @out: the response being built: the child's payloads are added
 * @notify: set to the error notification to send instead, or 0
 *
 * The IKE SA stands whatever happens to the child (RFC 7296 §1.2): a child
 * that cannot be made is answered with @notify.
 *
 * Return: 0, or a negative errno when @out has no room.
 */
int ike_child_accept(struct ike_sa *sa, const struct ike_chain *in, struct ike_builder *out,
		     uint16_t *notify)
{
	struct ike_child_parts p;
	struct ike_child *c, tmp = { 0 };

	*notify = 0;
	if (ike_child_parts(in, false, &p)) {
		*notify = IKEV2_N_INVALID_SYNTAX;
		return 0;
	}
	if (!p.has_sa && !p.has_tsi && !p.has_tsr)
		return 0;	/* no child asked for (RFC 6023) */
	if (ike_child_choose(sa, &p, NULL, false, &tmp, notify))
		return 0;
	c = ike_child_alloc(sa, tmp.cfg);
	if (!c) {
		*notify = IKEV2_N_TEMPORARY_FAILURE;
		return 0;
	}
	tmp.next = c->next;
	tmp.proto = c->proto;
	tmp.encap = c->encap;
	*c = tmp;
	c->spi_in = ike_child_spi();
	c->initiated = false;
	if (!c->spi_in || ike_child_make(sa, c, NULL, 0, sa->ni, sa->ni_len, sa->nr, sa->nr_len)) {
		ike_child_release(sa, c);
		*notify = IKEV2_N_TEMPORARY_FAILURE;
		return 0;
	}
	return ike_child_add_answer(out, c, NULL, NULL) ? -ENOSPC : 0;
}

/**
 * ike_child_confirm - the initiator's side: the responder's answer for the
 *	child it offered
 * @sa: the IKE SA
 * @in: the response's inner payloads
 * @cfg: the child configuration offered
 * @spi: our inbound SPI offered for it
 * @gir: the exchange's new shared secret (PFS), or NULL
 * @girlen: its length
 * @ni: our nonce in the exchange
 * @nilen: its length
 * @nr: the responder's
 * @nrlen: its length
 * @out: set to the new child, when there is one
 *
 * Return: 0 when the child is installed, else a negative errno (logged;
 * the IKE SA stands).
 */
int ike_child_confirm(struct ike_sa *sa, const struct ike_chain *in,
		      const struct iked_child_cfg *cfg, uint32_t spi, const uint8_t *gir,
		      size_t girlen, const uint8_t *ni, size_t nilen, const uint8_t *nr,
		      size_t nrlen, struct ike_child **out)
{
	struct ike_prop offered[IKED_MAX_PROPS], got[IKED_MAX_PROPS];
	struct ike_child_parts p;
	struct ike_child *c;
	struct iked_ts t;
	unsigned int i;
	size_t ngot;
	char err[256];
	int np;

	if (out)
		*out = NULL;
	if (ike_child_parts(in, true, &p)) {
		ike_sa_log(sa, 0, "child %s: malformed answer", cfg->name);
		return -EBADMSG;
	}
	if (p.error || !p.has_sa || !p.has_tsi || !p.has_tsr) {
		ike_sa_log(sa, 0, "child %s refused by the peer: %s", cfg->name,
			   p.error ? ike_msg_notify_name(p.error) : "no SA or selectors");
		return -EPERM;
	}
	np = ike_child_props(cfg, spi, gir != NULL, offered, IKED_MAX_PROPS, err, sizeof(err));
	ike_props_from_payload(&p.sa, got, IKED_MAX_PROPS, &ngot);
	if (np <= 0 || ngot != 1 || ike_prop_check_chosen(offered, np, &got[0]) < 0 ||
	    got[0].spi_len != 4) {
		ike_sa_log(sa, 0, "child %s: the peer chose a proposal we did not offer", cfg->name);
		return -EPERM;
	}
	c = ike_child_alloc(sa, cfg);
	if (!c)
		return -ENOMEM;
	c->chosen = got[0];
	memcpy(&c->spi_out, got[0].spi, 4);
	c->spi_out = ntohl(c->spi_out);
	c->spi_in = spi;
	c->initiated = true;
	c->mode = p.transport ? VEIL_MODE_TRANSPORT : VEIL_MODE_TUNNEL;
	if (c->mode == VEIL_MODE_TUNNEL && cfg->mode == IKED_MODE_TRANSPORT)
		ike_sa_log(sa, 1, "child %s: the peer wants tunnel mode", cfg->name);
	for (i = 0; i < p.tsi.n_ts && c->n_local < IKED_CHILD_TS; i++)
		if (child_ts_from_wire(&p.tsi.ts[i], &t))
			c->ts_local[c->n_local++] = t;
	for (i = 0; i < p.tsr.n_ts && c->n_remote < IKED_CHILD_TS; i++)
		if (child_ts_from_wire(&p.tsr.ts[i], &t))
			c->ts_remote[c->n_remote++] = t;
	if (!c->n_local || !c->n_remote) {
		ike_sa_log(sa, 0, "child %s: no usable traffic selectors", cfg->name);
		ike_child_release(sa, c);
		return -EPERM;
	}
	if (ike_child_make(sa, c, gir, girlen, ni, nilen, nr, nrlen)) {
		ike_child_release(sa, c);
		return -EIO;
	}
	if (out)
		*out = c;
	return 0;
}

/**
 * ike_child_peer - where a child's outbound SA went
 * @sa: its IKE SA
 * @c: the child
 *
 * Return: the peer's address then (veil.ko knows the SA by it), which may
 * differ from @sa's now: the peer may have moved behind its NAT.
 */
const struct sockaddr_storage *ike_child_peer(const struct ike_sa *sa, const struct ike_child *c)
{
	return c->peer.ss_family ? &c->peer : &sa->remote;
}

/*
 * One direction's SA; @inbound picks addresses, SPI, keys and ports;
 * @update replaces the one veil.ko has (sa-update); @oseq is where the
 * sequence numbers of a new outbound SA start.
 */
static int child_sa(struct ike_sa *sa, struct ike_child *c, const uint8_t *keymat, bool inbound,
		    bool update, uint64_t oseq, char *err, size_t errlen)
{
	const struct ike_prop_transform *et = ike_prop_get(&c->chosen, IKEV2_TRANS_ENCR);
	const struct ike_prop_transform *it = ike_prop_get(&c->chosen, IKEV2_TRANS_INTEG);
	const struct ike_prop_transform *esn = ike_prop_get(&c->chosen, IKEV2_TRANS_ESN);
	const struct ike_prop_alg *ea = et ? ike_prop_alg_of(et) : NULL;
	const struct ike_prop_alg *ia = it && it->id ? ike_prop_alg_of(it) : NULL;
	const struct iked_child_cfg *cfg = c->cfg;
	const struct sockaddr_storage *src = inbound ? &sa->remote : &sa->local;
	const struct sockaddr_storage *dst = inbound ? &sa->local : &sa->remote;
	size_t elen = ike_prop_alg_keymat_len(ea), ilen = ike_prop_alg_keymat_len(ia);
	/* KEYMAT: the exchange initiator's outbound keys first (§2.17) */
	bool i2r = inbound != c->initiated;
	const uint8_t *k = keymat + (i2r ? 0 : elen + ilen);
	struct iked_kernel_sa ks = { 0 };
	uint64_t now;
	uint32_t r = 0;
	int ret;

	if ((et && (!ea || !ea->kernel)) || (it && it->id && (!ia || !ia->kernel))) {
		snprintf(err, errlen, "an algorithm veil.ko does not have");
		return -ENOTSUP;
	}
	ks.family = src->ss_family;
	memcpy(ks.src, iked_addr_bytes(src), iked_addr_len(ks.family));
	memcpy(ks.dst, iked_addr_bytes(dst), iked_addr_len(ks.family));
	ks.proto = c->proto;
	ks.spi = inbound ? c->spi_in : c->spi_out;
	ks.mode = c->mode;
	ks.reqid = c->reqid;
	ks.if_id = inbound ? cfg->if_id_in : cfg->if_id_out;
	ks.replay_window = inbound ? cfg->replay_window : 0;
	ks.esn = esn && esn->id == IKEV2_ESN_YES;
	/* IPv4 AH as RFC 4302 pads it, and strongSwan sends and expects it */
	ks.align4 = c->proto == VEIL_PROTO_AH && ks.family == AF_INET;
	if (ea) {
		ks.aead = ea->flags & IKE_PROP_ALG_AEAD;
		ks.enc_alg = ea->kernel;
		ks.enc_key = k;
		ks.enc_keylen = elen;
		ks.icv_bits = ea->kernel_icv_bits;
	}
	if (ia) {
		ks.auth_alg = ia->kernel;
		ks.auth_key = k + elen;
		ks.auth_keylen = ilen;
		ks.trunc_bits = ia->kernel_icv_bits;
	}
	/* Soft limits a little early and at random, so that both ends do not rekey at once. */
	if (cfg->rand_time)
		ike_crypto_random(&r, sizeof(r));
	ks.soft_secs = cfg->rekey_time ? cfg->rekey_time - (cfg->rand_time ?
							     r % cfg->rand_time : 0) : 0;
	ks.hard_secs = cfg->life_time;
	/*
	 * An SA that takes an installed one's place (an update, which keeps
	 * the add time, or a move) keeps the child's rekey and expiry times.
	 */
	if (update || oseq) {
		uint64_t base = update ? c->installed_at : (uint64_t)time(NULL);

		if (c->rekey_at)
			ks.soft_secs = c->rekey_at > base + 1 ? c->rekey_at - base : 1;
		if (c->expire_at)
			ks.hard_secs = c->expire_at > base + 1 ? c->expire_at - base : 1;
	}
	/* For `veil ike list`: when the first of the two SAs will want a rekey. */
	now = time(NULL);
	if (!c->installed_at)
		c->installed_at = now;
	if (ks.soft_secs && (!c->rekey_at || now + ks.soft_secs < c->rekey_at))
		c->rekey_at = now + ks.soft_secs;
	if (ks.hard_secs && !c->expire_at)
		c->expire_at = now + ks.hard_secs;
	ks.soft_bytes = cfg->rekey_bytes;
	ks.hard_bytes = cfg->life_bytes;
	ks.soft_packets = cfg->rekey_packets;
	ks.hard_packets = cfg->life_packets;
	if (c->encap) {
		ks.encap = true;
		ks.encap_sport = iked_addr_port(src);
		ks.encap_dport = iked_addr_port(dst);
		if (inbound && c->has_oaddr && c->mode == VEIL_MODE_TRANSPORT)
			ks.oaddr = c->oaddr;
	}
	ks.update = update;
	ks.oseq = oseq;
	ret = iked_kernel_sa_add(&sa->d->kernel, &ks, err, errlen);
	if (!ret && !inbound)
		c->peer = *dst;
	return ret;
}

static uint32_t child_prio(const struct iked_ts *a, const struct iked_ts *b)
{
	int pa = 0, pb = 0;

	iked_ts_to_prefix(a, &pa);
	iked_ts_to_prefix(b, &pb);
	/* More specific selectors win: lower is preferred. */
	return CHILD_PRIO_BASE + 2 * 128 - pa - pb + (a->proto || b->proto ? 0 : 1);
}

/* The three policies (out, in, fwd) of one selector pair. */
static int child_policies(struct ike_sa *sa, const struct iked_child_cfg *cfg, uint32_t reqid,
			  uint8_t proto, uint8_t mode, const struct iked_ts *l,
			  const struct iked_ts *r, const struct sockaddr_storage *local,
			  const struct sockaddr_storage *remote, bool install, char *err,
			  size_t errlen)
{
	static const uint8_t dirs[] = { VEIL_DIR_OUT, VEIL_DIR_IN, VEIL_DIR_FWD };
	struct iked_kernel *k = &sa->d->kernel;
	struct iked_kernel_policy p;
	unsigned int i;
	int ret = 0;

	for (i = 0; i < 3; i++) {
		if (dirs[i] == VEIL_DIR_FWD && mode != VEIL_MODE_TUNNEL)
			continue;
		memset(&p, 0, sizeof(p));
		p.dir = dirs[i];
		p.src = dirs[i] == VEIL_DIR_OUT ? *l : *r;
		p.dst = dirs[i] == VEIL_DIR_OUT ? *r : *l;
		p.priority = child_prio(l, r);
		p.if_id = dirs[i] == VEIL_DIR_OUT ? cfg->if_id_out : cfg->if_id_in;
		p.family = local->ss_family;
		memcpy(p.tmpl_src, iked_addr_bytes(dirs[i] == VEIL_DIR_OUT ? local : remote),
		       iked_addr_len(p.family));
		memcpy(p.tmpl_dst, iked_addr_bytes(dirs[i] == VEIL_DIR_OUT ? remote : local),
		       iked_addr_len(p.family));
		p.proto = proto;
		p.mode = mode;
		p.reqid = reqid;
		ret = install ? iked_kernel_policy_add(k, &p, err, errlen) :
			      iked_kernel_policy_del(k, &p, err, errlen);
		if (ret && (install || ret != -ENOENT))
			return ret;
	}
	return 0;
}

static bool child_ts_equal(const struct iked_ts *a, const struct iked_ts *b)
{
	return iked_ts_contains(a, b) && iked_ts_contains(b, a);
}

/* Whether (l, r) is one of @cfg's installed trap's selector pairs, which stay. */
static bool child_is_trap(const struct ike_sa *sa, const struct iked_child_cfg *cfg,
			  const struct iked_ts *l, const struct iked_ts *r)
{
	struct iked_ts cl, cr;
	unsigned int i, j;

	if (!cfg->trapped)
		return false;
	for (i = 0; i < cfg->n_local_ts; i++) {
		child_resolve(&cfg->local_ts[i], &sa->local, &cl);
		for (j = 0; j < cfg->n_remote_ts; j++) {
			child_resolve(&cfg->remote_ts[j], &sa->remote, &cr);
			if (child_ts_equal(&cl, l) && child_ts_equal(&cr, r))
				return true;
		}
	}
	return false;
}

/**
 * ike_child_install - put a negotiated child into veil.ko
 * @sa: its IKE SA
 * @c: the child, with its proposal, SPIs, mode and selectors
 * @keymat: its KEYMAT
 *
 * The inbound SA goes first, so that the peer's first protected packet
 * finds it; then the outbound SA; then the policies, which replace a trap
 * with the same selectors without a moment unprotected (policy-update).
 *
 * Return: 0, or a negative errno (logged; what was installed is removed).
 */
int ike_child_install(struct ike_sa *sa, struct ike_child *c, const uint8_t *keymat)
{
	size_t len = ike_prop_child_keymat_len(&c->chosen);
	char err[256], l[96], r[96];
	unsigned int i, j;
	int ret;

	/* Kept: a deferred outbound SA, and ike_child_follow(), need it again. */
	c->keymat = malloc(len);
	if (!c->keymat) {
		ike_sa_log(sa, 0, "child %s: installing: %s", c->cfg->name, strerror(ENOMEM));
		return -ENOMEM;
	}
	memcpy(c->keymat, keymat, len);
	c->keymat_len = len;
	ret = child_sa(sa, c, keymat, true, false, 0, err, sizeof(err));
	/* A deferred outbound SA waits until the old child goes. */
	if (!ret && !c->defer_out)
		ret = child_sa(sa, c, keymat, false, false, 0, err, sizeof(err));
	if (ret)
		iked_kernel_sa_del(&sa->d->kernel, sa->local.ss_family, iked_addr_bytes(&sa->local),
				   c->proto, c->spi_in, l, sizeof(l));
	for (i = 0; !ret && i < c->n_local; i++)
		for (j = 0; !ret && j < c->n_remote; j++)
			ret = child_policies(sa, c->cfg, c->reqid, c->proto, c->mode,
					     &c->ts_local[i], &c->ts_remote[j], &sa->local,
					     &sa->remote, true, err, sizeof(err));
	if (ret) {
		ike_sa_log(sa, 0, "child %s: installing: %s", c->cfg->name, err);
		c->installed = true;
		ike_child_uninstall(sa, c);
		return ret;
	}
	c->installed = true;
	iked_ts_format(&c->ts_local[0], l, sizeof(l));
	iked_ts_format(&c->ts_remote[0], r, sizeof(r));
	ike_sa_log(sa, 0, "child %s established: SPIs %08x_i %08x_o, %s%s === %s%s (%s%s)",
		   c->cfg->name, c->spi_in, c->spi_out, l, c->n_local > 1 ? " ..." : "", r,
		   c->n_remote > 1 ? " ..." : "",
		   c->mode == VEIL_MODE_TUNNEL ? "tunnel" : "transport",
		   c->defer_out ? ", outbound once the old child goes" : "");
	return 0;
}

/**
 * ike_child_install_out - install a rekey responder's deferred outbound SA
 * @sa: its IKE SA
 * @c: the successor child
 *
 * The responder to a rekey holds its new outbound SA back until the old
 * child goes: the initiator has the new inbound SA only once it has our
 * answer, and veil.ko would send on the newest SA at once (charon does
 * the same).
 */
void ike_child_install_out(struct ike_sa *sa, struct ike_child *c)
{
	char err[256];

	if (!c->defer_out || !c->keymat)
		return;
	c->defer_out = false;
	if (c->installed && child_sa(sa, c, c->keymat, false, false, 0, err, sizeof(err)))
		ike_sa_log(sa, 0, "child %s: outbound SA: %s", c->cfg->name, err);
	else
		ike_sa_log(sa, 1, "child %s: outbound SA %08x in", c->cfg->name, c->spi_out);
}

/*
 * Sequence numbers skipped when a child's outbound SA moves to the peer's
 * new address: what the old SA may still send between our reading its
 * number and its policies' moving to the new one (a few milliseconds).
 * The peer's SA is the same, and its window must not see a number twice.
 */
#define CHILD_MOVE_SEQ_GAP 65536

/*
 * A tunnel-mode child whose peer's address changed behind its NAT: a new
 * outbound SA to the new address, its sequence numbers on from the old
 * one's, the inbound SA's and the templates' peer moved, the old SA gone.
 */
static int child_move(struct ike_sa *sa, struct ike_child *c, char *err, size_t errlen)
{
	struct iked_kernel *k = &sa->d->kernel;
	struct sockaddr_storage old = *ike_child_peer(sa, c);
	struct iked_kernel_sa_state st;
	unsigned int i, j;
	int ret;

	ret = iked_kernel_sa_state(k, old.ss_family, iked_addr_bytes(&old), c->proto, c->spi_out,
				   &st);
	if (ret) {
		snprintf(err, errlen, "SA %08x: %s", c->spi_out, strerror(-ret));
		return ret;
	}
	ret = child_sa(sa, c, c->keymat, false, false, st.oseq + CHILD_MOVE_SEQ_GAP, err, errlen);
	if (!ret)
		ret = child_sa(sa, c, c->keymat, true, true, 0, err, errlen);
	for (i = 0; !ret && i < c->n_local; i++)
		for (j = 0; !ret && j < c->n_remote; j++)
			ret = child_policies(sa, c->cfg, c->reqid, c->proto, c->mode,
					     &c->ts_local[i], &c->ts_remote[j], &sa->local,
					     &sa->remote, true, err, errlen);
	if (!ret)
		iked_kernel_sa_del(k, old.ss_family, iked_addr_bytes(&old), c->proto, c->spi_out,
				   err, errlen);
	return ret;
}

/**
 * ike_child_follow - move the children's SAs to where the peer's NAT now
 *	maps it
 * @sa: the IKE SA, whose remote address or port just changed (RFC 7296
 *	§2.23: a NAT mapping that changed shows in an authenticated message)
 *
 * When only the port changed, each UDP-encapsulated outbound SA is
 * replaced (sa-update) by the same SA with the new destination port;
 * veil.ko carries its sequence numbers over, so the peer's replay window
 * takes the packets that follow. When the address changed, a tunnel-mode
 * child moves whole (child_move()); a transport-mode child's selectors
 * are the old address, and it stays as it is until it is rekeyed. An SA
 * that is not there (a deferred or dropped one) is left alone.
 */
void ike_child_follow(struct ike_sa *sa)
{
	struct ike_child *c;
	char err[256], a[64];
	bool moved;
	int ret;

	for (c = sa->children; c; c = c->next) {
		if (!c->installed || !c->encap || c->defer_out || !c->keymat)
			continue;
		moved = !iked_addr_equal(ike_child_peer(sa, c), &sa->remote, false);
		if (moved && c->mode != VEIL_MODE_TUNNEL) {
			ike_sa_log(sa, 0, "child %s: transport mode: it keeps the peer's old "
				   "address until it is rekeyed", c->cfg->name);
			continue;
		}
		ret = moved ? child_move(sa, c, err, sizeof(err)) :
			      child_sa(sa, c, c->keymat, false, true, 0, err, sizeof(err));
		if (!ret)
			ike_sa_log(sa, moved ? 0 : 1, "child %s: outbound SA %08x now to %s",
				   c->cfg->name, c->spi_out,
				   iked_addr_str(&sa->remote, a, sizeof(a)));
		else if (ret != -ENOENT)
			ike_sa_log(sa, 0, "child %s: following the peer: %s", c->cfg->name, err);
	}
}

/*
 * Whether another installed child of the same reqid has the selector pair
 * (@l, @r): a rekey's successor shares its predecessor's policies, which
 * must stay when the predecessor goes.
 */
static bool child_policy_shared(struct iked *d, const struct ike_child *c, uint32_t reqid,
				const struct iked_ts *l, const struct iked_ts *r)
{
	const struct ike_child *o;
	const struct ike_sa *sa;
	unsigned int b, i, j;

	for (b = 0; b < IKED_SA_HASH; b++)
		for (sa = d->sas[b]; sa; sa = sa->hnext)
			for (o = sa->children; o; o = o->next) {
				if (o == c || !o->installed || o->reqid != reqid)
					continue;
				for (i = 0; i < o->n_local; i++)
					for (j = 0; j < o->n_remote; j++)
						if (child_ts_equal(&o->ts_local[i], l) &&
						    child_ts_equal(&o->ts_remote[j], r))
							return true;
			}
	return false;
}

/**
 * ike_child_drop_out - stop sending on a child that is about to be deleted
 * @sa: its IKE SA
 * @c: the child
 *
 * For the redundant child of a simultaneous rekey: being the newest of its
 * reqid, it is what veil.ko sends on, and a packet sent on it after our
 * Delete reaches the peer after the Delete, when its inbound SA is gone.
 * Without its outbound SA, traffic moves to the peer's child at once; its
 * inbound SA stays for what the peer sent before it saw the Delete.
 */
void ike_child_drop_out(struct ike_sa *sa, struct ike_child *c)
{
	char err[256];
	int ret;

	ret = iked_kernel_sa_del(&sa->d->kernel, sa->local.ss_family,
				 iked_addr_bytes(ike_child_peer(sa, c)), c->proto, c->spi_out, err,
				 sizeof(err));
	if (ret && ret != -ENOENT)
		ike_sa_log(sa, 1, "child %s: %s", c->cfg->name, err);
}

/**
 * ike_child_uninstall - take a child's SAs (and its policies, unless they
 *	are a trap that stays) out of veil.ko
 * @sa: its IKE SA
 * @c: the child
 */
void ike_child_uninstall(struct ike_sa *sa, struct ike_child *c)
{
	struct iked_kernel *k = &sa->d->kernel;
	char err[256];
	unsigned int i, j;
	int ret;

	if (c->successor) {
		struct ike_child *next = ike_child_by_spi_in(sa, c->successor);

		if (next)
			ike_child_install_out(sa, next);
		c->successor = 0;
	}
	if (c->keymat) {
		OPENSSL_cleanse(c->keymat, c->keymat_len);
		free(c->keymat);
		c->keymat = NULL;
	}
	if (!c->installed)
		return;
	c->installed = false;
	for (i = 0; i < c->n_local; i++) {
		for (j = 0; j < c->n_remote; j++) {
			if (child_is_trap(sa, c->cfg, &c->ts_local[i], &c->ts_remote[j]) ||
			    child_policy_shared(sa->d, c, c->reqid, &c->ts_local[i],
						&c->ts_remote[j]))
				continue;
			ret = child_policies(sa, c->cfg, c->reqid, c->proto, c->mode,
					     &c->ts_local[i], &c->ts_remote[j], &sa->local,
					     &sa->remote, false, err, sizeof(err));
			if (ret)
				ike_sa_log(sa, 1, "child %s: %s", c->cfg->name, err);
		}
	}
	ret = iked_kernel_sa_del(k, sa->local.ss_family, iked_addr_bytes(ike_child_peer(sa, c)),
				 c->proto, c->spi_out, err, sizeof(err));
	if (ret && ret != -ENOENT)
		ike_sa_log(sa, 1, "child %s: %s", c->cfg->name, err);
	ret = iked_kernel_sa_del(k, sa->local.ss_family, iked_addr_bytes(&sa->local), c->proto,
				 c->spi_in, err, sizeof(err));
	if (ret && ret != -ENOENT)
		ike_sa_log(sa, 1, "child %s: %s", c->cfg->name, err);
	ike_sa_log(sa, 1, "child %s closed: SPIs %08x_i %08x_o", c->cfg->name, c->spi_in,
		   c->spi_out);
}

/* The child of @sa whose inbound SPI is @spi. */
struct ike_child *ike_child_by_spi_in(struct ike_sa *sa, uint32_t spi)
{
	struct ike_child *c;

	for (c = sa->children; c; c = c->next)
		if (c->spi_in == spi)
			return c;
	return NULL;
}

/* Every child of @sa leaves veil.ko and is freed. */
void ike_child_free_all(struct ike_sa *sa)
{
	while (sa->children) {
		ike_child_uninstall(sa, sa->children);
		ike_child_release(sa, sa->children);
	}
}

/**
 * ike_child_trap - install (or remove) a child's trap policies
 * @d: the daemon
 * @conn: its connection (whose first local and remote addresses stand for
 *	"dynamic" and make the templates)
 * @cfg: the child
 * @install: install, or remove
 *
 * Return: 0 or a negative errno (logged).
 */
int ike_child_trap(struct iked *d, const struct iked_conn_cfg *conn,
		   const struct iked_child_cfg *cfg, bool install)
{
	struct sockaddr_storage local = { 0 }, remote = { 0 };
	struct ike_sa fake = { .d = d, .conn = conn };
	struct iked_ts l, r;
	unsigned int i, j;
	char err[256];
	int ret;

	if (!conn->n_remote_addrs || !iked_ts_is_host(&conn->remote_addrs[0])) {
		iked_log(IKED_CFG, 0, "%s.%s: a trap needs one remote address", conn->name,
			 cfg->name);
		return -EINVAL;
	}
	remote.ss_family = conn->remote_addrs[0].family;
	memcpy((void *)iked_addr_bytes(&remote), conn->remote_addrs[0].from,
	       iked_addr_len(remote.ss_family));
	if (conn->n_local_addrs && iked_ts_is_host(&conn->local_addrs[0])) {
		local.ss_family = conn->local_addrs[0].family;
		memcpy((void *)iked_addr_bytes(&local), conn->local_addrs[0].from,
		       iked_addr_len(local.ss_family));
	} else {
		iked_addr_set_port(&remote, conn->remote_port);
		if (iked_net_source_for(&remote, &local)) {
			iked_log(IKED_KNL, 0, "%s.%s: no route to the peer", conn->name,
				 cfg->name);
			return -EHOSTUNREACH;
		}
	}
	iked_addr_set_port(&local, conn->local_port);
	iked_addr_set_port(&remote, conn->remote_port);
	/* A transport-mode trap covers IKE between the two hosts: bypass it. */
	if (cfg->mode == IKED_MODE_TRANSPORT)
		iked_bypass_hold(d, &local, &remote, install);
	fake.local = local;
	fake.remote = remote;
	for (i = 0; i < cfg->n_local_ts; i++) {
		child_resolve(&cfg->local_ts[i], &local, &l);
		for (j = 0; j < cfg->n_remote_ts; j++) {
			child_resolve(&cfg->remote_ts[j], &remote, &r);
			if (l.family != r.family)
				continue;
			/*
			 * A trap a reload takes away may have a child of its
			 * reqid up: the child's policies (the same selectors)
			 * stay until the child goes.
			 */
			if (!install && child_policy_shared(d, NULL, cfg->reqid, &l, &r))
				continue;
			ret = child_policies(&fake, cfg, cfg->reqid,
					     *cfg->ah_proposals ? VEIL_PROTO_AH : VEIL_PROTO_ESP,
					     cfg->mode == IKED_MODE_TRANSPORT ? VEIL_MODE_TRANSPORT :
					     VEIL_MODE_TUNNEL, &l, &r, &local, &remote, install,
					     err, sizeof(err));
			if (ret) {
				iked_log(IKED_KNL, 0, "%s.%s: trap: %s", conn->name, cfg->name,
					 err);
				return ret;
			}
		}
	}
	iked_log(IKED_CFG, 1, "%s.%s: trap %s", conn->name, cfg->name,
		 install ? "installed" : "removed");
	return 0;
}

/* The child configuration a reqid belongs to, and its connection. */
static const struct iked_child_cfg *child_by_reqid(struct iked *d, uint32_t reqid,
						   const struct iked_conn_cfg **conn)
{
	unsigned int i, j;

	for (i = 0; i < d->cfg.n_conns; i++) {
		for (j = 0; j < d->cfg.conns[i].n_children; j++) {
			if (d->cfg.conns[i].children[j].reqid == reqid) {
				*conn = &d->cfg.conns[i];
				return &d->cfg.conns[i].children[j];
			}
		}
	}
	return NULL;
}

/**
 * ike_child_acquire - veil.ko found no SA for a trap's packet
 * @d: the daemon
 * @ev: the acquire
 */
void ike_child_acquire(struct iked *d, const struct iked_kernel_event *ev)
{
	const struct iked_conn_cfg *conn;
	const struct iked_child_cfg *cfg = child_by_reqid(d, ev->reqid, &conn);
	struct ike_sa *sa;

	if (!cfg || d->stop)
		return;		/* not ours (another key manager's policy), or stopping */
	sa = ike_sa_of_conn(d, conn);
	if (sa) {
		/* A further child on the IKE SA there is, once it is up. */
		iked_log(IKED_IKE, 1, "%s.%s: acquire: a child on the IKE SA there is",
			 conn->name, cfg->name);
		ike_sa_queue_child(sa, cfg);
		return;
	}
	iked_log(IKED_IKE, 1, "%s.%s: acquire: initiating", conn->name, cfg->name);
	ike_init_start(d, conn, cfg, &ev->flow, &ev->flow_dst);
}

/**
 * ike_child_expire - an SA of ours reached a lifetime limit
 * @d: the daemon
 * @ev: the expiry
 *
 * A soft limit on either SA of a child rekeys it (CREATE_CHILD_SA); a hard
 * limit means the SA is gone from veil.ko already: the child is deleted,
 * and the peer told. A child that has a successor waits for its Delete.
 */
void ike_child_expire(struct iked *d, const struct iked_kernel_event *ev)
{
	struct ike_child *c;
	struct ike_sa *sa;
	unsigned int b;

	for (b = 0; b < IKED_SA_HASH; b++) {
		for (sa = d->sas[b]; sa; sa = sa->hnext) {
			if (sa->state != IKE_SA_ESTABLISHED)
				continue;
			for (c = sa->children; c; c = c->next) {
				if (c->proto != ev->proto ||
				    (ev->spi != c->spi_in && ev->spi != c->spi_out))
					continue;
				if (ev->hard) {
					ike_sa_log(sa, 1, "child %s: SA %08x reached its hard "
						   "lifetime", c->cfg->name, ev->spi);
					ike_sa_queue(sa, IKE_OP_DELETE_CHILD, c->spi_in);
				} else if (!c->rekeying && !c->rekeyed) {
					ike_sa_log(sa, 1, "child %s: SA %08x reached its soft "
						   "lifetime: rekeying", c->cfg->name, ev->spi);
					ike_sa_queue(sa, IKE_OP_REKEY_CHILD, c->spi_in);
				}
				return;
			}
		}
	}
}

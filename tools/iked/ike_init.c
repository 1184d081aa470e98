// SPDX-License-Identifier: GPL-2.0
/*
 * IKE_SA_INIT (RFC 7296 §1.2): proposals, the key exchange, nonces, NAT
 * detection (§2.23), COOKIEs (§2.6), INVALID_KE_PAYLOAD (§1.2), and the
 * notifications that announce fragmentation (RFC 7383) and signature hash
 * algorithms (RFC 7427).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/crypto.h>

#include "daemon.h"
#include "v1.h"
#include "log.h"

#define INIT_NONCE_LEN	32
#define INIT_MSG_MAX	4096

/* What an IKE_SA_INIT message carries, found in its chain. */
struct init_parts {
	struct ike_sa_payload sa;
	bool has_sa;
	struct ike_ke ke;
	bool has_ke;
	struct ike_blob nonce;
	bool has_nonce;
	const uint8_t *natd_src[8];
	unsigned int n_natd_src;
	const uint8_t *natd_dst;
	bool frag;
	ike_hash_mask hashes;	/* SIGNATURE_HASH_ALGORITHMS, 0 if none came */
	const uint8_t *cookie;
	size_t cookie_len;
	uint16_t error;		/* an error notification's type, 0 for none */
	const uint8_t *error_data;
	size_t error_len;
};

/*
 * The hashes a SIGNATURE_HASH_ALGORITHMS notification lists (RFC 7427
 * §4): two bytes each; those we know become bits. Even an empty or odd
 * list says the peer understands RFC 7427, so the result is never 0.
 */
static ike_hash_mask init_hashes(const uint8_t *data, size_t len)
{
	ike_hash_mask m = 1;	/* bit 0: "announced" */
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		if (!data[i] && data[i + 1] && data[i + 1] < 16)
			m |= 1 << data[i + 1];
	return m;
}

static int init_parts(const struct ike_msg *msg, bool response, struct init_parts *p,
		      struct ike_msg_err *e)
{
	const struct ike_payload *pl;
	struct ike_notify n;
	size_t i;
	int ret = 0;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < msg->chain.n && !ret; i++) {
		pl = &msg->chain.pl[i];
		switch (pl->type) {
		case IKEV2_PL_SA:
			ret = ike_msg_parse_sa(pl->body, pl->len, response, &p->sa, e);
			p->has_sa = !ret;
			break;
		case IKEV2_PL_KE:
			ret = ike_msg_parse_ke(pl->body, pl->len, &p->ke, e);
			p->has_ke = !ret;
			break;
		case IKEV2_PL_NONCE:
			ret = ike_msg_parse_nonce(pl->body, pl->len, &p->nonce, e);
			p->has_nonce = !ret;
			break;
		case IKEV2_PL_NOTIFY:
			ret = ike_msg_parse_notify(pl->body, pl->len, &n, e);
			if (ret)
				break;
			if (n.type <= IKEV2_N_ERROR_MAX && !p->error) {
				p->error = n.type;
				p->error_data = n.data;
				p->error_len = n.len;
			}
			if (n.type == IKEV2_N_NAT_DETECTION_SOURCE_IP &&
			    n.len == IKE_CRYPTO_NATD_LEN && p->n_natd_src < 8)
				p->natd_src[p->n_natd_src++] = n.data;
			else if (n.type == IKEV2_N_NAT_DETECTION_DESTINATION_IP &&
				 n.len == IKE_CRYPTO_NATD_LEN)
				p->natd_dst = n.data;
			else if (n.type == IKEV2_N_IKEV2_FRAGMENTATION_SUPPORTED)
				p->frag = true;
			else if (n.type == IKEV2_N_SIGNATURE_HASH_ALGORITHMS)
				p->hashes = init_hashes(n.data, n.len);
			else if (n.type == IKEV2_N_COOKIE && n.len >= 1 && n.len <= 64) {
				p->cookie = n.data;
				p->cookie_len = n.len;
			}
			break;
		default:
			break;
		}
	}
	return ret;
}

/*
 * NAT detection (RFC 7296 §2.23): whether the hash the peer made of an
 * address matches the one we see. Several source hashes (a multihomed
 * initiator) match if any does.
 */
static bool init_natd_match(const struct ike_sa *sa, const uint8_t *const *hashes, unsigned int n,
			    const struct sockaddr_storage *addr, bool with_spi_r)
{
	static const uint8_t zero[IKEV2_SPI_LEN];
	uint8_t h[IKE_CRYPTO_NATD_LEN];
	unsigned int i;

	if (ike_crypto_natd(sa->spi_i, with_spi_r ? sa->spi_r : zero, addr, h))
		return true;
	for (i = 0; i < n; i++)
		if (!memcmp(h, hashes[i], sizeof(h)))
			return true;
	return false;
}

static int init_add_natd(struct ike_builder *b, const struct ike_sa *sa, bool with_spi_r,
			 bool fake_src)
{
	static const uint8_t zero[IKEV2_SPI_LEN];
	uint8_t src[IKE_CRYPTO_NATD_LEN], dst[IKE_CRYPTO_NATD_LEN];
	struct ike_notify n = { .len = IKE_CRYPTO_NATD_LEN };
	const uint8_t *spi_r = with_spi_r ? sa->spi_r : zero;

	if (ike_crypto_natd(sa->spi_i, spi_r, &sa->local, src) ||
	    ike_crypto_natd(sa->spi_i, spi_r, &sa->remote, dst))
		return -EIO;
	/* encap = yes: a source hash that cannot match makes both ends use UDP */
	if (fake_src)
		ike_crypto_random(src, sizeof(src));
	n.type = IKEV2_N_NAT_DETECTION_SOURCE_IP;
	n.data = src;
	if (ike_msg_add_notify(b, &n))
		return -ENOSPC;
	n.type = IKEV2_N_NAT_DETECTION_DESTINATION_IP;
	n.data = dst;
	return ike_msg_add_notify(b, &n) ? -ENOSPC : 0;
}

/* The notifications both ends add to IKE_SA_INIT: what they support. */
static int init_add_support(struct ike_builder *b, const struct ike_sa *sa)
{
	/* RFC 7427 §4; IDENTITY (RFC 8420) for Ed25519 */
	static const uint8_t hashes[] = { 0, IKEV2_HASH_SHA2_256, 0, IKEV2_HASH_SHA2_384,
					  0, IKEV2_HASH_SHA2_512, 0, IKEV2_HASH_IDENTITY };
	struct ike_notify n = { .type = IKEV2_N_SIGNATURE_HASH_ALGORITHMS, .data = hashes,
				.len = sizeof(hashes) };

	struct ike_notify frag = { .type = IKEV2_N_IKEV2_FRAGMENTATION_SUPPORTED };

	if (ike_msg_add_notify(b, &n))
		return -ENOSPC;
	/* RFC 7383 §2.3: the responder answers only an initiator that offered */
	if (sa->initiator ? sa->conn->fragmentation : sa->frag_ok)
		return ike_msg_add_notify(b, &frag) ? -ENOSPC : 0;
	return 0;
}

static void init_ts_addr(const struct iked_ts *ts, struct sockaddr_storage *ss, uint16_t port)
{
	memset(ss, 0, sizeof(*ss));
	ss->ss_family = ts->family;
	memcpy((void *)iked_addr_bytes(ss), ts->from, iked_addr_len(ts->family));
	iked_addr_set_port(ss, port);
}

/* The initiator's request: [COOKIE], SA, KE, Ni, NAT-D, support. */
static int init_build_request(struct ike_sa *sa)
{
	struct ike_prop props[IKED_MAX_PROPS];
	struct ike_sa_payload sap;
	uint8_t pub[IKE_DH_PUBLIC_MAX], *buf;
	struct ike_builder b;
	struct ike_notify n;
	struct ike_hdr h;
	struct ike_ke ke;
	size_t len, np;
	char err[256];
	int ret;

	ret = ike_prop_parse(sa->conn->proposals, IKEV2_PROTO_IKE, props, IKED_MAX_PROPS, err,
			     sizeof(err));
	if (ret < 0) {
		ike_sa_log(sa, 0, "proposals: %s", err);
		return ret;
	}
	np = ret;
	ike_prop_number(props, np);
	len = sizeof(pub);
	if (ike_dh_public(sa->dh, pub, &len))
		return -EIO;
	buf = malloc(INIT_MSG_MAX);
	if (!buf)
		return -ENOMEM;
	ike_sa_hdr(sa, &h, IKEV2_EXCH_IKE_SA_INIT, false, 0);
	ret = ike_msg_build_init(&b, buf, INIT_MSG_MAX, &h);
	if (sa->cookie_len) {
		n = (struct ike_notify){ .type = IKEV2_N_COOKIE, .data = sa->cookie,
					 .len = sa->cookie_len };
		ret = ret ?: ike_msg_add_notify(&b, &n);
	}
	ike_props_to_payload(props, np, &sap);
	ke = (struct ike_ke){ .group = ike_dh_group(sa->dh), .data = pub, .len = len };
	ret = ret ?: ike_msg_add_sa(&b, &sap);
	ret = ret ?: ike_msg_add_ke(&b, &ke);
	ret = ret ?: ike_msg_add_nonce(&b, sa->ni, sa->ni_len);
	ret = ret ?: init_add_natd(&b, sa, false, sa->conn->encap);
	ret = ret ?: init_add_support(&b, sa);
	ret = ret ?: ike_msg_build_end(&b, &len);
	if (ret) {
		free(buf);
		ike_sa_log(sa, 0, "cannot build IKE_SA_INIT: %s", b.err.reason);
		return -EINVAL;
	}
	free(sa->init_req);
	ike_wire_free(&sa->req);
	sa->init_req = buf;
	sa->init_req_len = len;
	sa->req.buf = malloc(len);
	if (!sa->req.buf)
		return -ENOMEM;
	memcpy(sa->req.buf, buf, len);
	sa->req.len = sa->req.ends[0] = len;
	sa->req.n = 1;
	sa->req_tries = 1;
	return 0;
}

static void init_on_reply(struct ike_sa *sa, const struct ike_msg *msg,
			  const struct ike_chain *inner);

/* (Re)sends IKE_SA_INIT's request, as built. */
static void init_send(struct ike_sa *sa)
{
	sa->msgid_next = 1;
	sa->on_reply = init_on_reply;
	ike_sa_send_wire(sa, &sa->req);
	iked_timer_set(&sa->retransmit, ike_sa_retransmit_ms(sa, 0));
}

/* The first group of the first proposal, as charon offers it. */
static uint16_t init_first_group(const struct iked_conn_cfg *conn)
{
	struct ike_prop props[IKED_MAX_PROPS];
	const struct ike_prop_transform *t;
	char err[256];

	if (ike_prop_parse(conn->proposals, IKEV2_PROTO_IKE, props, IKED_MAX_PROPS, err,
			   sizeof(err)) < 1)
		return 0;
	t = ike_prop_get(&props[0], IKEV2_TRANS_DH);
	return t ? t->id : 0;
}

/* Whether @group is in any of our IKE proposals. */
static bool init_group_ok(const struct iked_conn_cfg *conn, uint16_t group)
{
	struct ike_prop props[IKED_MAX_PROPS];
	const struct ike_prop_list *l;
	char err[256];
	int n, i, k;

	n = ike_prop_parse(conn->proposals, IKEV2_PROTO_IKE, props, IKED_MAX_PROPS, err,
			   sizeof(err));
	for (i = 0; i < n; i++) {
		l = &props[i].xf[IKE_PROP_IDX(IKEV2_TRANS_DH)];
		for (k = 0; k < l->n; k++)
			if (l->t[k].id == group)
				return true;
	}
	return false;
}

/**
 * ike_init_start - initiate an IKE SA (and its first Child SA)
 * @d: the daemon
 * @conn: the connection
 * @child: the child to bring up with it, or NULL
 * @flow_src: a trap's packet: the source its selectors should cover, or NULL
 * @flow_dst: its destination
 *
 * Return: 0, or a negative errno (logged).
 */
/**
 * ike_init_addrs - an initiator's addresses: the connection's first single
 *	remote address, and the local one it names or the route's source
 * @sa: the new SA (marked dead on failure)
 * @conn: its connection
 *
 * Return: 0 or a negative errno (logged).
 */
int ike_init_addrs(struct ike_sa *sa, const struct iked_conn_cfg *conn)
{
	unsigned int i;
	int ret;

	for (i = 0; i < conn->n_remote_addrs; i++)
		if (iked_ts_is_host(&conn->remote_addrs[i]))
			break;
	if (i == conn->n_remote_addrs) {
		ike_sa_dead(sa, "no single remote address to initiate to");
		return -EINVAL;
	}
	init_ts_addr(&conn->remote_addrs[i], &sa->remote, conn->remote_port);
	if (conn->n_local_addrs && iked_ts_is_host(&conn->local_addrs[0]))
		init_ts_addr(&conn->local_addrs[0], &sa->local, conn->local_port);
	else if ((ret = iked_net_source_for(&sa->remote, &sa->local))) {
		ike_sa_dead(sa, "no route to the peer");
		return ret;
	}
	iked_addr_set_port(&sa->local, conn->local_port);
	return 0;
}

int ike_init_start(struct iked *d, const struct iked_conn_cfg *conn,
		   const struct iked_child_cfg *child, const struct iked_ts *flow_src,
		   const struct iked_ts *flow_dst)
{
	struct ike_sa *sa;
	uint16_t group;
	int ret;

	if (conn->version == 1)
		return ike_v1_start(d, conn, child);
	group = init_first_group(conn);
	if (!ike_dh_supported(group)) {
		iked_log(IKED_IKE, 0, "%s: no key exchange method to start with", conn->name);
		return -EINVAL;
	}
	sa = ike_sa_new(d, conn, true);
	if (!sa)
		return -ENOMEM;
	ret = ike_init_addrs(sa, conn);
	if (ret)
		return ret;
	sa->pending = child;
	if (flow_src && flow_dst) {
		sa->pending_ts = *flow_src;
		sa->pending_ts_dst = *flow_dst;
		sa->has_pending_ts = true;
	}
	sa->state = IKE_SA_INIT_SENT;
	sa->ni_len = INIT_NONCE_LEN;
	sa->dh = ike_dh_new(group);
	if (!sa->dh || ike_crypto_random(sa->ni, sa->ni_len) || init_build_request(sa)) {
		ike_sa_dead(sa, "cannot start IKE_SA_INIT");
		return -EIO;
	}
	ike_sa_log(sa, 1, "initiating IKE SA to %s", conn->name);
	init_send(sa);
	return 0;
}

static void init_fail(struct ike_sa *sa, const char *why, uint16_t type)
{
	char msg[384];

	snprintf(msg, sizeof(msg), "IKE_SA_INIT failed: %s%s%s", why, type ? ": " : "",
		 type ? ike_msg_notify_name(type) : "");
	ike_sa_dead(sa, msg);
}

/* The initiator, on the responder's answer. */
static void init_on_reply(struct ike_sa *sa, const struct ike_msg *msg,
			  const struct ike_chain *inner)
{
	struct ike_prop offered[IKED_MAX_PROPS], got[IKED_MAX_PROPS];
	uint8_t gir[IKE_DH_PUBLIC_MAX];
	struct init_parts p;
	struct ike_msg_err e;
	size_t np, ngot, glen = sizeof(gir);
	char err[256];
	uint16_t group;
	int ret;

	(void)inner;
	if (!msg)
		return;		/* no answer: ike_sa.c ends the SA */
	if (init_parts(msg, true, &p, &e)) {
		ike_sa_log(sa, 1, "IKE_SA_INIT response: %s: ignored", e.reason);
		return;
	}
	if (p.cookie && !p.has_sa) {
		/* §2.6: the same request again, with the COOKIE first */
		if (p.cookie_len > sizeof(sa->cookie) || sa->cookie_len) {
			init_fail(sa, "the responder keeps asking for a COOKIE", 0);
			return;
		}
		memcpy(sa->cookie, p.cookie, p.cookie_len);
		sa->cookie_len = p.cookie_len;
		ike_sa_log(sa, 1, "the responder asks for a COOKIE: sending it");
		if (init_build_request(sa)) {
			init_fail(sa, "cannot rebuild the request", 0);
			return;
		}
		init_send(sa);
		return;
	}
	if (p.error == IKEV2_N_INVALID_KE_PAYLOAD && p.error_len == 2) {
		group = p.error_data[0] << 8 | p.error_data[1];
		/* Only a group we offered, and only once per group change. */
		if (group == ike_dh_group(sa->dh) || !init_group_ok(sa->conn, group) ||
		    !ike_dh_supported(group)) {
			init_fail(sa, "the responder wants a group we did not offer",
				  IKEV2_N_INVALID_KE_PAYLOAD);
			return;
		}
		ike_sa_log(sa, 1, "the responder wants key exchange group %u: retrying", group);
		ike_dh_free(sa->dh);
		sa->dh = ike_dh_new(group);
		if (!sa->dh || init_build_request(sa)) {
			init_fail(sa, "cannot rebuild the request", 0);
			return;
		}
		init_send(sa);
		return;
	}
	if (p.error) {
		init_fail(sa, "the responder refused", p.error);
		return;
	}
	if (!p.has_sa || !p.has_ke || !p.has_nonce) {
		ike_sa_log(sa, 1, "IKE_SA_INIT response without SA, KE or Nonce: ignored");
		return;
	}
	/* A good answer: stop retransmitting, whatever comes of it. */
	iked_timer_cancel(&sa->retransmit);
	ike_wire_free(&sa->req);
	sa->on_reply = NULL;

	ret = ike_prop_parse(sa->conn->proposals, IKEV2_PROTO_IKE, offered, IKED_MAX_PROPS, err,
			     sizeof(err));
	if (ret < 0) {
		init_fail(sa, err, 0);
		return;
	}
	np = ret;
	ike_prop_number(offered, np);
	ike_props_from_payload(&p.sa, got, IKED_MAX_PROPS, &ngot);
	if (ngot != 1 || ike_prop_check_chosen(offered, np, &got[0]) < 0) {
		init_fail(sa, "the responder chose a proposal we did not offer", 0);
		return;
	}
	sa->chosen = got[0];
	if (p.ke.group != ike_dh_group(sa->dh)) {
		init_fail(sa, "the responder's KE is of another group", 0);
		return;
	}
	if (!memcmp(msg->hdr.spi_r, "\0\0\0\0\0\0\0\0", IKEV2_SPI_LEN)) {
		init_fail(sa, "the responder's SPI is zero", 0);
		return;
	}
	memcpy(sa->spi_r, msg->hdr.spi_r, IKEV2_SPI_LEN);
	memcpy(sa->nr, p.nonce.data, p.nonce.len);
	sa->nr_len = p.nonce.len;
	if (ike_dh_derive(sa->dh, p.ke.data, p.ke.len, gir, &glen)) {
		init_fail(sa, "the responder's key exchange value is invalid", 0);
		return;
	}
	ike_dh_free(sa->dh);
	sa->dh = NULL;
	ret = ike_sk_new(&sa->chosen, &sa->sk);
	if (!ret)
		ret = ike_sk_derive(sa->sk, gir, glen, sa->ni, sa->ni_len, sa->nr, sa->nr_len,
				    sa->spi_i, sa->spi_r);
	OPENSSL_cleanse(gir, sizeof(gir));
	if (ret) {
		init_fail(sa, "cannot derive the keys", 0);
		return;
	}
	sa->init_resp = malloc(sa->rx_len);
	if (!sa->init_resp) {
		init_fail(sa, "out of memory", 0);
		return;
	}
	/* AUTH signs the response as it came: the datagram, in clear. */
	memcpy(sa->init_resp, sa->rx, sa->rx_len);
	sa->init_resp_len = sa->rx_len;
	sa->frag_ok = p.frag && sa->conn->fragmentation;
	sa->peer_hashes = p.hashes;
	if (p.n_natd_src || p.natd_dst) {
		sa->nat_remote = !init_natd_match(sa, p.natd_src, p.n_natd_src, &sa->remote, true);
		sa->nat_local = p.natd_dst &&
				!init_natd_match(sa, &p.natd_dst, 1, &sa->local, true);
	}
	/* §2.23: float to the NAT-T port for IKE_AUTH and everything after */
	ike_sa_float(sa);
	sa->state = IKE_SA_AUTH_SENT;
	if (ike_auth_start(sa))
		ike_sa_dead(sa, "cannot start IKE_AUTH");
}

/* An unauthenticated answer to an IKE_SA_INIT request: one notification. */
static void init_notify_reply(struct iked *d, const struct iked_dgram *dg,
			      const struct ike_msg *msg, uint16_t type, const uint8_t *data,
			      size_t len)
{
	uint8_t buf[256];
	struct ike_builder b;
	struct ike_notify n = { .type = type, .data = data, .len = len };
	struct ike_hdr h = msg->hdr;
	size_t out;

	memset(h.spi_r, 0, sizeof(h.spi_r));
	h.flags = IKEV2_FLAG_RESPONSE;
	if (ike_msg_build_init(&b, buf, sizeof(buf), &h) || ike_msg_add_notify(&b, &n) ||
	    ike_msg_build_end(&b, &out))
		return;
	iked_net_send(&d->net, &dg->local, &dg->remote, dg->natt, buf, out);
}

static bool init_addr_in(const struct iked_ts *ranges, unsigned int n,
			 const struct sockaddr_storage *ss)
{
	struct iked_ts host = { .to_port = 0xffff };
	unsigned int i;

	if (!n)
		return true;
	iked_ts_from_addr(&host, ss->ss_family, iked_addr_bytes(ss));
	for (i = 0; i < n; i++)
		if (ranges[i].family == ss->ss_family && iked_ts_contains(&ranges[i], &host))
			return true;
	return false;
}

/* The first connection whose addresses take this request. */
/**
 * ike_init_find_conn - the connection a peer's first message falls under:
 *	the first whose local and remote addresses take the datagram's
 * @d: the daemon
 * @dg: the datagram
 *
 * Return: the connection, or NULL.
 */
const struct iked_conn_cfg *ike_init_find_conn(struct iked *d, const struct iked_dgram *dg)
{
	unsigned int i;

	for (i = 0; i < d->cfg.n_conns; i++) {
		const struct iked_conn_cfg *c = &d->cfg.conns[i];

		if (init_addr_in(c->local_addrs, c->n_local_addrs, &dg->local) &&
		    init_addr_in(c->remote_addrs, c->n_remote_addrs, &dg->remote))
			return c;
	}
	return NULL;
}

/* A half-open SA this request is a retransmission for. */
static struct ike_sa *init_find_half_open(struct iked *d, const struct ike_msg *msg,
					  const struct iked_dgram *dg)
{
	struct ike_sa *sa;
	unsigned int b;

	for (b = 0; b < IKED_SA_HASH; b++)
		for (sa = d->sas[b]; sa; sa = sa->hnext)
			if (!sa->initiator && sa->state == IKE_SA_INIT_DONE &&
			    !memcmp(sa->spi_i, msg->hdr.spi_i, IKEV2_SPI_LEN) &&
			    iked_addr_equal(&sa->remote, &dg->remote, true))
				return sa;
	return NULL;
}

static int init_build_response(struct ike_sa *sa, const struct ike_msg *msg)
{
	uint8_t pub[IKE_DH_PUBLIC_MAX], *buf;
	struct ike_sa_payload sap;
	struct ike_builder b;
	struct ike_hdr h;
	struct ike_ke ke;
	size_t len = sizeof(pub);
	int ret;

	if (ike_dh_public(sa->dh, pub, &len))
		return -EIO;
	buf = malloc(INIT_MSG_MAX);
	if (!buf)
		return -ENOMEM;
	ike_sa_hdr(sa, &h, IKEV2_EXCH_IKE_SA_INIT, true, msg->hdr.msg_id);
	ke = (struct ike_ke){ .group = ike_dh_group(sa->dh), .data = pub, .len = len };
	ike_props_to_payload(&sa->chosen, 1, &sap);
	ret = ike_msg_build_init(&b, buf, INIT_MSG_MAX, &h);
	ret = ret ?: ike_msg_add_sa(&b, &sap);
	ret = ret ?: ike_msg_add_ke(&b, &ke);
	ret = ret ?: ike_msg_add_nonce(&b, sa->nr, sa->nr_len);
	ret = ret ?: ike_auth_add_certreq(sa, &b);
	ret = ret ?: init_add_natd(&b, sa, true, false);
	ret = ret ?: init_add_support(&b, sa);
	ret = ret ?: ike_msg_build_end(&b, &len);
	if (ret) {
		free(buf);
		ike_sa_log(sa, 0, "cannot build IKE_SA_INIT response: %s", b.err.reason);
		return -EINVAL;
	}
	sa->init_resp = buf;
	sa->init_resp_len = len;
	return 0;
}

/**
 * ike_init_respond - a peer's IKE_SA_INIT request
 * @d: the daemon
 * @dg: the datagram
 * @msg: it, parsed
 */
void ike_init_respond(struct iked *d, struct iked_dgram *dg, const struct ike_msg *msg)
{
	struct ike_prop conf[IKED_MAX_PROPS], offered[IKED_MAX_PROPS], chosen;
	uint8_t gir[IKE_DH_PUBLIC_MAX], cookie[IKE_CRYPTO_COOKIE_LEN];
	const struct ike_prop_transform *dh;
	const struct iked_conn_cfg *conn;
	size_t nconf, noffered, glen = sizeof(gir);
	struct init_parts p;
	struct ike_msg_err e;
	struct ike_sa *sa;
	char a[64], err[256];
	uint8_t grp[2];
	int ret;

	if (d->stop)
		return;		/* stopping: no new IKE SA */
	sa = init_find_half_open(d, msg, dg);
	if (sa) {
		/* Our response was lost: the same one again. */
		iked_net_send(&d->net, &sa->local, &sa->remote, sa->natt, sa->init_resp,
			      sa->init_resp_len);
		return;
	}
	if (memcmp(msg->hdr.spi_r, "\0\0\0\0\0\0\0\0", IKEV2_SPI_LEN))
		return;		/* not a first message: nothing of ours */
	iked_addr_str(&dg->remote, a, sizeof(a));
	if (init_parts(msg, false, &p, &e)) {
		iked_log(IKED_IKE, 1, "IKE_SA_INIT from %s: %s", a, e.reason);
		init_notify_reply(d, dg, msg, IKEV2_N_INVALID_SYNTAX, NULL, 0);
		return;
	}
	if (!p.has_sa || !p.has_ke || !p.has_nonce) {
		iked_log(IKED_IKE, 1, "IKE_SA_INIT from %s without SA, KE or Nonce", a);
		init_notify_reply(d, dg, msg, IKEV2_N_INVALID_SYNTAX, NULL, 0);
		return;
	}
	/* Under load, only initiators that can answer at their address get state. */
	if (d->half_open >= d->cfg.half_open_limit) {
		if (!p.cookie || ike_crypto_cookie_check(&d->cookie, p.nonce.data, p.nonce.len,
							 &dg->remote, msg->hdr.spi_i, p.cookie,
							 p.cookie_len)) {
			if (ike_crypto_cookie_make(&d->cookie, p.nonce.data, p.nonce.len,
						   &dg->remote, msg->hdr.spi_i, cookie))
				return;
			iked_log(IKED_IKE, 2, "%u half-open IKE SAs: asking %s for a COOKIE",
				 d->half_open, a);
			init_notify_reply(d, dg, msg, IKEV2_N_COOKIE, cookie, sizeof(cookie));
			return;
		}
	}
	conn = ike_init_find_conn(d, dg);
	if (!conn) {
		iked_log(IKED_IKE, 1, "IKE_SA_INIT from %s: no connection takes it", a);
		init_notify_reply(d, dg, msg, IKEV2_N_NO_PROPOSAL_CHOSEN, NULL, 0);
		return;
	}
	ret = ike_prop_parse(conn->proposals, IKEV2_PROTO_IKE, conf, IKED_MAX_PROPS, err,
			     sizeof(err));
	if (ret < 0) {
		iked_log(IKED_CFG, 0, "%s: proposals: %s", conn->name, err);
		return;
	}
	nconf = ret;
	ike_props_from_payload(&p.sa, offered, IKED_MAX_PROPS, &noffered);
	if (ike_prop_select_ke(conf, nconf, offered, noffered, p.ke.group, &chosen) < 0) {
		iked_log(IKED_IKE, 1, "IKE_SA_INIT from %s: no proposal acceptable to %s", a,
			 conn->name);
		init_notify_reply(d, dg, msg, IKEV2_N_NO_PROPOSAL_CHOSEN, NULL, 0);
		return;
	}
	dh = ike_prop_get(&chosen, IKEV2_TRANS_DH);
	if (!dh || !ike_dh_supported(dh->id)) {
		init_notify_reply(d, dg, msg, IKEV2_N_NO_PROPOSAL_CHOSEN, NULL, 0);
		return;
	}
	if (dh->id != p.ke.group) {
		grp[0] = dh->id >> 8;
		grp[1] = dh->id;
		iked_log(IKED_IKE, 1, "IKE_SA_INIT from %s: asking for key exchange group %u "
			 "instead of %u", a, dh->id, p.ke.group);
		init_notify_reply(d, dg, msg, IKEV2_N_INVALID_KE_PAYLOAD, grp, sizeof(grp));
		return;
	}

	sa = ike_sa_new(d, conn, false);
	if (!sa)
		return;
	memcpy(sa->spi_i, msg->hdr.spi_i, IKEV2_SPI_LEN);
	sa->local = dg->local;
	sa->remote = dg->remote;
	sa->natt = dg->natt;
	sa->chosen = chosen;
	sa->chosen.spi_len = 0;
	sa->msgid_peer = 1;	/* IKE_SA_INIT was 0 */
	sa->ni_len = p.nonce.len;
	memcpy(sa->ni, p.nonce.data, p.nonce.len);
	sa->nr_len = INIT_NONCE_LEN;
	sa->frag_ok = p.frag && conn->fragmentation;
	sa->peer_hashes = p.hashes;
	sa->dh = ike_dh_new(dh->id);
	sa->state = IKE_SA_INIT_DONE;
	d->half_open++;
	if (!sa->dh || ike_crypto_random(sa->nr, sa->nr_len) ||
	    ike_dh_derive(sa->dh, p.ke.data, p.ke.len, gir, &glen)) {
		OPENSSL_cleanse(gir, sizeof(gir));
		init_notify_reply(d, dg, msg, IKEV2_N_INVALID_SYNTAX, NULL, 0);
		ike_sa_dead(sa, "the initiator's key exchange value is invalid");
		return;
	}
	ret = ike_sk_new(&sa->chosen, &sa->sk);
	if (!ret)
		ret = ike_sk_derive(sa->sk, gir, glen, sa->ni, sa->ni_len, sa->nr, sa->nr_len,
				    sa->spi_i, sa->spi_r);
	OPENSSL_cleanse(gir, sizeof(gir));
	if (ret || init_build_response(sa, msg)) {
		ike_sa_dead(sa, "cannot answer IKE_SA_INIT");
		return;
	}
	ike_dh_free(sa->dh);
	sa->dh = NULL;
	if (p.n_natd_src || p.natd_dst) {
		sa->nat_remote = !init_natd_match(sa, p.natd_src, p.n_natd_src, &sa->remote,
						  false);
		sa->nat_local = p.natd_dst && !init_natd_match(sa, &p.natd_dst, 1, &sa->local,
							       false);
	}
	sa->init_req = malloc(dg->len);
	if (!sa->init_req) {
		ike_sa_dead(sa, "out of memory");
		return;
	}
	memcpy(sa->init_req, dg->buf, dg->len);
	sa->init_req_len = dg->len;
	iked_timer_set(&sa->expire, IKED_HALF_OPEN_MS);
	ike_sa_log(sa, 1, "IKE_SA_INIT from %s: %s%s", a, conn->name,
		   sa->nat_local || sa->nat_remote ? ", behind a NAT" : "");
	ike_sa_send_plain(sa, sa->init_resp, sa->init_resp_len);
}

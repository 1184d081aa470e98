// SPDX-License-Identifier: GPL-2.0
/*
 * IKE SAs: the table, the message windows (RFC 7296 §2.3: one request in
 * flight each way, here), retransmission (§2.1), the SK envelope, and the
 * dispatch of what arrives to the exchange that handles it.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <linux/veil.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/crypto.h>

#include "daemon.h"
#include "v1.h"
#include "log.h"

static unsigned int sa_bucket(const uint8_t spi[IKEV2_SPI_LEN])
{
	uint64_t v;

	memcpy(&v, spi, sizeof(v));
	/* Our SPIs are random: any bits do. */
	return v % IKED_SA_HASH;
}

const uint8_t *ike_sa_local_spi(const struct ike_sa *sa)
{
	return sa->initiator ? sa->spi_i : sa->spi_r;
}

struct ike_sa *ike_sa_find(struct iked *d, const uint8_t spi[IKEV2_SPI_LEN])
{
	struct ike_sa *sa;

	for (sa = d->sas[sa_bucket(spi)]; sa; sa = sa->hnext)
		if (!memcmp(ike_sa_local_spi(sa), spi, IKEV2_SPI_LEN) && sa->state != IKE_SA_DEAD)
			return sa;
	return NULL;
}

/* "[gw|1a2b3c4d] " before every line about an SA, as charon's "gw[1]" */
void ike_sa_log(const struct ike_sa *sa, int level, const char *fmt, ...)
{
	char line[768];
	va_list ap;

	if (!iked_log_enabled(IKED_IKE, level))
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	iked_log(IKED_IKE, level, "%s[%02x%02x%02x%02x] %s", sa->conn ? sa->conn->name : "?",
		 ike_sa_local_spi(sa)[0], ike_sa_local_spi(sa)[1], ike_sa_local_spi(sa)[2],
		 ike_sa_local_spi(sa)[3], line);
}

static void sa_on_retransmit(struct iked_timer *t);
static void sa_on_expire(struct iked_timer *t);
static void sa_on_dpd(struct iked_timer *t);
static void sa_on_keepalive(struct iked_timer *t);
static void sa_on_rekey(struct iked_timer *t);
static void sa_on_retry(struct iked_timer *t);

/**
 * ike_sa_new - a new IKE SA with a fresh SPI for this end
 * @d: the daemon
 * @conn: its connection (NULL for a responder until IKE_SA_INIT picks one)
 * @initiator: this end starts it
 *
 * Return: the SA, in the table, or NULL.
 */
struct ike_sa *ike_sa_new(struct iked *d, const struct iked_conn_cfg *conn, bool initiator)
{
	struct ike_sa *sa = calloc(1, sizeof(*sa));
	uint8_t *spi;
	unsigned int b;

	if (!sa)
		return NULL;
	sa->d = d;
	sa->conn = conn;
	sa->initiator = initiator;
	spi = initiator ? sa->spi_i : sa->spi_r;
	do {
		if (ike_crypto_random(spi, IKEV2_SPI_LEN)) {
			free(sa);
			return NULL;
		}
	} while (ike_sa_find(d, spi) || !memcmp(spi, "\0\0\0\0\0\0\0\0", IKEV2_SPI_LEN));
	iked_timer_init(&sa->retransmit, sa_on_retransmit);
	iked_timer_init(&sa->expire, sa_on_expire);
	iked_timer_init(&sa->dpd, sa_on_dpd);
	iked_timer_init(&sa->keepalive, sa_on_keepalive);
	iked_timer_init(&sa->rekey, sa_on_rekey);
	iked_timer_init(&sa->retry, sa_on_retry);
	sa->last_rx = iked_now_ms();
	b = sa_bucket(spi);
	sa->hnext = d->sas[b];
	d->sas[b] = sa;
	d->n_sas++;
	return sa;
}

/* Frees what an SA holds; it must be out of the table already. */
void ike_sa_free(struct ike_sa *sa)
{
	iked_timer_cancel(&sa->retransmit);
	iked_timer_cancel(&sa->expire);
	iked_timer_cancel(&sa->dpd);
	iked_timer_cancel(&sa->keepalive);
	iked_timer_cancel(&sa->rekey);
	iked_timer_cancel(&sa->retry);
	ike_child_free_all(sa);
	ike_dh_free(sa->rekey_ctx.dh);
	ike_sk_free(sa->sk);
	ike_dh_free(sa->dh);
	free(sa->init_req);
	free(sa->init_resp);
	ike_wire_free(&sa->req);
	ike_wire_free(&sa->resp);
	ike_frag_reset(sa);
	ike_v1_free(sa->v1);
	OPENSSL_cleanse(sa, sizeof(*sa));
	free(sa);
}

/* Frees the SAs marked dead: only between events, when nothing holds one. */
void ike_sa_reap(struct iked *d)
{
	struct ike_sa **pp, *sa;
	unsigned int b;

	for (b = 0; b < IKED_SA_HASH; b++) {
		for (pp = &d->sas[b]; (sa = *pp);) {
			if (sa->state != IKE_SA_DEAD) {
				pp = &sa->hnext;
				continue;
			}
			*pp = sa->hnext;
			d->n_sas--;
			ike_sa_free(sa);
		}
	}
}

/**
 * ike_sa_dead - an IKE SA ends without a word to the peer
 * @sa: the SA
 * @why: for the log
 *
 * Its Child SAs leave veil.ko (trap policies stay, as their children's
 * dpd_action and start_action say), and it is freed once the event that
 * ended it is handled.
 */
void ike_sa_dead(struct ike_sa *sa, const char *why)
{
	if (sa->state == IKE_SA_DEAD)
		return;
	if (sa->state == IKE_SA_INIT_DONE && sa->d->half_open)
		sa->d->half_open--;
	ike_sa_log(sa, 0, "%s", why);
	ike_sa_bypass(sa, false);
	/* A rekey of this SA that was on its way ends with it. */
	if (sa->rekey_new) {
		ike_sa_dead(sa->rekey_new, "the IKE SA it was to replace is gone");
		sa->rekey_new = NULL;
	}
	ike_child_free_all(sa);
	sa->state = IKE_SA_DEAD;
	iked_timer_cancel(&sa->retransmit);
	iked_timer_cancel(&sa->expire);
	iked_timer_cancel(&sa->dpd);
	iked_timer_cancel(&sa->keepalive);
	iked_timer_cancel(&sa->rekey);
	iked_timer_cancel(&sa->retry);
	sa->n_ops = 0;
}

void ike_sa_hdr(const struct ike_sa *sa, struct ike_hdr *h, uint8_t exchange, bool response,
		uint32_t msg_id)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->spi_i, sa->spi_i, IKEV2_SPI_LEN);
	memcpy(h->spi_r, sa->spi_r, IKEV2_SPI_LEN);
	h->major = 2;
	h->exchange = exchange;
	h->flags = (sa->initiator ? IKEV2_FLAG_INITIATOR : 0) | (response ? IKEV2_FLAG_RESPONSE : 0);
	h->msg_id = msg_id;
}

/* Sends a whole message as it is, from @local to @remote. */
static int sa_send(struct ike_sa *sa, const struct sockaddr_storage *local,
		   const struct sockaddr_storage *remote, bool natt, const uint8_t *msg, size_t len)
{
	char a[64], b[64];
	int ret;

	ret = iked_net_send(&sa->d->net, local, remote, natt, msg, len);
	if (ret)
		iked_log(IKED_NET, 1, "sending %zu bytes from %s to %s: %s", len,
			 iked_addr_str(local, a, sizeof(a)), iked_addr_str(remote, b, sizeof(b)),
			 strerror(-ret));
	else
		iked_log(IKED_NET, 2, "sent %zu bytes from %s to %s", len,
			 iked_addr_str(local, a, sizeof(a)), iked_addr_str(remote, b, sizeof(b)));
	return ret;
}

/* Sends a whole message as it is: IKE_SA_INIT, and every retransmission. */
int ike_sa_send_plain(struct ike_sa *sa, const uint8_t *msg, size_t len)
{
	return sa_send(sa, &sa->local, &sa->remote, sa->natt, msg, len);
}

void ike_wire_free(struct ike_wire *w)
{
	free(w->buf);
	memset(w, 0, sizeof(*w));
}

/* Sends a message, its one datagram or each of its fragments, by a path. */
static int sa_send_wire_by(struct ike_sa *sa, const struct ike_wire *w,
			   const struct sockaddr_storage *local,
			   const struct sockaddr_storage *remote, bool natt)
{
	size_t start = 0;
	unsigned int i;
	int ret = 0;

	for (i = 0; i < w->n; i++) {
		ret = sa_send(sa, local, remote, natt, w->buf + start, w->ends[i] - start) ?: ret;
		start = w->ends[i];
	}
	return ret;
}

/* Sends a message: its one datagram, or each of its fragments. */
int ike_sa_send_wire(struct ike_sa *sa, const struct ike_wire *w)
{
	return sa_send_wire_by(sa, w, &sa->local, &sa->remote, sa->natt);
}

/*
 * The SK envelope around @inner: a whole message (or, when it would be too
 * large and the peer takes them, its fragments) in a new buffer, its
 * header for @exchange, @response and @msg_id.
 */
static int sa_seal(struct ike_sa *sa, uint8_t exchange, bool response, uint32_t msg_id,
		   struct ike_builder *inner, struct ike_wire *out)
{
	struct ike_builder ob;
	struct ike_hdr h;
	size_t plain_len, len, cap, max = ike_frag_max(sa);
	uint8_t *msg, *body;
	int ret;

	ret = ike_msg_build_end(inner, &plain_len);
	if (ret)
		return ret;
	memset(out, 0, sizeof(*out));
	ike_sa_hdr(sa, &h, exchange, response, msg_id);
	cap = IKEV2_HDR_LEN + IKEV2_PAYLOAD_HDR_LEN + ike_sk_payload_len(sa->sk, plain_len);
	if (max && cap > max) {
		ret = ike_frag_seal(sa, &h, inner->first, inner->buf, plain_len, max, &out->buf,
				    &out->len, out->ends, &out->n);
		OPENSSL_cleanse(inner->buf, plain_len);
		if (ret)
			ike_sa_log(sa, 0, "cannot fragment %s of %zu bytes: %s",
				   ike_msg_exchange_name(exchange), cap, strerror(-ret));
		return ret;
	}
	msg = malloc(cap);
	if (!msg)
		return -ENOMEM;
	ret = ike_msg_build_init(&ob, msg, cap, &h);
	if (!ret)
		ret = ike_msg_add_sk(&ob, inner->first, ike_sk_payload_len(sa->sk, plain_len), &body);
	if (!ret)
		ret = ike_msg_build_end(&ob, &len);
	if (!ret)
		ret = ike_sk_encrypt(sa->sk, sa->initiator, msg, len, body - msg, inner->buf,
				     plain_len);
	OPENSSL_cleanse(inner->buf, plain_len);
	if (ret) {
		ike_sa_log(sa, 0, "cannot build %s: %s", ike_msg_exchange_name(exchange),
			   ret < 0 && ret >= IKE_MSG_E_INVAL ? ike_msg_strerror(ret) :
			   strerror(-ret));
		free(msg);
		return ret < 0 ? ret : -EIO;
	}
	out->buf = msg;
	out->len = out->ends[0] = len;
	out->n = 1;
	return 0;
}

/**
 * ike_sa_request - send a request in the SK envelope and wait for its response
 * @sa: an SA with keys
 * @exchange: its exchange type
 * @inner: the payloads, a chain built with ike_msg_chain_init(); wiped here
 * @on_reply: called with the response (NULL msg when the peer never answers)
 *
 * Return: 0, -EBUSY while a request is in flight, or another negative errno.
 */
int ike_sa_request(struct ike_sa *sa, uint8_t exchange, struct ike_builder *inner,
		   ike_sa_reply_fn on_reply)
{
	int ret;

	if (sa->req.buf)
		return -EBUSY;
	ret = sa_seal(sa, exchange, false, sa->msgid_next, inner, &sa->req);
	if (ret)
		return ret;
	sa->msgid_next++;
	sa->on_reply = on_reply;
	sa->req_tries = 1;
	ike_sa_send_wire(sa, &sa->req);
	iked_timer_set(&sa->retransmit, ike_sa_retransmit_ms(sa, 0));
	return 0;
}

/**
 * ike_sa_respond - answer the peer's request in the SK envelope
 * @sa: the SA
 * @req: the request's header
 * @inner: the payloads; wiped here
 *
 * The response is kept: a retransmitted request gets it again, not a new
 * one (RFC 7296 §2.1).
 *
 * Return: 0 or a negative errno.
 */
int ike_sa_respond(struct ike_sa *sa, const struct ike_hdr *req, struct ike_builder *inner)
{
	struct ike_wire w;
	int ret;

	ret = sa_seal(sa, req->exchange, true, req->msg_id, inner, &w);
	if (ret)
		return ret;
	ike_wire_free(&sa->resp);
	sa->resp = w;
	return ike_sa_send_wire(sa, &sa->resp);
}

/*
 * How long to wait for an answer after the @tries-th retransmission:
 * timeout * base^tries, as charon's retransmit_timeout and _base.
 */
uint64_t ike_sa_retransmit_ms(const struct ike_sa *sa, int tries)
{
	double ms = sa->d->cfg.retransmit_timeout_ms;

	while (tries-- > 0 && ms < 3600000)
		ms *= sa->d->cfg.retransmit_base;
	return (uint64_t)ms;
}

static void sa_on_retransmit(struct iked_timer *t)
{
	struct ike_sa *sa = iked_container_of(t, struct ike_sa, retransmit);
	ike_sa_reply_fn fn = sa->on_reply;

	if (!sa->req.buf)
		return;
	if (sa->req_tries > (int)sa->d->cfg.retransmit_tries) {
		ike_wire_free(&sa->req);
		sa->on_reply = NULL;
		if (fn)
			fn(sa, NULL, NULL);
		if (sa->state == IKE_SA_ESTABLISHED) {
			ike_action_sa_end(sa, IKE_END_DEAD_PEER,
					  "the peer did not answer: giving up");
		} else if (sa->state != IKE_SA_DEAD) {
			bool starting = sa->state == IKE_SA_INIT_SENT ||
					sa->state == IKE_SA_AUTH_SENT;

			ike_sa_dead(sa, "the peer did not answer: giving up");
			if (starting)
				ike_action_retry(sa);
		}
		return;
	}
	if (sa->version == 1)
		ike_sa_log(sa, 1, "retransmitting (try %d)", sa->req_tries + 1);
	else
		ike_sa_log(sa, 1, "retransmitting request %u (try %d)", sa->msgid_next - 1,
			   sa->req_tries + 1);
	ike_sa_send_wire(sa, &sa->req);
	iked_timer_set(&sa->retransmit, ike_sa_retransmit_ms(sa, sa->req_tries));
	sa->req_tries++;
}

/* A responder's half-open SA, or an SA past its hard lifetime. */
static void sa_on_expire(struct iked_timer *t)
{
	struct ike_sa *sa = iked_container_of(t, struct ike_sa, expire);

	if (sa->state == IKE_SA_INIT_DONE)
		ike_sa_dead(sa, sa->version == 1 ? "half-open: Phase 1 did not finish" :
				"half-open: no IKE_AUTH came");
	else
		ike_sa_delete(sa, true);
}

/* The IKE SA's rekey is due: when its window is free. */
static void sa_on_rekey(struct iked_timer *t)
{
	struct ike_sa *sa = iked_container_of(t, struct ike_sa, rekey);

	if (sa->state != IKE_SA_ESTABLISHED)
		return;
	if (sa->version == 1) {
		/* IKEv1: a new ISAKMP SA takes over (v1_info.c) */
		if (ike_v1_rekey(sa))
			iked_timer_set(&sa->rekey, 1000);
		return;
	}
	if (sa->req.buf || sa->rekey_new || ike_create_rekey_ike(sa))
		iked_timer_set(&sa->rekey, 1000);
}

static void sa_on_dpd(struct iked_timer *t)
{
	struct ike_sa *sa = iked_container_of(t, struct ike_sa, dpd);
	uint64_t idle = iked_now_ms() - sa->last_rx;
	uint64_t delay = (uint64_t)sa->conn->dpd_delay * 1000;

	if (sa->state != IKE_SA_ESTABLISHED)
		return;
	if (idle < delay) {
		iked_timer_set(&sa->dpd, delay - idle);
		return;
	}
	/* A request in flight checks liveness already. */
	if (!sa->req.buf && sa->version == 1)
		ike_v1_dpd(sa);		/* R-U-THERE, RFC 3706 */
	else if (!sa->req.buf)
		ike_info_dpd(sa);
	iked_timer_set(&sa->dpd, delay);
}

static void sa_on_keepalive(struct iked_timer *t)
{
	struct ike_sa *sa = iked_container_of(t, struct ike_sa, keepalive);

	iked_net_keepalive(&sa->d->net, &sa->local, &sa->remote);
	iked_timer_set(&sa->keepalive, 20000);
}

/**
 * ike_sa_queue - a request to send once the window is free
 * @sa: the SA
 * @type: what
 * @spi_in: the child it is about, by its inbound SPI
 *
 * The same request for the same child is queued once. Runs it at once if
 * nothing is in flight.
 */
void ike_sa_queue(struct ike_sa *sa, enum ike_op_type type, uint32_t spi_in)
{
	unsigned int i;

	for (i = 0; i < sa->n_ops; i++)
		if (sa->ops[i].type == type && sa->ops[i].spi_in == spi_in)
			return;
	if (sa->n_ops == IKE_SA_OPS) {
		ike_sa_log(sa, 0, "too many requests waiting: dropping one");
		return;
	}
	sa->ops[sa->n_ops++] = (struct ike_op){ .type = type, .spi_in = spi_in };
	ike_sa_kick(sa);
}

/**
 * ike_sa_queue_child - bring up a further child on an IKE SA
 *	(CREATE_CHILD_SA), once it is established and its window free
 * @sa: the SA (established or on its way)
 * @cfg: the child configuration
 */
void ike_sa_queue_child(struct ike_sa *sa, const struct iked_child_cfg *cfg)
{
	unsigned int i;

	for (i = 0; i < sa->n_ops; i++)
		if (sa->ops[i].type == IKE_OP_NEW_CHILD && sa->ops[i].cfg == cfg)
			return;
	if (sa->n_ops == IKE_SA_OPS) {
		ike_sa_log(sa, 0, "too many requests waiting: child %s not started", cfg->name);
		return;
	}
	sa->ops[sa->n_ops++] = (struct ike_op){ .type = IKE_OP_NEW_CHILD, .cfg = cfg };
	ike_sa_kick(sa);
}

/* A live (not replaced) child of @cfg on @sa. */
static bool sa_has_child(const struct ike_sa *sa, const struct iked_child_cfg *cfg)
{
	const struct ike_child *c;

	for (c = sa->children; c; c = c->next)
		if (c->cfg == cfg && !c->rekeyed)
			return true;
	return false;
}

/**
 * ike_sa_of_conn - an IKE SA of @conn that is up or on its way
 * @d: the daemon
 * @conn: the connection
 *
 * Return: the SA, or NULL.
 */
struct ike_sa *ike_sa_of_conn(struct iked *d, const struct iked_conn_cfg *conn)
{
	struct ike_sa *sa;
	unsigned int b;

	for (b = 0; b < IKED_SA_HASH; b++)
		for (sa = d->sas[b]; sa; sa = sa->hnext)
			if (sa->conn == conn && sa->state != IKE_SA_DEAD &&
			    sa->state != IKE_SA_DELETING && !sa->rekey_new)
				return sa;
	return NULL;
}

/**
 * ike_sa_kick - send the next queued request, if the window is free
 * @sa: the SA
 */
void ike_sa_kick(struct ike_sa *sa)
{
	struct ike_child *c;
	struct ike_op op;
	int ret;

	if (sa->version == 1) {
		ike_v1_kick(sa);
		return;
	}
	while (!sa->req.buf && sa->n_ops && sa->state == IKE_SA_ESTABLISHED) {
		op = sa->ops[0];
		memmove(sa->ops, sa->ops + 1, --sa->n_ops * sizeof(sa->ops[0]));
		if (op.type == IKE_OP_NEW_CHILD) {
			if (!sa_has_child(sa, op.cfg) && (ret = ike_create_child(sa, op.cfg, 0)))
				ike_sa_log(sa, 1, "child %s: starting failed: %s", op.cfg->name,
					   strerror(-ret));
			continue;
		}
		c = ike_child_by_spi_in(sa, op.spi_in);
		if (!c)
			continue;	/* gone meanwhile */
		ret = op.type == IKE_OP_REKEY_CHILD ? ike_create_rekey(sa, c, 0) :
		      ike_info_delete_child(sa, c);
		if (ret)
			ike_sa_log(sa, 1, "child %s: %s failed: %s", c->cfg->name,
				   op.type == IKE_OP_REKEY_CHILD ? "rekeying" : "deleting",
				   strerror(-ret));
	}
}

static void sa_on_retry(struct iked_timer *t)
{
	ike_sa_kick(iked_container_of(t, struct ike_sa, retry));
}

/* The two bypass policies for IKE between @local and @r (ports included). */
static void sa_bypass_policies(struct iked *d, const struct sockaddr_storage *local,
			       const struct sockaddr_storage *r, bool install)
{
	struct iked_kernel_policy p;
	char err[256];
	int i, ret;

	for (i = 0; i < 2; i++) {
		const struct sockaddr_storage *src = i ? r : local;
		const struct sockaddr_storage *dst = i ? local : r;

		memset(&p, 0, sizeof(p));
		p.dir = i ? VEIL_DIR_IN : VEIL_DIR_OUT;
		p.bypass = true;
		p.priority = IKED_BYPASS_PRIO;
		iked_ts_from_addr(&p.src, src->ss_family, iked_addr_bytes(src));
		iked_ts_from_addr(&p.dst, dst->ss_family, iked_addr_bytes(dst));
		p.src.proto = p.dst.proto = IPPROTO_UDP;
		p.src.from_port = p.src.to_port = iked_addr_port(src);
		p.dst.from_port = p.dst.to_port = iked_addr_port(dst);
		ret = install ? iked_kernel_policy_add(&d->kernel, &p, err, sizeof(err)) :
			      iked_kernel_policy_del(&d->kernel, &p, err, sizeof(err));
		if (ret && ret != -ENOENT)
			iked_log(IKED_KNL, 0, "IKE bypass policy: %s", err);
	}
}

/**
 * iked_bypass_hold - take (or let go of) a hold on the bypass for IKE on
 *	port 500 between two endpoints
 * @d: the daemon
 * @local: this end's address and port
 * @remote: the peer's
 * @hold: take a hold, or let one go
 *
 * IKE between the two endpoints must pass in clear whatever the children's
 * policies (or a trap's) cover: a transport-mode child between them, or a
 * tunnel of everything. The first hold installs two bypass policies
 * (allow, no template) ahead of every child's, as charon's per-socket
 * policies do with XFRM; the last one removes them. The NAT-T port needs
 * none: veil.ko lets through what its IKE socket sends and receives.
 */
void iked_bypass_hold(struct iked *d, const struct sockaddr_storage *local,
		      const struct sockaddr_storage *remote, bool hold)
{
	struct iked_bypass *b = NULL;
	unsigned int i;

	for (i = 0; i < d->n_bypass && !b; i++)
		if (iked_addr_equal(&d->bypass[i].local, local, true) &&
		    iked_addr_equal(&d->bypass[i].remote, remote, true))
			b = &d->bypass[i];
	if (hold) {
		if (b) {
			b->refs++;
			return;
		}
		if (d->n_bypass == IKED_BYPASS_MAX) {
			iked_log(IKED_KNL, 0, "too many IKE endpoint pairs for bypass policies");
			return;
		}
		b = &d->bypass[d->n_bypass++];
		b->local = *local;
		b->remote = *remote;
		b->refs = 1;
		sa_bypass_policies(d, local, remote, true);
		return;
	}
	if (!b || --b->refs)
		return;
	sa_bypass_policies(d, local, remote, false);
	*b = d->bypass[--d->n_bypass];
}

/**
 * ike_sa_bypass - hold (or let go of) IKE's bypass for this SA's addresses
 * @sa: the SA, established (install) or going (let go)
 * @install: hold it
 *
 * A transport-mode child between the two IKE peers covers their IKE
 * traffic too; the bypass keeps it out of ESP. Not on the NAT-T port,
 * whose socket veil.ko passes by itself.
 */
void ike_sa_bypass(struct ike_sa *sa, bool install)
{
	if (install == sa->bypass || (install && sa->natt))
		return;
	sa->bypass = install;
	iked_bypass_hold(sa->d, &sa->local, &sa->remote, install);
}

/**
 * ike_sa_float - move to the NAT-T port when a NAT was found (or encap asks)
 * @sa: an SA whose NAT detection is done (nat_local, nat_remote)
 *
 * The initiator moves for the exchange that authenticates (IKEv2's
 * IKE_AUTH, RFC 7296 §2.23; IKEv1's Main Mode message 5 or Aggressive
 * Mode message 3, RFC 3947 §4) and stays there; the responder follows it
 * (ike_sa_follow()).
 */
void ike_sa_float(struct ike_sa *sa)
{
	if (!sa->nat_local && !sa->nat_remote && !sa->conn->encap)
		return;
	sa->natt = true;
	iked_addr_set_port(&sa->local, sa->d->cfg.natt_port);
	if (iked_addr_port(&sa->remote) == IKEV2_PORT)
		iked_addr_set_port(&sa->remote, IKEV2_NATT_PORT);
	ike_sa_log(sa, 1, "NAT %s: moving to port %u", sa->nat_local ? "in front of us" :
		   sa->nat_remote ? "in front of the peer" : "assumed (encap)",
		   iked_addr_port(&sa->remote));
}

/**
 * ike_sa_established - IKE_AUTH is done: start the SA's timers
 * @sa: the SA
 */
void ike_sa_established(struct ike_sa *sa)
{
	const struct iked_conn_cfg *c = sa->conn;
	char a[64], b[64], id[128];
	uint32_t r = 0;

	if (sa->state == IKE_SA_INIT_DONE && sa->d->half_open)
		sa->d->half_open--;
	sa->state = IKE_SA_ESTABLISHED;
	sa->established_at = time(NULL);
	iked_timer_cancel(&sa->expire);
	iked_id_format(&sa->peer_id, id, sizeof(id));
	ike_sa_log(sa, 0, "IKE SA established between %s and %s (%s)",
		   iked_addr_str(&sa->local, a, sizeof(a)), iked_addr_str(&sa->remote, b, sizeof(b)),
		   id);
	if (c->rekey_time) {
		if (c->rand_time)
			ike_crypto_random(&r, sizeof(r));
		iked_timer_set(&sa->rekey, ((uint64_t)c->rekey_time -
					    (c->rand_time ? r % c->rand_time : 0)) * 1000);
	}
	if (c->dpd_delay)
		iked_timer_set(&sa->dpd, (uint64_t)c->dpd_delay * 1000);
	if (sa->nat_local)
		iked_timer_set(&sa->keepalive, 20000);
	ike_sa_bypass(sa, true);
}

/**
 * ike_sa_close - delete an IKE SA as soon as its window is free
 * @sa: the SA
 *
 * With a request in flight (a rekey of this SA, say), the Delete waits for
 * its answer: whatever that request makes at the peer is then deleted too.
 */
void ike_sa_close(struct ike_sa *sa)
{
	if (sa->state == IKE_SA_DEAD || sa->state == IKE_SA_DELETING)
		return;
	if (sa->req.buf && sa->state == IKE_SA_ESTABLISHED) {
		sa->close_pending = true;
		return;
	}
	ike_sa_delete(sa, true);
}

static void sa_on_delete_reply(struct ike_sa *sa, const struct ike_msg *msg,
			       const struct ike_chain *inner)
{
	(void)msg;
	(void)inner;
	ike_sa_dead(sa, "IKE SA deleted");
}

/**
 * ike_sa_delete - end an IKE SA and its Child SAs
 * @sa: the SA
 * @tell_peer: send a Delete first (and wait for its answer, or give up)
 */
void ike_sa_delete(struct ike_sa *sa, bool tell_peer)
{
	uint8_t buf[64];
	struct ike_builder b;
	struct ike_delete del = { .proto = IKEV2_PROTO_IKE };

	if (sa->state == IKE_SA_DEAD || sa->state == IKE_SA_DELETING)
		return;
	if (sa->version == 1) {
		ike_v1_delete(sa, tell_peer);
		return;
	}
	ike_child_free_all(sa);
	if (!tell_peer || !sa->sk || sa->state != IKE_SA_ESTABLISHED) {
		ike_sa_dead(sa, "IKE SA deleted");
		return;
	}
	/* Whatever was in flight is moot now. */
	ike_wire_free(&sa->req);
	iked_timer_cancel(&sa->retransmit);
	sa->state = IKE_SA_DELETING;
	ike_msg_chain_init(&b, buf, sizeof(buf));
	ike_msg_add_delete(&b, &del);
	if (ike_sa_request(sa, IKEV2_EXCH_INFORMATIONAL, &b, sa_on_delete_reply))
		ike_sa_dead(sa, "IKE SA deleted");
}

/**
 * ike_sa_follow - the peer is where an authentic message came from
 * @sa: the SA
 * @dg: the message, authentic (IKEv1: decrypted and parsed)
 *
 * Where an authentic message came from is where the peer is (RFC 7296
 * §2.23): a peer that moved to the NAT-T port (strongSwan does so for
 * IKE_AUTH even without a NAT) is answered there, and one a NAT remapped
 * is followed to its new address. Called before the message is handled,
 * so that a response goes back the way the request came.
 */
void ike_sa_follow(struct ike_sa *sa, const struct iked_dgram *dg)
{
	char a[64];

	if (dg->natt && !sa->natt) {
		sa->natt = true;
		sa->local = dg->local;
		sa->remote = dg->remote;
		ike_sa_log(sa, 1, "peer moved to the NAT-T port: %s",
			   iked_addr_str(&dg->remote, a, sizeof(a)));
	} else if (dg->natt && sa->natt && !iked_addr_equal(&dg->remote, &sa->remote, true)) {
		ike_sa_log(sa, 1, "peer moved to %s", iked_addr_str(&dg->remote, a, sizeof(a)));
		sa->remote = dg->remote;
		/* Its NAT's mapping changed: the children's ESP follows it. */
		if (sa->nat_remote)
			ike_child_follow(sa);
	}
}

/*
 * Checks and decrypts a message's SK payload, or takes its SKF fragment
 * (-EINPROGRESS until the last is in), and parses what is inside.
 */
static int sa_open(struct ike_sa *sa, struct iked_dgram *dg, const struct ike_msg *msg,
		   struct ike_chain *inner)
{
	const struct ike_payload *sk = ike_msg_chain_sk(&msg->chain);
	uint8_t *plain, first = msg->chain.inner_first;
	struct ike_msg_err e;
	size_t plain_len;
	int ret;

	if (!sk || !sa->sk) {
		/* no SK payload, or no keys yet (an initiator before IKE_SA_INIT's answer) */
		ike_sa_log(sa, 1, "%s %s: dropped", ike_msg_exchange_name(msg->hdr.exchange),
			   sk ? "before there are keys" : "without an SK payload");
		return -EBADMSG;
	}
	if (sk->type == IKEV2_PL_SKF) {
		ret = ike_frag_in(sa, dg, msg, sk, &plain, &plain_len, &first);
		if (ret)
			return ret;
	} else {
		ret = ike_sk_decrypt(sa->sk, msg->hdr.flags & IKEV2_FLAG_INITIATOR, dg->buf,
				     dg->len, sk->body - dg->buf, &plain, &plain_len);
		if (ret) {
			ike_sa_log(sa, 1, "%s %u failed its integrity check: dropped",
				   ike_msg_exchange_name(msg->hdr.exchange), msg->hdr.msg_id);
			return ret;
		}
	}
	ret = ike_msg_parse_inner(first, plain, plain_len, inner, &e);
	if (ret) {
		ike_sa_log(sa, 1, "%s %u: %s", ike_msg_exchange_name(msg->hdr.exchange),
			   msg->hdr.msg_id, e.reason);
		return -EBADMSG;
	}
	sa->last_rx = iked_now_ms();
	ike_sa_follow(sa, dg);
	return 0;
}

/* A fragment's number, or 1 for a message that is not fragmented. */
static unsigned int sa_frag_number(const struct ike_msg *msg)
{
	const struct ike_payload *sk = ike_msg_chain_sk(&msg->chain);
	struct ike_skf skf;

	if (!sk || sk->type != IKEV2_PL_SKF || ike_msg_parse_skf(sk->body, sk->len, &skf, NULL))
		return 1;
	return skf.number;
}

/* An unknown payload marked critical must be refused (RFC 7296 §2.5). */
static int sa_unknown_critical(const struct ike_chain *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (c->pl[i].critical && (c->pl[i].type < IKEV2_PL_SA ||
					  (c->pl[i].type > IKEV2_PL_EAP &&
					   c->pl[i].type != IKEV2_PL_SKF)))
			return c->pl[i].type;
	return -1;
}

/**
 * ike_sa_respond_notify - answer a request with one notification
 * @sa: the SA
 * @req: the request's header
 * @type: the notification (an error, mostly)
 * @data: its data, or NULL
 * @len: its length
 */
void ike_sa_respond_notify(struct ike_sa *sa, const struct ike_hdr *req, uint16_t type,
			   const uint8_t *data, size_t len)
{
	uint8_t buf[128];
	struct ike_builder b;
	struct ike_notify n = { .type = type, .data = data, .len = len };

	ike_msg_chain_init(&b, buf, sizeof(buf));
	ike_msg_add_notify(&b, &n);
	ike_sa_respond(sa, req, &b);
}

/* Handles a request. */
static void sa_request_in(struct ike_sa *sa, struct iked_dgram *dg, const struct ike_msg *msg)
{
	struct ike_chain inner;
	int crit;
	uint8_t t;

	if (msg->hdr.msg_id == sa->msgid_peer - 1 && sa->resp.buf && sa->msgid_peer) {
		/*
		 * Our response was lost: the same one again; for a fragmented
		 * request, once, on its first fragment (RFC 7383 §2.6.2).
		 */
		if (sa_frag_number(msg) != 1)
			return;
		ike_sa_log(sa, 1, "request %u again: resending our response", msg->hdr.msg_id);
		/*
		 * Back where the copy came from, as charon does: a NAT may
		 * have mapped the peer anew since the first copy (whose
		 * answer was lost to the old mapping). Only the answer goes
		 * there; the IKE SA stays, since nothing new was authenticated.
		 */
		sa_send_wire_by(sa, &sa->resp, &dg->local, &dg->remote, dg->natt);
		return;
	}
	if (msg->hdr.msg_id != sa->msgid_peer) {
		ike_sa_log(sa, 1, "request %u outside the window (expected %u): dropped",
			   msg->hdr.msg_id, sa->msgid_peer);
		return;
	}
	if (sa_open(sa, dg, msg, &inner))
		return;
	sa->msgid_peer++;
	crit = sa_unknown_critical(&inner);
	if (crit >= 0) {
		t = crit;
		ike_sa_respond_notify(sa, &msg->hdr, IKEV2_N_UNSUPPORTED_CRITICAL_PAYLOAD, &t, 1);
		return;
	}
	switch (msg->hdr.exchange) {
	case IKEV2_EXCH_IKE_AUTH:
		if (sa->state != IKE_SA_INIT_DONE || sa->initiator) {
			ike_sa_respond_notify(sa, &msg->hdr, IKEV2_N_INVALID_SYNTAX, NULL, 0);
			return;
		}
		ike_auth_respond(sa, msg, &inner);
		break;
	case IKEV2_EXCH_INFORMATIONAL:
		ike_info_respond(sa, msg, &inner);
		break;
	case IKEV2_EXCH_CREATE_CHILD_SA:
		if (sa->state != IKE_SA_ESTABLISHED) {
			ike_sa_respond_notify(sa, &msg->hdr, IKEV2_N_TEMPORARY_FAILURE, NULL, 0);
			return;
		}
		ike_create_respond(sa, msg, &inner);
		break;
	default:
		ike_sa_log(sa, 1, "unknown exchange %u: dropped", msg->hdr.exchange);
		break;
	}
}

/* Handles a response. */
static void sa_response_in(struct ike_sa *sa, struct iked_dgram *dg, const struct ike_msg *msg)
{
	ike_sa_reply_fn fn = sa->on_reply;
	struct ike_chain inner;

	if (!sa->req.buf || msg->hdr.msg_id != sa->msgid_next - 1) {
		ike_sa_log(sa, 2, "response %u to no request of ours: dropped", msg->hdr.msg_id);
		return;
	}
	if (msg->hdr.exchange == IKEV2_EXCH_IKE_SA_INIT) {
		/* In clear: the handler checks it, and stops retransmitting if it is good. */
		fn(sa, msg, NULL);
		return;
	}
	if (sa_open(sa, dg, msg, &inner))
		return;
	iked_timer_cancel(&sa->retransmit);
	ike_wire_free(&sa->req);
	sa->on_reply = NULL;
	if (fn)
		fn(sa, msg, &inner);
	if (sa->close_pending && !sa->req.buf && sa->state == IKE_SA_ESTABLISHED)
		ike_sa_delete(sa, true);
	else if (sa->state != IKE_SA_DEAD)
		ike_sa_kick(sa);
}

/**
 * ike_sa_receive - a datagram off an IKE socket
 * @d: the daemon
 * @dg: what arrived (the NAT-T marker already gone)
 */
void ike_sa_receive(struct iked *d, struct iked_dgram *dg)
{
	struct ike_msg msg;
	struct ike_msg_err e;
	struct ike_sa *sa;
	char a[64];
	bool from_initiator;

	/* ISAKMP: major version 1 in the header's version octet */
	if (dg->len > 17 && dg->buf[17] >> 4 == 1) {
		ike_v1_receive(d, dg);
		return;
	}
	if (ike_msg_parse(dg->buf, dg->len, &msg, &e)) {
		iked_log(IKED_ENC, 1, "from %s: %s: dropped",
			 iked_addr_str(&dg->remote, a, sizeof(a)), e.reason);
		return;
	}
	iked_log(IKED_NET, 2, "received %s %s %u (%zu bytes) from %s",
		 ike_msg_exchange_name(msg.hdr.exchange),
		 msg.hdr.flags & IKEV2_FLAG_RESPONSE ? "response" : "request", msg.hdr.msg_id,
		 dg->len, iked_addr_str(&dg->remote, a, sizeof(a)));
	from_initiator = msg.hdr.flags & IKEV2_FLAG_INITIATOR;
	if (msg.hdr.exchange == IKEV2_EXCH_IKE_SA_INIT && !(msg.hdr.flags & IKEV2_FLAG_RESPONSE)) {
		if (from_initiator && msg.hdr.msg_id == 0)
			ike_init_respond(d, dg, &msg);
		return;
	}
	sa = ike_sa_find(d, from_initiator ? msg.hdr.spi_r : msg.hdr.spi_i);
	if (!sa || (sa->initiator == from_initiator) ||
	    memcmp(from_initiator ? sa->spi_i : sa->spi_r,
		   from_initiator ? msg.hdr.spi_i : msg.hdr.spi_r, IKEV2_SPI_LEN)) {
		/* The responder's SPI is not known until its IKE_SA_INIT response. */
		if (sa && !from_initiator && msg.hdr.exchange == IKEV2_EXCH_IKE_SA_INIT &&
		    sa->state == IKE_SA_INIT_SENT)
			goto found;
		iked_log(IKED_IKE, 2, "%s from %s for no IKE SA of ours: dropped",
			 ike_msg_exchange_name(msg.hdr.exchange),
			 iked_addr_str(&dg->remote, a, sizeof(a)));
		return;
	}
found:
	sa->rx = dg->buf;
	sa->rx_len = dg->len;
	if (msg.hdr.flags & IKEV2_FLAG_RESPONSE)
		sa_response_in(sa, dg, &msg);
	else
		sa_request_in(sa, dg, &msg);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * What the control socket's requests do: up, down, list, status, reload.
 * Each runs to its end in the event loop and answers at once; `up` answers
 * once the exchange is on its way, and `veil ike up` follows the SA with
 * `list` until it is up or has failed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <json-c/json.h>
#include <linux/veil.h>

#include "ctl.h"
#include "daemon.h"
#include "v1.h"
#include "log.h"

#ifndef VEIL_VERSION
#define VEIL_VERSION "unknown"
#endif

static const struct iked_conn_cfg *ctl_conn(struct iked *d, const char *name)
{
	unsigned int i;

	for (i = 0; i < d->cfg.n_conns; i++)
		if (!strcmp(d->cfg.conns[i].name, name))
			return &d->cfg.conns[i];
	return NULL;
}

static const struct iked_child_cfg *ctl_child(const struct iked_conn_cfg *conn, const char *name)
{
	unsigned int i;

	for (i = 0; i < conn->n_children; i++)
		if (!strcmp(conn->children[i].name, name))
			return &conn->children[i];
	return NULL;
}

/* The connection (and child) a request names, or an error answer. */
static struct json_object *ctl_lookup(struct iked *d, const struct iked_ctl_req *req,
				      const struct iked_conn_cfg **conn,
				      const struct iked_child_cfg **child)
{
	*conn = ctl_conn(d, req->conn);
	*child = NULL;
	if (!*conn)
		return iked_ctl_error("no connection named \"%s\"", req->conn);
	if (*req->child) {
		*child = ctl_child(*conn, req->child);
		if (!*child)
			return iked_ctl_error("connection \"%s\" has no child named \"%s\"",
					      req->conn, req->child);
	}
	return NULL;
}

/* A live (installed, not replaced) child of @cfg on @sa. */
static bool ctl_child_up(const struct ike_sa *sa, const struct iked_child_cfg *cfg)
{
	const struct ike_child *c;

	for (c = sa->children; c; c = c->next)
		if (c->cfg == cfg && c->installed && !c->rekeyed)
			return true;
	return false;
}

static struct json_object *ctl_up(struct iked *d, const struct iked_ctl_req *req)
{
	const struct iked_conn_cfg *conn;
	const struct iked_child_cfg *child;
	struct json_object *resp;
	struct ike_sa *sa;
	unsigned int i;
	bool already = false;
	int ret;

	resp = ctl_lookup(d, req, &conn, &child);
	if (resp)
		return resp;
	if (!child && !conn->n_children)
		return iked_ctl_error("connection \"%s\" has no children to bring up", conn->name);
	if (!child)
		child = &conn->children[0];
	for (i = 0; i < conn->n_remote_addrs; i++)
		if (iked_ts_is_host(&conn->remote_addrs[i]))
			break;
	if (i == conn->n_remote_addrs)
		return iked_ctl_error("connection \"%s\" has no single address in remote_addrs "
				      "to initiate to", conn->name);
	sa = ike_sa_of_conn(d, conn);
	if (sa) {
		already = ctl_child_up(sa, child);
		if (!already) {
			if (sa->n_ops == IKE_SA_OPS)
				return iked_ctl_error("IKE SA of \"%s\" has too many requests "
						      "waiting: try again", conn->name);
			ike_sa_queue_child(sa, child);
		}
	} else {
		ret = ike_init_start(d, conn, child, NULL, NULL);
		if (ret)
			return iked_ctl_error("cannot initiate \"%s\": %s (see veil-iked's log)",
					      conn->name, strerror(-ret));
	}
	iked_log(IKED_CTL, 1, "up %s.%s%s", conn->name, child->name,
		 already ? ": up already" : "");
	resp = iked_ctl_ok();
	json_object_object_add(resp, "conn", json_object_new_string(conn->name));
	json_object_object_add(resp, "child", json_object_new_string(child->name));
	json_object_object_add(resp, "already", json_object_new_boolean(already));
	return resp;
}

static struct json_object *ctl_down(struct iked *d, const struct iked_ctl_req *req)
{
	const struct iked_conn_cfg *conn;
	const struct iked_child_cfg *child;
	struct json_object *resp;
	struct ike_child *c;
	struct ike_sa *sa;
	unsigned int b, n = 0;

	resp = ctl_lookup(d, req, &conn, &child);
	if (resp)
		return resp;
	for (b = 0; b < IKED_SA_HASH; b++) {
		for (sa = d->sas[b]; sa; sa = sa->hnext) {
			if (sa->conn != conn || sa->state == IKE_SA_DEAD ||
			    sa->state == IKE_SA_DELETING)
				continue;
			if (!child) {
				ike_sa_close(sa);
				n++;
				continue;
			}
			for (c = sa->children; c; c = c->next) {
				if (c->cfg != child || c->rekeyed)
					continue;
				ike_sa_queue(sa, IKE_OP_DELETE_CHILD, c->spi_in);
				n++;
			}
		}
	}
	if (!n)
		return child ? iked_ctl_error("no Child SA of %s.%s is up", conn->name,
					      child->name) :
			       iked_ctl_error("connection \"%s\" has no IKE SA", conn->name);
	iked_log(IKED_CTL, 1, "down %s%s%s: %u %s", conn->name, child ? "." : "",
		 child ? child->name : "", n, child ? "Child SA(s)" : "IKE SA(s)");
	resp = iked_ctl_ok();
	json_object_object_add(resp, "deleted", json_object_new_int(n));
	return resp;
}

static const char *ctl_state_name(enum ike_sa_state s)
{
	switch (s) {
	case IKE_SA_INIT_SENT: return "connecting";
	case IKE_SA_INIT_DONE: return "half-open";
	case IKE_SA_AUTH_SENT: return "authenticating";
	case IKE_SA_ESTABLISHED: return "established";
	case IKE_SA_DELETING: return "deleting";
	case IKE_SA_DEAD: return "dead";
	}
	return "unknown";
}

static void ctl_add_str(struct json_object *o, const char *key, const char *v)
{
	json_object_object_add(o, key, json_object_new_string(v));
}

static void ctl_add_u64(struct json_object *o, const char *key, uint64_t v)
{
	json_object_object_add(o, key, json_object_new_uint64(v));
}

/* Seconds from now until @when (monotonic ms), for a timer that is armed. */
static void ctl_add_timer(struct json_object *o, const char *key, const struct iked_timer *t)
{
	uint64_t now = iked_now_ms();

	if (iked_timer_armed(t))
		ctl_add_u64(o, key, t->when > now ? (t->when - now + 999) / 1000 : 0);
}

/* Seconds from now until @when (the epoch), when it is set. */
static void ctl_add_at(struct json_object *o, const char *key, uint64_t when)
{
	uint64_t now = time(NULL);

	if (when)
		ctl_add_u64(o, key, when > now ? when - now : 0);
}

static void ctl_add_addr(struct json_object *o, const char *key, const char *port_key,
			 const struct sockaddr_storage *ss)
{
	char buf[64];

	/* iked_addr_str() writes "addr[port]" or "[v6]:port": the address alone here */
	if (!inet_ntop(ss->ss_family, iked_addr_bytes(ss), buf, sizeof(buf)))
		strcpy(buf, "?");
	ctl_add_str(o, key, buf);
	json_object_object_add(o, port_key, json_object_new_int(iked_addr_port(ss)));
}

static void ctl_add_hex(struct json_object *o, const char *key, const uint8_t *b, size_t n)
{
	char buf[2 * 16 + 1];
	size_t i;

	for (i = 0; i < n && i < 16; i++)
		snprintf(buf + 2 * i, 3, "%02x", b[i]);
	buf[2 * i] = '\0';
	ctl_add_str(o, key, buf);
}

static struct json_object *ctl_ts_array(const struct iked_ts *ts, unsigned int n)
{
	struct json_object *a = json_object_new_array();
	char buf[128];
	unsigned int i;

	for (i = 0; i < n; i++) {
		iked_ts_format(&ts[i], buf, sizeof(buf));
		json_object_array_add(a, json_object_new_string(buf));
	}
	return a;
}

/*
 * What one SA of a child carried, from veil.ko (one sa-get each way);
 * left out when veil.ko does not have the SA (deferred, or just gone).
 */
static void ctl_add_counters(struct iked *d, struct json_object *o, const char *dir,
			     const struct sockaddr_storage *dst, uint8_t proto, uint32_t spi)
{
	struct iked_kernel_sa_state st;
	char key[32];

	if (iked_kernel_sa_state(&d->kernel, dst->ss_family, iked_addr_bytes(dst), proto, spi, &st))
		return;
	snprintf(key, sizeof(key), "bytes_%s", dir);
	ctl_add_u64(o, key, st.bytes);
	snprintf(key, sizeof(key), "packets_%s", dir);
	ctl_add_u64(o, key, st.packets);
}

static struct json_object *ctl_child_json(struct iked *d, const struct ike_sa *sa,
					  const struct ike_child *c)
{
	struct json_object *o = json_object_new_object();
	char buf[512], spi[16];

	ctl_add_str(o, "name", c->cfg->name);
	ctl_add_str(o, "state", c->rekeyed ? "closing" : c->rekeying ? "rekeying" :
		    c->installed ? "installed" : "installing");
	ctl_add_u64(o, "reqid", c->reqid);
	ctl_add_str(o, "mode", c->mode == VEIL_MODE_TRANSPORT ? "transport" : "tunnel");
	ctl_add_str(o, "protocol", c->proto == VEIL_PROTO_AH ? "ah" : "esp");
	snprintf(spi, sizeof(spi), "%08x", c->spi_in);
	ctl_add_str(o, "spi_in", spi);
	snprintf(spi, sizeof(spi), "%08x", c->spi_out);
	ctl_add_str(o, "spi_out", spi);
	ike_prop_format(&c->chosen, buf, sizeof(buf));
	ctl_add_str(o, "proposal", buf);
	json_object_object_add(o, "encap", json_object_new_boolean(c->encap));
	json_object_object_add(o, "local_ts", ctl_ts_array(c->ts_local, c->n_local));
	json_object_object_add(o, "remote_ts", ctl_ts_array(c->ts_remote, c->n_remote));
	if (c->installed) {
		ctl_add_counters(d, o, "in", &sa->local, c->proto, c->spi_in);
		if (!c->defer_out)
			ctl_add_counters(d, o, "out", ike_child_peer(sa, c), c->proto,
					 c->spi_out);
	}
	if (c->installed_at)
		ctl_add_u64(o, "installed", c->installed_at);
	ctl_add_at(o, "rekey_secs", c->rekey_at);
	ctl_add_at(o, "expire_secs", c->expire_at);
	return o;
}

/* The children an SA is bringing up: IKE_AUTH's, queued ones, one in flight. */
static struct json_object *ctl_pending(const struct ike_sa *sa)
{
	struct json_object *a = json_object_new_array();
	unsigned int i;

	if (sa->pending && sa->state != IKE_SA_ESTABLISHED)
		json_object_array_add(a, json_object_new_string(sa->pending->name));
	for (i = 0; i < sa->n_ops; i++)
		if (sa->ops[i].type == IKE_OP_NEW_CHILD && sa->ops[i].cfg)
			json_object_array_add(a, json_object_new_string(sa->ops[i].cfg->name));
	if (sa->req.buf && sa->rekey_ctx.cfg && !sa->rekey_ctx.old_spi)
		json_object_array_add(a, json_object_new_string(sa->rekey_ctx.cfg->name));
	if (ike_v1_qm_new_child(sa))
		json_object_array_add(a, json_object_new_string(ike_v1_qm_new_child(sa)->name));
	return a;
}

static struct json_object *ctl_sa_json(struct iked *d, const struct ike_sa *sa)
{
	struct json_object *o = json_object_new_object(), *ch = json_object_new_array();
	const struct ike_child *c;
	char buf[512];

	ctl_add_str(o, "conn", sa->conn ? sa->conn->name : "");
	ctl_add_str(o, "state", ctl_state_name(sa->state));
	json_object_object_add(o, "initiator", json_object_new_boolean(sa->initiator));
	ctl_add_addr(o, "local", "local_port", &sa->local);
	ctl_add_addr(o, "remote", "remote_port", &sa->remote);
	ctl_add_hex(o, "spi_i", sa->spi_i, IKEV2_SPI_LEN);
	ctl_add_hex(o, "spi_r", sa->spi_r, IKEV2_SPI_LEN);
	if (sa->sk) {
		ike_prop_format(&sa->chosen, buf, sizeof(buf));
		ctl_add_str(o, "proposal", buf);
	}
	json_object_object_add(o, "natt", json_object_new_boolean(sa->natt));
	json_object_object_add(o, "nat_local", json_object_new_boolean(sa->nat_local));
	json_object_object_add(o, "nat_remote", json_object_new_boolean(sa->nat_remote));
	if (sa->state == IKE_SA_ESTABLISHED || sa->state == IKE_SA_DELETING) {
		iked_id_format(&sa->peer_id, buf, sizeof(buf));
		ctl_add_str(o, "peer_id", buf);
	}
	if (sa->established_at) {
		ctl_add_u64(o, "established", sa->established_at);
		ctl_add_u64(o, "established_secs", (uint64_t)time(NULL) - sa->established_at);
	}
	ctl_add_timer(o, "rekey_secs", &sa->rekey);
	ctl_add_timer(o, "expire_secs", &sa->expire);
	for (c = sa->children; c; c = c->next)
		json_object_array_add(ch, ctl_child_json(d, sa, c));
	json_object_object_add(o, "children", ch);
	json_object_object_add(o, "pending", ctl_pending(sa));
	return o;
}

static const char *ctl_action_name(enum iked_action a)
{
	switch (a) {
	case IKED_ACTION_NONE: return "none";
	case IKED_ACTION_TRAP: return "trap";
	case IKED_ACTION_START: return "start";
	case IKED_ACTION_CLEAR: return "clear";
	case IKED_ACTION_RESTART: return "restart";
	}
	return "?";
}

/* Every connection, with its IKE SAs counted and its children's traps. */
static struct json_object *ctl_conns_json(struct iked *d)
{
	struct json_object *a = json_object_new_array(), *o, *ch, *co;
	const struct ike_sa *sa;
	unsigned int i, j, b, n;

	for (i = 0; i < d->cfg.n_conns; i++) {
		const struct iked_conn_cfg *conn = &d->cfg.conns[i];

		for (n = 0, b = 0; b < IKED_SA_HASH; b++)
			for (sa = d->sas[b]; sa; sa = sa->hnext)
				n += sa->conn == conn && sa->state != IKE_SA_DEAD;
		o = json_object_new_object();
		ctl_add_str(o, "name", conn->name);
		json_object_object_add(o, "ike_sas", json_object_new_int(n));
		ch = json_object_new_array();
		for (j = 0; j < conn->n_children; j++) {
			co = json_object_new_object();
			ctl_add_str(co, "name", conn->children[j].name);
			ctl_add_str(co, "start_action",
				    ctl_action_name(conn->children[j].start_action));
			json_object_object_add(co, "trapped",
					       json_object_new_boolean(conn->children[j].trapped));
			ctl_add_u64(co, "reqid", conn->children[j].reqid);
			json_object_array_add(ch, co);
		}
		json_object_object_add(o, "children", ch);
		json_object_array_add(a, o);
	}
	return a;
}

static struct json_object *ctl_list(struct iked *d)
{
	struct json_object *resp = iked_ctl_ok(), *sas = json_object_new_array();
	const struct ike_sa *sa;
	unsigned int b;

	for (b = 0; b < IKED_SA_HASH; b++)
		for (sa = d->sas[b]; sa; sa = sa->hnext)
			if (sa->state != IKE_SA_DEAD)
				json_object_array_add(sas, ctl_sa_json(d, sa));
	json_object_object_add(resp, "ike_sas", sas);
	json_object_object_add(resp, "conns", ctl_conns_json(d));
	return resp;
}

static struct json_object *ctl_status(struct iked *d)
{
	struct json_object *resp = iked_ctl_ok(), *states = json_object_new_object();
	unsigned int b, n[IKE_SA_DEAD + 1] = { 0 }, children = 0, total = 0;
	const struct ike_child *c;
	const struct ike_sa *sa;
	int s;

	for (b = 0; b < IKED_SA_HASH; b++) {
		for (sa = d->sas[b]; sa; sa = sa->hnext) {
			if (sa->state == IKE_SA_DEAD)
				continue;
			n[sa->state]++;
			total++;
			for (c = sa->children; c; c = c->next)
				children += c->installed && !c->rekeyed;
		}
	}
	ctl_add_str(resp, "version", VEIL_VERSION);
	json_object_object_add(resp, "pid", json_object_new_int(getpid()));
	ctl_add_u64(resp, "uptime", (iked_now_ms() - d->started_ms) / 1000);
	json_object_object_add(resp, "ike_sas", json_object_new_int(total));
	for (s = IKE_SA_INIT_SENT; s < IKE_SA_DEAD; s++)
		json_object_object_add(states, ctl_state_name(s), json_object_new_int(n[s]));
	json_object_object_add(resp, "ike_sa_states", states);
	json_object_object_add(resp, "child_sas", json_object_new_int(children));
	json_object_object_add(resp, "half_open", json_object_new_int(d->half_open));
	json_object_object_add(resp, "connections", json_object_new_int(d->cfg.n_conns));
	return resp;
}

static struct json_object *ctl_reload(struct iked *d)
{
	struct json_object *changes = json_object_new_object(), *resp;
	char err[512];

	if (iked_reload(d, changes, err, sizeof(err))) {
		json_object_put(changes);
		return iked_ctl_error("%s", err);
	}
	resp = iked_ctl_ok();
	json_object_object_foreach(changes, key, val)
		json_object_object_add(resp, key, json_object_get(val));
	json_object_put(changes);
	return resp;
}

/**
 * iked_ctl_run - carry out a request
 * @d: the daemon
 * @req: what is asked
 *
 * Return: the answer (NULL when out of memory).
 */
struct json_object *iked_ctl_run(struct iked *d, const struct iked_ctl_req *req)
{
	if (d->stop && req->cmd != IKED_CTL_LIST && req->cmd != IKED_CTL_STATUS)
		return iked_ctl_error("veil-iked is stopping");
	switch (req->cmd) {
	case IKED_CTL_UP:
		return ctl_up(d, req);
	case IKED_CTL_DOWN:
		return ctl_down(d, req);
	case IKED_CTL_LIST:
		return ctl_list(d);
	case IKED_CTL_STATUS:
		return ctl_status(d);
	case IKED_CTL_RELOAD:
		return ctl_reload(d);
	}
	return iked_ctl_error("unknown command");
}

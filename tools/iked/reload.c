// SPDX-License-Identifier: GPL-2.0
/*
 * Reading the configuration, at start and again on a reload (SIGHUP or
 * `veil ike reload`).
 *
 * IKE SAs, their children, their queued requests and the requests they
 * have in flight point into the configuration (const struct iked_conn_cfg
 * and iked_child_cfg). A reload parses the files into a fresh struct
 * iked_config and, only if that works, moves every such pointer to the
 * entry of the same name in it: an IKE SA whose connection is gone is
 * deleted (the peer told), and so is a child whose configuration is gone.
 * Until those are gone, the configuration they point into is kept
 * (struct iked_retired), and freed once nothing points into it.
 *
 * A child configuration keeps its reqid for as long as its name stays:
 * the reqid ties its SAs in veil.ko to its policies and to its trap.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <json-c/json.h>

#include "ctl.h"
#include "daemon.h"
#include "log.h"

/* Every proposal in the configuration parses, or it is refused. */
static int reload_check_proposals(const struct iked_config *cfg, char *err, size_t errlen)
{
	struct ike_prop props[IKED_MAX_PROPS];
	char why[256];
	unsigned int i, j;

	for (i = 0; i < cfg->n_conns; i++) {
		const struct iked_conn_cfg *c = &cfg->conns[i];

		if (ike_prop_parse(c->proposals, IKEV2_PROTO_IKE, props, IKED_MAX_PROPS, why,
				   sizeof(why)) < 0) {
			snprintf(err, errlen, "connection %s: proposals: %s", c->name, why);
			return -1;
		}
		for (j = 0; j < c->n_children; j++) {
			if (ike_child_props(&c->children[j], 0, true, props, IKED_MAX_PROPS, why,
					    sizeof(why)) < 0) {
				snprintf(err, errlen, "child %s.%s: %s", c->name,
					 c->children[j].name, why);
				return -1;
			}
		}
	}
	return 0;
}

/**
 * iked_config_read - read the configuration and the secrets, and check them
 * @cfg: filled in; free it with iked_conf_free()
 * @conf: the configuration file
 * @secrets: the secrets file (left alone when it does not exist)
 * @err: what is wrong, "FILE:LINE: ..." where it can
 * @errlen: its size
 *
 * Return: 0, or -1 with @err set and nothing left to free.
 */
int iked_config_read(struct iked_config *cfg, const char *conf, const char *secrets, char *err,
		     size_t errlen)
{
	if (iked_conf_load(cfg, conf, err, errlen))
		return -1;
	if ((access(secrets, F_OK) == 0 && iked_secrets_load(cfg, secrets, true, err, errlen)) ||
	    iked_creds_load(cfg, conf, err, errlen) || reload_check_proposals(cfg, err, errlen)) {
		iked_conf_free(cfg);
		return -1;
	}
	return 0;
}

static const struct iked_conn_cfg *reload_conn(const struct iked_config *cfg, const char *name)
{
	unsigned int i;

	for (i = 0; i < cfg->n_conns; i++)
		if (!strcmp(cfg->conns[i].name, name))
			return &cfg->conns[i];
	return NULL;
}

static const struct iked_child_cfg *reload_child(const struct iked_conn_cfg *conn,
						 const char *name)
{
	unsigned int i;

	for (i = 0; conn && i < conn->n_children; i++)
		if (!strcmp(conn->children[i].name, name))
			return &conn->children[i];
	return NULL;
}

/*
 * Whether a trap installed for (@oc, @och) is the one (@nc, @nch) would
 * install: the same selectors, template, protocol, mode and reqid.
 */
static bool reload_trap_same(const struct iked_conn_cfg *oc, const struct iked_child_cfg *och,
			     const struct iked_conn_cfg *nc, const struct iked_child_cfg *nch)
{
	return nch->start_action == IKED_ACTION_TRAP && och->reqid == nch->reqid &&
	       oc->n_local_addrs == nc->n_local_addrs && oc->n_remote_addrs == nc->n_remote_addrs &&
	       !memcmp(oc->local_addrs, nc->local_addrs, sizeof(oc->local_addrs)) &&
	       !memcmp(oc->remote_addrs, nc->remote_addrs, sizeof(oc->remote_addrs)) &&
	       oc->local_port == nc->local_port && oc->remote_port == nc->remote_port &&
	       och->n_local_ts == nch->n_local_ts && och->n_remote_ts == nch->n_remote_ts &&
	       !memcmp(och->local_ts, nch->local_ts, sizeof(och->local_ts)) &&
	       !memcmp(och->remote_ts, nch->remote_ts, sizeof(och->remote_ts)) &&
	       och->mode == nch->mode && !*och->ah_proposals == !*nch->ah_proposals &&
	       och->if_id_in == nch->if_id_in && och->if_id_out == nch->if_id_out;
}

/* Whether a connection's settings, or its children's, differ. */
static bool reload_conn_changed(const struct iked_conn_cfg *a, const struct iked_conn_cfg *b)
{
	struct iked_conn_cfg ca, cb;
	struct iked_child_cfg ka, kb;
	unsigned int i;

	if (a->n_children != b->n_children)
		return true;
	/* memcpy, not assignment: the padding (zero from calloc) is compared too */
	memcpy(&ca, a, sizeof(ca));
	memcpy(&cb, b, sizeof(cb));
	ca.children = cb.children = NULL;
	if (memcmp(&ca, &cb, sizeof(ca)))
		return true;
	for (i = 0; i < a->n_children; i++) {
		memcpy(&ka, &a->children[i], sizeof(ka));
		memcpy(&kb, &b->children[i], sizeof(kb));
		ka.reqid = kb.reqid = 0;
		ka.trapped = kb.trapped = false;
		if (memcmp(&ka, &kb, sizeof(ka)))
			return true;
	}
	return false;
}

/* Whether @p points into @cfg's connections or children. */
static bool reload_holds(const struct iked_config *cfg, const void *p)
{
	const char *c = p;
	unsigned int i;

	if (!p)
		return false;
	if (c >= (const char *)cfg->conns && c < (const char *)(cfg->conns + cfg->n_conns))
		return true;
	for (i = 0; i < cfg->n_conns; i++)
		if (c >= (const char *)cfg->conns[i].children &&
		    c < (const char *)(cfg->conns[i].children + cfg->conns[i].n_children))
			return true;
	return false;
}

static bool reload_in_use(struct iked *d, const struct iked_config *cfg)
{
	const struct ike_child *c;
	const struct ike_sa *sa;
	unsigned int b, i;

	for (b = 0; b < IKED_SA_HASH; b++) {
		for (sa = d->sas[b]; sa; sa = sa->hnext) {
			if (sa->state == IKE_SA_DEAD)
				continue;
			if (reload_holds(cfg, sa->conn) || reload_holds(cfg, sa->pending) ||
			    (sa->req.buf && reload_holds(cfg, sa->rekey_ctx.cfg)))
				return true;
			for (i = 0; i < sa->n_ops; i++)
				if (reload_holds(cfg, sa->ops[i].cfg))
					return true;
			for (c = sa->children; c; c = c->next)
				if (reload_holds(cfg, c->cfg))
					return true;
		}
	}
	return false;
}

/**
 * iked_reload_gc - free the replaced configurations nothing points into
 * @d: the daemon
 *
 * Called between events, after ike_sa_reap(), while any are kept.
 */
void iked_reload_gc(struct iked *d)
{
	struct iked_retired **pp = &d->retired, *r;

	while ((r = *pp)) {
		if (reload_in_use(d, &r->cfg)) {
			pp = &r->next;
			continue;
		}
		*pp = r->next;
		iked_conf_free(&r->cfg);
		free(r);
		iked_log(IKED_CFG, 2, "the configuration before a reload is freed");
	}
}

/* At exit: every SA is gone, and so is what they pointed into. */
void iked_reload_free(struct iked *d)
{
	struct iked_retired *r;

	while ((r = d->retired)) {
		d->retired = r->next;
		iked_conf_free(&r->cfg);
		free(r);
	}
}

/*
 * Moves @sa's pointers from the old configuration to @nc. Children whose
 * configuration is gone are deleted afterwards (each deletion may send at
 * once, and so must not run while the pointers are half moved).
 */
static unsigned int reload_repoint(struct ike_sa *sa, const struct iked_conn_cfg *nc)
{
	uint32_t gone[64];
	const struct iked_child_cfg *ch;
	struct ike_child *c;
	unsigned int i, k, n = 0;

	sa->conn = nc;
	for (c = sa->children; c; c = c->next) {
		ch = reload_child(nc, c->cfg->name);
		if (ch)
			c->cfg = ch;
		else if (!c->rekeyed && n < sizeof(gone) / sizeof(gone[0]))
			gone[n++] = c->spi_in;
	}
	/* Gone ones keep their old pointer (kept alive) and come up to go again. */
	if (sa->pending && (ch = reload_child(nc, sa->pending->name)))
		sa->pending = ch;
	if (sa->rekey_ctx.cfg && (ch = reload_child(nc, sa->rekey_ctx.cfg->name)))
		sa->rekey_ctx.cfg = ch;
	for (i = k = 0; i < sa->n_ops; i++) {
		if (sa->ops[i].type == IKE_OP_NEW_CHILD) {
			ch = reload_child(nc, sa->ops[i].cfg->name);
			if (!ch)
				continue;	/* not to be started any more */
			sa->ops[i].cfg = ch;
		}
		sa->ops[k++] = sa->ops[i];
	}
	sa->n_ops = k;
	for (i = 0; i < n; i++)
		ike_sa_queue(sa, IKE_OP_DELETE_CHILD, gone[i]);
	return n;
}

static void reload_add_name(struct json_object *changes, const char *key, const char *name)
{
	struct json_object *a;

	if (!json_object_object_get_ex(changes, key, &a)) {
		a = json_object_new_array();
		json_object_object_add(changes, key, a);
	}
	json_object_array_add(a, json_object_new_string(name));
}

/* "; added a, b; removed c" for the log */
static void reload_describe(struct json_object *changes, char *buf, size_t len)
{
	static const char *const keys[] = { "added", "removed", "changed" };
	struct json_object *a;
	size_t i, k, off = 0;

	*buf = '\0';
	for (k = 0; k < 3; k++) {
		if (!json_object_object_get_ex(changes, keys[k], &a))
			continue;
		for (i = 0; i < json_object_array_length(a) && off < len; i++)
			off += snprintf(buf + off, len - off, "%s%s", i ? ", " : keys[k][0] == 'a' ?
					"; added " : keys[k][0] == 'r' ? "; removed " : "; changed ",
					json_object_get_string(json_object_array_get_idx(a, i)));
	}
}

/**
 * iked_conn_start - what start_action says for a connection's children
 * @d: the daemon
 * @c: the connection
 * @old: its configuration before a reload, or NULL: only children new
 *	since then are started
 *
 * The first child comes with IKE_AUTH; the others follow it by
 * CREATE_CHILD_SA, as with an IKE SA that is up already. Traps are the
 * caller's.
 */
void iked_conn_start(struct iked *d, const struct iked_conn_cfg *c,
		     const struct iked_conn_cfg *old)
{
	const struct iked_child_cfg *ch;
	struct ike_sa *sa = ike_sa_of_conn(d, c);
	unsigned int j;

	for (j = 0; j < c->n_children; j++) {
		ch = &c->children[j];
		if (ch->start_action != IKED_ACTION_START || (old && reload_child(old, ch->name)))
			continue;
		if (sa) {
			ike_sa_queue_child(sa, ch);
		} else if (!ike_init_start(d, c, ch, NULL, NULL)) {
			sa = ike_sa_of_conn(d, c);
			if (!sa)
				return;
		}
	}
}

/* The settings that cannot change without a restart keep their values. */
static void reload_globals(struct iked *d, struct iked_config *nc)
{
	unsigned int i;

	if (nc->ike_port != d->cfg.ike_port || nc->natt_port != d->cfg.natt_port ||
	    strcmp(nc->ctl_socket, d->cfg.ctl_socket))
		iked_log(IKED_CFG, 0, "reload: port, port_nat_t and ctl_socket take effect "
			 "when veil-iked restarts");
	nc->ike_port = d->cfg.ike_port;
	nc->natt_port = d->cfg.natt_port;
	strcpy(nc->ctl_socket, d->cfg.ctl_socket);
	for (i = 0; i < IKED_NSUBSYS; i++) {
		if (d->debug && nc->log_levels[i] < 2)
			nc->log_levels[i] = 2;
		iked_log_set(i, nc->log_levels[i]);
	}
}

/**
 * iked_reload - read the configuration and secrets files again and switch
 *	to them
 * @d: the daemon
 * @changes: filled with what changed: "added", "removed", "changed" (names
 *	of connections), "ike_sas_deleted", "child_sas_deleted"
 * @err: why the files were refused (the daemon then runs on as it was)
 * @errlen: its size
 *
 * Return: 0 or -1.
 */
int iked_reload(struct iked *d, struct json_object *changes, char *err, size_t errlen)
{
	struct iked_config nc;
	struct iked_retired *old;
	const struct iked_conn_cfg *oc, *ncc;
	const struct iked_child_cfg *och;
	struct iked_child_cfg *nch;
	struct ike_sa *sa;
	unsigned int i, j, b, n_ike = 0, n_child = 0;
	char what[512];

	if (iked_config_read(&nc, d->conf_path, d->secrets_path, err, errlen)) {
		iked_log(IKED_CFG, 0, "reload refused, the configuration stays as it was: %s",
			 err);
		return -1;
	}
	old = calloc(1, sizeof(*old));
	if (!old) {
		iked_conf_free(&nc);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	reload_globals(d, &nc);
	/* reqids: kept by name; new children get ones never used */
	for (i = 0; i < nc.n_conns; i++) {
		oc = reload_conn(&d->cfg, nc.conns[i].name);
		for (j = 0; j < nc.conns[i].n_children; j++) {
			nch = &nc.conns[i].children[j];
			och = reload_child(oc, nch->name);
			nch->reqid = och ? och->reqid : d->next_reqid++;
		}
		if (!oc)
			reload_add_name(changes, "added", nc.conns[i].name);
		else if (reload_conn_changed(oc, &nc.conns[i]))
			reload_add_name(changes, "changed", nc.conns[i].name);
	}
	/* Old traps stay if the new configuration has the same, else go. */
	for (i = 0; i < d->cfg.n_conns; i++) {
		struct iked_conn_cfg *occ = &d->cfg.conns[i];

		ncc = reload_conn(&nc, occ->name);
		if (!ncc)
			reload_add_name(changes, "removed", occ->name);
		for (j = 0; j < occ->n_children; j++) {
			struct iked_child_cfg *ochm = &occ->children[j];

			if (!ochm->trapped)
				continue;
			nch = (struct iked_child_cfg *)reload_child(ncc, ochm->name);
			if (nch && reload_trap_same(occ, ochm, ncc, nch)) {
				nch->trapped = true;
			} else {
				ike_child_trap(d, occ, ochm, false);
			}
			ochm->trapped = false;
		}
	}
	/* IKE SAs move to the new configuration, or go. */
	for (b = 0; b < IKED_SA_HASH; b++) {
		for (sa = d->sas[b]; sa; sa = sa->hnext) {
			if (sa->state == IKE_SA_DEAD || !sa->conn)
				continue;
			ncc = reload_conn(&nc, sa->conn->name);
			if (ncc) {
				n_child += reload_repoint(sa, ncc);
			} else if (sa->state != IKE_SA_DELETING) {
				sa->n_ops = 0;
				ike_sa_close(sa);
				n_ike++;
			}
		}
	}
	for (i = 0; i < nc.n_conns; i++)
		for (j = 0; j < nc.conns[i].n_children; j++) {
			nch = &nc.conns[i].children[j];
			if (nch->start_action == IKED_ACTION_TRAP && !nch->trapped)
				nch->trapped = !ike_child_trap(d, &nc.conns[i], nch, true);
		}
	old->cfg = d->cfg;
	d->cfg = nc;
	old->next = d->retired;
	d->retired = old;
	for (i = 0; i < d->cfg.n_conns; i++)
		iked_conn_start(d, &d->cfg.conns[i], reload_conn(&old->cfg, d->cfg.conns[i].name));
	json_object_object_add(changes, "connections", json_object_new_int(d->cfg.n_conns));
	json_object_object_add(changes, "ike_sas_deleted", json_object_new_int(n_ike));
	json_object_object_add(changes, "child_sas_deleted", json_object_new_int(n_child));
	reload_describe(changes, what, sizeof(what));
	iked_log(IKED_CFG, 0, "reloaded: %u connection%s, %u secret%s%s; %u IKE SA%s and %u "
		 "Child SA%s deleted", d->cfg.n_conns, d->cfg.n_conns == 1 ? "" : "s", d->cfg.n_secrets,
		 d->cfg.n_secrets == 1 ? "" : "s", what, n_ike, n_ike == 1 ? "" : "s", n_child,
		 n_child == 1 ? "" : "s");
	iked_reload_gc(d);
	return 0;
}

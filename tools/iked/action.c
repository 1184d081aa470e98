// SPDX-License-Identifier: GPL-2.0
/*
 * What happens after an IKE SA or a child ends other than by our own
 * choice, as swanctl.conf's settings say: a dead peer (dpd_action), a
 * peer that closes (close_action), and an initiator's attempt that got no
 * answer (keyingtries). "trap" leaves trap policies behind, so that the
 * next packet brings the tunnel up again; "restart"/"start" begins anew
 * at once.
 *
 * Traps made this way are marked on the child's configuration, as
 * start_action's are, so that a child that later ends leaves them in
 * place, a reload keeps them, and a stop removes them.
 */
#include <string.h>

#include "daemon.h"
#include "log.h"

/* Installs @cfg's trap, once; cfg->trapped says it is in (config.h). */
static void action_trap(struct iked *d, const struct iked_conn_cfg *conn,
			const struct iked_child_cfg *cfg)
{
	if (cfg->trapped)
		return;
	/* the flag is the daemon's, in its own (writable) configuration */
	if (!ike_child_trap(d, conn, cfg, true))
		((struct iked_child_cfg *)cfg)->trapped = true;
}

/* What @why asks of a child of configuration @cfg. */
static enum iked_action action_of(const struct iked_child_cfg *cfg, enum ike_end why)
{
	enum iked_action a = why == IKE_END_DEAD_PEER ? cfg->dpd_action : cfg->close_action;

	return a == IKED_ACTION_START ? IKED_ACTION_RESTART : a;
}

/**
 * ike_action_sa_end - an IKE SA ends: the peer is dead or deleted it
 * @sa: the SA, established
 * @why: which
 * @text: for the log
 *
 * The SA goes (ike_sa_dead()); then each of its children's configurations
 * gets its trap, or is brought up again on a new IKE SA.
 */
void ike_action_sa_end(struct ike_sa *sa, enum ike_end why, const char *text)
{
	const struct iked_child_cfg *restart[IKE_SA_OPS];
	const struct iked_conn_cfg *conn = sa->conn;
	struct iked *d = sa->d;
	unsigned int n = 0, i;
	struct ike_child *c;
	struct ike_sa *nsa;

	for (c = sa->children; c; c = c->next) {
		if (c->rekeyed || d->stop)
			continue;
		switch (action_of(c->cfg, why)) {
		case IKED_ACTION_TRAP:
			/*
			 * Before the child goes: the trap takes over its
			 * policies (policy-update), which then stay, so that no
			 * packet passes in clear meanwhile.
			 */
			iked_log(IKED_IKE, 1, "%s.%s: %s: trap", conn->name, c->cfg->name,
				 why == IKE_END_DEAD_PEER ? "dpd_action" : "close_action");
			action_trap(d, conn, c->cfg);
			break;
		case IKED_ACTION_RESTART:
			if (n < IKE_SA_OPS)
				restart[n++] = c->cfg;
			break;
		default:
			break;
		}
	}
	ike_sa_dead(sa, text);
	nsa = NULL;
	for (i = 0; i < n; i++) {
		iked_log(IKED_IKE, 1, "%s.%s: %s: restarting", conn->name, restart[i]->name,
			 why == IKE_END_DEAD_PEER ? "dpd_action" : "close_action");
		if (!nsa) {
			if (ike_init_start(d, conn, restart[i], NULL, NULL))
				return;
			nsa = ike_sa_of_conn(d, conn);
		} else {
			ike_sa_queue_child(nsa, restart[i]);
		}
	}
}

/**
 * ike_action_child_closed - the peer deleted a child: it goes, and its
 * close_action follows (a rekey's old child just goes)
 * @sa: the IKE SA, which stays
 * @c: the child
 */
void ike_action_child_closed(struct ike_sa *sa, struct ike_child *c)
{
	const struct iked_child_cfg *cfg = c->cfg;
	enum iked_action a = c->rekeyed || sa->d->stop ? IKED_ACTION_NONE :
			     action_of(cfg, IKE_END_PEER_CLOSED);

	if (a == IKED_ACTION_TRAP) {
		/* first, so that its policies stay (see ike_action_sa_end()) */
		ike_sa_log(sa, 1, "child %s: close_action: trap", cfg->name);
		action_trap(sa->d, sa->conn, cfg);
	}
	ike_child_uninstall(sa, c);
	ike_child_release(sa, c);
	if (a == IKED_ACTION_RESTART) {
		ike_sa_log(sa, 1, "child %s: close_action: starting it again", cfg->name);
		ike_sa_queue_child(sa, cfg);
	}
}

/**
 * ike_action_retry - an initiator's IKE SA got no answer before it was up
 * @sa: the SA, dead already (so that it is not taken for the new one)
 *
 * Return: whether another attempt was started (keyingtries: 0 is for ever).
 */
bool ike_action_retry(struct ike_sa *sa)
{
	const struct iked_conn_cfg *conn = sa->conn;
	unsigned int next = sa->keying_try + 1;
	struct ike_sa *nsa;

	if (!sa->initiator || sa->d->stop ||
	    (conn->keyingtries && next >= conn->keyingtries))
		return false;
	if (conn->keyingtries)
		ike_sa_log(sa, 0, "%s: attempt %u of %u", conn->name, next + 1, conn->keyingtries);
	else
		ike_sa_log(sa, 0, "%s: attempt %u (keyingtries unlimited)", conn->name, next + 1);
	if (ike_init_start(sa->d, conn, sa->pending, sa->has_pending_ts ? &sa->pending_ts : NULL,
			   sa->has_pending_ts ? &sa->pending_ts_dst : NULL))
		return false;
	nsa = ike_sa_of_conn(sa->d, conn);
	if (nsa && nsa != sa)
		nsa->keying_try = next;
	return true;
}

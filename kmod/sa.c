// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The veil authors. All Rights Reserved.
 *
 * The security association database of one network namespace.
 *
 * Locking: writers hold veil_net.conf_lock. Readers (the datapath, dumps)
 * use RCU only: SAs are found in rhashtables and freed after a grace
 * period. An SA is never changed in place once published, except for the
 * counters and first-use state behind veil_sa.lock; an update publishes a
 * new SA in the old one's place.
 *
 * Lifetimes: time limits are enforced by a delayed work per SA that fires
 * at the next deadline; byte and packet limits by veil_sa_account(), which
 * the datapath calls per packet and which kicks the same work.
 */

#include <linux/jiffies.h>
#include <linux/llist.h>
#include <linux/module.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <net/netlink.h>

#include "main.h"
#include "netlink.h"
#include "output.h"
#include "replay.h"
#include "sa.h"
#include "uapi/linux/veil.h"

unsigned int veil_sa_limit = 1000000;
module_param_named(sa_limit, veil_sa_limit, uint, 0644);
MODULE_PARM_DESC(sa_limit, "Most SAs one network namespace may hold (default 1000000)");

static struct workqueue_struct *veil_sa_wq;
static struct kmem_cache *veil_sa_cache;

/*
 * The tables grow with the SAD but do not shrink as SAs are deleted, as
 * XFRM's do not: deleting a million SAs one by one would otherwise rehash
 * again and again while the table empties, and a gateway that had that
 * many SAs will have them again after the next rekey storm. Flushing
 * every SA replaces the tables with new, small ones (veil_sa_flush_all()).
 */
static const struct rhashtable_params veil_sa_params = {
	.key_len = sizeof(struct veil_sa_key),
	.key_offset = offsetof(struct veil_sa, key),
	.head_offset = offsetof(struct veil_sa, node),
};

static const struct rhashtable_params veil_sa_tmpl_params = {
	.key_len = sizeof(struct veil_sa_tkey),
	.key_offset = offsetof(struct veil_sa_tgroup, key),
	.head_offset = offsetof(struct veil_sa_tgroup, node),
};

static void veil_sa_lft_work(struct work_struct *work);

static bool veil_sa_has_limits(const struct veil_sa *sa)
{
	const struct veil_lifetime *l = &sa->lft;

	return l->soft_bytes | l->hard_bytes | l->soft_packets | l->hard_packets |
	       l->soft_add | l->hard_add | l->soft_use | l->hard_use;
}

/**
 * veil_sa_alloc() - a zeroed SA holding one reference
 *
 * Return: the SA, or NULL on ENOMEM.
 */
struct veil_sa *veil_sa_alloc(void)
{
	struct veil_sa *sa = kmem_cache_zalloc(veil_sa_cache, GFP_KERNEL);

	if (!sa)
		return NULL;
	spin_lock_init(&sa->lock);
	INIT_DELAYED_WORK(&sa->lft_work, veil_sa_lft_work);
	refcount_set(&sa->refcnt, 1);
	return sa;
}

/*
 * SAs whose last reference is gone wait here for one grace period, then
 * are freed together by veil_sa_reap(), as XFRM's state GC does. One
 * call_rcu() per SA would run every free in softirq on the CPU that
 * flushed, in the middle of the flush; the reaper runs on an unbound
 * worker, and a flush of a million SAs waits for one grace period, not a
 * million callbacks. Tables a flush replaced wait on their own list.
 */
static LLIST_HEAD(veil_sa_graveyard);
static LLIST_HEAD(veil_sa_tables_graveyard);

static void veil_sa_reap(struct work_struct *work);
static DECLARE_WORK(veil_sa_reap_work, veil_sa_reap);

static void veil_sa_free(struct veil_sa *sa)
{
	/* Keys must not linger in freed memory, the transform's included. */
	veil_sa_crypto_free(sa);
	kfree(sa->replay);
	kfree_sensitive(sa->aead);
	kfree_sensitive(sa->enc);
	kfree_sensitive(sa->auth);
	kmem_cache_free(veil_sa_cache, sa);
}

static struct veil_sa_tables *veil_sa_tables_new(void)
{
	struct veil_sa_tables *t = kmalloc(sizeof(*t), GFP_KERNEL);

	if (!t)
		return NULL;
	if (rhashtable_init(&t->by_spi, &veil_sa_params))
		goto err;
	if (rhashtable_init(&t->by_tmpl, &veil_sa_tmpl_params)) {
		rhashtable_destroy(&t->by_spi);
		goto err;
	}
	return t;
err:
	kfree(t);
	return NULL;
}

static void veil_sa_tgroup_free(void *group, void *arg)
{
	kfree(group);
}

/*
 * Free tables no reader can reach any more, and the template groups in
 * them. The SAs they held are not touched: those are freed on their own.
 */
static void veil_sa_tables_destroy(struct veil_sa_tables *t)
{
	rhashtable_free_and_destroy(&t->by_tmpl, veil_sa_tgroup_free, NULL);
	rhashtable_destroy(&t->by_spi);
	kfree(t);
}

static void veil_sa_reap(struct work_struct *work)
{
	/*
	 * SAs first, then tables. A replaced table's rehash worker may still
	 * be moving its SAs, and destroying the table stops it, so a table
	 * must go before the SAs it held. The flush queued the table before
	 * putting any of them: every SA taken here either has its table on
	 * the list taken next, or an earlier pass (which this one cannot
	 * overlap) destroyed it.
	 */
	struct llist_node *sas = llist_del_all(&veil_sa_graveyard);
	struct llist_node *tables = llist_del_all(&veil_sa_tables_graveyard);
	struct veil_sa_tables *t, *tnext;
	struct veil_sa *sa, *next;
	unsigned int n = 0;

	if (!sas && !tables)
		return;
	/*
	 * Each of these left the lookup tables (or its tables left
	 * veil_net) before it was queued, so once this grace period ends no
	 * reader can still hold one.
	 */
	synchronize_rcu();
	llist_for_each_entry_safe(t, tnext, tables, free_node)
		veil_sa_tables_destroy(t);
	llist_for_each_entry_safe(sa, next, sas, free_node) {
		veil_sa_free(sa);
		if (!(++n % 1024))
			cond_resched();
	}
}

/**
 * veil_sa_put() - drop a reference; the last one frees after a grace period
 * @sa: SA, may be NULL
 *
 * Any context.
 */
void veil_sa_put(struct veil_sa *sa)
{
	if (sa && refcount_dec_and_test(&sa->refcnt) &&
	    llist_add(&sa->free_node, &veil_sa_graveyard))
		queue_work(veil_sa_wq, &veil_sa_reap_work);
}

/*
 * The lifetime clock: boot time, so a suspended machine's SAs age, in
 * nanoseconds. The coarse variant costs no clock-source read per packet
 * and is at most a tick behind, which the deadlines allow for.
 */
static u64 veil_sa_now(void)
{
	return ktime_get_coarse_boottime_ns();
}

/*
 * When a limit of @limit seconds counted from @base (boot-time ns) falls
 * due, or U64_MAX when it never can. The limits come from userspace as
 * 64-bit seconds, so the sum saturates rather than wraps.
 */
static u64 veil_sa_due(u64 base, u64 limit)
{
	u64 ns, due;

	if (check_mul_overflow(limit, (u64)NSEC_PER_SEC, &ns) ||
	    check_add_overflow(base, ns, &due))
		return U64_MAX;
	return due;
}

/*
 * Nanoseconds until the next time limit is due, or -1 when none is
 * pending. Called with sa->lock held.
 *
 * The clock is kept in nanoseconds, not seconds: with whole seconds the
 * add time is rounded down and a work item that runs a little late
 * rounds "now" up, so a limit could fire up to a second early (seen as
 * a 4 s hard limit taking 3.05 s). A limit must never cut an SA short.
 */
static s64 veil_sa_next_deadline(const struct veil_sa *sa, u64 now)
{
	const struct veil_lifetime *l = &sa->lft;
	u64 next = U64_MAX;

#define VEIL_DEADLINE(limit, base)					\
	do {								\
		if ((limit) && (base)) {				\
			u64 due = veil_sa_due(base, limit);		\
			u64 left = due > now ? due - now : 0;		\
			next = min(next, left);				\
		}							\
	} while (0)

	VEIL_DEADLINE(l->hard_add, sa->add_mono);
	VEIL_DEADLINE(l->hard_use, sa->use_mono);
	if (!sa->soft_sent) {
		VEIL_DEADLINE(l->soft_add, sa->add_mono);
		VEIL_DEADLINE(l->soft_use, sa->use_mono);
	}
#undef VEIL_DEADLINE
	/* Past what a delayed work can wait: it re-arms when it runs. */
	return next == U64_MAX ? -1 : (s64)min_t(u64, next, S64_MAX);
}

/* Queue the lifetime work @delay jiffies from now, holding a reference. */
static void veil_sa_lft_kick(struct veil_sa *sa, unsigned long delay)
{
	/*
	 * Retired: the datapath may still count a packet against it, but
	 * nothing is to be armed again; veil_sa_retire() cancelled the
	 * work, and the namespace (sa->vn) may be going away.
	 */
	if (sa->dead)
		return;
	refcount_inc(&sa->refcnt);
	/* true: it was already queued and already holds a reference. */
	if (mod_delayed_work(veil_sa_wq, &sa->lft_work, delay))
		veil_sa_put(sa);
}

/* Arm the lifetime work for the next time limit, if any. sa->lock held. */
static void veil_sa_lft_arm(struct veil_sa *sa)
{
	s64 left = veil_sa_next_deadline(sa, veil_sa_now());

	/*
	 * One jiffy more than the truncated quotient, so the work never
	 * runs before the deadline; a far deadline is capped and the work
	 * simply re-arms when it runs.
	 */
	if (left >= 0)
		veil_sa_lft_kick(sa, min_t(u64, nsecs_to_jiffies64(left) + 1,
					   MAX_JIFFY_OFFSET / 2));
}

static bool veil_sa_hard_expired(struct veil_sa *sa, u64 now)
{
	const struct veil_lifetime *l = &sa->lft;

	return sa->exhausted ||
	       (l->hard_add && now >= veil_sa_due(sa->add_mono, l->hard_add)) ||
	       (l->hard_use && sa->use_mono &&
		now >= veil_sa_due(sa->use_mono, l->hard_use)) ||
	       (l->hard_bytes && sa->stats.bytes >= l->hard_bytes) ||
	       (l->hard_packets && sa->stats.packets >= l->hard_packets);
}

static bool veil_sa_soft_expired(struct veil_sa *sa, u64 now)
{
	const struct veil_lifetime *l = &sa->lft;

	return (l->soft_add && now >= veil_sa_due(sa->add_mono, l->soft_add)) ||
	       (l->soft_use && sa->use_mono &&
		now >= veil_sa_due(sa->use_mono, l->soft_use)) ||
	       (l->soft_bytes && sa->stats.bytes >= l->soft_bytes) ||
	       (l->soft_packets && sa->stats.packets >= l->soft_packets);
}

static void veil_sa_lft_work(struct work_struct *work)
{
	struct veil_sa *sa = container_of(to_delayed_work(work), struct veil_sa,
					  lft_work);
	struct veil_net *vn = sa->vn;
	u64 now = veil_sa_now();
	bool hard, soft = false;

	mutex_lock(&vn->conf_lock);
	if (sa->dead)
		goto out;

	spin_lock_bh(&sa->lock);
	hard = veil_sa_hard_expired(sa, now);
	/*
	 * The soft limit is announced even when the work runs so late that
	 * the hard one has passed too: the key manager always hears soft,
	 * then hard, and may still rekey.
	 */
	if (!sa->soft_sent && veil_sa_soft_expired(sa, now)) {
		sa->soft_sent = true;
		soft = true;
	}
	if (!hard)
		veil_sa_lft_arm(sa);
	spin_unlock_bh(&sa->lock);

	if (soft)
		veil_nl_sa_expire_notify(sa, false);
	if (hard) {
		/* The key manager hears "expired" before "deleted". */
		veil_nl_sa_expire_notify(sa, true);
		veil_sa_del(vn, sa);
	}
out:
	mutex_unlock(&vn->conf_lock);
	veil_sa_put(sa);
}

/**
 * veil_sa_account() - count a packet against @sa's limits
 * @sa: the SA, under RCU or a reference
 * @bytes: the packet's payload length
 *
 * For the datapath: records first use, updates the counters and, when a
 * byte or packet limit is crossed, lets the lifetime work send the event
 * or delete the SA. Safe in softirq context.
 *
 * Return: 0 when the packet may use the SA, -EKEYEXPIRED once a hard
 * limit has been reached.
 */
int veil_sa_account(struct veil_sa *sa, unsigned int bytes)
{
	u64 now = veil_sa_now();
	int ret = 0;

	spin_lock_bh(&sa->lock);
	if (veil_sa_hard_expired(sa, now)) {
		ret = -EKEYEXPIRED;
		goto out;
	}
	sa->stats.packets++;
	sa->stats.bytes += bytes;
	if (!sa->use_mono) {
		sa->use_mono = now ? now : 1;
		sa->use_time = ktime_get_real_seconds();
		if (sa->lft.soft_use || sa->lft.hard_use)
			veil_sa_lft_arm(sa);
	}
	if (veil_sa_hard_expired(sa, now) ||
	    (!sa->soft_sent && veil_sa_soft_expired(sa, now)))
		veil_sa_lft_kick(sa, 0);
out:
	spin_unlock_bh(&sa->lock);
	return ret;
}

/**
 * veil_sa_exhaust() - @sa has sent its last sequence number
 * @sa: the SA, under RCU or a reference
 *
 * RFC 4303 section 3.3.3: without ESN the counter must not cycle, so the
 * SA expires hard (the key manager hears it and rekeys) instead of
 * wrapping. Safe in softirq context; the first caller does the work.
 */
void veil_sa_exhaust(struct veil_sa *sa)
{
	spin_lock_bh(&sa->lock);
	if (!sa->exhausted) {
		sa->exhausted = true;
		veil_sa_lft_kick(sa, 0);
	}
	spin_unlock_bh(&sa->lock);
}

/**
 * veil_sa_stats_read() - a consistent copy of @sa's counters
 * @sa: the SA
 * @stats: filled in
 * @use_time: filled with the first use, real seconds, 0 if never
 */
void veil_sa_stats_read(struct veil_sa *sa, struct veil_sa_stats *stats,
			time64_t *use_time)
{
	spin_lock_bh(&sa->lock);
	*stats = sa->stats;
	*use_time = sa->use_time;
	spin_unlock_bh(&sa->lock);
}

/* The tables, for a caller under rcu_read_lock() or conf_lock. */
static struct veil_sa_tables *veil_sa_tables(struct veil_net *vn)
{
	return rcu_dereference_check(vn->sa_tables, lockdep_is_held(&vn->conf_lock));
}

/* The tables, for a writer. */
static struct veil_sa_tables *veil_sa_tables_w(struct veil_net *vn)
{
	return rcu_dereference_protected(vn->sa_tables, lockdep_is_held(&vn->conf_lock));
}

/**
 * veil_sa_lookup() - the SA for an inbound packet
 * @vn: namespace state
 * @key: (dst, spi, proto, family), fully initialised
 *
 * Return: the SA, valid until the caller's RCU read section ends; NULL
 * when there is none. Caller holds rcu_read_lock() or conf_lock.
 */
struct veil_sa *veil_sa_lookup(struct veil_net *vn, const struct veil_sa_key *key)
{
	struct veil_sa *sa;

	/*
	 * rhashtable's lookup asserts an RCU read-side section even when
	 * the caller holds conf_lock (sa-del does); under conf_lock the SA
	 * outlives the section, as no delete can run.
	 */
	rcu_read_lock();
	sa = rhashtable_lookup(&veil_sa_tables(vn)->by_spi, key, veil_sa_params);
	rcu_read_unlock();
	return sa;
}

/**
 * veil_sa_lookup_tmpl() - an SA for an outbound packet matching a template
 * @vn: namespace state
 * @tkey: (dst, reqid, proto, family), fully initialised
 * @src: required source address, or NULL for any
 * @mode: required mode
 * @spi: required SPI, 0 for any
 * @flow: the packet, which the SA's selector (if any) must cover and
 *	whose interface id the SA must have; or NULL
 *
 * Return: the newest matching SA, as veil_sa_lookup(); NULL if none.
 * The cost is a hash probe plus a walk over the SAs sharing the key up to
 * the first match, which is the newest.
 */
struct veil_sa *veil_sa_lookup_tmpl(struct veil_net *vn,
				    const struct veil_sa_tkey *tkey,
				    const union veil_addr *src, u8 mode, u32 spi,
				    const struct veil_flow *flow)
{
	struct veil_sa_tgroup *g;
	struct veil_sa *sa;

	g = rhashtable_lookup(&veil_sa_tables(vn)->by_tmpl, tkey, veil_sa_tmpl_params);
	if (!g)
		return NULL;
	/* Newest first: during a rekey the new SA is the one to use. */
	hlist_for_each_entry_rcu(sa, &g->sas, tnode) {
		if (sa->mode != mode)
			continue;
		if (src && memcmp(&sa->src, src, sizeof(*src)))
			continue;
		if (spi && sa->key.spi != spi)
			continue;
		/* As XFRM: a route-based interface's traffic takes its id's SAs only. */
		if (flow && sa->if_id != flow->if_id)
			continue;
		if (flow && sa->sel.family && !veil_selector_match(&sa->sel, flow))
			continue;
		return sa;
	}
	return NULL;
}

static int veil_sa_tmpl_link(struct veil_sa_tables *t, struct veil_sa *sa)
{
	struct veil_sa_tgroup *g;
	int ret;

	g = rhashtable_lookup_fast(&t->by_tmpl, &sa->tkey, veil_sa_tmpl_params);
	if (!g) {
		g = kzalloc(sizeof(*g), GFP_KERNEL);
		if (!g)
			return -ENOMEM;
		g->key = sa->tkey;
		ret = rhashtable_insert_fast(&t->by_tmpl, &g->node, veil_sa_tmpl_params);
		if (ret) {
			kfree(g);
			return ret;
		}
	}
	hlist_add_head_rcu(&sa->tnode, &g->sas);
	g->count++;
	sa->tgroup = g;
	return 0;
}

static void veil_sa_tmpl_unlink(struct veil_sa_tables *t, struct veil_sa *sa)
{
	struct veil_sa_tgroup *g = sa->tgroup;

	hlist_del_rcu(&sa->tnode);
	if (!--g->count) {
		rhashtable_remove_fast(&t->by_tmpl, &g->node, veil_sa_tmpl_params);
		kfree_rcu(g, rcu);
	}
}

/*
 * What every way out of the SAD shares, once @sa is out of the lookup
 * tables: mark it, stop its lifetime work, tell listeners (@notify), and
 * drop the tables' reference.
 */
static void veil_sa_retire(struct veil_net *vn, struct veil_sa *sa, bool notify)
{
	lockdep_assert_held(&vn->conf_lock);

	/* Under the lock veil_sa_lft_kick() is called with: none re-arms. */
	spin_lock_bh(&sa->lock);
	sa->dead = true;
	spin_unlock_bh(&sa->lock);
	vn->sa_count--;
	/* Only an SA with limits ever queues its lifetime work. */
	if (veil_sa_has_limits(sa) && cancel_delayed_work(&sa->lft_work))
		veil_sa_put(sa);
	if (notify)
		veil_nl_sa_notify(sa, VEIL_CMD_SA_DEL_NTF);
	veil_sa_put(sa);
}

/*
 * sa-update: @sa, not yet published, goes on where @old, which it is about
 * to replace, stands: its counters, times and sequence numbers. @old is
 * marked dead first, so from here on it accepts no packet (see
 * veil_ipsec_replay_advance()) and numbers none: its last output sequence
 * number is taken by a swap that leaves it exhausted, so a sender still
 * holding it drops its packet instead of sending a number the successor
 * will send too. Neither number goes back, whatever the request said: the
 * same SPI may carry the same keys, and the peer's window would drop the
 * packets. Returns the output sequence number taken, for an undo.
 */
static u64 veil_sa_inherit(struct veil_sa *sa, struct veil_sa *old)
{
	u64 limit = sa->flags & VEIL_SA_FLAGS_ESN ? U64_MAX : U32_MAX;
	u64 oseq;

	spin_lock_bh(&old->lock);
	old->dead = true;
	sa->stats = old->stats;
	sa->use_time = old->use_time;
	sa->use_mono = old->use_mono;
	veil_replay_inherit(sa->replay, old->replay);
	spin_unlock_bh(&old->lock);
	sa->add_time = old->add_time;
	sa->add_mono = old->add_mono;
	sa->id = old->id;

	oseq = atomic64_xchg(&old->oseq, old->flags & VEIL_SA_FLAGS_ESN ? U64_MAX : U32_MAX);
	if (min(oseq, limit) > (u64)atomic64_read(&sa->oseq))
		atomic64_set(&sa->oseq, min(oseq, limit));
	return oseq;
}

/**
 * veil_sa_add() - publish a new SA, or replace the one with the same key
 * @vn: namespace state
 * @sa: fully set-up SA; the tables take over the caller's reference,
 *	also on failure (it is then freed)
 * @replace: replace an existing SA (sa-update) instead of adding one
 * @extack: for the reason of a failure
 *
 * Return: 0, -EEXIST or -ENOENT according to @replace, -ENOSPC at the
 * namespace's limit, -ENOMEM.
 */
int veil_sa_add(struct veil_net *vn, struct veil_sa *sa, bool replace,
		struct netlink_ext_ack *extack)
{
	struct veil_sa_tables *t;
	struct veil_sa *old;
	u64 oseq;
	int ret;

	mutex_lock(&vn->conf_lock);
	t = veil_sa_tables_w(vn);
	sa->vn = vn;
	sa->add_time = ktime_get_real_seconds();
	sa->add_mono = veil_sa_now() ?: 1;

	old = rhashtable_lookup_fast(&t->by_spi, &sa->key, veil_sa_params);
	if (replace && !old) {
		NL_SET_ERR_MSG(extack, "no SA with this destination, SPI and protocol to update");
		ret = -ENOENT;
		goto err;
	}
	if (!replace && old) {
		NL_SET_ERR_MSG(extack, "an SA with this destination, SPI and protocol already exists");
		ret = -EEXIST;
		goto err;
	}
	if (!old && vn->sa_count >= READ_ONCE(veil_sa_limit)) {
		NL_SET_ERR_MSG(extack, "this namespace holds sa_limit SAs already (see the veil module parameter sa_limit)");
		ret = -ENOSPC;
		goto err;
	}

	if (old) {
		oseq = veil_sa_inherit(sa, old);
		ret = rhashtable_replace_fast(&t->by_spi, &old->node, &sa->node,
					      veil_sa_params);
		if (ret) {
			/* Cannot happen: the same key, under conf_lock. Undo anyway. */
			spin_lock_bh(&old->lock);
			old->dead = false;
			spin_unlock_bh(&old->lock);
			atomic64_set(&old->oseq, oseq);
			goto err_nomem;
		}
		xa_store(&vn->sa_ids, sa->id, sa, GFP_KERNEL);
		veil_sa_tmpl_unlink(t, old);
		/* The new SA's sa-new-ntf below announces the change. */
		veil_sa_retire(vn, old, false);
	} else {
		ret = rhashtable_insert_fast(&t->by_spi, &sa->node, veil_sa_params);
		if (ret)
			goto err_nomem;
		ret = xa_alloc_cyclic(&vn->sa_ids, &sa->id, sa, xa_limit_32b,
				      &vn->sa_next_id, GFP_KERNEL);
		if (ret < 0) {
			rhashtable_remove_fast(&t->by_spi, &sa->node, veil_sa_params);
			goto err_nomem;
		}
	}
	ret = veil_sa_tmpl_link(t, sa);
	if (ret) {
		/* Keep the tables consistent: the SA goes away entirely. */
		rhashtable_remove_fast(&t->by_spi, &sa->node, veil_sa_params);
		xa_erase(&vn->sa_ids, sa->id);
		goto err_nomem;
	}
	vn->sa_count++;
	/* It may answer a pending acquire: see veil_acquire_forget(). */
	veil_acquire_forget(vn);

	spin_lock_bh(&sa->lock);
	veil_sa_lft_arm(sa);
	spin_unlock_bh(&sa->lock);

	veil_nl_sa_notify(sa, VEIL_CMD_SA_NEW_NTF);
	mutex_unlock(&vn->conf_lock);
	return 0;

err_nomem:
	NL_SET_ERR_MSG(extack, "out of memory adding the SA");
	ret = -ENOMEM;
err:
	mutex_unlock(&vn->conf_lock);
	veil_sa_put(sa);
	return ret;
}

/**
 * veil_sa_del() - unlink @sa, announce it and drop the tables' reference
 * @vn: namespace state, conf_lock held
 * @sa: a live SA of @vn
 */
void veil_sa_del(struct veil_net *vn, struct veil_sa *sa)
{
	struct veil_sa_tables *t = veil_sa_tables_w(vn);

	rhashtable_remove_fast(&t->by_spi, &sa->node, veil_sa_params);
	veil_sa_tmpl_unlink(t, sa);
	xa_erase(&vn->sa_ids, sa->id);
	veil_sa_retire(vn, sa, true);
}

/*
 * Every SA at once: readers move to @fresh tables (empty; NULL when the
 * namespace is going away) with one pointer store, and the old tables
 * are destroyed whole after a grace period. XFRM unlinks SA by SA; this
 * does no hashing and takes no bucket lock per SA, so a flush costs
 * little more than the walk and the notifications.
 */
static unsigned int veil_sa_flush_all(struct veil_net *vn,
				      struct veil_sa_tables *fresh)
{
	struct veil_sa_tables *old;
	struct veil_sa *sa;
	unsigned long id;
	unsigned int n = 0;

	old = rcu_replace_pointer(vn->sa_tables, fresh, lockdep_is_held(&vn->conf_lock));
	/* Queued before any of its SAs can be: see veil_sa_reap(). */
	if (llist_add(&old->free_node, &veil_sa_tables_graveyard))
		queue_work(veil_sa_wq, &veil_sa_reap_work);
	xa_for_each(&vn->sa_ids, id, sa) {
		/*
		 * Out of the index before the tables' reference goes: the
		 * reaper's grace period only covers readers that could
		 * still find the SA when it was put, and veil_out_sa() and
		 * the input hook look SAs up here by id, without a
		 * reference (input.c) or with refcount_inc_not_zero() on
		 * what may be freed memory (output.c).
		 */
		xa_erase(&vn->sa_ids, id);
		veil_sa_retire(vn, sa, true);
		/* A million SAs take a while; let others run. */
		if (!(++n % 1024))
			cond_resched();
	}
	/* Empty by now; frees what nodes are left after a grace period. */
	xa_destroy(&vn->sa_ids);
	return n;
}

/**
 * veil_sa_flush() - delete every SA of @vn, or those of protocol @proto
 * @vn: namespace state, conf_lock held
 * @proto: IPPROTO_ESP, IPPROTO_AH, or 0 for all
 *
 * Return: how many SAs were deleted.
 */
unsigned int veil_sa_flush(struct veil_net *vn, u8 proto)
{
	struct veil_sa_tables *fresh;
	struct veil_sa *sa;
	unsigned long id;
	unsigned int n = 0;

	lockdep_assert_held(&vn->conf_lock);
	/* Pending acquires go too, SAs or none: see veil_acquire_forget(). */
	veil_acquire_forget(vn);
	if (!vn->sa_count)
		return 0;
	if (!proto) {
		fresh = veil_sa_tables_new();
		if (fresh)
			return veil_sa_flush_all(vn, fresh);
		/* Short of memory for new tables: unlink one by one. */
	}
	xa_for_each(&vn->sa_ids, id, sa) {
		if (proto && sa->key.proto != proto)
			continue;
		veil_sa_del(vn, sa);
		if (!(++n % 1024))
			cond_resched();
	}
	return n;
}

/**
 * veil_sa_next() - the SA with the smallest id at or after *@id
 * @vn: namespace state
 * @id: cursor; set to the SA's id
 *
 * For dumps, under rcu_read_lock(): SAs added or deleted between calls
 * do not make the walk skip or repeat the others.
 *
 * Return: the SA, or NULL at the end.
 */
struct veil_sa *veil_sa_next(struct veil_net *vn, unsigned long *id)
{
	return xa_find(&vn->sa_ids, id, ULONG_MAX, XA_PRESENT);
}

/**
 * veil_sa_net_init() - set up an empty SAD for a new namespace
 * @vn: namespace state
 *
 * Return: 0 or -ENOMEM.
 */
int veil_sa_net_init(struct veil_net *vn)
{
	struct veil_sa_tables *t = veil_sa_tables_new();

	if (!t)
		return -ENOMEM;
	xa_init_flags(&vn->sa_ids, XA_FLAGS_ALLOC1);
	RCU_INIT_POINTER(vn->sa_tables, t);
	return 0;
}

/**
 * veil_sa_net_exit() - delete every SA of a dying namespace
 * @vn: namespace state
 */
void veil_sa_net_exit(struct veil_net *vn)
{
	mutex_lock(&vn->conf_lock);
	veil_sa_flush_all(vn, NULL);
	mutex_unlock(&vn->conf_lock);
	/*
	 * A lifetime work already running still dereferences vn, and the
	 * reaper frees the tables.
	 */
	flush_workqueue(veil_sa_wq);
}

/**
 * veil_sa_init() - module-wide SA resources
 *
 * Return: 0 or -ENOMEM.
 */
int __init veil_sa_init(void)
{
	veil_sa_cache = KMEM_CACHE(veil_sa, 0);
	if (!veil_sa_cache)
		return -ENOMEM;
	veil_sa_wq = alloc_workqueue("veil_sa", WQ_UNBOUND, 0);
	if (!veil_sa_wq) {
		kmem_cache_destroy(veil_sa_cache);
		return -ENOMEM;
	}
	return 0;
}

/**
 * veil_sa_uninit() - release module-wide SA resources
 *
 * Called after every namespace's SAs are gone; waits until they, and the
 * template groups' RCU frees, are done.
 */
void veil_sa_uninit(void)
{
	/* Drains the lifetime works and the reaper, which may requeue itself. */
	destroy_workqueue(veil_sa_wq);
	rcu_barrier();
	kmem_cache_destroy(veil_sa_cache);
}

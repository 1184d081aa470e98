/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The veil authors. All Rights Reserved.
 */

#ifndef _VEIL_MAIN_H
#define _VEIL_MAIN_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rhashtable-types.h>
#include <linux/xarray.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "uapi/linux/veil.h"

struct veil_sa_tables;

/**
 * struct veil_net_stats - one CPU's share of a namespace's counters
 * @v: indexed by VEIL_A_NET_STATS_*, as the stats-get reply names them
 */
struct veil_net_stats {
	u64 v[VEIL_A_NET_STATS_MAX + 1];
};

/* Acquire events remembered per namespace, to send each once (output.c). */
#define VEIL_ACQUIRE_SLOTS 64

/**
 * struct veil_acquire_slot - an acquire event recently sent
 * @hash: hash of its policy, template and flow; 0 for none
 * @until: jiffies until which the same is not sent again
 */
struct veil_acquire_slot {
	u32 hash;
	unsigned long until;
};

/**
 * struct veil_net - veil's state in one network namespace
 * @net: the namespace this state belongs to; not refcounted, since the
 *	state lives exactly as long as the namespace does
 * @conf_lock: serialises every change to this namespace's configuration;
 *	readers use RCU and never take it
 * @sa_tables: the SAD's hash indexes (see struct veil_sa_tables);
 *	replaced as a whole when every SA is flushed (RCU, written under
 *	@conf_lock)
 * @sa_ids: every SA by its id; dumps resume from an id, so a dump stays
 *	correct while SAs come and go between its parts
 * @sa_next_id: cursor for cyclic id allocation (under @conf_lock)
 * @sa_count: number of SAs (under @conf_lock)
 * @policy_count: number of policies per direction (under @conf_lock)
 * @policy_table: policies by (family, dir, if_id, prefixes); see policy.c
 * @policy_tuples: per direction, the prefix-length combinations in use
 *	(RCU list, written under @conf_lock)
 * @policy_ids: every policy by index
 * @policy_next_index: cursor for cyclic index allocation (under @conf_lock)
 * @acquire: acquire events sent lately (lockless, a lossy cache)
 * @stats: datapath counters, per CPU (veil_stat_add())
 * @encap_socks: the UDP sockets ESP-in-UDP is taken from (struct
 *	veil_encap_sock, under @conf_lock)
 * @devs: the veil interfaces created here, by if_id (struct veil_dev;
 *	RCU, written under RTNL)
 *
 * Every table veil keeps lives here rather than in a global, so two
 * containers on one host never see each other's SAs or policies, and a
 * namespace's state goes away with the namespace.
 */
struct veil_net {
	struct net *net;
	struct mutex conf_lock;
	struct veil_sa_tables __rcu *sa_tables;
	struct xarray sa_ids;
	u32 sa_next_id;
	unsigned int sa_count;
	unsigned int policy_count[3];
	struct rhltable policy_table;
	struct list_head policy_tuples[3];
	struct xarray policy_ids;
	u32 policy_next_index;
	struct veil_acquire_slot acquire[VEIL_ACQUIRE_SLOTS];
	struct veil_net_stats __percpu *stats;
	struct list_head encap_socks;
	struct xarray devs;
};

extern unsigned int veil_net_id;

/**
 * veil_net() - veil's per-namespace state for @net
 * @net: a live network namespace
 *
 * Return: the state registered by veil's pernet operations; never NULL
 * while the module is loaded and @net is alive.
 */
static inline struct veil_net *veil_net(const struct net *net)
{
	return net_generic(net, veil_net_id);
}

/**
 * veil_stat_add() - count in one of @vn's datapath counters
 * @vn: namespace state
 * @idx: VEIL_A_NET_STATS_*
 * @n: how much
 *
 * Any context: one per-CPU add, summed when read.
 */
static inline void veil_stat_add(struct veil_net *vn, unsigned int idx, u64 n)
{
	this_cpu_add(vn->stats->v[idx], n);
}

static inline void veil_stat_inc(struct veil_net *vn, unsigned int idx)
{
	veil_stat_add(vn, idx, 1);
}

#endif /* _VEIL_MAIN_H */

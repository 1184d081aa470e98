/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The veil authors. All Rights Reserved.
 */

#ifndef _VEIL_MAIN_H
#define _VEIL_MAIN_H

#include <linux/mutex.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

/**
 * struct veil_net - veil's state in one network namespace
 * @net: the namespace this state belongs to; not refcounted, since the
 *	state lives exactly as long as the namespace does
 * @conf_lock: serialises every change to this namespace's configuration
 *	(the SA and policy databases added by later work); readers use RCU
 *	and never take it
 *
 * Every table veil keeps lives here rather than in a global, so two
 * containers on one host never see each other's SAs or policies, and a
 * namespace's state goes away with the namespace.
 */
struct veil_net {
	struct net *net;
	struct mutex conf_lock;
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

#endif /* _VEIL_MAIN_H */

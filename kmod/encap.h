/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The veil authors. All Rights Reserved.
 */

#ifndef _VEIL_ENCAP_H
#define _VEIL_ENCAP_H

#include <linux/list.h>
#include <linux/types.h>

#include "addr.h"

struct genl_info;
struct netlink_callback;
struct sk_buff;
struct sock;
struct socket;
struct veil_net;
struct veil_sa;

/**
 * struct veil_encap_stats - what one socket took, per CPU
 * @esp: ESP packets passed on to the ESP input
 * @other: IKE packets and NAT keepalives
 */
struct veil_encap_stats {
	u64 esp;
	u64 other;
};

/**
 * struct veil_encap_sock - a UDP socket veil takes ESP-in-UDP from
 * @node: in the namespace's list (RCU, written under its conf_lock)
 * @vn: the namespace's veil state
 * @sock: the socket
 * @stats: per-CPU counters
 * @local: the address it is bound to, when @has_local
 * @family: AF_INET or AF_INET6
 * @port: the local port, host order
 * @has_local: bound to one address rather than any
 * @kernel: veil opened it (encap-new with a port) and closes it; otherwise
 *	a process handed it over and veil lets go when the process closes it
 * @rcu: frees it after the readers of sk_user_data are done
 *
 * Found from the socket through sk_user_data under RCU (the receive path)
 * and through @node under conf_lock (netlink).
 */
struct veil_encap_sock {
	struct list_head node;
	struct veil_net *vn;
	struct socket *sock;
	struct veil_encap_stats __percpu *stats;
	union veil_addr local;
	u16 family;
	u16 port;
	bool has_local;
	bool kernel;
	struct rcu_head rcu;
};

struct netlink_ext_ack;

void veil_encap_net_init(struct veil_net *vn);
void veil_encap_net_exit(struct veil_net *vn);
int veil_encap_adopt(struct veil_net *vn, struct socket *sock, struct netlink_ext_ack *extack);
int veil_encap_open(struct veil_net *vn, u16 family, u16 port, const union veil_addr *local,
		    struct netlink_ext_ack *extack);
int veil_encap_del(struct veil_net *vn, u16 family, u16 port, struct netlink_ext_ack *extack);
void veil_encap_stats_read(const struct veil_encap_sock *es, struct veil_encap_stats *sum);
bool veil_encap_port_held(struct veil_net *vn, u16 family, u16 port);
bool veil_encap_sk_is_ike(const struct sock *sk);
bool veil_encap_csum_fixed(struct sk_buff *skb, const struct veil_sa *sa, u8 nexthdr);
int veil_encap_udp_strip(struct sk_buff *skb, u16 family);
void veil_encap_udp_finish(struct sk_buff *skb, const struct veil_sa *sa);

int veil_nl_encap_new_doit(struct sk_buff *skb, struct genl_info *info);
int veil_nl_encap_del_doit(struct sk_buff *skb, struct genl_info *info);
int veil_nl_encap_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);

#endif /* _VEIL_ENCAP_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The veil authors. All Rights Reserved.
 */

#ifndef _VEIL_POLICY_H
#define _VEIL_POLICY_H

#include <linux/list.h>
#include <linux/rhashtable-types.h>

#include "addr.h"

struct sk_buff;
struct veil_net;

/* At most this many templates per policy, as in XFRM (XFRM_MAX_DEPTH). */
#define VEIL_TMPL_MAX 6

/**
 * struct veil_tmpl - what SA a policy requires
 * @src: tunnel source, if @family
 * @dst: tunnel destination, if @family
 * @spi: required SPI, 0 for any
 * @reqid: required reqid, 0 for any
 * @family: family of @src and @dst; 0 when neither was given
 * @proto: IPPROTO_ESP or IPPROTO_AH
 * @mode: VEIL_MODE_*
 * @level: VEIL_LEVEL_*
 */
struct veil_tmpl {
	union veil_addr src;
	union veil_addr dst;
	u32 spi;
	u32 reqid;
	u16 family;
	u8 proto;
	u8 mode;
	u8 level;
};

/**
 * struct veil_policy_key - where a policy sits in the policy table
 * @src: source prefix, masked
 * @dst: destination prefix, masked
 * @if_id: interface id
 * @family: AF_INET or AF_INET6
 * @dir: VEIL_DIR_*
 * @src_len: source prefix length
 * @dst_len: destination prefix length
 * @pad: zero, so the key can be hashed as bytes
 */
struct veil_policy_key {
	union veil_addr src;
	union veil_addr dst;
	u32 if_id;
	u16 family;
	u8 dir;
	u8 src_len;
	u8 dst_len;
	u8 pad[3];
};

/**
 * struct veil_policy - a security policy
 * @node: in veil_net.policy_table, by @key
 * @key: family, direction, interface id and both prefixes
 * @sel: the full selector (@key plus protocol and ports)
 * @index: identifier, from veil_net.policy_ids
 * @priority: lower wins
 * @action: VEIL_ACTION_*
 * @ntmpl: number of entries in @tmpl
 * @tmpl: templates, applied in order
 * @rcu: frees the policy after readers are gone
 *
 * Never changed once published; an update publishes a replacement.
 */
struct veil_policy {
	struct rhlist_head node;
	struct veil_policy_key key;
	struct veil_selector sel;
	u32 index;
	u32 priority;
	u8 action;
	u8 ntmpl;
	struct veil_tmpl tmpl[VEIL_TMPL_MAX];
	struct rcu_head rcu;
};

/**
 * struct veil_policy_tuple - one (family, direction, prefix lengths)
 *	combination that some policy uses
 * @list: in veil_net.policy_tuples[dir], RCU-protected
 * @family: AF_INET or AF_INET6
 * @src_len: source prefix length
 * @dst_len: destination prefix length
 * @refs: policies using it (under conf_lock)
 * @rcu: frees it after readers are gone
 */
struct veil_policy_tuple {
	struct list_head list;
	u16 family;
	u8 src_len;
	u8 dst_len;
	unsigned int refs;
	struct rcu_head rcu;
};

int veil_policy_net_init(struct veil_net *vn);
void veil_policy_net_exit(struct veil_net *vn);

int veil_policy_add(struct veil_net *vn, struct veil_policy *pol, bool update,
		    u32 *index, struct netlink_ext_ack *extack);
struct veil_policy *veil_policy_find(struct veil_net *vn,
				     const struct veil_policy_key *key,
				     const struct veil_selector *sel);
struct veil_policy *veil_policy_by_index(struct veil_net *vn, u32 index);
void veil_policy_del(struct veil_net *vn, struct veil_policy *pol);
void veil_policy_flush(struct veil_net *vn);
struct veil_policy *veil_policy_next(struct veil_net *vn, unsigned long *index);
struct veil_policy *veil_policy_lookup(struct veil_net *vn, u8 dir,
				       const struct veil_flow *flow);
int veil_flow_of(const struct sk_buff *skb, u16 family, struct veil_flow *flow);
void veil_policy_key_of(struct veil_policy_key *key, const struct veil_selector *sel,
			u8 dir, u32 if_id);

#endif /* _VEIL_POLICY_H */

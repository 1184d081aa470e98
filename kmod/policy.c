// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The veil authors. All Rights Reserved.
 *
 * The security policy database of one network namespace.
 *
 * Structure: tuple space search. Every policy is hashed, in one rhltable,
 * by its exact (family, direction, interface id, source prefix, source
 * length, destination prefix, destination length). For each direction,
 * veil keeps the list of distinct (family, source length, destination
 * length) "tuples" that policies use. A lookup masks the packet's
 * addresses once per tuple and probes the table: its cost is one hash
 * probe per tuple in use, however many policies there are. Real
 * configurations use a handful of prefix-length pairs (host-to-host,
 * /24-to-/24, any-to-any...), and the bound is 33 x 33 for IPv4. Entries
 * that share a key differ only in protocol, ports or priority and are
 * compared directly.
 *
 * The best match is the lowest priority value; among equals the longer
 * prefixes, then a given protocol, then given ports, then the older
 * policy (lower index).
 *
 * Locking: as for SAs, writers hold veil_net.conf_lock, readers use RCU,
 * and published policies are never changed in place.
 */

#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/rhashtable.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/netlink.h>

#include "main.h"
#include "netlink.h"
#include "policy.h"
#include "uapi/linux/veil.h"

static const struct rhashtable_params veil_policy_params = {
	.key_len = sizeof(struct veil_policy_key),
	.key_offset = offsetof(struct veil_policy, key),
	.head_offset = offsetof(struct veil_policy, node),
	.automatic_shrinking = true,
};

/**
 * veil_policy_key_of() - the table key of a policy with selector @sel
 * @key: filled in
 * @sel: selector, prefixes already masked
 * @dir: VEIL_DIR_*
 * @if_id: interface id
 */
void veil_policy_key_of(struct veil_policy_key *key, const struct veil_selector *sel,
			u8 dir, u32 if_id)
{
	memset(key, 0, sizeof(*key));
	key->src = sel->src;
	key->dst = sel->dst;
	key->if_id = if_id;
	key->family = sel->family;
	key->dir = dir;
	key->src_len = sel->src_len;
	key->dst_len = sel->dst_len;
}

static bool veil_sel_same_upper(const struct veil_selector *a,
				const struct veil_selector *b)
{
	return a->proto == b->proto && a->sport == b->sport && a->dport == b->dport;
}

/**
 * veil_policy_find() - the policy with exactly this selector
 * @vn: namespace state
 * @key: its table key
 * @sel: its selector
 *
 * Return: the policy or NULL; under RCU or conf_lock.
 */
struct veil_policy *veil_policy_find(struct veil_net *vn,
				     const struct veil_policy_key *key,
				     const struct veil_selector *sel)
{
	struct rhlist_head *list, *pos;
	struct veil_policy *pol, *found = NULL;

	/*
	 * rhashtable's lookup wants an RCU read-side section even from a
	 * caller holding conf_lock (lockdep said so on the debug kernel);
	 * conf_lock, which every delete takes, keeps the policy alive after.
	 */
	rcu_read_lock();
	list = rhltable_lookup(&vn->policy_table, key, veil_policy_params);
	rhl_for_each_entry_rcu(pol, pos, list, node) {
		if (veil_sel_same_upper(&pol->sel, sel)) {
			found = pol;
			break;
		}
	}
	rcu_read_unlock();
	return found;
}

/**
 * veil_policy_by_index() - the policy with @index
 * @vn: namespace state
 * @index: as returned by policy-new
 *
 * Return: the policy or NULL; under RCU or conf_lock.
 */
struct veil_policy *veil_policy_by_index(struct veil_net *vn, u32 index)
{
	return xa_load(&vn->policy_ids, index);
}

static int veil_policy_tuple_get(struct veil_net *vn, const struct veil_policy_key *key)
{
	struct list_head *head = &vn->policy_tuples[key->dir];
	struct veil_policy_tuple *t, *pos;

	list_for_each_entry(t, head, list) {
		if (t->family == key->family && t->src_len == key->src_len &&
		    t->dst_len == key->dst_len) {
			t->refs++;
			return 0;
		}
	}
	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	t->family = key->family;
	t->src_len = key->src_len;
	t->dst_len = key->dst_len;
	t->refs = 1;
	/* Most specific first: the order readers meet candidates in. */
	list_for_each_entry(pos, head, list)
		if (pos->src_len + pos->dst_len < key->src_len + key->dst_len)
			break;
	list_add_tail_rcu(&t->list, &pos->list);
	return 0;
}

static void veil_policy_tuple_put(struct veil_net *vn, const struct veil_policy_key *key)
{
	struct veil_policy_tuple *t;

	list_for_each_entry(t, &vn->policy_tuples[key->dir], list) {
		if (t->family == key->family && t->src_len == key->src_len &&
		    t->dst_len == key->dst_len) {
			if (!--t->refs) {
				list_del_rcu(&t->list);
				kfree_rcu(t, rcu);
			}
			return;
		}
	}
	WARN_ONCE(1, "veil: policy tuple missing");
}

static void veil_policy_unlink(struct veil_net *vn, struct veil_policy *pol)
{
	rhltable_remove(&vn->policy_table, &pol->node, veil_policy_params);
	veil_policy_tuple_put(vn, &pol->key);
	vn->policy_count[pol->key.dir]--;
}

/**
 * veil_policy_add() - publish a policy, or replace the one with its selector
 * @vn: namespace state
 * @pol: the new policy; owned by the table afterwards, freed on failure
 * @update: replace an existing policy with the same selector, direction
 *	and interface id (or add one); without it that is -EEXIST
 * @index: set to the policy's index on success; read under conf_lock,
 *	since once it is dropped @pol may be deleted and freed by anyone
 * @extack: for the reason of a failure
 *
 * Return: 0, -EEXIST or -ENOMEM.
 */
int veil_policy_add(struct veil_net *vn, struct veil_policy *pol, bool update,
		    u32 *index, struct netlink_ext_ack *extack)
{
	struct veil_policy *old;
	int ret;

	mutex_lock(&vn->conf_lock);
	old = veil_policy_find(vn, &pol->key, &pol->sel);
	if (old && !update) {
		NL_SET_ERR_MSG(extack, "a policy with this selector, direction and interface id exists");
		ret = -EEXIST;
		goto err;
	}

	ret = veil_policy_tuple_get(vn, &pol->key);
	if (ret)
		goto err;
	ret = rhltable_insert(&vn->policy_table, &pol->node, veil_policy_params);
	if (ret) {
		veil_policy_tuple_put(vn, &pol->key);
		goto err;
	}
	if (old) {
		/* The replacement keeps its predecessor's identity. */
		pol->index = old->index;
		xa_store(&vn->policy_ids, pol->index, pol, GFP_KERNEL);
		veil_policy_unlink(vn, old);
		kfree_rcu(old, rcu);
	} else {
		ret = xa_alloc_cyclic(&vn->policy_ids, &pol->index, pol, xa_limit_32b,
				      &vn->policy_next_index, GFP_KERNEL);
		if (ret < 0) {
			rhltable_remove(&vn->policy_table, &pol->node, veil_policy_params);
			veil_policy_tuple_put(vn, &pol->key);
			goto err;
		}
	}
	vn->policy_count[pol->key.dir]++;
	veil_nl_policy_notify(vn, pol, VEIL_CMD_POLICY_NEW_NTF);
	*index = pol->index;
	mutex_unlock(&vn->conf_lock);
	return 0;

err:
	mutex_unlock(&vn->conf_lock);
	if (ret == -ENOMEM)
		NL_SET_ERR_MSG(extack, "out of memory adding the policy");
	kfree(pol);
	return ret;
}

/**
 * veil_policy_del() - unlink @pol, announce it and free it after readers
 * @vn: namespace state, conf_lock held
 * @pol: a live policy of @vn
 */
void veil_policy_del(struct veil_net *vn, struct veil_policy *pol)
{
	lockdep_assert_held(&vn->conf_lock);
	veil_policy_unlink(vn, pol);
	xa_erase(&vn->policy_ids, pol->index);
	veil_nl_policy_notify(vn, pol, VEIL_CMD_POLICY_DEL_NTF);
	kfree_rcu(pol, rcu);
}

/**
 * veil_policy_flush() - delete every policy of @vn
 * @vn: namespace state, conf_lock held
 */
void veil_policy_flush(struct veil_net *vn)
{
	struct veil_policy *pol;
	unsigned long index;
	unsigned int n = 0;

	xa_for_each(&vn->policy_ids, index, pol) {
		veil_policy_del(vn, pol);
		if (!(++n % 1024))
			cond_resched();
	}
}

/**
 * veil_policy_next() - the policy with the smallest index at or after *@index
 * @vn: namespace state
 * @index: dump cursor, updated
 *
 * Return: the policy, or NULL at the end; under RCU.
 */
struct veil_policy *veil_policy_next(struct veil_net *vn, unsigned long *index)
{
	return xa_find(&vn->policy_ids, index, ULONG_MAX, XA_PRESENT);
}

static bool veil_policy_upper_match(const struct veil_selector *sel,
				    const struct veil_flow *flow)
{
	return (!sel->proto || sel->proto == flow->proto) &&
	       (!sel->sport || sel->sport == flow->sport) &&
	       (!sel->dport || sel->dport == flow->dport);
}

/* Is @a a better match than @b? See the comment at the top. */
static bool veil_policy_better(const struct veil_policy *a, const struct veil_policy *b)
{
	unsigned int la = a->sel.src_len + a->sel.dst_len;
	unsigned int lb = b->sel.src_len + b->sel.dst_len;

	if (a->priority != b->priority)
		return a->priority < b->priority;
	if (la != lb)
		return la > lb;
	if (!!a->sel.proto != !!b->sel.proto)
		return a->sel.proto;
	if (!!(a->sel.sport | a->sel.dport) != !!(b->sel.sport | b->sel.dport))
		return a->sel.sport | a->sel.dport;
	return a->index < b->index;
}

/**
 * veil_policy_lookup() - the policy that applies to @flow in direction @dir
 * @vn: namespace state
 * @dir: VEIL_DIR_*
 * @flow: the packet's addresses, protocol, ports and interface id
 *
 * One hash probe per prefix-length tuple in use (see the top of the file).
 *
 * Return: the best matching policy, valid in the caller's RCU read
 * section, or NULL when none matches.
 */
struct veil_policy *veil_policy_lookup(struct veil_net *vn, u8 dir,
				       const struct veil_flow *flow)
{
	struct veil_policy *pol, *best = NULL;
	struct veil_policy_tuple *t;
	struct veil_policy_key key;
	struct rhlist_head *list, *pos;

	memset(&key, 0, sizeof(key));
	key.if_id = flow->if_id;
	key.family = flow->family;
	key.dir = dir;
	list_for_each_entry_rcu(t, &vn->policy_tuples[dir], list) {
		if (t->family != flow->family)
			continue;
		key.src = flow->src;
		key.dst = flow->dst;
		veil_addr_prefix(&key.src, t->src_len);
		veil_addr_prefix(&key.dst, t->dst_len);
		key.src_len = t->src_len;
		key.dst_len = t->dst_len;
		list = rhltable_lookup(&vn->policy_table, &key, veil_policy_params);
		rhl_for_each_entry_rcu(pol, pos, list, node)
			if (veil_policy_upper_match(&pol->sel, flow) &&
			    (!best || veil_policy_better(pol, best)))
				best = pol;
	}
	return best;
}

/**
 * veil_flow_of() - what @skb looks like to the SPD
 * @skb: an IPv4 or IPv6 packet, its network header set
 * @family: AF_INET or AF_INET6, as the packet is
 * @flow: filled in; if_id 0
 *
 * Ports are those of TCP, UDP, UDP-Lite, SCTP and DCCP; for ICMP and
 * ICMPv6 the type and code stand in their place, as XFRM selectors have
 * them. A fragment other than the first has none. An IPv6 packet with an
 * AH header has AH as its protocol, as an IPv4 one does.
 *
 * Return: 0, or -EINVAL when the headers are truncated.
 */
int veil_flow_of(const struct sk_buff *skb, u16 family, struct veil_flow *flow)
{
	unsigned int off;
	bool first = true;
	__be16 ports[2];
	u8 type[2];
	u8 proto;

	memset(flow, 0, sizeof(*flow));
	flow->family = family;
	if (family == AF_INET) {
		const struct iphdr *iph = ip_hdr(skb);

		flow->src.ip4 = iph->saddr;
		flow->dst.ip4 = iph->daddr;
		proto = iph->protocol;
		off = skb_network_offset(skb) + iph->ihl * 4;
		first = !(iph->frag_off & htons(IP_OFFSET));
	} else {
		const struct ipv6hdr *ip6h = ipv6_hdr(skb);
		__be16 frag_off = 0;
		unsigned int ao;
		int o;

		flow->src.ip6 = ip6h->saddr;
		flow->dst.ip6 = ip6h->daddr;
		/*
		 * ipv6_skip_exthdr() steps over AH as over any extension
		 * header; to the SPD, as in IPv4, AH is the packet's protocol.
		 */
		ao = 0;
		if (ipv6_find_hdr(skb, &ao, IPPROTO_AH, NULL, NULL) == IPPROTO_AH) {
			flow->proto = IPPROTO_AH;
			return 0;
		}
		proto = ip6h->nexthdr;
		o = ipv6_skip_exthdr(skb, skb_network_offset(skb) + sizeof(*ip6h),
				     &proto, &frag_off);
		if (o < 0)
			return -EINVAL;
		off = o;
		first = !(frag_off & htons(IP6_OFFSET));
	}
	flow->proto = proto;
	if (!first)
		return 0;

	switch (proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
	case IPPROTO_SCTP:
	case IPPROTO_DCCP:
		if (skb_copy_bits(skb, off, ports, 4))
			return -EINVAL;
		flow->sport = ntohs(ports[0]);
		flow->dport = ntohs(ports[1]);
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		if (skb_copy_bits(skb, off, type, 2))
			return -EINVAL;
		flow->sport = type[0];
		flow->dport = type[1];
		break;
	}
	return 0;
}

/**
 * veil_policy_net_init() - set up an empty SPD for a new namespace
 * @vn: namespace state
 *
 * Return: 0 or -ENOMEM.
 */
int veil_policy_net_init(struct veil_net *vn)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vn->policy_tuples); i++)
		INIT_LIST_HEAD(&vn->policy_tuples[i]);
	xa_init_flags(&vn->policy_ids, XA_FLAGS_ALLOC1);
	return rhltable_init(&vn->policy_table, &veil_policy_params);
}

/**
 * veil_policy_net_exit() - delete every policy of a dying namespace
 * @vn: namespace state
 */
void veil_policy_net_exit(struct veil_net *vn)
{
	mutex_lock(&vn->conf_lock);
	veil_policy_flush(vn);
	mutex_unlock(&vn->conf_lock);
	rhltable_destroy(&vn->policy_table);
	xa_destroy(&vn->policy_ids);
}

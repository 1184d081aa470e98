// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The veil authors. All Rights Reserved.
 *
 * Which packets leave protected: the outbound side of the SPD (RFC 4301
 * section 5.1), on netfilter hooks.
 *
 * XFRM applies its policies when a route is looked up; veil, a module,
 * cannot, so it looks at each packet on its way out instead: at
 * LOCAL_OUT for packets this host sends and at FORWARD for packets it
 * routes, both after every other hook there. As in XFRM, one kind of
 * policy, `out`, governs both; a `fwd` policy is what a gateway checks
 * on packets that come out of a tunnel (input.c).
 *
 * A packet whose policy says "protect" is taken (NF_STOLEN) and goes
 * through the POST_ROUTING hooks as cleartext first, as it would in
 * ip_output(): so source NAT, conntrack's confirmation and the firewall
 * see it there, the order XFRM gives. Then esp_output.c makes the ESP
 * packet, which leaves through ip_local_out() and meets these hooks
 * again; they recognise it by its SPI and let it go.
 *
 * A policy that requires an SA which does not exist drops the packet and
 * tells the key manager with an acquire event, at most once per flow,
 * policy and template per veil_acquire_expires seconds.
 */

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/jhash.h>
#include <linux/module.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/udp.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/xfrm.h>

#include "dev.h"
#include "encap.h"
#include "esp.h"
#include "main.h"
#include "netlink.h"
#include "output.h"
#include "policy.h"
#include "sa.h"
#include "uapi/linux/veil.h"

static unsigned int veil_acquire_expires = 30;
module_param_named(acquire_expires, veil_acquire_expires, uint, 0644);
MODULE_PARM_DESC(acquire_expires,
		 "seconds before a flow that found no SA raises acquire-ntf again (default 30, as XFRM)");

/*
 * skb->cb between the decision and the encryption, after the IP layer's
 * own control block, which POST_ROUTING still uses. The SAs (the inner
 * one, and in a bundle the outer AH, else 0) are named by id rather than
 * held: a POST_ROUTING hook may drop the packet, and
 * nothing would release a reference then.
 */
struct veil_out_cb {
	union {
		struct inet_skb_parm h4;
		struct inet6_skb_parm h6;
	} header;
	u32 sa_id[2];
	bool forwarded;
};

#define VEIL_OUT_CB(skb) ((struct veil_out_cb *)&(skb)->cb[0])

static u16 veil_out_family(const struct nf_hook_state *state)
{
	return state->pf == NFPROTO_IPV4 ? AF_INET : AF_INET6;
}

/**
 * veil_ipsec_is_veils() - is @skb ESP (plain or in UDP) or AH of a veil SA?
 * @vn: the namespace
 * @skb: an IPv4 or IPv6 packet at a netfilter hook
 * @flow: its flow (veil_flow_of())
 *
 * On the way out those are what veil made, to pass: protecting them
 * again would loop. On the way in, UDP-encapsulated ESP for a veil SA is
 * ESP yet to be decrypted, not cleartext. For UDP the SA must have the
 * packet's destination port as its encap port.
 */
bool veil_ipsec_is_veils(struct veil_net *vn, struct sk_buff *skb, const struct veil_flow *flow)
{
	struct veil_sa_key key = { .family = flow->family, .proto = flow->proto };
	bool udp = flow->proto == IPPROTO_UDP;
	const struct veil_sa *sa;
	unsigned int off;
	__be32 spi;

	if (udp)
		key.proto = IPPROTO_ESP;
	else if (flow->proto != IPPROTO_ESP && flow->proto != IPPROTO_AH)
		return false;
	if (flow->family == AF_INET) {
		off = skb_network_offset(skb) + ip_hdrlen(skb);
	} else if (flow->proto == IPPROTO_AH) {
		off = 0;
		if (ipv6_find_hdr(skb, &off, IPPROTO_AH, NULL, NULL) != IPPROTO_AH)
			return false;
	} else {
		__be16 frag_off;
		u8 nexthdr = ipv6_hdr(skb)->nexthdr;
		int o = ipv6_skip_exthdr(skb, skb_network_offset(skb) + sizeof(struct ipv6hdr),
					 &nexthdr, &frag_off);

		if (o < 0)
			return false;
		off = o;
	}
	/* The SPI: first in ESP, after four bytes in AH, after UDP's header. */
	if (flow->proto == IPPROTO_AH)
		off += 4;
	else if (udp)
		off += sizeof(struct udphdr);
	if (skb_copy_bits(skb, off, &spi, sizeof(spi)))
		return false;
	if (udp && !spi)
		return false;	/* the non-ESP marker: not ESP */
	key.spi = ntohl(spi);
	key.dst = flow->dst;
	sa = veil_sa_lookup(vn, &key);
	return sa && (!udp || (sa->encap.type && sa->encap.dport == flow->dport));
}

/*
 * Send an acquire event for (@pol, template @t, @flow) unless one went out
 * for the same within veil_acquire_expires. The slots are a small lossy
 * cache: a collision costs at worst a repeated event.
 */
static void veil_out_acquire(struct veil_net *vn, const struct veil_policy *pol,
			     unsigned int t, const struct veil_flow *flow)
{
	struct veil_acquire_slot *slot;
	unsigned long now = jiffies;
	u32 h;

	h = jhash(&flow->src, sizeof(flow->src), pol->index ^ t << 24);
	h = jhash(&flow->dst, sizeof(flow->dst), h) | 1;
	slot = &vn->acquire[h % VEIL_ACQUIRE_SLOTS];
	if (READ_ONCE(slot->hash) == h && time_before(now, READ_ONCE(slot->until)))
		return;
	WRITE_ONCE(slot->hash, h);
	WRITE_ONCE(slot->until, now + veil_acquire_expires * HZ);
	veil_nl_acquire_notify(vn, pol, t, flow);
}

/**
 * veil_acquire_forget() - let every flow raise its acquire again at once
 * @vn: the namespace
 *
 * Called when an SA is added, which may answer any pending acquire, and
 * when the SAD is flushed. XFRM keeps a pending acquire as a larval SA,
 * which the SA that answers it replaces and a flush removes; so once that
 * SA is deleted or flushed, the flow's next packet asks the key manager
 * again at once. Left in the cache, the slot would hold the new acquire
 * back for up to acquire_expires seconds after the SA went. Which slots
 * an SA answers is not known here; clearing all costs at worst one
 * repeated event for a flow still pending, as a collision does.
 */
void veil_acquire_forget(struct veil_net *vn)
{
	unsigned int i;

	for (i = 0; i < VEIL_ACQUIRE_SLOTS; i++)
		WRITE_ONCE(vn->acquire[i].hash, 0);
}

/*
 * The SAs the templates of @pol call for, innermost first, into @sas;
 * returns how many (0: the packet goes out as it is). Sets *@verdict to
 * NF_DROP when it must not go out at all. Two SAs make a bundle (RFC 4301
 * section 4.5): ESP, then AH over it; other combinations drop.
 */
static unsigned int veil_out_resolve(struct veil_net *vn, const struct veil_policy *pol,
				     const struct veil_flow *flow, struct veil_sa **sas,
				     unsigned int *verdict)
{
	unsigned int i, n = 0;

	*verdict = NF_ACCEPT;
	for (i = 0; i < pol->ntmpl; i++) {
		const struct veil_tmpl *t = &pol->tmpl[i];
		struct veil_sa_tkey tkey = { .reqid = t->reqid, .proto = t->proto };
		const union veil_addr *src;
		struct veil_sa *sa;

		if (t->mode == VEIL_MODE_TUNNEL) {
			tkey.dst = t->dst;
			tkey.family = t->family;
			src = &t->src;
		} else {
			/* Transport mode protects this packet's own addresses. */
			tkey.dst = flow->dst;
			tkey.family = flow->family;
			src = &flow->src;
		}
		sa = veil_sa_lookup_tmpl(vn, &tkey, src, t->mode, t->spi, flow);
		if (!sa || !(sa->tfm || sa->ahash)) {
			if (t->level == VEIL_LEVEL_USE)
				continue;
			if (!sa)
				veil_out_acquire(vn, pol, i, flow);
			veil_stat_inc(vn, VEIL_A_NET_STATS_NO_SA);
			*verdict = NF_DROP;
			return 0;
		}
		if (n == 2 || (n == 1 && (!sas[0]->tfm || !sa->ahash))) {
			veil_stat_inc(vn, VEIL_A_NET_STATS_OTHER_DROPS);
			*verdict = NF_DROP;
			return 0;
		}
		sas[n++] = sa;
	}
	return n;
}

/* An SA of @net by id, with a reference; NULL if it is gone. */
static struct veil_sa *veil_out_sa(struct net *net, u32 id)
{
	struct veil_sa *sa;

	if (!id)
		return NULL;
	rcu_read_lock();
	sa = xa_load(&veil_net(net)->sa_ids, id);
	if (sa && !refcount_inc_not_zero(&sa->refcnt))
		sa = NULL;
	rcu_read_unlock();
	return sa;
}

/* After the cleartext passed POST_ROUTING: encrypt it. */
static int veil_out_finish(struct net *net, struct sock *sk, struct sk_buff *skb)
{
	struct veil_out_cb *cb = VEIL_OUT_CB(skb);
	bool forwarded = cb->forwarded;
	struct veil_sa *sa, *then = NULL;

	sa = veil_out_sa(net, cb->sa_id[0]);
	if (sa && cb->sa_id[1]) {
		then = veil_out_sa(net, cb->sa_id[1]);
		if (!then) {
			veil_sa_put(sa);
			sa = NULL;
		}
	}
	if (!sa) {
		/* Deleted meanwhile: the packet is not to go out in clear. */
		veil_stat_inc(veil_net(net), VEIL_A_NET_STATS_NO_SA);
		kfree_skb(skb);
		return 0;
	}
	veil_esp_output(skb, sa, forwarded, then);
	return 0;
}

/**
 * veil_output_if() - protect a packet routed into a veil interface
 * @vn: the interface's link namespace
 * @skb: the packet, IPv4 or IPv6, skb->data at its IP header
 * @if_id: the interface's id
 *
 * The out policy the packet's flow gets among those with @if_id names
 * the SAs, which must be tunnel mode and have @if_id too. Called from
 * the interface's transmit, BHs off.
 *
 * Return: 0 when the packet went on to ESP (consumed), else an error
 * and the caller drops it: nothing goes through an interface in clear.
 */
int veil_output_if(struct veil_net *vn, struct sk_buff *skb, u32 if_id)
{
	const struct veil_policy *pol;
	struct veil_sa *sas[2];
	struct veil_flow flow;
	unsigned int verdict, n;
	u16 family;

	if (skb->protocol == htons(ETH_P_IP))
		family = AF_INET;
	else if (skb->protocol == htons(ETH_P_IPV6))
		family = AF_INET6;
	else
		return -EAFNOSUPPORT;
	if (veil_flow_of(skb, family, &flow))
		return -EINVAL;
	flow.if_id = if_id;
	rcu_read_lock();
	pol = veil_policy_lookup(vn, VEIL_DIR_OUT, &flow);
	if (!pol || pol->action == VEIL_ACTION_BLOCK) {
		veil_stat_inc(vn, pol ? VEIL_A_NET_STATS_BLOCKED : VEIL_A_NET_STATS_NO_SA);
		goto drop;
	}
	n = veil_out_resolve(vn, pol, &flow, sas, &verdict);
	if (!n)
		goto drop;	/* counted, or a policy of optional templates only */
	if (sas[n - 1]->mode != VEIL_MODE_TUNNEL || !refcount_inc_not_zero(&sas[0]->refcnt)) {
		veil_stat_inc(vn, VEIL_A_NET_STATS_OTHER_DROPS);
		goto drop;
	}
	if (n == 2 && !refcount_inc_not_zero(&sas[1]->refcnt)) {
		veil_sa_put(sas[0]);
		veil_stat_inc(vn, VEIL_A_NET_STATS_OTHER_DROPS);
		goto drop;
	}
	rcu_read_unlock();
	/* As forwarded: a packet too big for the tunnel draws ICMP "too big". */
	veil_esp_output(skb, sas[0], true, n == 2 ? sas[1] : NULL);
	return 0;
drop:
	rcu_read_unlock();
	return -ENOENT;
}

static unsigned int veil_out_hook(void *priv, struct sk_buff *skb,
				  const struct nf_hook_state *state)
{
	struct veil_net *vn = veil_net(state->net);
	const struct veil_policy *pol;
	struct veil_sa *sas[2];
	struct dst_entry *dst;
	struct veil_flow flow;
	unsigned int verdict, n;

	if (!READ_ONCE(vn->policy_count[VEIL_DIR_OUT]))
		return NF_ACCEPT;
	/* Into a veil interface: its transmit applies its own policies. */
	if (veil_dev_if_id(state->out))
		return NF_ACCEPT;
	if (veil_flow_of(skb, veil_out_family(state), &flow))
		return NF_ACCEPT;
	/* IKE from a NAT-T socket leaves in clear, as charon's bypass policies make it. */
	if (veil_ipsec_is_veils(vn, skb, &flow) || veil_encap_sk_is_ike(skb->sk))
		return NF_ACCEPT;
	pol = veil_policy_lookup(vn, VEIL_DIR_OUT, &flow);
	if (!pol)
		return NF_ACCEPT;
	if (pol->action == VEIL_ACTION_BLOCK) {
		veil_stat_inc(vn, VEIL_A_NET_STATS_BLOCKED);
		return NF_DROP;
	}
	n = veil_out_resolve(vn, pol, &flow, sas, &verdict);
	if (!n)
		return verdict;

	dst = skb_dst(skb);
	if (!dst)
		return NF_DROP;
	VEIL_OUT_CB(skb)->sa_id[0] = sas[0]->id;
	VEIL_OUT_CB(skb)->sa_id[1] = n == 2 ? sas[1]->id : 0;
	VEIL_OUT_CB(skb)->forwarded = state->hook == NF_INET_FORWARD;

	/* What ip_output() and ip6_output() do before POST_ROUTING. */
	skb->dev = dst->dev;
	NF_HOOK(state->pf, NF_INET_POST_ROUTING, state->net, state->sk, skb,
		NULL, dst->dev, veil_out_finish);
	return NF_STOLEN;
}

/* Last, after every other hook at OUTPUT and FORWARD. */
static const struct nf_hook_ops veil_out_ops[] = {
	{
		.hook = veil_out_hook,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_LOCAL_OUT,
		.priority = NF_IP_PRI_LAST,
	},
	{
		.hook = veil_out_hook,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_FORWARD,
		.priority = NF_IP_PRI_LAST,
	},
	{
		.hook = veil_out_hook,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_LOCAL_OUT,
		.priority = NF_IP6_PRI_LAST,
	},
	{
		.hook = veil_out_hook,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_FORWARD,
		.priority = NF_IP6_PRI_LAST,
	},
};

/**
 * veil_output_net_init() - start looking at @vn's outgoing packets
 * @vn: namespace state
 *
 * Return: 0 or the error of nf_register_net_hooks().
 */
int veil_output_net_init(struct veil_net *vn)
{
	BUILD_BUG_ON(sizeof(struct veil_out_cb) > sizeof_field(struct sk_buff, cb));
	return nf_register_net_hooks(vn->net, veil_out_ops, ARRAY_SIZE(veil_out_ops));
}

/**
 * veil_output_net_exit() - stop
 * @vn: namespace state
 */
void veil_output_net_exit(struct veil_net *vn)
{
	nf_unregister_net_hooks(vn->net, veil_out_ops, ARRAY_SIZE(veil_out_ops));
}

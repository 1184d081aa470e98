// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The veil authors. All Rights Reserved.
 *
 * The inbound side of the SPD (RFC 4301 section 5.2): what may arrive.
 *
 * A packet veil decrypted carries a mark naming its SA (veil_input_mark(),
 * set before it is handed back to the stack). Once routing has decided
 * where it goes, hooks at LOCAL_IN and FORWARD look up the `in` or `fwd`
 * policy for it:
 *
 *  - a decrypted packet passes only when the policy allows it, one of
 *    its templates fits the SA it came through (protocol, mode, reqid,
 *    SPI and, for tunnels, the endpoints) and the SA's selector, if it
 *    has one, covers the packet; else it is dropped and counted on the
 *    SA (policy_drops), as XFRM does in its policy check;
 *  - a packet that came in clear is dropped when its policy blocks it or
 *    requires protection (a template with level required), and counted
 *    in the namespace's cleartext_drops.
 *
 * ESP and AH packets themselves pass: they are the protection, and their
 * own handlers (veil's or XFRM's) see them next. A namespace with no
 * in or fwd policies pays one test per packet.
 *
 * The mark lives at the end of skb->cb, past what the IP layer, the
 * queueing disciplines and tc programs use, and is cleared when checked;
 * a packet out of a bundle (AH over ESP) carries two, one per SA.
 * It holds the SA's id and a keyed hash of the id and the namespace, so a
 * stale or forged value never names an SA, and a packet that carries its
 * mark into another namespace (veth) counts as cleartext there.
 */

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/random.h>
#include <linux/siphash.h>
#include <linux/skbuff.h>

#include "dev.h"
#include "encap.h"
#include "esp.h"
#include "input.h"
#include "main.h"
#include "output.h"
#include "policy.h"
#include "sa.h"
#include "uapi/linux/veil.h"

/**
 * struct veil_input_mark - what a decrypted packet carries to the hooks
 * @sa_id: veil_sa.id of the SA it came through
 * @tag: siphash of @sa_id and the namespace under a boot-time key
 */
struct veil_input_mark {
	u32 sa_id;
	u32 tag;
};

/*
 * Two marks: a packet can come out of a bundle (AH over ESP), one SA
 * after the other. The newest is at the end of cb, the one before it
 * just ahead of it.
 */
#define VEIL_INPUT_MARKS 2
#define VEIL_INPUT_MARK_OFF (sizeof_field(struct sk_buff, cb) - \
			     VEIL_INPUT_MARKS * sizeof(struct veil_input_mark))
#define VEIL_INPUT_MARK(skb) ((struct veil_input_mark *)&(skb)->cb[VEIL_INPUT_MARK_OFF])

static siphash_key_t veil_input_key __read_mostly;

static u32 veil_input_tag(const struct net *net, u32 sa_id)
{
	return (u32)siphash_2u64((u64)(unsigned long)net, sa_id, &veil_input_key) | 1;
}

static bool veil_input_mark_ok(const struct veil_input_mark *m, const struct net *net)
{
	return m->tag && m->tag == veil_input_tag(net, m->sa_id);
}

/**
 * veil_input_mark() - clear @skb's cb and note that @sa verified it
 * @skb: the decrypted or verified packet
 * @sa: the SA
 *
 * A mark @skb already carries from this namespace (the outer SA of a
 * bundle) is kept beside the new one.
 */
void veil_input_mark(struct sk_buff *skb, const struct veil_sa *sa)
{
	struct veil_input_mark *m = VEIL_INPUT_MARK(skb);
	struct veil_input_mark prev = m[VEIL_INPUT_MARKS - 1];
	struct net *net = sa->vn->net;

	memset(skb->cb, 0, sizeof(skb->cb));
	if (veil_input_mark_ok(&prev, net))
		m[0] = prev;
	m[VEIL_INPUT_MARKS - 1].sa_id = sa->id;
	m[VEIL_INPUT_MARKS - 1].tag = veil_input_tag(net, sa->id);
}

/* Does @skb carry a mark at all? */
static bool veil_input_marked(struct sk_buff *skb)
{
	return VEIL_INPUT_MARK(skb)[VEIL_INPUT_MARKS - 1].tag;
}

/* The SA ids @skb's marks name in @net, into @ids; how many. Cleared. */
static unsigned int veil_input_take_marks(struct sk_buff *skb, const struct net *net,
					  u32 *ids)
{
	struct veil_input_mark *m = VEIL_INPUT_MARK(skb);
	unsigned int i, n = 0;

	for (i = 0; i < VEIL_INPUT_MARKS; i++)
		if (veil_input_mark_ok(&m[i], net))
			ids[n++] = m[i].sa_id;
	memset(m, 0, VEIL_INPUT_MARKS * sizeof(*m));
	return n;
}

/* Does template @t describe @sa (xfrm_state_ok() in XFRM's terms)? */
static bool veil_input_tmpl_fits(const struct veil_tmpl *t, const struct veil_sa *sa)
{
	if (t->proto != sa->key.proto || t->mode != sa->mode)
		return false;
	if ((t->reqid && t->reqid != sa->reqid) || (t->spi && t->spi != sa->key.spi))
		return false;
	if (sa->mode == VEIL_MODE_TUNNEL && t->family &&
	    (t->family != sa->key.family || memcmp(&t->src, &sa->src, sizeof(t->src)) ||
	     memcmp(&t->dst, &sa->key.dst, sizeof(t->dst))))
		return false;
	return true;
}

/*
 * Do the SAs a packet came through satisfy @pol? Each must fit one of its
 * templates, and each required template must be fitted by one of them.
 */
static bool veil_input_policy_fits(const struct veil_policy *pol,
				   struct veil_sa **sas, unsigned int n)
{
	unsigned int i, j;

	if (!pol || pol->action != VEIL_ACTION_ALLOW)
		return false;
	for (j = 0; j < n; j++) {
		for (i = 0; i < pol->ntmpl; i++)
			if (veil_input_tmpl_fits(&pol->tmpl[i], sas[j]))
				break;
		if (i == pol->ntmpl)
			return false;
	}
	for (i = 0; i < pol->ntmpl; i++) {
		if (pol->tmpl[i].level != VEIL_LEVEL_REQUIRED)
			continue;
		for (j = 0; j < n; j++)
			if (veil_input_tmpl_fits(&pol->tmpl[i], sas[j]))
				break;
		if (j == n)
			return false;
	}
	return true;
}

/*
 * Is the decrypted packet @flow traffic each SA may carry? An SA's
 * selector bounds it inbound as well as outbound (RFC 4301 section 5.2,
 * and XFRM's XfrmInStateMismatch): without this check a peer holding one
 * tunnel's keys could send, inside it, packets any other in policy of the
 * same template allows, from sources the SA was never negotiated for
 * (pkt_fuzz's inner class found it: a source in the policy's prefix but
 * outside the SA's arrived).
 */
static bool veil_input_sel_ok(struct veil_sa **sas, unsigned int n,
			      const struct veil_flow *flow)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (sas[i]->sel.family && !veil_selector_match(&sas[i]->sel, flow))
			return false;
	return true;
}

/* May a packet matching @pol arrive without protection? */
static bool veil_input_clear_ok(const struct veil_policy *pol)
{
	unsigned int i;

	if (!pol)
		return true;
	if (pol->action != VEIL_ACTION_ALLOW)
		return false;
	for (i = 0; i < pol->ntmpl; i++)
		if (pol->tmpl[i].level == VEIL_LEVEL_REQUIRED)
			return false;
	return true;
}

static unsigned int veil_input_hook(void *priv, struct sk_buff *skb,
				    const struct nf_hook_state *state)
{
	u8 dir = state->hook == NF_INET_LOCAL_IN ? VEIL_DIR_IN : VEIL_DIR_FWD;
	struct veil_net *vn = veil_net(state->net);
	struct veil_sa *sas[VEIL_INPUT_MARKS];
	const struct veil_policy *pol;
	u32 ids[VEIL_INPUT_MARKS];
	struct veil_flow flow;
	unsigned int i, n;

	if (!veil_input_marked(skb) && !READ_ONCE(vn->policy_count[dir]))
		return NF_ACCEPT;
	if (veil_flow_of(skb, state->pf == NFPROTO_IPV4 ? AF_INET : AF_INET6, &flow)) {
		veil_stat_inc(vn, VEIL_A_NET_STATS_OTHER_DROPS);
		return NF_DROP;
	}
	/* Received on a veil interface: its id's policies apply (as XFRM's). */
	flow.if_id = veil_dev_if_id(state->in);
	/*
	 * Still ESP or AH: on to its handler, marks and all (the inner SA of
	 * a bundle is yet to come).
	 */
	if (flow.proto == IPPROTO_ESP || flow.proto == IPPROTO_AH)
		return NF_ACCEPT;
	/*
	 * NAT traversal: ESP-in-UDP for a veil SA is ESP too; and whatever
	 * reaches a NAT-T port veil holds is ESP or IKE, which must arrive
	 * in clear whatever policy covers it (charon has XFRM bypass its
	 * sockets).
	 */
	if (flow.proto == IPPROTO_UDP && dir == VEIL_DIR_IN &&
	    (veil_encap_port_held(vn, flow.family, flow.dport) ||
	     veil_ipsec_is_veils(vn, skb, &flow)))
		return NF_ACCEPT;

	n = veil_input_take_marks(skb, state->net, ids);
	pol = veil_policy_lookup(vn, dir, &flow);
	if (!n) {
		if (veil_input_clear_ok(pol))
			return NF_ACCEPT;
		veil_stat_inc(vn, pol->action == VEIL_ACTION_BLOCK ?
			      VEIL_A_NET_STATS_BLOCKED : VEIL_A_NET_STATS_CLEARTEXT_DROPS);
		return NF_DROP;
	}

	/* Hooks run under rcu_read_lock(): the SAs stay while we look. */
	for (i = 0; i < n; i++) {
		sas[i] = xa_load(&vn->sa_ids, ids[i]);
		if (!sas[i]) {
			/* Deleted since: nothing to check against. */
			veil_stat_inc(vn, VEIL_A_NET_STATS_POLICY_DROPS);
			return NF_DROP;
		}
	}
	if (veil_input_policy_fits(pol, sas, n) && veil_input_sel_ok(sas, n, &flow))
		return NF_ACCEPT;
	/* Counted on the innermost SA, the one that made the packet what it is. */
	veil_esp_drop(sas[n - 1], &sas[n - 1]->stats.policy_drops, VEIL_A_NET_STATS_POLICY_DROPS);
	return NF_DROP;
}

/* Before the output hook at FORWARD, after every other hook. */
#define VEIL_INPUT_PRIORITY (NF_IP_PRI_LAST - 1)

static const struct nf_hook_ops veil_input_ops[] = {
	{
		.hook = veil_input_hook,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_LOCAL_IN,
		.priority = VEIL_INPUT_PRIORITY,
	},
	{
		.hook = veil_input_hook,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_FORWARD,
		.priority = VEIL_INPUT_PRIORITY,
	},
	{
		.hook = veil_input_hook,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_LOCAL_IN,
		.priority = VEIL_INPUT_PRIORITY,
	},
	{
		.hook = veil_input_hook,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_FORWARD,
		.priority = VEIL_INPUT_PRIORITY,
	},
};

/**
 * veil_input_init() - pick the key that makes marks unforgeable
 */
void __init veil_input_init(void)
{
	/* Past the IP layer's control block and the crypto context pointer. */
	BUILD_BUG_ON(VEIL_INPUT_MARK_OFF < 32);
	get_random_bytes(&veil_input_key, sizeof(veil_input_key));
}

/**
 * veil_input_net_init() - start checking @vn's incoming packets
 * @vn: namespace state
 *
 * Return: 0 or the error of nf_register_net_hooks().
 */
int veil_input_net_init(struct veil_net *vn)
{
	return nf_register_net_hooks(vn->net, veil_input_ops, ARRAY_SIZE(veil_input_ops));
}

/**
 * veil_input_net_exit() - stop
 * @vn: namespace state
 */
void veil_input_net_exit(struct veil_net *vn)
{
	nf_unregister_net_hooks(vn->net, veil_input_ops, ARRAY_SIZE(veil_input_ops));
}

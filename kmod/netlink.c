// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The veil authors. All Rights Reserved.
 *
 * The `veil` generic-netlink family. Its wire format is defined by
 * Documentation/netlink/specs/veil.yaml; the attribute and command numbers
 * come from the uapi header generated from that spec.
 *
 * Privilege: read-only operations (info, counts, gets and dumps without
 * keys) are open to everyone. Every operation that changes state needs
 * CAP_NET_ADMIN in the user namespace that owns the network namespace of
 * the requesting socket (GENL_UNS_ADMIN_PERM semantics), so that a
 * container's root manages its own namespace's SAs and nobody else's.
 * The handlers check it themselves, first thing, through
 * veil_nl_require_admin(): the core's flag would refuse with a bare EPERM,
 * and every refusal here says why.
 */

#include <linux/kernel.h>
#include <net/genetlink.h>

#include "crypto.h"
#include "encap.h"
#include "main.h"
#include "netlink.h"
#include "sa.h"
#include "version.h"
#include "uapi/linux/veil.h"


/*
 * `info` takes no attributes. Rather than let the core answer a stray one
 * with a bare "Unknown attribute type", say what is wrong.
 */
static const struct nla_policy veil_info_req_policy[VEIL_A_INFO_MAX + 1] = {
	[VEIL_A_INFO_VERSION] = {
		.type = NLA_REJECT,
		.reject_message = "info takes no attributes; version is reply-only",
	},
	[VEIL_A_INFO_ALG] = {
		.type = NLA_REJECT,
		.reject_message = "info takes no attributes; alg is reply-only",
	},
};

/**
 * veil_nl_require_admin() - refuse a request that lacks CAP_NET_ADMIN
 * @skb: the request
 * @info: its genl_info, for the namespace and the extack
 *
 * Return: 0 when the sender has CAP_NET_ADMIN over the namespace's user
 * namespace, else -EPERM with a message.
 */
int veil_nl_require_admin(struct sk_buff *skb, struct genl_info *info)
{
	if (netlink_ns_capable(skb, genl_info_net(info)->user_ns, CAP_NET_ADMIN))
		return 0;
	NL_SET_ERR_MSG(info->extack,
			   "this changes veil's state and needs CAP_NET_ADMIN in the namespace's user namespace");
	return -EPERM;
}

/**
 * veil_nl_reply_new() - a message for the reply to @info's request
 * @info: the request, whose extack says why when memory is short
 *
 * Return: a new message, or NULL with the reason set.
 */
struct sk_buff *veil_nl_reply_new(struct genl_info *info)
{
	struct sk_buff *msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);

	if (!msg)
		NL_SET_ERR_MSG(info->extack, "out of memory for the reply");
	return msg;
}

/**
 * veil_nl_event_new() - a message for the events group, if anyone listens
 * @net: the namespace the event happened in
 *
 * Events are built only when someone listens, so that mass adds and
 * flushes cost nothing extra.
 *
 * Return: a new message, or NULL when nobody listens or memory is short.
 */
struct sk_buff *veil_nl_event_new(struct net *net)
{
	if (!genl_has_listeners(&veil_genl_family, net, VEIL_NLGRP_EVENTS))
		return NULL;
	return genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
}

/**
 * veil_nl_event_send() - send a message from veil_nl_event_new() to the group
 * @net: the namespace the event happened in
 * @msg: the finished message; consumed
 */
void veil_nl_event_send(struct net *net, struct sk_buff *msg)
{
	genlmsg_multicast_netns(&veil_genl_family, net, msg, 0, VEIL_NLGRP_EVENTS,
				GFP_KERNEL);
}

static int veil_nl_info_alg(struct sk_buff *skb, const struct veil_crypto_alg *alg)
{
	struct nlattr *nest;

	nest = nla_nest_start(skb, VEIL_A_INFO_ALG);
	if (!nest)
		return -EMSGSIZE;

	if (nla_put_string(skb, VEIL_A_ALG_NAME, alg->name) ||
	    nla_put_u32(skb, VEIL_A_ALG_TYPE, alg->type) ||
	    nla_put_u32(skb, VEIL_A_ALG_USES, alg->uses) ||
	    (veil_crypto_alg_available(alg) &&
	     nla_put_flag(skb, VEIL_A_ALG_AVAILABLE))) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}

	nla_nest_end(skb, nest);
	return 0;
}

static int veil_nl_info_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	unsigned int i;
	void *hdr;
	int ret;

	msg = veil_nl_reply_new(info);
	if (!msg)
		return -ENOMEM;

	hdr = genlmsg_put_reply(msg, info, &veil_genl_family, 0, VEIL_CMD_INFO);
	if (!hdr) {
		ret = -EMSGSIZE;
		goto err_free;
	}

	ret = nla_put_string(msg, VEIL_A_INFO_VERSION, VEIL_MOD_VERSION);
	if (ret)
		goto err_free;

	for (i = 0; i < veil_crypto_alg_count(); i++) {
		ret = veil_nl_info_alg(msg, veil_crypto_alg_get(i));
		if (ret)
			goto err_free;
	}

	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_free:
	/* The table is fixed and small: overflowing a page is a veil bug. */
	NL_SET_ERR_MSG(info->extack, "info reply does not fit in one message");
	nlmsg_free(msg);
	return ret;
}

static const struct nla_policy veil_counts_req_policy[VEIL_A_COUNTS_MAX + 1] = {
};

static int veil_nl_counts_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct veil_net *vn = veil_net(genl_info_net(info));
	struct sk_buff *msg;
	void *hdr;

	msg = veil_nl_reply_new(info);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &veil_genl_family, 0, VEIL_CMD_COUNTS);
	if (!hdr ||
	    nla_put_u32(msg, VEIL_A_COUNTS_SA_COUNT, READ_ONCE(vn->sa_count)) ||
	    nla_put_u32(msg, VEIL_A_COUNTS_SA_LIMIT, READ_ONCE(veil_sa_limit)) ||
	    nla_put_u32(msg, VEIL_A_COUNTS_POLICY_IN, READ_ONCE(vn->policy_count[VEIL_DIR_IN])) ||
	    nla_put_u32(msg, VEIL_A_COUNTS_POLICY_OUT, READ_ONCE(vn->policy_count[VEIL_DIR_OUT])) ||
	    nla_put_u32(msg, VEIL_A_COUNTS_POLICY_FWD, READ_ONCE(vn->policy_count[VEIL_DIR_FWD]))) {
		NL_SET_ERR_MSG(info->extack, "counts reply does not fit in one message");
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static const struct nla_policy veil_stats_req_policy[VEIL_A_NET_STATS_MAX + 1] = {
};

static int veil_nl_stats_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct veil_net *vn = veil_net(genl_info_net(info));
	u64 sum[VEIL_A_NET_STATS_MAX + 1] = { 0 };
	struct sk_buff *msg;
	unsigned int i;
	void *hdr;
	int cpu;

	for_each_possible_cpu(cpu) {
		const struct veil_net_stats *st = per_cpu_ptr(vn->stats, cpu);

		for (i = VEIL_A_NET_STATS_PAD + 1; i <= VEIL_A_NET_STATS_MAX; i++)
			sum[i] += READ_ONCE(st->v[i]);
	}
	msg = veil_nl_reply_new(info);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &veil_genl_family, 0, VEIL_CMD_STATS_GET);
	if (!hdr)
		goto err;
	for (i = VEIL_A_NET_STATS_PAD + 1; i <= VEIL_A_NET_STATS_MAX; i++)
		if (nla_put_u64_64bit(msg, i, sum[i], VEIL_A_NET_STATS_PAD))
			goto err;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
err:
	NL_SET_ERR_MSG(info->extack, "stats reply does not fit in one message");
	nlmsg_free(msg);
	return -EMSGSIZE;
}

/*
 * struct genl_ops with per-operation policies works on 6.1 and 6.12
 * alike; the split ops ynl-gen-c emits need 6.2. Mutating operations
 * check privilege in their handlers (see veil_nl_require_admin()).
 */
static const struct genl_ops veil_genl_ops[] = {
	{
		.cmd = VEIL_CMD_INFO,
		.doit = veil_nl_info_doit,
		.policy = veil_info_req_policy,
		.maxattr = VEIL_A_INFO_MAX,
	},
	{
		.cmd = VEIL_CMD_SA_NEW,
		.doit = veil_nl_sa_new_doit,
		.policy = veil_sa_new_policy,
		.maxattr = VEIL_A_SA_MAX,
	},
	{
		.cmd = VEIL_CMD_SA_UPDATE,
		.doit = veil_nl_sa_update_doit,
		.policy = veil_sa_new_policy,
		.maxattr = VEIL_A_SA_MAX,
	},
	{
		.cmd = VEIL_CMD_SA_GET,
		.doit = veil_nl_sa_get_doit,
		.dumpit = veil_nl_sa_get_dumpit,
		.policy = veil_sa_id_policy,
		.maxattr = VEIL_A_SA_MAX,
	},
	{
		.cmd = VEIL_CMD_SA_DEL,
		.doit = veil_nl_sa_del_doit,
		.policy = veil_sa_id_policy,
		.maxattr = VEIL_A_SA_MAX,
	},
	{
		.cmd = VEIL_CMD_SA_FLUSH,
		.doit = veil_nl_sa_flush_doit,
		.policy = veil_sa_flush_policy,
		.maxattr = VEIL_A_SA_MAX,
	},
	{
		.cmd = VEIL_CMD_POLICY_NEW,
		.doit = veil_nl_policy_new_doit,
		.policy = veil_policy_new_policy,
		.maxattr = VEIL_A_POLICY_MAX,
	},
	{
		.cmd = VEIL_CMD_POLICY_UPDATE,
		.doit = veil_nl_policy_update_doit,
		.policy = veil_policy_new_policy,
		.maxattr = VEIL_A_POLICY_MAX,
	},
	{
		.cmd = VEIL_CMD_POLICY_GET,
		.doit = veil_nl_policy_get_doit,
		.dumpit = veil_nl_policy_get_dumpit,
		.policy = veil_policy_id_policy,
		.maxattr = VEIL_A_POLICY_MAX,
	},
	{
		.cmd = VEIL_CMD_POLICY_DEL,
		.doit = veil_nl_policy_del_doit,
		.policy = veil_policy_id_policy,
		.maxattr = VEIL_A_POLICY_MAX,
	},
	{
		.cmd = VEIL_CMD_POLICY_FLUSH,
		.doit = veil_nl_policy_flush_doit,
		.policy = veil_policy_flush_policy,
		.maxattr = VEIL_A_POLICY_MAX,
	},
	{
		.cmd = VEIL_CMD_COUNTS,
		.doit = veil_nl_counts_doit,
		.policy = veil_counts_req_policy,
		.maxattr = VEIL_A_COUNTS_MAX,
	},
	{
		.cmd = VEIL_CMD_STATS_GET,
		.doit = veil_nl_stats_doit,
		.policy = veil_stats_req_policy,
		.maxattr = VEIL_A_NET_STATS_MAX,
	},
	{
		.cmd = VEIL_CMD_POLICY_LOOKUP,
		.doit = veil_nl_policy_lookup_doit,
		.policy = veil_policy_lookup_policy,
		.maxattr = VEIL_A_POLICY_MAX,
	},
	{
		.cmd = VEIL_CMD_ENCAP_NEW,
		.doit = veil_nl_encap_new_doit,
		.policy = veil_encap_sock_policy,
		.maxattr = VEIL_A_ENCAP_SOCK_MAX,
	},
	{
		.cmd = VEIL_CMD_ENCAP_DEL,
		.doit = veil_nl_encap_del_doit,
		.policy = veil_encap_sock_policy,
		.maxattr = VEIL_A_ENCAP_SOCK_MAX,
	},
	{
		.cmd = VEIL_CMD_ENCAP_GET,
		.dumpit = veil_nl_encap_get_dumpit,
		.policy = veil_encap_sock_policy,
		.maxattr = VEIL_A_ENCAP_SOCK_MAX,
	},
	{
		/* No admin flag: like setsockopt, it acts on the caller's own socket. */
		.cmd = VEIL_CMD_TLS_KEY_NEW,
		.doit = veil_nl_tls_key_new_doit,
		.policy = veil_tls_key_policy,
		.maxattr = VEIL_A_TLS_KEY_MAX,
	},
};

static const struct genl_multicast_group veil_genl_mcgrps[] = {
	[VEIL_NLGRP_EVENTS] = { .name = VEIL_MCGRP_EVENTS },
};

struct genl_family veil_genl_family __ro_after_init = {
	.name = VEIL_FAMILY_NAME,
	.version = VEIL_FAMILY_VERSION,
	.netnsok = true,
	/*
	 * No genl_mutex: each operation takes only the locks of the namespace
	 * it acts on (struct veil_net), so namespaces do not serialise on one
	 * another.
	 */
	.parallel_ops = true,
	.module = THIS_MODULE,
	.ops = veil_genl_ops,
	.n_ops = ARRAY_SIZE(veil_genl_ops),
	.mcgrps = veil_genl_mcgrps,
	.n_mcgrps = ARRAY_SIZE(veil_genl_mcgrps),
};

/**
 * veil_genl_init() - register the `veil` generic-netlink family
 *
 * Return: 0 or a negative errno from genl_register_family().
 */
int __init veil_genl_init(void)
{
	return genl_register_family(&veil_genl_family);
}

/**
 * veil_genl_uninit() - unregister the family; waits for running handlers
 */
void veil_genl_uninit(void)
{
	genl_unregister_family(&veil_genl_family);
}

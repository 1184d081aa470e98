// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The veil authors. All Rights Reserved.
 *
 * The `veil` generic-netlink family. Its wire format is defined by
 * Documentation/netlink/specs/veil.yaml; the attribute and command numbers
 * come from the uapi header generated from that spec.
 *
 * Privilege: read-only operations (info) are open to everyone. Every
 * operation that changes state is flagged GENL_UNS_ADMIN_PERM, i.e. it
 * needs CAP_NET_ADMIN in the user namespace that owns the network
 * namespace of the requesting socket, so that a container's root manages
 * its own namespace's SAs and nobody else's.
 */

#include <linux/kernel.h>
#include <net/genetlink.h>

#include "crypto.h"
#include "main.h"
#include "netlink.h"
#include "version.h"
#include "uapi/linux/veil.h"

static struct genl_family veil_genl_family;

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

static int veil_nl_put_alg(struct sk_buff *skb, const struct veil_crypto_alg *alg)
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

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
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
		ret = veil_nl_put_alg(msg, veil_crypto_alg_get(i));
		if (ret)
			goto err_free;
	}

	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_free:
	/* The table is fixed and small: overflowing a page is a veil bug. */
	NL_SET_ERR_MSG_MOD(info->extack, "info reply does not fit in one message");
	nlmsg_free(msg);
	return ret;
}

static const struct genl_ops veil_genl_ops[] = {
	{
		.cmd = VEIL_CMD_INFO,
		.doit = veil_nl_info_doit,
		.policy = veil_info_req_policy,
		.maxattr = VEIL_A_INFO_MAX,
		/* Read-only: no .flags, any user may ask. */
	},
};

static struct genl_family veil_genl_family __ro_after_init = {
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

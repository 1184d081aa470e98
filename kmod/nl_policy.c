// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The veil authors. All Rights Reserved.
 *
 * The policy commands of the veil family: policy-new, policy-update,
 * policy-get (do and dump), policy-del, policy-flush, policy-lookup, and
 * the policy notifications.
 */

#include <linux/in.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "main.h"
#include "netlink.h"
#include "policy.h"
#include "uapi/linux/veil.h"

static const struct nla_policy veil_tmpl_policy[VEIL_A_TMPL_MAX + 1] = {
	[VEIL_A_TMPL_FAMILY] = { .type = NLA_U16 },
	[VEIL_A_TMPL_SRC] = { .type = NLA_BINARY, .len = 16 },
	[VEIL_A_TMPL_DST] = { .type = NLA_BINARY, .len = 16 },
	[VEIL_A_TMPL_PROTO] = { .type = NLA_U8 },
	[VEIL_A_TMPL_SPI] = { .type = NLA_U32 },
	[VEIL_A_TMPL_MODE] = { .type = NLA_U8 },
	[VEIL_A_TMPL_REQID] = { .type = NLA_U32 },
	[VEIL_A_TMPL_LEVEL] = { .type = NLA_U8 },
};

/* policy-new and policy-update. */
const struct nla_policy veil_policy_new_policy[VEIL_A_POLICY_MAX + 1] = {
	[VEIL_A_POLICY_SELECTOR] = NLA_POLICY_NESTED(veil_selector_policy),
	[VEIL_A_POLICY_DIR] = { .type = NLA_U8 },
	[VEIL_A_POLICY_ACTION] = { .type = NLA_U8 },
	[VEIL_A_POLICY_PRIORITY] = { .type = NLA_U32 },
	[VEIL_A_POLICY_IF_ID] = { .type = NLA_U32 },
	[VEIL_A_POLICY_INDEX] = { .type = NLA_REJECT,
				  .reject_message = "the kernel assigns policy indexes" },
	[VEIL_A_POLICY_TMPL] = NLA_POLICY_NESTED(veil_tmpl_policy),
};

/* policy-get and policy-del: by index, or by selector, dir and if-id. */
const struct nla_policy veil_policy_id_policy[VEIL_A_POLICY_MAX + 1] = {
	[VEIL_A_POLICY_SELECTOR] = NLA_POLICY_NESTED(veil_selector_policy),
	[VEIL_A_POLICY_DIR] = { .type = NLA_U8 },
	[VEIL_A_POLICY_IF_ID] = { .type = NLA_U32 },
	[VEIL_A_POLICY_INDEX] = { .type = NLA_U32 },
};

/* policy-lookup: a flow, a direction and an interface id. */
const struct nla_policy veil_policy_lookup_policy[VEIL_A_POLICY_MAX + 1] = {
	[VEIL_A_POLICY_SELECTOR] = NLA_POLICY_NESTED(veil_selector_policy),
	[VEIL_A_POLICY_DIR] = { .type = NLA_U8 },
	[VEIL_A_POLICY_IF_ID] = { .type = NLA_U32 },
};

/* policy-flush takes nothing. */
const struct nla_policy veil_policy_flush_policy[VEIL_A_POLICY_MAX + 1] = {
};

static int veil_nl_tmpl(struct nlattr *nest, const struct veil_selector *sel,
			struct veil_tmpl *t, struct netlink_ext_ack *extack)
{
	struct nlattr *tb[VEIL_A_TMPL_MAX + 1];
	int ret;

	memset(t, 0, sizeof(*t));
	ret = nla_parse_nested(tb, VEIL_A_TMPL_MAX, nest, veil_tmpl_policy, extack);
	if (ret)
		return ret;
	if (!tb[VEIL_A_TMPL_PROTO]) {
		NL_SET_ERR_ATTR_MISS(extack, nest, VEIL_A_TMPL_PROTO);
		NL_SET_ERR_MSG(extack, "a template needs proto esp or ah");
		return -EINVAL;
	}
	t->proto = nla_get_u8(tb[VEIL_A_TMPL_PROTO]);
	if (t->proto != IPPROTO_ESP && t->proto != IPPROTO_AH) {
		NL_SET_ERR_MSG_ATTR(extack, tb[VEIL_A_TMPL_PROTO], "proto must be esp (50) or ah (51)");
		return -EPROTONOSUPPORT;
	}
	t->mode = tb[VEIL_A_TMPL_MODE] ? nla_get_u8(tb[VEIL_A_TMPL_MODE]) : VEIL_MODE_TRANSPORT;
	if (t->mode != VEIL_MODE_TRANSPORT && t->mode != VEIL_MODE_TUNNEL) {
		NL_SET_ERR_MSG_ATTR(extack, tb[VEIL_A_TMPL_MODE], "mode must be transport (0) or tunnel (1)");
		return -EINVAL;
	}
	t->level = tb[VEIL_A_TMPL_LEVEL] ? nla_get_u8(tb[VEIL_A_TMPL_LEVEL]) : VEIL_LEVEL_REQUIRED;
	if (t->level != VEIL_LEVEL_REQUIRED && t->level != VEIL_LEVEL_USE) {
		NL_SET_ERR_MSG_ATTR(extack, tb[VEIL_A_TMPL_LEVEL], "level must be required (0) or use (1)");
		return -EINVAL;
	}
	t->spi = tb[VEIL_A_TMPL_SPI] ? nla_get_u32(tb[VEIL_A_TMPL_SPI]) : 0;
	if (t->spi && t->spi < VEIL_SPI_MIN) {
		NL_SET_ERR_MSG_ATTR(extack, tb[VEIL_A_TMPL_SPI],
				    "SPI must be 256 or more: 1 to 255 are reserved (RFC 4303)");
		return -EINVAL;
	}
	t->reqid = tb[VEIL_A_TMPL_REQID] ? nla_get_u32(tb[VEIL_A_TMPL_REQID]) : 0;

	if (tb[VEIL_A_TMPL_SRC] || tb[VEIL_A_TMPL_DST]) {
		if (!tb[VEIL_A_TMPL_FAMILY]) {
			NL_SET_ERR_ATTR_MISS(extack, nest, VEIL_A_TMPL_FAMILY);
			NL_SET_ERR_MSG(extack, "a template with addresses needs their family");
			return -EINVAL;
		}
		t->family = nla_get_u16(tb[VEIL_A_TMPL_FAMILY]);
		if (!veil_addr_len(t->family)) {
			NL_SET_ERR_MSG_ATTR(extack, tb[VEIL_A_TMPL_FAMILY],
					    "family must be AF_INET (2) or AF_INET6 (10)");
			return -EAFNOSUPPORT;
		}
		if (tb[VEIL_A_TMPL_SRC]) {
			ret = veil_nl_addr(tb[VEIL_A_TMPL_SRC], t->family, &t->src, extack);
			if (ret)
				return ret;
		}
		if (tb[VEIL_A_TMPL_DST]) {
			ret = veil_nl_addr(tb[VEIL_A_TMPL_DST], t->family, &t->dst, extack);
			if (ret)
				return ret;
		}
	}
	if (t->mode == VEIL_MODE_TUNNEL && (!tb[VEIL_A_TMPL_SRC] || !tb[VEIL_A_TMPL_DST])) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "a tunnel-mode template needs src and dst");
		return -EINVAL;
	}
	/* Transport mode protects the packet's own addresses. */
	if (t->mode == VEIL_MODE_TRANSPORT && t->family && t->family != sel->family) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "a transport-mode template's family must be the selector's");
		return -EINVAL;
	}
	return 0;
}

static int veil_nl_policy_sel(struct genl_info *info, struct veil_selector *sel)
{
	if (!info->attrs[VEIL_A_POLICY_SELECTOR]) {
		NL_SET_ERR_ATTR_MISS(info->extack, NULL, VEIL_A_POLICY_SELECTOR);
		NL_SET_ERR_MSG(info->extack, "a policy needs a selector, with its family at least");
		return -EINVAL;
	}
	return veil_nl_selector(info->attrs[VEIL_A_POLICY_SELECTOR], sel, info->extack);
}

static int veil_nl_policy_dir(struct genl_info *info, u8 *dir)
{
	if (!info->attrs[VEIL_A_POLICY_DIR]) {
		NL_SET_ERR_ATTR_MISS(info->extack, NULL, VEIL_A_POLICY_DIR);
		NL_SET_ERR_MSG(info->extack, "a policy needs dir in, out or fwd");
		return -EINVAL;
	}
	*dir = nla_get_u8(info->attrs[VEIL_A_POLICY_DIR]);
	if (*dir > VEIL_DIR_FWD) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[VEIL_A_POLICY_DIR],
				    "dir must be in (0), out (1) or fwd (2)");
		return -EINVAL;
	}
	return 0;
}

static int veil_nl_policy_parse(struct genl_info *info, struct veil_policy *pol)
{
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr **tb = info->attrs;
	struct nlattr *a;
	u32 if_id;
	u8 dir;
	int rem, ret;

	ret = veil_nl_policy_sel(info, &pol->sel);
	if (ret)
		return ret;
	ret = veil_nl_policy_dir(info, &dir);
	if (ret)
		return ret;
	if_id = tb[VEIL_A_POLICY_IF_ID] ? nla_get_u32(tb[VEIL_A_POLICY_IF_ID]) : 0;
	veil_policy_key_of(&pol->key, &pol->sel, dir, if_id);

	pol->action = tb[VEIL_A_POLICY_ACTION] ? nla_get_u8(tb[VEIL_A_POLICY_ACTION]) :
						 VEIL_ACTION_ALLOW;
	if (pol->action != VEIL_ACTION_ALLOW && pol->action != VEIL_ACTION_BLOCK) {
		NL_SET_ERR_MSG_ATTR(extack, tb[VEIL_A_POLICY_ACTION],
				    "action must be allow (0) or block (1)");
		return -EINVAL;
	}
	pol->priority = tb[VEIL_A_POLICY_PRIORITY] ? nla_get_u32(tb[VEIL_A_POLICY_PRIORITY]) : 0;

	nlmsg_for_each_attr(a, info->nlhdr, GENL_HDRLEN, rem) {
		if (nla_type(a) != VEIL_A_POLICY_TMPL)
			continue;
		if (pol->action == VEIL_ACTION_BLOCK) {
			NL_SET_ERR_MSG_ATTR(extack, a, "a block policy takes no templates");
			return -EINVAL;
		}
		if (pol->ntmpl == VEIL_TMPL_MAX) {
			NL_SET_ERR_MSG_ATTR(extack, a, "a policy takes at most 6 templates");
			return -E2BIG;
		}
		ret = veil_nl_tmpl(a, &pol->sel, &pol->tmpl[pol->ntmpl], extack);
		if (ret)
			return ret;
		pol->ntmpl++;
	}
	return 0;
}

static int veil_nl_policy_new_or_update(struct sk_buff *skb, struct genl_info *info,
					bool update)
{
	struct veil_net *vn = veil_net(genl_info_net(info));
	u8 cmd = update ? VEIL_CMD_POLICY_UPDATE : VEIL_CMD_POLICY_NEW;
	struct veil_policy *pol;
	struct sk_buff *msg;
	void *hdr;
	u32 index;
	int ret;

	ret = veil_nl_require_admin(skb, info);
	if (ret)
		return ret;
	pol = kzalloc(sizeof(*pol), GFP_KERNEL);
	if (!pol) {
		NL_SET_ERR_MSG(info->extack, "out of memory for the policy");
		return -ENOMEM;
	}
	ret = veil_nl_policy_parse(info, pol);
	if (ret) {
		kfree(pol);
		return ret;
	}
	/*
	 * The reply is made before the policy goes in: once it is in, the
	 * request must not fail, or the caller would see an error for a
	 * change that happened.
	 */
	msg = veil_nl_reply_new(info);
	hdr = msg ? genlmsg_put_reply(msg, info, &veil_genl_family, 0, cmd) : NULL;
	if (!hdr) {
		nlmsg_free(msg);
		kfree(pol);
		NL_SET_ERR_MSG(info->extack, "out of memory for the reply");
		return -ENOMEM;
	}
	ret = veil_policy_add(vn, pol, update, &index, info->extack);
	if (ret) {
		nlmsg_free(msg);
		return ret;
	}
	/* @pol is published and may be gone already: only @index is ours. */
	if (nla_put_u32(msg, VEIL_A_POLICY_INDEX, index)) {
		nlmsg_free(msg);
		return 0;
	}
	genlmsg_end(msg, hdr);
	/* A full receive queue loses the reply, not the change. */
	genlmsg_reply(msg, info);
	return 0;
}

int veil_nl_policy_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	return veil_nl_policy_new_or_update(skb, info, false);
}

int veil_nl_policy_update_doit(struct sk_buff *skb, struct genl_info *info)
{
	return veil_nl_policy_new_or_update(skb, info, true);
}

static int veil_nl_policy_fill(struct sk_buff *skb, const struct veil_policy *pol,
			       u32 portid, u32 seq, int flags, u8 cmd)
{
	unsigned int i;
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &veil_genl_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (veil_nl_put_selector(skb, VEIL_A_POLICY_SELECTOR, &pol->sel) ||
	    nla_put_u8(skb, VEIL_A_POLICY_DIR, pol->key.dir) ||
	    nla_put_u8(skb, VEIL_A_POLICY_ACTION, pol->action) ||
	    nla_put_u32(skb, VEIL_A_POLICY_PRIORITY, pol->priority) ||
	    nla_put_u32(skb, VEIL_A_POLICY_IF_ID, pol->key.if_id) ||
	    nla_put_u32(skb, VEIL_A_POLICY_INDEX, pol->index))
		goto cancel;
	for (i = 0; i < pol->ntmpl; i++) {
		const struct veil_tmpl *t = &pol->tmpl[i];
		unsigned int len = veil_addr_len(t->family);
		struct nlattr *nest = nla_nest_start(skb, VEIL_A_POLICY_TMPL);

		if (!nest ||
		    (t->family &&
		     (nla_put_u16(skb, VEIL_A_TMPL_FAMILY, t->family) ||
		      nla_put(skb, VEIL_A_TMPL_SRC, len, t->src.raw) ||
		      nla_put(skb, VEIL_A_TMPL_DST, len, t->dst.raw))) ||
		    nla_put_u8(skb, VEIL_A_TMPL_PROTO, t->proto) ||
		    (t->spi && nla_put_u32(skb, VEIL_A_TMPL_SPI, t->spi)) ||
		    nla_put_u8(skb, VEIL_A_TMPL_MODE, t->mode) ||
		    nla_put_u32(skb, VEIL_A_TMPL_REQID, t->reqid) ||
		    nla_put_u8(skb, VEIL_A_TMPL_LEVEL, t->level))
			goto cancel;
		nla_nest_end(skb, nest);
	}
	genlmsg_end(skb, hdr);
	return 0;
cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

/* Finds the policy a get or del request names; under RCU or conf_lock. */
static struct veil_policy *veil_nl_policy_find(struct veil_net *vn,
					       struct genl_info *info, int *err)
{
	struct veil_policy_key key;
	struct veil_selector sel;
	struct veil_policy *pol;
	u8 dir;

	if (info->attrs[VEIL_A_POLICY_INDEX]) {
		pol = veil_policy_by_index(vn, nla_get_u32(info->attrs[VEIL_A_POLICY_INDEX]));
		goto out;
	}
	*err = veil_nl_policy_sel(info, &sel);
	if (*err)
		return NULL;
	*err = veil_nl_policy_dir(info, &dir);
	if (*err)
		return NULL;
	veil_policy_key_of(&key, &sel, dir, info->attrs[VEIL_A_POLICY_IF_ID] ?
			   nla_get_u32(info->attrs[VEIL_A_POLICY_IF_ID]) : 0);
	pol = veil_policy_find(vn, &key, &sel);
out:
	if (!pol) {
		NL_SET_ERR_MSG(info->extack, "no such policy");
		*err = -ENOENT;
	}
	return pol;
}

/*
 * The flow a policy-lookup names: a selector whose src and dst are whole
 * host addresses, as a packet has.
 */
static int veil_nl_policy_flow(struct genl_info *info, struct veil_flow *flow)
{
	struct veil_selector sel;
	unsigned int bits;
	int ret;

	ret = veil_nl_policy_sel(info, &sel);
	if (ret)
		return ret;
	bits = veil_addr_len(sel.family) * 8;
	if (sel.src_len != bits || sel.dst_len != bits) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[VEIL_A_POLICY_SELECTOR],
				    "a lookup needs a flow: both src and dst, as host addresses without shorter prefixes");
		return -EINVAL;
	}
	memset(flow, 0, sizeof(*flow));
	flow->src = sel.src;
	flow->dst = sel.dst;
	flow->family = sel.family;
	flow->proto = sel.proto;
	flow->sport = sel.sport;
	flow->dport = sel.dport;
	if (info->attrs[VEIL_A_POLICY_IF_ID])
		flow->if_id = nla_get_u32(info->attrs[VEIL_A_POLICY_IF_ID]);
	return 0;
}

/* The policy a policy-lookup's flow gets; under RCU, as veil_nl_policy_find(). */
static struct veil_policy *veil_nl_policy_match(struct veil_net *vn,
						struct genl_info *info, int *err)
{
	struct veil_policy *pol;
	struct veil_flow flow;
	u8 dir;

	*err = veil_nl_policy_flow(info, &flow);
	if (*err)
		return NULL;
	*err = veil_nl_policy_dir(info, &dir);
	if (*err)
		return NULL;
	pol = veil_policy_lookup(vn, dir, &flow);
	if (!pol) {
		NL_SET_ERR_MSG(info->extack, "no policy matches this flow");
		*err = -ENOENT;
	}
	return pol;
}

/*
 * Answer @info with the one policy @find picks under RCU, as command
 * @cmd: policy-get picks by name, policy-lookup by flow. @find sets the
 * error and its extack message when it picks none.
 */
static int veil_nl_policy_reply(struct genl_info *info, u8 cmd,
				struct veil_policy *(*find)(struct veil_net *vn,
							    struct genl_info *info,
							    int *err))
{
	struct veil_net *vn = veil_net(genl_info_net(info));
	struct veil_policy *pol;
	struct sk_buff *msg;
	int ret = 0;

	msg = veil_nl_reply_new(info);
	if (!msg)
		return -ENOMEM;
	rcu_read_lock();
	pol = find(vn, info, &ret);
	if (pol) {
		ret = veil_nl_policy_fill(msg, pol, info->snd_portid, info->snd_seq, 0, cmd);
		if (ret)
			NL_SET_ERR_MSG(info->extack, "policy reply does not fit in one message");
	}
	rcu_read_unlock();
	if (ret) {
		nlmsg_free(msg);
		return ret;
	}
	return genlmsg_reply(msg, info);
}

int veil_nl_policy_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	return veil_nl_policy_reply(info, VEIL_CMD_POLICY_GET, veil_nl_policy_find);
}

int veil_nl_policy_lookup_doit(struct sk_buff *skb, struct genl_info *info)
{
	return veil_nl_policy_reply(info, VEIL_CMD_POLICY_LOOKUP, veil_nl_policy_match);
}

int veil_nl_policy_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct veil_net *vn = veil_net(sock_net(skb->sk));
	unsigned long index = cb->args[0];
	struct veil_policy *pol;

	rcu_read_lock();
	while ((pol = veil_policy_next(vn, &index))) {
		if (veil_nl_policy_fill(skb, pol, NETLINK_CB(cb->skb).portid,
					cb->nlh->nlmsg_seq, NLM_F_MULTI,
					VEIL_CMD_POLICY_GET))
			break;
		index++;
	}
	rcu_read_unlock();
	cb->args[0] = index;
	return skb->len;
}

int veil_nl_policy_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct veil_net *vn = veil_net(genl_info_net(info));
	struct veil_policy *pol;
	int ret;

	ret = veil_nl_require_admin(skb, info);
	if (ret)
		return ret;
	mutex_lock(&vn->conf_lock);
	pol = veil_nl_policy_find(vn, info, &ret);
	if (pol)
		veil_policy_del(vn, pol);
	mutex_unlock(&vn->conf_lock);
	return ret;
}

int veil_nl_policy_flush_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct veil_net *vn = veil_net(genl_info_net(info));
	int ret;

	ret = veil_nl_require_admin(skb, info);
	if (ret)
		return ret;
	mutex_lock(&vn->conf_lock);
	veil_policy_flush(vn);
	mutex_unlock(&vn->conf_lock);
	return 0;
}

/**
 * veil_nl_policy_notify() - tell the events group about a policy
 * @vn: its namespace
 * @pol: the policy
 * @cmd: VEIL_CMD_POLICY_NEW_NTF or VEIL_CMD_POLICY_DEL_NTF
 */
void veil_nl_policy_notify(struct veil_net *vn, const struct veil_policy *pol, u8 cmd)
{
	struct sk_buff *msg = veil_nl_event_new(vn->net);

	if (!msg)
		return;
	if (veil_nl_policy_fill(msg, pol, 0, 0, 0, cmd)) {
		nlmsg_free(msg);
		return;
	}
	veil_nl_event_send(vn->net, msg);
}

/**
 * veil_nl_acquire_notify() - ask the key manager for an SA
 * @vn: the namespace
 * @pol: the policy whose template @t found no SA
 * @t: index of that template in @pol
 * @flow: the packet that needed it
 *
 * From the datapath: atomic, under RCU.
 */
void veil_nl_acquire_notify(struct veil_net *vn, const struct veil_policy *pol,
			    unsigned int t, const struct veil_flow *flow)
{
	struct veil_selector sel = {
		.src = flow->src,
		.dst = flow->dst,
		.family = flow->family,
		.src_len = veil_addr_len(flow->family) * 8,
		.dst_len = veil_addr_len(flow->family) * 8,
		.proto = flow->proto,
		.sport = flow->sport,
		.dport = flow->dport,
	};
	struct sk_buff *msg;
	struct nlmsghdr *nlh;

	if (!genl_has_listeners(&veil_genl_family, vn->net, VEIL_NLGRP_EVENTS))
		return;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_ATOMIC);
	if (!msg)
		return;
	if (veil_nl_policy_fill(msg, pol, 0, 0, 0, VEIL_CMD_ACQUIRE_NTF))
		goto err;
	/* Reopen the finished message for the two acquire attributes. */
	nlh = nlmsg_hdr(msg);
	if (veil_nl_put_selector(msg, VEIL_A_POLICY_FLOW, &sel) ||
	    nla_put_u32(msg, VEIL_A_POLICY_TMPL_INDEX, t))
		goto err;
	nlmsg_end(msg, nlh);
	genlmsg_multicast_netns(&veil_genl_family, vn->net, msg, 0, VEIL_NLGRP_EVENTS,
				GFP_ATOMIC);
	return;
err:
	nlmsg_free(msg);
}

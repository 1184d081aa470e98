// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The veil authors. All Rights Reserved.
 *
 * The encapsulation-socket commands of the veil family: encap-new (a
 * process's socket by fd, or a new one on a port), encap-del and the
 * encap-get dump. See encap.c for what the sockets do.
 */

#include <linux/file.h>
#include <linux/net.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "encap.h"
#include "main.h"
#include "netlink.h"
#include "uapi/linux/veil.h"

const struct nla_policy veil_encap_sock_policy[VEIL_A_ENCAP_SOCK_MAX + 1] = {
	[VEIL_A_ENCAP_SOCK_FD] = { .type = NLA_U32 },
	[VEIL_A_ENCAP_SOCK_FAMILY] = { .type = NLA_U16 },
	[VEIL_A_ENCAP_SOCK_PORT] = { .type = NLA_U16 },
	[VEIL_A_ENCAP_SOCK_LOCAL] = { .type = NLA_BINARY, .len = 16 },
	[VEIL_A_ENCAP_SOCK_KERNEL] = {
		.type = NLA_REJECT,
		.reject_message = "kernel is reply-only",
	},
	[VEIL_A_ENCAP_SOCK_ESP_PACKETS] = {
		.type = NLA_REJECT,
		.reject_message = "esp-packets is reply-only",
	},
	[VEIL_A_ENCAP_SOCK_OTHER_PACKETS] = {
		.type = NLA_REJECT,
		.reject_message = "other-packets is reply-only",
	},
};

/* family and port, both required and sane. */
static int veil_nl_encap_key(struct genl_info *info, u16 *family, u16 *port)
{
	struct nlattr **tb = info->attrs;

	if (!tb[VEIL_A_ENCAP_SOCK_FAMILY] || !tb[VEIL_A_ENCAP_SOCK_PORT]) {
		NL_SET_ERR_MSG(info->extack, "family and port are required");
		return -EINVAL;
	}
	*family = nla_get_u16(tb[VEIL_A_ENCAP_SOCK_FAMILY]);
	if (*family != AF_INET && *family != AF_INET6) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[VEIL_A_ENCAP_SOCK_FAMILY],
				    "family must be AF_INET or AF_INET6");
		return -EAFNOSUPPORT;
	}
	*port = nla_get_u16(tb[VEIL_A_ENCAP_SOCK_PORT]);
	if (!*port) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[VEIL_A_ENCAP_SOCK_PORT],
				    "port must not be 0");
		return -EINVAL;
	}
	return 0;
}

/* A process's socket, by its file descriptor in the caller's table. */
static int veil_nl_encap_adopt(struct veil_net *vn, struct genl_info *info)
{
	struct nlattr **tb = info->attrs;
	struct socket *sock;
	int ret;

	if (tb[VEIL_A_ENCAP_SOCK_FAMILY] || tb[VEIL_A_ENCAP_SOCK_PORT] ||
	    tb[VEIL_A_ENCAP_SOCK_LOCAL]) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[VEIL_A_ENCAP_SOCK_FD],
				    "fd comes alone: family, port and local are the socket's own");
		return -EINVAL;
	}
	sock = sockfd_lookup(nla_get_u32(tb[VEIL_A_ENCAP_SOCK_FD]), &ret);
	if (!sock) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[VEIL_A_ENCAP_SOCK_FD],
				    "fd is not an open socket of the caller");
		return ret;
	}
	mutex_lock(&vn->conf_lock);
	ret = veil_encap_adopt(vn, sock, info->extack);
	mutex_unlock(&vn->conf_lock);
	/*
	 * Outside the lock: if the process closed the fd meanwhile, this
	 * closes the socket, and its encap_destroy takes the lock.
	 */
	sockfd_put(sock);
	return ret;
}

int veil_nl_encap_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct veil_net *vn = veil_net(genl_info_net(info));
	struct nlattr **tb = info->attrs;
	union veil_addr local;
	u16 family, port;
	int ret;

	ret = veil_nl_require_admin(skb, info);
	if (ret)
		return ret;
	if (tb[VEIL_A_ENCAP_SOCK_FD])
		return veil_nl_encap_adopt(vn, info);
	ret = veil_nl_encap_key(info, &family, &port);
	if (ret)
		return ret;
	if (tb[VEIL_A_ENCAP_SOCK_LOCAL]) {
		ret = veil_nl_addr(tb[VEIL_A_ENCAP_SOCK_LOCAL], family, &local, info->extack);
		if (ret)
			return ret;
	}
	mutex_lock(&vn->conf_lock);
	ret = veil_encap_open(vn, family, port, tb[VEIL_A_ENCAP_SOCK_LOCAL] ? &local : NULL,
			      info->extack);
	mutex_unlock(&vn->conf_lock);
	return ret;
}

int veil_nl_encap_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct veil_net *vn = veil_net(genl_info_net(info));
	u16 family, port;
	int ret;

	ret = veil_nl_require_admin(skb, info);
	if (ret)
		return ret;
	if (info->attrs[VEIL_A_ENCAP_SOCK_FD] || info->attrs[VEIL_A_ENCAP_SOCK_LOCAL]) {
		NL_SET_ERR_MSG(info->extack, "encap-del takes family and port only");
		return -EINVAL;
	}
	ret = veil_nl_encap_key(info, &family, &port);
	if (ret)
		return ret;
	mutex_lock(&vn->conf_lock);
	ret = veil_encap_del(vn, family, port, info->extack);
	mutex_unlock(&vn->conf_lock);
	return ret;
}

static int veil_nl_encap_fill(struct sk_buff *skb, const struct veil_encap_sock *es,
			      u32 portid, u32 seq)
{
	struct veil_encap_stats sum;
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &veil_genl_family, NLM_F_MULTI, VEIL_CMD_ENCAP_GET);
	if (!hdr)
		return -EMSGSIZE;
	veil_encap_stats_read(es, &sum);
	if (nla_put_u16(skb, VEIL_A_ENCAP_SOCK_FAMILY, es->family) ||
	    nla_put_u16(skb, VEIL_A_ENCAP_SOCK_PORT, es->port) ||
	    (es->has_local &&
	     nla_put(skb, VEIL_A_ENCAP_SOCK_LOCAL, veil_addr_len(es->family), es->local.raw)) ||
	    (es->kernel && nla_put_flag(skb, VEIL_A_ENCAP_SOCK_KERNEL)) ||
	    nla_put_u64_64bit(skb, VEIL_A_ENCAP_SOCK_ESP_PACKETS, sum.esp,
			      VEIL_A_ENCAP_SOCK_PAD) ||
	    nla_put_u64_64bit(skb, VEIL_A_ENCAP_SOCK_OTHER_PACKETS, sum.other,
			      VEIL_A_ENCAP_SOCK_PAD)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/* Few sockets per namespace: cb->args[0] counts those already sent. */
int veil_nl_encap_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct veil_net *vn = veil_net(sock_net(skb->sk));
	struct veil_encap_sock *es;
	long i = 0;

	mutex_lock(&vn->conf_lock);
	list_for_each_entry(es, &vn->encap_socks, node) {
		if (i++ < cb->args[0])
			continue;
		if (veil_nl_encap_fill(skb, es, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq)) {
			i--;
			break;
		}
	}
	mutex_unlock(&vn->conf_lock);
	cb->args[0] = i;
	return skb->len;
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The veil authors. All Rights Reserved.
 */

#ifndef _VEIL_NETLINK_H
#define _VEIL_NETLINK_H

#include <net/genetlink.h>

#include "addr.h"
#include "uapi/linux/veil.h"

struct veil_net;
struct veil_policy;
struct veil_sa;

/* Index of the "events" group in the family's mcgrps. */
#define VEIL_NLGRP_EVENTS 0

extern struct genl_family veil_genl_family;
extern const struct nla_policy veil_selector_policy[VEIL_A_SELECTOR_MAX + 1];
extern const struct nla_policy veil_sa_new_policy[VEIL_A_SA_MAX + 1];
extern const struct nla_policy veil_sa_id_policy[VEIL_A_SA_MAX + 1];
extern const struct nla_policy veil_sa_flush_policy[VEIL_A_SA_MAX + 1];
extern const struct nla_policy veil_policy_new_policy[VEIL_A_POLICY_MAX + 1];
extern const struct nla_policy veil_policy_id_policy[VEIL_A_POLICY_MAX + 1];
extern const struct nla_policy veil_policy_flush_policy[VEIL_A_POLICY_MAX + 1];
extern const struct nla_policy veil_policy_lookup_policy[VEIL_A_POLICY_MAX + 1];
extern const struct nla_policy veil_encap_sock_policy[VEIL_A_ENCAP_SOCK_MAX + 1];
extern const struct nla_policy veil_tls_key_policy[VEIL_A_TLS_KEY_MAX + 1];

/**
 * veil_nl_set_err() - NL_SET_ERR_MSG_ATTR() for a message chosen at run time
 * @extack: the request's extack, may be NULL
 * @attr: the attribute at fault, may be NULL
 * @msg: a string that lives as long as the module (a table entry)
 *
 * The core macros need a string literal; veil's algorithm table carries
 * one message per algorithm instead.
 */
static inline void veil_nl_set_err(struct netlink_ext_ack *extack,
				   const struct nlattr *attr, const char *msg)
{
	if (!extack)
		return;
	extack->_msg = msg;
	extack->bad_attr = attr;
}

int veil_genl_init(void);
void veil_genl_uninit(void);

struct sk_buff *veil_nl_event_new(struct net *net);
void veil_nl_event_send(struct net *net, struct sk_buff *msg);
int veil_nl_require_admin(struct sk_buff *skb, struct genl_info *info);
struct sk_buff *veil_nl_reply_new(struct genl_info *info);
int veil_nl_addr(const struct nlattr *attr, u16 family, union veil_addr *a,
		 struct netlink_ext_ack *extack);
int veil_nl_selector(struct nlattr *nest, struct veil_selector *sel,
		     struct netlink_ext_ack *extack);
int veil_nl_put_selector(struct sk_buff *skb, int type,
			 const struct veil_selector *sel);

int veil_nl_sa_new_doit(struct sk_buff *skb, struct genl_info *info);
int veil_nl_sa_update_doit(struct sk_buff *skb, struct genl_info *info);
int veil_nl_sa_get_doit(struct sk_buff *skb, struct genl_info *info);
int veil_nl_sa_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int veil_nl_sa_del_doit(struct sk_buff *skb, struct genl_info *info);
int veil_nl_sa_flush_doit(struct sk_buff *skb, struct genl_info *info);
void veil_nl_sa_notify(struct veil_sa *sa, u8 cmd);
void veil_nl_sa_expire_notify(struct veil_sa *sa, bool hard);

int veil_nl_tls_key_new_doit(struct sk_buff *skb, struct genl_info *info);

int veil_nl_policy_new_doit(struct sk_buff *skb, struct genl_info *info);
int veil_nl_policy_update_doit(struct sk_buff *skb, struct genl_info *info);
int veil_nl_policy_get_doit(struct sk_buff *skb, struct genl_info *info);
int veil_nl_policy_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int veil_nl_policy_del_doit(struct sk_buff *skb, struct genl_info *info);
int veil_nl_policy_flush_doit(struct sk_buff *skb, struct genl_info *info);
int veil_nl_policy_lookup_doit(struct sk_buff *skb, struct genl_info *info);
void veil_nl_policy_notify(struct veil_net *vn, const struct veil_policy *pol, u8 cmd);
void veil_nl_acquire_notify(struct veil_net *vn, const struct veil_policy *pol,
			    unsigned int t, const struct veil_flow *flow);

#endif /* _VEIL_NETLINK_H */

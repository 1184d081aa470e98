/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small client for the veil generic-netlink family on libnl-genl-3,
 * shared by every veil tool; and rtnetlink sockets on libnl-3, for veil's
 * link kind, with the same error handling.
 */
#ifndef VEIL_LIB_NL_H
#define VEIL_LIB_NL_H

#include <signal.h>
#include <stdint.h>
#include <netlink/msg.h>

/**
 * struct veil_nl - a connection to the veil family, or an rtnetlink socket
 * @sk: the libnl socket
 * @family: the family id the kernel gave "veil"; 0 on an rtnetlink socket
 * @extack: the kernel's explanation of the last rejected request, or ""
 */
struct veil_nl {
	struct nl_sock *sk;
	int family;
	char extack[512];
};

/* Called for each reply message; returns 0 or a negative errno. */
typedef int (*veil_nl_reply_fn)(struct nlmsghdr *nlh, void *arg);

/* Error returned by veil_nl_open() when the family is not registered. */
#define VEIL_NL_ENOFAMILY	(-1000)

int veil_nl_open(struct veil_nl *nl);
void veil_nl_close(struct veil_nl *nl);
int veil_rtnl_open(struct veil_nl *nl);
struct nl_msg *veil_nl_msg_new(uint8_t cmd, int flags);
struct nl_msg *veil_nl_msg(struct veil_nl *nl, uint8_t cmd, int flags);
int veil_nl_request(struct veil_nl *nl, struct nl_msg *msg,
		    veil_nl_reply_fn fn, void *arg);
int veil_nl_transact(struct veil_nl *nl, struct nl_msg *msg,
		     veil_nl_reply_fn fn, void *arg);
const char *veil_nl_strerror(const struct veil_nl *nl, int err);

int veil_nl_subscribe(struct veil_nl *nl, const char *group);
int veil_nl_listen(struct veil_nl *nl, veil_nl_reply_fn fn, void *arg,
		   volatile sig_atomic_t *stop);
int veil_nl_drain(struct veil_nl *nl, veil_nl_reply_fn fn, void *arg);

int veil_netns_enter(const char *name, char *why, size_t whylen);

#endif

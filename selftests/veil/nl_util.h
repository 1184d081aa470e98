/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Raw generic netlink for the veil C selftests: no library between the
 * test and the wire, so the tests check the kernel, not a client.
 */
#ifndef VEIL_SELFTEST_NL_UTIL_H
#define VEIL_SELFTEST_NL_UTIL_H

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/veil.h>

#define NL_BUFSZ 65536

struct nlreq {
	struct nlmsghdr nlh;
	struct genlmsghdr genl;
	char attrs[4096];
};

static inline int nl_open(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int one = 1;
	int fd;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static inline void nl_init(struct nlreq *req, int family, int cmd)
{
	memset(req, 0, sizeof(*req));
	req->nlh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	req->nlh.nlmsg_type = family;
	req->nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	req->nlh.nlmsg_seq = 1;
	req->genl.cmd = cmd;
	req->genl.version = 1;
}

static inline struct nlattr *nl_put(struct nlreq *req, int type, const void *data,
				    int len)
{
	struct nlattr *a = (struct nlattr *)((char *)req + NLMSG_ALIGN(req->nlh.nlmsg_len));

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	if (len)
		memcpy((char *)a + NLA_HDRLEN, data, len);
	req->nlh.nlmsg_len = NLMSG_ALIGN(req->nlh.nlmsg_len) + NLA_ALIGN(a->nla_len);
	return a;
}

static inline void nl_put_u8(struct nlreq *r, int t, __u8 v) { nl_put(r, t, &v, 1); }
static inline void nl_put_u16(struct nlreq *r, int t, __u16 v) { nl_put(r, t, &v, 2); }
static inline void nl_put_u32(struct nlreq *r, int t, __u32 v) { nl_put(r, t, &v, 4); }
static inline void nl_put_u64(struct nlreq *r, int t, __u64 v) { nl_put(r, t, &v, 8); }
static inline void nl_put_str(struct nlreq *r, int t, const char *s)
{
	nl_put(r, t, s, strlen(s) + 1);
}

/* Nests: nl_nest() opens one, nl_nest_end() closes it. */
static inline struct nlattr *nl_nest(struct nlreq *req, int type)
{
	return nl_put(req, type | NLA_F_NESTED, NULL, 0);
}

static inline void nl_nest_end(struct nlreq *req, struct nlattr *nest)
{
	nest->nla_len = (char *)req + req->nlh.nlmsg_len - (char *)nest;
}

static inline int nl_send(int fd, struct nlreq *req)
{
	return send(fd, req, req->nlh.nlmsg_len, 0);
}

/* Sends @req and reads one answer into @buf; returns its length. */
static inline int nl_transact(int fd, struct nlreq *req, char *buf)
{
	if (nl_send(fd, req) < 0)
		return -1;
	return recv(fd, buf, NL_BUFSZ, 0);
}

static inline struct nlattr *nl_find(void *start, int len, int type)
{
	struct nlattr *a;

	for (a = start; len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= len;
	     len -= NLA_ALIGN(a->nla_len),
	     a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len)))
		if ((a->nla_type & NLA_TYPE_MASK) == type)
			return a;
	return NULL;
}

/* An attribute of a genetlink message, or of a nest. */
static inline struct nlattr *nl_attr(struct nlmsghdr *nlh, int type)
{
	return nl_find((char *)NLMSG_DATA(nlh) + GENL_HDRLEN,
		       nlh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN), type);
}

static inline struct nlattr *nl_nested(struct nlattr *nest, int type)
{
	return nl_find((char *)nest + NLA_HDRLEN, nest->nla_len - NLA_HDRLEN, type);
}

static inline void *nl_data(struct nlattr *a) { return (char *)a + NLA_HDRLEN; }
static inline __u32 nl_u32(struct nlattr *a) { return *(__u32 *)nl_data(a); }

/*
 * The error of an NLMSG_ERROR answer (0 for an ack, 1 when @buf holds no
 * error message) and its extack message, copied into @msg.
 */
static inline int nl_error(char *buf, int len, char *msg, size_t msglen)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct nlmsgerr *e = NLMSG_DATA(nlh);
	struct nlattr *m;

	msg[0] = '\0';
	if (len < (int)NLMSG_LENGTH(sizeof(*e)) || nlh->nlmsg_type != NLMSG_ERROR)
		return 1;
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		m = nl_find((char *)e + sizeof(*e), nlh->nlmsg_len - NLMSG_LENGTH(sizeof(*e)),
			    NLMSGERR_ATTR_MSG);
		if (m)
			snprintf(msg, msglen, "%s", (char *)nl_data(m));
	}
	return e->error;
}

/*
 * Family id of "veil", or -errno; with @grp, also the id of its multicast
 * group "events".
 */
static inline int nl_resolve(int fd, int *grp)
{
	struct nlmsghdr *nlh;
	struct nlreq req;
	struct nlattr *a, *g;
	static char buf[NL_BUFSZ];
	int len, rem;

	nl_init(&req, GENL_ID_CTRL, CTRL_CMD_GETFAMILY);
	/* No ack: it would sit in the queue ahead of the next answer. */
	req.nlh.nlmsg_flags = NLM_F_REQUEST;
	nl_put_str(&req, CTRL_ATTR_FAMILY_NAME, VEIL_FAMILY_NAME);
	len = nl_transact(fd, &req, buf);
	if (len < (int)NLMSG_HDRLEN)
		return -EIO;
	nlh = (struct nlmsghdr *)buf;
	if (nlh->nlmsg_type == NLMSG_ERROR)
		return ((struct nlmsgerr *)NLMSG_DATA(nlh))->error;
	a = nl_attr(nlh, CTRL_ATTR_FAMILY_ID);
	if (!a)
		return -ENOENT;
	if (grp) {
		*grp = -1;
		a = nl_attr(nlh, CTRL_ATTR_MCAST_GROUPS);
		if (a) {
			rem = a->nla_len - NLA_HDRLEN;
			for (g = nl_data(a); rem >= NLA_HDRLEN;
			     rem -= NLA_ALIGN(g->nla_len),
			     g = (struct nlattr *)((char *)g + NLA_ALIGN(g->nla_len))) {
				struct nlattr *n = nl_nested(g, CTRL_ATTR_MCAST_GRP_NAME);
				struct nlattr *id = nl_nested(g, CTRL_ATTR_MCAST_GRP_ID);

				if (n && id && !strcmp(nl_data(n), VEIL_MCGRP_EVENTS))
					*grp = nl_u32(id);
			}
		}
		a = nl_attr(nlh, CTRL_ATTR_FAMILY_ID);
	}
	return *(__u16 *)nl_data(a);
}

#endif

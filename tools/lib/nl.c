// SPDX-License-Identifier: GPL-2.0
/*
 * Talking to veil.ko: resolve the family, send one request, collect the
 * replies, and keep the kernel's extended-ack message when it says no.
 * An rtnetlink socket (for the "veil" link kind) is set up and driven by
 * the same code, so its errors read the same.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/veil.h>
#include <netlink/genl/genl.h>
#include <netlink/genl/ctrl.h>

#include "nl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

struct veil_nl_req {
	struct veil_nl *nl;
	veil_nl_reply_fn fn;
	void *arg;
	int err;	/* first error seen, negative errno */
	int done;
};

/*
 * Extended-ack TLVs start @off bytes into the payload of @nlh; keep the
 * kernel's message, if it sent one.
 */
static void veil_nl_parse_extack(struct veil_nl *nl, struct nlmsghdr *nlh,
				 size_t off)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	int len;

	nl->extack[0] = '\0';
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	len = (int)nlh->nlmsg_len - NLMSG_HDRLEN - (int)off;
	if (len <= 0 ||
	    nla_parse(tb, NLMSGERR_ATTR_MAX,
		      (struct nlattr *)((char *)nlmsg_data(nlh) + off), len,
		      NULL) < 0)
		return;
	/* %.*s stops at the NUL the kernel includes in the attribute. */
	if (tb[NLMSGERR_ATTR_MSG])
		snprintf(nl->extack, sizeof(nl->extack), "%.*s",
			 nla_len(tb[NLMSGERR_ATTR_MSG]),
			 (const char *)nla_data(tb[NLMSGERR_ATTR_MSG]));
}

/*
 * libnl hands the error callback the nlmsgerr payload only; the header it
 * came in sits immediately before it, and with NETLINK_CAP_ACK the extack
 * TLVs follow the nlmsgerr directly.
 */
static void veil_nl_keep_extack(struct veil_nl *nl, struct nlmsgerr *e)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	size_t off = sizeof(*e);

	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	veil_nl_parse_extack(nl, nlh, off);
}

/* libnl's own failures carry NLE_* codes; keep its words, report EPROTO. */
static int veil_nl_liberr(struct veil_nl *nl, int nle)
{
	snprintf(nl->extack, sizeof(nl->extack), "netlink: %s", nl_geterror(nle));
	return -EPROTO;
}

static int veil_nl_on_error(struct sockaddr_nl *nla, struct nlmsgerr *e,
			    void *arg)
{
	struct veil_nl_req *req = arg;

	(void)nla;
	veil_nl_keep_extack(req->nl, e);
	if (!req->err)
		req->err = e->error ? e->error : -EIO;
	req->done = 1;
	return NL_STOP;
}

static int veil_nl_on_ack(struct nl_msg *msg, void *arg)
{
	struct veil_nl_req *req = arg;

	(void)msg;
	req->done = 1;
	return NL_STOP;
}

/*
 * A dump ends in NLMSG_DONE, whose payload is an int error (negative when
 * the dump failed part-way) followed by extack TLVs; libnl ignores both.
 */
static int veil_nl_on_finish(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct veil_nl_req *req = arg;
	int err;

	req->done = 1;
	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(int)))
		return NL_STOP;
	memcpy(&err, nlmsg_data(nlh), sizeof(err));
	if (err < 0 && !req->err) {
		veil_nl_parse_extack(req->nl, nlh, NLMSG_ALIGN(sizeof(int)));
		req->err = err;
	}
	return NL_STOP;
}

static int veil_nl_on_valid(struct nl_msg *msg, void *arg)
{
	struct veil_nl_req *req = arg;
	int err;

	if (!req->fn || req->err)
		return NL_OK;
	err = req->fn(nlmsg_hdr(msg), req->arg);
	if (err < 0)
		req->err = err;
	return NL_OK;
}

/*
 * A libnl socket on netlink @protocol, set up as every veil socket is:
 * the kernel's reasons wanted, without an echo of the request, and
 * replies of any size.
 */
static int veil_nl_socket(struct veil_nl *nl, int protocol)
{
	int one = 1, ret;

	memset(nl, 0, sizeof(*nl));
	nl->sk = nl_socket_alloc();
	if (!nl->sk)
		return -ENOMEM;
	ret = nl_connect(nl->sk, protocol);
	if (ret < 0) {
		ret = veil_nl_liberr(nl, ret);
		nl_socket_free(nl->sk);
		nl->sk = NULL;
		return ret;
	}
	/* Ask for the kernel's reasons, without an echo of our request. */
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_CAP_ACK,
		   &one, sizeof(one));
	/*
	 * Dump replies can be larger than a page: let libnl size its buffer
	 * by peeking instead of truncating.
	 */
	nl_socket_enable_msg_peek(nl->sk);
	return 0;
}

/**
 * veil_nl_open() - connect to the veil family
 * @nl: connection to set up
 *
 * Return: 0, VEIL_NL_ENOFAMILY when veil.ko is not loaded, or a negative
 * errno.
 */
int veil_nl_open(struct veil_nl *nl)
{
	int ret;

	ret = veil_nl_socket(nl, NETLINK_GENERIC);
	if (ret < 0)
		return ret;
	nl->family = genl_ctrl_resolve(nl->sk, VEIL_FAMILY_NAME);
	if (nl->family < 0) {
		ret = nl->family == -NLE_OBJ_NOTFOUND ? VEIL_NL_ENOFAMILY :
			veil_nl_liberr(nl, nl->family);
		nl_socket_free(nl->sk);
		nl->sk = NULL;
		return ret;
	}
	return 0;
}

/**
 * veil_rtnl_open() - open an rtnetlink socket, for veil's link kind
 * @nl: connection to set up; its @family stays 0
 *
 * The socket acts on the network namespace the process is in when it is
 * opened. Requests go through veil_nl_transact(), which keeps the kernel's
 * extended-ack message as for the veil family.
 *
 * Return: 0 or a negative errno.
 */
int veil_rtnl_open(struct veil_nl *nl)
{
	return veil_nl_socket(nl, NETLINK_ROUTE);
}

void veil_nl_close(struct veil_nl *nl)
{
	if (nl->sk)
		nl_socket_free(nl->sk);
	nl->sk = NULL;
}

/**
 * veil_nl_msg() - start a request to the veil family
 * @nl: an open connection
 * @cmd: VEIL_CMD_*
 * @flags: extra NLM_F_* flags (NLM_F_DUMP for dumps)
 *
 * Return: the message, to be filled with attributes, or NULL on ENOMEM.
 */
struct nl_msg *veil_nl_msg(struct veil_nl *nl, uint8_t cmd, int flags)
{
	struct nl_msg *msg = veil_nl_msg_new(cmd, flags);

	if (msg)
		nlmsg_hdr(msg)->nlmsg_type = nl->family;
	return msg;
}

/**
 * veil_nl_transact() - send @msg as it is, pass every reply to @fn, wait
 *	for the ack (or the end of a dump)
 * @nl: an open connection, of any netlink protocol
 * @msg: complete request; consumed
 * @fn: reply handler, may be NULL
 * @arg: passed to @fn
 *
 * Return: 0, or a negative errno; on a kernel rejection @nl->extack holds
 * the kernel's message, if it gave one.
 */
int veil_nl_transact(struct veil_nl *nl, struct nl_msg *msg,
		     veil_nl_reply_fn fn, void *arg)
{
	struct veil_nl_req req = { .nl = nl, .fn = fn, .arg = arg };
	struct nl_cb *cb;
	int ret;

	nl->extack[0] = '\0';
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nl_cb_err(cb, NL_CB_CUSTOM, veil_nl_on_error, &req);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, veil_nl_on_ack, &req);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, veil_nl_on_finish, &req);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, veil_nl_on_valid, &req);

	ret = nl_send_auto(nl->sk, msg);
	nlmsg_free(msg);
	if (ret < 0) {
		ret = veil_nl_liberr(nl, ret);
		goto out;
	}
	ret = 0;
	while (!req.done) {
		int r = nl_recvmsgs(nl->sk, cb);

		if (r < 0 && !req.done) {
			ret = veil_nl_liberr(nl, r);
			break;
		}
	}
	if (!ret)
		ret = req.err;
out:
	nl_cb_put(cb);
	return ret;
}

/**
 * veil_nl_request() - send @msg to the veil family, pass every reply to
 *	@fn, wait for the ack
 * @nl: an open connection, from veil_nl_open()
 * @msg: request from veil_nl_msg_new() or veil_nl_msg(); consumed
 * @fn: reply handler, may be NULL
 * @arg: passed to @fn
 *
 * Return: as veil_nl_transact().
 */
int veil_nl_request(struct veil_nl *nl, struct nl_msg *msg,
		    veil_nl_reply_fn fn, void *arg)
{
	nlmsg_hdr(msg)->nlmsg_type = nl->family;
	return veil_nl_transact(nl, msg, fn, arg);
}

/**
 * veil_nl_strerror() - what to tell the user about @err
 * @nl: the connection the error came from
 * @err: negative errno from veil_nl_request()
 *
 * Return: the kernel's own words when it sent any, else strerror().
 */
const char *veil_nl_strerror(const struct veil_nl *nl, int err)
{
	if (nl->extack[0])
		return nl->extack;
	return strerror(-err);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Listening to the veil family's multicast group: join it by name, then
 * hand every notification to a callback until told to stop.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <linux/veil.h>
#include <netlink/genl/genl.h>
#include <netlink/genl/ctrl.h>

#include "nl.h"

/* A flush of a large SAD sends one notification per SA; make room. */
#define VEIL_NL_EVENTS_RCVBUF	(8 << 20)

/**
 * veil_nl_subscribe() - join one of the family's multicast groups
 * @nl: an open connection
 * @group: the group's name in the spec ("events")
 *
 * Return: 0 or a negative errno; -ENOENT when the family has no such group.
 */
int veil_nl_subscribe(struct veil_nl *nl, const char *group)
{
	int id, ret;

	id = genl_ctrl_resolve_grp(nl->sk, VEIL_FAMILY_NAME, group);
	if (id < 0) {
		snprintf(nl->extack, sizeof(nl->extack),
			 "netlink: no multicast group \"%s\": %s", group,
			 nl_geterror(id));
		return id == -NLE_OBJ_NOTFOUND ? -ENOENT : -EPROTO;
	}
	ret = nl_socket_add_membership(nl->sk, id);
	if (ret < 0) {
		snprintf(nl->extack, sizeof(nl->extack),
			 "netlink: cannot join group \"%s\": %s", group,
			 nl_geterror(ret));
		return -EPERM;
	}
	nl_socket_set_buffer_size(nl->sk, VEIL_NL_EVENTS_RCVBUF, 0);
	return 0;
}

struct veil_nl_listener {
	veil_nl_reply_fn fn;
	void *arg;
	int err;
};

/* Notifications carry sequence number 0 and answer no request of ours. */
static int veil_nl_no_seq_check(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

static int veil_nl_on_event(struct nl_msg *msg, void *arg)
{
	struct veil_nl_listener *l = arg;
	int err = l->fn(nlmsg_hdr(msg), l->arg);

	if (err < 0) {
		l->err = err;
		return NL_STOP;
	}
	return NL_OK;
}

/* Receives what is queued on a non-blocking socket, through @cb. */
static int veil_nl_recv_queued(struct veil_nl *nl, struct nl_cb *cb)
{
	int ret;

	for (;;) {
		ret = nl_recvmsgs(nl->sk, cb);
		if (ret == -NLE_AGAIN)
			return 0;
		if (ret == -NLE_INTR)
			continue;
		if (ret == -NLE_NOMEM)		/* recvmsg() said ENOBUFS */
			return -ENOBUFS;
		if (ret < 0) {
			snprintf(nl->extack, sizeof(nl->extack), "netlink: %s",
				 nl_geterror(ret));
			return -EPROTO;
		}
	}
}

static struct nl_cb *veil_nl_listener_cb(struct veil_nl *nl, struct veil_nl_listener *l)
{
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);

	if (!cb)
		return NULL;
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, veil_nl_no_seq_check, NULL);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, veil_nl_on_event, l);
	nl_socket_set_nonblocking(nl->sk);
	return cb;
}

/**
 * veil_nl_drain() - pass each notification queued now to @fn, without
 *	waiting: for an event loop that polls the socket's fd itself
 * @nl: a connection that joined a group with veil_nl_subscribe()
 * @fn: called once per notification; a negative return ends the drain
 * @arg: passed to @fn
 *
 * Return: 0 when nothing more is queued, -ENOBUFS when the kernel dropped
 * notifications because the socket was full, or another negative errno.
 */
int veil_nl_drain(struct veil_nl *nl, veil_nl_reply_fn fn, void *arg)
{
	struct veil_nl_listener l = { .fn = fn, .arg = arg };
	struct nl_cb *cb = veil_nl_listener_cb(nl, &l);
	int ret;

	if (!cb)
		return -ENOMEM;
	ret = veil_nl_recv_queued(nl, cb);
	nl_cb_put(cb);
	return l.err ? l.err : ret;
}

/**
 * veil_nl_listen() - pass each notification to @fn until *@stop is set
 * @nl: a connection that joined a group with veil_nl_subscribe()
 * @fn: called once per notification; a negative return ends the wait
 * @arg: passed to @fn
 * @stop: set by a signal handler to end the wait
 *
 * libnl retries recvmsg() on EINTR, so the wait is done in poll(), which a
 * signal does interrupt.
 *
 * Return: 0 once *@stop is set, -ENOBUFS when the kernel dropped
 * notifications because the socket was full (call again to go on), or
 * another negative errno.
 */
int veil_nl_listen(struct veil_nl *nl, veil_nl_reply_fn fn, void *arg,
		   volatile sig_atomic_t *stop)
{
	struct veil_nl_listener l = { .fn = fn, .arg = arg };
	struct pollfd pfd = { .fd = nl_socket_get_fd(nl->sk), .events = POLLIN };
	struct nl_cb *cb = veil_nl_listener_cb(nl, &l);
	int ret = 0;

	if (!cb)
		return -ENOMEM;
	while (!*stop && !l.err && !ret) {
		if (poll(&pfd, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			break;
		}
		ret = veil_nl_recv_queued(nl, cb);
	}
	nl_cb_put(cb);
	return l.err ? l.err : ret;
}

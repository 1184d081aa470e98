// SPDX-License-Identifier: GPL-2.0
/*
 * The control socket: a Unix stream socket in the daemon's epoll set.
 * Everything on it is non-blocking, and a client can only cost the daemon
 * one of IKED_CTL_CLIENTS slots for IKED_CTL_TIMEOUT_MS: a request longer
 * than IKED_CTL_REQ_MAX, a client that says nothing, or one that does not
 * read its answer is dropped, and the IKE work goes on meanwhile.
 *
 * Only root, or the user the daemon runs as, may connect: the socket is
 * mode 0600, and each client's credentials (SO_PEERCRED) are checked too,
 * in case the socket's directory or mode was changed under it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <json-c/json.h>

#include "ctl.h"
#include "daemon.h"
#include "log.h"

static void ctl_on_reaper(struct iked_timer *t);

void iked_ctl_init(struct iked_ctl *ctl)
{
	unsigned int i;

	memset(ctl, 0, sizeof(*ctl));
	ctl->fd = -1;
	ctl->ep = -1;
	for (i = 0; i < IKED_CTL_CLIENTS; i++)
		ctl->clients[i].fd = -1;
	iked_timer_init(&ctl->reaper, ctl_on_reaper);
}

/*
 * Whether a daemon answers at @sa: a socket left by one that died is
 * removed, but a live daemon's is not taken over.
 */
static bool ctl_in_use(const struct sockaddr_un *sa)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool used;

	if (fd < 0)
		return false;
	used = !connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) || errno == EACCES ||
	       errno == EAGAIN;
	close(fd);
	return used;
}

/**
 * iked_ctl_open - create the control socket
 * @ctl: initialised with iked_ctl_init()
 * @path: where
 * @err: why not
 * @errlen: its size
 *
 * Return: 0 or -1 with @err set.
 */
int iked_ctl_open(struct iked_ctl *ctl, const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	mode_t old;
	int fd, ret;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "control socket %s: the path is longer than %zu bytes",
			 path, sizeof(sa.sun_path) - 1);
		return -1;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "control socket: %s", strerror(errno));
		return -1;
	}
	/* Mode 0600 from the start: no moment where others could connect. */
	old = umask(0177);
	ret = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	if (ret && errno == EADDRINUSE) {
		if (ctl_in_use(&sa)) {
			umask(old);
			snprintf(err, errlen, "control socket %s: another veil-iked is running "
				 "(or give another path with --ctl)", path);
			close(fd);
			return -1;
		}
		/* a dead daemon's: nobody answers on it */
		unlink(path);
		ret = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	}
	umask(old);
	if (ret || listen(fd, IKED_CTL_BACKLOG) || chmod(path, 0600)) {
		snprintf(err, errlen, "control socket %s: %s", path, strerror(errno));
		if (!ret)
			unlink(path);
		close(fd);
		return -1;
	}
	ctl->fd = fd;
	strcpy(ctl->path, path);
	return 0;
}

/**
 * iked_ctl_watch - add the control socket to the daemon's epoll set
 * @ctl: opened with iked_ctl_open()
 * @ep: the epoll set
 *
 * Return: 0 or -1 with errno set.
 */
int iked_ctl_watch(struct iked_ctl *ctl, int ep)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = (uint64_t)IKED_CTL_TAG_LISTEN };

	if (epoll_ctl(ep, EPOLL_CTL_ADD, ctl->fd, &ev))
		return -1;
	ctl->ep = ep;
	iked_log(IKED_CTL, 1, "control socket %s", ctl->path);
	return 0;
}

static void ctl_drop(struct iked_ctl *ctl, struct iked_ctl_client *c)
{
	if (c->fd < 0)
		return;
	epoll_ctl(ctl->ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c->resp);
	c->fd = -1;
	c->resp = NULL;
	c->req_len = c->resp_len = c->resp_off = 0;
	c->draining = false;
}

/* Closes the socket, its clients, and removes it from the file system. */
void iked_ctl_close(struct iked_ctl *ctl)
{
	unsigned int i;

	for (i = 0; i < IKED_CTL_CLIENTS; i++)
		ctl_drop(ctl, &ctl->clients[i]);
	iked_timer_cancel(&ctl->reaper);
	if (ctl->fd < 0)
		return;
	close(ctl->fd);
	ctl->fd = -1;
	unlink(ctl->path);
}

static void ctl_on_reaper(struct iked_timer *t)
{
	struct iked_ctl *ctl = iked_container_of(t, struct iked_ctl, reaper);
	uint64_t now = iked_now_ms(), next = 0;
	unsigned int i;

	for (i = 0; i < IKED_CTL_CLIENTS; i++) {
		struct iked_ctl_client *c = &ctl->clients[i];

		if (c->fd < 0)
			continue;
		if (c->deadline <= now) {
			iked_log(IKED_CTL, 1, "client %u: too slow: dropped", i);
			ctl_drop(ctl, c);
		} else if (!next || c->deadline < next) {
			next = c->deadline;
		}
	}
	if (next)
		iked_timer_set(&ctl->reaper, next - now);
}

/* Whether the peer may use the socket: root, or the daemon's own user. */
static bool ctl_peer_ok(int fd, struct ucred *cred)
{
	socklen_t len = sizeof(*cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, cred, &len))
		return false;
	return cred->uid == 0 || cred->uid == geteuid();
}

/*
 * A client turned away: its answer, then the end; what it sent already is
 * read first, so that closing does not reset the connection before it
 * reads the answer (more of it may still come: then it gets a reset after
 * the answer, which is all it was going to get).
 */
static void ctl_refuse(int fd, const char *msg, size_t len)
{
	char buf[512];

	if (send(fd, msg, len, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		iked_log(IKED_CTL, 2, "refusing a client: %s", strerror(errno));
	shutdown(fd, SHUT_WR);
	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
	close(fd);
}

static void ctl_accept(struct iked_ctl *ctl)
{
	struct iked_ctl_client *c = NULL;
	struct epoll_event ev = { .events = EPOLLIN };
	struct ucred cred = { 0 };
	static const char denied[] = "{\"ok\":false,\"error\":\"permission denied: only root "
				     "may use veil-iked's control socket\"}\n";
	static const char busy[] = "{\"ok\":false,\"error\":\"veil-iked is busy with other "
				   "clients: try again\"}\n";
	unsigned int i;
	int fd;

	while ((fd = accept4(ctl->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		if (!ctl_peer_ok(fd, &cred)) {
			iked_log(IKED_CTL, 1, "client uid %u pid %d: not root: refused",
				 (unsigned int)cred.uid, (int)cred.pid);
			ctl_refuse(fd, denied, sizeof(denied) - 1);
			continue;
		}
		for (i = 0, c = NULL; i < IKED_CTL_CLIENTS && !c; i++)
			if (ctl->clients[i].fd < 0)
				c = &ctl->clients[i];
		if (!c) {
			ctl_refuse(fd, busy, sizeof(busy) - 1);
			continue;
		}
		ev.data.u64 = (uint64_t)(int64_t)(IKED_CTL_TAG_CLIENT0 - (c - ctl->clients));
		if (epoll_ctl(ctl->ep, EPOLL_CTL_ADD, fd, &ev)) {
			iked_log(IKED_CTL, 0, "control socket: epoll: %s", strerror(errno));
			close(fd);
			continue;
		}
		c->fd = fd;
		c->req_len = 0;
		c->deadline = iked_now_ms() + IKED_CTL_TIMEOUT_MS;
		if (!iked_timer_armed(&ctl->reaper))
			iked_timer_set(&ctl->reaper, IKED_CTL_TIMEOUT_MS);
		iked_log(IKED_CTL, 2, "client %u: uid %u pid %d", (unsigned int)(c - ctl->clients),
			 (unsigned int)cred.uid, (int)cred.pid);
	}
	if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
		iked_log(IKED_CTL, 0, "control socket: accept: %s", strerror(errno));
}

/*
 * The answer is out: the client gets its end of file, and what it sent
 * beyond its request is read and thrown away until it closes. (Closing a
 * Unix socket with unread data in it would hand the client ECONNRESET in
 * place of that end of file.)
 */
static void ctl_drain(struct iked_ctl *ctl, struct iked_ctl_client *c)
{
	char buf[1024];
	ssize_t n;

	while ((n = recv(c->fd, buf, sizeof(buf), 0)) > 0 || (n < 0 && errno == EINTR))
		;
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return;		/* more may come; the deadline bounds it */
	ctl_drop(ctl, c);
}

/* Writes what it can of the answer; then waits for the client to go. */
static void ctl_write(struct iked_ctl *ctl, struct iked_ctl_client *c)
{
	struct epoll_event ev = { .events = EPOLLIN };
	ssize_t n;

	while (c->resp_off < c->resp_len) {
		n = send(c->fd, c->resp + c->resp_off, c->resp_len - c->resp_off, MSG_NOSIGNAL);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;		/* EPOLLOUT brings us back */
		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			ctl_drop(ctl, c);	/* the client left: nothing to tell it */
			return;
		}
		c->resp_off += n;
	}
	ev.data.u64 = (uint64_t)(int64_t)(IKED_CTL_TAG_CLIENT0 - (c - ctl->clients));
	if (shutdown(c->fd, SHUT_WR) || epoll_ctl(ctl->ep, EPOLL_CTL_MOD, c->fd, &ev)) {
		ctl_drop(ctl, c);
		return;
	}
	c->draining = true;
	ctl_drain(ctl, c);
}

/* Starts sending @resp (taken), instead of reading. */
static void ctl_respond(struct iked_ctl *ctl, struct iked_ctl_client *c, struct json_object *resp)
{
	struct epoll_event ev = { .events = EPOLLOUT };

	c->resp = iked_ctl_encode(resp, &c->resp_len);
	c->resp_off = 0;
	ev.data.u64 = (uint64_t)(int64_t)(IKED_CTL_TAG_CLIENT0 - (c - ctl->clients));
	if (!c->resp || epoll_ctl(ctl->ep, EPOLL_CTL_MOD, c->fd, &ev)) {
		ctl_drop(ctl, c);
		return;
	}
	ctl_write(ctl, c);
}

/* The request is in: run it, and answer. */
static void ctl_answer(struct iked *d, struct iked_ctl_client *c, size_t len)
{
	struct iked_ctl *ctl = &d->ctl;
	struct json_object *resp;
	struct iked_ctl_req req;
	char err[256];

	if (iked_ctl_parse(c->req, len, &req, err, sizeof(err))) {
		iked_log(IKED_CTL, 1, "client %u: %s", (unsigned int)(c - ctl->clients), err);
		resp = iked_ctl_error("%s", err);
	} else {
		resp = iked_ctl_run(d, &req);
	}
	ctl_respond(ctl, c, resp);
}

static void ctl_read(struct iked *d, struct iked_ctl_client *c)
{
	struct iked_ctl *ctl = &d->ctl;
	char *nl;
	ssize_t n;

	for (;;) {
		if (c->req_len == sizeof(c->req)) {
			iked_log(IKED_CTL, 1, "client %u: request too long: refused",
				 (unsigned int)(c - ctl->clients));
			ctl_respond(ctl, c, iked_ctl_error("request longer than %d bytes",
							   IKED_CTL_REQ_MAX - 1));
			return;
		}
		n = recv(c->fd, c->req + c->req_len, sizeof(c->req) - c->req_len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			/* Gone before a whole line: a request without its newline still counts. */
			if (n == 0 && c->req_len)
				ctl_answer(d, c, c->req_len);
			else
				ctl_drop(ctl, c);
			return;
		}
		nl = memchr(c->req + c->req_len, '\n', n);
		c->req_len += n;
		if (nl) {
			ctl_answer(d, c, nl - c->req);
			return;
		}
	}
}

/**
 * iked_ctl_event - the listening socket or a client is ready
 * @d: the daemon
 * @tag: its epoll tag
 * @events: what epoll said
 */
void iked_ctl_event(struct iked *d, int64_t tag, uint32_t events)
{
	struct iked_ctl *ctl = &d->ctl;
	struct iked_ctl_client *c;

	if (tag == IKED_CTL_TAG_LISTEN) {
		ctl_accept(ctl);
		return;
	}
	if (!IKED_CTL_TAG_IS_CLIENT(tag))
		return;
	c = &ctl->clients[IKED_CTL_TAG_CLIENT0 - tag];
	if (c->fd < 0)
		return;
	if (c->draining)
		ctl_drain(ctl, c);
	else if (c->resp)
		ctl_write(ctl, c);
	else if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
		ctl_read(d, c);
}

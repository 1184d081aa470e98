// SPDX-License-Identifier: GPL-2.0
/*
 * serve's and proxy's event loop: accept, handshake without blocking, hand
 * the keys to veil.ko, then give the connection to the command. A client
 * that fails or stalls is logged and closed; everyone else goes on.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>

#include "loop.h"

static int vtls_epfd = -1;
static struct vtls_peer *vtls_peers;
static volatile sig_atomic_t vtls_stop;
static char vtls_fallback_why[256];
/* Seconds an open connection may be idle; 0 never. */
static int vtls_idle;

static void vtls_on_signal(int sig)
{
	(void)sig;
	vtls_stop = 1;
}

int vtls_ep_add(struct vtls_ep *ep, struct vtls_peer *peer, int fd, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = ep };

	ep->peer = peer;
	ep->fd = fd;
	ep->events = events;
	return epoll_ctl(vtls_epfd, EPOLL_CTL_ADD, fd, &ev);
}

int vtls_ep_set(struct vtls_ep *ep, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = ep };

	if (ep->events == events)
		return 0;
	ep->events = events;
	return epoll_ctl(vtls_epfd, EPOLL_CTL_MOD, ep->fd, &ev);
}

void vtls_ep_del(struct vtls_ep *ep)
{
	if (ep->fd >= 0)
		epoll_ctl(vtls_epfd, EPOLL_CTL_DEL, ep->fd, NULL);
}

void vtls_peer_log(const struct vtls_peer *peer, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "veil-tls: %s: ", peer->name);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static void vtls_peer_close(const struct vtls_app *app, struct vtls_peer *peer)
{
	if (peer->open)
		app->close(peer);
	vtls_ep_del(&peer->tls);
	vtls_conn_free(peer->c);
	close(peer->tls.fd);
	if (peer->prev)
		peer->prev->next = peer->next;
	else
		vtls_peers = peer->next;
	if (peer->next)
		peer->next->prev = peer->prev;
	free(peer);
}

static void vtls_accept(int lfd, SSL_CTX *ctx)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	struct vtls_peer *peer;
	int fd, one = 1;

	fd = accept4(lfd, (struct sockaddr *)&ss, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0) {
		if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
			vtls_log("accept: %s", strerror(errno));
		return;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	peer = calloc(1, sizeof(*peer));
	if (peer)
		peer->c = vtls_conn_new(ctx, fd, true);
	if (!peer || !peer->c || vtls_ep_add(&peer->tls, peer, fd, EPOLLIN)) {
		vtls_log("out of memory for a new connection");
		if (peer)
			vtls_conn_free(peer->c);
		free(peer);
		close(fd);
		return;
	}
	vtls_addr_str((struct sockaddr *)&ss, peer->name, sizeof(peer->name));
	peer->deadline = time(NULL) + VTLS_HANDSHAKE_TIMEOUT;
	peer->next = vtls_peers;
	if (vtls_peers)
		vtls_peers->prev = peer;
	vtls_peers = peer;
}

static int64_t vtls_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* An open peer had an event: its idle time starts again. */
static void vtls_peer_active(struct vtls_peer *peer)
{
	peer->idle_until = vtls_idle ? vtls_now_ms() + vtls_idle * 1000LL : 0;
}

/*
 * An event for an open connection: what the protocol owes the peer (a
 * KeyUpdate) goes before anything the command sends, and while it is
 * owed the loop waits for room as well as for what the command waits for.
 * Returns -1 when the peer is to be closed.
 */
static int vtls_peer_event(const struct vtls_app *app, struct vtls_peer *peer,
			   struct vtls_ep *ep, uint32_t events)
{
	struct vtls_conn *c = peer->c;

	if (vtls_conn_flush(c) == -1) {
		vtls_peer_log(peer, "%s", c->err);
		return -1;
	}
	if (app->event(peer, ep, events))
		return -1;
	if (c->ku_owed && vtls_ep_set(&peer->tls, peer->tls.events | EPOLLOUT)) {
		vtls_peer_log(peer, "epoll: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* One handshake step; returns -1 when the peer is to be closed. */
static int vtls_handshake_step(const struct vtls_opts *o, const struct vtls_app *app,
			       struct vtls_peer *peer)
{
	int hs = vtls_conn_handshake(peer->c), ret;

	if (hs == 0 || hs == 2)
		return vtls_ep_set(&peer->tls, hs ? EPOLLOUT : EPOLLIN) ? -1 : 0;
	if (hs < 0) {
		vtls_peer_log(peer, "%s", peer->c->err);
		return -1;
	}
	ret = vtls_conn_offload(peer->c, o->fallback);
	if (ret) {
		vtls_peer_log(peer, "%s; closed%s", peer->c->err, ret == -EOPNOTSUPP ?
			      " (--fallback would carry on in userspace)" : "");
		return -1;
	}
	/* Why records stay in userspace, once per reason, not per client. */
	if (!peer->c->kernel && strcmp(vtls_fallback_why, peer->c->err)) {
		snprintf(vtls_fallback_why, sizeof(vtls_fallback_why), "%s", peer->c->err);
		vtls_log("records in userspace: %s", vtls_fallback_why);
	}
	peer->open = true;
	peer->c->nowait = true;
	vtls_peer_active(peer);
	return app->open(peer);
}

/*
 * Handshakes past their deadline are given up; open connections idle for
 * longer than the idle timeout get a close_notify and are closed, as a
 * web server drops idle keep-alive connections (quietly: that is normal).
 */
static void vtls_expire(const struct vtls_app *app)
{
	struct vtls_peer *peer, *next;
	int64_t now_ms = vtls_now_ms();
	time_t now = time(NULL);

	for (peer = vtls_peers; peer; peer = next) {
		next = peer->next;
		if (!peer->open && now >= peer->deadline) {
			vtls_peer_log(peer, "handshake not finished in %d s; closed",
				      VTLS_HANDSHAKE_TIMEOUT);
			vtls_peer_close(app, peer);
		} else if (peer->open && peer->idle_until && now_ms >= peer->idle_until) {
			/* Not for a peer that stopped reading: it is just closed. */
			vtls_conn_close_notify(peer->c, false);
			vtls_peer_close(app, peer);
		}
	}
}

static int vtls_listen(const struct vtls_opts *o)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char why[300];
	int fd, one = 1;

	if (vtls_resolve(o->listen, true, &ss, &len, why, sizeof(why))) {
		vtls_log("--listen %s", why);
		return -1;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&ss, len) || listen(fd, 1024)) {
		vtls_log("--listen %s: %s", o->listen, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/**
 * vtls_loop_run() - serve clients until SIGTERM or SIGINT
 * @o: the command line
 * @app: what to do with each connection once its handshake is done
 *
 * Return: the exit status.
 */
int vtls_loop_run(const struct vtls_opts *o, const struct vtls_app *app)
{
	struct sigaction sa = { .sa_handler = vtls_on_signal };
	struct epoll_event evs[64];
	struct vtls_ep lep = { .peer = NULL };
	SSL_CTX *ctx;
	int lfd, n, i;
	time_t last = 0;

	ctx = vtls_ctx_start(o, true);
	if (!ctx)
		return VTLS_EXIT_FAIL;
	vtls_idle = o->idle_timeout >= 0 ? o->idle_timeout : app->idle_timeout;
	vtls_epfd = epoll_create1(EPOLL_CLOEXEC);
	lfd = vtls_listen(o);
	if (vtls_epfd < 0 || lfd < 0 || vtls_ep_add(&lep, NULL, lfd, EPOLLIN)) {
		if (vtls_epfd < 0)
			vtls_log("epoll: %s", strerror(errno));
		SSL_CTX_free(ctx);
		return VTLS_EXIT_FAIL;
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	vtls_log("listening on %s", o->listen);
	while (!vtls_stop) {
		n = epoll_wait(vtls_epfd, evs, 64, 1000);
		if (n < 0 && errno != EINTR) {
			vtls_log("epoll_wait: %s", strerror(errno));
			break;
		}
		for (i = 0; i < n; i++) {
			struct vtls_ep *ep = evs[i].data.ptr;
			struct vtls_peer *peer;
			int j;

			if (!ep)
				continue;	/* its peer was closed in this batch */
			peer = ep->peer;
			if (!peer) {
				vtls_accept(lfd, ctx);
				continue;
			}
			if (!(peer->open ? vtls_peer_event(app, peer, ep, evs[i].events)
					 : vtls_handshake_step(o, app, peer))) {
				if (peer->open)
					vtls_peer_active(peer);
				continue;
			}
			for (j = i + 1; j < n; j++)
				if (evs[j].data.ptr &&
				    ((struct vtls_ep *)evs[j].data.ptr)->peer == peer)
					evs[j].data.ptr = NULL;
			vtls_peer_close(app, peer);
		}
		if (time(NULL) != last) {
			last = time(NULL);
			vtls_expire(app);
		}
	}
	while (vtls_peers)
		vtls_peer_close(app, vtls_peers);
	close(lfd);
	close(vtls_epfd);
	SSL_CTX_free(ctx);
	return VTLS_EXIT_OK;
}

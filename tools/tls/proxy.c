// SPDX-License-Identifier: GPL-2.0
/*
 * veil-tls proxy: TLS termination in front of a plaintext TCP backend.
 * Once the keys are in veil.ko, each direction is a pipe and two splice(2)
 * calls: TLS socket -> pipe -> backend, and back. The plaintext never
 * enters this process. Records that are not data stop a splice out of the
 * TLS socket with EINVAL; they are read with recvmsg and answered.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>

#include "loop.h"

/**
 * struct vtls_flow - one direction of a proxied connection
 * @pipe: the pipe between the two sockets (kernel mode)
 * @buf: the bytes between them (userspace fallback)
 * @len: bytes in @pipe or @buf
 * @off: userspace fallback: how much of @buf is written
 * @eof: the source has ended
 * @done: the end has been passed on to the destination
 */
struct vtls_flow {
	int pipe[2];
	char *buf;
	size_t len;
	size_t off;
	bool eof;
	bool done;
};

/**
 * struct vtls_proxy - a client connection and its backend connection
 * @backend: the backend socket in the epoll set
 * @connected: the backend connect completed
 * @up: client to backend
 * @down: backend to client
 * @pipe_cap: how much a pipe holds
 */
struct vtls_proxy {
	struct vtls_ep backend;
	bool connected;
	struct vtls_flow up;
	struct vtls_flow down;
	size_t pipe_cap;
};

static struct sockaddr_storage vtls_backend_addr;
static socklen_t vtls_backend_len;
static const char *vtls_backend_name;

static int vtls_flow_init(struct vtls_flow *f, bool kernel)
{
	f->pipe[0] = f->pipe[1] = -1;
	if (!kernel) {
		f->buf = malloc(VTLS_RECV_MIN);
		return f->buf ? 0 : -1;
	}
	return pipe2(f->pipe, O_NONBLOCK | O_CLOEXEC);
}

static void vtls_flow_free(struct vtls_flow *f)
{
	if (f->pipe[0] >= 0) {
		close(f->pipe[0]);
		close(f->pipe[1]);
	}
	free(f->buf);
}

/* A record that is not data is next on the client's socket: answer it. */
static int vtls_up_control(struct vtls_peer *peer, struct vtls_proxy *p)
{
	ssize_t n = vtls_conn_control(peer->c);

	if (n < 0) {
		vtls_peer_log(peer, "%s", peer->c->err);
		return -1;
	}
	if (n == 0)
		p->up.eof = true;
	return 0;
}

/*
 * May data go to the client now? RFC 8446 section 4.6.3: a KeyUpdate the
 * client asked for goes out before our next application data record. The
 * request can arrive in the middle of a pump (on the other flow) while
 * the client's socket is full; once there is room the answer goes first,
 * and until then no data does. Returns 1 (send), 0 (wait for room; the
 * loop waits for EPOLLOUT while it is owed) or -1 on failure.
 */
static int vtls_client_ready(struct vtls_peer *peer)
{
	int ret = vtls_conn_flush(peer->c);

	if (ret == -EAGAIN)
		return 0;
	if (ret) {
		vtls_peer_log(peer, "%s", peer->c->err);
		return -1;
	}
	return 1;
}

/*
 * Moves what it can in @f from @in to @out, up to VTLS_TURN_BYTES (what is
 * left is moved when the loop comes back to it: the interest the pump sets
 * is still ready); returns -1 on failure.
 */
static int vtls_flow_pump_kernel(struct vtls_peer *peer, struct vtls_proxy *p,
				 struct vtls_flow *f, int in, int out, bool from_tls)
{
	size_t turn = VTLS_TURN_BYTES;
	ssize_t n;

	for (;;) {
		bool moved = false;

		if (!f->eof && f->len < p->pipe_cap) {
			n = splice(in, NULL, f->pipe[1], NULL, p->pipe_cap - f->len,
				   SPLICE_F_NONBLOCK | SPLICE_F_MOVE);
			if (n > 0) {
				f->len += n;
				moved = true;
			} else if (n == 0) {
				f->eof = true;
				moved = true;
			} else if (from_tls && errno == EINVAL) {
				if (vtls_up_control(peer, p))
					return -1;
				moved = true;
			} else if (errno != EAGAIN) {
				vtls_peer_log(peer, "reading from the %s: %s",
					      from_tls ? "client" : "backend", strerror(errno));
				return -1;
			}
		}
		if (f->len && !from_tls) {
			int ready = vtls_client_ready(peer);

			if (ready < 0)
				return -1;
			if (!ready)
				return 0;
		}
		if (f->len) {
			n = splice(f->pipe[0], NULL, out, NULL, f->len,
				   SPLICE_F_NONBLOCK | SPLICE_F_MOVE);
			if (n > 0) {
				f->len -= n;
				moved = true;
				if ((size_t)n >= turn)
					return 0;
				turn -= n;
			} else if (n < 0 && errno != EAGAIN) {
				vtls_peer_log(peer, "writing to the %s: %s",
					      from_tls ? "backend" : "client", strerror(errno));
				return -1;
			}
		}
		if (!moved)
			return 0;
	}
}

/* The same through a buffer, when OpenSSL carries the records. */
static int vtls_flow_pump_user(struct vtls_peer *peer, struct vtls_flow *f, int in, int out,
			       bool from_tls)
{
	struct vtls_conn *c = peer->c;
	size_t turn = VTLS_TURN_BYTES;
	ssize_t n;

	for (;;) {
		if (!f->len && !f->eof) {
			if (from_tls) {
				n = vtls_conn_recv(c, f->buf, VTLS_RECV_MIN, true);
			} else {
				n = read(in, f->buf, VTLS_RECV_MIN);
				if (n < 0)
					n = errno == EAGAIN ? -EAGAIN : -1;
			}
			if (n == -EAGAIN || n == -EINTR)
				return 0;
			if (n < 0) {
				vtls_peer_log(peer, "reading from the %s: %s",
					      from_tls ? "client" : "backend",
					      from_tls ? c->err : strerror(errno));
				return -1;
			}
			if (n == 0)
				f->eof = true;
			f->len = n;
			f->off = 0;
		}
		if (!f->len)
			return 0;
		if (!from_tls) {
			int ready = vtls_client_ready(peer);

			if (ready <= 0)
				return ready;
		}
		if (from_tls) {
			n = write(out, f->buf + f->off, f->len - f->off);
			if (n < 0)
				n = errno == EAGAIN ? -EAGAIN : -1;
		} else {
			n = vtls_conn_send(c, f->buf + f->off, f->len - f->off, true);
		}
		if (n == -EAGAIN || n == -EINTR)
			return 0;
		if (n < 0) {
			vtls_peer_log(peer, "writing to the %s: %s",
				      from_tls ? "backend" : "client",
				      from_tls ? strerror(errno) : c->err);
			return -1;
		}
		f->off += n;
		if (f->off == f->len)
			f->len = f->off = 0;
		if ((size_t)n >= turn)
			return 0;
		turn -= n;
	}
}

/* Both directions as far as they go, then what to wait for. */
static int vtls_proxy_pump(struct vtls_peer *peer, struct vtls_proxy *p)
{
	struct vtls_conn *c = peer->c;
	int cfd = peer->tls.fd, bfd = p->backend.fd;
	uint32_t cev = 0, bev = 0;
	int ret;

	if (c->kernel)
		ret = vtls_flow_pump_kernel(peer, p, &p->up, cfd, bfd, true) ||
		      vtls_flow_pump_kernel(peer, p, &p->down, bfd, cfd, false);
	else
		ret = vtls_flow_pump_user(peer, &p->up, cfd, bfd, true) ||
		      vtls_flow_pump_user(peer, &p->down, bfd, cfd, false);
	if (ret)
		return -1;
	/* A direction that ended and is drained ends at the other side. */
	if (p->up.eof && !p->up.len && !p->up.done) {
		p->up.done = true;
		shutdown(bfd, SHUT_WR);
	}
	/*
	 * close_notify never waits for room (the loop must not stall on one
	 * peer): without room it is sent again when the client is writable.
	 */
	if (p->down.eof && !p->down.len && !p->down.done &&
	    vtls_conn_close_notify(c, false) != -EAGAIN)
		p->down.done = true;
	if (p->up.done && p->down.done)
		return -1;	/* both ends said all they had to say */
	if (!p->up.eof && (!c->kernel ? !p->up.len : p->up.len < p->pipe_cap))
		cev |= EPOLLIN;
	if (p->down.len || (p->down.eof && !p->down.done))
		cev |= EPOLLOUT;
	if (!p->down.eof && (!c->kernel ? !p->down.len : p->down.len < p->pipe_cap))
		bev |= EPOLLIN;
	if (p->up.len)
		bev |= EPOLLOUT;
	if (vtls_ep_set(&peer->tls, cev) || vtls_ep_set(&p->backend, bev)) {
		vtls_peer_log(peer, "epoll: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int vtls_proxy_event(struct vtls_peer *peer, struct vtls_ep *ep, uint32_t events)
{
	struct vtls_proxy *p = peer->app;
	socklen_t len = sizeof(int);
	int err = 0;

	if (!p->connected) {
		if (ep != &p->backend) {
			/*
			 * epoll reports HUP and ERR whatever the interest: a
			 * client that reset while the backend is still
			 * connecting would make this loop spin until it answers.
			 */
			if (events & (EPOLLHUP | EPOLLERR)) {
				vtls_peer_log(peer, "the client went away before the backend answered");
				return -1;
			}
			return vtls_ep_set(&peer->tls, 0);	/* wait for the backend */
		}
		if (getsockopt(p->backend.fd, SOL_SOCKET, SO_ERROR, &err, &len) || err) {
			vtls_peer_log(peer, "backend %s: %s", vtls_backend_name,
				      strerror(err ? err : errno));
			return -1;
		}
		p->connected = true;
	}
	return vtls_proxy_pump(peer, p);
}

static int vtls_proxy_open(struct vtls_peer *peer)
{
	struct vtls_proxy *p = calloc(1, sizeof(*p));
	int fd = -1, one = 1, cap;

	if (!p)
		goto nomem;
	p->backend.fd = -1;
	p->up.pipe[0] = p->up.pipe[1] = p->down.pipe[0] = p->down.pipe[1] = -1;
	peer->app = p;
	if (vtls_flow_init(&p->up, peer->c->kernel) || vtls_flow_init(&p->down, peer->c->kernel))
		goto nomem;
	if (peer->c->kernel) {
		cap = fcntl(p->up.pipe[0], F_GETPIPE_SZ);
		p->pipe_cap = cap > 0 ? cap : 65536;
		fcntl(p->down.pipe[0], F_SETPIPE_SZ, (int)p->pipe_cap);
	}
	fd = socket(vtls_backend_addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		vtls_peer_log(peer, "backend socket: %s", strerror(errno));
		return -1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&vtls_backend_addr, vtls_backend_len) &&
	    errno != EINPROGRESS) {
		vtls_peer_log(peer, "backend %s: %s", vtls_backend_name, strerror(errno));
		close(fd);
		return -1;
	}
	if (vtls_ep_add(&p->backend, peer, fd, EPOLLOUT)) {
		close(fd);
		goto nomem;
	}
	return vtls_ep_set(&peer->tls, 0);
nomem:
	vtls_peer_log(peer, "out of memory");
	return -1;
}

static void vtls_proxy_close(struct vtls_peer *peer)
{
	struct vtls_proxy *p = peer->app;

	if (!p)
		return;
	if (p->backend.fd >= 0) {
		vtls_ep_del(&p->backend);
		close(p->backend.fd);
	}
	vtls_flow_free(&p->up);
	vtls_flow_free(&p->down);
	free(p);
	peer->app = NULL;
}

static const struct vtls_app vtls_proxy_app = {
	.name = "proxy",
	/* A tunnel may carry a quiet protocol for hours: never, by default. */
	.idle_timeout = 0,
	.open = vtls_proxy_open,
	.event = vtls_proxy_event,
	.close = vtls_proxy_close,
};

int vtls_cmd_proxy(const struct vtls_opts *o)
{
	char why[300];

	if (vtls_resolve(o->backend, false, &vtls_backend_addr, &vtls_backend_len, why,
			 sizeof(why))) {
		vtls_log("--backend %s", why);
		return VTLS_EXIT_FAIL;
	}
	vtls_backend_name = o->backend;
	return vtls_loop_run(o, &vtls_proxy_app);
}

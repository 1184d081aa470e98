// SPDX-License-Identifier: GPL-2.0
/*
 * veil-tls serve: an HTTPS/1.1 static file server. Requests are read as
 * plaintext from the kernel TLS socket; a response's header is written
 * with MSG_MORE and its body follows with sendfile(2), so the file goes
 * from the page cache into veil's records without passing through here.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/param.h>
#include <sys/sendfile.h>

#include "http.h"
#include "loop.h"

/* Requests are read in; a record's plaintext must always fit. */
#define VTLS_SERVE_IN	(4 * VTLS_RECV_MIN)

/**
 * struct vtls_serve - one client's requests and the response being sent
 * @http: the request parser
 * @in: bytes read and not parsed yet
 * @in_off: where the unparsed bytes start
 * @in_len: where they end
 * @out: the response header, or a whole error response
 * @out_off: how much of @out is sent
 * @out_len: its length
 * @file: the body's file, or -1
 * @file_off: how much of it is sent
 * @file_end: its length
 * @chunk: userspace fallback: the body bytes being written
 * @chunk_off: how much of @chunk is sent
 * @chunk_len: its length
 * @sending: a response is going out
 * @last: close after this response (once it is sent, only close_notify
 *	is left to send)
 */
struct vtls_serve {
	struct vtls_http http;
	char in[VTLS_SERVE_IN];
	size_t in_off;
	size_t in_len;
	char out[512];
	size_t out_off;
	size_t out_len;
	int file;
	off_t file_off;
	off_t file_end;
	char chunk[16384];
	size_t chunk_off;
	size_t chunk_len;
	bool sending;
	bool last;
};

static int vtls_rootfd = -1;

/* A response for the request just parsed (or for one that failed). */
static void vtls_respond(struct vtls_serve *s, int status)
{
	http_parser *p = &s->http.parser;
	bool head = status != 400 && p->method == HTTP_HEAD;
	static const char *const bodies[] = { "400 Bad Request\n", "404 Not Found\n",
					       "405 Method Not Allowed\n" };
	const char *body = NULL;
	struct stat st;

	s->file = -1;
	s->file_off = s->file_end = 0;
	s->last = status == 400 || !http_should_keep_alive(p);
	if (status == 200 && p->method != HTTP_GET && p->method != HTTP_HEAD)
		status = 405;
	if (status == 200)
		status = vtls_http_open(vtls_rootfd, &s->http, &s->file, &st);
	if (status == 200)
		s->file_end = head ? 0 : st.st_size;
	else
		body = bodies[status == 400 ? 0 : status == 404 ? 1 : 2];
	s->out_len = vtls_http_header(s->out, sizeof(s->out) - 32, status,
				      vtls_http_type(s->http.url, s->http.url_len),
				      status == 200 ? st.st_size : (off_t)strlen(body), !s->last);
	if (body && !head) {
		memcpy(s->out + s->out_len, body, strlen(body));
		s->out_len += strlen(body);
	}
	if (head && s->file >= 0) {
		close(s->file);
		s->file = -1;
	}
	s->out_off = 0;
	s->chunk_off = s->chunk_len = 0;
	s->sending = true;
}

/* The body from userspace, when OpenSSL carries the records. */
static ssize_t vtls_body_user(struct vtls_conn *c, struct vtls_serve *s)
{
	ssize_t n;

	if (s->chunk_off == s->chunk_len) {
		n = pread(s->file, s->chunk, sizeof(s->chunk), s->file_off);
		if (n <= 0) {
			snprintf(c->err, sizeof(c->err), "reading the file: %s",
				 n ? strerror(errno) : "it shrank");
			return -1;
		}
		s->chunk_off = 0;
		s->chunk_len = n;
	}
	n = vtls_conn_send(c, s->chunk + s->chunk_off, s->chunk_len - s->chunk_off, true);
	if (n > 0) {
		s->chunk_off += n;
		s->file_off += n;
	}
	return n;
}

/*
 * Sends what it can of the response, at most VTLS_TURN_BYTES of it in one
 * call. Returns 1 when it is all out, 0 when the socket is full or this
 * turn's bytes are used up (the socket's EPOLLOUT brings it back), -1 on
 * failure.
 */
static int vtls_send_response(struct vtls_peer *peer, struct vtls_serve *s)
{
	struct vtls_conn *c = peer->c;
	size_t turn = VTLS_TURN_BYTES;
	ssize_t n;

	while (s->out_off < s->out_len) {
		/* MSG_MORE: the header shares its record with the body. */
		if (c->kernel)
			n = send(c->fd, s->out + s->out_off, s->out_len - s->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT |
				 (s->file_off < s->file_end ? MSG_MORE : 0));
		else
			n = vtls_conn_send(c, s->out + s->out_off, s->out_len - s->out_off, true);
		if (n < 0 && c->kernel)
			n = errno == EAGAIN ? -EAGAIN : -1;
		if (n == -EAGAIN)
			return 0;
		if (n < 0) {
			vtls_peer_log(peer, "sending: %s", c->kernel ? strerror(errno) : c->err);
			return -1;
		}
		s->out_off += n;
	}
	while (s->file_off < s->file_end) {
		if (!turn)
			return 0;
		if (c->kernel) {
			/* One sendfile() goes on for as long as there is room. */
			n = sendfile(c->fd, s->file, &s->file_off,
				     MIN((size_t)(s->file_end - s->file_off), turn));
			if (n < 0 && errno == EAGAIN)
				return 0;
			if (n == 0)
				snprintf(c->err, sizeof(c->err), "the file shrank");
			else if (n < 0)
				snprintf(c->err, sizeof(c->err), "%s", strerror(errno));
			if (n <= 0) {
				vtls_peer_log(peer, "sendfile: %s", c->err);
				return -1;
			}
		} else {
			n = vtls_body_user(c, s);
			if (n == -EAGAIN)
				return 0;
			if (n < 0) {
				vtls_peer_log(peer, "sending: %s", c->err);
				return -1;
			}
		}
		turn -= MIN((size_t)n, turn);
	}
	if (s->file >= 0) {
		close(s->file);
		s->file = -1;
	}
	s->sending = false;
	return 1;
}

/* Parses what was read; returns true when a response is due. */
static bool vtls_parse(struct vtls_serve *s)
{
	ssize_t n;

	if (s->in_off == s->in_len)
		return false;
	n = vtls_http_feed(&s->http, s->in + s->in_off, s->in_len - s->in_off);
	if (n < 0) {
		vtls_respond(s, 400);
		return true;
	}
	s->in_off += n;
	if (s->http.complete) {
		vtls_respond(s, 200);
		return true;
	}
	return false;
}

static int vtls_serve_event(struct vtls_peer *peer, struct vtls_ep *ep, uint32_t events)
{
	struct vtls_serve *s = peer->app;
	struct vtls_conn *c = peer->c;
	ssize_t n;
	int ret;

	(void)ep;
	(void)events;
	for (;;) {
		if (s->last && !s->sending) {
			/* After the last response, close_notify when there is room. */
			if (vtls_conn_close_notify(c, false) == -EAGAIN)
				return vtls_ep_set(&peer->tls, EPOLLOUT);
			return -1;
		}
		if (s->sending) {
			ret = vtls_send_response(peer, s);
			if (ret < 0)
				return -1;
			if (!ret)
				return vtls_ep_set(&peer->tls, EPOLLOUT);
			if (!s->last)
				vtls_http_next(&s->http);
			continue;
		}
		if (vtls_parse(s))
			continue;
		if (s->in_off == s->in_len)
			s->in_off = s->in_len = 0;
		if (sizeof(s->in) - s->in_len < VTLS_RECV_MIN) {
			memmove(s->in, s->in + s->in_off, s->in_len - s->in_off);
			s->in_len -= s->in_off;
			s->in_off = 0;
		}
		if (sizeof(s->in) - s->in_len < VTLS_RECV_MIN) {
			vtls_respond(s, 400);	/* a request header beyond 48 KiB */
			continue;
		}
		n = vtls_conn_recv(c, s->in + s->in_len, sizeof(s->in) - s->in_len, true);
		if (n == -EAGAIN || n == -EINTR)
			return vtls_ep_set(&peer->tls, EPOLLIN);
		if (n < 0) {
			vtls_peer_log(peer, "%s", c->err);
			return -1;
		}
		if (n == 0) {
			/* The client is done; answer its close_notify with ours. */
			if (c->clean_close)
				vtls_conn_close_notify(c, false);
			return -1;
		}
		s->in_len += n;
	}
}

static int vtls_serve_open(struct vtls_peer *peer)
{
	struct vtls_serve *s = calloc(1, sizeof(*s));

	if (!s) {
		vtls_peer_log(peer, "out of memory");
		return -1;
	}
	vtls_http_init(&s->http);
	s->file = -1;
	peer->app = s;
	return vtls_serve_event(peer, &peer->tls, 0);
}

static void vtls_serve_close(struct vtls_peer *peer)
{
	struct vtls_serve *s = peer->app;

	if (!s)
		return;
	if (s->file >= 0)
		close(s->file);
	free(s);
	peer->app = NULL;
}

static const struct vtls_app vtls_serve_app = {
	.name = "serve",
	/* Idle keep-alive connections: nginx keeps them 75 s, Apache 5 s. */
	.idle_timeout = 60,
	.open = vtls_serve_open,
	.event = vtls_serve_event,
	.close = vtls_serve_close,
};

int vtls_cmd_serve(const struct vtls_opts *o)
{
	int ret;

	vtls_rootfd = open(o->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (vtls_rootfd < 0) {
		vtls_log("--root %s: %s", o->root, strerror(errno));
		return VTLS_EXIT_FAIL;
	}
	ret = vtls_loop_run(o, &vtls_serve_app);
	close(vtls_rootfd);
	return ret;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * veil-tls connect: a client in the manner of openssl s_client. After the
 * handshake the records are veil.ko's; this process only moves stdin to the
 * socket and the socket to stdout.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <netdb.h>
#include <arpa/inet.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "vtls.h"

static const char *vtls_sess_out;

/* OpenSSL has a session worth keeping: TLS 1.2 at once, TLS 1.3 per ticket. */
static int vtls_new_session(SSL *ssl, SSL_SESSION *sess)
{
	FILE *f = fopen(vtls_sess_out, "w");

	(void)ssl;
	if (!f || !PEM_write_SSL_SESSION(f, sess))
		vtls_log("warning: cannot save the session to %s", vtls_sess_out);
	if (f)
		fclose(f);
	return 0;	/* OpenSSL keeps its reference */
}

static int vtls_load_session(SSL *ssl, const char *path)
{
	FILE *f = fopen(path, "r");
	SSL_SESSION *sess;

	if (!f) {
		vtls_log("--sess-in %s: %s", path, strerror(errno));
		return -1;
	}
	sess = PEM_read_SSL_SESSION(f, NULL, NULL, NULL);
	fclose(f);
	if (!sess) {
		vtls_log("--sess-in %s: not a PEM TLS session", path);
		return -1;
	}
	/* A session that cannot be used is not an error: a full handshake follows. */
	SSL_set_session(ssl, sess);
	SSL_SESSION_free(sess);
	return 0;
}

/* SNI and the name the certificate must carry (RFC 6125). */
static int vtls_set_peer_name(const struct vtls_opts *o, SSL *ssl, const char *host)
{
	const char *name = o->servername ? o->servername : host;
	unsigned char bin[16];
	bool ip = inet_pton(AF_INET, name, bin) == 1 || inet_pton(AF_INET6, name, bin) == 1;

	/* RFC 6066: no IP addresses in server_name. */
	if (!ip && SSL_set_tlsext_host_name(ssl, name) != 1)
		return -1;
	if (o->insecure)
		return 0;
	if (ip)
		return X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name) == 1 ? 0 : -1;
	SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	return SSL_set1_host(ssl, name) == 1 ? 0 : -1;
}

/* Connects to each address HOST has, in getaddrinfo's order, until one answers. */
static int vtls_dial(const struct vtls_opts *o, char *host, size_t hostlen)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV };
	struct addrinfo *res, *ai;
	const char *colon = strrchr(o->target, ':');
	int fd = -1, err = 0, gai;

	if (!colon || colon == o->target || !colon[1]) {
		vtls_log("'%s': expected HOST:PORT", o->target);
		return -1;
	}
	if (o->target[0] == '[' && colon[-1] == ']')
		snprintf(host, hostlen, "%.*s", (int)(colon - o->target) - 2, o->target + 1);
	else
		snprintf(host, hostlen, "%.*s", (int)(colon - o->target), o->target);
	gai = getaddrinfo(host, colon + 1, &hints, &res);
	if (gai) {
		vtls_log("'%s': %s", host, gai == EAI_SYSTEM ? strerror(errno) : gai_strerror(gai));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd >= 0 && !connect(fd, ai->ai_addr, ai->ai_addrlen))
			break;
		err = errno;
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		vtls_log("connect to %s: %s", o->target, strerror(err));
	return fd;
}

static int vtls_write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len) {
		n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= n;
	}
	return 0;
}

/* stdin to the peer, the peer to stdout, until the peer is done. */
static int vtls_relay(struct vtls_conn *c)
{
	static char buf[65536];
	struct pollfd p[2] = { { .fd = c->fd, .events = POLLIN }, { .fd = 0, .events = POLLIN } };
	bool in_open = true;
	ssize_t n, w;

	for (;;) {
		if (poll(p, in_open ? 2 : 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			vtls_log("poll: %s", strerror(errno));
			return -1;
		}
		if (p[0].revents) {
			n = vtls_conn_recv(c, buf, sizeof(buf), true);
			if (n == -EAGAIN || n == -EINTR)
				continue;
			if (n < 0) {
				vtls_log("%s", c->err);
				return -1;
			}
			if (n == 0)
				break;
			if (vtls_write_all(1, buf, n)) {
				vtls_log("stdout: %s", strerror(errno));
				return -1;
			}
		}
		if (in_open && p[1].revents) {
			n = read(0, buf, sizeof(buf));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				in_open = false;
				if (vtls_conn_close_notify(c, true)) {
					vtls_log("%s", c->err);
					return -1;
				}
				continue;
			}
			for (w = 0; w < n; ) {
				ssize_t s = vtls_conn_send(c, buf + w, n - w, false);

				if (s == -EAGAIN) {
					/* Userspace records: OpenSSL waits to read or write. */
					struct pollfd pw = { .fd = c->fd, .events = POLLIN | POLLOUT };

					poll(&pw, 1, 1000);
					continue;
				}
				if (s == -EINTR)
					continue;
				if (s < 0) {
					vtls_log("%s", c->err);
					return -1;
				}
				w += s;
			}
		}
	}
	if (!c->clean_close) {
		vtls_log("the server closed without close_notify; the data may be truncated");
		return -1;
	}
	/* Answer the server's close_notify, as RFC 8446 section 6.1 asks. */
	vtls_conn_close_notify(c, true);
	return 0;
}

int vtls_cmd_connect(const struct vtls_opts *o)
{
	struct vtls_conn *c = NULL;
	SSL_CTX *ctx = NULL;
	char host[256];
	int fd = -1, ret = VTLS_EXIT_FAIL, hs, off;

	if (o->insecure)
		vtls_log("warning: --insecure: the server is not authenticated");
	ctx = vtls_ctx_start(o, false);
	if (!ctx)
		return VTLS_EXIT_FAIL;
	if (o->sess_out) {
		vtls_sess_out = o->sess_out;
		SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT |
					       SSL_SESS_CACHE_NO_INTERNAL_STORE);
		SSL_CTX_sess_set_new_cb(ctx, vtls_new_session);
	}
	fd = vtls_dial(o, host, sizeof(host));
	if (fd < 0)
		goto out;
	c = vtls_conn_new(ctx, fd, false);
	if (!c) {
		vtls_log("out of memory");
		goto out;
	}
	if (vtls_set_peer_name(o, c->ssl, host)) {
		vtls_log("'%s': not a name OpenSSL can check", o->servername ? o->servername : host);
		goto out;
	}
	if (o->sess_in && vtls_load_session(c->ssl, o->sess_in))
		goto out;
	do
		hs = vtls_conn_handshake(c);
	while (hs == 0 || hs == 2);
	if (hs < 0) {
		vtls_log("%s: %s", o->target, c->err);
		goto out;
	}
	off = vtls_conn_offload(c, o->fallback);
	if (off) {
		vtls_log("%s%s", c->err,
			 off == -EOPNOTSUPP ? "; --fallback carries on in userspace" : "");
		goto out;
	}
	fprintf(stderr, "protocol: %s\ncipher: %s\nresumed: %s\n", SSL_get_version(c->ssl),
		vtls_conn_cipher(c), SSL_session_reused(c->ssl) ? "yes" : "no");
	if (c->kernel) {
		fprintf(stderr, "records: kernel (veil)\n");
	} else {
		fprintf(stderr, "records: userspace (%s)\n", c->err);
		/*
		 * OpenSSL would block in SSL_read for a record that is not
		 * data (a session ticket) while stdin waits to be sent.
		 */
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	}
	if (!vtls_relay(c))
		ret = VTLS_EXIT_OK;
out:
	vtls_conn_free(c);
	if (fd >= 0)
		close(fd);
	SSL_CTX_free(ctx);
	return ret;
}

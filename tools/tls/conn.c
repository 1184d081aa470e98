// SPDX-License-Identifier: GPL-2.0
/*
 * One TLS connection: the handshake in OpenSSL, the handover of its keys to
 * veil.ko, and plaintext in and out afterwards. Records that are not
 * application data come out of the kernel with their type; this file
 * answers them: alerts end the connection, a TLS 1.3 KeyUpdate installs
 * the next key, a NewSessionTicket goes to OpenSSL to become a session.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/tls.h>
#include <openssl/err.h>

#include "vtls.h"

#define VTLS_TYPE_ALERT		21
#define VTLS_TYPE_HANDSHAKE	22
#define VTLS_TYPE_DATA		23

#define VTLS_MT_HELLO_REQUEST	0
#define VTLS_MT_NEW_SESSION_TICKET	4
#define VTLS_MT_KEY_UPDATE	24

#ifndef SOL_TLS
#define SOL_TLS 282
#endif

/**
 * vtls_conn_new() - a connection on the connected socket @fd
 * @ctx: the context it is made from
 * @fd: the TCP socket; the connection does not close it
 * @server: this end accepted
 *
 * Return: the connection, or NULL when out of memory.
 */
struct vtls_conn *vtls_conn_new(SSL_CTX *ctx, int fd, bool server)
{
	struct vtls_conn *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->fd = fd;
	c->server = server;
	c->tx_after = -1;
	c->rx_after = -1;
	c->ssl = SSL_new(ctx);
	if (!c->ssl || SSL_set_fd(c->ssl, fd) != 1) {
		SSL_free(c->ssl);
		free(c);
		return NULL;
	}
	SSL_set_app_data(c->ssl, c);
	if (server)
		SSL_set_accept_state(c->ssl);
	else
		SSL_set_connect_state(c->ssl);
	return c;
}

void vtls_conn_free(struct vtls_conn *c)
{
	if (!c)
		return;
	SSL_free(c->ssl);
	vtls_wipe(c, sizeof(*c));
	free(c);
}

/* The one-line reason a handshake failed, from what OpenSSL knows. */
static void vtls_handshake_error(struct vtls_conn *c, int err)
{
	long v = SSL_get_verify_result(c->ssl);
	unsigned long e = ERR_peek_error();

	if (v != X509_V_OK && ERR_GET_REASON(e) == SSL_R_CERTIFICATE_VERIFY_FAILED) {
		snprintf(c->err, sizeof(c->err), "certificate verify failed: %s",
			 X509_verify_cert_error_string(v));
		ERR_clear_error();
	} else if (err == SSL_ERROR_SYSCALL && !e) {
		snprintf(c->err, sizeof(c->err), "%s during the handshake",
			 errno ? strerror(errno) : "peer closed the connection");
	} else if (e) {
		snprintf(c->err, sizeof(c->err), "handshake failed: %s", vtls_ssl_error());
	} else {
		snprintf(c->err, sizeof(c->err), "handshake failed");
	}
}

/**
 * vtls_conn_handshake() - drive the handshake one step
 * @c: the connection
 *
 * On a non-blocking socket, call again when the socket is readable
 * (SSL_ERROR_WANT_READ) or writable.
 *
 * Return: 1 when complete, 0 when it wants to read, 2 when it wants to
 * write, -1 on failure with @c->err set.
 */
int vtls_conn_handshake(struct vtls_conn *c)
{
	int ret, err;

	ERR_clear_error();
	errno = 0;
	ret = SSL_do_handshake(c->ssl);
	if (ret == 1) {
		c->version = SSL_version(c->ssl);
		return 1;
	}
	err = SSL_get_error(c->ssl, ret);
	if (err == SSL_ERROR_WANT_READ)
		return 0;
	if (err == SSL_ERROR_WANT_WRITE)
		return 2;
	vtls_handshake_error(c, err);
	return -1;
}

/**
 * vtls_conn_offload() - hand the record layer to veil.ko
 * @c: a connection whose handshake completed
 * @fallback: when the kernel cannot take it, stay in userspace instead
 *
 * Return: 0 (records in the kernel, or in userspace with @fallback, in
 * which case @c->err says why); -EOPNOTSUPP when the kernel cannot take
 * them and nothing was handed over (@fallback would carry on); -EIO when
 * the socket is half handed over and unusable. @c->err says why.
 */
int vtls_conn_offload(struct vtls_conn *c, bool fallback)
{
	const SSL_CIPHER *ciph = SSL_get_current_cipher(c->ssl);
	const EVP_MD *md;
	BIO *rb, *wb;

	c->suite = vtls_suite_of(ciph);
	if (!c->suite) {
		snprintf(c->err, sizeof(c->err), "%s cannot be offloaded to veil.ko",
			 SSL_CIPHER_get_name(ciph));
		goto no;
	}
	if (vtls_kernel_available(c->err, sizeof(c->err)))
		goto no;
	/* Bytes OpenSSL read but did not use would be lost to the kernel. */
	if (SSL_has_pending(c->ssl)) {
		snprintf(c->err, sizeof(c->err), "OpenSSL holds unread records");
		goto no;
	}
	md = SSL_CIPHER_get_handshake_digest(ciph);
	c->md = md ? EVP_MD_get0_name(md) : NULL;
	if (!c->md || vtls_derive(c))
		goto no;
	/* Refused, the send key leaves the records with OpenSSL. */
	if (vtls_kernel_key(c, true, c->err, sizeof(c->err)))
		goto no;
	if (vtls_kernel_key(c, false, c->err, sizeof(c->err)))
		return -EIO;	/* the socket is half handed over: unusable */
	/*
	 * From now on OpenSSL reads only the session tickets it is given and
	 * writes nothing to the wire.
	 */
	rb = BIO_new(BIO_s_mem());
	wb = BIO_new(BIO_s_mem());
	if (!rb || !wb) {
		BIO_free(rb);
		BIO_free(wb);
		snprintf(c->err, sizeof(c->err), "out of memory");
		return -EIO;
	}
	SSL_set_bio(c->ssl, rb, wb);
	c->kernel = true;
	c->err[0] = '\0';
	return 0;
no:
	return fallback ? 0 : -EOPNOTSUPP;
}

const char *vtls_conn_cipher(const struct vtls_conn *c)
{
	return SSL_get_cipher_name(c->ssl);
}

/* Waits up to 5 s for @events on the socket. */
static int vtls_wait(struct vtls_conn *c, short events)
{
	struct pollfd p = { .fd = c->fd, .events = events };

	return poll(&p, 1, 5000) == 1 ? 0 : -1;
}

/*
 * One non-data record of @type out through the kernel. With @wait, a full
 * socket is waited on (up to 5 s); without, it is -EAGAIN and nothing was
 * sent, for an event loop that must not stall on one slow peer.
 */
static int vtls_send_control(struct vtls_conn *c, uint8_t type, const void *buf, size_t len,
			     bool wait)
{
	char cbuf[CMSG_SPACE(sizeof(uint8_t))] = { 0 };
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr m = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
	ssize_t n;

	cm->cmsg_level = SOL_TLS;
	cm->cmsg_type = TLS_SET_RECORD_TYPE;
	cm->cmsg_len = CMSG_LEN(sizeof(uint8_t));
	*CMSG_DATA(cm) = type;
	for (;;) {
		n = sendmsg(c->fd, &m, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n == (ssize_t)len)
			return 0;
		if (n < 0 && errno == EAGAIN && !wait)
			return -EAGAIN;
		if (n < 0 && errno == EAGAIN && !vtls_wait(c, POLLOUT))
			continue;
		snprintf(c->err, sizeof(c->err), "sending a control record: %s",
			 n < 0 ? strerror(errno) : "short write");
		return -1;
	}
}

/*
 * The KeyUpdate the peer asked for, sent under the old key, then the send
 * key switched. Return: 0, -EAGAIN when @wait is false and the socket has
 * no room (still owed), or -1 with @c->err set.
 */
static int vtls_key_update_send(struct vtls_conn *c, bool wait)
{
	static const uint8_t reply[5] = { VTLS_MT_KEY_UPDATE, 0, 0, 1, 0 };
	int ret = vtls_send_control(c, VTLS_TYPE_HANDSHAKE, reply, sizeof(reply), wait);

	if (ret)
		return ret;
	c->ku_owed = false;
	if (vtls_next_secret(c, &c->tx) || vtls_kernel_key(c, true, c->err, sizeof(c->err)))
		return -1;
	return 0;
}

/*
 * KeyUpdate (RFC 8446 section 4.6.3): the peer's next records use its
 * next secret. If it asked, answer with a KeyUpdate of our own. An event
 * loop's connection does not wait for room for it: the answer is owed
 * until vtls_conn_flush() finds room, which the loop tries before anything
 * else it does with the connection. (Until then only what was queued
 * before goes out, which the peer cannot tell from records in flight.)
 * Several requests before the answer get one answer.
 */
static int vtls_key_update(struct vtls_conn *c, const uint8_t *msg, size_t len)
{
	int ret;

	if (len != 5 || msg[4] > 1) {
		snprintf(c->err, sizeof(c->err), "malformed KeyUpdate");
		return -1;
	}
	if (vtls_next_secret(c, &c->rx) ||
	    vtls_kernel_key(c, false, c->err, sizeof(c->err)))
		return -1;
	if (msg[4] == 1 && !c->ku_owed) {
		c->ku_owed = true;
		ret = vtls_key_update_send(c, !c->nowait);
		if (ret && ret != -EAGAIN)
			return -1;
	}
	return 0;
}

/**
 * vtls_conn_flush() - send what the protocol owes the peer
 * @c: the connection
 *
 * A KeyUpdate the peer asked for that found the socket full.
 *
 * Return: 0 when nothing is owed (any more), -EAGAIN while the socket has
 * no room, -1 with @c->err set.
 */
int vtls_conn_flush(struct vtls_conn *c)
{
	return c->ku_owed ? vtls_key_update_send(c, false) : 0;
}

/*
 * A NewSessionTicket the kernel decrypted: seal it again under the key and
 * sequence number OpenSSL expects next, and let OpenSSL read it, so that
 * OpenSSL builds the session (and calls the new-session callback).
 */
static int vtls_feed_ticket(struct vtls_conn *c, const uint8_t *msg, size_t len)
{
	uint8_t rec[5 + 16384 + 1 + 16], dummy;
	ssize_t n;
	int ret;

	if (c->server || c->version != TLS1_3_VERSION) {
		snprintf(c->err, sizeof(c->err), "unexpected NewSessionTicket");
		return -1;
	}
	n = vtls_seal13(c, &c->feed, VTLS_TYPE_HANDSHAKE, msg, len, rec, sizeof(rec));
	if (n < 0 || BIO_write(SSL_get_rbio(c->ssl), rec, n) != n) {
		snprintf(c->err, sizeof(c->err), "cannot pass a session ticket to OpenSSL");
		return -1;
	}
	ERR_clear_error();
	ret = SSL_read(c->ssl, &dummy, 1);
	if (ret <= 0 && SSL_get_error(c->ssl, ret) != SSL_ERROR_WANT_READ) {
		snprintf(c->err, sizeof(c->err), "bad session ticket: %s", vtls_ssl_error());
		return -1;
	}
	return 0;
}

/* Handshake messages after the handover, which may span records. */
static int vtls_handshake_record(struct vtls_conn *c, const uint8_t *buf, size_t len)
{
	size_t off = 0, mlen;
	uint8_t *m;

	if (c->hs_len + len > sizeof(c->hs)) {
		snprintf(c->err, sizeof(c->err), "post-handshake message too long");
		return -1;
	}
	memcpy(c->hs + c->hs_len, buf, len);
	c->hs_len += len;
	while (c->hs_len - off >= 4) {
		m = c->hs + off;
		mlen = 4 + (m[1] << 16 | m[2] << 8 | m[3]);
		if (mlen > sizeof(c->hs)) {
			snprintf(c->err, sizeof(c->err), "post-handshake message too long");
			return -1;
		}
		if (c->hs_len - off < mlen)
			break;
		if (c->version == TLS1_3_VERSION && m[0] == VTLS_MT_KEY_UPDATE) {
			if (vtls_key_update(c, m, mlen))
				return -1;
		} else if (c->version == TLS1_3_VERSION && m[0] == VTLS_MT_NEW_SESSION_TICKET) {
			if (vtls_feed_ticket(c, m, mlen))
				return -1;
		} else if (c->version != TLS1_2_VERSION || m[0] != VTLS_MT_HELLO_REQUEST) {
			/* A TLS 1.2 HelloRequest may be ignored (RFC 5246 7.4.1.1). */
			snprintf(c->err, sizeof(c->err),
				 "unexpected handshake message %u after the handshake", m[0]);
			return -1;
		}
		off += mlen;
	}
	memmove(c->hs, c->hs + off, c->hs_len - off);
	c->hs_len -= off;
	return 0;
}

/* Returns 0 for close_notify, -1 for anything else (with @c->err). */
static int vtls_alert(struct vtls_conn *c, const uint8_t *buf, size_t len)
{
	if (len != 2) {
		snprintf(c->err, sizeof(c->err), "malformed alert");
		return -1;
	}
	if (buf[1] == SSL_AD_CLOSE_NOTIFY)
		return 0;
	snprintf(c->err, sizeof(c->err), "peer sent %s alert: %s",
		 buf[0] == 2 ? "fatal" : "warning", SSL_alert_desc_string_long(buf[1]));
	return -1;
}

/*
 * Reads records until one holds data, answering the others on the way;
 * with @one, stops after one record whatever it held (-EINPROGRESS when
 * it was answered and held nothing to return).
 */
static ssize_t vtls_recv_kernel(struct vtls_conn *c, void *buf, size_t len, bool nonblock,
				bool one)
{
	char cbuf[CMSG_SPACE(sizeof(uint8_t))];
	struct iovec iov;
	struct msghdr m;
	struct cmsghdr *cm;
	uint8_t type;
	ssize_t n;

	for (;;) {
		if (c->peer_closed)
			return 0;
		iov.iov_base = buf;
		iov.iov_len = len;
		memset(&m, 0, sizeof(m));
		m.msg_iov = &iov;
		m.msg_iovlen = 1;
		m.msg_control = cbuf;
		m.msg_controllen = sizeof(cbuf);
		n = recvmsg(c->fd, &m, nonblock ? MSG_DONTWAIT : 0);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return -errno;
			snprintf(c->err, sizeof(c->err), "%s", errno == EBADMSG ?
				 "bad record from the peer (decryption failed)" : strerror(errno));
			return -1;
		}
		cm = CMSG_FIRSTHDR(&m);
		type = cm && cm->cmsg_level == SOL_TLS && cm->cmsg_type == TLS_GET_RECORD_TYPE ?
		       *CMSG_DATA(cm) : VTLS_TYPE_DATA;
		if (type == VTLS_TYPE_DATA) {
			if (n == 0)
				c->peer_closed = true;
			return n;
		}
		/* A control record comes alone and whole into VTLS_RECV_MIN. */
		if ((size_t)n == len && len < VTLS_RECV_MIN) {
			snprintf(c->err, sizeof(c->err), "control record cut short");
			return -1;
		}
		if (type == VTLS_TYPE_ALERT) {
			if (vtls_alert(c, iov.iov_base, n))
				return -1;
			c->peer_closed = c->clean_close = true;
			return 0;
		}
		if (type != VTLS_TYPE_HANDSHAKE) {
			snprintf(c->err, sizeof(c->err), "unexpected record type %u", type);
			return -1;
		}
		if (vtls_handshake_record(c, iov.iov_base, n))
			return -1;
		if (one)
			return -EINPROGRESS;
	}
}

/**
 * vtls_conn_control() - read and answer the record that is not data at the
 *   head of the socket (where a splice out stopped with EINVAL)
 * @c: a connection in the kernel
 *
 * Return: 1 when it was answered, 0 at the end of the stream, -1 with
 * @c->err set on failure (including data, or nothing, where the record
 * should have been).
 */
ssize_t vtls_conn_control(struct vtls_conn *c)
{
	uint8_t buf[VTLS_RECV_MIN];
	ssize_t n = vtls_recv_kernel(c, buf, sizeof(buf), true, true);

	if (n == -EINPROGRESS)
		return 1;
	if (n > 0 || n == -EAGAIN || n == -EINTR) {
		snprintf(c->err, sizeof(c->err), "%s where a control record was expected",
			 n > 0 ? "data" : "nothing");
		return -1;
	}
	return n;
}

/**
 * vtls_conn_recv() - plaintext from the peer
 * @c: the connection
 * @buf: where it goes
 * @len: room in @buf, at least VTLS_RECV_MIN so that a control record fits
 * @nonblock: return -EAGAIN rather than wait
 *
 * Return: bytes read, 0 at the end (@c->clean_close says whether it was a
 * close_notify), -EAGAIN, or -1 with @c->err set.
 */
ssize_t vtls_conn_recv(struct vtls_conn *c, void *buf, size_t len, bool nonblock)
{
	int n, err;

	if (c->kernel)
		return vtls_recv_kernel(c, buf, len, nonblock, false);
	ERR_clear_error();
	errno = 0;
	n = SSL_read(c->ssl, buf, len);
	if (n > 0)
		return n;
	err = SSL_get_error(c->ssl, n);
	if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE)
		return -EAGAIN;
	c->peer_closed = true;
	if (err == SSL_ERROR_ZERO_RETURN) {
		c->clean_close = true;
		return 0;
	}
	if (err == SSL_ERROR_SYSCALL && !ERR_peek_error() && !errno)
		return 0;
	snprintf(c->err, sizeof(c->err), "%s",
		 err == SSL_ERROR_SYSCALL && errno ? strerror(errno) : vtls_ssl_error());
	return -1;
}

/**
 * vtls_conn_send() - plaintext to the peer
 * @c: the connection
 * @buf: the data
 * @len: its length
 * @nonblock: return -EAGAIN rather than wait
 *
 * Return: bytes taken, -EAGAIN, or -1 with @c->err set.
 */
ssize_t vtls_conn_send(struct vtls_conn *c, const void *buf, size_t len, bool nonblock)
{
	ssize_t n;
	int err;

	if (c->kernel) {
		n = send(c->fd, buf, len, MSG_NOSIGNAL | (nonblock ? MSG_DONTWAIT : 0));
		if (n >= 0)
			return n;
		if (errno == EAGAIN || errno == EINTR)
			return -errno;
		snprintf(c->err, sizeof(c->err), "%s", strerror(errno));
		return -1;
	}
	ERR_clear_error();
	n = SSL_write(c->ssl, buf, len);
	if (n > 0)
		return n;
	err = SSL_get_error(c->ssl, n);
	if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE)
		return -EAGAIN;
	snprintf(c->err, sizeof(c->err), "%s",
		 err == SSL_ERROR_SYSCALL && errno ? strerror(errno) : vtls_ssl_error());
	return -1;
}

/**
 * vtls_conn_close_notify() - say this end has finished sending
 * @c: the connection
 * @wait: wait (up to 5 s) for room in a full socket; an event loop
 *	passes false and tries again when the socket is writable
 *
 * Sends close_notify (once) and half-closes the TCP connection.
 *
 * Return: 0; -EAGAIN when @wait is false and the socket has no room,
 * nothing sent yet; or -1 with @c->err set (the connection is half-closed
 * all the same).
 */
int vtls_conn_close_notify(struct vtls_conn *c, bool wait)
{
	static const uint8_t alert[2] = { 1, SSL_AD_CLOSE_NOTIFY };
	int ret = 0;

	if (c->sent_close)
		return 0;
	if (c->kernel) {
		ret = vtls_send_control(c, VTLS_TYPE_ALERT, alert, sizeof(alert), wait);
	} else {
		ERR_clear_error();
		ret = SSL_shutdown(c->ssl);
		if (ret < 0 && !wait && SSL_get_error(c->ssl, ret) == SSL_ERROR_WANT_WRITE)
			return -EAGAIN;
		if (ret < 0) {
			snprintf(c->err, sizeof(c->err), "%s", vtls_ssl_error());
			ret = -1;
		} else {
			ret = 0;
		}
	}
	if (ret == -EAGAIN)
		return ret;
	c->sent_close = true;
	shutdown(c->fd, SHUT_WR);
	return ret;
}

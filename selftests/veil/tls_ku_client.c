// SPDX-License-Identifier: GPL-2.0
/*
 * Not a test by itself: the client of veil_tls.sh's "KeyUpdate while the
 * server's socket is full" check, an OpenSSL TLS 1.3 client that asks for a
 * KeyUpdate at the worst moment for a server in an event loop.
 *
 *   tls_ku_client ADDR PORT PATH CAFILE PAUSE
 *
 * Connects (IPv4), sends "GET PATH" (HTTP/1.0), reads nothing for PAUSE
 * seconds so that the server's socket fills, then sends a KeyUpdate with
 * update_requested, says "requested" on stdout and waits PAUSE seconds
 * more (the script checks meanwhile that the server answers others). Then
 * it says "reading" and reads the whole response and checks that the body has the length
 * Content-Length gave and that the server's own KeyUpdate came before the
 * end of it (RFC 8446 4.6.3: before the server's next application data
 * record, so never after everything queued): exit 0, else a one-line
 * reason and exit 1.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#define TLS_HANDSHAKE		22
#define TLS_MT_KEY_UPDATE	24

static unsigned int key_updates_read;
/* Response bytes read so far, and how many had been read at the first
 * KeyUpdate from the server (-1: none yet). */
static long long resp_read, ku_at = -1;

static void die(const char *what)
{
	unsigned long e = ERR_get_error();

	fprintf(stderr, "tls_ku_client: %s%s%s\n", what, e ? ": " : "",
		e ? ERR_reason_error_string(e) : "");
	exit(1);
}

/* Counts the KeyUpdate messages that arrive from the server. */
static void on_msg(int write_p, int version, int content_type, const void *buf, size_t len,
		   SSL *ssl, void *arg)
{
	(void)version;
	(void)ssl;
	(void)arg;
	if (!write_p && content_type == TLS_HANDSHAKE && len >= 1 &&
	    ((const unsigned char *)buf)[0] == TLS_MT_KEY_UPDATE) {
		if (!key_updates_read++)
			ku_at = resp_read;
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	static char buf[65536];
	long long body = -1, got = 0;
	char req[512], *hdr_end, *cl;
	size_t have = 0;
	SSL_CTX *ctx;
	int fd, n, pause;
	SSL *ssl;

	if (argc != 6) {
		fprintf(stderr, "usage: tls_ku_client ADDR PORT PATH CAFILE PAUSE\n");
		return 2;
	}
	pause = atoi(argv[5]);
	sin.sin_port = htons(atoi(argv[2]));
	if (inet_pton(AF_INET, argv[1], &sin.sin_addr) != 1)
		die("not an IPv4 address");
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sin, sizeof(sin)))
		die("connect");

	ctx = SSL_CTX_new(TLS_client_method());
	if (!ctx || !SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) ||
	    !SSL_CTX_load_verify_locations(ctx, argv[4], NULL))
		die("the TLS context");
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	SSL_CTX_set_msg_callback(ctx, on_msg);
	ssl = SSL_new(ctx);
	if (!ssl || !SSL_set_fd(ssl, fd) || SSL_connect(ssl) != 1)
		die("the handshake");

	n = snprintf(req, sizeof(req), "GET %s HTTP/1.0\r\nHost: %s\r\n\r\n", argv[3], argv[1]);
	if (SSL_write(ssl, req, n) != n)
		die("sending the request");
	sleep(pause);
	if (!SSL_key_update(ssl, SSL_KEY_UPDATE_REQUESTED) || SSL_do_handshake(ssl) != 1)
		die("sending the KeyUpdate");
	printf("requested\n");
	fflush(stdout);
	sleep(pause);
	printf("reading\n");
	fflush(stdout);

	/* The header, then the body to the end of the stream. */
	for (;;) {
		n = SSL_read(ssl, buf + have, sizeof(buf) - 1 - have);
		if (n <= 0)
			break;
		resp_read += n;
		if (body >= 0) {
			got += n;
			continue;
		}
		have += n;
		buf[have] = '\0';
		hdr_end = strstr(buf, "\r\n\r\n");
		if (!hdr_end) {
			if (have == sizeof(buf) - 1)
				die("a header longer than 64 KiB");
			continue;
		}
		if (strncmp(buf, "HTTP/1.1 200", 12) && strncmp(buf, "HTTP/1.0 200", 12))
			die("not a 200 response");
		cl = strcasestr(buf, "\r\ncontent-length:");
		if (!cl || cl > hdr_end)
			die("no Content-Length");
		body = atoll(cl + 17);
		got = have - (hdr_end + 4 - buf);
	}
	if (SSL_get_error(ssl, n) != SSL_ERROR_ZERO_RETURN && got != body)
		die("the response ended badly");
	if (got != body) {
		fprintf(stderr, "tls_ku_client: %lld of %lld bytes of the body\n", got, body);
		return 1;
	}
	if (!key_updates_read) {
		fprintf(stderr, "tls_ku_client: the server sent no KeyUpdate\n");
		return 1;
	}
	if (ku_at >= resp_read) {
		fprintf(stderr, "tls_ku_client: the server's KeyUpdate came after all %lld bytes\n",
			resp_read);
		return 1;
	}
	printf("%lld bytes, %u KeyUpdate(s) from the server, the first after %lld\n", got,
	       key_updates_read, ku_at);
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	close(fd);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * tls_bench: how fast a file crosses loopback TCP through a TLS record
 * layer, for `make bench` (scripts/bench-guest.sh). Not a test: it checks
 * that every byte arrived, never how fast.
 *
 *   tls_bench MODE FILE [CIPHER]
 *
 * MODE:
 *   tcp      sendfile() into plain TCP (the ceiling, no TLS);
 *   veil     sendfile() into a socket with veil's ULP, veil decrypting;
 *   ktls     the same through the kernel's own kTLS (ULP "tls");
 *   openssl  read() and SSL_write() after a real handshake, SSL_read()
 *            on the other end: TLS done the userspace way.
 * CIPHER: aes-gcm-128 (default) or chacha20-poly1305, TLS 1.3.
 *
 * Prints "MODE CIPHER BYTES SECONDS MB/s" on success. The receiver runs in
 * a second thread, so sender and receiver use both CPUs as two processes
 * would.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tls_util.h"

#ifndef SOL_TLS
#define SOL_TLS 282
#endif

struct bench {
	const char *mode;
	const struct tls_suite *suite;
	int tx, rx;		/* the sender's and the receiver's sockets */
	SSL *tx_ssl, *rx_ssl;
	off_t size;
	off_t received;
	int rx_err;
};

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void tcp_pair(int *a, int *b)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sin);
	int l = socket(AF_INET, SOCK_STREAM, 0);

	if (l < 0 || bind(l, (struct sockaddr *)&sin, sizeof(sin)) || listen(l, 1) ||
	    getsockname(l, (struct sockaddr *)&sin, &len))
		die("listen");
	*a = socket(AF_INET, SOCK_STREAM, 0);
	if (*a < 0 || connect(*a, (struct sockaddr *)&sin, sizeof(sin)))
		die("connect");
	*b = accept(l, NULL, NULL);
	if (*b < 0)
		die("accept");
	close(l);
}

/* The same fixed keys on both ends: the kernel layers need no handshake. */
static void ulp_keys(struct bench *b, const char *ulp)
{
	struct tls_keys k = { .version = TLS_1_3_VERSION, .suite = b->suite };
	union tls_info ci;
	socklen_t len;

	memset(k.key, 0x42, sizeof(k.key));
	memset(k.iv, 0x24, sizeof(k.iv));
	len = tls_info_put(&ci, &k);
	if (setsockopt(b->tx, SOL_TCP, TCP_ULP, ulp, strlen(ulp) + 1) ||
	    setsockopt(b->rx, SOL_TCP, TCP_ULP, ulp, strlen(ulp) + 1))
		die("TCP_ULP");
	if (setsockopt(b->tx, SOL_TLS, TLS_TX, &ci, len) ||
	    setsockopt(b->rx, SOL_TLS, TLS_RX, &ci, len))
		die("SOL_TLS");
}

static void *handshake_server(void *arg)
{
	SSL *ssl = arg;

	return SSL_accept(ssl) == 1 ? NULL : (void *)1;
}

/* A real TLS 1.3 handshake, the receiver as server. */
static void ossl_setup(struct bench *b)
{
	SSL_CTX *sctx, *cctx;
	EVP_PKEY *pkey;
	pthread_t t;
	X509 *cert;
	void *ret;

	if (tls_self_signed(&pkey, &cert))
		die("certificate");
	sctx = tls_ssl_ctx(true, TLS_1_3_VERSION, b->suite, pkey, cert);
	cctx = tls_ssl_ctx(false, TLS_1_3_VERSION, b->suite, NULL, NULL);
	if (!sctx || !cctx)
		die("SSL_CTX");
	b->rx_ssl = SSL_new(sctx);
	b->tx_ssl = SSL_new(cctx);
	if (!b->rx_ssl || !b->tx_ssl || !SSL_set_fd(b->rx_ssl, b->rx) ||
	    !SSL_set_fd(b->tx_ssl, b->tx))
		die("SSL_new");
	pthread_create(&t, NULL, handshake_server, b->rx_ssl);
	if (SSL_connect(b->tx_ssl) != 1)
		die("SSL_connect");
	pthread_join(t, &ret);
	if (ret)
		die("SSL_accept");
}

static void *receiver(void *arg)
{
	struct bench *b = arg;
	size_t room = 1 << 20;
	char *buf = malloc(room);

	while (buf && b->received < b->size) {
		ssize_t n = b->rx_ssl ? SSL_read(b->rx_ssl, buf, room) :
					recv(b->rx, buf, room, 0);

		if (n <= 0) {
			b->rx_err = n < 0 ? errno : EPIPE;
			break;
		}
		b->received += n;
	}
	free(buf);
	return NULL;
}

static void send_file(struct bench *b, int fd)
{
	static char buf[1 << 16];
	off_t off = 0;

	while (off < b->size) {
		ssize_t n;

		if (!b->tx_ssl) {
			n = sendfile(b->tx, fd, &off, b->size - off);
			if (n <= 0)
				die("sendfile");
			continue;
		}
		n = read(fd, buf, sizeof(buf));
		if (n <= 0)
			die("read");
		if (SSL_write(b->tx_ssl, buf, n) != n)
			die("SSL_write");
		off += n;
	}
}

int main(int argc, char **argv)
{
	struct bench b = { 0 };
	const char *cipher = argc > 3 ? argv[3] : "aes-gcm-128";
	struct stat st;
	pthread_t t;
	double t0, t1;
	int fd;

	if (argc < 3) {
		fprintf(stderr, "usage: %s tcp|veil|ktls|openssl FILE [aes-gcm-128|chacha20-poly1305]\n",
			argv[0]);
		return 2;
	}
	b.mode = argv[1];
	b.suite = tls_suite(strcmp(cipher, "chacha20-poly1305") ? TLS_CIPHER_AES_GCM_128 :
			    TLS_CIPHER_CHACHA20_POLY1305);
	fd = open(argv[2], O_RDONLY);
	if (fd < 0 || fstat(fd, &st))
		die(argv[2]);
	b.size = st.st_size;

	tcp_pair(&b.tx, &b.rx);
	if (!strcmp(b.mode, "veil"))
		ulp_keys(&b, "veil");
	else if (!strcmp(b.mode, "ktls"))
		ulp_keys(&b, "tls");
	else if (!strcmp(b.mode, "openssl"))
		ossl_setup(&b);
	else if (strcmp(b.mode, "tcp"))
		return fprintf(stderr, "unknown mode %s\n", b.mode), 2;

	t0 = now();
	pthread_create(&t, NULL, receiver, &b);
	send_file(&b, fd);
	pthread_join(t, NULL);
	t1 = now();
	if (b.received != b.size) {
		fprintf(stderr, "%s: %lld of %lld bytes arrived (%s)\n", b.mode,
			(long long)b.received, (long long)b.size, strerror(b.rx_err));
		return 1;
	}
	printf("%s %s %lld %.2f %.1f\n", b.mode, cipher, (long long)b.size, t1 - t0,
	       b.size / (t1 - t0) / 1e6);
	return 0;
}

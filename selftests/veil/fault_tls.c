// SPDX-License-Identifier: GPL-2.0
/*
 * TLS connections through veil's record layer for the fault tests
 * (fault_*.sh), both ends in one process:
 *
 *   fault_tls stream SECONDS LNS LADDR CNS CADDR PORT
 *   fault_tls hold PAIRS LNS LADDR CNS CADDR PORT
 *
 * Each connection listens in network namespace LNS on LADDR port PORT
 * (PORT + i for the i-th), connects from namespace CNS at CADDR, and
 * puts veil's ULP ("veil") on both ends with TLS 1.3 AES-GCM-128 keys for
 * both directions: fixed keys, no handshake, as tls_bench does.
 *
 * stream: prints "connected" once both ends have veil's ULP and keys;
 * from then until SIGUSR1, or for SECONDS at most, both ends send and receive at once, every byte
 * checked (byte n of a direction is n % 251); then each waits for what
 * the other sent. Exit 0 with "tls: N bytes each way"; 1 with the reason
 * when anything failed (an error, a wrong byte, an early end).
 *
 * hold: PAIRS connections whose send and receive queues are all full
 * (both ends send until the kernel takes no more, nobody reads), except
 * that each end reads a few bytes, so veil holds a record half read.
 * Prints "ready" and waits to be killed: whatever the kernel holds for
 * the connections is then freed by the close at exit or by the end of
 * the namespace.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "sock_util.h"
#include "tls_util.h"

#ifndef SOL_TLS
#define SOL_TLS 282
#endif

#define CHUNK (64 * 1024)
#define DRAIN_S 30

static volatile sig_atomic_t stop;

static void on_usr1(int sig)
{
	(void)sig;
	stop = 1;
}

static void die(const char *what)
{
	fprintf(stderr, "fault_tls: %s: %s\n", what, strerror(errno));
	exit(1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Sockets keep the namespace they were made in: setns() before each. */
static void enter(const char *ns)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "/run/netns/%s", ns);
	fd = open(path, O_RDONLY);
	if (fd < 0 || setns(fd, CLONE_NEWNET))
		die(path);
	close(fd);
}

static void ulp_keys(int fd)
{
	struct tls_keys k = { .version = TLS_1_3_VERSION,
			      .suite = tls_suite(TLS_CIPHER_AES_GCM_128) };
	union tls_info ci;
	socklen_t len;

	memset(k.key, 0x42, sizeof(k.key));
	memset(k.iv, 0x24, sizeof(k.iv));
	len = tls_info_put(&ci, &k);
	if (setsockopt(fd, SOL_TCP, TCP_ULP, "veil", sizeof("veil")))
		die("TCP_ULP veil");
	if (setsockopt(fd, SOL_TLS, TLS_TX, &ci, len) || setsockopt(fd, SOL_TLS, TLS_RX, &ci, len))
		die("SOL_TLS");
}

/* fd[0] connected from CNS, fd[1] accepted in LNS; both with veil's ULP. */
static void tls_conn(char **argv, int port, int fd[2])
{
	struct sockaddr_storage la, ca;
	socklen_t llen, clen;
	char p[16];
	int l, one = 1;

	snprintf(p, sizeof(p), "%d", port);
	llen = sock_resolve("fault_tls", argv[1], p, SOCK_STREAM, &la);
	clen = sock_resolve("fault_tls", argv[3], "0", SOCK_STREAM, &ca);
	enter(argv[0]);
	l = socket(la.ss_family, SOCK_STREAM, 0);
	if (l < 0 || setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(l, (struct sockaddr *)&la, llen) || listen(l, 1))
		die("listen");
	enter(argv[2]);
	fd[0] = socket(ca.ss_family, SOCK_STREAM, 0);
	if (fd[0] < 0 || bind(fd[0], (struct sockaddr *)&ca, clen) ||
	    connect(fd[0], (struct sockaddr *)&la, llen))
		die("connect");
	fd[1] = accept(l, NULL, NULL);
	if (fd[1] < 0)
		die("accept");
	close(l);
	ulp_keys(fd[0]);
	ulp_keys(fd[1]);
	if (fcntl(fd[0], F_SETFL, O_NONBLOCK) || fcntl(fd[1], F_SETFL, O_NONBLOCK))
		die("O_NONBLOCK");
}

static unsigned char buf[CHUNK];

/* Sends the pattern from *@off on; false on an error. */
static bool send_some(int fd, size_t *off)
{
	ssize_t n;
	size_t i;

	for (i = 0; i < CHUNK; i++)
		buf[i] = (*off + i) % 251;
	n = send(fd, buf, CHUNK, MSG_DONTWAIT);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR;
	*off += n;
	return true;
}

/* Receives and checks from *@off on; false on an error, an end or a wrong byte. */
static bool recv_some(int fd, size_t *off, const char *who)
{
	ssize_t n, i;

	n = recv(fd, buf, CHUNK, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return true;
	if (n <= 0) {
		fprintf(stderr, "fault_tls: %s: %s after %zu bytes\n", who,
			n ? strerror(errno) : "end of stream", *off);
		return false;
	}
	for (i = 0; i < n; i++)
		if (buf[i] != (*off + i) % 251) {
			fprintf(stderr, "fault_tls: %s: byte %zu is wrong\n", who, *off + i);
			return false;
		}
	*off += n;
	return true;
}

static int stream(double seconds, char **argv)
{
	static const char *const who[2] = { "client receiving", "server receiving" };
	size_t sent[2] = { 0 }, got[2] = { 0 };
	double end, deadline;
	struct pollfd pfd[2];
	int fd[2], i;

	signal(SIGUSR1, on_usr1);
	tls_conn(argv, atoi(argv[4]), fd);
	printf("connected\n");
	fflush(stdout);
	end = now() + seconds;
	deadline = 0;
	for (;;) {
		bool sending = !stop && now() < end;

		if (!sending && got[0] == sent[1] && got[1] == sent[0])
			break;
		if (!sending && !deadline)
			deadline = now() + DRAIN_S;
		if (deadline && now() > deadline) {
			fprintf(stderr, "fault_tls: %zu of %zu and %zu of %zu bytes arrived\n",
				got[1], sent[0], got[0], sent[1]);
			return 1;
		}
		for (i = 0; i < 2; i++) {
			pfd[i].fd = fd[i];
			pfd[i].events = POLLIN | (sending ? POLLOUT : 0);
		}
		if (poll(pfd, 2, 200) < 0 && errno != EINTR)
			die("poll");
		for (i = 0; i < 2; i++) {
			if ((pfd[i].revents & POLLOUT) && !send_some(fd[i], &sent[i])) {
				fprintf(stderr, "fault_tls: send: %s\n", strerror(errno));
				return 1;
			}
			/* fd[i] receives what fd[!i] sent. */
			if ((pfd[i].revents & (POLLIN | POLLERR | POLLHUP)) &&
			    !recv_some(fd[i], &got[i], who[i]))
				return 1;
		}
	}
	printf("tls: %zu bytes each way\n", (sent[0] + sent[1]) / 2);
	return 0;
}

static __attribute__((noreturn)) void hold(int pairs, char **argv)
{
	int fd[2], i, j;

	for (i = 0; i < pairs; i++) {
		size_t off, before;

		tls_conn(argv, atoi(argv[4]) + i, fd);
		/* Until neither end's send queue takes more. */
		for (j = 0; j < 2; j++) {
			off = 0;
			do {
				before = off;
			} while (send_some(fd[j], &off) && off != before);
		}
		/* A record left half read on each end. */
		for (j = 0; j < 2; j++)
			if (recv(fd[j], buf, 100, 0) < 0 && errno != EAGAIN)
				die("recv");
	}
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	if (argc == 8 && !strcmp(argv[1], "stream"))
		return stream(atof(argv[2]), argv + 3);
	if (argc == 8 && !strcmp(argv[1], "hold"))
		hold(atoi(argv[2]), argv + 3);
	fprintf(stderr, "usage: fault_tls stream SECONDS|hold PAIRS LNS LADDR CNS CADDR PORT\n");
	return 2;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * One TCP transfer for the ESP and AH tests, both ends in one process:
 *
 *   tcp_xfer FROM SRC TO DST PORT FILE [LISTEN]
 *
 * listens in network namespace TO on DST (or LISTEN, when TO is behind a
 * NAT and DST is the address the sender sees) port PORT, connects from
 * namespace FROM at address SRC, sends FILE with sendfile() from a child
 * and compares every byte that arrives with FILE. Exit 0 when all of
 * FILE arrived, unchanged and nothing more; 1 with a reason otherwise.
 *
 * One process rather than a server and a client each started through
 * `ip netns exec` and a shell loop waiting for the server to listen:
 * under TCG each process start costs about a tenth of a second, and a
 * test makes hundreds of transfers. The sockets keep the namespace they
 * were made in, so setns() before each is all it takes. Comparing with
 * the file is cheaper than hashing both and says where they differ.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sock_util.h"

/* A transfer that has not ended by then is stuck, not slow: 10 MB takes
 * a few seconds under TCG.
 */
#define XFER_DEADLINE_S 60

static const char *role = "tcp_xfer";
static volatile size_t arrived;
static pid_t sender;
static volatile sig_atomic_t sender_done;
static int sender_status;

static void die(const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", role, what, strerror(errno));
	exit(1);
}

static void on_alarm(int sig)
{
	char msg[128];
	int n;

	(void)sig;
	n = snprintf(msg, sizeof(msg), "%s: not done after %d s (%zu bytes had arrived)\n",
		     role, XFER_DEADLINE_S, arrived);
	if (write(2, msg, n) < 0)
		_exit(1);
	_exit(1);
}

/* A sender that failed (it said why) ends the receiver at once, rather
 * than leaving it waiting in accept() until the deadline.
 */
static void on_child(int sig)
{
	int st;

	(void)sig;
	if (waitpid(sender, &st, WNOHANG) != sender)
		return;
	sender_status = st;
	sender_done = 1;
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		_exit(1);
}

static void enter_netns(const char *name)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET))
		die(path);
	close(fd);
}

/* A socket in namespace NS, bound to ADDR:PORT. */
static int bound_socket(const char *ns, const char *addr, const char *port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int one = 1, s;

	enter_netns(ns);
	len = sock_resolve(role, addr, port, SOCK_STREAM, &ss);
	s = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		die("socket");
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s, (struct sockaddr *)&ss, len))
		die(addr);
	return s;
}

static void send_file(int s, const char *dst, const char *port, int f, off_t size)
{
	struct sockaddr_storage ss;
	socklen_t len = sock_resolve(role, dst, port, SOCK_STREAM, &ss);
	off_t off = 0;
	ssize_t n;

	role = "tcp_xfer (sender)";
	if (connect(s, (struct sockaddr *)&ss, len))
		die("connect");
	while (off < size) {
		n = sendfile(s, f, &off, size - off);
		if (n < 0)
			die("sendfile");
		if (n == 0) {
			fprintf(stderr, "%s: sendfile sent nothing at byte %lld\n", role,
				(long long)off);
			exit(1);
		}
	}
	if (close(s))
		die("close");
}

static int receive(int l, const unsigned char *want, size_t size)
{
	static unsigned char buf[1 << 16];
	size_t i;
	ssize_t n;
	int c;

	role = "tcp_xfer (receiver)";
	c = accept(l, NULL, NULL);
	if (c < 0)
		die("accept");
	while ((n = read(c, buf, sizeof(buf))) > 0) {
		if (arrived + n > size) {
			fprintf(stderr, "%s: more than the %zu bytes sent arrived\n", role, size);
			return 1;
		}
		if (memcmp(buf, want + arrived, n)) {
			for (i = 0; buf[i] == want[arrived + i]; i++)
				;
			fprintf(stderr, "%s: byte %zu arrived different\n", role, arrived + i);
			return 1;
		}
		arrived += n;
	}
	if (n < 0)
		die("read");
	if (arrived != size) {
		fprintf(stderr, "%s: the stream ended after %zu of %zu bytes\n", role, arrived,
			size);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_child, .sa_flags = SA_RESTART };
	const unsigned char *want = NULL;
	int l, s, f, rc;
	sigset_t chld;
	struct stat st;

	if (argc != 7 && argc != 8) {
		fprintf(stderr, "usage: tcp_xfer FROM-NETNS SRC TO-NETNS DST PORT FILE [LISTEN]\n");
		return 2;
	}
	signal(SIGALRM, on_alarm);
	alarm(XFER_DEADLINE_S);

	f = open(argv[6], O_RDONLY | O_CLOEXEC);
	if (f < 0 || fstat(f, &st))
		die(argv[6]);
	if (st.st_size) {
		want = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, f, 0);
		if (want == MAP_FAILED)
			die("mmap");
	}
	l = bound_socket(argv[3], argc == 8 ? argv[7] : argv[4], argv[5]);
	if (listen(l, 1))
		die("listen");
	s = bound_socket(argv[1], argv[2], "0");

	/* Blocked until sender is set: the child may be done before fork()
	 * returns in the parent.
	 */
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	sigaction(SIGCHLD, &sa, NULL);
	sender = fork();
	if (sender < 0)
		die("fork");
	if (!sender) {
		/* Killing the transfer (iface.sh does) kills both ends. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() == 1)
			_exit(1);
		alarm(XFER_DEADLINE_S);
		close(l);
		send_file(s, argv[4], argv[5], f, st.st_size);
		_exit(0);
	}
	close(s);
	sigprocmask(SIG_UNBLOCK, &chld, NULL);
	rc = receive(l, want, st.st_size);
	if (rc)
		kill(sender, SIGKILL);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	if (!sender_done) {
		if (waitpid(sender, &sender_status, 0) < 0)
			die("waitpid");
	}
	if (!WIFEXITED(sender_status) || WEXITSTATUS(sender_status))
		rc = 1;
	return rc;
}

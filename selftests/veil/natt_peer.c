// SPDX-License-Identifier: GPL-2.0
/*
 * The userspace half of a NAT-T endpoint for the NAT traversal tests: what
 * an IKE daemon does with its port 4500 socket, minus IKE.
 *
 *   natt_peer veil|xfrm ADDR PORT READY [PEER PEERPORT]
 *
 * Binds a UDP socket to ADDR PORT and gives it ESP-in-UDP: "veil" hands it
 * to veil by file descriptor (encap-new), "xfrm" sets UDP_ENCAP as charon
 * does for the kernel's XFRM, with per-socket bypass policies as charon
 * sets (XFRM checks a transport policy against the UDP packets before
 * their ESP is taken off, and IKE must pass in clear). With PEER, sends a stand-in IKE message
 * (the four-byte non-ESP marker, then text) there and waits for the
 * answer, which also makes the NAT in between map the port. READY is
 * created when that is done. Then, until killed, every datagram that
 * reaches userspace is printed, one line each, "ike ADDR PORT" or
 * "keepalive ADDR PORT" or "other ADDR PORT", and IKE messages are
 * answered. ESP must never show up here: the kernel takes it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <linux/veil.h>
#include <linux/xfrm.h>
#include <netlink/genl/genl.h>

#include "nl.h"
#include "sock_util.h"

#ifndef UDP_ENCAP
#define UDP_ENCAP 100
#endif
#ifndef UDP_ENCAP_ESPINUDP
#define UDP_ENCAP_ESPINUDP 2
#endif

static const unsigned char ike_hello[] = { 0, 0, 0, 0, 'h', 'e', 'l', 'l', 'o' };
static const unsigned char ike_reply[] = { 0, 0, 0, 0, 'r', 'e', 'p', 'l', 'y' };

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void hand_to_veil(int fd)
{
	struct veil_nl nl;
	struct nl_msg *msg;
	int err;

	err = veil_nl_open(&nl);
	if (err) {
		fprintf(stderr, "natt_peer: veil: %s\n", veil_nl_strerror(&nl, err));
		exit(1);
	}
	msg = veil_nl_msg(&nl, VEIL_CMD_ENCAP_NEW, 0);
	if (!msg || nla_put_u32(msg, VEIL_A_ENCAP_SOCK_FD, fd) < 0) {
		fprintf(stderr, "natt_peer: out of memory\n");
		exit(1);
	}
	err = veil_nl_request(&nl, msg, NULL, NULL);
	if (err) {
		fprintf(stderr, "natt_peer: encap-new: %s\n", veil_nl_strerror(&nl, err));
		exit(1);
	}
	veil_nl_close(&nl);
}

/* XFRM: IKE and ESP-in-UDP on this socket bypass XFRM's policies, both ways. */
static void xfrm_bypass(int fd, int family)
{
	struct xfrm_userpolicy_info pol;
	int dir;

	for (dir = XFRM_POLICY_IN; dir <= XFRM_POLICY_OUT; dir++) {
		memset(&pol, 0, sizeof(pol));
		pol.action = XFRM_POLICY_ALLOW;
		pol.sel.family = family;
		pol.dir = dir;
		pol.lft.soft_byte_limit = pol.lft.hard_byte_limit = XFRM_INF;
		pol.lft.soft_packet_limit = pol.lft.hard_packet_limit = XFRM_INF;
		if (setsockopt(fd, family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6,
			       family == AF_INET ? IP_XFRM_POLICY : IPV6_XFRM_POLICY, &pol,
			       sizeof(pol)))
			die("XFRM_POLICY");
	}
}

static void print_from(const char *what, const struct sockaddr_storage *from)
{
	char host[INET6_ADDRSTRLEN], port[8];

	getnameinfo((const struct sockaddr *)from, sizeof(*from), host, sizeof(host), port,
		    sizeof(port), NI_NUMERICHOST | NI_NUMERICSERV);
	printf("%s %s %s\n", what, host, port);
	fflush(stdout);
}

/* Send hello to the peer until it answers (a few tries: the NAT may be slow to come up). */
static void greet(int fd, const char *peer, const char *peerport)
{
	struct sockaddr_storage to;
	socklen_t tolen = sock_resolve("natt_peer", peer, peerport, SOCK_DGRAM, &to);
	unsigned char buf[64];
	int i;

	for (i = 0; i < 10; i++) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (sendto(fd, ike_hello, sizeof(ike_hello), 0, (struct sockaddr *)&to, tolen) < 0)
			die("sendto");
		if (poll(&p, 1, 500) == 1 && recv(fd, buf, sizeof(buf), 0) == sizeof(ike_reply) &&
		    !memcmp(buf, ike_reply, sizeof(ike_reply)))
			return;
	}
	fprintf(stderr, "natt_peer: no answer from %s port %s\n", peer, peerport);
	exit(1);
}

int main(int argc, char **argv)
{
	struct sockaddr_storage local;
	socklen_t len;
	int fd, one = 1;

	if ((argc != 5 && argc != 7) || (strcmp(argv[1], "veil") && strcmp(argv[1], "xfrm"))) {
		fprintf(stderr, "usage: natt_peer veil|xfrm ADDR PORT READY [PEER PEERPORT]\n");
		return 2;
	}
	len = sock_resolve("natt_peer", argv[2], argv[3], SOCK_DGRAM, &local);
	fd = socket(local.ss_family, SOCK_DGRAM, 0);
	if (fd < 0)
		die("socket");
	if (local.ss_family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)))
		die("IPV6_V6ONLY");
	if (bind(fd, (struct sockaddr *)&local, len))
		die("bind");
	if (!strcmp(argv[1], "veil")) {
		hand_to_veil(fd);
	} else {
		int type = UDP_ENCAP_ESPINUDP;

		if (setsockopt(fd, IPPROTO_UDP, UDP_ENCAP, &type, sizeof(type)))
			die("UDP_ENCAP");
		xfrm_bypass(fd, local.ss_family);
	}
	if (argc == 7)
		greet(fd, argv[5], argv[6]);
	if (close(open(argv[4], O_WRONLY | O_CREAT, 0644)))
		die(argv[4]);

	for (;;) {
		struct sockaddr_storage from;
		socklen_t fromlen = sizeof(from);
		unsigned char buf[2048];
		ssize_t n;

		n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fromlen);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("recvfrom");
		}
		if (n == 1 && buf[0] == 0xff) {
			print_from("keepalive", &from);
		} else if (n >= 4 && !buf[0] && !buf[1] && !buf[2] && !buf[3]) {
			print_from("ike", &from);
			if (n == sizeof(ike_hello) && !memcmp(buf, ike_hello, n))
				sendto(fd, ike_reply, sizeof(ike_reply), 0, (struct sockaddr *)&from,
				       fromlen);
		} else {
			print_from("other", &from);
		}
	}
}

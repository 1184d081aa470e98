// SPDX-License-Identifier: GPL-2.0
/*
 * veil-iked's sockets. They are bound to the wildcard address, so the
 * address a message came to is learnt per datagram (IP_PKTINFO,
 * IPV6_RECVPKTINFO) and replies leave from it: a host with several
 * addresses answers from the one it was asked on, as RFC 7296 §2.11 wants.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ikev2.h"
#include "net.h"

uint16_t iked_addr_port(const struct sockaddr_storage *ss)
{
	return ntohs(ss->ss_family == AF_INET ? ((const struct sockaddr_in *)ss)->sin_port :
		     ((const struct sockaddr_in6 *)ss)->sin6_port);
}

void iked_addr_set_port(struct sockaddr_storage *ss, uint16_t port)
{
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
}

const void *iked_addr_bytes(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET ? (const void *)&((const struct sockaddr_in *)ss)->sin_addr :
	       (const void *)&((const struct sockaddr_in6 *)ss)->sin6_addr;
}

int iked_addr_len(int family)
{
	return family == AF_INET ? 4 : 16;
}

bool iked_addr_equal(const struct sockaddr_storage *a, const struct sockaddr_storage *b,
		     bool ports)
{
	return a->ss_family == b->ss_family &&
	       !memcmp(iked_addr_bytes(a), iked_addr_bytes(b), iked_addr_len(a->ss_family)) &&
	       (!ports || iked_addr_port(a) == iked_addr_port(b));
}

/* "192.0.2.1[500]", "2001:db8::1[4500]", as charon logs them */
const char *iked_addr_str(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN] = "?";

	if (ss->ss_family == AF_INET || ss->ss_family == AF_INET6)
		inet_ntop(ss->ss_family, iked_addr_bytes(ss), a, sizeof(a));
	snprintf(buf, len, "%s[%u]", a, iked_addr_port(ss));
	return buf;
}

static int net_sock(struct iked_sock *s, int family, uint16_t port, bool natt, char *err,
		    size_t errlen)
{
	struct sockaddr_storage ss = { .ss_family = family };
	int one = 1, fd;

	fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
	if (fd < 0) {
		if (family == AF_INET6 && errno == EAFNOSUPPORT)
			return 1;	/* a host without IPv6 */
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -errno;
	}
	if ((family == AF_INET6 &&
	     (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) ||
	      setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one)))) ||
	    (family == AF_INET && setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one))) ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one))) {
		snprintf(err, errlen, "setsockopt: %s", strerror(errno));
		close(fd);
		return -EINVAL;
	}
	iked_addr_set_port(&ss, port);
	if (bind(fd, (struct sockaddr *)&ss, family == AF_INET ? sizeof(struct sockaddr_in) :
		 sizeof(struct sockaddr_in6))) {
		int e = errno;

		close(fd);
		/* No IPv6 address at all: go on with IPv4. */
		if (family == AF_INET6 && e == EADDRNOTAVAIL)
			return 1;
		snprintf(err, errlen, "UDP port %u (%s): %s", port,
			 family == AF_INET ? "IPv4" : "IPv6", strerror(e));
		return -e;
	}
	s->fd = fd;
	s->family = family;
	s->port = port;
	s->natt = natt;
	return 0;
}

/**
 * iked_net_open - bind IKE's and NAT-T's ports, IPv4 and IPv6
 * @net: the sockets
 * @port: the IKE port (500)
 * @natt_port: the NAT-T port (4500)
 * @err: a one-line reason on failure
 * @errlen: its size
 *
 * Return: 0 or a negative errno.
 */
int iked_net_open(struct iked_net *net, uint16_t port, uint16_t natt_port, char *err,
		  size_t errlen)
{
	static const int families[] = { AF_INET, AF_INET6 };
	int i, ret;

	memset(net, 0, sizeof(*net));
	for (i = 0; i < 4; i++)
		net->socks[i].fd = -1;
	for (i = 0; i < 4; i++) {
		ret = net_sock(&net->socks[net->n], families[i / 2], i % 2 ? natt_port : port,
			       i % 2, err, errlen);
		if (ret < 0) {
			iked_net_close(net);
			return ret;
		}
		if (!ret)
			net->n++;
	}
	return 0;
}

void iked_net_close(struct iked_net *net)
{
	int i;

	for (i = 0; i < net->n; i++)
		if (net->socks[i].fd >= 0)
			close(net->socks[i].fd);
	net->n = 0;
}

/**
 * iked_net_recv - one datagram off @s
 * @s: a socket the event loop found readable
 * @d: filled in; on the NAT-T port the marker is stripped
 *
 * Return: 1 with an IKE message in @d, 0 for something to ignore (a NAT-T
 * keepalive, or a datagram too short to be IKE), -EAGAIN when nothing is
 * left, or another negative errno.
 */
int iked_net_recv(struct iked_sock *s, struct iked_dgram *d)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
		struct cmsghdr align;
	} cbuf;
	struct iovec iov = { .iov_base = d->buf, .iov_len = sizeof(d->buf) };
	struct msghdr msg = {
		.msg_name = &d->remote, .msg_namelen = sizeof(d->remote),
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf.buf, .msg_controllen = sizeof(cbuf.buf),
	};
	struct cmsghdr *c;
	ssize_t n;

	n = recvmsg(s->fd, &msg, MSG_DONTWAIT);
	if (n < 0)
		return -errno;
	memset(&d->local, 0, sizeof(d->local));
	d->local.ss_family = s->family;
	iked_addr_set_port(&d->local, s->port);
	for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			((struct sockaddr_in *)&d->local)->sin_addr = pi.ipi_addr;
		} else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			((struct sockaddr_in6 *)&d->local)->sin6_addr = pi.ipi6_addr;
		}
	}
	d->natt = s->natt;
	d->len = n;
	if (s->natt) {
		/* RFC 3948: a keepalive is one 0xff byte; IKE follows four zero bytes. */
		if (n < IKEV2_NON_ESP_MARKER_LEN + IKEV2_HDR_LEN ||
		    memcmp(d->buf, "\0\0\0\0", IKEV2_NON_ESP_MARKER_LEN))
			return 0;
		memmove(d->buf, d->buf + IKEV2_NON_ESP_MARKER_LEN, n - IKEV2_NON_ESP_MARKER_LEN);
		d->len -= IKEV2_NON_ESP_MARKER_LEN;
	}
	return d->len >= IKEV2_HDR_LEN;
}

static struct iked_sock *net_find(struct iked_net *net, int family, uint16_t port, bool natt)
{
	int i;

	for (i = 0; i < net->n; i++)
		if (net->socks[i].family == family && net->socks[i].natt == natt &&
		    (!port || net->socks[i].port == port))
			return &net->socks[i];
	return NULL;
}

static int net_sendmsg(struct iked_net *net, const struct sockaddr_storage *local,
		       const struct sockaddr_storage *remote, bool natt, struct iovec *iov,
		       int iovlen)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
		struct cmsghdr align;
	} cbuf;
	struct msghdr msg = {
		.msg_name = (void *)remote,
		.msg_namelen = remote->ss_family == AF_INET ? sizeof(struct sockaddr_in) :
			       sizeof(struct sockaddr_in6),
		.msg_iov = iov, .msg_iovlen = iovlen,
	};
	struct iked_sock *s = net_find(net, remote->ss_family, local ? iked_addr_port(local) : 0,
				       natt);
	struct cmsghdr *c;

	if (!s)
		return -EAFNOSUPPORT;
	/* Leave from the address the peer knows us by. */
	if (local) {
		memset(&cbuf, 0, sizeof(cbuf));
		msg.msg_control = cbuf.buf;
		c = (struct cmsghdr *)cbuf.buf;
		if (remote->ss_family == AF_INET) {
			struct in_pktinfo pi = { 0 };

			pi.ipi_spec_dst = ((const struct sockaddr_in *)local)->sin_addr;
			c->cmsg_level = IPPROTO_IP;
			c->cmsg_type = IP_PKTINFO;
			c->cmsg_len = CMSG_LEN(sizeof(pi));
			memcpy(CMSG_DATA(c), &pi, sizeof(pi));
			msg.msg_controllen = CMSG_SPACE(sizeof(pi));
		} else {
			struct in6_pktinfo pi = { 0 };

			pi.ipi6_addr = ((const struct sockaddr_in6 *)local)->sin6_addr;
			c->cmsg_level = IPPROTO_IPV6;
			c->cmsg_type = IPV6_PKTINFO;
			c->cmsg_len = CMSG_LEN(sizeof(pi));
			memcpy(CMSG_DATA(c), &pi, sizeof(pi));
			msg.msg_controllen = CMSG_SPACE(sizeof(pi));
		}
	}
	if (sendmsg(s->fd, &msg, MSG_DONTWAIT) < 0)
		return -errno;
	return 0;
}

/**
 * iked_net_send - send an IKE message
 * @net: the sockets
 * @local: the address and port to send from, or NULL for any
 * @remote: the peer
 * @natt: from the NAT-T port, behind the non-ESP marker
 * @msg: the message
 * @len: its length
 *
 * Return: 0 or a negative errno (a full socket buffer counts as a lost
 * datagram, which retransmission covers).
 */
int iked_net_send(struct iked_net *net, const struct sockaddr_storage *local,
		  const struct sockaddr_storage *remote, bool natt, const uint8_t *msg,
		  size_t len)
{
	static const uint8_t marker[IKEV2_NON_ESP_MARKER_LEN];
	struct iovec iov[2] = {
		{ .iov_base = (void *)marker, .iov_len = sizeof(marker) },
		{ .iov_base = (void *)msg, .iov_len = len },
	};

	return natt ? net_sendmsg(net, local, remote, true, iov, 2) :
		      net_sendmsg(net, local, remote, false, iov + 1, 1);
}

/* RFC 3948 §2.3: one 0xff byte from the NAT-T port keeps a NAT's mapping. */
int iked_net_keepalive(struct iked_net *net, const struct sockaddr_storage *local,
		       const struct sockaddr_storage *remote)
{
	uint8_t ka = 0xff;
	struct iovec iov = { .iov_base = &ka, .iov_len = 1 };

	return net_sendmsg(net, local, remote, true, &iov, 1);
}

/**
 * iked_net_source_for - the address the kernel sends from to reach @remote
 * @remote: the peer
 * @local: set to it (its port is not meaningful)
 *
 * Return: 0, or a negative errno (no route).
 */
int iked_net_source_for(const struct sockaddr_storage *remote, struct sockaddr_storage *local)
{
	socklen_t len = sizeof(*local);
	int fd = socket(remote->ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int ret = 0;

	if (fd < 0)
		return -errno;
	if (connect(fd, (const struct sockaddr *)remote, remote->ss_family == AF_INET ?
		    sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6)) ||
	    getsockname(fd, (struct sockaddr *)local, &len))
		ret = -errno;
	close(fd);
	return ret;
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * veil-iked's UDP sockets: IKE on port 500 and, behind the non-ESP marker,
 * on the NAT-T port 4500 (RFC 3948, RFC 7296 §2.23), for IPv4 and IPv6.
 */
#ifndef VEIL_IKED_NET_H
#define VEIL_IKED_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#define IKED_MSG_MAX	65535	/* what UDP can carry; fragments keep below the MTU */

/**
 * struct iked_sock - one bound UDP socket
 * @fd: the socket, -1 when not open
 * @family: AF_INET or AF_INET6
 * @port: local port, host order
 * @natt: messages carry the non-ESP marker (the NAT-T port)
 */
struct iked_sock {
	int fd;
	int family;
	uint16_t port;
	bool natt;
};

/**
 * struct iked_net - the daemon's sockets
 * @socks: IPv4 IKE, IPv4 NAT-T, IPv6 IKE, IPv6 NAT-T
 * @n: how many are open (a host without IPv6 has two)
 */
struct iked_net {
	struct iked_sock socks[4];
	int n;
};

/**
 * struct iked_dgram - a datagram as received, or to send
 * @local: the address and port it came to (or leaves from)
 * @remote: the peer's
 * @natt: on the NAT-T port (the marker already stripped)
 * @len: the IKE message's length
 * @buf: the IKE message
 */
struct iked_dgram {
	struct sockaddr_storage local;
	struct sockaddr_storage remote;
	bool natt;
	size_t len;
	uint8_t buf[IKED_MSG_MAX];
};

int iked_net_open(struct iked_net *net, uint16_t port, uint16_t natt_port, char *err,
		  size_t errlen);
void iked_net_close(struct iked_net *net);
int iked_net_recv(struct iked_sock *s, struct iked_dgram *d);
int iked_net_send(struct iked_net *net, const struct sockaddr_storage *local,
		  const struct sockaddr_storage *remote, bool natt, const uint8_t *msg,
		  size_t len);
int iked_net_keepalive(struct iked_net *net, const struct sockaddr_storage *local,
		       const struct sockaddr_storage *remote);
uint16_t iked_addr_port(const struct sockaddr_storage *ss);
void iked_addr_set_port(struct sockaddr_storage *ss, uint16_t port);
const void *iked_addr_bytes(const struct sockaddr_storage *ss);
int iked_addr_len(int family);
bool iked_addr_equal(const struct sockaddr_storage *a, const struct sockaddr_storage *b,
		     bool ports);
int iked_net_source_for(const struct sockaddr_storage *remote, struct sockaddr_storage *local);
const char *iked_addr_str(const struct sockaddr_storage *ss, char *buf, size_t len);

#endif /* VEIL_IKED_NET_H */

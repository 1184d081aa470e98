/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Socket helpers the selftests' own programs share (tcp_xfer, natt_peer).
 */
#ifndef VEIL_SELFTESTS_SOCK_UTIL_H
#define VEIL_SELFTESTS_SOCK_UTIL_H

#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/*
 * The numeric address @addr and port @port into @ss, for sockets of
 * @socktype; returns the address's length. A bad one ends the program,
 * named by @who: the tests pass these from their own scripts.
 */
static inline socklen_t sock_resolve(const char *who, const char *addr, const char *port,
				     int socktype, struct sockaddr_storage *ss)
{
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV,
				  .ai_socktype = socktype };
	struct addrinfo *ai;
	socklen_t len;

	if (getaddrinfo(addr, port, &hints, &ai)) {
		fprintf(stderr, "%s: bad address %s port %s\n", who, addr, port);
		exit(1);
	}
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	len = ai->ai_addrlen;
	freeaddrinfo(ai);
	return len;
}

#endif

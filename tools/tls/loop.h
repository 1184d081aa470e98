/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The event loop serve and proxy share: one process, one epoll set, every
 * socket non-blocking. Handshakes are driven step by step as their sockets
 * become ready, so no client can hold up another.
 */
#ifndef VEIL_TLS_LOOP_H
#define VEIL_TLS_LOOP_H

#include <stdint.h>
#include <time.h>

#include "vtls.h"

struct vtls_peer;

/*
 * How many bytes one connection may move in one turn of the loop before
 * the others get theirs (nginx's sendfile_max_chunk, 2m by default, is
 * there for the same reason). A client that drains as fast as the kernel
 * encrypts never fills its socket, so "until EAGAIN" alone would let one
 * large download hold up every handshake, request and timeout behind it
 * until it ends.
 */
#define VTLS_TURN_BYTES		(1 << 20)

/**
 * struct vtls_ep - one socket of a peer in the epoll set
 * @peer: the peer it belongs to; NULL for the listening socket
 * @fd: the socket
 * @events: the events it is registered for
 */
struct vtls_ep {
	struct vtls_peer *peer;
	int fd;
	uint32_t events;
};

/**
 * struct vtls_peer - an accepted connection
 * @tls: the client's end; @tls.fd is its TCP socket
 * @c: its TLS connection
 * @name: the client's address, for the log
 * @deadline: when an unfinished handshake is given up
 * @idle_until: once open, when it is closed unless something happens
 *	first, in CLOCK_MONOTONIC milliseconds; 0 never
 * @open: the handshake is done and the keys are handed over
 * @app: serve's or proxy's own state
 * @prev: the list of all peers
 * @next: the list of all peers
 */
struct vtls_peer {
	struct vtls_ep tls;
	struct vtls_conn *c;
	char name[64];
	time_t deadline;
	int64_t idle_until;
	bool open;
	void *app;
	struct vtls_peer *prev;
	struct vtls_peer *next;
};

/**
 * struct vtls_app - what a server does with its connections
 * @name: the command, for the log
 * @idle_timeout: seconds an open connection may go without an event
 *	before it is closed, unless --idle-timeout says otherwise; 0 never
 * @open: the handshake is done; set up @peer->app and its interest.
 *        Returns 0 or -1 (after logging) to close the peer.
 * @event: @ep of an open peer is ready with @events; returns 0 or -1 to
 *         close the peer (after logging what went wrong)
 * @close: free @peer->app and any socket of its own
 */
struct vtls_app {
	const char *name;
	int idle_timeout;
	int (*open)(struct vtls_peer *peer);
	int (*event)(struct vtls_peer *peer, struct vtls_ep *ep, uint32_t events);
	void (*close)(struct vtls_peer *peer);
};

int vtls_loop_run(const struct vtls_opts *o, const struct vtls_app *app);
int vtls_ep_add(struct vtls_ep *ep, struct vtls_peer *peer, int fd, uint32_t events);
int vtls_ep_set(struct vtls_ep *ep, uint32_t events);
void vtls_ep_del(struct vtls_ep *ep);
void vtls_peer_log(const struct vtls_peer *peer, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif

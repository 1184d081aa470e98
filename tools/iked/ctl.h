/* SPDX-License-Identifier: GPL-2.0 */
/*
 * veil-iked's control socket: a Unix stream socket on which `veil ike`
 * asks the daemon to bring connections up and down, list its SAs, report
 * its status and reload its configuration.
 *
 * The protocol is one JSON object per line each way, one request per
 * connection: {"cmd":"up","name":"gw.net"} is answered {"ok":true,...}
 * or {"ok":false,"error":"..."}, and the daemon closes the connection.
 */
#ifndef VEIL_IKED_CTL_H
#define VEIL_IKED_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "timer.h"

#define IKED_CTL_PATH		"/run/veil-iked.ctl"
#define IKED_CTL_REQ_MAX	4096	/* a request is a line shorter than this */
#define IKED_CTL_CLIENTS	16	/* connections served at once */
#define IKED_CTL_BACKLOG	128	/* waiting to be accepted (and told to wait) */
#define IKED_CTL_TIMEOUT_MS	5000	/* a client has this long to ask and read */

enum iked_ctl_cmd {
	IKED_CTL_UP = 1,
	IKED_CTL_DOWN,
	IKED_CTL_LIST,
	IKED_CTL_STATUS,
	IKED_CTL_RELOAD,
};

/**
 * struct iked_ctl_req - a parsed request
 * @cmd: what
 * @conn: up, down: the connection's name
 * @child: up, down: the child's name ("CONN.CHILD"), or empty for the
 *	connection as a whole
 */
struct iked_ctl_req {
	enum iked_ctl_cmd cmd;
	char conn[IKED_NAME_MAX];
	char child[IKED_NAME_MAX];
};

/**
 * struct iked_ctl_client - one connection to the control socket
 * @fd: its socket, -1 for a free slot
 * @req: what it sent so far
 * @req_len: how much
 * @resp: the answer being written, or NULL while the request is read
 * @resp_len: its length
 * @resp_off: how much of it went out
 * @draining: the answer is out; what the client still sends is thrown away
 *	until it closes
 * @deadline: when it is dropped, done or not (monotonic ms)
 */
struct iked_ctl_client {
	int fd;
	char req[IKED_CTL_REQ_MAX];
	size_t req_len;
	char *resp;
	size_t resp_len;
	size_t resp_off;
	bool draining;
	uint64_t deadline;
};

/**
 * struct iked_ctl - the control socket
 * @fd: the listening socket, -1 when there is none
 * @ep: the daemon's epoll set
 * @path: where it is bound
 * @clients: the connections being served
 * @reaper: drops clients past their deadline
 */
struct iked_ctl {
	int fd;
	int ep;
	char path[108];
	struct iked_ctl_client clients[IKED_CTL_CLIENTS];
	struct iked_timer reaper;
};

/* epoll tags: the listening socket, and each client by its slot */
#define IKED_CTL_TAG_LISTEN	(-3)
#define IKED_CTL_TAG_CLIENT0	(-16)
#define IKED_CTL_TAG_IS_CLIENT(t) \
	((t) <= IKED_CTL_TAG_CLIENT0 && (t) > IKED_CTL_TAG_CLIENT0 - IKED_CTL_CLIENTS)

struct iked;
struct json_object;

/* ctl_proto.c: the protocol, with no daemon behind it (tested on the host) */
int iked_ctl_parse(const char *line, size_t len, struct iked_ctl_req *req, char *err,
		   size_t errlen);
int iked_ctl_split_name(const char *name, char *conn, char *child, char *err, size_t errlen);
struct json_object *iked_ctl_ok(void);
struct json_object *iked_ctl_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *iked_ctl_encode(struct json_object *resp, size_t *len);

/* ctl.c: the socket */
void iked_ctl_init(struct iked_ctl *ctl);
int iked_ctl_open(struct iked_ctl *ctl, const char *path, char *err, size_t errlen);
int iked_ctl_watch(struct iked_ctl *ctl, int ep);
void iked_ctl_close(struct iked_ctl *ctl);
void iked_ctl_event(struct iked *d, int64_t tag, uint32_t events);

/* ctl_cmd.c: what the requests do */
struct json_object *iked_ctl_run(struct iked *d, const struct iked_ctl_req *req);

/* reload.c */
int iked_config_read(struct iked_config *cfg, const char *conf, const char *secrets, char *err,
		     size_t errlen);
void iked_conn_start(struct iked *d, const struct iked_conn_cfg *c,
		     const struct iked_conn_cfg *old);
int iked_reload(struct iked *d, struct json_object *changes, char *err, size_t errlen);
void iked_reload_gc(struct iked *d);
void iked_reload_free(struct iked *d);

#endif /* VEIL_IKED_CTL_H */

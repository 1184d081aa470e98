/* SPDX-License-Identifier: GPL-2.0 */
/*
 * veil-iked's log: to stderr in the foreground, else to syslog, with a
 * level per subsystem as strongSwan's charon has (cfg, ike, net, enc,
 * knl, ctl). Keys and other secrets are never passed here.
 */
#ifndef VEIL_IKED_LOG_H
#define VEIL_IKED_LOG_H

#include <stdbool.h>

enum iked_subsys {
	IKED_CFG,	/* configuration */
	IKED_IKE,	/* IKE SAs and exchanges */
	IKED_NET,	/* sockets, messages sent and received */
	IKED_ENC,	/* message encoding and decoding */
	IKED_KNL,	/* veil.ko */
	IKED_CTL,	/* the control socket */
	IKED_NSUBSYS,
};

/*
 * Levels, as charon's: -1 silent, 0 errors and what changes state
 * (established, deleted), 1 what happens (default), 2 details, 3 raw
 * data sizes, 4 everything else.
 */
void iked_log_init(bool to_stderr, const int levels[IKED_NSUBSYS]);
void iked_log_set(enum iked_subsys s, int level);
bool iked_log_enabled(enum iked_subsys s, int level);
void iked_log(enum iked_subsys s, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define iked_err(s, ...)	iked_log(s, 0, __VA_ARGS__)
#define iked_info(s, ...)	iked_log(s, 1, __VA_ARGS__)
#define iked_dbg(s, ...)	iked_log(s, 2, __VA_ARGS__)

#endif /* VEIL_IKED_LOG_H */

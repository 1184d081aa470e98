// SPDX-License-Identifier: GPL-2.0
/*
 * Requests to the veil family are built before any socket is open, so
 * that command lines can be parsed and checked on a host without veil.ko;
 * the CLI's fuzz target links this file without nl.c.
 */
#include <linux/veil.h>
#include <netlink/genl/genl.h>

#include "nl.h"

/**
 * veil_nl_msg_new() - start a request before the family id is known
 * @cmd: VEIL_CMD_*
 * @flags: extra NLM_F_* flags (NLM_F_DUMP for dumps)
 *
 * The message can be filled (and checked) without a socket, so command
 * lines can be parsed and tested on a host without veil.ko;
 * veil_nl_request() stamps the family id in before sending. Requests other
 * than dumps ask for an ack; a dump ends in NLMSG_DONE instead.
 *
 * Return: the message, to be filled with attributes, or NULL on ENOMEM.
 */
struct nl_msg *veil_nl_msg_new(uint8_t cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg)
		return NULL;
	if (!(flags & NLM_F_DUMP))
		flags |= NLM_F_ACK;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, 0, 0, flags, cmd,
			 VEIL_FAMILY_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Handing keys to veil.ko: the tls-key-new command of the veil family,
 * which attaches veil's TCP ULP to the socket on the first key and rekeys
 * on later ones. One netlink connection serves the whole process.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/veil.h>
#include <netlink/attr.h>

#include "nl.h"
#include "vtls.h"

static struct veil_nl vtls_nl;
static int vtls_nl_state;	/* 0: not tried, 1: open, <0: failed */

static int vtls_nl_get(char *why, size_t whylen)
{
	int ret;

	if (vtls_nl_state == 0) {
		ret = veil_nl_open(&vtls_nl);
		vtls_nl_state = ret ? ret : 1;
	}
	if (vtls_nl_state == VEIL_NL_ENOFAMILY)
		snprintf(why, whylen, "veil.ko is not loaded (modprobe veil)");
	else if (vtls_nl_state < 0)
		snprintf(why, whylen, "cannot talk to veil.ko: %s",
			 veil_nl_strerror(&vtls_nl, vtls_nl_state));
	return vtls_nl_state < 0 ? -1 : 0;
}

/**
 * vtls_kernel_available() - whether veil.ko is there to take keys
 * @why: the reason when it is not
 * @whylen: size of @why
 *
 * Return: 0 or -1.
 */
int vtls_kernel_available(char *why, size_t whylen)
{
	return vtls_nl_get(why, whylen);
}

/**
 * vtls_kernel_key() - install one direction's key on @c's socket
 * @c: the connection; @c->tx or @c->rx holds the key and next sequence
 * @tx: which direction
 * @why: the kernel's reason on failure
 * @whylen: size of @why
 *
 * Return: 0 or -1.
 */
int vtls_kernel_key(struct vtls_conn *c, bool tx, char *why, size_t whylen)
{
	const struct vtls_key *k = tx ? &c->tx : &c->rx;
	const struct vtls_suite *s = c->suite;
	struct nl_msg *msg;
	int ret;

	if (vtls_nl_get(why, whylen))
		return -1;
	msg = veil_nl_msg(&vtls_nl, VEIL_CMD_TLS_KEY_NEW, 0);
	if (!msg) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	ret = nla_put_u32(msg, VEIL_A_TLS_KEY_SOCK_FD, c->fd) ||
	      nla_put_u32(msg, VEIL_A_TLS_KEY_DIR, tx ? VEIL_TLS_DIR_TX : VEIL_TLS_DIR_RX) ||
	      nla_put_u16(msg, VEIL_A_TLS_KEY_VERSION, c->version) ||
	      nla_put_u16(msg, VEIL_A_TLS_KEY_CIPHER, s->cipher) ||
	      nla_put(msg, VEIL_A_TLS_KEY_KEY, s->key_len, k->key) ||
	      nla_put(msg, VEIL_A_TLS_KEY_IV, 12 - s->salt_len, k->iv + s->salt_len) ||
	      (s->salt_len && nla_put(msg, VEIL_A_TLS_KEY_SALT, s->salt_len, k->iv)) ||
	      nla_put_u64(msg, VEIL_A_TLS_KEY_REC_SEQ, k->seq);
	if (ret) {
		nlmsg_free(msg);
		snprintf(why, whylen, "netlink message too large");
		return -1;
	}
	/* The request carries a key: hold it past sending to wipe it. */
	nlmsg_get(msg);
	ret = veil_nl_request(&vtls_nl, msg, NULL, NULL);
	vtls_wipe(nlmsg_hdr(msg), nlmsg_hdr(msg)->nlmsg_len);
	nlmsg_free(msg);
	if (ret) {
		snprintf(why, whylen, "veil.ko refused the %s key: %s", tx ? "send" : "receive",
			 veil_nl_strerror(&vtls_nl, ret));
		return -1;
	}
	return 0;
}

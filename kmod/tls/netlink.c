// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The veil authors. All Rights Reserved.
 *
 * tls-key-new: a TLS key for a TCP socket the caller hands over by file
 * descriptor, the way veil's own handshake tools install their keys. It
 * does what setsockopt(SOL_TLS) does, on the caller's own socket, so it
 * needs no privilege either.
 */

#include <linux/file.h>
#include <linux/net.h>
#include <net/genetlink.h>

#include "netlink.h"
#include "tls.h"
#include "uapi/linux/veil.h"

const struct nla_policy veil_tls_key_policy[VEIL_A_TLS_KEY_MAX + 1] = {
	[VEIL_A_TLS_KEY_SOCK_FD] = { .type = NLA_U32 },
	[VEIL_A_TLS_KEY_DIR] = NLA_POLICY_RANGE(NLA_U32, VEIL_TLS_DIR_TX, VEIL_TLS_DIR_RX),
	[VEIL_A_TLS_KEY_VERSION] = { .type = NLA_U16 },
	[VEIL_A_TLS_KEY_CIPHER] = { .type = NLA_U16 },
	[VEIL_A_TLS_KEY_KEY] = { .type = NLA_BINARY, .len = 32 },
	[VEIL_A_TLS_KEY_IV] = { .type = NLA_BINARY, .len = 12 },
	[VEIL_A_TLS_KEY_SALT] = { .type = NLA_BINARY, .len = 4 },
	[VEIL_A_TLS_KEY_REC_SEQ] = { .type = NLA_U64 },
};

/* One field of the configuration: exactly @len bytes of @attr, or none. */
static int veil_nl_tls_field(struct genl_info *info, int type, u8 *dst, unsigned int len,
			     const char *msg)
{
	struct nlattr *attr = info->attrs[type];

	if (!len && !attr)
		return 0;
	if (!attr) {
		veil_nl_set_err(info->extack, info->attrs[VEIL_A_TLS_KEY_CIPHER], msg);
		return -EINVAL;
	}
	if (nla_len(attr) != len) {
		veil_nl_set_err(info->extack, attr, msg);
		return -EINVAL;
	}
	memcpy(dst, nla_data(attr), len);
	return 0;
}

/* The tls12_crypto_info_* structure the attributes describe. */
static int veil_nl_tls_info(struct genl_info *info, union veil_tls_crypto_info *ci,
			    unsigned int *len)
{
	struct nlattr **tb = info->attrs;
	const struct veil_tls_cipher_desc *cs;
	u8 *raw = (u8 *)ci;
	int err;

	if (!tb[VEIL_A_TLS_KEY_VERSION] || !tb[VEIL_A_TLS_KEY_CIPHER]) {
		NL_SET_ERR_MSG(info->extack, "version and cipher are required");
		return -EINVAL;
	}
	ci->info.version = nla_get_u16(tb[VEIL_A_TLS_KEY_VERSION]);
	ci->info.cipher_type = nla_get_u16(tb[VEIL_A_TLS_KEY_CIPHER]);
	if (ci->info.version != TLS_1_2_VERSION && ci->info.version != TLS_1_3_VERSION) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[VEIL_A_TLS_KEY_VERSION],
				    "version must be TLS 1.2 (0x0303) or TLS 1.3 (0x0304)");
		return -EINVAL;
	}
	cs = veil_tls_cipher_find(ci->info.cipher_type);
	if (!cs) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[VEIL_A_TLS_KEY_CIPHER],
				    "cipher must be aes-gcm-128 (51), aes-gcm-256 (52), aes-ccm-128 (53) or chacha20-poly1305 (54)");
		return -EINVAL;
	}
	err = veil_nl_tls_field(info, VEIL_A_TLS_KEY_KEY, raw + cs->key_off, cs->key_len,
				"key must have the cipher's length: 16 bytes for AES-128, 32 for AES-256 and ChaCha20");
	if (!err)
		err = veil_nl_tls_field(info, VEIL_A_TLS_KEY_IV, raw + cs->iv_off, cs->iv_len,
					"iv must be 8 bytes (12 for ChaCha20-Poly1305)");
	if (!err)
		err = veil_nl_tls_field(info, VEIL_A_TLS_KEY_SALT, raw + cs->salt_off,
					cs->salt_len,
					"salt must be 4 bytes for AES and absent for ChaCha20-Poly1305");
	if (err)
		return err;
	if (tb[VEIL_A_TLS_KEY_REC_SEQ])
		put_unaligned_be64(nla_get_u64(tb[VEIL_A_TLS_KEY_REC_SEQ]), raw + cs->seq_off);
	*len = cs->info_len;
	return 0;
}

int veil_nl_tls_key_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **tb = info->attrs;
	union veil_tls_crypto_info ci = {};
	struct socket *sock;
	unsigned int len;
	int err;

	if (!tb[VEIL_A_TLS_KEY_SOCK_FD] || !tb[VEIL_A_TLS_KEY_DIR]) {
		NL_SET_ERR_MSG(info->extack, "sock-fd and dir are required");
		return -EINVAL;
	}
	err = veil_nl_tls_info(info, &ci, &len);
	if (err)
		goto out;

	sock = sockfd_lookup(nla_get_u32(tb[VEIL_A_TLS_KEY_SOCK_FD]), &err);
	if (!sock) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[VEIL_A_TLS_KEY_SOCK_FD],
				    "sock-fd is not an open socket of the caller");
		goto out;
	}
	err = veil_tls_attach(sock, info->extack);
	if (!err) {
		lock_sock(sock->sk);
		err = veil_tls_set_key(sock->sk,
				       nla_get_u32(tb[VEIL_A_TLS_KEY_DIR]) == VEIL_TLS_DIR_TX,
				       &ci, len, info->extack);
		release_sock(sock->sk);
	}
	sockfd_put(sock);
out:
	memzero_explicit(&ci, sizeof(ci));
	return err;
}

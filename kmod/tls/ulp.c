// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The veil authors. All Rights Reserved.
 *
 * The TCP upper-layer protocol "veil": attaching to a socket, the kTLS
 * socket options (SOL_TLS: TLS_TX, TLS_RX, TLS_TX_ZEROCOPY_RO,
 * TLS_RX_EXPECT_NO_PAD), what ss shows, and letting go at close.
 *
 * Attaching swaps the socket's proto and proto_ops for copies whose
 * send, receive, poll and splice go through veil. The copies are made
 * once per address family from the first socket's, as TCP's own protos
 * for IPv6 are not exported; a socket whose proto is not that one (a
 * sockmap's, say) is refused rather than given a wrong copy.
 */

#include <linux/inet_diag.h>
#include <linux/module.h>
#include <net/inet_connection_sock.h>

#include "main.h"
#include "tls.h"

#define VEIL_TLS_ULP_NAME "veil"

static struct proto veil_tls_prots[2];
static struct proto_ops veil_tls_ops[2];
static const struct proto *veil_tls_base_prots[2];
static const struct proto_ops *veil_tls_base_opss[2];
/* Serialises building the copies; readers use acquire/release. */
static DEFINE_MUTEX(veil_tls_build_lock);

static struct tcp_ulp_ops veil_tls_ulp_ops;

static int veil_tls_idx(const struct sock *sk)
{
	return sk->sk_family == AF_INET6;
}

/**
 * veil_tls_base_ops() - the proto_ops veil's copy was made from
 * @sk: a socket veil is attached to
 *
 * Return: TCP's own socket operations for @sk's family.
 */
const struct proto_ops *veil_tls_base_ops(const struct sock *sk)
{
	return veil_tls_base_opss[veil_tls_idx(sk)];
}

static int veil_tls_setsockopt(struct sock *sk, int level, int optname,
			       sockptr_t optval, unsigned int optlen);
static int veil_tls_getsockopt(struct sock *sk, int level, int optname,
			       char __user *optval, int __user *optlen);
static void veil_tls_close(struct sock *sk, long timeout);

static int veil_tls_disconnect(struct sock *sk, int flags)
{
	/* A record stream cannot be carried over to another connection. */
	return -EOPNOTSUPP;
}

static bool veil_tls_sock_is_readable(struct sock *sk)
{
	struct veil_tls_rx *rx = READ_ONCE(veil_tls_ctx(sk)->rx);

	return rx && (READ_ONCE(rx->rec) || READ_ONCE(rx->ready) || READ_ONCE(rx->key_expired));
}

/* Make veil's proto and proto_ops for @sk's family, the first time. */
static int veil_tls_build(struct sock *sk)
{
	const struct proto *base = READ_ONCE(sk->sk_prot);
	int idx = veil_tls_idx(sk);
	struct proto *p = &veil_tls_prots[idx];
	struct proto_ops *o = &veil_tls_ops[idx];
	int err = 0;

	if (likely(base == smp_load_acquire(&veil_tls_base_prots[idx])))
		return 0;

	mutex_lock(&veil_tls_build_lock);
	if (veil_tls_base_prots[idx]) {
		err = base == veil_tls_base_prots[idx] ? 0 : -EOPNOTSUPP;
		goto out;
	}
	*p = *base;
	p->setsockopt = veil_tls_setsockopt;
	p->getsockopt = veil_tls_getsockopt;
	p->close = veil_tls_close;
	p->disconnect = veil_tls_disconnect;
	p->sendmsg = veil_tls_sendmsg;
	p->recvmsg = veil_tls_recvmsg;
	p->splice_eof = veil_tls_splice_eof;
	p->sock_is_readable = veil_tls_sock_is_readable;
#ifdef VEIL_HAVE_SENDPAGE
	p->sendpage = veil_tls_sendpage;
#endif

	*o = *sk->sk_socket->ops;
	o->poll = veil_tls_poll;
	o->splice_read = veil_tls_splice_read;
	o->splice_eof = veil_tls_splice_eof;
	o->shutdown = veil_tls_shutdown;
	veil_tls_base_opss[idx] = sk->sk_socket->ops;
	smp_store_release(&veil_tls_base_prots[idx], base);
out:
	mutex_unlock(&veil_tls_build_lock);
	return err;
}

/* tcp_set_ulp(), under the socket lock. */
static int veil_tls_ulp_init(struct sock *sk)
{
	struct veil_tls_ctx *ctx;
	int idx = veil_tls_idx(sk);
	int err;

	/*
	 * Records need a connection: not a listener, whose children would
	 * share this. CLOSE_WAIT too: a peer may send its request, its
	 * close_notify and its FIN right after its Finished, before the
	 * handshake's keys get here; what it sent is still to be read, and
	 * the answer still to be sent.
	 */
	if ((sk->sk_state != TCP_ESTABLISHED && sk->sk_state != TCP_CLOSE_WAIT) ||
	    !sk->sk_socket)
		return -ENOTCONN;
	err = veil_tls_build(sk);
	if (err)
		return err;

	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	ctx->sk = sk;
	ctx->sk_proto = sk->sk_prot;

	write_lock_bh(&sk->sk_callback_lock);
	rcu_assign_pointer(inet_csk(sk)->icsk_ulp_data, ctx);
	WRITE_ONCE(sk->sk_prot, &veil_tls_prots[idx]);
	WRITE_ONCE(sk->sk_socket->ops, &veil_tls_ops[idx]);
	write_unlock_bh(&sk->sk_callback_lock);
	return 0;
}

/*
 * What tcp_set_ulp() does, which is not exported, for a socket handed
 * over by descriptor. tcp_cleanup_ulp() drops the module reference when
 * the socket goes, as for one attached by setsockopt.
 */
static int veil_tls_ulp_attach_locked(struct sock *sk)
{
	int err;

	__module_get(THIS_MODULE);
	if (sk->sk_socket)
		clear_bit(SOCK_SUPPORT_ZC, &sk->sk_socket->flags);
	err = veil_tls_ulp_init(sk);
	if (err) {
		module_put(THIS_MODULE);
		return err;
	}
	inet_csk(sk)->icsk_ulp_ops = &veil_tls_ulp_ops;
	return 0;
}

static void veil_tls_close(struct sock *sk, long timeout)
{
	struct veil_tls_ctx *ctx = veil_tls_ctx(sk);
	struct veil_net *vn = veil_net(sock_net(sk));
	struct proto *base = ctx->sk_proto;

	lock_sock(sk);
	if (ctx->tx)
		veil_tls_tx_stop(sk, ctx);
	if (ctx->rx)
		veil_tls_rx_stop(sk, ctx);
	write_lock_bh(&sk->sk_callback_lock);
	rcu_assign_pointer(inet_csk(sk)->icsk_ulp_data, NULL);
	WRITE_ONCE(sk->sk_prot, base);
	write_unlock_bh(&sk->sk_callback_lock);
	release_sock(sk);

	if (ctx->tx) {
		/* The work item holds a socket reference while it is queued. */
		if (cancel_work_sync(&ctx->tx->work))
			sock_put(sk);
		if (ctx->tx->sk_write_space)
			veil_stat_add(vn, VEIL_A_NET_STATS_TLS_TX_CURRENT, -1);
	}
	if (ctx->rx && ctx->rx->sk_data_ready)
		veil_stat_add(vn, VEIL_A_NET_STATS_TLS_RX_CURRENT, -1);
	veil_tls_tx_free(ctx->tx);
	veil_tls_rx_free(ctx->rx);
	base->close(sk, timeout);
	/* get_info may still be reading it under RCU. */
	kfree_rcu(ctx, rcu);
}

/**
 * veil_tls_set_key() - install a direction's first key, or its next one
 * @sk: the socket, locked, with veil attached
 * @tx: the sending direction, else the receiving one
 * @ci: the configuration
 * @len: its size as the caller gave it
 * @extack: where to say why it is refused, or NULL (setsockopt)
 *
 * Both directions use one version and cipher, as the connection does. A
 * second key for a direction is a TLS 1.3 rekey (KeyUpdate): the record
 * the caller left open is sealed under the old key first.
 *
 * Return: 0, or a negative errno.
 */
int veil_tls_set_key(struct sock *sk, bool tx, const union veil_tls_crypto_info *ci,
		     unsigned int len, struct netlink_ext_ack *extack)
{
	struct veil_tls_ctx *ctx = veil_tls_ctx(sk);
	struct veil_net *vn = veil_net(sock_net(sk));
	const struct veil_tls_cipher_desc *cs;
	bool rekey;
	int err;

	if (ci->info.version != TLS_1_2_VERSION && ci->info.version != TLS_1_3_VERSION) {
		NL_SET_ERR_MSG_MOD(extack, "version must be TLS 1.2 (0x0303) or TLS 1.3 (0x0304)");
		return -EINVAL;
	}
	cs = veil_tls_cipher_find(ci->info.cipher_type);
	if (!cs) {
		NL_SET_ERR_MSG_MOD(extack,
				   "cipher must be AES-GCM-128, AES-GCM-256, AES-CCM-128 or ChaCha20-Poly1305");
		return -EINVAL;
	}
	if (len != cs->info_len) {
		NL_SET_ERR_MSG_MOD(extack, "the configuration's size does not match its cipher");
		return -EINVAL;
	}

	rekey = tx ? ctx->tx && ctx->tx->sk_write_space : ctx->rx && ctx->rx->sk_data_ready;
	if (ctx->version && (ci->info.version != ctx->version || cs != ctx->cipher)) {
		if (rekey)
			NL_SET_ERR_MSG_MOD(extack, "a new key must keep the version and cipher");
		else
			NL_SET_ERR_MSG_MOD(extack,
					   "both directions must use the same version and cipher");
		return -EINVAL;
	}
	if (rekey && ctx->version != TLS_1_3_VERSION) {
		NL_SET_ERR_MSG_MOD(extack, "only TLS 1.3 changes keys on a connection (KeyUpdate)");
		return -EINVAL;
	}

	if (rekey) {
		if (tx) {
			err = veil_tls_tx_seal_open(sk, ctx);
			if (err)
				return err;
		}
		err = veil_tls_crypt_key(tx ? &ctx->tx->c : &ctx->rx->c, cs, ci, tx);
		if (err) {
			NL_SET_ERR_MSG_MOD(extack, "the kernel crypto API refused the key");
			return err;
		}
		if (!tx)
			veil_tls_rx_rekeyed(sk, ctx);
		veil_stat_inc(vn, VEIL_A_NET_STATS_TLS_REKEYS);
		return 0;
	}

	if (tx && !ctx->tx)
		err = veil_tls_tx_init(sk, ctx);
	else if (!tx && !ctx->rx)
		err = veil_tls_rx_init(sk, ctx);
	else
		err = 0;
	if (err)
		return err;
	err = veil_tls_crypt_key(tx ? &ctx->tx->c : &ctx->rx->c, cs, ci, tx);
	if (err) {
		NL_SET_ERR_MSG_MOD(extack, "the kernel crypto API has no such AEAD or refused the key");
		return err;
	}
	ctx->version = ci->info.version;
	ctx->cipher = cs;
	if (tx) {
		veil_tls_tx_start(sk, ctx);
		veil_stat_inc(vn, VEIL_A_NET_STATS_TLS_TX_CURRENT);
		veil_stat_inc(vn, VEIL_A_NET_STATS_TLS_TX_TOTAL);
	} else {
		veil_tls_rx_start(sk, ctx);
		veil_stat_inc(vn, VEIL_A_NET_STATS_TLS_RX_CURRENT);
		veil_stat_inc(vn, VEIL_A_NET_STATS_TLS_RX_TOTAL);
	}
	return 0;
}

static int veil_tls_set_flag(struct sock *sk, sockptr_t optval, unsigned int optlen,
			     bool *flag, bool allowed)
{
	u32 val;

	if (sockptr_is_null(optval) || optlen < sizeof(val))
		return -EINVAL;
	if (copy_from_sockptr(&val, optval, sizeof(val)))
		return -EFAULT;
	if (val > 1)
		return -EINVAL;
	lock_sock(sk);
	if (allowed)
		*flag = val;
	release_sock(sk);
	return allowed ? 0 : -EINVAL;
}

static int veil_tls_setsockopt(struct sock *sk, int level, int optname,
			       sockptr_t optval, unsigned int optlen)
{
	struct veil_tls_ctx *ctx = veil_tls_ctx(sk);
	union veil_tls_crypto_info ci = {};
	int err;

	if (level != SOL_TLS)
		return ctx->sk_proto->setsockopt(sk, level, optname, optval, optlen);

	switch (optname) {
	case TLS_TX:
	case TLS_RX:
		if (sockptr_is_null(optval) || optlen < sizeof(ci.info) || optlen > sizeof(ci))
			return -EINVAL;
		if (copy_from_sockptr(&ci, optval, optlen))
			return -EFAULT;
		lock_sock(sk);
		err = veil_tls_set_key(sk, optname == TLS_TX, &ci, optlen, NULL);
		release_sock(sk);
		memzero_explicit(&ci, sizeof(ci));
		return err;
	case TLS_TX_ZEROCOPY_RO:
		/* veil always copies, so the promise only needs remembering. */
		return veil_tls_set_flag(sk, optval, optlen, &ctx->zerocopy_ro, true);
	case TLS_RX_EXPECT_NO_PAD:
		return veil_tls_set_flag(sk, optval, optlen, &ctx->rx_no_pad,
					 READ_ONCE(ctx->rx) && ctx->version == TLS_1_3_VERSION);
	default:
		return -ENOPROTOOPT;
	}
}

static int veil_tls_get_conf(struct sock *sk, bool tx, char __user *optval,
			     int __user *optlen)
{
	struct veil_tls_ctx *ctx = veil_tls_ctx(sk);
	union veil_tls_crypto_info ci = {};
	struct veil_tls_crypt *c = NULL;
	int len, err = 0;

	if (get_user(len, optlen))
		return -EFAULT;
	if (!optval || len < sizeof(ci.info))
		return -EINVAL;

	lock_sock(sk);
	if (tx && ctx->tx && ctx->tx->sk_write_space)
		c = &ctx->tx->c;
	else if (!tx && ctx->rx && ctx->rx->sk_data_ready)
		c = &ctx->rx->c;
	if (!c) {
		err = -EBUSY;
		goto out;
	}
	veil_tls_crypt_info(c, ctx->cipher, &ci);
	if (len == sizeof(ci.info)) {
		err = copy_to_user(optval, &ci.info, sizeof(ci.info)) ? -EFAULT : 0;
		goto out;
	}
	if (len != ctx->cipher->info_len) {
		err = -EINVAL;
		goto out;
	}
	if (copy_to_user(optval, &ci, len))
		err = -EFAULT;
out:
	release_sock(sk);
	memzero_explicit(&ci, sizeof(ci));
	return err;
}

static int veil_tls_get_flag(bool flag, char __user *optval, int __user *optlen)
{
	int len, val = flag;

	if (get_user(len, optlen))
		return -EFAULT;
	if (len < sizeof(val))
		return -EINVAL;
	if (put_user(sizeof(val), optlen) || copy_to_user(optval, &val, sizeof(val)))
		return -EFAULT;
	return 0;
}

static int veil_tls_getsockopt(struct sock *sk, int level, int optname,
			       char __user *optval, int __user *optlen)
{
	struct veil_tls_ctx *ctx = veil_tls_ctx(sk);

	if (level != SOL_TLS)
		return ctx->sk_proto->getsockopt(sk, level, optname, optval, optlen);

	switch (optname) {
	case TLS_TX:
	case TLS_RX:
		return veil_tls_get_conf(sk, optname == TLS_TX, optval, optlen);
	case TLS_TX_ZEROCOPY_RO:
		return veil_tls_get_flag(READ_ONCE(ctx->zerocopy_ro), optval, optlen);
	case TLS_RX_EXPECT_NO_PAD:
		return veil_tls_get_flag(READ_ONCE(ctx->rx_no_pad), optval, optlen);
	default:
		return -ENOPROTOOPT;
	}
}

/* ss -ti: what kTLS reports, so ss prints it the same way. */
static int veil_tls_get_info(struct sock *sk, struct sk_buff *skb)
{
	struct veil_tls_ctx *ctx;
	struct nlattr *nest;
	int err = -EMSGSIZE;

	nest = nla_nest_start_noflag(skb, INET_ULP_INFO_TLS);
	if (!nest)
		return -EMSGSIZE;
	rcu_read_lock();
	ctx = rcu_dereference(inet_csk(sk)->icsk_ulp_data);
	if (ctx) {
		u16 version = READ_ONCE(ctx->version);
		const struct veil_tls_cipher_desc *cs = READ_ONCE(ctx->cipher);
		bool tx = READ_ONCE(ctx->tx), rx = READ_ONCE(ctx->rx);

		if ((version && nla_put_u16(skb, TLS_INFO_VERSION, version)) ||
		    (cs && nla_put_u16(skb, TLS_INFO_CIPHER, cs->type)) ||
		    nla_put_u16(skb, TLS_INFO_TXCONF, tx ? TLS_CONF_SW : TLS_CONF_BASE) ||
		    nla_put_u16(skb, TLS_INFO_RXCONF, rx ? TLS_CONF_SW : TLS_CONF_BASE) ||
		    /* No TLS_INFO_ZC_RO_TX: as kTLS's software path, veil copies. */
		    (READ_ONCE(ctx->rx_no_pad) && nla_put_flag(skb, TLS_INFO_RX_NO_PAD)))
			goto out;
	}
	err = 0;
out:
	rcu_read_unlock();
	if (err)
		nla_nest_cancel(skb, nest);
	else
		nla_nest_end(skb, nest);
	return err;
}

static size_t veil_tls_get_info_size(const struct sock *sk)
{
	return nla_total_size(0) +		/* INET_ULP_INFO_TLS */
	       4 * nla_total_size(sizeof(u16)) +	/* version, cipher, tx/rx conf */
	       nla_total_size(0);		/* TLS_INFO_RX_NO_PAD */
}

static struct tcp_ulp_ops veil_tls_ulp_ops __read_mostly = {
	.name = VEIL_TLS_ULP_NAME,
	.owner = THIS_MODULE,
	.init = veil_tls_ulp_init,
	.get_info = veil_tls_get_info,
	.get_info_size = veil_tls_get_info_size,
};

/**
 * veil_tls_attach() - attach veil to a socket handed over by descriptor
 * @sock: a socket, not locked
 * @extack: where to say why not
 *
 * The same as setsockopt(SOL_TCP, TCP_ULP, "veil") when the socket has
 * no upper-layer protocol yet; nothing when it has veil already.
 *
 * Return: 0, or a negative errno.
 */
int veil_tls_attach(struct socket *sock, struct netlink_ext_ack *extack)
{
	struct sock *sk = sock->sk;
	const struct tcp_ulp_ops *ulp;
	int err;

	if (sk->sk_protocol != IPPROTO_TCP || sk->sk_type != SOCK_STREAM ||
	    (sk->sk_family != AF_INET && sk->sk_family != AF_INET6)) {
		NL_SET_ERR_MSG_MOD(extack, "sock-fd is not a TCP socket");
		return -EPROTONOSUPPORT;
	}
	lock_sock(sk);
	ulp = inet_csk(sk)->icsk_ulp_ops;
	err = ulp ? (ulp == &veil_tls_ulp_ops ? 0 : -EEXIST) : veil_tls_ulp_attach_locked(sk);
	release_sock(sk);
	if (err == -EEXIST)
		NL_SET_ERR_MSG_MOD(extack, "sock-fd carries another upper-layer protocol (kTLS?)");
	else if (err == -ENOTCONN)
		NL_SET_ERR_MSG_MOD(extack, "sock-fd is not a connected TCP socket");
	else if (err == -EOPNOTSUPP)
		NL_SET_ERR_MSG_MOD(extack, "sock-fd's protocol was replaced by another (sockmap?)");
	else if (err)
		NL_SET_ERR_MSG_MOD(extack, "could not attach veil to sock-fd");
	return err;
}

int __init veil_tls_init(void)
{
	return tcp_register_ulp(&veil_tls_ulp_ops);
}

void veil_tls_uninit(void)
{
	tcp_unregister_ulp(&veil_tls_ulp_ops);
}

MODULE_ALIAS_TCP_ULP(VEIL_TLS_ULP_NAME);

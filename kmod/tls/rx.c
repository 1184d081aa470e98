// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The veil authors. All Rights Reserved.
 *
 * Receiving: records are taken out of TCP's receive queue as their bytes
 * arrive, header first, into pages of their own; once whole, a record is
 * authenticated and decrypted in place, and read from there (recvmsg,
 * splice). The header is checked as soon as its five bytes are in, so a
 * bad one fails the socket at once instead of waiting for a length that
 * never comes.
 *
 * The socket lock covers all of it: the owner's reads, and TCP's softirq
 * side, whose data_ready notes in rx->ready whether a record is whole so
 * that poll can answer without walking the queue. The one look without
 * the lock, a sleeping reader's wake-up condition, reads rx->ready and
 * nothing else.
 */

#include <linux/pipe_fs_i.h>
#include <linux/splice.h>

#include "main.h"
#include "tls.h"

#define VEIL_TLS_HANDSHAKE_KEY_UPDATE	24

/* tcp_read_sock() actor: the next record's header bytes into rx->hdr. */
static int veil_tls_rx_hdr_actor(read_descriptor_t *desc, struct sk_buff *skb,
				 unsigned int offset, size_t len)
{
	struct veil_tls_rx *rx = desc->arg.data;
	unsigned int n = min_t(size_t, len, desc->count);

	if (skb_copy_bits(skb, offset, rx->hdr + rx->hdr_len, n))
		return -EFAULT;
	rx->hdr_len += n;
	desc->count -= n;
	return n;
}

/*
 * The next record's header, taken out of TCP's queue into rx->hdr as its
 * bytes come. Not left there until all five are in: the skb holding the
 * first of them may be charged to the socket in full (64 KB and more on
 * loopback) after the record before it was taken, closing TCP's window
 * with the rest of the header still to come: a deadlock.
 *
 * Return: 1 with the record's length, header included, in @total; 0 while
 * fewer than five bytes are in; -EBADMSG when the header can only be wrong.
 */
static int veil_tls_rx_header(struct sock *sk, struct veil_tls_ctx *ctx, unsigned int *total)
{
	bool tls13 = ctx->version == TLS_1_3_VERSION;
	struct veil_tls_rx *rx = ctx->rx;
	unsigned int len, min, max;
	u8 *hdr = rx->hdr;

	if (rx->hdr_len < VEIL_TLS_HEADER_LEN) {
		read_descriptor_t desc = { .arg.data = rx };
		int inq = tcp_inq(sk);

		if (inq <= 0)
			return 0;
		desc.count = min_t(unsigned int, inq, VEIL_TLS_HEADER_LEN - rx->hdr_len);
		tcp_read_sock(sk, &desc, veil_tls_rx_hdr_actor);
		if (rx->hdr_len < VEIL_TLS_HEADER_LEN)
			return 0;
	}
	/* Every protected record says 3.3 (RFC 8446 5.1, RFC 5246 6.2.1). */
	if (hdr[1] != 3 || hdr[2] != 3)
		return -EBADMSG;
	if (tls13 ? hdr[0] != VEIL_TLS_TYPE_DATA :
	    hdr[0] < VEIL_TLS_TYPE_CCS || hdr[0] > VEIL_TLS_TYPE_DATA)
		return -EBADMSG;
	len = get_unaligned_be16(hdr + 3);
	/* The smallest record: explicit nonce, tag and, for 1.3, the type. */
	min = veil_tls_overhead(ctx) - VEIL_TLS_HEADER_LEN;
	max = tls13 ? VEIL_TLS13_MAX_CIPHER : VEIL_TLS_MAX_PLAIN + min;
	if (len < min || len > max)
		return -EBADMSG;
	*total = VEIL_TLS_HEADER_LEN + len;
	return 1;
}

/* The socket has failed: every read from now on says why. */
static int veil_tls_rx_fail(struct sock *sk, struct veil_tls_ctx *ctx, int err)
{
	struct veil_tls_rx *rx = ctx->rx;

	if (!rx->err) {
		WRITE_ONCE(rx->err, err);
		if (err == -EBADMSG)
			veil_stat_inc(veil_net(sock_net(sk)), VEIL_A_NET_STATS_TLS_DECRYPT_ERRORS);
		WRITE_ONCE(sk->sk_err, -err);
		sk_error_report(sk);
	}
	return err;
}

/**
 * struct veil_tls_rx_copy - where tcp_read_sock() puts a record
 * @rec: the record's own buffer
 * @pos: bytes put so far
 */
struct veil_tls_rx_copy {
	struct sk_buff *rec;
	unsigned int pos;
};

static int veil_tls_rx_actor(read_descriptor_t *desc, struct sk_buff *skb,
			     unsigned int offset, size_t len)
{
	struct veil_tls_rx_copy *st = desc->arg.data;
	struct skb_shared_info *shinfo = skb_shinfo(st->rec);
	unsigned int n = min_t(size_t, len, desc->count), done = 0, start = 0;
	int i;

	/* The record's pages were allocated by veil: lowmem, addressable. */
	for (i = 0; i < shinfo->nr_frags && done < n; i++) {
		skb_frag_t *frag = &shinfo->frags[i];
		unsigned int end = start + skb_frag_size(frag);

		if (st->pos < end) {
			unsigned int k = min(n - done, end - st->pos);

			if (skb_copy_bits(skb, offset + done,
					  skb_frag_address(frag) + (st->pos - start), k))
				return -EFAULT;
			done += k;
			st->pos += k;
		}
		start = end;
	}
	desc->count -= done;
	return done;
}

/**
 * veil_tls_rx_pull() - move what TCP has of the next record into its buffer
 * @sk: the socket, owned by the caller or bh-locked in softirq
 * @ctx: its context, with a receiving half
 * @gfp: how to allocate the record's buffer
 *
 * Records leave TCP's queue as their bytes arrive rather than once whole:
 * a record may be larger than what TCP's receive buffer lets the peer
 * send before the reader takes some (on loopback, whose 64 KB segments
 * need a window of as much, certainly), and TCP only opens its window as
 * bytes are taken.
 *
 * Return: 1 when a whole record is in its buffer, 0 when more must come,
 * or a negative errno (-EBADMSG for a bad header, -ENOMEM).
 */
static int veil_tls_rx_pull(struct sock *sk, struct veil_tls_ctx *ctx, gfp_t gfp)
{
	struct veil_tls_rx *rx = ctx->rx;
	struct veil_tls_rx_copy st;
	read_descriptor_t desc = {};
	unsigned int total;
	int ret, inq;

	if (rx->err)
		return rx->err;
	if (rx->part && rx->part_len == rx->part->len)
		return 1;
	inq = tcp_inq(sk);
	if (!rx->part) {
		ret = veil_tls_rx_header(sk, ctx, &total);
		if (ret <= 0)
			return ret;
		rx->part = alloc_skb_with_frags(0, total, PAGE_ALLOC_COSTLY_ORDER, &ret, gfp);
		if (!rx->part)
			return -ENOMEM;
		rx->part->len = total;
		rx->part->data_len = total;
		/* The header, already out of TCP's queue, leads the record. */
		if (skb_store_bits(rx->part, 0, rx->hdr, VEIL_TLS_HEADER_LEN)) {
			kfree_skb(rx->part);
			rx->part = NULL;
			return -EIO;
		}
		rx->part_len = VEIL_TLS_HEADER_LEN;
		rx->hdr_len = 0;
		inq = tcp_inq(sk);
	}
	if (inq > 0) {
		st.rec = rx->part;
		st.pos = rx->part_len;
		desc.arg.data = &st;
		desc.count = min_t(unsigned int, inq, rx->part->len - rx->part_len);
		ret = tcp_read_sock(sk, &desc, veil_tls_rx_actor);
		if (ret > 0)
			rx->part_len += ret;
	}
	return rx->part_len == rx->part->len;
}

/* Pull, and note for poll whether a read would return at once. */
static void veil_tls_rx_update(struct sock *sk, struct veil_tls_ctx *ctx, gfp_t gfp)
{
	int ret = veil_tls_rx_pull(sk, ctx, gfp);

	if (ret == -EBADMSG)
		veil_tls_rx_fail(sk, ctx, ret);
	/* On -ENOMEM too: the read retries with GFP_KERNEL. */
	WRITE_ONCE(ctx->rx->ready, ret != 0);
}

/* TLS 1.3: the content type is the last non-zero byte (RFC 8446 5.4). */
static int veil_tls_rx_unpad(struct sk_buff *rec, unsigned int off, unsigned int len,
			     u8 *type, unsigned int *content)
{
	u8 buf[64];

	while (len) {
		unsigned int n = min_t(unsigned int, len, sizeof(buf));
		int i;

		if (skb_copy_bits(rec, off + len - n, buf, n))
			return -EFAULT;
		for (i = n - 1; i >= 0; i--) {
			if (buf[i]) {
				*type = buf[i];
				*content = len - n + i;
				return 0;
			}
		}
		len -= n;
	}
	return -EBADMSG;
}

/* Whether a handshake record carries a KeyUpdate (RFC 8446 4.6.3). */
static bool veil_tls_rx_key_update(struct sk_buff *rec, unsigned int off, unsigned int len)
{
	unsigned int pos = 0;
	u8 hs[4];

	while (pos + sizeof(hs) <= len) {
		if (skb_copy_bits(rec, off + pos, hs, sizeof(hs)))
			return false;
		if (hs[0] == VEIL_TLS_HANDSHAKE_KEY_UPDATE)
			return true;
		pos += sizeof(hs) + ((hs[1] << 16) | (hs[2] << 8) | hs[3]);
	}
	return false;
}

/* Decrypt the whole record rx->part holds; it becomes the one read. */
static int veil_tls_rx_decrypt(struct sock *sk, struct veil_tls_ctx *ctx)
{
	struct veil_tls_rx *rx = ctx->rx;
	struct veil_tls_crypt *c = &rx->c;
	struct sk_buff *rec = rx->part;
	unsigned int total = rec->len;
	unsigned int prefix = veil_tls_prefix(ctx), cipher_len = total - prefix;
	unsigned int plain = cipher_len - VEIL_TLS_TAG_LEN, content = plain;
	bool tls13 = ctx->version == TLS_1_3_VERSION;
	u8 hdr[VEIL_TLS_HEADER_LEN + 8], type;
	unsigned int aad_len = tls13 ? VEIL_TLS_HEADER_LEN : 13;
	int err;

	rx->part = NULL;
	if (skb_copy_bits(rec, 0, hdr, prefix)) {
		kfree_skb(rec);
		return veil_tls_rx_fail(sk, ctx, -EIO);
	}
	veil_tls_record_params(ctx, c, hdr[0], plain, hdr + VEIL_TLS_HEADER_LEN);
	sg_init_table(c->sg, ARRAY_SIZE(c->sg));
	sg_set_buf(&c->sg[0], c->aad, aad_len);
	err = skb_to_sgvec(rec, &c->sg[1], prefix, cipher_len);
	if (err < 0) {
		kfree_skb(rec);
		return veil_tls_rx_fail(sk, ctx, -EIO);
	}
	err = veil_tls_crypt_run(c, false, aad_len, cipher_len);
	if (err) {
		kfree_skb(rec);
		return veil_tls_rx_fail(sk, ctx, err == -EBADMSG ? err : -EIO);
	}
	veil_tls_seq_advance(c, hdr + VEIL_TLS_HEADER_LEN);

	type = hdr[0];
	if (tls13) {
		err = veil_tls_rx_unpad(rec, prefix, plain, &type, &content);
		if (err || type < VEIL_TLS_TYPE_ALERT || type > VEIL_TLS_TYPE_DATA) {
			kfree_skb(rec);
			return veil_tls_rx_fail(sk, ctx, -EBADMSG);
		}
	}
	/* RFC 5246 6.2.1, RFC 8446 5.1: only data may come in empty records. */
	if (content > VEIL_TLS_MAX_PLAIN || (!content && type != VEIL_TLS_TYPE_DATA)) {
		kfree_skb(rec);
		return veil_tls_rx_fail(sk, ctx, -EBADMSG);
	}
	if (tls13 && type == VEIL_TLS_TYPE_HANDSHAKE &&
	    veil_tls_rx_key_update(rec, prefix, content))
		rx->key_expired = true;

	rx->rec_type = type;
	rx->rec_off = prefix;
	rx->rec_left = content;
	WRITE_ONCE(rx->rec, rec);
	veil_tls_rx_update(sk, ctx, GFP_KERNEL);
	return 0;
}

/*
 * Wait until a record is whole. Return: 1 then, 0 at the end of the
 * stream, or a negative errno.
 */
static int veil_tls_rx_wait(struct sock *sk, struct veil_tls_ctx *ctx, long *timeo)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	struct veil_tls_rx *rx = ctx->rx;
	int ret;

	add_wait_queue(sk_sleep(sk), &wait);
	for (;;) {
		ret = veil_tls_rx_pull(sk, ctx, GFP_KERNEL);
		/* What the condition below reads, as data_ready would set it. */
		WRITE_ONCE(rx->ready, ret != 0);
		if (ret)
			break;
		if (sk->sk_err) {
			ret = sock_error(sk);
			break;
		}
		if (sk->sk_shutdown & RCV_SHUTDOWN) {
			/* A stream that ends inside a record was cut short. */
			ret = sock_flag(sk, SOCK_DONE) &&
			      (rx->part || rx->hdr_len || tcp_inq(sk) > 0) ?
			      -EBADMSG : 0;
			break;
		}
		if (!*timeo) {
			ret = -EAGAIN;
			break;
		}
		if (signal_pending(current)) {
			ret = sock_intr_errno(*timeo);
			break;
		}
		/*
		 * sk_wait_event() tests its condition once after release_sock(),
		 * without the lock, while softirq may be in data_ready on another
		 * CPU: the condition only reads what data_ready leaves (it pulls
		 * under the lock), and the loop pulls again once the lock is back.
		 */
		sk_wait_event(sk, timeo, READ_ONCE(rx->ready) || READ_ONCE(sk->sk_err) ||
			      (READ_ONCE(sk->sk_shutdown) & RCV_SHUTDOWN), &wait);
	}
	remove_wait_queue(sk_sleep(sk), &wait);
	return ret;
}

/*
 * Make the next record the one being read. Return: 1 when there is one,
 * 0 at the end of the stream, or a negative errno.
 */
static int veil_tls_rx_next(struct sock *sk, struct veil_tls_ctx *ctx, long *timeo)
{
	struct veil_tls_rx *rx = ctx->rx;
	int ret;

	if (rx->err)
		return rx->err;
	if (rx->key_expired)
		return -EKEYEXPIRED;
	ret = veil_tls_rx_wait(sk, ctx, timeo);
	if (ret == -EBADMSG)
		return veil_tls_rx_fail(sk, ctx, ret);
	if (ret <= 0)
		return ret;
	if (rx->c.used_up)
		return -EKEYEXPIRED;
	ret = veil_tls_rx_decrypt(sk, ctx);
	return ret ? ret : 1;
}

/* The record being read is done with. */
static void veil_tls_rx_consume(struct veil_tls_rx *rx, unsigned int n)
{
	rx->rec_off += n;
	rx->rec_left -= n;
	if (!rx->rec_left) {
		consume_skb(rx->rec);
		WRITE_ONCE(rx->rec, NULL);
	}
}

/**
 * veil_tls_recvmsg() - the socket's recvmsg once veil is attached
 * @sk: the socket
 * @msg: where the plaintext goes; a non-data record's type goes into a
 *	TLS_GET_RECORD_TYPE cmsg, which the caller must have room for
 * @len: room in @msg
 * @flags: MSG_DONTWAIT, MSG_PEEK, MSG_WAITALL
 * @addr_len: unused, as for TCP
 *
 * Data records are read as a stream, as many as are whole; a non-data
 * record is returned alone, never mixed with data.
 *
 * Return: bytes read, 0 at the end of the stream, or a negative errno:
 * EBADMSG for a record that failed (and every read after), EKEYEXPIRED
 * after a KeyUpdate until the next key, EIO for a non-data record with
 * no room for its type.
 */
int veil_tls_recvmsg(struct sock *sk, struct msghdr *msg, size_t len, int flags,
		     int *addr_len)
{
	struct veil_tls_ctx *ctx = veil_tls_ctx(sk);
	struct veil_tls_rx *rx;
	size_t copied = 0;
	u8 first = 0;
	long timeo;
	int ret = 0;

	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (flags & MSG_ERRQUEUE)
		return ctx->sk_proto->recvmsg(sk, msg, len, flags, addr_len);

	lock_sock(sk);
	rx = ctx->rx;
	if (!rx) {
		release_sock(sk);
		return ctx->sk_proto->recvmsg(sk, msg, len, flags, addr_len);
	}
	timeo = sock_rcvtimeo(sk, flags & MSG_DONTWAIT);
	while (copied < len) {
		unsigned int n;
		u8 type;

		if (!rx->rec) {
			/* After data, only records already whole, unless WAITALL. */
			long nowait = 0;

			ret = veil_tls_rx_next(sk, ctx, copied && !(flags & MSG_WAITALL) ?
						   &nowait : &timeo);
			if (ret <= 0)
				break;
		}
		type = rx->rec_type;
		if (!first) {
			first = type;
			ret = put_cmsg(msg, SOL_TLS, TLS_GET_RECORD_TYPE, sizeof(type), &type);
			if (type != VEIL_TLS_TYPE_DATA && (ret || (msg->msg_flags & MSG_CTRUNC))) {
				ret = -EIO;
				break;
			}
			ret = 0;
		} else if (type != first || type != VEIL_TLS_TYPE_DATA) {
			break;
		}
		n = min_t(size_t, len - copied, rx->rec_left);
		ret = skb_copy_datagram_msg(rx->rec, rx->rec_off, msg, n);
		if (ret)
			break;
		copied += n;
		if (flags & MSG_PEEK)
			break;
		veil_tls_rx_consume(rx, n);
		if (type != VEIL_TLS_TYPE_DATA)
			break;
	}
	release_sock(sk);
	/* Bytes read come first; an error or the end shows on the next call. */
	return copied ? copied : ret;
}

/**
 * veil_tls_splice_read() - splice plaintext out of the socket
 * @sock: the socket
 * @ppos: unused, as for TCP
 * @pipe: where it goes
 * @len: at most this much
 * @flags: SPLICE_F_NONBLOCK
 *
 * Return: bytes spliced from one data record, 0 at the end of the stream,
 * or a negative errno (EINVAL for a non-data record, which needs
 * recvmsg for its type).
 */
ssize_t veil_tls_splice_read(struct socket *sock, loff_t *ppos,
			     struct pipe_inode_info *pipe, size_t len, unsigned int flags)
{
	struct sock *sk = sock->sk;
	struct veil_tls_ctx *ctx = veil_tls_ctx(sk);
	struct veil_tls_rx *rx;
	long timeo;
	int ret;

	lock_sock(sk);
	rx = ctx->rx;
	if (!rx) {
		release_sock(sk);
		return veil_tls_base_ops(sk)->splice_read(sock, ppos, pipe, len, flags);
	}
	timeo = sock_rcvtimeo(sk, (sock->file->f_flags & O_NONBLOCK) ||
				  (flags & SPLICE_F_NONBLOCK));
	/* Empty data records (allowed in both versions) splice nothing. */
	while (!rx->rec || (!rx->rec_left && rx->rec_type == VEIL_TLS_TYPE_DATA)) {
		if (rx->rec)
			veil_tls_rx_consume(rx, 0);
		ret = veil_tls_rx_next(sk, ctx, &timeo);
		if (ret <= 0)
			goto out;
	}
	if (rx->rec_type != VEIL_TLS_TYPE_DATA) {
		ret = -EINVAL;
		goto out;
	}
	ret = skb_splice_bits(rx->rec, sk, rx->rec_off, pipe,
			      min_t(size_t, len, rx->rec_left), flags);
	if (ret > 0)
		veil_tls_rx_consume(rx, ret);
out:
	release_sock(sk);
	return ret;
}

/**
 * veil_tls_poll() - readable only when a whole record can be read
 * @file: the socket's file
 * @sock: the socket
 * @wait: poll table
 *
 * Return: TCP's mask, with EPOLLIN as the record layer sees it.
 */
__poll_t veil_tls_poll(struct file *file, struct socket *sock, struct poll_table_struct *wait)
{
	struct sock *sk = sock->sk;
	struct veil_tls_ctx *ctx = veil_tls_ctx(sk);
	__poll_t mask = veil_tls_base_ops(sk)->poll(file, sock, wait);
	struct veil_tls_rx *rx = READ_ONCE(ctx->rx);

	if (!rx || (READ_ONCE(sk->sk_shutdown) & RCV_SHUTDOWN))
		return mask;
	mask &= ~(EPOLLIN | EPOLLRDNORM);
	/* A read would not wait: a record, a failure, or a key to replace. */
	if (READ_ONCE(rx->rec) || READ_ONCE(rx->ready) || READ_ONCE(rx->err) ||
	    READ_ONCE(rx->key_expired))
		mask |= EPOLLIN | EPOLLRDNORM;
	return mask;
}

static void veil_tls_data_ready(struct sock *sk)
{
	struct veil_tls_ctx *ctx = veil_tls_ctx(sk);
	struct veil_tls_rx *rx;

	/* Only between close giving data_ready back and a racing caller. */
	if (unlikely(!ctx || !ctx->rx))
		return;
	rx = ctx->rx;
	/*
	 * Softirq with the socket bh-locked, or its owner's release_sock():
	 * either way nobody else is in the receive path.
	 */
	veil_tls_rx_update(sk, ctx, GFP_ATOMIC);
	/* Readers care for whole records; a part of one wakes nobody. */
	if (rx->ready || sock_flag(sk, SOCK_DONE) || (sk->sk_shutdown & RCV_SHUTDOWN))
		rx->sk_data_ready(sk);
}

/**
 * veil_tls_rx_init() - give @ctx its receiving half
 * @sk: the socket, locked, with veil attached
 * @ctx: its context
 *
 * Return: 0 or -ENOMEM. The key is set next, then veil_tls_rx_start().
 */
int veil_tls_rx_init(struct sock *sk, struct veil_tls_ctx *ctx)
{
	struct veil_tls_rx *rx = kzalloc(sizeof(*rx), GFP_KERNEL);

	if (!rx)
		return -ENOMEM;
	ctx->rx = rx;
	return 0;
}

/**
 * veil_tls_rx_start() - read records from now on
 * @sk: the socket, locked
 * @ctx: its context, with a keyed receiving half
 *
 * Records that arrived before the key are read too; a reader waiting in
 * poll is told at once when one is whole.
 */
void veil_tls_rx_start(struct sock *sk, struct veil_tls_ctx *ctx)
{
	struct veil_tls_rx *rx = ctx->rx;

	write_lock_bh(&sk->sk_callback_lock);
	rx->sk_data_ready = sk->sk_data_ready;
	sk->sk_data_ready = veil_tls_data_ready;
	write_unlock_bh(&sk->sk_callback_lock);
	veil_tls_rx_update(sk, ctx, GFP_KERNEL);
	if (rx->ready)
		rx->sk_data_ready(sk);
}

/**
 * veil_tls_rx_rekeyed() - a new receive key is in
 * @sk: the socket, locked
 * @ctx: its context
 */
void veil_tls_rx_rekeyed(struct sock *sk, struct veil_tls_ctx *ctx)
{
	ctx->rx->key_expired = false;
	veil_tls_rx_update(sk, ctx, GFP_KERNEL);
	if (ctx->rx->ready)
		ctx->rx->sk_data_ready(sk);
}

/**
 * veil_tls_rx_stop() - give TCP its data_ready back, at close
 * @sk: the socket, locked
 * @ctx: its context, with a receiving half
 */
void veil_tls_rx_stop(struct sock *sk, struct veil_tls_ctx *ctx)
{
	struct veil_tls_rx *rx = ctx->rx;

	if (!rx->sk_data_ready)
		return;
	write_lock_bh(&sk->sk_callback_lock);
	sk->sk_data_ready = rx->sk_data_ready;
	write_unlock_bh(&sk->sk_callback_lock);
}

/**
 * veil_tls_rx_free() - free a receiving half, wiping its key
 * @rx: the receiving half, or NULL
 */
void veil_tls_rx_free(struct veil_tls_rx *rx)
{
	if (!rx)
		return;
	kfree_skb(rx->rec);
	kfree_skb(rx->part);
	veil_tls_crypt_free(&rx->c);
	kfree_sensitive(rx);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The veil authors. All Rights Reserved.
 *
 * Sending: what the caller writes (sendmsg, sendfile, splice) is copied
 * into the pages of one open record; the record is closed when it holds
 * 2^14 bytes or the caller is done (no MSG_MORE), encrypted in place and
 * handed to TCP by page reference, without a further copy.
 *
 * A record TCP cannot take whole (a non-blocking socket with a full send
 * buffer) stays sealed in struct veil_tls_rec; the next send, or the work
 * item once TCP has room, hands TCP the rest. Nothing new is framed until
 * it is gone, so records leave in order.
 */

#include <linux/highmem.h>
#include <linux/uio.h>
#include <linux/workqueue.h>

#include "main.h"
#include "tls.h"

/* Where byte @off of the record's entry @sg is; page frags are lowmem. */
static u8 *veil_tls_sg_ptr(struct scatterlist *sg, unsigned int off)
{
	return (u8 *)page_address(sg_page(sg)) + sg->offset + off;
}

/*
 * Make the record longer by up to @want bytes at its end, from the
 * socket's page fragment; the new bytes are the tail of the last entry.
 * Return: how many bytes were added, or -ENOMEM.
 */
static int veil_tls_rec_grow(struct sock *sk, struct veil_tls_rec *rec, unsigned int want)
{
	struct page_frag *pfrag = sk_page_frag(sk);
	struct scatterlist *last = rec->nsg ? &rec->sg[rec->nsg - 1] : NULL;
	unsigned int n;

	if (!sk_page_frag_refill(sk, pfrag))
		return -ENOMEM;
	n = min_t(unsigned int, want, pfrag->size - pfrag->offset);
	if (last && sg_page(last) == pfrag->page &&
	    last->offset + last->length == pfrag->offset) {
		last->length += n;
	} else {
		/* The last two entries are kept for the type byte and the tag. */
		if (rec->nsg >= VEIL_TLS_REC_SG - (rec->sealing ? 0 : 2))
			return -ENOSPC;
		sg_set_page(&rec->sg[rec->nsg++], pfrag->page, n, pfrag->offset);
		get_page(pfrag->page);
	}
	pfrag->offset += n;
	rec->len += n;
	return n;
}

/* Give back the last @n bytes of the record (a copy that faulted). */
static void veil_tls_rec_trim(struct veil_tls_rec *rec, unsigned int n)
{
	while (n) {
		struct scatterlist *last = &rec->sg[rec->nsg - 1];
		unsigned int k = min(n, last->length);

		last->length -= k;
		rec->len -= k;
		n -= k;
		if (!last->length) {
			put_page(sg_page(last));
			rec->nsg--;
		}
	}
}

/* Drop the record's pages from entry @from on; the record is empty again. */
static void veil_tls_rec_release(struct veil_tls_rec *rec, unsigned int from)
{
	unsigned int i;

	for (i = from; i < rec->nsg; i++)
		put_page(sg_page(&rec->sg[i]));
	rec->nsg = 0;
	rec->len = 0;
	rec->sealed = false;
	rec->sent_sg = 0;
	rec->sent_off = 0;
}

/*
 * Append @n bytes from @from to the record. Return: bytes appended, which
 * is @n unless memory ran short (-ENOMEM when none were) or the copy
 * faulted (-EFAULT when none were).
 */
static int veil_tls_rec_fill(struct sock *sk, struct veil_tls_rec *rec,
			     struct iov_iter *from, unsigned int n)
{
	unsigned int done = 0;

	while (done < n) {
		struct scatterlist *last;
		size_t copied;
		int got;

		got = veil_tls_rec_grow(sk, rec, n - done);
		if (got < 0)
			return done ? done : got;
		last = &rec->sg[rec->nsg - 1];
		copied = copy_page_from_iter(sg_page(last),
					     last->offset + last->length - got, got, from);
		done += copied;
		if (copied < got) {
			veil_tls_rec_trim(rec, got - copied);
			return done ? done : -EFAULT;
		}
	}
	return done;
}

/* Append @n bytes to the record, to be written by the caller (tail, tag). */
static int veil_tls_rec_reserve(struct sock *sk, struct veil_tls_rec *rec, unsigned int n)
{
	while (n) {
		int got = veil_tls_rec_grow(sk, rec, n);

		if (got < 0)
			return got;
		n -= got;
	}
	return 0;
}

/* Start a record of @type: its header and explicit nonce, filled at sealing. */
static int veil_tls_rec_open(struct sock *sk, struct veil_tls_ctx *ctx, u8 type)
{
	struct veil_tls_rec *rec = &ctx->tx->rec;
	int got;

	/* A refilled fragment has 32 bytes or more: the prefix is contiguous. */
	got = veil_tls_rec_grow(sk, rec, veil_tls_prefix(ctx));
	if (got < 0)
		return got;
	if (got < veil_tls_prefix(ctx)) {
		veil_tls_rec_release(rec, 0);
		return -ENOMEM;
	}
	rec->type = type;
	return 0;
}

static unsigned int veil_tls_rec_plain(const struct veil_tls_ctx *ctx)
{
	const struct veil_tls_rec *rec = &ctx->tx->rec;

	return rec->nsg ? rec->len - veil_tls_prefix(ctx) : 0;
}

/*
 * Close the record: content type (TLS 1.3), room for the tag, header and
 * explicit nonce; then encrypt it in place and count it.
 */
static int veil_tls_rec_seal(struct sock *sk, struct veil_tls_ctx *ctx)
{
	struct veil_tls_tx *tx = ctx->tx;
	struct veil_tls_rec *rec = &tx->rec;
	struct veil_tls_crypt *c = &tx->c;
	unsigned int prefix = veil_tls_prefix(ctx);
	unsigned int plain = veil_tls_rec_plain(ctx), inner = plain;
	bool tls13 = ctx->version == TLS_1_3_VERSION;
	struct scatterlist *sg;
	u8 *hdr, nonce[8];
	unsigned int i, n;
	int err;

	rec->sealing = true;
	if (tls13) {
		err = veil_tls_rec_reserve(sk, rec, 1);
		if (err) {
			rec->sealing = false;
			return err;
		}
		sg = &rec->sg[rec->nsg - 1];
		*veil_tls_sg_ptr(sg, sg->length - 1) = rec->type;
		inner++;
	}
	err = veil_tls_rec_reserve(sk, rec, VEIL_TLS_TAG_LEN);
	rec->sealing = false;
	if (err) {
		if (tls13)
			veil_tls_rec_trim(rec, 1);
		return err;
	}

	hdr = veil_tls_sg_ptr(&rec->sg[0], 0);
	hdr[0] = tls13 ? VEIL_TLS_TYPE_DATA : rec->type;
	hdr[1] = 3;
	hdr[2] = 3;
	put_unaligned_be16(rec->len - VEIL_TLS_HEADER_LEN, hdr + 3);
	put_unaligned_be64(c->explicit_nonce, nonce);
	if (prefix > VEIL_TLS_HEADER_LEN)
		memcpy(hdr + VEIL_TLS_HEADER_LEN, nonce, sizeof(nonce));
	veil_tls_record_params(ctx, c, rec->type, inner, nonce);

	/* AAD, then the record past its prefix, to the end of the tag. */
	sg_init_table(c->sg, rec->nsg + 1);
	sg_set_buf(&c->sg[0], c->aad, tls13 ? VEIL_TLS_HEADER_LEN : 13);
	n = 1;
	for (i = 0; i < rec->nsg; i++) {
		unsigned int skip = i ? 0 : prefix;

		if (rec->sg[i].length > skip)
			sg_set_page(&c->sg[n++], sg_page(&rec->sg[i]),
				    rec->sg[i].length - skip, rec->sg[i].offset + skip);
	}
	sg_mark_end(&c->sg[n - 1]);

	err = veil_tls_crypt_run(c, true, c->sg[0].length, inner);
	if (err) {
		veil_tls_rec_trim(rec, VEIL_TLS_TAG_LEN + (tls13 ? 1 : 0));
		return err;
	}
	veil_tls_seq_advance(c, NULL);
	rec->sealed = true;
	rec->sent_sg = 0;
	rec->sent_off = 0;
	return 0;
}

/* Hand TCP @len bytes of @page from @off; TCP takes its own references. */
static int veil_tls_tcp_send(struct sock *sk, struct page *page, unsigned int off,
			     unsigned int len, int flags)
{
#ifdef VEIL_HAVE_SENDPAGE
	if (flags & MSG_MORE)
		flags |= MSG_SENDPAGE_NOTLAST;
	return do_tcp_sendpages(sk, page, off, len, flags);
#else
	struct msghdr msg = { .msg_flags = MSG_SPLICE_PAGES | flags };
	struct bio_vec bvec;

	bvec_set_page(&bvec, page, len, off);
	iov_iter_bvec(&msg.msg_iter, ITER_SOURCE, &bvec, 1, len);
	return tcp_sendmsg_locked(sk, &msg, len);
#endif
}

/*
 * Hand TCP the sealed record, from where it stopped. @flags: MSG_DONTWAIT
 * and MSG_MORE as the caller meant them. Return: 0 when TCP has it all,
 * else TCP's error (-EAGAIN when it has no room and may not wait).
 */
static int veil_tls_rec_push(struct sock *sk, struct veil_tls_ctx *ctx, int flags)
{
	struct veil_tls_rec *rec = &ctx->tx->rec;
	int err = 0;

	ctx->tx->pushing = true;
	tcp_rate_check_app_limited(sk);
	while (rec->sent_sg < rec->nsg) {
		struct scatterlist *sg = &rec->sg[rec->sent_sg];
		unsigned int len = sg->length - rec->sent_off;
		bool last = rec->sent_sg == rec->nsg - 1;
		int ret;

		/*
		 * MSG_MORE only where the caller meant it: TCP does not push
		 * what it was told more follows (6.1 not even full segments),
		 * and veil may wait for room before it sends the rest.
		 */
		ret = veil_tls_tcp_send(sk, sg_page(sg), sg->offset + rec->sent_off, len,
					last ? flags : flags & ~MSG_MORE);
		if (ret <= 0) {
			err = ret ? ret : -EAGAIN;
			break;
		}
		if (ret < len) {
			rec->sent_off += ret;
			continue;
		}
		put_page(sg_page(sg));
		rec->sent_sg++;
		rec->sent_off = 0;
	}
	ctx->tx->pushing = false;
	if (rec->sent_sg == rec->nsg)
		veil_tls_rec_release(rec, rec->nsg);
	return err;
}

/* Seal the open record, if any, and push it. */
static int veil_tls_rec_close(struct sock *sk, struct veil_tls_ctx *ctx, int flags)
{
	struct veil_tls_rec *rec = &ctx->tx->rec;
	int err;

	if (!rec->nsg)
		return 0;
	if (!rec->sealed) {
		err = veil_tls_rec_seal(sk, ctx);
		if (err)
			return err;
	}
	return veil_tls_rec_push(sk, ctx, flags);
}

/* What of the sealed record TCP does not have yet, in bytes. */
static unsigned int veil_tls_rec_unsent(const struct veil_tls_rec *rec)
{
	unsigned int i, n = 0;

	for (i = rec->sent_sg; i < rec->nsg; i++)
		n += rec->sg[i].length;
	return n - rec->sent_off;
}

/*
 * Last words before the FIN (shutdown or close): the open record is
 * sealed, and the whole of what the caller was told was sent goes to TCP
 * without waiting. TCP's own close and shutdown never block (without
 * SO_LINGER), and a peer that stopped reading must not hold the caller,
 * an event loop perhaps, for SO_SNDTIMEO, which is forever by default.
 *
 * When TCP has no room, its send buffer is made large enough for what it
 * holds (which may already exceed the buffer by a segment) and what is
 * left, twice over for the skbs' own overhead: at most one record more,
 * so the overcommit is bounded, and TCP then delivers it as it does what
 * was queued before the close. Only when TCP still refuses (memory pressure,
 * or TCP_NOTSENT_LOWAT) is the rest dropped; it is counted, and the peer
 * sees the stream end inside a record, not a silent truncation.
 */
static void veil_tls_tx_drain(struct sock *sk, struct veil_tls_ctx *ctx)
{
	struct veil_tls_rec *rec = &ctx->tx->rec;
	int err;

	if (sk->sk_err || (sk->sk_shutdown & SEND_SHUTDOWN))
		return;
	err = veil_tls_rec_close(sk, ctx, MSG_DONTWAIT);
	if (err == -EAGAIN && rec->sealed) {
		int room = READ_ONCE(sk->sk_wmem_queued) + 2 * veil_tls_rec_unsent(rec) +
			   PAGE_SIZE;

		if (room > sk->sk_sndbuf)
			WRITE_ONCE(sk->sk_sndbuf, room);
		err = veil_tls_rec_push(sk, ctx, MSG_DONTWAIT);
	}
	if (err && rec->nsg)
		veil_stat_inc(veil_net(sock_net(sk)), VEIL_A_NET_STATS_TLS_TX_LOST);
}

/**
 * veil_tls_tx_flush() - send whatever is held back
 * @sk: the socket, locked
 * @ctx: its context, with a sending half
 * @flags: MSG_DONTWAIT to not wait for room in TCP
 *
 * The open record is sealed and sent, or the sealed one's rest is.
 * Return: 0, or the error that kept it back.
 */
int veil_tls_tx_flush(struct sock *sk, struct veil_tls_ctx *ctx, int flags)
{
	return veil_tls_rec_close(sk, ctx, flags & MSG_DONTWAIT);
}

/**
 * veil_tls_tx_seal_open() - close the open record before a rekey
 * @sk: the socket, locked
 * @ctx: its context, with a keyed sending half
 *
 * What the caller corked was meant for the old key: it is sealed under
 * it now, and sent when TCP has room.
 *
 * Return: 0, or the error that kept it from being sealed.
 */
int veil_tls_tx_seal_open(struct sock *sk, struct veil_tls_ctx *ctx)
{
	struct veil_tls_rec *rec = &ctx->tx->rec;
	int err;

	if (!rec->nsg || rec->sealed)
		return 0;
	err = veil_tls_rec_seal(sk, ctx);
	if (err)
		return err;
	err = veil_tls_rec_push(sk, ctx, MSG_DONTWAIT);
	return err == -EAGAIN ? 0 : err;
}

/*
 * The caller's record type (TLS_SET_RECORD_TYPE), as kTLS takes it: one
 * byte; not with MSG_MORE, since a control record is sent whole.
 */
static int veil_tls_cmsg_type(struct msghdr *msg, u8 *type)
{
	struct cmsghdr *cmsg;

	for_each_cmsghdr(cmsg, msg) {
		if (!CMSG_OK(msg, cmsg))
			return -EINVAL;
		if (cmsg->cmsg_level != SOL_TLS)
			continue;
		if (cmsg->cmsg_type != TLS_SET_RECORD_TYPE ||
		    cmsg->cmsg_len < CMSG_LEN(sizeof(*type)))
			return -EINVAL;
		if (msg->msg_flags & MSG_MORE)
			return -EINVAL;
		*type = *(u8 *)CMSG_DATA(cmsg);
	}
	return 0;
}

/*
 * Frame what @from holds into records of @type. @flags: MSG_MORE keeps
 * the last record open for more; MSG_DONTWAIT. Return: bytes taken, or a
 * negative errno when none were.
 */
static int veil_tls_send(struct sock *sk, struct veil_tls_ctx *ctx, struct iov_iter *from,
			 int flags, u8 type)
{
	struct veil_tls_rec *rec = &ctx->tx->rec;
	long timeo = sock_sndtimeo(sk, flags & MSG_DONTWAIT);
	int push_flags = flags & MSG_DONTWAIT;
	size_t copied = 0;
	int err = 0;

	if (sk->sk_err || (sk->sk_shutdown & SEND_SHUTDOWN)) {
		err = -EPIPE;
		goto out;
	}
	/* What TCP could not take before goes first. */
	if (rec->sealed) {
		err = veil_tls_rec_push(sk, ctx, push_flags);
		if (err)
			goto out;
	}
	/* Records of different types never share a record. */
	if (rec->nsg && rec->type != type) {
		err = veil_tls_rec_close(sk, ctx, push_flags);
		if (err)
			goto out;
	}
	if (type != VEIL_TLS_TYPE_DATA && !iov_iter_count(from)) {
		/* RFC 8446 5.1: no zero-length handshake or alert records. */
		err = -EINVAL;
		goto out;
	}

	while (iov_iter_count(from)) {
		unsigned int room, n;
		int got;

		if (!rec->nsg) {
			if (ctx->tx->c.used_up) {
				err = -EKEYEXPIRED;
				break;
			}
			if (!sk_stream_memory_free(sk)) {
				set_bit(SOCK_NOSPACE, &sk->sk_socket->flags);
				err = sk_stream_wait_memory(sk, &timeo);
				if (err)
					break;
			}
			err = veil_tls_rec_open(sk, ctx, type);
			if (err)
				goto wait_memory;
		}
		room = VEIL_TLS_MAX_PLAIN - veil_tls_rec_plain(ctx);
		n = min_t(size_t, room, iov_iter_count(from));
		got = veil_tls_rec_fill(sk, rec, from, n);
		if (got == -ENOSPC) {
			/* Too many fragments: send what the record holds. */
			err = veil_tls_rec_close(sk, ctx, push_flags);
			if (err)
				break;
			continue;
		}
		if (got < 0) {
			err = got;
			if (err == -ENOMEM)
				goto wait_memory;
			break;
		}
		copied += got;
		if (veil_tls_rec_plain(ctx) == VEIL_TLS_MAX_PLAIN ||
		    (!iov_iter_count(from) && !(flags & MSG_MORE))) {
			err = veil_tls_rec_close(sk, ctx, push_flags | (flags & MSG_MORE));
			/* A sealed record is the caller's bytes, sent or not. */
			if (err)
				break;
		}
		continue;

wait_memory:
		/* As TCP does when it cannot allocate: wait for memory. */
		set_bit(SOCK_NOSPACE, &sk->sk_socket->flags);
		err = sk_stream_wait_memory(sk, &timeo);
		if (err)
			break;
	}
	/* An empty data send without MSG_MORE pushes what is corked. */
	if (!err && !copied && type == VEIL_TLS_TYPE_DATA && !(flags & MSG_MORE))
		err = veil_tls_rec_close(sk, ctx, push_flags);
out:
	if (copied) {
		/* A sealed record TCP could not take waits for its room. */
		if (rec->sealed && !(sk->sk_shutdown & SEND_SHUTDOWN))
			set_bit(SOCK_NOSPACE, &sk->sk_socket->flags);
		return copied;
	}
	return sk_stream_error(sk, flags, err);
}

/**
 * veil_tls_sendmsg() - the socket's sendmsg once veil is attached
 * @sk: the socket
 * @msg: what to send, with a TLS_SET_RECORD_TYPE cmsg for a non-data record
 * @size: its length
 *
 * Return: bytes taken into records, or a negative errno.
 */
int veil_tls_sendmsg(struct sock *sk, struct msghdr *msg, size_t size)
{
	struct veil_tls_ctx *ctx = veil_tls_ctx(sk);
	u8 type = VEIL_TLS_TYPE_DATA;
	int ret;

	if (msg->msg_flags & ~(MSG_MORE | MSG_DONTWAIT | MSG_NOSIGNAL | MSG_EOR |
			       MSG_CMSG_COMPAT | MSG_SPLICE_PAGES))
		return -EOPNOTSUPP;

	lock_sock(sk);
	if (!ctx->tx) {
		release_sock(sk);
		return ctx->sk_proto->sendmsg(sk, msg, size);
	}
	ret = veil_tls_cmsg_type(msg, &type);
	if (!ret)
		ret = veil_tls_send(sk, ctx, &msg->msg_iter, msg->msg_flags, type);
	release_sock(sk);
	return ret;
}

#ifdef VEIL_HAVE_SENDPAGE
/**
 * veil_tls_sendpage() - sendfile's and splice's way in before 6.5
 * @sk: the socket
 * @page: the data's page
 * @offset: where it starts
 * @size: its length
 * @flags: MSG_MORE or MSG_SENDPAGE_NOTLAST while more follows
 *
 * Return: bytes taken, or a negative errno.
 */
int veil_tls_sendpage(struct sock *sk, struct page *page, int offset, size_t size, int flags)
{
	struct veil_tls_ctx *ctx = veil_tls_ctx(sk);
	struct iov_iter from;
	struct bio_vec bvec;
	int ret;

	if (flags & MSG_SENDPAGE_NOTLAST)
		flags |= MSG_MORE;
	flags &= MSG_MORE | MSG_DONTWAIT | MSG_NOSIGNAL;

	lock_sock(sk);
	if (!ctx->tx) {
		release_sock(sk);
		return ctx->sk_proto->sendpage(sk, page, offset, size, flags);
	}
	bvec_set_page(&bvec, page, size, offset);
	iov_iter_bvec(&from, ITER_SOURCE, &bvec, 1, size);
	ret = veil_tls_send(sk, ctx, &from, flags, VEIL_TLS_TYPE_DATA);
	release_sock(sk);
	return ret;
}
#endif

/**
 * veil_tls_splice_eof() - a splice that said "more" has ended
 * @sock: the socket
 *
 * The record it left open is sent, as a send without MSG_MORE would.
 */
void veil_tls_splice_eof(struct socket *sock)
{
	struct sock *sk = sock->sk;
	struct veil_tls_ctx *ctx = veil_tls_ctx(sk);

	lock_sock(sk);
	if (ctx->tx)
		veil_tls_tx_flush(sk, ctx, MSG_DONTWAIT);
	release_sock(sk);
}

/**
 * veil_tls_shutdown() - shutdown(2): what is corked goes before the FIN
 * @sock: the socket
 * @how: SHUT_RD, SHUT_WR or SHUT_RDWR
 *
 * A record left open by MSG_MORE, or half handed to TCP, would otherwise
 * be lost behind TCP's FIN. It goes to TCP first, without waiting (see
 * veil_tls_tx_drain()); then TCP's own shutdown runs. This is a socket
 * operation rather than the proto's, which runs once the socket already
 * refuses to send.
 *
 * Return: what TCP's shutdown returns.
 */
int veil_tls_shutdown(struct socket *sock, int how)
{
	struct sock *sk = sock->sk;
	struct veil_tls_ctx *ctx = veil_tls_ctx(sk);

	if (how == SHUT_WR || how == SHUT_RDWR) {
		lock_sock(sk);
		if (ctx->tx && ctx->tx->sk_write_space)
			veil_tls_tx_drain(sk, ctx);
		release_sock(sk);
	}
	return veil_tls_base_ops(sk)->shutdown(sock, how);
}

/* TCP has room again: push a record that was left half sent. */
static void veil_tls_tx_work(struct work_struct *work)
{
	struct veil_tls_tx *tx = container_of(work, struct veil_tls_tx, work);
	struct sock *sk = tx->sk;

	lock_sock(sk);
	/* Once closing, close has the record and the context is going. */
	if (!tx->closing && tx->rec.sealed)
		veil_tls_rec_push(sk, veil_tls_ctx(sk), MSG_DONTWAIT);
	release_sock(sk);
	sock_put(sk);
}

static void veil_tls_write_space(struct sock *sk)
{
	struct veil_tls_ctx *ctx = veil_tls_ctx(sk);
	struct veil_tls_tx *tx;

	/* Only between close giving write_space back and a racing caller. */
	if (unlikely(!ctx || !ctx->tx))
		return;
	tx = ctx->tx;
	/*
	 * Softirq, or the owner's release_sock(): a record left half sent
	 * is pushed from process context. Not while the owner is pushing:
	 * it is the one waiting for this room.
	 */
	if (tx->rec.sealed && !tx->pushing && !tx->closing &&
	    sk_stream_is_writeable(sk)) {
		sock_hold(sk);
		if (!schedule_work(&tx->work))
			sock_put(sk);
	}
	tx->sk_write_space(sk);
}

/**
 * veil_tls_tx_init() - give @ctx its sending half
 * @sk: the socket, locked, with veil attached
 * @ctx: its context
 *
 * Return: 0 or -ENOMEM. The key is set next, then veil_tls_tx_start().
 */
int veil_tls_tx_init(struct sock *sk, struct veil_tls_ctx *ctx)
{
	struct veil_tls_tx *tx = kzalloc(sizeof(*tx), GFP_KERNEL);

	if (!tx)
		return -ENOMEM;
	INIT_WORK(&tx->work, veil_tls_tx_work);
	tx->sk = sk;
	ctx->tx = tx;
	return 0;
}

/**
 * veil_tls_tx_start() - hear from TCP when it has room again
 * @sk: the socket, locked
 * @ctx: its context, with a keyed sending half
 */
void veil_tls_tx_start(struct sock *sk, struct veil_tls_ctx *ctx)
{
	write_lock_bh(&sk->sk_callback_lock);
	ctx->tx->sk_write_space = sk->sk_write_space;
	sk->sk_write_space = veil_tls_write_space;
	write_unlock_bh(&sk->sk_callback_lock);
}

/**
 * veil_tls_tx_stop() - last words of the sending half, at close
 * @sk: the socket, locked
 * @ctx: its context, with a sending half
 *
 * What the caller corked and what TCP could not take yet go to TCP
 * without waiting (see veil_tls_tx_drain()); then the work item is told
 * to stop and TCP's write_space is given back.
 * The caller cancels the work item once the lock is dropped.
 */
void veil_tls_tx_stop(struct sock *sk, struct veil_tls_ctx *ctx)
{
	struct veil_tls_tx *tx = ctx->tx;

	if (tx->sk_write_space) {
		veil_tls_tx_drain(sk, ctx);
		write_lock_bh(&sk->sk_callback_lock);
		sk->sk_write_space = tx->sk_write_space;
		write_unlock_bh(&sk->sk_callback_lock);
	}
	tx->closing = true;
}

/**
 * veil_tls_tx_free() - free a sending half whose work item is cancelled
 * @tx: the sending half, or NULL
 */
void veil_tls_tx_free(struct veil_tls_tx *tx)
{
	if (!tx)
		return;
	veil_tls_rec_release(&tx->rec, tx->rec.sent_sg);
	veil_tls_crypt_free(&tx->c);
	kfree_sensitive(tx);
}

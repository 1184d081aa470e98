// SPDX-License-Identifier: GPL-2.0
/*
 * IKE fragmentation (RFC 7383): an SK message too large for the path goes
 * as several messages, each with an Encrypted Fragment payload (SKF) that
 * carries part of the plaintext, encrypted and authenticated on its own;
 * the receiver checks each, keeps its plaintext, and handles the message
 * once all have come. This keeps IKE_AUTH with certificates clear of IP
 * fragmentation, which NATs and firewalls often drop.
 *
 * Both ends must have announced IKEV2_FRAGMENTATION_SUPPORTED in
 * IKE_SA_INIT. Fragments are sized so that each IP datagram fits the
 * daemon's fragment_size (1280 by default, as strongSwan's).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <openssl/crypto.h>

#include "daemon.h"
#include "log.h"

#define FRAG_SKF_LEN	4	/* Fragment Number, Total Fragments */
#define FRAG_MIN_CHUNK	64	/* less plaintext per fragment makes no sense */

/**
 * ike_frag_max - the largest IKE message to send whole
 * @sa: the IKE SA
 *
 * Return: 0 when the SA does not fragment, else fragment_size less the IP
 * and UDP headers and, on the NAT-T port, the non-ESP marker.
 */
size_t ike_frag_max(const struct ike_sa *sa)
{
	size_t ip = sa->remote.ss_family == AF_INET6 ? 40 : 20;
	size_t size = sa->d->cfg.fragment_size;

	if (!sa->frag_ok || !sa->sk)
		return 0;
	return size - ip - 8 - (sa->natt ? IKEV2_NON_ESP_MARKER_LEN : 0);
}

/* The most plaintext one fragment carries within @max octets. */
static size_t frag_chunk(const struct ike_sa *sa, size_t max)
{
	size_t over = IKEV2_HDR_LEN + IKEV2_PAYLOAD_HDR_LEN + FRAG_SKF_LEN, chunk;

	if (max <= over)
		return 0;
	for (chunk = max - over; chunk >= FRAG_MIN_CHUNK; chunk--)
		if (over + ike_sk_payload_len(sa->sk, chunk) <= max)
			return chunk;
	return 0;
}

/**
 * ike_frag_seal - a message's plaintext as SKF fragments
 * @sa: the IKE SA
 * @h: the header every fragment carries
 * @inner_first: the first inner payload's type (in fragment 1 only)
 * @plain: the inner payloads
 * @plain_len: their length
 * @max: the largest message to send, from ike_frag_max()
 * @out: set to the fragments, back to back, in a new buffer
 * @out_len: their total length
 * @ends: set to where each ends in @out
 * @n: set to how many
 *
 * Return: 0 or a negative errno.
 */
int ike_frag_seal(struct ike_sa *sa, const struct ike_hdr *h, uint8_t inner_first,
		  const uint8_t *plain, size_t plain_len, size_t max, uint8_t **out,
		  size_t *out_len, size_t *ends, unsigned int *n)
{
	size_t chunk = frag_chunk(sa, max), off, take, len, pos = 0;
	struct ike_builder ob;
	unsigned int total, i;
	uint8_t *buf, *body;
	int ret = 0;

	if (!chunk)
		return -EMSGSIZE;
	total = (plain_len + chunk - 1) / chunk;
	if (total > IKE_FRAG_MAX)
		return -EMSGSIZE;
	buf = malloc((size_t)total * max);
	if (!buf)
		return -ENOMEM;
	for (i = 1, off = 0; i <= total && !ret; i++, off += take) {
		take = plain_len - off < chunk ? plain_len - off : chunk;
		ret = ike_msg_build_init(&ob, buf + pos, max, h);
		ret = ret ?: ike_msg_add_skf(&ob, i == 1 ? inner_first : IKEV2_PL_NONE, i, total,
					     ike_sk_payload_len(sa->sk, take), &body);
		ret = ret ?: ike_msg_build_end(&ob, &len);
		ret = ret ?: ike_sk_encrypt(sa->sk, sa->initiator, buf + pos, len,
					    body - (buf + pos), plain + off, take);
		pos += len;
		ends[i - 1] = pos;
	}
	if (ret) {
		free(buf);
		return ret < 0 ? -EINVAL : -EIO;
	}
	*out = buf;
	*out_len = pos;
	*n = total;
	ike_sa_log(sa, 2, "%zu bytes of payloads sent in %u fragments", plain_len, total);
	return 0;
}

/* Forgets the fragments @f holds, and the message last put together. */
static void frag_forget(struct ike_frags *f)
{
	unsigned int i;

	for (i = 0; i < IKE_FRAG_MAX; i++) {
		if (f->part[i])
			OPENSSL_cleanse(f->part[i], f->part_len[i]);
		free(f->part[i]);
	}
	if (f->whole)
		OPENSSL_cleanse(f->whole, f->whole_len);
	free(f->whole);
	memset(f, 0, sizeof(*f));
}

/**
 * ike_frag_reset - forget fragments being collected, and reassembled messages
 * @sa: the IKE SA
 */
void ike_frag_reset(struct ike_sa *sa)
{
	frag_forget(&sa->frags[0]);
	frag_forget(&sa->frags[1]);
}

/* All fragments are in: the plaintext, whole, in f->whole. */
static int frag_join(struct ike_frags *f)
{
	size_t len = 0, off = 0;
	unsigned int i;

	for (i = 0; i < f->total; i++)
		len += f->part_len[i];
	f->whole = malloc(len ? len : 1);
	if (!f->whole)
		return -ENOMEM;
	for (i = 0; i < f->total; i++) {
		memcpy(f->whole + off, f->part[i], f->part_len[i]);
		off += f->part_len[i];
		OPENSSL_cleanse(f->part[i], f->part_len[i]);
		free(f->part[i]);
		f->part[i] = NULL;
	}
	f->whole_len = len;
	return 0;
}

/**
 * ike_frag_in - one fragment of the message the SA expects
 * @sa: the IKE SA
 * @dg: the datagram (decrypted in place)
 * @msg: it, parsed
 * @skf: its SKF payload
 * @plain: once the last fragment is in, the whole plaintext (held by the
 *	SA until the next message or ike_frag_reset())
 * @plain_len: its length
 * @inner_first: its first payload's type
 *
 * Return: 0 with the message whole, -EINPROGRESS while fragments are
 * missing, or -EBADMSG for one that fails its check or does not fit
 * (dropped, as RFC 7383 §2.6.1 says, without disturbing the others).
 */
int ike_frag_in(struct ike_sa *sa, struct iked_dgram *dg, const struct ike_msg *msg,
		const struct ike_payload *skf, uint8_t **plain, size_t *plain_len,
		uint8_t *inner_first)
{
	bool response = msg->hdr.flags & IKEV2_FLAG_RESPONSE;
	/* a request and a response may be on their way at once */
	struct ike_frags *f = &sa->frags[response];
	struct ike_msg_err e;
	struct ike_skf frag;
	uint8_t *part;
	size_t part_len;

	if (!sa->frag_ok) {
		ike_sa_log(sa, 1, "a fragment, but fragmentation was not negotiated: dropped");
		return -EBADMSG;
	}
	if (ike_msg_parse_skf(skf->body, skf->len, &frag, &e) || frag.total > IKE_FRAG_MAX) {
		ike_sa_log(sa, 1, "fragment of %s %u: %s: dropped",
			   ike_msg_exchange_name(msg->hdr.exchange), msg->hdr.msg_id,
			   frag.total > IKE_FRAG_MAX ? "too many fragments" : e.reason);
		return -EBADMSG;
	}
	if (ike_sk_decrypt(sa->sk, msg->hdr.flags & IKEV2_FLAG_INITIATOR, dg->buf, dg->len,
			   skf->body + FRAG_SKF_LEN - dg->buf, &part, &part_len)) {
		ike_sa_log(sa, 1, "fragment %u of %s %u failed its integrity check: dropped",
			   frag.number, ike_msg_exchange_name(msg->hdr.exchange),
			   msg->hdr.msg_id);
		return -EBADMSG;
	}
	/*
	 * A fragment of another message, or of this one cut anew (a sender
	 * retransmitting with smaller fragments, §2.6.2), starts afresh.
	 */
	if (f->total && (f->msg_id != msg->hdr.msg_id || f->total != frag.total))
		frag_forget(f);
	if (!f->total) {
		frag_forget(f);
		f->msg_id = msg->hdr.msg_id;
		f->total = frag.total;
	}
	if (f->part[frag.number - 1])
		return -EINPROGRESS;	/* a copy of one we have */
	if (f->bytes + part_len > IKED_MSG_MAX) {
		ike_sa_log(sa, 1, "fragments of %s %u add up to too much: dropped",
			   ike_msg_exchange_name(msg->hdr.exchange), msg->hdr.msg_id);
		frag_forget(f);
		return -EBADMSG;
	}
	f->part[frag.number - 1] = malloc(part_len ? part_len : 1);
	if (!f->part[frag.number - 1])
		return -ENOMEM;
	memcpy(f->part[frag.number - 1], part, part_len);
	f->part_len[frag.number - 1] = part_len;
	f->bytes += part_len;
	if (frag.number == 1)
		f->inner_first = msg->chain.inner_first;
	if (++f->have < f->total) {
		ike_sa_log(sa, 2, "fragment %u of %u of %s %u", frag.number, frag.total,
			   ike_msg_exchange_name(msg->hdr.exchange), msg->hdr.msg_id);
		return -EINPROGRESS;
	}
	if (frag_join(f))
		return -ENOMEM;
	f->total = 0;	/* the next fragment starts a new message */
	f->have = 0;
	f->bytes = 0;
	*plain = f->whole;
	*plain_len = f->whole_len;
	*inner_first = f->inner_first;
	ike_sa_log(sa, 1, "%s %u reassembled from %u fragments",
		   ike_msg_exchange_name(msg->hdr.exchange), msg->hdr.msg_id, frag.total);
	return 0;
}

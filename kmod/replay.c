// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The veil authors. All Rights Reserved.
 *
 * The anti-replay window of RFC 4303 section 3.4.3, with the inference of
 * the high half of extended sequence numbers from appendix A2.2.
 *
 * A packet is checked twice. veil_replay_check(), before decryption,
 * rejects what is certainly old or seen and works out the 64-bit
 * sequence number the ICV must cover; it does not change the window, since
 * the packet is not yet known to be genuine. veil_replay_advance(), once
 * the ICV has verified, checks again (another packet may have taken the
 * number meanwhile) and records it. Both run under the SA's lock.
 */

#include <linux/bitmap.h>
#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/overflow.h>
#include <linux/slab.h>

#include "replay.h"

/**
 * veil_replay_new() - a window that has seen everything up to @top
 * @window: packets, 0 to 4096; 0 turns the check off (sequence numbers
 *	are still inferred and tracked)
 * @esn: extended sequence numbers
 * @top: the SA's replay-seq (and replay-seq-hi), the last number seen
 * @gfp: allocation flags
 *
 * Return: the state, or NULL when out of memory.
 */
struct veil_replay *veil_replay_new(u32 window, bool esn, u64 top, gfp_t gfp)
{
	u32 nbits = roundup_pow_of_two(max_t(u32, window, BITS_PER_LONG));
	struct veil_replay *r;

	r = kzalloc(struct_size(r, bits, BITS_TO_LONGS(nbits)), gfp);
	if (!r)
		return NULL;
	r->top = top;
	r->window = window;
	r->mask = nbits - 1;
	r->esn = esn;
	return r;
}

/*
 * The high half of the sequence number a packet carrying @seq has, by
 * RFC 4303 appendix A2.2: the one that puts it in or just above the
 * window. The ICV covers the high half, so a wrong guess fails it.
 */
static u32 veil_replay_seq_hi(const struct veil_replay *r, u32 seq)
{
	u32 tl = lower_32_bits(r->top), th = upper_32_bits(r->top);
	u32 w = max_t(u32, r->window, 1);
	u32 bottom = tl - w + 1;

	if (tl >= w - 1)
		/* The window lies within one 2^32 subspace. */
		return seq >= bottom ? th : th + 1;
	/* The window spans the end of the previous subspace. */
	return seq >= bottom ? th - 1 : th;
}

/**
 * veil_replay_check() - may a packet carrying @seq be genuine and new?
 * @r: the SA's window, under the SA's lock
 * @seq: the sequence number field of the packet
 * @seq64: set to the full sequence number, for the ICV and for
 *	veil_replay_advance()
 *
 * Return: 0 when the packet may go on to its integrity check; -EINVAL for
 * sequence number 0, which is never sent; -ERANGE when it is older than
 * the window; -EEXIST when it was seen already.
 */
int veil_replay_check(const struct veil_replay *r, u32 seq, u64 *seq64)
{
	u64 s = r->esn ? (u64)veil_replay_seq_hi(r, seq) << 32 | seq : seq;

	*seq64 = s;
	if (!s)
		return -EINVAL;
	if (!r->window || s > r->top)
		return 0;
	if (r->top - s >= r->window)
		return -ERANGE;
	if (test_bit(s & r->mask, r->bits))
		return -EEXIST;
	return 0;
}

/* Forget the ring positions of [@from, @to]: they are new numbers now. */
static void veil_replay_clear(struct veil_replay *r, u64 from, u64 to)
{
	u32 nbits = r->mask + 1;
	u32 a = from & r->mask, b = to & r->mask;

	if (to - from >= r->mask) {
		bitmap_zero(r->bits, nbits);
	} else if (a <= b) {
		bitmap_clear(r->bits, a, b - a + 1);
	} else {
		bitmap_clear(r->bits, a, nbits - a);
		bitmap_clear(r->bits, 0, b + 1);
	}
}

/**
 * veil_replay_inherit() - take over what a predecessor's window has seen
 * @r: the new SA's window, not yet published
 * @old: the SA's window it replaces, under that SA's lock
 *
 * For sa-update: the same keys go on with the same sequence numbers, so
 * a packet the old SA accepted must not be accepted again. With windows
 * of one size the bits carry over; otherwise everything up to the old
 * top counts as seen, which can only drop a late packet, never admit a
 * replay. A window that is already further on stays.
 */
void veil_replay_inherit(struct veil_replay *r, const struct veil_replay *old)
{
	if (old->top <= r->top)
		return;
	r->top = old->top;
	if (r->mask == old->mask)
		bitmap_copy(r->bits, old->bits, r->mask + 1);
	else
		bitmap_fill(r->bits, r->mask + 1);
}

/**
 * veil_replay_advance() - record an authenticated packet
 * @r: the SA's window, under the SA's lock
 * @seq64: its full sequence number, from veil_replay_check()
 *
 * Return: 0, or -ERANGE / -EEXIST when, since the check, the window moved
 * past it or another copy of it got in first: it is a replay after all.
 */
int veil_replay_advance(struct veil_replay *r, u64 seq64)
{
	if (seq64 > r->top) {
		if (r->window) {
			veil_replay_clear(r, r->top + 1, seq64);
			__set_bit(seq64 & r->mask, r->bits);
		}
		r->top = seq64;
		return 0;
	}
	if (!r->window)
		return 0;
	if (r->top - seq64 >= r->window)
		return -ERANGE;
	if (__test_and_set_bit(seq64 & r->mask, r->bits))
		return -EEXIST;
	return 0;
}

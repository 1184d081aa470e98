/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The veil authors. All Rights Reserved.
 */

#ifndef _VEIL_REPLAY_H
#define _VEIL_REPLAY_H

#include <linux/types.h>

/**
 * struct veil_replay - the anti-replay state of an inbound SA (RFC 4303
 *	section 3.4.3 and appendix A)
 * @top: the highest sequence number authenticated so far, all 64 bits
 *	(the high half stays 0 without ESN)
 * @window: the window's size in packets, 0 for no replay check
 * @mask: size of @bits in bits, minus one; the bits are a ring, and a
 *	power of two at least @window long keeps the seen bits of the whole
 *	window apart
 * @esn: the SA uses extended sequence numbers
 * @bits: one bit per sequence number, at (seq & @mask), set once seen
 *
 * Changed under the SA's lock; see veil_replay_check() for the protocol.
 */
struct veil_replay {
	u64 top;
	u32 window;
	u32 mask;
	bool esn;
	unsigned long bits[];
};

struct veil_replay *veil_replay_new(u32 window, bool esn, u64 top, gfp_t gfp);
int veil_replay_check(const struct veil_replay *r, u32 seq, u64 *seq64);
void veil_replay_inherit(struct veil_replay *r, const struct veil_replay *old);
int veil_replay_advance(struct veil_replay *r, u64 seq64);

#endif /* _VEIL_REPLAY_H */

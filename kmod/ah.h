/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The veil authors. All Rights Reserved.
 */

#ifndef _VEIL_AH_H
#define _VEIL_AH_H

#include <linux/types.h>

struct dst_entry;
struct sk_buff;
struct veil_inner;
struct veil_sa;

/* The longest ICV an AH SA may have: HMAC-SHA-512's full 512 bits. */
#define VEIL_AH_ICV_MAX 64

unsigned int veil_ah_len(const struct veil_sa *sa);
int veil_ah_input_init(void);
void veil_ah_input_uninit(void);
void veil_ah_output(struct sk_buff *skb, struct veil_sa *sa, struct dst_entry *dst,
		    u64 seq, unsigned int ihl, int nhoff, u8 nexthdr,
		    const struct veil_inner *in);

#endif /* _VEIL_AH_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The veil authors. All Rights Reserved.
 */

#ifndef _VEIL_INPUT_H
#define _VEIL_INPUT_H

struct sk_buff;
struct veil_net;
struct veil_sa;

void veil_input_init(void);
int veil_input_net_init(struct veil_net *vn);
void veil_input_net_exit(struct veil_net *vn);
void veil_input_mark(struct sk_buff *skb, const struct veil_sa *sa);

#endif /* _VEIL_INPUT_H */

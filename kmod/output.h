/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The veil authors. All Rights Reserved.
 */

#ifndef _VEIL_OUTPUT_H
#define _VEIL_OUTPUT_H

struct sk_buff;
struct veil_flow;
struct veil_net;

int veil_output_if(struct veil_net *vn, struct sk_buff *skb, u32 if_id);
bool veil_ipsec_is_veils(struct veil_net *vn, struct sk_buff *skb, const struct veil_flow *flow);
void veil_acquire_forget(struct veil_net *vn);

int veil_output_net_init(struct veil_net *vn);
void veil_output_net_exit(struct veil_net *vn);

#endif /* _VEIL_OUTPUT_H */

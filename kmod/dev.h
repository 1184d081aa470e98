/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The veil authors. All Rights Reserved.
 */

#ifndef _VEIL_DEV_H
#define _VEIL_DEV_H

#include <linux/types.h>

struct net_device;
struct sk_buff;
struct veil_net;

/**
 * struct veil_dev - a route-based IPsec interface (link kind "veil")
 * @dev: the interface
 * @vn: veil's state in the namespace it was created in (its "link"
 *	namespace), where its policies and SAs are and where its ESP goes;
 *	the interface itself may be moved to another
 * @if_id: the interface id its policies and SAs carry; unique in @vn
 */
struct veil_dev {
	struct net_device *dev;
	struct veil_net *vn;
	u32 if_id;
};

int veil_dev_init(void);
void veil_dev_uninit(void);
void veil_dev_net_init(struct veil_net *vn);
void veil_dev_net_pre_exit(struct veil_net *vn);
u32 veil_dev_if_id(const struct net_device *dev);
struct net_device *veil_dev_lookup(struct veil_net *vn, u32 if_id);
void veil_dev_receive(struct sk_buff *skb, struct net_device *dev);

#endif /* _VEIL_DEV_H */

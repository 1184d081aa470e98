/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The veil authors. All Rights Reserved.
 */

#ifndef _VEIL_OUTPUT_H
#define _VEIL_OUTPUT_H

struct veil_net;

int veil_output_net_init(struct veil_net *vn);
void veil_output_net_exit(struct veil_net *vn);

#endif /* _VEIL_OUTPUT_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The veil authors. All Rights Reserved.
 */

#ifndef _VEIL_VERSION_H
#define _VEIL_VERSION_H

/* Kept in step with dkms.conf's PACKAGE_VERSION; `make check` compares them. */
#define VEIL_MOD_VERSION "0.1.0"

#endif /* _VEIL_VERSION_H */

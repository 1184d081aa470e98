/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The veil authors. All Rights Reserved.
 */

#ifndef _VEIL_ESP_H
#define _VEIL_ESP_H

int veil_esp_input_init(void);
void veil_esp_input_uninit(void);

#endif /* _VEIL_ESP_H */

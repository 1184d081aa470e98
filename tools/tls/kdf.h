/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The two TLS key schedules' expansion steps, on OpenSSL's KDFs, and the
 * key log's line format. Shared by veil-tls and the TLS selftests.
 */
#ifndef VEIL_TLS_KDF_H
#define VEIL_TLS_KDF_H

#include <stddef.h>
#include <stdint.h>

int vtls_expand_label(const char *md, const uint8_t *secret, size_t slen,
		      const char *label, uint8_t *out, size_t len);
int vtls_prf(const char *md, const uint8_t *secret, size_t slen, const uint8_t *seed,
	     size_t seed_len, uint8_t *out, size_t len);
size_t vtls_keylog_secret(const char *line, const char *label, uint8_t *out, size_t room);

#endif

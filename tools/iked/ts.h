/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Traffic selectors (RFC 7296 §3.13) and address ranges, written the way
 * strongSwan's local_ts/remote_ts are.
 */
#ifndef VEIL_IKED_TS_H
#define VEIL_IKED_TS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/**
 * struct iked_ts - one traffic selector: a range of addresses, ports and
 *	an IP protocol
 * @family: AF_INET or AF_INET6; 0 with @dynamic set until it is resolved
 * @proto: IP protocol, 0 for any
 * @from_port: first port (ICMP: type << 8 | code), host order
 * @to_port: last port
 * @from: first address, network order (4 bytes used for IPv4)
 * @to: last address
 * @dynamic: "dynamic": the address the IKE SA runs on, filled in when the
 *	SA is negotiated (with the protocol and ports kept)
 */
struct iked_ts {
	uint8_t family;
	uint8_t proto;
	uint16_t from_port;
	uint16_t to_port;
	uint8_t from[16];
	uint8_t to[16];
	bool dynamic;
};

int iked_ts_parse(const char *text, struct iked_ts *ts, char *err, size_t errlen);
int iked_ts_format(const struct iked_ts *ts, char *buf, size_t len);
int iked_ts_addr_len(const struct iked_ts *ts);
bool iked_ts_intersect(const struct iked_ts *a, const struct iked_ts *b, struct iked_ts *out);
bool iked_ts_contains(const struct iked_ts *outer, const struct iked_ts *inner);
void iked_ts_from_addr(struct iked_ts *ts, int family, const void *addr);
bool iked_ts_is_host(const struct iked_ts *ts);
bool iked_ts_to_prefix(const struct iked_ts *ts, int *prefixlen);

#endif /* VEIL_IKED_TS_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The veil authors. All Rights Reserved.
 *
 * Addresses and traffic selectors, shared by the SA and policy databases.
 */

#ifndef _VEIL_ADDR_H
#define _VEIL_ADDR_H

#include <linux/in6.h>
#include <linux/socket.h>
#include <linux/string.h>
#include <linux/types.h>

/**
 * union veil_addr - an IPv4 or IPv6 address, in network byte order
 * @ip4: IPv4 address; the rest of the union is zero
 * @ip6: IPv6 address
 * @raw: the bytes, for hashing and copying
 *
 * Always fully initialised (IPv4 addresses zero-padded), so that it can be
 * part of a hash key and compared with memcmp().
 */
union veil_addr {
	__be32 ip4;
	struct in6_addr ip6;
	u8 raw[16];
};

/**
 * struct veil_selector - the traffic an SA or policy applies to
 * @src: source prefix, bits beyond @src_len zero
 * @dst: destination prefix, bits beyond @dst_len zero
 * @family: AF_INET or AF_INET6, or 0 for "any" (an SA without selector)
 * @src_len: source prefix length
 * @dst_len: destination prefix length
 * @proto: upper-layer protocol, 0 for any
 * @sport: source port in host order, 0 for any
 * @dport: destination port in host order, 0 for any
 */
struct veil_selector {
	union veil_addr src;
	union veil_addr dst;
	u16 family;
	u8 src_len;
	u8 dst_len;
	u8 proto;
	u16 sport;
	u16 dport;
};

/**
 * veil_addr_len() - bytes of an address of @family
 * @family: AF_INET or AF_INET6
 *
 * Return: 4 or 16, or 0 for any other family.
 */
static inline unsigned int veil_addr_len(u16 family)
{
	switch (family) {
	case AF_INET:
		return 4;
	case AF_INET6:
		return 16;
	}
	return 0;
}

/**
 * veil_addr_prefix() - clear the bits of @a beyond @plen
 * @a: address to mask in place
 * @plen: prefix length, at most 32 or 128 according to the family
 */
static inline void veil_addr_prefix(union veil_addr *a, unsigned int plen)
{
	unsigned int i;

	for (i = 0; i < sizeof(a->raw); i++) {
		if (plen >= 8) {
			plen -= 8;
			continue;
		}
		a->raw[i] &= (u8)(0xff00 >> plen);
		plen = 0;
	}
}

/**
 * veil_addr_in_prefix() - is @a inside the prefix @p / @plen?
 * @a: full address
 * @p: prefix, already masked
 * @plen: prefix length
 *
 * Return: true when the first @plen bits of @a and @p agree.
 */
static inline bool veil_addr_in_prefix(const union veil_addr *a,
				       const union veil_addr *p,
				       unsigned int plen)
{
	union veil_addr m = *a;

	veil_addr_prefix(&m, plen);
	return !memcmp(&m, p, sizeof(m));
}

/**
 * struct veil_flow - what a packet looks like to the SPD
 * @src: source address
 * @dst: destination address
 * @if_id: interface id, 0 for none
 * @family: AF_INET or AF_INET6
 * @proto: upper-layer protocol
 * @sport: source port, host order, 0 when none
 * @dport: destination port, host order, 0 when none
 */
struct veil_flow {
	union veil_addr src;
	union veil_addr dst;
	u32 if_id;
	u16 family;
	u8 proto;
	u16 sport;
	u16 dport;
};

/**
 * veil_selector_match() - does @flow fall within @sel?
 * @sel: a selector with a family
 * @flow: a packet's flow
 *
 * Return: true when family, both prefixes, protocol and ports agree (a
 * zero protocol or port in @sel matches any).
 */
static inline bool veil_selector_match(const struct veil_selector *sel,
				       const struct veil_flow *flow)
{
	return sel->family == flow->family &&
	       veil_addr_in_prefix(&flow->src, &sel->src, sel->src_len) &&
	       veil_addr_in_prefix(&flow->dst, &sel->dst, sel->dst_len) &&
	       (!sel->proto || sel->proto == flow->proto) &&
	       (!sel->sport || sel->sport == flow->sport) &&
	       (!sel->dport || sel->dport == flow->dport);
}

#endif /* _VEIL_ADDR_H */

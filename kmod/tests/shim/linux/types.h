/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Just enough of the kernel's headers for kmod/ files of pure logic to
 * build and be tested on the host (see kmod/tests/Makefile).
 */
#ifndef VEIL_SHIM_TYPES_H
#define VEIL_SHIM_TYPES_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int64_t s64;
typedef unsigned int gfp_t;

#define GFP_KERNEL	0u
#define GFP_ATOMIC	1u
#define BITS_PER_LONG	(CHAR_BIT * (int)sizeof(long))
#define BITS_TO_LONGS(n) (((n) + BITS_PER_LONG - 1) / BITS_PER_LONG)
#define lower_32_bits(n) ((u32)(n))
#define upper_32_bits(n) ((u32)((u64)(n) >> 32))
#define max_t(t, a, b)	((t)(a) > (t)(b) ? (t)(a) : (t)(b))
#define struct_size(p, m, n) (sizeof(*(p)) + sizeof((p)->m[0]) * (n))

static inline void *kzalloc(size_t n, gfp_t gfp)
{
	(void)gfp;
	return calloc(1, n);
}

static inline u32 roundup_pow_of_two(u32 n)
{
	u32 p = 1;

	while (p < n)
		p <<= 1;
	return p;
}

static inline bool test_bit(unsigned long nr, const unsigned long *b)
{
	return b[nr / BITS_PER_LONG] >> (nr % BITS_PER_LONG) & 1;
}

static inline void __set_bit(unsigned long nr, unsigned long *b)
{
	b[nr / BITS_PER_LONG] |= 1UL << (nr % BITS_PER_LONG);
}

static inline bool __test_and_set_bit(unsigned long nr, unsigned long *b)
{
	bool old = test_bit(nr, b);

	__set_bit(nr, b);
	return old;
}

static inline void bitmap_zero(unsigned long *b, unsigned int nbits)
{
	memset(b, 0, BITS_TO_LONGS(nbits) * sizeof(long));
}

static inline void bitmap_copy(unsigned long *d, const unsigned long *s, unsigned int nbits)
{
	memcpy(d, s, BITS_TO_LONGS(nbits) * sizeof(long));
}

static inline void bitmap_fill(unsigned long *b, unsigned int nbits)
{
	memset(b, 0xff, BITS_TO_LONGS(nbits) * sizeof(long));
}

static inline void bitmap_clear(unsigned long *b, unsigned int start, unsigned int n)
{
	while (n--) {
		b[start / BITS_PER_LONG] &= ~(1UL << (start % BITS_PER_LONG));
		start++;
	}
}

#endif

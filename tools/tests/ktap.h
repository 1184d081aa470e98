/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host-side tests' harness: CHECK() notes a failed condition with its
 * line, and ktap_run() runs a table of test functions and prints KTAP, one
 * line per test. Each test program is one translation unit that includes
 * this once.
 */
#ifndef VEIL_TOOLS_TESTS_KTAP_H
#define VEIL_TOOLS_TESTS_KTAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/**
 * struct ktap_test - one test
 * @name: what the KTAP line says
 * @fn: runs its checks
 */
struct ktap_test {
	const char *name;
	void (*fn)(void);
};

static int ktap_test_failed;

#define CHECK(cond) ktap_check(!!(cond), __LINE__, #cond)

static inline bool ktap_check(bool ok, int line, const char *what)
{
	if (!ok) {
		printf("# line %d: check failed: %s\n", line, what);
		ktap_test_failed = 1;
	}
	return ok;
}

/*
 * Hex, with blanks and newlines between bytes as one likes, into at most
 * @cap bytes: the tests' input format for vectors. Returns the byte
 * count, or -1 for a character that is not hex, an odd digit count or no
 * room, so that a caller that must not fail can exit on it.
 */
static inline long ktap_unhex_try(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int hi = -1;

	for (; s && *s; s++) {
		int v;

		if (*s == ' ' || *s == '\n' || *s == '\t')
			continue;
		if (*s >= '0' && *s <= '9')
			v = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			v = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F')
			v = *s - 'A' + 10;
		else
			return -1;
		if (hi < 0) {
			if (n == cap)
				return -1;
			hi = v;
		} else {
			out[n++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	return hi < 0 ? (long)n : -1;
}

/* ktap_unhex_try() for vectors written in the test: a typo exits. */
static inline size_t ktap_unhex(const char *s, uint8_t *out, size_t cap)
{
	long n = ktap_unhex_try(s, out, cap);

	if (n < 0) {
		printf("# bad hex vector near \"%.16s\"\n", s ? s : "");
		exit(2);
	}
	return (size_t)n;
}

/* Runs @n tests; the exit status for main(): 1 when any failed. */
static inline int ktap_run(const struct ktap_test *tests, size_t n)
{
	size_t i, failed = 0;

	printf("KTAP version 1\n1..%zu\n", n);
	for (i = 0; i < n; i++) {
		ktap_test_failed = 0;
		tests[i].fn();
		printf("%sok %zu %s\n", ktap_test_failed ? "not " : "", i + 1, tests[i].name);
		failed += ktap_test_failed;
	}
	printf("# %zu of %zu tests failed\n", failed, n);
	return failed ? 1 : 0;
}

#endif /* VEIL_TOOLS_TESTS_KTAP_H */

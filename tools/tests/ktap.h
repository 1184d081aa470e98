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
#include <stdio.h>

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

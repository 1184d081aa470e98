/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VEIL_HARNESS_MAIN - kselftest_harness.h's TEST_HARNESS_MAIN, with each
 * test's timeout (30 s unless the test names one) multiplied by
 * VEIL_DEBUG_SLOWDOWN when the runner sets VEIL_DEBUG=1 (make
 * check-debug). Under TCG, KASAN, lockdep and kmemleak make the kernel
 * several times slower: a namespace takes seconds to create, and 4,000
 * SAs added one request at a time take longer than 30 s. Every test still
 * runs whole; only the time it may take grows.
 *
 * Include after kselftest_harness.h, use once in place of
 * TEST_HARNESS_MAIN.
 */
#ifndef VEIL_HARNESS_MAIN_H
#define VEIL_HARNESS_MAIN_H

#include <stdlib.h>
#include <string.h>

#define VEIL_DEBUG_SLOWDOWN	10

static inline void veil_harness_scale_timeouts(void)
{
	const char *debug = getenv("VEIL_DEBUG");
	struct __fixture_metadata *f;
	struct __test_metadata *t;

	if (!debug || strcmp(debug, "1"))
		return;
	for (f = __fixture_list; f; f = f->next)
		for (t = f->tests; t; t = t->next)
			t->timeout *= VEIL_DEBUG_SLOWDOWN;
}

#define VEIL_HARNESS_MAIN					\
	int main(int argc, char **argv)				\
	{							\
		veil_harness_scale_timeouts();			\
		return test_harness_run(argc, argv);		\
	}

#endif /* VEIL_HARNESS_MAIN_H */

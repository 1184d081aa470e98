// SPDX-License-Identifier: GPL-2.0
/*
 * kmod/replay.c on the host: the RFC 4303 anti-replay window and ESN
 * inference against hand-worked cases and against a naive model over
 * random traffic. KTAP output; exit status 1 on any failure.
 */
#include <stdio.h>
#include <errno.h>

#include "../replay.c"

static int failed, test_no;

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		printf("# %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
		fails++;						\
	}								\
} while (0)

/* Check then, if the check passed, advance: what the datapath does. */
static int take(struct veil_replay *r, u32 seq, u64 *s64)
{
	u64 s;
	int ret = veil_replay_check(r, seq, &s);

	if (s64)
		*s64 = s;
	return ret ? ret : veil_replay_advance(r, s);
}

static int test_in_order_and_replays(void)
{
	struct veil_replay *r = veil_replay_new(32, false, 0, GFP_KERNEL);
	int fails = 0;
	u32 i;
	u64 s;

	CHECK(veil_replay_check(r, 0, &s) == -EINVAL);
	for (i = 1; i <= 10; i++)
		CHECK(take(r, i, NULL) == 0);
	CHECK(take(r, 5, NULL) == -EEXIST);
	CHECK(take(r, 100, NULL) == 0);
	CHECK(take(r, 68, NULL) == -ERANGE);	/* 100 - 68 = 32: just outside */
	CHECK(take(r, 69, NULL) == 0);		/* just inside, first time */
	CHECK(take(r, 69, NULL) == -EEXIST);
	CHECK(take(r, 90, NULL) == 0);
	CHECK(take(r, 101, &s) == 0 && s == 101 && r->top == 101);
	/* Two copies both pass the check; only the first gets in. */
	CHECK(veil_replay_check(r, 95, &s) == 0);
	CHECK(veil_replay_check(r, 95, &s) == 0);
	CHECK(veil_replay_advance(r, 95) == 0);
	CHECK(veil_replay_advance(r, 95) == -EEXIST);
	/* A jump of more than the ring clears all of it. */
	CHECK(take(r, 1000, NULL) == 0);
	CHECK(take(r, 990, NULL) == 0);
	CHECK(take(r, 101, NULL) == -ERANGE);
	free(r);
	return fails;
}

static int test_window_off(void)
{
	struct veil_replay *r = veil_replay_new(0, false, 0, GFP_KERNEL);
	int fails = 0;

	CHECK(take(r, 7, NULL) == 0);
	CHECK(take(r, 7, NULL) == 0);
	CHECK(take(r, 3, NULL) == 0);
	CHECK(r->top == 7);
	free(r);
	return fails;
}

static int test_esn(void)
{
	/* Last seen 0x1_fffffff0: the window straddles nothing yet. */
	struct veil_replay *r = veil_replay_new(64, true, 0x1fffffff0ULL, GFP_KERNEL);
	int fails = 0;
	u64 s;

	CHECK(take(r, 0xfffffff5, &s) == 0 && s == 0x1fffffff5ULL);
	/* Low half wrapped: the next subspace. */
	CHECK(take(r, 0x00000005, &s) == 0 && s == 0x200000005ULL);
	/* Now the window spans two subspaces: a late packet of the old one. */
	CHECK(take(r, 0xfffffff8, &s) == 0 && s == 0x1fffffff8ULL);
	CHECK(take(r, 0xfffffff8, NULL) == -EEXIST);
	CHECK(take(r, 0xfffffff5, NULL) == -EEXIST);
	/*
	 * Below the window's bottom (0xffffffc6) a low half is taken to be of
	 * the current subspace, far ahead (A2.2 case B): the check lets it on
	 * to the ICV, which covers the high half and so rejects a forgery.
	 */
	CHECK(veil_replay_check(r, 0xffffff00, &s) == 0 && s == 0x2ffffff00ULL);
	/* Sequence number 0 is valid in every subspace but the first. */
	CHECK(take(r, 0x00000000, &s) == 0 && s == 0x200000000ULL);
	/* A low half far ahead is the same subspace, ahead of the window. */
	CHECK(take(r, 0x80000000, &s) == 0 && s == 0x280000000ULL);

	/*
	 * Within one subspace (A2.2 case A): inside the window is old news
	 * once seen; below it is the next subspace, far ahead.
	 */
	CHECK(take(r, 0x7fffffd0, &s) == 0 && s == 0x27fffffd0ULL);
	CHECK(take(r, 0x7fffffd0, NULL) == -EEXIST);
	CHECK(veil_replay_check(r, 0x7fffff00, &s) == 0 && s == 0x37fffff00ULL);
	free(r);

	/* At the very start, without ESN history: high half 0. */
	r = veil_replay_new(32, true, 0, GFP_KERNEL);
	CHECK(veil_replay_check(r, 0, &s) == -EINVAL);
	CHECK(take(r, 1, &s) == 0 && s == 1);
	free(r);
	return fails;
}

/* Random traffic around the top, against the rules applied naively. */
static int test_model(u32 window)
{
	enum { RANGE = 1 << 18 };
	static unsigned char seen[RANGE];
	struct veil_replay *r = veil_replay_new(window, false, 0, GFP_KERNEL);
	u64 top = 0, s;
	int fails = 0, i;
	unsigned int seed = window * 2654435761u + 1;

	memset(seen, 0, sizeof(seen));
	for (i = 0; i < 200000 && !fails; i++) {
		u32 seq;
		int want, got;

		seed = seed * 1103515245u + 12345u;
		/* Mostly near the top, sometimes far behind or ahead. */
		switch (seed >> 28) {
		case 0:
			seq = (seed >> 8) % RANGE;
			break;
		case 1:
			seq = top + 1 + (seed >> 8) % (4 * window + 64);
			break;
		default:
			seq = top + 8 - (seed >> 8) % (2 * window + 16);
			break;
		}
		if (seq >= RANGE)
			continue;
		if (!seq)
			want = -EINVAL;
		else if (seq > top)
			want = 0;
		else if (window && top - seq >= window)
			want = -ERANGE;
		else if (window && seen[seq])
			want = -EEXIST;
		else
			want = 0;
		got = take(r, seq, &s);
		if (got != want) {
			printf("# window %u, packet %d: seq %u (top %llu) -> %d, want %d\n",
			       window, i, seq, (unsigned long long)top, got, want);
			fails++;
		}
		if (!want) {
			seen[seq] = 1;
			if (seq > top)
				top = seq;
		}
	}
	free(r);
	return fails;
}

static int test_model_all(void)
{
	static const u32 windows[] = { 0, 1, 32, 64, 100, 128, 1000, 4096 };
	int fails = 0;
	size_t i;

	for (i = 0; i < sizeof(windows) / sizeof(windows[0]); i++)
		fails += test_model(windows[i]);
	return fails;
}

/* sa-update: the successor's window takes over what the old one saw. */
static int test_inherit(void)
{
	struct veil_replay *old = veil_replay_new(64, false, 0, GFP_KERNEL);
	struct veil_replay *same = veil_replay_new(64, false, 0, GFP_KERNEL);
	struct veil_replay *big = veil_replay_new(1000, false, 0, GFP_KERNEL);
	struct veil_replay *ahead = veil_replay_new(64, false, 500, GFP_KERNEL);
	int fails = 0;

	CHECK(take(old, 100, NULL) == 0 && take(old, 90, NULL) == 0);
	veil_replay_inherit(same, old);
	CHECK(same->top == 100);
	CHECK(take(same, 100, NULL) == -EEXIST);
	CHECK(take(same, 90, NULL) == -EEXIST);
	CHECK(take(same, 36, NULL) == -ERANGE);
	CHECK(take(same, 95, NULL) == 0);	/* unseen, in the window: still welcome */
	CHECK(take(same, 101, NULL) == 0);
	/* Another window size: all up to the old top counts as seen. */
	veil_replay_inherit(big, old);
	CHECK(big->top == 100);
	CHECK(take(big, 90, NULL) == -EEXIST && take(big, 95, NULL) == -EEXIST);
	CHECK(take(big, 101, NULL) == 0);
	/* A window already further on does not go back. */
	veil_replay_inherit(ahead, old);
	CHECK(ahead->top == 500);
	CHECK(take(ahead, 490, NULL) == 0);
	free(old);
	free(same);
	free(big);
	free(ahead);
	return fails;
}

static const struct {
	const char *name;
	int (*fn)(void);
} tests[] = {
	{ "in_order_and_replays", test_in_order_and_replays },
	{ "window_off", test_window_off },
	{ "esn_inference", test_esn },
	{ "random_traffic_matches_the_rules", test_model_all },
	{ "inherit_on_update", test_inherit },
};

int main(void)
{
	size_t i, n = sizeof(tests) / sizeof(tests[0]);

	printf("KTAP version 1\n1..%zu\n", n);
	for (i = 0; i < n; i++) {
		int fails = tests[i].fn();

		test_no++;
		failed += !!fails;
		printf("%sok %d %s\n", fails ? "not " : "", test_no, tests[i].name);
	}
	printf("# %d of %zu tests failed\n", failed, n);
	return failed ? 1 : 0;
}

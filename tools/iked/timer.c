// SPDX-License-Identifier: GPL-2.0
/*
 * A binary min-heap of timers. The heap is 1-based so that a timer's slot
 * 0 can mean "not armed". Thousands of IKE SAs each hold a few timers;
 * setting and cancelling are O(log n).
 */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "timer.h"

static struct iked_timer **heap;	/* heap[1..n] */
static size_t heap_n, heap_cap;

uint64_t iked_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void iked_timer_init(struct iked_timer *t, iked_timer_fn fn)
{
	t->when = 0;
	t->fn = fn;
	t->slot = 0;
}

bool iked_timer_armed(const struct iked_timer *t)
{
	return t->slot != 0;
}

static void heap_put(size_t i, struct iked_timer *t)
{
	heap[i] = t;
	t->slot = i;
}

static void heap_up(size_t i)
{
	struct iked_timer *t = heap[i];

	while (i > 1 && heap[i / 2]->when > t->when) {
		heap_put(i, heap[i / 2]);
		i /= 2;
	}
	heap_put(i, t);
}

static void heap_down(size_t i)
{
	struct iked_timer *t = heap[i];
	size_t c;

	for (;;) {
		c = 2 * i;
		if (c > heap_n)
			break;
		if (c < heap_n && heap[c + 1]->when < heap[c]->when)
			c++;
		if (heap[c]->when >= t->when)
			break;
		heap_put(i, heap[c]);
		i = c;
	}
	heap_put(i, t);
}

/**
 * iked_timer_set - arm (or re-arm) @t to fire in @delay_ms
 * @t: the timer
 * @delay_ms: from now
 *
 * Return: 0, or -ENOMEM (the timer is then not armed).
 */
int iked_timer_set(struct iked_timer *t, uint64_t delay_ms)
{
	struct iked_timer **h;

	iked_timer_cancel(t);
	if (heap_n + 1 >= heap_cap) {
		h = realloc(heap, (heap_cap ? 2 * heap_cap : 64) * sizeof(*heap));
		if (!h)
			return -ENOMEM;
		heap = h;
		heap_cap = heap_cap ? 2 * heap_cap : 64;
	}
	t->when = iked_now_ms() + delay_ms;
	heap_put(++heap_n, t);
	heap_up(heap_n);
	return 0;
}

void iked_timer_cancel(struct iked_timer *t)
{
	size_t i = t->slot;
	struct iked_timer *last;

	if (!i)
		return;
	t->slot = 0;
	last = heap[heap_n--];
	if (i > heap_n)
		return;		/* it was the last one */
	heap_put(i, last);
	heap_up(i);
	heap_down(last->slot);
}

/* How long the event loop may sleep: -1 for as long as it likes. */
int iked_timers_wait_ms(void)
{
	uint64_t now;

	if (!heap_n)
		return -1;
	now = iked_now_ms();
	if (heap[1]->when <= now)
		return 0;
	return heap[1]->when - now > 60000 ? 60000 : (int)(heap[1]->when - now);
}

/* Fires what is due; a callback may set or cancel any timer, itself too. */
void iked_timers_run(void)
{
	uint64_t now = iked_now_ms();
	struct iked_timer *t;

	while (heap_n && heap[1]->when <= now) {
		t = heap[1];
		iked_timer_cancel(t);
		t->fn(t);
	}
}

void iked_timers_free(void)
{
	free(heap);
	heap = NULL;
	heap_n = heap_cap = 0;
}

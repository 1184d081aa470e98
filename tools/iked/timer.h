/* SPDX-License-Identifier: GPL-2.0 */
/*
 * veil-iked's timers: retransmissions, rekeys, liveness checks, half-open
 * expiry. One binary heap on the monotonic clock; the event loop sleeps
 * until the earliest.
 */
#ifndef VEIL_IKED_TIMER_H
#define VEIL_IKED_TIMER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct iked_timer;
typedef void (*iked_timer_fn)(struct iked_timer *t);

/**
 * struct iked_timer - a timer, embedded in what it is for
 * @when: when it fires, in ms of the monotonic clock
 * @fn: what it calls (once; set it again to repeat)
 * @slot: its place in the heap, or 0 when it is not armed
 */
struct iked_timer {
	uint64_t when;
	iked_timer_fn fn;
	size_t slot;
};

#define iked_container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

uint64_t iked_now_ms(void);
void iked_timer_init(struct iked_timer *t, iked_timer_fn fn);
int iked_timer_set(struct iked_timer *t, uint64_t delay_ms);
void iked_timer_cancel(struct iked_timer *t);
bool iked_timer_armed(const struct iked_timer *t);
int iked_timers_wait_ms(void);
void iked_timers_run(void);
void iked_timers_free(void);

#endif /* VEIL_IKED_TIMER_H */

// SPDX-License-Identifier: GPL-2.0
/*
 * veil-iked's log. Each line names its subsystem, as charon's do
 * ("[IKE] ..."), so that a log can be filtered by it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>
#include <time.h>

#include "log.h"

static const char *const log_names[IKED_NSUBSYS] = { "CFG", "IKE", "NET", "ENC", "KNL", "CTL" };
static int log_levels[IKED_NSUBSYS] = { 1, 1, 1, 1, 1, 1 };
static bool log_stderr = true;

void iked_log_init(bool to_stderr, const int levels[IKED_NSUBSYS])
{
	int i;

	log_stderr = to_stderr;
	for (i = 0; levels && i < IKED_NSUBSYS; i++)
		log_levels[i] = levels[i];
	if (!to_stderr)
		openlog("veil-iked", LOG_PID, LOG_DAEMON);
}

void iked_log_set(enum iked_subsys s, int level)
{
	log_levels[s] = level;
}

bool iked_log_enabled(enum iked_subsys s, int level)
{
	return level <= log_levels[s];
}

void iked_log(enum iked_subsys s, int level, const char *fmt, ...)
{
	char line[1024];
	struct timespec ts;
	struct tm tm;
	va_list ap;

	if (!iked_log_enabled(s, level))
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (!log_stderr) {
		syslog(level ? LOG_INFO : LOG_NOTICE, "[%s] %s", log_names[s], line);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	fprintf(stderr, "%02d:%02d:%02d.%03ld [%s] %s\n", tm.tm_hour, tm.tm_min, tm.tm_sec,
		ts.tv_nsec / 1000000, log_names[s], line);
}

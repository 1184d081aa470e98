// SPDX-License-Identifier: GPL-2.0
/*
 * veil -batch FILE: one command per line, all over one netlink socket, as
 * ip -batch does. The family is resolved once, by the first line that
 * needs the kernel; every later line reuses the connection.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "veil.h"

#define BATCH_MAX_WORDS	256

/**
 * veil_batch() - run every line of @path ("-" for stdin)
 * @ctx: global options and the shared connection
 * @path: the batch file
 *
 * A failing line is reported as "veil: line N: ..."; the batch stops there
 * unless -force was given, in which case it goes on.
 *
 * Return: VEIL_EXIT_OK when every line succeeded, else VEIL_EXIT_FAIL.
 */
int veil_batch(struct veil_ctx *ctx, const char *path)
{
	char *argv[BATCH_MAX_WORDS + 1], *line = NULL;
	unsigned long lineno = 0;
	bool failed = false;
	size_t cap = 0;
	FILE *f;

	f = strcmp(path, "-") ? fopen(path, "re") : stdin;
	if (!f) {
		veil_err("cannot open batch file \"%s\": %s", path, strerror(errno));
		return VEIL_EXIT_FAIL;
	}
	while (getline(&line, &cap, f) >= 0) {
		struct veil_perr e;
		int argc, ret;

		veil_set_lineno(++lineno);
		argc = veil_split_line(line, argv, BATCH_MAX_WORDS, &e);
		if (!argc)
			continue;
		if (argc < 0) {
			veil_err("%s", e.msg);
			ret = VEIL_EXIT_USAGE;
		} else {
			argv[argc] = NULL;
			ret = veil_run(ctx, argc, argv);
		}
		if (ret) {
			failed = true;
			if (!ctx->force)
				break;
		}
	}
	veil_set_lineno(0);
	if (ferror(f)) {
		veil_err("cannot read batch file \"%s\": %s", path, strerror(errno));
		failed = true;
	}
	free(line);
	if (f != stdin)
		fclose(f);
	return failed ? VEIL_EXIT_FAIL : VEIL_EXIT_OK;
}

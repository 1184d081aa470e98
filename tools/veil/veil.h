/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VEIL_CLI_H
#define VEIL_CLI_H

#include <stdbool.h>
#include <json-c/json.h>

#include "nl.h"

/* Exit statuses, as documented in veil(8). */
enum {
	VEIL_EXIT_OK = 0,
	VEIL_EXIT_FAIL = 1,	/* the request failed, or veil.ko is not loaded */
	VEIL_EXIT_USAGE = 2,	/* unknown command, object or option */
};

/**
 * struct veil_ctx - options that apply to every command
 * @json: print JSON instead of text (-j)
 * @pretty: indent JSON (-p)
 */
struct veil_ctx {
	bool json;
	bool pretty;
};

/**
 * struct veil_cmd - one entry of a dispatch table
 * @name: the word on the command line
 * @fn: handler; gets argv after the word, returns an exit status
 * @help: one line for `veil help`
 */
struct veil_cmd {
	const char *name;
	int (*fn)(struct veil_ctx *ctx, int argc, char **argv);
	const char *help;
};

int veil_dispatch(struct veil_ctx *ctx, const struct veil_cmd *cmds,
		  const char *what, int argc, char **argv);
int veil_usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
void veil_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int veil_connect(struct veil_nl *nl);
void veil_print_json(const struct veil_ctx *ctx, struct json_object *obj);
void veil_usage(FILE *f);

int veil_cmd_info(struct veil_ctx *ctx, int argc, char **argv);
int veil_cmd_help(struct veil_ctx *ctx, int argc, char **argv);

#endif

// SPDX-License-Identifier: GPL-2.0
/*
 * Messages, exit statuses and JSON printing shared by every command.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "veil.h"

void veil_err(const char *fmt, ...)
{
	va_list ap;

	fputs("veil: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* A mistake on the command line: say what, show the grammar, exit 2. */
int veil_usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("veil: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	veil_usage(stderr);
	return VEIL_EXIT_USAGE;
}

/**
 * veil_connect() - open the veil family, explaining failure to the user
 * @nl: connection to open
 *
 * Return: VEIL_EXIT_OK, or VEIL_EXIT_FAIL after printing why.
 */
int veil_connect(struct veil_nl *nl)
{
	int ret = veil_nl_open(nl);

	if (ret == VEIL_NL_ENOFAMILY) {
		veil_err("the veil kernel module is not loaded; load it with 'modprobe veil'");
		return VEIL_EXIT_FAIL;
	}
	if (ret < 0) {
		veil_err("cannot talk to the kernel over generic netlink: %s",
			 strerror(-ret));
		return VEIL_EXIT_FAIL;
	}
	return VEIL_EXIT_OK;
}

void veil_print_json(const struct veil_ctx *ctx, struct json_object *obj)
{
	int flags = JSON_C_TO_STRING_NOSLASHESCAPE;

	flags |= ctx->pretty ? JSON_C_TO_STRING_PRETTY : JSON_C_TO_STRING_PLAIN;
	puts(json_object_to_json_string_ext(obj, flags));
}

/**
 * veil_dispatch() - run the entry of @cmds that argv[0] names
 * @ctx: global options
 * @cmds: table ending in a NULL name
 * @what: "object" or "command", for the error message
 * @argc: words left
 * @argv: words left; argv[0] picks the entry
 *
 * As in ip(8), any unambiguous prefix of a name selects it.
 *
 * Return: the handler's exit status, or VEIL_EXIT_USAGE.
 */
int veil_dispatch(struct veil_ctx *ctx, const struct veil_cmd *cmds,
		  const char *what, int argc, char **argv)
{
	const struct veil_cmd *c, *found = NULL;
	size_t len = strlen(argv[0]);

	for (c = cmds; c->name; c++) {
		if (!strcmp(c->name, argv[0]))
			return c->fn(ctx, argc - 1, argv + 1);
		if (len && !strncmp(c->name, argv[0], len)) {
			if (found)
				return veil_usage_error("%s \"%s\" is ambiguous",
							what, argv[0]);
			found = c;
		}
	}
	if (!found)
		return veil_usage_error("unknown %s \"%s\"", what, argv[0]);
	return found->fn(ctx, argc - 1, argv + 1);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Messages, exit statuses, the shared connection and JSON printing used by
 * every command.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "veil.h"

/* The -batch line being run, for messages; 0 outside -batch. */
static unsigned long veil_lineno;

void veil_set_lineno(unsigned long lineno)
{
	veil_lineno = lineno;
}

static void veil_vmsg(const char *fmt, va_list ap)
{
	fputs("veil: ", stderr);
	if (veil_lineno)
		fprintf(stderr, "line %lu: ", veil_lineno);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void veil_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	veil_vmsg(fmt, ap);
	va_end(ap);
}

/*
 * A mistake on the command line: say what, show the grammar, exit 2. In
 * -batch the grammar would repeat for every bad line, so only the line's
 * number and the reason are printed.
 */
int veil_usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	veil_vmsg(fmt, ap);
	va_end(ap);
	if (!veil_lineno)
		veil_usage(stderr);
	return VEIL_EXIT_USAGE;
}

/* As veil_usage_error(), with the grammar of one object. */
int veil_obj_usage_error(veil_usage_fn usage, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	veil_vmsg(fmt, ap);
	va_end(ap);
	if (!veil_lineno)
		usage(stderr);
	return VEIL_EXIT_USAGE;
}

int veil_parse_error(veil_usage_fn usage, const struct veil_perr *e)
{
	return veil_obj_usage_error(usage, "%s", e->msg);
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

/* Open @ctx's connection unless an earlier command did. */
int veil_ctx_open(struct veil_ctx *ctx)
{
	int ret;

	if (ctx->nl_open)
		return VEIL_EXIT_OK;
	ret = veil_connect(&ctx->nl);
	if (!ret)
		ctx->nl_open = true;
	return ret;
}

/**
 * veil_ctx_rtnl_open() - open @ctx's rtnetlink socket unless an earlier
 *	command did
 * @ctx: global options and connections
 *
 * Return: VEIL_EXIT_OK, or VEIL_EXIT_FAIL after printing why.
 */
int veil_ctx_rtnl_open(struct veil_ctx *ctx)
{
	int ret;

	if (ctx->rtnl_open)
		return VEIL_EXIT_OK;
	ret = veil_rtnl_open(&ctx->rtnl);
	if (ret < 0) {
		veil_err("cannot talk to the kernel over rtnetlink: %s",
			 veil_nl_strerror(&ctx->rtnl, ret));
		return VEIL_EXIT_FAIL;
	}
	ctx->rtnl_open = true;
	return VEIL_EXIT_OK;
}

void veil_ctx_close(struct veil_ctx *ctx)
{
	if (ctx->nl_open)
		veil_nl_close(&ctx->nl);
	ctx->nl_open = false;
	if (ctx->rtnl_open)
		veil_nl_close(&ctx->rtnl);
	ctx->rtnl_open = false;
}

/**
 * veil_ctx_request() - send @msg on @ctx's connection, report failure
 * @ctx: global options and connection (opened if need be)
 * @msg: request; consumed
 * @fn: reply handler, may be NULL
 * @arg: passed to @fn
 * @what: the command, for the message ("sa add")
 *
 * Return: VEIL_EXIT_OK, or VEIL_EXIT_FAIL after printing the kernel's
 * reason as it gave it.
 */
int veil_ctx_request(struct veil_ctx *ctx, struct nl_msg *msg,
		     veil_nl_reply_fn fn, void *arg, const char *what)
{
	int ret = veil_ctx_open(ctx);

	if (ret) {
		nlmsg_free(msg);
		return ret;
	}
	ret = veil_nl_request(&ctx->nl, msg, fn, arg);
	if (ret < 0) {
		veil_err("%s: %s", what, veil_nl_strerror(&ctx->nl, ret));
		return VEIL_EXIT_FAIL;
	}
	return VEIL_EXIT_OK;
}

/* A request with no attributes yet; running out of memory here is fatal. */
struct nl_msg *veil_msg_or_die(uint8_t cmd, int flags)
{
	struct nl_msg *msg = veil_nl_msg_new(cmd, flags);

	if (!msg) {
		veil_err("out of memory");
		exit(VEIL_EXIT_FAIL);
	}
	return msg;
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
 * @usage: the grammar to show when argv[0] names nothing
 * @argc: words left
 * @argv: words left; argv[0] picks the entry
 *
 * As in ip(8), any unambiguous prefix of a name selects it (but none
 * shorter than the entry's @min_abbrev); a prefix of several names for the
 * same handler (del, delete) is not ambiguous.
 *
 * Return: the handler's exit status, or VEIL_EXIT_USAGE.
 */
int veil_dispatch(struct veil_ctx *ctx, const struct veil_cmd *cmds,
		  const char *what, veil_usage_fn usage, int argc, char **argv)
{
	const struct veil_cmd *c, *found = NULL;
	size_t len = strlen(argv[0]);

	for (c = cmds; c->name; c++) {
		if (!strcmp(c->name, argv[0]))
			return c->fn(ctx, argc - 1, argv + 1);
		if (len && len >= c->min_abbrev && !strncmp(c->name, argv[0], len)) {
			if (found && found->fn != c->fn)
				return veil_obj_usage_error(usage, "%s \"%s\" is ambiguous",
							    what, argv[0]);
			found = c;
		}
	}
	if (!found)
		return veil_obj_usage_error(usage, "unknown %s \"%s\"", what, argv[0]);
	return found->fn(ctx, argc - 1, argv + 1);
}

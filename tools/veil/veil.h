/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VEIL_CLI_H
#define VEIL_CLI_H

#include <stdbool.h>
#include <stdio.h>
#include <json-c/json.h>

#include "nl.h"

struct veil_perr;

/* Exit statuses, as documented in veil(8). */
enum {
	VEIL_EXIT_OK = 0,
	VEIL_EXIT_FAIL = 1,	/* the request failed, or veil.ko is not loaded */
	VEIL_EXIT_USAGE = 2,	/* unknown command, object or option */
};

/**
 * struct veil_ctx - options that apply to every command, and the connection
 * @json: print JSON instead of text (-j)
 * @pretty: indent JSON (-p)
 * @stats: show counters and lifetimes (-s)
 * @keys: ask the kernel for keys and print them (--keys)
 * @force: in -batch, go on after a failing line (-force)
 * @nl: the connection, opened by the first command that needs it and kept
 *	for the next, so a -batch resolves the family once
 * @nl_open: @nl is open
 * @rtnl: an rtnetlink socket, for `veil link`; opened by the first command
 *	that needs it, after -n has entered the namespace, and kept likewise
 * @rtnl_open: @rtnl is open
 * @ike_ctl: veil-iked's control socket (--ctl), or NULL for the default
 */
struct veil_ctx {
	bool json;
	bool pretty;
	bool stats;
	bool keys;
	bool force;
	struct veil_nl nl;
	bool nl_open;
	struct veil_nl rtnl;
	bool rtnl_open;
	const char *ike_ctl;
};

/**
 * struct veil_cmd - one entry of a dispatch table
 * @name: the word on the command line
 * @fn: handler; gets argv after the word, returns an exit status
 * @help: one line for `veil help`
 * @min_abbrev: shortest prefix that selects it (0: any); a word added after
 *	ip's grammar sets it so that ip's abbreviations keep their meaning
 */
struct veil_cmd {
	const char *name;
	int (*fn)(struct veil_ctx *ctx, int argc, char **argv);
	const char *help;
	size_t min_abbrev;
};

typedef void (*veil_usage_fn)(FILE *f);

int veil_dispatch(struct veil_ctx *ctx, const struct veil_cmd *cmds,
		  const char *what, veil_usage_fn usage, int argc, char **argv);
int veil_usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
int veil_obj_usage_error(veil_usage_fn usage, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int veil_parse_error(veil_usage_fn usage, const struct veil_perr *e);
void veil_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void veil_set_lineno(unsigned long lineno);
int veil_connect(struct veil_nl *nl);
int veil_ctx_open(struct veil_ctx *ctx);
void veil_ctx_close(struct veil_ctx *ctx);
int veil_ctx_request(struct veil_ctx *ctx, struct nl_msg *msg,
		     veil_nl_reply_fn fn, void *arg, const char *what);
int veil_ctx_rtnl_open(struct veil_ctx *ctx);
struct nl_msg *veil_msg_or_die(uint8_t cmd, int flags);
void veil_print_json(const struct veil_ctx *ctx, struct json_object *obj);
void veil_usage(FILE *f);
int veil_run(struct veil_ctx *ctx, int argc, char **argv);

/**
 * struct veil_opts - the options main() acts on before running a command
 * @netns: -n NAME, or NULL
 * @batch: -batch FILE, or NULL
 * @next: index in argv of OBJECT (unless -batch)
 */
struct veil_opts {
	const char *netns;
	const char *batch;
	int next;
};

int veil_options(struct veil_ctx *ctx, int argc, char **argv, struct veil_opts *o);

/* print.c and json.c: an SA, a policy, an encap socket or a link from view.c */
struct veil_sa_view;
struct veil_policy_view;
struct veil_encap_sock_view;
struct veil_link_view;
void veil_sa_print(const struct veil_ctx *ctx, FILE *f, const struct veil_sa_view *v);
void veil_sa_print_id(FILE *f, const struct veil_sa_view *v);
void veil_policy_print(FILE *f, const struct veil_policy_view *v);
void veil_encap_sock_print(FILE *f, const struct veil_encap_sock_view *v);
void veil_link_print(FILE *f, const struct veil_link_view *v);
struct json_object *veil_sa_json(const struct veil_sa_view *v);
struct json_object *veil_policy_json(const struct veil_policy_view *v);
struct json_object *veil_encap_sock_json(const struct veil_encap_sock_view *v);
struct json_object *veil_link_json(const struct veil_link_view *v);

/* counts.c */
int veil_counts_show(struct veil_ctx *ctx, bool sa);

/* stats.c */
int veil_cmd_stats(struct veil_ctx *ctx, int argc, char **argv);
void veil_stats_usage(FILE *f);

int veil_cmd_info(struct veil_ctx *ctx, int argc, char **argv);
int veil_cmd_sa(struct veil_ctx *ctx, int argc, char **argv);
int veil_cmd_policy(struct veil_ctx *ctx, int argc, char **argv);
int veil_cmd_encap(struct veil_ctx *ctx, int argc, char **argv);
int veil_cmd_link(struct veil_ctx *ctx, int argc, char **argv);
int veil_cmd_monitor(struct veil_ctx *ctx, int argc, char **argv);
int veil_cmd_ike(struct veil_ctx *ctx, int argc, char **argv);
int veil_cmd_help(struct veil_ctx *ctx, int argc, char **argv);
int veil_batch(struct veil_ctx *ctx, const char *path);

void veil_sa_usage(FILE *f);
void veil_policy_usage(FILE *f);
void veil_encap_usage(FILE *f);
void veil_link_usage(FILE *f);
void veil_monitor_usage(FILE *f);
void veil_ike_usage(FILE *f);

/* ike_client.c */
struct json_object *veil_ike_request(struct veil_ctx *ctx, const char *cmd, const char *name,
				     bool quiet);

#endif

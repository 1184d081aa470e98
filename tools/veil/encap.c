// SPDX-License-Identifier: GPL-2.0
/*
 * veil encap: the UDP sockets on which veil takes UDP-encapsulated ESP
 * (RFC 3948 NAT traversal). veil opens and closes its own by family and
 * port; sockets a process (an IKE daemon) handed over are listed too.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/veil.h>
#include <netlink/genl/genl.h>

#include "parse.h"
#include "veil.h"
#include "view.h"

void veil_encap_usage(FILE *f)
{
	fputs("Usage: veil encap add port PORT [ family FAMILY ] [ local ADDR ]\n"
	      "       veil encap { del | delete } port PORT [ family FAMILY ]\n"
	      "       veil encap [ list | show ]\n"
	      "FAMILY := inet | inet6       (default: local's, else inet)\n", f);
}

static bool encap_help(int argc, char **argv)
{
	if (argc > 0 && !strcmp(argv[0], "help")) {
		veil_encap_usage(stdout);
		return true;
	}
	return false;
}

/* Build a request with @parse, then send it; both are silent on success. */
static int encap_simple(struct veil_ctx *ctx, int argc, char **argv, uint8_t cmd,
			int (*parse)(int, char **, struct nl_msg *, struct veil_perr *),
			const char *what)
{
	struct nl_msg *msg;
	struct veil_perr e;

	if (encap_help(argc, argv))
		return VEIL_EXIT_OK;
	msg = veil_msg_or_die(cmd, 0);
	if (parse(argc, argv, msg, &e)) {
		nlmsg_free(msg);
		return veil_parse_error(veil_encap_usage, &e);
	}
	return veil_ctx_request(ctx, msg, NULL, NULL, what);
}

static int encap_add(struct veil_ctx *ctx, int argc, char **argv)
{
	return encap_simple(ctx, argc, argv, VEIL_CMD_ENCAP_NEW, veil_encap_parse_new,
			    "encap add");
}

static int encap_del(struct veil_ctx *ctx, int argc, char **argv)
{
	return encap_simple(ctx, argc, argv, VEIL_CMD_ENCAP_DEL, veil_encap_parse_del,
			    "encap del");
}

struct encap_show {
	struct veil_ctx *ctx;
	struct json_object *out;	/* array for -j */
};

static int encap_show_reply(struct nlmsghdr *nlh, void *arg)
{
	struct genlmsghdr *g = nlmsg_data(nlh);
	struct encap_show *s = arg;
	struct veil_encap_sock_view v;

	if (veil_encap_sock_view_decode(genlmsg_attrdata(g, 0), genlmsg_attrlen(g, 0),
					&v) < 0)
		return -EBADMSG;
	if (s->ctx->json)
		json_object_array_add(s->out, veil_encap_sock_json(&v));
	else
		veil_encap_sock_print(stdout, &v);
	return 0;
}

static int encap_list(struct veil_ctx *ctx, int argc, char **argv)
{
	struct encap_show s = { .ctx = ctx };
	int ret;

	if (encap_help(argc, argv))
		return VEIL_EXIT_OK;
	if (argc)
		return veil_obj_usage_error(veil_encap_usage,
					    "encap list takes no arguments (got \"%s\")", argv[0]);
	if (ctx->json)
		s.out = json_object_new_array();
	ret = veil_ctx_request(ctx, veil_msg_or_die(VEIL_CMD_ENCAP_GET, NLM_F_DUMP),
			       encap_show_reply, &s, "encap list");
	if (!ret && ctx->json)
		veil_print_json(ctx, s.out);
	json_object_put(s.out);
	return ret;
}

static int encap_cmd_help(struct veil_ctx *ctx, int argc, char **argv)
{
	(void)ctx;
	(void)argc;
	(void)argv;
	veil_encap_usage(stdout);
	return VEIL_EXIT_OK;
}

static const struct veil_cmd encap_cmds[] = {
	{ "add", encap_add, "open a socket", 0 },
	{ "delete", encap_del, "close a socket veil opened", 0 },
	{ "del", encap_del, "close a socket veil opened", 0 },
	{ "list", encap_list, "show the sockets", 0 },
	{ "show", encap_list, "show the sockets", 0 },
	{ "help", encap_cmd_help, "show the grammar", 0 },
	{ NULL, NULL, NULL, 0 },
};

int veil_cmd_encap(struct veil_ctx *ctx, int argc, char **argv)
{
	if (!argc)
		return encap_list(ctx, 0, argv);
	return veil_dispatch(ctx, encap_cmds, "encap command", veil_encap_usage,
			     argc, argv);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * veil sa (alias state): the security association database, in the
 * grammar of `ip xfrm state`.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/veil.h>
#include <netlink/genl/genl.h>

#include "parse.h"
#include "veil.h"
#include "view.h"

void veil_sa_usage(FILE *f)
{
	fputs("Usage: veil sa { add | update } ID ALGO-LIST [ mode MODE ] [ reqid REQID ]\n"
	      "        [ if_id IF_ID ] [ replay-window SIZE ] [ replay-seq SEQ ]\n"
	      "        [ replay-oseq SEQ ] [ replay-seq-hi SEQ ] [ replay-oseq-hi SEQ ]\n"
	      "        [ flag FLAG-LIST ] [ sel SELECTOR ] [ LIMIT-LIST ] [ encap ENCAP ]\n"
	      "       veil sa { del | delete | get } [ src ADDR ] dst ADDR proto XFRM-PROTO spi SPI\n"
	      "       veil sa { list | show } [ src ADDR[/PLEN] ] [ dst ADDR[/PLEN] ]\n"
	      "        [ proto XFRM-PROTO ] [ spi SPI ] [ reqid REQID ] [ mode MODE ]\n"
	      "       veil sa flush [ proto XFRM-PROTO ]\n"
	      "       veil sa count\n"
	      "ID := src ADDR dst ADDR proto XFRM-PROTO spi SPI\n"
	      "XFRM-PROTO := esp | ah\n"
	      "ALGO-LIST := [ ALGO-LIST ] ALGO\n"
	      "ALGO := { enc | auth } ALGO-NAME KEY |\n"
	      "        auth-trunc ALGO-NAME KEY TRUNC-BITS |\n"
	      "        aead ALGO-NAME KEY ICV-BITS\n"
	      "KEY := 0xHEX | STRING | @FILE       (FILE holds the key as hex text)\n"
	      "MODE := transport | tunnel\n"
	      "FLAG-LIST := [ FLAG-LIST ] FLAG\n"
	      "FLAG := esn | align4\n"
	      "SELECTOR := [ src ADDR[/PLEN] ] [ dst ADDR[/PLEN] ]\n"
	      "            [ proto PROTO [ sport PORT ] [ dport PORT ] ]\n"
	      "LIMIT-LIST := [ LIMIT-LIST ] limit LIMIT\n"
	      "LIMIT := { time-soft | time-hard | time-use-soft | time-use-hard } SECONDS |\n"
	      "         { byte-soft | byte-hard } SIZE | { packet-soft | packet-hard } COUNT\n"
	      "ENCAP := { espinudp | espinudp-nonike } SPORT DPORT OADDR\n", f);
}

static bool sa_help(int argc, char **argv)
{
	if (argc > 0 && !strcmp(argv[0], "help")) {
		veil_sa_usage(stdout);
		return true;
	}
	return false;
}

/* Build a request with @parse, then send it. */
static int sa_simple(struct veil_ctx *ctx, int argc, char **argv, uint8_t cmd,
		     int (*parse)(int, char **, struct nl_msg *, struct veil_perr *),
		     const char *what)
{
	struct nl_msg *msg;
	struct veil_perr e;

	if (sa_help(argc, argv))
		return VEIL_EXIT_OK;
	msg = veil_msg_or_die(cmd, 0);
	if (parse(argc, argv, msg, &e)) {
		nlmsg_free(msg);
		return veil_parse_error(veil_sa_usage, &e);
	}
	return veil_ctx_request(ctx, msg, NULL, NULL, what);
}

static int sa_add(struct veil_ctx *ctx, int argc, char **argv)
{
	return sa_simple(ctx, argc, argv, VEIL_CMD_SA_NEW, veil_sa_parse_new, "sa add");
}

static int sa_update(struct veil_ctx *ctx, int argc, char **argv)
{
	return sa_simple(ctx, argc, argv, VEIL_CMD_SA_UPDATE, veil_sa_parse_new,
			 "sa update");
}

static int sa_del(struct veil_ctx *ctx, int argc, char **argv)
{
	return sa_simple(ctx, argc, argv, VEIL_CMD_SA_DEL, veil_sa_parse_id, "sa del");
}

static int sa_flush(struct veil_ctx *ctx, int argc, char **argv)
{
	return sa_simple(ctx, argc, argv, VEIL_CMD_SA_FLUSH, veil_sa_parse_flush,
			 "sa flush");
}

struct sa_show {
	struct veil_ctx *ctx;
	struct veil_filter filter;
	struct json_object *out;	/* array (list) or object (get) for -j */
	bool one;
};

/* Each SA of a dump or get: filter, then print it or keep it for JSON. */
static int sa_show_reply(struct nlmsghdr *nlh, void *arg)
{
	struct genlmsghdr *g = nlmsg_data(nlh);
	struct nlattr *tb[VEIL_A_SA_MAX + 1], *attrs = genlmsg_attrdata(g, 0);
	int len = genlmsg_attrlen(g, 0);
	struct sa_show *s = arg;
	struct veil_sa_view v;

	if (nla_parse(tb, VEIL_A_SA_MAX, attrs, len, NULL) < 0)
		return -EBADMSG;
	if (!veil_sa_filter_match(&s->filter, tb))
		return 0;
	if (veil_sa_view_decode(s->ctx, attrs, len, &v) < 0)
		return -EBADMSG;
	if (!s->ctx->json) {
		veil_sa_print(s->ctx, stdout, &v);
	} else if (s->one) {
		json_object_put(s->out);
		s->out = veil_sa_json(&v);
	} else {
		json_object_array_add(s->out, veil_sa_json(&v));
	}
	return 0;
}

static int sa_show(struct veil_ctx *ctx, struct nl_msg *msg, struct sa_show *s,
		   const char *what)
{
	int ret;

	if (ctx->keys && nla_put_flag(msg, VEIL_A_SA_KEYS)) {
		nlmsg_free(msg);
		veil_err("%s: request too large", what);
		return VEIL_EXIT_FAIL;
	}
	s->ctx = ctx;
	if (ctx->json)
		s->out = s->one ? NULL : json_object_new_array();
	ret = veil_ctx_request(ctx, msg, sa_show_reply, s, what);
	if (!ret && ctx->json && s->out)
		veil_print_json(ctx, s->out);
	json_object_put(s->out);
	return ret;
}

static int sa_get(struct veil_ctx *ctx, int argc, char **argv)
{
	struct sa_show s = { .one = true };
	struct nl_msg *msg;
	struct veil_perr e;

	if (sa_help(argc, argv))
		return VEIL_EXIT_OK;
	msg = veil_msg_or_die(VEIL_CMD_SA_GET, 0);
	if (veil_sa_parse_id(argc, argv, msg, &e)) {
		nlmsg_free(msg);
		return veil_parse_error(veil_sa_usage, &e);
	}
	return sa_show(ctx, msg, &s, "sa get");
}

static int sa_list(struct veil_ctx *ctx, int argc, char **argv)
{
	struct sa_show s = { .one = false };
	struct veil_perr e;

	if (sa_help(argc, argv))
		return VEIL_EXIT_OK;
	if (veil_sa_parse_filter(argc, argv, &s.filter, &e))
		return veil_parse_error(veil_sa_usage, &e);
	return sa_show(ctx, veil_msg_or_die(VEIL_CMD_SA_GET, NLM_F_DUMP), &s, "sa list");
}

static int sa_count(struct veil_ctx *ctx, int argc, char **argv)
{
	if (sa_help(argc, argv))
		return VEIL_EXIT_OK;
	if (argc)
		return veil_obj_usage_error(veil_sa_usage, "sa count takes no arguments (got \"%s\")",
					    argv[0]);
	return veil_counts_show(ctx, true);
}

static int sa_cmd_help(struct veil_ctx *ctx, int argc, char **argv)
{
	(void)ctx;
	(void)argc;
	(void)argv;
	veil_sa_usage(stdout);
	return VEIL_EXIT_OK;
}

static const struct veil_cmd sa_cmds[] = {
	{ "add", sa_add, "add an SA", 0 },
	{ "update", sa_update, "replace an SA", 0 },
	{ "delete", sa_del, "delete an SA", 0 },
	{ "del", sa_del, "delete an SA", 0 },
	{ "get", sa_get, "show one SA", 0 },
	{ "list", sa_list, "show SAs", 0 },
	{ "show", sa_list, "show SAs", 0 },
	{ "flush", sa_flush, "delete every SA", 0 },
	{ "count", sa_count, "count SAs", 0 },
	{ "help", sa_cmd_help, "show the grammar", 0 },
	{ NULL, NULL, NULL, 0 },
};

int veil_cmd_sa(struct veil_ctx *ctx, int argc, char **argv)
{
	if (!argc)
		return sa_list(ctx, 0, argv);
	return veil_dispatch(ctx, sa_cmds, "sa command", veil_sa_usage, argc, argv);
}

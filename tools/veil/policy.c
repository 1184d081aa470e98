// SPDX-License-Identifier: GPL-2.0
/*
 * veil policy: the security policy database, in the grammar of
 * `ip xfrm policy`.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/veil.h>
#include <netlink/genl/genl.h>

#include "parse.h"
#include "veil.h"
#include "view.h"

void veil_policy_usage(FILE *f)
{
	fputs("Usage: veil policy { add | update } SELECTOR dir DIR [ action ACTION ]\n"
	      "        [ priority PRIORITY ] [ if_id IF_ID ] [ TMPL-LIST ]\n"
	      "       veil policy { del | delete | get } { SELECTOR dir DIR [ if_id IF_ID ] |\n"
	      "        index INDEX }\n"
	      "       veil policy { list | show } [ src ADDR[/PLEN] ] [ dst ADDR[/PLEN] ]\n"
	      "        [ dir DIR ]\n"
	      "       veil policy lookup src ADDR dst ADDR\n"
	      "        [ proto PROTO [ sport PORT ] [ dport PORT ] ] dir DIR [ if_id IF_ID ]\n"
	      "       veil policy flush\n"
	      "       veil policy count\n"
	      "SELECTOR := [ src ADDR[/PLEN] ] [ dst ADDR[/PLEN] ]\n"
	      "            [ proto PROTO [ sport PORT ] [ dport PORT ] ]\n"
	      "DIR := in | out | fwd\n"
	      "ACTION := allow | block\n"
	      "TMPL-LIST := [ TMPL-LIST ] tmpl TMPL\n"
	      "TMPL := [ src ADDR ] [ dst ADDR ] [ proto XFRM-PROTO ] [ spi SPI ]\n"
	      "        [ mode MODE ] [ reqid REQID ] [ level LEVEL ]\n"
	      "XFRM-PROTO := esp | ah\n"
	      "MODE := transport | tunnel\n"
	      "LEVEL := required | use\n", f);
}

static bool policy_help(int argc, char **argv)
{
	if (argc > 0 && !strcmp(argv[0], "help")) {
		veil_policy_usage(stdout);
		return true;
	}
	return false;
}

struct policy_show {
	struct veil_ctx *ctx;
	struct veil_filter filter;
	struct json_object *out;	/* array (list) or object (get) for -j */
	bool one;
};

static int policy_show_reply(struct nlmsghdr *nlh, void *arg)
{
	struct genlmsghdr *g = nlmsg_data(nlh);
	struct nlattr *tb[VEIL_A_POLICY_MAX + 1], *attrs = genlmsg_attrdata(g, 0);
	int len = genlmsg_attrlen(g, 0);
	struct policy_show *s = arg;
	struct veil_policy_view v;

	if (nla_parse(tb, VEIL_A_POLICY_MAX, attrs, len, NULL) < 0)
		return -EBADMSG;
	if (!veil_policy_filter_match(&s->filter, tb))
		return 0;
	if (veil_policy_view_decode(attrs, len, &v) < 0)
		return -EBADMSG;
	if (!s->ctx->json) {
		veil_policy_print(stdout, &v);
	} else if (s->one) {
		json_object_put(s->out);
		s->out = veil_policy_json(&v);
	} else {
		json_object_array_add(s->out, veil_policy_json(&v));
	}
	return 0;
}

/* policy-new and policy-update answer with the policy's index. */
static int policy_index_reply(struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *tb[VEIL_A_POLICY_MAX + 1];
	long long *index = arg;

	if (genlmsg_parse(nlh, 0, tb, VEIL_A_POLICY_MAX, NULL) < 0)
		return -EBADMSG;
	if (tb[VEIL_A_POLICY_INDEX])
		*index = nla_get_u32(tb[VEIL_A_POLICY_INDEX]);
	return 0;
}

static int policy_new(struct veil_ctx *ctx, int argc, char **argv, uint8_t cmd,
		      const char *what)
{
	long long index = -1;
	struct nl_msg *msg;
	struct veil_perr e;
	int ret;

	if (policy_help(argc, argv))
		return VEIL_EXIT_OK;
	msg = veil_msg_or_die(cmd, 0);
	if (veil_policy_parse_new(argc, argv, msg, &e)) {
		nlmsg_free(msg);
		return veil_parse_error(veil_policy_usage, &e);
	}
	ret = veil_ctx_request(ctx, msg, policy_index_reply, &index, what);
	/* Text stays silent, as ip is; JSON tells scripts the new index. */
	if (!ret && ctx->json && index >= 0) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "index", json_object_new_int64(index));
		veil_print_json(ctx, o);
		json_object_put(o);
	}
	return ret;
}

static int policy_add(struct veil_ctx *ctx, int argc, char **argv)
{
	return policy_new(ctx, argc, argv, VEIL_CMD_POLICY_NEW, "policy add");
}

static int policy_update(struct veil_ctx *ctx, int argc, char **argv)
{
	return policy_new(ctx, argc, argv, VEIL_CMD_POLICY_UPDATE, "policy update");
}

static int policy_del(struct veil_ctx *ctx, int argc, char **argv)
{
	struct nl_msg *msg;
	struct veil_perr e;

	if (policy_help(argc, argv))
		return VEIL_EXIT_OK;
	msg = veil_msg_or_die(VEIL_CMD_POLICY_DEL, 0);
	if (veil_policy_parse_id(argc, argv, msg, &e)) {
		nlmsg_free(msg);
		return veil_parse_error(veil_policy_usage, &e);
	}
	return veil_ctx_request(ctx, msg, NULL, NULL, "policy del");
}

static int policy_show(struct veil_ctx *ctx, struct nl_msg *msg,
		       struct policy_show *s, const char *what)
{
	int ret;

	s->ctx = ctx;
	if (ctx->json)
		s->out = s->one ? NULL : json_object_new_array();
	ret = veil_ctx_request(ctx, msg, policy_show_reply, s, what);
	if (!ret && ctx->json && s->out)
		veil_print_json(ctx, s->out);
	json_object_put(s->out);
	return ret;
}

typedef int (*policy_parse_fn)(int argc, char **argv, struct nl_msg *msg,
			       struct veil_perr *e);

/* A request answered with one policy: get names it, lookup names a flow. */
static int policy_show_one(struct veil_ctx *ctx, int argc, char **argv, uint8_t cmd,
			   policy_parse_fn parse, const char *what)
{
	struct policy_show s = { .one = true };
	struct nl_msg *msg;
	struct veil_perr e;

	if (policy_help(argc, argv))
		return VEIL_EXIT_OK;
	msg = veil_msg_or_die(cmd, 0);
	if (parse(argc, argv, msg, &e)) {
		nlmsg_free(msg);
		return veil_parse_error(veil_policy_usage, &e);
	}
	return policy_show(ctx, msg, &s, what);
}

static int policy_get(struct veil_ctx *ctx, int argc, char **argv)
{
	return policy_show_one(ctx, argc, argv, VEIL_CMD_POLICY_GET, veil_policy_parse_id,
			       "policy get");
}

static int policy_lookup(struct veil_ctx *ctx, int argc, char **argv)
{
	return policy_show_one(ctx, argc, argv, VEIL_CMD_POLICY_LOOKUP,
			       veil_policy_parse_lookup, "policy lookup");
}

static int policy_list(struct veil_ctx *ctx, int argc, char **argv)
{
	struct policy_show s = { .one = false };
	struct veil_perr e;

	if (policy_help(argc, argv))
		return VEIL_EXIT_OK;
	if (veil_policy_parse_filter(argc, argv, &s.filter, &e))
		return veil_parse_error(veil_policy_usage, &e);
	return policy_show(ctx, veil_msg_or_die(VEIL_CMD_POLICY_GET, NLM_F_DUMP), &s,
			   "policy list");
}

static int policy_flush(struct veil_ctx *ctx, int argc, char **argv)
{
	if (policy_help(argc, argv))
		return VEIL_EXIT_OK;
	if (argc)
		return veil_obj_usage_error(veil_policy_usage,
					    "policy flush takes no arguments (got \"%s\")", argv[0]);
	return veil_ctx_request(ctx, veil_msg_or_die(VEIL_CMD_POLICY_FLUSH, 0), NULL,
				NULL, "policy flush");
}

static int policy_count(struct veil_ctx *ctx, int argc, char **argv)
{
	if (policy_help(argc, argv))
		return VEIL_EXIT_OK;
	if (argc)
		return veil_obj_usage_error(veil_policy_usage,
					    "policy count takes no arguments (got \"%s\")", argv[0]);
	return veil_counts_show(ctx, false);
}

static int policy_cmd_help(struct veil_ctx *ctx, int argc, char **argv)
{
	(void)ctx;
	(void)argc;
	(void)argv;
	veil_policy_usage(stdout);
	return VEIL_EXIT_OK;
}

static const struct veil_cmd policy_cmds[] = {
	{ "add", policy_add, "add a policy", 0 },
	{ "update", policy_update, "replace or add a policy", 0 },
	{ "delete", policy_del, "delete a policy", 0 },
	{ "del", policy_del, "delete a policy", 0 },
	{ "get", policy_get, "show one policy", 0 },
	{ "list", policy_list, "show policies", 0 },
	{ "show", policy_list, "show policies", 0 },
	/* "l" stays list, as in ip xfrm policy: lookup needs at least "lo". */
	{ "lookup", policy_lookup, "which policy a flow gets", 2 },
	{ "flush", policy_flush, "delete every policy", 0 },
	{ "count", policy_count, "count policies per direction", 0 },
	{ "help", policy_cmd_help, "show the grammar", 0 },
	{ NULL, NULL, NULL, 0 },
};

int veil_cmd_policy(struct veil_ctx *ctx, int argc, char **argv)
{
	if (!argc)
		return policy_list(ctx, 0, argv);
	return veil_dispatch(ctx, policy_cmds, "policy command", veil_policy_usage,
			     argc, argv);
}

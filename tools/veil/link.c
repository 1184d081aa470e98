// SPDX-License-Identifier: GPL-2.0
/*
 * veil link: route-based IPsec interfaces, the rtnetlink link kind "veil"
 * that veil.ko registers (as XFRM's "xfrm"). ip(8) creates one with
 * `ip link add NAME type veil`, but cannot pass the kind's if_id; veil
 * speaks rtnetlink itself for that, on libnl-3 alone, and lists and
 * deletes only links of its kind.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <linux/rtnetlink.h>

#include "parse.h"
#include "veil.h"
#include "view.h"

void veil_link_usage(FILE *f)
{
	fputs("Usage: veil link add [ name ] NAME [ if_id IF_ID ]\n"
	      "       veil link { del | delete } [ dev ] NAME\n"
	      "       veil link [ list | show ] [ [ dev ] NAME ]\n"
	      "IF_ID := 1 to 4294967295      (default: the lowest free in the namespace)\n",
	      f);
}

static bool link_help(int argc, char **argv)
{
	if (argc > 0 && !strcmp(argv[0], "help")) {
		veil_link_usage(stdout);
		return true;
	}
	return false;
}

/* A request with no attributes yet; running out of memory here is fatal. */
static struct nl_msg *link_msg_or_die(int type, int flags)
{
	struct nl_msg *msg = veil_link_msg_new(type, flags);

	if (!msg) {
		veil_err("out of memory");
		exit(VEIL_EXIT_FAIL);
	}
	return msg;
}

/**
 * link_request() - send @msg on @ctx's rtnetlink socket, report failure
 * @ctx: global options and connections (the socket is opened if need be)
 * @msg: request; consumed
 * @fn: reply handler, may be NULL
 * @arg: passed to @fn
 * @what: the command, for the message ("link add")
 * @name: the interface @msg names, for "cannot find device"; may be NULL
 *
 * Return: VEIL_EXIT_OK, or VEIL_EXIT_FAIL after printing the kernel's
 * reason as it gave it.
 */
static int link_request(struct veil_ctx *ctx, struct nl_msg *msg,
			veil_nl_reply_fn fn, void *arg, const char *what,
			const char *name)
{
	int type = nlmsg_hdr(msg)->nlmsg_type;
	const char *why;
	int ret;

	ret = veil_ctx_rtnl_open(ctx);
	if (ret) {
		nlmsg_free(msg);
		return ret;
	}
	ret = veil_nl_transact(&ctx->rtnl, msg, fn, arg);
	if (!ret)
		return VEIL_EXIT_OK;
	why = veil_nl_strerror(&ctx->rtnl, ret);
	if (ret == -ENODEV && name && !ctx->rtnl.extack[0])
		veil_err("%s: cannot find device \"%s\"", what, name);
	else if (ret == -EOPNOTSUPP && type == RTM_NEWLINK)
		/* The kernel knows no kind "veil" (and could not load it). */
		veil_err("%s: %s; is the veil kernel module loaded? load it with 'modprobe veil'",
			 what, why);
	else
		veil_err("%s: %s", what, why);
	return VEIL_EXIT_FAIL;
}

static int link_add(struct veil_ctx *ctx, int argc, char **argv)
{
	struct nl_msg *msg;
	struct veil_perr e;

	if (link_help(argc, argv))
		return VEIL_EXIT_OK;
	msg = link_msg_or_die(RTM_NEWLINK, 0);
	if (veil_link_parse_add(argc, argv, msg, &e)) {
		nlmsg_free(msg);
		return veil_parse_error(veil_link_usage, &e);
	}
	return link_request(ctx, msg, NULL, NULL, "link add", NULL);
}

/* " (its kind is \"dummy\")", or " (it has no link kind)", for @v. */
static const char *link_kind_note(const struct veil_link_view *v, char *buf, size_t len)
{
	if (v->kind[0])
		snprintf(buf, len, "its kind is \"%s\"", v->kind);
	else
		snprintf(buf, len, "it has no link kind");
	return buf;
}

/* The one link an RTM_GETLINK by name answers with. */
static int link_lookup_reply(struct nlmsghdr *nlh, void *arg)
{
	struct veil_link_view *v = arg;

	return veil_link_view_decode(nlh, v) < 0 ? -EBADMSG : 0;
}

/*
 * Look NAME up first and delete only a link of kind "veil"; the deletion
 * then names it by the index found as well as by name, so that another
 * interface renamed to NAME in between is not the one deleted.
 */
static int link_del(struct veil_ctx *ctx, int argc, char **argv)
{
	struct veil_link_view v = { .ifindex = 0 };
	char name[IFNAMSIZ], note[64];
	struct nl_msg *msg, *get;
	struct ifinfomsg *ifi;
	struct veil_perr e;
	int ret;

	if (link_help(argc, argv))
		return VEIL_EXIT_OK;
	msg = link_msg_or_die(RTM_DELLINK, 0);
	if (veil_link_parse_del(argc, argv, msg, &e)) {
		nlmsg_free(msg);
		return veil_parse_error(veil_link_usage, &e);
	}
	snprintf(name, sizeof(name), "%s", veil_link_msg_name(msg));
	get = link_msg_or_die(RTM_GETLINK, 0);
	if (veil_link_put_name(get, name, &e)) {
		nlmsg_free(get);
		nlmsg_free(msg);
		veil_err("link del: %s", e.msg);
		return VEIL_EXIT_FAIL;
	}
	ret = link_request(ctx, get, link_lookup_reply, &v, "link del", name);
	if (ret) {
		nlmsg_free(msg);
		return ret;
	}
	if (!v.is_veil || v.ifindex <= 0) {
		nlmsg_free(msg);
		veil_err("link del: \"%s\" is not a veil interface (%s); delete it with ip link del",
			 name, link_kind_note(&v, note, sizeof(note)));
		return VEIL_EXIT_FAIL;
	}
	ifi = nlmsg_data(nlmsg_hdr(msg));
	ifi->ifi_index = v.ifindex;
	return link_request(ctx, msg, NULL, NULL, "link del", name);
}

struct link_show {
	struct veil_ctx *ctx;
	struct json_object *out;	/* array for -j */
	bool by_name;			/* one link asked for by name */
	bool not_veil;			/* ... and it is not of kind veil */
	struct veil_link_view other;	/* then, that link */
};

/* Each link of the dump (or the one asked for): veil's are printed. */
static int link_show_reply(struct nlmsghdr *nlh, void *arg)
{
	struct link_show *s = arg;
	struct veil_link_view v;

	if (veil_link_view_decode(nlh, &v) < 0)
		return -EBADMSG;
	if (!v.is_veil) {
		if (s->by_name) {
			s->not_veil = true;
			s->other = v;
		}
		return 0;
	}
	if (s->ctx->json)
		json_object_array_add(s->out, veil_link_json(&v));
	else
		veil_link_print(stdout, &v);
	return 0;
}

static int link_list(struct veil_ctx *ctx, int argc, char **argv)
{
	struct link_show s = { .ctx = ctx };
	char name[IFNAMSIZ] = "", note[64];
	struct nl_msg *msg;
	struct veil_perr e;
	int ret;

	if (link_help(argc, argv))
		return VEIL_EXIT_OK;
	msg = link_msg_or_die(RTM_GETLINK, 0);
	if (veil_link_parse_show(argc, argv, msg, &e)) {
		nlmsg_free(msg);
		return veil_parse_error(veil_link_usage, &e);
	}
	if (veil_link_msg_name(msg)) {
		snprintf(name, sizeof(name), "%s", veil_link_msg_name(msg));
		s.by_name = true;
	}
	if (ctx->json)
		s.out = json_object_new_array();
	ret = link_request(ctx, msg, link_show_reply, &s, "link show",
			   s.by_name ? name : NULL);
	if (!ret && s.not_veil) {
		veil_err("link show: \"%s\" is not a veil interface (%s)", name,
			 link_kind_note(&s.other, note, sizeof(note)));
		ret = VEIL_EXIT_FAIL;
	}
	if (!ret && ctx->json)
		veil_print_json(ctx, s.out);
	json_object_put(s.out);
	return ret;
}

static int link_cmd_help(struct veil_ctx *ctx, int argc, char **argv)
{
	(void)ctx;
	(void)argc;
	(void)argv;
	veil_link_usage(stdout);
	return VEIL_EXIT_OK;
}

static const struct veil_cmd link_cmds[] = {
	{ "add", link_add, "create a veil interface", 0 },
	{ "delete", link_del, "delete a veil interface", 0 },
	{ "del", link_del, "delete a veil interface", 0 },
	{ "list", link_list, "show veil interfaces", 0 },
	{ "show", link_list, "show veil interfaces", 0 },
	{ "help", link_cmd_help, "show the grammar", 0 },
	{ NULL, NULL, NULL, 0 },
};

int veil_cmd_link(struct veil_ctx *ctx, int argc, char **argv)
{
	if (!argc)
		return link_list(ctx, 0, argv);
	return veil_dispatch(ctx, link_cmds, "link command", veil_link_usage,
			     argc, argv);
}

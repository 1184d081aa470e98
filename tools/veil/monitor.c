// SPDX-License-Identifier: GPL-2.0
/*
 * veil monitor: print the family's notifications as they arrive, as
 * `ip xfrm monitor` does.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <linux/veil.h>
#include <netlink/genl/genl.h>

#include "veil.h"

void veil_monitor_usage(FILE *f)
{
	fputs("Usage: veil monitor [ all | sa | policy ]\n", f);
}

static volatile sig_atomic_t monitor_stop;

static void monitor_on_signal(int sig)
{
	(void)sig;
	monitor_stop = 1;
}

struct monitor {
	struct veil_ctx *ctx;
	bool sa, policy;
};

/* {"event": ..., then the SA's or policy's fields} */
static struct json_object *monitor_json(const char *event, struct json_object *obj)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "event", json_object_new_string(event));
	json_object_object_foreach(obj, k, v)
		json_object_object_add(o, k, json_object_get(v));
	json_object_put(obj);
	return o;
}

static int monitor_event(struct nlmsghdr *nlh, void *arg)
{
	struct genlmsghdr *g = nlmsg_data(nlh);
	struct nlattr *attrs = genlmsg_attrdata(g, 0), *hard;
	int len = genlmsg_attrlen(g, 0);
	struct monitor *m = arg;
	struct json_object *obj;
	const char *event, *text;
	bool sa = true;

	switch (g->cmd) {
	case VEIL_CMD_SA_NEW_NTF:
		event = "sa-new", text = "Added SA ";
		break;
	case VEIL_CMD_SA_DEL_NTF:
		event = "sa-del", text = "Deleted SA ";
		break;
	case VEIL_CMD_SA_EXPIRE_NTF:
		event = "sa-expire", text = "Expired SA ";
		break;
	case VEIL_CMD_POLICY_NEW_NTF:
		event = "policy-new", text = "Added policy ", sa = false;
		break;
	case VEIL_CMD_POLICY_DEL_NTF:
		event = "policy-del", text = "Deleted policy ", sa = false;
		break;
	default:
		return 0;	/* from a newer module: not ours to guess */
	}
	if (sa ? !m->sa : !m->policy)
		return 0;

	obj = sa ? veil_sa_json(m->ctx, attrs, len) : veil_policy_json(attrs, len);
	if (g->cmd == VEIL_CMD_SA_EXPIRE_NTF) {
		/* The event names the SA only: no mode or flags to default. */
		json_object_object_del(obj, "mode");
		json_object_object_del(obj, "flags");
		hard = nla_find(attrs, len, VEIL_A_SA_HARD);
		json_object_object_add(obj, "hard", json_object_new_boolean(!!hard));
	}
	if (m->ctx->json) {
		obj = monitor_json(event, obj);
		veil_print_json(m->ctx, obj);
	} else {
		fputs(text, stdout);
		if (g->cmd == VEIL_CMD_SA_EXPIRE_NTF) {
			veil_sa_print_id(stdout, obj);
			puts(json_object_get_boolean(json_object_object_get(obj, "hard")) ?
			     " hard" : " soft");
		} else if (sa) {
			veil_sa_print(m->ctx, stdout, obj);
		} else {
			veil_policy_print(stdout, obj);
		}
	}
	json_object_put(obj);
	fflush(stdout);
	return 0;
}

int veil_cmd_monitor(struct veil_ctx *ctx, int argc, char **argv)
{
	struct monitor m = { .ctx = ctx, .sa = true, .policy = true };
	struct sigaction sa = { .sa_handler = monitor_on_signal };
	int ret;

	if (argc > 0 && !strcmp(argv[0], "help")) {
		veil_monitor_usage(stdout);
		return VEIL_EXIT_OK;
	}
	if (argc > 1)
		return veil_obj_usage_error(veil_monitor_usage,
					    "monitor takes one of all, sa, policy (got \"%s\")",
					    argv[1]);
	if (argc == 1) {
		if (!strcmp(argv[0], "sa") || !strcmp(argv[0], "state"))
			m.policy = false;
		else if (!strcmp(argv[0], "policy"))
			m.sa = false;
		else if (strcmp(argv[0], "all"))
			return veil_obj_usage_error(veil_monitor_usage,
						    "unknown event class \"%s\"", argv[0]);
	}

	ret = veil_ctx_open(ctx);
	if (ret)
		return ret;
	ret = veil_nl_subscribe(&ctx->nl, VEIL_MCGRP_EVENTS);
	if (ret < 0) {
		veil_err("monitor: %s", veil_nl_strerror(&ctx->nl, ret));
		return VEIL_EXIT_FAIL;
	}
	/* No SA_RESTART: the signal must end the wait in poll(). */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	for (;;) {
		ret = veil_nl_listen(&ctx->nl, monitor_event, &m, &monitor_stop);
		if (ret != -ENOBUFS)
			break;
		veil_err("monitor: events were lost (the socket's buffer overflowed)");
	}
	fflush(stdout);
	if (ret < 0) {
		veil_err("monitor: %s", veil_nl_strerror(&ctx->nl, ret));
		return VEIL_EXIT_FAIL;
	}
	return VEIL_EXIT_OK;
}

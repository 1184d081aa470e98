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
#include "view.h"

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
	struct nlattr *attrs = genlmsg_attrdata(g, 0);
	int len = genlmsg_attrlen(g, 0);
	bool sa = true, expire = g->cmd == VEIL_CMD_SA_EXPIRE_NTF, hard = false;
	struct monitor *m = arg;
	struct veil_policy_view pol;
	struct veil_sa_view sav;
	struct json_object *obj;
	const char *event, *text;
	int ret;

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
	case VEIL_CMD_ACQUIRE_NTF:
		event = "acquire", text = "Acquire for policy ", sa = false;
		break;
	default:
		return 0;	/* from a newer module: not ours to guess */
	}
	if (sa ? !m->sa : !m->policy)
		return 0;

	ret = sa ? veil_sa_view_decode(m->ctx, attrs, len, &sav) :
		   veil_policy_view_decode(attrs, len, &pol);
	if (ret < 0)
		return 0;	/* unreadable: skip it, as one from a newer module */
	/* The event names the SA only: no mode or flags to default. */
	if (expire) {
		sav.has &= ~(VEIL_BIT(VEIL_A_SA_MODE) | VEIL_BIT(VEIL_A_SA_FLAGS));
		hard = VEIL_HAS(&sav, VEIL_A_SA_HARD);
	}
	if (m->ctx->json) {
		obj = sa ? veil_sa_json(&sav) : veil_policy_json(&pol);
		if (expire)
			json_object_object_add(obj, "hard", json_object_new_boolean(hard));
		obj = monitor_json(event, obj);
		veil_print_json(m->ctx, obj);
		json_object_put(obj);
	} else {
		fputs(text, stdout);
		if (expire) {
			veil_sa_print_id(stdout, &sav);
			puts(hard ? " hard" : " soft");
		} else if (sa) {
			veil_sa_print(m->ctx, stdout, &sav);
		} else {
			veil_policy_print(stdout, &pol);
		}
	}
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

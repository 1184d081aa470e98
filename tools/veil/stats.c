// SPDX-License-Identifier: GPL-2.0
/*
 * veil stats: the namespace's datapath counters (what veil protected and
 * accepted, and every packet it dropped, by reason) and its TLS sockets
 * and record errors, from one stats-get request.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/veil.h>
#include <netlink/genl/genl.h>

#include "veil.h"

/* The counters in the order they are printed, named as in the spec. */
static const struct {
	int attr;
	const char *name;
} stats_counters[] = {
	{ VEIL_A_NET_STATS_IN_PACKETS, "in-packets" },
	{ VEIL_A_NET_STATS_IN_BYTES, "in-bytes" },
	{ VEIL_A_NET_STATS_OUT_PACKETS, "out-packets" },
	{ VEIL_A_NET_STATS_OUT_BYTES, "out-bytes" },
	{ VEIL_A_NET_STATS_REPLAY_DROPS, "replay-drops" },
	{ VEIL_A_NET_STATS_INTEGRITY_FAILURES, "integrity-failures" },
	{ VEIL_A_NET_STATS_BAD_PADDING, "bad-padding" },
	{ VEIL_A_NET_STATS_POLICY_DROPS, "policy-drops" },
	{ VEIL_A_NET_STATS_CLEARTEXT_DROPS, "cleartext-drops" },
	{ VEIL_A_NET_STATS_NO_SA, "no-sa" },
	{ VEIL_A_NET_STATS_BLOCKED, "blocked" },
	{ VEIL_A_NET_STATS_TOO_BIG, "too-big" },
	{ VEIL_A_NET_STATS_EXPIRED, "expired" },
	{ VEIL_A_NET_STATS_OTHER_DROPS, "other-drops" },
	{ VEIL_A_NET_STATS_TLS_TX_CURRENT, "tls-tx-current" },
	{ VEIL_A_NET_STATS_TLS_RX_CURRENT, "tls-rx-current" },
	{ VEIL_A_NET_STATS_TLS_TX_TOTAL, "tls-tx-total" },
	{ VEIL_A_NET_STATS_TLS_RX_TOTAL, "tls-rx-total" },
	{ VEIL_A_NET_STATS_TLS_DECRYPT_ERRORS, "tls-decrypt-errors" },
	{ VEIL_A_NET_STATS_TLS_REKEYS, "tls-rekeys" },
	{ VEIL_A_NET_STATS_TLS_TX_LOST, "tls-tx-lost" },
};

/* Every attribute but pad is a counter, and each is printed. */
_Static_assert(sizeof(stats_counters) / sizeof(stats_counters[0]) ==
	       VEIL_A_NET_STATS_MAX - VEIL_A_NET_STATS_PAD,
	       "stats_counters lacks a VEIL_A_NET_STATS_* counter");

struct net_stats {
	uint64_t v[VEIL_A_NET_STATS_MAX + 1];
};

static int stats_reply(struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *tb[VEIL_A_NET_STATS_MAX + 1];
	struct net_stats *s = arg;
	int i;

	if (genlmsg_parse(nlh, 0, tb, VEIL_A_NET_STATS_MAX, NULL) < 0)
		return -EBADMSG;
	for (i = VEIL_A_NET_STATS_PAD + 1; i <= VEIL_A_NET_STATS_MAX; i++)
		if (tb[i])
			s->v[i] = nla_get_u64(tb[i]);
	return 0;
}

void veil_stats_usage(FILE *f)
{
	fputs("Usage: veil stats [ show ]\n", f);
}

/* Counters the kernel did not send read as 0, as in the SA stats nest. */
static int stats_show(struct veil_ctx *ctx, int argc, char **argv)
{
	struct net_stats s = { { 0 } };
	struct json_object *o;
	size_t i;
	int ret;

	if (argc > 0 && !strcmp(argv[0], "help")) {
		veil_stats_usage(stdout);
		return VEIL_EXIT_OK;
	}
	if (argc)
		return veil_obj_usage_error(veil_stats_usage,
					    "stats show takes no arguments (got \"%s\")",
					    argv[0]);

	ret = veil_ctx_request(ctx, veil_msg_or_die(VEIL_CMD_STATS_GET, 0),
			       stats_reply, &s, "stats show");
	if (ret)
		return ret;
	if (ctx->json) {
		o = json_object_new_object();
		for (i = 0; i < sizeof(stats_counters) / sizeof(stats_counters[0]); i++)
			json_object_object_add(o, stats_counters[i].name,
					       json_object_new_uint64(s.v[stats_counters[i].attr]));
		veil_print_json(ctx, o);
		json_object_put(o);
	} else {
		for (i = 0; i < sizeof(stats_counters) / sizeof(stats_counters[0]); i++)
			printf("%s %llu\n", stats_counters[i].name,
			       (unsigned long long)s.v[stats_counters[i].attr]);
	}
	return VEIL_EXIT_OK;
}

static int stats_cmd_help(struct veil_ctx *ctx, int argc, char **argv)
{
	(void)ctx;
	(void)argc;
	(void)argv;
	veil_stats_usage(stdout);
	return VEIL_EXIT_OK;
}

static const struct veil_cmd stats_cmds[] = {
	{ "show", stats_show, "show the counters", 0 },
	{ "help", stats_cmd_help, "show the grammar", 0 },
	{ NULL, NULL, NULL, 0 },
};

int veil_cmd_stats(struct veil_ctx *ctx, int argc, char **argv)
{
	if (!argc)
		return stats_show(ctx, 0, argv);
	return veil_dispatch(ctx, stats_cmds, "stats command", veil_stats_usage,
			     argc, argv);
}

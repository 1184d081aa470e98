// SPDX-License-Identifier: GPL-2.0
/*
 * veil sa count, veil policy count: the sizes of the namespace's databases,
 * from one counts request.
 */
#include <errno.h>
#include <stdio.h>
#include <linux/veil.h>
#include <netlink/genl/genl.h>

#include "veil.h"

struct counts {
	uint32_t v[VEIL_A_COUNTS_MAX + 1];
};

static int counts_reply(struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *tb[VEIL_A_COUNTS_MAX + 1];
	struct counts *c = arg;
	int i;

	if (genlmsg_parse(nlh, 0, tb, VEIL_A_COUNTS_MAX, NULL) < 0)
		return -EBADMSG;
	for (i = 1; i <= VEIL_A_COUNTS_MAX; i++)
		if (tb[i])
			c->v[i] = nla_get_u32(tb[i]);
	return 0;
}

static void counts_add(struct json_object *o, const char *k, uint32_t v)
{
	json_object_object_add(o, k, json_object_new_uint64(v));
}

/**
 * veil_counts_show() - print the SAD or SPD sizes as ip xfrm count does
 * @ctx: global options and connection
 * @sa: the SAD ("SAD count N"); else the SPD, per direction
 *
 * Return: an exit status.
 */
int veil_counts_show(struct veil_ctx *ctx, bool sa)
{
	struct counts c = { { 0 } };
	struct json_object *o;
	int ret;

	ret = veil_ctx_request(ctx, veil_msg_or_die(VEIL_CMD_COUNTS, 0),
			       counts_reply, &c, sa ? "sa count" : "policy count");
	if (ret)
		return ret;
	if (ctx->json) {
		o = json_object_new_object();
		if (sa) {
			counts_add(o, "sa-count", c.v[VEIL_A_COUNTS_SA_COUNT]);
			counts_add(o, "sa-limit", c.v[VEIL_A_COUNTS_SA_LIMIT]);
		} else {
			counts_add(o, "policy-in", c.v[VEIL_A_COUNTS_POLICY_IN]);
			counts_add(o, "policy-out", c.v[VEIL_A_COUNTS_POLICY_OUT]);
			counts_add(o, "policy-fwd", c.v[VEIL_A_COUNTS_POLICY_FWD]);
		}
		veil_print_json(ctx, o);
		json_object_put(o);
	} else if (sa) {
		printf("SAD count %u\n", c.v[VEIL_A_COUNTS_SA_COUNT]);
		if (ctx->stats)
			printf("SAD limit %u\n", c.v[VEIL_A_COUNTS_SA_LIMIT]);
	} else {
		printf("SPD IN %u -- SPD OUT %u -- SPD FWD %u\n",
		       c.v[VEIL_A_COUNTS_POLICY_IN], c.v[VEIL_A_COUNTS_POLICY_OUT],
		       c.v[VEIL_A_COUNTS_POLICY_FWD]);
	}
	return VEIL_EXIT_OK;
}

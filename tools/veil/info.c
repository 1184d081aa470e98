// SPDX-License-Identifier: GPL-2.0
/*
 * veil info: the module's version and the algorithms it can offer.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/veil.h>
#include <netlink/genl/genl.h>

#include "veil.h"

static const char *const alg_type_names[] = {
	[VEIL_ALG_TYPE_AEAD] = "aead",
	[VEIL_ALG_TYPE_CIPHER] = "cipher",
	[VEIL_ALG_TYPE_AUTH] = "auth",
};

static const struct {
	unsigned int bit;
	const char *name;
} alg_use_names[] = {
	{ VEIL_ALG_USE_ESP, "esp" },
	{ VEIL_ALG_USE_AH, "ah" },
	{ VEIL_ALG_USE_TLS, "tls" },
};

static struct json_object *info_alg(struct nlattr *nest)
{
	struct nlattr *tb[VEIL_A_ALG_MAX + 1];
	struct json_object *alg, *uses;
	unsigned int type = 0, mask = 0;
	size_t i;

	if (nla_parse_nested(tb, VEIL_A_ALG_MAX, nest, NULL) < 0 ||
	    !tb[VEIL_A_ALG_NAME])
		return NULL;
	if (tb[VEIL_A_ALG_TYPE])
		type = nla_get_u32(tb[VEIL_A_ALG_TYPE]);
	if (tb[VEIL_A_ALG_USES])
		mask = nla_get_u32(tb[VEIL_A_ALG_USES]);

	alg = json_object_new_object();
	json_object_object_add(alg, "name",
			       json_object_new_string(nla_get_string(tb[VEIL_A_ALG_NAME])));
	json_object_object_add(alg, "type", json_object_new_string(
		type < sizeof(alg_type_names) / sizeof(alg_type_names[0]) &&
		alg_type_names[type] ? alg_type_names[type] : "unknown"));
	uses = json_object_new_array();
	for (i = 0; i < sizeof(alg_use_names) / sizeof(alg_use_names[0]); i++)
		if (mask & alg_use_names[i].bit)
			json_object_array_add(uses, json_object_new_string(alg_use_names[i].name));
	json_object_object_add(alg, "uses", uses);
	json_object_object_add(alg, "available",
			       json_object_new_boolean(!!tb[VEIL_A_ALG_AVAILABLE]));
	return alg;
}

/* Turns the one reply into {"version": ..., "algorithms": [...]}. */
static int info_reply(struct nlmsghdr *nlh, void *arg)
{
	struct json_object *out = arg, *algs;
	struct nlattr *tb[VEIL_A_INFO_MAX + 1];
	struct nlattr *a;
	int rem;

	if (genlmsg_parse(nlh, 0, tb, VEIL_A_INFO_MAX, NULL) < 0)
		return -EBADMSG;
	if (tb[VEIL_A_INFO_VERSION])
		json_object_object_add(out, "version", json_object_new_string(
			nla_get_string(tb[VEIL_A_INFO_VERSION])));

	algs = json_object_new_array();
	nlmsg_for_each_attr(a, nlh, GENL_HDRLEN, rem) {
		struct json_object *alg;

		if (nla_type(a) != VEIL_A_INFO_ALG)
			continue;
		alg = info_alg(a);
		if (!alg) {
			json_object_put(algs);
			return -EBADMSG;
		}
		json_object_array_add(algs, alg);
	}
	json_object_object_add(out, "algorithms", algs);
	return 0;
}

static void info_print_text(struct json_object *out)
{
	struct json_object *algs, *alg, *v;
	size_t i, j, n;

	printf("veil %s\n", json_object_get_string(json_object_object_get(out, "version")));
	algs = json_object_object_get(out, "algorithms");
	n = json_object_array_length(algs);
	printf("%-32s %-7s %-10s %s\n", "algorithm", "type", "use", "available");
	for (i = 0; i < n; i++) {
		char uses[32] = "";

		alg = json_object_array_get_idx(algs, i);
		v = json_object_object_get(alg, "uses");
		for (j = 0; j < json_object_array_length(v); j++) {
			if (j)
				strcat(uses, ",");
			strncat(uses, json_object_get_string(json_object_array_get_idx(v, j)),
				sizeof(uses) - strlen(uses) - 1);
		}
		printf("%-32s %-7s %-10s %s\n",
		       json_object_get_string(json_object_object_get(alg, "name")),
		       json_object_get_string(json_object_object_get(alg, "type")),
		       uses,
		       json_object_get_boolean(json_object_object_get(alg, "available")) ?
		       "yes" : "no");
	}
}

int veil_cmd_info(struct veil_ctx *ctx, int argc, char **argv)
{
	struct json_object *out;
	int ret;

	if (argc > 0 && !strcmp(argv[0], "help")) {
		puts("Usage: veil info");
		return VEIL_EXIT_OK;
	}
	if (argc > 0)
		return veil_usage_error("info takes no arguments (got \"%s\")", argv[0]);

	out = json_object_new_object();
	ret = veil_ctx_request(ctx, veil_msg_or_die(VEIL_CMD_INFO, 0), info_reply,
			       out, "info");
	if (!ret) {
		if (ctx->json)
			veil_print_json(ctx, out);
		else
			info_print_text(out);
	}
	json_object_put(out);
	return ret;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * veil - configure the veil IPsec and TLS offload module.
 *
 *   veil [ OPTIONS ] OBJECT { COMMAND | help }
 *
 * Grammar and output follow ip(8) wherever the two overlap.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "veil.h"

static const struct veil_cmd veil_objects[] = {
	{ "info", veil_cmd_info, "show the module version and the algorithms it offers" },
	{ "help", veil_cmd_help, "show this text" },
	{ NULL, NULL, NULL },
};

void veil_usage(FILE *f)
{
	const struct veil_cmd *c;

	fprintf(f,
		"Usage: veil [ OPTIONS ] OBJECT { COMMAND | help }\n"
		"       veil -V\n"
		"where  OBJECT := { info | help }\n"
		"       OPTIONS := { -j[son] | -p[retty] | -n[etns] NAME | -V[ersion] | -h[elp] }\n"
		"\n");
	for (c = veil_objects; c->name; c++)
		fprintf(f, "  %-6s %s\n", c->name, c->help);
}

int veil_cmd_help(struct veil_ctx *ctx, int argc, char **argv)
{
	(void)ctx;
	(void)argc;
	(void)argv;
	veil_usage(stdout);
	return VEIL_EXIT_OK;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "netns", required_argument, NULL, 'n' },
		{ "Version", no_argument, NULL, 'V' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct veil_ctx ctx = { 0 };
	const char *netns = NULL;
	char why[320];
	int c;

	opterr = 0;
	/* '+': options end at the object, as with ip(8). */
	while ((c = getopt_long(argc, argv, "+:jpn:Vh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			ctx.json = true;
			break;
		case 'p':
			ctx.pretty = true;
			break;
		case 'n':
			netns = optarg;
			break;
		case 'V':
			printf("veil %s\n", VEIL_VERSION);
			return VEIL_EXIT_OK;
		case 'h':
			veil_usage(stdout);
			return VEIL_EXIT_OK;
		case ':':
			return veil_usage_error("option \"%s\" needs an argument",
						argv[optind - 1]);
		default:
			return veil_usage_error("unknown option \"%s\"",
						argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return veil_usage_error("no object given");

	if (netns && veil_netns_enter(netns, why, sizeof(why)) < 0) {
		veil_err("%s", why);
		return VEIL_EXIT_FAIL;
	}
	return veil_dispatch(&ctx, veil_objects, "object", argc - optind,
			     argv + optind);
}

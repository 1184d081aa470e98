// SPDX-License-Identifier: GPL-2.0
/*
 * veil - configure the veil IPsec and TLS offload module.
 *
 *   veil [ OPTIONS ] OBJECT { COMMAND | help }
 *   veil [ OPTIONS ] -batch FILE [ -force ]
 *
 * Grammar and output follow ip(8) wherever the two overlap.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "veil.h"

static const struct veil_cmd veil_objects[] = {
	{ "sa", veil_cmd_sa, "security associations (as ip xfrm state)", 0 },
	{ "state", veil_cmd_sa, "the same as sa", 0 },
	{ "policy", veil_cmd_policy, "security policies (as ip xfrm policy)", 0 },
	{ "monitor", veil_cmd_monitor, "print SA and policy events as they happen", 0 },
	{ "info", veil_cmd_info, "show the module version and the algorithms it offers", 0 },
	/* Not in ip's grammar: "s", "st" and "stat" keep meaning state. */
	{ "stats", veil_cmd_stats, "show the namespace's packet and drop counters", 5 },
	/* Not in ip's grammar either: "e" and "en" are left free. */
	{ "encap", veil_cmd_encap, "sockets for UDP-encapsulated ESP (NAT traversal)", 3 },
	/* As ip's link object: no other object starts with "l". */
	{ "link", veil_cmd_link, "route-based IPsec interfaces (link kind veil)", 0 },
	/* Not in ip's grammar: "i" keeps meaning info. */
	{ "ike", veil_cmd_ike, "veil-iked's IKE SAs, through its control socket", 2 },
	{ "help", veil_cmd_help, "show this text", 0 },
	{ NULL, NULL, NULL, 0 },
};

void veil_usage(FILE *f)
{
	const struct veil_cmd *c;

	fprintf(f,
		"Usage: veil [ OPTIONS ] OBJECT { COMMAND | help }\n"
		"       veil [ OPTIONS ] -batch FILE [ -force ]\n"
		"       veil -V\n"
		"where  OBJECT := { sa | state | policy | monitor | info | stats | encap |\n"
		"                   link | ike | help }\n"
		"       OPTIONS := { -j[son] | -p[retty] | -s[tatistics] | --keys |\n"
		"                    -n[etns] NAME | -b[atch] FILE | -force |\n"
		"                    --ctl PATH |\n"
		"                    -V[ersion] | -h[elp] }\n"
		"\n");
	for (c = veil_objects; c->name; c++)
		fprintf(f, "  %-8s %s\n", c->name, c->help);
}

int veil_cmd_help(struct veil_ctx *ctx, int argc, char **argv)
{
	(void)ctx;
	(void)argc;
	(void)argv;
	veil_usage(stdout);
	return VEIL_EXIT_OK;
}

/*
 * A list of 100k SAs is some 14 MB of text. To a pipe or a file, stdio
 * would write it a block (4 KiB) at a time; 64 KiB takes a sixteenth of
 * the write() calls. A terminal keeps its line buffering.
 */
static char veil_stdout_buf[64 << 10];

/* Run one command line (after the options): from argv, or a -batch line. */
int veil_run(struct veil_ctx *ctx, int argc, char **argv)
{
	return veil_dispatch(ctx, veil_objects, "object", veil_usage, argc, argv);
}

int main(int argc, char **argv)
{
	/* getopt_long_only, so that ip's -batch and -force work as typed. */
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "stats", no_argument, NULL, 's' },
		{ "statistics", no_argument, NULL, 's' },
		{ "keys", no_argument, NULL, 'k' },
		{ "netns", required_argument, NULL, 'n' },
		{ "batch", required_argument, NULL, 'b' },
		{ "force", no_argument, NULL, 'f' },
		{ "ctl", required_argument, NULL, 'c' },
		{ "Version", no_argument, NULL, 'V' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct veil_ctx ctx = { 0 };
	const char *netns = NULL, *batch = NULL;
	char why[320];
	int c, ret;

	/* Before anything is printed, as setvbuf() requires. */
	if (!isatty(STDOUT_FILENO))
		setvbuf(stdout, veil_stdout_buf, _IOFBF, sizeof(veil_stdout_buf));
	opterr = 0;
	/* '+': options end at the object, as with ip(8). */
	while ((c = getopt_long_only(argc, argv, "+:jpsn:b:fVh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			ctx.json = true;
			break;
		case 'p':
			ctx.pretty = true;
			break;
		case 's':
			ctx.stats = true;
			break;
		case 'k':
			ctx.keys = true;
			break;
		case 'n':
			netns = optarg;
			break;
		case 'b':
			batch = optarg;
			break;
		case 'f':
			ctx.force = true;
			break;
		case 'c':
			ctx.ike_ctl = optarg;
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
	if (batch && optind < argc)
		return veil_usage_error("-batch takes no command (got \"%s\")", argv[optind]);
	if (!batch && optind >= argc)
		return veil_usage_error("no object given");
	if (ctx.force && !batch)
		return veil_usage_error("-force is only for -batch");

	if (netns && veil_netns_enter(netns, why, sizeof(why)) < 0) {
		veil_err("%s", why);
		return VEIL_EXIT_FAIL;
	}
	if (batch)
		ret = veil_batch(&ctx, batch);
	else
		ret = veil_run(&ctx, argc - optind, argv + optind);
	veil_ctx_close(&ctx);
	return ret;
}

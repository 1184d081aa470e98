// SPDX-License-Identifier: GPL-2.0
/*
 * What veil does with its command line before any socket is open: the
 * options, and the table of objects a command starts with. main.c runs
 * them; the CLI's fuzz target (veil/fuzz_cli.c) runs them without main().
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

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

/* Run one command line (after the options): from argv, or a -batch line. */
int veil_run(struct veil_ctx *ctx, int argc, char **argv)
{
	return veil_dispatch(ctx, veil_objects, "object", veil_usage, argc, argv);
}

/**
 * veil_options() - the options before OBJECT
 * @ctx: filled with the options that apply to every command
 * @argc: as main() got it
 * @argv: as main() got it
 * @o: filled with the options main() acts on itself, and where OBJECT is
 *
 * Return: -1 to go on with argv[@o->next], else the exit status: after
 * -V or -h, or after explaining a mistake.
 */
int veil_options(struct veil_ctx *ctx, int argc, char **argv, struct veil_opts *o)
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
	int c;

	memset(o, 0, sizeof(*o));
	opterr = 0;
	/* 0, not 1: getopt starts afresh, should anything have run it before. */
	optind = 0;
	/* '+': options end at the object, as with ip(8). */
	while ((c = getopt_long_only(argc, argv, "+:jpsn:b:fVh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			ctx->json = true;
			break;
		case 'p':
			ctx->pretty = true;
			break;
		case 's':
			ctx->stats = true;
			break;
		case 'k':
			ctx->keys = true;
			break;
		case 'n':
			o->netns = optarg;
			break;
		case 'b':
			o->batch = optarg;
			break;
		case 'f':
			ctx->force = true;
			break;
		case 'c':
			ctx->ike_ctl = optarg;
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
	if (o->batch && optind < argc)
		return veil_usage_error("-batch takes no command (got \"%s\")", argv[optind]);
	if (!o->batch && optind >= argc)
		return veil_usage_error("no object given");
	if (ctx->force && !o->batch)
		return veil_usage_error("-force is only for -batch");
	o->next = optind;
	return -1;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for veil's command line: everything the CLI does before
 * it talks to the kernel or to veil-iked.
 *
 * The input is read as a -batch file is: one command per line, split into
 * words by veil_split_line(), quotes and all. A line also holds the
 * options, as the words after "veil" on a shell's command line do
 * ("-j sa add src ..."), and goes through veil_options() and veil_run():
 * every object's dispatch, parser and refusal runs as it does for a user.
 *
 * The kernel and the daemon begin where this file stands in for them: nl.c,
 * events.c and ike_client.c are not linked. A socket "opens"; every request
 * sent on it must be well-formed netlink (else abort()), and is refused
 * with EPERM, so that no reply handler runs. veil-iked is never running.
 * A line with -batch stops after its options (no file is read), and -n is
 * not acted on (it is main()'s, not linked either). A word that starts with
 * @ may name a key file: the target moves it under /nonexistent, which
 * never exists, so no file is opened.
 *
 * What veil prints goes to /dev/null, unless VEIL_FUZZ_OUTPUT is set in the
 * environment (to see what a crashing input made veil say).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/rtnetlink.h>
#include <netlink/genl/genl.h>

#include "parse.h"
#include "veil.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CLI_FUZZ_WORDS		256	/* as -batch allows */
#define CLI_FUZZ_FAMILY		0x1234	/* the family id the fake kernel gives */
#define CLI_FUZZ_NOWHERE	"@/nonexistent/veil-fuzz/"

/* Where the target's own complaint goes: stderr, even when veil's does not. */
static FILE *cli_fuzz_err;

#define CLI_FUZZ_ASSERT(cond)						\
	do {								\
		if (!(cond))						\
			cli_fuzz_die(__LINE__, #cond);			\
	} while (0)

__attribute__((noreturn))
static void cli_fuzz_die(int line, const char *what)
{
	fprintf(cli_fuzz_err, "fuzz_cli.c:%d: broken promise: %s\n", line, what);
	abort();
}

/* --- the kernel, as far as the CLI can reach it --- */

int veil_nl_open(struct veil_nl *nl)
{
	memset(nl, 0, sizeof(*nl));
	nl->family = CLI_FUZZ_FAMILY;
	return 0;
}

int veil_rtnl_open(struct veil_nl *nl)
{
	memset(nl, 0, sizeof(*nl));
	return 0;
}

void veil_nl_close(struct veil_nl *nl)
{
	(void)nl;
}

/* Attributes that fill @len exactly, and so does each nest's content. */
static void cli_fuzz_check_attrs(struct nlattr *head, int len, int depth)
{
	struct nlattr *nla;
	int rem;

	CLI_FUZZ_ASSERT(depth < 8);
	nla_for_each_attr(nla, head, len, rem) {
		CLI_FUZZ_ASSERT(nla_type(nla) != 0);
		if (nla->nla_type & NLA_F_NESTED)
			cli_fuzz_check_attrs(nla_data(nla), nla_len(nla), depth + 1);
	}
	CLI_FUZZ_ASSERT(rem == 0);
}

/*
 * A request is one netlink message: the family's header (genetlink's, or
 * an ifinfomsg on rtnetlink), then attributes that fill it exactly.
 */
static void cli_fuzz_check_request(const struct veil_nl *nl, struct nl_msg *msg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	int hdrlen = nl->family ? GENL_HDRLEN : (int)sizeof(struct ifinfomsg);

	CLI_FUZZ_ASSERT(nlh->nlmsg_len >= NLMSG_HDRLEN);
	if (nl->family) {
		CLI_FUZZ_ASSERT(nlh->nlmsg_type == nl->family);
	} else {
		CLI_FUZZ_ASSERT(nlh->nlmsg_type == RTM_NEWLINK || nlh->nlmsg_type == RTM_DELLINK ||
				nlh->nlmsg_type == RTM_GETLINK);
	}
	CLI_FUZZ_ASSERT(nlmsg_valid_hdr(nlh, hdrlen));
	cli_fuzz_check_attrs(nlmsg_attrdata(nlh, hdrlen), nlmsg_attrlen(nlh, hdrlen), 0);
}

int veil_nl_transact(struct veil_nl *nl, struct nl_msg *msg, veil_nl_reply_fn fn, void *arg)
{
	(void)fn;
	(void)arg;
	cli_fuzz_check_request(nl, msg);
	nlmsg_free(msg);
	nl->extack[0] = '\0';
	return -EPERM;
}

int veil_nl_request(struct veil_nl *nl, struct nl_msg *msg, veil_nl_reply_fn fn, void *arg)
{
	nlmsg_hdr(msg)->nlmsg_type = nl->family;
	return veil_nl_transact(nl, msg, fn, arg);
}

const char *veil_nl_strerror(const struct veil_nl *nl, int err)
{
	return nl->extack[0] ? nl->extack : strerror(-err);
}

int veil_nl_subscribe(struct veil_nl *nl, const char *group)
{
	(void)nl;
	CLI_FUZZ_ASSERT(!strcmp(group, VEIL_MCGRP_EVENTS));
	return -EPERM;
}

/* Nothing is ever subscribed, so nothing is listened to. */
int veil_nl_listen(struct veil_nl *nl, veil_nl_reply_fn fn, void *arg,
		   volatile sig_atomic_t *stop)
{
	(void)nl;
	(void)fn;
	(void)arg;
	(void)stop;
	cli_fuzz_die(__LINE__, "veil_nl_listen() without a subscription");
}

int veil_nl_drain(struct veil_nl *nl, veil_nl_reply_fn fn, void *arg)
{
	(void)nl;
	(void)fn;
	(void)arg;
	cli_fuzz_die(__LINE__, "veil_nl_drain() without a subscription");
}

/* --- veil-iked, which is not running --- */

struct json_object *veil_ike_request(struct veil_ctx *ctx, const char *cmd, const char *name,
				     bool quiet)
{
	(void)ctx;
	(void)quiet;
	CLI_FUZZ_ASSERT(cmd && *cmd);
	CLI_FUZZ_ASSERT(!name || strlen(name) < 65536);
	veil_err("veil-iked is not running");
	return NULL;
}

/* --- the command lines --- */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	FILE *null;

	(void)argc;
	(void)argv;
	cli_fuzz_err = stderr;
	if (getenv("VEIL_FUZZ_OUTPUT"))
		return 0;
	null = fopen("/dev/null", "w");
	if (!null) {
		perror("/dev/null");
		exit(1);
	}
	/* glibc's stdout and stderr are variables, to be set like any other. */
	stdout = null;
	stderr = null;
	return 0;
}

/* One line: its words, with the options first, as main() would take them. */
static void cli_fuzz_line(char *line)
{
	char *argv[CLI_FUZZ_WORDS + 2], *moved[CLI_FUZZ_WORDS];
	struct veil_ctx ctx = { 0 };
	struct veil_opts o;
	struct veil_perr e;
	int argc, i, nmoved = 0, ret;

	argv[0] = "veil";
	argc = veil_split_line(line, argv + 1, CLI_FUZZ_WORDS, &e);
	if (argc < 0) {
		CLI_FUZZ_ASSERT(e.msg[0] && memchr(e.msg, 0, sizeof(e.msg)));
		return;
	}
	if (!argc)
		return;
	argc++;
	argv[argc] = NULL;
	for (i = 1; i < argc; i++) {
		if (argv[i][0] != '@')
			continue;
		moved[nmoved] = malloc(sizeof(CLI_FUZZ_NOWHERE) + strlen(argv[i]));
		if (!moved[nmoved])
			goto out;
		strcpy(moved[nmoved], CLI_FUZZ_NOWHERE);
		strcat(moved[nmoved], argv[i] + 1);
		argv[i] = moved[nmoved++];
	}

	ret = veil_options(&ctx, argc, argv, &o);
	if (ret < 0 && !o.batch) {
		CLI_FUZZ_ASSERT(o.next >= 1 && o.next < argc);
		ret = veil_run(&ctx, argc - o.next, argv + o.next);
	}
	CLI_FUZZ_ASSERT(ret == -1 || ret == VEIL_EXIT_OK || ret == VEIL_EXIT_FAIL ||
			ret == VEIL_EXIT_USAGE);
	veil_ctx_close(&ctx);
out:
	while (nmoved)
		free(moved[--nmoved]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size, *nl;
	char *line;
	size_t len;

	while (p < end) {
		nl = memchr(p, '\n', end - p);
		len = (nl ? nl : end) - p;
		/* Its own allocation, of its own size: ASan sees any overrun. */
		line = malloc(len + 1);
		if (!line)
			return 0;
		memcpy(line, p, len);
		line[len] = '\0';
		cli_fuzz_line(line);
		free(line);
		p += len + 1;
	}
	fflush(stdout);
	fflush(stderr);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * veil - configure the veil IPsec and TLS offload module.
 *
 *   veil [ OPTIONS ] OBJECT { COMMAND | help }
 *   veil [ OPTIONS ] -batch FILE [ -force ]
 *
 * Grammar and output follow ip(8) wherever the two overlap.
 */
#include <stdio.h>
#include <unistd.h>

#include "veil.h"

/*
 * A list of 100k SAs is some 14 MB of text. To a pipe or a file, stdio
 * would write it a block (4 KiB) at a time; 64 KiB takes a sixteenth of
 * the write() calls. A terminal keeps its line buffering.
 */
static char veil_stdout_buf[64 << 10];

int main(int argc, char **argv)
{
	struct veil_ctx ctx = { 0 };
	struct veil_opts o;
	char why[320];
	int ret;

	/* Before anything is printed, as setvbuf() requires. */
	if (!isatty(STDOUT_FILENO))
		setvbuf(stdout, veil_stdout_buf, _IOFBF, sizeof(veil_stdout_buf));
	ret = veil_options(&ctx, argc, argv, &o);
	if (ret >= 0)
		return ret;
	if (o.netns && veil_netns_enter(o.netns, why, sizeof(why)) < 0) {
		veil_err("%s", why);
		return VEIL_EXIT_FAIL;
	}
	if (o.batch)
		ret = veil_batch(&ctx, o.batch);
	else
		ret = veil_run(&ctx, argc - o.next, argv + o.next);
	veil_ctx_close(&ctx);
	return ret;
}

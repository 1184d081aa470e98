// SPDX-License-Identifier: GPL-2.0
/*
 * `-n NETNS`, as in `ip -n`: act inside a network namespace created by
 * `ip netns add`, whose handle lives in /run/netns.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "nl.h"

/**
 * veil_netns_enter() - switch this process into a named network namespace
 * @name: name given to `ip netns add`
 * @why: buffer for a one-line explanation on failure
 * @whylen: size of @why
 *
 * Return: 0 or a negative errno, with @why filled in.
 */
int veil_netns_enter(const char *name, char *why, size_t whylen)
{
	char path[256];
	int fd, err;

	if (!*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, "..")) {
		snprintf(why, whylen, "invalid network namespace name \"%s\"", name);
		return -EINVAL;
	}
	snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		snprintf(why, whylen, "cannot open network namespace \"%s\": %s",
			 name, strerror(errno));
		return err;
	}
	if (setns(fd, CLONE_NEWNET) < 0) {
		err = -errno;
		snprintf(why, whylen, "cannot enter network namespace \"%s\": %s",
			 name, strerror(errno));
		close(fd);
		return err;
	}
	close(fd);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * veil ike's side of veil-iked's control socket: connect, send one
 * request as a JSON line, read the one answer. ike.c's commands go
 * through veil_ike_request() alone, so the CLI's fuzz target can stand
 * in for the daemon there.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "ctl.h"
#include "veil.h"

#define IKE_ANSWER_MS	10000	/* the daemon answers at once; this is a wedged one */

static const char *ike_ctl_path(const struct veil_ctx *ctx)
{
	const char *env = getenv("VEIL_IKED_CTL");

	if (ctx->ike_ctl)
		return ctx->ike_ctl;
	return env && *env ? env : IKED_CTL_PATH;
}

static int ike_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		veil_err("control socket path %s is longer than %zu bytes", path,
			 sizeof(sa.sun_path) - 1);
		return -1;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		veil_err("socket: %s", strerror(errno));
		return -1;
	}
	if (!connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
		return fd;
	if (errno == ENOENT || errno == ECONNREFUSED || errno == ENOTDIR)
		veil_err("veil-iked is not running (no control socket at %s)", path);
	else if (errno == EACCES || errno == EPERM)
		veil_err("permission denied on %s: only root may use veil-iked's control socket",
			 path);
	else
		veil_err("connecting to veil-iked at %s: %s", path, strerror(errno));
	close(fd);
	return -1;
}

/* Sends all of @buf; 0 or an errno. */
static int ike_send(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len) {
		n = send(fd, buf, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? errno : EPIPE;
		buf += n;
		len -= n;
	}
	return 0;
}

/*
 * The daemon's answer: one line, read to the connection's end (the daemon
 * closes it) and parsed by json-c as it comes.
 */
static struct json_object *ike_receive(int fd, bool quiet)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *o = NULL;
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char buf[8192];
	ssize_t n;

	if (!tok) {
		veil_err("out of memory");
		return NULL;
	}
	for (;;) {
		n = poll(&p, 1, IKE_ANSWER_MS);
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0) {
			if (!quiet)
				veil_err("veil-iked did not answer within %d s", IKE_ANSWER_MS / 1000);
			break;
		}
		n = n < 0 ? -1 : recv(fd, buf, sizeof(buf), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			if (!quiet)
				veil_err("reading veil-iked's answer: %s", strerror(errno));
			break;
		}
		if (n == 0) {
			if (!quiet)
				veil_err("veil-iked closed the connection without an answer");
			break;
		}
		o = json_tokener_parse_ex(tok, buf, (int)n);
		if (o)
			break;
		if (json_tokener_get_error(tok) != json_tokener_continue) {
			veil_err("veil-iked's answer is not JSON: %s",
				 json_tokener_error_desc(json_tokener_get_error(tok)));
			break;
		}
	}
	json_tokener_free(tok);
	if (o && !json_object_is_type(o, json_type_object)) {
		veil_err("veil-iked's answer is not a JSON object");
		json_object_put(o);
		o = NULL;
	}
	return o;
}

/**
 * veil_ike_request - one request to veil-iked, and its answer
 * @ctx: global options (the socket's path)
 * @cmd: "up", "down", ...
 * @name: its NAME, or NULL
 * @quiet: say nothing when the daemon refuses (the caller does)
 *
 * Return: the answer, whose "ok" is true; NULL after saying why not.
 */
struct json_object *veil_ike_request(struct veil_ctx *ctx, const char *cmd, const char *name,
				     bool quiet)
{
	struct json_object *req = json_object_new_object(), *resp = NULL, *v;
	const char *line;
	int fd, err;

	json_object_object_add(req, "cmd", json_object_new_string(cmd));
	if (name)
		json_object_object_add(req, "name", json_object_new_string(name));
	line = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN);
	fd = ike_connect(ike_ctl_path(ctx));
	if (fd >= 0) {
		/*
		 * A daemon that refuses a client answers and closes at once:
		 * the send may fail, and the answer still be there to read.
		 */
		err = ike_send(fd, line, strlen(line));
		err = err ?: ike_send(fd, "\n", 1);
		resp = ike_receive(fd, err != 0);
		if (!resp && err)
			veil_err("sending to veil-iked: %s", strerror(err));
		close(fd);
	}
	json_object_put(req);
	if (resp && (!json_object_object_get_ex(resp, "ok", &v) || !json_object_get_boolean(v))) {
		if (!quiet)
			veil_err("%s", json_object_object_get_ex(resp, "error", &v) ?
				 json_object_get_string(v) : "veil-iked refused, and did not say why");
		json_object_put(resp);
		resp = NULL;
	}
	return resp;
}

/* -j: the daemon's answer without its "ok". */

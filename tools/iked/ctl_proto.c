// SPDX-License-Identifier: GPL-2.0
/*
 * The control socket's protocol, apart from the socket and the daemon so
 * that the host tests can feed it anything: a request is one JSON object,
 *
 *   {"cmd":"up","name":"gw.net"}   {"cmd":"down","name":"gw"}
 *   {"cmd":"list"}   {"cmd":"status"}   {"cmd":"reload"}
 *
 * and an answer one JSON object with "ok" first, and "error" when it is
 * false. Whatever a client sends, the answer is an error it can show.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "ctl.h"

static const struct {
	const char *name;
	enum iked_ctl_cmd cmd;
	bool takes_name;
} ctl_cmds[] = {
	{ "up", IKED_CTL_UP, true },
	{ "down", IKED_CTL_DOWN, true },
	{ "list", IKED_CTL_LIST, false },
	{ "status", IKED_CTL_STATUS, false },
	{ "reload", IKED_CTL_RELOAD, false },
};

static int ctl_fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int ctl_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * A string member as a C string: one with a NUL inside would be cut short
 * where it is compared, so it is refused.
 */
static const char *ctl_string(struct json_object *o)
{
	if (!json_object_is_type(o, json_type_string) ||
	    strlen(json_object_get_string(o)) != (size_t)json_object_get_string_len(o))
		return NULL;
	return json_object_get_string(o);
}

/**
 * iked_ctl_split_name - "CONN" or "CONN.CHILD" into its two names
 * @name: the text
 * @conn: the connection's name (IKED_NAME_MAX bytes)
 * @child: the child's, or "" (IKED_NAME_MAX bytes)
 * @err: why it is no name
 * @errlen: its size
 *
 * Names in the configuration have no dot (libconfig's setting names), so
 * the first dot splits.
 *
 * Return: 0 or -1.
 */
int iked_ctl_split_name(const char *name, char *conn, char *child, char *err, size_t errlen)
{
	const char *dot = strchr(name, '.');
	size_t n = dot ? (size_t)(dot - name) : strlen(name);

	if (!n)
		return ctl_fail(err, errlen, "\"%.80s\" names no connection", name);
	if (n >= IKED_NAME_MAX)
		return ctl_fail(err, errlen, "connection name \"%.80s\" is too long", name);
	memcpy(conn, name, n);
	conn[n] = '\0';
	*child = '\0';
	if (!dot)
		return 0;
	if (!dot[1] || strchr(dot + 1, '.'))
		return ctl_fail(err, errlen, "\"%.80s\": write CONNECTION or CONNECTION.CHILD",
				name);
	if (strlen(dot + 1) >= IKED_NAME_MAX)
		return ctl_fail(err, errlen, "child name \"%.80s\" is too long", dot + 1);
	strcpy(child, dot + 1);
	return 0;
}

/**
 * iked_ctl_parse - a request line into what it asks
 * @line: the line, without its newline (need not be NUL-terminated)
 * @len: its length
 * @req: filled in
 * @err: what is wrong with it, for the client
 * @errlen: its size
 *
 * Return: 0, or -1 with @err set.
 */
int iked_ctl_parse(const char *line, size_t len, struct iked_ctl_req *req, char *err,
		   size_t errlen)
{
	struct json_tokener *tok;
	struct json_object *o;
	const char *cmd = NULL, *name = NULL;
	size_t i;
	int ret = -1;

	memset(req, 0, sizeof(*req));
	if (len >= IKED_CTL_REQ_MAX)
		return ctl_fail(err, errlen, "request longer than %d bytes", IKED_CTL_REQ_MAX - 1);
	if (memchr(line, '\0', len))
		return ctl_fail(err, errlen, "request is not JSON: a NUL byte in it");
	tok = json_tokener_new_ex(8);
	if (!tok)
		return ctl_fail(err, errlen, "out of memory");
	o = json_tokener_parse_ex(tok, line, (int)len);
	if (!o || json_tokener_get_error(tok) != json_tokener_success) {
		ctl_fail(err, errlen, "request is not JSON: %s",
			 json_tokener_get_error(tok) == json_tokener_continue ? "it ends too soon" :
			 json_tokener_error_desc(json_tokener_get_error(tok)));
		goto out;
	}
	if (json_tokener_get_parse_end(tok) != len &&
	    strspn(line + json_tokener_get_parse_end(tok), " \t\r") !=
	    len - json_tokener_get_parse_end(tok)) {
		ctl_fail(err, errlen, "request has something after its JSON object");
		goto out;
	}
	if (!json_object_is_type(o, json_type_object)) {
		ctl_fail(err, errlen, "request is not a JSON object");
		goto out;
	}
	json_object_object_foreach(o, key, val) {
		if (!strcmp(key, "cmd"))
			cmd = ctl_string(val);
		else if (!strcmp(key, "name"))
			name = ctl_string(val);
		else {
			ctl_fail(err, errlen, "unknown member \"%.40s\": cmd or name", key);
			goto out;
		}
		if ((!strcmp(key, "cmd") && !cmd) || (!strcmp(key, "name") && !name)) {
			ctl_fail(err, errlen, "\"%s\" must be a string", key);
			goto out;
		}
	}
	if (!cmd) {
		ctl_fail(err, errlen, "no \"cmd\": up, down, list, status or reload");
		goto out;
	}
	for (i = 0; i < sizeof(ctl_cmds) / sizeof(ctl_cmds[0]); i++)
		if (!strcmp(ctl_cmds[i].name, cmd))
			break;
	if (i == sizeof(ctl_cmds) / sizeof(ctl_cmds[0])) {
		ctl_fail(err, errlen, "unknown command \"%.40s\": up, down, list, status or reload",
			 cmd);
		goto out;
	}
	req->cmd = ctl_cmds[i].cmd;
	if (ctl_cmds[i].takes_name && !name) {
		ctl_fail(err, errlen, "%s needs a \"name\": CONNECTION or CONNECTION.CHILD", cmd);
		goto out;
	}
	if (!ctl_cmds[i].takes_name && name) {
		ctl_fail(err, errlen, "%s takes no \"name\"", cmd);
		goto out;
	}
	if (name && iked_ctl_split_name(name, req->conn, req->child, err, errlen))
		goto out;
	ret = 0;
out:
	json_object_put(o);
	json_tokener_free(tok);
	return ret;
}

/* {"ok":true}: commands add their members to it. */
struct json_object *iked_ctl_ok(void)
{
	struct json_object *o = json_object_new_object();

	if (o)
		json_object_object_add(o, "ok", json_object_new_boolean(true));
	return o;
}

/* {"ok":false,"error":"..."} */
struct json_object *iked_ctl_error(const char *fmt, ...)
{
	struct json_object *o = json_object_new_object();
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (o) {
		json_object_object_add(o, "ok", json_object_new_boolean(false));
		json_object_object_add(o, "error", json_object_new_string(msg));
	}
	return o;
}

/**
 * iked_ctl_encode - an answer as the line to send; takes @resp
 * @resp: the answer (NULL: out of memory, which is answered too)
 * @len: the line's length, newline included
 *
 * Return: the line (free() it), or NULL.
 */
char *iked_ctl_encode(struct json_object *resp, size_t *len)
{
	static const char oom[] = "{\"ok\":false,\"error\":\"veil-iked is out of memory\"}\n";
	const char *s = resp ? json_object_to_json_string_ext(resp, JSON_C_TO_STRING_PLAIN |
							       JSON_C_TO_STRING_NOSLASHESCAPE) : NULL;
	char *line;

	*len = s ? strlen(s) + 1 : sizeof(oom) - 1;
	line = malloc(*len + 1);
	if (line) {
		if (s)
			snprintf(line, *len + 1, "%s\n", s);
		else
			memcpy(line, oom, sizeof(oom));
	}
	json_object_put(resp);
	return line;
}

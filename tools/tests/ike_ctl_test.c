// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side tests of veil-iked's control protocol (iked/ctl_proto.c): what
 * a request parses into, that anything else is refused with a message a
 * person can act on, and that answers are one line of JSON. Output is
 * KTAP; the exit status is non-zero when any check fails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "ctl.h"

#include "ktap.h"

static void parse_ok(const char *line, enum iked_ctl_cmd cmd, const char *conn,
		     const char *child)
{
	struct iked_ctl_req req;
	char err[256];

	if (!CHECK(!iked_ctl_parse(line, strlen(line), &req, err, sizeof(err)))) {
		printf("# %s: %s\n", line, err);
		return;
	}
	CHECK(req.cmd == cmd);
	CHECK(!strcmp(req.conn, conn));
	CHECK(!strcmp(req.child, child));
}

/* Refused, with @msg in the reason. */
static void parse_bad_len(const char *line, size_t len, const char *msg)
{
	struct iked_ctl_req req;
	char err[256] = "";

	CHECK(iked_ctl_parse(line, len, &req, err, sizeof(err)) == -1);
	if (!CHECK(strstr(err, msg)))
		printf("# \"%.60s\": \"%s\" lacks \"%s\"\n", line, err, msg);
}

static void parse_bad(const char *line, const char *msg)
{
	parse_bad_len(line, strlen(line), msg);
}

static void test_requests(void)
{
	parse_ok("{\"cmd\":\"up\",\"name\":\"gw\"}", IKED_CTL_UP, "gw", "");
	parse_ok("{\"cmd\":\"up\",\"name\":\"gw.net\"}", IKED_CTL_UP, "gw", "net");
	parse_ok("{ \"name\": \"gw.net-6\", \"cmd\": \"down\" }", IKED_CTL_DOWN, "gw", "net-6");
	parse_ok("{\"cmd\":\"list\"}", IKED_CTL_LIST, "", "");
	parse_ok("{\"cmd\":\"status\"}  \r", IKED_CTL_STATUS, "", "");
	parse_ok("{\"cmd\":\"reload\"}", IKED_CTL_RELOAD, "", "");
}

static void test_refused(void)
{
	char big[IKED_CTL_REQ_MAX + 8], name[200];

	parse_bad("", "not JSON");
	parse_bad("garbage", "not JSON");
	parse_bad("{\"cmd\":\"list\"", "ends too soon");
	parse_bad("[\"list\"]", "not a JSON object");
	parse_bad("\"list\"", "not a JSON object");
	parse_bad("{\"cmd\":\"list\"} {\"cmd\":\"list\"}", "after its JSON object");
	parse_bad("{\"cmd\":\"list\"}x", "after its JSON object");
	parse_bad("{}", "no \"cmd\"");
	parse_bad("{\"cmd\":1}", "\"cmd\" must be a string");
	parse_bad("{\"cmd\":null}", "\"cmd\" must be a string");
	parse_bad("{\"cmd\":\"up\",\"name\":[1]}", "\"name\" must be a string");
	parse_bad("{\"cmd\":\"launch\"}", "unknown command \"launch\"");
	parse_bad("{\"cmd\":\"list\",\"x\":1}", "unknown member \"x\"");
	parse_bad("{\"cmd\":\"up\"}", "up needs a \"name\"");
	parse_bad("{\"cmd\":\"down\"}", "down needs a \"name\"");
	parse_bad("{\"cmd\":\"list\",\"name\":\"gw\"}", "list takes no \"name\"");
	parse_bad("{\"cmd\":\"up\",\"name\":\"\"}", "names no connection");
	parse_bad("{\"cmd\":\"up\",\"name\":\".net\"}", "names no connection");
	parse_bad("{\"cmd\":\"up\",\"name\":\"gw.\"}", "CONNECTION.CHILD");
	parse_bad("{\"cmd\":\"up\",\"name\":\"a.b.c\"}", "CONNECTION.CHILD");
	parse_bad("{\"cmd\":\"up\\u0000\"}", "\"cmd\" must be a string");
	parse_bad_len("{\"cmd\":\"list\"}\0", 16, "NUL");
	parse_bad("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]", "not JSON");
	memset(name, 'x', sizeof(name));
	snprintf(big, sizeof(big), "{\"cmd\":\"up\",\"name\":\"%.*s\"}", IKED_NAME_MAX, name);
	parse_bad(big, "connection name");
	snprintf(big, sizeof(big), "{\"cmd\":\"up\",\"name\":\"gw.%.*s\"}", IKED_NAME_MAX, name);
	parse_bad(big, "child name");
	memset(big, ' ', sizeof(big));
	memcpy(big, "{\"cmd\":\"list\"}", 15);
	parse_bad_len(big, IKED_CTL_REQ_MAX, "longer than");
}

/* Random bytes, and random cuts of good requests: refused or parsed, never a crash. */
static void test_noise(void)
{
	static const char good[] = "{\"cmd\":\"up\",\"name\":\"gw.net\"}";
	struct iked_ctl_req req;
	char buf[512], err[256];
	unsigned int seed = 1, i, j, len;

	for (i = 0; i < 20000; i++) {
		len = rand_r(&seed) % sizeof(buf);
		if (i & 1) {
			for (j = 0; j < len; j++)
				buf[j] = rand_r(&seed);
		} else {
			len = rand_r(&seed) % sizeof(good);
			memcpy(buf, good, len);
			if (len)
				buf[rand_r(&seed) % len] = rand_r(&seed);
		}
		*err = '\0';
		if (iked_ctl_parse(buf, len, &req, err, sizeof(err)) && !CHECK(*err))
			return;
	}
}

static void test_answers(void)
{
	struct json_object *o, *v;
	size_t len;
	char *line;

	line = iked_ctl_encode(iked_ctl_error("no connection named \"%s\"", "x\ny"), &len);
	if (!CHECK(line))
		return;
	CHECK(len == strlen(line) && line[len - 1] == '\n' && !memchr(line, '\n', len - 1));
	o = json_tokener_parse(line);
	CHECK(o && json_object_object_get_ex(o, "ok", &v) && !json_object_get_boolean(v));
	CHECK(o && json_object_object_get_ex(o, "error", &v) &&
	      !strcmp(json_object_get_string(v), "no connection named \"x\ny\""));
	json_object_put(o);
	free(line);

	o = iked_ctl_ok();
	json_object_object_add(o, "child", json_object_new_string("net"));
	line = iked_ctl_encode(o, &len);
	CHECK(line && !strcmp(line, "{\"ok\":true,\"child\":\"net\"}\n"));
	free(line);

	/* out of memory is answered too */
	line = iked_ctl_encode(NULL, &len);
	CHECK(line && len == strlen(line) && strstr(line, "\"ok\":false"));
	free(line);
}

int main(void)
{
	static const struct ktap_test tests[] = {
		{ "requests parse into commands and names", test_requests },
		{ "malformed requests are refused with a reason", test_refused },
		{ "random bytes are refused, never a crash", test_noise },
		{ "answers are one line of JSON", test_answers },
	};

	return ktap_run(tests, sizeof(tests) / sizeof(tests[0]));
}

// SPDX-License-Identifier: GPL-2.0
/*
 * veil ike: veil-iked's IKE SAs, through its control socket (ike_client.c).
 * One JSON object per line each way (see veil-iked(8)); -j prints what the
 * daemon answered, the text form is read off the same objects.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"
#include "veil.h"

#define IKE_POLL_MS	200
#define IKE_UP_SECS	30

void veil_ike_usage(FILE *f)
{
	fputs("Usage: veil ike up NAME [ timeout SECONDS ]\n"
	      "       veil ike down NAME\n"
	      "       veil ike [ list | show ]\n"
	      "       veil ike status\n"
	      "       veil ike reload\n"
	      "NAME := CONNECTION | CONNECTION.CHILD\n"
	      "SECONDS := how long up waits for the child (default 30; 0: do not wait)\n"
	      "The daemon's socket: veil --ctl PATH ike ..., else $VEIL_IKED_CTL,\n"
	      "else " IKED_CTL_PATH ".\n", f);
}

static bool ike_help(int argc, char **argv)
{
	if (argc > 0 && !strcmp(argv[0], "help")) {
		veil_ike_usage(stdout);
		return true;
	}
	return false;
}

static void ike_print_json(const struct veil_ctx *ctx, struct json_object *resp)
{
	json_object_object_del(resp, "ok");
	veil_print_json(ctx, resp);
}

static const char *ike_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : "";
}

static bool ike_has(struct json_object *o, const char *key, int64_t *out)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return false;
	if (out)
		*out = json_object_get_int64(v);
	return true;
}

static bool ike_bool(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_get_boolean(v);
}

static struct json_object *ike_array(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_array) ?
	       v : NULL;
}

/* 90 -> "1m30s", as swanctl writes durations */
static void ike_secs(char *buf, size_t len, int64_t s)
{
	if (s >= 86400)
		snprintf(buf, len, "%lldd%lldh", (long long)s / 86400, (long long)s % 86400 / 3600);
	else if (s >= 3600)
		snprintf(buf, len, "%lldh%lldm", (long long)s / 3600, (long long)s % 3600 / 60);
	else if (s >= 60)
		snprintf(buf, len, "%lldm%llds", (long long)s / 60, (long long)s % 60);
	else
		snprintf(buf, len, "%llds", (long long)s);
}

static void ike_print_when(const char *what, struct json_object *o, const char *key)
{
	char buf[32];
	int64_t v;

	if (!ike_has(o, key, &v))
		return;
	ike_secs(buf, sizeof(buf), v);
	printf(" %s %s", what, buf);
}

static void ike_print_ts(const char *what, struct json_object *a)
{
	size_t i;

	printf(" %s", what);
	for (i = 0; a && i < json_object_array_length(a); i++)
		printf("%s%s", i ? "," : " ", json_object_get_string(json_object_array_get_idx(a, i)));
}

static void ike_print_child(struct json_object *c)
{
	int64_t v;

	printf("\tchild %s reqid %s %s mode %s proto %s\n", ike_str(c, "name"),
	       ike_str(c, "reqid"), ike_str(c, "state"), ike_str(c, "mode"),
	       ike_str(c, "protocol"));
	printf("\t\tspi-in 0x%s spi-out 0x%s%s proposal %s\n", ike_str(c, "spi_in"),
	       ike_str(c, "spi_out"), ike_bool(c, "encap") ? " encap" : "",
	       ike_str(c, "proposal"));
	printf("\t\t");
	ike_print_ts("local-ts", ike_array(c, "local_ts"));
	ike_print_ts("remote-ts", ike_array(c, "remote_ts"));
	printf("\n\t\t");
	if (ike_has(c, "bytes_in", &v))
		printf(" in %lld bytes %s packets", (long long)v, ike_str(c, "packets_in"));
	if (ike_has(c, "bytes_out", &v))
		printf(" out %lld bytes %s packets", (long long)v, ike_str(c, "packets_out"));
	ike_print_when("rekey in", c, "rekey_secs");
	ike_print_when("expires in", c, "expire_secs");
	printf("\n");
}

static void ike_print_sa(struct json_object *sa)
{
	struct json_object *ch = ike_array(sa, "children"), *pend = ike_array(sa, "pending");
	const char *nat;
	size_t i;

	printf("%s: %s, %s, %s[%s] === %s[%s]", ike_str(sa, "conn"), ike_str(sa, "state"),
	       ike_bool(sa, "initiator") ? "initiator" : "responder", ike_str(sa, "local"),
	       ike_str(sa, "local_port"), ike_str(sa, "remote"), ike_str(sa, "remote_port"));
	if (*ike_str(sa, "peer_id"))
		printf(" (%s)", ike_str(sa, "peer_id"));
	nat = ike_bool(sa, "nat_local") ? (ike_bool(sa, "nat_remote") ? "both" : "local") :
	      ike_bool(sa, "nat_remote") ? "remote" : ike_bool(sa, "natt") ? "forced" : "none";
	printf("\n\tspi-i 0x%s spi-r 0x%s nat %s\n", ike_str(sa, "spi_i"), ike_str(sa, "spi_r"),
	       nat);
	if (*ike_str(sa, "proposal"))
		printf("\tproposal %s\n", ike_str(sa, "proposal"));
	if (ike_has(sa, "established_secs", NULL) || ike_has(sa, "rekey_secs", NULL) ||
	    ike_has(sa, "expire_secs", NULL)) {
		printf("\t");
		ike_print_when("established", sa, "established_secs");
		if (ike_has(sa, "established_secs", NULL))
			printf(" ago");
		ike_print_when("rekey in", sa, "rekey_secs");
		ike_print_when("expires in", sa, "expire_secs");
		printf("\n");
	}
	for (i = 0; ch && i < json_object_array_length(ch); i++)
		ike_print_child(json_object_array_get_idx(ch, i));
	for (i = 0; pend && i < json_object_array_length(pend); i++)
		printf("\tchild %s negotiating\n",
		       json_object_get_string(json_object_array_get_idx(pend, i)));
}

/* A connection with no IKE SA: its children, and whether their traps are in. */
static void ike_print_idle(struct json_object *conn)
{
	struct json_object *ch = ike_array(conn, "children"), *c;
	size_t i;

	printf("%s: no IKE SA\n", ike_str(conn, "name"));
	for (i = 0; ch && i < json_object_array_length(ch); i++) {
		c = json_object_array_get_idx(ch, i);
		printf("\tchild %s start-action %s%s\n", ike_str(c, "name"),
		       ike_str(c, "start_action"), ike_bool(c, "trapped") ? " trap installed" :
		       !strcmp(ike_str(c, "start_action"), "trap") ? " trap NOT installed" : "");
	}
}

/*
 * list, status and reload: no arguments, one request, and the answer as
 * JSON (-j) or as @show prints it.
 */
static int ike_plain(struct veil_ctx *ctx, int argc, char **argv, const char *cmd,
		     void (*show)(struct json_object *resp))
{
	struct json_object *resp;

	if (ike_help(argc, argv))
		return VEIL_EXIT_OK;
	if (argc)
		return veil_obj_usage_error(veil_ike_usage, "ike %s takes no arguments "
					    "(got \"%s\")", cmd, argv[0]);
	resp = veil_ike_request(ctx, cmd, NULL, false);
	if (!resp)
		return VEIL_EXIT_FAIL;
	if (ctx->json)
		ike_print_json(ctx, resp);
	else
		show(resp);
	json_object_put(resp);
	return VEIL_EXIT_OK;
}

static void ike_show_list(struct json_object *resp)
{
	struct json_object *sas, *conns, *c;
	int64_t n;
	size_t i;

	sas = ike_array(resp, "ike_sas");
	conns = ike_array(resp, "conns");
	for (i = 0; sas && i < json_object_array_length(sas); i++)
		ike_print_sa(json_object_array_get_idx(sas, i));
	for (i = 0; conns && i < json_object_array_length(conns); i++) {
		c = json_object_array_get_idx(conns, i);
		if (ike_has(c, "ike_sas", &n) && !n)
			ike_print_idle(c);
	}
}

static int ike_list(struct veil_ctx *ctx, int argc, char **argv)
{
	return ike_plain(ctx, argc, argv, "list", ike_show_list);
}

static void ike_show_status(struct json_object *resp)
{
	struct json_object *st;
	char up[32];
	int64_t v = 0;
	bool first = true;

	ike_has(resp, "uptime", &v);
	ike_secs(up, sizeof(up), v);
	printf("veil-iked %s pid %s up %s\n", ike_str(resp, "version"), ike_str(resp, "pid"), up);
	printf("connections %s\n", ike_str(resp, "connections"));
	printf("ike-sas %s", ike_str(resp, "ike_sas"));
	if (json_object_object_get_ex(resp, "ike_sa_states", &st) &&
	    json_object_is_type(st, json_type_object)) {
		json_object_object_foreach(st, key, val) {
			if (!json_object_get_int(val))
				continue;
			printf("%s%s %d", first ? " (" : ", ", key, json_object_get_int(val));
			first = false;
		}
		if (!first)
			printf(")");
	}
	printf("\nchild-sas %s\nhalf-open %s\n", ike_str(resp, "child_sas"),
	       ike_str(resp, "half_open"));
}

static int ike_status(struct veil_ctx *ctx, int argc, char **argv)
{
	return ike_plain(ctx, argc, argv, "status", ike_show_status);
}

static void ike_print_names(struct json_object *resp, const char *key)
{
	struct json_object *a = ike_array(resp, key);
	size_t i;

	for (i = 0; a && i < json_object_array_length(a); i++)
		printf("%s%s", i ? ", " : !strcmp(key, "added") ? "; added " :
		       !strcmp(key, "removed") ? "; removed " : "; changed ",
		       json_object_get_string(json_object_array_get_idx(a, i)));
}

static void ike_show_reload(struct json_object *resp)
{
	printf("reloaded: %s connections", ike_str(resp, "connections"));
	ike_print_names(resp, "added");
	ike_print_names(resp, "removed");
	ike_print_names(resp, "changed");
	printf("; %s IKE SAs and %s Child SAs deleted\n", ike_str(resp, "ike_sas_deleted"),
	       ike_str(resp, "child_sas_deleted"));
}

static int ike_reload(struct veil_ctx *ctx, int argc, char **argv)
{
	return ike_plain(ctx, argc, argv, "reload", ike_show_reload);
}

static int ike_down(struct veil_ctx *ctx, int argc, char **argv)
{
	struct json_object *resp;

	if (ike_help(argc, argv))
		return VEIL_EXIT_OK;
	if (argc != 1)
		return veil_obj_usage_error(veil_ike_usage, argc ? "ike down takes one NAME" :
					    "ike down needs a NAME");
	resp = veil_ike_request(ctx, "down", argv[0], false);
	if (!resp)
		return VEIL_EXIT_FAIL;
	if (ctx->json)
		ike_print_json(ctx, resp);
	json_object_put(resp);
	return VEIL_EXIT_OK;
}

/*
 * Where `up` stands, from a list: 1 the child is installed, 0 still on its
 * way, -1 failed (@why says how).
 */
static int ike_up_state(struct json_object *list, const char *conn, const char *child,
			char *why, size_t len)
{
	struct json_object *sas = ike_array(list, "ike_sas"), *sa, *ch, *c;
	size_t i, j;
	bool any = false, waiting = false;

	for (i = 0; sas && i < json_object_array_length(sas); i++) {
		sa = json_object_array_get_idx(sas, i);
		if (strcmp(ike_str(sa, "conn"), conn) || !strcmp(ike_str(sa, "state"), "deleting"))
			continue;
		any = true;
		if (strcmp(ike_str(sa, "state"), "established")) {
			waiting = true;
			continue;
		}
		ch = ike_array(sa, "children");
		for (j = 0; ch && j < json_object_array_length(ch); j++) {
			c = json_object_array_get_idx(ch, j);
			if (!strcmp(ike_str(c, "name"), child) &&
			    (!strcmp(ike_str(c, "state"), "installed") ||
			     !strcmp(ike_str(c, "state"), "rekeying")))
				return 1;
		}
		ch = ike_array(sa, "pending");
		for (j = 0; ch && j < json_object_array_length(ch); j++)
			if (!strcmp(json_object_get_string(json_object_array_get_idx(ch, j)), child))
				waiting = true;
	}
	if (waiting)
		return 0;
	if (!any)
		snprintf(why, len, "the IKE SA of %s failed", conn);
	else
		snprintf(why, len, "the IKE SA of %s is up, but its child %s failed", conn, child);
	return -1;
}

static int ike_up(struct veil_ctx *ctx, int argc, char **argv)
{
	struct json_object *resp, *list;
	char conn[128], child[128], why[320];
	long timeout = IKE_UP_SECS;
	struct timespec t0, t;
	int state = 0;
	char *end;

	if (ike_help(argc, argv))
		return VEIL_EXIT_OK;
	if (argc != 1 && argc != 3)
		return veil_obj_usage_error(veil_ike_usage, argc ? "ike up takes NAME [ timeout "
					    "SECONDS ]" : "ike up needs a NAME");
	if (argc == 3) {
		if (strcmp(argv[1], "timeout"))
			return veil_obj_usage_error(veil_ike_usage, "unknown word \"%s\" after "
						    "NAME: timeout SECONDS", argv[1]);
		errno = 0;
		timeout = strtol(argv[2], &end, 10);
		if (errno || *end || end == argv[2] || timeout < 0 || timeout > 86400)
			return veil_obj_usage_error(veil_ike_usage, "timeout \"%s\": seconds "
						    "from 0 to 86400", argv[2]);
	}
	resp = veil_ike_request(ctx, "up", argv[0], false);
	if (!resp)
		return VEIL_EXIT_FAIL;
	snprintf(conn, sizeof(conn), "%s", ike_str(resp, "conn"));
	snprintf(child, sizeof(child), "%s", ike_str(resp, "child"));
	if (!timeout || ike_bool(resp, "already")) {
		if (ctx->json)
			ike_print_json(ctx, resp);
		json_object_put(resp);
		return VEIL_EXIT_OK;
	}
	json_object_put(resp);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		list = veil_ike_request(ctx, "list", NULL, false);
		if (!list)
			return VEIL_EXIT_FAIL;
		state = ike_up_state(list, conn, child, why, sizeof(why));
		json_object_put(list);
		if (state)
			break;
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - t0.tv_sec >= timeout) {
			veil_err("%s.%s is not up after %ld s (see veil-iked's log)", conn, child,
				 timeout);
			return VEIL_EXIT_FAIL;
		}
		usleep(IKE_POLL_MS * 1000);
	}
	if (state < 0) {
		veil_err("%s (see veil-iked's log)", why);
		return VEIL_EXIT_FAIL;
	}
	if (ctx->json) {
		resp = json_object_new_object();
		json_object_object_add(resp, "conn", json_object_new_string(conn));
		json_object_object_add(resp, "child", json_object_new_string(child));
		json_object_object_add(resp, "established", json_object_new_boolean(true));
		veil_print_json(ctx, resp);
		json_object_put(resp);
	}
	return VEIL_EXIT_OK;
}

static int ike_cmd_help(struct veil_ctx *ctx, int argc, char **argv)
{
	(void)ctx;
	(void)argc;
	(void)argv;
	veil_ike_usage(stdout);
	return VEIL_EXIT_OK;
}

static const struct veil_cmd ike_cmds[] = {
	{ "up", ike_up, "bring a connection or a child up", 0 },
	{ "down", ike_down, "delete a connection's IKE SAs, or a child", 0 },
	{ "list", ike_list, "show the IKE SAs and their children", 0 },
	{ "show", ike_list, "the same as list", 0 },
	{ "status", ike_status, "show the daemon's summary", 0 },
	{ "reload", ike_reload, "read the configuration again", 0 },
	{ "help", ike_cmd_help, "show the grammar", 0 },
	{ NULL, NULL, NULL, 0 },
};

int veil_cmd_ike(struct veil_ctx *ctx, int argc, char **argv)
{
	if (!argc)
		return ike_list(ctx, 0, argv);
	return veil_dispatch(ctx, ike_cmds, "ike command", veil_ike_usage, argc, argv);
}

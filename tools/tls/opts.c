// SPDX-License-Identifier: GPL-2.0
/*
 * The command line: one option table for all commands, each option saying
 * which commands take it, and ADDR:PORT parsing.
 */
#include <getopt.h>
#include <limits.h>
#include <netdb.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "vtls.h"

enum {
	VTLS_O_TLS12 = 256, VTLS_O_TLS13, VTLS_O_CIPHERS, VTLS_O_SUITES, VTLS_O_FALLBACK,
	VTLS_O_CERT, VTLS_O_KEY, VTLS_O_CA, VTLS_O_CLIENT_CA, VTLS_O_SNI, VTLS_O_SESS_IN,
	VTLS_O_SESS_OUT, VTLS_O_INSECURE, VTLS_O_LISTEN, VTLS_O_BACKEND, VTLS_O_ROOT, VTLS_O_GROUPS,
	VTLS_O_IDLE,
};

#define C_CONNECT	1
#define C_SERVE		2
#define C_PROXY		4
#define C_ALL		(C_CONNECT | C_SERVE | C_PROXY)

static const struct {
	struct option opt;
	unsigned int cmds;
} vtls_options[] = {
	{ { "tls1.2", no_argument, NULL, VTLS_O_TLS12 }, C_ALL },
	{ { "tls1.3", no_argument, NULL, VTLS_O_TLS13 }, C_ALL },
	{ { "ciphers", required_argument, NULL, VTLS_O_CIPHERS }, C_ALL },
	{ { "ciphersuites", required_argument, NULL, VTLS_O_SUITES }, C_ALL },
	{ { "groups", required_argument, NULL, VTLS_O_GROUPS }, C_ALL },
	{ { "fallback", no_argument, NULL, VTLS_O_FALLBACK }, C_ALL },
	{ { "cert", required_argument, NULL, VTLS_O_CERT }, C_ALL },
	{ { "key", required_argument, NULL, VTLS_O_KEY }, C_ALL },
	{ { "ca", required_argument, NULL, VTLS_O_CA }, C_CONNECT },
	{ { "servername", required_argument, NULL, VTLS_O_SNI }, C_CONNECT },
	{ { "sess-in", required_argument, NULL, VTLS_O_SESS_IN }, C_CONNECT },
	{ { "sess-out", required_argument, NULL, VTLS_O_SESS_OUT }, C_CONNECT },
	{ { "insecure", no_argument, NULL, VTLS_O_INSECURE }, C_CONNECT },
	{ { "client-ca", required_argument, NULL, VTLS_O_CLIENT_CA }, C_SERVE | C_PROXY },
	{ { "listen", required_argument, NULL, VTLS_O_LISTEN }, C_SERVE | C_PROXY },
	{ { "backend", required_argument, NULL, VTLS_O_BACKEND }, C_PROXY },
	{ { "root", required_argument, NULL, VTLS_O_ROOT }, C_SERVE },
	{ { "idle-timeout", required_argument, NULL, VTLS_O_IDLE }, C_SERVE | C_PROXY },
};

#define VTLS_NOPTS	(sizeof(vtls_options) / sizeof(vtls_options[0]))

static unsigned int vtls_cmd_bit(const char *cmd)
{
	return !strcmp(cmd, "connect") ? C_CONNECT : !strcmp(cmd, "serve") ? C_SERVE : C_PROXY;
}

static int vtls_usage_error(const char *cmd, const char *what)
{
	fprintf(stderr, "veil-tls %s: %s; see veil-tls help\n", cmd, what);
	return -1;
}

/* Every option applies to the command, and what it needs is there. */
static int vtls_check_opts(const struct vtls_opts *o, const char *cmd, int ncertopt,
			   int nkeyopt)
{
	unsigned int bit = vtls_cmd_bit(cmd);

	if (ncertopt != nkeyopt)
		return vtls_usage_error(cmd, "each --cert needs its --key");
	if (bit != C_CONNECT && !o->ncert)
		return vtls_usage_error(cmd, "--cert and --key are required");
	if (bit != C_CONNECT && !o->listen)
		return vtls_usage_error(cmd, "--listen ADDR:PORT is required");
	if (bit == C_SERVE && !o->root)
		return vtls_usage_error(cmd, "--root DIR is required");
	if (bit == C_PROXY && !o->backend)
		return vtls_usage_error(cmd, "--backend ADDR:PORT is required");
	if (bit == C_CONNECT && !o->target)
		return vtls_usage_error(cmd, "HOST:PORT is required");
	if (bit == C_CONNECT && o->ncert > 1)
		return vtls_usage_error(cmd, "only one client certificate");
	if (o->min_version > o->max_version)
		return vtls_usage_error(cmd, "--tls1.2 and --tls1.3 exclude each other");
	return 0;
}

/**
 * vtls_parse_opts() - the options of command @cmd
 * @argc: argument count, from the command's name on
 * @argv: arguments; argv[0] is the command
 * @o: filled in
 * @cmd: "connect", "serve" or "proxy"
 *
 * Return: 0, or -1 after printing a one-line usage error.
 */
int vtls_parse_opts(int argc, char **argv, struct vtls_opts *o, const char *cmd)
{
	struct option longopts[VTLS_NOPTS + 1];
	unsigned int bit = vtls_cmd_bit(cmd);
	int ncertopt = 0, nkeyopt = 0, n = 0, ch;
	char what[128], *end;
	long secs;
	size_t i;

	memset(o, 0, sizeof(*o));
	o->min_version = TLS1_2_VERSION;
	o->max_version = TLS1_3_VERSION;
	o->idle_timeout = -1;
	for (i = 0; i < VTLS_NOPTS; i++)
		if (vtls_options[i].cmds & bit)
			longopts[n++] = vtls_options[i].opt;
	memset(&longopts[n], 0, sizeof(longopts[n]));
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case VTLS_O_TLS12: o->max_version = TLS1_2_VERSION; break;
		case VTLS_O_TLS13: o->min_version = TLS1_3_VERSION; break;
		case VTLS_O_CIPHERS: o->ciphers = optarg; break;
		case VTLS_O_SUITES: o->ciphersuites = optarg; break;
		case VTLS_O_GROUPS: o->groups = optarg; break;
		case VTLS_O_FALLBACK: o->fallback = true; break;
		case VTLS_O_CERT:
			if (ncertopt == VTLS_MAX_CERTS)
				return vtls_usage_error(cmd, "at most two --cert");
			o->cert[ncertopt++] = optarg;
			break;
		case VTLS_O_KEY:
			if (nkeyopt == VTLS_MAX_CERTS)
				return vtls_usage_error(cmd, "at most two --key");
			o->key[nkeyopt++] = optarg;
			break;
		case VTLS_O_CA: o->ca = optarg; break;
		case VTLS_O_CLIENT_CA: o->client_ca = optarg; break;
		case VTLS_O_SNI: o->servername = optarg; break;
		case VTLS_O_SESS_IN: o->sess_in = optarg; break;
		case VTLS_O_SESS_OUT: o->sess_out = optarg; break;
		case VTLS_O_INSECURE: o->insecure = true; break;
		case VTLS_O_LISTEN: o->listen = optarg; break;
		case VTLS_O_BACKEND: o->backend = optarg; break;
		case VTLS_O_ROOT: o->root = optarg; break;
		case VTLS_O_IDLE:
			secs = strtol(optarg, &end, 10);
			if (!*optarg || *end || secs < 0 || secs > INT_MAX)
				return vtls_usage_error(cmd,
					"--idle-timeout takes whole seconds, 0 for never");
			o->idle_timeout = secs;
			break;
		default:
			snprintf(what, sizeof(what), "'%s' is not an option of this command",
				 argv[optind - 1]);
			return vtls_usage_error(cmd, what);
		}
	}
	o->ncert = ncertopt;
	if (bit == C_CONNECT && optind < argc)
		o->target = argv[optind++];
	if (optind < argc) {
		snprintf(what, sizeof(what), "unexpected argument '%s'", argv[optind]);
		return vtls_usage_error(cmd, what);
	}
	return vtls_check_opts(o, cmd, ncertopt, nkeyopt);
}

/**
 * vtls_resolve() - HOST:PORT, [V6ADDR]:PORT or ADDR:PORT to an address
 * @spec: the text
 * @passive: for listening (a host name is not looked up then)
 * @ss: the address
 * @len: its length
 * @why: the reason on failure
 * @whylen: size of @why
 *
 * Return: 0 or -1.
 */
int vtls_resolve(const char *spec, bool passive, struct sockaddr_storage *ss,
		 socklen_t *len, char *why, size_t whylen)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res;
	char host[256];
	const char *port, *colon = strrchr(spec, ':');
	size_t hlen;
	int err;

	if (!colon || !colon[1]) {
		snprintf(why, whylen, "'%s': expected HOST:PORT", spec);
		return -1;
	}
	port = colon + 1;
	hlen = colon - spec;
	if (spec[0] == '[' && hlen >= 2 && spec[hlen - 1] == ']') {
		spec++;
		hlen -= 2;
	}
	if (hlen >= sizeof(host)) {
		snprintf(why, whylen, "'%s': host name too long", spec);
		return -1;
	}
	memcpy(host, spec, hlen);
	host[hlen] = '\0';
	hints.ai_flags = AI_NUMERICSERV | (passive ? AI_NUMERICHOST | AI_PASSIVE : 0);
	err = getaddrinfo(host, port, &hints, &res);
	if (err) {
		snprintf(why, whylen, "'%s': %s", host,
			 err == EAI_SYSTEM ? "lookup failed" : gai_strerror(err));
		return -1;
	}
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

/* "192.0.2.1:443" or "[2001:db8::1]:443" */
void vtls_addr_str(const struct sockaddr *sa, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN] = "?";

	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)sa;

		inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
		snprintf(buf, len, "[%s]:%u", a, ntohs(s6->sin6_port));
	} else {
		const struct sockaddr_in *s4 = (const void *)sa;

		inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a));
		snprintf(buf, len, "%s:%u", a, ntohs(s4->sin_port));
	}
}

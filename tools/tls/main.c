// SPDX-License-Identifier: GPL-2.0
/*
 * veil-tls - TLS with the handshake in OpenSSL and the records in veil.ko.
 *
 *   veil-tls connect [ OPTIONS ] HOST:PORT
 *   veil-tls serve --listen ADDR:PORT --cert FILE --key FILE --root DIR [ OPTIONS ]
 *   veil-tls proxy --listen ADDR:PORT --backend ADDR:PORT --cert FILE --key FILE [ OPTIONS ]
 */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vtls.h"

struct vtls_cmd {
	const char *name;
	int (*fn)(const struct vtls_opts *o);
	const char *help;
};

static const struct vtls_cmd vtls_cmds[] = {
	{ "connect", vtls_cmd_connect, "a client: stdin and stdout through a TLS connection" },
	{ "serve", vtls_cmd_serve, "an HTTPS/1.1 static file server, bodies sent with sendfile" },
	{ "proxy", vtls_cmd_proxy, "a TLS terminator in front of a plaintext TCP backend" },
	{ NULL, NULL, NULL },
};

static void vtls_usage(FILE *f)
{
	const struct vtls_cmd *c;

	fprintf(f,
		"Usage: veil-tls connect [ OPTIONS ] HOST:PORT\n"
		"       veil-tls serve --listen ADDR:PORT --cert FILE --key FILE --root DIR [ OPTIONS ]\n"
		"       veil-tls proxy --listen ADDR:PORT --backend ADDR:PORT --cert FILE --key FILE\n"
		"                      [ OPTIONS ]\n"
		"       veil-tls { help | --help | --version }\n"
		"where  OPTIONS := { --tls1.2 | --tls1.3 | --ciphers LIST | --ciphersuites LIST |\n"
		"                    --groups LIST | --fallback | --cert FILE --key FILE }\n"
		"       connect also: { --ca FILE | --servername NAME | --sess-in FILE |\n"
		"                       --sess-out FILE | --insecure }\n"
		"       serve and proxy also: { --client-ca FILE | --idle-timeout SECONDS }\n"
		"       ADDR:PORT := { IPV4:PORT | [IPV6]:PORT }   HOST := { NAME | ADDR }\n"
		"\n");
	for (c = vtls_cmds; c->name; c++)
		fprintf(f, "  %-8s %s\n", c->name, c->help);
}

void vtls_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("veil-tls: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

int main(int argc, char **argv)
{
	const struct vtls_cmd *c;
	struct vtls_opts o;

	if (argc < 2) {
		vtls_usage(stderr);
		return VTLS_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		vtls_usage(stdout);
		return VTLS_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("veil-tls %s, %s\n", VEIL_VERSION, OpenSSL_version(OPENSSL_VERSION));
		return VTLS_EXIT_OK;
	}
	for (c = vtls_cmds; c->name; c++)
		if (!strcmp(argv[1], c->name))
			break;
	if (!c->name) {
		fprintf(stderr, "veil-tls: unknown command '%s'; see veil-tls help\n", argv[1]);
		return VTLS_EXIT_USAGE;
	}
	if (vtls_parse_opts(argc - 1, argv + 1, &o, c->name))
		return VTLS_EXIT_USAGE;
	/* A peer that goes away shows as EPIPE, not as a dead process. */
	signal(SIGPIPE, SIG_IGN);
	return c->fn(&o);
}

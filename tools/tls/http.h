/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The HTTP/1.1 side of veil-tls serve: requests parsed by Debian's
 * libhttp-parser, paths resolved strictly beneath the document root.
 */
#ifndef VEIL_TLS_HTTP_H
#define VEIL_TLS_HTTP_H

#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <http_parser.h>

#define VTLS_URL_MAX	4096

/**
 * struct vtls_http - one connection's request parser
 * @parser: libhttp-parser's state
 * @settings: its callbacks
 * @url: the request target, collected across reads
 * @url_len: bytes in @url
 * @too_long: the target did not fit @url
 * @complete: a whole request has been read (the parser is paused)
 */
struct vtls_http {
	http_parser parser;
	http_parser_settings settings;
	char url[VTLS_URL_MAX];
	size_t url_len;
	bool too_long;
	bool complete;
};

void vtls_http_init(struct vtls_http *h);
ssize_t vtls_http_feed(struct vtls_http *h, const char *buf, size_t len);
void vtls_http_next(struct vtls_http *h);
int vtls_http_open(int rootfd, const struct vtls_http *h, int *fd, struct stat *st);
int vtls_http_header(char *buf, size_t len, int status, const char *type, off_t clen,
		     bool keep_alive);
const char *vtls_http_type(const char *url, size_t len);

#endif

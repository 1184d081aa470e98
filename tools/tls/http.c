// SPDX-License-Identifier: GPL-2.0
/*
 * Requests, paths and response headers for veil-tls serve. Parsing is
 * libhttp-parser's; this file only collects the target, and resolves it
 * with openat2(RESOLVE_BENEATH), so that no "..", absolute path or symbolic
 * link can leave the document root, whatever the decoding.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <linux/openat2.h>
#include <sys/syscall.h>

#include "http.h"

static int vtls_on_begin(http_parser *p)
{
	struct vtls_http *h = p->data;

	h->url_len = 0;
	h->too_long = false;
	return 0;
}

static int vtls_on_url(http_parser *p, const char *at, size_t len)
{
	struct vtls_http *h = p->data;

	if (h->url_len + len >= sizeof(h->url)) {
		h->too_long = true;
		return 0;
	}
	memcpy(h->url + h->url_len, at, len);
	h->url_len += len;
	return 0;
}

/* One request at a time: stop here until its response is out. */
static int vtls_on_complete(http_parser *p)
{
	struct vtls_http *h = p->data;

	h->complete = true;
	http_parser_pause(p, 1);
	return 0;
}

void vtls_http_init(struct vtls_http *h)
{
	memset(h, 0, sizeof(*h));
	http_parser_init(&h->parser, HTTP_REQUEST);
	h->parser.data = h;
	http_parser_settings_init(&h->settings);
	h->settings.on_message_begin = vtls_on_begin;
	h->settings.on_url = vtls_on_url;
	h->settings.on_message_complete = vtls_on_complete;
}

/**
 * vtls_http_feed() - parse bytes of the request stream
 * @h: the parser
 * @buf: bytes read from the client
 * @len: how many
 *
 * Stops after a complete request (@h->complete).
 *
 * Return: bytes used, or -1 for a malformed request.
 */
ssize_t vtls_http_feed(struct vtls_http *h, const char *buf, size_t len)
{
	size_t n = http_parser_execute(&h->parser, &h->settings, buf, len);
	enum http_errno e = HTTP_PARSER_ERRNO(&h->parser);

	if (e != HPE_OK && e != HPE_PAUSED)
		return -1;
	return n;
}

/* The response to the current request is out: read the next. */
void vtls_http_next(struct vtls_http *h)
{
	h->complete = false;
	http_parser_pause(&h->parser, 0);
}

static int vtls_unhex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The request's path, percent-decoded, without the leading slashes. */
static int vtls_http_path(const struct vtls_http *h, char *out, size_t room)
{
	struct http_parser_url u;
	const char *p;
	size_t i, n = 0, len;
	int hi, lo;

	http_parser_url_init(&u);
	if (http_parser_parse_url(h->url, h->url_len, 0, &u) || !(u.field_set & (1 << UF_PATH)))
		return -1;
	p = h->url + u.field_data[UF_PATH].off;
	len = u.field_data[UF_PATH].len;
	for (i = 0; i < len; i++) {
		char c = p[i];

		if (c == '%') {
			if (i + 2 >= len)
				return -1;
			hi = vtls_unhex(p[i + 1]);
			lo = vtls_unhex(p[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			c = hi << 4 | lo;
			i += 2;
		}
		if (c == '\0' || n + 1 >= room)
			return -1;
		if (n == 0 && c == '/')
			continue;
		out[n++] = c;
	}
	if (n == 0)
		out[n++] = '.';
	out[n] = '\0';
	return 0;
}

static int vtls_openat2(int dirfd, const char *path)
{
	struct open_how how = {
		.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
	};

	return syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
}

/**
 * vtls_http_open() - the file a GET or HEAD asks for
 * @rootfd: the document root
 * @h: the complete request
 * @fd: the open file, on success
 * @st: its status
 *
 * A directory stands for its index.html.
 *
 * Return: 200, 400 for a target that cannot be a path, or 404 for
 * anything that is not a readable regular file beneath the root.
 */
int vtls_http_open(int rootfd, const struct vtls_http *h, int *fd, struct stat *st)
{
	char path[VTLS_URL_MAX];
	int f, idx;

	if (h->too_long || vtls_http_path(h, path, sizeof(path)))
		return 400;
	f = vtls_openat2(rootfd, path);
	if (f < 0)
		return 404;
	if (fstat(f, st))
		goto notfound;
	if (S_ISDIR(st->st_mode)) {
		idx = vtls_openat2(f, "index.html");
		close(f);
		f = idx;
		if (f < 0 || fstat(f, st))
			goto notfound;
	}
	if (!S_ISREG(st->st_mode))
		goto notfound;
	*fd = f;
	return 200;
notfound:
	if (f >= 0)
		close(f);
	return 404;
}

static const struct {
	const char *ext;
	const char *type;
} vtls_types[] = {
	{ "html", "text/html; charset=utf-8" }, { "htm", "text/html; charset=utf-8" },
	{ "txt", "text/plain; charset=utf-8" }, { "css", "text/css" },
	{ "js", "text/javascript" }, { "json", "application/json" },
	{ "xml", "application/xml" }, { "svg", "image/svg+xml" },
	{ "png", "image/png" }, { "jpg", "image/jpeg" }, { "jpeg", "image/jpeg" },
	{ "gif", "image/gif" }, { "webp", "image/webp" }, { "ico", "image/x-icon" },
	{ "pdf", "application/pdf" }, { "gz", "application/gzip" },
	{ "tar", "application/x-tar" }, { "zip", "application/zip" },
	{ "wasm", "application/wasm" },
};

/* The Content-Type for the file a target names, by its extension. */
const char *vtls_http_type(const char *url, size_t len)
{
	const char *dot = NULL, *end = url + len;
	const char *q = memchr(url, '?', len);
	size_t i;

	if (q)
		end = q;
	for (const char *p = url; p < end; p++) {
		if (*p == '.')
			dot = p;
		else if (*p == '/')
			dot = NULL;
	}
	if (end > url && end[-1] == '/')
		return vtls_types[0].type;	/* a directory's index.html */
	if (!dot)
		return "application/octet-stream";
	dot++;
	for (i = 0; i < sizeof(vtls_types) / sizeof(vtls_types[0]); i++)
		if ((size_t)(end - dot) == strlen(vtls_types[i].ext) &&
		    !strncasecmp(dot, vtls_types[i].ext, end - dot))
			return vtls_types[i].type;
	return "application/octet-stream";
}

static const char *vtls_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 431: return "Request Header Fields Too Large";
	default: return "Internal Server Error";
	}
}

/**
 * vtls_http_header() - a response's status line and header
 * @buf: where it goes
 * @len: room in @buf
 * @status: the status code
 * @type: Content-Type of a 200 response
 * @clen: Content-Length
 * @keep_alive: whether the connection stays open after it
 *
 * Return: the header's length.
 */
int vtls_http_header(char *buf, size_t len, int status, const char *type, off_t clen,
		     bool keep_alive)
{
	return snprintf(buf, len,
			"HTTP/1.1 %d %s\r\n"
			"Server: veil-tls\r\n"
			"Content-Type: %s\r\n"
			"Content-Length: %lld\r\n"
			"%s"
			"Connection: %s\r\n"
			"\r\n",
			status, vtls_reason(status), status == 200 ? type : "text/plain",
			(long long)clen, status == 405 ? "Allow: GET, HEAD\r\n" : "",
			keep_alive ? "keep-alive" : "close");
}

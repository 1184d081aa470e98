// SPDX-License-Identifier: GPL-2.0
/*
 * Traffic selectors in strongSwan's syntax:
 *
 *   10.1.0.0/16           a subnet (host bits are cleared, as ip xfrm does)
 *   10.1.0.5              one host
 *   10.1.0.5-10.1.0.9     a range
 *   dynamic               the IKE SA's own address, once it is known
 *   ...[tcp], ...[tcp/443], ...[udp/1024-2047], ...[17/%any], ...[icmp/8]
 *
 * and their intersection, which is how a responder narrows what an
 * initiator proposes to what it is configured to allow (RFC 7296 §2.9).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "ts.h"

static const struct {
	const char *name;
	uint8_t proto;
} ts_protos[] = {
	{ "icmp", 1 }, { "tcp", 6 }, { "udp", 17 }, { "gre", 47 }, { "esp", 50 },
	{ "ah", 51 }, { "ipv6-icmp", 58 }, { "icmpv6", 58 }, { "sctp", 132 },
};

int iked_ts_addr_len(const struct iked_ts *ts)
{
	return ts->family == AF_INET6 ? 16 : 4;
}

static int ts_err(char *err, size_t errlen, const char *text, const char *why)
{
	snprintf(err, errlen, "traffic selector \"%s\": %s", text, why);
	return -1;
}

static bool ts_num(const char *s, unsigned long max, unsigned long *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*v = strtoul(s, &end, 10);
	return !errno && !*end && *v <= max;
}

/* "tcp", "6", "%any" */
static int ts_proto(const char *s, uint8_t *proto)
{
	unsigned long v;
	size_t i;

	if (!*s || !strcmp(s, "%any")) {
		*proto = 0;
		return 0;
	}
	for (i = 0; i < sizeof(ts_protos) / sizeof(ts_protos[0]); i++) {
		if (!strcmp(s, ts_protos[i].name)) {
			*proto = ts_protos[i].proto;
			return 0;
		}
	}
	if (!ts_num(s, 255, &v))
		return -1;
	*proto = v;
	return 0;
}

/* "443", "1024-2047", "%any"; for ICMP "8" is a type, "3/1"... as in strongSwan: type only */
static int ts_ports(const char *s, uint8_t proto, uint16_t *from, uint16_t *to)
{
	char buf[32], *dash;
	unsigned long a, b;
	bool icmp = proto == 1 || proto == 58;

	if (!*s || !strcmp(s, "%any")) {
		*from = 0;
		*to = 0xffff;
		return 0;
	}
	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	dash = strchr(buf, '-');
	if (dash)
		*dash++ = '\0';
	if (!ts_num(buf, icmp ? 255 : 65535, &a) ||
	    (dash && !ts_num(dash, icmp ? 255 : 65535, &b)))
		return -1;
	if (!dash)
		b = a;
	if (a > b)
		return -1;
	/* RFC 4301 §4.4.1.1: an ICMP selector's "port" is type << 8 | code. */
	if (icmp) {
		*from = a << 8;
		*to = b << 8 | 0xff;
	} else {
		*from = a;
		*to = b;
	}
	return 0;
}

static void ts_mask(struct iked_ts *ts, const uint8_t *addr, unsigned int plen)
{
	int n = iked_ts_addr_len(ts), i;
	unsigned int bits;
	uint8_t m;

	for (i = 0; i < n; i++) {
		bits = plen > (unsigned int)i * 8 ? plen - i * 8 : 0;
		m = bits >= 8 ? 0xff : (uint8_t)(0xff << (8 - bits));
		ts->from[i] = addr[i] & m;
		ts->to[i] = addr[i] | (uint8_t)~m;
	}
}

static int ts_addr(const char *s, uint8_t *addr)
{
	if (inet_pton(AF_INET, s, addr) == 1)
		return AF_INET;
	if (inet_pton(AF_INET6, s, addr) == 1)
		return AF_INET6;
	return 0;
}

/**
 * iked_ts_parse - a traffic selector from its text
 * @text: as in the header comment
 * @ts: filled in
 * @err: a one-line reason on failure
 * @errlen: its size
 *
 * Return: 0, or -1 with @err set.
 */
int iked_ts_parse(const char *text, struct iked_ts *ts, char *err, size_t errlen)
{
	char buf[128], *sel, *slash, *dash, *port;
	uint8_t addr[16], addr2[16];
	unsigned long plen;
	int fam;

	memset(ts, 0, sizeof(*ts));
	ts->to_port = 0xffff;
	if (strlen(text) >= sizeof(buf))
		return ts_err(err, errlen, text, "too long");
	strcpy(buf, text);
	sel = strchr(buf, '[');
	if (sel) {
		if (buf[strlen(buf) - 1] != ']')
			return ts_err(err, errlen, text, "\"[\" without \"]\"");
		*sel++ = '\0';
		sel[strlen(sel) - 1] = '\0';
		port = strchr(sel, '/');
		if (port)
			*port++ = '\0';
		if (ts_proto(sel, &ts->proto))
			return ts_err(err, errlen, text, "unknown IP protocol");
		if (port && ts_ports(port, ts->proto, &ts->from_port, &ts->to_port))
			return ts_err(err, errlen, text, "ports are not N, N-M or %any");
		if (port && strcmp(port, "%any") && ts->proto != 6 && ts->proto != 17 &&
		    ts->proto != 132 && ts->proto != 1 && ts->proto != 58)
			return ts_err(err, errlen, text, "ports need tcp, udp, sctp or icmp");
	}
	if (!strcmp(buf, "dynamic")) {
		ts->dynamic = true;
		return 0;
	}
	slash = strchr(buf, '/');
	dash = strchr(buf, '-');
	if (slash) {
		*slash++ = '\0';
		fam = ts_addr(buf, addr);
		if (!fam || !ts_num(slash, fam == AF_INET ? 32 : 128, &plen))
			return ts_err(err, errlen, text, "not ADDRESS/PREFIX");
		ts->family = fam;
		ts_mask(ts, addr, plen);
		return 0;
	}
	if (dash) {
		*dash++ = '\0';
		fam = ts_addr(buf, addr);
		if (!fam || ts_addr(dash, addr2) != fam)
			return ts_err(err, errlen, text, "not FIRST-LAST of one family");
		ts->family = fam;
		if (memcmp(addr, addr2, iked_ts_addr_len(ts)) > 0)
			return ts_err(err, errlen, text, "its first address is after its last");
		memcpy(ts->from, addr, iked_ts_addr_len(ts));
		memcpy(ts->to, addr2, iked_ts_addr_len(ts));
		return 0;
	}
	fam = ts_addr(buf, addr);
	if (!fam)
		return ts_err(err, errlen, text,
			      "not an address, ADDRESS/PREFIX, FIRST-LAST or dynamic");
	iked_ts_from_addr(ts, fam, addr);
	return 0;
}

/* One host, keeping @ts's protocol and ports: how "dynamic" resolves. */
void iked_ts_from_addr(struct iked_ts *ts, int family, const void *addr)
{
	ts->family = family;
	ts->dynamic = false;
	memset(ts->from, 0, sizeof(ts->from));
	memcpy(ts->from, addr, iked_ts_addr_len(ts));
	memcpy(ts->to, ts->from, sizeof(ts->to));
}

bool iked_ts_is_host(const struct iked_ts *ts)
{
	return !memcmp(ts->from, ts->to, iked_ts_addr_len(ts));
}

/**
 * iked_ts_to_prefix - whether @ts's addresses are one prefix, and its length
 * @ts: the selector
 * @prefixlen: the prefix length, when it is one
 *
 * XFRM and veil policies match prefixes; a range that is not one must be
 * split (or refused) by the caller.
 */
bool iked_ts_to_prefix(const struct iked_ts *ts, int *prefixlen)
{
	int n = iked_ts_addr_len(ts), i, bit, plen = -1;
	bool same, diff;

	for (i = 0; i < n * 8; i++) {
		bit = 7 - i % 8;
		same = ((ts->from[i / 8] ^ ts->to[i / 8]) >> bit & 1) == 0;
		diff = (ts->from[i / 8] >> bit & 1) == 0 && (ts->to[i / 8] >> bit & 1) == 1;
		if (plen < 0 && !same) {
			if (!diff)
				return false;
			plen = i;
		} else if (plen >= 0 && !diff) {
			return false;
		}
	}
	*prefixlen = plen < 0 ? n * 8 : plen;
	return true;
}

int iked_ts_format(const struct iked_ts *ts, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN], sel[48] = "";
	size_t i;
	int plen, n;
	bool icmp = ts->proto == 1 || ts->proto == 58;

	if (ts->proto || ts->from_port || ts->to_port != 0xffff) {
		const char *pname = NULL;
		char pnum[8];

		for (i = 0; i < sizeof(ts_protos) / sizeof(ts_protos[0]); i++)
			if (ts_protos[i].proto == ts->proto && !pname)
				pname = ts_protos[i].name;
		snprintf(pnum, sizeof(pnum), "%u", ts->proto);
		if (!ts->proto)
			pname = "%any";
		if (!ts->from_port && ts->to_port == 0xffff)
			snprintf(sel, sizeof(sel), "[%s]", pname ? pname : pnum);
		else if (icmp)
			snprintf(sel, sizeof(sel), ts->from_port >> 8 == ts->to_port >> 8 ?
				 "[%s/%u]" : "[%s/%u-%u]", pname ? pname : pnum,
				 ts->from_port >> 8, ts->to_port >> 8);
		else
			snprintf(sel, sizeof(sel), ts->from_port == ts->to_port ?
				 "[%s/%u]" : "[%s/%u-%u]", pname ? pname : pnum,
				 ts->from_port, ts->to_port);
	}
	if (ts->dynamic)
		n = snprintf(buf, len, "dynamic%s", sel);
	else if (!inet_ntop(ts->family, ts->from, a, sizeof(a)) ||
		 !inet_ntop(ts->family, ts->to, b, sizeof(b)))
		return -1;
	else if (iked_ts_to_prefix(ts, &plen))
		n = snprintf(buf, len, "%s/%d%s", a, plen, sel);
	else
		n = snprintf(buf, len, "%s-%s%s", a, b, sel);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

static const uint8_t *ts_max(const uint8_t *a, const uint8_t *b, int n)
{
	return memcmp(a, b, n) >= 0 ? a : b;
}

static const uint8_t *ts_min(const uint8_t *a, const uint8_t *b, int n)
{
	return memcmp(a, b, n) <= 0 ? a : b;
}

/**
 * iked_ts_intersect - what two selectors have in common
 * @a: one selector (resolved: not dynamic)
 * @b: the other
 * @out: the intersection, when there is one
 *
 * Return: whether there is one.
 */
bool iked_ts_intersect(const struct iked_ts *a, const struct iked_ts *b, struct iked_ts *out)
{
	int n = iked_ts_addr_len(a);
	struct iked_ts r = { .family = a->family };

	if (a->dynamic || b->dynamic || a->family != b->family)
		return false;
	if (a->proto && b->proto && a->proto != b->proto)
		return false;
	r.proto = a->proto ? a->proto : b->proto;
	r.from_port = a->from_port > b->from_port ? a->from_port : b->from_port;
	r.to_port = a->to_port < b->to_port ? a->to_port : b->to_port;
	if (r.from_port > r.to_port)
		return false;
	memcpy(r.from, ts_max(a->from, b->from, n), n);
	memcpy(r.to, ts_min(a->to, b->to, n), n);
	if (memcmp(r.from, r.to, n) > 0)
		return false;
	*out = r;
	return true;
}

/* Whether @inner lies wholly within @outer. */
bool iked_ts_contains(const struct iked_ts *outer, const struct iked_ts *inner)
{
	struct iked_ts r;

	int n = iked_ts_addr_len(inner);

	return iked_ts_intersect(outer, inner, &r) && r.proto == inner->proto &&
	       r.from_port == inner->from_port && r.to_port == inner->to_port &&
	       !memcmp(r.from, inner->from, n) && !memcmp(r.to, inner->to, n);
}

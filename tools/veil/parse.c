// SPDX-License-Identifier: GPL-2.0
/*
 * Words shared by every command: numbers, addresses and prefixes, keys,
 * protocol names, enum names, and the splitting of -batch lines.
 */
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/veil.h>

#include "parse.h"

int veil_perr(struct veil_perr *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

const char *veil_args_peek(const struct veil_args *a)
{
	return a->i < a->argc ? a->argv[a->i] : NULL;
}

const char *veil_args_next(struct veil_args *a)
{
	return a->i < a->argc ? a->argv[a->i++] : NULL;
}

/* The word after keyword @kw, which must be there. */
int veil_args_value(struct veil_args *a, const char *kw, const char **val)
{
	*val = veil_args_next(a);
	if (!*val)
		return veil_perr(a->e, "\"%s\" needs an argument", kw);
	return 0;
}

/* Words `ip xfrm` knows that veil does not implement. */
static const char *const veil_xfrm_only[] = {
	"mark", "mask", "seq", "ctx", "coa", "extra-flag", "offload",
	"output-mark", "tfcpad", "comp", "ptype", "dev", "type", "code",
	"key", "nosock", "allocspi", NULL,
};

int veil_args_unknown(struct veil_args *a, const char *word,
		      const char *where)
{
	const char *const *w;

	for (w = veil_xfrm_only; *w; w++)
		if (!strcmp(word, *w))
			return veil_perr(a->e, "\"%s\" (ip xfrm) is not supported by veil %s",
					 word, where);
	return veil_perr(a->e, "unknown argument \"%s\" to %s", word, where);
}

const struct veil_name veil_xfrm_proto_names[] = {
	{ "esp", VEIL_PROTO_ESP }, { "ah", VEIL_PROTO_AH }, { NULL, 0 },
};

const struct veil_name veil_mode_names[] = {
	{ "transport", VEIL_MODE_TRANSPORT }, { "tunnel", VEIL_MODE_TUNNEL },
	{ NULL, 0 },
};

const struct veil_name veil_dir_names[] = {
	{ "in", VEIL_DIR_IN }, { "out", VEIL_DIR_OUT }, { "fwd", VEIL_DIR_FWD },
	{ NULL, 0 },
};

const struct veil_name veil_action_names[] = {
	{ "allow", VEIL_ACTION_ALLOW }, { "block", VEIL_ACTION_BLOCK },
	{ NULL, 0 },
};

const struct veil_name veil_level_names[] = {
	{ "required", VEIL_LEVEL_REQUIRED }, { "use", VEIL_LEVEL_USE },
	{ NULL, 0 },
};

const struct veil_name veil_encap_names[] = {
	{ "espinudp", VEIL_ENCAP_TYPE_ESPINUDP },
	{ "espinudp-nonike", VEIL_ENCAP_TYPE_ESPINUDP_NONIKE },
	{ NULL, 0 },
};

const struct veil_name veil_sa_flag_names[] = {
	{ "esn", VEIL_SA_FLAGS_ESN }, { "align4", VEIL_SA_FLAGS_ALIGN4 }, { NULL, 0 },
};

const struct veil_name veil_family_names[] = {
	{ "inet", AF_INET }, { "inet6", AF_INET6 }, { NULL, 0 },
};

const char *veil_name_of(const struct veil_name *tab, int value)
{
	for (; tab->name; tab++)
		if (tab->value == value)
			return tab->name;
	return NULL;
}

/* Return: 0 with *@value set, or -ENOENT. */
int veil_lookup(const struct veil_name *tab, const char *s, int *value)
{
	for (; tab->name; tab++) {
		if (!strcmp(tab->name, s)) {
			*value = tab->value;
			return 0;
		}
	}
	return -ENOENT;
}

/*
 * An unsigned number, decimal or 0x hex, from @min to @max. Leading
 * zeros are decimal, not octal: "010" is ten.
 */
int veil_parse_range(struct veil_perr *e, const char *what, const char *s,
		     uint64_t min, uint64_t max, uint64_t *v)
{
	int base = 10;
	char *end;

	if (!strncmp(s, "0x", 2) || !strncmp(s, "0X", 2)) {
		base = 16;
		s += 2;
	}
	if (!isxdigit((unsigned char)*s) || (base == 10 && !isdigit((unsigned char)*s)))
		return veil_perr(e, "%s \"%s\" is not a number", what,
				 base == 16 ? s - 2 : s);
	errno = 0;
	*v = strtoull(s, &end, base);
	if (*end)
		return veil_perr(e, "%s \"%s\" is not a number", what,
				 base == 16 ? s - 2 : s);
	if (errno == ERANGE || *v < min || *v > max)
		return veil_perr(e, "%s \"%s\" is out of range (%llu to %llu)", what,
				 base == 16 ? s - 2 : s, (unsigned long long)min,
				 (unsigned long long)max);
	return 0;
}

/* An unsigned number no larger than @max, as veil_parse_range() reads it. */
int veil_parse_u64(struct veil_perr *e, const char *what, const char *s,
		   uint64_t max, uint64_t *v)
{
	return veil_parse_range(e, what, s, 0, max, v);
}

int veil_parse_u32(struct veil_perr *e, const char *what, const char *s,
		   uint32_t *v)
{
	uint64_t n;
	int ret = veil_parse_u64(e, what, s, UINT32_MAX, &n);

	if (!ret)
		*v = (uint32_t)n;
	return ret;
}

int veil_parse_port(struct veil_perr *e, const char *what, const char *s,
		    uint16_t *v)
{
	uint64_t n;
	int ret = veil_parse_u64(e, what, s, UINT16_MAX, &n);

	if (!ret)
		*v = (uint16_t)n;
	return ret;
}

/* One address, IPv4 or IPv6, no prefix length. */
int veil_parse_addr(struct veil_perr *e, const char *what, const char *s,
		    struct veil_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, a->bytes) == 1) {
		a->family = AF_INET;
		a->plen = 32;
	} else if (inet_pton(AF_INET6, s, a->bytes) == 1) {
		a->family = AF_INET6;
		a->plen = 128;
	} else {
		return veil_perr(e, "%s \"%s\" is not an IPv4 or IPv6 address",
				 what, s);
	}
	return 0;
}

/*
 * ADDR[/PLEN]; without PLEN the prefix is the whole address. Bits past
 * the prefix must be zero, as the spec requires of selectors.
 */
int veil_parse_prefix(struct veil_perr *e, const char *what, const char *s,
		      struct veil_addr *a)
{
	const char *slash = strchr(s, '/');
	char addr[INET6_ADDRSTRLEN + 1];
	uint64_t plen;
	int i, ret;

	if (!slash)
		return veil_parse_addr(e, what, s, a);
	if ((size_t)(slash - s) >= sizeof(addr))
		return veil_perr(e, "%s \"%s\" is not an IPv4 or IPv6 address",
				 what, s);
	memcpy(addr, s, slash - s);
	addr[slash - s] = '\0';
	ret = veil_parse_addr(e, what, addr, a);
	if (ret)
		return ret;
	if (!isdigit((unsigned char)slash[1]) ||
	    veil_parse_u64(e, what, slash + 1, a->plen, &plen))
		return veil_perr(e, "%s \"%s\": prefix length must be 0 to %u",
				 what, s, a->plen);
	a->plen = (uint8_t)plen;
	for (i = a->plen; i < veil_addr_len(a) * 8; i++)
		if (a->bytes[i / 8] & (0x80 >> (i % 8)))
			return veil_perr(e, "%s \"%s\" has bits set past the prefix length",
					 what, s);
	return 0;
}

/* Does @addr lie in @prefix/@plen? */
bool veil_prefix_match(const uint8_t *addr, const uint8_t *prefix,
		       unsigned int plen)
{
	unsigned int bytes = plen / 8, bits = plen % 8;

	if (memcmp(addr, prefix, bytes))
		return false;
	if (!bits)
		return true;
	return !((addr[bytes] ^ prefix[bytes]) & (0xff00 >> bits));
}

static int veil_hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static int veil_parse_hex(struct veil_perr *e, const char *what,
			  const char *hex, size_t n, uint8_t *buf, size_t *len)
{
	size_t i;

	if (!n)
		return veil_perr(e, "%s: the key has no hex digits", what);
	if (n % 2)
		return veil_perr(e, "%s: the key has an odd number of hex digits (%zu)",
				 what, n);
	if (n / 2 > VEIL_KEY_MAX_LEN)
		return veil_perr(e, "%s: the key is longer than %d bytes", what,
				 VEIL_KEY_MAX_LEN);
	for (i = 0; i < n; i += 2) {
		int hi = veil_hex_value((unsigned char)hex[i]);
		int lo = veil_hex_value((unsigned char)hex[i + 1]);

		if (hi < 0 || lo < 0)
			return veil_perr(e, "%s: \"%c%c\" in the key is not hex",
					 what, hex[i], hex[i + 1]);
		buf[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	*len = n / 2;
	return 0;
}

/* @FILE: hex text, optional 0x, whitespace anywhere ignored. */
static int veil_parse_key_file(struct veil_perr *e, const char *what,
			       const char *path, uint8_t *buf, size_t *len)
{
	char text[4 * VEIL_KEY_MAX_LEN + 8], *hex = text;
	size_t n = 0, i;
	FILE *f;
	int c;

	f = fopen(path, "re");
	if (!f)
		return veil_perr(e, "%s: cannot read key file \"%s\": %s", what,
				 path, strerror(errno));
	while ((c = getc(f)) != EOF) {
		if (isspace(c))
			continue;
		if (n == sizeof(text) - 1) {
			fclose(f);
			return veil_perr(e, "%s: key file \"%s\" is too long", what,
					 path);
		}
		text[n++] = (char)c;
	}
	fclose(f);
	text[n] = '\0';
	if (n >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
		hex += 2;
		n -= 2;
	}
	for (i = 0; i < n; i++)
		if (veil_hex_value((unsigned char)hex[i]) < 0)
			return veil_perr(e, "%s: key file \"%s\" must hold hex digits only",
					 what, path);
	return veil_parse_hex(e, what, hex, n, buf, len);
}

/*
 * A key as ip-xfrm takes it: 0x followed by hex digits, or any other
 * string as its own bytes. veil adds @FILE, a file of hex text, so keys
 * need not appear in argv (and so in ps or shell history).
 * @buf must hold VEIL_KEY_MAX_LEN bytes.
 */
int veil_parse_key(struct veil_perr *e, const char *what, const char *s,
		   uint8_t *buf, size_t *len)
{
	size_t n = strlen(s);

	if (s[0] == '@')
		return veil_parse_key_file(e, what, s + 1, buf, len);
	if (!strncmp(s, "0x", 2) || !strncmp(s, "0X", 2))
		return veil_parse_hex(e, what, s + 2, n - 2, buf, len);
	if (n > VEIL_KEY_MAX_LEN)
		return veil_perr(e, "%s: the key is longer than %d bytes", what,
				 VEIL_KEY_MAX_LEN);
	memcpy(buf, s, n);
	*len = n;
	return 0;
}

/* An upper-layer protocol: a name from /etc/protocols, or 0 to 255. */
int veil_parse_ulproto(struct veil_perr *e, const char *s, uint8_t *proto)
{
	struct protoent *pe;
	uint64_t n;

	if (isdigit((unsigned char)*s)) {
		if (veil_parse_u64(e, "proto", s, 255, &n))
			return -EINVAL;
		*proto = (uint8_t)n;
		return 0;
	}
	pe = getprotobyname(s);
	if (!pe || pe->p_proto < 0 || pe->p_proto > 255)
		return veil_perr(e, "unknown protocol \"%s\" (see /etc/protocols)", s);
	*proto = (uint8_t)pe->p_proto;
	return 0;
}

int veil_parse_xfrm_proto(struct veil_perr *e, const char *s, uint8_t *proto)
{
	int v;

	if (veil_lookup(veil_xfrm_proto_names, s, &v))
		return veil_perr(e, "unknown IPsec protocol \"%s\": veil supports esp and ah", s);
	*proto = (uint8_t)v;
	return 0;
}

int veil_parse_mode(struct veil_perr *e, const char *s, uint8_t *mode)
{
	int v;

	if (veil_lookup(veil_mode_names, s, &v))
		return veil_perr(e, "unknown mode \"%s\": veil supports transport and tunnel", s);
	*mode = (uint8_t)v;
	return 0;
}

/*
 * Split a -batch line into words in place, as ip -batch does: blanks
 * separate words, '...' and "..." quote (and may join a word's parts),
 * and a word starting with # begins a comment.
 *
 * Return: the number of words, or -EINVAL with @e filled in.
 */
int veil_split_line(char *line, char **argv, int max, struct veil_perr *e)
{
	char *r = line, *w = line;
	int argc = 0;

	for (;;) {
		while (*r && isspace((unsigned char)*r))
			r++;
		if (!*r || *r == '#')
			break;
		if (argc == max)
			return veil_perr(e, "more than %d words on one line", max);
		argv[argc++] = w;
		while (*r && !isspace((unsigned char)*r)) {
			if (*r == '\'' || *r == '"') {
				char quote = *r++;

				while (*r && *r != quote)
					*w++ = *r++;
				if (!*r)
					return veil_perr(e, "unterminated %c quote", quote);
				r++;
			} else {
				*w++ = *r++;
			}
		}
		if (*r)
			r++;
		*w++ = '\0';
	}
	return argc;
}

/* Selector words: [ src ADDR[/PLEN] ] [ dst ADDR[/PLEN] ] [ proto P [ sport N ] [ dport N ] ] */
bool veil_sel_word(const struct veil_sel *s, const char *word)
{
	if (!strcmp(word, "src"))
		return !s->has_src;
	if (!strcmp(word, "dst"))
		return !s->has_dst;
	if (!strcmp(word, "proto"))
		return !s->proto;
	if (!strcmp(word, "sport"))
		return !s->sport;
	if (!strcmp(word, "dport"))
		return !s->dport;
	return false;
}

static bool veil_proto_has_ports(uint8_t proto)
{
	/* tcp, udp, sctp, udplite: the ones veil.ko matches ports for */
	return proto == 6 || proto == 17 || proto == 132 || proto == 136;
}

/* Take one selector word (veil_sel_word() said yes) and its argument. */
int veil_sel_take(struct veil_args *a, struct veil_sel *s)
{
	const char *kw = veil_args_next(a), *v;
	uint16_t *port;

	if (veil_args_value(a, kw, &v))
		return -EINVAL;
	if (!strcmp(kw, "src")) {
		s->has_src = true;
		return veil_parse_prefix(a->e, "selector src", v, &s->src);
	}
	if (!strcmp(kw, "dst")) {
		s->has_dst = true;
		return veil_parse_prefix(a->e, "selector dst", v, &s->dst);
	}
	if (!strcmp(kw, "proto"))
		return veil_parse_ulproto(a->e, v, &s->proto);
	if (!veil_proto_has_ports(s->proto))
		return veil_perr(a->e, "\"%s\" needs proto tcp, udp, sctp or udplite before it",
				 kw);
	port = !strcmp(kw, "sport") ? &s->sport : &s->dport;
	if (veil_parse_port(a->e, kw, v, port))
		return -EINVAL;
	if (!*port)
		return veil_perr(a->e, "%s 0 means any port; leave it out", kw);
	return 0;
}

/*
 * Put @s as nest @attr. An absent src or dst is the zero prefix of the
 * other's family, or of @default_family when neither was given.
 */
int veil_sel_put(struct nl_msg *msg, int attr, const struct veil_sel *s,
		 uint16_t default_family, struct veil_perr *e)
{
	struct veil_addr src = { 0 }, dst = { 0 };
	struct nlattr *nest;
	uint16_t family = default_family;

	if (s->has_src)
		family = s->src.family;
	else if (s->has_dst)
		family = s->dst.family;
	if (s->has_src && s->has_dst && s->src.family != s->dst.family)
		return veil_perr(e, "selector src and dst are of different families");
	if (s->has_src)
		src = s->src;
	if (s->has_dst)
		dst = s->dst;
	src.family = dst.family = family;

	nest = nla_nest_start(msg, attr);
	if (!nest ||
	    nla_put_u16(msg, VEIL_A_SELECTOR_FAMILY, family) ||
	    nla_put(msg, VEIL_A_SELECTOR_SRC, veil_addr_len(&src), src.bytes) ||
	    nla_put(msg, VEIL_A_SELECTOR_DST, veil_addr_len(&dst), dst.bytes) ||
	    nla_put_u8(msg, VEIL_A_SELECTOR_SRC_PREFIX_LEN, s->has_src ? src.plen : 0) ||
	    nla_put_u8(msg, VEIL_A_SELECTOR_DST_PREFIX_LEN, s->has_dst ? dst.plen : 0) ||
	    (s->proto && nla_put_u8(msg, VEIL_A_SELECTOR_PROTO, s->proto)) ||
	    (s->sport && nla_put_u16(msg, VEIL_A_SELECTOR_SPORT, s->sport)) ||
	    (s->dport && nla_put_u16(msg, VEIL_A_SELECTOR_DPORT, s->dport)))
		return veil_perr(e, "request too large");
	nla_nest_end(msg, nest);
	return 0;
}

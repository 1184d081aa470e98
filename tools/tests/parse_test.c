// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side tests of veil's command-line parsing and printing: ip-xfrm
 * lines go in, and the attributes of the request they build (read back
 * with nla_parse) or the refusal they earn are checked. No socket and no
 * kernel module are involved. Output is KTAP; the exit status is non-zero
 * when any check fails.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veil.h>
#include <netlink/genl/genl.h>

#include "parse.h"
#include "veil.h"
#include "view.h"

typedef int (*parse_fn)(int, char **, struct nl_msg *, struct veil_perr *);

#include "ktap.h"


/* One request under test, with its attributes parsed back. */
struct req {
	struct nl_msg *msg;
	struct nlattr *tb[VEIL_A_SA_MAX + 1];	/* the largest set used */
	struct nlattr *attrs;
	int len;
	int ret;
	struct veil_perr e;
	char buf[4096];
	char *argv[128];
};

/* Split @line as -batch would, run @fn, parse the result as set @max. */
static struct req *run(parse_fn fn, int max, const char *line)
{
	struct req *r = calloc(1, sizeof(*r));
	struct genlmsghdr *g;
	int argc;

	snprintf(r->buf, sizeof(r->buf), "%s", line);
	argc = veil_split_line(r->buf, r->argv, 127, &r->e);
	if (argc < 0) {
		printf("# cannot split: %s\n", r->e.msg);
		exit(2);
	}
	r->msg = veil_nl_msg_new(VEIL_CMD_SA_NEW, 0);
	r->ret = fn(argc, r->argv, r->msg, &r->e);
	g = nlmsg_data(nlmsg_hdr(r->msg));
	r->attrs = genlmsg_attrdata(g, 0);
	r->len = genlmsg_attrlen(g, 0);
	if (nla_parse(r->tb, max, r->attrs, r->len, NULL) < 0)
		r->ret = -EBADMSG;
	if (r->ret)
		printf("# \"%s\" -> %d %s\n", line, r->ret, r->e.msg);
	return r;
}

static void done(struct req *r)
{
	nlmsg_free(r->msg);
	free(r);
}

/*
 * @line must be refused with a message containing @want; @msg is the
 * request to fill, a veil-family one when NULL.
 */
static void refused_msg(parse_fn fn, struct nl_msg *msg, const char *line,
			const char *want, int lineno)
{
	struct req *r = calloc(1, sizeof(*r));
	int argc;

	snprintf(r->buf, sizeof(r->buf), "%s", line);
	argc = veil_split_line(r->buf, r->argv, 127, &r->e);
	r->msg = msg ? msg : veil_nl_msg_new(VEIL_CMD_SA_NEW, 0);
	r->ret = fn(argc, r->argv, r->msg, &r->e);
	if (!ktap_check(r->ret == -EINVAL, lineno, "refused"))
		printf("#   \"%s\" was accepted\n", line);
	else if (!ktap_check(strstr(r->e.msg, want) != NULL, lineno, "message"))
		printf("#   \"%s\": got \"%s\", want \"%s\"\n", line, r->e.msg, want);
	done(r);
}

#define REFUSED(fn, line, want) refused_msg(fn, NULL, line, want, __LINE__)

static bool addr_is(const struct nlattr *nla, int family, const char *s)
{
	uint8_t want[16];

	if (!nla || inet_pton(family, s, want) != 1)
		return false;
	return nla_len(nla) == (family == AF_INET ? 4 : 16) &&
	       !memcmp(nla_data(nla), want, nla_len(nla));
}

static struct nlattr **nest(struct nlattr *nla, struct nlattr **tb, int max)
{
	memset(tb, 0, sizeof(*tb) * (max + 1));
	if (!nla || nla_parse_nested(tb, max, nla, NULL) < 0)
		return NULL;
	return tb;
}

static bool key_is(const struct nlattr *nla, const char *hex)
{
	uint8_t k[VEIL_KEY_MAX_LEN];
	size_t i, n = strlen(hex) / 2;

	for (i = 0; i < n; i++)
		sscanf(hex + 2 * i, "%2hhx", &k[i]);
	return nla && (size_t)nla_len(nla) == n && !memcmp(nla_data(nla), k, n);
}

#define KEY20 "0102030405060708090a0b0c0d0e0f1011121314"
#define KEY16 "00112233445566778899aabbccddeeff"
#define KEY32 KEY16 "ffeeddccbbaa99887766554433221100"

static const char *sa_example =
	"src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x1000 reqid 1 mode tunnel "
	"aead 'rfc4106(gcm(aes))' 0x" KEY20 " 128 replay-window 128 flag esn";

static const char *policy_example =
	"src 10.1.0.0/24 dst 10.2.0.0/24 dir out tmpl src 192.0.2.1 dst 192.0.2.2 "
	"proto esp mode tunnel reqid 1";

static void test_sa_example(void)
{
	struct req *r = run(veil_sa_parse_new, VEIL_A_SA_MAX, sa_example);
	struct nlattr *k[VEIL_A_KEY_ALG_MAX + 1], **tb = r->tb;

	CHECK(r->ret == 0);
	CHECK(tb[VEIL_A_SA_FAMILY] && nla_get_u16(tb[VEIL_A_SA_FAMILY]) == AF_INET);
	CHECK(addr_is(tb[VEIL_A_SA_SRC], AF_INET, "192.0.2.1"));
	CHECK(addr_is(tb[VEIL_A_SA_DST], AF_INET, "192.0.2.2"));
	CHECK(tb[VEIL_A_SA_PROTO] && nla_get_u8(tb[VEIL_A_SA_PROTO]) == VEIL_PROTO_ESP);
	CHECK(tb[VEIL_A_SA_SPI] && nla_get_u32(tb[VEIL_A_SA_SPI]) == 0x1000);
	CHECK(tb[VEIL_A_SA_REQID] && nla_get_u32(tb[VEIL_A_SA_REQID]) == 1);
	CHECK(tb[VEIL_A_SA_MODE] && nla_get_u8(tb[VEIL_A_SA_MODE]) == VEIL_MODE_TUNNEL);
	CHECK(tb[VEIL_A_SA_REPLAY_WINDOW] && nla_get_u32(tb[VEIL_A_SA_REPLAY_WINDOW]) == 128);
	CHECK(tb[VEIL_A_SA_FLAGS] && nla_get_u32(tb[VEIL_A_SA_FLAGS]) == VEIL_SA_FLAGS_ESN);
	CHECK(!tb[VEIL_A_SA_ENC] && !tb[VEIL_A_SA_AUTH] && !tb[VEIL_A_SA_KEYS]);
	CHECK(!tb[VEIL_A_SA_IF_ID] && !tb[VEIL_A_SA_LIFETIME] && !tb[VEIL_A_SA_SELECTOR]);
	if (CHECK(nest(tb[VEIL_A_SA_AEAD], k, VEIL_A_KEY_ALG_MAX))) {
		CHECK(k[VEIL_A_KEY_ALG_NAME] &&
		      !strcmp(nla_get_string(k[VEIL_A_KEY_ALG_NAME]), "rfc4106(gcm(aes))"));
		CHECK(key_is(k[VEIL_A_KEY_ALG_KEY], KEY20));
		CHECK(k[VEIL_A_KEY_ALG_ICV_LEN] && nla_get_u32(k[VEIL_A_KEY_ALG_ICV_LEN]) == 128);
		CHECK(!k[VEIL_A_KEY_ALG_TRUNC_LEN]);
	}
	done(r);
}

static void test_sa_ipv6_enc_auth(void)
{
	struct nlattr *k[VEIL_A_KEY_ALG_MAX + 1];
	struct req *r;

	r = run(veil_sa_parse_new, VEIL_A_SA_MAX,
		"src 2001:db8::1 dst 2001:db8::2 proto esp spi 4096 "
		"enc cbc(aes) 0x" KEY16 " auth-trunc hmac(sha256) 0X" KEY32 " 128 if_id 7");
	CHECK(r->ret == 0);
	CHECK(r->tb[VEIL_A_SA_FAMILY] && nla_get_u16(r->tb[VEIL_A_SA_FAMILY]) == AF_INET6);
	CHECK(addr_is(r->tb[VEIL_A_SA_SRC], AF_INET6, "2001:db8::1"));
	CHECK(addr_is(r->tb[VEIL_A_SA_DST], AF_INET6, "2001:db8::2"));
	CHECK(!r->tb[VEIL_A_SA_MODE] && !r->tb[VEIL_A_SA_REQID] && !r->tb[VEIL_A_SA_AEAD]);
	CHECK(r->tb[VEIL_A_SA_IF_ID] && nla_get_u32(r->tb[VEIL_A_SA_IF_ID]) == 7);
	if (CHECK(nest(r->tb[VEIL_A_SA_ENC], k, VEIL_A_KEY_ALG_MAX))) {
		CHECK(!strcmp(nla_get_string(k[VEIL_A_KEY_ALG_NAME]), "cbc(aes)"));
		CHECK(key_is(k[VEIL_A_KEY_ALG_KEY], KEY16));
		CHECK(!k[VEIL_A_KEY_ALG_ICV_LEN] && !k[VEIL_A_KEY_ALG_TRUNC_LEN]);
	}
	if (CHECK(nest(r->tb[VEIL_A_SA_AUTH], k, VEIL_A_KEY_ALG_MAX))) {
		CHECK(!strcmp(nla_get_string(k[VEIL_A_KEY_ALG_NAME]), "hmac(sha256)"));
		CHECK(key_is(k[VEIL_A_KEY_ALG_KEY], KEY32));
		CHECK(k[VEIL_A_KEY_ALG_TRUNC_LEN] && nla_get_u32(k[VEIL_A_KEY_ALG_TRUNC_LEN]) == 128);
	}
	done(r);

	/* auth without -trunc: no trunc-len, the kernel's default applies. */
	r = run(veil_sa_parse_new, VEIL_A_SA_MAX,
		"src 192.0.2.1 dst 192.0.2.2 proto ah spi 300 auth hmac(sha1) 0x" KEY20);
	CHECK(r->ret == 0);
	CHECK(nla_get_u8(r->tb[VEIL_A_SA_PROTO]) == VEIL_PROTO_AH);
	CHECK(nla_get_u32(r->tb[VEIL_A_SA_SPI]) == 300);
	if (CHECK(nest(r->tb[VEIL_A_SA_AUTH], k, VEIL_A_KEY_ALG_MAX)))
		CHECK(!k[VEIL_A_KEY_ALG_TRUNC_LEN] && key_is(k[VEIL_A_KEY_ALG_KEY], KEY20));
	done(r);
}

static void test_sa_keys(void)
{
	char path[] = "/tmp/veil-key-XXXXXX", line[512];
	struct nlattr *k[VEIL_A_KEY_ALG_MAX + 1];
	struct req *r;
	FILE *f;
	int fd;

	/* A plain string is the key's bytes, as in ip xfrm. */
	r = run(veil_sa_parse_new, VEIL_A_SA_MAX,
		"src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x1000 aead x \"ab c\" 64");
	CHECK(r->ret == 0);
	if (CHECK(nest(r->tb[VEIL_A_SA_AEAD], k, VEIL_A_KEY_ALG_MAX)))
		CHECK(key_is(k[VEIL_A_KEY_ALG_KEY], "61622063"));
	done(r);

	/* @FILE: hex text, 0x optional, whitespace and newlines ignored. */
	fd = mkstemp(path);
	f = fdopen(fd, "w");
	fprintf(f, "  0x0102030405060708\n090a0b0c0d0e0f10 11121314\n\n");
	fclose(f);
	snprintf(line, sizeof(line),
		 "src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x1000 aead rfc4106(gcm(aes)) @%s 128", path);
	r = run(veil_sa_parse_new, VEIL_A_SA_MAX, line);
	CHECK(r->ret == 0);
	if (CHECK(nest(r->tb[VEIL_A_SA_AEAD], k, VEIL_A_KEY_ALG_MAX)))
		CHECK(key_is(k[VEIL_A_KEY_ALG_KEY], KEY20));
	done(r);

	f = fopen(path, "w");
	fprintf(f, KEY16 "\n");
	fclose(f);
	r = run(veil_sa_parse_new, VEIL_A_SA_MAX, line);
	CHECK(r->ret == 0);
	if (CHECK(nest(r->tb[VEIL_A_SA_AEAD], k, VEIL_A_KEY_ALG_MAX)))
		CHECK(key_is(k[VEIL_A_KEY_ALG_KEY], KEY16));
	done(r);

	f = fopen(path, "w");
	fprintf(f, "0x12345g\n");
	fclose(f);
	REFUSED(veil_sa_parse_new, line, "must hold hex digits only");
	f = fopen(path, "w");
	fprintf(f, "0x123\n");
	fclose(f);
	REFUSED(veil_sa_parse_new, line, "odd number of hex digits");
	f = fopen(path, "w");
	fclose(f);
	REFUSED(veil_sa_parse_new, line, "no hex digits");
	unlink(path);
	REFUSED(veil_sa_parse_new, line, "cannot read key file");
}

static void test_sa_more(void)
{
	struct nlattr *n[VEIL_A_SELECTOR_MAX + 1];
	struct req *r;

	r = run(veil_sa_parse_new, VEIL_A_SA_MAX,
		"src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x1000 aead x 0x" KEY20 " 128 "
		"limit time-soft 60 limit byte-hard 0x100000 limit packet-soft 1000 "
		"replay-seq 5 replay-oseq 6 replay-seq-hi 7 replay-oseq-hi 8 "
		"encap espinudp 4500 4501 198.51.100.1 "
		"sel src 10.0.0.0/8 dst 10.1.0.0/16 proto tcp sport 80 dport 443");
	CHECK(r->ret == 0);
	CHECK(nla_get_u32(r->tb[VEIL_A_SA_REPLAY_SEQ]) == 5);
	CHECK(nla_get_u32(r->tb[VEIL_A_SA_REPLAY_OSEQ]) == 6);
	CHECK(nla_get_u32(r->tb[VEIL_A_SA_REPLAY_SEQ_HI]) == 7);
	CHECK(nla_get_u32(r->tb[VEIL_A_SA_REPLAY_OSEQ_HI]) == 8);
	if (CHECK(nest(r->tb[VEIL_A_SA_LIFETIME], n, VEIL_A_LIFETIME_MAX))) {
		CHECK(n[VEIL_A_LIFETIME_SOFT_ADD_SECONDS] &&
		      nla_get_u64(n[VEIL_A_LIFETIME_SOFT_ADD_SECONDS]) == 60);
		CHECK(n[VEIL_A_LIFETIME_HARD_BYTES] &&
		      nla_get_u64(n[VEIL_A_LIFETIME_HARD_BYTES]) == 0x100000);
		CHECK(n[VEIL_A_LIFETIME_SOFT_PACKETS] &&
		      nla_get_u64(n[VEIL_A_LIFETIME_SOFT_PACKETS]) == 1000);
		CHECK(!n[VEIL_A_LIFETIME_HARD_ADD_SECONDS] && !n[VEIL_A_LIFETIME_SOFT_BYTES]);
	}
	if (CHECK(nest(r->tb[VEIL_A_SA_ENCAP], n, VEIL_A_ENCAP_MAX))) {
		CHECK(nla_get_u16(n[VEIL_A_ENCAP_TYPE]) == VEIL_ENCAP_TYPE_ESPINUDP);
		CHECK(nla_get_u16(n[VEIL_A_ENCAP_SPORT]) == 4500);
		CHECK(nla_get_u16(n[VEIL_A_ENCAP_DPORT]) == 4501);
		CHECK(addr_is(n[VEIL_A_ENCAP_OADDR], AF_INET, "198.51.100.1"));
	}
	if (CHECK(nest(r->tb[VEIL_A_SA_SELECTOR], n, VEIL_A_SELECTOR_MAX))) {
		CHECK(nla_get_u16(n[VEIL_A_SELECTOR_FAMILY]) == AF_INET);
		CHECK(addr_is(n[VEIL_A_SELECTOR_SRC], AF_INET, "10.0.0.0"));
		CHECK(addr_is(n[VEIL_A_SELECTOR_DST], AF_INET, "10.1.0.0"));
		CHECK(nla_get_u8(n[VEIL_A_SELECTOR_SRC_PREFIX_LEN]) == 8);
		CHECK(nla_get_u8(n[VEIL_A_SELECTOR_DST_PREFIX_LEN]) == 16);
		CHECK(nla_get_u8(n[VEIL_A_SELECTOR_PROTO]) == 6);
		CHECK(nla_get_u16(n[VEIL_A_SELECTOR_SPORT]) == 80);
		CHECK(nla_get_u16(n[VEIL_A_SELECTOR_DPORT]) == 443);
	}
	done(r);

	/* AH with both flags, as strongSwan's IPv4 AH SAs have them */
	r = run(veil_sa_parse_new, VEIL_A_SA_MAX,
		"src 192.0.2.1 dst 192.0.2.2 proto ah spi 0x1000 mode tunnel "
		"auth-trunc 'hmac(sha256)' 0x" KEY20 " 128 flag esn align4");
	CHECK(r->ret == 0);
	CHECK(nla_get_u32(r->tb[VEIL_A_SA_FLAGS]) == (VEIL_SA_FLAGS_ESN | VEIL_SA_FLAGS_ALIGN4));
	done(r);

	/* An IPv4 selector inside an IPv6 tunnel is fine; sel dst only. */
	r = run(veil_sa_parse_new, VEIL_A_SA_MAX,
		"src 2001:db8::1 dst 2001:db8::2 proto esp spi 0x1000 mode tunnel "
		"aead x 0x" KEY20 " 128 sel dst 10.9.0.0/16 flag esn");
	CHECK(r->ret == 0);
	CHECK(nla_get_u32(r->tb[VEIL_A_SA_FLAGS]) == VEIL_SA_FLAGS_ESN);
	if (CHECK(nest(r->tb[VEIL_A_SA_SELECTOR], n, VEIL_A_SELECTOR_MAX))) {
		CHECK(nla_get_u16(n[VEIL_A_SELECTOR_FAMILY]) == AF_INET);
		CHECK(addr_is(n[VEIL_A_SELECTOR_SRC], AF_INET, "0.0.0.0"));
		CHECK(nla_get_u8(n[VEIL_A_SELECTOR_SRC_PREFIX_LEN]) == 0);
		CHECK(nla_get_u8(n[VEIL_A_SELECTOR_DST_PREFIX_LEN]) == 16);
		CHECK(!n[VEIL_A_SELECTOR_PROTO] && !n[VEIL_A_SELECTOR_SPORT]);
	}
	done(r);
}

static void test_sa_id_flush(void)
{
	struct req *r;

	r = run(veil_sa_parse_id, VEIL_A_SA_MAX,
		"src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x1000");
	CHECK(r->ret == 0);
	CHECK(nla_get_u16(r->tb[VEIL_A_SA_FAMILY]) == AF_INET);
	CHECK(addr_is(r->tb[VEIL_A_SA_DST], AF_INET, "192.0.2.2"));
	CHECK(nla_get_u8(r->tb[VEIL_A_SA_PROTO]) == VEIL_PROTO_ESP);
	CHECK(nla_get_u32(r->tb[VEIL_A_SA_SPI]) == 0x1000);
	CHECK(!r->tb[VEIL_A_SA_SRC] && !r->tb[VEIL_A_SA_KEYS]);
	done(r);

	r = run(veil_sa_parse_id, VEIL_A_SA_MAX, "dst 2001:db8::2 proto ah spi 257");
	CHECK(r->ret == 0);
	CHECK(nla_get_u16(r->tb[VEIL_A_SA_FAMILY]) == AF_INET6);
	CHECK(nla_get_u8(r->tb[VEIL_A_SA_PROTO]) == VEIL_PROTO_AH);
	done(r);

	REFUSED(veil_sa_parse_id, "proto esp spi 0x1000", "missing \"dst ADDR\"");
	REFUSED(veil_sa_parse_id, "dst 192.0.2.2 spi 0x1000", "missing \"proto");
	REFUSED(veil_sa_parse_id, "dst 192.0.2.2 proto esp", "missing \"spi");
	REFUSED(veil_sa_parse_id, "dst 192.0.2.2 proto esp spi 1 reqid 1", "unknown argument \"reqid\"");
	REFUSED(veil_sa_parse_id, "src 2001:db8::1 dst 192.0.2.2 proto esp spi 1",
		"different families");

	r = run(veil_sa_parse_flush, VEIL_A_SA_MAX, "");
	CHECK(r->ret == 0 && r->len == 0);
	done(r);
	r = run(veil_sa_parse_flush, VEIL_A_SA_MAX, "proto ah");
	CHECK(r->ret == 0 && nla_get_u8(r->tb[VEIL_A_SA_PROTO]) == VEIL_PROTO_AH);
	done(r);
	REFUSED(veil_sa_parse_flush, "proto comp", "unknown IPsec protocol \"comp\"");
	REFUSED(veil_sa_parse_flush, "proto", "needs an argument");
	REFUSED(veil_sa_parse_flush, "all", "unknown argument \"all\"");
}

static void test_sa_refused(void)
{
	const char *id = "src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x1000 ";
	char line[1024];

#define SA_BAD(rest, want) do { \
	snprintf(line, sizeof(line), "%s%s", id, rest); \
	REFUSED(veil_sa_parse_new, line, want); \
} while (0)
	SA_BAD("aead x 0x" KEY20 " 128 mode beet", "unknown mode \"beet\"");
	SA_BAD("aead x 0x" KEY20 " 128 flag foo", "unknown flag \"foo\"");
	SA_BAD("aead x 0x" KEY20 " 128 flag noecn", "flag \"noecn\" (ip xfrm) is not supported");
	SA_BAD("aead x 0x" KEY20 " 128 flag", "\"flag\" needs a flag name");
	SA_BAD("aead x 0x" KEY20 " 128 limit time-foo 10", "unknown limit \"time-foo\"");
	SA_BAD("aead x 0x" KEY20 " 128 limit time-soft", "\"time-soft\" needs an argument");
	SA_BAD("aead x 0x" KEY20 " 128 limit time-soft 1 limit time-soft 2", "given twice");
	SA_BAD("aead x 0xzz" KEY20 " 128", "\"zz\" in the key is not hex");
	SA_BAD("aead x 0xabc 128", "odd number of hex digits");
	SA_BAD("aead x 0x 128", "no hex digits");
	SA_BAD("aead x 0x" KEY20, "\"aead\" needs NAME KEY ICV-BITS");
	SA_BAD("aead x 0x" KEY20 " sixteen", "ICV length \"sixteen\" is not a number");
	SA_BAD("auth-trunc x 0x" KEY20, "\"auth-trunc\" needs NAME KEY TRUNC-BITS");
	SA_BAD("enc cbc(aes)", "\"enc\" needs NAME KEY");
	SA_BAD("aead x 0x" KEY20 " 128 replay-window", "\"replay-window\" needs an argument");
	SA_BAD("aead x 0x" KEY20 " 128 encap espinudp 4500", "\"encap\" needs TYPE SPORT DPORT OADDR");
	SA_BAD("aead x 0x" KEY20 " 128 encap espintcp 4500 4500 0.0.0.0", "unknown encap type");
	SA_BAD("aead x 0x" KEY20 " 128 encap espinudp 4500 70000 0.0.0.0", "out of range");
	SA_BAD("aead x 0x" KEY20 " 128 encap espinudp 4500 4500 ::", "encap oaddr is not of the SA's address family");
	SA_BAD("aead x 0x" KEY20 " 128 aead y 0x" KEY20 " 128", "more than one aead");
	SA_BAD("aead x 0x" KEY20 " 128 enc cbc(aes) 0x" KEY16, "aead cannot be combined");
	SA_BAD("replay-window 32", "missing an algorithm");
	SA_BAD("aead x 0x" KEY20 " 128 spi 2", "\"spi\" given twice");
	SA_BAD("aead x 0x" KEY20 " 128 mark 7", "\"mark\" (ip xfrm) is not supported");
	SA_BAD("aead x 0x" KEY20 " 128 frobnicate", "unknown argument \"frobnicate\"");
	SA_BAD("aead x 0x" KEY20 " 128 sel", "\"sel\" needs");
	SA_BAD("aead x 0x" KEY20 " 128 sel src 10.0.0.0/33", "prefix length must be 0 to 32");
	SA_BAD("aead x 0x" KEY20 " 128 sel src 10.0.0.1/24", "bits set past the prefix length");
	SA_BAD("aead x 0x" KEY20 " 128 sel src 2001:db8::/129", "prefix length must be 0 to 128");
	SA_BAD("aead x 0x" KEY20 " 128 sel src 10.0.0.0/", "prefix length");
	SA_BAD("aead x 0x" KEY20 " 128 sel src 10.0.0.0/8 dst 2001:db8::/32", "selector src and dst are of different families");
	SA_BAD("aead x 0x" KEY20 " 128 sel proto icmp sport 1", "\"sport\" needs proto tcp");
	SA_BAD("aead x 0x" KEY20 " 128 sel proto nosuchproto", "unknown protocol \"nosuchproto\"");
	SA_BAD("aead x 0x" KEY20 " 128 sel proto 256", "out of range");

	REFUSED(veil_sa_parse_new, "src 192.0.2.1 dst 192.0.2.2 proto comp spi 1 aead x 0x00 8",
		"unknown IPsec protocol \"comp\": veil supports esp and ah");
	REFUSED(veil_sa_parse_new, "src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x100000000 aead x 0x00 8",
		"spi \"0x100000000\" is out of range (0 to 4294967295)");
	REFUSED(veil_sa_parse_new, "src 192.0.2.1 dst 192.0.2.2 proto esp spi 4294967296 aead x 0x00 8",
		"out of range");
	REFUSED(veil_sa_parse_new, "src 192.0.2.1 dst 192.0.2.2 proto esp spi -1 aead x 0x00 8",
		"spi \"-1\" is not a number");
	REFUSED(veil_sa_parse_new, "src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x aead x 0x00 8",
		"not a number");
	REFUSED(veil_sa_parse_new, "src 192.0.2.1 dst 2001:db8::2 proto esp spi 1 aead x 0x00 8",
		"src and dst are of different families");
	REFUSED(veil_sa_parse_new, "src 192.0.2.300 dst 192.0.2.2 proto esp spi 1 aead x 0x00 8",
		"src \"192.0.2.300\" is not an IPv4 or IPv6 address");
	REFUSED(veil_sa_parse_new, "src 192.0.2.1/32 dst 192.0.2.2 proto esp spi 1 aead x 0x00 8",
		"is not an IPv4 or IPv6 address");
	REFUSED(veil_sa_parse_new, "dst 192.0.2.2 proto esp spi 1 aead x 0x00 8", "missing \"src ADDR\"");
	REFUSED(veil_sa_parse_new, "src 192.0.2.1 dst 192.0.2.2 proto esp spi", "\"spi\" needs an argument");
	REFUSED(veil_sa_parse_new, "src 192.0.2.1 dst", "\"dst\" needs an argument");
	REFUSED(veil_sa_parse_new, "", "missing \"src ADDR\"");

	/* Keys longer than VEIL_KEY_MAX_LEN, names longer than the kernel's. */
	{
		char big[2 * VEIL_KEY_MAX_LEN + 8] = "0x", name[VEIL_ALG_NAME_LEN + 2];

		memset(big + 2, 'a', 2 * VEIL_KEY_MAX_LEN + 2);
		big[2 * VEIL_KEY_MAX_LEN + 4] = '\0';
		snprintf(line, sizeof(line), "%saead x %s 128", id, big);
		REFUSED(veil_sa_parse_new, line, "longer than 256 bytes");
		memset(name, 'n', sizeof(name) - 1);
		name[sizeof(name) - 1] = '\0';
		snprintf(line, sizeof(line), "%saead %s 0x00 128", id, name);
		REFUSED(veil_sa_parse_new, line, "algorithm name longer than 127");
	}
#undef SA_BAD
}

static void test_policy_example(void)
{
	struct req *r = run(veil_policy_parse_new, VEIL_A_POLICY_MAX, policy_example);
	struct nlattr *s[VEIL_A_SELECTOR_MAX + 1], *t[VEIL_A_TMPL_MAX + 1], *a;
	int rem, ntmpl = 0;

	CHECK(r->ret == 0);
	if (CHECK(nest(r->tb[VEIL_A_POLICY_SELECTOR], s, VEIL_A_SELECTOR_MAX))) {
		CHECK(nla_get_u16(s[VEIL_A_SELECTOR_FAMILY]) == AF_INET);
		CHECK(addr_is(s[VEIL_A_SELECTOR_SRC], AF_INET, "10.1.0.0"));
		CHECK(addr_is(s[VEIL_A_SELECTOR_DST], AF_INET, "10.2.0.0"));
		CHECK(nla_get_u8(s[VEIL_A_SELECTOR_SRC_PREFIX_LEN]) == 24);
		CHECK(nla_get_u8(s[VEIL_A_SELECTOR_DST_PREFIX_LEN]) == 24);
		CHECK(!s[VEIL_A_SELECTOR_PROTO] && !s[VEIL_A_SELECTOR_SPORT] &&
		      !s[VEIL_A_SELECTOR_DPORT]);
	}
	CHECK(r->tb[VEIL_A_POLICY_DIR] && nla_get_u8(r->tb[VEIL_A_POLICY_DIR]) == VEIL_DIR_OUT);
	CHECK(!r->tb[VEIL_A_POLICY_ACTION] && !r->tb[VEIL_A_POLICY_PRIORITY]);
	CHECK(!r->tb[VEIL_A_POLICY_INDEX] && !r->tb[VEIL_A_POLICY_IF_ID]);
	nla_for_each_attr(a, r->attrs, r->len, rem) {
		if (nla_type(a) != VEIL_A_POLICY_TMPL)
			continue;
		ntmpl++;
		if (!CHECK(nest(a, t, VEIL_A_TMPL_MAX)))
			continue;
		CHECK(nla_get_u16(t[VEIL_A_TMPL_FAMILY]) == AF_INET);
		CHECK(addr_is(t[VEIL_A_TMPL_SRC], AF_INET, "192.0.2.1"));
		CHECK(addr_is(t[VEIL_A_TMPL_DST], AF_INET, "192.0.2.2"));
		CHECK(nla_get_u8(t[VEIL_A_TMPL_PROTO]) == VEIL_PROTO_ESP);
		CHECK(nla_get_u8(t[VEIL_A_TMPL_MODE]) == VEIL_MODE_TUNNEL);
		CHECK(nla_get_u32(t[VEIL_A_TMPL_REQID]) == 1);
		CHECK(!t[VEIL_A_TMPL_SPI] && !t[VEIL_A_TMPL_LEVEL]);
	}
	CHECK(ntmpl == 1);
	done(r);
}

static void test_policy_more(void)
{
	struct nlattr *s[VEIL_A_SELECTOR_MAX + 1], *t[VEIL_A_TMPL_MAX + 1], *a;
	struct req *r;
	int rem, n = 0;

	/* Two templates, IPv6, names for protocols, every policy word. */
	r = run(veil_policy_parse_new, VEIL_A_POLICY_MAX,
		"dst 2001:db8:2::/48 proto ipv6-icmp dir fwd action block prio 10 if_id 3 "
		"tmpl proto ah mode transport level use "
		"tmpl src 2001:db8::1 dst 2001:db8::2 proto esp spi 0x2000 mode tunnel reqid 9");
	CHECK(r->ret == 0);
	if (CHECK(nest(r->tb[VEIL_A_POLICY_SELECTOR], s, VEIL_A_SELECTOR_MAX))) {
		CHECK(nla_get_u16(s[VEIL_A_SELECTOR_FAMILY]) == AF_INET6);
		CHECK(addr_is(s[VEIL_A_SELECTOR_SRC], AF_INET6, "::"));
		CHECK(nla_get_u8(s[VEIL_A_SELECTOR_SRC_PREFIX_LEN]) == 0);
		CHECK(addr_is(s[VEIL_A_SELECTOR_DST], AF_INET6, "2001:db8:2::"));
		CHECK(nla_get_u8(s[VEIL_A_SELECTOR_DST_PREFIX_LEN]) == 48);
		CHECK(nla_get_u8(s[VEIL_A_SELECTOR_PROTO]) == 58);
	}
	CHECK(nla_get_u8(r->tb[VEIL_A_POLICY_DIR]) == VEIL_DIR_FWD);
	CHECK(nla_get_u8(r->tb[VEIL_A_POLICY_ACTION]) == VEIL_ACTION_BLOCK);
	CHECK(nla_get_u32(r->tb[VEIL_A_POLICY_PRIORITY]) == 10);
	CHECK(nla_get_u32(r->tb[VEIL_A_POLICY_IF_ID]) == 3);
	nla_for_each_attr(a, r->attrs, r->len, rem) {
		if (nla_type(a) != VEIL_A_POLICY_TMPL || !CHECK(nest(a, t, VEIL_A_TMPL_MAX)))
			continue;
		if (n++ == 0) {
			CHECK(!t[VEIL_A_TMPL_FAMILY] && !t[VEIL_A_TMPL_SRC] && !t[VEIL_A_TMPL_DST]);
			CHECK(nla_get_u8(t[VEIL_A_TMPL_PROTO]) == VEIL_PROTO_AH);
			CHECK(nla_get_u8(t[VEIL_A_TMPL_MODE]) == VEIL_MODE_TRANSPORT);
			CHECK(nla_get_u8(t[VEIL_A_TMPL_LEVEL]) == VEIL_LEVEL_USE);
		} else {
			CHECK(nla_get_u16(t[VEIL_A_TMPL_FAMILY]) == AF_INET6);
			CHECK(addr_is(t[VEIL_A_TMPL_DST], AF_INET6, "2001:db8::2"));
			CHECK(nla_get_u32(t[VEIL_A_TMPL_SPI]) == 0x2000);
			CHECK(nla_get_u32(t[VEIL_A_TMPL_REQID]) == 9);
		}
	}
	CHECK(n == 2);
	done(r);

	/* No address at all: 0.0.0.0/0 both ways, AF_INET; numeric proto. */
	r = run(veil_policy_parse_new, VEIL_A_POLICY_MAX, "proto 132 dport 9 dir in");
	CHECK(r->ret == 0);
	if (CHECK(nest(r->tb[VEIL_A_POLICY_SELECTOR], s, VEIL_A_SELECTOR_MAX))) {
		CHECK(nla_get_u16(s[VEIL_A_SELECTOR_FAMILY]) == AF_INET);
		CHECK(addr_is(s[VEIL_A_SELECTOR_SRC], AF_INET, "0.0.0.0"));
		CHECK(addr_is(s[VEIL_A_SELECTOR_DST], AF_INET, "0.0.0.0"));
		CHECK(nla_get_u8(s[VEIL_A_SELECTOR_DST_PREFIX_LEN]) == 0);
		CHECK(nla_get_u8(s[VEIL_A_SELECTOR_PROTO]) == 132);
		CHECK(nla_get_u16(s[VEIL_A_SELECTOR_DPORT]) == 9 && !s[VEIL_A_SELECTOR_SPORT]);
	}
	CHECK(nla_get_u8(r->tb[VEIL_A_POLICY_DIR]) == VEIL_DIR_IN);
	done(r);

	/* A host address without /PLEN is a /32. */
	r = run(veil_policy_parse_new, VEIL_A_POLICY_MAX, "src 192.0.2.7 dir out");
	if (CHECK(r->ret == 0 && nest(r->tb[VEIL_A_POLICY_SELECTOR], s, VEIL_A_SELECTOR_MAX))) {
		CHECK(nla_get_u8(s[VEIL_A_SELECTOR_SRC_PREFIX_LEN]) == 32);
		CHECK(nla_get_u8(s[VEIL_A_SELECTOR_DST_PREFIX_LEN]) == 0);
	}
	done(r);
}

static void test_policy_id(void)
{
	struct nlattr *s[VEIL_A_SELECTOR_MAX + 1];
	struct req *r;

	r = run(veil_policy_parse_id, VEIL_A_POLICY_MAX, "index 42 dir out");
	CHECK(r->ret == 0);
	CHECK(r->tb[VEIL_A_POLICY_INDEX] && nla_get_u32(r->tb[VEIL_A_POLICY_INDEX]) == 42);
	CHECK(!r->tb[VEIL_A_POLICY_SELECTOR] && !r->tb[VEIL_A_POLICY_DIR]);
	done(r);

	r = run(veil_policy_parse_id, VEIL_A_POLICY_MAX,
		"src 10.1.0.0/24 dst 10.2.0.0/24 dir out if_id 5");
	CHECK(r->ret == 0);
	CHECK(nla_get_u8(r->tb[VEIL_A_POLICY_DIR]) == VEIL_DIR_OUT);
	CHECK(nla_get_u32(r->tb[VEIL_A_POLICY_IF_ID]) == 5);
	CHECK(!r->tb[VEIL_A_POLICY_INDEX] && !r->tb[VEIL_A_POLICY_TMPL]);
	if (CHECK(nest(r->tb[VEIL_A_POLICY_SELECTOR], s, VEIL_A_SELECTOR_MAX)))
		CHECK(nla_get_u8(s[VEIL_A_SELECTOR_DST_PREFIX_LEN]) == 24);
	done(r);

	REFUSED(veil_policy_parse_id, "src 10.1.0.0/24", "missing \"dir in|out|fwd\"");
	REFUSED(veil_policy_parse_id, "index 4 src 10.0.0.0/8", "either index or SELECTOR");
	REFUSED(veil_policy_parse_id, "index x", "index \"x\" is not a number");
	REFUSED(veil_policy_parse_id, "dir out tmpl proto esp", "unknown argument \"tmpl\"");
}

static void test_policy_lookup(void)
{
	struct nlattr *s[VEIL_A_SELECTOR_MAX + 1];
	struct req *r;

	r = run(veil_policy_parse_lookup, VEIL_A_POLICY_MAX,
		"src 10.1.0.5 dst 10.2.0.9 proto tcp dport 443 dir out if_id 3");
	CHECK(r->ret == 0);
	CHECK(nla_get_u8(r->tb[VEIL_A_POLICY_DIR]) == VEIL_DIR_OUT);
	CHECK(nla_get_u32(r->tb[VEIL_A_POLICY_IF_ID]) == 3);
	CHECK(!r->tb[VEIL_A_POLICY_INDEX]);
	if (CHECK(nest(r->tb[VEIL_A_POLICY_SELECTOR], s, VEIL_A_SELECTOR_MAX))) {
		CHECK(nla_get_u8(s[VEIL_A_SELECTOR_SRC_PREFIX_LEN]) == 32);
		CHECK(nla_get_u8(s[VEIL_A_SELECTOR_DST_PREFIX_LEN]) == 32);
		CHECK(nla_get_u8(s[VEIL_A_SELECTOR_PROTO]) == IPPROTO_TCP);
		CHECK(nla_get_u16(s[VEIL_A_SELECTOR_DPORT]) == 443);
	}
	done(r);

	r = run(veil_policy_parse_lookup, VEIL_A_POLICY_MAX,
		"src 2001:db8::1 dst 2001:db8::2 dir in");
	CHECK(r->ret == 0);
	if (CHECK(nest(r->tb[VEIL_A_POLICY_SELECTOR], s, VEIL_A_SELECTOR_MAX)))
		CHECK(nla_get_u8(s[VEIL_A_SELECTOR_SRC_PREFIX_LEN]) == 128);
	done(r);

	REFUSED(veil_policy_parse_lookup, "src 10.1.0.0/24 dst 10.2.0.1 dir out",
		"host addresses, not prefixes");
	REFUSED(veil_policy_parse_lookup, "dst 10.2.0.1 dir out",
		"needs both \"src ADDR\" and \"dst ADDR\"");
	REFUSED(veil_policy_parse_lookup, "src 10.1.0.1 dst 10.2.0.1", "missing \"dir in|out|fwd\"");
	REFUSED(veil_policy_parse_lookup, "index 3 dir out", "a flow, not an index");
	REFUSED(veil_policy_parse_lookup, "src 10.1.0.1 dst 10.2.0.1 dir out tmpl",
		"unknown argument \"tmpl\"");
}

static void test_policy_refused(void)
{
	REFUSED(veil_policy_parse_new, "src 10.1.0.0/24 dst 10.2.0.0/24", "missing \"dir");
	REFUSED(veil_policy_parse_new, "dir sideways", "unknown dir \"sideways\"");
	REFUSED(veil_policy_parse_new, "dir out action drop", "unknown action \"drop\"");
	REFUSED(veil_policy_parse_new, "dir out tmpl level maybe", "unknown level \"maybe\"");
	REFUSED(veil_policy_parse_new, "dir out tmpl proto comp", "unknown IPsec protocol");
	REFUSED(veil_policy_parse_new, "dir out tmpl mode beet", "unknown mode \"beet\"");
	REFUSED(veil_policy_parse_new, "dir out tmpl src 192.0.2.1 dst ::1", "tmpl src and dst are of different families");
	REFUSED(veil_policy_parse_new, "dir out index 3", "\"index\" is for get and del");
	REFUSED(veil_policy_parse_new, "dir out sport 80", "\"sport\" needs proto tcp");
	REFUSED(veil_policy_parse_new, "src 10.0.0.0/8 dst 2001:db8::/32 dir out", "different families");
	REFUSED(veil_policy_parse_new, "src 10.0.0.0/8 src 10.0.0.0/8 dir out", "given twice");
	REFUSED(veil_policy_parse_new, "dir out dir in", "\"dir\" given twice");
	REFUSED(veil_policy_parse_new, "dir out priority", "\"priority\" needs an argument");
	REFUSED(veil_policy_parse_new, "dir out priority high", "not a number");
	REFUSED(veil_policy_parse_new, "dir out ptype main", "\"ptype\" (ip xfrm) is not supported");
	REFUSED(veil_policy_parse_new, "dir out tmpl tmpl tmpl tmpl tmpl tmpl tmpl", "more than 6 templates");
	REFUSED(veil_policy_parse_new, "src 10.0.0.0/40 dir out", "prefix length must be 0 to 32");
	REFUSED(veil_policy_parse_new, "dst 10.0.0.0/8/8 dir out", "prefix length");
}

/* Build an SA as the kernel would send it and run the list filter on it. */
static bool sa_passes(const char *filter, const char *sa)
{
	struct req *r = run(veil_sa_parse_new, VEIL_A_SA_MAX, sa);
	struct veil_filter f;
	struct veil_perr e;
	char buf[256], *argv[32];
	int argc;
	bool ok;

	snprintf(buf, sizeof(buf), "%s", filter);
	argc = veil_split_line(buf, argv, 31, &e);
	if (veil_sa_parse_filter(argc, argv, &f, &e)) {
		printf("# filter \"%s\": %s\n", filter, e.msg);
		done(r);
		return false;
	}
	ok = veil_sa_filter_match(&f, r->tb);
	done(r);
	return ok;
}

static bool policy_passes(const char *filter, const char *pol)
{
	struct req *r = run(veil_policy_parse_new, VEIL_A_POLICY_MAX, pol);
	struct veil_filter f;
	struct veil_perr e;
	char buf[256], *argv[32];
	int argc;
	bool ok;

	snprintf(buf, sizeof(buf), "%s", filter);
	argc = veil_split_line(buf, argv, 31, &e);
	if (veil_policy_parse_filter(argc, argv, &f, &e)) {
		printf("# filter \"%s\": %s\n", filter, e.msg);
		done(r);
		return false;
	}
	ok = veil_policy_filter_match(&f, r->tb);
	done(r);
	return ok;
}

static void test_filters(void)
{
	struct veil_filter f;
	struct veil_perr e;
	char *bad[] = { "spi", NULL }, *bad2[] = { "color", "red", NULL };

	CHECK(sa_passes("", sa_example));
	CHECK(sa_passes("src 192.0.2.1 dst 192.0.2.2 proto esp spi 4096 reqid 1 mode tunnel",
			sa_example));
	CHECK(sa_passes("dst 192.0.2.0/24", sa_example));
	CHECK(!sa_passes("dst 192.0.3.0/24", sa_example));
	CHECK(!sa_passes("dst 2001:db8::/32", sa_example));
	CHECK(!sa_passes("proto ah", sa_example));
	CHECK(!sa_passes("spi 0x1001", sa_example));
	CHECK(!sa_passes("reqid 2", sa_example));
	CHECK(!sa_passes("mode transport", sa_example));
	/* Absent mode is transport, absent reqid is 0. */
	CHECK(sa_passes("mode transport reqid 0",
			"src 192.0.2.1 dst 192.0.2.2 proto esp spi 300 aead x 0x00 64"));

	CHECK(policy_passes("dir out", policy_example));
	CHECK(!policy_passes("dir in", policy_example));
	CHECK(policy_passes("src 10.0.0.0/8 dst 10.2.0.0/24", policy_example));
	CHECK(!policy_passes("src 10.2.0.0/16", policy_example));

	CHECK(veil_sa_parse_filter(1, bad, &f, &e) == -EINVAL &&
	      strstr(e.msg, "\"spi\" needs an argument"));
	CHECK(veil_sa_parse_filter(2, bad2, &f, &e) == -EINVAL &&
	      strstr(e.msg, "unknown argument \"color\""));
	CHECK(veil_policy_parse_filter(2, bad2, &f, &e) == -EINVAL);
}

static void test_split(void)
{
	char line[] = "  sa add aead 'rfc4106(gcm(aes))' \"a b\"c '' # comment 'x\n";
	char bad[] = "sa add 'oops\n", *argv[16];
	struct veil_perr e;
	int argc = veil_split_line(line, argv, 16, &e);

	CHECK(argc == 6);
	if (argc == 6) {
		CHECK(!strcmp(argv[0], "sa") && !strcmp(argv[2], "aead"));
		CHECK(!strcmp(argv[3], "rfc4106(gcm(aes))"));
		CHECK(!strcmp(argv[4], "a bc"));
		CHECK(!strcmp(argv[5], ""));
	}
	CHECK(veil_split_line(bad, argv, 16, &e) == -EINVAL && strstr(e.msg, "unterminated"));
	strcpy(line, "# only a comment\n");
	CHECK(veil_split_line(line, argv, 16, &e) == 0);
	strcpy(line, "a b c d\n");
	CHECK(veil_split_line(line, argv, 3, &e) == -EINVAL);
}

/* Print @sa, or @pol when @sa is NULL, into a string. */
static char *render(const struct veil_ctx *ctx, const struct veil_sa_view *sa,
		    const struct veil_policy_view *pol)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (sa)
		veil_sa_print(ctx, f, sa);
	else
		veil_policy_print(f, pol);
	fclose(f);
	return buf;
}

static void test_print(void)
{
	struct veil_ctx ctx = { 0 };
	struct req *r = run(veil_sa_parse_new, VEIL_A_SA_MAX, sa_example);
	struct veil_policy_view pol;
	struct veil_sa_view sa;
	struct json_object *o, *aead;
	char *text;

	/* Without --keys the key is null in JSON and masked in text. */
	CHECK(veil_sa_view_decode(&ctx, r->attrs, r->len, &sa) == 0);
	CHECK(!strcmp(sa.src, "192.0.2.1") && !strcmp(sa.dst, "192.0.2.2"));
	CHECK(sa.spi == 0x1000 && sa.mode == VEIL_MODE_TUNNEL && sa.flags == VEIL_SA_FLAGS_ESN);
	CHECK(VEIL_HAS(&sa.aead, VEIL_A_KEY_ALG_ICV_LEN) && sa.aead.icv_len == 128);
	CHECK(!VEIL_HAS(&sa.aead, VEIL_A_KEY_ALG_KEY));
	o = veil_sa_json(&sa);
	CHECK(!strcmp(json_object_get_string(json_object_object_get(o, "src")), "192.0.2.1"));
	CHECK(json_object_get_int64(json_object_object_get(o, "spi")) == 0x1000);
	CHECK(json_object_get_int64(json_object_object_get(o, "replay-window")) == 128);
	CHECK(!strcmp(json_object_get_string(json_object_object_get(o, "mode")), "tunnel"));
	aead = json_object_object_get(o, "aead");
	CHECK(aead && json_object_object_get_ex(aead, "key", NULL) &&
	      !json_object_object_get(aead, "key"));
	CHECK(json_object_get_int64(json_object_object_get(aead, "icv-len")) == 128);
	text = render(&ctx, &sa, NULL);
	CHECK(strstr(text, "src 192.0.2.1 dst 192.0.2.2\n"
			   "\tproto esp spi 0x00001000 reqid 1 mode tunnel\n"
			   "\treplay-window 128 flag esn\n"
			   "\taead rfc4106(gcm(aes)) 0x<masked> 128\n") == text);
	CHECK(!strstr(text, KEY20));
	free(text);
	json_object_put(o);

	/* With --keys they are shown in hex. */
	ctx.keys = true;
	CHECK(veil_sa_view_decode(&ctx, r->attrs, r->len, &sa) == 0);
	o = veil_sa_json(&sa);
	aead = json_object_object_get(o, "aead");
	CHECK(!strcmp(json_object_get_string(json_object_object_get(aead, "key")), "0x" KEY20));
	text = render(&ctx, &sa, NULL);
	CHECK(strstr(text, "\taead rfc4106(gcm(aes)) 0x" KEY20 " 128\n") != NULL);
	free(text);
	json_object_put(o);
	done(r);

	/* An SA with an SPI has a mode; the limits are kept for -s only. */
	r = run(veil_sa_parse_new, VEIL_A_SA_MAX,
		"src 192.0.2.1 dst 192.0.2.2 proto esp spi 300 aead x 0x00 64 limit time-soft 60");
	CHECK(veil_sa_view_decode(&ctx, r->attrs, r->len, &sa) == 0);
	CHECK(VEIL_HAS(&sa, VEIL_A_SA_MODE) && sa.mode == VEIL_MODE_TRANSPORT);
	CHECK(VEIL_HAS(&sa, VEIL_A_SA_FLAGS) && !VEIL_HAS(&sa, VEIL_A_SA_LIFETIME));
	ctx.stats = true;
	CHECK(veil_sa_view_decode(&ctx, r->attrs, r->len, &sa) == 0);
	CHECK(VEIL_HAS(&sa, VEIL_A_SA_LIFETIME) &&
	      sa.lifetime[VEIL_A_LIFETIME_SOFT_ADD_SECONDS] == 60);
	text = render(&ctx, &sa, NULL);
	CHECK(strstr(text, "\t  expire add: soft 60(sec), hard 0(sec)\n") != NULL);
	free(text);
	ctx.stats = false;
	done(r);

	r = run(veil_policy_parse_new, VEIL_A_POLICY_MAX, policy_example);
	CHECK(veil_policy_view_decode(r->attrs, r->len, &pol) == 0);
	CHECK(pol.n_tmpl == 1 && pol.tmpl[0].reqid == 1 && !strcmp(pol.tmpl[0].dst, "192.0.2.2"));
	o = veil_policy_json(&pol);
	text = render(&ctx, NULL, &pol);
	CHECK(strstr(text, "src 10.1.0.0/24 dst 10.2.0.0/24\n\tdir out priority 0\n"
			   "\ttmpl src 192.0.2.1 dst 192.0.2.2\n"
			   "\t\tproto esp spi 0x00000000 reqid 1 mode tunnel\n") == text);
	CHECK(json_object_array_length(json_object_object_get(o, "tmpl")) == 1);
	free(text);
	json_object_put(o);
	done(r);
}

/* The SA stats nest, as the kernel would add it to an SA, in text and JSON. */
static void test_print_stats(void)
{
	struct veil_ctx ctx = { .stats = true };
	struct req *r = run(veil_sa_parse_new, VEIL_A_SA_MAX,
			    "src 192.0.2.1 dst 192.0.2.2 proto esp spi 300 aead x 0x00 64");
	struct json_object *o, *st;
	struct veil_sa_view sa;
	struct genlmsghdr *g;
	struct nlattr *n;
	char *text;
	int i;

	n = nla_nest_start(r->msg, VEIL_A_SA_STATS);
	for (i = 1; i <= VEIL_A_STATS_MAX; i++)
		if (i != VEIL_A_STATS_ADD_TIME && i != VEIL_A_STATS_USE_TIME)
			nla_put_u64(r->msg, i, 100 + i);
	nla_nest_end(r->msg, n);
	g = nlmsg_data(nlmsg_hdr(r->msg));
	r->attrs = genlmsg_attrdata(g, 0);
	r->len = genlmsg_attrlen(g, 0);

	CHECK(veil_sa_view_decode(&ctx, r->attrs, r->len, &sa) == 0);
	CHECK(VEIL_HAS(&sa, VEIL_A_SA_STATS));
	CHECK(sa.stats[VEIL_A_STATS_BAD_PADDING] == 100 + VEIL_A_STATS_BAD_PADDING);
	CHECK(sa.stats[VEIL_A_STATS_POLICY_DROPS] == 100 + VEIL_A_STATS_POLICY_DROPS);
	text = render(&ctx, &sa, NULL);
	CHECK(strstr(text, "\tstats:\n\t  replay 103 integrity-failures 104 other-drops 105"
			   " bad-padding 108 policy-drops 109\n") != NULL);
	free(text);

	o = veil_sa_json(&sa);
	st = json_object_object_get(o, "stats");
	CHECK(st && json_object_object_length(st) == VEIL_A_STATS_MAX);
	CHECK(json_object_get_uint64(json_object_object_get(st, "bad-padding")) == 108);
	CHECK(json_object_get_uint64(json_object_object_get(st, "policy-drops")) == 109);
	CHECK(json_object_get_uint64(json_object_object_get(st, "other-drops")) == 105);
	CHECK(json_object_get_uint64(json_object_object_get(st, "add-time")) == 0);
	json_object_put(o);

	/* Without -s, text leaves the counters out. */
	ctx.stats = false;
	CHECK(veil_sa_view_decode(&ctx, r->attrs, r->len, &sa) == 0);
	CHECK(!VEIL_HAS(&sa, VEIL_A_SA_STATS));
	text = render(&ctx, &sa, NULL);
	CHECK(!strstr(text, "bad-padding"));
	free(text);
	done(r);
}

/* if_id: both spellings, 0 (none) sent as given, refusals, and the output. */
static void test_sa_if_id(void)
{
	const char *id = "src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x1000 aead x 0x00 64 ";
	struct veil_ctx ctx = { 0 };
	struct json_object *o;
	struct veil_sa_view sa;
	char line[512], *text;
	struct req *r;

	snprintf(line, sizeof(line), "%sif-id 0x5", id);
	r = run(veil_sa_parse_new, VEIL_A_SA_MAX, line);
	CHECK(r->ret == 0);
	CHECK(r->tb[VEIL_A_SA_IF_ID] && nla_get_u32(r->tb[VEIL_A_SA_IF_ID]) == 5);
	CHECK(veil_sa_view_decode(&ctx, r->attrs, r->len, &sa) == 0);
	text = render(&ctx, &sa, NULL);
	CHECK(strstr(text, "\taead x 0x<masked> 64\n\tif_id 0x5\n") != NULL);
	free(text);
	o = veil_sa_json(&sa);
	CHECK(json_object_get_int64(json_object_object_get(o, "if-id")) == 5);
	json_object_put(o);
	done(r);

	/* The largest, and if_id before the ID words. */
	snprintf(line, sizeof(line), "if_id 4294967295 %s", id);
	r = run(veil_sa_parse_new, VEIL_A_SA_MAX, line);
	CHECK(r->ret == 0);
	CHECK(r->tb[VEIL_A_SA_IF_ID] && nla_get_u32(r->tb[VEIL_A_SA_IF_ID]) == 4294967295u);
	done(r);

	/* 0 is "none", the default: accepted and sent as typed. */
	snprintf(line, sizeof(line), "%sif_id 0", id);
	r = run(veil_sa_parse_new, VEIL_A_SA_MAX, line);
	CHECK(r->ret == 0);
	CHECK(r->tb[VEIL_A_SA_IF_ID] && nla_get_u32(r->tb[VEIL_A_SA_IF_ID]) == 0);
	done(r);

	/* An SA without if_id (as the kernel sends one with if_id 0) prints none. */
	r = run(veil_sa_parse_new, VEIL_A_SA_MAX, id);
	CHECK(r->ret == 0 && !r->tb[VEIL_A_SA_IF_ID]);
	CHECK(veil_sa_view_decode(&ctx, r->attrs, r->len, &sa) == 0);
	text = render(&ctx, &sa, NULL);
	CHECK(!strstr(text, "if_id"));
	free(text);
	o = veil_sa_json(&sa);
	CHECK(!json_object_object_get_ex(o, "if-id", NULL));
	json_object_put(o);
	done(r);

#define IF_ID_BAD(rest, want) do { \
	snprintf(line, sizeof(line), "%s%s", id, rest); \
	REFUSED(veil_sa_parse_new, line, want); \
} while (0)
	IF_ID_BAD("if_id 1 if_id 2", "\"if_id\" given twice");
	IF_ID_BAD("if_id 1 if-id 2", "\"if-id\" given twice");
	IF_ID_BAD("if-id 1 if_id 1", "\"if_id\" given twice");
	IF_ID_BAD("if_id", "\"if_id\" needs an argument");
	IF_ID_BAD("if-id", "\"if-id\" needs an argument");
	IF_ID_BAD("if_id 4294967296", "if_id \"4294967296\" is out of range (0 to 4294967295)");
	IF_ID_BAD("if_id 0x100000000", "out of range");
	IF_ID_BAD("if_id -1", "if_id \"-1\" is not a number");
	IF_ID_BAD("if_id five", "if_id \"five\" is not a number");
	IF_ID_BAD("ifid 5", "unknown argument \"ifid\" to sa add");
#undef IF_ID_BAD
	/* get and del name an SA by (dst, spi, proto): no if_id there. */
	REFUSED(veil_sa_parse_id, "dst 192.0.2.2 proto esp spi 1 if_id 5",
		"unknown argument \"if_id\"");
}

static bool u16_is(const struct nlattr *nla, uint16_t v)
{
	return nla && nla_len(nla) == 2 && nla_get_u16((struct nlattr *)nla) == v;
}

static void test_encap_new(void)
{
	struct req *r;

	/* No family and no local: inet, bound to any address. */
	r = run(veil_encap_parse_new, VEIL_A_ENCAP_SOCK_MAX, "port 4500");
	CHECK(r->ret == 0);
	CHECK(u16_is(r->tb[VEIL_A_ENCAP_SOCK_FAMILY], AF_INET));
	CHECK(u16_is(r->tb[VEIL_A_ENCAP_SOCK_PORT], 4500));
	CHECK(!r->tb[VEIL_A_ENCAP_SOCK_LOCAL] && !r->tb[VEIL_A_ENCAP_SOCK_FD]);
	CHECK(!r->tb[VEIL_A_ENCAP_SOCK_KERNEL]);
	done(r);

	r = run(veil_encap_parse_new, VEIL_A_ENCAP_SOCK_MAX, "family inet6 port 4500");
	CHECK(r->ret == 0);
	CHECK(u16_is(r->tb[VEIL_A_ENCAP_SOCK_FAMILY], AF_INET6));
	CHECK(!r->tb[VEIL_A_ENCAP_SOCK_LOCAL]);
	done(r);

	/* Without family, the family follows local. */
	r = run(veil_encap_parse_new, VEIL_A_ENCAP_SOCK_MAX, "local 2001:db8::1 port 4501");
	CHECK(r->ret == 0);
	CHECK(u16_is(r->tb[VEIL_A_ENCAP_SOCK_FAMILY], AF_INET6));
	CHECK(u16_is(r->tb[VEIL_A_ENCAP_SOCK_PORT], 4501));
	CHECK(addr_is(r->tb[VEIL_A_ENCAP_SOCK_LOCAL], AF_INET6, "2001:db8::1"));
	done(r);

	r = run(veil_encap_parse_new, VEIL_A_ENCAP_SOCK_MAX,
		"port 0x1194 family inet local 192.0.2.1");
	CHECK(r->ret == 0);
	CHECK(u16_is(r->tb[VEIL_A_ENCAP_SOCK_FAMILY], AF_INET));
	CHECK(u16_is(r->tb[VEIL_A_ENCAP_SOCK_PORT], 4500));
	CHECK(addr_is(r->tb[VEIL_A_ENCAP_SOCK_LOCAL], AF_INET, "192.0.2.1"));
	done(r);

	r = run(veil_encap_parse_new, VEIL_A_ENCAP_SOCK_MAX, "port 65535 local 0.0.0.0");
	CHECK(r->ret == 0);
	CHECK(u16_is(r->tb[VEIL_A_ENCAP_SOCK_PORT], 65535));
	CHECK(addr_is(r->tb[VEIL_A_ENCAP_SOCK_LOCAL], AF_INET, "0.0.0.0"));
	done(r);

	r = run(veil_encap_parse_del, VEIL_A_ENCAP_SOCK_MAX, "port 4500");
	CHECK(r->ret == 0);
	CHECK(u16_is(r->tb[VEIL_A_ENCAP_SOCK_FAMILY], AF_INET));
	CHECK(u16_is(r->tb[VEIL_A_ENCAP_SOCK_PORT], 4500));
	CHECK(!r->tb[VEIL_A_ENCAP_SOCK_LOCAL]);
	done(r);

	r = run(veil_encap_parse_del, VEIL_A_ENCAP_SOCK_MAX, "family inet6 port 1");
	CHECK(r->ret == 0);
	CHECK(u16_is(r->tb[VEIL_A_ENCAP_SOCK_FAMILY], AF_INET6));
	CHECK(u16_is(r->tb[VEIL_A_ENCAP_SOCK_PORT], 1));
	done(r);
}

static void test_encap_refused(void)
{
	REFUSED(veil_encap_parse_new, "", "missing \"port PORT\"");
	REFUSED(veil_encap_parse_new, "family inet6 local ::1", "missing \"port PORT\"");
	REFUSED(veil_encap_parse_new, "port 0", "port \"0\" is out of range (1 to 65535)");
	REFUSED(veil_encap_parse_new, "port 65536", "port \"65536\" is out of range (1 to 65535)");
	REFUSED(veil_encap_parse_new, "port 0x10000", "port \"0x10000\" is out of range");
	REFUSED(veil_encap_parse_new, "port 99999999999999999999", "out of range (1 to 65535)");
	REFUSED(veil_encap_parse_new, "port -1", "port \"-1\" is not a number");
	REFUSED(veil_encap_parse_new, "port ipsec-nat-t", "port \"ipsec-nat-t\" is not a number");
	REFUSED(veil_encap_parse_new, "port", "\"port\" needs an argument");
	REFUSED(veil_encap_parse_new, "port 4500 family", "\"family\" needs an argument");
	REFUSED(veil_encap_parse_new, "port 4500 local", "\"local\" needs an argument");
	REFUSED(veil_encap_parse_new, "port 4500 family ipx", "unknown family \"ipx\": use inet or inet6");
	REFUSED(veil_encap_parse_new, "port 4500 family INET", "unknown family \"INET\"");
	REFUSED(veil_encap_parse_new, "port 4500 local 192.0.2.300",
		"local \"192.0.2.300\" is not an IPv4 or IPv6 address");
	REFUSED(veil_encap_parse_new, "port 4500 local 192.0.2.0/24", "is not an IPv4 or IPv6 address");
	REFUSED(veil_encap_parse_new, "port 4500 family inet local 2001:db8::1",
		"local \"2001:db8::1\" is an IPv6 address, but family is inet");
	REFUSED(veil_encap_parse_new, "local 192.0.2.1 family inet6 port 4500",
		"local \"192.0.2.1\" is an IPv4 address, but family is inet6");
	REFUSED(veil_encap_parse_new, "port 4500 port 4501", "\"port\" given twice");
	REFUSED(veil_encap_parse_new, "port 4500 family inet family inet", "\"family\" given twice");
	REFUSED(veil_encap_parse_new, "port 4500 local ::1 local ::2", "\"local\" given twice");
	REFUSED(veil_encap_parse_new, "port 4500 fd 3", "unknown argument \"fd\" to encap add");
	REFUSED(veil_encap_parse_new, "4500", "unknown argument \"4500\" to encap add");

	REFUSED(veil_encap_parse_del, "", "missing \"port PORT\"");
	REFUSED(veil_encap_parse_del, "port 0", "port \"0\" is out of range (1 to 65535)");
	REFUSED(veil_encap_parse_del, "port 4500 family inet5", "unknown family \"inet5\"");
	REFUSED(veil_encap_parse_del, "port 4500 local 192.0.2.1",
		"encap del takes no \"local\": family and port name the socket");
	REFUSED(veil_encap_parse_del, "port 4500 frob", "unknown argument \"frob\" to encap del");
	REFUSED(veil_encap_parse_del, "family inet6 family inet6 port 1", "\"family\" given twice");
}

/* One socket of an encap-get dump, as the kernel would send it. */
static struct nl_msg *encap_sock_msg(uint16_t family, uint16_t port, const char *local,
				     bool kernel, uint64_t esp, uint64_t other)
{
	struct nl_msg *msg = veil_nl_msg_new(VEIL_CMD_ENCAP_GET, 0);
	uint8_t addr[16];

	nla_put_u16(msg, VEIL_A_ENCAP_SOCK_FAMILY, family);
	nla_put_u16(msg, VEIL_A_ENCAP_SOCK_PORT, port);
	if (local && inet_pton(family, local, addr) == 1)
		nla_put(msg, VEIL_A_ENCAP_SOCK_LOCAL, family == AF_INET ? 4 : 16, addr);
	if (kernel)
		nla_put_flag(msg, VEIL_A_ENCAP_SOCK_KERNEL);
	nla_put_u64(msg, VEIL_A_ENCAP_SOCK_ESP_PACKETS, esp);
	nla_put_u64(msg, VEIL_A_ENCAP_SOCK_OTHER_PACKETS, other);
	return msg;
}

/* Decode @msg as one encap socket; print it as text into a string, and as JSON. */
static char *encap_render(struct nl_msg *msg, struct json_object **json)
{
	struct genlmsghdr *g = nlmsg_data(nlmsg_hdr(msg));
	struct veil_encap_sock_view v;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	*json = NULL;
	if (CHECK(veil_encap_sock_view_decode(genlmsg_attrdata(g, 0),
					      genlmsg_attrlen(g, 0), &v) == 0)) {
		f = open_memstream(&buf, &len);
		veil_encap_sock_print(f, &v);
		fclose(f);
		*json = veil_encap_sock_json(&v);
	}
	nlmsg_free(msg);
	return buf ? buf : strdup("");
}

/* The string under @k, or "" when there is none. */
static const char *j_str(struct json_object *o, const char *k)
{
	const char *v = json_object_get_string(json_object_object_get(o, k));

	return v ? v : "";
}

static void test_encap_print(void)
{
	struct json_object *o = NULL;
	char *text;

	/* veil's own socket, bound to no address: the any address, null in JSON. */
	text = encap_render(encap_sock_msg(AF_INET, 4500, NULL, true, 12, 0), &o);
	CHECK(!strcmp(text, "encap inet port 4500 local 0.0.0.0 kernel esp-packets 12"
			    " other-packets 0\n"));
	CHECK(!strcmp(j_str(o, "family"), "inet"));
	CHECK(json_object_get_int(json_object_object_get(o, "port")) == 4500);
	CHECK(json_object_object_get_ex(o, "local", NULL) && !json_object_object_get(o, "local"));
	CHECK(!strcmp(j_str(o, "owner"), "kernel"));
	CHECK(json_object_get_uint64(json_object_object_get(o, "esp-packets")) == 12);
	CHECK(json_object_get_uint64(json_object_object_get(o, "other-packets")) == 0);
	CHECK(json_object_object_length(o) == 6);
	CHECK(!strcmp(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
		      "{\"family\":\"inet\",\"port\":4500,\"local\":null,\"owner\":\"kernel\","
		      "\"esp-packets\":12,\"other-packets\":0}"));
	json_object_put(o);
	free(text);

	/* A process's socket, bound to an address. */
	text = encap_render(encap_sock_msg(AF_INET6, 4500, "2001:db8::1", false,
					   18446744073709551615ull, 7), &o);
	CHECK(!strcmp(text, "encap inet6 port 4500 local 2001:db8::1 process"
			    " esp-packets 18446744073709551615 other-packets 7\n"));
	CHECK(!strcmp(j_str(o, "family"), "inet6"));
	CHECK(!strcmp(j_str(o, "local"), "2001:db8::1"));
	CHECK(!strcmp(j_str(o, "owner"), "process"));
	CHECK(json_object_get_uint64(json_object_object_get(o, "esp-packets")) ==
	      18446744073709551615ull);
	json_object_put(o);
	free(text);

	text = encap_render(encap_sock_msg(AF_INET6, 1, NULL, true, 0, 0), &o);
	CHECK(!strcmp(text, "encap inet6 port 1 local :: kernel esp-packets 0 other-packets 0\n"));
	json_object_put(o);
	free(text);
}

/* One rtnetlink link request under test, with its attributes parsed back. */
struct link_req {
	struct nl_msg *msg;
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;
	struct nlattr *tb[IFLA_MAX + 1];
	int ret;
	struct veil_perr e;
	char buf[512];
	char *argv[32];
};

/* Split @line, run @fn on a fresh @type request, parse the result back. */
static struct link_req *link_run(parse_fn fn, int type, const char *line)
{
	struct link_req *r = calloc(1, sizeof(*r));
	int argc;

	snprintf(r->buf, sizeof(r->buf), "%s", line);
	argc = veil_split_line(r->buf, r->argv, 31, &r->e);
	r->msg = veil_link_msg_new(type, 0);
	r->ret = fn(argc, r->argv, r->msg, &r->e);
	r->nlh = nlmsg_hdr(r->msg);
	r->ifi = nlmsg_data(r->nlh);
	if (nlmsg_parse(r->nlh, sizeof(*r->ifi), r->tb, IFLA_MAX, NULL) < 0)
		r->ret = -EBADMSG;
	if (r->ret)
		printf("# \"%s\" -> %d %s\n", line, r->ret, r->e.msg);
	return r;
}

static void link_done(struct link_req *r)
{
	nlmsg_free(r->msg);
	free(r);
}

#define LINK_REFUSED(fn, type, line, want) \
	refused_msg(fn, veil_link_msg_new(type, 0), line, want, __LINE__)

static bool str_is(const struct nlattr *nla, const char *want)
{
	return nla && nla_len(nla) == (int)strlen(want) + 1 &&
	       !strcmp(nla_data(nla), want);
}

static bool ifi_is_zero(const struct ifinfomsg *ifi)
{
	return ifi->ifi_family == AF_UNSPEC && !ifi->ifi_index && !ifi->ifi_flags &&
	       !ifi->ifi_change && !ifi->ifi_type;
}

/* The IFLA_LINKINFO nest of @r: kind "veil", and the if_id when @if_id. */
static void check_linkinfo(struct link_req *r, bool has_if_id, uint32_t if_id)
{
	struct nlattr *li[IFLA_INFO_MAX + 1], *vd[IFLA_VEIL_MAX + 1];

	if (!CHECK(nest(r->tb[IFLA_LINKINFO], li, IFLA_INFO_MAX)))
		return;
	CHECK(str_is(li[IFLA_INFO_KIND], "veil"));
	CHECK(!li[IFLA_INFO_SLAVE_KIND] && !li[IFLA_INFO_SLAVE_DATA]);
	if (!has_if_id) {
		CHECK(!li[IFLA_INFO_DATA]);
		return;
	}
	if (CHECK(nest(li[IFLA_INFO_DATA], vd, IFLA_VEIL_MAX))) {
		CHECK(vd[IFLA_VEIL_IF_ID] && nla_len(vd[IFLA_VEIL_IF_ID]) == 4 &&
		      nla_get_u32(vd[IFLA_VEIL_IF_ID]) == if_id);
	}
}

static void test_link_add(void)
{
	struct link_req *r;

	r = link_run(veil_link_parse_add, RTM_NEWLINK, "veil0 if_id 5");
	CHECK(r->ret == 0);
	CHECK(r->nlh->nlmsg_type == RTM_NEWLINK);
	CHECK((r->nlh->nlmsg_flags & (NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK)) ==
	      (NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK));
	/* NLM_F_EXCL shares its bit with NLM_F_MATCH (of NLM_F_DUMP): check the others. */
	CHECK(!(r->nlh->nlmsg_flags & (NLM_F_REPLACE | NLM_F_APPEND)));
	CHECK(ifi_is_zero(r->ifi));
	CHECK(str_is(r->tb[IFLA_IFNAME], "veil0"));
	CHECK(!r->tb[IFLA_MTU] && !r->tb[IFLA_LINK]);
	check_linkinfo(r, true, 5);
	CHECK(!strcmp(veil_link_msg_name(r->msg), "veil0"));
	link_done(r);

	/* No if_id: no IFLA_INFO_DATA, the kernel picks the id. */
	r = link_run(veil_link_parse_add, RTM_NEWLINK, "veil0");
	CHECK(r->ret == 0);
	CHECK(str_is(r->tb[IFLA_IFNAME], "veil0"));
	check_linkinfo(r, false, 0);
	link_done(r);

	/* if-id, the largest, in hex, before "name NAME"; 15 characters. */
	r = link_run(veil_link_parse_add, RTM_NEWLINK, "if-id 0xffffffff name abcdefghijklmno");
	CHECK(r->ret == 0);
	CHECK(str_is(r->tb[IFLA_IFNAME], "abcdefghijklmno"));
	check_linkinfo(r, true, 4294967295u);
	link_done(r);

	r = link_run(veil_link_parse_add, RTM_NEWLINK, "dev ipsec1 if_id 1");
	CHECK(r->ret == 0);
	CHECK(str_is(r->tb[IFLA_IFNAME], "ipsec1"));
	check_linkinfo(r, true, 1);
	link_done(r);

	/* A name template is the kernel's to fill in. */
	r = link_run(veil_link_parse_add, RTM_NEWLINK, "veil%d if_id 010");
	CHECK(r->ret == 0);
	CHECK(str_is(r->tb[IFLA_IFNAME], "veil%d"));
	check_linkinfo(r, true, 10);
	link_done(r);
}

static void test_link_del_show(void)
{
	struct link_req *r;

	r = link_run(veil_link_parse_del, RTM_DELLINK, "veil0");
	CHECK(r->ret == 0);
	CHECK(r->nlh->nlmsg_type == RTM_DELLINK);
	CHECK(r->nlh->nlmsg_flags & NLM_F_ACK);
	CHECK(!(r->nlh->nlmsg_flags & (NLM_F_CREATE | NLM_F_EXCL | NLM_F_DUMP)));
	CHECK(ifi_is_zero(r->ifi));
	CHECK(str_is(r->tb[IFLA_IFNAME], "veil0"));
	CHECK(!r->tb[IFLA_LINKINFO]);
	link_done(r);

	r = link_run(veil_link_parse_del, RTM_DELLINK, "dev veil0");
	CHECK(r->ret == 0 && str_is(r->tb[IFLA_IFNAME], "veil0"));
	link_done(r);

	/* show NAME: a get of that link. */
	r = link_run(veil_link_parse_show, RTM_GETLINK, "veil0");
	CHECK(r->ret == 0);
	CHECK(r->nlh->nlmsg_type == RTM_GETLINK);
	CHECK((r->nlh->nlmsg_flags & (NLM_F_ACK | NLM_F_DUMP)) == NLM_F_ACK);
	CHECK(str_is(r->tb[IFLA_IFNAME], "veil0") && !r->tb[IFLA_LINKINFO]);
	link_done(r);

	r = link_run(veil_link_parse_show, RTM_GETLINK, "dev veil0");
	CHECK(r->ret == 0 && str_is(r->tb[IFLA_IFNAME], "veil0"));
	link_done(r);

	/* show: a dump, filtered by kind. */
	r = link_run(veil_link_parse_show, RTM_GETLINK, "");
	CHECK(r->ret == 0);
	CHECK((r->nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP);
	CHECK(!r->tb[IFLA_IFNAME]);
	CHECK(ifi_is_zero(r->ifi));
	check_linkinfo(r, false, 0);
	CHECK(veil_link_msg_name(r->msg) == NULL);
	link_done(r);
}

static void test_link_refused(void)
{
	LINK_REFUSED(veil_link_parse_add, RTM_NEWLINK, "", "missing NAME");
	LINK_REFUSED(veil_link_parse_add, RTM_NEWLINK, "if_id 5", "missing NAME");
	LINK_REFUSED(veil_link_parse_add, RTM_NEWLINK, "abcdefghijklmnop",
		     "interface name \"abcdefghijklmnop\" is longer than 15 characters");
	LINK_REFUSED(veil_link_parse_add, RTM_NEWLINK, "''", "the interface name is empty");
	LINK_REFUSED(veil_link_parse_add, RTM_NEWLINK, "a/b", "interface name \"a/b\" is not valid");
	LINK_REFUSED(veil_link_parse_add, RTM_NEWLINK, "a:1", "is not valid");
	LINK_REFUSED(veil_link_parse_add, RTM_NEWLINK, "'a b'", "is not valid");
	LINK_REFUSED(veil_link_parse_add, RTM_NEWLINK, "..", "is not valid");
	LINK_REFUSED(veil_link_parse_add, RTM_NEWLINK, "veil0 if_id 0",
		     "if_id 0 means no interface: give 1 to 4294967295");
	LINK_REFUSED(veil_link_parse_add, RTM_NEWLINK, "veil0 if_id 0x00", "if_id 0 means no interface");
	LINK_REFUSED(veil_link_parse_add, RTM_NEWLINK, "veil0 if_id 4294967296",
		     "if_id \"4294967296\" is out of range (1 to 4294967295)");
	LINK_REFUSED(veil_link_parse_add, RTM_NEWLINK, "veil0 if_id 99999999999999999999",
		     "out of range (1 to 4294967295)");
	LINK_REFUSED(veil_link_parse_add, RTM_NEWLINK, "veil0 if_id -1", "if_id \"-1\" is not a number");
	LINK_REFUSED(veil_link_parse_add, RTM_NEWLINK, "veil0 if_id 0x", "is not a number");
	LINK_REFUSED(veil_link_parse_add, RTM_NEWLINK, "veil0 if_id", "\"if_id\" needs an argument");
	LINK_REFUSED(veil_link_parse_add, RTM_NEWLINK, "veil0 if-id", "\"if-id\" needs an argument");
	LINK_REFUSED(veil_link_parse_add, RTM_NEWLINK, "veil0 if_id 1 if_id 2", "\"if_id\" given twice");
	LINK_REFUSED(veil_link_parse_add, RTM_NEWLINK, "veil0 if_id 1 if-id 1", "\"if_id\" given twice");
	LINK_REFUSED(veil_link_parse_add, RTM_NEWLINK, "veil0 veil1", "unknown argument \"veil1\" to link add");
	LINK_REFUSED(veil_link_parse_add, RTM_NEWLINK, "veil0 type veil", "unknown argument \"type\" to link add");
	LINK_REFUSED(veil_link_parse_add, RTM_NEWLINK, "veil0 name veil1",
		     "two interface names: \"veil0\" and \"veil1\"");
	LINK_REFUSED(veil_link_parse_add, RTM_NEWLINK, "name", "\"name\" needs an argument");

	LINK_REFUSED(veil_link_parse_del, RTM_DELLINK, "", "missing NAME");
	LINK_REFUSED(veil_link_parse_del, RTM_DELLINK, "dev", "\"dev\" needs an argument");
	LINK_REFUSED(veil_link_parse_del, RTM_DELLINK, "veil0 veil1", "unknown argument \"veil1\" to link del");
	LINK_REFUSED(veil_link_parse_del, RTM_DELLINK, "veil0 if_id 5",
		     "link del takes no \"if_id\": NAME names the interface");
	LINK_REFUSED(veil_link_parse_del, RTM_DELLINK, "name veil0", "unknown argument \"veil0\" to link del");
	LINK_REFUSED(veil_link_parse_del, RTM_DELLINK, "0123456789abcdefg", "is longer than 15 characters");
	LINK_REFUSED(veil_link_parse_del, RTM_DELLINK, "dev a dev b", "two interface names");

	LINK_REFUSED(veil_link_parse_show, RTM_GETLINK, "veil0 up", "unknown argument \"up\" to link show");
	LINK_REFUSED(veil_link_parse_show, RTM_GETLINK, "if-id 5", "link show takes no \"if-id\"");
	LINK_REFUSED(veil_link_parse_show, RTM_GETLINK, "a/b", "is not valid");
}

/* An RTM_NEWLINK as the kernel sends one: @kind NULL for no IFLA_LINKINFO. */
static struct nl_msg *link_msg(const char *name, unsigned int flags, uint32_t mtu,
			       const char *kind, bool has_if_id, uint32_t if_id)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = 7,
				 .ifi_flags = flags };
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_NEWLINK, 0);
	struct nlattr *li, *vd;

	nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO);
	nla_put_string(msg, IFLA_IFNAME, name);
	nla_put_u32(msg, IFLA_MTU, mtu);
	nla_put_u32(msg, IFLA_TXQLEN, 1000);
	if (kind) {
		li = nla_nest_start(msg, IFLA_LINKINFO);
		nla_put_string(msg, IFLA_INFO_KIND, kind);
		if (has_if_id) {
			vd = nla_nest_start(msg, IFLA_INFO_DATA);
			nla_put_u32(msg, IFLA_VEIL_IF_ID, if_id);
			nla_nest_end(msg, vd);
		}
		nla_nest_end(msg, li);
	}
	return msg;
}

/* Decode @msg (consumed) as a link; its text into a string, and its JSON. */
static char *link_render(struct nl_msg *msg, struct veil_link_view *v,
			 struct json_object **json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	*json = NULL;
	if (CHECK(veil_link_view_decode(nlmsg_hdr(msg), v) == 0)) {
		f = open_memstream(&buf, &len);
		veil_link_print(f, v);
		fclose(f);
		*json = veil_link_json(v);
	}
	nlmsg_free(msg);
	return buf ? buf : strdup("");
}

static void test_link_print(void)
{
	struct json_object *o;
	struct veil_link_view v;
	char *text;

	text = link_render(link_msg("veil0", IFF_UP | IFF_RUNNING | IFF_NOARP, 1400,
				    "veil", true, 5), &v, &o);
	CHECK(v.is_veil && v.ifindex == 7 && v.has_if_id && v.if_id == 5);
	CHECK(!strcmp(text, "veil0 if_id 0x5 mtu 1400 state UP\n"));
	CHECK(o && !strcmp(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
			   "{\"ifname\":\"veil0\",\"if-id\":5,\"mtu\":1400,\"up\":true}"));
	json_object_put(o);
	free(text);

	text = link_render(link_msg("ipsec-to-b", IFF_NOARP, 1280, "veil", true,
				    4294967295u), &v, &o);
	CHECK(!strcmp(text, "ipsec-to-b if_id 0xffffffff mtu 1280 state DOWN\n"));
	CHECK(o && json_object_get_uint64(json_object_object_get(o, "if-id")) == 4294967295u);
	CHECK(o && !json_object_get_boolean(json_object_object_get(o, "up")));
	json_object_put(o);
	free(text);

	/* No if_id sent: none printed, none in JSON. */
	text = link_render(link_msg("veil1", 0, 1400, "veil", false, 0), &v, &o);
	CHECK(v.is_veil && !v.has_if_id);
	CHECK(!strcmp(text, "veil1 mtu 1400 state DOWN\n"));
	CHECK(o && !json_object_object_get_ex(o, "if-id", NULL));
	json_object_put(o);
	free(text);

	/* Other kinds, or none, decode but are not veil's. */
	text = link_render(link_msg("eth0", IFF_UP, 1500, "veth", false, 0), &v, &o);
	CHECK(!v.is_veil && !strcmp(v.kind, "veth") && !v.has_if_id);
	json_object_put(o);
	free(text);
	text = link_render(link_msg("lo", IFF_UP, 65536, NULL, false, 0), &v, &o);
	CHECK(!v.is_veil && !v.kind[0] && !strcmp(v.ifname, "lo"));
	json_object_put(o);
	free(text);
	/* A kind that merely starts with "veil" is another kind. */
	text = link_render(link_msg("x0", IFF_UP, 1500, "veil2", true, 3), &v, &o);
	CHECK(!v.is_veil && !v.has_if_id);
	json_object_put(o);
	free(text);

	/* Not an RTM_NEWLINK. */
	{
		struct nl_msg *msg = veil_link_msg_new(RTM_DELLINK, 0);

		CHECK(veil_link_view_decode(nlmsg_hdr(msg), &v) == -EBADMSG);
		nlmsg_free(msg);
	}
}

static const struct ktap_test tests[] = {
	{ "sa_example", test_sa_example },
	{ "sa_ipv6_enc_auth", test_sa_ipv6_enc_auth },
	{ "sa_keys", test_sa_keys },
	{ "sa_more", test_sa_more },
	{ "sa_id_flush", test_sa_id_flush },
	{ "sa_refused", test_sa_refused },
	{ "sa_if_id", test_sa_if_id },
	{ "policy_example", test_policy_example },
	{ "policy_more", test_policy_more },
	{ "policy_id", test_policy_id },
	{ "policy_lookup", test_policy_lookup },
	{ "policy_refused", test_policy_refused },
	{ "filters", test_filters },
	{ "split", test_split },
	{ "print", test_print },
	{ "print_stats", test_print_stats },
	{ "encap_new", test_encap_new },
	{ "encap_refused", test_encap_refused },
	{ "encap_print", test_encap_print },
	{ "link_add", test_link_add },
	{ "link_del_show", test_link_del_show },
	{ "link_refused", test_link_refused },
	{ "link_print", test_link_print },
};

int main(void)
{
	size_t n = sizeof(tests) / sizeof(tests[0]);

	return ktap_run(tests, n);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * The SA and policy databases over raw generic netlink: every bad input
 * is refused with its own extack message and changes nothing; privilege,
 * per-namespace isolation, events, lifetimes, limits and dumps.
 *
 * Each test runs in a fresh network namespace (FIXTURE_SETUP unshares),
 * so tests never see each other's SAs.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdlib.h>
#include <time.h>
#include <netinet/in.h>

#include "kselftest_harness.h"
#include "harness_main.h"
#include "nl_util.h"

#define SPI	0x1000
#define NS	1000000000LL

static const __u8 key20[20] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
				16, 17, 18, 19 };
static const __u8 key32[32] = { 1 };

/* 192.0.2.1 -> 192.0.2.2, ESP, AES-GCM-128: a good SA to start from. */
static void sa_id(struct nlreq *r, __u32 spi)
{
	__u8 dst[4] = { 192, 0, 2, 2 };

	nl_put_u16(r, VEIL_A_SA_FAMILY, AF_INET);
	nl_put(r, VEIL_A_SA_DST, dst, 4);
	nl_put_u8(r, VEIL_A_SA_PROTO, IPPROTO_ESP);
	nl_put_u32(r, VEIL_A_SA_SPI, spi);
}

static void sa_src(struct nlreq *r)
{
	__u8 src[4] = { 192, 0, 2, 1 };

	nl_put(r, VEIL_A_SA_SRC, src, 4);
}

static void sa_aead(struct nlreq *r, const char *name, int keylen, __u32 icv)
{
	struct nlattr *n = nl_nest(r, VEIL_A_SA_AEAD);

	nl_put_str(r, VEIL_A_KEY_ALG_NAME, name);
	nl_put(r, VEIL_A_KEY_ALG_KEY, key20, keylen);
	nl_put_u32(r, VEIL_A_KEY_ALG_ICV_LEN, icv);
	nl_nest_end(r, n);
}

static void sa_good(struct nlreq *r, int family, __u32 spi)
{
	nl_init(r, family, VEIL_CMD_SA_NEW);
	sa_id(r, spi);
	sa_src(r);
	nl_put_u8(r, VEIL_A_SA_MODE, VEIL_MODE_TUNNEL);
	nl_put_u32(r, VEIL_A_SA_REQID, 1);
	sa_aead(r, "rfc4106(gcm(aes))", 20, 128);
}

static void selector(struct nlreq *r, int type, int family, int plen)
{
	struct nlattr *n = nl_nest(r, type);
	__u8 s[16] = { 10, 1 }, d[16] = { 10, 2 };

	nl_put_u16(r, VEIL_A_SELECTOR_FAMILY, family);
	nl_put(r, VEIL_A_SELECTOR_SRC, s, family == AF_INET ? 4 : 16);
	nl_put(r, VEIL_A_SELECTOR_DST, d, family == AF_INET ? 4 : 16);
	nl_put_u8(r, VEIL_A_SELECTOR_SRC_PREFIX_LEN, plen);
	nl_put_u8(r, VEIL_A_SELECTOR_DST_PREFIX_LEN, plen);
	nl_nest_end(r, n);
}

static void tmpl(struct nlreq *r, int family, int mode, int proto)
{
	struct nlattr *n = nl_nest(r, VEIL_A_POLICY_TMPL);
	__u8 s[16] = { 192, 0, 2, 1 }, d[16] = { 192, 0, 2, 2 };

	nl_put_u16(r, VEIL_A_TMPL_FAMILY, family);
	nl_put(r, VEIL_A_TMPL_SRC, s, family == AF_INET ? 4 : 16);
	nl_put(r, VEIL_A_TMPL_DST, d, family == AF_INET ? 4 : 16);
	nl_put_u8(r, VEIL_A_TMPL_PROTO, proto);
	nl_put_u8(r, VEIL_A_TMPL_MODE, mode);
	nl_put_u32(r, VEIL_A_TMPL_REQID, 1);
	nl_nest_end(r, n);
}

static void policy_good(struct nlreq *r, int family)
{
	nl_init(r, family, VEIL_CMD_POLICY_NEW);
	selector(r, VEIL_A_POLICY_SELECTOR, AF_INET, 24);
	nl_put_u8(r, VEIL_A_POLICY_DIR, VEIL_DIR_OUT);
	tmpl(r, AF_INET, VEIL_MODE_TUNNEL, IPPROTO_ESP);
}

/* Request, then its error (0 = success) and extack message. */
static int request(int fd, struct nlreq *r, char *buf, char *msg)
{
	int len;

	len = nl_transact(fd, r, buf);
	/* Requests with a reply (policy-new) send the reply, then the ack. */
	while (len > 0 && ((struct nlmsghdr *)buf)->nlmsg_type != NLMSG_ERROR)
		len = recv(fd, buf, NL_BUFSZ, 0);
	return nl_error(buf, len, msg, 512);
}

static __u32 count(int fd, int family, int attr)
{
	static char buf[NL_BUFSZ];
	struct nlreq r;
	struct nlattr *a;
	__u32 n;

	nl_init(&r, family, VEIL_CMD_COUNTS);
	r.nlh.nlmsg_flags = NLM_F_REQUEST;
	if (nl_transact(fd, &r, buf) <= 0)
		return ~0u;
	a = nl_attr((struct nlmsghdr *)buf, attr);
	n = a ? nl_u32(a) : ~0u;
	return n;
}

FIXTURE(db) {
	int fd;
	int family;
	int grp;
	char buf[NL_BUFSZ];
	char msg[512];
};

FIXTURE_SETUP(db)
{
	ASSERT_EQ(unshare(CLONE_NEWNET), 0);
	self->fd = nl_open();
	ASSERT_GE(self->fd, 0);
	self->family = nl_resolve(self->fd, &self->grp);
	ASSERT_GT(self->family, 0);
	ASSERT_GE(self->grp, 0);
}

FIXTURE_TEARDOWN(db)
{
	close(self->fd);
}

/* A bad request: how to build it, and what the kernel must answer. */
FIXTURE_VARIANT(db) {
	void (*build)(struct nlreq *r, int family);
	int err;
	const char *msg;
	int counter;	/* VEIL_A_COUNTS_* that must stay 0 */
};

#define BAD(_name, _err, _msg, _counter)					\
	static void build_##_name(struct nlreq *r, int family);		\
	FIXTURE_VARIANT_ADD(db, _name) {					\
		.build = build_##_name, .err = _err, .msg = _msg,		\
		.counter = _counter,						\
	};								\
	static void build_##_name(struct nlreq *r, int family)

#define SAD VEIL_A_COUNTS_SA_COUNT
#define SPD VEIL_A_COUNTS_POLICY_OUT

BAD(good_sa, 0, "", 0)
{
	sa_good(r, family, SPI);
}

BAD(unknown_aead, -ENOENT, "unknown AEAD algorithm (veil info lists them)", SAD)
{
	nl_init(r, family, VEIL_CMD_SA_NEW);
	sa_id(r, SPI);
	sa_src(r);
	sa_aead(r, "rfc4106(gcm(rot13))", 20, 128);
}

/* The draft's non-IKE marker is gone from XFRM; veil refuses it. */
BAD(encap_nonike, -EOPNOTSUPP,
    "espinudp-nonike (draft-ietf-ipsec-udp-encaps-00) is not supported; use espinudp (RFC 3948)", SAD)
{
	struct nlattr *n;

	sa_good(r, family, SPI);
	n = nl_nest(r, VEIL_A_SA_ENCAP);
	nl_put_u16(r, VEIL_A_ENCAP_TYPE, VEIL_ENCAP_TYPE_ESPINUDP_NONIKE);
	nl_put_u16(r, VEIL_A_ENCAP_SPORT, 4500);
	nl_put_u16(r, VEIL_A_ENCAP_DPORT, 4500);
	nl_nest_end(r, n);
}

BAD(cipher_as_aead, -ENOENT, "unknown AEAD algorithm (veil info lists them)", SAD)
{
	nl_init(r, family, VEIL_CMD_SA_NEW);
	sa_id(r, SPI);
	sa_src(r);
	sa_aead(r, "cbc(aes)", 16, 128);
}

BAD(tls_aead_for_esp, -EINVAL,
    "algorithm cannot be used with ESP; for AES-GCM use rfc4106(gcm(aes)) (veil info shows its uses)", SAD)
{
	nl_init(r, family, VEIL_CMD_SA_NEW);
	sa_id(r, SPI);
	sa_src(r);
	sa_aead(r, "gcm(aes)", 16, 128);
}

BAD(short_key, -EINVAL,
    "rfc4106(gcm(aes)) takes a 20, 28 or 36 byte key: AES-128/192/256 and a 4-byte salt", SAD)
{
	nl_init(r, family, VEIL_CMD_SA_NEW);
	sa_id(r, SPI);
	sa_src(r);
	sa_aead(r, "rfc4106(gcm(aes))", 16, 128);
}

BAD(bad_icv, -EINVAL,
    "ICV length not allowed: GCM and CCM take 64, 96 or 128 bits, GMAC and ChaCha20-Poly1305 128", SAD)
{
	nl_init(r, family, VEIL_CMD_SA_NEW);
	sa_id(r, SPI);
	sa_src(r);
	sa_aead(r, "rfc4106(gcm(aes))", 20, 100);
}

static void enc_auth(struct nlreq *r, int authkey, int trunc)
{
	struct nlattr *n;

	n = nl_nest(r, VEIL_A_SA_ENC);
	nl_put_str(r, VEIL_A_KEY_ALG_NAME, "cbc(aes)");
	nl_put(r, VEIL_A_KEY_ALG_KEY, key32, 16);
	nl_nest_end(r, n);
	n = nl_nest(r, VEIL_A_SA_AUTH);
	nl_put_str(r, VEIL_A_KEY_ALG_NAME, "hmac(sha256)");
	nl_put(r, VEIL_A_KEY_ALG_KEY, key32, authkey);
	if (trunc)
		nl_put_u32(r, VEIL_A_KEY_ALG_TRUNC_LEN, trunc);
	nl_nest_end(r, n);
}

BAD(good_enc_auth, 0, "", 0)
{
	nl_init(r, family, VEIL_CMD_SA_NEW);
	sa_id(r, SPI);
	sa_src(r);
	enc_auth(r, 32, 128);
}

BAD(bad_trunc, -EINVAL,
    "truncation must be a multiple of 32 bits, at least 64 and at most the digest length", SAD)
{
	nl_init(r, family, VEIL_CMD_SA_NEW);
	sa_id(r, SPI);
	sa_src(r);
	enc_auth(r, 32, 40);
}

BAD(hmac_key_len, -EINVAL, "hmac(sha256) takes a 32 byte key (RFC 4868)", SAD)
{
	nl_init(r, family, VEIL_CMD_SA_NEW);
	sa_id(r, SPI);
	sa_src(r);
	enc_auth(r, 20, 0);
}

BAD(aead_and_auth, -EINVAL, "an AEAD SA takes no separate enc or auth", SAD)
{
	sa_good(r, family, SPI);
	enc_auth(r, 32, 0);
}

BAD(esp_without_alg, -EINVAL, "an ESP SA needs aead, or enc (with auth)", SAD)
{
	nl_init(r, family, VEIL_CMD_SA_NEW);
	sa_id(r, SPI);
	sa_src(r);
}

BAD(ah_with_aead, -EINVAL, "AH authenticates only: it takes auth, not aead or enc (AES-GMAC is ESP's: aead rfc4543(gcm(aes)))", SAD)
{
	__u8 dst[4] = { 192, 0, 2, 2 };

	nl_init(r, family, VEIL_CMD_SA_NEW);
	nl_put_u16(r, VEIL_A_SA_FAMILY, AF_INET);
	nl_put(r, VEIL_A_SA_DST, dst, 4);
	nl_put_u8(r, VEIL_A_SA_PROTO, IPPROTO_AH);
	nl_put_u32(r, VEIL_A_SA_SPI, SPI);
	sa_src(r);
	sa_aead(r, "rfc4106(gcm(aes))", 20, 128);
}

BAD(low_spi, -EINVAL, "SPI must be 256 or more: 1 to 255 are reserved (RFC 4303)", SAD)
{
	sa_good(r, family, 255);
}

BAD(bad_mode, -EINVAL, "mode must be transport (0) or tunnel (1)", SAD)
{
	sa_good(r, family, SPI);
	nl_put_u8(r, VEIL_A_SA_MODE, 7);
}

BAD(bad_proto, -EPROTONOSUPPORT, "proto must be esp (50) or ah (51)", SAD)
{
	__u8 dst[4] = { 192, 0, 2, 2 };

	nl_init(r, family, VEIL_CMD_SA_NEW);
	nl_put_u16(r, VEIL_A_SA_FAMILY, AF_INET);
	nl_put(r, VEIL_A_SA_DST, dst, 4);
	nl_put_u8(r, VEIL_A_SA_PROTO, IPPROTO_UDP);
	nl_put_u32(r, VEIL_A_SA_SPI, SPI);
}

BAD(mixed_family, -EINVAL,
    "address does not match the family (4 bytes for AF_INET, 16 for AF_INET6)", SAD)
{
	__u8 dst6[16] = { 0x20, 0x01, 0x0d, 0xb8 };

	nl_init(r, family, VEIL_CMD_SA_NEW);
	nl_put_u16(r, VEIL_A_SA_FAMILY, AF_INET);
	nl_put(r, VEIL_A_SA_DST, dst6, 16);
	nl_put_u8(r, VEIL_A_SA_PROTO, IPPROTO_ESP);
	nl_put_u32(r, VEIL_A_SA_SPI, SPI);
}

BAD(bad_family, -EAFNOSUPPORT, "family must be AF_INET (2) or AF_INET6 (10)", SAD)
{
	sa_good(r, family, SPI);
	nl_init(r, family, VEIL_CMD_SA_NEW);
	nl_put_u16(r, VEIL_A_SA_FAMILY, 7);
	nl_put(r, VEIL_A_SA_DST, key20, 4);
	nl_put_u8(r, VEIL_A_SA_PROTO, IPPROTO_ESP);
	nl_put_u32(r, VEIL_A_SA_SPI, SPI);
}

BAD(missing_spi, -EINVAL, "an SA is identified by family, dst, proto and spi", SAD)
{
	__u8 dst[4] = { 192, 0, 2, 2 };

	nl_init(r, family, VEIL_CMD_SA_NEW);
	nl_put_u16(r, VEIL_A_SA_FAMILY, AF_INET);
	nl_put(r, VEIL_A_SA_DST, dst, 4);
	nl_put_u8(r, VEIL_A_SA_PROTO, IPPROTO_ESP);
	sa_src(r);
}

BAD(missing_src, -EINVAL, "an SA needs its source address", SAD)
{
	nl_init(r, family, VEIL_CMD_SA_NEW);
	sa_id(r, SPI);
	sa_aead(r, "rfc4106(gcm(aes))", 20, 128);
}

BAD(big_window, -EINVAL, "replay window is at most 4096 packets", SAD)
{
	sa_good(r, family, SPI);
	nl_put_u32(r, VEIL_A_SA_REPLAY_WINDOW, 4097);
}

BAD(unknown_flag, -EINVAL, "unknown SA flag (esn and align4 are known)", SAD)
{
	sa_good(r, family, SPI);
	nl_put_u32(r, VEIL_A_SA_FLAGS, 4);
}

BAD(align4_on_esp, -EINVAL, "flag align4 is for IPv4 AH SAs only", SAD)
{
	sa_good(r, family, SPI);
	nl_put_u32(r, VEIL_A_SA_FLAGS, VEIL_SA_FLAGS_ALIGN4);
}

BAD(seq_hi_without_esn, -EINVAL, "replay-seq-hi and replay-oseq-hi need flag esn", SAD)
{
	sa_good(r, family, SPI);
	nl_put_u32(r, VEIL_A_SA_REPLAY_SEQ_HI, 1);
}

BAD(soft_above_hard, -EINVAL, "a soft limit must not exceed its hard limit", SAD)
{
	struct nlattr *n;

	sa_good(r, family, SPI);
	n = nl_nest(r, VEIL_A_SA_LIFETIME);
	nl_put_u64(r, VEIL_A_LIFETIME_SOFT_ADD_SECONDS, 100);
	nl_put_u64(r, VEIL_A_LIFETIME_HARD_ADD_SECONDS, 50);
	nl_nest_end(r, n);
}

BAD(transport_selector_family, -EINVAL,
    "in transport mode the selector's family must be the SA's", SAD)
{
	nl_init(r, family, VEIL_CMD_SA_NEW);
	sa_id(r, SPI);
	sa_src(r);
	sa_aead(r, "rfc4106(gcm(aes))", 20, 128);
	selector(r, VEIL_A_SA_SELECTOR, AF_INET6, 64);
}

BAD(stats_in_request, -EINVAL, "stats are reply-only", SAD)
{
	sa_good(r, family, SPI);
	nl_put(r, VEIL_A_SA_STATS, NULL, 0);
}

BAD(good_policy, 0, "", 0)
{
	policy_good(r, family);
}

BAD(policy_without_dir, -EINVAL, "a policy needs dir in, out or fwd", SPD)
{
	nl_init(r, family, VEIL_CMD_POLICY_NEW);
	selector(r, VEIL_A_POLICY_SELECTOR, AF_INET, 24);
}

BAD(policy_without_selector, -EINVAL, "a policy needs a selector, with its family at least", SPD)
{
	nl_init(r, family, VEIL_CMD_POLICY_NEW);
	nl_put_u8(r, VEIL_A_POLICY_DIR, VEIL_DIR_OUT);
}

BAD(policy_long_prefix, -EINVAL, "prefix length is longer than the address", SPD)
{
	nl_init(r, family, VEIL_CMD_POLICY_NEW);
	selector(r, VEIL_A_POLICY_SELECTOR, AF_INET, 33);
	nl_put_u8(r, VEIL_A_POLICY_DIR, VEIL_DIR_OUT);
}

BAD(tmpl_bad_proto, -EPROTONOSUPPORT, "proto must be esp (50) or ah (51)", SPD)
{
	nl_init(r, family, VEIL_CMD_POLICY_NEW);
	selector(r, VEIL_A_POLICY_SELECTOR, AF_INET, 24);
	nl_put_u8(r, VEIL_A_POLICY_DIR, VEIL_DIR_OUT);
	tmpl(r, AF_INET, VEIL_MODE_TUNNEL, IPPROTO_UDP);
}

BAD(tmpl_family, -EINVAL, "a transport-mode template's family must be the selector's", SPD)
{
	nl_init(r, family, VEIL_CMD_POLICY_NEW);
	selector(r, VEIL_A_POLICY_SELECTOR, AF_INET, 24);
	nl_put_u8(r, VEIL_A_POLICY_DIR, VEIL_DIR_OUT);
	tmpl(r, AF_INET6, VEIL_MODE_TRANSPORT, IPPROTO_ESP);
}

BAD(tunnel_tmpl_without_dst, -EINVAL, "a tunnel-mode template needs src and dst", SPD)
{
	struct nlattr *n;

	nl_init(r, family, VEIL_CMD_POLICY_NEW);
	selector(r, VEIL_A_POLICY_SELECTOR, AF_INET, 24);
	nl_put_u8(r, VEIL_A_POLICY_DIR, VEIL_DIR_OUT);
	n = nl_nest(r, VEIL_A_POLICY_TMPL);
	nl_put_u8(r, VEIL_A_TMPL_PROTO, IPPROTO_ESP);
	nl_put_u8(r, VEIL_A_TMPL_MODE, VEIL_MODE_TUNNEL);
	nl_nest_end(r, n);
}

BAD(seven_templates, -E2BIG, "a policy takes at most 6 templates", SPD)
{
	int i;

	nl_init(r, family, VEIL_CMD_POLICY_NEW);
	selector(r, VEIL_A_POLICY_SELECTOR, AF_INET, 24);
	nl_put_u8(r, VEIL_A_POLICY_DIR, VEIL_DIR_OUT);
	for (i = 0; i < 7; i++)
		tmpl(r, AF_INET, VEIL_MODE_TUNNEL, IPPROTO_ESP);
}

BAD(block_with_template, -EINVAL, "a block policy takes no templates", SPD)
{
	policy_good(r, family);
	nl_put_u8(r, VEIL_A_POLICY_ACTION, VEIL_ACTION_BLOCK);
}

BAD(ports_without_proto, -EINVAL, "ports need proto tcp, udp, udplite or sctp in the selector", SPD)
{
	struct nlattr *n;

	nl_init(r, family, VEIL_CMD_POLICY_NEW);
	n = nl_nest(r, VEIL_A_POLICY_SELECTOR);
	nl_put_u16(r, VEIL_A_SELECTOR_FAMILY, AF_INET);
	nl_put_u8(r, VEIL_A_SELECTOR_PROTO, IPPROTO_ICMP);
	nl_put_u16(r, VEIL_A_SELECTOR_DPORT, 80);
	nl_nest_end(r, n);
	nl_put_u8(r, VEIL_A_POLICY_DIR, VEIL_DIR_OUT);
}

BAD(policy_with_index, -EINVAL, "the kernel assigns policy indexes", SPD)
{
	policy_good(r, family);
	nl_put_u32(r, VEIL_A_POLICY_INDEX, 5);
}

TEST_F(db, request_is_checked)
{
	struct nlreq r;
	int err;

	variant->build(&r, self->family);
	err = request(self->fd, &r, self->buf, self->msg);
	EXPECT_EQ(err, variant->err) TH_LOG("kernel said: %s", self->msg);
	EXPECT_STREQ(self->msg, variant->msg);
	if (variant->counter)
		EXPECT_EQ(count(self->fd, self->family, variant->counter), 0);
}

/* The other tests: one fixture without variants, the same fresh namespace. */
FIXTURE(sad) {
	int fd;
	int family;
	int grp;
	char buf[NL_BUFSZ];
	char msg[512];
};

FIXTURE_SETUP(sad)
{
	ASSERT_EQ(unshare(CLONE_NEWNET), 0);
	self->fd = nl_open();
	ASSERT_GE(self->fd, 0);
	self->family = nl_resolve(self->fd, &self->grp);
	ASSERT_GT(self->family, 0);
}

FIXTURE_TEARDOWN(sad)
{
	close(self->fd);
}

TEST_F(sad, duplicate_is_eexist_and_update_keeps_history)
{
	struct nlreq r;
	struct nlattr *stats, *t1, *t2;
	__u64 add1;

	sa_good(&r, self->family, SPI);
	ASSERT_EQ(request(self->fd, &r, self->buf, self->msg), 0);
	sa_good(&r, self->family, SPI);
	EXPECT_EQ(request(self->fd, &r, self->buf, self->msg), -EEXIST);
	EXPECT_STREQ(self->msg, "an SA with this destination, SPI and protocol already exists");
	EXPECT_EQ(count(self->fd, self->family, VEIL_A_COUNTS_SA_COUNT), 1);

	nl_init(&r, self->family, VEIL_CMD_SA_GET);
	r.nlh.nlmsg_flags = NLM_F_REQUEST;
	sa_id(&r, SPI);
	ASSERT_GT(nl_transact(self->fd, &r, self->buf), 0);
	stats = nl_attr((struct nlmsghdr *)self->buf, VEIL_A_SA_STATS);
	ASSERT_NE(stats, NULL);
	t1 = nl_nested(stats, VEIL_A_STATS_ADD_TIME);
	ASSERT_NE(t1, NULL);
	add1 = *(__u64 *)nl_data(t1);

	sleep(1);
	sa_good(&r, self->family, SPI);
	r.genl.cmd = VEIL_CMD_SA_UPDATE;
	nl_put_u32(&r, VEIL_A_SA_REPLAY_WINDOW, 64);
	ASSERT_EQ(request(self->fd, &r, self->buf, self->msg), 0) TH_LOG("%s", self->msg);

	nl_init(&r, self->family, VEIL_CMD_SA_GET);
	r.nlh.nlmsg_flags = NLM_F_REQUEST;
	sa_id(&r, SPI);
	ASSERT_GT(nl_transact(self->fd, &r, self->buf), 0);
	EXPECT_EQ(nl_u32(nl_attr((struct nlmsghdr *)self->buf, VEIL_A_SA_REPLAY_WINDOW)), 64);
	t2 = nl_nested(nl_attr((struct nlmsghdr *)self->buf, VEIL_A_SA_STATS), VEIL_A_STATS_ADD_TIME);
	EXPECT_EQ(*(__u64 *)nl_data(t2), add1);
	EXPECT_EQ(count(self->fd, self->family, VEIL_A_COUNTS_SA_COUNT), 1);

	sa_good(&r, self->family, SPI + 1);
	r.genl.cmd = VEIL_CMD_SA_UPDATE;
	EXPECT_EQ(request(self->fd, &r, self->buf, self->msg), -ENOENT);
	EXPECT_STREQ(self->msg, "no SA with this destination, SPI and protocol to update");
}

TEST_F(sad, keys_only_on_request)
{
	struct nlreq r;
	struct nlattr *aead, *key;

	sa_good(&r, self->family, SPI);
	ASSERT_EQ(request(self->fd, &r, self->buf, self->msg), 0);

	nl_init(&r, self->family, VEIL_CMD_SA_GET);
	r.nlh.nlmsg_flags = NLM_F_REQUEST;
	sa_id(&r, SPI);
	ASSERT_GT(nl_transact(self->fd, &r, self->buf), 0);
	aead = nl_attr((struct nlmsghdr *)self->buf, VEIL_A_SA_AEAD);
	ASSERT_NE(aead, NULL);
	EXPECT_EQ(nl_nested(aead, VEIL_A_KEY_ALG_KEY), NULL);

	nl_put(&r, VEIL_A_SA_KEYS, NULL, 0);
	ASSERT_GT(nl_transact(self->fd, &r, self->buf), 0);
	aead = nl_attr((struct nlmsghdr *)self->buf, VEIL_A_SA_AEAD);
	ASSERT_NE(aead, NULL);
	key = nl_nested(aead, VEIL_A_KEY_ALG_KEY);
	ASSERT_NE(key, NULL);
	EXPECT_EQ(key->nla_len - NLA_HDRLEN, 20);
	EXPECT_EQ(memcmp(nl_data(key), key20, 20), 0);
}

TEST_F(sad, unprivileged_is_refused_and_nothing_changes)
{
	struct nlreq r;
	int err;

	sa_good(&r, self->family, SPI);
	ASSERT_EQ(request(self->fd, &r, self->buf, self->msg), 0);
	policy_good(&r, self->family);
	ASSERT_EQ(request(self->fd, &r, self->buf, self->msg), 0);

	ASSERT_EQ(setgid(65534), 0);
	ASSERT_EQ(setuid(65534), 0);
	close(self->fd);
	self->fd = nl_open();
	ASSERT_GE(self->fd, 0);

	sa_good(&r, self->family, SPI + 1);
	err = request(self->fd, &r, self->buf, self->msg);
	EXPECT_EQ(err, -EPERM);
	EXPECT_STREQ(self->msg,
		     "this changes veil's state and needs CAP_NET_ADMIN in the namespace's user namespace");

	nl_init(&r, self->family, VEIL_CMD_SA_DEL);
	sa_id(&r, SPI);
	EXPECT_EQ(request(self->fd, &r, self->buf, self->msg), -EPERM);
	nl_init(&r, self->family, VEIL_CMD_SA_FLUSH);
	EXPECT_EQ(request(self->fd, &r, self->buf, self->msg), -EPERM);
	policy_good(&r, self->family);
	EXPECT_EQ(request(self->fd, &r, self->buf, self->msg), -EPERM);
	nl_init(&r, self->family, VEIL_CMD_POLICY_FLUSH);
	EXPECT_EQ(request(self->fd, &r, self->buf, self->msg), -EPERM);

	nl_init(&r, self->family, VEIL_CMD_SA_GET);
	sa_id(&r, SPI);
	nl_put(&r, VEIL_A_SA_KEYS, NULL, 0);
	EXPECT_EQ(request(self->fd, &r, self->buf, self->msg), -EPERM);
	EXPECT_STREQ(self->msg, "showing keys needs CAP_NET_ADMIN");

	/* Reading without keys is allowed, and shows nothing changed. */
	EXPECT_EQ(count(self->fd, self->family, VEIL_A_COUNTS_SA_COUNT), 1);
	EXPECT_EQ(count(self->fd, self->family, VEIL_A_COUNTS_POLICY_OUT), 1);
}

TEST_F(sad, namespaces_are_isolated)
{
	struct nlreq r;
	int fd_b;

	sa_good(&r, self->family, SPI);
	ASSERT_EQ(request(self->fd, &r, self->buf, self->msg), 0);

	ASSERT_EQ(unshare(CLONE_NEWNET), 0);
	fd_b = nl_open();
	ASSERT_GE(fd_b, 0);
	EXPECT_EQ(count(fd_b, self->family, VEIL_A_COUNTS_SA_COUNT), 0);
	/* The same (dst, SPI, proto) is free in the other namespace. */
	sa_good(&r, self->family, SPI);
	EXPECT_EQ(request(fd_b, &r, self->buf, self->msg), 0) TH_LOG("%s", self->msg);
	nl_init(&r, self->family, VEIL_CMD_SA_FLUSH);
	EXPECT_EQ(request(fd_b, &r, self->buf, self->msg), 0);
	EXPECT_EQ(count(fd_b, self->family, VEIL_A_COUNTS_SA_COUNT), 0);
	EXPECT_EQ(count(self->fd, self->family, VEIL_A_COUNTS_SA_COUNT), 1);
	close(fd_b);
}

TEST_F(sad, flush_by_protocol_and_dump_all)
{
	struct nlreq r;
	int i, seen = 0, done = 0;

	for (i = 0; i < 3000; i++) {
		sa_good(&r, self->family, 0x10000 + i);
		ASSERT_EQ(request(self->fd, &r, self->buf, self->msg), 0) TH_LOG("%s", self->msg);
	}
	EXPECT_EQ(count(self->fd, self->family, VEIL_A_COUNTS_SA_COUNT), 3000);

	/* A multipart dump returns every SA exactly once. */
	nl_init(&r, self->family, VEIL_CMD_SA_GET);
	r.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	ASSERT_GT(nl_send(self->fd, &r), 0);
	while (!done) {
		int len = recv(self->fd, self->buf, NL_BUFSZ, 0);
		struct nlmsghdr *nlh;

		ASSERT_GT(len, 0);
		for (nlh = (struct nlmsghdr *)self->buf; NLMSG_OK(nlh, len);
		     nlh = NLMSG_NEXT(nlh, len)) {
			if (nlh->nlmsg_type == NLMSG_DONE) {
				done = 1;
				break;
			}
			ASSERT_EQ(nlh->nlmsg_type, self->family);
			seen++;
		}
	}
	EXPECT_EQ(seen, 3000);

	nl_init(&r, self->family, VEIL_CMD_SA_FLUSH);
	nl_put_u8(&r, VEIL_A_SA_PROTO, IPPROTO_AH);
	EXPECT_EQ(request(self->fd, &r, self->buf, self->msg), 0);
	EXPECT_EQ(count(self->fd, self->family, VEIL_A_COUNTS_SA_COUNT), 3000);
	nl_init(&r, self->family, VEIL_CMD_SA_FLUSH);
	nl_put_u8(&r, VEIL_A_SA_PROTO, IPPROTO_ESP);
	EXPECT_EQ(request(self->fd, &r, self->buf, self->msg), 0);
	EXPECT_EQ(count(self->fd, self->family, VEIL_A_COUNTS_SA_COUNT), 0);
}

/*
 * SA i of the flush test: reqids 1 to 3, so template groups hold many SAs,
 * and every tenth with a time limit, so its lifetime work is queued.
 */
static void sa_nth(struct nlreq *r, int family, int i)
{
	struct nlattr *n;

	nl_init(r, family, VEIL_CMD_SA_NEW);
	sa_id(r, 0x10000 + i);
	sa_src(r);
	nl_put_u8(r, VEIL_A_SA_MODE, VEIL_MODE_TUNNEL);
	nl_put_u32(r, VEIL_A_SA_REQID, 1 + i % 3);
	sa_aead(r, "rfc4106(gcm(aes))", 20, 128);
	if (!(i % 10)) {
		n = nl_nest(r, VEIL_A_SA_LIFETIME);
		nl_put_u64(r, VEIL_A_LIFETIME_HARD_ADD_SECONDS, 600);
		nl_nest_end(r, n);
	}
}

/*
 * A flush of every SA swaps in new tables: a dump that was under way ends
 * cleanly, the old SAs are gone from every index, and the same SAs can be
 * added again at once.
 */
TEST_F(sad, flush_all_mid_dump_then_add_again)
{
	int i, round, len, done, fd2;
	struct nlmsghdr *nlh;
	struct nlreq r;

	for (round = 0; round < 2; round++) {
		for (i = 0; i < 2000; i++) {
			sa_nth(&r, self->family, i);
			ASSERT_EQ(request(self->fd, &r, self->buf, self->msg), 0)
				TH_LOG("round %d, SA %d: %s", round, i, self->msg);
		}
		EXPECT_EQ(count(self->fd, self->family, VEIL_A_COUNTS_SA_COUNT), 2000);

		/* The first part of a dump on a second socket... */
		fd2 = nl_open();
		ASSERT_GE(fd2, 0);
		nl_init(&r, self->family, VEIL_CMD_SA_GET);
		r.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
		ASSERT_GT(nl_send(fd2, &r), 0);
		len = recv(fd2, self->buf, NL_BUFSZ, 0);
		ASSERT_GT(len, 0);
		nlh = (struct nlmsghdr *)self->buf;
		ASSERT_EQ(nlh->nlmsg_type, self->family);

		/* ...then everything goes... */
		nl_init(&r, self->family, VEIL_CMD_SA_FLUSH);
		EXPECT_EQ(request(self->fd, &r, self->buf, self->msg), 0) TH_LOG("%s", self->msg);
		EXPECT_EQ(count(self->fd, self->family, VEIL_A_COUNTS_SA_COUNT), 0);

		/* ...and the rest of the dump ends without error. */
		for (done = 0; !done;) {
			len = recv(fd2, self->buf, NL_BUFSZ, 0);
			ASSERT_GT(len, 0);
			for (nlh = (struct nlmsghdr *)self->buf; NLMSG_OK(nlh, len);
			     nlh = NLMSG_NEXT(nlh, len)) {
				ASSERT_NE(nlh->nlmsg_type, NLMSG_ERROR);
				if (nlh->nlmsg_type == NLMSG_DONE)
					done = 1;
			}
		}
		close(fd2);

		for (i = 0; i < 2000; i += 499) {
			nl_init(&r, self->family, VEIL_CMD_SA_GET);
			r.nlh.nlmsg_flags = NLM_F_REQUEST;
			sa_id(&r, 0x10000 + i);
			EXPECT_EQ(request(self->fd, &r, self->buf, self->msg), -ENOENT)
				TH_LOG("SA %d still found after the flush", i);
		}
	}
}

/*
 * Sum of the refcnt lines of every /proc/crypto entry called @name: each
 * transform allocated from an algorithm holds one reference to it.
 * Return: the sum, or -1 when no entry has that name.
 */
static long crypto_refcnt(const char *name)
{
	char line[256], cur[128] = "";
	long sum = -1, n;
	FILE *f = fopen("/proc/crypto", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "name : %127s", cur) == 1)
			continue;
		if (sscanf(line, "refcnt : %ld", &n) == 1 && !strcmp(cur, name))
			sum = (sum < 0 ? 0 : sum) + n;
	}
	fclose(f);
	return sum;
}

/* Wait up to 5 s for @name's refcnt to come down to @want. */
static long crypto_refcnt_settles(const char *name, long want)
{
	long got = crypto_refcnt(name);
	int i;

	for (i = 0; i < 50 && got != want; i++) {
		usleep(100000);
		got = crypto_refcnt(name);
	}
	return got;
}

/*
 * @name's refcnt once it stops moving: SAs deleted by earlier tests may
 * still be waiting for the reaper.
 */
static long crypto_refcnt_stable(const char *name)
{
	long a = crypto_refcnt(name), b;
	int i;

	for (i = 0; i < 90; i++) {
		usleep(100000);
		b = crypto_refcnt(name);
		if (a == b)
			break;
		a = b;
	}
	return a;
}

/* ESP SA @spi with one of three algorithm setups, by @kind. */
static void sa_kind(struct nlreq *r, int family, int kind, __u32 spi)
{
	struct nlattr *n;

	nl_init(r, family, VEIL_CMD_SA_NEW);
	sa_id(r, spi);
	sa_src(r);
	switch (kind) {
	case 0:
		sa_aead(r, "rfc4106(gcm(aes))", 20, 128);
		break;
	case 1:
		enc_auth(r, 32, 128);
		nl_put_u32(r, VEIL_A_SA_FLAGS, VEIL_SA_FLAGS_ESN);
		break;
	default:
		n = nl_nest(r, VEIL_A_SA_ENC);
		nl_put_str(r, VEIL_A_KEY_ALG_NAME, "ecb(cipher_null)");
		nl_put(r, VEIL_A_KEY_ALG_KEY, key32, 0);
		nl_nest_end(r, n);
		n = nl_nest(r, VEIL_A_SA_AUTH);
		nl_put_str(r, VEIL_A_KEY_ALG_NAME, "hmac(sha256)");
		nl_put(r, VEIL_A_KEY_ALG_KEY, key32, 32);
		nl_nest_end(r, n);
		break;
	}
}

/*
 * Every ESP SA runs on a transform of its own, allocated when it is added
 * (with XFRM's IV generator, and authencesn with ESN) and freed, keys and
 * all, when it goes: the crypto API's reference counts say so.
 */
TEST_F(sad, each_esp_sa_has_its_own_transform)
{
	static const char *const names[] = {
		"seqiv(rfc4106(gcm(aes)))",
		"echainiv(authencesn(hmac(sha256),cbc(aes)))",
		"authenc(hmac(sha256),ecb(cipher_null))",
	};
	struct nlreq r;
	long one, eight;
	int kind, i;

	for (kind = 0; kind < 3; kind++) {
		__u32 spi = 0x20000 + 0x100 * kind;

		sa_kind(&r, self->family, kind, spi);
		ASSERT_EQ(request(self->fd, &r, self->buf, self->msg), 0)
			TH_LOG("%s: %s", names[kind], self->msg);
		one = crypto_refcnt_stable(names[kind]);
		ASSERT_GT(one, 0) TH_LOG("%s is not in /proc/crypto", names[kind]);
		for (i = 1; i < 8; i++) {
			sa_kind(&r, self->family, kind, spi + i);
			ASSERT_EQ(request(self->fd, &r, self->buf, self->msg), 0);
		}
		eight = crypto_refcnt(names[kind]);
		EXPECT_EQ(eight, one + 7) TH_LOG("%s", names[kind]);

		/* sa-update gives the new SA its own, and frees the old one's. */
		sa_kind(&r, self->family, kind, spi);
		r.genl.cmd = VEIL_CMD_SA_UPDATE;
		ASSERT_EQ(request(self->fd, &r, self->buf, self->msg), 0) TH_LOG("%s", self->msg);
		EXPECT_EQ(crypto_refcnt_settles(names[kind], eight), eight);

		nl_init(&r, self->family, VEIL_CMD_SA_FLUSH);
		ASSERT_EQ(request(self->fd, &r, self->buf, self->msg), 0);
		EXPECT_EQ(crypto_refcnt_settles(names[kind], one - 1), one - 1)
			TH_LOG("%s: the flushed SAs' transforms were not freed", names[kind]);
	}
}

static int write_param(const char *val)
{
	int fd = open("/sys/module/veil/parameters/sa_limit", O_WRONLY);
	int ret;

	if (fd < 0)
		return -1;
	ret = write(fd, val, strlen(val)) == (ssize_t)strlen(val) ? 0 : -1;
	close(fd);
	return ret;
}

TEST_F(sad, sa_limit_gives_enospc)
{
	struct nlreq r;
	int i, err;

	ASSERT_EQ(write_param("3"), 0);
	for (i = 0; i < 3; i++) {
		sa_good(&r, self->family, SPI + i);
		EXPECT_EQ(request(self->fd, &r, self->buf, self->msg), 0);
	}
	sa_good(&r, self->family, SPI + 3);
	err = request(self->fd, &r, self->buf, self->msg);
	ASSERT_EQ(write_param("1000000"), 0);
	EXPECT_EQ(err, -ENOSPC);
	EXPECT_STREQ(self->msg,
		     "this namespace holds sa_limit SAs already (see the veil module parameter sa_limit)");
	EXPECT_EQ(count(self->fd, self->family, VEIL_A_COUNTS_SA_LIMIT), 1000000);
}

/* Waits up to @ms for one event on @fd; returns its command or -1. */
static int next_event(int fd, char *buf, int ms, struct nlmsghdr **out)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int len;

	if (poll(&p, 1, ms) != 1)
		return -1;
	len = recv(fd, buf, NL_BUFSZ, 0);
	if (len < (int)NLMSG_LENGTH(GENL_HDRLEN))
		return -1;
	*out = (struct nlmsghdr *)buf;
	return ((struct genlmsghdr *)NLMSG_DATA(*out))->cmd;
}

TEST_F(sad, events_and_lifetimes)
{
	struct nlmsghdr *ev;
	struct timespec t0, t1;
	struct nlattr *n;
	struct nlreq r;
	int mon;
	double soft_at, hard_at;

	mon = nl_open();
	ASSERT_GE(mon, 0);
	ASSERT_EQ(setsockopt(mon, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &self->grp,
			     sizeof(self->grp)), 0);

	policy_good(&r, self->family);
	ASSERT_EQ(request(self->fd, &r, self->buf, self->msg), 0);
	ASSERT_EQ(next_event(mon, self->buf, 2000, &ev), VEIL_CMD_POLICY_NEW_NTF);
	nl_init(&r, self->family, VEIL_CMD_POLICY_FLUSH);
	ASSERT_EQ(request(self->fd, &r, self->buf, self->msg), 0);
	ASSERT_EQ(next_event(mon, self->buf, 2000, &ev), VEIL_CMD_POLICY_DEL_NTF);

	/* Soft after 2 s, hard after 4 s. */
	sa_good(&r, self->family, SPI);
	n = nl_nest(&r, VEIL_A_SA_LIFETIME);
	nl_put_u64(&r, VEIL_A_LIFETIME_SOFT_ADD_SECONDS, 2);
	nl_put_u64(&r, VEIL_A_LIFETIME_HARD_ADD_SECONDS, 4);
	nl_nest_end(&r, n);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ASSERT_EQ(request(self->fd, &r, self->buf, self->msg), 0) TH_LOG("%s", self->msg);
	ASSERT_EQ(next_event(mon, self->buf, 2000, &ev), VEIL_CMD_SA_NEW_NTF);
	EXPECT_EQ(nl_u32(nl_attr(ev, VEIL_A_SA_SPI)), SPI);

	ASSERT_EQ(next_event(mon, self->buf, 5000, &ev), VEIL_CMD_SA_EXPIRE_NTF);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	soft_at = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	EXPECT_EQ(nl_attr(ev, VEIL_A_SA_HARD), NULL);
	EXPECT_EQ(nl_u32(nl_attr(ev, VEIL_A_SA_SPI)), SPI);
	EXPECT_EQ(nl_u32(nl_attr(ev, VEIL_A_SA_REQID)), 1);
	EXPECT_EQ(count(self->fd, self->family, VEIL_A_COUNTS_SA_COUNT), 1);

	ASSERT_EQ(next_event(mon, self->buf, 5000, &ev), VEIL_CMD_SA_EXPIRE_NTF);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	hard_at = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	EXPECT_NE(nl_attr(ev, VEIL_A_SA_HARD), NULL);
	ASSERT_EQ(next_event(mon, self->buf, 2000, &ev), VEIL_CMD_SA_DEL_NTF);
	EXPECT_EQ(count(self->fd, self->family, VEIL_A_COUNTS_SA_COUNT), 0);

	TH_LOG("soft expiry after %.2f s, hard after %.2f s", soft_at, hard_at);
	/*
	 * Never early: t0 is taken before the request, and the module's
	 * clock may lag by one tick (coarse time, HZ >= 100). Late only by
	 * scheduling, which a slow emulated host stretches.
	 */
	EXPECT_GE(soft_at, 1.99);
	EXPECT_LE(soft_at, 3.5);
	EXPECT_GE(hard_at, 3.99);
	EXPECT_LE(hard_at, 5.5);
	close(mon);
}

VEIL_HARNESS_MAIN

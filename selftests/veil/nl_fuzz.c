// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The veil authors. All Rights Reserved.
 *
 * A fuzzer for the veil generic-netlink family, as root and as nobody.
 *
 * It sends random messages built from the uapi's attribute sets (right and
 * wrong types and lengths, truncated and overlong values, duplicates,
 * random nesting, NLA_F_NESTED on and off, random bytes) and valid
 * messages mutated (bits flipped, cut, extended, attribute types swapped),
 * for every command number from 0 to VEIL_CMD_MAX + 3 with and without
 * NLM_F_DUMP, NLM_F_ACK and other flags. Before that it fills the
 * databases with thousands of SAs and policies and interrupts their dumps
 * midway: by closing the socket, by another request, by deleting entries.
 *
 * Then it packs such messages several to a datagram, with valid changes
 * of keys of its own among them, header lengths that lie (over the rest
 * of the datagram, under a header, short of the padding), a last message
 * cut short, zero bytes at the end and sequence numbers repeated
 * (batch_run()). And it fuzzes with acquires pending: out policies whose
 * templates have no SA, UDP packets to new addresses on lo between the
 * messages, the policies updated, deleted and flushed and SAs that
 * answer the acquires added and removed meanwhile (acquire_test()).
 *
 * What it checks:
 *  - every error that veil's policies or handlers return carries an
 *    extack message (NLMSGERR_ATTR_MSG); the few rejections the netlink
 *    and generic-netlink cores make before veil sees the message are
 *    listed in core_rejection() and counted apart;
 *  - a rejected message changes nothing: counts after each one, whole
 *    dumps every CHECK_EVERY messages and at the end;
 *  - nobody may read (no keys) but every change is refused with EPERM;
 *  - dumps cut short leave the family usable and later dumps whole;
 *  - in a datagram, each message the netlink core takes gets its own
 *    answer, in order, the ack or error echoing its header; the core
 *    stops at the first malformed header, and nothing after it is
 *    answered or takes effect; the valid changes do what a model of the
 *    batch's keys says, as the dumps show after each datagram;
 *  - each packet under a policy without its SA raises exactly one
 *    acquire-ntf, well-formed to the spec's policy attribute set, with
 *    the packet's flow and the policy's selector and template; none while
 *    one is pending or an SA answers it, a new one once that SA is
 *    deleted or the SAs flushed, none after the flush of the namespace.
 *
 * It runs in a network namespace of its own, so the rest of the system's
 * SAs and policies are neither seen nor touched, and flushes what it made.
 * Every run prints its seed; --seed S replays it, and --replay I prints
 * and sends message I of the root run alone.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/veil.h>

#include "nl_util.h"

#define MSG_MAX		16384
#define RBUF_SZ		(256 * 1024)
#define CHECK_EVERY	500
#define MAX_REPORTS	8
#define NOBODY		65534
#define FUZZ_SPI	0x77000000u
#define DUMP_SPI	0x10000u

/* ---------------------------------------------------------------- rng */

static uint64_t rng;

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t rnd(void)
{
	return splitmix(&rng);
}

static unsigned int rn(unsigned int n)
{
	return n ? (unsigned int)(rnd() % n) : 0;
}

static bool pct(unsigned int p)
{
	return rn(100) < p;
}

/* Each message has its own stream, so that one can be replayed alone. */
static void rng_for(uint64_t seed, unsigned int phase, uint64_t idx)
{
	uint64_t s = seed ^ ((uint64_t)phase << 56) ^ (idx * 0x2545f4914f6cdd1dull);

	rng = splitmix(&s);
}

/* ------------------------------------------------- the uapi's attribute sets */

enum kind { K_NONE, K_U8, K_U16, K_U32, K_U64, K_FLAG, K_BIN, K_STR, K_NEST };

struct aset;

struct aspec {
	enum kind kind;
	unsigned int len;	/* K_BIN, K_STR: the longest right value */
	const struct aset *nest;
};

struct aset {
	const char *name;
	int max;
	const struct aspec *a;
};

#define ASET(n, arr) { n, (int)(sizeof(arr) / sizeof(arr[0])) - 1, arr }

static const struct aspec alg_a[VEIL_A_ALG_MAX + 1] = {
	[VEIL_A_ALG_NAME] = { K_STR, 127 },
	[VEIL_A_ALG_TYPE] = { K_U32 },
	[VEIL_A_ALG_USES] = { K_U32 },
	[VEIL_A_ALG_AVAILABLE] = { K_FLAG },
};
static const struct aset alg_set = ASET("alg", alg_a);

static const struct aspec info_a[VEIL_A_INFO_MAX + 1] = {
	[VEIL_A_INFO_VERSION] = { K_STR, 31 },
	[VEIL_A_INFO_ALG] = { K_NEST, 0, &alg_set },
};
static const struct aset info_set = ASET("info", info_a);

static const struct aspec key_alg_a[VEIL_A_KEY_ALG_MAX + 1] = {
	[VEIL_A_KEY_ALG_NAME] = { K_STR, 127 },
	[VEIL_A_KEY_ALG_KEY] = { K_BIN, VEIL_KEY_MAX_LEN },
	[VEIL_A_KEY_ALG_ICV_LEN] = { K_U32 },
	[VEIL_A_KEY_ALG_TRUNC_LEN] = { K_U32 },
};
static const struct aset key_alg_set = ASET("key-alg", key_alg_a);

static const struct aspec selector_a[VEIL_A_SELECTOR_MAX + 1] = {
	[VEIL_A_SELECTOR_FAMILY] = { K_U16 },
	[VEIL_A_SELECTOR_SRC] = { K_BIN, 16 },
	[VEIL_A_SELECTOR_DST] = { K_BIN, 16 },
	[VEIL_A_SELECTOR_SRC_PREFIX_LEN] = { K_U8 },
	[VEIL_A_SELECTOR_DST_PREFIX_LEN] = { K_U8 },
	[VEIL_A_SELECTOR_PROTO] = { K_U8 },
	[VEIL_A_SELECTOR_SPORT] = { K_U16 },
	[VEIL_A_SELECTOR_DPORT] = { K_U16 },
};
static const struct aset selector_set = ASET("selector", selector_a);

static const struct aspec lifetime_a[VEIL_A_LIFETIME_MAX + 1] = {
	[1 ... VEIL_A_LIFETIME_MAX] = { K_U64 },
};
static const struct aset lifetime_set = ASET("lifetime", lifetime_a);

static const struct aspec stats_a[VEIL_A_STATS_MAX + 1] = {
	[1 ... VEIL_A_STATS_MAX] = { K_U64 },
};
static const struct aset stats_set = ASET("stats", stats_a);

static const struct aspec encap_a[VEIL_A_ENCAP_MAX + 1] = {
	[VEIL_A_ENCAP_TYPE] = { K_U16 },
	[VEIL_A_ENCAP_SPORT] = { K_U16 },
	[VEIL_A_ENCAP_DPORT] = { K_U16 },
	[VEIL_A_ENCAP_OADDR] = { K_BIN, 16 },
};
static const struct aset encap_set = ASET("encap", encap_a);

static const struct aspec sa_a[VEIL_A_SA_MAX + 1] = {
	[VEIL_A_SA_FAMILY] = { K_U16 },
	[VEIL_A_SA_SRC] = { K_BIN, 16 },
	[VEIL_A_SA_DST] = { K_BIN, 16 },
	[VEIL_A_SA_PROTO] = { K_U8 },
	[VEIL_A_SA_SPI] = { K_U32 },
	[VEIL_A_SA_MODE] = { K_U8 },
	[VEIL_A_SA_REQID] = { K_U32 },
	[VEIL_A_SA_IF_ID] = { K_U32 },
	[VEIL_A_SA_AEAD] = { K_NEST, 0, &key_alg_set },
	[VEIL_A_SA_ENC] = { K_NEST, 0, &key_alg_set },
	[VEIL_A_SA_AUTH] = { K_NEST, 0, &key_alg_set },
	[VEIL_A_SA_REPLAY_WINDOW] = { K_U32 },
	[VEIL_A_SA_FLAGS] = { K_U32 },
	[VEIL_A_SA_REPLAY_SEQ] = { K_U32 },
	[VEIL_A_SA_REPLAY_OSEQ] = { K_U32 },
	[VEIL_A_SA_REPLAY_SEQ_HI] = { K_U32 },
	[VEIL_A_SA_REPLAY_OSEQ_HI] = { K_U32 },
	[VEIL_A_SA_LIFETIME] = { K_NEST, 0, &lifetime_set },
	[VEIL_A_SA_ENCAP] = { K_NEST, 0, &encap_set },
	[VEIL_A_SA_SELECTOR] = { K_NEST, 0, &selector_set },
	[VEIL_A_SA_STATS] = { K_NEST, 0, &stats_set },
	[VEIL_A_SA_KEYS] = { K_FLAG },
	[VEIL_A_SA_HARD] = { K_FLAG },
};
static const struct aset sa_set = ASET("sa", sa_a);

static const struct aspec tmpl_a[VEIL_A_TMPL_MAX + 1] = {
	[VEIL_A_TMPL_FAMILY] = { K_U16 },
	[VEIL_A_TMPL_SRC] = { K_BIN, 16 },
	[VEIL_A_TMPL_DST] = { K_BIN, 16 },
	[VEIL_A_TMPL_PROTO] = { K_U8 },
	[VEIL_A_TMPL_SPI] = { K_U32 },
	[VEIL_A_TMPL_MODE] = { K_U8 },
	[VEIL_A_TMPL_REQID] = { K_U32 },
	[VEIL_A_TMPL_LEVEL] = { K_U8 },
};
static const struct aset tmpl_set = ASET("tmpl", tmpl_a);

static const struct aspec policy_a[VEIL_A_POLICY_MAX + 1] = {
	[VEIL_A_POLICY_SELECTOR] = { K_NEST, 0, &selector_set },
	[VEIL_A_POLICY_DIR] = { K_U8 },
	[VEIL_A_POLICY_ACTION] = { K_U8 },
	[VEIL_A_POLICY_PRIORITY] = { K_U32 },
	[VEIL_A_POLICY_IF_ID] = { K_U32 },
	[VEIL_A_POLICY_INDEX] = { K_U32 },
	[VEIL_A_POLICY_TMPL] = { K_NEST, 0, &tmpl_set },
	[VEIL_A_POLICY_FLOW] = { K_NEST, 0, &selector_set },
	[VEIL_A_POLICY_TMPL_INDEX] = { K_U32 },
};
static const struct aset policy_set = ASET("policy", policy_a);

static const struct aspec counts_a[VEIL_A_COUNTS_MAX + 1] = {
	[1 ... VEIL_A_COUNTS_MAX] = { K_U32 },
};
static const struct aset counts_set = ASET("counts", counts_a);

static const struct aspec encap_sock_a[VEIL_A_ENCAP_SOCK_MAX + 1] = {
	[VEIL_A_ENCAP_SOCK_FD] = { K_U32 },
	[VEIL_A_ENCAP_SOCK_FAMILY] = { K_U16 },
	[VEIL_A_ENCAP_SOCK_PORT] = { K_U16 },
	[VEIL_A_ENCAP_SOCK_LOCAL] = { K_BIN, 16 },
	[VEIL_A_ENCAP_SOCK_KERNEL] = { K_FLAG },
	[VEIL_A_ENCAP_SOCK_PAD] = { K_BIN, 8 },
	[VEIL_A_ENCAP_SOCK_ESP_PACKETS] = { K_U64 },
	[VEIL_A_ENCAP_SOCK_OTHER_PACKETS] = { K_U64 },
};
static const struct aset encap_sock_set = ASET("encap-sock", encap_sock_a);

static const struct aspec net_stats_a[VEIL_A_NET_STATS_MAX + 1] = {
	[1 ... VEIL_A_NET_STATS_MAX] = { K_U64 },
};
static const struct aset net_stats_set = ASET("net-stats", net_stats_a);

static const struct aspec tls_key_a[VEIL_A_TLS_KEY_MAX + 1] = {
	[VEIL_A_TLS_KEY_SOCK_FD] = { K_U32 },
	[VEIL_A_TLS_KEY_DIR] = { K_U32 },
	[VEIL_A_TLS_KEY_VERSION] = { K_U16 },
	[VEIL_A_TLS_KEY_CIPHER] = { K_U16 },
	[VEIL_A_TLS_KEY_KEY] = { K_BIN, 32 },
	[VEIL_A_TLS_KEY_IV] = { K_BIN, 12 },
	[VEIL_A_TLS_KEY_SALT] = { K_BIN, 4 },
	[VEIL_A_TLS_KEY_REC_SEQ] = { K_U64 },
	[VEIL_A_TLS_KEY_PAD] = { K_BIN, 8 },
};
static const struct aset tls_key_set = ASET("tls-key", tls_key_a);

static const struct aset *const all_sets[] = {
	&info_set, &sa_set, &policy_set, &counts_set, &encap_sock_set,
	&net_stats_set, &tls_key_set, &selector_set, &key_alg_set, &tmpl_set,
};

/* The attribute set each command's requests (or notifications) use. */
static const struct aset *cmd_set(unsigned int cmd)
{
	switch (cmd) {
	case VEIL_CMD_INFO:
		return &info_set;
	case VEIL_CMD_SA_NEW ... VEIL_CMD_SA_FLUSH:
	case VEIL_CMD_SA_NEW_NTF ... VEIL_CMD_SA_EXPIRE_NTF:
		return &sa_set;
	case VEIL_CMD_POLICY_NEW ... VEIL_CMD_POLICY_FLUSH:
	case VEIL_CMD_POLICY_NEW_NTF ... VEIL_CMD_ACQUIRE_NTF:
		return &policy_set;
	case VEIL_CMD_COUNTS:
		return &counts_set;
	case VEIL_CMD_STATS_GET:
		return &net_stats_set;
	case VEIL_CMD_ENCAP_NEW ... VEIL_CMD_ENCAP_GET:
		return &encap_sock_set;
	case VEIL_CMD_TLS_KEY_NEW:
		return &tls_key_set;
	}
	return all_sets[rn(sizeof(all_sets) / sizeof(all_sets[0]))];
}

/* What kmod/netlink.c registers: a do handler, a dump handler. */
static bool cmd_has_do(unsigned int cmd)
{
	return (cmd >= VEIL_CMD_INFO && cmd <= VEIL_CMD_COUNTS) ||
	       cmd == VEIL_CMD_POLICY_LOOKUP || cmd == VEIL_CMD_STATS_GET ||
	       cmd == VEIL_CMD_ENCAP_NEW || cmd == VEIL_CMD_ENCAP_DEL ||
	       cmd == VEIL_CMD_TLS_KEY_NEW;
}

static bool cmd_has_dump(unsigned int cmd)
{
	return cmd == VEIL_CMD_SA_GET || cmd == VEIL_CMD_POLICY_GET ||
	       cmd == VEIL_CMD_ENCAP_GET;
}

/* Commands that change veil's state: admin only. */
static bool cmd_mutates(unsigned int cmd)
{
	switch (cmd) {
	case VEIL_CMD_SA_NEW: case VEIL_CMD_SA_UPDATE: case VEIL_CMD_SA_DEL:
	case VEIL_CMD_SA_FLUSH: case VEIL_CMD_POLICY_NEW: case VEIL_CMD_POLICY_UPDATE:
	case VEIL_CMD_POLICY_DEL: case VEIL_CMD_POLICY_FLUSH: case VEIL_CMD_ENCAP_NEW:
	case VEIL_CMD_ENCAP_DEL:
		return true;
	}
	return false;
}

/* ---------------------------------------------------------- messages */

struct msg {
	size_t len;
	unsigned char b[MSG_MAX];
};

static int family_id;
static uint32_t seq_no = 1000;

static struct nlmsghdr *msg_nlh(struct msg *m)
{
	return (struct nlmsghdr *)m->b;
}

static struct genlmsghdr *msg_genl(struct msg *m)
{
	return (struct genlmsghdr *)(m->b + NLMSG_HDRLEN);
}

static void msg_init(struct msg *m, unsigned int cmd, uint16_t flags)
{
	memset(m->b, 0, NLMSG_HDRLEN + GENL_HDRLEN);
	m->len = NLMSG_HDRLEN + GENL_HDRLEN;
	msg_nlh(m)->nlmsg_type = family_id;
	msg_nlh(m)->nlmsg_flags = flags;
	msg_genl(m)->cmd = cmd;
	msg_genl(m)->version = VEIL_FAMILY_VERSION;
}

static bool msg_room(const struct msg *m, size_t n)
{
	return m->len + NLA_HDRLEN + NLA_ALIGN(n) + 64 <= MSG_MAX;
}

/* Appends an attribute; returns its offset, or 0 when it does not fit. */
static size_t put(struct msg *m, uint16_t type, const void *data, size_t n)
{
	struct nlattr *a;
	size_t off = m->len;

	if (!msg_room(m, n) || n > 0xffff - NLA_HDRLEN)
		return 0;
	a = (struct nlattr *)(m->b + off);
	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + n;
	if (n)
		memcpy(m->b + off + NLA_HDRLEN, data, n);
	memset(m->b + off + NLA_HDRLEN + n, 0, NLA_ALIGN(n) - n);
	m->len = off + NLA_HDRLEN + NLA_ALIGN(n);
	return off;
}

static void put_u8(struct msg *m, uint16_t t, uint8_t v) { put(m, t, &v, 1); }
static void put_u16(struct msg *m, uint16_t t, uint16_t v) { put(m, t, &v, 2); }
static void put_u32(struct msg *m, uint16_t t, uint32_t v) { put(m, t, &v, 4); }
static void put_u64(struct msg *m, uint16_t t, uint64_t v) { put(m, t, &v, 8); }
static void put_str(struct msg *m, uint16_t t, const char *s) { put(m, t, s, strlen(s) + 1); }

static size_t nest(struct msg *m, uint16_t type)
{
	return put(m, type | NLA_F_NESTED, NULL, 0);
}

static void nest_end(struct msg *m, size_t off)
{
	if (off)
		((struct nlattr *)(m->b + off))->nla_len = m->len - off;
}

static void msg_finish(struct msg *m)
{
	msg_nlh(m)->nlmsg_len = m->len;
}

/* --------------------------------------------------------- generator */

static int fds[16];	/* sockets and files for the fd attributes */
static int nfds;

/*
 * Algorithm names: the templates' own (those sad.c uses too), TLS-only
 * ones ESP must refuse, and names veil does not know; then the rest of
 * veil's table. The first SA of an algorithm makes the crypto API
 * instantiate and self-test it, seconds under TCG, so those come only
 * with VEIL_DEBUG=1 (esp_algs.sh covers them in make check).
 */
static const char *const alg_names[] = {
	"rfc4106(gcm(aes))", "cbc(aes)", "hmac(sha256)", "ecb(cipher_null)",
	"gcm(aes)", "ccm(aes)", "rfc7539(chacha20,poly1305)",
	"", "aes", "gcm(aes", "digest_null", "xcbc(aes)",
#define N_ALG_COMMON 12
	"hmac(sha1)", "rfc4309(ccm(aes))", "rfc4543(gcm(aes))", "rfc7539esp(chacha20,poly1305)",
	"rfc3686(ctr(aes))", "cbc(des3_ede)", "hmac(sha384)", "hmac(sha512)",
	"hmac(md5)",
};
static bool all_algs;

static void rand_bytes(unsigned char *p, size_t n)
{
	while (n--)
		*p++ = rnd();
}

static uint32_t interesting_u32(void)
{
	static const uint32_t v[] = {
		0, 1, 2, 3, 10, 50, 51, 64, 96, 128, 160, 192, 255, 256, 257,
		512, 4096, 4097, 65535, 65536, 0x7fffffff, 0x80000000, 0xffffffff,
		FUZZ_SPI, FUZZ_SPI + 1, 771, 772, 51, 54,
	};

	if (pct(20))
		return rnd();
	if (pct(15) && nfds)
		return fds[rn(nfds)];
	return v[rn(sizeof(v) / sizeof(v[0]))];
}

static size_t wrong_len(size_t right)
{
	static const size_t v[] = { 0, 1, 2, 3, 4, 5, 7, 8, 9, 12, 15, 16, 17, 20,
				    31, 32, 33, 64, 128, 255, 256, 257, 1000 };
	size_t n;

	do
		n = pct(80) ? v[rn(sizeof(v) / sizeof(v[0]))] : rn(2048);
	while (n == right && n);
	return n;
}

static void gen_attrs(struct msg *m, const struct aset *set, int depth);

/* One attribute of @set, right or wrong. */
static void gen_attr(struct msg *m, const struct aset *set, int depth)
{
	unsigned char buf[2100];
	const struct aspec *sp;
	uint16_t type;
	size_t n = 0, off;
	uint64_t v;

	if (pct(88))
		type = 1 + rn(set->max);
	else if (pct(50))
		type = pct(30) ? 0 : set->max + 1 + rn(4);
	else
		type = rn(NLA_TYPE_MASK + 1);
	sp = type <= set->max ? &set->a[type] : NULL;
	if (pct(3))
		type |= NLA_F_NET_BYTEORDER;

	if (sp && sp->kind == K_NEST && depth < 8 && pct(85)) {
		off = put(m, type | (pct(92) ? NLA_F_NESTED : 0), NULL, 0);
		if (!off)
			return;
		gen_attrs(m, sp->nest, depth + 1);
		nest_end(m, off);
		return;
	}
	if (!sp || sp->kind == K_NONE || pct(15)) {
		/* Wrong in kind: random bytes, a nest, or a wrong length. */
		if (pct(20) && depth < 8) {
			off = put(m, type | NLA_F_NESTED, NULL, 0);
			if (!off)
				return;
			gen_attrs(m, all_sets[rn(sizeof(all_sets) / sizeof(all_sets[0]))], depth + 1);
			nest_end(m, off);
			return;
		}
		n = wrong_len(sp && sp->kind == K_U32 ? 4 : 0);
		rand_bytes(buf, n);
		if (pct(20))
			type |= NLA_F_NESTED;
		put(m, type, buf, n);
		return;
	}

	v = interesting_u32();
	switch (sp->kind) {
	case K_U8:
		n = 1;
		if (pct(40))
			v = (uint8_t[]){ 0, 1, 2, 6, 17, 32, 50, 51, 128, 255 }[rn(10)];
		break;
	case K_U16:
		n = 2;
		if (pct(50))
			v = (uint16_t[]){ 2, 10, 2, 10, 0, 1, 4500, 500, 0xffff,
					  771, 772, 51, 52, 53, 54, 55 }[rn(16)];
		break;
	case K_U32:
		n = 4;
		break;
	case K_U64:
		n = 8;
		v = pct(50) ? (uint64_t[]){ 0, 1, 2, 30, 3600, ~0ull }[rn(6)] : rnd();
		break;
	case K_FLAG:
		n = 0;
		break;
	case K_BIN:
		n = pct(40) ? 4 : pct(50) ? 16 : rn(sp->len + 1);
		if (sp->len > 16 && pct(50))
			n = (size_t[]){ 0, 12, 16, 19, 20, 24, 28, 32, 36, 48, 64 }[rn(11)];
		rand_bytes(buf, n);
		if (n == 4 && pct(50))
			memcpy(buf, (uint8_t[]){ 10, 77, 0, (uint8_t)rn(4) }, 4);
		break;
	case K_STR:
		if (pct(70)) {
			const char *s = alg_names[rn(all_algs ? sizeof(alg_names) / sizeof(alg_names[0]) :
						     N_ALG_COMMON)];

			n = strlen(s) + 1;
			memcpy(buf, s, n);
		} else {
			n = rn(sp->len + 3);
			rand_bytes(buf, n);
			if (n && pct(50))
				buf[n - 1] = 0;
		}
		break;
	default:
		break;
	}
	if (sp->kind <= K_U64)
		memcpy(buf, &v, n);
	/* Right kind, wrong size: truncated or overlong. */
	if (pct(10)) {
		size_t w = wrong_len(n);

		if (w > n)
			rand_bytes(buf + n, w - n);
		n = w;
	}
	if (pct(4))
		type |= NLA_F_NESTED;
	put(m, type, buf, n);
	if (pct(4))
		put(m, type, buf, n);	/* duplicated */
}

static void gen_attrs(struct msg *m, const struct aset *set, int depth)
{
	unsigned int i, n = rn(set->max + 3);

	if (depth > 2)
		n = rn(4);
	for (i = 0; i < n && msg_room(m, 300); i++)
		gen_attr(m, set, depth);
}

static uint16_t gen_flags(unsigned int cmd)
{
	uint16_t f = NLM_F_REQUEST;

	if (pct(60))
		f |= NLM_F_ACK;
	if (pct(cmd_has_dump(cmd) ? 40 : 8))
		f |= NLM_F_DUMP;
	if (pct(4))
		f |= NLM_F_ECHO;
	if (pct(4))
		f |= 1u << rn(16);
	if (pct(2))
		f &= ~NLM_F_REQUEST;
	return f;
}

/*
 * info asks the crypto API about every algorithm veil knows, which calls
 * request_module() for each one the kernel lacks, every time: tens of
 * milliseconds to seconds under TCG, where the other commands take well
 * under one. Its policy rejects every attribute, so only an info without
 * any reaches the handler: the sweep sends that, and random messages
 * give info a fiftieth of its share and at least one attribute.
 */
static unsigned int gen_cmd(void)
{
	unsigned int cmd;

	do
		cmd = pct(80) ? 1 + rn(VEIL_CMD_MAX) : rn(VEIL_CMD_MAX + 4);
	while (cmd == VEIL_CMD_INFO && pct(98));
	return cmd;
}

/* A deep chain of nests: for the recursion limits. */
static void gen_deep(struct msg *m)
{
	size_t offs[64];
	unsigned int i, d = 1 + rn(64);

	for (i = 0; i < d; i++) {
		offs[i] = put(m, (pct(70) ? VEIL_A_SA_SELECTOR : rn(30)) |
			      (pct(90) ? NLA_F_NESTED : 0), NULL, 0);
		if (!offs[i])
			break;
	}
	while (i--)
		nest_end(m, offs[i]);
}

static void gen_random(struct msg *m)
{
	unsigned int cmd = gen_cmd();

	msg_init(m, cmd, gen_flags(cmd));
	if (pct(3))
		msg_genl(m)->version = rn(256);
	if (pct(2))
		msg_genl(m)->reserved = rnd();
	if (pct(3))
		gen_deep(m);
	else
		gen_attrs(m, cmd_set(cmd), 0);
	if (cmd == VEIL_CMD_INFO && m->len == NLMSG_HDRLEN + GENL_HDRLEN)
		gen_attr(m, &info_set, 0);
	if (pct(2)) {
		size_t n = 1 + rn(40);

		if (msg_room(m, n)) {
			rand_bytes(m->b + m->len, n);
			m->len += n;
		}
	}
	msg_finish(m);
}

/* Valid messages, for mutation and for the nobody checks. */
enum tmpl {
	T_SA_AEAD, T_SA_CBC, T_SA_AH, T_SA_FULL, T_SA_UPDATE, T_SA_GET, T_SA_GET_KEYS,
	T_SA_DEL, T_SA_FLUSH, T_SA_DUMP, T_SA_DUMP_KEYS, T_POL_NEW, T_POL_BLOCK,
	T_POL_UPDATE, T_POL_GET_IDX, T_POL_GET_SEL, T_POL_DEL, T_POL_DEL_IDX,
	T_POL_DUMP, T_POL_LOOKUP, T_POL_FLUSH, T_ENCAP_PORT, T_ENCAP_FD, T_ENCAP_DEL,
	T_ENCAP_DUMP, T_TLS_KEY, T_INFO, T_COUNTS, T_STATS, T_MAX
};

static void addr_of(unsigned char *a, int fam, unsigned int net, unsigned int host)
{
	memset(a, 0, 16);
	if (fam == AF_INET) {
		a[0] = 10; a[1] = net; a[2] = host >> 8; a[3] = host;
	} else {
		a[0] = 0xfd; a[1] = net; a[14] = host >> 8; a[15] = host;
	}
}

static void put_addr(struct msg *m, uint16_t t, int fam, unsigned int net, unsigned int host)
{
	unsigned char a[16];

	addr_of(a, fam, net, host);
	put(m, t, a, fam == AF_INET ? 4 : 16);
}

static void put_key_alg(struct msg *m, uint16_t t, const char *name, size_t keylen,
			int icv, int trunc)
{
	unsigned char key[64];
	size_t n = nest(m, t);

	rand_bytes(key, sizeof(key));
	put_str(m, VEIL_A_KEY_ALG_NAME, name);
	put(m, VEIL_A_KEY_ALG_KEY, key, keylen);
	if (icv)
		put_u32(m, VEIL_A_KEY_ALG_ICV_LEN, icv);
	if (trunc)
		put_u32(m, VEIL_A_KEY_ALG_TRUNC_LEN, trunc);
	nest_end(m, n);
}

static void put_sa_id(struct msg *m, int fam, unsigned int host, int proto, uint32_t spi)
{
	put_u16(m, VEIL_A_SA_FAMILY, fam);
	put_addr(m, VEIL_A_SA_DST, fam, 77, host);
	put_u8(m, VEIL_A_SA_PROTO, proto);
	put_u32(m, VEIL_A_SA_SPI, spi);
}

static void put_selector(struct msg *m, uint16_t t, int fam, unsigned int host, int plen)
{
	size_t n = nest(m, t);

	put_u16(m, VEIL_A_SELECTOR_FAMILY, fam);
	put_addr(m, VEIL_A_SELECTOR_SRC, fam, 88, 1);
	put_addr(m, VEIL_A_SELECTOR_DST, fam, 88, host);
	if (plen >= 0) {
		put_u8(m, VEIL_A_SELECTOR_SRC_PREFIX_LEN, plen);
		put_u8(m, VEIL_A_SELECTOR_DST_PREFIX_LEN, plen);
	}
	if (pct(50)) {
		put_u8(m, VEIL_A_SELECTOR_PROTO, IPPROTO_UDP);
		put_u16(m, VEIL_A_SELECTOR_DPORT, 4500 + rn(4));
	}
	nest_end(m, n);
}

static void put_tmpl(struct msg *m, int fam, bool tunnel)
{
	size_t n = nest(m, VEIL_A_POLICY_TMPL);

	put_u8(m, VEIL_A_TMPL_PROTO, pct(70) ? IPPROTO_ESP : IPPROTO_AH);
	if (tunnel) {
		put_u16(m, VEIL_A_TMPL_FAMILY, fam);
		put_addr(m, VEIL_A_TMPL_SRC, fam, 77, 1);
		put_addr(m, VEIL_A_TMPL_DST, fam, 77, 2 + rn(8));
	}
	put_u8(m, VEIL_A_TMPL_MODE, tunnel);
	put_u32(m, VEIL_A_TMPL_REQID, rn(4));
	put_u8(m, VEIL_A_TMPL_LEVEL, rn(2));
	if (pct(30))
		put_u32(m, VEIL_A_TMPL_SPI, FUZZ_SPI + rn(16));
	nest_end(m, n);
}

static void gen_template(struct msg *m, enum tmpl t)
{
	int fam = pct(60) ? AF_INET : AF_INET6;
	unsigned int host = 1 + rn(16);
	uint32_t spi = FUZZ_SPI + rn(16);
	uint16_t ack = NLM_F_REQUEST | NLM_F_ACK;
	size_t n;
	int i;

	switch (t) {
	case T_SA_AEAD:
	case T_SA_CBC:
	case T_SA_AH:
	case T_SA_FULL:
	case T_SA_UPDATE:
		msg_init(m, t == T_SA_UPDATE ? VEIL_CMD_SA_UPDATE : VEIL_CMD_SA_NEW, ack);
		put_sa_id(m, fam, host, t == T_SA_AH ? IPPROTO_AH : IPPROTO_ESP, spi);
		put_addr(m, VEIL_A_SA_SRC, fam, 77, 200);
		if (t == T_SA_AEAD || t == T_SA_UPDATE || t == T_SA_FULL)
			put_key_alg(m, VEIL_A_SA_AEAD, "rfc4106(gcm(aes))", 20, 128, 0);
		if (t == T_SA_CBC) {
			put_key_alg(m, VEIL_A_SA_ENC, "cbc(aes)", 16, 0, 0);
			put_key_alg(m, VEIL_A_SA_AUTH, "hmac(sha256)", 32, 0, 128);
		}
		if (t == T_SA_AH)
			put_key_alg(m, VEIL_A_SA_AUTH, "hmac(sha256)", 32, 0, 0);
		put_u32(m, VEIL_A_SA_REQID, rn(4));
		put_u32(m, VEIL_A_SA_REPLAY_WINDOW, 32 * rn(4));
		if (t == T_SA_FULL) {
			put_u8(m, VEIL_A_SA_MODE, VEIL_MODE_TUNNEL);
			put_u32(m, VEIL_A_SA_FLAGS, VEIL_SA_FLAGS_ESN);
			put_u32(m, VEIL_A_SA_REPLAY_SEQ_HI, 1);
			put_u32(m, VEIL_A_SA_IF_ID, rn(3));
			n = nest(m, VEIL_A_SA_LIFETIME);
			put_u64(m, VEIL_A_LIFETIME_SOFT_BYTES, 1 << 20);
			put_u64(m, VEIL_A_LIFETIME_HARD_BYTES, 1 << 21);
			put_u64(m, VEIL_A_LIFETIME_SOFT_ADD_SECONDS, 3000);
			put_u64(m, VEIL_A_LIFETIME_HARD_ADD_SECONDS, 3600);
			nest_end(m, n);
			n = nest(m, VEIL_A_SA_ENCAP);
			put_u16(m, VEIL_A_ENCAP_TYPE, VEIL_ENCAP_TYPE_ESPINUDP);
			put_u16(m, VEIL_A_ENCAP_SPORT, 4500);
			put_u16(m, VEIL_A_ENCAP_DPORT, 4500);
			nest_end(m, n);
			put_selector(m, VEIL_A_SA_SELECTOR, fam, host, fam == AF_INET ? 24 : 64);
		}
		break;
	case T_SA_GET:
	case T_SA_GET_KEYS:
	case T_SA_DEL:
		msg_init(m, t == T_SA_DEL ? VEIL_CMD_SA_DEL : VEIL_CMD_SA_GET, ack);
		put_sa_id(m, fam, host, pct(70) ? IPPROTO_ESP : IPPROTO_AH, spi);
		if (t == T_SA_GET_KEYS)
			put(m, VEIL_A_SA_KEYS, NULL, 0);
		if (t == T_SA_DEL && pct(30))
			put_addr(m, VEIL_A_SA_SRC, fam, 77, 200);
		break;
	case T_SA_FLUSH:
		msg_init(m, VEIL_CMD_SA_FLUSH, ack);
		if (pct(50))
			put_u8(m, VEIL_A_SA_PROTO, pct(50) ? IPPROTO_ESP : IPPROTO_AH);
		break;
	case T_SA_DUMP:
	case T_SA_DUMP_KEYS:
		msg_init(m, VEIL_CMD_SA_GET, NLM_F_REQUEST | NLM_F_DUMP);
		if (t == T_SA_DUMP_KEYS)
			put(m, VEIL_A_SA_KEYS, NULL, 0);
		break;
	case T_POL_NEW:
	case T_POL_BLOCK:
	case T_POL_UPDATE:
		msg_init(m, t == T_POL_UPDATE ? VEIL_CMD_POLICY_UPDATE : VEIL_CMD_POLICY_NEW, ack);
		put_selector(m, VEIL_A_POLICY_SELECTOR, fam, host, pct(50) ? -1 : 24);
		put_u8(m, VEIL_A_POLICY_DIR, rn(3));
		put_u8(m, VEIL_A_POLICY_ACTION, t == T_POL_BLOCK);
		put_u32(m, VEIL_A_POLICY_PRIORITY, rn(1000));
		if (pct(30))
			put_u32(m, VEIL_A_POLICY_IF_ID, rn(3));
		if (t != T_POL_BLOCK)
			for (i = rn(4); i > 0; i--)
				put_tmpl(m, fam, pct(50));
		break;
	case T_POL_GET_IDX:
	case T_POL_DEL_IDX:
		msg_init(m, t == T_POL_DEL_IDX ? VEIL_CMD_POLICY_DEL : VEIL_CMD_POLICY_GET, ack);
		put_u32(m, VEIL_A_POLICY_INDEX, rn(64));
		break;
	case T_POL_GET_SEL:
	case T_POL_DEL:
		msg_init(m, t == T_POL_DEL ? VEIL_CMD_POLICY_DEL : VEIL_CMD_POLICY_GET, ack);
		put_selector(m, VEIL_A_POLICY_SELECTOR, fam, host, pct(50) ? -1 : 24);
		put_u8(m, VEIL_A_POLICY_DIR, rn(3));
		break;
	case T_POL_DUMP:
		msg_init(m, VEIL_CMD_POLICY_GET, NLM_F_REQUEST | NLM_F_DUMP);
		break;
	case T_POL_LOOKUP:
		msg_init(m, VEIL_CMD_POLICY_LOOKUP, ack);
		put_selector(m, VEIL_A_POLICY_SELECTOR, fam, host, -1);
		put_u8(m, VEIL_A_POLICY_DIR, rn(3));
		break;
	case T_POL_FLUSH:
		msg_init(m, VEIL_CMD_POLICY_FLUSH, ack);
		break;
	case T_ENCAP_PORT:
	case T_ENCAP_DEL:
		msg_init(m, t == T_ENCAP_DEL ? VEIL_CMD_ENCAP_DEL : VEIL_CMD_ENCAP_NEW, ack);
		put_u16(m, VEIL_A_ENCAP_SOCK_FAMILY, fam);
		put_u16(m, VEIL_A_ENCAP_SOCK_PORT, 14500 + rn(4));
		if (t == T_ENCAP_PORT && pct(30))
			put(m, VEIL_A_ENCAP_SOCK_LOCAL, fam == AF_INET ?
			    (uint8_t[16]){ 127, 0, 0, 1 } : (uint8_t[16]){ [15] = 1 },
			    fam == AF_INET ? 4 : 16);
		break;
	case T_ENCAP_FD:
		msg_init(m, VEIL_CMD_ENCAP_NEW, ack);
		put_u32(m, VEIL_A_ENCAP_SOCK_FD, nfds ? fds[rn(nfds)] : 0);
		break;
	case T_ENCAP_DUMP:
		msg_init(m, VEIL_CMD_ENCAP_GET, NLM_F_REQUEST | NLM_F_DUMP);
		break;
	case T_TLS_KEY: {
		unsigned char k[32];
		bool chacha = pct(25);

		rand_bytes(k, sizeof(k));
		msg_init(m, VEIL_CMD_TLS_KEY_NEW, ack);
		put_u32(m, VEIL_A_TLS_KEY_SOCK_FD, nfds ? fds[rn(nfds)] : 0);
		put_u32(m, VEIL_A_TLS_KEY_DIR, 1 + rn(2));
		put_u16(m, VEIL_A_TLS_KEY_VERSION, VEIL_TLS_VERSION_TLS12 + rn(2));
		put_u16(m, VEIL_A_TLS_KEY_CIPHER, chacha ? VEIL_TLS_CIPHER_CHACHA20_POLY1305 :
			VEIL_TLS_CIPHER_AES_GCM_128);
		put(m, VEIL_A_TLS_KEY_KEY, k, chacha ? 32 : 16);
		put(m, VEIL_A_TLS_KEY_IV, k, chacha ? 12 : 8);
		if (!chacha)
			put(m, VEIL_A_TLS_KEY_SALT, k, 4);
		put_u64(m, VEIL_A_TLS_KEY_REC_SEQ, rn(100));
		break;
	}
	case T_INFO:
		msg_init(m, VEIL_CMD_INFO, ack);
		break;
	case T_COUNTS:
		msg_init(m, VEIL_CMD_COUNTS, ack);
		break;
	case T_STATS:
	default:
		msg_init(m, VEIL_CMD_STATS_GET, ack);
		break;
	}
	if (pct(30) && !(msg_nlh(m)->nlmsg_flags & NLM_F_DUMP))
		msg_nlh(m)->nlmsg_flags &= ~NLM_F_ACK;
	msg_finish(m);
}

/* Offsets of the attributes of a message, nests' insides included. */
static unsigned int walk(const struct msg *m, size_t start, size_t end, size_t *out,
			 unsigned int n, unsigned int max, int depth)
{
	while (start + NLA_HDRLEN <= end && n < max) {
		const struct nlattr *a = (const void *)(m->b + start);

		if (a->nla_len < NLA_HDRLEN || start + a->nla_len > end)
			break;
		out[n++] = start;
		if ((a->nla_type & NLA_F_NESTED) && depth < 8)
			n = walk(m, start + NLA_HDRLEN, start + a->nla_len, out, n, max, depth + 1);
		start += NLA_ALIGN(a->nla_len);
	}
	return n;
}

static void mutate_once(struct msg *m)
{
	size_t at[128], hdr = NLMSG_HDRLEN + GENL_HDRLEN;
	unsigned int na = walk(m, hdr, m->len, at, 0, 128, 0);
	struct nlattr *a = na ? (struct nlattr *)(m->b + at[rn(na)]) : NULL;
	unsigned int i, k;

	switch (rn(10)) {
	case 0: /* flip bits */
		k = 1 + rn(8);
		for (i = 0; i < k && m->len > hdr; i++) {
			size_t p = pct(5) ? NLMSG_HDRLEN + rn(GENL_HDRLEN) : hdr + rn(m->len - hdr);

			m->b[p] ^= 1u << rn(8);
		}
		break;
	case 1: /* cut */
		if (m->len > hdr)
			m->len = pct(5) ? NLMSG_HDRLEN + rn(GENL_HDRLEN) :
				 hdr + rn(m->len - hdr + 1);
		break;
	case 2: /* extend: random bytes or a random attribute */
		if (pct(50)) {
			k = 1 + rn(64);
			if (msg_room(m, k)) {
				rand_bytes(m->b + m->len, k);
				m->len += k;
			}
		} else {
			gen_attr(m, cmd_set(msg_genl(m)->cmd), 0);
		}
		break;
	case 3: /* swap attribute types */
		if (a) {
			if (pct(50) && na > 1) {
				struct nlattr *b = (struct nlattr *)(m->b + at[rn(na)]);
				uint16_t t = a->nla_type;

				a->nla_type = b->nla_type;
				b->nla_type = t;
			} else {
				a->nla_type = (a->nla_type & ~NLA_TYPE_MASK) | rn(30);
			}
		}
		break;
	case 4: /* lie about an attribute's length */
		if (a)
			a->nla_len = pct(50) ? a->nla_len + rn(9) - 4 : rn(0x10000);
		break;
	case 5: /* duplicate an attribute */
		if (a && msg_room(m, a->nla_len)) {
			memmove(m->b + m->len, a, NLA_ALIGN(a->nla_len));
			m->len += NLA_ALIGN(a->nla_len);
		}
		break;
	case 6: /* NLA_F_NESTED on or off */
		if (a)
			a->nla_type ^= NLA_F_NESTED;
		break;
	case 7: /* other flags */
		msg_nlh(m)->nlmsg_flags = gen_flags(msg_genl(m)->cmd);
		break;
	case 8: /* another command */
		msg_genl(m)->cmd = gen_cmd();
		break;
	default: /* a value changed */
		if (a && a->nla_len > NLA_HDRLEN) {
			unsigned char *p = (unsigned char *)a + NLA_HDRLEN;

			k = a->nla_len - NLA_HDRLEN;
			if (pct(50))
				memset(p, pct(50) ? 0 : 0xff, k);
			else
				p[rn(k)] = rnd();
		}
		break;
	}
}

static enum tmpl gen_tmpl(void)
{
	enum tmpl t;

	do
		t = rn(T_MAX);
	while (t == T_INFO);
	return t;
}

static void gen_mutated(struct msg *m)
{
	unsigned int i, k = 1 + rn(3);

	gen_template(m, gen_tmpl());
	for (i = 0; i < k; i++)
		mutate_once(m);
	msg_finish(m);
	/* Now and then a length that does not match what is sent. */
	if (pct(1))
		msg_nlh(m)->nlmsg_len += 1 + rn(64);
}

/* The first messages of a run: each command number with each of these. */
static const uint16_t sweep_flags[] = {
	0, NLM_F_ACK, NLM_F_DUMP, NLM_F_DUMP | NLM_F_ACK, NLM_F_ECHO | NLM_F_ACK,
	NLM_F_REPLACE | NLM_F_ACK,
};
#define N_SWEEP_FLAGS	(sizeof(sweep_flags) / sizeof(sweep_flags[0]))
#define N_SWEEP		((VEIL_CMD_MAX + 4) * N_SWEEP_FLAGS)

/*
 * Message @idx of a run: first every command number from 0 to
 * VEIL_CMD_MAX + 3 with each flag combination of sweep_flags[] and no
 * attributes; then random (40%), mutated (55%) or valid (5%).
 */
static void gen_message(struct msg *m, uint64_t seed, unsigned int phase, uint64_t idx)
{
	unsigned int r;

	rng_for(seed, phase, idx);
	if (idx < N_SWEEP) {
		unsigned int cmd = idx / N_SWEEP_FLAGS, fl = sweep_flags[idx % N_SWEEP_FLAGS];

		/* One info reaches the handler (see gen_cmd()); the others not. */
		if (cmd == VEIL_CMD_INFO && fl != NLM_F_ACK && !(fl & NLM_F_DUMP))
			fl |= NLM_F_REPLACE;
		msg_init(m, cmd, NLM_F_REQUEST | fl);
		msg_finish(m);
		return;
	}
	r = rn(100);
	if (r < 40)
		gen_random(m);
	else if (r < 95)
		gen_mutated(m);
	else
		gen_template(m, gen_tmpl());
}

/* ------------------------------------------------------ the transport */

/*
 * nl_util.h's socket with room for big dumps and notification bursts, and
 * a read timeout: a blocking read that waits 30 s has waited for nothing.
 */
static int fuzz_open(bool force_rcvbuf)
{
	int sz = 4 << 20, fd = nl_open();

	if (fd < 0)
		return -1;
	if (!force_rcvbuf || setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &(struct timeval){ .tv_sec = 30 },
		   sizeof(struct timeval));
	return fd;
}

/* What came back for one request. */
struct answer {
	bool error_seen;	/* an NLMSG_ERROR, or an NLMSG_DONE with an error */
	int error;		/* its error, 0 for a plain ack or a success */
	bool has_msg;		/* ... and its extack message */
	char msg[200];
	bool done;		/* NLMSG_DONE */
	unsigned int replies;	/* veil messages */
	unsigned int stray;	/* answers to other sequence numbers */
	bool overrun;		/* ENOBUFS: the queue overflowed */
	size_t req_len;		/* the request's length, for the extack offset */
	unsigned int req_cmd;	/* and its command, which replies must carry */
	bool bad_offs;		/* NLMSGERR_ATTR_OFFS outside the request */
	bool bad_reply;		/* a reply malformed, or of another command */
};

static bool attrs_sane(const unsigned char *p, size_t len, int depth);

/* Called for every veil message of an answer. */
typedef void (*reply_fn)(const struct nlmsghdr *nlh, void *arg);

static const struct nlattr *attr_find(const void *p, size_t len, int type)
{
	const struct nlattr *a = p;

	while (len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= len) {
		size_t step = NLA_ALIGN(a->nla_len);

		if ((a->nla_type & NLA_TYPE_MASK) == type)
			return a;
		if (step >= len)
			break;
		len -= step;
		a = (const void *)((const char *)a + step);
	}
	return NULL;
}

static void note_error(struct answer *ans, int err, const void *tlv, ssize_t len, bool tlvs)
{
	const struct nlattr *m = NULL;

	ans->error_seen = true;
	ans->error = err;
	if (tlvs && len > 0)
		m = attr_find(tlv, len, NLMSGERR_ATTR_MSG);
	if (m && m->nla_len > NLA_HDRLEN) {
		ans->has_msg = true;
		snprintf(ans->msg, sizeof(ans->msg), "%.*s", (int)(m->nla_len - NLA_HDRLEN),
			 (const char *)m + NLA_HDRLEN);
	}
	m = tlvs && len > 0 ? attr_find(tlv, len, NLMSGERR_ATTR_OFFS) : NULL;
	if (m && m->nla_len == NLA_HDRLEN + 4 &&
	    *(const uint32_t *)((const char *)m + NLA_HDRLEN) >= ans->req_len)
		ans->bad_offs = true;
}

/* Parses one datagram; returns true once the answer is complete. */
static void parse(const char *buf, ssize_t len, uint32_t seq, struct answer *ans,
		  reply_fn fn, void *arg)
{
	const struct nlmsghdr *nlh;

	for (nlh = (const void *)buf; NLMSG_OK(nlh, len); nlh = NLMSG_NEXT(nlh, len)) {
		bool tlvs = nlh->nlmsg_flags & NLM_F_ACK_TLVS;

		if (nlh->nlmsg_seq != seq) {
			ans->stray++;
			continue;
		}
		if (nlh->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = NLMSG_DATA(nlh);

			if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
				continue;
			/* NETLINK_CAP_ACK: the request is not echoed, its header is. */
			note_error(ans, e->error, (const char *)e + sizeof(*e),
				   (ssize_t)nlh->nlmsg_len - NLMSG_LENGTH(sizeof(*e)), tlvs);
		} else if (nlh->nlmsg_type == NLMSG_DONE) {
			int err = 0;

			ans->done = true;
			if (nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(int)))
				memcpy(&err, NLMSG_DATA(nlh), sizeof(err));
			if (err)
				note_error(ans, err, (const char *)NLMSG_DATA(nlh) + sizeof(int),
					   (ssize_t)nlh->nlmsg_len - NLMSG_LENGTH(sizeof(int)), tlvs);
		} else if (nlh->nlmsg_type == family_id) {
			const struct genlmsghdr *g = NLMSG_DATA(nlh);

			if (nlh->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN) || g->cmd != ans->req_cmd ||
			    !attrs_sane((const unsigned char *)g + GENL_HDRLEN,
					nlh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN), 0))
				ans->bad_reply = true;
			ans->replies++;
			if (fn)
				fn(nlh, arg);
		}
	}
}

static char rbuf[RBUF_SZ];

/*
 * Everything the kernel answers to one request. genetlink handles a
 * request inside sendmsg(), and a dump's next part inside the recvmsg()
 * that makes room for it, so once the queue reads empty the answer is
 * complete.
 */
static void drain(int fd, uint32_t seq, struct answer *ans, reply_fn fn, void *arg)
{
	ssize_t len;

	for (;;) {
		len = recv(fd, rbuf, sizeof(rbuf), MSG_DONTWAIT);
		if (len < 0) {
			if (errno == ENOBUFS) {
				ans->overrun = true;
				continue;
			}
			return;
		}
		parse(rbuf, len, seq, ans, fn, arg);
	}
}

static int send_msg(int fd, struct msg *m)
{
	msg_nlh(m)->nlmsg_seq = ++seq_no;
	return send(fd, m->b, m->len, 0) < 0 ? -errno : 0;
}

static int transact(int fd, struct msg *m, struct answer *ans, reply_fn fn, void *arg)
{
	int ret;

	memset(ans, 0, sizeof(*ans));
	ans->req_len = m->len < msg_nlh(m)->nlmsg_len ? m->len : msg_nlh(m)->nlmsg_len;
	ans->req_cmd = m->len >= NLMSG_HDRLEN + GENL_HDRLEN ? msg_genl(m)->cmd : ~0u;
	ret = send_msg(fd, m);
	if (ret)
		return ret;
	drain(fd, seq_no, ans, fn, arg);
	return 0;
}

/* A well-formed request: 0 or its -errno. */
static int simple(int fd, struct msg *m, reply_fn fn, void *arg, char *why, size_t whylen)
{
	struct answer ans;
	int ret = transact(fd, m, &ans, fn, arg);

	if (ret)
		return ret;
	if (ans.overrun)
		return -ENOBUFS;
	if (ans.error_seen && ans.error && why)
		snprintf(why, whylen, "command %u: %s: %.120s", msg_genl(m)->cmd,
			 strerror(-ans.error), ans.has_msg ? ans.msg : "(no extack message)");
	return ans.error_seen ? ans.error : 0;
}

static int events_grp = -1;

/* Offsets of the top-level attributes of a stream, while they are sane. */
static unsigned int walk_raw(const unsigned char *p, size_t len, size_t *out, unsigned int max)
{
	size_t off = 0;
	unsigned int n = 0;

	while (off + NLA_HDRLEN <= len && n < max) {
		const struct nlattr *a = (const void *)(p + off);

		if (a->nla_len < NLA_HDRLEN || off + a->nla_len > len)
			break;
		out[n++] = off;
		off += NLA_ALIGN(a->nla_len);
	}
	return n;
}

/* Whether a stream of attributes is well-formed to its end, nests too. */
static bool attrs_sane(const unsigned char *p, size_t len, int depth)
{
	size_t off = 0;

	while (off + NLA_HDRLEN <= len) {
		const struct nlattr *a = (const void *)(p + off);

		if (a->nla_len < NLA_HDRLEN || off + a->nla_len > len)
			return false;
		if ((a->nla_type & NLA_F_NESTED) &&
		    (depth > 4 || !attrs_sane(p + off + NLA_HDRLEN, a->nla_len - NLA_HDRLEN,
					      depth + 1)))
			return false;
		off += NLA_ALIGN(a->nla_len);
	}
	return off >= len;
}

static int resolve_family(int fd)
{
	struct msg m;
	int id = -1;
	struct answer ans;

	msg_init(&m, CTRL_CMD_GETFAMILY, NLM_F_REQUEST);
	msg_nlh(&m)->nlmsg_type = GENL_ID_CTRL;
	put_str(&m, CTRL_ATTR_FAMILY_NAME, VEIL_FAMILY_NAME);
	msg_finish(&m);
	memset(&ans, 0, sizeof(ans));
	if (send_msg(fd, &m))
		return -1;
	for (;;) {
		ssize_t len = recv(fd, rbuf, sizeof(rbuf), MSG_DONTWAIT);
		const struct nlmsghdr *nlh = (const void *)rbuf;

		if (len < 0)
			break;
		for (; NLMSG_OK(nlh, len); nlh = NLMSG_NEXT(nlh, len)) {
			const struct nlattr *a;

			if (nlh->nlmsg_type != GENL_ID_CTRL)
				continue;
			a = attr_find((const char *)NLMSG_DATA(nlh) + GENL_HDRLEN,
				      nlh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN),
				      CTRL_ATTR_FAMILY_ID);
			if (a)
				id = *(const uint16_t *)((const char *)a + NLA_HDRLEN);
			a = attr_find((const char *)NLMSG_DATA(nlh) + GENL_HDRLEN,
				      nlh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN),
				      CTRL_ATTR_MCAST_GROUPS);
			if (a) {
				size_t at[16];
				unsigned int i, n = walk_raw((const unsigned char *)a + NLA_HDRLEN,
							     a->nla_len - NLA_HDRLEN, at, 16);

				for (i = 0; i < n; i++) {
					const struct nlattr *g = (const void *)((const char *)a +
										NLA_HDRLEN + at[i]);
					const struct nlattr *nm, *gid;

					nm = attr_find((const char *)g + NLA_HDRLEN,
						       g->nla_len - NLA_HDRLEN, CTRL_ATTR_MCAST_GRP_NAME);
					gid = attr_find((const char *)g + NLA_HDRLEN,
							g->nla_len - NLA_HDRLEN, CTRL_ATTR_MCAST_GRP_ID);
					if (nm && gid && !strcmp((const char *)nm + NLA_HDRLEN,
								 VEIL_MCGRP_EVENTS))
						events_grp = *(const uint32_t *)((const char *)gid +
										 NLA_HDRLEN);
				}
			}
		}
	}
	return id;
}

/* A socket in the events group, or -1. */
static int events_open(void)
{
	int fd = events_grp < 0 ? -1 : fuzz_open(false);

	if (fd >= 0 && setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &events_grp,
				  sizeof(events_grp))) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* ------------------------------------------------------ state snapshots */

struct counts {
	uint32_t v[VEIL_A_COUNTS_MAX + 1];
};

static void counts_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct counts *c = arg;
	int i;

	for (i = 1; i <= VEIL_A_COUNTS_MAX; i++) {
		const struct nlattr *a = attr_find((const char *)NLMSG_DATA(nlh) + GENL_HDRLEN,
						   nlh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN), i);

		if (a && a->nla_len == NLA_HDRLEN + 4)
			memcpy(&c->v[i], (const char *)a + NLA_HDRLEN, 4);
	}
}

static int get_counts(int fd, struct counts *c)
{
	struct msg m;

	memset(c, 0, sizeof(*c));
	msg_init(&m, VEIL_CMD_COUNTS, NLM_F_REQUEST);
	msg_finish(&m);
	return simple(fd, &m, counts_cb, c, NULL, 0);
}

struct entries {
	unsigned int n, cap;
	unsigned char **e;	/* each: 4-byte length, then the payload */
};

static void entries_free(struct entries *l)
{
	while (l->n)
		free(l->e[--l->n]);
	free(l->e);
	memset(l, 0, sizeof(*l));
}

static void entries_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct entries *l = arg;
	uint32_t len = nlh->nlmsg_len - NLMSG_HDRLEN;
	unsigned char *e;

	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->e = realloc(l->e, l->cap * sizeof(*l->e));
		if (!l->e)
			abort();
	}
	e = malloc(4 + len);
	if (!e)
		abort();
	memcpy(e, &len, 4);
	memcpy(e + 4, NLMSG_DATA(nlh), len);
	l->e[l->n++] = e;
}

static bool entry_eq(const unsigned char *a, const unsigned char *b)
{
	uint32_t la, lb;

	memcpy(&la, a, 4);
	memcpy(&lb, b, 4);
	return la == lb && !memcmp(a + 4, b + 4, la);
}

/* A dump's entries; 0, or the -errno of the dump. */
static int dump(int fd, unsigned int cmd, bool keys, struct entries *out)
{
	struct answer ans;
	struct msg m;
	int ret;

	msg_init(&m, cmd, NLM_F_REQUEST | NLM_F_DUMP);
	if (keys)
		put(&m, VEIL_A_SA_KEYS, NULL, 0);
	msg_finish(&m);
	ret = transact(fd, &m, &ans, entries_cb, out);
	if (ret)
		return ret;
	if (ans.overrun)
		return -ENOBUFS;
	if (ans.error_seen)
		return ans.error;
	return ans.done ? 0 : -EPIPE;
}

struct snapshot {
	struct counts c;
	struct entries sa, pol, encap;
};

static void snap_free(struct snapshot *s)
{
	entries_free(&s->sa);
	entries_free(&s->pol);
	entries_free(&s->encap);
}

static int snap_take(int fd, bool keys, struct snapshot *s)
{
	int ret;

	memset(s, 0, sizeof(*s));
	ret = get_counts(fd, &s->c);
	if (!ret)
		ret = dump(fd, VEIL_CMD_SA_GET, keys, &s->sa);
	if (!ret)
		ret = dump(fd, VEIL_CMD_POLICY_GET, false, &s->pol);
	if (!ret)
		ret = dump(fd, VEIL_CMD_ENCAP_GET, false, &s->encap);
	return ret;
}

/*
 * An SA that can go by itself: one with a time-based hard limit. Such an
 * SA is made by an accepted fuzz message and may expire mid-run.
 */
static bool sa_can_expire(const unsigned char *e)
{
	uint32_t len;
	const struct nlattr *l;

	memcpy(&len, e, 4);
	l = attr_find(e + 4 + GENL_HDRLEN, len - GENL_HDRLEN, VEIL_A_SA_LIFETIME);
	if (!l)
		return false;
	return attr_find((const char *)l + NLA_HDRLEN, l->nla_len - NLA_HDRLEN,
			 VEIL_A_LIFETIME_HARD_ADD_SECONDS) ||
	       attr_find((const char *)l + NLA_HDRLEN, l->nla_len - NLA_HDRLEN,
			 VEIL_A_LIFETIME_HARD_USE_SECONDS);
}

static bool entries_eq(const struct entries *a, const struct entries *b)
{
	unsigned int i;

	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++)
		if (!entry_eq(a->e[i], b->e[i]))
			return false;
	return true;
}

/*
 * Whether @now is @then, but for SAs that expired: every SA of @now must
 * be in @then unchanged, and every one missing must be able to expire.
 * Sets *expired when some did.
 */
static bool snap_same(const struct snapshot *then, const struct snapshot *now,
		      bool *expired, char *why, size_t whylen)
{
	unsigned int i, j = 0;

	*expired = false;
	for (i = 0; i < then->sa.n; i++) {
		if (j < now->sa.n && entry_eq(then->sa.e[i], now->sa.e[j])) {
			j++;
			continue;
		}
		if (!sa_can_expire(then->sa.e[i])) {
			snprintf(why, whylen, "SA dump differs at entry %u of %u (now %u)",
				 i, then->sa.n, now->sa.n);
			return false;
		}
		*expired = true;
	}
	if (j != now->sa.n) {
		snprintf(why, whylen, "SA dump has %u new or changed entries", now->sa.n - j);
		return false;
	}
	if (!entries_eq(&then->pol, &now->pol)) {
		snprintf(why, whylen, "policy dump differs (%u entries, now %u)",
			 then->pol.n, now->pol.n);
		return false;
	}
	if (!entries_eq(&then->encap, &now->encap)) {
		snprintf(why, whylen, "encap dump differs (%u sockets, now %u)",
			 then->encap.n, now->encap.n);
		return false;
	}
	for (i = 1; i <= VEIL_A_COUNTS_MAX; i++)
		if (i != VEIL_A_COUNTS_SA_COUNT && then->c.v[i] != now->c.v[i]) {
			snprintf(why, whylen, "count %u went from %u to %u", i,
				 then->c.v[i], now->c.v[i]);
			return false;
		}
	if (now->c.v[VEIL_A_COUNTS_SA_COUNT] != now->sa.n) {
		snprintf(why, whylen, "sa-count %u but the dump has %u SAs",
			 now->c.v[VEIL_A_COUNTS_SA_COUNT], now->sa.n);
		return false;
	}
	return true;
}

/* ------------------------------------------------------------ reports */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static unsigned int ktap_n, ktap_fails;
static bool verbose;
static uint64_t seed;

static void hexdump(const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n && i < 1024; i += 16) {
		char line[80];
		int k = snprintf(line, sizeof(line), "#   %04zx:", i);
		size_t j;

		for (j = i; j < i + 16 && j < n; j++)
			k += snprintf(line + k, sizeof(line) - k, " %02x", b[j]);
		printf("%s\n", line);
	}
	if (n > 1024)
		printf("#   ... %zu bytes in all\n", n);
}

static void ktap(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void ktap(bool ok, const char *fmt, ...)
{
	va_list ap;

	if (!ok)
		ktap_fails++;
	printf("%s %u ", ok ? "ok" : "not ok", ++ktap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

/* Counters of one fuzz run, shared with the parent for nobody's. */
struct tally {
	uint64_t sent, accepted, accepted_mutating, ignored, veil_msg, core, expired;
	uint64_t err[136];		/* per errno, veil's and the core's */
	uint64_t core_err[136];
	unsigned int fail_msg, fail_state, fail_perm, fail_other;
	double t_send, t_counts, t_snap;	/* where the time goes */
	double t_cmd[VEIL_CMD_MAX + 4];
	uint64_t n_cmd[VEIL_CMD_MAX + 4];
	uint64_t acc_cmd[VEIL_CMD_MAX + 4];
	uint64_t events, events_lost;	/* notifications the listener read */
	uint64_t batches, b_processed, b_behind, b_valid, b_stopped;	/* batch_run() */
	unsigned int fail_event;
	char first_fail[300];
};

static void tally_fail(struct tally *t, unsigned int *which, const char *who, uint64_t idx,
		       const struct msg *m, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
static void tally_fail(struct tally *t, unsigned int *which, const char *who, uint64_t idx,
		       const struct msg *m, const char *fmt, ...)
{
	char why[240];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (!t->first_fail[0])
		snprintf(t->first_fail, sizeof(t->first_fail), "%s #%" PRIu64 ": %s", who, idx, why);
	if ((*which)++ < MAX_REPORTS) {
		printf("# FAIL %s message #%" PRIu64 " (--seed %" PRIu64 "): %s\n", who, idx,
		       seed, why);
		if (m)
			hexdump(m->b, m->len);
	}
	fflush(stdout);
}

/*
 * The rejections the netlink and generic-netlink cores make before veil's
 * policies and handlers see a message; they cannot carry veil's extack
 * message, and the cores set none:
 *  - a message too short for a genlmsghdr: EINVAL (genl_family_rcv_msg);
 *  - a command with no operation, or without the handler that its
 *    NLM_F_DUMP asks for: EOPNOTSUPP (genl_get_cmd);
 *  - a dump asked for while one runs on the socket: EBUSY
 *    (__netlink_dump_start).
 * Everything else must have a message, including the policies' rejections
 * the core's nla validation words.
 */
static bool core_rejection(const struct msg *m, int err, bool dump_running)
{
	const struct nlmsghdr *nlh = (const void *)m->b;
	const struct genlmsghdr *g = (const void *)(m->b + NLMSG_HDRLEN);
	bool dump = (nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;

	if (err == -EINVAL && nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN)
		return true;
	if (nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN)
		return false;
	if (err == -EOPNOTSUPP && !(dump ? cmd_has_dump(g->cmd) : cmd_has_do(g->cmd)))
		return true;
	if (err == -EBUSY && dump && dump_running)
		return true;
	return false;
}

/* Messages the netlink core drops unread: no answer at all. */
static bool core_ignores(const struct msg *m)
{
	const struct nlmsghdr *nlh = (const void *)m->b;

	return !(nlh->nlmsg_flags & NLM_F_REQUEST) || nlh->nlmsg_len > m->len ||
	       nlh->nlmsg_len < NLMSG_HDRLEN;
}

static unsigned int errno_slot(int err)
{
	err = -err;
	return err > 0 && err < 135 ? err : 135;
}

/* -------------------------------------------------------------- fuzzing */

struct fuzz {
	const char *who;	/* "root" or "nobody" */
	unsigned int phase;
	bool admin;
	int fd;
	int ev_fd;		/* in the events group, or -1 */
	struct snapshot base;
	struct counts base_c;
	struct tally *t;
};

static void rebase(struct fuzz *f)
{
	double t0 = now_s();

	snap_free(&f->base);
	if (snap_take(f->fd, f->admin, &f->base))
		printf("# %s: could not take a snapshot\n", f->who);
	f->base_c = f->base.c;
	if (f->t)
		f->t->t_snap += now_s() - t0;
}

/* A full comparison with the snapshot; re-baselines on SA expiry. */
static void full_check(struct fuzz *f, uint64_t idx, const struct msg *m)
{
	struct snapshot now;
	bool expired;
	char why[200];
	double t0 = now_s();

	if (snap_take(f->fd, f->admin, &now)) {
		tally_fail(f->t, &f->t->fail_other, f->who, idx, m, "dumps failed");
		snap_free(&now);
		return;
	}
	if (!snap_same(&f->base, &now, &expired, why, sizeof(why)))
		tally_fail(f->t, &f->t->fail_state, f->who, idx, m,
			   "state changed after rejected messages: %s", why);
	if (expired)
		f->t->expired++;
	snap_free(&f->base);
	f->base = now;
	f->base_c = now.c;
	f->t->t_snap += now_s() - t0;
}

/*
 * The notifications the last message caused: each must be a veil
 * notification whose attributes are well-formed to the end. Whether they
 * match the change is for monitor.sh.
 */
static void events_check(struct fuzz *f, uint64_t idx, const struct msg *m)
{
	struct tally *t = f->t;

	for (;;) {
		ssize_t len = recv(f->ev_fd, rbuf, sizeof(rbuf), MSG_DONTWAIT);
		const struct nlmsghdr *nlh = (const void *)rbuf;

		if (len < 0) {
			if (errno == ENOBUFS) {
				t->events_lost++;
				continue;
			}
			return;
		}
		for (; NLMSG_OK(nlh, len); nlh = NLMSG_NEXT(nlh, len)) {
			const struct genlmsghdr *g = NLMSG_DATA(nlh);
			bool ok = nlh->nlmsg_type == family_id &&
				  nlh->nlmsg_len >= NLMSG_LENGTH(GENL_HDRLEN);

			ok = ok && (g->cmd == VEIL_CMD_SA_NEW_NTF || g->cmd == VEIL_CMD_SA_DEL_NTF ||
				    g->cmd == VEIL_CMD_SA_EXPIRE_NTF ||
				    g->cmd == VEIL_CMD_POLICY_NEW_NTF ||
				    g->cmd == VEIL_CMD_POLICY_DEL_NTF ||
				    g->cmd == VEIL_CMD_ACQUIRE_NTF);
			ok = ok && attrs_sane((const unsigned char *)g + GENL_HDRLEN,
					      nlh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN), 0);
			t->events++;
			if (!ok)
				tally_fail(t, &t->fail_event, f->who, idx, m,
					   "malformed notification (type %u, cmd %u, %u bytes)",
					   nlh->nlmsg_type, g->cmd, nlh->nlmsg_len);
		}
	}
}

static void fuzz_one(struct fuzz *f, uint64_t idx, struct msg *m)
{
	const struct genlmsghdr *g = (const void *)(m->b + NLMSG_HDRLEN);
	unsigned int cmd = m->len >= NLMSG_HDRLEN + GENL_HDRLEN ? g->cmd : 0;
	struct tally *t = f->t;
	struct answer ans;
	struct counts c;
	double t0 = now_s();
	int ret;

	ret = transact(f->fd, m, &ans, NULL, NULL);
	t->t_send += now_s() - t0;
	if (cmd < VEIL_CMD_MAX + 4) {
		t->t_cmd[cmd] += now_s() - t0;
		t->n_cmd[cmd]++;
	}
	if (ret) {
		tally_fail(t, &t->fail_other, f->who, idx, m, "send: %s", strerror(-ret));
		return;
	}
	t->sent++;
	if (f->ev_fd >= 0)
		events_check(f, idx, m);
	if (ans.overrun || ans.stray)
		tally_fail(t, &t->fail_other, f->who, idx, m, "%s",
			   ans.overrun ? "receive queue overrun" : "answer with another sequence number");
	if (ans.bad_offs)
		tally_fail(t, &t->fail_other, f->who, idx, m,
			   "the extack's attribute offset lies outside the request");
	if (ans.bad_reply)
		tally_fail(t, &t->fail_other, f->who, idx, m,
			   "a reply is malformed or answers another command");
	if (ans.error_seen && (ans.error > 0 || ans.error < -4095))
		tally_fail(t, &t->fail_other, f->who, idx, m, "error %d is no errno", ans.error);

	if (ans.error_seen && ans.error) {
		t->err[errno_slot(ans.error)]++;
		if (ans.has_msg) {
			t->veil_msg++;
		} else if (core_rejection(m, ans.error, false)) {
			t->core++;
			t->core_err[errno_slot(ans.error)]++;
		} else {
			tally_fail(t, &t->fail_msg, f->who, idx, m,
				   "rejected with %d (%s) but no extack message", ans.error,
				   strerror(-ans.error));
		}
		if (!f->admin && cmd_mutates(cmd) && ans.has_msg && verbose)
			printf("# nobody cmd %u: %d %s\n", cmd, ans.error, ans.msg);
		/* Rejected: nothing may have changed. */
		t0 = now_s();
		ret = get_counts(f->fd, &c);
		t->t_counts += now_s() - t0;
		if (ret)
			tally_fail(t, &t->fail_other, f->who, idx, m,
				   "counts after a rejected message failed: %s", strerror(-ret));
		else if (memcmp(&c, &f->base_c, sizeof(c)))
			full_check(f, idx, m);
		return;
	}

	if (core_ignores(m)) {
		t->ignored++;
		return;
	}
	t->accepted++;
	if (cmd < VEIL_CMD_MAX + 4)
		t->acc_cmd[cmd]++;
	if (cmd_mutates(cmd)) {
		t->accepted_mutating++;
		if (!f->admin)
			tally_fail(t, &t->fail_perm, f->who, idx, m,
				   "nobody's command %u was accepted", cmd);
		rebase(f);
	}
}

static void fuzz_run(struct fuzz *f, uint64_t count)
{
	static struct msg m;
	uint64_t i;

	rebase(f);
	for (i = 0; i < count; i++) {
		gen_message(&m, seed, f->phase, i);
		fuzz_one(f, i, &m);
		if ((i + 1) % CHECK_EVERY == 0)
			full_check(f, i, &m);
	}
	full_check(f, count, NULL);
}

static void tally_print(const char *who, const struct tally *t)
{
	char line[900];
	int i, k;

	printf("# %s: sent %" PRIu64 ", accepted %" PRIu64 " (%" PRIu64
	       " changing state), ignored by the core %" PRIu64 ", rejected by veil with a message %"
	       PRIu64 ", rejected by the core %" PRIu64 ", SA expiries seen %" PRIu64 "\n",
	       who, t->sent, t->accepted, t->accepted_mutating, t->ignored, t->veil_msg, t->core,
	       t->expired);
	printf("# %s: %.1f s sending, %.1f s reading counts, %.1f s taking snapshots; "
	       "%" PRIu64 " notifications read, %" PRIu64 " times the listener's queue overflowed\n",
	       who, t->t_send, t->t_counts, t->t_snap, t->events, t->events_lost);
	k = snprintf(line, sizeof(line), "# %s: command:sent:ms each", who);
	for (i = 0; i < VEIL_CMD_MAX + 4; i++)
		if (t->n_cmd[i] && k < (int)sizeof(line) - 30)
			k += snprintf(line + k, sizeof(line) - k, " %d:%" PRIu64 ":%.2f", i,
				      t->n_cmd[i], 1000 * t->t_cmd[i] / t->n_cmd[i]);
	printf("%s\n", line);
	k = snprintf(line, sizeof(line), "# %s: accepted per command:", who);
	for (i = 0; i < VEIL_CMD_MAX + 4; i++)
		if (t->acc_cmd[i])
			k += snprintf(line + k, sizeof(line) - k, " %d:%" PRIu64, i, t->acc_cmd[i]);
	printf("%s\n", line);
	k = snprintf(line, sizeof(line), "# %s: errors:", who);
	for (i = 1; i < 136; i++)
		if (t->err[i] && k < (int)sizeof(line) - 40)
			k += snprintf(line + k, sizeof(line) - k, " %s %" PRIu64,
				      i == 135 ? "other" : strerrorname_np(i) ?: "?", t->err[i]);
	printf("%s\n", line);
	k = snprintf(line, sizeof(line), "# %s: of which by the core:", who);
	for (i = 1; i < 136; i++)
		if (t->core_err[i] && k < (int)sizeof(line) - 40)
			k += snprintf(line + k, sizeof(line) - k, " %s %" PRIu64,
				      i == 135 ? "other" : strerrorname_np(i) ?: "?", t->core_err[i]);
	printf("%s\n", line);
	fflush(stdout);
}

/* ------------------------------------------------------------ populating */

static void sa_for(struct msg *m, unsigned int i, unsigned int cmd)
{
	unsigned char a[4] = { 10, 99, i >> 8, i };

	msg_init(m, cmd, NLM_F_REQUEST | NLM_F_ACK);
	put_u16(m, VEIL_A_SA_FAMILY, AF_INET);
	put(m, VEIL_A_SA_DST, a, 4);
	put_u8(m, VEIL_A_SA_PROTO, IPPROTO_ESP);
	put_u32(m, VEIL_A_SA_SPI, DUMP_SPI + i);
	if (cmd == VEIL_CMD_SA_NEW) {
		a[1] = 98;
		put(m, VEIL_A_SA_SRC, a, 4);
		put_key_alg(m, VEIL_A_SA_ENC, "ecb(cipher_null)", 0, 0, 0);
		put_key_alg(m, VEIL_A_SA_AUTH, "hmac(sha256)", 32, 0, 0);
	}
	msg_finish(m);
}

/* policy-new, or policy-del by selector, of policy @i. */
static void policy_for(struct msg *m, unsigned int i, unsigned int cmd)
{
	unsigned char a[4] = { 10, 100, i >> 8, i };
	size_t n;

	msg_init(m, cmd, NLM_F_REQUEST | NLM_F_ACK);
	n = nest(m, VEIL_A_POLICY_SELECTOR);
	put_u16(m, VEIL_A_SELECTOR_FAMILY, AF_INET);
	put(m, VEIL_A_SELECTOR_DST, a, 4);
	nest_end(m, n);
	put_u8(m, VEIL_A_POLICY_DIR, VEIL_DIR_FWD);
	if (cmd == VEIL_CMD_POLICY_NEW)
		put_u8(m, VEIL_A_POLICY_ACTION, VEIL_ACTION_BLOCK);
	msg_finish(m);
}

/*
 * Sends @n requests @make builds, BATCH to a datagram, and counts the
 * errors; the first one's message goes to @why.
 */
#define BATCH 32
static unsigned int batch_send(int fd, unsigned int first, unsigned int n,
			       void (*make)(struct msg *, unsigned int, unsigned int),
			       unsigned int cmd, char *why, size_t whylen)
{
	static unsigned char buf[BATCH * 512];
	unsigned int i, k, errors = 0;
	static struct msg m;

	for (i = 0; i < n; i += k) {
		size_t len = 0;
		uint32_t seq0 = seq_no + 1;

		for (k = 0; k < BATCH && i + k < n; k++) {
			make(&m, first + i + k, cmd);
			msg_nlh(&m)->nlmsg_seq = ++seq_no;
			memcpy(buf + len, m.b, m.len);
			len += NLMSG_ALIGN(m.len);
		}
		if (send(fd, buf, len, 0) < 0)
			return n;
		for (;;) {
			ssize_t r = recv(fd, rbuf, sizeof(rbuf), MSG_DONTWAIT);
			const struct nlmsghdr *nlh = (const void *)rbuf;

			if (r < 0)
				break;
			for (; NLMSG_OK(nlh, r); nlh = NLMSG_NEXT(nlh, r)) {
				const struct nlmsgerr *e = NLMSG_DATA(nlh);
				struct answer a = { 0 };

				if (nlh->nlmsg_type != NLMSG_ERROR || !e->error ||
				    nlh->nlmsg_seq < seq0)
					continue;
				note_error(&a, e->error, (const char *)e + sizeof(*e),
					   (ssize_t)nlh->nlmsg_len - NLMSG_LENGTH(sizeof(*e)),
					   nlh->nlmsg_flags & NLM_F_ACK_TLVS);
				if (!errors++ && why)
					snprintf(why, whylen, "%s: %.120s", strerror(-e->error),
						 a.has_msg ? a.msg : "(no message)");
			}
		}
	}
	return errors;
}

static void make_sa(struct msg *m, unsigned int i, unsigned int cmd)
{
	sa_for(m, i, cmd);
}

static void make_policy(struct msg *m, unsigned int i, unsigned int cmd)
{
	(void)cmd;
	policy_for(m, i, VEIL_CMD_POLICY_NEW);
}

/* ------------------------------------------------------ interrupted dumps */

struct seen {
	unsigned int n, dup, foreign;
	unsigned char *mark;	/* per expected key */
	unsigned int max;
	unsigned int cmd;
};

/*
 * The key sa_for() or policy_for() made an entry of a dump with (its
 * attributes at @p): SPI - DUMP_SPI, or the dst's low bits; else ~0.
 */
static uint32_t entry_key(unsigned int cmd, const char *p, size_t len)
{
	const struct nlattr *a;
	uint32_t key = ~0u;

	if (cmd == VEIL_CMD_SA_GET) {
		a = attr_find(p, len, VEIL_A_SA_SPI);
		if (a && a->nla_len == NLA_HDRLEN + 4) {
			memcpy(&key, (const char *)a + NLA_HDRLEN, 4);
			key -= DUMP_SPI;
		}
	} else {
		a = attr_find(p, len, VEIL_A_POLICY_SELECTOR);
		if (a)
			a = attr_find((const char *)a + NLA_HDRLEN, a->nla_len - NLA_HDRLEN,
				      VEIL_A_SELECTOR_DST);
		if (a && a->nla_len == NLA_HDRLEN + 4) {
			const unsigned char *d = (const unsigned char *)a + NLA_HDRLEN;

			if (d[0] == 10 && d[1] == 100)
				key = d[2] << 8 | d[3];
		}
	}
	return key;
}

/* Keys of the populated entries (entry_key()). */
static void seen_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct seen *s = arg;
	uint32_t key = entry_key(s->cmd, (const char *)NLMSG_DATA(nlh) + GENL_HDRLEN,
				 nlh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN));

	s->n++;
	if (key >= s->max) {
		s->foreign++;
		return;
	}
	if (s->mark[key]++)
		s->dup++;
}

/*
 * Starts a dump of @cmd on a new socket and reads @parts datagrams of it,
 * then returns the socket with the dump still open, unless @ans says it
 * is done already.
 */
static int dump_start(unsigned int cmd, unsigned int parts, struct seen *s, uint32_t *seq,
		      struct answer *ans)
{
	struct msg m;
	int fd = fuzz_open(false);
	unsigned int i;

	if (fd < 0)
		return -1;
	/* A small queue, so that the dump takes many parts. */
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &(int){ 32768 }, sizeof(int));
	msg_init(&m, cmd, NLM_F_REQUEST | NLM_F_DUMP);
	msg_finish(&m);
	if (send_msg(fd, &m)) {
		close(fd);
		return -1;
	}
	*seq = seq_no;
	memset(ans, 0, sizeof(*ans));
	for (i = 0; i < parts; i++) {
		ssize_t len = recv(fd, rbuf, 8192, 0);

		if (len <= 0)
			break;
		parse(rbuf, len, *seq, ans, seen_cb, s);
		if (ans->done || ans->error_seen)
			break;
	}
	return fd;
}

static void seen_reset(struct seen *s, unsigned int cmd)
{
	s->n = s->dup = s->foreign = 0;
	s->cmd = cmd;
	memset(s->mark, 0, s->max);
}

/* Blocking: the rest of a dump, until NLMSG_DONE or an error. */
static void dump_finish(int fd, uint32_t seq, struct answer *ans, struct seen *s)
{
	while (!ans->done && !(ans->error_seen && ans->error)) {
		ssize_t len = recv(fd, rbuf, sizeof(rbuf), 0);

		if (len < 0) {
			if (errno == ENOBUFS) {
				ans->overrun = true;
				continue;
			}
			break;
		}
		parse(rbuf, len, seq, ans, seen_cb, s);
	}
}

static int whole_dump(int fd, unsigned int cmd, struct seen *s, char *why, size_t whylen)
{
	struct answer ans;
	struct msg m;

	seen_reset(s, cmd);
	msg_init(&m, cmd, NLM_F_REQUEST | NLM_F_DUMP);
	msg_finish(&m);
	memset(&ans, 0, sizeof(ans));
	if (send_msg(fd, &m))
		return -1;
	dump_finish(fd, seq_no, &ans, s);
	if (!ans.done || ans.error) {
		snprintf(why, whylen, "dump %u did not end cleanly: %d %.120s", cmd, ans.error, ans.msg);
		return -1;
	}
	return 0;
}

struct dump_report {
	unsigned int fails;
	char why[300];
};

static void dump_fail(struct dump_report *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void dump_fail(struct dump_report *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (!r->fails++)
		vsnprintf(r->why, sizeof(r->why), fmt, ap);
	va_end(ap);
	if (r->fails <= MAX_REPORTS) {
		va_start(ap, fmt);
		printf("# FAIL ");
		vprintf(fmt, ap);
		printf("\n");
		va_end(ap);
	}
}

/* All @n entries of both dumps, each once. */
static void expect_whole(int fd, struct seen *s, unsigned int n, struct dump_report *r,
			 const char *when)
{
	static const unsigned int cmds[] = { VEIL_CMD_SA_GET, VEIL_CMD_POLICY_GET };
	char why[200];
	unsigned int i;

	for (i = 0; i < 2; i++) {
		if (whole_dump(fd, cmds[i], s, why, sizeof(why)))
			dump_fail(r, "%s: %s", when, why);
		else if (s->n != n || s->dup || s->foreign)
			dump_fail(r, "%s: dump %u: %u entries of %u, %u duplicates, %u unknown",
				  when, cmds[i], s->n, n, s->dup, s->foreign);
	}
}

/*
 * Huge dumps cut short. The databases hold @n SAs and @n policies; each
 * round starts a dump, reads a part or a few, and then closes the socket,
 * or sends other requests on it (another dump, counts, an SA add) before
 * reading the rest, or deletes entries from another socket before reading
 * the rest. Every dump that is read to its end must end with NLMSG_DONE
 * and no error, and show no entry twice.
 */
static void dump_tests(int fd, unsigned int n, unsigned int rounds)
{
	struct seen s = { .max = n };
	struct dump_report r_close = { 0 }, r_other = { 0 }, r_del = { 0 }, r_pop = { 0 };
	char why[200] = "";
	struct timespec t0, t1;
	unsigned int i, err;
	struct answer ans;
	bool running;
	struct msg m;
	uint32_t seq;
	int dfd;

	s.mark = calloc(n + 1, 1);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	err = batch_send(fd, 0, n, make_sa, VEIL_CMD_SA_NEW, why, sizeof(why));
	if (err)
		dump_fail(&r_pop, "%u of %u sa-new failed: %s", err, n, why);
	err = batch_send(fd, 0, n, make_policy, 0, why, sizeof(why));
	if (err)
		dump_fail(&r_pop, "%u of %u policy-new failed: %s", err, n, why);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("# made %u SAs and %u policies in %.1f s\n", n, n,
	       (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	if (!r_pop.fails)
		expect_whole(fd, &s, n, &r_pop, "after populating");
	ktap(!r_pop.fails, "dumps: %u SAs and %u policies made, each dumped once%s%s", n, n,
	     r_pop.fails ? ": " : "", r_pop.why);

	/* Closed midway, after 1 to 4 parts, and at once. */
	for (i = 0; i < rounds; i++) {
		unsigned int cmd = i % 3 == 2 ? VEIL_CMD_ENCAP_GET :
				   i % 2 ? VEIL_CMD_POLICY_GET : VEIL_CMD_SA_GET;

		seen_reset(&s, cmd);
		dfd = dump_start(cmd, i % 5, &s, &seq, &ans);
		if (dfd < 0)
			dump_fail(&r_close, "could not start dump %u", cmd);
		else if (s.dup)
			dump_fail(&r_close, "dump %u: duplicates in its first parts", cmd);
		close(dfd);
	}
	expect_whole(fd, &s, n, &r_close, "after dumps closed midway");
	ktap(!r_close.fails, "dumps: %u dumps closed midway, later dumps whole%s%s", rounds,
	     r_close.fails ? ": " : "", r_close.why);

	/* Other requests on the socket of a dump in progress. */
	for (i = 0; i < rounds; i++) {
		unsigned int cmd = i % 2 ? VEIL_CMD_POLICY_GET : VEIL_CMD_SA_GET;

		seen_reset(&s, cmd);
		dfd = dump_start(cmd, 1 + i % 3, &s, &seq, &ans);
		if (dfd < 0) {
			dump_fail(&r_other, "could not start dump %u", cmd);
			continue;
		}
		running = !ans.done && !ans.error_seen;
		/* Another dump: the core refuses it while one runs. */
		msg_init(&m, cmd, NLM_F_REQUEST | NLM_F_DUMP);
		msg_finish(&m);
		send_msg(dfd, &m);
		/* And a request veil answers, in the middle of the dump. */
		gen_template(&m, i % 3 ? T_COUNTS : T_SA_GET);
		msg_nlh(&m)->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
		send_msg(dfd, &m);
		dump_finish(dfd, seq, &ans, &s);
		if (!ans.done || ans.error)
			dump_fail(&r_other, "dump %u with other requests midway ended with %d %s",
				  cmd, ans.error, ans.msg);
		else if (s.n != n || s.dup || s.foreign)
			dump_fail(&r_other, "dump %u with other requests midway: %u of %u, %u duplicates",
				  cmd, s.n, n, s.dup);
		/* The answers to the other two, whatever they are, must come. */
		for (;;) {
			ssize_t len = recv(dfd, rbuf, sizeof(rbuf), MSG_DONTWAIT);
			const struct nlmsghdr *nlh = (const void *)rbuf;

			if (len < 0)
				break;
			for (; NLMSG_OK(nlh, len); nlh = NLMSG_NEXT(nlh, len)) {
				const struct nlmsgerr *e = NLMSG_DATA(nlh);

				if (running && nlh->nlmsg_type == NLMSG_ERROR &&
				    nlh->nlmsg_seq == seq + 1 && e->error != -EBUSY)
					dump_fail(&r_other, "a second dump during one got %d, not EBUSY",
						  e->error);
			}
		}
		close(dfd);
	}
	expect_whole(fd, &s, n, &r_other, "after dumps with other requests midway");
	ktap(!r_other.fails, "dumps: %u dumps with other requests midway end cleanly, entries once%s%s",
	     rounds, r_other.fails ? ": " : "", r_other.why);

	/*
	 * Entries deleted during a dump: one in three of those not yet sent,
	 * in the last rounds all of them, by flush. The dump must end, show
	 * no entry twice, and miss none that stayed.
	 */
	for (i = 0; i < 4; i++) {
		unsigned int cmd = i % 2 ? VEIL_CMD_POLICY_GET : VEIL_CMD_SA_GET;
		unsigned int j, missing = 0;
		unsigned char *gone = calloc(n, 1);

		seen_reset(&s, cmd);
		dfd = dump_start(cmd, 2, &s, &seq, &ans);
		if (dfd < 0) {
			dump_fail(&r_del, "could not start dump %u", cmd);
			free(gone);
			continue;
		}
		if (i >= 2) {
			msg_init(&m, cmd == VEIL_CMD_SA_GET ? VEIL_CMD_SA_FLUSH : VEIL_CMD_POLICY_FLUSH,
				 NLM_F_REQUEST | NLM_F_ACK);
			msg_finish(&m);
			if (simple(fd, &m, NULL, NULL, why, sizeof(why)))
				dump_fail(&r_del, "flush during a dump failed: %s", why);
			memset(gone, 1, n);
		} else {
			for (j = 0; j < n; j++) {
				if (s.mark[j] || j % 3)
					continue;
				if (cmd == VEIL_CMD_SA_GET)
					sa_for(&m, j, VEIL_CMD_SA_DEL);
				else
					policy_for(&m, j, VEIL_CMD_POLICY_DEL);
				if (simple(fd, &m, NULL, NULL, why, sizeof(why)))
					dump_fail(&r_del, "delete during a dump failed: %s", why);
				gone[j] = 1;
			}
		}
		dump_finish(dfd, seq, &ans, &s);
		close(dfd);
		for (j = 0; j < n; j++)
			if (!gone[j] && !s.mark[j])
				missing++;
		if (!ans.done || ans.error)
			dump_fail(&r_del, "dump %u with deletions midway ended with %d %s", cmd,
				  ans.error, ans.msg);
		else if (s.dup || s.foreign || missing)
			dump_fail(&r_del, "dump %u with deletions midway: %u duplicates, %u unknown, %u missing",
				  cmd, s.dup, s.foreign, missing);
		free(gone);
		if (i == 1) {
			/* Put back what went, for the flush rounds (the rest: EEXIST). */
			batch_send(fd, 0, n, make_sa, VEIL_CMD_SA_NEW, NULL, 0);
			batch_send(fd, 0, n, make_policy, 0, NULL, 0);
		}
	}
	seen_reset(&s, VEIL_CMD_SA_GET);
	if (whole_dump(fd, VEIL_CMD_SA_GET, &s, why, sizeof(why)) || s.n)
		dump_fail(&r_del, "SAs left after the flush: %u", s.n);
	seen_reset(&s, VEIL_CMD_POLICY_GET);
	if (whole_dump(fd, VEIL_CMD_POLICY_GET, &s, why, sizeof(why)) || s.n)
		dump_fail(&r_del, "policies left after the flush: %u", s.n);
	ktap(!r_del.fails, "dumps: with entries deleted or flushed midway they end cleanly, entries once%s%s",
	     r_del.fails ? ": " : "", r_del.why);
	free(s.mark);
}

/* ------------------------------------------------------------ concurrency */

static int flush_all(int fd, char *why, size_t whylen);
static bool state_empty(int fd, bool encap);

/* What the hammering processes send: changes and reads of a few keys. */
static const enum tmpl hammer_tmpls[] = {
	T_SA_AEAD, T_SA_AH, T_SA_UPDATE, T_SA_DEL, T_SA_GET, T_SA_DUMP_KEYS, T_POL_NEW,
	T_POL_BLOCK, T_POL_UPDATE, T_POL_DEL, T_POL_DEL_IDX, T_POL_GET_IDX, T_POL_DUMP,
	T_POL_LOOKUP, T_ENCAP_PORT, T_ENCAP_DEL, T_ENCAP_DUMP,
};

/* One of the processes: 1 when a rejection came without a message. */
static int hammer(unsigned int id, unsigned int n)
{
	static struct msg m;
	struct answer ans;
	unsigned int i, bad = 0;
	int fd = fuzz_open(true);

	if (fd < 0)
		return 2;
	for (i = 0; i < n; i++) {
		rng_for(seed, 20 + id, i);
		if (pct(1)) {
			gen_template(&m, pct(50) ? T_SA_FLUSH : T_POL_FLUSH);
		} else {
			gen_template(&m, hammer_tmpls[rn(sizeof(hammer_tmpls) /
							sizeof(hammer_tmpls[0]))]);
			/* Now and then a key long gone, or the like. */
			if (pct(10))
				mutate_once(&m);
			msg_finish(&m);
		}
		if (transact(fd, &m, &ans, NULL, NULL))
			continue;
		if (ans.error_seen && ans.error && !ans.has_msg &&
		    !core_rejection(&m, ans.error, false) && bad++ < MAX_REPORTS) {
			printf("# FAIL hammer %u message #%u (--seed %" PRIu64 "): %d without a message\n",
			       id, i, seed, ans.error);
			hexdump(m.b, m.len);
		}
	}
	close(fd);
	fflush(stdout);
	return bad ? 1 : 0;
}

/* The policy dump's entries per direction. */
static void policy_dirs(const struct entries *l, unsigned int *dirs)
{
	unsigned int i;

	dirs[0] = dirs[1] = dirs[2] = 0;
	for (i = 0; i < l->n; i++) {
		uint32_t len;
		const struct nlattr *d;

		memcpy(&len, l->e[i], 4);
		d = attr_find(l->e[i] + 4 + GENL_HDRLEN, len - GENL_HDRLEN, VEIL_A_POLICY_DIR);
		if (d && *((const uint8_t *)d + NLA_HDRLEN) <= VEIL_DIR_FWD)
			dirs[*((const uint8_t *)d + NLA_HDRLEN)]++;
	}
}

/*
 * @procs processes change and read the same few SAs, policies and
 * sockets at once, @n requests each: the family runs handlers in
 * parallel (parallel_ops). Afterwards the counts must match the dumps.
 */
static void concurrent_test(int fd, unsigned int procs, unsigned int n)
{
	unsigned int i, fails = 0, dirs[3];
	struct snapshot s = { 0 };
	char why[200] = "";
	pid_t pids[8];
	int status;

	fflush(stdout);
	for (i = 0; i < procs && i < 8; i++) {
		pids[i] = fork();
		if (!pids[i])
			_exit(hammer(i, n));
	}
	for (i = 0; i < procs && i < 8; i++)
		if (pids[i] < 0 || waitpid(pids[i], &status, 0) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status)) {
			if (!fails++)
				snprintf(why, sizeof(why), "process %u failed", i);
		}
	if (snap_take(fd, true, &s)) {
		snprintf(why, sizeof(why), "dumps failed afterwards");
		fails++;
	} else {
		policy_dirs(&s.pol, dirs);
		if (s.c.v[VEIL_A_COUNTS_SA_COUNT] != s.sa.n ||
		    s.c.v[VEIL_A_COUNTS_POLICY_IN] != dirs[0] ||
		    s.c.v[VEIL_A_COUNTS_POLICY_OUT] != dirs[1] ||
		    s.c.v[VEIL_A_COUNTS_POLICY_FWD] != dirs[2]) {
			snprintf(why, sizeof(why),
				 "counts say %u SAs, %u/%u/%u policies; the dumps %u, %u/%u/%u",
				 s.c.v[VEIL_A_COUNTS_SA_COUNT], s.c.v[VEIL_A_COUNTS_POLICY_IN],
				 s.c.v[VEIL_A_COUNTS_POLICY_OUT], s.c.v[VEIL_A_COUNTS_POLICY_FWD],
				 s.sa.n, dirs[0], dirs[1], dirs[2]);
			fails++;
		}
	}
	printf("# concurrent: %u SAs, %u policies, %u sockets left\n", s.sa.n, s.pol.n, s.encap.n);
	snap_free(&s);
	if (!fails && flush_all(fd, why, sizeof(why)))
		fails++;
	ktap(!fails, "concurrent: %u processes, %u requests each on the same keys, rejections with messages, counts match the dumps%s%s",
	     procs, n, fails ? ": " : "", why);
}

/* ------------------------------------------------- multi-message datagrams */

/*
 * Several messages in one datagram, taken as netlink_rcv_skb() takes
 * them: one after the other, each acked or rejected on its own, until a
 * header whose nlmsg_len is under NLMSG_HDRLEN or over what is left of
 * the datagram, where it stops without a word; fewer than NLMSG_HDRLEN
 * bytes left over are ignored. A batch mixes random and mutated messages
 * with valid changes of keys of its own (the entries sa_for() and
 * policy_for() make for keys BATCH_KEY..+BATCH_KEYS), whose outcome a
 * model predicts, and now and then lies in a header or cuts the datagram.
 */
#define BATCH_KEY	4096	/* above any --entries the dump tests use */
#define BATCH_KEYS	16
#define BATCH_MSGS	16
#define BATCH_BUF	(64 * 1024)

enum bkind { B_FUZZ, B_SA_NEW, B_SA_DEL, B_POL_NEW, B_POL_DEL };

struct bmsg {
	enum bkind kind;
	unsigned int key;
	size_t off;		/* where it starts in the datagram */
	struct nlmsghdr hdr;	/* its header as sent */
	bool processed;		/* ahead of the stop, as the core walks */
	bool dump;		/* answered with a dump, or an error */
	bool must_answer;	/* NLM_F_ACK or a dump: an answer must come */
	bool started, answered;	/* a dump's first part; the error or DONE */
	struct answer ans;
};

struct batch {
	unsigned char buf[BATCH_BUF];
	size_t len;
	unsigned int n;
	struct bmsg m[BATCH_MSGS];
	unsigned int cur;	/* the message the next answer may be for */
	bool dump_seen;		/* a dump asked for earlier in the datagram */
	bool sa[BATCH_KEYS], pol[BATCH_KEYS];	/* the model: the keys that exist */
};

static bool bkind_sa(enum bkind k)
{
	return k == B_SA_NEW || k == B_SA_DEL;
}

static bool bkind_adds(enum bkind k)
{
	return k == B_SA_NEW || k == B_POL_NEW;
}

static void batch_valid(struct msg *m, enum bkind k, unsigned int key)
{
	if (bkind_sa(k))
		sa_for(m, BATCH_KEY + key, k == B_SA_NEW ? VEIL_CMD_SA_NEW : VEIL_CMD_SA_DEL);
	else
		policy_for(m, BATCH_KEY + key, k == B_POL_NEW ? VEIL_CMD_POLICY_NEW :
			   VEIL_CMD_POLICY_DEL);
	if (pct(30))
		msg_nlh(m)->nlmsg_flags &= ~NLM_F_ACK;
}

/*
 * Random messages that could remove the batch's keys behind the model's
 * back (flushes, policy-del by a random index) are left to the
 * one-message runs; keyed deletes and updates of the fuzz's own keys
 * cannot meet the batch's.
 */
static bool batch_unsafe(const struct msg *m)
{
	const struct genlmsghdr *g = (const void *)(m->b + NLMSG_HDRLEN);

	return m->len >= NLMSG_HDRLEN + GENL_HDRLEN &&
	       (g->cmd == VEIL_CMD_SA_FLUSH || g->cmd == VEIL_CMD_POLICY_FLUSH ||
		g->cmd == VEIL_CMD_POLICY_DEL);
}

static bool *batch_slot(bool *sa, bool *pol, const struct bmsg *x)
{
	return bkind_sa(x->kind) ? &sa[x->key] : &pol[x->key];
}

/* Appends @m; the last one may be cut at @cut bytes. */
static struct bmsg *batch_add(struct batch *b, const struct msg *m, enum bkind k,
			      unsigned int key)
{
	struct bmsg *x;

	if (b->n == BATCH_MSGS || b->len + NLMSG_ALIGN(m->len) > BATCH_BUF)
		return NULL;
	x = &b->m[b->n++];
	memset(x, 0, sizeof(*x));
	x->kind = k;
	x->key = key;
	x->off = b->len;
	memcpy(b->buf + b->len, m->b, m->len);
	memset(b->buf + b->len + m->len, 0, NLMSG_ALIGN(m->len) - m->len);
	b->len += NLMSG_ALIGN(m->len);
	return x;
}

/* A valid change the model has not made, for behind the stop. */
static struct bmsg *batch_canary(struct batch *b, const bool *sa, struct msg *m)
{
	unsigned int key = rn(BATCH_KEYS);
	enum bkind k = sa[key] ? B_SA_DEL : B_SA_NEW;

	batch_valid(m, k, key);
	return batch_add(b, m, k, key);
}

static struct nlmsghdr *batch_hdr(struct batch *b, const struct bmsg *x)
{
	return (struct nlmsghdr *)(b->buf + x->off);
}

/*
 * Batch @idx of phase @phase: 1 to 12 messages, 40% valid changes of the
 * batch's keys, the rest random or mutated as gen_message() makes them.
 * A third of the batches stop early at a header that lies (nlmsg_len
 * over the rest of the datagram, or under a header), followed by valid
 * changes that must not happen; a tenth end in a message cut short, a
 * tenth in zero bytes. A tenth of the messages repeat the sequence
 * number of the one before.
 */
static void batch_build(struct batch *b, uint64_t idx, unsigned int phase)
{
	static struct msg m;
	bool sa[BATCH_KEYS], pol[BATCH_KEYS];	/* the model as planned */
	unsigned int i, n, stop_at, lie;
	struct bmsg *x, *liar = NULL;

	rng_for(seed, phase, idx);
	memcpy(sa, b->sa, sizeof(sa));
	memcpy(pol, b->pol, sizeof(pol));
	b->len = b->n = b->cur = 0;
	b->dump_seen = false;
	n = 1 + rn(12);
	stop_at = pct(33) ? rn(n) : n;
	for (i = 0; i < n; i++) {
		if (i == stop_at) {
			liar = batch_canary(b, sa, &m);
			batch_canary(b, sa, &m);
			break;
		}
		if (pct(40)) {
			enum bkind k = 1 + rn(4);
			unsigned int key = rn(BATCH_KEYS);

			batch_valid(&m, k, key);
			x = batch_add(b, &m, k, key);
			if (x)
				*batch_slot(sa, pol, x) = bkind_adds(k);
			continue;
		}
		do {
			if (pct(45))
				gen_random(&m);
			else
				gen_mutated(&m);
			/* gen_mutated()'s own length lies would move the boundaries. */
			msg_finish(&m);
		} while (batch_unsafe(&m));
		x = batch_add(b, &m, B_FUZZ, 0);
		/* A length short of the padding: the next one starts where it did. */
		if (x && pct(8) && m.len % 4 == 0 && m.len >= NLMSG_HDRLEN + 4)
			batch_hdr(b, x)->nlmsg_len -= 1 + rn(3);
	}
	if (liar) {
		lie = rn(2);
		batch_hdr(b, liar)->nlmsg_len = lie ? (uint32_t)(b->len - liar->off + 1 + rn(64)) :
					       rn(NLMSG_HDRLEN);
	} else if (pct(10)) {
		x = batch_canary(b, sa, &m);
		if (x)
			b->len = x->off + rn(m.len);
	} else if (pct(10) && b->len + 64 <= BATCH_BUF) {
		i = 1 + rn(48);
		memset(b->buf + b->len, 0, i);
		b->len += i;
	}
	for (i = 0; i < b->n; i++) {
		struct nlmsghdr *h = batch_hdr(b, &b->m[i]);
		const struct nlmsghdr *prev = i ? &b->m[i - 1].hdr : NULL;

		if (b->m[i].off + NLMSG_HDRLEN > b->len) {
			b->n = i;	/* cut within its header: not a message */
			break;
		}
		/*
		 * Repeated only after a message that must be answered and is
		 * no dump: its answer comes first, so each answer still
		 * names one message.
		 */
		if (prev && pct(10) && (prev->nlmsg_flags & NLM_F_ACK) &&
		    (prev->nlmsg_flags & NLM_F_DUMP) != NLM_F_DUMP &&
		    (h->nlmsg_flags & NLM_F_DUMP) != NLM_F_DUMP)
			h->nlmsg_seq = prev->nlmsg_seq;
		else
			h->nlmsg_seq = ++seq_no;
		b->m[i].hdr = *h;
	}
}

/* What netlink_rcv_skb() will make of the datagram. */
static void batch_walk(struct batch *b)
{
	size_t off = 0, rem = b->len;
	unsigned int i = 0;

	while (rem >= NLMSG_HDRLEN) {
		const struct nlmsghdr *h = (const void *)(b->buf + off);
		size_t step;

		if (h->nlmsg_len < NLMSG_HDRLEN || h->nlmsg_len > rem)
			break;
		while (i < b->n && b->m[i].off < off)
			i++;
		if (i == b->n || b->m[i].off != off)
			break;	/* cannot be: each lie stops the walk or keeps the padding */
		b->m[i].processed = true;
		b->m[i].dump = (h->nlmsg_flags & NLM_F_REQUEST) &&
			       (h->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
		b->m[i].must_answer = b->m[i].dump || (h->nlmsg_flags & NLM_F_ACK);
		step = NLMSG_ALIGN(h->nlmsg_len);
		off += step > rem ? rem : step;
		rem -= step > rem ? rem : step;
	}
}

/* The whole message @x as the core saw it, for core_rejection(). */
static const struct msg *batch_msg(struct batch *b, const struct bmsg *x)
{
	static struct msg m;

	m.len = x->hdr.nlmsg_len < MSG_MAX ? x->hdr.nlmsg_len : MSG_MAX;
	memcpy(m.b, b->buf + x->off, m.len);
	return &m;
}

/*
 * Which message one answer is for. Answers come in the order of the
 * messages; a dump's later parts come when they come. The first message
 * from the cursor with the answer's sequence number (and for an error,
 * whose header the error echoes) is the one; skipping one that must be
 * answered means its answer was lost or came out of order.
 */
static void batch_match(struct fuzz *f, struct batch *b, uint64_t idx,
			const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = NLMSG_DATA(nlh);
	bool err = nlh->nlmsg_type == NLMSG_ERROR, done = nlh->nlmsg_type == NLMSG_DONE;
	struct tally *t = f->t;
	struct bmsg *x = NULL;
	unsigned int j;

	if (err && nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*e))) {
		tally_fail(t, &t->fail_other, f->who, idx, NULL, "batch: a short error message");
		return;
	}
	for (j = 0; j < b->n; j++)
		if (b->m[j].dump && b->m[j].started && !b->m[j].answered &&
		    b->m[j].hdr.nlmsg_seq == nlh->nlmsg_seq)
			x = &b->m[j];
	for (j = b->cur; !x && j < b->n; j++) {
		struct bmsg *y = &b->m[j];

		if (!y->processed)
			break;
		if (y->hdr.nlmsg_seq == nlh->nlmsg_seq && !y->answered &&
		    (!err || !memcmp(&e->msg, &y->hdr, sizeof(y->hdr)))) {
			x = y;
			break;
		}
		if (y->must_answer && !y->answered && !y->started) {
			tally_fail(t, &t->fail_other, f->who, idx, NULL,
				   "batch: message %u (seq %u) unanswered when an answer to seq %u came",
				   j, y->hdr.nlmsg_seq, nlh->nlmsg_seq);
			return;
		}
	}
	if (!x) {
		tally_fail(t, &t->fail_other, f->who, idx, NULL,
			   "batch: an answer (type %u, seq %u%s) for no message processed, or out of order",
			   nlh->nlmsg_type, nlh->nlmsg_seq, err ? ", an error" : "");
		return;
	}
	j = x - b->m;
	if (err) {
		x->ans.req_len = x->hdr.nlmsg_len;
		note_error(&x->ans, e->error, (const char *)e + sizeof(*e),
			   (ssize_t)nlh->nlmsg_len - NLMSG_LENGTH(sizeof(*e)),
			   nlh->nlmsg_flags & NLM_F_ACK_TLVS);
		x->answered = true;
	} else if (done && x->dump) {
		x->answered = true;
	} else if (nlh->nlmsg_type == family_id && !done) {
		const struct genlmsghdr *g = NLMSG_DATA(nlh);

		if (nlh->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN) ||
		    !attrs_sane((const unsigned char *)g + GENL_HDRLEN,
				nlh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN), 0))
			tally_fail(t, &t->fail_other, f->who, idx, NULL,
				   "batch: a malformed reply to message %u", j);
		x->started = x->dump;
		if (!x->dump) {
			b->cur = j;	/* its ack may follow */
			return;
		}
	} else {
		tally_fail(t, &t->fail_other, f->who, idx, NULL,
			   "batch: message %u answered with type %u", j, nlh->nlmsg_type);
	}
	if (j >= b->cur)
		b->cur = j + 1;
}

/* The model's verdict on valid change @x: 0 or its -errno. */
static int batch_expect(const struct fuzz *f, const struct batch *b, const struct bmsg *x)
{
	bool have = bkind_sa(x->kind) ? b->sa[x->key] : b->pol[x->key];

	if (!f->admin)
		return -EPERM;
	if (bkind_adds(x->kind))
		return have ? -EEXIST : 0;
	return have ? 0 : -ENOENT;
}

/* Checks each message's answer; returns whether a fuzz message changed state. */
static bool batch_judge(struct fuzz *f, struct batch *b, uint64_t idx)
{
	struct tally *t = f->t;
	bool changed = false;
	unsigned int i;

	for (i = 0; i < b->n; i++) {
		struct bmsg *x = &b->m[i];
		const struct msg *m;
		int err = x->ans.error_seen ? x->ans.error : 0;

		if (!x->processed) {
			t->b_behind++;
			continue;
		}
		m = batch_msg(b, x);
		t->b_processed++;
		if (x->must_answer && !x->answered)
			tally_fail(t, &t->fail_other, f->who, idx, m,
				   "batch: message %u (seq %u, flags %#x) got no %s", i,
				   x->hdr.nlmsg_seq, x->hdr.nlmsg_flags, x->dump ? "NLMSG_DONE" : "ack");
		if (err) {
			t->err[errno_slot(err)]++;
			if (x->ans.has_msg) {
				t->veil_msg++;
			} else if (core_rejection(m, err, b->dump_seen)) {
				t->core++;
				t->core_err[errno_slot(err)]++;
			} else {
				tally_fail(t, &t->fail_msg, f->who, idx, m,
					   "batch: message %u rejected with %d (%s) but no extack message",
					   i, err, strerror(-err));
			}
		}
		if (x->dump)
			b->dump_seen = true;
		if (x->kind != B_FUZZ) {
			int want = batch_expect(f, b, x);

			if (err != want)
				tally_fail(t, &t->fail_state, f->who, idx, m,
					   "batch: valid change %u of key %u got %d, the model says %d",
					   i, x->key, err, want);
			else if (!err)
				*batch_slot(b->sa, b->pol, x) = bkind_adds(x->kind);
			t->b_valid++;
			continue;
		}
		if (!err && (x->hdr.nlmsg_flags & NLM_F_REQUEST) &&
		    x->hdr.nlmsg_len >= NLMSG_HDRLEN + GENL_HDRLEN &&
		    cmd_mutates(msg_genl((struct msg *)m)->cmd)) {
			changed = true;
			t->accepted_mutating++;
			if (!f->admin)
				tally_fail(t, &t->fail_perm, f->who, idx, m,
					   "batch: nobody's command %u was accepted",
					   msg_genl((struct msg *)m)->cmd);
		}
	}
	return changed;
}

/*
 * Takes the batch's keys out of @s: they go to @sa and @pol, and the
 * counts lose them, so that the rest compares as the one-message runs
 * compare it.
 */
static void snap_split(struct snapshot *s, bool *sa, bool *pol)
{
	struct entries *l[2] = { &s->sa, &s->pol };
	unsigned int i, k, w;

	memset(sa, 0, BATCH_KEYS);
	memset(pol, 0, BATCH_KEYS);
	for (k = 0; k < 2; k++) {
		for (i = w = 0; i < l[k]->n; i++) {
			uint32_t len, key;

			memcpy(&len, l[k]->e[i], 4);
			key = entry_key(k ? VEIL_CMD_POLICY_GET : VEIL_CMD_SA_GET,
					(const char *)l[k]->e[i] + 4 + GENL_HDRLEN, len - GENL_HDRLEN);
			if (key - BATCH_KEY < BATCH_KEYS) {
				(k ? pol : sa)[key - BATCH_KEY] = true;
				s->c.v[k ? VEIL_A_COUNTS_POLICY_FWD : VEIL_A_COUNTS_SA_COUNT]--;
				free(l[k]->e[i]);
				continue;
			}
			l[k]->e[w++] = l[k]->e[i];
		}
		l[k]->n = w;
	}
}

static void keys_str(char *s, const bool *k)
{
	unsigned int i;

	for (i = 0; i < BATCH_KEYS; i++)
		s[i] = k[i] ? '1' : '0';
	s[i] = '\0';
}

/*
 * After a batch: the batch's keys exist as the model says, and the rest
 * is as before, unless a fuzz message of the batch was accepted that
 * changes state.
 */
static void batch_state(struct fuzz *f, struct batch *b, uint64_t idx, bool changed)
{
	bool sa[BATCH_KEYS], pol[BATCH_KEYS], expired = false;
	struct tally *t = f->t;
	struct snapshot now;
	char why[200];
	double t0 = now_s();

	if (snap_take(f->fd, f->admin, &now)) {
		tally_fail(t, &t->fail_other, f->who, idx, NULL, "batch: dumps failed");
		snap_free(&now);
		return;
	}
	snap_split(&now, sa, pol);
	if (memcmp(sa, b->sa, sizeof(sa)) || memcmp(pol, b->pol, sizeof(pol))) {
		char ms[BATCH_KEYS + 1], mp[BATCH_KEYS + 1], ds[BATCH_KEYS + 1], dp[BATCH_KEYS + 1];

		keys_str(ms, b->sa);
		keys_str(mp, b->pol);
		keys_str(ds, sa);
		keys_str(dp, pol);
		tally_fail(t, &t->fail_state, f->who, idx, NULL,
			   "batch: the model has SAs %s and policies %s, the dumps %s and %s",
			   ms, mp, ds, dp);
		memcpy(b->sa, sa, sizeof(sa));
		memcpy(b->pol, pol, sizeof(pol));
	}
	if (!changed && !snap_same(&f->base, &now, &expired, why, sizeof(why)))
		tally_fail(t, &t->fail_state, f->who, idx, NULL,
			   "batch: state beyond the batch's keys changed, no fuzz message accepted: %s",
			   why);
	if (expired)
		t->expired++;
	snap_free(&f->base);
	f->base = now;
	f->base_c = now.c;
	t->t_snap += now_s() - t0;
}

/* Every answer to a batch, each to its message. */
static void batch_answers(struct fuzz *f, struct batch *b, uint64_t idx)
{
	for (;;) {
		ssize_t len = recv(f->fd, rbuf, sizeof(rbuf), MSG_DONTWAIT);
		const struct nlmsghdr *nlh = (const void *)rbuf;

		if (len < 0) {
			if (errno != ENOBUFS)
				return;
			tally_fail(f->t, &f->t->fail_other, f->who, idx, NULL,
				   "batch: receive queue overrun");
			continue;
		}
		for (; NLMSG_OK(nlh, len); nlh = NLMSG_NEXT(nlh, len))
			batch_match(f, b, idx, nlh);
	}
}

static void batch_print(const char *who, const struct tally *t)
{
	printf("# %s batches: %" PRIu64 " datagrams, %" PRIu64 " messages, %" PRIu64
	       " taken by the core (%" PRIu64 " valid changes), %" PRIu64 " behind a malformed header in %"
	       PRIu64 " datagrams; rejected by veil with a message %" PRIu64 ", by the core %" PRIu64
	       ", fuzz changes accepted %" PRIu64 "\n",
	       who, t->batches, t->sent, t->b_processed, t->b_valid, t->b_behind, t->b_stopped,
	       t->veil_msg, t->core, t->accepted_mutating);
}

/* @count batches, their random streams numbered by f->phase. */
static void batch_run(struct fuzz *f, uint64_t count)
{
	static struct batch b;
	struct tally *t = f->t;
	uint64_t i;
	unsigned int k;

	snap_free(&f->base);
	if (snap_take(f->fd, f->admin, &f->base))
		tally_fail(t, &t->fail_other, f->who, 0, NULL, "batch: no snapshot to start from");
	snap_split(&f->base, b.sa, b.pol);
	f->base_c = f->base.c;
	for (i = 0; i < count; i++) {
		double t0 = now_s();
		bool stopped = false;

		batch_build(&b, i, f->phase);
		batch_walk(&b);
		if (send(f->fd, b.buf, b.len, 0) < 0) {
			tally_fail(t, &t->fail_other, f->who, i, NULL, "batch: send: %s",
				   strerror(errno));
			continue;
		}
		batch_answers(f, &b, i);
		t->t_send += now_s() - t0;
		t->batches++;
		t->sent += b.n;
		for (k = 0; k < b.n; k++)
			stopped |= !b.m[k].processed;
		t->b_stopped += stopped;
		if (f->ev_fd >= 0)
			events_check(f, i, NULL);
		batch_state(f, &b, i, batch_judge(f, &b, i));
	}
}

/* -------------------------------------------------------------- acquires */

/*
 * Acquires while the fuzzer runs. Out policies from 10.55.0.1 to
 * 10.55.0.0/16 and from fd55::1 to fd55::/64, addresses on lo, carry two
 * templates, AH at level use and ESP required, for which no SA exists:
 * a UDP packet to an address of theirs is dropped and, once per source,
 * destination, policy and template for acquire_expires seconds
 * (output.c), raises acquire-ntf for template 1. Between the fuzz
 * messages the phase sends packets to addresses not used before, each of
 * which must raise exactly one well-formed acquire with its own flow, and
 * updates, deletes and flushes the policies and adds and removes SAs that
 * answer acquires, each with the packets it must and must not raise
 * acquires for. The packets go from this process, between messages,
 * rather than from another: genetlink sends the acquire from inside
 * sendto(), so each one is read right after its packet and can be told
 * apart from every other.
 */
#define ACQ_REQID	4201
#define ACQ_SPI		0x55000000u
#define ACQ_PRIO	7

struct acq {
	int fd[2];		/* UDP sockets bound to 10.55.0.1 and fd55::1 */
	uint16_t sport[2];
	int ev;			/* in the events group */
	unsigned int next;	/* the next address not used yet */
	unsigned int last[2];	/* the last that raised an acquire */
	uint32_t reqid;		/* the ESP template's; policy-update changes it */
	unsigned int packets, raised, ops, fails;
	char why[300];
};

static void acq_fail(struct acq *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void acq_fail(struct acq *a, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (!a->fails++)
		vsnprintf(a->why, sizeof(a->why), fmt, ap);
	va_end(ap);
	if (a->fails <= MAX_REPORTS) {
		va_start(ap, fmt);
		printf("# FAIL acquire (--seed %" PRIu64 "): ", seed);
		vprintf(fmt, ap);
		printf("\n");
		va_end(ap);
	}
}

static int fam_of(unsigned int fi)
{
	return fi ? AF_INET6 : AF_INET;
}

static size_t alen_of(int fam)
{
	return fam == AF_INET ? 4 : 16;
}

/* Host @host of the acquire networks; 1 is the source, 0 the network. */
static void acq_addr(unsigned char *a, int fam, unsigned int host)
{
	memset(a, 0, 16);
	if (fam == AF_INET) {
		a[0] = 10; a[1] = 55; a[2] = host >> 8; a[3] = host;
	} else {
		a[0] = 0xfd; a[1] = 0x55; a[14] = host >> 8; a[15] = host;
	}
}

static void acq_tmpl(struct msg *m, int proto, uint32_t reqid, int level)
{
	size_t n = nest(m, VEIL_A_POLICY_TMPL);

	put_u8(m, VEIL_A_TMPL_PROTO, proto);
	put_u8(m, VEIL_A_TMPL_MODE, VEIL_MODE_TRANSPORT);
	put_u32(m, VEIL_A_TMPL_REQID, reqid);
	put_u8(m, VEIL_A_TMPL_LEVEL, level);
	nest_end(m, n);
}

/* policy-new, -update or -del of the acquire policy of family @fi. */
static void acq_policy(struct msg *m, unsigned int fi, unsigned int cmd, uint32_t reqid)
{
	int fam = fam_of(fi);
	unsigned char a[16];
	size_t n;

	msg_init(m, cmd, NLM_F_REQUEST | NLM_F_ACK);
	n = nest(m, VEIL_A_POLICY_SELECTOR);
	put_u16(m, VEIL_A_SELECTOR_FAMILY, fam);
	acq_addr(a, fam, 1);
	put(m, VEIL_A_SELECTOR_SRC, a, alen_of(fam));
	acq_addr(a, fam, 0);
	put(m, VEIL_A_SELECTOR_DST, a, alen_of(fam));
	put_u8(m, VEIL_A_SELECTOR_SRC_PREFIX_LEN, 8 * alen_of(fam));
	put_u8(m, VEIL_A_SELECTOR_DST_PREFIX_LEN, fam == AF_INET ? 16 : 64);
	nest_end(m, n);
	put_u8(m, VEIL_A_POLICY_DIR, VEIL_DIR_OUT);
	if (cmd != VEIL_CMD_POLICY_DEL) {
		put_u32(m, VEIL_A_POLICY_PRIORITY, ACQ_PRIO);
		acq_tmpl(m, IPPROTO_AH, reqid + 1, VEIL_LEVEL_USE);
		acq_tmpl(m, IPPROTO_ESP, reqid, VEIL_LEVEL_REQUIRED);
	}
	msg_finish(m);
}

/* sa-new or sa-del of an SA that answers the acquire for @host. */
static void acq_sa(struct msg *m, unsigned int host, unsigned int cmd, uint32_t reqid)
{
	unsigned char a[16];

	msg_init(m, cmd, NLM_F_REQUEST | NLM_F_ACK);
	put_u16(m, VEIL_A_SA_FAMILY, AF_INET);
	acq_addr(a, AF_INET, host);
	put(m, VEIL_A_SA_DST, a, 4);
	put_u8(m, VEIL_A_SA_PROTO, IPPROTO_ESP);
	put_u32(m, VEIL_A_SA_SPI, ACQ_SPI + host);
	if (cmd == VEIL_CMD_SA_NEW) {
		acq_addr(a, AF_INET, 1);
		put(m, VEIL_A_SA_SRC, a, 4);
		put_u32(m, VEIL_A_SA_REQID, reqid);
		put_key_alg(m, VEIL_A_SA_ENC, "ecb(cipher_null)", 0, 0, 0);
		put_key_alg(m, VEIL_A_SA_AUTH, "hmac(sha256)", 32, 0, 0);
	}
	msg_finish(m);
}

static void acq_do(struct acq *a, int fd, struct msg *m, const char *what)
{
	char why[200] = "";

	if (simple(fd, m, NULL, NULL, why, sizeof(why)))
		acq_fail(a, "%s failed: %s", what, why);
	a->ops++;
}

/* Whether a stream of attributes is what the spec says, type by type. */
static bool spec_ok(const unsigned char *p, size_t len, const struct aset *set, int depth)
{
	size_t off = 0;

	while (off + NLA_HDRLEN <= len) {
		const struct nlattr *a = (const void *)(p + off);
		unsigned int type = a->nla_type & NLA_TYPE_MASK;
		const unsigned char *v = p + off + NLA_HDRLEN;
		const struct aspec *sp;
		size_t n;
		bool ok;

		if (a->nla_len < NLA_HDRLEN || off + a->nla_len > len || !type ||
		    (int)type > set->max)
			return false;
		sp = &set->a[type];
		n = a->nla_len - NLA_HDRLEN;
		switch (sp->kind) {
		case K_U8: ok = n == 1; break;
		case K_U16: ok = n == 2; break;
		case K_U32: ok = n == 4; break;
		case K_U64: ok = n == 8; break;
		case K_FLAG: ok = !n; break;
		case K_BIN: ok = n <= sp->len; break;
		case K_STR: ok = n && n <= sp->len + 1 && !v[n - 1]; break;
		case K_NEST: ok = depth < 4 && spec_ok(v, n, sp->nest, depth + 1); break;
		default: ok = false; break;
		}
		if (!ok)
			return false;
		off += NLA_ALIGN(a->nla_len);
	}
	return off == len;
}

/* An attribute's unsigned value, or ~0 when it is missing. */
static uint64_t attr_uint(const void *p, size_t len, int type)
{
	const struct nlattr *a = attr_find(p, len, type);
	uint64_t v = 0;
	size_t n = a ? a->nla_len - NLA_HDRLEN : 0;

	if (!a || (n != 1 && n != 2 && n != 4 && n != 8))
		return ~0ull;
	memcpy(&v, (const char *)a + NLA_HDRLEN, n);	/* little-endian, as the VM */
	return v;
}

static bool attr_is(const void *p, size_t len, int type, const void *want, size_t n)
{
	const struct nlattr *a = attr_find(p, len, type);

	return a && a->nla_len == NLA_HDRLEN + n && !memcmp((const char *)a + NLA_HDRLEN, want, n);
}

#define NEST_IN(a)	((const char *)(a) + NLA_HDRLEN), ((a)->nla_len - NLA_HDRLEN)

/* What the selector nest @s must say: @fam, from @src/@slen to @dst/@dlen. */
static bool sel_is(const struct nlattr *s, int fam, const unsigned char *src, unsigned int slen,
		   const unsigned char *dst, unsigned int dlen)
{
	return s && attr_uint(NEST_IN(s), VEIL_A_SELECTOR_FAMILY) == (uint64_t)fam &&
	       attr_is(NEST_IN(s), VEIL_A_SELECTOR_SRC, src, alen_of(fam)) &&
	       attr_is(NEST_IN(s), VEIL_A_SELECTOR_DST, dst, alen_of(fam)) &&
	       attr_uint(NEST_IN(s), VEIL_A_SELECTOR_SRC_PREFIX_LEN) == slen &&
	       attr_uint(NEST_IN(s), VEIL_A_SELECTOR_DST_PREFIX_LEN) == dlen;
}

/*
 * One acquire-ntf, for the packet of family @fi to @host, port @dport:
 * the policy's selector, direction and priority, the flow of the packet,
 * template 1 and that template as the policy has it now.
 */
static const char *acq_wrong(const struct acq *a, const struct nlmsghdr *nlh, unsigned int fi,
			     unsigned int host, uint16_t dport)
{
	const char *p = (const char *)NLMSG_DATA(nlh) + GENL_HDRLEN;
	size_t len = nlh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN), at[8];
	unsigned char src[16], net[16], dst[16];
	const struct nlattr *flow, *t;
	int fam = fam_of(fi);
	unsigned int nt = 0, i;

	if (!spec_ok((const unsigned char *)p, len, &policy_set, 0))
		return "attributes not as the spec's policy set has them";
	acq_addr(src, fam, 1);
	acq_addr(net, fam, 0);
	acq_addr(dst, fam, host);
	if (!sel_is(attr_find(p, len, VEIL_A_POLICY_SELECTOR), fam, src, 8 * alen_of(fam), net,
		    fam == AF_INET ? 16 : 64))
		return "selector not the policy's";
	if (attr_uint(p, len, VEIL_A_POLICY_DIR) != VEIL_DIR_OUT ||
	    attr_uint(p, len, VEIL_A_POLICY_PRIORITY) != ACQ_PRIO ||
	    attr_uint(p, len, VEIL_A_POLICY_INDEX) == ~0ull)
		return "direction, priority or index not the policy's";
	flow = attr_find(p, len, VEIL_A_POLICY_FLOW);
	if (!sel_is(flow, fam, src, 8 * alen_of(fam), dst, 8 * alen_of(fam)) ||
	    attr_uint(NEST_IN(flow), VEIL_A_SELECTOR_PROTO) != IPPROTO_UDP ||
	    attr_uint(NEST_IN(flow), VEIL_A_SELECTOR_SPORT) != a->sport[fi] ||
	    attr_uint(NEST_IN(flow), VEIL_A_SELECTOR_DPORT) != dport)
		return "flow not the packet's";
	if (attr_uint(p, len, VEIL_A_POLICY_TMPL_INDEX) != 1)
		return "template index not 1";
	for (i = 0; i < walk_raw((const unsigned char *)p, len, at, 8); i++) {
		t = (const void *)(p + at[i]);
		if ((t->nla_type & NLA_TYPE_MASK) == VEIL_A_POLICY_TMPL && nt++ == 1 &&
		    (attr_uint(NEST_IN(t), VEIL_A_TMPL_PROTO) != IPPROTO_ESP ||
		     attr_uint(NEST_IN(t), VEIL_A_TMPL_REQID) != a->reqid ||
		     attr_uint(NEST_IN(t), VEIL_A_TMPL_LEVEL) != VEIL_LEVEL_REQUIRED))
			return "template 1 not the policy's";
	}
	return nt == 2 ? NULL : "not the policy's two templates";
}

/*
 * Reads the events group: returns the acquires, each checked against the
 * packet of family @fi to @host (when @host is 0, none may come).
 */
static unsigned int acq_read(struct acq *a, unsigned int fi, unsigned int host, uint16_t dport,
			     const char *when)
{
	unsigned int got = 0;

	for (;;) {
		ssize_t len = recv(a->ev, rbuf, sizeof(rbuf), MSG_DONTWAIT);
		const struct nlmsghdr *nlh = (const void *)rbuf;

		if (len < 0) {
			if (errno != ENOBUFS)
				return got;
			acq_fail(a, "%s: the listener's queue overflowed", when);
			continue;
		}
		for (; NLMSG_OK(nlh, len); nlh = NLMSG_NEXT(nlh, len)) {
			const struct genlmsghdr *g = NLMSG_DATA(nlh);
			const char *wrong;

			if (nlh->nlmsg_type != family_id || nlh->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN) ||
			    g->cmd != VEIL_CMD_ACQUIRE_NTF)
				continue;
			got++;
			if (!host) {
				acq_fail(a, "%s: an acquire with no packet sent", when);
				continue;
			}
			wrong = acq_wrong(a, nlh, fi, host, dport);
			if (wrong) {
				acq_fail(a, "%s: acquire for %s host %u: %s", when,
					 fi ? "IPv6" : "IPv4", host, wrong);
				hexdump(nlh, nlh->nlmsg_len);
			}
		}
	}
}

/* A packet of family @fi to @host, which must raise @want acquires. */
static void acq_packet(struct acq *a, unsigned int fi, unsigned int host, unsigned int want,
		       const char *when)
{
	union {
		struct sockaddr_in v4;
		struct sockaddr_in6 v6;
	} sa = { 0 };
	uint16_t dport = 4000 + host % 1000;
	unsigned int got;

	acq_read(a, 0, 0, 0, when);	/* nothing may be waiting */
	if (fi) {
		sa.v6.sin6_family = AF_INET6;
		sa.v6.sin6_port = htons(dport);
		acq_addr(sa.v6.sin6_addr.s6_addr, AF_INET6, host);
	} else {
		sa.v4.sin_family = AF_INET;
		sa.v4.sin_port = htons(dport);
		acq_addr((unsigned char *)&sa.v4.sin_addr, AF_INET, host);
	}
	/* Dropped by the policy: EPERM from the hook, or sent. Either is fine. */
	sendto(a->fd[fi], "veil", 4, 0, (struct sockaddr *)&sa,
	       fi ? sizeof(sa.v6) : sizeof(sa.v4));
	a->packets++;
	got = acq_read(a, fi, host, dport, when);
	a->raised += got;
	if (got == 1)
		a->last[fi] = host;
	if (got != want)
		acq_fail(a, "%s: a packet to %s host %u raised %u acquires, not %u", when,
			 fi ? "IPv6" : "IPv4", host, got, want);
}

/* A packet to an address not used yet: one acquire, or @want. */
static void acq_new(struct acq *a, unsigned int fi, unsigned int want, const char *when)
{
	acq_packet(a, fi, a->next++, want, when);
}

static void acq_install(struct acq *a, int fd, unsigned int fi)
{
	static struct msg m;

	acq_policy(&m, fi, VEIL_CMD_POLICY_NEW, a->reqid);
	acq_do(a, fd, &m, "policy-new");
}

/*
 * What an accepted fuzz message may have done to the phase's set-up: its
 * policies gone, or another out policy in front of them. Puts it back.
 */
static void acq_restore(struct acq *a, struct fuzz *f)
{
	static struct msg m;
	unsigned int i, fi, mine[2] = { 0, 0 };

	for (i = 0; i < f->base.pol.n; i++) {
		const unsigned char *e = f->base.pol.e[i];
		const char *p = (const char *)e + 4 + GENL_HDRLEN;
		const struct nlattr *s;
		uint32_t len, idx;

		memcpy(&len, e, 4);
		len -= GENL_HDRLEN;
		if (attr_uint(p, len, VEIL_A_POLICY_DIR) != VEIL_DIR_OUT)
			continue;
		s = attr_find(p, len, VEIL_A_POLICY_SELECTOR);
		for (fi = 0; fi < 2 && s; fi++) {
			unsigned char src[16], net[16];

			acq_addr(src, fam_of(fi), 1);
			acq_addr(net, fam_of(fi), 0);
			if (sel_is(s, fam_of(fi), src, 8 * alen_of(fam_of(fi)), net,
				   fi ? 64 : 16) && attr_uint(p, len, VEIL_A_POLICY_PRIORITY) == ACQ_PRIO)
				break;
		}
		if (s && fi < 2) {
			mine[fi]++;
			continue;
		}
		idx = attr_uint(p, len, VEIL_A_POLICY_INDEX);
		msg_init(&m, VEIL_CMD_POLICY_DEL, NLM_F_REQUEST | NLM_F_ACK);
		put_u32(&m, VEIL_A_POLICY_INDEX, idx);
		msg_finish(&m);
		acq_do(a, f->fd, &m, "policy-del of a fuzz message's out policy");
	}
	for (fi = 0; fi < 2; fi++)
		if (!mine[fi])
			acq_install(a, f->fd, fi);
	rebase(f);
}

/*
 * The deliberate changes, with acquires pending: each with the packets it
 * must and must not raise acquires for.
 */
static void acq_op(struct acq *a, struct fuzz *f, unsigned int op)
{
	static struct msg m;
	unsigned int fi, h = a->last[0];

	switch (op) {
	case 0: /* an update: the acquires name the new template */
		a->reqid += 2;
		for (fi = 0; fi < 2; fi++) {
			acq_policy(&m, fi, VEIL_CMD_POLICY_UPDATE, a->reqid);
			acq_do(a, f->fd, &m, "policy-update");
			acq_new(a, fi, 1, "after policy-update");
		}
		break;
	case 1: /* deleted: no acquire; back: acquires again */
		for (fi = 0; fi < 2; fi++) {
			acq_policy(&m, fi, VEIL_CMD_POLICY_DEL, 0);
			acq_do(a, f->fd, &m, "policy-del");
			acq_new(a, fi, 0, "after policy-del");
			acq_install(a, f->fd, fi);
			acq_new(a, fi, 1, "after policy-del and policy-new");
		}
		break;
	case 2: /* flushed: the same */
		msg_init(&m, VEIL_CMD_POLICY_FLUSH, NLM_F_REQUEST | NLM_F_ACK);
		msg_finish(&m);
		acq_do(a, f->fd, &m, "policy-flush");
		for (fi = 0; fi < 2; fi++)
			acq_new(a, fi, 0, "after policy-flush");
		for (fi = 0; fi < 2; fi++) {
			acq_install(a, f->fd, fi);
			acq_new(a, fi, 1, "after policy-flush and policy-new");
		}
		break;
	case 3:
		/*
		 * An SA answers the pending acquire of h: its packets go
		 * out in ESP, with no acquire. Once it is deleted the next
		 * packet must ask again at once, as XFRM's does (the SA
		 * replaced its larval state): a key manager that lost an
		 * SA waits no acquire_expires for the next.
		 */
		if (!h)
			break;
		acq_sa(&m, h, VEIL_CMD_SA_NEW, a->reqid);
		acq_do(a, f->fd, &m, "sa-new for a pending acquire");
		acq_packet(a, 0, h, 0, "with the SA that answers the acquire");
		acq_sa(&m, h, VEIL_CMD_SA_DEL, a->reqid);
		acq_do(a, f->fd, &m, "sa-del of the SA that answered an acquire");
		acq_packet(a, 0, h, 1, "after the SA that answered the acquire was deleted");
		break;
	default: /* sa-flush with acquires pending: they go as XFRM's larval SAs go */
		msg_init(&m, VEIL_CMD_SA_FLUSH, NLM_F_REQUEST | NLM_F_ACK);
		msg_finish(&m);
		acq_do(a, f->fd, &m, "sa-flush");
		for (fi = 0; fi < 2; fi++)
			if (a->last[fi])
				acq_packet(a, fi, a->last[fi], 1, "after sa-flush");
		break;
	}
	rebase(f);
}

/* 10.55.0.1/16 (label lo:55) and fd55::1/64 on lo, for the acquire flows. */
static int acq_addrs(void)
{
	struct ifreq ifr = { .ifr_name = "lo:55" };
	struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;
	struct {		/* struct in6_ifreq, which <netinet/in.h> lacks */
		struct in6_addr addr;
		uint32_t prefixlen;
		int ifindex;
	} r6 = { .prefixlen = 64, .ifindex = if_nametoindex("lo") };
	int s4 = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int s6 = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int ret = s4 < 0 || s6 < 0 ? -1 : 0;

	sin->sin_family = AF_INET;
	acq_addr((unsigned char *)&sin->sin_addr, AF_INET, 1);
	if (!ret)
		ret = ioctl(s4, SIOCSIFADDR, &ifr);
	sin->sin_addr.s_addr = htonl(0xffff0000);
	if (!ret)
		ret = ioctl(s4, SIOCSIFNETMASK, &ifr);
	acq_addr(r6.addr.s6_addr, AF_INET6, 1);
	if (!ret)
		ret = ioctl(s6, SIOCSIFADDR, &r6);
	if (s4 >= 0)
		close(s4);
	if (s6 >= 0)
		close(s6);
	return ret;
}

/* A UDP socket bound to the acquire source of family @fi. */
static int acq_socket(struct acq *a, unsigned int fi)
{
	union {
		struct sockaddr_in v4;
		struct sockaddr_in6 v6;
	} sa = { 0 };
	socklen_t len = fi ? sizeof(sa.v6) : sizeof(sa.v4);
	int fd = socket(fam_of(fi), SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fi) {
		sa.v6.sin6_family = AF_INET6;
		acq_addr(sa.v6.sin6_addr.s6_addr, AF_INET6, 1);
	} else {
		sa.v4.sin_family = AF_INET;
		acq_addr((unsigned char *)&sa.v4.sin_addr, AF_INET, 1);
	}
	/*
	 * IPv6 addrconf runs duplicate address detection from a work
	 * item even on lo, where it ends at once: until then the new
	 * address is tentative and bind() says EADDRNOTAVAIL. Wait for
	 * it, up to 5 s, rather than race it.
	 */
	for (int tries = 0; fd >= 0 && bind(fd, (struct sockaddr *)&sa, len); tries++) {
		if (errno != EADDRNOTAVAIL || tries == 500) {
			close(fd);
			return -1;
		}
		usleep(10000);
	}
	if (fd < 0 || getsockname(fd, (struct sockaddr *)&sa, &len)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	a->sport[fi] = ntohs(fi ? sa.v6.sin6_port : sa.v4.sin_port);
	a->fd[fi] = fd;
	return 0;
}

/*
 * The phase: @count fuzz messages (the root run's kinds, the root run's
 * checks) with a packet to a new address after every fourth and a
 * deliberate change after every fiftieth; then the namespace flushed,
 * which must leave no state and no pending acquire behind.
 */
static void acquire_test(struct fuzz *f, uint64_t count)
{
	struct acq a = { .fd = { -1, -1 }, .next = 2, .reqid = ACQ_REQID };
	static struct msg m;
	uint64_t i, changes;
	bool setup;
	char why[200] = "";

	a.ev = events_open();
	setup = !acq_addrs() && !acq_socket(&a, 0) && !acq_socket(&a, 1) && a.ev >= 0;
	if (!setup) {
		ktap(false, "acquire: set-up (addresses on lo, sockets, a listener): %s",
		     strerror(errno));
		ktap(false, "acquire: no set-up, no fuzzing");
		return;
	}
	flush_all(f->fd, why, sizeof(why));
	acq_install(&a, f->fd, 0);
	acq_install(&a, f->fd, 1);
	rebase(f);
	for (i = 0; i < count; i++) {
		changes = f->t->accepted_mutating;
		gen_message(&m, seed, f->phase, N_SWEEP + i);
		fuzz_one(f, i, &m);
		acq_read(&a, 0, 0, 0, "after a fuzz message");
		if (f->t->accepted_mutating != changes)
			acq_restore(&a, f);
		if (i % 4 == 0) {
			acq_new(&a, i % 8 ? 0 : 1, 1, "under fuzzing");
			/* Pending for acquire_expires (30 s): once per flow. */
			if (i % 32 == 0)
				acq_packet(&a, 1, a.last[1], 0, "again while its acquire is pending");
		}
		if (i % 50 == 25)
			acq_op(&a, f, (i / 50) % 5);
		if ((i + 1) % CHECK_EVERY == 0)
			full_check(f, i, &m);
	}
	full_check(f, count, NULL);

	/* Flushed: nothing left, and the old flows ask anew. */
	/* The fuzz's adopted sockets stay until main() closes them. */
	if (flush_all(f->fd, why, sizeof(why)) || !state_empty(f->fd, false))
		acq_fail(&a, "state left after the flush: %s", why);
	for (i = 0; i < 2; i++)
		if (a.last[i])
			acq_packet(&a, i, a.last[i], 0, "with no policy after the flush");
	for (i = 0; i < 2; i++) {
		acq_install(&a, f->fd, i);
		if (a.last[i])
			acq_packet(&a, i, a.last[i], 1, "after the flush and policy-new");
	}
	if (flush_all(f->fd, why, sizeof(why)) || !state_empty(f->fd, false))
		acq_fail(&a, "state left after the second flush: %s", why);
	rebase(f);
	close(a.fd[0]);
	close(a.fd[1]);
	close(a.ev);
	printf("# acquire: %u packets, %u acquires read and checked, %u changes made\n",
	       a.packets, a.raised, a.ops);
	ktap(!a.fails && a.raised,
	     "acquire: %u packets each raise the acquires they must, each well-formed with its flow and template, across policy update/del/flush and SAs that answer them; none left after the flush%s%s",
	     a.packets, a.fails ? ": " : "", a.why);
	ktap(!f->t->fail_msg && !f->t->fail_other && !f->t->fail_event && !f->t->fail_state,
	     "acquire: %" PRIu64 " random and mutated messages with acquires pending, rejections with messages, rejected messages change no state%s%s",
	     f->t->sent, f->t->first_fail[0] ? ": " : "", f->t->first_fail);
}

/* The phase on socket @fd, with the root run's checks counted in @t. */
static void acquire_run(int fd, struct tally *t, uint64_t count)
{
	struct fuzz f = { .who = "acquire", .phase = 7, .admin = true, .fd = fd, .t = t };

	f.ev_fd = events_open();
	acquire_test(&f, count);
	snap_free(&f.base);
	tally_print("acquire", t);
	if (f.ev_fd >= 0)
		close(f.ev_fd);
}

/* ---------------------------------------------------------------- nobody */

static const enum tmpl mutating_tmpls[] = {
	T_SA_AEAD, T_SA_CBC, T_SA_AH, T_SA_FULL, T_SA_UPDATE, T_SA_DEL, T_SA_FLUSH,
	T_POL_NEW, T_POL_BLOCK, T_POL_UPDATE, T_POL_DEL, T_POL_DEL_IDX, T_POL_FLUSH,
	T_ENCAP_PORT, T_ENCAP_FD, T_ENCAP_DEL,
};

static const enum tmpl reading_tmpls[] = {
	T_INFO, T_COUNTS, T_STATS, T_SA_DUMP, T_POL_DUMP, T_ENCAP_DUMP,
};

/*
 * As nobody: the reads kmod/netlink.c opens to everyone work, keys and
 * every change are refused with EPERM and a message.
 */
static void nobody_rules(int fd, struct tally *t)
{
	static struct msg m;
	struct answer ans;
	unsigned int i, k;

	for (i = 0; i < sizeof(reading_tmpls) / sizeof(reading_tmpls[0]); i++) {
		rng_for(seed, 9, i);
		gen_template(&m, reading_tmpls[i]);
		if (transact(fd, &m, &ans, NULL, NULL) || (ans.error_seen && ans.error))
			tally_fail(t, &t->fail_perm, "nobody", i, &m, "read %u refused: %d %s",
				   reading_tmpls[i], ans.error, ans.msg);
	}
	for (k = 0; k < 2; k++) {
		rng_for(seed, 10, k);
		gen_template(&m, k ? T_SA_DUMP_KEYS : T_SA_GET_KEYS);
		if (transact(fd, &m, &ans, NULL, NULL) || ans.error != -EPERM || !ans.has_msg)
			tally_fail(t, &t->fail_perm, "nobody", k, &m,
				   "keys not refused with EPERM and a message: %d %s",
				   ans.error, ans.msg);
	}
	for (i = 0; i < sizeof(mutating_tmpls) / sizeof(mutating_tmpls[0]); i++)
		for (k = 0; k < 4; k++) {
			rng_for(seed, 11, i * 4 + k);
			gen_template(&m, mutating_tmpls[i]);
			if (transact(fd, &m, &ans, NULL, NULL) || ans.error != -EPERM ||
			    !ans.has_msg)
				tally_fail(t, &t->fail_perm, "nobody", i * 4 + k, &m,
					   "command %u not refused with EPERM and a message: %d %s",
					   msg_genl(&m)->cmd, ans.error, ans.msg);
		}
}

static int drop_to_nobody(void)
{
	if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
	    setresuid(NOBODY, NOBODY, NOBODY))
		return -1;
	return geteuid() == NOBODY ? 0 : -1;
}

/* The nobody run, in a child; its counters come back in @t and @tb. */
static int nobody_run(struct tally *t, uint64_t count, struct tally *rules, struct tally *tb,
		      uint64_t batches)
{
	struct fuzz f = { .who = "nobody", .phase = 2, .t = t, .ev_fd = -1 };
	pid_t pid;
	int status;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		if (drop_to_nobody()) {
			printf("# could not become nobody: %s\n", strerror(errno));
			_exit(2);
		}
		f.fd = fuzz_open(false);
		if (f.fd < 0) {
			printf("# nobody: no netlink socket: %s\n", strerror(errno));
			_exit(2);
		}
		f.ev_fd = events_open();
		nobody_rules(f.fd, rules);
		fuzz_run(&f, count);
		f.t = tb;
		f.phase = 6;
		batch_run(&f, batches);
		snap_free(&f.base);
		fflush(stdout);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status) ? -1 : 0;
}

/* -------------------------------------------------------------- set-up */

static int lo_up(void)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int ret;

	if (s < 0)
		return -1;
	ret = ioctl(s, SIOCGIFFLAGS, &ifr);
	ifr.ifr_flags |= IFF_UP;
	if (!ret)
		ret = ioctl(s, SIOCSIFFLAGS, &ifr);
	close(s);
	return ret;
}

static void add_fd(int fd)
{
	if (fd >= 0 && nfds < (int)(sizeof(fds) / sizeof(fds[0])))
		fds[nfds++] = fd;
}

/* A socket bound to 127.0.0.1, port chosen by the kernel. */
static int bound(int type, int proto)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, type, proto);

	if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a))) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Descriptors for the fd attributes: UDP sockets encap-new may adopt, and
 * some it must refuse (unbound, with UDP_ENCAP set already, UDP-Lite, raw
 * sockets of protocol UDP and TCP, one of another namespace), a connected
 * TCP pair tls-key-new may key, a listener, and a file. @other_ns is a UDP
 * socket of the initial namespace.
 */
static void open_fds(int other_ns)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	int l, c, encap = 2 /* UDP_ENCAP_ESPINUDP */;

	add_fd(bound(SOCK_DGRAM, 0));
	add_fd(bound(SOCK_DGRAM, 0));
	c = bound(SOCK_DGRAM, 0);
	if (c >= 0 && setsockopt(c, IPPROTO_UDP, 100 /* UDP_ENCAP */, &encap, sizeof(encap))) {
		close(c);
		c = -1;
	}
	add_fd(c);
	add_fd(bound(SOCK_DGRAM, IPPROTO_UDPLITE));
	add_fd(socket(AF_INET, SOCK_RAW, IPPROTO_UDP));
	add_fd(socket(AF_INET, SOCK_RAW, IPPROTO_TCP));
	add_fd(socket(AF_INET6, SOCK_DGRAM, 0));
	add_fd(other_ns);
	l = socket(AF_INET, SOCK_STREAM, 0);
	if (l >= 0 && !bind(l, (struct sockaddr *)&a, sizeof(a)) && !listen(l, 1) &&
	    !getsockname(l, (struct sockaddr *)&a, &alen)) {
		c = socket(AF_INET, SOCK_STREAM, 0);
		if (c >= 0 && !connect(c, (struct sockaddr *)&a, sizeof(a))) {
			add_fd(c);
			add_fd(accept(l, NULL, NULL));
		}
		add_fd(l);
	}
	add_fd(open("/dev/null", O_RDONLY));
}

/*
 * Removes SAs, policies and the encapsulation sockets veil opened; those
 * it adopted from this process go when the process closes them.
 */
static int flush_all(int fd, char *why, size_t whylen)
{
	struct entries enc = { 0 };
	struct msg m;
	unsigned int i;
	int ret;

	msg_init(&m, VEIL_CMD_SA_FLUSH, NLM_F_REQUEST | NLM_F_ACK);
	msg_finish(&m);
	ret = simple(fd, &m, NULL, NULL, why, whylen);
	if (ret)
		return ret;
	msg_init(&m, VEIL_CMD_POLICY_FLUSH, NLM_F_REQUEST | NLM_F_ACK);
	msg_finish(&m);
	ret = simple(fd, &m, NULL, NULL, why, whylen);
	if (ret)
		return ret;
	ret = dump(fd, VEIL_CMD_ENCAP_GET, false, &enc);
	for (i = 0; !ret && i < enc.n; i++) {
		const unsigned char *e = enc.e[i];
		uint32_t len;
		const struct nlattr *fam, *port;

		memcpy(&len, e, 4);
		fam = attr_find(e + 4 + GENL_HDRLEN, len - GENL_HDRLEN, VEIL_A_ENCAP_SOCK_FAMILY);
		port = attr_find(e + 4 + GENL_HDRLEN, len - GENL_HDRLEN, VEIL_A_ENCAP_SOCK_PORT);
		if (!fam || !port ||
		    !attr_find(e + 4 + GENL_HDRLEN, len - GENL_HDRLEN, VEIL_A_ENCAP_SOCK_KERNEL))
			continue;
		msg_init(&m, VEIL_CMD_ENCAP_DEL, NLM_F_REQUEST | NLM_F_ACK);
		put(&m, VEIL_A_ENCAP_SOCK_FAMILY, (const char *)fam + NLA_HDRLEN, 2);
		put(&m, VEIL_A_ENCAP_SOCK_PORT, (const char *)port + NLA_HDRLEN, 2);
		msg_finish(&m);
		ret = simple(fd, &m, NULL, NULL, why, whylen);
	}
	entries_free(&enc);
	return ret;
}

/* No SA, no policy, and with @encap no encapsulation socket either. */
static bool state_empty(int fd, bool encap)
{
	struct snapshot s;
	bool empty;

	empty = !snap_take(fd, true, &s) && !s.sa.n && !s.pol.n && (!encap || !s.encap.n) &&
		!s.c.v[VEIL_A_COUNTS_SA_COUNT] && !s.c.v[VEIL_A_COUNTS_POLICY_IN] &&
		!s.c.v[VEIL_A_COUNTS_POLICY_OUT] && !s.c.v[VEIL_A_COUNTS_POLICY_FWD];
	snap_free(&s);
	return empty;
}

/* --replay I: message I of the root run, alone, and what came back. */
static int replay(int fd, uint64_t idx)
{
	static struct msg m;
	struct answer ans;

	gen_message(&m, seed, 1, idx);
	printf("# root message #%" PRIu64 " of --seed %" PRIu64 ", %zu bytes:\n", idx, seed, m.len);
	hexdump(m.b, m.len);
	if (transact(fd, &m, &ans, NULL, NULL))
		return 1;
	printf("# answer: %s %d (%s)%s%s, %u replies%s\n",
	       ans.error_seen ? "error" : "no error", ans.error, strerror(-ans.error),
	       ans.has_msg ? ": " : ", no message", ans.has_msg ? ans.msg : "",
	       ans.replies, core_rejection(&m, ans.error, false) ? ", a core rejection" : "");
	return 0;
}

static void usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [--seed N] [--count N] [--nobody-count N] [--entries N] [--batches N]\n"
		"       [--acquire N] [--replay I] [-v]\n"
		"  --count N         random and mutated messages as root\n"
		"  --nobody-count N  the same as nobody (uid 65534)\n"
		"  --entries N       SAs and policies made for the interrupted dumps\n"
		"  --batches N       multi-message datagrams as root; half as many as nobody\n"
		"  --acquire N       random and mutated messages with acquires pending\n"
		"  --replay I        send message I of the root run of --seed alone\n"
		"Defaults: 3000, 2000, 500, 1000, 2000;\n"
		"with VEIL_DEBUG=1 100000, 100000, 3000, 3000, 5000.\n",
		prog);
	exit(1);
}

int main(int argc, char **argv)
{
	bool debug = getenv("VEIL_DEBUG") && !strcmp(getenv("VEIL_DEBUG"), "1");
	uint64_t count = debug ? 100000 : 3000, nobody_count = debug ? 100000 : 2000;
	/*
	 * On the debug kernel 20,000 batches took 907 s, and the program
	 * went past the 1,500 s it may take there (3,000 take 67 s): the
	 * 100,000 single messages each way are what the issue asks for,
	 * the batches and acquires add paths, not numbers.
	 */
	uint64_t batches = debug ? 3000 : 1000, acquires = debug ? 5000 : 2000;
	unsigned int entries = debug ? 3000 : 500;
	long long replay_idx = -1;
	struct counts init_before, init_after;
	struct tally *t_root, *t_nobody, *t_rules, *t_batch, *t_nbatch, *t_acq;
	struct snapshot before = { 0 }, after = { 0 };
	struct fuzz f = { .who = "root", .phase = 1, .admin = true, .ev_fd = -1 };
	char why[300] = "";
	bool expired, ok;
	int i, init_fd, other_ns;
	double t0;

	seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (i + 1 < argc && !strcmp(a, "--seed"))
			seed = strtoull(argv[++i], NULL, 0);
		else if (i + 1 < argc && !strcmp(a, "--count"))
			count = strtoull(argv[++i], NULL, 0);
		else if (i + 1 < argc && !strcmp(a, "--nobody-count"))
			nobody_count = strtoull(argv[++i], NULL, 0);
		else if (i + 1 < argc && !strcmp(a, "--batches"))
			batches = strtoull(argv[++i], NULL, 0);
		else if (i + 1 < argc && !strcmp(a, "--acquire"))
			acquires = strtoull(argv[++i], NULL, 0);
		else if (i + 1 < argc && !strcmp(a, "--entries"))
			entries = strtoul(argv[++i], NULL, 0);
		else if (i + 1 < argc && !strcmp(a, "--replay"))
			replay_idx = strtoll(argv[++i], NULL, 0);
		else if (!strcmp(a, "-v"))
			verbose = true;
		else
			usage(argv[0]);
	}
	if (entries < 10)
		entries = 10;
	all_algs = debug;

	printf("TAP version 13\n");
	if (geteuid()) {
		printf("1..0 # SKIP nl_fuzz needs root\n");
		return 4;
	}
	init_fd = fuzz_open(true);
	family_id = init_fd < 0 ? -1 : resolve_family(init_fd);
	if (family_id < 0) {
		printf("1..0 # SKIP family %s not registered (veil.ko not loaded?)\n",
		       VEIL_FAMILY_NAME);
		return 4;
	}
	printf("1..%d\n", replay_idx >= 0 ? 0 : 16);
	printf("# seed %" PRIu64 " (replay: nl_fuzz --seed %" PRIu64 "); %" PRIu64
	       " messages as root, %" PRIu64 " as nobody, %u SAs and policies for the dumps, %"
	       PRIu64 " batches as root and %" PRIu64 " as nobody, %" PRIu64
	       " messages with acquires pending\n",
	       seed, seed, count, nobody_count, entries, batches, batches / 2, acquires);
	fflush(stdout);
	get_counts(init_fd, &init_before);
	other_ns = bound(SOCK_DGRAM, 0);

	/* A namespace of our own: the system's SAs stay out of reach. */
	if (unshare(CLONE_NEWNET) || lo_up()) {
		ktap(false, "setup: a network namespace of its own: %s", strerror(errno));
		return 1;
	}
	open_fds(other_ns);
	f.fd = fuzz_open(true);
	if (f.fd < 0) {
		ktap(false, "setup: netlink socket: %s", strerror(errno));
		return 1;
	}
	add_fd(f.fd);
	if (replay_idx >= 0)
		return replay(f.fd, replay_idx);
	ktap(state_empty(f.fd, true), "setup: a network namespace of its own, family %s is %d, state empty",
	     VEIL_FAMILY_NAME, family_id);

	t_root = mmap(NULL, 6 * sizeof(struct tally), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (t_root == MAP_FAILED)
		return 1;
	memset(t_root, 0, 6 * sizeof(struct tally));
	t_nobody = t_root + 1;
	t_rules = t_root + 2;
	t_batch = t_root + 3;
	t_nbatch = t_root + 4;
	t_acq = t_root + 5;

	t0 = now_s();
	dump_tests(f.fd, entries, debug ? 60 : 12);
	printf("# dumps took %.1f s\n", now_s() - t0);
	fflush(stdout);

	/* Root, with a listener in the events group. */
	t0 = now_s();
	f.t = t_root;
	f.ev_fd = events_open();
	if (f.ev_fd < 0)
		printf("# no listener in the events group: notifications go unchecked\n");
	fuzz_run(&f, count);
	snap_free(&f.base);
	tally_print("root", t_root);
	printf("# root run took %.1f s\n", now_s() - t0);
	ktap(!t_root->fail_msg && !t_root->fail_other && !t_root->fail_event,
	     "root: %" PRIu64 " random and mutated messages, every rejection past the core has an extack message, notifications well-formed%s%s",
	     t_root->sent, t_root->first_fail[0] ? ": " : "", t_root->first_fail);
	ktap(!t_root->fail_state, "root: rejected messages change no state (%" PRIu64
	     " accepted changes re-baselined)", t_root->accepted_mutating);

	t0 = now_s();
	f.t = t_batch;
	f.phase = 5;
	batch_run(&f, batches);
	snap_free(&f.base);
	batch_print("root", t_batch);
	printf("# root batches took %.1f s\n", now_s() - t0);
	if (f.ev_fd >= 0)
		close(f.ev_fd);
	ktap(!t_batch->fail_msg && !t_batch->fail_other && !t_batch->fail_event,
	     "batches: %" PRIu64 " datagrams of up to 13 messages, each message the core takes answered by its own ack or error in order, rejections with messages, none past a malformed header answered%s%s",
	     t_batch->batches, t_batch->first_fail[0] ? ": " : "", t_batch->first_fail);
	ktap(!t_batch->fail_state && !t_batch->fail_perm,
	     "batches: valid changes do what the model says, none past a malformed header takes effect, the rest of the state changes only with an accepted fuzz message");

	t0 = now_s();
	concurrent_test(f.fd, 3, debug ? 5000 : 300);
	printf("# concurrent run took %.1f s\n", now_s() - t0);

	t0 = now_s();
	acquire_run(f.fd, t_acq, acquires);
	printf("# acquire run took %.1f s\n", now_s() - t0);

	/* Nobody, with a few SAs, policies and sockets to read and not touch. */
	ok = !flush_all(f.fd, why, sizeof(why));
	if (!ok)
		printf("# flushing after the root run failed: %s\n", why);
	for (i = 0; i < 120; i++) {
		static const enum tmpl mk[] = { T_SA_AEAD, T_SA_CBC, T_SA_AH, T_SA_FULL,
						T_POL_NEW, T_POL_BLOCK, T_ENCAP_PORT };
		static struct msg m;

		rng_for(seed, 3, i);
		gen_template(&m, mk[i % 7]);
		simple(f.fd, &m, NULL, NULL, NULL, 0);
	}
	if (ok && snap_take(f.fd, true, &before)) {
		snprintf(why, sizeof(why), "no snapshot before the nobody run");
		ok = false;
	}
	printf("# for nobody: %u SAs, %u policies, %u encapsulation sockets\n",
	       before.sa.n, before.pol.n, before.encap.n);
	t0 = now_s();
	if (nobody_run(t_nobody, nobody_count, t_rules, t_nbatch, batches / 2))
		ok = false;
	tally_print("nobody", t_nobody);
	batch_print("nobody", t_nbatch);
	printf("# nobody run took %.1f s\n", now_s() - t0);
	ok = ok && !snap_take(f.fd, true, &after) &&
	     snap_same(&before, &after, &expired, why, sizeof(why)) && !expired;
	if (!ok && !why[0])
		snprintf(why, sizeof(why), "could not run as nobody");
	ktap(!t_rules->fail_perm && !t_rules->fail_other,
	     "nobody: reads answered, keys and each change refused with EPERM and a message%s%s",
	     t_rules->first_fail[0] ? ": " : "", t_rules->first_fail);
	/* Nothing changed, so nobody's listener heard nothing. */
	if (t_nobody->events || t_nbatch->events) {
		printf("# FAIL nobody's listener read %" PRIu64 " notifications\n",
		       t_nobody->events + t_nbatch->events);
		ok = false;
	}
	ktap(ok && !t_nobody->fail_msg && !t_nobody->fail_state && !t_nobody->fail_perm &&
	     !t_nobody->fail_other && !t_nobody->fail_event,
	     "nobody: %" PRIu64 " random and mutated messages, none accepted that changes state, rejections with messages, state unchanged%s%s",
	     t_nobody->sent, t_nobody->first_fail[0] || !ok ? ": " : "",
	     t_nobody->first_fail[0] ? t_nobody->first_fail : why);
	ktap(!t_nbatch->fail_msg && !t_nbatch->fail_state && !t_nbatch->fail_perm &&
	     !t_nbatch->fail_other && !t_nbatch->fail_event && t_nbatch->batches == batches / 2,
	     "nobody: %" PRIu64 " batches, each message answered in order, every change refused with EPERM and a message, none past a malformed header answered%s%s",
	     t_nbatch->batches, t_nbatch->first_fail[0] ? ": " : "", t_nbatch->first_fail);
	snap_free(&before);
	snap_free(&after);

	/* Leave as found: what veil adopted goes with the descriptors. */
	why[0] = '\0';
	for (i = 0; i < nfds; i++)
		if (fds[i] != f.fd)
			close(fds[i]);
	nfds = 0;
	ok = !flush_all(f.fd, why, sizeof(why));
	if (ok && !state_empty(f.fd, true)) {
		snprintf(why, sizeof(why), "state left after the flush");
		ok = false;
	}
	get_counts(init_fd, &init_after);
	ok = ok && !memcmp(&init_before, &init_after, sizeof(init_before));
	ktap(ok, "cleanup: everything made is flushed, the initial namespace's counts unchanged%s%s",
	     why[0] ? ": " : "", why);

	printf("# Totals: pass:%u fail:%u xfail:0 xpass:0 skip:0 error:0\n",
	       ktap_n - ktap_fails, ktap_fails);
	return ktap_fails ? 1 : 0;
}

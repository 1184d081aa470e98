// SPDX-License-Identifier: GPL-2.0
/*
 * The security policy database's lookup, through policy-lookup: which
 * policy a flow gets (priority, then prefix length, then protocol, then
 * ports, then age), that direction and interface id separate policies,
 * that bad requests are refused with a reason, and that the right policy
 * comes back for every one of thousands of flows.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdbool.h>

#include "kselftest_harness.h"
#include "harness_main.h"
#include "nl_util.h"

/*
 * One policy, or one flow. A policy's prefix lengths are always sent (0 is
 * "any"); a flow's only when not 0, so that it names host addresses.
 */
struct pdesc {
	const char *src, *dst;
	int splen, dplen;
	int proto, sport, dport;
	__u32 prio, if_id;
	int dir;
};

static int family_of(const char *addr)
{
	return strchr(addr, ':') ? AF_INET6 : AF_INET;
}

static void put_sel(struct nlreq *r, const struct pdesc *p, bool policy)
{
	int fam = family_of(p->src ? p->src : p->dst);
	int alen = fam == AF_INET ? 4 : 16;
	struct nlattr *n = nl_nest(r, VEIL_A_POLICY_SELECTOR);
	__u8 a[16];

	nl_put_u16(r, VEIL_A_SELECTOR_FAMILY, fam);
	if (p->src && inet_pton(fam, p->src, a) == 1)
		nl_put(r, VEIL_A_SELECTOR_SRC, a, alen);
	if (p->dst && inet_pton(fam, p->dst, a) == 1)
		nl_put(r, VEIL_A_SELECTOR_DST, a, alen);
	if (p->src && (policy || p->splen))
		nl_put_u8(r, VEIL_A_SELECTOR_SRC_PREFIX_LEN, p->splen);
	if (p->dst && (policy || p->dplen))
		nl_put_u8(r, VEIL_A_SELECTOR_DST_PREFIX_LEN, p->dplen);
	if (p->proto)
		nl_put_u8(r, VEIL_A_SELECTOR_PROTO, p->proto);
	if (p->sport)
		nl_put_u16(r, VEIL_A_SELECTOR_SPORT, p->sport);
	if (p->dport)
		nl_put_u16(r, VEIL_A_SELECTOR_DPORT, p->dport);
	nl_nest_end(r, n);
}

/*
 * Send @r without NLM_F_ACK: the answer is either the reply or an error.
 * Return: the reply's u32 attribute @attr, or -errno with the extack
 * message in @msg.
 */
static long answer_u32(int fd, struct nlreq *r, int attr, char *buf, char *msg)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct nlattr *a;
	int len;

	r->nlh.nlmsg_flags = NLM_F_REQUEST;
	len = nl_transact(fd, r, buf);
	msg[0] = '\0';
	if (len <= 0)
		return -EIO;
	if (nlh->nlmsg_type == NLMSG_ERROR)
		return nl_error(buf, len, msg, 512) ?: -EIO;
	a = nl_attr(nlh, attr);
	return a ? (long)nl_u32(a) : -EBADMSG;
}

/* Add a policy; Return: its index, or -errno. */
static long add(int fd, int family, const struct pdesc *p, char *buf, char *msg)
{
	struct nlreq r;

	nl_init(&r, family, VEIL_CMD_POLICY_NEW);
	put_sel(&r, p, true);
	nl_put_u8(&r, VEIL_A_POLICY_DIR, p->dir);
	nl_put_u32(&r, VEIL_A_POLICY_PRIORITY, p->prio);
	if (p->if_id)
		nl_put_u32(&r, VEIL_A_POLICY_IF_ID, p->if_id);
	return answer_u32(fd, &r, VEIL_A_POLICY_INDEX, buf, msg);
}

/* Look a flow up; Return: the index of the policy it gets, or -errno. */
static long lookup(int fd, int family, const struct pdesc *f, char *buf, char *msg)
{
	struct nlreq r;

	nl_init(&r, family, VEIL_CMD_POLICY_LOOKUP);
	put_sel(&r, f, false);
	if (f->dir >= 0)
		nl_put_u8(&r, VEIL_A_POLICY_DIR, f->dir);
	if (f->if_id)
		nl_put_u32(&r, VEIL_A_POLICY_IF_ID, f->if_id);
	return answer_u32(fd, &r, VEIL_A_POLICY_INDEX, buf, msg);
}

FIXTURE(spd) {
	int fd;
	int family;
	char buf[NL_BUFSZ];
	char msg[512];
};

FIXTURE_SETUP(spd)
{
	ASSERT_EQ(unshare(CLONE_NEWNET), 0);
	self->fd = nl_open();
	ASSERT_GE(self->fd, 0);
	self->family = nl_resolve(self->fd, NULL);
	ASSERT_GT(self->family, 0);
}

FIXTURE_TEARDOWN(spd)
{
	close(self->fd);
}

#define OUT VEIL_DIR_OUT
#define ADD(...) ({							\
	struct pdesc _p = { __VA_ARGS__ };				\
	long _i = add(self->fd, self->family, &_p, self->buf, self->msg); \
	ASSERT_GT(_i, 0) TH_LOG("policy-new: %s", self->msg);		\
	_i; })
#define LOOKUP(...) ({							\
	struct pdesc _f = { __VA_ARGS__ };				\
	lookup(self->fd, self->family, &_f, self->buf, self->msg); })

TEST_F(spd, priority_then_prefix_then_upper_then_age)
{
	long a, b, c, d, t1, t2, e;

	a = ADD(.src = "10.0.0.0", .splen = 8, .dst = "10.0.0.0", .dplen = 8,
		.prio = 100, .dir = OUT);
	b = ADD(.src = "10.1.0.0", .splen = 16, .dst = "10.2.0.0", .dplen = 16,
		.prio = 100, .dir = OUT);
	c = ADD(.src = "10.1.1.0", .splen = 24, .dst = "10.2.2.0", .dplen = 24,
		.proto = IPPROTO_TCP, .prio = 100, .dir = OUT);
	d = ADD(.src = "10.1.1.0", .splen = 24, .dst = "10.2.2.0", .dplen = 24,
		.proto = IPPROTO_TCP, .dport = 443, .prio = 100, .dir = OUT);

	/* Ports beat protocol alone, protocol beats any, longer beats shorter. */
	EXPECT_EQ(LOOKUP(.src = "10.1.1.1", .dst = "10.2.2.2", .proto = IPPROTO_TCP,
			 .sport = 40000, .dport = 443, .dir = OUT), d);
	EXPECT_EQ(LOOKUP(.src = "10.1.1.1", .dst = "10.2.2.2", .proto = IPPROTO_TCP,
			 .sport = 40000, .dport = 80, .dir = OUT), c);
	EXPECT_EQ(LOOKUP(.src = "10.1.1.1", .dst = "10.2.2.2", .proto = IPPROTO_UDP,
			 .sport = 5353, .dport = 53, .dir = OUT), b);
	EXPECT_EQ(LOOKUP(.src = "10.1.9.9", .dst = "10.2.9.9", .dir = OUT), b);
	EXPECT_EQ(LOOKUP(.src = "10.3.0.1", .dst = "10.4.0.1", .dir = OUT), a);
	EXPECT_EQ(LOOKUP(.src = "11.0.0.1", .dst = "10.0.0.1", .dir = OUT), -ENOENT);
	EXPECT_STREQ(self->msg, "no policy matches this flow");

	/* Equal priority and equal total prefix length: the older one wins. */
	t1 = ADD(.src = "10.5.0.0", .splen = 16, .dst = "10.0.0.0", .dplen = 8,
		 .prio = 50, .dir = OUT);
	t2 = ADD(.src = "10.0.0.0", .splen = 8, .dst = "10.6.0.0", .dplen = 16,
		 .prio = 50, .dir = OUT);
	EXPECT_LT(t1, t2);
	EXPECT_EQ(LOOKUP(.src = "10.5.0.1", .dst = "10.6.0.1", .dir = OUT), t1);

	/* A better priority wins over any specificity. */
	e = ADD(.src = "0.0.0.0", .splen = 0, .dst = "0.0.0.0", .dplen = 0,
		.prio = 10, .dir = OUT);
	EXPECT_EQ(LOOKUP(.src = "10.1.1.1", .dst = "10.2.2.2", .proto = IPPROTO_TCP,
			 .sport = 40000, .dport = 443, .dir = OUT), e);
	EXPECT_EQ(LOOKUP(.src = "11.0.0.1", .dst = "10.0.0.1", .dir = OUT), e);
}

TEST_F(spd, direction_interface_and_family_separate_policies)
{
	long in, out, ifx, v6;

	in = ADD(.src = "10.1.0.0", .splen = 16, .dst = "10.2.0.0", .dplen = 16,
		 .dir = VEIL_DIR_IN);
	out = ADD(.src = "10.1.0.0", .splen = 16, .dst = "10.2.0.0", .dplen = 16,
		  .dir = OUT);
	ifx = ADD(.src = "10.1.0.0", .splen = 16, .dst = "10.2.0.0", .dplen = 16,
		  .dir = OUT, .if_id = 7);
	v6 = ADD(.src = "2001:db8:1::", .splen = 48, .dst = "2001:db8:2::", .dplen = 48,
		 .dir = OUT);

	EXPECT_EQ(LOOKUP(.src = "10.1.0.1", .dst = "10.2.0.1", .dir = VEIL_DIR_IN), in);
	EXPECT_EQ(LOOKUP(.src = "10.1.0.1", .dst = "10.2.0.1", .dir = OUT), out);
	EXPECT_EQ(LOOKUP(.src = "10.1.0.1", .dst = "10.2.0.1", .dir = OUT, .if_id = 7), ifx);
	EXPECT_EQ(LOOKUP(.src = "10.1.0.1", .dst = "10.2.0.1", .dir = OUT, .if_id = 8),
		  -ENOENT);
	EXPECT_EQ(LOOKUP(.src = "10.1.0.1", .dst = "10.2.0.1", .dir = VEIL_DIR_FWD),
		  -ENOENT);
	EXPECT_EQ(LOOKUP(.src = "2001:db8:1::5", .dst = "2001:db8:2::6", .dir = OUT), v6);
	EXPECT_EQ(LOOKUP(.src = "2001:db8:1::5", .dst = "2001:db8:3::6", .dir = OUT),
		  -ENOENT);
}

TEST_F(spd, bad_lookups_are_refused_with_a_reason)
{
	ADD(.src = "10.1.0.0", .splen = 16, .dst = "10.2.0.0", .dplen = 16, .dir = OUT);

	EXPECT_EQ(LOOKUP(.src = "10.1.0.0", .splen = 16, .dst = "10.2.0.1", .dir = OUT),
		  -EINVAL);
	EXPECT_STREQ(self->msg,
		     "a lookup needs a flow: both src and dst, as host addresses without shorter prefixes");
	EXPECT_EQ(LOOKUP(.dst = "10.2.0.1", .dir = OUT), -EINVAL);
	EXPECT_STREQ(self->msg,
		     "a lookup needs a flow: both src and dst, as host addresses without shorter prefixes");
	EXPECT_EQ(LOOKUP(.src = "10.1.0.1", .dst = "10.2.0.1", .dir = -1), -EINVAL);
	EXPECT_STREQ(self->msg, "a policy needs dir in, out or fwd");
	EXPECT_EQ(LOOKUP(.src = "10.1.0.1", .dst = "10.2.0.1", .dir = 9), -EINVAL);
	EXPECT_STREQ(self->msg, "dir must be in (0), out (1) or fwd (2)");
	EXPECT_EQ(LOOKUP(.src = "10.1.0.1", .dst = "10.2.0.1", .dport = 80, .dir = OUT),
		  -EINVAL);
	EXPECT_STREQ(self->msg, "ports need proto tcp, udp, udplite or sctp in the selector");
}

/*
 * Thousands of host-to-host policies over several prefix-length tuples,
 * and a catch-all: every flow gets its own policy, never a neighbour's.
 */
TEST_F(spd, thousands_of_policies_each_flow_gets_its_own)
{
	static long idx[4096];
	char s[32], d[32];
	long any;
	int i;

	any = ADD(.src = "0.0.0.0", .dst = "0.0.0.0", .prio = 1000, .dir = OUT);
	for (i = 0; i < 4096; i++) {
		snprintf(s, sizeof(s), "10.%d.%d.%d", 1 + i % 4, i / 256, i % 256);
		snprintf(d, sizeof(d), "10.%d.%d.%d", 100 + i % 4, i / 256, i % 256);
		/*
		 * Four tuples: /32-/32, /31-/32, /32-/31 and /31-/31. A /31 also
		 * covers i ^ 1, whose second octet differs (i % 4): no overlap.
		 */
		idx[i] = ADD(.src = s, .splen = 32 - (i & 1), .dst = d,
			     .dplen = 32 - ((i >> 1) & 1), .dir = OUT, .prio = 100);
	}
	for (i = 0; i < 4096; i++) {
		snprintf(s, sizeof(s), "10.%d.%d.%d", 1 + i % 4, i / 256, i % 256);
		snprintf(d, sizeof(d), "10.%d.%d.%d", 100 + i % 4, i / 256, i % 256);
		ASSERT_EQ(LOOKUP(.src = s, .dst = d, .dir = OUT), idx[i])
			TH_LOG("flow %s -> %s: %s", s, d, self->msg);
	}
	EXPECT_EQ(LOOKUP(.src = "10.200.0.1", .dst = "10.201.0.1", .dir = OUT), any);
}

VEIL_HARNESS_MAIN

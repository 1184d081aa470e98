// SPDX-License-Identifier: GPL-2.0
/*
 * The veil family on the wire, spoken over a raw netlink socket with no
 * library in between: family resolution, the info reply's layout, the
 * extack messages the kernel sends for bad requests, and that the family
 * answers in fresh and unprivileged namespaces.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/veil.h>

#include "kselftest_harness.h"
#include "harness_main.h"

#include "nl_util.h"

static int resolve(int fd)
{
	return nl_resolve(fd, NULL);
}

FIXTURE(veil) {
	int fd;
	int family;
	char buf[NL_BUFSZ];
};

FIXTURE_SETUP(veil)
{
	self->fd = nl_open();
	ASSERT_GE(self->fd, 0);
	self->family = resolve(self->fd);
	ASSERT_GT(self->family, 0) TH_LOG("family veil not found: %s",
					  strerror(-self->family));
}

FIXTURE_TEARDOWN(veil)
{
	close(self->fd);
}

TEST_F(veil, info_reply_layout)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)self->buf;
	int len, rem, n_alg = 0, n_avail = 0;
	struct genlmsghdr *genl;
	struct nlattr *a, *v;
	struct nlreq req;
	char want[64];
	FILE *f;

	nl_init(&req, self->family, VEIL_CMD_INFO);
	len = nl_transact(self->fd, &req, self->buf);
	ASSERT_GT(len, (int)NLMSG_HDRLEN);
	ASSERT_EQ(nlh->nlmsg_type, self->family);
	genl = NLMSG_DATA(nlh);
	EXPECT_EQ(genl->cmd, VEIL_CMD_INFO);

	v = nl_find((char *)genl + GENL_HDRLEN, nlh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN),
		      VEIL_A_INFO_VERSION);
	ASSERT_NE(v, NULL);
	f = fopen("/sys/module/veil/version", "r");
	ASSERT_NE(f, NULL);
	ASSERT_NE(fgets(want, sizeof(want), f), NULL);
	fclose(f);
	want[strcspn(want, "\n")] = '\0';
	EXPECT_STREQ((char *)v + NLA_HDRLEN, want);
	EXPECT_LE(v->nla_len - NLA_HDRLEN, VEIL_VERSION_LEN);

	rem = nlh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);
	for (a = (struct nlattr *)((char *)genl + GENL_HDRLEN); rem >= NLA_HDRLEN;
	     rem -= NLA_ALIGN(a->nla_len),
	     a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len))) {
		struct nlattr *name, *type, *uses;
		int inner = a->nla_len - NLA_HDRLEN;

		ASSERT_GE(a->nla_len, NLA_HDRLEN);
		if ((a->nla_type & NLA_TYPE_MASK) != VEIL_A_INFO_ALG)
			continue;
		EXPECT_TRUE(a->nla_type & NLA_F_NESTED);
		n_alg++;
		name = nl_find((char *)a + NLA_HDRLEN, inner, VEIL_A_ALG_NAME);
		type = nl_find((char *)a + NLA_HDRLEN, inner, VEIL_A_ALG_TYPE);
		uses = nl_find((char *)a + NLA_HDRLEN, inner, VEIL_A_ALG_USES);
		ASSERT_NE(name, NULL);
		ASSERT_NE(type, NULL);
		ASSERT_NE(uses, NULL);
		EXPECT_LE(name->nla_len - NLA_HDRLEN, VEIL_ALG_NAME_LEN);
		EXPECT_EQ(((char *)name)[name->nla_len - 1], '\0');
		EXPECT_GE(*(__u32 *)((char *)type + NLA_HDRLEN), VEIL_ALG_TYPE_AEAD);
		EXPECT_LE(*(__u32 *)((char *)type + NLA_HDRLEN), VEIL_ALG_TYPE_AUTH);
		EXPECT_NE(*(__u32 *)((char *)uses + NLA_HDRLEN), 0);
		EXPECT_EQ(*(__u32 *)((char *)uses + NLA_HDRLEN) &
			  ~(__u32)(VEIL_ALG_USE_ESP | VEIL_ALG_USE_AH | VEIL_ALG_USE_TLS), 0);
		if (nl_find((char *)a + NLA_HDRLEN, inner, VEIL_A_ALG_AVAILABLE))
			n_avail++;
	}
	EXPECT_GE(n_alg, 19);
	EXPECT_GE(n_avail, 19) TH_LOG("only %d of %d algorithms available", n_avail, n_alg);

	/* The ack that NLM_F_ACK asked for follows the reply. */
	len = recv(self->fd, self->buf, NL_BUFSZ, 0);
	ASSERT_GE(len, (int)NLMSG_HDRLEN);
	EXPECT_EQ(nlh->nlmsg_type, NLMSG_ERROR);
	EXPECT_EQ(((struct nlmsgerr *)NLMSG_DATA(nlh))->error, 0);
}

TEST_F(veil, info_rejects_reply_attributes_with_extack)
{
	struct nlreq req;
	char msg[256];
	int len;

	nl_init(&req, self->family, VEIL_CMD_INFO);
	nl_put(&req, VEIL_A_INFO_VERSION, "0.0", 4);
	len = nl_transact(self->fd, &req, self->buf);
	EXPECT_EQ(nl_error(self->buf, len, msg, sizeof(msg)), -EINVAL);
	EXPECT_STREQ(msg, "info takes no attributes; version is reply-only");
}

TEST_F(veil, info_rejects_unknown_attributes)
{
	struct nlreq req;
	__u32 v = 1;
	char msg[256];
	int len;

	nl_init(&req, self->family, VEIL_CMD_INFO);
	nl_put(&req, VEIL_A_INFO_MAX + 5, &v, sizeof(v));
	len = nl_transact(self->fd, &req, self->buf);
	EXPECT_EQ(nl_error(self->buf, len, msg, sizeof(msg)), -EINVAL);
	EXPECT_NE(msg[0], '\0') TH_LOG("no extack message for an unknown attribute");
}

TEST_F(veil, unknown_command_is_refused)
{
	struct nlreq req;
	char msg[256];
	int len;

	nl_init(&req, self->family, 200);
	len = nl_transact(self->fd, &req, self->buf);
	EXPECT_EQ(nl_error(self->buf, len, msg, sizeof(msg)), -EOPNOTSUPP);
}

/* A fresh socket finds the family and gets an info reply. */
static void info_answers(struct __test_metadata *_metadata)
{
	struct nlreq req;
	char buf[NL_BUFSZ];
	int fd, family;

	fd = nl_open();
	ASSERT_GE(fd, 0);
	family = resolve(fd);
	ASSERT_GT(family, 0);
	nl_init(&req, family, VEIL_CMD_INFO);
	ASSERT_GT(nl_transact(fd, &req, buf), (int)NLMSG_HDRLEN);
	EXPECT_EQ(((struct nlmsghdr *)buf)->nlmsg_type, family);
	close(fd);
}

TEST(family_answers_in_a_new_netns)
{
	ASSERT_EQ(unshare(CLONE_NEWNET), 0);
	info_answers(_metadata);
}

TEST(info_needs_no_privilege)
{
	ASSERT_EQ(setgid(65534), 0);
	ASSERT_EQ(setuid(65534), 0);
	info_answers(_metadata);
}

VEIL_HARNESS_MAIN

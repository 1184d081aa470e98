// SPDX-License-Identifier: GPL-2.0
/*
 * The tools' netlink library against the real module: it resolves the
 * family, delivers replies, and hands the kernel's extack message back
 * word for word, which is what `veil` prints to the user.
 */
#include <errno.h>
#include <string.h>
#include <linux/veil.h>
#include <netlink/genl/genl.h>

#include "nl.h"
#include "kselftest_harness.h"
#include "harness_main.h"

static int count_reply(struct nlmsghdr *nlh, void *arg)
{
	(void)nlh;
	(*(int *)arg)++;
	return 0;
}

TEST(info_reply_reaches_callback)
{
	struct veil_nl nl;
	struct nl_msg *msg;
	int replies = 0;

	ASSERT_EQ(veil_nl_open(&nl), 0);
	msg = veil_nl_msg(&nl, VEIL_CMD_INFO, 0);
	ASSERT_NE(msg, NULL);
	EXPECT_EQ(veil_nl_request(&nl, msg, count_reply, &replies), 0);
	EXPECT_EQ(replies, 1);
	EXPECT_STREQ(nl.extack, "");
	veil_nl_close(&nl);
}

TEST(kernel_extack_is_kept_verbatim)
{
	struct veil_nl nl;
	struct nl_msg *msg;
	int ret;

	ASSERT_EQ(veil_nl_open(&nl), 0);
	msg = veil_nl_msg(&nl, VEIL_CMD_INFO, 0);
	ASSERT_NE(msg, NULL);
	ASSERT_EQ(nla_put_u32(msg, VEIL_A_INFO_ALG, 1), 0);
	ret = veil_nl_request(&nl, msg, NULL, NULL);
	EXPECT_EQ(ret, -EINVAL);
	EXPECT_STREQ(nl.extack, "info takes no attributes; alg is reply-only");
	EXPECT_STREQ(veil_nl_strerror(&nl, ret), nl.extack);
	veil_nl_close(&nl);
}

TEST(plain_errno_without_extack)
{
	struct veil_nl nl;
	struct nl_msg *msg;
	int ret;

	ASSERT_EQ(veil_nl_open(&nl), 0);
	msg = veil_nl_msg(&nl, 200, 0);
	ASSERT_NE(msg, NULL);
	ret = veil_nl_request(&nl, msg, NULL, NULL);
	EXPECT_EQ(ret, -EOPNOTSUPP);
	EXPECT_STREQ(veil_nl_strerror(&nl, ret), strerror(EOPNOTSUPP));
	veil_nl_close(&nl);
}

VEIL_HARNESS_MAIN

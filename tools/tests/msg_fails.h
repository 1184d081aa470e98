/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the codecs' tests (ike_msg_test.c, ike_v1msg_test.c) check of a
 * refusal: its enum ike_msg_code and a phrase of its reason. Included
 * once, after ktap.h and msg.h.
 */
#ifndef VEIL_TOOLS_TESTS_MSG_FAILS_H
#define VEIL_TOOLS_TESTS_MSG_FAILS_H

#include <string.h>

static void fails(int rc, const struct ike_msg_err *err, int code, const char *want, int line)
{
	if (!ktap_check(rc == code, line, "error code"))
		printf("#   got %d (%s) \"%s\", want %d (%s)\n", rc, ike_msg_strerror(rc),
		       rc ? err->reason : "", code, ike_msg_strerror(code));
	else if (!ktap_check(strstr(err->reason, want) != NULL, line, "reason"))
		printf("#   got \"%s\", want \"%s\"\n", err->reason, want);
}

#define FAILS(rc, err, code, want) fails((rc), &(err), (code), (want), __LINE__)

#endif /* VEIL_TOOLS_TESTS_MSG_FAILS_H */

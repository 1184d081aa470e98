#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# veil's state is per network namespace: the family answers in every
# namespace, and namespaces come and go while the module is loaded.
#
#   init netns ── veil-a ── veil-b      (no links: the family is reached
#                                        through each namespace's own
#                                        netlink sockets)

. "$(dirname "$0")/lib.sh"

cleanup() {
	ip netns del veil-a 2>/dev/null
	ip netns del veil-b 2>/dev/null
	rm -f "$OUT"
}
trap cleanup EXIT

ktap_print_header
ktap_set_plan 5

ip netns add veil-a
ip netns add veil-b

check "veil -n veil-a info answers" "$VEIL" -n veil-a info
check "ip netns exec veil-b veil info answers" ip netns exec veil-b "$VEIL" -j info
check "an unshared, unnamed namespace gets answers" unshare -n "$VEIL" info

churn() {
	local i
	for i in $(seq 1 10); do
		ip netns add "veil-c$i" || return 1
		"$VEIL" -n "veil-c$i" info >/dev/null || return 1
	done
	for i in $(seq 1 10); do
		ip netns del "veil-c$i" || return 1
	done
}
check "10 namespaces created, queried and deleted" churn

# A user namespace's root owns its network namespace; reading works there.
check "veil info inside a new user and network namespace" \
	unshare -U -r -n "$VEIL" info

ktap_finished

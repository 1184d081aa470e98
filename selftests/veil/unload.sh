#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Unload veil.ko, with and without namespaces still alive, and check that
# nothing of it is left behind.

. "$(dirname "$0")/lib.sh"

ktap_print_header
ktap_set_plan 7

check "rmmod veil" rmmod veil

gone() {
	[ ! -e /sys/module/veil ] || { echo "/sys/module/veil still there"; return 1; }
	! genl ctrl get name veil >/dev/null 2>&1 ||
		{ echo "family veil still registered"; return 1; }
}
check "module and genl family are gone" gone

not_loaded_message() {
	expect_status 1 "$VEIL" info && output_has "modprobe veil"
}
check "veil info says the module is not loaded again" not_loaded_message

# Namespaces that exist across load and unload exercise pernet init for
# existing namespaces at load and pernet exit for them at unload.
ip netns add veil-u1 && ip netns add veil-u2
check "insmod again with two extra namespaces alive" insmod "$VEIL_MODULE"
check "veil -n answers in a namespace that predates the load" \
	"$VEIL" -n veil-u1 info
ip netns del veil-u2
check "rmmod with a namespace still alive" rmmod veil
ip netns del veil-u1

check "module gone after the second unload" gone

ktap_finished

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Load veil.ko into the VM's kernel, the way modprobe would: its
# dependencies first, then the module built for this kernel.

. "$(dirname "$0")/lib.sh"

ktap_print_header
ktap_set_plan 6

not_loaded_message() {
	expect_status 1 "$VEIL" info &&
	output_has "veil kernel module is not loaded" &&
	output_has "modprobe veil"
}
check "veil info without the module says so and how to load it" not_loaded_message

load_deps() {
	local d
	for d in $(modinfo -F depends "$VEIL_MODULE" | tr , ' '); do
		modprobe "$d" || return 1
	done
}
check "modprobe the modules veil.ko depends on" load_deps
check "insmod $VEIL_MODULE" insmod "$VEIL_MODULE"

version_matches() {
	[ "$(cat /sys/module/veil/version)" = "$VEIL_VERSION" ] ||
		{ echo "sysfs says $(cat /sys/module/veil/version)"; return 1; }
}
check "/sys/module/veil/version is $VEIL_VERSION" version_matches
check "generic netlink family veil is registered" genl ctrl get name veil

logged_load() {
	dmesg | grep -q "veil: veil $VEIL_VERSION loaded"
}
check "the kernel log shows veil $VEIL_VERSION loaded" logged_load

ktap_finished

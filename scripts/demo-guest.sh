#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The demo's half inside the VM (see demo.sh): load veil.ko the way
# modprobe would and show `veil info`, as text and as JSON, in the initial
# namespace and in a fresh one.
set -e

ko=$VEIL_BUILD/$VEIL_KVER/veil.ko
veil=$VEIL_ROOT/tools/veil/veil

run() {
	echo "\$ $*"
	"$@"
	echo
}

echo "demo: kernel $(uname -r)"
run "$veil" info || true
for dep in $(modinfo -F depends "$ko" | tr , ' '); do
	modprobe "$dep"
done
run insmod "$ko"
run "$veil" info
run "$veil" -j -p info
ip netns add blue
run "$veil" -n blue info
ip netns del blue
run rmmod veil
echo "demo: done"

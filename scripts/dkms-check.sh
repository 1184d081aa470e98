#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dkms-check.sh KVER... - prove dkms.conf works: dkms add, build and install
# veil for each KVER from a copy in /usr/src, check the installed module,
# then remove it all again so nothing is left on the machine (the test VMs
# share this machine's /lib/modules).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$root/dkms.conf")
src=/usr/src/veil-$ver

cleanup() {
	dkms remove "veil/$ver" --all >/dev/null 2>&1 || true
	rm -rf "$src"
}
trap cleanup EXIT
cleanup

mkdir -p "$src"
cp -R "$root/Kbuild" "$root/Makefile" "$root/dkms.conf" "$root/kmod" "$root/scripts" "$src/"
dkms add "veil/$ver"
for k in "$@"; do
	dkms build "veil/$ver" -k "$k"
	dkms install "veil/$ver" -k "$k" --force
	ko=$(ls /lib/modules/"$k"/updates/dkms/veil.ko* 2>/dev/null | head -n 1)
	[ -n "$ko" ] || { echo "dkms: no veil.ko installed for $k" >&2; exit 1; }
	got=$(modinfo -F version "$ko")
	[ "$got" = "$ver" ] || { echo "dkms: $ko has version $got, not $ver" >&2; exit 1; }
	[ "$(modinfo -F vermagic "$ko" | cut -d' ' -f1)" = "$k" ] ||
		{ echo "dkms: $ko was not built for $k" >&2; exit 1; }
	echo "dkms: $ko is veil $ver for $k"
done
dkms status veil
dkms remove "veil/$ver" --all
for k in "$@"; do
	if ls /lib/modules/"$k"/updates/dkms/veil.ko* >/dev/null 2>&1; then
		echo "dkms: remove left veil.ko behind for $k" >&2
		exit 1
	fi
done
echo "dkms: add, build, install and remove work for $*"

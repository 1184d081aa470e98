#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dkms-check.sh KVER... - prove dkms.conf works: dkms add, build and install
# veil for each KVER, check the installed module, then remove it all.
#
# dkms works in trees of its own under $VEIL_BUILD/dkms (source, build and
# install trees), not in /usr/src, /var/lib/dkms and /lib/modules: the
# test VMs run on this machine's root at the same time, and a veil.ko in
# their /lib/modules would be what their module autoloading finds. The
# kernel headers are still the installed ones (/lib/modules/KVER/build).
# depmod is left out, as it would index the private tree alone; the
# module's version and vermagic are checked instead.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${VEIL_BUILD:-$root/build}
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$root/dkms.conf")
top=$build/dkms
trees=(--sourcetree "$top/src" --dkmstree "$top/var" --installtree "$top/modules")

rm -rf "$top"
mkdir -p "$top/src/veil-$ver" "$top/var" "$top/modules"
cp -R "$root/Kbuild" "$root/Makefile" "$root/dkms.conf" "$root/kmod" "$root/scripts" \
	"$top/src/veil-$ver/"
dkms add "veil/$ver" "${trees[@]}"
for k in "$@"; do
	mkdir -p "$top/modules/$k"
	dkms build "veil/$ver" -k "$k" "${trees[@]}"
	dkms install "veil/$ver" -k "$k" --force --no-depmod "${trees[@]}"
	ko=$(ls "$top/modules/$k"/updates/dkms/veil.ko* 2>/dev/null | head -n 1)
	[ -n "$ko" ] || { echo "dkms: no veil.ko installed for $k" >&2; exit 1; }
	got=$(modinfo -F version "$ko")
	[ "$got" = "$ver" ] || { echo "dkms: $ko has version $got, not $ver" >&2; exit 1; }
	[ "$(modinfo -F vermagic "$ko" | cut -d' ' -f1)" = "$k" ] ||
		{ echo "dkms: $ko was not built for $k" >&2; exit 1; }
	echo "dkms: $ko is veil $ver for $k"
done
dkms status veil "${trees[@]}"
dkms remove "veil/$ver" --all --no-depmod "${trees[@]}"
for k in "$@"; do
	if ls "$top/modules/$k"/updates/dkms/veil.ko* >/dev/null 2>&1; then
		echo "dkms: remove left veil.ko behind for $k" >&2
		exit 1
	fi
done
rm -rf "$top"
echo "dkms: add, build, install and remove work for $*"

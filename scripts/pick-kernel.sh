#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# pick-kernel.sh KVER KDIR - choose the kernel to build veil.ko for.
#
# Prints "KVER KDIR" on stdout and one line saying why on stderr; prints
# nothing and exits 1 when no usable kernel build directory exists.
#   - KDIR given: use it; its release comes from its utsrelease.h.
#   - KVER given: use /lib/modules/KVER/build.
#   - neither: the running kernel's headers, else the newest installed ones.

kver=$1
kdir=$2

# utsrelease.h rather than kernel.release: Debian's header packages carry
# the upstream version in the latter and the package's `uname -r` in the former.
release_of() {
	sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' \
		"$1/include/generated/utsrelease.h" 2>/dev/null
}

if [ -n "$kdir" ]; then
	[ -d "$kdir" ] || { echo "veil: KDIR=$kdir does not exist" >&2; exit 1; }
	[ -n "$kver" ] || kver=$(release_of "$kdir")
	[ -n "$kver" ] || { echo "veil: cannot tell the release of KDIR=$kdir" >&2; exit 1; }
	echo "veil: building for $kver with KDIR=$kdir" >&2
elif [ -n "$kver" ]; then
	kdir=/lib/modules/$kver/build
	[ -d "$kdir" ] || {
		echo "veil: no headers for $kver in $kdir (install linux-headers-$kver)" >&2
		exit 1
	}
	echo "veil: building for $kver (KVER)" >&2
else
	running=$(uname -r)
	if [ -d "/lib/modules/$running/build" ]; then
		kver=$running
		echo "veil: building for the running kernel $kver" >&2
	else
		kver=$(ls -d /lib/modules/*/build 2>/dev/null |
		       sed 's|^/lib/modules/||; s|/build$||' | sort -V | tail -n 1)
		[ -n "$kver" ] || {
			echo "veil: no kernel headers installed (apt-get install linux-headers-amd64)" >&2
			exit 1
		}
		echo "veil: no headers for the running kernel $running; building for the newest installed, $kver" >&2
	fi
	kdir=/lib/modules/$kver/build
fi
echo "$kver $kdir"

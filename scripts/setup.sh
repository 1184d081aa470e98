#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# setup.sh [BUILD] - make this Debian 12 machine able to build and test
# veil, from nothing: install what is missing with apt-get, then extract
# the kernel's selftest harness and ynl tools from linux-source-6.12 into
# BUILD (never into the source tree). Safe to run again; it only does
# what is not done yet. Prints the two kernel releases to test, one per
# line, on stdout.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}

packages=(
	# build
	gcc make pkg-config kmod libnl-3-dev libnl-genl-3-dev libjson-c-dev
	libssl-dev python3-yaml python3-jsonschema
	# veil-iked: its configuration file; clang and libFuzzer for its parser
	libconfig-dev clang libclang-rt-14-dev
	# make check-debug: building its kernel
	flex bison bc libelf-dev
	# veil-tls: HTTP/1.1 request parsing
	libhttp-parser-dev
	# the two Debian 12 kernels: images to boot, headers to build against
	linux-image-amd64 linux-headers-amd64
	linux-image-6.12-amd64 linux-headers-6.12-amd64
	# kselftest_harness.h, ktap_helpers.sh, ynl, the genetlink schema
	linux-source-6.12 xz-utils
	# the VM and what runs inside it
	qemu-system-x86 busybox-static cpio iproute2 util-linux iputils-ping iperf3
	python3-cryptography nftables
	# veil-tls's peers in the tests and its rivals in make bench
	openssl curl stunnel4
	# veil-iked's peer in the tests and its rival in make bench
	strongswan-charon strongswan-swanctl libstrongswan-standard-plugins
	# DKMS packaging
	dkms
)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	sudo=
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	echo "setup: installing ${missing[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get update -q >&2
	$sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
fi

# The kernels the metapackages point at; these are what `make check` tests.
kver_of() {
	dpkg-query -W -f='${Depends}' "$1" |
		sed -n 's/.*linux-image-\([^ ,]*\).*/\1/p'
}

# Extract only what the tests use; a stamp keyed to the tarball's
# identity saves the 12 s this takes when nothing changed.
tarball=/usr/src/linux-source-6.12.tar.xz
stamp=$build/kselftest/.stamp
# Bump the suffix whenever the list of extracted files changes.
want="$(stat -c '%s %Y' "$tarball") files-2"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
	echo "setup: extracting the selftest harness and ynl from $tarball" >&2
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	tar -C "$tmp" -xJf "$tarball" --wildcards \
		'linux-source-6.12/tools/testing/selftests/kselftest_harness.h' \
		'linux-source-6.12/tools/testing/selftests/kselftest.h' \
		'linux-source-6.12/tools/testing/selftests/kselftest/ktap_helpers.sh' \
		'linux-source-6.12/tools/testing/selftests/kselftest/ksft.py' \
		'linux-source-6.12/tools/net/ynl/*' \
		'linux-source-6.12/Documentation/netlink/genetlink*.yaml'
	src=$tmp/linux-source-6.12
	rm -rf "$build/kselftest" "$build/ynl"
	mkdir -p "$build/kselftest" "$build/ynl/Documentation/netlink/specs" "$build/ynl/tools/net"
	cp "$src/tools/testing/selftests/kselftest_harness.h" \
	   "$src/tools/testing/selftests/kselftest.h" \
	   "$src/tools/testing/selftests/kselftest/ktap_helpers.sh" \
	   "$src/tools/testing/selftests/kselftest/ksft.py" "$build/kselftest/"
	cp -R "$src/tools/net/ynl" "$build/ynl/tools/net/"
	cp "$src"/Documentation/netlink/genetlink*.yaml "$build/ynl/Documentation/netlink/"
	# ynl-gen-c names the spec relative to the directory holding MAINTAINERS.
	touch "$build/ynl/MAINTAINERS"
	echo "$want" > "$stamp"
fi

echo "$(kver_of linux-image-amd64)"
echo "$(kver_of linux-image-6.12-amd64)"

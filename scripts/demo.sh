#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# demo.sh [KVER] - the main job, shown in a VM: boot a Debian kernel, load
# the veil.ko built for it, show what it offers, and run an ESP tunnel
# between two namespaces with veil at both ends (scripts/demo-guest.sh).
# Sets up whatever is missing first, like `make check`.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${VEIL_BUILD:-$root/build}
export VEIL_BUILD=$build
cd "$root"

kvers=()
while read -r k; do kvers+=("$k"); done < <(scripts/setup.sh "$build")
kver=${1:-${kvers[1]}}

echo "demo: building veil for $kver"
make -s modules KVER="$kver" >/dev/null
make -s tools >/dev/null

if ! selftests/vm/run.sh "$kver" demo; then
	echo "demo: the VM did not finish; see $build/vm/$kver/console.log" >&2
	exit 1
fi
cat "$build/vm/$kver/out/demo.log"
grep -q '^demo: done$' "$build/vm/$kver/out/demo.log"

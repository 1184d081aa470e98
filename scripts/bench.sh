#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench.sh [KVER] - issue 3's benchmark: in one VM, add N SAs (default
# 100000, or $VEIL_BENCH_N) by batch, dump them and flush them, once with
# the kernel's XFRM through iproute2 and once with veil, and print the
# times and memory per SA side by side (scripts/bench-guest.sh does the
# work). Sets up whatever is missing first, like `make demo`. Fails only
# when the VM did not finish or a step went wrong (a count that is not N,
# a command that failed), never on speed.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${VEIL_BUILD:-$root/build}
export VEIL_BUILD=$build
# N SAs twice under TCG take long (XFRM adds SAs of one address pair in
# time that grows with N squared); run.sh's default is 600 s.
export VEIL_VM_TIMEOUT=${VEIL_VM_TIMEOUT:-3600}
cd "$root"

kvers=()
while read -r k; do kvers+=("$k"); done < <(scripts/setup.sh "$build")
kver=${1:-${kvers[1]}}

n=${VEIL_BENCH_N:-100000}
case $n in
'' | *[!0-9]* | 0) echo "bench: VEIL_BENCH_N must be a positive number" >&2; exit 2 ;;
esac
# The guest reads N from here: run.sh passes nothing else in.
mkdir -p "$build/bench"
echo "$n" > "$build/bench/n"

echo "bench: building veil for $kver"
make -s modules KVER="$kver" BUILD="$build" >/dev/null
make -s tools >/dev/null

# The times are wall clock on shared CPUs: say so when other VMs compete.
others=$(pgrep -c -x qemu-system-x86 || true)
echo "bench: $n SAs, xfrm (ip) and veil, in one VM; this takes a while"
if ! selftests/vm/run.sh "$kver" bench; then
	echo "bench: the VM did not finish; see $build/vm/$kver/console.log" >&2
	exit 1
fi
cat "$build/vm/$kver/out/bench.log"
if [ "${others:-0}" -gt 0 ]; then
	echo "bench: note: $others other qemu VM(s) were running on this host's" \
	     "$(nproc) CPUs when the bench started; its times are slower for it"
fi
grep -q '^bench: done$' "$build/vm/$kver/out/bench.log"

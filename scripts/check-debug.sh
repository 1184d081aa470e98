#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check-debug.sh - `make check-debug`: the whole suite on a debug kernel
# (KASAN, UBSAN, lockdep, kmemleak, debugobjects, FORTIFY, fault
# injection; scripts/debug-kernel.sh builds it once and caches it), plus
# the programs only that kernel runs (selftests/veil/Makefile's
# TEST_PROGS_DEBUG), and a kmemleak scan after the suite and after
# rmmod veil. KTAP out; the last line is the "N passed, N failed" total.
#
# VEIL_TESTS=a,b runs only those programs, as in make check.
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${VEIL_BUILD:-$root/build}
logs=$build/check-debug
export VEIL_BUILD=$build
mkdir -p "$logs"
cd "$root"

bail() {
	echo "Bail out! $1"
	[ -n "${2:-}" ] && tail -n 40 "$2" | sed 's/^/# /'
	echo "0 passed, 1 failed"
	exit 1
}

scripts/setup.sh "$build" >/dev/null 2>"$logs/setup.log" || bail "set-up failed" "$logs/setup.log"
read -r kver kdir < <(scripts/debug-kernel.sh 2>"$logs/kernel.log") ||
	bail "the debug kernel did not build" "$logs/kernel.log"
[ -n "${kdir:-}" ] || bail "the debug kernel did not build" "$logs/kernel.log"

# What the VM needs; the module's warnings are not errors here (KASAN
# and FORTIFY inflate stack frames), make check holds it to W=1.
{ make -j2 modules KDIR="$kdir/obj" &&
  make -C tools all &&
  make -C selftests/veil O="$build"; } >"$logs/build.log" 2>&1 ||
	bail "veil.ko, the tools or the selftests did not build" "$logs/build.log"

# Several times slower than Debian's kernel: KASAN checks every access,
# lockdep every lock, and kmemleak tracks every allocation.
export VEIL_KERNEL=$kdir/bzImage VEIL_MODDIR=$kdir/mod/lib/modules/$kver VEIL_DEBUG=1
export VEIL_VM_CPU=${VEIL_VM_CPU:-max,la57=off} VEIL_VM_MEM=${VEIL_VM_MEM:-4096}
export VEIL_VM_SMP=${VEIL_VM_SMP:-2}
# The programs' times there add up to over two hours (each has
# run there, in runs of a few at a time): a backstop of four.
export VEIL_VM_TIMEOUT=${VEIL_VM_TIMEOUT:-14400} VEIL_TEST_TIMEOUT=${VEIL_TEST_TIMEOUT:-1500}
start=$(date +%s)
selftests/vm/run.sh "$kver" tests >"$logs/vm.log" 2>&1
vm_rc=$?
took=$(( $(date +%s) - start ))

ktap=$build/vm/$kver/out/ktap
[ -f "$ktap" ] || bail "the debug VM did not start" "$logs/vm.log"
echo "# veil make check-debug: $kver, built in $(cat "$kdir/build-seconds" 2>/dev/null || echo ?) s, suite took $took s"
tr -d '\000' < "$ktap"
passed=$(tr -d '\000' < "$ktap" | grep -cE '^ok [0-9]+' || true)
failed=$(tr -d '\000' < "$ktap" | grep -E '^not ok [0-9]+' | grep -c . || true)
if [ $vm_rc -ne 0 ]; then
	echo "# the VM stopped before the suite finished:"
	sed 's/^/# /' "$logs/vm.log"
	failed=$((failed + 1))
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

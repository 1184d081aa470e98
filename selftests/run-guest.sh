#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The in-VM runner, in the manner of kselftest's runner.sh: runs every test
# program of every suite in order, indents each program's own KTAP with
# "# ", and reports one KTAP line per program. Its last test checks the
# kernel log for warnings, bugs, oopses, lockdep and refcount reports.
#
# Suites and their order come from $VEIL_BUILD/selftests/<suite>/tests,
# written by `make -C selftests` on the host; on the debug kernel
# (VEIL_DEBUG=1, make check-debug) from tests-debug, which adds the
# programs that need its fault injection. There kmemleak is scanned
# after the suite and again after veil.ko is unloaded.

export VEIL_ROOT VEIL_BUILD VEIL_KVER VEIL_TESTS VEIL_DEBUG
export VEIL_MODULE=$VEIL_BUILD/$VEIL_KVER/veil.ko
export VEIL_CLI=$VEIL_ROOT/tools/veil/veil
export KSFT_DIR=$VEIL_BUILD/kselftest
export PYTHON=/usr/bin/python3
per_test_timeout=${VEIL_TEST_TIMEOUT:-180}

shopt -s nullglob
tests=()
listname=tests
[ "${VEIL_DEBUG:-0}" = 1 ] && listname=tests-debug
for list in "$VEIL_BUILD"/selftests/*/$listname; do
	suite=$(basename "$(dirname "$list")")
	while read -r t; do
		[ -n "$t" ] || continue
		# VEIL_TESTS=a,b (from `make check VEIL_TESTS=...`) runs only those.
		if [ -n "$VEIL_TESTS" ] && [[ ",$VEIL_TESTS," != *",$t,"* ]]; then
			continue
		fi
		tests+=("$suite/$t")
	done < "$list"
done

# kmemleak_check WHEN: one KTAP line, ok when a scan finds no unreferenced
# object allocated since the runner started.
kmemleak=/sys/kernel/debug/kmemleak
kmemleak_check() {
	local leaks
	n=$((n + 1))
	# An object is reported only once it has been unreferenced through
	# two scans and is older than 5 s (mm/kmemleak.c).
	echo scan > $kmemleak; sleep 6; echo scan > $kmemleak
	leaks=$(cat $kmemleak)
	if [ -z "$leaks" ]; then
		echo "ok $n kmemleak finds nothing $1"
	else
		echo "# kmemleak, $1: $(echo "$leaks" | grep -c '^unreferenced object') objects"
		echo "$leaks" | head -n 120 | sed 's/^/# /'
		echo "not ok $n kmemleak finds nothing $1"
		echo clear > $kmemleak
	fi
}
extra=1
if [ "${VEIL_DEBUG:-0}" = 1 ]; then
	[ -w $kmemleak ] || { echo "Bail out! VEIL_DEBUG=1 but no $kmemleak"; exit 1; }
	# What boot left behind is not veil's: only later allocations count.
	echo clear > $kmemleak
	extra=3
fi

echo "TAP version 13"
echo "1..$(( ${#tests[@]} + extra ))"
echo "# kernel $(uname -r), veil.ko from $VEIL_MODULE"
echo "# boot: the runner started $(cut -d" " -f1 /proc/uptime) s after the kernel did"
dmesg -C

# idle_pct BEFORE AFTER: of two /proc/stat "cpu" lines, the share of the
# CPU time between them spent idle or waiting for I/O.
idle_pct() {
	echo "$1 $2" | awk '{ n = NF / 2; for (i = 2; i <= n; i++) { d = $(n + i) - $i; all += d
		if (i == 5 || i == 6) idle += d }; printf "%d", all ? 100 * idle / all : 0 }'
}

n=0
for t in "${tests[@]}"; do
	# The scan before rmmod takes its own number, before unload.sh's.
	if [ "$extra" = 3 ] && [ "$t" = veil/unload.sh ]; then
		kmemleak_check "after the suite"
		unload_seen=1
	fi
	n=$((n + 1))
	suite=${t%%/*}
	prog=${t#*/}
	# Scripts run from the source tree, compiled tests from the build tree.
	if [ -x "$VEIL_ROOT/selftests/$suite/$prog" ]; then
		path=$VEIL_ROOT/selftests/$suite/$prog
	else
		path=$VEIL_BUILD/selftests/$suite/$prog
	fi
	echo "# selftests: $suite: $prog"
	# A suite's "settings" file may give its programs more time, as the
	# kselftest runner reads "timeout=" there; VEIL_TEST_TIMEOUT wins.
	limit=$per_test_timeout
	if [ -z "${VEIL_TEST_TIMEOUT:-}" ] && [ -r "$VEIL_ROOT/selftests/$suite/settings" ]; then
		limit=$(sed -n 's/^timeout=\([0-9]*\)$/\1/p' "$VEIL_ROOT/selftests/$suite/settings")
		limit=${limit:-$per_test_timeout}
	fi
	t0=$(cut -d' ' -f1 /proc/uptime)
	s0=$(head -n1 /proc/stat)
	(cd /tmp && timeout "$limit" "$path" 2>&1) | sed -u 's/^/# /'
	rc=${PIPESTATUS[0]}
	t1=$(cut -d' ' -f1 /proc/uptime)
	# How long, how much of it the CPUs were idle, and what memory is
	# left: a suite that leaks (or fills the tmpfs) shows here before the
	# guest runs out, and one mostly idle waits on timers, not on the
	# emulated CPU (which matters for how make check packs its guests).
	echo "# $prog took $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s," \
		"$(idle_pct "$s0" "$(head -n1 /proc/stat)")% idle;" \
		"$(awk '/^MemAvailable/ { printf "%d", $2 / 1024 }' /proc/meminfo) MB available"
	case $rc in
	0) echo "ok $n selftests: $suite: $prog" ;;
	4) echo "ok $n selftests: $suite: $prog # SKIP" ;;
	124) echo "not ok $n selftests: $suite: $prog # TIMEOUT ${limit}s" ;;
	*) echo "not ok $n selftests: $suite: $prog # exit=$rc" ;;
	esac
done

if [ "$extra" = 3 ]; then
	# VEIL_TESTS may leave unload.sh out: then the module goes here.
	if [ -z "${unload_seen:-}" ]; then
		kmemleak_check "after the suite"
		rmmod veil 2>/dev/null
	fi
	kmemleak_check "after rmmod veil"
fi

n=$((n + 1))
bad='WARNING:|BUG:|Oops|general protection|lockdep|possible circular locking|'
bad+='refcount_t:|UBSAN:|KASAN:|kmemleak|list_add corruption|list_del corruption|'
bad+='INFO: task .* blocked|RCU detected stall|Call Trace:'
if dmesg | grep -Eq "$bad"; then
	echo "# kernel log:"
	dmesg | grep -E -A 20 "$bad" | head -n 80 | sed 's/^/# /'
	echo "not ok $n kernel log is free of warnings and bugs"
else
	echo "ok $n kernel log is free of warnings and bugs"
fi

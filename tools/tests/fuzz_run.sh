#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run one of tools/'s libFuzzer targets, from tools/:
#
#   tests/fuzz_run.sh NAME [ LIBFUZZER-OPTION... ]
#
# NAME is ike, ike_v1, conf or cli (tests/NAME_fuzz, built by the Makefile).
# Every input in tests/fuzz-regress/NAME/ runs once first: crashes found
# before, and inputs that reach tricky paths. Then the target fuzzes a
# scratch copy of its committed seeds, tests/corpus/NAME/, in
# tests/NAME_corpus/ (what the run adds stays out of git), with the options
# given: -runs=N -seed=1 in make test, -max_total_time=S in make fuzz.
# A crash, a leak or a broken promise fails and leaves the input as
# tests/NAME_fuzz-crash-* (or leak-, timeout-, oom-); libFuzzer's own
# output is in tests/NAME_fuzz.log. On success one line says how many
# inputs ran and what they covered.

name=$1
shift
bin=tests/${name}_fuzz
log=tests/${name}_fuzz.log
work=tests/${name}_corpus
regress=tests/fuzz-regress/$name
opts=
# libconfig 1.5 leaks the string it read when a syntax error follows
# (iked/fuzz_conf.c suppresses that). libFuzzer would then run a leak
# check after most inputs, which takes most of the time: this target's
# leaks are checked when it exits instead, which still fails the run.
[ "$name" = conf ] && opts=-detect_leaks=0

fail() {
	tail -n 30 "$log"
	echo "$name: FAILED ($1); see $log" >&2
	exit 1
}

: >"$log"
nregress=0
for f in "$regress"/*; do
	[ -f "$f" ] && nregress=$((nregress + 1))
done
if [ "$nregress" -gt 0 ]; then
	"$bin" $opts "$regress"/* >>"$log" 2>&1 || fail "a regression input"
fi

rm -rf "$work"
cp -r "tests/corpus/$name" "$work" || exit 1
nseeds=$(ls "$work" | wc -l)
"$bin" $opts -max_len=4096 -print_final_stats=1 -artifact_prefix="tests/${name}_fuzz-" \
	"$@" "$work" >>"$log" 2>&1 || fail "fuzzing"

runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -n 1)
cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$log" | tail -n 1)
echo "$name: $runs inputs in ${secs:-?} s, $cov, corpus $nseeds -> $(ls "$work" | wc -l) inputs;" \
     "$nregress regression inputs pass"

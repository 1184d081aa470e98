#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench.sh [KVER] - the benchmark: in one VM, add N SAs (default
# 100000, or $VEIL_BENCH_N) by batch, dump them and flush them, once with
# the kernel's XFRM through iproute2 and once with veil, and print the
# times and memory per SA side by side; then, veil alone, time 10,000
# `sa get`s with 1,000 and with $VEIL_BENCH_SCALE (default 1,000,000) SAs
# present, and dump and flush the lot; the datapath rows (iperf3 through
# ESP, AH, NAT-T and interfaces), the TLS rows (a 1 GiB file through
# veil, kTLS and OpenSSL) and the veil-tls rows (`veil-tls serve` against
# `openssl s_server -WWW`, `veil-tls proxy` against stunnel4, handshakes
# per second) and the IKE rows (IKE SAs established per second against
# veil-iked and against charon as responders, scripts/bench-ike.sh);
# scripts/bench-guest.sh does the work.
# VEIL_BENCH_ONLY=tls runs the TLS record layer's rows alone,
# VEIL_BENCH_ONLY=veiltls the veil-tls rows alone (VEIL_BENCH_VTLS_MB: their
# file's size, 1024 MB by default), VEIL_BENCH_ONLY=ike the IKE rows alone
# (VEIL_BENCH_IKE_N IKE SAs, 200 by default, from VEIL_BENCH_IKE_M
# initiators, 4, VEIL_BENCH_IKE_ROUNDS runs each, 2; VEIL_BENCH_IKE_INITIATOR
# charon, the default, or veil). Sets up whatever is
# missing first, like `make demo`. Fails only when the VM did not finish
# or a step went wrong (a count that is not N, a command that failed),
# never on speed.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${VEIL_BUILD:-$root/build}
export VEIL_BUILD=$build
# N SAs twice under TCG take long (XFRM adds SAs of one address pair in
# time that grows with N squared), and the veil-tls rows move 1 GiB 16
# times; run.sh's default is 600 s.
export VEIL_VM_TIMEOUT=${VEIL_VM_TIMEOUT:-5400}
# A million SAs, each with its crypto transform (as XFRM's have), take
# some 2.5 GiB: more than the test VM's 2 GiB.
export VEIL_VM_MEM=${VEIL_VM_MEM:-8192}
cd "$root"

kvers=()
while read -r k; do kvers+=("$k"); done < <(scripts/setup.sh "$build")
kver=${1:-${kvers[1]}}

n=${VEIL_BENCH_N:-100000}
case $n in
'' | *[!0-9]* | 0) echo "bench: VEIL_BENCH_N must be a positive number" >&2; exit 2 ;;
esac
scale=${VEIL_BENCH_SCALE:-1000000}
case $scale in
'' | *[!0-9]* | 0 | ? | ?? | ???) echo "bench: VEIL_BENCH_SCALE must be a number above 1000" >&2; exit 2 ;;
esac
# The guest reads N and the scale from here: run.sh passes nothing else in.
mkdir -p "$build/bench"
echo "$n" > "$build/bench/n"
echo "$scale" > "$build/bench/scale"
# VEIL_BENCH_ONLY=tls: only the TLS record layer's rows; =veiltls: only
# veil-tls's; =ike: only the IKE rows.
case ${VEIL_BENCH_ONLY:-} in
'' | tls | veiltls | ike) ;;
*) echo "bench: VEIL_BENCH_ONLY must be tls, veiltls or ike" >&2; exit 2 ;;
esac
echo "${VEIL_BENCH_ONLY:-}" > "$build/bench/only"
# VEIL_BENCH_VTLS_MB: the veil-tls rows' file, 1024 MB unless a quick look
# at the rows themselves wants less.
vtls_mb=${VEIL_BENCH_VTLS_MB:-1024}
[[ $vtls_mb =~ ^[1-9][0-9]*$ ]] ||
	{ echo "bench: VEIL_BENCH_VTLS_MB must be a number of MB" >&2; exit 2; }
echo "$vtls_mb" > "$build/bench/vtls_mb"
# The IKE rows: N IKE SAs from M initiators, ROUNDS runs per responder.
ike_n=${VEIL_BENCH_IKE_N:-200} ike_m=${VEIL_BENCH_IKE_M:-4} ike_rounds=${VEIL_BENCH_IKE_ROUNDS:-2}
[[ $ike_n =~ ^[1-9][0-9]*$ && $ike_m =~ ^[1-9][0-9]*$ && $ike_rounds =~ ^[1-9][0-9]*$ ]] &&
	[ "$ike_m" -le 250 ] && [ "$ike_m" -le "$ike_n" ] && [ "$ike_n" -le 262144 ] ||
	{ echo "bench: VEIL_BENCH_IKE_N (at most 262144), VEIL_BENCH_IKE_M (1 to 250," \
	       "at most N) and VEIL_BENCH_IKE_ROUNDS must be positive numbers" >&2; exit 2; }
echo "$ike_n" > "$build/bench/ike_n"
echo "$ike_m" > "$build/bench/ike_m"
echo "$ike_rounds" > "$build/bench/ike_rounds"
case ${VEIL_BENCH_IKE_INITIATOR:=charon} in
charon | veil) ;;
*) echo "bench: VEIL_BENCH_IKE_INITIATOR must be charon or veil" >&2; exit 2 ;;
esac
echo "$VEIL_BENCH_IKE_INITIATOR" > "$build/bench/ike_initiator"

echo "bench: building veil for $kver"
make -s modules KVER="$kver" BUILD="$build" >/dev/null
make -s tools >/dev/null
# natt_peer: the UDP_ENCAP sockets of XFRM's NAT-T rows; tls_bench: the
# TLS rows.
make -s -C selftests/veil O="$build" "$build/selftests/veil/natt_peer" \
	"$build/selftests/veil/tls_bench" >/dev/null

# The times are wall clock on shared CPUs: say so when other VMs ran
# beside this one. Every 5 s, one line in $busy while another qemu runs:
# the time (seconds since the epoch, which the guest's clock keeps too)
# and how many run.
busy=$build/bench/busy
: > "$busy"
(
	while sleep 5; do
		c=$(pgrep -c -x qemu-system-x86 || true)
		[ "${c:-0}" -gt 1 ] && echo "$(date +%s) $c" >> "$busy"
	done
) >/dev/null 2>&1 &
sampler=$!
trap 'kill "$sampler" 2>/dev/null || true' EXIT

echo "bench: $n SAs, xfrm (ip) and veil, in one VM; this takes a while"
# The CPU model the README's figures were measured with.
export VEIL_VM_CPU=${VEIL_VM_CPU:-max,la57=off}
if ! selftests/vm/run.sh "$kver" bench; then
	echo "bench: the VM did not finish; see $build/vm/$kver/console.log" >&2
	exit 1
fi
log=$build/vm/$kver/out/bench.log
# "bench: @ T0 T1 LABEL": when a row was timed (the veil-tls rows say so).
grep -v '^bench: @ ' "$log" || true
if [ -s "$busy" ]; then
	echo "bench: note: for about $(($(wc -l < "$busy") * 5)) s of the run, other" \
	     "qemu VMs shared this host's $(nproc) CPUs; its times are slower for it"
	awk 'FILENAME == ARGV[1] { busy[++nb] = $1; next }
	     $1 == "bench:" && $2 == "@" {
		n = 0
		for (i = 1; i <= nb; i++)
			if (busy[i] >= $3 && busy[i] <= $4 + 5)
				n++
		if (n) {
			label = $5
			for (j = 6; j <= NF; j++)
				label = label " " $j
			printf "bench: note: %s: beside other VMs for about %d of its %d s\n",
			       label, n * 5, $4 - $3
		}
	     }' "$busy" "$log"
fi
grep -q '^bench: done$' "$log"

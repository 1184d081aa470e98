#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Memory pressure, made by the debug kernel's fault injection: failslab
# and fail_page_alloc fail a share of the allocations made with veil.ko's
# code on the stack (the stack-trace filter set to veil's .text), in any
# task and any context, sleeping allocations included, without a word
# in the log (verbose 0: panic_on_warn is on).
#
#   [ veil-fi ] 10.97.0.1 ----------- veth ----------- 10.97.0.2 [ veil-fj ]
#     TLS client        TCP: ESP transport 0x9701/0x9702        TLS server
#   veil0 10.98.0.1 ========= ESP tunnel 0x9801/0x9802 ========= veil0 10.98.0.2
#     ping -f, tcp_xfer                                         tcp_xfer
#
# Under the faults: SAs and policies added and deleted through the CLI,
# whose failures must be errors the CLI prints ("line N: ..."); a ping
# flood and a TCP transfer through the tunnel and a TLS transfer through
# veil's ULP over the transport SAs, which may lose packets (counted as
# veil's drops) or fail with an error, but must end. Then the faults stop
# and everything works as before: the configuration is complete, traffic
# flows, a TLS transfer completes. The kernel must not crash or warn, and
# the runner's kmemleak scans must find nothing.
#
# In TEST_PROGS_DEBUG: Debian's kernels have no failslab. FAULT_PCT
# (default 10) is the share of allocations failed, FAULT_S (default 10)
# how long the traffic runs under them.

. "$(dirname "$0")/lib.sh"

A=veil-fi B=veil-fj
. "$(dirname "$0")/fault_lib.sh"

DBG=/sys/kernel/debug
FAULT_PCT=${FAULT_PCT:-10}
FAULT_S=${FAULT_S:-10}
TIMES=1000000	# failures allowed; what is left of it says how many there were
FAULTS=(failslab fail_page_alloc)

# faults_off: no more failures, whatever happened. Idempotent.
faults_off() {
	local f
	for f in "${FAULTS[@]}"; do
		[ -w $DBG/$f/probability ] && echo 0 > $DBG/$f/probability
	done
}

trap 'faults_off; cleanup' EXIT

if [ ! -d $DBG/failslab ]; then
	mount -t debugfs none $DBG 2>/dev/null
	[ -d $DBG/failslab ] || { ktap_print_header; ktap_skip_all "no failslab (CONFIG_FAILSLAB)"; exit "$KSFT_SKIP"; }
fi

# faults_on: fail FAULT_PCT % of the allocations made from veil.ko's
# .text, in any task.
faults_on() {
	local start size end f
	start=$(cat /sys/module/veil/sections/.text) &&
	size=$(readelf -SW "$VEIL_MODULE" | sed 's/^ *\[ *[0-9]*\] *//' |
		awk '$1 == ".text" { print $5 }') &&
	[ -n "$size" ] && [ $((start)) -ne 0 ] || { echo "no .text range for veil"; return 1; }
	# Bash's arithmetic is signed: printf gives the address back unsigned.
	end=$(printf '0x%x' $((start + 0x$size)))
	echo "# veil's .text: $start to $end" >&3
	for f in "${FAULTS[@]}"; do
		echo "$start" > $DBG/$f/require-start &&
		echo "$end" > $DBG/$f/require-end &&
		echo 32 > $DBG/$f/stacktrace-depth &&
		echo N > $DBG/$f/task-filter &&
		echo N > $DBG/$f/ignore-gfp-wait &&
		echo 0 > $DBG/$f/verbose &&
		echo 0 > $DBG/$f/space &&
		echo 1 > $DBG/$f/interval &&
		echo $TIMES > $DBG/$f/times || return 1
	done
	echo 0 > $DBG/fail_page_alloc/min-order &&
	echo N > $DBG/fail_page_alloc/ignore-gfp-highmem || return 1
	for f in "${FAULTS[@]}"; do
		echo "$FAULT_PCT" > $DBG/$f/probability || return 1
	done
}

# failures: how many allocations each has failed so far.
failures() {
	local f
	for f in "${FAULTS[@]}"; do
		printf '%s %d ' $f $((TIMES - $(cat $DBG/$f/times)))
	done
}

# The CLI under faults: 50 SAs and 50 policies added, then deleted, three
# times, with -force: every failing line must say why.
control_plane() {
	local i r=0 lines fails
	for r in 1 2 3; do
		for i in $(seq 50); do
			echo "sa add src 192.0.2.1 dst 192.0.2.2 proto esp spi $((0xa000 + i)) reqid 9 mode tunnel $ALG"
			echo "policy add src 198.51.100.$i dst 203.0.113.0/24 dir out tmpl src 192.0.2.1 dst 192.0.2.2 proto esp reqid 9 mode tunnel"
		done
		for i in $(seq 50); do
			echo "sa del src 192.0.2.1 dst 192.0.2.2 proto esp spi $((0xa000 + i))"
			echo "policy del src 198.51.100.$i dst 203.0.113.0/24 dir out"
		done
	done > "$T/cp"
	lines=$(wc -l < "$T/cp")
	"$VEIL" -n $A -batch "$T/cp" -force > "$T/cp.out" 2>&1
	fails=$(grep -c '^veil: line [0-9]*: ' "$T/cp.out")
	# A "del" fails when its "add" did: count those apart.
	echo "# control plane: $fails of $lines lines failed;" \
		"$(grep -vc 'No such\|not found\|no such' "$T/cp.out") not for want of the object;" \
		"messages: $(sed 's/^veil: line [0-9]*: //' "$T/cp.out" | sort | uniq -c | sort -rn |
			head -n 4 | awk '{ $1 = $1 "x"; print }' | paste -sd ';')" >&3
	# Anything the CLI printed is a "line N:" error.
	[ -z "$(grep -v '^veil: line [0-9]*: ' "$T/cp.out")" ] ||
		{ echo "unexpected output:"; cat "$T/cp.out"; return 1; }
}

stat_line() {
	local ns=$1 k
	for k in other-drops no-sa policy-drops tls-decrypt-errors tls-tx-lost; do
		printf '%s=%s ' $k "$(ns_stat "$ns" $k)"
	done
}

# The datapath under faults: a ping flood and a TCP transfer through the
# tunnel, a TLS transfer over the transport SAs, for FAULT_S seconds.
datapath() {
	local ping xfer tls_ok=1 before
	before="$(stat_line $A)/ $(stat_line $B)"
	head -c 4194304 /dev/urandom > "$T/4m"
	"$FTLS" stream "$FAULT_S" "$B" 10.97.0.2 "$A" 10.97.0.1 5701 > "$T/tls" 2>&1 &
	tls=$!
	PIDS+=($tls)
	ina ping -q -f -w "$FAULT_S" 10.98.0.2 > "$T/ping" 2>&1 &
	ping=$!
	PIDS+=($ping)
	timeout $((FAULT_S + 60)) "$XFER" "$A" 10.98.0.1 "$B" 10.98.0.2 5702 "$T/4m" > "$T/xfer" 2>&1 &
	xfer=$!
	PIDS+=($xfer)
	wait $ping
	wait $xfer && echo "# tcp_xfer: 4 MB arrived intact" >&3 ||
		echo "# tcp_xfer failed: $(tail -n 1 "$T/xfer")" >&3
	wait $tls || tls_ok=0
	echo "# ping: $(grep -o '[0-9]* packets transmitted, [0-9]* received' "$T/ping");" \
		"TLS: $( ((tls_ok)) && grep '^tls:' "$T/tls" || tail -n 1 "$T/tls")" >&3
	echo "# counters before: $before" >&3
	echo "# counters after:  $(stat_line $A)/ $(stat_line $B)" >&3
}

under_faults() {
	faults_on || return 1
	control_plane || { faults_off; return 1; }
	datapath
	echo "# injected: $(failures)" >&3
	faults_off
}

# After: the churned SAs and policies gone, the configuration complete,
# traffic and TLS through veil as before.
recovered() {
	printf 'sa del src 192.0.2.1 dst 192.0.2.2 proto esp spi %d\n' $(seq $((0xa001)) $((0xa032))) |
		"$VEIL" -n $A -batch - -force >/dev/null 2>&1
	printf 'policy del src 198.51.100.%d dst 203.0.113.0/24 dir out\n' $(seq 50) |
		"$VEIL" -n $A -batch - -force >/dev/null 2>&1
	complete $A && complete $B && works || return 1
	"$FTLS" stream 1 "$B" 10.97.0.2 "$A" 10.97.0.1 5703 > "$T/tls2" 2>&1 ||
		{ cat "$T/tls2"; return 1; }
}

ktap_print_header
ktap_set_plan 4

check "two namespaces with veil SAs, policies and interfaces" topology
check "traffic through the transport SAs and the tunnel" works
check "$FAULT_PCT % of veil's allocations fail: CLI, ping flood, TCP and TLS" under_faults 3>&1
check "faults off: the configuration is complete, traffic and TLS flow again" recovered

ktap_finished

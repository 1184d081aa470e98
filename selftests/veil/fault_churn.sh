#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Faults under load: the SAs and policies traffic is using, deleted and
# added again in a tight loop from four processes on two CPUs.
#
#   [ veil-fc ] 10.97.0.1 ----------- veth ----------- 10.97.0.2 [ veil-fd ]
#     TLS client        TCP: ESP transport 0x9701/0x9702        TLS server
#   veil0 10.98.0.1 ========= ESP tunnel 0x9801/0x9802 ========= veil0 10.98.0.2
#     TLS client, ping                                          TLS server
#
# In each namespace one `veil -batch` deletes and adds again every SA,
# another every policy, round after round, for CHURN_S seconds: the two
# of a namespace pinned to different CPUs when there are two (make
# check-debug's VM has two, make check's one: the output says which were
# used), so its configuration lock is fought over from both, while two TLS
# transfers through veil's ULP (fault_tls stream, every byte checked),
# one over the transport SAs and one through the tunnel, and a ping
# every 20 ms through the tunnel run through them. Every line must
# succeed: a lost SA or policy would fail its "del". Afterwards every SA
# and policy is there, once, both transfers end complete (TCP carries
# them over the gaps), and traffic flows again and is counted.
#
# In TEST_PROGS_DEBUG: make check has neither the second CPU nor the
# time. CHURN_S (default 20) sets how long.

. "$(dirname "$0")/lib.sh"

A=veil-fc B=veil-fd
. "$(dirname "$0")/fault_lib.sh"

CHURN_S=${CHURN_S:-20}
ROUND=5		# churn rounds per veil -batch

# churn_loop NS CPU WHAT UNTIL: veil -batch $T/WHAT.NS in NS, again and
# again until UNTIL (epoch seconds), at least once, pinned to CPU; the
# rounds done go to $T/rounds.WHAT.NS. Any failing line ends it with
# status 1.
churn_loop() {
	local n=0
	taskset -pc "$2" $BASHPID >/dev/null || return 1
	while [ $n = 0 ] || [ "$EPOCHSECONDS" -lt "$4" ]; do
		"$VEIL" -n "$1" -batch "$T/$3.$1" ||
			{ echo "$1: veil -batch of ${3}s failed after $n rounds"; return 1; }
		n=$((n + ROUND))
	done
	echo $n > "$T/rounds.$3.$1"
}

# Four processes: in each namespace one churns the SAs and one the
# policies, so each namespace's configuration lock is fought over from
# both CPUs, and each CPU's packets meet objects going and coming.
churn() {
	local cpus=(0 0) until i side ns pids=() p ping rc=0
	[ "$(nproc)" -ge 2 ] && cpus=(0 1)
	for side in a b; do
		ns=$A
		[ $side = b ] && ns=$B
		for i in $(seq $ROUND); do sa_lines del; sa_lines add; done > "$T/sa.$ns"
		for i in $(seq $ROUND); do pol_lines del $side; pol_lines add $side; done > "$T/policy.$ns"
	done
	stream_start tls1 5401 10.97.0.2 10.97.0.1 && stream_start tls2 5402 10.98.0.2 10.98.0.1 ||
		return 1
	ina ping -q -i 0.02 -w $((CHURN_S + 2)) 10.98.0.2 > "$T/ping" 2>&1 &
	ping=$!
	until=$((EPOCHSECONDS + CHURN_S))
	churn_loop "$A" ${cpus[0]} sa $until & pids+=($!)
	churn_loop "$A" ${cpus[1]} policy $until & pids+=($!)
	churn_loop "$B" ${cpus[1]} sa $until & pids+=($!)
	churn_loop "$B" ${cpus[0]} policy $until & pids+=($!)
	for p in "${pids[@]}"; do
		wait $p || rc=1
	done
	stream_end tls1 || rc=1
	stream_end tls2 || rc=1
	wait $ping
	echo "# churn ($(nproc) CPUs): $A SAs $(cat "$T/rounds.sa.$A" 2>/dev/null) rounds on CPU ${cpus[0]}," \
		"policies $(cat "$T/rounds.policy.$A" 2>/dev/null) on CPU ${cpus[1]};" \
		"$B SAs $(cat "$T/rounds.sa.$B" 2>/dev/null) on CPU ${cpus[1]}," \
		"policies $(cat "$T/rounds.policy.$B" 2>/dev/null) on CPU ${cpus[0]};" \
		"a round deletes and adds 4 objects; ping: $(grep -o '[0-9]* received' "$T/ping");" \
		"TLS meanwhile: $(grep -h '^tls:' "$T/tls1" "$T/tls2" | awk '{ printf "%s ", $2 }')bytes" >&3
	return $rc
}

# works, and the SAs count what went through them.
resumes() {
	local before after
	before=$(sa_packets $B 9701)
	works || return 1
	after=$(sa_packets $B 9701)
	[ "$after" -gt "$before" ] || { echo "SA 0x9701 in $B counted nothing ($before)"; return 1; }
}

ktap_print_header
ktap_set_plan 5

check "two namespaces with veil SAs, policies and interfaces" topology
check "traffic through the transport SAs and the tunnel" works
check "every SA and policy deleted and added again for ${CHURN_S} s while TLS and ping run through them" \
	churn 3>&1
check "after the churn every SA and policy is there, once" eval "complete $A && complete $B"
check "traffic flows again after the churn, counted by the SAs" resumes

ktap_finished

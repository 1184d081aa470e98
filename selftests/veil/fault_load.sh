#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Faults under load: `rmmod veil` while traffic flows through veil's SAs,
# its interface and its TLS record layer; and a namespace deleted with
# everything veil can hold still in it. (The SA and policy churn is
# fault_churn.sh, the allocation failures fault_inject.sh.)
#
#   [ veil-fa ] 10.97.0.1 ----------- veth ----------- 10.97.0.2 [ veil-fb ]
#                       TCP: ESP transport 0x9701/0x9702
#   veil0 10.98.0.1 ========= ESP tunnel 0x9801/0x9802 ========= veil0 10.98.0.2
#
# rmmod: veil's policy (Documentation/hardening.rst) is that a socket
# with veil's TLS ULP, or a UDP socket a process handed to veil for
# NAT-T, holds a module reference; SAs, policies and interfaces do not:
# unloading deletes them in every namespace. So while a TLS transfer
# through veil's ULP (fault_tls stream, every byte checked) runs through
# the tunnel, with a ping beside it, every rmmod is refused as "in use"
# and the transfer goes on undisturbed. Once it ended, rmmod with a TCP
# transfer (tcp_xfer) over the transport SAs and the ping through veil0
# still running succeeds; that traffic goes on in clear or fails, without
# a crash. The module is loaded again, with no state left.
#
# Namespace deletion: veil-fa gets the configuration again, an interface
# moved to veil-fb (veil1, which must go with its link namespace), a NAT-T
# socket veil opened and one a process handed over (natt_peer), and TLS
# connections with full queues both ways and a record half read (fault_tls
# hold), to veil-fb through the tunnel and over loopback; veil-fb floods
# pings at it. The processes are killed and the namespace deleted. Once
# its cleanup ran (veil-fb's veth end is gone), veil-fb's state is intact
# and the module holds no reference: rmmod succeeds (SLUB would warn
# about an SA left in veil's cache; make check-debug's kmemleak scans
# look for the rest), and the module is loaded again for the programs
# after this one.
#
# VEIL_DEBUG=1 (make check-debug) tries rmmod more often.

. "$(dirname "$0")/lib.sh"

A=veil-fa B=veil-fb
. "$(dirname "$0")/fault_lib.sh"

RMMOD_TRIES=3
[ "${VEIL_DEBUG:-0}" = 1 ] && RMMOD_TRIES=30

# The module must be there for the programs after this one, whatever failed.
trap 'cleanup; [ -e /sys/module/veil ] || insmod "$VEIL_MODULE"' EXIT

rmmod_refused() {
	local n=0 r
	stream_start tls 5403 10.98.0.2 10.98.0.1 || return 1
	ina ping -q -i 0.02 10.98.0.2 > "$T/ping" 2>&1 &
	PIDS+=($!)
	echo "# module references with the TLS connection up: $(module_refs)" >&3
	while [ $n -lt $RMMOD_TRIES ]; do
		if r=$(rmmod veil 2>&1); then
			echo "rmmod succeeded while a TLS socket used veil's ULP"
			return 1
		fi
		case $r in
		*"in use"*) n=$((n + 1)) ;;
		*) echo "rmmod failed otherwise: $r"; return 1 ;;
		esac
	done
	stream_end tls || return 1
	echo "# $n rmmod attempts refused as in use; TLS meanwhile: $(grep '^tls:' "$T/tls")" >&3
}

gone() {
	[ ! -e /sys/module/veil ] && ! genl ctrl get name veil >/dev/null 2>&1
}

rmmod_under_esp() {
	local refs xfer
	refs=$(module_refs)
	[ "$refs" = 0 ] || { echo "$refs module references left after the TLS sockets closed"; return 1; }
	head -c 10485760 /dev/zero > "$T/10m"
	"$XFER" "$A" 10.97.0.1 "$B" 10.97.0.2 5302 "$T/10m" > "$T/xfer" 2>&1 &
	xfer=$!
	PIDS+=($xfer)
	nap 0.5
	[ "$(sa_packets $B 9701)" -gt 0 ] || { echo "nothing went through SA 0x9701"; return 1; }
	timeout 60 rmmod veil && gone || return 1
	# What ran through veil goes on in clear or fails, whichever.
	kill $xfer 2>/dev/null
	wait $xfer
	return 0
}

fresh_state() {
	insmod "$VEIL_MODULE" || return 1
	"$VEIL" -n $A -batch - > "$T/fresh" 2>&1 <<-EOF || { cat "$T/fresh"; return 1; }
	sa count
	policy count
	EOF
	[ "$(cat "$T/fresh")" = "SAD count 0
SPD IN 0 -- SPD OUT 0 -- SPD FWD 0" ] && [ -z "$(ip -n $A -o link show type veil)" ] ||
		{ echo "veil state survived the unload:"; cat "$T/fresh"; return 1; }
}

# Everything in $A: the configuration, NAT-T sockets, TLS connections
# with data queued, and a ping from $B in flight.
populate() {
	local refs
	configure && "$VEIL" -n $A encap add port 4500 &&
	"$VEIL" -n $A link add veil1 if_id 9 && ip -n $A link set veil1 netns $B || return 1
	ina "$VEIL_BUILD/selftests/veil/natt_peer" veil 10.97.0.1 4501 "$T/natt" > /dev/null 2>&1 &
	PIDS+=($!)
	"$FTLS" hold 2 "$A" 10.98.0.1 "$B" 10.98.0.2 5501 > "$T/hold1" 2>&1 &
	PIDS+=($!)
	"$FTLS" hold 1 "$A" 127.0.0.1 "$A" 127.0.0.1 5601 > "$T/hold2" 2>&1 &
	PIDS+=($!)
	wait_for 150 test -e "$T/natt" && wait_for 150 grep -q ready "$T/hold1" &&
	wait_for 150 grep -q ready "$T/hold2" ||
		{ echo "not ready:"; cat "$T/hold1" "$T/hold2"; return 1; }
	inb ping -q -f -w 30 10.98.0.1 > /dev/null 2>&1 &
	PIDS+=($!)
	refs=$(module_refs)
	echo "# module references: $refs (6 TLS sockets, 1 NAT-T socket)" >&3
	[ "$refs" = 7 ]
}

netns_del() {
	local p
	for p in $(ip netns pids $A) "${PIDS[@]}"; do
		kill -9 $p 2>/dev/null
	done
	wait 2>/dev/null
	PIDS=()
	ip netns del $A || return 1
	# The namespace goes in a work item, later: its veth end takes
	# $B's with it.
	wait_for 300 eval "! ip -n $B link show eth0" ||
		{ echo "$A's cleanup did not run"; return 1; }
}

intact() {
	complete $B || return 1
	! ip -n $B link show veil1 >/dev/null 2>&1 ||
		{ echo "veil1 outlived its link namespace $A"; return 1; }
	wait_for 50 eval '[ "$(module_refs)" = 0 ]' ||
		{ echo "module references left: $(module_refs)"; return 1; }
}

ktap_print_header
ktap_set_plan 7

check "two namespaces with veil SAs, policies and interfaces" topology
check "rmmod is refused while a TLS transfer runs through veil0, which goes on" rmmod_refused 3>&1
check "rmmod succeeds with a TCP transfer through the SAs and a ping through veil0" rmmod_under_esp
check "insmod again: no veil state left from before" fresh_state
check "a namespace with SAs, policies, interfaces, NAT-T and TLS sockets, traffic in flight" \
	populate 3>&1
check "the processes killed and the namespace deleted, its cleanup runs" netns_del
check "the other namespace is intact, no module reference is left; rmmod, insmod" \
	eval 'intact && timeout 60 rmmod veil && gone && insmod "$VEIL_MODULE"'

ktap_finished

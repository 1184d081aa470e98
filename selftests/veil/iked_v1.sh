#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# veil-iked's IKEv1 (RFC 2409), as far as it goes, against strongSwan's
# charon on the kernel's own XFRM: veil-iked initiates Main Mode with a
# pre-shared key and Quick Mode with PFS; ping crosses the tunnel both
# ways through veil.ko's and XFRM's SAs, which carry the same SPIs; when
# veil-iked stops, its Deletes clear charon's IPsec and ISAKMP SAs; with
# a wrong key nothing is established. Then charon initiates and veil-iked
# answers; each side rekeys the child; charon's Deletes clear veil's SAs;
# and Aggressive Mode both ways. Then a table of Quick Mode cases, each
# initiator in turn: with and without PFS, ESP in tunnel and transport
# mode, AH in transport mode, over IPv4 and IPv6 (v1_cases); and a
# Quick Mode with PFS refused by a child without it. DPD (RFC 3706) both
# ways and a peer gone silent; INITIAL-CONTACT when either side starts
# anew; the ISAKMP SA renewed by either side under pings, its child
# moving to the new one. Then Main Mode with RSA signatures and X.509
# certificates each way, and a certificate veil-iked must refuse. Last,
# NAT traversal through a masquerading namespace, and a flood of
# malformed ISAKMP messages.
#
#   [ ikev1-l ] 10.95.0.1 ------ veth ------ 10.95.0.2 [ ikev1-r ]
#   veil-iked   fd00:95::1                   fd00:95::2  charon
#   veil.ko     lo 10.95.1.1/24, fd00:95:1::1/64         XFRM
#                              lo 10.95.2.1/24, fd00:95:2::1/64

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/charon_lib.sh"

IKED=${VEIL_IKED:-$VEIL_ROOT/tools/iked/veil-iked}
XFER=$VEIL_BUILD/selftests/veil/tcp_xfer
PKI=$VEIL_BUILD/selftests/veil/iked-pki
L=ikev1-l R=ikev1-r
T=$(mktemp -d)
PSK=veil-ikev1-selftest-psk
CHARON_PID= IKED_PID= V1_LEFT=

cleanup() {
	[ -n "$IKED_PID" ] && kill "$IKED_PID" 2>/dev/null
	[ -n "$CHARON_PID" ] && kill "$CHARON_PID" 2>/dev/null
	wait 2>/dev/null
	ip netns del $L 2>/dev/null
	ip netns del $R 2>/dev/null
	ip netns del ikev1-n 2>/dev/null
	rm -rf "$T" "$OUT"
}
trap cleanup EXIT

l() { ip netns exec $L "$@"; }
r() { ip netns exec $R "$@"; }
# veil in $L: -n is cheaper under TCG than ip netns exec, which starts
# one more program and remounts /sys.
lv() { "$VEIL" -n $L "$@"; }

# Each end holds the child's two SAs. This and the other polls start as
# few processes as they can (see lib.sh's nap).
two_each() { veil_sas 2 && listed 2 "$(ip -n $R xfrm state)"; }

# iked_launch: veil-iked in ikev1-l with $T/iked.conf and its secrets.
iked_launch() {
	ip netns exec $L "$IKED" -F -d -f "$T/iked.conf" -s "$T/iked.secrets" -c "$T/iked.ctl" \
		>"$T/iked.log" 2>&1 &
	IKED_PID=$!
}

show_logs() {
	echo "--- veil-iked"; tail -n 30 "$T/iked.log"
	echo "--- charon"; grep -v '^.*\[ENC\]' "$T/charon.log" | tail -n 30
}

topology() {
	ip netns add $L && ip netns add $R &&
	ip -n $L link set lo up && ip -n $R link set lo up &&
	ip -n $L link add eth0 type veth peer name eth0 netns $R &&
	ip -n $L addr add 10.95.0.1/24 dev eth0 && ip -n $R addr add 10.95.0.2/24 dev eth0 &&
	ip -n $L link set eth0 up && ip -n $R link set eth0 up &&
	ip -n $L addr add 10.95.1.1/24 dev lo && ip -n $R addr add 10.95.2.1/24 dev lo &&
	ip -n $L route add 10.95.2.0/24 via 10.95.0.2 src 10.95.1.1 &&
	ip -n $R route add 10.95.1.0/24 via 10.95.0.1 src 10.95.2.1 &&
	ip -n $L addr add fd00:95::1/64 dev eth0 nodad && ip -n $R addr add fd00:95::2/64 dev eth0 nodad &&
	ip -n $L addr add fd00:95:1::1/64 dev lo && ip -n $R addr add fd00:95:2::1/64 dev lo &&
	ip -n $L route add fd00:95:2::/64 via fd00:95::2 src fd00:95:1::1 &&
	ip -n $R route add fd00:95:1::/64 via fd00:95::1 src fd00:95:2::1 &&
	# No neighbour discovery: in transport mode it would cross the SAs
	# and upset their packet counters.
	ip -n $L neigh replace fd00:95::2 dev eth0 nud permanent \
		lladdr "$(ip -n $R -br link show eth0 | awk '{ print $3 }')" &&
	ip -n $R neigh replace fd00:95::1 dev eth0 nud permanent \
		lladdr "$(ip -n $L -br link show eth0 | awk '{ print $3 }')"
}

# What a Quick Mode case asks for; the cases before the table keep these.
V1_FAM=4 V1_MODE=tunnel V1_PROTO=esp V1_PFS=yes

# v1_addrs: for V1_FAM, the veth's addresses (IKE's, and transport
# mode's hosts: A_L, A_R), the loopback subnets (tunnel mode's
# selectors: N_L, N_R) and an address in each (H_L, H_R).
v1_addrs() {
	if [ "$V1_FAM" = 6 ]; then
		A_L=fd00:95::1 A_R=fd00:95::2 N_L=fd00:95:1::/64 N_R=fd00:95:2::/64
		H_L=fd00:95:1::1 H_R=fd00:95:2::1
	else
		A_L=10.95.0.1 A_R=10.95.0.2 N_L=10.95.1.0/24 N_R=10.95.2.0/24
		H_L=10.95.1.1 H_R=10.95.2.1
	fi
}

# v1_props: the child's proposals for V1_PROTO and V1_PFS.
v1_props() {
	local p
	[ -n "${V1_CHILD:-}" ] && { echo "$V1_CHILD"; return; }
	[ "$V1_PROTO" = ah ] && p=sha256 || p=aes128-sha256
	[ "$V1_PFS" = yes ] && p=$p-modp2048
	echo "$p"
}

# charon_conf [LINES]: charon's connection v1 and its child net as V1_FAM,
# V1_MODE, V1_PROTO and V1_PFS say (transport mode: no selectors, the
# IKE addresses), with LINES (";"-separated) added to the connection,
# loaded in place of the one before.
charon_conf() {
	local ts= nl=$'\n' more
	more=${1:-}
	more=${more//;/$nl}
	v1_addrs
	[ "$V1_MODE" = tunnel ] && ts="local_ts = $N_R
				remote_ts = $N_L"
	cat > "$T/swanctl.conf" <<-EOF
	connections {
		v1 {
			version = 1
			$more
			local_addrs = $A_R
			remote_addrs = $A_L
			proposals = ${V1_IKE:-aes128-sha256-modp2048}
			local { auth = psk
				id = $A_R }
			remote { auth = psk
				id = $A_L }
			children { net { $ts
				mode = $V1_MODE
				${V1_PROTO}_proposals = $(v1_props) } }
		}
	}
	secrets { ike-1 { id-1 = $A_L
		id-2 = $A_R
		secret = "$PSK" } }
	EOF
	swanctl --load-all --file "$T/swanctl.conf" >"$T/swanctl.out" 2>&1 ||
		{ cat "$T/swanctl.out"; return 1; }
}

charon_start() {
	# charon answers Aggressive Mode with a PSK only when told it may.
	charon_launch $R "$T" "ike = 2
				knl = 1" "$CHARON_RETRANSMIT
		i_dont_care_about_security_and_use_aggressive_mode_psk = yes" || return 1
	CHARON_PID=$CHARON_LAUNCHED
	charon_conf
}

# iked_start SECRET [ START ]: veil-iked in ikev1-l; the child's
# start_action is START (start: veil-iked initiates at once); its
# family, mode, protocol and PFS as V1_FAM, V1_MODE, V1_PROTO and V1_PFS.
iked_start() {
	local ts=
	v1_addrs
	[ "$V1_MODE" = tunnel ] && ts="local_ts = \"$N_L\"; remote_ts = \"$N_R\";"
	cat > "$T/iked.conf" <<-EOF
	${IKED_GLOBAL:-}
	connections = {
	  v1 = {
	    version = 1; ${IKED_CONN:-}
	    local_addrs = "$A_L"; remote_addrs = "$A_R";
	    proposals = "${V1_IKE:-aes128-sha256-modp2048}";
	    local = { auth = "psk"; id = "$A_L"; };
	    remote = { auth = "psk"; id = "$A_R"; };
	    children = { net = { $ts mode = "$V1_MODE";
	                         ${V1_PROTO}_proposals = "$(v1_props)";
	                         start_action = "${2:-start}"; ${IKED_CHILD:-} }; };
	  };
	};
	EOF
	cat > "$T/iked.secrets" <<-EOF
	secrets = { s = { id = ["$A_L", "$A_R"]; secret = "$1"; }; };
	EOF
	chmod 600 "$T/iked.secrets"
	iked_launch
}

iked_stop() {
	kill "$IKED_PID" && wait "$IKED_PID"
	IKED_PID=
}

# spis_of LIST: the SPIs in LIST, into the array SPIS.
spis_of() {
	local t=$1 re='spi (0x[0-9a-f]+)'
	SPIS=()
	while [[ $t =~ $re ]]; do
		SPIS+=("${BASH_REMATCH[1]}")
		t=${t#*"${BASH_REMATCH[0]}"}
	done
}

# same_spis [VEIL_LIST XFRM_LIST]: veil.ko's SAs and XFRM's have the same
# SPIs, in the two listings given or in their present ones; if not, says
# which each has.
same_spis() {
	local s v x ok
	spis_of "${1-$(lv sa list)}"
	v=("${SPIS[@]}")
	spis_of "${2-$(ip -n $R xfrm state)}"
	x=" ${SPIS[*]} "
	ok=$((${#v[@]} == ${#SPIS[@]}))
	for s in "${v[@]}"; do [[ $x == *" $s "* ]] || ok=0; done
	[ $ok = 1 ] && return
	echo "SPIs in veil.ko: ${v[*]}; in XFRM:${x% }"
	return 1
}

main_quick() {
	iked_start "$PSK"
	wait_for 50 two_each || { show_logs; return 1; }
	grep -q 'ISAKMP SA established' "$T/iked.log" || { show_logs; return 1; }
	same_spis || return 1
	l ping -q -c 3 -i 0.05 -W 2 -I 10.95.1.1 10.95.2.1 &&
	r ping -q -c 3 -i 0.05 -W 2 -I 10.95.2.1 10.95.1.1 || { show_logs; return 1; }
	# both ways through ESP: six packets each way on both ends
	lv -s sa list | grep -q ' 6(packets)' ||
		{ lv -s sa list; return 1; }
	[ "$(ip -n $R -s xfrm state | grep -c ' 6(packets)')" -eq 2 ] ||
		{ ip -n $R -s xfrm state; return 1; }
}

stop_deletes() {
	iked_stop || return 1
	[ -z "$(lv sa list)" ] && [ -z "$(lv policy list)" ] ||
		{ echo "veil left SAs or policies"; return 1; }
	wait_for 25 eval '[ -z "$(ip -n $R xfrm state)" ]' &&
	wait_for 25 eval '[[ $(swanctl --list-sas) != *ESTABLISHED* ]]' ||
		{ echo "charon kept its SAs"; swanctl --list-sas; show_logs; return 1; }
	grep -q 'received DELETE for IKE_SA' "$T/charon.log" || { show_logs; return 1; }
}

wrong_psk() {
	iked_start "not-$PSK"
	# other keys: charon cannot read Main Mode's fifth message, and
	# veil-iked never sees HASH_R; nothing is installed on either side
	wait_for 50 grep -q 'ID_PROT request with message ID 0 processing failed' \
		"$T/charon.log" || { show_logs; return 1; }
	grep -q 'ISAKMP SA established' "$T/iked.log" && { show_logs; return 1; }
	nap 1
	[ -z "$(lv sa list)" ] && [ -z "$(ip -n $R xfrm state)" ] ||
		{ echo "something was installed"; return 1; }
	iked_stop
}

# charon initiates; veil-iked answers Main Mode and Quick Mode.
charon_initiates() {
	iked_start "$PSK" none
	wait_for 50 grep -q running "$T/iked.log" || { show_logs; return 1; }
	swanctl --initiate --child net >"$T/init.out" 2>&1 || { cat "$T/init.out"; show_logs; return 1; }
	wait_for 50 veil_sas 2 || { show_logs; return 1; }
	same_spis || return 1
	r ping -q -c 3 -i 0.05 -W 2 -I 10.95.2.1 10.95.1.1 &&
	l ping -q -c 3 -i 0.05 -W 2 -I 10.95.1.1 10.95.2.1 || { show_logs; return 1; }
	lv -s sa list | grep -q ' 6(packets)' || { lv -s sa list; return 1; }
}

# Each side rekeys the child while pings go: veil-iked by its lifetime
# (every 1 to 2 s): a new Quick Mode, the traffic moved, the old child's
# Delete; then charon with swanctl --rekey. No ping may be lost.
rekeys() {
	local loss n i
	swanctl --terminate --ike v1 >/dev/null 2>&1
	iked_stop
	IKED_CHILD='rekey_time = "2s"; rand_time = "1s"; life_time = "60s";' iked_start "$PSK"
	wait_for 50 eval 'listed 2 "$(ip -n $R xfrm state)"' || { show_logs; return 1; }
	l ping -q -c 80 -i 0.05 -W 3 -I 10.95.1.1 10.95.2.1 >"$T/ping.out" 2>&1 &
	ping=$!
	nap 2.5
	# charon drops a rekey it is asked for while one of veil's is under
	# way ("nothing to initiate"), which a slow guest makes likely: ask
	# again, up to three times, while the pings go on.
	for i in 1 2 3; do
		swanctl --rekey --child net >"$T/rekey.out" 2>&1 ||
			{ cat "$T/rekey.out"; kill $ping; return 1; }
		wait_for 10 grep -q 'the peer rekeys it' "$T/iked.log" && break
	done
	wait $ping
	loss=$(sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p' "$T/ping.out")
	n=$(grep -c 'child net rekeyed' "$T/iked.log")
	if [ "$loss" != 0 ] || [ "$n" -lt 1 ] ||
	   ! grep -q 'CHILD_SA net{[0-9]*} established' "$T/charon.log"; then
		echo "loss $loss%, $n rekeys by veil"; cat "$T/ping.out"; show_logs; return 1
	fi
	# charon keeps the child it rekeyed until it expires (delete_rekeyed)
	grep -q 'the peer rekeys it' "$T/iked.log" || { echo "charon's rekey not seen"; show_logs; return 1; }
	wait_for 25 eval '[ "$(lv sa list | grep -c "^src")" -le 4 ]' || { lv sa list; return 1; }
}

# charon deletes the ISAKMP SA and the child: veil-iked removes its SAs.
charon_deletes() {
	swanctl --terminate --ike v1 >"$T/term.out" 2>&1 || { cat "$T/term.out"; return 1; }
	wait_for 25 eval '[ -z "$(lv sa list)" ] && [ -z "$(lv policy list)" ]' ||
		{ lv sa list; show_logs; return 1; }
	grep -q 'the peer deleted the ISAKMP SA' "$T/iked.log" || { show_logs; return 1; }
	iked_stop
}

# Aggressive Mode (pre-shared key) when both ends allow it: veil
# initiates, then charon does; ping crosses each tunnel.
aggressive() {
	sed 's/version = 1/version = 1\n\t\t\taggressive = yes/' "$T/swanctl.conf" >"$T/swanctl-am.conf" &&
	swanctl --load-all --file "$T/swanctl-am.conf" >"$T/swanctl.out" 2>&1 ||
		{ cat "$T/swanctl.out"; return 1; }
	IKED_CONN='aggressive = "yes";' iked_start "$PSK"
	wait_for 50 two_each || { show_logs; return 1; }
	grep -q 'initiating IKEv1 Aggressive Mode' "$T/iked.log" &&
	grep -q 'Aggressive Mode IKE_SA' "$T/charon.log" || { show_logs; return 1; }
	l ping -q -c 3 -i 0.05 -W 2 -I 10.95.1.1 10.95.2.1 || { show_logs; return 1; }
	iked_stop
	wait_for 25 eval '[ -z "$(ip -n $R xfrm state)" ]' || { echo "charon kept SAs"; return 1; }
	IKED_CONN='aggressive = "yes";' iked_start "$PSK" none
	wait_for 50 grep -q running "$T/iked.log" || { show_logs; return 1; }
	swanctl --initiate --child net >"$T/init.out" 2>&1 || { cat "$T/init.out"; show_logs; return 1; }
	wait_for 50 veil_sas 2 || { show_logs; return 1; }
	grep -q 'IKEv1 Aggressive Mode from' "$T/iked.log" || { show_logs; return 1; }
	r ping -q -c 3 -i 0.05 -W 2 -I 10.95.2.1 10.95.1.1 || { show_logs; return 1; }
	iked_stop
}

# v1_case INITIATOR FAMILY MODE PROTO PFS: veil or charon initiates
# Main Mode and one Quick Mode for a child of that family (4, 6), mode
# (tunnel, transport), protocol (esp, ah) and PFS (yes, no). Both ends
# hold the same two SPIs with that protocol and mode; Quick Mode carried
# a KE payload both ways exactly with PFS; ping crosses both ways, three
# each, and every SA on both ends counts six packets; veil-iked's
# Deletes clear charon at the end.
v1_case() {
	local V1_FAM=$2 V1_MODE=$3 V1_PROTO=$4 V1_PFS=$5 from qm ke src dst p vs xs
	# what a case that failed before may have left
	# (or the case before, where VEIL_ELSEWHERE left out those between)
	if [ -n "$V1_LEFT" ] || [ -n "$IKED_PID" ]; then
		[ -n "$IKED_PID" ] && iked_stop
		swanctl --terminate --ike v1 --force --timeout 2 >/dev/null 2>&1
	fi
	V1_LEFT=1
	charon_conf || return 1
	from=$(($(wc -l <"$T/charon.log") + 1))
	if [ "$1" = veil ]; then
		iked_start "$PSK"
	else
		iked_start "$PSK" none
		wait_for 50 grep -q running "$T/iked.log" || { show_logs; return 1; }
		swanctl --initiate --child net >"$T/init.out" 2>&1 ||
			{ cat "$T/init.out"; show_logs; return 1; }
	fi
	wait_for 50 two_each || { show_logs; return 1; }
	# charon logs each Quick Mode message's payloads: the request it
	# parsed or made, the response it made or parsed
	qm=$(tail -n +"$from" "$T/charon.log" | grep -E 'QUICK_MODE (request|response) [0-9]+ \[ HASH SA')
	[ "$V1_PFS" = yes ] && ke=2 || ke=0
	[ "$(echo "$qm" | wc -l)" -eq 2 ] && [ "$(echo "$qm" | grep -c ' KE ')" -eq $ke ] ||
		{ echo "PFS $V1_PFS, but:"; echo "$qm"; return 1; }
	v1_addrs
	if [ "$V1_MODE" = tunnel ]; then src=$H_L dst=$H_R; else src=$A_L dst=$A_R; fi
	l ping -q -c 3 -i 0.05 -W 2 -I $src $dst >"$T/ping.out" 2>&1 &
	p=$!
	r ping -q -c 3 -i 0.05 -W 2 -I $dst $src && wait $p || { cat "$T/ping.out"; show_logs; return 1; }
	# one look at each end: the same SPIs, that protocol and mode, and
	# six packets (three requests, three replies) on every SA
	vs=$(lv -s sa list) xs=$(ip -n $R -s xfrm state)
	same_spis "$vs" "$xs" &&
	[ "$(echo "$vs" | grep -c "proto $V1_PROTO .*mode $V1_MODE")" -eq 2 ] &&
	[ "$(echo "$xs" | grep -c "proto $V1_PROTO .*mode $V1_MODE")" -eq 2 ] &&
	[ "$(echo "$vs" | grep -c ' 6(packets)')" -eq 2 ] &&
	[ "$(echo "$xs" | grep -c ' 6(packets)')" -eq 2 ] ||
		{ echo "--- veil.ko"; echo "$vs"; echo "--- XFRM"; echo "$xs"; return 1; }
	iked_stop || return 1
	wait_for 25 eval '[ -z "$(ip -n $R xfrm state)" ]' ||
		{ echo "charon kept its SAs"; ip -n $R xfrm state; show_logs; return 1; }
	V1_LEFT=
}

# charon offers Quick Mode with PFS to a child of veil's without it:
# the group is part of the transform, veil chooses none, and no keys are
# installed on either side.
v1_pfs_refused() {
	local V1_PFS=yes
	charon_conf || return 1
	V1_PFS=no iked_start "$PSK" none
	wait_for 50 grep -q running "$T/iked.log" || { show_logs; return 1; }
	swanctl --initiate --child net --timeout 2 >"$T/init.out" 2>&1
	wait_for 25 grep -q 'child net: Quick Mode: no proposal chosen' "$T/iked.log" ||
		{ show_logs; return 1; }
	# and says so to charon, which stops retransmitting
	wait_for 25 grep -q 'received NO_PROPOSAL_CHOSEN error notify' "$T/charon.log" ||
		{ show_logs; return 1; }
	# charon's inbound SPI waits in XFRM as a larval state, without keys
	[ -z "$(lv sa list)" ] &&
	! ip -n $R xfrm state | grep -qE '^[[:space:]]+(enc|auth[a-z-]*|aead) ' ||
		{ echo "something was installed"; lv sa list; ip -n $R xfrm state
		  show_logs; return 1; }
	iked_stop
	swanctl --terminate --ike v1 --force --timeout 2 >/dev/null 2>&1
	return 0
}

# ctl_v1: `veil ike` drives an IKEv1 connection as an IKEv2 one. With
# start_action none, `up` brings Main Mode and Quick Mode; `list` shows
# charon's cookies as the SA's SPIs and XFRM's SPIs for the child;
# `down` of the child sends its Delete and keeps the ISAKMP SA; `up` of
# the connection makes a child by Quick Mode on it; `down` of the
# connection deletes both.
ctl_v1() {
	local rc
	ctl_v1_steps
	rc=$?
	unset VEIL_IKED_CTL
	# a failed step leaves no veil-iked or ISAKMP SA to the next case
	[ -n "$IKED_PID" ] && iked_stop
	swanctl --terminate --ike v1 --force --timeout 2 >/dev/null 2>&1
	return $rc
}

ctl_v1_steps() {
	local ck
	charon_conf || return 1
	iked_start "$PSK" none
	export VEIL_IKED_CTL=$T/iked.ctl
	wait_for 50 "$VEIL" ike status || { echo "no control socket"; show_logs; return 1; }
	"$VEIL" ike up v1.net timeout 20 >"$T/ctl.out" 2>&1 || { cat "$T/ctl.out"; show_logs; return 1; }
	veil_sas 2 && same_spis || { lv sa list; return 1; }
	ck=$(swanctl --list-sas | grep -o '[0-9a-f]\{16\}_i[*]\? [0-9a-f]\{16\}_r' | head -1)
	ck=${ck%%_i*}
	"$VEIL" ike list >"$T/list.out" && grep -q '^v1: established, initiator' "$T/list.out" &&
	spis_of "$(lv sa list)"
	grep -q "spi-i 0x$ck " "$T/list.out" && grep -q "spi-in ${SPIS[0]} \|spi-out ${SPIS[0]}" "$T/list.out" &&
	grep -q "spi-in ${SPIS[1]} \|spi-out ${SPIS[1]}" "$T/list.out" ||
		{ echo "cookie $ck, SPIs ${SPIS[*]}"; cat "$T/list.out"; return 1; }
	"$VEIL" ike down v1.net >"$T/ctl.out" 2>&1 || { cat "$T/ctl.out"; return 1; }
	wait_for 25 eval '[ -z "$(lv sa list)" ] && [ -z "$(ip -n $R xfrm state)" ]' ||
		{ echo "the child stayed"; show_logs; return 1; }
	swanctl --list-sas 2>/dev/null | grep -q ESTABLISHED ||
		{ echo "the ISAKMP SA went with its child"; show_logs; return 1; }
	"$VEIL" ike up v1 timeout 20 >"$T/ctl.out" 2>&1 || { cat "$T/ctl.out"; show_logs; return 1; }
	veil_sas 2 && same_spis &&
	"$VEIL" ike list | grep -q "spi-i 0x$ck " || { "$VEIL" ike list; show_logs; return 1; }
	"$VEIL" ike down v1 >"$T/ctl.out" 2>&1 || { cat "$T/ctl.out"; return 1; }
	wait_for 25 eval '[[ $(swanctl --list-sas) != *ESTABLISHED* ]]' &&
	wait_for 25 eval '"$VEIL" ike list | grep -q "^v1: no IKE SA"' &&
	[ -z "$(lv sa list)" ] || { "$VEIL" ike list; swanctl --list-sas; return 1; }
}

# v1_algs IKE CHILD INITIATOR PFS: v1_case's checks with other algorithms
# at both ends: the ISAKMP SA's proposal IKE and the child's CHILD.
v1_algs() {
	local V1_IKE=$1 V1_CHILD=$2
	v1_case "$3" 4 tunnel esp "$4"
}

# The Quick Mode table: initiator, family, mode, protocol, PFS. Each
# initiator has PFS on and off, ESP in tunnel and transport mode, AH, and
# both families, though not every combination (each row is a Main Mode
# and a Quick Mode under TCG). IPv4 ESP tunnel with PFS is main_quick's
# and charon_initiates'.
v1_cases="veil 4 transport esp no
veil 4 transport ah yes
veil 6 tunnel esp yes
veil 6 transport ah no
charon 4 transport esp yes
charon 4 transport ah no
charon 6 tunnel esp no
charon 6 transport esp yes"

# --- DPD, INITIAL-CONTACT and the ISAKMP SA's rekeying ---

# swan_v1 LINES: charon's connection as charon_conf makes it by default
# (IPv4, ESP in tunnel mode, PFS), with LINES, for the SAs it makes from
# now on. Each case that uses it sets it up whole: what the case before
# left (make check runs some of them without the others) counts for
# nothing.
swan_v1() { charon_conf "$1"; }

# Both sides up, veil initiating; both ends' SPIs the same.
v1_up() {
	iked_start "$PSK"
	wait_for 50 two_each || { show_logs; return 1; }
	# Two listings, one after the other: with rekey times of seconds a
	# rekey may fall between them, so they must agree once, not at once.
	wait_for 10 same_spis || { same_spis; return 1; }
}

# Each case starts afresh, whatever the one before left behind.
v1_fresh() {
	[ -z "$IKED_PID" ] || iked_stop
	wait_for 5 eval '[ -z "$(ip -n $R xfrm state)" ]' && return
	swanctl --terminate --ike v1 >/dev/null 2>&1
	wait_for 25 eval '[ -z "$(ip -n $R xfrm state)" ]' || { echo "charon kept SAs"; return 1; }
}

# One ISAKMP SA at charon's, one child at each end, the same SPIs.
one_each() {
	occurs 1 "$(swanctl --list-sas)" ESTABLISHED && veil_sas 2 && same_spis
}

# charon in the log: how often it parsed an Informational with NOTE.
swan_parsed() { grep -c "parsed INFORMATIONAL_V1 request .*$1" "$T/charon.log"; }

# veil's R-U-THEREs (dpd_delay 1 s), answered by charon with the same
# sequence numbers: veil sees the ACKs; the SAs stay.
dpd_veil() {
	v1_fresh || return 1
	swan_v1 'dpd_delay = 0' || return 1
	local n0=$(swan_parsed 'N(DPD)')
	IKED_CONN='dpd_delay = "1s";' v1_up || return 1
	wait_for 40 eval '[ "$(grep -c "DPD: R-U-THERE-ACK [0-9]*$" "$T/iked.log")" -ge 2 ]' &&
	[ "$(swan_parsed 'N(DPD)')" -ge $((n0 + 2)) ] ||
		{ echo "charon did not answer R-U-THERE"; show_logs; return 1; }
	one_each || { echo "the SAs did not stay"; show_logs; return 1; }
	iked_stop
}

# charon's R-U-THEREs (its dpd_delay 1 s) answered by veil: charon takes
# the ACKs; the SAs stay.
dpd_charon() {
	v1_fresh || return 1
	swan_v1 'dpd_delay = 1s' || return 1
	local n0=$(swan_parsed 'N(DPD_ACK)')
	v1_up || return 1
	wait_for 40 eval '[ "$(swan_parsed "N(DPD_ACK)")" -ge $((n0 + 2)) ]' &&
	grep -q 'R-U-THERE [0-9]* from the peer: answered' "$T/iked.log" ||
		{ echo "veil did not answer charon's R-U-THERE"; show_logs; return 1; }
	one_each || { echo "the SAs did not stay"; show_logs; return 1; }
	iked_stop
}

# charon goes silent (its IKE ports closed): veil's R-U-THERE goes
# unanswered, and dpd_action = clear takes the child away.
dpd_dead() {
	local rc=0
	v1_fresh || return 1
	swan_v1 'dpd_delay = 0' || return 1
	IKED_GLOBAL='iked = { retransmit_tries = 2; retransmit_timeout = 0.3; retransmit_base = 1.5; };' \
	IKED_CONN='dpd_delay = "1s";' IKED_CHILD='dpd_action = "clear";' v1_up || return 1
	r nft add table inet v1dpd &&
	r nft add chain inet v1dpd in '{ type filter hook input priority 0; }' &&
	r nft add rule inet v1dpd in udp dport '{ 500, 4500 }' drop || return 1
	wait_for 50 grep -q 'the peer did not answer' "$T/iked.log" &&
	wait_for 10 eval '[ -z "$(lv sa list)" ]' ||
		{ echo "veil kept its SAs"; lv sa list; show_logs; rc=1; }
	grep -q 'DPD: R-U-THERE' "$T/iked.log" || { echo "no R-U-THERE"; rc=1; }
	r nft delete table inet v1dpd
	return $rc
}

# veil-iked is killed (no Deletes go out) and starts again (veil.ko
# flushed, as after a reboot): its INITIAL-CONTACT makes charon drop the
# ISAKMP SA and child it still had of the old one.
ic_veil() {
	v1_fresh || return 1
	swan_v1 'dpd_delay = 0' || return 1
	v1_up || return 1
	kill -9 "$IKED_PID" && wait "$IKED_PID" 2>/dev/null
	IKED_PID=
	lv sa flush && lv policy flush || return 1
	mv "$T/iked.log" "$T/iked-1.log"
	v1_up || return 1
	grep -q 'INITIAL-CONTACT: our first ISAKMP SA' "$T/iked.log" &&
	wait_for 25 one_each ||
		{ echo "charon kept the old SAs"; swanctl --list-sas; show_logs; return 1; }
	l ping -q -c 1 -W 2 -I 10.95.1.1 10.95.2.1 || { show_logs; return 1; }
}

# charon is killed and starts again (XFRM flushed) and initiates: its
# INITIAL-CONTACT makes veil drop the old ISAKMP SA and its child.
# (charon sends it in Main Mode's fifth message when it holds no IKE_SA
# with the peer's identities and the connection's unique is not "never":
# so by default, unique = no.)
ic_charon() {
	[ -n "$IKED_PID" ] || v1_up || return 1
	kill -9 "$CHARON_PID" && wait "$CHARON_PID" 2>/dev/null
	CHARON_PID=
	ip -n $R xfrm state flush && ip -n $R xfrm policy flush &&
	charon_start || return 1
	swanctl --initiate --child net >"$T/init.out" 2>&1 || { cat "$T/init.out"; show_logs; return 1; }
	wait_for 25 grep -q 'INITIAL-CONTACT: the peer has started anew' "$T/iked.log" &&
	wait_for 25 one_each || { lv sa list; show_logs; return 1; }
	l ping -q -c 1 -W 2 -I 10.95.1.1 10.95.2.1 || { show_logs; return 1; }
	iked_stop
}

# ping_across SECONDS: pings every 50 ms for that long; none may be lost.
ping_across() {
	local loss
	l ping -q -c $(($1 * 20)) -i 0.05 -W 3 -I 10.95.1.1 10.95.2.1 >"$T/ping.out" 2>&1
	loss=$(sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p' "$T/ping.out")
	[ "$loss" = 0 ] || { echo "loss: $loss%"; cat "$T/ping.out"; return 1; }
}

# heir_rekeyed: an ISAKMP SA that took over the child rekeyed it later.
heir_rekeyed() {
	local h
	for h in $(sed -n 's/.*v1\[\([0-9a-f]*\)\] took over 1 IPsec SA.*/\1/p' "$T/iked.log"); do
		grep -q "v1\[$h\] child net rekeyed" "$T/iked.log" && return 0
	done
	return 1
}

# veil renews the ISAKMP SA (rekey_time 3 s) twice while pings go: a new
# Main Mode takes over the child, the old SA goes with an ISAKMP Delete
# alone, and the child's own rekey (rekey_time 4 s) then goes through the
# new one; no ping is lost, and the child still carries traffic after.
rekey_veil() {
	local d0 a0
	v1_fresh || return 1
	nap 0.5
	d0=$(grep -c 'received DELETE for IKE_SA' "$T/charon.log")
	a0=$(grep -c 'detected reauth of existing IKE_SA, adopting 1 children' "$T/charon.log")
	IKED_CONN='rekey_time = "3s"; rand_time = "1s";' \
	IKED_CHILD='rekey_time = "4s"; rand_time = "1s"; life_time = "60s";' v1_up || return 1
	ping_across 6 || { show_logs; return 1; }
	wait_for 15 eval '[ "$(grep -c "took over 1 IPsec SA of ISAKMP SA" "$T/iked.log")" -ge 2 ] &&
		[ "$(grep -c "received DELETE for IKE_SA" "$T/charon.log")" -ge $((d0 + 2)) ] &&
		[ "$(grep -c "detected reauth of existing IKE_SA, adopting 1 children" \
			"$T/charon.log")" -ge $((a0 + 2)) ]' ||
		{ echo "no Phase 1 rekey"; show_logs; return 1; }
	wait_for 25 heir_rekeyed || { echo "no child rekey on a new ISAKMP SA"; show_logs; return 1; }
	wait_for 25 one_each || { swanctl --list-sas; lv sa list; show_logs; return 1; }
	l ping -q -c 1 -W 2 -I 10.95.1.1 10.95.2.1 || { show_logs; return 1; }
	iked_stop
}

# charon renews it (IKEv1 reauthentication, rekey_time 2 s) while pings
# go: veil's new ISAKMP SA adopts the child, and charon's Delete of the
# old one takes none along; no ping is lost.
rekey_charon() {
	local i0
	v1_fresh || return 1
	i0=$(grep -c 'initiating Main Mode IKE_SA' "$T/charon.log")
	swan_v1 'rekey_time = 2s;over_time = 1s;rand_time = 1s' || return 1
	v1_up || return 1
	ping_across 3 || { show_logs; return 1; }
	wait_for 10 grep -q 'took over 1 IPsec SA of ISAKMP SA' "$T/iked.log" ||
		{ echo "no adoption"; show_logs; return 1; }
	wait_for 25 one_each || { swanctl --list-sas; lv sa list; show_logs; return 1; }
	l ping -q -c 1 -W 2 -I 10.95.1.1 10.95.2.1 || { show_logs; return 1; }
	[ "$(grep -c 'initiating Main Mode IKE_SA' "$T/charon.log")" -gt "$i0" ] ||
		{ echo "charon did not renew it"; show_logs; return 1; }
	iked_stop
	swanctl --load-all --file "$T/swanctl.conf" >/dev/null
}


# --- Main Mode with RSA signatures and certificates (RFC 2409 §5.1) ---
#
# The certificates are pki.sh's, made at build time, as iked.sh's:
# veil-rsa is issued by an intermediate that veil-iked sends along, and
# charon-rsa by the root; rogue is another CA with the root's name.

# swan_cert [ ids ]: charon's connection v1c with its RSA certificate;
# with "ids" each end names the other by subjectAltName, else charon goes
# by its subject DN and takes any identity veil's certificate proves.
swan_cert() {
	local ids=${1:-}
	[ -f "$PKI/ca.pem" ] || { echo "no $PKI: make -C selftests/veil makes it"; return 1; }
	rm -rf "$T/pki" "$T/private" && cp -r "$PKI" "$T/pki" && mkdir "$T/private" &&
	cp "$T/pki/charon-rsa.key" "$T/private/" || return 1
	cat > "$T/swanctl.conf" <<-EOF
	connections {
		v1c {
			version = 1
			local_addrs = 10.95.0.2
			remote_addrs = 10.95.0.1
			proposals = aes128-sha256-modp2048
			local { auth = pubkey
				certs = $T/pki/charon-rsa.pem ${ids:+
				id = charon.example} }
			remote { auth = pubkey
				cacerts = $T/pki/ca.pem ${ids:+
				id = veil.example} }
			children { net { local_ts = 10.95.2.0/24
				remote_ts = 10.95.1.0/24
				esp_proposals = aes128-sha256-modp2048 } }
		}
	}
	EOF
	swanctl --load-all --file "$T/swanctl.conf" >"$T/swanctl.out" 2>&1 ||
		{ cat "$T/swanctl.out"; return 1; }
}

# iked_cert START CA [ ids ]: veil-iked with its RSA certificate (and the
# intermediate), trusting CA's certificates; ids as for swan_cert.
iked_cert() {
	local lid= rid=
	[ -n "${3:-}" ] && lid='id = "veil.example";' rid='id = "charon.example";'
	# a case that failed may have left its veil-iked behind
	[ -n "$IKED_PID" ] && iked_stop
	cat > "$T/iked.conf" <<-EOF
	connections = {
	  v1c = {
	    version = 1;
	    local_addrs = "10.95.0.1"; remote_addrs = "10.95.0.2";
	    proposals = "aes128-sha256-modp2048";
	    local = { auth = "pubkey"; certs = ["pki/veil-rsa.pem", "pki/inter.pem"];
	              key = "pki/veil-rsa.key"; $lid };
	    remote = { auth = "pubkey"; cacerts = "pki/$2.pem"; $rid };
	    children = { net = { local_ts = "10.95.1.0/24"; remote_ts = "10.95.2.0/24";
	                         esp_proposals = "aes128-sha256-modp2048";
	                         start_action = "$1"; }; };
	  };
	};
	EOF
	echo 'secrets = { };' > "$T/iked.secrets"
	chmod 600 "$T/iked.secrets"
	iked_launch
}

# cert_tunnel: both ends authenticated each other by signature; the two
# SAs are there on both sides with the same SPIs; ping both ways.
cert_tunnel() {
	wait_for 50 two_each || { show_logs; return 1; }
	grep -q "authenticated with an RSA signature and its certificate" "$T/iked.log" &&
	grep -q 'ISAKMP SA established' "$T/iked.log" &&
	grep -q 'IKE_SA v1c\[[0-9]*\] established' "$T/charon.log" || { show_logs; return 1; }
	same_spis || return 1
	l ping -q -c 3 -i 0.05 -W 2 -I 10.95.1.1 10.95.2.1 &&
	r ping -q -c 3 -i 0.05 -W 2 -I 10.95.2.1 10.95.1.1 || { show_logs; return 1; }
	lv -s sa list | grep -q ' 6(packets)' || { lv -s sa list; return 1; }
	[ "$(ip -n $R -s xfrm state | grep -c ' 6(packets)')" -eq 2 ] ||
		{ ip -n $R -s xfrm state; return 1; }
}

# veil initiates; each end goes by its subject DN.
cert_veil() {
	swan_cert || return 1
	iked_cert start ca
	cert_tunnel || return 1
	grep -q 'CN=charon-rsa authenticated' "$T/iked.log" || { show_logs; return 1; }
	iked_stop
	wait_for 25 eval '[ -z "$(ip -n $R xfrm state)" ]' || { echo "charon kept SAs"; return 1; }
}

# charon initiates; each end names the other by subjectAltName.
cert_charon() {
	swan_cert ids || return 1
	iked_cert none ca ids
	wait_for 50 grep -q running "$T/iked.log" || { show_logs; return 1; }
	swanctl --initiate --child net >"$T/init.out" 2>&1 || { cat "$T/init.out"; show_logs; return 1; }
	cert_tunnel || return 1
	grep -q 'peer charon.example authenticated' "$T/iked.log" || { show_logs; return 1; }
	iked_stop
	wait_for 25 eval '[ -z "$(ip -n $R xfrm state)" ]' || { echo "charon kept SAs"; return 1; }
}

# charon initiates with a certificate from a CA veil-iked does not trust
# (rogue has the root's name but not its key): veil-iked refuses its
# fifth message and tells it AUTHENTICATION-FAILED; nothing is
# established anywhere. Then veil initiates, refuses the same certificate
# in the sixth message, and deletes the SA charon already holds.
cert_refused() {
	local up sw
	swan_cert ids || return 1
	iked_cert none rogue ids
	up=$(grep -c 'IKE_SA v1c\[[0-9]*\] established' "$T/charon.log")
	wait_for 50 grep -q running "$T/iked.log" || { show_logs; return 1; }
	swanctl --initiate --child net --timeout 1 >"$T/init.out" 2>&1 &
	sw=$!
	wait_for 25 grep -Eq 'peer charon.example: certificate .*(signature failure|local issuer)' \
		"$T/iked.log" || { echo "veil-iked did not refuse it"; show_logs; return 1; }
	grep -q 'IKEv1 Main Mode: the peer.s certificate does not verify' "$T/iked.log" &&
	! grep -q 'ISAKMP SA established' "$T/iked.log" || { show_logs; return 1; }
	# and says so: charon stops retransmitting its fifth message
	wait_for 25 grep -q 'received AUTHENTICATION_FAILED error notify' "$T/charon.log" ||
		{ echo "charon was not told"; show_logs; return 1; }
	[ -z "$(lv sa list)" ] && [ -z "$(ip -n $R xfrm state)" ] ||
		{ echo "something was installed"; return 1; }
	[ "$(grep -c 'IKE_SA v1c\[[0-9]*\] established' "$T/charon.log")" = "$up" ] ||
		{ echo "charon established its IKE SA"; show_logs; return 1; }
	wait "$sw"
	swanctl --terminate --ike v1c --force >/dev/null 2>&1
	iked_stop
	# veil initiates: it refuses charon's certificate in Main Mode's sixth
	# message, which charon sent as established, and deletes the SA there
	iked_cert start rogue ids
	wait_for 25 grep -q 'the peer.s certificate does not verify' "$T/iked.log" ||
		{ echo "veil-iked did not refuse it"; show_logs; return 1; }
	wait_for 25 grep -q 'received DELETE for IKE_SA v1c' "$T/charon.log" &&
	wait_for 25 eval '[[ $(swanctl --list-sas) != *ESTABLISHED* ]]' ||
		{ echo "charon kept its IKE SA"; swanctl --list-sas; show_logs; return 1; }
	[ -z "$(lv sa list)" ] && [ -z "$(ip -n $R xfrm state)" ] ||
		{ echo "something was installed"; return 1; }
	iked_stop
}

# --- NAT traversal (RFC 3947, RFC 3948) ---
#
#   [ ikev1-l ] 10.95.10.1 -- 10.95.10.254 [ ikev1-n ] 10.95.20.254 -- 10.95.20.2 [ ikev1-r ]
#
# ikev1-n masquerades whatever it forwards, both ways: the initiator is
# behind a NAT whichever end it is. It has no route to the loopback
# subnets, so only what ESP in UDP carries crosses.
N=ikev1-n

nat_topology() {
	ip -n $L link del eth0 &&
	ip netns add $N && ip -n $N link set lo up &&
	ip -n $L link add eth0 type veth peer name n0 netns $N &&
	ip -n $R link add eth0 type veth peer name n1 netns $N &&
	ip -n $L addr add 10.95.10.1/24 dev eth0 && ip -n $N addr add 10.95.10.254/24 dev n0 &&
	ip -n $R addr add 10.95.20.2/24 dev eth0 && ip -n $N addr add 10.95.20.254/24 dev n1 &&
	for i in "$L eth0" "$R eth0" "$N n0" "$N n1"; do ip -n ${i% *} link set ${i#* } up || return 1; done &&
	ip netns exec $N sysctl -qw net.ipv4.ip_forward=1 &&
	ip netns exec $N nft -f - <<-EOF &&
	table ip nat {
		chain post { type nat hook postrouting priority srcnat; oifname "n0" masquerade; oifname "n1" masquerade; }
	}
	EOF
	ip -n $L route add 10.95.20.0/24 via 10.95.10.254 &&
	ip -n $L route add 10.95.2.0/24 via 10.95.10.254 src 10.95.1.1 &&
	ip -n $R route add 10.95.10.0/24 via 10.95.20.254 &&
	ip -n $R route add 10.95.1.0/24 via 10.95.20.254 src 10.95.2.1 &&
	dd if=/dev/urandom of="$T/data" bs=1M count=1 status=none
}

# nat_confs [ aggressive ] [ START ] [ transport ]: charon and veil-iked
# configured across the NAT; each takes the other from its real address
# or from the NAT's. "aggressive" makes it Aggressive Mode; START is
# veil's start_action; "transport" makes the child "host", host to host
# in transport mode, rather than "net" between the loopback subnets.
nat_confs() {
	local am= vam= swan_child iked_child
	[ "${1:-}" = aggressive ] && am="aggressive = yes" vam='aggressive = "yes";'
	if [ "${3:-}" = transport ]; then
		swan_child="host { mode = transport
				esp_proposals = aes128-sha256-modp2048 }"
		iked_child='host = { mode = "transport"; esp_proposals = "aes128-sha256-modp2048";'
	else
		swan_child="net { local_ts = 10.95.2.0/24
				remote_ts = 10.95.1.0/24
				esp_proposals = aes128-sha256-modp2048 }"
		iked_child='net = { local_ts = "10.95.1.0/24"; remote_ts = "10.95.2.0/24";
	                         esp_proposals = "aes128-sha256-modp2048";'
	fi
	cat > "$T/swanctl-nat.conf" <<-EOF
	connections {
		nat {
			version = 1
			$am
			local_addrs = 10.95.20.2
			remote_addrs = 10.95.10.1, 10.95.20.254
			proposals = aes128-sha256-modp2048
			local { auth = psk
				id = 10.95.20.2 }
			remote { auth = psk
				id = 10.95.10.1 }
			children { $swan_child }
		}
	}
	secrets { ike-1 { id-1 = 10.95.10.1
		id-2 = 10.95.20.2
		secret = "$PSK" } }
	EOF
	swanctl --load-all --clear --file "$T/swanctl-nat.conf" >"$T/swanctl.out" 2>&1 ||
		{ cat "$T/swanctl.out"; return 1; }
	cat > "$T/iked.conf" <<-EOF
	connections = {
	  nat = {
	    version = 1; $vam
	    local_addrs = "10.95.10.1"; remote_addrs = ["10.95.20.2", "10.95.10.254"];
	    proposals = "aes128-sha256-modp2048";
	    local = { auth = "psk"; id = "10.95.10.1"; };
	    remote = { auth = "psk"; id = "10.95.20.2"; };
	    children = { $iked_child start_action = "${2:-start}"; }; };
	  };
	};
	EOF
	cat > "$T/iked.secrets" <<-EOF
	secrets = { s = { id = ["10.95.10.1", "10.95.20.2"]; secret = "$PSK"; }; };
	EOF
	chmod 600 "$T/iked.secrets"
}

# nat_check: both ends have their SAs, ESP in UDP on port 4500 both
# ways, and ping crosses the tunnel both ways through them.
nat_check() {
	wait_for 50 two_each || { show_logs; return 1; }
	same_spis || return 1
	grep -q 'NAT-D: a NAT in front of' "$T/iked.log" || { echo "veil saw no NAT"; show_logs; return 1; }
	[ "$(lv sa list | grep -c 'encap type espinudp sport 4500 dport 4500')" -eq 2 ] ||
		{ lv sa list; return 1; }
	[ "$(ip -n $R xfrm state | grep -c 'encap type espinudp sport 4500 dport 4500')" -eq 2 ] ||
		{ ip -n $R xfrm state; return 1; }
	l ping -q -c 3 -i 0.05 -W 2 -I 10.95.1.1 10.95.2.1 &&
	r ping -q -c 3 -i 0.05 -W 2 -I 10.95.2.1 10.95.1.1 || { show_logs; return 1; }
	lv -s sa list | grep -q ' 6(packets)' || { lv -s sa list; return 1; }
}

# nat_run INITIATOR [ aggressive ]: "veil" or "charon" starts, across the NAT.
nat_run() {
	nat_confs "${2:-}" "$([ "$1" = veil ] && echo start || echo none)" || return 1
	iked_launch
	if [ "$1" = charon ]; then
		wait_for 50 grep -q running "$T/iked.log" || { show_logs; return 1; }
		swanctl --initiate --child net >"$T/init.out" 2>&1 ||
			{ cat "$T/init.out"; show_logs; return 1; }
	fi
	nat_check || return 1
	iked_stop
	wait_for 25 eval '[ -z "$(ip -n $R xfrm state)" ]' || { echo "charon kept SAs"; return 1; }
}

# nat_transport INITIATOR: host to host in transport mode across the NAT,
# "veil" or "charon" initiating (and so behind it): Quick Mode proposes
# UDP-Encapsulated-Transport with NAT-OA, and 1 MB goes over TCP each
# way. The NAT broke the TCP checksums: with the NAT in front of charon,
# veil mends them with charon's NAT-OA (its inbound SA's address);
# with the NAT in front of veil, they are left to ESP's ICV.
nat_transport() {
	local me=10.95.10.1 peer=10.95.20.2 seen_me seen_peer
	nat_confs "" "$([ "$1" = veil ] && echo start || echo none)" transport || return 1
	iked_launch
	if [ "$1" = charon ]; then
		wait_for 50 grep -q running "$T/iked.log" || { show_logs; return 1; }
		swanctl --initiate --child host >"$T/init.out" 2>&1 ||
			{ cat "$T/init.out"; show_logs; return 1; }
		seen_me=$me seen_peer=10.95.10.254
	else
		seen_me=10.95.20.254 seen_peer=$peer
	fi
	wait_for 50 two_each || { show_logs; return 1; }
	same_spis || return 1
	[ "$(lv sa list | grep -c 'mode transport')" -eq 2 ] &&
	[ "$(lv sa list | grep -c 'encap type espinudp sport 4500 dport 4500')" -eq 2 ] ||
		{ lv sa list; return 1; }
	if [ "$1" = charon ]; then
		lv sa list | grep -q "addr $peer" || { echo "no NAT-OA"; lv sa list; return 1; }
	fi
	"$XFER" $L $me $R $seen_peer 5301 "$T/data" $peer &&
	"$XFER" $R $peer $L $seen_me 5302 "$T/data" $me || { show_logs; return 1; }
	iked_stop
	wait_for 25 eval '[ -z "$(ip -n $R xfrm state)" ]' || { echo "charon kept SAs"; return 1; }
}

# malformed: with veil-iked's ISAKMP SA up through the NAT, 3,000 broken
# ISAKMP messages reach it from the NAT's side on ports 500 and 4500
# (ike_fuzz.py --v1), a third of them naming the SA's cookies. It must
# stay up, its SA in step (charon's Quick Mode rekey goes through it) and
# its child carrying traffic.
malformed() {
	local spis si sr
	nat_confs "" start || return 1
	iked_launch
	nat_check || return 1
	spis=$(swanctl --list-sas | grep -o '[0-9a-f]\{16\}_i[*]\? [0-9a-f]\{16\}_r' | head -1)
	si=${spis%%_i*} sr=${spis##* }
	sr=${sr%_r}
	[ ${#si} -eq 16 ] && [ ${#sr} -eq 16 ] || { swanctl --list-sas; return 1; }
	ip netns exec $N python3 "$VEIL_ROOT/selftests/veil/ike_fuzz.py" --v1 --dst 10.95.10.1 \
		--count 2000 --seed 1 --spi-i "$si" --spi-r "$sr" &&
	ip netns exec $N python3 "$VEIL_ROOT/selftests/veil/ike_fuzz.py" --v1 --dst 10.95.10.1 \
		--port 4500 --natt --count 1000 --seed 2 --spi-i "$si" --spi-r "$sr" || return 1
	kill -0 "$IKED_PID" || { echo "veil-iked died"; show_logs; return 1; }
	# they did reach it, and were turned away
	[ "$(grep -c 'dropped' "$T/iked.log")" -gt 500 ] ||
		{ echo "$(grep -c 'dropped' "$T/iked.log") dropped"; show_logs; return 1; }
	# the flood's Main Modes reached half_open_limit (50), and no more were kept
	grep -q 'half-open SAs: dropped' "$T/iked.log" || { show_logs; return 1; }
	swanctl --rekey --child net >"$T/rekey.out" 2>&1 || { cat "$T/rekey.out"; show_logs; return 1; }
	wait_for 50 grep -q 'the peer rekeys it' "$T/iked.log" || { show_logs; return 1; }
	l ping -q -c 3 -i 0.05 -W 2 -I 10.95.1.1 10.95.2.1 || { show_logs; return 1; }
	iked_stop
}

ktap_print_header
# The daemon's own cases are in two parts, which make check's two guests
# share (lib.sh's daemon_part): part 1 the PSK, Aggressive Mode, control
# socket, charon's half of the matrix, algorithms, ISAKMP SA renewals and
# certificates (17 cases, about 70 s); part 2 DPD, INITIAL-CONTACT,
# NAT-T's daemon cases and the flood (8, about 35 s), on the slower
# kernel. The core, 9 cases and veil's half of the matrix (about 35 s),
# runs everywhere.
plan=$((9 + $(grep -c '^veil ' <<<"$v1_cases")))
daemon_part 1
elsewhere || plan=$((plan + 13 + $(grep -c '^charon ' <<<"$v1_cases")))
daemon_part 2
elsewhere || plan=$((plan + 8))
ktap_set_plan $plan
daemon_part 1
check "topology: two namespaces, veth, loopback subnets" topology
check "charon starts with an IKEv1 connection" charon_start
check "veil initiates IKEv1 Main Mode (PSK) and Quick Mode (PFS): ping both ways through ESP" \
	main_quick
check "veil-iked stops: its Deletes clear charon's IPsec and ISAKMP SAs" stop_deletes
daemon_check "a wrong pre-shared key establishes nothing" wrong_psk
check "charon initiates: veil answers Main Mode and Quick Mode; ping both ways through ESP" \
	charon_initiates
daemon_check "each side rekeys the child with a new Quick Mode while pings go: none lost" \
	rekeys
daemon_check "charon deletes the ISAKMP SA and its child: veil removes its SAs and policies" \
	charon_deletes
daemon_check "Aggressive Mode (PSK), veil initiates, then charon: ping through each" aggressive
daemon_check "veil ike up, list and down drive an IKEv1 connection and its child" ctl_v1
# veil's half of the matrix (IPv4 and IPv6, ESP and AH, tunnel and
# transport, with PFS and without) is core; charon's half runs once.
while read -r who fam mode proto pfs; do
	c=check
	[ $who = veil ] || c=daemon_check
	$c "$who initiates, IPv$fam, $proto $mode mode, PFS $pfs: SPIs match, ping both ways" \
		v1_case $who $fam $mode $proto $pfs </dev/null
done <<<"$v1_cases"
daemon_check "veil initiates, AES-256, SHA-512, ECP-384; ESP AES-256, SHA-384, PFS ECP-256" \
	v1_algs aes256-sha512-ecp384 aes256-sha384-ecp256 veil yes
daemon_check "charon initiates, 3DES, MD5, MODP-1024 (configured); ESP AES-128, SHA-1, PFS MODP-3072" \
	v1_algs 3des-md5-modp1024 aes128-sha1-modp3072 charon yes
daemon_check "charon offers PFS to a child of veil's without it: no proposal chosen, nothing installed" \
	v1_pfs_refused
daemon_part 2
daemon_check "DPD: veil's R-U-THEREs are answered by charon" dpd_veil
daemon_check "DPD: charon's R-U-THEREs are answered by veil" dpd_charon
daemon_check "DPD: charon goes silent: veil clears the child (dpd_action = clear)" dpd_dead
daemon_check "INITIAL-CONTACT: veil-iked restarts: charon drops the old SAs" ic_veil
daemon_check "INITIAL-CONTACT: charon restarts: veil drops the old ISAKMP SA and child" ic_charon
daemon_part 1
daemon_check "veil renews the ISAKMP SA twice under pings: child taken over, none lost" rekey_veil
daemon_check "charon renews the ISAKMP SA under pings: veil adopts the child, none lost" \
	rekey_charon
daemon_check "Main Mode with RSA certificates, veil initiates: ping both ways through ESP" cert_veil
daemon_check "Main Mode with RSA certificates, charon initiates: ping both ways through ESP" \
	cert_charon
daemon_check "a certificate from a CA veil does not trust establishes nothing, either side initiating; charon is told" \
	cert_refused
daemon_part 2
check "topology: a masquerading NAT between the two" nat_topology
check "NAT-T: veil behind the NAT initiates Main Mode: port 4500, ESP in UDP both ways" \
	nat_run veil
daemon_check "NAT-T: charon behind the NAT initiates Main Mode to veil: ESP in UDP both ways" \
	nat_run charon
daemon_check "NAT-T: veil behind the NAT initiates Aggressive Mode" nat_run veil aggressive
check "NAT-T: transport mode, veil behind the NAT initiates: 1 MB over TCP each way" \
	nat_transport veil
check "NAT-T: transport mode, charon behind the NAT initiates: NAT-OA mends checksums" \
	nat_transport charon
daemon_check "3,000 malformed ISAKMP messages: veil-iked stays up, its SA in step" malformed
ktap_finished

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# NAT traversal (RFC 3948): ESP in UDP through a port-translating NAT, veil
# on one end and the kernel's own XFRM on the other, both ways round.
#
#   [ veil-c1 ] .2 -- 10.92.1.0/24 -- .1 [          ] .1 -- 10.92.0.0/24 -- .2 [ veil-s ]
#   [ veil-c3 ] .2 -- 10.92.3.0/24 -- .1 [ veil-nat ]       fd00:92::/64
#       fd00:92:1::/64, fd00:92:3::/64      masquerade          lo 10.92.10.1
#       lo 10.92.11.1, 10.92.13.1           (NAT66 too)            fd00:92:10::1
#
# The NAT maps the clients' port 4500 to 40001 (c1) and 40003 (c2), so the
# server sees neither the clients' addresses nor their port, and has no
# route back to them. The UDP socket of each end is what an IKE daemon
# would own: on veil's side handed to veil by file descriptor (natt_peer
# veil) or opened by veil itself (veil encap add), on XFRM's side set to
# UDP_ENCAP (natt_peer xfrm). A stand-in IKE message from the client
# crosses the NAT and is answered before any SA exists: IKE stays with
# the process while ESP goes to the kernel.

. "$(dirname "$0")/lib.sh"

C1=veil-c1 C2=veil-c3 N=veil-nat S=veil-s
A=$C1 B=$S
. "$(dirname "$0")/esp_lib.sh"
PEER=$VEIL_BUILD/selftests/veil/natt_peer
ALG=(aead 'rfc4106(gcm(aes))' $K20 128)
PIDS=()

cleanup() {
	[ ${#PIDS[@]} -gt 0 ] && kill "${PIDS[@]}" 2>/dev/null && wait 2>/dev/null
	for n in $C1 $C2 $N $S; do ip netns del $n 2>/dev/null; done
	rm -f "$OUT" "$DATA" "$DATA".*
}
trap cleanup EXIT

link() { # link NS1 IF1 NS2 IF2
	ip -n "$1" link add "$2" type veth peer name "$4" netns "$3" &&
	ip -n "$1" link set "$2" up && ip -n "$3" link set "$4" up
}

addrs() { # addrs NS DEV ADDR...
	local ns=$1 dev=$2 a
	shift 2
	for a; do ip -n $ns addr add $a dev $dev nodad 2>/dev/null ||
		ip -n $ns addr add $a dev $dev || return 1; done
}

topology() {
	local n
	for n in $C1 $C2 $N $S; do
		ip netns add $n && ip -n $n link set lo up || return 1
	done
	link $C1 eth0 $N in1 && link $C2 eth0 $N in3 && link $N out0 $S eth0 || return 1
	addrs $C1 eth0 10.92.1.2/24 fd00:92:1::2/64 && addrs $C1 lo 10.92.11.1/32 fd00:92:11::1/128 &&
	addrs $C2 eth0 10.92.3.2/24 fd00:92:3::2/64 && addrs $C2 lo 10.92.13.1/32 fd00:92:13::1/128 &&
	addrs $N in1 10.92.1.1/24 fd00:92:1::1/64 && addrs $N in3 10.92.3.1/24 fd00:92:3::1/64 &&
	addrs $N out0 10.92.0.1/24 fd00:92::1/64 &&
	addrs $S eth0 10.92.0.2/24 fd00:92::2/64 && addrs $S lo 10.92.10.1/32 fd00:92:10::1/128 ||
		return 1
	for n in 1 3; do
		ip -n veil-c$n route add default via 10.92.$n.1 &&
		ip -n veil-c$n route add default via fd00:92:$n::1 &&
		ip -n veil-c$n route add 10.92.10.0/24 via 10.92.$n.1 src 10.92.1$n.1 &&
		ip -n veil-c$n route add fd00:92:10::/64 via fd00:92:$n::1 src fd00:92:1$n::1 || return 1
	done
	# The server has no route to the clients: only to what the tunnels carry.
	ip -n $S route add 10.92.11.0/24 dev eth0 src 10.92.10.1 &&
	ip -n $S route add 10.92.13.0/24 dev eth0 src 10.92.10.1 &&
	ip -n $S route add fd00:92:11::/64 dev eth0 src fd00:92:10::1 &&
	ip -n $S route add fd00:92:13::/64 dev eth0 src fd00:92:10::1 &&
	ip netns exec $N sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 || return 1
	ip netns exec $N nft -f - <<-EOF || return 1
	table inet nat {
		chain post {
			type nat hook postrouting priority srcnat;
			oifname "out0" ip saddr 10.92.1.2 udp sport 4500 masquerade to :40001
			oifname "out0" ip6 saddr fd00:92:1::2 udp sport 4500 masquerade to :40001
			oifname "out0" ip saddr 10.92.3.2 udp sport 4500 masquerade to :40003
			oifname "out0" ip6 saddr fd00:92:3::2 udp sport 4500 masquerade to :40003
			oifname "out0" masquerade
		}
	}
	EOF
	dd if=/dev/urandom of="$DATA" bs=1M count=$XFER_MB status=none
}

# Per family: a client's own address CL$n and inner address CI$n, the
# NAT's public address NP, the server's SV and inner SI.
fam() {
	if [ "$1" = 4 ]; then
		CL1=10.92.1.2 CL3=10.92.3.2 CI1=10.92.11.1 CI3=10.92.13.1
		NP=10.92.0.1 SV=10.92.0.2 SI=10.92.10.1 ANY=0.0.0.0 FAM=inet
	else
		CL1=fd00:92:1::2 CL3=fd00:92:3::2 CI1=fd00:92:11::1 CI3=fd00:92:13::1
		NP=fd00:92::1 SV=fd00:92::2 SI=fd00:92:10::1 ANY=:: FAM=inet6
	fi
}

clear_all() {
	local n
	[ ${#PIDS[@]} -gt 0 ] && kill "${PIDS[@]}" 2>/dev/null && wait 2>/dev/null
	PIDS=()
	for n in $C1 $C2 $S; do
		printf 'xfrm policy flush\nxfrm state flush\n' | ip -n $n -batch -
		printf 'policy flush\nsa flush\n' | "$VEIL" -n $n -batch -
		printf 'encap del port 4500\nencap del port 4500 family inet6\n' |
			"$VEIL" -n $n -batch - -force >/dev/null 2>&1
	done
	return 0
}

# peer NS MODE ADDR [PEER]: natt_peer on port 4500, logging to $DATA.NS.
peer() {
	local ns=$1 ready=$DATA.ready.$1 i
	rm -f "$ready"
	ip netns exec $ns "$PEER" $2 $3 4500 "$ready" ${4:+$4 4500} > "$DATA.$ns" 2>&1 &
	PIDS+=($!)
	for i in $(seq 500); do [ -e "$ready" ] && return 0; nap 0.02; done
	echo "natt_peer in $ns did not come up:"
	cat "$DATA.$ns"
	return 1
}

# sas N CIMPL SIMPL MODE: client c$N (NAT port 4000$N) and the server's SAs
# and policies. The server knows the client by the NAT's address and port;
# the client's own address is the SAs' OADDR, for transport mode's checksums.
sas() {
	local n=$1 ci=$2 si=$3 mode=$4 c=veil-c$1 cl ii ie
	eval "cl=\$CL$n ii=\$CI$n"
	ie=$ii
	[ "$mode" = transport ] && ii=$cl ie=$NP
	[ "$mode" = transport ] && SI_=$SV || SI_=$SI
	local alg
	alg=$(q "${ALG[@]}")
	confb $c $ci <<-EOF || return 1
	state add src $cl dst $SV proto esp spi 0x100$n reqid 1$n mode $mode $alg encap espinudp 4500 4500 $ANY
	state add src $SV dst $cl proto esp spi 0x200$n reqid 2$n mode $mode $alg encap espinudp 4500 4500 $ANY
	policy add src $ii dst $SI_ dir out tmpl src $cl dst $SV proto esp reqid 1$n mode $mode
	policy add src $SI_ dst $ii dir in tmpl src $SV dst $cl proto esp reqid 2$n mode $mode
	EOF
	confb $S $si <<-EOF
	state add src $NP dst $SV proto esp spi 0x100$n reqid 1$n mode $mode $alg encap espinudp 4000$n 4500 $cl
	state add src $SV dst $NP proto esp spi 0x200$n reqid 2$n mode $mode $alg encap espinudp 4500 4000$n $cl
	policy add src $SI_ dst $ie dir out tmpl src $SV dst $NP proto esp reqid 2$n mode $mode
	policy add src $ie dst $SI_ dir in tmpl src $NP dst $SV proto esp reqid 1$n mode $mode
	EOF
}

# traffic N MODE: ping both ways, then DATA_FILE each way at once
# between client c$N and the server.
traffic() {
	local n=$1 mode=$2 c=veil-c$1 ci si
	eval "ci=\$CI$n"
	si=$SI
	if [ "$mode" = transport ]; then
		eval "ci=\$CL$n"
		si=$SV
	fi
	ip netns exec $c ping -q -c 2 -i 0.01 -W 2 -I $ci $si ||
		{ echo "no ping from the client"; return 1; }
	# The server reaches a transport-mode client at the NAT's address.
	[ "$mode" = transport ] && target=$NP || target=$ci
	ip netns exec $S ping -q -c 2 -i 0.01 -W 2 -I $si $target ||
		{ echo "no ping from the server"; return 1; }
	tcp_start $ci $si $c $S $((PORT + n * 2)) &&
	SERVE_ADDR=$ci tcp_start $si $target $S $c $((PORT + n * 2 + 1)) || return 1
	tcp_end $((PORT + n * 2)) || { tcp_end $((PORT + n * 2 + 1)); return 1; }
	tcp_end $((PORT + n * 2 + 1))
}

# esp_taken NS: veil's socket in NS took ESP, and in the log of a
# natt_peer there is IKE from the NAT's port but never ESP.
esp_taken() {
	local n
	n=$("$VEIL" -n $1 -j encap show | "$PYTHON" -c '
import json, sys
print(sum(s["esp-packets"] for s in json.load(sys.stdin)))')
	echo "veil took $n ESP packets off its socket in $1"
	[ "$n" -ge 100 ] || return 1
	! grep -h '^other' "$DATA".veil-* 2>/dev/null ||
		{ echo "ESP reached a NAT-T socket's process"; return 1; }
}

# natt VEILSIDE MODE FAMILY: veil on the client (behind the NAT) or the
# server, XFRM on the other; ping, then DATA_FILE each way at once.
natt() {
	local side=$1 mode=$2
	fam $3
	clear_all
	if [ $side = client ]; then
		peer $S xfrm $SV && peer $C1 veil $CL1 $SV || return 1
		grep -q "^ike $NP 40001$" "$DATA.$S" ||
			{ echo "the server did not see IKE from the NAT's port 40001:"; cat "$DATA.$S"; return 1; }
		sas 1 veil xfrm $mode && traffic 1 $mode && esp_taken $C1
	else
		"$VEIL" -n $S encap add port 4500 family $FAM && peer $C1 xfrm $CL1 || return 1
		sas 1 xfrm veil $mode && traffic 1 $mode && esp_taken $S
	fi
}

# wrong_oaddr: after "natt server transport 4", give veil's inbound SA a
# wrong original address: the TCP checksum it then "mends" is wrong, and
# the server's TCP counts a checksum error for the client's SYN, where
# with the right one the SYN met a closed port. veil fixes checksums
# with OADDR rather than ignoring them.
wrong_oaddr() {
	local before after
	before=$(ip netns exec $S nstat -az TcpInCsumErrors | awk '/TcpInCsumErrors/ { print $2 }')
	"$VEIL" -n $S sa update src $NP dst $SV proto esp spi 0x1001 reqid 11 mode transport \
		"${ALG[@]}" encap espinudp 40001 4500 10.92.1.99 || return 1
	ip netns exec $C1 timeout 1.5 bash -c "exec 3<>/dev/tcp/$SV/5299" 2>/dev/null
	after=$(ip netns exec $S nstat -az TcpInCsumErrors | awk '/TcpInCsumErrors/ { print $2 }')
	echo "TcpInCsumErrors went from $before to $after"
	[ "$after" -gt "$before" ]
}

# Two clients behind the same NAT, both veil, one on a socket veil
# opened: both tunnels to the XFRM server carry traffic at once.
two_clients() {
	fam 4
	clear_all
	peer $S xfrm $SV && peer $C1 veil $CL1 $SV &&
	"$VEIL" -n $C2 encap add port 4500 local $CL3 || return 1
	sas 1 veil xfrm tunnel && sas 3 veil xfrm tunnel || return 1
	traffic 1 tunnel & local t1=$!
	traffic 3 tunnel || { wait $t1; return 1; }
	wait $t1 || return 1
	esp_taken $C1 && esp_taken $C2
}

# The sockets' life: listed with their owner; a process's socket is let
# go of when the process closes it, and veil's own on encap del.
sockets() {
	fam 4
	clear_all
	peer $C1 veil $CL1 && "$VEIL" -n $C1 encap add port 4501 || return 1
	"$VEIL" -n $C1 encap show > "$OUT.enc"
	grep -q "^encap inet port 4500 local $CL1 process" "$OUT.enc" &&
	grep -q "^encap inet port 4501 local 0.0.0.0 kernel" "$OUT.enc" ||
		{ echo "not listed:"; cat "$OUT.enc"; return 1; }
	expect_status 1 "$VEIL" -n $C1 encap del port 4500 &&
		output_has "belongs to a process" || return 1
	expect_status 1 "$VEIL" -n $C1 encap add port 4501 && output_has "already" || return 1
	kill "${PIDS[@]}" && wait 2>/dev/null
	PIDS=()
	"$VEIL" -n $C1 encap show > "$OUT.enc"
	! grep -q "port 4500" "$OUT.enc" || { echo "still listed after close:"; cat "$OUT.enc"; return 1; }
	"$VEIL" -n $C1 encap del port 4501 && [ -z "$("$VEIL" -n $C1 encap show)" ] || return 1
	# Both ports are free again.
	peer $C1 xfrm $CL1 || { echo "port 4500 is not free"; return 1; }
	ip netns exec $C1 "$PEER" xfrm 0.0.0.0 4501 "$DATA.r" > /dev/null 2>&1 &
	PIDS+=($!)
	for i in $(seq 50); do [ -e "$DATA.r" ] && return 0; nap 0.1; done
	echo "port 4501 is not free"
	return 1
}

ktap_print_header
ktap_set_plan 10

check "three namespaces, the middle one a port-translating NAT" topology
check "veil behind the NAT to XFRM, tunnel: ping, $XFER_MB MB each way" natt client tunnel 4
check "veil behind the NAT to XFRM, transport: ping, $XFER_MB MB each way" natt client transport 4
check "XFRM behind the NAT to veil, tunnel: ping, $XFER_MB MB each way" natt server tunnel 4
check "XFRM behind the NAT to veil, transport (OADDR mends TCP checksums)" natt server transport 4
check "a wrong OADDR breaks the TCP checksum: veil mends, not ignores" wrong_oaddr
DATA_FILE=$(one_mb)
check "IPv6 through NAT66, veil client, tunnel: ping, 1 MB each way" natt client tunnel 6
check "IPv6 through NAT66, veil server, transport: ping, 1 MB each way" natt server transport 6
check "two veil clients behind the same NAT at once" two_clients
check "NAT-T sockets: listed, let go of on close and on encap del" sockets

ktap_finished

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# veil as a gateway: a tunnel between two gateways, the kernel's own XFRM
# on one and veil on the other, hosts behind each.
#
#   [ veil-h1 ] .2 -- 10.91.1.0/24 -- .1 [ veil-g1 ] .1 -- 10.91.0.0/24 -- .2 [ veil-g2 ] .1 -- 10.91.2.0/24 -- .2 [ veil-h2 ]
#               fd00:91:1::/64               XFRM      fd00:91::/64          veil      fd00:91:2::/64
#
# Hosts reach each other through the tunnel both ways, IPv4 and IPv6
# (ping, 1 MB of TCP each way). Then with the gateways' link at MTU 1500
# and at 1280: a ping too big for the tunnel without DF goes through as
# fragments of the ESP packet; one with DF set is answered by
# veil with ICMP "fragmentation needed" (ICMPv6 "packet too big" for IPv6)
# naming the room left in the tunnel, which ping reports, and the next
# ping of that size gets through; TCP of 1 byte to 64 KB each way never
# gets stuck (veil clamps the MSS of SYNs going into and coming out of
# the tunnel).

. "$(dirname "$0")/lib.sh"

H1=veil-h1 G1=veil-g1 G2=veil-g2 H2=veil-h2
A=$H1 B=$H2
. "$(dirname "$0")/esp_lib.sh"
v() { "$VEIL" -n "$G2" "$@"; }

cleanup() {
	for n in $H1 $G1 $G2 $H2; do ip netns del $n 2>/dev/null; done
	rm -f "$OUT" "$DATA" "$DATA".*
}
trap cleanup EXIT

link() { # link NS1 IF1 NS2 IF2
	ip -n "$1" link add "$2" type veth peer name "$4" netns "$3" &&
	ip -n "$1" link set "$2" up && ip -n "$3" link set "$4" up
}

topology() {
	local n
	for n in $H1 $G1 $G2 $H2; do
		ip netns add $n && ip -n $n link set lo up || return 1
	done
	link $H1 eth0 $G1 in0 && link $G1 out0 $G2 out0 && link $G2 in0 $H2 eth0 || return 1
	ip -n $H1 addr add 10.91.1.2/24 dev eth0 && ip -n $H1 addr add fd00:91:1::2/64 dev eth0 nodad &&
	ip -n $G1 addr add 10.91.1.1/24 dev in0 && ip -n $G1 addr add fd00:91:1::1/64 dev in0 nodad &&
	ip -n $G1 addr add 10.91.0.1/24 dev out0 && ip -n $G1 addr add fd00:91::1/64 dev out0 nodad &&
	ip -n $G2 addr add 10.91.0.2/24 dev out0 && ip -n $G2 addr add fd00:91::2/64 dev out0 nodad &&
	ip -n $G2 addr add 10.91.2.1/24 dev in0 && ip -n $G2 addr add fd00:91:2::1/64 dev in0 nodad &&
	ip -n $H2 addr add 10.91.2.2/24 dev eth0 && ip -n $H2 addr add fd00:91:2::2/64 dev eth0 nodad || return 1
	ip -n $H1 route add default via 10.91.1.1 && ip -n $H1 route add default via fd00:91:1::1 &&
	ip -n $H2 route add default via 10.91.2.1 && ip -n $H2 route add default via fd00:91:2::1 &&
	ip -n $G1 route add 10.91.2.0/24 via 10.91.0.2 && ip -n $G1 route add fd00:91:2::/64 via fd00:91::2 &&
	ip -n $G2 route add 10.91.1.0/24 via 10.91.0.1 && ip -n $G2 route add fd00:91:1::/64 via fd00:91::1 || return 1
	for n in $G1 $G2; do
		ip netns exec $n sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 || return 1
	done
	dd if=/dev/urandom of="$DATA" bs=1M count=$XFER_MB status=none
}

# tunnel L1 L2 O1 O2 R1 R2 SPI1 SPI2: the two gateways' SAs and policies
# for the hosts' subnets L1 (behind g1) and L2 (behind g2), tunnel
# endpoints O1 and O2.
tunnel() {
	local l1=$1 l2=$2 o1=$3 o2=$4 s12=$5 s21=$6 alg=(aead 'rfc4106(gcm(aes))' $K20 128)
	ip -n $G1 xfrm state add src $o1 dst $o2 proto esp spi $s12 reqid 1 mode tunnel "${alg[@]}" &&
	ip -n $G1 xfrm state add src $o2 dst $o1 proto esp spi $s21 reqid 2 mode tunnel "${alg[@]}" &&
	ip -n $G1 xfrm policy add src $l1 dst $l2 dir out tmpl src $o1 dst $o2 proto esp reqid 1 mode tunnel &&
	ip -n $G1 xfrm policy add src $l2 dst $l1 dir in tmpl src $o2 dst $o1 proto esp reqid 2 mode tunnel &&
	ip -n $G1 xfrm policy add src $l2 dst $l1 dir fwd tmpl src $o2 dst $o1 proto esp reqid 2 mode tunnel &&
	v sa add src $o1 dst $o2 proto esp spi $s12 reqid 1 mode tunnel "${alg[@]}" &&
	v sa add src $o2 dst $o1 proto esp spi $s21 reqid 2 mode tunnel "${alg[@]}" &&
	v policy add src $l2 dst $l1 dir out tmpl src $o2 dst $o1 proto esp reqid 2 mode tunnel &&
	v policy add src $l1 dst $l2 dir in tmpl src $o1 dst $o2 proto esp reqid 1 mode tunnel &&
	v policy add src $l1 dst $l2 dir fwd tmpl src $o1 dst $o2 proto esp reqid 1 mode tunnel
}

tunnels() {
	tunnel 10.91.1.0/24 10.91.2.0/24 10.91.0.1 10.91.0.2 0x3001 0x3002 &&
	tunnel fd00:91:1::/64 fd00:91:2::/64 fd00:91::1 fd00:91::2 0x6001 0x6002
}

# through FAMILY: pings and 1 MB each way between the hosts.
through() {
	local a=10.91.1.2 b=10.91.2.2 n
	[ "$1" = 6 ] && a=fd00:91:1::2 b=fd00:91:2::2
	ip netns exec $H1 ping -q -c 2 -i 0.01 -W 2 $b && ip netns exec $H2 ping -q -c 2 -i 0.01 -W 2 $a ||
		{ echo "no ping through the tunnel"; return 1; }
	DATA_FILE=$(one_mb) tcp_both $a $b || return 1
	n=$(v stats | awk '$1 == "in-packets" { i = $2 } $1 == "out-packets" { o = $2 } END { print i, o }')
	echo "veil's gateway: in-packets, out-packets: $n"
}

# sizes MTU: the gateways' link at MTU; TCP of 1 byte to 64 KB each way.
sizes() {
	local mtu=$1 n a=10.91.1.2 b=10.91.2.2 f=$DATA.size
	ip -n $G1 link set out0 mtu $mtu && ip -n $G2 link set out0 mtu $mtu || return 1
	for n in 1 1000 1400 1500 65536; do
		head -c $n "$DATA" > "$f"
		DATA_FILE=$f tcp_start $a $b $H1 $H2 $PORT &&
		DATA_FILE=$f tcp_start $b $a $H2 $H1 $((PORT + 1)) || return 1
		DATA_FILE=$f tcp_end $PORT || { tcp_end $((PORT + 1)); echo "$n bytes h1 to h2 failed"; return 1; }
		DATA_FILE=$f tcp_end $((PORT + 1)) || { echo "$n bytes h2 to h1 failed"; return 1; }
	done
}

# df_clear: a forwarded IPv4 packet without DF that is too big for the
# tunnel goes out as fragments of the ESP packet, and arrives.
df_clear() {
	local before after
	ip -n $G1 link set out0 mtu 1500 && ip -n $G2 link set out0 mtu 1500 || return 1
	before=$(ip netns exec $G2 nstat -az IpFragCreates | awk '/IpFragCreates/ { print $2 }')
	ip netns exec $H2 ping -q -c 2 -i 0.02 -W 2 -M dont -s 1450 10.91.1.2 ||
		{ echo "a 1478-byte packet without DF did not get through"; return 1; }
	after=$(ip netns exec $G2 nstat -az IpFragCreates | awk '/IpFragCreates/ { print $2 }')
	echo "veil's gateway made $((after - before)) fragments"
	[ "$after" -ge $((before + 4)) ]
}

# too_big FAMILY MTU: h2's DF ping too big for the tunnel draws veil's
# ICMP naming a smaller MTU; at that size it passes.
too_big() {
	local fam=$1 mtu=$2 dst=10.91.1.2 hdr=28 got
	[ "$fam" = 6 ] && dst=fd00:91:1::2 hdr=48
	ip -n $G1 link set out0 mtu $mtu && ip -n $G2 link set out0 mtu $mtu || return 1
	ip netns exec $H2 ping -$fam -c 1 -W 2 -M do -s $((mtu - hdr)) $dst > "$DATA.ping" 2>&1
	got=$(grep -oE 'mtu ?[=:]? ?[0-9]+' "$DATA.ping" | grep -oE '[0-9]+$' | head -1)
	[ -n "$got" ] || { echo "no too-big report:"; cat "$DATA.ping"; return 1; }
	[ "$got" -lt "$mtu" ] && [ "$got" -gt $((mtu - 100)) ] || { echo "reported MTU $got"; return 1; }
	echo "veil reported MTU $got inside a $mtu link"
	ip netns exec $H2 ping -$fam -c 2 -i 0.02 -W 2 -M do -s $((got - hdr)) $dst || return 1
	ip -n $H2 route flush cache 2>/dev/null
	[ "$(v stats | ns_counter too-big)" -ge 1 ]
}

ktap_print_header
ktap_set_plan 11

check "four namespaces: two hosts, two gateways" topology
check "tunnels between the gateways, XFRM on one, veil on the other" tunnels
check "IPv4 hosts through the tunnel: pings and 1 MB each way" through 4
check "IPv6 hosts through the tunnel: pings and 1 MB each way" through 6
check "MTU 1500: an IPv4 ping without DF too big for the tunnel goes as ESP fragments" df_clear
check "MTU 1500: a DF ping too big for the tunnel gets ICMP frag-needed from veil" too_big 4 1500
check "MTU 1280: the same" too_big 4 1280
check "MTU 1500: an IPv6 ping too big gets ICMPv6 packet-too-big from veil" too_big 6 1500
check "MTU 1400: the same" too_big 6 1400

check "MTU 1500: TCP of 1 byte to 64 KB each way" sizes 1500
check "MTU 1280: TCP of 1 byte to 64 KB each way" sizes 1280

ktap_finished

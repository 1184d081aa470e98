#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Route-based interfaces: veil's link kind "veil" against the kernel's own
# XFRM interface (ip link add ... type xfrm if_id N).
#
#   [ veil-ia ] 10.93.0.1 ---- veth ---- 10.93.0.2 [ veil-ib ]     [ veil-ic ]
#     XFRM        fd00:93::1               fd00:93::2   veil          veil1 moved here
#   xfrm5 (if_id 5): 10.2.0.0/16, fd00:2::/64     veil0 (if_id 7): 10.1.0.0/16, fd00:1::/64
#   xfrm6 (if_id 6): 10.4.0.0/16                  veil1 (if_id 8): 10.3.0.0/16
#   lan 10.1.0.1, fd00:1::1, 10.3.0.1             lan 10.2.0.1, fd00:2::1; 10.4.0.1 in veil-ic
#
# The policies are 0.0.0.0/0 and ::/0 with the interface's id: routes
# alone choose what goes into which tunnel.

. "$(dirname "$0")/lib.sh"

A=veil-ia B=veil-ib C=veil-ic
. "$(dirname "$0")/esp_lib.sh"
ALG=(aead 'rfc4106(gcm(aes))' $K20 128)

cleanup() {
	for n in $A $B $C; do ip netns del $n 2>/dev/null; done
	rm -f "$OUT" "$DATA" "$DATA".*
}
trap cleanup EXIT

topology() {
	local n
	for n in $A $B $C; do ip netns add $n && ip -n $n link set lo up || return 1; done
	ip -n $A link add eth0 type veth peer name eth0 netns $B &&
	ip -n $A addr add 10.93.0.1/24 dev eth0 && ip -n $B addr add 10.93.0.2/24 dev eth0 &&
	ip -n $A addr add fd00:93::1/64 dev eth0 nodad && ip -n $B addr add fd00:93::2/64 dev eth0 nodad &&
	ip -n $A link set eth0 up && ip -n $B link set eth0 up || return 1
	for n in $A $B; do
		ip -n $n link add lan type dummy && ip -n $n link set lan up || return 1
	done
	ip -n $A addr add 10.1.0.1/32 dev lan && ip -n $A addr add fd00:1::1/128 dev lan nodad &&
	ip -n $A addr add 10.3.0.1/32 dev lan &&
	ip -n $B addr add 10.2.0.1/32 dev lan && ip -n $B addr add fd00:2::1/128 dev lan nodad || return 1
	dd if=/dev/urandom of="$DATA" bs=1M count=$XFER_MB status=none
}

# sas NS IMPL ID SPI_AB SPI_BA: the four SAs (IPv4 and IPv6 outer), and
# out, in and fwd policies for everything, with interface id ID, in NS.
sas() {
	local ns=$1 impl=$2 id=$3 s1=$4 s2=$5 out in fam o1 o2 any r1 r2 alg
	alg=$(q "${ALG[@]}")
	for fam in 4 6; do
		if [ $fam = 4 ]; then o1=10.93.0.1 o2=10.93.0.2 any=0.0.0.0/0; else o1=fd00:93::1 o2=fd00:93::2 any=::/0; fi
		# Each side's out is the other's in.
		if [ $impl = xfrm ]; then out="src $o1 dst $o2" in="src $o2 dst $o1"; r1=$id r2=1$id
		else out="src $o2 dst $o1" in="src $o1 dst $o2"; r1=1$id r2=$id; fi
		cat <<-EOF
		state add src $o1 dst $o2 proto esp spi $s1$fam reqid $id mode tunnel $alg if_id $id
		state add src $o2 dst $o1 proto esp spi $s2$fam reqid 1$id mode tunnel $alg if_id $id
		policy add src $any dst $any dir out if_id $id tmpl $out proto esp reqid $r1 mode tunnel
		policy add src $any dst $any dir in if_id $id tmpl $in proto esp reqid $r2 mode tunnel
		policy add src $any dst $any dir fwd if_id $id tmpl $in proto esp reqid $r2 mode tunnel
		EOF
	done | confb $ns $impl
}

interfaces() {
	# No IPv6 link-local addresses: their router solicitations and MLD
	# reports would cross the ::/0 tunnels and spoil exact counts.
	ip -n $A link add xfrm5 type xfrm if_id 5 && ip -n $A link set xfrm5 addrgenmode none &&
	ip -n $A link set xfrm5 up &&
	"$VEIL" -n $B link add veil0 if_id 7 && ip -n $B link set veil0 addrgenmode none &&
	ip -n $B link set veil0 up || return 1
	ip -n $A route add 10.2.0.0/16 dev xfrm5 src 10.1.0.1 &&
	ip -n $A route add fd00:2::/64 dev xfrm5 src fd00:1::1 &&
	ip -n $B route add 10.1.0.0/16 dev veil0 src 10.2.0.1 &&
	ip -n $B route add fd00:1::/64 dev veil0 src fd00:2::1 || return 1
	sas $A xfrm 5 0x500 0x600 && sas $B veil 7 0x500 0x600 || return 1
	[ "$(ip -n $B -j link show veil0 | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)[0]["mtu"])')" = 1400 ] ||
		{ echo "veil0's MTU is not 1400"; return 1; }
}

# rx_tx NS DEV: "RX TX" packets of DEV.
rx_tx() {
	ip -n $1 -j -s link show $2 | "$PYTHON" -c '
import json, sys
s = json.load(sys.stdin)[0]["stats64"]
print(s["rx"]["packets"], s["tx"]["packets"])'
}

# through FAMILY MIN: pings and a transfer each way between the two lans;
# veil0 must count MIN packets or more each way.
through() {
	local a=10.1.0.1 b=10.2.0.1 before after
	[ "$1" = 6 ] && a=fd00:1::1 b=fd00:2::1
	before=$(rx_tx $B veil0)
	ip netns exec $A ping -q -c 2 -i 0.01 -W 2 -I $a $b && ip netns exec $B ping -q -c 2 -i 0.01 -W 2 -I $b $a ||
		{ echo "no ping through the interfaces"; return 1; }
	tcp_both $a $b || return 1
	after=$(rx_tx $B veil0)
	echo "veil0 rx, tx packets: $before -> $after"
	set -- $before $after $2
	[ $(($3 - $1)) -ge $5 ] && [ $(($4 - $2)) -ge $5 ] ||
		{ echo "ip -s link did not count the traffic on veil0"; return 1; }
}

# Firewall rules see the interface: dropping ICMP that comes in on veil0
# stops pings through it (and counts them), and nothing else.
firewall() {
	local n
	ip netns exec $B nft -f - <<-EOF || return 1
	table inet vf {
		chain in {
			type filter hook input priority 0;
			iifname "veil0" meta l4proto icmp counter drop
		}
	}
	EOF
	ip netns exec $A ping -q -c 2 -i 0.01 -W 1 -I 10.1.0.1 10.2.0.1 && { echo "ping passed the rule"; return 1; }
	n=$(ip netns exec $B nft list table inet vf | grep -o 'packets [0-9]*' | grep -o '[0-9]*')
	ip netns exec $B nft delete table inet vf
	echo "the rule on iifname veil0 dropped ${n:-0} packets"
	[ "${n:-0}" -ge 2 ] && ip netns exec $A ping -q -c 2 -i 0.01 -W 2 -I 10.1.0.1 10.2.0.1
}

# A packet routed into veil0 with no policy for it is dropped, counted.
no_policy() {
	local before after
	before=$(ip -n $B -j -s link show veil0 | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)[0]["stats64"]["tx"]["dropped"])')
	"$VEIL" -n $B policy del src 0.0.0.0/0 dst 0.0.0.0/0 dir out if_id 7 || return 1
	ip netns exec $B ping -q -c 2 -i 0.01 -W 1 -I 10.2.0.1 10.1.0.1 && { echo "ping passed with no policy"; return 1; }
	after=$(ip -n $B -j -s link show veil0 | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)[0]["stats64"]["tx"]["dropped"])')
	echo "veil0 tx dropped: $before -> $after"
	[ "$after" -ge $((before + 2)) ] || return 1
	"$VEIL" -n $B policy add src 0.0.0.0/0 dst 0.0.0.0/0 dir out if_id 7 \
		tmpl src 10.93.0.2 dst 10.93.0.1 proto esp reqid 17 mode tunnel
}

# A second pair of interfaces with other ids beside the first; then veil1
# moves to another namespace and still carries the tunnel from there.
second() {
	local r0 r1
	ip -n $A link add xfrm6 type xfrm if_id 6 && ip -n $A link set xfrm6 addrgenmode none &&
	ip -n $A link set xfrm6 up &&
	"$VEIL" -n $B link add veil1 if_id 8 && ip -n $B link set veil1 addrgenmode none &&
	ip -n $B link set veil1 up || return 1
	ip -n $A route add 10.4.0.0/16 dev xfrm6 src 10.3.0.1 &&
	ip -n $B addr add 10.4.0.1/32 dev lan && ip -n $B route add 10.3.0.0/16 dev veil1 src 10.4.0.1 || return 1
	sas $A xfrm 6 0x700 0x800 && sas $B veil 8 0x700 0x800 || return 1
	"$VEIL" -n $B link show > "$OUT.l"
	grep -q "^veil0 if_id 0x7 mtu 1400" "$OUT.l" && grep -q "^veil1 if_id 0x8 mtu 1400" "$OUT.l" ||
		{ echo "veil link show:"; cat "$OUT.l"; return 1; }
	r0=$(rx_tx $B veil0) r1=$(rx_tx $B veil1)
	ip netns exec $A ping -q -c 5 -i 0.01 -W 2 -I 10.3.0.1 10.4.0.1 || return 1
	ip netns exec $A ping -q -c 3 -i 0.01 -W 2 -I 10.1.0.1 10.2.0.1 || return 1
	set -- $r0 $r1 $(rx_tx $B veil0) $(rx_tx $B veil1)
	echo "veil0 rx $1 -> $5, veil1 rx $3 -> $7"
	[ $(($5 - $1)) = 3 ] && [ $(($7 - $3)) = 5 ] || { echo "each interface should count its own"; return 1; }
	expect_status 1 "$VEIL" -n $B link add veil2 if_id 8 && output_has "if_id" || return 1
	# Moved: its policies and SAs stay in veil-ib, its packets are veil-ic's.
	ip -n $B link set veil1 netns $C && ip -n $C link set veil1 up &&
	ip -n $C addr add 10.4.0.1/32 dev veil1 && ip -n $C route add 10.3.0.0/16 dev veil1 src 10.4.0.1 ||
		return 1
	ip -n $B addr del 10.4.0.1/32 dev lan
	ip netns exec $C ping -q -c 3 -i 0.01 -W 2 10.3.0.1 ||
		{ echo "no ping through veil1 from the namespace it moved to"; return 1; }
	ip netns exec $A ping -q -c 3 -i 0.01 -W 2 -I 10.3.0.1 10.4.0.1
}

# Deleting veil0 in the middle of a transfer: the transfer stops, nothing
# is left behind, and veil1 (in veil-ic) carries on. The transfer is
# far longer than the second before the delete.
delete_busy() {
	head -c 64M /dev/zero > "$DATA.busy"
	DATA_FILE=$DATA.busy tcp_start 10.1.0.1 10.2.0.1 $A $B $PORT || return 1
	nap 1
	ip -n $B link del veil0 || return 1
	nap 0.5
	eval "kill \$xfer$PORT 2>/dev/null; wait \$xfer$PORT 2>/dev/null"
	[ -z "$("$VEIL" -n $B link show)" ] || { echo "left behind:"; "$VEIL" -n $B link show; return 1; }
	ip netns exec $C ping -q -c 2 -i 0.01 -W 2 10.3.0.1 || return 1
	# The id is free again.
	"$VEIL" -n $B link add veil0 if_id 7 && ip -n $B link del veil0 &&
	ip -n $B link add veilx type veil && ip -n $B link show veilx >/dev/null &&
	ip -n $B link del veilx
}

ktap_print_header
ktap_set_plan 8

check "two namespaces, XFRM on one and veil on the other" topology
check "xfrm5 (if_id 5) and veil0 (if_id 7), routes into them, 0/0 policies" interfaces
DATA_FILE=$(one_mb)
check "IPv4 through the interfaces: pings, 1 MB each way, ip -s link counts" through 4 500
check "IPv6 through the interfaces: pings, 1 MB each way" through 6 500
check "an nftables rule on iifname veil0 applies to what arrives through it" firewall
check "no policy for veil0's id: dropped and counted in tx dropped" no_policy
check "a second pair (if_id 6 and 8) beside the first, then veil1 in another namespace" second
check "deleting veil0 under traffic leaves nothing behind; veil1 carries on" delete_busy

ktap_finished

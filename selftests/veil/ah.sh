#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# AH both ways against the kernel's own ah4/ah6, through a router:
#
#   [ veil-aa ] 10.92.1.1 -- [ veil-ar ] -- 10.92.2.1 [ veil-ab ]
#     XFRM      fd00:92:1::1    router      fd00:92:2::1    veil
#
# The router forwards, so every packet's TTL or hop limit changes on the
# way (a mutable field, outside the ICV). For transport and tunnel mode,
# IPv4 and IPv6, with HMAC-SHA-256: a ping and XFER_MB megabytes of TCP each way. The
# other AH algorithms with a ping and 256 KB each way. The router then
# rewrites an immutable field (the IPv4 ID) of AH packets: veil counts
# integrity failures and nothing gets through; rewriting a mutable one
# (DSCP) changes nothing. ESP and AH bundles (RFC 4301 4.5) both ways,
# and a bundle policy refusing ESP alone.

. "$(dirname "$0")/lib.sh"

A=veil-aa
B=veil-ab
R=veil-ar
. "$(dirname "$0")/esp_lib.sh"

cleanup() {
	for n in $A $B $R; do ip netns del $n 2>/dev/null; done
	rm -f "$OUT" "$DATA" "$DATA".*
}
trap cleanup EXIT

topology() {
	local n
	for n in $A $B $R; do ip netns add $n && ip -n $n link set lo up || return 1; done
	ip -n $A link add eth0 type veth peer name a0 netns $R &&
	ip -n $B link add eth0 type veth peer name b0 netns $R || return 1
	ip -n $A addr add 10.92.1.1/24 dev eth0 && ip -n $A addr add fd00:92:1::1/64 dev eth0 nodad &&
	ip -n $R addr add 10.92.1.254/24 dev a0 && ip -n $R addr add fd00:92:1::fe/64 dev a0 nodad &&
	ip -n $R addr add 10.92.2.254/24 dev b0 && ip -n $R addr add fd00:92:2::fe/64 dev b0 nodad &&
	ip -n $B addr add 10.92.2.1/24 dev eth0 && ip -n $B addr add fd00:92:2::1/64 dev eth0 nodad || return 1
	for n in "$A eth0" "$B eth0" "$R a0" "$R b0"; do set -- $n; ip -n $1 link set $2 up || return 1; done
	ip -n $A route add default via 10.92.1.254 && ip -n $A route add default via fd00:92:1::fe &&
	ip -n $B route add default via 10.92.2.254 && ip -n $B route add default via fd00:92:2::fe &&
	ip netns exec $R sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 &&
	dd if=/dev/urandom of="$DATA" bs=1M count=$XFER_MB status=none
}

# ah_pair FAMILY MODE ALGO...: AH SAs a->b (reqid 1) and b->a (reqid 2),
# XFRM's in xa and veil's in xb, with out and in policies.
ah_pair() {
	local oa=10.92.1.1 ob=10.92.2.1 mode=$2
	[ "$1" = 6 ] && oa=fd00:92:1::1 ob=fd00:92:2::1
	shift 2
	OA=$oa OB=$ob
	local alg
	alg=$(q "$@")
	ip -n $A -batch - <<-EOF || return 1
	xfrm policy flush
	xfrm state flush
	xfrm state add src $oa dst $ob proto ah spi 0x5001 reqid 1 mode $mode $alg
	xfrm state add src $ob dst $oa proto ah spi 0x5002 reqid 2 mode $mode $alg
	xfrm policy add src $oa dst $ob dir out tmpl src $oa dst $ob proto ah reqid 1 mode $mode
	xfrm policy add src $ob dst $oa dir in tmpl src $ob dst $oa proto ah reqid 2 mode $mode
	EOF
	v -batch - <<-EOF
	policy flush
	sa flush
	sa add src $oa dst $ob proto ah spi 0x5001 reqid 1 mode $mode $alg
	sa add src $ob dst $oa proto ah spi 0x5002 reqid 2 mode $mode $alg
	policy add src $ob dst $oa dir out tmpl src $ob dst $oa proto ah reqid 2 mode $mode
	policy add src $oa dst $ob dir in tmpl src $oa dst $ob proto ah reqid 1 mode $mode
	EOF
}

# sa_stat SPI NAME: a counter of veil's AH SA SPI.
sa_stat() {
	local src=$OA dst=$OB
	[ "$1" = 0x5002 ] && src=$OB dst=$OA
	v -s sa get src $src dst $dst proto ah spi "$1" | sa_counter "$2"
}

# ah_both FAMILY MODE ALGO...: ping and DATA_FILE (XFER_MB megabytes) each way.
ah_both() {
	local n m
	ah_pair "$@" || return 1
	ip netns exec $A ping -q -c 2 -i 0.01 -W 2 $OB && ip netns exec $B ping -q -c 2 -i 0.01 -W 2 $OA ||
		{ echo "no ping through AH"; return 1; }
	tcp_both $OA $OB || return 1
	n=$(sa_stat 0x5001 packets) && m=$(sa_stat 0x5002 packets) || return 1
	echo "veil verified $n packets and protected $m"
	[ "$n" -ge "${MIN_PACKETS:-$((XFER_MB * 600))}" ] && [ "$m" -ge "${MIN_PACKETS:-$((XFER_MB * 600))}" ]
}

ah_quick() {
	DATA_FILE=$(quarter_mb) MIN_PACKETS=100 ah_both "$@"
}

tamper() {
	local before
	ah_pair 4 transport auth-trunc 'hmac(sha256)' $K32 128 || return 1
	ip netns exec $A ping -q -c 1 -W 2 $OB || return 1
	ip netns exec $R nft -f - <<'NFT' || return 1
table inet veiltest {
	chain vfwd {
		type filter hook forward priority 0;
		ip protocol ah ip dscp set cs1
	}
}
NFT
	ip netns exec $A ping -q -c 2 -i 0.02 -W 2 $OB || { echo "a DSCP change broke AH"; return 1; }
	before=$(sa_stat 0x5001 integrity-failures) || return 1
	ip netns exec $R nft add rule inet veiltest vfwd ip protocol ah ip id set 0x4242 || return 1
	! ip netns exec $A ping -q -c 2 -i 0.02 -W 1 $OB || { echo "a changed IPv4 ID passed"; return 1; }
	[ "$(sa_stat 0x5001 integrity-failures)" -ge $((before + 2)) ] ||
		{ echo "integrity failures not counted"; return 1; }
	ip netns exec $R nft delete table inet veiltest &&
	ip netns exec $A ping -q -c 2 -i 0.02 -W 2 $OB
}

SHA256=(auth-trunc 'hmac(sha256)' $K32 128)

# udp_hbh FROM TO SRC DST: a UDP datagram from namespace FROM with an IPv6
# hop-by-hop header holding an option that may change en route (type
# 0x3e), which AH must count as zero; TO must receive it intact.
udp_hbh() {
	local got i
	rm -f "$DATA.ready"
	ip netns exec $2 "$PYTHON" -c '
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 7777)); s.settimeout(5)
open(sys.argv[2], "w").close()
print(s.recv(100).decode())' $4 "$DATA.ready" > "$DATA.udp" &
	local rx=$!
	# Python starts slowly under TCG: send only once it listens.
	for i in $(seq 500); do [ -e "$DATA.ready" ] && break; nap 0.02; done
	ip netns exec $1 "$PYTHON" -c '
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 0))
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_HOPOPTS, bytes([0, 0, 0x3e, 4, 1, 2, 3, 4]))
s.sendto(b"hop-by-hop through AH", (sys.argv[2], 7777))' $3 $4 || return 1
	wait $rx || { echo "nothing arrived at $4"; return 1; }
	got=$(cat "$DATA.udp")
	[ "$got" = "hop-by-hop through AH" ] || { echo "got '$got'"; return 1; }
}

hbh() {
	local before
	ah_pair 6 transport "${SHA256[@]}" || return 1
	before=$(sa_stat 0x5001 packets) || return 1
	udp_hbh $A $B $OA $OB || { echo "XFRM to veil"; return 1; }
	[ "$(sa_stat 0x5001 packets)" -gt "$before" ] || { echo "not through veil's AH"; return 1; }
	udp_hbh $B $A $OB $OA || { echo "veil to XFRM"; return 1; }
}

GCM=(aead 'rfc4106(gcm(aes))' $K20 128)

# bundle FAMILY [esp-only]: ESP then AH (RFC 4301 bundle) both ways,
# transport mode; with esp-only, XFRM's out policy has the ESP template
# alone, which veil's in policy, asking for both, must refuse.
bundle() {
	local oa=10.92.1.1 ob=10.92.2.1 x i
	[ "$1" = 6 ] && oa=fd00:92:1::1 ob=fd00:92:2::1
	OA=$oa OB=$ob
	ip -n $A xfrm policy flush; ip -n $A xfrm state flush
	v policy flush; v sa flush
	for x in "ip -n $A xfrm state" "$VEIL -n $B sa"; do
		$x add src $oa dst $ob proto esp spi 0x6001 reqid 3 mode transport "${GCM[@]}" &&
		$x add src $ob dst $oa proto esp spi 0x6002 reqid 4 mode transport "${GCM[@]}" &&
		$x add src $oa dst $ob proto ah spi 0x5001 reqid 1 mode transport "${SHA256[@]}" &&
		$x add src $ob dst $oa proto ah spi 0x5002 reqid 2 mode transport "${SHA256[@]}" || return 1
	done
	local ah_ab=(tmpl src $oa dst $ob proto ah reqid 1 mode transport)
	[ "$2" = esp-only ] && ah_ab=()
	ip -n $A xfrm policy add src $oa dst $ob dir out \
		tmpl src $oa dst $ob proto esp reqid 3 mode transport "${ah_ab[@]}" &&
	ip -n $A xfrm policy add src $ob dst $oa dir in \
		tmpl src $ob dst $oa proto esp reqid 4 mode transport \
		tmpl src $ob dst $oa proto ah reqid 2 mode transport &&
	v policy add src $ob dst $oa dir out \
		tmpl src $ob dst $oa proto esp reqid 4 mode transport \
		tmpl src $ob dst $oa proto ah reqid 2 mode transport &&
	v policy add src $oa dst $ob dir in \
		tmpl src $oa dst $ob proto esp reqid 3 mode transport \
		tmpl src $oa dst $ob proto ah reqid 1 mode transport || return 1
	if [ "$2" = esp-only ]; then
		! ip netns exec $A ping -q -c 2 -i 0.02 -W 1 $OB || { echo "ESP alone passed"; return 1; }
		v -j -s sa get src $oa dst $ob proto esp spi 0x6001 | "$PYTHON" -c '
import json, sys
s = json.load(sys.stdin)["stats"]
assert s["packets"] >= 2 and s["policy-drops"] >= 2, s'
		return
	fi
	ip netns exec $A ping -q -c 2 -i 0.01 -W 2 $OB && ip netns exec $B ping -q -c 2 -i 0.01 -W 2 $OA ||
		{ echo "no ping through the bundle"; return 1; }
	DATA_FILE=$(one_mb) tcp_both $OA $OB || return 1
	for i in "esp 0x6001" "esp 0x6002" "ah 0x5001" "ah 0x5002"; do
		set -- $i
		local src=$oa dst=$ob
		[ "${2: -1}" = 2 ] && src=$ob dst=$oa
		v -j -s sa get src $src dst $dst proto $1 spi $2 | "$PYTHON" -c '
import json, sys
n = json.load(sys.stdin)["stats"]["packets"]
assert n >= 200, n' || { echo "veil's $1 SA $2 counted too few"; return 1; }
	done
}

ktap_print_header
ktap_set_plan 19

check "three namespaces: XFRM, a router, veil" topology
for fam in 4 6; do
	for mode in transport tunnel; do
		check "IPv$fam $mode AH, hmac(sha256) 128, through a router: ping, $XFER_MB MB each way" \
			ah_both $fam $mode "${SHA256[@]}"
	done
done
check "IPv4 transport AH, hmac(sha384) 192: ping, 256 KB each way" \
	ah_quick 4 transport auth-trunc 'hmac(sha384)' $(printf '0x%096d' 1) 192
check "IPv6 tunnel AH, hmac(sha512) 256" \
	ah_quick 6 tunnel auth-trunc 'hmac(sha512)' $(printf '0x%0128d' 2) 256
check "IPv4 tunnel AH, hmac(sha1) 96" \
	ah_quick 4 tunnel auth-trunc 'hmac(sha1)' $K20 96
check "IPv6 transport AH, hmac(md5) 96" \
	ah_quick 6 transport auth-trunc 'hmac(md5)' $K16 96
check "IPv4 transport AH, xcbc(aes) 96" \
	ah_quick 4 transport auth-trunc 'xcbc(aes)' $K16 96
check "IPv4 transport AH, hmac(sha256) 128 with ESN" \
	ah_quick 4 transport "${SHA256[@]}" flag esn replay-window 64
check "IPv6 tunnel AH, hmac(sha256) 128 with ESN" \
	ah_quick 6 tunnel "${SHA256[@]}" flag esn replay-window 64
check "IPv4 tunnel AH, hmac(sha256) 128, flag align4 at both ends (28-byte AH, as strongSwan's)" \
	ah_quick 4 tunnel "${SHA256[@]}" flag align4
check "IPv6 AH after a hop-by-hop header with a mutable option, both ways" hbh
check "IPv4 ESP and AH bundle, transport: ping, 1 MB each way" bundle 4
check "IPv6 ESP and AH bundle, transport: ping, 1 MB each way" bundle 6
check "a bundle policy refuses what came through ESP alone, and counts it" bundle 4 esp-only
check "a DSCP rewrite on the way passes, an IPv4 ID rewrite fails the ICV and is counted" tamper
check "veil's AH counters show in veil stats" \
	bash -c "'$VEIL' -n $B -j stats | '$PYTHON' -c 'import json,sys; s=json.load(sys.stdin); assert s[\"in-packets\"] > 1000 and s[\"integrity-failures\"] >= 2, s'"

ktap_finished

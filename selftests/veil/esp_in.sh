#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Inbound ESP against the kernel's own IPsec: XFRM protects what one side
# sends, veil decrypts it on the other.
#
#   [ veil-xa ] 10.89.0.1 ---- veth ---- 10.89.0.2 [ veil-xb ]
#     ip xfrm: out SA and policy             veil: the same SA, inbound
#     lo 10.89.1.1 (tunnel inner)            dummy 10.89.2.1 (tunnel inner)
#
# For each algorithm and mode: ping from xa to xb and a 10 MB TCP transfer
# whose SHA-256 must match, the replies and ACKs going back in clear (veil
# has no output path yet). veil's counters must show the packets. Then a
# wrong key is an integrity failure, and an SPI veil does not own is left
# to the kernel.

. "$(dirname "$0")/lib.sh"

A=veil-xa
B=veil-xb
SPI=0x4242
PORT=5201
DATA=$(mktemp)
v() { "$VEIL" -n "$B" "$@"; }

cleanup() {
	ip netns del "$A" 2>/dev/null
	ip netns del "$B" 2>/dev/null
	rm -f "$OUT" "$DATA" "$DATA.got"
}
trap cleanup EXIT

setup() {
	ip netns add "$A" && ip netns add "$B" &&
	ip -n "$A" link add eth0 type veth peer name eth0 netns "$B" &&
	ip -n "$A" addr add 10.89.0.1/24 dev eth0 &&
	ip -n "$B" addr add 10.89.0.2/24 dev eth0 &&
	ip -n "$A" link set eth0 up && ip -n "$B" link set eth0 up &&
	ip -n "$A" link set lo up && ip -n "$B" link set lo up &&
	ip -n "$A" addr add 10.89.1.1/32 dev lo &&
	ip -n "$B" link add inner type dummy && ip -n "$B" link set inner up &&
	ip -n "$B" addr add 10.89.2.1/32 dev inner &&
	ip -n "$A" route add 10.89.2.0/24 via 10.89.0.2 src 10.89.1.1 &&
	ip -n "$B" route add 10.89.1.0/24 via 10.89.0.1 &&
	dd if=/dev/urandom of="$DATA" bs=1M count=10 status=none
}

# sa MODE ALGO...: the same SA in both places, XFRM's outbound on xa.
sa() {
	local mode=$1
	shift
	ip -n "$A" xfrm state add src 10.89.0.1 dst 10.89.0.2 proto esp spi $SPI \
		reqid 1 mode "$mode" "$@" replay-window 64 &&
	v sa add src 10.89.0.1 dst 10.89.0.2 proto esp spi $SPI reqid 1 \
		mode "$mode" "$@" replay-window 64
}

policy() {
	if [ "$1" = tunnel ]; then
		ip -n "$A" xfrm policy add src 10.89.1.0/24 dst 10.89.2.0/24 dir out \
			tmpl src 10.89.0.1 dst 10.89.0.2 proto esp reqid 1 mode tunnel
	else
		ip -n "$A" xfrm policy add src 10.89.0.1 dst 10.89.0.2 dir out \
			tmpl src 10.89.0.1 dst 10.89.0.2 proto esp reqid 1 mode transport
	fi
}

clear_sas() {
	ip -n "$A" xfrm policy flush; ip -n "$A" xfrm state flush
	v sa flush
}

# packets: the packet counter of veil's SA.
packets() {
	v -j -s sa get src 10.89.0.1 dst 10.89.0.2 proto esp spi $SPI |
		"$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["stats"]["'"${1:-packets}"'"])'
}

# tcp_transfer DST: 10 MB from xa to xb, compared by SHA-256.
tcp_transfer() {
	local dst=$1 src=10.89.0.1
	[ "$dst" = 10.89.2.1 ] && src=10.89.1.1
	rm -f "$DATA.got"
	ip netns exec "$B" "$PYTHON" -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(1); s.settimeout(60)
c, _ = s.accept(); c.settimeout(60)
with open(sys.argv[3], "wb") as f:
    while True:
        b = c.recv(1 << 16)
        if not b: break
        f.write(b)
' "$dst" $PORT "$DATA.got" &
	local srv=$!
	sleep 0.5
	ip netns exec "$A" "$PYTHON" -c '
import socket, sys
c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=60,
                             source_address=(sys.argv[4], 0))
c.sendall(open(sys.argv[3], "rb").read()); c.close()
' "$dst" $PORT "$DATA" "$src" || { kill $srv 2>/dev/null; return 1; }
	wait $srv || return 1
	[ "$(sha256sum < "$DATA" | cut -d' ' -f1)" = "$(sha256sum < "$DATA.got" | cut -d' ' -f1)" ] ||
		{ echo "the 10 MB arrived different"; return 1; }
}

# interop MODE ALGO...: ping and 10 MB through XFRM -> veil.
interop() {
	local mode=$1 dst=10.89.0.2 n
	[ "$mode" = tunnel ] && dst=10.89.2.1
	clear_sas
	sa "$@" && policy "$mode" || return 1
	ip netns exec "$A" ping -q -c 3 -i 0.2 -W 2 "$dst" ||
		{ echo "no ping through ${*}"; return 1; }
	tcp_transfer "$dst" || return 1
	n=$(packets) || return 1
	[ "$n" -ge 1000 ] || { echo "veil counted $n packets"; return 1; }
	echo "veil decrypted $n packets"
}

K16=0x000102030405060708090a0b0c0d0e0f
K20=0x000102030405060708090a0b0c0d0e0f10111213
K36=0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20212223
K32=0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f

ktap_print_header
ktap_set_plan 14

check "two namespaces joined by veth" setup

for mode in transport tunnel; do
	check "$mode, rfc4106(gcm(aes)) 128-bit key: ping and 10 MB TCP from XFRM" \
		interop $mode aead 'rfc4106(gcm(aes))' $K20 128
	check "$mode, rfc4106(gcm(aes)) 256-bit key, 96-bit ICV" \
		interop $mode aead 'rfc4106(gcm(aes))' $K36 96
	check "$mode, rfc7539esp(chacha20,poly1305)" \
		interop $mode aead 'rfc7539esp(chacha20,poly1305)' $K36 128
	check "$mode, cbc(aes) with hmac(sha256) 128" \
		interop $mode enc 'cbc(aes)' $K16 auth-trunc 'hmac(sha256)' $K32 128
	check "$mode, ecb(cipher_null) with hmac(sha256) 128" \
		interop $mode enc 'ecb(cipher_null)' '' auth-trunc 'hmac(sha256)' $K32 128
done

esn() {
	interop transport aead 'rfc4106(gcm(aes))' $K20 128 flag esn
}
check "transport, rfc4106(gcm(aes)) with ESN" esn

wrong_key() {
	clear_sas
	ip -n "$A" xfrm state add src 10.89.0.1 dst 10.89.0.2 proto esp spi $SPI \
		reqid 1 mode transport aead 'rfc4106(gcm(aes))' $K20 128 &&
	v sa add src 10.89.0.1 dst 10.89.0.2 proto esp spi $SPI reqid 1 \
		mode transport aead 'rfc4106(gcm(aes))' 0xff0102030405060708090a0b0c0d0e0f10111213 128 &&
	policy transport || return 1
	! ip netns exec "$A" ping -q -c 3 -i 0.2 -W 1 10.89.0.2 || { echo "ping passed a wrong key"; return 1; }
	n=$(packets integrity-failures) && [ "$n" -ge 3 ] ||
		{ echo "integrity failures: $n"; return 1; }
	[ "$(packets)" = 0 ] || { echo "a packet with a bad ICV was counted as received"; return 1; }
}
check "a wrong key is an integrity failure: dropped and counted" wrong_key

not_ours() {
	clear_sas
	# The kernel's own SA in xb, veil has none: XFRM must still work.
	ip -n "$A" xfrm state add src 10.89.0.1 dst 10.89.0.2 proto esp spi $SPI \
		reqid 1 mode transport aead 'rfc4106(gcm(aes))' $K20 128 &&
	ip -n "$B" xfrm state add src 10.89.0.1 dst 10.89.0.2 proto esp spi $SPI \
		reqid 1 mode transport aead 'rfc4106(gcm(aes))' $K20 128 &&
	policy transport &&
	ip netns exec "$A" ping -q -c 3 -i 0.2 -W 2 10.89.0.2 || return 1
	ip -n "$B" xfrm state flush
}
check "ESP for an SPI veil does not own goes to the kernel's XFRM" not_ours

ktap_finished

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Inbound ESP in the cases a working pair of peers never shows: XFRM
# protects what veil-xa sends, veil alone decrypts it in veil-xb (replies
# go back in clear); topology in esp_lib.sh. A wrong key is an integrity
# failure; a replayed packet, a tampered one and sequence number 0 are
# dropped and counted; hand-made packets with bad padding, a lying pad
# length or truncated are dropped and counted; XFRM's TFC padding is
# removed; an SPI veil does not own is left to the kernel. esp.sh covers traffic both ways.

. "$(dirname "$0")/lib.sh"

A=veil-xa
B=veil-xb
. "$(dirname "$0")/esp_lib.sh"

# sa MODE ALGO...: the same SA in both places, XFRM's outbound on xa.
sa() {
	local mode=$1
	shift
	ip -n "$A" xfrm state add src $OA dst $OB proto esp spi $SPI \
		reqid 1 mode "$mode" "$@" replay-window 64 "${SEL[@]}" &&
	v sa add src $OA dst $OB proto esp spi $SPI reqid 1 \
		mode "$mode" "$@" replay-window 64 "${SEL[@]}" &&
	v_in_policy "$mode"
}

# v_in_policy MODE: veil's in policy that lets what the SA decrypts in.
v_in_policy() {
	if [ "$1" = tunnel ]; then
		v policy add src $IA dst $IB dir in \
			tmpl src $OA dst $OB proto esp reqid 1 mode tunnel
	else
		v policy add src $OA dst $OB dir in \
			tmpl src $OA dst $OB proto esp reqid 1 mode transport
	fi
}

policy() {
	if [ "$1" = tunnel ]; then
		ip -n "$A" xfrm policy add src $IA dst $IB dir out \
			tmpl src $OA dst $OB proto esp reqid 1 mode tunnel
	else
		ip -n "$A" xfrm policy add src $OA dst $OB dir out \
			tmpl src $OA dst $OB proto esp reqid 1 mode transport
	fi
}

clear_sas() {
	ip -n "$A" xfrm policy flush; ip -n "$A" xfrm state flush
	v policy flush; v sa flush
}

# packets [COUNTER]: a counter of veil's SA (packets by default).
packets() {
	v -s sa get src $OA dst $OB proto esp spi $SPI | sa_counter "${1:-packets}"
}

ktap_print_header
ktap_set_plan 6

check "two namespaces joined by veth" setup

wrong_key() {
	family 4
	clear_sas
	ip -n "$A" xfrm state add src 10.89.0.1 dst 10.89.0.2 proto esp spi $SPI \
		reqid 1 mode transport aead 'rfc4106(gcm(aes))' $K20 128 &&
	v sa add src 10.89.0.1 dst 10.89.0.2 proto esp spi $SPI reqid 1 \
		mode transport aead 'rfc4106(gcm(aes))' 0xff0102030405060708090a0b0c0d0e0f10111213 128 &&
	v_in_policy transport && policy transport || return 1
	! ip netns exec "$A" ping -q -c 3 -i 0.2 -W 1 10.89.0.2 || { echo "ping passed a wrong key"; return 1; }
	n=$(packets integrity-failures) && [ "$n" -ge 3 ] ||
		{ echo "integrity failures: $n"; return 1; }
	[ "$(packets)" = 0 ] || { echo "a packet with a bad ICV was counted as received"; return 1; }
}
check "a wrong key is an integrity failure: dropped and counted" wrong_key

# frame_capture: the first IPv4 ESP frame xb receives, as hex, on stdout.
# It runs in the background, so the caller removes $DATA.ready first:
# removed in here, a stale file from the case before could pass
# capture_ready before the socket is bound.
frame_capture() {
	ip netns exec "$B" timeout 20 "$PYTHON" -c '
import socket, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
s.bind(("eth0", 0))
open(sys.argv[1], "w").close()
while True:
    f, addr = s.recvfrom(65535)
    if addr[2] == socket.PACKET_HOST and f[12:14] == b"\x08\x00" and f[23] == 50:
        print(f.hex()); break
' "$DATA.ready"
}

# capture_ready: frame_capture's socket is bound (Python takes a second
# or more to start under TCG, more on a busy host).
capture_ready() {
	local i
	for i in $(seq 100); do
		[ -e "$DATA.ready" ] && return 0
		nap 0.1
	done
	echo "the capture did not start"
	return 1
}

# frame_send HEX [SEQ [FLIP]]: send a frame from xa's eth0, optionally with
# a new ESP sequence number and one bit of the ciphertext flipped.
frame_send() {
	ip netns exec "$A" "$PYTHON" -c '
import socket, struct, sys
f = bytearray.fromhex(sys.argv[1])
esp = 14 + (f[14] & 15) * 4
if len(sys.argv) > 2:
    struct.pack_into("!I", f, esp + 4, int(sys.argv[2]))
if len(sys.argv) > 3:
    f[esp + 8 + 8 + 4] ^= 0x10
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("eth0", 0))
s.send(bytes(f))
' "$@"
}

# counter_is NAME WANT: veil's SA counter NAME reaches WANT within 2 s.
counter_is() {
	local i got
	for i in 1 2 3 4 5 6 7 8 9 10; do
		got=$(packets "$1") && [ "$got" = "$2" ] && return 0
		nap 0.2
	done
	echo "$1 is $got, not $2"
	return 1
}

replay_and_tamper() {
	local frame cap
	family 4
	clear_sas
	sa transport aead 'rfc4106(gcm(aes))' $K20 128 && policy transport || return 1
	rm -f "$DATA.ready"
	frame_capture > "$DATA.frame" &
	cap=$!
	capture_ready || return 1
	ip netns exec "$A" ping -q -c 2 -i 0.3 -W 2 10.89.0.2 || return 1
	wait $cap || { echo "no ESP frame captured"; return 1; }
	frame=$(cat "$DATA.frame")
	counter_is packets 2 && counter_is replay-drops 0 || return 1
	# The same packet again: a replay.
	frame_send "$frame" && counter_is replay-drops 1 || return 1
	# A new sequence number the ICV does not cover: an integrity failure.
	frame_send "$frame" 1000 && counter_is integrity-failures 1 || return 1
	# A flipped bit in the ciphertext, under a fresh number: the same.
	frame_send "$frame" 1001 flip && counter_is integrity-failures 2 || return 1
	# Number 0 is never sent; far below the window is too old.
	frame_send "$frame" 0 && counter_is replay-drops 2 || return 1
	counter_is packets 2 || return 1
	# Genuine traffic still flows.
	ip netns exec "$A" ping -q -c 2 -i 0.3 -W 2 10.89.0.2 && counter_is packets 4 || return 1
	# sa-update (as veil-iked's after a NAT rebinding) keeps the window:
	# the first packet is still a replay, and the counters go on.
	v sa update src $OA dst $OB proto esp spi $SPI reqid 1 mode transport \
		aead 'rfc4106(gcm(aes))' $K20 128 replay-window 64 || return 1
	frame_send "$frame" && counter_is replay-drops 3 && counter_is packets 4 || return 1
	ip netns exec "$A" ping -q -c 2 -i 0.3 -W 2 10.89.0.2 && counter_is packets 6
}
check "a replayed packet and tampered ones are dropped and counted, also after sa update" replay_and_tamper

# TFC padding (RFC 4303 2.7): XFRM pads tunnelled packets to 1000 bytes
# with zeros after the inner packet; veil must hand on only the packet.
tfc() {
	local cap n
	family 4
	clear_sas
	ip -n "$A" xfrm state add src $OA dst $OB proto esp spi $SPI reqid 1 \
		mode tunnel aead 'rfc4106(gcm(aes))' $K20 128 tfcpad 1000 &&
	v sa add src $OA dst $OB proto esp spi $SPI reqid 1 mode tunnel \
		aead 'rfc4106(gcm(aes))' $K20 128 &&
	v_in_policy tunnel && policy tunnel || return 1
	rm -f "$DATA.ready"
	frame_capture > "$DATA.frame" &
	cap=$!
	capture_ready || return 1
	ip netns exec "$A" ping -q -c 3 -i 0.2 -W 2 -I $IS $IT || return 1
	wait $cap || { echo "no ESP frame captured"; return 1; }
	# The ping (84 bytes inside) went out padded to 1000.
	n=$(( $(wc -c < "$DATA.frame") / 2 ))
	[ "$n" -gt 1000 ] || { echo "the ESP frame is $n bytes: no TFC padding"; return 1; }
	DATA_FILE=$(one_mb) tcp_transfer $IS $IT
}
check "tunnel with XFRM's TFC padding: the padding is dropped, the packet kept" tfc

# crafted KIND:SEQ...: hand-made ESP packets from xa to veil's SA in xb.
crafted() {
	ip netns exec "$A" "$PYTHON" "$(dirname "$0")/esp_craft.py" $OB $SPI $K20 "$@"
}

bad_packets() {
	family 4
	clear_sas
	sa transport aead 'rfc4106(gcm(aes))' $K20 128 || return 1
	# Every kind lands on a counter of its own, so one batch tells them
	# apart: two valid ones (the crafting itself is right), bad padding
	# and a lying pad length (bad-padding 2), a truncated packet
	# (other-drops 1), and a dummy packet, dropped quietly: nothing
	# counted but the window, so the valid one after it is no replay.
	crafted valid:1 badpad:2 padlen:3 short:4 dummy:5 valid:6 || return 1
	nap 0.5
	counter_is packets 2 && counter_is bad-padding 2 && counter_is other-drops 1 &&
	counter_is replay-drops 0 && counter_is integrity-failures 0 || return 1
	v stats > "$OUT.st"
	[ "$(ns_counter bad-padding < "$OUT.st")" -ge 2 ] &&
	[ "$(ns_counter other-drops < "$OUT.st")" -ge 1 ] || { cat "$OUT.st"; return 1; }
}
check "hand-made packets: bad padding, a lying pad length, a truncated packet, a dummy" bad_packets

not_ours() {
	family 4
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

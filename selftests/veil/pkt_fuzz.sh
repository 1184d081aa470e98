#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Malformed packets at veil (pkt_fuzz): ESP (rfc4106(gcm(aes)), cbc(aes)
# with hmac(sha256), ESN; transport mode, and tunnel mode with malformed
# inner packets), AH (IPv4, and IPv6 behind extension headers) and
# UDP-encapsulated ESP over IPv4 and IPv6, written as whole
# frames on veil-pa's end of the veth, and TLS records over TCP to a
# socket with veil's TLS RX. veil-pb holds the SAs; veil is what receives.
#
#   [ veil-pa ] 10.95.0.1  ------ veth ------  10.95.0.2     [ veil-pb ]
#               fd00:95::1                     fd00:95::2
#   lo 10.95.1.1                               .24  gcm 0x1000, esn 0x10000
#   (tunnel inner)                             .40  cbc+hmac 0x2000
#                                              .72  ah 0x4000
#                                              .136 gcm in UDP 4500 0x8000
#                                              .12  gcm tunnel 0x20000: inner
#                                                   10.95.3.0/25 -> 10.95.2.1
#                                              fd00:95::48 ah 0x40000
#                                              fd00:95::88 gcm 0x80000
#                                              fd00:95::28 gcm in UDP 4500
#                                                          0x100000
#                                              dummy 10.95.2.1 (tunnel inner)
#
# A neighbour entry in veil-pb stands in for neighbour discovery, which
# the IPv6 SAs' policies (all traffic from fd00:95::1 protected) would
# drop.
# The fuzzed SAs exist in veil-pb only, one per address, their policies
# transport mode from 10.95.0.1 but for .12's: tunnel mode, its policy
# 10.95.3.0/24 to 10.95.2.1, its SA's selector only half of that (the
# inner class sends the other half, which must not arrive); the
# addresses are two bits apart, as are
# the SPIs, so no single flipped bit turns one SA's packet into another's.
# Valid traffic has an SA pair of its own, tunnel mode between the lo and
# dummy addresses (veil at both ends): a TCP transfer and a ping run
# through it while the fuzzer works, and the "forged" class aims at its
# inbound SA (the shared SA) with packets that must not move its window.
# A TLS 1.3 connection with veil's RX carries a record every 100 ms
# meanwhile.
#
# Per class, every packet must be dropped and counted, once: the sum of
# the counters below must grow by what was sent, less what pkt_fuzz saw
# arrive, and only mutations that leave a valid packet (fields no ICV
# covers) may arrive. The counters, all in veil-pb:
#
#   veil stats:   replay-drops integrity-failures bad-padding policy-drops
#                 cleartext-drops other-drops (and no-sa blocked too-big
#                 expired, which must stay 0); the drop counters of the
#                 SAs are the same drops, per SA
#   veil encap:   other-packets (not ESP on port 4500: too short for it)
#   Ip, IpExt:    InHdrErrors InAddrErrors InUnknownProtos InDiscards
#                 InTruncatedPkts InNoRoutes ReasmReqds (each fragment a
#                 flip or the inner class makes; that all end in
#                 ReasmFails is checked last)
#   Ip6:          InHdrErrors InAddrErrors InUnknownProtos InDiscards
#                 InTruncatedPkts InNoRoutes
#   Udp, Udp6:    InErrors NoPorts
#   xfrm_stat:    every XfrmIn* (SPIs neither veil nor XFRM has: esp4's
#                 and ah4's XfrmInNoStates, XfrmInHdrError); pkt_fuzz
#                 knows which packets go there and checks it, and stands
#                 in for it where the kernel has no XFRM_STATISTICS
#   rt_cache:     in_martian_src (a source flipped to the subnet's
#                 broadcast address has no SNMP counter)
#   eth0:         rx_dropped
#
# What lands where, by class:
#   valid    none dropped: all arrive (the crafting is right)
#   trunc    every length: xfrm (< 8 bytes of ESP), other-drops (shorter
#            than header, IV, trailer and ICV), integrity-failures; UDP:
#            Udp or Udp6 InErrors (no whole UDP header), encap
#            other-packets
#   lengths  IP length over the frame: InTruncatedPkts (Ip6's for udp6),
#            under 20: InHdrErrors; shorter: trimmed, then as trunc; UDP
#            length: Udp InErrors, or trimmed; udp6's UDP length 0 is
#            taken as the payload length (IPv6 UDP's jumbogram rule) and
#            arrives
#   spi      unknown SPIs: XfrmInNoStates (SPI 0: XfrmInHdrError or
#            veil's encap other-packets); other SAs' SPIs: their
#            integrity-failures, or other-drops (ESP in UDP to a plain SA)
#   seq      replays, old numbers, 0: replay-drops; random numbers under
#            a bad ICV: replay-drops or integrity-failures; the first,
#            valid, arrives
#   forged   the shared SA: replay-drops or integrity-failures
#   flip     every bit and byte after the IP header: integrity-failures,
#            replay-drops (the sequence number), XfrmInNoStates (the SPI),
#            other-drops (AH lengths); UDP header: cleartext-drops (its
#            destination port), InErrors (its checksum, its length) and
#            arrivals (the source port); udp6: the UDP checksum made
#            right after each flip but those in it (Udp6 InErrors), and
#            one packet with no checksum (0), which arrives: veil's own
#            encap socket, like every udp_tunnel socket, has no_check6_rx
#            (a socket a daemon hands over would count Udp6 InErrors)
#   ipflip   every bit and byte of the IPv4 header, its checksum fixed:
#            InHdrErrors (version, IHL, checksum), InTruncatedPkts,
#            InAddrErrors (destination), policy-drops or in_martian_src
#            (source),
#            InUnknownProtos and cleartext-drops (protocol), ReasmFails
#            (fragment flags and offset, after ipfrag_time), arrivals (TOS,
#            TTL, DF, reserved flag; identification but for AH; in tunnel
#            mode the source: the SA is found by destination and SPI, the
#            policy checked on the inner packet, as XFRM does)
#   pad      under a valid ICV: bad-padding; unknown next header:
#            InUnknownProtos (tunnel mode: other-drops); extra well-formed
#            padding arrives
#   ahlen    AH payload length: other-drops
#   random   all of the above at once
#   inner    tunnel mode, a valid ICV and sequence number around an inner
#            packet that is not: version 0, 5, 6, 7, 15 under next header
#            4, nothing after the ESP header, 1-19 bytes, IPv4 under 41 or
#            IPv6 under 4: other-drops (veil's decapsulation); IHL under
#            5 or past the packet, total length under 20, a bad header
#            checksum: InHdrErrors; total length over the packet:
#            InTruncatedPkts; cutting into the datagram: Udp InErrors
#            (other-drops when the UDP ports are cut off too); unknown
#            protocol: InUnknownProtos; the outer source or destination
#            inside, another tunnel's source, a source outside the SA's
#            selector, IPv6 under 41: policy-drops; a destination not
#            ours: InAddrErrors; a lone first, middle or last fragment:
#            ReasmReqds; and the valid inner packet arrives
#   ext6     AH over IPv6 behind hop-by-hop and destination options:
#            mutable option data, traffic class, flow label, hop limit
#            changed arrive; an option's type, length or immutable data:
#            integrity-failures; an option overrunning its header: Ip6
#            InHdrErrors
#   esp6     ESP over IPv6, sometimes behind destination options: cut
#            short, payload length lying (Ip6 InTruncatedPkts), a bit
#            flipped, an option overrunning its header, a random number
#            under a bad ICV
#   tls12, tls13  one connection per record; a valid record arrives, then
#            the malformed one fails the read with EBADMSG
#            (tls-decrypt-errors), cut short by the end of the stream too
#
# The run's seed is printed; VEIL_PKT_FUZZ_SEED replays it. VEIL_DEBUG=1
# (make check-debug) sends more than 100,000.

. "$(dirname "$0")/lib.sh"

A=veil-pa
B=veil-pb
FUZZ=$VEIL_BUILD/selftests/veil/pkt_fuzz
XFER=$VEIL_BUILD/selftests/veil/tcp_xfer
SEED=${VEIL_PKT_FUZZ_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
MAC_A=02:00:00:95:00:01 MAC_B=02:00:00:95:00:02
K16=0x000102030405060708090a0b0c0d0e0f
K20=0x101112131415161718191a1b1c1d1e1f20212223
K32=0x303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f
KV=0x505152535455565758595a5b5c5d5e5f60616263
DATA=$(mktemp)
PIDS=()

if [ "${VEIL_DEBUG:-0}" = 1 ]; then
	N=2000 NRAND=14000 NTLS=600 SPARSE=
else
	N=40 NRAND=200 NTLS=20 SPARSE=--sparse
fi

cleanup() {
	[ ${#PIDS[@]} -gt 0 ] && kill "${PIDS[@]}" 2>/dev/null && wait 2>/dev/null
	ip netns del $A 2>/dev/null
	ip netns del $B 2>/dev/null
	rm -f "$OUT" "$OUT".* "$DATA" "$DATA".*
}
trap cleanup EXIT

a() { ip netns exec $A "$@"; }
b() { ip netns exec $B "$@"; }

# One ip -batch per namespace: a process costs a tenth of a second under TCG.
setup() {
	modprobe -a esp4 ah4 esp6 ah6 &&
	ip netns add $A && ip netns add $B || return 1
	ip -n $A -batch - <<-EOF || return 1
	link add eth0 address $MAC_A type veth peer name eth0 netns $B address $MAC_B
	addr add 10.95.0.1/24 dev eth0
	addr add 10.95.1.1/32 dev lo
	addr add fd00:95::1/64 dev eth0 nodad
	link set eth0 up
	link set lo up
	route add 10.95.2.0/24 via 10.95.0.2 src 10.95.1.1
	EOF
	ip -n $B -batch - <<-EOF || return 1
	addr add 10.95.0.2/24 dev eth0
	addr add 10.95.0.24/32 dev eth0
	addr add 10.95.0.40/32 dev eth0
	addr add 10.95.0.72/32 dev eth0
	addr add 10.95.0.136/32 dev eth0
	addr add 10.95.0.12/32 dev eth0
	addr add fd00:95::2/64 dev eth0 nodad
	addr add fd00:95::28/128 dev eth0 nodad
	addr add fd00:95::48/128 dev eth0 nodad
	addr add fd00:95::88/128 dev eth0 nodad
	neigh add fd00:95::1 lladdr $MAC_A dev eth0 nud permanent
	link set eth0 up
	link set lo up
	link add inner type dummy
	link set inner up
	addr add 10.95.2.1/32 dev inner
	route add 10.95.1.0/24 via 10.95.0.1
	route add 10.95.3.0/24 via 10.95.0.1
	EOF
	# A fragment made by a flipped flag is given up on within a second.
	b sysctl -qw net.ipv4.ipfrag_time=1 &&
	head -c 262144 /dev/urandom > "$DATA"
}

# The fuzzed SAs and their policies in $B, the valid pair in both.
sas() {
	local t="src 10.95.0.1" m="mode transport replay-window 64"
	{ valid_pair in out; cat <<-EOF; } | "$VEIL" -n $B -batch - || return 1
	encap add port 4500
	encap add port 4500 family inet6
	sa add $t dst 10.95.0.24 proto esp spi 0x1000 reqid 10 $m aead rfc4106(gcm(aes)) $K20 128
	sa add $t dst 10.95.0.24 proto esp spi 0x10000 reqid 11 $m aead rfc4106(gcm(aes)) $K20 128 flag esn replay-seq 0xffffff00
	sa add $t dst 10.95.0.40 proto esp spi 0x2000 reqid 20 $m enc cbc(aes) $K16 auth-trunc hmac(sha256) $K32 128
	sa add $t dst 10.95.0.72 proto ah spi 0x4000 reqid 30 $m auth-trunc hmac(sha256) $K32 128
	sa add $t dst 10.95.0.136 proto esp spi 0x8000 reqid 40 $m aead rfc4106(gcm(aes)) $K20 128 encap espinudp 4500 4500 0.0.0.0
	sa add src fd00:95::1 dst fd00:95::48 proto ah spi 0x40000 reqid 60 $m auth-trunc hmac(sha256) $K32 128
	sa add src fd00:95::1 dst fd00:95::88 proto esp spi 0x80000 reqid 70 $m aead rfc4106(gcm(aes)) $K20 128
	sa add src fd00:95::1 dst fd00:95::28 proto esp spi 0x100000 reqid 80 $m aead rfc4106(gcm(aes)) $K20 128 encap espinudp 4500 4500 ::
	sa add $t dst 10.95.0.12 proto esp spi 0x20000 reqid 50 mode tunnel replay-window 64 aead rfc4106(gcm(aes)) $K20 128 sel src 10.95.3.0/25 dst 10.95.2.1
	policy add $t dst 10.95.0.24 dir in tmpl $t dst 10.95.0.24 proto esp mode transport
	policy add $t dst 10.95.0.40 dir in tmpl $t dst 10.95.0.40 proto esp mode transport
	policy add $t dst 10.95.0.72 dir in tmpl $t dst 10.95.0.72 proto ah mode transport
	policy add $t dst 10.95.0.136 dir in tmpl $t dst 10.95.0.136 proto esp mode transport
	policy add src fd00:95::1 dst fd00:95::48 dir in tmpl src fd00:95::1 dst fd00:95::48 proto ah mode transport
	policy add src fd00:95::1 dst fd00:95::88 dir in tmpl src fd00:95::1 dst fd00:95::88 proto esp mode transport
	policy add src fd00:95::1 dst fd00:95::28 dir in tmpl src fd00:95::1 dst fd00:95::28 proto esp mode transport
	policy add src 10.95.3.0/24 dst 10.95.2.1 dir in tmpl $t dst 10.95.0.12 proto esp reqid 50 mode tunnel
	EOF
	valid_pair out in | "$VEIL" -n $A -batch -
}

# valid_pair DIR(A to B) DIR(B to A): the tunnel pair for real traffic,
# as veil -batch lines.
valid_pair() {
	local ab="src 10.95.0.1 dst 10.95.0.2" ba="src 10.95.0.2 dst 10.95.0.1"
	cat <<-EOF
	sa add $ab proto esp spi 0x100 reqid 1 mode tunnel replay-window 64 aead rfc4106(gcm(aes)) $KV 128
	sa add $ba proto esp spi 0x200 reqid 2 mode tunnel replay-window 64 aead rfc4106(gcm(aes)) $KV 128
	policy add src 10.95.1.0/24 dst 10.95.2.0/24 dir $1 tmpl $ab proto esp reqid 1 mode tunnel
	policy add src 10.95.2.0/24 dst 10.95.1.0/24 dir $2 tmpl $ba proto esp reqid 2 mode tunnel
	EOF
}

# fuzz ARGS...: pkt_fuzz from $B into $A's end of the veth, its KTAP
# kept for the report.
fuzz() {
	b "$FUZZ" --tx-netns /run/netns/$A --dev eth0 --dmac $MAC_B --src 10.95.0.1 \
		--src6 fd00:95::1 --seed "$SEED" --count $N --random $NRAND $SPARSE ${PKT_FUZZ_ARGS:-} "$@" > "$OUT.fuzz" 2>&1
	local rc=$?
	cat "$OUT.fuzz" >> "$DATA.report"
	[ $rc -eq 0 ] || { echo "pkt_fuzz (seed $SEED):"; cat "$OUT.fuzz"; return 1; }
}

# The classes every SA gets; pad for ESP, ahlen for AH. ipflip early: the
# fragments it makes are given up on while the rest runs.
C=valid,ipflip,trunc,lengths,spi,seq,flip

# tun's inner packets go from 10.95.3.1 (veil-pb routes 10.95.3.0/24 back
# to veil-pa, so no reverse-path check is what drops them) to the dummy;
# the aliens are sources its SA must not carry: the valid pair's, and one
# its policy allows but its selector does not. No ipflip for udp6: it is
# IPv4's header.
ipsec_fuzz() {
	fuzz --other gcm:0x1000:10.95.0.24 --other gcm:0x10000:10.95.0.24 --other cbc:0x2000:10.95.0.40:$K16:$K32 \
		--other ah:0x4000:10.95.0.72:$K32 --other udp:0x8000:10.95.0.136:$K20 \
		--other tun:0x20000:10.95.0.12:$K20 --other esp6:0x80000:$K20:fd00:95::88 \
		--other udp6:0x100000:$K20:fd00:95::28 \
		--inner-src 10.95.3.1 --inner-dst 10.95.2.1 --inner-dst6 fd00:95::2 \
		--inner-alien 10.95.1.1 --inner-alien 10.95.3.200 \
		--sa gcm:0x1000:10.95.0.24:$K20 --classes $C,pad,random \
		--sa cbc:0x2000:10.95.0.40:$K16:$K32 --classes $C,pad,random \
		--sa esn-gcm:0x10000:10.95.0.24:$K20 --seq 0xffffff01 --classes $C,random \
		--sa ah:0x4000:10.95.0.72:$K32 --classes $C,ahlen,random \
		--sa udp:0x8000:10.95.0.136:$K20 --classes $C,pad,random \
		--sa tun:0x20000:10.95.0.12:$K20 --classes inner,$C,pad,random \
		--sa udp6:0x100000:$K20:fd00:95::28 --classes ${C/ipflip,/},pad,random \
		--sa ah6:0x40000:$K32:fd00:95::48 --classes ext6 \
		--sa esp6:0x80000:$K20:fd00:95::88 --classes esp6 \
		--sa gcm:0x100:10.95.0.2:$KV --classes forged
}

tls_fuzz() {
	fuzz --tls-dst 10.95.0.2 --tls-port 7443 --count $NTLS --classes tls12,tls13
}

# Valid traffic through veil while it is fuzzed: a TCP transfer and a ping
# through the tunnel pair, and a TLS connection.
valid_start() {
	# 256 KB transfers, two seconds apart, until the fuzzing is over: TCG
	# has one CPU for them and the fuzzing both.
	(
		n=0
		while [ ! -e "$DATA.stop" ]; do
			"$XFER" $A 10.95.1.1 $B 10.95.2.1 $((5301 + n % 100)) "$DATA" || exit 1
			n=$((n + 1))
			echo $n > "$DATA.xfers"
			for i in 1 2 3 4; do [ -e "$DATA.stop" ] || nap 0.5; done
		done
	) > "$DATA.xfer" 2>&1 &
	XFER_PID=$!
	# Not through a function: the signals that end them must reach them.
	ip netns exec $A ping -q -i 0.2 -W 2 -I 10.95.1.1 10.95.2.1 > "$DATA.ping" 2>&1 &
	PING_PID=$!
	PIDS+=($XFER_PID $PING_PID)
	ip netns exec $B "$FUZZ" --tx-netns /run/netns/$A --dev eth0 --dmac $MAC_B --src 10.95.0.1 \
		--tls-dst 10.95.0.2 --tls-port 7444 --seed "$SEED" --count 1000000 \
		--classes tlsstream > "$DATA.tls" 2>&1 &
	TLS_PID=$!
	PIDS+=($TLS_PID)
	wait_for 50 grep -q 'tls stream up' "$DATA.tls" ||
		{ echo "the TLS stream did not start:"; cat "$DATA.tls"; return 1; }
}

valid_end() {
	local rc=0 tx rx
	touch "$DATA.stop"
	wait $XFER_PID || { echo "the TCP transfer beside the fuzzing failed:"; cat "$DATA.xfer"; rc=1; }
	kill -TERM $TLS_PID; wait $TLS_PID || {
		echo "the TLS stream beside the fuzzing failed:"; cat "$DATA.tls"; rc=1; }
	kill -INT $PING_PID; wait $PING_PID
	# Every echo but those in flight when ping stopped was answered.
	read -r tx rx <<< "$(awk '/packets transmitted/ { print $1, $4 }' "$DATA.ping")"
	[ -n "$rx" ] && [ $((tx - rx)) -le 1 ] && [ "$rx" -gt 0 ] ||
		{ echo "ping beside the fuzzing:"; cat "$DATA.ping"; rc=1; }
	echo "beside it: $(cat "$DATA.xfers" 2>/dev/null || echo 0) times 256 KB over TCP, ping $rx/$tx," \
		"$(grep -o '[0-9]* records' "$DATA.tls" | head -1) over TLS" >> "$DATA.report"
	return $rc
}

ktap_print_header
ktap_set_plan 6

echo "# seed $SEED (VEIL_PKT_FUZZ_SEED=$SEED replays it)"
check "two namespaces joined by veth, esp4, ah4, esp6 and ah6 loaded" setup
check "fuzzed SAs in veil-pb, a valid tunnel pair at both ends" sas
check "valid traffic starts: TCP, ping, TLS 1.3 with veil's RX" valid_start
check "ESP (gcm, cbc+hmac, ESN, tunnel), AH, ESP in UDP over IPv4 and IPv6: every malformed packet dropped and counted" ipsec_fuzz
check "TLS 1.2 and 1.3: every malformed record fails its connection, counted" tls_fuzz
check "the valid traffic beside the fuzzing kept flowing" valid_end
grep -v '^\(TAP\|1\.\.\)' "$DATA.report" | sed 's/^/# /'
echo "# $(awk '/malformed packets and records/ { s += $2 } END { print s + 0 }' "$DATA.report") malformed packets and records in all"

ktap_finished

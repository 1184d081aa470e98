#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What the SPD does to real packets, and what SAs do at their limits,
# with veil in veil-sb and the kernel's own XFRM in veil-sa as the peer
# (topology in esp_lib.sh):
#
#  - a decrypted packet that no in policy allows for its SA is dropped
#    and counted (policy-drops), and so is a packet that arrives in clear
#    where a policy requires ESP (cleartext-drops);
#  - a block policy drops; a policy whose SA is missing drops and raises
#    one acquire-ntf per flow, not one per packet (no-sa);
#  - ESN SAs started just below 2^32 keep working across it, both ways;
#    a non-ESN SA stops after 2^32-1 with a hard expiry (expired);
#  - byte limits raise the soft, then the hard expiry from traffic.

. "$(dirname "$0")/lib.sh"

A=veil-sa
B=veil-sb
. "$(dirname "$0")/esp_lib.sh"

SPI_AB=0x1001
SPI_BA=0x2002
MON=$DATA.mon
AEAD=(aead 'rfc4106(gcm(aes))' $K20 128)

clear_all() {
	ip -n "$A" xfrm policy flush; ip -n "$A" xfrm state flush
	v policy flush; v sa flush
}

# ns_stat NAME: veil's namespace counter NAME.
ns_stat() {
	v stats | ns_counter "$1"
}

# sa_stat SRC DST SPI NAME: a counter of one of veil's SAs.
sa_stat() {
	v -s sa get src "$1" dst "$2" proto esp spi "$3" | sa_counter "$4"
}

# xfrm_out: XFRM in xa protects what it sends to xb in transport mode.
xfrm_out() {
	ip -n "$A" xfrm state add src $OA dst $OB proto esp spi $SPI_AB reqid 1 \
		mode transport "${AEAD[@]}" "$@" &&
	ip -n "$A" xfrm policy add src $OA dst $OB dir out \
		tmpl src $OA dst $OB proto esp reqid 1 mode transport
}

# xfrm_in: XFRM in xa takes what veil in xb protects.
xfrm_in() {
	ip -n "$A" xfrm state add src $OB dst $OA proto esp spi $SPI_BA reqid 2 \
		mode transport "${AEAD[@]}" "$@" &&
	ip -n "$A" xfrm policy add src $OB dst $OA dir in \
		tmpl src $OB dst $OA proto esp reqid 2 mode transport
}

no_fitting_policy() {
	family 4
	clear_all
	xfrm_out &&
	v sa add src $OA dst $OB proto esp spi $SPI_AB reqid 1 mode transport "${AEAD[@]}" &&
	# The in policy wants reqid 9: the SA (reqid 1) does not fit it.
	v policy add src $OA dst $OB dir in \
		tmpl src $OA dst $OB proto esp reqid 9 mode transport || return 1
	local before
	before=$(ns_stat policy-drops) || return 1
	! ip netns exec "$A" ping -q -c 2 -i 0.02 -W 1 $OB || { echo "ping passed"; return 1; }
	[ "$(sa_stat $OA $OB $SPI_AB packets)" -ge 2 ] || { echo "not decrypted"; return 1; }
	[ "$(sa_stat $OA $OB $SPI_AB policy-drops)" -ge 2 ] || { echo "no SA policy-drops"; return 1; }
	[ "$(ns_stat policy-drops)" -ge $((before + 2)) ] || { echo "no namespace policy-drops"; return 1; }
	# With a fitting policy the same traffic passes.
	v policy update src $OA dst $OB dir in \
		tmpl src $OA dst $OB proto esp reqid 1 mode transport &&
	ip netns exec "$A" ping -q -c 2 -i 0.02 -W 2 $OB
}

cleartext() {
	family 4
	clear_all
	v policy add src $OA dst $OB dir in \
		tmpl src $OA dst $OB proto esp reqid 1 mode transport || return 1
	local before
	before=$(ns_stat cleartext-drops) || return 1
	! ip netns exec "$A" ping -q -c 2 -i 0.02 -W 1 $OB || { echo "cleartext ping passed"; return 1; }
	[ "$(ns_stat cleartext-drops)" -ge $((before + 2)) ] || { echo "not counted"; return 1; }
	# A level-use template lets cleartext in.
	v policy update src $OA dst $OB dir in \
		tmpl src $OA dst $OB proto esp reqid 1 mode transport level use &&
	ip netns exec "$A" ping -q -c 2 -i 0.02 -W 2 $OB
}

block() {
	family 4
	clear_all
	v policy add src $OB dst $OA dir out action block || return 1
	local before
	before=$(ns_stat blocked) || return 1
	! ip netns exec "$B" ping -q -c 2 -i 0.02 -W 1 $OA || { echo "ping passed a block policy"; return 1; }
	[ "$(ns_stat blocked)" -ge $((before + 2)) ] || { echo "not counted"; return 1; }
}

acquire() {
	local mon before
	family 4
	clear_all
	v policy add src $OB dst $OA dir out \
		tmpl src $OB dst $OA proto esp reqid 7 mode transport || return 1
	before=$(ns_stat no-sa) || return 1
	"$VEIL" -n "$B" -j monitor policy > "$MON" 2>&1 &
	mon=$!
	nap 0.5
	! ip netns exec "$B" ping -q -c 3 -i 0.02 -W 1 $OA || { kill $mon; echo "ping passed"; return 1; }
	nap 0.5
	kill $mon; wait $mon 2>/dev/null
	"$PYTHON" - "$MON" $OB $OA <<'PY' || return 1
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
acq = [e for e in ev if e["event"] == "acquire"]
assert len(acq) == 1, ev
a = acq[0]
assert a["tmpl-index"] == 0, a
assert a["flow"]["src"] == sys.argv[2] and a["flow"]["dst"] == sys.argv[3], a
assert a["flow"]["proto"] in (1, "icmp"), a
assert a["tmpl"][0]["reqid"] == 7, a
PY
	[ "$(ns_stat no-sa)" -ge $((before + 3)) ] || { echo "no-sa not counted"; return 1; }
}

# ESN from just below 2^32, veil sending and veil receiving.
esn_wrap() {
	local j
	family 4
	clear_all
	xfrm_out flag esn replay-window 128 replay-oseq 0xfffffff0 &&
	xfrm_in flag esn replay-window 128 replay-seq 0xfffffff0 &&
	v sa add src $OA dst $OB proto esp spi $SPI_AB reqid 1 mode transport \
		"${AEAD[@]}" flag esn replay-window 128 replay-seq 0xfffffff0 &&
	v sa add src $OB dst $OA proto esp spi $SPI_BA reqid 2 mode transport \
		"${AEAD[@]}" flag esn replay-window 128 replay-oseq 0xfffffff0 &&
	v policy add src $OB dst $OA dir out \
		tmpl src $OB dst $OA proto esp reqid 2 mode transport &&
	v policy add src $OA dst $OB dir in \
		tmpl src $OA dst $OB proto esp reqid 1 mode transport || return 1
	ip netns exec "$A" ping -q -c 40 -i 0.02 -W 2 $OB || { echo "pings lost"; return 1; }
	j=$(v -j sa get src $OB dst $OA proto esp spi $SPI_BA) || return 1
	echo "$j" | "$PYTHON" -c '
import json, sys
s = json.load(sys.stdin)
assert s["replay-oseq-hi"] == 1, s' || { echo "veil never sent past 2^32: $j"; return 1; }
	j=$(v -j sa get src $OA dst $OB proto esp spi $SPI_AB) || return 1
	echo "$j" | "$PYTHON" -c '
import json, sys
s = json.load(sys.stdin)
assert s["replay-seq-hi"] == 1, s' || { echo "veil never received past 2^32: $j"; return 1; }
	DATA_FILE=$(one_mb) tcp_both $OA $OB
}

exhaust() {
	local mon
	family 4
	clear_all
	xfrm_in replay-window 64 replay-seq 0xfffffff0 &&
	v sa add src $OB dst $OA proto esp spi $SPI_BA reqid 2 mode transport \
		"${AEAD[@]}" replay-oseq 0xfffffffd &&
	v policy add src $OB dst $OA dir out \
		tmpl src $OB dst $OA proto esp reqid 2 mode transport || return 1
	"$VEIL" -n "$B" -j monitor sa > "$MON" 2>&1 &
	mon=$!
	nap 0.5
	# 0xfffffffe and 0xffffffff go out; the next would wrap.
	ip netns exec "$B" ping -q -c 1 -W 2 $OA && ip netns exec "$B" ping -q -c 1 -W 2 $OA ||
		{ kill $mon; echo "the last two numbers did not work"; return 1; }
	! ip netns exec "$B" ping -q -c 1 -W 1 $OA || { kill $mon; echo "sequence number wrapped"; return 1; }
	nap 0.5
	kill $mon; wait $mon 2>/dev/null
	"$PYTHON" - "$MON" <<'PY' || return 1
import json, sys
ev = [(e["event"], e.get("hard")) for e in map(json.loads, filter(str.strip, open(sys.argv[1])))]
assert ("sa-expire", True) in ev and ("sa-del", None) in ev, ev
PY
	! v sa get src $OB dst $OA proto esp spi $SPI_BA 2>/dev/null || { echo "the SA is still there"; return 1; }
}

byte_limits() {
	local mon
	family 4
	clear_all
	xfrm_in &&
	v sa add src $OB dst $OA proto esp spi $SPI_BA reqid 2 mode transport \
		"${AEAD[@]}" limit byte-soft 5000 limit byte-hard 10000 &&
	v policy add src $OB dst $OA dir out \
		tmpl src $OB dst $OA proto esp reqid 2 mode transport || return 1
	"$VEIL" -n "$B" -j monitor sa > "$MON" 2>&1 &
	mon=$!
	nap 0.5
	# 1000 bytes of ICMP each: soft after 5, hard after 10.
	ip netns exec "$B" ping -q -c 14 -i 0.05 -s 992 -W 1 $OA
	nap 0.5
	kill $mon; wait $mon 2>/dev/null
	"$PYTHON" - "$MON" <<'PY' || { cat "$MON"; return 1; }
import json, sys
ev = [(e["event"], e.get("hard")) for e in map(json.loads, filter(str.strip, open(sys.argv[1])))]
exp = [h for e, h in ev if e == "sa-expire"]
assert exp == [False, True], ev
PY
}

ktap_print_header
ktap_set_plan 8

check "two namespaces joined by veth" setup
check "a decrypted packet no in policy allows for its SA is dropped and counted" no_fitting_policy
check "cleartext where an in policy requires ESP is dropped and counted" cleartext
check "a block out policy drops and counts" block
check "a policy without its SA drops, counts, and raises one acquire-ntf" acquire
check "ESN from 2^32-16 both ways: pings and 1 MB each way across 2^32" esn_wrap
check "without ESN the SA stops after 2^32-1 and expires hard" exhaust
check "byte limits: soft then hard expiry from outbound traffic" byte_limits

ktap_finished

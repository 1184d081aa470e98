#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ike_v1_swan_record.sh - records the fixture of ike_v1_swan_test: one
# IKEv1 Main Mode (PSK) and one Quick Mode (ESP, PFS) between two of
# strongSwan's charons, with every IKE datagram and the secrets both charons
# logged, so that veil-iked's IKEv1 codec and crypto can be checked against
# another implementation's real messages on the host.
#
# It runs as root in the test VM only (network namespaces, XFRM, charon):
#
#   scripts/vm-exec.sh 6.12.117+deb12-amd64 tools/tests/ike_v1_swan_record.sh > out
#   sed -n '/^# >>> fixture/,/^# <<< fixture/p' out | sed '1d;$d' > tools/tests/ike_v1_swan.txt
#
# Everything else it prints (the charons' log lines that carry the values,
# ip xfrm state) is there for a human to read. The exchange's secrets are
# throwaway test data; re-recording gives new ones (new cookies, nonces,
# DH keys), and the test must pass on any recording.
set -u

. "$VEIL_ROOT/selftests/veil/charon_lib.sh"

I=v1swan-i
R=v1swan-r
T=/tmp/v1swan
PSK=veil-v1-swan-test-psk
rm -rf $T && mkdir -p $T/i $T/r

cleanup() {
	kill "${CAP_PID:-}" "${PID_I:-}" "${PID_R:-}" 2>/dev/null
	wait 2>/dev/null
	ip netns del $I 2>/dev/null
	ip netns del $R 2>/dev/null
}
trap cleanup EXIT

fail() { echo "record: $*"; for s in i r; do echo "--- charon.log ($s)"; tail -n 40 $T/$s/charon.log; done; exit 1; }

ip netns add $I && ip netns add $R || fail "netns"
ip -n $I link set lo up && ip -n $R link set lo up &&
ip -n $I link add eth0 type veth peer name eth0 netns $R &&
ip -n $I addr add 10.97.0.1/24 dev eth0 && ip -n $R addr add 10.97.0.2/24 dev eth0 &&
ip -n $I link set eth0 up && ip -n $R link set eth0 up &&
ip -n $I addr add 10.97.1.1/24 dev lo && ip -n $R addr add 10.97.2.1/24 dev lo ||
	fail "topology"

# Level 4 of ike, enc and chd makes charon print the keys it derives and
# the DH secrets; knl 4 the XFRM messages. The retransmit timeout is long:
# under TCG a retransmission would add datagrams to the capture.
LOGS="ike = 4
		enc = 4
		chd = 4
		cfg = 2
		knl = 4"
EXTRA="retransmit_timeout = 30
		retransmit_tries = 1"
charon_launch $I $T/i "$LOGS" "$EXTRA" || fail "charon (initiator)"
PID_I=$CHARON_LAUNCHED
charon_launch $R $T/r "$LOGS" "$EXTRA" || fail "charon (responder)"
PID_R=$CHARON_LAUNCHED

# swan_conf SIDE ME PEER LTS RTS: IKEv1 Main Mode with a PSK, found by the
# peer's address (Main Mode's responder knows no ID when it needs the key),
# so the IDs are the addresses.
swan_conf() {
	cat > $T/$1/swanctl.conf <<-EOF
	connections {
		v1 {
			version = 1
			aggressive = no
			local_addrs = $2
			remote_addrs = $3
			proposals = aes128-sha256-modp2048
			local { auth = psk
				id = $2 }
			remote { auth = psk
				id = $3 }
			children { net { local_ts = $4
				remote_ts = $5
				esp_proposals = aes128-sha256-modp2048 } }
		}
	}
	secrets { ike-1 { id-1 = 10.97.0.1
		id-2 = 10.97.0.2
		secret = "$PSK" } }
	EOF
	ip netns exec $6 swanctl --load-all --file $T/$1/swanctl.conf \
		--uri unix://$T/$1/charon.vici >$T/$1/load.out 2>&1 ||
		{ cat $T/$1/load.out; return 1; }
}
swan_conf i 10.97.0.1 10.97.0.2 10.97.1.0/24 10.97.2.0/24 $I || fail "load (initiator)"
swan_conf r 10.97.0.2 10.97.0.1 10.97.2.0/24 10.97.1.0/24 $R || fail "load (responder)"

# Every UDP datagram to or from ports 500 and 4500 on the initiator's
# eth0, in order. ETH_P_ALL: only such a socket sees what the host sends.
ip netns exec $I python3 -u -c '
import socket, struct, sys
cap = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(3))
cap.bind(("eth0", 0))
while True:
    p, a = cap.recvfrom(65535)
    if a[1] != 0x0800 or p[9] != 17:
        continue
    ihl = (p[0] & 15) * 4
    sport, dport = struct.unpack("!HH", p[ihl:ihl + 4])
    if not {sport, dport} & {500, 4500}:
        continue
    d = "i2r" if a[2] == socket.PACKET_OUTGOING else "r2i"
    src, dst = socket.inet_ntoa(p[12:16]), socket.inet_ntoa(p[16:20])
    print("msg", d, "%s:%d" % (src, sport), "%s:%d" % (dst, dport), p[ihl + 8:].hex())
' > $T/cap.txt 2>$T/cap.err &
CAP_PID=$!
sleep 1

ip netns exec $I swanctl --initiate --child net --uri unix://$T/i/charon.vici \
	>$T/initiate.out 2>&1 || { cat $T/initiate.out; fail "initiate"; }
# QM3 is the initiator's last message; the responder installs its SAs
# when it gets it. Wait for both ends.
for _ in $(seq 100); do
	[ "$(ip -n $R xfrm state | grep -c '^src')" -ge 2 ] && break
	sleep 0.1
done
sleep 1
kill $CAP_PID; wait $CAP_PID 2>/dev/null; CAP_PID=

echo "=== initiate"; cat $T/initiate.out
echo "=== capture ($(wc -l < $T/cap.txt) datagrams)"; cat $T/cap.txt $T/cap.err
for s in i r; do
	echo "=== charon.log ($s)"
	grep -v "plugin .* failed to load" $T/$s/charon.log
done
for ns in $I $R; do echo "=== ip -n $ns xfrm state"; ip -n $ns xfrm state; done

# The fixture: "KEY HEX" lines, "msg DIR SRC DST HEX" for the datagrams.
# charon prints a secret as "NAME => N bytes @ 0x..." and then hexdump
# lines "   0: 01 02 ...  ascii" of the same thread; other threads' lines
# may come between. The side's letter prefixes each key; "next IV for MID
# M", logged after each message, becomes "iv.M", one line each time.
extract() {
	python3 - "$1" "$2" <<-'EOF'
	import re, sys
	path, side = sys.argv[1], sys.argv[2]
	want = {  # charon's words -> the fixture's key
	    "shared Diffie Hellman secret": "gxy", "initial IV": "p1_iv",
	    "SKEYID": "skeyid", "SKEYID_d": "skeyid_d", "SKEYID_a": "skeyid_a",
	    "SKEYID_e": "skeyid_e", "encryption key Ka": "enc_key",
	    "HASH_I": "hash_i", "HASH_R": "hash_r",
	    "Hash(1)": "qm_hash1", "Hash(2)": "qm_hash2", "Hash(3)": "qm_hash3",
	    "DH secret": "qm_gxy",
	    "encryption initiator key": "esp_enc_i", "encryption responder key": "esp_enc_r",
	    "integrity initiator key": "esp_integ_i", "integrity responder key": "esp_integ_r",
	}
	lines = open(path, errors="replace").read().splitlines()
	for i, l in enumerate(lines):
	    m = re.match(r"^\S+ (\d+\[\w+\]) (.+?) => (\d+) bytes @ ", l)
	    if not m:
	        continue
	    thread, name, n = m.group(1), m.group(2), int(m.group(3))
	    iv = re.fullmatch(r"next IV for MID (\d+)", name)
	    if name not in want and not iv:
	        continue
	    data = b""
	    for l2 in lines[i + 1:i + 200]:
	        if len(data) >= n:
	            break
	        h = re.match(r"^\S+ (\d+\[\w+\]) +(\d+): ((?:[0-9A-F]{2} )+)", l2)
	        if h and h.group(1) == thread and int(h.group(2)) == len(data):
	            data += bytes.fromhex(h.group(3).replace(" ", ""))[:n - len(data)]
	    if len(data) != n:
	        sys.exit("%s: %s: %d of %d octets" % (path, name, len(data), n))
	    key = "iv." + iv.group(1) if iv else want[name]
	    print("%s.%s %s" % (side, key, data.hex()))
	EOF
}

echo "# >>> fixture"
echo "# ike_v1_swan_test's fixture: recorded by tools/tests/ike_v1_swan_record.sh"
echo "# with $(/usr/lib/ipsec/charon --version 2>&1 | head -1 || echo charon) on $(uname -r)"
echo "# (strongSwan $(dpkg-query -W -f '${Version}' strongswan-charon 2>/dev/null))."
echo "# i.* and r.* are what the initiator's and the responder's charon logged;"
echo "# xfrm lines are the SAs ip xfrm state showed: SIDE SRC DST SPI ENC_KEY AUTH_KEY."
echo "psk $(printf %s "$PSK" | od -An -tx1 | tr -d ' \n')"
cat $T/cap.txt
extract $T/i/charon.log i
extract $T/r/charon.log r
for s in "i $I" "r $R"; do
	ip -n ${s#* } xfrm state | python3 -c '
import re, sys
side = sys.argv[1]
cur = None
for l in sys.stdin:
    m = re.match(r"src (\S+) dst (\S+)", l)
    if m:
        cur = {"src": m.group(1), "dst": m.group(2)}
        continue
    m = re.search(r"proto esp spi 0x([0-9a-f]+)", l)
    if m and cur is not None:
        cur["spi"] = m.group(1)
    m = re.search(r"\b(enc|auth-trunc|auth) \S+ 0x([0-9a-f]+)", l)
    if m and cur is not None:
        cur["enc" if m.group(1) == "enc" else "auth"] = m.group(2)
    if cur is not None and {"spi", "enc", "auth"} <= cur.keys():
        print("xfrm", side, cur["src"], cur["dst"], cur["spi"], cur["enc"], cur["auth"])
        cur = None
' ${s% *}
done
echo "# <<< fixture"

# SPDX-License-Identifier: GPL-2.0
#
# Shared by the ESP tests (esp_in.sh, esp.sh): two namespaces $A and $B
# joined by veth, one side using the kernel's own XFRM, the other veil.
#
#   [ $A ] 10.89.0.1    ---- veth ----    10.89.0.2 [ $B ]
#          fd00:89::1                     fd00:89::2
#     lo 10.89.1.1, fd00:89:1::1          dummy 10.89.2.1, fd00:89:2::1
#        (tunnel inner)                      (tunnel inner)
#
# The caller sets A and B before sourcing it, after lib.sh.

SPI=0x4242
PORT=5201
XFER=$VEIL_BUILD/selftests/veil/tcp_xfer
DATA=$(mktemp)
v() { "$VEIL" -n "$B" "$@"; }

cleanup() {
	ip netns del "$A" 2>/dev/null
	ip netns del "$B" 2>/dev/null
	rm -f "$OUT" "$OUT".* "$DATA" "$DATA".*
}
trap cleanup EXIT

setup() {
	ip netns add "$A" && ip netns add "$B" &&
	ip -n "$A" link add eth0 type veth peer name eth0 netns "$B" &&
	ip -n "$A" addr add 10.89.0.1/24 dev eth0 &&
	ip -n "$B" addr add 10.89.0.2/24 dev eth0 &&
	ip -n "$A" addr add fd00:89::1/64 dev eth0 nodad &&
	ip -n "$B" addr add fd00:89::2/64 dev eth0 nodad &&
	ip -n "$A" link set eth0 up && ip -n "$B" link set eth0 up &&
	ip -n "$A" link set lo up && ip -n "$B" link set lo up &&
	ip -n "$A" addr add 10.89.1.1/32 dev lo &&
	ip -n "$A" addr add fd00:89:1::1/128 dev lo nodad &&
	ip -n "$B" link add inner type dummy && ip -n "$B" link set inner up &&
	ip -n "$B" addr add 10.89.2.1/32 dev inner &&
	ip -n "$B" addr add fd00:89:2::1/128 dev inner nodad &&
	ip -n "$A" route add 10.89.2.0/24 via 10.89.0.2 src 10.89.1.1 &&
	ip -n "$A" route add fd00:89:2::/64 via fd00:89::2 src fd00:89:1::1 &&
	ip -n "$B" route add 10.89.1.0/24 via 10.89.0.1 &&
	ip -n "$B" route add fd00:89:1::/64 via fd00:89::1 &&
	dd if=/dev/urandom of="$DATA" bs=1M count=$XFER_MB status=none
}

# The outer addresses (OA, OB) and, for tunnels, the inner prefixes (IA,
# IB), source (IS) and target (IT) of a family: 4, 6, 4in6 (IPv4 inside IPv6) or 6in4.
family() {
	case $1 in
	4 | 4in*) IA=10.89.1.0/24 IB=10.89.2.0/24 IS=10.89.1.1 IT=10.89.2.1 ;;
	*) IA=fd00:89:1::/64 IB=fd00:89:2::/64 IS=fd00:89:1::1 IT=fd00:89:2::1 ;;
	esac
	case $1 in
	4 | *in4) OA=10.89.0.1 OB=10.89.0.2 ;;
	*) OA=fd00:89::1 OB=fd00:89::2 ;;
	esac
	# Across families XFRM's SA needs the inner selector to be used.
	SEL=()
	case $1 in *in*) SEL=(sel src $IA dst $IB) ;; esac
}

# sa_counter NAME: one counter from the `veil -s sa get` text on stdin:
# packets, bytes, or a stats-line counter (replay-drops, integrity-failures,
# other-drops, bad-padding, policy-drops). awk rather than Python on -j:
# Python takes most of a second to start under TCG.
sa_counter() {
	awk -v k="$1" '
		BEGIN { if (k == "replay-drops") k = "replay" }
		/^[ \t]*[0-9]+\(bytes\), [0-9]+\(packets\)$/ {
			split($0, f, ", "); sub(/^[ \t]*/, "", f[1]);
			v["bytes"] = f[1] + 0; v["packets"] = f[2] + 0
		}
		/^[ \t]*replay [0-9]/ { for (i = 1; i < NF; i += 2) v[$i] = $(i + 1) }
		END { if (!(k in v)) exit 1; print v[k] }'
}

# ns_counter NAME: one of the namespace counters from `veil stats` on stdin.
ns_counter() {
	awk -v k="$1" '$1 == k { print $2; found = 1 } END { exit !found }'
}

# q WORD...: the words, each single-quoted, for a -batch line (ip's and
# veil's both take quotes); nothing for none. One -batch instead of a
# process per line: a process costs a tenth of a second under TCG.
q() {
	[ $# -gt 0 ] && printf "'%s' " "$@"
}

# confb NS xfrm|veil: the lines on stdin ("state ..." or "policy ...",
# in the grammar ip xfrm and veil share) as one ip -batch or veil -batch
# in namespace NS.
confb() {
	if [ "$2" = xfrm ]; then
		sed 's/^/xfrm /' | ip -n "$1" -batch -
	else
		sed 's/^state /sa /' | "$VEIL" -n "$1" -batch -
	fi
}

# tcp_start SRC DST FROM TO PORT: start DATA_FILE ($DATA, XFER_MB megabytes) from
# namespace FROM at address SRC to namespace TO at DST, in the background;
# tcp_end PORT waits for it: every byte must arrive unchanged (tcp_xfer
# compares them with the file). SERVE_ADDR, when set, is where TO listens
# instead (DST being its address behind a NAT). The transfer's pid is in
# $xferPORT.
tcp_start() {
	"$XFER" "$3" "$1" "$4" "$2" "$5" "${DATA_FILE:-$DATA}" ${SERVE_ADDR:-} &
	eval "xfer$5=$!"
}

tcp_end() {
	local pid
	eval "pid=\$xfer$1"
	wait "$pid" || { echo "the transfer to port $1 failed"; return 1; }
}

# one_mb: $DATA.1m, the first megabyte of $DATA, for transfers where the
# size proves nothing more.
one_mb() {
	[ -s "$DATA.1m" ] || head -c 1048576 "$DATA" > "$DATA.1m"
	echo "$DATA.1m"
}

# quarter_mb: $DATA.256k, 256 KB, for the algorithms beyond the main ones.
quarter_mb() {
	[ -s "$DATA.256k" ] || head -c 262144 "$DATA" > "$DATA.256k"
	echo "$DATA.256k"
}

# tcp_transfer SRC DST [FROM TO]: XFER_MB megabytes from namespace FROM ($A) at
# address SRC to namespace TO ($B) at DST, compared by SHA-256.
tcp_transfer() {
	tcp_start "$1" "$2" "${3:-$A}" "${4:-$B}" $PORT && tcp_end $PORT
}

# tcp_both SRC DST: XFER_MB megabytes from $A at SRC to $B at DST and, at the same
# time, XFER_MB megabytes back.
tcp_both() {
	tcp_start "$1" "$2" "$A" "$B" $PORT &&
	tcp_start "$2" "$1" "$B" "$A" $((PORT + 1)) || return 1
	tcp_end $PORT || { tcp_end $((PORT + 1)); return 1; }
	tcp_end $((PORT + 1))
}

K16=0x000102030405060708090a0b0c0d0e0f
K20=0x000102030405060708090a0b0c0d0e0f10111213
K36=0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20212223
K32=0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f


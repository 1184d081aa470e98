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
DATA=$(mktemp)
v() { "$VEIL" -n "$B" "$@"; }

cleanup() {
	ip netns del "$A" 2>/dev/null
	ip netns del "$B" 2>/dev/null
	rm -f "$OUT" "$DATA" "$DATA.got" "$DATA.frame"
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
	dd if=/dev/urandom of="$DATA" bs=1M count=10 status=none
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

# tcp_transfer SRC DST [FROM TO]: 10 MB from namespace FROM ($A) at
# address SRC to namespace TO ($B) at DST, compared by SHA-256.
tcp_transfer() {
	local src=$1 dst=$2 from=${3:-$A} to=${4:-$B}
	rm -f "$DATA.got"
	ip netns exec "$to" "$PYTHON" -c '
import socket, sys
s = socket.socket(socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET)
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
	ip netns exec "$from" "$PYTHON" -c '
import socket, sys
c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=60,
                             source_address=(sys.argv[4], 0))
c.sendall(open(sys.argv[3], "rb").read()); c.close()
' "$dst" $PORT "$DATA" "$src" || { kill $srv 2>/dev/null; return 1; }
	wait $srv || return 1
	[ "$(sha256sum < "$DATA" | cut -d' ' -f1)" = "$(sha256sum < "$DATA.got" | cut -d' ' -f1)" ] ||
		{ echo "the 10 MB arrived different"; return 1; }
}

K16=0x000102030405060708090a0b0c0d0e0f
K20=0x000102030405060708090a0b0c0d0e0f10111213
K36=0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20212223
K32=0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f


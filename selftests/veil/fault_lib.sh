# SPDX-License-Identifier: GPL-2.0
#
# Shared by the fault tests (fault_load.sh, fault_churn.sh,
# fault_inject.sh): two namespaces with veil at both ends, TCP between the
# veth addresses in ESP transport mode, everything else between the veil
# interfaces in an ESP tunnel.
#
#   [ $A ] 10.97.0.1 ------------- veth ------------- 10.97.0.2 [ $B ]
#           TCP: ESP transport, SPI 0x9701 A->B, 0x9702 B->A
#   veil0 10.98.0.1 (if_id 7) ==== ESP tunnel ==== veil0 10.98.0.2 (if_id 7)
#                   SPI 0x9801 A->B, 0x9802 B->A, with lifetimes
#
# The caller sets A and B before sourcing it, after lib.sh.

K20=0x000102030405060708090a0b0c0d0e0f10111213
ALG="aead 'rfc4106(gcm(aes))' $K20 128"
XFER=$VEIL_BUILD/selftests/veil/tcp_xfer
FTLS=$VEIL_BUILD/selftests/veil/fault_tls
T=$(mktemp -d)
PIDS=()

cleanup() {
	local p
	for p in "${PIDS[@]}" $(ip netns pids "$A" 2>/dev/null) $(ip netns pids "$B" 2>/dev/null); do
		kill "$p" 2>/dev/null
	done
	wait 2>/dev/null
	ip netns del "$A" 2>/dev/null
	ip netns del "$B" 2>/dev/null
	rm -rf "$T" "$OUT"
}
trap cleanup EXIT

ina() { ip netns exec "$A" "$@"; }
inb() { ip netns exec "$B" "$@"; }

# The SA and policy lines (veil -batch) of one side, $A (a) or $B (b):
# sa_lines and pol_lines are each an "add" or a "del" of all of them.
sa_lines() {
	local op=$1 spi s d
	for spi in 9701 9702 9801 9802; do
		case $spi in 97?1 | 98?1) s=10.97.0.1 d=10.97.0.2 ;; *) s=10.97.0.2 d=10.97.0.1 ;; esac
		if [ "$op" = del ]; then
			echo "sa del src $s dst $d proto esp spi 0x$spi"
		elif [ $spi -lt 9800 ]; then
			echo "sa add src $s dst $d proto esp spi 0x$spi reqid ${spi#9} mode transport $ALG"
		else
			# Limits: a lifetime work pending, to be cancelled.
			echo "sa add src $s dst $d proto esp spi 0x$spi reqid ${spi#9} mode tunnel $ALG if_id 7" \
				"limit time-soft 3000 limit time-hard 3600 limit packet-hard 100000000"
		fi
	done
}

pol_lines() {
	local op=$1 side=$2 out=in in=out
	[ "$side" = a ] && out=out in=in
	if [ "$op" = del ]; then
		cat <<-EOF
		policy del src 10.97.0.1 dst 10.97.0.2 proto tcp dir $out
		policy del src 10.97.0.2 dst 10.97.0.1 proto tcp dir $in
		policy del src 0.0.0.0/0 dst 0.0.0.0/0 dir $out if_id 7
		policy del src 0.0.0.0/0 dst 0.0.0.0/0 dir $in if_id 7
		EOF
		return
	fi
	cat <<-EOF
	policy add src 10.97.0.1 dst 10.97.0.2 proto tcp dir $out tmpl src 10.97.0.1 dst 10.97.0.2 proto esp reqid 701 mode transport
	policy add src 10.97.0.2 dst 10.97.0.1 proto tcp dir $in tmpl src 10.97.0.2 dst 10.97.0.1 proto esp reqid 702 mode transport
	policy add src 0.0.0.0/0 dst 0.0.0.0/0 dir $out if_id 7 tmpl src 10.97.0.1 dst 10.97.0.2 proto esp reqid 801 mode tunnel
	policy add src 0.0.0.0/0 dst 0.0.0.0/0 dir $in if_id 7 tmpl src 10.97.0.2 dst 10.97.0.1 proto esp reqid 802 mode tunnel
	EOF
}

# configure: veil0 and the SAs and policies on both sides; one veil
# -batch and one ip -batch a side (a process costs a tenth of a second
# under TCG).
configure() {
	local side n addr
	for side in a b; do
		n=$A addr=10.98.0.1
		[ $side = b ] && n=$B addr=10.98.0.2
		{ echo "link add veil0 if_id 7"; sa_lines add; pol_lines add $side; } |
			"$VEIL" -n "$n" -batch - &&
		printf 'link set veil0 addrgenmode none\naddr add %s/24 dev veil0\nlink set veil0 up\n' \
			$addr | ip -n "$n" -batch - || return 1
	done
}

topology() {
	printf 'netns add %s\n' "$A" "$B" | ip -batch - &&
	ip -n "$A" link add eth0 type veth peer name eth0 netns "$B" &&
	printf 'link set lo up\naddr add 10.97.0.1/24 dev eth0\nlink set eth0 up\n' | ip -n "$A" -batch - &&
	printf 'link set lo up\naddr add 10.97.0.2/24 dev eth0\nlink set eth0 up\n' | ip -n "$B" -batch - &&
	configure
}

# complete NS: every SA and policy of the configuration is in NS, each
# once, and nothing else; veil0 is there.
complete() {
	local spis
	"$VEIL" -n "$1" -batch - > "$T/complete" 2>&1 <<-EOF || { cat "$T/complete"; return 1; }
	sa count
	policy count
	sa list
	EOF
	grep -qx 'SAD count 4' "$T/complete" &&
	grep -qx 'SPD IN 2 -- SPD OUT 2 -- SPD FWD 0' "$T/complete" ||
		{ echo "$1:"; cat "$T/complete"; return 1; }
	spis=$(awk '$1 == "proto" && $3 == "spi" { print $4 }' "$T/complete" | sort | tr '\n' ' ')
	[ "$spis" = "0x00009701 0x00009702 0x00009801 0x00009802 " ] ||
		{ echo "$1 has the SAs $spis"; return 1; }
	ip -n "$1" link show veil0 >/dev/null
}

# sa_packets NS SPI: the packets an SA counted.
sa_packets() {
	local s=10.97.0.1 d=10.97.0.2
	case $2 in 9702 | 9802) s=10.97.0.2 d=10.97.0.1 ;; esac
	"$VEIL" -n "$1" -s sa get src $s dst $d proto esp spi 0x$2 |
		awk '/^[ \t]*[0-9]+\(bytes\), [0-9]+\(packets\)$/ { split($0, f, ", "); print f[2] + 0 }'
}

# ns_stat NS NAME: one of the namespace counters of `veil stats`.
ns_stat() {
	"$VEIL" -n "$1" stats | awk -v k="$2" '$1 == k { print $2; found = 1 } END { exit !found }'
}

# stream_start NAME PORT LADDR CADDR: a TLS transfer through veil's ULP
# (fault_tls stream), listening in $B at LADDR, connecting from $A at
# CADDR, in the background until stream_end NAME stops it (SIGUSR1) and
# checks that every byte arrived. Its pid in $NAME.
stream_start() {
	"$FTLS" stream 300 "$B" "$3" "$A" "$4" "$2" > "$T/$1" 2>&1 &
	eval "$1=$!"
	PIDS+=($!)
	wait_for 150 eval "grep -q connected '$T/$1' || ! kill -0 $!" &&
		grep -q connected "$T/$1" || { echo "$1: no connection:"; cat "$T/$1"; return 1; }
}

stream_end() {
	local pid
	eval "pid=\$$1"
	kill -USR1 "$pid" 2>/dev/null
	wait "$pid" || { echo "$1 failed:"; cat "$T/$1"; return 1; }
}

# works: a ping through the tunnel and a megabyte over the transport SAs.
works() {
	head -c 1048576 /dev/urandom > "$T/1m"
	ina ping -q -c 2 -i 0.05 -W 2 10.98.0.2 && inb ping -q -c 2 -i 0.05 -W 2 10.98.0.1 &&
	"$XFER" "$A" 10.97.0.1 "$B" 10.97.0.2 5301 "$T/1m"
}

# module_refs: veil.ko's reference count.
module_refs() {
	cat /sys/module/veil/refcnt
}

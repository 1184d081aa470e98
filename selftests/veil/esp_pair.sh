# SPDX-License-Identifier: GPL-2.0
#
# Shared by esp.sh and esp_algs.sh, after esp_lib.sh: the same two SAs
# (one per direction) and matching policies in $A (the kernel's XFRM) and
# $B (veil), and traffic both ways through them.

SPI_AB=0x1001
SPI_BA=0x2002

# pair MODE ALGO...: SA a->b (reqid 1) and b->a (reqid 2) on both sides,
# with out and in policies on both: XFRM's in xa, veil's in xb.
pair() {
	local mode=$1 is=$OA ib=$OB alg sel selr
	shift
	[ "$mode" = tunnel ] && is=$IA ib=$IB
	alg=$(q "$@") sel=$(q "${SEL[@]}") selr=$(q "${SELR[@]}")
	# What the previous case left goes in the same batch: a process costs
	# a tenth of a second under TCG.
	ip -n "$A" -batch - <<-EOF || return 1
	xfrm policy flush
	xfrm state flush
	xfrm state add src $OA dst $OB proto esp spi $SPI_AB reqid 1 mode $mode $alg replay-window 64 $sel
	xfrm state add src $OB dst $OA proto esp spi $SPI_BA reqid 2 mode $mode $alg replay-window 64 $selr
	xfrm policy add src $is dst $ib dir out tmpl src $OA dst $OB proto esp reqid 1 mode $mode
	xfrm policy add src $ib dst $is dir in tmpl src $OB dst $OA proto esp reqid 2 mode $mode
	EOF
	v -batch - <<-EOF
	policy flush
	sa flush
	sa add src $OA dst $OB proto esp spi $SPI_AB reqid 1 mode $mode $alg replay-window 64 $sel
	sa add src $OB dst $OA proto esp spi $SPI_BA reqid 2 mode $mode $alg replay-window 64 $selr
	policy add src $ib dst $is dir out tmpl src $OB dst $OA proto esp reqid 2 mode $mode
	policy add src $is dst $ib dir in tmpl src $OA dst $OB proto esp reqid 1 mode $mode
	EOF
}

clear_all() {
	printf 'xfrm policy flush\nxfrm state flush\n' | ip -n "$A" -batch -
	printf 'policy flush\nsa flush\n' | "$VEIL" -n "$A" -batch -
	printf 'policy flush\nsa flush\n' | v -batch -
}

# stat SPI: the packets veil's SA SPI counted.
stat() {
	local src=$OA dst=$OB
	[ "$1" = $SPI_BA ] && src=$OB dst=$OA
	v -s sa get src $src dst $dst proto esp spi "$1" | sa_counter packets
}

# counts: "N M", the packets veil's SAs SPI_AB and SPI_BA counted, from
# one listing.
counts() {
	v -s sa list | awk -v ab="$(printf '0x%08x' $SPI_AB)" -v ba="$(printf '0x%08x' $SPI_BA)" '
		{ for (i = 1; i < NF; i++) if ($i == "spi") spi = $(i + 1) }
		/^[ \t]*[0-9]+\(bytes\), [0-9]+\(packets\)$/ {
			sub(/^.*, /, ""); sub(/\(packets\)/, ""); n[spi] = $0 + 0
		}
		END { print n[ab] + 0, n[ba] + 0 }'
}

# both FAMILY MODE ALGO...: ping and XFER_MB megabytes each way.
both() {
	local src dst fam=$1 n m
	family "$fam"
	SELR=()
	[ ${#SEL[@]} -gt 0 ] && SELR=(sel src $IB dst $IA)
	shift
	src=$OA dst=$OB
	[ "$1" = tunnel ] && src=$IS dst=$IT
	pair "$@" || return 1
	ip netns exec "$A" ping -q -c 2 -i 0.01 -W 2 -I "$src" "$dst" ||
		{ echo "no ping from XFRM to veil"; return 1; }
	ip netns exec "$B" ping -q -c 2 -i 0.01 -W 2 -I "$dst" "$src" ||
		{ echo "no ping from veil to XFRM"; return 1; }
	tcp_both "$src" "$dst" || return 1
	# Not "read < <(...)": the VM has no /dev/fd.
	n=$(counts) || return 1
	m=${n#* } n=${n% *}
	echo "veil decrypted $n packets and encrypted $m"
	[ "$n" -ge "${MIN_PACKETS:-$((XFER_MB * 600))}" ] && [ "$m" -ge "${MIN_PACKETS:-$((XFER_MB * 600))}" ] || return 1
}

# quick FAMILY MODE ALGO...: ping and 256 KB each way, for the algorithms
# beyond the five above.
quick() {
	DATA_FILE=$(quarter_mb) MIN_PACKETS=100 both "$@"
}

# key N: an N-byte key, 0x000102..., without starting a process.
key() {
	local i k=0x
	for ((i = 0; i < $1; i++)); do printf -v k '%s%02x' "$k" $((i % 256)); done
	echo "$k"
}

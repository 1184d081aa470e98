#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ESP both ways against the kernel's own IPsec: namespace veil-ea uses
# XFRM (ip xfrm), veil-eb uses veil, with the same two SAs, one per
# direction, and matching policies (topology in esp_lib.sh).
#
# For every mode, family and algorithm the issue lists: ping each way and
# 10 MB of TCP each way, whose SHA-256 must match; veil's SAs must have
# counted the packets in both directions. ESN is in esp_spd.sh.

. "$(dirname "$0")/lib.sh"

A=veil-ea
B=veil-eb
. "$(dirname "$0")/esp_lib.sh"

SPI_AB=0x1001
SPI_BA=0x2002

# pair MODE ALGO...: SA a->b (reqid 1) and b->a (reqid 2) on both sides,
# with out and in policies on both: XFRM's in xa, veil's in xb.
pair() {
	local mode=$1 is=$OA ib=$OB
	shift
	[ "$mode" = tunnel ] && is=$IA ib=$IB
	ip -n "$A" xfrm state add src $OA dst $OB proto esp spi $SPI_AB \
		reqid 1 mode "$mode" "$@" replay-window 64 "${SEL[@]}" &&
	ip -n "$A" xfrm state add src $OB dst $OA proto esp spi $SPI_BA \
		reqid 2 mode "$mode" "$@" replay-window 64 "${SELR[@]}" &&
	ip -n "$A" xfrm policy add src $is dst $ib dir out \
		tmpl src $OA dst $OB proto esp reqid 1 mode "$mode" &&
	ip -n "$A" xfrm policy add src $ib dst $is dir in \
		tmpl src $OB dst $OA proto esp reqid 2 mode "$mode" &&
	v sa add src $OA dst $OB proto esp spi $SPI_AB reqid 1 \
		mode "$mode" "$@" replay-window 64 "${SEL[@]}" &&
	v sa add src $OB dst $OA proto esp spi $SPI_BA reqid 2 \
		mode "$mode" "$@" replay-window 64 "${SELR[@]}" &&
	v policy add src $ib dst $is dir out \
		tmpl src $OB dst $OA proto esp reqid 2 mode "$mode" &&
	v policy add src $is dst $ib dir in \
		tmpl src $OA dst $OB proto esp reqid 1 mode "$mode"
}

clear_all() {
	ip -n "$A" xfrm policy flush; ip -n "$A" xfrm state flush
	"$VEIL" -n "$A" policy flush; "$VEIL" -n "$A" sa flush
	v policy flush; v sa flush
}

# stat SPI: the packets veil's SA SPI counted ("lifetime current" line).
stat() {
	local src=$OA dst=$OB
	[ "$1" = $SPI_BA ] && src=$OB dst=$OA
	v -s sa get src $src dst $dst proto esp spi "$1" |
		sed -n 's/^[[:space:]]*[0-9]*(bytes), \([0-9]*\)(packets)$/\1/p'
}

# both FAMILY MODE ALGO...: ping and 10 MB each way.
both() {
	local src dst fam=$1 n m
	family "$fam"
	SELR=()
	[ ${#SEL[@]} -gt 0 ] && SELR=(sel src $IB dst $IA)
	shift
	src=$OA dst=$OB
	[ "$1" = tunnel ] && src=$IS dst=$IT
	clear_all
	pair "$@" || return 1
	ip netns exec "$A" ping -q -c 2 -i 0.1 -W 2 -I "$src" "$dst" ||
		{ echo "no ping from XFRM to veil"; return 1; }
	ip netns exec "$B" ping -q -c 2 -i 0.1 -W 2 -I "$dst" "$src" ||
		{ echo "no ping from veil to XFRM"; return 1; }
	tcp_both "$src" "$dst" || return 1
	n=$(stat $SPI_AB) && m=$(stat $SPI_BA) || return 1
	echo "veil decrypted $n packets and encrypted $m"
	[ "$n" -ge "${MIN_PACKETS:-2000}" ] && [ "$m" -ge "${MIN_PACKETS:-2000}" ] || return 1
}

# quick FAMILY MODE ALGO...: ping and 1 MB each way, for the algorithms
# beyond the five above.
quick() {
	head -c 1048576 "$DATA" > "$DATA.1m"
	DATA_FILE=$DATA.1m MIN_PACKETS=200 both "$@"
}

# key N: an N-byte key.
key() {
	"$PYTHON" -c 'import sys; print("0x" + bytes(range(int(sys.argv[1]))).hex())' "$1"
}

# Without esp4 and esp6: veil needs neither; they load again when XFRM
# next needs them.
no_esp_modules() {
	local a=10.89.0.1 b=10.89.0.2 alg=(aead 'rfc4106(gcm(aes))' $K20 128)
	local i
	family 4
	# SAs of namespaces deleted just before go away a little later.
	for i in $(seq 40); do
		modprobe -r esp4 esp6 2>/dev/null
		grep -qE '^esp[46] ' /proc/modules || break
		sleep 0.25
	done
	! grep -qE '^esp[46] ' /proc/modules || { echo "esp4/esp6 are in use"; return 1; }
	clear_all
	"$VEIL" -n "$A" sa add src $a dst $b proto esp spi $SPI_AB reqid 1 mode transport "${alg[@]}" &&
	"$VEIL" -n "$A" sa add src $b dst $a proto esp spi $SPI_BA reqid 2 mode transport "${alg[@]}" &&
	"$VEIL" -n "$A" policy add src $a dst $b dir out tmpl src $a dst $b proto esp reqid 1 mode transport &&
	"$VEIL" -n "$A" policy add src $b dst $a dir in tmpl src $b dst $a proto esp reqid 2 mode transport &&
	v sa add src $a dst $b proto esp spi $SPI_AB reqid 1 mode transport "${alg[@]}" &&
	v sa add src $b dst $a proto esp spi $SPI_BA reqid 2 mode transport "${alg[@]}" &&
	v policy add src $b dst $a dir out tmpl src $b dst $a proto esp reqid 2 mode transport &&
	v policy add src $a dst $b dir in tmpl src $a dst $b proto esp reqid 1 mode transport || return 1
	ip netns exec "$A" ping -q -c 2 -i 0.1 -W 2 $b && ip netns exec "$B" ping -q -c 2 -i 0.1 -W 2 $a &&
	DATA_FILE=$DATA tcp_both $a $b || return 1
	! grep -qE '^esp[46] ' /proc/modules || { echo "esp4/esp6 got loaded"; return 1; }
	[ "$(stat $SPI_AB)" -ge 1000 ] || { echo "veil in $B did not decrypt"; return 1; }
}

ktap_print_header
ktap_set_plan 41

check "two namespaces joined by veth" setup
check "veil to veil with the kernel's esp4 and esp6 not loaded" no_esp_modules

for fam in 4 6; do
	for mode in transport tunnel; do
		check "IPv$fam $mode, rfc4106(gcm(aes)) 128-bit key: both ways" \
			both $fam $mode aead 'rfc4106(gcm(aes))' $K20 128
		check "IPv$fam $mode, rfc4106(gcm(aes)) 256-bit key" \
			both $fam $mode aead 'rfc4106(gcm(aes))' $K36 128
		check "IPv$fam $mode, rfc7539esp(chacha20,poly1305)" \
			both $fam $mode aead 'rfc7539esp(chacha20,poly1305)' $K36 128
		check "IPv$fam $mode, cbc(aes) with hmac(sha256) 128" \
			both $fam $mode enc 'cbc(aes)' $K16 auth-trunc 'hmac(sha256)' $K32 128
		check "IPv$fam $mode, ecb(cipher_null) with hmac(sha256) 128" \
			both $fam $mode enc 'ecb(cipher_null)' '' auth-trunc 'hmac(sha256)' $K32 128
	done
done
for fam in 4in6 6in4; do
	check "$fam tunnel, rfc4106(gcm(aes)) 128-bit key: both ways" \
		both $fam tunnel aead 'rfc4106(gcm(aes))' $K20 128
	check "$fam tunnel, rfc4106(gcm(aes)) 256-bit key" \
		both $fam tunnel aead 'rfc4106(gcm(aes))' $K36 128
	check "$fam tunnel, rfc7539esp(chacha20,poly1305)" \
		both $fam tunnel aead 'rfc7539esp(chacha20,poly1305)' $K36 128
	check "$fam tunnel, cbc(aes) with hmac(sha256) 128" \
		both $fam tunnel enc 'cbc(aes)' $K16 auth-trunc 'hmac(sha256)' $K32 128
	check "$fam tunnel, ecb(cipher_null) with hmac(sha256) 128" \
		both $fam tunnel enc 'ecb(cipher_null)' '' auth-trunc 'hmac(sha256)' $K32 128
done

check "IPv4 transport, rfc4106(gcm(aes)) 192-bit key, 64-bit ICV: ping, 1 MB each way" \
	quick 4 transport aead 'rfc4106(gcm(aes))' $(key 28) 64
check "IPv6 tunnel, rfc4106(gcm(aes)) 256-bit key, 96-bit ICV" \
	quick 6 tunnel aead 'rfc4106(gcm(aes))' $K36 96
check "IPv4 transport, rfc4543(gcm(aes)) (GMAC, no encryption)" \
	quick 4 transport aead 'rfc4543(gcm(aes))' $K20 128
check "IPv4 tunnel, rfc4309(ccm(aes)) 128-bit key" \
	quick 4 tunnel aead 'rfc4309(ccm(aes))' $(key 19) 128
check "IPv6 transport, cbc(aes) 256 with hmac(sha384) 192" \
	quick 6 transport enc 'cbc(aes)' $K32 auth-trunc 'hmac(sha384)' $(key 48) 192
check "IPv4 tunnel, cbc(aes) with hmac(sha512) 256" \
	quick 4 tunnel enc 'cbc(aes)' $K16 auth-trunc 'hmac(sha512)' $(key 64) 256
check "IPv4 transport, cbc(aes) with hmac(sha1) 96" \
	quick 4 transport enc 'cbc(aes)' $K16 auth-trunc 'hmac(sha1)' $K20 96
check "IPv4 tunnel, rfc3686(ctr(aes)) with hmac(sha256) 128" \
	quick 4 tunnel enc 'rfc3686(ctr(aes))' $K20 auth-trunc 'hmac(sha256)' $K32 128
check "IPv4 transport, cbc(des3_ede) with hmac(md5) 96 (old IKEv1 peers)" \
	quick 4 transport enc 'cbc(des3_ede)' $(key 24) auth-trunc 'hmac(md5)' $(key 16) 96

ktap_finished

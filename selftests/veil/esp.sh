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
	[ "$n" -ge 2000 ] && [ "$m" -ge 2000 ] || return 1
}

ktap_print_header
ktap_set_plan 31

check "two namespaces joined by veth" setup

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

ktap_finished

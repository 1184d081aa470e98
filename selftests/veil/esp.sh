#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ESP both ways against the kernel's own IPsec: namespace veil-ea uses
# XFRM (ip xfrm), veil-eb uses veil, with the same two SAs, one per
# direction, and matching policies (topology in esp_lib.sh).
#
# First veil to veil with esp4 and esp6 unloaded. Then for transport and
# tunnel mode, IPv4 and IPv6, and the five algorithms the issue lists: a
# ping each way and XFER_MB megabytes of TCP each way (256 KB for AES-GCM-256 and
# ChaCha20-Poly1305, the same AEAD path), whose SHA-256 must match;
# veil's SAs must have counted the packets in both directions. Mixed-
# family tunnels and the other algorithms are in esp_algs.sh, ESN in
# esp_spd.sh.

. "$(dirname "$0")/lib.sh"

A=veil-ea
B=veil-eb
. "$(dirname "$0")/esp_lib.sh"
. "$(dirname "$0")/esp_pair.sh"

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
		nap 0.25
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
	ip netns exec "$A" ping -q -c 2 -i 0.01 -W 2 $b && ip netns exec "$B" ping -q -c 2 -i 0.01 -W 2 $a &&
	DATA_FILE=$(one_mb) tcp_both $a $b || return 1
	! grep -qE '^esp[46] ' /proc/modules || { echo "esp4/esp6 got loaded"; return 1; }
	[ "$(stat $SPI_AB)" -ge 200 ] || { echo "veil in $B did not decrypt"; return 1; }
}

ktap_print_header
ktap_set_plan 22

check "two namespaces joined by veth" setup
check "veil to veil with the kernel's esp4 and esp6 not loaded" no_esp_modules
# Veil's SAs in $A were this case's alone.
printf 'policy flush\nsa flush\n' | "$VEIL" -n "$A" -batch -

for fam in 4 6; do
	for mode in transport tunnel; do
		check "IPv$fam $mode, rfc4106(gcm(aes)) 128-bit key: both ways" \
			both $fam $mode aead 'rfc4106(gcm(aes))' $K20 128
		# The same AEAD path as above with another key or cipher: a
		# quarter MB each way is enough (and keeps make check short).
		check "IPv$fam $mode, rfc4106(gcm(aes)) 256-bit key: 256 KB" \
			quick $fam $mode aead 'rfc4106(gcm(aes))' $K36 128
		check "IPv$fam $mode, rfc7539esp(chacha20,poly1305): 256 KB" \
			quick $fam $mode aead 'rfc7539esp(chacha20,poly1305)' $K36 128
		check "IPv$fam $mode, cbc(aes) with hmac(sha256) 128" \
			both $fam $mode enc 'cbc(aes)' $K16 auth-trunc 'hmac(sha256)' $K32 128
		check "IPv$fam $mode, ecb(cipher_null) with hmac(sha256) 128" \
			both $fam $mode enc 'ecb(cipher_null)' '' auth-trunc 'hmac(sha256)' $K32 128
	done
done

ktap_finished

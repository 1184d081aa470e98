#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ESP both ways against the kernel's own IPsec: namespace veil-fa uses
# XFRM (ip xfrm), veil-fb uses veil, with the same two SAs, one per
# direction, and matching policies (topology in esp_lib.sh).
#
# Tunnels of IPv4 in IPv6 and IPv6 in IPv4 with the five algorithms the
# issue lists (a ping and XFER_MB megabytes of TCP each way, as esp.sh), then every
# other algorithm veil offers for ESP with a ping and 256 KB each way.

. "$(dirname "$0")/lib.sh"

A=veil-fa
B=veil-fb
. "$(dirname "$0")/esp_lib.sh"
. "$(dirname "$0")/esp_pair.sh"

ktap_print_header
ktap_set_plan 20

check "two namespaces joined by veth" setup

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

check "IPv4 transport, rfc4106(gcm(aes)) 192-bit key, 64-bit ICV: ping, 256 KB each way" \
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

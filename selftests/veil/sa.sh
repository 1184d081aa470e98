#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `veil sa` and `veil policy` with the ip-xfrm grammar, end to end against
# the module, in a namespace of their own:
#
#   [ veil-sa ]   no links; the SAD and SPD are the subject
#
# Lines from `ip xfrm` must work unchanged once `ip xfrm state` becomes
# `veil sa` and `ip xfrm policy` becomes `veil policy`.

. "$(dirname "$0")/lib.sh"

NS=veil-sa
KEY=0x0102030405060708090a0b0c0d0e0f1011121314
v() { "$VEIL" -n "$NS" "$@"; }

cleanup() {
	ip netns del "$NS" 2>/dev/null
	rm -f "$OUT" "$KEYFILE"
}
trap cleanup EXIT
ip netns add "$NS"
KEYFILE=$(mktemp)

ktap_print_header
ktap_set_plan 22

check "the issue's sa add line works unchanged" \
	v sa add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x1000 reqid 1 mode tunnel \
	aead 'rfc4106(gcm(aes))' $KEY 128 replay-window 128 flag esn

check "the issue's policy add line works unchanged" \
	v policy add src 10.1.0.0/24 dst 10.2.0.0/24 dir out \
	tmpl src 192.0.2.1 dst 192.0.2.2 proto esp mode tunnel reqid 1

sa_list_text() {
	expect_status 0 v sa list &&
	output_has '^src 192\.0\.2\.1 dst 192\.0\.2\.2' &&
	output_has 'proto esp spi 0x00001000 reqid 1 mode tunnel' &&
	output_has 'rfc4106\(gcm\(aes\)\)' &&
	! grep -q 0102030405 "$OUT" || { cat "$OUT"; return 1; }
}
check "veil sa list shows the SA like ip xfrm state, key masked" sa_list_text

keys_shown() {
	expect_status 0 v --keys sa list && output_has "$KEY"
}
check "veil --keys sa list shows the key" keys_shown

sa_json() {
	expect_status 0 v -j -s sa list || return 1
	"$PYTHON" - "$OUT" <<'PY'
import json, sys
l = json.load(open(sys.argv[1]))
assert len(l) == 1, l
sa = l[0]
assert sa["spi"] == 0x1000 and sa["reqid"] == 1 and sa["replay-window"] == 128, sa
assert sa["aead"]["name"] == "rfc4106(gcm(aes))" and sa["aead"]["icv-len"] == 128, sa
assert sa["aead"].get("key") is None, sa
assert "stats" in sa and sa["stats"]["packets"] == 0, sa
PY
}
check "veil -j -s sa list is JSON with counters and no key" sa_json

check "veil sa get finds it" v sa get src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x1000

key_file() {
	echo "${KEY#0x}" > "$KEYFILE"
	v sa add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x1001 reqid 2 mode tunnel \
		aead 'rfc4106(gcm(aes))' "@$KEYFILE" 128 || return 1
	expect_status 0 v --keys sa get dst 192.0.2.2 proto esp spi 0x1001 && output_has "$KEY"
}
check "a key read from @FILE is the key" key_file

ipv6_cbc_hmac() {
	v sa add src 2001:db8::1 dst 2001:db8::2 proto esp spi 0x2000 reqid 3 mode transport \
		enc 'cbc(aes)' 0x00112233445566778899aabbccddeeff \
		auth-trunc 'hmac(sha256)' 0x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff 128 &&
	v sa add src 2001:db8::1 dst 2001:db8::2 proto ah spi 0x2001 \
		auth 'hmac(sha1)' 0x0011223344556677889900112233445566778899 &&
	expect_status 0 v sa list dst 2001:db8::2 && output_has 'spi 0x00002000' &&
	output_has 'spi 0x00002001'
}
check "IPv6 ESP (cbc + hmac) and AH SAs" ipv6_cbc_hmac

filters() {
	local n
	n=$(v -j sa list proto ah | "$PYTHON" -c 'import json,sys; print(len(json.load(sys.stdin)))')
	[ "$n" = 1 ] || { echo "proto ah: $n"; return 1; }
	n=$(v -j sa list reqid 2 | "$PYTHON" -c 'import json,sys; print(len(json.load(sys.stdin)))')
	[ "$n" = 1 ] || { echo "reqid 2: $n"; return 1; }
	n=$(v -j sa list mode tunnel | "$PYTHON" -c 'import json,sys; print(len(json.load(sys.stdin)))')
	[ "$n" = 2 ] || { echo "mode tunnel: $n"; return 1; }
	n=$(v -j sa list spi 0x2000 | "$PYTHON" -c 'import json,sys; print(len(json.load(sys.stdin)))')
	[ "$n" = 1 ] || { echo "spi 0x2000: $n"; return 1; }
	n=$(v -j sa list src 192.0.2.0/24 | "$PYTHON" -c 'import json,sys; print(len(json.load(sys.stdin)))')
	[ "$n" = 2 ] || { echo "src 192.0.2.0/24: $n"; return 1; }
}
check "veil sa list filters by proto, reqid, mode, spi and src" filters

count_four() {
	expect_status 0 v sa count && output_has 'SAD count 4'
}
check "veil sa count" count_four

update() {
	v sa update src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x1000 reqid 1 mode tunnel \
		aead 'rfc4106(gcm(aes))' $KEY 128 replay-window 256 flag esn &&
	expect_status 0 v sa get dst 192.0.2.2 proto esp spi 0x1000 && output_has 'replay-window 256'
}
check "veil sa update replaces the SA" update

kernel_reason() {
	expect_status 1 v sa add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x10 \
		aead 'rfc4106(gcm(aes))' $KEY 128 &&
	output_has 'SPI must be 256 or more: 1 to 255 are reserved \(RFC 4303\)' &&
	expect_status 1 v sa add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x1000 \
		aead 'rfc4106(gcm(aes))' $KEY 128 &&
	output_has 'an SA with this destination, SPI and protocol already exists' &&
	expect_status 1 v sa add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x3000 \
		aead 'rfc4106(gcm(aes))' 0x0102 128 &&
	output_has 'rfc4106\(gcm\(aes\)\) takes a 20, 28 or 36 byte key'
}
check "kernel refusals are printed as the kernel phrased them, exit 1" kernel_reason

cli_refusals() {
	expect_status 2 v sa add src 192.0.2.1 dst 2001:db8::2 proto esp spi 0x3000 \
		aead 'rfc4106(gcm(aes))' $KEY 128 &&
	expect_status 2 v sa add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x3000 \
		aead 'rfc4106(gcm(aes))' 0x123 128 &&
	expect_status 2 v sa add src 192.0.2.1 dst 192.0.2.2 proto udp spi 0x3000 &&
	expect_status 2 v sa frobnicate
}
check "malformed lines print usage, exit 2" cli_refusals

unprivileged() {
	expect_status 1 ip netns exec "$NS" setpriv --reuid=65534 --regid=65534 --clear-groups \
		--inh-caps=-all --bounding-set=-all "$VEIL" sa add src 192.0.2.1 dst 192.0.2.2 \
		proto esp spi 0x4000 aead 'rfc4106(gcm(aes))' $KEY 128 &&
	output_has 'needs CAP_NET_ADMIN' &&
	expect_status 0 v sa count && output_has 'SAD count 4'
}
check "an unprivileged add is refused and nothing changes" unprivileged

check "veil sa del" v sa del src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x1001

policy_list() {
	expect_status 0 v policy list &&
	output_has '^src 10\.1\.0\.0/24 dst 10\.2\.0\.0/24' &&
	output_has 'dir out' &&
	output_has 'tmpl src 192\.0\.2\.1 dst 192\.0\.2\.2' &&
	output_has 'proto esp' && output_has 'reqid 1 mode tunnel'
}
check "veil policy list shows the policy like ip xfrm policy" policy_list

policy_more() {
	v policy add src 10.1.0.0/24 dst 10.2.0.0/24 dir in \
		tmpl src 192.0.2.2 dst 192.0.2.1 proto esp mode tunnel reqid 1 level use &&
	v policy add src 2001:db8:1::/64 dst 2001:db8:2::/64 proto tcp dport 443 dir fwd \
		priority 10 action block &&
	expect_status 0 v policy count && output_has 'SPD IN 1 -- SPD OUT 1 -- SPD FWD 1'
}
check "policies in every direction, IPv6, ports and block" policy_more

policy_lookup() {
	v policy add src 10.1.0.0/16 dst 10.2.0.0/16 dir out priority 10 &&
	expect_status 0 v policy lookup src 10.1.0.7 dst 10.2.0.9 proto tcp dport 443 dir out &&
	output_has '^src 10\.1\.0\.0/24 dst 10\.2\.0\.0/24' &&
	expect_status 0 v policy lookup src 10.1.7.7 dst 10.2.9.9 dir out &&
	output_has '^src 10\.1\.0\.0/16 dst 10\.2\.0\.0/16' &&
	expect_status 0 v -j policy lo src 10.1.7.7 dst 10.2.9.9 dir out &&
	"$PYTHON" -c 'import json,sys; p = json.load(open(sys.argv[1])); assert p["priority"] == 10, p' "$OUT" &&
	expect_status 1 v policy lookup src 10.9.0.1 dst 10.2.0.1 dir out &&
	output_has 'no policy matches this flow' &&
	expect_status 2 v policy lookup src 10.1.0.0/24 dst 10.2.0.1 dir out &&
	output_has 'host addresses, not prefixes' &&
	# "l" is still list, as in ip xfrm policy
	expect_status 0 v policy l && output_has '^src 10\.1\.0\.0/16' &&
	v policy del src 10.1.0.0/16 dst 10.2.0.0/16 dir out
}
check "veil policy lookup finds the policy a flow gets" policy_lookup

policy_dup() {
	expect_status 1 v policy add src 10.1.0.0/24 dst 10.2.0.0/24 dir out \
		tmpl src 192.0.2.1 dst 192.0.2.2 proto esp mode tunnel reqid 1 &&
	output_has 'a policy with this selector, direction and interface id exists'
}
check "a duplicate policy is refused with the kernel's reason" policy_dup

policy_get_del() {
	local idx
	idx=$(v -j policy get src 10.1.0.0/24 dst 10.2.0.0/24 dir in |
	      "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["index"])') || return 1
	v policy get index "$idx" >/dev/null &&
	v policy del index "$idx" &&
	expect_status 1 v policy get index "$idx" && output_has 'no such policy' &&
	v policy del src 10.1.0.0/24 dst 10.2.0.0/24 dir out
}
check "veil policy get and del, by selector and by index" policy_get_del

flushes() {
	v policy flush && v sa flush proto ah &&
	expect_status 0 v sa count && output_has 'SAD count 2' &&
	v sa flush &&
	expect_status 0 v sa count && output_has 'SAD count 0' &&
	expect_status 0 v policy count && output_has 'SPD IN 0 -- SPD OUT 0 -- SPD FWD 0'
}
check "veil sa flush [proto] and veil policy flush" flushes

other_ns_untouched() {
	expect_status 0 "$VEIL" sa count && output_has 'SAD count 0'
}
check "the initial namespace never saw any of it" other_ns_untouched

ktap_finished

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `veil monitor` sees every event as it happens, in text and JSON,
# including an SA's soft and then hard expiry from short time limits.

. "$(dirname "$0")/lib.sh"

NS=veil-mon
KEY=0x0102030405060708090a0b0c0d0e0f1011121314
v() { "$VEIL" -n "$NS" "$@"; }
JSONL=$(mktemp)
TEXT=$(mktemp)

cleanup() {
	[ -n "$MJ" ] && kill "$MJ" 2>/dev/null
	[ -n "$MT" ] && kill "$MT" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	rm -f "$OUT" "$JSONL" "$TEXT"
}
trap cleanup EXIT
ip netns add "$NS"

ktap_print_header
ktap_set_plan 4

v -j monitor > "$JSONL" 2>&1 &
MJ=$!
v monitor > "$TEXT" 2>&1 &
MT=$!
nap 1

events() {
	v sa add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x1000 reqid 9 mode tunnel \
		aead 'rfc4106(gcm(aes))' $KEY 128 limit time-soft 1 limit time-hard 2 &&
	v policy add src 10.1.0.0/24 dst 10.2.0.0/24 dir out \
		tmpl src 192.0.2.1 dst 192.0.2.2 proto esp mode tunnel reqid 9 &&
	v policy flush
}
check "add an SA with 1 s soft and 2 s hard limits, add and flush a policy" events

nap 4
kill "$MJ" "$MT"
wait "$MJ" "$MT" 2>/dev/null
MJ= MT=

json_order() {
	"$PYTHON" - "$JSONL" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
names = [(e["event"], e.get("hard")) for e in ev]
want = [("sa-new", None), ("policy-new", None), ("policy-del", None),
        ("sa-expire", False), ("sa-expire", True), ("sa-del", None)]
assert names == want, names
assert all(e.get("spi") == 0x1000 for e in ev if e["event"].startswith("sa-")), ev
PY
}
check "veil -j monitor: sa-new, policy-new, policy-del, soft then hard expiry, sa-del" json_order

text_lines() {
	grep -q "^Added SA" "$TEXT" && grep -q "^Added policy" "$TEXT" &&
	grep -q "^Deleted policy" "$TEXT" && grep -q "^Expired SA.*soft" "$TEXT" &&
	grep -q "^Expired SA.*hard" "$TEXT" && grep -q "^Deleted SA" "$TEXT" ||
		{ cat "$TEXT"; return 1; }
}
check "veil monitor prints the same events as text" text_lines

gone() {
	expect_status 0 v sa count && output_has 'SAD count 0'
}
check "the hard limit deleted the SA" gone

ktap_finished

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The SA and policy commands driven by the kernel's ynl CLI from the spec
# alone: the spec, the uapi header and the module agree on every
# attribute, in both directions.

. "$(dirname "$0")/lib.sh"

YNL=$VEIL_BUILD/ynl
SPEC=$VEIL_ROOT/Documentation/netlink/specs/veil.yaml
SCHEMA=$YNL/Documentation/netlink/genetlink.yaml
REPLY=$(mktemp)
trap 'rm -f "$OUT" "$REPLY"' EXIT

ynl() {
	"$PYTHON" "$YNL/tools/net/ynl/cli.py" --spec "$SPEC" --schema "$SCHEMA" \
		--output-json "$@"
}

# 192.0.2.1 -> 192.0.2.2, SPI 0x1000, AES-GCM-128 with a 4-byte salt.
SA_ID='"family": 2, "dst": "c0000202", "proto": "esp", "spi": 4096'
SA_NEW='{ '"$SA_ID"', "src": "c0000201", "mode": "tunnel", "reqid": 7,
	"aead": { "name": "rfc4106(gcm(aes))", "icv-len": 128,
		  "key": "000102030405060708090a0b0c0d0e0f10111213" },
	"replay-window": 128, "flags": 1,
	"lifetime": { "soft-add-seconds": 3000, "hard-add-seconds": 3600 },
	"selector": { "family": 2, "src": "0a010000", "src-prefix-len": 24,
		      "dst": "0a020000", "dst-prefix-len": 24 } }'

ktap_print_header
ktap_set_plan 10

ynl --do sa-flush --json '{}' >/dev/null 2>&1

check "ynl sa-new adds an SA" ynl --do sa-new --json "$SA_NEW"

get_matches() {
	ynl --do sa-get --json "{ $SA_ID }" > "$REPLY" || { cat "$REPLY"; return 1; }
	"$PYTHON" - "$REPLY" <<'PY'
import json, sys
sa = json.load(open(sys.argv[1]))
assert sa["src"] == "c0000201" and sa["dst"] == "c0000202", sa
assert sa["spi"] == 4096 and sa["proto"] == "esp" and sa["mode"] == "tunnel", sa
assert sa["reqid"] == 7 and sa["replay-window"] == 128, sa
assert sa["aead"]["name"] == "rfc4106(gcm(aes))" and sa["aead"]["icv-len"] == 128, sa
assert "key" not in sa["aead"], "key sent without the keys flag"
assert sa["lifetime"]["hard-add-seconds"] == 3600, sa
assert sa["selector"]["src-prefix-len"] == 24, sa
assert sa["stats"]["packets"] == 0 and sa["stats"]["add-time"] > 0, sa
PY
}
check "ynl sa-get returns every attribute, and no key" get_matches

keys_on_request() {
	ynl --do sa-get --json "{ $SA_ID, \"keys\": true }" > "$REPLY" || { cat "$REPLY"; return 1; }
	grep -q '000102030405060708090a0b0c0d0e0f10111213' "$REPLY" || { cat "$REPLY"; return 1; }
}
check "ynl sa-get with the keys flag returns the key" keys_on_request

dump_lists() {
	ynl --dump sa-get > "$REPLY" || { cat "$REPLY"; return 1; }
	"$PYTHON" -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d) == 1 and d[0]["spi"] == 4096, d' "$REPLY"
}
check "ynl sa-get dump lists the SA" dump_lists

check "ynl sa-del deletes it" ynl --do sa-del --json "{ $SA_ID }"

gone() {
	! ynl --do sa-get --json "{ $SA_ID }" > "$REPLY" 2>&1 &&
	grep -q "no SA with this destination" "$REPLY" || { cat "$REPLY"; return 1; }
}
check "ynl sa-get after del fails with the kernel's reason" gone

POL='{ "selector": { "family": 2, "src": "0a010000", "src-prefix-len": 24,
		   "dst": "0a020000", "dst-prefix-len": 24 },
	"dir": "out", "priority": 100,
	"tmpl": [ { "family": 2, "src": "c0000201", "dst": "c0000202",
		    "proto": "esp", "mode": "tunnel", "reqid": 7 } ] }'

policy_new() {
	ynl --do policy-new --json "$POL" > "$REPLY" || { cat "$REPLY"; return 1; }
	"$PYTHON" -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["index"] > 0, r' "$REPLY"
}
check "ynl policy-new adds a policy and returns its index" policy_new

policy_dump() {
	ynl --dump policy-get > "$REPLY" || { cat "$REPLY"; return 1; }
	"$PYTHON" - "$REPLY" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert len(d) == 1, d
p = d[0]
assert p["dir"] == "out" and p["priority"] == 100 and p["action"] == "allow", p
t = p["tmpl"][0] if isinstance(p["tmpl"], list) else p["tmpl"]
assert t["reqid"] == 7 and t["mode"] == "tunnel" and t["dst"] == "c0000202", p
assert p["selector"]["dst-prefix-len"] == 24, p
PY
}
check "ynl policy-get dump returns the policy and its template" policy_dump

policy_dup() {
	! ynl --do policy-new --json "$POL" > "$REPLY" 2>&1 &&
	grep -q "a policy with this selector, direction and interface id exists" "$REPLY" ||
		{ cat "$REPLY"; return 1; }
}
check "a second identical policy-new is refused with the reason" policy_dup

check "ynl policy-flush empties the SPD" ynl --do policy-flush --json '{}'

ktap_finished

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The SA commands driven by the kernel's ynl CLI from the spec alone:
# the spec, the uapi header and the module agree on every attribute of
# an SA, both directions.

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
ktap_set_plan 6

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

ktap_finished

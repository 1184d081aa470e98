#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A second client that shares no code with veil: the kernel's own ynl CLI,
# driven purely by Documentation/netlink/specs/veil.yaml. If the module
# and the spec disagree on the wire, this is where it shows.

. "$(dirname "$0")/lib.sh"

YNL=$VEIL_BUILD/ynl
SPEC=$VEIL_ROOT/Documentation/netlink/specs/veil.yaml
SCHEMA=$YNL/Documentation/netlink/genetlink.yaml
REPLY=$(mktemp)
trap 'rm -f "$OUT" "$REPLY" "$REPLY.veil"' EXIT

ktap_print_header
ktap_set_plan 2

ynl_info() {
	"$PYTHON" "$YNL/tools/net/ynl/cli.py" --spec "$SPEC" --schema "$SCHEMA" \
		--do info --output-json
}

ynl_parses() {
	ynl_info > "$REPLY" 2>&1 || { cat "$REPLY"; return 1; }
	"$PYTHON" - "$REPLY" "$VEIL_VERSION" <<'PY'
import json, sys
info = json.load(open(sys.argv[1]))
assert info["version"] == sys.argv[2], info
names = [a["name"] for a in info["alg"]]
assert "rfc4106(gcm(aes))" in names, names
for a in info["alg"]:
    assert a["type"] in ("aead", "cipher", "auth"), a
PY
}
check "ynl --do info decodes the reply using the spec" ynl_parses

same_as_veil() {
	ynl_info > "$REPLY" 2>&1 || { cat "$REPLY"; return 1; }
	"$VEIL" -j info > "$REPLY.veil" || return 1
	"$PYTHON" - "$REPLY" "$REPLY.veil" <<'PY'
import json, sys
y = json.load(open(sys.argv[1]))
v = json.load(open(sys.argv[2]))
assert y["version"] == v["version"]
yn = [(a["name"], a["type"], sorted(a["uses"]), "available" in a) for a in y["alg"]]
vn = [(a["name"], a["type"], sorted(a["uses"]), a["available"]) for a in v["algorithms"]]
assert yn == vn, (yn, vn)
PY
}
check "ynl and veil agree on every algorithm" same_as_veil

ktap_finished

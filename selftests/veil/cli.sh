#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The veil CLI against the loaded module: text and JSON output, exit
# statuses, and that reading needs no privilege.

. "$(dirname "$0")/lib.sh"

ktap_print_header
ktap_set_plan 16

info_text() {
	expect_status 0 "$VEIL" info &&
	[ "$(head -n 1 "$OUT")" = "veil $VEIL_VERSION" ] &&
	output_has '^rfc4106\(gcm\(aes\)\) +aead +esp +yes$' &&
	output_has '^hmac\(sha256\) +auth +esp,ah +yes$' &&
	output_has '^gcm\(aes\) +aead +tls +yes$'
}
check "veil info prints the version and the algorithm table" info_text

# The transforms the foundation issue names must all be there and usable.
info_json() {
	expect_status 0 "$VEIL" -j info || return 1
	"$PYTHON" - "$OUT" "$VEIL_VERSION" <<'PY'
import json, sys
info = json.load(open(sys.argv[1]))
assert info["version"] == sys.argv[2], info["version"]
algs = {a["name"]: a for a in info["algorithms"]}
assert len(algs) == len(info["algorithms"]), "duplicate names"
for a in info["algorithms"]:
    assert set(a) == {"name", "type", "uses", "available"}, a
    assert a["type"] in ("aead", "cipher", "auth"), a
    assert a["uses"] and set(a["uses"]) <= {"esp", "ah", "tls"}, a
need = {"rfc4106(gcm(aes))": "aead", "rfc7539esp(chacha20,poly1305)": "aead",
        "cbc(aes)": "cipher", "hmac(sha256)": "auth", "gcm(aes)": "aead",
        "ccm(aes)": "aead", "rfc4309(ccm(aes))": "aead",
        "ecb(cipher_null)": "cipher", "digest_null": "auth",
        "rfc3686(ctr(aes))": "cipher", "rfc4543(gcm(aes))": "aead"}
for name, typ in need.items():
    assert name in algs, name + " missing"
    assert algs[name]["type"] == typ, algs[name]
    assert algs[name]["available"] is True, name + " not available"
PY
}
check "veil -j info is JSON with every expected algorithm available" info_json

pretty_json() {
	expect_status 0 "$VEIL" -j -p info &&
	[ "$(wc -l < "$OUT")" -gt 20 ] &&
	"$PYTHON" -c 'import json,sys; json.load(open(sys.argv[1]))' "$OUT"
}
check "veil -j -p info is indented JSON" pretty_json

version() {
	expect_status 0 "$VEIL" -V && [ "$(cat "$OUT")" = "veil $VEIL_VERSION" ]
}
check "veil -V prints the version" version

help() {
	expect_status 0 "$VEIL" help && output_has '^Usage: veil ' &&
	expect_status 0 "$VEIL" info help && output_has '^Usage: veil info'
}
check "veil help and veil info help print usage" help

check "unambiguous prefixes select the object, as in ip" "$VEIL" inf

unknown_object() {
	expect_status 2 "$VEIL" frobnicate && output_has 'unknown object "frobnicate"' &&
	output_has '^Usage: veil '
}
check "unknown object prints usage, exit 2" unknown_object

unknown_option() {
	expect_status 2 "$VEIL" -Z info && output_has 'unknown option' &&
	expect_status 2 "$VEIL" -n && output_has 'needs an argument' &&
	expect_status 2 "$VEIL" && output_has 'no object given'
}
check "bad or missing options print usage, exit 2" unknown_option

extra_argument() {
	expect_status 2 "$VEIL" info bogus && output_has 'info takes no arguments'
}
check "veil info with arguments prints usage, exit 2" extra_argument

missing_netns() {
	expect_status 1 "$VEIL" -n veil-no-such-ns info &&
	output_has 'cannot open network namespace "veil-no-such-ns"'
}
check "veil -n with a missing namespace explains, exit 1" missing_netns

unprivileged() {
	expect_status 0 setpriv --reuid=65534 --regid=65534 --clear-groups \
		--inh-caps=-all --bounding-set=-all "$VEIL" info &&
	output_has "^veil $VEIL_VERSION"
}
check "veil info needs no privilege" unprivileged

json_stdout_only() {
	"$VEIL" -j info 2>/dev/null | "$PYTHON" -c 'import json,sys; json.load(sys.stdin)'
}
check "JSON goes to stdout alone" json_stdout_only

# The namespace counters of stats-get, in the spec's order.
STATS_NAMES=(in-packets in-bytes out-packets out-bytes replay-drops
	integrity-failures bad-padding policy-drops cleartext-drops no-sa blocked
	too-big expired other-drops tls-tx-current tls-rx-current tls-tx-total
	tls-rx-total tls-decrypt-errors tls-rekeys tls-tx-lost)

stats_text() {
	local name
	expect_status 0 "$VEIL" stats || return 1
	for name in "${STATS_NAMES[@]}"; do
		output_has "^$name [0-9]+\$" || return 1
	done
	[ "$(cut -d ' ' -f 1 "$OUT" | tr '\n' ' ')" = "${STATS_NAMES[*]} " ] ||
		{ echo "not the ${#STATS_NAMES[@]} counters in order:"; cat "$OUT"; return 1; }
	expect_status 0 "$VEIL" stats show && [ "$(wc -l < "$OUT")" -eq ${#STATS_NAMES[@]} ]
}
check "veil stats and veil stats show print the 21 counters" stats_text

# stats_json [VALUE]: $OUT is a JSON object of the counters, in order,
# each a number (VALUE, when given).
stats_json() {
	"$PYTHON" - "$OUT" "${1:-}" "${STATS_NAMES[@]}" <<'PY'
import json, sys
stats = json.load(open(sys.argv[1]))
want = sys.argv[3:]
assert list(stats) == want, list(stats)
for k, v in stats.items():
    assert type(v) is int and v >= 0, (k, v)
    assert sys.argv[2] == "" or v == int(sys.argv[2]), (k, v)
PY
}

json_stats() {
	expect_status 0 "$VEIL" -j stats && stats_json
}
check "veil -j stats is JSON with the 21 counters" json_stats

fresh_stats() {
	expect_status 0 unshare -n "$VEIL" -j stats && stats_json 0
}
check "a new namespace's counters are all 0" fresh_stats

stats_bogus() {
	expect_status 2 "$VEIL" stats bogus &&
	output_has 'unknown stats command "bogus"' && output_has '^Usage: veil stats'
}
check "veil stats with an unknown command prints usage, exit 2" stats_bogus

ktap_finished

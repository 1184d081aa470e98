#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Host-side checks of the veil binary that need no kernel module: exit
# statuses, usage errors, the not-loaded message, and -batch line
# numbers. (tests/parse_test covers what the parsers build.) KTAP output;
# exits non-zero when a check fails.
#
#   tests/cli_test.sh path/to/veil

VEIL=${1:-veil/veil}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
n=0
failed=0
NOTLOADED="the veil kernel module is not loaded; load it with 'modprobe veil'"
KEY=0x0102030405060708090a0b0c0d0e0f1011121314
SA="src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x1000 reqid 1 mode tunnel aead rfc4106(gcm(aes)) $KEY 128 replay-window 128 flag esn"

# expect NAME STATUS STDERR-PATTERN -- veil args...
# An empty pattern means stderr must be empty.
expect() {
	name=$1 want=$2 pattern=$3
	shift 4
	n=$((n + 1))
	"$VEIL" "$@" >"$TMP/out" 2>"$TMP/err"
	got=$?
	if [ -z "$pattern" ]; then
		[ ! -s "$TMP/err" ]
	else
		grep -q -e "$pattern" "$TMP/err"
	fi
	matched=$?
	if [ "$got" -eq "$want" ] && [ "$matched" -eq 0 ]; then
		echo "ok $n $name"
	else
		echo "not ok $n $name"
		echo "# exit $got (want $want); stderr:"
		sed 's/^/#   /' "$TMP/err"
		failed=$((failed + 1))
	fi
}

if "$VEIL" info >/dev/null 2>&1 || grep -q '^veil ' /proc/modules 2>/dev/null; then
	echo "1..0 # SKIP veil.ko is loaded here; these checks expect it absent"
	exit 0
fi

echo "KTAP version 1"
echo "1..86"
expect "sa add, no module" 1 "^veil: $NOTLOADED\$" -- sa add $SA
expect "state alias" 1 "$NOTLOADED" -- state add $SA
expect "policy add, no module" 1 "$NOTLOADED" -- policy add src 10.1.0.0/24 dst 10.2.0.0/24 dir out tmpl src 192.0.2.1 dst 192.0.2.2 proto esp mode tunnel reqid 1
expect "sa list, no module" 1 "$NOTLOADED" -- sa list
expect "sa with no verb lists" 1 "$NOTLOADED" -- sa
expect "policy count, no module" 1 "$NOTLOADED" -- -j policy count
expect "monitor, no module" 1 "$NOTLOADED" -- monitor
expect "bad mode is a usage error" 2 'veil: unknown mode "beet"' -- sa add src 192.0.2.1 dst 192.0.2.2 proto esp spi 1 mode beet
expect "usage shows the sa grammar" 2 "^Usage: veil sa" -- sa add src 192.0.2.1
expect "unknown sa verb" 2 'unknown sa command "frob"' -- sa frob
expect "unknown policy word" 2 'unknown argument "frob" to policy add' -- policy add dir out frob
expect "bad list filter" 2 'unknown argument "color" to sa list' -- sa list color red
expect "monitor bad class" 2 'unknown event class "tls"' -- monitor tls
expect "sa help" 0 "" -- sa help
expect "-force needs -batch" 2 "only for -batch" -- -force sa list
expect "stats, no module" 1 "^veil: $NOTLOADED\$" -- stats
expect "stats show, no module" 1 "$NOTLOADED" -- -j stats show
expect "unknown stats verb" 2 'unknown stats command "bogus"' -- stats bogus
expect "stats show takes no arguments" 2 'stats show takes no arguments' -- stats show x
expect "stats help" 0 "" -- stats help
expect "st still abbreviates state" 2 'unknown sa command "frob"' -- st frob
expect "encap, no module" 1 "^veil: $NOTLOADED\$" -- encap
expect "encap add, no module" 1 "$NOTLOADED" -- encap add port 4500 local 192.0.2.1
expect "encap del, no module" 1 "$NOTLOADED" -- encap delete port 4500 family inet6
expect "enc abbreviates encap" 1 "$NOTLOADED" -- -j enc sh
expect "e is not encap" 2 'unknown object "e"' -- e show
expect "encap help" 0 "" -- encap help
expect "encap add help" 0 "" -- encap add help
expect "unknown encap verb" 2 'unknown encap command "frob"' -- encap frob
expect "encap usage" 2 "^Usage: veil encap" -- encap add family inet
expect "encap missing port" 2 'missing "port PORT"' -- encap add family inet
expect "encap port 0" 2 'port "0" is out of range (1 to 65535)' -- encap add port 0
expect "encap port too big" 2 'port "65536" is out of range' -- encap del port 65536
expect "encap bad family" 2 'unknown family "ipx"' -- encap add port 4500 family ipx
expect "encap local of the other family" 2 'local "::1" is an IPv6 address, but family is inet' -- encap add port 4500 family inet local ::1
expect "encap port twice" 2 '"port" given twice' -- encap add port 4500 port 4501
expect "encap unknown word" 2 'unknown argument "frob" to encap add' -- encap add port 4500 frob
expect "encap del takes no local" 2 'encap del takes no "local"' -- encap del port 4500 local 192.0.2.1
expect "encap list takes no arguments" 2 'encap list takes no arguments (got "x")' -- encap list x
expect "sa if_id twice" 2 '"if-id" given twice' -- sa add $SA if_id 5 if-id 5
expect "sa if_id too big" 2 'if_id "4294967296" is out of range' -- sa add $SA if_id 4294967296
expect "link help" 0 "" -- link help
expect "link add help" 0 "" -- link add help
expect "l abbreviates link" 2 'unknown link command "frob"' -- l frob
expect "link usage" 2 "^Usage: veil link" -- link add
expect "link add missing NAME" 2 'missing NAME' -- link add if_id 5
expect "link name too long" 2 'interface name "abcdefghijklmnop" is longer than 15 characters' -- link add abcdefghijklmnop
expect "link name not valid" 2 'interface name "a/b" is not valid' -- link add a/b
expect "link if_id 0" 2 'if_id 0 means no interface' -- link add veil0 if_id 0
expect "link if_id too big" 2 'if_id "0x100000000" is out of range (1 to 4294967295)' -- link add veil0 if_id 0x100000000
expect "link if_id not a number" 2 'if_id "x" is not a number' -- link add veil0 if-id x
expect "link if_id twice" 2 '"if_id" given twice' -- link add veil0 if_id 1 if-id 2
expect "link add extra argument" 2 'unknown argument "type" to link add' -- link add veil0 type veil
expect "link del missing NAME" 2 'missing NAME' -- link del
expect "link del extra argument" 2 'unknown argument "veil1" to link del' -- link delete veil0 veil1
expect "link del takes no if_id" 2 'link del takes no "if_id"' -- link del veil0 if_id 5
expect "link show extra argument" 2 'unknown argument "x" to link show' -- link show veil0 x
printf 'link add veil0 if_id 0\n' >"$TMP/b4"
expect "link in batch" 1 '^veil: line 1: if_id 0 means no interface' -- -batch "$TMP/b4"

printf '# comment\n\nsa add src 192.0.2.1 dst 192.0.2.2 proto esp spi 1 mode beet\nsa list\n' >"$TMP/b1"
expect "batch stops at line 3" 1 '^veil: line 3: unknown mode "beet"' -- -batch "$TMP/b1"
n=$((n + 1))
if grep -q "line 4" "$TMP/err"; then
	echo "not ok $n batch ran past the failing line"; failed=$((failed + 1))
else
	echo "ok $n batch ran nothing past the failing line"
fi
expect "batch -force goes on" 1 "^veil: line 4: $NOTLOADED\$" -- -force -batch "$TMP/b1"
n=$((n + 1))
if grep -q "Usage:" "$TMP/err"; then
	echo "not ok $n batch repeats the grammar"; failed=$((failed + 1))
else
	echo "ok $n batch prints no grammar"
fi
printf "sa add 'unterminated\n" >"$TMP/b2"
expect "batch quote error" 1 "line 1: unterminated ' quote" -- -b "$TMP/b2"
expect "batch from stdin" 1 "line 1: $NOTLOADED" -- -batch - <<EOF2
sa count
EOF2
expect "batch missing file" 1 'cannot open batch file' -- -batch "$TMP/nonexistent"
printf '  # nothing to do\n\n' >"$TMP/b3"
expect "empty batch succeeds" 0 "" -- -batch "$TMP/b3"
expect "bad key file" 2 'cannot read key file' -- sa add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x1000 aead x @"$TMP/none" 128

# veil ike: the control socket's client, without and with a daemon (a
# stand-in that answers from a script, one answer per connection).
expect "ike, no daemon" 1 "^veil: veil-iked is not running (no control socket at $TMP/no.ctl)\$" -- --ctl "$TMP/no.ctl" ike list
VEIL_IKED_CTL="$TMP/env.ctl"; export VEIL_IKED_CTL
expect "ike socket from the environment" 1 "no control socket at $TMP/env.ctl" -- ike status
unset VEIL_IKED_CTL
expect "ike up needs a NAME" 2 "ike up needs a NAME" -- ike up
expect "ike up bad timeout" 2 'timeout "soon": seconds' -- ike up gw timeout soon
for c in list status reload; do
	expect "ike $c takes no arguments" 2 "ike $c takes no arguments (got \"x\")" -- ike $c x
done
expect "ike down takes one NAME" 2 "ike down takes one NAME" -- ike down a b
expect "unknown ike command" 2 'unknown ike command "frob"' -- ike frob
expect "ike help" 0 "" -- ike help
expect "i is still info" 1 "$NOTLOADED" -- i

# ok_if NAME COMMAND...: a check of COMMAND's success.
ok_if() {
	name=$1
	shift
	n=$((n + 1))
	if "$@"; then
		echo "ok $n $name"
	else
		echo "not ok $n $name"
		failed=$((failed + 1))
	fi
}

# fake_iked ANSWER...: serves each answer to one client, the last one to
# every client after; writes the requests it got to $TMP/requests.
fake_iked() {
	rm -f "$TMP/fake.ctl" "$TMP/requests"
	python3 - "$TMP/fake.ctl" "$TMP/requests" "$@" <<'PY' &
import os, socket, sys
path, log, answers = sys.argv[1], sys.argv[2], sys.argv[3:]
s = socket.socket(socket.AF_UNIX)
s.bind(path)
s.listen(4)
i = 0
while True:
    c, _ = s.accept()
    c.settimeout(5)
    req = b""
    while not req.endswith(b"\n"):
        b = c.recv(4096)
        if not b:
            break
        req += b
    with open(log, "a") as f:
        f.write(req.decode())
    c.sendall(answers[min(i, len(answers) - 1)].encode() + b"\n")
    c.close()
    i += 1
PY
	FAKE_PID=$!
	i=0
	while [ ! -S "$TMP/fake.ctl" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
}
fake_stop() { kill "$FAKE_PID" 2>/dev/null; wait "$FAKE_PID" 2>/dev/null; }

SA_UP='{"conn":"gw","state":"established","initiator":true,"local":"192.0.2.1","local_port":500,"remote":"192.0.2.2","remote_port":500,"spi_i":"0102030405060708","spi_r":"1112131415161718","proposal":"aes128gcm16-prfsha256-x25519","natt":false,"nat_local":false,"nat_remote":false,"peer_id":"sun.example","established_secs":75,"rekey_secs":14000,"children":[{"name":"net","state":"installed","reqid":1,"mode":"tunnel","protocol":"esp","spi_in":"c0000001","spi_out":"c0000002","proposal":"aes128gcm16","encap":false,"local_ts":["10.1.0.0/16"],"remote_ts":["10.2.0.0/16"],"bytes_in":840,"packets_in":10,"bytes_out":1680,"packets_out":20,"rekey_secs":3000}],"pending":[]}'
SA_CONNECTING='{"conn":"gw","state":"connecting","initiator":true,"local":"192.0.2.1","local_port":500,"remote":"192.0.2.2","remote_port":500,"spi_i":"0102030405060708","spi_r":"0000000000000000","children":[],"pending":["net"]}'
SA_NOCHILD='{"conn":"gw","state":"established","initiator":true,"local":"192.0.2.1","local_port":500,"remote":"192.0.2.2","remote_port":500,"spi_i":"0102030405060708","spi_r":"1112131415161718","children":[],"pending":[]}'
CONNS='[{"name":"gw","ike_sas":1,"children":[{"name":"net","start_action":"none","trapped":false}]},{"name":"idle","ike_sas":0,"children":[{"name":"c","start_action":"trap","trapped":true}]}]'
UP='{"ok":true,"conn":"gw","child":"net","already":false}'

fake_iked "{\"ok\":true,\"ike_sas\":[$SA_UP],\"conns\":$CONNS}"
n=$((n + 1))
"$VEIL" --ctl "$TMP/fake.ctl" ike list >"$TMP/out" 2>"$TMP/err"
if grep -q '^gw: established, initiator, 192.0.2.1\[500\] === 192.0.2.2\[500\] (sun.example)$' "$TMP/out" &&
   grep -q 'spi-i 0x0102030405060708 spi-r 0x1112131415161718 nat none' "$TMP/out" &&
   grep -q 'established 1m15s ago rekey in 3h53m' "$TMP/out" &&
   grep -q 'child net reqid 1 installed mode tunnel proto esp' "$TMP/out" &&
   grep -q 'local-ts 10.1.0.0/16 remote-ts 10.2.0.0/16' "$TMP/out" &&
   grep -q 'in 840 bytes 10 packets out 1680 bytes 20 packets rekey in 50m0s' "$TMP/out" &&
   grep -q '^idle: no IKE SA$' "$TMP/out" && grep -q 'child c start-action trap trap installed' "$TMP/out" &&
   ! grep -q '^gw: no IKE SA' "$TMP/out" && grep -qx '{"cmd":"list"}' "$TMP/requests"; then
	echo "ok $n ike list prints the daemon's SAs"
else
	echo "not ok $n ike list prints the daemon's SAs"; sed 's/^/#   /' "$TMP/out" "$TMP/err"
	failed=$((failed + 1))
fi
expect "ike list -j passes the daemon's objects" 0 "" -- --ctl "$TMP/fake.ctl" -j ike list
n=$((n + 1))
if python3 -c 'import json, sys; j = json.load(open(sys.argv[1])); assert "ok" not in j and j["ike_sas"][0]["children"][0]["spi_in"] == "c0000001"' "$TMP/out"; then
	echo "ok $n ike list -j is the daemon's JSON, without ok"
else
	echo "not ok $n ike list -j is the daemon's JSON, without ok"; failed=$((failed + 1))
fi
fake_stop

fake_iked '{"ok":false,"error":"no connection named \"nope\""}'
expect "ike up: the daemon's error" 1 '^veil: no connection named "nope"$' -- --ctl "$TMP/fake.ctl" ike up nope
ok_if "ike up sends its request as one JSON line" grep -qx '{"cmd":"up","name":"nope"}' "$TMP/requests"
fake_stop

# up waits: connecting, then the child is in
fake_iked "$UP" "{\"ok\":true,\"ike_sas\":[$SA_CONNECTING],\"conns\":[]}" "{\"ok\":true,\"ike_sas\":[$SA_UP],\"conns\":[]}"
expect "ike up waits for the child" 0 "" -- --ctl "$TMP/fake.ctl" ike up gw.net
ok_if "ike up polled list until the child was in" [ "$(grep -c list "$TMP/requests")" -eq 2 ]
fake_stop
fake_iked "$UP" "{\"ok\":true,\"ike_sas\":[$SA_CONNECTING],\"conns\":[]}" '{"ok":true,"ike_sas":[],"conns":[]}'
expect "ike up: the IKE SA failed" 1 'the IKE SA of gw failed' -- --ctl "$TMP/fake.ctl" ike up gw.net
fake_stop
fake_iked "$UP" "{\"ok\":true,\"ike_sas\":[$SA_NOCHILD],\"conns\":[]}"
expect "ike up: the child failed" 1 'its child net failed' -- --ctl "$TMP/fake.ctl" ike up gw.net
fake_stop
fake_iked "$UP" "{\"ok\":true,\"ike_sas\":[$SA_CONNECTING],\"conns\":[]}"
expect "ike up: timeout" 1 'gw.net is not up after 1 s' -- --ctl "$TMP/fake.ctl" ike up gw.net timeout 1
fake_stop
fake_iked 'not json at all'
expect "ike: a daemon that talks nonsense" 1 "answer is not JSON" -- --ctl "$TMP/fake.ctl" ike status
fake_stop

echo "# $failed of $n checks failed"
[ "$failed" -eq 0 ]

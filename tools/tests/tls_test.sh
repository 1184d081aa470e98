#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host-side checks of veil-tls that need no kernel module: usage errors,
# the not-loaded message, and --fallback, which carries the records in
# OpenSSL when veil.ko is absent, against openssl s_server and curl on
# loopback. (The VM suite selftests/veil/veil_tls.sh tests the kernel
# path.) KTAP output; exits non-zero when a check fails.
#
#   tests/tls_test.sh path/to/veil-tls

VTLS=$(realpath "${1:-tls/veil-tls}")
TMP=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
n=0
failed=0
NOTLOADED="veil.ko is not loaded (modprobe veil)"

ok() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		sed 's/^/#   /' "$TMP/err"
		failed=$((failed + 1))
	fi
}

# expect NAME STATUS STDERR-PATTERN -- veil-tls args...
expect() {
	local name=$1 want=$2 pattern=$3 got
	shift 4
	"$VTLS" "$@" >"$TMP/out" 2>"$TMP/err" </dev/null
	got=$?
	[ "$got" -eq "$want" ] && grep -q -e "$pattern" "$TMP/err"
	ok $? "$name"
}

# A free TCP port on loopback.
port() {
	local p
	for p in $(shuf -i 20000-60000 -n 20); do
		! ss -Htln "sport = :$p" | grep -q . && { echo "$p"; return; }
	done
}

# wait_port PORT: something listens on it.
wait_port() {
	local i
	for i in $(seq 50); do
		ss -Htln "sport = :$1" | grep -q . && return 0
		sleep 0.1
	done
	return 1
}

if grep -q '^veil ' /proc/modules 2>/dev/null; then
	echo "1..0 # SKIP veil.ko is loaded here; these checks expect it absent"
	exit 0
fi

echo "KTAP version 1"
echo "1..16"
expect "no command is a usage error" 2 "Usage: veil-tls" --
expect "unknown command" 2 "unknown command 'frob'" -- frob
expect "unknown option" 2 "'--frob' is not an option of this command" -- connect --frob x:1
expect "an option of another command" 2 "'--root' is not an option" -- connect --root / x:1
expect "serve needs --root" 2 "serve: --root DIR is required" -- serve --listen 127.0.0.1:1 --cert c --key k
expect "a --cert needs its --key" 2 "each --cert needs its --key" -- proxy --listen 127.0.0.1:1 --backend 127.0.0.1:2 --cert c
expect "--tls1.2 with --tls1.3" 2 "exclude each other" -- connect --tls1.2 --tls1.3 x:1
expect "--idle-timeout takes whole seconds" 2 "idle-timeout takes whole seconds" -- \
	serve --idle-timeout 1.5 --listen 127.0.0.1:1 --cert c --key k --root /
expect "connect without the module" 1 "^veil-tls: $NOTLOADED; --fallback" -- connect 127.0.0.1:1
expect "serve without the module" 1 "$NOTLOADED" -- serve --listen 127.0.0.1:1 --cert c --key k --root /

cd "$TMP" || exit 1
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout key.pem \
	-out cert.pem -days 2 -subj /CN=localhost \
	-addext "subjectAltName=DNS:localhost,IP:127.0.0.1" 2>/dev/null
mkdir www && echo "index" > www/index.html && head -c 300000 /dev/urandom > www/blob

# connect --fallback to openssl s_server: the handshake, then OpenSSL's records.
p=$(port)
openssl s_server -quiet -rev -naccept 1 -accept "127.0.0.1:$p" -cert cert.pem -key key.pem \
	>/dev/null 2>&1 &
pids+=($!)
wait_port "$p"
echo "abc" | "$VTLS" connect --fallback --ca cert.pem "localhost:$p" >out 2>err
[ $? -eq 0 ] && grep -q "^cba" out && grep -q "records: userspace ($NOTLOADED)" err
ok $? "connect --fallback carries the records in userspace"

# A suite the kernel cannot carry is said to be so.
p=$(port)
openssl s_server -quiet -rev -naccept 1 -accept "127.0.0.1:$p" -cert cert.pem -key key.pem \
	>/dev/null 2>&1 &
pids+=($!)
wait_port "$p"
echo "xyz" | "$VTLS" connect --fallback --tls1.2 --ciphers ECDHE-ECDSA-AES128-SHA \
	--ca cert.pem "localhost:$p" >out 2>err
[ $? -eq 0 ] && grep -q "^zyx" out &&
	grep -q "records: userspace (ECDHE-ECDSA-AES128-SHA cannot be offloaded" err
ok $? "a CBC suite: cannot be offloaded, and --fallback goes on"

# serve --fallback to curl; then proxy --fallback in front of serve... in
# front of a plaintext busybox httpd.
p=$(port)
"$VTLS" serve --fallback --listen "127.0.0.1:$p" --cert cert.pem --key key.pem --root www \
	2>serve.log &
pids+=($!)
wait_port "$p"
curl -sf --cacert cert.pem "https://localhost:$p/blob" -o got 2>err && cmp -s got www/blob
ok $? "serve --fallback sends a file to curl"
curl -s --cacert cert.pem -o /dev/null -w '%{http_code}' "https://localhost:$p/nothing" \
	>code 2>err && [ "$(cat code)" = 404 ]
ok $? "serve --fallback: 404"

# --idle-timeout 1: five keep-alive requests half a second apart are all
# answered, then the quiet connection is closed (ss sees it go) about a
# second later, while its client still has 5 s of input to wait for. The
# clock starts when the handshake is done (s_client says "verify
# return"): on a busy machine s_client's start and the handshake took
# seconds, and the requests wait for them.
p=$(port)
"$VTLS" serve --fallback --idle-timeout 1 --listen "127.0.0.1:$p" --cert cert.pem \
	--key key.pem --root www 2>idle.log &
pids+=($!)
wait_port "$p"
rm -f err idle.done
# The writer keeps s_client's input open up to 5 s more, until told it is
# done: waiting for s_client waits for the writer too.
(for i in $(seq 100); do grep -q 'verify return' err 2>/dev/null && break; sleep 0.1; done
	for i in 1 2 3 4 5; do printf 'GET / HTTP/1.1\r\nHost: localhost\r\n\r\n'; sleep 0.5; done
	for i in $(seq 50); do [ -e idle.done ] && break; sleep 0.1; done) | timeout 20 openssl s_client -quiet -connect "127.0.0.1:$p" >idle.out 2>err &
c=$!
for i in $(seq 100); do grep -q 'verify return' err 2>/dev/null && break; sleep 0.1; done
t0=$SECONDS
sleep 1
for i in $(seq 100); do
	ss -Htn state established "( sport = :$p )" | grep -q . || break
	sleep 0.1
done
t=$((SECONDS - t0))
touch idle.done
wait $c
echo "# the idle connection was closed after $t s; $(grep -c '^HTTP/1.1 200' idle.out) responses"
[ "$(grep -c '^HTTP/1.1 200' idle.out)" = 5 ] && [ $t -ge 3 ] && [ $t -le 6 ]
ok $? "serve --idle-timeout 1: busy keep-alive kept, idle one closed"

b=$(port)
busybox httpd -f -p "127.0.0.1:$b" -h www &
pids+=($!)
p=$(port)
"$VTLS" proxy --fallback --listen "127.0.0.1:$p" --backend "127.0.0.1:$b" --cert cert.pem \
	--key key.pem 2>proxy.log &
pids+=($!)
wait_port "$b" && wait_port "$p"
curl -sf --cacert cert.pem "https://localhost:$p/blob" -o got 2>err && cmp -s got www/blob
ok $? "proxy --fallback relays a file from a plaintext backend"

echo "# $failed of $n checks failed"
[ "$failed" -eq 0 ]

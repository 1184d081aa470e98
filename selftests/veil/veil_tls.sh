#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# veil-tls, the handshake tool, against peers that are not veil: its
# client against OpenSSL's s_server, its HTTPS server and its TLS proxy
# against OpenSSL's s_client and curl, with the records in veil.ko.
#
#   [ veil-tc ] 10.94.0.1 ------------ veth ------------ 10.94.0.2 [ veil-ts ]
#     clients   fd00:94::1                               fd00:94::2   servers
#
#   in veil-ts, on 10.94.0.2 unless [v6]:
#     :443       veil-tls serve, ECDSA and RSA certificates, default ciphers
#     [v6]:443   veil-tls serve, --ciphersuites naming TLS_AES_128_CCM_SHA256,
#                --groups P-384 (a HelloRetryRequest for an X25519 share)
#     :444       veil-tls serve --client-ca
#     :445       veil-tls serve --tls1.2 --ciphers AES128-GCM-SHA256 (RSA)
#     :8443      veil-tls proxy, ECDSA, RSA and CCM, to busybox httpd :8080
#     [v6]:8443  veil-tls proxy to an echo server (busybox nc -e cat) :8081
#     :4433      openssl s_server -www, ECDSA and RSA, every suite
#     :4434      openssl s_server -www -Verify (client certificates), P-384 only
#     :4435      openssl s_server -www with an expired certificate
#     :4436      half a ServerHello, then close
#
# The VM has two vCPUs and, under TCG, starting a program linked with
# OpenSSL takes a good part of a second: the tests of veil-tls connect
# (against s_server and the like) run one after the other in the
# background while those of serve and proxy run, and so does the 100 MB
# download; their results are checked after.
#
# The cases of veil-tls's own logic (HTTP, timeouts, certificate checks,
# resumption, leaks, refusals) do not depend on the kernel: with this
# suite in VEIL_ELSEWHERE (lib.sh's daemon_check) only those that put
# records through veil.ko run: every suite both ways, KeyUpdates, the
# sendfile download, half-closes, the early request and the kernel's
# counters.

. "$(dirname "$0")/lib.sh"

VTLS=${VEIL_TLS_TOOL:-$VEIL_ROOT/tools/tls/veil-tls}
C=veil-tc S=veil-ts
V4=10.94.0.2 V6=fd00:94::2
T=$(mktemp -d)
# The certificates, made at build time by pki.sh (three CAs, the
# server's ECDSA and RSA certificates, an expired one, a client's).
P=$VEIL_BUILD/selftests/veil/tls-pki
W=$T/www A=$T/connect
declare -A PID
BG=()
# The 100 MB file: ChaCha20 of zeros under a fixed key, so its SHA-256 is
# known and need not be computed here.
BIG_KEY=7665696c2d746c732d73656c66746573742d3130302d6d622d66696c65212121
BIG_SHA=6e55142ed4858e57cbb9d92e932170f64e4a2fe47f91bfbf4f22b1f20fc1b758
TLS13=(TLS_AES_128_GCM_SHA256 TLS_AES_256_GCM_SHA384 TLS_CHACHA20_POLY1305_SHA256
	TLS_AES_128_CCM_SHA256)
TLS12=(ECDHE-ECDSA-AES128-GCM-SHA256 ECDHE-ECDSA-AES256-GCM-SHA384
	ECDHE-ECDSA-CHACHA20-POLY1305 ECDHE-RSA-AES128-GCM-SHA256)
ALL13=$(IFS=:; echo "${TLS13[*]}")
declare -A IANA=(
	[ECDHE-ECDSA-AES128-GCM-SHA256]=TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
	[ECDHE-ECDSA-AES256-GCM-SHA384]=TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384
	[ECDHE-ECDSA-CHACHA20-POLY1305]=TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256
	[ECDHE-RSA-AES128-GCM-SHA256]=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
	[AES128-GCM-SHA256]=TLS_RSA_WITH_AES_128_GCM_SHA256
)

cleanup() {
	local p
	for p in "${PID[@]}" "${BG[@]}" $(ip netns pids $C 2>/dev/null) $(ip netns pids $S 2>/dev/null); do
		kill "$p" 2>/dev/null
	done
	wait 2>/dev/null
	ip netns del $C 2>/dev/null
	ip netns del $S 2>/dev/null
	rm -rf "$T" "$OUT"
}
trap cleanup EXIT

mkdir -p $W $A

inc() { ip netns exec $C "$@"; }
ins() { ip netns exec $S "$@"; }

# counters NS: veil's TLS counters in NS as "name=value ...".
counters() {
	"$VEIL" -n "$1" stats | awk '/^tls/ { printf "%s=%s ", $1, $2 }'
}

# counter NS NAME: one of them.
counter() {
	"$VEIL" -n "$1" stats | awk -v n="$2" '$1 == n { print $2 }'
}

topology() {
	printf 'netns add %s\n' $C $S | ip -batch - &&
	ip -n $C link add eth0 type veth peer name eth0 netns $S &&
	printf 'link set lo up\naddr add %s dev eth0\naddr add %s dev eth0 nodad\nlink set eth0 up\n' \
		10.94.0.1/24 fd00:94::1/64 | ip -n $C -batch - &&
	printf 'link set lo up\naddr add %s dev eth0\naddr add %s dev eth0 nodad\nlink set eth0 up\n' \
		$V4/24 $V6/64 | ip -n $S -batch -
}

# The document root. In the background: the 100 MB file made, and
# once the servers listen, fetched by curl from serve over IPv6.
docroot() {
	mkdir -p $W/sub $W/empty && ln -s /etc $W/out || return 1
	echo '<h1>veil</h1>' > $W/index.html
	echo 'sub index' > $W/sub/index.html
	echo 'hello from veil-tls' > $W/hello.txt
	head -c 3000 /dev/urandom > $W/data.xyz
	printf 'GET / HTTP/1.0\r\n\r\n' > $T/get
	: > $T/httpd.conf
	# Half a ServerHello: a record header for 64 bytes, then 2 of them.
	printf '#!/bin/sh\ndd bs=65536 count=1 >/dev/null 2>&1\nprintf "\\026\\003\\003\\000\\100\\002\\000"\n' > $T/half
	chmod +x $T/half
	{
		openssl enc -chacha20 -K $BIG_KEY -iv 00000000000000000000000000000000 -in /dev/zero \
			2>/dev/null | head -c 100M > $W/big.bin
		for i in $(seq 300); do [ -e $T/up ] && break; nap 0.2; done
		timeout $((120 * SLOW)) ip netns exec $C curl -sSg --cacert $P/ca.pem \
			--tls13-ciphers TLS_CHACHA20_POLY1305_SHA256 "https://[$V6]/big.bin" 2>$T/big.err |
			sha256sum > $T/big.sum
	} &
	BIG=$!
	BG+=($BIG)
}

# srv NAME COMMAND...: COMMAND in veil-ts, output to $T/NAME.log. (ip
# netns exec execs COMMAND: $! is COMMAND's.)
srv() {
	local n=$1
	shift
	ip netns exec $S "$@" </dev/null >$T/$n.log 2>&1 &
	PID[$n]=$!
}

SERVE=("$VTLS" serve --root $W)
SSRV=(openssl s_server -www -ciphersuites "$ALL13" -cert $P/rsa.pem -key $P/rsa.key
	-dcert $P/server.pem -dkey $P/server.key)
# What listens, as ss shows it.
LISTEN=("$V4:443" "[$V6]:443" "$V4:444" "$V4:445" "$V4:446" "$V4:8443" "[$V6]:8443" "$V4:4433"
	"$V4:4434" "$V4:4435" "*:4436" "$V4:8080" "*:8081")

servers() {
	local n i missing
	srv s6 "${SERVE[@]}" --listen "[$V6]:443" --cert $P/server.pem --key $P/server.key \
		--ciphersuites "$ALL13" --groups P-384
	srv s444 "${SERVE[@]}" --listen $V4:444 --cert $P/server.pem --key $P/server.key \
		--client-ca $P/clientca.pem
	srv httpd busybox httpd -f -p $V4:8080 -h $W -c $T/httpd.conf
	srv echo busybox nc -ll -p 8081 -e /bin/cat
	srv half busybox nc -ll -p 4436 -e $T/half
	srv p6 "$VTLS" proxy --listen "[$V6]:8443" --backend 127.0.0.1:8081 \
		--cert $P/server.pem --key $P/server.key
	srv x4435 openssl s_server -www -accept $V4:4435 -cert $P/expired.pem -key $P/expired.key
	srv v4434 openssl s_server -www -accept $V4:4434 -cert $P/server.pem -key $P/server.key \
		-Verify 1 -CAfile $P/clientca.pem -groups P-384
	srv s443 env SSLKEYLOGFILE=$T/serve.keylog "${SERVE[@]}" --listen $V4:443 \
		--cert $P/server.pem --key $P/server.key --cert $P/rsa.pem --key $P/rsa.key
	srv s445 "${SERVE[@]}" --listen $V4:445 --cert $P/rsa.pem --key $P/rsa.key \
		--tls1.2 --ciphers AES128-GCM-SHA256
	srv s446 "${SERVE[@]}" --listen $V4:446 --cert $P/server.pem --key $P/server.key \
		--idle-timeout 2
	srv p4 "$VTLS" proxy --listen $V4:8443 --backend $V4:8080 --ciphersuites "$ALL13" \
		--cert $P/server.pem --key $P/server.key --cert $P/rsa.pem --key $P/rsa.key
	srv o4433 "${SSRV[@]}" -accept $V4:4433 -keylogfile $T/s_server.keylog
	for i in $(seq 100); do
		ins ss -Htln > $T/ss
		missing=$(awk 'BEGIN { for (n = 1; n < ARGC; n++) { w[n] = ARGV[n]; delete ARGV[n] } }
			{ l[$4] = 1 } END { for (i = 1; i < n; i++) if (!l[w[i]]) { print w[i]; exit } }' \
			"${LISTEN[@]}" < $T/ss)
		[ -z "$missing" ] && break
		nap 0.1
	done
	for n in "${!PID[@]}"; do
		kill -0 ${PID[$n]} 2>/dev/null || { echo "$n exited:"; cat $T/$n.log; return 1; }
	done
	[ -z "$missing" ] || { echo "nothing listens on $missing:"; cat $T/ss; return 1; }
	for n in s443:$V4:443 "s6:[$V6]:443" s444:$V4:444 s445:$V4:445 p4:$V4:8443 "p6:[$V6]:8443"; do
		grep -qxF "veil-tls: listening on ${n#*:}" $T/${n%%:*}.log ||
			{ echo "${n%%:*} did not say it listens on ${n#*:}:"; cat $T/${n%%:*}.log; return 1; }
	done
}

# A connection left mid-handshake: the servers drop it after 10 s.
stall_start() {
	inc bash -c 'exec 3<>/dev/tcp/$0/443 || exit 2
		printf "\x16\x03\x01\x00\xc8\x01\x00\x00\xc4\x03\x03" >&3
		t0=$EPOCHREALTIME; timeout 30 cat <&3 >/dev/null; echo $? $t0 $EPOCHREALTIME' $V6 \
		> $T/stall 2>&1 &
	STALL=$!
	BG+=($STALL)
}

# cn ARGS...: veil-tls connect in veil-tc with $IN (default a GET) on
# stdin and $KEYLOG for SSLKEYLOGFILE; stdout in $R.o, stderr in $R.e.
R=$T/fg
cn() {
	ip netns exec $C ${KEYLOG:+env SSLKEYLOGFILE=$KEYLOG} timeout 20 "$VTLS" connect "$@" \
		<"${IN:-$T/get}" >$R.o 2>$R.e
}

# The connect tests, one after the other in the background: a NAME
# ARGS... leaves connect's output in $A/NAME.o, .e and .rc.
a() {
	local R=$A/$1
	shift
	cn "$@"
	echo $? > $R.rc
}

connect_batch() {
	local c
	for c in "${TLS13[@]}"; do
		KEYLOG=$T/connect.keylog a $c --ca $P/ca.pem --tls1.3 --ciphersuites $c $V4:4433
	done
	for c in "${TLS12[@]}" AES128-GCM-SHA256; do
		KEYLOG=$T/connect.keylog a $c --ca $P/ca.pem --tls1.2 --ciphers $c \
			--servername server.test $V4:4433
	done
	a cbc --ca $P/ca.pem --tls1.2 --ciphers ECDHE-ECDSA-AES128-SHA256 $V4:4433
	a fallback --ca $P/ca.pem --tls1.2 --ciphers ECDHE-ECDSA-AES128-SHA256 --fallback $V4:4433
	elsewhere && return
	# s_server there takes P-384 only: connect's X25519 share gets a
	# HelloRetryRequest, and the handshake can only finish through it.
	a cert --ca $P/ca.pem --cert $P/client.pem --key $P/client.key --tls1.3 \
		--groups X25519:P-384 $V4:4434
	for c in "1.3 --ciphersuites TLS_AES_128_GCM_SHA256" "1.2 --ciphers ECDHE-ECDSA-AES128-GCM-SHA256"; do
		set -- $c
		a sess-out$1 --ca $P/ca.pem --tls$1 $2 $3 --sess-out $T/sess$1 $V4:4433
		a sess-in$1 --ca $P/ca.pem --tls$1 $2 $3 --sess-in $T/sess$1 $V4:4433
	done
	a insecure --insecure $V4:4435
	a name --ca $P/ca.pem --servername wrong.test $V4:4433
	a unknown-ca --ca $P/rogue.pem $V4:4433
	a expired --ca $P/ca.pem $V4:4435
	a no-cert --ca $P/ca.pem $V4:4434
	a plaintext --ca $P/ca.pem $V4:8080
	a half --ca $P/ca.pem $V4:4436
	a refused --ca $P/ca.pem $V4:9
	a version --ca $P/ca.pem --tls1.3 $V4:445
}

# result NAME: the background connect NAME (once they are all done):
# its status in RC, stderr in E, stdout in O.
result() {
	[ -z "$BATCH" ] || { wait $BATCH; BATCH=; }
	R=$A/$1
	read -r RC < $R.rc
	E=$(<$R.e) O=$(<$R.o)
}

show() {
	echo "veil-tls connect exited $RC; stderr:"
	cat $R.e
	echo "stdout:"
	head -c 1500 $R.o
	echo
}

# has TEXT LINE: TEXT has a line LINE.
has() { [[ $'\n'$1$'\n' == *$'\n'"$2"$'\n'* ]]; }

# connect_ok NAME PROTOCOL CIPHER: connect NAME succeeded with PROTOCOL
# and CIPHER (OpenSSL's name or IANA's), records in veil, and the
# s_server's page agrees.
connect_ok() {
	local proto=$2 cipher=$3
	result $1
	[ $RC -eq 0 ] && has "$E" "protocol: $proto" &&
	{ has "$E" "cipher: $cipher" || has "$E" "cipher: ${IANA[$cipher]}"; } &&
	has "$E" "records: kernel (veil)" && has "$O" "New, $proto, Cipher is $cipher" || { show; return 1; }
}

# connect_fails NAME PATTERN: connect NAME exited 1 with one line
# "veil-tls: ...PATTERN..." (besides what it says of a handshake that
# completed), and wrote nothing to stdout.
connect_fails() {
	local l n=0 why
	result $1
	while IFS= read -r l; do
		case $l in
		"protocol: "* | "cipher: "* | "resumed: "* | "records: "*) ;;
		*) n=$((n + 1)) why=${l,,} ;;
		esac
	done < $R.e
	[ $RC -eq 1 ] && [ -z "$O" ] && [ $n = 1 ] && [[ $why =~ ^veil-tls:\ .*(${2,,}) ]] || { show; return 1; }
}

resumed() { # resumed 1.2|1.3 CIPHER
	connect_ok sess-out$1 TLSv$1 $2 && has "$E" "resumed: no" && [ -s $T/sess$1 ] ||
		{ echo "no session saved"; return 1; }
	result sess-in$1
	[ $RC -eq 0 ] && has "$E" "resumed: yes" && has "$O" "Reused, TLSv$1, Cipher is $2" || { show; return 1; }
}

# Every line of the key log $1 (not empty) is in $2: the secrets logged
# are the ones the peer used. (A client also logs the encrypted premaster
# secret of static RSA, which its server cannot log: "RSA" lines.)
keylog_in() {
	[ -s "$1" ] && ! grep -v '^#\|^RSA ' "$1" | grep -vxFf "$2" ||
		{ echo "$1:"; cat "$1"; echo "$2:"; cat "$2"; return 1; }
}

connect_keylog() {
	result TLS_AES_128_GCM_SHA256
	keylog_in $T/connect.keylog $T/s_server.keylog || return 1
	echo "$(grep -c '^CLIENT_RANDOM ' $T/connect.keylog) TLS 1.2," \
		"$(grep -c '^CLIENT_TRAFFIC_SECRET_0 ' $T/connect.keylog) TLS 1.3 connections"
	[ "$(grep -c '^CLIENT_RANDOM ' $T/connect.keylog)" = 5 ] &&
	[ "$(grep -c '^CLIENT_TRAFFIC_SECRET_0 ' $T/connect.keylog)" = 4 ] &&
	[ "$(grep -c '^SERVER_HANDSHAKE_TRAFFIC_SECRET ' $T/connect.keylog)" = 4 ]
}

fallback() {
	connect_fails cbc "cannot be offloaded" || return 1
	result fallback
	[ $RC -eq 0 ] && [[ $'\n'$E == *$'\nrecords: userspace ('* ]] &&
	has "$O" "New, TLSv1.2, Cipher is ECDHE-ECDSA-AES128-SHA256" || { show; return 1; }
}

insecure() {
	result insecure
	[ $RC -eq 0 ] && has "$E" "veil-tls: warning: --insecure: the server is not authenticated" &&
	[[ $O == *$'\nNew, TLSv1.3, '* ]] || { show; return 1; }
}

client_cert() {
	result cert
	[ $RC -eq 0 ] && has "$E" "records: kernel (veil)" && [[ $O =~ Subject:\ CN\ ?=\ ?veil\ client ]] ||
		{ show; return 1; }
}

# curl in veil-tc: -sS, the test CA, and server.test at 10.94.0.2.
CURL=(timeout 60 ip netns exec $C curl -sSg)
CA=(--cacert $P/ca.pem --resolve server.test:443:$V4 --resolve server.test:444:$V4
	--resolve server.test:445:$V4 --resolve server.test:8443:$V4)

# curl_suites URL SIZE [!]VERSION:SUITE[@URL2]...: one curl, a connection
# per suite, each to URL (or URL2): a 200 with SIZE bytes and that suite,
# or with "!", no connection; one more key in veil-ts per connection.
curl_suites() {
	local url=$1 size=$2 s u args=() want=() codes=() got before after n=0
	shift 2
	for s; do
		u=$url
		[[ $s == *@* ]] && u=${s#*@} s=${s%@*}
		[ ${#args[@]} -gt 0 ] && args+=(--next)
		args+=("${CA[@]}" -o /dev/null -w '%{http_code} %{size_download}\n' "$u")
		if [[ $s == !* ]]; then
			s=${s#!}
			codes+=("000 0")
		else
			codes+=("200 $size")
			want+=("TLSv${s%%:*} / ${s#*:}")
			n=$((n + 1))
		fi
		if [ "${s%%:*}" = 1.3 ]; then
			args+=(--tlsv1.3 --tls13-ciphers "${s#*:}")
		else
			args+=(--tlsv1.2 --tls-max 1.2 --ciphers "${s#*:}")
		fi
	done
	before=$(counter $S tls-tx-total)
	"${CURL[@]}" -v "${args[@]}" >$T/o 2>$T/e
	after=$(counter $S tls-tx-total)
	got=$(sed -n 's/^\* SSL connection using //p' $T/e)
	[ "$got" = "$(printf '%s\n' "${want[@]}")" ] &&
	[ "$(cat $T/o)" = "$(printf '%s\n' "${codes[@]}")" ] &&
	[ $((after - before)) -ge $n ] || {
		sed -n 's/^curl: //p' $T/e
		echo "negotiated:"; echo "$got"
		echo "status and size:"; cat $T/o
		echo "veil-ts tls-tx-total $before -> $after"
		return 1
	}
}

# HTTP on serve: one curl, several requests on one connection.
http_run() {
	local u=https://server.test w='%{http_code} %{content_type} %{size_download} %{num_connects}\n'
	"${CURL[@]}" -v "${CA[@]}" --path-as-is -w "$w" \
		-o $T/index.out $u/ -o /dev/null $u/hello.txt -o /dev/null $u/data.xyz \
		-o $T/sub.out $u/sub/ -o /dev/null $u/missing.txt -o /dev/null $u/empty/ \
		-o /dev/null $u/../../etc/passwd -o /dev/null $u/%2e%2e/%2e%2e/etc/passwd \
		-o /dev/null $u/out/passwd -o /dev/null $u/sub/../../../etc/passwd \
		--next "${CA[@]}" -I -D $T/head.h -o /dev/null -w "$w" $u/data.xyz \
		--next "${CA[@]}" -o /dev/null -w "$w" $u/data.xyz \
		--next "${CA[@]}" -X POST -d x -D $T/post.h -o /dev/null -w "$w" $u/hello.txt \
		>$T/http 2>$T/http.v
	cat $T/http
	[ "$(wc -l < $T/http)" = 13 ] || { sed -n 's/^curl: //p' $T/http.v; return 1; }
}

line() { sed -n "$1p" $T/http; }

http_get() {
	http_run || return 1
	[[ "$(line 1)" == "200 text/html"*" 14 1" ]] && cmp $W/index.html $T/index.out &&
	[[ "$(line 2)" == "200 text/plain"*" 20 "? ]] &&
	[[ "$(line 3)" == "200 application/octet-stream 3000 "? ]]
}

http_dirs() {
	[[ "$(line 4)" == "200 text/html"*" 10 "? ]] && cmp $W/sub/index.html $T/sub.out &&
	[[ "$(line 5)" == "404 "* ]] && [[ "$(line 6)" == "404 "* ]]
}

http_escape() {
	local i
	for i in 7 8 9 10; do
		[[ "$(line $i)" =~ ^40[04]\  ]] || { echo "request $i: $(line $i)"; return 1; }
	done
	! grep -q "root:" $T/http.v
}

# HEAD: the headers of a GET, no body: curl then reads the next
# response on the same connection right.
http_head() {
	cat $T/head.h
	[[ "$(line 11)" == "200 "*" 0 "? ]] && grep -qix 'content-length: 3000.' $T/head.h &&
	[[ "$(line 12)" == "200 application/octet-stream 3000 0" ]]
}

http_post() {
	cat $T/post.h
	[[ "$(line 13)" == "405 "* ]] && grep -qix 'allow: GET, HEAD.' $T/post.h
}

http_keepalive() {
	grep "Re-using existing connection" $T/http.v | head -3
	[ "$(grep -c "Re-using existing connection" $T/http.v)" -ge 3 ] &&
	[[ "$(line 2)" == *" 0" ]] && [[ "$(line 3)" == *" 0" ]]
}

# raw PORT REQUEST: REQUEST through s_client; the response in $T/raw.
raw() {
	printf "$2" | timeout 10 ip netns exec $C openssl s_client -quiet -connect $V4:$1 \
		-CAfile $P/ca.pem >$T/raw 2>/dev/null
}

# HTTP/1.0: the server closes after the response; HEAD has no body.
http_raw_head() {
	raw 443 'HEAD /hello.txt HTTP/1.0\r\n\r\n' || { echo "s_client: $?"; cat $T/raw; return 1; }
	cat $T/raw
	head -n 1 $T/raw | grep -q "^HTTP/1\.[01] 200" && grep -qix 'content-length: 20.' $T/raw &&
	[ "$(tail -c 4 $T/raw | od -An -c | tr -d ' ')" = '\r\n\r\n' ]
}

# serve on [V6]:443 takes P-384 only: s_client's X25519 key share gets
# a HelloRetryRequest, and the handshake can only finish through it.
hello_retry() {
	printf 'GET /hello.txt HTTP/1.0\r\n\r\n' | timeout 10 ip netns exec $C openssl s_client \
		-connect "[$V6]:443" -servername server.test -CAfile $P/ca.pem -tls1_3 \
		-groups X25519:P-384 -ign_eof -msg >$T/hrr 2>&1 || { cat $T/hrr; return 1; }
	# -msg shows the HelloRetryRequest as a first, shorter ServerHello.
	[ "$(grep -c '^<<< TLS 1.3, Handshake .*, ServerHello$' $T/hrr)" = 2 ] &&
	grep -Eq "Server Temp Key: ECDH, (P-384|secp384r1)" $T/hrr && grep -q "hello from veil-tls" $T/hrr ||
		{ cat $T/hrr; return 1; }
}

# serve --idle-timeout 2: three keep-alive requests a second apart are
# all answered; then the quiet connection is closed (ss in the server's
# namespace sees it go) about 2 s later, while s_client would have
# waited 10 s more. The clock starts with the first request, sent once
# s_client has verified the server: a slow handshake (seconds on the
# debug kernel) is not idle time.
idle() {
	local c i t t0 n
	rm -f $T/idle $T/idle.t0 $T/idle.done
	# The requests' writer keeps s_client's input open up to 10 s more,
	# until told it is done: waiting for s_client waits for it too.
	(wait_for $((50 * SLOW)) grep -q 'verify return' $T/idle
		echo $EPOCHREALTIME > $T/idle.t0
		for i in 1 2 3; do printf 'GET /hello.txt HTTP/1.1\r\nHost: server.test\r\n\r\n'; nap 1; done
		wait_for 50 test -e $T/idle.done) | timeout $((20 * SLOW)) ip netns exec $C openssl s_client -quiet -connect $V4:446 \
		-CAfile $P/ca.pem >$T/idle 2>&1 &
	c=$!
	wait_for $((55 * SLOW)) test -s $T/idle.t0
	read -r t0 < $T/idle.t0 || { echo "the requests never started"; cat $T/idle; kill $c; return 1; }
	nap 2
	for i in $(seq 50); do
		ins ss -Htn state established "( sport = :446 )" | grep -q . || break
		nap 0.2
	done
	t=$(awk -v a=$t0 -v b=$EPOCHREALTIME 'BEGIN { printf "%.1f", b - a }')
	touch $T/idle.done
	kill $c 2>/dev/null
	wait $c 2>/dev/null
	n=$(grep -c '^HTTP/1.1 200' $T/idle)
	echo "the idle connection was closed after $t s; $n responses"
	[ "$n" = 3 ] && awk -v t=$t 'BEGIN { exit !(t >= 4 && t < 9) }' || { cat $T/idle; return 1; }
}

# serve --idle-timeout 2 and a client that stopped reading an 8 MB
# download: its socket is full, a record half sent. close_notify is not
# waited for and close() does not wait for the peer either (it used to,
# forever), so the connection goes after about 2 s and serve goes on
# answering others at once.
idle_stalled() {
	local c i t t0=$EPOCHREALTIME
	head -c 8M /dev/zero > $W/stall.bin
	printf 'GET /stall.bin HTTP/1.1\r\nHost: server.test\r\n\r\n' > $T/stall.req
	# s_client writes into a FIFO nobody reads (fd 7 holds it open), so it
	# stops reading TCP; -quiet keeps it connected after its input ends.
	mkfifo $T/stall.fifo && exec 7<>$T/stall.fifo || return 1
	timeout $((20 * SLOW)) ip netns exec $C openssl s_client -quiet -connect $V4:446 \
		-CAfile $P/ca.pem <$T/stall.req >$T/stall.fifo 2>$T/stall.err &
	c=$!
	nap 1
	ins ss -Htn state established "( sport = :446 )" | grep -q . ||
		{ echo "no connection to serve"; cat $T/stall.err; return 1; }
	for i in $(seq $((40 * SLOW))); do
		ins ss -Htn state established "( sport = :446 )" | grep -q . || break
		nap 0.2
	done
	t=$(awk -v a=$t0 -v b=$EPOCHREALTIME 'BEGIN { printf "%.1f", b - a }')
	echo "the stalled connection was closed after $t s"
	timeout 5 ip netns exec $C curl -sS --cacert $P/ca.pem --resolve server.test:446:$V4 \
		https://server.test:446/hello.txt > $T/stall.after 2>&1
	kill $c 2>/dev/null
	wait $c 2>/dev/null
	exec 7>&-
	rm -f $W/stall.bin $T/stall.fifo
	awk -v t=$t -v s=$SLOW 'BEGIN { exit !(t >= 2 && t < 6.5 * s) }' &&
		grep -q "hello from veil-tls" $T/stall.after || { cat $T/stall.after $T/s446.log; return 1; }
}

# proxy: a client that stopped reading a 16 MB download asks for a
# KeyUpdate. The proxy cannot send its answer yet (the socket is full):
# the answer is owed, not waited for, so the proxy serves another client
# while the first still reads nothing (it used to stop everything until
# there was room, up to 5 s, then drop the client); once the client reads
# again it gets every byte and the proxy's KeyUpdate. Whether the other
# client was answered in time is an order, not a time: its answer came
# before the KeyUpdate client said it reads again (6 s after it asked,
# 18 on the debug kernel: SLOW).
key_update_full() {
	local c i t t0 rc early
	head -c 16M /dev/zero > $W/ku.bin
	ip netns exec $C $VEIL_BUILD/selftests/veil/tls_ku_client $V4 8443 /ku.bin $P/ca.pem \
		$((6 * SLOW)) >$T/ku.out 2>&1 &
	c=$!
	for i in $(seq $((100 * SLOW))); do
		grep -q requested $T/ku.out && break
		nap 0.1
	done
	t0=$EPOCHREALTIME
	timeout $((10 * SLOW)) ip netns exec $C curl -sS --cacert $P/ca.pem \
		--resolve server.test:8443:$V4 https://server.test:8443/hello.txt > $T/ku.after 2>&1
	t=$(awk -v a=$t0 -v b=$EPOCHREALTIME 'BEGIN { printf "%.1f", b - a }')
	grep -q reading $T/ku.out && early=no || early=yes
	wait $c
	rc=$?
	rm -f $W/ku.bin
	echo "another client was answered in $t s, before the KeyUpdate client read again: $early"
	echo "the KeyUpdate client said:"
	cat $T/ku.out
	[ $rc = 0 ] && grep -q requested $T/ku.out && grep -q "hello from veil-tls" $T/ku.after &&
		[ $early = yes ] || { cat $T/ku.after; tail -n 5 $T/p4.log; return 1; }
}

http_garbage() {
	raw 443 'BLAH\r\n\r\n' || { echo "s_client: $?"; cat $T/raw; return 1; }
	cat $T/raw
	head -n 1 $T/raw | grep -q "^HTTP/1\.[01] 400"
}

# Client certificates: with one, without, with one of another CA, with
# one again on a new connection; the two failures logged.
mtls() {
	local u=https://server.test:444/hello.txt w=(-w '%{http_code} %{num_connects}\n' -o /dev/null)
	local n0 got
	n0=$(logged s444)
	"${CURL[@]}" "${CA[@]}" "${w[@]}" --cert $P/client.pem --key $P/client.key \
		-H "Connection: close" $u \
		--next "${CA[@]}" "${w[@]}" $u \
		--next "${CA[@]}" "${w[@]}" --cert $P/rogue.pem --key $P/rogue.key $u \
		--next "${CA[@]}" "${w[@]}" --cert $P/client.pem --key $P/client.key $u >$T/o 2>$T/e
	cat $T/o
	sed -n 's/^curl: //p' $T/e
	tail -n 2 $T/s444.log
	got=$(tr '\n' ' ' < $T/o)
	[[ $got =~ ^200\ 1\ 000\ [01]\ 000\ [01]\ 200\ 1\ $ ]] &&
	[ $(($(logged s444) - n0)) = 2 ]
}

# s_resume 1.2|1.3: s_client -sess_out, then -sess_in, against serve.
s_resume() {
	local v=${1/./_} i
	rm -f $T/ssess
	for i in -sess_out -sess_in; do
		printf 'GET /hello.txt HTTP/1.0\r\n\r\n' | timeout 10 ip netns exec $C openssl s_client \
			-connect $V4:443 -CAfile $P/ca.pem -tls$v $i $T/ssess -ign_eof \
			-keylogfile $T/s_client.keylog >$T/o 2>&1 || { echo "s_client $i: $?"; cat $T/o; return 1; }
		grep -a "^New, \|^Reused, \|^HTTP/\|^hello" $T/o
	done
	grep -qa "^Reused, TLSv$1," $T/o && grep -qax "hello from veil-tls" $T/o
}

expect_line() { # expect_line PATTERN: read s_client's output up to a line matching PATTERN
	local l
	while IFS= read -r -t 10 -u $KIN l; do
		echo "$l" >> $T/ku
		[[ $l =~ $1 ]] && return 0
	done
	echo "no '$1' from s_client:"
	grep -v '^    [0-9a-f]\{4\} - \|^[A-Za-z0-9+/=]\{64\}$' $T/ku
	return 1
}

# keyupdate SERVER PORT PATH BODY REKEYS LETTER...: s_client sends a
# KeyUpdate for each LETTER (k: the server need not answer, K: it must),
# then a request for PATH: the answer is BODY, and veil-ts counts
# REKEYS new keys.
keyupdate() {
	local srv=$1 port=$2 path=$3 body=$4 n=$5 before after k kpid
	shift 5
	: > $T/ku
	before=$(counter $S tls-rekeys)
	coproc KU { timeout 30 ip netns exec $C openssl s_client -connect $V4:$port \
		-CAfile $P/ca.pem -tls1_3 2>&1; }
	# Bash closes the coprocess's descriptors when it ends: read and
	# write through copies.
	kpid=$KU_PID
	exec {KIN}<&"${KU[0]}" {KOUT}>&"${KU[1]}"
	keyupdate_talk "$@"
	k=$?
	exec {KIN}<&- {KOUT}>&-
	[ -n "${KU[1]:-}" ] && eval "exec ${KU[1]}>&-"
	wait $kpid
	after=$(counter $S tls-rekeys)
	echo "veil-ts tls-rekeys $before -> $after; $srv said:"
	tail -n 2 $T/$srv.log
	[ $k = 0 ] && [ $((after - before)) -ge $n ]
}

keyupdate_talk() {
	local k
	expect_line "^Verify return code: 0" || return 1
	ins ss -tniH state established "( sport = :$port )" > $T/ss
	grep -q "tcp-ulp-veil version: 1.3" $T/ss || { echo "no tcp-ulp-veil:"; cat $T/ss; return 1; }
	for k; do
		echo $k >&$KOUT
		expect_line "^KEYUPDATE" || return 1
	done
	printf 'GET %s HTTP/1.1\r\nHost: server.test\r\nConnection: close\r\n\r\n' "$path" >&$KOUT
	expect_line "^HTTP/1\.[01] 200" && expect_line "^$body"
}

big() {
	local sum
	wait $BIG
	read -r sum _ < $T/big.sum
	echo "SHA-256 $sum"
	cat $T/big.err
	[ "$sum" = $BIG_SHA ]
}

# 4 MB to the echo server behind the IPv6 proxy and back; connect's
# close_notify ends the backend's input, the backend's close ends it.
echo_both() {
	local want
	head -c 4M $W/big.bin > $T/4m
	want=$(sha256sum < $T/4m)
	IN=$T/4m cn --ca $P/ca.pem "[$V6]:8443"
	RC=$?
	[ $RC -eq 0 ] && [ "$(sha256sum < $R.o)" = "$want" ] ||
		{ echo "$(wc -c < $R.o) bytes back"; show; tail -n 2 $T/p6.log; return 1; }
}

# veil-tls at both ends, the request on connect's stdin: connect sends
# it with its close_notify and FIN right after the handshake, maybe
# before serve has its keys in.
connect_serve() {
	printf 'GET /hello.txt HTTP/1.0\r\n\r\n' > $T/get1
	IN=$T/get1 cn --ca $P/ca.pem $V4:443
	RC=$?
	[ $RC -eq 0 ] && grep -qx "records: kernel (veil)" $R.e && grep -qx "hello from veil-tls" $R.o ||
		{ show; tail -n 1 $T/s443.log; return 1; }
}

# A plaintext request to serve: logged, closed, and serve goes on.
plain_to_serve() {
	local n0 rc
	n0=$(logged s443)
	printf 'GET / HTTP/1.0\r\n\r\n' | timeout 10 ip netns exec $C busybox nc $V4 443 >/dev/null
	rc=$?
	[ $rc -ne 124 ] || { echo "serve did not close the connection"; return 1; }
	tail -n 1 $T/s443.log
	[ "$(logged s443)" -gt "$n0" ] &&
	[ "$("${CURL[@]}" "${CA[@]}" https://server.test/hello.txt)" = "hello from veil-tls" ]
}

# abort N PORT: N connections to PORT that send part of a ClientHello
# and close.
abort() {
	inc bash -c 'for ((i = 0; i < $0; i++)); do
		exec 3<>/dev/tcp/$1/$2 || exit 1
		printf "\x16\x03\x01\x00\xc8\x01\x00\x00\xc4\x03\x03" >&3
		exec 3>&-
	done' $1 $V4 $2
}

fds() { local f=(/proc/$1/fd/*); echo ${#f[@]}; }
rss() { awk '$1 == "VmRSS:" { print $2 }' /proc/$1/status; }
logged() { grep -c "^veil-tls: 10\.94\.0\.1" $T/$1.log; }
state() { echo "$(fds ${PID[$1]}) $(rss ${PID[$1]}) $(logged $1)"; }

# settle NAME N: wait for N lines from 10.94.0.1 in NAME's log, and
# NAME's descriptors to stop changing.
settle() {
	local i f=-1
	for i in $(seq 100); do
		[ "$(logged $1)" -ge $2 ] && [ "$(fds ${PID[$1]})" = $f ] && return 0
		f=$(fds ${PID[$1]})
		nap 0.1
	done
}

# 1000 aborted handshakes to serve and to proxy at once, after 20 to
# warm up; then each still serves.
declare -A L0 L1
leak_run() {
	local a b n
	abort 20 443 & a=$!
	abort 20 8443 & b=$!
	wait $a && wait $b && settle s443 20 && settle p4 20 || return 1
	for n in s443 p4; do L0[$n]=$(state $n); done
	abort 1000 443 & a=$!
	abort 1000 8443 & b=$!
	wait $a && wait $b || return 1
	for n in s443 p4; do
		settle $n $((${L0[$n]##* } + 1000))
		L1[$n]=$(state $n)
	done
	"${CURL[@]}" "${CA[@]}" https://server.test/hello.txt https://server.test:8443/hello.txt > $T/leak
}

# leak NAME: NAME's descriptors as they were, its memory within 2 MB,
# each handshake logged once, and NAME still serving.
# A client that resets while the proxy's backend is still connecting
# (SYNs to it dropped): the proxy closes that connection at once, with a
# line in its log, instead of spinning on the reset socket's EPOLLHUP
# until the backend answers. Its CPU time over the next 2 s tells.
reset_while_connecting() {
	local pid ticks0 ticks1 i py
	ins nft -f - <<-EOF || return 1
	table inet veil_bh {
		chain in { type filter hook input priority 0; tcp dport 8098 drop; }
	}
	EOF
	srv pbh "$VTLS" proxy --listen $V4:8447 --backend $V4:8098 \
		--cert $P/server.pem --key $P/server.key
	pid=${PID[pbh]}
	for i in $(seq 50); do grep -q "listening" $T/pbh.log && break; nap 0.1; done
	# Python for SO_LINGER 0: close() then sends a reset. It waits on the
	# fifo until the proxy has the keys in veil and its backend's SYN out.
	rm -f $T/go && mkfifo $T/go
	inc "$PYTHON" -c '
import socket, ssl, struct, sys
ctx = ssl.create_default_context(cafile=sys.argv[1])
s = ctx.wrap_socket(socket.create_connection((sys.argv[2], 8447)), server_hostname="server.test")
sys.stdin.readline()
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
s.close()' $P/ca.pem $V4 < $T/go &
	py=$!
	exec 5>$T/go
	for i in $(seq 50); do
		ins ss -Htn state syn-sent "( dport = :8098 )" | grep -q . && break
		nap 0.1
	done
	echo >&5
	exec 5>&-
	wait $py || return 1
	nap 0.5
	ticks0=$(awk '{ print $14 + $15 }' /proc/$pid/stat)
	nap 2
	ticks1=$(awk '{ print $14 + $15 }' /proc/$pid/stat)
	kill $pid
	wait $pid
	unset "PID[pbh]"
	ins nft delete table inet veil_bh
	cat $T/pbh.log
	echo "the proxy used $((ticks1 - ticks0)) ticks of CPU in 2 s"
	[ $((ticks1 - ticks0)) -lt 30 ] &&
		grep -q "the client went away before the backend answered" $T/pbh.log
}

leak() {
	local f0 r0 n0 f1 r1 n1
	[ -n "${L1[$1]}" ] || leak_run || return 1
	read -r f0 r0 n0 <<< "${L0[$1]}"
	read -r f1 r1 n1 <<< "${L1[$1]}"
	echo "$1: descriptors $f0 -> $f1, VmRSS $r0 -> $r1 kB, $((n1 - n0)) lines logged"
	tail -n 1 $T/$1.log
	[ $f1 = $f0 ] && [ $((r1 - r0)) -lt 2048 ] && [ $((n1 - n0)) = 1000 ] &&
	[ "$(grep -c "^hello from veil-tls$" $T/leak)" = 2 ]
}

stalled() {
	local rc t0 t1
	wait $STALL
	read -r rc t0 t1 < $T/stall
	echo "the stalled connection: cat exited $rc after $(awk -v a=$t0 -v b=$t1 'BEGIN { print b - a }') s"
	[ "$rc" != 124 ] && awk -v a=$t0 -v b=$t1 'BEGIN { exit !(b - a >= 9 && b - a < 20) }'
}

# SIGTERM: each veil-tls server exits 0.
sigterm() {
	local n rc bad=0
	for n in s443 s6 s444 s445 s446 p4 p6; do
		kill -TERM ${PID[$n]}
		wait ${PID[$n]}
		rc=$?
		unset "PID[$n]"
		[ $rc = 0 ] || { echo "$n exited $rc"; bad=1; }
	done
	return $bad
}

# Keys went into veil on both sides, none is left, none failed a record.
# The least each side installs: fewer when the cases of veil-tls's own
# logic run elsewhere (11 connects; 25 connections to serve and proxy).
kernel_counts() {
	local c s cmin=15 smin=30
	elsewhere && cmin=11 smin=25
	c=$(counters $C) s=$(counters $S)
	echo "veil-tc: $c"
	echo "veil-ts: $s"
	[[ " $c $s" != *-current=[1-9]* && " $c $s" != *decrypt-errors=[1-9]* ]] &&
	[[ $c =~ tls-tx-total=([0-9]+).*tls-rx-total=([0-9]+) ]] &&
	[ ${BASH_REMATCH[1]} -ge $cmin ] && [ ${BASH_REMATCH[2]} -ge $cmin ] &&
	[[ $s =~ tls-tx-total=([0-9]+).*tls-rx-total=([0-9]+) ]] &&
	[ ${BASH_REMATCH[1]} -ge $smin ] && [ ${BASH_REMATCH[2]} -ge $smin ]
}

usage() {
	expect_status 2 "$VTLS" serve --no-such-option && output_has "veil-tls help"
}

ktap_print_header
ktap_set_plan $(elsewhere && echo 25 || echo 59)

check "veil-tls exists" test -x "$VTLS"
daemon_check "a bad option: exit 2, pointing to veil-tls help" usage
check "two namespaces over veth, IPv4 and IPv6" topology
check "the document root" docroot
check "veil-tls serve and proxy, s_server, httpd and echo listen" servers
touch $T/up
elsewhere || stall_start
connect_batch >$T/batch.log 2>&1 &
BATCH=$!
BG+=($BATCH)

check "curl to serve: 3 TLS 1.3 and 4 TLS 1.2 suites (ECDSA and RSA)" \
	curl_suites https://server.test/hello.txt 20 1.3:TLS_AES_128_GCM_SHA256 \
	1.3:TLS_AES_256_GCM_SHA384 1.3:TLS_CHACHA20_POLY1305_SHA256 "${TLS12[@]/#/1.2:}"
check "serve: CCM and static RSA only when named; IPv6; --tls1.2" \
	curl_suites https://server.test/hello.txt 20 !1.3:TLS_AES_128_CCM_SHA256 !1.2:AES128-GCM-SHA256 \
	"1.3:TLS_AES_128_CCM_SHA256@https://[$V6]/hello.txt" "1.3:TLS_AES_128_GCM_SHA256@https://[$V6]/hello.txt" \
	1.2:AES128-GCM-SHA256@https://server.test:445/hello.txt \
	!1.3:TLS_AES_128_GCM_SHA256@https://server.test:445/hello.txt
check "curl to proxy: 4 TLS 1.3 and 4 TLS 1.2 suites, to httpd" \
	curl_suites https://server.test:8443/hello.txt 20 "${TLS13[@]/#/1.3:}" "${TLS12[@]/#/1.2:}"
daemon_check "HelloRetryRequest: s_client's X25519 share to serve --groups P-384" hello_retry
daemon_check "HTTP GET: / is index.html; Content-Type by extension" http_get
daemon_check "HTTP: a directory serves its index.html, else 404; 404 for no file" http_dirs
daemon_check "HTTP: no escape from --root (.., %2e%2e, a symlink out)" http_escape
daemon_check "HTTP HEAD: Content-Length, no body" http_head
daemon_check "HTTP POST: 405 with Allow: GET, HEAD" http_post
daemon_check "HTTP keep-alive: curl reuses the connection" http_keepalive
daemon_check "serve --idle-timeout 2: a busy keep-alive connection kept, an idle one closed" idle
daemon_check "serve --idle-timeout 2: a client that stopped reading is closed, serve goes on" idle_stalled
check "proxy: a KeyUpdate asked for while the socket is full is owed, nobody waits" key_update_full
daemon_check "HTTP/1.0 HEAD from s_client: headers only, then the server closes" http_raw_head
daemon_check "HTTP: 400 for a garbage request" http_garbage
daemon_check "serve --client-ca: with a certificate, without, another CA's, again" mtls
daemon_check "s_client -sess_out, -sess_in to serve: Reused, TLS 1.3" s_resume 1.3
daemon_check "s_client -sess_out, -sess_in to serve: Reused, TLS 1.2" s_resume 1.2
daemon_check "SSLKEYLOGFILE: serve logs the secrets s_client logged" keylog_in $T/s_client.keylog $T/serve.keylog
check "s_client KeyUpdate (k, K) to serve: tcp-ulp-veil rekeyed, still serving" \
	keyupdate s443 443 /hello.txt "hello from veil-tls" 3 k K
check "s_client KeyUpdate (K) through proxy to httpd" keyupdate p4 8443 /hello.txt "hello from veil-tls" 2 K
check "100 MB by curl from serve over IPv6 (sendfile): SHA-256 matches" big
check "connect to proxy over IPv6: 4 MB to an echo server and back, half-closes" echo_both
check "connect to serve, the request and close_notify right after the handshake" connect_serve
daemon_check "plaintext to serve: logged, closed, serve goes on" plain_to_serve
daemon_check "a client reset while proxy's backend connects: closed at once, no spinning" \
	reset_while_connecting
daemon_check "1000 aborted handshakes to serve: no descriptor or memory leaked" leak s443
daemon_check "1000 aborted handshakes to proxy: no descriptor or memory leaked" leak p4

for c in "${TLS13[@]}"; do
	check "connect to s_server: TLS 1.3 $c" connect_ok $c TLSv1.3 $c
done
for c in "${TLS12[@]}"; do
	check "connect to s_server: TLS 1.2 $c" connect_ok $c TLSv1.2 $c
done
check "connect to s_server: TLS 1.2 static RSA AES128-GCM-SHA256 when --ciphers names it" \
	connect_ok AES128-GCM-SHA256 TLSv1.2 AES128-GCM-SHA256
daemon_check "SSLKEYLOGFILE: connect logs the secrets s_server logged, TLS 1.2 and 1.3" connect_keylog
daemon_check "connect with a client certificate to s_server -Verify, P-384 only: after a HelloRetryRequest" client_cert
daemon_check "connect --sess-out, --sess-in: resumed, TLS 1.3" resumed 1.3 TLS_AES_128_GCM_SHA256
daemon_check "connect --sess-out, --sess-in: resumed, TLS 1.2" resumed 1.2 ECDHE-ECDSA-AES128-GCM-SHA256
check "a suite veil cannot take: refused, and carried in userspace with --fallback" fallback
daemon_check "connect --insecure to an expired certificate: warns, works" insecure
daemon_check "connect fails: wrong host name" connect_fails name "hostname mismatch"
daemon_check "connect fails: unknown CA" connect_fails unknown-ca "unable to get local issuer certificate"
daemon_check "connect fails: expired certificate" connect_fails expired "certificate has expired"
daemon_check "connect fails: the server requires a client certificate" connect_fails no-cert .
daemon_check "connect fails: a plaintext HTTP server" connect_fails plaintext .
daemon_check "connect fails: the server closes mid-handshake" connect_fails half .
daemon_check "connect fails: connection refused" connect_fails refused "refused"
daemon_check "connect fails: TLS 1.3 only against serve --tls1.2" connect_fails version .

daemon_check "a stalled handshake is dropped after 10 s" stalled
check "serve and proxy exit 0 on SIGTERM" sigterm
check "veil stats: keys in veil both sides, none left, no decrypt error" kernel_counts

ktap_finished

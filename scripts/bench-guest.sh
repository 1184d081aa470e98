#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The benchmark's half inside the VM (see bench.sh): the control plane of
# the kernel's XFRM, driven by iproute2, against veil, driven by veil, on
# the same N SAs in the same VM run. For each: batch add, dump, flush, and
# the kernel memory the N SAs take. Every step is checked (the counts must
# be exactly N, then 0); the speed never is. The last line is "bench: done"
# only when every step worked.
#
# N is $VEIL_BENCH_N, else the first line of $VEIL_BUILD/bench/n (bench.sh
# writes it: the kernel command line carries no more than run.sh gives it),
# else 100000.
set -euo pipefail

ko=$VEIL_BUILD/$VEIL_KVER/veil.ko
veil=$VEIL_ROOT/tools/veil/veil
. "$VEIL_ROOT/scripts/netns-pair.sh"
n=${VEIL_BENCH_N:-}
[ -z "$n" ] && [ -r "$VEIL_BUILD/bench/n" ] && n=$(head -n 1 "$VEIL_BUILD/bench/n")
n=${n:-100000}
accel=$(cat "$VEIL_BUILD/vm/accel" 2>/dev/null || echo unknown)
dir=/tmp/bench

# fd 3 is the log, even where a command's own stdout goes elsewhere.
exec 3>&1

fail() {
	echo "bench: FAILED: $*" >&3
	exit 1
}

case $n in
'' | *[!0-9]* | 0) fail "N must be a positive number, not '$n'" ;;
esac

now() { date +%s.%N; }

# elapsed T0 T1: seconds between two now()s.
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# timed VAR COMMAND...: run COMMAND (its stdout is the caller's business),
# store its wall time in seconds in VAR, fail the bench if it fails.
timed() {
	local var=$1 t0 t1
	shift
	t0=$(now)
	"$@" || fail "'$*' exited with $?"
	t1=$(now)
	printf -v "$var" '%s' "$(elapsed "$t0" "$t1")"
	echo "bench:   ${!var} s  $*" >&3
}

meminfo() { awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo; }

# free_kb: free memory in KiB, MemFree plus the pages that wait on the
# per-CPU free lists (/proc/zoneinfo "count:"), which MemFree leaves out
# and which 6.x lets grow to many MiB after a mass free.
free_kb() {
	local pcp
	pcp=$(awk '$1 == "count:" { s += $2 } END { print s + 0 }' /proc/zoneinfo)
	echo $(( $(meminfo MemFree) + pcp * $(getconf PAGESIZE) / 1024 ))
}

# settle: drop the page cache, let RCU and the workqueues free what they
# still hold, and wait until free memory stops moving (by under 128 KiB a
# second, three times running; 30 s at most).
settle() {
	local i last=0 cur calm=0
	for i in $(seq 30); do
		sync
		echo 3 > /proc/sys/vm/drop_caches
		sleep 1
		cur=$(free_kb)
		if [ $i -gt 1 ] && [ $((cur > last ? cur - last : last - cur)) -lt 128 ]; then
			calm=$((calm + 1))
			[ $calm -ge 3 ] && return 0
		else
			calm=0
		fi
		last=$cur
	done
	echo "bench:   (free memory still moving after 30 s)" >&3
}

# sad_count NETNS XFRM|VEIL: the N of "SAD count N".
sad_count() {
	local out
	if [ "$2" = xfrm ]; then
		out=$(ip -n "$1" xfrm state count) || fail "ip -n $1 xfrm state count failed"
	else
		out=$("$veil" -n "$1" sa count) || fail "veil -n $1 sa count failed"
	fi
	echo "$out" | awk '$1 == "SAD" && $2 == "count" { print $3 }'
}

# expect_count NETNS XFRM|VEIL WANT WHEN
expect_count() {
	local got
	got=$(sad_count "$1" "$2")
	[ "$got" = "$3" ] || fail "$2 $4: SAD count is '$got', not $3"
	echo "bench:   $2 $4: SAD count $got"
}

# ratio A B: A / B, or "-" when B is zero.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }

# The same N SAs twice: words for ip -batch (no leading "ip") and for veil
# -batch. One AES-128-GCM tunnel SA per peer, each peer its own address in
# the RFC 2544 benchmarking range 198.18.0.0/15 and its own reqid, with
# distinct SPIs and keys: a gateway with N peers, as an IKE daemon would
# install them. (With one address pair and one reqid for every SA, XFRM's
# add slows down with every SA: 20,000 took 70 s, 100,000 did not finish
# in 19 minutes under TCG.)
gen() {
	awk -v n="$n" -v cmd="$1" 'BEGIN {
		for (i = 0; i < n; i++)
			printf "%s src 192.0.2.1 dst 198.%d.%d.%d proto esp spi %d reqid %d" \
			       " mode tunnel aead '\''rfc4106(gcm(aes))'\''" \
			       " 0x0123456789abcdef0123456789abcdef%08x 128" \
			       " replay-window 128\n", cmd, 18 + int(i / 65536),
			       int(i / 256) % 256, i % 256, 65536 + i, i + 1, i
	}'
}

one_sa() {
	echo "$1 src 192.0.2.9 dst 192.0.2.10 proto esp spi 4096 reqid 1 mode tunnel" \
	     "aead 'rfc4106(gcm(aes))' 0x0123456789abcdef0123456789abcdef01234567 128" \
	     "replay-window 128"
}

# The TLS record layer: a file sent with sendfile() over loopback TCP
# through veil and through the kernel's kTLS (fixed TLS 1.3 keys, the same
# layer decrypting at the other end), and with read() and SSL_write()
# through OpenSSL after a real handshake (SSL_read() at the other end);
# plain TCP for the ceiling. tls_bench checks that every byte arrived.
tls_mb=${VEIL_BENCH_TLS_MB:-1024}
tls_row() { # tls_row MODE CIPHER: MB/s into tls_MODE_CIPHER
	local out var=tls_$1_${2//-/_}
	out=$("$VEIL_BUILD/selftests/veil/tls_bench" "$1" /tmp/tls_bench.dat "$2") ||
		fail "tls_bench $1 $2"
	printf -v "$var" '%s' "$(echo "$out" | awk '{ print $5 }')"
	echo "bench:   $out"
}
tls_rows() {
	local cipher mode
	echo "bench: TLS record layer, sendfile of $tls_mb MB over loopback"
	modprobe tls || fail "modprobe tls"
	dd if=/dev/urandom of=/tmp/tls_bench.dat bs=1M count="$tls_mb" status=none ||
		fail "a $tls_mb MB file"
	tls_row tcp aes-gcm-128
	for cipher in aes-gcm-128 chacha20-poly1305; do
		for mode in veil ktls openssl; do
			tls_row $mode $cipher
		done
	done
	rm -f /tmp/tls_bench.dat
}
tls_summary() {
	local cipher v k o
	echo
	echo "TLS 1.3 record layer (a $tls_mb MB file over loopback TCP; MB/s)"
	printf '%-20s %-9s %-9s %-9s %-10s %s\n' "cipher" "veil" "kTLS" "OpenSSL" "veil/kTLS" "veil/OpenSSL"
	for cipher in aes-gcm-128 chacha20-poly1305; do
		v=tls_veil_${cipher//-/_} k=tls_ktls_${cipher//-/_} o=tls_openssl_${cipher//-/_}
		printf '%-20s %-9s %-9s %-9s %-10s %s\n' "$cipher" "${!v}" "${!k}" "${!o}" \
			"$(ratio "${!v}" "${!k}")" "$(ratio "${!v}" "${!o}")"
	done
	printf '%-20s %s\n' "plain TCP sendfile" "$tls_tcp_aes_gcm_128"
	echo "(veil and kTLS: sendfile() into the socket, the same layer decrypting"
	echo "at the other end; OpenSSL: read() and SSL_write(), SSL_read(); kTLS"
	echo "has no null cipher, so plain TCP shows what the crypto costs)"
}

# veil-tls against the userspace TLS servers it would replace, each pair in
# this VM run, over loopback, with the same ECDSA P-256 certificate and the
# same TLS 1.3 suite pinned at both ends: a $vt_mb MB file fetched by curl
# (to /dev/null) from `veil-tls serve` and from `openssl s_server -WWW`;
# the same file from busybox httpd (plain HTTP) through `veil-tls proxy`
# and through stunnel4; then full handshakes per second (openssl s_time
# -new, a small page each) against `veil-tls serve` and `openssl s_server
# -WWW`, alternating, $vt_hs_rounds rounds of $vt_hs_secs s each. The files
# live on a tmpfs of their own. Every fetch must answer 200 with every
# byte; every veil-tls connection must reach veil.ko (tls-tx-total).
vt_mb=$(cat "$VEIL_BUILD/bench/vtls_mb" 2>/dev/null || echo 1024)
vt_hs_secs=5
vt_hs_rounds=4
vt=/tmp/vtls-bench
vtls=$VEIL_ROOT/tools/tls/veil-tls
declare -A vt_pid

vt_suite() { # vt_suite CIPHER: the TLS 1.3 suite's name
	case $1 in
	aes-gcm-128) echo TLS_AES_128_GCM_SHA256 ;;
	chacha20-poly1305) echo TLS_CHACHA20_POLY1305_SHA256 ;;
	esac
}

# vt_start NAME PORT COMMAND...: COMMAND in the background (its output in
# $vt/NAME.log, without the log's fd 3), until 127.0.0.1:PORT listens.
vt_start() {
	local name=$1 port=$2 i
	shift 2
	"$@" </dev/null >"$vt/$name.log" 2>&1 3>&- &
	vt_pid[$name]=$!
	for i in $(seq 300); do
		ss -Htln "sport = :$port" | grep -q . && return 0
		kill -0 "${vt_pid[$name]}" 2>/dev/null ||
			fail "$name exited: $(tail -n 5 "$vt/$name.log")"
		sleep 0.1
	done
	fail "$name: nothing listens on 127.0.0.1:$port after 30 s"
}

vt_stop() { # vt_stop NAME...
	local name
	for name in "$@"; do
		kill "${vt_pid[$name]}" 2>/dev/null || true
		wait "${vt_pid[$name]}" 2>/dev/null || true
		unset "vt_pid[$name]"
	done
}

# The CPU time of a process (user and system, its threads', in clock ticks).
pid_ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }
hz=$(getconf CLK_TCK)
secs() { awk -v t="$1" -v hz="$hz" 'BEGIN { printf "%.1f", t / hz }'; }

tls_tx_total() { "$veil" stats | awk '$1 == "tls-tx-total" { print $2 }'; }

# row_time T0 T1 LABEL: when a timed row ran, for bench.sh, which tells
# which rows ran while other VMs shared the host's CPUs (and hides the line).
row_time() { echo "bench: @ ${1%.*} ${2%.*} $3"; }

# vt_fetch VAR LABEL URL SUITE SERVER: curl URL to /dev/null, MB/s into
# VAR and the CPU seconds SERVER spent meanwhile into VAR_cpu; curl's CPU
# seconds shown beside them. (The backend's are not: busybox httpd forks
# a child per connection and does not wait for it.)
vt_fetch() {
	local var=$1 label=$2 url=$3 suite=$4 srv=$5 s0 out tm t0
	local TIMEFORMAT='%R %U %S'
	s0=$(pid_ticks "${vt_pid[$srv]}") t0=$(now)
	{ time curl -sS --max-time 1800 --cacert "$vt/ca.pem" --tlsv1.3 \
		--tls13-ciphers "$suite" -o /dev/null \
		-w '%{http_code} %{size_download} %{speed_download}\n' "$url" \
		>"$vt/curl.out" 2>"$vt/curl.err"; } 2>"$vt/curl.time" ||
		fail "$label: curl $url: $(cat "$vt/curl.err")"
	row_time "$t0" "$(now)" "$label"
	read -r -a out < "$vt/curl.out"
	read -r -a tm < "$vt/curl.time"
	[ "${out[0]}" = 200 ] && [ "${out[1]}" = $((vt_mb * 1048576)) ] ||
		fail "$label: curl $url: status ${out[0]}, ${out[1]} of $((vt_mb * 1048576)) bytes"
	printf -v "$var" '%s' "$(awk -v s="${out[2]}" 'BEGIN { printf "%.1f", s / 1e6 }')"
	printf -v "${var}_cpu" '%s' "$(secs $(($(pid_ticks "${vt_pid[$srv]}") - s0)))"
	local cpu=${var}_cpu
	echo "bench:   $label: ${!var} MB/s (${tm[0]} s; CPU s: server ${!cpu}," \
	     "curl $(awk -v u="${tm[1]}" -v s="${tm[2]}" 'BEGIN { printf "%.1f", u + s }'))"
}

# vt_fetch_k VAR LABEL URL SUITE SERVER: as vt_fetch, but the client is
# `veil-tls connect` with an HTTP/1.0 GET on its input: the records it
# receives are decrypted by veil.ko, so the client costs about what a
# kernel-TLS server does and no longer sets the pace the way curl does.
# Its input stays open, as curl's connection does (an input that ended
# would send close_notify at once, a half-close some servers handle
# less well). The first 12 bytes (the status line's start) are kept, the
# rest counted.
vt_fetch_k() {
	local var=$1 label=$2 url=$3 suite=$4 srv=$5 s0 tm t0 hp path n in
	local TIMEFORMAT='%R %U %S'
	hp=${url#https://} path=/${hp#*/} hp=${hp%%/*}
	rm -f "$vt/connect.in" && mkfifo "$vt/connect.in" || fail "a FIFO in $vt"
	{ printf 'GET %s HTTP/1.0\r\nHost: %s\r\n\r\n' "$path" "$hp"; exec sleep 3600; } \
		>"$vt/connect.in" &
	in=$!
	s0=$(pid_ticks "${vt_pid[$srv]}") t0=$(now)
	{ time timeout 1800 "$vtls" connect --ca "$vt/ca.pem" --tls1.3 --ciphersuites "$suite" \
			"$hp" <"$vt/connect.in" 2>"$vt/connect.err" |
		{ dd bs=1 count=12 of="$vt/connect.status" status=none; wc -c > "$vt/connect.n"; }
	} 2>"$vt/connect.time"
	kill "$in" 2>/dev/null || true
	wait "$in" 2>/dev/null || true
	row_time "$t0" "$(now)" "$label"
	read -r -a tm < "$vt/connect.time"
	n=$(($(cat "$vt/connect.n") + 12))
	grep -q '^HTTP/1\.[01] 200' "$vt/connect.status" &&
	[ "$n" -gt $((vt_mb * 1048576)) ] && [ "$n" -lt $((vt_mb * 1048576 + 1024)) ] ||
		fail "$label: veil-tls connect $url: '$(cat "$vt/connect.status")', $n bytes:" \
			"$(tail -n 3 "$vt/connect.err"); the server's log:" \
			"$(grep -v '^$' "$vt/$srv.log" | tail -n 3)"
	grep -qx 'records: kernel (veil)' "$vt/connect.err" ||
		fail "$label: veil-tls connect did not use veil.ko: $(cat "$vt/connect.err")"
	printf -v "$var" '%s' "$(awk -v n="$n" -v t="${tm[0]}" 'BEGIN { printf "%.1f", n / t / 1e6 }')"
	printf -v "${var}_cpu" '%s' "$(secs $(($(pid_ticks "${vt_pid[$srv]}") - s0)))"
	local cpu=${var}_cpu
	echo "bench:   $label: ${!var} MB/s (${tm[0]} s; CPU s: server ${!cpu}," \
	     "veil-tls connect $(awk -v u="${tm[1]}" -v s="${tm[2]}" 'BEGIN { printf "%.1f", u + s }'))"
}

# vt_hs NAME PORT: one openssl s_time -new run against 127.0.0.1:PORT;
# adds its connections to vt_hs_n[NAME] and its wall time to vt_hs_t[NAME].
declare -A vt_hs_n vt_hs_t
vt_hs() {
	local out t0 t1 conns per
	t0=$(now)
	out=$(openssl s_time -connect "127.0.0.1:$2" -new -time "$vt_hs_secs" \
		-www /small.html -tls1_3 -ciphersuites TLS_AES_128_GCM_SHA256 2>&1) ||
		fail "openssl s_time against $1: $(echo "$out" | tail -n 3)"
	t1=$(now)
	row_time "$t0" "$t1" "handshakes, $1"
	read -r conns per <<< "$(echo "$out" | awk '/ real seconds, / { print $1, $(NF - 4) }')"
	[ "${conns:-0}" -gt 0 ] && [ "${per:-0}" -gt "$(stat -c %s "$vt/www/small.html")" ] ||
		fail "openssl s_time against $1: $(echo "$out" | tail -n 2)"
	vt_last=$conns
	vt_hs_n[$1]=$((${vt_hs_n[$1]:-0} + conns))
	vt_hs_t[$1]=$(awk -v a="${vt_hs_t[$1]:-0}" -v b="$(elapsed "$t0" "$t1")" 'BEGIN { print a + b }')
	echo "bench:   handshakes, $1: $conns in $(elapsed "$t0" "$t1") s," \
	     "$per bytes read each"
}

# vt_kex SUITE PORT...: each server negotiates TLS 1.3, SUITE and the same
# key exchange group with openssl s_client.
vt_kex() {
	local suite=$1 port out seen=
	shift
	for port in "$@"; do
		out=$(openssl s_client -connect "127.0.0.1:$port" -brief -tls1_3 \
			-ciphersuites "$suite" -CAfile "$vt/ca.pem" </dev/null 2>&1 |
			awk -F ': ' '/^Protocol version|^Ciphersuite|^Signature type|^Verification|Temp Key/ { printf "%s%s", s, $2; s = ", " }')
		[ -z "$seen" ] && seen=$out
		[ "$out" = "$seen" ] && [ "${out#TLSv1.3, $suite, ECDSA, OK, }" != "$out" ] ||
			fail "openssl s_client to 127.0.0.1:$port: '$out', not '$seen'"
	done
	echo "bench:   every server: $seen"
}

# vt_check NAME BEFORE MIN: veil.ko took at least MIN more sockets (its
# tls-tx-total) since BEFORE; what veil-tls logged since the last check,
# if anything, shown.
declare -A vt_seen
vt_mark() { vt_seen[$1]=$(wc -l < "$vt/$1.log"); }
vt_check() {
	local got=$(($(tls_tx_total) - $2)) said
	[ "$got" -ge "$3" ] || fail "$1: veil.ko got keys for $got sockets, not $3"
	said=$(tail -n "+$((${vt_seen[$1]} + 1))" "$vt/$1.log" | grep -vc '^veil-tls: listening on ' || true)
	vt_mark "$1"
	[ "$said" -eq 0 ] || echo "bench:   ($1 logged $said line(s), the last:" \
		"$(grep -v '^veil-tls: listening on ' "$vt/$1.log" | tail -n 1))"
}

vtls_rows() {
	local cipher suite P=$vt name t0 tx i client fetch k keys as
	echo "bench: veil-tls and userspace TLS servers, TLS 1.3, a $vt_mb MB file over loopback"
	trap 'vt_stop "${!vt_pid[@]}"' EXIT
	mkdir -p "$vt" && mount -t tmpfs -o size=$((vt_mb + 64))m tmpfs "$vt" &&
	mkdir "$vt/www" || fail "a tmpfs on $vt"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -noenc \
		-keyout $P/ca.key -out $P/ca.pem -subj "/CN=veil bench CA" -days 30 2>/dev/null &&
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -noenc -keyout $P/srv.key \
		-subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" 2>/dev/null |
	openssl x509 -req -CA $P/ca.pem -CAkey $P/ca.key -copy_extensions copy -days 30 \
		-out $P/srv.pem 2>/dev/null || fail "the ECDSA P-256 certificate"
	t0=$(now)
	dd if=/dev/urandom of="$vt/www/big.bin" bs=1M count="$vt_mb" status=none ||
		fail "a $vt_mb MB file"
	echo "bench:   $(elapsed "$t0" "$(now)") s to write $vt_mb MB of /dev/urandom to tmpfs"
	head -c 96 /dev/urandom | base64 -w 64 > "$vt/www/small.html"
	: > "$vt/httpd.conf"

	vt_start httpd 8080 busybox httpd -f -p 127.0.0.1:8080 -h "$vt/www" -c "$vt/httpd.conf"
	vt_fetch vt_plain "plain HTTP from busybox httpd" http://127.0.0.1:8080/big.bin \
		TLS_AES_128_GCM_SHA256 httpd
	for cipher in aes-gcm-128 chacha20-poly1305; do
		suite=$(vt_suite $cipher)
		vt_start vserve 4431 "$vtls" serve --listen 127.0.0.1:4431 --root "$vt/www" \
			--cert $P/srv.pem --key $P/srv.key --tls1.3 --ciphersuites "$suite"
		vt_start s_server 4432 env -C "$vt/www" openssl s_server -WWW -quiet \
			-accept 127.0.0.1:4432 -cert $P/srv.pem -key $P/srv.key \
			-tls1_3 -ciphersuites "$suite"
		vt_start vproxy 8443 "$vtls" proxy --listen 127.0.0.1:8443 \
			--backend 127.0.0.1:8080 --cert $P/srv.pem --key $P/srv.key \
			--tls1.3 --ciphersuites "$suite"
		# debug 5: stunnel logs the bytes it sent on each connection.
		printf '%s\n' "foreground = yes" "pid =" "debug = 5" "[bench]" \
			"accept = 127.0.0.1:8444" "connect = 127.0.0.1:8080" \
			"cert = $P/srv.pem" "key = $P/srv.key" "sslVersion = TLSv1.3" \
			"ciphersuites = $suite" > "$vt/stunnel.conf"
		vt_start stunnel 8444 stunnel4 "$vt/stunnel.conf"
		for name in vserve vproxy; do
			grep -qx "veil-tls: listening on 127.0.0.1:$([ $name = vserve ] && echo 4431 || echo 8443)" \
				"$vt/$name.log" || fail "$name did not say it listens"
		done

		# s_client closes as soon as its handshake is done, often before
		# veil-tls hands the socket to veil.ko, which then refuses it (it
		# takes only established connections, as kTLS): not counted.
		vt_kex "$suite" 4431 4432 8443 8444
		sleep 1
		vt_mark vserve
		vt_mark vproxy
		# Each fetch by curl, then by a client that does not set the pace
		# (whose key veil.ko counts too).
		for client in curl kernel; do
			fetch=vt_fetch k= keys=1 as=
			[ $client = kernel ] && fetch=vt_fetch_k k=k keys=2 as=", kernel client"
			tx=$(tls_tx_total)
			$fetch "vt_${k}serve_veil_${cipher//-/_}" "serve, $cipher, veil-tls serve$as" \
				https://127.0.0.1:4431/big.bin "$suite" vserve
			vt_check vserve "$tx" $keys
			$fetch "vt_${k}serve_user_${cipher//-/_}" \
				"serve, $cipher, openssl s_server -WWW$as" \
				https://127.0.0.1:4432/big.bin "$suite" s_server
			tx=$(tls_tx_total)
			$fetch "vt_${k}proxy_veil_${cipher//-/_}" "proxy, $cipher, veil-tls proxy$as" \
				https://127.0.0.1:8443/big.bin "$suite" vproxy
			vt_check vproxy "$tx" $keys
			$fetch "vt_${k}proxy_user_${cipher//-/_}" "proxy, $cipher, stunnel4$as" \
				https://127.0.0.1:8444/big.bin "$suite" stunnel
		done

		if [ $cipher = aes-gcm-128 ]; then
			for i in $(seq "$vt_hs_rounds"); do
				tx=$(tls_tx_total)
				vt_hs vserve 4431
				vt_check vserve "$tx" "$vt_last"
				vt_hs s_server 4432
			done
		fi
		vt_stop vserve s_server vproxy stunnel
	done
	vt_stop httpd
	trap - EXIT
	umount "$vt" || fail "umount $vt"
}

vtls_summary() {
	local cipher a b hv hs row
	echo
	echo "veil-tls against userspace TLS (TLS 1.3, ECDSA P-256, loopback): a $vt_mb MB"
	echo "file fetched by curl to /dev/null, MB/s, and the server's CPU seconds for"
	echo "it; full handshakes per second"
	printf '%-46s %-9s %-10s %-8s %s\n' "row" "veil-tls" "userspace" "ratio" \
		"server CPU s (veil-tls, userspace)"
	for cipher in aes-gcm-128 chacha20-poly1305; do
		for row in "serve:serve/s_server -WWW" "proxy:proxy/stunnel4" \
			"kserve:serve/s_server, kernel client" "kproxy:proxy/stunnel4, kernel client"; do
			a=vt_${row%%:*}_veil_${cipher//-/_} b=vt_${row%%:*}_user_${cipher//-/_}
			local ac=${a}_cpu bc=${b}_cpu
			printf '%-46s %-9s %-10s %-8s %s, %s\n' "${row#*:}, ${cipher%-poly1305}" \
				"${!a}" "${!b}" "$(ratio "${!a}" "${!b}")" "${!ac}" "${!bc}"
		done
	done
	hv=$(awk -v n="${vt_hs_n[vserve]}" -v t="${vt_hs_t[vserve]}" 'BEGIN { printf "%.1f", n / t }')
	hs=$(awk -v n="${vt_hs_n[s_server]}" -v t="${vt_hs_t[s_server]}" 'BEGIN { printf "%.1f", n / t }')
	printf '%-46s %-9s %-10s %s\n' "handshakes/s, serve/s_server" "$hv" "$hs" "$(ratio "$hv" "$hs")"
	printf '%-46s %s\n' "plain HTTP, busybox httpd" "$vt_plain"
	echo "(ratio = veil-tls / userspace, above 1: veil-tls is faster; the client is"
	echo "curl, decrypting in OpenSSL, or with \"kernel client\" veil-tls connect,"
	echo "decrypting in veil.ko; the proxies' backend is busybox httpd;"
	echo "handshakes: openssl s_time -new, aes-gcm-128, X25519, a small page each)"
}

# The IKE rows: veil-iked and charon as responders (ike_rows, ike_summary).
. "$VEIL_ROOT/scripts/bench-ike.sh"

echo "bench: kernel $(uname -r), $n SAs, qemu $accel, $(nproc) CPUs," \
     "$(($(meminfo MemTotal) / 1024)) MiB"

mkdir -p "$dir"
gen "xfrm state add" > "$dir/ip.batch"
gen "sa add" > "$dir/veil.batch"
[ "$(wc -l < "$dir/ip.batch")" -eq "$n" ] || fail "ip.batch does not have $n lines"
[ "$(wc -l < "$dir/veil.batch")" -eq "$n" ] || fail "veil.batch does not have $n lines"
echo "bench: first lines:"
head -n 1 "$dir/ip.batch" | sed 's/^/bench:   ip -batch: /'
head -n 1 "$dir/veil.batch" | sed 's/^/bench:   veil -batch: /'

# Modules and crypto templates are loaded before anything is measured: one
# SA added and flushed in a scratch namespace, for each system.
for m in xfrm_user esp4; do
	modprobe "$m" || fail "modprobe $m"
done
for dep in $(modinfo -F depends "$ko" | tr , ' '); do
	modprobe "$dep" || fail "modprobe $dep (for veil.ko)"
done
insmod "$ko" || fail "insmod $ko"
echo "bench: veil.ko loaded: $("$veil" info | head -n 1)"

# VEIL_BENCH_ONLY=tls (bench.sh passes it in a file): the TLS record
# layer's rows alone; =veiltls: veil-tls's rows alone; =ike: the IKE rows.
only=$(cat "$VEIL_BUILD/bench/only" 2>/dev/null || true)
case $only in
tls)
	tls_rows
	tls_summary
	echo "bench: done"
	exit 0
	;;
veiltls)
	vtls_rows
	vtls_summary
	echo "bench: done"
	exit 0
	;;
ike)
	ike_rows
	ike_summary
	echo "bench: done"
	exit 0
	;;
esac

ip netns add benchw
one_sa "xfrm state add" > "$dir/one.ip"
one_sa "sa add" > "$dir/one.veil"
ip -n benchw -batch "$dir/one.ip" || fail "warm-up: ip -batch of one SA"
expect_count benchw xfrm 1 "warm-up"
ip -n benchw xfrm state flush || fail "warm-up: ip xfrm state flush"
"$veil" -n benchw -batch "$dir/one.veil" || fail "warm-up: veil -batch of one SA"
expect_count benchw veil 1 "warm-up"
"$veil" -n benchw sa flush || fail "warm-up: veil sa flush"
ip netns del benchw

# --- the kernel's XFRM, through iproute2 ---
echo "bench: xfrm (ip), netns benchx"
ip netns add benchx
settle
x_free0=$(free_kb) x_slab0=$(meminfo Slab)
timed x_add ip -n benchx -batch "$dir/ip.batch"
expect_count benchx xfrm "$n" "after add"
settle
x_free1=$(free_kb) x_slab1=$(meminfo Slab)
timed x_dump ip -n benchx xfrm state list > /dev/null
timed x_flush ip -n benchx xfrm state flush
expect_count benchx xfrm 0 "after flush"
ip netns del benchx

# --- veil ---
echo "bench: veil, netns benchv"
ip netns add benchv
settle
v_free0=$(free_kb) v_slab0=$(meminfo Slab)
timed v_add "$veil" -n benchv -batch "$dir/veil.batch"
expect_count benchv veil "$n" "after add"
settle
v_free1=$(free_kb) v_slab1=$(meminfo Slab)
timed v_dump "$veil" -n benchv sa list > /dev/null
got=$("$veil" -n benchv -j sa list |
      python3 -c 'import json, sys; print(len(json.load(sys.stdin)))') ||
	fail "veil -n benchv -j sa list | python3 failed"
[ "$got" = "$n" ] || fail "veil -j sa list holds $got SAs, not $n"
echo "bench:   veil -j sa list: $got SAs"
timed v_flush "$veil" -n benchv sa flush
expect_count benchv veil 0 "after flush"
ip netns del benchv

# --- veil alone, at scale ---
# Inbound lookups must stay flat from a thousand SAs to a million, and a
# dump of a million must be complete. The same 10,000 `sa get`s (spread
# over the SAs present) are timed at both sizes, over one socket each.
big=$(cat "$VEIL_BUILD/bench/scale" 2>/dev/null || echo 1000000)
small=1000
gets=10000
sa_range() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		for (i = a; i < b; i++)
			printf "sa add src 192.0.2.1 dst 10.%d.%d.%d proto esp spi %d reqid %d" \
			       " mode tunnel aead rfc4106(gcm(aes))" \
			       " 0x0123456789abcdef0123456789abcdef%08x 128\n",
			       int(i / 65536), int(i / 256) % 256, i % 256, 65536 + i, i + 1, i
	}'
}
sa_gets() {
	awk -v m="$1" -v g="$gets" 'BEGIN {
		for (k = 0; k < g; k++) {
			i = (k * 7919) % m
			printf "sa get dst 10.%d.%d.%d proto esp spi %d\n",
			       int(i / 65536), int(i / 256) % 256, i % 256, 65536 + i
		}
	}'
}
count_listed() { "$veil" -n benchs sa list | grep -c '^src '; }

echo "bench: veil at scale, netns benchs, $small then $big SAs"
ip netns add benchs
sa_range 0 "$small" | "$veil" -n benchs -batch - || fail "adding $small SAs"
sa_gets "$small" > "$dir/get.small"
timed s_get_small "$veil" -n benchs -batch "$dir/get.small" > /dev/null
sa_range "$small" "$big" > "$dir/big.batch"
timed s_add_big "$veil" -n benchs -batch "$dir/big.batch"
rm -f "$dir/big.batch"
expect_count benchs veil "$big" "at scale"
sa_gets "$big" > "$dir/get.big"
timed s_get_big "$veil" -n benchs -batch "$dir/get.big" > /dev/null
t0=$(now)
listed=$(count_listed)
s_dump_big=$(elapsed "$t0" "$(now)")
[ "$listed" = "$big" ] || fail "veil sa list showed $listed of $big SAs"
echo "bench:   $s_dump_big s  veil sa list: $listed SAs" >&3
timed s_flush_big "$veil" -n benchs sa flush
expect_count benchs veil 0 "at scale, after flush"
ip netns del benchs

# --- the SPD: lookups must not slow down with the number of policies ---
# The same 10,000 flows are looked up (policy lookup, over one socket)
# with one /8-to-/8 policy, then with that one plus 10,000 host policies
# in four prefix-length tuples (/32 and /31 on each side), as the selftest
# spd.c sets them up. Each flow then gets its own host policy; every
# answer is checked.
pols=10000
flows() {
	awk -v m="$pols" 'BEGIN {
		for (i = 0; i < m; i++)
			printf "policy lookup src 10.%d.%d.%d dst 10.%d.%d.%d dir out\n",
			       1 + i % 4, int(i / 256) % 256, i % 256,
			       100 + i % 4, int(i / 256) % 256, i % 256
	}'
}
host_policies() {
	awk -v m="$pols" 'BEGIN {
		for (i = 0; i < m; i++) {
			sp = i % 2; dp = int(i / 2) % 2; o = i % 256
			printf "policy add src 10.%d.%d.%d/%d dst 10.%d.%d.%d/%d dir out\n",
			       1 + i % 4, int(i / 256) % 256, o - sp * (o % 2), 32 - sp,
			       100 + i % 4, int(i / 256) % 256, o - dp * (o % 2), 32 - dp
		}
	}'
}
echo "bench: veil SPD, netns benchp, 1 then $((pols + 1)) policies"
ip netns add benchp
"$veil" -n benchp policy add src 10.0.0.0/8 dst 10.0.0.0/8 dir out priority 1000 ||
	fail "adding the /8 policy"
flows > "$dir/lookups"
timed p_small "$veil" -n benchp -batch "$dir/lookups" > "$dir/lookups.small"
got=$(grep -c '^src 10.0.0.0/8 dst 10.0.0.0/8' "$dir/lookups.small") || true
[ "$got" = "$pols" ] || fail "with one policy, $got of $pols lookups found it"
host_policies | "$veil" -n benchp -batch - || fail "adding $pols host policies"
timed p_big "$veil" -n benchp -batch "$dir/lookups" > "$dir/lookups.big"
got=$(grep -c '^src 10\.[0-9.]*/3[12] dst' "$dir/lookups.big") || true
[ "$got" = "$pols" ] || fail "with $pols host policies, $got of $pols lookups found theirs"
ip netns del benchp

# --- the datapath: iperf3 over veth ---
# Both ends protect both directions (data and ACKs), with the kernel's
# XFRM on both, then veil on both, the same SAs and policies, in the same
# VM run. Plain TCP over the same veth for scale. Every run is checked
# for a result; every veil run for packets counted by veil both ways.
echo "bench: datapath, netns bencha -> benchb, iperf3 ${IPERF_SECS:=6} s per run"
netns_pair bencha benchb 10.89.0.1/24 10.89.0.2/24 10.89.1.1/32 10.89.2.1/32 ||
	fail "two namespaces joined by veth"

# iperf VAR DST STREAMS: Mbit/s received, into VAR.
iperf() {
	local out mbit
	ip netns exec benchb iperf3 -s -1 -D -B "$2" >/dev/null 2>&1 || fail "iperf3 -s"
	sleep 0.5
	out=$(ip netns exec bencha iperf3 -c "$2" -P "$3" -t "$IPERF_SECS" -J) ||
		fail "iperf3 -c $2 -P $3: $(echo "$out" | tail -n 3)"
	mbit=$(echo "$out" | python3 -c 'import json, sys
print("%.1f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e6))') ||
		fail "iperf3 -c $2 -P $3 gave no result"
	printf -v "$1" '%s' "$mbit"
}

# both NS IMPL ARGS...: run "ip NS xfrm ARGS" or "veil -n NS ARGS".
both() {
	local ns=$1 impl=$2
	shift 2
	if [ "$impl" = xfrm ]; then ip -n "$ns" xfrm "$@"; else "$veil" -n "$ns" "$@"; fi
}

# esp_case NAME MODE IMPL ALGO...: SAs both ways, IMPL at both ends.
esp_case() {
	local name=$1 mode=$2 impl=$3 dst=10.89.0.2 la=10.89.0.1 lb=10.89.0.2 ns
	shift 3
	for ns in bencha benchb; do
		ip -n $ns xfrm policy flush; ip -n $ns xfrm state flush
		"$veil" -n $ns policy flush; "$veil" -n $ns sa flush
	done
	[ "$mode" = tunnel ] && la=10.89.1.0/24 lb=10.89.2.0/24 dst=10.89.2.1
	for ns in bencha benchb; do
		both $ns $impl state add src 10.89.0.1 dst 10.89.0.2 proto esp spi 0x4242 \
			reqid 1 mode "$mode" "$@" replay-window 128 &&
		both $ns $impl state add src 10.89.0.2 dst 10.89.0.1 proto esp spi 0x4343 \
			reqid 2 mode "$mode" "$@" replay-window 128 ||
			fail "$name: $impl SAs in $ns"
	done
	both bencha $impl policy add src $la dst $lb dir out tmpl src 10.89.0.1 \
		dst 10.89.0.2 proto esp reqid 1 mode "$mode" &&
	both bencha $impl policy add src $lb dst $la dir in tmpl src 10.89.0.2 \
		dst 10.89.0.1 proto esp reqid 2 mode "$mode" &&
	both benchb $impl policy add src $lb dst $la dir out tmpl src 10.89.0.2 \
		dst 10.89.0.1 proto esp reqid 2 mode "$mode" &&
	both benchb $impl policy add src $la dst $lb dir in tmpl src 10.89.0.1 \
		dst 10.89.0.2 proto esp reqid 1 mode "$mode" || fail "$name: $impl policies"
	for p in 1 4; do
		local var="dp_${name}_${impl}_$p"
		iperf "$var" $dst $p
		echo "bench:   $name, $impl, $p stream(s): ${!var} Mbit/s"
	done
	if [ "$impl" = veil ]; then
		for ns in bencha benchb; do
			got=$("$veil" -n $ns -j stats | python3 -c 'import json, sys
s = json.load(sys.stdin); print(min(s["in-packets"], s["out-packets"]))')
			[ "$got" -gt 1000 ] || fail "$name: veil in $ns counted only $got packets one way"
		done
	fi
}

for p in 1 4; do
	var=dp_plain_$p
	iperf $var 10.89.0.2 $p
	echo "bench:   plain TCP, $p stream(s): ${!var} Mbit/s"
done
K20=0x000102030405060708090a0b0c0d0e0f10111213
for impl in xfrm veil; do
	esp_case gcm_tr transport $impl aead 'rfc4106(gcm(aes))' $K20 128
	esp_case gcm_tu tunnel $impl aead 'rfc4106(gcm(aes))' $K20 128
	esp_case null_tr transport $impl enc 'ecb(cipher_null)' '' auth digest_null ''
	esp_case null_tu tunnel $impl enc 'ecb(cipher_null)' '' auth digest_null ''
done
# NAT traversal: the same tunnels in UDP (RFC 3948) from port 4500 to
# 4500, each end's ESP taken off a UDP socket: XFRM's set to UDP_ENCAP
# (as charon's), veil's opened by veil encap add.
ENC=(encap espinudp 4500 4500 0.0.0.0)
peers=()
for ns in bencha benchb; do
	ip netns exec $ns "$VEIL_BUILD/selftests/veil/natt_peer" xfrm 0.0.0.0 4500 \
		"$dir/ready.$ns" >/dev/null 2>&1 &
	peers+=($!)
done
for i in $(seq 50); do [ -e "$dir/ready.bencha" ] && [ -e "$dir/ready.benchb" ] && break; sleep 0.1; done
[ -e "$dir/ready.bencha" ] && [ -e "$dir/ready.benchb" ] || fail "natt_peer xfrm did not come up"
esp_case natt_gcm_tu tunnel xfrm aead 'rfc4106(gcm(aes))' $K20 128 "${ENC[@]}"
esp_case natt_null_tu tunnel xfrm enc 'ecb(cipher_null)' '' auth digest_null '' "${ENC[@]}"
kill "${peers[@]}"
wait "${peers[@]}" 2>/dev/null || true
for ns in bencha benchb; do "$veil" -n $ns encap add port 4500 || fail "veil encap add in $ns"; done
esp_case natt_gcm_tu tunnel veil aead 'rfc4106(gcm(aes))' $K20 128 "${ENC[@]}"
esp_case natt_null_tu tunnel veil enc 'ecb(cipher_null)' '' auth digest_null '' "${ENC[@]}"
for ns in bencha benchb; do
	got=$("$veil" -n $ns -j encap show | python3 -c 'import json, sys
print(json.load(sys.stdin)[0]["esp-packets"])')
	[ "$got" -gt 1000 ] || fail "NAT-T: veil took only $got ESP packets off its socket in $ns"
	"$veil" -n $ns encap del port 4500 || fail "veil encap del in $ns"
done

# Route-based interfaces: XFRM's (type xfrm) at both ends, then veil's,
# with the same tunnel SAs carrying interface id 9, policies for 0.0.0.0/0
# with that id, and a route into the interface for the far end's second
# address (10.89.11.1 <-> 10.89.12.1).
ip -n bencha addr add 10.89.11.1/32 dev lan && ip -n benchb addr add 10.89.12.1/32 dev lan ||
	fail "second lan addresses"
if_case() { # if_case NAME IMPL ALGO...
	local name=$1 impl=$2 ns p var
	shift 2
	for ns in bencha benchb; do
		ip -n $ns xfrm policy flush; ip -n $ns xfrm state flush
		"$veil" -n $ns policy flush; "$veil" -n $ns sa flush
		if [ "$impl" = xfrm ]; then
			ip -n $ns link add tun9 type xfrm if_id 9
		else
			"$veil" -n $ns link add tun9 if_id 9
		fi && ip -n $ns link set tun9 up || fail "$name: $impl interface in $ns"
		both $ns $impl state add src 10.89.0.1 dst 10.89.0.2 proto esp spi 0x4444 \
			reqid 1 mode tunnel "$@" replay-window 128 if_id 9 &&
		both $ns $impl state add src 10.89.0.2 dst 10.89.0.1 proto esp spi 0x4545 \
			reqid 2 mode tunnel "$@" replay-window 128 if_id 9 || fail "$name: $impl SAs in $ns"
	done
	ip -n bencha route add 10.89.12.0/24 dev tun9 src 10.89.11.1 &&
	ip -n benchb route add 10.89.11.0/24 dev tun9 src 10.89.12.1 || fail "$name: routes"
	both bencha $impl policy add src 0.0.0.0/0 dst 0.0.0.0/0 dir out if_id 9 \
		tmpl src 10.89.0.1 dst 10.89.0.2 proto esp reqid 1 mode tunnel &&
	both bencha $impl policy add src 0.0.0.0/0 dst 0.0.0.0/0 dir in if_id 9 \
		tmpl src 10.89.0.2 dst 10.89.0.1 proto esp reqid 2 mode tunnel &&
	both benchb $impl policy add src 0.0.0.0/0 dst 0.0.0.0/0 dir out if_id 9 \
		tmpl src 10.89.0.2 dst 10.89.0.1 proto esp reqid 2 mode tunnel &&
	both benchb $impl policy add src 0.0.0.0/0 dst 0.0.0.0/0 dir in if_id 9 \
		tmpl src 10.89.0.1 dst 10.89.0.2 proto esp reqid 1 mode tunnel || fail "$name: $impl policies"
	for p in 1 4; do
		var="dp_${name}_${impl}_$p"
		iperf "$var" 10.89.12.1 $p
		echo "bench:   $name, $impl, $p stream(s): ${!var} Mbit/s"
	done
	for ns in bencha benchb; do
		got=$(ip -n $ns -j -s link show tun9 | python3 -c 'import json, sys
s = json.load(sys.stdin)[0]["stats64"]; print(min(s["rx"]["packets"], s["tx"]["packets"]))')
		[ "$got" -gt 1000 ] || fail "$name: $impl's tun9 in $ns counted only $got packets one way"
		ip -n $ns link del tun9 || fail "$name: deleting $impl's tun9 in $ns"
	done
}
for impl in xfrm veil; do
	if_case if_gcm $impl aead 'rfc4106(gcm(aes))' $K20 128
	if_case if_null $impl enc 'ecb(cipher_null)' '' auth digest_null ''
done
ip netns del bencha
ip netns del benchb

tls_rows
vtls_rows
ike_rows

settle
rmmod veil || fail "rmmod veil"

# Free memory and Slab are in KiB; per SA in bytes.
per_sa() { awk -v a="$1" -v b="$2" -v n="$n" 'BEGIN { printf "%d", (a - b) * 1024 / n }'; }
x_mem=$(per_sa "$x_free0" "$x_free1") v_mem=$(per_sa "$v_free0" "$v_free1")
x_slab=$(per_sa "$x_slab1" "$x_slab0") v_slab=$(per_sa "$v_slab1" "$v_slab0")
rate() { awk -v t="$1" -v n="$n" 'BEGIN { if (t > 0) printf "%d/s", n / t; else print "-" }'; }

echo
echo "veil bench, kernel $(uname -r), $n SAs, qemu $accel, $(date +%Y-%m-%d)"
printf '%-16s %-12s %-12s %s\n' step "xfrm (ip)" veil veil/xfrm
printf '%-16s %-12s %-12s %s\n' "add (batch)" "$x_add s" "$v_add s" "$(ratio "$v_add" "$x_add")"
printf '%-16s %-12s %-12s %s\n' dump "$x_dump s" "$v_dump s" "$(ratio "$v_dump" "$x_dump")"
printf '%-16s %-12s %-12s %s\n' flush "$x_flush s" "$v_flush s" "$(ratio "$v_flush" "$x_flush")"
printf '%-16s %-12s %-12s %s\n' "memory per SA" "$x_mem B" "$v_mem B" "$(ratio "$v_mem" "$x_mem")"
printf '%-16s %-12s %-12s %s\n' "  of it slab" "$x_slab B" "$v_slab B" "$(ratio "$v_slab" "$x_slab")"
printf '%-16s %-12s %-12s\n' "add rate" "$(rate "$x_add")" "$(rate "$v_add")"
echo
echo "veil alone at scale (same VM run)"
printf '%-36s %s\n' "$gets sa get, $small SAs present" "$s_get_small s"
printf '%-36s %s (%s x)\n' "$gets sa get, $big SAs present" "$s_get_big s" "$(ratio "$s_get_big" "$s_get_small")"
printf '%-36s %s\n' "add $((big - small)) more (batch)" "$s_add_big s"
printf '%-36s %s\n' "dump $big (text, every SA seen)" "$s_dump_big s"
printf '%-36s %s\n' "flush $big" "$s_flush_big s"
printf '%-36s %s\n' "$pols policy lookups, 1 policy" "$p_small s"
printf '%-36s %s (%s x)\n' "$pols policy lookups, $((pols + 1)) policies" "$p_big s" "$(ratio "$p_big" "$p_small")"
echo
echo "datapath (iperf3 over veth, both directions protected, the same"
echo "implementation at both ends; Mbit/s received)"
printf '%-28s %-10s %-10s %-10s %s\n' "row" "xfrm" "veil" "veil/xfrm" "veil/plain"
for p in 1 4; do
	var=dp_plain_$p
	printf '%-28s %-10s\n' "plain TCP, $p stream(s)" "${!var}"
done
for row in "gcm_tr:ESP gcm-aes-128 transport" "gcm_tu:ESP gcm-aes-128 tunnel" \
	   "null_tr:ESP null/null transport" "null_tu:ESP null/null tunnel" \
	   "natt_gcm_tu:ESP-in-UDP gcm tunnel" "natt_null_tu:ESP-in-UDP null tunnel" \
	   "if_gcm:interface gcm tunnel" "if_null:interface null tunnel"; do
	for p in 1 4; do
		x="dp_${row%%:*}_xfrm_$p" v="dp_${row%%:*}_veil_$p" pl="dp_plain_$p"
		printf '%-28s %-10s %-10s %-10s %s\n' "${row#*:}, $p" "${!x}" "${!v}" \
			"$(ratio "${!v}" "${!x}")" "$(ratio "${!v}" "${!pl}")"
	done
done
echo "(throughput: above 1, veil is faster; \"null/null\" is ecb(cipher_null)"
echo "with digest_null, which isolates the datapath from the cipher)"
tls_summary
vtls_summary
ike_summary
echo
echo "times: wall clock of one run each; ratio = veil / xfrm (below 1: veil is"
echo "faster or smaller). memory per SA: fall of free memory (MemFree plus"
echo "the per-CPU free lists) over the add, page cache dropped and frees"
echo "settled before both readings; of it slab: rise of Slab."
echo "bench: done"

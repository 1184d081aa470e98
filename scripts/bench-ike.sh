# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2154
#
# The benchmark's IKE rows (sourced by bench-guest.sh, inside the VM, after
# veil.ko is loaded; uses its fail, now, elapsed, ratio, pid_ticks, secs and
# row_time): IKE SAs, each with one Child SA, established per second by M
# parallel initiators against veil-iked as the responder and against
# strongSwan's charon as the responder (on the kernel's own XFRM), in the
# same VM run, alternating, $ik_rounds runs each.
#
#   [ iki1 ] 10.91.1.2 --- veth --- 10.91.1.1 [      ]
#   charon, K connections                     [ ikr  ] 10.90.2.0/24
#   ...                                       [      ]  veil-iked or charon
#   [ ikiM ] 10.91.M.2 --- veth --- 10.91.M.1 [      ]
#
# The initiators are the same for both responders: one charon per initiator
# namespace (its own strongswan.conf, vici socket and /run), each with K
# connections (N in all): IKE aes128gcm16-prfsha256-x25519, PSK, identity
# i<G>.bench.example (G = 1..N, every IKE SA its own identity, as N road
# warriors), one child each, ESP aes128gcm16, 10.200.x.y/32 (its own) ===
# 10.90.2.0/24, start_action = start, so that `swanctl --load-conns`
# initiates them all at once. The responder has one connection for every
# one of them: remote_addrs 10.91.0.0/16, remote identity %any, one PSK,
# remote_ts 10.200.0.0/14 narrowed to each initiator's /32.
#
# A run is timed from just before the initiators' `swanctl --load-conns`
# (or veil-iked's start; their first IKE_SA_INIT follows, and the time
# includes how long they take to send the last) to the responder's
# Nth "child established" log line (both daemons log it once the child's
# SAs and policies are in the kernel), read as the log grows, nothing
# polled; then the responder's SAD (`veil sa count`, or `ip xfrm state
# count` for charon) must hold 2N SAs, every initiator its 2K, the
# responder still 2N two seconds later. The CPU seconds of the responder and of the initiators, the
# VM's busy share, the initiators' retransmissions, the responder's UDP
# receive-buffer drops and its peak RSS (VmHWM) are shown beside each run.
# Only a step that goes wrong fails the bench, never the speed.
#
# Both responders lift their COOKIE / half-open limits out of the way:
# veil-iked's iked { half_open_limit }, charon's cookie_threshold,
# block_threshold (half-open per peer address, 5 by default) and
# init_limit_half_open. charon gets an IKE SA table of 1024 rows in 16
# segments (veil-iked's table has 1024 rows), as strongSwan advises for
# many SAs; both log at level 1 to a file.
#
# N: $VEIL_BENCH_IKE_N, else $VEIL_BUILD/bench/ike_n (bench.sh writes it),
# else 200; M: $VEIL_BENCH_IKE_M, else bench/ike_m, else 4; the rounds:
# $VEIL_BENCH_IKE_ROUNDS, else bench/ike_rounds, else 2; the initiators:
# $VEIL_BENCH_IKE_INITIATOR, else bench/ike_initiator: charon (the default)
# or veil (veil-iked, with the same connections, started at the clock's
# start; it costs the initiators less CPU).

ik_setting() { # ik_setting ENV FILE DEFAULT
	local v=${!1:-}
	[ -z "$v" ] && [ -r "$VEIL_BUILD/bench/$2" ] && v=$(head -n 1 "$VEIL_BUILD/bench/$2")
	echo "${v:-$3}"
}
ik_n=$(ik_setting VEIL_BENCH_IKE_N ike_n 200)
ik_m=$(ik_setting VEIL_BENCH_IKE_M ike_m 4)
ik_rounds=$(ik_setting VEIL_BENCH_IKE_ROUNDS ike_rounds 2)
ik_init=$(ik_setting VEIL_BENCH_IKE_INITIATOR ike_initiator charon)
ik=/tmp/ike-bench
ik_iked=$VEIL_ROOT/tools/iked/veil-iked
. "$VEIL_ROOT/selftests/veil/charon_lib.sh"
ik_psk=veil-bench-ike-psk
ik_ike=aes128gcm16-prfsha256-x25519
ik_esp=aes128gcm16
declare -A ik_pid

# ik_k M: how many of the N connections initiator M (1..$ik_m) has; the
# first N % M initiators one more.
ik_k() { echo $((ik_n / ik_m + ($1 <= ik_n % ik_m ? 1 : 0))); }

# ik_first M: the global index (0-based) of initiator M's first connection.
ik_first() {
	local i f=0
	for ((i = 1; i < $1; i++)); do f=$((f + $(ik_k $i))); done
	echo $f
}

ik_topology() {
	local m
	ip netns add ikr && ip -n ikr link set lo up &&
	ip -n ikr addr add 10.90.2.1/24 dev lo || return 1
	for ((m = 1; m <= ik_m; m++)); do
		ip netns add iki$m && ip -n iki$m link set lo up &&
		ip -n ikr link add i$m type veth peer name eth0 netns iki$m &&
		ip -n ikr addr add 10.91.$m.1/24 dev i$m &&
		ip -n iki$m addr add 10.91.$m.2/24 dev eth0 &&
		ip -n ikr link set i$m up && ip -n iki$m link set eth0 up || return 1
	done
}

ik_teardown() {
	local m
	ip netns del ikr 2>/dev/null || true
	for ((m = 1; m <= ik_m; m++)); do ip netns del iki$m 2>/dev/null || true; done
}

# ik_swanctl NAME ARGS...: swanctl against charon NAME (charon_lib.sh).
ik_swanctl() { swanctl_in "$ik/$1" "${@:2}"; }

# ik_charon NS NAME EXTRA: charon in NS, its files in $ik/NAME, EXTRA more
# lines in its charon { } section (see charon_launch).
ik_charon() {
	charon_launch "$1" "$ik/$2" "" "ikesa_table_size = 1024
		ikesa_table_segments = 16
		$3" >"$ik/$2.why" || fail "IKE: charon $2: $(cat "$ik/$2.why")"
	ik_pid[$2]=$CHARON_LAUNCHED
}

# ik_initiator_conf M: initiator M's swanctl.conf, one connection per IKE
# SA it starts.
ik_initiator_conf() {
	awk -v m="$1" -v k="$(ik_k "$1")" -v f="$(ik_first "$1")" -v ike=$ik_ike \
	    -v esp=$ik_esp -v psk=$ik_psk 'BEGIN {
		print "connections {"
		for (j = 0; j < k; j++) {
			g = f + j
			printf "  c%d {\n    local_addrs = 10.91.%d.2\n    remote_addrs = 10.91.%d.1\n", g, m, m
			printf "    proposals = %s\n", ike
			printf "    local { auth = psk\n      id = i%d.bench.example }\n", g + 1
			printf "    remote { auth = psk\n      id = responder.bench.example }\n"
			printf "    children { c { local_ts = 10.%d.%d.%d/32\n", 200 + int(g / 65536),
			       int(g / 256) % 256, g % 256
			printf "      remote_ts = 10.90.2.0/24\n      esp_proposals = %s\n", esp
			printf "      start_action = start } }\n  }\n"
		}
		print "}"
		printf "secrets { ike-bench { secret = \"%s\" } }\n", psk
	}'
}

# ik_initiator_veil_conf M: the same connections for veil-iked.
ik_initiator_veil_conf() {
	awk -v m="$1" -v k="$(ik_k "$1")" -v f="$(ik_first "$1")" -v ike=$ik_ike \
	    -v esp=$ik_esp 'BEGIN {
		print "connections = {"
		for (j = 0; j < k; j++) {
			g = f + j
			printf "  c%d = { local_addrs = \"10.91.%d.2\"; remote_addrs = \"10.91.%d.1\";\n", g, m, m
			printf "    proposals = \"%s\";\n", ike
			printf "    local = { auth = \"psk\"; id = \"i%d.bench.example\"; };\n", g + 1
			printf "    remote = { auth = \"psk\"; id = \"responder.bench.example\"; };\n"
			printf "    children = { c = { local_ts = \"10.%d.%d.%d/32\";", 200 + int(g / 65536),
			       int(g / 256) % 256, g % 256
			printf " remote_ts = \"10.90.2.0/24\";\n      esp_proposals = \"%s\";", esp
			printf " start_action = \"start\"; }; }; };\n"
		}
		print "};"
	}'
}

ik_resp_swan_conf() {
	cat <<-EOF
	connections {
		bench {
			remote_addrs = 10.91.0.0/16
			proposals = $ik_ike
			local { auth = psk
				id = responder.bench.example }
			remote { auth = psk }
			children { net { local_ts = 10.90.2.0/24
				remote_ts = 10.200.0.0/14
				esp_proposals = $ik_esp } }
		}
	}
	secrets { ike-bench { secret = "$ik_psk" } }
	EOF
}

ik_resp_veil_conf() {
	cat <<-EOF
	iked = { half_open_limit = 1000000; };
	connections = {
	  bench = {
	    remote_addrs = "10.91.0.0/16";
	    proposals = "$ik_ike";
	    local = { auth = "psk"; id = "responder.bench.example"; };
	    remote = { auth = "psk"; id = "%any"; };
	    children = { net = { local_ts = "10.90.2.0/24"; remote_ts = "10.200.0.0/14";
	                         esp_proposals = "$ik_esp"; }; };
	  };
	};
	EOF
}

# ik_count NS veil|xfrm: the SAD's count.
ik_count() {
	local out
	if [ "$2" = veil ]; then
		out=$("$veil" -n "$1" sa count) || fail "IKE: veil -n $1 sa count failed"
	else
		out=$(ip -n "$1" xfrm state count) || fail "IKE: ip -n $1 xfrm state count failed"
	fi
	echo "$out" | awk '$1 == "SAD" && $2 == "count" { print $3 }'
}

# The VM's CPU time, busy and all, in ticks.
ik_vm_ticks() { awk '$1 == "cpu" { print $2 + $3 + $4 + $6 + $7 + $8, $2 + $3 + $4 + $5 + $6 + $7 + $8 }' /proc/stat; }

ik_udp_rcvbuf_errors() {
	ip netns exec "$1" awk '$1 == "Udp:" && !h { for (i = 2; i <= NF; i++) c[$i] = i; h = 1; next }
		$1 == "Udp:" { print $c["RcvbufErrors"] }' /proc/net/snmp
}

# ik_us PID: its user and system CPU time, its threads', in ticks.
ik_us() { sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12, $13 }'; }

# ik_procs: "PID COMM TICKS" of every process and kernel thread.
ik_procs() {
	# (a process that ends meanwhile is left out)
	{ awk '{ sub(/^[^(]*\(/, ""); c = $0; sub(/\).*/, "", c); gsub(/ /, "_", c)
		 sub(/.*\) /, ""); print FILENAME, c, $12 + $13 }' /proc/[0-9]*/stat 2>/dev/null ||
		true; } | sed 's|^/proc/\([0-9]*\)/stat|\1|'
}

# ik_top BEFORE AFTER: the five commands (summed over their processes)
# that took the most CPU between two ik_procs, in seconds.
ik_top() {
	awk -v hz="$hz" 'FILENAME == ARGV[1] { b[$1] = $3; next }
		{ d[$2] += $3 - b[$1] }
		END { for (c in d) if (d[c] > 0) printf "%d %s\n", d[c], c }' "$1" "$2" |
		sort -rn | head -n 5 |
		awk -v hz="$hz" '{ printf "%s%s %.1f", s, $2, $1 / hz; s = ", " }'
}

ik_status_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }

ik_show_logs() {
	local f
	for f in "$ik"/*/*.log; do
		echo "bench:   --- $f (last lines)"
		tail -n 8 "$f" | sed 's/^/bench:     /'
	done
}

# ik_run IMPL ROUND: one timed run against IMPL (veil or charon); its
# figures into ik_IMPL_ROUND_*.
ik_run() {
	local impl=$1 r=$2 m want=$((2 * ik_n)) got i t0 t1 p pids s0 r0 v0 c0 c1 tick
	local sad=xfrm isad=xfrm rpid rlog pat watch timer u0 k0 u1 k1 pfx=ik_${1}_$2 retr=0 est busy s1
	[ "$ik_init" = veil ] && isad=veil
	rm -rf "$ik" && mkdir -p "$ik/resp" || fail "IKE: $ik"
	ik_topology || fail "IKE: the namespaces and veths"
	for ((m = 1; m <= ik_m; m++)); do
		if [ "$ik_init" = veil ]; then
			mkdir -p "$ik/i$m"
			ik_initiator_veil_conf $m > "$ik/i$m/iked.conf"
			echo "secrets = { bench = { secret = \"$ik_psk\"; }; };" > "$ik/i$m/iked.secrets"
			chmod 600 "$ik/i$m/iked.secrets"
			continue
		fi
		ik_charon iki$m i$m ""
		ik_initiator_conf $m > "$ik/i$m/swanctl.conf"
		ik_swanctl i$m --load-creds --noprompt --file "$ik/i$m/swanctl.conf" \
			>"$ik/i$m/creds.out" 2>&1 || fail "IKE: initiator $m: $(tail -n 3 "$ik/i$m/creds.out")"
	done
	if [ "$impl" = veil ]; then
		sad=veil
		ik_resp_veil_conf > "$ik/resp/iked.conf"
		echo "secrets = { bench = { secret = \"$ik_psk\"; }; };" > "$ik/resp/iked.secrets"
		chmod 600 "$ik/resp/iked.secrets"
		ip netns exec ikr "$ik_iked" -F -f "$ik/resp/iked.conf" -s "$ik/resp/iked.secrets" \
			</dev/null >"$ik/resp/iked.log" 2>&1 3>&- &
		ik_pid[resp]=$!
		for i in $(seq 300); do
			grep -q running "$ik/resp/iked.log" && break
			kill -0 "${ik_pid[resp]}" 2>/dev/null ||
				fail "IKE: veil-iked exited: $(tail -n 5 "$ik/resp/iked.log")"
			sleep 0.1
		done
		grep -q running "$ik/resp/iked.log" || fail "IKE: veil-iked did not say it runs"
	else
		ik_charon ikr resp "cookie_threshold = 1000000
		block_threshold = 1000000
		init_limit_half_open = 0"
		ik_resp_swan_conf > "$ik/resp/swanctl.conf"
		ik_swanctl resp --load-all --noprompt --file "$ik/resp/swanctl.conf" \
			>"$ik/resp/load.out" 2>&1 || fail "IKE: charon: $(tail -n 3 "$ik/resp/load.out")"
	fi
	rpid=${ik_pid[resp]} rlog=$ik/resp/charon.log
	[ "$impl" = veil ] && rlog=$ik/resp/iked.log
	got=$(ik_count ikr $sad)
	[ "$got" = 0 ] || fail "IKE: $impl: $got SAs before the run"
	printf -v "${pfx}_rss0" '%s' "$(ik_status_kb "$rpid" VmRSS)"
	sleep 1
	# The end: the responder's log says so of the Nth child (after its SAs
	# and policies are in the kernel, both daemons), read as it grows, with
	# no polling to take the CPU from the daemons; tail ends after grep.
	if [ "$impl" = veil ]; then pat='child net established'; else pat='CHILD_SA net\{[0-9]+\} established'; fi
	mkfifo "$ik/resp/log.fifo" || fail "IKE: a FIFO in $ik"
	grep -m "$ik_n" -E "$pat" <"$ik/resp/log.fifo" >"$ik/resp/established" 3>&- &
	watch=$!
	tail -n +1 -f --pid=$watch "$rlog" >"$ik/resp/log.fifo" 3>&- &
	# The clock starts: every initiator loads its K connections at once
	# (charon), or starts with them (veil-iked, which initiates them as it
	# comes up); the initiators' own start is in the time.
	r0=$(pid_ticks "$rpid") s0=0
	read -r u0 k0 <<< "$(ik_us "$rpid")"
	if [ "$ik_init" = charon ]; then
		for ((m = 1; m <= ik_m; m++)); do s0=$((s0 + $(pid_ticks "${ik_pid[i$m]}"))); done
	fi
	v0=$(ik_udp_rcvbuf_errors ikr)
	ik_procs > "$ik/procs.0"
	read -r c0 tick <<< "$(ik_vm_ticks)"
	t0=$(now)
	pids=()
	for ((m = 1; m <= ik_m; m++)); do
		if [ "$ik_init" = veil ]; then
			ip netns exec iki$m "$ik_iked" -F -f "$ik/i$m/iked.conf" -s "$ik/i$m/iked.secrets" \
				</dev/null >"$ik/i$m/iked.log" 2>&1 3>&- &
			ik_pid[i$m]=$!
			continue
		fi
		ik_swanctl i$m --load-conns --file "$ik/i$m/swanctl.conf" >"$ik/i$m/conns.out" 2>&1 &
		pids+=($!)
	done
	for ((m = 1; m <= ${#pids[@]}; m++)); do
		wait "${pids[m - 1]}" || fail "IKE: initiator $m: swanctl --load-conns:" \
			"$(tail -n 3 "$ik/i$m/conns.out")"
	done
	# The watcher ends at the responder's Nth "child established" line; N
	# seconds at most, never less than 2 minutes.
	( sleep $((ik_n > 120 ? ik_n : 120)); kill "$watch" ) </dev/null >/dev/null 2>&1 3>&- &
	timer=$!
	wait "$watch" || true
	t1=$(now)
	kill "$timer" 2>/dev/null || true
	wait "$timer" 2>/dev/null || true
	kill -0 "$rpid" 2>/dev/null || { ik_show_logs; fail "IKE: the $impl responder died"; }
	got=$(wc -l < "$ik/resp/established")
	[ "$got" = "$ik_n" ] || { ik_show_logs; fail "IKE: $impl: $got of $ik_n children established" \
		"after $(elapsed "$t0" "$t1") s"; }
	# The children are in the SAD before the daemon says so: both SAs each.
	for i in $(seq 50); do
		got=$(ik_count ikr $sad)
		[ "$got" = "$want" ] && break
		sleep 0.1
	done
	[ "$got" = "$want" ] || { ik_show_logs; fail "IKE: $impl: $got SAs in the SAD, not $want"; }
	read -r c1 i <<< "$(ik_vm_ticks)"
	ik_procs > "$ik/procs.1"
	busy=$(awk -v b="$((c1 - c0))" -v t="$((i - tick))" 'BEGIN { printf "%d", (t > 0 ? 100 * b / t : 0) }')
	printf -v "${pfx}_busy" '%s' "$busy"
	printf -v "${pfx}_t" '%s' "$(elapsed "$t0" "$t1")"
	printf -v "${pfx}_cpu" '%s' "$(secs $(($(pid_ticks "$rpid") - r0)))"
	read -r u1 k1 <<< "$(ik_us "$rpid")"
	printf -v "${pfx}_us" '%s' "user $(secs $((u1 - u0))), sys $(secs $((k1 - k0)))"
	s1=0
	for ((m = 1; m <= ik_m; m++)); do s1=$((s1 + $(pid_ticks "${ik_pid[i$m]}"))); done
	printf -v "${pfx}_icpu" '%s' "$(secs $((s1 - s0)))"
	printf -v "${pfx}_drops" '%s' "$(($(ik_udp_rcvbuf_errors ikr) - v0))"
	row_time "$t0" "$t1" "IKE, $impl responder, run $r"
	# Every initiator holds its children; none went away meanwhile.
	for ((m = 1; m <= ik_m; m++)); do
		want=$((2 * $(ik_k $m)))
		for i in $(seq 100); do
			[ "$(ik_count iki$m "$isad")" = "$want" ] && break
			sleep 0.1
		done
		got=$(ik_count iki$m "$isad")
		[ "$got" = "$want" ] || { ik_show_logs; fail "IKE: $impl: initiator $m has $got of $want SAs"; }
		retr=$((retr + $(cat "$ik/i$m/"*.log | grep -Ec 'retransmit [0-9]* of request|retransmitting request' || true)))
	done
	sleep 2
	got=$(ik_count ikr $sad)
	[ "$got" = $((2 * ik_n)) ] ||
		{ ik_show_logs; fail "IKE: $impl: $got SAs two seconds later, not $((2 * ik_n))"; }
	if [ "$impl" = veil ]; then
		est=$(grep -Ec "$pat" "$rlog" || true)
	else
		est=$(ik_swanctl resp --list-sas 2>/dev/null | grep -c 'INSTALLED' || true)
	fi
	[ "$est" = "$ik_n" ] ||
		{ ik_show_logs; fail "IKE: $impl: the responder shows $est children established, not $ik_n"; }
	printf -v "${pfx}_retr" '%s' "$retr"
	printf -v "${pfx}_hwm" '%s' "$(ik_status_kb "$rpid" VmHWM)"
	p=${pfx}_t
	echo "bench:   $impl responder, run $r: $ik_n IKE SAs + children in ${!p} s" \
	     "($(ik_rate "${!p}")/s); CPU s: responder $(ik_v "${pfx}_cpu") ($(ik_v "${pfx}_us"))," \
	     "initiators $(ik_v "${pfx}_icpu"); VM busy $(ik_v "${pfx}_busy")%;" \
	     "retransmits $retr; UDP drops $(ik_v "${pfx}_drops");" \
	     "VmHWM $(ik_v "${pfx}_hwm") kB (idle RSS $(ik_v "${pfx}_rss0") kB)"
	echo "bench:     most CPU s meanwhile: $(ik_top "$ik/procs.0" "$ik/procs.1")"

	# The responder stops first (veil-iked deletes its SAs and says so to
	# the initiators, charon too), then the initiators; what remains goes
	# with the namespaces.
	ik_stop resp
	for ((m = 1; m <= ik_m; m++)); do ik_stop i$m; done
	if [ "$impl" = veil ]; then
		got=$(ik_count ikr veil)
		[ "$got" = 0 ] || fail "IKE: veil-iked left $got SAs behind"
	fi
	ik_teardown
}

ik_v() { echo "${!1}"; }
ik_rate() { awk -v t="$1" -v n="$ik_n" 'BEGIN { if (t > 0) printf "%.1f", n / t; else print "-" }'; }

# ik_stop NAME: SIGTERM, 60 s to end, then SIGKILL (said).
ik_stop() {
	local pid=${ik_pid[$1]:-} i
	[ -n "$pid" ] || return 0
	kill "$pid" 2>/dev/null || true
	for i in $(seq 600); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		echo "bench:   ($1 still ran 60 s after SIGTERM: killed)"
		kill -9 "$pid" 2>/dev/null || true
	fi
	wait "$pid" 2>/dev/null || true
	unset "ik_pid[$1]"
}

ike_rows() {
	local r impl n
	case "$ik_n:$ik_m:$ik_rounds" in
	*[!0-9:]* | 0:* | *:0:* | *:0) fail "IKE: N, M and the rounds must be positive numbers" ;;
	esac
	[ "$ik_m" -le 250 ] && [ "$ik_n" -ge "$ik_m" ] && [ "$ik_n" -le 262144 ] ||
		fail "IKE: M must be 1 to 250 and at most N, N at most 262144"
	command -v swanctl >/dev/null && [ -x /usr/lib/ipsec/charon ] ||
		fail "IKE: strongSwan's charon and swanctl are not installed (scripts/setup.sh)"
	[ -x "$ik_iked" ] || fail "IKE: no $ik_iked (make tools)"
	echo "bench: IKE SAs per second, $ik_n IKE SAs (one child each) from $ik_m initiators" \
	     "($ik_init), veil-iked and charon responding, $ik_rounds run(s) each"
	echo "bench:   IKE $ik_ike, PSK; ESP $ik_esp, tunnel"
	modprobe -a esp4 xfrm_user || fail "IKE: modprobe esp4 xfrm_user"
	trap 'for p in "${ik_pid[@]}"; do kill -9 "$p" 2>/dev/null; done; ik_teardown' EXIT
	# A command that fails says where (set -e would end the bench silently).
	set -E
	trap 'echo "bench: FAILED: IKE: bench-ike.sh line $LINENO: a command failed" >&3' ERR
	ik_teardown
	# Run 0, not counted, with 2 IKE SAs per initiator: the daemons' and
	# libraries' pages come off the host's 9p root once, before any run
	# is timed (the first run took 7 CPU s instead of 1.2 without it).
	local n=$ik_n
	ik_n=$((2 * ik_m))
	echo "bench:   run 0 warms up, $ik_n IKE SAs each, not counted"
	ik_run veil 0
	ik_run charon 0
	ik_n=$n
	for ((r = 1; r <= ik_rounds; r++)); do
		for impl in veil charon; do
			ik_run $impl $r
		done
	done
	trap - EXIT ERR
	set +E
	rm -rf "$ik"
}

# ik_sum IMPL FIELD: the sum over the rounds.
ik_sum() {
	local r s=0 v
	for ((r = 1; r <= ik_rounds; r++)); do
		v=ik_${1}_${r}_$2
		s=$(awk -v a="$s" -v b="${!v}" 'BEGIN { print a + b }')
	done
	echo "$s"
}

ike_summary() {
	local impl t rate cpu hwm rv rc r v
	echo
	echo "IKE SAs established per second (IKEv2, PSK, one Child SA each; $ik_n IKE SAs"
	echo "from $ik_m $ik_init initiators at once, $ik_rounds run(s) per responder, alternating)"
	printf '%-22s %-8s %-8s %-10s %-12s %-10s %-9s %s\n' "responder" "IKE SA/s" "wall s" \
		"resp CPU s" "CPU ms/IKE SA" "init CPU s" "VmHWM kB" "retransmits"
	for impl in veil charon; do
		t=$(ik_sum $impl t)
		rate=$(awk -v t="$t" -v n="$((ik_n * ik_rounds))" 'BEGIN { printf "%.1f", n / t }')
		cpu=$(ik_sum $impl cpu)
		hwm=0
		for ((r = 1; r <= ik_rounds; r++)); do
			v=ik_${impl}_${r}_hwm
			[ "${!v}" -gt "$hwm" ] && hwm=${!v}
		done
		printf -v "ik_${impl}_rate" '%s' "$rate"
		printf '%-22s %-8s %-8s %-10s %-12s %-10s %-9s %s\n' \
			"$([ $impl = veil ] && echo "veil-iked (veil.ko)" || echo "charon (XFRM)")" \
			"$rate" "$t" "$cpu" \
			"$(awk -v c="$cpu" -v n="$((ik_n * ik_rounds))" 'BEGIN { printf "%.1f", 1000 * c / n }')" \
			"$(ik_sum $impl icpu)" "$hwm" "$(ik_sum $impl retr)"
	done
	rv=ik_veil_rate rc=ik_charon_rate
	echo "ratio veil-iked / charon: $(ratio "${!rv}" "${!rc}") (IKE SAs per second; above 1:"
	echo "veil-iked is faster)"
	echo "(IKE $ik_ike, ESP $ik_esp; wall s: the runs' sum, from the initiators'"
	echo "first IKE_SA_INIT to all 2N Child SAs in the responder's SAD; VmHWM:"
	echo "the responder's peak RSS, the highest of the runs; both responders with"
	echo "their COOKIE and half-open limits lifted)"
}

# SPDX-License-Identifier: GPL-2.0
#
# Shared by the veil shell tests: KTAP output through the kernel's own
# ktap_helpers.sh (extracted into $KSFT_DIR by the set-up), and check(),
# which runs a command and shows its output only when it fails.

. "$KSFT_DIR/ktap_helpers.sh"

VEIL=${VEIL_CLI:?}
VEIL_VERSION=$(sed -n 's/^#define VEIL_MOD_VERSION "\(.*\)"/\1/p' \
	"$VEIL_ROOT/kmod/version.h")
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT

# XFER_MB: the size, in MB, of the main TCP transfers through SAs and
# tunnels (each way where a suite sends both ways). Two MB is over a
# thousand full-sized packets each way: every window, segmentation and
# sequence-number path is crossed many times. Larger transfers proved no
# more and cost minutes under TCG, where AES runs at 35 to 50 Mbit/s.
XFER_MB=${VEIL_XFER_MB:-2}

# SLOW: how many times a bound on elapsed time is stretched. The debug
# kernel (VEIL_DEBUG=1, make check-debug) runs the suite several times
# slower: KASAN checks every access, lockdep every lock, kmemleak every
# allocation. A bound that holds what a test measures to its design
# (an idle timeout, how long another client may wait) is met there too,
# only later.
SLOW=1
[ "${VEIL_DEBUG:-0}" = 1 ] && SLOW=3

# check DESCRIPTION COMMAND...: one KTAP test line for COMMAND's success.
# A check that took a second or more says how long, for whoever has to
# keep the suite inside its time.
check() {
	local desc=$1 t0=${EPOCHREALTIME/[.,]/} ms
	shift
	if "$@" >"$OUT" 2>&1; then
		ktap_test_pass "$desc"
	else
		sed 's/^/# /' "$OUT"
		ktap_test_fail "$desc"
	fi
	ms=$(( (${EPOCHREALTIME/[.,]/} - t0) / 1000 ))
	[ $ms -lt 1000 ] || printf '# %d.%d s\n' $((ms / 1000)) $((ms % 1000 / 100))
}

# make check runs the whole suite once per kernel. The IKE suites' and
# veil_tls.sh's cases that try the daemons' own logic more than the
# kernel's (certificates, control sockets, malformed messages, DPD, rekey
# collisions, HTTP, timeouts) need not run twice: VEIL_ELSEWHERE names
# (comma-separated) the programs whose such cases this guest leaves to
# the other kernel's (scripts/check.sh). Their kernel-facing core (SAs of
# each kind installed and used, traps, NAT-T, rekeying, TLS records) runs
# on both. Without VEIL_ELSEWHERE every case runs.
#
# A suite may divide those cases into parts (daemon_part N before them),
# so that the two guests can share them: VEIL_ELSEWHERE's PROG:N leaves
# part N alone to the other guest, PROG all of them.
DAEMON_PART=
daemon_part() { DAEMON_PART=$1; }
elsewhere() {
	local e=,${VEIL_ELSEWHERE:-}, p=${0##*/}
	[[ $e == *,"$p",* ]] || { [ -n "$DAEMON_PART" ] && [[ $e == *,"$p:$DAEMON_PART",* ]]; }
}

# daemon_check DESCRIPTION COMMAND...: check(), for such a case.
daemon_check() { elsewhere || check "$@"; }

# expect_status STATUS COMMAND...: COMMAND exits with STATUS; its output
# (stdout and stderr) is left in $OUT for further checks.
expect_status() {
	local want=$1 got
	shift
	"$@" >"$OUT" 2>&1
	got=$?
	if [ "$got" -ne "$want" ]; then
		echo "'$*' exited $got, expected $want; it printed:"
		cat "$OUT"
		return 1
	fi
}

# output_has PATTERN: the last expect_status output matches PATTERN.
output_has() {
	grep -Eq -- "$1" "$OUT" || { echo "no '$1' in:"; cat "$OUT"; return 1; }
}

# nap SECONDS: sleep without starting a process: `read -t` on a pipe
# nobody writes to (this shell holds both ends). Under TCG a process costs
# a twentieth to a tenth of a second of CPU, and polls that run several
# times a second would take it from the daemons they wait for.
# (The guest's init links /dev/fd, which <(...) needs.)
exec {NAP_FD}<> <(:)
nap() { read -r -t "$1" -u "$NAP_FD" _ || :; }
[ -n "${NAP_FD:-}" ] || nap() { sleep "$1"; }

# occurs N TEXT WORD: WORD occurs exactly N times in TEXT; without a
# process, for the same reason as nap.
occurs() {
	local rest=${2//"$3"/}
	[ $(( (${#2} - ${#rest}) / ${#3} )) -eq "$1" ]
}

# listed N TEXT: TEXT, a listing of SAs as `ip xfrm state` and `veil sa
# list` print them, holds N SAs.
listed() { occurs "$1" $'\n'"$2" $'\nsrc '; }

# wait_for TRIES COMMAND...: until COMMAND succeeds, 0.2 s apart.
wait_for() {
	local n=$1
	shift
	while ! "$@" >/dev/null 2>&1; do
		n=$((n - 1))
		[ $n -gt 0 ] || return 1
		nap 0.2
	done
}

# SPDX-License-Identifier: GPL-2.0
#
# Shared by iked.sh, iked_v1.sh and scripts/bench-ike.sh: strongSwan's charon, started
# in a network namespace from a strongswan.conf of its own, driven over
# its vici socket with swanctl.

# The suites' retransmit settings, for EXTRA: two retransmits (6 s) keep
# failure cases short; four (22 s) on the debug kernel (SLOW, from lib.sh),
# where veil-iked once took 6.6 s from a Quick Mode's second message to
# its third.
CHARON_RETRANSMIT="retransmit_tries = $((${SLOW:-1} == 1 ? 2 : 4))
		retransmit_timeout = 1"

# lib.sh's nap where the suites' lib.sh is loaded (bench-ike.sh has not).
declare -F nap >/dev/null || nap() { sleep "$1"; }

# swanctl_in DIR ARGS...: swanctl against the charon charon_launch started
# in DIR, its output and errors on stdout. No `ip netns exec`: the vici
# socket is a file. swanctl reads a strongswan.conf of its own, naming the
# plugins it loads: by default it tries a dozen Debian does not ship (a
# "failed to load" line each) and starts OpenSSL, which costs it a third
# of a second of CPU under TCG; only the --load commands parse keys and
# certificates.
swanctl_in() {
	local d=$1 conf=$1/swanctl-query.conf
	shift
	case " $* " in *" --load"*) conf=$d/swanctl-load.conf ;; esac
	STRONGSWAN_CONF=$conf /usr/sbin/swanctl "$@" --uri "unix://$d/charon.vici" 2>&1
}

# swanctl ARGS...: the suites' swanctl, against their charon in $T.
swanctl() { swanctl_in "$T" "$@"; }

# veil_sas N [NS]: veil.ko in NS ($L, veil's end in the IKE suites) holds
# N SAs, counted in bash: the suites poll it several times a second.
veil_sas() { listed "$1" "$("$VEIL" -n "${2:-$L}" sa list)"; }

# charon_launch NS DIR LOG EXTRA: charon in NS, with its strongswan.conf,
# vici socket (DIR/charon.vici), log (DIR/charon.log) and output in DIR;
# LOG adds filelog levels ("ike = 2"), EXTRA lines to the charon { }
# section. Each charon writes /run/charon.pid and refuses to start beside
# another one: each gets a /run of its own, a tmpfs in the mount namespace
# `ip netns exec` makes for it. Sets CHARON_LAUNCHED to its pid once it
# answers on vici; else says why and returns 1.
charon_launch() {
	local ns=$1 d=$2 i
	mkdir -p "$d"
	cat > "$d/strongswan.conf" <<-EOF
	charon {
		load_modular = yes
		install_routes = no
		$4
		plugins {
			include /etc/strongswan.d/charon/*.conf
			vici {
				socket = unix://$d/charon.vici
			}
		}
		filelog {
			f {
				path = $d/charon.log
				default = 1
				$3
				time_format = %T
				flush_line = yes
			}
		}
	}
	EOF
	printf 'swanctl {\n\tload = %s\n}\n' "random nonce" > "$d/swanctl-query.conf"
	printf 'swanctl {\n\tload = %s\n}\n' "random nonce pem pkcs1 pkcs8 x509 pubkey openssl" \
		> "$d/swanctl-load.conf"
	# ip netns exec, sh and env exec in turn: $! is charon.
	ip netns exec "$ns" sh -c 'mount -t tmpfs tmpfs /run && exec "$@"' sh \
		env STRONGSWAN_CONF="$d/strongswan.conf" /usr/lib/ipsec/charon \
		</dev/null >"$d/charon.out" 2>&1 3>&- &
	CHARON_LAUNCHED=$!
	for i in $(seq 300); do
		[ -S "$d/charon.vici" ] &&
			STRONGSWAN_CONF=$d/swanctl-query.conf /usr/sbin/swanctl --stats \
				--uri "unix://$d/charon.vici" >/dev/null 2>&1 && return 0
		kill -0 "$CHARON_LAUNCHED" 2>/dev/null ||
			{ echo "charon exited: $(tail -n 5 "$d/charon.out")"; return 1; }
		nap 0.1
	done
	echo "charon: no vici socket after 30 s: $(tail -n 5 "$d/charon.out")"
	return 1
}

# SPDX-License-Identifier: GPL-2.0
#
# Shared by iked.sh and scripts/bench-ike.sh: strongSwan's charon, started
# in a network namespace from a strongswan.conf of its own, driven over
# its vici socket with swanctl.

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
	# ip netns exec, sh and env exec in turn: $! is charon.
	ip netns exec "$ns" sh -c 'mount -t tmpfs tmpfs /run && exec "$@"' sh \
		env STRONGSWAN_CONF="$d/strongswan.conf" /usr/lib/ipsec/charon \
		</dev/null >"$d/charon.out" 2>&1 3>&- &
	CHARON_LAUNCHED=$!
	for i in $(seq 300); do
		[ -S "$d/charon.vici" ] &&
			ip netns exec "$ns" /usr/sbin/swanctl --stats --uri "unix://$d/charon.vici" \
				>/dev/null 2>&1 && return 0
		kill -0 "$CHARON_LAUNCHED" 2>/dev/null ||
			{ echo "charon exited: $(tail -n 5 "$d/charon.out")"; return 1; }
		sleep 0.1
	done
	echo "charon: no vici socket after 30 s: $(tail -n 5 "$d/charon.out")"
	return 1
}

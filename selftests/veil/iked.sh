#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# veil-iked, the IKEv2 daemon, against strongSwan's charon on the kernel's
# own XFRM: each side initiates, with several proposals, over IPv4 and
# IPv6; traffic (ping and a TCP transfer of XFER_MB megabytes) must cross each tunnel;
# each side rekeys the child while pings go, and none may be lost; a dead
# charon is found dead.
#
#   [ iked-l ] 10.96.0.1 ----------- veth ----------- 10.96.0.2 [ iked-r ]
#   veil-iked  fd00:96::1                            fd00:96::2   charon
#   veil.ko    lo 10.96.1.1/24, fd00:96:1::1/64    lo 10.96.2.1/24, fd00:96:2::1/64
#                                                  10.96.6.2 |
#   [ iked-c ] 10.96.5.2 -- 10.96.5.1 [ iked-n ] 10.96.6.1 --+
#   veil-iked, lo 10.96.7.1/24         masquerade
#
# iked-c reaches charon only through iked-n's NAT. Last, charon is gone
# and a second veil-iked answers in iked-r, to iked-c's through the NAT
# (veil to veil), and the NAT's mapping changes under them.
#
# charon runs once, from a strongswan.conf of its own (STRONGSWAN_CONF),
# and gets each case's connection over its vici socket with swanctl;
# veil-iked starts afresh for each case, with the matching configuration.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/charon_lib.sh"

IKED=${VEIL_IKED:-$VEIL_ROOT/tools/iked/veil-iked}
XFER=$VEIL_BUILD/selftests/veil/tcp_xfer
PKI=$VEIL_BUILD/selftests/veil/iked-pki
L=iked-l R=iked-r C=iked-c N=iked-n
T=$(mktemp -d)
PSK=veil-iked-selftest-psk
CHARON_PID= IKED_PID= IKED2_PID=

cleanup() {
	[ -n "$IKED_PID" ] && kill "$IKED_PID" 2>/dev/null
	[ -n "$CHARON_PID" ] && kill "$CHARON_PID" 2>/dev/null
	[ -n "$IKED2_PID" ] && kill "$IKED2_PID" 2>/dev/null
	wait 2>/dev/null
	for n in $L $R $C $N; do ip netns del $n 2>/dev/null; done
	rm -rf "$T" "$OUT"
}
trap cleanup EXIT

l() { ip netns exec $L "$@"; }
r() { ip netns exec $R "$@"; }
# veil in $L: -n is cheaper under TCG than ip netns exec, which starts
# one more program and remounts /sys.
lv() { "$VEIL" -n $L "$@"; }

topology() {
	ip netns add $L && ip netns add $R || return 1
	ip -n $L link set lo up && ip -n $R link set lo up &&
	ip -n $L link add eth0 type veth peer name eth0 netns $R &&
	ip -n $L addr add 10.96.0.1/24 dev eth0 && ip -n $R addr add 10.96.0.2/24 dev eth0 &&
	ip -n $L addr add fd00:96::1/64 dev eth0 nodad && ip -n $R addr add fd00:96::2/64 dev eth0 nodad &&
	ip -n $L link set eth0 up && ip -n $R link set eth0 up &&
	ip -n $L addr add 10.96.1.1/24 dev lo && ip -n $R addr add 10.96.2.1/24 dev lo &&
	ip -n $L addr add fd00:96:1::1/64 dev lo && ip -n $R addr add fd00:96:2::1/64 dev lo &&
	ip -n $L route add 10.96.2.0/24 via 10.96.0.2 src 10.96.1.1 &&
	ip -n $R route add 10.96.1.0/24 via 10.96.0.1 src 10.96.2.1 &&
	ip -n $L route add fd00:96:2::/64 via fd00:96::2 src fd00:96:1::1 &&
	ip -n $R route add fd00:96:1::/64 via fd00:96::1 src fd00:96:2::1 &&
	# the NAT's side
	ip netns add $C && ip netns add $N && ip -n $C link set lo up && ip -n $N link set lo up &&
	ip -n $C link add eth0 type veth peer name in0 netns $N &&
	ip -n $N link add out0 type veth peer name eth1 netns $R &&
	ip -n $C addr add 10.96.5.2/24 dev eth0 && ip -n $N addr add 10.96.5.1/24 dev in0 &&
	ip -n $N addr add 10.96.6.1/24 dev out0 && ip -n $R addr add 10.96.6.2/24 dev eth1 &&
	ip -n $C addr add 10.96.7.1/24 dev lo &&
	for d in "$C eth0" "$N in0" "$N out0" "$R eth1"; do ip -n ${d% *} link set ${d#* } up; done &&
	ip -n $C route add default via 10.96.5.1 &&
	ip -n $R route add 10.96.7.0/24 via 10.96.6.1 src 10.96.2.1 &&
	ip netns exec $N sysctl -qw net.ipv4.ip_forward=1 &&
	ip netns exec $N nft -f - <<-EOF || return 1
	table ip nat {
		chain post {
			type nat hook postrouting priority srcnat;
			oifname "out0" meta l4proto udp masquerade to :40000-40100
			oifname "out0" masquerade
		}
	}
	EOF
	dd if=/dev/urandom of="$T/data" bs=1M count=$XFER_MB status=none
}

charon_start() {
	charon_launch $R "$T" "ike = 2
				knl = 1" "$CHARON_RETRANSMIT" || return 1
	CHARON_PID=$CHARON_LAUNCHED
}

# swan_conf FAMILY IKE_PROPOSAL ESP_PROPOSAL [ SECRET ]: charon's side of
# the tunnel between the two loopback subnets.
swan_conf() {
	local fam=$1 ike=$2 esp=$3 secret=${4:-$PSK} me peer lts rts
	if [ "$fam" = 4 ]; then
		me=10.96.0.2 peer=10.96.0.1 lts=10.96.2.0/24 rts=10.96.1.0/24
	else
		me=fd00:96::2 peer=fd00:96::1 lts=fd00:96:2::/64 rts=fd00:96:1::/64
	fi
	cat > "$T/swanctl.conf" <<-EOF
	connections {
		veil {
			local_addrs = $me
			remote_addrs = $peer
			proposals = $ike
			local { ${SWAN_LOCAL:-auth = psk
				id = charon.example} }
			remote { ${SWAN_REMOTE:-auth = psk
				id = veil.example} }
			children { net { local_ts = $lts
				remote_ts = $rts
				${SWAN_PROTO:-esp}_proposals = $esp } }
		}
	}
	secrets { ike-1 { id-1 = veil.example
		id-2 = charon.example
		secret = "$secret" } }
	EOF
	swanctl --load-all --file "$T/swanctl.conf" >"$T/swanctl.out" 2>&1 ||
		{ cat "$T/swanctl.out"; return 1; }
}

# iked_conf FAMILY IKE_PROPOSAL ESP_PROPOSAL START_ACTION [ SECRET ]
iked_conf() {
	local fam=$1 ike=$2 esp=$3 start=$4 secret=${5:-$PSK} me peer lts rts
	local il=${IKED_LOCAL:-'auth = "psk"; id = "veil.example";'}
	local ir=${IKED_REMOTE:-'auth = "psk"; id = "charon.example";'}
	if [ "$fam" = 4 ]; then
		me=10.96.0.1 peer=10.96.0.2 lts=10.96.1.0/24 rts=10.96.2.0/24
	else
		me=fd00:96::1 peer=fd00:96::2 lts=fd00:96:1::/64 rts=fd00:96:2::/64
	fi
	cat > "$T/iked.conf" <<-EOF
	${IKED_GLOBAL:-}
	connections = {
	  charon = {
	    local_addrs = "$me"; remote_addrs = "$peer";
	    ${IKED_CONN:-}
	    proposals = "$ike";
	    local = { $il };
	    remote = { $ir };
	    children = { net = { local_ts = "$lts"; remote_ts = "$rts";
	                         ${IKED_PROTO:-esp}_proposals = "$esp"; start_action = "$start";
	                         ${IKED_CHILD:-} }; };
	  };
	};
	EOF
	cat > "$T/iked.secrets" <<-EOF
	secrets = { s = { id = ["veil.example", "charon.example"]; secret = "$secret"; }; };
	EOF
	chmod 600 "$T/iked.secrets"
}

iked_start() {
	# not through l(): $! must be veil-iked itself (ip netns exec execs it)
	ip netns exec $L "$IKED" -F -d -f "$T/iked.conf" -s "$T/iked.secrets" >"$T/iked.log" 2>&1 &
	IKED_PID=$!
}

# iked_stop: veil-iked ends on SIGTERM, and leaves no SA or policy behind.
iked_stop() {
	[ -n "$IKED_PID" ] || return 0
	kill "$IKED_PID" && wait "$IKED_PID"
	IKED_PID=
	[ -z "$(lv sa list)" ] && [ -z "$(lv policy list)" ] ||
		{ echo "left behind:"; lv sa list; lv policy list; return 1; }
}

# case_of FUNCTION ARGS...: runs a case; veil-iked never outlives it.
case_of() {
	"$@" && return 0
	[ -n "$IKED_PID" ] && kill "$IKED_PID" 2>/dev/null && wait "$IKED_PID" 2>/dev/null
	IKED_PID=
	return 1
}

# The polls below run several times a second: each starts as few processes
# as it can (see lib.sh's nap and charon_lib.sh's veil_sas).

# The child is installed at both ends (veil's two SAs, charon's child).
installed() {
	veil_sas 2 && [[ $(swanctl --list-sas) == *INSTALLED* ]]
}

# charon_released: veil-iked's Delete reached charon, which has no IKE SA
# left.
charon_released() {
	wait_for 25 eval '[[ $(swanctl --list-sas) != *ESTABLISHED* ]]' ||
		{ echo "charon kept its SA"; show_logs; return 1; }
}

# One child and one IKE SA at each end.
one_each() {
	local sas
	veil_sas 2 && sas=$(swanctl --list-sas) &&
	occurs 1 "$sas" INSTALLED && occurs 1 "$sas" ESTABLISHED
}

show_logs() {
	echo "--- veil-iked"; tail -n 30 "$T/iked.log"
	echo "--- charon"; tail -n 30 "$T/charon.log"
}

# traffic FAMILY: ping, then XFER_MB megabytes over TCP, between the loopback subnets.
traffic() {
	local src dst
	if [ "$1" = 4 ]; then src=10.96.1.1 dst=10.96.2.1; else src=fd00:96:1::1 dst=fd00:96:2::1; fi
	l ping -q -c 3 -i 0.2 -W 2 -I $src $dst || return 1
	"$XFER" $L $src $R $dst 5201 "$T/data" || return 1
	# the packets went through the SAs, not around them
	[ "$(lv -s sa list | grep -Ec ', [1-9][0-9]*\(packets\)')" -eq 2 ] ||
		{ lv -s sa list; return 1; }
}

# pki: pki.sh made the certificates at build time (a root CA, an
# intermediate, and end entities: veil-rsa via the intermediate, veil-ec,
# veil-ed, charon-ec, charon-rsa, charon-ed, and charon-rogue from another
# CA of the same name); charon's key goes where swanctl --load-all finds
# it: private/ beside swanctl.conf.
pki() {
	[ -f "$PKI/ca.pem" ] || { echo "no $PKI: make -C selftests/veil makes it"; return 1; }
	mkdir -p "$T/private" && cp -r "$PKI" "$T/pki"
}

# certs VEIL_KEY CHARON_KEY WHO FAMILY [ ids [ IKE ESP ] ]: certificate
# authentication
# both ways, WHO initiating. With "ids", both ends name each other by SAN
# (veil.example, charon.example), else each goes by its certificate's
# subject DN and takes whatever identity the peer's certificate proves.
# veil's RSA certificate is the intermediate's, which veil sends along.
certs() {
	local vk=$1 ck=$2 who=$3 fam=$4 ids=${5:-} list="\"pki/veil-$1.pem\""
	local ike=${6:-aes128gcm16-prfsha256-x25519} esp=${7:-aes128gcm16}
	[ "$vk" = rsa ] && list="$list, \"pki/inter.pem\""
	rm -f "$T/private/"*
	cp "$T/pki/charon-$ck.key" "$T/private/"
	SWAN_LOCAL="auth = ${SWAN_AUTH:-pubkey}
		certs = $T/pki/charon-$ck.pem ${ids:+
		id = charon.example}" \
	SWAN_REMOTE="auth = pubkey
		cacerts = $T/pki/ca.pem ${ids:+
		id = veil.example}" \
	IKED_LOCAL="auth = \"pubkey\"; certs = [$list]; key = \"pki/veil-$vk.key\"; ${ids:+id = \"veil.example\";}" \
	IKED_REMOTE="auth = \"pubkey\"; cacerts = \"pki/ca.pem\"; ${ids:+id = \"charon.example\";}" \
	tunnel "$fam" "$ike" "$esp" "$who" || return 1
	grep -q "authenticated with an RFC 7427 signature and its certificate" "$T/iked.log" ||
		{ show_logs; return 1; }
	# An RSA certificate makes IKE_AUTH larger than 1280 bytes: it goes in
	# RFC 7383 fragments, reassembled at the other end.
	if [ "$vk" = rsa ]; then
		grep -q "reassembled fragmented IKE message" "$T/charon.log" ||
			{ echo "veil-iked did not fragment"; show_logs; return 1; }
	fi
	if [ "$ck" = rsa ]; then
		grep -q "IKE_AUTH 1 reassembled from" "$T/iked.log" ||
			{ echo "no fragments from charon"; show_logs; return 1; }
	fi
}

# cert_refused ca|id: charon initiates with a chain that ends in a CA veil
# does not trust (one with the same name as veil's), or with an identity
# other than the one veil wants: veil-iked refuses, nothing is set up.
cert_refused() {
	local what=$1 ck=ec want=charon.example
	[ "$what" = ca ] && ck=rogue
	[ "$what" = id ] && want=other.example
	rm -f "$T/private/"*
	cp "$T/pki/charon-$ck.key" "$T/private/"
	SWAN_LOCAL="auth = pubkey
		certs = $T/pki/charon-$ck.pem
		id = charon.example" \
	SWAN_REMOTE="auth = pubkey
		cacerts = $T/pki/ca.pem" \
	swan_conf 4 aes128gcm16-prfsha256-x25519 aes128gcm16 || return 1
	IKED_LOCAL='auth = "pubkey"; certs = "pki/veil-ec.pem"; key = "pki/veil-ec.key";' \
	IKED_REMOTE="auth = \"pubkey\"; cacerts = \"pki/ca.pem\"; id = \"$want\";" \
	iked_conf 4 aes128gcm16-prfsha256-x25519 aes128gcm16 none
	iked_start
	wait_for 50 grep -q running "$T/iked.log" || { show_logs; return 1; }
	swanctl --initiate --child net >"$T/initiate.out" 2>&1
	if [ "$what" = ca ]; then
		grep -Eq "charon.example: certificate .*(unable to get local issuer|signature failure)" \
			"$T/iked.log"
	else
		grep -q "peer identity charon.example is not the one charon accepts" "$T/iked.log"
	fi || { echo "veil-iked did not refuse it"; show_logs; return 1; }
	wait_for 25 grep -q "AUTHENTICATION_FAILED" "$T/charon.log" || { show_logs; return 1; }
	[ -z "$(lv sa list)" ] || { lv sa list; return 1; }
	iked_stop
}

# malformed: while a tunnel is up, 4,500 broken IKE messages reach
# veil-iked on ports 500 and 4500 (ike_fuzz.py), a third of them naming
# its IKE SA's SPIs, some opening half-open SAs past the limit. It must
# stay up, its IKE SA in step (charon's rekey goes through it), its child
# carrying traffic, and it must still answer a new peer (charon's second
# IKE SA, for a second child).
malformed() {
	local spis si sr
	swan_conf 4 aes128gcm16-prfsha256-x25519 aes128gcm16 || return 1
	IKED_GLOBAL='iked = { half_open_limit = 5; };'
	iked_conf 4 aes128gcm16-prfsha256-x25519 aes128gcm16 start
	IKED_GLOBAL=
	iked_start
	wait_for 50 installed || { show_logs; return 1; }
	spis=$(swanctl --list-sas | grep -o '[0-9a-f]\{16\}_i[*]\? [0-9a-f]\{16\}_r' | head -1)
	si=${spis%%_i*} sr=${spis##* }
	sr=${sr%_r}
	[ ${#si} -eq 16 ] && [ ${#sr} -eq 16 ] || { swanctl --list-sas; return 1; }
	r python3 "$VEIL_ROOT/selftests/veil/ike_fuzz.py" --dst 10.96.0.1 --count 3000 \
		--seed 1 --spi-i "$si" --spi-r "$sr" &&
	r python3 "$VEIL_ROOT/selftests/veil/ike_fuzz.py" --dst 10.96.0.1 --port 4500 --natt \
		--count 1500 --seed 2 --spi-i "$si" --spi-r "$sr" || return 1
	kill -0 "$IKED_PID" || { echo "veil-iked died"; show_logs; return 1; }
	swanctl --rekey --child net >"$T/rekey.out" 2>&1 || { cat "$T/rekey.out"; show_logs; return 1; }
	wait_for 50 grep -q 'rekeyed by the peer' "$T/iked.log" &&
	wait_for 50 one_each || { echo "the rekey did not go through"; show_logs; return 1; }
	# A new IKE SA, while the flood's half-open SAs are over the limit
	# (a COOKIE round first).
	swanctl --terminate --ike veil >/dev/null 2>&1 &&
	wait_for 25 eval '[ -z "$(lv sa list)" ]' || { show_logs; return 1; }
	swanctl --initiate --child net >"$T/initiate.out" 2>&1 ||
		{ cat "$T/initiate.out"; show_logs; return 1; }
	wait_for 50 installed || { show_logs; return 1; }
	traffic 4 || { show_logs; return 1; }
	iked_stop || return 1
	charon_released
}

# simultaneous: both ends rekey the child at once (RFC 7296 §2.8.1). A
# 5 s delay on veil's side makes the two CREATE_CHILD_SA requests
# cross: charon's is sent as soon as veil-iked's leaves. Each end sees the
# other's request while its own is out; of the two new children the one
# with the lowest nonce is deleted by its maker; one child each remains,
# and pings through it all are not lost. (swanctl takes over a second to
# start under TCG, and 2.8 s was seen on a busy machine: the delay leaves
# it 5 s to send charon's request.)
simultaneous() {
	local loss ping
	swan_conf 4 aes128gcm16-prfsha256-x25519 aes128gcm16-x25519 || return 1
	IKED_CHILD='rekey_time = "6s"; life_time = "60s"; rand_time = "1s";' \
		iked_conf 4 aes128gcm16-prfsha256-x25519 aes128gcm16-x25519 start
	iked_start
	wait_for 50 installed || { show_logs; return 1; }
	l tc qdisc add dev eth0 root netem delay 5000ms limit 10000 || return 1
	l ping -q -c 220 -i 0.05 -W 10 -I 10.96.1.1 10.96.2.1 >"$T/ping.out" 2>&1 &
	ping=$!
	for _ in $(seq 200); do
		grep -q 'rekeying child net' "$T/iked.log" && break
		nap 0.05
	done
	swanctl --rekey --child net >"$T/rekey.out" 2>&1 || { cat "$T/rekey.out"; kill $ping; }
	wait $ping
	# No more delay for what follows; what is queued still leaves on time
	# (deleting the qdisc now would drop it: an IKE request, say).
	l tc qdisc change dev eth0 root netem delay 0ms limit 10000
	loss=$(sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p' "$T/ping.out")
	grep -q 'the peer rekeys it too (simultaneous rekey' "$T/iked.log" &&
	grep -q 'both ends rekeyed it' "$T/iked.log" &&
	wait_for 25 grep -Eq 'CHILD_SA rekey collision (won|lost)' "$T/charon.log" ||
		{ echo "the rekeys did not collide"; show_logs; return 1; }
	[ "$loss" = 0 ] || { echo "loss $loss%"; cat "$T/ping.out"; show_logs; return 1; }
	wait_for 25 one_each || { lv sa list; swanctl --list-sas; show_logs; return 1; }
	l ping -q -c 2 -i 0.2 -W 2 -I 10.96.1.1 10.96.2.1 || { show_logs; return 1; }
	iked_stop || return 1
	charon_released || return 1
	l tc qdisc del dev eth0 root
}

# ah_child: a child with AH instead of ESP (ah_proposals), veil
# initiating; ping and XFER_MB megabytes go through the AH SAs.
ah_child() {
	SWAN_PROTO=ah swan_conf 4 aes128gcm16-prfsha256-x25519 sha256 || return 1
	IKED_PROTO=ah iked_conf 4 aes128gcm16-prfsha256-x25519 sha256 start
	iked_start
	wait_for 50 installed || { show_logs; return 1; }
	lv sa list | grep -q 'proto ah' || { lv sa list; return 1; }
	traffic 4 || { show_logs; return 1; }
	iked_stop || return 1
	charon_released || return 1
}

# tunnel FAMILY IKE ESP WHO: WHO (veil or charon) initiates; traffic flows.
tunnel() {
	local fam=$1 ike=$2 esp=$3 who=$4
	swan_conf "$fam" "$ike" "$esp" || return 1
	iked_conf "$fam" "$ike" "$esp" $([ "$who" = veil ] && echo start || echo none)
	iked_start
	if [ "$who" = charon ]; then
		# veil-iked must be listening first
		wait_for 50 grep -q running "$T/iked.log" || { show_logs; return 1; }
		swanctl --initiate --child net >"$T/initiate.out" 2>&1 ||
			{ cat "$T/initiate.out"; show_logs; return 1; }
	fi
	wait_for 50 installed || { echo "no tunnel"; show_logs; return 1; }
	traffic "$fam" || { show_logs; return 1; }
	iked_stop || return 1
	charon_released || return 1
}

# transport WHO: host to host in transport mode (USE_TRANSPORT_MODE), WHO
# initiating (veil, charon, or veil on a trap's first packet); the
# children's policies, and the trap's, cover every protocol between the
# two hosts, IKE's port 500 included, which must still pass in clear
# (IKE_SA_INIT after a trap, DPD both ways, the Delete at the end).
transport() {
	local who=$1
	cat > "$T/swanctl.conf" <<-EOF
	connections {
		veil {
			local_addrs = 10.96.0.2
			remote_addrs = 10.96.0.1
			proposals = aes128gcm16-prfsha256-x25519
			dpd_delay = 1s
			local { auth = psk
				id = charon.example }
			remote { auth = psk
				id = veil.example }
			children { host { mode = transport
				esp_proposals = aes256gcm16 } }
		}
	}
	secrets { ike-1 { id-1 = veil.example
		id-2 = charon.example
		secret = "$PSK" } }
	EOF
	swanctl --load-all --file "$T/swanctl.conf" >"$T/swanctl.out" 2>&1 ||
		{ cat "$T/swanctl.out"; return 1; }
	cat > "$T/iked.conf" <<-EOF
	connections = {
	  charon = {
	    local_addrs = "10.96.0.1"; remote_addrs = "10.96.0.2";
	    proposals = "aes128gcm16-prfsha256-x25519"; dpd_delay = "1s";
	    local = { auth = "psk"; id = "veil.example"; };
	    remote = { auth = "psk"; id = "charon.example"; };
	    children = { host = { mode = "transport"; esp_proposals = "aes256gcm16";
	                          start_action = "$(case $who in veil) echo start;;
	                                                         trap) echo trap;; *) echo none;; esac)"; }; };
	  };
	};
	EOF
	iked_start
	if [ "$who" = charon ]; then
		wait_for 50 grep -q running "$T/iked.log" || { show_logs; return 1; }
		swanctl --initiate --child host >"$T/initiate.out" 2>&1 ||
			{ cat "$T/initiate.out"; show_logs; return 1; }
	elif [ "$who" = trap ]; then
		wait_for 50 grep -q 'trap installed' "$T/iked.log" || { show_logs; return 1; }
		l ping -q -c 1 -W 1 10.96.0.2 >/dev/null
	fi
	wait_for 50 installed || { echo "no tunnel"; show_logs; return 1; }
	lv sa list | grep -q 'mode transport' || { lv sa list; return 1; }
	l ping -q -c 3 -i 0.2 -W 2 10.96.0.2 || { show_logs; return 1; }
	"$XFER" $L 10.96.0.1 $R 10.96.0.2 5203 "$T/data" || { show_logs; return 1; }
	[ "$(lv -s sa list | grep -Ec ', [1-9][0-9]*\(packets\)')" -eq 2 ] ||
		{ lv -s sa list; return 1; }
	# Liveness checks (dpd_delay 1 s at both ends) cross the policies in
	# clear. Whichever end asks first resets the other's timer (a request
	# received proves the peer alive), so only one end may ever ask: one
	# exchange either way carries IKE in clear both ways, and is enough.
	wait_for 25 eval 'grep -q "received INFORMATIONAL request" "$T/iked.log" ||
			  grep -q "the peer is alive" "$T/iked.log"' ||
		{ echo "IKE did not pass in clear"; show_logs; return 1; }
	iked_stop || return 1
	charon_released || return 1
}

# two_children: one IKE SA over IPv4 carries two children, the IPv4
# subnets (made in IKE_AUTH) and the IPv6 ones (CREATE_CHILD_SA after).
# two_children_swan: charon's side of two children, IPv4 and IPv6.
two_children_swan() {
	cat > "$T/swanctl.conf" <<-EOF
	connections {
		veil {
			local_addrs = 10.96.0.2
			remote_addrs = 10.96.0.1
			proposals = aes128gcm16-prfsha256-x25519
			local { auth = psk
				id = charon.example }
			remote { auth = psk
				id = veil.example }
			children {
				net { local_ts = 10.96.2.0/24
					remote_ts = 10.96.1.0/24
					esp_proposals = aes128gcm16 }
				net6 { local_ts = fd00:96:2::/64
					remote_ts = fd00:96:1::/64
					esp_proposals = aes128gcm16-x25519 }
			}
		}
	}
	secrets { ike-1 { id-1 = veil.example
		id-2 = charon.example
		secret = "$PSK" } }
	EOF
	swanctl --load-all --file "$T/swanctl.conf" >"$T/swanctl.out" 2>&1 ||
		{ cat "$T/swanctl.out"; return 1; }
}

two_children() {
	two_children_swan || return 1
	cat > "$T/iked.conf" <<-EOF
	connections = {
	  charon = {
	    local_addrs = "10.96.0.1"; remote_addrs = "10.96.0.2";
	    proposals = "aes128gcm16-prfsha256-x25519";
	    local = { auth = "psk"; id = "veil.example"; };
	    remote = { auth = "psk"; id = "charon.example"; };
	    children = {
	      net = { local_ts = "10.96.1.0/24"; remote_ts = "10.96.2.0/24";
	              esp_proposals = "aes128gcm16"; start_action = "start"; };
	      net6 = { local_ts = "fd00:96:1::/64"; remote_ts = "fd00:96:2::/64";
	               esp_proposals = "aes128gcm16-x25519"; start_action = "start"; };
	    };
	  };
	};
	EOF
	iked_start
	wait_for 50 eval 'veil_sas 4 && occurs 2 "$(swanctl --list-sas)" INSTALLED' ||
		{ lv sa list; show_logs; return 1; }
	[ "$(swanctl --list-sas 2>/dev/null | grep -c ESTABLISHED)" -eq 1 ] ||
		{ swanctl --list-sas; return 1; }
	l ping -q -c 3 -i 0.2 -W 2 -I 10.96.1.1 10.96.2.1 &&
	l ping -q -c 3 -i 0.2 -W 2 -I fd00:96:1::1 fd00:96:2::1 || { show_logs; return 1; }
	[ "$(lv -s sa list | grep -Ec ', [1-9][0-9]*\(packets\)')" -eq 4 ] ||
		{ lv -s sa list; return 1; }
	iked_stop || return 1
	charon_released || return 1
}

# bad_psk: a wrong key fails IKE_AUTH on both sides, and nothing stays.
bad_psk() {
	swan_conf 4 aes128gcm16-prfsha256-x25519 aes128gcm16 || return 1
	iked_conf 4 aes128gcm16-prfsha256-x25519 aes128gcm16 start not-the-key
	iked_start
	wait_for 50 grep -q 'IKE SA not established\|failed pre-shared key\|AUTHENTICATION_FAILED' \
		"$T/iked.log" || { show_logs; return 1; }
	[ -z "$(lv sa list)" ] || { lv sa list; return 1; }
	swanctl --list-sas 2>/dev/null | grep -q ESTABLISHED && { show_logs; return 1; }
	iked_stop
}

# trap: the first packet of the selectors raises an acquire; veil-iked
# negotiates, and the traffic flows once the SAs are in.
trap_start() {
	swan_conf 4 aes128gcm16-prfsha256-x25519 aes128gcm16 || return 1
	iked_conf 4 aes128gcm16-prfsha256-x25519 aes128gcm16 trap
	iked_start
	wait_for 50 eval '[ "$(lv policy list | grep -c "dir")" -ge 3 ]' ||
		{ echo "no trap policies"; show_logs; return 1; }
	[ -z "$(lv sa list)" ] || { echo "SAs before any packet"; return 1; }
	l ping -q -c 1 -W 1 -I 10.96.1.1 10.96.2.1 >/dev/null
	wait_for 50 installed || { echo "no tunnel"; show_logs; return 1; }
	traffic 4 || { show_logs; return 1; }
	iked_stop
}

peer_deletes() {
	swan_conf 4 aes128gcm16-prfsha256-x25519 aes128gcm16 || return 1
	iked_conf 4 aes128gcm16-prfsha256-x25519 aes128gcm16 start
	iked_start
	wait_for 50 installed || { show_logs; return 1; }
	swanctl --terminate --ike veil >/dev/null 2>&1 || { show_logs; return 1; }
	wait_for 25 eval '[ -z "$(lv sa list)" ]' ||
		{ echo "veil kept its SAs"; show_logs; return 1; }
	grep -q 'the peer deleted the IKE SA' "$T/iked.log" || { show_logs; return 1; }
	iked_stop
}

# close_action start: charon closes the child, then the IKE SA; each time
# veil-iked brings the child up again (on the IKE SA there is, then anew).
peer_closes() {
	swan_conf 4 aes128gcm16-prfsha256-x25519 aes128gcm16 || return 1
	IKED_CHILD='close_action = "start";' iked_conf 4 aes128gcm16-prfsha256-x25519 aes128gcm16 start
	iked_start
	wait_for 50 installed || { show_logs; return 1; }
	swanctl --terminate --child net >/dev/null 2>&1 || { show_logs; return 1; }
	wait_for 25 grep -q 'child net: close_action: starting it again' "$T/iked.log" &&
	wait_for 50 one_each || { echo "the child did not come back"; show_logs; return 1; }
	swanctl --terminate --ike veil >/dev/null 2>&1 || { show_logs; return 1; }
	wait_for 25 grep -q 'charon.net: close_action: restarting' "$T/iked.log" &&
	wait_for 50 one_each || { echo "the IKE SA did not come back"; show_logs; return 1; }
	l ping -q -c 2 -i 0.2 -W 2 -I 10.96.1.1 10.96.2.1 || { show_logs; return 1; }
	iked_stop || return 1
	charon_released || return 1
}

# charon is killed and starts again, and initiates: its INITIAL_CONTACT
# makes veil-iked drop the IKE SA and child the old charon had.
charon_restarts() {
	swan_conf 4 aes128gcm16-prfsha256-x25519 aes128gcm16 || return 1
	iked_conf 4 aes128gcm16-prfsha256-x25519 aes128gcm16 start
	iked_start
	wait_for 50 installed || { show_logs; return 1; }
	kill -9 "$CHARON_PID" && wait "$CHARON_PID" 2>/dev/null
	CHARON_PID=
	charon_start && swan_conf 4 aes128gcm16-prfsha256-x25519 aes128gcm16 || return 1
	swanctl --initiate --child net >"$T/initiate.out" 2>&1 ||
		{ cat "$T/initiate.out"; show_logs; return 1; }
	wait_for 25 grep -q 'INITIAL_CONTACT: the peer has started anew' "$T/iked.log" &&
	wait_for 25 one_each || { lv sa list; show_logs; return 1; }
	l ping -q -c 2 -i 0.2 -W 2 -I 10.96.1.1 10.96.2.1 || { show_logs; return 1; }
	iked_stop || return 1
	charon_released || return 1
}

# rekeys WHO WHAT: WHO (veil or charon) rekeys WHAT (the child, with a
# key exchange, or the IKE SA) while pings go every 30 ms for 5 s: veil
# when its lifetimes say (every 1 to 2 s), charon when swanctl --rekey
# tells it (twice). Every rekey happens meanwhile, none of the pings is
# lost, and then one child and one IKE SA are left on each side.
rekeys() {
	local who=$1 loss c0 c1 i0 i1 ping cmark
	# Each side rekeys the child (PFS) and the IKE SA twice while the
	# pings go: veil by its lifetimes (every 1 to 2 s), charon by
	# swanctl --rekey, child and IKE SA in turn.
	cmark=$([ "$who" = veil ] && echo 'rekeying child net' || echo 'rekeyed by the peer')
	if [ "$who" = veil ]; then
		IKED_CHILD='rekey_time = "2s"; life_time = "60s"; rand_time = "1s";'
		IKED_CONN='rekey_time = "2s"; rand_time = "1s";'
	fi
	swan_conf 4 aes128gcm16-prfsha256-x25519 aes128gcm16-x25519 || return 1
	iked_conf 4 aes128gcm16-prfsha256-x25519 aes128gcm16-x25519 start
	IKED_CHILD= IKED_CONN=
	iked_start
	wait_for 50 installed || { show_logs; return 1; }
	c0=$(grep -c "$cmark" "$T/iked.log")
	i0=$(grep -c 'rekeyed IKE SA' "$T/iked.log")
	# -W 3: a reply late on a busy single-CPU VM is not a lost packet
	l ping -q -c 230 -i 0.03 -W 3 -I 10.96.1.1 10.96.2.1 >"$T/ping.out" 2>&1 &
	ping=$!
	if [ "$who" = charon ]; then
		for what in child ike child ike; do
			nap 0.6
			if [ "$what" = child ]; then
				swanctl --rekey --child net >"$T/rekey.out" 2>&1
			else
				swanctl --rekey --ike veil >"$T/rekey.out" 2>&1
			fi || { cat "$T/rekey.out"; kill $ping; show_logs; return 1; }
		done
	fi
	wait $ping
	c1=$(grep -c "$cmark" "$T/iked.log")
	i1=$(grep -c 'rekeyed IKE SA' "$T/iked.log")
	loss=$(sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p' "$T/ping.out")
	if [ "$loss" != 0 ] || [ "$c1" -lt $((c0 + 2)) ] || [ "$i1" -lt $((i0 + 2)) ]; then
		echo "loss $loss%; during the pings: $((c1 - c0)) child, $((i1 - i0)) IKE SA rekeys"
		cat "$T/ping.out"; lv sa list; show_logs
		return 1
	fi
	# Between rekeys, one child and one IKE SA on each side: the old ones
	# were deleted.
	wait_for 25 one_each || { lv sa list; swanctl --list-sas; show_logs; return 1; }
	iked_stop || return 1
	charon_released || return 1
}

# natted_conf IKE_PROPOSAL ESP_PROPOSAL [ MORE ]: iked-c's veil-iked, behind
# the NAT, initiating to 10.96.6.2 (charon, or veil-iked); MORE goes into
# the connection.
natted_conf() {
	cat > "$T/iked.conf" <<-EOF
	connections = {
	  charon = {
	    local_addrs = "10.96.5.2"; remote_addrs = "10.96.6.2"; ${3:-}
	    proposals = "$1";
	    local = { auth = "psk"; id = "natted.example"; };
	    remote = { auth = "psk"; id = "charon.example"; };
	    children = { net = { local_ts = "10.96.7.0/24"; remote_ts = "10.96.2.0/24";
	                         esp_proposals = "$2"; start_action = "start"; }; };
	  };
	};
	EOF
	cat > "$T/iked.secrets" <<-EOF
	secrets = { s = { id = ["natted.example", "charon.example"]; secret = "$PSK"; }; };
	EOF
	chmod 600 "$T/iked.secrets"
}

# natt: veil-iked behind a masquerading NAT initiates to charon: NAT
# detection moves IKE to port 4500 and the ESP goes in UDP (RFC 3948),
# through veil.ko's hold on veil-iked's port-4500 socket.
natt() {
	cat > "$T/swanctl.conf" <<-EOF
	connections {
		natc {
			local_addrs = 10.96.6.2
			proposals = aes128gcm16-prfsha256-x25519
			local { auth = psk
				id = charon.example }
			remote { auth = psk
				id = natted.example }
			children { net { local_ts = 10.96.2.0/24
				remote_ts = 10.96.7.0/24
				esp_proposals = aes128gcm16 } }
		}
	}
	secrets { ike-1 { id-1 = natted.example
		id-2 = charon.example
		secret = "$PSK" } }
	EOF
	swanctl --load-all --file "$T/swanctl.conf" >"$T/swanctl.out" 2>&1 ||
		{ cat "$T/swanctl.out"; return 1; }
	natted_conf aes128gcm16-prfsha256-x25519 aes128gcm16
	ip netns exec $C "$IKED" -F -d -f "$T/iked.conf" -s "$T/iked.secrets" >"$T/iked.log" 2>&1 &
	IKED_PID=$!
	wait_for 50 veil_sas 2 $C ||
		{ show_logs; return 1; }
	grep -q 'moving to port 4500' "$T/iked.log" || { echo "no NAT seen"; show_logs; return 1; }
	ip netns exec $C "$VEIL" sa list | grep -q 'encap type espinudp sport 4500 dport 4500' ||
		{ ip netns exec $C "$VEIL" sa list; return 1; }
	ip netns exec $C ping -q -c 3 -i 0.2 -W 2 -I 10.96.7.1 10.96.2.1 || { show_logs; return 1; }
	"$XFER" $C 10.96.7.1 $R 10.96.2.1 5202 "$T/data" || { show_logs; return 1; }
	kill "$IKED_PID" && wait "$IKED_PID"
	IKED_PID=
	[ -z "$(ip netns exec $C "$VEIL" sa list)" ] || return 1
	charon_released || return 1
}

# --- veil ike: the control socket (up, down, list, status, reload) ---
# The cases below drive veil-iked through `veil ike` against charon.

CTL=/run/veil-iked.ctl

# ctl_py SCRIPT: python3 with the control socket's path as argv[1].
ctl_py() { /usr/bin/python3 -c "$1" "$CTL"; }

# ike_json EXPR: EXPR evaluated over `veil -j ike list` as j (python), s
# its first IKE SA and c that SA's first child.
ike_json() {
	"$VEIL" -j ike list | /usr/bin/python3 -c "import json, sys
j = json.load(sys.stdin); s = j['ike_sas'][0]; c = s['children'][0]; print($1)"
}

# ctl_up_down: a connection with start_action none is brought up by
# `veil ike up`, listed with the SPIs and proposals charon has, its child
# deleted alone and brought up again (CREATE_CHILD_SA), then the whole IKE
# SA deleted, which charon sees.
ctl_up_down() {
	local spi_i spi_r spi_in spi_out rest
	swan_conf 4 aes128gcm16-prfsha256-x25519 aes128gcm16 || return 1
	iked_conf 4 aes128gcm16-prfsha256-x25519 aes128gcm16 none
	iked_start
	wait_for 50 "$VEIL" ike status || { echo "no control socket"; show_logs; return 1; }
	expect_status 0 "$VEIL" ike list && output_has '^charon: no IKE SA' || return 1
	expect_status 1 "$VEIL" ike up nosuch && output_has 'no connection named "nosuch"' &&
	expect_status 1 "$VEIL" ike up charon.nosuch &&
	output_has 'connection "charon" has no child named "nosuch"' || return 1
	expect_status 0 "$VEIL" ike up charon.net timeout 20 || { show_logs; return 1; }
	installed || { echo "up returned before the child was in"; return 1; }
	l ping -q -c 2 -i 0.2 -W 2 -I 10.96.1.1 10.96.2.1 || { show_logs; return 1; }
	# SPIs and proposals as charon has them, from one -j list (python
	# starts slowly in the guest); a here-string: the guest has no /dev/fd
	read -r spi_i spi_r spi_in spi_out rest <<<"$(ike_json \
		'" ".join(str(x) for x in (s["spi_i"], s["spi_r"], c["spi_in"], c["spi_out"],
			s["proposal"], c["proposal"], s["state"], s["peer_id"], c["local_ts"],
			c["packets_out"] > 0))')"
	[ "$rest" = "aes128gcm16-prfsha256-x25519 aes128gcm16-noesn established charon.example ['10.96.1.0/24'] True" ] ||
		{ echo "$rest"; "$VEIL" -j -p ike list; return 1; }
	swanctl --list-sas >"$T/sas.out" 2>&1
	grep -q "${spi_i}_i" "$T/sas.out" && grep -q "${spi_r}_r" "$T/sas.out" ||
		{ echo "IKE SPIs $spi_i $spi_r"; cat "$T/sas.out"; return 1; }
	r ip xfrm state >"$T/xfrm.out"
	grep -q "spi 0x$spi_in " "$T/xfrm.out" && grep -q "spi 0x$spi_out " "$T/xfrm.out" ||
		{ echo "child SPIs $spi_in $spi_out"; cat "$T/xfrm.out"; return 1; }
	lv sa list | grep -q "spi 0x$spi_in " || { lv sa list; return 1; }
	expect_status 0 "$VEIL" ike list && output_has '^charon: established, initiator' &&
	output_has "spi-in 0x$spi_in spi-out 0x$spi_out" || return 1
	# The child goes alone; the IKE SA stays.
	expect_status 0 "$VEIL" ike down charon.net || return 1
	wait_for 25 eval '[ -z "$(lv sa list)" ] &&
			  ! swanctl --list-sas 2>/dev/null | grep -q INSTALLED' ||
		{ echo "the child stayed"; show_logs; return 1; }
	swanctl --list-sas 2>/dev/null | grep -q ESTABLISHED &&
	"$VEIL" ike list >"$T/list.out" && grep -q "spi-i 0x$spi_i " "$T/list.out" &&
	! grep -q "child net" "$T/list.out" ||
		{ echo "the IKE SA went with its child"; "$VEIL" ike list; return 1; }
	expect_status 1 "$VEIL" ike down charon.net && output_has 'no Child SA of charon.net' ||
		return 1
	# Up again: a child by CREATE_CHILD_SA on the IKE SA there is.
	expect_status 0 "$VEIL" ike up charon timeout 20 || { show_logs; return 1; }
	installed && "$VEIL" ike list | grep -q "spi-i 0x$spi_i " ||
		{ "$VEIL" ike list; show_logs; return 1; }
	expect_status 0 "$VEIL" ike down charon || return 1
	charon_released || return 1
	wait_for 25 eval '"$VEIL" ike list | grep -q "^charon: no IKE SA"' &&
	[ -z "$(lv sa list)" ] || { "$VEIL" ike list; return 1; }
	expect_status 1 "$VEIL" ike down charon && output_has 'has no IKE SA' || return 1
	iked_stop
}

# ctl_conf_with NAME SETTINGS: iked.conf is iked-base.conf with one more
# connection.
ctl_conf_with() {
	{ sed '$d' "$T/iked-base.conf"; printf '  %s = { %s };\n};\n' "$1" "$2"; } > "$T/iked.conf"
}

# ctl_reload: a connection is added and one removed by `veil ike reload`
# while charon's child stays up as it was; a broken file is refused, and
# the daemon goes on; SIGHUP reloads too; a reload without charon's
# connection deletes its IKE SA, telling charon.
ctl_reload() {
	local spi reqid trap
	swan_conf 4 aes128gcm16-prfsha256-x25519 aes128gcm16 || return 1
	trap='local_addrs = "10.96.0.1"; remote_addrs = "10.96.0.2";
	    local = { auth = "psk"; }; remote = { auth = "psk"; };
	    children = { c = { local_ts = "10.96.1.1/32"; remote_ts = "10.96.2.NN/32";
	                       start_action = "trap"; }; };'
	iked_conf 4 aes128gcm16-prfsha256-x25519 aes128gcm16 none
	cp "$T/iked.conf" "$T/iked-base.conf"
	ctl_conf_with old "${trap/NN/9}"
	iked_start
	wait_for 50 "$VEIL" ike status || { show_logs; return 1; }
	expect_status 0 "$VEIL" ike up charon.net || { show_logs; return 1; }
	installed || return 1
	"$VEIL" ike list >"$T/list.out"
	spi=$(sed -n 's/.*spi-in \(0x[0-9a-f]*\) .*/\1/p' "$T/list.out")
	reqid=$(sed -n 's/.*child net reqid \([0-9]*\) .*/\1/p' "$T/list.out")
	[ -n "$spi" ] && [ -n "$reqid" ] || { cat "$T/list.out"; return 1; }
	lv policy list | grep -q 10.96.2.9 || { echo "no trap"; lv policy list; return 1; }
	# old goes, new comes; charon stays as it is
	ctl_conf_with new "${trap/NN/10}"
	expect_status 0 "$VEIL" ike reload && output_has 'added new; removed old' || return 1
	wait_for 10 eval 'lv policy list | grep -q 10.96.2.10' &&
	! lv policy list | grep -q '10.96.2.9/' ||
		{ echo "traps not swapped"; lv policy list; show_logs; return 1; }
	"$VEIL" ike list >"$T/list.out"
	grep -q "child net reqid $reqid installed" "$T/list.out" && grep -q "spi-in $spi " "$T/list.out" ||
		{ echo "the child changed"; cat "$T/list.out"; return 1; }
	# and the next one will have the same reqid: the configuration kept it
	[ "$(ike_json '[x["reqid"] for n in j["conns"] if n["name"] == "charon" for x in n["children"]]')" = \
	  "[$reqid]" ] || { echo "charon.net's reqid changed"; "$VEIL" -j -p ike list; return 1; }
	installed && l ping -q -c 2 -i 0.2 -W 2 -I 10.96.1.1 10.96.2.1 || { show_logs; return 1; }
	# a broken file: refused, with where; the daemon runs on
	echo 'connections = { broken = ' >> "$T/iked.conf"
	expect_status 1 "$VEIL" ike reload && output_has "iked.conf:[0-9]+" || return 1
	expect_status 0 "$VEIL" ike status && output_has '^connections 2$' && output_has '^child-sas 1$' ||
		{ show_logs; return 1; }
	# SIGHUP: the same, into the log
	ctl_conf_with new "${trap/NN/10}"
	kill -HUP "$IKED_PID"
	wait_for 25 grep -q 'reloaded: 2 connections, 1 secret; 0 IKE SAs' "$T/iked.log" ||
		{ show_logs; return 1; }
	# charon's connection gone: its IKE SA is deleted, charon told
	printf 'connections = { new = { %s }; };\n' "${trap/NN/10}" > "$T/iked.conf"
	expect_status 0 "$VEIL" ike reload && output_has 'removed charon; 1 IKE SAs' || return 1
	charon_released || return 1
	wait_for 25 eval '[ -z "$(lv sa list)" ]' || { lv sa list; return 1; }
	[ "$(lv policy list | grep -c dir)" -eq 3 ] || { lv policy list; return 1; }
	iked_stop
}

# ctl_robust: garbage, early hang-ups, a request too long and idle
# clients never hurt the daemon; a user other than root is refused by the
# socket's mode and, were it open, by the daemon.
ctl_robust() {
	iked_conf 4 aes128gcm16-prfsha256-x25519 aes128gcm16 none
	iked_start
	wait_for 50 "$VEIL" ike status || { show_logs; return 1; }
	[ "$(stat -c %a "$CTL")" = 600 ] || { stat "$CTL"; return 1; }
	ctl_py '
import socket, sys, time
def ask(data, shut=True):
    s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.settimeout(5)
    try:
        s.sendall(data)
        if shut: s.shutdown(socket.SHUT_WR)
    except (BrokenPipeError, ConnectionResetError):
        pass    # refused before it read a byte: its answer ("busy") is there to read
    r = b""
    while True:
        try:
            b = s.recv(4096)
        except ConnectionResetError:   # a refused client: its answer, then a reset
            b = b""
        if not b: return r.decode()
        r += b
for data, want in ((b"garbage\n", "not JSON"), (b"\x00\xff{{\n", "not JSON"),
                   (b"{\"cmd\":\"list\"", "ends too soon"), (b"x" * 5000, "longer than"),
                   (b"[]\n", "not a JSON object"), (b"{\"cmd\":\"up\",\"name\":\"\\u0000\"}\n", "")):
    a = ask(data)
    assert a.startswith("{\"ok\":false") and want in a and a.endswith("\n"), (data[:20], a)
idle = []
for i in range(20):   # more than the daemon serves at once
    s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); idle.append(s)
    if i == 0: s.sendall(b"{\"cmd\":")   # half a request, then nothing
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.close()   # gone at once
for s in idle[:10]: s.close()
for i in range(50):   # once the daemon has seen them go, it serves again
    a = ask(b"{\"cmd\":\"status\"}\n")
    if "busy" not in a: break
    time.sleep(0.1)
assert "\"ok\":true" in a, "status with idle clients: " + a
' || { show_logs; return 1; }
	expect_status 0 "$VEIL" ike status && output_has '^veil-iked .* pid [0-9]+ up' || return 1
	kill -0 "$IKED_PID" || { echo "veil-iked died"; show_logs; return 1; }
	cp "$VEIL" "$T/veil-nobody" && chmod 755 "$T" "$T/veil-nobody" || return 1
	expect_status 1 setpriv --reuid=65534 --regid=65534 --clear-groups "$T/veil-nobody" ike status &&
	output_has 'permission denied' || return 1
	chmod 666 "$CTL" &&
	expect_status 1 setpriv --reuid=65534 --regid=65534 --clear-groups "$T/veil-nobody" ike status &&
	output_has 'permission denied: only root' || return 1
	chmod 700 "$T"
	grep -q 'not root: refused' "$T/iked.log" || { show_logs; return 1; }
	iked_stop || return 1
	[ ! -e "$CTL" ] || { echo "the control socket stayed"; return 1; }
}
# --- end of veil ike's cases ---

# moved_whole: iked-r's side of the child has moved whole to the NAT's
# new address: two SAs, of one listing, the outbound one to 10.96.6.3 on
# a port from the new rule's range, and the policies' templates from there.
moved_whole() {
	local sas
	sas=$("$VEIL" -n $R sa list) || return 1
	listed 2 "$sas" &&
	[[ $sas == *"dst 10.96.6.3"* && $sas == *"dport 420"* ]] &&
	[[ $("$VEIL" -n $R policy list) == *"tmpl src 10.96.6.3"* ]]
}

# veil_to_veil: with charon gone (and XFRM's leftovers flushed), a second
# veil-iked answers in iked-r, and iked-c's initiates to it through the
# NAT: veil on both ends of a NAT-T tunnel. Then the NAT forgets its
# mappings (out0 goes down and up) and maps to other ports: iked-c's next
# liveness check comes from the new port, and iked-r moves the child's
# ESP there (sa-update, sequence numbers kept: the XFER_MB megabytes went on the same
# SAs, and iked-c's replay window would refuse numbers sent again). Then
# the NAT maps to another address too, and the child's SAs and policies
# move to it.
veil_to_veil() {
	# dpd() killed it, where it ran
	[ -z "$CHARON_PID" ] || { kill "$CHARON_PID"; wait "$CHARON_PID"; CHARON_PID=; }
	ip -n $R xfrm state flush && ip -n $R xfrm policy flush || return 1
	cat > "$T/iked2.conf" <<-EOF
	connections = {
	  natted = {
	    local_addrs = "10.96.6.2"; remote_addrs = "%any4";
	    proposals = "aes256gcm16-prfsha384-ecp384";
	    local = { auth = "psk"; id = "charon.example"; };
	    remote = { auth = "psk"; id = "natted.example"; };
	    children = { net = { local_ts = "10.96.2.0/24"; remote_ts = "10.96.7.0/24";
	                         esp_proposals = "aes256gcm16"; }; };
	  };
	};
	EOF
	natted_conf aes256gcm16-prfsha384-ecp384 aes256gcm16 'dpd_delay = "1s";'
	ip netns exec $R "$IKED" -F -d -f "$T/iked2.conf" -s "$T/iked.secrets" -c "$T/iked2.ctl" \
		>"$T/iked2.log" 2>&1 &
	IKED2_PID=$!
	wait_for 50 grep -q running "$T/iked2.log" || { cat "$T/iked2.log"; return 1; }
	ip netns exec $C "$IKED" -F -d -f "$T/iked.conf" -s "$T/iked.secrets" >"$T/iked.log" 2>&1 &
	IKED_PID=$!
	wait_for 50 eval 'veil_sas 2 $C && occurs 1 "$("$VEIL" -n $R sa list)" "dport 40"' ||
		{ show_logs; r "$VEIL" sa list; tail -n 20 "$T/iked2.log"; return 1; }
	ip netns exec $C ping -q -c 3 -i 0.2 -W 2 -I 10.96.7.1 10.96.2.1 &&
	"$XFER" $C 10.96.7.1 $R 10.96.2.1 5202 "$T/data" ||
		{ show_logs; tail -n 20 "$T/iked2.log"; return 1; }
	# The NAT reboots, as it were, and maps UDP to other ports. One
	# transaction: between a flush and an add, a packet would pass as it is.
	ip netns exec $N nft -f - <<-EOF || return 1
	flush chain ip nat post
	add rule ip nat post oifname "out0" meta l4proto udp masquerade to :41000-41100
	add rule ip nat post oifname "out0" masquerade
	EOF
	ip -n $N link set out0 down && ip -n $N link set out0 up || return 1
	wait_for 50 eval 'r "$VEIL" sa list | grep -q "dport 410"' ||
		{ echo "iked-r's ESP did not follow the NAT:"; r "$VEIL" sa list;
		  show_logs; tail -n 20 "$T/iked2.log"; return 1; }
	grep -q 'now to 10.96.6.1\[410' "$T/iked2.log" || { tail -n 20 "$T/iked2.log"; return 1; }
	# Both ways, and iked-r's side first: its ESP must reach the new port.
	r ping -q -c 5 -i 0.2 -W 2 -I 10.96.2.1 10.96.7.1 &&
	ip netns exec $C ping -q -c 5 -i 0.2 -W 2 -I 10.96.7.1 10.96.2.1 ||
		{ r "$VEIL" -s sa list; ip netns exec $C "$VEIL" -s sa list; return 1; }
	# Now to another address as well: the tunnel-mode child moves whole,
	# a new outbound SA to 10.96.6.3 in the old one's place.
	ip -n $N addr add 10.96.6.3/24 dev out0 &&
	ip netns exec $N nft -f - <<-EOF || return 1
	flush chain ip nat post
	add rule ip nat post oifname "out0" meta l4proto udp snat to 10.96.6.3:42000-42100
	add rule ip nat post oifname "out0" masquerade
	EOF
	ip -n $N link set out0 down && ip -n $N link set out0 up || return 1
	# The move is several requests (the new outbound SA, the inbound
	# SA's update, each policy's): wait for all of them, not the first.
	wait_for 50 moved_whole ||
		{ echo "iked-r's SAs and policies did not follow the NAT's new address:"
		  r "$VEIL" sa list; r "$VEIL" policy list; tail -n 20 "$T/iked2.log"; return 1; }
	r ping -q -c 5 -i 0.2 -W 2 -I 10.96.2.1 10.96.7.1 &&
	ip netns exec $C ping -q -c 5 -i 0.2 -W 2 -I 10.96.7.1 10.96.2.1 ||
		{ r "$VEIL" -s sa list; ip netns exec $C "$VEIL" -s sa list; return 1; }
	# A request again from elsewhere (its answer lost to an old mapping):
	# the answer goes back where the copy came from. iked-c's next
	# liveness check is caught and sent once more from port 4501.
	ip netns exec $C "$PYTHON" -c '
import socket, struct, time
# ETH_P_ALL: only such sockets see what the host sends
cap = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(3))
cap.bind(("eth0", 0))
cap.settimeout(1)
end = time.monotonic() + 10
while True:
    assert time.monotonic() < end, "no liveness check from iked-c in 10 s"
    try:
        p, a = cap.recvfrom(65535)
    except socket.timeout:
        continue
    ihl = (p[0] & 15) * 4
    if a[1] != 0x0800 or a[2] != socket.PACKET_OUTGOING or p[9] != 17:
        continue
    sport, dport = struct.unpack("!HH", p[ihl:ihl + 4])
    ike = p[ihl + 8:]
    # port 4500, non-ESP marker, INFORMATIONAL (37) request from the initiator
    if sport == 4500 and ike[:4] == bytes(4) and ike[4 + 18] == 37 and not ike[4 + 19] & 0x20:
        break
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.96.5.2", 4501))
s.settimeout(5)
s.sendto(ike, ("10.96.6.2", 4500))
r = s.recv(65535)
assert r[4:20] == ike[4:20] and r[4 + 19] & 0x20 and r[4 + 20:4 + 24] == ike[4 + 20:4 + 24], r[:32].hex()
print("request %d answered again at port 4501" % struct.unpack("!I", ike[4 + 20:4 + 24]))
' || { tail -n 20 "$T/iked2.log"; return 1; }
	kill "$IKED_PID" && wait "$IKED_PID"
	IKED_PID=
	[ -z "$(ip netns exec $C "$VEIL" sa list)" ] || return 1
	wait_for 25 eval '[ -z "$(r "$VEIL" sa list)" ]' ||
		{ echo "the responder kept its SAs"; tail -n 20 "$T/iked2.log"; return 1; }
	kill "$IKED2_PID" && wait "$IKED2_PID"
	IKED2_PID=
	[ -z "$(r "$VEIL" policy list)" ]
}

# dpd: charon dies; veil-iked's liveness check finds it dead (after 2 s
# of silence and 3 unanswered tries) and removes the Child SA. Last: it
# kills charon.
dpd() {
	two_children_swan || return 1
	cat > "$T/iked.conf" <<-EOF
	iked = { retransmit_tries = 2; retransmit_timeout = 0.3; retransmit_base = 1.5; };
	connections = {
	  charon = {
	    local_addrs = "10.96.0.1"; remote_addrs = "10.96.0.2";
	    proposals = "aes128gcm16-prfsha256-x25519"; dpd_delay = "1s"; keyingtries = 2;
	    local = { auth = "psk"; id = "veil.example"; };
	    remote = { auth = "psk"; id = "charon.example"; };
	    children = {
	      net = { local_ts = "10.96.1.0/24"; remote_ts = "10.96.2.0/24";
	              esp_proposals = "aes128gcm16"; start_action = "start"; dpd_action = "trap"; };
	      net6 = { local_ts = "fd00:96:1::/64"; remote_ts = "fd00:96:2::/64";
	               esp_proposals = "aes128gcm16-x25519"; start_action = "start";
	               dpd_action = "restart"; };
	    };
	  };
	};
	EOF
	iked_start
	wait_for 50 veil_sas 4 || { show_logs; return 1; }
	kill -9 "$CHARON_PID" && wait "$CHARON_PID" 2>/dev/null
	CHARON_PID=
	# net's trap stays; net6 is tried again, twice (keyingtries), in vain
	wait_for 100 grep -q 'charon: attempt 2 of 2' "$T/iked.log" &&
	wait_for 50 eval '[ "$(grep -c "the peer did not answer" "$T/iked.log")" -eq 3 ]' ||
		{ echo "no restart, or no second attempt"; show_logs; return 1; }
	grep -q 'charon.net: dpd_action: trap' "$T/iked.log" &&
	grep -q 'charon.net6: dpd_action: restarting' "$T/iked.log" || { show_logs; return 1; }
	[ -z "$(lv sa list)" ] || { echo "veil kept its SAs"; lv sa list; return 1; }
	lv policy list | grep -q 'dst 10.96.2.0/24' &&
	! lv policy list | grep -q 'fd00:96:2::' ||
		{ echo "net's trap should stay, net6's policies go"; lv policy list; return 1; }
	iked_stop
}

ktap_print_header
ktap_set_plan $(elsewhere && echo 14 || echo 32)

check "topology: two namespaces, veth, loopback subnets" topology
check "charon starts" charon_start
check "veil-iked --check reads a configuration" \
	eval 'iked_conf 4 aes128gcm16-prfsha256-x25519 aes128gcm16 start &&
	      "$IKED" --check -f "$T/iked.conf" -s "$T/iked.secrets" | grep -q "1 connection, 1 secret: OK"'
# (AES-GCM and ChaCha20-Poly1305, X25519 and ECP-256, over IPv4 and IPv6:
# the certificate cases below)
check "veil initiates: IPv4, aes256-sha256-modp2048, ESP aes128-sha256" \
	case_of tunnel 4 aes256-sha256-modp2048 aes128-sha256 veil
check "charon initiates: IPv4, aes128-sha384-x25519, ESP aes256-sha512" \
	case_of tunnel 4 aes128-sha384-x25519 aes256-sha512 charon
check "an AH child, veil initiates: ping and $XFER_MB MB through AH" case_of ah_child
daemon_check "certificates: a root CA, an intermediate, RSA, ECDSA and Ed25519" pki
daemon_check "certificates: veil initiates, IPv4, aes128gcm16-prfsha256-x25519, veil RSA via an intermediate (fragmented), charon ECDSA P-256" \
	case_of certs rsa ec veil 4 ids
daemon_check "certificates: charon initiates, IPv6, aes256gcm16-prfsha384-ecp256, veil ECDSA P-384, charon RSA-PSS (fragmented), identities by DN" \
	eval 'SWAN_AUTH=rsa/pss-sha256 case_of certs ec rsa charon 6 "" aes256gcm16-prfsha384-ecp256 aes256gcm16'
daemon_check "certificates: veil initiates, IPv6, chacha20poly1305-prfsha256-ecp256, Ed25519 at both ends" \
	case_of certs ed ed veil 6 ids chacha20poly1305-prfsha256-ecp256 chacha20poly1305
daemon_check "certificates: a chain that ends in a CA veil does not trust is refused" \
	case_of cert_refused ca
daemon_check "certificates: a peer identity other than the configured one is refused" \
	case_of cert_refused id
check "transport mode, veil initiates: ping, $XFER_MB MB, IKE still in clear" case_of transport veil
daemon_check "transport mode, charon initiates: ping, $XFER_MB MB, IKE still in clear" \
	case_of transport charon
check "transport mode from a trap: the trap does not catch IKE_SA_INIT" case_of transport trap
check "two children on one IKE SA: IPv4 in IKE_AUTH, IPv6 by CREATE_CHILD_SA" \
	case_of two_children
daemon_check "a wrong pre-shared key establishes nothing" case_of bad_psk
check "start_action trap: the first packet brings the tunnel up" case_of trap_start
daemon_check "charon deletes the IKE SA: veil removes the Child SA" case_of peer_deletes
daemon_check "close_action start: charon closes the child, then the IKE SA: both come back" \
	case_of peer_closes
check "veil rekeys the child (PFS, x25519) and the IKE SA, twice each, while pings go: none lost" \
	case_of rekeys veil
daemon_check "charon rekeys the child (PFS, x25519) and the IKE SA, twice each, while pings go: none lost" \
	case_of rekeys charon
check "NAT-T: veil behind a masquerading NAT, UDP 4500, ping and $XFER_MB MB" case_of natt
daemon_check "both ends rekey the child at once: the collision resolves (2.8.1), none lost" \
	case_of simultaneous
daemon_check "4,500 malformed IKE messages: veil-iked stays up, its SA in step, serves anew" \
	case_of malformed
daemon_check "charon restarts and initiates: its INITIAL_CONTACT clears the old IKE SA" \
	case_of charon_restarts
daemon_check "veil ike up, list (SPIs as charon's), down a child, down the IKE SA" case_of ctl_up_down
daemon_check "veil ike reload: connections added and removed, a broken file refused, SIGHUP" \
	case_of ctl_reload
daemon_check "veil ike: garbage and idle clients are harmless, non-root refused" case_of ctl_robust
daemon_check "dead peer detection: the children go; dpd_action trap stays, restart tries twice" \
	case_of dpd
check "veil-iked to veil-iked through the NAT, ping and $XFER_MB MB; the NAT remaps port, then address: the ESP follows; a request again from elsewhere is answered there" \
	case_of veil_to_veil
check "no kernel warning" eval '! dmesg | grep -q "WARNING:"'
ktap_finished

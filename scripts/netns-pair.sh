# SPDX-License-Identifier: GPL-2.0
#
# Sourced by the demo and the benchmark (inside the VM): two namespaces
# joined by veth, each with a dummy device holding the address of a
# subnet behind it, and routes to the other's subnet through the veth.

# netns_pair NS_A NS_B ADDR_A ADDR_B LAN_A LAN_B: ADDR_* are the veth
# addresses with their prefix (192.0.2.1/24), LAN_* an address with its
# prefix on each dummy (10.1.0.1/24); each side reaches the other's LAN
# prefix via the other's veth address, from its own LAN address.
netns_pair() {
	local a=$1 b=$2 aa=${3%/*} ab=${4%/*} la=$5 lb=$6 ns dev
	ip netns add "$a" && ip netns add "$b" &&
	ip -n "$a" link add eth0 type veth peer name eth0 netns "$b" &&
	ip -n "$a" addr add "$3" dev eth0 && ip -n "$b" addr add "$4" dev eth0 &&
	ip -n "$a" link add lan type dummy && ip -n "$a" addr add "$la" dev lan &&
	ip -n "$b" link add lan type dummy && ip -n "$b" addr add "$lb" dev lan || return 1
	for ns in "$a" "$b"; do
		for dev in lo eth0 lan; do ip -n "$ns" link set "$dev" up || return 1; done
	done
	ip -n "$a" route add "$(netns_prefix "$lb")" via "$ab" src "${la%/*}" &&
	ip -n "$b" route add "$(netns_prefix "$la")" via "$aa" src "${lb%/*}"
}

# netns_prefix ADDR/LEN: the network of an IPv4 address and prefix.
netns_prefix() {
	python3 -c 'import ipaddress, sys; print(ipaddress.ip_interface(sys.argv[1]).network)' "$1"
}

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The demo's half inside the VM (see demo.sh): load veil.ko the way
# modprobe would and show `veil info`; then two namespaces, red and blue,
# joined by veth, exchange ping and TCP over an ESP tunnel that veil
# carries at both ends, while `veil sa list -s` shows the counters rise
# and `veil stats` the namespace's totals; then a tunnel through a NAT.
set -e

ko=$VEIL_BUILD/$VEIL_KVER/veil.ko
veil=$VEIL_ROOT/tools/veil/veil
. "$VEIL_ROOT/scripts/netns-pair.sh"

run() {
	echo "\$ $*"
	"$@"
	echo
}

echo "demo: kernel $(uname -r)"
run "$veil" info || true
for dep in $(modinfo -F depends "$ko" | tr , ' '); do
	modprobe "$dep"
done
run insmod "$ko"
run "$veil" info
run "$veil" -j -p info

# Two namespaces and a veth between them; an ESP tunnel for the subnets
# behind them (on dummy devices), the same SAs at both ends.
netns_pair red blue 192.0.2.1/24 192.0.2.2/24 10.1.0.1/24 10.2.0.1/24
KEY1=0x0102030405060708090a0b0c0d0e0f1011121314
KEY2=0x1112131415161718191a1b1c1d1e1f2021222324
for ns in red blue; do
	"$veil" -n $ns sa add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x1001 reqid 1 \
		mode tunnel aead 'rfc4106(gcm(aes))' $KEY1 128 replay-window 64
	"$veil" -n $ns sa add src 192.0.2.2 dst 192.0.2.1 proto esp spi 0x2002 reqid 2 \
		mode tunnel aead 'rfc4106(gcm(aes))' $KEY2 128 replay-window 64
done
run "$veil" -n red policy add src 10.1.0.0/24 dst 10.2.0.0/24 dir out \
	tmpl src 192.0.2.1 dst 192.0.2.2 proto esp reqid 1 mode tunnel
run "$veil" -n red policy add src 10.2.0.0/24 dst 10.1.0.0/24 dir in \
	tmpl src 192.0.2.2 dst 192.0.2.1 proto esp reqid 2 mode tunnel
run "$veil" -n blue policy add src 10.2.0.0/24 dst 10.1.0.0/24 dir out \
	tmpl src 192.0.2.2 dst 192.0.2.1 proto esp reqid 2 mode tunnel
run "$veil" -n blue policy add src 10.1.0.0/24 dst 10.2.0.0/24 dir in \
	tmpl src 192.0.2.1 dst 192.0.2.2 proto esp reqid 1 mode tunnel
run "$veil" -n red -s sa list
run ip netns exec red ping -c 3 -i 0.2 -I 10.1.0.1 10.2.0.1
echo "\$ (10 MB of TCP from red to blue through the tunnel)"
ip netns exec blue python3 -c '
import socket
s = socket.socket(); s.bind(("10.2.0.1", 5001)); s.listen(1)
c, _ = s.accept(); n = 0
while True:
    b = c.recv(65536)
    if not b: break
    n += len(b)
print("blue received %d bytes" % n)' &
sleep 0.5
ip netns exec red python3 -c '
import socket
c = socket.create_connection(("10.2.0.1", 5001), source_address=("10.1.0.1", 0))
c.sendall(bytes(10 << 20)); c.close()'
wait
echo
run "$veil" -n red -s sa list
run "$veil" -n blue stats
ip netns del red
ip netns del blue

# NAT traversal: "home" behind a port-translating NAT, "office" on the
# other side with no route back to home's private addresses. ESP goes in
# UDP from port 4500, which the NAT maps to 40001; veil takes it off the
# UDP sockets `veil encap add` opens at both ends.
echo "demo: an ESP tunnel through a NAT (ESP in UDP, RFC 3948)"
for ns in home nat office; do ip netns add $ns; ip -n $ns link set lo up; done
ip -n home link add eth0 type veth peer name in0 netns nat
ip -n nat link add out0 type veth peer name eth0 netns office
ip -n home addr add 192.168.1.2/24 dev eth0
ip -n nat addr add 192.168.1.1/24 dev in0
ip -n nat addr add 203.0.113.1/24 dev out0
ip -n office addr add 203.0.113.2/24 dev eth0
for dev in home/eth0 nat/in0 nat/out0 office/eth0; do ip -n ${dev%/*} link set ${dev#*/} up; done
ip -n home link add lan type dummy && ip -n home addr add 10.3.0.1/24 dev lan
ip -n office link add lan type dummy && ip -n office addr add 10.4.0.1/24 dev lan
ip -n home link set lan up && ip -n office link set lan up
ip -n home route add default via 192.168.1.1 src 10.3.0.1
ip -n office route add 10.3.0.0/24 dev eth0 src 10.4.0.1
ip netns exec nat sysctl -qw net.ipv4.ip_forward=1
run ip netns exec nat nft add table ip nat
ip netns exec nat nft add chain ip nat post '{ type nat hook postrouting priority srcnat; }'
run ip netns exec nat nft add rule ip nat post oifname out0 udp sport 4500 masquerade to :40001
run "$veil" -n home encap add port 4500
run "$veil" -n office encap add port 4500
run "$veil" -n home sa add src 192.168.1.2 dst 203.0.113.2 proto esp spi 0x3001 reqid 3 \
	mode tunnel aead 'rfc4106(gcm(aes))' $KEY1 128 encap espinudp 4500 4500 0.0.0.0
"$veil" -n home sa add src 203.0.113.2 dst 192.168.1.2 proto esp spi 0x4002 reqid 4 \
	mode tunnel aead 'rfc4106(gcm(aes))' $KEY2 128 encap espinudp 4500 4500 0.0.0.0
echo "(the office knows home by the NAT's address and port)"
run "$veil" -n office sa add src 203.0.113.1 dst 203.0.113.2 proto esp spi 0x3001 reqid 3 \
	mode tunnel aead 'rfc4106(gcm(aes))' $KEY1 128 encap espinudp 40001 4500 0.0.0.0
"$veil" -n office sa add src 203.0.113.2 dst 203.0.113.1 proto esp spi 0x4002 reqid 4 \
	mode tunnel aead 'rfc4106(gcm(aes))' $KEY2 128 encap espinudp 4500 40001 0.0.0.0
"$veil" -n home policy add src 10.3.0.0/24 dst 10.4.0.0/24 dir out \
	tmpl src 192.168.1.2 dst 203.0.113.2 proto esp reqid 3 mode tunnel
"$veil" -n home policy add src 10.4.0.0/24 dst 10.3.0.0/24 dir in \
	tmpl src 203.0.113.2 dst 192.168.1.2 proto esp reqid 4 mode tunnel
"$veil" -n office policy add src 10.4.0.0/24 dst 10.3.0.0/24 dir out \
	tmpl src 203.0.113.2 dst 203.0.113.1 proto esp reqid 4 mode tunnel
"$veil" -n office policy add src 10.3.0.0/24 dst 10.4.0.0/24 dir in \
	tmpl src 203.0.113.1 dst 203.0.113.2 proto esp reqid 3 mode tunnel
run ip netns exec home ping -c 3 -i 0.2 -I 10.3.0.1 10.4.0.1
run ip netns exec office ping -c 3 -i 0.2 -I 10.4.0.1 10.3.0.1
run "$veil" -n office encap show
run ip netns exec nat nft list ruleset
for ns in home nat office; do ip netns del $ns; done
run rmmod veil
echo "demo: done"

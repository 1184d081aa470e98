#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The demo's half inside the VM (see demo.sh): load veil.ko the way
# modprobe would and show `veil info`; then two namespaces, red and blue,
# joined by veth, exchange ping and TCP over an ESP tunnel that veil
# carries at both ends, while `veil sa list -s` shows the counters rise
# and `veil stats` the namespace's totals.
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
run rmmod veil
echo "demo: done"

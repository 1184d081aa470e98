#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# PID 1 inside the test VM, on the host's root (read-only 9p, tmpfs over
# the writable places; see initramfs-init). Runs the suite, keeps its KTAP
# and the kernel log on the results share (/mnt), and powers off.
#
# From the kernel command line: VEIL_ROOT (the checkout), VEIL_BUILD (its
# build directory), VEIL_KVER, VEIL_RUN (what to run: "tests", "demo", "bench" or "script").

export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8
export VEIL_ROOT VEIL_BUILD VEIL_KVER VEIL_TESTS VEIL_DEBUG VEIL_TEST_TIMEOUT VEIL_PKT_FUZZ_SEED
export VEIL_ELSEWHERE

# A kernel that is not the host's (make check-debug) brings its modules
# from elsewhere; modprobe and the kernel's own requests look here.
if [ -n "$VEIL_MODDIR" ] && [ ! -e "/lib/modules/$(uname -r)" ]; then
	ln -s "$VEIL_MODDIR" "/lib/modules/$(uname -r)"
fi

mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
[ -d /sys/kernel/debug ] && mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
hostname veil-vm
ip link set lo up

case "$VEIL_RUN" in
demo)
	"$VEIL_ROOT/scripts/demo-guest.sh" 2>&1 | tee /mnt/demo.log
	;;
bench)
	"$VEIL_ROOT/scripts/bench-guest.sh" 2>&1 | tee /mnt/bench.log
	;;
script)
	# scripts/vm-exec.sh: a developer's own commands, copied to the
	# results share before boot.
	bash /mnt/script 2>&1 | tee /mnt/script.log
	;;
*)
	"$VEIL_ROOT/selftests/run-guest.sh" 2>&1 | tee /mnt/ktap
	;;
esac
dmesg > /mnt/dmesg
sync
echo done > /mnt/done
sync
echo o > /proc/sysrq-trigger
sleep 30

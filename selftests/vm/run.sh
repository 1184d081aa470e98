#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh KVER [tests|demo|bench|script] - boot Debian's kernel KVER in qemu on the host's
# own root filesystem and run the veil suite (or the demo) inside it.
#
# Results land in $VEIL_BUILD/vm/KVER/out: ktap (the guest's KTAP), dmesg
# and done (written only when the guest finished normally). The guest's
# console goes to $VEIL_BUILD/vm/KVER/console.log. Exit status: 0 when the
# guest finished, 1 when it crashed, hung or could not start.
#
# VEIL_VM_SMP (2) vCPUs, VEIL_VM_MEM (2048) MB, VEIL_VM_CPU (qemu64) model,
# VEIL_VM_TIMEOUT (600) seconds before the guest counts as hung. make check
# runs both kernels' guests at once with one vCPU each (scripts/check.sh).
# A kernel not installed on the host (make check-debug's) is named by
# VEIL_KERNEL (its image) and VEIL_MODDIR (its /lib/modules/KVER);
# VEIL_DEBUG=1 tells the guest it is the debug kernel.
set -euo pipefail

kver=$1
what=${2:-tests}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${VEIL_BUILD:-$root/build}
vmdir=$build/vm/$kver
out=$vmdir/out
kernel=${VEIL_KERNEL:-/boot/vmlinuz-$kver}
timeout_s=${VEIL_VM_TIMEOUT:-600}
mem_mb=${VEIL_VM_MEM:-2048}

[ -r "$kernel" ] || { echo "vm: no $kernel (apt-get install linux-image-$kver)" >&2; exit 1; }
export VEIL_MODDIR=${VEIL_MODDIR:-/lib/modules/$kver}
mkdir -p "$vmdir"
"$here/mkinitramfs.sh" "$kver" "$vmdir/initramfs.gz"

# Which accelerator really runs a guest here: KVM when a probe boot gets to
# the initramfs and back, else TCG. /dev/kvm existing proves nothing.
probe_kvm() {
	[ -w /dev/kvm ] || return 1
	timeout 20 qemu-system-x86_64 -accel kvm -cpu host -m 256 -smp 1 \
		-kernel "$kernel" -initrd "$vmdir/initramfs.gz" \
		-append "console=ttyS0 quiet panic=-1 VEIL_PROBE=1" \
		-display none -serial stdio -monitor none -no-reboot \
		</dev/null 2>/dev/null | grep -q VEIL-PROBE-OK
}

accel_file=$build/vm/accel
if [ ! -s "$accel_file" ]; then
	if probe_kvm; then echo kvm > "$accel_file"; else echo tcg > "$accel_file"; fi
fi
case $(cat "$accel_file") in
kvm) accel=(-accel kvm -cpu host) ;;
# The CPU model: qemu64 unless $VEIL_VM_CPU says otherwise. It has no
# AES-NI or PCLMULQDQ to emulate instruction by instruction, so the
# kernel's generic AES and GHASH run, and the ESP suites take a fifth
# less time than with max (measured: esp.sh 100 s against 128 s).
*) accel=(-accel tcg,thread=multi -cpu "${VEIL_VM_CPU:-qemu64}") ;;
esac

rm -rf "$out"
mkdir -p "$out"
if [ "$what" = script ]; then
	[ -r "${VEIL_SCRIPT:-}" ] || { echo "vm: VEIL_SCRIPT must name a readable file" >&2; exit 1; }
	cp "$VEIL_SCRIPT" "$out/script"
fi

# panic_on_warn and oops=panic: any kernel warning ends the run at once,
# and a run that did not write "done" is a failed run.
cmdline="console=ttyS0 quiet panic_on_warn=1 oops=panic panic=-1"
cmdline+=" VEIL_INIT=$here/guest-init.sh VEIL_ROOT=$root VEIL_BUILD=$build"
cmdline+=" VEIL_KVER=$kver VEIL_RUN=$what"
[ -n "${VEIL_TESTS:-}" ] && cmdline+=" VEIL_TESTS=$VEIL_TESTS"
[ -n "${VEIL_DEBUG:-}" ] && cmdline+=" VEIL_DEBUG=$VEIL_DEBUG"
[ -n "${VEIL_ELSEWHERE:-}" ] && cmdline+=" VEIL_ELSEWHERE=$VEIL_ELSEWHERE"
[ "$VEIL_MODDIR" != "/lib/modules/$kver" ] && cmdline+=" VEIL_MODDIR=$VEIL_MODDIR"
[ -n "${VEIL_TEST_TIMEOUT:-}" ] && cmdline+=" VEIL_TEST_TIMEOUT=$VEIL_TEST_TIMEOUT"
# A failed pkt_fuzz.sh prints its seed; this replays that run.
[ -n "${VEIL_PKT_FUZZ_SEED:-}" ] && cmdline+=" VEIL_PKT_FUZZ_SEED=$VEIL_PKT_FUZZ_SEED"

boot() {
	echo "# vm: booting $kver under ${accel[1]%%,*}" >&2
	set +e
	timeout "$timeout_s" qemu-system-x86_64 "${accel[@]}" -smp "${VEIL_VM_SMP:-2}" -m "$mem_mb" \
		-kernel "$kernel" -initrd "$vmdir/initramfs.gz" -append "$cmdline" \
		-device virtio-rng-pci \
		-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
		-virtfs "local,path=$out,mount_tag=vout,security_model=none" \
		-display none -serial stdio -monitor none -no-reboot \
		</dev/null >"$vmdir/console.log" 2>&1
	rc=$?
	set -e
}
boot
# A guest kernel that died before guest-init wrote its first file ran none
# of veil: that is the emulator's doing, as with the int3 oops seen once in
# sched_clock_cpu during boot on two vCPUs (multi-threaded TCG racing the
# kernel's own text patching). One more boot, saying so; a second such
# death, or any death after guest-init started, fails the run.
if [ ! -e "$out/done" ] && [ $rc -ne 124 ] && [ -z "$(ls -A "$out" | grep -vx script)" ] &&
   grep -q 'Kernel panic' "$vmdir/console.log"; then
	echo "# vm: $kver panicked while booting, before the suite started; booting again. Its oops:" >&2
	grep -m1 -B2 -A6 -E 'Oops|BUG:|Kernel panic' "$vmdir/console.log" | sed 's/^/# /' >&2
	cp "$vmdir/console.log" "$vmdir/console-boot1.log"
	boot
fi

if [ ! -e "$out/done" ]; then
	if [ $rc -eq 124 ]; then
		echo "# vm: $kver did not finish within ${timeout_s}s" >&2
	else
		echo "# vm: $kver stopped before the suite finished (qemu status $rc)" >&2
	fi
	echo "# vm: last lines of $vmdir/console.log:" >&2
	tail -n 40 "$vmdir/console.log" | sed 's/^/# /' >&2
	exit 1
fi
exit 0

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mkinitramfs.sh KVER OUT - a busybox initramfs that can mount the host's
# root filesystem over virtio 9p for kernel KVER.
#
# Only the modules 9p needs go in, taken from /lib/modules/KVER with their
# dependencies resolved from modules.dep (6.1 builds virtio as modules,
# 6.12 builds it in; both ship 9p as modules, 6.12 xz-compressed).
# VEIL_MODDIR names another modules directory (the debug kernel's).
set -euo pipefail

kver=$1
out=$2
here=$(cd "$(dirname "$0")" && pwd)
moddir=${VEIL_MODDIR:-/lib/modules/$kver}
busybox=/bin/busybox

[ -d "$moddir" ] || { echo "mkinitramfs: no $moddir (install linux-image-$kver)" >&2; exit 1; }
if [ ! -x "$busybox" ] || ldd "$busybox" >/dev/null 2>&1; then
	echo "mkinitramfs: needs a static $busybox (apt-get install busybox-static)" >&2
	exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp"/{bin,dev,proc,sys,newroot,modules}
cp "$busybox" "$tmp/bin/busybox"

declare -A seen=()
order=()

# Depth-first over modules.dep, so every module follows what it needs.
add_module() {
	local name=$1 path deps dep
	path=$(awk -v n="$name" -F: '{ b = $1; sub(".*/", "", b); sub("\\.ko(\\.[a-z]+)?$", "", b);
		if (b == n) { print $1; exit } }' "$moddir/modules.dep")
	if [ -z "$path" ]; then
		grep -Eq "/$name\\.ko(\\.[a-z]+)?\$" "$moddir/modules.builtin" && return 0
		echo "mkinitramfs: $kver has no module $name" >&2
		exit 1
	fi
	[ -n "${seen[$path]:-}" ] && return 0
	seen[$path]=1
	deps=$(awk -v p="$path" -F': *' '$1 == p { print $2; exit }' "$moddir/modules.dep")
	for dep in $deps; do
		dep=${dep##*/}
		add_module "${dep%%.ko*}"
	done
	order+=("$path")
}

# virtio-rng: the host's entropy for the guest's random pool (run.sh).
for m in virtio_pci virtio-rng 9pnet_virtio 9p overlay; do
	add_module "$m"
done

: > "$tmp/modules/order"
for path in "${order[@]}"; do
	base=${path##*/}
	case $base in
	*.ko.xz) xz -dc "$moddir/$path" > "$tmp/modules/${base%.xz}" ;;
	*.ko.zst) zstd -qdc "$moddir/$path" > "$tmp/modules/${base%.zst}" ;;
	*.ko.gz) gzip -dc "$moddir/$path" > "$tmp/modules/${base%.gz}" ;;
	*) cp "$moddir/$path" "$tmp/modules/" ;;
	esac
	echo "${base%%.ko*}.ko" >> "$tmp/modules/order"
done

install -m 0755 "$here/initramfs-init" "$tmp/init"
(cd "$tmp" && find . | cpio -o -H newc --quiet) | gzip -1 > "$out.tmp"
mv "$out.tmp" "$out"

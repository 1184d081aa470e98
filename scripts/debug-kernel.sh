#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# debug-kernel.sh - build (once) the debug kernel `make check-debug` runs
# the suite on, and print where it is: "KVER DIR" on stdout, where
#   DIR/bzImage        the kernel,
#   DIR/obj            its build tree (veil.ko is built with KDIR=DIR/obj),
#   DIR/mod            its modules, as modules_install lays them out.
#
# The kernel is Debian's linux-source-6.12 configured as x86_64 defconfig
# + kvm_guest.config + every selftests/*/config fragment +
# scripts/debug-kernel.config (KASAN, UBSAN, lockdep, kmemleak,
# debugobjects, FORTIFY, fault injection). It lives outside the checkout,
# in $VEIL_DEBUG_CACHE (default ~/.cache/veil/debug-kernel), under a key
# made of the source tarball's identity and the fragments' contents: a
# changed fragment builds a new kernel (from a copy of the newest old
# one's build tree, so only what changed is compiled), anything else
# reuses the old one. About 30 minutes on 2 cores the first time; a
# minute or two for a changed fragment; seconds afterwards.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cache=${VEIL_DEBUG_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/veil/debug-kernel}
tarball=/usr/src/linux-source-6.12.tar.xz
jobs=${VEIL_DEBUG_JOBS:-$(nproc)}

[ -r "$tarball" ] || { echo "debug-kernel: no $tarball (scripts/setup.sh installs it)" >&2; exit 1; }
for tool in flex bison bc; do
	command -v $tool >/dev/null || { echo "debug-kernel: needs $tool (scripts/setup.sh installs it)" >&2; exit 1; }
done

frags=("$root"/selftests/*/config "$root/scripts/debug-kernel.config")
key=$( { stat -c '%s %Y' "$tarball"; cat "${frags[@]}"; } | sha256sum | cut -c1-16)
dir=$cache/$key
src=$cache/src

release_of() {
	sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' "$1/include/generated/utsrelease.h"
}

if [ -e "$dir/done" ]; then
	echo "$(release_of "$dir/obj") $dir"
	exit 0
fi

mkdir -p "$cache"
exec 9>"$cache/lock"
flock 9

# The source is shared by every configuration; unpacked once per tarball.
srcstamp="$(stat -c '%s %Y' "$tarball")"
if [ "$(cat "$src/.veil-stamp" 2>/dev/null)" != "$srcstamp" ]; then
	echo "debug-kernel: unpacking $tarball" >&2
	rm -rf "$src" "$src.tmp"
	mkdir -p "$src.tmp"
	tar -C "$src.tmp" --strip-components=1 -xJf "$tarball"
	echo "$srcstamp" > "$src.tmp/.veil-stamp"
	mv "$src.tmp" "$src"
fi

# Other configurations stay: another checkout (a branch with other
# fragments) may be using one. Each is about 2 GB; say so.
for old in "$cache"/*/; do
	old=${old%/}
	case ${old##*/} in src|src.tmp|"$key") continue ;; esac
	echo "debug-kernel: $old is another configuration's kernel; remove it by hand if unused" >&2
done

obj=$dir/obj
# A new configuration starts from the newest finished one's build tree:
# kbuild rebuilds only what the changed options reach (two options added
# to a fragment took 93 s, not half an hour).
if [ ! -e "$obj/.config" ]; then
	# No finished one yet (a new machine): ls fails, which pipefail
	# and set -e would turn into a silent exit.
	seed=$(ls -td "$cache"/*/done 2>/dev/null | head -n 1 || true)
	if [ -n "$seed" ] && [ -d "${seed%/done}/obj" ]; then
		echo "debug-kernel: starting from ${seed%/done}/obj" >&2
		rm -rf "$obj"
		mkdir -p "$dir"
		cp -a "${seed%/done}/obj" "$obj.tmp" && mv "$obj.tmp" "$obj"
	fi
fi
mkdir -p "$obj"
echo "debug-kernel: configuring $obj" >&2
make -s -C "$src" O="$obj" x86_64_defconfig >&2
"$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" \
	"$src/kernel/configs/kvm_guest.config" "${frags[@]}" >"$dir/merge.log" 2>&1
make -s -C "$src" O="$obj" olddefconfig >&2

# Every option the fragments ask for must have survived olddefconfig: a
# dependency missing from them would otherwise drop it silently. A module
# asked for may be built in.
bad=0
for frag in "${frags[@]}"; do
	while IFS= read -r line; do
		case $line in
		CONFIG_*=*)
			opt=${line%%=*} want=${line#*=}
			have=$(sed -n "s/^$opt=//p" "$obj/.config")
			[ "$have" = "$want" ] || { [ "$want" = m ] && [ "$have" = y ]; } ||
				{ echo "debug-kernel: ${frag#$root/}: $opt=$want, got '${have:-not set}'" >&2; bad=1; }
			;;
		"# CONFIG_"*" is not set")
			opt=${line#\# }; opt=${opt%% *}
			! grep -q "^$opt=" "$obj/.config" ||
				{ echo "debug-kernel: ${frag#$root/}: $opt should be off" >&2; bad=1; }
			;;
		esac
	done < "$frag"
done
[ $bad -eq 0 ] || exit 1

echo "debug-kernel: building with $jobs jobs (about 25 minutes on 2 cores)" >&2
start=$(date +%s)
make -s -C "$src" O="$obj" -j"$jobs" bzImage modules >"$dir/build.log" 2>&1 ||
	{ tail -n 40 "$dir/build.log" >&2; exit 1; }
rm -rf "$dir/mod"
make -s -C "$src" O="$obj" INSTALL_MOD_PATH="$dir/mod" INSTALL_MOD_STRIP=1 \
	modules_install >>"$dir/build.log" 2>&1 || { tail -n 20 "$dir/build.log" >&2; exit 1; }
cp "$obj/arch/x86/boot/bzImage" "$dir/bzImage"
echo "$(( $(date +%s) - start ))" > "$dir/build-seconds"
touch "$dir/done"
echo "debug-kernel: built $(release_of "$obj") in $(cat "$dir/build-seconds") s" >&2
echo "$(release_of "$obj") $dir"

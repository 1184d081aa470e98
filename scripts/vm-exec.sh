#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vm-exec.sh KVER FILE - run the bash script FILE as root in a test VM
# booted on Debian's kernel KVER (the host's root, read-only, with tmpfs
# over it; see selftests/vm), and print what it printed. For developers'
# experiments; the suite and the benchmark have their own entry points.
# $VEIL_ROOT, $VEIL_BUILD and $VEIL_KVER are set for FILE, so it finds the
# module at $VEIL_BUILD/$VEIL_KVER/veil.ko and the CLI in $VEIL_ROOT/tools.
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: $0 KVER FILE" >&2; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd)
export VEIL_BUILD=${VEIL_BUILD:-$root/build}
export VEIL_SCRIPT=$2
rc=0
"$root/selftests/vm/run.sh" "$1" script || rc=$?
cat "$VEIL_BUILD/vm/$1/out/script.log" 2>/dev/null || true
exit $rc

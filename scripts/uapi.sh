#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# uapi.sh generate|check - the netlink spec is the source of truth.
#
# Validates Documentation/netlink/specs/veil.yaml against the genetlink
# schema shipped in linux-source-6.12, then runs the kernel's ynl-gen-c on
# it: "generate" writes kmod/uapi/linux/veil.h, "check" fails when the
# committed header differs from what the spec generates.
set -euo pipefail

mode=${1:-check}
root=$(cd "$(dirname "$0")/.." && pwd)
build=${VEIL_BUILD:-$root/build}
ynl=$build/ynl
py=/usr/bin/python3
spec=$root/Documentation/netlink/specs/veil.yaml
header=$root/kmod/uapi/linux/veil.h

[ -d "$ynl/tools/net/ynl" ] || "$root/scripts/setup.sh" "$build" >/dev/null

cp "$spec" "$ynl/Documentation/netlink/specs/veil.yaml"
"$py" - "$ynl/Documentation/netlink/genetlink.yaml" "$spec" <<'PY'
import sys, yaml, jsonschema
schema = yaml.safe_load(open(sys.argv[1]))
spec = yaml.safe_load(open(sys.argv[2]))
try:
    jsonschema.validate(spec, schema)
except jsonschema.ValidationError as e:
    path = "/".join(str(p) for p in e.absolute_path)
    sys.exit(f"uapi: {sys.argv[2]}: {path}: {e.message}")
PY

gen=$(mktemp)
trap 'rm -f "$gen"' EXIT
(cd "$ynl/tools/net/ynl" && "$py" ynl-gen-c.py --mode uapi --header \
	--spec "$ynl/Documentation/netlink/specs/veil.yaml" -o "$gen")

case $mode in
generate)
	cp "$gen" "$header"
	echo "uapi: wrote $header"
	;;
check)
	if ! diff -u "$header" "$gen"; then
		echo "uapi: $header does not match the spec; run 'make uapi'" >&2
		exit 1
	fi
	echo "uapi: spec valid, header matches"
	;;
*)
	echo "usage: uapi.sh generate|check" >&2
	exit 2
	;;
esac

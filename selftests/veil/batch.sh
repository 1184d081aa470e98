#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `veil -batch`: 100,000 SAs added over one socket, dumped completely and
# flushed; a failing line is reported by number and stops the batch
# unless -force is given.

. "$(dirname "$0")/lib.sh"

NS=veil-batch
N=${VEIL_BATCH_N:-100000}
KEY=0x0102030405060708090a0b0c0d0e0f1011121314
v() { "$VEIL" -n "$NS" "$@"; }
FILE=$(mktemp)

cleanup() {
	ip netns del "$NS" 2>/dev/null
	rm -f "$OUT" "$FILE"
}
trap cleanup EXIT
ip netns add "$NS"

now() { date +%s.%N; }
took() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

ktap_print_header
ktap_set_plan 6

awk -v n="$N" -v key="$KEY" 'BEGIN {
	for (i = 0; i < n; i++)
		printf "sa add src 192.0.2.1 dst 192.0.2.2 proto esp spi %d reqid 1 mode tunnel aead rfc4106(gcm(aes)) %s 128 replay-window 128\n", 65536 + i, key
}' > "$FILE"

add_all() {
	local t0 t1
	t0=$(now)
	v -batch "$FILE" || return 1
	t1=$(now)
	echo "# added $N SAs in $(took "$t0" "$t1") s" >&3
	expect_status 0 v sa count && output_has "SAD count $N"
}
check "veil -batch adds $N SAs" add_all 3>&1

dump_all() {
	local t0 t1 n
	t0=$(now)
	# Text, counted by awk: parsing 100,000 SAs of JSON in Python took
	# longer than the dump (the JSON printer is tested in sa.sh).
	n=$(v sa list | awk '$1 == "proto" && $3 == "spi" { seen[$4] = 1 } END { print length(seen) }')
	t1=$(now)
	echo "# dumped them in $(took "$t0" "$t1") s" >&3
	[ "$n" = "$N" ] || { echo "dump returned $n distinct SAs"; return 1; }
}
check "a dump returns all $N SAs, each once" dump_all 3>&1

flush_all() {
	local t0 t1
	t0=$(now)
	v sa flush || return 1
	t1=$(now)
	echo "# flushed them in $(took "$t0" "$t1") s" >&3
	expect_status 0 v sa count && output_has 'SAD count 0'
}
check "veil sa flush removes them all" flush_all 3>&1

cat > "$FILE" <<EOF2
# a comment, then a blank line

sa add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x1000 aead 'rfc4106(gcm(aes))' $KEY 128
sa add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x10 aead 'rfc4106(gcm(aes))' $KEY 128
sa add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x1001 aead 'rfc4106(gcm(aes))' $KEY 128
EOF2

stops_at_bad_line() {
	expect_status 1 v -batch "$FILE" &&
	output_has 'line 4: .*SPI must be 256 or more' &&
	expect_status 0 v sa count && output_has 'SAD count 1'
}
check "a failing line is reported by number and stops the batch" stops_at_bad_line

force_goes_on() {
	v sa flush &&
	expect_status 1 v -batch "$FILE" -force && output_has 'line 4:' &&
	expect_status 0 v sa count && output_has 'SAD count 2'
}
check "-force goes on past it and still exits 1" force_goes_on

stdin_batch() {
	v sa flush &&
	printf 'sa add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x5000 aead rfc4106(gcm(aes)) %s 128\nsa count\n' "$KEY" |
		v -batch - > "$OUT" 2>&1 && output_has 'SAD count 1'
}
check "veil -batch - reads stdin" stdin_batch

ktap_finished

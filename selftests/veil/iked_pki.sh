#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# iked_pki.sh DIR - the certificates iked.sh authenticates with, made on
# the host at build time (RSA key generation takes seconds under TCG): a
# root CA, an intermediate under it, end entities for veil and charon
# (RSA, ECDSA P-256/P-384, Ed25519; subjectAltName veil.example or
# charon.example), and charon-rogue, issued by another CA with the root's
# name. Valid ten years, so that a build directory does not go stale.
set -eu

# pki_cert NAME KEYALG ISSUER SAN [ CA ]: a certificate issued by ISSUER.
pki_cert() {	# KEYALG: rsa:BITS, P-256, P-384, ed25519
	local name=$1 alg=$2 issuer=$3 san=$4 ca=${5:-} d=$PKI
	case $alg in P-*) alg="ec -pkeyopt ec_paramgen_curve:$alg";; esac
	# shellcheck disable=SC2086
	openssl req -new -newkey $alg -nodes -keyout "$d/$name.key" -subj "/O=veil/CN=$name" \
		-out "$d/$name.csr" 2>/dev/null &&
	{ echo "subjectAltName=$san"
	  if [ -n "$ca" ]; then
		echo "basicConstraints=critical,CA:TRUE"
		echo "keyUsage=critical,keyCertSign,cRLSign"
	  fi; } > "$d/$name.ext" &&
	openssl x509 -req -in "$d/$name.csr" -CA "$d/$issuer.pem" -CAkey "$d/$issuer.key" \
		-CAcreateserial -days 3650 -extfile "$d/$name.ext" -out "$d/$name.pem" 2>/dev/null
}

pki() {
	local d=$1
	mkdir -p "$d" || return 1
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
		-keyout "$d/ca.key" -out "$d/ca.pem" -subj "/O=veil/CN=veil test CA" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null &&
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
		-keyout "$d/rogue.key" -out "$d/rogue.pem" -subj "/O=veil/CN=veil test CA" \
		-addext "basicConstraints=critical,CA:TRUE" 2>/dev/null &&
	pki_cert inter P-256 ca "DNS:inter.example" ca &&
	pki_cert veil-rsa rsa:2048 inter "DNS:veil.example" &&
	pki_cert veil-ec P-384 ca "DNS:veil.example" &&
	pki_cert veil-ed ed25519 ca "DNS:veil.example" &&
	pki_cert charon-ec P-256 ca "DNS:charon.example" &&
	pki_cert charon-rsa rsa:2048 ca "DNS:charon.example" &&
	pki_cert charon-ed ed25519 ca "DNS:charon.example" &&
	pki_cert charon-rogue P-256 rogue "DNS:charon.example"
}

PKI=$1
pki "$PKI"

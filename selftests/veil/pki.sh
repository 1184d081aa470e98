#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# pki.sh iked|tls DIR - a suite's certificates, made on the host at build
# time: an RSA key takes seconds under TCG, and a dozen OpenSSL runs take
# several more. Valid ten years (the expired one excepted), so that a
# build directory does not go stale.
#
# iked (iked.sh, iked_v1.sh): a root CA, an intermediate under it, end
# entities for veil and charon (RSA, ECDSA P-256/P-384, Ed25519;
# subjectAltName veil.example or charon.example), and charon-rogue,
# issued by another CA with the root's name.
#
# tls (veil_tls.sh): three CAs, the servers', the clients' and one nobody
# trusts; the server's certificate, ECDSA and RSA, for server.test and
# veil_tls.sh's two addresses; an expired one with the server's key; and
# a client's.
set -eu

CA_EXT=(basicConstraints=critical,CA:TRUE keyUsage=critical,keyCertSign,cRLSign)

# pki_ca NAME SUBJECT EXTENSION...: a self-signed P-256 CA.
pki_ca() {
	local name=$1 subj=$2 ext=() e
	shift 2
	for e; do ext+=(-addext "$e"); done
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
		-keyout "$D/$name.key" -out "$D/$name.pem" -subj "$subj" "${ext[@]}" 2>/dev/null
}

# pki_cert NAME KEY ISSUER SUBJECT DAYS EXTENSION...: a certificate
# issued by ISSUER for DAYS (-1: expired a day before it begins). KEY is
# a new key's algorithm (rsa:BITS, P-256, P-384, ed25519) or another
# certificate's name, whose key it shares.
pki_cert() {
	local name=$1 alg=$2 issuer=$3 subj=$4 days=$5 key
	shift 5
	case $alg in
	rsa:* | ed25519) key=(-newkey "$alg") ;;
	P-*) key=(-newkey ec -pkeyopt "ec_paramgen_curve:$alg") ;;
	*) cp "$D/$alg.key" "$D/$name.key"; key=(-key "$D/$name.key") ;;
	esac
	[ -f "$D/$name.key" ] || key+=(-keyout "$D/$name.key")
	printf '%s\n' "$@" > "$D/$name.ext"
	openssl req -new "${key[@]}" -nodes -subj "$subj" -out "$D/$name.csr" 2>/dev/null &&
	openssl x509 -req -in "$D/$name.csr" -CA "$D/$issuer.pem" -CAkey "$D/$issuer.key" \
		-CAcreateserial -days "$days" -extfile "$D/$name.ext" -out "$D/$name.pem" 2>/dev/null
}

iked() {
	pki_ca ca "/O=veil/CN=veil test CA" "${CA_EXT[@]}"
	pki_ca rogue "/O=veil/CN=veil test CA" "${CA_EXT[0]}"
	pki_cert inter P-256 ca /O=veil/CN=inter 3650 subjectAltName=DNS:inter.example "${CA_EXT[@]}"
	pki_cert veil-rsa rsa:2048 inter /O=veil/CN=veil-rsa 3650 subjectAltName=DNS:veil.example
	pki_cert veil-ec P-384 ca /O=veil/CN=veil-ec 3650 subjectAltName=DNS:veil.example
	pki_cert veil-ed ed25519 ca /O=veil/CN=veil-ed 3650 subjectAltName=DNS:veil.example
	pki_cert charon-ec P-256 ca /O=veil/CN=charon-ec 3650 subjectAltName=DNS:charon.example
	pki_cert charon-rsa rsa:2048 ca /O=veil/CN=charon-rsa 3650 subjectAltName=DNS:charon.example
	pki_cert charon-ed ed25519 ca /O=veil/CN=charon-ed 3650 subjectAltName=DNS:charon.example
	pki_cert charon-rogue P-256 rogue /O=veil/CN=charon-rogue 3650 \
		subjectAltName=DNS:charon.example
}

# The addresses are veil_tls.sh's V4 and V6.
tls() {
	local san=subjectAltName=DNS:server.test,IP:10.94.0.2,IP:fd00:94::2
	pki_ca ca "/CN=veil test CA" "${CA_EXT[@]}"
	pki_ca clientca "/CN=veil client CA" "${CA_EXT[@]}"
	pki_ca rogue "/CN=rogue CA" "${CA_EXT[@]}"
	pki_cert server P-256 ca /CN=server.test 3650 "$san"
	pki_cert expired server ca /CN=server.test -1 "$san"
	pki_cert rsa rsa:2048 ca /CN=server.test 3650 "$san"
	pki_cert client P-256 clientca "/CN=veil client" 3650 extendedKeyUsage=clientAuth
}

case ${1:-} in
iked | tls) ;;
*) echo "usage: pki.sh iked|tls DIR" >&2; exit 2 ;;
esac
D=$2
mkdir -p "$D"
"$1"
rm -f "$D"/*.csr "$D"/*.ext "$D"/*.srl

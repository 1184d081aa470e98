#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Send hand-made ESP packets (transport mode, rfc4106(gcm(aes)) with a
16-byte key, 4-byte salt and 16-byte ICV) from a raw socket, for the
cases a real peer never sends.

  esp_craft.py DST SPI KEYHEX KIND:SEQ...

one packet per KIND:SEQ, in order (one Python start under TCG costs more
than the packets). KIND is one of:
  valid      an ICMP echo request, well formed
  badpad     padding bytes that are not 1, 2, 3...
  padlen     a pad length byte larger than the payload
  dummy      next header 59: a dummy packet (RFC 4303 2.6)
  short      shorter than an IV and an ICV
"""
import os
import socket
import struct
import sys

from cryptography.hazmat.primitives.ciphers.aead import AESGCM


def icmp_echo():
    body = struct.pack("!BBHHH", 8, 0, 0, 0x1234, 1) + b"veil-craft"
    s = sum(struct.unpack("!%dH" % (len(body) // 2), body))
    s = (s >> 16) + (s & 0xffff)
    s += s >> 16
    return body[:2] + struct.pack("!H", ~s & 0xffff) + body[4:]


def packet(spi, seq, key, kind):
    aes, salt = AESGCM(key[:16]), key[16:20]
    payload, nexthdr = icmp_echo(), socket.IPPROTO_ICMP
    pad = bytes(range(1, 1 + (-(len(payload) + 2) % 4)))
    padlen = len(pad)
    if kind == "badpad":
        pad = b"\x09" * (len(pad) or 4)
        padlen = len(pad)
    elif kind == "padlen":
        padlen = 200
    elif kind == "dummy":
        nexthdr = 59
    header = struct.pack("!II", spi, seq)
    iv = os.urandom(8)
    plain = payload + pad + bytes([padlen, nexthdr])
    if kind == "short":
        return header + iv + b"\0" * 8
    return header + iv + aes.encrypt(salt + iv, plain, header)


def main():
    dst, spi, keyhex = sys.argv[1:4]
    key = bytes.fromhex(keyhex[2:] if keyhex.startswith("0x") else keyhex)
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ESP)
    for arg in sys.argv[4:]:
        kind, seq = arg.split(":")
        s.sendto(packet(int(spi, 0), int(seq, 0), key, kind), (dst, 0))


if __name__ == "__main__":
    main()

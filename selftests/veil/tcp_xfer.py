#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""One TCP transfer for the ESP tests, either end.

  tcp_xfer.py serve ADDR PORT READY   accept one connection, print the
                                      SHA-256 of what arrives; READY is
                                      created once the socket listens
  tcp_xfer.py send ADDR PORT FILE SRC send FILE from address SRC
"""
import hashlib
import os
import socket
import sys


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def serve(addr, port, ready):
    s = socket.socket(family(addr))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, int(port)))
    s.listen(1)
    s.settimeout(60)
    open(ready, "w").close()
    c, _ = s.accept()
    c.settimeout(60)
    h = hashlib.sha256()
    while True:
        b = c.recv(1 << 16)
        if not b:
            break
        h.update(b)
    print(h.hexdigest())


def send(addr, port, path, src):
    c = socket.create_connection((addr, int(port)), timeout=60,
                                 source_address=(src, 0))
    with open(path, "rb") as f:
        c.sendfile(f)
    c.close()


if __name__ == "__main__":
    {"serve": serve, "send": send}[sys.argv[1]](*sys.argv[2:])
    sys.exit(0)

#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Sends malformed and truncated IKEv2 (or IKEv1) messages at an IKE daemon.

Each message starts from a well-formed one and is broken the way a
careless or hostile peer would break it: cut short, bits flipped,
length fields that lie, payload chains that point anywhere, garbage
appended, or nothing but noise. Given the SPIs of an IKE SA the daemon
has, some messages claim to belong to it: every exchange type, flags and
message IDs in and out of the window, SK and SKF payloads of random
length and fragment numbers. Some are well-formed IKE_SA_INITs with
fresh SPIs, which open half-open SAs (and, past the daemon's limit,
COOKIEs). The same seed sends the same messages.

With --v1 the messages are ISAKMP (RFC 2408): Main and Aggressive Mode
first messages with fresh cookies, and, given the cookies of an ISAKMP
SA, encrypted messages of every exchange type that claim to be part of
it (Main Mode's last ones, Quick Mode, Informational) with bodies of any
length; the same mutations then break them.

  ike_fuzz.py --dst ADDR [--port 500] [--natt] [--count N] [--seed S]
              [--spi-i HEX --spi-r HEX] [--v1]
"""
import argparse
import random
import socket
import struct
import sys
import time

PL_SA, PL_KE, PL_NONCE, PL_NOTIFY, PL_SK, PL_SKF = 33, 34, 40, 41, 46, 53
EXCHANGES = (34, 35, 36, 37, 38, 43)	# IKE_SA_INIT ... IKE_INTERMEDIATE


def payload(next_type, body, critical=False):
    return struct.pack("!BBH", next_type, 0x80 if critical else 0, 4 + len(body)) + body


def header(spi_i, spi_r, first, exchange, flags, msg_id, body_len):
    return spi_i + spi_r + struct.pack("!BBBBII", first, 0x20, exchange, flags, msg_id,
                                       28 + body_len)


def chain(payloads):
    """[(type, body)] -> (first type, bytes), each naming the next."""
    out = b""
    for i, (_, body) in enumerate(payloads):
        nxt = payloads[i + 1][0] if i + 1 < len(payloads) else 0
        out += payload(nxt, body)
    return (payloads[0][0] if payloads else 0), out


def transform(last, ttype, tid, keylen=None):
    attrs = struct.pack("!HH", 0x800e, keylen) if keylen else b""
    return struct.pack("!BBHBBH", 0 if last else 3, 0, 8 + len(attrs), ttype, 0, tid) + attrs


def sa_init(rng):
    """A well-formed IKE_SA_INIT request with a fresh SPI."""
    trs = [transform(False, 1, 20, 256), transform(False, 2, 5), transform(True, 4, 31)]
    prop = struct.pack("!BBHBBBB", 0, 0, 8 + sum(map(len, trs)), 1, 1, 0, len(trs)) + b"".join(trs)
    ke = struct.pack("!HH", 31, 0) + rng.randbytes(32)
    natd = [(PL_NOTIFY, struct.pack("!BBH", 0, 0, t) + rng.randbytes(20)) for t in (16388, 16389)]
    first, body = chain([(PL_SA, prop), (PL_KE, ke), (PL_NONCE, rng.randbytes(32))] + natd)
    return header(rng.randbytes(8), bytes(8), first, 34, 0x08, 0, len(body)) + body


def for_sa(rng, spi_i, spi_r):
    """A message that names an existing IKE SA, with a bogus SK or SKF."""
    exchange = rng.choice(EXCHANGES + (rng.randrange(256),))
    flags = rng.choice((0x08, 0x20, 0x28, 0x00, rng.randrange(256)))
    msg_id = rng.choice((0, 1, 2, 3, rng.randrange(8), rng.randrange(1 << 32)))
    if rng.random() < 0.5:
        body = payload(rng.choice((0, PL_NOTIFY, PL_SA, 255)), rng.randbytes(rng.randrange(0, 300)))
        first = PL_SK
    else:
        total = rng.choice((1, 2, 3, 32, 33, 65535, 0))
        num = rng.choice((0, 1, 2, total, total + 1, rng.randrange(65536)))
        body = payload(rng.choice((0, PL_NOTIFY)),
                       struct.pack("!HH", num & 0xffff, total) +
                       rng.randbytes(rng.randrange(0, 300)))
        first = PL_SKF
    return header(spi_i, spi_r, first, exchange, flags, msg_id, len(body)) + body


V1_SA, V1_KE, V1_ID, V1_HASH, V1_NONCE, V1_N, V1_D, V1_VID = 1, 4, 5, 8, 10, 11, 12, 13
V1_EXCHANGES = (2, 4, 5, 32)	# Main, Aggressive, Informational, Quick Mode


def v1_header(cky_i, cky_r, first, exchange, flags, msg_id, body_len):
    return cky_i + cky_r + struct.pack("!BBBBII", first, 0x10, exchange, flags, msg_id,
                                       28 + body_len)


def v1_first(rng):
    """A well-formed Main or Aggressive Mode first message, fresh cookie."""
    attrs = b"".join(struct.pack("!HH", 0x8000 | t, v)
                     for t, v in ((1, 7), (14, 128), (2, 4), (3, 1), (4, 14), (11, 1)))
    attrs += struct.pack("!HHI", 12, 4, 28800)
    tr = struct.pack("!BBHBBH", 0, 0, 8 + len(attrs), 1, 1, 0) + attrs
    prop = struct.pack("!BBHBBBB", 0, 0, 8 + len(tr), 1, 1, 0, 1) + tr
    sa = struct.pack("!II", 1, 1) + prop
    payloads = [(V1_SA, sa)]
    exchange = rng.choice((2, 4))
    if exchange == 4:
        payloads += [(V1_KE, rng.randbytes(256)), (V1_NONCE, rng.randbytes(32)),
                     (V1_ID, struct.pack("!BBH", 1, 17, 500) + rng.randbytes(4))]
    payloads.append((V1_VID, bytes.fromhex("4a131c81070358455c5728f20e95452f")))
    first, body = chain(payloads)
    return v1_header(rng.randbytes(8), bytes(8), first, exchange, 0, 0, len(body)) + body


def v1_for_sa(rng, cky_i, cky_r):
    """A message naming an ISAKMP SA: encrypted (or not) noise."""
    exchange = rng.choice(V1_EXCHANGES + (rng.randrange(256),))
    flags = rng.choice((0x01, 0x01, 0x03, 0x00, rng.randrange(256)))
    msg_id = rng.choice((0, 0, rng.randrange(1 << 32)))
    n = rng.choice((16, 32, 48, 64, 96, 160, rng.randrange(0, 400)))
    first = rng.choice((V1_HASH, V1_ID, V1_N, V1_D, rng.randrange(256)))
    if rng.random() < 0.3:
        cky_i, cky_r = (cky_r, cky_i) if rng.random() < 0.5 else (cky_i, bytes(8))
    return v1_header(cky_i, cky_r, first, exchange, flags, msg_id, n) + rng.randbytes(n)


def mutate(rng, msg):
    msg = bytearray(msg)
    how = rng.randrange(8)
    if how == 0:					# cut short
        del msg[rng.randrange(len(msg)):]
    elif how == 1:					# bit flips
        for _ in range(rng.randrange(1, 9)):
            i = rng.randrange(len(msg))
            msg[i] ^= 1 << rng.randrange(8)
    elif how == 2 and len(msg) >= 28:		# the header's length lies
        struct.pack_into("!I", msg, 24, rng.choice((0, 27, 28, len(msg) - 1, len(msg) + 1,
                                                   0xffffffff, rng.randrange(1 << 32))))
    elif how == 3 and len(msg) >= 32:		# the first payload's length lies
        struct.pack_into("!H", msg, 30, rng.choice((0, 1, 3, 4, 0xffff, rng.randrange(1 << 16))))
    elif how == 4 and len(msg) >= 32:		# chains that point anywhere
        msg[16] = rng.randrange(256)
        msg[28] = rng.randrange(256)
    elif how == 5:					# garbage after it
        msg += rng.randbytes(rng.randrange(1, 200))
    elif how == 6:					# a payload duplicated in the middle
        i = rng.randrange(28, max(29, len(msg)))
        msg[i:i] = msg[28:28 + rng.randrange(4, 64)]
    else:						# nothing but noise
        msg = bytearray(rng.randbytes(rng.randrange(0, 600)))
    return bytes(msg)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dst", required=True)
    ap.add_argument("--port", type=int, default=500)
    ap.add_argument("--natt", action="store_true", help="prefix the non-ESP marker")
    ap.add_argument("--count", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--spi-i", type=bytes.fromhex)
    ap.add_argument("--spi-r", type=bytes.fromhex)
    ap.add_argument("--v1", action="store_true", help="ISAKMP (IKEv1) messages")
    a = ap.parse_args()
    if (a.spi_i is None) != (a.spi_r is None) or (a.spi_i and (len(a.spi_i), len(a.spi_r)) != (8, 8)):
        ap.error("--spi-i and --spi-r go together, 8 bytes each in hex")
    rng = random.Random(a.seed)
    fresh, named = (v1_first, v1_for_sa) if a.v1 else (sa_init, for_sa)
    family = socket.AF_INET6 if ":" in a.dst else socket.AF_INET
    s = socket.socket(family, socket.SOCK_DGRAM)
    sent = 0
    counts = {"init": 0, "sa": 0, "mutated": 0}
    for n in range(a.count):
        r = rng.random()
        if a.spi_i and r < 0.35:
            msg, kind = named(rng, a.spi_i, a.spi_r), "sa"
        elif r < 0.40:
            msg, kind = fresh(rng), "init"
        else:
            base = named(rng, a.spi_i, a.spi_r) if a.spi_i and r < 0.6 else fresh(rng)
            msg, kind = mutate(rng, base), "mutated"
        if a.natt:
            msg = bytes(4) + msg
        try:
            s.sendto(msg, (a.dst, a.port))
            sent += 1
            counts[kind] += 1
        except OSError:
            pass
        if n % 200 == 199:
            time.sleep(0.002)	# let the daemon drain its socket now and then
    print(f"sent {sent} of {a.count} messages to {a.dst} port {a.port}: "
          + ", ".join(f"{v} {k}" for k, v in counts.items()))
    return 0 if sent else 1


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# Known answers for tests/ike_v1crypto_test.c, computed apart from
# iked/v1crypto.c: hashes and HMAC from Python's hashlib and hmac, AES-CBC
# and 3DES-CBC from the cryptography package, everything arranged here
# again from RFC 2409's text (sections 5, 5.3, 5.5, 5.7 and Appendix B)
# and RFC 3947 section 3.2. The inputs are fixed pseudo-random bytes, so
# the output is the same on every run.
#
# The Makefile runs this at each build of the test and writes its output
# to tests/ike_v1_vectors.h, which the test includes into an array of
# struct v1_vec; nothing is copied by hand, so nothing can drift.
#
# Usage: ike_v1_vectors.py > ike_v1_vectors.h

import hashlib
import hmac
import ipaddress
import struct
import sys

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

try:
    # cryptography 43 and later keep 3DES here; older ones in algorithms
    from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
except ImportError:
    TripleDES = algorithms.TripleDES

# Hash Algorithm attribute values (RFC 2409 Appendix A, IANA)
HASHES = {1: hashlib.md5, 2: hashlib.sha1, 4: hashlib.sha256, 5: hashlib.sha384,
          6: hashlib.sha512}
ENCR_3DES = 5
ENCR_AES = 7
PROTO_ESP = 3


def det(label, n):
    """n pseudo-random octets named by label: SHA-256 in counter mode."""
    out = b""
    i = 0
    while len(out) < n:
        out += hashlib.sha256(b"veil ikev1 vector|%s|%d" % (label.encode(), i)).digest()
        i += 1
    return out[:n]


class Suite:
    def __init__(self, hash_alg, encr, keylen):
        self.h = HASHES[hash_alg]
        self.hlen = self.h().digest_size
        self.encr = encr
        if encr == ENCR_AES:
            self.klen = keylen // 8
            self.block = 16
        else:
            self.klen = 24
            self.block = 8

    def hash(self, *parts):
        return self.h(b"".join(parts)).digest()

    def prf(self, key, *parts):
        return hmac.new(key, b"".join(parts), self.h).digest()

    def cipher(self, key, iv):
        if self.encr == ENCR_AES:
            return Cipher(algorithms.AES(key), modes.CBC(iv))
        return Cipher(TripleDES(key), modes.CBC(iv))

    def pad(self, plain):
        # RFC 2409 section 5.3: zero octets, the last one holding how many
        # came before it; always at least one octet of padding.
        n = self.block - len(plain) % self.block
        return plain + bytes(n - 1) + bytes([n - 1])

    def encrypt(self, key, iv, plain):
        e = self.cipher(key, iv).encryptor()
        return e.update(self.pad(plain)) + e.finalize()

    def decrypt(self, key, iv, ct):
        d = self.cipher(key, iv).decryptor()
        return d.update(ct) + d.finalize()


def hash_payload(next_payload, value):
    return struct.pack("!BBH", next_payload, 0, 4 + len(value)) + value


def case(name, hash_alg, encr, keylen, psk, dh_pub, dh_secret, keymat_len):
    s = Suite(hash_alg, encr, keylen)
    v = {"name": name, "hash": hash_alg, "encr": encr, "keylen": keylen if encr == ENCR_AES else 0}
    t = lambda label, n: det(name + "/" + label, n)

    cky_i, cky_r = t("cky_i", 8), t("cky_r", 8)
    gxi, gxr, gxy = t("gxi", dh_pub), t("gxr", dh_pub), t("gxy", dh_secret)
    ni, nr = t("ni", 32), t("nr", 24)
    sai_b = bytes.fromhex("00000001 00000001") + t("sa proposals", 48)
    idii_b = bytes.fromhex("011101f4 c0000201")     # ID_IPV4_ADDR, UDP, 500, 192.0.2.1
    idir_b = bytes.fromhex("021101f4") + b"responder.example"  # ID_FQDN
    v.update(cky_i=cky_i, cky_r=cky_r, gxi=gxi, gxr=gxr, gxy=gxy, ni=ni, nr=nr, sai_b=sai_b,
             idii_b=idii_b, idir_b=idir_b, psk=psk)

    # Section 5
    if psk is not None:
        skeyid = s.prf(psk, ni, nr)
    else:
        skeyid = s.prf(ni + nr, gxy)
    skeyid_d = s.prf(skeyid, gxy, cky_i, cky_r, b"\x00")
    skeyid_a = s.prf(skeyid, skeyid_d, gxy, cky_i, cky_r, b"\x01")
    skeyid_e = s.prf(skeyid, skeyid_a, gxy, cky_i, cky_r, b"\x02")
    # Appendix B
    if len(skeyid_e) >= s.klen:
        enc_key = skeyid_e[:s.klen]
    else:
        ka, k = b"", b"\x00"
        while len(ka) < s.klen:
            k = s.prf(skeyid_e, k)
            ka += k
        enc_key = ka[:s.klen]
    v.update(skeyid=skeyid, skeyid_d=skeyid_d, skeyid_a=skeyid_a, skeyid_e=skeyid_e,
             enc_key=enc_key)
    v["hash_i"] = s.prf(skeyid, gxi, gxr, cky_i, cky_r, sai_b, idii_b)
    v["hash_r"] = s.prf(skeyid, gxr, gxi, cky_r, cky_i, sai_b, idir_b)

    # Main Mode's encrypted messages 5 and 6: IV chain of Appendix B
    iv = s.hash(gxi, gxr)[:s.block]
    v["p1_iv"] = iv
    mm5 = hash_payload(8, v["hash_i"]) + t("mm5 rest", 29)
    ct = s.encrypt(enc_key, iv, mm5)
    assert s.decrypt(enc_key, iv, ct) == s.pad(mm5)
    v.update(mm5_plain=mm5, mm5_padded=s.pad(mm5), mm5_ct=ct)
    iv = ct[-s.block:]
    v["mm5_iv_after"] = iv
    mm6 = t("mm6", 48)                                     # whole blocks: a whole block of pad
    ct = s.encrypt(enc_key, iv, mm6)
    v.update(mm6_plain=mm6, mm6_padded=s.pad(mm6), mm6_ct=ct)
    last_p1 = ct[-s.block:]
    v["mm6_iv_after"] = last_p1

    # Quick Mode (section 5.5) with its own chain from hash(last block | M-ID)
    msgid = struct.unpack("!I", t("qm msgid", 4))[0] | 0x80000000
    m = struct.pack("!I", msgid)
    qm_ni, qm_nr = t("qm ni", 16), t("qm nr", 20)
    v.update(qm_msgid=msgid, qm_ni=qm_ni, qm_nr=qm_nr)
    iv = s.hash(last_p1, m)[:s.block]
    v["qm_iv"] = iv
    rest1 = t("qm1 rest", 77)
    h1 = s.prf(skeyid_a, m, rest1)
    qm1 = hash_payload(1, h1) + rest1
    ct = s.encrypt(enc_key, iv, qm1)
    v.update(qm1_rest=rest1, qm1_hash=h1, qm1_plain=qm1, qm1_ct=ct)
    iv = ct[-s.block:]
    rest2 = t("qm2 rest", 64)
    h2 = s.prf(skeyid_a, m, qm_ni, rest2)
    qm2 = hash_payload(1, h2) + rest2
    ct = s.encrypt(enc_key, iv, qm2)
    v.update(qm2_rest=rest2, qm2_hash=h2, qm2_plain=qm2, qm2_ct=ct)
    iv = ct[-s.block:]
    h3 = s.prf(skeyid_a, b"\x00", m, qm_ni, qm_nr)
    qm3 = hash_payload(0, h3)
    ct = s.encrypt(enc_key, iv, qm3)
    v.update(qm3_hash=h3, qm3_plain=qm3, qm3_ct=ct, qm3_padded=s.pad(qm3))

    # KEYMAT: the SA into the responder takes its SPI, the one into the
    # initiator the initiator's
    spi_i, spi_r, gqm = t("spi_i", 4), t("spi_r", 4), t("gqm", dh_secret)

    def keymat(pfs, spi):
        seed = (pfs or b"") + bytes([PROTO_ESP]) + spi + qm_ni + qm_nr
        out, k = b"", b""
        while len(out) < keymat_len:
            k = s.prf(skeyid_d, k + seed)
            out += k
        return out[:keymat_len]

    v.update(keymat_len=keymat_len, spi_i=spi_i, spi_r=spi_r, gqm=gqm,
             keymat_i2r=keymat(None, spi_r), keymat_r2i=keymat(None, spi_i),
             keymat_pfs_i2r=keymat(gqm, spi_r), keymat_pfs_r2i=keymat(gqm, spi_i))

    # Informational (section 5.7): a Delete payload, its own first IV
    info_msgid = struct.unpack("!I", t("info msgid", 4))[0] & 0x7fffffff
    mi = struct.pack("!I", info_msgid)
    delete = struct.pack("!BBHIBBH", 0, 0, 16, 1, 3, 4, 1) + spi_i
    hi = s.prf(skeyid_a, mi, delete)
    info = hash_payload(12, hi) + delete
    iv = s.hash(last_p1, mi)[:s.block]
    ct = s.encrypt(enc_key, iv, info)
    v.update(info_msgid=info_msgid, info_payloads=delete, info_hash=hi, info_iv=iv,
             info_plain=info, info_ct=ct)

    # NAT-D (RFC 3947 section 3.2)
    a4, p4 = "192.0.2.1", 500
    a6, p6 = "2001:db8::1", 4500
    v["natd4"] = s.hash(cky_i, cky_r, ipaddress.ip_address(a4).packed, struct.pack("!H", p4))
    v["natd6"] = s.hash(cky_i, cky_r, ipaddress.ip_address(a6).packed, struct.pack("!H", p6))
    v.update(natd4_addr=a4, natd4_port=p4, natd6_addr=a6, natd6_port=p6)
    return v


def c_value(x):
    if x is None:
        return "NULL"
    if isinstance(x, bytes):
        return '"' + x.hex() + '"'
    if isinstance(x, str):
        return '"' + x + '"'
    if isinstance(x, int):
        return "0x%x" % x if x > 0xffff else str(x)
    raise TypeError(type(x))


CASES = [
    # name, hash, encr, keylen, psk, public value, secret, KEYMAT length
    ("md5-3des-psk-modp1024", 1, ENCR_3DES, 0, b"md5 secret", 128, 128, 24 + 16),
    ("md5-aes128-sig-ecp256", 1, ENCR_AES, 128, None, 64, 32, 16 + 16),
    ("md5-aes256-psk-x25519", 1, ENCR_AES, 256, b"k", 32, 32, 32 + 20),
    ("sha1-aes256-psk-modp2048", 2, ENCR_AES, 256, b"correct horse battery staple", 256, 256,
     32 + 20),
    ("sha1-3des-sig-modp1024", 2, ENCR_3DES, 0, None, 128, 128, 24 + 20),
    ("sha256-aes128-sig-ecp256", 4, ENCR_AES, 128, None, 64, 32, 16 + 32),
    ("sha384-aes192-psk-ecp384", 5, ENCR_AES, 192, bytes(range(48)), 96, 48, 24 + 48),
    ("sha512-3des-sig-modp3072", 6, ENCR_3DES, 0, None, 384, 384, 24 + 64 + 100),
    ("sha512-aes256-psk-modp2048", 6, ENCR_AES, 256, b"\x00psk with a zero\x00", 256, 256,
     32 + 64),
]


def main():
    out = sys.stdout
    out.write("/* SPDX-License-Identifier: GPL-2.0 */\n"
              "/* Generated by tests/ike_v1_vectors.py: do not edit. */\n")
    for c in CASES:
        v = case(*c)
        out.write("{\n")
        for key, val in v.items():
            out.write("\t.%s = %s,\n" % (key, c_value(val)))
        out.write("},\n")


if __name__ == "__main__":
    main()

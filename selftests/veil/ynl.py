#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# A second client that shares no code with veil: the kernel's own ynl
# library, driven purely by Documentation/netlink/specs/veil.yaml. If the
# module and the spec disagree on the wire, in either direction, this is
# where it shows. One process for every check: parsing the spec costs
# seconds under TCG.

import json
import os
import subprocess
import sys

build = os.environ["VEIL_BUILD"]
root = os.environ["VEIL_ROOT"]
sys.path.insert(0, os.path.join(build, "kselftest"))
sys.path.insert(0, os.path.join(build, "ynl/tools/net/ynl"))

import ksft                               # noqa: E402
from lib import YnlFamily, NlError        # noqa: E402

VERSION = open(os.path.join(root, "kmod/version.h")).read().split('"')[1]
SPEC = os.path.join(root, "Documentation/netlink/specs/veil.yaml")
# 192.0.2.1 -> 192.0.2.2, SPI 0x1000, AES-GCM-128 with a 4-byte salt.
KEY = bytes(range(20))
SA_ID = {"family": 2, "dst": bytes([192, 0, 2, 2]), "proto": "esp", "spi": 0x1000}
SA = dict(SA_ID, src=bytes([192, 0, 2, 1]), mode="tunnel", reqid=7,
          aead={"name": "rfc4106(gcm(aes))", "icv-len": 128, "key": KEY},
          flags=1, lifetime={"soft-add-seconds": 3000, "hard-add-seconds": 3600},
          selector={"family": 2, "src": bytes([10, 1, 0, 0]), "src-prefix-len": 24,
                    "dst": bytes([10, 2, 0, 0]), "dst-prefix-len": 24})
SA["replay-window"] = 128
POLICY = {"selector": {"family": 2, "src": bytes([10, 1, 0, 0]), "src-prefix-len": 24,
                       "dst": bytes([10, 2, 0, 0]), "dst-prefix-len": 24},
          "dir": "out", "priority": 100,
          "tmpl": [{"family": 2, "src": bytes([192, 0, 2, 1]), "dst": bytes([192, 0, 2, 2]),
                    "proto": "esp", "mode": "tunnel", "reqid": 7}]}


def fails_with(fn, text):
    try:
        fn()
    except NlError as e:
        if text in str(e):
            return True
        ksft.print_msg(f"wrong error: {e}")
        return False
    ksft.print_msg("no error")
    return False


def info_checks(ynl):
    info = ynl.do("info", {})
    names = [a["name"] for a in info["alg"]]
    yield ("ynl decodes info using the spec",
           info["version"] == VERSION and "rfc4106(gcm(aes))" in names and
           all(a["type"] in ("aead", "cipher", "auth") for a in info["alg"]))
    veil = json.loads(subprocess.run([os.environ["VEIL_CLI"], "-j", "info"],
                                     check=True, capture_output=True).stdout)
    yn = [(a["name"], a["type"], sorted(a["uses"]), "available" in a) for a in info["alg"]]
    vn = [(a["name"], a["type"], sorted(a["uses"]), a["available"]) for a in veil["algorithms"]]
    yield "ynl and veil -j info agree on every algorithm", yn == vn and info["version"] == veil["version"]


def sa_checks(ynl):
    ynl.do("sa-flush", {})
    ynl.do("sa-new", SA)
    yield "ynl sa-new adds an SA", True

    sa = ynl.do("sa-get", SA_ID)
    yield ("ynl sa-get returns every attribute, and no key",
           sa["src"] == SA["src"] and sa["spi"] == 0x1000 and sa["mode"] == "tunnel" and
           sa["reqid"] == 7 and sa["replay-window"] == 128 and
           sa["aead"]["name"] == "rfc4106(gcm(aes))" and sa["aead"]["icv-len"] == 128 and
           "key" not in sa["aead"] and sa["lifetime"]["hard-add-seconds"] == 3600 and
           sa["selector"]["src-prefix-len"] == 24 and sa["stats"]["packets"] == 0 and
           sa["stats"]["add-time"] > 0 and "esn" in sa["flags"])

    sa = ynl.do("sa-get", dict(SA_ID, keys=True))
    yield "ynl sa-get with the keys flag returns the key", sa["aead"].get("key") == KEY

    dump = ynl.dump("sa-get", {})
    yield "ynl sa-get dump lists the SA", len(dump) == 1 and dump[0]["spi"] == 0x1000

    ynl.do("sa-del", SA_ID)
    yield "ynl sa-del deletes it", True
    yield ("sa-get after del fails with the kernel's reason",
           fails_with(lambda: ynl.do("sa-get", SA_ID), "no SA with this destination"))


def policy_checks(ynl):
    reply = ynl.do("policy-new", POLICY)
    yield "ynl policy-new adds a policy and returns its index", reply["index"] > 0

    dump = ynl.dump("policy-get", {})
    p = dump[0] if dump else {}
    t = p.get("tmpl", [{}])
    t = t[0] if isinstance(t, list) else t
    yield ("ynl policy-get dump returns the policy and its template",
           len(dump) == 1 and p["dir"] == "out" and p["priority"] == 100 and
           p["action"] == "allow" and t.get("reqid") == 7 and t.get("mode") == "tunnel" and
           p["selector"]["dst-prefix-len"] == 24)

    yield ("an identical policy-new is refused with the kernel's reason",
           fails_with(lambda: ynl.do("policy-new", POLICY),
                      "a policy with this selector, direction and interface id exists"))
    ynl.do("policy-flush", {})
    yield "ynl policy-flush empties the SPD", ynl.dump("policy-get", {}) == []


def main():
    ksft.print_header()
    ksft.set_plan(12)
    # No schema check here: make check validates the spec on the host.
    ynl = YnlFamily(SPEC, schema="")
    for checks in (info_checks, sa_checks, policy_checks):
        try:
            for desc, ok in checks(ynl):
                ksft.test_result(bool(ok), desc)
        except Exception as e:      # a failure mid-way fails the rest
            ksft.print_msg(f"{checks.__name__}: {type(e).__name__}: {e}")
    ksft.finished()


main()

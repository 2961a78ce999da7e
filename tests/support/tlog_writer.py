#!/usr/bin/env python3
"""An independent C2SP tlog-tiles writer and tlog-proof checker, written from the C2SP specs
(tlog-tiles, tlog-checkpoint, signed-note, tlog-cosignature, tlog-proof) and RFC 6962, not
from logseal's code: hashlib hashes, `cryptography` signs and verifies Ed25519.

usage:
  tlog_writer.py write DIR SIZE      write a log of SIZE small opaque entries laid out as
                                     served (checkpoint, tile/L/..., tile/entries/..., partial
                                     tiles .p/W, x### path groups), its checkpoint with an
                                     extension line, cosigned by a witness, with a cosignature
                                     by a foreign witness and a signature of an unknown type;
                                     prints the keys and root as JSON
  tlog_writer.py check-proof PROOF ENTRY VKEY
                                     check a tlog-proof for ENTRY under the log's verifier key
                                     VKEY; prints "ok INDEX SIZE ROOT_HEX"
"""

import base64
import hashlib
import json
import os
import struct
import sys

from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ORIGIN = "example.com/foreign/log"
WITNESS = "witness.example/w1"
FOREIGN_WITNESS = "witness.example/other"
COSIGNATURE_TIME = 1_700_000_000


def b64(b):
    return base64.b64encode(b).decode()


def leaf(entry):
    return hashlib.sha256(b"\x00" + entry).digest()


def node(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def mth(hashes):
    """RFC 6962 section 2.1 over leaf hashes."""
    if len(hashes) == 0:
        return hashlib.sha256(b"").digest()
    if len(hashes) == 1:
        return hashes[0]
    k = 1
    while k * 2 < len(hashes):
        k *= 2
    return node(mth(hashes[:k]), mth(hashes[k:]))


def index_path(n):
    """tlog-tiles: 3-digit groups, all but the last prefixed with x."""
    groups = []
    while True:
        groups.append("%03d" % (n % 1000))
        n //= 1000
        if n == 0:
            break
    groups.reverse()
    return "/".join(["x" + g for g in groups[:-1]] + [groups[-1]])


def tile_path(level, index, width):
    p = "tile/%s/%s" % ("entries" if level is None else level, index_path(index))
    return p if width == 256 else p + ".p/%d" % width


def key(seed):
    return Ed25519PrivateKey.from_private_bytes(hashlib.sha256(seed.encode()).digest())


def raw_public(k):
    return k.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_id(name, typ, pub):
    return hashlib.sha256(name.encode() + b"\n" + bytes([typ]) + pub).digest()[:4]


def vkey(name, typ, pub):
    return "%s+%s+%s" % (name, key_id(name, typ, pub).hex(), b64(bytes([typ]) + pub))


def sig_line(name, kid, sig):
    return "\u2014 %s %s\n" % (name, b64(kid + sig))


def cosign(k, name, body, t):
    msg = b"cosignature/v1\ntime %d\n" % t + body
    return sig_line(name, key_id(name, 4, raw_public(k)), struct.pack(">Q", t) + k.sign(msg))


def entry(i):
    return b"foreign entry %d" % i


def write(root_dir, size):
    def put(rel, data):
        path = os.path.join(root_dir, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)

    level = []
    for start in range(0, size, 256):
        entries = [entry(i) for i in range(start, min(start + 256, size))]
        put(tile_path(None, start // 256, len(entries)),
            b"".join(struct.pack(">H", len(e)) + e for e in entries))
        level.extend(leaf(e) for e in entries)
    root = mth(level)
    lvl = 0
    while len(level) > 0:
        for start in range(0, len(level), 256):
            hashes = level[start:start + 256]
            put(tile_path(lvl, start // 256, len(hashes)), b"".join(hashes))
        level = [mth(level[i:i + 256]) for i in range(0, len(level) - 255, 256)]
        lvl += 1
    log_key, w_key, other = key("log"), key("witness"), key("other witness")
    body = ("%s\n%d\n%s\nforeign-extension-line 42\n" % (ORIGIN, size, b64(root))).encode()
    note = body + b"\n"
    note += sig_line(ORIGIN, key_id(ORIGIN, 1, raw_public(log_key)),
                     log_key.sign(body)).encode()
    note += cosign(w_key, WITNESS, body, COSIGNATURE_TIME).encode()
    note += cosign(other, FOREIGN_WITNESS, body, COSIGNATURE_TIME + 1).encode()
    # A signature of a type no verifier here knows (say, a post-quantum one): skipped.
    note += sig_line(ORIGIN, b"\xde\xad\xbe\xef", bytes(range(100))).encode()
    put("checkpoint", note)
    print(json.dumps({
        "log_vkey": vkey(ORIGIN, 1, raw_public(log_key)),
        "witness_vkey": vkey(WITNESS, 4, raw_public(w_key)),
        "root": root.hex(),
    }))


def root_from_path(index, size, leaf_hash, path):
    """RFC 9162 section 2.1.3.2."""
    if index >= size:
        raise ValueError("index out of range")
    fn, sn, r = index, size - 1, leaf_hash
    for p in path:
        if sn == 0:
            raise ValueError("path too long")
        if fn & 1 or fn == sn:
            r = node(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ValueError("path too short")
    return r


def check_proof(proof_file, entry_file, log_vkey):
    text = open(proof_file, "rb").read().decode()
    head, note = text.split("\n\n", 1)
    lines = head.split("\n")
    if lines[0] != "c2sp.org/tlog-proof@v1":
        raise ValueError("bad header")
    lines = lines[1:]
    if lines[0].startswith("extra "):
        lines = lines[1:]
    if not lines[0].startswith("index "):
        raise ValueError("no index line")
    index = int(lines[0][6:])
    path = [base64.b64decode(l, validate=True) for l in lines[1:]]
    body, sigs = note.rsplit("\n\n", 1)
    body += "\n"
    name, kid_hex, keyb64 = log_vkey.split("+", 2)
    raw = base64.b64decode(keyb64)
    if raw[0] != 1 or key_id(name, 1, raw[1:]).hex() != kid_hex:
        raise ValueError("bad verifier key")
    pub = Ed25519PublicKey.from_public_bytes(raw[1:])
    verified = False
    for line in sigs.rstrip("\n").split("\n"):
        sname, sig = line[2:].split(" ")
        sig = base64.b64decode(sig)
        if sname == name and sig[:4].hex() == kid_hex:
            pub.verify(sig[4:], body.encode())
            verified = True
    if not verified:
        raise ValueError("no signature by the log key")
    origin, size, root_b64 = body.split("\n")[:3]
    if origin != name:
        raise ValueError("origin is not the key's name")
    size, root = int(size), base64.b64decode(root_b64)
    leaf_hash = leaf(open(entry_file, "rb").read())
    if root_from_path(index, size, leaf_hash, path) != root:
        raise ValueError("the path does not lead to the checkpoint's root")
    print("ok %d %d %s" % (index, size, root.hex()))


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "write":
        write(sys.argv[2], int(sys.argv[3]))
    elif len(sys.argv) == 5 and sys.argv[1] == "check-proof":
        try:
            check_proof(sys.argv[2], sys.argv[3], sys.argv[4])
        except Exception as e:  # noqa: BLE001 - every failure is a refusal
            print("refused: %s" % e)
            sys.exit(1)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()

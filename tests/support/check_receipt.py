#!/usr/bin/env python3
"""An independent check of a logseal COSE Receipt (RFC 9942, RFC9162_SHA256), written from
the RFCs, not from logseal's code: cbor2 decodes, hashlib computes the RFC 9162 root,
`cryptography` verifies Ed25519.

usage: check_receipt.py RECEIPT RECORD PUBKEY_HEX ORIGIN [--every-byte]

Prints "ok SIZE INDEX ROOT_HEX" and exits 0 when the receipt holds; with --every-byte, also
checks that every single-byte change of the receipt fails, and prints how many were tried.
"""

import hashlib
import sys

import cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

ALG, KID, CWT, VDS, VDP, POSITION = 1, 4, 15, 395, 396, -65537
ED25519, RFC9162_SHA256, INCLUSION = -19, 1, -1


class Bad(Exception):
    pass


def root_from_path(index, size, leaf, path):
    """RFC 9162 section 2.1.3.2."""
    if index >= size:
        raise Bad("index out of range")
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            raise Bad("path too long")
        if fn & 1 or fn == sn:
            r = hashlib.sha256(b"\x01" + p + r).digest()
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = hashlib.sha256(b"\x01" + r + p).digest()
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise Bad("path too short")
    return r


def check(receipt, record, pubkey, origin):
    try:
        tagged = cbor2.loads(receipt)
    except Exception as e:  # noqa: BLE001 - any decode failure is a failed receipt
        raise Bad(f"not CBOR: {e}")
    if cbor2.dumps(tagged, canonical=True) != receipt:
        raise Bad("not deterministic")
    if not isinstance(tagged, cbor2.CBORTag) or tagged.tag != 18:
        raise Bad("not a tagged COSE_Sign1")
    items = tagged.value
    if not isinstance(items, (list, tuple)) or len(items) != 4:
        raise Bad("not a 4-element COSE_Sign1")
    protected_bytes, unprotected, payload, signature = items
    if payload is not None:
        raise Bad("payload attached")
    protected = cbor2.loads(protected_bytes)
    if protected.get(ALG) != ED25519:
        raise Bad("alg")
    if protected.get(KID) != hashlib.sha256(pubkey).digest():
        raise Bad("kid")
    if dict(protected.get(CWT) or {}) != {1: origin}:
        raise Bad("issuer")
    if protected.get(VDS) != RFC9162_SHA256:
        raise Bad("vds")
    if set(unprotected) != {VDP} or set(unprotected[VDP]) != {INCLUSION}:
        raise Bad("unprotected header")
    proofs = unprotected[VDP][INCLUSION]
    if len(proofs) != 1:
        raise Bad("one inclusion proof expected")
    size, index, path = cbor2.loads(proofs[0])
    if list(protected.get(POSITION) or []) != [size, index]:
        raise Bad("the signed position differs from the proof's")
    if not path or any(len(p) != 32 for p in path):
        raise Bad("path")
    leaf = hashlib.sha256(b"\x00" + record).digest()
    root = root_from_path(index, size, leaf, path)
    to_be_signed = cbor2.dumps(["Signature1", protected_bytes, b"", root])
    try:
        Ed25519PublicKey.from_public_bytes(pubkey).verify(signature, to_be_signed)
    except InvalidSignature:
        raise Bad("signature")
    return size, index, root


def main():
    receipt = open(sys.argv[1], "rb").read()
    record = open(sys.argv[2], "rb").read()
    pubkey = bytes.fromhex(sys.argv[3])
    origin = sys.argv[4]
    try:
        size, index, root = check(receipt, record, pubkey, origin)
    except Bad as e:
        print(f"fails: {e}")
        return 1
    print(f"ok {size} {index} {root.hex()}")
    if "--every-byte" in sys.argv[5:]:
        for i in range(len(receipt)):
            changed = bytearray(receipt)
            changed[i] ^= 0x01
            try:
                check(bytes(changed), record, pubkey, origin)
            except Exception:  # noqa: BLE001 - any failure to decode or verify is a refusal
                continue
            print(f"byte {i} changed still verifies")
            return 1
        print(f"every one of {len(receipt)} single-byte changes fails")
    return 0


if __name__ == "__main__":
    sys.exit(main())

//! COSE Receipts of inclusion (RFC 9942) for the records of a SHA-256 log: a COSE_Sign1 by the
//! log's key whose detached payload is the Merkle root that an RFC 9162 inclusion proof,
//! carried in its unprotected header, computes from the record. A SCITT-style verifier that
//! knows the log's public key checks a logseal record with it, and logseal checks it here.
//!
//! ```text
//! 18([ << {1: -19 (Ed25519), 4: kid (SHA-256 of the log's public key),
//!          15: {1: origin (iss)}, 395: 1 (RFC9162_SHA256),
//!          -65537: [tree_size, leaf_index]} >>,   ; logseal's: the position proven
//!      {396: {-1: [ << [tree_size, leaf_index, [+ hash]] >> ]}},
//!      nil,                                    ; detached: the root the proof computes
//!      signature ])                            ; over ["Signature1", protected, h'', root]
//! ```
//!
//! The decoder here is separate from the record decoder: a receipt carries its proof in the
//! unprotected header, which a record must leave empty (FORMAT.md). It accepts only the
//! deterministic encoding it writes (decode, re-encode, compare), one inclusion proof, and the
//! key, issuer and structure given to it. A tree of one leaf has an empty inclusion path,
//! which RFC 9942's CDDL (`[+ bstr]`) does not allow: no receipt is made for it. BLAKE3 logs
//! have no registered verifiable data structure and get no receipts. Pure: no I/O, no clock.

use coset::{
    CborSerializable, CoseSign1, CoseSign1Builder, HeaderBuilder, Label, TaggedCborSerializable,
    cbor::value::Value, iana,
};

use crate::crypto::{PublicKey, SecretKey, key_id};
use crate::tree::{self, Hash, TreeHash};

/// COSE header parameter `vds` (verifiable data structure), RFC 9942.
pub const VDS: i64 = 395;
/// COSE header parameter `vdp` (verifiable data proofs), RFC 9942.
pub const VDP: i64 = 396;
/// The verifiable data structure `RFC9162_SHA256`.
pub const RFC9162_SHA256: i64 = 1;
/// The proof type "inclusion" inside `vdp`.
pub const INCLUSION: i64 = -1;
/// COSE header parameter `CWT Claims` (RFC 9597), holding the issuer (claim 1).
pub const CWT_CLAIMS: i64 = 15;
/// logseal's protected header parameter (private use) `[tree_size, leaf_index]`: RFC 9942
/// signs only the root, and distinct (size, index) pairs can share a path and so a root; the
/// log signs the pair it proves, so a changed size or index in the proof is caught.
pub const TREE_POSITION: i64 = -65537;

/// Why a receipt cannot be made or does not verify.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ReceiptError {
    #[error("not a COSE_Sign1 receipt: {0}")]
    Cose(String),
    #[error("not in the deterministic encoding logseal writes (decode, re-encode, compare)")]
    NotDeterministic,
    #[error("protected header: {0}")]
    Protected(String),
    #[error("unprotected header: {0}")]
    Unprotected(String),
    #[error("the payload is attached; a receipt's payload (the root) is detached")]
    Attached,
    #[error("inclusion proof: {0}")]
    Proof(String),
    #[error(
        "a tree of one leaf has an empty inclusion path, which RFC 9942 does not allow \
         (inclusion-path is [+ bstr])"
    )]
    SingleLeaf,
    #[error("the proof computes root {computed}, but the tree of size {size} has root {expected}")]
    WrongRoot {
        size: u64,
        computed: String,
        expected: String,
    },
    #[error("the signature does not verify under the log key given (strict Ed25519)")]
    Signature,
}

/// What a verified receipt proves: the record is leaf `leaf_index` of the tree of `tree_size`
/// leaves with root `root`, signed by the log `issuer`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub issuer: String,
    pub tree_size: u64,
    pub leaf_index: u64,
    pub root: Hash,
}

/// The receipt of leaf `leaf_index` (record bytes `record`) in the tree of `tree_size` leaves
/// whose root is `root`, with the inclusion `path`, signed by the log key `key` of the log
/// `origin`. The root the proof computes must be `root`: the log never signs a root it did not
/// derive.
pub fn make(
    key: &SecretKey,
    origin: &str,
    record: &[u8],
    tree_size: u64,
    leaf_index: u64,
    path: &[Hash],
    root: &Hash,
) -> Result<Vec<u8>, ReceiptError> {
    if tree_size == 1 {
        return Err(ReceiptError::SingleLeaf);
    }
    let computed = computed_root(record, tree_size, leaf_index, path)?;
    if computed != *root {
        return Err(ReceiptError::WrongRoot {
            size: tree_size,
            computed: hex::encode(computed),
            expected: hex::encode(root),
        });
    }
    let proof = Value::Array(vec![
        Value::Integer(tree_size.into()),
        Value::Integer(leaf_index.into()),
        Value::Array(path.iter().map(|h| Value::Bytes(h.to_vec())).collect()),
    ]);
    let proof = proof
        .to_vec()
        .map_err(|e| ReceiptError::Cose(e.to_string()))?;
    let sign1 = CoseSign1Builder::new()
        .protected(protected(
            key.public_key().as_bytes(),
            origin,
            tree_size,
            leaf_index,
        ))
        .unprotected(
            HeaderBuilder::new()
                .value(
                    VDP,
                    Value::Map(vec![(
                        Value::Integer(INCLUSION.into()),
                        Value::Array(vec![Value::Bytes(proof)]),
                    )]),
                )
                .build(),
        )
        .create_detached_signature(root, b"", |tbs| key.sign(tbs).to_vec())
        .build();
    sign1
        .to_tagged_vec()
        .map_err(|e| ReceiptError::Cose(e.to_string()))
}

/// The protected header: Ed25519, the key's id, the issuer, RFC9162_SHA256, and the position
/// proven.
fn protected(
    public_key: &[u8; 32],
    origin: &str,
    tree_size: u64,
    leaf_index: u64,
) -> coset::Header {
    HeaderBuilder::new()
        .algorithm(iana::Algorithm::Ed25519)
        .key_id(key_id(public_key).to_vec())
        .value(
            CWT_CLAIMS,
            Value::Map(vec![(Value::Integer(1.into()), Value::Text(origin.into()))]),
        )
        .value(VDS, Value::Integer(RFC9162_SHA256.into()))
        .value(
            TREE_POSITION,
            Value::Array(vec![
                Value::Integer(tree_size.into()),
                Value::Integer(leaf_index.into()),
            ]),
        )
        .build()
}

/// RFC 9162 §2.1.3.2 from the record's SHA-256 leaf hash.
fn computed_root(
    record: &[u8],
    tree_size: u64,
    leaf_index: u64,
    path: &[Hash],
) -> Result<Hash, ReceiptError> {
    let leaf = tree::Sha256::leaf(record);
    tree::root_from_inclusion_proof::<tree::Sha256>(leaf_index, tree_size, &leaf, path)
        .map_err(|e| ReceiptError::Proof(e.to_string()))
}

/// Verify `receipt` for `record` under the log key `log_key` of the log `origin`.
pub fn verify(
    receipt: &[u8],
    record: &[u8],
    log_key: &PublicKey,
    origin: &str,
) -> Result<Verified, ReceiptError> {
    let sign1 =
        CoseSign1::from_tagged_slice(receipt).map_err(|e| ReceiptError::Cose(e.to_string()))?;
    let again = sign1
        .clone()
        .to_tagged_vec()
        .map_err(|e| ReceiptError::Cose(e.to_string()))?;
    if again != receipt {
        return Err(ReceiptError::NotDeterministic);
    }
    if sign1.payload.is_some() {
        return Err(ReceiptError::Attached);
    }
    let (tree_size, leaf_index, path) = inclusion(&sign1.unprotected)?;
    if tree_size == 1 {
        return Err(ReceiptError::SingleLeaf);
    }
    let want = protected(log_key.as_bytes(), origin, tree_size, leaf_index);
    let original = sign1.protected.original_data.as_deref().unwrap_or_default();
    if sign1.protected.header != want {
        return Err(ReceiptError::Protected(format!(
            "expected exactly alg Ed25519 (-19), the kid of the log key given, issuer \
             {origin:?}, vds RFC9162_SHA256 (1) and the position [{tree_size}, {leaf_index}] \
             of the proof; found {:?}",
            sign1.protected.header
        )));
    }
    let canonical = coset::ProtectedHeader {
        original_data: None,
        header: want,
    }
    .cbor_bstr()
    .map_err(|e| ReceiptError::Cose(e.to_string()))?;
    if Value::Bytes(original.to_vec()) != canonical {
        return Err(ReceiptError::NotDeterministic);
    }
    let root = computed_root(record, tree_size, leaf_index, &path)?;
    sign1
        .verify_detached_signature(&root, b"", |sig, tbs| log_key.verify(tbs, sig))
        .map_err(|_| ReceiptError::Signature)?;
    Ok(Verified {
        issuer: origin.to_string(),
        tree_size,
        leaf_index,
        root,
    })
}

/// The one inclusion proof of the unprotected header (`{396: {-1: [bstr]}}`, nothing else).
fn inclusion(h: &coset::Header) -> Result<(u64, u64, Vec<Hash>), ReceiptError> {
    let bad = |s: &str| ReceiptError::Unprotected(s.to_string());
    if h.rest.len() != 1 || *h != unprotected_only(h) {
        return Err(bad("must hold vdp (396) and nothing else"));
    }
    let (label, vdp) = &h.rest[0];
    if *label != Label::Int(VDP) {
        return Err(bad("must hold vdp (396) and nothing else"));
    }
    let Value::Map(entries) = vdp else {
        return Err(bad("vdp is not a map"));
    };
    let [(Value::Integer(t), Value::Array(proofs))] = entries.as_slice() else {
        return Err(bad("vdp must hold inclusion proofs (-1) and nothing else"));
    };
    if i128::from(*t) != i128::from(INCLUSION) {
        return Err(bad("vdp must hold inclusion proofs (-1) and nothing else"));
    }
    let [Value::Bytes(proof)] = proofs.as_slice() else {
        return Err(bad("exactly one inclusion proof (a bstr) is expected"));
    };
    decode_proof(proof)
}

/// `h` with only its `rest` kept: any other parameter in the unprotected header is refused.
fn unprotected_only(h: &coset::Header) -> coset::Header {
    coset::Header {
        rest: h.rest.clone(),
        ..Default::default()
    }
}

/// `[tree_size, leaf_index, [+ hash]]`, deterministic, every hash 32 bytes.
fn decode_proof(bytes: &[u8]) -> Result<(u64, u64, Vec<Hash>), ReceiptError> {
    let bad = |s: String| ReceiptError::Proof(s);
    let v = Value::from_slice(bytes).map_err(|e| bad(format!("not CBOR: {e}")))?;
    if v.clone().to_vec().map_err(|e| bad(e.to_string()))? != bytes {
        return Err(ReceiptError::NotDeterministic);
    }
    let Value::Array(items) = v else {
        return Err(bad("not an array".into()));
    };
    let [
        Value::Integer(size),
        Value::Integer(index),
        Value::Array(path),
    ] = items.as_slice()
    else {
        return Err(bad("expected [tree_size, leaf_index, [+ hash]]".into()));
    };
    let uint = |i: &coset::cbor::value::Integer, what: &str| {
        u64::try_from(i128::from(*i)).map_err(|_| bad(format!("{what} is not an unsigned integer")))
    };
    let (size, index) = (uint(size, "tree_size")?, uint(index, "leaf_index")?);
    if path.is_empty() {
        return Err(bad("the inclusion path is empty ([+ bstr])".into()));
    }
    let path = path
        .iter()
        .enumerate()
        .map(|(i, h)| match h {
            Value::Bytes(b) => <Hash>::try_from(b.as_slice())
                .map_err(|_| bad(format!("path.{i}: {} bytes, must be 32", b.len()))),
            _ => Err(bad(format!("path.{i}: not a byte string"))),
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((size, index, path))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::MemoryHashStore;

    const ORIGIN: &str = "log.example/receipts";

    fn tree(n: u64) -> (MemoryHashStore<tree::Sha256>, Vec<Vec<u8>>) {
        let mut t = MemoryHashStore::<tree::Sha256>::new();
        let records: Vec<Vec<u8>> = (0..n).map(|i| format!("record {i}").into_bytes()).collect();
        for r in &records {
            t.append(r).unwrap();
        }
        (t, records)
    }

    fn receipt(n: u64, i: u64) -> (Vec<u8>, Vec<u8>, SecretKey) {
        let key = SecretKey::from_seed(&[9; 32]);
        let (t, records) = tree(n);
        let path = t.inclusion_proof(n, i).unwrap();
        let root = t.root_at(n).unwrap();
        let r = make(&key, ORIGIN, &records[i as usize], n, i, &path, &root).unwrap();
        (r, records[i as usize].clone(), key)
    }

    #[test]
    fn a_receipt_verifies_for_its_record_and_nothing_else() {
        for (n, i) in [(2, 0), (2, 1), (7, 6), (256, 17), (257, 256)] {
            let (r, record, key) = receipt(n, i);
            let v = verify(&r, &record, &key.public_key(), ORIGIN).unwrap();
            assert_eq!((v.tree_size, v.leaf_index), (n, i));
            assert!(verify(&r, b"another record", &key.public_key(), ORIGIN).is_err());
            let other = SecretKey::from_seed(&[8; 32]).public_key();
            assert!(matches!(
                verify(&r, &record, &other, ORIGIN),
                Err(ReceiptError::Protected(_))
            ));
            assert!(matches!(
                verify(&r, &record, &key.public_key(), "log.example/other"),
                Err(ReceiptError::Protected(_))
            ));
        }
    }

    #[test]
    fn every_changed_byte_fails() {
        let (r, record, key) = receipt(7, 3);
        for i in 0..r.len() {
            let mut bad = r.clone();
            bad[i] ^= 0x01;
            assert!(
                verify(&bad, &record, &key.public_key(), ORIGIN).is_err(),
                "byte {i} flipped still verifies"
            );
        }
        let mut longer = r.clone();
        longer.push(0);
        assert!(verify(&longer, &record, &key.public_key(), ORIGIN).is_err());
    }

    #[test]
    fn the_log_signs_only_the_root_it_derives() {
        let key = SecretKey::from_seed(&[9; 32]);
        let (t, records) = tree(5);
        let path = t.inclusion_proof(5, 2).unwrap();
        let e = make(&key, ORIGIN, &records[2], 5, 2, &path, &[7; 32]).unwrap_err();
        assert!(matches!(e, ReceiptError::WrongRoot { size: 5, .. }), "{e}");
        let (t1, r1) = tree(1);
        let e = make(&key, ORIGIN, &r1[0], 1, 0, &[], &t1.root_at(1).unwrap()).unwrap_err();
        assert_eq!(e, ReceiptError::SingleLeaf);
    }
}

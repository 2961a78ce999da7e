//! Records: COSE_Sign1 envelopes (RFC 9052 §4.2) around deterministic-CBOR payloads.
//!
//! Owns: the byte format of a signed record, its strict decoder and its signature rule
//! (docs/FORMAT.md §Record). A record is `COSE_Sign1_Tagged` (tag 18) with
//! - a protected header of exactly `{1: -19 (Ed25519, RFC 9864), 4: kid}`, `kid` being the
//!   32-byte `SHA-256` of the producer's public key,
//! - an empty unprotected header (anything else would make the bytes malleable),
//! - an embedded payload ([`payload::Payload`]),
//! - a 64-byte Ed25519 signature over the `Sig_structure`
//!   `["Signature1", protected, external_aad, payload]` where `external_aad` is the log's
//!   origin in UTF-8, so a record cannot be replayed into another log.
//!
//! Decoding never trusts a re-encoding: the record must already be deterministic CBOR, the
//! payload must re-encode to its own bytes, and every rejection carries a byte offset or a
//! field path. Pure: no I/O, no clock; salts are passed in.

pub mod json;
pub mod kinds;
pub mod payload;
pub mod rules;
pub mod sealed;
pub mod text;
pub mod types;

use coset::TaggedCborSerializable;

use crate::cbor::{self, CborError};
use crate::crypto::{CryptoError, KeyId, PublicKey, SecretKey};
pub use kinds::{Body, Kind};
pub use payload::{Payload, PayloadError, Status};
pub use sealed::{Disclosure, FieldPath, SealError, SealedValue};

/// Largest record, in bytes: the C2SP tlog-tiles entry-bundle limit.
pub const MAX_RECORD_LEN: usize = 65_535;
/// The COSE algorithm id of Ed25519 (RFC 9864).
pub const COSE_ALG_ED25519: i64 = -19;

/// Why a record was rejected. Offsets are into the record's bytes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RecordError {
    #[error("record is {size} bytes, more than the {MAX_RECORD_LEN}-byte limit")]
    TooLarge { size: usize },
    #[error("record: {0}")]
    Cbor(CborError),
    #[error("record is not a tagged COSE_Sign1 (expected tag 18 at byte 0)")]
    NotCoseSign1,
    #[error("record: malformed COSE_Sign1: {message}")]
    Cose { message: String },
    #[error(
        "protected header at byte {offset}: {reason} (it must be exactly {{1: -19, 4: 32-byte kid}})"
    )]
    ProtectedHeader { offset: usize, reason: String },
    #[error("unprotected header at byte {offset} is not empty (it must be {{}})")]
    UnprotectedNotEmpty { offset: usize },
    #[error("record has a detached (nil) payload; the payload must be embedded")]
    DetachedPayload,
    #[error("signature is {found} bytes, must be 64")]
    SignatureLength { found: usize },
    #[error("payload: {0}")]
    Payload(CborError),
    #[error("payload: {0}")]
    Invalid(PayloadError),
    #[error("kid {found} in the record is not the id of key {expected}")]
    KeyIdMismatch { expected: String, found: String },
    #[error("signature: {0}")]
    Signature(CryptoError),
}

impl RecordError {
    /// A stable kebab-case code for the variant, named by test vectors and reports
    /// (docs/FORMAT.md §Rejection codes). CBOR errors in the record's outer structure are
    /// `cbor-*`, the same errors inside the payload byte string `payload-*`; signature and
    /// payload-rule errors carry the code of the underlying error.
    pub fn code(&self) -> &'static str {
        match self {
            RecordError::TooLarge { .. } => "record-too-large",
            RecordError::Cbor(e) => e.code(),
            RecordError::NotCoseSign1 => "record-not-cose-sign1",
            RecordError::Cose { .. } => "record-cose-malformed",
            RecordError::ProtectedHeader { .. } => "record-protected-header",
            RecordError::UnprotectedNotEmpty { .. } => "record-unprotected-header",
            RecordError::DetachedPayload => "record-detached-payload",
            RecordError::SignatureLength { .. } => "record-signature-length",
            RecordError::Payload(e) => match e {
                CborError::Truncated { .. } => "payload-truncated",
                CborError::TrailingBytes { .. } => "payload-trailing-bytes",
                CborError::NonMinimal { .. } => "payload-non-minimal",
                CborError::IndefiniteLength { .. } => "payload-indefinite-length",
                CborError::Float { .. } => "payload-float",
                CborError::Simple { .. } => "payload-simple-value",
                CborError::Reserved { .. } => "payload-reserved",
                CborError::UnsortedKeys { .. } => "payload-unsorted-keys",
                CborError::DuplicateKey { .. } => "payload-duplicate-key",
                CborError::InvalidUtf8 { .. } => "payload-invalid-utf8",
                CborError::TooDeep { .. } => "payload-too-deep",
                CborError::Decode { .. } => "payload-decode",
                CborError::NotCanonical { .. } => "payload-not-canonical",
            },
            RecordError::Invalid(e) => e.code(),
            RecordError::KeyIdMismatch { .. } => "record-kid-mismatch",
            RecordError::Signature(e) => e.code(),
        }
    }
}

/// A structurally valid record (not yet signature-checked: that needs the key the
/// registration authority registered, which the caller supplies to [`Record::verify`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    bytes: Vec<u8>,
    kid: KeyId,
    payload_range: std::ops::Range<usize>,
    signature: [u8; 64],
    payload: Payload,
}

/// Length of a CBOR head for an argument of `n`.
fn head_len(n: usize) -> usize {
    match n {
        0..=23 => 1,
        24..=0xff => 2,
        0x100..=0xffff => 3,
        _ => 5,
    }
}

/// The exact protected-header bytes for `kid`: `{1: -19, 4: h'kid'}`.
pub fn protected_header_bytes(kid: &KeyId) -> Vec<u8> {
    let mut v = Vec::with_capacity(38);
    v.extend_from_slice(&[0xa2, 0x01, 0x32, 0x04, 0x58, 0x20]);
    v.extend_from_slice(kid);
    v
}

impl Record {
    /// Strictly decode a record. Checks structure, canonical form and payload rules; does
    /// **not** check the signature (see [`Record::verify`]).
    pub fn decode(bytes: &[u8]) -> Result<Record, RecordError> {
        if bytes.len() > MAX_RECORD_LEN {
            return Err(RecordError::TooLarge { size: bytes.len() });
        }
        cbor::check_deterministic(bytes).map_err(RecordError::Cbor)?;
        if bytes.first() != Some(&0xd2) {
            return Err(RecordError::NotCoseSign1);
        }
        let sign1 = coset::CoseSign1::from_tagged_slice(bytes).map_err(|e| RecordError::Cose {
            message: e.to_string(),
        })?;
        // Layout (all heads minimal, as checked above): d2 84 <bstr protected> <map> ...
        let prot = &sign1.protected.original_data;
        let prot_len = prot.as_ref().map_or(0, |p| p.len());
        let prot_off = 2 + head_len(prot_len);
        let alg_ok = sign1.protected.header.alg
            == Some(coset::RegisteredLabelWithPrivate::Assigned(
                coset::iana::Algorithm::Ed25519,
            ));
        let kid: KeyId = sign1
            .protected
            .header
            .key_id
            .as_slice()
            .try_into()
            .map_err(|_| RecordError::ProtectedHeader {
                offset: prot_off,
                reason: format!(
                    "kid is {} bytes, must be 32",
                    sign1.protected.header.key_id.len()
                ),
            })?;
        if !alg_ok {
            return Err(RecordError::ProtectedHeader {
                offset: prot_off,
                reason: "alg is not -19 (Ed25519)".into(),
            });
        }
        if prot.as_deref() != Some(protected_header_bytes(&kid).as_slice()) {
            return Err(RecordError::ProtectedHeader {
                offset: prot_off,
                reason: "unexpected parameters".into(),
            });
        }
        let unprot_off = prot_off + prot_len;
        if !sign1.unprotected.is_empty() {
            return Err(RecordError::UnprotectedNotEmpty { offset: unprot_off });
        }
        let payload_bytes = sign1.payload.as_ref().ok_or(RecordError::DetachedPayload)?;
        let payload_start = unprot_off + 1 + head_len(payload_bytes.len());
        let payload_range = payload_start..payload_start + payload_bytes.len();
        debug_assert_eq!(&bytes[payload_range.clone()], payload_bytes.as_slice());
        let signature: [u8; 64] =
            sign1
                .signature
                .as_slice()
                .try_into()
                .map_err(|_| RecordError::SignatureLength {
                    found: sign1.signature.len(),
                })?;
        let payload: Payload = cbor::decode_canonical(payload_bytes)
            .map_err(|e| RecordError::Payload(e.shifted(payload_start)))?;
        payload.validate().map_err(RecordError::Invalid)?;
        Ok(Record {
            bytes: bytes.to_vec(),
            kid,
            payload_range,
            signature,
            payload,
        })
    }

    /// Check the signature with `key` (strict Ed25519) and the origin binding: `origin` is
    /// the log this record is being read from.
    pub fn verify(&self, key: &PublicKey, origin: &str) -> Result<(), RecordError> {
        if key.key_id() != self.kid {
            return Err(RecordError::KeyIdMismatch {
                expected: hex::encode(key.key_id()),
                found: hex::encode(self.kid),
            });
        }
        let tbs = sig_structure(&self.kid, self.payload_bytes(), origin);
        key.verify(&tbs, &self.signature)
            .map_err(RecordError::Signature)
    }

    /// Decode and verify in one step.
    pub fn decode_verified(
        bytes: &[u8],
        key: &PublicKey,
        origin: &str,
    ) -> Result<Record, RecordError> {
        let r = Record::decode(bytes)?;
        r.verify(key, origin)?;
        Ok(r)
    }

    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    /// The `kid` of the protected header: `SHA-256` of the signer's public key.
    pub fn kid(&self) -> &KeyId {
        &self.kid
    }

    pub fn payload(&self) -> &Payload {
        &self.payload
    }

    pub fn payload_bytes(&self) -> &[u8] {
        &self.bytes[self.payload_range.clone()]
    }

    pub fn signature(&self) -> &[u8; 64] {
        &self.signature
    }
}

/// The COSE `Sig_structure` for a Sign1 record (RFC 9052 §4.4).
pub fn sig_structure(kid: &KeyId, payload: &[u8], origin: &str) -> Vec<u8> {
    let protected = protected_header_bytes(kid);
    let mut out = Vec::with_capacity(protected.len() + payload.len() + origin.len() + 24);
    let mut e = minicbor::Encoder::new(&mut out);
    e.array(4)
        .and_then(|e| e.str("Signature1"))
        .and_then(|e| e.bytes(&protected))
        .and_then(|e| e.bytes(origin.as_bytes()))
        .and_then(|e| e.bytes(payload))
        .expect("encoding into a Vec is infallible");
    out
}

/// Sign a payload as a record for the log `origin`.
pub fn sign(payload: &Payload, key: &SecretKey, origin: &str) -> Result<Vec<u8>, RecordError> {
    payload.validate().map_err(RecordError::Invalid)?;
    let kid = key.public_key().key_id();
    let protected = coset::HeaderBuilder::new()
        .algorithm(coset::iana::Algorithm::Ed25519)
        .key_id(kid.to_vec())
        .build();
    let sign1 = coset::CoseSign1Builder::new()
        .protected(protected)
        .payload(payload.to_bytes())
        .create_signature(origin.as_bytes(), |tbs| key.sign(tbs).to_vec())
        .build();
    let bytes = sign1.to_tagged_vec().map_err(|e| RecordError::Cose {
        message: e.to_string(),
    })?;
    if bytes.len() > MAX_RECORD_LEN {
        return Err(RecordError::TooLarge { size: bytes.len() });
    }
    Ok(bytes)
}

/// A record under construction: a payload plus the disclosures of its sealed fields.
#[derive(Debug, Clone)]
pub struct RecordBuilder {
    payload: Payload,
    disclosures: Vec<Disclosure>,
}

/// A signed record and the disclosures that open its sealed fields (stored apart).
#[derive(Debug, Clone)]
pub struct SignedRecord {
    pub bytes: Vec<u8>,
    pub disclosures: Vec<Disclosure>,
}

impl RecordBuilder {
    /// Start from a payload whose `sealed` map is empty.
    pub fn new(mut payload: Payload) -> Self {
        payload.sealed.clear();
        RecordBuilder {
            payload,
            disclosures: Vec::new(),
        }
    }

    /// Seal `value` at `path` with `salt` (16 bytes from a CSPRNG in production).
    pub fn seal(
        &mut self,
        path: &str,
        value: SealedValue,
        salt: [u8; sealed::SALT_LEN],
    ) -> Result<&mut Self, SealError> {
        let d = Disclosure::new(salt, FieldPath::parse(path)?, value);
        self.payload.add_sealed(&d)?;
        self.disclosures.push(d);
        Ok(self)
    }

    pub fn payload(&self) -> &Payload {
        &self.payload
    }

    /// Sign for the log `origin`.
    pub fn sign(self, key: &SecretKey, origin: &str) -> Result<SignedRecord, RecordError> {
        let bytes = sign(&self.payload, key, origin)?;
        Ok(SignedRecord {
            bytes,
            disclosures: self.disclosures,
        })
    }
}

#[cfg(test)]
mod tests;

//! Known-answer test vectors for the record format (docs/FORMAT.md, `testvectors/`).
//!
//! Owns: the generator of every committed vector — valid records of several kinds and sizes
//! with their disclosures, and one rejection per rule a verifier must enforce, each stating
//! the stage that must refuse it, the stable error code, and the byte offset or field path
//! the reference decoder reports. The expectation is written down *by construction* (this
//! module knows which byte it broke); it never asks the decoder, so the vectors can catch
//! the decoder out.
//!
//! Pure and deterministic: fixed key seeds, fixed salts, fixed times; no clock, no RNG, no
//! I/O. [`render_all`] returns the files' bytes; the `xtask` binary writes them and
//! `tests/vectors.rs` checks that the committed files are exactly what this produces.
//!
//! Mutations that change signed bytes (everything inside the payload) are **re-signed**, so
//! such a vector tests the decoder's rule and not merely the signature.

use std::ops::Range;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha512};

use crate::crypto::{SecretKey, key_id};
use crate::record::json::build_from_json;
use crate::record::kinds::data_access::{Action, Actor, DataOrigin};
use crate::record::kinds::key_registration::KeyRegistration;
use crate::record::kinds::producer_heartbeat::{Counter, ProducerHeartbeat};
use crate::record::kinds::{Body, DataAccess, Kind};
use crate::record::sealed::{Disclosure, FieldPath, SALT_LEN, SealedValue};
use crate::record::text::{Ident, ProducerId};
use crate::record::types::{Hash32, Id16, Timestamp};
use crate::record::{MAX_RECORD_LEN, Payload, RecordBuilder, SignedRecord, Status};

/// The log every vector is signed for (its COSE external AAD).
pub const ORIGIN: &str = "vectors.logseal.example/log";
/// Another log's origin, for the replay vector.
pub const OTHER_ORIGIN: &str = "other.logseal.example/log";
/// Seed (RFC 8032 private key) of the producer key `query-frontend` signs with.
pub const PRODUCER_SEED: [u8; 32] = [0x11; 32];
/// Seed of the registration authority's key.
pub const AUTHORITY_SEED: [u8; 32] = [0x22; 32];
/// Seed of an unrelated key (the wrong-key vector).
pub const OTHER_SEED: [u8; 32] = [0x33; 32];
/// The encoding of the identity point (y = 1): a public key and an `R` of order 1.
pub const IDENTITY_POINT: [u8; 32] = {
    let mut p = [0u8; 32];
    p[0] = 1;
    p
};
/// The group order L, little-endian (RFC 8032 §5.1).
const GROUP_ORDER: [u8; 32] = [
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
];
/// Where the vector files live, relative to the repository root.
pub const DIR: &str = "testvectors";

/// Why a vector could not be built (a bug in this generator, never bad input: it has none).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VectorError {
    #[error("vector {vector}: {reason}")]
    Build { vector: String, reason: String },
    #[error("vector {vector}: cannot locate {what} in the encoded payload")]
    Layout { vector: String, what: String },
}

fn build_err(vector: &str) -> impl Fn(&dyn std::fmt::Display) -> VectorError + '_ {
    move |e| VectorError::Build {
        vector: vector.to_string(),
        reason: e.to_string(),
    }
}

/// Whether a conforming verifier accepts the vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Expect {
    Accept,
    Reject,
}

/// The step of verification that must refuse a rejected vector (testvectors/README.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    /// Parsing and validating the public key (`crypto::PublicKey::from_bytes`).
    Key,
    /// Strictly decoding the record (`record::Record::decode`).
    Decode,
    /// Checking the signature and origin binding (`record::Record::verify`).
    Verify,
    /// Decoding a disclosure (`Disclosure::from_bytes`) and opening its commitment
    /// (`Payload::check_disclosure`).
    Disclosure,
}

/// What must go wrong, and where, as the reference implementation reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectedError {
    pub stage: Stage,
    /// The stable error code (docs/FORMAT.md §Rejection codes).
    pub code: String,
    /// Byte offset reported: into the record for `decode`, into the disclosure for CBOR
    /// errors of a disclosure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<usize>,
    /// Field path reported (sealed-field errors).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Index into `disclosures` of the disclosure that fails (stage `disclosure`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disclosure: Option<usize>,
}

impl ExpectedError {
    fn new(stage: Stage, code: &str) -> Self {
        ExpectedError {
            stage,
            code: code.to_string(),
            offset: None,
            path: None,
            disclosure: None,
        }
    }

    fn at(mut self, offset: usize) -> Self {
        self.offset = Some(offset);
        self
    }

    fn path(mut self, path: &str) -> Self {
        self.path = Some(path.to_string());
        self
    }

    fn disclosure(mut self, index: usize) -> Self {
        self.disclosure = Some(index);
        self
    }
}

/// One disclosure of a vector: its field path (for people) and its CBOR bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VectorDisclosure {
    pub path: String,
    #[serde(with = "hex_bytes")]
    pub cbor: Vec<u8>,
}

/// One known-answer vector, exactly as stored in `testvectors/<name>.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vector {
    pub name: String,
    pub description: String,
    pub expect: Expect,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ExpectedError>,
    /// The origin to verify against (the COSE external AAD).
    pub origin: String,
    /// The signer's 32-byte Ed25519 public key.
    #[serde(with = "hex_bytes")]
    pub public_key: Vec<u8>,
    pub disclosures: Vec<VectorDisclosure>,
    pub record_len: usize,
    /// The record: a tagged COSE_Sign1.
    #[serde(with = "hex_bytes")]
    pub record: Vec<u8>,
}

impl Vector {
    /// The file's bytes: pretty JSON, two-space indent, one trailing newline.
    pub fn to_json(&self) -> Vec<u8> {
        let mut v = serde_json::to_vec_pretty(self).expect("a Vector always serialises");
        v.push(b'\n');
        v
    }

    /// The file name under [`DIR`].
    pub fn file_name(&self) -> String {
        format!("{}.json", self.name)
    }
}

mod hex_bytes {
    pub fn serialize<S: serde::Serializer>(b: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(b))
    }

    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s: String = serde::Deserialize::deserialize(d)?;
        hex::decode(s).map_err(serde::de::Error::custom)
    }
}

/// A valid record to be signed: the seed of each accept vector and the base of rejections.
pub struct Sample {
    pub name: &'static str,
    pub description: String,
    pub signer: [u8; 32],
    pub payload: Payload,
    /// Sealed fields as (path, value); salts are [`salt`]`(name, path)`.
    pub seals: Vec<(String, SealedValue)>,
}

/// The hand-written valid samples, one constructor each: adding a sample is one line here.
/// Every kind none of these covers gets the sample of [`crate::record::kinds::samples`]
/// ([`kind_samples`]); the 65,535-byte record is built separately ([`max_size_sample`]).
pub const SAMPLES: &[fn() -> Result<Sample, VectorError>] = &[
    data_access_minimal,
    data_access_consult,
    data_access_transfer,
    data_access_inspection,
    data_access_statistics,
    data_access_denied,
    key_registration,
    producer_heartbeat,
];

/// Sealed fields with owned paths.
fn owned(seals: Vec<(&str, SealedValue)>) -> Vec<(String, SealedValue)> {
    seals.into_iter().map(|(p, v)| (p.to_string(), v)).collect()
}

/// A sample for every kind the hand-written [`SAMPLES`] do not cover, in [`Kind::ALL`]
/// order: the realistic record of [`crate::record::kinds::samples`] with every sealed field
/// the kind allows, named after the kind and signed by the producer key (the authority's
/// for the authority's kinds).
pub fn kind_samples() -> Result<Vec<Sample>, VectorError> {
    let mut covered = Vec::new();
    for make in SAMPLES {
        covered.push(make()?.payload.kind());
    }
    crate::record::kinds::samples()
        .into_iter()
        .filter(|(kind, _)| !covered.contains(kind))
        .map(|(kind, json)| kind_sample(kind, json))
        .collect()
}

fn kind_sample(kind: Kind, json: serde_json::Value) -> Result<Sample, VectorError> {
    let name = kind.name();
    let err = build_err(name);
    let builder = build_from_json(kind, json, &mut || [0; SALT_LEN]).map_err(|e| err(&e))?;
    let payload = builder.payload().clone();
    // Only the sealed values and their paths are kept: `sign_sample` seals them again with
    // the vector salts.
    let opened = builder
        .sign(&SecretKey::from_seed(&OTHER_SEED), ORIGIN)
        .map_err(|e| err(&e))?
        .disclosures;
    let authority = matches!(
        kind,
        Kind::KeyRegistration | Kind::KeyRevocation | Kind::ProducerReset
    );
    Ok(Sample {
        name,
        description: format!(
            "The realistic {name} record of the built-in scenario ({} seq {}, from \
             record::kinds::samples): {}.",
            payload.producer,
            payload.seq,
            match opened.len() {
                0 => "the kind has no sealed fields".to_string(),
                1 => "its one sealed field, disclosed".to_string(),
                n => format!("all {n} sealed fields the kind allows, each disclosed"),
            }
        ),
        signer: if authority {
            AUTHORITY_SEED
        } else {
            PRODUCER_SEED
        },
        payload,
        seals: opened
            .into_iter()
            .map(|d| (d.path.to_string(), d.value))
            .collect(),
    })
}

/// The fixed salt of a sealed field in a vector: the first 16 bytes of
/// `BLAKE3("logseal test vector salt " ‖ sample ‖ " " ‖ path)`.
pub fn salt(sample: &str, path: &str) -> [u8; SALT_LEN] {
    let h = blake3::hash(format!("logseal test vector salt {sample} {path}").as_bytes());
    let mut s = [0u8; SALT_LEN];
    s.copy_from_slice(&h.as_bytes()[..SALT_LEN]);
    s
}

fn ident(v: &str, s: &str) -> Result<Ident, VectorError> {
    Ident::new(s).map_err(|e| build_err(v)(&e))
}

fn producer(v: &str, s: &str) -> Result<ProducerId, VectorError> {
    ProducerId::new(s).map_err(|e| build_err(v)(&e))
}

/// 2026-03-01T09:30:00.250Z plus `secs` seconds.
fn time(secs: u64) -> Timestamp {
    Timestamp(1_772_357_400_250 + secs * 1000)
}

fn hash(label: &str) -> Hash32 {
    Hash32(*blake3::hash(label.as_bytes()).as_bytes())
}

fn id16(label: &str) -> Id16 {
    let mut id = [0u8; 16];
    id.copy_from_slice(&blake3::hash(label.as_bytes()).as_bytes()[..16]);
    Id16(id)
}

fn envelope(v: &str, seq: u64, body: Body) -> Result<Payload, VectorError> {
    Ok(Payload {
        producer: producer(v, "query-frontend")?,
        seq,
        prev: if seq == 0 {
            Hash32([0; 32])
        } else {
            hash(&format!("leaf {}", seq - 1))
        },
        occurred_at: time(seq),
        utc_offset_minutes: None,
        processing_activity: None,
        trace_id: None,
        operation_id: None,
        parent_operation_id: None,
        status: Status::Ok,
        retention_rule: None,
        body,
        sealed: vec![],
    })
}

fn access(v: &str, action: Action) -> Result<DataAccess, VectorError> {
    Ok(DataAccess {
        action,
        legal_basis: ident(v, "nl-sv-126n")?,
        purpose: ident(v, "criminal-investigation")?,
        actor: Actor {
            role: ident(v, "police-officer")?,
            organisation: ident(v, "politie-eenheid-noord")?,
            authorisation_id: None,
            break_glass: false,
        },
        data_categories: vec![ident(v, "subscriber-name-address")?],
        result_count: None,
        destination_country: None,
        data_origin: None,
        revealed: None,
        revealed_ranges: None,
    })
}

fn text(s: &str) -> SealedValue {
    SealedValue::Text(s.to_string())
}

/// The smallest data-access record: seq 0, no optional envelope field, one sealed field.
pub fn data_access_minimal() -> Result<Sample, VectorError> {
    let v = "data-access-minimal";
    Ok(Sample {
        name: v,
        description: "The smallest data-access record: seq 0 (all-zero prev), no optional \
                      envelope field, only the required sealed field actor.user."
            .into(),
        signer: PRODUCER_SEED,
        payload: envelope(v, 0, access(v, Action::Consult)?.into())?,
        seals: owned(vec![("actor.user", text("officer-4711"))]),
    })
}

/// A consultation with every envelope field and seven sealed fields, non-ASCII included.
/// Also the base record of most rejection vectors.
pub fn data_access_consult() -> Result<Sample, VectorError> {
    let v = "data-access-consult";
    let mut body = access(v, Action::Consult)?;
    body.actor.organisation = ident(v, "politie-eenheid-noord-fryslân")?;
    body.actor.authorisation_id = Some(ident(v, "auth-0017")?);
    body.data_categories = vec![
        ident(v, "ip-assignment")?,
        ident(v, "subscriber-name-address")?,
    ];
    body.result_count = Some(1);
    let mut p = envelope(v, 3, body.into())?;
    p.utc_offset_minutes = Some(60);
    p.processing_activity = Some(ident(v, "https://register.example/activities/cis-query")?);
    p.trace_id = Some(id16("trace 1"));
    p.operation_id = Some(id16("operation 1"));
    p.parent_operation_id = Some(id16("operation 0"));
    p.retention_rule = Some(ident(v, "nl-politie-logs@2")?);
    Ok(Sample {
        name: v,
        description: "A consultation with every optional envelope field and seven sealed \
                      fields, including array-indexed paths (recipients.0, recipients.1), \
                      free text with a line feed and NFC non-ASCII identifiers."
            .into(),
        signer: PRODUCER_SEED,
        payload: p,
        seals: owned(vec![
            ("actor.user", text("officer-4711")),
            ("actor.on_behalf_of", text("Zoë Müller")),
            ("case_ref", text("2026-NOORD-000123")),
            ("subject", text("Jan de Vries")),
            ("query", text("+31 6 12345678\nrequested by phone")),
            ("recipients.0", text("recherche-noord")),
            (
                "recipients.1",
                text("OM-arrondissementsparket-Noord-Nederland"),
            ),
        ]),
    })
}

/// An inspection of the log itself (`logseal subject`): the records and fields it revealed.
pub fn data_access_inspection() -> Result<Sample, VectorError> {
    use crate::record::kinds::data_access::Revealed;
    let v = "data-access-inspection";
    let mut body = access(v, Action::Consult)?;
    body.legal_basis = ident(v, "gdpr-art-15")?;
    body.purpose = ident(v, "data-subject-request")?;
    body.actor.role = ident(v, "log-inspector")?;
    body.actor.organisation = ident(v, "controller")?;
    body.data_categories = vec![ident(v, "audit-log-sealed-fields")?];
    body.result_count = Some(1);
    body.revealed = Some(vec![
        Revealed {
            leaf: 380,
            field: ident(v, "actor.user")?,
        },
        Revealed {
            leaf: 380,
            field: ident(v, "subject")?,
        },
    ]);
    Ok(Sample {
        name: v,
        description: "An inspection of the log (logseal subject) listing the record fields \
                      whose disclosures it revealed (revealed), the value searched sealed as \
                      query."
            .into(),
        signer: PRODUCER_SEED,
        payload: envelope(v, 10, body.into())?,
        seals: owned(vec![
            ("actor.user", text("auditor-inspector")),
            ("case_ref", text("DSR-2026-0017")),
            ("query", text("Jan de Vries")),
        ]),
    })
}

/// An on-site statistics run over sealed fields (`logseal report --sealed`): one field of
/// every record in a range of leaves, as `revealed_ranges`.
pub fn data_access_statistics() -> Result<Sample, VectorError> {
    use crate::record::kinds::data_access::RevealedRange;
    let v = "data-access-statistics";
    let mut body = access(v, Action::Consult)?;
    body.legal_basis = ident(v, "avg-art-58")?;
    body.purpose = ident(v, "supervision")?;
    body.actor.role = ident(v, "log-inspector")?;
    body.actor.organisation = ident(v, "supervisory-authority")?;
    body.data_categories = vec![ident(v, "audit-log-sealed-fields")?];
    body.result_count = Some(3000);
    body.revealed_ranges = Some(vec![RevealedRange {
        first: 0,
        last: 3701,
        field: ident(v, "actor.user")?,
    }]);
    Ok(Sample {
        name: v,
        description: "Statistics over a sealed field (logseal report --sealed): the field \
                      actor.user of every record in leaves 0 to 3701 was opened \
                      (revealed_ranges)."
            .into(),
        signer: PRODUCER_SEED,
        payload: envelope(v, 11, body.into())?,
        seals: owned(vec![
            ("actor.user", text("auditor-inspector")),
            ("case_ref", text("AP-2026-0042")),
        ]),
    })
}

/// A transfer abroad of a bulk upload: destination country, data origin, a sealed list.
pub fn data_access_transfer() -> Result<Sample, VectorError> {
    let v = "data-access-transfer";
    let mut body = access(v, Action::Transfer)?;
    body.destination_country = Some(ident(v, "DE")?);
    body.data_origin = Some(DataOrigin {
        provider: ident(v, "provider-kpn")?,
        file_digest: hash("upload 2026-03-01"),
        record_count: Some(3),
    });
    body.result_count = Some(3);
    let mut p = envelope(v, 7, body.into())?;
    p.utc_offset_minutes = Some(-300);
    p.trace_id = Some(id16("trace 2"));
    Ok(Sample {
        name: v,
        description: "A transfer to another country (destination_country, data_origin) \
                      with a sealed list of identifiers (subjects) and an order reference."
            .into(),
        signer: PRODUCER_SEED,
        payload: p,
        seals: owned(vec![
            ("actor.user", text("officer-0815")),
            ("order_ref", text("OvJ-126n-2026-0042")),
            (
                "subjects",
                SealedValue::List(vec![
                    text("+31612345678"),
                    text("+31687654321"),
                    text("2001:db8::17"),
                ]),
            ),
            ("recipients.0", text("bka.bund.de")),
        ]),
    })
}

/// A denied break-glass attempt: denied attempts are logged too.
pub fn data_access_denied() -> Result<Sample, VectorError> {
    let v = "data-access-denied";
    let mut body = access(v, Action::EmergencyAccess)?;
    body.actor.break_glass = true;
    body.result_count = Some(0);
    let mut p = envelope(v, 8, body.into())?;
    p.status = Status::Denied;
    Ok(Sample {
        name: v,
        description: "A denied emergency (break-glass) access: status denied, result_count 0."
            .into(),
        signer: PRODUCER_SEED,
        payload: p,
        seals: owned(vec![
            ("actor.user", text("officer-0815")),
            ("subject", text("Jan de Vries")),
        ]),
    })
}

/// The registration authority registers the producer key for two kinds.
pub fn key_registration() -> Result<Sample, VectorError> {
    let v = "key-registration";
    let body = KeyRegistration {
        producer: producer(v, "query-frontend")?,
        public_key: Hash32(*SecretKey::from_seed(&PRODUCER_SEED).public_key().as_bytes()),
        kinds: vec![Kind::DataAccess, Kind::ProducerHeartbeat],
    };
    let mut p = envelope(v, 0, body.into())?;
    p.producer = producer(v, "registration-authority")?;
    Ok(Sample {
        name: v,
        description: "The registration authority (its own key) registers the producer key \
                      of query-frontend for data-access and producer-heartbeat records."
            .into(),
        signer: AUTHORITY_SEED,
        payload: p,
        seals: owned(vec![]),
    })
}

/// A heartbeat with the application's own counters.
pub fn producer_heartbeat() -> Result<Sample, VectorError> {
    let v = "producer-heartbeat";
    let body = ProducerHeartbeat {
        cadence_secs: 300,
        period_start: time(0),
        period_end: time(300),
        counters: vec![
            Counter {
                name: ident(v, "queries-served")?,
                value: 5,
                kind: Kind::DataAccess,
            },
            Counter {
                name: ident(v, "transfers")?,
                value: 1,
                kind: Kind::DataAccess,
            },
        ],
    };
    Ok(Sample {
        name: v,
        description: "A producer heartbeat: a five-minute period with two application \
                      counters; no sealed fields."
            .into(),
        signer: PRODUCER_SEED,
        payload: envelope(v, 9, body.into())?,
        seals: owned(vec![]),
    })
}

/// An identifier of exactly `bytes` UTF-8 bytes (15 ≤ bytes ≤ 982) and at most 256
/// characters: an ASCII label padded with U+1F4DC (4 bytes each) and then ASCII `x`.
fn padded(vector: &str, label: &str, bytes: usize) -> Result<Ident, VectorError> {
    let mut s = format!("{label:-<14}");
    s.truncate(14);
    let k = bytes.saturating_sub(14) / 4;
    let r = bytes.saturating_sub(14) % 4;
    s.extend(std::iter::repeat_n('\u{1F4DC}', k));
    s.extend(std::iter::repeat_n('x', r));
    ident(vector, &s)
}

/// A data-access record whose signed encoding is exactly `len` bytes: its public
/// identifiers (legal basis, purpose, role, organisation, authorisation id, data
/// categories) padded with 4-byte characters (identifiers are limited in characters, not
/// bytes; data categories to 64 entries).
pub fn max_size_sample(name: &'static str, len: usize) -> Result<Sample, VectorError> {
    const FULL: usize = 960;
    let mut s = data_access_minimal()?;
    s.name = name;
    let Body::DataAccess(mut body) = s.payload.body.clone() else {
        unreachable!("data_access_minimal builds a data-access body")
    };
    body.legal_basis = padded(name, "legal-basis", FULL)?;
    body.purpose = padded(name, "purpose", FULL)?;
    body.actor.role = padded(name, "role", FULL)?;
    body.actor.organisation = padded(name, "organisation", FULL)?;
    body.actor.authorisation_id = Some(padded(name, "authorisation", FULL)?);
    body.data_categories.clear();
    let cat = |i: usize, bytes: usize| padded(name, &format!("category-{i:03}"), bytes);
    let with = |body: &DataAccess, extra: &[Ident]| -> Result<usize, VectorError> {
        let mut b = body.clone();
        b.data_categories.extend_from_slice(extra);
        let mut p = s.payload.clone();
        p.body = b.into();
        let mut probe = s.clone_shape(p);
        probe.name = name;
        Ok(record_len(sealed_payload(&probe)?.to_bytes().len()))
    };
    // Fill with whole categories while at least 2000 bytes remain, then close the gap
    // exactly with two more: one of `m` bytes and one sized by arithmetic from a
    // measurement with a 15-byte stand-in (a 16-byte item).
    while len.saturating_sub(with(&body, &[])?) >= 2000 {
        let c = cat(body.data_categories.len(), FULL)?;
        body.data_categories.push(c);
    }
    let n = body.data_categories.len();
    for m in (15..=FULL).rev() {
        let first = cat(n, m)?;
        let measured = with(&body, &[first.clone(), cat(n + 1, 15)?])?;
        let Some(room) = (len + 16).checked_sub(measured) else {
            continue;
        };
        // An identifier of b bytes encodes in b + 1 (b < 24), b + 2 (b < 256) or b + 3
        // bytes.
        let bytes = match room {
            16..=24 => room - 1,
            26..=257 => room - 2,
            259..=985 => room - 3,
            _ => continue,
        };
        let second = cat(n + 1, bytes)?;
        if with(&body, &[first.clone(), second.clone()])? == len {
            body.data_categories.extend([first, second]);
            s.payload.body = body.into();
            return Ok(s);
        }
    }
    Err(VectorError::Build {
        vector: name.into(),
        reason: format!("no padding gives a record of exactly {len} bytes"),
    })
}

impl Sample {
    /// The same sample (name, signer, seals) around another payload.
    fn clone_shape(&self, payload: Payload) -> Sample {
        Sample {
            name: self.name,
            description: self.description.clone(),
            signer: self.signer,
            payload,
            seals: self.seals.clone(),
        }
    }
}

/// Length of a CBOR head for argument `n`.
fn head_len(n: usize) -> usize {
    match n {
        0..=23 => 1,
        24..=0xff => 2,
        0x100..=0xffff => 3,
        _ => 5,
    }
}

/// Offset of the payload's first byte in a record: `d2 84`, the 38-byte protected header in
/// a 2-byte head, the 1-byte empty unprotected map, the payload's byte-string head.
pub fn payload_offset(payload_len: usize) -> usize {
    2 + 2 + 38 + 1 + head_len(payload_len)
}

/// Length of a record with a payload of `payload_len` bytes.
pub fn record_len(payload_len: usize) -> usize {
    payload_offset(payload_len) + payload_len + 2 + 64
}

fn bstr(b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(b.len() + 5);
    minicbor::Encoder::new(&mut out)
        .bytes(b)
        .expect("writing to a Vec is infallible");
    out
}

/// The `Sig_structure` over arbitrary protected-header bytes (RFC 9052 §4.4).
fn sig_structure(protected: &[u8], payload: &[u8], origin: &str) -> Vec<u8> {
    let mut out = Vec::new();
    minicbor::Encoder::new(&mut out)
        .array(4)
        .and_then(|e| e.str("Signature1"))
        .and_then(|e| e.bytes(protected))
        .and_then(|e| e.bytes(origin.as_bytes()))
        .and_then(|e| e.bytes(payload))
        .expect("writing to a Vec is infallible");
    out
}

/// A COSE_Sign1 assembled byte by byte: tag 18, array of 4.
fn assemble(protected: &[u8], unprotected: &[u8], payload: &[u8], signature: &[u8]) -> Vec<u8> {
    let mut out = vec![0xd2, 0x84];
    out.extend(bstr(protected));
    out.extend_from_slice(unprotected);
    out.extend(bstr(payload));
    out.extend(bstr(signature));
    out
}

/// Sign arbitrary payload bytes as a record with the standard headers (no checks at all:
/// this is how the rejection vectors get a valid signature over an invalid payload).
fn resign(seed: &[u8; 32], payload: &[u8], origin: &str) -> Vec<u8> {
    let key = SecretKey::from_seed(seed);
    let protected = crate::record::protected_header_bytes(&key.public_key().key_id());
    let sig = key.sign(&sig_structure(&protected, payload, origin));
    assemble(&protected, &[0xa0], payload, &sig)
}

fn splice(bytes: &[u8], range: Range<usize>, with: &[u8]) -> Vec<u8> {
    let mut out = bytes[..range.start].to_vec();
    out.extend_from_slice(with);
    out.extend_from_slice(&bytes[range.end..]);
    out
}

/// The byte range of the value of top-level key `key` of the payload map.
fn field(vector: &str, payload: &[u8], key: u64) -> Result<Range<usize>, VectorError> {
    let layout = || VectorError::Layout {
        vector: vector.into(),
        what: format!("payload key {key}"),
    };
    let mut d = minicbor::Decoder::new(payload);
    let n = d.map().ok().flatten().ok_or_else(layout)?;
    for _ in 0..n {
        let k = d.u64().map_err(|_| layout())?;
        let start = d.position();
        d.skip().map_err(|_| layout())?;
        if k == key {
            return Ok(start..d.position());
        }
    }
    Err(layout())
}

/// The only occurrence of `needle` in `hay`.
fn find_once(vector: &str, hay: &[u8], needle: &[u8]) -> Result<usize, VectorError> {
    let hits: Vec<usize> = hay
        .windows(needle.len())
        .enumerate()
        .filter(|(_, w)| *w == needle)
        .map(|(i, _)| i)
        .collect();
    match hits.as_slice() {
        [one] => Ok(*one),
        _ => Err(VectorError::Layout {
            vector: vector.into(),
            what: format!("exactly one {}", hex::encode(needle)),
        }),
    }
}

/// The sample's payload with the commitments of its sealed fields (what gets signed).
pub fn sealed_payload(s: &Sample) -> Result<Payload, VectorError> {
    let mut b = RecordBuilder::new(s.payload.clone());
    for (path, value) in &s.seals {
        b.seal(path, value.clone(), salt(s.name, path))
            .map_err(|e| build_err(s.name)(&e))?;
    }
    Ok(b.payload().clone())
}

/// Sign a sample; returns the signed record and its disclosures in sealing order.
pub fn sign_sample(s: &Sample, origin: &str) -> Result<SignedRecord, VectorError> {
    let err = build_err(s.name);
    let mut b = RecordBuilder::new(s.payload.clone());
    for (path, value) in &s.seals {
        b.seal(path, value.clone(), salt(s.name, path))
            .map_err(|e| err(&e))?;
    }
    b.sign(&SecretKey::from_seed(&s.signer), origin)
        .map_err(|e| err(&e))
}

fn disclosures(d: &[Disclosure]) -> Vec<VectorDisclosure> {
    d.iter()
        .map(|d| VectorDisclosure {
            path: d.path.to_string(),
            cbor: d.to_bytes(),
        })
        .collect()
}

fn public_key(seed: &[u8; 32]) -> Vec<u8> {
    SecretKey::from_seed(seed).public_key().as_bytes().to_vec()
}

fn vector(
    name: &str,
    description: &str,
    error: Option<ExpectedError>,
    public_key: Vec<u8>,
    record: Vec<u8>,
    disclosures: Vec<VectorDisclosure>,
) -> Vector {
    Vector {
        name: name.to_string(),
        description: description.to_string(),
        expect: if error.is_some() {
            Expect::Reject
        } else {
            Expect::Accept
        },
        error,
        origin: ORIGIN.to_string(),
        public_key,
        disclosures,
        record_len: record.len(),
        record,
    }
}

fn accept(s: &Sample) -> Result<Vector, VectorError> {
    let r = sign_sample(s, ORIGIN)?;
    Ok(vector(
        &format!("accept-{}", s.name),
        &s.description,
        None,
        public_key(&s.signer),
        r.bytes,
        disclosures(&r.disclosures),
    ))
}

/// Every vector, accepts first, in a fixed order.
pub fn all() -> Result<Vec<Vector>, VectorError> {
    let mut out = Vec::new();
    for make in SAMPLES {
        out.push(accept(&make()?)?);
    }
    for s in kind_samples()? {
        out.push(accept(&s)?);
    }
    let mut max = max_size_sample("data-access-max-size", MAX_RECORD_LEN)?;
    max.description = "A data-access record of exactly 65,535 bytes, the largest accepted \
                       (its public identifiers padded with 4-byte characters)."
        .into();
    out.push(accept(&max)?);
    out.extend(rejections()?);
    Ok(out)
}

/// A rejection built from the consult sample's payload bytes, mutated and re-signed.
fn payload_mutation(
    name: &str,
    description: &str,
    mutate: impl FnOnce(&[u8]) -> Result<(Vec<u8>, usize, &'static str), VectorError>,
) -> Result<Vector, VectorError> {
    let payload = sealed_payload(&data_access_consult()?)?.to_bytes();
    let (mutated, at, code) = mutate(&payload)?;
    let record = resign(&PRODUCER_SEED, &mutated, ORIGIN);
    let offset = payload_offset(mutated.len()) + at;
    Ok(vector(
        name,
        description,
        Some(ExpectedError::new(Stage::Decode, code).at(offset)),
        public_key(&PRODUCER_SEED),
        record,
        vec![],
    ))
}

/// The consult sample with its utc_offset_minutes (payload key 6) replaced by the CBOR
/// integer `with`, re-signed: decodes as CBOR, rejected by the payload rules.
fn utc_offset_vector(name: &str, description: &str, with: &[u8]) -> Result<Vector, VectorError> {
    let payload = sealed_payload(&data_access_consult()?)?.to_bytes();
    let r = field(name, &payload, 6)?;
    let mutated = splice(&payload, r, with);
    Ok(vector(
        name,
        description,
        Some(ExpectedError::new(Stage::Decode, "payload-utc-offset")),
        public_key(&PRODUCER_SEED),
        resign(&PRODUCER_SEED, &mutated, ORIGIN),
        vec![],
    ))
}

fn rejections() -> Result<Vec<Vector>, VectorError> {
    let base_sample = data_access_consult()?;
    let base = sign_sample(&base_sample, ORIGIN)?;
    let pk = public_key(&PRODUCER_SEED);
    let producer = SecretKey::from_seed(&PRODUCER_SEED);
    let kid = producer.public_key().key_id();
    let protected = crate::record::protected_header_bytes(&kid);
    let base_payload = sealed_payload(&base_sample)?.to_bytes();
    let sig_off = base.bytes.len() - 64;
    let mut v = Vec::new();

    // --- Deterministic CBOR inside the payload (re-signed). ---
    v.push(payload_mutation(
        "reject-payload-non-minimal-int",
        "The payload's version (key 0) is written 0x18 0x01 instead of 0x01: an integer \
         not in its shortest form. Re-signed, so only the CBOR rule rejects it.",
        |p| {
            let r = field("non-minimal", p, 0)?;
            Ok((
                splice(p, r.clone(), &[0x18, 0x01]),
                r.start,
                "payload-non-minimal",
            ))
        },
    )?);
    v.push(payload_mutation(
        "reject-payload-unsorted-map",
        "The payload map's first two entries (keys 0 and 1) are swapped: keys must be in \
         bytewise order of their encodings. The offset is that of key 0, now out of place. \
         Re-signed.",
        |p| {
            let r0 = field("unsorted", p, 0)?;
            let r1 = field("unsorted", p, 1)?;
            // Entries: key 0 at 1..r0.end, key 1 at r0.end..r1.end (keys are 1 byte).
            let mut m = p[..1].to_vec();
            m.extend_from_slice(&p[r0.end..r1.end]);
            m.extend_from_slice(&p[1..r0.end]);
            m.extend_from_slice(&p[r1.end..]);
            let at = 1 + (r1.end - r0.end);
            Ok((m, at, "payload-unsorted-keys"))
        },
    )?);
    v.push(payload_mutation(
        "reject-payload-indefinite-length",
        "The payload map is written with an indefinite-length head (0xbf … 0xff) instead \
         of its definite head. Re-signed.",
        |p| {
            let mut m = p.to_vec();
            m[0] = 0xbf;
            m.push(0xff);
            Ok((m, 0, "payload-indefinite-length"))
        },
    )?);
    v.push(payload_mutation(
        "reject-payload-float",
        "The payload's seq (key 3) is the half-precision float 3.0 (0xf9 0x42 0x00) \
         instead of the integer 3: no floats in signed data. Re-signed.",
        |p| {
            let r = field("float", p, 3)?;
            Ok((
                splice(p, r.clone(), &[0xf9, 0x42, 0x00]),
                r.start,
                "payload-float",
            ))
        },
    )?);
    v.push(payload_mutation(
        "reject-payload-trailing-byte",
        "One byte (0x00) follows the payload map inside the payload byte string. Re-signed.",
        |p| {
            let mut m = p.to_vec();
            m.push(0x00);
            Ok((m, p.len(), "payload-trailing-bytes"))
        },
    )?);
    v.push(payload_mutation(
        "reject-payload-truncated",
        "The payload's last byte is cut off, so its last item (the last commitment, a \
         32-byte string) ends early; the offset is that item's head. Re-signed.",
        |p| Ok((p[..p.len() - 1].to_vec(), p.len() - 34, "payload-truncated")),
    )?);
    v.push(payload_mutation(
        "reject-unknown-kind",
        "The payload's kind (key 1) is 1000, which no version of this format defines. \
         Re-signed. The offset is that of the kind value.",
        |p| {
            let r = field("unknown-kind", p, 1)?;
            Ok((
                splice(p, r.clone(), &[0x19, 0x03, 0xe8]),
                r.start,
                "payload-decode",
            ))
        },
    )?);
    v.push(payload_mutation(
        "reject-non-nfc-identifier",
        "body.actor.organisation is \"politie-eenheid-noord-fryslân\" with the â decomposed \
         (a + U+0302, NFD): identifiers must already be NFC and are never normalised. \
         Re-signed. The offset is that of the text string's head.",
        |p| {
            let nfc = "politie-eenheid-noord-fryslân";
            let nfd = "politie-eenheid-noord-frysla\u{0302}n";
            let mut needle = Vec::new();
            minicbor::Encoder::new(&mut needle)
                .str(nfc)
                .expect("writing to a Vec is infallible");
            let at = find_once("non-nfc", p, &needle)?;
            let mut with = Vec::new();
            minicbor::Encoder::new(&mut with)
                .str(nfd)
                .expect("writing to a Vec is infallible");
            Ok((
                splice(p, at..at + needle.len(), &with),
                at,
                "payload-decode",
            ))
        },
    )?);

    // --- Payload rules beyond CBOR (re-signed). ---
    v.push(utc_offset_vector(
        "reject-utc-offset-min",
        "The payload's utc_offset_minutes (key 6) is -32768 (0x39 0x7f 0xff), the smallest \
         16-bit integer, whose absolute value does not fit in 16 bits: a decoder that takes \
         abs() of a 16-bit integer wraps (or traps) and must still reject it as outside \
         ±1080. Re-signed.",
        &[0x39, 0x7f, 0xff],
    )?);
    v.push(utc_offset_vector(
        "reject-utc-offset-1081",
        "The payload's utc_offset_minutes (key 6) is 1081 (0x19 0x04 0x39), one minute \
         beyond +18:00. Re-signed.",
        &[0x19, 0x04, 0x39],
    )?);

    // --- The record's own structure. ---
    let mut trailing = base.bytes.clone();
    trailing.push(0x00);
    v.push(vector(
        "reject-record-trailing-byte",
        "One byte (0x00) follows the COSE_Sign1 item.",
        Some(ExpectedError::new(Stage::Decode, "cbor-trailing-bytes").at(base.bytes.len())),
        pk.clone(),
        trailing,
        vec![],
    ));
    v.push(vector(
        "reject-record-truncated",
        "The record's last byte is cut off: the signature byte string (head 0x58 0x40) is \
         one byte short; the offset is its head.",
        Some(ExpectedError::new(Stage::Decode, "cbor-truncated").at(base.bytes.len() - 66)),
        pk.clone(),
        base.bytes[..base.bytes.len() - 1].to_vec(),
        vec![],
    ));
    let over = max_size_sample("record-oversize", MAX_RECORD_LEN + 1)?;
    let over_payload = sealed_payload(&over)?.to_bytes();
    v.push(vector(
        "reject-record-oversize",
        "A correctly signed, otherwise valid data-access record of 65,536 bytes: one more \
         than the tile format's entry limit. Rejected before parsing.",
        Some(ExpectedError::new(Stage::Decode, "record-too-large")),
        pk.clone(),
        resign(&PRODUCER_SEED, &over_payload, ORIGIN),
        vec![],
    ));
    let mut unprot = vec![0xa1, 0x04];
    unprot.extend(bstr(&kid));
    v.push(vector(
        "reject-unprotected-header-not-empty",
        "The unprotected header is {4: kid} instead of {}. The signature does not cover \
         it (it still verifies), which is exactly why it must be empty: otherwise the \
         record's bytes could be changed without the producer's key.",
        Some(ExpectedError::new(Stage::Decode, "record-unprotected-header").at(4 + 38)),
        pk.clone(),
        assemble(&protected, &unprot, &base_payload, &base.bytes[sig_off..]),
        vec![],
    ));
    let mut eddsa = protected.clone();
    eddsa[2] = 0x27; // alg -8 (EdDSA, deprecated) instead of -19 (Ed25519)
    let eddsa_sig = producer.sign(&sig_structure(&eddsa, &base_payload, ORIGIN));
    v.push(vector(
        "reject-protected-header-alg",
        "The protected header says alg -8 (the deprecated EdDSA id, 0x27) instead of -19 \
         (Ed25519, 0x32). Re-signed over the changed header. The offset is that of the \
         protected header's content.",
        Some(ExpectedError::new(Stage::Decode, "record-protected-header").at(4)),
        pk.clone(),
        assemble(&eddsa, &[0xa0], &base_payload, &eddsa_sig),
        vec![],
    ));

    // --- Signature and origin. ---
    let other_log = sign_sample(&base_sample, OTHER_ORIGIN)?;
    v.push(vector(
        "reject-wrong-origin",
        "A valid record signed for the log other.logseal.example/log (its external AAD), \
         presented to vectors.logseal.example/log: a record cannot be replayed into \
         another log.",
        Some(ExpectedError::new(Stage::Verify, "signature-invalid")),
        pk.clone(),
        other_log.bytes,
        vec![],
    ));
    let mut bad = base.bytes.clone();
    bad[sig_off + 32] ^= 0x01;
    v.push(vector(
        "reject-bad-signature",
        "The lowest bit of S (signature byte 32) is flipped: S stays canonical but the \
         equation fails.",
        Some(ExpectedError::new(Stage::Verify, "signature-invalid")),
        pk.clone(),
        bad,
        vec![],
    ));
    v.push(vector(
        "reject-wrong-key",
        "A valid record by the producer key, checked against another key (seed 0x33…): \
         the kid in the protected header is not SHA-256 of that key.",
        Some(ExpectedError::new(Stage::Verify, "record-kid-mismatch")),
        public_key(&OTHER_SEED),
        base.bytes.clone(),
        vec![],
    ));
    let forged = {
        let protected = crate::record::protected_header_bytes(&key_id(&IDENTITY_POINT));
        let mut sig = IDENTITY_POINT.to_vec();
        sig.extend_from_slice(&[0; 32]);
        assemble(&protected, &[0xa0], &base_payload, &sig)
    };
    v.push(vector(
        "reject-small-order-key",
        "The public key is the identity point (01 00…00, order 1) and the record's kid is \
         its SHA-256; the signature is R = identity, S = 0, which satisfies the \
         cofactorless equation for every message. The key itself must be refused.",
        Some(ExpectedError::new(Stage::Key, "key-small-order")),
        IDENTITY_POINT.to_vec(),
        forged,
        vec![],
    ));
    v.push(vector(
        "reject-small-order-r",
        "R is the identity point (order 1) and S = k·a mod L, so [S]B = R + [k]A holds \
         exactly; a lax verifier accepts, verify_strict rejects a small-order R.",
        Some(ExpectedError::new(Stage::Verify, "signature-invalid")),
        pk.clone(),
        small_order_r(&PRODUCER_SEED, &base.bytes, &base_payload),
        vec![],
    ));
    let mut non_canonical = base.bytes.clone();
    add_group_order(&mut non_canonical[sig_off + 32..]);
    v.push(vector(
        "reject-non-canonical-s",
        "S is replaced by S + L: the same value modulo L, so the equation would hold, but \
         S must be below L (RFC 8032 §5.1.7).",
        Some(ExpectedError::new(Stage::Verify, "signature-invalid")),
        pk.clone(),
        non_canonical,
        vec![],
    ));

    // --- Disclosures. ---
    let subject = base
        .disclosures
        .iter()
        .find(|d| d.path.to_string() == "subject")
        .cloned()
        .ok_or_else(|| VectorError::Layout {
            vector: base_sample.name.into(),
            what: "the subject disclosure".into(),
        })?;
    let mut wrong_value = subject.clone();
    wrong_value.value = text("Jan de Vriez");
    v.push(vector(
        "reject-disclosure-mismatch",
        "The disclosure of subject carries \"Jan de Vriez\", not the committed \
         \"Jan de Vries\" (same salt and path): it does not open the commitment.",
        Some(
            ExpectedError::new(Stage::Disclosure, "sealed-mismatch")
                .path("subject")
                .disclosure(0),
        ),
        pk.clone(),
        base.bytes.clone(),
        disclosures(&[wrong_value]),
    ));
    let mut moved = subject.clone();
    moved.path = FieldPath::parse("case_ref").map_err(|e| build_err("moved")(&e))?;
    v.push(vector(
        "reject-disclosure-other-field",
        "The subject disclosure presented as case_ref (same salt and value): the path is \
         committed, so a disclosure opens only its own field.",
        Some(
            ExpectedError::new(Stage::Disclosure, "sealed-mismatch")
                .path("case_ref")
                .disclosure(0),
        ),
        pk.clone(),
        base.bytes.clone(),
        disclosures(&[moved]),
    ));
    let mut encoded = subject.to_bytes();
    // [salt, …]: 0x83, then the salt's head 0x50; write it as 0x58 0x10.
    encoded.splice(1..2, [0x58, 0x10]);
    v.push(vector(
        "reject-disclosure-non-minimal",
        "The subject disclosure with its salt's length written 0x58 0x10 instead of 0x50: \
         disclosures are deterministic CBOR too.",
        Some(
            ExpectedError::new(Stage::Disclosure, "cbor-non-minimal")
                .at(1)
                .disclosure(0),
        ),
        pk.clone(),
        base.bytes.clone(),
        vec![VectorDisclosure {
            path: "subject".into(),
            cbor: encoded,
        }],
    ));
    v.push(non_nfc_disclosure()?);
    Ok(v)
}

/// A record whose commitment opens to a non-NFC subject: the commitment matches, the
/// value's class check must still refuse it.
fn non_nfc_disclosure() -> Result<Vector, VectorError> {
    let name = "reject-disclosure-non-nfc";
    let mut payload = sealed_payload(&data_access_minimal()?)?;
    let d = Disclosure::new(
        salt(name, "subject"),
        FieldPath::parse("subject").map_err(|e| build_err(name)(&e))?,
        text("Zoe\u{0308} Mu\u{0308}ller"),
    );
    // Payload::add_sealed would refuse the value; a careless producer would not.
    payload.sealed.push((d.path.clone(), d.commitment()));
    payload.sealed.sort_by_key(|(p, _)| p.to_cbor());
    let record = crate::record::sign(&payload, &SecretKey::from_seed(&PRODUCER_SEED), ORIGIN)
        .map_err(|e| build_err(name)(&e))?;
    Ok(vector(
        name,
        "The subject disclosure opens its commitment, but its value \"Zoë Müller\" is in \
         NFD (e + U+0308): a sealed identifier must be NFC, so the disclosure is refused \
         even though the commitment matches.",
        Some(
            ExpectedError::new(Stage::Disclosure, "sealed-bad-value")
                .path("subject")
                .disclosure(0),
        ),
        public_key(&PRODUCER_SEED),
        record,
        disclosures(&[d]),
    ))
}

/// Replace the signature of `record` (over `payload`) by R = identity, S = k·a mod L.
fn small_order_r(seed: &[u8; 32], record: &[u8], payload: &[u8]) -> Vec<u8> {
    use curve25519_dalek::scalar::Scalar;
    let key = SecretKey::from_seed(seed);
    // The secret scalar a: SHA-512 of the seed, first half, clamped (RFC 8032 §5.1.5).
    let h = Sha512::digest(seed);
    let mut a = [0u8; 32];
    a.copy_from_slice(&h[..32]);
    a[0] &= 248;
    a[31] &= 127;
    a[31] |= 64;
    let a = Scalar::from_bytes_mod_order(a);
    let m = crate::record::sig_structure(&key.public_key().key_id(), payload, ORIGIN);
    let mut hk = Sha512::new();
    hk.update(IDENTITY_POINT);
    hk.update(key.public_key().as_bytes());
    hk.update(&m);
    let k = Scalar::from_bytes_mod_order_wide(&hk.finalize().into());
    let s = k * a;
    let sig_off = record.len() - 64;
    let mut out = record.to_vec();
    out[sig_off..sig_off + 32].copy_from_slice(&IDENTITY_POINT);
    out[sig_off + 32..].copy_from_slice(&s.to_bytes());
    out
}

/// `s += L` on a 32-byte little-endian integer.
fn add_group_order(s: &mut [u8]) {
    let mut carry = 0u16;
    for (b, l) in s.iter_mut().zip(GROUP_ORDER) {
        let v = u16::from(*b) + u16::from(l) + carry;
        *b = v as u8;
        carry = v >> 8;
    }
}

/// The README of `testvectors/`: the format, the verification procedure, and an index.
pub fn readme(vectors: &[Vector]) -> String {
    let mut s = String::from(README_HEAD);
    s.push_str("\n## Index\n\n| vector | expect | stage | code | where |\n|---|---|---|---|---|\n");
    for v in vectors {
        let (stage, code, at) = match &v.error {
            None => (String::new(), String::new(), String::new()),
            Some(e) => {
                let stage = serde_json::to_value(e.stage)
                    .ok()
                    .and_then(|s| s.as_str().map(str::to_string))
                    .unwrap_or_default();
                let mut at = Vec::new();
                if let Some(o) = e.offset {
                    at.push(format!("byte {o}"));
                }
                if let Some(p) = &e.path {
                    at.push(format!("path {p}"));
                }
                if let Some(d) = e.disclosure {
                    at.push(format!("disclosure {d}"));
                }
                (stage, format!("`{}`", e.code), at.join(", "))
            }
        };
        let expect = match v.expect {
            Expect::Accept => "accept",
            Expect::Reject => "reject",
        };
        s.push_str(&format!(
            "| [`{}`]({}) | {expect} | {stage} | {code} | {at} |\n",
            v.name,
            v.file_name()
        ));
    }
    s
}

const README_HEAD: &str = r#"# logseal record test vectors

Generated by `cargo run --bin xtask -- vectors` from `src/vectors.rs`; do not edit by hand.
`tests/vectors.rs` fails when these files differ from what the generator produces, and runs
every vector through the reference implementation. The record format is specified in
[`docs/FORMAT.md`](../docs/FORMAT.md).

All keys, salts and times are fixed: the producer key is the Ed25519 key of seed
`11` × 32, the registration authority's `22` × 32, the unrelated key's `33` × 32. Never use
them for real records.

## Files

One JSON object per file, `<name>.json`:

| member | meaning |
|---|---|
| `name` | the file's name; `accept-…` or `reject-…` |
| `description` | what the vector contains and why it must be accepted or rejected |
| `expect` | `accept` or `reject` |
| `error` | for `reject` only: `stage`, `code`, and where applicable `offset`, `path`, `disclosure` |
| `origin` | the log origin to verify against (the COSE external AAD) |
| `public_key` | hex, the 32-byte Ed25519 public key the record is checked with |
| `disclosures` | list of `{path, cbor}`: a disclosure's field path, and its CBOR bytes in hex |
| `record_len` | the record's length in bytes |
| `record` | hex, the record: a tagged COSE_Sign1 |

## How to run a vector

A verifier runs these stages in order and stops at the first failure:

1. `key` — parse `public_key`: a canonical encoding of a point that is not of small order.
2. `decode` — strictly decode `record` (size limit, deterministic CBOR, COSE_Sign1 layout,
   exact protected header, empty unprotected header, payload rules).
3. `verify` — check that the protected header's kid is SHA-256 of `public_key`, and the
   signature over the `Sig_structure` with `origin` as external AAD, with the strict rule
   (canonical S, R and A not of small order, cofactorless equation).
4. `disclosure` — for each disclosure in order: strictly decode its CBOR, then check that it
   opens the record's commitment at its path and that its value is of the field's class.

An `accept` vector passes all four stages. A `reject` vector must fail at exactly `stage`.
`code` is the stable rejection code of docs/FORMAT.md §Rejection codes; another
implementation need not use the same codes but must reject at the same stage. `offset` is the
byte offset the reference decoder reports: into `record` at stage `decode`, into the
disclosure's CBOR for a CBOR error at stage `disclosure`. `path` is the sealed field the
failing disclosure is for; `disclosure` is its index in `disclosures`. Verify-stage errors
carry no location: the signature covers the whole payload.
"#;

/// Every file under [`DIR`] as (path relative to the repository root, bytes).
pub fn render_all() -> Result<Vec<(PathBuf, Vec<u8>)>, VectorError> {
    let vectors = all()?;
    let mut files: Vec<(PathBuf, Vec<u8>)> = vectors
        .iter()
        .map(|v| (PathBuf::from(DIR).join(v.file_name()), v.to_json()))
        .collect();
    files.push((
        PathBuf::from(DIR).join("README.md"),
        readme(&vectors).into_bytes(),
    ));
    files.extend(crate::bundle::vectors::render()?);
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::{Signature, Verifier, VerifyingKey};

    #[test]
    fn resign_matches_the_library_signer() {
        let s = data_access_consult().unwrap();
        let signed = sign_sample(&s, ORIGIN).unwrap();
        let r = crate::record::Record::decode(&signed.bytes).unwrap();
        assert_eq!(
            resign(&PRODUCER_SEED, r.payload_bytes(), ORIGIN),
            signed.bytes
        );
        assert_eq!(
            payload_offset(r.payload_bytes().len()),
            signed.bytes.len() - 66 - r.payload_bytes().len()
        );
    }

    #[test]
    fn max_size_is_exact() {
        let s = max_size_sample("m", MAX_RECORD_LEN).unwrap();
        assert_eq!(sign_sample(&s, ORIGIN).unwrap().bytes.len(), MAX_RECORD_LEN);
    }

    /// The signature vectors are interesting only if a lax verifier would accept them.
    #[test]
    fn small_order_vectors_fool_a_lax_verifier() {
        let all = all().unwrap();
        for name in ["reject-small-order-key", "reject-small-order-r"] {
            let v = all.iter().find(|v| v.name == name).unwrap();
            let r = crate::record::Record::decode(&v.record).unwrap();
            let key = VerifyingKey::from_bytes(&v.public_key.clone().try_into().unwrap()).unwrap();
            let m = crate::record::sig_structure(r.kid(), r.payload_bytes(), ORIGIN);
            let sig = Signature::from_bytes(r.signature());
            assert!(key.verify(&m, &sig).is_ok(), "{name}: lax verify");
            assert!(
                key.verify_strict(&m, &sig).is_err(),
                "{name}: strict verify"
            );
        }
    }

    #[test]
    fn every_kind_has_an_accept_vector_with_its_sealed_fields_disclosed() {
        let all = all().unwrap();
        for kind in Kind::ALL {
            let v = all
                .iter()
                .filter(|v| v.expect == Expect::Accept)
                .find(|v| {
                    crate::record::Record::decode(&v.record)
                        .is_ok_and(|r| r.payload().kind() == *kind)
                })
                .unwrap_or_else(|| panic!("no accept vector of kind {kind}"));
            let r = crate::record::Record::decode(&v.record).unwrap();
            assert_eq!(v.disclosures.len(), r.payload().sealed.len(), "{}", v.name);
        }
        let s = kind_samples().unwrap();
        assert_eq!(
            s.len(),
            Kind::ALL.len() - 3,
            "all but the hand-written kinds"
        );
        assert!(
            s.iter()
                .any(|s| s.name == "account-sanction" && s.seals.len() == 8)
        );
    }

    #[test]
    fn names_are_unique() {
        let all = all().unwrap();
        let mut names: Vec<_> = all.iter().map(|v| v.name.as_str()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), all.len());
    }
}

//! The signed payload: the envelope every record shares, its kind's public body, and the
//! commitments of its sealed fields. Schema: `schemas/envelope.cddl`.
//!
//! CBOR map keys (docs/FORMAT.md §Payload):
//! `0` version, `1` kind, `2` producer, `3` seq, `4` prev, `5` occurred_at,
//! `6` utc_offset_minutes?, `7` processing_activity?, `8` trace_id?, `9` operation_id?,
//! `10` parent_operation_id?, `11` status, `12` retention_rule?, `13` body, `14` sealed.

use minicbor::{Decode, Decoder, Encode, Encoder};
use serde::{Deserialize, Serialize};

use super::kinds::{Body, Kind, is_rule_ref};
use super::rules::Violation;
use super::sealed::{Commitment, Disclosure, FieldPath, SealError};
use super::text::{Ident, ProducerId};
use super::types::{Hash32, Id16, Timestamp};
use crate::closed_enum;

/// The payload format version this code writes and reads.
pub const VERSION: u64 = 1;
/// Largest accepted UTC offset, in minutes (±18 hours, as RFC 3339 / ISO 8601 allow).
pub const MAX_UTC_OFFSET_MINUTES: i16 = 18 * 60;

closed_enum!(
    /// Outcome of the recorded operation (ATNA EventOutcomeIndicator, simplified).
    Status {
        Ok = 0, "ok";
        Error = 1, "error";
        Denied = 2, "denied";
    }
);

/// The decoded payload of a record.
#[derive(Debug, Clone, PartialEq)]
pub struct Payload {
    pub producer: ProducerId,
    /// 0, 1, 2, … per producer; gap-free.
    pub seq: u64,
    /// Leaf hash of the producer's previous record; all zeros at the start of a chain.
    pub prev: Hash32,
    pub occurred_at: Timestamp,
    /// The offset the producer's clock showed, kept for people; the instant is UTC.
    pub utc_offset_minutes: Option<i16>,
    /// URI into the register of processing activities (GDPR Art 30).
    pub processing_activity: Option<Ident>,
    pub trace_id: Option<Id16>,
    pub operation_id: Option<Id16>,
    pub parent_operation_id: Option<Id16>,
    pub status: Status,
    /// `id@version` of the retention rule the producer applies.
    pub retention_rule: Option<Ident>,
    pub body: Body,
    /// Commitments of the sealed fields, sorted by the CBOR encoding of their paths.
    pub sealed: Vec<(FieldPath, Commitment)>,
}

/// Envelope fields in their JSON form (producer input and `record show --json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvelopeJson {
    pub producer: ProducerId,
    pub seq: u64,
    pub prev: Hash32,
    pub occurred_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processing_activity: Option<Ident>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace_id: Option<Id16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation_id: Option<Id16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_operation_id: Option<Id16>,
    pub status: Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_rule: Option<Ident>,
}

/// Why a payload is not acceptable beyond its CBOR form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PayloadError {
    #[error(
        "prev: seq 0 starts a chain and must have an all-zero prev, found {found} (rule envelope.chain-start-prev)"
    )]
    PrevAtChainStart { found: Hash32 },
    #[error(
        "prev: seq {seq} continues a chain and cannot have an all-zero prev (rule envelope.zero-prev-only-at-start)"
    )]
    ZeroPrev { seq: u64 },
    #[error(
        "utc_offset_minutes: {found} is outside ±{MAX_UTC_OFFSET_MINUTES} (rule envelope.utc-offset-range)"
    )]
    UtcOffset { found: i16 },
    #[error(
        "retention_rule: {found:?} is not of the form id@version (rule envelope.retention-rule-ref)"
    )]
    RetentionRule { found: String },
    #[error(
        "sealed.{path}: not a sealed field of a {kind} record (rule envelope.sealed-path-allowed)"
    )]
    UnknownSealedField { kind: Kind, path: FieldPath },
    #[error(
        "sealed.{pattern}: required for a {kind} record, but missing (rule envelope.sealed-path-required)"
    )]
    MissingSealedField { kind: Kind, pattern: String },
    #[error("body.{0}")]
    Body(Violation),
}

impl PayloadError {
    /// A stable kebab-case code for the variant, named by test vectors and reports
    /// (docs/FORMAT.md §Rejection codes). Never changes once published.
    pub fn code(&self) -> &'static str {
        match self {
            PayloadError::PrevAtChainStart { .. } => "payload-prev-at-chain-start",
            PayloadError::ZeroPrev { .. } => "payload-zero-prev",
            PayloadError::UtcOffset { .. } => "payload-utc-offset",
            PayloadError::RetentionRule { .. } => "payload-retention-rule",
            PayloadError::UnknownSealedField { .. } => "payload-unknown-sealed-field",
            PayloadError::MissingSealedField { .. } => "payload-missing-sealed-field",
            PayloadError::Body(_) => "payload-body",
        }
    }

    /// The id of the rule of [`super::rules::RULES`] the payload breaks.
    pub fn rule(&self) -> &'static str {
        match self {
            PayloadError::PrevAtChainStart { .. } => "envelope.chain-start-prev",
            PayloadError::ZeroPrev { .. } => "envelope.zero-prev-only-at-start",
            PayloadError::UtcOffset { .. } => "envelope.utc-offset-range",
            PayloadError::RetentionRule { .. } => "envelope.retention-rule-ref",
            PayloadError::UnknownSealedField { .. } => "envelope.sealed-path-allowed",
            PayloadError::MissingSealedField { .. } => "envelope.sealed-path-required",
            PayloadError::Body(v) => v.rule,
        }
    }
}

impl Payload {
    pub fn kind(&self) -> Kind {
        self.body.kind()
    }

    /// Encode as deterministic CBOR.
    pub fn to_bytes(&self) -> Vec<u8> {
        crate::cbor::to_vec(self)
    }

    /// Rules the CBOR types cannot express: chain start, offsets, rule ids, sealed-field
    /// paths allowed and required for the kind, and the kind's own cross-field rules.
    pub fn validate(&self) -> Result<(), PayloadError> {
        let zero = self.prev.0 == [0; 32];
        if self.seq == 0 && !zero {
            return Err(PayloadError::PrevAtChainStart { found: self.prev });
        }
        if self.seq > 0 && zero {
            return Err(PayloadError::ZeroPrev { seq: self.seq });
        }
        if let Some(o) = self.utc_offset_minutes
            && o.unsigned_abs() > MAX_UTC_OFFSET_MINUTES.unsigned_abs()
        {
            return Err(PayloadError::UtcOffset { found: o });
        }
        if let Some(r) = &self.retention_rule
            && !is_rule_ref(r.as_str())
        {
            return Err(PayloadError::RetentionRule {
                found: r.as_str().into(),
            });
        }
        let kind = self.kind();
        let specs = kind.sealed_specs();
        for (path, _) in &self.sealed {
            if !specs.iter().any(|s| s.matches(path)) {
                return Err(PayloadError::UnknownSealedField {
                    kind,
                    path: path.clone(),
                });
            }
        }
        for spec in specs.iter().filter(|s| s.required) {
            if !self.sealed.iter().any(|(p, _)| spec.matches(p)) {
                return Err(PayloadError::MissingSealedField {
                    kind,
                    pattern: spec.pattern(),
                });
            }
        }
        self.body.validate().map_err(PayloadError::Body)
    }

    /// The commitment stored for `path`, if the record seals that field.
    pub fn commitment(&self, path: &FieldPath) -> Option<&Commitment> {
        self.sealed.iter().find(|(p, _)| p == path).map(|(_, c)| c)
    }

    /// Check that `disclosure` opens the commitment at its path and that its value is of the
    /// field's class.
    pub fn check_disclosure(&self, disclosure: &Disclosure) -> Result<(), SealError> {
        let expected = self
            .commitment(&disclosure.path)
            .ok_or_else(|| SealError::NoSuchField {
                path: disclosure.path.clone(),
            })?;
        let computed = disclosure.commitment();
        if &computed != expected {
            return Err(SealError::Mismatch {
                path: disclosure.path.clone(),
                expected: hex::encode(expected),
                computed: hex::encode(computed),
            });
        }
        // The value must also obey its field's class (NFC, no controls/bidi, bounds): a
        // producer that bypassed the sealing checks must not get a value accepted.
        let spec = self
            .kind()
            .sealed_specs()
            .iter()
            .find(|s| s.matches(&disclosure.path))
            .ok_or_else(|| SealError::NoSuchField {
                path: disclosure.path.clone(),
            })?;
        disclosure.value.check(spec.class)
    }

    /// Add the commitment of `disclosure`, keeping the map sorted. Fails if the kind does
    /// not allow that path, the value is not of the field's class, or the path is taken.
    pub fn add_sealed(&mut self, disclosure: &Disclosure) -> Result<(), SealError> {
        let kind = self.kind();
        let spec = kind
            .sealed_specs()
            .iter()
            .find(|s| s.matches(&disclosure.path))
            .ok_or_else(|| SealError::NoSuchField {
                path: disclosure.path.clone(),
            })?;
        disclosure.value.check(spec.class)?;
        if self.commitment(&disclosure.path).is_some() {
            return Err(SealError::BadPath {
                path: format!("{} (sealed twice)", disclosure.path),
            });
        }
        self.sealed
            .push((disclosure.path.clone(), disclosure.commitment()));
        self.sealed.sort_by_key(|(p, _)| p.to_cbor());
        Ok(())
    }

    /// The envelope in JSON form.
    pub fn envelope_json(&self) -> EnvelopeJson {
        EnvelopeJson {
            producer: self.producer.clone(),
            seq: self.seq,
            prev: self.prev,
            occurred_at: self.occurred_at.to_rfc3339(),
            processing_activity: self.processing_activity.clone(),
            trace_id: self.trace_id,
            operation_id: self.operation_id,
            parent_operation_id: self.parent_operation_id,
            status: self.status,
            retention_rule: self.retention_rule.clone(),
        }
    }
}

impl<C> Encode<C> for Payload {
    fn encode<W: minicbor::encode::Write>(
        &self,
        e: &mut Encoder<W>,
        _: &mut C,
    ) -> Result<(), minicbor::encode::Error<W::Error>> {
        let optional = [
            self.utc_offset_minutes.is_some(),
            self.processing_activity.is_some(),
            self.trace_id.is_some(),
            self.operation_id.is_some(),
            self.parent_operation_id.is_some(),
            self.retention_rule.is_some(),
        ];
        let n = 9 + optional.iter().filter(|b| **b).count() as u64;
        e.map(n)?;
        e.u8(0)?.u64(VERSION)?;
        e.u8(1)?.encode(self.kind())?;
        e.u8(2)?.encode(&self.producer)?;
        e.u8(3)?.u64(self.seq)?;
        e.u8(4)?.encode(self.prev)?;
        e.u8(5)?.encode(self.occurred_at)?;
        if let Some(o) = self.utc_offset_minutes {
            e.u8(6)?.i16(o)?;
        }
        if let Some(p) = &self.processing_activity {
            e.u8(7)?.encode(p)?;
        }
        if let Some(t) = &self.trace_id {
            e.u8(8)?.encode(t)?;
        }
        if let Some(t) = &self.operation_id {
            e.u8(9)?.encode(t)?;
        }
        if let Some(t) = &self.parent_operation_id {
            e.u8(10)?.encode(t)?;
        }
        e.u8(11)?.encode(self.status)?;
        if let Some(r) = &self.retention_rule {
            e.u8(12)?.encode(r)?;
        }
        e.u8(13)?;
        self.body.encode_into(e)?;
        e.u8(14)?.map(self.sealed.len() as u64)?;
        for (path, c) in &self.sealed {
            e.encode(path)?.bytes(c)?;
        }
        Ok(())
    }
}

const FIELD_NAMES: [&str; 15] = [
    "version",
    "kind",
    "producer",
    "seq",
    "prev",
    "occurred_at",
    "utc_offset_minutes",
    "processing_activity",
    "trace_id",
    "operation_id",
    "parent_operation_id",
    "status",
    "retention_rule",
    "body",
    "sealed",
];
const REQUIRED: [u64; 9] = [0, 1, 2, 3, 4, 5, 11, 13, 14];

impl<'b, C> Decode<'b, C> for Payload {
    fn decode(d: &mut Decoder<'b>, _: &mut C) -> Result<Self, minicbor::decode::Error> {
        use minicbor::decode::Error;
        let start = d.position();
        let n = d
            .map()?
            .ok_or_else(|| Error::message("payload: indefinite-length map").at(start))?;
        let mut seen = [false; 15];
        let mut kind = None;
        let mut producer = None;
        let mut seq = None;
        let mut prev = None;
        let mut occurred_at = None;
        let mut utc_offset_minutes = None;
        let mut processing_activity = None;
        let mut trace_id = None;
        let mut operation_id = None;
        let mut parent_operation_id = None;
        let mut status = None;
        let mut retention_rule = None;
        let mut body = None;
        let mut sealed = None;
        let mut last: Option<u64> = None;
        for _ in 0..n {
            let at = d.position();
            let key = d.u64()?;
            if key as usize >= FIELD_NAMES.len() {
                return Err(Error::message(format!(
                    "payload: unknown field key {key} (rule envelope.known-keys)"
                ))
                .at(at));
            }
            if last.is_some_and(|l| l >= key) {
                return Err(Error::message(format!(
                    "payload: field {} (key {key}) out of order or repeated",
                    FIELD_NAMES[key as usize]
                ))
                .at(at));
            }
            last = Some(key);
            seen[key as usize] = true;
            let ctx = |e: Error| {
                let name = FIELD_NAMES[key as usize];
                let pos = e.position();
                let e = e.with_message(format!("payload field {name}"));
                match pos {
                    Some(p) => e.at(p),
                    None => e,
                }
            };
            match key {
                0 => {
                    let v = d.u64().map_err(ctx)?;
                    if v != VERSION {
                        return Err(Error::message(format!(
                            "payload: unsupported version {v} (this is version {VERSION}) (rule envelope.version)"
                        ))
                        .at(at));
                    }
                }
                1 => kind = Some(d.decode::<Kind>()?),
                2 => producer = Some(d.decode::<ProducerId>()?),
                3 => seq = Some(d.u64().map_err(ctx)?),
                4 => prev = Some(d.decode::<Hash32>().map_err(ctx)?),
                5 => occurred_at = Some(d.decode::<Timestamp>().map_err(ctx)?),
                6 => utc_offset_minutes = Some(d.i16().map_err(ctx)?),
                7 => processing_activity = Some(d.decode::<Ident>()?),
                8 => trace_id = Some(d.decode::<Id16>().map_err(ctx)?),
                9 => operation_id = Some(d.decode::<Id16>().map_err(ctx)?),
                10 => parent_operation_id = Some(d.decode::<Id16>().map_err(ctx)?),
                11 => status = Some(d.decode::<Status>()?),
                12 => retention_rule = Some(d.decode::<Ident>()?),
                13 => {
                    let k =
                        kind.ok_or_else(|| Error::message("payload: body before kind").at(at))?;
                    body = Some(Body::decode_as(k, d)?);
                }
                _ => {
                    let mat = d.position();
                    let m = d
                        .map()?
                        .ok_or_else(|| Error::message("sealed: indefinite-length map").at(mat))?;
                    let mut v = Vec::with_capacity(m.min(64) as usize);
                    for _ in 0..m {
                        let path = d.decode::<FieldPath>()?;
                        let cat = d.position();
                        let c: Commitment = d.bytes()?.try_into().map_err(|_| {
                            Error::message(format!(
                                "sealed.{path}: a commitment is 32 bytes (rule envelope.commitment-size)"
                            ))
                                .at(cat)
                        })?;
                        v.push((path, c));
                    }
                    sealed = Some(v);
                }
            }
        }
        for k in REQUIRED {
            if !seen[k as usize] {
                return Err(Error::message(format!(
                    "payload: missing required field {} (key {k}) (rule envelope.required-keys)",
                    FIELD_NAMES[k as usize]
                ))
                .at(start));
            }
        }
        let (Some(producer), Some(seq), Some(prev), Some(occurred_at)) =
            (producer, seq, prev, occurred_at)
        else {
            unreachable!("required fields checked above")
        };
        let (Some(status), Some(body), Some(sealed)) = (status, body, sealed) else {
            unreachable!("required fields checked above")
        };
        Ok(Payload {
            producer,
            seq,
            prev,
            occurred_at,
            utc_offset_minutes,
            processing_activity,
            trace_id,
            operation_id,
            parent_operation_id,
            status,
            retention_rule,
            body,
            sealed,
        })
    }
}

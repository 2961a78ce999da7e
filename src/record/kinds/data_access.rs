//! `data-access`: one access to personal data (LED Art 25, NEN 7513, FHIR AuditEvent, LDV).
//! Schema: `schemas/data-access.cddl`.
//!
//! Legal source (shared/record-fields.md, "data-access"): LED Art 25 logs collection,
//! alteration, consultation, disclosure including transfer, combination and erasure, with
//! the justification (`legal_basis`, sealed `case_ref` and `order_ref`), date and time, who
//! consulted (sealed `actor.user`) and the recipients (sealed `recipients`, with the
//! destination country of a transfer); NEN 7513 adds the role, organisation and the user on
//! whose behalf (sealed); FHIR AuditEvent and ATNA give the action codes and PurposeOfUse;
//! LDV the data categories. An evidence export is a `disclose` to a court. The
//! authorisation id is a public pseudonym so that the authorisation check runs without
//! disclosures. Sealed: user ids, case and order references, subjects, query, recipients.

use minicbor::{Decode, Encode};
use serde::{Deserialize, Serialize};

use super::{Kind, KindBody, SealedSpec, Seg, is_alpha2, non_empty, unique};
use crate::closed_enum;
use crate::record::rules::Violation;
use crate::record::sealed::ValueClass;
use crate::record::text::Ident;
use crate::record::types::Hash32;

closed_enum!(
    /// What was done with the data (LED25 collection … erasure; NEN; FHIR action).
    Action {
        Collect = 0, "collect";
        Alter = 1, "alter";
        Consult = 2, "consult";
        Search = 3, "search";
        Disclose = 4, "disclose";
        Transfer = 5, "transfer";
        Combine = 6, "combine";
        Erase = 7, "erase";
        Copy = 8, "copy";
        EmergencyAccess = 9, "emergency-access";
    }
);

/// Who accessed the data. The user id and on-behalf-of user are sealed (`actor.user`,
/// `actor.on_behalf_of`); the authorisation id is a public pseudonym issued by the
/// authorisation registry (never the access code itself).
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
#[cbor(map)]
#[serde(deny_unknown_fields)]
pub struct Actor {
    #[n(0)]
    pub role: Ident,
    #[n(1)]
    pub organisation: Ident,
    #[n(2)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorisation_id: Option<Ident>,
    #[n(3)]
    #[serde(default)]
    pub break_glass: bool,
}

/// Where the data came from: a provider and the digest of its upload.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
#[cbor(map)]
#[serde(deny_unknown_fields)]
pub struct DataOrigin {
    #[n(0)]
    pub provider: Ident,
    #[n(1)]
    pub file_digest: Hash32,
    #[n(2)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record_count: Option<u64>,
}

/// The public body of a data-access record.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
#[cbor(map)]
#[serde(deny_unknown_fields)]
pub struct DataAccess {
    #[n(0)]
    pub action: Action,
    /// The legal basis, e.g. `nl-sv-126n` (Dutch Code of Criminal Procedure art. 126n).
    #[n(1)]
    pub legal_basis: Ident,
    /// Purpose of use (ATNA PurposeOfUse code).
    #[n(2)]
    pub purpose: Ident,
    #[n(3)]
    pub actor: Actor,
    /// Categories of data touched, e.g. `subscriber-name-address`, `ip-assignment`.
    #[n(4)]
    pub data_categories: Vec<Ident>,
    #[n(5)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_count: Option<u64>,
    /// ISO 3166-1 alpha-2 destination country of a transfer.
    #[n(6)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination_country: Option<Ident>,
    #[n(7)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_origin: Option<DataOrigin>,
    /// An inspection of the log itself (`logseal subject`, `logseal show --disclose`): the
    /// records and sealed fields whose disclosures it revealed. Absent for ordinary accesses.
    #[n(8)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revealed: Option<Vec<Revealed>>,
    /// An inspection that opened one sealed field of every record in a range of leaves that
    /// has it (`logseal report --sealed`'s statistics): the ranges and fields. Absent for
    /// ordinary accesses.
    #[n(9)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revealed_ranges: Option<Vec<RevealedRange>>,
}

/// Most entries in a data-access record's `revealed_ranges` list.
pub const MAX_REVEALED_RANGES: usize = 1_000;

/// One sealed field of every record in leaves `first..=last` that has it, revealed by an
/// inspection.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
#[cbor(map)]
#[serde(deny_unknown_fields)]
pub struct RevealedRange {
    /// The first leaf of the range.
    #[n(0)]
    pub first: u64,
    /// The last leaf of the range (inclusive).
    #[n(1)]
    pub last: u64,
    /// The sealed field's path in dotted form, e.g. `actor.user`.
    #[n(2)]
    pub field: Ident,
}

/// Most entries in a data-access record's `revealed` list.
pub const MAX_REVEALED: usize = 10_000;

/// One sealed field of one log record whose disclosure an inspection revealed.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
#[cbor(map)]
#[serde(deny_unknown_fields)]
pub struct Revealed {
    /// The leaf index of the record in the log.
    #[n(0)]
    pub leaf: u64,
    /// The sealed field's path in dotted form, e.g. `actor.user`.
    #[n(1)]
    pub field: Ident,
}

const SEALED: &[SealedSpec] = &[
    SealedSpec {
        path: &[Seg::Name("actor"), Seg::Name("user")],
        class: ValueClass::Identifier,
        required: true,
        doc: "the user id of the official or employee who accessed the data",
    },
    SealedSpec {
        path: &[Seg::Name("actor"), Seg::Name("on_behalf_of")],
        class: ValueClass::Identifier,
        required: false,
        doc: "the user on whose behalf the access was made (NEN 7513)",
    },
    SealedSpec {
        path: &[Seg::Name("case_ref")],
        class: ValueClass::Identifier,
        required: false,
        doc: "case reference (LED Art 25 justification)",
    },
    SealedSpec {
        path: &[Seg::Name("order_ref")],
        class: ValueClass::Identifier,
        required: false,
        doc: "prosecutor's order or warrant reference",
    },
    SealedSpec {
        path: &[Seg::Name("subject")],
        class: ValueClass::Identifier,
        required: false,
        doc: "the data subject",
    },
    SealedSpec {
        path: &[Seg::Name("subjects")],
        class: ValueClass::IdentifierList,
        required: false,
        doc: "the data subjects of a bulk operation (e.g. the subscriber ids in an upload)",
    },
    SealedSpec {
        path: &[Seg::Name("query")],
        class: ValueClass::FreeText,
        required: false,
        doc: "what was searched for (phone number, IP address, name)",
    },
    SealedSpec {
        path: &[Seg::Name("recipients"), Seg::AnyIndex],
        class: ValueClass::Identifier,
        required: false,
        doc: "a recipient of disclosed or transferred data",
    },
];

impl KindBody for DataAccess {
    const KIND: Kind = Kind::DataAccess;
    const SEALED: &'static [SealedSpec] = SEALED;

    fn validate(&self) -> Result<(), Violation> {
        if let Some(c) = &self.destination_country {
            let s = c.as_str();
            if !is_alpha2(s) {
                return Err(Violation::new(
                    "data-access.destination-country-alpha2",
                    format!("destination_country: {s:?} is not an ISO 3166-1 alpha-2 code"),
                ));
            }
        }
        if self.destination_country.is_some() && self.action != Action::Transfer {
            return Err(Violation::new(
                "data-access.destination-only-for-transfer",
                "destination_country: only a transfer has a destination country",
            ));
        }
        if let Some(r) = &self.revealed {
            check_revealed(r)?;
        }
        if let Some(r) = &self.revealed_ranges {
            check_revealed_ranges(r)?;
        }
        non_empty(
            "data-access.data-categories-non-empty",
            "data_categories",
            &self.data_categories,
        )?;
        unique(
            "data-access.data-categories-unique",
            "data_categories",
            &self.data_categories,
        )
    }
}

/// `revealed`: 1 to [`MAX_REVEALED`] entries, each a sealed-field path, none twice.
fn check_revealed(r: &[Revealed]) -> Result<(), Violation> {
    if r.is_empty() || r.len() > MAX_REVEALED {
        return Err(Violation::new(
            "data-access.revealed-list",
            format!(
                "revealed: must have 1 to {MAX_REVEALED} entries, found {}",
                r.len()
            ),
        ));
    }
    for (i, e) in r.iter().enumerate() {
        if crate::record::sealed::FieldPath::parse(e.field.as_str()).is_err() {
            return Err(Violation::new(
                "data-access.revealed-field-path",
                format!(
                    "revealed.{i}.field: {:?} is not a sealed-field path",
                    e.field.as_str()
                ),
            ));
        }
    }
    unique("data-access.revealed-unique", "revealed", r)
}

/// `revealed_ranges`: 1 to [`MAX_REVEALED_RANGES`] entries, each `first <= last` and a
/// sealed-field path, none twice.
fn check_revealed_ranges(r: &[RevealedRange]) -> Result<(), Violation> {
    if r.is_empty() || r.len() > MAX_REVEALED_RANGES {
        return Err(Violation::new(
            "data-access.revealed-range-list",
            format!(
                "revealed_ranges: must have 1 to {MAX_REVEALED_RANGES} entries, found {}",
                r.len()
            ),
        ));
    }
    for (i, e) in r.iter().enumerate() {
        if e.first > e.last {
            return Err(Violation::new(
                "data-access.revealed-range-order",
                format!(
                    "revealed_ranges.{i}: first leaf {} is after last leaf {}",
                    e.first, e.last
                ),
            ));
        }
        if crate::record::sealed::FieldPath::parse(e.field.as_str()).is_err() {
            return Err(Violation::new(
                "data-access.revealed-range-field-path",
                format!(
                    "revealed_ranges.{i}.field: {:?} is not a sealed-field path",
                    e.field.as_str()
                ),
            ));
        }
    }
    unique("data-access.revealed-range-unique", "revealed_ranges", r)
}

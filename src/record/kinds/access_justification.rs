//! `access-justification`: the justification of a break-glass (emergency) data access,
//! written after the access by the official or the registry that reviews emergency
//! accesses. Schema: `schemas/access-justification.cddl`.
//!
//! Legal source (shared/record-fields.md, "data-access": `break_glass`; LED Art 25 "the
//! justification"; NEN 7513 emergency access, reviewed afterwards): an emergency access
//! skips the normal authorisation and must be justified within a deadline the obligation
//! policy sets (check 8, `break-glass-justified`). The record names the access by its
//! reference, when it was justified, a public reason code and whether the review approved
//! it. Sealed: the case reference, the written statement and who approved it.

use minicbor::{Decode, Encode};
use serde::{Deserialize, Serialize};

use super::{Kind, KindBody, SealedSpec, Seg};
use crate::record::sealed::ValueClass;
use crate::record::text::Ident;
use crate::record::types::{RecordRef, Timestamp};

/// The public body of an access-justification record.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
#[cbor(map)]
#[serde(deny_unknown_fields)]
pub struct AccessJustification {
    /// The break-glass data-access record justified.
    #[n(0)]
    pub access: RecordRef,
    #[n(1)]
    pub justified_at: Timestamp,
    /// Why the emergency access was needed, as a code, e.g. `imminent-danger-to-life`.
    #[n(2)]
    pub reason: Ident,
    /// Whether the review approved the access.
    #[n(3)]
    pub approved: bool,
}

const SEALED: &[SealedSpec] = &[
    SealedSpec {
        path: &[Seg::Name("case_ref")],
        class: ValueClass::Identifier,
        required: false,
        doc: "the case the emergency access served",
    },
    SealedSpec {
        path: &[Seg::Name("statement")],
        class: ValueClass::FreeText,
        required: false,
        doc: "the written justification",
    },
    SealedSpec {
        path: &[Seg::Name("approver")],
        class: ValueClass::Identifier,
        required: false,
        doc: "who reviewed and approved (or refused) the emergency access",
    },
];

impl KindBody for AccessJustification {
    const KIND: Kind = Kind::AccessJustification;
    const SEALED: &'static [SealedSpec] = SEALED;
}

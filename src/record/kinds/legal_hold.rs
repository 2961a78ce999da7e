//! `legal-hold`: a hold is set over an explicit set of records, or released. A hold suspends
//! `cap` deletions of the records in its scope. Schema: `schemas/legal-hold.cddl`.
//!
//! Legal source (shared/record-fields.md, "legal-hold"; retention rule `hold-override`):
//! GDPR Art 17(3)(e) and 18(1)(c) (data needed for legal claims), LED Art 16(3)
//! (restriction instead of erasure where data must be kept as evidence). The scope is an
//! explicit list of (producer, seq, leaf hash), resolved when the hold is placed by whoever
//! may read the disclosures — salted commitments cannot be matched later. Sealed: the case
//! reference.

use minicbor::{Decode, Encode};
use serde::{Deserialize, Serialize};

use super::{Kind, KindBody, MAX_SCOPE, SealedSpec, Seg, bounded, non_empty, unique};
use crate::closed_enum;
use crate::record::rules::Violation;
use crate::record::sealed::ValueClass;
use crate::record::text::Ident;
use crate::record::types::{RecordRef, Timestamp};

closed_enum!(
    /// Whether the record places or lifts a hold.
    HoldAction {
        Set = 0, "set";
        Release = 1, "release";
    }
);

/// The public body of a legal-hold record.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
#[cbor(map)]
#[serde(deny_unknown_fields)]
pub struct LegalHold {
    #[n(0)]
    pub action: HoldAction,
    /// A pseudonymous id of the hold; a release names the same id.
    #[n(1)]
    pub hold_id: Ident,
    /// The records held (set) or released (release; empty = the whole hold).
    #[n(2)]
    pub scope: Vec<RecordRef>,
    /// Who ordered the hold, e.g. `rechtbank-amsterdam`.
    #[n(3)]
    pub authority: Ident,
    /// The legal basis of the hold, e.g. `gdpr-17-3-e`.
    #[n(4)]
    pub legal_basis: Ident,
    /// When a set hold lapses by itself; absent = until released.
    #[n(5)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<Timestamp>,
    /// A release: the legal-hold record that set the hold.
    #[n(6)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub set_by: Option<RecordRef>,
}

const SEALED: &[SealedSpec] = &[SealedSpec {
    path: &[Seg::Name("case_ref")],
    class: ValueClass::Identifier,
    required: true,
    doc: "the case the hold is for",
}];

impl KindBody for LegalHold {
    const KIND: Kind = Kind::LegalHold;
    const SEALED: &'static [SealedSpec] = SEALED;

    fn validate(&self) -> Result<(), Violation> {
        let rule = "legal-hold.scope-list";
        bounded(rule, "scope", &self.scope, MAX_SCOPE)?;
        unique(rule, "scope", &self.scope)?;
        match self.action {
            HoldAction::Set => {
                non_empty("legal-hold.set-needs-scope", "scope", &self.scope)?;
                if self.set_by.is_some() {
                    return Err(Violation::new(
                        "legal-hold.set-by-only-release",
                        "set_by: only a release names the record that set the hold",
                    ));
                }
            }
            HoldAction::Release => {
                if self.set_by.is_none() {
                    return Err(Violation::new(
                        "legal-hold.release-needs-set-by",
                        "set_by: a release must name the legal-hold record that set the hold",
                    ));
                }
                if self.until.is_some() {
                    return Err(Violation::new(
                        "legal-hold.until-only-set",
                        "until: only a hold being set has an end date",
                    ));
                }
            }
        }
        Ok(())
    }
}

//! `retention-review`: a periodic review decided whether records are still needed — the
//! alternative to fixed time limits that LED Art 5 allows. Paired with retention-deletion.
//! Schema: `schemas/retention-review.cddl`.
//!
//! Legal source (shared/record-fields.md, "retention-deletion … retention-review"): LED
//! Art 5 (appropriate time limits for erasure or for a periodic review of the need for
//! storage), GDPR Art 5(1)(e). Sealed: the reviewer and the free-text reasons.

use minicbor::{Decode, Encode};
use serde::{Deserialize, Serialize};

use super::retention_deletion::{Target, validate_targets};
use super::{Kind, KindBody, SealedSpec, Seg, check_rule_ref};
use crate::closed_enum;
use crate::record::rules::Violation;
use crate::record::sealed::ValueClass;
use crate::record::text::Ident;
use crate::record::types::Timestamp;

closed_enum!(
    /// What the review decided for the records in scope.
    ReviewDecision {
        Keep = 0, "keep";
        Erase = 1, "erase";
        Restrict = 2, "restrict";
    }
);

/// The public body of a retention-review record.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
#[cbor(map)]
#[serde(deny_unknown_fields)]
pub struct RetentionReview {
    /// The rule under which the review was due, `id@version`.
    #[n(0)]
    pub rule: Ident,
    #[n(1)]
    pub reviewed_at: Timestamp,
    #[n(2)]
    pub targets: Vec<Target>,
    #[n(3)]
    pub decision: ReviewDecision,
    /// When the records kept must be reviewed again.
    #[n(4)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_review_at: Option<Timestamp>,
    /// Records reviewed.
    #[n(5)]
    pub item_count: u64,
}

const SEALED: &[SealedSpec] = &[
    SealedSpec {
        path: &[Seg::Name("reviewer")],
        class: ValueClass::Identifier,
        required: false,
        doc: "who reviewed the need for storage",
    },
    SealedSpec {
        path: &[Seg::Name("reasons")],
        class: ValueClass::FreeText,
        required: false,
        doc: "why the records are still needed, or not",
    },
];

impl KindBody for RetentionReview {
    const KIND: Kind = Kind::RetentionReview;
    const SEALED: &'static [SealedSpec] = SEALED;

    fn validate(&self) -> Result<(), Violation> {
        check_rule_ref("retention-review.rule-ref", "rule", self.rule.as_str())?;
        validate_targets("targets", &self.targets)?;
        match (self.decision, self.next_review_at) {
            (ReviewDecision::Keep, None) => Err(Violation::new(
                "retention-review.keep-needs-next-review",
                "next_review_at: required when the records are kept",
            )),
            (ReviewDecision::Erase, Some(_)) => Err(Violation::new(
                "retention-review.erase-no-next-review",
                "next_review_at: nothing to review again after erasure",
            )),
            (_, Some(next)) if next <= self.reviewed_at => Err(Violation::new(
                "retention-review.next-review-after-review",
                format!(
                    "next_review_at: {} is not after reviewed_at {}",
                    next.to_rfc3339(),
                    self.reviewed_at.to_rfc3339()
                ),
            )),
            _ => Ok(()),
        }
    }
}

//! `obligation-policy`: the obligation rules check 8 applies from this record's leaf onward,
//! signed by the obligation policy authority pinned in the auditor's trust file. Schema:
//! `schemas/obligation-policy.cddl`.
//!
//! The verifier knows the rule *types* (docs/CHECKS.md §8); a policy sets their parameters:
//! which producers a rule covers, which legal bases need an order or a case reference, the
//! deadlines, who writes the expected follow-up record and how late that producer may log.
//! Legal sources of the types: LED Art 25 (log content), national procedural law for orders
//! (e.g. Dutch Sv art 126n–126ua), DSA Art 17 (statement of reasons), DSA Art 20(4)–(6)
//! (appeal decided in time, not solely by automated means), GDPR Art 22 (human intervention
//! in automated decisions), and the hash-list detection a sanction claims. Nothing here is
//! personal: no sealed fields.

use minicbor::{Decode, Encode};
use serde::{Deserialize, Serialize};

use super::notification::Redress;
use super::{Kind, KindBody, MAX_CODES, SealedSpec, bounded, non_empty, unique};
use crate::closed_enum;
use crate::record::rules::Violation;
use crate::record::text::{Ident, ProducerId};
use crate::record::types::RecordRef;

/// Most rules in one policy.
pub const MAX_OBLIGATION_RULES: usize = 256;

closed_enum!(
    /// The rule types check 8 knows (docs/CHECKS.md §8 lists what each one checks).
    ObligationType {
        /// A data access's legal basis is one its authorisation grants, for the grant's
        /// organisation and role.
        AccessScope = 0, "access-scope";
        /// Accesses under the listed bases carry the sealed `order_ref`.
        OrderRequired = 1, "order-required";
        /// A break-glass access is justified (an `access-justification` record) in time.
        BreakGlassJustified = 2, "break-glass-justified";
        /// Accesses under the listed bases (none listed: every basis) carry the sealed
        /// `case_ref` (LED Art 25: the justification).
        CaseReference = 3, "case-reference";
        /// Disclosures and transfers name their recipients (LED Art 25).
        RecipientRecorded = 4, "recipient-recorded";
        /// Every account sanction has a statement of reasons, in time, with its contents
        /// (DSA Art 17).
        StatementOfReasons = 5, "statement-of-reasons";
        /// An appeal decision was taken by a person (DSA Art 20(6)).
        AppealHumanReview = 6, "appeal-human-review";
        /// An appeal is decided within the deadline (DSA Art 20(4)).
        AppealDeadline = 7, "appeal-deadline";
        /// A fully automated sanction appealed against gets a human review (GDPR Art 22(3)).
        AutomatedDecisionReview = 8, "automated-decision-review";
        /// A hash-match detection recomputes: the content's hash lies within the claimed
        /// distance of the matched entry, and the distance within the threshold.
        DetectionRecomputes = 9, "detection-recomputes";
    }
);

impl ObligationType {
    /// Whether a rule of this type needs `deadline_seconds`.
    pub fn needs_deadline(self) -> bool {
        matches!(
            self,
            ObligationType::BreakGlassJustified
                | ObligationType::StatementOfReasons
                | ObligationType::AppealDeadline
        )
    }
}

/// One obligation rule, referred to as `id@version`.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
#[cbor(map)]
#[serde(deny_unknown_fields)]
pub struct ObligationRule {
    /// e.g. `dsa17-statement-of-reasons` (no `@`).
    #[n(0)]
    pub id: Ident,
    #[n(1)]
    pub version: u64,
    #[n(2)]
    pub rule: ObligationType,
    /// The producers whose records the rule covers (empty: every producer).
    #[n(3)]
    #[serde(default)]
    pub producers: Vec<ProducerId>,
    /// `order-required`: the bases that need an order (at least one); `case-reference`:
    /// the bases that need a case reference (empty: every basis).
    #[n(4)]
    #[serde(default)]
    pub legal_bases: Vec<Ident>,
    /// The deadline in seconds after the event (break-glass access, sanction's
    /// `application_date`, appeal's `received_at`); 0 = at the latest at the event itself.
    #[n(5)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline_seconds: Option<u64>,
    /// The producers that write the expected follow-up record (the notifier, the appeal
    /// body, the justifying registry); empty: any producer.
    #[n(6)]
    #[serde(default)]
    pub followers: Vec<ProducerId>,
    /// The longest a follower takes to log an event, in seconds: a follower record dated
    /// after deadline + this delay proves that anything sent in time was already logged.
    #[n(7)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_logging_delay_seconds: Option<u64>,
    /// `statement-of-reasons`: the redress routes the statement must name.
    #[n(8)]
    #[serde(default)]
    pub redress: Vec<Redress>,
    /// The legal source, e.g. `DSA Art 17(1)`.
    #[n(9)]
    pub legal_source: Ident,
}

impl ObligationRule {
    /// `id@version`, as findings name the rule.
    pub fn reference(&self) -> String {
        format!("{}@{}", self.id, self.version)
    }

    /// Whether the rule covers records of `producer`.
    pub fn covers(&self, producer: &str) -> bool {
        self.producers.is_empty() || self.producers.iter().any(|p| p.as_str() == producer)
    }

    /// Whether `producer` may write the rule's follow-up record.
    pub fn follower(&self, producer: &str) -> bool {
        self.followers.is_empty() || self.followers.iter().any(|p| p.as_str() == producer)
    }

    fn validate(&self, at: &str) -> Result<(), Violation> {
        if self.id.as_str().contains('@') {
            return Err(Violation::new(
                "obligation-policy.rule-id-no-at",
                format!("{at}.id: {:?} must not contain '@'", self.id),
            ));
        }
        let rule = "obligation-policy.rule-lists";
        for (name, len, dup) in [
            (
                "producers",
                self.producers.len(),
                unique(rule, "", &self.producers).is_err(),
            ),
            (
                "legal_bases",
                self.legal_bases.len(),
                unique(rule, "", &self.legal_bases).is_err(),
            ),
            (
                "followers",
                self.followers.len(),
                unique(rule, "", &self.followers).is_err(),
            ),
            (
                "redress",
                self.redress.len(),
                unique(rule, "", &self.redress).is_err(),
            ),
        ] {
            if dup || len > MAX_CODES {
                return Err(Violation::new(
                    rule,
                    format!("{at}.{name}: {len} entries; at most {MAX_CODES}, none listed twice"),
                ));
            }
        }
        if self.rule.needs_deadline() && self.deadline_seconds.is_none() {
            return Err(Violation::new(
                "obligation-policy.deadline-required",
                format!("{at}.deadline_seconds: required for a {} rule", self.rule),
            ));
        }
        if self.rule == ObligationType::OrderRequired && self.legal_bases.is_empty() {
            return Err(Violation::new(
                "obligation-policy.order-required-needs-bases",
                format!(
                    "{at}.legal_bases: an order-required rule names the bases that need an order"
                ),
            ));
        }
        Ok(())
    }
}

/// The public body of an obligation-policy record.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
#[cbor(map)]
#[serde(deny_unknown_fields)]
pub struct ObligationPolicy {
    /// The policy's id, e.g. `cis-obligations`.
    #[n(0)]
    pub policy_id: Ident,
    #[n(1)]
    pub version: u64,
    /// The authority that adopted it.
    #[n(2)]
    pub authority: Ident,
    #[n(3)]
    pub rules: Vec<ObligationRule>,
    /// The policy record this one replaces.
    #[n(4)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supersedes: Option<RecordRef>,
}

impl KindBody for ObligationPolicy {
    const KIND: Kind = Kind::ObligationPolicy;
    const SEALED: &'static [SealedSpec] = &[];

    fn validate(&self) -> Result<(), Violation> {
        let rule = "obligation-policy.rules-list";
        non_empty(rule, "rules", &self.rules)?;
        bounded(rule, "rules", &self.rules, MAX_OBLIGATION_RULES)?;
        for (i, r) in self.rules.iter().enumerate() {
            r.validate(&format!("rules.{i}"))?;
            if self.rules[..i].iter().any(|o| o.id == r.id) {
                return Err(Violation::new(
                    "obligation-policy.rule-ids-unique",
                    format!("rules.{i}.id: {} is listed twice", r.id),
                ));
            }
        }
        Ok(())
    }
}

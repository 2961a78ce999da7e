//! `retention-policy`: the retention rules in force from this record's leaf onward, signed
//! by a policy authority key. Schema: `schemas/retention-policy.cddl`.
//!
//! Legal source (shared/record-fields.md, "retention-policy" and the named rules): GDPR
//! Art 5(1)(e) and LED Art 5 (storage limitation, time limits or periodic review), with
//! examples BDSG §76(4) (`cap`: end of the year after the year generated), NEN 7513
//! (`minimum` 5 years), DSA 20(1)–(2) and 21 (appeal window, extended while a complaint or
//! case is pending), 18 U.S.C. 2258A(h) (preservation 1 year after a report),
//! Reg. (EU) 2021/1232 Art 3 (cap 12 months), and GDPR 17(3)(e), 18(1)(c), LED 16(3) (a legal
//! hold suspends caps: rule kind `hold-override`). Calendar rules name their time zone.
//! Nothing here is personal: no sealed fields.

use minicbor::{Decode, Encode};
use serde::{Deserialize, Serialize};

use super::{Kind, KindBody, MAX_CODES, SealedSpec, bounded, non_empty, unique};
use crate::closed_enum;
use crate::record::rules::Violation;
use crate::record::text::Ident;
use crate::record::types::RecordRef;

/// Most rules in one policy.
pub const MAX_RULES: usize = 256;

closed_enum!(
    /// What a rule says about the data it covers.
    RuleKind {
        /// Keep at least this long.
        Minimum = 0, "minimum";
        /// Erase no later than this.
        Cap = 1, "cap";
        /// While a condition holds (a legal hold), `cap` rules are suspended.
        HoldOverride = 2, "hold-override";
    }
);

closed_enum!(
    /// The unit of a retention period. Months and years are calendar units.
    PeriodUnit {
        Days = 0, "days";
        Months = 1, "months";
        Years = 2, "years";
    }
);

closed_enum!(
    /// The event a period counts from.
    Trigger {
        OccurredAt = 0, "occurred-at";
        CaseClosed = 1, "case-closed";
        NotificationSent = 2, "notification-sent";
        ReportMade = 3, "report-made";
        Identification = 4, "identification";
        AppealDecided = 5, "appeal-decided";
    }
);

closed_enum!(
    /// Rounding of the computed instant up to the end of a calendar period.
    Alignment {
        EndOfDay = 0, "end-of-day";
        EndOfMonth = 1, "end-of-month";
        EndOfYear = 2, "end-of-year";
    }
);

closed_enum!(
    /// A condition that extends a `minimum` or suspends a `cap` while it holds.
    Condition {
        LegalHold = 0, "legal-hold";
        ComplaintPending = 1, "complaint-pending";
        CasePending = 2, "case-pending";
    }
);

/// A retention period: `count` `unit`s.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
#[cbor(map)]
#[serde(deny_unknown_fields)]
pub struct Period {
    #[n(0)]
    pub count: u64,
    #[n(1)]
    pub unit: PeriodUnit,
}

/// One retention rule, referred to as `id@version`.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
#[cbor(map)]
#[serde(deny_unknown_fields)]
pub struct RetentionRule {
    /// e.g. `de-bdsg76-led-logs` (no `@`).
    #[n(0)]
    pub id: Ident,
    #[n(1)]
    pub version: u64,
    #[n(2)]
    pub rule: RuleKind,
    /// The record kinds it covers (empty: every kind).
    #[n(3)]
    pub kinds: Vec<Kind>,
    /// The data categories it covers (empty: every category).
    #[n(4)]
    pub data_categories: Vec<Ident>,
    /// Required for `minimum` and `cap`; absent for `hold-override`.
    #[n(5)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<Period>,
    #[n(6)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trigger: Option<Trigger>,
    #[n(7)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub align: Option<Alignment>,
    /// IANA time zone of calendar rules, e.g. `Europe/Berlin`.
    #[n(8)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<Ident>,
    /// Conditions that extend a minimum or suspend a cap (for `hold-override`: the one
    /// condition it is about).
    #[n(9)]
    pub conditions: Vec<Condition>,
    /// The legal source, e.g. `BDSG §76(4)`.
    #[n(10)]
    pub legal_source: Ident,
}

impl RetentionRule {
    /// `id@version`, as records and deletions name the rule.
    pub fn reference(&self) -> String {
        format!("{}@{}", self.id, self.version)
    }

    fn validate(&self, at: &str) -> Result<(), Violation> {
        if self.id.as_str().contains('@') {
            return Err(Violation::new(
                "retention-policy.rule-id-no-at",
                format!("{at}.id: {:?} must not contain '@'", self.id),
            ));
        }
        unique(
            "retention-policy.rule-kinds-unique",
            &format!("{at}.kinds"),
            &self.kinds,
        )?;
        let rule = "retention-policy.rule-data-categories-list";
        unique(
            rule,
            &format!("{at}.data_categories"),
            &self.data_categories,
        )?;
        bounded(
            rule,
            &format!("{at}.data_categories"),
            &self.data_categories,
            MAX_CODES,
        )?;
        unique(
            "retention-policy.rule-conditions-unique",
            &format!("{at}.conditions"),
            &self.conditions,
        )?;
        match self.rule {
            RuleKind::Minimum | RuleKind::Cap => self.validate_timed(at),
            RuleKind::HoldOverride => self.validate_hold_override(at),
        }
    }

    /// A `minimum` or `cap` rule: a positive period, a trigger, a zone for calendar rules.
    fn validate_timed(&self, at: &str) -> Result<(), Violation> {
        let Some(period) = self.period else {
            return Err(Violation::new(
                "retention-policy.timed-needs-period",
                format!("{at}.period: required for a {} rule", self.rule),
            ));
        };
        if period.count == 0 {
            return Err(Violation::new(
                "retention-policy.period-positive",
                format!("{at}.period.count: must be positive"),
            ));
        }
        if self.trigger.is_none() {
            return Err(Violation::new(
                "retention-policy.timed-needs-trigger",
                format!("{at}.trigger: required for a {} rule", self.rule),
            ));
        }
        let calendar = period.unit != PeriodUnit::Days || self.align.is_some();
        if calendar && self.time_zone.is_none() {
            return Err(Violation::new(
                "retention-policy.calendar-needs-time-zone",
                format!(
                    "{at}.time_zone: required for a calendar rule (months, years or alignment)"
                ),
            ));
        }
        Ok(())
    }

    /// A `hold-override` rule: no timing fields, at least one condition.
    fn validate_hold_override(&self, at: &str) -> Result<(), Violation> {
        for (name, set) in [
            ("period", self.period.is_some()),
            ("trigger", self.trigger.is_some()),
            ("align", self.align.is_some()),
            ("time_zone", self.time_zone.is_some()),
        ] {
            if set {
                return Err(Violation::new(
                    "retention-policy.hold-override-untimed",
                    format!("{at}.{name}: not for a hold-override rule"),
                ));
            }
        }
        if self.conditions.is_empty() {
            return Err(Violation::new(
                "retention-policy.hold-override-needs-condition",
                format!("{at}.conditions: a hold-override rule names its condition"),
            ));
        }
        Ok(())
    }
}

/// The public body of a retention-policy record.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
#[cbor(map)]
#[serde(deny_unknown_fields)]
pub struct RetentionPolicy {
    /// The policy's id, e.g. `cis-retention`.
    #[n(0)]
    pub policy_id: Ident,
    #[n(1)]
    pub version: u64,
    /// The authority that adopted it.
    #[n(2)]
    pub authority: Ident,
    #[n(3)]
    pub rules: Vec<RetentionRule>,
    /// The policy record this one replaces.
    #[n(4)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supersedes: Option<RecordRef>,
}

impl KindBody for RetentionPolicy {
    const KIND: Kind = Kind::RetentionPolicy;
    const SEALED: &'static [SealedSpec] = &[];

    fn validate(&self) -> Result<(), Violation> {
        let rule = "retention-policy.rules-list";
        non_empty(rule, "rules", &self.rules)?;
        bounded(rule, "rules", &self.rules, MAX_RULES)?;
        for (i, r) in self.rules.iter().enumerate() {
            r.validate(&format!("rules.{i}"))?;
            if self.rules[..i].iter().any(|o| o.id == r.id) {
                return Err(Violation::new(
                    "retention-policy.rule-ids-unique",
                    format!("rules.{i}.id: {} is listed twice", r.id),
                ));
            }
        }
        Ok(())
    }
}

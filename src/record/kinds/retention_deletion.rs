//! `retention-deletion`: disclosures of sealed fields were erased (or their keys shredded)
//! under a retention rule. Schema: `schemas/retention-deletion.cddl`.
//!
//! Legal source (shared/record-fields.md, "retention-deletion"): GDPR Art 5(1)(e) and 17,
//! LED Art 5 and 16 (erasure, and its exceptions GDPR 17(3), LED 16(3)); the record makes a
//! deletion accountable (DESIGN.md check 7: due, premature, kept too long). It names what
//! was erased — seq or leaf ranges and sealed-field patterns — and never copies the erased
//! values. Nothing here is personal: no sealed fields.
//!
//! Also owns [`Target`], which retention-review shares.

use minicbor::{Decode, Encode};
use serde::{Deserialize, Serialize};

use super::{Kind, KindBody, MAX_CODES, SealedSpec, bounded, check_rule_ref, non_empty, unique};
use crate::closed_enum;
use crate::record::rules::Violation;
use crate::record::text::{Ident, ProducerId};
use crate::record::types::{Hash32, Timestamp};

/// Most targets in one deletion or review.
pub const MAX_TARGETS: usize = 1024;

closed_enum!(
    /// How a target range is counted.
    RangeType {
        /// A producer's seq numbers (`producer` required).
        Seq = 0, "seq";
        /// Leaf indices of the log (no `producer`).
        Leaf = 1, "leaf";
    }
);

closed_enum!(
    /// How the values were destroyed.
    DeletionMethod {
        EraseDisclosure = 0, "erase-disclosure";
        CryptoShred = 1, "crypto-shred";
    }
);

closed_enum!(
    /// A ground for deleting other than on the rule's due date, or later than it.
    ExceptionGround {
        /// Erasure on the data subject's request (GDPR 17(1)).
        Gdpr17_1 = 0, "gdpr-17-1";
        /// Kept past due for a legal obligation (GDPR 17(3)(b)).
        Gdpr17_3B = 1, "gdpr-17-3-b";
        /// Kept past due for legal claims (GDPR 17(3)(e)).
        Gdpr17_3E = 2, "gdpr-17-3-e";
        /// Erasure required (LED 16(2)).
        Led16_2 = 3, "led-16-2";
        /// Restricted instead of erased, accuracy contested (LED 16(3)(a)).
        Led16_3A = 4, "led-16-3-a";
        /// Restricted instead of erased, kept as evidence (LED 16(3)(b)).
        Led16_3B = 5, "led-16-3-b";
        /// Ordered by a court.
        CourtOrder = 6, "court-order";
        /// Not a ground for deleting: a declared loss. The disclosures were lost in an
        /// accident (a private part restored from a backup that did not hold them), not
        /// erased; recorded by `logseal recover` so that the loss is accountable. Check 7
        /// reports it as `retention-disclosure-lost` (violated), never as a lawful deletion.
        DisclosureLost = 7, "disclosure-lost";
    }
);

/// The `rule` a declared loss ([`ExceptionGround::DisclosureLost`]) names: a loss happens
/// under no retention rule; verifiers do not interpret it.
pub const LOSS_RULE: &str = "disclosure-lost@1";

impl ExceptionGround {
    /// A ground for erasing before the rule's due date: the data subject's request (GDPR
    /// 17(1)), a required erasure (LED 16(2)), a court order. The others are grounds for
    /// keeping (or restricting) past the due date, which explain a late deletion, never an
    /// early one.
    pub fn allows_early(self) -> bool {
        matches!(self, Self::Gdpr17_1 | Self::Led16_2 | Self::CourtOrder)
    }

    /// A ground that also overrides a minimum still running: a court order or a required
    /// erasure (LED 16(2)). A data subject's request does not (GDPR 17(3)(b): a legal
    /// obligation to keep prevails).
    pub fn overrides_minimum(self) -> bool {
        matches!(self, Self::Led16_2 | Self::CourtOrder)
    }

    /// A ground for having kept the data past its cap (GDPR 17(3)(b), (e); LED 16(3)).
    pub fn justifies_late(self) -> bool {
        !self.allows_early() && !self.is_loss()
    }

    /// A declared loss, not a ground ([`ExceptionGround::DisclosureLost`]).
    pub fn is_loss(self) -> bool {
        self == Self::DisclosureLost
    }
}

/// A set of records and which of their sealed fields.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
#[cbor(map)]
#[serde(deny_unknown_fields)]
pub struct Target {
    #[n(0)]
    pub range: RangeType,
    #[n(1)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub producer: Option<ProducerId>,
    /// First seq or leaf index, inclusive.
    #[n(2)]
    pub first: u64,
    /// Last seq or leaf index, inclusive.
    #[n(3)]
    pub last: u64,
    /// Sealed-field patterns in dotted form, `*` for any index (`actor.user`,
    /// `recipients.*`); empty: every sealed field.
    #[n(4)]
    pub fields: Vec<Ident>,
}

impl Target {
    pub(crate) fn validate(&self, at: &str) -> Result<(), Violation> {
        match (self.range, &self.producer) {
            (RangeType::Seq, None) => {
                return Err(Violation::new(
                    "target.seq-needs-producer",
                    format!("{at}.producer: required for a seq range"),
                ));
            }
            (RangeType::Leaf, Some(_)) => {
                return Err(Violation::new(
                    "target.leaf-no-producer",
                    format!("{at}.producer: not for a leaf range"),
                ));
            }
            _ => {}
        }
        if self.last < self.first {
            return Err(Violation::new(
                "target.range-ordered",
                format!("{at}.last: {} is before first {}", self.last, self.first),
            ));
        }
        let rule = "target.fields-list";
        unique(rule, &format!("{at}.fields"), &self.fields)?;
        bounded(rule, &format!("{at}.fields"), &self.fields, MAX_CODES)?;
        for (i, f) in self.fields.iter().enumerate() {
            let ok = f.as_str().split('.').all(|part| {
                part == "*"
                    || (!part.is_empty()
                        && part
                            .bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'))
            });
            if !ok {
                return Err(Violation::new(
                    "target.field-pattern",
                    format!(
                        "{at}.fields.{i}: {f:?} is not a sealed-field pattern (names, digits or * separated by '.')"
                    ),
                ));
            }
        }
        Ok(())
    }
}

impl Target {
    /// Whether the field patterns name `path`: no patterns names every field; a pattern
    /// names a path with as many elements, each equal or `*`.
    pub fn matches_field(&self, path: &crate::record::sealed::FieldPath) -> bool {
        use crate::record::sealed::PathElem;
        self.fields.is_empty()
            || self.fields.iter().any(|f| {
                let parts: Vec<&str> = f.as_str().split('.').collect();
                parts.len() == path.0.len()
                    && parts.iter().zip(&path.0).all(|(p, e)| match e {
                        _ if *p == "*" => true,
                        PathElem::Name(n) => p == n,
                        PathElem::Index(i) => p.parse::<u64>().ok() == Some(*i),
                    })
            })
    }

    /// Whether the range names the record at `leaf` of `producer`'s `seq`.
    pub fn covers_record(&self, leaf: u64, producer: &ProducerId, seq: u64) -> bool {
        match self.range {
            RangeType::Leaf => (self.first..=self.last).contains(&leaf),
            RangeType::Seq => {
                self.producer.as_ref() == Some(producer) && (self.first..=self.last).contains(&seq)
            }
        }
    }
}

/// Check a list of targets under `field`.
pub(crate) fn validate_targets(field: &str, targets: &[Target]) -> Result<(), Violation> {
    let rule = "target.targets-list";
    non_empty(rule, field, targets)?;
    bounded(rule, field, targets, MAX_TARGETS)?;
    for (i, t) in targets.iter().enumerate() {
        t.validate(&format!("{field}.{i}"))?;
    }
    Ok(())
}

/// The public body of a retention-deletion record.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
#[cbor(map)]
#[serde(deny_unknown_fields)]
pub struct RetentionDeletion {
    #[n(0)]
    pub targets: Vec<Target>,
    /// The rule applied, `id@version`.
    #[n(1)]
    pub rule: Ident,
    #[n(2)]
    pub due_at: Timestamp,
    #[n(3)]
    pub executed_at: Timestamp,
    #[n(4)]
    pub method: DeletionMethod,
    /// For crypto-shredding: the id of the destroyed key.
    #[n(5)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shredded_key_id: Option<Hash32>,
    /// The system or role that executed it, e.g. `retention-sweep`.
    #[n(6)]
    pub executor: Ident,
    /// Whether active legal holds were checked before erasing.
    #[n(7)]
    pub holds_checked: bool,
    #[n(8)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exception_ground: Option<ExceptionGround>,
    /// Disclosures erased.
    #[n(9)]
    pub item_count: u64,
}

impl KindBody for RetentionDeletion {
    const KIND: Kind = Kind::RetentionDeletion;
    const SEALED: &'static [SealedSpec] = &[];

    fn validate(&self) -> Result<(), Violation> {
        validate_targets("targets", &self.targets)?;
        check_rule_ref("retention-deletion.rule-ref", "rule", self.rule.as_str())?;
        if self.exception_ground == Some(ExceptionGround::DisclosureLost)
            && self.method != DeletionMethod::EraseDisclosure
        {
            return Err(Violation::new(
                "retention-deletion.loss-is-erase-disclosure",
                "method: a declared loss (exception_ground disclosure-lost) destroys no key: \
                 erase-disclosure",
            ));
        }
        match (self.method, self.shredded_key_id) {
            (DeletionMethod::CryptoShred, None) => Err(Violation::new(
                "retention-deletion.shred-needs-key-id",
                "shredded_key_id: required for crypto-shred",
            )),
            (DeletionMethod::EraseDisclosure, Some(_)) => Err(Violation::new(
                "retention-deletion.key-id-only-shred",
                "shredded_key_id: only for crypto-shred",
            )),
            _ => Ok(()),
        }
    }
}

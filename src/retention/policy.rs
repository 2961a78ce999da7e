//! Evaluable retention rules, built from `retention-policy` bodies
//! ([`crate::record::kinds::retention_policy`]), and the timeline of policies in force by
//! leaf index (DESIGN.md, check 7: "the rule in force at that leaf").
//!
//! Owns: `id@version` references ([`RuleRef`]), one rule's coverage and its deadline
//! arithmetic ([`Rule::deadline`]: period added in the rule's IANA time zone with `jiff`,
//! then alignment), and [`PolicyTimeline`]. No I/O, no clock: the time zone database is the
//! one bundled into the binary (`jiff` feature `tzdb-bundle-always`), so a verdict does not
//! depend on the host's zoneinfo. Exact semantics: `docs/RETENTION.md`.

use std::fmt;

use jiff::tz::TimeZone;
use jiff::{Span, Zoned};

use crate::record::kinds::Kind;
use crate::record::kinds::retention_policy::{
    Alignment, Condition, Period, PeriodUnit, RetentionPolicy, RetentionRule, RuleKind, Trigger,
};
use crate::record::types::Timestamp;

/// A rule rejected, a reference malformed, or a deadline not computable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    #[error(
        "retention rule reference {value:?}: {reason} (expected id@version, e.g. de-bdsg76-led-logs@1)"
    )]
    BadRuleRef { value: String, reason: &'static str },
    #[error("policy {policy}, rule {rule}: field {field} is required for a {kind} rule")]
    Incomplete {
        policy: String,
        rule: String,
        field: &'static str,
        kind: RuleKind,
    },
    #[error(
        "policy {policy}, rule {rule}: time zone {zone:?} is not in the bundled IANA database ({reason})"
    )]
    UnknownTimeZone {
        policy: String,
        rule: String,
        zone: String,
        reason: String,
    },
    #[error("rule {rule}: deadline from {from} is not representable ({reason})")]
    Arithmetic {
        rule: String,
        from: String,
        reason: String,
    },
    #[error(
        "policy {policy} at leaf {leaf}: policies must be added in increasing leaf order, but the last one is in force from leaf {previous}"
    )]
    LeafOutOfOrder {
        policy: String,
        leaf: u64,
        previous: u64,
    },
    #[error(
        "policy {policy} at leaf {leaf}: version {version} does not replace version {in_force} in force since leaf {since}"
    )]
    VersionNotIncreasing {
        policy: String,
        leaf: u64,
        version: u64,
        in_force: u64,
        since: u64,
    },
    #[error(
        "rule {rule} at leaf {leaf}: defined by policy {policy} and by policy {other}, both in force"
    )]
    RuleDefinedTwice {
        rule: String,
        leaf: u64,
        policy: String,
        other: String,
    },
    #[error(
        "rule {rule} at leaf {leaf}: redefined with different content under the same version (first defined at leaf {first_leaf}); a changed rule needs a new version"
    )]
    RuleChangedWithoutNewVersion {
        rule: RuleRef,
        leaf: u64,
        first_leaf: u64,
    },
}

/// A rule reference `id@version`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RuleRef {
    pub id: String,
    pub version: u64,
}

impl RuleRef {
    /// Parse `id@version`: a non-empty id without `@`, and a decimal version without
    /// leading zeros.
    pub fn parse(s: &str) -> Result<RuleRef, PolicyError> {
        let bad = |reason| PolicyError::BadRuleRef {
            value: s.to_owned(),
            reason,
        };
        let (id, v) = s.split_once('@').ok_or_else(|| bad("no '@'"))?;
        if id.is_empty() {
            return Err(bad("empty id"));
        }
        if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad("the version is not a decimal number"));
        }
        if v.len() > 1 && v.starts_with('0') {
            return Err(bad("the version has a leading zero"));
        }
        let version = v.parse().map_err(|_| bad("the version is too large"))?;
        Ok(RuleRef {
            id: id.to_owned(),
            version,
        })
    }
}

impl fmt::Display for RuleRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.id, self.version)
    }
}

/// The IANA time zone calendar arithmetic runs in (`UTC` when the rule names none).
#[derive(Debug, Clone, PartialEq)]
pub struct Zone {
    pub name: String,
    pub tz: TimeZone,
}

/// How a `minimum` or `cap` rule computes its instant: `period` after `trigger`, then
/// `align`, in `zone`.
#[derive(Debug, Clone, PartialEq)]
pub struct Computation {
    pub period: Period,
    pub trigger: Trigger,
    pub align: Option<Alignment>,
    pub zone: Zone,
}

/// One evaluable rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub reference: RuleRef,
    pub kind: RuleKind,
    /// Record kinds covered; empty: every kind.
    pub kinds: Vec<Kind>,
    /// Data categories covered; empty: every record, whatever its categories.
    pub data_categories: Vec<String>,
    /// `None` exactly for `hold-override`.
    pub computation: Option<Computation>,
    /// For `minimum`: conditions that extend it while they hold; for `cap`: conditions that
    /// suspend it; for `hold-override`: the condition that suspends every cap.
    pub conditions: Vec<Condition>,
    pub legal_source: String,
    /// The body it was built from (to detect a changed rule under an unchanged version).
    pub body: RetentionRule,
}

impl Rule {
    /// Build from one rule of policy `policy` (its id, for error messages).
    pub fn from_body(policy: &str, r: &RetentionRule) -> Result<Rule, PolicyError> {
        let reference = RuleRef {
            id: r.id.as_str().to_owned(),
            version: r.version,
        };
        let incomplete = |field| PolicyError::Incomplete {
            policy: policy.to_owned(),
            rule: reference.to_string(),
            field,
            kind: r.rule,
        };
        let computation = match r.rule {
            RuleKind::HoldOverride => None,
            RuleKind::Minimum | RuleKind::Cap => {
                let period = r.period.ok_or_else(|| incomplete("period"))?;
                let trigger = r.trigger.ok_or_else(|| incomplete("trigger"))?;
                let calendar = period.unit != PeriodUnit::Days || r.align.is_some();
                let zone = match &r.time_zone {
                    Some(name) => Zone {
                        name: name.as_str().to_owned(),
                        tz: TimeZone::get(name.as_str()).map_err(|e| {
                            PolicyError::UnknownTimeZone {
                                policy: policy.to_owned(),
                                rule: reference.to_string(),
                                zone: name.as_str().to_owned(),
                                reason: e.to_string(),
                            }
                        })?,
                    },
                    None if calendar => return Err(incomplete("time_zone")),
                    None => Zone {
                        name: "UTC".to_owned(),
                        tz: TimeZone::UTC,
                    },
                };
                Some(Computation {
                    period,
                    trigger,
                    align: r.align,
                    zone,
                })
            }
        };
        if r.rule == RuleKind::HoldOverride && r.conditions.is_empty() {
            return Err(incomplete("conditions"));
        }
        Ok(Rule {
            reference,
            kind: r.rule,
            kinds: r.kinds.clone(),
            data_categories: r
                .data_categories
                .iter()
                .map(|c| c.as_str().to_owned())
                .collect(),
            computation,
            conditions: r.conditions.clone(),
            legal_source: r.legal_source.as_str().to_owned(),
            body: r.clone(),
        })
    }

    /// Whether the rule covers a record of `kind` with `categories`: the kind is listed (or
    /// the list is empty) and one of the record's categories is listed (or the list is
    /// empty).
    pub fn covers(&self, kind: Kind, categories: &[String]) -> bool {
        (self.kinds.is_empty() || self.kinds.contains(&kind))
            && (self.data_categories.is_empty()
                || categories.iter().any(|c| self.data_categories.contains(c)))
    }

    /// The instant `period` after `from`, aligned: the period is added to the local date and
    /// wall time in the rule's zone (a wall time that does not exist or is ambiguous there
    /// resolves to the later/earlier instant per RFC 5545 "compatible"), then, with an
    /// alignment, moved to the start of the next day / month / year after the one the
    /// instant falls in (the end of that calendar period), in the same zone. `None` for a
    /// `hold-override` rule.
    pub fn deadline(&self, from: Timestamp) -> Result<Option<Timestamp>, PolicyError> {
        let Some(c) = &self.computation else {
            return Ok(None);
        };
        let err = |reason: String| PolicyError::Arithmetic {
            rule: self.reference.to_string(),
            from: from.to_rfc3339(),
            reason,
        };
        let start = to_zoned(from, &c.zone.tz).map_err(|e| err(e.to_string()))?;
        let count = i64::try_from(c.period.count).map_err(|_| err("period too long".into()))?;
        let span = match c.period.unit {
            PeriodUnit::Days => Span::new().try_days(count),
            PeriodUnit::Months => Span::new().try_months(count),
            PeriodUnit::Years => Span::new().try_years(count),
        }
        .map_err(|e| err(e.to_string()))?;
        let mut end = start.checked_add(span).map_err(|e| err(e.to_string()))?;
        if let Some(align) = c.align {
            let d = end.date();
            let next = match align {
                Alignment::EndOfDay => d.tomorrow(),
                Alignment::EndOfMonth => d.first_of_month().checked_add(Span::new().months(1)),
                Alignment::EndOfYear => d.first_of_year().checked_add(Span::new().years(1)),
            }
            .map_err(|e| err(e.to_string()))?;
            end = next
                .to_zoned(c.zone.tz.clone())
                .map_err(|e| err(e.to_string()))?;
        }
        let ms = end.timestamp().as_millisecond();
        u64::try_from(ms)
            .map(|m| Some(Timestamp(m)))
            .map_err(|_| err("before 1970".into()))
    }
}

/// A logseal instant in a zone.
pub(crate) fn to_zoned(t: Timestamp, tz: &TimeZone) -> Result<Zoned, jiff::Error> {
    let ms = i64::try_from(t.0).unwrap_or(i64::MAX);
    Ok(jiff::Timestamp::from_millisecond(ms)?.to_zoned(tz.clone()))
}

/// One retention-policy record's rules.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub policy_id: String,
    pub version: u64,
    pub rules: Vec<Rule>,
}

impl Policy {
    /// Build every rule of a policy body; the first rule that cannot be built is the error.
    pub fn from_body(body: &RetentionPolicy) -> Result<Policy, PolicyError> {
        let id = body.policy_id.as_str();
        let rules = body
            .rules
            .iter()
            .map(|r| Rule::from_body(id, r))
            .collect::<Result<_, _>>()?;
        Ok(Policy {
            policy_id: id.to_owned(),
            version: body.version,
            rules,
        })
    }

    /// The rule with this id (any version).
    pub fn rule_by_id(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.reference.id == id)
    }

    /// The rule `id@version`, exactly.
    pub fn rule(&self, reference: &RuleRef) -> Option<&Rule> {
        self.rules.iter().find(|r| &r.reference == reference)
    }
}

/// A policy and the leaf from which it is in force.
#[derive(Debug, Clone, PartialEq)]
pub struct InForce {
    pub from_leaf: u64,
    pub policy: Policy,
}

/// The policies of a log in leaf order. A policy is in force from its own leaf until a
/// later record of the same `policy_id` replaces it; policies with different ids are in
/// force side by side, but may not define the same rule id.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PolicyTimeline {
    entries: Vec<InForce>,
}

impl PolicyTimeline {
    pub fn new() -> Self {
        Self::default()
    }

    /// Add the policy recorded at `from_leaf` (leaves strictly increasing).
    pub fn push(&mut self, from_leaf: u64, policy: Policy) -> Result<(), PolicyError> {
        if let Some(last) = self.entries.last()
            && from_leaf <= last.from_leaf
        {
            return Err(PolicyError::LeafOutOfOrder {
                policy: policy.policy_id,
                leaf: from_leaf,
                previous: last.from_leaf,
            });
        }
        let current = self.policies_at(from_leaf);
        if let Some(old) = current
            .iter()
            .find(|e| e.policy.policy_id == policy.policy_id)
            && policy.version <= old.policy.version
        {
            return Err(PolicyError::VersionNotIncreasing {
                policy: policy.policy_id,
                leaf: from_leaf,
                version: policy.version,
                in_force: old.policy.version,
                since: old.from_leaf,
            });
        }
        for rule in &policy.rules {
            if let Some(other) = current.iter().find(|e| {
                e.policy.policy_id != policy.policy_id
                    && e.policy.rule_by_id(&rule.reference.id).is_some()
            }) {
                return Err(PolicyError::RuleDefinedTwice {
                    rule: rule.reference.id.clone(),
                    leaf: from_leaf,
                    policy: policy.policy_id.clone(),
                    other: other.policy.policy_id.clone(),
                });
            }
            if let Some(first) = self.entries.iter().find(|e| {
                e.policy
                    .rule(&rule.reference)
                    .is_some_and(|r| r.body != rule.body)
            }) {
                return Err(PolicyError::RuleChangedWithoutNewVersion {
                    rule: rule.reference.clone(),
                    leaf: from_leaf,
                    first_leaf: first.from_leaf,
                });
            }
        }
        self.entries.push(InForce { from_leaf, policy });
        Ok(())
    }

    /// The policies in force at `leaf`: for each policy id, the latest recorded at or
    /// before `leaf`.
    pub fn policies_at(&self, leaf: u64) -> Vec<&InForce> {
        let mut out: Vec<&InForce> = Vec::new();
        for e in self.entries.iter().take_while(|e| e.from_leaf <= leaf) {
            match out
                .iter_mut()
                .find(|o| o.policy.policy_id == e.policy.policy_id)
            {
                Some(slot) => *slot = e,
                None => out.push(e),
            }
        }
        out
    }

    /// Every rule in force at `leaf`.
    pub fn rules_at(&self, leaf: u64) -> Vec<&Rule> {
        self.policies_at(leaf)
            .into_iter()
            .flat_map(|e| e.policy.rules.iter())
            .collect()
    }

    /// The version of rule `rule_id` in force at `at_leaf`, if any.
    pub fn rule_in_force(&self, rule_id: &str, at_leaf: u64) -> Option<&Rule> {
        self.policies_at(at_leaf)
            .into_iter()
            .find_map(|e| e.policy.rule_by_id(rule_id))
    }

    /// The rule `id@version` as ever recorded (in force or not), e.g. to evaluate a
    /// retention-deletion that names it.
    pub fn lookup(&self, reference: &str) -> Result<Option<&Rule>, PolicyError> {
        let r = RuleRef::parse(reference)?;
        Ok(self.entries.iter().find_map(|e| e.policy.rule(&r)))
    }
}

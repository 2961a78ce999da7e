//! Account-sanction statistics (DSA Art 17, 20): sanctions by ground, automation, trigger and
//! category; whether a statement of reasons (a `notification` referencing the sanction) was
//! logged; appeals and their outcome; human review of the sanction and of the appeal; and
//! the time from a sanction's `application_date` to its first statement's `sent_at` and from
//! an appeal's `received_at` to its first decision's `decided_at`, each as a [`Sketch`].
//!
//! References are joined by the referenced record's leaf hash (a `RecordRef`), so memory
//! holds one small entry per sanction and per appeal, nothing per other record. A reference
//! to a record not in the log (or not authentic) is counted as unresolved.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::record::kinds::account_sanction::AccountSanction;
use crate::record::kinds::appeal::Appeal;
use crate::record::kinds::appeal_decision::AppealDecision;
use crate::record::kinds::notification::Notification;
use crate::record::types::Timestamp;

use super::coverage::MAX_LISTED;
use super::sketch::{RELATIVE_ERROR, Sketch, Summary};

/// A sanction as the joins need it.
#[derive(Debug)]
struct Sanction {
    leaf: u64,
    puid: String,
    applied: Timestamp,
    first_statement: Option<Timestamp>,
    /// The outcome of its first decided appeal; `Some(None)`: appealed, undecided.
    appeal: Option<Option<&'static str>>,
}

#[derive(Debug)]
struct AppealEntry {
    sanction: [u8; 32],
    received: Timestamp,
    decided: bool,
}

/// A sanction named by its leaf and `puid`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SanctionRef {
    pub leaf: u64,
    pub puid: String,
}

/// A duration distribution and the sketch's stated error.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Durations {
    #[serde(flatten)]
    pub summary: Option<Summary>,
    /// The relative error of median and p90 (the maximum is exact).
    pub relative_error: f64,
}

/// Unresolved references: records referring to a sanction or appeal not in the counted log.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Unresolved {
    pub notifications: u64,
    pub appeals: u64,
    pub appeal_decisions: u64,
}

/// Sanction statistics.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sanctions {
    pub total: u64,
    pub by_ground: BTreeMap<String, u64>,
    pub by_category: BTreeMap<String, u64>,
    pub by_automated_decision: BTreeMap<String, u64>,
    /// `yes` / `no`.
    pub by_automated_detection: BTreeMap<String, u64>,
    /// The triggering event's kind, or `not recorded`.
    pub by_trigger: BTreeMap<String, u64>,
    /// The sanction's own human review: `done`, `not done`, `not recorded`.
    pub by_human_review: BTreeMap<String, u64>,
    /// Statement of reasons logged: `sent` (a notification references it) or `none logged`.
    pub by_statement: BTreeMap<String, u64>,
    /// The first [`MAX_LISTED`] sanctions with no statement logged.
    pub without_statement: Vec<SanctionRef>,
    /// `not appealed`, `undecided`, or the first decision's outcome.
    pub by_appeal_outcome: BTreeMap<String, u64>,
    /// Appeal decisions by whether a person reviewed them: `human review`, `no human review`.
    pub appeal_decisions_by_review: BTreeMap<String, u64>,
    /// application_date → first statement's sent_at.
    pub time_to_statement: Durations,
    /// Statements sent before the sanction's application date (not in the durations).
    pub statements_before_application: u64,
    /// appeal received_at → first decision's decided_at.
    pub time_to_appeal_decision: Durations,
    /// Decisions dated before their appeal (not in the durations).
    pub decisions_before_appeal: u64,
    pub unresolved: Unresolved,
}

/// Counts sanctions, statements, appeals and decisions as they stream by.
#[derive(Debug, Default)]
pub(crate) struct SanctionTally {
    total: u64,
    sanctions: HashMap<[u8; 32], Sanction>,
    appeals: HashMap<[u8; 32], AppealEntry>,
    by: BTreeMap<&'static str, BTreeMap<String, u64>>,
    to_decision: Sketch,
    decisions_early: u64,
    unresolved: Unresolved,
}

fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

impl SanctionTally {
    fn bump(&mut self, table: &'static str, key: &str) {
        *self
            .by
            .entry(table)
            .or_default()
            .entry(key.to_string())
            .or_default() += 1;
    }

    pub fn sanction(&mut self, leaf: u64, hash: [u8; 32], s: &AccountSanction) {
        self.total += 1;
        self.bump("ground", s.decision_ground.as_str());
        self.bump("category", s.category.as_str());
        self.bump("automated_decision", s.automated_decision.as_str());
        self.bump("automated_detection", yes_no(s.automated_detection));
        let trigger = s
            .triggering_event
            .as_ref()
            .map_or("not recorded", |t| t.kind.as_str());
        self.bump("trigger", trigger);
        let review = match &s.human_review {
            None => "not recorded",
            Some(h) if h.done => "done",
            Some(_) => "not done",
        };
        self.bump("human_review", review);
        self.sanctions.insert(
            hash,
            Sanction {
                leaf,
                puid: s.puid.to_string(),
                applied: s.application_date,
                first_statement: None,
                appeal: None,
            },
        );
    }

    pub fn notification(&mut self, n: &Notification) {
        match self.sanctions.get_mut(&n.sanction.leaf_hash.0) {
            Some(s) => {
                s.first_statement = Some(s.first_statement.map_or(n.sent_at, |t| t.min(n.sent_at)))
            }
            None => self.unresolved.notifications += 1,
        }
    }

    pub fn appeal(&mut self, hash: [u8; 32], a: &Appeal) {
        let target = a.sanction.leaf_hash.0;
        match self.sanctions.get_mut(&target) {
            Some(s) => {
                s.appeal.get_or_insert(None);
                self.appeals.insert(
                    hash,
                    AppealEntry {
                        sanction: target,
                        received: a.received_at,
                        decided: false,
                    },
                );
            }
            None => self.unresolved.appeals += 1,
        }
    }

    pub fn decision(&mut self, d: &AppealDecision) {
        let review = if d.human_review {
            "human review"
        } else {
            "no human review"
        };
        self.bump("appeal_review", review);
        let Some(a) = self.appeals.get_mut(&d.appeal.leaf_hash.0) else {
            self.unresolved.appeal_decisions += 1;
            return;
        };
        if a.decided {
            return;
        }
        a.decided = true;
        match d.decided_at.millis().checked_sub(a.received.millis()) {
            Some(ms) => self.to_decision.add(ms),
            None => self.decisions_early += 1,
        }
        if let Some(s) = self.sanctions.get_mut(&a.sanction)
            && matches!(s.appeal, Some(None))
        {
            s.appeal = Some(Some(d.outcome.as_str()));
        }
    }

    pub fn finish(mut self) -> Sanctions {
        let mut to_statement = Sketch::default();
        let mut early = 0;
        let mut without = Vec::new();
        let mut sanctions: Vec<Sanction> =
            std::mem::take(&mut self.sanctions).into_values().collect();
        sanctions.sort_by_key(|s| s.leaf);
        for s in &sanctions {
            let statement = match s.first_statement {
                Some(t) => {
                    match t.millis().checked_sub(s.applied.millis()) {
                        Some(ms) => to_statement.add(ms),
                        None => early += 1,
                    }
                    "sent"
                }
                None => {
                    if without.len() < MAX_LISTED {
                        without.push(SanctionRef {
                            leaf: s.leaf,
                            puid: s.puid.clone(),
                        });
                    }
                    "none logged"
                }
            };
            self.bump("statement", statement);
            let appeal = match s.appeal {
                None => "not appealed",
                Some(None) => "undecided",
                Some(Some(o)) => o,
            };
            self.bump("appeal_outcome", appeal);
        }
        let mut table = |name: &str| self.by.remove(name).unwrap_or_default();
        Sanctions {
            total: self.total,
            by_ground: table("ground"),
            by_category: table("category"),
            by_automated_decision: table("automated_decision"),
            by_automated_detection: table("automated_detection"),
            by_trigger: table("trigger"),
            by_human_review: table("human_review"),
            by_statement: table("statement"),
            without_statement: without,
            by_appeal_outcome: table("appeal_outcome"),
            appeal_decisions_by_review: table("appeal_review"),
            time_to_statement: Durations {
                summary: to_statement.summary(),
                relative_error: RELATIVE_ERROR,
            },
            statements_before_application: early,
            time_to_appeal_decision: Durations {
                summary: self.to_decision.summary(),
                relative_error: RELATIVE_ERROR,
            },
            decisions_before_appeal: self.decisions_early,
            unresolved: self.unresolved,
        }
    }
}

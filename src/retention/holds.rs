//! Legal holds: which records are held at an instant. A hold suspends `cap` deletions
//! (rule kind `hold-override`; GDPR 17(3)(e), 18(1)(c), LED 16(3)).
//!
//! Owns: [`HoldBook`], fed in leaf order with legal-hold records (set / release, explicit
//! scopes of (producer, seq, leaf hash)), and the query [`HoldBook::is_held`]. A hold is
//! active for a record from the set record's `occurred_at` until the earliest of its
//! `until` and the release (of the whole hold, or of that record) — each counted only if
//! known at the instant asked about. [`HoldBook::holds_before`] asks the same by log order:
//! the holds an action at a given leaf had to respect (set at an earlier leaf, not released
//! at an earlier leaf), which is what judges a deletion — its claimed time cannot move it
//! out from under a hold that was already in the log.

use std::collections::HashMap;

use crate::record::kinds::legal_hold::{HoldAction, LegalHold};
use crate::record::kinds::retention_policy::Condition;
use crate::record::types::{RecordRef, Timestamp};

use super::events::ConditionSpan;

/// A legal-hold record that does not fit the holds before it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HoldError {
    #[error("legal hold at leaf {leaf}: hold {hold_id} is already set (leaf {first_leaf})")]
    AlreadySet {
        hold_id: String,
        leaf: u64,
        first_leaf: u64,
    },
    #[error("legal hold release at leaf {leaf}: no hold {hold_id} was set")]
    UnknownHold { hold_id: String, leaf: u64 },
    #[error(
        "legal hold release at leaf {leaf}: set_by names {found}, but hold {hold_id} was set by {expected}"
    )]
    SetByMismatch {
        hold_id: String,
        leaf: u64,
        expected: String,
        found: String,
    },
    #[error(
        "legal hold release at leaf {leaf}: record {record} is not held by hold {hold_id} (not in its scope, or released already)"
    )]
    NotHeld {
        hold_id: String,
        leaf: u64,
        record: String,
    },
    #[error("legal hold release at leaf {leaf}: hold {hold_id} was released already")]
    AlreadyReleased { hold_id: String, leaf: u64 },
    #[error(
        "legal hold release at leaf {leaf}: released at {at}, before the hold {hold_id} was set at {set_at}"
    )]
    ReleaseBeforeSet {
        hold_id: String,
        leaf: u64,
        at: String,
        set_at: String,
    },
}

/// One hold over a set of records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hold {
    pub hold_id: String,
    /// The legal-hold record that set it.
    pub set_by: RecordRef,
    pub set_leaf: u64,
    pub set_at: Timestamp,
    pub until: Option<Timestamp>,
    /// When the whole hold was released.
    pub released_at: Option<Timestamp>,
    /// The leaf of the record that released the whole hold.
    pub released_leaf: Option<u64>,
    /// The records held, each with the time it alone was released.
    pub scope: Vec<(RecordRef, Option<Timestamp>)>,
    /// Aligned with `scope`: the leaf of the record that released that record alone.
    pub scope_released_leaf: Vec<Option<u64>>,
}

impl Hold {
    /// The instant the hold stops for `record`, as known at `at` (`None`: still open).
    fn end_for(&self, i: usize, at: Timestamp) -> Option<Timestamp> {
        [self.until, self.released_at, self.scope[i].1]
            .into_iter()
            .flatten()
            .filter(|t| *t <= at || Some(*t) == self.until)
            .min()
    }

    /// Whether the hold still applied to `record` (its `i`th) for an action at `leaf` at
    /// time `at`: set at an earlier leaf, released (whole or for the record) at no earlier
    /// leaf, and its `until` not passed by `at`.
    fn open_before(&self, i: usize, leaf: u64, at: Timestamp) -> bool {
        let released = [self.released_leaf, self.scope_released_leaf[i]]
            .into_iter()
            .flatten()
            .any(|l| l < leaf);
        self.set_leaf < leaf && !released && self.until.is_none_or(|u| u > at)
    }
}

/// Every legal hold of a log, by hold id, with an index from record to holds.
#[derive(Debug, Clone, Default)]
pub struct HoldBook {
    holds: Vec<Hold>,
    by_record: HashMap<RecordRef, Vec<(usize, usize)>>,
}

impl HoldBook {
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether any hold's scope names `record`.
    pub fn names(&self, record: &RecordRef) -> bool {
        self.by_record.contains_key(record)
    }

    /// Apply the legal-hold record `own` at `leaf`, whose `occurred_at` is `at`.
    pub fn apply(
        &mut self,
        leaf: u64,
        own: &RecordRef,
        at: Timestamp,
        body: &LegalHold,
    ) -> Result<(), HoldError> {
        let hold_id = body.hold_id.as_str();
        let existing = self.holds.iter().position(|h| h.hold_id == hold_id);
        match body.action {
            HoldAction::Set => {
                if let Some(i) = existing {
                    return Err(HoldError::AlreadySet {
                        hold_id: hold_id.to_owned(),
                        leaf,
                        first_leaf: self.holds[i].set_leaf,
                    });
                }
                let h = self.holds.len();
                for (j, r) in body.scope.iter().enumerate() {
                    self.by_record.entry(r.clone()).or_default().push((h, j));
                }
                self.holds.push(Hold {
                    hold_id: hold_id.to_owned(),
                    set_by: own.clone(),
                    set_leaf: leaf,
                    set_at: at,
                    until: body.until,
                    released_at: None,
                    released_leaf: None,
                    scope: body.scope.iter().map(|r| (r.clone(), None)).collect(),
                    scope_released_leaf: vec![None; body.scope.len()],
                });
                Ok(())
            }
            HoldAction::Release => {
                let i = existing.ok_or_else(|| HoldError::UnknownHold {
                    hold_id: hold_id.to_owned(),
                    leaf,
                })?;
                let hold = &mut self.holds[i];
                if let Some(s) = &body.set_by
                    && *s != hold.set_by
                {
                    return Err(HoldError::SetByMismatch {
                        hold_id: hold_id.to_owned(),
                        leaf,
                        expected: show(&hold.set_by),
                        found: show(s),
                    });
                }
                if hold.released_at.is_some() {
                    return Err(HoldError::AlreadyReleased {
                        hold_id: hold_id.to_owned(),
                        leaf,
                    });
                }
                if at < hold.set_at {
                    return Err(HoldError::ReleaseBeforeSet {
                        hold_id: hold_id.to_owned(),
                        leaf,
                        at: at.to_rfc3339(),
                        set_at: hold.set_at.to_rfc3339(),
                    });
                }
                if body.scope.is_empty() {
                    hold.released_at = Some(at);
                    hold.released_leaf = Some(leaf);
                    return Ok(());
                }
                // All or nothing: a release naming one record it cannot release changes none.
                let mut slots = Vec::with_capacity(body.scope.len());
                for r in &body.scope {
                    let j = hold
                        .scope
                        .iter()
                        .enumerate()
                        .position(|(j, (s, released))| {
                            s == r && released.is_none() && !slots.contains(&j)
                        })
                        .ok_or_else(|| HoldError::NotHeld {
                            hold_id: hold_id.to_owned(),
                            leaf,
                            record: show(r),
                        })?;
                    slots.push(j);
                }
                for j in slots {
                    hold.scope[j].1 = Some(at);
                    hold.scope_released_leaf[j] = Some(leaf);
                }
                Ok(())
            }
        }
    }

    /// The holds over `record` active at `at` (set at or before `at`, not lapsed, not
    /// released by `at`).
    pub fn holds_over(&self, record: &RecordRef, at: Timestamp) -> Vec<&Hold> {
        self.spans_with(record, at)
            .filter(|(_, s)| s.until.is_none_or(|u| u > at))
            .map(|(h, _)| h)
            .collect()
    }

    /// Every hold, in the order set.
    pub fn all(&self) -> &[Hold] {
        &self.holds
    }

    /// The holds an action at `leaf`, executed at `at`, had to respect for `record`: set at
    /// a leaf before `leaf`, not released (whole, or for `record`) at a leaf before it, and
    /// not lapsed (`until`) by `at`. Judged by log order, so a claimed time earlier than the
    /// hold (a backdated deletion) does not escape it.
    pub fn holds_before(&self, record: &RecordRef, leaf: u64, at: Timestamp) -> Vec<&Hold> {
        self.by_record
            .get(record)
            .into_iter()
            .flatten()
            .filter_map(|&(h, j)| {
                let hold = &self.holds[h];
                hold.open_before(j, leaf, at).then_some(hold)
            })
            .collect()
    }

    /// Whether `record` is held at `at`.
    pub fn is_held(&self, record: &RecordRef, at: Timestamp) -> bool {
        !self.holds_over(record, at).is_empty()
    }

    /// The `legal-hold` condition spans of `record` as known at `at`.
    pub fn spans(&self, record: &RecordRef, at: Timestamp) -> Vec<ConditionSpan> {
        self.spans_with(record, at).map(|(_, s)| s).collect()
    }

    fn spans_with<'a>(
        &'a self,
        record: &RecordRef,
        at: Timestamp,
    ) -> impl Iterator<Item = (&'a Hold, ConditionSpan)> + 'a {
        self.by_record
            .get(record)
            .into_iter()
            .flatten()
            .filter_map(move |&(h, j)| {
                let hold = &self.holds[h];
                (hold.set_at <= at).then(|| {
                    (
                        hold,
                        ConditionSpan {
                            condition: Condition::LegalHold,
                            from: hold.set_at,
                            until: hold.end_for(j, at),
                            source: format!("hold {}", hold.hold_id),
                        },
                    )
                })
            })
    }
}

fn show(r: &RecordRef) -> String {
    format!("{}#{} ({})", r.producer, r.seq, r.leaf_hash)
}

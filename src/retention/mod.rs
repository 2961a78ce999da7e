//! Retention (issue 6): when each record's sealed-field disclosures may, and must, be
//! deleted, under the retention policy in force at the record's leaf (DESIGN.md, "Trust
//! model" last row and check 7; shared/record-fields.md, retention kinds and named rules).
//!
//! Owns the pure core only — no I/O, no clock:
//! - [`policy`]: rules built from retention-policy bodies, deadline arithmetic in the
//!   rule's IANA time zone (`jiff`, bundled tzdb), the [`PolicyTimeline`] by leaf;
//! - [`events`]: trigger events and pending conditions from case-status, notification and
//!   account-sanction records;
//! - [`holds`]: legal holds set and released over explicit record sets;
//! - [`schedule`]: one record's earliest deletion, due instant, declared-rule findings and
//!   minimum-versus-cap conflicts;
//! - [`plan`]: a set of records sorted into due, overdue, held, not yet, undetermined.
//!
//! Not here (see `docs/RETENTION.md`): encrypted disclosures and crypto-shredding, the
//! `retention apply` command (`logseal retention plan` is in the binary), retention-deletion
//! appends, and check 7 in the verifier, which will consume [`plan::Plan`].

pub mod events;
pub mod holds;
pub mod plan;
pub mod policy;
pub mod schedule;
#[cfg(test)]
mod tests;
pub mod walk;

pub use events::{ConditionSpan, EventBook, EventError, TriggerEvent};
pub use holds::{Hold, HoldBook, HoldError};
pub use plan::{
    DueItem, HeldItem, Located, NotYetItem, Placed, Plan, PlanRecord, UndeterminedItem, place, plan,
};
pub use policy::{Policy, PolicyError, PolicyTimeline, Rule, RuleRef};
pub use schedule::{
    Bound, Conflict, RecordFacts, RuleFinding, RuleOutcome, Schedule, ScheduleError, schedule,
};
pub use walk::{
    AppliedPolicy, Deletion, ResolvedTarget, SealedRecord, UnauthorisedPolicy, Walk, WalkError,
    target_covers, walk_log,
};

use crate::record::Disclosure;

/// Read access to the sealed-field disclosures a log keeps in its private part: what check 7
/// compares with the records' commitments, and what a sweep erases. Implemented by
/// [`crate::log::Log`]; tests wrap it to hide or keep disclosures.
pub trait DisclosureSource {
    /// The disclosures of the record at `leaf` that can still be read (decrypted); empty
    /// when there are none — never stored, erased, or their key destroyed. `Err` says why
    /// the private part cannot be read (not a finding: check 7 then cannot run).
    fn readable(&self, leaf: u64) -> Result<Vec<Disclosure>, String>;
}

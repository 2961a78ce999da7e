//! Check 8, obligations: was each access within its grant and logged with what the law asks,
//! and was each sanction explained, reviewed and appealable — under the obligation rules of
//! the `obligation-policy` records signed by the trust file's `obligation_policy_authority`
//! (docs/CHECKS.md §8).
//!
//! A unit of the driver ([`Unit`]), fed each record in leaf order with check 3's verdict.
//! Owns the policy walk: the rules in force at each leaf are those of the latest authentic
//! policy record of the pinned authority at an earlier leaf (a policy applies from its own
//! leaf onward; a policy from anyone else applies nothing and is reported as a notice).
//! The rule types are judged in two parts, each with its own state: [`access`] (data
//! accesses: scope of the grant, order and case references, recipients, break-glass
//! justification) and [`sanctions`] (statements of reasons, appeals, human review, the
//! detection a sanction claims). Records that are not authentic (check 3) take no part.
//!
//! Proving a negative ("no statement of reasons was sent") needs the follower's chain to be
//! complete past the deadline plus its logging delay; the unit tracks each producer's
//! authentic records ([`Followers`]) so that the finish stage can tell *violated* from
//! *cannot be determined*.

use std::collections::HashMap;
use std::ops::Range;

use crate::record::kinds::Body;
use crate::record::kinds::obligation_policy::{ObligationPolicy, ObligationRule, ObligationType};
use crate::record::text::ProducerId;
use crate::record::types::Timestamp;

use super::driver::{RecordCtx, Unit};
use super::report::{Check, Finding, Findings};
use super::trust::Trust;

pub(crate) mod access;
pub(crate) mod sanctions;

pub(crate) const C: Check = Check::Obligations;

/// Why check 8 did not run when the trust file pins no obligation policy authority.
pub const NO_AUTHORITY: &str = "the trust file names no obligation_policy_authority: no \
     obligation policy applies (an obligation-policy record signed by anyone else could \
     switch rules off)";

/// Why check 8 did not run in an incremental run.
pub const INCREMENTAL: &str = "check 8 judges references across the whole log (statements of \
     reasons, appeals, justifications): run a full verification";

/// The obligation rules in force at a leaf.
#[derive(Debug, Clone, Default)]
pub(crate) struct InForce {
    /// The leaf of the policy record, and the policy; `None` before the first one.
    pub policy: Option<(u64, ObligationPolicy)>,
}

impl InForce {
    /// The rules of `rule` type in force, with the policy's leaf.
    pub fn rules(&self, rule: ObligationType) -> impl Iterator<Item = &ObligationRule> {
        self.policy
            .iter()
            .flat_map(move |(_, p)| p.rules.iter().filter(move |r| r.rule == rule))
    }
}

/// What the unit knows of each producer's chain: the authentic records seen, in seq order,
/// and where the chain has a hole (a seq skipped, a record not authentic, entries lost).
#[derive(Debug, Default)]
pub(crate) struct Followers {
    chains: HashMap<String, Chain>,
    /// Entries not read: any chain may have a hole there.
    lost: Vec<Range<u64>>,
}

#[derive(Debug, Default)]
struct Chain {
    /// The last authentic record: (seq, leaf, occurred_at).
    last: Option<(u64, u64, Timestamp)>,
    /// Leaves at which the chain shows a hole: a record not authentic, or the first record
    /// after skipped seqs. The records missing lie before that leaf.
    holes: Vec<u64>,
    /// Authentic records: (leaf, occurred_at), in leaf order.
    times: Vec<(u64, Timestamp)>,
}

impl Followers {
    fn record(&mut self, ctx: &RecordCtx<'_>) {
        let p = ctx.rec.payload();
        let chain = self.chains.entry(p.producer.to_string()).or_default();
        if !ctx.authentic {
            chain.holes.push(ctx.leaf);
            return;
        }
        if let Some((seq, _, _)) = chain.last
            && p.seq != seq + 1
        {
            chain.holes.push(ctx.leaf);
        }
        chain.last = Some((p.seq, ctx.leaf, p.occurred_at));
        chain.times.push((ctx.leaf, p.occurred_at));
    }

    /// The first authentic record of `producer` at a leaf after `from_leaf` dated after
    /// `after`, if the producer's chain has no hole between `from_leaf` and it and no entries
    /// were lost there: the proof that every record the producer made by `after` (minus its
    /// logging delay) is in the log before it. `Err` names what is missing.
    pub fn complete_past(
        &self,
        producer: &str,
        from_leaf: u64,
        after: Timestamp,
    ) -> Result<u64, String> {
        let Some(chain) = self.chains.get(producer) else {
            return Err(format!("{producer} has no authentic record in the log"));
        };
        let Some(&(leaf, _)) = chain
            .times
            .iter()
            .find(|(l, t)| *l > from_leaf && *t > after)
        else {
            return Err(format!(
                "no record of {producer} after leaf {from_leaf} is dated after {} (a later \
                 record or heartbeat of {producer} would prove it)",
                after.to_rfc3339()
            ));
        };
        if let Some(h) = chain.holes.iter().find(|h| **h > from_leaf && **h <= leaf) {
            return Err(format!(
                "the chain of {producer} has a gap before leaf {h} (check 4)"
            ));
        }
        if let Some(r) = self
            .lost
            .iter()
            .find(|r| r.end > from_leaf && r.start < leaf)
        {
            return Err(format!("entries {}..{} could not be read", r.start, r.end));
        }
        Ok(leaf)
    }
}

/// Check 8 as a unit of the driver.
pub(crate) struct Obligations {
    authority: Option<ProducerId>,
    in_force: InForce,
    followers: Followers,
    access: access::Access,
    sanctions: sanctions::Sanctions,
    /// Authentic records the rules looked at (accesses, sanctions and their follow-ups)
    /// while a policy was in force.
    judged: u64,
}

/// What the finish stage gives check 8.
pub(crate) struct Finish<'a> {
    pub trust: &'a Trust,
    /// The published checkpoint's time (seconds), the "now" of deadlines not yet met.
    pub checkpoint_secs: Option<u64>,
    /// The log's disclosures, on site (`verify DIR` with the private part): what a rule that
    /// recomputes from sealed values (the detection's distance) reads. Findings never print
    /// a sealed value. `None`: those rules say they cannot be determined.
    pub disclosures: Option<&'a dyn crate::retention::DisclosureSource>,
}

impl Obligations {
    pub fn new(trust: &Trust) -> Self {
        Obligations {
            authority: trust.obligation_policy_authority.clone(),
            in_force: InForce::default(),
            followers: Followers::default(),
            access: access::Access::default(),
            sanctions: sanctions::Sanctions::default(),
            judged: 0,
        }
    }

    fn policy(&mut self, leaf: u64, producer: &str, p: &ObligationPolicy, out: &mut Findings) {
        if self
            .authority
            .as_ref()
            .is_some_and(|a| a.as_str() == producer)
        {
            self.in_force.policy = Some((leaf, p.clone()));
        } else {
            out.push(
                Finding::notice(
                    C,
                    "obligation-policy-not-applied",
                    format!(
                        "obligation policy {}@{} is signed by {producer}, not the trust file's \
                         obligation_policy_authority: not applied",
                        p.policy_id, p.version
                    ),
                )
                .at(leaf),
            );
        }
    }

    /// Findings that need the whole log: deadlines without a follow-up, chains to prove a
    /// negative.
    pub fn finish(self, f: &Finish<'_>, out: &mut Findings) {
        if self.in_force.policy.is_none() {
            out.push(Finding::undetermined(
                C,
                "obligation-no-policy",
                "no obligation-policy record of the obligation_policy_authority is in the \
                 log: no obligation rule applies",
            ));
        }
        out.examined(
            C,
            self.judged,
            "records",
            "no data access, sanction, statement, appeal or justification under an obligation \
             policy",
        );
        self.access.finish(&self.followers, f, out);
        self.sanctions.finish(&self.followers, f, out);
    }
}

impl Unit for Obligations {
    fn checks(&self) -> &'static [Check] {
        &[C]
    }

    fn record(&mut self, ctx: &RecordCtx<'_>, out: &mut Findings) {
        self.followers.record(ctx);
        if !ctx.authentic {
            return;
        }
        let p = ctx.rec.payload();
        if let Body::ObligationPolicy(policy) = &p.body {
            self.policy(ctx.leaf, p.producer.as_str(), policy, out);
            return;
        }
        if self.in_force.policy.is_some()
            && matches!(
                p.body,
                Body::DataAccess(_)
                    | Body::AccountSanction(_)
                    | Body::Notification(_)
                    | Body::Appeal(_)
                    | Body::AppealDecision(_)
                    | Body::AccessJustification(_)
            )
        {
            self.judged += 1;
        }
        self.access.record(ctx, &self.in_force, out);
        self.sanctions.record(ctx, &self.in_force, out);
    }

    fn lost(&mut self, leaves: &Range<u64>) {
        self.followers.lost.push(leaves.clone());
    }
}

//! The retention rule an inspection's own data-access record declares: the one rule in force
//! (a minimum or a cap) at the checkpoint that covers a data access with the inspection's data
//! categories, as check 7 finds the rules covering a record. With no
//! such rule, or more than one, the record declares none (and the verifier's check 7 says
//! `retention-rule-undeclared` when a rule covers it): the choice is never guessed.

use super::index::kinds_of;
use super::{Fetched, Inspector, fields::Filter};
use crate::record::kinds::retention_policy::RuleKind;
use crate::record::kinds::{Body, Kind};
use crate::retention::policy::{Policy, PolicyTimeline};

/// `id@version` of the only rule in force at `ins`'s checkpoint covering a record of `kind`
/// with `categories`, if exactly one does.
pub fn covering_rule(ins: &Inspector<'_>, kind: Kind, categories: &[String]) -> Option<String> {
    let mut filter = Filter::default();
    filter.add("kind", Kind::RetentionPolicy.name());
    let mut timeline = PolicyTimeline::new();
    let mut broken = false;
    ins.scan_kinds(None, kinds_of(&filter), false, |r| {
        if let Ok(Fetched { leaf, record, .. }) = r
            && let Body::RetentionPolicy(p) = &record.payload().body
        {
            match Policy::from_body(p).map(|p| timeline.push(leaf, p)) {
                Ok(Ok(())) => {}
                _ => broken = true,
            }
        }
        !broken
    });
    if broken {
        return None;
    }
    let rules: Vec<String> = timeline
        .rules_at(ins.head().size.saturating_sub(1))
        .into_iter()
        // A record declares the minimum or cap it is kept under, never a hold-override.
        .filter(|r| r.kind != RuleKind::HoldOverride && r.covers(kind, categories))
        .map(|r| r.reference.to_string())
        .collect();
    match rules.as_slice() {
        [one] => Some(one.clone()),
        _ => None,
    }
}

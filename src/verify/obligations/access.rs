//! Check 8, the access side: each data access within its grant (legal basis, organisation,
//! role), the order and case references and recipients the policy requires, and each
//! break-glass access justified in time (docs/CHECKS.md §8.1).
//!
//! Only rules whose `producers` cover the access's producer apply, and only to accesses that
//! happened: a denied attempt (`status: denied`) is no access. An access that names no
//! authorisation, or one the registry never granted, is check 6's finding (`auth-missing`,
//! `auth-unknown`), not this one's; so are validity and revocation. A break-glass access
//! under a `break-glass-justified` rule is judged by that rule instead of `access-scope`
//! (an emergency access skips the normal authorisation); without such a rule it is judged
//! like any other. The references are judged by the presence of their sealed paths in the
//! record's public commitment map: no disclosure is read, no sealed value printed.
//!
//! Memory: the grant table (one entry per authorisation granted by the pinned registry) and
//! the break-glass accesses still waiting for their justification.

use std::collections::HashMap;

use super::{C, Finish, Followers, InForce};
use crate::record::Payload;
use crate::record::Status;
use crate::record::kinds::Body;
use crate::record::kinds::access_justification::AccessJustification;
use crate::record::kinds::authorisation::{Authorisation, AuthorisationAction};
use crate::record::kinds::data_access::{Action, DataAccess};
use crate::record::kinds::obligation_policy::{ObligationRule, ObligationType};
use crate::record::sealed::{Commitment, FieldPath, PathElem};
use crate::record::types::{Hash32, Timestamp};
use crate::verify::driver::RecordCtx;
use crate::verify::report::{Finding, Findings};

/// What check 8 keeps of a grant of the pinned registry: what it covers.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Grant {
    leaf: u64,
    bases: Vec<String>,
    organisation: String,
    role: String,
}

/// What a break-glass rule's findings need of the rule.
#[derive(Debug, Clone, PartialEq, Eq)]
struct BreakGlassRule {
    reference: String,
    source: String,
    deadline_ms: u64,
    followers: Vec<String>,
    delay_ms: Option<u64>,
}

impl BreakGlassRule {
    fn new(r: &ObligationRule) -> Self {
        BreakGlassRule {
            reference: r.reference(),
            source: r.legal_source.to_string(),
            deadline_ms: r.deadline_seconds.unwrap_or(0).saturating_mul(1000),
            followers: r.followers.iter().map(|f| f.to_string()).collect(),
            delay_ms: r.max_logging_delay_seconds.map(|s| s.saturating_mul(1000)),
        }
    }

    fn follower(&self, producer: &str) -> bool {
        self.followers.is_empty() || self.followers.iter().any(|f| f == producer)
    }
}

/// A break-glass access waiting for its justification under one rule.
#[derive(Debug, Clone)]
struct Open {
    leaf: u64,
    producer: String,
    seq: u64,
    hash: Hash32,
    at: Timestamp,
    rule: BreakGlassRule,
}

impl Open {
    /// The latest time a justification is in time.
    fn due(&self) -> Timestamp {
        Timestamp(self.at.millis().saturating_add(self.rule.deadline_ms))
    }

    /// Whether the deadline has passed at the checkpoint's time (`None`: unknown, judged as
    /// passed; the proof of a missing justification needs a later follower record anyway).
    fn overdue(&self, checkpoint_secs: Option<u64>) -> bool {
        checkpoint_secs.is_none_or(|now| now.saturating_mul(1000) > self.due().millis())
    }

    fn finding(&self, f: Finding) -> Finding {
        f.at(self.leaf).record(&self.producer, self.seq)
    }
}

/// The access rules' state.
#[derive(Debug, Default)]
pub(crate) struct Access {
    /// The first grant of each authorisation id by the pinned registry.
    grants: HashMap<String, Grant>,
    /// Break-glass accesses not yet justified, by (producer, seq).
    open: HashMap<(String, u64), Vec<Open>>,
}

impl Access {
    /// One authentic record, with the rules in force at its leaf.
    pub fn record(&mut self, ctx: &RecordCtx<'_>, rules: &InForce, out: &mut Findings) {
        let p = ctx.rec.payload();
        match &p.body {
            Body::Authorisation(a) if p.producer == ctx.trust.registry => self.grant(ctx.leaf, a),
            Body::DataAccess(d) if p.status != Status::Denied => {
                self.access(ctx, d, rules, out);
            }
            Body::AccessJustification(j) => self.justification(ctx.leaf, p, j, out),
            _ => {}
        }
    }

    /// A grant of the registry; a second grant of an id changes nothing (check 6 reports
    /// it), a revocation is check 6's.
    fn grant(&mut self, leaf: u64, a: &Authorisation) {
        if a.action != AuthorisationAction::Grant {
            return;
        }
        self.grants
            .entry(a.authorisation_id.to_string())
            .or_insert_with(|| Grant {
                leaf,
                bases: a.legal_bases.iter().map(|b| b.to_string()).collect(),
                organisation: a.organisation.to_string(),
                role: a.role.to_string(),
            });
    }

    fn access(&mut self, ctx: &RecordCtx<'_>, d: &DataAccess, rules: &InForce, out: &mut Findings) {
        let p = ctx.rec.payload();
        let producer = p.producer.as_str();
        let covering = |t| rules.rules(t).filter(move |r| r.covers(producer));
        let at = |f: Finding| f.at(ctx.leaf).record(&p.producer, p.seq);
        let break_glass: Vec<&ObligationRule> = if d.actor.break_glass {
            covering(ObligationType::BreakGlassJustified).collect()
        } else {
            Vec::new()
        };
        if break_glass.is_empty() {
            let grant = d
                .actor
                .authorisation_id
                .as_ref()
                .and_then(|id| self.grants.get(id.as_str()).map(|g| (id.as_str(), g)));
            for r in covering(ObligationType::AccessScope) {
                for (code, what, expected, found) in
                    grant.map(|(id, g)| scope(id, g, d)).unwrap_or_default()
                {
                    out.push(
                        at(Finding::violated(C, code, message(r, &what))).evidence(expected, found),
                    );
                }
            }
        }
        let references: [(ObligationType, Reference); 3] = [
            (ObligationType::OrderRequired, order_missing),
            (ObligationType::CaseReference, case_ref_missing),
            (ObligationType::RecipientRecorded, recipient_missing),
        ];
        for (t, missing) in references {
            for r in covering(t) {
                if let Some((code, what, expected)) = missing(r, d, &p.sealed) {
                    out.push(
                        at(Finding::violated(C, code, message(r, &what)))
                            .evidence(expected, "none sealed"),
                    );
                }
            }
        }
        for r in break_glass {
            self.open
                .entry((producer.to_string(), p.seq))
                .or_default()
                .push(Open {
                    leaf: ctx.leaf,
                    producer: producer.to_string(),
                    seq: p.seq,
                    hash: ctx.hash,
                    at: p.occurred_at,
                    rule: BreakGlassRule::new(r),
                });
        }
    }

    /// An access justification: it closes the open break-glass items of the access it names
    /// (producer, seq and leaf hash) whose rule lets its producer justify; the first such
    /// justification decides.
    fn justification(
        &mut self,
        leaf: u64,
        p: &Payload,
        j: &AccessJustification,
        out: &mut Findings,
    ) {
        let key = (j.access.producer.to_string(), j.access.seq);
        let Some(items) = self.open.get_mut(&key) else {
            return;
        };
        let by = p.producer.as_str();
        // A justification is not earlier than the record that states it.
        let at = j.justified_at.max(p.occurred_at);
        let what = format!("{by}#{} at leaf {leaf}", p.seq);
        items.retain(|o| {
            if o.hash != j.access.leaf_hash || !o.rule.follower(by) {
                return true;
            }
            if let Some(f) = judge_justification(o, at, j.approved, &what) {
                out.push(f);
            }
            false
        });
        if items.is_empty() {
            self.open.remove(&key);
        }
    }

    /// Break-glass accesses never justified: violated when the followers' chains prove that
    /// no justification was made in time, otherwise cannot be determined; none before the
    /// deadline has passed at the checkpoint's time.
    pub fn finish(self, followers: &Followers, f: &Finish<'_>, out: &mut Findings) {
        let mut open: Vec<Open> = self.open.into_values().flatten().collect();
        open.sort_by(|a, b| (a.leaf, &a.rule.reference).cmp(&(b.leaf, &b.rule.reference)));
        for o in open {
            if !o.overdue(f.checkpoint_secs) {
                continue;
            }
            let proof = prove_none(&o, followers, |p| {
                o.rule.delay_ms.unwrap_or_else(|| f.trust.max_delay_ms(p))
            });
            out.push(unjustified(&o, proof));
        }
    }
}

/// "rule id@version (legal source): what".
fn message(r: &ObligationRule, what: &str) -> String {
    format!(
        "{} rule {} ({}): {what}",
        r.rule,
        r.reference(),
        r.legal_source
    )
}

type Problem = (&'static str, String, String, String);

/// Where an access (its authorisation `id` granted as `g`) leaves its grant: the legal
/// basis, the organisation, the role; one problem each.
fn scope(id: &str, g: &Grant, d: &DataAccess) -> Vec<Problem> {
    let mut v = Vec::new();
    let basis = d.legal_basis.as_str();
    if !g.bases.iter().any(|b| b == basis) {
        v.push((
            "obligation-access-basis-not-granted",
            format!(
                "a {} access under legal basis {basis}, which authorisation {id} (granted at \
                 leaf {}) does not grant",
                d.action, g.leaf
            ),
            format!(
                "one of {} (grant of {id}, leaf {})",
                g.bases.join(", "),
                g.leaf
            ),
            basis.to_string(),
        ));
    }
    for (code, what, granted, found) in [
        (
            "obligation-access-organisation-mismatch",
            "organisation",
            &g.organisation,
            d.actor.organisation.as_str(),
        ),
        (
            "obligation-access-role-mismatch",
            "role",
            &g.role,
            d.actor.role.as_str(),
        ),
    ] {
        if granted != found {
            v.push((
                code,
                format!(
                    "a {} access by {what} {found} under authorisation {id}, granted (leaf {}) \
                     to {what} {granted}",
                    d.action, g.leaf
                ),
                format!("{what} {granted} (grant of {id}, leaf {})", g.leaf),
                format!("{what} {found}"),
            ));
        }
    }
    v
}

/// Whether the record seals the top-level field `name`.
fn seals(sealed: &[(FieldPath, Commitment)], name: &str) -> bool {
    sealed
        .iter()
        .any(|(p, _)| matches!(p.0.as_slice(), [PathElem::Name(n)] if n == name))
}

/// Whether the record seals at least one `recipients.<i>`.
fn seals_recipient(sealed: &[(FieldPath, Commitment)]) -> bool {
    sealed.iter().any(|(p, _)| {
        matches!(p.0.as_slice(), [PathElem::Name(n), PathElem::Index(_), ..] if n == "recipients")
    })
}

type Missing = (&'static str, String, String);

/// A reference rule's judgement of an access: the code, what is missing, what was expected.
type Reference = fn(&ObligationRule, &DataAccess, &[(FieldPath, Commitment)]) -> Option<Missing>;

/// `order-required`: an access under one of the rule's bases without a sealed `order_ref`.
fn order_missing(
    r: &ObligationRule,
    d: &DataAccess,
    sealed: &[(FieldPath, Commitment)],
) -> Option<Missing> {
    let basis = d.legal_basis.as_str();
    (r.legal_bases.iter().any(|b| b.as_str() == basis) && !seals(sealed, "order_ref")).then(|| {
        (
            "obligation-order-missing",
            format!(
                "a {} access under legal basis {basis}, which needs an order, names none",
                d.action
            ),
            format!("a sealed order_ref (basis {basis} needs an order)"),
        )
    })
}

/// `case-reference`: an access under one of the rule's bases (none listed: any) without a
/// sealed `case_ref`.
fn case_ref_missing(
    r: &ObligationRule,
    d: &DataAccess,
    sealed: &[(FieldPath, Commitment)],
) -> Option<Missing> {
    let basis = d.legal_basis.as_str();
    let applies = r.legal_bases.is_empty() || r.legal_bases.iter().any(|b| b.as_str() == basis);
    (applies && !seals(sealed, "case_ref")).then(|| {
        (
            "obligation-case-ref-missing",
            format!(
                "a {} access under legal basis {basis} names no case reference",
                d.action
            ),
            "a sealed case_ref".to_string(),
        )
    })
}

/// `recipient-recorded`: a disclosure or transfer without a sealed `recipients.<i>`.
fn recipient_missing(
    _: &ObligationRule,
    d: &DataAccess,
    sealed: &[(FieldPath, Commitment)],
) -> Option<Missing> {
    (matches!(d.action, Action::Disclose | Action::Transfer) && !seals_recipient(sealed)).then(
        || {
            (
                "obligation-recipient-missing",
                format!("a {} names no recipient", d.action),
                "at least one sealed recipients.<i>".to_string(),
            )
        },
    )
}

/// A justification (`what`, made at `at`) of the open break-glass item `o`: refused by
/// the review, or late; `None` when it justifies the access in time.
fn judge_justification(o: &Open, at: Timestamp, approved: bool, what: &str) -> Option<Finding> {
    let r = &o.rule;
    let due = o.due();
    if !approved {
        let f = Finding::violated(
            C,
            "obligation-break-glass-refused",
            format!(
                "break-glass-justified rule {} ({}): the review of this break-glass access \
                 ({what}) did not approve it",
                r.reference, r.source
            ),
        );
        return Some(
            o.finding(f)
                .evidence("an approved justification", format!("refused ({what})")),
        );
    }
    (at > due).then(|| {
        let f = Finding::violated(
            C,
            "obligation-break-glass-late",
            format!(
                "break-glass-justified rule {} ({}): this break-glass access was justified \
                 ({what}) after the deadline of {} s",
                r.reference,
                r.source,
                r.deadline_ms / 1000
            ),
        );
        o.finding(f).evidence(
            format!("justified by {}", due.to_rfc3339()),
            format!("justified at {} ({what})", at.to_rfc3339()),
        )
    })
}

/// The proof that no follower of `o`'s rule justified it in time: for each follower, the
/// leaf of its first record dated after the deadline plus its logging delay with a complete
/// chain up to it; `Err` names what is missing.
fn prove_none(
    o: &Open,
    followers: &Followers,
    delay_ms: impl Fn(&str) -> u64,
) -> Result<Vec<(String, u64)>, String> {
    if o.rule.followers.is_empty() {
        return Err(
            "the rule names no followers: a justification may come from any producer, \
                    and no chain proves that none was made"
                .to_string(),
        );
    }
    o.rule
        .followers
        .iter()
        .map(|p| {
            let after = Timestamp(o.due().millis().saturating_add(delay_ms(p)));
            followers
                .complete_past(p, o.leaf, after)
                .map(|leaf| (p.clone(), leaf))
        })
        .collect()
}

/// The finding of a break-glass access without a justification.
fn unjustified(o: &Open, proof: Result<Vec<(String, u64)>, String>) -> Finding {
    let r = &o.rule;
    let expected = format!("a justification by {}", o.due().to_rfc3339());
    match proof {
        Ok(leaves) => {
            let found = leaves
                .iter()
                .map(|(p, l)| format!("{p} complete to leaf {l}"))
                .collect::<Vec<_>>()
                .join(", ");
            let f = Finding::violated(
                C,
                "obligation-break-glass-unjustified",
                format!(
                    "break-glass-justified rule {} ({}): this break-glass access was never \
                     justified; the justifiers' chains are complete past the deadline plus \
                     their logging delay ({found})",
                    r.reference, r.source
                ),
            );
            o.finding(f).evidence(expected, format!("none ({found})"))
        }
        Err(missing) => {
            let f = Finding::undetermined(
                C,
                "obligation-break-glass-undetermined",
                format!(
                    "break-glass-justified rule {} ({}): no justification of this break-glass \
                     access is in the log, but whether none was made cannot be determined: \
                     {missing}",
                    r.reference, r.source
                ),
            );
            o.finding(f)
                .evidence(expected, format!("none in the log; {missing}"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn access(basis: &str, action: &str, org: &str, role: &str) -> DataAccess {
        serde_json::from_value(json!({
            "action": action, "legal_basis": basis, "purpose": "criminal-investigation",
            "actor": {"role": role, "organisation": org, "authorisation_id": "auth-1"},
            "data_categories": ["subscriber-name-address"]
        }))
        .unwrap()
    }

    fn rule(kind: &str, bases: &[&str]) -> ObligationRule {
        serde_json::from_value(json!({
            "id": "r", "version": 2, "rule": kind, "legal_bases": bases,
            "deadline_seconds": 3600, "legal_source": "test"
        }))
        .unwrap()
    }

    fn grant() -> Grant {
        Grant {
            leaf: 13,
            bases: vec!["nl-sv-126n".into()],
            organisation: "politie".into(),
            role: "officer".into(),
        }
    }

    fn sealed(paths: &[&str]) -> Vec<(FieldPath, Commitment)> {
        paths
            .iter()
            .map(|p| (FieldPath::parse(p).unwrap(), [0; 32]))
            .collect()
    }

    fn codes(v: Vec<Problem>) -> Vec<&'static str> {
        v.into_iter().map(|p| p.0).collect()
    }

    #[test]
    fn scope_names_each_way_out_of_the_grant() {
        let g = grant();
        assert!(
            scope(
                "auth-1",
                &g,
                &access("nl-sv-126n", "consult", "politie", "officer")
            )
            .is_empty()
        );
        let p = scope(
            "auth-1",
            &g,
            &access("nl-sv-126u", "consult", "politie", "officer"),
        );
        assert_eq!(p[0].2, "one of nl-sv-126n (grant of auth-1, leaf 13)");
        assert_eq!(p[0].3, "nl-sv-126u");
        assert_eq!(codes(p), ["obligation-access-basis-not-granted"]);
        assert_eq!(
            codes(scope(
                "auth-1",
                &g,
                &access("nl-sv-126n", "consult", "fiod", "analyst")
            )),
            [
                "obligation-access-organisation-mismatch",
                "obligation-access-role-mismatch"
            ]
        );
    }

    #[test]
    fn references_are_judged_by_the_sealed_paths() {
        let order = rule("order-required", &["nl-sv-126u"]);
        let a = access("nl-sv-126u", "consult", "p", "o");
        assert_eq!(
            order_missing(&order, &a, &sealed(&["actor.user"]))
                .unwrap()
                .0,
            "obligation-order-missing"
        );
        assert!(order_missing(&order, &a, &sealed(&["actor.user", "order_ref"])).is_none());
        // Another basis needs no order; a nested path of the same name is not the field.
        let other = access("nl-sv-126n", "consult", "p", "o");
        assert!(order_missing(&order, &other, &[]).is_none());
        assert!(order_missing(&order, &a, &sealed(&["recipients.0"])).is_some());

        let all = rule("case-reference", &[]);
        assert!(case_ref_missing(&all, &other, &[]).is_some());
        assert!(case_ref_missing(&all, &other, &sealed(&["case_ref"])).is_none());
        assert!(case_ref_missing(&rule("case-reference", &["nl-sv-126u"]), &other, &[]).is_none());

        for action in ["disclose", "transfer"] {
            let d = access("nl-sv-126n", action, "p", "o");
            assert_eq!(
                recipient_missing(&all, &d, &[]).unwrap().0,
                "obligation-recipient-missing"
            );
            assert!(recipient_missing(&all, &d, &sealed(&["recipients.3"])).is_none());
        }
        assert!(recipient_missing(&all, &other, &[]).is_none());
    }

    fn open() -> Open {
        Open {
            leaf: 7,
            producer: "qf".into(),
            seq: 3,
            hash: Hash32([1; 32]),
            at: Timestamp(1_000_000),
            rule: BreakGlassRule::new(&rule("break-glass-justified", &[])),
        }
    }

    #[test]
    fn a_justification_is_judged_by_time_and_approval() {
        let o = open();
        let due = 1_000_000 + 3_600_000;
        assert!(judge_justification(&o, Timestamp(due), true, "j").is_none());
        let late = judge_justification(&o, Timestamp(due + 1), true, "j").unwrap();
        assert_eq!(
            (late.code, late.verdict),
            (
                "obligation-break-glass-late",
                crate::verify::Verdict::Violated
            )
        );
        assert_eq!(late.leaf, Some(7));
        let refused = judge_justification(&o, Timestamp(due), false, "j").unwrap();
        assert_eq!(refused.code, "obligation-break-glass-refused");
    }

    #[test]
    fn a_missing_justification_is_violated_only_with_a_proof() {
        let o = open();
        let v = unjustified(&o, Ok(vec![("reg".into(), 9)]));
        assert_eq!(
            (v.code, v.verdict),
            (
                "obligation-break-glass-unjustified",
                crate::verify::Verdict::Violated
            )
        );
        let u = unjustified(
            &o,
            Err("the chain of reg has a gap after leaf 8 (check 4)".into()),
        );
        assert_eq!(u.verdict, crate::verify::Verdict::CannotBeDetermined);
        assert!(u.message.contains("gap after leaf 8"), "{}", u.message);
        // No followers named: nothing can prove a negative.
        let none = prove_none(&o, &Followers::default(), |_| 0).unwrap_err();
        assert!(none.contains("names no followers"), "{none}");
        // Not judged before the deadline has passed at the checkpoint.
        assert!(!o.overdue(Some(4_600)));
        assert!(o.overdue(Some(4_601)) && o.overdue(None));
        // Only the followers the rule names justify.
        let mut named = o.clone();
        named.rule.followers = vec!["reg".into()];
        assert!(prove_none(&named, &Followers::default(), |_| 0).is_err());
        assert!(named.rule.follower("reg") && !named.rule.follower("rogue"));
        assert!(o.rule.follower("rogue"));
    }
}

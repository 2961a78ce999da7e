//! Check 8, the sanction side: statements of reasons (sent in time, with their contents),
//! appeals decided in time and by a person, human review of automated decisions (GDPR
//! Art 22) and the detection a sanction claims (docs/CHECKS.md §8.2).
//!
//! The rules in force at a sanction's leaf (at an appeal's leaf for its deadline) are kept
//! with the sanction or appeal until its follow-up arrives or the log ends: the only memory
//! beyond the policy walk is these open sanctions and appeals, keyed by the reference their
//! follow-up records carry (producer, seq, leaf hash), and the detections waiting for the
//! disclosures. A follow-up counts only when it is authentic (check 3) and written by one of
//! the rule's `followers`; a missing one is *violated* only when the follower's chain proves
//! it ([`Followers::complete_past`]).

use std::collections::HashMap;

use super::{C, Finish, Followers, InForce};
use crate::record::kinds::Body;
use crate::record::kinds::account_sanction::{
    AccountSanction, AutomatedDecision, DecisionGround, DetectionMethod, HashAlgorithm,
};
use crate::record::kinds::appeal::Appeal;
use crate::record::kinds::appeal_decision::AppealDecision;
use crate::record::kinds::notification::{Notification, Redress, StatementContents};
use crate::record::kinds::obligation_policy::{ObligationRule, ObligationType};
use crate::record::sealed::{Commitment, FieldPath, PathElem};
use crate::record::text::Ident;
use crate::record::types::{RecordRef, Timestamp};
use crate::record::{Disclosure, SealedValue};
use crate::verify::driver::RecordCtx;
use crate::verify::report::{Finding, Findings, Verdict};

/// Length of a PDQ hash in bytes (256 bits).
pub(crate) const PDQ_LEN: usize = 32;

/// The sanction rules' state.
#[derive(Debug, Default)]
pub(crate) struct Sanctions {
    /// Sanctions under a statement-of-reasons or automated-decision-review rule.
    sanctions: HashMap<RecordRef, OpenSanction>,
    /// Appeals under an appeal-deadline rule or against a sanction under an
    /// automated-decision-review rule.
    appeals: HashMap<RecordRef, OpenAppeal>,
    /// Detections to recompute from the disclosures.
    detections: Vec<PendingDetection>,
}

/// Where a record is: leaf, producer, seq.
#[derive(Debug, Clone)]
struct At {
    leaf: u64,
    producer: String,
    seq: u64,
}

impl At {
    fn of(ctx: &RecordCtx<'_>) -> At {
        let p = ctx.rec.payload();
        At {
            leaf: ctx.leaf,
            producer: p.producer.to_string(),
            seq: p.seq,
        }
    }
}

/// What a statement of reasons must agree with: the sanction's public facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Facts {
    pub decision_ground: DecisionGround,
    /// `illegal_content_legal_ground` or `incompatible_content_ground`.
    pub ground_reference: Option<Ident>,
    pub automated_detection: bool,
    pub automated_decision: AutomatedDecision,
}

impl Facts {
    fn of(s: &AccountSanction) -> Facts {
        Facts {
            decision_ground: s.decision_ground,
            ground_reference: s
                .illegal_content_legal_ground
                .clone()
                .or_else(|| s.incompatible_content_ground.clone()),
            automated_detection: s.automated_detection,
            automated_decision: s.automated_decision,
        }
    }
}

#[derive(Debug)]
struct OpenSanction {
    at: At,
    application: Timestamp,
    facts: Facts,
    /// Statement-of-reasons rules, each with whether a follower's statement was seen.
    sor: Vec<(ObligationRule, bool)>,
    /// Automated-decision-review rules (only for a fully automated sanction).
    review: Vec<ObligationRule>,
}

#[derive(Debug)]
struct OpenAppeal {
    at: At,
    received: Timestamp,
    /// Appeal-deadline rules in force at the appeal.
    deadline: Vec<ObligationRule>,
    /// The automated-decision-review rules of the (fully automated) sanction appealed.
    review: Vec<ObligationRule>,
    /// Whether a follower's decision was seen, per rule of `deadline`, then of `review`.
    decided: Vec<bool>,
}

#[derive(Debug)]
struct PendingDetection {
    at: At,
    rules: Vec<ObligationRule>,
    claimed: Option<u64>,
    threshold: Option<u64>,
    content: Option<Commitment>,
    matched: Option<Commitment>,
}

/// A finding of `rule` about the record `at`: the message names the rule and its source.
fn finding(
    verdict: Verdict,
    code: &'static str,
    rule: &ObligationRule,
    at: &At,
    what: impl std::fmt::Display,
) -> Finding {
    Finding::new(
        C,
        code,
        verdict,
        format!("{} ({}): {what}", rule.reference(), rule.legal_source),
    )
    .at(at.leaf)
    .record(&at.producer, at.seq)
}

fn plus_secs(t: Timestamp, secs: u64) -> Timestamp {
    Timestamp(t.0.saturating_add(secs.saturating_mul(1000)))
}

/// The rule's deadline after `from` (a rule without one: at `from`).
fn due(rule: &ObligationRule, from: Timestamp) -> Timestamp {
    plus_secs(from, rule.deadline_seconds.unwrap_or(0))
}

/// The longest `follower` takes to log, in seconds: the rule's, else the trust file's.
fn delay_secs(rule: &ObligationRule, follower: &str, f: &Finish<'_>) -> u64 {
    rule.max_logging_delay_seconds
        .unwrap_or_else(|| f.trust.max_delay_ms(follower) / 1000)
}

/// Whether the rule's followers' chains prove that no follow-up to the record at `from_leaf`
/// was made by `due`: `Ok` names the records that prove it, `Err` what is missing.
fn proven_absent(
    rule: &ObligationRule,
    followers: &Followers,
    f: &Finish<'_>,
    from_leaf: u64,
    due: Timestamp,
) -> Result<String, String> {
    if rule.followers.is_empty() {
        return Err(
            "the rule names no followers: every producer's chain would have to be \
                    complete"
                .into(),
        );
    }
    let mut proofs = Vec::new();
    for follower in &rule.followers {
        let fo = follower.as_str();
        let after = plus_secs(due, delay_secs(rule, fo, f));
        let leaf = followers.complete_past(fo, from_leaf, after)?;
        proofs.push(format!("{fo}'s chain complete to leaf {leaf}"));
    }
    Ok(proofs.join(", "))
}

/// A follow-up that claims to be in time but was logged after the deadline plus its
/// producer's logging delay: the claimed time cannot be true (what is sent in time is logged
/// within the delay). `Some` says when it was logged.
fn logged_late(rule: &ObligationRule, ctx: &RecordCtx<'_>, due: Timestamp) -> Option<String> {
    let p = ctx.rec.payload();
    let delay = rule
        .max_logging_delay_seconds
        .unwrap_or_else(|| ctx.trust.max_delay_ms(p.producer.as_str()) / 1000);
    let logged_by = plus_secs(due, delay);
    (p.occurred_at > logged_by).then(|| {
        format!(
            "logged at {}, after the deadline plus the logging delay ({})",
            p.occurred_at.to_rfc3339(),
            logged_by.to_rfc3339()
        )
    })
}

/// Whether the checkpoint's time is known and not past `due`: the follow-up is not due yet.
fn not_yet_due(f: &Finish<'_>, due: Timestamp) -> bool {
    f.checkpoint_secs
        .is_some_and(|s| s.saturating_mul(1000) <= due.0)
}

/// The ways a statement of reasons differs from its sanction and the rule's redress routes:
/// (field, expected, found) for each; empty when it agrees.
pub(crate) fn statement_mismatches(
    facts: &Facts,
    st: &StatementContents,
    redress: &[Redress],
) -> Vec<(&'static str, String, String)> {
    let mut out = Vec::new();
    if !st.facts_and_circumstances {
        out.push(("facts_and_circumstances", "true".into(), "false".into()));
    }
    if st.decision_ground != facts.decision_ground {
        out.push((
            "decision_ground",
            facts.decision_ground.to_string(),
            st.decision_ground.to_string(),
        ));
    }
    if let Some(g) = &facts.ground_reference
        && *g != st.ground_reference
    {
        out.push((
            "ground_reference",
            g.to_string(),
            st.ground_reference.to_string(),
        ));
    }
    if st.automated_detection != facts.automated_detection {
        out.push((
            "automated_detection",
            facts.automated_detection.to_string(),
            st.automated_detection.to_string(),
        ));
    }
    if st.automated_decision != facts.automated_decision {
        out.push((
            "automated_decision",
            facts.automated_decision.to_string(),
            st.automated_decision.to_string(),
        ));
    }
    let missing: Vec<String> = redress
        .iter()
        .filter(|r| !st.redress.contains(r))
        .map(|r| r.to_string())
        .collect();
    if !missing.is_empty() {
        let names = |v: &[Redress]| {
            let v: Vec<String> = v.iter().map(|r| r.to_string()).collect();
            format!("[{}]", v.join(", "))
        };
        out.push(("redress", names(redress), names(&st.redress)));
    }
    out
}

/// The Hamming distance of two equally long bit strings.
pub(crate) fn hamming(a: &[u8], b: &[u8]) -> Option<u32> {
    (a.len() == b.len()).then(|| a.iter().zip(b).map(|(x, y)| (x ^ y).count_ones()).sum())
}

fn name_path(name: &str) -> FieldPath {
    FieldPath(vec![PathElem::Name(name.to_owned())])
}

impl Sanctions {
    /// One authentic record, with the rules in force at its leaf.
    pub fn record(&mut self, ctx: &RecordCtx<'_>, rules: &InForce, out: &mut Findings) {
        match &ctx.rec.payload().body {
            Body::AccountSanction(s) => self.sanction(ctx, s, rules, out),
            Body::Notification(n) => self.notification(ctx, n, out),
            Body::Appeal(a) => self.appeal(ctx, a, rules),
            Body::AppealDecision(d) => self.decision(ctx, d, rules, out),
            _ => {}
        }
    }

    fn sanction(
        &mut self,
        ctx: &RecordCtx<'_>,
        s: &AccountSanction,
        rules: &InForce,
        out: &mut Findings,
    ) {
        let p = ctx.rec.payload();
        let producer = p.producer.as_str();
        let covered = |t| -> Vec<ObligationRule> {
            rules
                .rules(t)
                .filter(|r| r.covers(producer))
                .cloned()
                .collect()
        };
        let at = At::of(ctx);
        self.detection(ctx, s, covered(ObligationType::DetectionRecomputes), out);
        let sor: Vec<_> = covered(ObligationType::StatementOfReasons)
            .into_iter()
            .map(|r| (r, false))
            .collect();
        let review = if s.automated_decision == AutomatedDecision::Fully {
            covered(ObligationType::AutomatedDecisionReview)
        } else {
            Vec::new()
        };
        if sor.is_empty() && review.is_empty() {
            return;
        }
        let key = RecordRef {
            producer: p.producer.clone(),
            seq: p.seq,
            leaf_hash: ctx.hash,
        };
        let open = OpenSanction {
            at,
            application: s.application_date,
            facts: Facts::of(s),
            sor,
            review,
        };
        self.sanctions.insert(key, open);
    }

    /// A perceptual-hash detection under detection-recomputes rules: kept with the
    /// commitments of its two sealed hashes for the finish stage, or undetermined now.
    fn detection(
        &mut self,
        ctx: &RecordCtx<'_>,
        s: &AccountSanction,
        rules: Vec<ObligationRule>,
        out: &mut Findings,
    ) {
        let Some(d) = s.detection.as_deref() else {
            return;
        };
        if rules.is_empty() || d.method != DetectionMethod::PerceptualHash {
            return;
        }
        let at = At::of(ctx);
        if d.hash_algorithm != Some(HashAlgorithm::Pdq) {
            let alg = d
                .hash_algorithm
                .map_or("none".to_owned(), |a| a.to_string());
            for rule in &rules {
                out.push(finding(
                    Verdict::CannotBeDetermined,
                    "obligation-detection-undetermined",
                    rule,
                    &at,
                    format!(
                        "the detection's distance cannot be recomputed for hash algorithm \
                         {alg} (only pdq is)"
                    ),
                ));
            }
            return;
        }
        let sealed = |name: &str| {
            let path = name_path(name);
            ctx.rec
                .payload()
                .sealed
                .iter()
                .find(|(p, _)| *p == path)
                .map(|(_, c)| *c)
        };
        self.detections.push(PendingDetection {
            at,
            rules,
            claimed: d.perceptual_distance,
            threshold: d.threshold,
            content: sealed("content_hash"),
            matched: sealed("matched_hash_value"),
        });
    }

    fn notification(&mut self, ctx: &RecordCtx<'_>, n: &Notification, out: &mut Findings) {
        let p = ctx.rec.payload();
        let Some(s) = self.sanctions.get_mut(&n.sanction) else {
            return;
        };
        let at = At::of(ctx);
        for (rule, answered) in &mut s.sor {
            if !rule.follower(p.producer.as_str()) {
                continue;
            }
            *answered = true;
            let due = due(rule, s.application);
            let sanction = format!("sanction at leaf {}", s.at.leaf);
            let late = if n.sent_at > due {
                Some(format!("sent at {}", n.sent_at.to_rfc3339()))
            } else {
                logged_late(rule, ctx, due)
            };
            if let Some(found) = late {
                out.push(
                    finding(
                        Verdict::Violated,
                        "obligation-sor-late",
                        rule,
                        &at,
                        format!("the statement of reasons on the {sanction} is late"),
                    )
                    .evidence(format!("sent by {}", due.to_rfc3339()), found),
                );
            }
            Self::contents(rule, &s.facts, n, &at, &sanction, out);
        }
    }

    /// The statement's recorded contents against the sanction.
    fn contents(
        rule: &ObligationRule,
        facts: &Facts,
        n: &Notification,
        at: &At,
        sanction: &str,
        out: &mut Findings,
    ) {
        let Some(st) = &n.statement else {
            out.push(
                finding(
                    Verdict::CannotBeDetermined,
                    "obligation-sor-contents-missing",
                    rule,
                    at,
                    format!(
                        "the statement of reasons on the {sanction} does not record what it \
                         states (text_digest alone proves nothing a verifier can read)"
                    ),
                )
                .evidence("statement contents recorded", "not recorded"),
            );
            return;
        };
        let diff = statement_mismatches(facts, st, &rule.redress);
        if diff.is_empty() {
            return;
        }
        let fields: Vec<&str> = diff.iter().map(|d| d.0).collect();
        let side = |found: bool| {
            diff.iter()
                .map(|d| format!("{}: {}", d.0, if found { &d.2 } else { &d.1 }))
                .collect::<Vec<_>>()
                .join("; ")
        };
        out.push(
            finding(
                Verdict::Violated,
                "obligation-sor-contents-mismatch",
                rule,
                at,
                format!(
                    "the statement of reasons on the {sanction} does not agree with it: {}",
                    fields.join(", ")
                ),
            )
            .evidence(side(false), side(true)),
        );
    }

    fn appeal(&mut self, ctx: &RecordCtx<'_>, a: &Appeal, rules: &InForce) {
        let p = ctx.rec.payload();
        let deadline: Vec<ObligationRule> = rules
            .rules(ObligationType::AppealDeadline)
            .filter(|r| r.covers(p.producer.as_str()))
            .cloned()
            .collect();
        let review = self
            .sanctions
            .get(&a.sanction)
            .map(|s| s.review.clone())
            .unwrap_or_default();
        if deadline.is_empty() && review.is_empty() {
            return;
        }
        let key = RecordRef {
            producer: p.producer.clone(),
            seq: p.seq,
            leaf_hash: ctx.hash,
        };
        let decided = vec![false; deadline.len() + review.len()];
        let open = OpenAppeal {
            at: At::of(ctx),
            received: a.received_at,
            deadline,
            review,
            decided,
        };
        self.appeals.insert(key, open);
    }

    fn decision(
        &mut self,
        ctx: &RecordCtx<'_>,
        d: &AppealDecision,
        rules: &InForce,
        out: &mut Findings,
    ) {
        let producer = ctx.rec.payload().producer.as_str();
        let at = At::of(ctx);
        let no_review = || ("human_review: true", "human_review: false");
        for rule in rules.rules(ObligationType::AppealHumanReview) {
            if rule.covers(producer) && !d.human_review {
                let (e, f) = no_review();
                out.push(
                    finding(
                        Verdict::Violated,
                        "obligation-appeal-no-human-review",
                        rule,
                        &at,
                        "the appeal was decided without a person reviewing it",
                    )
                    .evidence(e, f),
                );
            }
        }
        let Some(a) = self.appeals.get_mut(&d.appeal) else {
            return;
        };
        let appeal = format!("appeal at leaf {}", a.at.leaf);
        let n = a.deadline.len();
        for (i, rule) in a.deadline.iter().chain(&a.review).enumerate() {
            if !rule.follower(producer) {
                continue;
            }
            a.decided[i] = true;
            if i >= n {
                if !d.human_review {
                    let (e, f) = no_review();
                    out.push(
                        finding(
                            Verdict::Violated,
                            "obligation-automated-no-review",
                            rule,
                            &at,
                            format!(
                                "the fully automated sanction was appealed ({appeal}) and the \
                                 decision on it had no human review"
                            ),
                        )
                        .evidence(e, f),
                    );
                }
                continue;
            }
            let logged = logged_late(rule, ctx, due(rule, a.received));
            appeal_in_time(rule, a.received, d, logged, &at, &appeal, out);
        }
    }

    /// Deadlines that ran out without a follow-up, and the detections recomputed.
    pub fn finish(self, followers: &Followers, f: &Finish<'_>, out: &mut Findings) {
        let mut sanctions: Vec<&OpenSanction> = self.sanctions.values().collect();
        sanctions.sort_by_key(|s| s.at.leaf);
        for s in sanctions {
            for (rule, _) in s.sor.iter().filter(|(_, answered)| !answered) {
                missing_statement(s, rule, followers, f, out);
            }
        }
        let mut appeals: Vec<&OpenAppeal> = self.appeals.values().collect();
        appeals.sort_by_key(|a| a.at.leaf);
        for a in appeals {
            undecided(a, followers, f, out);
        }
        // Detections that cannot be recomputed for the same reason (a public-only run, erased
        // disclosures) are one finding each, at the first such sanction, naming how many and
        // where: one line per reason, not one per sanction.
        let mut undetermined: Vec<(Finding, Vec<u64>)> = Vec::new();
        for d in &self.detections {
            for rule in &d.rules {
                match recompute(d, rule, f.disclosures) {
                    Some(x) if x.code == "obligation-detection-undetermined" => {
                        match undetermined
                            .iter_mut()
                            .find(|(u, _)| u.message == x.message)
                        {
                            Some((_, leaves)) => leaves.push(d.at.leaf),
                            None => undetermined.push((x, vec![d.at.leaf])),
                        }
                    }
                    Some(x) => out.push(x),
                    None => {}
                }
            }
        }
        for (mut x, leaves) in undetermined {
            if leaves.len() > 1 {
                let shown: Vec<String> = leaves.iter().take(5).map(u64::to_string).collect();
                let more = if leaves.len() > 5 { ", …" } else { "" };
                x.message = format!(
                    "{} ({} detections, at leaves {}{more})",
                    x.message,
                    leaves.len(),
                    shown.join(", ")
                );
            }
            out.push(x);
        }
    }
}

/// One appeal decision by a follower of an appeal-deadline rule: decided and communicated
/// by the deadline.
fn appeal_in_time(
    rule: &ObligationRule,
    received: Timestamp,
    d: &AppealDecision,
    logged_late: Option<String>,
    at: &At,
    appeal: &str,
    out: &mut Findings,
) {
    let due = due(rule, received);
    let by = format!("decided and communicated by {}", due.to_rfc3339());
    let late = |found: String| {
        finding(
            Verdict::Violated,
            "obligation-appeal-late",
            rule,
            at,
            format!("the {appeal} was not decided and communicated in time"),
        )
        .evidence(&by, found)
    };
    if d.decided_at > due {
        out.push(late(format!("decided at {}", d.decided_at.to_rfc3339())));
        return;
    }
    if let Some(found) = logged_late {
        out.push(late(found));
        return;
    }
    match d.communicated_at {
        Some(c) if c > due => out.push(late(format!("communicated at {}", c.to_rfc3339()))),
        Some(_) => {}
        None => out.push(
            finding(
                Verdict::CannotBeDetermined,
                "obligation-appeal-undetermined",
                rule,
                at,
                format!(
                    "the decision on the {appeal} does not record when it was communicated \
                     (communicated_at)"
                ),
            )
            .evidence(
                &by,
                format!(
                    "decided at {}, communicated_at absent",
                    d.decided_at.to_rfc3339()
                ),
            ),
        ),
    }
}

/// A statement-of-reasons rule with no statement seen: violated when the followers' chains
/// prove it, else cannot be determined.
fn missing_statement(
    s: &OpenSanction,
    rule: &ObligationRule,
    followers: &Followers,
    f: &Finish<'_>,
    out: &mut Findings,
) {
    let due = due(rule, s.application);
    if not_yet_due(f, due) {
        return;
    }
    let expected = format!("a statement of reasons sent by {}", due.to_rfc3339());
    let finding = match proven_absent(rule, followers, f, s.at.leaf, due) {
        Ok(proof) => finding(
            Verdict::Violated,
            "obligation-sor-missing",
            rule,
            &s.at,
            "no statement of reasons was sent on the sanction",
        )
        .evidence(expected, format!("none ({proof})")),
        Err(why) => finding(
            Verdict::CannotBeDetermined,
            "obligation-sor-undetermined",
            rule,
            &s.at,
            format!("no statement of reasons on the sanction is in the log, and {why}"),
        )
        .evidence(
            expected,
            "none in the log; the notifier's chain does not prove it",
        ),
    };
    out.push(finding);
}

/// An appeal's rules no follower decided on.
fn undecided(a: &OpenAppeal, followers: &Followers, f: &Finish<'_>, out: &mut Findings) {
    let n = a.deadline.len();
    for (i, rule) in a.deadline.iter().chain(&a.review).enumerate() {
        if a.decided[i] || (i >= n && rule.deadline_seconds.is_none()) {
            continue;
        }
        let due = due(rule, a.received);
        if not_yet_due(f, due) {
            continue;
        }
        let (violated, undetermined) = if i < n {
            (
                "obligation-appeal-undecided",
                "obligation-appeal-undetermined",
            )
        } else {
            (
                "obligation-automated-no-review",
                "obligation-automated-undetermined",
            )
        };
        let expected = format!("a decision by {}", due.to_rfc3339());
        out.push(match proven_absent(rule, followers, f, a.at.leaf, due) {
            Ok(proof) => finding(
                Verdict::Violated,
                violated,
                rule,
                &a.at,
                "the appeal was never decided",
            )
            .evidence(expected, format!("none ({proof})")),
            Err(why) => finding(
                Verdict::CannotBeDetermined,
                undetermined,
                rule,
                &a.at,
                format!("no decision on the appeal is in the log, and {why}"),
            )
            .evidence(
                expected,
                "none in the log; the deciding chain does not prove it",
            ),
        });
    }
}

/// The 32-byte PDQ hash a disclosure opens, if it opens the record's commitment `c`.
fn opened(ds: &[Disclosure], name: &str, c: Option<Commitment>) -> Result<Vec<u8>, String> {
    let Some(c) = c else {
        return Err(format!("{name} is not sealed in the record"));
    };
    let path = name_path(name);
    let Some(d) = ds.iter().find(|d| d.path == path && d.commitment() == c) else {
        return Err(format!(
            "{name} has no readable disclosure (erased or never stored)"
        ));
    };
    match &d.value {
        SealedValue::Bytes(b) if b.len() == PDQ_LEN => Ok(b.clone()),
        _ => Err(format!("{name} is not a {PDQ_LEN}-byte PDQ hash")),
    }
}

/// Recompute one detection under one rule: the distance and its threshold (`None`: it
/// recomputes).
fn recompute(
    d: &PendingDetection,
    rule: &ObligationRule,
    ds: Option<&dyn crate::retention::DisclosureSource>,
) -> Option<Finding> {
    let undetermined = |why: String| {
        finding(
            Verdict::CannotBeDetermined,
            "obligation-detection-undetermined",
            rule,
            &d.at,
            format!("the detection's distance cannot be recomputed: {why}"),
        )
    };
    let Some(ds) = ds else {
        return Some(undetermined(
            "no access to the log's private part (a public-only run)".into(),
        ));
    };
    let hashes = ds.readable(d.at.leaf).and_then(|v| {
        Ok((
            opened(&v, "content_hash", d.content)?,
            opened(&v, "matched_hash_value", d.matched)?,
        ))
    });
    let distance = match hashes {
        Ok((a, b)) => hamming(&a, &b).map(u64::from).unwrap_or(u64::MAX),
        Err(why) => return Some(undetermined(why)),
    };
    if let Some(claimed) = d.claimed
        && claimed != distance
    {
        return Some(
            finding(
                Verdict::Violated,
                "obligation-detection-mismatch",
                rule,
                &d.at,
                "the claimed perceptual distance does not recompute from the sealed hashes",
            )
            .evidence(
                format!("perceptual_distance {distance} (recomputed)"),
                format!("perceptual_distance {claimed} (claimed)"),
            ),
        );
    }
    match d.threshold {
        Some(t) if distance > t => Some(
            finding(
                Verdict::Violated,
                "obligation-detection-over-threshold",
                rule,
                &d.at,
                "the recomputed distance lies above the detection's threshold: not a match",
            )
            .evidence(
                format!("distance at most {t}"),
                format!("distance {distance}"),
            ),
        ),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> Facts {
        Facts {
            decision_ground: DecisionGround::IllegalContent,
            ground_reference: Some(Ident::new("de-stgb-184b").unwrap()),
            automated_detection: true,
            automated_decision: AutomatedDecision::Partially,
        }
    }

    fn statement() -> StatementContents {
        StatementContents {
            facts_and_circumstances: true,
            decision_ground: DecisionGround::IllegalContent,
            ground_reference: Ident::new("de-stgb-184b").unwrap(),
            automated_detection: true,
            automated_decision: AutomatedDecision::Partially,
            redress: vec![Redress::InternalComplaint, Redress::JudicialRedress],
        }
    }

    #[test]
    fn hamming_counts_differing_bits() {
        let a = [0u8; 32];
        let mut b = [0u8; 32];
        assert_eq!(hamming(&a, &b), Some(0));
        b[0] = 0b1011_0000;
        b[31] = 0xff;
        assert_eq!(hamming(&a, &b), Some(11));
        assert_eq!(hamming(&[0xff; 32], &a), Some(256));
        assert_eq!(hamming(&a, &b[..31]), None);
    }

    #[test]
    fn a_statement_that_agrees_has_no_mismatch() {
        let r = [Redress::InternalComplaint];
        assert!(statement_mismatches(&facts(), &statement(), &r).is_empty());
    }

    #[test]
    fn each_difference_is_named_with_expected_and_found() {
        let mut st = statement();
        st.facts_and_circumstances = false;
        st.automated_decision = AutomatedDecision::NotAutomated;
        st.ground_reference = Ident::new("de-stgb-184").unwrap();
        st.redress = vec![Redress::InternalComplaint];
        let r = [Redress::InternalComplaint, Redress::OutOfCourtSettlement];
        let d = statement_mismatches(&facts(), &st, &r);
        let fields: Vec<&str> = d.iter().map(|x| x.0).collect();
        assert_eq!(
            fields,
            [
                "facts_and_circumstances",
                "ground_reference",
                "automated_decision",
                "redress"
            ]
        );
        assert_eq!(d[1].1, "de-stgb-184b");
        assert_eq!(d[1].2, "de-stgb-184");
        assert_eq!(d[2].1, "AUTOMATED_DECISION_PARTIALLY");
        assert_eq!(d[2].2, "AUTOMATED_DECISION_NOT_AUTOMATED");
        assert_eq!(
            d[3],
            (
                "redress",
                "[internal-complaint, out-of-court-settlement]".into(),
                "[internal-complaint]".into()
            )
        );
    }

    #[test]
    fn a_ground_or_detection_flag_that_differs_is_a_mismatch() {
        let mut st = statement();
        st.decision_ground = DecisionGround::IncompatibleContent;
        st.automated_detection = false;
        let d = statement_mismatches(&facts(), &st, &[]);
        let fields: Vec<&str> = d.iter().map(|x| x.0).collect();
        assert_eq!(fields, ["decision_ground", "automated_detection"]);
    }
}

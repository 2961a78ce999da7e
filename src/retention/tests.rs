//! Unit tests of the retention core: the named rules of record-fields.md on concrete
//! records, policy changes by leaf, case-status triggers, calendar rules across DST,
//! holds and their release, and minimum-versus-cap conflicts.

use std::time::Duration;

use serde_json::{Value, json};

use super::*;
use crate::record::kinds::case_status::CaseStatus;
use crate::record::kinds::legal_hold::LegalHold;
use crate::record::kinds::retention_policy::{Condition, RetentionPolicy, RuleKind, Trigger};
use crate::record::kinds::{Kind, samples};
use crate::record::sealed::FieldPath;
use crate::record::text::ProducerId;
use crate::record::types::{Hash32, RecordRef, Timestamp};

fn t(s: &str) -> Timestamp {
    Timestamp::parse_rfc3339(s).unwrap().0
}

fn rref(producer: &str, seq: u64) -> RecordRef {
    RecordRef {
        producer: ProducerId::new(producer).unwrap(),
        seq,
        leaf_hash: Hash32(*blake3::hash(format!("{producer} {seq}").as_bytes()).as_bytes()),
    }
}

fn rref_json(r: &RecordRef) -> Value {
    json!({"producer": r.producer.as_str(), "seq": r.seq, "leaf_hash": r.leaf_hash.to_string()})
}

/// The sample policy: every named rule of record-fields.md.
fn named_policy() -> Policy {
    let (_, v) = samples()
        .into_iter()
        .find(|(k, _)| *k == Kind::RetentionPolicy)
        .unwrap();
    let body: RetentionPolicy = serde_json::from_value(v["body"].clone()).unwrap();
    Policy::from_body(&body).unwrap()
}

fn policy(id: &str, version: u64, rules: Value) -> Policy {
    let body: RetentionPolicy = serde_json::from_value(json!({
        "policy_id": id, "version": version, "authority": "dpo", "rules": rules
    }))
    .unwrap();
    Policy::from_body(&body).unwrap()
}

fn cap(id: &str, version: u64, count: u64, unit: &str, trigger: &str, zone: &str) -> Value {
    json!({
        "id": id, "version": version, "rule": "cap", "kinds": [], "data_categories": [],
        "period": {"count": count, "unit": unit}, "trigger": trigger, "time_zone": zone,
        "conditions": [], "legal_source": "test"
    })
}

fn timeline(p: Policy) -> PolicyTimeline {
    let mut tl = PolicyTimeline::new();
    tl.push(3, p).unwrap();
    tl
}

fn facts(r: &RecordRef, leaf: u64, kind: Kind, occurred: &str, rule: &str) -> RecordFacts {
    RecordFacts {
        reference: r.clone(),
        leaf,
        kind,
        data_categories: vec!["ip-assignment".to_string()].into(),
        occurred_at: t(occurred),
        declared_rule: Some(rule.into()),
    }
}

fn outcome<'a>(s: &'a Schedule, id: &str) -> &'a RuleOutcome {
    s.minimums
        .iter()
        .chain(&s.caps)
        .find(|o| o.rule.id == id)
        .unwrap_or_else(|| panic!("no outcome for {id} in {s:#?}"))
}

fn fields() -> Vec<FieldPath> {
    vec![FieldPath::parse("subject").unwrap()]
}

#[test]
fn rule_refs_parse_strictly() {
    let r = RuleRef::parse("de-bdsg76-led-logs@1").unwrap();
    assert_eq!((r.id.as_str(), r.version), ("de-bdsg76-led-logs", 1));
    assert_eq!(r.to_string(), "de-bdsg76-led-logs@1");
    for bad in ["x", "@1", "x@", "x@01", "x@1a", "x@-1"] {
        assert!(
            matches!(RuleRef::parse(bad), Err(PolicyError::BadRuleRef { .. })),
            "{bad}"
        );
    }
    let tl = timeline(named_policy());
    assert_eq!(
        tl.lookup("eu-r1232-csam-cap@1").unwrap().unwrap().kind,
        RuleKind::Cap
    );
    assert!(tl.lookup("eu-r1232-csam-cap@2").unwrap().is_none());
}

#[test]
fn unknown_time_zone_is_named() {
    let body: RetentionPolicy = serde_json::from_value(json!({
        "policy_id": "p", "version": 1, "authority": "dpo",
        "rules": [cap("x", 1, 1, "years", "occurred-at", "Europe/Atlantis")]
    }))
    .unwrap();
    let e = Policy::from_body(&body).unwrap_err();
    assert!(
        matches!(&e, PolicyError::UnknownTimeZone { zone, rule, .. } if zone == "Europe/Atlantis" && rule == "x@1"),
        "{e}"
    );
}

/// BDSG §76(4) cap and NEN 7513 minimum on the sample data-access record; both cover it,
/// so the conflict between them is reported, not resolved.
#[test]
fn led_logs_cap_and_nen_minimum_on_a_data_access() {
    let tl = timeline(named_policy());
    let r = rref("query-frontend", 1842);
    let f = facts(
        &r,
        40,
        Kind::DataAccess,
        "2026-03-02T14:07:31.412+01:00",
        "de-bdsg76-led-logs@1",
    );
    let at = t("2026-04-01T00:00:00Z");
    let s = schedule(&f, &tl, &EventBook::new(), &HoldBook::new(), at).unwrap();
    assert!(s.findings.is_empty(), "{:?}", s.findings);
    // End of the year after the year generated, Berlin: 2028-01-01T00:00+01:00.
    let bdsg = outcome(&s, "de-bdsg76-led-logs");
    assert_eq!(bdsg.bound, Bound::At(t("2027-12-31T23:00:00Z")));
    let nen = outcome(&s, "nl-nen7513-access-logs");
    assert_eq!(nen.bound, Bound::At(t("2031-03-02T14:07:31.412+01:00")));
    assert_eq!(s.due_at, Some(Bound::At(t("2027-12-31T23:00:00Z"))));
    assert_eq!(
        s.earliest_deletion,
        Some(Bound::At(t("2031-03-02T13:07:31.412Z")))
    );
    assert_eq!(s.conflicts.len(), 1);
    let c = &s.conflicts[0];
    assert_eq!(c.cap.id, "de-bdsg76-led-logs");
    assert_eq!(c.minimum.id, "nl-nen7513-access-logs");
    // The plan neither deletes nor keeps silently: the record sits in `conflicts` only.
    let later = t("2028-06-01T00:00:00Z");
    let s = schedule(&f, &tl, &EventBook::new(), &HoldBook::new(), later).unwrap();
    let p = plan(
        &[PlanRecord {
            schedule: s,
            present: fields(),
        }],
        later,
        Duration::ZERO,
    );
    assert_eq!(p.conflicts.len(), 1);
    assert!(p.due.is_empty() && p.overdue.is_empty() && p.not_yet.is_empty());
}

/// A record generated on 1 January 00:00 local is still erased at the end of the
/// following year, not on 1 January of it.
#[test]
fn end_of_year_alignment_at_the_boundary() {
    let tl = timeline(named_policy());
    let rule = tl.rule_in_force("de-bdsg76-led-logs", 3).unwrap();
    let from = t("2026-01-01T00:00:00+01:00");
    assert_eq!(
        rule.deadline(from).unwrap(),
        Some(t("2028-01-01T00:00:00+01:00"))
    );
    let last = t("2026-12-31T23:59:59.999+01:00");
    assert_eq!(
        rule.deadline(last).unwrap(),
        Some(t("2028-01-01T00:00:00+01:00"))
    );
}

/// DSA 20 minimum: 6 months after the statement of reasons, extended while a complaint is
/// pending; 2258A minimum: 1 year after the report; Reg. 2021/1232 cap: 12 months after
/// identification.
#[test]
fn platform_rules_on_an_account_sanction() {
    let tl = timeline(named_policy());
    let sanction = rref("trust-and-safety", 311);
    let mut events = EventBook::new();
    let notice: crate::record::kinds::Notification = serde_json::from_value(json!({
        "sanction": rref_json(&sanction), "channel": "email",
        "sent_at": "2026-04-01T10:00:00Z", "text_digest": Hash32([1; 32]).to_string(),
        "language": "nl", "delivery_status": "delivered"
    }))
    .unwrap();
    events.notification(&rref("notices", 5), &notice);
    events.add_trigger(
        &sanction,
        Trigger::Identification,
        t("2026-03-20T08:00:00Z"),
        "hash match",
    );
    events.add_trigger(
        &sanction,
        Trigger::ReportMade,
        t("2026-05-10T15:00:00Z"),
        "ncmec report",
    );
    let f = facts(
        &sanction,
        60,
        Kind::AccountSanction,
        "2026-03-20T08:00:00Z",
        "eu-r1232-csam-cap@1",
    );
    let at = t("2026-06-01T00:00:00Z");
    let s = schedule(&f, &tl, &events, &HoldBook::new(), at).unwrap();
    // 12:00 CEST + 6 months = 1 October 12:00 CEST.
    assert_eq!(
        outcome(&s, "eu-dsa20-appeal-window").bound,
        Bound::At(t("2026-10-01T10:00:00Z"))
    );
    // 11:00 EDT + 1 year = 11:00 EDT.
    assert_eq!(
        outcome(&s, "us-2258a-preservation").bound,
        Bound::At(t("2027-05-10T15:00:00Z"))
    );
    // Wall time kept: 09:00 CET on 20 March 2026 → 09:00 CET on 20 March 2027.
    assert_eq!(
        outcome(&s, "eu-r1232-csam-cap").bound,
        Bound::At(t("2027-03-20T08:00:00Z"))
    );
    // The cap falls before the 2258A minimum: a conflict.
    assert_eq!(s.conflicts.len(), 1);
    assert_eq!(s.conflicts[0].minimum.id, "us-2258a-preservation");

    // A complaint pending since September extends the DSA minimum and suspends the cap
    // (its condition complaint-pending); resolved in November, the minimum ends then.
    let case: CaseStatus = serde_json::from_value(json!({
        "event": "complaint-pending", "case_id": "case-b1", "effective_at": "2026-09-01T00:00:00Z",
        "authority": "appeals", "scope": [rref_json(&sanction)]
    }))
    .unwrap();
    events.case_status(&case).unwrap();
    let s = schedule(
        &f,
        &tl,
        &events,
        &HoldBook::new(),
        t("2026-10-15T00:00:00Z"),
    )
    .unwrap();
    assert!(matches!(
        outcome(&s, "eu-dsa20-appeal-window").bound,
        Bound::ConditionOpen {
            condition: Condition::ComplaintPending,
            ..
        }
    ));
    let mut resolved = case.clone();
    resolved.event = crate::record::kinds::case_status::CaseEvent::ComplaintResolved;
    resolved.effective_at = t("2026-11-15T00:00:00Z");
    events.case_status(&resolved).unwrap();
    let s = schedule(
        &f,
        &tl,
        &events,
        &HoldBook::new(),
        t("2026-12-01T00:00:00Z"),
    )
    .unwrap();
    assert_eq!(
        outcome(&s, "eu-dsa20-appeal-window").bound,
        Bound::At(t("2026-11-15T00:00:00Z"))
    );
    // Resolving twice is an error naming the case and the record.
    let e = events.case_status(&resolved).unwrap_err();
    assert!(
        matches!(&e, EventError::NothingPending { case_id, seq: 311, .. } if case_id == "case-b1")
    );
}

/// The hold-override rule: a hold suspends the cap; after release the cap applies again
/// and the time kept too long counts from the release.
#[test]
fn holds_suspend_caps_until_released() {
    let tl = timeline(policy(
        "p",
        1,
        json!([
            cap("csam-cap", 1, 12, "months", "occurred-at", "Europe/Brussels"),
            {"id": "hold-override", "version": 1, "rule": "hold-override", "kinds": [],
             "data_categories": [], "conditions": ["legal-hold"], "legal_source": "GDPR 17(3)(e)"}
        ]),
    ));
    let held = rref("trust-and-safety", 311);
    let other = rref("trust-and-safety", 312);
    let hold_rec = rref("legal-desk", 9);
    let set: LegalHold = serde_json::from_value(json!({
        "action": "set", "hold_id": "hold-7", "scope": [rref_json(&held)],
        "authority": "rechtbank-amsterdam", "legal_basis": "gdpr-17-3-e"
    }))
    .unwrap();
    let mut holds = HoldBook::new();
    holds
        .apply(70, &hold_rec, t("2026-06-01T00:00:00Z"), &set)
        .unwrap();
    assert!(holds.is_held(&held, t("2026-06-01T00:00:00Z")));
    assert!(!holds.is_held(&held, t("2026-05-31T23:59:59Z")));
    assert!(!holds.is_held(&other, t("2026-07-01T00:00:00Z")));
    let e = holds
        .apply(71, &hold_rec, t("2026-06-02T00:00:00Z"), &set)
        .unwrap_err();
    assert!(matches!(e, HoldError::AlreadySet { first_leaf: 70, .. }));

    let f = facts(
        &held,
        60,
        Kind::AccountSanction,
        "2026-03-01T12:00:00Z",
        "csam-cap@1",
    );
    let at = t("2027-04-01T00:00:00Z");
    let s = schedule(&f, &tl, &EventBook::new(), &holds, at).unwrap();
    assert_eq!(s.held_by, vec!["hold-7".to_string()]);
    assert_eq!(s.hold_override.as_ref().unwrap().id, "hold-override");
    assert!(matches!(
        s.due_at,
        Some(Bound::ConditionOpen {
            condition: Condition::LegalHold,
            ..
        })
    ));
    let p = plan(
        &[PlanRecord {
            schedule: s,
            present: fields(),
        }],
        at,
        Duration::ZERO,
    );
    assert_eq!(p.held.len(), 1);
    assert_eq!(p.held[0].cap_due, Some(t("2027-03-01T12:00:00Z")));
    assert!(p.overdue.is_empty());

    let mut release = set.clone();
    release.action = crate::record::kinds::legal_hold::HoldAction::Release;
    release.scope = vec![];
    release.set_by = Some(hold_rec.clone());
    let wrong = LegalHold {
        set_by: Some(rref("legal-desk", 8)),
        ..release.clone()
    };
    assert!(matches!(
        holds.apply(
            80,
            &rref("legal-desk", 12),
            t("2027-04-10T00:00:00Z"),
            &wrong
        ),
        Err(HoldError::SetByMismatch { .. })
    ));
    holds
        .apply(
            80,
            &rref("legal-desk", 12),
            t("2027-04-10T00:00:00Z"),
            &release,
        )
        .unwrap();
    // Before the release is known, the hold still holds.
    assert!(holds.is_held(&held, t("2027-04-09T00:00:00Z")));
    let at = t("2027-04-12T00:00:00Z");
    assert!(!holds.is_held(&held, at));
    let s = schedule(&f, &tl, &EventBook::new(), &holds, at).unwrap();
    assert_eq!(s.due_at, Some(Bound::At(t("2027-04-10T00:00:00Z"))));
    let p = plan(
        &[PlanRecord {
            schedule: s,
            present: fields(),
        }],
        at,
        Duration::from_secs(86_400),
    );
    assert_eq!(p.overdue.len(), 1);
    assert_eq!(p.overdue[0].late_by, Duration::from_secs(2 * 86_400));
    assert_eq!(p.overdue[0].rule.id, "csam-cap");
}

/// A hold with no hold-override rule in force is honoured and reported.
#[test]
fn hold_without_override_rule_is_a_finding() {
    let tl = timeline(policy(
        "p",
        1,
        json!([cap("c", 1, 1, "days", "occurred-at", "UTC")]),
    ));
    let r = rref("a", 1);
    let set: LegalHold = serde_json::from_value(json!({
        "action": "set", "hold_id": "h", "scope": [rref_json(&r)],
        "authority": "court", "legal_basis": "led-16-3", "until": "2026-02-01T00:00:00Z"
    }))
    .unwrap();
    let mut holds = HoldBook::new();
    holds
        .apply(5, &rref("legal", 1), t("2026-01-01T00:00:00Z"), &set)
        .unwrap();
    let f = facts(&r, 4, Kind::DataAccess, "2026-01-01T00:00:00Z", "c@1");
    let s = schedule(
        &f,
        &tl,
        &EventBook::new(),
        &holds,
        t("2026-01-10T00:00:00Z"),
    )
    .unwrap();
    assert!(
        matches!(&s.findings[..], [RuleFinding::HoldWithoutOverrideRule { holds }] if holds == &["h"])
    );
    // The hold lapses by itself at `until`; the cap is due then.
    assert_eq!(s.due_at, Some(Bound::At(t("2026-02-01T00:00:00Z"))));
    assert!(!holds.is_held(&r, t("2026-02-01T00:00:00Z")));
}

/// Policy v1 from leaf 10, v2 from leaf 100: the rule in force depends on the leaf, and a
/// record declaring the old version after the change is a finding.
#[test]
fn policy_changed_mid_log() {
    let mut tl = PolicyTimeline::new();
    tl.push(
        10,
        policy(
            "p",
            1,
            json!([cap("logs", 1, 1, "years", "occurred-at", "Europe/Berlin")]),
        ),
    )
    .unwrap();
    tl.push(
        100,
        policy(
            "p",
            2,
            json!([cap("logs", 2, 6, "months", "occurred-at", "Europe/Berlin")]),
        ),
    )
    .unwrap();
    assert!(tl.rule_in_force("logs", 9).is_none());
    assert_eq!(tl.rule_in_force("logs", 10).unwrap().reference.version, 1);
    assert_eq!(tl.rule_in_force("logs", 99).unwrap().reference.version, 1);
    assert_eq!(tl.rule_in_force("logs", 100).unwrap().reference.version, 2);

    let at = t("2026-02-01T00:00:00Z");
    let ev = EventBook::new();
    let hb = HoldBook::new();
    let old = facts(
        &rref("a", 1),
        50,
        Kind::DataAccess,
        "2026-01-15T12:00:00Z",
        "logs@1",
    );
    let s = schedule(&old, &tl, &ev, &hb, at).unwrap();
    assert!(s.findings.is_empty());
    assert_eq!(s.due_at, Some(Bound::At(t("2027-01-15T12:00:00Z"))));

    let stale = facts(
        &rref("a", 2),
        150,
        Kind::DataAccess,
        "2026-01-15T12:00:00Z",
        "logs@1",
    );
    let s = schedule(&stale, &tl, &ev, &hb, at).unwrap();
    assert_eq!(
        s.findings,
        vec![RuleFinding::VersionMismatch {
            declared: RuleRef::parse("logs@1").unwrap(),
            in_force: RuleRef::parse("logs@2").unwrap(),
        }]
    );
    // The rule in force, not the declared one, governs.
    // 13:00 CET + 6 months = 13:00 CEST.
    assert_eq!(s.due_at, Some(Bound::At(t("2026-07-15T13:00:00+02:00"))));

    let unknown = facts(
        &rref("a", 3),
        150,
        Kind::DataAccess,
        "2026-01-15T12:00:00Z",
        "other@1",
    );
    let s = schedule(&unknown, &tl, &ev, &hb, at).unwrap();
    assert!(matches!(&s.findings[..], [RuleFinding::NotInForce { .. }]));
    let mut none = unknown.clone();
    none.declared_rule = None;
    let s = schedule(&none, &tl, &ev, &hb, at).unwrap();
    assert!(
        matches!(&s.findings[..], [RuleFinding::Undeclared { covering }] if covering[0].version == 2)
    );

    // Timeline rejections.
    let e = tl
        .push(
            90,
            policy(
                "q",
                1,
                json!([cap("q", 1, 1, "days", "occurred-at", "UTC")]),
            ),
        )
        .unwrap_err();
    assert!(matches!(
        e,
        PolicyError::LeafOutOfOrder {
            leaf: 90,
            previous: 100,
            ..
        }
    ));
    let e = tl
        .push(
            200,
            policy(
                "p",
                2,
                json!([cap("logs", 3, 1, "days", "occurred-at", "UTC")]),
            ),
        )
        .unwrap_err();
    assert!(matches!(
        e,
        PolicyError::VersionNotIncreasing {
            version: 2,
            in_force: 2,
            ..
        }
    ));
    let e = tl
        .push(
            200,
            policy(
                "p",
                3,
                json!([cap("logs", 2, 7, "months", "occurred-at", "Europe/Berlin")]),
            ),
        )
        .unwrap_err();
    assert!(matches!(
        e,
        PolicyError::RuleChangedWithoutNewVersion {
            first_leaf: 100,
            ..
        }
    ));
    let e = tl
        .push(
            200,
            policy(
                "q",
                1,
                json!([cap("logs", 9, 1, "days", "occurred-at", "UTC")]),
            ),
        )
        .unwrap_err();
    assert!(matches!(e, PolicyError::RuleDefinedTwice { .. }));
}

/// A cap counted from the case's closure: undetermined while the case is open, due six
/// months after closure (wall time kept across the DST change), undetermined again when
/// the case is reopened.
#[test]
fn case_closure_triggers_the_period() {
    let tl = timeline(policy(
        "p",
        1,
        json!([cap(
            "case-logs",
            1,
            6,
            "months",
            "case-closed",
            "Europe/Amsterdam"
        )]),
    ));
    let r = rref("query-frontend", 1842);
    let f = facts(
        &r,
        40,
        Kind::DataAccess,
        "2026-03-02T14:07:31Z",
        "case-logs@1",
    );
    let hb = HoldBook::new();
    let mut ev = EventBook::new();
    let status = |event: &str, at: &str| -> CaseStatus {
        serde_json::from_value(json!({
            "event": event, "case_id": "case-3e7f21", "effective_at": at,
            "authority": "om", "scope": [rref_json(&r)]
        }))
        .unwrap()
    };
    ev.case_status(&status("opened", "2026-03-01T00:00:00Z"))
        .unwrap();
    let at = t("2026-06-01T00:00:00Z");
    let s = schedule(&f, &tl, &ev, &hb, at).unwrap();
    assert_eq!(s.due_at, Some(Bound::TriggerPending(Trigger::CaseClosed)));
    let p = plan(
        &[PlanRecord {
            schedule: s,
            present: fields(),
        }],
        at,
        Duration::ZERO,
    );
    assert_eq!(p.undetermined.len(), 1);

    ev.case_status(&status("closed", "2026-06-30T14:45:00Z"))
        .unwrap();
    // Not yet known at `at`, which is before the closure.
    let s = schedule(&f, &tl, &ev, &hb, at).unwrap();
    assert_eq!(s.due_at, Some(Bound::TriggerPending(Trigger::CaseClosed)));
    // 16:45 CEST + 6 months = 30 December 16:45 CET.
    let at = t("2026-12-30T15:45:00Z");
    let s = schedule(&f, &tl, &ev, &hb, at).unwrap();
    assert_eq!(s.due_at, Some(Bound::At(t("2026-12-30T15:45:00Z"))));
    let p = plan(
        &[PlanRecord {
            schedule: s,
            present: fields(),
        }],
        at,
        Duration::ZERO,
    );
    assert_eq!(p.due.len(), 1);
    assert_eq!(p.due[0].fields, fields());
    assert_eq!(p.due[0].late_by, Duration::ZERO);

    ev.case_status(&status("opened", "2027-01-05T00:00:00Z"))
        .unwrap();
    let s = schedule(&f, &tl, &ev, &hb, t("2027-01-06T00:00:00Z")).unwrap();
    assert_eq!(s.due_at, Some(Bound::TriggerPending(Trigger::CaseClosed)));
    let e = ev
        .case_status(&status("closed", "2026-01-01T00:00:00Z"))
        .unwrap_err();
    assert!(matches!(e, EventError::OutOfOrder { .. }));
}

/// Calendar arithmetic keeps local wall time across daylight-saving changes; a wall time
/// that does not exist moves forward past the gap.
#[test]
fn calendar_rules_across_dst() {
    let rule = |count, unit| {
        let p = policy(
            "p",
            1,
            json!([cap("r", 1, count, unit, "occurred-at", "Europe/Amsterdam")]),
        );
        p.rules[0].clone()
    };
    // 2026-09-15 10:00 CEST + 6 months = 2027-03-15 10:00 CET (one hour more in UTC terms).
    let six = rule(6, "months");
    assert_eq!(
        six.deadline(t("2026-09-15T10:00:00+02:00")).unwrap(),
        Some(t("2027-03-15T10:00:00+01:00"))
    );
    // Past the spring switch (28 March 2027): 10:00 CEST + 7 months = 10:00 CEST.
    assert_eq!(
        rule(7, "months")
            .deadline(t("2026-09-15T10:00:00+02:00"))
            .unwrap(),
        Some(t("2027-04-15T10:00:00+02:00"))
    );
    // A calendar day across the autumn switch is 25 hours.
    assert_eq!(
        rule(1, "days")
            .deadline(t("2026-10-24T12:00:00+02:00"))
            .unwrap(),
        Some(t("2026-10-25T12:00:00+01:00"))
    );
    // 02:30 on 28 March 2027 does not exist in Amsterdam: 03:30 CEST.
    assert_eq!(
        rule(1, "months")
            .deadline(t("2027-02-28T02:30:00+01:00"))
            .unwrap(),
        Some(t("2027-03-28T03:30:00+02:00"))
    );
    // Days without a zone are UTC days.
    let utc = policy(
        "u",
        1,
        json!([{"id": "d", "version": 1, "rule": "minimum", "kinds": [], "data_categories": [],
                "period": {"count": 2, "unit": "days"}, "trigger": "occurred-at",
                "conditions": [], "legal_source": "test"}]),
    );
    assert_eq!(
        utc.rules[0].deadline(t("2026-10-24T12:00:00Z")).unwrap(),
        Some(t("2026-10-26T12:00:00Z"))
    );
}

/// The plan sorts due, overdue and not-yet records, and skips records already erased.
#[test]
fn plan_sorts_due_overdue_and_not_yet() {
    let tl = timeline(policy(
        "p",
        1,
        json!([
            cap("cap", 1, 10, "days", "occurred-at", "UTC"),
            {"id": "min", "version": 1, "rule": "minimum", "kinds": ["notification"],
             "data_categories": [], "period": {"count": 5, "unit": "days"},
             "trigger": "occurred-at", "conditions": [], "legal_source": "test"}
        ]),
    ));
    let ev = EventBook::new();
    let hb = HoldBook::new();
    let at = t("2026-01-20T00:00:00Z");
    let mk = |seq, kind, occurred: &str, present: Vec<FieldPath>| PlanRecord {
        schedule: schedule(
            &facts(&rref("a", seq), seq, kind, occurred, "cap@1"),
            &tl,
            &ev,
            &hb,
            at,
        )
        .unwrap(),
        present,
    };
    let records = vec![
        mk(10, Kind::DataAccess, "2026-01-10T00:00:00Z", fields()), // due exactly at `at`
        mk(11, Kind::DataAccess, "2026-01-05T00:00:00Z", fields()), // 5 days late
        mk(12, Kind::DataAccess, "2026-01-01T00:00:00Z", vec![]),   // erased already
        mk(13, Kind::Notification, "2026-01-18T00:00:00Z", fields()), // minimum runs
    ];
    let p = plan(&records, at, Duration::from_secs(3600));
    assert_eq!(p.due.iter().map(|d| d.leaf).collect::<Vec<_>>(), vec![10]);
    assert_eq!(
        p.overdue.iter().map(|d| d.leaf).collect::<Vec<_>>(),
        vec![11]
    );
    assert_eq!(p.overdue[0].late_by, Duration::from_secs(5 * 86_400));
    assert_eq!(p.not_yet.len(), 1);
    assert_eq!(
        p.not_yet[0].not_before,
        Bound::At(t("2026-01-23T00:00:00Z"))
    );
    assert!(p.conflicts.is_empty() && p.held.is_empty() && p.rule_findings.is_empty());
}

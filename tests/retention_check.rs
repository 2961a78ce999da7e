//! Check 7 (retention) of the verifier on small logs built with the library: disclosures
//! hidden by a wrapping [`DisclosureSource`] stand for erased ones, retention-deletion
//! records for the sweeps that erased them. Each test asserts the exact code, leaf and
//! evidence of the findings it provokes.

mod common;

use std::time::Duration;

use common::records::{Chains, registration, search_access, t, two_sealed};
use common::tamper::{authority_vkey, log_key, trust_with};
use logseal::log::Log;
use logseal::record::kinds::{Body, Kind};
use logseal::record::sealed::FieldPath;
use logseal::record::types::Hash32;
use logseal::record::{Disclosure, SealedValue};
use logseal::retention::DisclosureSource;
use logseal::scenario::{AUTHORITY, ORIGIN};
use logseal::tree::TreeHashAlg;
use logseal::verify::{
    self, AuditorState, Check, Finding, NoProgress, Options, Report, RetentionAccess, Trust,
    Verdict,
};
use serde_json::{Value, json};

const POLICY: &str = "retention-authority";
/// The rule the court's records declare (every test policy holds it, see `Fixture::policy`).
const COURT_RULE: &str = "court-records@1";

/// A log with producers registered: the policy authority, a rogue policy writer, an
/// application writing data-access records with sealed fields, a sweeper and a court.
struct Fixture {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
    log: Log,
    chains: Chains,
    /// Per leaf: producer, seq and leaf hash.
    leaves: Vec<(String, u64, Hash32)>,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log");
        let log = Log::init(
            &path,
            &log_key(),
            &authority_vkey(),
            TreeHashAlg::Sha256,
            t("2026-02-01T00:00:00Z").0 / 1000,
        )
        .unwrap();
        let mut f = Fixture {
            _dir: dir,
            path,
            log,
            chains: Chains::default(),
            leaves: Vec::new(),
        };
        for (producer, kinds) in [
            (POLICY, vec![Kind::RetentionPolicy]),
            ("rogue", vec![Kind::RetentionPolicy]),
            ("app", vec![Kind::DataAccess]),
            ("sweeper", vec![Kind::RetentionDeletion]),
            ("court", vec![Kind::LegalHold, Kind::CaseStatus]),
        ] {
            let body = registration(producer, kinds);
            f.append(AUTHORITY, "2026-02-01T00:00:00Z", None, body, &[]);
        }
        f
    }

    /// Append one record; returns its leaf.
    fn append(
        &mut self,
        producer: &str,
        at: &str,
        rule: Option<&str>,
        body: Body,
        sealed: &[(&str, SealedValue)],
    ) -> u64 {
        let a = self
            .chains
            .append(&mut self.log, producer, at, rule, body, sealed);
        self.leaves.push((producer.to_owned(), a.seq, a.leaf_hash));
        a.leaf
    }

    /// A retention policy of `rules` and [`COURT_RULE`] (the court's records carry a sealed
    /// `case_ref`: without a rule covering them, check 7 reports retention-no-rule).
    fn policy(&mut self, producer: &str, at: &str, id: &str, version: u64, rules: Value) -> u64 {
        let mut rules = rules;
        rules.as_array_mut().unwrap().push(json!(
            {"id": "court-records", "version": 1, "rule": "cap",
             "kinds": ["case-status", "legal-hold"], "data_categories": [],
             "period": {"count": 36500, "unit": "days"}, "trigger": "occurred-at",
             "conditions": [], "legal_source": "test"}
        ));
        self.policy_of(producer, at, id, version, rules)
    }

    fn policy_of(&mut self, producer: &str, at: &str, id: &str, version: u64, rules: Value) -> u64 {
        let body = serde_json::from_value(json!({
            "policy_id": id, "version": version, "authority": "dpo", "rules": rules
        }))
        .unwrap();
        self.append(producer, at, None, Body::RetentionPolicy(body), &[])
    }

    /// A data access with two sealed fields, `actor.user` and `query`.
    fn access(&mut self, at: &str, rule: Option<&str>) -> u64 {
        let n = self.leaves.len();
        self.append("app", at, rule, search_access(), &two_sealed(n))
    }

    fn rref(&self, leaf: u64) -> Value {
        let (p, s, h) = &self.leaves[leaf as usize];
        json!({"producer": p, "seq": s, "leaf_hash": h.to_string()})
    }

    /// A retention-deletion of every sealed field of the records at `leaves` (by seq).
    fn deletion(
        &mut self,
        executed: &str,
        leaves: &[u64],
        rule: &str,
        ground: Option<&str>,
    ) -> u64 {
        let targets: Vec<Value> = leaves
            .iter()
            .map(|l| {
                let (p, s, _) = &self.leaves[*l as usize];
                json!({"range": "seq", "producer": p, "first": s, "last": s, "fields": []})
            })
            .collect();
        let mut body = json!({
            "targets": targets, "rule": rule, "due_at": executed, "executed_at": executed,
            "method": "erase-disclosure", "executor": "retention-sweep", "holds_checked": true,
            "item_count": 2 * leaves.len(),
        });
        if let Some(g) = ground {
            body["exception_ground"] = json!(g);
        }
        let body = Body::RetentionDeletion(serde_json::from_value(body).unwrap());
        self.append("sweeper", executed, None, body, &[])
    }

    fn hold(&mut self, at: &str, id: &str, scope: &[u64]) -> u64 {
        let scope: Vec<Value> = scope.iter().map(|l| self.rref(*l)).collect();
        let body = Body::LegalHold(
            serde_json::from_value(json!({
                "action": "set", "hold_id": id, "scope": scope, "authority": "court-amsterdam",
                "legal_basis": "gdpr-17-3-e"
            }))
            .unwrap(),
        );
        let case = SealedValue::Text("case-1".into());
        self.append("court", at, Some(COURT_RULE), body, &[("case_ref", case)])
    }

    /// Release hold `id` (set by the record at `set`): of `scope`, or the whole hold.
    fn release(&mut self, at: &str, id: &str, set: u64, scope: &[u64]) -> u64 {
        let scope: Vec<Value> = scope.iter().map(|l| self.rref(*l)).collect();
        let body = Body::LegalHold(
            serde_json::from_value(json!({
                "action": "release", "hold_id": id, "scope": scope,
                "authority": "court-amsterdam", "legal_basis": "gdpr-17-3-e",
                "set_by": self.rref(set)
            }))
            .unwrap(),
        );
        let case = SealedValue::Text("case-1".into());
        self.append("court", at, Some(COURT_RULE), body, &[("case_ref", case)])
    }

    fn case(&mut self, at: &str, event: &str, scope: &[u64]) -> u64 {
        let scope: Vec<Value> = scope.iter().map(|l| self.rref(*l)).collect();
        let body = Body::CaseStatus(
            serde_json::from_value(json!({
                "event": event, "case_id": "case-3e7f21", "effective_at": at,
                "authority": "court-amsterdam", "scope": scope
            }))
            .unwrap(),
        );
        let case = SealedValue::Text("case-1".into());
        self.append("court", at, Some(COURT_RULE), body, &[("case_ref", case)])
    }

    /// Publish a checkpoint at `cp`.
    fn cp(&mut self, cp: &str) {
        self.log.checkpoint(t(cp).0 / 1000).unwrap();
    }
}

fn trust(authority: Option<&str>) -> Trust {
    let mut file = trust_with(Vec::new(), 0).file;
    file.authorisation_required.clear();
    file.retention_policy_authority = authority.map(str::to_owned);
    Trust::new(file).unwrap()
}

fn verify_at(log: &Log, at: &str, view: Option<&View>, authority: Option<&str>) -> Report {
    let access = view.map(|v| RetentionAccess {
        disclosures: v as &dyn DisclosureSource,
        grace: Duration::from_secs(86_400),
    });
    verify::verify_with_retention(
        log.public_store(),
        &trust(authority),
        &AuditorState::new(ORIGIN),
        &Options {
            at_secs: t(at).0 / 1000,
            incremental: false,
        },
        &NoProgress,
        access,
    )
    .unwrap()
    .report
}

/// The log's disclosures, some hidden (erased) or replaced (forged).
struct View<'a> {
    log: &'a Log,
    hidden: Vec<u64>,
    forged: Vec<(u64, Disclosure)>,
}

impl<'a> View<'a> {
    fn of(log: &'a Log) -> Self {
        View {
            log,
            hidden: Vec::new(),
            forged: Vec::new(),
        }
    }
    fn hide(mut self, leaves: &[u64]) -> Self {
        self.hidden.extend_from_slice(leaves);
        self
    }
}

impl DisclosureSource for View<'_> {
    fn readable(&self, leaf: u64) -> Result<Vec<Disclosure>, String> {
        if self.hidden.contains(&leaf) {
            return Ok(Vec::new());
        }
        let mut v = self.log.readable(leaf)?;
        for (l, d) in &self.forged {
            if *l == leaf {
                v.retain(|o| o.path != d.path);
                v.push(d.clone());
            }
        }
        Ok(v)
    }
}

/// Check 7's findings, as (code, leaf).
fn codes(r: &Report) -> Vec<(&'static str, Option<u64>)> {
    r.findings
        .iter()
        .filter(|f| f.check == Check::Retention)
        .map(|f| (f.code, f.leaf))
        .collect()
}

fn one<'a>(r: &'a Report, code: &'a str) -> &'a Finding {
    let v: Vec<&Finding> = r.with_code(code).collect();
    assert_eq!(v.len(), 1, "{code}: {:#?}", r.findings);
    v[0]
}

fn check7(r: &Report) -> Option<Verdict> {
    r.checks[6].verdict
}

/// A one-day cap and a hold-override rule over data accesses.
fn day_cap() -> Value {
    json!([
        {"id": "c", "version": 1, "rule": "cap", "kinds": ["data-access"], "data_categories": [],
         "period": {"count": 1, "unit": "days"}, "trigger": "occurred-at",
         "conditions": [], "legal_source": "test-cap"},
        {"id": "h", "version": 1, "rule": "hold-override", "kinds": ["data-access"], "data_categories": [],
         "conditions": ["legal-hold"], "legal_source": "gdpr-17-3-e"}
    ])
}

#[test]
fn a_due_deletion_on_record_holds_and_a_record_kept_past_its_cap_is_kept_too_long() {
    let mut f = Fixture::new();
    f.policy(POLICY, "2026-03-01T00:00:00Z", "p", 1, day_cap());
    let a = f.access("2026-03-01T10:00:00Z", Some("c@1"));
    let b = f.access("2026-03-01T10:00:00Z", Some("c@1"));
    let d = f.deletion("2026-03-02T12:00:00Z", &[a], "c@1", None);
    f.cp("2026-03-02T13:00:00Z");
    let view = View::of(&f.log).hide(&[a]);
    let r = verify_at(&f.log, "2026-03-05T00:00:00Z", Some(&view), Some(POLICY));
    assert_eq!(codes(&r), [("retention-kept-too-long", Some(b))]);
    let k = one(&r, "retention-kept-too-long");
    assert_eq!((k.producer.as_deref(), k.seq), (Some("app"), Some(1)));
    assert_eq!(
        k.expected.as_deref(),
        Some("deleted by 2026-03-02T10:00:00.000Z (c@1), within the grace of 1d")
    );
    assert_eq!(
        k.found.as_deref(),
        Some("still readable at 2026-03-05T00:00:00.000Z: kept 2d 14h (223200000 ms) too long")
    );
    assert_eq!(check7(&r), Some(Verdict::Violated));
    let s = r.retention.as_ref().unwrap();
    assert_eq!(s.policy_authority.as_deref(), Some(POLICY));
    assert_eq!(s.counts.records_with_sealed_fields, 2);
    assert_eq!(s.counts.with_disclosures, 1);
    assert_eq!(s.counts.erased_and_covered, 1);
    assert_eq!(s.counts.deletions_recorded, 1);
    assert_eq!((s.counts.overdue, s.counts.due), (1, 0));
    assert_eq!(s.overdue[0].leaf, b);
    assert_eq!(s.overdue[0].late_by, "2d 14h");
    assert_eq!(s.overdue[0].late_by_ms, 223_200_000);
    assert_eq!(s.overdue[0].fields, ["actor.user", "query"]);
    assert!(d > b);

    // Within the grace, the kept record is only due (a notice); without a DisclosureSource
    // check 7 does not run, and says why.
    let r = verify_at(&f.log, "2026-03-02T13:00:00Z", Some(&view), Some(POLICY));
    assert_eq!(codes(&r), [("retention-due", Some(b))]);
    assert_eq!(check7(&r), Some(Verdict::Notice));
    let r = verify_at(&f.log, "2026-03-05T00:00:00Z", None, Some(POLICY));
    assert_eq!(check7(&r), None);
    assert_eq!(
        r.checks[6].not_run.as_deref(),
        Some(verify::NO_DISCLOSURE_ACCESS)
    );
    assert!(r.retention.is_none());
}

#[test]
fn premature_unrecorded_unfinished_and_misnamed_deletions_and_a_forged_disclosure() {
    let mut f = Fixture::new();
    f.policy(POLICY, "2026-03-01T00:00:00Z", "p", 1, day_cap());
    let early = f.access("2026-03-01T10:00:00Z", Some("c@1"));
    let misnamed = f.access("2026-03-01T10:00:00Z", Some("c@1"));
    let requested = f.access("2026-03-01T10:00:00Z", Some("c@1"));
    let silent = f.access("2026-03-01T10:00:00Z", Some("c@1"));
    let undone = f.access("2026-03-01T10:00:00Z", Some("c@1"));
    let forged = f.access("2026-03-01T10:00:00Z", Some("c@1"));
    let d1 = f.deletion("2026-03-01T12:00:00Z", &[early], "c@1", None);
    let d2 = f.deletion(
        "2026-03-01T12:30:00Z",
        &[requested],
        "c@1",
        Some("gdpr-17-1"),
    );
    let d3 = f.deletion("2026-03-02T12:00:00Z", &[misnamed], "other@1", None);
    let d4 = f.deletion("2026-03-02T12:30:00Z", &[undone, forged], "c@1", None);
    f.cp("2026-03-02T13:00:00Z");
    let mut view = View::of(&f.log).hide(&[early, misnamed, requested, silent]);
    let wrong = Disclosure::new(
        [9; 16],
        FieldPath::parse("query").unwrap(),
        SealedValue::Text("+31 6 00000000".into()),
    );
    view.forged.push((forged, wrong.clone()));
    // d4 claims both records erased; neither is (one of them with a forged disclosure).
    let r = verify_at(&f.log, "2026-03-02T14:00:00Z", Some(&view), Some(POLICY));
    let mut got = codes(&r);
    got.sort();
    assert_eq!(
        got,
        [
            ("retention-deletion-not-done", Some(undone)),
            ("retention-deletion-not-done", Some(forged)),
            ("retention-deletion-rule-mismatch", Some(misnamed)),
            ("retention-deletion-without-record", Some(silent)),
            ("retention-disclosure-mismatch", Some(forged)),
            ("retention-due", Some(undone)),
            ("retention-due", Some(forged)),
            ("retention-premature-deletion", Some(early)),
        ]
    );
    let p = one(&r, "retention-premature-deletion");
    assert_eq!(
        p.expected.as_deref(),
        Some("deletion no earlier than: cap c@1 due 2026-03-02T10:00:00.000Z")
    );
    assert_eq!(
        p.found.as_deref(),
        Some("executed at 2026-03-01T12:00:00.000Z, 22h early")
    );
    assert!(
        p.message
            .contains(&format!("retention-deletion at leaf {d1} (sweeper#0)"))
    );
    let m = one(&r, "retention-deletion-rule-mismatch");
    assert_eq!(m.expected.as_deref(), Some("the governing cap c@1"));
    assert_eq!(m.found.as_deref(), Some("other@1"));
    assert!(m.message.contains(&format!("leaf {d3}")));
    let w = one(&r, "retention-deletion-without-record");
    assert_eq!((w.producer.as_deref(), w.seq), (Some("app"), Some(3)));
    assert_eq!(
        w.expected.as_deref(),
        Some(
            format!(
                "a readable disclosure of actor.user, query, or a retention-deletion after leaf \
                 {silent} naming this record and the field(s)"
            )
            .as_str()
        )
    );
    let n: Vec<&Finding> = r.with_code("retention-deletion-not-done").collect();
    assert_eq!(
        n[0].expected.as_deref(),
        Some("no readable disclosure of actor.user, query (erased at 2026-03-02T12:30:00.000Z)")
    );
    assert!(n[0].message.contains(&format!("leaf {d4} (sweeper#3)")));
    let x = one(&r, "retention-disclosure-mismatch");
    assert!(
        x.message.contains("readable disclosure of query"),
        "{}",
        x.message
    );
    assert_eq!(
        x.found.as_deref(),
        Some(
            format!(
                "a disclosure committing to {}",
                hex::encode(wrong.commitment())
            )
            .as_str()
        )
    );
    // The GDPR 17(1) erasure before the due date is accepted.
    assert!(r.findings.iter().all(|f| f.leaf != Some(requested)));
    assert!(d2 > requested);
    let s = r.retention.as_ref().unwrap();
    assert_eq!(s.counts.erased_and_covered, 3);
    assert_eq!(s.counts.erased_without_record, 1);
}

#[test]
fn a_hold_suspends_the_cap_and_a_deletion_under_hold_is_a_violation_even_with_a_ground() {
    let mut f = Fixture::new();
    f.policy(POLICY, "2026-03-01T00:00:00Z", "p", 1, day_cap());
    let kept = f.access("2026-03-01T10:00:00Z", Some("c@1"));
    let erased = f.access("2026-03-01T10:00:00Z", Some("c@1"));
    let hold = f.hold("2026-03-01T12:00:00Z", "hold-1", &[kept, erased]);
    let d = f.deletion("2026-03-03T00:00:00Z", &[erased], "c@1", Some("gdpr-17-1"));
    f.cp("2026-03-03T01:00:00Z");
    let view = View::of(&f.log).hide(&[erased]);
    let r = verify_at(&f.log, "2026-03-10T00:00:00Z", Some(&view), Some(POLICY));
    // The kept record is past its cap, but held: not kept too long.
    assert_eq!(codes(&r), [("retention-deleted-under-hold", Some(erased))]);
    let h = one(&r, "retention-deleted-under-hold");
    assert_eq!(
        h.expected.as_deref(),
        Some(format!("no deletion while hold-1 (set at leaf {hold}) is active").as_str())
    );
    assert_eq!(
        h.found.as_deref(),
        Some("erased at 2026-03-03T00:00:00.000Z")
    );
    assert!(
        h.message
            .contains("exception ground gdpr-17-1 does not lift a hold")
    );
    assert!(h.message.contains(&format!("leaf {d}")));
    let s = r.retention.as_ref().unwrap();
    assert_eq!(s.counts.held, 1);
    assert_eq!(s.held[0].leaf, kept);
    assert_eq!(s.held[0].sources, ["hold-1"]);
    assert_eq!(
        s.held[0].cap_due.as_deref(),
        Some("2026-03-02T10:00:00.000Z")
    );
    assert_eq!(s.counts.overdue, 0);
}

#[test]
fn a_policy_changed_mid_log_governs_only_later_records() {
    let mut f = Fixture::new();
    f.policy(POLICY, "2026-03-01T00:00:00Z", "p", 1, day_cap());
    let old = f.access("2026-03-01T10:00:00Z", Some("c@1"));
    let mut v2 = day_cap();
    v2[0]["version"] = json!(2);
    v2[0]["period"]["count"] = json!(10);
    f.policy(POLICY, "2026-03-01T10:30:00Z", "p", 2, v2);
    let new = f.access("2026-03-01T11:00:00Z", Some("c@1"));
    f.cp("2026-03-01T12:00:00Z");
    let view = View::of(&f.log);
    let r = verify_at(&f.log, "2026-03-05T00:00:00Z", Some(&view), Some(POLICY));
    let mut got = codes(&r);
    got.sort();
    assert_eq!(
        got,
        [
            ("retention-declared-rule-mismatch", Some(new)),
            ("retention-kept-too-long", Some(old)),
        ]
    );
    let m = one(&r, "retention-declared-rule-mismatch");
    assert_eq!(
        (m.expected.as_deref(), m.found.as_deref()),
        (Some("c@2"), Some("c@1"))
    );
    assert!(
        m.message.contains("1 record(s), at leaves"),
        "{}",
        m.message
    );
    assert_eq!(
        one(&r, "retention-kept-too-long").found.as_deref(),
        Some("still readable at 2026-03-05T00:00:00.000Z: kept 2d 14h (223200000 ms) too long")
    );
    // Under version 2 the new record falls due ten days after it was made.
    let r = verify_at(&f.log, "2026-03-13T00:00:00Z", Some(&view), Some(POLICY));
    let k: Vec<&Finding> = r.with_code("retention-kept-too-long").collect();
    assert_eq!(k.len(), 2);
    assert_eq!(k[1].leaf, Some(new));
    assert!(
        k[1].message
            .contains("c@2 required deletion by 2026-03-11T11:00:00.000Z")
    );
    let s = r.retention.unwrap();
    assert_eq!(
        s.policies.iter().map(|p| p.version).collect::<Vec<_>>(),
        [1, 2]
    );
}

#[test]
fn a_case_closure_starts_the_period() {
    let mut f = Fixture::new();
    let rules = json!([
        {"id": "after-case", "version": 1, "rule": "cap", "kinds": ["data-access"],
         "data_categories": ["traffic-data"], "period": {"count": 30, "unit": "days"},
         "trigger": "case-closed", "conditions": [], "legal_source": "test"}
    ]);
    f.policy(POLICY, "2026-03-01T00:00:00Z", "p", 1, rules);
    let a = f.access("2026-03-01T10:00:00Z", Some("after-case@1"));
    f.case("2026-03-01T12:00:00Z", "opened", &[a]);
    f.case("2026-04-01T00:00:00Z", "closed", &[a]);
    f.cp("2026-04-01T01:00:00Z");
    let view = View::of(&f.log);
    let r = verify_at(&f.log, "2026-04-15T00:00:00Z", Some(&view), Some(POLICY));
    assert_eq!(codes(&r), []);
    assert_eq!(check7(&r), Some(Verdict::Holds));
    let r = verify_at(&f.log, "2026-05-10T00:00:00Z", Some(&view), Some(POLICY));
    assert_eq!(codes(&r), [("retention-kept-too-long", Some(a))]);
    let k = one(&r, "retention-kept-too-long");
    assert_eq!(
        k.expected.as_deref(),
        Some("deleted by 2026-05-01T00:00:00.000Z (after-case@1), within the grace of 1d")
    );
    assert!(
        k.found
            .as_deref()
            .unwrap()
            .ends_with("kept 9d (777600000 ms) too long")
    );
}

#[test]
fn a_calendar_rule_counts_days_across_the_dst_change_in_amsterdam() {
    let mut f = Fixture::new();
    let rules = json!([
        {"id": "nl-days", "version": 1, "rule": "cap", "kinds": ["data-access"],
         "data_categories": [], "period": {"count": 30, "unit": "days"},
         "trigger": "occurred-at", "time_zone": "Europe/Amsterdam", "conditions": [],
         "legal_source": "test"}
    ]);
    f.policy(POLICY, "2026-03-01T00:00:00Z", "p", 1, rules);
    // 12:00 CET on 15 March; 30 calendar days later is 12:00 CEST on 14 April (DST began on
    // 29 March, the last Sunday): 719 hours, not 720.
    let a = f.access("2026-03-15T12:00:00+01:00", Some("nl-days@1"));
    f.cp("2026-03-15T12:00:00Z");
    let view = View::of(&f.log);
    let r = verify_at(&f.log, "2026-04-20T10:00:00Z", Some(&view), Some(POLICY));
    let k = one(&r, "retention-kept-too-long");
    assert_eq!(k.leaf, Some(a));
    assert_eq!(
        k.expected.as_deref(),
        Some("deleted by 2026-04-14T12:00:00+02:00 (nl-days@1), within the grace of 1d")
    );
    assert_eq!(
        k.found.as_deref(),
        Some("still readable at 2026-04-20T10:00:00.000Z: kept 6d (518400000 ms) too long")
    );
    let s = r.retention.unwrap();
    assert_eq!(s.overdue[0].deadline, "2026-04-14T12:00:00+02:00");
    assert_eq!(s.overdue[0].deadline_ms, t("2026-04-14T10:00:00Z").0);
}

#[test]
fn a_policy_by_another_producer_is_not_applied_when_the_authority_is_pinned() {
    let mut f = Fixture::new();
    let rogue = f.policy(
        "rogue",
        "2026-03-01T00:00:00Z",
        "rogue-policy",
        1,
        day_cap(),
    );
    let a = f.access("2026-03-01T10:00:00Z", None);
    f.cp("2026-03-01T12:00:00Z");
    let view = View::of(&f.log);
    let r = verify_at(&f.log, "2026-03-05T00:00:00Z", Some(&view), Some(POLICY));
    // No authorised policy covers the access: its sealed fields are under no rule.
    assert_eq!(
        codes(&r),
        [
            ("retention-no-rule", Some(a)),
            ("retention-policy-unauthorised", Some(rogue))
        ]
    );
    let u = one(&r, "retention-policy-unauthorised");
    assert_eq!((u.producer.as_deref(), u.seq), (Some("rogue"), Some(0)));
    assert_eq!(
        (u.expected.as_deref(), u.found.as_deref()),
        (
            Some("a retention-policy record by retention-authority"),
            Some("one by rogue")
        )
    );
    assert!(r.retention.as_ref().unwrap().policies.is_empty());

    // Not pinned: the rogue policy applies, and the report says policies are not pinned.
    let r = verify_at(&f.log, "2026-03-05T00:00:00Z", Some(&view), None);
    let mut got = codes(&r);
    got.sort();
    assert_eq!(
        got,
        [
            ("retention-kept-too-long", Some(a)),
            ("retention-policy-unpinned", Some(rogue)),
            ("retention-rule-undeclared", Some(a)),
        ]
    );
    assert_eq!(
        one(&r, "retention-rule-undeclared").expected.as_deref(),
        Some("a declared rule, one of c@1")
    );
}

#[test]
fn conflicts_are_aggregated_and_a_case_sequence_that_cannot_be_followed_is_undetermined() {
    let mut f = Fixture::new();
    let rules = json!([
        {"id": "c", "version": 1, "rule": "cap", "kinds": ["data-access"], "data_categories": [],
         "period": {"count": 1, "unit": "days"}, "trigger": "occurred-at",
         "conditions": [], "legal_source": "test-cap"},
        {"id": "m", "version": 1, "rule": "minimum", "kinds": ["data-access"],
         "data_categories": [], "period": {"count": 10, "unit": "days"},
         "trigger": "occurred-at", "conditions": [], "legal_source": "test-minimum"}
    ]);
    f.policy(POLICY, "2026-03-01T00:00:00Z", "p", 1, rules);
    let a = f.access("2026-03-01T10:00:00Z", Some("c@1"));
    let b = f.access("2026-03-01T11:00:00Z", Some("c@1"));
    let bad = f.case("2026-03-01T12:00:00Z", "complaint-resolved", &[a]);
    f.cp("2026-03-01T13:00:00Z");
    let view = View::of(&f.log);
    let r = verify_at(&f.log, "2026-03-05T00:00:00Z", Some(&view), Some(POLICY));
    assert_eq!(
        codes(&r),
        [
            ("retention-undetermined", Some(bad)),
            ("retention-conflict", Some(a)),
        ]
    );
    let u = one(&r, "retention-undetermined");
    assert_eq!(u.verdict, Verdict::CannotBeDetermined);
    assert!(
        u.message
            .contains("complaint resolved at 2026-03-01T12:00:00.000Z but no complaint is pending"),
        "{}",
        u.message
    );
    let c = one(&r, "retention-conflict");
    assert!(
        c.message.contains(&format!(
            "cap c@1 requires deletion before minimum m@1 allows it (2 record(s), at leaves {a}, {b})"
        )),
        "{}",
        c.message
    );
    assert_eq!(
        (c.expected.as_deref(), c.found.as_deref()),
        (
            Some("deletion by 2026-03-02T10:00:00.000Z (c@1)"),
            Some("kept until 2026-03-11T10:00:00.000Z (m@1)")
        )
    );
    let s = r.retention.unwrap();
    assert_eq!(
        (s.counts.conflicts, s.counts.overdue, s.counts.not_followed),
        (2, 0, 1)
    );
}

#[test]
fn the_cli_reads_the_private_part_pins_the_authority_and_prints_what_was_kept_too_long() {
    let mut f = Fixture::new();
    f.policy(POLICY, "2026-03-01T00:00:00Z", "p", 1, day_cap());
    let a = f.access("2026-03-01T10:00:00Z", Some("c@1"));
    f.log
        .checkpoint(t("2026-03-01T12:00:00Z").0 / 1000)
        .unwrap();
    let dir = f.path.parent().unwrap().to_path_buf();
    let write = |name: &str, authority: Option<&str>| {
        let v = serde_json::to_string(&trust(authority).file).unwrap();
        std::fs::write(dir.join(name), v).unwrap();
    };
    write("trust.json", Some(POLICY));
    let args = |extra: &[&'static str]| {
        let mut v = vec![
            "verify",
            "log",
            "--trust",
            "trust.json",
            "--at",
            "2026-03-05T00:00:00Z",
        ];
        v.extend_from_slice(extra);
        v
    };
    let o = common::logseal(&args(&[]), &dir, None);
    let out = common::text(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains(&format!(
            "\n  kept too long: leaf {a} app#0 c@1 due 2026-03-02T10:00:00.000Z, kept 2d 14h too long\n"
        )),
        "{out}"
    );
    assert!(
        out.contains("  policies    by the pinned authority retention-authority\n"),
        "{out}"
    );
    // A longer grace makes it due; the JSON report carries the status.
    let o = common::logseal(&args(&["--retention-grace", "3d", "--json"]), &dir, None);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["retention"]["counts"]["due"], 1);
    assert_eq!(v["retention"]["grace_ms"], 3 * 86_400_000u64);
    assert_eq!(v["checks"][6]["verdict"], "notice");
    // `retention plan --trust` applies only the pinned authority's policies.
    write("other.json", Some("rogue"));
    let plan = common::ok(&common::logseal(
        &[
            "retention",
            "plan",
            "log",
            "--at",
            "2026-03-05T00:00:00Z",
            "--trust",
            "other.json",
        ],
        &dir,
        None,
    ));
    assert!(plan.contains("; due 0, overdue 0,"), "{plan}");
    assert!(plan.contains(&format!(
        "policy p version 1 at leaf 5 NOT applied: recorded by {POLICY}#0, not by the policy authority rogue\n"
    )), "{plan}");
    assert!(!plan.contains("limitation:"), "{plan}");
}

#[test]
fn the_trust_file_names_the_policy_authority_as_a_producer_id() {
    let mut v = serde_json::to_value(trust(None).file).unwrap();
    assert!(v.get("retention_policy_authority").is_none());
    v["retention_policy_authority"] = json!("Not A Producer");
    let e = Trust::from_json(v.to_string().as_bytes()).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("trust file: retention_policy_authority: "),
        "{e}"
    );
    v["retention_policy_authority"] = json!(POLICY);
    let t = Trust::from_json(v.to_string().as_bytes()).unwrap();
    assert_eq!(t.retention_policy_authority.unwrap().as_str(), POLICY);
}

#[test]
fn holds_are_judged_by_log_order_so_a_backdated_deletion_does_not_escape_one() {
    let mut f = Fixture::new();
    f.policy(POLICY, "2026-03-01T00:00:00Z", "p", 1, day_cap());
    let held = f.access("2026-03-01T10:00:00Z", Some("c@1"));
    let released = f.access("2026-03-01T10:00:00Z", Some("c@1"));
    let hold = f.hold("2026-03-03T06:00:00Z", "hold-1", &[held, released]);
    f.release("2026-03-03T07:00:00Z", "hold-1", hold, &[released]);
    // Appended after the hold, but dated before it was set.
    let d = f.deletion("2026-03-03T00:00:00Z", &[held, released], "c@1", None);
    f.cp("2026-03-03T08:00:00Z");
    let view = View::of(&f.log).hide(&[held, released]);
    let r = verify_at(&f.log, "2026-03-10T00:00:00Z", Some(&view), Some(POLICY));
    // The released record was free to go; the held one was not, whatever the date says.
    assert_eq!(codes(&r), [("retention-deleted-under-hold", Some(held))]);
    let h = one(&r, "retention-deleted-under-hold");
    assert_eq!(
        h.expected.as_deref(),
        Some(format!("no deletion while hold-1 (set at leaf {hold}) is active").as_str())
    );
    assert!(h.message.contains(&format!("leaf {d}")), "{}", h.message);
    assert_eq!(r.retention.as_ref().unwrap().counts.erased_and_covered, 2);
}

#[test]
fn a_forward_dated_deletion_and_a_late_one_are_findings() {
    let mut f = Fixture::new();
    f.policy(POLICY, "2026-03-01T00:00:00Z", "p", 1, day_cap());
    let early = f.access("2026-03-09T10:00:00Z", Some("c@1"));
    let late = f.access("2026-03-01T10:00:00Z", Some("c@1"));
    let kept = f.access("2026-03-01T10:00:00Z", Some("c@1"));
    // Erased on the 9th but dated after its cap (the 10th, 10:00), after the checkpoint that
    // includes it and after the reference time: the date is a claim the verifier cannot take.
    let future = f.deletion("2026-03-11T00:00:00Z", &[early], "c@1", None);
    // Due on the 2nd, erased on the 8th: kept too long, unless a ground says why.
    f.deletion("2026-03-08T00:00:00Z", &[late], "c@1", None);
    f.deletion("2026-03-08T00:00:00Z", &[kept], "c@1", Some("gdpr-17-3-e"));
    f.cp("2026-03-09T12:00:00Z");
    let view = View::of(&f.log).hide(&[early, late, kept]);
    let r = verify_at(&f.log, "2026-03-09T13:00:00Z", Some(&view), Some(POLICY));
    let mut got = codes(&r);
    got.sort();
    assert_eq!(
        got,
        [
            ("retention-deleted-late", Some(late)),
            ("retention-deletion-future-dated", Some(future)),
            // Judged at the time of the checkpoint that includes it (it existed by then),
            // the 9th at 12:00: before the cap allowed it.
            ("retention-premature-deletion", Some(early)),
        ]
    );
    let x = one(&r, "retention-deletion-future-dated");
    assert_eq!(
        x.expected.as_deref(),
        Some("executed_at no later than 2026-03-09T12:00:00.000Z")
    );
    assert_eq!(x.found.as_deref(), Some("2026-03-11T00:00:00.000Z"));
    let l = one(&r, "retention-deleted-late");
    assert_eq!(
        l.found.as_deref(),
        Some(
            "erased at 2026-03-08T00:00:00.000Z, 5d 14h after the deadline \
             2026-03-02T10:00:00.000Z"
        )
    );
    assert_eq!(
        l.expected.as_deref(),
        Some("erased by 2026-03-03T10:00:00.000Z (due + grace)")
    );
}

/// A log whose clock runs ahead dates a deletion after the cap allowed it, and signs the
/// checkpoint that includes it at that later time; the witness cosigns it at its own (true)
/// time, before the cap. Trusting the log's clock, the deletion looks lawful; with the
/// witness (quorum 1) the checkpoint's time is the witness's (`checkpoint-time-ahead`), the
/// deletion record is dated after the checkpoint that includes it (check 5), and check 7
/// judges the erasure at the witness's time: forward-dated and premature.
#[test]
fn a_log_clock_ahead_of_the_witnesses_cannot_date_a_deletion_past_them() {
    let mut f = Fixture::new();
    f.policy(POLICY, "2026-03-01T00:00:00Z", "p", 1, day_cap());
    // Due (the one-day cap) on the 10th at 10:00.
    let early = f.access("2026-03-09T10:00:00Z", Some("c@1"));
    let deletion = f.deletion("2026-03-10T12:00:00Z", &[early], "c@1", None);
    let witness = logseal::scenario::secret_key("witness-1");
    let wv =
        logseal::checkpoint::CosignatureVerifier::new("witness-1", witness.public_key()).unwrap();
    let witnessed_at = t("2026-03-09T12:30:00Z").0 / 1000;
    f.log
        .checkpoint_witnessed(t("2026-03-10T13:00:00Z").0 / 1000, &mut |note, _| {
            let text = logseal::note::parse_note(note).unwrap().text;
            vec![logseal::checkpoint::cosign(&text, &witness, "witness-1", witnessed_at).unwrap()]
        })
        .unwrap();
    let view = View::of(&f.log).hide(&[early]);
    let run_at = |trust: &Trust, at: &str| {
        verify::verify_with_retention(
            f.log.public_store(),
            trust,
            &AuditorState::new(ORIGIN),
            &Options {
                at_secs: t(at).0 / 1000,
                incremental: false,
            },
            &NoProgress,
            Some(RetentionAccess {
                disclosures: &view as &dyn DisclosureSource,
                grace: Duration::from_secs(86_400),
            }),
        )
        .unwrap()
        .report
    };
    let run = |trust: &Trust| run_at(trust, "2026-03-11T00:00:00Z");
    let trusting_the_log = run(&trust(Some(POLICY)));
    assert_eq!(codes(&trusting_the_log), []);
    assert_eq!(
        trusting_the_log.with_code("time-after-checkpoint").count(),
        0
    );

    let mut file = trust(Some(POLICY)).file;
    file.witnesses = vec![wv.to_vkey()];
    file.witness_quorum = 1;
    let witnessed = Trust::new(file).unwrap();
    let with_witness = run(&witnessed);
    let ahead = one(&with_witness, "checkpoint-time-ahead");
    // The witness's time plus the 300 s skew.
    assert_eq!(
        ahead.expected.as_deref(),
        Some("log time ≤ 2026-03-09T12:35:00.000Z")
    );
    let late = one(&with_witness, "time-after-checkpoint");
    assert_eq!(late.leaf, Some(deletion));
    let mut got = codes(&with_witness);
    got.sort();
    assert_eq!(
        got,
        [
            ("retention-deletion-future-dated", Some(deletion)),
            ("retention-premature-deletion", Some(early)),
        ]
    );
    let x = one(&with_witness, "retention-deletion-future-dated");
    assert_eq!(
        x.expected.as_deref(),
        Some("executed_at no later than 2026-03-09T12:35:00.000Z")
    );
    let first = format!(
        "the time of the first known checkpoint that includes it (size {})",
        deletion + 1
    );
    assert!(x.message.contains(&first), "{}", x.message);
    // The log's own claim is still judged as signed: verified before the log's time (and
    // after the witness's), the checkpoint claims a time that has not come yet.
    let before = run_at(&witnessed, "2026-03-10T00:00:00Z");
    assert_eq!(before.with_code("checkpoint-time-future").count(), 1);
    assert_eq!(with_witness.with_code("checkpoint-time-future").count(), 0);
}

/// A ten-day minimum over data accesses.
fn ten_day_minimum() -> Value {
    json!([
        {"id": "m", "version": 1, "rule": "minimum", "kinds": ["data-access"],
         "data_categories": [], "period": {"count": 10, "unit": "days"},
         "trigger": "occurred-at", "conditions": [], "legal_source": "test-minimum"}
    ])
}

#[test]
fn only_a_court_order_or_led_16_2_lifts_a_minimum_and_keeping_grounds_never_erase_early() {
    let mut f = Fixture::new();
    f.policy(POLICY, "2026-03-01T00:00:00Z", "p", 1, ten_day_minimum());
    let request = f.access("2026-03-01T10:00:00Z", Some("m@1"));
    let court = f.access("2026-03-01T10:00:00Z", Some("m@1"));
    let led = f.access("2026-03-01T10:00:00Z", Some("m@1"));
    let keep = f.access("2026-03-01T10:00:00Z", Some("m@1"));
    f.deletion("2026-03-02T00:00:00Z", &[request], "m@1", Some("gdpr-17-1"));
    f.deletion("2026-03-02T00:00:00Z", &[court], "m@1", Some("court-order"));
    f.deletion("2026-03-02T00:00:00Z", &[led], "m@1", Some("led-16-2"));
    f.deletion("2026-03-02T00:00:00Z", &[keep], "m@1", Some("led-16-3-b"));
    f.cp("2026-03-02T01:00:00Z");
    let view = View::of(&f.log).hide(&[request, court, led, keep]);
    let r = verify_at(&f.log, "2026-03-03T00:00:00Z", Some(&view), Some(POLICY));
    let mut got = codes(&r);
    got.sort();
    assert_eq!(
        got,
        [
            ("retention-premature-deletion", Some(request)),
            ("retention-premature-deletion", Some(keep)),
        ]
    );
    let p: Vec<&Finding> = r.with_code("retention-premature-deletion").collect();
    let by = |leaf: u64| p.iter().find(|f| f.leaf == Some(leaf)).unwrap();
    assert!(
        by(request)
            .message
            .contains("exception ground gdpr-17-1 does not override a legal obligation to keep"),
        "{}",
        by(request).message
    );
    assert!(
        by(keep).message.contains(
            "its exception ground led-16-3-b is one for keeping past the due date, not for \
             erasing before it"
        ),
        "{}",
        by(keep).message
    );
    assert_eq!(
        by(keep).expected.as_deref(),
        Some("deletion no earlier than: minimum m@1 allows deletion 2026-03-11T10:00:00.000Z")
    );

    // Under a cap, a data subject's request erases early; a keeping ground does not.
    let mut f = Fixture::new();
    f.policy(POLICY, "2026-03-01T00:00:00Z", "p", 1, day_cap());
    let request = f.access("2026-03-01T10:00:00Z", Some("c@1"));
    let keep = f.access("2026-03-01T10:00:00Z", Some("c@1"));
    f.deletion("2026-03-01T11:00:00Z", &[request], "c@1", Some("gdpr-17-1"));
    f.deletion("2026-03-01T11:00:00Z", &[keep], "c@1", Some("gdpr-17-3-b"));
    f.cp("2026-03-01T12:00:00Z");
    let view = View::of(&f.log).hide(&[request, keep]);
    let r = verify_at(&f.log, "2026-03-01T13:00:00Z", Some(&view), Some(POLICY));
    assert_eq!(codes(&r), [("retention-premature-deletion", Some(keep))]);
}

#[test]
fn a_hold_without_a_hold_override_rule_is_honoured_and_reported() {
    let mut f = Fixture::new();
    let mut cap_only = day_cap();
    cap_only.as_array_mut().unwrap().truncate(1);
    f.policy(POLICY, "2026-03-01T00:00:00Z", "p", 1, cap_only);
    let a = f.access("2026-03-01T10:00:00Z", Some("c@1"));
    let b = f.access("2026-03-01T10:00:00Z", Some("c@1"));
    f.hold("2026-03-01T12:00:00Z", "hold-9", &[a, b]);
    f.cp("2026-03-01T13:00:00Z");
    let view = View::of(&f.log);
    let r = verify_at(&f.log, "2026-03-10T00:00:00Z", Some(&view), Some(POLICY));
    // Past the cap but held: not kept too long; the missing rule is a notice.
    assert_eq!(
        codes(&r),
        [("retention-hold-without-override-rule", Some(a))]
    );
    let h = one(&r, "retention-hold-without-override-rule");
    assert_eq!(h.verdict, Verdict::Notice);
    assert!(
        h.message.contains(&format!(
            "held by hold-9, but no hold-override rule covering the record is in force at its \
             leaf; the hold is honoured (2 record(s), at leaves {a}, {b})"
        )),
        "{}",
        h.message
    );
    assert_eq!(r.retention.as_ref().unwrap().counts.held, 2);
}

#[test]
fn a_sweep_that_waits_for_a_conflicting_minimum_is_not_late() {
    let mut f = Fixture::new();
    let mut rules = day_cap();
    rules.as_array_mut().unwrap().truncate(1);
    rules
        .as_array_mut()
        .unwrap()
        .extend(ten_day_minimum().as_array().unwrap().clone());
    f.policy(POLICY, "2026-03-01T00:00:00Z", "p", 1, rules);
    let waited = f.access("2026-03-01T10:00:00Z", Some("c@1"));
    let slow = f.access("2026-03-01T10:00:00Z", Some("c@1"));
    // The minimum ends on the 11th at 10:00: erased two hours later, on time; three days
    // later, late (by the minimum's end, not the cap's).
    f.deletion("2026-03-11T12:00:00Z", &[waited], "c@1", None);
    f.deletion("2026-03-14T10:00:00Z", &[slow], "c@1", None);
    f.cp("2026-03-14T11:00:00Z");
    let view = View::of(&f.log).hide(&[waited, slow]);
    let r = verify_at(&f.log, "2026-03-14T12:00:00Z", Some(&view), Some(POLICY));
    let got: Vec<_> = codes(&r)
        .into_iter()
        .filter(|(c, _)| *c != "retention-conflict")
        .collect();
    assert_eq!(got, [("retention-deleted-late", Some(slow))]);
    let l = one(&r, "retention-deleted-late");
    assert_eq!(
        l.found.as_deref(),
        Some("erased at 2026-03-14T10:00:00.000Z, 3d after the deadline 2026-03-11T10:00:00.000Z")
    );
}

#[test]
fn an_execution_time_later_than_the_deletion_record_is_judged_at_the_record() {
    let mut f = Fixture::new();
    f.policy(POLICY, "2026-03-01T00:00:00Z", "p", 1, day_cap());
    let a = f.access("2026-03-01T10:00:00Z", Some("c@1"));
    // Signed at 11:00 on the 1st, claiming execution the day after the cap fell due.
    let (p, s, _) = f.leaves[a as usize].clone();
    let body = json!({
        "targets": [{"range": "seq", "producer": p, "first": s, "last": s, "fields": []}],
        "rule": "c@1", "due_at": "2026-03-02T10:00:00Z", "executed_at": "2026-03-02T11:00:00Z",
        "method": "erase-disclosure", "executor": "retention-sweep", "holds_checked": true,
        "item_count": 2,
    });
    let d = f.append(
        "sweeper",
        "2026-03-01T11:00:00Z",
        None,
        Body::RetentionDeletion(serde_json::from_value(body).unwrap()),
        &[],
    );
    f.cp("2026-03-01T12:00:00Z");
    let view = View::of(&f.log).hide(&[a]);
    // Verified long after the claimed date: still premature, and forward-dated.
    let r = verify_at(&f.log, "2026-03-05T00:00:00Z", Some(&view), Some(POLICY));
    let mut got = codes(&r);
    got.sort();
    assert_eq!(
        got,
        [
            ("retention-deletion-future-dated", Some(d)),
            ("retention-premature-deletion", Some(a)),
        ]
    );
    let x = one(&r, "retention-deletion-future-dated");
    assert_eq!(
        x.expected.as_deref(),
        Some("executed_at no later than 2026-03-01T11:00:00.000Z")
    );
    assert!(
        x.message
            .contains("after the deletion record's own occurred_at"),
        "{}",
        x.message
    );
    let p = one(&r, "retention-premature-deletion");
    assert_eq!(
        p.found.as_deref(),
        Some("executed at 2026-03-01T11:00:00.000Z, 23h early")
    );
}

// ---- issue 13: sealed fields under no retention rule ----

#[test]
fn sealed_fields_under_no_rule_are_retention_no_rule_a_hold_override_does_not_cover() {
    let mut f = Fixture::new();
    // A cap over the accesses; over every kind only a hold-override rule, which says what a
    // hold suspends but not how long anything is kept.
    let rules = json!([
        {"id": "c", "version": 1, "rule": "cap", "kinds": ["data-access"], "data_categories": [],
         "period": {"count": 1, "unit": "days"}, "trigger": "occurred-at", "conditions": [],
         "legal_source": "test"},
        {"id": "h", "version": 1, "rule": "hold-override", "kinds": [], "data_categories": [],
         "conditions": ["legal-hold"], "legal_source": "test"}
    ]);
    f.policy_of(POLICY, "2026-03-01T00:00:00Z", "p", 1, rules);
    let a = f.access("2026-03-01T10:00:00Z", Some("c@1"));
    let case = f.append(
        "court",
        "2026-03-01T12:00:00Z",
        None,
        Body::CaseStatus(
            serde_json::from_value(json!({
                "event": "opened", "case_id": "case-3e7f21", "effective_at": "2026-03-01T12:00:00Z",
                "authority": "court-amsterdam", "scope": [f.rref(a)]
            }))
            .unwrap(),
        ),
        &[("case_ref", SealedValue::Text("case-1".into()))],
    );
    f.cp("2026-03-01T13:00:00Z");
    let view = View::of(&f.log);
    // The policy authority pinned: its policies must cover every sealed field.
    let r = verify_at(&f.log, "2026-03-01T14:00:00Z", Some(&view), Some(POLICY));
    assert_eq!(codes(&r), [("retention-no-rule", Some(case))]);
    assert_eq!(one(&r, "retention-no-rule").verdict, Verdict::Violated);
    assert_eq!(check7(&r), Some(Verdict::Violated));
    // Not pinned: a notice.
    let r = verify_at(&f.log, "2026-03-01T14:00:00Z", Some(&view), None);
    let f7: Vec<_> = r.with_code("retention-no-rule").collect();
    assert_eq!(f7.len(), 1, "{:#?}", r.findings);
    assert_eq!((f7[0].leaf, f7[0].verdict), (Some(case), Verdict::Notice));
}

#[test]
fn check_7_with_no_sealed_record_is_not_checked() {
    let mut f = Fixture::new();
    f.policy(POLICY, "2026-03-01T00:00:00Z", "p", 1, day_cap());
    f.cp("2026-03-01T13:00:00Z");
    let view = View::of(&f.log);
    let r = verify_at(&f.log, "2026-03-01T14:00:00Z", Some(&view), Some(POLICY));
    assert_eq!(check7(&r), Some(Verdict::NotChecked), "{:#?}", r.checks[6]);
    assert!(r.checks[6].determined);
    assert_eq!(r.checks[6].examined.as_ref().map(|e| e.count), Some(0));
}

//! Check 7 resumed by `verify --since` (docs/CHECKS.md §Incremental runs): on logs grown in
//! two steps, with deletions recorded and deadlines falling due between the runs, an
//! incremental run reports what a full run reports for the same reference time, reads only
//! the new leaves and the records that fell due or that a new deletion names, and catches a
//! deletion before the resume point's records fell due.

mod common;

use std::collections::BTreeSet;
use std::sync::Mutex;
use std::time::Duration;

use common::records::{Chains, registration, search_access, t, two_sealed};
use common::tamper::{authority_vkey, log_key, trust_with};
use logseal::log::Log;
use logseal::record::kinds::{Body, Kind};
use logseal::record::types::Hash32;
use logseal::record::{Disclosure, SealedValue};
use logseal::retention::DisclosureSource;
use logseal::scenario::{AUTHORITY, ORIGIN};
use logseal::store::{ObjectStore, StoreError};
use logseal::tree::TreeHashAlg;
use logseal::verify::{
    self, AuditorState, Check, Finding, NoProgress, Options, Outcome, RetentionAccess, Trust,
};
use serde_json::{Value, json};

const POLICY: &str = "retention-authority";

struct Fixture {
    _dir: tempfile::TempDir,
    log: Log,
    chains: Chains,
    /// Per leaf: producer, seq and leaf hash.
    leaves: Vec<(String, u64, Hash32)>,
    /// The cap the next access declares (`c@` the latest policy version).
    rule: String,
}

impl Fixture {
    fn new(cap_days: u64) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let log = Log::init(
            &dir.path().join("log"),
            &log_key(),
            &authority_vkey(),
            TreeHashAlg::Sha256,
            t("2026-02-01T00:00:00Z").0 / 1000,
        )
        .unwrap();
        let mut f = Fixture {
            _dir: dir,
            log,
            chains: Chains::default(),
            leaves: Vec::new(),
            rule: String::new(),
        };
        for (producer, kinds) in [
            (POLICY, vec![Kind::RetentionPolicy]),
            ("app", vec![Kind::DataAccess]),
            ("sweeper", vec![Kind::RetentionDeletion]),
            ("court", vec![Kind::LegalHold, Kind::CaseStatus]),
        ] {
            f.append(
                AUTHORITY,
                "2026-02-01T00:00:00Z",
                None,
                registration(producer, kinds),
            );
        }
        f.policy("2026-02-15T00:00:00Z", 1, cap_days);
        f
    }

    fn append(&mut self, producer: &str, at: &str, rule: Option<&str>, body: Body) -> u64 {
        let sealed = match producer {
            "app" => two_sealed(self.leaves.len()),
            "court" => vec![("case_ref", SealedValue::Text("case-1".into()))],
            _ => Vec::new(),
        };
        let a = self
            .chains
            .append(&mut self.log, producer, at, rule, body, &sealed);
        self.leaves.push((producer.to_owned(), a.seq, a.leaf_hash));
        a.leaf
    }

    /// A retention policy with a cap of `days` over data accesses, and a hold-override rule.
    fn policy(&mut self, at: &str, version: u64, days: u64) -> u64 {
        let rules = json!([
            {"id": "c", "version": version, "rule": "cap", "kinds": ["data-access"],
             "data_categories": [], "period": {"count": days, "unit": "days"},
             "trigger": "occurred-at", "conditions": [], "legal_source": "test-cap"},
            {"id": "h", "version": 1, "rule": "hold-override", "kinds": ["data-access"],
             "data_categories": [], "conditions": ["legal-hold"], "legal_source": "gdpr-17-3-e"},
            {"id": "court-records", "version": 1, "rule": "cap", "kinds": ["legal-hold", "case-status"],
             "data_categories": [], "period": {"count": 36500, "unit": "days"},
             "trigger": "occurred-at", "conditions": [], "legal_source": "test"}
        ]);
        let body = serde_json::from_value(json!({
            "policy_id": "p", "version": version, "authority": "dpo", "rules": rules
        }))
        .unwrap();
        self.rule = format!("c@{version}");
        self.append(POLICY, at, None, Body::RetentionPolicy(body))
    }

    fn access(&mut self, at: &str) -> u64 {
        let rule = self.rule.clone();
        self.append("app", at, Some(&rule), search_access())
    }

    /// A retention-deletion of every sealed field of the records at `leaves` (by seq).
    fn deletion(&mut self, executed: &str, leaves: &[u64]) -> u64 {
        let targets: Vec<Value> = leaves
            .iter()
            .map(|l| {
                let (p, s, _) = &self.leaves[*l as usize];
                json!({"range": "seq", "producer": p, "first": s, "last": s, "fields": []})
            })
            .collect();
        let body = json!({
            "targets": targets, "rule": "c@1", "due_at": executed, "executed_at": executed,
            "method": "erase-disclosure", "executor": "retention-sweep", "holds_checked": true,
            "item_count": 2 * leaves.len(),
        });
        let body = Body::RetentionDeletion(serde_json::from_value(body).unwrap());
        self.append("sweeper", executed, None, body)
    }

    /// A legal hold over the records at `scope`.
    fn hold(&mut self, at: &str, scope: &[u64]) -> u64 {
        let scope: Vec<Value> = scope
            .iter()
            .map(|l| {
                let (p, s, h) = &self.leaves[*l as usize];
                json!({"producer": p, "seq": s, "leaf_hash": h.to_string()})
            })
            .collect();
        let body = Body::LegalHold(
            serde_json::from_value(json!({
                "action": "set", "hold_id": "hold-1", "scope": scope,
                "authority": "court-amsterdam", "legal_basis": "gdpr-17-3-e"
            }))
            .unwrap(),
        );
        self.append("court", at, Some("court-records@1"), body)
    }

    /// A case event over the records at `scope`.
    fn case(&mut self, at: &str, event: &str, scope: &[u64]) -> u64 {
        let scope: Vec<Value> = scope
            .iter()
            .map(|l| {
                let (p, s, h) = &self.leaves[*l as usize];
                json!({"producer": p, "seq": s, "leaf_hash": h.to_string()})
            })
            .collect();
        let body = Body::CaseStatus(
            serde_json::from_value(json!({
                "event": event, "case_id": "case-3e7f21", "effective_at": at,
                "authority": "court-amsterdam", "scope": scope
            }))
            .unwrap(),
        );
        self.append("court", at, Some("court-records@1"), body)
    }

    fn cp(&mut self, at: &str) {
        self.log.checkpoint(t(at).0 / 1000).unwrap();
    }
}

fn trust() -> Trust {
    let mut file = trust_with(Vec::new(), 0).file;
    file.authorisation_required.clear();
    file.retention_policy_authority = Some(POLICY.to_owned());
    Trust::new(file).unwrap()
}

/// The log's disclosures with some hidden (erased), counting the leaves read.
struct View<'a> {
    log: &'a Log,
    hidden: BTreeSet<u64>,
    read: Mutex<Vec<u64>>,
}

impl<'a> View<'a> {
    fn of(log: &'a Log, hidden: &BTreeSet<u64>) -> Self {
        View {
            log,
            hidden: hidden.clone(),
            read: Mutex::new(Vec::new()),
        }
    }
}

impl DisclosureSource for View<'_> {
    fn readable(&self, leaf: u64) -> Result<Vec<Disclosure>, String> {
        self.read.lock().unwrap().push(leaf);
        if self.hidden.contains(&leaf) {
            return Ok(Vec::new());
        }
        self.log.readable(leaf)
    }
}

/// The public store, recording the entry bundles read.
struct Counting<'a> {
    inner: &'a dyn ObjectStore,
    keys: Mutex<Vec<String>>,
}

impl<'a> Counting<'a> {
    fn new(inner: &'a dyn ObjectStore) -> Self {
        Counting {
            inner,
            keys: Mutex::new(Vec::new()),
        }
    }

    fn count(&self, key: &str) {
        if key.starts_with("tile/entries/") {
            self.keys.lock().unwrap().push(key.to_owned());
        }
    }
}

impl ObjectStore for Counting<'_> {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.count(key);
        self.inner.get(key)
    }
    fn get_at_most(&self, key: &str, max: usize) -> Result<Option<Vec<u8>>, StoreError> {
        self.count(key);
        self.inner.get_at_most(key, max)
    }
    fn put(&self, key: &str, data: &[u8]) -> Result<(), StoreError> {
        self.inner.put(key, data)
    }
    fn sync(&self) -> Result<(), StoreError> {
        self.inner.sync()
    }
    fn compare_and_swap(
        &self,
        key: &str,
        expected: Option<&[u8]>,
        data: &[u8],
    ) -> Result<(), StoreError> {
        self.inner.compare_and_swap(key, expected, data)
    }
    fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.inner.delete(key)
    }
    fn list(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        self.inner.list(prefix)
    }
    fn describe(&self, key: &str) -> String {
        self.inner.describe(key)
    }
}

fn run(
    store: &dyn ObjectStore,
    state: &AuditorState,
    at: &str,
    view: &View<'_>,
    incremental: bool,
) -> Outcome {
    let access = RetentionAccess {
        disclosures: view as &dyn DisclosureSource,
        grace: Duration::from_secs(86_400),
    };
    verify::verify_with_retention(
        store,
        &trust(),
        state,
        &Options {
            at_secs: t(at).0 / 1000,
            incremental,
        },
        &NoProgress,
        Some(access),
    )
    .unwrap()
}

/// Check 7's findings, sorted, and its verdict.
fn check7(o: &Outcome) -> (Vec<Finding>, Option<verify::Verdict>) {
    let mut f: Vec<Finding> = (o.report.findings.iter())
        .filter(|f| f.check == Check::Retention)
        .cloned()
        .collect();
    f.sort_by(|a, b| format!("{a:?}").cmp(&format!("{b:?}")));
    (f, o.report.checks[6].verdict)
}

/// Assert the incremental run from `state` equals a full run at `at`, and that it resumed.
fn same_as_full(f: &Fixture, state: &AuditorState, at: &str, hidden: &BTreeSet<u64>) -> Outcome {
    let view = View::of(&f.log, hidden);
    // The same auditor state, read in full.
    let full = run(f.log.public_store(), state, at, &view, false);
    let inc = run(f.log.public_store(), state, at, &view, true);
    assert_eq!(check7(&inc), check7(&full), "at {at}");
    let (mut a, b) = (
        inc.report.retention.clone().unwrap(),
        full.report.retention.clone().unwrap(),
    );
    let resumed = a.resumed.take().unwrap();
    assert!(resumed.starts_with("resumed at leaf"), "{resumed}");
    assert_eq!(a, b, "at {at}");
    assert!(b.resumed.is_none());
    inc
}

/// A small deterministic generator (xorshift).
struct Gen(u64);

impl Gen {
    fn next(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

fn day(d: u64, h: u64) -> String {
    format!("2026-03-{:02}T{:02}:00:00Z", d, h)
}

#[test]
fn an_incremental_check_7_equals_a_full_one_over_a_log_grown_in_two_steps() {
    for seed in 1..=6u64 {
        let mut g = Gen(0x9e37_79b9_7f4a_7c15 ^ seed);
        let mut f = Fixture::new(2);
        let mut hidden = BTreeSet::new();
        let mut old = Vec::new();
        // Step 1: accesses over days 1–4; some erased on time by a recorded deletion, some
        // erased without a record; for odd seeds a policy version with a longer cap governs
        // the records after its leaf.
        for i in 0..40 {
            if i == 20 && seed % 2 == 1 {
                f.policy(&day(2, 23), 2, 3);
            }
            let leaf = f.access(&day(1 + i / 10, i % 10));
            old.push((leaf, 1 + i / 10));
        }
        let on_time: Vec<u64> = (old.iter())
            .filter(|(_, d)| *d == 1)
            .map(|(l, _)| *l)
            .filter(|_| g.next(3) == 0)
            .collect();
        if !on_time.is_empty() {
            f.deletion(&day(3, 12), &on_time);
            hidden.extend(on_time);
        }
        let unrecorded = old[(10 + g.next(10)) as usize].0;
        hidden.insert(unrecorded);
        f.cp(&day(5, 0));
        let at1 = day(5, 1);
        let view = View::of(&f.log, &hidden);
        let first = run(
            f.log.public_store(),
            &AuditorState::new(ORIGIN),
            &at1,
            &view,
            false,
        );
        let state = first.new_state.unwrap();
        let carried = state.resume.as_ref().unwrap().retention.as_ref();
        let why = &state.resume.as_ref().unwrap().retention_not_carried;
        assert!(
            carried.is_some(),
            "seed {seed}: {why:?} {:#?}",
            first.report.findings
        );

        // Step 2: more accesses, deletions of old records (due, and some not yet due: early),
        // and new records erased; deadlines fall due between the runs.
        for i in 0..30 {
            f.access(&day(5 + i / 10, 2 + i % 10));
        }
        let named: Vec<u64> = (old.iter())
            .filter(|(l, _)| !hidden.contains(l) && g.next(4) == 0)
            .map(|(l, _)| *l)
            .collect();
        if !named.is_empty() {
            f.deletion(&day(7, 12), &named);
            hidden.extend(&named);
        }
        if g.next(2) == 0 {
            let late = old.iter().find(|(l, _)| !hidden.contains(l)).unwrap().0;
            hidden.insert(late);
        }
        f.cp(&day(8, 0));
        for at in [day(8, 1), day(9, 12), day(12, 0)] {
            let inc = same_as_full(&f, &state, &at, &hidden);
            // The state it stores resumes the next run too.
            let next = inc.new_state.unwrap();
            assert!(
                next.resume.unwrap().retention.is_some(),
                "seed {seed} at {at}"
            );
        }
    }
}

#[test]
fn an_incremental_check_7_reads_only_the_new_leaves_and_what_fell_due() {
    // 600 accesses under a cap of a year: none falls due between the runs.
    let mut f = Fixture::new(365);
    for i in 0..600 {
        f.access(&day(1 + i / 100, i % 24));
    }
    f.cp(&day(10, 0));
    let none = BTreeSet::new();
    let view = View::of(&f.log, &none);
    let state = run(
        f.log.public_store(),
        &AuditorState::new(ORIGIN),
        &day(10, 1),
        &view,
        false,
    )
    .new_state
    .unwrap();
    let resume_size = state.resume.as_ref().unwrap().size;
    let new: Vec<u64> = (0..10).map(|i| f.access(&day(11, i))).collect();
    f.cp(&day(12, 0));

    let counting = Counting::new(f.log.public_store());
    let view = View::of(&f.log, &none);
    let inc = run(&counting, &state, &day(12, 1), &view, true);
    let read = view.read.lock().unwrap().clone();
    assert_eq!(
        read, new,
        "the private part is read only for the new records"
    );
    assert!(read.iter().all(|&l| l >= resume_size));
    // The new leaves are in bundle 2 (the main pass reads it, check 7 twice: the new
    // deletions first); bundle 0 holds the policy record, read once; bundle 1, all old
    // records, is not read.
    let keys = counting.keys.lock().unwrap().clone();
    let old: Vec<&String> = keys
        .iter()
        .filter(|k| !k.starts_with("tile/entries/002"))
        .collect();
    assert_eq!(old, ["tile/entries/000"], "{keys:?}");
    let s = inc.report.retention.as_ref().unwrap();
    assert_eq!(s.counts.records_with_sealed_fields, 610);
    assert_eq!(s.counts.with_disclosures, 610);
    assert!(
        s.resumed
            .as_deref()
            .unwrap()
            .contains("1 record(s) before it read again")
    );

    // A full run reads every disclosure and every bundle.
    let counting = Counting::new(f.log.public_store());
    let view = View::of(&f.log, &none);
    let full = run(
        &counting,
        &AuditorState::new(ORIGIN),
        &day(12, 1),
        &view,
        false,
    );
    assert_eq!(
        view.read.lock().unwrap().len(),
        610,
        "{:#?}",
        full.report.checks[6]
    );
    let keys = counting.keys.lock().unwrap().clone();
    assert!(keys.iter().any(|k| k == "tile/entries/001"), "{keys:?}");
    assert_eq!(check7(&inc), check7(&full));
    let mut a = inc.report.retention.clone().unwrap();
    a.resumed = None;
    assert_eq!(Some(a), full.report.retention);

    // When the old records fall due, they are read again.
    let inc = same_as_full(&f, &state, "2027-03-05T00:00:00Z", &none);
    let s = inc.report.retention.as_ref().unwrap();
    assert!(s.counts.overdue >= 300, "{:?}", s.counts);
}

#[test]
fn a_deletion_before_the_due_date_recorded_after_the_resume_point_is_premature() {
    let mut f = Fixture::new(5);
    let early = f.access(&day(2, 10));
    let other = f.access(&day(2, 11));
    f.cp(&day(3, 0));
    let none = BTreeSet::new();
    let view = View::of(&f.log, &none);
    let state = run(
        f.log.public_store(),
        &AuditorState::new(ORIGIN),
        &day(3, 1),
        &view,
        false,
    )
    .new_state
    .unwrap();
    // Erased on the 4th (due on the 7th), the deletion recorded after the resume point.
    f.deletion(&day(4, 0), &[early]);
    f.cp(&day(4, 1));
    let hidden: BTreeSet<u64> = [early].into();
    let inc = same_as_full(&f, &state, &day(4, 2), &hidden);
    let p: Vec<&Finding> = inc
        .report
        .with_code("retention-premature-deletion")
        .collect();
    assert_eq!(p.len(), 1, "{:#?}", inc.report.findings);
    assert_eq!(p[0].leaf, Some(early));
    assert_eq!(
        inc.report.checks[6].verdict,
        Some(verify::Verdict::Violated)
    );
    assert!(other > early);
}

#[test]
fn new_policies_holds_and_case_events_are_followed_and_an_event_on_a_settled_record_walks_all() {
    let mut f = Fixture::new(5);
    let a = f.access(&day(2, 10));
    let b = f.access(&day(2, 11));
    let gone = f.access(&day(2, 12));
    f.deletion(&day(2, 13), &[gone]);
    f.cp(&day(3, 0));
    let hidden: BTreeSet<u64> = [gone].into();
    let view = View::of(&f.log, &hidden);
    let state = run(
        f.log.public_store(),
        &AuditorState::new(ORIGIN),
        &day(3, 1),
        &view,
        false,
    )
    .new_state
    .unwrap();
    // A new policy version, a hold over an old record, a case event naming another: followed.
    f.policy(&day(3, 5), 2, 1);
    f.access(&day(3, 6));
    f.hold(&day(3, 7), &[a]);
    f.case(&day(3, 8), "opened", &[b]);
    // One naming the (structural) policy record before the resume point: read again anyway.
    let policy = f.leaves.iter().position(|l| l.0 == POLICY).unwrap() as u64;
    f.case(&day(3, 9), "opened", &[policy]);
    f.cp(&day(4, 0));
    let inc = same_as_full(&f, &state, &day(9, 0), &hidden);
    let s = inc.report.retention.as_ref().unwrap();
    assert_eq!(s.held.iter().map(|h| h.leaf).collect::<Vec<_>>(), [a]);
    let next = inc.new_state.unwrap();
    // A case event naming the settled record: its deletion may be judged differently.
    let leaf = f.case(&day(9, 5), "opened", &[gone]);
    f.cp(&day(10, 0));
    let view = View::of(&f.log, &hidden);
    let full = run(f.log.public_store(), &next, &day(10, 1), &view, false);
    let inc = run(f.log.public_store(), &next, &day(10, 1), &view, true);
    assert_eq!(check7(&inc), check7(&full));
    let resumed = inc
        .report
        .retention
        .as_ref()
        .unwrap()
        .resumed
        .clone()
        .unwrap();
    let seq = f.leaves[gone as usize].1;
    assert!(
        resumed.starts_with(&format!(
            "the whole log walked again: the new record at leaf {leaf} names app#{seq}, a record before the resume point that neither"
        )),
        "{resumed}"
    );
    let state = next;
    // A state of format 2 (without check 7's part) still reads, and falls back the same way.
    let mut old = state.clone();
    old.resume.as_mut().unwrap().retention = None;
    old.resume.as_mut().unwrap().retention_not_carried = None;
    let mut json: Value = serde_json::from_slice(&old.to_json()).unwrap();
    json["format"] = json!(2);
    let old = AuditorState::from_json(&serde_json::to_vec(&json).unwrap(), ORIGIN).unwrap();
    let inc = run(f.log.public_store(), &old, &day(10, 1), &view, true);
    assert_eq!(check7(&inc), check7(&full));
    let resumed = inc
        .report
        .retention
        .as_ref()
        .unwrap()
        .resumed
        .clone()
        .unwrap();
    assert!(
        resumed.contains("carries no check-7 resume point"),
        "{resumed}"
    );
    // Format 2 with check 7's part is refused: it was never written.
    let mut json: Value = serde_json::from_slice(&state.to_json()).unwrap();
    json["format"] = json!(2);
    assert!(AuditorState::from_json(&serde_json::to_vec(&json).unwrap(), ORIGIN).is_err());
}

#[test]
fn a_hold_before_the_resume_point_catches_a_deletion_recorded_after_it() {
    let mut f = Fixture::new(1);
    let held = f.access(&day(2, 10));
    let free = f.access(&day(2, 11));
    f.hold(&day(2, 12), &[held]);
    f.cp(&day(3, 0));
    let none = BTreeSet::new();
    let view = View::of(&f.log, &none);
    let state = run(
        f.log.public_store(),
        &AuditorState::new(ORIGIN),
        &day(3, 1),
        &view,
        false,
    )
    .new_state
    .unwrap();
    // Both fell due on the 3rd; the sweep erases both, one of them under the hold.
    f.deletion(&day(3, 12), &[held, free]);
    f.cp(&day(4, 0));
    let hidden: BTreeSet<u64> = [held, free].into();
    let inc = same_as_full(&f, &state, &day(4, 1), &hidden);
    let h: Vec<&Finding> = inc
        .report
        .with_code("retention-deleted-under-hold")
        .collect();
    assert_eq!(h.len(), 1, "{:#?}", inc.report.findings);
    assert_eq!(h[0].leaf, Some(held));
    let s = inc.report.retention.as_ref().unwrap();
    assert_eq!(s.counts.erased_and_covered, 2);
}

#[test]
fn a_run_that_cannot_carry_check_7_over_says_why_in_the_state_and_the_next_run_walks_all() {
    let mut f = Fixture::new(5);
    // No declared rule: a declared-rule finding, aggregated over the whole log.
    f.append("app", &day(2, 10), None, search_access());
    f.cp(&day(3, 0));
    let none = BTreeSet::new();
    let view = View::of(&f.log, &none);
    let first = run(
        f.log.public_store(),
        &AuditorState::new(ORIGIN),
        &day(3, 1),
        &view,
        false,
    );
    assert!(first.report.with_code("retention-rule-undeclared").count() == 1);
    let state = first.new_state.unwrap();
    let resume = state.resume.as_ref().unwrap();
    assert!(resume.retention.is_none());
    let why = resume.retention_not_carried.clone().unwrap();
    assert!(why.starts_with("check 7 found rule findings"), "{why}");
    f.access(&day(3, 6));
    f.cp(&day(4, 0));
    let view = View::of(&f.log, &none);
    let full = run(f.log.public_store(), &state, &day(5, 0), &view, false);
    let inc = run(f.log.public_store(), &state, &day(5, 0), &view, true);
    assert_eq!(check7(&inc), check7(&full));
    let resumed = inc
        .report
        .retention
        .as_ref()
        .unwrap()
        .resumed
        .clone()
        .unwrap();
    assert!(
        resumed.ends_with(&format!("could not carry check 7 over: {why}")),
        "{resumed}"
    );
}

//! What a verdict means when a record is not what it seems: a key revoked as compromised
//! (check 3, judged by log time), an authorisation revocation logged out of its time order
//! (check 6), a producer that must heartbeat and went silent (check 4), and forged records
//! kept out of the later checks. Each test builds a real log through the library, tampers
//! with it like the operator (or a key thief) could, and asserts the exact code.

mod common;

use std::collections::BTreeMap;

use common::tamper::*;
use logseal::record::kinds::authorisation::AuthorisationAction;
use logseal::record::kinds::key_revocation::RevocationReason;
use logseal::record::kinds::{Body, KeyRevocation};
use logseal::record::text::{Ident, ProducerId};
use logseal::record::types::{Hash32, Timestamp};
use logseal::record::{Kind, Record, Status};
use logseal::verify::{Check, Outcome, Trust, Verdict};

fn is_query(r: &Record) -> bool {
    r.payload().producer.as_str() == "query-frontend" && r.payload().kind() == Kind::DataAccess
}

/// The (code, verdict) of every finding at `leaf`.
fn at_leaf(o: &Outcome, leaf: u64) -> Vec<(&'static str, Verdict)> {
    o.report
        .findings
        .iter()
        .filter(|f| f.leaf == Some(leaf))
        .map(|f| (f.code, f.verdict))
        .collect()
}

fn codes(o: &Outcome, code: &str) -> Vec<(Option<u64>, Verdict)> {
    o.report
        .with_code(code)
        .map(|f| (f.leaf, f.verdict))
        .collect()
}

// ---- item 10: a record that is not authentic takes part in no later check ----

#[test]
fn forged_accesses_are_not_judged_by_check_6() {
    let (mut e, _) = scenario_entries();
    let q = find(&e, is_query);
    // A denied attempt and an access naming an authorisation nobody granted, both signed
    // by a key the authority never registered.
    let denied = continue_chain(&e, q, Some("intruder"), |p| p.status = Status::Denied);
    e.push(denied);
    let unknown = continue_chain(&e, q, Some("intruder"), |p| {
        if let Body::DataAccess(d) = &mut p.body {
            d.actor.authorisation_id = Some(Ident::new("auth-never-granted").unwrap());
        }
    });
    e.push(unknown);
    let n = e.len() as u64;
    let (_d, o) = {
        let dir = tempfile::tempdir().unwrap();
        write_public(dir.path(), &e, LATE);
        let o = run(dir.path(), &trust(), &fresh_state());
        (dir, o)
    };
    for leaf in [n - 2, n - 1] {
        let found = at_leaf(&o, leaf);
        assert!(
            found.contains(&("record-unregistered-key", Verdict::Violated)),
            "{found:?}"
        );
        let check6: Vec<_> = o
            .report
            .findings
            .iter()
            .filter(|f| f.leaf == Some(leaf) && f.check == Check::Authorisation)
            .map(|f| f.code)
            .collect();
        assert!(
            check6.is_empty(),
            "a forged record is judged by check 6: {check6:?}"
        );
    }
}

// ---- item 6: an authorisation revocation judged by time, not by log order ----

/// An authorisation id that the scenario grants and never revokes, its grant's leaf, and
/// the last query naming it.
fn unrevoked_grant(e: &[Vec<u8>]) -> (String, usize, usize) {
    let auth = |r: &Record| match &r.payload().body {
        Body::Authorisation(a) => Some((a.action, a.authorisation_id.to_string())),
        _ => None,
    };
    let revoked: Vec<String> = e
        .iter()
        .filter_map(|x| auth(&decode(x)))
        .filter(|(a, _)| *a == AuthorisationAction::Revoke)
        .map(|(_, id)| id)
        .collect();
    let names = |r: &Record| match &r.payload().body {
        Body::DataAccess(d) => d.actor.authorisation_id.as_ref().map(|i| i.to_string()),
        _ => None,
    };
    let q = e.len()
        - 1
        - e.iter()
            .rev()
            .position(|x| {
                let r = decode(x);
                is_query(&r)
                    && r.payload().status == Status::Ok
                    && names(&r).is_some_and(|id| !revoked.contains(&id))
            })
            .unwrap();
    let id = names(&decode(&e[q])).unwrap();
    let g = find(e, |r| {
        auth(r).is_some_and(|(a, i)| a == AuthorisationAction::Grant && i == id)
    });
    (id, g, q)
}

/// A revocation of the grant at `g`, issued at `issued`, effective from `from`.
fn revocation(e: &[Vec<u8>], g: usize, issued: Timestamp, from: Timestamp) -> Vec<u8> {
    continue_chain(e, g, None, |p| {
        p.occurred_at = issued;
        if let Body::Authorisation(a) = &mut p.body {
            a.action = AuthorisationAction::Revoke;
            a.legal_bases.clear();
            a.valid_from = from;
            a.valid_until = None;
        }
    })
}

/// An access continuing the query at `q`'s chain, made at `at`.
fn access(e: &[Vec<u8>], q: usize, at: Timestamp) -> Vec<u8> {
    continue_chain(e, q, None, |p| p.occurred_at = at)
}

fn plus(t: Timestamp, secs: u64) -> Timestamp {
    Timestamp(t.millis() + secs * 1000)
}

#[test]
fn revocation_logged_after_an_access_it_covers_still_revokes_it() {
    let (mut e, _) = scenario_entries();
    let (_id, g, q) = unrevoked_grant(&e);
    let t0 = decode(&e[q]).payload().occurred_at;
    // The access was made a minute after the revocation was issued, but the operator logs
    // it first: in log order, nothing was revoked yet.
    e.push(access(&e, q, plus(t0, 120)));
    e.push(revocation(&e, g, plus(t0, 60), plus(t0, 60)));
    let n = e.len() as u64;
    let dir = tempfile::tempdir().unwrap();
    write_public(dir.path(), &e, LATE);
    let o = run(dir.path(), &trust(), &fresh_state());
    assert_eq!(
        codes(&o, "auth-revoked"),
        vec![(Some(n - 2), Verdict::Violated)]
    );
    assert!(codes(&o, "auth-revocation-retroactive").is_empty());
}

#[test]
fn revocation_logged_more_than_the_delay_after_later_records_is_time_order_delay() {
    let (mut e, _) = scenario_entries();
    let (_id, g, q) = unrevoked_grant(&e);
    let t0 = decode(&e[q]).payload().occurred_at;
    e.push(access(&e, q, plus(t0, 120)));
    // Issued two days before an access logged ahead of it: beyond the registry's maximum
    // logging delay (one day), whatever the checkpoints say.
    let issued = Timestamp(t0.millis() - 2 * 86_400_000);
    e.push(revocation(&e, g, issued, issued));
    let n = e.len() as u64;
    let dir = tempfile::tempdir().unwrap();
    write_public(dir.path(), &e, LATE);
    let o = run(dir.path(), &trust(), &fresh_state());
    assert_eq!(
        codes(&o, "time-order-delay"),
        vec![(Some(n - 1), Verdict::Violated)]
    );
    assert!(codes(&o, "auth-revoked").contains(&(Some(n - 2), Verdict::Violated)));
}

#[test]
fn revocation_logged_after_an_access_it_covers_is_caught_across_a_since_run() {
    let (mut e, _) = scenario_entries();
    let (_id, g, q) = unrevoked_grant(&e);
    let t0 = decode(&e[q]).payload().occurred_at;
    e.push(access(&e, q, plus(t0, 120)));
    let dir = tempfile::tempdir().unwrap();
    // The auditor's run ends right after the access (its checkpoint an hour later) ...
    write_public(dir.path(), &e, t0.millis() / 1000 + 3600);
    let first = run(dir.path(), &trust(), &fresh_state());
    assert!(codes(&first, "auth-revoked").is_empty());
    let state = first.new_state.expect("state advances");
    // ... and the revocation, issued before the access, is logged after that checkpoint.
    e.push(revocation(&e, g, plus(t0, 60), plus(t0, 60)));
    let n = e.len() as u64;
    write_public(dir.path(), &e, t0.millis() / 1000 + 7200);
    let o = run_since(dir.path(), &trust(), &state);
    assert_eq!(
        codes(&o, "auth-revoked"),
        vec![(Some(n - 2), Verdict::Violated)]
    );
}

#[test]
fn retroactive_revocation_is_a_notice_not_a_violation_of_earlier_accesses() {
    let (mut e, _) = scenario_entries();
    let (_id, g, q) = unrevoked_grant(&e);
    let t0 = decode(&e[q]).payload().occurred_at;
    // Issued at t0 + 1 h, effective from t0 + 60 s: the access at t0 + 120 s was lawful
    // when it was made, whatever the log order.
    e.push(revocation(&e, g, plus(t0, 3600), plus(t0, 60)));
    e.push(access(&e, q, plus(t0, 120)));
    let n = e.len() as u64;
    let dir = tempfile::tempdir().unwrap();
    write_public(dir.path(), &e, LATE);
    let o = run(dir.path(), &trust(), &fresh_state());
    assert!(codes(&o, "auth-revoked").is_empty(), "{:?}", violations(&o));
    assert_eq!(
        codes(&o, "auth-revocation-retroactive"),
        vec![(Some(n - 2), Verdict::Notice)]
    );
    // An access after the issue is revoked.
    e.push(access(&e, q, plus(t0, 3700)));
    write_public(dir.path(), &e, LATE);
    let o = run(dir.path(), &trust(), &fresh_state());
    assert_eq!(
        codes(&o, "auth-revoked"),
        vec![(Some(n), Verdict::Violated)]
    );
}

// ---- item 5: a compromised key's records, judged by when they entered the log ----

/// The authority's revocation of query-frontend's key as compromised since `since`.
fn compromise(e: &[Vec<u8>], since: Timestamp, issued: Timestamp) -> Vec<u8> {
    let reg = find(e, |r| r.payload().kind() == Kind::KeyRegistration);
    continue_chain(e, reg, None, |p| {
        p.occurred_at = issued;
        let key = logseal::scenario::secret_key("query-frontend").public_key();
        p.body = Body::KeyRevocation(KeyRevocation {
            producer: ProducerId::new("query-frontend").unwrap(),
            public_key: Hash32(*key.as_bytes()),
            reason: RevocationReason::Compromise,
            compromised_since: Some(since),
        });
    })
}

/// Verify the first `upto` entries checkpointed at `time`, from `state`; return the state.
fn audit(
    dir: &std::path::Path,
    e: &[Vec<u8>],
    time: u64,
    state: &logseal::verify::AuditorState,
) -> logseal::verify::AuditorState {
    write_public(dir, e, time);
    run(dir, &trust(), state)
        .new_state
        .expect("the auditor's run holds")
}

#[test]
fn records_of_a_compromised_key_logged_after_the_compromise_are_violations() {
    let (e, days) = scenario_entries();
    let dir = tempfile::tempdir().unwrap();
    let (size, time) = days[10];
    let state = audit(dir.path(), &e[..size as usize], time, &fresh_state());
    let since = Timestamp((time + 1) * 1000);
    let mut e = e;
    // The thief signs a query dated before the compromise; the operator logs it before the
    // revocation.
    let q = find(&e, is_query);
    let stolen = access(&e, q, Timestamp((time - 3600) * 1000));
    e.push(stolen);
    e.push(compromise(&e, since, Timestamp((LATE - 60) * 1000)));
    let n = e.len() as u64;
    write_public(dir.path(), &e, LATE);
    let o = run(dir.path(), &trust(), &state);
    let found = codes(&o, "record-key-compromised");
    assert!(
        found.contains(&(Some(n - 2), Verdict::Violated)),
        "{found:?}"
    );
    let first_after = size
        + e[size as usize..]
            .iter()
            .position(|x| is_query(&decode(x)))
            .unwrap() as u64;
    assert!(
        found.contains(&(Some(first_after), Verdict::Violated)),
        "{found:?}"
    );
    assert!(
        found.iter().all(|(l, _)| l.unwrap() >= size),
        "records in a checkpoint before the compromise are not suspect: {found:?}"
    );
    let last_before = size
        - 1
        - e[..size as usize]
            .iter()
            .rev()
            .position(|x| is_query(&decode(x)))
            .unwrap() as u64;
    assert!(
        at_leaf(&o, last_before)
            .iter()
            .all(|(c, _)| *c != "record-key-compromised")
    );
}

#[test]
fn compromised_key_records_before_the_resume_point_are_found_by_a_since_run() {
    let (e, days) = scenario_entries();
    let dir = tempfile::tempdir().unwrap();
    let (s1, t1) = days[9];
    let (s2, t2) = days[10];
    let state = audit(dir.path(), &e[..s1 as usize], t1, &fresh_state());
    let state = audit(dir.path(), &e[..s2 as usize], t2, &state);
    assert_eq!(state.resume.as_ref().unwrap().size, s2);
    let mut e = e;
    e.push(compromise(
        &e,
        Timestamp((t1 + 1) * 1000),
        Timestamp((LATE - 60) * 1000),
    ));
    write_public(dir.path(), &e, LATE);
    let o = run_since(dir.path(), &trust(), &state);
    let found = codes(&o, "record-key-compromised");
    let first = s1
        + e[s1 as usize..]
            .iter()
            .position(|x| is_query(&decode(x)))
            .unwrap() as u64;
    assert!(first < s2);
    assert!(
        found.contains(&(Some(first), Verdict::Violated)),
        "{found:?}"
    );
    assert!(found.iter().all(|(l, _)| l.unwrap() >= s1), "{found:?}");
}

// ---- item 8: producers that must heartbeat ----

fn heartbeat_trust() -> Trust {
    trust()
        .require_heartbeats(BTreeMap::from([("query-frontend".to_string(), 93_600)]))
        .unwrap()
}

/// The scenario with query-frontend's last `days` days dropped (heartbeats included) and
/// the log re-signed; and the last day's checkpoint time.
fn dropped_tail(days_dropped: usize) -> (Vec<Vec<u8>>, u64, u64) {
    let (e, days) = scenario_entries();
    let cut = days[days.len() - 1 - days_dropped].0 as usize;
    let kept: Vec<Vec<u8>> = e
        .iter()
        .enumerate()
        .filter(|(i, x)| *i < cut || producer_of(x) != "query-frontend")
        .map(|(_, x)| x.clone())
        .collect();
    (kept, days.last().unwrap().1, cut as u64)
}

#[test]
fn dropped_tail_of_a_heartbeating_producer_is_overdue() {
    let (e, days) = scenario_entries();
    let dir = tempfile::tempdir().unwrap();
    let last = days.last().unwrap().1;
    write_public(dir.path(), &e, last);
    let honest = run(dir.path(), &heartbeat_trust(), &fresh_state());
    assert!(codes(&honest, "heartbeat-overdue").is_empty());
    let (kept, last, _) = dropped_tail(5);
    write_public(dir.path(), &kept, last);
    let o = run(dir.path(), &heartbeat_trust(), &fresh_state());
    let f: Vec<_> = o.report.with_code("heartbeat-overdue").collect();
    assert_eq!(f.len(), 1, "{:?}", violations(&o));
    assert_eq!(f[0].verdict, Verdict::Violated);
    assert_eq!(f[0].producer.as_deref(), Some("query-frontend"));
    // Without the requirement nothing is said: the tail is simply gone.
    let o = run(dir.path(), &trust(), &fresh_state());
    assert!(codes(&o, "heartbeat-overdue").is_empty());
}

#[test]
fn dropped_tail_is_overdue_in_a_since_run() {
    let (e, days) = scenario_entries();
    let dir = tempfile::tempdir().unwrap();
    let (kept, last, cut) = dropped_tail(5);
    let (size, time) = days[days.len() - 7];
    assert!(size <= cut);
    let state = audit(dir.path(), &e[..size as usize], time, &fresh_state());
    write_public(dir.path(), &kept, last);
    let o = run_since(dir.path(), &heartbeat_trust(), &state);
    assert_eq!(
        codes(&o, "heartbeat-overdue")
            .into_iter()
            .map(|x| x.1)
            .collect::<Vec<_>>(),
        vec![Verdict::Violated]
    );
}

#[test]
fn retired_producer_is_not_overdue() {
    let (mut kept, last, cut) = dropped_tail(5);
    let last_hb = kept[..cut as usize]
        .iter()
        .rev()
        .map(|x| decode(x))
        .find(|r| {
            r.payload().producer.as_str() == "query-frontend"
                && r.payload().kind() == Kind::ProducerHeartbeat
        })
        .unwrap()
        .payload()
        .occurred_at;
    let reg = find(&kept, |r| r.payload().kind() == Kind::KeyRegistration);
    let retire = continue_chain(&kept, reg, None, |p| {
        p.occurred_at = plus(last_hb, 3600);
        let key = logseal::scenario::secret_key("query-frontend").public_key();
        p.body = Body::KeyRevocation(KeyRevocation {
            producer: ProducerId::new("query-frontend").unwrap(),
            public_key: Hash32(*key.as_bytes()),
            reason: RevocationReason::Retired,
            compromised_since: None,
        });
    });
    kept.push(retire);
    let dir = tempfile::tempdir().unwrap();
    write_public(dir.path(), &kept, last);
    let o = run(dir.path(), &heartbeat_trust(), &fresh_state());
    assert!(
        codes(&o, "heartbeat-overdue").is_empty(),
        "{:?}",
        violations(&o)
    );
}

#[test]
fn heartbeat_required_round_trips_through_the_trust_file() {
    let t = heartbeat_trust();
    let json = t.to_json();
    let back = Trust::from_json(&json).unwrap();
    assert_eq!(back.heartbeat_required, t.heartbeat_required);
    let text = String::from_utf8(json).unwrap();
    let zero = text.replace("93600", "0");
    let err = Trust::from_json(zero.as_bytes()).unwrap_err().to_string();
    assert!(err.contains("heartbeat_required.query-frontend"), "{err}");
    let twice = text.replacen("{", "{\"format\": 1,", 1);
    let err = Trust::from_json(twice.as_bytes()).unwrap_err().to_string();
    assert!(err.contains("duplicate field `format`"), "{err}");
}

#[test]
fn cli_reports_an_overdue_heartbeat_from_the_trust_file() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("log");
    let (kept, last, _) = dropped_tail(5);
    write_public(&log, &kept, last);
    let trust_path = dir.path().join("trust.json");
    std::fs::write(&trust_path, heartbeat_trust().to_json()).unwrap();
    let text = String::from_utf8(std::fs::read(&trust_path).unwrap()).unwrap();
    assert!(text.contains("\"heartbeat_required\""), "{text}");
    let at = Timestamp((last + 3600) * 1000).to_rfc3339();
    let o = common::logseal(
        &[
            "verify",
            log.to_str().unwrap(),
            "--trust",
            trust_path.to_str().unwrap(),
            "--at",
            &at,
            "--json",
        ],
        dir.path(),
        None,
    );
    common::fails(&o, 1);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let overdue: Vec<_> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "heartbeat-overdue")
        .collect();
    assert_eq!(overdue.len(), 1, "{overdue:?}");
    assert_eq!(overdue[0]["producer"], "query-frontend");
    assert_eq!(overdue[0]["verdict"], "violated");
    assert_eq!(overdue[0]["check"], 4);
}

// ---- issue 13: a check that examined nothing says "not checked", never "holds" ----

#[test]
fn check_6_with_no_access_to_judge_is_not_checked_and_still_determined() {
    let (e, _) = scenario_entries();
    // The log up to its first data access: nothing for check 6 to judge.
    let first = find(&e, |r| r.payload().kind() == Kind::DataAccess);
    let e = e[..first].to_vec();
    let dir = tempfile::tempdir().unwrap();
    write_public(dir.path(), &e, LATE);
    let o = run(dir.path(), &trust(), &fresh_state());
    let c6 = &o.report.checks[5];
    assert_eq!(c6.check, Check::Authorisation);
    assert_eq!(c6.verdict, Some(Verdict::NotChecked), "{c6:?}");
    assert_eq!(c6.examined.as_ref().map(|x| x.count), Some(0));
    assert!(
        c6.not_checked
            .as_deref()
            .is_some_and(|w| w.contains("authorisation")),
        "{c6:?}"
    );
    // Nothing to examine is determined: a required check 6 does not fail the run.
    assert!(c6.determined);
    let c3 = &o.report.checks[2];
    assert_eq!(c3.verdict, Some(Verdict::Holds));
    assert_eq!(c3.examined.as_ref().map(|x| x.count), Some(first as u64));
    let o = run(
        dir.path(),
        &trust().also_requiring([Check::Authorisation]),
        &fresh_state(),
    );
    assert!(o.report.required_not_determined().is_empty());
    assert_eq!(o.report.with_code("required-check-undetermined").count(), 0);
}

//! The tamper suite: the scenario's honest log, then one tampering at a time, each asserting
//! the exact finding (code and leaf index) that `verify` reports.

mod common;

use common::tamper::*;
use logseal::verify::CLOCK_SKEW_SECS;
use logseal::verify::Verdict;

#[test]
fn untouched_log_verifies_clean_but_for_the_scenarios_own_violations() {
    let dir = tempfile::tempdir().unwrap();
    honest_log(dir.path(), None);
    let o = run(dir.path(), &trust(), &fresh_state());
    for f in &o.report.findings {
        eprintln!(
            "{:?} {} {:?} {:?} {:?}: {}",
            f.verdict, f.code, f.leaf, f.producer, f.seq, f.message
        );
    }
    let v = violations(&o);
    assert_eq!(v.len(), 1, "{v:?}");
    assert_eq!(v[0].0, "heartbeat-counter-mismatch");
    assert!(o.new_state.is_some());
    assert!(
        o.report
            .with_code("auth-denied-attempt")
            .all(|f| f.verdict == Verdict::Notice)
    );
    assert_eq!(o.report.with_code("auth-denied-attempt").count(), 1);
}

use logseal::record::kinds::Body;
use logseal::record::types::{Hash32, Timestamp};
use logseal::record::{Kind, Record};
use logseal::verify::KnownHead;

fn tampered(entries: &[Vec<u8>]) -> (tempfile::TempDir, logseal::verify::Outcome) {
    let dir = tempfile::tempdir().unwrap();
    write_public(dir.path(), entries, LATE);
    let o = run(dir.path(), &trust(), &fresh_state());
    (dir, o)
}

#[track_caller]
fn has(o: &logseal::verify::Outcome, code: &str, leaf: Option<u64>) {
    let v = violations(o);
    assert!(
        v.iter().any(|(c, l)| *c == code && *l == leaf),
        "expected ({code}, {leaf:?}) among {v:?}"
    );
}

fn is_query(r: &Record) -> bool {
    r.payload().producer.as_str() == "query-frontend" && r.payload().kind() == Kind::DataAccess
}

/// Rewrite one entry inside the bundle that holds it (tiles untouched).
fn patch_entry(dir: &std::path::Path, leaf: usize, f: impl FnOnce(&mut Vec<u8>)) {
    let (b, off) =
        logseal::tiles::entry_bundle_for_leaf(leaf as u64, entries(dir).len() as u64).unwrap();
    let path = dir.join("public").join(b.path());
    let data = std::fs::read(&path).unwrap();
    let mut es: Vec<Vec<u8>> = logseal::tiles::decode_entry_bundle(&data)
        .unwrap()
        .into_iter()
        .map(<[u8]>::to_vec)
        .collect();
    f(&mut es[off]);
    std::fs::write(&path, logseal::tiles::encode_entry_bundle(&es).unwrap()).unwrap();
}

#[test]
fn the_scenario_written_directly_verifies_like_the_log_wrote_it() {
    let (e, _) = scenario_entries();
    let (_d, o) = tampered(&e);
    assert_eq!(
        violations(&o).iter().map(|v| v.0).collect::<Vec<_>>(),
        ["heartbeat-counter-mismatch"]
    );
}

#[test]
fn flipped_byte_in_a_record_payload() {
    let (e, _) = scenario_entries();
    let l = find(&e, is_query);
    let dir = tempfile::tempdir().unwrap();
    write_public(dir.path(), &e, LATE);
    patch_entry(dir.path(), l, |r| {
        let i = r.len() - 67; // the last payload byte: inside a sealed-field commitment
        r[i] ^= 1;
    });
    let o = run(dir.path(), &trust(), &fresh_state());
    has(&o, "record-signature", Some(l as u64));
    has(&o, "tree-tile-mismatch", Some(l as u64));
    has(&o, "tree-root-mismatch", None);
}

#[test]
fn flipped_byte_in_a_signature() {
    let (e, _) = scenario_entries();
    let l = find(&e, is_query) + 1;
    let dir = tempfile::tempdir().unwrap();
    write_public(dir.path(), &e, LATE);
    patch_entry(dir.path(), l, |r| *r.last_mut().unwrap() ^= 0x80);
    let o = run(dir.path(), &trust(), &fresh_state());
    has(&o, "record-signature", Some(l as u64));
    has(&o, "tree-tile-mismatch", Some(l as u64));
}

#[test]
fn flipped_byte_in_a_tile() {
    let (e, _) = scenario_entries();
    let dir = tempfile::tempdir().unwrap();
    write_public(dir.path(), &e, LATE);
    let path = dir.path().join("public/tile/0/000");
    let mut t = std::fs::read(&path).unwrap();
    t[5 * 32 + 7] ^= 1;
    std::fs::write(&path, t).unwrap();
    let o = run(dir.path(), &trust(), &fresh_state());
    has(&o, "tree-tile-mismatch", Some(5));
    assert!(!violations(&o).iter().any(|v| v.0 == "tree-root-mismatch"));
}

#[test]
fn flipped_byte_in_the_checkpoint() {
    let (e, _) = scenario_entries();
    let dir = tempfile::tempdir().unwrap();
    write_public(dir.path(), &e, LATE);
    let path = dir.path().join("public/checkpoint");
    let mut t = std::fs::read(&path).unwrap();
    let i = t.iter().position(|&b| b == b'\n').unwrap() + 2; // inside the size line
    t[i] = if t[i] == b'1' { b'2' } else { b'1' };
    std::fs::write(&path, t).unwrap();
    let o = run(dir.path(), &trust(), &fresh_state());
    has(&o, "checkpoint-signature", None);
    assert!(o.new_state.is_none());
}

#[test]
fn dropped_record_in_the_middle() {
    let (mut e, _) = scenario_entries();
    let l = find(&e, is_query) + 2;
    let gone = decode(&e[l]).payload().seq;
    e.remove(l);
    let next = find(&e[l..], is_query) + l;
    let (_d, o) = tampered(&e);
    has(&o, "chain-seq-gap", Some(next as u64));
    let f = o.report.with_code("chain-seq-gap").next().unwrap();
    assert_eq!(
        (f.producer.as_deref(), f.seq),
        (Some("query-frontend"), Some(gone))
    );
}

#[test]
fn dropped_record_at_the_tail_is_caught_by_the_auditor_state() {
    let (mut e, _) = scenario_entries();
    let dir = tempfile::tempdir().unwrap();
    write_public(dir.path(), &e, LATE);
    let state = run(dir.path(), &trust(), &fresh_state()).new_state.unwrap();
    let last = e.len() as u64 - 1;
    let who = producer_of(&e[last as usize]);
    e.pop();
    write_public(dir.path(), &e, LATE + 10);
    let o = run(dir.path(), &trust(), &state);
    has(&o, "chain-head-missing", Some(last));
    has(&o, "checkpoint-inconsistent", None);
    assert_eq!(
        o.report
            .with_code("chain-head-missing")
            .next()
            .unwrap()
            .producer
            .as_deref(),
        Some(who.as_str())
    );
}

#[test]
fn dropped_record_at_the_tail_is_caught_by_the_producers_own_head() {
    let (mut e, _) = scenario_entries();
    let last = e.pop().unwrap();
    let r = decode(&last);
    let mut state = fresh_state();
    state.set_head(KnownHead {
        producer: r.payload().producer.to_string(),
        next_seq: r.payload().seq + 1,
        head: leaf_hash(&last),
        last_leaf: None,
    });
    let dir = tempfile::tempdir().unwrap();
    write_public(dir.path(), &e, LATE);
    let o = run(dir.path(), &trust(), &state);
    has(&o, "chain-head-missing", None);
}

#[test]
fn two_records_swapped() {
    let (mut e, _) = scenario_entries();
    let a = find(&e, is_query) + 1;
    assert!(is_query(&decode(&e[a + 1])));
    e.swap(a, a + 1);
    let (_d, o) = tampered(&e);
    has(&o, "order-seq", Some(a as u64 + 1));
}

#[test]
fn record_resigned_with_an_unregistered_key() {
    let (mut e, _) = scenario_entries();
    let l = find(&e, is_query) + 3;
    e[l] = resign_with(&e[l], Some("intruder"), None, |_| {});
    relink(&mut e);
    let next = l + 1 + find(&e[l + 1..], is_query);
    let (_d, o) = tampered(&e);
    // The intruder's record is not the producer's: its seq stays a gap in the chain.
    assert_eq!(
        violations(&o)
            .iter()
            .filter(|v| v.0 != "heartbeat-counter-mismatch")
            .collect::<Vec<_>>(),
        [
            &("chain-seq-gap", Some(next as u64)),
            &("record-unregistered-key", Some(l as u64))
        ]
    );
}

#[test]
fn key_registered_by_the_log_operator_instead_of_the_authority() {
    let (mut e, _) = scenario_entries();
    let reg = find(&e, |r| r.payload().kind() == Kind::KeyRegistration);
    let intruder = logseal::scenario::secret_key("intruder").public_key();
    // The operator signs a registration of its own key for query-frontend with the log key.
    let forged = continue_chain(&e, reg, Some(logseal::scenario::ORIGIN), |p| {
        if let Body::KeyRegistration(k) = &mut p.body {
            k.producer = logseal::record::text::ProducerId::new("query-frontend").unwrap();
            k.public_key = Hash32(*intruder.as_bytes());
        }
    });
    e.push(forged);
    let q = find(&e, is_query);
    let query = continue_chain(&e, q, Some("intruder"), |_| {});
    e.push(query);
    let n = e.len() as u64;
    let (_d, o) = tampered(&e);
    has(&o, "record-not-authority", Some(n - 2));
    has(&o, "record-unregistered-key", Some(n - 1));
}

#[test]
fn record_signed_by_a_revoked_key_after_its_revocation() {
    let (mut e, _) = scenario_entries();
    let reg = find(&e, |r| r.payload().kind() == Kind::KeyRegistration);
    let rev = continue_chain(&e, reg, None, |p| {
        let key = logseal::scenario::secret_key("query-frontend").public_key();
        p.body = Body::KeyRevocation(logseal::record::kinds::KeyRevocation {
            producer: logseal::record::text::ProducerId::new("query-frontend").unwrap(),
            public_key: Hash32(*key.as_bytes()),
            reason: logseal::record::kinds::key_revocation::RevocationReason::Compromise,
            compromised_since: None,
        });
    });
    e.push(rev);
    let q = find(&e, is_query);
    let query = continue_chain(&e, q, None, |_| {});
    e.push(query);
    let n = e.len() as u64;
    let (_d, o) = tampered(&e);
    has(&o, "record-key-revoked", Some(n - 1));
    assert!(
        !violations(&o).iter().any(|v| v.1 == Some(n - 2)),
        "the revocation itself is fine"
    );
}

#[test]
fn payload_producer_that_does_not_match_its_key() {
    let (mut e, _) = scenario_entries();
    let l = find(&e, is_query) + 2;
    e[l] = resign_with(&e[l], Some("upload-gateway"), None, |_| {});
    relink(&mut e);
    let (_d, o) = tampered(&e);
    has(&o, "record-wrong-producer", Some(l as u64));
}

#[test]
fn replayed_record_with_a_duplicate_seq() {
    let (mut e, _) = scenario_entries();
    let l = find(&e, is_query) + 2;
    e.push(e[l].clone());
    let n = e.len() as u64;
    let (_d, o) = tampered(&e);
    has(&o, "chain-seq-repeat", Some(n - 1));
}

#[test]
fn replayed_record_from_another_log() {
    let (mut e, _) = scenario_entries();
    let l = find(&e, is_query) + 2;
    e[l] = resign_with(&e[l], None, Some("other.example/log"), |_| {});
    relink(&mut e);
    let (_d, o) = tampered(&e);
    has(&o, "record-signature", Some(l as u64));
}

#[test]
fn forked_producer_chain() {
    let (mut e, _) = scenario_entries();
    let l = find(&e, is_query) + 2;
    let fork = resign(&e[l], |p| {
        if let Body::DataAccess(d) = &mut p.body {
            d.result_count = Some(99);
        }
    });
    e.push(fork);
    let n = e.len() as u64;
    let (_d, o) = tampered(&e);
    has(&o, "chain-fork", Some(n - 1));
}

#[test]
fn history_rewritten_and_resigned() {
    let (e, _) = scenario_entries();
    let witness = logseal::scenario::secret_key("witness-1");
    let wv =
        logseal::checkpoint::CosignatureVerifier::new("witness-1", witness.public_key()).unwrap();
    let trust = trust_with(vec![wv.to_vkey()], 1);
    let dir = tempfile::tempdir().unwrap();
    let note = write_public(dir.path(), &e, LATE);
    // The witness cosigns the honest checkpoint; the auditor verifies and keeps it.
    let n = logseal::note::parse_note(&note).unwrap();
    let sig = logseal::checkpoint::cosign(&n.text, &witness, "witness-1", LATE + 1).unwrap();
    let cosigned = logseal::checkpoint::add_cosignatures(&note, &[sig]).unwrap();
    std::fs::write(dir.path().join("public/checkpoint"), cosigned).unwrap();
    let first = run(dir.path(), &trust, &fresh_state());
    assert!(
        violations(&first)
            .iter()
            .all(|v| v.0 == "heartbeat-counter-mismatch")
    );
    let state = first.new_state.unwrap();
    // The operator removes an embarrassing query, rebuilds the tree and re-signs.
    let mut e2 = e.clone();
    let l = find(&e2, |r| is_query(r) && r.payload().seq == 19);
    e2.remove(l);
    let next = l + find(&e2[l..], |r| {
        r.payload().producer.as_str() == "query-frontend"
    });
    write_public(dir.path(), &e2, LATE + 100);
    let o = run(dir.path(), &trust, &state);
    has(&o, "checkpoint-inconsistent", None);
    has(&o, "checkpoint-witness-quorum", None);
    has(&o, "chain-seq-gap", Some(next as u64));
    assert!(
        o.new_state.is_none(),
        "a rewritten log does not advance the auditor's state"
    );
}

#[test]
fn time_going_backwards() {
    let (mut e, _) = scenario_entries();
    let l = find(&e, is_query) + 2;
    let before = decode(&e[l - 1]).payload().occurred_at;
    e[l] = resign(&e[l], |p| p.occurred_at = Timestamp(before.0 - 3_600_000));
    relink(&mut e);
    let (_d, o) = tampered(&e);
    assert_eq!(
        violations(&o)
            .iter()
            .filter(|v| v.0 != "heartbeat-counter-mismatch")
            .collect::<Vec<_>>(),
        [&("time-backwards", Some(l as u64))]
    );
}

#[test]
fn record_outside_its_maximum_logging_delay() {
    let (mut e, sizes) = scenario_entries();
    let dir = tempfile::tempdir().unwrap();
    // The auditor saw the day-10 checkpoint.
    let (s10, t10) = sizes[9];
    write_public(dir.path(), &e[..s10 as usize], t10);
    let state = run(dir.path(), &trust(), &fresh_state()).new_state.unwrap();
    // A case-registry record written days after the fact, logged after that checkpoint.
    let c = find(&e, |r| r.payload().kind() == Kind::CaseStatus);
    let late = continue_chain(&e, c, None, |p| {
        p.occurred_at = Timestamp((t10 - 2 * 86_400) * 1000)
    });
    e.push(late);
    let n = e.len() as u64;
    write_public(dir.path(), &e, LATE);
    let o = run(dir.path(), &trust(), &state);
    has(&o, "time-logging-delay", Some(n - 1));
    assert!(
        !violations(&o)
            .iter()
            .any(|v| v.0 == "checkpoint-inconsistent")
    );
}

#[test]
fn heartbeat_counter_that_does_not_match() {
    let (mut e, _) = scenario_entries();
    let l = find(&e, |r| {
        r.payload().producer.as_str() == "upload-gateway"
            && r.payload().kind() == Kind::ProducerHeartbeat
    });
    e[l] = resign(&e[l], |p| {
        if let Body::ProducerHeartbeat(h) = &mut p.body {
            h.counters[0].value += 2;
        }
    });
    relink(&mut e);
    let (_d, o) = tampered(&e);
    has(&o, "heartbeat-counter-mismatch", Some(l as u64));
    let f = o
        .report
        .with_code("heartbeat-counter-mismatch")
        .find(|f| f.leaf == Some(l as u64))
        .unwrap();
    assert_eq!(
        (f.expected.as_deref(), f.found.as_deref()),
        (Some("5"), Some("3"))
    );
}

#[test]
fn data_access_without_a_valid_authorisation() {
    let (mut e, _) = scenario_entries();
    let l = find(&e, is_query) + 4;
    e[l] = resign(&e[l], |p| {
        if let Body::DataAccess(d) = &mut p.body {
            d.actor.authorisation_id =
                Some(logseal::record::text::Ident::new("auth-9999").unwrap());
        }
    });
    relink(&mut e);
    let (_d, o) = tampered(&e);
    assert_eq!(
        violations(&o)
            .iter()
            .filter(|v| v.0 != "heartbeat-counter-mismatch")
            .collect::<Vec<_>>(),
        [&("auth-unknown", Some(l as u64))]
    );
}

fn notice_referencing(seq_shift: i64) -> (Vec<Vec<u8>>, usize) {
    let (mut e, _) = scenario_entries();
    let l = find(&e, |r| r.payload().kind() == Kind::Notification);
    let rec = decode(&e[l]);
    let Body::Notification(n) = &rec.payload().body else {
        unreachable!()
    };
    let target_seq = (n.sanction.seq as i64 + seq_shift) as u64;
    let target = e.iter().find(|x| {
        let r = decode(x);
        r.payload().producer.as_str() == "trust-and-safety" && r.payload().seq == target_seq
    });
    let hash = target.map_or(Hash32([7; 32]), |t| leaf_hash(t));
    e[l] = resign(&e[l], |p| {
        if let Body::Notification(n) = &mut p.body {
            n.sanction.seq = target_seq;
            n.sanction.leaf_hash = hash;
        }
    });
    relink(&mut e);
    (e, l)
}

#[test]
fn notification_referencing_a_later_sanction() {
    let (e, l) = notice_referencing(1);
    let (_d, o) = tampered(&e);
    has(&o, "ref-forward", Some(l as u64));
}

#[test]
fn notification_referencing_a_missing_sanction() {
    let (e, l) = notice_referencing(100_000);
    let (_d, o) = tampered(&e);
    has(&o, "ref-missing", Some(l as u64));
}

#[test]
fn truncated_directory() {
    let (e, _) = scenario_entries();
    let dir = tempfile::tempdir().unwrap();
    write_public(dir.path(), &e, LATE);
    std::fs::remove_file(dir.path().join("public/tile/entries/000")).unwrap();
    std::fs::remove_file(dir.path().join("public/tile/0/000")).unwrap();
    let o = run(dir.path(), &trust(), &fresh_state());
    has(&o, "tree-entries-missing", Some(0));
    assert!(o.new_state.is_none());
    let o2 = {
        std::fs::remove_file(dir.path().join("public/checkpoint")).unwrap();
        run(dir.path(), &trust(), &fresh_state())
    };
    has(&o2, "checkpoint-missing", None);
}

#[test]
fn cli_verify_exit_codes_json_and_state() {
    let dir = tempfile::tempdir().unwrap();
    let (mut e, _) = scenario_entries();
    // Without the scenario's unlogged access: a clean log exits 0.
    let hb = find(&e, |r| {
        r.payload().producer.as_str() == "query-frontend"
            && matches!(&r.payload().body, Body::ProducerHeartbeat(h) if h.counters[0].value == 7)
    });
    e[hb] = resign(&e[hb], |p| {
        if let Body::ProducerHeartbeat(h) = &mut p.body {
            h.counters[0].value = 6;
        }
    });
    relink(&mut e);
    let log = dir.path().join("log");
    write_public(&log, &e, LATE);
    let trust_path = dir.path().join("trust.json");
    std::fs::write(&trust_path, serde_json::to_vec(&trust().file).unwrap()).unwrap();
    let state = dir.path().join("auditor");
    let args = |json: bool| {
        let mut a = vec![
            "verify".to_string(),
            log.display().to_string(),
            "--trust".into(),
            trust_path.display().to_string(),
            "--state".into(),
            state.display().to_string(),
            "--at".into(),
            "2026-04-01T00:00:00Z".into(),
        ];
        if json {
            a.push("--json".into());
        }
        a
    };
    let run_cli = |a: Vec<String>| {
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        common::logseal(&a, dir.path(), None)
    };
    let out = common::ok(&run_cli(args(false)));
    assert!(out.contains("no violation found"), "{out}");
    assert!(
        out.contains("check 7: no access to the log's private part (disclosures)"),
        "{out}"
    );
    assert!(state.join("state.json").is_file());
    // The operator drops the tail: exit 1, and the JSON report names the finding.
    e.pop();
    write_public(&log, &e, LATE + 5);
    let o = run_cli(args(true));
    common::fails(&o, 1);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let codes: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"chain-head-missing"), "{codes:?}");
    assert!(codes.contains(&"checkpoint-inconsistent"), "{codes:?}");
    assert_eq!(v["checks"][0]["verdict"], "violated");
    // Could not run: no public part.
    let mut a = args(false);
    a[1] = dir.path().join("nothing").display().to_string();
    common::fails(&run_cli(a), 2);
}

/// A finding as compared between runs: verdict, code, leaf, producer, seq, message.
type Comparable = (
    Verdict,
    &'static str,
    u64,
    Option<String>,
    Option<u64>,
    String,
);

/// Every finding at a leaf of `[from, ..)`, as comparable tuples; without the per-run,
/// per-producer tally `time-logging-delay-undetermined` (docs/CHECKS.md §Incremental runs).
fn findings_from(o: &logseal::verify::Outcome, from: u64) -> Vec<Comparable> {
    let mut v: Vec<_> = o
        .report
        .findings
        .iter()
        .filter(|f| f.leaf.is_some_and(|l| l >= from))
        .filter(|f| f.code != "time-logging-delay-undetermined")
        .map(|f| {
            (
                f.verdict,
                f.code,
                f.leaf.unwrap(),
                f.producer.clone(),
                f.seq,
                f.message.clone(),
            )
        })
        .collect();
    v.sort();
    v
}

/// A full run over the first days, then the rest appended (with tampering in the new part):
/// the `--since` run from the stored state reports exactly the findings of a full run for
/// the new leaves, reads only those, and advances the state the same way.
#[test]
fn since_run_finds_what_a_full_run_finds_in_the_new_leaves() {
    let (mut e, sizes) = scenario_entries();
    let (from, t) = sizes[4];
    let dir = tempfile::tempdir().unwrap();
    write_public(dir.path(), &e[..from as usize], t);
    let first = run(dir.path(), &trust(), &fresh_state());
    let state = first.new_state.unwrap();
    let resume = state
        .resume
        .clone()
        .expect("a full run stores a resume point");
    assert_eq!(resume.size, from);
    assert!(!resume.keys.is_empty() && !resume.chains.is_empty());
    // New days, with one query of the new part dropped.
    let q = from as usize + find(&e[from as usize..], is_query);
    e.remove(q + 1);
    write_public(dir.path(), &e, LATE);
    let full = run(dir.path(), &trust(), &state);
    let inc = run_since(dir.path(), &trust(), &state);
    assert_eq!(inc.report.provenance.incremental_from, Some(from));
    assert_eq!(inc.report.records_checked, e.len() as u64 - from);
    assert_eq!(full.report.records_checked, e.len() as u64);
    let a = findings_from(&full, from);
    let b = findings_from(&inc, from);
    // The gap, the scenario's own unlogged access, a denied attempt naming an authorisation
    // revoked in the new part, and a heartbeat that cannot count across the gap.
    for code in [
        "chain-seq-gap",
        "heartbeat-counter-mismatch",
        "auth-denied-attempt",
        "heartbeat-undetermined",
    ] {
        assert!(a.iter().any(|f| f.1 == code), "{code} in {a:?}");
    }
    assert_eq!(a, b);
    for c in [1, 2] {
        assert_eq!(
            inc.report.checks[c - 1].verdict,
            full.report.checks[c - 1].verdict
        );
    }
    let (sf, si) = (full.new_state.unwrap(), inc.new_state.unwrap());
    assert_eq!(sf.producers, si.producers);
    assert_eq!(sf.resume, si.resume);
    // Nothing new: a second incremental run reads nothing, still recomputes the root, and
    // reports the open items carried in the state (the gap is still unfilled).
    let again = run_since(dir.path(), &trust(), &si);
    assert_eq!(again.report.records_checked, 0);
    assert!(again.new_state.is_some());
    assert_eq!(violations(&again), [("chain-seq-gap", Some(q as u64 + 1))]);
}

/// An incremental run does not read the verified part, so it cannot tell a rewrite from
/// corrupt tiles: it says so and does not resume; the full run says which.
#[test]
fn since_run_on_a_rewritten_history_says_run_a_full_verification() {
    let (e, sizes) = scenario_entries();
    let (from, t) = sizes[4];
    let dir = tempfile::tempdir().unwrap();
    write_public(dir.path(), &e[..from as usize], t);
    let state = run(dir.path(), &trust(), &fresh_state()).new_state.unwrap();
    // The operator removes a query of the verified part, rebuilds the tree and re-signs.
    let mut e2 = e.clone();
    e2.remove(find(&e2, is_query) + 1);
    relink(&mut e2);
    write_public(dir.path(), &e2, LATE);
    let o = run_since(dir.path(), &trust(), &state);
    assert_eq!(o.report.with_code("checkpoint-inconsistent").count(), 0);
    let u = o
        .report
        .with_code("checkpoint-consistency-undetermined")
        .next()
        .expect("checkpoint-consistency-undetermined");
    assert_eq!(u.verdict, Verdict::CannotBeDetermined);
    assert_eq!(o.report.records_checked, 0);
    assert!(o.report.checks[1].not_run.is_some());
    assert!(o.new_state.is_none());
    let full = run(dir.path(), &trust(), &state);
    has(&full, "checkpoint-inconsistent", None);
}

/// The tiles under the resume point are read by the consistency proof: altering them makes
/// check 1 undetermined in an incremental run (corrupt tiles or a rewrite: only a full run
/// tells), and the run does not resume from them.
#[test]
fn since_run_with_altered_tiles_under_the_resume_point() {
    let (e, sizes) = scenario_entries();
    let (from, t) = sizes[4];
    assert!(from % 256 != 0);
    let dir = tempfile::tempdir().unwrap();
    write_public(dir.path(), &e[..from as usize], t);
    let state = run(dir.path(), &trust(), &fresh_state()).new_state.unwrap();
    write_public(dir.path(), &e, LATE);
    // A hash of the level-0 tile holding the resume point's last leaves is altered (the
    // consistency proof does not read it).
    let tile = dir
        .path()
        .join("public")
        .join(logseal::tiles::TileId::full(0, from / 256).path());
    let mut data = std::fs::read(&tile).unwrap();
    let i = (from % 256 - 1) as usize * 32;
    data[i] ^= 1;
    std::fs::write(&tile, data).unwrap();
    let o = run_since(dir.path(), &trust(), &state);
    assert_eq!(
        o.report
            .with_code("checkpoint-consistency-undetermined")
            .count(),
        1
    );
    assert_eq!(o.report.with_code("checkpoint-inconsistent").count(), 0);
    assert!(o.report.checks[1].not_run.is_some());
    assert!(o.new_state.is_none());
}

#[test]
fn since_needs_a_resume_point() {
    let dir = tempfile::tempdir().unwrap();
    let (e, _) = scenario_entries();
    write_public(dir.path(), &e, LATE);
    let store = logseal::store::FsStore::open(dir.path().join("public")).unwrap();
    let r = logseal::verify::verify(
        &store,
        &trust(),
        &fresh_state(),
        &logseal::verify::Options {
            at_secs: LATE,
            incremental: true,
        },
        &logseal::verify::NoProgress,
    );
    let err = r.unwrap_err().to_string();
    assert!(err.contains("no resume point"), "{err}");
}

#[test]
fn cli_verify_since() {
    let dir = tempfile::tempdir().unwrap();
    let (e, sizes) = scenario_entries();
    let log = dir.path().join("log");
    let (from, t) = sizes[4];
    write_public(&log, &e[..from as usize], t);
    let trust_path = dir.path().join("trust.json");
    std::fs::write(&trust_path, serde_json::to_vec(&trust().file).unwrap()).unwrap();
    let state = dir.path().join("auditor");
    let run_cli = |extra: &[&str]| {
        let mut a = vec![
            "verify",
            log.to_str().unwrap(),
            "--trust",
            trust_path.to_str().unwrap(),
            "--at",
            "2026-04-01T00:00:00Z",
        ];
        a.extend_from_slice(extra);
        common::logseal(&a, dir.path(), None)
    };
    // --since without --state, and with a state directory holding no state: exit 2.
    let err = common::fails(&run_cli(&["--since"]), 2);
    assert!(err.contains("--state"), "{err}");
    let err = common::fails(
        &run_cli(&["--since", "--state", state.to_str().unwrap()]),
        2,
    );
    assert!(err.contains("state.json does not exist"), "{err}");
    // A full run stores the resume point; after more days, --since checks the new ones.
    common::ok(&run_cli(&["--state", state.to_str().unwrap()]));
    write_public(&log, &e, LATE);
    let o = run_cli(&["--since", "--json", "--state", state.to_str().unwrap()]);
    common::fails(&o, 1); // the scenario's own unlogged access lies in the new days
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["provenance"]["incremental_from"], from);
    assert_eq!(v["records_checked"], e.len() as u64 - from);
    let st: serde_json::Value =
        serde_json::from_slice(&std::fs::read(state.join("state.json")).unwrap()).unwrap();
    assert_eq!(st["resume"]["size"], e.len() as u64);
    assert_eq!(st["format"], 3);
}

/// A head the auditor knows beyond its last checkpoint (here handed over by the producer)
/// whose record the operator removed: reported in the run that finds it, and in every run
/// after — full or incremental — since the auditor's head is never replaced by the log's
/// shorter chain.
#[test]
fn removed_tail_beyond_the_auditors_checkpoint_is_reported_in_every_run() {
    let (mut e, sizes) = scenario_entries();
    let (from, t) = sizes[4];
    let dir = tempfile::tempdir().unwrap();
    write_public(dir.path(), &e[..from as usize], t);
    let mut state = run(dir.path(), &trust(), &fresh_state()).new_state.unwrap();
    let last = e.pop().unwrap();
    let r = decode(&last);
    let who = r.payload().producer.to_string();
    let head = KnownHead {
        producer: who.clone(),
        next_seq: r.payload().seq + 1,
        head: leaf_hash(&last),
        last_leaf: None,
    };
    state.set_head(head.clone());
    write_public(dir.path(), &e, LATE);
    let first = run(dir.path(), &trust(), &state);
    has(&first, "chain-head-missing", None);
    let s1 = first
        .new_state
        .expect("checks 1 and 2 hold: the state advances");
    assert_eq!(s1.head(&who), Some(&head), "the auditor's head is kept");
    assert!(s1.resume.is_some());
    let again = run(dir.path(), &trust(), &s1);
    has(&again, "chain-head-missing", None);
    let since = run_since(dir.path(), &trust(), &s1);
    has(&since, "chain-head-missing", None);
    let s2 = since.new_state.unwrap();
    assert_eq!(s2.head(&who), Some(&head));
    has(
        &run_since(dir.path(), &trust(), &s2),
        "chain-head-missing",
        None,
    );
    // The other producers' heads advanced to the log's.
    let other = s2.producers.iter().find(|h| h.producer != who).unwrap();
    assert!(other.last_leaf.unwrap() >= from);
}

/// A head replaced sideways (same seq, another record): reported in every run.
#[test]
fn replaced_head_is_reported_in_every_run() {
    let (mut e, _) = scenario_entries();
    let dir = tempfile::tempdir().unwrap();
    write_public(dir.path(), &e, LATE);
    let state = run(dir.path(), &trust(), &fresh_state()).new_state.unwrap();
    // The auditor holds query-frontend's head (handed over by the producer); the operator
    // replaces that record and re-signs the log.
    let known = state.head("query-frontend").unwrap().clone();
    let l = known.last_leaf.unwrap() as usize;
    e[l] = resign(&e[l], |p| {
        p.occurred_at = Timestamp(p.occurred_at.millis() + 1)
    });
    let mut st = fresh_state();
    st.set_head(known.clone());
    write_public(dir.path(), &e, LATE);
    let first = run(dir.path(), &trust(), &st);
    has(&first, "chain-head-mismatch", known.last_leaf);
    let s1 = first.new_state.unwrap();
    assert_eq!(s1.head("query-frontend"), Some(&known));
    has(
        &run(dir.path(), &trust(), &s1),
        "chain-head-mismatch",
        known.last_leaf,
    );
    has(
        &run_since(dir.path(), &trust(), &s1),
        "chain-head-mismatch",
        known.last_leaf,
    );
}

/// A checkpoint claiming 2^62 leaves over a log of a few hundred: one finding for the
/// missing entries, at once.
#[test]
fn checkpoint_claiming_2_pow_62_leaves() {
    let (e, _) = scenario_entries();
    let dir = tempfile::tempdir().unwrap();
    let note = write_public(dir.path(), &e[..300], LATE);
    let text = String::from_utf8(note).unwrap();
    let edit = |size: u64| {
        let mut lines: Vec<String> = text.split('\n').map(str::to_string).collect();
        lines[1] = size.to_string();
        std::fs::write(dir.path().join("public/checkpoint"), lines.join("\n")).unwrap();
    };
    let size = logseal::tree::MAX_TREE_SIZE;
    edit(size);
    let (tx, rx) = std::sync::mpsc::channel();
    let path = dir.path().to_path_buf();
    std::thread::spawn(move || tx.send(run(&path, &trust(), &fresh_state())).unwrap());
    let o = rx
        .recv_timeout(std::time::Duration::from_secs(5))
        .expect("a report within seconds");
    has(&o, "checkpoint-signature", None);
    has(&o, "tree-entries-missing", Some(256));
    assert_eq!(o.report.with_code("tree-entries-missing").count(), 1);
    let f = o.report.with_code("tree-entries-missing").next().unwrap();
    assert!(
        f.message.contains(&format!("256..{}", size - 1)),
        "{}",
        f.message
    );
    assert_eq!(o.report.records_checked, 256);
    // Above the largest tree size: refused as malformed, nothing else runs.
    edit(size + 1);
    let o = run(dir.path(), &trust(), &fresh_state());
    assert_eq!(o.report.tree_size, None);
    let f = o.report.findings.first().unwrap();
    assert!(f.message.contains("2^62"), "{}", f.message);
}

/// A record forged into the seq of a dropped one (signed for another log, so its signature
/// does not verify here) does not fill the gap.
#[test]
fn forged_record_filling_a_dropped_seq_does_not_fill_the_gap() {
    let (mut e, _) = scenario_entries();
    let l = find(&e, is_query) + 2;
    let seq = decode(&e[l]).payload().seq;
    e[l] = resign_with(&e[l], None, Some("other.example/log"), |p| {
        p.occurred_at = Timestamp(p.occurred_at.millis() + 1)
    });
    let next = l + 1 + find(&e[l + 1..], is_query);
    let (_d, o) = tampered(&e);
    has(&o, "record-signature", Some(l as u64));
    has(&o, "chain-seq-gap", Some(next as u64));
    let gap = o.report.with_code("chain-seq-gap").next().unwrap();
    assert_eq!(gap.seq, Some(seq));
    let u = o.report.with_code("chain-undetermined").next().unwrap();
    assert_eq!((u.leaf, u.seq), (Some(l as u64), Some(seq)));
    assert!(!violations(&o).iter().any(|v| v.0 == "chain-prev-mismatch"));
}

/// seq u64::MAX and a log time near i64::MAX: findings, no overflow.
#[test]
fn largest_seq_and_log_time_do_not_overflow() {
    let (mut e, _) = scenario_entries();
    let l = find(&e, is_query);
    let forged = resign(&e[l], |p| {
        p.seq = u64::MAX;
        p.prev = Hash32([1; 32]);
    });
    e.push(forged);
    let n = e.len() as u64 - 1;
    let dir = tempfile::tempdir().unwrap();
    write_public(dir.path(), &e, i64::MAX as u64);
    let o = run(dir.path(), &trust(), &fresh_state());
    has(&o, "chain-seq-overflow", Some(n));
    has(&o, "checkpoint-time-future", None);
    assert!(o.new_state.is_none());
}

#[test]
fn checkpoint_times_against_at_and_against_each_other() {
    let (e, sizes) = scenario_entries();
    let (from, t) = sizes[4];
    let dir = tempfile::tempdir().unwrap();
    write_public(dir.path(), &e[..from as usize], t);
    let state = run(dir.path(), &trust(), &fresh_state()).new_state.unwrap();
    // Within the allowed clock skew of --at: fine.
    write_public(dir.path(), &e, LATE + CLOCK_SKEW_SECS);
    let o = run(dir.path(), &trust(), &state);
    assert!(
        !violations(&o)
            .iter()
            .any(|v| v.0 == "checkpoint-time-future")
    );
    // Later than --at beyond the skew.
    write_public(dir.path(), &e, LATE + CLOCK_SKEW_SECS + 1);
    let o = run(dir.path(), &trust(), &state);
    has(&o, "checkpoint-time-future", None);
    assert!(
        !violations(&o)
            .iter()
            .any(|v| v.0 == "checkpoint-time-order")
    );
    // A larger tree with an earlier log time than the auditor's checkpoint.
    write_public(dir.path(), &e, t - 1);
    let o = run(dir.path(), &trust(), &state);
    has(&o, "checkpoint-time-order", None);
    assert!(
        !violations(&o)
            .iter()
            .any(|v| v.0 == "checkpoint-time-future")
    );
    assert!(o.new_state.is_none());
    // The same tree at a later time is fine.
    write_public(dir.path(), &e, LATE);
    let o = run(dir.path(), &trust(), &state);
    assert!(o.report.with_code("checkpoint-time-order").next().is_none());
    assert!(
        o.report
            .with_code("checkpoint-time-future")
            .next()
            .is_none()
    );
}

#[test]
fn witness_key_listed_under_two_names_is_refused() {
    use logseal::checkpoint::CosignatureVerifier;
    let key = logseal::scenario::secret_key("witness-1").public_key();
    let a = CosignatureVerifier::new("witness-1", key)
        .unwrap()
        .to_vkey();
    let b = CosignatureVerifier::new("witness-2", key)
        .unwrap()
        .to_vkey();
    let mut file = trust().file;
    file.witnesses = vec![a, b];
    file.witness_quorum = 2;
    let err = logseal::verify::Trust::new(file).unwrap_err().to_string();
    assert!(
        err.contains("witnesses[1]") && err.contains("same public key"),
        "{err}"
    );
}

/// The registry grants a revoked authorisation's id again: reported, and the revocation
/// stands for the accesses after it.
#[test]
fn second_grant_of_a_revoked_authorisation_does_not_revive_it() {
    use logseal::record::kinds::authorisation::AuthorisationAction;
    let (mut e, _) = scenario_entries();
    let auth = |r: &Record| match &r.payload().body {
        Body::Authorisation(a) => Some((a.action, a.authorisation_id.to_string())),
        _ => None,
    };
    let rv = find(&e, |r| {
        auth(r).is_some_and(|(a, _)| a == AuthorisationAction::Revoke)
    });
    let id = auth(&decode(&e[rv])).unwrap().1;
    let g = find(&e, |r| {
        auth(r).is_some_and(|(a, i)| a == AuthorisationAction::Grant && i == id)
    });
    let regrant = continue_chain(&e, g, None, |_| {});
    e.push(regrant);
    let q = e.len() - 1 - e.iter().rev().position(|x| is_query(&decode(x))).unwrap();
    let at = decode(&e[q]).payload().occurred_at;
    let access = continue_chain(&e, q, None, |p| {
        p.occurred_at = at;
        if let Body::DataAccess(d) = &mut p.body {
            d.actor.authorisation_id = Some(logseal::record::text::Ident::new(&id).unwrap());
        }
    });
    e.push(access);
    let n = e.len() as u64;
    let (_d, o) = tampered(&e);
    has(&o, "auth-duplicate-grant", Some(n - 2));
    has(&o, "auth-revoked", Some(n - 1));
}

// Special files in the public part (issue 12, item 3): the verifier never blocks on a FIFO,
// never follows a symbolic link, never reads more than an object's bound, and reports the
// object as a finding about it.

const HANG_LIMIT: std::time::Duration = std::time::Duration::from_secs(120);
/// Peak memory allowed to a run over a 1 GiB object (reading it whole costs 1 GiB).
const MEMORY_LIMIT_KIB: i64 = 256 * 1024;

/// Replace `public/<key>` of the CLI log in `dir` by what `make` creates at the path, run
/// `verify --json` with a time limit, and return its findings (the run must exit 1 with
/// bounded memory).
fn verify_with_special(
    key: &str,
    make: impl FnOnce(&std::path::Path, &std::path::Path),
) -> Vec<(String, String, Option<u64>)> {
    let dir = tempfile::tempdir().unwrap();
    let args = cli_log(dir.path());
    let path = dir.path().join("log/public").join(key);
    std::fs::remove_file(&path).unwrap();
    make(&path, dir.path());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = run_bounded(&args, dir.path(), HANG_LIMIT);
    assert_eq!(
        o.code,
        Some(1),
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        o.max_rss_kib < MEMORY_LIMIT_KIB,
        "peak memory {} KiB",
        o.max_rss_kib
    );
    json_findings(&o.stdout)
}

/// The level-0 tile covering leaves 256.. of the scenario's log (full or partial).
fn second_tile() -> String {
    let n = scenario_entries().0.len() as u64;
    let t = logseal::tiles::tiles_at_level(0, n).nth(1).unwrap();
    t.path()
}

/// The entry bundle holding leaf 256 of the scenario's log (full or partial).
fn second_bundle() -> String {
    let n = scenario_entries().0.len() as u64;
    logseal::tiles::entry_bundle_for_leaf(256, n)
        .unwrap()
        .0
        .path()
}

fn mkfifo(path: &std::path::Path, _: &std::path::Path) {
    let ok = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap()
        .success();
    assert!(ok, "mkfifo {}", path.display());
}

fn sparse_gib(path: &std::path::Path, _: &std::path::Path) {
    std::fs::File::create(path)
        .unwrap()
        .set_len(1 << 30)
        .unwrap();
}

/// A copy of the object outside the log directory, linked into its place.
fn symlink_outside(path: &std::path::Path, dir: &std::path::Path) {
    let (e, _) = scenario_entries();
    let copy = tempfile::tempdir().unwrap().keep();
    write_public(&copy, &e, LATE);
    let rel = path.strip_prefix(dir.join("log")).unwrap();
    std::os::unix::fs::symlink(copy.join(rel), path).unwrap();
}

#[track_caller]
fn has_finding(f: &[(String, String, Option<u64>)], verdict: &str, code: &str, leaf: Option<u64>) {
    assert!(
        f.iter()
            .any(|(v, c, l)| v == verdict && c == code && *l == leaf),
        "expected ({verdict}, {code}, {leaf:?}) among {f:?}"
    );
}

#[test]
fn fifo_as_the_checkpoint() {
    let f = verify_with_special("checkpoint", mkfifo);
    has_finding(&f, "violated", "checkpoint-not-regular", None);
}

#[test]
fn fifo_as_a_tile() {
    let f = verify_with_special(&second_tile(), mkfifo);
    has_finding(&f, "violated", "tree-object-not-regular", Some(256));
}

#[test]
fn fifo_as_an_entry_bundle() {
    let f = verify_with_special(&second_bundle(), mkfifo);
    has_finding(&f, "violated", "tree-object-not-regular", Some(256));
    has_finding(
        &f,
        "cannot-be-determined",
        "tree-root-undetermined",
        Some(256),
    );
}

#[test]
fn directory_as_a_tile() {
    let f = verify_with_special(&second_tile(), |p, _| std::fs::create_dir(p).unwrap());
    has_finding(&f, "violated", "tree-object-not-regular", Some(256));
}

#[test]
fn symbolic_link_out_of_the_log_directory() {
    // The linked copies are the right content: following the link would find nothing wrong.
    let f = verify_with_special(&second_tile(), symlink_outside);
    has_finding(&f, "violated", "tree-object-not-regular", Some(256));
    let f = verify_with_special("tile/entries/000", symlink_outside);
    has_finding(&f, "violated", "tree-object-not-regular", Some(0));
    let f = verify_with_special("checkpoint", symlink_outside);
    has_finding(&f, "violated", "checkpoint-not-regular", None);
}

#[test]
fn sparse_gibibyte_as_the_checkpoint() {
    let f = verify_with_special("checkpoint", sparse_gib);
    has_finding(&f, "violated", "checkpoint-malformed", None);
}

#[test]
fn sparse_gibibyte_as_a_tile() {
    let f = verify_with_special(&second_tile(), sparse_gib);
    has_finding(&f, "violated", "tree-tile-mismatch", Some(256));
}

#[test]
fn sparse_gibibyte_as_an_entry_bundle() {
    let f = verify_with_special(&second_bundle(), sparse_gib);
    has_finding(&f, "violated", "tree-bundle-malformed", Some(256));
}

// One flipped tile bit is tile corruption, not a rewrite (issue 12, item 9).

/// Verify the scenario's first `days` days one day at a time (the auditor keeps each day's
/// checkpoint), then write the whole log. Returns the state and the published root.
fn state_after_days(
    dir: &std::path::Path,
    days: usize,
) -> (logseal::verify::AuditorState, [u8; 32]) {
    let (e, sizes) = scenario_entries();
    let mut state = fresh_state();
    for &(n, t) in &sizes[..days] {
        write_public(dir, &e[..n as usize], t);
        state = run(dir, &trust(), &state).new_state.unwrap();
    }
    assert_eq!(state.checkpoints.len(), days);
    let note = write_public(dir, &e, LATE);
    let text = String::from_utf8(note).unwrap();
    let body: String = text.split_inclusive('\n').take(3).collect();
    (
        state,
        logseal::checkpoint::Checkpoint::parse(&body).unwrap().root,
    )
}

/// Flip one bit of hash `i` of level-0 tile `index`; returns how many of the auditor's
/// checkpoints the consistency proof read from the tiles then fails for.
fn flip_tile_bit(
    dir: &std::path::Path,
    index: u64,
    i: usize,
    state: &logseal::verify::AuditorState,
    root: &[u8; 32],
) -> usize {
    let path = dir
        .join("public")
        .join(logseal::tiles::TileId::full(0, index).path());
    let mut t = std::fs::read(&path).unwrap();
    t[i * 32 + 7] ^= 1;
    std::fs::write(&path, t).unwrap();
    let store = logseal::store::FsStore::open(dir.join("public")).unwrap();
    let alg = logseal::tree::TreeHashAlg::Sha256;
    let reader = logseal::log::LogReader::new(&store, alg);
    let size = scenario_entries().0.len() as u64;
    state
        .checkpoints
        .iter()
        .filter(|c| {
            reader.consistency_proof(c.size, size).map_or(true, |p| {
                alg.verify_consistency(c.size, size, &c.root.0, root, &p)
                    .is_err()
            })
        })
        .count()
}

#[test]
fn flipped_tile_bit_under_the_auditors_checkpoints_is_tile_corruption_not_a_rewrite() {
    let dir = tempfile::tempdir().unwrap();
    let (state, root) = state_after_days(dir.path(), 6);
    let failing = flip_tile_bit(dir.path(), 0, 5, &state, &root);
    assert!(failing >= 2, "the proofs of {failing} checkpoints fail");
    let o = run(dir.path(), &trust(), &state);
    let v: Vec<_> = violations(&o)
        .into_iter()
        .filter(|v| v.0 != "heartbeat-counter-mismatch")
        .collect();
    assert_eq!(v, [("tree-tile-mismatch", Some(5))]);
    assert_eq!(o.report.with_code("checkpoint-inconsistent").count(), 0);
    assert!(
        o.new_state.is_none(),
        "corrupt tiles do not advance the state"
    );
}

#[test]
fn rewrite_under_the_auditors_checkpoints_is_still_checkpoint_inconsistent() {
    let dir = tempfile::tempdir().unwrap();
    let (state, _) = state_after_days(dir.path(), 6);
    // The operator removes a query of the first day, rebuilds the tree and re-signs: the
    // tiles are consistent with the entries, the proofs fail, the entries give other roots.
    let (mut e, sizes) = scenario_entries();
    let l = find(&e, is_query) + 1;
    assert!((l as u64) < sizes[0].0);
    e.remove(l);
    relink(&mut e);
    write_public(dir.path(), &e, LATE);
    let o = run(dir.path(), &trust(), &state);
    assert_eq!(o.report.with_code("checkpoint-inconsistent").count(), 6);
    assert!(
        o.report
            .with_code("checkpoint-inconsistent")
            .all(|f| f.message.contains("history was rewritten")),
        "{:?}",
        o.report.findings
    );
    assert!(!violations(&o).iter().any(|v| v.0.starts_with("tree-")));
}

#[test]
fn since_run_with_a_flipped_tile_bit_says_run_a_full_verification() {
    let dir = tempfile::tempdir().unwrap();
    let (state, root) = state_after_days(dir.path(), 6);
    let failing = flip_tile_bit(dir.path(), 0, 5, &state, &root);
    assert!(failing >= 2);
    let o = run_since(dir.path(), &trust(), &state);
    assert_eq!(o.report.with_code("checkpoint-inconsistent").count(), 0);
    let u: Vec<_> = o
        .report
        .with_code("checkpoint-consistency-undetermined")
        .collect();
    assert_eq!(u.len(), failing);
    assert!(u.iter().all(|f| {
        f.verdict == Verdict::CannotBeDetermined
            && f.message
                .starts_with("inconsistent or corrupt tiles: run a full verification")
            && !f.message.contains("rewritten")
    }));
    assert!(o.new_state.is_none());
    // The full run tells: tile corruption.
    let full = run(dir.path(), &trust(), &state);
    assert_eq!(full.report.with_code("checkpoint-inconsistent").count(), 0);
    has(&full, "tree-tile-mismatch", Some(5));
}

//! Keys that outlive a year (docs/CHECKS.md §Key history, docs/FORMAT.md §Key rotation): the
//! log key rotated at a size N with a checkpoint both keys sign, and the registration
//! authority's key replaced by a record the old key signs or by a trust file's history. Real
//! logs are built through the library (and the binary for `rotate-log-key`), tampered ones
//! written directly as a dishonest operator holding an old key would.

mod common;

use std::path::Path;

use common::tamper::*;
use logseal::checkpoint::{Checkpoint, sign_checkpoint};
use logseal::crypto::SecretKey;
use logseal::log::{AppendItem, Log, LogError, Refusal};
use logseal::note::{self, Ed25519NoteKey};
use logseal::record::Kind;
use logseal::record::kinds::Body;
use logseal::record::text::ProducerId;
use logseal::record::types::Hash32;
use logseal::scenario::{self, AUTHORITY, ORIGIN, Scale};
use logseal::tree::TreeHashAlg;
use logseal::verify::keys::{AuthorityKeyEntry, LogKeyEntry};
use logseal::verify::{AuditorState, Outcome, Trust, TrustFile, Verdict};

fn new_log_key() -> Ed25519NoteKey {
    Ed25519NoteKey::new(ORIGIN, SecretKey::from_seed(&[0x5a; 32])).unwrap()
}

fn new_authority_key() -> Ed25519NoteKey {
    Ed25519NoteKey::new(AUTHORITY, SecretKey::from_seed(&[0xa5; 32])).unwrap()
}

fn trust_file() -> TrustFile {
    trust().file
}

/// The trust file pinning the log key history: the old key up to `n`, the new one from `n`.
fn history_trust(n: u64) -> Trust {
    let mut f = trust_file();
    f.log_key = new_log_key().verifier().to_vkey();
    f.log_key_history = vec![
        LogKeyEntry {
            key: log_key().verifier().to_vkey(),
            from_size: 0,
            until_size: Some(n),
        },
        LogKeyEntry {
            key: new_log_key().verifier().to_vkey(),
            from_size: n,
            until_size: None,
        },
    ];
    Trust::new(f).unwrap()
}

fn codes(o: &Outcome, prefix: &str) -> Vec<(&'static str, Verdict)> {
    o.report
        .findings
        .iter()
        .filter(|f| f.code.starts_with(prefix) && f.verdict != Verdict::Notice)
        .map(|f| (f.code, f.verdict))
        .collect()
}

/// The scenario log with its first `before` days, a rotation to [`new_log_key`] at that size
/// (at `rotate_at`), then the remaining days, each checkpointed. Returns N and the auditor
/// state of a run (with the old key's trust file) just before the rotation.
fn rotated_log(dir: &Path, before: usize) -> (u64, AuditorState) {
    let days = scenario::build(Scale::SMALL, TreeHashAlg::Sha256).unwrap();
    let mut log = Log::init(
        dir,
        &log_key(),
        &authority_vkey(),
        TreeHashAlg::Sha256,
        days[0].checkpoint_at - 86_400,
    )
    .unwrap();
    let items =
        |d: &scenario::SignedDay| d.records.iter().map(|s| s.item.clone()).collect::<Vec<_>>();
    for d in &days[..before] {
        log.append(&items(d)).unwrap();
        log.checkpoint(d.checkpoint_at).unwrap();
    }
    drop(log);
    let state = run(dir, &trust(), &fresh_state()).new_state.unwrap();
    let mut log = Log::open(dir).unwrap();
    let n = log.size();
    let note = log
        .rotate_log_key(&new_log_key(), days[before - 1].checkpoint_at + 60)
        .unwrap();
    // The rotation checkpoint carries both keys' signatures and cosignatures.
    assert_eq!(note::parse_note(&note).unwrap().signatures.len(), 4);
    // A checkpoint asked for at the rotation size is the rotation checkpoint.
    assert_eq!(
        log.checkpoint(days[before - 1].checkpoint_at + 120)
            .unwrap(),
        note
    );
    for d in &days[before..] {
        log.append(&items(d)).unwrap();
        log.checkpoint(d.checkpoint_at).unwrap();
    }
    (n, state)
}

fn only_scenario_violation(o: &Outcome) {
    let v = violations(o);
    assert_eq!(
        v.iter().map(|x| x.0).collect::<Vec<_>>(),
        vec!["heartbeat-counter-mismatch"],
        "{v:?}"
    );
}

#[test]
fn a_log_rotated_at_n_verifies_with_the_key_history() {
    let dir = tempfile::tempdir().unwrap();
    let (n, state) = rotated_log(dir.path(), 2);
    let t = history_trust(n);
    // From the auditor's state of before the rotation (its checkpoint signed by the old key).
    let o = run(dir.path(), &t, &state);
    only_scenario_violation(&o);
    assert!(
        codes(&o, "checkpoint-").is_empty(),
        "{:?}",
        codes(&o, "checkpoint-")
    );
    let state = o.new_state.expect("the state advances");
    // And again, incrementally, from the new key's checkpoint.
    let o = run_since(dir.path(), &t, &state);
    assert!(
        codes(&o, "checkpoint-").is_empty(),
        "{:?}",
        codes(&o, "checkpoint-")
    );
    // The old trust file (old key only) refuses the new key's checkpoint.
    let o = run(dir.path(), &trust(), &fresh_state());
    assert!(violations(&o).contains(&("checkpoint-signature", None)));
}

#[test]
fn the_rotation_checkpoint_verifies_and_needs_both_signatures() {
    let dir = tempfile::tempdir().unwrap();
    let days = scenario::build(Scale::SMALL, TreeHashAlg::Sha256).unwrap();
    let mut log = Log::init(
        dir.path(),
        &log_key(),
        &authority_vkey(),
        TreeHashAlg::Sha256,
        days[0].checkpoint_at - 86_400,
    )
    .unwrap();
    let items: Vec<_> = days[0].records.iter().map(|s| s.item.clone()).collect();
    log.append(&items).unwrap();
    log.checkpoint(days[0].checkpoint_at).unwrap();
    let n = log.size();
    log.rotate_log_key(&new_log_key(), days[0].checkpoint_at + 60)
        .unwrap();
    let root = log.state().root.0;
    drop(log);
    let t = history_trust(n);
    let o = run(dir.path(), &t, &fresh_state());
    assert!(
        codes(&o, "checkpoint-")
            .iter()
            .all(|c| c.0 == "checkpoint-no-auditor-state")
    );
    // The new key alone at the rotation size: not announced by the old key.
    let cp = Checkpoint::new(ORIGIN, n, root).unwrap();
    let only_new = sign_checkpoint(
        &cp,
        new_log_key().secret_key(),
        ORIGIN,
        days[0].checkpoint_at + 60,
    )
    .unwrap();
    std::fs::write(dir.path().join("public/checkpoint"), &only_new).unwrap();
    let o = run(dir.path(), &t, &fresh_state());
    assert_eq!(
        violations(&o)
            .iter()
            .filter(|v| v.0.starts_with("checkpoint-"))
            .collect::<Vec<_>>(),
        vec![&("checkpoint-rotation-unsigned", None)]
    );
    // The old key alone at N is valid (its range ends at N, included).
    let only_old =
        sign_checkpoint(&cp, log_key().secret_key(), ORIGIN, days[0].checkpoint_at).unwrap();
    std::fs::write(dir.path().join("public/checkpoint"), &only_old).unwrap();
    let o = run(dir.path(), &t, &fresh_state());
    assert!(
        codes(&o, "checkpoint-")
            .iter()
            .all(|c| c.0 == "checkpoint-no-auditor-state")
    );
    // The new key before its range.
    let early = Checkpoint::new(ORIGIN, 0, TreeHashAlg::Sha256.empty()).unwrap();
    let early = sign_checkpoint(&early, new_log_key().secret_key(), ORIGIN, 1).unwrap();
    std::fs::write(dir.path().join("public/checkpoint"), &early).unwrap();
    let o = run(dir.path(), &t, &fresh_state());
    assert!(violations(&o).contains(&("checkpoint-key-not-yet-valid", None)));
}

#[test]
fn a_stolen_old_key_signs_nothing_beyond_its_range() {
    let dir = tempfile::tempdir().unwrap();
    let (n, state) = rotated_log(dir.path(), 2);
    let t = history_trust(n);
    // The very tree the log published, re-signed by the old key alone.
    let published = std::fs::read(dir.path().join("public/checkpoint")).unwrap();
    let body = note::parse_note(&published).unwrap().text;
    let cp = Checkpoint::parse(&body).unwrap();
    assert!(cp.size > n);
    let forged = sign_checkpoint(&cp, log_key().secret_key(), ORIGIN, LATE - 10).unwrap();
    std::fs::write(dir.path().join("public/checkpoint"), &forged).unwrap();
    let o = run(dir.path(), &t, &state);
    let v = violations(&o);
    assert!(v.contains(&("checkpoint-key-expired", None)), "{v:?}");
    assert_eq!(
        v.iter().filter(|x| x.0.starts_with("checkpoint-")).count(),
        1,
        "{v:?}"
    );
    assert!(
        o.new_state.is_none(),
        "an expired key's checkpoint is not stored"
    );
    // The same note kept in an auditor's state (e.g. accepted under an older trust file) is
    // reported when the state is checked against the history.
    std::fs::write(dir.path().join("public/checkpoint"), &published).unwrap();
    let mut kept = state.clone();
    kept.checkpoints.push(logseal::verify::SeenCheckpoint {
        size: cp.size,
        root: Hash32(cp.root),
        log_time: LATE - 10,
        note: String::from_utf8(forged.clone()).unwrap(),
    });
    let o = run(dir.path(), &t, &kept);
    assert!(violations(&o).contains(&("checkpoint-key-expired", None)));
    assert!(
        o.report
            .findings
            .iter()
            .any(|f| f.code == "checkpoint-key-expired" && f.message.contains("stored checkpoint"))
    );
    // A fork beyond N written and signed by the thief with the old key.
    let mut e = entries(dir.path());
    e.truncate(n as usize + 3);
    write_public(dir.path(), &e, LATE - 5);
    let o = run(dir.path(), &t, &fresh_state());
    assert!(violations(&o).contains(&("checkpoint-key-expired", None)));
}

#[test]
fn a_trust_file_with_only_the_new_key_cannot_authenticate_old_checkpoints() {
    let dir = tempfile::tempdir().unwrap();
    let (_, state) = rotated_log(dir.path(), 2);
    let mut f = trust_file();
    f.log_key = new_log_key().verifier().to_vkey();
    let t = Trust::new(f).unwrap();
    // The published checkpoint (new key) verifies; the auditor's stored one (old key) is
    // reported as not authenticated by this trust file, not as a rewrite.
    let o = run(dir.path(), &t, &state);
    only_scenario_violation(&o);
    assert_eq!(
        codes(&o, "checkpoint-"),
        vec![
            (
                "checkpoint-history-key-unknown",
                Verdict::CannotBeDetermined
            ),
            ("checkpoint-stored-key-unknown", Verdict::CannotBeDetermined)
        ]
    );
    // With the history, the same run is clean.
    let n = state.checkpoints.last().unwrap().size;
    let o = run(dir.path(), &history_trust(n), &state);
    assert!(codes(&o, "checkpoint-").is_empty());
}

#[test]
fn trust_file_key_histories_are_validated() {
    let json = |f: &TrustFile| serde_json::to_vec(f).unwrap();
    let mut f = trust_file();
    f.log_key_history = vec![LogKeyEntry {
        key: new_log_key().verifier().to_vkey(),
        from_size: 0,
        until_size: None,
    }];
    let e = Trust::from_json(&json(&f)).unwrap_err().to_string();
    assert!(
        e.contains("log_key_history[0].key") && e.contains("must be log_key"),
        "{e}"
    );
    let mut f = history_trust(10).file;
    f.log_key_history[1].from_size = 11;
    let e = Trust::from_json(&json(&f)).unwrap_err().to_string();
    assert!(
        e.contains("log_key_history[1]") && e.contains("expected 10"),
        "{e}"
    );
    let mut f = history_trust(10).file;
    f.log_key_history[0].until_size = None;
    assert!(Trust::from_json(&json(&f)).is_err());
    let mut f = trust_file();
    f.registration_authority_history = vec![AuthorityKeyEntry {
        key: Ed25519NoteKey::new("someone-else", SecretKey::from_seed(&[3; 32]))
            .unwrap()
            .verifier()
            .to_vkey(),
        from_leaf: 0,
        until_leaf: None,
    }];
    let e = Trust::from_json(&json(&f)).unwrap_err().to_string();
    assert!(e.contains("registration_authority_history[0].key"), "{e}");
    // A format-1 file without the members still reads, and round-trips without them.
    let plain = json(&trust_file());
    assert!(!String::from_utf8_lossy(&plain).contains("history"));
    Trust::from_json(&plain).unwrap();
}

/// A key-registration by the authority (next in its chain in `log`), signed by `signer`.
fn registration(
    log: &Log,
    producer: &str,
    key: &SecretKey,
    kinds: Vec<Kind>,
    signer: &SecretKey,
) -> Vec<u8> {
    let e = entries(log.dir());
    let template = e
        .iter()
        .find(|e| matches!(decode(e).payload().body, Body::KeyRegistration(_)))
        .unwrap();
    let mut p = decode(template).payload().clone();
    let head = log
        .state()
        .producer(&ProducerId::new(AUTHORITY).unwrap())
        .unwrap();
    p.seq = head.next_seq;
    p.prev = head.head;
    if let Body::KeyRegistration(reg) = &mut p.body {
        reg.producer = ProducerId::new(producer).unwrap();
        reg.public_key = Hash32(*key.public_key().as_bytes());
        reg.kinds = kinds;
    }
    logseal::record::sign(&p, signer, ORIGIN).unwrap()
}

const AUTHORITY_KINDS: [Kind; 3] = [
    Kind::KeyRegistration,
    Kind::KeyRevocation,
    Kind::ProducerReset,
];

#[test]
fn the_authority_key_is_replaced_by_a_record_the_old_key_signs() {
    let dir = tempfile::tempdir().unwrap();
    honest_log(dir.path(), Some(1));
    let mut log = Log::open(dir.path()).unwrap();
    let old = scenario::secret_key(AUTHORITY);
    let new = new_authority_key();
    let item = |record| AppendItem {
        record,
        disclosures: Vec::new(),
    };
    let replacement = registration(
        &log,
        AUTHORITY,
        new.secret_key(),
        AUTHORITY_KINDS.to_vec(),
        &old,
    );
    log.append(&[item(replacement)]).unwrap();
    let replaced_at = log.size() - 1;
    // The new key registers a producer key; the log admits it.
    let producer_key = SecretKey::from_seed(&[0x11; 32]);
    let by_new = registration(
        &log,
        "new-producer",
        &producer_key,
        vec![Kind::ProducerHeartbeat],
        new.secret_key(),
    );
    log.append(&[item(by_new)]).unwrap();
    // The old key is refused by the log from now on.
    let by_old = registration(
        &log,
        "stolen-producer",
        &SecretKey::from_seed(&[0x22; 32]),
        vec![Kind::ProducerHeartbeat],
        &old,
    );
    match log.append(&[item(by_old.clone())]) {
        Err(LogError::Refused { refusal, .. }) => {
            assert!(
                matches!(refusal, Refusal::AuthorityOnly { .. }),
                "{refusal:?}"
            )
        }
        other => panic!("{other:?}"),
    }
    log.checkpoint(LATE - 100).unwrap();
    drop(log);
    let o = run(dir.path(), &trust(), &fresh_state());
    assert!(
        violations(&o).iter().all(|v| !v.0.starts_with("record-")),
        "{:?}",
        violations(&o)
    );
    let state = o.new_state.unwrap();
    // A dishonest operator holding the stolen old key writes its registration into the log:
    // it is not authoritative, and registers nothing.
    let mut e = entries(dir.path());
    e.push(by_old);
    let stolen_at = e.len() as u64 - 1;
    write_public(dir.path(), &e, LATE - 50);
    let o = run(dir.path(), &trust(), &fresh_state());
    let v = violations(&o);
    assert!(
        v.contains(&("record-authority-key-expired", Some(stolen_at))),
        "{v:?}"
    );
    assert!(v.iter().all(|x| x.0 != "record-not-authority"), "{v:?}");
    // The same incrementally, from the state that carries the replacement.
    let o = run_since(dir.path(), &trust(), &state);
    assert!(violations(&o).contains(&("record-authority-key-expired", Some(stolen_at))));
    assert!(replaced_at < stolen_at);
}

#[test]
fn after_a_compromise_a_trust_file_history_ends_the_old_authority_key() {
    let dir = tempfile::tempdir().unwrap();
    honest_log(dir.path(), Some(1));
    let mut log = Log::open(dir.path()).unwrap();
    let old = scenario::secret_key(AUTHORITY);
    // The thief registers a key with the old authority key; the log (unaware) admits it.
    let stolen = registration(
        &log,
        "stolen-producer",
        &SecretKey::from_seed(&[0x22; 32]),
        vec![Kind::ProducerHeartbeat],
        &old,
    );
    let compromised_from = log.size();
    log.append(&[AppendItem {
        record: stolen,
        disclosures: Vec::new(),
    }])
    .unwrap();
    log.checkpoint(LATE - 100).unwrap();
    drop(log);
    let mut f = trust_file();
    f.registration_authority = new_authority_key().verifier().to_vkey();
    f.registration_authority_history = vec![
        AuthorityKeyEntry {
            key: authority_vkey(),
            from_leaf: 0,
            until_leaf: Some(compromised_from),
        },
        AuthorityKeyEntry {
            key: new_authority_key().verifier().to_vkey(),
            from_leaf: compromised_from,
            until_leaf: None,
        },
    ];
    let t = Trust::new(f).unwrap();
    let o = run(dir.path(), &t, &fresh_state());
    let v = violations(&o);
    assert_eq!(
        v.iter()
            .filter(|x| x.0.starts_with("record-"))
            .collect::<Vec<_>>(),
        vec![&("record-authority-key-expired", Some(compromised_from))],
        "{v:?}"
    );
}

#[test]
fn rotate_log_key_command_rotates_and_prints_the_history() {
    let dir = tempfile::tempdir().unwrap();
    let logdir = dir.path().join("log");
    honest_log(&logdir, Some(1));
    let keyfile = dir.path().join("new.key");
    std::fs::write(&keyfile, format!("{}\n", new_log_key().to_skey())).unwrap();
    let bin = env!("CARGO_BIN_EXE_logseal");
    let out = std::process::Command::new(bin)
        .arg("rotate-log-key")
        .arg(&logdir)
        .arg("--new-key")
        .arg(&keyfile)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let n = v["rotation_size"].as_u64().unwrap();
    let history: Vec<LogKeyEntry> = serde_json::from_value(v["log_key_history"].clone()).unwrap();
    assert_eq!(history, history_trust(n).file.log_key_history);
    // Rotating again at the same size is refused; a key named otherwise is invalid input.
    let again = std::process::Command::new(bin)
        .arg("rotate-log-key")
        .arg(&logdir)
        .arg("--new-key")
        .arg(&keyfile)
        .output()
        .unwrap();
    assert!(
        again.status.success(),
        "rerun with the same key completes (idempotent)"
    );
    let other = dir.path().join("other.key");
    let k = Ed25519NoteKey::new("other.example/log", SecretKey::from_seed(&[9; 32])).unwrap();
    std::fs::write(&other, format!("{}\n", k.to_skey())).unwrap();
    let bad = std::process::Command::new(bin)
        .arg("rotate-log-key")
        .arg(&logdir)
        .arg("--new-key")
        .arg(&other)
        .output()
        .unwrap();
    assert_eq!(
        bad.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
    // The log now signs with the new key, and verifies with the history.
    // (The command signs at the clock's time, after the suite's reference time LATE.)
    let o = run(&logdir, &history_trust(n), &fresh_state());
    let c = codes(&o, "checkpoint-");
    assert!(
        c.iter()
            .all(|c| ["checkpoint-no-auditor-state", "checkpoint-time-future"].contains(&c.0)),
        "{c:?}"
    );
    let published = std::fs::read(logdir.join("public/checkpoint")).unwrap();
    assert_eq!(note::parse_note(&published).unwrap().signatures.len(), 4);
}

/// A log with the scenario's first day appended (and checkpointed when `checkpointed`),
/// rotated to [`new_log_key`]. Returns N and the rotation checkpoint.
fn rotate_after_day_one(dir: &Path, checkpointed: bool) -> (u64, Vec<u8>) {
    let days = scenario::build(Scale::SMALL, TreeHashAlg::Sha256).unwrap();
    let mut log = Log::init(
        dir,
        &log_key(),
        &authority_vkey(),
        TreeHashAlg::Sha256,
        days[0].checkpoint_at - 86_400,
    )
    .unwrap();
    let items: Vec<_> = days[0].records.iter().map(|s| s.item.clone()).collect();
    log.append(&items).unwrap();
    if checkpointed {
        log.checkpoint(days[0].checkpoint_at).unwrap();
    }
    let note = log
        .rotate_log_key(&new_log_key(), days[0].checkpoint_at + 60)
        .unwrap();
    (log.size(), note)
}

fn public_object(dir: &Path, key: &str) -> Option<Vec<u8>> {
    std::fs::read(dir.join("public").join(key)).ok()
}

#[test]
fn a_rotation_at_a_fresh_size_is_the_history_entry_of_that_size() {
    let dir = tempfile::tempdir().unwrap();
    let (n, note) = rotate_after_day_one(dir.path(), false);
    let entry = public_object(dir.path(), &logseal::log::history::key(n));
    assert_eq!(
        entry.as_deref(),
        Some(&note[..]),
        "history entry of size {n}"
    );
    assert_eq!(note::parse_note(&note).unwrap().signatures.len(), 4);
    assert_eq!(
        public_object(dir.path(), &logseal::log::history::rotation_key(n)),
        None
    );
    // Verifies with the key history, the rotation checkpoint found in the history.
    let o = run(dir.path(), &history_trust(n), &fresh_state());
    assert!(
        codes(&o, "checkpoint-")
            .iter()
            .all(|c| c.0 == "checkpoint-no-auditor-state"),
        "{:?}",
        codes(&o, "checkpoint-")
    );
}

#[test]
fn a_rotation_at_a_checkpointed_size_is_published_beside_the_history() {
    let dir = tempfile::tempdir().unwrap();
    let (n, note) = rotate_after_day_one(dir.path(), true);
    // The first checkpoint of size N (the old key's) stays the history entry.
    let entry = public_object(dir.path(), &logseal::log::history::key(n)).unwrap();
    assert_eq!(note::parse_note(&entry).unwrap().signatures.len(), 2);
    let rotation = public_object(dir.path(), &logseal::log::history::rotation_key(n));
    assert_eq!(rotation.as_deref(), Some(&note[..]));
    assert_eq!(
        public_object(dir.path(), "checkpoint").as_deref(),
        Some(&note[..])
    );
    // Running it again (an interrupted rotation) changes nothing that is published.
    let mut log = Log::open(dir.path()).unwrap();
    let again = log.rotate_log_key(&new_log_key(), 1).unwrap();
    assert_eq!(again, note);
    assert_eq!(
        public_object(dir.path(), &logseal::log::history::rotation_key(n)).as_deref(),
        Some(&note[..])
    );
    drop(log);
    let o = run(dir.path(), &history_trust(n), &fresh_state());
    assert!(
        codes(&o, "checkpoint-")
            .iter()
            .all(|c| c.0 == "checkpoint-no-auditor-state"),
        "{:?}",
        codes(&o, "checkpoint-")
    );
}

#[test]
fn verify_requires_the_rotation_checkpoint_of_each_boundary() {
    let dir = tempfile::tempdir().unwrap();
    let (n, _) = rotate_after_day_one(dir.path(), true);
    let days = scenario::build(Scale::SMALL, TreeHashAlg::Sha256).unwrap();
    let mut log = Log::open(dir.path()).unwrap();
    let items: Vec<_> = days[1].records.iter().map(|s| s.item.clone()).collect();
    log.append(&items).unwrap();
    log.checkpoint(days[1].checkpoint_at).unwrap();
    drop(log);
    let t = history_trust(n);
    let missing = |o: &Outcome| {
        violations(o)
            .iter()
            .filter(|v| v.0 == "checkpoint-rotation-missing")
            .count()
    };
    assert_eq!(missing(&run(dir.path(), &t, &fresh_state())), 0);
    // public/checkpoint has moved on: without public/rotations/<N> the rotation is not
    // announced anywhere the log publishes.
    let rotation = dir
        .path()
        .join("public")
        .join(logseal::log::history::rotation_key(n));
    let bytes = std::fs::read(&rotation).unwrap();
    std::fs::remove_file(&rotation).unwrap();
    assert_eq!(missing(&run(dir.path(), &t, &fresh_state())), 1);
    // Nor does the old key's entry of size N alone announce it.
    let entry = dir
        .path()
        .join("public")
        .join(logseal::log::history::key(n));
    assert_eq!(
        note::parse_note(&std::fs::read(&entry).unwrap())
            .unwrap()
            .signatures
            .len(),
        2
    );
    // The rotation checkpoint in the history's place is found there.
    std::fs::write(&entry, &bytes).unwrap();
    assert_eq!(missing(&run(dir.path(), &t, &fresh_state())), 0);
}

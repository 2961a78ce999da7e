//! One sequencer at a time for a log in a bucket, proven through etcd (`logseal init
//! --coord`): on a real three-node Garage cluster (tests/common/garage.rs) and a real etcd
//! (tests/common/etcd.rs). A second sequencer is refused and writes nothing; a sequencer
//! paused with SIGSTOP past its lease while another took over is fenced when it resumes and
//! changes nothing published; a batch committed in etcd but not (wholly) published is
//! published from its staged object by the next sequencer, and a staged object that does not
//! match its commit is refused.
//!
//! Needs garage and etcd (scripts/install-test-tools.sh): with `CI=true` a missing one fails
//! the test; elsewhere the test says so on standard error and returns.

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write as _};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::etcd::Etcd;
use common::garage::{Garage, garage};
use common::{ORIGIN, fails, lines, ok};
use logseal::log::coordinated::{
    STAGING_PREFIX, decode_staged, encode_staged, open_committed, seal_committed, staged_ref,
};
use logseal::store::{ObjectStore, S3Store};
use serde_json::Value;

const TTL: &str = "2";

/// Keys, and a log `log` whose public part is `url` and whose sequencers `coord`
/// coordinates, with the query front-end registered and 20 queries appended.
fn setup(g: &Garage, d: &Path, url: &str, coord: &str) {
    let created = g.new_log(d, url, &["--coord", coord, "--lease-ttl", TTL]);
    assert!(
        created.contains(&format!("sequencers coordinated by {coord}")),
        "{created}"
    );
    append_queries(g, d, "log", 0..20);
    ok(&g.logseal(&["checkpoint", "log"], d));
}

/// Run `logseal ARGS` until it no longer finds the log held by another sequencer (whose
/// lease must expire first), at most 30 s.
fn once_the_lease_is_free(g: &Garage, d: &Path, args: &[&str], whose: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let out = g.logseal(args, d);
        if out.status.success() {
            return;
        }
        let err = common::text(&out.stderr);
        assert!(err.contains("the log has a sequencer already"), "{err}");
        assert!(
            Instant::now() < deadline,
            "{whose} lease never expired: {err}"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
}

fn append_queries(g: &Garage, d: &Path, log: &str, range: std::ops::Range<usize>) -> String {
    let file = format!("q-{log}-{}.jsonl", range.start);
    std::fs::write(d.join(&file), lines(range.map(common::query))).unwrap();
    ok(&g.logseal(
        &[
            "append",
            log,
            "--in",
            &file,
            "--producer-key",
            "qf.key",
            "--batch",
            "7",
        ],
        d,
    ))
}

/// Every object in the bucket under `name`, but the staged batches, with its bytes.
fn published(g: &Garage, name: &str) -> BTreeMap<String, Vec<u8>> {
    let s = store(g, name);
    let mut keys = vec!["checkpoint".to_string()];
    for prefix in ["tile", "checkpoints", "rotations"] {
        keys.extend(s.list(prefix).unwrap());
    }
    keys.into_iter()
        .filter_map(|k| s.get(&k).unwrap().map(|v| (k, v)))
        .collect()
}

fn store(g: &Garage, name: &str) -> S3Store {
    g.set_env();
    S3Store::from_url(&g.url(name)).unwrap()
}

/// `verify DIR --json`: the report, and whether checks 1 and 2 hold.
fn verified(g: &Garage, d: &Path, location: &str) -> (Value, u64) {
    let out = g.logseal(&["verify", location, "--trust", "trust.json", "--json"], d);
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("verify {location}: {e}: {}", common::text(&out.stderr)));
    let checks = report["checks"].as_array().unwrap();
    for n in [1, 2] {
        let check = checks.iter().find(|c| c["check"] == n).unwrap();
        assert_eq!(check["violations"], 0, "{location}: {check}");
    }
    let two = checks.iter().find(|c| c["check"] == 2).unwrap();
    assert_eq!(two["verdict"], "holds", "{location}: {two}");
    let size = report["tree_size"].as_u64().unwrap();
    (report, size)
}

/// `append DIR --in - --batch 5` with its standard input and output kept open.
fn streaming_append(g: &Garage, d: &Path, log: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_logseal"))
        .current_dir(d)
        .args([
            "append",
            log,
            "--in",
            "-",
            "--producer-key",
            "qf.key",
            "--batch",
            "5",
        ])
        .envs(g.env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn signal(child: &Child, sig: &str) {
    let st = Command::new("kill")
        .args([sig, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(st.success());
}

#[test]
fn a_second_sequencer_is_refused_and_a_stale_one_resumed_changes_nothing_published() {
    let name = "a_second_sequencer_is_refused_and_a_stale_one_resumed_changes_nothing_published";
    let Some(g) = garage(name) else { return };
    let Some(etcd) = Etcd::start_or_notice(name) else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let url = g.url("fenced");
    let coord = format!(
        "etcd://{}/logs/fenced",
        etcd.endpoint.trim_start_matches("http://")
    );
    setup(g, d, &url, &coord);

    // Another log cannot be created on the same etcd prefix (even on another bucket).
    let err = fails(
        &g.logseal(
            &[
                "init",
                "other",
                "--origin",
                ORIGIN,
                "--log-key",
                "logkey.key",
                "--authority",
                "ra.pub",
                "--public",
                &g.url("fenced-other"),
                "--coord",
                &coord,
            ],
            d,
        ),
        2,
    );
    assert!(err.contains("already holds a log's state"), "{err}");
    assert!(
        !d.join("other").exists(),
        "init refused before writing anything"
    );

    // Sequencer A holds the log, idle between batches after acknowledging one.
    let mut a = streaming_append(g, d, "log");
    let mut a_in = a.stdin.take().unwrap();
    let mut a_out = BufReader::new(a.stdout.take().unwrap());
    a_in.write_all(lines((20..25).map(common::query)).as_bytes())
        .unwrap();
    a_in.flush().unwrap();
    let mut line = String::new();
    a_out.read_line(&mut line).unwrap();
    assert!(line.starts_with("leaf "), "A acknowledged: {line:?}");
    while !line.contains("leaf 25 ") {
        line.clear();
        assert!(
            a_out.read_line(&mut line).unwrap() > 0,
            "A's receipts end early"
        );
    }

    // A standby directory with the same private part (a copy of A's) is refused while A
    // holds the lease, and writes nothing.
    common::copy_dir(&d.join("log"), &d.join("standby"));
    let before = published(g, "fenced");
    let err = fails(&g.logseal(&["checkpoint", "standby"], d), 2);
    assert!(err.contains("the log has a sequencer already"), "{err}");
    assert!(err.contains("nothing was written"), "{err}");
    assert_eq!(published(g, "fenced"), before);

    // A is paused past its lease; the standby takes over, appends and checkpoints.
    signal(&a, "-STOP");
    once_the_lease_is_free(g, d, &["checkpoint", "standby"], "A's");
    append_queries(g, d, "standby", 25..45);
    ok(&g.logseal(&["checkpoint", "standby"], d));
    let taken_over = published(g, "fenced");
    let (_, size) = verified(g, d, &url);
    assert_eq!(size, 46);

    // A resumes and is given a batch: its commit is fenced, it exits with an error, and
    // nothing published changes.
    signal(&a, "-CONT");
    a_in.write_all(lines((100..105).map(common::query)).as_bytes())
        .unwrap();
    drop(a_in);
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut a_out, &mut rest).unwrap();
    let status = a.wait().unwrap();
    let mut err = String::new();
    std::io::Read::read_to_string(a.stderr.as_mut().unwrap(), &mut err).unwrap();
    assert_eq!(status.code(), Some(2), "A: {rest}{err}");
    assert!(err.contains("fenced"), "{err}");
    assert!(err.contains("nothing was written"), "{err}");
    assert!(
        !rest.contains("leaf "),
        "A acknowledged nothing more: {rest}"
    );
    assert_eq!(published(g, "fenced"), taken_over);
    let (_, size) = verified(g, d, &url);
    assert_eq!(size, 46);

    // A's directory, behind what etcd committed, is refused: its private part lacks the
    // standby's records.
    let err = fails(&g.logseal(&["checkpoint", "log"], d), 2);
    assert!(
        err.contains("another directory sequenced the bucket since"),
        "{err}"
    );
    assert_eq!(published(g, "fenced"), taken_over);
}

#[test]
fn a_committed_batch_is_published_from_its_staged_object_and_a_forged_one_is_refused() {
    let name = "a_committed_batch_is_published_from_its_staged_object_and_a_forged_one_is_refused";
    let Some(g) = garage(name) else { return };
    let Some(etcd) = Etcd::start_or_notice(name) else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let url = g.url("staged");
    let coord = format!(
        "etcd://{}/logs/staged",
        etcd.endpoint.trim_start_matches("http://")
    );
    setup(g, d, &url, &coord);
    append_queries(g, d, "log", 20..33);
    let s = store(g, "staged");
    // Only the last committed batch stays staged.
    let staged = s.list(STAGING_PREFIX).unwrap();
    assert_eq!(staged.len(), 1, "{staged:?}");
    let blob = s.get(&staged[0]).unwrap().unwrap();
    let objects = decode_staged(&blob).unwrap();
    assert!(!objects.is_empty());
    let complete = published(g, "staged");
    for (path, data) in &objects {
        assert_eq!(complete.get(path), Some(data), "{path} published as staged");
    }

    // As if the sequencer died after the commit, before it published the batch.
    for (path, _) in &objects {
        s.delete(path).unwrap();
    }
    ok(&g.logseal(&["checkpoint", "log"], d));
    let after = published(g, "staged");
    for (path, data) in &objects {
        assert_eq!(after.get(path), Some(data), "{path} published again");
    }
    let (_, size) = verified(g, d, &url);
    assert_eq!(size, 34);

    // A staged object that is not what etcd committed is never published.
    let mut forged = blob.clone();
    let last = forged.len() - 1;
    forged[last] ^= 1;
    s.put(&staged[0], &forged).unwrap();
    let path = &objects[0].0;
    s.delete(path).unwrap();
    let err = fails(&g.logseal(&["checkpoint", "log"], d), 2);
    assert!(err.contains("its SHA-256 is"), "{err}");
    assert!(err.contains("nothing was published"), "{err}");
    assert_eq!(s.get(path).unwrap(), None);
    // Put back, the log goes on.
    s.put(&staged[0], &blob).unwrap();
    ok(&g.logseal(&["checkpoint", "log"], d));
    append_queries(g, d, "log", 33..40);
    ok(&g.logseal(&["checkpoint", "log"], d));
    let (_, size) = verified(g, d, &url);
    assert_eq!(size, 41);

    // A crash between the commit in etcd and the swap of `private/state`: the directory
    // that staged the batch (its marker names it) adopts etcd's state; a copy of the
    // directory taken before, which did not stage it, is refused.
    common::copy_dir(&d.join("log"), &d.join("before"));
    let state_before = std::fs::read(d.join("log/private/state")).unwrap();
    append_queries(g, d, "log", 1040..1045);
    std::fs::write(d.join("log/private/state"), &state_before).unwrap();
    let _ = std::fs::remove_file(d.join("before/private/staged"));
    let err = fails(&g.logseal(&["checkpoint", "before"], d), 2);
    assert!(
        err.contains("another directory sequenced the bucket since"),
        "{err}"
    );
    ok(&g.logseal(&["checkpoint", "log"], d));
    let (_, after_crash) = verified(g, d, &url);
    assert_eq!(after_crash, size + 5);

    // Whoever can write etcd but does not hold the log key cannot make the sequencer adopt
    // or publish anything: a value not signed by the log key (unsigned, or signed by another
    // key, or moved from another prefix) is refused before it is used.
    {
        let client = etcd.client();
        let key = b"logs/staged/state";
        let full = "logs/staged/state";
        let skey = std::fs::read_to_string(d.join("log/private/log.key")).unwrap();
        let log_key = logseal::note::Ed25519NoteKey::from_skey(skey.trim()).unwrap();
        let (sk, pk) = (log_key.secret_key(), log_key.secret_key().public_key());
        let original = client.get(key).unwrap().kvs[0].value.clone();
        let committed = open_committed(&original, full, &pk).unwrap();
        let before = published(g, "staged");
        let other = logseal::crypto::SecretKey::from_seed(&[7; 32]);
        for (forged, why) in [
            (
                committed.to_bytes(),
                "does not decode as a signed committed value",
            ),
            (
                seal_committed(&committed, full, &other),
                "is not signed by the log key",
            ),
            (
                seal_committed(&committed, "logs/other/state", sk),
                "is not signed by the log key",
            ),
        ] {
            client.put(key, &forged, 0).unwrap();
            let err = fails(&g.logseal(&["checkpoint", "log"], d), 2);
            assert!(err.contains(why), "{why}: {err}");
            assert!(err.contains("logs/staged/state"), "{err}");
            assert_eq!(published(g, "staged"), before);
        }

        // Even a value signed by the log key (a sequencer's bug, or a stolen key) cannot
        // make it publish what no batch writes: a committed batch pointing at a staged
        // object (with the right hash) that would replace `checkpoint` is refused, and so is
        // a committed checkpoint not signed by the log key.
        let mut forged_c = committed.clone();
        let batch = forged_c.batch.clone().unwrap();
        let forged_objects = vec![("checkpoint".to_string(), b"forged".to_vec())];
        let blob = encode_staged(&forged_objects);
        let forged = staged_ref(batch.old, batch.new, &blob);
        s.put(&forged.key, &blob).unwrap();
        forged_c.batch = Some(forged);
        client
            .put(key, &seal_committed(&forged_c, full, sk), 0)
            .unwrap();
        let err = fails(&g.logseal(&["checkpoint", "log"], d), 2);
        assert!(err.contains("which no batch of that range writes"), "{err}");
        assert_eq!(published(g, "staged"), before);

        let mut forged_c = committed.clone();
        let note = forged_c.checkpoint.clone().unwrap().to_vec();
        let mut bad = note.clone();
        let at = bad.iter().position(|b| *b == b'\n').unwrap() + 1;
        bad[at] = if bad[at] == b'9' { b'8' } else { b'9' };
        forged_c.checkpoint = Some(bad.into());
        client
            .put(key, &seal_committed(&forged_c, full, sk), 0)
            .unwrap();
        let err = fails(&g.logseal(&["checkpoint", "log"], d), 2);
        assert!(err.contains("does not verify under the log key"), "{err}");
        assert_eq!(published(g, "staged"), before);
        client.put(key, &original, 0).unwrap();
        ok(&g.logseal(&["checkpoint", "log"], d));
    }

    // A key rotation is not committed in etcd yet: refused under a lease.
    ok(&g.logseal(&["keygen", "--name", ORIGIN, "--out", "newlogkey"], d));
    let err = fails(
        &g.logseal(&["rotate-log-key", "log", "--new-key", "newlogkey.key"], d),
        2,
    );
    assert!(err.contains("coordinated through etcd"), "{err}");

    // The sequencer killed in the middle of a long append: once its lease has expired, the
    // next one (the same directory, restarted) finds every acknowledged record.
    std::fs::write(d.join("long.jsonl"), lines((40..1040).map(common::query))).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_logseal"))
        .current_dir(d)
        .args([
            "append",
            "log",
            "--in",
            "long.jsonl",
            "--producer-key",
            "qf.key",
            "--batch",
            "20",
        ])
        .envs(g.env.iter().map(|(k, v)| (k, v)))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut acknowledged = 0u64;
    for line in BufReader::new(child.stdout.as_mut().unwrap()).lines() {
        if let Some(rest) = line.unwrap().strip_prefix("leaf ") {
            acknowledged =
                acknowledged.max(rest.split_whitespace().next().unwrap().parse().unwrap());
        }
        if acknowledged >= 200 {
            break;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    once_the_lease_is_free(g, d, &["checkpoint", "log"], "the killed sequencer's");
    let (_, size) = verified(g, d, &url);
    assert!(
        size > acknowledged,
        "acknowledged leaf {acknowledged} lost: size {size}"
    );
}

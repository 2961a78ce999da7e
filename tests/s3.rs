//! A log's public part in an S3-compatible bucket, on a real three-node Garage cluster on
//! loopback (tests/common/garage.rs): mirrored there and back, verified from the bucket
//! with the same findings as from a directory, read with one node stopped, cached locally,
//! and an erased object served by no node afterwards.

mod common;

use std::path::Path;

use common::garage::{Garage, garage};
use common::{copy_dir, fails, ok, shared_demo};
use logseal::store::{ObjectStore, S3Store, StoreError};
use serde_json::Value;

fn trust() -> std::path::PathBuf {
    shared_demo().join("demo/auditor/trust.json")
}

fn honest() -> std::path::PathBuf {
    shared_demo().join("demo/honest")
}

/// The verdicts and findings of `verify LOCATION --json` (what must not depend on where the
/// log is read from: the messages, which name the location, are left out), and whether
/// checks 1 and 2 hold (the demo's log has findings of its own in checks 4 and 8).
fn verdicts(g: &Garage, location: &str, dir: &Path, extra: &[(&str, &str)]) -> (Value, bool) {
    let t = trust();
    let out = g.logseal_with(
        &[
            "verify",
            location,
            "--trust",
            t.to_str().unwrap(),
            "--json",
            "--at",
            "2026-04-01T00:00:00Z",
        ],
        dir,
        extra,
    );
    judged(location, &out)
}

/// `verdicts` of a `verify --json` run.
fn judged(location: &str, out: &std::process::Output) -> (Value, bool) {
    let code = out.status.code();
    assert!(
        matches!(code, Some(0) | Some(1)),
        "verify {location}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut checks = v["checks"].clone();
    // Check 7 needs the private part, which a bucket or a public copy does not have.
    if let Some(a) = checks.as_array_mut() {
        a.retain(|c| c["check"] != 7);
    }
    let mut findings = v["findings"].clone();
    for f in findings.as_array_mut().unwrap() {
        f.as_object_mut().unwrap().remove("message");
    }
    findings.as_array_mut().unwrap().retain(|f| f["check"] != 7);
    let holds = (checks.as_array().unwrap().iter())
        .filter(|c| c["check"] == 1 || c["check"] == 2)
        .all(|c| c["violations"] == 0);
    (
        serde_json::json!({"checks": checks, "findings": findings, "tree_size": v["tree_size"]}),
        holds,
    )
}

fn mirror(g: &Garage, src: &str, dst: &str, dir: &Path) -> std::process::Output {
    let t = trust();
    g.logseal(
        &[
            "mirror",
            src,
            dst,
            "--trust",
            t.to_str().unwrap(),
            "--at",
            "2026-04-01T00:00:00Z",
        ],
        dir,
    )
}

/// A public-only copy of the demo's honest log at `dir/name`.
fn public_copy(dir: &Path, name: &str) -> std::path::PathBuf {
    let to = dir.join(name);
    copy_dir(&honest().join("public"), &to.join("public"));
    to
}

fn store(g: &Garage, name: &str) -> S3Store {
    g.set_env();
    S3Store::from_url(&g.url(name)).unwrap()
}

#[test]
fn a_log_mirrored_to_a_bucket_and_back_verifies_identically() {
    let Some(g) = garage("a_log_mirrored_to_a_bucket_and_back_verifies_identically") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let url = g.url("roundtrip");
    let out = ok(&mirror(g, honest().to_str().unwrap(), &url, d));
    assert!(out.contains("3702 records;"), "{out}");
    // Run again: nothing left to copy.
    let again = ok(&mirror(g, honest().to_str().unwrap(), &url, d));
    assert!(
        again.contains("already at 3702 records; 0 object(s) copied"),
        "{again}"
    );
    // Back to a directory.
    ok(&mirror(g, &url, "back", d));
    let local = public_copy(d, "local");
    let (from_dir, pass_dir) = verdicts(g, local.to_str().unwrap(), d, &[]);
    let (from_bucket, pass_bucket) = verdicts(g, &url, d, &[]);
    let (from_back, pass_back) = verdicts(g, "back", d, &[]);
    assert!(pass_dir && pass_bucket && pass_back);
    assert_eq!(from_bucket, from_dir);
    assert_eq!(from_back, from_dir);
    // Byte for byte the same public part.
    let files = |root: &Path| {
        common::files_under(root)
            .into_iter()
            .map(|(p, b)| (p.strip_prefix(root).unwrap().to_path_buf(), b))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        files(&d.join("back/public")),
        files(&honest().join("public"))
    );
    // The read commands take the bucket too.
    let t = trust();
    let log = ok(&g.logseal(
        &["log", &url, "--trust", t.to_str().unwrap(), "--limit", "2"],
        d,
    ));
    assert!(log.contains("key-registration"), "{log}");
}

#[test]
fn a_mirror_never_rolls_a_copy_back_nor_overwrites_another_history() {
    let Some(g) = garage("a_mirror_never_rolls_a_copy_back_nor_overwrites_another_history") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let backup = shared_demo().join("demo/mirror");
    let url = g.url("history");
    // The older copy first, then the newer one extends it.
    let out = ok(&mirror(g, backup.to_str().unwrap(), &url, d));
    assert!(out.contains("3700 records;"), "{out}");
    let out = ok(&mirror(g, honest().to_str().unwrap(), &url, d));
    assert!(out.contains("3700 → 3702 records;"), "{out}");
    let s = store(g, "history");
    let published = s.get("checkpoint").unwrap().unwrap();
    // Back to the older copy: refused, the checkpoint unchanged.
    let err = fails(&mirror(g, backup.to_str().unwrap(), &url, d), 1);
    assert!(err.contains("never rolls a copy back"), "{err}");
    assert_eq!(s.get("checkpoint").unwrap().unwrap(), published);
    // An object at the destination that differs from the source's: never overwritten.
    let key = s.list("tile/entries").unwrap().into_iter().next().unwrap();
    let mut bytes = s.get(&key).unwrap().unwrap();
    bytes[10] ^= 1;
    s.put(&key, &bytes).unwrap();
    let err = fails(&mirror(g, honest().to_str().unwrap(), &url, d), 1);
    assert!(err.contains("differs at the destination"), "{err}");
    assert!(err.contains(&key), "{err}");
    assert_eq!(s.get(&key).unwrap().unwrap(), bytes);
    assert_eq!(s.get("checkpoint").unwrap().unwrap(), published);
}

#[test]
fn a_tampered_bundle_in_the_bucket_gives_the_same_findings_as_in_a_directory() {
    let Some(g) =
        garage("a_tampered_bundle_in_the_bucket_gives_the_same_findings_as_in_a_directory")
    else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let url = g.url("tamper");
    ok(&mirror(g, honest().to_str().unwrap(), &url, d));
    let local = public_copy(d, "local");
    let s = store(g, "tamper");
    let key = "tile/entries/001";
    let mut bytes = s.get(key).unwrap().expect("a second full entry bundle");
    bytes[200] ^= 0x40;
    s.put(key, &bytes).unwrap();
    std::fs::write(local.join("public").join(key), &bytes).unwrap();
    let (from_dir, pass_dir) = verdicts(g, local.to_str().unwrap(), d, &[]);
    let (from_bucket, pass_bucket) = verdicts(g, &url, d, &[]);
    assert!(!pass_dir && !pass_bucket);
    assert_eq!(from_bucket, from_dir);
    assert!(
        from_bucket["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["leaf"].as_u64().is_some_and(|l| (256..512).contains(&l)))
    );
    // A mirror of the tampered bucket refuses to publish.
    let err = fails(&mirror(g, &url, "copy", d), 1);
    assert!(err.contains("does not verify"), "{err}");
    assert!(!d.join("copy/public/checkpoint").exists());
}

#[test]
fn with_one_node_stopped_a_log_is_still_written_and_read() {
    let Some(g) = garage("with_one_node_stopped_a_log_is_still_written_and_read") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let url = g.url("nodedown");
    // Node 3 (not the endpoint) down: the bucket keeps a write and a read quorum of two.
    g.node(3, false);
    let written = mirror(g, honest().to_str().unwrap(), &url, d);
    let read = verdicts(g, &url, d, &[]);
    g.node(3, true);
    ok(&written);
    assert!(read.1, "verify with a node down failed");
    // Node 2 down now: what was written while node 3 was down is still all there.
    g.node(2, false);
    let again = verdicts(g, &url, d, &[]);
    let back = mirror(g, &url, "back", d);
    g.node(2, true);
    assert!(again.1);
    assert_eq!(again.0, read.0);
    ok(&back);
    let local = public_copy(d, "local");
    assert_eq!(
        verdicts(g, "back", d, &[]).0,
        verdicts(g, local.to_str().unwrap(), d, &[]).0
    );
}

#[test]
fn a_local_cache_serves_full_tiles_and_bundles_and_is_checked_like_the_bucket() {
    let Some(g) =
        garage("a_local_cache_serves_full_tiles_and_bundles_and_is_checked_like_the_bucket")
    else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let url = g.url("cache");
    ok(&mirror(g, honest().to_str().unwrap(), &url, d));
    let cache = d.join("cache");
    let with_cache = [("LOGSEAL_CACHE", cache.to_str().unwrap())];
    let (first, pass) = verdicts(g, &url, d, &with_cache);
    assert!(pass);
    let sub: Vec<_> = std::fs::read_dir(&cache).unwrap().collect();
    assert_eq!(sub.len(), 1, "one directory per location");
    let root = sub[0].as_ref().unwrap().path();
    let key = "tile/entries/001";
    assert!(root.join(key).is_file());
    assert!(
        !root.join("checkpoint").exists(),
        "the checkpoint is never cached"
    );
    // The bundle gone from the bucket: served from the cache, same verdicts.
    let s = store(g, "cache");
    let bytes = s.get(key).unwrap().unwrap();
    s.delete(key).unwrap();
    let (cached, pass) = verdicts(g, &url, d, &with_cache);
    assert!(pass);
    assert_eq!(cached, first);
    // Without the cache the same read finds the bundle missing.
    let (_, pass) = verdicts(g, &url, d, &[]);
    assert!(!pass);
    // A damaged cache entry is a finding, never a pass.
    s.put(key, &bytes).unwrap();
    let mut bad = bytes.clone();
    bad[200] ^= 0x40;
    std::fs::write(root.join(key), &bad).unwrap();
    let (_, pass) = verdicts(g, &url, d, &with_cache);
    assert!(!pass);
}

#[test]
fn the_store_reads_bounded_lists_swaps_and_an_erased_object_is_served_by_no_node() {
    let Some(g) =
        garage("the_store_reads_bounded_lists_swaps_and_an_erased_object_is_served_by_no_node")
    else {
        return;
    };
    let s = store(g, "store");
    assert_eq!(s.get("a/b").unwrap(), None);
    s.put("a/b", b"hello").unwrap();
    s.put("a/c/d", b"x").unwrap();
    s.put("e", b"y").unwrap();
    assert_eq!(s.get("a/b").unwrap().unwrap(), b"hello");
    assert!(matches!(
        s.get_at_most("a/b", 4),
        Err(StoreError::TooLarge { max: 4, .. })
    ));
    assert_eq!(
        s.list("a").unwrap(),
        vec!["a/b".to_string(), "a/c/d".to_string()]
    );
    assert!(matches!(s.get("../x"), Err(StoreError::BadKey { .. })));
    // Compare-and-swap, one writer at a time.
    s.compare_and_swap("m", None, b"1").unwrap();
    assert!(matches!(
        s.compare_and_swap("m", None, b"2"),
        Err(StoreError::CasConflict { .. })
    ));
    assert!(matches!(
        s.compare_and_swap("m", Some(b"0"), b"2"),
        Err(StoreError::CasConflict { .. })
    ));
    s.compare_and_swap("m", Some(b"1"), b"2").unwrap();
    assert_eq!(s.get("m").unwrap().unwrap(), b"2");
    // Deleted (a destroyed retention key): no node serves it afterwards.
    s.delete("a/b").unwrap();
    for n in 1..=3 {
        let node = S3Store::with_endpoint(&g.url("store"), Some(&g.endpoint(n))).unwrap();
        assert_eq!(node.get("a/b").unwrap(), None, "node {n} still serves it");
        assert_eq!(
            node.get("e").unwrap().unwrap(),
            b"y",
            "node {n} serves the rest"
        );
    }
    s.delete("a/b").unwrap();
}

/// Keys and a log `log/` in `d` whose public part is `url`, the query front-end registered
/// (as `common::setup_log`, with `init --public`).
fn setup_bucket_log(g: &Garage, d: &Path, url: &str) {
    let created = g.new_log(d, url, &[]);
    assert!(
        created.contains(&format!("(public part in {url})")),
        "{created}"
    );
}

#[test]
fn a_log_is_sequenced_into_a_bucket_survives_a_killed_append_and_a_stopped_node() {
    let Some(g) =
        garage("a_log_is_sequenced_into_a_bucket_survives_a_killed_append_and_a_stopped_node")
    else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let url = g.url("sequenced");
    setup_bucket_log(g, d, &url);
    assert!(
        !d.join("log/public").exists(),
        "nothing public in the directory"
    );
    // A second log cannot be created over it.
    let err = fails(
        &g.logseal(
            &[
                "init",
                "other",
                "--origin",
                common::ORIGIN,
                "--log-key",
                "logkey.key",
                "--authority",
                "ra.pub",
                "--public",
                &url,
            ],
            d,
        ),
        2,
    );
    assert!(err.contains("already holds a log's public part"), "{err}");
    std::fs::write(
        d.join("q.jsonl"),
        common::lines((0..100).map(common::query)),
    )
    .unwrap();
    ok(&g.logseal(
        &[
            "append",
            "log",
            "--in",
            "q.jsonl",
            "--producer-key",
            "qf.key",
            "--batch",
            "40",
        ],
        d,
    ));
    ok(&g.logseal(&["checkpoint", "log"], d));
    let proof = ok(&g.logseal(&["prove", "inclusion", "log", "--index", "50"], d));
    assert!(proof.contains("\"leaf_index\": 50"), "{proof}");
    // The directory and the bucket verify alike (the directory's config points at the bucket).
    let (from_dir, pass_dir) = verdicts_with_trust(g, "log", d);
    let (from_bucket, pass_bucket) = verdicts_with_trust(g, &url, d);
    assert!(pass_dir && pass_bucket);
    assert_eq!(from_dir, from_bucket);
    assert_eq!(from_bucket["tree_size"], 101);

    // The sequencer killed in the middle of a long append: every batch it acknowledged is
    // in the log when it is opened again.
    std::fs::write(
        d.join("more.jsonl"),
        common::lines((100..2100).map(common::query)),
    )
    .unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_logseal"))
        .current_dir(d)
        .args([
            "append",
            "log",
            "--in",
            "more.jsonl",
            "--producer-key",
            "qf.key",
            "--batch",
            "25",
        ])
        .envs(g.env.iter().map(|(k, v)| (k, v)))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut acknowledged = 0u64;
    {
        use std::io::BufRead;
        let out = std::io::BufReader::new(child.stdout.as_mut().unwrap());
        for line in out.lines() {
            let line = line.unwrap();
            if let Some(rest) = line.strip_prefix("leaf ") {
                acknowledged =
                    acknowledged.max(rest.split_whitespace().next().unwrap().parse().unwrap());
            }
            if acknowledged >= 400 {
                break;
            }
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(acknowledged >= 400);
    // Node 3 down while the log is opened again and written.
    g.node(3, false);
    let reopened = g.logseal(&["checkpoint", "log"], d);
    let (after, pass) = verdicts_with_trust(g, "log", d);
    g.node(3, true);
    ok(&reopened);
    assert!(pass, "{after}");
    let size = after["tree_size"].as_u64().unwrap();
    assert!(
        size > acknowledged,
        "acknowledged leaf {acknowledged} lost: size {size}"
    );
}

/// `verdicts` against the trust file `d/trust.json` (the test's own log).
fn verdicts_with_trust(g: &Garage, location: &str, d: &Path) -> (Value, bool) {
    // The test's records name authorisations the trust file has no registry for (check 6):
    // what matters here is checks 1 and 2, and that both locations give the same findings.
    let out = g.logseal(&["verify", location, "--trust", "trust.json", "--json"], d);
    judged(location, &out)
}

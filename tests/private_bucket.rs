//! A log whose public **and private** parts are in buckets of a real three-node Garage
//! cluster (tests/common/garage.rs): the demo's honest log moved there, then verified with
//! checks 1–8, exported, and swept — the erased data keys served by no node afterwards — with
//! the same findings as the same log in a directory. And a log under an etcd lease whose
//! private part is in a bucket, taken over by a second directory holding only its config and
//! key (tests/common/etcd.rs).
//!
//! Needs garage and etcd (scripts/install-test-tools.sh): with `CI=true` a missing one fails
//! the test; elsewhere the test says so on standard error and returns.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::etcd::Etcd;
use common::garage::{Garage, garage};
use common::{copy_dir, fails, files_under, key_file, ok, shared_demo};
use logseal::store::{ObjectStore, S3Store};
use serde_json::Value;

/// What stays in `DIR/private` when the rest of the private part is in a bucket.
const LOCAL: [&str; 3] = ["config.json", "log.key", "lock"];

fn store(g: &Garage, url: &str) -> S3Store {
    g.set_env();
    S3Store::from_url(url).unwrap()
}

/// Move the log directory `dir`'s public part to `public` and its private part (but its
/// config, key and lock) to `private`, and point its config at them.
fn move_to_buckets(g: &Garage, dir: &Path, public: &str, private: &str) {
    for (part, url) in [("public", public), ("private", private)] {
        let s = store(g, url);
        let root = dir.join(part);
        for (path, bytes) in files_under(&root) {
            let key = path
                .strip_prefix(&root)
                .unwrap()
                .to_str()
                .unwrap()
                .to_string();
            if part == "private" && LOCAL.contains(&key.as_str()) {
                continue;
            }
            s.put(&key, &bytes).unwrap();
            std::fs::remove_file(&path).unwrap();
        }
    }
    std::fs::remove_dir_all(dir.join("public")).unwrap();
    for e in std::fs::read_dir(dir.join("private")).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            std::fs::remove_dir_all(e.path()).unwrap();
        }
    }
    let cfg = dir.join("private/config.json");
    let mut config: Value = serde_json::from_slice(&std::fs::read(&cfg).unwrap()).unwrap();
    config["public"] = Value::from(public);
    config["private"] = Value::from(private);
    std::fs::write(&cfg, serde_json::to_vec_pretty(&config).unwrap()).unwrap();
}

/// The checks and findings of `verify LOCATION --json` (without the messages, which name
/// the location).
fn findings(g: &Garage, d: &Path, location: &str) -> Value {
    let trust = shared_demo().join("demo/auditor/trust.json");
    let out = g.logseal(
        &[
            "verify",
            location,
            "--trust",
            trust.to_str().unwrap(),
            "--json",
            "--at",
            "2027-01-01T00:00:00Z",
        ],
        d,
    );
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "verify {location}: {}",
        common::text(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut findings = v["findings"].clone();
    for f in findings.as_array_mut().unwrap() {
        f.as_object_mut().unwrap().remove("message");
    }
    serde_json::json!({"checks": v["checks"], "findings": findings, "tree_size": v["tree_size"]})
}

fn check(report: &Value, n: u64) -> &Value {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == n)
        .unwrap()
}

/// `export` of the demo's account case from the log in `d/log`, verified against the
/// auditor's trust file: the bundle's verdicts.
fn export_and_verify(g: &Garage, d: &Path) -> Value {
    let keys = shared_demo().join("demo/keys");
    std::fs::write(d.join("account"), "u-88412907\n").unwrap();
    std::fs::write(d.join("case"), "COURT-2026-0042\n").unwrap();
    let _ = std::fs::remove_file(d.join("account.lsb"));
    ok(&g.logseal(
        &[
            "export",
            "log",
            "--out",
            "account.lsb",
            "--match-file",
            "account",
            "--inspector-key",
            keys.join("auditor-inspector.key").to_str().unwrap(),
            "--purpose",
            "court-order",
            "--legal-basis",
            "gdpr-art-6-1-c",
            "--case-ref-file",
            "case",
        ],
        d,
    ));
    let trust = shared_demo().join("demo/auditor/trust.json");
    let out = g.logseal(
        &[
            "bundle",
            "verify",
            "account.lsb",
            "--trust",
            trust.to_str().unwrap(),
            "--json",
        ],
        d,
    );
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("bundle verify: {e}: {}", common::text(&out.stderr)));
    let codes: Vec<Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].clone())
        .collect();
    assert_eq!(v["integrity_holds"], true, "{v}");
    serde_json::json!({"integrity_holds": v["integrity_holds"], "codes": codes, "records": v["records"].as_array().map(Vec::len)})
}

#[test]
fn a_log_with_both_parts_in_buckets_verifies_exports_and_erases_like_a_directory() {
    let name = "a_log_with_both_parts_in_buckets_verifies_exports_and_erases_like_a_directory";
    let Some(g) = garage(name) else { return };
    let tmp = tempfile::tempdir().unwrap();
    let (bucketed, local) = (tmp.path().join("b"), tmp.path().join("l"));
    for d in [&bucketed, &local] {
        copy_dir(&shared_demo().join("demo/honest"), &d.join("log"));
    }
    let (public, private) = (g.url("both-public"), g.url("both-private"));
    move_to_buckets(g, &bucketed.join("log"), &public, &private);
    let mut left: Vec<String> = std::fs::read_dir(bucketed.join("log/private"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    left.sort();
    assert_eq!(left, ["config.json", "lock", "log.key"]);

    // Checks 1–8 (check 7 reads the disclosures from the private bucket): the same findings.
    let from_buckets = findings(g, &bucketed, "log");
    assert_eq!(from_buckets, findings(g, &local, "log"));
    assert_ne!(check(&from_buckets, 7)["examined"], 0, "{from_buckets}");

    // An export (the subject's sealed values found in the private bucket): the same verdicts.
    let exported = export_and_verify(g, &bucketed);
    assert_eq!(exported, export_and_verify(g, &local));

    // A retention sweep: the keys it destroys are gone from every node.
    let keys_before: BTreeSet<String> = store(g, &private)
        .list("keys")
        .unwrap()
        .into_iter()
        .collect();
    assert!(!keys_before.is_empty());
    let local_keys_before = files_under(&local.join("log/private/keys"));
    // A first copy of the directory log with its private part, before the sweep.
    let trust = shared_demo().join("demo/auditor/trust.json");
    let mirror_private = |to: &str| {
        g.logseal(
            &[
                "mirror",
                "log",
                "copy",
                "--trust",
                trust.to_str().unwrap(),
                "--private",
                to,
            ],
            &local,
        )
    };
    let first = ok(&mirror_private("copy-private"));
    assert!(
        first.contains("0 no longer in the source removed"),
        "{first}"
    );
    assert_eq!(
        files_under(&local.join("copy-private/keys")).len(),
        local_keys_before.len()
    );
    // Never inside a public part or the source.
    for inside in ["copy/private-keys", "log/private/copy"] {
        let err = fails(&mirror_private(inside), 1);
        assert!(err.contains("lies within"), "{inside}: {err}");
    }
    let at = "2026-06-01T00:00:00Z";
    for d in [&bucketed, &local] {
        key_file(d, "retention-sweep");
        ok(&g.logseal(
            &[
                "retention",
                "apply",
                "log",
                "--executor-key",
                "retention-sweep.key",
                "--at",
                at,
            ],
            d,
        ));
    }
    let keys_after: BTreeSet<String> = store(g, &private)
        .list("keys")
        .unwrap()
        .into_iter()
        .collect();
    let destroyed: Vec<&String> = keys_before.difference(&keys_after).collect();
    assert!(!destroyed.is_empty(), "the sweep destroyed no key");
    for n in 1..=3 {
        g.set_env();
        let node = S3Store::with_endpoint(&private, Some(&g.endpoint(n))).unwrap();
        for key in &destroyed {
            assert_eq!(node.get(key).unwrap(), None, "node {n} still serves {key}");
        }
    }
    // The directory's sweep destroyed the same keys.
    let local_keys: BTreeSet<String> = files_under(&local.join("log/private/keys"))
        .into_iter()
        .map(|(p, _)| {
            p.strip_prefix(local.join("log/private"))
                .unwrap()
                .to_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(local_keys, keys_after);
    // And checks 1–8 agree after the sweep (check 7 proves the deletions).
    for d in [&bucketed, &local] {
        ok(&g.logseal(&["checkpoint", "log"], d));
    }
    // (Each directory signed its own checkpoint just now: the findings are compared by
    // check, code and leaf, not by the times they quote.)
    let summary = |v: Value| {
        let findings: Vec<Value> = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| serde_json::json!([f["check"], f["code"], f["leaf"], f["verdict"]]))
            .collect();
        serde_json::json!({"findings": findings, "tree_size": v["tree_size"]})
    };
    let after = summary(findings(g, &bucketed, "log"));
    assert_eq!(after, summary(findings(g, &local, "log")));
    let erased = after["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f[1] == "retention-kept-too-long")
        .count();
    assert_eq!(erased, 0, "the sweep left records kept too long: {after}");

    // A backup restores one destroyed key into the directory's private part; a mirror of
    // the log with its private part copies everything but that key (and its objects).
    let (restored, bytes) = local_keys_before
        .iter()
        .find(|(p, _)| !p.exists())
        .expect("a key the sweep destroyed")
        .clone();
    std::fs::write(&restored, &bytes).unwrap();
    let restored_key = restored
        .strip_prefix(local.join("log/private"))
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    let out = ok(&mirror_private("copy-private"));
    assert!(
        out.contains("1 data key(s) that published retention-deletions say were destroyed"),
        "{out}"
    );
    // The keys the sweep destroyed, copied the first time, are gone from the copy.
    assert!(!out.contains(" 0 no longer in the source removed"), "{out}");
    assert!(out.contains(&restored_key), "{out}");
    assert!(!local.join("copy-private").join(&restored_key).exists());
    let copied: BTreeSet<String> = files_under(&local.join("copy-private/keys"))
        .into_iter()
        .map(|(p, _)| {
            p.strip_prefix(local.join("copy-private"))
                .unwrap()
                .to_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(copied, keys_after, "every key but the destroyed one");
    assert_eq!(
        std::fs::read(local.join("copy-private/state")).unwrap(),
        std::fs::read(local.join("log/private/state")).unwrap()
    );
    // Again: nothing more to copy, still not the destroyed key.
    let again = ok(&mirror_private("copy-private"));
    assert!(again.contains("0 object(s) copied"), "{again}");
    // And to a bucket.
    let to_bucket = ok(&g.logseal(
        &[
            "mirror",
            "log",
            &g.url("mirror-public"),
            "--trust",
            trust.to_str().unwrap(),
            "--private",
            &g.url("mirror-private"),
        ],
        &local,
    ));
    assert!(to_bucket.contains("were destroyed"), "{to_bucket}");
    assert_eq!(
        store(g, &g.url("mirror-private"))
            .get(&restored_key)
            .unwrap(),
        None
    );
}

#[test]
fn under_a_lease_a_directory_with_only_the_config_and_key_takes_over_a_shared_private_part() {
    let name =
        "under_a_lease_a_directory_with_only_the_config_and_key_takes_over_a_shared_private_part";
    let Some(g) = garage(name) else { return };
    let Some(etcd) = Etcd::start_or_notice(name) else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let (public, private) = (g.url("takeover-public"), g.url("takeover-private"));
    let coord = format!(
        "etcd://{}/logs/takeover",
        etcd.endpoint.trim_start_matches("http://")
    );
    let created = g.new_log(
        d,
        &public,
        &["--private", &private, "--coord", &coord, "--lease-ttl", "2"],
    );
    assert!(
        created.contains(&format!("private part in {private}")),
        "{created}"
    );
    // The private part inside the public one (served as it is) is refused.
    let err = fails(
        &g.logseal(
            &[
                "init",
                "nested",
                "--origin",
                common::ORIGIN,
                "--log-key",
                "logkey.key",
                "--authority",
                "ra.pub",
                "--public",
                &g.url("takeover-nested"),
                "--private",
                &g.url("takeover-nested/private"),
            ],
            d,
        ),
        2,
    );
    assert!(err.contains("lies within --public"), "{err}");
    assert!(!d.join("nested").exists());
    let append = |dir: &str, range: std::ops::Range<usize>| {
        let file = format!("q-{dir}-{}.jsonl", range.start);
        std::fs::write(d.join(&file), common::lines(range.map(common::query))).unwrap();
        g.logseal(
            &[
                "append",
                dir,
                "--in",
                &file,
                "--producer-key",
                "qf.key",
                "--batch",
                "6",
            ],
            d,
        )
    };
    ok(&append("log", 0..20));
    ok(&g.logseal(&["checkpoint", "log"], d));

    // Wrong credentials for the private bucket: refused, naming it; nothing written.
    let out = g.logseal_with(
        &["checkpoint", "log"],
        d,
        &[
            (
                "LOGSEAL_PRIVATE_AWS_ACCESS_KEY_ID",
                "GKnosuchkey00000000000000",
            ),
            (
                "LOGSEAL_PRIVATE_AWS_SECRET_ACCESS_KEY",
                "0000000000000000000000000000000000000000000000000000000000000000",
            ),
        ],
    );
    let err = fails(&out, 2);
    assert!(err.contains("takeover-private"), "{err}");

    // A second directory with only the config and the log key: it takes over at the size
    // etcd committed, reading the state, keys and disclosures from the private bucket.
    std::fs::create_dir_all(d.join("standby/private")).unwrap();
    for f in ["config.json", "log.key"] {
        std::fs::copy(
            d.join("log/private").join(f),
            d.join("standby/private").join(f),
        )
        .unwrap();
    }
    ok(&append("standby", 20..32));
    ok(&g.logseal(&["checkpoint", "standby"], d));
    // And back: the first directory goes on from there too.
    ok(&append("log", 32..40));
    ok(&g.logseal(&["checkpoint", "log"], d));
    let out = g.logseal(&["verify", "standby", "--trust", "trust.json", "--json"], d);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["tree_size"], 41, "{v}");
    for n in [1, 2] {
        assert_eq!(check(&v, n)["violations"], 0, "{v}");
    }
    // Served: `logseal serve` reads the public part from the bucket and holds the lease, so
    // the other directory cannot sequence meanwhile.
    {
        let served = common::served::Served::start_with(d, "log", &g.env);
        let err = fails(&append("standby", 40..41), 2);
        assert!(err.contains("the log has a sequencer already"), "{err}");
        let out = g.logseal(
            &["verify", &served.url, "--trust", "trust.json", "--json"],
            d,
        );
        let over_http: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(over_http["tree_size"], 41, "{over_http}");
        assert_eq!(check(&over_http, 2)["verdict"], "holds", "{over_http}");
    }
    // Every record's disclosures are readable from either directory (from the bucket),
    // those appended by the other directory too.
    g.set_env();
    for dir in ["log", "standby"] {
        let log = logseal::log::Log::open_read_only(&d.join(dir)).unwrap();
        for leaf in [5, 25, 37] {
            let disclosed = log.disclosures(leaf).unwrap();
            assert!(
                !disclosed.is_empty(),
                "{dir}: leaf {leaf} has no disclosure"
            );
        }
    }
}

//! `logseal tlog verify | prove | check-proof` against logs written by an independent
//! implementation (tests/support/tlog_writer.py, from the C2SP specs, Python), and logseal's
//! own public part read by the `tlog_tiles` crate's tile and proof code and by the Python
//! checker. Sizes 0, 1, 255, 256, 257, 70,000 and 256,001 (partial tiles, level-1 and level-2
//! tiles, `x###` path groups from tile index 1000).

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::tamper::{log_key, write_public};
use common::{fails, logseal, ok, text};
use serde_json::Value;

const SIZES: [u64; 7] = [0, 1, 255, 256, 257, 70_000, 256_001];

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/tlog_writer.py")
}

/// Whether python3 with `cryptography` is here (in CI it must be).
fn have_python() -> bool {
    let have = std::process::Command::new("python3")
        .args(["-c", "import cryptography"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !have {
        let msg =
            "python3 with cryptography is missing (scripts/install-test-tools.sh installs it)";
        assert!(std::env::var("CI").as_deref() != Ok("true"), "{msg}");
        eprintln!("skipped: {msg}");
    }
    have
}

/// A foreign log of `size` entries in `dir`; its keys and root.
fn foreign(dir: &Path, size: u64) -> Value {
    let o = std::process::Command::new("python3")
        .arg(script())
        .args(["write", dir.to_str().unwrap(), &size.to_string()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

fn verify(dir: &Path, keys: &Value, extra: &[&str]) -> Output {
    let mut args = vec![
        "tlog",
        "verify",
        dir.to_str().unwrap(),
        "--vkey",
        keys["log_vkey"].as_str().unwrap(),
        "--witness",
        keys["witness_vkey"].as_str().unwrap(),
        "--quorum",
        "1",
    ];
    args.extend_from_slice(extra);
    logseal(&args, dir, None)
}

/// The codes of the violations in a report.
fn violations(out: &Output) -> Vec<String> {
    text(&out.stdout)
        .lines()
        .filter_map(|l| l.trim().strip_prefix("[violated] "))
        .map(|l| l.split(':').next().unwrap().to_string())
        .collect()
}

#[test]
fn foreign_logs_of_every_size_verify() {
    if !have_python() {
        return;
    }
    for size in SIZES {
        let tmp = tempfile::tempdir().unwrap();
        let keys = foreign(tmp.path(), size);
        let out = ok(&verify(tmp.path(), &keys, &[]));
        assert!(out.contains(&format!("size       {size}\n")), "{out}");
        assert!(out.contains(&format!("root       {}", keys["root"].as_str().unwrap())));
        assert!(out.contains(&format!("entries    {size} hashed")), "{out}");
        assert!(out.contains("1 cosigned (quorum 1) witness.example/w1@1700000000"));
        // The foreign witness and the unknown signature type are skipped, the extension line
        // tolerated.
        assert_eq!(
            out.matches("[notice] tlog-signature-skipped").count(),
            2,
            "{out}"
        );
        assert!(out.contains("[notice] tlog-checkpoint-extensions"), "{out}");
        assert!(out.ends_with("result: holds\n"), "{out}");
    }
}

/// Flip one byte of `rel` in a copy of the foreign log in `base`.
fn flipped(base: &Path, rel: &str, at: impl Fn(usize) -> usize) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    common::copy_dir(base, tmp.path());
    let p = tmp.path().join(rel);
    let mut b = std::fs::read(&p).unwrap();
    let i = at(b.len());
    b[i] ^= 0x01;
    std::fs::write(&p, b).unwrap();
    tmp
}

#[test]
fn a_flipped_byte_in_a_foreign_log_has_its_finding() {
    if !have_python() {
        return;
    }
    let base = tempfile::tempdir().unwrap();
    let keys = foreign(base.path(), 70_000);
    type Case<'a> = (&'a str, &'a str, fn(usize) -> usize, &'a [&'a str]);
    let cases: [Case; 7] = [
        (
            "level-0 tile",
            "tile/0/100",
            |_| 77,
            &["tlog-tile-mismatch"],
        ),
        (
            "level-1 partial tile",
            "tile/1/001.p/17",
            |n| n - 1,
            &["tlog-tile-mismatch"],
        ),
        (
            "level-2 partial tile",
            "tile/2/000.p/1",
            |_| 0,
            &["tlog-tile-mismatch"],
        ),
        (
            "entry bundle",
            "tile/entries/100",
            |n| n - 1,
            &[
                "tlog-tile-mismatch",
                "tlog-tile-mismatch",
                "tlog-tile-mismatch",
                "tlog-root-mismatch",
            ],
        ),
        (
            "entry bundle framing",
            "tile/entries/005",
            |_| 1,
            &["tlog-bundle-malformed"],
        ),
        // Line 3 is the root: the log's signature no longer verifies.
        (
            "checkpoint root",
            "checkpoint",
            |_| 40,
            &["tlog-checkpoint-signature-invalid"],
        ),
        (
            "checkpoint body",
            "checkpoint",
            |_| 0,
            &["tlog-origin-mismatch"],
        ),
    ];
    for (what, rel, at, want) in cases {
        let t = flipped(base.path(), rel, at);
        let out = verify(t.path(), &keys, &[]);
        fails(&out, 1);
        assert_eq!(violations(&out), *want, "{what}: {}", text(&out.stdout));
    }
    // The witness's cosignature: one base64 character changed into another (a flipped bit
    // could make it no base64 at all).
    let cp = std::fs::read_to_string(base.path().join("checkpoint")).unwrap();
    let line = cp
        .lines()
        .position(|l| l.starts_with("— witness.example/w1"))
        .unwrap();
    let offset: usize = cp
        .lines()
        .take(line + 1)
        .map(|l| l.len() + 1)
        .sum::<usize>()
        - 10;
    let t = tempfile::tempdir().unwrap();
    common::copy_dir(base.path(), t.path());
    let mut b = cp.into_bytes();
    b[offset] = if b[offset] == b'A' { b'B' } else { b'A' };
    std::fs::write(t.path().join("checkpoint"), b).unwrap();
    let out = verify(t.path(), &keys, &[]);
    fails(&out, 1);
    assert_eq!(violations(&out), ["tlog-witness-cosignature-invalid"]);
    // Another log's key, and a witness policy the checkpoint does not meet.
    let other = logseal::note::Ed25519NoteKey::new(
        "example.com/foreign/log",
        logseal::scenario::secret_key("someone else"),
    );
    let other = other.unwrap().verifier().to_vkey();
    let out = logseal(
        &[
            "tlog",
            "verify",
            base.path().to_str().unwrap(),
            "--vkey",
            &other,
        ],
        base.path(),
        None,
    );
    fails(&out, 1);
    assert_eq!(violations(&out), ["tlog-checkpoint-unsigned"]);
    let w2 = logseal::checkpoint::CosignatureVerifier::new(
        "w2.example",
        *log_key().verifier().public_key(),
    )
    .unwrap()
    .to_vkey();
    let out = logseal(
        &[
            "tlog",
            "verify",
            base.path().to_str().unwrap(),
            "--vkey",
            keys["log_vkey"].as_str().unwrap(),
            "--witness",
            &w2,
            "--quorum",
            "1",
        ],
        base.path(),
        None,
    );
    fails(&out, 1);
    assert_eq!(violations(&out), ["tlog-witness-quorum"]);
    // A missing tile and bundle; a missing checkpoint; a directory that is not there (exit 2).
    let t = tempfile::tempdir().unwrap();
    common::copy_dir(base.path(), t.path());
    std::fs::remove_file(t.path().join("tile/0/273.p/112")).unwrap();
    std::fs::remove_file(t.path().join("tile/entries/100")).unwrap();
    let out = verify(t.path(), &keys, &[]);
    assert_eq!(
        violations(&out),
        ["tlog-bundle-missing", "tlog-tile-missing"]
    );
    std::fs::remove_file(t.path().join("checkpoint")).unwrap();
    assert_eq!(
        violations(&verify(t.path(), &keys, &[])),
        ["tlog-checkpoint-missing"]
    );
    let err = fails(
        &logseal(
            &[
                "tlog",
                "verify",
                "absent",
                "--vkey",
                keys["log_vkey"].as_str().unwrap(),
            ],
            t.path(),
            None,
        ),
        2,
    );
    assert!(err.contains("absent: not a directory"), "{err}");
}

#[test]
fn the_state_holds_a_foreign_log_to_its_past() {
    if !have_python() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state");
    let st = state.to_str().unwrap();
    let (small, big) = (tmp.path().join("small"), tmp.path().join("big"));
    let keys = foreign(&small, 257);
    foreign(&big, 70_000);
    ok(&verify(&small, &keys, &["--state", st]));
    let out = ok(&verify(&big, &keys, &["--state", st]));
    assert!(
        out.contains("checked against the checkpoint of size 257 verified earlier"),
        "{out}"
    );
    let kept: Value =
        serde_json::from_slice(&std::fs::read(state.join("tlog-state.json")).unwrap()).unwrap();
    assert_eq!(kept["logs"][0]["size"], 70_000);
    // Back to the smaller tree: a rollback.
    let out = verify(&small, &keys, &["--state", st]);
    fails(&out, 1);
    assert_eq!(violations(&out), ["tlog-state-rollback"]);
    // A state whose root at 257 the log does not have: the log forked from it.
    let s = std::fs::read_to_string(state.join("tlog-state.json")).unwrap();
    let forged = s.replace("\"size\": 70000", "\"size\": 257");
    std::fs::write(state.join("tlog-state.json"), forged).unwrap();
    let out = verify(&big, &keys, &["--state", st]);
    fails(&out, 1);
    assert_eq!(violations(&out), ["tlog-state-inconsistent"]);
}

#[test]
fn tlog_proofs_of_a_foreign_log_check_here_and_in_python() {
    if !have_python() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let keys = foreign(&d.join("log"), 256_001);
    let vkey = keys["log_vkey"].as_str().unwrap();
    std::fs::write(d.join("wrong"), b"not an entry of the log").unwrap();
    for index in ["0", "255999", "256000"] {
        let entry = format!("e{index}");
        let proof = ok(&logseal(
            &[
                "tlog",
                "prove",
                "log",
                "--vkey",
                vkey,
                "--index",
                index,
                "--entry-out",
                &entry,
            ],
            d,
            None,
        ));
        assert!(
            proof.starts_with(&format!("c2sp.org/tlog-proof@v1\nindex {index}\n")),
            "{proof}"
        );
        assert_eq!(
            std::fs::read(d.join(&entry)).unwrap(),
            format!("foreign entry {index}").as_bytes()
        );
        std::fs::write(d.join("p"), &proof).unwrap();
        let out = ok(&logseal(
            &[
                "tlog",
                "check-proof",
                "p",
                "--entry",
                &entry,
                "--vkey",
                vkey,
                "--witness",
                keys["witness_vkey"].as_str().unwrap(),
                "--quorum",
                "1",
            ],
            d,
            None,
        ));
        assert!(
            out.contains(&format!(
                "is at index {index} of example.com/foreign/log at size 256001"
            )),
            "{out}"
        );
        let py = std::process::Command::new("python3")
            .arg(script())
            .args(["check-proof", "p", &entry, vkey])
            .current_dir(d)
            .output()
            .unwrap();
        assert_eq!(
            text(&py.stdout),
            format!("ok {index} 256001 {}\n", keys["root"].as_str().unwrap())
        );
        // Another entry, and a changed hash line: refused.
        let other = fails(
            &logseal(
                &[
                    "tlog",
                    "check-proof",
                    "p",
                    "--entry",
                    "wrong",
                    "--vkey",
                    vkey,
                ],
                d,
                None,
            ),
            1,
        );
        assert!(other.contains("tlog-proof-mismatch"), "{other}");
        let bad = proof.replacen(
            &format!("index {index}\n"),
            &format!("index {index}\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"),
            1,
        );
        std::fs::write(d.join("bad"), bad).unwrap();
        let err = fails(
            &logseal(
                &[
                    "tlog",
                    "check-proof",
                    "bad",
                    "--entry",
                    &entry,
                    "--vkey",
                    vkey,
                ],
                d,
                None,
            ),
            1,
        );
        assert!(err.contains("tlog-proof-mismatch"), "{err}");
    }
    let err = fails(
        &logseal(
            &["tlog", "prove", "log", "--vkey", vkey, "--index", "256001"],
            d,
            None,
        ),
        1,
    );
    assert!(err.contains("tlog-proof-index"), "{err}");
}

/// Logseal's public part (written by logseal's own tile, bundle and checkpoint code) read by
/// the `tlog_tiles` crate: its checkpoint parser, and its tile reader, which authenticates
/// every tile against the tree hash, then its record proofs for the first, a middle and the
/// last entry. (`tlog_tiles` 0.2 has no signed-note code: the checkpoint's note is opened by
/// the `signed_note` crate in `signed_note_opens_logseal_checkpoints_and_signs_foreign_ones`,
/// and by the Python checker in the next test.)
#[test]
fn tlog_tiles_reads_logseal_logs_of_every_size() {
    use tlog_tiles::{Checkpoint, Hash, HashReader as _, Tile, TileHashReader, TileReader};
    struct Dir(PathBuf);
    impl TileReader for Dir {
        fn height(&self) -> u8 {
            8
        }
        fn read_tiles(&self, tiles: &[Tile]) -> Result<Vec<Vec<u8>>, tlog_tiles::Error> {
            Ok(tiles
                .iter()
                // tlog_tiles names tiles as the Go sumdb does (`tile/8/L/N`); C2SP
                // tlog-tiles drops the height (`tile/L/N`), the only difference.
                .map(|t| {
                    let path = t.path().replacen("tile/8/", "tile/", 1);
                    std::fs::read(self.0.join(&path)).expect(&path)
                })
                .collect())
        }
        fn save_tiles(&self, _: &[Tile], _: &[Vec<u8>]) {}
    }
    for size in SIZES {
        let tmp = tempfile::tempdir().unwrap();
        let entries: Vec<Vec<u8>> = (0..size)
            .map(|i| format!("opaque {i}").into_bytes())
            .collect();
        let note = write_public(tmp.path(), &entries, 1_700_000_000);
        let text = String::from_utf8(note).unwrap();
        let body = &text[..text.find("\n\n").unwrap() + 1];
        let cp = Checkpoint::from_bytes(body.as_bytes()).unwrap();
        assert_eq!((cp.origin(), cp.size()), (logseal::scenario::ORIGIN, size));
        let public = tmp.path().join("public");
        let dir = Dir(public.clone());
        let reader = TileHashReader::new(size, *cp.hash(), &dir);
        if size == 0 {
            assert_eq!(*cp.hash(), tlog_tiles::EMPTY_HASH);
            continue;
        }
        assert_eq!(tlog_tiles::tree_hash(size, &reader).unwrap(), *cp.hash());
        for n in [0, size / 2, size - 1] {
            let proof = tlog_tiles::prove_record(size, n, &reader).unwrap();
            let leaf: Hash = tlog_tiles::record_hash(&entries[n as usize]);
            tlog_tiles::check_record(&proof, size, *cp.hash(), n, leaf).unwrap();
            let stored = reader
                .read_hashes(&[tlog_tiles::stored_hash_index(0, n)])
                .unwrap();
            assert_eq!(stored[0], leaf, "size {size} leaf {n}");
        }
        // And `logseal tlog verify` reads it as any C2SP log: the log's own cosignature (a
        // logseal extension) is skipped like any signature outside the policy.
        let vkey = log_key().verifier().to_vkey();
        let out = ok(&logseal(
            &["tlog", "verify", "public", "--vkey", &vkey],
            tmp.path(),
            None,
        ));
        assert!(out.contains(&format!("entries    {size} hashed")), "{out}");
        assert_eq!(out.matches("tlog-signature-skipped").count(), 1, "{out}");
    }
}

/// A real logseal log (records appended by the log, checkpoints with the log's cosignature):
/// `tlog verify` holds, and its inclusion proofs exported as tlog-proofs check in logseal and
/// in the independent Python checker (which verifies the checkpoint's note signature too).
#[test]
fn a_logseal_log_exports_tlog_proofs() {
    if !have_python() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let sizes = common::tamper::honest_log(&d.join("log"), Some(2));
    let size = *sizes.last().unwrap();
    let vkey = log_key().verifier().to_vkey();
    let out = ok(&logseal(
        &["tlog", "verify", "log/public", "--vkey", &vkey],
        d,
        None,
    ));
    assert!(out.contains(&format!("entries    {size} hashed")), "{out}");
    let last = (size - 1).to_string();
    let proof = ok(&logseal(
        &[
            "tlog",
            "prove",
            "log/public",
            "--vkey",
            &vkey,
            "--index",
            &last,
            "--entry-out",
            "rec",
        ],
        d,
        None,
    ));
    std::fs::write(d.join("p.tlog-proof"), &proof).unwrap();
    ok(&logseal(
        &[
            "tlog",
            "check-proof",
            "p.tlog-proof",
            "--entry",
            "rec",
            "--vkey",
            &vkey,
        ],
        d,
        None,
    ));
    let py = std::process::Command::new("python3")
        .arg(script())
        .args(["check-proof", "p.tlog-proof", "rec", &vkey])
        .current_dir(d)
        .output()
        .unwrap();
    assert!(
        text(&py.stdout).starts_with(&format!("ok {last} {size} ")),
        "{}",
        text(&py.stdout)
    );
    // The record is the entry: logseal's leaf is the RFC 6962 hash of the record's bytes.
    let entries = common::tamper::entries(&d.join("log"));
    assert_eq!(
        std::fs::read(d.join("rec")).unwrap(),
        entries[size as usize - 1]
    );
}

/// `logseal witness cosign` cosigns a foreign C2SP checkpoint (no log cosignature, an
/// extension line, foreign signatures), checks its growth with a consistency proof, and
/// refuses a checkpoint whose log signature does not verify; `tlog verify` then counts the
/// witness by its policy.
#[test]
fn the_witness_cosigns_foreign_logs() {
    if !have_python() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let keys = foreign(&d.join("small"), 257);
    foreign(&d.join("big"), 70_000);
    std::fs::write(
        d.join("log.vkey"),
        format!("{}\n", keys["log_vkey"].as_str().unwrap()),
    )
    .unwrap();
    ok(&logseal(
        &["keygen", "--name", "witness.example/mine", "--out", "w"],
        d,
        None,
    ));
    let wvkey = ok(&logseal(&["witness", "vkey", "--key", "w.key"], d, None));
    let cosign = |cp: &str, proof: Option<&str>, out: &str| {
        let mut a = vec![
            "witness",
            "cosign",
            "--key",
            "w.key",
            "--state",
            "wstate",
            "--checkpoint",
            cp,
            "--log-key",
            "log.vkey",
            "--time",
            "1700000100",
            "--out",
            out,
        ];
        if let Some(p) = proof {
            a.extend_from_slice(&["--proof", p]);
        }
        logseal(&a, d, None)
    };
    ok(&cosign("small/checkpoint", None, "small-cosigned"));
    std::fs::copy(d.join("small-cosigned"), d.join("small/checkpoint")).unwrap();
    let out = ok(&logseal(
        &[
            "tlog",
            "verify",
            "small",
            "--vkey",
            keys["log_vkey"].as_str().unwrap(),
            "--witness",
            keys["witness_vkey"].as_str().unwrap(),
            "--witness",
            wvkey.trim(),
            "--quorum",
            "2",
        ],
        d,
        None,
    ));
    assert!(out.contains("2 cosigned (quorum 2)"), "{out}");
    assert!(out.contains("witness.example/mine@1700000100"), "{out}");
    // Growth to 70,000 with the consistency proof (computed independently of the log).
    let mut tree = logseal::tree::MemoryHashStore::<logseal::tree::Sha256>::new();
    for i in 0..70_000 {
        tree.append(format!("foreign entry {i}").as_bytes())
            .unwrap();
    }
    let proof: Vec<String> = tree
        .consistency_proof(257, 70_000)
        .unwrap()
        .iter()
        .map(hex::encode)
        .collect();
    std::fs::write(d.join("proof.json"), serde_json::to_vec(&proof).unwrap()).unwrap();
    ok(&cosign(
        "big/checkpoint",
        Some("proof.json"),
        "big-cosigned",
    ));
    // A checkpoint whose log signature does not verify: refused.
    let cp = std::fs::read_to_string(d.join("big/checkpoint")).unwrap();
    let bad = cp.replacen("\n70000\n", "\n70001\n", 1);
    std::fs::write(d.join("bad-checkpoint"), bad).unwrap();
    let err = fails(
        &cosign("bad-checkpoint", Some("proof.json"), "bad-cosigned"),
        1,
    );
    assert!(err.contains("tlog-checkpoint-signature-invalid"), "{err}");
}

#[test]
fn tlog_watch_alerts_on_a_rollback_with_both_checkpoints() {
    if !have_python() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let (small, big) = (tmp.path().join("small"), tmp.path().join("big"));
    let keys = foreign(&small, 257);
    foreign(&big, 300);
    let watch = |log: &Path| {
        logseal(
            &[
                "tlog",
                "watch",
                log.to_str().unwrap(),
                "--vkey",
                keys["log_vkey"].as_str().unwrap(),
                "--witness",
                keys["witness_vkey"].as_str().unwrap(),
                "--quorum",
                "1",
                "--state",
                "monitor",
                "--once",
                "--hook",
                "tee",
                "--hook-arg",
                "alert.json",
            ],
            tmp.path(),
            None,
        )
    };
    assert!(ok(&watch(&small)).contains("checkpoint of size 257 verified; no violation"));
    assert!(ok(&watch(&big)).contains("checkpoint of size 300 verified; no violation"));
    assert!(!tmp.path().join("alert.json").exists());
    // The log now serves the smaller tree again: a rollback, alerted with the evidence.
    let err = fails(&watch(&small), 1);
    assert!(err.contains("VIOLATION tlog-state-rollback"), "{err}");
    let evidence: Vec<_> = std::fs::read_dir(tmp.path().join("monitor/evidence"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(evidence.len(), 1);
    let read = |p: PathBuf| std::fs::read_to_string(p).unwrap();
    assert_eq!(
        read(evidence[0].join("checkpoint-before")),
        read(big.join("checkpoint"))
    );
    assert_eq!(
        read(evidence[0].join("checkpoint-served")),
        read(small.join("checkpoint"))
    );
    let alert: Value =
        serde_json::from_slice(&std::fs::read(tmp.path().join("alert.json")).unwrap()).unwrap();
    assert!(
        alert["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "tlog-state-rollback" && f["verdict"] == "violated"),
        "{alert}"
    );
}

#[test]
fn witness_serve_cosigns_a_foreign_log_over_http() {
    use std::io::BufRead;
    if !have_python() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let keys = foreign(&d.join("small"), 257);
    let vkey = keys["log_vkey"].as_str().unwrap();
    std::fs::write(d.join("log.vkey"), format!("{vkey}\n")).unwrap();
    ok(&logseal(
        &["keygen", "--name", "witness.example/mine", "--out", "w"],
        d,
        None,
    ));
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_logseal"))
        .current_dir(d)
        .args(["witness", "serve", "--key", "w.key", "--state", "wstate"])
        .args(["--log-key", "log.vkey", "--listen", "127.0.0.1:0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap()
        .to_string();
    let client = logseal::client::Client::new(&url, std::time::Duration::from_secs(10));
    let cp = std::fs::read(d.join("small/checkpoint")).unwrap();
    let mut body = b"old 0\n\n".to_vec();
    body.extend_from_slice(&cp);
    let (status, answer) = client.add_checkpoint(&body).unwrap();
    let _ = child.kill();
    let _ = child.wait();
    let answer = String::from_utf8(answer).unwrap();
    assert_eq!(status, 200, "{answer}");
    assert!(answer.starts_with("— witness.example/mine "), "{answer}");
    // Its cosignature makes the checkpoint pass a tlog verify that requires it.
    let mut cosigned = cp.clone();
    cosigned.extend_from_slice(answer.as_bytes());
    std::fs::write(d.join("small/checkpoint"), cosigned).unwrap();
    let wvkey = ok(&logseal(&["witness", "vkey", "--key", "w.key"], d, None));
    ok(&logseal(
        &[
            "tlog",
            "verify",
            "small",
            "--vkey",
            vkey,
            "--witness",
            wvkey.trim(),
            "--quorum",
            "1",
        ],
        d,
        None,
    ));
}

/// The `signed_note` crate (Cloudflare's port of Go's `sumdb/note`) opens logseal's
/// checkpoints: the log's signature verifies under logseal's verifier key (parsed by the
/// crate), the log's timestamped cosignature (a logseal extension, another key type) is left
/// unverified as an unknown key, and a changed byte of the text fails. The other way: a
/// checkpoint signed by the crate for a foreign origin over logseal-written tiles is read by
/// `logseal tlog verify`, and its signature line is byte for byte the one logseal makes with
/// the same key (Ed25519 is deterministic); a flipped signature byte is
/// `tlog-checkpoint-signature-invalid`.
#[test]
fn signed_note_opens_logseal_checkpoints_and_signs_foreign_ones() {
    use logseal::note::Ed25519NoteKey;
    use signed_note::{Note, StandardSigner, StandardVerifier, VerifierList};
    let log_vkey = log_key().verifier().to_vkey();
    let known = || VerifierList::new(vec![Box::new(StandardVerifier::new(&log_vkey).unwrap())]);
    for size in [0u64, 1, 257] {
        let tmp = tempfile::tempdir().unwrap();
        let entries: Vec<Vec<u8>> = (0..size)
            .map(|i| format!("opaque {i}").into_bytes())
            .collect();
        let note = write_public(tmp.path(), &entries, 1_700_000_000);
        let opened = Note::from_bytes(&note).unwrap();
        let (verified, unverified) = opened.verify(&known()).unwrap();
        assert_eq!(verified.len(), 1, "size {size}");
        assert_eq!(verified[0].name(), logseal::scenario::ORIGIN);
        assert_eq!(
            unverified.len(),
            1,
            "the log's cosignature: an unknown key type"
        );
        assert_eq!(unverified[0].name(), logseal::scenario::ORIGIN);
        assert_ne!(unverified[0].id(), verified[0].id());
        let mut changed = note.clone();
        changed[0] ^= 1;
        let refused = Note::from_bytes(&changed).and_then(|n| n.verify(&known()).map(|_| ()));
        assert!(refused.is_err(), "size {size}: a changed text verified");

        // A foreign log's checkpoint over the same tree, signed by the crate.
        let origin = "foreign.example/log";
        let key = Ed25519NoteKey::new(origin, logseal::scenario::secret_key(origin)).unwrap();
        let text = String::from_utf8(note.clone()).unwrap();
        let root = text.lines().nth(2).unwrap();
        let body = format!("{origin}\n{size}\n{root}\n");
        let mut foreign = Note::new(body.as_bytes(), &[]).unwrap();
        let signer = StandardSigner::new(&key.to_skey()).unwrap();
        foreign.add_sigs(&[&signer]).unwrap();
        let bytes = foreign.to_bytes();
        let ours = logseal::note::sign_note(&body, &[&key]).unwrap().to_bytes();
        assert_eq!(
            bytes, ours,
            "the same signature line from both implementations"
        );
        std::fs::write(tmp.path().join("public/checkpoint"), &bytes).unwrap();
        let vkey = key.verifier().to_vkey();
        let out = ok(&logseal(
            &["tlog", "verify", "public", "--vkey", &vkey],
            tmp.path(),
            None,
        ));
        assert!(out.contains(&format!("entries    {size} hashed")), "{out}");
        let mut bad = bytes.clone();
        let at = bad.len() - 20;
        bad[at] = if bad[at] == b'A' { b'B' } else { b'A' };
        std::fs::write(tmp.path().join("public/checkpoint"), &bad).unwrap();
        let out = logseal(
            &["tlog", "verify", "public", "--vkey", &vkey],
            tmp.path(),
            None,
        );
        assert_eq!(out.status.code(), Some(1), "{}", text_of(&out));
        assert_eq!(violations(&out), ["tlog-checkpoint-signature-invalid"]);
    }
}

fn text_of(o: &Output) -> String {
    format!("{}{}", text(&o.stdout), text(&o.stderr))
}

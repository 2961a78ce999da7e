//! Evidence bundles on the demo's log: `logseal export` of the account case (its own access
//! record appended first), `logseal bundle verify` offline with the log directory gone, each
//! kind of tampering failing with its finding code, the negative proof and what a bundle
//! missing part of its chain says, no undisclosed sealed value in the bytes, the bundle's
//! CDDL, and the checked-in bundle vectors.

mod common;

use std::path::Path;

use common::*;
use logseal::bundle::{Bundle, Role};
use logseal::record::sealed::SealedValue;
use serde_json::Value;

/// The demo's sanctioned account (scenario B), sealed in its sanction as `account_id`.
const ACCOUNT: &str = "u-88412907";

fn keys() -> std::path::PathBuf {
    shared_demo().join("demo/keys")
}

fn trust() -> std::path::PathBuf {
    shared_demo().join("demo/auditor/trust.json")
}

/// A copy of the demo's honest log in `tmp/log`, the account and case files.
fn setup() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&shared_demo().join("demo/honest"), &tmp.path().join("log"));
    std::fs::write(tmp.path().join("account"), format!("{ACCOUNT}\n")).unwrap();
    std::fs::write(tmp.path().join("case"), "COURT-2026-0042\n").unwrap();
    tmp
}

fn export(d: &Path, key: &str, extra: &[&str]) -> std::process::Output {
    let key = keys().join(key);
    let mut args = vec![
        "export",
        "log",
        "--out",
        "account.lsb",
        "--match-file",
        "account",
        "--inspector-key",
        key.to_str().unwrap(),
        "--purpose",
        "court-order",
        "--legal-basis",
        "gdpr-art-6-1-c",
        "--case-ref-file",
        "case",
    ];
    args.extend_from_slice(extra);
    logseal(&args, d, None)
}

fn exported(extra: &[&str]) -> tempfile::TempDir {
    let tmp = setup();
    ok(&export(tmp.path(), "auditor-inspector.key", extra));
    tmp
}

fn verify_json(d: &Path, file: &str) -> (Option<i32>, Value) {
    let trust = trust();
    let o = logseal(
        &[
            "bundle",
            "verify",
            file,
            "--trust",
            trust.to_str().unwrap(),
            "--json",
        ],
        d,
        None,
    );
    let v = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", text(&o.stdout), text(&o.stderr)));
    (o.status.code(), v)
}

/// (code, verdict) of every finding, and whether `code` is among them with `verdict`.
fn has(v: &Value, code: &str, verdict: &str) -> bool {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["code"] == code && f["verdict"] == verdict)
}

fn codes(v: &Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {}",
                f["code"].as_str().unwrap(),
                f["verdict"].as_str().unwrap()
            )
        })
        .collect()
}

fn bundle(d: &Path) -> Bundle {
    Bundle::decode(&std::fs::read(d.join("account.lsb")).unwrap()).unwrap()
}

fn write(d: &Path, name: &str, b: &Bundle) {
    std::fs::write(d.join(name), b.encode()).unwrap();
}

fn leaf_of(b: &Bundle, role: Role, kind_leaf: impl Fn(u64) -> bool) -> usize {
    b.entries
        .iter()
        .position(|e| e.roles.contains(&role.name().to_string()) && kind_leaf(e.leaf))
        .unwrap()
}

/// The account case verifies with the log directory deleted: every record proven, the
/// missing statement of reasons proven from the notifier's chain in the bundle, and the
/// text report ends with the plain line.
#[test]
fn the_account_bundle_verifies_offline_and_proves_the_missing_statement() {
    let tmp = exported(&["--disclose", "account_id"]);
    let d = tmp.path();
    std::fs::remove_dir_all(d.join("log")).unwrap();
    let (code, v) = verify_json(d, "account.lsb");
    assert_eq!(v["integrity_holds"], true, "{:?}", codes(&v));
    assert!(
        v["records"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["included"] == true && r["authentic"] == true)
    );
    assert!(
        has(&v, "obligation-sor-missing", "violated"),
        "{:?}",
        codes(&v)
    );
    assert!(
        has(&v, "obligation-appeal-no-human-review", "violated"),
        "{:?}",
        codes(&v)
    );
    assert_eq!(v["chains"][0]["verdict"], "violated");
    assert_eq!(v["chains"][0]["code"], "obligation-sor-missing");
    assert_eq!(
        code,
        Some(1),
        "check 8's violations give verify's exit status 1"
    );
    let kinds: Vec<&str> = v["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["kind"].as_str().unwrap())
        .collect();
    for k in [
        "account-sanction",
        "appeal",
        "appeal-decision",
        "legal-hold",
        "policy-publication",
        "key-registration",
        "obligation-policy",
        "data-access",
    ] {
        assert!(kinds.contains(&k), "{k} missing from {kinds:?}");
    }
    let sanction = v["records"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == "account-sanction")
        .unwrap();
    assert_eq!(sanction["disclosed"]["account_id"], ACCOUNT);
    assert!(
        sanction["withheld"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p == "content_hash")
    );
    let trust = trust();
    let o = logseal(
        &[
            "bundle",
            "verify",
            "account.lsb",
            "--trust",
            trust.to_str().unwrap(),
        ],
        d,
        None,
    );
    let out = text(&o.stdout);
    let last = out.lines().last().unwrap();
    assert!(
        last.starts_with("Verified: ") && last.contains("records of demo.logseal.example/log"),
        "{out}"
    );
    assert!(
        out.contains("reference time: ") && out.contains("the newest checkpoint's time"),
        "{out}"
    );
    assert!(
        out.contains("sha256:"),
        "anchor fingerprints printed: {out}"
    );
    assert!(out.contains("could have shown another history"), "{out}");
}

/// The export's own data-access record is in the log (appended and checkpointed) and is the
/// bundle's export entry, byte for byte; an unregistered key appends and writes nothing.
#[test]
fn the_export_is_logged_first_and_nothing_is_written_without_it() {
    let tmp = exported(&[]);
    let d = tmp.path();
    let b = bundle(d);
    let log = logseal::log::Log::open_read_only(&d.join("log")).unwrap();
    assert_eq!(
        log.size(),
        b.export.access_leaf + 1,
        "the access record is the last leaf"
    );
    let entry = b
        .entries
        .iter()
        .find(|e| e.leaf == b.export.access_leaf)
        .unwrap();
    assert_eq!(entry.roles, vec!["export"]);
    let size = log.size();
    let in_log = log.reader().entry(b.export.access_leaf, size).unwrap();
    assert_eq!(in_log, entry.record.to_vec());
    let rec = logseal::record::Record::decode(&in_log).unwrap();
    assert_eq!(rec.payload().kind().name(), "data-access");
    assert!(
        b.entries.iter().all(|e| e.disclosures.is_empty()),
        "nothing disclosed without --disclose"
    );
    drop(log);
    std::fs::remove_file(d.join("account.lsb")).unwrap();
    let o = export(d, "notifier.key", &[]);
    let err = fails(&o, 1);
    assert!(err.contains("nothing is revealed"), "{err}");
    assert!(!d.join("account.lsb").exists());
    let after = logseal::log::Log::open_read_only(&d.join("log"))
        .unwrap()
        .size();
    assert_eq!(after, size, "nothing appended");
}

/// A changed byte in a record, a disclosure, an inclusion proof, a consistency proof or a
/// checkpoint each fails with its code; a trailing byte is refused as not canonical.
#[test]
fn each_kind_of_tampering_fails_with_its_code() {
    let tmp = exported(&["--disclose", "account_id"]);
    let d = tmp.path();
    let b = bundle(d);
    let sanction = leaf_of(&b, Role::Selected, |_| true);

    let mut t = b.clone();
    let rec = &mut t.entries[sanction].record;
    let n = rec.len();
    rec[n - 1] ^= 1;
    write(d, "record.lsb", &t);
    let (code, v) = verify_json(d, "record.lsb");
    assert_eq!(code, Some(1));
    assert!(has(&v, "bundle-inclusion", "violated"), "{:?}", codes(&v));
    assert!(has(&v, "record-signature", "violated"), "{:?}", codes(&v));
    assert_eq!(v["integrity_holds"], false);
    assert!(v["summary"].as_str().unwrap().starts_with("NOT verified"));

    let mut t = b.clone();
    let ds = &mut t.entries[sanction].disclosures[0];
    let n = ds.len();
    ds[n - 1] ^= 1;
    write(d, "disclosure.lsb", &t);
    let (code, v) = verify_json(d, "disclosure.lsb");
    assert_eq!(code, Some(1));
    assert!(
        has(&v, "bundle-disclosure-mismatch", "violated"),
        "{:?}",
        codes(&v)
    );

    let mut t = b.clone();
    t.entries[sanction].inclusion[0].0[0] ^= 1;
    write(d, "proof.lsb", &t);
    let (_, v) = verify_json(d, "proof.lsb");
    assert!(has(&v, "bundle-inclusion", "violated"), "{:?}", codes(&v));
    assert!(!has(&v, "record-signature", "violated"));

    let mut t = b.clone();
    t.consistency[0].proof[0].0[0] ^= 1;
    write(d, "consistency.lsb", &t);
    let (_, v) = verify_json(d, "consistency.lsb");
    assert!(
        has(&v, "checkpoint-inconsistent", "violated"),
        "{:?}",
        codes(&v)
    );

    let mut t = b.clone();
    let note = String::from_utf8(t.checkpoints[0].to_vec()).unwrap();
    let root_line = note.lines().nth(2).unwrap().to_string();
    let mut changed = root_line.clone().into_bytes();
    changed[0] = if changed[0] == b'A' { b'B' } else { b'A' };
    let note = note.replacen(&root_line, &String::from_utf8(changed).unwrap(), 1);
    t.checkpoints[0] = note.into_bytes().into();
    write(d, "checkpoint.lsb", &t);
    let (_, v) = verify_json(d, "checkpoint.lsb");
    assert!(
        has(&v, "checkpoint-signature", "violated"),
        "{:?}",
        codes(&v)
    );

    let mut t = b.clone();
    let export = t
        .entries
        .iter_mut()
        .find(|e| e.leaf == t.export.access_leaf)
        .unwrap();
    export.roles = vec!["selected".into()];
    write(d, "export.lsb", &t);
    let (_, v) = verify_json(d, "export.lsb");
    assert!(
        has(&v, "bundle-export-record", "violated"),
        "{:?}",
        codes(&v)
    );

    let mut bytes = std::fs::read(d.join("account.lsb")).unwrap();
    bytes.push(0);
    std::fs::write(d.join("trailing.lsb"), bytes).unwrap();
    let trust = trust();
    let o = logseal(
        &[
            "bundle",
            "verify",
            "trailing.lsb",
            "--trust",
            trust.to_str().unwrap(),
        ],
        d,
        None,
    );
    let err = fails(&o, 1);
    assert!(err.contains("cbor-trailing-bytes"), "{err}");
}

/// Without the notifier's record that is dated after the deadline plus its logging delay,
/// the bundle no longer proves the negative: "cannot be determined", not violated.
#[test]
fn a_bundle_missing_part_of_the_chain_cannot_determine_the_negative() {
    let tmp = exported(&[]);
    let d = tmp.path();
    let mut b = bundle(d);
    let chain = b.chains[0].clone();
    assert!(chain.complete, "{chain:?}");
    let last = b.entries.iter().position(|e| e.leaf == chain.last).unwrap();
    b.entries.remove(last);
    if let Some(r) = b.receipts.as_mut() {
        r.remove(last);
    }
    write(d, "cut.lsb", &b);
    let (_, v) = verify_json(d, "cut.lsb");
    assert!(
        has(&v, "obligation-sor-undetermined", "cannot-be-determined"),
        "{:?}",
        codes(&v)
    );
    assert!(
        !has(&v, "obligation-sor-missing", "violated"),
        "{:?}",
        codes(&v)
    );
    assert_eq!(v["chains"][0]["verdict"], "cannot-be-determined");
    let needed = v["chains"][0]["needed_after"].as_str().unwrap();
    assert!(
        v["chains"][0]["message"].as_str().unwrap().contains(needed),
        "the time is the verifier's own: {}",
        v["chains"][0]
    );
    assert_eq!(v["integrity_holds"], true, "what is left still verifies");
}

/// A chain bound smaller than the chain cuts it, and the bundle says so.
#[test]
fn a_chain_longer_than_the_bound_is_cut_and_marked() {
    let tmp = exported(&["--max-chain", "1"]);
    let b = bundle(tmp.path());
    assert!(!b.chains[0].complete);
    assert!(
        b.chains[0].why.contains("--max-chain"),
        "{}",
        b.chains[0].why
    );
    let (_, v) = verify_json(tmp.path(), "account.lsb");
    assert_eq!(v["chains"][0]["verdict"], "cannot-be-determined");
}

fn values(v: &SealedValue, out: &mut Vec<Vec<u8>>) {
    match v {
        SealedValue::Text(s) if s.len() >= 4 => out.push(s.as_bytes().to_vec()),
        SealedValue::Bytes(b) if b.len() >= 4 => out.push(b.clone()),
        SealedValue::List(items) => items.iter().for_each(|i| values(i, out)),
        _ => {}
    }
}

/// No sealed value of any record in the bundle appears in its bytes unless disclosed.
#[test]
fn no_undisclosed_sealed_value_is_in_the_bundle() {
    let tmp = exported(&["--disclose", "account_id"]);
    let d = tmp.path();
    let bytes = std::fs::read(d.join("account.lsb")).unwrap();
    let b = Bundle::decode(&bytes).unwrap();
    let log = logseal::log::Log::open_read_only(&d.join("log")).unwrap();
    let mut checked = 0;
    // Values the bundle discloses (the account id, also the export's sealed query).
    let mut disclosed = Vec::new();
    for e in &b.entries {
        for d in &e.disclosures {
            values(
                &logseal::record::sealed::Disclosure::from_bytes(d)
                    .unwrap()
                    .value,
                &mut disclosed,
            );
        }
    }
    assert_eq!(disclosed, vec![ACCOUNT.as_bytes().to_vec()]);
    for e in &b.entries {
        // A sealed value that is also public in the record (the inspector's own producer id
        // as actor.user) is not secret; every other one must be absent.
        let rec = logseal::record::Record::decode(&e.record).unwrap();
        let public: Vec<Vec<u8>> = logseal::inspect::fields::public_fields(&rec)
            .into_iter()
            .map(|f| f.value.into_bytes())
            .collect();
        for disc in log.disclosures(e.leaf).unwrap() {
            if disc.path.to_string() == "account_id" && e.roles.contains(&"selected".to_string()) {
                continue;
            }
            let mut vs = Vec::new();
            values(&disc.value, &mut vs);
            for v in vs
                .into_iter()
                .filter(|v| !public.contains(v) && !disclosed.contains(v))
            {
                checked += 1;
                assert!(
                    !bytes.windows(v.len()).any(|w| w == v.as_slice()),
                    "leaf {}: the undisclosed {} is in the bundle",
                    e.leaf,
                    disc.path
                );
            }
        }
    }
    assert!(checked >= 5, "only {checked} values checked");
    assert!(
        bytes
            .windows(ACCOUNT.len())
            .any(|w| w == ACCOUNT.as_bytes()),
        "the disclosed one is"
    );
    // Without --disclose, not even the value the export matched on is in it.
    let tmp = exported(&[]);
    let bytes = std::fs::read(tmp.path().join("account.lsb")).unwrap();
    assert!(
        !bytes
            .windows(ACCOUNT.len())
            .any(|w| w == ACCOUNT.as_bytes())
    );
}

/// The bundle validates against schemas/bundle.cddl and is canonical.
#[test]
fn the_bundle_matches_its_cddl() {
    let tmp = exported(&[]);
    let bytes = std::fs::read(tmp.path().join("account.lsb")).unwrap();
    let schema =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schemas/bundle.cddl"))
            .unwrap();
    cddl::validate_cbor_from_slice(&schema, &bytes, None).unwrap();
    assert_eq!(Bundle::decode(&bytes).unwrap().encode(), bytes);
}

fn vectors() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testvectors")
}

/// The checked-in bundle vectors (never regenerated without a new format number) decode and
/// verify against the checked-in trust file to the recorded outcome.
#[test]
fn bundle_vectors_verify_to_their_recorded_outcome() {
    let index: Value =
        serde_json::from_slice(&std::fs::read(vectors().join("bundle-vectors.json")).unwrap())
            .unwrap();
    let list = index["vectors"].as_array().unwrap();
    assert!(list.len() >= 3);
    for t in list {
        let file = t["file"].as_str().unwrap();
        let o = logseal(
            &[
                "bundle",
                "verify",
                file,
                "--trust",
                "bundle-trust.json",
                "--json",
            ],
            &vectors(),
            None,
        );
        assert_eq!(
            o.status.code(),
            Some(t["exit"].as_i64().unwrap() as i32),
            "{file}: {}",
            text(&o.stderr)
        );
        if t["decodes"] == false {
            assert!(
                text(&o.stderr).contains(t["error"].as_str().unwrap()),
                "{file}: {}",
                text(&o.stderr)
            );
            continue;
        }
        let v: Value = serde_json::from_slice(&o.stdout).unwrap();
        let mut got = codes(&v);
        got.sort();
        let want: Vec<String> = t["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_string())
            .collect();
        assert_eq!(got, want, "{file}");
        assert_eq!(v["summary"], t["summary"], "{file}");
    }
}

/// `export --from-checkpoint` adds a consistency proof from a checkpoint the recipient holds;
/// `bundle verify --checkpoint` proves the newest extends it, and an altered proof fails.
#[test]
fn a_checkpoint_the_recipient_holds_is_proven_extended() {
    let tmp = setup();
    let d = tmp.path();
    std::fs::copy(d.join("log/public/checkpoints/523"), d.join("held")).unwrap();
    ok(&export(
        d,
        "auditor-inspector.key",
        &["--from-checkpoint", "held"],
    ));
    let trust = trust();
    let verify = |file: &str| {
        let o = logseal(
            &[
                "bundle",
                "verify",
                file,
                "--trust",
                trust.to_str().unwrap(),
                "--checkpoint",
                "held",
                "--json",
            ],
            d,
            None,
        );
        serde_json::from_slice::<Value>(&o.stdout).unwrap()
    };
    let v = verify("account.lsb");
    assert_eq!(v["held_checkpoint"]["size"], 523);
    assert_eq!(v["held_checkpoint"]["consistent"], true, "{:?}", codes(&v));
    let mut b = bundle(d);
    b.from_checkpoint.as_mut().unwrap().proof[0].0[0] ^= 1;
    write(d, "forked.lsb", &b);
    let v = verify("forked.lsb");
    assert_eq!(v["held_checkpoint"]["consistent"], false);
    assert!(
        has(&v, "checkpoint-inconsistent", "violated"),
        "{:?}",
        codes(&v)
    );
}

/// Text with every run of whitespace made one space (the text account wraps paragraphs).
fn flat(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn show(d: &Path, file: &str, extra: &[&str]) -> std::process::Output {
    let trust = trust();
    let mut args = vec!["bundle", "show", file, "--trust", trust.to_str().unwrap()];
    args.extend_from_slice(extra);
    logseal(&args, d, None)
}

/// What the demo's account case says, read from the bundle itself: the sanction's
/// detection (distance, threshold, list operator and snapshot date), and the time of the
/// notifier's last chain record (the negative is proven up to it).
struct Case {
    distance: u64,
    threshold: u64,
    list: String,
    snapshot: jiff::Timestamp,
    complete_up_to: jiff::Timestamp,
}

fn instant(t: logseal::record::types::Timestamp) -> jiff::Timestamp {
    jiff::Timestamp::from_millisecond(t.millis() as i64).unwrap()
}

fn case(b: &Bundle) -> Case {
    use logseal::record::Record;
    use logseal::record::kinds::Body;
    let decoded = |leaf: u64| {
        let e = b.entries.iter().find(|e| e.leaf == leaf).unwrap();
        Record::decode(&e.record).unwrap()
    };
    let chain = &b.chains[0];
    let sanction = decoded(chain.about);
    let Body::AccountSanction(s) = &sanction.payload().body else {
        panic!("the chain is about a sanction");
    };
    let det = s.detection.as_deref().expect("a detection");
    let list = det.hash_list.as_ref().expect("a hash list");
    Case {
        distance: det.perceptual_distance.unwrap(),
        threshold: det.threshold.unwrap(),
        list: list.operator.as_str().to_uppercase(),
        snapshot: instant(list.fetched_at),
        complete_up_to: instant(decoded(chain.last).payload().occurred_at),
    }
}

/// The sentences the issue asks for, in English, with the demo's values.
fn english(c: &Case) -> Vec<String> {
    vec![
        "Account terminated, all services, indefinitely.".into(),
        "Decided fully automatically; no human review.".into(),
        format!(
            "Detected by a perceptual-hash match (PDQ, distance {} of 256 bits, threshold {}) \
             against the {} list snapshot of {}, triggered by an automatic backup; the file was \
             never shared.",
            c.distance,
            c.threshold,
            c.list,
            c.snapshot.strftime("%-d %B %Y")
        ),
        format!(
            "No statement of reasons was sent (proven: the notifier's log is complete up to {}).",
            c.complete_up_to.strftime("%-d %B %Y, %H:%M UTC")
        ),
    ]
}

fn assert_says(report: &str, sentences: &[String]) {
    let flat = flat(report);
    for s in sentences {
        assert!(flat.contains(&self::flat(s)), "missing {s:?} in:\n{report}");
    }
}

/// `bundle show` verifies the account case offline (log directory gone) and tells it in
/// plain sentences with the demo's values, the trust anchors' fingerprints and the re-check
/// command; its exit status is `bundle verify`'s (1: check 8's violations).
#[test]
fn bundle_show_tells_the_account_case_in_plain_sentences() {
    let tmp = exported(&["--disclose", "account_id"]);
    let d = tmp.path();
    std::fs::remove_dir_all(d.join("log")).unwrap();
    let c = case(&bundle(d));
    assert!(c.distance <= c.threshold);
    let o = show(d, "account.lsb", &[]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert_says(&out, &english(&c));
    assert!(
        out.contains(&format!("account {ACCOUNT} at cloudbox")),
        "{out}"
    );
    let (_, v) = verify_json(d, "account.lsb");
    for a in v["anchors"].as_array().unwrap() {
        let fp = a["fingerprint"].as_str().unwrap();
        assert!(fp.starts_with("sha256:") && out.contains(fp), "{fp}: {out}");
    }
    assert!(
        out.contains("logseal bundle verify account.lsb --trust"),
        "{out}"
    );
    assert!(
        out.lines().last().unwrap().starts_with("Verified: "),
        "{out}"
    );
    for constant in ["DECISION_ACCOUNT", "AUTOMATED_DECISION", "(pdq"] {
        assert!(!out.contains(constant), "{constant} in {out}");
    }
}

/// In Dutch and German the same sentences, translated; an unknown language does not run.
#[test]
fn bundle_show_speaks_dutch_and_german() {
    let tmp = exported(&["--disclose", "account_id"]);
    let d = tmp.path();
    let c = case(&bundle(d));
    let nl = text(&show(d, "account.lsb", &["--lang", "nl"]).stdout);
    assert_says(
        &nl,
        &[
            "Account beëindigd, alle diensten, voor onbepaalde tijd.".into(),
            "Volledig geautomatiseerd besloten; geen menselijke beoordeling.".into(),
            format!(
                "(PDQ, afstand {} van 256 bits, drempel {})",
                c.distance, c.threshold
            ),
            "Er is geen motivering verstuurd (bewezen: het logboek van notifier is volledig tot"
                .into(),
        ],
    );
    let de = text(&show(d, "account.lsb", &["--lang", "de"]).stdout);
    assert_says(
        &de,
        &[
            "Konto gekündigt, alle Dienste, unbefristet.".into(),
            "Vollautomatisch entschieden; keine menschliche Prüfung.".into(),
            format!(
                "(PDQ, Abstand {} von 256 Bit, Schwelle {})",
                c.distance, c.threshold
            ),
            "Es wurde keine Begründung versandt (bewiesen: das Protokoll von notifier ist bis"
                .into(),
        ],
    );
    let o = show(d, "account.lsb", &["--lang", "fr"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("unknown report language"));
}

/// `--html` writes one self-contained file with the same sentences and no script, and
/// refuses to overwrite it.
#[test]
fn bundle_show_html_is_one_file_without_script() {
    let tmp = exported(&["--disclose", "account_id"]);
    let d = tmp.path();
    let c = case(&bundle(d));
    let o = show(d, "account.lsb", &["--html", "account.html"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let html = std::fs::read_to_string(d.join("account.html")).unwrap();
    assert!(
        !html.to_lowercase().contains("<script"),
        "a script in the HTML"
    );
    // No network: the only URL is the SVG namespace's name, which is never fetched.
    let urls = html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
    assert!(!urls.contains("http://") && !urls.contains("https://"));
    let plain = html.replace(['\u{2068}', '\u{2069}'], "");
    let untagged = regex_free_text(&plain);
    assert_says(&untagged, &english(&c));
    let before = std::fs::read(d.join("account.html")).unwrap();
    let o = show(d, "account.lsb", &["--html", "account.html"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("refusing to overwrite"));
    assert_eq!(std::fs::read(d.join("account.html")).unwrap(), before);
}

/// The HTML's text: tags removed (inline ones sit inside sentences), the entities the
/// renderer writes decoded.
fn regex_free_text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for ch in html.chars() {
        match ch {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&#39;", "'")
        .replace("&apos;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// A tampered bundle: `bundle show` exits 1 and its last line says what failed.
#[test]
fn bundle_show_of_a_tampered_bundle_says_what_failed() {
    let tmp = exported(&["--disclose", "account_id"]);
    let d = tmp.path();
    let mut b = bundle(d);
    let sanction = leaf_of(&b, Role::Selected, |_| true);
    let rec = &mut b.entries[sanction].record;
    let n = rec.len();
    rec[n - 1] ^= 1;
    write(d, "tampered.lsb", &b);
    let o = show(d, "tampered.lsb", &[]);
    assert_eq!(o.status.code(), Some(1));
    let out = text(&o.stdout);
    let last = out.lines().last().unwrap();
    assert!(last.starts_with("NOT verified: "), "{out}");
    assert!(last.contains("record-signature"), "{last}");
    let o = show(d, "tampered.lsb", &["--html", "t.html"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stdout).contains("NOT verified: "));
    let mut bytes = std::fs::read(d.join("account.lsb")).unwrap();
    bytes.push(0);
    std::fs::write(d.join("trailing.lsb"), bytes).unwrap();
    let o = show(d, "trailing.lsb", &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("NOT verified: the bundle does not decode"));
}

/// Without the notifier's record dated after the deadline plus its logging delay, `bundle
/// show` says the negative cannot be determined, and after which time a record is missing.
#[test]
fn bundle_show_of_a_cut_chain_cannot_determine_the_negative() {
    let tmp = exported(&[]);
    let d = tmp.path();
    let mut b = bundle(d);
    let last = b.chains[0].last;
    let at = b.entries.iter().position(|e| e.leaf == last).unwrap();
    b.entries.remove(at);
    if let Some(r) = b.receipts.as_mut() {
        r.remove(at);
    }
    write(d, "cut.lsb", &b);
    let o = show(d, "cut.lsb", &[]);
    let out = flat(&text(&o.stdout));
    assert!(
        out.contains(
            "Whether a statement of reasons was sent cannot be determined: the bundle holds no \
             record of notifier dated after"
        ),
        "{out}"
    );
    assert!(
        !out.contains("No statement of reasons was sent (proven"),
        "{out}"
    );
    let (_, v) = verify_json(d, "cut.lsb");
    let message = v["chains"][0]["message"].as_str().unwrap();
    let (_, after) = message.split_once("is dated after ").unwrap();
    let after: jiff::Timestamp = after.split_whitespace().next().unwrap().parse().unwrap();
    let shown = after.strftime("%-d %B %Y, %H:%M UTC").to_string();
    assert!(
        out.contains(&format!("dated after {shown} (the deadline plus")),
        "{shown}: {out}"
    );
}

fn verify_text(d: &Path, file: &str, extra: &[&str]) -> String {
    let trust = trust();
    let mut args = vec!["bundle", "verify", file, "--trust", trust.to_str().unwrap()];
    args.extend_from_slice(extra);
    text(&logseal(&args, d, None).stdout)
}

/// The exporter's statements are signed (key 15) with the key of the export's access
/// record; a changed statement, export time or signature byte fails with
/// `bundle-statements-signature`, a stripped signature is `bundle-statements-unsigned`, and
/// the statements are then shown as not signed, never as the exporter's word.
#[test]
fn the_exporters_statements_are_signed_and_a_changed_byte_is_caught() {
    let tmp = exported(&["--disclose", "account_id"]);
    let d = tmp.path();
    let b = bundle(d);
    assert!(!b.statements.is_empty(), "the export states something");
    assert_eq!(b.statements_signature.as_ref().map(|s| s.len()), Some(64));
    let (_, v) = verify_json(d, "account.lsb");
    assert_eq!(v["statements_signature"], "signed", "{:?}", codes(&v));
    assert!(!codes(&v).iter().any(|c| c.starts_with("bundle-statements")));
    let out = verify_text(d, "account.lsb", &[]);
    assert!(
        out.contains("signed with the key of that access record"),
        "{out}"
    );

    let mut t = b.clone();
    t.statements[0].message.push('!');
    write(d, "statement.lsb", &t);
    let (code, v) = verify_json(d, "statement.lsb");
    assert_eq!(code, Some(1));
    assert!(
        has(&v, "bundle-statements-signature", "violated"),
        "{:?}",
        codes(&v)
    );
    assert_eq!(v["statements_signature"], "unverified");
    let out = verify_text(d, "statement.lsb", &[]);
    assert!(
        out.contains("UNVERIFIED: whoever handled the bundle"),
        "{out}"
    );

    let mut t = b.clone();
    t.statements_signature.as_mut().unwrap()[5] ^= 1;
    write(d, "signature.lsb", &t);
    let (_, v) = verify_json(d, "signature.lsb");
    assert!(
        has(&v, "bundle-statements-signature", "violated"),
        "{:?}",
        codes(&v)
    );

    let mut t = b.clone();
    t.statements_signature = None;
    write(d, "unsigned.lsb", &t);
    let (_, v) = verify_json(d, "unsigned.lsb");
    assert!(
        has(&v, "bundle-statements-unsigned", "cannot-be-determined"),
        "{:?}",
        codes(&v)
    );
    assert_eq!(v["statements_signature"], "unsigned");
    let trust = trust();
    let o = logseal(
        &[
            "bundle",
            "show",
            "unsigned.lsb",
            "--trust",
            trust.to_str().unwrap(),
        ],
        d,
        None,
    );
    assert!(
        flat(&text(&o.stdout)).contains("is not shown to be the exporter's"),
        "{}",
        text(&o.stdout)
    );
}

/// The export's time is not before its access record's and no checkpoint of the bundle is
/// dated after it (`bundle-export-time`); a reference time before the bundle's checkpoints is
/// `checkpoint-time-future`.
#[test]
fn the_bundles_times_must_agree_with_the_export() {
    let tmp = exported(&[]);
    let d = tmp.path();
    let b = bundle(d);
    let (_, v) = verify_json(d, "account.lsb");
    assert!(
        !codes(&v).iter().any(|c| c.starts_with("bundle-export-time")
            || c.starts_with("time-")
            || c.starts_with("checkpoint-time")),
        "{:?}",
        codes(&v)
    );
    let mut t = b.clone();
    t.export.time -= 3600;
    write(d, "early.lsb", &t);
    let (_, v) = verify_json(d, "early.lsb");
    assert!(has(&v, "bundle-export-time", "violated"), "{:?}", codes(&v));
    let found = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "bundle-export-time")
        .count();
    assert_eq!(
        found, 2,
        "before its record's time; before the newest checkpoint"
    );

    let trust = trust();
    let o = logseal(
        &[
            "bundle",
            "verify",
            "account.lsb",
            "--trust",
            trust.to_str().unwrap(),
            "--at",
            "2026-01-01T00:00:00Z",
            "--json",
        ],
        d,
        None,
    );
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        has(&v, "checkpoint-time-future", "violated"),
        "{:?}",
        codes(&v)
    );
}

/// A key revoked as compromised since before the sanction: the export gathers the
/// revocation, and `bundle verify` finds the sanction signed by the compromised key after
/// that time (its first checkpoint is later): `record-key-compromised`, not proven.
#[test]
fn a_revoked_keys_revocation_is_in_the_bundle_and_judged() {
    let tmp = setup();
    let d = tmp.path();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let at = logseal::record::types::Timestamp((now - 120) * 1000).to_rfc3339();
    let revocation = serde_json::json!({
        "kind": "key-revocation",
        "producer": "registration-authority",
        "occurred_at": at,
        "status": "ok",
        "body": {
            "producer": "trust-and-safety",
            "public_key": public_key_hex(&keys().join("trust-and-safety.pub")),
            "reason": "compromise",
            "compromised_since": "2026-01-01T00:00:00Z"
        }
    });
    let ra = keys().join("registration-authority.key");
    ok(&logseal(
        &[
            "append",
            "log",
            "--in",
            "-",
            "--producer-key",
            ra.to_str().unwrap(),
        ],
        d,
        Some(&lines([revocation])),
    ));
    ok(&export(d, "auditor-inspector.key", &[]));
    let b = bundle(d);
    let (_, v) = verify_json(d, "account.lsb");
    let kinds: Vec<&str> = v["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"key-revocation"), "{kinds:?}");
    assert!(
        has(&v, "record-key-compromised", "violated"),
        "{:?}",
        codes(&v)
    );
    let sanction = leaf_of(&b, Role::Selected, |_| true);
    let leaf = b.entries[sanction].leaf;
    let r = v["records"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["leaf"] == leaf)
        .unwrap();
    assert_eq!(r["authentic"], false);
    assert_eq!(v["integrity_holds"], false);
}

/// Every entry of a SHA-256 bundle carries a COSE receipt (key 13) against its first
/// checkpoint, which `bundle verify` checks and `prove check-receipt` accepts on its own; a
/// changed receipt byte or receipts swapped between entries is `bundle-receipt`; a BLAKE3
/// bundle or a count that does not match the entries is refused.
#[test]
fn each_entry_carries_a_cose_receipt_that_agrees_with_it() {
    let tmp = exported(&[]);
    let d = tmp.path();
    let b = bundle(d);
    let receipts = b
        .receipts
        .clone()
        .expect("a SHA-256 log's bundle has receipts");
    assert_eq!(receipts.len(), b.entries.len());
    let (_, v) = verify_json(d, "account.lsb");
    assert!(
        v["records"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["receipt"] == true),
        "{}",
        v["records"]
    );
    std::fs::write(d.join("r.cose"), &receipts[0][..]).unwrap();
    std::fs::write(d.join("r.record"), &b.entries[0].record[..]).unwrap();
    let pub_key = keys().join("log.pub");
    let out = ok(&logseal(
        &[
            "prove",
            "check-receipt",
            "r.cose",
            "--record",
            "r.record",
            "--log-key",
            pub_key.to_str().unwrap(),
        ],
        d,
        None,
    ));
    assert!(
        out.contains(&format!("leaf {}", b.entries[0].leaf)),
        "{out}"
    );

    let mut t = b.clone();
    let r = t.receipts.as_mut().unwrap();
    let n = r[1].len();
    r[1][n - 1] ^= 1;
    write(d, "receipt.lsb", &t);
    let (code, v) = verify_json(d, "receipt.lsb");
    assert_eq!(code, Some(1));
    assert!(has(&v, "bundle-receipt", "violated"), "{:?}", codes(&v));
    assert_eq!(v["records"][1]["receipt"], false);

    let mut t = b.clone();
    t.receipts.as_mut().unwrap().swap(0, 1);
    write(d, "swapped.lsb", &t);
    let (_, v) = verify_json(d, "swapped.lsb");
    let bad = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "bundle-receipt")
        .count();
    assert_eq!(bad, 2, "{:?}", codes(&v));

    let mut t = b.clone();
    t.receipts.as_mut().unwrap().pop();
    let e = Bundle::decode(&t.encode()).unwrap_err();
    assert!(e.to_string().contains("receipts (key 13)"), "{e}");
    let mut t = b.clone();
    t.tree_hash = "blake3".into();
    let e = Bundle::decode(&t.encode()).unwrap_err();
    assert!(e.to_string().contains("SHA-256 logs only"), "{e}");
}

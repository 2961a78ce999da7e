//! `logseal show`, `log`, `grep` and `checkpoints` on the demo's log: records named by their
//! role in the scenario (found by kind and public fields, never by a fixed leaf number), every
//! record authenticated against the checkpoint, an altered entry bundle refused with its
//! finding, and the indexes rebuilt or extended, never believed over the leaf hash.

mod common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::*;
use logseal::inspect::PublicIndex;
use serde_json::Value;

/// The shared demo (built once per test run, see `common::shared_demo`).
fn demo() -> &'static Path {
    shared_demo()
}

fn run(args: &[&str]) -> std::process::Output {
    logseal(args, demo(), None)
}

fn json_of(o: &std::process::Output) -> Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", text(&o.stdout), text(&o.stderr)))
}

/// A copy of the honest log in a fresh temporary directory (for tests that alter it).
fn honest_copy() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let to = tmp.path().join("log");
    copy_dir(&demo().join("demo/honest"), &to);
    (tmp, to)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let t = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &t);
        } else {
            std::fs::copy(e.path(), &t).unwrap();
        }
    }
}

/// The scenario's account-termination case: the fully automated termination that no
/// statement of reasons references, and that was appealed. Returns its `show --json`.
fn termination_case() -> &'static Value {
    static CASE: OnceLock<Value> = OnceLock::new();
    CASE.get_or_init(|| {
        let list = json_of(&run(&[
            "log",
            "demo/honest",
            "--kind",
            "account-sanction",
            "--automation",
            "AUTOMATED_DECISION_FULLY",
            "--where",
            "decision_account=DECISION_ACCOUNT_TERMINATED",
            "--json",
        ]));
        let mut cases: Vec<Value> = Vec::new();
        for r in list["records"].as_array().unwrap() {
            let leaf = r["leaf"].to_string();
            let shown = json_of(&run(&["show", "demo/honest", &leaf, "--json"]));
            let appealed = shown["referenced_by"]
                .as_array()
                .unwrap()
                .iter()
                .any(|l| l["kind"] == "appeal");
            if shown["statement_of_reasons"].is_string() && appealed {
                cases.push(shown);
            }
        }
        assert_eq!(
            cases.len(),
            1,
            "one unexplained, appealed termination: {cases:#?}"
        );
        cases.pop().unwrap()
    })
}

#[test]
fn show_of_the_termination_case_names_the_missing_statement_and_its_appeal_chain() {
    let case = termination_case();
    let leaf = case["leaf"].to_string();
    let out = ok(&run(&["show", "demo/honest", &leaf]));
    for want in [
        "kind                account-sanction",
        "DECISION_ACCOUNT_TERMINATED",
        "signature           verified with the key registered at leaf",
        "checked against the operator's own key",
        "first included in   the published checkpoint of size",
        "\nno statement of reasons references this record\n",
    ] {
        assert!(out.contains(want), "missing {want:?} in:\n{out}");
    }
    // The appeal chain: the appeal refers to it, the decision (upheld, no human review) to
    // the appeal.
    let appeal = out
        .lines()
        .find(|l| l.starts_with("  referred to by") && l.split_whitespace().any(|w| w == "appeal"))
        .unwrap_or_else(|| panic!("no appeal in:\n{out}"));
    let after = out.split(appeal).nth(1).unwrap();
    let decision = after.lines().nth(1).unwrap();
    assert!(
        decision.starts_with("    referred to by")
            && decision.contains("appeal-decision")
            && decision.contains("human_review=false"),
        "{decision}"
    );
    // The same record by PRODUCER#SEQ, against the auditor's anchors.
    let id = format!(
        "{}#{}",
        case["chain"]["producer"].as_str().unwrap(),
        case["chain"]["seq"]
    );
    let out = ok(&run(&[
        "show",
        "demo/honest",
        &id,
        "--trust",
        "demo/auditor/trust.json",
    ]));
    assert!(
        out.contains(&format!(
            "authenticated       leaf {leaf} of the tree below"
        )),
        "{out}"
    );
    assert!(
        out.contains("checked against the auditor's trust anchors (--trust)"),
        "{out}"
    );
    // A sanction with a statement of reasons names it instead.
    let list = json_of(&run(&[
        "log",
        "demo/honest",
        "--kind",
        "notification",
        "--limit",
        "1",
        "--json",
    ]));
    let n = list["records"][0]["leaf"].to_string();
    let notification = json_of(&run(&["show", "demo/honest", &n, "--json"]));
    let sanction = notification["references"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["relation"] == "refers to" && l["kind"] == "account-sanction")
        .expect("a notification refers to its sanction");
    let s = json_of(&run(&[
        "show",
        "demo/honest",
        &sanction["leaf"].to_string(),
        "--json",
    ]));
    assert!(s.get("statement_of_reasons").is_none(), "{s:#}");
    assert_eq!(s["statements_of_reasons"][0], notification["leaf"]);
}

#[test]
fn log_finds_the_appeal_decision_taken_without_human_review() {
    let o = run(&[
        "log",
        "demo/honest",
        "--kind",
        "appeal-decision",
        "--where",
        "human_review=false",
        "--json",
    ]);
    let list = json_of(&o);
    let records = list["records"].as_array().unwrap();
    assert_eq!(records.len(), 1, "{list:#}");
    assert!(
        list["checked_against"]
            .as_str()
            .unwrap()
            .contains("operator's own key")
    );
    // It decides the termination case's appeal.
    let decision = json_of(&run(&[
        "show",
        "demo/honest",
        &records[0]["leaf"].to_string(),
        "--json",
    ]));
    let appeal = &decision["references"][0];
    assert_eq!(appeal["kind"], "appeal");
    let chain = termination_case()["referenced_by"].as_array().unwrap();
    assert!(
        chain.iter().any(|l| l["leaf"] == appeal["leaf"]),
        "{chain:#?}"
    );
    // The other decisions had a human review.
    let all = json_of(&run(&[
        "log",
        "demo/honest",
        "--kind",
        "appeal-decision",
        "--json",
    ]));
    let reviewed = json_of(&run(&[
        "log",
        "demo/honest",
        "--kind",
        "appeal-decision",
        "--where",
        "human_review=true",
        "--json",
    ]));
    assert_eq!(
        reviewed["records"].as_array().unwrap().len() + 1,
        all["records"].as_array().unwrap().len()
    );
    // One line per record, newest first; --reverse oldest first; --limit.
    let text_out = ok(&run(&["log", "demo/honest", "--limit", "3"]));
    let leaves: Vec<u64> = text_out
        .lines()
        .skip(1)
        .map(|l| l.split_whitespace().next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(leaves.len(), 3);
    assert!(leaves[0] > leaves[1] && leaves[1] > leaves[2], "{text_out}");
    let first = ok(&run(&["log", "demo/honest", "--reverse", "--limit", "1"]));
    assert!(
        first
            .lines()
            .nth(1)
            .unwrap()
            .trim_start()
            .starts_with("0  "),
        "{first}"
    );
    // A time range: only records of that time.
    let ranged = json_of(&run(&[
        "log",
        "demo/honest",
        "--since",
        "2026-03-17T17:00:00Z",
        "--until",
        "2026-03-17T17:59:59Z",
        "--json",
    ]));
    let times: Vec<&str> = ranged["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["time"].as_str().unwrap())
        .collect();
    assert!(!times.is_empty());
    assert!(
        times.iter().all(|t| t.starts_with("2026-03-17T17:")),
        "{times:?}"
    );
}

#[test]
fn grep_searches_public_fields_only() {
    let o = json_of(&run(&[
        "grep",
        "demo/honest",
        "gdpr-17-3",
        "--field",
        "legal_basis",
        "--json",
    ]));
    let records = o["records"].as_array().unwrap();
    assert!(!records.is_empty());
    for r in records {
        for m in r["matches"].as_array().unwrap() {
            assert!(m["path"].as_str().unwrap().ends_with("legal_basis"), "{m}");
            assert!(m["value"].as_str().unwrap().contains("gdpr-17-3"), "{m}");
        }
    }
    // The field restricts the search; -i ignores case.
    let none = json_of(&run(&[
        "grep",
        "demo/honest",
        "gdpr-17-3",
        "--field",
        "kind",
        "--json",
    ]));
    assert!(none["records"].as_array().unwrap().is_empty());
    let upper = json_of(&run(&[
        "grep",
        "demo/honest",
        "GDPR-17-3",
        "-i",
        "--field",
        "legal_basis",
        "--json",
    ]));
    assert_eq!(upper["records"], o["records"]);
    // A sealed field's path is never among the matches (its value is not public).
    let out = ok(&run(&["grep", "demo/honest", "a", "--limit", "50"]));
    for sealed in [
        "account_id=",
        "actor.user=",
        "query=",
        "case_ref=",
        "explanation=",
    ] {
        assert!(!out.contains(sealed), "{sealed} in:\n{out}");
    }
}

#[test]
fn checkpoints_lists_the_published_history() {
    let out = ok(&run(&["checkpoints", "demo/honest"]));
    let mut published = 0;
    for e in files_in(&demo().join("demo/honest/public/checkpoints")) {
        published += usize::from(e.is_file());
    }
    let lines: Vec<&str> = out.lines().skip(1).collect();
    assert_eq!(lines.len(), published, "{out}");
    let sizes: Vec<u64> = lines
        .iter()
        .map(|l| l.split_whitespace().nth(1).unwrap().parse().unwrap())
        .collect();
    assert!(sizes.windows(2).all(|w| w[0] < w[1]), "{sizes:?}");
    // The daily checkpoints, then the one the demo's logged inspection (step 12) published.
    assert_eq!(*sizes.last().unwrap(), 3702);
    let (last, daily) = lines.split_last().unwrap();
    assert!(
        daily
            .iter()
            .all(|l| l.contains("T23:59:00.000Z") && l.contains("cosigners: none"))
    );
    assert!(last.contains("2026-03-31T00:19:00.000Z"), "{last}");
    // The rewritten log: its earlier checkpoints are not consistent with the latest.
    let o = run(&["checkpoints", "demo/log", "--json"]);
    fails(&o, 1);
    let v = json_of(&o);
    assert!(
        v["checkpoints"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["inconsistent"].is_string())
    );
    // A public-only copy needs the auditor's trust file.
    let err = fails(&run(&["checkpoints", "demo/mirror"]), 2);
    assert!(err.contains("give --trust FILE"), "{err}");
    let out = ok(&run(&[
        "checkpoints",
        "demo/mirror",
        "--trust",
        "demo/auditor/trust.json",
    ]));
    assert!(
        out.contains("checked against the auditor's trust anchors"),
        "{out}"
    );
}

#[test]
fn an_altered_entry_bundle_makes_show_refuse_the_record() {
    let (tmp, log) = honest_copy();
    let case = termination_case();
    let leaf = case["leaf"].as_u64().unwrap();
    // Flip the last byte of the sanction's entry in its full bundle.
    let bundle = log.join(format!("public/tile/entries/{:03}", leaf / 256));
    let mut b = std::fs::read(&bundle).unwrap();
    let mut off = 0usize;
    for _ in 0..leaf % 256 {
        off += 2 + usize::from(u16::from_be_bytes([b[off], b[off + 1]]));
    }
    let len = usize::from(u16::from_be_bytes([b[off], b[off + 1]]));
    b[off + 2 + len - 1] ^= 1;
    std::fs::write(&bundle, &b).unwrap();

    let o = logseal(&["show", "log", &leaf.to_string()], tmp.path(), None);
    let err = fails(&o, 1);
    assert!(text(&o.stdout).is_empty(), "printed: {}", text(&o.stdout));
    assert!(
        err.contains(&format!(
            "leaf {leaf} REFUSED, not shown: [tree-bundle-mismatch]"
        )),
        "{err}"
    );
    let id = format!(
        "{}#{}",
        case["chain"]["producer"].as_str().unwrap(),
        case["chain"]["seq"]
    );
    let o = logseal(&["show", "log", &id, "--json"], tmp.path(), None);
    fails(&o, 1);
    let v = json_of(&o);
    assert_eq!(v["refused"]["code"], "tree-bundle-mismatch");
    assert_eq!(v["refused"]["leaf"], leaf);
    assert!(v.get("record").is_none());
    // `log` lists it as refused, and exits 1.
    let o = logseal(
        &["log", "log", "--kind", "account-sanction"],
        tmp.path(),
        None,
    );
    fails(&o, 1);
    assert!(
        text(&o.stdout).contains(&format!("leaf {leaf} REFUSED")),
        "{}",
        text(&o.stdout)
    );
}

fn index_of(log: &Path) -> PublicIndex {
    PublicIndex::decode(&std::fs::read(log.join("private/index/public.idx")).unwrap()).unwrap()
}

#[test]
fn indexes_are_rebuilt_when_missing_corrupt_or_lying_and_extended_when_stale() {
    let (tmp, log) = honest_copy();
    let d = tmp.path();
    let index = log.join("private/index/public.idx");
    let _ = std::fs::remove_dir_all(log.join("private/index"));
    // Reads by leaf need no index: none is built for them.
    let o = logseal(&["log", "log", "--limit", "1"], d, None);
    ok(&o);
    assert!(text(&o.stderr).is_empty(), "{}", text(&o.stderr));
    assert!(!index.exists());
    let o = logseal(
        &["log", "log", "--kind", "appeal-decision", "--limit", "1"],
        d,
        None,
    );
    ok(&o);
    assert!(
        text(&o.stderr).contains("rebuilt from the log for size 3702 (missing)"),
        "{}",
        text(&o.stderr)
    );
    let built = index_of(&log);
    assert!(!log.join("public/index").exists());

    // Read as is the next time.
    let o = logseal(
        &["log", "log", "--kind", "appeal-decision", "--limit", "1"],
        d,
        None,
    );
    assert!(text(&o.stderr).is_empty(), "{}", text(&o.stderr));

    // Corrupt: rebuilt.
    std::fs::write(&index, b"LSPUBIDX\x02\0\0\0").unwrap();
    let o = logseal(
        &["log", "log", "--kind", "appeal-decision", "--limit", "1"],
        d,
        None,
    );
    ok(&o);
    assert!(
        text(&o.stderr).contains("(unreadable: "),
        "{}",
        text(&o.stderr)
    );
    assert_eq!(index_of(&log), built);

    // Lying: the termination case's producer#seq pointed at another leaf.
    let case = termination_case();
    let (producer, seq, leaf) = (
        case["chain"]["producer"].as_str().unwrap(),
        case["chain"]["seq"].as_u64().unwrap(),
        case["leaf"].as_u64().unwrap(),
    );
    let mut lying = built.clone();
    for p in lying.seqs.get_mut(producer).unwrap() {
        if p[0] == seq {
            p[1] = leaf + 1;
        }
    }
    std::fs::write(&index, lying.encode()).unwrap();
    let o = logseal(
        &["show", "log", &format!("{producer}#{seq}"), "--json"],
        d,
        None,
    );
    let v = json_of(&o);
    assert_eq!(v["leaf"], leaf);
    assert!(
        text(&o.stderr).contains(&format!(
            "(a hit did not hold: leaf {} is not the record it named)",
            leaf + 1
        )),
        "{}",
        text(&o.stderr)
    );
    assert_eq!(index_of(&log), built);

    // Stale: the index as it was at an earlier published checkpoint (its size and root,
    // without the later leaves) is extended, to the same index as one built afresh.
    let cps = json_of(&logseal(&["checkpoints", "log", "--json"], d, None));
    let old = cps["checkpoints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["size"].as_u64().unwrap() > 2000)
        .unwrap();
    let size = old["size"].as_u64().unwrap();
    let root = base64::Engine::decode(
        &base64::engine::general_purpose::STANDARD,
        old["root"].as_str().unwrap(),
    )
    .unwrap();
    let stale = truncated(&built, size, &hex::encode(root));
    std::fs::write(&index, stale.encode()).unwrap();
    let o = logseal(
        &["log", "log", "--kind", "appeal-decision", "--limit", "1"],
        d,
        None,
    );
    ok(&o);
    assert!(
        text(&o.stderr).contains(&format!("extended from size {size} to 3702")),
        "{}",
        text(&o.stderr)
    );
    assert_eq!(index_of(&log), built);

    // Stale with a root that is not the log's at that size: rebuilt, not extended.
    let forged = truncated(&built, size, &hex::encode([7u8; 32]));
    std::fs::write(&index, forged.encode()).unwrap();
    let o = logseal(
        &["log", "log", "--kind", "appeal-decision", "--limit", "1"],
        d,
        None,
    );
    assert!(
        text(&o.stderr).contains("does not extend"),
        "{}",
        text(&o.stderr)
    );
    assert_eq!(index_of(&log), built);
}

/// `ix` as built for the first `size` leaves (the later ones dropped), with `root`.
fn truncated(ix: &PublicIndex, size: u64, root: &str) -> PublicIndex {
    let mut v = ix.clone();
    v.size = size;
    v.root = root.into();
    for pairs in v.seqs.values_mut() {
        pairs.retain(|p| p[1] < size);
    }
    v.seqs.retain(|_, pairs| !pairs.is_empty());
    for m in [
        &mut v.ids,
        &mut v.referenced_by,
        &mut v.registrations,
        &mut v.authorisations,
    ] {
        m.retain(|(_, leaf)| *leaf < size);
    }
    v.deletions.retain(|leaf| *leaf < size);
    // The time spans and kinds of the bundles up to `size`, recomputed by the extension for
    // the last.
    let bundles = size.div_ceil(256) as usize;
    v.bundle_times.truncate(bundles);
    v.bundle_kinds.truncate(bundles);
    v
}

#[test]
fn show_follows_an_access_to_its_grant_and_a_deletion_to_the_records_it_covers() {
    let access = json_of(&run(&[
        "log",
        "demo/honest",
        "--kind",
        "data-access",
        "--producer",
        "query-frontend",
        "--limit",
        "1",
        "--json",
    ]));
    let leaf = access["records"][0]["leaf"].to_string();
    let shown = json_of(&run(&["show", "demo/honest", &leaf, "--json"]));
    let grants: Vec<&Value> = shown["references"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["relation"] == "authorisation")
        .collect();
    assert!(!grants.is_empty(), "{shown:#}");
    assert!(
        grants.iter().all(|g| g["kind"] == "authorisation"),
        "{grants:#?}"
    );
    let reg = shown["references"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["relation"] == "key registration")
        .unwrap();
    assert_eq!(reg["kind"], "key-registration");
    assert_eq!(shown["record"]["signature"]["state"], "verified");

    let deletion = json_of(&run(&[
        "log",
        "demo/honest",
        "--kind",
        "retention-deletion",
        "--limit",
        "1",
        "--json",
    ]));
    let leaf = deletion["records"][0]["leaf"].to_string();
    let shown = json_of(&run(&["show", "demo/honest", &leaf, "--json"]));
    let covered: Vec<&Value> = shown["references"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["relation"] == "covers")
        .collect();
    assert!(!covered.is_empty(), "{shown:#}");
    // And the other way: a covered record names the deletion that covers it.
    let one = json_of(&run(&[
        "show",
        "demo/honest",
        &covered[0]["leaf"].to_string(),
        "--json",
    ]));
    assert!(
        one["referenced_by"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["relation"] == "covered by" && l["leaf"] == deletion["records"][0]["leaf"]),
        "{one:#}"
    );
}

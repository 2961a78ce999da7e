//! `logseal demo`, the README's main job, runs end to end and shows what it claims.

mod common;

use common::*;
use logseal::record::kinds::Body;

#[test]
fn demo_builds_a_log_exports_a_case_and_checks_its_proofs() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let out = ok(&logseal(&["demo", "--dir", "demo"], d, None));
    for want in [
        "appended 3700 records in 30 daily batches, each checkpointed",
        "refused: query-frontend: seq",
        "proof checked with the log's public key only: leaf",
        "the day-10 checkpoint is consistent with today's",
        "kind                account-sanction",
        // The auditor's report on the honest log: the unlogged access, the revoked official.
        "[violated] heartbeat-counter-mismatch  leaf 886, query-frontend seq 706",
        "[notice] auth-denied-attempt  leaf 1381, query-frontend seq 1111",
        // The nightly sweeps, and the one provider file their job skipped, kept too long.
        "erased what had fallen due: 172 disclosures of 86 provider files by destroying 29 keys, \
         recorded in 29 retention-deletion records",
        "[violated] retention-kept-too-long  leaf 39, upload-gateway seq 2",
        "kept too long: leaf 39 upload-gateway#2 nl-ciot-latest-upload@1 due \
         2026-03-03T00:00:00+01:00, kept 28d 1h 59m too long",
        // The retention plan: the queries' conflict is reported, the held case is held, only
        // the skipped upload is overdue; two years on, the last day's uploads are too.
        "due 0, overdue 1, held 3,",
        "conflicts 3000,",
        "due 0, overdue 4, held 0,",
        // Check 8 on the honest log: the out-of-grant queries, the unjustified emergency
        // access, the sanction without a statement of reasons (provably: the notifier's chain
        // is complete past the deadline), the appeal decided by a machine on a fully automated
        // termination, and the detection whose distance does not recompute.
        "[violated] obligation-access-basis-not-granted  leaf 454, query-frontend seq 353",
        "[violated] obligation-access-basis-not-granted  leaf 1798, query-frontend seq 1464",
        "[violated] obligation-break-glass-unjustified  leaf 576, query-frontend seq 454",
        "[violated] obligation-sor-missing  leaf 383, trust-and-safety seq 16",
        "found:    none (notifier's chain complete to leaf 385)",
        "[violated] obligation-appeal-no-human-review  leaf 2109, appeals seq 1",
        "[violated] obligation-automated-no-review  leaf 2109, appeals seq 1",
        "[violated] obligation-detection-mismatch  leaf 750, trust-and-safety seq 41",
        // ... and nothing else: seven violations of check 8 in the honest log.
        "     8      violated               3572 records                     7             0        0  obligations: accesses within their grant, sanctions explained, reviewed, appealable",
        // The dishonest operator's rewrite.
        "[violated] checkpoint-inconsistent ×",
        "[violated] chain-seq-gap ×1 leaf 1381, query-frontend seq 1111",
        "(the honest log, as it was before the rewrite, is kept in demo/honest)",
        // A proof at an earlier published checkpoint, from a copy of public/ alone.
        "an auditor's copy of public/ alone (demo/mirror: `logseal mirror`, ",
        "objects verified as they were copied) proves the sanction at the day-3 checkpoint its \
         history keeps (public/checkpoints/401): \
         demo/export/sanction.day3.inclusion.json\n   checked: leaf 383 is in the tree of size 401 ",
        // The backup accident on a copy: refused, recovered, the loss declared and reported.
        "the public checkpoint is at size 3700 but the private state is at 2480: private/ was \
         restored from an older backup",
        "Rebuild the private state from the public part with `logseal recover demo/accident \
         --executor-key KEY`",
        "rebuilt the private state from the public part: size 3700",
        "declared the loss of 5543 disclosure(s) of 1163 records: 1 retention-deletion record(s) \
         (exception ground disclosure-lost) at leaves 3700..=3700",
        "[violated] retention-disclosure-lost ×1 leaf 3700, retention-sweep seq 29: the \
         retention-deletion at leaf 3700 declares 5543 disclosure(s) of 1163 record(s) lost",
        // The dropped tail of two heartbeating producers, on a copy.
        "[violated] heartbeat-overdue ×2 leaf 3697: query-frontend must send a heartbeat at \
         least every 93600 s; at 2026-04-01T23:59:00.000Z",
    ] {
        assert!(out.contains(want), "missing {want:?} in:\n{out}");
    }
    // The export case's sanction, named by its role: the leaf the demo exported.
    let sanction = out
        .split("evidence export of the sanction (leaf ")
        .nth(1)
        .and_then(|t| t.split(')').next())
        .expect("the exported sanction's leaf")
        .to_string();
    // Step 12: the auditor's inspector registered after day 30, then "who queried this
    // subscriber", the inspection logged first as a data-access record.
    for want in [
        "12. who queried this subscriber? On the honest log (demo/honest), the registration \
         authority registers the auditor's inspector (auditor-inspector for data-access \
         records, leaf 3700)",
        "296 record(s) found: 296 queries by 19 officials",
        "this inspection is logged: leaf 3701 (auditor-inspector#0, data-access), checkpoint \
         size 3702",
    ] {
        assert!(out.contains(want), "missing {want:?} in:\n{out}");
    }
    // Step 14: day 31 live, behind `serve`, with two witnesses (quorum 2) and a monitor.
    let live = out
        .split("\n14. day 31, live")
        .nth(1)
        .expect("step 14 in the output");
    for want in [
        "a copy of the honest log (demo/live) is served on loopback",
        "the auditor's trust file demo/auditor/trust-witnessed.json now requires both (quorum 2) \
         on every checkpoint after size 3702, the log's size when they started",
        "producers send day 31's 121 records through POST /add as they happen; every one is \
         acknowledged with its leaf (leaves 3702 to 3822) once it is durable",
        "   │ 3823\n",
        "   │ — witness-a.example ",
        "   │ — witness-b.example ",
        ": checkpoint of size 3823 verified; no violation",
        "logs the export through it and waits for a witnessed checkpoint over that record",
        "   Verified: 18 records of demo.logseal.example/log",
        "its newest checkpoint (size 3824) is cosigned by witness-a.example and witness-b.example",
        "query-frontend seq",
        "refused (400): old size 3824 is above the checkpoint's size 3823",
        "NOT YET WITNESSED: 0 of 2 witnesses cosigned",
        ": violation (checkpoint-inconsistent, checkpoint-witness-quorum",
        "(checkpoint-before, checkpoint-served, report.json)",
    ] {
        assert!(live.contains(want), "missing {want:?} in step 14:\n{live}");
    }
    // The evidence: the witnessed checkpoint the monitor verified, and the rewritten one.
    let evidence = live
        .split("evidence kept: ")
        .nth(1)
        .and_then(|t| t.split(' ').next())
        .expect("the evidence directory");
    let before = std::fs::read_to_string(d.join(evidence).join("checkpoint-before")).unwrap();
    let served = std::fs::read_to_string(d.join(evidence).join("checkpoint-served")).unwrap();
    assert!(
        before.starts_with("demo.logseal.example/log\n3823\n"),
        "{before}"
    );
    assert!(before.contains("\n— witness-a.example ") && before.contains("\n— witness-b.example "));
    // The rewritten tree has the size the monitor verified, with another root.
    assert!(
        served.starts_with("demo.logseal.example/log\n3823\n"),
        "{served}"
    );
    assert_ne!(served.lines().nth(2), before.lines().nth(2));
    assert!(!served.contains("witness-"), "{served}");
    // Every producer's key pair is written, the retention sweep's too (its executor key).
    for name in [
        "retention-sweep",
        "retention-authority",
        "legal-desk",
        "obligation-authority",
        "break-glass-review",
        "auditor-inspector",
    ] {
        assert!(d.join(format!("demo/keys/{name}.key")).is_file(), "{name}");
        assert!(d.join(format!("demo/keys/{name}.pub")).is_file(), "{name}");
    }
    // The log it built (and the operator rewrote, dropping one record) is a real one: the CLI
    // reads it, and the proof exported before the rewrite still checks against its checkpoint.
    let info = ok(&logseal(&["info", "demo/log", "--json"], d, None));
    let info: serde_json::Value = serde_json::from_str(&info).unwrap();
    assert_eq!(info["size"], 3700);
    assert_eq!(info["checkpoint"]["size"], 3699);
    let msg = ok(&logseal(
        &[
            "prove",
            "check",
            "demo/export/sanction.inclusion.json",
            "--log-key",
            "demo/keys/log.pub",
        ],
        d,
        None,
    ));
    assert!(msg.starts_with("ok: leaf "), "{msg}");
    // Proofs at earlier published checkpoints (issue 12, item 2), read from the full tiles
    // that replaced their partials. (The demo's rewrite deleted every tile and wrote those of
    // its own tree: the level-1 partials of sizes from 512 on are gone with it.) Before the
    // rewritten leaf they hold; past it, the rewritten tiles contradict the published history.
    let prove = |args: &[&str]| {
        std::fs::write(d.join("p.json"), ok(&logseal(args, d, None))).unwrap();
        logseal(
            &["prove", "check", "p.json", "--log-key", "demo/keys/log.pub"],
            d,
            None,
        )
    };
    let msg = ok(&prove(&[
        "prove",
        "inclusion",
        "demo/log",
        "--index",
        "100",
        "--size",
        "401",
    ]));
    assert!(
        msg.contains("leaf 100 is in the tree of size 401 "),
        "{msg}"
    );
    let msg = ok(&prove(&[
        "prove",
        "consistency",
        "demo/log",
        "--old",
        "158",
        "--new",
        "401",
    ]));
    assert!(
        msg.contains("the tree of size 158 is a prefix of the tree of size 401 "),
        "{msg}"
    );
    let err = fails(
        &prove(&["prove", "consistency", "demo/log", "--old", "1500"]),
        1,
    );
    assert!(err.contains("the proof does not hold"), "{err}");
    // The proof at the day-3 checkpoint: the Explore line's command on the copy of public/
    // alone (the mirror has no private part) gives the proof the demo checked.
    assert!(!d.join("demo/mirror/private").exists());
    let msg = ok(&prove(&[
        "prove",
        "inclusion",
        "demo/mirror",
        "--index",
        &sanction,
        "--size",
        "401",
    ]));
    assert!(
        msg.contains(&format!("leaf {sanction} is in the tree of size 401 ")),
        "{msg}"
    );
    assert_eq!(
        std::fs::read_to_string(d.join("p.json")).unwrap().trim(),
        std::fs::read_to_string(d.join("demo/export/sanction.day3.inclusion.json"))
            .unwrap()
            .trim()
    );
    // The Explore lines reproduce the verdicts the demo narrates.
    let explore = out.split("\nExplore:\n").nth(1).expect("Explore lines");
    let mut verified = 0;
    for line in explore
        .lines()
        .filter(|l| l.starts_with("  logseal verify "))
    {
        let mut args: Vec<&str> = line.split_whitespace().skip(1).collect();
        args.push("--json");
        let o = logseal(&args, d, None);
        assert_eq!(o.status.code(), Some(1), "{line}: {}", text(&o.stderr));
        let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let violated: Vec<&str> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["verdict"] == "violated")
            .map(|f| f["code"].as_str().unwrap())
            .collect();
        let want: &[&str] = match args[1] {
            "demo/honest" => &["heartbeat-counter-mismatch", "retention-kept-too-long"],
            "demo/log" => &["checkpoint-inconsistent", "chain-seq-gap"],
            "demo/accident" => &["retention-disclosure-lost"],
            "demo/silent" => &["heartbeat-overdue"],
            // The served log the operator rewrote: its checkpoint lacks both witnesses.
            "demo/live" => &["checkpoint-witness-quorum"],
            other => panic!("unexpected Explore line for {other}"),
        };
        for code in want {
            assert!(violated.contains(code), "{line}: no {code} in {violated:?}");
        }
        verified += 1;
    }
    assert_eq!(verified, 5, "{explore}");
    // The inspection lines: the appeal decision without human review, the fully automated
    // termination, the checkpoints, the inspection's own record, and the inspection again
    // (which logs itself once more).
    let run = |prefix: &str| -> String {
        let line = explore
            .lines()
            .find(|l| l.starts_with(&format!("  logseal {prefix}")))
            .unwrap_or_else(|| panic!("no Explore line logseal {prefix}: {explore}"));
        let args: Vec<&str> = line.split_whitespace().skip(1).collect();
        ok(&logseal(&args, d, None))
    };
    let decisions = run("log demo/honest --kind appeal-decision");
    let decisions: Vec<&str> = decisions.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(decisions.len(), 1, "{decisions:?}");
    assert!(decisions[0].contains("human_review=false"), "{decisions:?}");
    assert!(decisions[0].contains("appeals#1"), "{decisions:?}");
    assert!(run("grep demo/honest AUTOMATED_DECISION_FULLY").contains(&format!("{sanction} ")));
    assert!(run("checkpoints demo/honest").contains("3702"));
    let mirrored = run("mirror demo/honest demo/copy");
    assert!(
        mirrored.contains("mirrored demo/honest to demo/copy: 3702 records;"),
        "{mirrored}"
    );
    assert!(d.join("demo/copy/public/checkpoint").is_file());
    assert!(!d.join("demo/copy/private").exists());
    assert!(run("log demo/honest --producer auditor-inspector").contains("auditor-inspector#0"));
    let again = run("subject demo/honest");
    assert!(again.contains("296 record(s) found"), "{again}");
    assert!(
        again.contains("this inspection is logged: leaf 3702 (auditor-inspector#1, data-access)"),
        "{again}"
    );
    // The on-site statistics over officials: logged as the third inspection, then counted.
    let stats = run("report demo/honest --sealed actor.user");
    assert!(
        stats.contains("this inspection is logged: leaf 3703 (auditor-inspector#2, data-access)"),
        "{stats}"
    );
    assert!(stats.contains("accesses per actor.user: "), "{stats}");
    // Step 13: both evidence bundles verify offline, the log copy they came from deleted;
    // the account case proves the missing statement of reasons from the bundle alone.
    assert!(
        !d.join("demo/court/log").exists(),
        "the log copy is deleted"
    );
    for (name, want) in [
        ("account-case.lsb", 3),
        ("subscriber-case.lsb", 0),
        // Step 14's export from the served log, against the trust file requiring both
        // witnesses on every checkpoint after day 30: the same case, and its newest
        // checkpoint cosigned by both.
        ("account-case-witnessed.lsb", 3),
    ] {
        let line = explore
            .lines()
            .find(|l| l.starts_with("  logseal bundle verify ") && l.contains(name))
            .unwrap_or_else(|| panic!("no Explore line for {name}: {explore}"));
        let args: Vec<&str> = line.split_whitespace().skip(1).collect();
        let o = logseal(&args, d, None);
        let out = text(&o.stdout);
        let last = out.lines().last().unwrap_or_default();
        assert!(
            last.starts_with("Verified: ") && last.contains(&format!("; {want} violation(s)")),
            "{name}: {out}"
        );
        assert_eq!(
            o.status.code(),
            Some(if want > 0 { 1 } else { 0 }),
            "{name}: {out}"
        );
        if want > 0 {
            assert!(out.contains("obligation-sor-missing"), "{out}");
        }
    }
    assert!(out.contains("13. evidence bundles for a court"), "{out}");
    // The log is a standard C2SP log: a verifier that knows nothing of logseal records
    // recomputes it from the public part, and proves the sanction in C2SP tlog-proof text.
    let tlog = run("tlog verify demo/honest/public");
    assert!(tlog.contains("result: holds"), "{tlog}");
    let proof = run("tlog prove demo/honest/public");
    assert!(proof.starts_with("c2sp.org/tlog-proof@v1\n"), "{proof}");
    // The account case for a person: the sentences of the case, from the bundle alone.
    let line = explore
        .lines()
        .find(|l| l.starts_with("  logseal bundle show ") && !l.contains("--html"))
        .expect("an Explore line for bundle show");
    let args: Vec<&str> = line.split_whitespace().skip(1).collect();
    let shown = text(&logseal(&args, d, None).stdout);
    for sentence in [
        "Account terminated, all services, indefinitely.",
        "Decided fully automatically; no human review.",
        "No statement of reasons was sent (proven: ",
    ] {
        assert!(shown.contains(sentence), "{sentence}: {shown}");
    }
    let line = explore
        .lines()
        .find(|l| l.starts_with("  logseal bundle show ") && l.contains("--html"))
        .expect("an Explore line for bundle show --html");
    let args: Vec<&str> = line.split_whitespace().skip(1).collect();
    logseal(&args, d, None);
    let html = std::fs::read_to_string(d.join("demo/court/account-case.html")).unwrap();
    assert!(
        html.contains("<html") && !html.contains("<script"),
        "{html}"
    );
    // The log with the inspections: no violation at the inspections' own records (they are
    // registered, chained and covered by a retention rule).
    let o = logseal(
        &[
            "verify",
            "demo/honest",
            "--trust",
            "demo/auditor/trust.json",
            "--json",
        ],
        d,
        None,
    );
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let at_inspector: Vec<&serde_json::Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["producer"] == "auditor-inspector" && f["verdict"] == "violated")
        .collect();
    assert!(at_inspector.is_empty(), "{at_inspector:?}");
    // Each inspection's record declares the one retention rule that covers it.
    let undeclared: Vec<&serde_json::Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "retention-rule-undeclared")
        .filter(|f| f["message"].as_str().unwrap().contains("audit-inspection"))
        .collect();
    assert!(undeclared.is_empty(), "{undeclared:?}");
    // The auditor can re-run the verification from the command line: violations, exit 1.
    let o = logseal(
        &[
            "verify",
            "demo/log",
            "--trust",
            "demo/auditor/trust.json",
            "--json",
        ],
        d,
        None,
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let codes: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"chain-seq-gap"), "{codes:?}");
    // Deterministic: a second run writes the same records, but for the ids of the data keys
    // its sweeps destroyed (data keys always come from the operating system's CSPRNG).
    ok(&logseal(&["demo", "--dir", "again"], d, None));
    let (a, b) = (
        common::tamper::entries(&d.join("demo/log")),
        common::tamper::entries(&d.join("again/log")),
    );
    assert_eq!(a.len(), b.len());
    let mut deletions = 0;
    for (x, y) in a.iter().zip(&b) {
        if x == y {
            continue;
        }
        let (x, y) = (common::tamper::decode(x), common::tamper::decode(y));
        let (mut px, mut py) = (x.payload().clone(), y.payload().clone());
        match (&mut px.body, &mut py.body) {
            (Body::RetentionDeletion(dx), Body::RetentionDeletion(dy)) => {
                assert_ne!(dx.shredded_key_id, dy.shredded_key_id);
                dy.shredded_key_id = dx.shredded_key_id;
            }
            _ => panic!("{} differs between two runs", px.kind()),
        }
        // Later records of the sweep's chain differ in prev only.
        py.prev = px.prev;
        assert_eq!(px, py);
        deletions += 1;
    }
    assert_eq!(deletions, 29);
    // And it refuses to write over an existing demo.
    let err = fails(&logseal(&["demo", "--dir", "demo"], d, None), 2);
    assert!(err.contains("already exists"), "{err}");
}

//! Writers of a served log: while `logseal serve` holds the log's sequencer lock, a logged
//! reveal (`show --disclose`, `subject`) appends its access record through the server, and
//! `retention apply` plans its sweep with the server, signs the records here and has the
//! server carry it out. The real binary on real logs; each outcome compared with the same
//! command run on a copy of the log that is not served.

mod common;

use std::path::Path;

use common::served::Served;
use common::tamper::honest_log;
use common::*;
use logseal::client::Client;
use logseal::log::Log;
use logseal::scenario;
use logseal::serve::sweep::{SweepCommit, SweepRequest, sign_plan};
use serde_json::Value;

/// The official's first query in the demo (a data-access record with sealed fields).
const QUERY: &str = "query-frontend#0";

fn json_of(o: &std::process::Output) -> Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", text(&o.stdout), text(&o.stderr)))
}

fn size(log: &Path) -> u64 {
    Log::open_read_only(log).unwrap().size()
}

/// A copy of the honest demo log in `tmp/log` with the inspector's key (registered when
/// `register`), the case reference and the value searched for.
fn inspector(register: bool) -> tempfile::TempDir {
    let tmp = inspector_copy(register);
    std::fs::write(tmp.path().join("case"), "COMPLAINT-2026-0042\n").unwrap();
    std::fs::write(tmp.path().join("value"), "Sjoerd IJzerman\n").unwrap();
    tmp
}

/// A second directory holding a copy of `from`'s log, inspector key and files.
fn twin(from: &Path) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&from.join("log"), &tmp.path().join("log"));
    for f in ["insp.key", "insp.pub", "case", "value"] {
        std::fs::copy(from.join(f), tmp.path().join(f)).unwrap();
    }
    tmp
}

fn show_disclose(d: &Path) -> std::process::Output {
    logseal(
        &[
            "show",
            "log",
            QUERY,
            "--disclose",
            "--inspector-key",
            "insp.key",
            "--purpose",
            "complaint-handling",
            "--legal-basis",
            "gdpr-art-6-1-c",
            "--case-ref-file",
            "case",
            "--json",
        ],
        d,
        None,
    )
}

fn subject(d: &Path) -> std::process::Output {
    logseal(
        &[
            "subject",
            "log",
            "--value-file",
            "value",
            "--inspector-key",
            "insp.key",
            "--purpose",
            "data-subject-request",
            "--legal-basis",
            "gdpr-art-15",
            "--case-ref-file",
            "case",
            "--json",
        ],
        d,
        None,
    )
}

/// The access record at `leaf` of the log in `d`: who logged it and what it names revealed.
fn access_record(d: &Path, leaf: u64) -> Value {
    let v = json_of(&logseal(
        &["show", "log", &leaf.to_string(), "--json"],
        d,
        None,
    ));
    assert_eq!(v["record"]["kind"], "data-access", "{v}");
    v
}

#[test]
fn a_reveal_while_served_logs_through_the_server_and_reveals_what_a_local_one_does() {
    let served_dir = inspector(true);
    let local_dir = twin(served_dir.path());
    let (s, l) = (served_dir.path(), local_dir.path());
    let server = Served::start(s, "log");
    assert_eq!(
        std::fs::read_to_string(s.join("log/private/serving")).unwrap(),
        format!("{}\n", server.url)
    );
    let before = size(&s.join("log"));
    assert_eq!(before, size(&l.join("log")));

    let served = json_of(&show_disclose(s));
    let local = json_of(&show_disclose(l));
    assert!(
        served["disclosed"]["subject"]["value"].is_string(),
        "{served}"
    );
    for key in ["disclosed", "access_logged", "record", "leaf"] {
        assert_eq!(served[key], local[key], "{key}");
    }
    // Appended by the server, durable and covered by its checkpoint.
    let logged = served["access_logged"]["leaf"].as_u64().unwrap();
    assert_eq!(logged, before);
    assert_eq!(served["access_logged"]["checkpoint_size"], before + 1);
    let client = Client::new(&server.url, std::time::Duration::from_secs(30));
    let note = logseal::note::parse_note(&client.checkpoint().unwrap()).unwrap();
    assert_eq!(
        logseal::checkpoint::Checkpoint::parse(&note.text)
            .unwrap()
            .size,
        before + 1
    );
    let revealed = find_key(&access_record(s, logged), "revealed");
    assert!(revealed.is_some());
    assert_eq!(revealed, find_key(&access_record(l, logged), "revealed"));

    // `subject` and `export --match-file` search the sealed-value index read-only: removed
    // here, it is rebuilt in memory and nothing of it is written to the private part (a
    // local search writes it). (The inspector's index of the public records, a cache any
    // reader keeps, may grow.)
    let sealed_index = |d: &Path| -> std::collections::BTreeSet<std::path::PathBuf> {
        let dir = d.join("log/private/index/sealed");
        match dir.exists() {
            true => files_in(&dir)
                .into_iter()
                .map(|p| p.strip_prefix(&dir).unwrap().to_path_buf())
                .collect(),
            false => Default::default(),
        }
    };
    for d in [s, l] {
        let _ = std::fs::remove_dir_all(d.join("log/private/index/sealed"));
    }
    let served = json_of(&subject(s));
    let local = json_of(&subject(l));
    assert!(
        !served["records"].as_array().unwrap().is_empty(),
        "{served}"
    );
    for key in ["records", "access_logged", "checkpoint_size", "refused"] {
        assert_eq!(served[key], local[key], "{key}");
    }
    assert_eq!(size(&s.join("log")), before + 2);
    assert!(
        sealed_index(s).is_empty(),
        "the sealed-value index was written"
    );
    assert!(!sealed_index(l).is_empty());

    // `export` logs its access through the server and writes the same bundle's records.
    let export = |d: &Path| {
        let out = ok(&logseal(
            &[
                "export",
                "log",
                "--out",
                "found.lsb",
                "--match-file",
                "value",
                "--disclose",
                "subject",
                "--inspector-key",
                "insp.key",
                "--purpose",
                "court-order",
                "--legal-basis",
                "gdpr-art-6-1-c",
                "--case-ref-file",
                "case",
            ],
            d,
            None,
        ));
        // The last figure, the bundle's size in bytes, varies with the signatures' times.
        out.rsplit_once(", ").unwrap().0.to_string()
    };
    let served = export(s);
    assert!(
        served.starts_with(&format!("this inspection is logged: leaf {}", before + 2)),
        "{served}"
    );
    assert_eq!(served, export(l));
    assert_eq!(size(&s.join("log")), before + 3);
    assert!(
        sealed_index(s).is_empty(),
        "the sealed-value index was written"
    );
}

/// The first value under `key` anywhere in `v`.
fn find_key(v: &Value, key: &str) -> Option<Value> {
    match v {
        Value::Object(m) => m
            .get(key)
            .cloned()
            .or_else(|| m.values().find_map(|x| find_key(x, key))),
        Value::Array(a) => a.iter().find_map(|x| find_key(x, key)),
        _ => None,
    }
}

/// POST `body` to `path` of the server at `url` (`http://HOST:PORT`); the status.
fn post_status(url: &str, path: &str, body: &str) -> u16 {
    use std::io::{Read, Write};
    let host = url.strip_prefix("http://").unwrap();
    let mut s = std::net::TcpStream::connect(host).unwrap();
    write!(
        s,
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    answer[9..12].parse().unwrap()
}

#[test]
fn nothing_is_revealed_when_the_server_is_unreachable_or_refuses() {
    // The lock held (here, by this test) and the file naming a server that does not answer.
    let tmp = inspector(true);
    let d = tmp.path();
    let value = {
        let l = Log::open_read_only(&d.join("log")).unwrap();
        let leaf = json_of(&logseal(&["show", "log", QUERY, "--json"], d, None))["leaf"]
            .as_u64()
            .unwrap();
        match &l.disclosures(leaf).unwrap()[0].value {
            logseal::record::SealedValue::Text(s) => s.clone(),
            other => panic!("{other:?}"),
        }
    };
    let before = size(&d.join("log"));
    let held = Log::open(&d.join("log")).unwrap();
    let err = fails(&show_disclose(d), 2);
    assert!(err.contains("Nothing was revealed"), "{err}");
    assert!(
        err.contains("does not answer") || err.contains("no "),
        "{err}"
    );
    // A server that is not there.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", dead.local_addr().unwrap());
    drop(dead);
    std::fs::write(d.join("log/private/serving"), format!("{url}\n")).unwrap();
    let o = show_disclose(d);
    let err = fails(&o, 2);
    assert!(
        err.contains(&url) && err.contains("Nothing was revealed"),
        "{err}"
    );
    assert!(!text(&o.stdout).contains(&value));
    let o = subject(d);
    fails(&o, 2);
    assert!(!text(&o.stdout).contains("Sjoerd"));
    drop(held);
    assert_eq!(size(&d.join("log")), before);

    // A server that refuses the access record (the inspector's key is not registered).
    let tmp = inspector(false);
    let d = tmp.path();
    let before = size(&d.join("log"));
    let _server = Served::start(d, "log");
    let o = show_disclose(d);
    let err = fails(&o, 1);
    assert!(
        err.contains("HTTP 403") && err.contains("nothing is revealed"),
        "{err}"
    );
    assert!(!text(&o.stdout).contains(&value));
    assert_eq!(size(&d.join("log")), before);
}

#[test]
fn a_server_of_a_copy_of_the_log_cannot_make_a_reveal_pass_as_logged() {
    // The lock held by another writer, and DIR/private/serving naming a server of a copy of
    // the log (same key, same origin, same checkpoint so far): the access record lands in
    // the copy, never in this directory, so nothing is revealed here.
    let tmp = inspector(true);
    let d = tmp.path();
    let other = twin(d);
    let value = {
        let l = Log::open_read_only(&d.join("log")).unwrap();
        let leaf = json_of(&logseal(&["show", "log", QUERY, "--json"], d, None))["leaf"]
            .as_u64()
            .unwrap();
        match &l.disclosures(leaf).unwrap()[0].value {
            logseal::record::SealedValue::Text(s) => s.clone(),
            other => panic!("{other:?}"),
        }
    };
    let before = size(&d.join("log"));
    let server = Served::start(other.path(), "log");
    let held = Log::open(&d.join("log")).unwrap();
    std::fs::write(d.join("log/private/serving"), format!("{}\n", server.url)).unwrap();
    let o = show_disclose(d);
    let err = fails(&o, 1);
    assert!(
        err.contains("is not proven in this log directory")
            && err.contains("nothing is revealed")
            && err.contains("does not include leaf"),
        "{err}"
    );
    assert!(!text(&o.stdout).contains(&value));
    drop(held);
    assert_eq!(size(&d.join("log")), before);
    // The copy did get the record: the server was real, just not this log's.
    assert_eq!(size(&other.path().join("log")), before + 1);
}

/// Days 0–8 of the scenario's honest log in `dir/log` and the sweep's and the legal desk's
/// keys.
fn sweepable(dir: &Path) {
    honest_log(&dir.join("log"), Some(9));
    key_file(dir, scenario::SWEEP);
    key_file(dir, "legal-desk");
}

const AT: &str = "2026-03-10T00:00:00Z";

fn apply(d: &Path) -> std::process::Output {
    logseal(
        &[
            "retention",
            "apply",
            "log",
            "--executor-key",
            "retention-sweep.key",
            "--at",
            AT,
        ],
        d,
        None,
    )
}

/// The root of the checkpoint the log in `d` publishes.
fn root(d: &Path) -> ([u8; 32], u64) {
    let note = std::fs::read(d.join("log/public/checkpoint")).unwrap();
    let n = logseal::note::parse_note(&note).unwrap();
    let c = logseal::checkpoint::Checkpoint::parse(&n.text).unwrap();
    (c.root, c.size)
}

#[test]
fn a_sweep_while_served_erases_what_a_local_sweep_does() {
    let served_dir = tempfile::tempdir().unwrap();
    let local_dir = tempfile::tempdir().unwrap();
    let (s, l) = (served_dir.path(), local_dir.path());
    sweepable(s);
    // The same log (its data keys are drawn at random when it is written).
    copy_dir(&s.join("log"), &l.join("log"));
    key_file(l, scenario::SWEEP);
    let local = ok(&apply(l));
    let server = Served::start(s, "log");
    let served = ok(&apply(s));
    assert_eq!(served, local);
    assert!(
        served.contains("erased 48 disclosures of 24 records"),
        "{served}"
    );
    drop(server);
    // The same deletion records (signatures are deterministic): the same tree.
    assert_eq!(root(s), root(l));
    // The same disclosures erased: none of the due records opens in either.
    let (ls, ll) = (
        Log::open_read_only(&s.join("log")).unwrap(),
        Log::open_read_only(&l.join("log")).unwrap(),
    );
    for leaf in 0..ls.size() {
        assert_eq!(
            ls.disclosures(leaf).unwrap(),
            ll.disclosures(leaf).unwrap(),
            "leaf {leaf}"
        );
    }
    // Check 7 sees the erasure with its records, on the log swept through the server as on
    // the one swept locally.
    let check7 = |d: &Path| {
        let mut t = serde_json::to_value(common::tamper::trust().file).unwrap();
        t["retention_policy_authority"] = Value::from(scenario::POLICY_AUTHORITY);
        std::fs::write(d.join("trust.json"), t.to_string()).unwrap();
        let v = json_of(&logseal(
            &["verify", "log", "--trust", "trust.json", "--json"],
            d,
            None,
        ));
        let found: Vec<(String, String)> = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["check"] == 7)
            .map(|f| (f["code"].to_string(), f["verdict"].to_string()))
            .collect();
        (found, v["retention"]["counts"].clone())
    };
    let (found, counts) = check7(s);
    assert!(
        !found.iter().any(|(c, _)| c.contains("without-record")),
        "{found:?}"
    );
    assert_eq!(counts["erased_and_covered"], 24, "{counts}");
    assert_eq!((found, counts), check7(l));
}

#[test]
fn a_sweep_that_changed_between_its_two_steps_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    sweepable(d);
    let server = Served::start(d, "log");
    let client = Client::new(&server.url, std::time::Duration::from_secs(60));
    let log = Log::open_read_only(&d.join("log")).unwrap();
    let (origin, alg) = (log.origin().to_string(), log.alg());
    let before = log.size();
    drop(log);
    let request = SweepRequest {
        executor: scenario::SWEEP.into(),
        at: AT.into(),
        grace_ms: 0,
        retention_policy_authority: None,
    };
    let plan = client.sweep_plan(&request).unwrap();
    assert_eq!(plan.size, before);
    assert!(!plan.bodies.is_empty());
    let key = scenario::secret_key(scenario::SWEEP);
    let signed = |plan: &logseal::serve::sweep::SweepPlan, key| {
        sign_plan(plan, key, &origin, alg)
            .unwrap()
            .iter()
            .map(|r| hex::encode(&r.record))
            .collect::<Vec<_>>()
    };
    let status = |c: &SweepCommit| client.sweep_commit(c).unwrap_err().status();

    // Signed by a key not registered for the executor: refused before anything is walked.
    let other = scenario::secret_key("legal-desk");
    let commit = SweepCommit {
        request: request.clone(),
        records: signed(&plan, &other),
    };
    assert_eq!(status(&commit), Some(403));
    // The records of another time than the one asked for now.
    let later = SweepRequest {
        at: "2026-03-10T01:00:00Z".into(),
        ..request.clone()
    };
    let commit = SweepCommit {
        request: later,
        records: signed(&plan, &key),
    };
    let err = client.sweep_commit(&commit).unwrap_err();
    assert_eq!(err.status(), Some(409), "{err}");
    assert!(err.to_string().contains("ask for the plan again"), "{err}");
    // The log swept in between (by the command, through the server): the plan is stale.
    ok(&apply(d));
    let commit = SweepCommit {
        request: request.clone(),
        records: signed(&plan, &key),
    };
    assert_eq!(status(&commit), Some(409));
    // Swept again through the server: nothing left to erase.
    let again = ok(&apply(d));
    assert!(again.ends_with("\nnothing to erase\n"), "{again}");
    // Nothing of the refused commits was appended: only the command's sweep.
    let after = client.sweep_plan(&request).unwrap();
    assert!(after.bodies.is_empty(), "{after:?}");
    assert_eq!(after.size, before + plan.bodies.len() as u64);
    // Malformed bodies.
    assert_eq!(post_status(&server.url, "/sweep/commit", "{}"), 400);
    assert_eq!(post_status(&server.url, "/sweep/plan", "[1]"), 400);
}

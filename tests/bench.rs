//! `logseal bench`, the real binary on a small log (the CI's smoke run of it): every figure
//! present and positive, each verify run what its label says (checks run, records read,
//! every record authentic) with its peak memory, and its directory rules. No time is
//! asserted: benchmarks are not tests.
//!
//! The generated log carries the demo scenario's planted findings (a heartbeat counter
//! that does not match, the obligation violations the demo shows, and disclosures kept past
//! their deadline: no retention sweep runs), so the verify runs do report violations; the
//! test asserts that they are those and no others (the bulk records add none).

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

/// A little above the scenario's minimum (3,675 records).
const RECORDS: u64 = 4000;

fn bench(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_logseal"))
        .arg("bench")
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("run logseal bench")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Violation codes the demo scenario's own records produce.
fn planted(code: &str) -> bool {
    code == "heartbeat-counter-mismatch"
        || code == "retention-kept-too-long"
        || code.starts_with("obligation-")
}

#[test]
fn bench_measures_every_figure_against_the_ceiling() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("b");
    let o = bench(
        &[
            "--records",
            &RECORDS.to_string(),
            "--dir",
            dir.to_str().expect("UTF-8"),
            "--json",
        ],
        tmp.path(),
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "stdout: {}\nstderr: {}",
        text(&o.stdout),
        text(&o.stderr)
    );
    let r: Value = serde_json::from_slice(&o.stdout).expect("JSON");

    let m = &r["machine"];
    assert!(m["cores"].as_u64().expect("cores") >= 1);
    let debug = cfg!(debug_assertions);
    assert_eq!(m["profile"], if debug { "debug" } else { "release" });
    assert_eq!(
        r["warning"].is_string(),
        debug,
        "a debug build says so: {r}"
    );
    assert!(
        m["command"]
            .as_str()
            .expect("command")
            .contains("bench --records 4000")
    );
    assert!(m["date"].as_str().expect("date").ends_with('Z'));

    let log = &r["log"];
    assert_eq!(log["records"], RECORDS);
    assert_eq!(log["added"], RECORDS / 100);
    assert_eq!(log["checkpoints"], 30);
    assert_eq!(log["kept"], true);
    assert!(
        dir.join("synth/log/public/checkpoint").is_file(),
        "--dir is kept"
    );

    let figures = r["figures"].as_array().expect("figures");
    let names: Vec<&str> = figures
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "ceiling",
            "append",
            "verify-public",
            "verify-private",
            "verify-since"
        ]
    );
    for f in figures {
        for key in ["records", "seconds", "records_per_sec", "ratio_to_ceiling"] {
            let v = f[key].as_f64().unwrap_or(0.0);
            assert!(v > 0.0, "{} {key} = {v}: {f}", f["name"]);
        }
    }
    let ceiling = &figures[0];
    assert_eq!(ceiling["ratio_to_ceiling"], 1.0);
    let rate = ceiling["records_per_sec"].as_f64().unwrap();
    let ratio = figures[2]["records_per_sec"].as_f64().unwrap() / rate;
    assert!((figures[2]["ratio_to_ceiling"].as_f64().unwrap() - ratio).abs() < 1e-9);
    assert!(ceiling["records"].as_u64().unwrap() <= RECORDS);
    // Every record of the log went through the timed Log::append.
    assert_eq!(figures[1]["records"], RECORDS);

    let runs = [
        ("verify-public", vec![1, 2, 3, 4, 5, 6], RECORDS),
        ("verify-private", vec![1, 2, 3, 4, 5, 6, 7, 8], RECORDS),
        ("verify-since", vec![1, 2, 3, 4, 5, 6, 7], RECORDS / 100),
    ];
    for (f, (name, checks, read)) in figures[2..].iter().zip(runs) {
        assert_eq!(f["name"], name);
        let v = &f["verify"];
        let ran: Vec<u64> = v["checks_run"]
            .as_array()
            .expect("checks_run")
            .iter()
            .map(|c| c.as_u64().unwrap())
            .collect();
        assert_eq!(ran, checks, "{name}: {v}");
        assert_eq!(v["records_checked"], read, "{name}: {v}");
        assert_eq!(f["records"], read, "{name}");
        assert_eq!(v["authentic"], true, "{name}: checks 2 and 3 hold: {v}");
        for code in v["violation_codes"].as_array().expect("codes") {
            let c = code[0].as_str().expect("code");
            assert!(
                planted(c),
                "{name}: a violation the scenario does not plant: {v}"
            );
        }
        if cfg!(target_os = "linux") {
            let rss = f["peak_rss_bytes"].as_u64().expect("peak RSS measured");
            assert!(
                (1 << 20..1 << 34).contains(&rss),
                "{name}: peak RSS {rss} bytes"
            );
            assert!(
                dir.join(format!("peak-rss-{name}")).is_file(),
                "{name}: the child wrote its own peak"
            );
        }
    }
    // The public-part run sees no private part: its findings are of checks 1-6 only.
    let public = &figures[2]["verify"]["violation_codes"];
    assert!(
        public
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c[0] == "heartbeat-counter-mismatch"),
        "{public}"
    );
}

#[test]
fn bench_refuses_a_non_empty_dir_and_too_few_records() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("busy");
    std::fs::create_dir(&dir).expect("mkdir");
    std::fs::write(dir.join("notes.txt"), "mine").expect("write");
    let o = bench(&["--records", "4000", "--dir", "busy"], tmp.path());
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    assert!(
        err.contains("busy") && err.contains("exists and is not empty"),
        "{err}"
    );
    let left: Vec<_> = std::fs::read_dir(&dir).expect("read").collect();
    assert_eq!(left.len(), 1, "nothing written into the refused directory");

    let o = bench(&["--records", "100"], tmp.path());
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(
        err.contains("--records 100") && err.contains("too few"),
        "{err}"
    );
}

/// Every file under `dir`, by relative path, with its bytes.
fn files(dir: &Path) -> std::collections::BTreeMap<std::path::PathBuf, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).expect("read_dir") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                todo.push(p);
            } else {
                let rel = p.strip_prefix(dir).expect("below").to_path_buf();
                out.insert(rel, std::fs::read(&p).expect("read"));
            }
        }
    }
    out
}

/// `xtask synth-log` writes the same generator's log (`logseal::synth`), deterministically:
/// two runs give the same public part and keys, byte for byte.
#[test]
fn xtask_synth_log_is_deterministic() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut public = Vec::new();
    for name in ["a", "b"] {
        let dir = tmp.path().join(name);
        let o = Command::new(env!("CARGO_BIN_EXE_xtask"))
            .args([
                "synth-log",
                dir.to_str().expect("UTF-8"),
                "--records",
                "4000",
            ])
            .output()
            .expect("run xtask");
        assert!(o.status.success(), "{}", text(&o.stderr));
        assert_eq!(
            text(&o.stdout),
            format!(
                "{}: 4000 records, 30 checkpoints, keys in {}\n",
                dir.join("log").display(),
                dir.join("keys").display()
            )
        );
        public.push((files(&dir.join("log/public")), files(&dir.join("keys"))));
    }
    assert!(public[0].0.len() > 30, "tiles, bundles, checkpoints");
    assert!(public[0] == public[1], "the same records give the same log");
    let o = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["synth-log", tmp.path().join("a").to_str().unwrap()])
        .output()
        .expect("run xtask");
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("exists"), "{}", text(&o.stderr));
}

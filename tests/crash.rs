//! Crash safety: kill -9 a writer in a loop. During large appends: no acknowledged record is
//! lost, every batch is all-or-nothing, and the log reopens, continues and verifies. During a
//! retention sweep: the log reopens in the old state (nothing erased, no record) or the new
//! (erased and recorded), never a mix, and a second sweep completes the job.
//! Bounded to well under a minute.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use logseal::log::Log;
use logseal::note::Ed25519NoteKey;
use logseal::record::kinds::Body;
use logseal::record::{Disclosure, Record};
use logseal::scenario;

#[test]
fn kill_9_during_appends_loses_no_acknowledged_record() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    setup_log(d);
    const BATCH: usize = 1500;
    std::fs::write(d.join("batch.jsonl"), lines((0..BATCH).map(query))).unwrap();

    // Acknowledged receipts: leaf index -> leaf hash (printed only once durable).
    let mut acked: BTreeMap<u64, String> = BTreeMap::new();
    let mut killed = 0;
    let mut completed = 0;
    let started = Instant::now();
    let mut round: u64 = 0;
    while (killed < 8 || completed < 3) && started.elapsed() < Duration::from_secs(40) {
        round += 1;
        let mut child = Command::new(env!("CARGO_BIN_EXE_logseal"))
            .args([
                "append",
                "log",
                "--in",
                "batch.jsonl",
                "--producer-key",
                "qf.key",
                "--json",
            ])
            .current_dir(d)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Kill at a pseudo-random moment (deterministic per round), or let every 4th finish.
        let finish = round.is_multiple_of(4);
        if !finish {
            let delay = 20 + (round * 7919) % 550;
            std::thread::sleep(Duration::from_millis(delay));
            let _ = child.kill(); // SIGKILL
        }
        let out = child.wait_with_output().unwrap();
        if out.status.success() {
            completed += 1;
            for line in text(&out.stdout).lines() {
                let v: serde_json::Value = serde_json::from_str(line).unwrap();
                acked.insert(
                    v["leaf_index"].as_u64().unwrap(),
                    v["leaf_hash"].as_str().unwrap().to_string(),
                );
            }
        } else {
            killed += 1;
            assert!(
                out.status.code().is_none(),
                "append failed on its own: {}",
                text(&out.stderr)
            );
        }
    }
    assert!(
        killed >= 1 && completed >= 1,
        "killed {killed}, completed {completed}"
    );

    // The log reopens as sequencer (the dead writer's lock is gone) and continues.
    ok(&logseal(
        &["append", "log", "--in", "-", "--producer-key", "qf.key"],
        d,
        Some(&lines((0..3).map(query))),
    ));
    ok(&logseal(&["checkpoint", "log"], d, None));

    let log = Log::open_read_only(&d.join("log")).unwrap();
    let size = log.size();
    // Batches are all-or-nothing: 1 registration + whole batches + the 3 above.
    assert_eq!((size - 1 - 3) % BATCH as u64, 0, "size {size}");
    let reader = log.reader();
    // Every acknowledged record is there, unchanged.
    for (index, hash) in &acked {
        assert_eq!(
            &hex::encode(reader.leaf_hash(*index, size).unwrap()),
            hash,
            "leaf {index}"
        );
    }
    // The tree in the tiles is the tree of the entries, and the chain is whole.
    let mut leaves = Vec::new();
    let mut next_seq = 0;
    reader
        .for_each_entry(size, 0, size, |i, bytes| {
            leaves.push(log.alg().leaf(bytes));
            let r = Record::decode(bytes).unwrap();
            if i > 0 {
                assert_eq!(r.payload().seq, next_seq, "leaf {i}");
                next_seq += 1;
            }
            Ok(())
        })
        .unwrap();
    assert_eq!(leaves.len() as u64, size);
    assert_eq!(
        log.alg().root_from_leaves(&leaves),
        reader.root(size).unwrap()
    );
    assert_eq!(log.alg().root_from_leaves(&leaves), log.state().root.0);
    let proof = ok(&logseal(
        &[
            "prove",
            "inclusion",
            "log",
            "--index",
            &(size - 1).to_string(),
        ],
        d,
        None,
    ));
    let o = logseal(
        &["prove", "check", "-", "--log-key", "logkey.pub"],
        d,
        Some(&proof),
    );
    ok(&o);
}

/// The sweep time: days 0–7 of the SMALL scenario's uploads are due (24 records, 8 keys).
const SWEEP_AT: &str = "2026-03-10T00:00:00Z";
/// Scenario days in the log: two more than fall due, so some uploads must survive the sweep.
const SWEEP_DAYS: usize = 10;

fn sweep_args() -> [&'static str; 7] {
    [
        "retention",
        "apply",
        "log",
        "--executor-key",
        "retention-sweep.key",
        "--at",
        SWEEP_AT,
    ]
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let t = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &t);
        } else {
            std::fs::copy(e.path(), t).unwrap();
        }
    }
}

/// Leaves listed as due or overdue by `retention plan --json`.
fn plan_due(dir: &Path) -> Vec<u64> {
    let out = ok(&logseal(
        &["retention", "plan", "log", "--at", SWEEP_AT, "--json"],
        dir,
        None,
    ));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let mut due: Vec<u64> = ["due", "overdue"]
        .iter()
        .flat_map(|s| v[s].as_array().unwrap_or_else(|| panic!("no {s} in {out}")))
        .map(|i| i["leaf"].as_u64().unwrap())
        .collect();
    due.sort();
    due
}

/// The upload-gateway's data-access leaves and their disclosures.
fn upload_disclosures(log: &Log) -> BTreeMap<u64, Vec<Disclosure>> {
    upload_leaves(log)
        .into_iter()
        .map(|l| (l, log.disclosures(l).unwrap()))
        .collect()
}

/// Which state a recovered log is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SweepState {
    Old,
    New,
}

/// The sweep's invariant on a recovered copy: old state or new, never a mix; the uploads
/// not due are readable either way. `Err` says what is wrong.
fn sweep_state(
    log_dir: &Path,
    base_size: u64,
    before: &BTreeMap<u64, Vec<Disclosure>>,
    due: &[u64],
) -> Result<SweepState, String> {
    let log = Log::open(log_dir).map_err(|e| format!("Log::open: {e}"))?;
    if log_dir.join("private").join("sweep").exists() {
        return Err("private/sweep survived Log::open".into());
    }
    let now = upload_disclosures(&log);
    let readable: Vec<u64> = due.iter().copied().filter(|l| !now[l].is_empty()).collect();
    for (leaf, ds) in before.iter().filter(|(l, _)| !due.contains(l)) {
        if &now[leaf] != ds {
            return Err(format!("leaf {leaf} (not due) lost its disclosures"));
        }
    }
    let size = log.size();
    if size == base_size {
        if readable.len() != due.len() {
            let gone: Vec<_> = due.iter().filter(|l| !readable.contains(l)).collect();
            return Err(format!(
                "no record appended, yet leaves {gone:?} lost their disclosures"
            ));
        }
        for l in due {
            if now[l] != before[l] {
                return Err(format!("leaf {l}: disclosures changed without a record"));
            }
        }
        return Ok(SweepState::Old);
    }
    let mut named = Vec::new();
    log.reader()
        .for_each_entry(size, base_size, size, |leaf, bytes| {
            match &Record::decode(bytes).unwrap().payload().body {
                Body::RetentionDeletion(d) => {
                    named.extend(d.targets.iter().flat_map(|t| t.first..=t.last))
                }
                other => panic!("leaf {leaf}: {other:?} is not a retention deletion"),
            }
            Ok(())
        })
        .unwrap();
    named.sort();
    if named != due {
        return Err(format!(
            "size {base_size} -> {size}: the records name {named:?}, due are {due:?}"
        ));
    }
    if !readable.is_empty() {
        return Err(format!(
            "deletions recorded, yet leaves {readable:?} are still readable"
        ));
    }
    Ok(SweepState::New)
}

#[test]
fn kill_9_during_retention_sweep_leaves_old_or_new_state() {
    let tmp = tempfile::tempdir().unwrap();
    let base = tmp.path().join("base");
    common::tamper::honest_log(&base.join("log"), Some(SWEEP_DAYS));
    let k = Ed25519NoteKey::new(scenario::SWEEP, scenario::secret_key(scenario::SWEEP)).unwrap();
    std::fs::write(
        base.join("retention-sweep.key"),
        format!("{}\n", k.to_skey()),
    )
    .unwrap();
    let due = plan_due(&base);
    let (base_size, before) = {
        let log = Log::open_read_only(&base.join("log")).unwrap();
        (log.size(), upload_disclosures(&log))
    };
    assert_eq!(due.len(), 24, "{due:?}");
    assert!(due.iter().all(|l| !before[l].is_empty()));
    assert!(before.len() > due.len(), "nothing survives the sweep");

    // Calibrate: one uninterrupted sweep, process start to exit.
    let copy = |n: u32| -> PathBuf {
        let d = tmp.path().join(format!("run{n}"));
        copy_tree(&base, &d);
        d
    };
    let d = copy(0);
    let t0 = Instant::now();
    ok(&logseal(&sweep_args(), &d, None));
    let full = t0.elapsed();
    assert_eq!(
        sweep_state(&d.join("log"), base_size, &before, &due),
        Ok(SweepState::New)
    );
    std::fs::remove_dir_all(&d).unwrap();
    // The check sees a mix: one due group's key destroyed without a record.
    let d = copy(0);
    let keys = d.join("log/private/keys/nl-ciot-latest-upload@1~2026-03-01");
    assert!(keys.is_dir(), "{}", keys.display());
    std::fs::remove_dir_all(&keys).unwrap();
    let mix = sweep_state(&d.join("log"), base_size, &before, &due);
    assert!(
        mix.as_ref()
            .is_err_and(|e| e.starts_with("no record appended, yet leaves")),
        "{mix:?}"
    );
    std::fs::remove_dir_all(&d).unwrap();

    // Kill after delays spread from 0 to 1.2 × the full run (golden-ratio sequence: every
    // prefix covers the range evenly), until both states were seen after a kill: the old (killed
    // before the commit) and the new (killed after it, or ran to completion before the kill).
    let started = Instant::now();
    let (mut old, mut new, mut completed) = (0u32, 0u32, 0u32);
    let mut recovered = Vec::new();
    let mut n = 0u32;
    while n < 16 || ((old == 0 || new <= completed) && started.elapsed() < Duration::from_secs(12))
    {
        n += 1;
        let frac = (f64::from(n) * 0.618_033_988_75).fract();
        let delay = full.mul_f64(1.2 * frac);
        let d = copy(n);
        let mut child = Command::new(env!("CARGO_BIN_EXE_logseal"))
            .args(sweep_args())
            .current_dir(&d)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        let _ = child.kill(); // SIGKILL
        let out = child.wait_with_output().unwrap();
        let killed = out.status.code().is_none();
        assert!(
            killed || out.status.success(),
            "round {n}: the sweep failed on its own: {}",
            text(&out.stderr)
        );
        completed += u32::from(!killed);
        let interrupted = d.join("log/private/sweep").exists();
        let state = sweep_state(&d.join("log"), base_size, &before, &due)
            .unwrap_or_else(|e| panic!("round {n}, killed after {delay:?}: {e}"));
        match state {
            SweepState::Old => old += 1,
            SweepState::New => new += 1,
        }
        if interrupted {
            recovered.push(state);
        }
        // A second sweep completes the job; nothing is due after it.
        ok(&logseal(&sweep_args(), &d, None));
        assert_eq!(
            sweep_state(&d.join("log"), base_size, &before, &due),
            Ok(SweepState::New),
            "round {n}: after the second sweep"
        );
        assert_eq!(plan_due(&d), Vec::<u64>::new(), "round {n}");
        std::fs::remove_dir_all(&d).unwrap();
    }
    eprintln!(
        "sweep {full:?} uninterrupted; {n} rounds in {:?}: {old} old, {new} new \
         ({completed} ran to completion); Log::open recovered mid-sweep kills into {recovered:?}",
        started.elapsed()
    );
    assert!(
        old > 0 && new > completed,
        "{n} rounds: {old} old, {new} new of which {completed} ran to completion"
    );
}

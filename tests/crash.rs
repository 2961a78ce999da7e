//! Crash safety: kill -9 a writer in a loop during large appends. No acknowledged record is
//! lost, every batch is all-or-nothing, and the log reopens, continues and verifies.
//! Bounded to well under a minute.

mod common;

use std::collections::BTreeMap;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use logseal::log::Log;
use logseal::record::Record;

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

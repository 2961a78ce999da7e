//! The binary public index (`private/index/public.idx`, format 2) under attack and damage:
//! truncated, bit-flipped, emptied, headerless or a leftover format-1 file is rebuilt from the
//! log (and says why); a well-formed index that lies (checksum recomputed) about
//! `producer#seq`, time spans or kinds never makes `show` or `log` print a record that is not
//! the one asked for or does not pass the filter. Driven through the real binary on a copy of
//! the demo's log.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use logseal::inspect::PublicIndex;
use serde_json::Value;

fn honest_copy() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let to = tmp.path().join("log");
    copy_dir(&shared_demo().join("demo/honest"), &to);
    (tmp, to)
}

/// The size of the log in `log` (what a rebuilt index covers).
fn size_of(log: &Path) -> u64 {
    logseal::log::Log::open_read_only(log).unwrap().size()
}

fn index_path(log: &Path) -> PathBuf {
    log.join("private/index/public.idx")
}

fn json_of(o: &std::process::Output) -> Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", text(&o.stdout), text(&o.stderr)))
}

/// The commands compared: a record by `producer#seq`, the newest records, a rare kind, a
/// narrow time window.
fn probes() -> Vec<Vec<&'static str>> {
    vec![
        vec!["show", "log", "notifier#3", "--json"],
        vec!["show", "log", "query-frontend#1500", "--json"],
        vec!["log", "log", "--limit", "20", "--json"],
        vec!["log", "log", "--kind", "appeal-decision", "--json"],
        vec![
            "log",
            "log",
            "--since",
            "2026-03-17T10:00:00Z",
            "--until",
            "2026-03-17T11:00:00Z",
            "--json",
        ],
    ]
}

/// Each probe's standard output, and its standard error.
fn outputs(d: &Path) -> Vec<(String, String)> {
    probes()
        .iter()
        .map(|args| {
            let o = logseal(args, d, None);
            (ok(&o), text(&o.stderr))
        })
        .collect()
}

#[test]
fn a_damaged_index_is_rebuilt_and_show_and_log_print_the_same_records() {
    let (tmp, log) = honest_copy();
    let d = tmp.path();
    let _ = std::fs::remove_dir_all(log.join("private/index"));
    let reference: Vec<String> = outputs(d).into_iter().map(|(o, _)| o).collect();
    let good = std::fs::read(index_path(&log)).unwrap();
    assert!(good.starts_with(b"LSPUBIDX"));

    let mut flipped = good.clone();
    let mid = flipped.len() / 2;
    flipped[mid] ^= 0x40;
    let mut headless = good.clone();
    headless[0] = b'X';
    let damages: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "truncated",
            good[..good.len() / 2].to_vec(),
            "checksum mismatch",
        ),
        (
            "cut into the header",
            good[..40].to_vec(),
            "no LSPUBIDX header",
        ),
        ("one bit flipped", flipped, "checksum mismatch"),
        ("no magic", headless, "no LSPUBIDX header"),
        ("empty", Vec::new(), "no LSPUBIDX header"),
    ];
    for (what, bytes, why) in damages {
        std::fs::write(index_path(&log), &bytes).unwrap();
        let got = outputs(d);
        let rebuilt = format!(
            "rebuilt from the log for size {} (unreadable: ",
            size_of(&log)
        );
        assert!(
            got[0].1.contains(&rebuilt) && got[0].1.contains(why),
            "{what}: {}",
            got[0].1
        );
        for (i, (out, _)) in got.iter().enumerate() {
            assert_eq!(out, &reference[i], "{what}: {:?}", probes()[i]);
        }
        assert_eq!(std::fs::read(index_path(&log)).unwrap(), good, "{what}");
    }
}

#[test]
fn a_well_formed_index_that_lies_never_makes_show_or_log_print_a_wrong_record() {
    let (tmp, log) = honest_copy();
    let d = tmp.path();
    let _ = std::fs::remove_dir_all(log.join("private/index"));
    let reference: Vec<String> = outputs(d).into_iter().map(|(o, _)| o).collect();
    let good = PublicIndex::decode(&std::fs::read(index_path(&log)).unwrap()).unwrap();

    // Every producer#seq points at the next leaf; every bundle claims the times and kinds of
    // another; every id names leaf 0. The checksum is recomputed: only the contents lie.
    let mut lying = good.clone();
    for pairs in lying.seqs.values_mut() {
        for p in pairs.iter_mut() {
            p[1] += 1;
        }
    }
    lying.bundle_times.rotate_left(3);
    lying.bundle_kinds.rotate_left(5);
    for (_, leaf) in lying.ids.iter_mut() {
        *leaf = 0;
    }
    std::fs::write(index_path(&log), lying.encode()).unwrap();

    // `show` by producer#seq: the hit does not hold, the index is rebuilt, the right record.
    let o = logseal(&probes()[0], d, None);
    assert_eq!(ok(&o), reference[0]);
    assert!(
        text(&o.stderr).contains("(a hit did not hold: leaf "),
        "{}",
        text(&o.stderr)
    );
    let shown = json_of(&o);
    assert_eq!(
        (
            shown["chain"]["producer"].as_str(),
            shown["chain"]["seq"].as_u64()
        ),
        (Some("notifier"), Some(3)),
        "{shown:#}"
    );

    // `log` with a kind and a time window read through the lying spans and kinds: whatever
    // it lists passes the filter (it may miss records: the index can hide, never forge).
    std::fs::write(index_path(&log), lying.encode()).unwrap();
    let kinds = json_of(&logseal(&probes()[3], d, None));
    for r in kinds["records"].as_array().unwrap() {
        assert_eq!(r["kind"], "appeal-decision", "{r:#}");
    }
    let window = json_of(&logseal(&probes()[4], d, None));
    for r in window["records"].as_array().unwrap() {
        let t = r["time"].as_str().unwrap();
        assert!(
            ("2026-03-17T10:00:00.000Z"..="2026-03-17T11:00:00.000Z").contains(&t),
            "{r:#}"
        );
    }
}

#[test]
fn the_format_1_json_index_is_replaced_by_the_binary_one() {
    let (tmp, log) = honest_copy();
    let d = tmp.path();
    let dir = log.join("private/index");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("public.json"), b"{\"format\": 1}").unwrap();
    let o = logseal(
        &["log", "log", "--kind", "appeal-decision", "--limit", "1"],
        d,
        None,
    );
    let missing = format!("rebuilt from the log for size {} (missing)", size_of(&log));
    assert!(text(&o.stderr).contains(&missing), "{}", text(&o.stderr));
    assert!(!dir.join("public.json").exists());
    let ix = PublicIndex::decode(&std::fs::read(dir.join("public.idx")).unwrap()).unwrap();
    assert_eq!(ix.size, size_of(&log));
    assert!(!log.join("public/index").exists());
}

//! Proofs against earlier checkpoints: every checkpoint the log signs is published in its
//! public history, the partial tiles of every checkpointed size stay readable (or fall back to
//! the full tile's prefix), so `prove` works at every published size on a copy of the public
//! part alone, and `prove check` accepts each proof with nothing but the log's verifier key.

mod common;

use std::path::Path;

use common::tamper::{honest_log, log_key};
use common::{fails, logseal, ok};

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let t = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &t);
        } else {
            std::fs::copy(e.path(), t).unwrap();
        }
    }
}

/// Run `prove …` in `d` on the log `mirror`, write the proof to `file`, check it with the log
/// key alone and return `prove check`'s message.
fn prove_and_check(d: &Path, args: &[&str], file: &str) -> String {
    let proof = ok(&logseal(args, d, None));
    std::fs::write(d.join(file), proof).unwrap();
    ok(&logseal(
        &["prove", "check", file, "--log-key", "log.pub"],
        d,
        None,
    ))
}

#[test]
fn proofs_at_every_published_size_hold_from_the_public_part_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let mut sizes = vec![0];
    sizes.extend(honest_log(&d.join("log"), None));
    // The scenario checkpoints at sizes that are not multiples of 256 and crosses 256.
    assert!(sizes.iter().any(|s| s % 256 != 0 && *s > 256));
    assert!(sizes.windows(2).any(|w| w[0] / 256 != w[1] / 256));
    assert!(sizes.len() >= 4, "{sizes:?}");
    // A mirror holding the public part only: no private/, no sequencer state.
    copy_dir(&d.join("log/public"), &d.join("mirror/public"));
    std::fs::write(
        d.join("log.pub"),
        format!("{}\n", log_key().verifier().to_vkey()),
    )
    .unwrap();
    for &s in sizes.iter().filter(|s| **s > 0) {
        let size = s.to_string();
        for i in [0, s / 2, s - 1] {
            let index = i.to_string();
            let args = [
                "prove",
                "inclusion",
                "mirror",
                "--index",
                &index,
                "--size",
                &size,
            ];
            let msg = prove_and_check(d, &args, "inclusion.json");
            assert!(
                msg.contains(&format!("leaf {i} is in the tree of size {s} ")),
                "{msg}"
            );
        }
    }
    let last = *sizes.last().unwrap();
    let mut pairs: Vec<(u64, u64)> = sizes.windows(2).map(|w| (w[0], w[1])).collect();
    pairs.extend(sizes.iter().map(|&s| (s, last)));
    pairs.push((sizes[1], sizes[sizes.len() - 2]));
    for (old, new) in pairs {
        let (o, n) = (old.to_string(), new.to_string());
        let args = ["prove", "consistency", "mirror", "--old", &o, "--new", &n];
        let msg = prove_and_check(d, &args, "consistency.json");
        assert!(
            msg.contains(&format!(
                "the tree of size {old} is a prefix of the tree of size {new} "
            )),
            "{msg}"
        );
    }
    // `info` lists the published checkpoints with their log times.
    let info: serde_json::Value =
        serde_json::from_str(&ok(&logseal(&["info", "log", "--json"], d, None))).unwrap();
    let listed: Vec<u64> = info["published_checkpoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            assert!(c["time"].as_u64().unwrap() > 1_700_000_000, "{c}");
            c["size"].as_u64().unwrap()
        })
        .collect();
    assert_eq!(listed, sizes);
    // A size the log never published is refused, naming it.
    let never = (sizes[1] + 1).to_string();
    let err = fails(
        &logseal(
            &[
                "prove",
                "inclusion",
                "mirror",
                "--index",
                "0",
                "--size",
                &never,
            ],
            d,
            None,
        ),
        2,
    );
    assert!(
        err.contains(&format!("no checkpoint of size {never} was published")),
        "{err}"
    );
}

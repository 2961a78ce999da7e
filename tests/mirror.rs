//! `logseal mirror` between directories (tests/s3.rs runs the same against a bucket): the
//! copy verifies identically, a rerun copies nothing, and the destination's checkpoint is
//! never rolled back, never replaced by another history, never published from a source
//! that does not verify.

mod common;

use std::path::Path;

use common::{copy_dir, fails, logseal, ok, shared_demo};

fn mirror(src: &Path, dst: &Path, dir: &Path) -> std::process::Output {
    let t = shared_demo().join("demo/auditor/trust.json");
    logseal(
        &[
            "mirror",
            src.to_str().unwrap(),
            dst.to_str().unwrap(),
            "--trust",
            t.to_str().unwrap(),
            "--at",
            "2026-04-01T00:00:00Z",
        ],
        dir,
        None,
    )
}

fn files(root: &Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    common::files_under(root)
        .into_iter()
        .map(|(p, b)| (p.strip_prefix(root).unwrap().to_path_buf(), b))
        .collect()
}

#[test]
fn a_mirror_copies_the_public_part_exactly_and_a_rerun_copies_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let honest = shared_demo().join("demo/honest");
    let out = ok(&mirror(&honest, &d.join("copy"), d));
    assert!(out.contains("3702 records;"), "{out}");
    assert_eq!(files(&d.join("copy/public")), files(&honest.join("public")));
    assert!(
        !d.join("copy/private").exists(),
        "the private part stays on site"
    );
    let again = ok(&mirror(&honest, &d.join("copy"), d));
    assert!(
        again.contains("already at 3702 records; 0 object(s) copied"),
        "{again}"
    );
}

#[test]
fn a_mirror_extends_a_copy_but_never_rolls_it_back_or_overwrites_it() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let honest = shared_demo().join("demo/honest");
    let backup = shared_demo().join("demo/mirror");
    let copy = d.join("copy");
    ok(&mirror(&backup, &copy, d));
    let out = ok(&mirror(&honest, &copy, d));
    assert!(out.contains("3700 → 3702 records;"), "{out}");
    let published = std::fs::read(copy.join("public/checkpoint")).unwrap();
    let err = fails(&mirror(&backup, &copy, d), 1);
    assert!(err.contains("never rolls a copy back"), "{err}");
    assert_eq!(
        std::fs::read(copy.join("public/checkpoint")).unwrap(),
        published
    );
    // A differing object at the destination is left as it is.
    let bundle = copy.join("public/tile/entries/000");
    let mut bytes = std::fs::read(&bundle).unwrap();
    bytes[10] ^= 1;
    std::fs::write(&bundle, &bytes).unwrap();
    let err = fails(&mirror(&honest, &copy, d), 1);
    assert!(err.contains("differs at the destination"), "{err}");
    assert_eq!(std::fs::read(&bundle).unwrap(), bytes);
    assert_eq!(
        std::fs::read(copy.join("public/checkpoint")).unwrap(),
        published
    );
}

#[test]
fn a_source_that_does_not_verify_publishes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let src = d.join("src");
    copy_dir(
        &shared_demo().join("demo/honest/public"),
        &src.join("public"),
    );
    let bundle = src.join("public/tile/entries/001");
    let mut bytes = std::fs::read(&bundle).unwrap();
    bytes[200] ^= 0x40;
    std::fs::write(&bundle, &bytes).unwrap();
    let err = fails(&mirror(&src, &d.join("copy"), d), 1);
    assert!(err.contains("does not verify"), "{err}");
    assert!(!d.join("copy/public/checkpoint").exists());
    // Nothing it wrote stays: the bytes that did not verify are gone again.
    assert_eq!(common::files_under(&d.join("copy/public")).len(), 0);
    // An older partial bundle that is not a prefix of the verified bundle: refused, and
    // nothing it wrote stays.
    copy_dir(
        &shared_demo().join("demo/honest/public"),
        &d.join("src2/public"),
    );
    let old = d.join("src2/public/tile/entries/001.p/24");
    let mut bytes = std::fs::read(&old).unwrap();
    bytes[30] ^= 1;
    std::fs::write(&old, &bytes).unwrap();
    let err = fails(&mirror(&d.join("src2"), &d.join("copy2"), d), 1);
    assert!(
        err.contains("001.p/24 is not a prefix of the verified"),
        "{err}"
    );
    assert_eq!(common::files_under(&d.join("copy2/public")).len(), 0);
    // A log directory is never a destination (its sequencer writes its public part).
    let log = d.join("log");
    copy_dir(&shared_demo().join("demo/honest"), &log);
    let err = fails(&mirror(&shared_demo().join("demo/honest"), &log, d), 2);
    assert!(err.contains("a log directory (it has private/)"), "{err}");
    // Another history at the destination (a checkpoint the source's tree does not extend).
    let other = d.join("other");
    copy_dir(
        &shared_demo().join("demo/honest/public"),
        &other.join("public"),
    );
    let cp = std::fs::read_to_string(other.join("public/checkpoint")).unwrap();
    let mut lines: Vec<String> = cp.lines().map(String::from).collect();
    lines[2] = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=".into();
    std::fs::write(other.join("public/checkpoint"), lines.join("\n") + "\n").unwrap();
    let err = fails(&mirror(&shared_demo().join("demo/honest"), &other, d), 1);
    assert!(err.contains("another history"), "{err}");
}

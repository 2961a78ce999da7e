//! The committed man pages (`man/`) and shell completions (`completions/`) are exactly what
//! the CLI definitions generate (`logseal::cli::man`), so they cannot drift from the flags;
//! the ready-made retention policies (`docs/policies/`) are exactly the scenario's named
//! rules (`logseal::scenario::policy_files`).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use logseal::cli::man;

const REGENERATE: &str = "run `cargo run --bin xtask -- all` and commit the result";

fn check(dir: &str, files: Vec<(PathBuf, Vec<u8>)>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut stale = Vec::new();
    for (rel, bytes) in &files {
        match std::fs::read(root.join(rel)) {
            Ok(b) if b == *bytes => {}
            Ok(_) => stale.push(format!("differs: {}", rel.display())),
            Err(_) => stale.push(format!("missing: {}", rel.display())),
        }
    }
    let generated: BTreeSet<PathBuf> = files.into_iter().map(|(p, _)| p).collect();
    if let Ok(entries) = std::fs::read_dir(root.join(dir)) {
        for e in entries {
            let rel = Path::new(dir).join(e.unwrap().file_name());
            if !generated.contains(&rel) {
                stale.push(format!("not generated: {}", rel.display()));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "{dir}/ is stale:\n  {}\n{REGENERATE}",
        stale.join("\n  ")
    );
}

#[test]
fn man_pages_are_up_to_date() {
    let pages = man::render_man_pages();
    // One page per command: `logseal` and every subcommand and sub-subcommand.
    fn count(cmd: &clap::Command) -> usize {
        1 + cmd.get_subcommands().map(count).sum::<usize>()
    }
    assert_eq!(pages.len(), count(&logseal::cli::command()));
    check(man::MAN_DIR, pages);
}

#[test]
fn completions_are_up_to_date() {
    let files = man::render_completions();
    assert_eq!(files.len(), 3);
    check(man::COMPLETIONS_DIR, files);
}

#[test]
fn ready_made_policies_are_up_to_date() {
    let files = logseal::scenario::policy_files().unwrap();
    // One file per named rule, and the README.
    assert_eq!(files.len(), logseal::scenario::named_rules().len() + 1);
    check(logseal::scenario::POLICIES_DIR, files);
}

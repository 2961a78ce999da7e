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
    // One file per named retention rule and per obligation rule, and the README.
    assert_eq!(
        files.len(),
        logseal::scenario::named_rules().len() + logseal::scenario::obligation_rules().len() + 1
    );
    check(logseal::scenario::POLICIES_DIR, files);
}

/// Every command of the clap tree has a page text with examples, the three exit statuses and
/// SEE ALSO, so a command cannot be added without them; and no entry names a command that
/// does not exist.
#[test]
fn every_command_has_examples_exit_status_and_see_also() {
    let paths = man::command_paths();
    let mut missing = Vec::new();
    for path in &paths {
        let Some(text) = man::page_text(path) else {
            missing.push(format!("{path:?}: no entry"));
            continue;
        };
        if text.examples.is_empty() {
            missing.push(format!("{path:?}: no examples"));
        }
        let statuses: Vec<u8> = text.exit_status.iter().map(|(s, _)| *s).collect();
        if statuses != [0, 1, 2] {
            missing.push(format!(
                "{path:?}: exit statuses {statuses:?}, want [0, 1, 2]"
            ));
        }
        if text.see_also.is_empty() {
            missing.push(format!("{path:?}: no SEE ALSO"));
        }
        if text
            .examples
            .iter()
            .any(|(what, line)| what.is_empty() || line.is_empty())
            || text
                .exit_status
                .iter()
                .any(|(_, meaning)| meaning.is_empty())
        {
            missing.push(format!("{path:?}: an empty text"));
        }
    }
    for text in man::PAGE_TEXTS {
        if !paths.iter().any(|p| p == text.path) {
            missing.push(format!(
                "{:?}: an entry for a command that does not exist",
                text.path
            ));
        }
        if man::PAGE_TEXTS
            .iter()
            .filter(|t| t.path == text.path)
            .count()
            > 1
        {
            missing.push(format!("{:?}: two entries", text.path));
        }
    }
    assert!(
        missing.is_empty(),
        "src/cli/man.rs PAGE_TEXTS:\n  {}",
        missing.join("\n  ")
    );
}

/// The subcommand path a parsed command line runs, e.g. `retention erase`.
fn parsed_path(m: &clap::ArgMatches) -> String {
    let mut path = Vec::new();
    let mut m = m;
    while let Some((name, sub)) = m.subcommand() {
        path.push(name.to_string());
        m = sub;
    }
    path.join(" ")
}

/// Every example parses with the real clap definitions (`Cli::try_parse_from`) and runs the
/// command of its page (or, on a page of commands, one below it): a renamed or removed flag
/// breaks this test, not the reader's shell.
#[test]
fn every_example_parses_with_the_real_definitions() {
    use clap::Parser;
    let mut bad = Vec::new();
    for text in man::PAGE_TEXTS {
        for argv in text.example_argvs() {
            let line = argv.join(" ");
            if argv.first() != Some(&"logseal") || argv.iter().any(|a| a.is_empty()) {
                bad.push(format!(
                    "{:?}: {line:?} is not `logseal` and single-spaced words",
                    text.path
                ));
                continue;
            }
            if let Err(e) = logseal::cli::Cli::try_parse_from(&argv) {
                bad.push(format!("{:?}: {line:?}: {e}", text.path));
                continue;
            }
            let m = logseal::cli::command().try_get_matches_from(&argv).unwrap();
            let ran = parsed_path(&m);
            let under = text.path.is_empty()
                || ran == text.path
                || ran.starts_with(&format!("{} ", text.path));
            if !under {
                bad.push(format!("{:?}: {line:?} runs `{ran}`", text.path));
            }
        }
        for s in text.see_also {
            let known = if s.contains('/') {
                Path::new(env!("CARGO_MANIFEST_DIR")).join(s).is_file()
            } else {
                man::page_text(s).is_some()
            };
            if !known {
                bad.push(format!(
                    "{:?}: SEE ALSO {s:?} names no command or file",
                    text.path
                ));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "src/cli/man.rs PAGE_TEXTS:\n  {}",
        bad.join("\n  ")
    );
}

/// The pages carry the sections, after OPTIONS and before VERSION, with the examples and the
/// exit statuses as written in the table.
#[test]
fn pages_have_examples_exit_status_and_see_also() {
    let pages = man::render_man_pages();
    let verify = pages
        .iter()
        .find(|(p, _)| p.ends_with("logseal-verify.1"))
        .map(|(_, b)| String::from_utf8(b.clone()).unwrap())
        .unwrap();
    let at = |s: &str| {
        verify
            .find(s)
            .unwrap_or_else(|| panic!("no {s:?} in logseal-verify.1"))
    };
    assert!(at(".SH OPTIONS") < at(".SH EXAMPLES"));
    assert!(at(".SH EXAMPLES") < at(".SH \"EXIT STATUS\""));
    assert!(at(".SH \"EXIT STATUS\"") < at(".SH \"SEE ALSO\""));
    assert!(at(".SH \"SEE ALSO\"") < at(".SH VERSION"));
    at(
        "\\fBlogseal verify demo\\-out/log \\-\\-trust demo\\-out/auditor/trust.json \\-\\-state demo\\-out/auditor/state\\fR",
    );
    at("(required\\-check\\-undetermined)");
    at("\\fBlogseal\\-info\\fR(1)");
    at("docs/CHECKS.md");
    for (path, bytes) in &pages {
        let page = String::from_utf8_lossy(bytes);
        for section in [".SH EXAMPLES", ".SH \"EXIT STATUS\"", ".SH \"SEE ALSO\""] {
            assert_eq!(
                page.matches(section).count(),
                1,
                "{}: {section}",
                path.display()
            );
        }
    }
}

//! Man pages and shell completions, generated from the CLI definitions ([`super::command`]).
//!
//! Owns: what goes under `man/` (one roff page per command: `logseal.1`, `logseal-record.1`,
//! `logseal-record-new.1`, …, as `clap_mangen` names them) and `completions/` (bash, zsh,
//! fish). Pure: returns file names and bytes; the `xtask` binary writes them and
//! `tests/man.rs` fails when the committed files drift from these definitions.

use std::path::PathBuf;

use clap_complete::Shell;

/// Directory of the man pages, relative to the repository root.
pub const MAN_DIR: &str = "man";
/// Directory of the shell completions, relative to the repository root.
pub const COMPLETIONS_DIR: &str = "completions";

/// One man page per command and subcommand, depth first (parents before children).
pub fn render_man_pages() -> Vec<(PathBuf, Vec<u8>)> {
    let mut cmd = super::command().disable_help_subcommand(true);
    cmd.build();
    let mut out = Vec::new();
    page(cmd, &mut out);
    out
}

fn page(cmd: clap::Command, out: &mut Vec<(PathBuf, Vec<u8>)>) {
    let man = clap_mangen::Man::new(cmd.clone());
    let mut bytes = Vec::new();
    man.render(&mut bytes)
        .expect("rendering a man page into a Vec cannot fail");
    out.push((PathBuf::from(MAN_DIR).join(man.get_filename()), bytes));
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        page(sub.clone(), out);
    }
}

/// Completion scripts for bash, zsh and fish, under their conventional file names.
pub fn render_completions() -> Vec<(PathBuf, Vec<u8>)> {
    [
        (Shell::Bash, "logseal.bash"),
        (Shell::Zsh, "_logseal"),
        (Shell::Fish, "logseal.fish"),
    ]
    .into_iter()
    .map(|(shell, file)| {
        let mut cmd = super::command();
        let mut bytes = Vec::new();
        clap_complete::generate(shell, &mut cmd, "logseal", &mut bytes);
        (PathBuf::from(COMPLETIONS_DIR).join(file), bytes)
    })
    .collect()
}

/// Every man page and completion script.
pub fn render_all() -> Vec<(PathBuf, Vec<u8>)> {
    let mut all = render_man_pages();
    all.extend(render_completions());
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_page_per_command() {
        let pages = render_man_pages();
        let names: Vec<String> = pages
            .iter()
            .map(|(p, _)| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        for want in ["logseal.1", "logseal-record.1", "logseal-record-new.1"] {
            assert!(names.iter().any(|n| n == want), "{want} missing: {names:?}");
        }
        let mut dedup = names.clone();
        dedup.sort();
        dedup.dedup();
        assert_eq!(dedup.len(), names.len(), "two commands share a page name");
        assert!(pages.iter().all(|(_, b)| b.starts_with(b".ie")));
    }
}

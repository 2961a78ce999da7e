//! `xtask`: writes the repository's generated files, or checks that they are up to date.
//!
//! Owns: writing (and, with `--check`, comparing) what the library's generators produce —
//! `testvectors/` ([`logseal::vectors::render_all`]), `man/` and `completions/`
//! ([`logseal::cli::man`]), the ready-made retention policies in `docs/policies/`
//! ([`logseal::scenario::policy_files`]), and the sections of `docs/FORMAT.md` between
//! `<!-- BEGIN GENERATED: … -->` and `<!-- END GENERATED: … -->` (the record rules and the
//! sealed fields of each kind, [`logseal::record::rules::splice_all`]; the rest of the file
//! is kept as written). It generates nothing itself. A file in one of these directories
//! that the generator no longer produces is stale too: it is removed, or reported by
//! `--check`.
//!
//! Run from anywhere: `cargo run --bin xtask -- all` (paths are relative to the crate root).
//! Exit status: 0 written / up to date, 1 `--check` found stale files, 2 could not run.
//!
//! `xtask synth-log DIR --records N` is not a generator of committed files: it writes a large
//! synthetic log for measuring the read layer (docs/PERFORMANCE.md, benches/inspect.rs): the
//! generator of [`logseal::synth`], which `logseal bench` uses too.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};

/// Generate test vectors, man pages, shell completions, ready-made policy files and the
/// generated sections of docs/FORMAT.md.
#[derive(Debug, Parser)]
#[command(name = "xtask", disable_help_subcommand = true)]
struct Cli {
    #[command(subcommand)]
    task: Task,
    /// Do not write: exit 1 if any committed file differs from the generator's output
    #[arg(long, global = true)]
    check: bool,
}

#[derive(Debug, Clone, Subcommand)]
enum Task {
    /// testvectors/*.json and testvectors/README.md
    Vectors,
    /// man/*.1 for logseal and every subcommand
    Man,
    /// completions/ for bash, zsh and fish
    Completions,
    /// docs/policies/*.json (one retention policy per named rule) and docs/policies/README.md
    Policies,
    /// docs/FORMAT.md: the record rules and sealed-field sections, from the code's tables
    Format,
    /// Everything above
    All,
    /// Write a large synthetic log for benchmarks (not a generated file of the repository)
    SynthLog(SynthArgs),
}

/// `xtask synth-log`: where and how big.
#[derive(Debug, Clone, clap::Args)]
struct SynthArgs {
    /// The directory to create (must not exist): `DIR/log` and `DIR/keys/`
    dir: PathBuf,
    /// How many records the log holds in the end (at least the demo scenario's ~3,700)
    #[arg(long, default_value_t = 1_000_000)]
    records: u64,
}

/// Generated files, and the directories whose contents they are exactly.
struct Output {
    dirs: Vec<&'static str>,
    files: Vec<(PathBuf, Vec<u8>)>,
}

/// docs/FORMAT.md as it is, with its generated sections rewritten.
fn format_doc(root: &Path) -> anyhow::Result<(PathBuf, Vec<u8>)> {
    use logseal::record::rules;
    let path = root.join(rules::FORMAT_DOC);
    let doc =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let out = rules::splice_all(&doc)?;
    Ok((PathBuf::from(rules::FORMAT_DOC), out.into_bytes()))
}

fn generate(task: &Task, root: &Path) -> anyhow::Result<Output> {
    use logseal::cli::man;
    let mut out = Output {
        dirs: Vec::new(),
        files: Vec::new(),
    };
    if matches!(task, Task::Vectors | Task::All) {
        out.dirs.push(logseal::vectors::DIR);
        out.files
            .extend(logseal::vectors::render_all().context("generating test vectors")?);
    }
    if matches!(task, Task::Man | Task::All) {
        out.dirs.push(man::MAN_DIR);
        out.files.extend(man::render_man_pages());
    }
    if matches!(task, Task::Completions | Task::All) {
        out.dirs.push(man::COMPLETIONS_DIR);
        out.files.extend(man::render_completions());
    }
    if matches!(task, Task::Policies | Task::All) {
        out.dirs.push(logseal::scenario::POLICIES_DIR);
        out.files.extend(
            logseal::scenario::policy_files().context("generating the ready-made policies")?,
        );
    }
    if matches!(task, Task::Format | Task::All) {
        out.files.push(format_doc(root)?);
    }
    Ok(out)
}

/// Files present in `dir` (relative to `root`), as paths relative to `root`.
fn existing(root: &Path, dir: &str) -> anyhow::Result<BTreeSet<PathBuf>> {
    let mut found = BTreeSet::new();
    let abs = root.join(dir);
    if !abs.exists() {
        return Ok(found);
    }
    for entry in std::fs::read_dir(&abs).with_context(|| format!("reading {}", abs.display()))? {
        let entry = entry?;
        if entry.file_type()?.is_file() {
            found.insert(PathBuf::from(dir).join(entry.file_name()));
        }
    }
    Ok(found)
}

fn run(cli: &Cli) -> anyhow::Result<bool> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = generate(&cli.task, root)?;
    let wanted: BTreeSet<PathBuf> = out.files.iter().map(|(p, _)| p.clone()).collect();
    let mut stale = Vec::new();
    for (rel, bytes) in &out.files {
        let path = root.join(rel);
        let current = std::fs::read(&path).ok();
        if current.as_deref() == Some(bytes.as_slice()) {
            continue;
        }
        stale.push(format!(
            "{} {}",
            if current.is_some() {
                "differs:"
            } else {
                "missing:"
            },
            rel.display()
        ));
        if !cli.check {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)
                    .with_context(|| format!("creating {}", parent.display()))?;
            }
            std::fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))?;
        }
    }
    for dir in &out.dirs {
        for rel in existing(root, dir)?.difference(&wanted) {
            stale.push(format!("not generated: {}", rel.display()));
            if !cli.check {
                let path = root.join(rel);
                std::fs::remove_file(&path)
                    .with_context(|| format!("removing {}", path.display()))?;
            }
        }
    }
    for line in &stale {
        println!("{line}");
    }
    if cli.check {
        if stale.is_empty() {
            println!("{} generated files are up to date", out.files.len());
        } else {
            println!(
                "{} stale file(s); run `cargo run --bin xtask -- all`",
                stale.len()
            );
        }
    } else {
        println!(
            "{} generated files, {} written or removed",
            out.files.len(),
            stale.len()
        );
    }
    Ok(stale.is_empty())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Task::SynthLog(args) = &cli.task {
        return match synth::run(&args.dir, args.records) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("xtask: {e:#}");
                ExitCode::from(2)
            }
        };
    }
    match run(&cli) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) if cli.check => ExitCode::from(1),
        Ok(false) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// `xtask synth-log`: the synthetic log of [`logseal::synth`], with progress on standard error.
mod synth {
    use std::io::Write;
    use std::path::Path;

    use logseal::synth::SynthLog;

    pub fn run(dir: &Path, records: u64) -> anyhow::Result<()> {
        let started = std::time::Instant::now();
        let log = SynthLog::write(dir, records, &mut |p| {
            eprint!(
                "\rxtask synth-log: day {}/{}, {} records, {:.0?}",
                p.day,
                p.days,
                p.size,
                started.elapsed()
            );
            std::io::stderr().flush().ok();
        })?;
        eprintln!();
        println!(
            "{}: {} records, {} checkpoints, keys in {}",
            log.log().dir().display(),
            log.log().size(),
            log.checkpoints(),
            log.keys_dir().display()
        );
        Ok(())
    }
}

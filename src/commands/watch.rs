//! `logseal watch URL --trust FILE --state DIR`: a monitor. Each round is `verify --state
//! [--since]` over HTTP ([`super::verify::verify_log_with`] on an
//! [`logseal::store::HttpStore`]); what this file adds is the loop, the evidence kept on a
//! violation, and the alert (a line per violation on standard error, and a hook program run
//! directly, never through a shell, with the alert as JSON on standard input).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::Context;
use logseal::cli::WatchArgs;
use logseal::verify::{self, Options, Report, Verdict};

use super::log::now_secs;
use super::verify::{STATE_FILE, read_state, read_trust, verify_log_with, write_atomic};
use super::{Invalid, files};

/// Where the evidence of each alert goes, inside `--state DIR`.
pub const EVIDENCE_DIR: &str = "evidence";

pub fn run(args: WatchArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.url.starts_with("http://") || args.url.starts_with("https://"),
        "{:?}: not an http(s) URL (watch monitors a served log; verify a directory with \
         `logseal verify`)",
        args.url
    );
    let trust = read_trust(&args.trust)?;
    std::fs::create_dir_all(&args.state)
        .with_context(|| format!("cannot create {}", args.state.display()))?;
    loop {
        match round(&args, &trust) {
            Ok(Round::Clean(line)) => files::print(&line)?,
            Ok(Round::Alert(alert)) => return Err(Invalid(alert).into()),
            Err(e) if args.once => return Err(e),
            Err(e) => eprintln!("logseal watch: {}: cannot verify now: {e:#}", args.url),
        }
        if args.once {
            return Ok(());
        }
        std::thread::sleep(args.interval);
    }
}

/// What one round found.
pub(crate) enum Round {
    /// No violation: the line to print.
    Clean(String),
    /// It alerted (the lines on standard error, the evidence, the hook): why.
    Alert(String),
}

/// One round.
pub(crate) fn round(args: &WatchArgs, trust: &verify::Trust) -> anyhow::Result<Round> {
    let has_state = args.state.join(STATE_FILE).is_file();
    let before = if has_state {
        read_state(&args.state, trust.origin())?
            .checkpoints
            .last()
            .map(|c| c.note.clone())
    } else {
        None
    };
    let now = now_secs();
    let options = Options {
        at_secs: now,
        incremental: has_state,
    };
    let location = PathBuf::from(&args.url);
    let report = verify_log_with(
        &location,
        trust,
        Some(&args.state),
        &options,
        verify::DEFAULT_RETENTION_GRACE,
        false,
    )?;
    let undetermined = report.required_not_determined();
    if !report.has_violations() && undetermined.is_empty() {
        let size = read_state(&args.state, trust.origin())?
            .checkpoints
            .last()
            .map_or(0, |c| c.size);
        return Ok(Round::Clean(format!(
            "{}: checkpoint of size {size} verified; no violation\n",
            args.url
        )));
    }
    let dir = keep_evidence(&args.state, &args.url, now, &report, before.as_deref())?;
    let mut why = Vec::new();
    for f in report
        .findings
        .iter()
        .filter(|f| f.verdict == Verdict::Violated)
    {
        eprintln!(
            "logseal watch: VIOLATION check {} {}: {}",
            f.check.number(),
            f.code,
            f.message
        );
        why.push(f.code.to_string());
    }
    if !undetermined.is_empty() {
        why.push("required-check-undetermined".into());
    }
    eprintln!("logseal watch: evidence kept in {}", dir.display());
    if let Some(hook) = &args.hook {
        run_hook(
            hook,
            &args.hook_args,
            &alert_json(args, now, &dir, &report)?,
        )?;
    }
    Ok(Round::Alert(format!(
        "{}: {} ({}); evidence in {}",
        args.url,
        if report.has_violations() {
            "violation"
        } else {
            "a required check is not fully determined"
        },
        why.join(", "),
        dir.display()
    )))
}

/// `DIR/evidence/<time>[-n]/`: `report.json`, `checkpoint-before` (the last one this monitor
/// verified, if any) and `checkpoint-served` (what the log serves now, as fetched).
fn keep_evidence(
    state: &Path,
    url: &str,
    now: u64,
    report: &Report,
    before: Option<&str>,
) -> anyhow::Result<PathBuf> {
    let dir = evidence_dir(state, now)?;
    write_atomic(&dir, "report.json", report.to_json()?.as_bytes())?;
    if let Some(note) = before {
        write_atomic(&dir, "checkpoint-before", note.as_bytes())?;
    }
    let client = logseal::client::Client::new(url, super::verify::REMOTE_TIMEOUT);
    match client.checkpoint() {
        Ok(note) => write_atomic(&dir, "checkpoint-served", &note)?,
        Err(e) => eprintln!("logseal watch: the served checkpoint could not be kept: {e}"),
    }
    Ok(dir)
}

/// A new directory `DIR/evidence/<time>[-n]/`.
pub(super) fn evidence_dir(state: &Path, now: u64) -> anyhow::Result<PathBuf> {
    let parent = state.join(EVIDENCE_DIR);
    std::fs::create_dir_all(&parent)
        .with_context(|| format!("cannot create {}", parent.display()))?;
    for n in 0u32.. {
        let d = match n {
            0 => parent.join(now.to_string()),
            n => parent.join(format!("{now}-{n}")),
        };
        match std::fs::create_dir(&d) {
            Ok(()) => return Ok(d),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e).context(format!("cannot create {}", d.display())),
        }
    }
    unreachable!("some evidence directory name is free")
}

fn alert_json(args: &WatchArgs, now: u64, dir: &Path, report: &Report) -> anyhow::Result<String> {
    let report: serde_json::Value = serde_json::from_str(&report.to_json()?)?;
    let alert = serde_json::json!({
        "url": args.url,
        "time": now,
        "evidence": dir.display().to_string(),
        "report": report,
    });
    Ok(serde_json::to_string(&alert)?)
}

/// Run the hook program directly (no shell) with `json` on its standard input.
pub(super) fn run_hook(program: &Path, args: &[String], json: &str) -> anyhow::Result<()> {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot run the hook {}", program.display()))?;
    if let Some(mut stdin) = child.stdin.take() {
        // A hook that does not read its input is its own business.
        let _ = stdin.write_all(json.as_bytes());
    }
    let status = child
        .wait()
        .with_context(|| format!("the hook {} did not finish", program.display()))?;
    if !status.success() {
        eprintln!(
            "logseal watch: the hook {} exited with {status}",
            program.display()
        );
    }
    Ok(())
}

//! `logseal bench`: writes a synthetic log ([`logseal::synth`], timing its durable appends),
//! measures the signature ceiling on its records ([`logseal::bench::Sample`]), runs the real
//! `logseal verify` on it as child processes (public part only, with the private part, then
//! `--state --since` after one more day of records), each timed from start to exit with its
//! own peak memory ([`logseal::bench::PEAK_RSS_ENV`]), and prints the table or the JSON
//! ([`logseal::bench::BenchReport`]). Every figure is checked to be what its label says
//! (the checks that ran, the records read, checks 2 and 3 holding) before it is reported.
//! Exit 0 measured, 2 could not measure.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use logseal::bench::{
    self, BenchReport, CEILING_SAMPLE, Figure, LogFacts, Machine, PEAK_RSS_ENV, Sample, VerifyRun,
};
use logseal::cli::BenchArgs;
use logseal::scenario;
use logseal::synth::SynthLog;

use super::files;

/// Passes of the ceiling measurement (the median is kept).
const CEILING_PASSES: usize = 3;
/// The reference time of each verify run: this long after the newest checkpoint.
const AT_AFTER_CHECKPOINT: u64 = 3600;

pub fn run(args: BenchArgs) -> anyhow::Result<()> {
    let date = jiff::Timestamp::from_second(jiff::Timestamp::now().as_second())
        .map(|t| t.to_string())
        .unwrap_or_default();
    let command = std::env::args().collect::<Vec<_>>().join(" ");
    let (dir, temporary) = match &args.dir {
        Some(d) => {
            // Absolute: the public-only directory links to the log's public part.
            let d = &std::path::absolute(d)
                .with_context(|| format!("--dir {}: cannot make it absolute", d.display()))?;
            if d.exists() {
                let mut entries = std::fs::read_dir(d)
                    .with_context(|| format!("--dir {}: cannot read it", d.display()))?;
                if entries.next().is_some() {
                    bail!(
                        "--dir {}: exists and is not empty: bench writes its log into a new or \
                         empty directory",
                        d.display()
                    );
                }
            }
            std::fs::create_dir_all(d)
                .with_context(|| format!("--dir {}: cannot create it", d.display()))?;
            (d.clone(), false)
        }
        None => {
            let d = std::env::temp_dir().join(format!(
                "logseal-bench-{}-{}",
                std::process::id(),
                jiff::Timestamp::now().as_millisecond()
            ));
            std::fs::create_dir(&d).with_context(|| format!("cannot create {}", d.display()))?;
            (d, true)
        }
    };
    let kept = !temporary || args.keep;
    let outcome = measure(&dir, &args, Machine::this(command, date), kept);
    if !kept {
        std::fs::remove_dir_all(&dir)
            .with_context(|| format!("cannot remove the temporary {}", dir.display()))?;
    }
    let report = outcome?;
    if args.json {
        files::print(&report.to_json())
    } else {
        files::print(&report.render_text())
    }
}

/// Progress on standard error, when it is a terminal.
fn say(text: &str) {
    if std::io::stderr().is_terminal() {
        eprint!("\r\x1b[Klogseal bench: {text}");
        std::io::stderr().flush().ok();
    }
}

fn measure(
    dir: &Path,
    args: &BenchArgs,
    machine: Machine,
    kept: bool,
) -> anyhow::Result<BenchReport> {
    let exe = std::env::current_exe().context("cannot find the logseal binary itself")?;
    let started = Instant::now();
    let mut synth = SynthLog::write(&dir.join("synth"), args.records, &mut |p| {
        say(&format!(
            "writing the log: day {}/{}, {} records",
            p.day, p.days, p.size
        ))
    })?;
    let write_seconds = started.elapsed().as_secs_f64();
    let log_dir = synth.log().dir().to_path_buf();
    let keys = synth.keys_dir().to_path_buf();
    let appends = synth.append_stats();
    let generator_peak = bench::own_peak_rss();

    say("measuring the ceiling");
    let sample = Sample::from_log(synth.log(), CEILING_SAMPLE)?;
    let ceiling_time = sample.ceiling(CEILING_PASSES)?;
    let ceiling = Figure::new(
        "ceiling",
        format!(
            "strict Ed25519 verification (verify_strict) of {} decoded records of this log, all \
             cores (rayon), median of {CEILING_PASSES} passes",
            bench::group(sample.len() as u64)
        ),
        sample.len() as u64,
        ceiling_time,
        0.0,
    );
    let rate = ceiling.records_per_sec;
    let mut ceiling = ceiling;
    ceiling.memory = "not measured (in-process)".into();

    let mut append = Figure::new(
        "append",
        format!(
            "durable Log::append of records signed beforehand ({} calls, batches of up to \
             {}; signing not timed)",
            appends.calls,
            bench::group(logseal::synth::BATCH as u64)
        ),
        appends.records,
        appends.time,
        rate,
    );
    append.memory = match generator_peak {
        Some(b) => format!(
            "not measured alone (in-process: the whole generator's peak, signing included, \
             was {:.1} MB)",
            b as f64 / 1e6
        ),
        None => "not measured (no /proc/self/status on this platform)".into(),
    };

    // The trust files: public part only (no retention or obligation authority: checks 1-6),
    // and the log directory with its private part (checks 1-8).
    let trust_public = dir.join("trust-public.json");
    let trust_private = dir.join("trust-private.json");
    let log_pub = keys.join("log.pub");
    let authority_pub = keys.join(format!("{}.pub", scenario::AUTHORITY));
    let mut base: Vec<&std::ffi::OsStr> = vec![
        "trust".as_ref(),
        "new".as_ref(),
        "--log-key".as_ref(),
        log_pub.as_os_str(),
        "--authority".as_ref(),
        authority_pub.as_os_str(),
    ];
    run_quiet(
        &exe,
        &[&base[..], &["--out".as_ref(), trust_public.as_os_str()]].concat(),
    )?;
    base.extend::<[&std::ffi::OsStr; 6]>([
        "--retention-authority".as_ref(),
        scenario::POLICY_AUTHORITY.as_ref(),
        "--obligation-authority".as_ref(),
        scenario::OBLIGATION_AUTHORITY.as_ref(),
        "--out".as_ref(),
        trust_private.as_os_str(),
    ]);
    run_quiet(&exe, &base)?;

    // The public part alone: a directory holding only a link to public/.
    let public_only = dir.join("public-only");
    std::fs::create_dir(&public_only)
        .with_context(|| format!("cannot create {}", public_only.display()))?;
    link_dir(&log_dir.join("public"), &public_only.join("public"))?;

    let at = rfc3339(synth.last_checkpoint() + AT_AFTER_CHECKPOINT)?;
    let state = dir.join("state");
    let size = synth.log().size();
    let checkpoints = synth.checkpoints();

    say("verify, public part only");
    let public = verify(
        &exe,
        dir,
        "verify-public",
        "`logseal verify` of the public part only (checks 1-6)",
        &[
            public_only.as_os_str(),
            "--trust".as_ref(),
            trust_public.as_os_str(),
            "--at".as_ref(),
            at.as_ref(),
        ],
        rate,
    )?;
    expect(&public, &[1, 2, 3, 4, 5, 6], size)?;

    say("verify with the private part");
    let private = verify(
        &exe,
        dir,
        "verify-private",
        "`logseal verify` with the private part (checks 1-8), --state",
        &[
            log_dir.as_os_str(),
            "--trust".as_ref(),
            trust_private.as_os_str(),
            "--state".as_ref(),
            state.as_os_str(),
            "--at".as_ref(),
            at.as_ref(),
        ],
        rate,
    )?;
    expect(&private, &[1, 2, 3, 4, 5, 6, 7, 8], size)?;

    let added = (args.records / 100).max(1);
    say(&format!("appending {added} more records"));
    synth.extend(added)?;
    let at = rfc3339(synth.last_checkpoint() + AT_AFTER_CHECKPOINT)?;
    say("verify --state --since");
    let since = verify(
        &exe,
        dir,
        "verify-since",
        &format!(
            "`logseal verify --state --since` with the private part, after {} new records \
             (one more day, checkpointed)",
            bench::group(added)
        ),
        &[
            log_dir.as_os_str(),
            "--trust".as_ref(),
            trust_private.as_os_str(),
            "--state".as_ref(),
            state.as_os_str(),
            "--since".as_ref(),
            "--at".as_ref(),
            at.as_ref(),
        ],
        rate,
    )?;
    // Check 8 judges the whole log and does not run incrementally (docs/CHECKS.md).
    expect(&since, &[1, 2, 3, 4, 5, 6, 7], added)?;
    say("done\n");

    let log = LogFacts {
        dir: dir.display().to_string(),
        kept,
        records: size,
        added,
        checkpoints,
        write_seconds,
    };
    drop(synth);
    Ok(BenchReport::new(
        machine,
        log,
        vec![ceiling, append, public, private, since],
    ))
}

/// `secs` (seconds since the epoch) in RFC 3339, for `--at`.
fn rfc3339(secs: u64) -> anyhow::Result<String> {
    let secs = i64::try_from(secs).context("a checkpoint time")?;
    Ok(jiff::Timestamp::from_second(secs)
        .context("a checkpoint time")?
        .to_string())
}

#[cfg(unix)]
fn link_dir(target: &Path, link: &Path) -> anyhow::Result<()> {
    std::os::unix::fs::symlink(target, link)
        .with_context(|| format!("cannot link {} to {}", link.display(), target.display()))
}

#[cfg(not(unix))]
fn link_dir(_target: &Path, link: &Path) -> anyhow::Result<()> {
    bail!(
        "{}: the public-only run needs a symbolic link to the public part (Unix only)",
        link.display()
    )
}

/// Run `exe args`, failing with its standard error unless it exits 0.
fn run_quiet(exe: &Path, args: &[&std::ffi::OsStr]) -> anyhow::Result<()> {
    let out = Command::new(exe)
        .args(args)
        .output()
        .with_context(|| format!("cannot run {}", exe.display()))?;
    if !out.status.success() {
        bail!(
            "{} {}: {}",
            exe.display(),
            args.iter()
                .map(|a| a.to_string_lossy())
                .collect::<Vec<_>>()
                .join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}

/// Run `logseal verify ARGS --json` as a child, timed from start to exit, with its peak RSS.
fn verify(
    exe: &Path,
    dir: &Path,
    name: &str,
    what: &str,
    args: &[&std::ffi::OsStr],
    ceiling: f64,
) -> anyhow::Result<Figure> {
    let rss_file: PathBuf = dir.join(format!("peak-rss-{name}"));
    let started = Instant::now();
    let out = Command::new(exe)
        .arg("verify")
        .args(args)
        .arg("--json")
        .env(PEAK_RSS_ENV, &rss_file)
        .output()
        .with_context(|| format!("cannot run {} verify", exe.display()))?;
    let time: Duration = started.elapsed();
    // 0: no violation, 1: violations (the scenario's planted ones); 2: could not run.
    if !matches!(out.status.code(), Some(0 | 1)) {
        bail!(
            "{name}: `logseal verify` could not run ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    let run = VerifyRun::from_report(&out.stdout).with_context(|| name.to_string())?;
    let mut f = Figure::new(name, what.into(), run.records_checked, time, ceiling);
    f.verify = Some(run);
    match std::fs::read_to_string(&rss_file) {
        Ok(text) => {
            f.peak_rss_bytes = Some(text.trim().parse().with_context(|| {
                format!("{}: not a number of bytes: {text:?}", rss_file.display())
            })?);
            f.memory = "the verify process's peak resident set size (VmHWM)".into();
        }
        Err(_) => f.memory = "not measured (no /proc/self/status on this platform)".into(),
    }
    Ok(f)
}

/// The run is what its label says: exactly `checks` ran, it read `records` records, and
/// checks 2 and 3 hold (every record read is authentic and in the checkpoint's tree).
fn expect(f: &Figure, checks: &[u8], records: u64) -> anyhow::Result<()> {
    let Some(run) = &f.verify else {
        bail!("{}: no verify report", f.name)
    };
    if run.checks_run != checks {
        bail!(
            "{}: the checks that ran are {:?}, not {checks:?}: the figure would not be what its \
             label says",
            f.name,
            run.checks_run
        );
    }
    if run.records_checked != records {
        bail!(
            "{}: read {} records, not the {records} expected",
            f.name,
            run.records_checked
        );
    }
    if !run.authentic {
        bail!(
            "{}: checks 2 and 3 do not hold on the generated log ({} violation(s): {:?})",
            f.name,
            run.violations,
            run.violation_codes
        );
    }
    Ok(())
}

//! `logseal bench`: writes a synthetic log ([`logseal::synth`], timing its durable appends),
//! measures the signature ceiling on its records ([`logseal::bench::Sample`]), runs the real
//! `logseal verify` on it as child processes (public part only, with the private part, then
//! `--state --since` after one more day of records), each timed from start to exit with its
//! own peak memory ([`logseal::bench::PEAK_RSS_ENV`]), and prints the table or the JSON
//! ([`logseal::bench::BenchReport`]). Every figure is checked to be what its label says
//! (the checks that ran, the records read, checks 2 and 3 holding) before it is reported.
//! Exit 0 measured, 2 could not measure.

use std::ffi::{OsStr, OsString};
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
    if !kept && let Err(e) = std::fs::remove_dir_all(&dir) {
        let e =
            anyhow::Error::new(e).context(format!("cannot remove the temporary {}", dir.display()));
        // The measurement's own failure comes first.
        return Err(outcome.err().unwrap_or(e));
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
    let generator_peak = own_peak_rss();
    let log_dir = synth.log().dir().to_path_buf();
    let size = synth.log().size();
    let checkpoints = synth.checkpoints();

    say("measuring the ceiling");
    let ceiling = ceiling_figure(&synth)?;
    let runner = Runner {
        exe: &exe,
        dir,
        ceiling: ceiling.records_per_sec,
    };
    let append = append_figure(&synth, generator_peak, runner.ceiling);
    let (trust_public, trust_private) = trust_files(&exe, dir, synth.keys_dir())?;
    let public_only = public_only(dir, &log_dir)?;
    let state = dir.join("state");
    let at = rfc3339(synth.last_checkpoint() + AT_AFTER_CHECKPOINT)?;

    say("verify, public part only");
    let public = runner.verify(VerifySpec {
        name: "verify-public",
        what: "`logseal verify` of the public part only (checks 1-6)".into(),
        args: args_of(&[&public_only, &"--trust", &trust_public, &"--at", &at]),
        checks: &[1, 2, 3, 4, 5, 6],
        records: size,
    })?;
    say("verify with the private part");
    let private = runner.verify(VerifySpec {
        name: "verify-private",
        what: "`logseal verify` with the private part (checks 1-8), --state".into(),
        args: args_of(&[
            &log_dir,
            &"--trust",
            &trust_private,
            &"--state",
            &state,
            &"--at",
            &at,
        ]),
        checks: &[1, 2, 3, 4, 5, 6, 7, 8],
        records: size,
    })?;

    let added = (args.records / 100).max(1);
    say(&format!("appending {added} more records"));
    synth.extend(added)?;
    let at = rfc3339(synth.last_checkpoint() + AT_AFTER_CHECKPOINT)?;
    say("verify --state --since");
    let since = runner.verify(VerifySpec {
        name: "verify-since",
        what: format!(
            "`logseal verify --state --since` with the private part, after {} new records \
             (one more day, checkpointed)",
            bench::group(added)
        ),
        args: args_of(&[
            &log_dir,
            &"--trust",
            &trust_private,
            &"--state",
            &state,
            &"--since",
            &"--at",
            &at,
        ]),
        // Check 8 judges the whole log and does not run incrementally (docs/CHECKS.md).
        checks: &[1, 2, 3, 4, 5, 6, 7],
        records: added,
    })?;
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

fn args_of(args: &[&dyn AsRef<OsStr>]) -> Vec<OsString> {
    args.iter().map(|a| a.as_ref().to_os_string()).collect()
}

/// The ceiling: strict verification of up to [`CEILING_SAMPLE`] of the log's records.
fn ceiling_figure(synth: &SynthLog) -> anyhow::Result<Figure> {
    let sample = Sample::from_log(synth.log(), CEILING_SAMPLE)?;
    let time = sample.ceiling(CEILING_PASSES)?;
    let mut f = Figure::new(
        "ceiling",
        format!(
            "strict Ed25519 verification (verify_strict) of {} decoded records of this log, all \
             cores (rayon), median of {CEILING_PASSES} passes",
            bench::group(sample.len() as u64)
        ),
        sample.len() as u64,
        time,
        0.0,
    );
    f.memory = "not measured (in-process)".into();
    Ok(f)
}

/// Durable append: every `Log::append` of the log's writing.
fn append_figure(synth: &SynthLog, generator_peak: Option<u64>, ceiling: f64) -> Figure {
    let appends = synth.append_stats();
    let mut f = Figure::new(
        "append",
        format!(
            "durable Log::append of records signed beforehand ({} calls, batches of up to \
             {}; signing not timed)",
            appends.calls,
            bench::group(logseal::synth::BATCH as u64)
        ),
        appends.records,
        appends.time,
        ceiling,
    );
    f.memory = match generator_peak {
        Some(b) => format!(
            "not measured alone (in-process: the whole generator's peak, signing included, \
             was {:.1} MB)",
            b as f64 / 1e6
        ),
        None => "not measured (no /proc/self/status on this platform)".into(),
    };
    f
}

/// The trust files, written by `logseal trust new`: `DIR/trust-public.json` names no
/// retention or obligation authority (checks 1-6), `DIR/trust-private.json` names the
/// scenario's (checks 1-8 with the private part).
fn trust_files(exe: &Path, dir: &Path, keys: &Path) -> anyhow::Result<(PathBuf, PathBuf)> {
    let public = dir.join("trust-public.json");
    let private = dir.join("trust-private.json");
    let log_pub = keys.join("log.pub");
    let authority_pub = keys.join(format!("{}.pub", scenario::AUTHORITY));
    let base = args_of(&[
        &"trust",
        &"new",
        &"--log-key",
        &log_pub,
        &"--authority",
        &authority_pub,
    ]);
    let mut args = base.clone();
    args.extend(args_of(&[&"--out", &public]));
    run_quiet(exe, &args)?;
    let mut args = base;
    args.extend(args_of(&[
        &"--retention-authority",
        &scenario::POLICY_AUTHORITY,
        &"--obligation-authority",
        &scenario::OBLIGATION_AUTHORITY,
        &"--out",
        &private,
    ]));
    run_quiet(exe, &args)?;
    Ok((public, private))
}

/// `DIR/public-only`: a directory holding only a link `public` to the log's public part, so
/// that `verify` finds no private part there.
fn public_only(dir: &Path, log_dir: &Path) -> anyhow::Result<PathBuf> {
    let out = dir.join("public-only");
    std::fs::create_dir(&out).with_context(|| format!("cannot create {}", out.display()))?;
    link_dir(&log_dir.join("public"), &out.join("public"))?;
    Ok(out)
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
fn run_quiet(exe: &Path, args: &[OsString]) -> anyhow::Result<()> {
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

/// Runs `logseal verify` children in the bench directory, against the run's ceiling.
struct Runner<'a> {
    exe: &'a Path,
    dir: &'a Path,
    /// The ceiling's records/s.
    ceiling: f64,
}

/// One verify run: its figure's name and label, its arguments, and what makes the label
/// true (the checks that run, the records read).
struct VerifySpec<'a> {
    name: &'a str,
    what: String,
    args: Vec<OsString>,
    checks: &'a [u8],
    records: u64,
}

impl Runner<'_> {
    /// Run `logseal verify ARGS --json` as a child, timed from start to exit, with its own
    /// peak RSS; fail unless it is what its label says ([`expect`]).
    fn verify(&self, spec: VerifySpec<'_>) -> anyhow::Result<Figure> {
        let name = spec.name;
        let rss_file = self.dir.join(format!("peak-rss-{name}"));
        let started = Instant::now();
        let out = Command::new(self.exe)
            .arg("verify")
            .args(&spec.args)
            .arg("--json")
            .env(PEAK_RSS_ENV, &rss_file)
            .output()
            .with_context(|| format!("cannot run {} verify", self.exe.display()))?;
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
        let mut f = Figure::new(name, spec.what, run.records_checked, time, self.ceiling);
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
        expect(&f, spec.checks, spec.records)?;
        Ok(f)
    }
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

/// This process's peak resident set size so far, in bytes (Linux: /proc/self/status).
pub fn own_peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    bench::parse_vm_hwm(&status)
}

/// [`PEAK_RSS_ENV`]: write this process's peak RSS (bytes) to the file it names, if set
/// (called by `main` when the command has ended).
pub fn write_peak_rss() {
    let Some(path) = std::env::var_os(PEAK_RSS_ENV) else {
        return;
    };
    if let Some(bytes) = own_peak_rss()
        && let Err(e) = std::fs::write(&path, format!("{bytes}\n"))
    {
        eprintln!(
            "logseal: {PEAK_RSS_ENV}: cannot write {}: {e}",
            Path::new(&path).display()
        );
    }
}

//! `logseal bench`'s measurements as data: the signature ceiling measured on a log's own
//! records, what a `logseal verify --json` run reports about itself ([`VerifyRun`]), the
//! peak memory a process reports of itself ([`PEAK_RSS_ENV`]), and the table and JSON of a
//! whole run ([`BenchReport`]). The command (`src/commands/bench.rs`) writes the log
//! ([`crate::synth`]), runs the real `logseal verify` as child processes and times them; this
//! module never prints, never starts a process and never reads the date (the ceiling's passes
//! are timed with a monotonic [`Instant`]).
//!
//! Every figure is given in records per second and as a ratio to the ceiling measured in the
//! same run (docs/PERFORMANCE.md, "Reproducing: `logseal bench`").

use std::collections::HashMap;
use std::fmt::Write as _;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use serde::Serialize;

use crate::crypto::PublicKey;
use crate::log::Log;
use crate::record::Record;

/// An environment variable naming a file: when set, the `logseal` binary writes its own peak
/// resident set size (`VmHWM` of /proc/self/status, in bytes, as a decimal number and a
/// newline) to that file when it exits. Linux only; elsewhere the file is not written.
pub const PEAK_RSS_ENV: &str = "LOGSEAL_PEAK_RSS_FILE";

/// Records the ceiling's sample holds at most (spread evenly over the log).
pub const CEILING_SAMPLE: u64 = 20_000;

/// Why a measurement could not be made.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error("reading the log's entries for the ceiling: {0}")]
    Read(String),
    #[error("leaf {leaf}: {reason}")]
    Record { leaf: u64, reason: String },
    #[error("the log has no record signed by a key it registered: no ceiling to measure")]
    EmptySample,
    #[error("the verify report (JSON) cannot be read: {0}")]
    Report(String),
}

/// The peak resident set size in `status` (the text of /proc/PID/status), in bytes.
pub fn parse_vm_hwm(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let mut words = line["VmHWM:".len()..].split_whitespace();
    let n: u64 = words.next()?.parse().ok()?;
    match words.next()? {
        "kB" => n.checked_mul(1024),
        _ => None,
    }
}

/// Records of a log with the keys that signed them, for the ceiling.
pub struct Sample {
    keys: Vec<PublicKey>,
    /// (leaf, record, index of its key in `keys`).
    records: Vec<(u64, Record, usize)>,
    origin: String,
}

impl Sample {
    /// At most `max` records spread evenly over `log` (every ⌈size / max⌉-th leaf), decoded,
    /// each with the key its kid names (the registration authority's or a registered key).
    pub fn from_log(log: &Log, max: u64) -> Result<Sample, BenchError> {
        let mut keys = vec![log.authority().key];
        for entry in &log.state().keys {
            if let Ok(k) = PublicKey::from_bytes(&entry.public_key.0) {
                keys.push(k);
            }
        }
        let by_kid: HashMap<_, usize> = keys
            .iter()
            .enumerate()
            .map(|(i, k)| (k.key_id(), i))
            .collect();
        let size = log.size();
        let stride = size.div_ceil(max.max(1)).max(1);
        let mut records = Vec::new();
        log.reader()
            .for_each_entry(size, 0, size, |leaf, bytes| {
                if leaf % stride == 0 {
                    let r = Record::decode(bytes).map_err(|e| {
                        crate::log::reader::ReadError::Corrupt {
                            path: format!("leaf {leaf}"),
                            reason: e.to_string(),
                        }
                    })?;
                    if let Some(&k) = by_kid.get(r.kid()) {
                        records.push((leaf, r, k));
                    }
                }
                Ok(())
            })
            .map_err(|e| BenchError::Read(e.to_string()))?;
        if records.is_empty() {
            return Err(BenchError::EmptySample);
        }
        Ok(Sample {
            keys,
            records,
            origin: log.origin().to_string(),
        })
    }

    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Strict Ed25519 verification ([`Record::verify`], as the verifier does) of every record
    /// of the sample on all cores (rayon), `passes` times; the median pass.
    pub fn ceiling(&self, passes: usize) -> Result<Duration, BenchError> {
        let mut times = Vec::with_capacity(passes.max(1));
        for _ in 0..passes.max(1) {
            let started = Instant::now();
            let bad = self
                .records
                .par_iter()
                .find_any(|(_, r, k)| r.verify(&self.keys[*k], &self.origin).is_err());
            times.push(started.elapsed());
            if let Some((leaf, r, _)) = bad {
                return Err(BenchError::Record {
                    leaf: *leaf,
                    reason: format!(
                        "the record signed with key {} does not verify",
                        hex::encode(r.kid())
                    ),
                });
            }
        }
        times.sort();
        Ok(times[times.len() / 2])
    }
}

/// What one `logseal verify --json` run says about itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifyRun {
    /// Records the run read (`records_checked`: the new ones of a `--since` run).
    pub records_checked: u64,
    pub tree_size: u64,
    /// The checks that ran (a verdict), by number.
    pub checks_run: Vec<u8>,
    /// Violations over all checks.
    pub violations: u64,
    /// The codes of the violations found, with their counts.
    pub violation_codes: Vec<(String, u64)>,
    /// Checks 2 (the tree) and 3 (the records' signatures and keys) hold: every record read
    /// is authentic and in the checkpoint's tree.
    pub authentic: bool,
}

impl VerifyRun {
    /// Read the JSON report of `logseal verify --json`.
    pub fn from_report(json: &[u8]) -> Result<VerifyRun, BenchError> {
        let bad = |what: &str| BenchError::Report(format!("no {what}"));
        let v: serde_json::Value =
            serde_json::from_slice(json).map_err(|e| BenchError::Report(e.to_string()))?;
        let num = |k: &str| v.get(k).and_then(|x| x.as_u64()).ok_or_else(|| bad(k));
        let checks = v
            .get("checks")
            .and_then(|c| c.as_array())
            .ok_or_else(|| bad("checks"))?;
        let mut run = VerifyRun {
            records_checked: num("records_checked")?,
            tree_size: num("tree_size")?,
            checks_run: Vec::new(),
            violations: 0,
            violation_codes: Vec::new(),
            authentic: true,
        };
        let mut holds = [false; 2];
        for c in checks {
            let n = c
                .get("check")
                .and_then(|x| x.as_u64())
                .ok_or_else(|| bad("check number"))?;
            let verdict = c.get("verdict").and_then(|x| x.as_str());
            if verdict.is_some() {
                run.checks_run.push(n as u8);
            }
            if (n == 2 || n == 3) && verdict == Some("holds") {
                holds[n as usize - 2] = true;
            }
            run.violations += c.get("violations").and_then(|x| x.as_u64()).unwrap_or(0);
        }
        run.authentic = holds == [true, true];
        // Codes whose kept findings are violations, with their total counts.
        let mut codes: Vec<String> = Vec::new();
        for f in v
            .get("findings")
            .and_then(|f| f.as_array())
            .into_iter()
            .flatten()
        {
            if f.get("verdict").and_then(|x| x.as_str()) == Some("violated")
                && let Some(code) = f.get("code").and_then(|x| x.as_str())
                && !codes.iter().any(|c| c == code)
            {
                codes.push(code.to_string());
            }
        }
        codes.sort();
        for code in codes {
            let n = v
                .get("counts")
                .and_then(|c| c.get(&code))
                .and_then(|c| c.get("total"))
                .and_then(|x| x.as_u64())
                .unwrap_or(1);
            run.violation_codes.push((code, n));
        }
        Ok(run)
    }
}

/// One row of the table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figure {
    /// `ceiling`, `append`, `verify-public`, `verify-private`, `verify-since`.
    pub name: String,
    /// What was measured, in words.
    pub what: String,
    /// Records measured.
    pub records: u64,
    pub seconds: f64,
    pub records_per_sec: f64,
    /// `records_per_sec` over the ceiling's.
    pub ratio_to_ceiling: f64,
    /// Peak resident set size in bytes; `None`: not measured (see `memory`).
    pub peak_rss_bytes: Option<u64>,
    /// Whose peak memory `peak_rss_bytes` is, or why there is none.
    pub memory: String,
    /// For a verify run: what it reported.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verify: Option<VerifyRun>,
}

impl Figure {
    /// A figure of `records` in `time`, against `ceiling` records/s (itself when 0).
    pub fn new(name: &str, what: String, records: u64, time: Duration, ceiling: f64) -> Figure {
        let seconds = time.as_secs_f64();
        let rate = if seconds > 0.0 {
            records as f64 / seconds
        } else {
            0.0
        };
        Figure {
            name: name.into(),
            what,
            records,
            seconds,
            records_per_sec: rate,
            ratio_to_ceiling: if ceiling > 0.0 { rate / ceiling } else { 1.0 },
            peak_rss_bytes: None,
            memory: "not measured".into(),
            verify: None,
        }
    }
}

/// Where and how the run was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Machine {
    /// `std::thread::available_parallelism`.
    pub cores: usize,
    /// `debug` or `release` (`cfg!(debug_assertions)`).
    pub profile: String,
    pub os: String,
    pub arch: String,
    pub version: String,
    /// The command line, as given.
    pub command: String,
    /// When the run started (RFC 3339, UTC).
    pub date: String,
}

impl Machine {
    /// This process: its cores, build profile, platform and command line, at `date`.
    pub fn this(command: String, date: String) -> Machine {
        Machine {
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            profile: if cfg!(debug_assertions) {
                "debug"
            } else {
                "release"
            }
            .into(),
            os: std::env::consts::OS.into(),
            arch: std::env::consts::ARCH.into(),
            version: env!("CARGO_PKG_VERSION").into(),
            command,
            date,
        }
    }
}

/// The log the run measured.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogFacts {
    pub dir: String,
    /// Kept after the run (`--keep`, or `--dir` given).
    pub kept: bool,
    /// Records written before the measurements (`--records`).
    pub records: u64,
    /// Records added for the `--since` run.
    pub added: u64,
    pub checkpoints: u64,
    /// Wall time of writing the log (signing included).
    pub write_seconds: f64,
}

/// A whole run: machine, log, figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BenchReport {
    pub format: u32,
    /// Set for a debug build: its numbers say little about the release build's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warning: Option<String>,
    pub machine: Machine,
    pub log: LogFacts,
    pub figures: Vec<Figure>,
}

/// The warning a debug build's report carries.
pub const DEBUG_WARNING: &str = "DEBUG BUILD: these numbers are of an unoptimised logseal \
    (its dependencies at opt-level 2); build with `cargo build --release` and run \
    target/release/logseal bench for numbers to compare with docs/PERFORMANCE.md";

impl BenchReport {
    pub fn new(machine: Machine, log: LogFacts, figures: Vec<Figure>) -> BenchReport {
        BenchReport {
            format: 1,
            warning: (machine.profile == "debug").then(|| DEBUG_WARNING.into()),
            machine,
            log,
            figures,
        }
    }

    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("the report serialises");
        s.push('\n');
        s
    }

    /// The table for people.
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        if let Some(w) = &self.warning {
            let bar = "!".repeat(78);
            let _ = writeln!(out, "{bar}\n!! {w}\n{bar}\n");
        }
        let m = &self.machine;
        let _ = writeln!(
            out,
            "logseal bench: {} records ({} checkpoints), then {} more for --since\n\
             machine  {} cores (available parallelism), {} {}, logseal {} ({} build)\n\
             command  {}\n\
             date     {}\n\
             log      {} ({}), written in {:.1} s\n",
            group(self.log.records),
            self.log.checkpoints,
            group(self.log.added),
            m.cores,
            m.os,
            m.arch,
            m.version,
            m.profile,
            m.command,
            m.date,
            self.log.dir,
            if self.log.kept { "kept" } else { "deleted" },
            self.log.write_seconds,
        );
        let _ = writeln!(
            out,
            "{:<16} {:>9} {:>9} {:>11} {:>7} {:>10}  what",
            "figure", "records", "seconds", "records/s", "ratio", "peak RSS"
        );
        for f in &self.figures {
            let rss = f
                .peak_rss_bytes
                .map_or_else(|| "-".to_string(), |b| format!("{:.1} MB", b as f64 / 1e6));
            let _ = writeln!(
                out,
                "{:<16} {:>9} {:>9.2} {:>11} {:>6.0}% {:>10}  {}",
                f.name,
                group(f.records),
                f.seconds,
                group(f.records_per_sec.round() as u64),
                f.ratio_to_ceiling * 100.0,
                rss,
                f.what
            );
        }
        let _ = writeln!(out);
        for f in &self.figures {
            let _ = writeln!(out, "{}: memory: {}", f.name, f.memory);
            if let Some(v) = &f.verify {
                let codes: Vec<String> = v
                    .violation_codes
                    .iter()
                    .map(|(c, n)| format!("{c} ×{n}"))
                    .collect();
                let _ = writeln!(
                    out,
                    "{}: checks run {}; {} of {} records read; checks 2 and 3 {}; {} violation(s){}",
                    f.name,
                    v.checks_run
                        .iter()
                        .map(u8::to_string)
                        .collect::<Vec<_>>()
                        .join(","),
                    v.records_checked,
                    v.tree_size,
                    if v.authentic { "hold" } else { "DO NOT HOLD" },
                    v.violations,
                    if codes.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", codes.join(", "))
                    }
                );
            }
        }
        out
    }
}

/// `1234567` as `1,234,567`.
pub fn group(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(profile: &str) -> BenchReport {
        let machine = Machine {
            cores: 2,
            profile: profile.into(),
            os: "linux".into(),
            arch: "x86_64".into(),
            version: "0.1.0".into(),
            command: "logseal bench --records 5000".into(),
            date: "2026-12-07T12:00:00Z".into(),
        };
        let log = LogFacts {
            dir: "/tmp/b".into(),
            kept: false,
            records: 5000,
            added: 50,
            checkpoints: 30,
            write_seconds: 2.5,
        };
        let ceiling = Figure::new(
            "ceiling",
            "strict verify".into(),
            20_000,
            Duration::from_millis(500),
            0.0,
        );
        let mut verify = Figure::new(
            "verify-public",
            "checks 1–6".into(),
            5000,
            Duration::from_millis(250),
            40_000.0,
        );
        verify.peak_rss_bytes = Some(31_700_000);
        verify.verify = Some(VerifyRun {
            records_checked: 5000,
            tree_size: 5000,
            checks_run: vec![1, 2, 3, 4, 5, 6],
            violations: 1,
            violation_codes: vec![("heartbeat-counter-mismatch".into(), 1)],
            authentic: true,
        });
        BenchReport::new(machine, log, vec![ceiling, verify])
    }

    #[test]
    fn figures_are_rates_and_ratios() {
        let f = Figure::new(
            "x",
            String::new(),
            1000,
            Duration::from_millis(50),
            40_000.0,
        );
        assert_eq!(f.records_per_sec, 20_000.0);
        assert_eq!(f.ratio_to_ceiling, 0.5);
        let c = Figure::new("ceiling", String::new(), 10, Duration::from_secs(1), 0.0);
        assert_eq!(c.ratio_to_ceiling, 1.0);
    }

    #[test]
    fn table_has_every_figure_and_the_machine() {
        let text = report("release").render_text();
        assert!(!text.contains("DEBUG BUILD"), "{text}");
        assert!(text.contains("2 cores"), "{text}");
        assert!(text.contains("logseal bench --records 5000"), "{text}");
        let row = text
            .lines()
            .find(|l| l.starts_with("verify-public"))
            .expect("a row per figure");
        assert!(row.contains("20,000"), "rate: {row}");
        assert!(row.contains("50%"), "ratio: {row}");
        assert!(row.contains("31.7 MB"), "memory: {row}");
        let ceiling = text
            .lines()
            .find(|l| l.starts_with("ceiling"))
            .expect("row");
        assert!(
            ceiling.contains("40,000") && ceiling.contains("100%"),
            "{ceiling}"
        );
        assert!(text.contains("checks run 1,2,3,4,5,6"), "{text}");
        assert!(text.contains("heartbeat-counter-mismatch ×1"), "{text}");
    }

    #[test]
    fn debug_build_says_so_in_text_and_json() {
        let r = report("debug");
        assert!(r.render_text().starts_with(&"!".repeat(78)));
        assert!(r.render_text().contains("DEBUG BUILD"));
        let v: serde_json::Value = serde_json::from_str(&r.to_json()).expect("JSON");
        assert!(
            v["warning"]
                .as_str()
                .expect("warning")
                .contains("DEBUG BUILD")
        );
        assert_eq!(v["machine"]["profile"], "debug");
        assert_eq!(v["figures"][1]["records_per_sec"], 20_000.0);
        assert_eq!(v["figures"][1]["peak_rss_bytes"], 31_700_000);
        assert_eq!(v["figures"][0]["peak_rss_bytes"], serde_json::Value::Null);
        assert!(report("release").to_json().find("warning").is_none());
    }

    #[test]
    fn vm_hwm_is_read_in_bytes() {
        let status = "Name:\tlogseal\nVmPeak:\t  100 kB\nVmHWM:\t   31744 kB\nVmRSS:\t 3 kB\n";
        assert_eq!(parse_vm_hwm(status), Some(31744 * 1024));
        assert_eq!(parse_vm_hwm("VmRSS:\t 3 kB\n"), None);
        assert_eq!(parse_vm_hwm("VmHWM:\t 3 MB\n"), None);
    }

    #[test]
    fn verify_report_is_summarised() {
        let json = br#"{"tree_size": 5000, "records_checked": 50,
            "checks": [
              {"check": 1, "verdict": "holds", "violations": 0},
              {"check": 2, "verdict": "holds", "violations": 0},
              {"check": 3, "verdict": "holds", "violations": 0},
              {"check": 4, "verdict": "violated", "violations": 2},
              {"check": 7, "verdict": null, "violations": 0}
            ],
            "counts": {
              "heartbeat-counter-mismatch": {"total": 2, "suppressed": 0},
              "auth-denied-attempt": {"total": 1, "suppressed": 0}
            },
            "findings": [
              {"check": 4, "code": "heartbeat-counter-mismatch", "verdict": "violated"},
              {"check": 6, "code": "auth-denied-attempt", "verdict": "notice"},
              {"check": 4, "code": "heartbeat-counter-mismatch", "verdict": "violated"}
            ]}"#;
        let run = VerifyRun::from_report(json).expect("reads");
        assert_eq!(run.records_checked, 50);
        assert_eq!(run.checks_run, vec![1, 2, 3, 4]);
        assert_eq!(run.violations, 2);
        assert!(run.authentic);
        assert_eq!(
            run.violation_codes,
            vec![("heartbeat-counter-mismatch".to_string(), 2)]
        );
        let broken = String::from_utf8_lossy(json).replace(
            r#"{"check": 3, "verdict": "holds""#,
            r#"{"check": 3, "verdict": "violated""#,
        );
        assert!(
            !VerifyRun::from_report(broken.as_bytes())
                .expect("reads")
                .authentic
        );
        assert!(VerifyRun::from_report(b"{}").is_err());
    }
}

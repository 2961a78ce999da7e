//! `logseal verify`: reads the trust file and the auditor's state, runs
//! [`logseal::verify::verify`] over the log's public part, stores the advanced state, and
//! renders the report (text for people, `--json` for machines). `--since` runs it
//! incrementally from the state's resume point. When the log directory has its private part
//! (`DIR/private/config.json`), check 7 (retention) reads the disclosures through a
//! read-only [`Log`]; a `DIR/private` that exists but cannot be opened (its `config.json`
//! hidden, its state corrupt) stops check 7 with the reason. Exit 0 no violation and every
//! required check fully determined, 1 a violation or a required check not fully determined
//! ([`Invalid`]), 2 could not run.

use std::collections::HashSet;
use std::io::IsTerminal;
use std::path::Path;

use anyhow::{Context, bail};
use logseal::cli::VerifyArgs;
use logseal::log::Log;
use logseal::record::types::Timestamp;
use logseal::retention::DisclosureSource;
use logseal::store::FsStore;
use logseal::verify::{
    self, AuditorState, Options, Progress, Report, RetentionAccess, Trust, Verdict,
};

use super::log::now_secs;
use super::{Invalid, files};

/// The auditor state's file inside `--state DIR`.
pub const STATE_FILE: &str = "state.json";

pub(super) struct Bar(pub(super) indicatif::ProgressBar);

impl Progress for Bar {
    fn start(&self, total: u64) {
        self.0.set_length(total);
    }
    fn advance(&self, n: u64) {
        self.0.inc(n);
    }
}

/// Read and validate a trust file.
pub fn read_trust(path: &Path) -> anyhow::Result<Trust> {
    let bytes = files::read(path)?;
    Trust::from_json(&bytes).with_context(|| format!("{}", path.display()))
}

/// Read the auditor state from `dir` (a fresh one when the directory or file is absent).
pub fn read_state(dir: &Path, origin: &str) -> anyhow::Result<AuditorState> {
    let path = dir.join(STATE_FILE);
    if !path.exists() {
        return Ok(AuditorState::new(origin));
    }
    let bytes = files::read(&path)?;
    AuditorState::from_json(&bytes, origin).with_context(|| format!("{}", path.display()))
}

/// Replace `dir/state.json` atomically (temporary file, fsync, rename, directory fsync).
pub fn write_state(dir: &Path, state: &AuditorState) -> anyhow::Result<()> {
    write_atomic(dir, STATE_FILE, &state.to_json())
}

/// Replace `dir/name` atomically (temporary file, fsync, rename, directory fsync).
pub fn write_atomic(dir: &Path, name: &str, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let tmp = dir.join(format!("{name}.tmp-{}", std::process::id()));
    let path = dir.join(name);
    let mut f =
        std::fs::File::create(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
    f.write_all(bytes)
        .and_then(|()| f.sync_all())
        .with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, &path).with_context(|| format!("cannot replace {}", path.display()))?;
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .with_context(|| format!("cannot sync {}", dir.display()))?;
    Ok(())
}

/// Verify the log in `dir` with `trust` and the state in `state_dir` (advanced when the
/// checkpoint verified). `progress`: draw a bar on standard error.
pub fn verify_log(
    dir: &Path,
    trust: &Trust,
    state_dir: Option<&Path>,
    at_secs: u64,
    progress: bool,
) -> anyhow::Result<Report> {
    let options = Options {
        at_secs,
        incremental: false,
    };
    verify_log_with(
        dir,
        trust,
        state_dir,
        &options,
        verify::DEFAULT_RETENTION_GRACE,
        progress,
    )
}

/// A private part that cannot be opened: check 7 then reports why it did not run.
struct Unreadable(String);

impl DisclosureSource for Unreadable {
    fn readable(&self, _leaf: u64) -> Result<Vec<logseal::record::Disclosure>, String> {
        Err(self.0.clone())
    }
}

/// [`verify_log`] with all the options (`incremental`: `--since`) and check 7's `grace`.
pub fn verify_log_with(
    dir: &Path,
    trust: &Trust,
    state_dir: Option<&Path>,
    options: &Options,
    grace: std::time::Duration,
    progress: bool,
) -> anyhow::Result<Report> {
    let url = remote_url(dir);
    let public = dir.join("public");
    let bucket = match url {
        None => logseal::log::public_location_of(dir)?,
        Some(_) => None,
    };
    if url.is_none() && bucket.is_none() && !public.is_dir() {
        bail!(
            "{}: no public part (expected {}): not a log directory, or truncated",
            dir.display(),
            public.display()
        );
    }
    let state = match state_dir {
        Some(d) => {
            if options.incremental && !d.join(STATE_FILE).is_file() {
                bail!(
                    "--since: {} does not exist: an incremental run needs the state of an \
                     earlier run (run `logseal verify` with --state {} first)",
                    d.join(STATE_FILE).display(),
                    d.display()
                );
            }
            read_state(d, trust.origin())?
        }
        None if options.incremental => bail!("--since needs --state DIR"),
        None => AuditorState::new(trust.origin()),
    };
    let store: Box<dyn logseal::store::ObjectStore> = match url {
        Some(u) => open_remote(u)?,
        // A log directory whose config puts the public part in a bucket: read it there.
        None if bucket.is_some() => logseal::log::public_store(dir)?,
        None => Box::new(FsStore::open(&public)?),
    };
    let store = store.as_ref();
    // Check 7 needs the disclosures: the private part, when this is the log directory. One
    // that is there but cannot be opened is not the same as none: check 7 says why. A log
    // read over HTTP has none here: its private part stays on site.
    let private_dir = dir.join("private");
    let config = private_dir.join("config.json");
    let private = if url.is_some() {
        None
    } else if config.is_file() {
        Some(Log::open_read_only(dir).map_err(|e| Unreadable(format!("{}: {e}", dir.display()))))
    } else if std::fs::symlink_metadata(&private_dir).is_ok() {
        Some(Err(Unreadable(format!(
            "{} exists but {} is missing or not a file: the private part is incomplete or \
             hidden",
            private_dir.display(),
            config.display()
        ))))
    } else {
        None
    };
    let source: Option<&dyn DisclosureSource> = match &private {
        None => None,
        Some(Ok(log)) => Some(log),
        Some(Err(unreadable)) => Some(unreadable),
    };
    let retention = source.map(|disclosures| RetentionAccess { disclosures, grace });
    let outcome = if progress {
        let bar = indicatif::ProgressBar::new(0).with_style(
            indicatif::ProgressStyle::with_template(
                "verifying {bar:40} {pos}/{len} records ({per_sec}, {eta})",
            )
            .expect("valid template"),
        );
        let bar = Bar(bar);
        let o = verify::verify_with_retention(store, trust, &state, options, &bar, retention);
        bar.0.finish_and_clear();
        o
    } else {
        verify::verify_with_retention(
            store,
            trust,
            &state,
            options,
            &verify::NoProgress,
            retention,
        )
    }
    .with_context(|| format!("verifying {}", dir.display()))?;
    if let (Some(d), Some(s)) = (state_dir, &outcome.new_state) {
        write_state(d, s)?;
    }
    Ok(outcome.report)
}

/// How long one request to a remote log may take.
pub const REMOTE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// The URL, when the log location given is one (`http://…`, `https://…`, `s3://…`).
pub fn remote_url(location: &Path) -> Option<&str> {
    location.to_str().filter(|s| {
        s.starts_with("http://") || s.starts_with("https://") || logseal::store::s3::is_s3_url(s)
    })
}

/// The public part of a log at a remote location: `http(s)://` (read over HTTP) or
/// `s3://bucket[/prefix]` (an S3-compatible bucket; endpoint and credentials from the `AWS_*`
/// variables). With `LOGSEAL_CACHE=DIR` set, full tiles and entry bundles are kept in a
/// per-location subdirectory of DIR and read from there next time (docs/STORAGE.md).
pub fn open_remote(url: &str) -> anyhow::Result<Box<dyn logseal::store::ObjectStore>> {
    let store: Box<dyn logseal::store::ObjectStore> = if logseal::store::s3::is_s3_url(url) {
        Box::new(logseal::store::S3Store::from_url(url)?)
    } else {
        Box::new(logseal::store::HttpStore::new(url, REMOTE_TIMEOUT))
    };
    match std::env::var_os("LOGSEAL_CACHE") {
        Some(d) if !d.is_empty() => {
            // One directory per location: the URL and, for a bucket, the endpoint it is read
            // from (the same bucket name on two services is two logs).
            let endpoint = std::env::var("AWS_ENDPOINT_URL")
                .or_else(|_| std::env::var("AWS_ENDPOINT"))
                .unwrap_or_default();
            let id = format!("{}\n{endpoint}", url.trim_end_matches('/'));
            let name = hex::encode(&blake3::hash(id.as_bytes()).as_bytes()[..16]);
            let dir = Path::new(&d).join(name);
            Ok(Box::new(
                logseal::store::CachedStore::new(store, &dir)
                    .with_context(|| format!("LOGSEAL_CACHE: {}", dir.display()))?,
            ))
        }
        _ => Ok(store),
    }
}

pub fn run(args: VerifyArgs) -> anyhow::Result<()> {
    let trust = read_trust(&args.trust)?.also_requiring(
        args.require
            .iter()
            .filter_map(|&n| verify::Check::from_number(n)),
    );
    let at_secs = match &args.at {
        Some(s) => {
            Timestamp::parse_rfc3339(s)
                .map_err(|e| anyhow::anyhow!("--at {s:?}: {e}"))?
                .0
                .millis()
                / 1000
        }
        None => now_secs(),
    };
    let progress = !args.json && std::io::stderr().is_terminal();
    let options = Options {
        at_secs,
        incremental: args.since,
    };
    let report = verify_log_with(
        &args.dir,
        &trust,
        args.state.as_deref(),
        &options,
        args.retention_grace,
        progress,
    )?;
    if args.json {
        files::print(&report.to_json()?)?;
    } else {
        let view = View {
            summary: args.summary,
            checks: args.checks.clone(),
            codes: args.codes.clone(),
            producers: args.producers.clone(),
            colour: colour_wanted(),
        };
        files::print(&render_with(&report, &view))?;
    }
    let n: u64 = report.checks.iter().map(|c| c.violations).sum();
    let undetermined = report.required_not_determined();
    let mut why = Vec::new();
    if report.has_violations() {
        why.push(format!("verification found {n} violation(s)"));
    }
    if !undetermined.is_empty() {
        why.push(format!(
            "required check(s) {} not fully determined (see required-check-undetermined)",
            numbers(&undetermined)
        ));
    }
    if !why.is_empty() {
        return Err(Invalid(why.join("; ")).into());
    }
    Ok(())
}

/// `1, 2, 7`.
fn numbers(checks: &[verify::Check]) -> String {
    checks
        .iter()
        .map(|c| c.number().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// What the text report shows (`--summary`, `--check`, `--code`, `--producer`) and whether
/// verdicts are coloured. The filters choose finding lines only: the summary, the counts and
/// the exit status always cover every finding.
#[derive(Debug, Clone, Default)]
pub struct View {
    pub summary: bool,
    pub checks: Vec<u64>,
    pub codes: Vec<String>,
    pub producers: Vec<String>,
    pub colour: bool,
}

impl View {
    fn filtered(&self) -> bool {
        !(self.checks.is_empty() && self.codes.is_empty() && self.producers.is_empty())
    }

    fn shows(&self, f: &verify::Finding) -> bool {
        (self.checks.is_empty() || self.checks.contains(&u64::from(f.check.number())))
            && (self.codes.is_empty() || self.codes.iter().any(|c| c == f.code))
            && (self.producers.is_empty()
                || f.producer
                    .as_ref()
                    .is_some_and(|p| self.producers.contains(p)))
    }
}

/// Colour on a terminal, unless `NO_COLOR` is set (non-empty).
fn colour_wanted() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// A verdict's name, coloured when `colour` (ANSI: red violated, yellow cannot be
/// determined, cyan notice, green holds, dim not checked).
fn verdict_text(name: &str, v: Option<Verdict>, colour: bool, width: usize) -> String {
    let padded = format!("{name:<width$}");
    let code = match v {
        _ if !colour => return padded,
        Some(Verdict::Violated) => "31;1",
        Some(Verdict::CannotBeDetermined) => "33",
        Some(Verdict::Notice) => "36",
        Some(Verdict::Holds) => "32",
        Some(Verdict::NotChecked) | None => "2",
    };
    format!("\x1b[{code}m{padded}\x1b[0m")
}

/// The report for a person, unfiltered and without colour: summary, findings grouped by
/// check, provenance.
pub fn render(r: &Report) -> String {
    render_with(r, &View::default())
}

/// The report for a person as `view` says.
pub fn render_with(r: &Report, view: &View) -> String {
    let p = &r.provenance;
    let mut out = String::new();
    let violations: u64 = r.checks.iter().map(|c| c.violations).sum();
    let undetermined: u64 = r.checks.iter().map(|c| c.undetermined).sum();
    let notices: u64 = r.checks.iter().map(|c| c.notices).sum();
    out.push_str(&format!(
        "logseal verify: {}, tree size {}, {} records checked{}\n",
        p.origin,
        r.tree_size.map_or("unknown".to_string(), |s| s.to_string()),
        r.records_checked,
        p.incremental_from
            .map_or(String::new(), |f| format!(" (incremental, since size {f})"))
    ));
    let required = r.required_not_determined();
    out.push_str(&format!(
        "{}: {violations} violation(s), {undetermined} item(s) cannot be determined, {notices} notice(s){}\n\n",
        if violations > 0 {
            "VIOLATED"
        } else if !required.is_empty() {
            "NOT DETERMINED"
        } else {
            "no violation found"
        },
        if required.is_empty() {
            String::new()
        } else {
            format!("; required check(s) {} not fully determined", numbers(&required))
        }
    ));
    let causes = r.root_causes();
    // Unfiltered, the findings a root cause explains are not repeated (a filter shows them),
    // unless it explains only one.
    let grouped: HashSet<usize> = if view.filtered() || view.summary {
        HashSet::new()
    } else {
        causes
            .iter()
            .filter(|c| c.findings.len() > 1)
            .flat_map(|c| c.findings.iter().copied())
            .collect()
    };
    // Filters choose finding lines: a filtered view shows no root cause.
    if !view.filtered() {
        out.push_str(&root_cause_lines(&causes, grouped.len(), view));
    }
    out.push_str(
        "  check  verdict                examined                violations  undetermined  \
         notices\n",
    );
    for c in &r.checks {
        let verdict = verdict_text(
            c.verdict.map_or("not run", Verdict::name),
            c.verdict,
            view.colour,
            21,
        );
        let examined = c
            .examined
            .as_ref()
            .map_or("-".to_string(), |e| format!("{} {}", e.count, e.what));
        out.push_str(&format!(
            "  {:<5}  {}  {:<22}  {:>10}  {:>12}  {:>7}  {}\n",
            c.check.number(),
            verdict,
            examined,
            c.violations,
            c.undetermined,
            c.notices,
            c.title,
        ));
    }
    if view.summary {
        out.push_str(&summary_counts(r));
    } else {
        out.push_str(&finding_lines(r, view, &grouped));
    }
    if let Some(rs) = &r.retention {
        out.push_str(&retention_section(rs));
    }
    out.push_str(&provenance_section(r));
    out
}

/// `--summary`: the number of findings of each code, by check and verdict.
fn summary_counts(r: &Report) -> String {
    let mut by: std::collections::BTreeMap<(u8, &str), Verdict> = Default::default();
    for f in &r.findings {
        by.entry((f.check.number(), f.code)).or_insert(f.verdict);
    }
    let mut out = String::from("\n  check  code                                      findings\n");
    for ((check, code), verdict) in &by {
        let total = r.counts.get(code).map_or(0, |c| c.total);
        out.push_str(&format!(
            "  {check:<5}  {code:<40}  {total:>8}  ({})\n",
            verdict.name()
        ));
    }
    out
}

/// The root causes, first (docs/CHECKS.md §Root causes): one line each, then the codes of
/// the findings it explains; `grouped` of them are not repeated below. `--summary` names
/// each verdict without brackets (no finding line).
fn root_cause_lines(causes: &[verify::report::RootCause], grouped: usize, view: &View) -> String {
    if causes.is_empty() {
        return String::new();
    }
    let mut out = if grouped > 0 {
        format!(
            "root causes ({}; the {grouped} finding(s) they explain are not repeated below: \
             --code CODE or --json lists them):\n",
            causes.len()
        )
    } else {
        format!("root causes ({}):\n", causes.len())
    };
    for c in causes {
        let codes: Vec<String> = c.codes.iter().map(|(k, n)| format!("{k} ×{n}")).collect();
        let verdict = verdict_text(c.verdict.name(), Some(c.verdict), view.colour, 0);
        let head = if view.summary {
            format!("  {} ({verdict})", c.code)
        } else {
            format!("  [{verdict}] {}", c.code)
        };
        out.push_str(&format!(
            "{head}: {}\n      explains {}\n",
            c.message,
            codes.join(", ")
        ));
    }
    out.push('\n');
    out
}

/// The finding lines `view` shows, grouped by check, each with its record's own time.
/// Unfiltered, the findings a root cause explains are not repeated (a filter shows them).
fn finding_lines(r: &Report, view: &View, grouped: &HashSet<usize>) -> String {
    let mut out = String::new();
    let mut current = None;
    let mut hidden = 0u64;
    for (i, f) in r.findings.iter().enumerate() {
        if grouped.contains(&i) {
            continue;
        }
        if !view.shows(f) {
            hidden += 1;
            continue;
        }
        if current != Some(f.check) {
            current = Some(f.check);
            out.push_str(&format!(
                "\ncheck {}: {}\n",
                f.check.number(),
                f.check.title()
            ));
        }
        let mut loc = Vec::new();
        if let Some(l) = f.leaf {
            loc.push(format!("leaf {l}"));
        }
        match (&f.producer, f.seq) {
            (Some(p), Some(s)) => loc.push(format!("{p} seq {s}")),
            (Some(p), None) => loc.push(p.clone()),
            _ => {}
        }
        if let Some(t) = &f.time {
            loc.push(format!("at {t}"));
        }
        out.push_str(&format!(
            "  [{}] {}{}{}\n      {}\n",
            verdict_text(f.verdict.name(), Some(f.verdict), view.colour, 0),
            f.code,
            if loc.is_empty() { "" } else { "  " },
            loc.join(", "),
            f.message
        ));
        match (&f.expected, &f.found) {
            (Some(e), Some(found)) if e.chars().count() + found.chars().count() <= SHORT => {
                out.push_str(&format!("      expected: {e}; found: {found}\n"));
            }
            (Some(e), Some(found)) => {
                out.push_str(&format!("      expected: {e}\n      found:    {found}\n"));
            }
            _ => {}
        }
    }
    for (code, c) in &r.counts {
        if c.suppressed > 0 && (view.codes.is_empty() || view.codes.iter().any(|x| x == code)) {
            out.push_str(&format!(
                "  … {} more finding(s) of {code} not shown ({} in all)\n",
                c.suppressed, c.total
            ));
        }
    }
    if view.filtered() {
        out.push_str(&format!(
            "  ({hidden} finding(s) not shown by --check/--code/--producer; the exit status \
             counts them)\n"
        ));
    }
    out
}

/// Evidence this short (expected and found together, in characters) is shown on one line.
const SHORT: usize = 60;

/// The provenance: tool, origin, reference time, anchors, required and unrun checks.
fn provenance_section(r: &Report) -> String {
    let p = &r.provenance;
    let mut out = String::new();
    out.push_str(&format!(
        "\nprovenance\n  tool        {} {} (report format {}, record format {}, trust file \
         format {}, state format {})\n  origin      {} (tree hash {})\n  reference   {}\n  \
         time zones  {}\n  witnesses   quorum {}\n",
        p.tool,
        p.tool_version,
        p.report_format,
        p.record_format,
        p.trust_format,
        p.state_format,
        p.origin,
        p.tree_hash,
        Timestamp(p.at.saturating_mul(1000)).to_rfc3339(),
        p.time_zone_data,
        p.witness_quorum
    ));
    for a in &p.trust_anchors {
        out.push_str(&format!(
            "  anchor      {:<24} {:<28} {}\n",
            a.role, a.name, a.fingerprint
        ));
    }
    let required: Vec<verify::Check> = r
        .checks
        .iter()
        .filter(|c| c.required)
        .map(|c| c.check)
        .collect();
    out.push_str(&format!(
        "  required    {} (trust file require_checks, --require)\n",
        if required.is_empty() {
            "no check".to_string()
        } else {
            format!("checks {}", numbers(&required))
        }
    ));
    for c in &r.checks {
        if let Some(reason) = &c.not_checked {
            out.push_str(&format!(
                "  not checked check {}: nothing to examine: {reason}\n",
                c.check.number()
            ));
        }
        if let Some(reason) = &c.not_run {
            out.push_str(&format!(
                "  not run     check {}: {reason}\n",
                c.check.number()
            ));
        }
        if let Some(reason) = &c.incomplete {
            out.push_str(&format!(
                "  incomplete  check {}: {reason}\n",
                c.check.number()
            ));
        }
    }
    out
}

/// Check 7's retention status: a summary line, the policies, one line per record kept too
/// long.
fn retention_section(rs: &verify::RetentionStatus) -> String {
    let c = &rs.counts;
    let mut out = format!(
        "\nretention at {} (grace {}): {} record(s) with sealed fields, {} with disclosures, \
         {} erased under a deletion record, {} erased without one; held {}, due {}, overdue \
         {}, not yet deletable {}, undetermined {}, conflicts {}; {} deletion record(s){}\n",
        rs.at,
        super::retention::human(std::time::Duration::from_millis(rs.grace_ms)),
        c.records_with_sealed_fields,
        c.with_disclosures,
        c.erased_and_covered,
        c.erased_without_record,
        c.held,
        c.due,
        c.overdue,
        c.not_yet_deletable,
        c.undetermined,
        c.conflicts,
        c.deletions_recorded,
        if c.not_followed > 0 {
            format!("; {} not followed", c.not_followed)
        } else {
            String::new()
        }
    );
    out.push_str(&format!(
        "  policies    {}\n",
        match &rs.policy_authority {
            Some(a) => format!("by the pinned authority {a}"),
            None => "not pinned: every retention-policy record admitted applies".into(),
        }
    ));
    if let Some(r) = &rs.resumed {
        out.push_str(&format!("  since       {r}\n"));
    }
    for p in &rs.policies {
        out.push_str(&format!(
            "  policy      {} version {} in force from leaf {} ({} rules)\n",
            p.policy_id, p.version, p.leaf, p.rules
        ));
    }
    for o in &rs.overdue {
        out.push_str(&format!(
            "  kept too long: leaf {} {}#{} {} due {}, kept {} too long\n",
            o.leaf, o.producer, o.seq, o.rule, o.deadline, o.late_by
        ));
    }
    if (rs.overdue.len() as u64) < c.overdue {
        out.push_str(&format!(
            "  … {} more kept too long (see the findings)\n",
            c.overdue - rs.overdue.len() as u64
        ));
    }
    out
}

//! `logseal report`: the supervisory statistics of a log ([`logseal::report`]), its DSA
//! Transparency Database export (`--tdb`) and the reconciliation of a platform's submitted
//! statements with the log (`--tdb-reconcile`). Opens the log through the read layer (as
//! `show` and `log` do), runs the verifier over the same log when given `--trust` (its
//! reference time is the checkpoint's own time, so a report is reproducible), and renders
//! text, `--json` or `--csv`.
//!
//! Exit status: 0 written; 1 the checkpoint does not verify, a sanction cannot be exported,
//! or the submission differs from the log ([`Invalid`]); 2 could not run.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use anyhow::{Context, bail};
use logseal::cli::{InspectLog, ReportArgs};
use logseal::inspect::Inspector;
use logseal::report::sealed::{self, SealedStats, SealedTally};
use logseal::report::sketch::Summary;
use logseal::report::tdb::{self, Export, Reconciliation};
use logseal::report::{self, SupervisoryReport, Verification};
use serde_json::{Value, json};

use super::inspect::{open_dir, with_inspector};
use super::{Invalid, files};

pub fn run(args: ReportArgs) -> anyhow::Result<()> {
    let mut sealed = match args.sealed.is_empty() {
        true => None,
        false => Some(SealedRun::prepare(&args)?),
    };
    let log = InspectLog {
        dir: args.dir.clone(),
        trust: args.trust.clone(),
        json: args.json,
    };
    let opened = open_dir(&log)?;
    with_inspector(&opened, |ins| {
        let verified = match &args.trust {
            Some(t) => Some(verify_same(&args, t, ins)?),
            None => None,
        };
        let v = match &verified {
            Some(r) => Verification::Ran(r),
            None => Verification::NotRun(
                "no --trust: the verifier needs the auditor's trust file (registration \
                 authority, authorisation registry); signatures, chains and grants are not \
                 checked"
                    .into(),
            ),
        };
        if let Some(out) = &args.tdb {
            return write_tdb(ins, &v, out, args.json);
        }
        if let Some(file) = &args.tdb_reconcile {
            return reconcile(ins, &v, file, args.json);
        }
        let (r, stats) = match sealed.as_mut() {
            None => (report::supervise(ins, &v), None),
            Some(run) => {
                let (r, stats) = run.count(ins, &v)?;
                (r, Some(stats))
            }
        };
        let text = match (args.json, args.csv) {
            (true, _) => {
                let mut j = serde_json::to_value(&r)?;
                if let Some(st) = &stats {
                    j["sealed"] = serde_json::to_value(st)?;
                }
                serde_json::to_string_pretty(&j)? + "\n"
            }
            (_, true) => csv(&r) + &stats.as_ref().map(sealed_csv).unwrap_or_default(),
            _ => render(&r) + &stats.as_ref().map(sealed_text).unwrap_or_default(),
        };
        print!("{text}");
        match stats
            .iter()
            .flat_map(|st| &st.fields)
            .find(|f| !f.mismatched.is_empty())
        {
            None => Ok(()),
            Some(f) => Err(Invalid(format!(
                "--sealed {}: {} stored disclosure(s) do not open their record's commitment \
                 (leaves {:?}); they were not counted",
                f.field,
                f.mismatched.len(),
                f.mismatched
            ))
            .into()),
        }
    })
}

/// `report --sealed`: the log opened as its sequencer (its lock held), the inspector's key and
/// the access's reasons read before anything else, so that nothing is read if the access
/// cannot be logged.
struct SealedRun {
    log: super::reveal::AccessLog,
    key: super::sweep::SigningKey,
    fields: Vec<logseal::record::sealed::FieldPath>,
    names: Vec<String>,
    purpose: String,
    legal_basis: String,
    organisation: String,
    case_ref: String,
}

/// A flag `--sealed` requires (clap enforces it; this names it if not).
fn need<T: Clone>(o: &Option<T>, flag: &str) -> Result<T, Invalid> {
    o.clone()
        .ok_or_else(|| Invalid(format!("--sealed needs {flag}")))
}

impl SealedRun {
    fn prepare(args: &ReportArgs) -> anyhow::Result<SealedRun> {
        let fields = sealed::parse_fields(&args.sealed).map_err(|e| Invalid(e.to_string()))?;
        let key_path: std::path::PathBuf = need(&args.inspector_key, "--inspector-key")?;
        let case_path: std::path::PathBuf = need(&args.case_ref_file, "--case-ref-file")?;
        let case_ref = super::reveal::read_case_ref(&case_path)?;
        let key = super::sweep::SigningKey::load(&key_path)?;
        let log = super::reveal::open_log(&args.dir)?;
        Ok(SealedRun {
            log,
            key,
            names: fields.iter().map(|f| f.to_string()).collect(),
            fields,
            purpose: need(&args.purpose, "--purpose")?,
            legal_basis: need(&args.legal_basis, "--legal-basis")?,
            organisation: args.organisation.clone(),
            case_ref,
        })
    }

    /// Log the access naming leaves 0 to the checkpoint's last and each field, then count the
    /// public report and the sealed values over the same records.
    fn count(
        &mut self,
        ins: &Inspector<'_>,
        v: &Verification<'_>,
    ) -> anyhow::Result<(SupervisoryReport, SealedStats)> {
        let size = ins.head().size;
        if size == 0 {
            bail!(
                "{}: the log is empty; nothing to count",
                self.log.dir().display()
            );
        }
        let access = super::reveal::Access {
            purpose: &self.purpose,
            legal_basis: &self.legal_basis,
            organisation: &self.organisation,
            case_ref: std::mem::take(&mut self.case_ref),
            query: None,
            result_count: None,
            revealed: Vec::new(),
            revealed_ranges: self
                .names
                .iter()
                .map(|n| (0, size - 1, n.clone()))
                .collect(),
            retention_rule: super::reveal::rule_for(ins),
        };
        // Logged and published before any disclosure is read.
        let logged = super::reveal::log_access(&mut self.log, &self.key, &access)?;
        let log = &self.log;
        let mut tally = SealedTally::new(self.fields.clone());
        let mut failed = None;
        let r = report::supervise_with(ins, v, |f| {
            let p = f.record.payload();
            if failed.is_some() || !tally.wants(p) {
                return;
            }
            match log.disclosures(f.leaf) {
                Ok(d) => tally.add(f.leaf, p, &d),
                Err(e) => failed = Some((f.leaf, e)),
            }
        });
        if let Some((leaf, e)) = failed {
            return Err(anyhow::Error::new(e).context(format!(
                "the access is logged, but the disclosures of leaf {leaf} cannot be read"
            )));
        }
        Ok((r, tally.finish(logged)))
    }
}

fn sealed_text(st: &SealedStats) -> String {
    let mut s = format!(
        "sealed fields (on site; {})\n",
        super::reveal::logged_line(&st.logged)
    );
    for f in &st.fields {
        let _ = writeln!(
            s,
            "  accesses per {}: {} record(s) carry it, {} counted, {} distinct value(s); \
             not counted: {} without a stored disclosure (erased or lost), {} not opening \
             their commitment",
            f.field,
            f.records,
            f.counted,
            f.per_value.len(),
            f.not_stored,
            f.mismatched.len()
        );
        for (value, n) in f.per_value.iter().take(sealed::TOP) {
            let _ = writeln!(s, "    {n:>7}  {value}");
        }
        if f.per_value.len() > sealed::TOP {
            let _ = writeln!(
                s,
                "    ({} more value(s); --json or --csv lists all)",
                f.per_value.len() - sealed::TOP
            );
        }
    }
    s
}

fn sealed_csv(st: &SealedStats) -> String {
    let mut s = String::new();
    for f in &st.fields {
        let t = format!("sealed_{}", f.field);
        let _ = writeln!(s, "{t},records,{}", f.records);
        let _ = writeln!(s, "{t},not_stored,{}", f.not_stored);
        let _ = writeln!(s, "{t},mismatched,{}", f.mismatched.len());
        for (value, n) in &f.per_value {
            let _ = writeln!(s, "{t},{},{n}", csv_field(&format!("value:{value}")));
        }
    }
    s
}

/// Run the verifier over the log at `args.dir` with the trust file `t`, at the checkpoint's
/// own time, and make sure it verified the tree the read layer reads.
fn verify_same(
    args: &ReportArgs,
    t: &std::path::Path,
    ins: &Inspector<'_>,
) -> anyhow::Result<logseal::verify::Report> {
    let trust = super::verify::read_trust(t)?;
    let head = ins.head();
    let r = super::verify::verify_log(&args.dir, &trust, None, head.log_time, false)?;
    if r.tree_size != Some(head.size) {
        bail!(
            "{}: the log changed while it was read (checkpoint size {} for the report, {:?} \
             for the verifier): run again",
            args.dir.display(),
            head.size,
            r.tree_size
        );
    }
    Ok(r)
}

fn write_tdb(
    ins: &Inspector<'_>,
    v: &Verification<'_>,
    out: &std::path::Path,
    json: bool,
) -> anyhow::Result<()> {
    let e: Export = tdb::export(report::sanction_drafts(ins, v));
    let body = serde_json::to_vec_pretty(&json!({ "statements": e.statements }))?;
    std::fs::write(out, [body, b"\n".to_vec()].concat())
        .with_context(|| format!("cannot write {}", out.display()))?;
    if json {
        let v = json!({
            "written": out.display().to_string(),
            "statements": e.statements.len(),
            "not_exported": e.not_exported,
        });
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        println!(
            "wrote {} statement(s) to {}",
            e.statements.len(),
            out.display()
        );
        for n in &e.not_exported {
            println!(
                "  {} (leaf {}): cannot export: {}",
                n.puid,
                n.leaf,
                n.problems.join("; ")
            );
        }
    }
    match e.not_exported.len() {
        0 => Ok(()),
        n => Err(Invalid(format!("{n} sanction(s) cannot be exported")).into()),
    }
}

fn reconcile(
    ins: &Inspector<'_>,
    v: &Verification<'_>,
    file: &std::path::Path,
    json: bool,
) -> anyhow::Result<()> {
    let bytes = files::read(file)?;
    let submitted =
        tdb::read_submitted(&bytes).map_err(|e| Invalid(format!("{}: {e}", file.display())))?;
    let r = tdb::reconcile(report::sanction_drafts(ins, v), submitted);
    if json {
        println!("{}", serde_json::to_string_pretty(&r)?);
    } else {
        print!("{}", reconcile_text(&r));
    }
    match r.agrees() {
        true => Ok(()),
        false => Err(Invalid(format!(
            "the submission differs from the log: {} missing, {} extra, {} differing, {} \
             duplicate(s)",
            r.missing.len(),
            r.extra.len(),
            r.differing.len(),
            r.duplicates.len()
        ))
        .into()),
    }
}

fn reconcile_text(r: &Reconciliation) -> String {
    let mut s = format!(
        "Transparency Database reconciliation, by puid: {} sanction(s) in the log, {} \
         statement(s) submitted, {} matched\n",
        r.sanctions, r.submitted, r.matched
    );
    let _ = writeln!(
        s,
        "missing (in the log, not submitted): {}",
        r.missing.len()
    );
    for m in &r.missing {
        let _ = writeln!(s, "  {} (leaf {})", m.puid, m.leaf);
    }
    let _ = writeln!(s, "extra (submitted, not in the log): {}", r.extra.len());
    for p in &r.extra {
        let _ = writeln!(s, "  {p}");
    }
    let _ = writeln!(s, "differing: {}", r.differing.len());
    for d in &r.differing {
        let _ = writeln!(s, "  {} (leaf {})", d.puid, d.leaf);
        for f in &d.fields {
            let _ = writeln!(
                s,
                "    {}: log {}, submitted {}",
                f.field, f.log, f.submitted
            );
        }
    }
    if !r.duplicates.is_empty() {
        let _ = writeln!(s, "submitted more than once: {}", r.duplicates.join(", "));
    }
    let _ = writeln!(
        s,
        "not compared (the log holds no public value): {}",
        r.not_compared.join(", ")
    );
    s
}

fn duration(ms: u64) -> String {
    let (d, h, m, sec) = (
        ms / 86_400_000,
        ms / 3_600_000 % 24,
        ms / 60_000 % 60,
        ms / 1000 % 60,
    );
    match (d, h, m) {
        (0, 0, 0) => format!("{sec}s"),
        (0, 0, _) => format!("{m}m {sec}s"),
        (0, _, _) => format!("{h}h {m}m"),
        _ => format!("{d}d {h}h {m}m"),
    }
}

fn summary_text(s: &Option<Summary>, err: f64) -> String {
    match s {
        None => "none".into(),
        Some(s) => format!(
            "{} measured: median {}, p90 {} (within {}%), max {}",
            s.count,
            duration(s.median_ms),
            duration(s.p90_ms),
            err * 100.0,
            duration(s.max_ms)
        ),
    }
}

fn table(s: &mut String, title: &str, m: &BTreeMap<String, u64>) {
    let _ = writeln!(s, "  {title}");
    if m.is_empty() {
        let _ = writeln!(s, "    (none)");
    }
    for (k, n) in m {
        let _ = writeln!(s, "    {n:>7}  {k}");
    }
}

/// The report for a person.
fn render(r: &SupervisoryReport) -> String {
    let mut s = coverage_text(r);
    accesses_text(&mut s, r);
    sanctions_text(&mut s, r);
    s
}

fn coverage_text(r: &SupervisoryReport) -> String {
    let c = &r.coverage;
    let cp = &c.checkpoint;
    let mut s = format!(
        "logseal report: counts up to the checkpoint of size {}, root {}, signed at {}\n  \
         {}\n",
        cp.size, cp.root, cp.time, cp.anchors
    );
    let _ = writeln!(s, "coverage");
    match &c.verification_not_run {
        Some(why) => {
            let _ = writeln!(s, "  verifier     not run: {why}");
        }
        None => {
            for k in &c.checks {
                let why = k
                    .why
                    .as_ref()
                    .map(|w| format!(" ({w})"))
                    .unwrap_or_default();
                let _ = writeln!(
                    s,
                    "  check {}      {}: {}{why}",
                    k.check, k.verdict, k.title
                );
            }
        }
    }
    let _ = writeln!(s, "  counted      {} record(s)", c.records_counted);
    let _ = writeln!(
        s,
        "  not counted  {} refused by the read layer, {} not authentic (check 3){}",
        c.refused,
        c.not_authentic,
        match c.not_authentic_unlisted {
            0 => String::new(),
            n => format!(
                "; {n} more check-3 finding(s) not listed by the verifier: they may be counted"
            ),
        }
    );
    for e in &c.excluded {
        let _ = writeln!(s, "    leaf {}: {}", e.leaf, e.code);
    }
    if c.broken_chains.is_empty() && c.verification_not_run.is_none() {
        let _ = writeln!(s, "  chains       every producer chain complete (check 4)");
    }
    for b in &c.broken_chains {
        let f: Vec<String> = b
            .findings
            .iter()
            .map(|(k, n)| format!("{k} ×{n}"))
            .collect();
        let _ = writeln!(
            s,
            "  chains       {}: {} (its counts may be short)",
            b.producer,
            f.join(", ")
        );
    }
    let _ = writeln!(s, "  months       calendar months in {}", c.time_zone);
    s
}

fn accesses_text(s: &mut String, r: &SupervisoryReport) {
    let a = &r.accesses;
    let _ = writeln!(
        s,
        "\ndata accesses: {} (status ok); {} denied attempt(s), {} error(s)",
        a.total, a.denied, a.errors
    );
    table(s, "by organisation", &a.by_organisation);
    table(s, "by role", &a.by_role);
    table(s, "by legal basis", &a.by_legal_basis);
    table(s, "by purpose", &a.by_purpose);
    table(s, "by month (UTC)", &a.by_month);
    table(
        s,
        "denied attempts by organisation",
        &a.denied_by_organisation,
    );
    for d in &a.denied_attempts {
        let _ = writeln!(
            s,
            "    leaf {} {}#{} {} {}/{}{}{}",
            d.at.leaf,
            d.at.producer,
            d.at.seq,
            d.at.time,
            d.organisation,
            d.role,
            d.authorisation_id
                .as_ref()
                .map(|i| format!(" authorisation {i}"))
                .unwrap_or_default(),
            d.check6
                .as_ref()
                .map(|m| format!(": check 6: {m}"))
                .unwrap_or_default()
        );
    }
    let _ = writeln!(s, "  break-glass uses: {}", a.break_glass);
    for u in &a.break_glass_uses {
        let _ = writeln!(s, "    leaf {} {}#{} {}", u.leaf, u.producer, u.seq, u.time);
    }
    let au = &a.authorisations;
    let _ = writeln!(
        s,
        "  authorisations named: {} ({} access(es) named none)",
        au.named, au.accesses_without
    );
    let _ = writeln!(s, "    busiest");
    for b in &au.busiest {
        let _ = writeln!(
            s,
            "    {:>7}  {} ({} denied)",
            b.accesses, b.authorisation_id, b.denied
        );
    }
    match &au.used_after_revocation {
        report::accesses::UsedAfterRevocation::NotDetermined { why } => {
            let _ = writeln!(s, "    used after revocation: not determined ({why})");
        }
        report::accesses::UsedAfterRevocation::Determined { accesses, unlisted } => {
            let _ = writeln!(
                s,
                "    used after revocation (check 6): {}{}",
                accesses.len(),
                match unlisted {
                    0 => String::new(),
                    n => format!(" listed, {n} more counted by the verifier"),
                }
            );
            for x in accesses {
                let _ = writeln!(
                    s,
                    "      {} at leaf {} {}#{} {}",
                    x.authorisation_id, x.at.leaf, x.at.producer, x.at.seq, x.at.time
                );
            }
        }
    }
}

fn sanctions_text(s: &mut String, r: &SupervisoryReport) {
    let k = &r.sanctions;
    let _ = writeln!(s, "\naccount sanctions: {}", k.total);
    table(s, "by ground", &k.by_ground);
    table(s, "by category", &k.by_category);
    table(s, "by automated decision", &k.by_automated_decision);
    table(s, "by automated detection", &k.by_automated_detection);
    table(s, "by triggering event", &k.by_trigger);
    table(s, "by human review of the sanction", &k.by_human_review);
    table(s, "by statement of reasons", &k.by_statement);
    for w in &k.without_statement {
        let _ = writeln!(s, "    no statement: {} (leaf {})", w.puid, w.leaf);
    }
    table(s, "by appeal outcome", &k.by_appeal_outcome);
    table(
        s,
        "appeal decisions by review",
        &k.appeal_decisions_by_review,
    );
    let t = &k.time_to_statement;
    let _ = writeln!(
        s,
        "  sanction → first statement: {}{}",
        summary_text(&t.summary, t.relative_error),
        match k.statements_before_application {
            0 => String::new(),
            n => format!("; {n} sent before the sanction applied"),
        }
    );
    let t = &k.time_to_appeal_decision;
    let _ = writeln!(
        s,
        "  appeal → decision: {}{}",
        summary_text(&t.summary, t.relative_error),
        match k.decisions_before_appeal {
            0 => String::new(),
            n => format!("; {n} dated before their appeal"),
        }
    );
    let u = &k.unresolved;
    if u.notifications + u.appeals + u.appeal_decisions > 0 {
        let _ = writeln!(
            s,
            "  unresolved references: {} statement(s), {} appeal(s), {} decision(s) name a \
             record not counted",
            u.notifications, u.appeals, u.appeal_decisions
        );
    }
}

fn csv_field(s: &str) -> String {
    match s.contains([',', '"', '\n']) {
        true => format!("\"{}\"", s.replace('"', "\"\"")),
        false => s.to_string(),
    }
}

/// The report's tables as CSV rows `table,key,count`, coverage first.
fn csv(r: &SupervisoryReport) -> String {
    let mut rows: Vec<(String, String, String)> = Vec::new();
    let c = &r.coverage;
    let mut row = |t: &str, k: &str, v: String| rows.push((t.into(), k.into(), v));
    row("coverage", "checkpoint_size", c.checkpoint.size.to_string());
    row("coverage", "checkpoint_root", c.checkpoint.root.clone());
    row("coverage", "checkpoint_time", c.checkpoint.time.clone());
    for k in &c.checks {
        row("coverage", &format!("check_{}", k.check), k.verdict.clone());
    }
    if let Some(w) = &c.verification_not_run {
        row("coverage", "verifier_not_run", w.clone());
    }
    row("coverage", "records_counted", c.records_counted.to_string());
    row("coverage", "refused", c.refused.to_string());
    row("coverage", "not_authentic", c.not_authentic.to_string());
    for b in &c.broken_chains {
        for (code, n) in &b.findings {
            row(
                "coverage_broken_chain",
                &format!("{}/{code}", b.producer),
                n.to_string(),
            );
        }
    }
    let v = serde_json::to_value(r).unwrap_or(Value::Null);
    for section in ["accesses", "sanctions"] {
        flatten(section, &v[section], &mut row);
    }
    let mut out = String::from("table,key,value\n");
    for (t, k, v) in rows {
        let _ = writeln!(out, "{},{},{}", csv_field(&t), csv_field(&k), csv_field(&v));
    }
    out
}

/// The counts of a JSON section: numbers as `section,field`, maps of numbers as
/// `section.field,key`, nested objects recursively; lists of records are left to --json.
fn flatten(prefix: &str, v: &Value, row: &mut impl FnMut(&str, &str, String)) {
    let Value::Object(m) = v else { return };
    for (k, x) in m {
        match x {
            Value::Number(n) => row(prefix, k, n.to_string()),
            Value::String(t) => row(prefix, k, t.clone()),
            Value::Object(o) if o.values().all(Value::is_number) && !o.is_empty() => {
                for (key, n) in o {
                    row(&format!("{prefix}.{k}"), key, n.to_string());
                }
            }
            Value::Object(_) => flatten(&format!("{prefix}.{k}"), x, row),
            _ => {}
        }
    }
}

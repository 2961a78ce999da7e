//! `logseal retention plan`: a thin layer that reads a log read-only, walks its records in
//! leaf order with the library's [`logseal::retention::walk_log`] (policy timeline, event
//! book, hold book, facts of the records with sealed fields), and prints the [`Plan`] at
//! `--at`.
//!
//! Owns: the text and JSON renderings. Every decision (what is due, held, in conflict) is
//! the core's. With `--trust FILE` naming a `retention_policy_authority`, only that
//! producer's retention-policy records apply; otherwise every one admitted to the log does,
//! and the output says so (docs/RETENTION.md).

use std::time::Duration;

use logseal::cli::RetentionPlanArgs;
use logseal::log::Log;
use logseal::record::sealed::FieldPath;
use logseal::record::text::ProducerId;
use logseal::record::types::{RecordRef, Timestamp};
use logseal::retention::{
    AppliedPolicy, Bound, Plan, RuleFinding, UnauthorisedPolicy, WalkError, walk_log,
};
use serde_json::{Value, json};

use super::log::now_secs;
use super::{Invalid, files};

/// What the output says about where the rules came from when no authority is pinned.
const AUTHORITY_LIMITATION: &str = "policy authority not pinned: every retention-policy record \
     admitted to the log is applied (pin one with --trust FILE and its retention_policy_authority)";
pub(crate) const TZDB: &str =
    "IANA time zone database bundled into the binary (version not reported yet)";

pub fn plan_cmd(args: RetentionPlanArgs) -> anyhow::Result<()> {
    if args.dir.join("public").is_dir() && !args.dir.join("private").exists() {
        anyhow::bail!(
            "{}: only the public part of a log (no private/): the retention plan needs the \
             private part, which holds the disclosures it judges; run it on the log itself \
             (`logseal verify` checks a public copy)",
            args.dir.display()
        );
    }
    let at = match &args.at {
        Some(s) => {
            Timestamp::parse_rfc3339(s)
                .map_err(|e| anyhow::anyhow!("--at {s:?}: {e}"))?
                .0
        }
        None => Timestamp(now_secs().saturating_mul(1000)),
    };
    let authority = match &args.trust {
        Some(path) => super::verify::read_trust(path)?.retention_policy_authority,
        None => None,
    };
    files::print(&plan_report_with(
        &args.dir,
        at,
        args.grace,
        authority.as_ref(),
        args.json,
    )?)
}

/// The retention plan of the log in `dir` at `at`, as text (or JSON), every policy admitted
/// to the log applied.
pub fn plan_report(
    dir: &std::path::Path,
    at: Timestamp,
    grace: Duration,
    json: bool,
) -> anyhow::Result<String> {
    plan_report_with(dir, at, grace, None, json)
}

/// [`plan_report`] where only the policies of `authority` apply, when one is given.
pub fn plan_report_with(
    dir: &std::path::Path,
    at: Timestamp,
    grace: Duration,
    authority: Option<&ProducerId>,
    json: bool,
) -> anyhow::Result<String> {
    let log = Log::open_read_only(dir)?;
    let size = log.size();
    let walk = walk_log(
        log.public_store(),
        log.alg(),
        size,
        &log,
        authority.cloned(),
    )
    .map_err(|e| match e {
        WalkError::Read(_) => {
            anyhow::anyhow!("cannot read the log {}: {e}", dir.display())
        }
        WalkError::Disclosures { .. } => anyhow::anyhow!("{}: {e}", dir.display()),
        e => Invalid(format!("{}: {e}", dir.display())).into(),
    })?;
    let p = walk
        .plan(at, grace)
        .map_err(|e| Invalid(format!("{}: {e}", dir.display())))?;
    let records = walk.sealed_records();
    let ctx = Shown {
        dir: dir.display().to_string(),
        size,
        sealed: records.len(),
        with_disclosures: records.iter().filter(|r| !r.present.is_empty()).count(),
        applied: walk.applied(),
        unauthorised: walk.unauthorised(),
        authority,
    };
    if json {
        let mut s = serde_json::to_string_pretty(&to_json(&ctx, &p))?;
        s.push('\n');
        Ok(s)
    } else {
        Ok(render(&ctx, &p))
    }
}

struct Shown<'a> {
    dir: String,
    size: u64,
    sealed: usize,
    with_disclosures: usize,
    applied: &'a [AppliedPolicy],
    unauthorised: &'a [UnauthorisedPolicy],
    authority: Option<&'a ProducerId>,
}

impl Shown<'_> {
    /// Where the rules came from.
    fn provenance(&self) -> String {
        match self.authority {
            Some(a) => format!(
                "policy authority {a} (pinned by the trust file): only its retention-policy \
                 records are applied"
            ),
            None => AUTHORITY_LIMITATION.to_owned(),
        }
    }
}

/// `1d 2h 3m 4s 5ms`, zero parts left out; `0s` for zero.
pub(crate) fn human(d: Duration) -> String {
    logseal::verify::retention::human_duration(d)
}

fn who(r: &RecordRef) -> String {
    format!("{}#{}", r.producer, r.seq)
}

fn fields(f: &[FieldPath]) -> String {
    f.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

fn bound_text(b: &Bound) -> String {
    match b {
        Bound::At(t) => t.to_rfc3339(),
        Bound::TriggerPending(t) => format!("undetermined: trigger {t} has not happened"),
        Bound::ConditionOpen {
            condition,
            since,
            source,
        } => format!(
            "undetermined: {condition} open since {} ({source})",
            since.to_rfc3339()
        ),
    }
}

fn bound_json(b: &Bound) -> Value {
    match b {
        Bound::At(t) => json!({"at": t.to_rfc3339()}),
        Bound::TriggerPending(t) => json!({"trigger_pending": t.to_string()}),
        Bound::ConditionOpen {
            condition,
            since,
            source,
        } => json!({"condition_open": {
            "condition": condition.to_string(),
            "since": since.to_rfc3339(),
            "source": source,
        }}),
    }
}

fn rules(rs: &[logseal::retention::RuleRef]) -> String {
    rs.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

fn finding_text(f: &RuleFinding) -> String {
    match f {
        RuleFinding::Undeclared { covering } => {
            format!("no retention rule declared; covered by {}", rules(covering))
        }
        RuleFinding::Malformed { declared, reason } => {
            format!("declared rule {declared:?} is malformed: {reason}")
        }
        RuleFinding::NotInForce { declared } => {
            format!("declared rule {declared} is not in force at the record's leaf")
        }
        RuleFinding::VersionMismatch { declared, in_force } => {
            format!("declared rule {declared}, but {in_force} is in force at the record's leaf")
        }
        RuleFinding::NotCovering { declared, kind } => {
            format!("declared rule {declared} does not cover {kind} records")
        }
        RuleFinding::HoldWithoutOverrideRule { holds } => format!(
            "held by {} but no hold-override rule covers the record (the hold is honoured)",
            holds.join(", ")
        ),
        RuleFinding::NoRule { kind } => format!(
            "no minimum or cap in force covers {kind} records (a hold-override rule does not \
             count): nothing says how long the sealed fields are kept"
        ),
    }
}

fn finding_json(f: &RuleFinding) -> Value {
    let (code, extra) = match f {
        RuleFinding::Undeclared { covering } => (
            "undeclared",
            json!({"covering": covering.iter().map(ToString::to_string).collect::<Vec<_>>()}),
        ),
        RuleFinding::Malformed { declared, reason } => {
            ("malformed", json!({"declared": declared, "reason": reason}))
        }
        RuleFinding::NotInForce { declared } => {
            ("not-in-force", json!({"declared": declared.to_string()}))
        }
        RuleFinding::VersionMismatch { declared, in_force } => (
            "version-mismatch",
            json!({"declared": declared.to_string(), "in_force": in_force.to_string()}),
        ),
        RuleFinding::NotCovering { declared, kind } => (
            "not-covering",
            json!({"declared": declared.to_string(), "kind": kind.name()}),
        ),
        RuleFinding::HoldWithoutOverrideRule { holds } => {
            ("hold-without-override-rule", json!({"holds": holds}))
        }
        RuleFinding::NoRule { kind } => ("no-rule", json!({"kind": kind.name()})),
    };
    json!({"code": code, "message": finding_text(f), "detail": extra})
}

fn summary(ctx: &Shown, p: &Plan) -> String {
    format!(
        "retention plan of {} at {} (grace {}): {} record(s), {} with sealed fields, {} with \
         disclosures present; due {}, overdue {}, held {}, not yet deletable {}, undetermined \
         {}, conflicts {}, rule findings {}\n",
        ctx.dir,
        p.at.to_rfc3339(),
        human(p.grace),
        ctx.size,
        ctx.sealed,
        ctx.with_disclosures,
        p.due.len(),
        p.overdue.len(),
        p.held.len(),
        p.not_yet.len(),
        p.undetermined.len(),
        p.conflicts.len(),
        p.rule_findings.len()
    )
}

fn render(ctx: &Shown, p: &Plan) -> String {
    let mut out = summary(ctx, p);
    match ctx.authority {
        Some(_) => out.push_str(&format!("policies: {}\n", ctx.provenance())),
        None => out.push_str(&format!("limitation: {AUTHORITY_LIMITATION}\n")),
    }
    out.push_str(&format!("time zones: {TZDB}\n"));
    if ctx.applied.is_empty() {
        out.push_str("policies: none in the log; no record is governed by a retention rule\n");
    }
    for a in ctx.applied {
        out.push_str(&format!(
            "policy {} version {} in force from leaf {} ({} rules)\n",
            a.policy_id, a.version, a.leaf, a.rules
        ));
    }
    for u in ctx.unauthorised {
        out.push_str(&format!(
            "policy {} version {} at leaf {} NOT applied: recorded by {}, not by the policy \
             authority {}\n",
            u.policy_id,
            u.version,
            u.leaf,
            who(&u.record),
            u.expected
        ));
    }
    let mut section = |title: &str, lines: Vec<String>| {
        if !lines.is_empty() {
            out.push_str(&format!("\n{title} ({})\n", lines.len()));
            for l in lines {
                out.push_str(&format!("  {l}\n"));
            }
        }
    };
    let due_line = |d: &logseal::retention::DueItem, late: bool| {
        format!(
            "leaf {} {} rule {} deadline {} {} {} fields {}",
            d.leaf,
            who(&d.record),
            d.rule,
            d.deadline.to_rfc3339(),
            if late { "kept too long by" } else { "late by" },
            human(d.late_by),
            fields(&d.fields)
        )
    };
    section(
        "due: delete now",
        p.due.iter().map(|d| due_line(d, false)).collect(),
    );
    section(
        "overdue: kept too long",
        p.overdue.iter().map(|d| due_line(d, true)).collect(),
    );
    section(
        "held: deletion suspended",
        p.held
            .iter()
            .map(|h| {
                format!(
                    "leaf {} {} {} by {} cap due {} fields {}",
                    h.leaf,
                    who(&h.record),
                    h.condition,
                    h.sources.join(", "),
                    h.cap_due
                        .map(Timestamp::to_rfc3339)
                        .unwrap_or_else(|| "none determined".into()),
                    fields(&h.fields)
                )
            })
            .collect(),
    );
    section(
        "not yet deletable: a minimum runs",
        p.not_yet
            .iter()
            .map(|n| {
                format!(
                    "leaf {} {} not before {}",
                    n.leaf,
                    who(&n.record),
                    bound_text(&n.not_before)
                )
            })
            .collect(),
    );
    section(
        "undetermined: a cap's trigger has not happened",
        p.undetermined
            .iter()
            .map(|u| {
                format!(
                    "leaf {} {} due {}",
                    u.leaf,
                    who(&u.record),
                    bound_text(&u.due)
                )
            })
            .collect(),
    );
    section(
        "conflicts: a cap requires deletion before a minimum allows it",
        p.conflicts
            .iter()
            .map(|c| {
                format!(
                    "leaf {} {} cap {} due {} before minimum {} allows deletion ({})",
                    c.leaf,
                    who(&c.record),
                    c.item.cap,
                    c.item.cap_due.to_rfc3339(),
                    c.item.minimum,
                    bound_text(&c.item.minimum_not_before)
                )
            })
            .collect(),
    );
    section(
        "rule findings",
        p.rule_findings
            .iter()
            .map(|f| {
                format!(
                    "leaf {} {} {}",
                    f.leaf,
                    who(&f.record),
                    finding_text(&f.item)
                )
            })
            .collect(),
    );
    out
}

fn record_json(r: &RecordRef, leaf: u64) -> Value {
    json!({
        "leaf": leaf,
        "producer": r.producer.as_str(),
        "seq": r.seq,
        "leaf_hash": r.leaf_hash.to_string(),
    })
}

fn with(mut base: Value, extra: Value) -> Value {
    if let (Value::Object(b), Value::Object(e)) = (&mut base, extra) {
        b.extend(e);
    }
    base
}

fn field_list(f: &[FieldPath]) -> Vec<String> {
    f.iter().map(ToString::to_string).collect()
}

fn to_json(ctx: &Shown, p: &Plan) -> Value {
    let due = |d: &logseal::retention::DueItem| {
        with(
            record_json(&d.record, d.leaf),
            json!({
                "rule": d.rule.to_string(),
                "deadline": d.deadline.to_rfc3339(),
                "late_by_ms": d.late_by.as_millis() as u64,
                "late_by": human(d.late_by),
                "fields": field_list(&d.fields),
            }),
        )
    };
    json!({
        "log": ctx.dir,
        "size": ctx.size,
        "at": p.at.to_rfc3339(),
        "grace_ms": p.grace.as_millis() as u64,
        "records_with_sealed_fields": ctx.sealed,
        "records_with_disclosures": ctx.with_disclosures,
        "provenance": {
            "policy_authority": ctx.provenance(),
            "pinned_policy_authority": ctx.authority.map(ToString::to_string),
            "time_zones": TZDB,
            "policies": ctx.applied.iter().map(|a| json!({
                "policy_id": a.policy_id,
                "version": a.version,
                "from_leaf": a.leaf,
                "rules": a.rules,
            })).collect::<Vec<_>>(),
            "not_applied": ctx.unauthorised.iter().map(|u| with(record_json(&u.record, u.leaf), json!({
                "policy_id": u.policy_id,
                "version": u.version,
                "expected_authority": u.expected.to_string(),
            }))).collect::<Vec<_>>(),
        },
        "due": p.due.iter().map(due).collect::<Vec<_>>(),
        "overdue": p.overdue.iter().map(due).collect::<Vec<_>>(),
        "held": p.held.iter().map(|h| with(record_json(&h.record, h.leaf), json!({
            "condition": h.condition.to_string(),
            "sources": h.sources,
            "cap_due": h.cap_due.map(Timestamp::to_rfc3339),
            "fields": field_list(&h.fields),
        }))).collect::<Vec<_>>(),
        "not_yet": p.not_yet.iter().map(|n| with(record_json(&n.record, n.leaf), json!({
            "not_before": bound_json(&n.not_before),
        }))).collect::<Vec<_>>(),
        "undetermined": p.undetermined.iter().map(|u| with(record_json(&u.record, u.leaf), json!({
            "due": bound_json(&u.due),
        }))).collect::<Vec<_>>(),
        "conflicts": p.conflicts.iter().map(|c| with(record_json(&c.record, c.leaf), json!({
            "cap": c.item.cap.to_string(),
            "cap_due": c.item.cap_due.to_rfc3339(),
            "minimum": c.item.minimum.to_string(),
            "minimum_not_before": bound_json(&c.item.minimum_not_before),
        }))).collect::<Vec<_>>(),
        "rule_findings": p.rule_findings.iter().map(|f| with(record_json(&f.record, f.leaf), finding_json(&f.item))).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_people_write_them() {
        assert_eq!(human(Duration::ZERO), "0s");
        assert_eq!(
            human(Duration::from_millis(86_400_000 * 152 + 3_600_000)),
            "152d 1h"
        );
        assert_eq!(human(Duration::from_millis(61_005)), "1m 1s 5ms");
    }
}

//! `logseal retention plan`: a thin layer that reads a log read-only, feeds its records in
//! leaf order to the pure retention core ([`logseal::retention`]: policy timeline, event book,
//! hold book), schedules every record with sealed fields, and prints the [`Plan`] at `--at`.
//!
//! Owns: the walk over the log, the facts taken from each decoded payload, and the text and
//! JSON renderings. Every decision (what is due, held, in conflict) is the core's.
//! Limitations (docs/RETENTION.md): the retention-policy authority is not pinned — every
//! retention-policy record admitted to the log is applied; the facts of every record with
//! sealed fields are kept in memory until the walk ends.

use std::time::Duration;

use anyhow::Context as _;
use logseal::cli::RetentionPlanArgs;
use logseal::log::Log;
use logseal::record::Record;
use logseal::record::kinds::Body;
use logseal::record::sealed::FieldPath;
use logseal::record::types::{Hash32, RecordRef, Timestamp};
use logseal::retention::{
    Bound, EventBook, HoldBook, Plan, PlanRecord, Policy, PolicyTimeline, RecordFacts, RuleFinding,
    plan, schedule,
};
use serde_json::{Value, json};

use super::log::now_secs;
use super::{Invalid, files};

/// What the output says about where the rules came from.
const AUTHORITY_LIMITATION: &str = "policy authority not pinned: every retention-policy record \
     admitted to the log is applied (a trust-file-pinned policy authority comes with check 7)";
const TZDB: &str = "IANA time zone database bundled into the binary (version not reported yet)";

/// A retention-policy record applied, for the provenance.
struct Applied {
    leaf: u64,
    policy_id: String,
    version: u64,
    rules: usize,
}

/// Everything gathered in one walk over the log.
#[derive(Default)]
struct Walk {
    policies: PolicyTimeline,
    events: EventBook,
    holds: HoldBook,
    applied: Vec<Applied>,
    /// Records with sealed fields, with the fields whose disclosures the log still keeps.
    sealed: Vec<(RecordFacts, Vec<FieldPath>)>,
}

impl Walk {
    /// Take one record at `leaf`; `Err` names what is wrong with it.
    fn feed(&mut self, log: &Log, leaf: u64, bytes: &[u8]) -> Result<(), String> {
        let record = Record::decode(bytes).map_err(|e| format!("does not decode: {e}"))?;
        let p = record.payload();
        self.feed_payload(log, leaf, bytes, p)
            .map_err(|e| format!("{}#{} ({}): {e}", p.producer, p.seq, p.kind()))
    }

    fn feed_payload(
        &mut self,
        log: &Log,
        leaf: u64,
        bytes: &[u8],
        p: &logseal::record::Payload,
    ) -> Result<(), String> {
        let own = RecordRef {
            producer: p.producer.clone(),
            seq: p.seq,
            leaf_hash: Hash32(log.alg().leaf(bytes)),
        };
        let mut data_categories = Vec::new();
        match &p.body {
            Body::RetentionPolicy(body) => {
                let policy = Policy::from_body(body).map_err(|e| e.to_string())?;
                let applied = Applied {
                    leaf,
                    policy_id: policy.policy_id.clone(),
                    version: policy.version,
                    rules: policy.rules.len(),
                };
                self.policies
                    .push(leaf, policy)
                    .map_err(|e| e.to_string())?;
                self.applied.push(applied);
            }
            Body::CaseStatus(body) => self.events.case_status(body).map_err(|e| e.to_string())?,
            Body::Notification(body) => self.events.notification(&own, body),
            Body::AccountSanction(body) => self.events.sanction(&own, body),
            Body::LegalHold(body) => self
                .holds
                .apply(leaf, &own, p.occurred_at, body)
                .map_err(|e| e.to_string())?,
            Body::DataAccess(body) => {
                data_categories = body
                    .data_categories
                    .iter()
                    .map(|c| c.as_str().to_owned())
                    .collect();
            }
            _ => {}
        }
        if p.sealed.is_empty() {
            return Ok(());
        }
        let present = log
            .disclosures(leaf)
            .map_err(|e| format!("its disclosures cannot be read: {e}"))?
            .into_iter()
            .map(|d| d.path)
            .collect();
        let facts = RecordFacts {
            reference: own,
            leaf,
            kind: p.kind(),
            data_categories,
            occurred_at: p.occurred_at,
            declared_rule: p.retention_rule.as_ref().map(|r| r.as_str().to_owned()),
        };
        self.sealed.push((facts, present));
        Ok(())
    }
}

pub fn plan_cmd(args: RetentionPlanArgs) -> anyhow::Result<()> {
    let at = match &args.at {
        Some(s) => {
            Timestamp::parse_rfc3339(s)
                .map_err(|e| anyhow::anyhow!("--at {s:?}: {e}"))?
                .0
        }
        None => Timestamp(now_secs().saturating_mul(1000)),
    };
    files::print(&plan_report(&args.dir, at, args.grace, args.json)?)
}

/// The retention plan of the log in `dir` at `at`, as text (or JSON).
pub fn plan_report(
    dir: &std::path::Path,
    at: Timestamp,
    grace: Duration,
    json: bool,
) -> anyhow::Result<String> {
    let log = Log::open_read_only(dir)?;
    let size = log.size();
    let mut walk = Walk::default();
    let mut invalid: Option<String> = None;
    log.reader()
        .for_each_entry(size, 0, size, |leaf, bytes| {
            if invalid.is_none()
                && let Err(reason) = walk.feed(&log, leaf, bytes)
            {
                invalid = Some(format!("{}: leaf {leaf}: {reason}", dir.display()));
            }
            Ok(())
        })
        .with_context(|| format!("cannot read the log {}", dir.display()))?;
    if let Some(msg) = invalid {
        return Err(Invalid(msg).into());
    }
    let mut records = Vec::with_capacity(walk.sealed.len());
    for (facts, present) in &walk.sealed {
        let s = schedule(facts, &walk.policies, &walk.events, &walk.holds, at)
            .map_err(|e| Invalid(format!("{}: {e}", dir.display())))?;
        records.push(PlanRecord {
            schedule: s,
            present: present.clone(),
        });
    }
    let with_disclosures = records.iter().filter(|r| !r.present.is_empty()).count();
    let p = plan(&records, at, grace);
    let ctx = Shown {
        dir: dir.display().to_string(),
        size,
        sealed: records.len(),
        with_disclosures,
        applied: &walk.applied,
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
    applied: &'a [Applied],
}

/// `1d 2h 3m 4s 5ms`, zero parts left out; `0s` for zero.
fn human(d: Duration) -> String {
    let ms = d.as_millis();
    let parts = [
        (ms / 86_400_000, "d"),
        (ms / 3_600_000 % 24, "h"),
        (ms / 60_000 % 60, "m"),
        (ms / 1000 % 60, "s"),
        (ms % 1000, "ms"),
    ];
    let s: Vec<String> = parts
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, u)| format!("{n}{u}"))
        .collect();
    if s.is_empty() {
        "0s".into()
    } else {
        s.join(" ")
    }
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
    out.push_str(&format!("limitation: {AUTHORITY_LIMITATION}\n"));
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
            "policy_authority": AUTHORITY_LIMITATION,
            "time_zones": TZDB,
            "policies": ctx.applied.iter().map(|a| json!({
                "policy_id": a.policy_id,
                "version": a.version,
                "from_leaf": a.leaf,
                "rules": a.rules,
            })).collect::<Vec<_>>(),
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

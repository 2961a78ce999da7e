//! The lists of the verify, retention and obligations views, derived from the verification's
//! report (pure): headings and items, each item naming the record Enter opens.

use crate::verify::{Check, Finding, Report};

use super::app::{App, Screen};

/// One line of a findings list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub text: String,
    /// The record it is about (Enter opens it).
    pub leaf: Option<u64>,
    pub heading: bool,
    /// The worst verdict, for the style (`violated`, `cannot be determined`, …).
    pub verdict: &'static str,
}

fn heading(text: String) -> Item {
    Item {
        text,
        leaf: None,
        heading: true,
        verdict: "",
    }
}

fn finding(f: &Finding) -> Item {
    let place = match (f.leaf, &f.producer, f.seq) {
        (Some(l), Some(p), Some(s)) => format!("leaf {l}, {p}#{s}: "),
        (Some(l), _, _) => format!("leaf {l}: "),
        (None, Some(p), _) => format!("{p}: "),
        _ => String::new(),
    };
    Item {
        text: format!("[{}] {}  {place}{}", f.verdict.name(), f.code, f.message),
        leaf: f.leaf,
        heading: false,
        verdict: f.verdict.name(),
    }
}

/// The items of the current view (empty before a report).
pub fn items(app: &App) -> Vec<Item> {
    let Some(r) = app.verification.report() else {
        return Vec::new();
    };
    match app.screen {
        Screen::Retention => retention(r),
        Screen::Obligations => obligations(r),
        _ => verify(app, r),
    }
}

fn verify(app: &App, r: &Report) -> Vec<Item> {
    let causes = &app.verification.causes;
    let mut out = vec![heading(format!("root causes ({})", causes.len()))];
    let mut explained = std::collections::HashSet::new();
    for c in causes {
        explained.extend(c.findings.iter().copied());
        let leaf = (c.what == "leaves")
            .then(|| c.first.first().copied())
            .flatten();
        out.push(Item {
            text: format!(
                "[{}] {}: {} (explains {} finding(s))",
                c.verdict.name(),
                c.code,
                c.message,
                c.findings.len()
            ),
            leaf: leaf.or_else(|| c.findings.first().and_then(|i| r.findings[*i].leaf)),
            heading: false,
            verdict: c.verdict.name(),
        });
    }
    for s in &r.checks {
        let fs: Vec<&Finding> = (r.findings.iter().enumerate())
            .filter(|(i, f)| f.check == s.check && !explained.contains(i))
            .map(|(_, f)| f)
            .collect();
        if fs.is_empty() {
            continue;
        }
        let verdict = s.verdict.map_or("not run", |v| v.name());
        out.push(heading(format!(
            "check {}: {} — {verdict}",
            s.check.number(),
            s.title
        )));
        out.extend(fs.into_iter().map(finding));
    }
    out
}

fn retention(r: &Report) -> Vec<Item> {
    let Some(s) = &r.retention else {
        let why = r
            .checks
            .iter()
            .find(|c| c.check == Check::Retention)
            .and_then(|c| c.not_run.clone())
            .unwrap_or_else(|| "check 7 did not run".into());
        return vec![heading(format!("retention: {why}"))];
    };
    let c = &s.counts;
    let mut out = vec![heading(format!(
        "at {}: {} record(s) with sealed fields; due {}, held {}, overdue {}, erased {} \
         (under a deletion record) + {} (without one), {} deletion record(s)",
        s.at,
        c.records_with_sealed_fields,
        c.due,
        c.held,
        c.overdue,
        c.erased_and_covered,
        c.erased_without_record,
        c.deletions_recorded
    ))];
    out.push(heading(format!("overdue ({})", c.overdue)));
    out.extend(s.overdue.iter().map(|o| Item {
        text: format!(
            "leaf {}, {}#{}: {} kept {} past {} ({})",
            o.leaf,
            o.producer,
            o.seq,
            o.fields.join(", "),
            o.late_by,
            o.deadline,
            o.rule
        ),
        leaf: Some(o.leaf),
        heading: false,
        verdict: "violated",
    }));
    out.push(heading(format!("held ({})", c.held)));
    out.extend(s.held.iter().map(|h| Item {
        text: format!(
            "leaf {}, {}#{}: {} ({})",
            h.leaf,
            h.producer,
            h.seq,
            h.condition,
            h.sources.join(", ")
        ),
        leaf: Some(h.leaf),
        heading: false,
        verdict: "notice",
    }));
    out.push(heading(
        "check 7 findings (due, erased, premature, …)".into(),
    ));
    out.extend(
        r.findings
            .iter()
            .filter(|f| f.check == Check::Retention)
            .map(finding),
    );
    out
}

/// The obligations view's groups: (title, whether a check-8 code belongs).
type Belongs = fn(&str) -> bool;

const GROUPS: [(&str, Belongs); 4] = [
    ("sanctions without a statement of reasons", |c| {
        c.contains("sor")
    }),
    ("decisions without human review", |c| c.contains("review")),
    ("accesses outside their grant", |c| {
        c.starts_with("obligation-access")
    }),
    ("other obligations", |_| true),
];

fn obligations(r: &Report) -> Vec<Item> {
    let mut left: Vec<&Finding> = (r.findings.iter())
        .filter(|f| f.check == Check::Obligations)
        .collect();
    let mut out = Vec::new();
    for (title, belongs) in GROUPS {
        let (mine, rest): (Vec<&Finding>, Vec<&Finding>) =
            left.into_iter().partition(|f| belongs(f.code));
        left = rest;
        out.push(heading(format!("{title} ({})", mine.len())));
        out.extend(mine.into_iter().map(finding));
    }
    out
}

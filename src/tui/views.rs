//! The main area of each view (pure, as [`super::render`]).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use super::app::{App, Cursor, Screen};
use super::data::{Detail, Path, Proof, Row, Way};
use super::items::{self, Item};
use super::render::{dim, selected, verdict_style};
use crate::verify::report::Check;

pub(super) fn main(app: &App, frame: &mut Frame, area: Rect) {
    match app.screen {
        Screen::Records => records(app, frame, area),
        Screen::Detail => detail(app, frame, area),
        Screen::Proof => proof(app, frame, area),
        Screen::Verify => verify(app, frame, area),
        Screen::Retention | Screen::Obligations => findings(app, frame, area),
        Screen::Checkpoints => checkpoints(app, frame, area),
        Screen::Producers => producers(app, frame, area),
    }
}

fn bold() -> Style {
    Style::new().add_modifier(Modifier::BOLD)
}

/// The lines of a list from `c.top` on, the selected one in reverse video and marked `>`.
fn window<'a>(lines: Vec<Line<'a>>, c: &Cursor, rows: usize) -> Vec<Line<'a>> {
    let top = c.top as usize;
    lines
        .into_iter()
        .enumerate()
        .skip(top)
        .take(rows)
        .map(|(i, l)| match i as u64 == c.selected {
            true => {
                let mut spans = vec![Span::raw("> ")];
                spans.extend(l.spans);
                Line::from(spans).style(selected())
            }
            false => {
                let mut spans = vec![Span::raw("  ")];
                spans.extend(l.spans);
                Line::from(spans)
            }
        })
        .collect()
}

fn row_line<'a>(app: &App, r: &'a Row, width: usize) -> Line<'a> {
    if let Some(why) = &r.refused {
        let text = format!("{:>w$}  REFUSED  {why}", r.leaf, w = width);
        return Line::from(Span::styled(text, verdict_style(app, "refused")));
    }
    let mark = app.mark(r.leaf);
    Line::from(vec![
        Span::raw(format!(
            "{:>w$}  {:<24}  {:<26}  {:<22}  ",
            r.leaf,
            r.time,
            r.who,
            r.kind,
            w = width
        )),
        Span::styled(format!("{mark:<12}"), verdict_style(app, mark)),
        Span::raw(format!(" {}", r.summary)),
    ])
}

fn records(app: &App, frame: &mut Frame, area: Rect) {
    let last = app.sparse.as_ref().and_then(|l| l.last().copied());
    let width = last.unwrap_or(app.size).max(1).to_string().len().max(5);
    let rows = app.list_rows();
    let header = format!(
        "  {:>width$}  {:<24}  {:<26}  {:<22}  {:<12} summary",
        "index", "time", "producer#seq", "kind", "verdict"
    );
    let c = app.list;
    let mut lines = vec![Line::from(Span::styled(header, bold()))];
    for i in c.top..(c.top + rows).min(app.list_len()) {
        let line = match app.row_at(i) {
            Some(r) => row_line(app, r, width),
            None => Line::from(Span::styled(format!("{i:>width$}  …"), dim(app))),
        };
        let (mark, style) = match i == c.selected {
            true => ("> ", selected()),
            false => ("  ", Style::new()),
        };
        let mut spans = vec![Span::raw(mark)];
        spans.extend(line.spans);
        lines.push(Line::from(spans).style(style));
    }
    let title = match &app.filtered {
        Some(f) => format!(
            " records · filter: {} · {} match(es){} ",
            f.text,
            f.rows.len(),
            if f.done { "" } else { " (scanning…)" }
        ),
        None => format!(" records · {} of {} ", c.selected, app.size),
    };
    frame.render_widget(
        Paragraph::new(lines).block(Block::bordered().title(title)),
        area,
    );
}

fn detail_lines<'a>(app: &App, d: &'a Detail) -> Vec<Line<'a>> {
    let r = &d.row;
    let mark = app.mark(r.leaf);
    let mut out = vec![
        Line::from(vec![
            Span::styled(format!("leaf {}  {}  {}  ", r.leaf, r.who, r.kind), bold()),
            Span::styled(mark.to_string(), verdict_style(app, mark)),
        ]),
        Line::raw(format!("time {}   leaf hash {}", r.time, d.leaf_hash)),
        Line::raw(format!("signature: {}", d.signature)),
        Line::raw(format!("chain: {}", d.chain)),
        Line::raw(format!("checkpoint: {}", d.first_checkpoint)),
    ];
    out.extend(findings_at(app, r.leaf));
    out.push(Line::styled("public fields", bold()));
    let name_w = d.fields.iter().map(|(p, _)| p.len()).max().unwrap_or(0);
    out.extend(
        d.fields
            .iter()
            .map(|(p, v)| Line::raw(format!("  {p:<name_w$}  {v}"))),
    );
    out.extend(sealed_lines(app, d));
    out
}

fn sealed_lines<'a>(app: &App, d: &'a Detail) -> Vec<Line<'a>> {
    let mut out = vec![Line::styled("sealed fields", bold())];
    if d.sealed.is_empty() {
        out.push(Line::raw("  none"));
    }
    let revealed = app.open.as_ref().and_then(|o| o.revealed.as_ref());
    let w = d.sealed.iter().map(|s| s.path.len()).max().unwrap_or(0);
    for s in &d.sealed {
        let value = match revealed {
            Some(Ok(x)) => x
                .values
                .iter()
                .find(|(p, _)| *p == s.path)
                .map(|(_, v)| v.clone()),
            _ => None,
        };
        let state = match value {
            Some(v) => format!("REVEALED: {v}"),
            None => s.state.clone(),
        };
        out.push(Line::raw(format!(
            "  {:<w$}  {state}  ({})",
            s.path, s.what
        )));
    }
    if let Some(Err(e)) = revealed {
        out.push(Line::styled(
            format!("  reveal refused: {e}"),
            verdict_style(app, "violated"),
        ));
    }
    out
}

fn link_lines(d: &Detail) -> Vec<Line<'static>> {
    if d.links.is_empty() {
        return vec![Line::raw("none")];
    }
    d.links
        .iter()
        .map(|l| {
            let arrow = match l.way {
                Way::To => "→",
                Way::From => "←",
            };
            Line::raw(format!("{arrow} {}: {}", l.what, l.text))
        })
        .collect()
}

/// The verification's findings at `leaf` (overdue, obligations, …), when it ran.
fn findings_at(app: &App, leaf: u64) -> Vec<Line<'static>> {
    let Some(r) = app.verification.report() else {
        return Vec::new();
    };
    let mut out = vec![Line::styled("findings at this leaf", bold())];
    let mine: Vec<Line> = (r.findings.iter())
        .filter(|f| f.leaf == Some(leaf))
        .map(|f| {
            let text = format!("  [{}] {}: {}", f.verdict.name(), f.code, f.message);
            Line::styled(text, verdict_style(app, f.verdict.name()))
        })
        .collect();
    match mine.is_empty() {
        true => out.push(Line::raw("  none")),
        false => out.extend(mine),
    }
    out
}

fn detail(app: &App, frame: &mut Frame, area: Rect) {
    let Some(o) = &app.open else { return };
    let block = Block::bordered().title(format!(" record at leaf {} (PgUp/PgDn scroll) ", o.leaf));
    let d = match &o.detail {
        Some(Ok(d)) => d,
        other => {
            let line = match other {
                Some(Err(e)) => Line::styled(e.clone(), verdict_style(app, "refused")),
                _ => Line::raw("reading…"),
            };
            frame.render_widget(Paragraph::new(line).block(block), area);
            return;
        }
    };
    let links = link_lines(d);
    let h = (links.len() as u16 + 2).min(area.height / 2).max(3);
    let [top, bottom] = Layout::vertical([Constraint::Min(3), Constraint::Length(h)]).areas(area);
    let info = Paragraph::new(detail_lines(app, d))
        .block(block)
        .scroll((o.scroll, 0));
    frame.render_widget(info, top);
    let rows = u64::from(h.saturating_sub(2));
    let c = Cursor {
        selected: o.link as u64,
        top: (o.link as u64 + 1).saturating_sub(rows),
    };
    let refs = window(links, &c, rows as usize);
    let title = " references: → it refers to, ← refer to it (j/k select, Enter follows) ";
    frame.render_widget(
        Paragraph::new(refs).block(Block::bordered().title(title)),
        bottom,
    );
}

fn path_lines(title: &str, p: &Result<Path, String>) -> Vec<Line<'static>> {
    let mut out = vec![Line::styled(title.to_string(), bold())];
    let p = match p {
        Ok(p) => p,
        Err(e) => {
            out.push(Line::raw(format!("  {e}")));
            return out;
        }
    };
    out.push(Line::raw(format!(
        "  checkpoint size {}, root {}",
        p.size, p.root
    )));
    out.extend(p.signed.iter().map(|s| Line::raw(format!("  {s}"))));
    out.push(Line::raw(match &p.verified {
        Ok(()) => format!(
            "  inclusion path ({} hashes, leaf upwards): recomputes the root",
            p.hashes.len()
        ),
        Err(e) => format!("  inclusion path does NOT verify: {e}"),
    }));
    out.extend(
        p.hashes
            .iter()
            .enumerate()
            .map(|(i, h)| Line::raw(format!("    {i:>2}  {h}"))),
    );
    out
}

fn proof(app: &App, frame: &mut Frame, area: Rect) {
    let Some((leaf, p)) = &app.proof else { return };
    let block = Block::bordered().title(format!(" proof of leaf {leaf} (j/k scroll) "));
    let lines: Vec<Line> = match p {
        None => vec![Line::raw("reading…")],
        Some(Err(e)) => vec![Line::raw(e.clone())],
        Some(Ok(p)) => proof_lines(p),
    };
    let scroll = u16::try_from(app.side.top).unwrap_or(u16::MAX);
    frame.render_widget(Paragraph::new(lines).block(block).scroll((scroll, 0)), area);
}

fn proof_lines(p: &Proof) -> Vec<Line<'static>> {
    let mut out = vec![Line::raw(format!(
        "leaf {} ({}), leaf hash {}",
        p.leaf, p.who, p.leaf_hash
    ))];
    out.extend(path_lines(
        "to the first checkpoint that includes it",
        &p.first,
    ));
    out.extend(path_lines("to the newest checkpoint", &p.newest));
    out
}

fn item_lines<'a>(app: &App, list: &'a [Item]) -> Vec<Line<'a>> {
    list.iter()
        .map(|i| match i.heading {
            true => Line::styled(i.text.as_str(), bold()),
            false => Line::styled(format!("  {}", i.text), verdict_style(app, i.verdict)),
        })
        .collect()
}

fn progress_lines(app: &App) -> Vec<Line<'static>> {
    let v = &app.verification;
    let mut out = Vec::new();
    if !app.verify_basis.is_empty() {
        out.push(Line::styled(app.verify_basis.clone(), bold()));
    }
    let who = if v.asked {
        "asked for with v"
    } else {
        "in the background at start; --state untouched"
    };
    if v.running {
        let read = match v.total {
            0 => "opening the checkpoint…".to_string(),
            t => format!("{} of {t} records read ({}%)", v.done, v.done * 100 / t),
        };
        out.push(Line::raw(format!("verifying ({who}) · {read}")));
        out.extend(check_lines(app));
        return out;
    }
    match &v.result {
        None => out.push(Line::raw("not verified yet: press v")),
        Some(Err(e)) => out.push(Line::raw(format!("verification could not run: {e}"))),
        Some(Ok(x)) => {
            out.push(Line::raw(format!(
                "verified ({who}): {} records checked · {}",
                x.report.records_checked, x.state
            )));
            let checks: Vec<Span> = x
                .report
                .checks
                .iter()
                .map(|c| {
                    let v = c.verdict.map_or("not run", |v| v.name());
                    Span::styled(
                        format!("{} {v}   ", c.check.number()),
                        verdict_style(app, v),
                    )
                })
                .collect();
            out.push(Line::from(checks));
        }
    }
    out
}

/// A check's short name in the progress lines.
fn check_name(c: Check) -> &'static str {
    match c {
        Check::Checkpoints => "checkpoints",
        Check::Tree => "tree",
        Check::Records => "records",
        Check::Completeness => "completeness",
        Check::Ordering => "ordering",
        Check::Authorisation => "authorisation",
        Check::Retention => "retention",
        Check::Obligations => "obligations",
    }
}

/// Checks 1–8 of the run in progress, two a line: pending, running (with the records read
/// by the checks that read them) or done (with the violations found).
fn check_lines(app: &App) -> Vec<Line<'static>> {
    let v = &app.verification;
    let state = |c: Check| match v.checks.get(&c) {
        None => "pending".to_string(),
        Some(None) if matches!(c, Check::Checkpoints | Check::Retention) => "running".into(),
        Some(None) => format!("running {}/{}", v.done, v.total),
        Some(Some(0)) => "done, no violation".into(),
        Some(Some(n)) => format!("done, {n} violation(s)"),
    };
    Check::ALL
        .chunks(2)
        .map(|pair| {
            let spans: Vec<Span> = (pair.iter())
                .map(|&c| {
                    let text = format!("{} {:<13} {:<23} ", c.number(), check_name(c), state(c));
                    let style = match v.checks.get(&c) {
                        Some(Some(n)) if *n > 0 => verdict_style(app, "violated"),
                        None => dim(app),
                        _ => Style::new(),
                    };
                    Span::styled(text, style)
                })
                .collect();
            Line::from(spans)
        })
        .collect()
}

fn verify(app: &App, frame: &mut Frame, area: Rect) {
    let top_len = super::app::VERIFY_TOP as u16;
    let [top, rest] =
        Layout::vertical([Constraint::Length(top_len), Constraint::Min(1)]).areas(area);
    let block = Block::bordered().title(" verification: checks 1–8 ");
    let lines = Paragraph::new(progress_lines(app)).wrap(Wrap { trim: false });
    frame.render_widget(lines.block(block), top);
    findings(app, frame, rest);
}

fn findings(app: &App, frame: &mut Frame, area: Rect) {
    let list = items::items(app);
    let title = match app.screen {
        Screen::Retention => " retention: due, held, overdue, erased ",
        Screen::Obligations => " obligations (check 8) ",
        _ => " findings, grouped by root cause ",
    };
    let rows = area.height.saturating_sub(2) as usize;
    let lines = match (list.is_empty(), app.verification.running) {
        (true, true) => vec![Line::raw("verification running…")],
        (true, false) => vec![Line::raw("no report yet (2 verify, then v)")],
        _ => window(item_lines(app, &list), &app.items, rows),
    };
    frame.render_widget(
        Paragraph::new(lines).block(Block::bordered().title(title)),
        area,
    );
}

fn checkpoints(app: &App, frame: &mut Frame, area: Rect) {
    let rows = area.height.saturating_sub(2) as usize;
    let lines: Vec<Line> = match &app.checkpoints {
        None => vec![Line::raw("reading…")],
        Some(Err(e)) => vec![Line::raw(e.clone())],
        Some(Ok(c)) => {
            let all = c
                .iter()
                .map(|c| {
                    let cons = match &c.consistent {
                        Ok(()) => "consistent with the newest".to_string(),
                        Err(e) => format!("INCONSISTENT: {e}"),
                    };
                    Line::raw(format!("size {:>8}  {}  · {cons}", c.size, c.text))
                })
                .collect();
            window(all, &app.side, rows)
        }
    };
    let block = Block::bordered().title(" published checkpoints, oldest first ");
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

fn producers(app: &App, frame: &mut Frame, area: Rect) {
    let rows = area.height.saturating_sub(2) as usize;
    let lines: Vec<Line> = match &app.producers {
        None => vec![Line::raw("reading…")],
        Some(Err(e)) => vec![Line::raw(e.clone())],
        Some(Ok(p)) => {
            let w = p.iter().map(|p| p.name.len()).max().unwrap_or(8);
            let all = p
                .iter()
                .map(|p| {
                    Line::raw(format!(
                        "{:<w$}  {:>7} records  head {:<26}  last heartbeat {:<40}  gaps {}",
                        p.name, p.records, p.head, p.heartbeat, p.gaps
                    ))
                })
                .collect();
            window(all, &app.side, rows)
        }
    };
    let block = Block::bordered().title(" producers: head, last heartbeat, gaps ");
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

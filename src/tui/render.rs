//! Drawing: a pure function of the [`App`]. Colours only as foreground accents and only
//! when allowed (`NO_COLOR` turns them off); the selection is reverse video and headings
//! are bold, so every view reads on light and dark terminals and without colour.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::app::{App, Screen};
use super::views;

/// Draw the whole screen.
pub fn render(app: &App, frame: &mut Frame) {
    let [title, anchors, tabs, main, status, keys] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(frame.area());
    let bold = Style::new().add_modifier(Modifier::BOLD);
    let head = format!("logseal tui · {} · {} records", app.title, app.size);
    frame.render_widget(Paragraph::new(Span::styled(head, bold)), title);
    frame.render_widget(Paragraph::new(app.anchors.as_str()), anchors);
    frame.render_widget(Paragraph::new(tab_line(app)), tabs);
    views::main(app, frame, main);
    frame.render_widget(Paragraph::new(status_line(app)), status);
    frame.render_widget(Paragraph::new(Span::styled(hints(app), dim(app))), keys);
    if app.help {
        help(app, frame);
    }
}

/// Subdued text: dim with colours, plain without.
pub fn dim(app: &App) -> Style {
    match app.color {
        true => Style::new().add_modifier(Modifier::DIM),
        false => Style::new(),
    }
}

/// The style of a verdict mark or finding.
pub fn verdict_style(app: &App, verdict: &str) -> Style {
    let v = verdict.to_lowercase();
    let bad = v.starts_with("violated") || v == "refused";
    let unsure = v.starts_with("undetermined") || v.starts_with("cannot");
    match (app.color, bad, unsure) {
        (true, true, _) => Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
        (true, _, true) => Style::new().fg(Color::Yellow),
        (false, true, _) => Style::new().add_modifier(Modifier::BOLD),
        _ => Style::new(),
    }
}

/// The style of the selected line.
pub fn selected() -> Style {
    Style::new().add_modifier(Modifier::REVERSED)
}

fn tab_line(app: &App) -> Line<'static> {
    let mut spans = Vec::new();
    let current = match app.screen {
        Screen::Detail | Screen::Proof => Screen::Records,
        s => s,
    };
    for (key, screen, name) in Screen::TABS {
        let text = format!(" {key} {name} ");
        spans.push(match screen == current {
            true => Span::styled(text, selected()),
            false => Span::raw(text),
        });
    }
    let extra = match app.screen {
        Screen::Detail => "  › detail",
        Screen::Proof => "  › detail › proof",
        _ => "",
    };
    spans.push(Span::raw(extra));
    Line::from(spans)
}

fn status_line(app: &App) -> Line<'static> {
    match &app.prompt {
        Some(p) => Line::from(vec![
            Span::styled(
                format!("{}: ", p.ask.label()),
                Style::new().add_modifier(Modifier::BOLD),
            ),
            Span::raw(format!("{}█", p.text)),
        ]),
        None => match &app.indexing {
            Some(note) if app.status.is_empty() => Line::raw(note.clone()),
            _ => Line::raw(app.status.clone()),
        },
    }
}

fn hints(app: &App) -> &'static str {
    if app.prompt.is_some() {
        return "Enter accept · Esc cancel · Backspace delete";
    }
    match app.screen {
        Screen::Records => {
            "j/k ↑↓ move · PgUp/PgDn · g/G first/last · / filter · : jump · Enter open · Esc clear filter · 1-6 views · ? help · q quit"
        }
        Screen::Detail => {
            "j/k select reference · Enter follow · Backspace/Esc back · p proof · r reveal · ? help · q quit"
        }
        Screen::Proof => "j/k PgUp/PgDn scroll · Backspace/Esc back · ? help · q quit",
        // A bundle has no --state to advance.
        Screen::Verify | Screen::Retention | Screen::Obligations if app.sparse.is_some() => {
            "j/k move · Enter open the record · v verify again · 1-6 views · ? help · q quit"
        }
        Screen::Verify | Screen::Retention | Screen::Obligations => {
            "j/k move · Enter open the record · v verify again (advances --state) · 1-6 views · ? help · q quit"
        }
        Screen::Checkpoints => "j/k move · 1-6 views · ? help · q quit",
        Screen::Producers => "j/k move · Enter filter its records · 1-6 views · ? help · q quit",
    }
}

const HELP: &[&str] = &[
    "views      1 records  2 verify  3 retention  4 obligations  5 checkpoints  6 producers",
    "move       j/k or ↑/↓, PgUp/PgDn, g/G or Home/End, mouse wheel",
    "records    Enter opens the record; / filters; : jumps; Esc clears the filter",
    "filter     kind=K producer=P since=T until=T verdict=violated|undetermined|notice|ok|pending",
    "           PATH=VALUE (any public field, e.g. human_review=false), plain words: text search",
    "jump       a leaf index, PRODUCER#SEQ, or an RFC 3339 time (the first record at or after)",
    "detail     j/k select a reference, Enter follows it, Backspace/Esc go back, p proof",
    "reveal     r asks purpose, legal basis and case reference, logs the access, then reveals",
    "verify     runs in the background at start (--state untouched); v runs it again and",
    "           advances --state (only with --trust); Enter on a finding opens its record",
    "marks      pending: verification has not reached the leaf; reached: read, not finished",
    "quit       q or Ctrl-C (the terminal is restored)",
    "",
    "any key closes this help",
];

fn help(app: &App, frame: &mut Frame) {
    let area = frame.area();
    let w = (HELP.iter().map(|l| l.chars().count()).max().unwrap_or(0) as u16 + 4).min(area.width);
    let h = (HELP.len() as u16 + 2).min(area.height);
    let r = Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    };
    frame.render_widget(Clear, r);
    let lines: Vec<Line> = HELP.iter().map(|l| Line::raw(*l)).collect();
    let block = Block::bordered().title(" help (?) ");
    let _ = app;
    frame.render_widget(Paragraph::new(lines).block(block), r);
}

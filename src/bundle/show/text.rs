//! The report as plain text: headings underlined, one paragraph per sentence, wrapped.

use super::compose::{Item, Report};
use super::sentence::{Sentence, visible};

/// Column at which paragraphs wrap.
const WIDTH: usize = 96;

pub fn render(r: &Report) -> String {
    let mut out = String::new();
    heading(&mut out, &r.title.plain(), '=');
    for s in &r.header {
        para(&mut out, "", s);
    }
    section(&mut out, &r.headings.summary);
    for s in &r.summary {
        para(&mut out, "", s);
    }
    section(&mut out, &r.headings.timeline);
    for item in &r.timeline {
        entry(&mut out, item);
    }
    section(&mut out, &r.headings.referenced);
    for item in &r.referenced {
        entry(&mut out, item);
    }
    for s in &r.after_timeline {
        para(&mut out, "", s);
    }
    section(&mut out, &r.headings.verdicts);
    verdicts(&mut out, r);
    section(&mut out, &r.headings.negatives);
    for s in &r.negatives {
        para(&mut out, "", s);
    }
    section(&mut out, &r.headings.anchors);
    anchors(&mut out, r);
    section(&mut out, &r.headings.recheck);
    para(&mut out, "", &r.recheck_intro);
    out.push_str(&format!("\n    {}\n\n", visible(&r.command)));
    for s in &r.specs {
        para(&mut out, "", s);
    }
    if let Some(f) = &r.footer {
        out.push_str(&"-".repeat(WIDTH.min(40)));
        out.push('\n');
        para(&mut out, "", f);
    }
    out
}

fn heading(out: &mut String, text: &str, underline: char) {
    out.push_str(text);
    out.push('\n');
    out.push_str(&underline.to_string().repeat(text.chars().count()));
    out.push_str("\n\n");
}

fn section(out: &mut String, title: &Sentence) {
    out.push('\n');
    heading(out, &title.plain(), '-');
}

fn entry(out: &mut String, item: &Item) {
    out.push_str(&item.heading.plain());
    out.push('\n');
    for s in item.body.iter().chain(&item.sealed).chain(&item.proves) {
        para(out, "    ", s);
    }
    out.push('\n');
}

fn verdicts(out: &mut String, r: &Report) {
    for v in &r.verdicts {
        para(out, "", &v.line);
        for n in &v.notes {
            para(out, "    ", n);
        }
    }
    if let Some(n) = &r.verdict_note {
        para(out, "", n);
    }
}

fn anchors(out: &mut String, r: &Report) {
    para(out, "", &r.anchors_intro);
    let roles: Vec<String> = r.anchors.iter().map(|a| a.role.plain()).collect();
    let names: Vec<String> = r.anchors.iter().map(|a| visible(&a.name)).collect();
    let width = |v: &[String]| v.iter().map(|s| s.chars().count()).max().unwrap_or(0);
    let (rw, nw) = (width(&roles), width(&names));
    for ((role, name), a) in roles.iter().zip(&names).zip(&r.anchors) {
        out.push_str(&format!(
            "    {role:<rw$}  {name:<nw$}  {}\n",
            visible(&a.fingerprint)
        ));
    }
}

/// One sentence as a paragraph, wrapped at [`WIDTH`], every line prefixed with `indent`.
fn para(out: &mut String, indent: &str, s: &Sentence) {
    let text = s.plain();
    let mut line = String::new();
    for word in text.split(' ') {
        let len = line.chars().count() + word.chars().count() + indent.len();
        if !line.is_empty() && len >= WIDTH {
            out.push_str(indent);
            out.push_str(&line);
            out.push('\n');
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    out.push_str(indent);
    out.push_str(&line);
    out.push('\n');
}

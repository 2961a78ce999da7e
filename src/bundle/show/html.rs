//! The report as one self-contained HTML file: inline CSS, an inline SVG timeline, no
//! script and no network access (a Content-Security-Policy forbids both), readable printed.
//!
//! Every text is escaped; every value from the bundle is also neutralised (control and
//! bidirectional characters shown as code points such as `<U+202E>`) and isolated in `<bdi>`, so a value in a
//! right-to-left script or with hostile markup cannot change the page around it.

use super::Lang;
use super::compose::{Item, Report};
use super::sentence::{Piece, Sentence, visible};
use crate::bundle::account::Role;
use crate::verify::report::Verdict;

const STYLE: &str = "\
:root{--ink:#1b1f24;--muted:#57606a;--line:#d0d7de;--bad:#a40e26;--ok:#1a7f37;--warn:#9a6700;--ref:#0969da}
*{box-sizing:border-box}
body{font:16px/1.5 system-ui,-apple-system,\"Segoe UI\",Roboto,\"Noto Sans\",sans-serif;color:var(--ink);max-width:60rem;margin:2rem auto;padding:0 1rem}
h1{font-size:1.6rem;margin:0 0 .5rem}h2{font-size:1.25rem;border-bottom:1px solid var(--line);padding-bottom:.2rem;margin-top:2rem}
h3{font-size:1rem;margin:0 0 .3rem}
.muted,.header p{color:var(--muted)}
.summary p{font-size:1.05rem;margin:.3rem 0}
ol.entries{list-style:none;padding:0}
li.entry{border-left:4px solid var(--line);padding:.4rem .8rem;margin:.8rem 0;break-inside:avoid}
li.entry.role-selected{border-color:var(--ink)}li.entry.role-export{border-color:var(--warn)}li.entry.role-referenced{border-color:var(--ref)}
li.entry p{margin:.15rem 0}
.sealed,.proof{font-size:.9rem;color:var(--muted)}
.verdict{margin:.5rem 0;break-inside:avoid}
.badge{display:inline-block;border-radius:.3rem;padding:0 .4rem;font-weight:600;color:#fff;background:var(--muted)}
.violated .badge{background:var(--bad)}.holds .badge{background:var(--ok)}.undetermined .badge{background:var(--warn)}
.stated{font-style:italic}
table{border-collapse:collapse}td,th{border-bottom:1px solid var(--line);padding:.2rem .6rem;text-align:left;vertical-align:top}
code,pre,.fp{font-family:ui-monospace,\"DejaVu Sans Mono\",monospace;font-size:.85rem}
pre{background:#f6f8fa;padding:.6rem;white-space:pre-wrap;word-break:break-all}
.fp{word-break:break-all}
svg{width:100%;height:auto;display:block}
svg text{font:11px sans-serif;fill:var(--ink)}
footer{margin-top:2rem;border-top:1px solid var(--line);color:var(--muted);font-size:.9rem}
@media print{body{margin:0;max-width:none;font-size:11pt}h2{break-after:avoid}a{color:inherit}.badge{border:1px solid #000;color:#000;background:none!important}}
";

pub fn render(r: &Report, lang: Lang) -> String {
    let mut out = String::new();
    head(&mut out, r, lang);
    out.push_str("<body>\n<header class=\"header\">\n");
    out.push_str(&format!("<h1>{}</h1>\n", html(&r.title)));
    paras(&mut out, &r.header);
    out.push_str("</header>\n");
    section(&mut out, "summary", &r.headings.summary);
    paras(&mut out, &r.summary);
    out.push_str("</section>\n");
    timeline(&mut out, r);
    verdicts(&mut out, r);
    section(&mut out, "negatives", &r.headings.negatives);
    paras(&mut out, &r.negatives);
    out.push_str("</section>\n");
    anchors(&mut out, r);
    recheck(&mut out, r);
    if let Some(f) = &r.footer {
        out.push_str(&format!("<footer><p>{}</p></footer>\n", html(f)));
    }
    out.push_str("</body>\n</html>\n");
    out
}

fn head(out: &mut String, r: &Report, lang: Lang) {
    out.push_str(&format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>\n{STYLE}</style>\n</head>\n",
        lang.code(),
        escape(&r.title.plain())
    ));
}

fn section(out: &mut String, id: &str, title: &Sentence) {
    out.push_str(&format!(
        "<section id=\"{id}\" class=\"{id}\">\n<h2>{}</h2>\n",
        html(title)
    ));
}

fn paras(out: &mut String, list: &[Sentence]) {
    for s in list {
        out.push_str(&format!("<p>{}</p>\n", html(s)));
    }
}

fn timeline(out: &mut String, r: &Report) {
    section(out, "timeline", &r.headings.timeline);
    out.push_str(&svg(&r.timeline));
    out.push_str("<ol class=\"entries\">\n");
    for item in &r.timeline {
        entry(out, item);
    }
    out.push_str("</ol>\n</section>\n");
    section(out, "referenced", &r.headings.referenced);
    out.push_str("<ol class=\"entries\">\n");
    for item in &r.referenced {
        entry(out, item);
    }
    out.push_str("</ol>\n");
    paras(out, &r.after_timeline);
    out.push_str("</section>\n");
}

fn entry(out: &mut String, item: &Item) {
    out.push_str(&format!(
        "<li class=\"entry role-{}\" id=\"leaf-{}\">\n<h3>{}</h3>\n",
        role_class(item.role),
        item.leaf,
        html(&item.heading)
    ));
    paras(out, &item.body);
    for (class, list) in [("sealed", &item.sealed), ("proof", &item.proves)] {
        if !list.is_empty() {
            out.push_str(&format!("<div class=\"{class}\">\n"));
            paras(out, list);
            out.push_str("</div>\n");
        }
    }
    out.push_str("</li>\n");
}

fn role_class(role: Role) -> &'static str {
    match role {
        Role::Selected => "selected",
        Role::Referenced => "referenced",
        Role::Chain => "chain",
        Role::Export => "export",
    }
}

/// Width and margins of the timeline drawing, in SVG units.
const SVG_W: i64 = 960;
const SVG_MARGIN: i64 = 70;
const SVG_AXIS: i64 = 110;

/// The timeline as an inline SVG: one dot per entry on a time axis, labels staggered in
/// three rows above and below so that near entries stay legible.
fn svg(items: &[Item]) -> String {
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {SVG_W} 230\" role=\"img\" \
         aria-label=\"timeline\">\n<line x1=\"{SVG_MARGIN}\" y1=\"{SVG_AXIS}\" x2=\"{}\" \
         y2=\"{SVG_AXIS}\" stroke=\"#57606a\" stroke-width=\"2\"/>\n",
        SVG_W - SVG_MARGIN
    );
    let times: Vec<i64> = items.iter().map(|i| i.time.as_second()).collect();
    let (lo, hi) = match (times.iter().min(), times.iter().max()) {
        (Some(lo), Some(hi)) => (*lo, *hi),
        _ => return out + "</svg>\n",
    };
    for (n, item) in items.iter().enumerate() {
        out.push_str(&svg_item(n, item, x_of(item.time.as_second(), lo, hi)));
    }
    if let (Some(first), Some(last)) = (items.first(), items.last()) {
        out.push_str(&format!(
            "<text x=\"{SVG_MARGIN}\" y=\"225\">{}</text>\n<text x=\"{}\" y=\"225\" \
             text-anchor=\"end\">{}</text>\n",
            html(&first.when),
            SVG_W - SVG_MARGIN,
            html(&last.when)
        ));
    }
    out + "</svg>\n"
}

fn x_of(t: i64, lo: i64, hi: i64) -> i64 {
    let span = SVG_W - 2 * SVG_MARGIN;
    if hi <= lo {
        return SVG_W / 2;
    }
    let pos = i128::from(t - lo) * i128::from(span) / i128::from(hi - lo);
    SVG_MARGIN + i64::try_from(pos).unwrap_or(0)
}

fn svg_item(n: usize, item: &Item, x: i64) -> String {
    let row = i64::try_from(n % 6).unwrap_or(0);
    let (y, anchor_y) = if row % 2 == 0 {
        (SVG_AXIS - 18 - 26 * (row / 2), SVG_AXIS - 6)
    } else {
        (SVG_AXIS + 28 + 26 * (row / 2), SVG_AXIS + 6)
    };
    let colour = match item.role {
        Role::Selected => "#1b1f24",
        Role::Referenced => "#0969da",
        Role::Export => "#9a6700",
        Role::Chain => "#8c959f",
    };
    let text_anchor = if x < SVG_W / 5 {
        "start"
    } else if x > SVG_W * 4 / 5 {
        "end"
    } else {
        "middle"
    };
    format!(
        "<g><title>{heading}</title><line x1=\"{x}\" y1=\"{anchor_y}\" x2=\"{x}\" y2=\"{ly}\" \
         stroke=\"#d0d7de\"/><circle cx=\"{x}\" cy=\"{SVG_AXIS}\" r=\"6\" fill=\"{colour}\"/>\
         <text x=\"{tx}\" y=\"{y}\" text-anchor=\"{text_anchor}\">{leaf}: {kind}</text></g>\n",
        tx = match text_anchor {
            "start" => x - 8,
            "end" => x + 8,
            _ => x,
        },
        heading = html(&item.heading),
        ly = if row % 2 == 0 { y + 4 } else { y - 12 },
        leaf = item.leaf,
        kind = html(&item.kind),
    )
}

fn verdicts(out: &mut String, r: &Report) {
    section(out, "verdicts", &r.headings.verdicts);
    for v in &r.verdicts {
        let class = match v.verdict {
            Verdict::Violated => "violated",
            Verdict::Holds => "holds",
            Verdict::CannotBeDetermined => "undetermined",
            Verdict::Notice | Verdict::NotChecked => "notice",
        };
        let stated = if v.basis.stated() { " stated" } else { "" };
        out.push_str(&format!(
            "<div class=\"verdict {class}{stated}\">\n<p>{}</p>\n",
            badge(&v.line)
        ));
        paras(out, &v.notes);
        out.push_str("</div>\n");
    }
    if let Some(n) = &r.verdict_note {
        out.push_str(&format!("<p class=\"muted\">{}</p>\n", html(n)));
    }
    out.push_str("</section>\n");
}

/// A verdict line with its first piece (the verdict word, as [`super::compose`] puts it
/// first) as a badge.
fn badge(line: &Sentence) -> String {
    match line.0.split_first() {
        Some((Piece::Fixed(word), rest)) => format!(
            "<span class=\"badge\">{}</span>{}",
            escape(word),
            html(&Sentence(rest.to_vec()))
        ),
        _ => html(line),
    }
}

fn anchors(out: &mut String, r: &Report) {
    section(out, "anchors", &r.headings.anchors);
    out.push_str(&format!("<p>{}</p>\n<table>\n", html(&r.anchors_intro)));
    for a in &r.anchors {
        out.push_str(&format!(
            "<tr><td>{}</td><td><bdi>{}</bdi></td><td class=\"fp\">{}</td></tr>\n",
            html(&a.role),
            escape(&visible(&a.name)),
            escape(&visible(&a.fingerprint))
        ));
    }
    out.push_str("</table>\n</section>\n");
}

fn recheck(out: &mut String, r: &Report) {
    section(out, "recheck", &r.headings.recheck);
    out.push_str(&format!(
        "<p>{}</p>\n<pre><code>{}</code></pre>\n",
        html(&r.recheck_intro),
        escape(&visible(&r.command))
    ));
    paras(out, &r.specs);
    out.push_str("</section>\n");
}

/// A sentence as HTML: words escaped, values neutralised, escaped and isolated.
fn html(s: &Sentence) -> String {
    s.0.iter()
        .map(|p| match p {
            Piece::Fixed(t) => escape(t),
            Piece::Value(v) => format!("<bdi>{}</bdi>", escape(&visible(v))),
        })
        .collect()
}

/// HTML-escape text for element content and quoted attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(ch),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_covers_markup_and_quotes() {
        assert_eq!(
            escape("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
    }

    #[test]
    fn values_are_isolated_and_neutralised() {
        let s = Sentence(vec![
            Piece::Fixed("a ".into()),
            Piece::Value("\u{202E}<i>".into()),
        ]);
        assert_eq!(html(&s), "a <bdi>&lt;U+202E&gt;&lt;i&gt;</bdi>");
    }

    #[test]
    fn x_positions_stay_inside_the_axis() {
        assert_eq!(x_of(5, 5, 5), SVG_W / 2);
        assert_eq!(x_of(0, 0, 100), SVG_MARGIN);
        assert_eq!(x_of(100, 0, 100), SVG_W - SVG_MARGIN);
    }
}

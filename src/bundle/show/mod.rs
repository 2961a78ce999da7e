//! `logseal bundle show`: an evidence bundle's [`Account`] for a person, as plain text or
//! as one self-contained HTML file (DESIGN.md §Evidence bundles; ISSUE 16).
//!
//! Owns: the languages, the sentences built from the view model ([`compose`]), and the two
//! renderers. Pure: strings in, strings out; the CLI writes them. Every sentence comes from
//! [`catalogue`]; data values are kept apart from the catalogue's words up to the renderer,
//! which neutralises control and bidirectional-override characters in them (so a hostile
//! value cannot rearrange or forge a line) and, in HTML, escapes and isolates them.

use crate::bundle::account::Account;

pub mod catalogue;
mod compose;
mod events;
mod html;
mod sentence;
mod text;

/// The report's language (`--lang`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    En,
    Nl,
    De,
}

impl Lang {
    pub const ALL: &'static [Lang] = &[Lang::En, Lang::Nl, Lang::De];

    /// The BCP 47 tag, as `--lang` takes it.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Nl => "nl",
            Lang::De => "de",
        }
    }
}

impl std::fmt::Display for Lang {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// A language `--lang` does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown report language {0:?}; expected one of: en, nl, de")]
pub struct UnknownLang(pub String);

impl std::str::FromStr for Lang {
    type Err = UnknownLang;

    fn from_str(s: &str) -> Result<Lang, UnknownLang> {
        Lang::ALL
            .iter()
            .copied()
            .find(|l| l.code() == s)
            .ok_or_else(|| UnknownLang(s.to_string()))
    }
}

/// The account as plain text (UTF-8, lines of at most about 100 columns where the words
/// allow).
pub fn render_text(account: &Account, lang: Lang) -> String {
    text::render(&compose::report(account, lang))
}

/// The account as one self-contained HTML document: inline CSS and SVG, no script, no
/// network access, readable when printed.
pub fn render_html(account: &Account, lang: Lang) -> String {
    html::render(&compose::report(account, lang), lang)
}

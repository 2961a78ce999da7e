//! Sentences made of the catalogue's words and data values, kept apart until rendering.

use super::Lang;
use super::catalogue::Key;

/// A piece of a sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// Words of the catalogue (or text the report makes itself: dates, numbers).
    Fixed(String),
    /// A value from the bundle: shown neutralised and, in HTML, isolated.
    Value(String),
}

/// A sentence, or a part of one.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Sentence(pub Vec<Piece>);

impl Sentence {
    pub fn fixed(s: impl Into<String>) -> Sentence {
        Sentence(vec![Piece::Fixed(s.into())])
    }

    pub fn value(s: impl Into<String>) -> Sentence {
        Sentence(vec![Piece::Value(s.into())])
    }

    /// `items` joined by `", "`.
    pub fn list(items: Vec<Sentence>) -> Sentence {
        let mut out = Sentence::default();
        for (i, item) in items.into_iter().enumerate() {
            if i > 0 {
                out.0.push(Piece::Fixed(", ".into()));
            }
            out.0.extend(item.0);
        }
        out
    }

    /// Values joined by `", "`.
    pub fn values<S: AsRef<str>>(items: &[S]) -> Sentence {
        Sentence::list(items.iter().map(|s| Sentence::value(s.as_ref())).collect())
    }

    /// The sentence as plain text, values neutralised.
    pub fn plain(&self) -> String {
        self.0
            .iter()
            .map(|p| match p {
                Piece::Fixed(s) => s.clone(),
                Piece::Value(s) => visible(s),
            })
            .collect()
    }
}

/// The phrase `key` in `lang` with its `{placeholders}` filled from `args`; a placeholder
/// without an argument stays as written (a test of the catalogue keeps them matched).
pub fn fill(lang: Lang, key: Key, args: &[(&str, Sentence)]) -> Sentence {
    let template = key.phrase().get(lang).template;
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(len) = rest[open..].find('}') else {
            break;
        };
        push_fixed(&mut out, &rest[..open]);
        let name = &rest[open + 1..open + len];
        match args.iter().find(|(n, _)| *n == name) {
            Some((_, s)) => out.extend(s.0.iter().cloned()),
            None => push_fixed(&mut out, &rest[open..=open + len]),
        }
        rest = &rest[open + len + 1..];
    }
    push_fixed(&mut out, rest);
    Sentence(out)
}

/// The phrase `key` in `lang`, which has no placeholders.
pub fn word(lang: Lang, key: Key) -> Sentence {
    fill(lang, key, &[])
}

fn push_fixed(out: &mut Vec<Piece>, s: &str) {
    if !s.is_empty() {
        out.push(Piece::Fixed(s.to_string()));
    }
}

/// `s` with control characters and bidirectional formatting characters replaced by
/// visible code points such as `<U+202E>`: a value can neither break a line nor reorder the text around it.
pub fn visible(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        if is_hidden(ch) {
            out.push_str(&format!("<U+{:04X}>", ch as u32));
        } else {
            out.push(ch);
        }
    }
    out
}

fn is_hidden(ch: char) -> bool {
    ch.is_control()
        || matches!(ch,
            '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}'
            | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_keeps_values_apart_from_words() {
        let s = fill(
            Lang::En,
            Key::UntilDate,
            &[("date", Sentence::value("<b>"))],
        );
        assert_eq!(
            s.0,
            vec![Piece::Fixed("until ".into()), Piece::Value("<b>".into())]
        );
    }

    #[test]
    fn hidden_characters_become_visible() {
        assert_eq!(visible("a\u{202E}b\nc"), "a<U+202E>b<U+000A>c");
        assert_eq!(visible("Zoë IJzerman"), "Zoë IJzerman");
        assert_eq!(visible("שלום"), "שלום");
    }
}

//! Text rules for everything a record carries as a string.
//!
//! Owns: what an identifier, a producer id and a bounded free text may contain. The rules
//! (docs/FORMAT.md §Text) exist because signed text is read by people in audits and courts:
//! a value must have one Unicode form (NFC, never silently normalised: a non-NFC value is
//! rejected so the producer fixes it at the source), and no invisible characters that make
//! two different values look alike (controls, bidirectional overrides).
//! Lengths are bounded in Unicode scalar values, not bytes.

use minicbor::{Decode, Decoder, Encode, Encoder};
use unicode_normalization::is_nfc;

/// Longest identifier, in characters.
pub const MAX_IDENT_CHARS: usize = 256;
/// Longest free text, in characters.
pub const MAX_TEXT_CHARS: usize = 4096;
/// Longest producer id, in bytes (ASCII only).
pub const MAX_PRODUCER_ID_LEN: usize = 64;

/// The Unicode version of the normalisation tables behind the NFC rule (docs/FORMAT.md §8):
/// `unicode-normalization`'s, pinned by a test so that a dependency update that changes the
/// tables (and so, for new characters, the verdict) is a visible format decision.
pub const NFC_UNICODE_VERSION: (u8, u8, u8) = unicode_normalization::UNICODE_VERSION;

/// Why a text value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TextError {
    #[error("empty text (rule text.non-empty)")]
    Empty,
    #[error("{found} characters, more than the limit of {max} (rule text.length)")]
    TooLong { found: usize, max: usize },
    #[error(
        "not in Unicode normalisation form C (NFC); normalise it before signing (rule text.nfc)"
    )]
    NotNfc,
    #[error("control character U+{code:04X} at character {index} (rule text.no-control)")]
    Control { code: u32, index: usize },
    #[error(
        "bidirectional or invisible formatting character U+{code:04X} at character {index} (rule text.no-bidi)"
    )]
    Bidi { code: u32, index: usize },
    #[error(
        "character {ch:?} at position {index} is not allowed in a producer id \
         (lowercase ASCII letters, digits, '-', '_', '.') (rule text.producer-id-chars)"
    )]
    ProducerIdChar { ch: char, index: usize },
}

/// Characters that reorder or hide text: bidi embeddings/overrides/isolates and marks,
/// zero-width characters, the BOM.
fn is_bidi_or_invisible(c: char) -> bool {
    matches!(c as u32,
        0x061C | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2069 | 0xFEFF)
}

/// Check an identifier: non-empty, NFC, no control, bidi or invisible characters,
/// at most [`MAX_IDENT_CHARS`] characters.
pub fn check_identifier(s: &str) -> Result<(), TextError> {
    check(s, MAX_IDENT_CHARS, false)
}

/// Check a free text: like an identifier but up to [`MAX_TEXT_CHARS`] characters, and line
/// feeds and tabs are allowed.
pub fn check_free_text(s: &str) -> Result<(), TextError> {
    check(s, MAX_TEXT_CHARS, true)
}

fn check(s: &str, max: usize, newlines: bool) -> Result<(), TextError> {
    if s.is_empty() {
        return Err(TextError::Empty);
    }
    let mut n = 0;
    for (index, c) in s.chars().enumerate() {
        n = index + 1;
        if c.is_control() && !(newlines && (c == '\n' || c == '\t')) {
            return Err(TextError::Control {
                code: c as u32,
                index,
            });
        }
        if is_bidi_or_invisible(c) {
            return Err(TextError::Bidi {
                code: c as u32,
                index,
            });
        }
    }
    if n > max {
        return Err(TextError::TooLong { found: n, max });
    }
    if !is_nfc(s) {
        return Err(TextError::NotNfc);
    }
    Ok(())
}

/// Check a producer id: 1..=64 bytes of `[a-z0-9._-]`, starting with a letter or digit.
pub fn check_producer_id(s: &str) -> Result<(), TextError> {
    if s.is_empty() {
        return Err(TextError::Empty);
    }
    if s.len() > MAX_PRODUCER_ID_LEN {
        return Err(TextError::TooLong {
            found: s.chars().count(),
            max: MAX_PRODUCER_ID_LEN,
        });
    }
    for (index, ch) in s.chars().enumerate() {
        let ok = ch.is_ascii_lowercase()
            || ch.is_ascii_digit()
            || (index > 0 && matches!(ch, '-' | '_' | '.'));
        if !ok {
            return Err(TextError::ProducerIdChar { ch, index });
        }
    }
    Ok(())
}

macro_rules! text_type {
    ($(#[$doc:meta])* $name:ident, $check:path) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(String);

        impl $name {
            /// Validate and wrap.
            pub fn new(s: impl Into<String>) -> Result<Self, TextError> {
                let s = s.into();
                $check(&s)?;
                Ok(Self(s))
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                std::fmt::Debug::fmt(&self.0, f)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl std::str::FromStr for $name {
            type Err = TextError;
            fn from_str(s: &str) -> Result<Self, TextError> {
                Self::new(s)
            }
        }

        impl<C> Encode<C> for $name {
            fn encode<W: minicbor::encode::Write>(
                &self,
                e: &mut Encoder<W>,
                _: &mut C,
            ) -> Result<(), minicbor::encode::Error<W::Error>> {
                e.str(&self.0)?;
                Ok(())
            }
        }

        impl<'b, C> Decode<'b, C> for $name {
            fn decode(d: &mut Decoder<'b>, _: &mut C) -> Result<Self, minicbor::decode::Error> {
                let at = d.position();
                let s = d.str()?;
                $check(s).map_err(|e| {
                    minicbor::decode::Error::message(format!(
                        concat!("invalid ", stringify!($name), ": {}"),
                        e
                    ))
                    .at(at)
                })?;
                Ok(Self(s.to_owned()))
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Self::new(s).map_err(serde::de::Error::custom)
            }
        }
    };
}

text_type!(
    /// An identifier or code: see [`check_identifier`].
    Ident,
    check_identifier
);
text_type!(
    /// A bounded free text: see [`check_free_text`].
    FreeText,
    check_free_text
);
text_type!(
    /// A producer id: see [`check_producer_id`].
    ProducerId,
    check_producer_id
);

#[cfg(test)]
mod tests {
    use super::*;

    /// docs/FORMAT.md §8.1 states the Unicode version of the NFC rule: a dependency update
    /// that changes it must change the spec too (new characters change verdicts).
    #[test]
    fn nfc_tables_are_unicode_18_0_0_as_the_spec_says() {
        assert_eq!(NFC_UNICODE_VERSION, (18, 0, 0));
        let spec = include_str!("../../docs/FORMAT.md");
        assert!(
            spec.contains("Unicode 18.0.0"),
            "docs/FORMAT.md §8.1 must name the NFC tables' Unicode version"
        );
    }

    #[test]
    fn identifiers() {
        check_identifier("Jan de Vries-IJsselmeer").unwrap();
        check_identifier("Zoë Müller").unwrap();
        assert_eq!(check_identifier(""), Err(TextError::Empty));
        // "e" + combining diaeresis is NFD.
        assert_eq!(check_identifier("Zoe\u{0308}"), Err(TextError::NotNfc));
        assert_eq!(
            check_identifier("a\u{202E}b"),
            Err(TextError::Bidi {
                code: 0x202E,
                index: 1
            })
        );
        assert_eq!(
            check_identifier("a\nb"),
            Err(TextError::Control { code: 10, index: 1 })
        );
        check_free_text("line one\nline two").unwrap();
        assert!(matches!(
            check_identifier(&"x".repeat(257)),
            Err(TextError::TooLong {
                found: 257,
                max: 256
            })
        ));
    }

    #[test]
    fn producer_ids() {
        check_producer_id("query-frontend").unwrap();
        check_producer_id("upload.gateway_2").unwrap();
        assert!(check_producer_id("-x").is_err());
        assert!(check_producer_id("Query").is_err());
        assert!(check_producer_id(&"a".repeat(65)).is_err());
    }
}

//! Deterministic CBOR (RFC 8949 §4.2.1) — the only CBOR logseal signs or accepts.
//!
//! Owns: the strict reading rule for every signed byte string. CBOR decoders accept many
//! encodings of one value; a signed record must have exactly one. Two layers:
//!
//! 1. [`check_deterministic`] walks the raw bytes and names the first offending byte:
//!    non-minimal heads, indefinite lengths, floats and other simple values than
//!    `false`/`true`/`null`, map keys out of bytewise order or repeated, invalid UTF-8,
//!    truncation, trailing bytes, nesting deeper than [`MAX_DEPTH`].
//! 2. [`decode_canonical`] then decodes into a Rust type, re-encodes it and compares the
//!    bytes: anything the type drops or rewrites (unknown map keys, defaults) is rejected.
//!
//! Pure: bytes in, typed values or a [`CborError`] with a byte offset out.

use minicbor::{Decode, Encode};

/// Deepest nesting accepted (arrays, maps and tags each count one level).
pub const MAX_DEPTH: usize = 32;

/// What is wrong with a CBOR byte string, and at which byte offset.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CborError {
    #[error("truncated CBOR: input ends inside the item starting at byte {offset}")]
    Truncated { offset: usize },
    #[error("{count} trailing byte(s) after the CBOR item, starting at byte {offset}")]
    TrailingBytes { offset: usize, count: usize },
    #[error("non-minimal integer or length encoding at byte {offset} (RFC 8949 §4.2.1)")]
    NonMinimal { offset: usize },
    #[error("indefinite-length item at byte {offset} (only definite lengths are allowed)")]
    IndefiniteLength { offset: usize },
    #[error("floating-point value at byte {offset} (floats are not allowed in signed data)")]
    Float { offset: usize },
    #[error("simple value {value} at byte {offset} (only false, true and null are allowed)")]
    Simple { offset: usize, value: u8 },
    #[error("reserved additional-information value at byte {offset}")]
    Reserved { offset: usize },
    #[error("map key at byte {offset} is not in bytewise-lexicographic order (RFC 8949 §4.2.1)")]
    UnsortedKeys { offset: usize },
    #[error("duplicate map key at byte {offset}")]
    DuplicateKey { offset: usize },
    #[error("invalid UTF-8 in text string at byte {offset}")]
    InvalidUtf8 { offset: usize },
    #[error("nesting deeper than {MAX_DEPTH} levels at byte {offset}")]
    TooDeep { offset: usize },
    #[error("{message} (at byte {offset})")]
    Decode { offset: usize, message: String },
    #[error(
        "not in canonical form: re-encoding differs from the input at byte {offset} \
         (unknown field, or a value not written in its one canonical form)"
    )]
    NotCanonical { offset: usize },
}

impl CborError {
    /// A stable kebab-case code for the variant, named by test vectors and reports
    /// (docs/FORMAT.md §Rejection codes). Never changes once published.
    pub fn code(&self) -> &'static str {
        match self {
            CborError::Truncated { .. } => "cbor-truncated",
            CborError::TrailingBytes { .. } => "cbor-trailing-bytes",
            CborError::NonMinimal { .. } => "cbor-non-minimal",
            CborError::IndefiniteLength { .. } => "cbor-indefinite-length",
            CborError::Float { .. } => "cbor-float",
            CborError::Simple { .. } => "cbor-simple-value",
            CborError::Reserved { .. } => "cbor-reserved",
            CborError::UnsortedKeys { .. } => "cbor-unsorted-keys",
            CborError::DuplicateKey { .. } => "cbor-duplicate-key",
            CborError::InvalidUtf8 { .. } => "cbor-invalid-utf8",
            CborError::TooDeep { .. } => "cbor-too-deep",
            CborError::Decode { .. } => "cbor-decode",
            CborError::NotCanonical { .. } => "cbor-not-canonical",
        }
    }

    /// The byte offset the error points at.
    pub fn offset(&self) -> usize {
        match self {
            CborError::Truncated { offset }
            | CborError::TrailingBytes { offset, .. }
            | CborError::NonMinimal { offset }
            | CborError::IndefiniteLength { offset }
            | CborError::Float { offset }
            | CborError::Simple { offset, .. }
            | CborError::Reserved { offset }
            | CborError::UnsortedKeys { offset }
            | CborError::DuplicateKey { offset }
            | CborError::InvalidUtf8 { offset }
            | CborError::TooDeep { offset }
            | CborError::Decode { offset, .. }
            | CborError::NotCanonical { offset } => *offset,
        }
    }

    /// The same error, with its offset moved by `base` (for items nested in a byte string).
    pub fn shifted(self, base: usize) -> Self {
        let mut e = self;
        match &mut e {
            CborError::Truncated { offset }
            | CborError::TrailingBytes { offset, .. }
            | CborError::NonMinimal { offset }
            | CborError::IndefiniteLength { offset }
            | CborError::Float { offset }
            | CborError::Simple { offset, .. }
            | CborError::Reserved { offset }
            | CborError::UnsortedKeys { offset }
            | CborError::DuplicateKey { offset }
            | CborError::InvalidUtf8 { offset }
            | CborError::TooDeep { offset }
            | CborError::Decode { offset, .. }
            | CborError::NotCanonical { offset } => *offset += base,
        }
        e
    }
}

/// Check that `bytes` is exactly one well-formed, deterministically encoded CBOR item.
pub fn check_deterministic(bytes: &[u8]) -> Result<(), CborError> {
    let end = item(bytes, 0, 0)?;
    if end != bytes.len() {
        return Err(CborError::TrailingBytes {
            offset: end,
            count: bytes.len() - end,
        });
    }
    Ok(())
}

/// Decode `bytes` as one deterministic CBOR item of type `T`, rejecting anything that does not
/// re-encode to the very same bytes.
pub fn decode_canonical<'b, T>(bytes: &'b [u8]) -> Result<T, CborError>
where
    T: Decode<'b, ()> + Encode<()>,
{
    check_deterministic(bytes)?;
    let mut d = minicbor::Decoder::new(bytes);
    let value: T = d.decode().map_err(|e| decode_error(&e, d.position()))?;
    if d.position() != bytes.len() {
        return Err(CborError::TrailingBytes {
            offset: d.position(),
            count: bytes.len() - d.position(),
        });
    }
    let again = to_vec(&value);
    if again != bytes {
        let offset = again
            .iter()
            .zip(bytes)
            .position(|(a, b)| a != b)
            .unwrap_or(again.len().min(bytes.len()));
        return Err(CborError::NotCanonical { offset });
    }
    Ok(value)
}

/// Encode a value (infallible for logseal's types: writing to a `Vec` cannot fail).
pub fn to_vec<T: Encode<()>>(value: &T) -> Vec<u8> {
    let mut out = Vec::new();
    minicbor::encode(value, &mut out).expect("encoding into a Vec<u8> is infallible");
    out
}

fn decode_error(e: &minicbor::decode::Error, fallback: usize) -> CborError {
    let offset = e.position().unwrap_or(fallback);
    CborError::Decode {
        offset,
        message: without_position(&e.to_string(), e.position()),
    }
}

/// minicbor's message without the position it writes after its first words
/// (`decode error at position 47: unsupported version` → `decode error: unsupported
/// version`): the offset is kept apart, and the message itself (which may say "at position"
/// too) is kept whole.
fn without_position(message: &str, position: Option<usize>) -> String {
    let Some(p) = position else {
        return message.to_string();
    };
    let needle = format!(" at position {p}");
    match message.find(&needle) {
        Some(i) => format!("{}{}", &message[..i], &message[i + needle.len()..]),
        None => message.to_string(),
    }
}

/// Read one head at `off`: returns (major, argument, offset after the head), rejecting
/// non-minimal and indefinite encodings.
fn head(b: &[u8], off: usize) -> Result<(u8, u64, usize), CborError> {
    let ib = *b.get(off).ok_or(CborError::Truncated { offset: off })?;
    let major = ib >> 5;
    let ai = ib & 0x1f;
    let n = match ai {
        0..=23 => return Ok((major, u64::from(ai), off + 1)),
        24 => 1,
        25 => 2,
        26 => 4,
        27 => 8,
        28..=30 => return Err(CborError::Reserved { offset: off }),
        _ => {
            return Err(if major == 7 {
                // 0xff "break" outside an indefinite item.
                CborError::Reserved { offset: off }
            } else {
                CborError::IndefiniteLength { offset: off }
            });
        }
    };
    if major == 7 {
        return Err(if ai == 24 {
            CborError::Simple {
                offset: off,
                value: b.get(off + 1).copied().unwrap_or(0),
            }
        } else {
            CborError::Float { offset: off }
        });
    }
    let arg_bytes = b
        .get(off + 1..off + 1 + n)
        .ok_or(CborError::Truncated { offset: off })?;
    let v = arg_bytes
        .iter()
        .fold(0u64, |acc, x| (acc << 8) | u64::from(*x));
    let minimal = match n {
        1 => v >= 24,
        2 => v > 0xff,
        4 => v > 0xffff,
        _ => v > 0xffff_ffff,
    };
    if !minimal {
        return Err(CborError::NonMinimal { offset: off });
    }
    Ok((major, v, off + 1 + n))
}

fn item(b: &[u8], off: usize, depth: usize) -> Result<usize, CborError> {
    if depth > MAX_DEPTH {
        return Err(CborError::TooDeep { offset: off });
    }
    let (major, arg, mut p) = head(b, off)?;
    match major {
        0 | 1 => Ok(p),
        2 | 3 => {
            let len = usize::try_from(arg).map_err(|_| CborError::Truncated { offset: off })?;
            let end = p
                .checked_add(len)
                .filter(|e| *e <= b.len())
                .ok_or(CborError::Truncated { offset: off })?;
            if major == 3 && std::str::from_utf8(&b[p..end]).is_err() {
                return Err(CborError::InvalidUtf8 { offset: off });
            }
            Ok(end)
        }
        4 => {
            for _ in 0..arg {
                p = item(b, p, depth + 1)?;
            }
            Ok(p)
        }
        5 => {
            let mut prev: Option<(usize, usize)> = None;
            for _ in 0..arg {
                let k_start = p;
                let k_end = item(b, p, depth + 1)?;
                if let Some((ps, pe)) = prev {
                    match b[ps..pe].cmp(&b[k_start..k_end]) {
                        std::cmp::Ordering::Less => {}
                        std::cmp::Ordering::Equal => {
                            return Err(CborError::DuplicateKey { offset: k_start });
                        }
                        std::cmp::Ordering::Greater => {
                            return Err(CborError::UnsortedKeys { offset: k_start });
                        }
                    }
                }
                prev = Some((k_start, k_end));
                p = item(b, k_end, depth + 1)?;
            }
            Ok(p)
        }
        6 => item(b, p, depth + 1),
        _ => {
            // major 7 with ai < 24: simple values 20..=22 are false/true/null.
            match arg {
                20..=22 => Ok(p),
                v => Err(CborError::Simple {
                    offset: off,
                    value: v as u8,
                }),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_errors_keep_their_message_and_drop_only_the_position() {
        assert_eq!(
            without_position(
                "decode error at position 47: unsupported version 2",
                Some(47)
            ),
            "decode error: unsupported version 2"
        );
        assert_eq!(
            without_position(
                "decode error at position 6: character 'Q' at position 0 is not allowed",
                Some(6)
            ),
            "decode error: character 'Q' at position 0 is not allowed"
        );
        assert_eq!(
            without_position("end of input bytes at position 3", Some(3)),
            "end of input bytes"
        );
        assert_eq!(without_position("decode error: x", None), "decode error: x");
    }

    fn h(s: &str) -> Vec<u8> {
        hex::decode(s).unwrap()
    }

    #[test]
    fn accepts_deterministic() {
        for s in [
            "00",
            "17",
            "1818",
            "190100",
            "a201020304",
            "826161f6",
            "c0f4",
            "40",
            "60",
        ] {
            check_deterministic(&h(s)).unwrap_or_else(|e| panic!("{s}: {e}"));
        }
    }

    #[test]
    fn rejects_each_non_canonical_form() {
        let cases: &[(&str, CborError)] = &[
            ("1817", CborError::NonMinimal { offset: 0 }),
            ("190017", CborError::NonMinimal { offset: 0 }),
            ("820019000a", CborError::NonMinimal { offset: 2 }),
            ("9f01ff", CborError::IndefiniteLength { offset: 0 }),
            ("f93c00", CborError::Float { offset: 0 }),
            ("fb3ff0000000000000", CborError::Float { offset: 0 }),
            ("a203040102", CborError::UnsortedKeys { offset: 3 }),
            ("a201020103", CborError::DuplicateKey { offset: 3 }),
            ("6180", CborError::InvalidUtf8 { offset: 0 }),
            (
                "0000",
                CborError::TrailingBytes {
                    offset: 1,
                    count: 1,
                },
            ),
            ("8201", CborError::Truncated { offset: 2 }),
            ("19", CborError::Truncated { offset: 0 }),
            (
                "f7",
                CborError::Simple {
                    offset: 0,
                    value: 23,
                },
            ),
            ("1c", CborError::Reserved { offset: 0 }),
            ("ff", CborError::Reserved { offset: 0 }),
        ];
        for (s, want) in cases {
            assert_eq!(check_deterministic(&h(s)).unwrap_err(), *want, "{s}");
        }
    }

    #[test]
    fn map_keys_sorted_by_encoded_bytes_not_value() {
        // 10 (0x0a) sorts before 100 (0x1864) and before -1 (0x20).
        check_deterministic(&h("a30a001864002000")).unwrap();
        assert_eq!(
            check_deterministic(&h("a320001864000a00")),
            Err(CborError::UnsortedKeys { offset: 3 })
        );
    }

    #[test]
    fn too_deep_rejected() {
        let mut v = vec![0x81u8; MAX_DEPTH + 2];
        v.push(0);
        assert!(matches!(
            check_deterministic(&v),
            Err(CborError::TooDeep { .. })
        ));
    }

    #[test]
    fn decode_canonical_rejects_unknown_fields() {
        #[derive(Encode, Decode, Debug, PartialEq)]
        #[cbor(map)]
        struct T {
            #[n(0)]
            a: u32,
        }
        let ok: T = decode_canonical(&h("a10005")).unwrap();
        assert_eq!(ok, T { a: 5 });
        assert!(matches!(
            decode_canonical::<T>(&h("a200050101")),
            Err(CborError::NotCanonical { offset: 0 })
        ));
        assert!(matches!(
            decode_canonical::<T>(&h("a10061")),
            Err(CborError::Truncated { .. })
        ));
        assert!(matches!(
            decode_canonical::<T>(&h("a1006161")),
            Err(CborError::Decode { offset: 2, .. })
        ));
    }
}

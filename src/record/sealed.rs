//! Sealed fields: salted commitments in the signed payload, disclosures kept apart.
//!
//! Owns: the commitment function, the disclosure encoding, and field paths.
//!
//! A sealed field holds personal or confidential data. The signed payload carries only
//! `commitment = BLAKE3-derive_key(COMMITMENT_CONTEXT, disclosure)` where `disclosure` is the
//! deterministic CBOR array `[salt (16 random bytes), path, value]`. The disclosure is stored
//! apart from the log and can be erased without touching the signed record; holding it, anyone
//! can check it against the record ([`Disclosure::commitment`]). The 128-bit salt makes
//! low-entropy values (phone numbers, IPv4 addresses, hash-list entries) unrecoverable from
//! the commitment. Values are committed exactly as given: text must already satisfy the
//! identifier or free-text rules of [`super::text`]; nothing is normalised here.

use minicbor::{Decode, Decoder, Encode, Encoder};

use super::text::{TextError, check_free_text, check_identifier};
use crate::cbor::{self, CborError};

/// BLAKE3 `derive_key` context for sealed-field commitments (docs/FORMAT.md §Sealed fields).
pub const COMMITMENT_CONTEXT: &str = "logseal 2026-11-23 sealed-field commitment v1";
/// Salt length in bytes.
pub const SALT_LEN: usize = 16;
/// Longest field path.
pub const MAX_PATH_LEN: usize = 8;
/// Most elements in a sealed list value.
pub const MAX_LIST_LEN: usize = 100_000;

/// A 32-byte commitment.
pub type Commitment = [u8; 32];

/// One step of a field path: a field name (`[a-z0-9_]+`) or an array index.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PathElem {
    Name(String),
    Index(u64),
}

/// A field path from the record body, e.g. `actor.user` or `recipients.0`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FieldPath(pub Vec<PathElem>);

impl FieldPath {
    /// Parse the dotted form: names and decimal indices, e.g. `recipients.0.address`.
    pub fn parse(s: &str) -> Result<Self, SealError> {
        let mut elems = Vec::new();
        for part in s.split('.') {
            if !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()) {
                if part.len() > 1 && part.starts_with('0') {
                    return Err(SealError::BadPath {
                        path: s.to_string(),
                    });
                }
                let i = part.parse().map_err(|_| SealError::BadPath {
                    path: s.to_string(),
                })?;
                elems.push(PathElem::Index(i));
            } else if valid_name(part) {
                elems.push(PathElem::Name(part.to_string()));
            } else {
                return Err(SealError::BadPath {
                    path: s.to_string(),
                });
            }
        }
        let p = FieldPath(elems);
        p.check()?;
        Ok(p)
    }

    fn check(&self) -> Result<(), SealError> {
        let ok = !self.0.is_empty()
            && self.0.len() <= MAX_PATH_LEN
            && matches!(self.0[0], PathElem::Name(_))
            && self.0.iter().all(|e| match e {
                PathElem::Name(n) => valid_name(n),
                PathElem::Index(_) => true,
            });
        if ok {
            Ok(())
        } else {
            Err(SealError::BadPath {
                path: self.to_string(),
            })
        }
    }

    /// The CBOR encoding of the path, the key of the payload's `sealed` map.
    pub fn to_cbor(&self) -> Vec<u8> {
        cbor::to_vec(self)
    }
}

fn valid_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && !s.as_bytes()[0].is_ascii_digit()
}

impl std::fmt::Display for FieldPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            match e {
                PathElem::Name(n) => f.write_str(n)?,
                PathElem::Index(x) => write!(f, "{x}")?,
            }
        }
        Ok(())
    }
}

impl<C> Encode<C> for FieldPath {
    fn encode<W: minicbor::encode::Write>(
        &self,
        e: &mut Encoder<W>,
        _: &mut C,
    ) -> Result<(), minicbor::encode::Error<W::Error>> {
        e.array(self.0.len() as u64)?;
        for el in &self.0 {
            match el {
                PathElem::Name(n) => e.str(n)?,
                PathElem::Index(i) => e.u64(*i)?,
            };
        }
        Ok(())
    }
}

impl<'b, C> Decode<'b, C> for FieldPath {
    fn decode(d: &mut Decoder<'b>, _: &mut C) -> Result<Self, minicbor::decode::Error> {
        let at = d.position();
        let n = d
            .array()?
            .ok_or_else(|| minicbor::decode::Error::message("indefinite path").at(at))?;
        if n == 0 || n > MAX_PATH_LEN as u64 {
            return Err(minicbor::decode::Error::message(format!(
                "field path must have 1 to {MAX_PATH_LEN} elements, found {n} (rule sealed.path-form)"
            ))
            .at(at));
        }
        let mut elems = Vec::with_capacity(n as usize);
        for _ in 0..n {
            match d.datatype()? {
                minicbor::data::Type::String => elems.push(PathElem::Name(d.str()?.to_string())),
                _ => elems.push(PathElem::Index(d.u64()?)),
            }
        }
        let p = FieldPath(elems);
        p.check()
            .map_err(|e| minicbor::decode::Error::message(e.to_string()).at(at))?;
        Ok(p)
    }
}

/// A sealed value: text, bytes, an unsigned integer, or a list of those.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SealedValue {
    Text(String),
    Bytes(Vec<u8>),
    Uint(u64),
    List(Vec<SealedValue>),
}

impl SealedValue {
    /// Check text values against the rules of `class` (lists element-wise).
    pub fn check(&self, class: ValueClass) -> Result<(), SealError> {
        let text_err = |e: TextError| SealError::BadValue {
            reason: e.to_string(),
        };
        match (class, self) {
            (ValueClass::Identifier, SealedValue::Text(s)) => check_identifier(s).map_err(text_err),
            (ValueClass::FreeText, SealedValue::Text(s)) => check_free_text(s).map_err(text_err),
            (ValueClass::Bytes, SealedValue::Bytes(_)) => Ok(()),
            (ValueClass::IdentifierList, SealedValue::List(items)) => {
                if items.len() > MAX_LIST_LEN {
                    return Err(SealError::BadValue {
                        reason: format!(
                            "list of {} items exceeds {MAX_LIST_LEN} (rule sealed.list-length)",
                            items.len()
                        ),
                    });
                }
                for (i, v) in items.iter().enumerate() {
                    match v {
                        SealedValue::Text(s) => {
                            check_identifier(s).map_err(|e| SealError::BadValue {
                                reason: format!("item {i}: {e}"),
                            })?
                        }
                        _ => {
                            return Err(SealError::BadValue {
                                reason: format!(
                                    "item {i}: expected text (rule sealed.value-class)"
                                ),
                            });
                        }
                    }
                }
                Ok(())
            }
            (class, v) => Err(SealError::BadValue {
                reason: format!(
                    "expected {}, found {} (rule sealed.value-class)",
                    class.name(),
                    v.type_name()
                ),
            }),
        }
    }

    fn type_name(&self) -> &'static str {
        match self {
            SealedValue::Text(_) => "text",
            SealedValue::Bytes(_) => "bytes",
            SealedValue::Uint(_) => "an integer",
            SealedValue::List(_) => "a list",
        }
    }
}

impl<C> Encode<C> for SealedValue {
    fn encode<W: minicbor::encode::Write>(
        &self,
        e: &mut Encoder<W>,
        c: &mut C,
    ) -> Result<(), minicbor::encode::Error<W::Error>> {
        match self {
            SealedValue::Text(s) => {
                e.str(s)?;
            }
            SealedValue::Bytes(b) => {
                e.bytes(b)?;
            }
            SealedValue::Uint(u) => {
                e.u64(*u)?;
            }
            SealedValue::List(items) => {
                e.array(items.len() as u64)?;
                for i in items {
                    i.encode(e, c)?;
                }
            }
        }
        Ok(())
    }
}

impl<'b, C> Decode<'b, C> for SealedValue {
    fn decode(d: &mut Decoder<'b>, _: &mut C) -> Result<Self, minicbor::decode::Error> {
        decode_value(d, true)
    }
}

fn decode_value(
    d: &mut Decoder<'_>,
    allow_list: bool,
) -> Result<SealedValue, minicbor::decode::Error> {
    use minicbor::data::Type;
    let at = d.position();
    Ok(match d.datatype()? {
        Type::String => SealedValue::Text(d.str()?.to_string()),
        Type::Bytes => SealedValue::Bytes(d.bytes()?.to_vec()),
        Type::U8 | Type::U16 | Type::U32 | Type::U64 => SealedValue::Uint(d.u64()?),
        Type::Array if allow_list => {
            let n = d
                .array()?
                .ok_or_else(|| minicbor::decode::Error::message("indefinite list").at(at))?;
            if n > MAX_LIST_LEN as u64 {
                return Err(minicbor::decode::Error::message(format!(
                    "sealed list longer than {MAX_LIST_LEN} items (rule sealed.list-length)"
                ))
                .at(at));
            }
            let mut v = Vec::with_capacity(n as usize);
            for _ in 0..n {
                v.push(decode_value(d, false)?);
            }
            SealedValue::List(v)
        }
        t => {
            return Err(minicbor::decode::Error::message(format!(
                "a sealed value must be text, bytes, an unsigned integer or a list of those, \
                 found {t} (rule sealed.value-class)"
            ))
            .at(at));
        }
    })
}

/// What kind of value a sealed field takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueClass {
    /// An identifier (NFC, no controls or bidi characters, bounded).
    Identifier,
    /// Bounded free text.
    FreeText,
    /// Raw bytes (digests, hash values).
    Bytes,
    /// A list of identifiers (e.g. the subscriber ids of an upload).
    IdentifierList,
}

impl ValueClass {
    pub fn name(self) -> &'static str {
        match self {
            ValueClass::Identifier => "an identifier",
            ValueClass::FreeText => "free text",
            ValueClass::Bytes => "bytes",
            ValueClass::IdentifierList => "a list of identifiers",
        }
    }
}

/// A disclosure: what opens one commitment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disclosure {
    pub salt: [u8; SALT_LEN],
    pub path: FieldPath,
    pub value: SealedValue,
}

impl<C> Encode<C> for Disclosure {
    fn encode<W: minicbor::encode::Write>(
        &self,
        e: &mut Encoder<W>,
        c: &mut C,
    ) -> Result<(), minicbor::encode::Error<W::Error>> {
        e.array(3)?.bytes(&self.salt)?;
        self.path.encode(e, c)?;
        self.value.encode(e, c)
    }
}

impl<'b, C> Decode<'b, C> for Disclosure {
    fn decode(d: &mut Decoder<'b>, c: &mut C) -> Result<Self, minicbor::decode::Error> {
        let at = d.position();
        if d.array()? != Some(3) {
            return Err(minicbor::decode::Error::message(
                "a disclosure is an array of 3: [salt, path, value]",
            )
            .at(at));
        }
        let at = d.position();
        let salt: [u8; SALT_LEN] = d.bytes()?.try_into().map_err(|_| {
            minicbor::decode::Error::message(format!("salt must be {SALT_LEN} bytes")).at(at)
        })?;
        let path = FieldPath::decode(d, c)?;
        let value = SealedValue::decode(d, c)?;
        Ok(Disclosure { salt, path, value })
    }
}

impl Disclosure {
    /// Seal `value` at `path` with `salt`.
    pub fn new(salt: [u8; SALT_LEN], path: FieldPath, value: SealedValue) -> Self {
        Disclosure { salt, path, value }
    }

    /// The deterministic CBOR encoding `[salt, path, value]`.
    pub fn to_bytes(&self) -> Vec<u8> {
        cbor::to_vec(self)
    }

    /// Strictly decode a disclosure (deterministic CBOR, nothing trailing).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, CborError> {
        cbor::decode_canonical(bytes)
    }

    /// `BLAKE3-derive_key(COMMITMENT_CONTEXT, [salt, path, value])`.
    pub fn commitment(&self) -> Commitment {
        blake3::derive_key(COMMITMENT_CONTEXT, &self.to_bytes())
    }
}

/// Why sealing or opening failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SealError {
    #[error(
        "bad field path {path:?}: names are [a-z0-9_]+ starting with a letter, indices decimal, 1 to {MAX_PATH_LEN} elements, starting with a name (rule sealed.path-form)"
    )]
    BadPath { path: String },
    #[error("bad sealed value: {reason}")]
    BadValue { reason: String },
    #[error("no sealed field {path} in this record")]
    NoSuchField { path: FieldPath },
    #[error(
        "disclosure for {path} does not match its commitment (expected {expected}, computed {computed})"
    )]
    Mismatch {
        path: FieldPath,
        expected: String,
        computed: String,
    },
}

impl SealError {
    /// A stable kebab-case code for the variant, named by test vectors and reports
    /// (docs/FORMAT.md §Rejection codes). Never changes once published.
    pub fn code(&self) -> &'static str {
        match self {
            SealError::BadPath { .. } => "sealed-bad-path",
            SealError::BadValue { .. } => "sealed-bad-value",
            SealError::NoSuchField { .. } => "sealed-no-such-field",
            SealError::Mismatch { .. } => "sealed-mismatch",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_parse_and_print() {
        let p = FieldPath::parse("recipients.0.address").unwrap();
        assert_eq!(
            p.0,
            vec![
                PathElem::Name("recipients".into()),
                PathElem::Index(0),
                PathElem::Name("address".into())
            ]
        );
        assert_eq!(p.to_string(), "recipients.0.address");
        for bad in ["", "0", "a..b", "A", "a.01", "a.b-c"] {
            assert!(FieldPath::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn disclosure_roundtrip_and_commitment_binds_everything() {
        let d = Disclosure::new(
            [1; 16],
            FieldPath::parse("subject").unwrap(),
            SealedValue::Text("+31 6 1234 5678".into()),
        );
        let bytes = d.to_bytes();
        assert_eq!(Disclosure::from_bytes(&bytes).unwrap(), d);
        let c = d.commitment();
        let mut other = d.clone();
        other.salt[0] ^= 1;
        assert_ne!(other.commitment(), c);
        let mut other = d.clone();
        other.path = FieldPath::parse("query").unwrap();
        assert_ne!(other.commitment(), c);
        let mut other = d.clone();
        other.value = SealedValue::Text("+31 6 1234 5679".into());
        assert_ne!(other.commitment(), c);
    }

    #[test]
    fn value_classes() {
        assert!(
            SealedValue::Text("Zoë".into())
                .check(ValueClass::Identifier)
                .is_ok()
        );
        assert!(
            SealedValue::Text("Zoe\u{308}".into())
                .check(ValueClass::Identifier)
                .is_err()
        );
        assert!(
            SealedValue::Bytes(vec![1])
                .check(ValueClass::Identifier)
                .is_err()
        );
        assert!(
            SealedValue::List(vec![SealedValue::Text("a".into())])
                .check(ValueClass::IdentifierList)
                .is_ok()
        );
    }
}

//! Record kinds: one module per kind, each a typed body mirroring `schemas/<kind>.cddl`.
//!
//! Owns: the list of kinds with their stable numeric codes, the [`Body`] enum, and each
//! kind's sealed-field table. A body holds only *public* fields (enumerations, counts, codes,
//! pseudonymous ids); personal and confidential fields live in the envelope's `sealed` map as
//! commitments, at the paths the kind's [`KindBody::SEALED`] table allows.
//!
//! Also owns the list rules the kinds share (`unique`, `bounded`, `non_empty`, rule
//! references `id@version`) and [`samples`]: one realistic JSON record per kind, used by the
//! tests here and by `tests/schemas.rs`, which validates them against `schemas/*.cddl`.

use minicbor::{Decode, Encode};

use super::rules::Violation;
use super::sealed::{FieldPath, PathElem, ValueClass};

pub mod access_justification;
pub mod account_sanction;
pub mod appeal;
pub mod appeal_decision;
pub mod authorisation;
pub mod case_status;
pub mod data_access;
pub mod key_registration;
pub mod key_revocation;
pub mod legal_hold;
pub mod notification;
pub mod obligation_policy;
pub mod policy_publication;
pub mod producer_heartbeat;
pub mod producer_reset;
pub mod retention_deletion;
pub mod retention_policy;
pub mod retention_review;
mod samples;

pub use access_justification::AccessJustification;
pub use account_sanction::AccountSanction;
pub use appeal::Appeal;
pub use appeal_decision::AppealDecision;
pub use authorisation::Authorisation;
pub use case_status::CaseStatus;
pub use data_access::DataAccess;
pub use key_registration::KeyRegistration;
pub use key_revocation::KeyRevocation;
pub use legal_hold::LegalHold;
pub use notification::Notification;
pub use obligation_policy::ObligationPolicy;
pub use policy_publication::PolicyPublication;
pub use producer_heartbeat::ProducerHeartbeat;
pub use producer_reset::ProducerReset;
pub use retention_deletion::RetentionDeletion;
pub use retention_policy::RetentionPolicy;
pub use retention_review::RetentionReview;
pub use samples::samples;

/// One step of a sealed-field path pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seg {
    /// A field name.
    Name(&'static str),
    /// Any array index.
    AnyIndex,
}

/// A sealed field a kind may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SealedSpec {
    pub path: &'static [Seg],
    pub class: ValueClass,
    /// Whether every record of the kind must carry it.
    pub required: bool,
    /// What it holds, for people (record show, docs).
    pub doc: &'static str,
}

impl SealedSpec {
    /// Whether a concrete path matches this pattern.
    pub fn matches(&self, path: &FieldPath) -> bool {
        self.path.len() == path.0.len()
            && self.path.iter().zip(&path.0).all(|(s, e)| match (s, e) {
                (Seg::Name(a), PathElem::Name(b)) => *a == b,
                (Seg::AnyIndex, PathElem::Index(_)) => true,
                _ => false,
            })
    }

    /// The pattern in dotted form, `*` for any index.
    pub fn pattern(&self) -> String {
        self.path
            .iter()
            .map(|s| match s {
                Seg::Name(n) => *n,
                Seg::AnyIndex => "*",
            })
            .collect::<Vec<_>>()
            .join(".")
    }
}

/// A record kind's public body.
pub trait KindBody:
    Encode<()> + for<'b> Decode<'b, ()> + serde::Serialize + serde::de::DeserializeOwned + Clone
{
    const KIND: Kind;
    /// The sealed fields this kind may carry.
    const SEALED: &'static [SealedSpec];
    /// Checks that the types cannot express (cross-field rules); `Err` names the field and
    /// the rule of [`super::rules::RULES`] it breaks.
    fn validate(&self) -> Result<(), Violation> {
        Ok(())
    }
}

macro_rules! kinds {
    ($($variant:ident = $code:literal, $name:literal, $ty:ty;)*) => {
        /// The record kinds and their stable codes (CBOR key 1 of the payload).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[non_exhaustive]
        pub enum Kind {
            $($variant = $code,)*
        }

        impl Kind {
            pub const ALL: &'static [Kind] = &[$(Kind::$variant),*];

            pub fn code(self) -> u64 {
                self as u64
            }

            pub fn from_code(code: u64) -> Option<Kind> {
                match code {
                    $($code => Some(Kind::$variant),)*
                    _ => None,
                }
            }

            /// The kind's name, as in `schemas/<name>.cddl`.
            pub fn name(self) -> &'static str {
                match self {
                    $(Kind::$variant => $name,)*
                }
            }

            pub fn from_name(name: &str) -> Option<Kind> {
                match name {
                    $($name => Some(Kind::$variant),)*
                    _ => None,
                }
            }

            /// The sealed fields this kind may carry.
            pub fn sealed_specs(self) -> &'static [SealedSpec] {
                match self {
                    $(Kind::$variant => <$ty as KindBody>::SEALED,)*
                }
            }
        }

        /// A record body: one variant per kind.
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum Body {
            $($variant($ty),)*
        }

        impl Body {
            pub fn kind(&self) -> Kind {
                match self {
                    $(Body::$variant(_) => Kind::$variant,)*
                }
            }

            pub(crate) fn encode_into<W: minicbor::encode::Write>(
                &self,
                e: &mut minicbor::Encoder<W>,
            ) -> Result<(), minicbor::encode::Error<W::Error>> {
                match self {
                    $(Body::$variant(b) => e.encode(b)?,)*
                };
                Ok(())
            }

            pub(crate) fn decode_as(
                kind: Kind,
                d: &mut minicbor::Decoder<'_>,
            ) -> Result<Body, minicbor::decode::Error> {
                Ok(match kind {
                    $(Kind::$variant => Body::$variant(d.decode()?),)*
                })
            }

            /// Build a body of `kind` from its JSON form (public fields only).
            pub fn from_json(
                kind: Kind,
                value: serde_json::Value,
            ) -> Result<Body, String> {
                fn de<T: serde::de::DeserializeOwned>(v: serde_json::Value) -> Result<T, String> {
                    serde_path_to_error::deserialize(v).map_err(|e| {
                        let path = e.path().to_string();
                        format!("at {}: {}", if path == "." { "the top level".into() } else { path }, e.inner())
                    })
                }
                Ok(match kind {
                    $(Kind::$variant => Body::$variant(de(value)?),)*
                })
            }

            /// The body's JSON form.
            pub fn to_json(&self) -> serde_json::Value {
                match self {
                    $(Body::$variant(b) => serde_json::to_value(b).expect("bodies serialise"),)*
                }
            }

            pub fn validate(&self) -> Result<(), Violation> {
                match self {
                    $(Body::$variant(b) => b.validate(),)*
                }
            }
        }

        $(
            impl From<$ty> for Body {
                fn from(b: $ty) -> Body {
                    Body::$variant(b)
                }
            }
        )*
    };
}

kinds! {
    DataAccess = 1, "data-access", DataAccess;
    AccountSanction = 2, "account-sanction", AccountSanction;
    Notification = 3, "notification", Notification;
    Appeal = 4, "appeal", Appeal;
    AppealDecision = 5, "appeal-decision", AppealDecision;
    RetentionPolicy = 6, "retention-policy", RetentionPolicy;
    RetentionDeletion = 7, "retention-deletion", RetentionDeletion;
    RetentionReview = 8, "retention-review", RetentionReview;
    LegalHold = 9, "legal-hold", LegalHold;
    CaseStatus = 10, "case-status", CaseStatus;
    Authorisation = 11, "authorisation", Authorisation;
    KeyRegistration = 12, "key-registration", KeyRegistration;
    KeyRevocation = 13, "key-revocation", KeyRevocation;
    ProducerReset = 14, "producer-reset", ProducerReset;
    PolicyPublication = 15, "policy-publication", PolicyPublication;
    ProducerHeartbeat = 16, "producer-heartbeat", ProducerHeartbeat;
    ObligationPolicy = 17, "obligation-policy", ObligationPolicy;
    AccessJustification = 18, "access-justification", AccessJustification;
}

/// Most entries in a list of codes (services, territories, categories, legal bases, kinds).
pub const MAX_CODES: usize = 64;
/// Most records a scope (legal hold, case status) names explicitly.
pub const MAX_SCOPE: usize = 512;

/// `Err("<field>.<i>: … is listed twice")` under `rule` for the first repeated entry.
pub(crate) fn unique<T: PartialEq + std::fmt::Debug>(
    rule: &'static str,
    field: &str,
    items: &[T],
) -> Result<(), Violation> {
    for (i, x) in items.iter().enumerate() {
        if items[..i].contains(x) {
            return Err(Violation::new(
                rule,
                format!("{field}.{i}: {x:?} is listed twice"),
            ));
        }
    }
    Ok(())
}

/// `Err("<field>: … more than the limit")` under `rule` when the list is longer than `max`.
pub(crate) fn bounded<T>(
    rule: &'static str,
    field: &str,
    items: &[T],
    max: usize,
) -> Result<(), Violation> {
    if items.len() > max {
        return Err(Violation::new(
            rule,
            format!(
                "{field}: {} entries, more than the limit of {max}",
                items.len()
            ),
        ));
    }
    Ok(())
}

/// `Err("<field>: must not be empty")` under `rule` for an empty list.
pub(crate) fn non_empty<T>(rule: &'static str, field: &str, items: &[T]) -> Result<(), Violation> {
    if items.is_empty() {
        return Err(Violation::new(rule, format!("{field}: must not be empty")));
    }
    Ok(())
}

/// An ISO 3166-1 alpha-2 code: two ASCII capital letters.
pub(crate) fn is_alpha2(s: &str) -> bool {
    s.len() == 2 && s.bytes().all(|b| b.is_ascii_uppercase())
}

/// Whether `s` is a retention-rule reference `id@version`: exactly one `@`, both sides
/// non-empty (as in the envelope's `retention_rule`).
pub(crate) fn is_rule_ref(s: &str) -> bool {
    matches!(s.split_once('@'), Some((id, v)) if !id.is_empty() && !v.is_empty() && !v.contains('@'))
}

/// Check a retention-rule reference `id@version` under `rule`.
pub(crate) fn check_rule_ref(rule: &'static str, field: &str, s: &str) -> Result<(), Violation> {
    if is_rule_ref(s) {
        Ok(())
    } else {
        Err(Violation::new(
            rule,
            format!("{field}: {s:?} is not of the form id@version"),
        ))
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl<C> Encode<C> for Kind {
    fn encode<W: minicbor::encode::Write>(
        &self,
        e: &mut minicbor::Encoder<W>,
        _: &mut C,
    ) -> Result<(), minicbor::encode::Error<W::Error>> {
        e.u64(self.code())?;
        Ok(())
    }
}

impl<'b, C> Decode<'b, C> for Kind {
    fn decode(d: &mut minicbor::Decoder<'b>, _: &mut C) -> Result<Self, minicbor::decode::Error> {
        let at = d.position();
        let code = d.u64()?;
        Kind::from_code(code).ok_or_else(|| {
            minicbor::decode::Error::message(format!(
                "unknown record kind {code} (rule enum.closed)"
            ))
            .at(at)
        })
    }
}

impl serde::Serialize for Kind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> serde::Deserialize<'de> for Kind {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Kind::from_name(&s).ok_or_else(|| {
            serde::de::Error::custom(format!("unknown record kind {s:?} (rule enum.closed)"))
        })
    }
}

/// Define a closed enumeration encoded as an unsigned integer in CBOR and as a kebab-case
/// (or given) string in JSON.
#[macro_export]
macro_rules! closed_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $code:literal, $text:literal;)* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name {
            $($(#[$vdoc])* $variant = $code,)*
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            pub fn code(self) -> u64 {
                self as u64
            }

            pub fn from_code(code: u64) -> Option<Self> {
                match code {
                    $($code => Some($name::$variant),)*
                    _ => None,
                }
            }

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)*
                }
            }

            pub fn from_str_exact(s: &str) -> Option<Self> {
                match s {
                    $($text => Some($name::$variant),)*
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl<C> minicbor::Encode<C> for $name {
            fn encode<W: minicbor::encode::Write>(
                &self,
                e: &mut minicbor::Encoder<W>,
                _: &mut C,
            ) -> Result<(), minicbor::encode::Error<W::Error>> {
                e.u64(self.code())?;
                Ok(())
            }
        }

        impl<'b, C> minicbor::Decode<'b, C> for $name {
            fn decode(
                d: &mut minicbor::Decoder<'b>,
                _: &mut C,
            ) -> Result<Self, minicbor::decode::Error> {
                let at = d.position();
                let code = d.u64()?;
                $name::from_code(code).ok_or_else(|| {
                    minicbor::decode::Error::message(format!(
                        concat!("unknown ", stringify!($name), " code {} (rule enum.closed)"),
                        code
                    ))
                    .at(at)
                })
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                $name::from_str_exact(&s).ok_or_else(|| {
                    serde::de::Error::custom(format!(
                        "unknown {} {:?}; expected one of: {} (rule enum.closed)",
                        stringify!($name),
                        s,
                        [$($text),*].join(", ")
                    ))
                })
            }
        }
    };
}

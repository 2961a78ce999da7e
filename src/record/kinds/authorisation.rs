//! `authorisation`: the authorisation registry grants or revokes an official's
//! authorisation to query personal data. Schema: `schemas/authorisation.cddl`.
//!
//! Legal source (shared/record-fields.md, "authorisation"; LED Art 25 "who consulted",
//! NEN 7513 user and role): a grant names a pseudonymous authorisation id, the role, the
//! legal bases it covers (e.g. Dutch Sv art 126n, 126na, 126u, 126ua) and its validity;
//! data-access records name the same id in `actor.authorisation_id`, so the verifier's
//! authorisation check (DESIGN.md check 6) runs without disclosures. The id is public; the
//! access code is never recorded. Sealed: the official's own user id and the reference of
//! the (ministerial) decision behind the grant.

use minicbor::{Decode, Encode};
use serde::{Deserialize, Serialize};

use super::{Kind, KindBody, MAX_CODES, SealedSpec, Seg, bounded, non_empty, unique};
use crate::closed_enum;
use crate::record::rules::Violation;
use crate::record::sealed::ValueClass;
use crate::record::text::Ident;
use crate::record::types::Timestamp;

closed_enum!(
    /// Whether the record grants or revokes.
    AuthorisationAction {
        Grant = 0, "grant";
        Revoke = 1, "revoke";
    }
);

/// The public body of an authorisation record.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
#[cbor(map)]
#[serde(deny_unknown_fields)]
pub struct Authorisation {
    #[n(0)]
    pub action: AuthorisationAction,
    /// The pseudonymous id data-access records name (`actor.authorisation_id`).
    #[n(1)]
    pub authorisation_id: Ident,
    #[n(2)]
    pub role: Ident,
    #[n(3)]
    pub organisation: Ident,
    /// The legal bases the authorisation covers (empty for a revocation).
    #[n(4)]
    pub legal_bases: Vec<Ident>,
    /// A grant: valid from; a revocation: the instant it takes effect.
    #[n(5)]
    pub valid_from: Timestamp,
    /// End of a grant's validity; absent = until revoked.
    #[n(6)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<Timestamp>,
}

const SEALED: &[SealedSpec] = &[
    SealedSpec {
        path: &[Seg::Name("official")],
        class: ValueClass::Identifier,
        required: true,
        doc: "the user id of the official the authorisation is for",
    },
    SealedSpec {
        path: &[Seg::Name("decision_ref")],
        class: ValueClass::Identifier,
        required: false,
        doc: "reference of the decision that granted or revoked the authorisation",
    },
];

impl KindBody for Authorisation {
    const KIND: Kind = Kind::Authorisation;
    const SEALED: &'static [SealedSpec] = SEALED;

    fn validate(&self) -> Result<(), Violation> {
        let rule = "authorisation.legal-bases-list";
        unique(rule, "legal_bases", &self.legal_bases)?;
        bounded(rule, "legal_bases", &self.legal_bases, MAX_CODES)?;
        match self.action {
            AuthorisationAction::Grant => {
                non_empty(
                    "authorisation.grant-needs-legal-basis",
                    "legal_bases",
                    &self.legal_bases,
                )?;
                if let Some(until) = self.valid_until
                    && until <= self.valid_from
                {
                    return Err(Violation::new(
                        "authorisation.valid-until-after-from",
                        format!(
                            "valid_until: {} is not after valid_from {}",
                            until.to_rfc3339(),
                            self.valid_from.to_rfc3339()
                        ),
                    ));
                }
            }
            AuthorisationAction::Revoke => {
                if !self.legal_bases.is_empty() {
                    return Err(Violation::new(
                        "authorisation.revoke-no-legal-bases",
                        "legal_bases: a revocation ends the whole authorisation; list none",
                    ));
                }
                if self.valid_until.is_some() {
                    return Err(Violation::new(
                        "authorisation.revoke-no-valid-until",
                        "valid_until: not for a revocation (valid_from is when it takes effect)",
                    ));
                }
            }
        }
        Ok(())
    }
}

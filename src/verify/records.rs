//! Check 3: every record decodes canonically and matches its kind's schema
//! ([`Record::decode`]), and is signed (strict Ed25519, this log's origin as external AAD)
//! by a key that the pinned registration authority registered for that producer and kind,
//! not revoked at that leaf index.
//!
//! Owns the verifier's key registry, rebuilt from the authority's own records as the log is
//! read: only records signed by the pinned authority key register, revoke or reset. A
//! registration signed by anyone else — the log operator included — registers nothing.
//! Bounded by the number of keys.

use std::collections::HashMap;

use crate::crypto::{KeyId, PublicKey};
use crate::record::kinds::Body;
use crate::record::types::Hash32;
use crate::record::{Kind, Record, RecordError};

use super::keys::{AuthorityKeys, replacement_key};
use super::report::{Check, Finding, Findings};
use super::state::KeyState;
use super::trust::Trust;

const C: Check = Check::Records;

#[derive(Debug, Clone)]
struct KeyInfo {
    producer: String,
    kinds: Vec<Kind>,
    registered_at: u64,
    revoked_at: Option<u64>,
}

/// The key registry as of the leaf being checked.
#[derive(Debug)]
pub(crate) struct Registry {
    authority: String,
    /// The authority's keys: the trust file's history and replacements by record (`keys`).
    authorities: AuthorityKeys,
    keys: HashMap<KeyId, KeyInfo>,
    /// Key material seen in any key-registration (for the parallel signature checks; whether
    /// the key is *valid* at a leaf is decided here, in order).
    material: HashMap<KeyId, PublicKey>,
}

/// Whether the record's kind may only be written by the registration authority.
pub(crate) fn is_authority_kind(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::KeyRegistration | Kind::KeyRevocation | Kind::ProducerReset
    )
}

impl Registry {
    pub fn new(trust: &Trust) -> Self {
        let authorities = AuthorityKeys::new(trust);
        let material = authorities.all().map(|k| (k.key_id(), *k)).collect();
        Registry {
            authority: trust.authority.to_string(),
            authorities,
            keys: HashMap::new(),
            material,
        }
    }

    /// The registry of a resume point (keys the authority registered; their material).
    /// A key whose stored public key or kind names do not parse is `Err` with its index.
    pub fn resume(trust: &Trust, keys: &[KeyState]) -> Result<Self, String> {
        let mut r = Registry::new(trust);
        for (i, k) in keys.iter().enumerate() {
            let key = PublicKey::from_bytes(&k.public_key.0)
                .map_err(|e| format!("resume.keys[{i}].public_key: {e}"))?;
            let kinds = k
                .kinds
                .iter()
                .map(|n| {
                    Kind::from_name(n)
                        .ok_or_else(|| format!("resume.keys[{i}].kinds: unknown kind {n:?}"))
                })
                .collect::<Result<Vec<_>, _>>()?;
            r.material.insert(key.key_id(), key);
            r.keys.insert(
                key.key_id(),
                KeyInfo {
                    producer: k.producer.clone(),
                    kinds,
                    registered_at: k.registered_at,
                    revoked_at: k.revoked_at,
                },
            );
        }
        let keys: Vec<_> = r
            .keys
            .iter()
            .filter_map(|(kid, i)| {
                let k = r.material.get(kid)?;
                Some((i.registered_at, *k, i.producer.as_str(), i.kinds.as_slice()))
            })
            .collect();
        let mut authorities = r.authorities.clone();
        authorities.resume(&keys, &r.authority);
        r.authorities = authorities;
        Ok(r)
    }

    /// The registered keys, for a resume point (sorted by registration leaf).
    pub fn to_state(&self) -> Vec<KeyState> {
        let mut v: Vec<KeyState> = self
            .keys
            .iter()
            .filter_map(|(kid, info)| {
                let key = self.material.get(kid)?;
                Some(KeyState {
                    public_key: Hash32(*key.as_bytes()),
                    producer: info.producer.clone(),
                    kinds: info.kinds.iter().map(|k| k.name().to_string()).collect(),
                    registered_at: info.registered_at,
                    revoked_at: info.revoked_at,
                })
            })
            .collect();
        v.sort_by_key(|k| (k.registered_at, k.public_key.0));
        v
    }

    /// Learn the key material of a key-registration (whoever signed it).
    pub fn learn_material(&mut self, rec: &Record) {
        if let Body::KeyRegistration(reg) = &rec.payload().body
            && let Ok(k) = PublicKey::from_bytes(&reg.public_key.0)
        {
            self.material.insert(k.key_id(), k);
        }
    }

    /// The public key a kid names, if any registration ever carried it.
    pub fn material(&self, kid: &KeyId) -> Option<&PublicKey> {
        self.material.get(kid)
    }

    /// Check one decoded record at `leaf`, given its signature check (`None`: no key material
    /// for its kid). Applies the effects of authentic authority records. Returns whether the
    /// record is authentic.
    pub fn check(
        &mut self,
        leaf: u64,
        rec: &Record,
        sig: Option<&Result<(), RecordError>>,
        origin: &str,
        out: &mut Findings,
    ) -> bool {
        let p = rec.payload();
        let kind = p.kind();
        let kid = *rec.kid();
        let at = |f: Finding| f.at(leaf).record(&p.producer, p.seq);
        let mut ok = true;
        let sig_finding = |e: &RecordError| {
            at(Finding::violated(
                C,
                "record-signature",
                format!(
                    "the signature does not verify for this log's origin {origin:?}: the record \
                     was altered, or signed for another log ({e})"
                ),
            ))
            .evidence("a valid Ed25519 signature (verify_strict)", e.code())
        };
        let authority_key = *self.authorities.key_at(leaf);
        if kid == authority_key.key_id() {
            if !is_authority_kind(kind) {
                out.push(at(Finding::violated(
                    C,
                    "record-authority-kind",
                    format!("the registration authority's key signed a {kind} record; it signs only key-registration, key-revocation and producer-reset"),
                ))
                .evidence("key-registration | key-revocation | producer-reset", kind));
                ok = false;
            }
            if p.producer.as_str() != self.authority {
                out.push(at(Finding::violated(
                    C,
                    "record-wrong-producer",
                    "a record signed by the registration authority's key names another producer",
                ))
                .evidence(&self.authority, &p.producer));
                ok = false;
            }
            match sig {
                Some(Ok(())) => {}
                Some(Err(e)) => {
                    out.push(sig_finding(e));
                    ok = false;
                }
                None => {
                    out.push(at(Finding::violated(
                        C,
                        "record-signature",
                        "the signature was not checked against the registration authority's key",
                    )));
                    ok = false;
                }
            }
            if ok {
                self.apply_authority(leaf, rec, out);
            }
            return ok;
        }
        if let Some(f) = self.authorities.out_of_range(&kid, leaf) {
            out.push(at(f));
            return false;
        }
        if is_authority_kind(kind) {
            out.push(at(Finding::violated(
                C,
                "record-not-authority",
                format!(
                    "a {kind} record not signed by the pinned registration authority {} (kid {}); \
                     it has no effect",
                    self.authority,
                    Hash32(kid)
                ),
            ))
            .evidence(format!("kid {}", Hash32(authority_key.key_id())), format!("kid {}", Hash32(kid))));
            ok = false;
        }
        let Some(info) = self.keys.get(&kid) else {
            if !is_authority_kind(kind) {
                out.push(
                    at(Finding::violated(
                        C,
                        "record-unregistered-key",
                        format!(
                            "signed by key {} which the registration authority had not registered \
                         at this leaf",
                            Hash32(kid)
                        ),
                    ))
                    .evidence(
                        "a key registered by the registration authority",
                        format!("kid {}", Hash32(kid)),
                    ),
                );
            }
            return false;
        };
        if info.producer != p.producer.as_str() {
            out.push(
                at(Finding::violated(
                    C,
                    "record-wrong-producer",
                    format!(
                        "key {} is registered (leaf {}) for producer {}, but the record names {}",
                        Hash32(kid),
                        info.registered_at,
                        info.producer,
                        p.producer
                    ),
                ))
                .evidence(&info.producer, &p.producer),
            );
            ok = false;
        }
        if !info.kinds.contains(&kind) {
            out.push(
                at(Finding::violated(
                    C,
                    "record-kind-not-allowed",
                    format!("key {} is not registered for {kind} records", Hash32(kid)),
                ))
                .evidence(
                    info.kinds
                        .iter()
                        .map(|k| k.name())
                        .collect::<Vec<_>>()
                        .join(", "),
                    kind,
                ),
            );
            ok = false;
        }
        if let Some(r) = info.revoked_at {
            out.push(
                at(Finding::violated(
                    C,
                    "record-key-revoked",
                    format!(
                        "signed by key {} of {} after its revocation at leaf {r}",
                        Hash32(kid),
                        info.producer
                    ),
                ))
                .evidence(format!("a leaf before {r}"), leaf),
            );
            ok = false;
        }
        match sig {
            Some(Ok(())) => {}
            Some(Err(e)) => {
                out.push(sig_finding(e));
                ok = false;
            }
            None => {
                out.push(at(Finding::violated(
                    C,
                    "record-signature",
                    "no key material for the record's kid",
                )));
                ok = false;
            }
        }
        ok
    }

    fn apply_authority(&mut self, leaf: u64, rec: &Record, out: &mut Findings) {
        let p = rec.payload();
        match &p.body {
            Body::KeyRegistration(reg) => {
                let Ok(key) = PublicKey::from_bytes(&reg.public_key.0) else {
                    return;
                };
                let kid = key.key_id();
                if let Some(existing) = self.keys.get(&kid) {
                    out.push(
                        Finding::violated(
                            C,
                            "record-duplicate-key",
                            format!(
                                "key {} is registered again (first at leaf {})",
                                Hash32(kid),
                                existing.registered_at
                            ),
                        )
                        .at(leaf)
                        .record(&p.producer, p.seq),
                    );
                    return;
                }
                self.keys.insert(
                    kid,
                    KeyInfo {
                        producer: reg.producer.to_string(),
                        kinds: reg.kinds.clone(),
                        registered_at: leaf,
                        revoked_at: None,
                    },
                );
                if let Some(k) = replacement_key(&p.body, &self.authority) {
                    self.authorities.replace(leaf, k);
                }
            }
            Body::KeyRevocation(rev) => {
                let kid = crate::crypto::key_id(&rev.public_key.0);
                match self.keys.get_mut(&kid) {
                    Some(info) if info.producer == rev.producer.as_str() => {
                        info.revoked_at.get_or_insert(leaf);
                    }
                    _ => out.push(
                        Finding::violated(
                            C,
                            "record-revoke-unknown",
                            format!(
                                "the revocation names key {} of {}, which is not registered",
                                Hash32(kid),
                                rev.producer
                            ),
                        )
                        .at(leaf)
                        .record(&p.producer, p.seq),
                    ),
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::note::Ed25519NoteKey;
    use crate::scenario::{self, AUTHORITY, ORIGIN, Scale};
    use crate::tree::TreeHashAlg;
    use crate::verify::trust::TrustFile;

    fn trust() -> Trust {
        let key = |name: &str| {
            Ed25519NoteKey::new(name, scenario::secret_key(name))
                .unwrap()
                .verifier()
                .to_vkey()
        };
        Trust::new(TrustFile {
            format: 1,
            origin: ORIGIN.into(),
            tree_hash: "sha256".into(),
            log_key: key(ORIGIN),
            registration_authority: key(AUTHORITY),
            authorisation_registry: "authorisation-registry".into(),
            authorisation_required: Vec::new(),
            witnesses: Vec::new(),
            witness_quorum: 0,
            max_logging_delay_secs: 86_400,
            max_logging_delay_overrides: Default::default(),
            retention_policy_authority: None,
            log_key_history: Vec::new(),
            registration_authority_history: Vec::new(),
        })
        .unwrap()
    }

    /// An authority record counts only when its signature was checked and verified.
    #[test]
    fn authority_record_without_a_signature_check_is_not_authentic() {
        let days = scenario::build(Scale::SMALL, TreeHashAlg::Sha256).unwrap();
        let reg = days[0]
            .records
            .iter()
            .map(|s| Record::decode(&s.item.record).unwrap())
            .find(|r| r.payload().kind() == Kind::KeyRegistration)
            .unwrap();
        let t = trust();
        let mut r = Registry::new(&t);
        let mut out = Findings::default();
        assert!(!r.check(0, &reg, None, ORIGIN, &mut out));
        assert!(r.keys.is_empty(), "nothing is registered");
        assert_eq!(out.violations_in(C), 1);
        let mut r = Registry::new(&t);
        let mut out = Findings::default();
        assert!(r.check(0, &reg, Some(&Ok(())), ORIGIN, &mut out));
        assert_eq!(r.keys.len(), 1);
        assert_eq!(out.violations_in(C), 0);
    }
}

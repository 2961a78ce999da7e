//! Check 3: every record decodes canonically and matches its kind's schema
//! ([`Record::decode`]), and is signed (strict Ed25519, this log's origin as external AAD)
//! by a key that the pinned registration authority registered for that producer and kind,
//! not revoked at that leaf index.
//!
//! The driver's gate ([`super::driver`]): it judges each decoded record before any unit sees
//! it, and its verdict (authentic or not) goes to every unit. Owns the verifier's key registry, rebuilt from the authority's own records as the log is
//! read: only records signed by the pinned authority key register, revoke or reset. A
//! registration signed by anyone else — the log operator included — registers nothing.
//! Bounded by the number of keys. Also owns the compromise window: a key revoked as
//! compromised since C taints its records before the revocation whose first known
//! checkpoint is not earlier than C, found by a second, read-only pass
//! ([`judge_compromised`]).

use std::collections::HashMap;

use crate::crypto::{KeyId, PublicKey};
use crate::record::kinds::Body;
use crate::record::kinds::key_registration::KeyRegistration;
use crate::record::kinds::key_revocation::{KeyRevocation, RevocationReason};
use crate::record::types::{Hash32, Timestamp};
use crate::record::{Kind, Payload, Record, RecordError};

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
    /// The registration's own time (`occurred_at`).
    registered_time: Option<Timestamp>,
    revoked_at: Option<u64>,
    /// Why, and when (the revocation's `occurred_at`), it was revoked.
    revoked_why: Option<(RevocationReason, Timestamp)>,
}

/// A key the authority revoked as compromised since `since`: its records before the
/// revocation's leaf that entered the log after `since` are judged by [`judge_compromised`].
#[derive(Debug, Clone)]
pub(crate) struct Compromise {
    pub key: PublicKey,
    pub producer: String,
    pub since: Timestamp,
    pub revoked_at: u64,
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
    /// Compromises revoked during this run, for [`judge_compromised`].
    compromises: Vec<Compromise>,
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
            compromises: Vec::new(),
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
                    registered_time: k.registered_time_ms.map(Timestamp),
                    revoked_at: k.revoked_at,
                    revoked_why: match (&k.revoked_reason, k.revoked_time_ms) {
                        (Some(r), Some(t)) => Some((
                            RevocationReason::from_str_exact(r).ok_or_else(|| {
                                format!("resume.keys[{i}].revoked_reason: unknown reason {r:?}")
                            })?,
                            Timestamp(t),
                        )),
                        _ => None,
                    },
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
                    registered_time_ms: info.registered_time.map(Timestamp::millis),
                    revoked_at: info.revoked_at,
                    revoked_reason: info.revoked_why.map(|(r, _)| r.as_str().to_string()),
                    revoked_time_ms: info.revoked_why.map(|(_, t)| t.millis()),
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

    /// A producer's life as the registry knows it: the time of its first key registration
    /// (`None` when a resume point from an older state did not keep it), and, when every key
    /// it had is revoked and the last revocation retired it, the time it was retired. `None`
    /// when no key was ever registered for it.
    pub fn producer_life(&self, producer: &str) -> Option<(Option<Timestamp>, Option<Timestamp>)> {
        let keys: Vec<&KeyInfo> = self
            .keys
            .values()
            .filter(|k| k.producer == producer)
            .collect();
        let first = keys.iter().filter_map(|k| k.registered_time).min();
        let last = keys
            .iter()
            .max_by_key(|k| k.revoked_at.unwrap_or(u64::MAX))?;
        let retired = match (
            keys.iter().all(|k| k.revoked_at.is_some()),
            last.revoked_why,
        ) {
            (true, Some((RevocationReason::Retired, t))) => Some(t),
            _ => None,
        };
        Some((first, retired))
    }

    /// The compromises revoked during this run.
    pub fn take_compromises(&mut self) -> Vec<Compromise> {
        std::mem::take(&mut self.compromises)
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
        let authority_key = *self.authorities.key_at(leaf);
        if kid == authority_key.key_id() {
            let ok = self.check_authority_signed(leaf, rec, sig, origin, out);
            if ok {
                self.apply_authority(leaf, rec, out);
            }
            return ok;
        }
        if let Some(f) = self.authorities.out_of_range(&kid, leaf) {
            out.push(at(f));
            return false;
        }
        let mut ok = true;
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
                out.push(at(unregistered(&kid)));
            }
            return false;
        };
        ok &= key_allows(info, &kid, leaf, rec, out);
        ok &= signature(
            leaf,
            rec,
            sig,
            origin,
            "no key material for the record's kid",
            out,
        );
        ok
    }

    /// A record signed by the registration authority's key at `leaf`: of an authority kind,
    /// naming the authority, its signature verified.
    fn check_authority_signed(
        &self,
        leaf: u64,
        rec: &Record,
        sig: Option<&Result<(), RecordError>>,
        origin: &str,
        out: &mut Findings,
    ) -> bool {
        let p = rec.payload();
        let kind = p.kind();
        let at = |f: Finding| f.at(leaf).record(&p.producer, p.seq);
        let mut ok = true;
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
            out.push(
                at(Finding::violated(
                    C,
                    "record-wrong-producer",
                    "a record signed by the registration authority's key names another producer",
                ))
                .evidence(&self.authority, &p.producer),
            );
            ok = false;
        }
        let none = "the signature was not checked against the registration authority's key";
        signature(leaf, rec, sig, origin, none, out) && ok
    }

    /// The effect of an authentic authority record: a key registered or revoked.
    fn apply_authority(&mut self, leaf: u64, rec: &Record, out: &mut Findings) {
        let p = rec.payload();
        match &p.body {
            Body::KeyRegistration(reg) => self.register(leaf, p, reg, out),
            Body::KeyRevocation(rev) => self.revoke(leaf, p, rev, out),
            _ => {}
        }
    }

    /// A key registration: a key registered once only; one for the authority replaces its
    /// key.
    fn register(&mut self, leaf: u64, p: &Payload, reg: &KeyRegistration, out: &mut Findings) {
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
                registered_time: Some(p.occurred_at),
                revoked_at: None,
                revoked_why: None,
            },
        );
        if let Some(k) = replacement_key(&p.body, &self.authority) {
            self.authorities.replace(leaf, k);
        }
    }

    /// A key revocation: the first one counts; one as compromised opens a compromise window
    /// for [`judge_compromised`].
    fn revoke(&mut self, leaf: u64, p: &Payload, rev: &KeyRevocation, out: &mut Findings) {
        let kid = crate::crypto::key_id(&rev.public_key.0);
        let Some(info) = self
            .keys
            .get_mut(&kid)
            .filter(|i| i.producer == rev.producer.as_str())
        else {
            out.push(
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
            );
            return;
        };
        if info.revoked_at.is_none() {
            info.revoked_at = Some(leaf);
            info.revoked_why = Some((rev.reason, p.occurred_at));
        }
        if let (Some(since), Some(key)) = (rev.compromised_since, self.material.get(&kid)) {
            self.compromises.push(Compromise {
                key: *key,
                producer: info.producer.clone(),
                since,
                revoked_at: info.revoked_at.unwrap_or(leaf),
            });
        }
    }
}

/// `record-unregistered-key`: signed by a key the authority had not registered.
fn unregistered(kid: &KeyId) -> Finding {
    Finding::violated(
        C,
        "record-unregistered-key",
        format!(
            "signed by key {} which the registration authority had not registered at this leaf",
            Hash32(*kid)
        ),
    )
    .evidence(
        "a key registered by the registration authority",
        format!("kid {}", Hash32(*kid)),
    )
}

/// Whether the registered key `info` (`kid`) may sign the record at `leaf`: registered for
/// its producer and kind, not revoked.
fn key_allows(info: &KeyInfo, kid: &KeyId, leaf: u64, rec: &Record, out: &mut Findings) -> bool {
    let p = rec.payload();
    let kind = p.kind();
    let at = |f: Finding| f.at(leaf).record(&p.producer, p.seq);
    let mut ok = true;
    if info.producer != p.producer.as_str() {
        let f = Finding::violated(
            C,
            "record-wrong-producer",
            format!(
                "key {} is registered (leaf {}) for producer {}, but the record names {}",
                Hash32(*kid),
                info.registered_at,
                info.producer,
                p.producer
            ),
        );
        out.push(at(f).evidence(&info.producer, &p.producer));
        ok = false;
    }
    if !info.kinds.contains(&kind) {
        let f = Finding::violated(
            C,
            "record-kind-not-allowed",
            format!("key {} is not registered for {kind} records", Hash32(*kid)),
        );
        let kinds: Vec<_> = info.kinds.iter().map(|k| k.name()).collect();
        out.push(at(f).evidence(kinds.join(", "), kind));
        ok = false;
    }
    if let Some(r) = info.revoked_at {
        let f = Finding::violated(
            C,
            "record-key-revoked",
            format!(
                "signed by key {} of {} after its revocation at leaf {r}",
                Hash32(*kid),
                info.producer
            ),
        );
        out.push(at(f).evidence(format!("a leaf before {r}"), leaf));
        ok = false;
    }
    ok
}

/// Whether the driver's signature check `sig` verified (`None`: not checked, for `none`).
fn signature(
    leaf: u64,
    rec: &Record,
    sig: Option<&Result<(), RecordError>>,
    origin: &str,
    none: &'static str,
    out: &mut Findings,
) -> bool {
    let p = rec.payload();
    let f = match sig {
        Some(Ok(())) => return true,
        Some(Err(e)) => Finding::violated(
            C,
            "record-signature",
            format!(
                "the signature does not verify for this log's origin {origin:?}: the record was \
                 altered, or signed for another log ({e})"
            ),
        )
        .evidence("a valid Ed25519 signature (verify_strict)", e.code()),
        None => Finding::violated(C, "record-signature", none),
    };
    out.push(f.at(leaf).record(&p.producer, p.seq));
    false
}

/// `record-malformed`: the entry at `leaf` does not decode strictly (it is not authentic).
pub(crate) fn malformed(leaf: u64, e: &RecordError) -> Finding {
    Finding::violated(
        C,
        "record-malformed",
        format!("the record does not decode strictly: {e}"),
    )
    .at(leaf)
    .evidence("a canonical record of a known kind", e.code())
}

/// What [`judge_compromised`] reads: the entries, and what the run knows about them.
pub(crate) struct CompromiseInput<'a> {
    pub reader: &'a crate::log::reader::LogReader<'a>,
    pub origin: &'a str,
    /// Known checkpoints (size, log time in seconds), ascending by size.
    pub checkpoints: &'a [(u64, u64)],
    /// Leaves from here on were not read (a missing bundle), or the tree's size.
    pub readable: u64,
    /// Whether the record at a leaf counts: read in this run (and then authentic in check 3),
    /// or proven to be in the verified tree (leaves before an incremental run's resume).
    pub counts: &'a dyn Fn(u64, &crate::tree::Hash) -> bool,
    pub leaf: &'a dyn Fn(&[u8]) -> crate::tree::Hash,
}

/// The log time (seconds) of the first known checkpoint that includes `leaf`.
fn first_including(checkpoints: &[(u64, u64)], leaf: u64) -> Option<(u64, u64)> {
    checkpoints.iter().find(|c| c.0 > leaf).copied()
}

/// The second, read-only pass for keys revoked as compromised: a record signed by such a
/// key at a leaf before its revocation is `record-key-compromised` when the first known
/// checkpoint that includes it is not earlier than `compromised_since` (it cannot be shown
/// to have entered the log before the key was in other hands; its own date, which the
/// thief chooses, does not count), and `record-key-compromised-undetermined` when no known
/// checkpoint with a log time includes it. Returns the leaves found compromised.
pub(crate) fn judge_compromised(
    input: &CompromiseInput<'_>,
    compromises: &[Compromise],
    out: &mut Findings,
) -> Vec<u64> {
    let mut bad = Vec::new();
    // Leaves under a checkpoint logged before a compromise entered the log before it.
    let start = |c: &Compromise| {
        input
            .checkpoints
            .iter()
            .filter(|k| k.1.saturating_mul(1000) < c.since.millis())
            .map(|k| k.0)
            .max()
            .unwrap_or(0)
    };
    let Some(from) = compromises.iter().map(start).min() else {
        return bad;
    };
    let to = compromises
        .iter()
        .map(|c| c.revoked_at)
        .max()
        .unwrap_or(0)
        .min(input.readable);
    let size = input.readable;
    for t in
        crate::tiles::tiles_at_level(0, size).skip((from >> crate::tiles::TILE_HEIGHT) as usize)
    {
        let Ok(b) = crate::tiles::EntryBundleId::new(t.index(), t.width()) else {
            continue;
        };
        let first = b.leaf_range().start;
        if first >= to {
            break;
        }
        let Ok(entries) = input.reader.bundle(b) else {
            continue;
        };
        for (k, e) in entries.iter().enumerate() {
            let leaf = first + k as u64;
            if leaf < from || leaf >= to {
                continue;
            }
            let Ok(rec) = Record::decode(e) else { continue };
            let Some(c) = compromises
                .iter()
                .find(|c| *rec.kid() == c.key.key_id() && leaf < c.revoked_at && leaf >= start(c))
            else {
                continue;
            };
            if rec.verify(&c.key, input.origin).is_err() || !(input.counts)(leaf, &(input.leaf)(e))
            {
                continue;
            }
            if let Some(f) = compromised(c, leaf, &rec, input.checkpoints) {
                if f.verdict == super::report::Verdict::Violated {
                    bad.push(leaf);
                }
                out.push(f);
            }
        }
    }
    bad
}

/// The finding for one record signed by a compromised key before its revocation, if any.
fn compromised(
    c: &Compromise,
    leaf: u64,
    rec: &Record,
    checkpoints: &[(u64, u64)],
) -> Option<Finding> {
    let p = rec.payload();
    let since = c.since.to_rfc3339();
    let f = match first_including(checkpoints, leaf) {
        Some((size, t)) if t.saturating_mul(1000) >= c.since.millis() => Finding::violated(
            C,
            "record-key-compromised",
            format!(
                "signed by key {} of {}, revoked at leaf {} as compromised since {since}: the \
                 first checkpoint known to include the record (size {size}) has log time {}, \
                 so it cannot be shown to have entered the log before the key was compromised",
                Hash32(c.key.key_id()),
                c.producer,
                c.revoked_at,
                Timestamp(t.saturating_mul(1000)).to_rfc3339()
            ),
        )
        .evidence(
            format!("in a checkpoint before {since}"),
            format!(
                "first in the checkpoint of size {size} (log time {})",
                Timestamp(t.saturating_mul(1000)).to_rfc3339()
            ),
        ),
        Some(_) => return None,
        None => Finding::undetermined(
            C,
            "record-key-compromised-undetermined",
            format!(
                "signed by key {} of {}, revoked at leaf {} as compromised since {since}: no \
                 checkpoint with a known log time includes the record, so whether it entered \
                 the log before the compromise cannot be determined",
                Hash32(c.key.key_id()),
                c.producer,
                c.revoked_at
            ),
        ),
    };
    Some(f.at(leaf).record(&p.producer, p.seq))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::note::Ed25519NoteKey;
    use crate::scenario::{self, AUTHORITY, ORIGIN, Scale};
    use crate::tree::TreeHashAlg;
    use crate::verify::trust::TrustFile;

    /// A trust file for the scenario's keys.
    pub(crate) fn trust() -> Trust {
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
            witnessed_after_size: None,
            max_logging_delay_secs: 86_400,
            max_logging_delay_overrides: Default::default(),
            retention_policy_authority: None,
            obligation_policy_authority: None,
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

    /// A record of a compromised key is judged by the first checkpoint that includes it:
    /// before the compromise it stands, from it on it is tainted, and with no checkpoint time
    /// known the verdict is cannot be determined.
    #[test]
    fn compromise_is_judged_by_the_first_including_checkpoint() {
        let days = scenario::build(Scale::SMALL, TreeHashAlg::Sha256).unwrap();
        let rec = days[0]
            .records
            .iter()
            .map(|s| Record::decode(&s.item.record).unwrap())
            .find(|r| r.payload().kind() == Kind::DataAccess)
            .unwrap();
        let c = Compromise {
            key: scenario::secret_key(rec.payload().producer.as_str()).public_key(),
            producer: rec.payload().producer.to_string(),
            since: Timestamp(2_000_000_000),
            revoked_at: 50,
        };
        assert!(compromised(&c, 10, &rec, &[(5, 1_000), (20, 1_999_999)]).is_none());
        let f = compromised(&c, 10, &rec, &[(5, 1_000), (20, 2_000_000)]).unwrap();
        assert_eq!(
            (f.code, f.verdict, f.leaf),
            (
                "record-key-compromised",
                super::super::Verdict::Violated,
                Some(10)
            )
        );
        let f = compromised(&c, 10, &rec, &[(5, 1_000)]).unwrap();
        assert_eq!(
            (f.code, f.verdict),
            (
                "record-key-compromised-undetermined",
                super::super::Verdict::CannotBeDetermined
            )
        );
    }
}

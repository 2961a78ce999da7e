//! The auditor's trust file: everything `verify` trusts, and nothing taken from the log
//! directory being verified (docs/CHECKS.md §Trust file).
//!
//! Owns parsing and validating the file (JSON, unknown members refused) into the keys the
//! checks use. It pins the log key (named after the origin), the registration authority (its
//! key name is its producer id), the authorisation registry (a producer id whose
//! authorisation records count), the witnesses' cosigner keys with their quorum, the
//! maximum logging delays, and optionally the retention-policy authority (a producer id whose
//! retention-policy records alone apply in check 7), and the checks the auditor requires
//! (`require_checks`: a required check that is not fully determined makes the run fail).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::checkpoint::CosignatureVerifier;
use crate::crypto::PublicKey;
use crate::log::check_origin;
use crate::note::{Ed25519NoteVerifier, NoteVerifier};
use crate::record::text::ProducerId;
use crate::tree::TreeHashAlg;

use super::keys::{self, AuthorityKeyEntry, AuthorityKeyRange, LogKeyEntry, LogKeyRange};
use super::report::{Anchor, Check};

/// The trust file's member listing the producers that must send heartbeats, each with the
/// longest silence allowed in seconds (`{"query-frontend": 93600}`). It is read beside the
/// members of [`TrustFile`] (absent: none required) and held in [`Trust::heartbeat_required`].
pub const HEARTBEAT_REQUIRED: &str = "heartbeat_required";

/// The trust file's member listing the RFC 3161 time-stamping authorities whose tokens bound
/// a checkpoint's time (`[{"name": "tsa-1", "certificate": "-----BEGIN CERTIFICATE-----…"}]`:
/// the TSA's certificate or its CA's, PEM). Read beside [`TrustFile`] (absent: none) and held
/// in [`Trust::timestamp_authorities`].
pub const TIMESTAMP_AUTHORITIES: &str = "timestamp_authorities";

/// One entry of [`TIMESTAMP_AUTHORITIES`] as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimestampAuthorityEntry {
    pub name: String,
    /// The certificate, PEM.
    pub certificate: String,
}

/// Format version of the trust file.
pub const TRUST_FORMAT: u64 = 1;
/// Default maximum logging delay: one day.
pub const DEFAULT_MAX_LOGGING_DELAY_SECS: u64 = 86_400;

/// The trust file as written (JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrustFile {
    pub format: u64,
    pub origin: String,
    pub tree_hash: String,
    /// The log's verifier key (signed-note form, type 0x01; its name is the origin).
    pub log_key: String,
    /// The registration authority's verifier key (type 0x01; its name is its producer id).
    pub registration_authority: String,
    /// Producer id of the authorisation registry.
    pub authorisation_registry: String,
    /// Producers whose data-access records must all name an authorisation.
    #[serde(default)]
    pub authorisation_required: Vec<String>,
    /// Witness cosigner keys (type 0x04 verifier keys).
    #[serde(default)]
    pub witnesses: Vec<String>,
    #[serde(default)]
    pub witness_quorum: usize,
    /// The log had no witnesses up to this tree size: checkpoints of this size or smaller
    /// are not held to `witness_quorum` (each is reported as a notice,
    /// `checkpoint-before-witnesses`); absent: every checkpoint is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub witnessed_after_size: Option<u64>,
    #[serde(default = "default_delay")]
    pub max_logging_delay_secs: u64,
    /// Per-producer maximum logging delays.
    #[serde(default)]
    pub max_logging_delay_overrides: BTreeMap<String, u64>,
    /// Producer id whose retention-policy records alone apply (check 7, `retention plan
    /// --trust`); absent: not pinned, every retention-policy record admitted applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_policy_authority: Option<String>,
    /// Producer id whose obligation-policy records alone apply (check 8); absent: check 8
    /// applies no policy and says so (an obligation policy from anyone else could switch
    /// rules off).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub obligation_policy_authority: Option<String>,
    /// The log keys over time, oldest first (docs/CHECKS.md §Key history); absent: `log_key`
    /// signs every size.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub log_key_history: Vec<LogKeyEntry>,
    /// The registration authority's keys over time, oldest first; absent:
    /// `registration_authority` for every leaf (replacements by record still apply).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub registration_authority_history: Vec<AuthorityKeyEntry>,
}

/// The trust file's member naming the required checks (docs/CHECKS.md §Exit status).
pub const REQUIRE_CHECKS: &str = "require_checks";
/// The checks required when the trust file does not say: 1–6, which need only the public
/// part; check 7 needs the log's private part and is required only when the file says so.
pub const DEFAULT_REQUIRED: [Check; 6] = [
    Check::Checkpoints,
    Check::Tree,
    Check::Records,
    Check::Completeness,
    Check::Ordering,
    Check::Authorisation,
];

fn default_delay() -> u64 {
    DEFAULT_MAX_LOGGING_DELAY_SECS
}

/// The trust file's top-level members, a member given twice refused (as a derived
/// `Deserialize` refuses a duplicate field).
struct Members(serde_json::Map<String, serde_json::Value>);

impl<'de> Deserialize<'de> for Members {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Members;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut a: A,
            ) -> Result<Members, A::Error> {
                let mut m = serde_json::Map::new();
                while let Some((k, v)) = a.next_entry::<String, serde_json::Value>()? {
                    if m.contains_key(&k) {
                        return Err(serde::de::Error::custom(format_args!(
                            "duplicate field `{k}`"
                        )));
                    }
                    m.insert(k, v);
                }
                Ok(Members(m))
            }
        }
        d.deserialize_map(V)
    }
}

/// Why a trust file was refused; each names the member at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TrustError {
    #[error("trust file: {0}")]
    Json(String),
    #[error("trust file: {member}: {reason}")]
    Member { member: String, reason: String },
}

fn member(member: impl Into<String>, reason: impl std::fmt::Display) -> TrustError {
    TrustError::Member {
        member: member.into(),
        reason: reason.to_string(),
    }
}

/// A validated trust file.
#[derive(Debug, Clone)]
pub struct Trust {
    pub file: TrustFile,
    pub alg: TreeHashAlg,
    pub log: Ed25519NoteVerifier,
    pub authority: ProducerId,
    pub authority_key: PublicKey,
    pub registry: ProducerId,
    pub authorisation_required: Vec<ProducerId>,
    pub witnesses: Vec<CosignatureVerifier>,
    /// The producer whose retention-policy records apply (check 7); `None`: not pinned.
    pub retention_policy_authority: Option<ProducerId>,
    /// The producer whose obligation-policy records apply (check 8); `None`: not pinned.
    pub obligation_policy_authority: Option<ProducerId>,
    /// `require_checks` (default [`DEFAULT_REQUIRED`]), sorted, each once. It is read beside
    /// [`TrustFile`] (not one of its fields) so that code building a `TrustFile` member by
    /// member stays valid; [`Trust::to_json`] writes it back.
    pub require_checks: Vec<Check>,
    /// The log keys and the tree sizes each signs (one range when the file has no history).
    pub log_keys: Vec<LogKeyRange>,
    /// The authority keys and the leaves each is in force for (one range without history).
    pub authority_keys: Vec<AuthorityKeyRange>,
    /// Producers that must send heartbeats → the longest silence allowed (seconds), from
    /// the member [`HEARTBEAT_REQUIRED`] (check 4, `heartbeat-overdue`).
    pub heartbeat_required: BTreeMap<String, u64>,
    /// The time-stamping authorities of [`TIMESTAMP_AUTHORITIES`] (check 1: a token over the
    /// published checkpoint bounds its time), as written and as certificates.
    pub timestamp_authority_entries: Vec<TimestampAuthorityEntry>,
    pub timestamp_authorities: Vec<crate::timestamp::Authority>,
}

impl Trust {
    /// Parse and validate a trust file.
    pub fn from_json(bytes: &[u8]) -> Result<Trust, TrustError> {
        let Members(mut members) =
            serde_json::from_slice(bytes).map_err(|e| TrustError::Json(e.to_string()))?;
        let heartbeats = members.remove(HEARTBEAT_REQUIRED);
        let tsas = members.remove(TIMESTAMP_AUTHORITIES);
        let require = members.remove(REQUIRE_CHECKS);
        let value = serde_json::Value::Object(members);
        let file: TrustFile = serde_path_to_error::deserialize(value)
            .map_err(|e| TrustError::Json(format!("{}: {}", e.path(), e.inner())))?;
        let mut trust = Trust::new(file)?;
        if let Some(h) = heartbeats {
            let h: BTreeMap<String, u64> =
                serde_json::from_value(h).map_err(|e| member(HEARTBEAT_REQUIRED, e))?;
            trust = trust.require_heartbeats(h)?;
        }
        if let Some(t) = tsas {
            let t: Vec<TimestampAuthorityEntry> =
                serde_json::from_value(t).map_err(|e| member(TIMESTAMP_AUTHORITIES, e))?;
            trust = trust.with_timestamp_authorities(t)?;
        }
        match require {
            None => Ok(trust),
            Some(v) => {
                let numbers: Vec<u64> = serde_json::from_value(v).map_err(|e| {
                    member(
                        REQUIRE_CHECKS,
                        format!("a list of check numbers (1–7): {e}"),
                    )
                })?;
                let checks = numbers
                    .iter()
                    .enumerate()
                    .map(|(i, &n)| {
                        Check::from_number(n).ok_or_else(|| {
                            member(
                                format!("{REQUIRE_CHECKS}[{i}]"),
                                format!("{n} is not a check (1–7)"),
                            )
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(Trust {
                    require_checks: Vec::new(),
                    ..trust
                }
                .also_requiring(checks))
            }
        }
    }

    /// `checks` required too (`--require`): the union with those already required.
    pub fn also_requiring(mut self, checks: impl IntoIterator<Item = Check>) -> Trust {
        self.require_checks.extend(checks);
        self.require_checks.sort_unstable();
        self.require_checks.dedup();
        self
    }

    /// Require heartbeats of these producers, each at least every so many seconds (> 0).
    pub fn require_heartbeats(mut self, h: BTreeMap<String, u64>) -> Result<Trust, TrustError> {
        for (p, secs) in &h {
            let at = format!("{HEARTBEAT_REQUIRED}.{p}");
            ProducerId::new(p.as_str()).map_err(|e| member(&at, e))?;
            if *secs == 0 {
                return Err(member(
                    at,
                    "the longest silence allowed must be at least 1 s",
                ));
            }
        }
        self.heartbeat_required = h;
        Ok(self)
    }

    /// Trust these time-stamping authorities (each name once, each certificate decoding).
    pub fn with_timestamp_authorities(
        mut self,
        entries: Vec<TimestampAuthorityEntry>,
    ) -> Result<Trust, TrustError> {
        let mut authorities = Vec::new();
        for (i, e) in entries.iter().enumerate() {
            let at = format!("{TIMESTAMP_AUTHORITIES}[{i}]");
            if entries[..i].iter().any(|o| o.name == e.name) {
                return Err(member(at, format!("{:?} is listed twice", e.name)));
            }
            let a = crate::timestamp::Authority::from_pem(&e.name, &e.certificate)
                .map_err(|err| member(&at, err))?;
            authorities.push(a);
        }
        self.timestamp_authority_entries = entries;
        self.timestamp_authorities = authorities;
        Ok(self)
    }

    /// The trust file as JSON, `require_checks` included, and [`HEARTBEAT_REQUIRED`] when
    /// any is required.
    pub fn to_json(&self) -> Vec<u8> {
        let mut v = serde_json::to_value(&self.file).expect("a trust file serialises");
        if let Some(o) = v.as_object_mut() {
            o.insert(
                REQUIRE_CHECKS.into(),
                self.require_checks.iter().map(|c| c.number()).collect(),
            );
            if !self.heartbeat_required.is_empty() {
                o.insert(
                    HEARTBEAT_REQUIRED.into(),
                    serde_json::to_value(&self.heartbeat_required).expect("a map serialises"),
                );
            }
            if !self.timestamp_authority_entries.is_empty() {
                o.insert(
                    TIMESTAMP_AUTHORITIES.into(),
                    serde_json::to_value(&self.timestamp_authority_entries)
                        .expect("a list serialises"),
                );
            }
        }
        let mut out = serde_json::to_vec_pretty(&v).expect("JSON serialises");
        out.push(b'\n');
        out
    }

    /// Validate a trust file's contents.
    pub fn new(file: TrustFile) -> Result<Trust, TrustError> {
        if file.format != TRUST_FORMAT {
            return Err(member(
                "format",
                format!("{} is not supported (expected {TRUST_FORMAT})", file.format),
            ));
        }
        let alg = TreeHashAlg::parse(&file.tree_hash).map_err(|e| member("tree_hash", e))?;
        check_origin(&file.origin, alg).map_err(|e| member("origin", e))?;
        let log = Ed25519NoteVerifier::from_vkey(file.log_key.trim())
            .map_err(|e| member("log_key", e))?;
        if log.name() != file.origin {
            return Err(member(
                "log_key",
                format!(
                    "named {:?}, but a log key is named after the origin {:?}",
                    log.name(),
                    file.origin
                ),
            ));
        }
        let ra = Ed25519NoteVerifier::from_vkey(file.registration_authority.trim())
            .map_err(|e| member("registration_authority", e))?;
        let authority = ProducerId::new(ra.name()).map_err(|e| {
            member(
                "registration_authority",
                format!("key name {:?} is not a producer id: {e}", ra.name()),
            )
        })?;
        let log_keys = keys::log_keys(&file.log_key_history, &log, &file.origin)?;
        let authority_keys = keys::authority_keys(&file.registration_authority_history, &ra)?;
        let registry = ProducerId::new(file.authorisation_registry.as_str())
            .map_err(|e| member("authorisation_registry", e))?;
        let authorisation_required = file
            .authorisation_required
            .iter()
            .enumerate()
            .map(|(i, p)| {
                ProducerId::new(p.as_str())
                    .map_err(|e| member(format!("authorisation_required[{i}]"), e))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let witnesses = file
            .witnesses
            .iter()
            .enumerate()
            .map(|(i, w)| {
                CosignatureVerifier::from_vkey(w.trim())
                    .map_err(|e| member(format!("witnesses[{i}]"), e))
            })
            .collect::<Result<Vec<_>, _>>()?;
        for (i, w) in witnesses.iter().enumerate() {
            if witnesses[..i].iter().any(|o| o.name() == w.name()) {
                return Err(member(
                    format!("witnesses[{i}]"),
                    format!("witness {:?} is listed twice", w.name()),
                ));
            }
            // One key counts once toward the quorum, whatever it is called.
            if let Some((j, o)) = witnesses[..i]
                .iter()
                .enumerate()
                .find(|(_, o)| o.public_key().as_bytes() == w.public_key().as_bytes())
            {
                return Err(member(
                    format!("witnesses[{i}]"),
                    format!(
                        "witness {:?} has the same public key as witnesses[{j}] ({:?}): one \
                         witness listed under two names would count twice toward the quorum",
                        w.name(),
                        o.name()
                    ),
                ));
            }
        }
        if file.witness_quorum > witnesses.len() {
            return Err(member(
                "witness_quorum",
                format!(
                    "{} is more than the {} witnesses listed",
                    file.witness_quorum,
                    witnesses.len()
                ),
            ));
        }
        if file.witnessed_after_size.is_some() && file.witness_quorum == 0 {
            return Err(member(
                "witnessed_after_size",
                "given with witness_quorum 0: it exempts checkpoints from a quorum that is not \
                 required"
                    .to_string(),
            ));
        }
        let retention_policy_authority = file
            .retention_policy_authority
            .as_deref()
            .map(ProducerId::new)
            .transpose()
            .map_err(|e| member("retention_policy_authority", e))?;
        let obligation_policy_authority = file
            .obligation_policy_authority
            .as_deref()
            .map(ProducerId::new)
            .transpose()
            .map_err(|e| member("obligation_policy_authority", e))?;
        for p in file.max_logging_delay_overrides.keys() {
            ProducerId::new(p.as_str())
                .map_err(|e| member(format!("max_logging_delay_overrides.{p}"), e))?;
        }
        Ok(Trust {
            alg,
            log,
            authority_key: *ra.public_key(),
            authority,
            registry,
            authorisation_required,
            witnesses,
            retention_policy_authority,
            obligation_policy_authority,
            require_checks: DEFAULT_REQUIRED.to_vec(),
            log_keys,
            authority_keys,
            heartbeat_required: BTreeMap::new(),
            timestamp_authority_entries: Vec::new(),
            timestamp_authorities: Vec::new(),
            file,
        })
    }

    /// The witness quorum a checkpoint of tree size `size` is held to: `witness_quorum`, or
    /// 0 when the log had no witnesses yet at that size (`witnessed_after_size`).
    pub fn quorum_for(&self, size: u64) -> usize {
        match self.file.witnessed_after_size {
            Some(n) if size <= n => 0,
            _ => self.file.witness_quorum,
        }
    }

    /// The notice for a checkpoint of `size` that [`Trust::quorum_for`] exempts from the
    /// quorum (`None` when it is held to it, or no quorum is required).
    pub fn before_witnesses(&self, size: u64) -> Option<String> {
        (self.file.witness_quorum > 0 && self.quorum_for(size) == 0).then(|| {
            format!(
                "the checkpoint of size {size} predates the log's witnesses (the trust file's \
                 witnessed_after_size is {}): not held to the witness quorum of {}; its time is \
                 the log's own, and only a later witnessed checkpoint consistent with it \
                 shows it was not forked",
                self.file.witnessed_after_size.unwrap_or(0),
                self.file.witness_quorum
            )
        })
    }

    pub fn origin(&self) -> &str {
        &self.file.origin
    }

    /// The maximum logging delay of `producer`, in milliseconds.
    pub fn max_delay_ms(&self, producer: &str) -> u64 {
        self.file
            .max_logging_delay_overrides
            .get(producer)
            .copied()
            .unwrap_or(self.file.max_logging_delay_secs)
            .saturating_mul(1000)
    }

    /// The trust anchors with their fingerprints, for the report's provenance.
    pub fn anchors(&self) -> Vec<Anchor> {
        let fp = |k: &PublicKey| format!("sha256:{}", hex::encode(k.key_id()));
        let mut v = vec![
            Anchor {
                role: "log".into(),
                name: self.log.name().to_string(),
                fingerprint: fp(self.log.public_key()),
            },
            Anchor {
                role: "registration-authority".into(),
                name: self.authority.to_string(),
                fingerprint: fp(&self.authority_key),
            },
        ];
        v.extend(keys::retired_anchors(self));
        for w in &self.witnesses {
            v.push(Anchor {
                role: "witness".into(),
                name: w.name().to_string(),
                fingerprint: fp(w.public_key()),
            });
        }
        for a in &self.timestamp_authorities {
            v.push(Anchor {
                role: "timestamp-authority".into(),
                name: a.name.clone(),
                fingerprint: a.fingerprint(),
            });
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> serde_json::Value {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/testvectors/bundle-trust.json");
        serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
    }

    fn pem(name: &str) -> String {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/testvectors/timestamp/");
        std::fs::read_to_string(format!("{dir}{name}")).unwrap()
    }

    fn parse(v: &serde_json::Value) -> Result<Trust, TrustError> {
        Trust::from_json(&serde_json::to_vec(v).unwrap())
    }

    #[test]
    fn timestamp_authorities_are_optional_and_round_trip() {
        // A file written before the member existed: none.
        let t = parse(&base()).unwrap();
        assert!(t.timestamp_authorities.is_empty());
        assert!(
            !String::from_utf8(t.to_json())
                .unwrap()
                .contains(TIMESTAMP_AUTHORITIES)
        );
        let mut v = base();
        v[TIMESTAMP_AUTHORITIES] = serde_json::json!([
            {"name": "tsa-1", "certificate": pem("ca.pem")},
            {"name": "tsa-2", "certificate": pem("tsa.pem")}
        ]);
        let t = parse(&v).unwrap();
        assert_eq!(t.timestamp_authorities.len(), 2);
        assert_eq!(t.timestamp_authorities[1].name, "tsa-2");
        let anchors = t.anchors();
        let a = anchors.iter().find(|a| a.name == "tsa-1").unwrap();
        assert_eq!(a.role, "timestamp-authority");
        assert!(a.fingerprint.starts_with("sha256:"));
        let again = Trust::from_json(&t.to_json()).unwrap();
        assert_eq!(
            again.timestamp_authority_entries,
            t.timestamp_authority_entries
        );
    }

    #[test]
    fn a_bad_timestamp_authority_is_refused_by_its_entry() {
        let mut v = base();
        v[TIMESTAMP_AUTHORITIES] = serde_json::json!([
            {"name": "tsa-1", "certificate": pem("ca.pem")},
            {"name": "tsa-1", "certificate": pem("tsa.pem")}
        ]);
        assert_eq!(
            parse(&v).unwrap_err().to_string(),
            "trust file: timestamp_authorities[1]: \"tsa-1\" is listed twice"
        );
        v[TIMESTAMP_AUTHORITIES] = serde_json::json!([
            {"name": "tsa-1", "certificate": "not a certificate"}
        ]);
        let e = parse(&v).unwrap_err().to_string();
        assert!(
            e.starts_with("trust file: timestamp_authorities[0]: timestamp authority \"tsa-1\": its certificate does not decode"),
            "{e}"
        );
        v[TIMESTAMP_AUTHORITIES] = serde_json::json!([{"name": "tsa-1"}]);
        let e = parse(&v).unwrap_err().to_string();
        assert!(
            e.contains("timestamp_authorities") && e.contains("certificate"),
            "{e}"
        );
    }
}

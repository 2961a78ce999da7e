//! `bundle verify` as data: what an evidence bundle proves against the trust anchors of a
//! [`Trust`] file only (keys inside the bundle are hints, never trust).
//!
//! In order: check 1 (each checkpoint signed by a log key of the trust file valid for its
//! size, the witness quorum, a consistency proof from each to the newest), check 2 (each
//! record's inclusion proof against the first checkpoint that includes it), check 3 (each
//! record canonical and signed by a key that a key registration *in the bundle*, signed by
//! the pinned registration authority, admits — the verifier's own key registry, fed the
//! bundle's records in leaf order), the disclosures (each must open one of its record's
//! commitments), then check 8 re-derived from the bundle alone by the verifier's own
//! obligations unit: a missing statement of reasons is *violated* only when the included
//! chain of the notifier reaches past the deadline plus its logging delay, otherwise *cannot
//! be determined*. The exporter's statements are passed on, marked as statements.
//!
//! Pure: no clock (the reference time is given, or the newest checkpoint's), no printing.

use std::collections::{BTreeMap, HashMap};

use crate::checkpoint::{Checkpoint, verify_cosignature};
use crate::note::{self, NoteVerifier};
use crate::record::Record;
use crate::record::sealed::{Disclosure, FieldPath, SealedValue};
use crate::record::types::Hash32;
use crate::retention::DisclosureSource;
use crate::tree::Hash;
use crate::verify::driver::{RecordCtx, Unit};
use crate::verify::keys::{Rejected, open_at_size};
use crate::verify::obligations::{Finish, Obligations};
use crate::verify::records::{Registry, malformed};
use crate::verify::report::{Anchor, Findings};
use crate::verify::{Check, Finding, Trust, Verdict};

use super::format::{Bundle, NegativeChain, Role, Statement};

/// Where the reference time came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AtSource {
    /// `--at`.
    Given,
    /// The newest checkpoint's log time (the default: the same answer next year).
    NewestCheckpoint,
}

/// A checkpoint of the bundle, as verified.
#[derive(Debug, Clone)]
pub struct VerifiedCheckpoint {
    pub size: u64,
    pub root: Hash,
    /// The log's cosigned time (seconds), when the checkpoint verified.
    pub log_time: Option<u64>,
    /// Pinned witnesses that cosigned it, with their times.
    pub witnesses: Vec<(String, u64)>,
    /// Whether it is signed by the trust file's log key, cosigned by the quorum, and (but
    /// the newest) proven consistent with the newest.
    pub verified: bool,
}

/// One record of the bundle, as verified.
#[derive(Debug, Clone)]
pub struct VerifiedRecord {
    pub leaf: u64,
    pub leaf_hash: Hash,
    /// The decoded record (`None`: it does not decode, see the findings).
    pub record: Option<Record>,
    /// The disclosed sealed values that opened their commitments.
    pub disclosed: Vec<(FieldPath, SealedValue)>,
    /// The sealed fields left as commitments.
    pub withheld: Vec<FieldPath>,
    /// The first checkpoint including it: its size and log time.
    pub checkpoint_size: u64,
    pub checkpoint_time: Option<u64>,
    /// Why it is in the bundle.
    pub roles: Vec<Role>,
    /// Its inclusion proof verified against a verified checkpoint.
    pub included: bool,
    /// Check 3: canonical and signed by a key the pinned authority registered.
    pub authentic: bool,
    /// Its COSE receipt (key 13) against its first checkpoint: `None` when the bundle
    /// carries none for it (a BLAKE3 log, a tree of one leaf, a bundle without key 13).
    pub receipt: Option<bool>,
}

impl VerifiedRecord {
    /// Included and authentic: what the bundle proves about it.
    pub fn proven(&self) -> bool {
        self.included && self.authentic
    }
}

/// What a negative-proof chain concluded.
#[derive(Debug, Clone)]
pub struct ChainConclusion {
    pub chain: NegativeChain,
    /// `Violated` (the follow-up is proven absent), `CannotBeDetermined` (the chain does not
    /// prove it), or `Holds` (no finding: the follow-up is in the bundle, or not yet due).
    pub verdict: Verdict,
    /// The check 8 finding's code and message, when there is one.
    pub code: Option<&'static str>,
    pub message: String,
    /// The time a later record of the chain's producer must be dated after to prove the
    /// negative (the deadline plus the follower's logging delay, as check 8 applies them
    /// under the pinned authority's policy in force at the sanction); `None` when the bundle
    /// holds no such policy or sanction.
    pub needed_after: Option<crate::record::types::Timestamp>,
}

/// Whether the exporter's statements are signed (bundle key 15).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StatementsAuth {
    /// Signed by the key that signed the export's own data-access record, as a key
    /// registration in the bundle (authentic and included) admits it: the exporter's word,
    /// bound to this export; still not proven by the bundle.
    Signed,
    /// The bundle carries no signature over them (`bundle-statements-unsigned`).
    Unsigned,
    /// The signature does not verify (`bundle-statements-signature`) or its key cannot be
    /// established from the bundle (`bundle-statements-key`).
    Unverified,
}

impl StatementsAuth {
    pub fn name(self) -> &'static str {
        match self {
            StatementsAuth::Signed => "signed",
            StatementsAuth::Unsigned => "unsigned",
            StatementsAuth::Unverified => "unverified",
        }
    }
}

/// The recipient's own checkpoint, as checked against the bundle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeldCheckpoint {
    pub size: u64,
    pub consistent: bool,
}

/// The result of verifying a bundle.
#[derive(Debug, Clone)]
pub struct Verified {
    pub origin: String,
    /// The reference time of the verdicts (seconds) and where it came from.
    pub at_secs: u64,
    pub at_source: AtSource,
    /// The trust anchors used, with fingerprints to compare out of band.
    pub anchors: Vec<Anchor>,
    /// The witness quorum the trust file requires (0: none: the operator could have shown
    /// another history to others).
    pub witness_quorum: usize,
    pub checkpoints: Vec<VerifiedCheckpoint>,
    pub records: Vec<VerifiedRecord>,
    pub chains: Vec<ChainConclusion>,
    /// The exporter's statements: observations, not proofs.
    pub statements: Vec<Statement>,
    /// Whether they are signed by the export's key.
    pub statements_auth: StatementsAuth,
    /// The time zone database version the exporter's retention deadlines used.
    pub tzdb: String,
    pub export: super::format::Export,
    /// The checkpoint the recipient holds, when given: its size and whether the newest
    /// checkpoint's tree is proven to extend it.
    pub held: Option<HeldCheckpoint>,
    /// Every finding, grouped by check, code, leaf.
    pub findings: Vec<Finding>,
}

impl Verified {
    /// The newest checkpoint.
    pub fn newest(&self) -> &VerifiedCheckpoint {
        self.checkpoints.last().expect("a bundle has a checkpoint")
    }

    /// Whether checks 1–3 hold for every record: each is authentic and included, every
    /// checkpoint verified, every disclosure opened.
    pub fn integrity_holds(&self) -> bool {
        self.records.iter().all(VerifiedRecord::proven)
            && self.checkpoints.iter().all(|c| c.verified)
            && !self
                .findings
                .iter()
                .any(|f| f.verdict == Verdict::Violated && f.check.number() <= 3)
    }

    /// Findings of `verdict`.
    pub fn count(&self, verdict: Verdict) -> usize {
        self.findings
            .iter()
            .filter(|f| f.verdict == verdict)
            .count()
    }
}

/// The bundle's disclosures that opened their commitments, for check 8's recomputations.
struct Opened<'a>(&'a HashMap<u64, Vec<Disclosure>>);

impl DisclosureSource for Opened<'_> {
    fn readable(&self, leaf: u64) -> Result<Vec<Disclosure>, String> {
        Ok(self.0.get(&leaf).cloned().unwrap_or_default())
    }
}

/// Verify `bundle` against `trust`, with the reference time `at` (seconds; `None`: the
/// newest checkpoint's log time).
pub fn verify(bundle: &Bundle, trust: &Trust, at: Option<u64>) -> Verified {
    verify_holding(bundle, trust, at, None)
}

/// [`verify`], and prove that the newest checkpoint's tree extends `held`, a signed
/// checkpoint the recipient already holds (`--checkpoint`), with the bundle's key-14 proof
/// (or, for a size the bundle has a checkpoint of, by comparing roots).
pub fn verify_holding(
    bundle: &Bundle,
    trust: &Trust,
    at: Option<u64>,
    held: Option<&[u8]>,
) -> Verified {
    let mut out = Findings::default();
    if bundle.origin != trust.origin() {
        out.push(
            Finding::violated(
                Check::Checkpoints,
                "checkpoint-origin",
                "the bundle is of another log than the trust file's",
            )
            .evidence(trust.origin(), &bundle.origin),
        );
    }
    if bundle.tree_hash != trust.alg.name() {
        out.push(
            Finding::violated(
                Check::Tree,
                "bundle-tree-hash",
                "the bundle names another tree hash than the trust file",
            )
            .evidence(trust.alg.name(), &bundle.tree_hash),
        );
    }
    let mut checkpoints: Vec<VerifiedCheckpoint> = bundle
        .checkpoints
        .iter()
        .enumerate()
        .map(|(i, n)| open(n, i, trust, i + 1 < bundle.checkpoints.len(), &mut out))
        .collect();
    consistency(bundle, trust, &mut checkpoints, &mut out);
    stamped(bundle, trust, &mut checkpoints, &mut out);
    let held = held.map(|n| held_consistent(bundle, trust, n, &checkpoints, &mut out));
    let at_secs = at.unwrap_or_else(|| checkpoints.last().and_then(|c| c.log_time).unwrap_or(0));
    let at_source = match at {
        Some(_) => AtSource::Given,
        None => AtSource::NewestCheckpoint,
    };
    let (records, opened) = records(bundle, trust, &checkpoints, &mut out);
    export_record(bundle, &records, &mut out);
    let mut records = records;
    receipts(bundle, trust, &checkpoints, &mut records, &mut out);
    let statements_auth = statements_signature(bundle, &records, &mut out);
    times(bundle, trust, &checkpoints, &records, at, &mut out);
    let chains = obligations(bundle, trust, &records, &opened, at_secs, &mut out);
    let (_, _, findings) = out.finish(&BTreeMap::new());
    let chains = conclude(chains, &findings, |c| needed_after(trust, &records, c));
    Verified {
        origin: bundle.origin.clone(),
        at_secs,
        at_source,
        anchors: trust.anchors(),
        witness_quorum: trust.file.witness_quorum,
        checkpoints,
        records,
        chains,
        statements: bundle.statements.clone(),
        statements_auth,
        tzdb: bundle.tzdb.clone(),
        export: bundle.export.clone(),
        held,
        findings,
    }
}

/// Whether the newest checkpoint's tree extends the recipient's checkpoint `note`.
fn held_consistent(
    bundle: &Bundle,
    trust: &Trust,
    note: &[u8],
    cps: &[VerifiedCheckpoint],
    out: &mut Findings,
) -> HeldCheckpoint {
    let mine = open(note, usize::MAX, trust, true, out);
    let newest = cps.last().expect("a bundle has a checkpoint");
    let mut h = HeldCheckpoint {
        size: mine.size,
        consistent: false,
    };
    let fail = |code: &'static str, why: String| {
        Finding::new(
            Check::Checkpoints,
            code,
            if code == "checkpoint-inconsistent" {
                Verdict::Violated
            } else {
                Verdict::CannotBeDetermined
            },
            format!("the checkpoint you hold (size {}): {why}", mine.size),
        )
        .checkpoint_size(mine.size)
    };
    if !mine.verified {
        return h;
    }
    let same = cps.iter().find(|c| c.size == mine.size);
    let proof = bundle
        .from_checkpoint
        .as_ref()
        .filter(|c| c.from == mine.size);
    let verdict = match (same, proof) {
        (_, _) if mine.size > newest.size => Err((
            "checkpoint-inconsistent",
            format!(
                "larger than the bundle's newest ({}): the log shrank",
                newest.size
            ),
        )),
        (Some(c), _) if c.root == mine.root => Ok(()),
        (Some(_), _) => Err((
            "checkpoint-inconsistent",
            "the bundle has another root for that size (the log forked)".into(),
        )),
        (None, Some(p)) => {
            let hashes: Vec<Hash> = p.proof.iter().map(|x| x.0).collect();
            (trust.alg)
                .verify_consistency(mine.size, newest.size, &mine.root, &newest.root, &hashes)
                .map_err(|e| {
                    (
                        "checkpoint-inconsistent",
                        format!("the newest checkpoint's tree does not extend it ({e})"),
                    )
                })
        }
        (None, None) => Err((
            "checkpoint-consistency-undetermined",
            "the bundle carries no consistency proof from it (export --from-checkpoint)".into(),
        )),
    };
    match verdict {
        Ok(()) => h.consistent = true,
        Err((code, why)) => out.push(fail(code, why)),
    }
    h
}

/// Check 1 on the bundle's time-stamp tokens (key 16), by the rule of `verify`
/// (docs/CHECKS.md §Trust model): with `timestamp_authorities` in the trust file, each
/// checkpoint's token that verifies bounds its log time by genTime + 300 s
/// (`checkpoint-time-stamped`; records and the export are then judged against that time), one
/// that does not is `checkpoint-timestamp-invalid`, and a newest checkpoint without one is
/// `checkpoint-timestamp-missing`. Without authorities the tokens are not read.
fn stamped(bundle: &Bundle, trust: &Trust, cps: &mut [VerifiedCheckpoint], out: &mut Findings) {
    use crate::record::types::Timestamp;
    use crate::verify::CLOCK_SKEW_SECS as SKEW;
    if trust.timestamp_authorities.is_empty() {
        return;
    }
    let ts = |s: u64| Timestamp(s.saturating_mul(1000)).to_rfc3339();
    let newest = cps.len().saturating_sub(1);
    for (i, (cp, note)) in cps.iter_mut().zip(&bundle.checkpoints).enumerate() {
        let Some(log_time) = cp.log_time else {
            continue;
        };
        let token = bundle
            .timestamps
            .as_ref()
            .and_then(|t| t.get(i))
            .filter(|t| !t.is_empty());
        let Some(token) = token else {
            if i == newest {
                out.push(
                    Finding::notice(
                        Check::Checkpoints,
                        "checkpoint-timestamp-missing",
                        format!(
                            "the bundle's newest checkpoint (size {}) carries no time-stamp \
                             token: its time is not bounded by a time-stamping authority",
                            cp.size
                        ),
                    )
                    .checkpoint_size(cp.size),
                );
            }
            continue;
        };
        let text = match note::parse_note(note) {
            Ok(n) => n.text,
            Err(_) => continue,
        };
        match crate::timestamp::verify_response(
            token,
            text.as_bytes(),
            None,
            &trust.timestamp_authorities,
        ) {
            Err(e) => out.push(
                Finding::violated(
                    Check::Checkpoints,
                    "checkpoint-timestamp-invalid",
                    format!(
                        "bundle timestamps[{i}], the time-stamp token over the checkpoint of \
                         size {}, does not verify: {e}",
                        cp.size
                    ),
                )
                .checkpoint_size(cp.size)
                .evidence("an RFC 3161 token by a listed authority", e.to_string()),
            ),
            Ok(stamp) => {
                let by = stamp.existed_by().saturating_add(SKEW);
                if by < log_time {
                    out.push(
                        Finding::notice(
                            Check::Checkpoints,
                            "checkpoint-time-stamped",
                            format!(
                                "the log's time on the bundle's checkpoint of size {} is more \
                                 than {SKEW} s after the time {} at which time-stamping \
                                 authority {} stamped its tree (the tree existed then; the \
                                 log's time still stands: a token covers the tree, not a \
                                 signing)",
                                cp.size,
                                ts(stamp.gen_time),
                                stamp.authority
                            ),
                        )
                        .checkpoint_size(cp.size)
                        .evidence(format!("log time ≤ {}", ts(by)), ts(log_time)),
                    );
                }
            }
        }
    }
}

/// Check 1 for the checkpoint `note` (`checkpoints[i]`): the log key, then the witnesses.
/// Check 1 for one checkpoint. `older`: not the bundle's newest, which is always held to
/// the witness quorum (`witnessed_after_size` exempts only checkpoints the newest, witnessed
/// one is proven consistent with).
fn open(
    note: &[u8],
    i: usize,
    trust: &Trust,
    older: bool,
    out: &mut Findings,
) -> VerifiedCheckpoint {
    let what = match i {
        usize::MAX => "the checkpoint you hold".to_string(),
        i => format!("bundle checkpoints[{i}]"),
    };
    let claimed = note::parse_note(note)
        .ok()
        .and_then(|n| Checkpoint::parse(&n.text).ok());
    let mut cp = VerifiedCheckpoint {
        size: claimed.as_ref().map_or(0, |c| c.size),
        root: claimed.as_ref().map_or([0; 32], |c| c.root),
        log_time: None,
        witnesses: Vec::new(),
        verified: false,
    };
    let v = match open_at_size(note, trust, &what) {
        Ok(v) => v,
        Err(Rejected::Key(f)) => {
            out.push(f.checkpoint_size(cp.size));
            return cp;
        }
        Err(Rejected::Checkpoint(e)) => {
            let code = match e {
                crate::checkpoint::CheckpointError::OriginMismatch { .. } => "checkpoint-origin",
                crate::checkpoint::CheckpointError::Note(_)
                | crate::checkpoint::CheckpointError::ExtensionLines { .. } => {
                    "checkpoint-malformed"
                }
                _ => "checkpoint-signature",
            };
            out.push(
                Finding::violated(Check::Checkpoints, code, format!("{what}: {e}"))
                    .checkpoint_size(cp.size)
                    .evidence(
                        format!(
                            "a checkpoint of {} signed by {}",
                            trust.origin(),
                            trust.log.name()
                        ),
                        e.to_string(),
                    ),
            );
            return cp;
        }
    };
    cp.log_time = Some(v.log_time);
    let parsed = note::parse_note(note).expect("an opened checkpoint parses");
    for w in &trust.witnesses {
        let sigs =
            (parsed.signatures.iter()).filter(|s| s.name == w.name() && s.key_id == w.key_id());
        let mut time = None;
        for s in sigs {
            match verify_cosignature(&parsed.text, s, w.name(), w.public_key()) {
                Ok(t) => time = Some(t),
                Err(e) => out.push(
                    Finding::violated(
                        Check::Checkpoints,
                        "checkpoint-witness-signature",
                        format!("{what}: cosignature by witness {}: {e}", w.name()),
                    )
                    .checkpoint_size(cp.size),
                ),
            }
        }
        if let Some(t) = time {
            cp.witnesses.push((w.name().to_string(), t));
        }
    }
    let quorum = if older {
        trust.quorum_for(cp.size)
    } else {
        trust.file.witness_quorum
    };
    if let Some(m) = trust.before_witnesses(cp.size).filter(|_| older) {
        out.push(
            Finding::notice(Check::Checkpoints, "checkpoint-before-witnesses", m)
                .checkpoint_size(cp.size),
        );
    }
    if cp.witnesses.len() < quorum {
        out.push(
            Finding::violated(
                Check::Checkpoints,
                "checkpoint-witness-quorum",
                format!(
                    "{what} (size {}) is cosigned by {} of the pinned witnesses; the trust file \
                     requires {quorum}",
                    cp.size,
                    cp.witnesses.len()
                ),
            )
            .checkpoint_size(cp.size)
            .evidence(
                format!("≥ {quorum} witness cosignatures"),
                cp.witnesses.len(),
            ),
        );
        return cp;
    }
    cp.verified = true;
    cp
}

/// Check 1: sizes ascend and each checkpoint's tree is extended by the newest's (its proof).
fn consistency(bundle: &Bundle, trust: &Trust, cps: &mut [VerifiedCheckpoint], out: &mut Findings) {
    let last = cps.len() - 1;
    let (new_size, new_root) = (cps[last].size, cps[last].root);
    for i in 0..last {
        let c = &cps[i];
        let fail = |why: String| {
            Finding::violated(
                Check::Checkpoints,
                "checkpoint-inconsistent",
                format!(
                    "bundle checkpoints[{i}] (size {}): the newest checkpoint's tree (size \
                     {new_size}) is not proven to extend it: {why}",
                    c.size
                ),
            )
            .checkpoint_size(c.size)
        };
        let proof = bundle.consistency.iter().find(|p| p.from == i as u64);
        let verdict = if c.size >= new_size || (i > 0 && c.size <= cps[i - 1].size) {
            Err("the checkpoints' sizes do not ascend".to_string())
        } else if let Some(p) = proof {
            let hashes: Vec<Hash> = p.proof.iter().map(|h| h.0).collect();
            (trust.alg)
                .verify_consistency(c.size, new_size, &c.root, &new_root, &hashes)
                .map_err(|e| format!("the consistency proof does not verify ({e})"))
        } else {
            Err("the bundle carries no consistency proof from it".to_string())
        };
        if let Err(why) = verdict {
            out.push(fail(why));
            cps[i].verified = false;
        }
    }
}

/// Checks 2 and 3 and the disclosures, for every record in leaf order.
fn records(
    bundle: &Bundle,
    trust: &Trust,
    cps: &[VerifiedCheckpoint],
    out: &mut Findings,
) -> (Vec<VerifiedRecord>, HashMap<u64, Vec<Disclosure>>) {
    let origin = bundle.origin.as_str();
    let decoded: Vec<Result<Record, _>> = bundle
        .entries
        .iter()
        .map(|e| Record::decode(&e.record))
        .collect();
    let mut registry = Registry::new(trust);
    decoded
        .iter()
        .flatten()
        .for_each(|r| registry.learn_material(r));
    let mut opened = HashMap::new();
    let mut vs = Vec::new();
    for (e, rec) in bundle.entries.iter().zip(decoded) {
        let leaf_hash = trust.alg.leaf(&e.record);
        let cp = &cps[e.checkpoint as usize];
        let proof: Vec<Hash> = e.inclusion.iter().map(|h| h.0).collect();
        let included = cp.verified
            && match trust
                .alg
                .verify_inclusion(e.leaf, cp.size, &leaf_hash, &proof, &cp.root)
            {
                Ok(()) => true,
                Err(err) => {
                    out.push(
                        Finding::violated(
                            Check::Tree,
                            "bundle-inclusion",
                            format!(
                                "the record's inclusion proof does not verify against the \
                                 checkpoint of size {} ({err})",
                                cp.size
                            ),
                        )
                        .at(e.leaf)
                        .checkpoint_size(cp.size),
                    );
                    false
                }
            };
        let mut v = VerifiedRecord {
            leaf: e.leaf,
            leaf_hash,
            record: None,
            disclosed: Vec::new(),
            withheld: Vec::new(),
            checkpoint_size: cp.size,
            checkpoint_time: cp.log_time,
            roles: e.roles.iter().filter_map(|r| Role::parse(r)).collect(),
            included,
            authentic: false,
            receipt: None,
        };
        match rec {
            Err(err) => out.push(malformed(e.leaf, &err)),
            Ok(rec) => {
                let sig = registry.material(rec.kid()).map(|k| rec.verify(k, origin));
                v.authentic = registry.check(e.leaf, &rec, sig.as_ref(), origin, out);
                let ds = disclosures(e.leaf, &rec, &e.disclosures, out);
                v.authentic &= ds.is_some();
                let ds = ds.unwrap_or_default();
                v.withheld = (rec.payload().sealed.iter())
                    .filter(|(p, _)| !ds.iter().any(|d| d.path == *p))
                    .map(|(p, _)| p.clone())
                    .collect();
                v.disclosed = ds
                    .iter()
                    .map(|d| (d.path.clone(), d.value.clone()))
                    .collect();
                opened.insert(e.leaf, ds);
                v.record = Some(rec);
            }
        }
        vs.push(v);
    }
    for c in registry.take_compromises() {
        compromised(&c, &mut vs, out);
    }
    (vs, opened)
}

/// A key revoked as compromised since `c.since` (by a revocation in the bundle): each of
/// its records before the revocation whose first checkpoint in the bundle has a log time
/// not before `since` is `record-key-compromised` and not authentic (it cannot be shown to
/// have entered the log before the key was in other hands; its own date, which a thief
/// chooses, does not count).
fn compromised(
    c: &crate::verify::records::Compromise,
    vs: &mut [VerifiedRecord],
    out: &mut Findings,
) {
    let kid = c.key.key_id();
    let since = c.since.to_rfc3339();
    for v in vs
        .iter_mut()
        .filter(|v| v.leaf < c.revoked_at && v.authentic)
    {
        let Some(rec) = &v.record else { continue };
        if *rec.kid() != kid {
            continue;
        }
        let p = rec.payload();
        let f = match v.checkpoint_time {
            Some(t) if t.saturating_mul(1000) < c.since.millis() => continue,
            Some(t) => Finding::violated(
                Check::Records,
                "record-key-compromised",
                format!(
                    "signed by key {} of {}, revoked at leaf {} as compromised since {since}: \
                     the first checkpoint in the bundle that includes the record (size {}) has \
                     log time {}, so it cannot be shown to have entered the log before the key \
                     was compromised",
                    Hash32(kid),
                    c.producer,
                    c.revoked_at,
                    v.checkpoint_size,
                    crate::record::types::Timestamp(t.saturating_mul(1000)).to_rfc3339()
                ),
            ),
            None => Finding::undetermined(
                Check::Records,
                "record-key-compromised-undetermined",
                format!(
                    "signed by key {} of {}, revoked at leaf {} as compromised since {since}: \
                     the record's checkpoint has no verified log time",
                    Hash32(kid),
                    c.producer,
                    c.revoked_at
                ),
            ),
        };
        v.authentic &= f.verdict != Verdict::Violated;
        out.push(f.at(v.leaf).record(&p.producer, p.seq));
    }
}

/// The export's own record must be a data-access record, in the bundle as the export.
fn export_record(bundle: &Bundle, records: &[VerifiedRecord], out: &mut Findings) {
    let leaf = bundle.export.access_leaf;
    let Some(r) = records.iter().find(|r| r.leaf == leaf) else {
        return;
    };
    let kind = r.record.as_ref().map(|x| x.payload().kind());
    if kind != Some(crate::record::Kind::DataAccess) || !r.roles.contains(&Role::Export) {
        out.push(
            Finding::violated(
                Check::Records,
                "bundle-export-record",
                "the record the bundle names as the export's own access record is not a \
                 data-access record marked as the export",
            )
            .at(leaf)
            .evidence(
                "a data-access record, role export",
                format!("{kind:?}, roles {:?}", r.roles),
            ),
        );
    }
}

/// The exporter's statements signature (key 15), under the key that signed the export's
/// access record as a proven key registration in the bundle admits it.
fn statements_signature(
    bundle: &Bundle,
    records: &[VerifiedRecord],
    out: &mut Findings,
) -> StatementsAuth {
    let leaf = bundle.export.access_leaf;
    let Some(sig) = &bundle.statements_signature else {
        out.push(
            Finding::undetermined(
                Check::Records,
                "bundle-statements-unsigned",
                "the bundle carries no signature over the exporter's statements (key 15): \
                 whoever handled the bundle could have changed them",
            )
            .at(leaf),
        );
        return StatementsAuth::Unsigned;
    };
    let Some(key) = export_key(records, leaf) else {
        out.push(
            Finding::undetermined(
                Check::Records,
                "bundle-statements-key",
                "the key that signed the export's access record is not admitted by an \
                 authentic key registration in the bundle: the exporter's statements \
                 signature cannot be checked",
            )
            .at(leaf),
        );
        return StatementsAuth::Unverified;
    };
    match key.verify(&bundle.statements_message(), sig) {
        Ok(()) => StatementsAuth::Signed,
        Err(e) => {
            out.push(
                Finding::violated(
                    Check::Records,
                    "bundle-statements-signature",
                    format!(
                        "the exporter's statements signature (key 15) does not verify under \
                         the key that signed the export's access record ({e}): the \
                         statements, the export's time or leaf were changed after the export"
                    ),
                )
                .at(leaf)
                .evidence(
                    format!("a signature by key {}", Hash32(key.key_id())),
                    "one that does not verify",
                ),
            );
            StatementsAuth::Unverified
        }
    }
}

/// The public key of the export's access record at `leaf` (proven), from the proven key
/// registration in the bundle that admits its kid for its producer.
fn export_key(records: &[VerifiedRecord], leaf: u64) -> Option<crate::crypto::PublicKey> {
    let access = records.iter().find(|r| r.leaf == leaf && r.proven())?;
    let rec = access.record.as_ref()?;
    let producer = &rec.payload().producer;
    records
        .iter()
        .filter(|r| r.leaf < leaf && r.proven())
        .filter_map(|r| match &r.record.as_ref()?.payload().body {
            crate::record::kinds::Body::KeyRegistration(reg) if reg.producer == *producer => {
                crate::crypto::PublicKey::from_bytes(&reg.public_key.0).ok()
            }
            _ => None,
        })
        .find(|k| k.key_id() == *rec.kid())
}

/// The disclosures of the record at `leaf`, each opening one of its commitments; `None`
/// (with a `bundle-disclosure-mismatch` finding) when one does not.
fn disclosures(
    leaf: u64,
    rec: &Record,
    raw: &[minicbor::bytes::ByteVec],
    out: &mut Findings,
) -> Option<Vec<Disclosure>> {
    let p = rec.payload();
    let mut ds = Vec::new();
    for (i, bytes) in raw.iter().enumerate() {
        let why = match Disclosure::from_bytes(bytes) {
            Err(e) => format!("does not decode ({e})"),
            Ok(d) => match p.sealed.iter().find(|(path, _)| *path == d.path) {
                Some((_, c)) if *c == d.commitment() => {
                    ds.push(d);
                    continue;
                }
                Some(_) => format!("of {} does not open the record's commitment", d.path),
                None => format!("names {}, a field the record does not seal", d.path),
            },
        };
        out.push(
            Finding::violated(
                Check::Records,
                "bundle-disclosure-mismatch",
                format!("disclosure {i} of the record {why}"),
            )
            .at(leaf)
            .record(&p.producer, p.seq),
        );
        return None;
    }
    Some(ds)
}

/// Check 8 over the bundle's records, with the verifier's own obligations unit.
fn obligations(
    bundle: &Bundle,
    trust: &Trust,
    records: &[VerifiedRecord],
    opened: &HashMap<u64, Vec<Disclosure>>,
    at_secs: u64,
    out: &mut Findings,
) -> Vec<NegativeChain> {
    if trust.obligation_policy_authority.is_none() {
        out.push(Finding::undetermined(
            Check::Obligations,
            "obligation-no-authority",
            crate::verify::obligations::NO_AUTHORITY,
        ));
        return bundle.chains.clone();
    }
    let mut unit = Obligations::new(trust);
    for v in records {
        let Some(rec) = &v.record else { continue };
        let ctx = RecordCtx {
            leaf: v.leaf,
            hash: Hash32(v.leaf_hash),
            rec,
            authentic: v.proven(),
            trust,
        };
        unit.record(&ctx, out);
    }
    let source = Opened(opened);
    let finish = Finish {
        trust,
        checkpoint_secs: Some(at_secs),
        disclosures: Some(&source),
    };
    unit.finish(&finish, out);
    bundle.chains.clone()
}

/// Each chain's conclusion, from check 8's finding on the record it is about.
fn conclude(
    chains: Vec<NegativeChain>,
    findings: &[Finding],
    needed: impl Fn(&NegativeChain) -> Option<crate::record::types::Timestamp>,
) -> Vec<ChainConclusion> {
    chains
        .into_iter()
        .map(|chain| {
            let needed_after = needed(&chain);
            let f = findings.iter().find(|f| {
                f.leaf == Some(chain.about)
                    && matches!(
                        f.code,
                        "obligation-sor-missing" | "obligation-sor-undetermined"
                    )
            });
            match f {
                Some(f) => ChainConclusion {
                    verdict: f.verdict,
                    code: Some(f.code),
                    message: match &f.found {
                        Some(found) => format!("{} ({found})", f.message),
                        None => f.message.clone(),
                    },
                    needed_after,
                    chain,
                },
                None => ChainConclusion {
                    verdict: Verdict::Holds,
                    code: None,
                    message: "no finding: the follow-up is in the bundle, or not yet due".into(),
                    needed_after,
                    chain,
                },
            }
        })
        .collect()
}

/// When a later record of `chain.producer` must be dated after for the chain to prove that
/// no statement of reasons followed the sanction at `chain.about`: its application date plus
/// the rule's deadline plus the follower's logging delay (the rule's, else the trust
/// file's), under the latest proven obligation policy of the pinned authority before it —
/// the verifier's own data, never the exporter's words.
fn needed_after(
    trust: &Trust,
    records: &[VerifiedRecord],
    chain: &NegativeChain,
) -> Option<crate::record::types::Timestamp> {
    use crate::record::kinds::Body;
    use crate::record::kinds::obligation_policy::ObligationType;
    let authority = trust.obligation_policy_authority.as_ref()?;
    let body = |r: &VerifiedRecord| r.record.as_ref().map(|x| x.payload().body.clone());
    let sanction = records.iter().find(|r| r.leaf == chain.about)?;
    let rec = sanction.record.as_ref()?;
    let Body::AccountSanction(s) = &rec.payload().body else {
        return None;
    };
    let policy = records
        .iter()
        .rev()
        .filter(|r| r.leaf < chain.about && r.proven())
        .filter(|r| {
            r.record
                .as_ref()
                .is_some_and(|x| x.payload().producer == *authority)
        })
        .find_map(|r| match body(r)? {
            Body::ObligationPolicy(p) => Some(p),
            _ => None,
        })?;
    let producer = rec.payload().producer.as_str();
    policy
        .rules
        .iter()
        .filter(|r| r.rule == ObligationType::StatementOfReasons && r.covers(producer))
        .filter(|r| r.followers.iter().any(|f| f.as_str() == chain.producer))
        .map(|r| {
            let delay = r
                .max_logging_delay_seconds
                .unwrap_or_else(|| trust.max_delay_ms(&chain.producer) / 1000);
            let secs = r.deadline_seconds.unwrap_or(0).saturating_add(delay);
            crate::record::types::Timestamp(
                s.application_date
                    .0
                    .saturating_add(secs.saturating_mul(1000)),
            )
        })
        .max()
}

/// Check 1 and 5 on the bundle's times (module docs): the checkpoints' log times ascend with
/// their sizes and are not after `--at`; each witness cosigned no earlier than the log
/// signed; each record is not dated after its first checkpoint and was not logged later
/// than its maximum delay after an earlier checkpoint in the bundle; the export's time is
/// not before its access record's nor after that record's checkpoint, and no checkpoint of
/// the bundle is dated after the export (with [`CLOCK_SKEW_SECS`] where clocks meet).
fn times(
    bundle: &Bundle,
    trust: &Trust,
    cps: &[VerifiedCheckpoint],
    records: &[VerifiedRecord],
    at: Option<u64>,
    out: &mut Findings,
) {
    use crate::record::types::Timestamp;
    use crate::verify::CLOCK_SKEW_SECS as SKEW;
    let ts = |s: u64| Timestamp(s.saturating_mul(1000)).to_rfc3339();
    let timed: Vec<(u64, u64)> = (cps.iter())
        .filter_map(|c| c.log_time.map(|t| (c.size, t)))
        .collect();
    for w in timed.windows(2) {
        if w[1].1 < w[0].1 {
            out.push(
                Finding::violated(
                    Check::Checkpoints,
                    "checkpoint-time-order",
                    format!(
                        "the bundle's checkpoint of size {} has an earlier log time than the \
                         one of size {}",
                        w[1].0, w[0].0
                    ),
                )
                .checkpoint_size(w[1].0)
                .evidence(format!("≥ {}", ts(w[0].1)), ts(w[1].1)),
            );
        }
    }
    for c in cps {
        let Some(t) = c.log_time else { continue };
        if let Some(a) = at.filter(|a| t > a.saturating_add(SKEW)) {
            out.push(
                Finding::violated(
                    Check::Checkpoints,
                    "checkpoint-time-future",
                    format!(
                        "the bundle's checkpoint of size {} has a log time more than {SKEW} s \
                         after the reference time",
                        c.size
                    ),
                )
                .checkpoint_size(c.size)
                .evidence(format!("≤ {}", ts(a)), ts(t)),
            );
        }
        for (name, wt) in &c.witnesses {
            if wt.saturating_add(SKEW) < t {
                out.push(
                    Finding::violated(
                        Check::Checkpoints,
                        "bundle-witness-time",
                        format!(
                            "witness {name} cosigned the checkpoint of size {} at a time more \
                             than {SKEW} s before the log signed it",
                            c.size
                        ),
                    )
                    .checkpoint_size(c.size)
                    .evidence(format!("≥ {}", ts(t)), ts(*wt)),
                );
            }
        }
    }
    for r in records {
        record_times(r, trust, &timed, out);
    }
    export_time(bundle, cps, records, out);
}

/// Check 5 for one record against the bundle's checkpoints (`timed`: size, log time).
fn record_times(r: &VerifiedRecord, trust: &Trust, timed: &[(u64, u64)], out: &mut Findings) {
    use crate::record::types::Timestamp;
    let Some(rec) = &r.record else { return };
    let p = rec.payload();
    let occurred = p.occurred_at.millis();
    let at = |f: Finding| f.at(r.leaf).record(&p.producer, p.seq);
    if let Some(t) = r.checkpoint_time
        && occurred > t.saturating_mul(1000)
    {
        out.push(
            at(Finding::violated(
                Check::Ordering,
                "time-after-checkpoint",
                format!(
                    "the record's time is after the log's cosigned time of the bundle's \
                     checkpoint of size {} that first includes it",
                    r.checkpoint_size
                ),
            ))
            .evidence(
                format!("≤ {}", Timestamp(t * 1000).to_rfc3339()),
                p.occurred_at.to_rfc3339(),
            ),
        );
    }
    let max = trust.max_delay_ms(p.producer.as_str());
    let before = timed.iter().rev().find(|(size, _)| *size <= r.leaf);
    if let Some(&(size, tp)) = before
        && occurred.saturating_add(max) < tp.saturating_mul(1000)
    {
        out.push(
            at(Finding::violated(
                Check::Ordering,
                "time-logging-delay",
                format!(
                    "the record is dated more than its producer's maximum logging delay \
                     ({} s) before the bundle's checkpoint of size {size}, which does not yet \
                     include it: logged too late",
                    max / 1000
                ),
            ))
            .evidence(
                format!(
                    "≥ {}",
                    Timestamp(tp * 1000 - max.min(tp * 1000)).to_rfc3339()
                ),
                p.occurred_at.to_rfc3339(),
            ),
        );
    }
}

/// The export's time against its access record and the bundle's checkpoints.
fn export_time(
    bundle: &Bundle,
    cps: &[VerifiedCheckpoint],
    records: &[VerifiedRecord],
    out: &mut Findings,
) {
    use crate::record::types::Timestamp;
    use crate::verify::CLOCK_SKEW_SECS as SKEW;
    let e = &bundle.export;
    let ts = |s: u64| Timestamp(s.saturating_mul(1000)).to_rfc3339();
    let fail = |why: String, expected: String, found: String| {
        Finding::violated(
            Check::Ordering,
            "bundle-export-time",
            format!("the export's time ({}) {why}", ts(e.time)),
        )
        .at(e.access_leaf)
        .evidence(expected, found)
    };
    let access = records.iter().find(|r| r.leaf == e.access_leaf);
    if let Some(rec) = access.and_then(|r| r.record.as_ref()) {
        let own = rec.payload().occurred_at.millis() / 1000;
        if e.time < own {
            out.push(fail(
                "is before its own access record's time".into(),
                format!("≥ {}", ts(own)),
                ts(e.time),
            ));
        }
    }
    if let Some(t) = access.and_then(|r| r.checkpoint_time)
        && e.time > t
    {
        out.push(fail(
            "is after the log time of the checkpoint that first includes its access record".into(),
            format!("≤ {}", ts(t)),
            ts(e.time),
        ));
    }
    if let Some(t) = cps.last().and_then(|c| c.log_time)
        && t > e.time.saturating_add(SKEW)
    {
        out.push(fail(
            format!("is more than {SKEW} s before the newest checkpoint's log time"),
            format!("≥ {}", ts(t.saturating_sub(SKEW))),
            ts(e.time),
        ));
    }
}

/// Each entry's COSE receipt (key 13): signed by the trust file's log key for the bundle's
/// origin, and for the entry's own record, leaf, and first checkpoint's size and root —
/// `bundle-receipt` when not.
fn receipts(
    bundle: &Bundle,
    trust: &Trust,
    cps: &[VerifiedCheckpoint],
    records: &mut [VerifiedRecord],
    out: &mut Findings,
) {
    let Some(receipts) = &bundle.receipts else {
        return;
    };
    let key = trust.log.public_key();
    for ((e, r), v) in bundle.entries.iter().zip(receipts).zip(records.iter_mut()) {
        if r.is_empty() {
            continue;
        }
        let cp = &cps[e.checkpoint as usize];
        let why = match crate::receipt::verify(r, &e.record, key, &bundle.origin) {
            Err(err) => Some(format!("does not verify ({err})")),
            Ok(x) if x.leaf_index != e.leaf || x.tree_size != cp.size || x.root != cp.root => {
                Some(format!(
                    "proves leaf {} in the tree of size {} (root {}), not the entry's leaf in \
                     its checkpoint of size {} (root {})",
                    x.leaf_index,
                    x.tree_size,
                    hex::encode(x.root),
                    cp.size,
                    hex::encode(cp.root)
                ))
            }
            Ok(_) => None,
        };
        v.receipt = Some(why.is_none());
        if let Some(why) = why {
            out.push(
                Finding::violated(
                    Check::Tree,
                    "bundle-receipt",
                    format!("the record's COSE receipt (key 13) {why}"),
                )
                .at(e.leaf)
                .checkpoint_size(cp.size),
            );
        }
    }
}

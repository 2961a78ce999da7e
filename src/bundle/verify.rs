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
        .map(|(i, n)| open(n, i, trust, &mut out))
        .collect();
    consistency(bundle, trust, &mut checkpoints, &mut out);
    let held = held.map(|n| held_consistent(bundle, trust, n, &checkpoints, &mut out));
    let at_secs = at.unwrap_or_else(|| checkpoints.last().and_then(|c| c.log_time).unwrap_or(0));
    let at_source = match at {
        Some(_) => AtSource::Given,
        None => AtSource::NewestCheckpoint,
    };
    let (records, opened) = records(bundle, trust, &checkpoints, &mut out);
    export_record(bundle, &records, &mut out);
    let chains = obligations(bundle, trust, &records, &opened, at_secs, &mut out);
    let (_, _, findings) = out.finish(&BTreeMap::new());
    let chains = conclude(chains, &findings);
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
    let mine = open(note, usize::MAX, trust, out);
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

/// Check 1 for the checkpoint `note` (`checkpoints[i]`): the log key, then the witnesses.
fn open(note: &[u8], i: usize, trust: &Trust, out: &mut Findings) -> VerifiedCheckpoint {
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
    let quorum = trust.file.witness_quorum;
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
    (vs, opened)
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
fn conclude(chains: Vec<NegativeChain>, findings: &[Finding]) -> Vec<ChainConclusion> {
    chains
        .into_iter()
        .map(|chain| {
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
                    chain,
                },
                None => ChainConclusion {
                    verdict: Verdict::Holds,
                    code: None,
                    message: "no finding: the follow-up is in the bundle, or not yet due".into(),
                    chain,
                },
            }
        })
        .collect()
}

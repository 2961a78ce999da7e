//! The verifier: proves, against the trust anchors of a [`Trust`] file and the auditor's own
//! [`AuditorState`] only, checks 1–6 of DESIGN.md §What the verifier proves over the
//! public part of a log, and returns every finding as data ([`Report`]). docs/CHECKS.md
//! lists each check's codes and the trust-model table.
//!
//! Owns the streaming driver: the checkpoint first (check 1), then the entry bundles in
//! order, a batch of bundles at a time — decoded and signature-checked in parallel on all
//! cores (rayon), then checked in leaf order against the evolving key registry, producer
//! chains and authorisation table (checks 2–6). Memory is bounded by the number of
//! producers, keys, authorisations and open items (gaps, unresolved references), not by
//! the number of records as such — though a hostile log can make those grow with its size
//! (every record a new producer, gap or reference). Reading stops at the first missing
//! entry bundle, so a claimed size costs nothing beyond the entries present. Reads only through an [`ObjectStore`] over the log's public part; never
//! prints, never reads the clock (the reference time comes in [`Options`]).
//!
//! Verification never stops at a finding: everything that can be checked is checked, and a
//! check that cannot run says why.
//!
//! Every object is read through the store's bounded, type-checked reads (see [`crate::store`]):
//! a FIFO, device, directory or symbolic link in an object's place, or an object beyond its
//! format's bound, is a finding about that object, never a hang or a whole-file read.
//!
//! A consistency proof of check 1 is read from the tiles, so when one fails a full run decides
//! check 1 only after check 2: the tree recomputed from the entries gives the root at each such
//! auditor checkpoint's size; when the entries reproduce it and the published root, only the
//! stored tiles are corrupt (check 2 reports each corrupt tile once), otherwise it is
//! `checkpoint-inconsistent`. An incremental run cannot tell them apart and says so
//! (`checkpoint-consistency-undetermined`).
//!
//! An incremental run ([`Options::incremental`], `verify --since`) resumes from the state's
//! [`state::Resume`] point: check 1 proves the published tree extends the resume checkpoint,
//! check 2 resumes the tree's right edge from the tiles (authenticated by the resume root),
//! and checks 3–6 read only the leaves `[resume size, published size)`, starting from the
//! key registry, chains and authorisations carried in the state. References to (and heads
//! at) earlier records are looked up by a second, read-only pass, each found leaf proven by
//! an inclusion proof against the published root.

mod authorisation;
pub(crate) mod chains;
mod checkpoints;
mod history;
pub mod keys;
mod records;
pub mod report;
pub mod retention;
pub mod state;
mod tree_check;
pub mod trust;
pub mod witness;

use std::collections::{BTreeMap, HashMap, HashSet};

use rayon::prelude::*;

use crate::log::reader::{CHECKPOINT_KEY, LogReader, ReadError};
use crate::record::types::Hash32;
use crate::record::{Record, RecordError};
use crate::store::{ObjectStore, StoreError};
use crate::tiles::{self, EntryBundleId};
use crate::tree;

pub use checkpoints::CLOCK_SKEW_SECS;
pub use report::{
    Check, CheckSummary, Finding, Provenance, Report, RetentionCounts, RetentionHeld,
    RetentionOverdue, RetentionPolicyApplied, RetentionStatus, Verdict,
};
pub use state::{AuditorState, KnownHead, Resume, SeenCheckpoint};
pub use trust::{Trust, TrustError, TrustFile};

/// Entry bundles decoded and signature-checked together (256 records each).
pub const BATCH_BUNDLES: usize = 8;

/// Options of a run.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The reference time of the verdicts (seconds since the epoch): `--at`, or the clock,
    /// read by the caller.
    pub at_secs: u64,
    /// Resume from the state's resume point instead of reading every leaf (`--since`).
    pub incremental: bool,
}

/// Check 7's default grace: a disclosure whose deadline passed at most this long ago is due
/// (a daily sweep), longer is kept too long.
pub const DEFAULT_RETENTION_GRACE: std::time::Duration = std::time::Duration::from_secs(86_400);

/// What check 7 needs beyond the public part: read access to the log's disclosures.
#[derive(Clone, Copy)]
pub struct RetentionAccess<'a> {
    pub disclosures: &'a dyn crate::retention::DisclosureSource,
    /// How long after its deadline a disclosure still present counts as due, not overdue.
    pub grace: std::time::Duration,
}

/// Progress of a run, for a progress bar (the library never draws one).
pub trait Progress: Sync {
    /// The run will read `total` records.
    fn start(&self, _total: u64) {}
    /// `n` more records were checked.
    fn advance(&self, _n: u64) {}
}

/// No progress reporting.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {}

/// Why verification could not run at all (as opposed to findings, which are data).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("reading the log: {0}")]
    Read(String),
    /// An incremental run was asked for, but the state cannot be resumed from.
    #[error("cannot verify incrementally: {0}")]
    NoResume(String),
}

/// What a run returns: the report, and the auditor state to store (present when checks 1
/// and 2 hold: the checkpoint is authentic, consistent with the state and recomputed).
#[derive(Debug, Clone)]
pub struct Outcome {
    pub report: Report,
    pub new_state: Option<AuditorState>,
}

enum Item {
    Entry(u64, Vec<u8>),
    Lost(std::ops::Range<u64>),
}

/// Why check 7 did not run when no [`RetentionAccess`] is given.
pub const NO_DISCLOSURE_ACCESS: &str = "no access to the log's private part (disclosures): \
     check 7 needs the log directory itself (DIR/private), not only its public part";

/// Verify the public part of a log (`store`) against `trust` and the auditor's `state`;
/// check 7 is reported as not run ([`NO_DISCLOSURE_ACCESS`]).
pub fn verify(
    store: &dyn ObjectStore,
    trust: &Trust,
    state: &AuditorState,
    options: &Options,
    progress: &dyn Progress,
) -> Result<Outcome, VerifyError> {
    verify_with_retention(store, trust, state, options, progress, None)
}

/// [`verify`], and with `retention` check 7 as a second pass over every entry (when checks
/// 1 and 2 found no violation), reading the disclosures through it.
pub fn verify_with_retention(
    store: &dyn ObjectStore,
    trust: &Trust,
    state: &AuditorState,
    options: &Options,
    progress: &dyn Progress,
    retention: Option<RetentionAccess<'_>>,
) -> Result<Outcome, VerifyError> {
    let mut out = report::Findings::default();
    out.require(trust.require_checks.iter().copied());
    let mut not_run: BTreeMap<Check, String> = BTreeMap::new();
    if retention.is_none() {
        not_run.insert(Check::Retention, NO_DISCLOSURE_ACCESS.into());
    }
    let resume = if options.incremental {
        let r = state.resume.as_ref().ok_or_else(|| {
            VerifyError::NoResume(
                "the auditor's state holds no resume point: run a full verification with the \
                 same state first"
                    .into(),
            )
        })?;
        if !state
            .checkpoints
            .iter()
            .any(|c| c.size == r.size && c.root == r.root)
        {
            return Err(VerifyError::NoResume(format!(
                "the resume point (size {}, root {}) is not one of the state's checkpoints",
                r.size, r.root
            )));
        }
        Some(r)
    } else {
        None
    };
    let from = resume.map_or(0, |r| r.size);
    let reader = LogReader::new(store, trust.alg);
    // Bounded, and refused unless a regular file (the store's read rules).
    let cp_bytes = match store.get_at_most(CHECKPOINT_KEY, crate::note::MAX_NOTE_SIZE) {
        Ok(b) => Ok(b),
        Err(e @ (StoreError::TooLarge { .. } | StoreError::NotRegular { .. })) => Err(e),
        Err(e) => return Err(e.into()),
    };
    // Auditor checkpoints the published tree does not extend say nothing about its leaves'
    // times: they are evidence of the rewrite (check 1), not a timeline for check 5. Those
    // whose proof from the tiles fails (`unproven`) are classified from the entries below.
    let mut inconsistent = Vec::new();
    let mut unproven = Vec::new();
    let published = checkpoints::check(
        cp_bytes.as_ref().map(Option::as_deref),
        trust,
        state,
        &reader,
        &mut out,
        &mut inconsistent,
        &mut unproven,
    );
    let cp_bytes = cp_bytes.ok().flatten();
    let provenance = provenance(trust, options, resume.map(|r| r.size));
    if let (Some(p), Some(_)) = (&published, resume) {
        for u in &unproven {
            out.push(checkpoints::undetermined(u, p));
        }
    }
    let unproven_resume = resume.is_some_and(|r| unproven.iter().any(|u| u.size == r.size));
    let cannot_resume = unproven_resume || resume.is_some_and(|r| inconsistent.contains(&r.size));
    inconsistent.extend(unproven.iter().map(|u| u.size));
    let published = published.filter(|_| !cannot_resume);
    let Some(published) = published else {
        let why = if unproven_resume {
            format!(
                "the published tree is not proven to extend the auditor's checkpoint of size \
                 {from} (inconsistent or corrupt tiles, see checkpoint-consistency-undetermined): \
                 an incremental run cannot resume from it; run a full verification"
            )
        } else if cannot_resume {
            format!(
                "the published tree is not an extension of the auditor's checkpoint of size {from} \
                 (checkpoint-inconsistent): an incremental run cannot resume from it; run a full \
                 verification"
            )
        } else {
            "no readable checkpoint: the tree size is unknown".into()
        };
        for c in [
            Check::Tree,
            Check::Records,
            Check::Completeness,
            Check::Ordering,
            Check::Authorisation,
            Check::Retention,
        ] {
            not_run.insert(c, why.clone());
        }
        let (checks, counts, findings) = out.finish(&not_run);
        return Ok(Outcome {
            report: Report {
                format: report::REPORT_FORMAT,
                provenance,
                tree_size: None,
                records_checked: 0,
                checks,
                counts,
                findings,
                retention: None,
            },
            new_state: None,
        });
    };
    let size = published.size;
    let origin = trust.origin();
    let mut known: Vec<(u64, u64)> = state
        .checkpoints
        .iter()
        .filter(|c| c.size <= size && !inconsistent.contains(&c.size))
        .map(|c| (c.size, c.log_time))
        .collect();
    if let Some(t) = published.log_time {
        known.push((size, t));
    }
    known.sort_unstable();
    known.dedup_by_key(|c| c.0);
    checkpoints::check_times(&published, &known, options.at_secs, &mut out);

    let (mut tree, mut registry, mut chains, mut auths) = match resume {
        None => (
            {
                let mut t = tree_check::TreeCheck::new(trust.alg, size);
                t.record_roots_at(unproven.iter().map(|u| u.size));
                t
            },
            records::Registry::new(trust),
            chains::Chains::new(state, known.clone()),
            authorisation::Authorisations::new(known.clone()),
        ),
        Some(r) => {
            let partial = resume_tiles(&reader, from, size)?;
            (
                tree_check::TreeCheck::resume(trust.alg, from, size, partial, &r.root.0, &mut out),
                records::Registry::resume(trust, &r.keys).map_err(VerifyError::NoResume)?,
                chains::Chains::resume(state, known.clone(), r).map_err(VerifyError::NoResume)?,
                authorisation::Authorisations::resume(&r.grants, known.clone()),
            )
        }
    };
    // The log's published checkpoint history (check 1), compared with the tree below.
    let history_entries = history::read(store, trust, from, size, cp_bytes.as_deref(), &mut out)?;
    tree.record_roots_at(history_entries.iter().map(|e| e.size));
    let mut records_checked = 0u64;
    // Leaves check 7 leaves out: not decodable, or not authentic (check 3).
    let mut not_authentic: HashSet<u64> = HashSet::new();
    progress.start(size - from);

    let mut bundles = tiles::tiles_at_level(0, size).skip((from >> tiles::TILE_HEIGHT) as usize);
    // The first leaf of the first missing entry bundle: nothing from there on is read (the
    // size may be an unauthenticated claim of up to 2^62 leaves).
    let mut truncated_at: Option<u64> = None;
    while truncated_at.is_none() {
        let batch: Vec<_> = bundles.by_ref().take(BATCH_BUNDLES).collect();
        if batch.is_empty() {
            break;
        }
        let mut items = Vec::new();
        for t in batch {
            let b = EntryBundleId::new(t.index(), t.width())
                .map_err(|e| VerifyError::Read(e.to_string()))?;
            let range = b.leaf_range();
            match reader.bundle(b) {
                Ok(es) => items.extend(
                    es.into_iter()
                        .enumerate()
                        .map(|(k, e)| (range.start + k as u64, e))
                        .filter(|(leaf, _)| *leaf >= from)
                        .map(|(leaf, e)| Item::Entry(leaf, e)),
                ),
                Err(ReadError::Missing { path }) => {
                    out.push(
                        Finding::violated(
                            Check::Tree,
                            "tree-entries-missing",
                            format!(
                                "entry bundle {path} (leaves {}..{}) is missing: the directory \
                                 is truncated; leaves {}..{} (from this bundle to the \
                                 checkpoint's size) are not read",
                                range.start,
                                range.end - 1,
                                range.start,
                                size - 1
                            ),
                        )
                        .at(range.start)
                        .evidence(
                            format!("{} entries from leaf {}", size - range.start, range.start),
                            format!("none in {path}"),
                        ),
                    );
                    items.push(Item::Lost(range.start.max(from)..size));
                    truncated_at = Some(range.start);
                    break;
                }
                Err(ReadError::Corrupt { path, reason }) => {
                    out.push(
                        Finding::violated(
                            Check::Tree,
                            "tree-bundle-malformed",
                            format!(
                                "entry bundle {path} (leaves {}..{}) does not decode: {reason}",
                                range.start,
                                range.end - 1
                            ),
                        )
                        .at(range.start),
                    );
                    items.push(Item::Lost(range.start.max(from)..range.end));
                }
                Err(ReadError::Store(e @ StoreError::NotRegular { .. })) => {
                    let what = format!("entry bundle {}", b.path());
                    out.push(tree_check::not_regular(&what, range.start, &e));
                    items.push(Item::Lost(range.start.max(from)..range.end));
                }
                Err(ReadError::Store(StoreError::TooLarge { max, .. })) => {
                    out.push(
                        Finding::violated(
                            Check::Tree,
                            "tree-bundle-malformed",
                            format!(
                                "entry bundle {} (leaves {}..{}) is larger than an entry bundle \
                                 may be; not read",
                                b.path(),
                                range.start,
                                range.end - 1
                            ),
                        )
                        .at(range.start)
                        .evidence(format!("at most {max} bytes"), format!("more than {max}")),
                    );
                    items.push(Item::Lost(range.start.max(from)..range.end));
                }
                Err(ReadError::Store(e)) => return Err(e.into()),
                Err(e) => return Err(VerifyError::Read(e.to_string())),
            }
        }
        // Decode and hash in parallel, learn key material, check signatures in parallel.
        let decoded: Vec<Option<(Hash32, Result<Record, RecordError>)>> = items
            .par_iter()
            .map(|it| match it {
                Item::Entry(_, e) => Some((Hash32(trust.alg.leaf(e)), Record::decode(e))),
                Item::Lost(_) => None,
            })
            .collect();
        for (_, r) in decoded.iter().flatten() {
            if let Ok(rec) = r {
                registry.learn_material(rec);
            }
        }
        let sigs: Vec<Option<Result<(), RecordError>>> = decoded
            .par_iter()
            .map(|d| {
                let rec = d.as_ref()?.1.as_ref().ok()?;
                registry.material(rec.kid()).map(|k| rec.verify(k, origin))
            })
            .collect();
        // In leaf order.
        let mut n = 0u64;
        for ((item, d), sig) in items.iter().zip(&decoded).zip(&sigs) {
            match (item, d) {
                (Item::Lost(range), _) => {
                    tree.break_at(range.start);
                    chains.lost_entries();
                    for c in [
                        Check::Tree,
                        Check::Records,
                        Check::Completeness,
                        Check::Ordering,
                        Check::Authorisation,
                    ] {
                        out.incomplete(
                            c,
                            format!(
                                "the entries of leaves {}..{} could not be read (check 2)",
                                range.start,
                                range.end - 1
                            ),
                        );
                    }
                }
                (Item::Entry(leaf, _), Some((hash, rec))) => {
                    n += 1;
                    tree.push_leaf(*leaf, hash.0, store, &mut out)?;
                    match rec {
                        Err(e) => {
                            not_authentic.insert(*leaf);
                            out.push(
                                Finding::violated(
                                    Check::Records,
                                    "record-malformed",
                                    format!("the record does not decode strictly: {e}"),
                                )
                                .at(*leaf)
                                .evidence("a canonical record of a known kind", e.code()),
                            )
                        }
                        Ok(rec) => {
                            let authentic =
                                registry.check(*leaf, rec, sig.as_ref(), origin, &mut out);
                            if !authentic {
                                not_authentic.insert(*leaf);
                            }
                            chains.check(*leaf, *hash, rec, authentic, trust, &mut out);
                            auths.check(*leaf, rec, authentic, trust, &mut out);
                        }
                    }
                }
                (Item::Entry(..), None) => unreachable!("every entry is decoded"),
            }
        }
        records_checked += n;
        progress.advance(n);
    }
    let recomputed = tree.finish(&published.root, store, &mut out)?;
    let mut anchors = vec![(size, published.root)];
    anchors.extend(resume.map(|r| (r.size, r.root.0)));
    history::compare(
        &history_entries,
        &anchors,
        &recomputed.roots_at,
        trust.alg.empty(),
        &mut out,
    );
    if resume.is_none() {
        // Check 1 after check 2: an auditor checkpoint whose proof from the tiles failed is
        // judged by the entries (a rewrite, or only corrupt tiles that check 2 reported).
        let reproduced = recomputed.root == Some(published.root);
        let tiles_differ = out.violations_in(Check::Tree) > 0;
        for u in &unproven {
            let at = recomputed.roots_at.get(&u.size);
            checkpoints::classify(u, at, reproduced, tiles_differ, &published, &mut out);
        }
    }
    // Keys revoked as compromised: their records before the revocation, by a second,
    // read-only pass (a leaf before the resume point counts only with an inclusion proof).
    let compromises = registry.take_compromises();
    if !compromises.is_empty() {
        let counts = |leaf: u64, hash: &tree::Hash| {
            if leaf >= from {
                return !not_authentic.contains(&leaf);
            }
            reader.inclusion_proof(size, leaf).is_ok_and(|p| {
                let alg = trust.alg;
                alg.verify_inclusion(leaf, size, hash, &p, &published.root)
                    .is_ok()
            })
        };
        let input = records::CompromiseInput {
            reader: &reader,
            origin,
            checkpoints: &known,
            readable: truncated_at.unwrap_or(size),
            counts: &counts,
            leaf: &|e| trust.alg.leaf(e),
        };
        let bad = records::judge_compromised(&input, &compromises, &mut out);
        not_authentic.extend(bad);
    }
    chains.heartbeats_due(trust, published.log_time, &registry, &mut out);
    // References older than the window (and, incrementally, heads before the resume point):
    // one more pass, reading only. A leaf before the resume point counts only when an
    // inclusion proof from the tiles leads to the published root.
    let old = chains.take_old_refs();
    let mut wanted: HashSet<(String, u64)> = old
        .iter()
        .map(|o| (o.target.producer.to_string(), o.target.seq))
        .collect();
    wanted.extend(chains.past_heads());
    let mut found: HashMap<(String, u64), Hash32> = HashMap::new();
    if !wanted.is_empty() {
        let included = |leaf: u64, hash: &tree::Hash| {
            leaf >= from
                || reader.inclusion_proof(size, leaf).is_ok_and(|p| {
                    trust
                        .alg
                        .verify_inclusion(leaf, size, hash, &p, &published.root)
                        .is_ok()
                })
        };
        let readable = truncated_at.unwrap_or(size);
        for t in tiles::tiles_at_level(0, size) {
            if found.len() == wanted.len() {
                break;
            }
            let Ok(b) = EntryBundleId::new(t.index(), t.width()) else {
                continue;
            };
            if b.leaf_range().start >= readable {
                break;
            }
            let es = match reader.bundle(b) {
                Ok(es) => es,
                Err(ReadError::Missing { .. }) => break,
                Err(_) => continue,
            };
            let first = b.leaf_range().start;
            for (k, e) in es.iter().enumerate() {
                if let Ok(r) = Record::decode(e) {
                    let key = (r.payload().producer.to_string(), r.payload().seq);
                    if wanted.contains(&key) && !found.contains_key(&key) {
                        let h = trust.alg.leaf(e);
                        if included(first + k as u64, &h) {
                            found.insert(key, Hash32(h));
                        }
                    }
                }
            }
        }
        chains::resolve_old(&old, &found, &mut out);
    }
    examined(
        &mut out,
        state,
        records_checked,
        chains.followed(),
        auths.judged(),
        trust,
    );
    let (heads, carried) = chains.finish(&found, &mut out);
    // An auditor checkpoint not proven consistent (incremental run) keeps the state too.
    let advance = published.authentic
        && (resume.is_none() || unproven.is_empty())
        && out.violations_in(Check::Checkpoints) == 0
        && out.violations_in(Check::Tree) == 0;
    let retention = match retention {
        None => None,
        Some(_) if !advance => {
            not_run.insert(
                Check::Retention,
                "checks 1 and 2 did not hold: the entries read are not proven to be the \
                 checkpoint's tree"
                    .into(),
            );
            None
        }
        Some(access) => {
            let input = retention::Input {
                store,
                root: published.root,
                reader: &reader,
                trust,
                size: truncated_at.unwrap_or(size),
                skip: &not_authentic,
                disclosures: access.disclosures,
                at: crate::record::types::Timestamp(options.at_secs.saturating_mul(1000)),
                grace: access.grace,
            };
            match retention::check(&input, &mut out) {
                Ok(status) => Some(status),
                Err(why) => {
                    not_run.insert(Check::Retention, why);
                    None
                }
            }
        }
    };
    let new_state = advance.then(|| {
        let mut s = state.clone();
        s.add_checkpoint(SeenCheckpoint {
            size,
            root: Hash32(published.root),
            log_time: published.log_time.unwrap_or(0),
            note: cp_bytes
                .as_deref()
                .map(|b| String::from_utf8_lossy(b).into_owned())
                .unwrap_or_default(),
        });
        // Only heads that extend the auditor's (`Chains::finish` keeps the others).
        for h in heads {
            s.set_head(h);
        }
        s.resume = carried.map(|c| Resume {
            size,
            root: Hash32(published.root),
            chains: c.chains,
            keys: registry.to_state(),
            grants: auths.to_state(trust.max_delay_ms(trust.registry.as_str())),
            forward_refs: c.forward_refs,
        });
        s
    });
    let (checks, counts, mut findings) = out.finish(&not_run);
    stamp_times(&reader, truncated_at.unwrap_or(size), &mut findings);
    let mut provenance = provenance;
    if retention.is_some() {
        provenance.time_zone_data = "IANA time zone database bundled into the binary (jiff; \
             version not reported); check 7 computes calendar deadlines in each rule's zone, \
             checks 1–6 compare UTC instants only"
            .into();
    }
    Ok(Outcome {
        report: Report {
            format: report::REPORT_FORMAT,
            provenance,
            tree_size: Some(size),
            records_checked,
            checks,
            counts,
            findings,
            retention,
        },
        new_state,
    })
}

/// Give each kept finding about a record (leaf and producer) below `readable` the record's
/// own time, read again from its entry bundle (one read per bundle).
fn stamp_times(reader: &LogReader<'_>, readable: u64, findings: &mut [Finding]) {
    let mut bundles: BTreeMap<u64, Vec<usize>> = BTreeMap::new();
    for (i, f) in findings.iter().enumerate() {
        if let (Some(leaf), Some(_)) = (f.leaf, &f.producer)
            && leaf < readable
        {
            bundles
                .entry(leaf >> tiles::TILE_HEIGHT)
                .or_default()
                .push(i);
        }
    }
    for (index, wanted) in bundles {
        let width = (readable - (index << tiles::TILE_HEIGHT)).min(u64::from(tiles::TILE_WIDTH));
        let Ok(b) = EntryBundleId::new(index, width as u16) else {
            continue;
        };
        let Ok(entries) = reader.bundle(b) else {
            continue;
        };
        for i in wanted {
            let f = &mut findings[i];
            let k = (f.leaf.unwrap_or(0) - b.leaf_range().start) as usize;
            let Some(Ok(rec)) = entries.get(k).map(|e| Record::decode(e)) else {
                continue;
            };
            let p = rec.payload();
            if Some(p.producer.as_str()) == f.producer.as_deref() {
                f.time = Some(recorded_time(p.occurred_at, p.utc_offset_minutes));
            }
        }
    }
}

/// `t` in RFC 3339 at the producer's recorded UTC offset (UTC when none was recorded).
fn recorded_time(t: crate::record::types::Timestamp, offset_minutes: Option<i16>) -> String {
    let Some(o) = offset_minutes.filter(|&o| o != 0) else {
        return t.to_rfc3339();
    };
    let shifted = if o > 0 {
        t.0.saturating_add(u64::from(o.unsigned_abs()) * 60_000)
    } else {
        t.0.saturating_sub(u64::from(o.unsigned_abs()) * 60_000)
    };
    let text = crate::record::types::Timestamp(shifted).to_rfc3339();
    let sign = if o > 0 { '+' } else { '-' };
    let a = o.unsigned_abs();
    format!(
        "{}{sign}{:02}:{:02}",
        text.trim_end_matches('Z'),
        a / 60,
        a % 60
    )
}

/// What checks 1–6 examined, for the report (check 7 says its own).
fn examined(
    out: &mut report::Findings,
    state: &AuditorState,
    records: u64,
    chains: u64,
    accesses: u64,
    trust: &Trust,
) {
    let none = "the log holds no records (in the range read)";
    out.examined(
        Check::Checkpoints,
        1 + state.checkpoints.len() as u64,
        "checkpoints",
        "",
    );
    out.examined(Check::Tree, records, "leaves", none);
    out.examined(Check::Records, records, "records", none);
    out.examined(Check::Completeness, chains, "chains", none);
    out.examined(Check::Ordering, records, "records", none);
    let why = if trust.authorisation_required.is_empty() {
        "no producer is required to name an authorisation (trust file authorisation_required) \
         and no data access names one"
    } else {
        "no data access by a producer required to name an authorisation, and none names one"
    };
    out.examined(Check::Authorisation, accesses, "accesses", why);
}

/// The hashes of each level's partial tile under `from` (what [`tree_check::TreeCheck`]
/// resumes from), read from the tiles of the tree of `size`.
fn resume_tiles(
    reader: &LogReader<'_>,
    from: u64,
    size: u64,
) -> Result<Vec<Vec<tree::Hash>>, VerifyError> {
    let mut levels = Vec::new();
    for level in 0..=tiles::MAX_TILE_LEVEL {
        let count = from >> (u32::from(tiles::TILE_HEIGHT) * u32::from(level));
        if count == 0 {
            break;
        }
        let width = (count % u64::from(tiles::TILE_WIDTH)) as usize;
        let index = count >> tiles::TILE_HEIGHT;
        let mut hashes = Vec::with_capacity(width);
        if width > 0 {
            let tile = tiles::tiles_at_level(level, size)
                .find(|t| t.index() == index)
                .ok_or_else(|| VerifyError::Read(format!("no level-{level} tile {index}")))?;
            // A missing or short tile leaves the hashes short: the resume root then does not
            // match, which is reported as tree-resume-mismatch.
            if let Ok(data) = reader.tile(tile) {
                hashes.extend(
                    data.chunks_exact(32)
                        .take(width)
                        .map(|c| <tree::Hash>::try_from(c).expect("32 bytes")),
                );
            }
        }
        levels.push(hashes);
    }
    Ok(levels)
}

fn provenance(trust: &Trust, options: &Options, from: Option<u64>) -> Provenance {
    Provenance {
        tool: "logseal".into(),
        tool_version: env!("CARGO_PKG_VERSION").into(),
        report_format: report::REPORT_FORMAT,
        record_format: crate::record::payload::VERSION,
        trust_format: trust::TRUST_FORMAT,
        state_format: state::STATE_FORMAT,
        origin: trust.origin().to_string(),
        tree_hash: trust.alg.name().to_string(),
        trust_anchors: trust.anchors(),
        witness_quorum: trust.file.witness_quorum,
        time_zone_data: "none: checks 1–6 compare UTC instants only".into(),
        at: options.at_secs,
        incremental_from: from,
    }
}

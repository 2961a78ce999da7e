//! The verifier: proves, against the trust anchors of a [`Trust`] file and the auditor's own
//! [`AuditorState`] only, checks 1–6 of DESIGN.md §What the verifier proves over the
//! public part of a log, and returns every finding as data ([`Report`]). docs/CHECKS.md
//! lists each check's codes and the trust-model table.
//!
//! Orchestrates a run in stages, each check a unit with its own state:
//! 1. check 1 (`checkpoints`): the published checkpoint and its consistency with the
//!    auditor's;
//! 2. the driver (`driver`) reads the entry bundles in order, a batch at a time, decodes
//!    them and checks their signatures once (in parallel on all cores, rayon), and feeds
//!    every leaf in leaf order to check 2 (`tree_check`, every leaf hash), check 3
//!    (`records`, which decides whether a record is authentic) and the units fed records
//!    (`driver::Unit`): checks 4 and 5 (`chains`), check 6 (`authorisation`). A new
//!    per-record check is one more unit;
//! 3. each unit finishes with its findings, in this order: check 2 (and check 1's
//!    unproven checkpoints judged by the recomputed tree), check 3's compromise windows,
//!    checks 4 and 5 (required heartbeats, old references, heads), each with the driver's
//!    read-only lookups for what it could not see in the stream;
//! 4. check 7 (`retention`), a separate walk over the entries, when checks 1 and 2 hold (in
//!    an incremental run over the new leaves and the old records the state's deadline index
//!    says fell due or a new deletion names, `retention::since`).
//!
//! Memory is bounded by the number of producers, keys, authorisations and open items (gaps,
//! unresolved references), not by the number of records as such — though a hostile log can make those grow with its size
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
pub(crate) mod driver;
mod history;
pub mod keys;
pub(crate) mod obligations;
pub(crate) mod records;
pub mod report;
pub mod retention;
pub mod state;
mod tree_check;
pub mod trust;
pub mod witness;

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::log::reader::{CHECKPOINT_KEY, LogReader};
use crate::record::Record;
use crate::record::types::Hash32;
use crate::store::{ObjectStore, StoreError};
use crate::tiles::{self, EntryBundleId};
use crate::tree;

use driver::{Driver, Read, Units};

pub use checkpoints::CLOCK_SKEW_SECS;
pub use driver::BATCH_BUNDLES;
pub use report::{
    Check, CheckSummary, Finding, Provenance, Report, RetentionCounts, RetentionHeld,
    RetentionOverdue, RetentionPolicyApplied, RetentionStatus, Verdict,
};
pub use state::{AuditorState, KnownHead, Resume, SeenCheckpoint};
pub use trust::{Trust, TrustError, TrustFile};

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
    /// Check `check` started (`ended: None`) or ended with `Some(violations)` found by it.
    /// Checks 2–6 and 8 read the records together: they start together, and their records
    /// are counted by [`Progress::advance`].
    fn check(&self, _check: Check, _ended: Option<u64>) {}
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
    let resume = resume_point(state, options)?;
    let reader = LogReader::new(store, trust.alg);
    let provenance = provenance(trust, options, resume.map(|r| r.size));
    progress.check(Check::Checkpoints, None);
    let start = check_checkpoint(store, trust, state, &reader, resume, &mut out)?;
    let (published, start) = match start {
        Ok(s) => s,
        Err(why) => {
            progress.check(
                Check::Checkpoints,
                Some(out.violations_in(Check::Checkpoints)),
            );
            return Ok(unread(out, not_run, &why, provenance));
        }
    };
    let run = Run {
        store,
        trust,
        state,
        options,
        reader: &reader,
        resume,
        from: resume.map_or(0, |r| r.size),
        known: known_checkpoints(state, &start.inconsistent, &published),
        published,
        start,
    };
    checkpoints::check_times(&run.published, &run.known, options.at_secs, &mut out);
    run.checks(progress, retention, out, not_run, provenance)
}

/// The resume point of an incremental run (`None` for a full run); `Err` when the state
/// holds none or one that is not among its checkpoints.
fn resume_point<'s>(
    state: &'s AuditorState,
    options: &Options,
) -> Result<Option<&'s Resume>, VerifyError> {
    if !options.incremental {
        return Ok(None);
    }
    let r = state.resume.as_ref().ok_or_else(|| {
        VerifyError::NoResume(
            "the auditor's state holds no resume point: run a full verification with the same \
             state first"
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
    Ok(Some(r))
}

/// What check 1 leaves for the later checks.
struct Start {
    /// The published checkpoint's bytes, when they could be read.
    cp_bytes: Option<Vec<u8>>,
    /// Auditor checkpoints the published tree does not extend (or whose proof failed): their
    /// times are evidence of a rewrite (check 1), not a timeline for check 5.
    inconsistent: Vec<u64>,
    /// Auditor checkpoints whose consistency proof from the tiles failed: classified from
    /// the entries after check 2.
    unproven: Vec<checkpoints::Unproven>,
}

/// Check 1: the published checkpoint and its consistency with the auditor's. `Err(why)` when
/// no tree can be read: no checkpoint, or an incremental run that cannot resume.
fn check_checkpoint(
    store: &dyn ObjectStore,
    trust: &Trust,
    state: &AuditorState,
    reader: &LogReader<'_>,
    resume: Option<&Resume>,
    out: &mut report::Findings,
) -> Result<Result<(checkpoints::Published, Start), String>, VerifyError> {
    // Bounded, and refused unless a regular file (the store's read rules).
    let cp_bytes = match store.get_at_most(CHECKPOINT_KEY, crate::note::MAX_NOTE_SIZE) {
        Ok(b) => Ok(b),
        Err(e @ (StoreError::TooLarge { .. } | StoreError::NotRegular { .. })) => Err(e),
        Err(e) => return Err(e.into()),
    };
    let mut inconsistent = Vec::new();
    let mut unproven = Vec::new();
    let fetched = cp_bytes.as_ref().map(Option::as_deref);
    let mut published = checkpoints::check(
        fetched,
        trust,
        state,
        reader,
        out,
        &mut inconsistent,
        &mut unproven,
    );
    // The published checkpoint's time-stamp token, with the trust file's authorities.
    if let (Some(p), Ok(Some(bytes))) = (published.as_mut(), &cp_bytes)
        && p.authentic
        && !trust.timestamp_authorities.is_empty()
        && let Ok(n) = crate::note::parse_note(bytes)
    {
        let token = store.get_at_most(
            &crate::log::history::timestamp_key(p.size),
            crate::timestamp::MAX_RESPONSE_SIZE,
        );
        // The token is for the first signing of this size (the history entry); a later
        // signing of the same tree is not bounded by it.
        let first = store
            .get_at_most(
                &crate::log::history::key(p.size),
                crate::note::MAX_NOTE_SIZE,
            )
            .ok()
            .flatten()
            .is_some_and(|f| crate::log::history::same_signing(bytes, &f));
        checkpoints::stamped(p, &n.text, trust, token, first, out);
    }
    if let (Some(p), Some(_)) = (&published, resume) {
        for u in &unproven {
            out.push(checkpoints::undetermined(u, p));
        }
    }
    let from = resume.map_or(0, |r| r.size);
    let unproven_resume = resume.is_some_and(|r| unproven.iter().any(|u| u.size == r.size));
    let cannot_resume = unproven_resume || resume.is_some_and(|r| inconsistent.contains(&r.size));
    inconsistent.extend(unproven.iter().map(|u| u.size));
    let start = Start {
        cp_bytes: cp_bytes.ok().flatten(),
        inconsistent,
        unproven,
    };
    Ok(match published.filter(|_| !cannot_resume) {
        Some(p) => Ok((p, start)),
        None if unproven_resume => Err(format!(
            "the published tree is not proven to extend the auditor's checkpoint of size {from} \
             (inconsistent or corrupt tiles, see checkpoint-consistency-undetermined): an \
             incremental run cannot resume from it; run a full verification"
        )),
        None if cannot_resume => Err(format!(
            "the published tree is not an extension of the auditor's checkpoint of size {from} \
             (checkpoint-inconsistent): an incremental run cannot resume from it; run a full \
             verification"
        )),
        None => Err("no readable checkpoint: the tree size is unknown".into()),
    })
}

/// The outcome when no tree could be read: checks 2–7 did not run, for `why`.
fn unread(
    out: report::Findings,
    mut not_run: BTreeMap<Check, String>,
    why: &str,
    provenance: Provenance,
) -> Outcome {
    for c in [
        Check::Tree,
        Check::Records,
        Check::Completeness,
        Check::Ordering,
        Check::Authorisation,
        Check::Retention,
        Check::Obligations,
    ] {
        not_run.insert(c, why.to_string());
    }
    let (checks, counts, findings) = out.finish(&not_run);
    Outcome {
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
    }
}

/// The known checkpoints (size, log time in seconds) up to the published one, ascending:
/// the auditor's consistent ones and the published one. The timeline of checks 5 and 6.
fn known_checkpoints(
    state: &AuditorState,
    inconsistent: &[u64],
    published: &checkpoints::Published,
) -> Vec<(u64, u64)> {
    let size = published.size;
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
    known
}

/// One run past check 1: the published tree to verify and what the checks share.
struct Run<'a> {
    store: &'a dyn ObjectStore,
    trust: &'a Trust,
    state: &'a AuditorState,
    options: &'a Options,
    reader: &'a LogReader<'a>,
    resume: Option<&'a Resume>,
    /// The first leaf read: 0, or the resume point's size.
    from: u64,
    known: Vec<(u64, u64)>,
    published: checkpoints::Published,
    start: Start,
}

/// The per-record checks of a run, fed by the driver (check 2 and 3 first).
struct Checks {
    tree: tree_check::TreeCheck,
    registry: records::Registry,
    chains: chains::Chains,
    auths: authorisation::Authorisations,
    /// Check 8; `None` when it does not run (no authority pinned, incremental run).
    obligations: Option<obligations::Obligations>,
}

impl Run<'_> {
    /// Checks 2–7 over the published tree, and the outcome.
    fn checks(
        &self,
        progress: &dyn Progress,
        retention: Option<RetentionAccess<'_>>,
        mut out: report::Findings,
        mut not_run: BTreeMap<Check, String>,
        provenance: Provenance,
    ) -> Result<Outcome, VerifyError> {
        let size = self.published.size;
        let mut c = self.units(&mut out)?;
        // The log's published checkpoint history (check 1), compared with the tree below.
        let cp_bytes = self.start.cp_bytes.as_deref();
        let history = history::read(self.store, self.trust, self.from, size, cp_bytes, &mut out)?;
        c.tree.record_roots_at(history.iter().map(|e| e.size));
        let ended =
            |c: Check, out: &report::Findings| progress.check(c, Some(out.violations_in(c)));
        let driver = self.driver();
        let mut others: Vec<&mut dyn driver::Unit> = vec![&mut c.chains, &mut c.auths];
        let mut reading = vec![Check::Tree, Check::Records, Check::Completeness];
        reading.extend([Check::Ordering, Check::Authorisation]);
        if let Some(o) = c.obligations.as_mut() {
            others.push(o);
            reading.push(Check::Obligations);
        }
        reading.iter().for_each(|&c| progress.check(c, None));
        let mut read = driver.run(
            &mut Units {
                tree: &mut c.tree,
                records: &mut c.registry,
                others,
            },
            progress,
            &mut out,
        )?;
        // Check 1 ends after check 2: an auditor checkpoint is judged by the entries.
        self.finish_tree(c.tree, &history, &mut out)?;
        ended(Check::Checkpoints, &out);
        ended(Check::Tree, &out);
        self.judge_compromises(&driver, &mut c.registry, &mut read, &mut out);
        ended(Check::Records, &out);
        let followed = c.chains.followed();
        let (heads, carried) = self.finish_chains(&driver, c.chains, &c.registry, &read, &mut out);
        for c in [Check::Completeness, Check::Ordering, Check::Authorisation] {
            ended(c, &out);
        }
        examined(
            &mut out,
            self.state,
            read.records_checked,
            followed,
            c.auths.judged(),
            self.trust,
        );
        // An auditor checkpoint not proven consistent (incremental run) keeps the state too.
        let advance = self.published.authentic
            && (self.resume.is_none() || self.start.unproven.is_empty())
            && out.violations_in(Check::Checkpoints) == 0
            && out.violations_in(Check::Tree) == 0;
        let disclosures = retention.map(|r| r.disclosures);
        let obligations = c.obligations.take();
        let ran = obligations.is_some();
        self.obligations(obligations, disclosures, &mut not_run, &mut out);
        if ran {
            ended(Check::Obligations, &out);
        }
        if retention.is_some() && advance {
            progress.check(Check::Retention, None);
        }
        let checked = self.retention(advance, retention, &read, &mut not_run, &mut out);
        if !not_run.contains_key(&Check::Retention) {
            ended(Check::Retention, &out);
        }
        let (retention, carry) = match checked {
            Some(c) => (Some(c.status), Some(c.carry)),
            None => (None, None),
        };
        let new_state =
            advance.then(|| self.new_state(heads, carried, &c.registry, &c.auths, carry));
        Ok(self.outcome(out, &not_run, &read, retention, new_state, provenance))
    }

    /// The checks' starting state: empty for a full run, the resume point's otherwise.
    fn units(&self, out: &mut report::Findings) -> Result<Checks, VerifyError> {
        let (trust, size, known) = (self.trust, self.published.size, &self.known);
        let Some(r) = self.resume else {
            let mut tree = tree_check::TreeCheck::new(trust.alg, size);
            tree.record_roots_at(self.start.unproven.iter().map(|u| u.size));
            return Ok(Checks {
                tree,
                registry: records::Registry::new(trust),
                chains: chains::Chains::new(self.state, known.clone()),
                auths: authorisation::Authorisations::new(known.clone()),
                obligations: trust
                    .obligation_policy_authority
                    .is_some()
                    .then(|| obligations::Obligations::new(trust)),
            });
        };
        let partial = resume_tiles(self.reader, self.from, size)?;
        let (from, root) = (self.from, &r.root.0);
        Ok(Checks {
            tree: tree_check::TreeCheck::resume(trust.alg, from, size, partial, root, out),
            registry: records::Registry::resume(trust, &r.keys).map_err(VerifyError::NoResume)?,
            chains: chains::Chains::resume(self.state, known.clone(), r)
                .map_err(VerifyError::NoResume)?,
            auths: authorisation::Authorisations::resume(&r.grants, known.clone()),
            obligations: None,
        })
    }

    fn driver(&self) -> Driver<'_> {
        Driver {
            store: self.store,
            reader: self.reader,
            trust: self.trust,
            from: self.from,
            size: self.published.size,
            root: self.published.root,
        }
    }

    /// Check 2's end (tiles and root), the published history against the recomputed roots,
    /// and, in a full run, check 1 after check 2: an auditor checkpoint whose proof from the
    /// tiles failed is judged by the entries (a rewrite, or only corrupt tiles that check 2
    /// reported).
    fn finish_tree(
        &self,
        tree: tree_check::TreeCheck,
        history: &[history::Entry],
        out: &mut report::Findings,
    ) -> Result<(), VerifyError> {
        let published = &self.published;
        let recomputed = tree.finish(&published.root, self.store, out)?;
        let mut anchors = vec![(published.size, published.root)];
        anchors.extend(self.resume.map(|r| (r.size, r.root.0)));
        let empty = self.trust.alg.empty();
        history::compare(history, &anchors, &recomputed.roots_at, empty, out);
        if self.resume.is_none() {
            let reproduced = recomputed.root == Some(published.root);
            let tiles_differ = out.violations_in(Check::Tree) > 0;
            for u in &self.start.unproven {
                let at = recomputed.roots_at.get(&u.size);
                checkpoints::classify(u, at, reproduced, tiles_differ, published, out);
            }
        }
        Ok(())
    }

    /// Keys revoked as compromised: their records before the revocation, by a second,
    /// read-only pass (a leaf before the resume point counts only with an inclusion proof).
    /// The records found compromised are left out of check 7.
    fn judge_compromises(
        &self,
        driver: &Driver<'_>,
        registry: &mut records::Registry,
        read: &mut Read,
        out: &mut report::Findings,
    ) {
        let compromises = registry.take_compromises();
        if compromises.is_empty() {
            return;
        }
        let not_authentic = &read.not_authentic;
        let counts = |leaf: u64, hash: &tree::Hash| {
            if leaf >= self.from {
                return !not_authentic.contains(&leaf);
            }
            driver.included(leaf, hash)
        };
        let input = records::CompromiseInput {
            reader: self.reader,
            origin: self.trust.origin(),
            checkpoints: &self.known,
            readable: read.readable(self.published.size),
            counts: &counts,
            leaf: &|e| self.trust.alg.leaf(e),
        };
        let bad = records::judge_compromised(&input, &compromises, out);
        read.not_authentic.extend(bad);
    }

    /// Checks 4 and 5's end: required heartbeats, references older than the window (and,
    /// incrementally, heads before the resume point) found by one more read-only pass, and
    /// the chains' own end. Returns the heads and what an incremental run carries over.
    fn finish_chains(
        &self,
        driver: &Driver<'_>,
        mut chains: chains::Chains,
        registry: &records::Registry,
        read: &Read,
        out: &mut report::Findings,
    ) -> (Vec<KnownHead>, Option<chains::Carried>) {
        chains.heartbeats_due(self.trust, self.published.log_time, registry, out);
        let old = chains.take_old_refs();
        let mut wanted: HashSet<(String, u64)> = old
            .iter()
            .map(|o| (o.target.producer.to_string(), o.target.seq))
            .collect();
        wanted.extend(chains.past_heads());
        let mut found = HashMap::new();
        if !wanted.is_empty() {
            found = driver.find(&wanted, read.readable(self.published.size));
            chains::resolve_old(&old, &found, out);
        }
        chains.finish(&found, out)
    }

    /// Check 8's end, or why it did not run.
    fn obligations(
        &self,
        unit: Option<obligations::Obligations>,
        disclosures: Option<&dyn crate::retention::DisclosureSource>,
        not_run: &mut BTreeMap<Check, String>,
        out: &mut report::Findings,
    ) {
        let Some(unit) = unit else {
            let why = if self.resume.is_some() {
                obligations::INCREMENTAL
            } else {
                obligations::NO_AUTHORITY
            };
            not_run.insert(Check::Obligations, why.into());
            return;
        };
        let finish = obligations::Finish {
            trust: self.trust,
            checkpoint_secs: self.published.log_time,
            disclosures,
        };
        unit.finish(&finish, out);
    }

    /// Check 7, a separate walk after checks 1–6, when checks 1 and 2 hold (`advance`) and
    /// the disclosures can be read.
    fn retention(
        &self,
        advance: bool,
        retention: Option<RetentionAccess<'_>>,
        read: &Read,
        not_run: &mut BTreeMap<Check, String>,
        out: &mut report::Findings,
    ) -> Option<retention::Checked> {
        let access = retention?;
        if !advance {
            not_run.insert(
                Check::Retention,
                "checks 1 and 2 did not hold: the entries read are not proven to be the \
                 checkpoint's tree"
                    .into(),
            );
            return None;
        }
        let input = retention::Input {
            store: self.store,
            root: self.published.root,
            reader: self.reader,
            trust: self.trust,
            size: read.readable(self.published.size),
            skip: &read.not_authentic,
            disclosures: access.disclosures,
            at: crate::record::types::Timestamp(self.options.at_secs.saturating_mul(1000)),
            grace: access.grace,
            checkpoints: &self.known,
            since: self.resume.map(|r| {
                let why = r.retention_not_carried.as_deref();
                (r.size, r.retention.as_ref().ok_or(why))
            }),
        };
        match retention::check(&input, out) {
            Ok(checked) => Some(checked),
            Err(why) => {
                not_run.insert(Check::Retention, why);
                None
            }
        }
    }

    /// The advanced auditor state: the published checkpoint, the heads that extend the
    /// auditor's (`Chains::finish` keeps the others), and the resume point when the chains
    /// can be carried over (with the key registry and the authorisation table).
    fn new_state(
        &self,
        heads: Vec<KnownHead>,
        carried: Option<chains::Carried>,
        registry: &records::Registry,
        auths: &authorisation::Authorisations,
        retention: Option<Result<state::RetentionResume, String>>,
    ) -> AuditorState {
        let (size, root) = (self.published.size, Hash32(self.published.root));
        let mut s = self.state.clone();
        s.add_checkpoint(SeenCheckpoint {
            size,
            root,
            log_time: self.published.log_time.unwrap_or(0),
            note: (self.start.cp_bytes.as_deref())
                .map(|b| String::from_utf8_lossy(b).into_owned())
                .unwrap_or_default(),
        });
        for h in heads {
            s.set_head(h);
        }
        s.resume = carried.map(|c| Resume {
            size,
            root,
            chains: c.chains,
            keys: registry.to_state(),
            grants: auths.to_state(self.trust.max_delay_ms(self.trust.registry.as_str())),
            forward_refs: c.forward_refs,
            retention_not_carried: retention.as_ref().and_then(|r| r.as_ref().err().cloned()),
            retention: retention.and_then(Result::ok),
        });
        s
    }

    fn outcome(
        &self,
        out: report::Findings,
        not_run: &BTreeMap<Check, String>,
        read: &Read,
        retention: Option<RetentionStatus>,
        new_state: Option<AuditorState>,
        mut provenance: Provenance,
    ) -> Outcome {
        let (checks, counts, mut findings) = out.finish(not_run);
        stamp_times(
            self.reader,
            read.readable(self.published.size),
            &mut findings,
        );
        if retention.is_some() {
            provenance.time_zone_data = "IANA time zone database bundled into the binary (jiff; \
                 version not reported); check 7 computes calendar deadlines in each rule's zone, \
                 checks 1–6 compare UTC instants only"
                .into();
        }
        Outcome {
            report: Report {
                format: report::REPORT_FORMAT,
                provenance,
                tree_size: Some(self.published.size),
                records_checked: read.records_checked,
                checks,
                counts,
                findings,
                retention,
            },
            new_state,
        }
    }
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

//! Copying the public part of a log between stores (`logseal mirror SRC DST`): a local
//! directory, an S3-compatible bucket, or (as a source) a served log over HTTP.
//!
//! The copy is the verifier's own read: every object the verifier reads from the source
//! (checks 1–6, against the auditor's trust file) is written to the destination as it is
//! read, so the source is read once. What the verifier does not read (the checkpoint
//! history, older partial tiles) is copied after it from a listing. The destination's
//! checkpoint is replaced last, and only when
//! - the source's bytes verified: checks 1 and 2 hold (the checkpoint is authentic and
//!   every entry bundle and tile reproduces it). Findings of checks 3-8 are about what the
//!   records say, not about the copy: a log with violations is copied faithfully, as
//!   evidence, and the caller is told how many the verifier found;
//! - the source's tree extends the destination's: a consistency proof from the
//!   destination's checkpoint to the source's, read from the source's verified tiles
//!   (a mirror never rolls a copy back, nor replaces it with another history);
//! - no object at the destination differed from the source's (every object of the public
//!   part but the checkpoint is write-once: a different one means another history or a
//!   damaged copy, and is never overwritten).
//!
//! So a copy interrupted at any point is resumable (objects already present with the same
//! bytes are not written again) and is never inconsistent to a reader: its checkpoint is the
//! last one a completed mirror verified, and every object it names was written before it.
//!
//! Only the public part is copied. The private part (sealed disclosures, retention keys)
//! stays where it is; a copy of it must not bring back a key a published deletion record
//! says was destroyed, and this module does not copy it at all.

use std::collections::BTreeSet;
use std::sync::Mutex;

use crate::log::reader::{CHECKPOINT_KEY, LogReader};
use crate::note;
use crate::store::{ObjectStore, StoreError};
use crate::verify::{self, AuditorState, Options, Outcome, Progress, Trust};

/// What a mirror did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mirrored {
    /// The size of the checkpoint now at the destination.
    pub size: u64,
    /// The size of the destination's checkpoint before (`None`: it had none).
    pub previous: Option<u64>,
    /// Objects written to the destination.
    pub copied: u64,
    /// Objects already present there with the same bytes.
    pub present: u64,
    /// Bytes written.
    pub bytes: u64,
    /// Prefixes the source could not list (a web server): objects under them that the
    /// verifier did not read were not copied.
    pub unlisted: Vec<String>,
    /// Violations the verifier found in checks 3-8 (the records' content): copied as they
    /// are, as evidence.
    pub content_violations: u64,
}

/// Why a mirror stopped. The destination's checkpoint is unchanged in every case.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MirrorError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("verifying the source: {0}")]
    Verify(#[from] verify::VerifyError),
    /// The source did not verify: the report says why.
    #[error("the source does not verify ({0}); nothing was published at the destination")]
    SourceFails(String, Box<Outcome>),
    #[error(
        "{0} differs at the destination from the source: the destination holds another \
         history or a damaged copy; it is left as it is"
    )]
    Differs(String),
    #[error("the destination's checkpoint ({0}): {1}")]
    Destination(String, String),
}

/// A store that writes every object read from `src` (but the checkpoint) to `dst`.
struct Tee<'a> {
    src: &'a dyn ObjectStore,
    dst: &'a dyn ObjectStore,
    /// Keys present at the destination when the mirror started.
    at_dst: BTreeSet<String>,
    state: Mutex<TeeState>,
}

#[derive(Default)]
struct TeeState {
    checkpoint: Option<Vec<u8>>,
    done: BTreeSet<String>,
    copied: u64,
    present: u64,
    bytes: u64,
    /// The first failure (a differing object, a write error): reported after the run.
    failed: Option<MirrorError>,
}

impl Tee<'_> {
    fn copy(&self, key: &str, data: &[u8]) {
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if st.failed.is_some() || st.done.contains(key) {
            return;
        }
        let result = (|| -> Result<bool, MirrorError> {
            if self.at_dst.contains(key) {
                match self.dst.get_at_most(key, data.len())? {
                    Some(have) if have == data => return Ok(false),
                    _ => return Err(MirrorError::Differs(self.dst.describe(key))),
                }
            }
            self.dst.put(key, data)?;
            Ok(true)
        })();
        match result {
            Ok(true) => {
                st.copied += 1;
                st.bytes += data.len() as u64;
                st.done.insert(key.to_string());
            }
            Ok(false) => {
                st.present += 1;
                st.done.insert(key.to_string());
            }
            Err(e) => st.failed = Some(e),
        }
    }
}

impl ObjectStore for Tee<'_> {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let got = self.src.get(key)?;
        self.seen(key, got.as_deref());
        Ok(got)
    }

    fn get_at_most(&self, key: &str, max: usize) -> Result<Option<Vec<u8>>, StoreError> {
        let got = self.src.get_at_most(key, max)?;
        self.seen(key, got.as_deref());
        Ok(got)
    }

    fn put(&self, key: &str, _: &[u8]) -> Result<(), StoreError> {
        Err(read_only(key))
    }

    fn sync(&self) -> Result<(), StoreError> {
        Err(read_only(""))
    }

    fn compare_and_swap(&self, key: &str, _: Option<&[u8]>, _: &[u8]) -> Result<(), StoreError> {
        Err(read_only(key))
    }

    fn delete(&self, key: &str) -> Result<(), StoreError> {
        Err(read_only(key))
    }

    fn list(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        self.src.list(prefix)
    }

    fn prefetch(&self, keys: &[String]) {
        self.src.prefetch(keys)
    }

    fn describe(&self, key: &str) -> String {
        self.src.describe(key)
    }
}

impl Tee<'_> {
    fn seen(&self, key: &str, got: Option<&[u8]>) {
        let Some(data) = got else { return };
        if key == CHECKPOINT_KEY {
            // The first checkpoint read is the one verified.
            let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
            st.checkpoint.get_or_insert_with(|| data.to_vec());
        } else {
            self.copy(key, data);
        }
    }
}

fn read_only(key: &str) -> StoreError {
    StoreError::Remote {
        path: key.to_string(),
        reason: "the mirror's source is read only".into(),
    }
}

/// The top-level prefixes of a log's public part besides the checkpoint (docs/FORMAT.md
/// §Log directory).
const PREFIXES: [&str; 3] = ["tile", crate::log::history::HISTORY_PREFIX, "rotations"];

/// Mirror the public part of `src` to `dst`, verifying it against `trust` at `at_secs`
/// (see the module documentation for what is published and when).
pub fn mirror(
    src: &dyn ObjectStore,
    dst: &dyn ObjectStore,
    trust: &Trust,
    at_secs: u64,
    progress: &dyn Progress,
) -> Result<Mirrored, MirrorError> {
    let dst_checkpoint = dst.get_at_most(CHECKPOINT_KEY, note::MAX_NOTE_SIZE)?;
    let previous = match &dst_checkpoint {
        None => None,
        Some(bytes) => Some(
            parse_size_root(bytes, trust.origin())
                .map_err(|e| MirrorError::Destination(dst.describe(CHECKPOINT_KEY), e))?,
        ),
    };
    let mut at_dst = BTreeSet::new();
    for p in PREFIXES {
        at_dst.extend(dst.list(p)?);
    }
    let tee = Tee {
        src,
        dst,
        at_dst,
        state: Mutex::new(TeeState::default()),
    };
    let options = Options {
        at_secs,
        incremental: false,
    };
    let state = AuditorState::new(trust.origin());
    let outcome = verify::verify_with_retention(&tee, trust, &state, &options, progress, None)?;
    let report = &outcome.report;
    let size = report.tree_size;
    let integrity: u64 = (report.checks.iter())
        .filter(|c| c.check.number() <= 2)
        .map(|c| c.violations)
        .sum();
    if outcome.new_state.is_none() || integrity > 0 {
        let why = match integrity {
            0 => "checks 1 and 2 do not hold".to_string(),
            n => format!("{n} violation(s) of checks 1 and 2"),
        };
        return Err(MirrorError::SourceFails(why, Box::new(outcome)));
    }
    // Findings of checks 3-8 are about what the records say, not about the copy: the copy
    // carries them, as evidence, and the caller is told how many there are.
    let content_violations: u64 = (report.checks.iter())
        .filter(|c| c.check.number() > 2)
        .map(|c| c.violations)
        .sum();
    let size = size.expect("a verified checkpoint has a size");
    // What the verifier did not read: history, older partial tiles.
    let mut unlisted = Vec::new();
    for p in PREFIXES {
        let keys = match src.list(p) {
            Ok(k) => k,
            // A source that cannot list (a web server lists at most the history) leaves
            // those out; the result says so.
            Err(_) => {
                unlisted.push(p.to_string());
                continue;
            }
        };
        for key in keys {
            if tee
                .state
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .done
                .contains(&key)
            {
                continue;
            }
            if let Some(data) = src.get(&key)? {
                tee.copy(&key, &data);
            }
        }
    }
    let mut st = tee.state.into_inner().unwrap_or_else(|e| e.into_inner());
    if let Some(e) = st.failed.take() {
        return Err(e);
    }
    let checkpoint = st
        .checkpoint
        .take()
        .expect("the verifier read the checkpoint");
    let (_, new_root) = parse_size_root(&checkpoint, trust.origin())
        .map_err(|e| MirrorError::Destination(src.describe(CHECKPOINT_KEY), e))?;
    if let Some((old, old_root)) = previous {
        let dst_name = dst.describe(CHECKPOINT_KEY);
        if old > size {
            return Err(MirrorError::Destination(
                dst_name,
                format!(
                    "it covers {old} records, the source only {size}: a mirror never rolls a copy back"
                ),
            ));
        }
        let consistent = match old {
            0 => true,
            _ if old == size => old_root == new_root,
            _ => {
                let proof = LogReader::new(src, trust.alg)
                    .consistency_proof(old, size)
                    .map_err(|e| MirrorError::Destination(dst_name.clone(), e.to_string()))?;
                (trust.alg)
                    .verify_consistency(old, size, &old_root, &new_root, &proof)
                    .is_ok()
            }
        };
        if !consistent {
            return Err(MirrorError::Destination(
                dst_name,
                format!(
                    "its tree of {old} records is not a prefix of the source's tree of {size}: \
                     another history; it is left as it is"
                ),
            ));
        }
    }
    dst.sync()?;
    if dst_checkpoint.as_deref() != Some(checkpoint.as_slice()) {
        dst.compare_and_swap(CHECKPOINT_KEY, dst_checkpoint.as_deref(), &checkpoint)?;
    }
    Ok(Mirrored {
        size,
        previous: previous.map(|(s, _)| s),
        copied: st.copied,
        present: st.present,
        bytes: st.bytes,
        unlisted,
        content_violations,
    })
}

/// The size and root a checkpoint note states, its origin checked (its signatures are the
/// verifier's business: a destination's checkpoint is only compared against the source's
/// verified tree).
fn parse_size_root(bytes: &[u8], origin: &str) -> Result<(u64, crate::tree::Hash), String> {
    let n = note::parse_note(bytes).map_err(|e| e.to_string())?;
    let cp = crate::checkpoint::Checkpoint::parse(&n.text).map_err(|e| e.to_string())?;
    if cp.origin != origin {
        return Err(format!(
            "origin {:?}, not the trust file's {origin:?}",
            cp.origin
        ));
    }
    Ok((cp.size, cp.root))
}

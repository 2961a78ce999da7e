//! Where the TUI's data comes from, and the worker that serves it. A [`Source`] answers
//! the worker's [`Request`]s; [`LogSource`] is a log directory read through the
//! authenticated read layer ([`crate::inspect`]); an evidence bundle is
//! [`super::bundle::BundleSource`] (offline: what the bundle holds).
//!
//! [`serve`] runs in the worker thread: one request at a time, except that a filter scan
//! answers page and detail requests arriving while it runs, and gives way to a newer filter.
//! A verification runs in a thread of its own (its job needs no read layer), sending
//! progress as it goes.

use std::cell::Cell;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, Sender, TryRecvError};

use crate::inspect::{Fetched, IndexProgress, Inspector, index};
use crate::log::LogConfig;
use crate::retention::DisclosureSource;
use crate::verify::report::Check;
use crate::verify::trust::{DEFAULT_MAX_LOGGING_DELAY_SECS, TRUST_FORMAT};
use crate::verify::{Progress, Trust, TrustError, TrustFile};

use super::data::{
    CheckpointRow, Detail, ProducerRow, Proof, Query, Reply, Request, RevealAsk, Revealed, Row,
    Target, Verified,
};
use super::{describe, query};

/// A verification run: `asked` when the user asked for it (then `--state` is advanced).
pub type VerifyJob = Arc<dyn Fn(bool, &dyn Progress) -> Result<Verified, String> + Send + Sync>;

/// Reveals the sealed values of a record after logging the access (the CLI's code path).
pub type Revealer<'a> = &'a dyn Fn(&Fetched, &RevealAsk) -> Result<Revealed, String>;

/// What the verify view says when verification runs without `--trust`.
pub const OWN_KEY: &str = "checked against the log's own key, not an independent trust file \
     (give --trust FILE for an auditor's verdict; --state is not advanced)";

/// The authorisation registry's producer id a trust derived from the log assumes (the
/// default of `logseal trust new --registry`).
pub const OWN_REGISTRY: &str = "authorisation-registry";

/// A trust derived from a log's own configuration (`private/config.json`): its origin, tree
/// hash, log key and registration authority; no witnesses and no policy authorities (so
/// check 8 does not run, and check 7 applies every retention policy admitted). It proves only
/// that the log agrees with itself, and the screen says so ([`OWN_KEY`]).
pub fn own_trust(cfg: &LogConfig) -> Result<Trust, TrustError> {
    Trust::new(TrustFile {
        format: TRUST_FORMAT,
        origin: cfg.origin.clone(),
        tree_hash: cfg.tree_hash.clone(),
        log_key: cfg.log_key.clone(),
        registration_authority: cfg.authority_key.clone(),
        authorisation_registry: OWN_REGISTRY.into(),
        authorisation_required: Vec::new(),
        witnesses: Vec::new(),
        witness_quorum: 0,
        witnessed_after_size: None,
        max_logging_delay_secs: DEFAULT_MAX_LOGGING_DELAY_SECS,
        max_logging_delay_overrides: Default::default(),
        retention_policy_authority: None,
        obligation_policy_authority: None,
        log_key_history: Vec::new(),
        registration_authority_history: Vec::new(),
    })
}

/// What the worker can be asked.
pub trait Source {
    /// The rows of entry bundle `b`.
    fn bundle(&self, b: u64) -> Vec<Row>;
    fn detail(&self, leaf: u64) -> Result<Detail, String>;
    fn proof(&self, leaf: u64) -> Result<Proof, String>;
    fn checkpoints(&self) -> Result<Vec<CheckpointRow>, String>;
    fn producers(&self) -> Result<Vec<ProducerRow>, String>;
    fn jump(&self, t: &Target) -> Result<u64, String>;
    /// Scan for `q`, handing `emit` batches of matches with the count read and whether the
    /// scan ended; `emit` returns whether to go on.
    fn filter(&self, q: &Query, emit: &mut dyn FnMut(Vec<Row>, u64, bool) -> bool);
    /// The verification job, or why there is none.
    fn verifier(&self) -> Result<VerifyJob, String>;
    fn reveal(&self, leaf: u64, ask: &RevealAsk) -> Result<Revealed, String>;
    /// Do a slice of background work (building the index) while no request waits, and say
    /// how far it has come; `None` when there is none left.
    fn background(&self) -> Option<Reply> {
        None
    }
}

/// Serve `requests` from `source` until the channel closes; between requests, the source's
/// background work goes on a slice at a time (a request never waits for more than a slice).
pub fn serve(source: &dyn Source, requests: &Receiver<Request>, replies: &Sender<Reply>) {
    loop {
        let r = match requests.try_recv() {
            Ok(r) => r,
            Err(TryRecvError::Disconnected) => return,
            Err(TryRecvError::Empty) => match source.background() {
                Some(note) => {
                    let _ = replies.send(note);
                    continue;
                }
                None => match requests.recv() {
                    Ok(r) => r,
                    Err(_) => return,
                },
            },
        };
        handle(source, r, requests, replies);
    }
}

fn handle(s: &dyn Source, r: Request, rx: &Receiver<Request>, tx: &Sender<Reply>) {
    let Request::Filter { query, generation } = r else {
        return one(s, r, tx);
    };
    let mut next = None;
    s.filter(&query, &mut |rows, scanned, done| {
        let _ = tx.send(Reply::Matches {
            generation,
            rows,
            scanned,
            done,
        });
        loop {
            match rx.try_recv() {
                Ok(r @ Request::Filter { .. }) => {
                    next = Some(r);
                    return false;
                }
                Ok(other) => one(s, other, tx),
                Err(TryRecvError::Empty) => return true,
                Err(TryRecvError::Disconnected) => return false,
            }
        }
    });
    if let Some(n) = next {
        handle(s, n, rx, tx);
    }
}

/// Answer one request (not a filter).
pub fn one(s: &dyn Source, r: Request, tx: &Sender<Reply>) {
    let reply = match r {
        Request::Bundle(b) => Reply::Rows(s.bundle(b)),
        Request::Detail(l) => Reply::Detail(l, s.detail(l).map(Box::new)),
        Request::Proof(l) => Reply::Proof(l, s.proof(l).map(Box::new)),
        Request::Checkpoints => Reply::Checkpoints(s.checkpoints()),
        Request::Producers => Reply::Producers(s.producers()),
        Request::Jump(t) => Reply::Jumped(s.jump(&t)),
        Request::Reveal { leaf, ask } => Reply::Revealed(s.reveal(leaf, &ask)),
        Request::Verify { asked } => return spawn_verify(s.verifier(), asked, tx),
        Request::Filter { .. } => return,
    };
    let _ = tx.send(reply);
}

/// Answer `r` in this thread, every reply in order (a filter to its end, a verification
/// run here): for tests, and for a caller without a worker.
pub fn answer(s: &dyn Source, r: Request) -> Vec<Reply> {
    let (tx, rx) = std::sync::mpsc::channel();
    match r {
        Request::Filter { query, generation } => s.filter(&query, &mut |rows, scanned, done| {
            let m = Reply::Matches {
                generation,
                rows,
                scanned,
                done,
            };
            tx.send(m).is_ok()
        }),
        Request::Verify { asked } => {
            let r = s.verifier().and_then(|job| job(asked, &sent(&tx)));
            let _ = tx.send(Reply::Verified(r.map(Box::new)));
        }
        other => one(s, other, &tx),
    }
    drop(tx);
    rx.iter().collect()
}

fn sent(tx: &Sender<Reply>) -> Sent {
    Sent {
        tx: tx.clone(),
        done: AtomicU64::new(0),
        total: AtomicU64::new(0),
    }
}

/// Progress sent over the channel.
struct Sent {
    tx: Sender<Reply>,
    done: AtomicU64,
    total: AtomicU64,
}

impl Progress for Sent {
    fn start(&self, total: u64) {
        self.total.store(total, Ordering::Relaxed);
        self.done.store(0, Ordering::Relaxed);
        let _ = self.tx.send(Reply::Progress { done: 0, total });
    }
    fn advance(&self, n: u64) {
        let done = self.done.fetch_add(n, Ordering::Relaxed) + n;
        let total = self.total.load(Ordering::Relaxed);
        let _ = self.tx.send(Reply::Progress { done, total });
    }
    fn check(&self, check: Check, ended: Option<u64>) {
        let _ = self.tx.send(Reply::Check { check, ended });
    }
}

fn spawn_verify(job: Result<VerifyJob, String>, asked: bool, tx: &Sender<Reply>) {
    let job = match job {
        Ok(j) => j,
        Err(why) => {
            let _ = tx.send(Reply::Verified(Err(why)));
            return;
        }
    };
    let tx = tx.clone();
    std::thread::spawn(move || {
        let r = job(asked, &sent(&tx));
        let _ = tx.send(Reply::Verified(r.map(Box::new)));
    });
}

/// A log directory (or a public-only copy) through the read layer.
pub struct LogSource<'a, 's> {
    pub ins: &'a Inspector<'s>,
    /// The private part's disclosures (on site), for the sealed fields' states.
    pub disclosures: Option<&'a dyn DisclosureSource>,
    pub verifier: Option<VerifyJob>,
    /// Why there is no verifier.
    pub no_verifier: &'static str,
    /// `None`: reveals are refused (no inspector key).
    pub revealer: Option<Revealer<'a>>,
    /// The index is built (or its build failed and was said): no background work left.
    pub index_done: Cell<bool>,
}

impl Source for LogSource<'_, '_> {
    fn bundle(&self, b: u64) -> Vec<Row> {
        let first = b * super::app::BUNDLE;
        (self.ins.fetch_bundle(b).into_iter().enumerate())
            .map(|(k, r)| match r {
                Ok(f) => Row::of(&f),
                Err(e) => Row::refused(first + k as u64, &e),
            })
            .collect()
    }

    fn detail(&self, leaf: u64) -> Result<Detail, String> {
        describe::detail(self.ins, self.disclosures, leaf).map_err(|e| e.to_string())
    }

    fn proof(&self, leaf: u64) -> Result<Proof, String> {
        describe::proof(self.ins, leaf).map_err(|e| e.to_string())
    }

    fn checkpoints(&self) -> Result<Vec<CheckpointRow>, String> {
        describe::checkpoints(self.ins).map_err(|e| e.to_string())
    }

    fn producers(&self) -> Result<Vec<ProducerRow>, String> {
        describe::producers(self.ins).map_err(|e| e.to_string())
    }

    fn jump(&self, t: &Target) -> Result<u64, String> {
        let size = self.ins.head().size;
        match t {
            Target::Leaf(l) if *l < size => Ok(*l),
            Target::Leaf(l) => Err(format!("leaf {l} is beyond the log (size {size})")),
            Target::Seq(p, s) => match self.ins.by_seq(p, *s) {
                Ok(Some(f)) => Ok(f.leaf),
                Ok(None) => Err(format!("no record {p}#{s} in the log")),
                Err(e) => Err(e.to_string()),
            },
            Target::Time(ms) => {
                let mut found = None;
                self.ins.scan(Some((*ms, u64::MAX)), false, |r| match r {
                    Ok(f) => {
                        found = Some(f.leaf);
                        false
                    }
                    Err(_) => true,
                });
                found.ok_or_else(|| "no record at or after that time".to_string())
            }
        }
    }

    fn filter(&self, q: &Query, emit: &mut dyn FnMut(Vec<Row>, u64, bool) -> bool) {
        let f = &q.filter;
        let time = f.has_time().then(|| {
            (
                f.since.map_or(0, |t| t.0),
                f.until.map_or(u64::MAX, |t| t.0),
            )
        });
        let (mut batch, mut scanned, mut going) = (Vec::new(), 0u64, true);
        self.ins.scan_kinds(time, index::kinds_of(f), false, |r| {
            scanned += 1;
            if let Ok(x) = r
                && f.matches(&x.record)
                && query::words_match(q, &x.record)
            {
                batch.push(Row::of(&x));
            }
            if batch.len() >= 256 || scanned % 4096 == 0 {
                going = emit(std::mem::take(&mut batch), scanned, false);
            }
            going
        });
        if going {
            emit(batch, scanned, true);
        }
    }

    fn verifier(&self) -> Result<VerifyJob, String> {
        self.verifier
            .clone()
            .ok_or_else(|| self.no_verifier.to_string())
    }

    fn background(&self) -> Option<Reply> {
        if self.index_done.get() {
            return None;
        }
        // 16 bundles (4,096 records) a slice: a few tens of milliseconds.
        let r = self.ins.index_step(16);
        self.index_done
            .set(!matches!(r, Ok(IndexProgress::Building { .. })));
        Some(Reply::Indexing(r.map_err(|e| e.to_string())))
    }

    fn reveal(&self, leaf: u64, ask: &RevealAsk) -> Result<Revealed, String> {
        let Some(reveal) = self.revealer else {
            return Err("no --inspector-key given: nothing was revealed".into());
        };
        let d = describe::detail(self.ins, self.disclosures, leaf).map_err(|e| e.to_string())?;
        if !d.signature_ok {
            return Err(format!(
                "the record's signature is not verified ({}): nothing was revealed and \
                 nothing was logged",
                d.signature
            ));
        }
        let f = self.ins.fetch(leaf).map_err(|e| e.to_string())?;
        reveal(&f, ask)
    }
}

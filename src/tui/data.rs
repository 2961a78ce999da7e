//! What the worker hands the TUI: plain rows and records already authenticated and put into
//! words by the read layer ([`crate::inspect`]), so that rendering never reads storage. Also
//! the requests the TUI sends the worker.

use crate::inspect::{Fetched, IndexProgress, InspectError, fields};
use crate::verify::Report;
use crate::verify::report::Check;

/// One line of the records list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub leaf: u64,
    pub time: String,
    /// `producer#seq`.
    pub who: String,
    pub kind: String,
    pub summary: String,
    /// Why the entry was refused by the read layer (then nothing else is shown).
    pub refused: Option<String>,
}

impl Row {
    /// The line of an authenticated record.
    pub fn of(f: &Fetched) -> Row {
        let p = f.record.payload();
        Row {
            leaf: f.leaf,
            time: p.occurred_at.to_rfc3339(),
            who: format!("{}#{}", p.producer, p.seq),
            kind: p.kind().name().to_string(),
            summary: fields::summary(&f.record),
            refused: None,
        }
    }

    /// The line of an entry the read layer refused.
    pub fn refused(leaf: u64, e: &InspectError) -> Row {
        let why = match e.finding() {
            Some(f) => format!("[{}] {}", f.code, f.message),
            None => e.to_string(),
        };
        Row {
            leaf,
            time: String::new(),
            who: String::new(),
            kind: "REFUSED".into(),
            summary: String::new(),
            refused: Some(why),
        }
    }
}

/// One sealed field of a record and where it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed {
    pub path: String,
    /// What the field holds (the kind's description of it).
    pub what: String,
    /// `sealed (disclosure stored)`, `erased by leaf N (producer#seq)`, `held (…)`, ….
    pub state: String,
}

/// Which way a link goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Way {
    /// The record refers to the other end.
    To,
    /// The other end refers to the record.
    From,
}

/// A reference between the record shown and another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub way: Way,
    pub what: String,
    /// The other end's leaf, when it could be read.
    pub leaf: Option<u64>,
    /// `producer#seq kind summary`, or why it cannot be shown.
    pub text: String,
}

/// One record in full.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detail {
    pub row: Row,
    pub leaf_hash: String,
    /// Every public field, `path = value`.
    pub fields: Vec<(String, String)>,
    pub sealed: Vec<Sealed>,
    /// The signature check in words.
    pub signature: String,
    /// Whether the signature verified (a reveal needs it).
    pub signature_ok: bool,
    /// The place in the producer's chain, in words.
    pub chain: String,
    /// The first published checkpoint including it, in words.
    pub first_checkpoint: String,
    pub links: Vec<Link>,
}

/// An inclusion proof against one checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Path {
    pub size: u64,
    pub root: String,
    /// The log's signing time and each witness cosignature, in words.
    pub signed: Vec<String>,
    /// The sibling hashes from the leaf up (hex).
    pub hashes: Vec<String>,
    /// Whether the path recomputes the checkpoint's root from the leaf hash.
    pub verified: Result<(), String>,
}

/// The proof view of a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proof {
    pub leaf: u64,
    pub who: String,
    pub leaf_hash: String,
    /// To the first published checkpoint that includes it (or why there is none).
    pub first: Result<Path, String>,
    /// To the newest checkpoint.
    pub newest: Result<Path, String>,
}

/// One published checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckpointRow {
    pub size: u64,
    /// Signing time, root and cosigners, or why it does not verify.
    pub text: String,
    /// Whether the newest checkpoint extends it (or why not).
    pub consistent: Result<(), String>,
}

/// One producer of the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProducerRow {
    pub name: String,
    pub records: usize,
    /// `seq N at leaf L`.
    pub head: String,
    /// The last heartbeat in words (or that none was found in the newest records read).
    pub heartbeat: String,
    /// Missing seqs below the head, in words (`none`).
    pub gaps: String,
}

/// A verification run's result.
#[derive(Debug, Clone)]
pub struct Verified {
    pub report: Report,
    /// What happened to the auditor's state (`--state`): advanced, kept, or why not.
    pub state: String,
}

/// What a reveal showed, after its data access was logged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revealed {
    pub leaf: u64,
    /// Where the data access was logged, in words.
    pub logged: String,
    /// `(sealed field, value)`.
    pub values: Vec<(String, String)>,
}

/// Who asks to reveal and why (as `logseal subject` asks).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RevealAsk {
    pub purpose: String,
    pub legal_basis: String,
    pub case_ref: String,
}

/// A place to jump to (`:`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Leaf(u64),
    Seq(String, u64),
    /// The first record at or after this time (ms).
    Time(u64),
}

/// A parsed filter (`/`): conditions over public fields, a time range, words searched in
/// any public field, and a verdict (decided by the TUI from the verification's marks).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Query {
    pub filter: fields::Filter,
    pub words: Vec<String>,
    pub verdict: Option<String>,
}

/// What the TUI asks the worker for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// The rows of entry bundle `n` (256 leaves).
    Bundle(u64),
    Detail(u64),
    Proof(u64),
    Checkpoints,
    Producers,
    Jump(Target),
    /// Scan for the records passing the query; `generation` tags the replies.
    Filter {
        query: Query,
        generation: u64,
    },
    /// Run checks 1–8; `asked`: the user asked for it (then `--state` is advanced).
    Verify {
        asked: bool,
    },
    Reveal {
        leaf: u64,
        ask: RevealAsk,
    },
}

/// What the worker answers.
#[derive(Debug, Clone)]
pub enum Reply {
    Rows(Vec<Row>),
    Detail(u64, Result<Box<Detail>, String>),
    Proof(u64, Result<Box<Proof>, String>),
    Checkpoints(Result<Vec<CheckpointRow>, String>),
    Producers(Result<Vec<ProducerRow>, String>),
    Jumped(Result<u64, String>),
    /// Matches of filter `generation` so far (`done`: the scan ended), `scanned` leaves read.
    Matches {
        generation: u64,
        rows: Vec<Row>,
        scanned: u64,
        done: bool,
    },
    /// Verification progress: records checked of `total` (checks 2–6 read them in one pass).
    Progress {
        done: u64,
        total: u64,
    },
    /// Check `check` started (`ended: None`) or ended with `Some(violations)`.
    Check {
        check: Check,
        ended: Option<u64>,
    },
    Verified(Result<Box<Verified>, String>),
    Revealed(Result<Revealed, String>),
    /// How far the index build has come (built in the background after opening), or why it
    /// stopped.
    Indexing(Result<IndexProgress, String>),
}

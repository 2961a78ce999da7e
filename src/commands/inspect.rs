//! `logseal show`, `log`, `grep` and `checkpoints`: public browsing of a log through the
//! library's read layer ([`logseal::inspect`]). Every record printed was authenticated there
//! (its leaf hash proven against a checkpoint whose signature verified); this module opens the
//! log directory, picks the anchors (`--trust FILE`, or the log's own key from
//! `private/config.json`, and says which), and renders text or `--json`. `show --disclose`
//! is the one that is not read-only: it opens the record's sealed values, and reveals them
//! only through [`super::reveal::log_then_reveal`] (its data-access record appended first).
//!
//! Exit status: 0 shown; 1 a record was refused (its finding printed), the checkpoint does
//! not verify, or a shown record's signature does not; 2 could not run.

use std::path::Path;

use anyhow::{Context, bail};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use logseal::cli::{CheckpointsArgs, GrepArgs, InspectLog, LogArgs, RecordFilters, ShowArgs};
use logseal::inspect::refs::Link;
use logseal::inspect::subject::{self, FieldState};
use logseal::inspect::{
    AnchorSource, Anchors, Fetched, Filter, Head, IndexEvent, IndexHome, InspectError, Inspector,
    fields,
};
use logseal::log::{Log, LogConfig};
use logseal::note::Ed25519NoteVerifier;
use logseal::record::Kind;
use logseal::record::sealed::{FieldPath, SealedValue};
use logseal::record::types::Timestamp;
use logseal::store::{FsStore, ObjectStore};
use logseal::tree::TreeHashAlg;
use serde_json::{Value, json};

use super::sweep::SigningKey;
use super::view::{KeyCheck, Signature, View};
use super::{Invalid, files, reveal};

/// The stores of an opened log directory and the anchors to check it against.
pub(super) struct Opened {
    public: Box<dyn ObjectStore>,
    private: Option<FsStore>,
    anchors: Anchors,
}

/// Open `args.dir`: its public part, its private part when present, and the anchors. An
/// `http(s)://` URL is a log served by `logseal serve` (or any static copy of its public
/// part): read over HTTP, checked against `--trust` (required: a served log's own key is
/// no anchor), with no private part (its index is kept in memory for the command).
pub(super) fn open_dir(args: &InspectLog) -> anyhow::Result<Opened> {
    let dir = &args.dir;
    if let Some(url) = super::verify::remote_url(dir) {
        let Some(t) = &args.trust else {
            bail!(
                "{url}: a log read over HTTP is checked against the auditor's trust file: give \
                 --trust FILE"
            );
        };
        return Ok(Opened {
            public: super::verify::open_remote(url)?,
            private: None,
            anchors: Anchors::from_trust(&super::verify::read_trust(t)?),
        });
    }
    let public_dir = dir.join("public");
    let bucket = logseal::log::public_location_of(dir)?;
    if bucket.is_none() && !public_dir.is_dir() {
        bail!(
            "{}: no public part (expected {}): not a log directory, or truncated",
            dir.display(),
            public_dir.display()
        );
    }
    let public: Box<dyn ObjectStore> = match bucket {
        Some(_) => logseal::log::public_store(dir)?,
        None => Box::new(FsStore::open(&public_dir)?),
    };
    let config_path = dir.join("private").join("config.json");
    let private = match config_path.is_file() {
        true => Some(FsStore::open(dir.join("private"))?),
        false => None,
    };
    let anchors = match (&args.trust, &private) {
        (Some(t), _) => Anchors::from_trust(&super::verify::read_trust(t)?),
        (None, Some(_)) => operator_anchors(&config_path)?,
        (None, None) => bail!(
            "{}: a public-only copy (no private/config.json): give --trust FILE, the auditor's \
             trust file, to check its checkpoint against",
            dir.display()
        ),
    };
    Ok(Opened {
        public,
        private,
        anchors,
    })
}

/// The operator's own keys, from the log's configuration.
fn operator_anchors(path: &Path) -> anyhow::Result<Anchors> {
    let raw = files::read(path)?;
    let cfg: LogConfig =
        serde_json::from_slice(&raw).with_context(|| format!("{}", path.display()))?;
    let alg = TreeHashAlg::parse(&cfg.tree_hash).with_context(|| format!("{}", path.display()))?;
    let log_key = Ed25519NoteVerifier::from_vkey(&cfg.log_key)
        .with_context(|| format!("{}: log_key", path.display()))?;
    let authority = Ed25519NoteVerifier::from_vkey(&cfg.authority_key)
        .with_context(|| format!("{}: authority_key", path.display()))?;
    Ok(Anchors::operator(
        &cfg.origin,
        alg,
        &log_key,
        *authority.public_key(),
    ))
}

/// Open the read layer over `o`, run `f` on it, then say on standard error what happened
/// to the index (read, extended, rebuilt and why; a lookup may rebuild it too).
pub(super) fn with_inspector<T>(
    o: &Opened,
    f: impl FnOnce(&Inspector<'_>) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let home = match &o.private {
        Some(p) => IndexHome::Private(p),
        None => IndexHome::Memory,
    };
    // Deferred: a missing or stale index is built only if a lookup needs it (`show LEAF`
    // never does).
    let ins = Inspector::open_deferred(o.public.as_ref(), o.anchors.clone(), home)
        .map_err(inspect_err)?;
    let result = f(&ins);
    for e in ins.index_events() {
        match e {
            IndexEvent::Current => {}
            IndexEvent::Extended { from } => eprintln!(
                "logseal: index {}: extended from size {from} to {}",
                ins.index_home(),
                ins.head().size
            ),
            IndexEvent::Rebuilt { why } => eprintln!(
                "logseal: index {}: rebuilt from the log for size {} ({why})",
                ins.index_home(),
                ins.head().size
            ),
        }
    }
    if let Some(e) = ins.index_save_error() {
        eprintln!("logseal: the index could not be kept ({e}); it was used in memory");
    }
    result
}

/// A refused record or an unverifiable checkpoint is invalid input (exit 1).
pub(super) fn inspect_err(e: InspectError) -> anyhow::Error {
    match e {
        InspectError::Refused { .. } | InspectError::Checkpoint { .. } => {
            Invalid(refusal_text(&e)).into()
        }
        other => other.into(),
    }
}

/// A refusal in words, with the finding's evidence.
fn refusal_text(e: &InspectError) -> String {
    match e.finding() {
        Some(f) => {
            let mut s = format!(
                "leaf {} REFUSED, not shown: [{}] {}",
                f.leaf.unwrap_or_default(),
                f.code,
                f.message
            );
            if let (Some(x), Some(y)) = (&f.expected, &f.found) {
                s.push_str(&format!(" (expected {x}, found {y})"));
            }
            s
        }
        None => e.to_string(),
    }
}

fn time_of(secs: u64) -> String {
    Timestamp(secs.saturating_mul(1000)).to_rfc3339()
}

fn head_json(h: &Head) -> Value {
    json!({
        "size": h.size,
        "time": time_of(h.log_time),
        "root": B64.encode(h.root),
        "witnesses": h.witnesses.iter().map(|(n, t)| json!({"name": n, "time": time_of(*t)})).collect::<Vec<_>>(),
        "unchecked_signers": h.unchecked,
    })
}

fn head_text(h: &Head) -> String {
    let mut s = format!(
        "size {}, signed at {}, root {}",
        h.size,
        time_of(h.log_time),
        B64.encode(h.root)
    );
    for (n, t) in &h.witnesses {
        s.push_str(&format!(", cosigned by {n} at {}", time_of(*t)));
    }
    s
}

/// One line of `logseal log`: leaf, time, producer#seq, kind, summary.
fn record_line(f: &Fetched) -> String {
    let p = f.record.payload();
    format!(
        "{:>7}  {}  {}#{}  {}  {}",
        f.leaf,
        p.occurred_at.to_rfc3339(),
        p.producer,
        p.seq,
        p.kind().name(),
        fields::summary(&f.record)
    )
    .trim_end()
    .to_string()
}

fn record_json(f: &Fetched) -> Value {
    let p = f.record.payload();
    json!({
        "leaf": f.leaf,
        "time": p.occurred_at.to_rfc3339(),
        "producer": p.producer.as_str(),
        "seq": p.seq,
        "kind": p.kind().name(),
        "summary": fields::summary(&f.record),
        "leaf_hash": hex::encode(f.leaf_hash),
    })
}

fn refused_json(e: &InspectError) -> Value {
    match e.finding() {
        Some(f) => serde_json::to_value(f).unwrap_or(Value::Null),
        None => json!({"error": e.to_string()}),
    }
}

fn print_json(v: &Value) -> anyhow::Result<()> {
    files::print(&format!("{}\n", serde_json::to_string_pretty(v)?))
}

/// `INDEX` or `PRODUCER#SEQ`.
enum Wanted {
    Leaf(u64),
    Seq(String, u64),
}

fn parse_wanted(s: &str) -> anyhow::Result<Wanted> {
    if let Ok(leaf) = s.parse::<u64>() {
        return Ok(Wanted::Leaf(leaf));
    }
    match s.rsplit_once('#') {
        Some((p, seq)) if !p.is_empty() => match seq.parse::<u64>() {
            Ok(seq) => Ok(Wanted::Seq(p.to_string(), seq)),
            Err(_) => {
                bail!("{s:?}: the seq after '#' is not a number (PRODUCER#SEQ, e.g. notifier#3)")
            }
        },
        _ => bail!("{s:?} is neither a leaf index (e.g. 380) nor PRODUCER#SEQ (e.g. notifier#3)"),
    }
}

pub fn show(args: ShowArgs) -> anyhow::Result<()> {
    let wanted = parse_wanted(&args.record)?;
    if !args.disclose {
        let opened = open_dir(&args.log)?;
        return with_inspector(&opened, |ins| show_in(ins, &args, &wanted, None));
    }
    if let Some(url) = super::verify::remote_url(&args.log.dir) {
        bail!(
            "{url}: --disclose opens sealed values from the private part, on site: give the \
             log directory, not a URL"
        );
    }
    let fields = args
        .field
        .iter()
        .map(|f| FieldPath::parse(f).map_err(|e| Invalid(format!("--field {f}: {e}"))))
        .collect::<Result<Vec<_>, _>>()?;
    let required = |v: Option<&Path>, flag: &str| {
        v.with_context(|| format!("--disclose needs {flag}"))
            .map(Path::to_path_buf)
    };
    let case_ref =
        reveal::read_case_ref(&required(args.case_ref_file.as_deref(), "--case-ref-file")?)?;
    let key = SigningKey::load(&required(args.inspector_key.as_deref(), "--inspector-key")?)?;
    let mut log = reveal::open_log(&args.log.dir)?;
    let opened = open_dir(&args.log)?;
    let mut d = Disclose {
        log: &mut log,
        key: &key,
        fields: &fields,
        case_ref,
    };
    with_inspector(&opened, |ins| show_in(ins, &args, &wanted, Some(&mut d)))
}

/// What `show --disclose` needs: the log opened as its sequencer, the inspector's key, the
/// fields asked for (all sealed fields when empty) and the case reference.
struct Disclose<'a> {
    log: &'a mut reveal::AccessLog,
    key: &'a SigningKey,
    fields: &'a [FieldPath],
    case_ref: String,
}

fn show_in(
    ins: &Inspector<'_>,
    args: &ShowArgs,
    wanted: &Wanted,
    disclose: Option<&mut Disclose<'_>>,
) -> anyhow::Result<()> {
    let fetched = match wanted {
        Wanted::Leaf(l) => ins.fetch(*l).map(Some),
        Wanted::Seq(p, s) => ins.by_seq(p, *s),
    };
    let f = match fetched {
        Ok(Some(f)) => f,
        Ok(None) => bail!(
            "{}: no record {} in the log",
            args.log.dir.display(),
            args.record
        ),
        Err(e @ InspectError::Refused { .. }) if args.log.json => {
            print_json(&json!({
                "checked_against": ins.anchors().describe(),
                "checkpoint": head_json(ins.head()),
                "refused": refused_json(&e),
            }))?;
            return Err(inspect_err(e));
        }
        Err(e) => return Err(inspect_err(e)),
    };
    let shown = Shown::gather(ins, f).map_err(inspect_err)?;
    if disclose.is_some() && !matches!(shown.view.signature, Signature::Verified { .. }) {
        // A record whose signature fails (or cannot be checked) proves nothing about who
        // sealed its values: its disclosures are not opened, and no access is logged.
        bail!(Invalid(format!(
            "leaf {}: the record's signature is not verified ({}): its sealed fields are not \
             opened; nothing was revealed and nothing was logged",
            shown.f.leaf,
            match &shown.view.signature {
                Signature::Failed { error, .. } => error.as_str(),
                _ => "no registered key to check it with",
            }
        )));
    }
    let mut problems = shown.view.problems();
    match disclose {
        None => match args.log.json {
            true => print_json(&shown.to_json(ins))?,
            false => files::print(&shown.to_text(ins))?,
        },
        Some(d) => problems.extend(show_disclosed(ins, args, &shown, d)?),
    }
    match problems.is_empty() {
        true => Ok(()),
        false => Err(Invalid(format!("leaf {}: {}", shown.f.leaf, problems.join("; "))).into()),
    }
}

/// Where one sealed field of a shown record stands when `--disclose` opens it.
enum Opening {
    /// Its disclosure opened the record's commitment: the value.
    Value(SealedValue),
    /// It does not: not shown.
    Mismatch,
    /// No disclosure is stored; these retention deletions (leaf, `producer#seq`) erased it.
    Erased(Vec<(u64, String)>),
    /// No disclosure is stored and no retention deletion names it.
    NotStored,
}

/// Each sealed field of `f` among `fields` (all when empty), opened against its commitment.
fn open_sealed(
    ins: &Inspector<'_>,
    log: &Log,
    f: &Fetched,
    fields: &[FieldPath],
) -> anyhow::Result<Vec<(FieldPath, Opening)>> {
    let sealed = &f.record.payload().sealed;
    for want in fields {
        if !sealed
            .iter()
            .any(|(p, _)| subject::field_selected(p, std::slice::from_ref(want)))
        {
            let have: Vec<String> = sealed.iter().map(|(p, _)| p.to_string()).collect();
            return Err(Invalid(format!(
                "--field {want}: leaf {} has no such sealed field (its sealed fields: {})",
                f.leaf,
                match have.is_empty() {
                    true => "none".to_string(),
                    false => have.join(", "),
                }
            ))
            .into());
        }
    }
    let stored = log
        .disclosures(f.leaf)
        .with_context(|| format!("reading the disclosures of leaf {}", f.leaf))?;
    // The retention state of the fields with no disclosure stored (erased, or never stored).
    let found = subject::Found {
        leaf: f.leaf,
        leaf_hash: f.leaf_hash,
        record: f.record.clone(),
        group: String::new(),
        gen_: 0,
        matched: Vec::new(),
        disclosures: stored.clone(),
    };
    let retention = subject::retention(ins, &found).map_err(inspect_err)?;
    Ok(sealed
        .iter()
        .filter(|(p, _)| subject::field_selected(p, fields))
        .map(|(p, c)| {
            let opening = match stored.iter().find(|d| d.path == *p) {
                Some(d) if d.commitment() == *c => Opening::Value(d.value.clone()),
                Some(_) => Opening::Mismatch,
                None => match retention.fields.iter().find(|(q, _)| q == p) {
                    Some((_, FieldState::Erased { by })) => Opening::Erased(by.clone()),
                    _ => Opening::NotStored,
                },
            };
            (p.clone(), opening)
        })
        .collect())
}

/// `show --disclose`: open the sealed fields, log the access naming exactly the (leaf, field)
/// pairs about to be shown, then print the record with them. Returns the problems found
/// (a disclosure that does not open its commitment).
fn show_disclosed(
    ins: &Inspector<'_>,
    args: &ShowArgs,
    shown: &Shown,
    d: &mut Disclose<'_>,
) -> anyhow::Result<Vec<String>> {
    let openings = open_sealed(ins, d.log, &shown.f, d.fields)?;
    let leaf = shown.f.leaf;
    let revealed: Vec<(u64, String)> = openings
        .iter()
        .filter(|(_, o)| matches!(o, Opening::Value(_)))
        .map(|(p, _)| (leaf, p.to_string()))
        .collect();
    let access = reveal::Access {
        purpose: args.purpose.as_deref().unwrap_or_default(),
        legal_basis: args.legal_basis.as_deref().unwrap_or_default(),
        organisation: &args.organisation,
        case_ref: std::mem::take(&mut d.case_ref),
        query: None,
        result_count: Some(1),
        revealed,
        revealed_ranges: Vec::new(),
        retention_rule: reveal::rule_for(ins),
    };
    reveal::log_then_reveal(d.log, d.key, &access, |logged| {
        let disclosed: serde_json::Map<String, Value> = openings
            .iter()
            .map(|(p, o)| (p.to_string(), opening_json(o)))
            .collect();
        match args.log.json {
            true => {
                let mut v = shown.to_json(ins);
                v["access_logged"] = logged.clone();
                v["disclosed"] = Value::Object(disclosed);
                print_json(&v)
            }
            false => {
                let mut out = shown.to_text(ins);
                out.push_str("\ndisclosed (each opened against the record's commitment)\n");
                if openings.is_empty() {
                    out.push_str("  none: the record has no sealed field\n");
                }
                for (p, o) in &openings {
                    out.push_str(&format!("  {:<18}{}\n", p.to_string(), opening_text(o)));
                }
                out.push_str(&format!("{}\n", reveal::logged_line(logged)));
                files::print(&out)
            }
        }
    })?;
    Ok(openings
        .iter()
        .filter(|(_, o)| matches!(o, Opening::Mismatch))
        .map(|(p, _)| {
            format!("the stored disclosure of {p} does not open the record's commitment (sealed-mismatch)")
        })
        .collect())
}

const MISMATCH: &str =
    "NOT SHOWN: the stored disclosure does not open the record's commitment (sealed-mismatch)";
const NOT_STORED: &str = "not stored (no retention deletion names it)";

fn erased_by(by: &[(u64, String)]) -> String {
    by.iter()
        .map(|(l, n)| format!("{n} (leaf {l})"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn opening_json(o: &Opening) -> Value {
    match o {
        Opening::Value(v) => json!({"value": reveal::value_json(v)}),
        Opening::Mismatch => json!({"error": MISMATCH}),
        Opening::Erased(by) => json!({"erased_by": by.iter()
            .map(|(l, n)| json!({"leaf": l, "record": n})).collect::<Vec<_>>()}),
        Opening::NotStored => json!({"error": NOT_STORED}),
    }
}

fn opening_text(o: &Opening) -> String {
    match o {
        Opening::Value(v) => reveal::value_json(v).to_string(),
        Opening::Mismatch => MISMATCH.to_string(),
        Opening::Erased(by) => format!("erased by the retention deletion {}", erased_by(by)),
        Opening::NotStored => NOT_STORED.to_string(),
    }
}

/// Everything `show` prints about one record.
struct Shown {
    f: Fetched,
    view: View,
    first: Option<Head>,
    chain: logseal::inspect::refs::ChainPlace,
    references: Vec<Link>,
    /// What refers to it, each with what refers to that in turn (an appeal's decisions).
    referenced_by: Vec<(Link, Vec<Link>)>,
}

impl Shown {
    fn gather(ins: &Inspector<'_>, f: Fetched) -> Result<Shown, InspectError> {
        let references = ins.references_of(&f)?;
        let mut referenced_by = Vec::new();
        for link in ins.referenced_by(&f)? {
            let below = match &link.to {
                Ok(g) if g.record.payload().kind() == Kind::Appeal => ins.referenced_by(g)?,
                _ => Vec::new(),
            };
            referenced_by.push((link, below));
        }
        let view = view_of(ins, &f, &references);
        Ok(Shown {
            first: ins.first_including(&f)?,
            chain: ins.chain_place(&f)?,
            view,
            references,
            referenced_by,
            f,
        })
    }

    /// For a sanction: its statements of reasons (notifications referring to it).
    fn statements(&self) -> Option<Vec<&Fetched>> {
        if self.f.record.payload().kind() != Kind::AccountSanction {
            return None;
        }
        Some(
            self.referenced_by
                .iter()
                .filter_map(|(l, _)| l.to.as_ref().ok())
                .filter(|g| g.record.payload().kind() == Kind::Notification)
                .collect(),
        )
    }

    fn to_text(&self, ins: &Inspector<'_>) -> String {
        let mut out = self.view.to_text();
        let line = |out: &mut String, k: &str, v: String| out.push_str(&format!("{k:<20}{v}\n"));
        out.push('\n');
        line(
            &mut out,
            "authenticated",
            format!(
                "leaf {} of the tree below (inclusion proof verified), {}",
                self.f.leaf,
                ins.anchors().describe()
            ),
        );
        line(&mut out, "checkpoint", head_text(ins.head()));
        let first = match &self.first {
            Some(h) => format!(
                "the published checkpoint of size {} (signed at {})",
                h.size,
                time_of(h.log_time)
            ),
            None => "none of the published history proves it (see `logseal checkpoints`)".into(),
        };
        line(&mut out, "first included in", first);
        let p = self.f.record.payload();
        out.push_str(&format!(
            "\nchain               {} seq {} ({} records of {} in the log)\n",
            p.producer, p.seq, self.chain.count, p.producer
        ));
        match (&self.chain.prev, self.chain.prev_matches) {
            (None, _) => out.push_str("  previous          none: seq 0 starts the chain\n"),
            (Some(Ok(g)), Some(m)) => out.push_str(&format!(
                "  previous          {}{}\n",
                record_line(g).trim_start(),
                match m {
                    true => "  (its leaf hash is this record's prev)",
                    false => "  (its leaf hash is NOT this record's prev: the chain is broken)",
                }
            )),
            (Some(Ok(g)), None) => out.push_str(&format!(
                "  previous          {}\n",
                record_line(g).trim_start()
            )),
            (Some(Err(e)), _) => out.push_str(&format!("  previous          {e}\n")),
        }
        match &self.chain.next {
            None => {
                out.push_str("  next              none in the log (the producer's latest record)\n")
            }
            Some(Ok(g)) => out.push_str(&format!(
                "  next              {}\n",
                record_line(g).trim_start()
            )),
            Some(Err(e)) => out.push_str(&format!("  next              {e}\n")),
        }
        out.push_str("\nreferences\n");
        for l in &self.references {
            out.push_str(&link_text(l, 1));
        }
        out.push_str("\nreferenced by\n");
        if self.referenced_by.is_empty() {
            out.push_str("  none\n");
        }
        for (l, below) in &self.referenced_by {
            out.push_str(&link_text(l, 1));
            for b in below {
                out.push_str(&link_text(b, 2));
            }
        }
        match self.statements() {
            Some(s) if s.is_empty() => {
                out.push_str("\nno statement of reasons references this record\n");
            }
            Some(s) => {
                for g in s {
                    out.push_str(&format!(
                        "\nstatement of reasons: leaf {} ({}#{})\n",
                        g.leaf,
                        g.record.payload().producer,
                        g.record.payload().seq
                    ));
                }
            }
            None => {}
        }
        out
    }

    fn to_json(&self, ins: &Inspector<'_>) -> Value {
        let p = self.f.record.payload();
        let opt = |x: &Option<Result<Fetched, String>>| match x {
            None => Value::Null,
            Some(Ok(g)) => record_json(g),
            Some(Err(e)) => json!({"error": e}),
        };
        let mut v = json!({
            "leaf": self.f.leaf,
            "anchor": match ins.anchors().source {
                AnchorSource::Trust => "trust",
                AnchorSource::Operator => "operator",
            },
            "checked_against": ins.anchors().describe(),
            "checkpoint": head_json(ins.head()),
            "first_published_checkpoint": self.first.as_ref().map(head_json),
            "record": self.view.to_json(),
            "chain": {
                "producer": p.producer.as_str(),
                "seq": p.seq,
                "count": self.chain.count,
                "prev": opt(&self.chain.prev),
                "prev_matches": self.chain.prev_matches,
                "next": opt(&self.chain.next),
            },
            "references": self.references.iter().map(link_json).collect::<Vec<_>>(),
            "referenced_by": self.referenced_by.iter().map(|(l, below)| {
                let mut j = link_json(l);
                if !below.is_empty() {
                    j["referenced_by"] = below.iter().map(link_json).collect();
                }
                j
            }).collect::<Vec<_>>(),
        });
        if let Some(s) = self.statements() {
            v["statements_of_reasons"] = s.iter().map(|g| json!(g.leaf)).collect();
            if s.is_empty() {
                v["statement_of_reasons"] = json!("no statement of reasons references this record");
            }
        }
        v
    }
}

/// The record decoded as `record show` does, its signature checked with the key that its
/// key registration in the log registers (or the registration authority's anchor key in
/// force at its leaf).
fn view_of(ins: &Inspector<'_>, f: &Fetched, references: &[Link]) -> View {
    let origin = ins.anchors().origin.clone();
    let authority = ins.anchors().authority_at(f.leaf);
    let reg = references
        .iter()
        .find(|l| l.what == "key registration")
        .and_then(|l| l.to.as_ref().ok());
    let (name, key) = match reg.and_then(|r| Inspector::registered_key(r).map(|k| (r, k))) {
        Some((r, k)) => (
            format!(
                "the key registered at leaf {} ({}#{})",
                r.leaf,
                r.record.payload().producer,
                r.record.payload().seq
            ),
            Some(k),
        ),
        None if authority.is_some_and(|a| *f.record.kid() == a.key_id()) => {
            ("the registration authority's key".to_string(), authority)
        }
        None => (String::new(), None),
    };
    let check = key.as_ref().map(|k| KeyCheck {
        name: &name,
        key: k,
        origin: &origin,
    });
    View::inspect(
        format!("leaf {} of {origin}", f.leaf),
        f.record.clone(),
        &[],
        check,
    )
}

fn link_text(l: &Link, depth: usize) -> String {
    let pad = "  ".repeat(depth);
    let width = 18usize.saturating_sub(pad.len() - 2);
    match &l.to {
        Ok(g) => format!("{pad}{:<width$}{}\n", l.what, record_line(g).trim_start()),
        Err(e) => format!("{pad}{:<width$}{e}\n", l.what),
    }
}

fn link_json(l: &Link) -> Value {
    let mut v = match &l.to {
        Ok(g) => record_json(g),
        Err(e) => json!({"error": e}),
    };
    v["relation"] = json!(l.what);
    v
}

/// The filter of `log`'s flags.
fn filter_of(
    f: &RecordFilters,
    since: &Option<String>,
    until: &Option<String>,
) -> anyhow::Result<Filter> {
    let mut filter = Filter::default();
    if let Some(k) = &f.kind
        && Kind::from_name(k).is_none()
    {
        bail!(
            "--kind {k}: not a record kind (e.g. data-access, account-sanction, appeal-decision)"
        );
    }
    let named = [
        ("kind", &f.kind),
        ("producer", &f.producer),
        ("organisation", &f.organisation),
        ("legal-basis", &f.legal_basis),
        ("authorisation-id", &f.authorisation_id),
        ("ground", &f.ground),
        ("automation", &f.automation),
        ("status", &f.status),
        ("action", &f.action),
    ];
    for (name, value) in named {
        if let Some(v) = value {
            filter.add(name, v);
        }
    }
    for w in &f.wheres {
        let Some((path, value)) = w.split_once('=') else {
            bail!("--where {w:?}: expected PATH=VALUE (e.g. human_review=false)");
        };
        filter.add(path.trim(), value.trim());
    }
    let time = |flag: &str, s: &Option<String>| -> anyhow::Result<Option<Timestamp>> {
        s.as_deref()
            .map(|s| {
                Timestamp::parse_rfc3339(s)
                    .map(|(t, _)| t)
                    .map_err(|e| anyhow::anyhow!("{flag} {s}: {e}"))
            })
            .transpose()
    };
    filter.since = time("--since", since)?;
    filter.until = time("--until", until)?;
    Ok(filter)
}

pub fn log(args: LogArgs) -> anyhow::Result<()> {
    let filter = filter_of(&args.filters, &args.since, &args.until)?;
    let opened = open_dir(&args.log)?;
    with_inspector(&opened, |ins| log_in(ins, &args, &filter))
}

fn log_in(ins: &Inspector<'_>, args: &LogArgs, filter: &Filter) -> anyhow::Result<()> {
    let limit = args.limit.unwrap_or(usize::MAX);
    let mut shown: Vec<Fetched> = Vec::new();
    let mut refused: Vec<InspectError> = Vec::new();
    if let Some(id) = &args.trace {
        let (mut found, r) = ins.by_id(id).map_err(inspect_err)?;
        found.sort_by_key(|f| f.leaf);
        if !args.reverse {
            found.reverse();
        }
        shown.extend(
            found
                .into_iter()
                .filter(|f| filter.matches(&f.record))
                .take(limit),
        );
        refused.extend(r);
    } else {
        let time = filter.has_time().then(|| {
            (
                filter.since.map_or(0, |t| t.0),
                filter.until.map_or(u64::MAX, |t| t.0),
            )
        });
        let kinds = logseal::inspect::index::kinds_of(filter);
        ins.scan_kinds(time, kinds, !args.reverse, |r| {
            match r {
                Ok(f) if filter.matches(&f.record) => shown.push(f),
                Ok(_) => {}
                Err(e) => refused.push(e),
            }
            shown.len() < limit
        });
    }
    list_output(ins, &args.log, &shown, &refused, |_| Vec::new())
}

/// Print `log`'s or `grep`'s list: a header saying what it was checked against, one line per
/// record (and `extra` lines under it), then the refusals; exit 1 when any.
fn list_output(
    ins: &Inspector<'_>,
    args: &InspectLog,
    shown: &[Fetched],
    refused: &[InspectError],
    extra: impl Fn(&Fetched) -> Vec<fields::Field>,
) -> anyhow::Result<()> {
    if args.json {
        print_json(&json!({
            "checked_against": ins.anchors().describe(),
            "checkpoint": head_json(ins.head()),
            "records": shown.iter().map(|f| {
                let mut v = record_json(f);
                let m = extra(f);
                if !m.is_empty() {
                    v["matches"] = m.iter().map(|x| json!({"path": x.path, "value": x.value})).collect();
                }
                v
            }).collect::<Vec<_>>(),
            "refused": refused.iter().map(refused_json).collect::<Vec<_>>(),
        }))?;
    } else {
        let mut out = format!(
            "# checkpoint {}; every record {}\n",
            head_text(ins.head()),
            ins.anchors().describe()
        );
        for f in shown {
            out.push_str(&record_line(f));
            out.push('\n');
            for m in extra(f) {
                out.push_str(&format!("         {}={}\n", m.path, m.value));
            }
        }
        for e in refused {
            out.push_str(&format!("{}\n", refusal_text(e)));
        }
        files::print(&out)?;
    }
    match refused.first() {
        None => Ok(()),
        Some(_) => Err(Invalid(format!(
            "{}: {} record(s) refused (not authentic against the checkpoint)",
            args.dir.display(),
            refused.len()
        ))
        .into()),
    }
}

pub fn grep(args: GrepArgs) -> anyhow::Result<()> {
    let opened = open_dir(&args.log)?;
    with_inspector(&opened, |ins| grep_in(ins, &args))
}

fn grep_in(ins: &Inspector<'_>, args: &GrepArgs) -> anyhow::Result<()> {
    let limit = args.limit.unwrap_or(usize::MAX);
    let field = args.field.as_deref();
    let mut shown = Vec::new();
    let mut refused = Vec::new();
    ins.scan(None, false, |r| {
        match r {
            Ok(f)
                if !fields::grep(&f.record, &args.pattern, field, args.ignore_case).is_empty() =>
            {
                shown.push(f)
            }
            Ok(_) => {}
            Err(e) => refused.push(e),
        }
        shown.len() < limit
    });
    list_output(ins, &args.log, &shown, &refused, |f| {
        fields::grep(&f.record, &args.pattern, field, args.ignore_case)
    })
}

pub fn checkpoints(args: CheckpointsArgs) -> anyhow::Result<()> {
    let opened = open_dir(&args.log)?;
    with_inspector(&opened, |ins| checkpoints_in(ins, &args))
}

fn checkpoints_in(ins: &Inspector<'_>, args: &CheckpointsArgs) -> anyhow::Result<()> {
    let published = ins.published().map_err(inspect_err)?;
    let bad = published
        .iter()
        .filter(|p| p.checkpoint.is_err() || p.consistent.is_err())
        .count();
    if args.log.json {
        print_json(&json!({
            "checked_against": ins.anchors().describe(),
            "checkpoints": published.iter().map(|p| match &p.checkpoint {
                Ok(h) => {
                    let mut v = head_json(h);
                    if let Err(e) = &p.consistent {
                        v["inconsistent"] = json!(e);
                    }
                    v
                }
                Err(e) => json!({"size": p.size, "error": e}),
            }).collect::<Vec<_>>(),
        }))?;
    } else {
        let mut out = format!(
            "# {} published checkpoint(s), each {}\n",
            published.len(),
            ins.anchors().describe()
        );
        for p in &published {
            out.push_str(&match &p.checkpoint {
                Ok(h) => {
                    let mut cosigners: Vec<String> =
                        h.witnesses.iter().map(|(n, _)| n.clone()).collect();
                    cosigners.extend(h.unchecked.iter().map(|n| format!("{n} (not checked)")));
                    format!(
                        "size {:>8}  {}  root {}  cosigners: {}{}\n",
                        h.size,
                        time_of(h.log_time),
                        B64.encode(h.root),
                        match cosigners.is_empty() {
                            true => "none".to_string(),
                            false => cosigners.join(", "),
                        },
                        match &p.consistent {
                            Ok(()) => String::new(),
                            Err(e) => format!("  INCONSISTENT: {e}"),
                        }
                    )
                }
                Err(e) => format!("size {:>8}  DOES NOT VERIFY: {e}\n", p.size),
            });
        }
        files::print(&out)?;
    }
    match bad {
        0 => Ok(()),
        n => Err(Invalid(format!(
            "{}: {n} published checkpoint(s) do not verify or are not consistent with the latest",
            args.log.dir.display()
        ))
        .into()),
    }
}

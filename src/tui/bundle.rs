//! An evidence bundle as a [`Source`]: offline, only what the bundle holds. Its records are
//! listed in leaf order (the list is sparse: a selection of the log), references are followed
//! within the bundle, proofs come from the bundle's inclusion and consistency proofs, and the
//! verification is `bundle verify` ([`crate::bundle::verify()`]) against the trust file given.
//! Keys inside a bundle are hints, never trust: without a trust file nothing is authenticated
//! and every view says so. Nothing can be revealed from a bundle.

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use crate::bundle::{self, Bundle, Entry};
use crate::checkpoint::Checkpoint;
use crate::inspect::refs::covers;
use crate::inspect::{Fetched, fields};
use crate::note;
use crate::record::Disclosure;
use crate::record::kinds::Body;
use crate::record::types::Timestamp;
use crate::tree::TreeHashAlg;
use crate::verify::chains::references;
use crate::verify::report::{self, Check, Findings, Provenance};
use crate::verify::{Progress, Report, Trust, Verdict};

use super::data::{
    CheckpointRow, Detail, Link, Path, ProducerRow, Proof, Query, RevealAsk, Revealed, Row, Sealed,
    Target, Verified, Way,
};
use super::query;
use super::source::{Source, VerifyJob};

/// Why a bundle cannot reveal.
pub const NO_REVEAL: &str = "a bundle cannot reveal sealed values: it holds only the \
     disclosures its exporter chose (shown as disclosed); nothing was revealed";

/// Why checks 4–7 are not run on a bundle.
pub const NOT_IN_BUNDLE: &str = "a bundle holds a selection of the log, not the whole log: \
     this check runs on the log itself (see the exporter's statements)";

/// What the verify view says about a bundle opened without a trust file.
pub const NO_TRUST: &str = "bundle verify needs --trust FILE: the keys inside a bundle are \
     hints, never trust, so nothing shown here is authenticated";

/// One entry of the bundle, decoded.
struct Item {
    entry: Entry,
    fetched: Result<Fetched, String>,
    /// The disclosures that open the record's commitments.
    opened: Vec<Disclosure>,
}

/// An opened evidence bundle.
pub struct BundleSource {
    bundle: Arc<Bundle>,
    items: Vec<Item>,
    trust: Option<Trust>,
    alg: TreeHashAlg,
    /// The newest checkpoint's claimed size.
    size: u64,
    checked: Arc<OnceLock<bundle::Verified>>,
}

fn time_of(secs: u64) -> String {
    Timestamp(secs.saturating_mul(1000)).to_rfc3339()
}

/// A checkpoint's claimed size and root (not verified).
fn claimed(note_bytes: &[u8]) -> Option<Checkpoint> {
    let n = note::parse_note(note_bytes).ok()?;
    Checkpoint::parse(&n.text).ok()
}

fn opened(f: &Fetched, raw: &[minicbor::bytes::ByteVec]) -> Vec<Disclosure> {
    let sealed = &f.record.payload().sealed;
    (raw.iter())
        .filter_map(|b| Disclosure::from_bytes(b).ok())
        .filter(|d| {
            sealed
                .iter()
                .any(|(p, c)| *p == d.path && *c == d.commitment())
        })
        .collect()
}

fn value_text(v: &crate::record::sealed::SealedValue) -> String {
    use crate::record::sealed::SealedValue as V;
    match v {
        V::Text(s) => format!("{s:?}"),
        V::Bytes(b) => hex::encode(b),
        V::Uint(u) => u.to_string(),
        V::List(items) => {
            let all: Vec<String> = items.iter().map(value_text).collect();
            format!("[{}]", all.join(", "))
        }
    }
}

impl BundleSource {
    /// Decode the bundle's entries (in leaf order); `trust` authenticates, when given.
    pub fn new(bundle: Bundle, trust: Option<Trust>) -> Result<BundleSource, String> {
        let alg = TreeHashAlg::parse(&bundle.tree_hash).map_err(|e| format!("tree_hash: {e}"))?;
        let mut entries = bundle.entries.clone();
        entries.sort_by_key(|e| e.leaf);
        let items = (entries.into_iter())
            .map(|entry| {
                let fetched = crate::record::Record::decode(&entry.record)
                    .map(|record| Fetched {
                        leaf: entry.leaf,
                        leaf_hash: alg.leaf(&entry.record),
                        record,
                    })
                    .map_err(|e| format!("the record does not decode: {e}"));
                let opened = match &fetched {
                    Ok(f) => opened(f, &entry.disclosures),
                    Err(_) => Vec::new(),
                };
                Item {
                    entry,
                    fetched,
                    opened,
                }
            })
            .collect();
        let size = (bundle.checkpoints.last())
            .and_then(|n| claimed(n))
            .map_or(0, |c| c.size);
        Ok(BundleSource {
            bundle: Arc::new(bundle),
            items,
            trust,
            alg,
            size,
            checked: Arc::new(OnceLock::new()),
        })
    }

    /// The leaves of the bundle's records, ascending: the records list.
    pub fn leaves(&self) -> Vec<u64> {
        self.items.iter().map(|i| i.entry.leaf).collect()
    }

    /// The size of the newest checkpoint the bundle holds (as it claims).
    pub fn size(&self) -> u64 {
        self.size
    }

    pub fn origin(&self) -> &str {
        &self.bundle.origin
    }

    /// `bundle verify`, run once (by the verification job or the first view that needs it).
    fn verified(&self) -> Option<&bundle::Verified> {
        let t = self.trust.as_ref()?;
        Some(
            self.checked
                .get_or_init(|| bundle::verify(&self.bundle, t, None)),
        )
    }

    fn item(&self, leaf: u64) -> Result<&Item, String> {
        match self.items.binary_search_by_key(&leaf, |i| i.entry.leaf) {
            Ok(k) => Ok(&self.items[k]),
            Err(_) => Err(format!("leaf {leaf} is not in the bundle")),
        }
    }

    fn fetched(&self, leaf: u64) -> Result<&Fetched, String> {
        self.item(leaf)?.fetched.as_ref().map_err(Clone::clone)
    }

    fn row(i: &Item) -> Row {
        match &i.fetched {
            Ok(f) => Row::of(f),
            Err(why) => Row {
                leaf: i.entry.leaf,
                time: String::new(),
                who: String::new(),
                kind: "REFUSED".into(),
                summary: String::new(),
                refused: Some(why.clone()),
            },
        }
    }

    fn short(f: &Fetched) -> String {
        let r = Row::of(f);
        format!("leaf {} {} {} {}", r.leaf, r.who, r.kind, r.summary)
    }

    fn link(way: Way, what: &str, to: Result<&Fetched, String>) -> Link {
        Link {
            way,
            what: what.into(),
            leaf: to.as_ref().ok().map(|f| f.leaf),
            text: match to {
                Ok(f) => Self::short(f),
                Err(e) => e,
            },
        }
    }

    /// What `f` refers to, and what refers to it, within the bundle.
    fn links(&self, f: &Fetched) -> Vec<Link> {
        let body = &f.record.payload().body;
        let all = || self.items.iter().filter_map(|i| i.fetched.as_ref().ok());
        let mut out: Vec<Link> = (references(body).into_iter())
            .map(|r| {
                let found = all().find(|g| {
                    let p = g.record.payload();
                    p.producer == r.producer && p.seq == r.seq && g.leaf_hash == r.leaf_hash.0
                });
                let missing = || format!("{}#{}: not in the bundle", r.producer, r.seq);
                Self::link(Way::To, "refers to", found.ok_or_else(missing))
            })
            .collect();
        if let Body::DataAccess(a) = body
            && let Some(id) = &a.actor.authorisation_id
        {
            out.extend(
                all()
                    .filter(|g| {
                        matches!(&g.record.payload().body,
                Body::Authorisation(x) if x.authorisation_id.as_str() == id.as_str())
                    })
                    .map(|g| Self::link(Way::To, "authorisation", Ok(g))),
            );
        }
        if let Body::RetentionDeletion(d) = body {
            out.extend(
                all()
                    .filter(|g| d.targets.iter().any(|t| covers(t, g)))
                    .map(|g| Self::link(Way::To, "covers", Ok(g))),
            );
        }
        out.push(self.registration(f));
        for g in all() {
            let b = &g.record.payload().body;
            let p = f.record.payload();
            if (references(b).iter())
                .any(|r| r.producer == p.producer && r.seq == p.seq && r.leaf_hash.0 == f.leaf_hash)
            {
                out.push(Self::link(Way::From, "referred to by", Ok(g)));
            }
            if let Body::RetentionDeletion(d) = b
                && d.targets.iter().any(|t| covers(t, f))
            {
                out.push(Self::link(Way::From, "covered by", Ok(g)));
            }
        }
        out
    }

    /// The key registration in the bundle that admits `f` (the latest before it).
    fn registration(&self, f: &Fetched) -> Link {
        let kid = *f.record.kid();
        let found = (self.items.iter().filter_map(|i| i.fetched.as_ref().ok()))
            .filter(|g| g.leaf < f.leaf)
            .rfind(|g| match &g.record.payload().body {
                Body::KeyRegistration(k) => crate::crypto::PublicKey::from_bytes(&k.public_key.0)
                    .is_ok_and(|key| key.key_id() == kid),
                _ => false,
            });
        let missing = || {
            format!(
                "no key registration of key {} in the bundle (the registration authority's own \
                 key, or not exported)",
                hex::encode(kid)
            )
        };
        Self::link(Way::To, "key registration", found.ok_or_else(missing))
    }

    fn signature(&self, leaf: u64) -> (String, bool) {
        let Some(v) = self.verified() else {
            return (format!("not checked: {NO_TRUST}"), false);
        };
        match v.records.iter().find(|r| r.leaf == leaf) {
            Some(r) if r.proven() => (
                "verified by bundle verify: signed by a key a registration in the bundle admits \
                 (check 3), included in a verified checkpoint (check 2)"
                    .into(),
                true,
            ),
            Some(r) => (
                format!(
                    "NOT proven by bundle verify: authentic {}, included {} (see the findings)",
                    r.authentic, r.included
                ),
                false,
            ),
            None => ("not checked: not among the verified records".into(), false),
        }
    }

    fn sealed(i: &Item, f: &Fetched) -> Vec<Sealed> {
        let p = f.record.payload();
        let specs = p.kind().sealed_specs();
        (p.sealed.iter())
            .map(|(path, _)| Sealed {
                path: path.to_string(),
                what: (specs.iter().find(|s| s.matches(path)))
                    .map_or("", |s| s.doc)
                    .into(),
                state: match i.opened.iter().find(|d| d.path == *path) {
                    Some(d) => format!("disclosed in the bundle: {}", value_text(&d.value)),
                    None => "sealed (not disclosed in the bundle)".into(),
                },
            })
            .collect()
    }

    fn chain(&self, f: &Fetched) -> String {
        let p = f.record.payload();
        let of = |seq: u64| {
            (self.items.iter().filter_map(|i| i.fetched.as_ref().ok()))
                .find(|g| {
                    g.record.payload().producer == p.producer && g.record.payload().seq == seq
                })
                .map_or("not in the bundle".to_string(), |g| {
                    format!("leaf {}", g.leaf)
                })
        };
        let prev = match p.seq {
            0 => "none (seq 0)".to_string(),
            s => of(s - 1),
        };
        format!(
            "{} seq {}; previous: {prev}; next: {}",
            p.producer,
            p.seq,
            of(p.seq + 1)
        )
    }

    fn checkpoint_text(&self, k: usize) -> (u64, String, String, bool) {
        let note = &self.bundle.checkpoints[k];
        let c = claimed(note);
        let (size, root) = c.map_or((0, String::new()), |c| (c.size, hex::encode(c.root)));
        let verified = self.verified().and_then(|v| v.checkpoints.get(k));
        let text = match verified {
            None => "not verified (no --trust)".to_string(),
            Some(v) if v.verified => {
                let mut s = format!("signed by the log at {}", time_of(v.log_time.unwrap_or(0)));
                for (w, t) in &v.witnesses {
                    s.push_str(&format!(" · cosigned by witness {w} at {}", time_of(*t)));
                }
                s
            }
            Some(_) => "DOES NOT VERIFY against the trust file (see the findings)".into(),
        };
        (size, root, text, verified.is_some_and(|v| v.verified))
    }

    fn path_to(&self, k: usize, f: &Fetched, hashes: &[[u8; 32]]) -> Path {
        let (size, root, text, ok) = self.checkpoint_text(k);
        let alg = self.alg;
        let root_bytes: [u8; 32] = hex::decode(&root)
            .ok()
            .and_then(|b| b.try_into().ok())
            .unwrap_or([0; 32]);
        let verified = match alg.verify_inclusion(f.leaf, size, &f.leaf_hash, hashes, &root_bytes) {
            Ok(()) if ok => Ok(()),
            Ok(()) => {
                Err("the path recomputes the root, but the checkpoint is not verified".into())
            }
            Err(e) => Err(e.to_string()),
        };
        Path {
            size,
            root,
            signed: vec![text],
            hashes: hashes.iter().map(hex::encode).collect(),
            verified,
        }
    }
}

/// Checks 1–3 and 8 (those `bundle verify` runs), as progress.
const BUNDLE_CHECKS: [Check; 4] = [
    Check::Checkpoints,
    Check::Tree,
    Check::Records,
    Check::Obligations,
];

/// `bundle verify`'s result as the verify views read it: a report with checks 4–7 not run.
pub fn report_of(v: &bundle::Verified, trust: &Trust) -> Report {
    let mut out = Findings::default();
    for f in &v.findings {
        out.push(f.clone());
    }
    let not_run: BTreeMap<Check, String> = [
        Check::Completeness,
        Check::Ordering,
        Check::Authorisation,
        Check::Retention,
    ]
    .into_iter()
    .map(|c| (c, NOT_IN_BUNDLE.to_string()))
    .collect();
    let (checks, counts, findings) = out.finish(&not_run);
    Report {
        format: report::REPORT_FORMAT,
        provenance: Provenance {
            tool: "logseal".into(),
            tool_version: env!("CARGO_PKG_VERSION").into(),
            report_format: report::REPORT_FORMAT,
            record_format: crate::record::payload::VERSION,
            trust_format: crate::verify::trust::TRUST_FORMAT,
            state_format: crate::verify::state::STATE_FORMAT,
            origin: v.origin.clone(),
            tree_hash: trust.alg.name().into(),
            trust_anchors: v.anchors.clone(),
            witness_quorum: v.witness_quorum,
            time_zone_data: v.tzdb.clone(),
            at: v.at_secs,
            incremental_from: None,
        },
        tree_size: v.checkpoints.last().map(|c| c.size),
        records_checked: v.records.len() as u64,
        checks,
        counts,
        findings,
        retention: None,
    }
}

/// What the bundle's verification says beside its findings.
fn summary(v: &bundle::Verified) -> String {
    let integrity = match v.integrity_holds() {
        true => "checks 1–3 hold for every record",
        false => "checks 1–3 do NOT hold for every record",
    };
    format!(
        "bundle verify: {integrity}; {} statement(s) of the exporter (observations, not proofs); \
         reference time {}",
        v.statements.len(),
        time_of(v.at_secs)
    )
}

impl Source for BundleSource {
    fn bundle(&self, b: u64) -> Vec<Row> {
        let first = (b * super::app::BUNDLE) as usize;
        (self
            .items
            .iter()
            .skip(first)
            .take(super::app::BUNDLE as usize))
        .map(Self::row)
        .collect()
    }

    fn detail(&self, leaf: u64) -> Result<Detail, String> {
        let i = self.item(leaf)?;
        let f = i.fetched.as_ref().map_err(Clone::clone)?;
        let (signature, signature_ok) = self.signature(leaf);
        let roles: Vec<&str> = i.entry.roles.iter().map(String::as_str).collect();
        let k = i.entry.checkpoint as usize;
        let (size, _, _, _) = self.checkpoint_text(k.min(self.bundle.checkpoints.len() - 1));
        Ok(Detail {
            row: Row::of(f),
            leaf_hash: hex::encode(f.leaf_hash),
            fields: (fields::public_fields(&f.record).into_iter())
                .map(|x| (x.path, x.value))
                .collect(),
            sealed: Self::sealed(i, f),
            signature,
            signature_ok,
            chain: self.chain(f),
            first_checkpoint: format!(
                "first included in the bundle's checkpoint of size {size}; in the bundle as: {}",
                roles.join(", ")
            ),
            links: self.links(f),
        })
    }

    fn proof(&self, leaf: u64) -> Result<Proof, String> {
        let i = self.item(leaf)?;
        let f = self.fetched(leaf)?;
        let n = self.bundle.checkpoints.len();
        let k = i.entry.checkpoint as usize;
        if k >= n {
            return Err(format!("its checkpoint index {k} is not in the bundle"));
        }
        let hashes: Vec<[u8; 32]> = i.entry.inclusion.iter().map(|h| h.0).collect();
        let first = self.path_to(k, f, &hashes);
        let newest = match k + 1 == n {
            true => Ok(first.clone()),
            false => {
                let c = self
                    .bundle
                    .consistency
                    .iter()
                    .find(|c| c.from as usize == k);
                let (size, root, text, ok) = self.checkpoint_text(n - 1);
                match c {
                    None => {
                        Err("no consistency proof to the newest checkpoint in the bundle".into())
                    }
                    Some(c) => Ok(Path {
                        size,
                        root,
                        signed: vec![
                            text,
                            format!("reached by a consistency proof from size {}", first.size),
                        ],
                        hashes: c.proof.iter().map(|h| hex::encode(h.0)).collect(),
                        verified: match ok {
                            true => Ok(()),
                            false => Err("not verified (see the findings)".into()),
                        },
                    }),
                }
            }
        };
        Ok(Proof {
            leaf,
            who: Row::of(f).who,
            leaf_hash: hex::encode(f.leaf_hash),
            first: Ok(first),
            newest,
        })
    }

    fn checkpoints(&self) -> Result<Vec<CheckpointRow>, String> {
        let n = self.bundle.checkpoints.len();
        Ok((0..n)
            .map(|k| {
                let (size, root, text, ok) = self.checkpoint_text(k);
                CheckpointRow {
                    size,
                    text: format!("root {}… · {text}", &root[..root.len().min(16)]),
                    consistent: match (ok, self.trust.is_some()) {
                        (true, _) => Ok(()),
                        (false, true) => Err("not proven (see the findings)".into()),
                        (false, false) => Err("not checked: no --trust".into()),
                    },
                }
            })
            .collect())
    }

    fn producers(&self) -> Result<Vec<ProducerRow>, String> {
        let mut by: BTreeMap<String, Vec<&Fetched>> = BTreeMap::new();
        for f in self.items.iter().filter_map(|i| i.fetched.as_ref().ok()) {
            by.entry(f.record.payload().producer.to_string())
                .or_default()
                .push(f);
        }
        Ok(by
            .into_iter()
            .map(|(name, fs)| {
                let last = fs.iter().max_by_key(|f| f.record.payload().seq);
                let beat = (fs.iter().rev())
                    .find(|f| f.record.payload().kind().name() == "producer-heartbeat");
                ProducerRow {
                    name,
                    records: fs.len(),
                    head: last.map_or("none".into(), |f| {
                        format!(
                            "seq {} at leaf {} (in the bundle)",
                            f.record.payload().seq,
                            f.leaf
                        )
                    }),
                    heartbeat: beat.map_or("none in the bundle".into(), |f| {
                        format!(
                            "leaf {} at {}",
                            f.leaf,
                            f.record.payload().occurred_at.to_rfc3339()
                        )
                    }),
                    gaps: "not known: a bundle holds a selection".into(),
                }
            })
            .collect())
    }

    fn jump(&self, t: &Target) -> Result<u64, String> {
        let all = || self.items.iter().filter_map(|i| i.fetched.as_ref().ok());
        match t {
            Target::Leaf(l) => self.item(*l).map(|_| *l),
            Target::Seq(p, s) => all()
                .find(|f| f.record.payload().producer.as_str() == p && f.record.payload().seq == *s)
                .map(|f| f.leaf)
                .ok_or_else(|| format!("no record {p}#{s} in the bundle")),
            Target::Time(ms) => all()
                .find(|f| f.record.payload().occurred_at.0 >= *ms)
                .map(|f| f.leaf)
                .ok_or_else(|| "no record at or after that time in the bundle".into()),
        }
    }

    fn filter(&self, q: &Query, emit: &mut dyn FnMut(Vec<Row>, u64, bool) -> bool) {
        let f = &q.filter;
        let rows = (self.items.iter().filter_map(|i| i.fetched.as_ref().ok()))
            .filter(|x| {
                let at = x.record.payload().occurred_at.0;
                f.since.is_none_or(|s| at >= s.0)
                    && f.until.is_none_or(|u| at <= u.0)
                    && f.matches(&x.record)
                    && query::words_match(q, &x.record)
            })
            .map(Row::of)
            .collect();
        emit(rows, self.items.len() as u64, true);
    }

    fn verifier(&self) -> Result<VerifyJob, String> {
        let Some(trust) = self.trust.clone() else {
            return Err(NO_TRUST.into());
        };
        let (b, checked) = (self.bundle.clone(), self.checked.clone());
        Ok(Arc::new(move |_asked, progress: &dyn Progress| {
            BUNDLE_CHECKS.iter().for_each(|&c| progress.check(c, None));
            let v = checked.get_or_init(|| bundle::verify(&b, &trust, None));
            let report = report_of(v, &trust);
            for c in BUNDLE_CHECKS {
                let n = (report.findings.iter())
                    .filter(|f| f.check == c && f.verdict == Verdict::Violated)
                    .count();
                progress.check(c, Some(n as u64));
            }
            Ok(Verified {
                report,
                state: summary(v),
            })
        }))
    }

    fn reveal(&self, _leaf: u64, _ask: &RevealAsk) -> Result<Revealed, String> {
        Err(NO_REVEAL.into())
    }
}

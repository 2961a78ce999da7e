//! A record, its proof, the checkpoints and the producers put into the TUI's plain data
//! ([`super::data`]), read through the authenticated read layer. Reads only what it is asked
//! about: one record and its references, one proof, the index for the producers.

use crate::inspect::refs::Link as RefLink;
use crate::inspect::subject::{self, FieldState};
use crate::inspect::{Fetched, Filter, Head, InspectError, Inspector, fields, index};
use crate::record::Record;
use crate::record::types::Timestamp;
use crate::retention::DisclosureSource;

use super::data::{CheckpointRow, Detail, Link, Path, ProducerRow, Proof, Row, Sealed, Way};

/// Records read from the end of the log looking for each producer's last heartbeat.
pub const HEARTBEAT_LOOKBACK: u64 = 64 * 256;

fn time_of(secs: u64) -> String {
    Timestamp(secs.saturating_mul(1000)).to_rfc3339()
}

fn short(f: &Fetched) -> String {
    let r = Row::of(f);
    format!("leaf {} {} {} {}", r.leaf, r.who, r.kind, r.summary)
}

fn link(way: Way, l: RefLink) -> Link {
    let (leaf, text) = match &l.to {
        Ok(g) => (Some(g.leaf), short(g)),
        Err(e) => (None, e.clone()),
    };
    Link {
        way,
        what: l.what.to_string(),
        leaf,
        text,
    }
}

/// One record in full.
pub fn detail(
    ins: &Inspector<'_>,
    disclosures: Option<&dyn DisclosureSource>,
    leaf: u64,
) -> Result<Detail, InspectError> {
    let f = ins.fetch(leaf)?;
    let to = ins.references_of(&f)?;
    let (signature, signature_ok) = signature(ins, &f, &to);
    let mut links: Vec<Link> = to.into_iter().map(|l| link(Way::To, l)).collect();
    links.extend(
        ins.referenced_by(&f)?
            .into_iter()
            .map(|l| link(Way::From, l)),
    );
    Ok(Detail {
        row: Row::of(&f),
        leaf_hash: hex::encode(f.leaf_hash),
        fields: (fields::public_fields(&f.record).into_iter())
            .map(|x| (x.path, x.value))
            .collect(),
        sealed: sealed(ins, disclosures, &f)?,
        signature,
        signature_ok,
        chain: chain(ins, &f)?,
        first_checkpoint: match ins.first_including(&f)? {
            Some(h) => format!(
                "first included in the published checkpoint of size {}, signed at {}",
                h.size,
                time_of(h.log_time)
            ),
            None => "no published checkpoint before the newest includes it".into(),
        },
        links,
    })
}

/// The signature checked with the key its registration (or the anchors) names.
fn signature(ins: &Inspector<'_>, f: &Fetched, links: &[RefLink]) -> (String, bool) {
    let origin = ins.anchors().origin.clone();
    let reg = links.iter().find(|l| l.what == "key registration");
    let (key, by) = match reg.map(|l| &l.to) {
        Some(Ok(g)) => (
            Inspector::registered_key(g),
            format!("the key registered at leaf {} ({})", g.leaf, Row::of(g).who),
        ),
        Some(Err(why)) => match ins.anchors().authority_at(f.leaf) {
            Some(k) if k.key_id() == *f.record.kid() => (
                Some(k),
                "the registration authority's key (an anchor)".into(),
            ),
            _ => return (format!("not checked: {why}"), false),
        },
        None => return ("not checked: no key registration found".into(), false),
    };
    match key.map(|k| f.record.verify(&k, &origin)) {
        Some(Ok(())) => (format!("verified with {by}"), true),
        Some(Err(e)) => (format!("FAILED with {by}: {e}"), false),
        None => (format!("not checked: {by} holds no usable key"), false),
    }
}

fn chain(ins: &Inspector<'_>, f: &Fetched) -> Result<String, InspectError> {
    let c = ins.chain_place(f)?;
    let p = f.record.payload();
    let end = |x: &Option<Result<Fetched, String>>, none: &str| match x {
        None => none.to_string(),
        Some(Ok(g)) => format!("leaf {}", g.leaf),
        Some(Err(e)) => e.clone(),
    };
    let matches = match c.prev_matches {
        Some(false) => " (its prev does NOT match that record's leaf hash)",
        _ => "",
    };
    Ok(format!(
        "{} seq {} of {} record(s); previous: {}{matches}; next: {}",
        p.producer,
        p.seq,
        c.count,
        end(&c.prev, "none (seq 0)"),
        end(&c.next, "none yet")
    ))
}

fn sealed(
    ins: &Inspector<'_>,
    disclosures: Option<&dyn DisclosureSource>,
    f: &Fetched,
) -> Result<Vec<Sealed>, InspectError> {
    let p = f.record.payload();
    if p.sealed.is_empty() {
        return Ok(Vec::new());
    }
    let specs = p.kind().sealed_specs();
    let what = |path| specs.iter().find(|s| s.matches(path)).map_or("", |s| s.doc);
    let Some(ds) = disclosures else {
        let state = "sealed (the disclosures are not readable here: public part only)";
        return Ok(p
            .sealed
            .iter()
            .map(|(path, _)| Sealed {
                path: path.to_string(),
                what: what(path).to_string(),
                state: state.into(),
            })
            .collect());
    };
    let stored = match ds.readable(f.leaf) {
        Ok(d) => d,
        Err(why) => {
            return Ok(p
                .sealed
                .iter()
                .map(|(path, _)| Sealed {
                    path: path.to_string(),
                    what: what(path).to_string(),
                    state: format!("sealed (disclosures unreadable: {why})"),
                })
                .collect());
        }
    };
    let found = found(f, &f.record, stored);
    let r = subject::retention(ins, &found)?;
    let held: Vec<String> = (r.holds.iter())
        .map(|(l, id, act)| format!("hold {id} {act} at leaf {l}"))
        .collect();
    Ok(r.fields
        .iter()
        .map(|(path, st)| {
            let mut state = match st {
                FieldState::Present => match found.disclosures.iter().any(|d| d.path == *path) {
                    true => "sealed, disclosure stored (r reveals it)".to_string(),
                    false => "sealed".to_string(),
                },
                FieldState::Erased { by } => {
                    let by: Vec<String> =
                        by.iter().map(|(l, w)| format!("leaf {l} ({w})")).collect();
                    format!("erased under the retention deletion at {}", by.join(", "))
                }
                FieldState::NotStored => "no disclosure stored and no deletion names it".into(),
            };
            if !held.is_empty() {
                state.push_str(&format!("; held: {}", held.join(", ")));
            }
            Sealed {
                path: path.to_string(),
                what: what(path).to_string(),
                state,
            }
        })
        .collect())
}

/// The disclosures that open `record`'s commitments, as the retention view expects them.
fn found(f: &Fetched, record: &Record, stored: Vec<crate::record::Disclosure>) -> subject::Found {
    let sealed = &record.payload().sealed;
    let opened = stored
        .into_iter()
        .filter(|d| {
            sealed
                .iter()
                .any(|(p, c)| *p == d.path && *c == d.commitment())
        })
        .collect();
    subject::Found {
        leaf: f.leaf,
        leaf_hash: f.leaf_hash,
        record: record.clone(),
        group: String::new(),
        gen_: 0,
        matched: Vec::new(),
        disclosures: opened,
    }
}

fn signed(h: &Head) -> Vec<String> {
    let mut out = vec![format!("signed by the log at {}", time_of(h.log_time))];
    out.extend(
        h.witnesses
            .iter()
            .map(|(n, t)| format!("cosigned by witness {n} at {}", time_of(*t))),
    );
    if !h.unchecked.is_empty() {
        out.push(format!(
            "other signers, not checked: {}",
            h.unchecked.join(", ")
        ));
    }
    out
}

fn path(ins: &Inspector<'_>, f: &Fetched, h: &Head) -> Result<Path, InspectError> {
    let hashes = ins.inclusion_proof(h.size, f.leaf)?;
    let alg = ins.anchors().alg;
    let verified = alg
        .verify_inclusion(f.leaf, h.size, &f.leaf_hash, &hashes, &h.root)
        .map_err(|e| e.to_string());
    Ok(Path {
        size: h.size,
        root: hex::encode(h.root),
        signed: signed(h),
        hashes: hashes.iter().map(hex::encode).collect(),
        verified,
    })
}

/// The inclusion paths of `leaf` to its first checkpoint and to the newest.
pub fn proof(ins: &Inspector<'_>, leaf: u64) -> Result<Proof, InspectError> {
    let f = ins.fetch(leaf)?;
    let first = match ins.first_including(&f)? {
        Some(h) => path(ins, &f, &h).map_err(|e| e.to_string()),
        None => Err("no published checkpoint before the newest includes it".into()),
    };
    Ok(Proof {
        leaf,
        who: Row::of(&f).who,
        leaf_hash: hex::encode(f.leaf_hash),
        first,
        newest: path(ins, &f, ins.head()).map_err(|e| e.to_string()),
    })
}

/// Every published checkpoint, verified.
pub fn checkpoints(ins: &Inspector<'_>) -> Result<Vec<CheckpointRow>, InspectError> {
    Ok(ins
        .published()?
        .into_iter()
        .map(|p| CheckpointRow {
            size: p.size,
            text: match &p.checkpoint {
                Ok(h) => format!(
                    "root {}… · {}",
                    &hex::encode(h.root)[..16],
                    signed(h).join(" · ")
                ),
                Err(e) => format!("DOES NOT VERIFY: {e}"),
            },
            consistent: p.consistent,
        })
        .collect())
}

/// Missing seqs of a sorted list of seqs, in words.
fn gaps(seqs: &[[u64; 2]]) -> String {
    let mut missing = 0u64;
    let mut first = Vec::new();
    let mut want = 0u64;
    for [s, _] in seqs {
        if *s > want {
            missing += s - want;
            if first.len() < 3 {
                first.push(match s - want {
                    1 => format!("{want}"),
                    _ => format!("{want}-{}", s - 1),
                });
            }
        }
        want = want.max(s + 1);
    }
    match missing {
        0 => "none".into(),
        n => format!("{n} seq(s) missing: {}", first.join(", ")),
    }
}

/// The producers the index knows: records, head, last heartbeat, gaps; or why the index
/// could not be built.
pub fn producers(ins: &Inspector<'_>) -> Result<Vec<ProducerRow>, InspectError> {
    let seqs = ins.index()?.to_builder().seqs;
    let beats = heartbeats(ins);
    Ok(seqs
        .iter()
        .map(|(name, s)| ProducerRow {
            name: name.clone(),
            records: s.len(),
            head: s
                .last()
                .map_or("none".into(), |[q, l]| format!("seq {q} at leaf {l}")),
            heartbeat: beats
                .get(name)
                .cloned()
                .unwrap_or_else(|| format!("none in the newest {HEARTBEAT_LOOKBACK} records")),
            gaps: gaps(s),
        })
        .collect())
}

/// The last heartbeat of each producer among the newest records.
fn heartbeats(ins: &Inspector<'_>) -> std::collections::BTreeMap<String, String> {
    let mut filter = Filter::default();
    filter.add("kind", "producer-heartbeat");
    let mut out = std::collections::BTreeMap::new();
    let floor = ins.head().size.saturating_sub(HEARTBEAT_LOOKBACK);
    ins.scan_kinds(None, index::kinds_of(&filter), true, |r| {
        let Ok(f) = r else { return true };
        if f.leaf < floor {
            return false;
        }
        let p = f.record.payload();
        if p.kind().name() == "producer-heartbeat" {
            out.entry(p.producer.to_string())
                .or_insert_with(|| format!("leaf {} at {}", f.leaf, p.occurred_at.to_rfc3339()));
        }
        true
    });
    out
}

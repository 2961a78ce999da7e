//! What `logseal export` gathers, on site, through the read layer ([`Inspector`]): every
//! record authenticated against the log's checkpoint before it is taken.
//!
//! In two steps around the export's own data-access record (which the caller appends and
//! checkpoints in between, so that it is in the bundle):
//! 1. [`plan`]: the selection's closure — references followed both ways from the selected
//!    records (statements of reasons, appeals, decisions, legal holds, retention deletions:
//!    *related*), and the records they depend on followed forwards only (policy and
//!    terms-clause publications, authorisation grants and revocations, the key registrations
//!    admitting each signing key and every revocation of those keys, and every obligation
//!    and retention policy: *support*) —
//!    and, for each sanction under a statement-of-reasons rule with no statement in the
//!    closure, the chain of each follower producer from its last record before the sanction
//!    to its first record dated after the deadline plus its logging delay (check 8's rule),
//!    at most `max_chain` records (a longer chain is cut and marked incomplete);
//! 2. [`assemble`]: the chosen disclosures, each record's inclusion proof against the first
//!    published checkpoint whose tree includes it, and a consistency proof from each such
//!    checkpoint to the newest.
//!
//! Pure over the stores it is given: no clock, no printing.

use std::collections::{BTreeMap, BTreeSet};

use minicbor::bytes::ByteVec;

use crate::inspect::{Fetched, Filter, InspectError, Inspector, index};
use crate::log::reader::{LogReader, ReadError};
use crate::record::Kind;
use crate::record::kinds::Body;
use crate::record::kinds::obligation_policy::{ObligationPolicy, ObligationType};
use crate::record::sealed::{Disclosure, FieldPath};
use crate::record::types::{Hash32, Timestamp};

use super::format::{
    BUNDLE_FORMAT, Bundle, Consistency, Entry, Export, MAGIC, NegativeChain, Role, Statement,
};

/// Why an export cannot be gathered (nothing is written then).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CollectError {
    #[error(transparent)]
    Inspect(#[from] InspectError),
    #[error("reading the log: {0}")]
    Read(#[from] ReadError),
    #[error("{place}: {reason}")]
    Refused { place: String, reason: String },
}

fn refused(place: impl Into<String>, reason: impl std::fmt::Display) -> CollectError {
    CollectError::Refused {
        place: place.into(),
        reason: reason.to_string(),
    }
}

/// The records a bundle will carry, before the export's own access record.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// By leaf: the authenticated record and why it is included.
    pub records: BTreeMap<u64, (Fetched, BTreeSet<Role>)>,
    pub chains: Vec<NegativeChain>,
}

impl Plan {
    fn add(&mut self, f: Fetched, role: Role) -> bool {
        match self.records.get_mut(&f.leaf) {
            Some((_, roles)) => {
                roles.insert(role);
                false
            }
            None => {
                self.records.insert(f.leaf, (f, BTreeSet::from([role])));
                true
            }
        }
    }

    /// The leaves whose sealed fields `--disclose` may reveal: the selected and related
    /// records (never the chains' or the supporting records').
    pub fn disclosable(&self) -> impl Iterator<Item = &Fetched> {
        self.records
            .values()
            .filter(|(_, r)| r.contains(&Role::Selected) || r.contains(&Role::Related))
            .map(|(f, _)| f)
    }
}

/// The record at the other end of a link from `f`: `None` for a key registration that
/// cannot be shown (the authority's own key, or none in the log: `bundle verify` judges the
/// signature); any other link that cannot be followed refuses the export.
fn linked(f: &Fetched, l: crate::inspect::refs::Link) -> Result<Option<Fetched>, CollectError> {
    match l.to {
        Ok(g) => Ok(Some(g)),
        Err(_) if l.what == "key registration" => Ok(None),
        Err(e) => Err(refused(format!("leaf {}: {}", f.leaf, l.what), e)),
    }
}

/// Kinds that tell the story of a case: followed both ways.
fn is_story(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::AccountSanction
            | Kind::Notification
            | Kind::Appeal
            | Kind::AppealDecision
            | Kind::LegalHold
            | Kind::CaseStatus
            | Kind::RetentionDeletion
            | Kind::DataAccess
            | Kind::AccessJustification
    )
}

/// The selected records' closure and negative-proof chains (module docs, step 1).
/// `delay_secs`: the logging delay assumed for a follower when the rule names none (the
/// verifier applies its trust file's: a shorter one here leaves the chain short of proof).
pub fn plan(
    ins: &Inspector<'_>,
    selected: &[u64],
    max_chain: u64,
    delay_secs: u64,
) -> Result<Plan, CollectError> {
    let mut plan = Plan::default();
    let mut story = Vec::new();
    for &leaf in selected {
        let f = ins.fetch(leaf)?;
        plan.add(f.clone(), Role::Selected);
        story.push(f);
    }
    let mut support = Vec::new();
    while let Some(f) = story.pop() {
        for l in ins.referenced_by(&f)? {
            let Some(g) = linked(&f, l)? else { continue };
            if plan.add(g.clone(), Role::Related) {
                story.push(g);
            }
        }
        let covers = matches!(f.record.payload().body, Body::RetentionDeletion(_));
        for l in ins.references_of(&f)? {
            if covers && l.what == "covers" {
                continue;
            }
            let Some(g) = linked(&f, l)? else { continue };
            let kind = g.record.payload().kind();
            match is_story(kind) {
                true if plan.add(g.clone(), Role::Related) => story.push(g),
                true => {}
                false if plan.add(g.clone(), Role::Support) => support.push(g),
                false => {}
            }
        }
    }
    for kind in ["obligation-policy", "retention-policy"] {
        for g in of_kind(ins, kind)? {
            if plan.add(g.clone(), Role::Support) {
                support.push(g);
            }
        }
    }
    supports(ins, &mut plan, support)?;
    plan.chains = chains(ins, &mut plan, max_chain, delay_secs)?;
    let chained: Vec<Fetched> = (plan.records.values())
        .filter(|(_, r)| r.contains(&Role::Chain))
        .map(|(f, _)| f.clone())
        .collect();
    let mut registrations = Vec::new();
    for f in chained {
        for l in ins.references_of(&f)? {
            if l.what != "key registration" {
                continue;
            }
            if let Some(g) = linked(&f, l)?
                && plan.add(g.clone(), Role::Support)
            {
                registrations.push(g);
            }
        }
    }
    supports(ins, &mut plan, registrations)?;
    Ok(plan)
}

/// Close the supporting records under what they refer to (registrations, grants).
fn supports(
    ins: &Inspector<'_>,
    plan: &mut Plan,
    mut todo: Vec<Fetched>,
) -> Result<(), CollectError> {
    while let Some(f) = todo.pop() {
        for l in ins.references_of(&f)? {
            let Some(g) = linked(&f, l)? else { continue };
            if plan.add(g.clone(), Role::Support) {
                todo.push(g);
            }
        }
    }
    Ok(())
}

/// Every key revocation (a retirement by rotation, a compromise) of a key whose
/// registration the plan holds, as support: without them `bundle verify` could not tell a
/// key revoked before a record's leaf, or compromised before it entered the log.
fn revocations(ins: &Inspector<'_>, plan: &mut Plan) -> Result<(), CollectError> {
    let registered: BTreeSet<(String, [u8; 32])> = (plan.records.values())
        .filter_map(|(f, _)| match &f.record.payload().body {
            Body::KeyRegistration(r) => Some((r.producer.to_string(), r.public_key.0)),
            _ => None,
        })
        .collect();
    if registered.is_empty() {
        return Ok(());
    }
    for g in of_kind(ins, "key-revocation")? {
        let Body::KeyRevocation(r) = &g.record.payload().body else {
            continue;
        };
        if registered.contains(&(r.producer.to_string(), r.public_key.0)) {
            plan.add(g, Role::Support);
        }
    }
    Ok(())
}

/// Every authenticated record of `kind`.
fn of_kind(ins: &Inspector<'_>, kind: &str) -> Result<Vec<Fetched>, CollectError> {
    let mut filter = Filter::default();
    filter.add("kind", kind);
    select(ins, &filter)
}

/// Every authenticated record `filter` passes (a seek by kind and time through the index).
pub fn select(ins: &Inspector<'_>, filter: &Filter) -> Result<Vec<Fetched>, CollectError> {
    let time = filter.has_time().then(|| {
        (
            filter.since.map_or(0, |t| t.0),
            filter.until.map_or(u64::MAX, |t| t.0),
        )
    });
    let mut found = Vec::new();
    let mut err = None;
    ins.scan_kinds(time, index::kinds_of(filter), false, |r| match r {
        Ok(f) => {
            if filter.matches(&f.record) {
                found.push(f);
            }
            true
        }
        Err(e) => {
            err = Some(e);
            false
        }
    });
    match err {
        Some(e) => Err(e.into()),
        None => Ok(found),
    }
}

/// The obligation policy in force at `leaf` as the log holds it: the latest policy record
/// before it (the verifier decides whether its signer is the pinned authority).
fn policy_at(plan: &Plan, leaf: u64) -> Option<ObligationPolicy> {
    plan.records
        .range(..leaf)
        .rev()
        .find_map(|(_, (f, _))| match &f.record.payload().body {
            Body::ObligationPolicy(p) => Some(p.clone()),
            _ => None,
        })
}

/// Whether the plan holds a statement of reasons (a notification) referring to `sanction`.
fn has_statement(plan: &Plan, sanction: &Fetched) -> bool {
    let p = sanction.record.payload();
    plan.records
        .values()
        .any(|(g, _)| match &g.record.payload().body {
            Body::Notification(_) => crate::verify::chains::references(&g.record.payload().body)
                .iter()
                .any(|r| {
                    r.producer == p.producer
                        && r.seq == p.seq
                        && r.leaf_hash.0 == sanction.leaf_hash
                }),
            _ => false,
        })
}

/// For each sanction without a statement of reasons, each follower's chain.
fn chains(
    ins: &Inspector<'_>,
    plan: &mut Plan,
    max: u64,
    default_delay: u64,
) -> Result<Vec<NegativeChain>, CollectError> {
    let sanctions: Vec<Fetched> = plan
        .records
        .values()
        .filter(|(f, r)| {
            matches!(f.record.payload().body, Body::AccountSanction(_))
                && !r.contains(&Role::Support)
        })
        .map(|(f, _)| f.clone())
        .filter(|f| !has_statement(plan, f))
        .collect();
    let mut out = Vec::new();
    for s in sanctions {
        let Body::AccountSanction(body) = &s.record.payload().body else {
            continue;
        };
        let Some(policy) = policy_at(plan, s.leaf) else {
            continue;
        };
        let producer = s.record.payload().producer.as_str();
        let rules = policy
            .rules
            .iter()
            .filter(|r| r.rule == ObligationType::StatementOfReasons && r.covers(producer));
        for rule in rules {
            let due = body.application_date.0 / 1000 + rule.deadline_seconds.unwrap_or(0);
            for follower in &rule.followers {
                let delay = rule.max_logging_delay_seconds.unwrap_or(default_delay);
                let why = format!(
                    "sanction at leaf {} under {}@{}: a statement of reasons by {follower} due by \
                     {}; the chain runs to {follower}'s first record dated after that plus its \
                     maximum logging delay ({}s{})",
                    s.leaf,
                    rule.id,
                    rule.version,
                    Timestamp(due * 1000).to_rfc3339(),
                    delay,
                    match rule.max_logging_delay_seconds {
                        Some(_) => "",
                        None =>
                            ", the rule names none: assumed at export; the trust file's applies",
                    }
                );
                let after = Timestamp((due + delay) * 1000);
                out.push(chain(ins, plan, &s, follower.as_str(), after, max, why)?);
            }
        }
    }
    Ok(out)
}

/// `producer`'s records from its last before `about` to its first dated after `after`.
fn chain(
    ins: &Inspector<'_>,
    plan: &mut Plan,
    about: &Fetched,
    producer: &str,
    after: Timestamp,
    max: u64,
    why: String,
) -> Result<NegativeChain, CollectError> {
    let leaves = ins.index()?.seqs_between(producer, 0, u64::MAX, usize::MAX);
    let start = leaves.iter().rposition(|l| *l < about.leaf).unwrap_or(0);
    let mut c = NegativeChain {
        about: about.leaf,
        producer: producer.to_string(),
        first: leaves.get(start).copied().unwrap_or(about.leaf),
        last: about.leaf,
        why,
        complete: false,
    };
    for (n, &leaf) in leaves[start.min(leaves.len())..].iter().enumerate() {
        if n as u64 >= max {
            c.why.push_str(&format!(
                "; cut at {max} records (--max-chain): the chain does not reach that far"
            ));
            return Ok(c);
        }
        let f = ins.fetch(leaf)?;
        let t = f.record.payload().occurred_at;
        plan.add(f, Role::Chain);
        c.last = leaf;
        if leaf > about.leaf && t > after {
            c.complete = true;
            return Ok(c);
        }
    }
    c.why
        .push_str("; the log holds no record of it dated after that yet");
    Ok(c)
}

/// What [`assemble`] adds to a plan.
pub struct Assembly<'a> {
    /// The export's own data-access record (already appended and checkpointed).
    pub access_leaf: u64,
    /// Revealed disclosures by leaf (each opens a commitment of that record).
    pub disclosures: &'a BTreeMap<u64, Vec<Disclosure>>,
    pub statements: Vec<Statement>,
    pub tzdb: String,
    pub time: u64,
    pub selection: String,
    pub max_chain: u64,
    pub software: String,
    /// A checkpoint the recipient holds (`--from-checkpoint`): its signed note.
    pub from_checkpoint: Option<&'a [u8]>,
}

/// The bundle of `plan` plus the access record, proven against the inspector's checkpoint
/// (the newest) and the first published checkpoint including each record.
pub fn assemble(
    ins: &Inspector<'_>,
    reader: &LogReader<'_>,
    mut plan: Plan,
    a: Assembly<'_>,
) -> Result<Bundle, CollectError> {
    let access = ins.fetch(a.access_leaf)?;
    let mut support = Vec::new();
    for l in ins.references_of(&access)? {
        let Some(g) = linked(&access, l)? else {
            continue;
        };
        if plan.add(g.clone(), Role::Support) {
            support.push(g);
        }
    }
    supports(ins, &mut plan, support)?;
    revocations(ins, &mut plan)?;
    plan.add(access, Role::Export);
    let head = ins.head();
    let alg = ins.anchors().alg;
    let mut sizes: Vec<u64> = reader
        .published_sizes()?
        .into_iter()
        .filter(|s| *s < head.size)
        .collect();
    sizes.push(head.size);
    let mut used: BTreeSet<u64> = BTreeSet::new();
    let first_of = |leaf: u64| {
        *sizes
            .iter()
            .find(|s| **s > leaf)
            .expect("the head includes it")
    };
    for leaf in plan.records.keys() {
        used.insert(first_of(*leaf));
    }
    used.insert(head.size);
    let used: Vec<u64> = used.into_iter().collect();
    let mut checkpoints = Vec::new();
    let mut timestamps = Vec::new();
    for &size in &used {
        let note = match size == head.size {
            true => reader.checkpoint()?,
            false => reader.published_checkpoint(size)?,
        };
        let note = note.ok_or_else(|| refused(format!("checkpoint of size {size}"), "vanished"))?;
        // The token was obtained for the first signing of this size: carried only with that
        // signing (the head may be a later one of the same tree). An unreadable token is left
        // out (none), for `bundle verify` to report, rather than failing a logged export.
        let first = match size == head.size {
            true => reader.published_checkpoint(size).ok().flatten(),
            false => Some(note.clone()),
        };
        let token = match first {
            Some(f) if crate::log::history::same_signing(&note, &f) => {
                reader.published_timestamp(size).ok().flatten()
            }
            _ => None,
        };
        timestamps.push(ByteVec::from(token.unwrap_or_default()));
        ins.anchors()
            .open(&note, size)
            .map_err(|e| refused(format!("checkpoint of size {size}"), e))?;
        checkpoints.push(ByteVec::from(note));
    }
    let mut entries = Vec::new();
    for (leaf, (f, roles)) in &plan.records {
        let size = first_of(*leaf);
        let idx = used.iter().position(|s| *s == size).expect("used");
        let proof = reader.inclusion_proof(size, *leaf)?;
        let ds = a
            .disclosures
            .get(leaf)
            .map(Vec::as_slice)
            .unwrap_or_default();
        entries.push(Entry {
            leaf: *leaf,
            record: ByteVec::from(f.record.bytes().to_vec()),
            disclosures: ds.iter().map(|d| ByteVec::from(d.to_bytes())).collect(),
            checkpoint: idx as u64,
            inclusion: proof.into_iter().map(Hash32).collect(),
            roles: roles.iter().map(|r| r.name().to_string()).collect(),
        });
    }
    let mut consistency = Vec::new();
    for (i, &size) in used.iter().enumerate().take(used.len() - 1) {
        let proof = reader.consistency_proof(size, head.size)?;
        consistency.push(Consistency {
            from: i as u64,
            proof: proof.into_iter().map(Hash32).collect(),
        });
    }
    let from_checkpoint = match a.from_checkpoint {
        None => None,
        Some(note) => Some(held(ins, reader, note)?),
    };
    Ok(Bundle {
        magic: MAGIC.to_string(),
        format: BUNDLE_FORMAT,
        origin: ins.anchors().origin.clone(),
        tree_hash: alg.name().to_string(),
        checkpoints,
        entries,
        consistency,
        chains: plan.chains,
        statements: a.statements,
        tzdb: a.tzdb,
        export: Export {
            access_leaf: a.access_leaf,
            time: a.time,
            selection: a.selection,
            max_chain: a.max_chain,
            software: a.software,
        },
        history: None,
        witness_cosignatures: None,
        receipts: None,
        from_checkpoint,
        statements_signature: None,
        timestamps: (!timestamps.iter().all(|t| t.is_empty())).then_some(timestamps),
    })
}

/// The consistency proof from the recipient's checkpoint `note` (verified with the
/// inspector's anchors, no larger than its head) to the head.
fn held(
    ins: &Inspector<'_>,
    reader: &LogReader<'_>,
    note: &[u8],
) -> Result<Consistency, CollectError> {
    let place = "--from-checkpoint";
    let size = crate::inspect::Anchors::claimed_size(note).map_err(|e| refused(place, e))?;
    let v = ins
        .anchors()
        .open(note, size)
        .map_err(|e| refused(place, e))?;
    let head = ins.head();
    if size > head.size {
        return Err(refused(
            place,
            format!("size {size} is larger than the log's {}", head.size),
        ));
    }
    let proof = match size == 0 || size == head.size {
        true => Vec::new(),
        false => reader.consistency_proof(size, head.size)?,
    };
    ins.anchors()
        .alg
        .verify_consistency(size, head.size, &v.checkpoint.root, &head.root, &proof)
        .map_err(|_| refused(place, "the log's tree does not extend it (another history)"))?;
    Ok(Consistency {
        from: size,
        proof: proof.into_iter().map(Hash32).collect(),
    })
}

/// The disclosures of `f` among `stored` that `--disclose` names (`fields`: paths; a path
/// without indices names every element), each checked to open its commitment.
pub fn chosen(
    f: &Fetched,
    stored: Vec<Disclosure>,
    fields: &[FieldPath],
) -> Result<Vec<Disclosure>, CollectError> {
    let sealed = &f.record.payload().sealed;
    let mut out = Vec::new();
    for d in stored {
        if !fields
            .iter()
            .any(|p| crate::inspect::subject::field_selected(&d.path, std::slice::from_ref(p)))
        {
            continue;
        }
        match sealed.iter().find(|(p, _)| *p == d.path) {
            Some((_, c)) if *c == d.commitment() => out.push(d),
            _ => {
                return Err(refused(
                    format!("leaf {}", f.leaf),
                    format!(
                        "the stored disclosure of {} does not open the record's commitment",
                        d.path
                    ),
                ));
            }
        }
    }
    Ok(out)
}

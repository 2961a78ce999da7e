//! `logseal trust new`: an auditor's trust file (docs/CHECKS.md §Trust file) written from
//! keys and options. The file is built as [`TrustFile`], validated by [`Trust::new`] and
//! read back by [`Trust::from_json`] (what `verify` reads) before it is written, so a file
//! this command writes is one `verify` accepts.

use std::collections::BTreeMap;
use std::path::Path;

use logseal::checkpoint::CosignatureVerifier;
use logseal::cli::{TrustNewArgs, TrustShowArgs, parse_duration};
use logseal::log::BLAKE3_ORIGIN_SUFFIX;
use logseal::note::{Ed25519NoteVerifier, NoteVerifier};
use logseal::verify::report::Check;
use logseal::verify::trust::{DEFAULT_MAX_LOGGING_DELAY_SECS, TRUST_FORMAT};
use logseal::verify::{Trust, TrustFile};

use super::{Invalid, files};

pub fn new(args: TrustNewArgs) -> anyhow::Result<()> {
    files::ensure_absent(&[&args.out])?;
    let log_key = verifier("--log-key", &args.log_key)?;
    let authority = verifier("--authority", &args.authority)?;
    let origin = args
        .origin
        .clone()
        .unwrap_or_else(|| log_key.name().to_string());
    let tree_hash = args.tree_hash.clone().unwrap_or_else(|| {
        if origin.ends_with(BLAKE3_ORIGIN_SUFFIX) {
            "blake3".into()
        } else {
            "sha256".into()
        }
    });
    let witnesses = args
        .witnesses
        .iter()
        .map(|w| cosigner(w))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let file = TrustFile {
        format: TRUST_FORMAT,
        origin,
        tree_hash,
        log_key: log_key.to_vkey(),
        registration_authority: authority.to_vkey(),
        authorisation_registry: args.registry.clone(),
        authorisation_required: args.authorisation_required.clone(),
        witnesses,
        witness_quorum: args.quorum,
        witnessed_after_size: args.witnessed_after_size,
        max_logging_delay_secs: args.max_delay.unwrap_or(DEFAULT_MAX_LOGGING_DELAY_SECS),
        max_logging_delay_overrides: BTreeMap::new(),
        retention_policy_authority: args.retention_authority.clone(),
        obligation_policy_authority: args.obligation_authority.clone(),
        log_key_history: Vec::new(),
        registration_authority_history: Vec::new(),
    };
    let invalid = |e: logseal::verify::TrustError| Invalid(format!("trust new: {e}"));
    let mut trust = Trust::new(file).map_err(invalid)?;
    trust = trust
        .require_heartbeats(heartbeats(&args.heartbeats)?)
        .map_err(invalid)?
        .with_timestamp_authorities(timestamp_authorities(&args.timestamp_authorities)?)
        .map_err(invalid)?;
    if let Some(numbers) = &args.require {
        trust = Trust {
            require_checks: Vec::new(),
            ..trust
        }
        .also_requiring(checks(numbers)?);
    }
    let json = trust.to_json();
    // What `verify` will read: refuse to write a file it would not accept.
    Trust::from_json(&json).map_err(invalid)?;
    files::create_new(&args.out, &json, 0o644)?;
    files::print(&format!(
        "trust file: {} (origin {}, {} witnesses, quorum {}, checks required: {})\n",
        args.out.display(),
        trust.origin(),
        trust.witnesses.len(),
        trust.file.witness_quorum,
        trust
            .require_checks
            .iter()
            .map(|c| c.number().to_string())
            .collect::<Vec<_>>()
            .join(",")
    ))
}

/// `--timestamp-authority NAME=FILE`: the certificate read from FILE (PEM), named NAME.
fn timestamp_authorities(
    args: &[String],
) -> anyhow::Result<Vec<logseal::verify::trust::TimestampAuthorityEntry>> {
    args.iter()
        .map(|a| {
            let (name, file) = a.split_once('=').ok_or_else(|| {
                Invalid(format!(
                    "--timestamp-authority {a}: NAME=FILE expected (FILE: the certificate, PEM)"
                ))
            })?;
            let certificate = String::from_utf8(files::read(Path::new(file))?).map_err(|_| {
                Invalid(format!("--timestamp-authority {a}: {file} is not PEM text"))
            })?;
            Ok(logseal::verify::trust::TimestampAuthorityEntry {
                name: name.to_string(),
                certificate,
            })
        })
        .collect()
}

/// A key argument: the key string itself, or a file holding it (one line). A secret key is
/// refused rather than copied into a file meant to be shared.
fn key_string(option: &str, arg: &str) -> anyhow::Result<String> {
    let path = Path::new(arg);
    let s = if path.is_file() {
        files::read_key_line(path)?.trim().to_string()
    } else {
        arg.trim().to_string()
    };
    if s.starts_with("PRIVATE+KEY+") {
        return Err(Invalid(format!(
            "{option} {arg}: this is a secret key; give the public one (PREFIX.pub)"
        ))
        .into());
    }
    Ok(s)
}

fn verifier(option: &str, arg: &str) -> anyhow::Result<Ed25519NoteVerifier> {
    let s = key_string(option, arg)?;
    Ed25519NoteVerifier::from_vkey(&s).map_err(|e| {
        Invalid(format!(
            "{option} {arg}: not a verifier key (a PREFIX.pub file of `logseal keygen` or its \
             line): {e}"
        ))
        .into()
    })
}

/// A witness: its cosigner key (type 0x04), or its Ed25519 verifier key (type 0x01, the
/// same public key), written in the cosigner form the trust file takes.
fn cosigner(arg: &str) -> anyhow::Result<String> {
    let s = key_string("--witness", arg)?;
    if let Ok(c) = CosignatureVerifier::from_vkey(&s) {
        return Ok(c.to_vkey());
    }
    let v = Ed25519NoteVerifier::from_vkey(&s).map_err(|e| {
        Invalid(format!(
            "--witness {arg}: neither a cosigner key (`logseal witness vkey`) nor a verifier \
             key: {e}"
        ))
    })?;
    Ok(CosignatureVerifier::new(v.name(), *v.public_key())?.to_vkey())
}

fn heartbeats(args: &[String]) -> anyhow::Result<BTreeMap<String, u64>> {
    let mut out = BTreeMap::new();
    for a in args {
        let bad = |why: String| Invalid(format!("--heartbeat {a}: {why}"));
        let (id, d) = a
            .split_once('=')
            .ok_or_else(|| bad("expected PRODUCER=DURATION, e.g. query-frontend=26h".into()))?;
        let secs = parse_duration(d).map_err(bad)?.as_secs();
        if out.insert(id.to_string(), secs).is_some() {
            return Err(bad(format!("{id} is given twice")).into());
        }
    }
    Ok(out)
}

fn checks(numbers: &[u64]) -> anyhow::Result<Vec<Check>> {
    numbers
        .iter()
        .map(|&n| {
            Check::from_number(n)
                .ok_or_else(|| Invalid(format!("--require: {n} is not a check (1–7)")).into())
        })
        .collect()
}

/// `logseal trust show`: the anchors and their fingerprints, as `verify` reads the file.
pub fn show(args: TrustShowArgs) -> anyhow::Result<()> {
    let trust = super::verify::read_trust(&args.file)?;
    let f = &trust.file;
    let anchors = trust.anchors();
    if args.json {
        let v = serde_json::json!({
            "origin": f.origin,
            "tree_hash": f.tree_hash,
            "anchors": anchors,
            "witness_quorum": f.witness_quorum,
            "witnessed_after_size": f.witnessed_after_size,
            "retention_policy_authority": f.retention_policy_authority,
            "obligation_policy_authority": f.obligation_policy_authority,
            "authorisation_registry": f.authorisation_registry,
        });
        return files::print(&(serde_json::to_string_pretty(&v)? + "\n"));
    }
    let mut out = format!(
        "trust file {}: log {} (tree hash {})\n",
        args.file.display(),
        f.origin,
        f.tree_hash
    );
    for a in &anchors {
        out.push_str(&format!(
            "  anchor  {:<24} {:<28} {}\n",
            a.role, a.name, a.fingerprint
        ));
    }
    out.push_str(&format!(
        "  witness quorum {} ({})\n",
        f.witness_quorum,
        match f.witness_quorum {
            0 => "none: a log could show another history to others unseen",
            _ => "checkpoints must be cosigned by this many of the witnesses above",
        }
    ));
    if let Some(n) = f.witnessed_after_size {
        out.push_str(&format!(
            "  witnessed after size {n} (checkpoints up to that size predate the witnesses: \
             not held to the quorum)\n"
        ));
    }
    let who = |o: &Option<String>| o.clone().unwrap_or_else(|| "none pinned".into());
    out.push_str(&format!(
        "  retention policy authority {}\n  obligation policy authority {}\n  authorisation \
         registry {}\n",
        who(&f.retention_policy_authority),
        who(&f.obligation_policy_authority),
        f.authorisation_registry
    ));
    out.push_str("compare each fingerprint with the one the key's holder publishes, out of band\n");
    files::print(&out)
}

//! `logseal record new` and `logseal record show`.
//!
//! # The disclosures file (`PREFIX.disclosures`)
//!
//! One deterministic-CBOR (RFC 8949 §4.2.1) array of disclosures, each the array
//! `[salt (bstr, 16 bytes), path (array of text names and unsigned indices), value]` exactly
//! as committed (`record::sealed`), sorted by the CBOR encoding of their paths (the order of
//! the record's `sealed` map), at most one per path. CDDL:
//!
//! ```cddl
//! disclosures = [* disclosure]
//! disclosure  = [salt: bstr .size 16, path: [+ (tstr / uint)], value: sealed-value]
//! sealed-value = tstr / bstr / uint / [* (tstr / bstr / uint)]
//! ```
//!
//! It holds personal data: it is written with mode 0600 and never overwritten.

use anyhow::Context;
use logseal::cbor;
use logseal::cli::{RecordNewArgs, RecordShowArgs};
use logseal::log::{BLAKE3_ORIGIN_SUFFIX, check_origin};
use logseal::note::{Ed25519NoteKey, Ed25519NoteVerifier, NoteVerifier};
use logseal::record::json::build_from_json;
use logseal::record::sealed::{Disclosure, SALT_LEN};
use logseal::record::{Record, SignedRecord};
use logseal::tree::TreeHashAlg;
use rand_core::RngCore;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;

use super::log::ProofFile;
use super::view::{KeyCheck, View};
use super::{Invalid, files};

/// Encode a disclosures file (see the module docs).
pub fn encode_disclosures(disclosures: &[Disclosure]) -> Vec<u8> {
    let mut sorted = disclosures.to_vec();
    sorted.sort_by_key(|d| d.path.to_cbor());
    cbor::to_vec(&sorted)
}

/// Strictly decode a disclosures file: deterministic CBOR, sorted, one per path.
pub fn decode_disclosures(bytes: &[u8]) -> Result<Vec<Disclosure>, String> {
    let ds: Vec<Disclosure> = cbor::decode_canonical(bytes).map_err(|e| e.to_string())?;
    for (i, pair) in ds.windows(2).enumerate() {
        let (a, b) = (pair[0].path.to_cbor(), pair[1].path.to_cbor());
        if a == b {
            return Err(format!(
                "disclosure {}: a second disclosure for {}",
                i + 1,
                pair[1].path
            ));
        }
        if a > b {
            return Err(format!(
                "disclosure {}: {} is out of order (sorted by the CBOR encoding of the path)",
                i + 1,
                pair[1].path
            ));
        }
    }
    Ok(ds)
}

/// Read a signer-key file.
pub fn read_signer(path: &std::path::Path) -> anyhow::Result<Ed25519NoteKey> {
    let line = files::read_key_line(path)?;
    Ed25519NoteKey::from_skey(&line)
        .with_context(|| format!("{}: not a signer key", path.display()))
}

/// Read a verifier-key file.
pub fn read_verifier(path: &std::path::Path) -> anyhow::Result<Ed25519NoteVerifier> {
    let line = files::read_key_line(path)?;
    Ed25519NoteVerifier::from_vkey(&line)
        .with_context(|| format!("{}: not a verifier key", path.display()))
}

/// Write PREFIX.cose and PREFIX.disclosures (refusing to overwrite); returns both paths.
pub fn write_signed(
    signed: &SignedRecord,
    prefix: &std::path::Path,
) -> anyhow::Result<(std::path::PathBuf, std::path::PathBuf)> {
    let cose = files::with_suffix(prefix, "cose");
    let disc = files::with_suffix(prefix, "disclosures");
    files::ensure_absent(&[&cose, &disc])?;
    files::create_new(&cose, &signed.bytes, 0o644)?;
    files::create_new(&disc, &encode_disclosures(&signed.disclosures), 0o600)?;
    Ok((cose, disc))
}

/// Refuse an origin no log can have (the log's own rule, [`check_origin`]; the tree hash
/// the origin states is the one checked).
fn check_record_origin(origin: &str) -> Result<(), Invalid> {
    let alg = if origin.ends_with(BLAKE3_ORIGIN_SUFFIX) {
        TreeHashAlg::Blake3
    } else {
        TreeHashAlg::Sha256
    };
    check_origin(origin, alg).map_err(|e| Invalid(format!("--origin: {e}; no log has it")))
}

pub fn new(args: RecordNewArgs) -> anyhow::Result<()> {
    let key = read_signer(&args.producer_key)?;
    check_record_origin(&args.origin)?;
    let (input, name) = files::read_input(args.input.as_deref())?;
    let json: serde_json::Value = serde_json::from_slice(&input)
        .map_err(|e| Invalid(format!("{name}: not one JSON object: {e}")))?;
    let mut salts = || {
        let mut s = [0u8; SALT_LEN];
        rand_core::OsRng.fill_bytes(&mut s);
        s
    };
    let builder = build_from_json(args.kind, json, &mut salts)
        .map_err(|e| Invalid(format!("{name}: {e}")))?;
    let producer = builder.payload().producer.as_str();
    if producer != key.verifier().name() {
        return Err(Invalid(format!(
            "{name}: producer: {producer:?} is not the name of the key {} ({:?}); a producer \
             signs only its own records",
            args.producer_key.display(),
            key.verifier().name()
        ))
        .into());
    }
    let signed = builder
        .sign(key.secret_key(), &args.origin)
        .map_err(|e| Invalid(format!("{name}: {e}")))?;
    let (cose, disc) = write_signed(&signed, &args.out)?;
    let record = Record::decode(&signed.bytes).context("the record just signed does not decode")?;
    let p = record.payload();
    files::print(&format!(
        "signed {} record {} seq {} ({} bytes, {} sealed fields)\n\
         record:      {}\n\
         disclosures: {}\n\
         leaf hash (sha256), the prev of the next record: {}\n",
        p.kind(),
        p.producer,
        p.seq,
        signed.bytes.len(),
        signed.disclosures.len(),
        cose.display(),
        disc.display(),
        hex::encode(TreeHashAlg::Sha256.leaf(&signed.bytes)),
    ))
}

/// A file that is not a COSE record: an inclusion proof (`logseal prove inclusion`) yields
/// the record inside it, with a line saying so; a consistency proof or other JSON is refused
/// saying what the file is. Anything else is returned as is, for the record decoder.
fn unwrap_proof(file: &str, bytes: Vec<u8>) -> anyhow::Result<(Vec<u8>, Option<String>)> {
    if bytes.first() != Some(&b'{') {
        return Ok((bytes, None));
    }
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
        return Ok((bytes, None));
    };
    match serde_json::from_value::<ProofFile>(value) {
        Ok(ProofFile::Inclusion {
            origin,
            leaf_index,
            record,
            ..
        }) => {
            let record = B64.decode(record.as_bytes()).map_err(|e| {
                Invalid(format!(
                    "{file}: an inclusion proof whose record is not base64: {e}"
                ))
            })?;
            let note = format!(
                "{file} is an inclusion proof of leaf {leaf_index} of {origin} (check it with \
                 `logseal prove check`); the record inside it:\n"
            );
            Ok((record, Some(note)))
        }
        Ok(ProofFile::Consistency { .. }) => Err(Invalid(format!(
            "{file} is a consistency proof (`logseal prove consistency`), not a record; check \
             it with `logseal prove check`"
        ))
        .into()),
        Err(_) => Err(Invalid(format!(
            "{file} is JSON, not a signed record (a COSE_Sign1 file, PREFIX.cose of `logseal \
             record new`, or an inclusion proof of `logseal prove inclusion`)"
        ))
        .into()),
    }
}

pub fn show(args: RecordShowArgs) -> anyhow::Result<()> {
    let bytes = files::read(&args.file)?;
    let file = args.file.display().to_string();
    let disclosures = match &args.disclosures {
        None => Vec::new(),
        Some(path) => {
            let b = files::read(path)?;
            decode_disclosures(&b).map_err(|e| Invalid(format!("{}: {e}", path.display())))?
        }
    };
    let verifier = args.key.as_deref().map(read_verifier).transpose()?;
    let (bytes, from_proof) = unwrap_proof(&file, bytes)?;
    let record = Record::decode(&bytes).map_err(|e| Invalid(format!("{file}: {e}")))?;
    match from_proof {
        // Standard output stays one JSON object.
        Some(note) if args.json => eprint!("{note}"),
        Some(note) => files::print(&note)?,
        None => {}
    }
    let key = match (&verifier, &args.origin) {
        (Some(v), Some(origin)) => Some(KeyCheck {
            name: v.name(),
            key: v.public_key(),
            origin,
        }),
        _ => None,
    };
    let view = View::inspect(file.clone(), record, &disclosures, key);
    if args.json {
        let mut text = serde_json::to_string_pretty(&view.to_json())?;
        text.push('\n');
        files::print(&text)?;
    } else {
        files::print(&view.to_text())?;
    }
    let problems = view.problems();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Invalid(format!("{file}: {}", problems.join("; "))).into())
    }
}

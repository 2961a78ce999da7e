//! `logseal demo`: a small, deterministic walk through what exists today — keys, signed
//! records with sealed fields, disclosures, decoding and verification. It will be replaced by
//! the scenario-driven demo of shared/scenario.md.
//!
//! Everything is derived from fixed seeds (keys and salts), so two runs write the same bytes.
//! That is what makes it a demonstration and never a way to produce real records: real salts
//! come from the operating system's CSPRNG (`logseal record new`).

use std::path::{Path, PathBuf};

use anyhow::Context;
use logseal::cli::DemoArgs;
use logseal::crypto::SecretKey;
use logseal::note::Ed25519NoteKey;
use logseal::record::json::build_from_json;
use logseal::record::sealed::SALT_LEN;
use logseal::record::{Kind, Record};
use logseal::tree::TreeHashAlg;
use serde_json::{Value, json};

use super::record::{decode_disclosures, read_verifier, write_signed};
use super::view::{KeyCheck, View};
use super::{Invalid, files, keygen};

/// The log origin the demo's records are bound to.
const ORIGIN: &str = "demo.logseal.example/log";
/// BLAKE3 `derive_key` context for the demo's key seeds and salts.
const SEED_CONTEXT: &str = "logseal demo: deterministic, never for real records v1";

fn seed(label: &str) -> [u8; 32] {
    blake3::derive_key(SEED_CONTEXT, label.as_bytes())
}

fn demo_key(name: &str) -> anyhow::Result<Ed25519NoteKey> {
    Ok(Ed25519NoteKey::new(
        name,
        SecretKey::from_seed(&seed(&format!("key {name}"))),
    )?)
}

fn default_dir() -> PathBuf {
    std::env::temp_dir().join(format!("logseal-demo-{}", std::process::id()))
}

/// One record to write: file stem, kind, signer, its JSON form, and the sealed fields whose
/// disclosures are withheld (as if erased under a retention rule).
struct Planned {
    stem: &'static str,
    kind: Kind,
    signer: usize,
    json: Value,
    withheld: &'static [&'static str],
}

fn data_access(seq: u64, minute: u32, status: &str, body: Value) -> Value {
    json!({
        "producer": "query-frontend",
        "seq": seq,
        "prev": Value::Null,
        "occurred_at": format!("2026-03-02T10:{minute:02}:00.000+01:00"),
        "status": status,
        "processing_activity": "https://register.example/activities/subscriber-data-query",
        "retention_rule": "de-bdsg76-led-logs@1",
        "body": body,
    })
}

pub fn run(args: DemoArgs) -> anyhow::Result<()> {
    let dir = args.dir.unwrap_or_else(default_dir);
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut out = format!("logseal demo in {}\n\n", dir.display());

    // Keys: the registration authority and one producer.
    let names = ["registration-authority", "query-frontend"];
    let keys = [demo_key(names[0])?, demo_key(names[1])?];
    for (k, name) in keys.iter().zip(names) {
        let (secret, public) = keygen::write_key_pair(k, &dir.join(name))?;
        out.push_str(&format!(
            "key {}\n  {}\n  {} (secret, mode 0600)\n",
            k.verifier().to_vkey(),
            public.display(),
            secret.display()
        ));
    }
    let producer_pub = hex::encode(keys[1].secret_key().public_key().as_bytes());

    // The registration, then three queries chained by seq and prev.
    let zero = "00".repeat(32);
    let mut plan = vec![Planned {
        stem: "00-key-registration",
        kind: Kind::KeyRegistration,
        signer: 0,
        json: json!({
            "producer": "registration-authority",
            "seq": 0,
            "prev": zero,
            "occurred_at": "2026-03-02T09:00:00.000+01:00",
            "status": "ok",
            "body": {"producer": "query-frontend", "public_key": producer_pub, "kinds": ["data-access"]},
        }),
        withheld: &[],
    }];
    let queries = [
        (
            "ok",
            json!({
                "action": "search", "legal_basis": "nl-sv-126na", "purpose": "criminal-investigation",
                "actor": {"role": "police-officer", "organisation": "politie-eenheid-noord",
                          "authorisation_id": "auth-0017", "user": "officer-17"},
                "case_ref": "PN-2026-004711", "order_ref": "OvJ-2026-0815",
                "data_categories": ["subscriber-name-address"], "result_count": 1,
                "query": "+31 6 1234 5678", "subject": "Jan de Vries",
            }),
            &[][..],
        ),
        (
            "ok",
            json!({
                "action": "disclose", "legal_basis": "nl-sv-126na", "purpose": "criminal-investigation",
                "actor": {"role": "police-officer", "organisation": "politie-eenheid-noord",
                          "authorisation_id": "auth-0017", "user": "officer-17"},
                "case_ref": "PN-2026-004711",
                "data_categories": ["subscriber-name-address"], "result_count": 1,
                "subject": "Jan de Vries", "recipients": ["OM Arrondissementsparket Noord-Nederland"],
            }),
            &["subject"][..],
        ),
        (
            "denied",
            json!({
                "action": "consult", "legal_basis": "nl-sv-126n", "purpose": "criminal-investigation",
                "actor": {"role": "police-officer", "organisation": "politie-eenheid-oost",
                          "authorisation_id": "auth-0042", "user": "officer-42"},
                "data_categories": ["ip-assignment"], "result_count": 0,
                "query": "2001:db8::17",
            }),
            &[][..],
        ),
    ];
    let stems = ["01-query", "02-disclose", "03-denied-query"];
    for (i, (status, body, withheld)) in queries.into_iter().enumerate() {
        plan.push(Planned {
            stem: stems[i],
            kind: Kind::DataAccess,
            signer: 1,
            // prev is filled in when the previous record has been signed.
            json: data_access(i as u64, 5 + 10 * i as u32, status, body),
            withheld,
        });
    }

    // Sign and write, chaining each producer's records.
    let mut salt_counter = 0u64;
    let mut salts = || {
        salt_counter += 1;
        let full = seed(&format!("salt {salt_counter}"));
        let mut s = [0u8; SALT_LEN];
        s.copy_from_slice(&full[..SALT_LEN]);
        s
    };
    let mut prev_query: Option<String> = None;
    let mut written = Vec::new();
    out.push_str("\nrecords (origin ");
    out.push_str(ORIGIN);
    out.push_str(")\n");
    for mut p in plan {
        if p.kind == Kind::DataAccess {
            p.json["prev"] = json!(prev_query.clone().unwrap_or_else(|| zero.clone()));
        }
        let builder = build_from_json(p.kind, p.json, &mut salts)
            .map_err(|e| anyhow::anyhow!("demo record {}: {e}", p.stem))?;
        let mut signed = builder.sign(keys[p.signer].secret_key(), ORIGIN)?;
        if p.kind == Kind::DataAccess {
            prev_query = Some(hex::encode(TreeHashAlg::Sha256.leaf(&signed.bytes)));
        }
        signed
            .disclosures
            .retain(|d| !p.withheld.contains(&d.path.to_string().as_str()));
        let (cose, disc) = write_signed(&signed, &dir.join(p.stem))?;
        out.push_str(&format!("  {}\n  {}", cose.display(), disc.display()));
        if !p.withheld.is_empty() {
            out.push_str(&format!(
                " (withheld, as if erased: {})",
                p.withheld.join(", ")
            ));
        }
        out.push('\n');
        written.push((cose, disc, p.signer));
    }

    // Read everything back: decode, verify with the public key file, open the disclosures.
    out.push_str("\nreading the records back\n");
    let mut problems = Vec::new();
    for (cose, disc, signer) in &written {
        let view = read_back(cose, disc, &dir.join(format!("{}.pub", names[*signer])))?;
        problems.extend(view.problems());
        out.push_str("\n────────────────────────────────────────\n");
        out.push_str(&view.to_text());
    }
    out.push_str(&format!(
        "\n{} records written, decoded and verified in {}.\n\
         Try: logseal record show {} --disclosures {} --key {} --origin {ORIGIN}\n",
        written.len(),
        dir.display(),
        written[1].0.display(),
        written[1].1.display(),
        dir.join("query-frontend.pub").display(),
    ));
    files::print(&out)?;
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Invalid(format!("demo: {}", problems.join("; "))).into())
    }
}

fn read_back(cose: &Path, disc: &Path, public: &Path) -> anyhow::Result<View> {
    let verifier = read_verifier(public)?;
    let bytes = files::read(cose)?;
    let record = Record::decode(&bytes).map_err(|e| Invalid(format!("{}: {e}", cose.display())))?;
    let disclosures = decode_disclosures(&files::read(disc)?)
        .map_err(|e| Invalid(format!("{}: {e}", disc.display())))?;
    use logseal::note::NoteVerifier;
    Ok(View::inspect(
        cose.display().to_string(),
        record,
        &disclosures,
        Some(KeyCheck {
            name: verifier.name(),
            key: verifier.public_key(),
            origin: ORIGIN,
        }),
    ))
}

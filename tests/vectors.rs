//! The committed known-answer vectors (`testvectors/`): they are exactly what the generator
//! (`logseal::vectors`) produces, and each one is accepted or rejected — at the stated stage,
//! with the stated code and location — by the reference implementation.

use std::path::Path;

use logseal::cbor::CborError;
use logseal::crypto::PublicKey;
use logseal::record::{Disclosure, Record, RecordError, SealError};
use logseal::vectors::{self, Expect, ExpectedError, Stage, Vector};

const REGENERATE: &str =
    "run `cargo run --bin xtask -- vectors` (or `-- all`) and commit the result";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The committed vectors, read as a third party would: from the JSON files.
fn committed() -> Vec<Vector> {
    let dir = root().join(vectors::DIR);
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}; {REGENERATE}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        // The evidence-bundle vectors have their own index (tests/bundle.rs).
        .filter(|p| {
            !p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("bundle-"))
        })
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| {
            let text = std::fs::read(p).unwrap();
            serde_json::from_slice(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        })
        .collect()
}

#[test]
fn committed_vectors_are_not_stale() {
    let files = vectors::render_all().expect("the generator builds every vector");
    let mut stale = Vec::new();
    for (rel, bytes) in &files {
        if std::fs::read(root().join(rel)).ok().as_deref() != Some(bytes.as_slice()) {
            stale.push(rel.display().to_string());
        }
    }
    let generated: Vec<_> = files.iter().map(|(p, _)| p.clone()).collect();
    // Files only, as `xtask` sees them: a subdirectory holds vectors made otherwise
    // (testvectors/timestamp: by openssl, with its own README).
    for entry in std::fs::read_dir(root().join(vectors::DIR)).unwrap() {
        let entry = entry.unwrap();
        if !entry.file_type().unwrap().is_file() {
            continue;
        }
        let rel = Path::new(vectors::DIR).join(entry.file_name());
        if !generated.contains(&rel) {
            stale.push(format!("{} (not generated)", rel.display()));
        }
    }
    assert!(
        stale.is_empty(),
        "test vectors are stale: {stale:?}; {REGENERATE}"
    );
}

/// What went wrong, in the vector's terms.
#[derive(Debug, PartialEq)]
struct Found {
    stage: Stage,
    code: String,
    offset: Option<usize>,
    path: Option<String>,
    disclosure: Option<usize>,
}

fn decode_location(e: &RecordError) -> Option<usize> {
    match e {
        RecordError::Cbor(c) | RecordError::Payload(c) => Some(c.offset()),
        RecordError::ProtectedHeader { offset, .. }
        | RecordError::UnprotectedNotEmpty { offset } => Some(*offset),
        _ => None,
    }
}

fn seal_path(e: &SealError) -> Option<String> {
    match e {
        SealError::Mismatch { path, .. } | SealError::NoSuchField { path } => {
            Some(path.to_string())
        }
        _ => None,
    }
}

/// Run the four stages of testvectors/README.md; `Ok` means accepted.
fn run(v: &Vector) -> Result<(), Found> {
    let found = |stage, code: &str| Found {
        stage,
        code: code.to_string(),
        offset: None,
        path: None,
        disclosure: None,
    };
    let key = PublicKey::from_slice(&v.public_key).map_err(|e| found(Stage::Key, e.code()))?;
    let record = Record::decode(&v.record).map_err(|e| Found {
        offset: decode_location(&e),
        ..found(Stage::Decode, e.code())
    })?;
    record
        .verify(&key, &v.origin)
        .map_err(|e| found(Stage::Verify, e.code()))?;
    for (i, d) in v.disclosures.iter().enumerate() {
        let disclosure = Disclosure::from_bytes(&d.cbor).map_err(|e: CborError| Found {
            offset: Some(e.offset()),
            disclosure: Some(i),
            ..found(Stage::Disclosure, e.code())
        })?;
        assert_eq!(
            disclosure.path.to_string(),
            d.path,
            "{}: path member",
            v.name
        );
        record
            .payload()
            .check_disclosure(&disclosure)
            .map_err(|e| Found {
                // A value-class error names no path itself: the disclosure's own applies.
                path: seal_path(&e).or_else(|| Some(d.path.clone())),
                disclosure: Some(i),
                ..found(Stage::Disclosure, e.code())
            })?;
    }
    Ok(())
}

#[test]
fn every_vector_gets_its_stated_verdict() {
    let all = committed();
    assert!(all.len() >= 20, "only {} vectors committed", all.len());
    let mut failures = Vec::new();
    for v in &all {
        assert_eq!(v.record_len, v.record.len(), "{}: record_len", v.name);
        let outcome = run(v);
        match (v.expect, &v.error, outcome) {
            (Expect::Accept, None, Ok(())) => {}
            (Expect::Reject, Some(want), Err(got)) => {
                let ExpectedError {
                    stage,
                    code,
                    offset,
                    path,
                    disclosure,
                } = want.clone();
                let want = Found {
                    stage,
                    code,
                    offset,
                    path,
                    disclosure,
                };
                if want != got {
                    failures.push(format!("{}: expected {want:?}, got {got:?}", v.name));
                }
            }
            (expect, error, got) => failures.push(format!(
                "{}: expected {expect:?} {error:?}, got {got:?}",
                v.name
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn accept_vectors_carry_their_disclosures_and_reach_the_limit() {
    let all = committed();
    let accepted: Vec<_> = all.iter().filter(|v| v.expect == Expect::Accept).collect();
    assert!(
        accepted
            .iter()
            .any(|v| v.record.len() == logseal::record::MAX_RECORD_LEN)
    );
    for v in accepted {
        let r = Record::decode(&v.record).unwrap();
        assert_eq!(
            r.payload().sealed.len(),
            v.disclosures.len(),
            "{}: every sealed field of an accept vector is disclosed",
            v.name
        );
    }
}

/// Every rule the format names has a vector (docs/FORMAT.md §Rejection codes).
#[test]
fn every_required_rejection_is_covered() {
    let all = committed();
    let codes: Vec<(Stage, &str)> = all
        .iter()
        .filter_map(|v| v.error.as_ref().map(|e| (e.stage, e.code.as_str())))
        .collect();
    for want in [
        (Stage::Decode, "payload-non-minimal"),
        (Stage::Decode, "payload-unsorted-keys"),
        (Stage::Decode, "payload-indefinite-length"),
        (Stage::Decode, "payload-float"),
        (Stage::Decode, "payload-trailing-bytes"),
        (Stage::Decode, "payload-truncated"),
        (Stage::Decode, "payload-decode"),
        (Stage::Decode, "cbor-trailing-bytes"),
        (Stage::Decode, "cbor-truncated"),
        (Stage::Decode, "record-too-large"),
        (Stage::Decode, "record-unprotected-header"),
        (Stage::Decode, "record-protected-header"),
        (Stage::Verify, "signature-invalid"),
        (Stage::Verify, "record-kid-mismatch"),
        (Stage::Key, "key-small-order"),
        (Stage::Disclosure, "sealed-mismatch"),
        (Stage::Disclosure, "sealed-bad-value"),
        (Stage::Disclosure, "cbor-non-minimal"),
    ] {
        assert!(codes.contains(&want), "no vector for {want:?}");
    }
}

//! `logseal tlog verify | prove | check-proof`: foreign C2SP logs of opaque entries. Reads the
//! log from a directory laid out as served or over HTTP ([`Client`]), runs the pure checks of
//! [`logseal::tlog`], prints the findings, keeps `--state DIR/tlog-state.json`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use logseal::checkpoint::CosignatureVerifier;
use logseal::cli::{
    TlogCheckProofArgs, TlogPolicyArgs, TlogProveArgs, TlogVerifyArgs, TlogWatchArgs,
};
use logseal::client::Client;
use logseal::note::Ed25519NoteVerifier;
use logseal::tiles::{EntryBundleId, TileId};
use logseal::tlog::open::{Opened, Policy, open};
use logseal::tlog::proof::{self, BuildError, TlogProof};
use logseal::tlog::state::{TLOG_STATE_FILE, TlogState, VerifiedHead};
use logseal::tlog::walk::{Earlier, Source, SourceError, Walked, walk};
use logseal::tlog::{Finding, Severity, any_violated};
use logseal::tree::HexHash;

use super::Invalid;
use super::files;
use super::verify::write_atomic;

/// A log laid out as served, in a directory.
struct DirSource(PathBuf);

impl DirSource {
    fn read(&self, rel: &str) -> Result<Option<Vec<u8>>, SourceError> {
        let path = self.0.join(rel);
        match std::fs::read(&path) {
            Ok(d) => Ok(Some(d)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(SourceError {
                place: path.display().to_string(),
                reason: e.to_string(),
            }),
        }
    }
}

impl Source for DirSource {
    fn checkpoint(&self) -> Result<Option<Vec<u8>>, SourceError> {
        self.read("checkpoint")
    }
    fn tile(&self, tile: TileId) -> Result<Option<Vec<u8>>, SourceError> {
        self.read(&tile.path())
    }
    fn entries(&self, bundle: EntryBundleId) -> Result<Option<Vec<u8>>, SourceError> {
        self.read(&bundle.path())
    }
}

/// A log served over HTTP: 404 is absence, any other failure is an error.
struct HttpSource(Client);

fn http(
    got: Result<Vec<u8>, logseal::client::ClientError>,
) -> Result<Option<Vec<u8>>, SourceError> {
    match got {
        Ok(d) => Ok(Some(d)),
        Err(e) if e.status() == Some(404) => Ok(None),
        Err(e) => Err(SourceError {
            place: "server".into(),
            reason: e.to_string(),
        }),
    }
}

impl Source for HttpSource {
    fn checkpoint(&self) -> Result<Option<Vec<u8>>, SourceError> {
        http(self.0.checkpoint())
    }
    fn tile(&self, tile: TileId) -> Result<Option<Vec<u8>>, SourceError> {
        http(self.0.tile(tile))
    }
    fn entries(&self, bundle: EntryBundleId) -> Result<Option<Vec<u8>>, SourceError> {
        http(self.0.entries(bundle))
    }
}

fn source(location: &str) -> anyhow::Result<Box<dyn Source>> {
    if location.starts_with("http://") || location.starts_with("https://") {
        return Ok(Box::new(HttpSource(Client::new(
            location,
            Duration::from_secs(30),
        ))));
    }
    let dir = PathBuf::from(location);
    if !dir.is_dir() {
        anyhow::bail!("{location}: not a directory (nor an http:// URL)");
    }
    Ok(Box::new(DirSource(dir)))
}

/// A key given as a file holding it, or as the key itself.
fn key_text(arg: &str) -> anyhow::Result<String> {
    let p = Path::new(arg);
    if p.is_file() {
        files::read_key_line(p)
    } else {
        Ok(arg.to_string())
    }
}

fn policy(args: &TlogPolicyArgs) -> anyhow::Result<Policy> {
    let log = Ed25519NoteVerifier::from_vkey(&key_text(&args.vkey)?)
        .with_context(|| format!("--vkey {}: not an Ed25519 verifier key", args.vkey))?;
    let witnesses = args
        .witnesses
        .iter()
        .map(|w| {
            CosignatureVerifier::from_vkey(&key_text(w)?)
                .with_context(|| format!("--witness {w}: not a cosignature/v1 verifier key"))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    if args.quorum > witnesses.len() {
        anyhow::bail!(
            "--quorum {} is more than the {} --witness key(s) given",
            args.quorum,
            witnesses.len()
        );
    }
    Ok(Policy {
        log,
        witnesses,
        quorum: args.quorum,
    })
}

fn finding_lines(findings: &[Finding]) -> String {
    findings
        .iter()
        .map(|f| {
            let tag = match f.severity {
                Severity::Violated => "violated",
                Severity::Notice => "notice",
            };
            format!("  [{tag}] {}: {}\n", f.code, f.message)
        })
        .collect()
}

/// Print the report; exit 1 when anything is violated.
fn conclude(mut report: String, findings: &[Finding]) -> anyhow::Result<()> {
    if !findings.is_empty() {
        report.push_str("findings:\n");
        report.push_str(&finding_lines(findings));
    }
    let violations = findings
        .iter()
        .filter(|f| f.severity == Severity::Violated)
        .count();
    if violations == 0 {
        report.push_str("result: holds\n");
    } else {
        report.push_str(&format!("result: violated ({violations} violation(s))\n"));
    }
    files::print(&report)?;
    if violations > 0 {
        let codes: Vec<&str> = findings
            .iter()
            .filter(|f| f.severity == Severity::Violated)
            .map(|f| f.code)
            .collect();
        return Err(Invalid(format!("the log does not hold: {}", codes.join(", "))).into());
    }
    Ok(())
}

/// Read and open the checkpoint; the finding when it does not open.
fn open_checkpoint(
    src: &dyn Source,
    policy: &Policy,
) -> anyhow::Result<Result<(Vec<u8>, Opened), Finding>> {
    let Some(bytes) = src.checkpoint()? else {
        return Ok(Err(Finding::violated(
            "tlog-checkpoint-missing",
            "checkpoint: not found",
        )));
    };
    Ok(open(&bytes, policy).map(|o| (bytes, o)))
}

/// `logseal tlog verify`.
pub fn verify(args: TlogVerifyArgs) -> anyhow::Result<()> {
    let policy = policy(&args.policy)?;
    let r = verify_round(&args.location, &policy, args.state.as_deref())?;
    conclude(r.report, &r.findings)
}

/// What one verification found: the report text, the findings, the checkpoint served (when
/// one was read) and the one verified before (from the state).
struct Round {
    report: String,
    findings: Vec<Finding>,
    served: Option<Vec<u8>>,
    before: Option<String>,
    size: u64,
}

fn verify_round(
    location: &str,
    policy: &Policy,
    state_dir: Option<&Path>,
) -> anyhow::Result<Round> {
    let src = source(location)?;
    let mut state = match state_dir {
        Some(d) => match std::fs::read(d.join(TLOG_STATE_FILE)) {
            Ok(b) => TlogState::from_json(&b).with_context(|| d.display().to_string())?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => TlogState::default(),
            Err(e) => return Err(e).context(format!("cannot read {}", d.display())),
        },
        None => TlogState::default(),
    };
    let report = format!("tlog verify {location}\n");
    let before = |state: &TlogState, origin: &str| {
        state
            .logs
            .iter()
            .find(|l| l.origin == origin)
            .map(|l| l.note.clone())
    };
    let (bytes, opened) = match open_checkpoint(src.as_ref(), policy)? {
        Ok(o) => o,
        Err(f) => {
            return Ok(Round {
                report,
                findings: vec![f],
                served: src.checkpoint().ok().flatten(),
                before: None,
                size: 0,
            });
        }
    };
    let mut report = report;
    let cp = &opened.checkpoint;
    let earlier = state
        .head(&cp.origin)
        .map(|(size, root)| Earlier { size, root });
    let before_note = before(&state, &cp.origin);
    let walked: Walked = walk(src.as_ref(), cp.size, cp.root, earlier)?;
    report.push_str(&format!(
        "  origin     {}\n  size       {}\n  root       {}\n  witnesses  {} cosigned (quorum {}){}\n  \
         entries    {} hashed, {} hash tiles compared{}\n",
        cp.origin,
        cp.size,
        HexHash(&cp.root),
        opened.witnesses.len(),
        policy.quorum,
        opened
            .witnesses
            .iter()
            .map(|(n, t)| format!(" {n}@{t}"))
            .collect::<String>(),
        walked.entries_checked,
        walked.tiles_checked,
        if walked.complete { "" } else { " (walk stopped)" },
    ));
    report.push_str(&match (state_dir, earlier) {
        (None, _) => "  state      not kept (no --state)\n".to_string(),
        (Some(_), None) => "  state      no earlier checkpoint of this origin\n".to_string(),
        (Some(_), Some(e)) => format!(
            "  state      checked against the checkpoint of size {} verified earlier\n",
            e.size
        ),
    });
    let mut findings = opened.notices.clone();
    findings.extend(walked.findings);
    if let Some(d) = state_dir
        && !any_violated(&findings)
        && walked.complete
    {
        state.set(VerifiedHead {
            origin: cp.origin.clone(),
            size: cp.size,
            root: hex::encode(cp.root),
            note: String::from_utf8_lossy(&bytes).into_owned(),
        });
        write_atomic(d, TLOG_STATE_FILE, &state.to_json())?;
    }
    Ok(Round {
        report,
        findings,
        served: Some(bytes.clone()),
        before: before_note,
        size: cp.size,
    })
}

/// `logseal tlog prove`.
pub fn prove(args: TlogProveArgs) -> anyhow::Result<()> {
    let policy = policy(&args.policy)?;
    let src = source(&args.location)?;
    let (bytes, opened) = match open_checkpoint(src.as_ref(), &policy)? {
        Ok(o) => o,
        Err(f) => return Err(Invalid(format!("{}: {}", f.code, f.message)).into()),
    };
    let (proof, entry) = match proof::build(src.as_ref(), &opened, &bytes, args.index) {
        Ok(p) => p,
        Err(BuildError::Log(f)) => return Err(Invalid(format!("{}: {}", f.code, f.message)).into()),
        Err(e) => return Err(e.into()),
    };
    if let Some(out) = &args.entry_out {
        files::create_new(out, &entry, 0o644)?;
    }
    files::print(&String::from_utf8_lossy(&proof.to_text()))
}

/// `logseal tlog check-proof`.
pub fn check_proof(args: TlogCheckProofArgs) -> anyhow::Result<()> {
    let policy = policy(&args.policy)?;
    let stdin = args.proof == Path::new("-");
    let (text, name) = files::read_input((!stdin).then_some(args.proof.as_path()))?;
    let entry = files::read(&args.entry)?;
    let parsed = TlogProof::parse(&text)
        .map_err(|e| Invalid(format!("{name}: tlog-proof-malformed: {e}")))?;
    match proof::check(&parsed, &entry, &policy) {
        Ok(opened) => {
            let mut out = format!(
                "holds: entry {} ({} bytes) is at index {} of {} at size {}, root {}\n",
                args.entry.display(),
                entry.len(),
                parsed.index,
                opened.checkpoint.origin,
                opened.checkpoint.size,
                HexHash(&opened.checkpoint.root)
            );
            for (n, t) in &opened.witnesses {
                out.push_str(&format!("  cosigned by {n} at {t}\n"));
            }
            if let Some(extra) = &parsed.extra {
                out.push_str(&format!(
                    "  extra data ({} bytes, not authenticated): {}\n",
                    extra.len(),
                    hex::encode(extra)
                ));
            }
            out.push_str(&finding_lines(&opened.notices));
            files::print(&out)
        }
        Err(f) => Err(Invalid(format!("{name}: {}: {}", f.code, f.message)).into()),
    }
}

/// `logseal tlog watch`: `tlog verify --state` every `--interval`, alerting on a violation
/// as `logseal watch` does (evidence kept, a line per violation, the hook run directly).
pub fn watch(args: TlogWatchArgs) -> anyhow::Result<()> {
    let policy = policy(&args.policy)?;
    std::fs::create_dir_all(&args.state)
        .with_context(|| format!("cannot create {}", args.state.display()))?;
    loop {
        match verify_round(&args.location, &policy, Some(&args.state)) {
            Ok(r) if any_violated(&r.findings) => {
                let now = super::log::now_secs();
                let dir = super::watch::evidence_dir(&args.state, now)?;
                let mut text = r.report.clone();
                text.push_str(&finding_lines(&r.findings));
                write_atomic(&dir, "report.txt", text.as_bytes())?;
                if let Some(b) = &r.before {
                    write_atomic(&dir, "checkpoint-before", b.as_bytes())?;
                }
                if let Some(s) = &r.served {
                    write_atomic(&dir, "checkpoint-served", s)?;
                }
                let mut codes = Vec::new();
                for f in r
                    .findings
                    .iter()
                    .filter(|f| f.severity == Severity::Violated)
                {
                    eprintln!("logseal tlog watch: VIOLATION {}: {}", f.code, f.message);
                    codes.push(f.code);
                }
                eprintln!("logseal tlog watch: evidence kept in {}", dir.display());
                if let Some(hook) = &args.hook {
                    let findings: Vec<serde_json::Value> = r
                        .findings
                        .iter()
                        .map(|f| {
                            serde_json::json!({
                                "code": f.code,
                                "verdict": match f.severity {
                                    Severity::Violated => "violated",
                                    _ => "notice",
                                },
                                "message": f.message,
                            })
                        })
                        .collect();
                    let alert = serde_json::json!({
                        "url": args.location,
                        "time": now,
                        "evidence": dir.display().to_string(),
                        "findings": findings,
                    });
                    super::watch::run_hook(hook, &args.hook_args, &alert.to_string())?;
                }
                return Err(Invalid(format!(
                    "{}: the log does not hold ({}); evidence in {}",
                    args.location,
                    codes.join(", "),
                    dir.display()
                ))
                .into());
            }
            Ok(r) => files::print(&format!(
                "{}: checkpoint of size {} verified; no violation\n",
                args.location, r.size
            ))?,
            Err(e) if args.once => return Err(e),
            Err(e) => eprintln!(
                "logseal tlog watch: {}: cannot verify now: {e:#}",
                args.location
            ),
        }
        if args.once {
            return Ok(());
        }
        std::thread::sleep(args.interval);
    }
}

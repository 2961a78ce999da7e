//! `logseal demo`: the built-in scenario (shared/scenario.md, [`logseal::scenario`]) end to
//! end. Writes every producer's key pair, creates a real log, appends each day's records as
//! one batch and checkpoints it, shows the log refusing a replayed record, exports the
//! account-sanction case of part B (record, disclosures, inclusion proof), checks the proofs
//! against the log's public key only (one at an earlier day's checkpoint from a copy of
//! public/ alone), and decodes the exported record for a person. It keeps a copy of the
//! honest log before the operator's rewrite; on copies of it, a private/ restored from an
//! earlier day's backup is recovered (`logseal recover`) and a dropped tail is caught by the
//! required heartbeats.
//!
//! Everything derives from fixed seeds (keys and salts) and the scenario's own clock, so two
//! runs write the same records — but for the ids of the data keys the nightly sweeps destroy:
//! the log makes its disclosure keys from the operating system's CSPRNG, always. That makes it a demonstration and never a way to produce real
//! records: real keys and salts come from the operating system's CSPRNG.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context;
use logseal::cli::DemoArgs;
use logseal::log::{Log, LogError};
use logseal::note::{Ed25519NoteKey, NoteVerifier};
use logseal::record::{Kind, Record, SignedRecord};
use logseal::scenario::{self, AUTHORITY, ORIGIN, Scale, Signed};
use logseal::tree::TreeHashAlg;

use logseal::verify::{Check, Report, Trust, TrustFile, Verdict};

use super::log::{ProofFile, check_proof};
use super::record::write_signed;
use super::retention::plan_report;
use super::sweep;
use super::verify::{render, verify_log};
use super::view::{KeyCheck, View};
use super::{Invalid, files, keygen};
use logseal::record::types::Timestamp;

fn default_dir() -> PathBuf {
    std::env::temp_dir().join(format!("logseal-demo-{}", std::process::id()))
}

fn note_key(name: &str) -> anyhow::Result<Ed25519NoteKey> {
    Ok(Ed25519NoteKey::new(name, scenario::secret_key(name))?)
}

pub fn run(args: DemoArgs) -> anyhow::Result<()> {
    let dir = args.dir.unwrap_or_else(default_dir);
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut out = format!(
        "logseal demo in {}\n\
         A central subscriber-data service queried by police officials (A) and a cloud \
         platform's account sanctions (B), 30 days from 2026-03-01.\n",
        dir.display()
    );

    // 1. Keys: the log's, the registration authority's, every producer's.
    let keys_dir = dir.join("keys");
    std::fs::create_dir_all(&keys_dir)?;
    out.push_str("\n1. keys (signed-note form; secret files mode 0600)\n");
    let log_key = note_key(ORIGIN)?;
    keygen::write_key_pair(&log_key, &keys_dir.join("log"))?;
    out.push_str(&format!(
        "   {:<24} {}\n",
        "log",
        log_key.verifier().to_vkey()
    ));
    for p in scenario::producers() {
        let k = note_key(p.name)?;
        keygen::write_key_pair(&k, &keys_dir.join(p.name))?;
        out.push_str(&format!(
            "   {:<24} {}  ({})\n",
            p.name,
            short_vkey(&k),
            p.about
        ));
    }
    // The auditor's inspector, registered at the end (step 12).
    let k = note_key(scenario::INSPECTOR)?;
    keygen::write_key_pair(&k, &keys_dir.join(scenario::INSPECTOR))?;
    out.push_str(&format!(
        "   {:<24} {}  (the auditor's inspector: registered after day 30, step 12)\n",
        scenario::INSPECTOR,
        short_vkey(&k)
    ));

    // 2. The log.
    let log_dir = dir.join("log");
    let authority = note_key(AUTHORITY)?.verifier().to_vkey();
    // The scenario's 30 days, and day 31, which step 14 sends through the server.
    let mut days = scenario::build(
        Scale {
            days: Scale::FULL.days + 1,
            ..Scale::FULL
        },
        TreeHashAlg::Sha256,
    )?;
    let day31 = days.pop().context("demo: the scenario has a day 31")?;
    let mut log = Log::init(
        &log_dir,
        &log_key,
        &authority,
        TreeHashAlg::Sha256,
        days[0].checkpoint_at - 86_400,
    )
    .with_context(|| format!("cannot create the log {}", log_dir.display()))?;
    out.push_str(&format!(
        "\n2. log {}\n   origin {ORIGIN}, tree hash sha256 (a standard C2SP tlog-tiles log)\n",
        log_dir.display()
    ));

    // The supervisory authority's auditor trusts only its own file and keeps its own state;
    // it fetches and verifies each day's checkpoint.
    let auditor = dir.join("auditor");
    let state_dir = auditor.join("state");
    std::fs::create_dir_all(&state_dir)?;
    let trust_file = TrustFile {
        format: 1,
        origin: ORIGIN.into(),
        tree_hash: "sha256".into(),
        log_key: log_key.verifier().to_vkey(),
        registration_authority: authority.clone(),
        authorisation_registry: "authorisation-registry".into(),
        authorisation_required: vec!["query-frontend".into()],
        witnesses: Vec::new(),
        witness_quorum: 0,
        witnessed_after_size: None,
        max_logging_delay_secs: 86_400,
        max_logging_delay_overrides: Default::default(),
        retention_policy_authority: Some(scenario::POLICY_AUTHORITY.into()),
        obligation_policy_authority: Some(scenario::OBLIGATION_AUTHORITY.into()),
        log_key_history: Vec::new(),
        registration_authority_history: Vec::new(),
    };
    // The auditor inspects the operator's log directory: check 7 (retention) is required.
    // Both subscriber-data producers send a heartbeat every day: a day's silence plus two
    // hours is the longest the auditor allows (check 4, heartbeat-overdue).
    let heartbeats = BTreeMap::from([
        ("query-frontend".to_string(), 93_600),
        ("upload-gateway".to_string(), 93_600),
    ]);
    let trust = Trust::new(trust_file.clone())?
        .also_requiring([Check::Retention])
        .require_heartbeats(heartbeats.clone())?;
    let trust_path = auditor.join("trust.json");
    files::create_new(&trust_path, &trust.to_json(), 0o644)?;
    // 3. Append each day as one atomic batch, checkpoint at the end of the day.
    flush(&mut out)?;
    let mut per_kind: BTreeMap<&str, u64> = BTreeMap::new();
    let mut leaf_of: BTreeMap<&str, (u64, &Signed)> = BTreeMap::new();
    let mut checkpoint_sizes = Vec::new();
    let sweep_key = sweep::SigningKey::load(&keys_dir.join(format!("{}.key", scenario::SWEEP)))?;
    let mut swept = Swept::default();
    for day in &days {
        let items: Vec<_> = day.records.iter().map(|s| s.item.clone()).collect();
        let receipts = log.append(&items).context("appending the scenario")?;
        for (s, r) in day.records.iter().zip(&receipts) {
            *per_kind.entry(s.kind.name()).or_default() += 1;
            if let Some(label) = s.label {
                leaf_of.insert(label, (r.leaf_index, s));
            }
        }
        // The operator's nightly retention sweep (`logseal retention apply`), whose job
        // misses one provider file every night: a fault the demo simulates.
        let kept = leaf_of["kept-upload"].0;
        let s = sweep::sweep(
            &mut log,
            &sweep_key,
            Timestamp((day.checkpoint_at - 30) * 1000),
            std::time::Duration::from_secs(86_400),
            None,
            &[kept],
        )?;
        swept.add(&s);
        log.checkpoint(day.checkpoint_at)?;
        checkpoint_sizes.push(log.size());
        // The operator's nightly backup of private/; the demo keeps day 20's (step 10).
        if day.day + 1 == BACKUP_DAY {
            copy_tree(
                &log_dir.join("private"),
                &dir.join("backup").join("private"),
            )?;
        }
        if day.day + 1 < days.len() as u32 {
            verify_log(
                &log_dir,
                &trust,
                Some(&state_dir),
                day.checkpoint_at + 60,
                false,
            )?;
        }
        progress(day.day + 1, days.len());
    }
    progress_done();
    out.push_str(&format!(
        "\n3. appended {} records in {} daily batches, each checkpointed\n",
        log.size(),
        days.len()
    ));
    for (kind, n) in &per_kind {
        out.push_str(&format!("   {kind:<20} {n:>6}\n"));
    }
    out.push_str(&format!(
        "   and every night the operator's retention sweep (`logseal retention apply`) erased \
         what had fallen due: {} disclosures of {} provider files by destroying {} keys, \
         recorded in {} retention-deletion records (its job skips one file every night: a \
         fault the demo simulates)\n",
        swept.items, swept.records, swept.keys, swept.deletions
    ));
    let note = log
        .reader()
        .checkpoint()?
        .context("the log has a checkpoint")?;
    out.push_str("\n   the latest checkpoint (public/checkpoint):\n");
    for line in String::from_utf8_lossy(&note).lines() {
        out.push_str(&format!("   │ {line}\n"));
    }

    flush(&mut out)?;
    // 4. The log refuses what does not continue a producer's chain.
    let (denied_leaf, denied) = leaf_of["denied-query"];
    out.push_str(&format!(
        "\n4. admission: replaying leaf {denied_leaf} (query-frontend seq {}) is refused\n",
        denied.seq
    ));
    match log.append(std::slice::from_ref(&denied.item)) {
        Err(LogError::Refused { refusal, .. }) => {
            out.push_str(&format!(
                "   refused: {refusal}\n   the log is unchanged ({} records)\n",
                log.size()
            ));
        }
        other => {
            return Err(Invalid(format!(
                "demo: the replayed record was not refused: {other:?}"
            ))
            .into());
        }
    }

    flush(&mut out)?;
    // 5. The export case of B: the sanction record with only its own disclosures.
    let export_dir = dir.join("export");
    std::fs::create_dir_all(&export_dir)?;
    let (sanction_leaf, sanction) = leaf_of["export-sanction"];
    let (cose, disclosures) = write_signed(
        &SignedRecord {
            bytes: sanction.item.record.clone(),
            disclosures: sanction.item.disclosures.clone(),
        },
        &export_dir.join("sanction"),
    )?;
    let size = log.size();
    let proof = log.reader().inclusion_proof(size, sanction_leaf)?;
    let file = ProofFile::Inclusion {
        origin: ORIGIN.to_string(),
        tree_hash: "sha256".into(),
        leaf_index: sanction_leaf,
        record: base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            &sanction.item.record,
        ),
        leaf_hash: hex::encode(sanction.leaf_hash.0),
        proof: proof.iter().map(hex::encode).collect(),
        checkpoint: String::from_utf8(note.clone())?,
    };
    let proof_path = export_dir.join("sanction.inclusion.json");
    std::fs::write(&proof_path, serde_json::to_string_pretty(&file)?)?;
    let verdict = check_proof(&file, &log_key.verifier())
        .map_err(|e| Invalid(format!("demo: inclusion proof: {e}")))?;
    out.push_str(&format!(
        "\n5. evidence export of the sanction (leaf {sanction_leaf})\n   {}\n   {}\n   {}\n   proof checked with the log's public key only: {verdict}\n",
        cose.display(),
        disclosures.display(),
        proof_path.display()
    ));
    let old = checkpoint_sizes[9];
    let old_note = log.checkpoint_at(old)?.context("day-10 checkpoint kept")?;
    let consistency = ProofFile::Consistency {
        origin: ORIGIN.to_string(),
        tree_hash: "sha256".into(),
        old_checkpoint: String::from_utf8(old_note)?,
        new_checkpoint: String::from_utf8(note)?,
        proof: log
            .reader()
            .consistency_proof(old, size)?
            .iter()
            .map(hex::encode)
            .collect(),
    };
    let verdict = check_proof(&consistency, &log_key.verifier())
        .map_err(|e| Invalid(format!("demo: consistency proof: {e}")))?;
    out.push_str(&format!(
        "   the day-10 checkpoint is consistent with today's: {verdict}\n"
    ));
    let (mirror, early, copied) = early_proof(
        &log_dir,
        &dir,
        &export_dir,
        &checkpoint_sizes,
        sanction_leaf,
        (&trust, days.last().map_or(0, |d| d.checkpoint_at) + 3600),
    )?;
    let verdict = check_proof(&early.file, &log_key.verifier())
        .map_err(|e| Invalid(format!("demo: inclusion proof at day {}: {e}", early.day)))?;
    out.push_str(&format!(
        "   an auditor's copy of public/ alone ({}: `logseal mirror`, {copied} objects verified \
         as they were copied) proves the sanction at the day-{} checkpoint its history keeps \
         (public/checkpoints/{}): {}\n   checked: {verdict}\n",
        mirror.display(),
        early.day,
        early.size,
        early.path.display()
    ));

    flush(&mut out)?;
    // 6. What a court sees: the record decoded, its sealed fields opened.
    let tns = note_key("trust-and-safety")?.verifier();
    let view = View::inspect(
        cose.display().to_string(),
        Record::decode(&sanction.item.record).map_err(|e| Invalid(format!("demo: {e}")))?,
        &sanction.item.disclosures,
        Some(KeyCheck {
            name: tns.name(),
            key: tns.public_key(),
            origin: ORIGIN,
        }),
    );
    let problems = view.problems();
    out.push_str("\n6. the exported sanction record, as `logseal record show` prints it\n\n");
    out.push_str(&view.to_text());

    let last = days.last().map_or(0, |d| d.checkpoint_at);
    let report = verify_log(&log_dir, &trust, Some(&state_dir), last + 3600, false)?;
    out.push_str(&format!(
        "\n7. the auditor, who verified every daily checkpoint, verifies the log with {} and \
         its own state {}\n\n",
        trust_path.display(),
        state_dir.display()
    ));
    out.push_str(&indent(&render(&report)));
    expect(
        &report,
        &["heartbeat-counter-mismatch", "retention-kept-too-long"],
        "the honest log",
    )?;
    // Step 14's monitor starts from what the auditor has verified now.
    let seed_state = dir.join("auditor").join("state-day30");
    copy_tree(&state_dir, &seed_state)?;

    flush(&mut out)?;
    // 8. Retention: what the rules in force require now, and two years on.
    out.push_str(&format!(
        "\n8. retention plan (`logseal retention plan {}`): the nightly sweeps erased every \
         provider file once the next day's had replaced it, except the one their job skips, \
         which check 7 above reports kept too long; the BDSG cap and NEN 7513 minimum \
         conflict for the queries (reported, not silently resolved); the sanction case is \
         under a legal hold\n",
        log_dir.display()
    ));
    for at in [last + 3600, last + 2 * 365 * 86_400] {
        let text = plan_report(
            &log_dir,
            logseal::record::types::Timestamp(at * 1000),
            std::time::Duration::from_secs(86_400),
            false,
        )?;
        if let Some(first) = text.lines().next() {
            out.push_str(&format!("   {first}\n"));
        }
    }

    flush(&mut out)?;
    // 9. A dishonest operator removes the revoked official's attempt and re-signs history.
    // The demo keeps the honest log first: steps 10 and 11 and the Explore lines use it.
    drop(log);
    let honest = dir.join("honest");
    copy_tree(&log_dir, &honest)?;
    let public = logseal::store::FsStore::open(log_dir.join("public"))?;
    scenario::dishonest_rewrite(&public, denied_leaf, last + 7200)?;
    let report = verify_log(&log_dir, &trust, Some(&state_dir), last + 10_800, false)?;
    out.push_str(&format!(
        "\n9. the operator deletes leaf {denied_leaf} (the revoked official's query), rebuilds the \
         tree and re-signs a checkpoint; the auditor runs again\n\n"
    ));
    out.push_str(&indent(&condensed(&report)));
    out.push_str(&format!(
        "   (the full report: logseal verify {} --trust {} --state {})\n",
        log_dir.display(),
        trust_path.display(),
        state_dir.display()
    ));
    expect(
        &report,
        &["checkpoint-inconsistent", "chain-seq-gap"],
        "the rewritten log",
    )?;
    out.push_str(&format!(
        "   (the honest log, as it was before the rewrite, is kept in {})\n",
        honest.display()
    ));
    flush(&mut out)?;
    let accident = backup_accident(&dir, &honest, &keys_dir, &trust, last, &mut out)?;
    flush(&mut out)?;
    let silent = dropped_tail(&dir, &honest, &trust, last, &mut out)?;
    flush(&mut out)?;
    let inspected = inspection(&dir, &honest, &keys_dir, last, &mut out)?;
    flush(&mut out)?;
    let account = sanction
        .item
        .disclosures
        .iter()
        .find(|d| d.path.to_string() == "account_id")
        .map(|d| super::reveal::value_json(&d.value))
        .and_then(|v| v.as_str().map(str::to_string))
        .context("demo: the export case's account id")?;
    let evidence = evidence(
        &dir,
        &honest,
        &keys_dir,
        &trust_path,
        &account,
        last,
        &mut out,
    )?;

    flush(&mut out)?;
    let live = super::demo_live::live(
        &dir,
        &honest,
        &keys_dir,
        &trust_file,
        &heartbeats,
        &seed_state,
        &day31,
        &mut out,
    )?;
    flush(&mut out)?;

    out.push_str(&format!(
        "\nExplore:\n  logseal verify {honest} --trust {trust} --at {at_honest}\n  \
         logseal verify {log} --trust {trust} --state {state}\n  \
         logseal verify {accident} --trust {trust} --at {at_accident}\n  \
         logseal verify {silent} --trust {trust} --at {at_silent}\n  \
         logseal info {log}\n  logseal show {honest} {sanction_leaf}\n  logseal prove inclusion {log} --index {sanction_leaf}\n  \
         logseal prove inclusion {mirror} --index {sanction_leaf} --size {early_size}\n  \
         logseal prove check {proof} --log-key {keys}/log.pub\n  \
         logseal prove check {early_proof} --log-key {keys}/log.pub\n  \
         logseal record show {cose} --disclosures {disc} --key {keys}/trust-and-safety.pub --origin {ORIGIN}\n  \
         logseal log {honest} --kind appeal-decision\n  \
         logseal grep {honest} AUTOMATED_DECISION_FULLY\n  \
         logseal checkpoints {honest}\n  \
         logseal log {honest} --producer {inspector}\n  \
         {subject}\n  \
         {sealed_report}\n  \
         logseal bundle verify {account_bundle} --trust {trust}\n  \
         logseal bundle verify {subscriber_bundle} --trust {trust}\n  \
         logseal bundle show {account_bundle} --trust {trust}\n  \
         logseal bundle show {account_bundle} --trust {trust} --lang nl --time-zone Europe/Amsterdam --html {account_html}\n  \
         logseal tlog verify {honest}/public --vkey {keys}/log.pub\n  \
         logseal tlog prove {honest}/public --vkey {keys}/log.pub --index {sanction_leaf}\n  \
         logseal mirror {honest} {dir}/copy --trust {trust}\n  \
         (a bucket instead of a directory: logseal mirror {honest} s3://BUCKET/PREFIX --trust {trust}; docs/STORAGE.md)\n  \
         logseal verify {live_log} --trust {live_trust} --at {at_live}\n  \
         logseal bundle verify {live_bundle} --trust {live_trust}\n  \
         ls {live_evidence}\n  \
         (the served log, its witnesses and its monitor: logseal serve, witness serve, checkpoint --witnesses, watch; docs/SERVE.md)\n",
        live_log = live.log.display(),
        at_live = rfc3339(live.after),
        live_bundle = live.bundle.display(),
        live_trust = live.trust.display(),
        live_evidence = live.evidence.display(),
        account_bundle = evidence.account.display(),
        account_html = evidence.account.with_extension("html").display(),
        subscriber_bundle = evidence.subscriber.display(),
        inspector = scenario::INSPECTOR,
        subject = inspected.command,
        sealed_report = inspected.report,
        honest = honest.display(),
        dir = dir.display(),
        at_honest = rfc3339(last + 3600),
        state = state_dir.display(),
        accident = accident.display(),
        at_accident = rfc3339(last + ACCIDENT_AFTER + 3600),
        silent = silent.display(),
        at_silent = rfc3339(last + SILENCE + 60),
        mirror = mirror.display(),
        early_size = early.size,
        early_proof = early.path.display(),
        log = log_dir.display(),
        trust = trust_path.display(),
        proof = proof_path.display(),
        keys = keys_dir.display(),
        cose = cose.display(),
        disc = disclosures.display(),
    ));
    files::print(&out)?;
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Invalid(format!("demo: {}", problems.join("; "))).into())
    }
}

/// The day whose nightly backup of private/ the operator restores in step 10.
const BACKUP_DAY: u32 = 20;
/// Step 10's recovery runs this long after the last day's checkpoint (seconds).
const ACCIDENT_AFTER: u64 = 4 * 3600;
/// Step 11's checkpoint is signed this long after the last day's (seconds).
const SILENCE: u64 = 2 * 86_400;

fn rfc3339(secs: u64) -> String {
    Timestamp(secs * 1000).to_rfc3339()
}

/// Copy the directory tree `from` to `to` (created).
pub(super) fn copy_tree(from: &Path, to: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(to).with_context(|| format!("cannot create {}", to.display()))?;
    for e in std::fs::read_dir(from).with_context(|| format!("cannot read {}", from.display()))? {
        let e = e?;
        let (src, dst) = (e.path(), to.join(e.file_name()));
        if e.file_type()?.is_dir() {
            copy_tree(&src, &dst)?;
        } else {
            std::fs::copy(&src, &dst)
                .with_context(|| format!("cannot copy {} to {}", src.display(), dst.display()))?;
        }
    }
    Ok(())
}

/// An inclusion proof at an earlier published checkpoint, written to a file.
struct EarlyProof {
    day: usize,
    size: u64,
    path: PathBuf,
    file: ProofFile,
}

/// Mirror public/ alone to DIR/mirror/public (what an auditor fetches; verified against
/// `trust` at `at` as it is copied) and prove `leaf` there at the first day's checkpoint that
/// holds it, read from the public checkpoint history. Returns the objects copied too.
fn early_proof(
    log_dir: &Path,
    dir: &Path,
    export_dir: &Path,
    sizes: &[u64],
    leaf: u64,
    (trust, at): (&Trust, u64),
) -> anyhow::Result<(PathBuf, EarlyProof, u64)> {
    let mirror = dir.join("mirror");
    let copied = logseal::mirror::mirror(
        &logseal::store::FsStore::open(log_dir.join("public"))?,
        &logseal::store::FsStore::open(mirror.join("public"))?,
        trust,
        at,
        &logseal::verify::NoProgress,
    )
    .context("demo: mirroring public/ for the auditor")?
    .copied;
    let day = sizes
        .iter()
        .position(|&s| s > leaf)
        .context("demo: no checkpoint holds the sanction")?;
    let size = sizes[day];
    let store = logseal::store::FsStore::open(mirror.join("public"))?;
    let reader = logseal::log::LogReader::new(&store, TreeHashAlg::Sha256);
    let note = reader
        .published_checkpoint(size)?
        .with_context(|| format!("demo: no published checkpoint of size {size}"))?;
    let record = reader.entry(leaf, size)?;
    let file = ProofFile::Inclusion {
        origin: ORIGIN.to_string(),
        tree_hash: "sha256".into(),
        leaf_index: leaf,
        leaf_hash: hex::encode(TreeHashAlg::Sha256.leaf(&record)),
        record: base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &record),
        proof: reader
            .inclusion_proof(size, leaf)?
            .iter()
            .map(hex::encode)
            .collect(),
        checkpoint: String::from_utf8(note)?,
    };
    let path = export_dir.join(format!("sanction.day{}.inclusion.json", day + 1));
    std::fs::write(&path, serde_json::to_string_pretty(&file)?)?;
    let day = day + 1;
    Ok((
        mirror,
        EarlyProof {
            day,
            size,
            path,
            file,
        },
        copied,
    ))
}

/// Step 10, on a copy of the honest log: private/ restored from day 20's backup, refused,
/// recovered (`logseal recover`), the lost disclosures declared and reported by the auditor.
fn backup_accident(
    dir: &Path,
    honest: &Path,
    keys_dir: &Path,
    trust: &Trust,
    last: u64,
    out: &mut String,
) -> anyhow::Result<PathBuf> {
    let copy = dir.join("accident");
    copy_tree(honest, &copy)?;
    std::fs::remove_dir_all(copy.join("private"))?;
    copy_tree(&dir.join("backup").join("private"), &copy.join("private"))?;
    out.push_str(&format!(
        "\n10. a backup accident, on a copy of the honest log ({}): the operator restores \
         private/ from the day-{BACKUP_DAY} backup ({}); the log refuses to write\n",
        copy.display(),
        dir.join("backup").display()
    ));
    match Log::open(&copy) {
        Err(e @ LogError::PrivateMismatch { .. }) => out.push_str(&format!("   refused: {e}\n")),
        Err(e) => return Err(e.into()),
        Ok(_) => {
            return Err(Invalid("demo: the restored log was not refused".into()).into());
        }
    }
    let key = keys_dir.join(format!("{}.key", scenario::SWEEP));
    let text = super::recover::recover(&copy, Some(&key), last + ACCIDENT_AFTER)?;
    out.push_str(&format!(
        "   `logseal recover {} --executor-key {}`:\n",
        copy.display(),
        key.display()
    ));
    out.push_str(&indent(&text));
    let report = verify_log(&copy, trust, None, last + ACCIDENT_AFTER + 3600, false)?;
    out.push_str("   the auditor verifies the recovered copy:\n");
    out.push_str(&indent(&only(&report, &["retention-disclosure-lost"])));
    expect(&report, &["retention-disclosure-lost"], "the recovered log")?;
    Ok(copy)
}

/// Step 11, on a copy of the honest log: the producers' tail is dropped and the operator
/// signs a checkpoint two days on; the required heartbeats are overdue.
fn dropped_tail(
    dir: &Path,
    honest: &Path,
    trust: &Trust,
    last: u64,
    out: &mut String,
) -> anyhow::Result<PathBuf> {
    let copy = dir.join("silent");
    copy_tree(honest, &copy)?;
    let mut log = Log::open(&copy)?;
    log.checkpoint(last + SILENCE)?;
    drop(log);
    out.push_str(&format!(
        "\n11. a dropped tail, on a copy of the honest log ({}): the operator drops every \
         record the producers send after day 30 and signs a checkpoint two days on; the \
         trust file requires a heartbeat from both subscriber-data producers every 26 h\n",
        copy.display()
    ));
    let report = verify_log(&copy, trust, None, last + SILENCE + 60, false)?;
    out.push_str(&indent(&only(&report, &["heartbeat-overdue"])));
    expect(&report, &["heartbeat-overdue"], "the silent log")?;
    Ok(copy)
}

/// The lines of the condensed report that name one of `codes`.
fn only(report: &Report, codes: &[&str]) -> String {
    condensed(report)
        .lines()
        .filter(|l| codes.iter().any(|c| l.contains(&format!("] {c} "))))
        .map(|l| format!("{}\n", l.trim_start()))
        .collect()
}

/// Print what `out` holds so far (each step as it is done) and empty it.
fn flush(out: &mut String) -> anyhow::Result<()> {
    files::print(out)?;
    out.clear();
    Ok(())
}

/// On a terminal, a progress line on standard error while the days are appended.
fn progress(day: u32, days: usize) {
    use std::io::IsTerminal as _;
    if std::io::stderr().is_terminal() {
        eprint!("\r   day {day}/{days}: appended, swept, checkpointed, verified by the auditor");
    }
}

/// Clear the progress line.
fn progress_done() {
    use std::io::IsTerminal as _;
    if std::io::stderr().is_terminal() {
        eprint!("\r{:78}\r", "");
    }
}

/// What the nightly sweeps did, in total.
#[derive(Default)]
struct Swept {
    items: u64,
    records: usize,
    keys: usize,
    deletions: usize,
}

impl Swept {
    fn add(&mut self, s: &sweep::Swept) {
        if let Some(e) = &s.erasure {
            self.items += e.groups.iter().map(|g| g.erased_count()).sum::<u64>();
            self.records += e.groups.iter().map(|g| g.erased.len()).sum::<usize>();
            self.keys += e.groups.len();
        }
        self.deletions += s.receipts.len();
    }
}

/// Each line of `text`, indented by three spaces.
fn indent(text: &str) -> String {
    text.lines().map(|l| format!("   {l}\n")).collect()
}

/// The report's summary, then one line per finding code: how many, and the first one.
fn condensed(report: &Report) -> String {
    let full = render(report);
    let head = full.split("\ncheck ").next().unwrap_or(&full);
    let mut out = format!("{}\n", head.trim_end());
    let mut seen: Vec<&str> = Vec::new();
    for f in &report.findings {
        if seen.contains(&f.code) {
            continue;
        }
        seen.push(f.code);
        let n = report.findings.iter().filter(|g| g.code == f.code).count();
        let at = match (f.leaf, &f.producer, f.seq) {
            (Some(l), Some(p), Some(s)) => format!(" leaf {l}, {p} seq {s}:"),
            (Some(l), _, _) => format!(" leaf {l}:"),
            _ => String::new(),
        };
        out.push_str(&format!(
            "  [{}] {} ×{n}{at} {}\n",
            f.verdict.name(),
            f.code,
            f.message
        ));
    }
    out
}

/// The demo checks itself: `report` must hold a violation of each of `codes`.
fn expect(report: &Report, codes: &[&str], what: &str) -> anyhow::Result<()> {
    for code in codes {
        let found = report
            .findings
            .iter()
            .any(|f| f.code == *code && f.verdict == Verdict::Violated);
        if !found {
            return Err(Invalid(format!("demo: {what} shows no {code} violation")).into());
        }
    }
    Ok(())
}

/// `name+id` of a verifier key (its key material is in the .pub file).
fn short_vkey(k: &Ed25519NoteKey) -> String {
    let v = k.verifier().to_vkey();
    v.splitn(3, '+').take(2).collect::<Vec<_>>().join("+")
}

/// The subscriber step 12 asks about, and the supervisory case it asks for.
const SUBSCRIBER: &str = "Sjoerd IJzerman";
const CASE_REF: &str = "AP-2026-000417";

/// Step 12's inspection: the command a newcomer runs to repeat it.
struct Inspected {
    /// The `logseal subject` command of step 12.
    command: String,
    /// The on-site statistics over officials (`report --sealed actor.user`).
    report: String,
}

/// Step 12, on the honest log: the registration authority registers the auditor's inspector;
/// the inspector asks who queried the demo's subscriber (`logseal subject`, the function the
/// CLI calls), which appends its own data-access record before it reveals anything.
fn inspection(
    dir: &Path,
    honest: &Path,
    keys_dir: &Path,
    last: u64,
    out: &mut String,
) -> anyhow::Result<Inspected> {
    let key = keys_dir.join(format!("{}.key", scenario::INSPECTOR));
    let mut log = Log::open(honest)?;
    let authority = sweep::SigningKey::load(&keys_dir.join(format!("{AUTHORITY}.key")))?;
    let mut signer = sweep::Signer::new(&log, &authority);
    let public = note_key(scenario::INSPECTOR)?.verifier();
    let reg = signer.sign(
        &log,
        Kind::KeyRegistration,
        "https://register.example/activities/producer-registry",
        Timestamp((last + 600) * 1000),
        serde_json::json!({
            "producer": scenario::INSPECTOR,
            "public_key": hex::encode(public.public_key().as_bytes()),
            "kinds": [Kind::DataAccess.name()],
        }),
    )?;
    let reg = log.append(&[reg]).context("registering the inspector")?;
    drop(log);
    let inspect_dir = dir.join("inspect");
    std::fs::create_dir_all(&inspect_dir)?;
    let value_file = inspect_dir.join("subscriber.txt");
    let case_file = inspect_dir.join("case-ref.txt");
    std::fs::write(&value_file, format!("{SUBSCRIBER}\n"))?;
    std::fs::write(&case_file, format!("{CASE_REF}\n"))?;
    let args = logseal::cli::SubjectArgs {
        dir: honest.to_path_buf(),
        value_file: value_file.clone(),
        field: vec!["subject".into()],
        for_data_subject: false,
        inspector_key: key.clone(),
        purpose: "supervisory-audit".into(),
        legal_basis: "led-art-47".into(),
        case_ref_file: case_file.clone(),
        organisation: "autoriteit-persoonsgegevens".into(),
        json: true,
    };
    // The index notes (its generations built on first use) are the CLI's, on stderr.
    let (json, refused, _notes) = super::subject::inspect(&args, last + 1200)?;
    if refused > 0 {
        return Err(Invalid(format!("demo: the inspection refused {refused} record(s)")).into());
    }
    let doc: serde_json::Value = serde_json::from_str(&json)?;
    out.push_str(&format!(
        "\n12. who queried this subscriber? On the honest log ({}), the registration authority \
         registers the auditor's inspector ({} for data-access records, leaf {}); `logseal \
         subject` finds every record whose sealed `subject` opens to exactly {SUBSCRIBER:?} \
         (other spellings are not found), through the sealed-value index, each hit \
         authenticated against the checkpoint, and logs itself first\n",
        honest.display(),
        scenario::INSPECTOR,
        reg[0].leaf_index,
    ));
    out.push_str(&subject_summary(&doc));
    let command = format!(
        "logseal subject {} --value-file {} --field subject --inspector-key {} --purpose \
         supervisory-audit --legal-basis led-art-47 --case-ref-file {} --organisation \
         autoriteit-persoonsgegevens",
        honest.display(),
        value_file.display(),
        key.display(),
        case_file.display()
    );
    let report = format!(
        "logseal report {} --sealed actor.user --inspector-key {} --purpose supervisory-audit \
         --legal-basis led-art-47 --case-ref-file {} --organisation autoriteit-persoonsgegevens",
        honest.display(),
        key.display(),
        case_file.display()
    );
    Ok(Inspected { command, report })
}

/// The bundles of step 13.
struct Evidence {
    account: PathBuf,
    subscriber: PathBuf,
}

/// Step 13: on a copy of the honest log, the inspector exports on site the account case (its
/// account id matched through the sealed-value index; the hashes disclosed so that the
/// detection recomputes) and the subscriber's case; then the copy is deleted and both
/// bundles are verified offline against the auditor's trust file alone.
#[allow(clippy::too_many_arguments)]
fn evidence(
    dir: &Path,
    honest: &Path,
    keys_dir: &Path,
    trust_path: &Path,
    account: &str,
    last: u64,
    out: &mut String,
) -> anyhow::Result<Evidence> {
    let court = dir.join("court");
    let log = court.join("log");
    copy_tree(honest, &log)?;
    std::fs::write(court.join("account.txt"), format!("{account}\n"))?;
    std::fs::write(court.join("subscriber.txt"), format!("{SUBSCRIBER}\n"))?;
    std::fs::write(court.join("case-ref.txt"), "ECLI-NL-RBAMS-2026-1234\n")?;
    let export = |name: &str, value: &str, field: &str, disclose: &[&str], at: u64| {
        let args = court_export(&log, &court, keys_dir, (name, value, field, disclose));
        super::bundle::export_text(args, at)
    };
    let a = export(
        "account-case.lsb",
        "account.txt",
        "account_id",
        &["account_id", "content_hash", "matched_hash_value"],
        last + 1800,
    )?;
    let b = export(
        "subscriber-case.lsb",
        "subscriber.txt",
        "subject",
        &["subject"],
        last + 2400,
    )?;
    out.push_str(&format!(
        "\n13. evidence bundles for a court: on a copy of the honest log ({}), the inspector \
         exports on site the account case ({account}: the sanction, its appeal and decision, the \
         terms and hash-list publications, the key registrations, and the notifier's chain \
         that proves no statement of reasons was sent) and the subscriber's case; each export \
         is logged first. Then the log copy is deleted and both bundles are verified offline \
         against the auditor's trust file alone\n",
        log.display()
    ));
    for line in a.lines().chain(b.lines()) {
        out.push_str(&format!("   {line}\n"));
    }
    std::fs::remove_dir_all(&log)?;
    let trust = super::verify::read_trust(trust_path)?;
    let (account_bundle, subscriber_bundle) = (
        court.join("account-case.lsb"),
        court.join("subscriber-case.lsb"),
    );
    for path in [&account_bundle, &subscriber_bundle] {
        let bundle = logseal::bundle::Bundle::decode(&std::fs::read(path)?)
            .map_err(|e| Invalid(format!("demo: {}: {e}", path.display())))?;
        let v = logseal::bundle::verify(&bundle, &trust, None);
        if !v.integrity_holds() {
            return Err(Invalid(format!(
                "demo: {} does not verify: {}",
                path.display(),
                super::bundle::last_line(&v)
            ))
            .into());
        }
        out.push_str(&format!(
            "   {}: {}\n",
            path.file_name().unwrap_or_default().to_string_lossy(),
            super::bundle::last_line(&v)
        ));
    }
    Ok(Evidence {
        account: account_bundle,
        subscriber: subscriber_bundle,
    })
}

/// The court's export (steps 13 and 14) from the log `log`: bundle `court/NAME`, records
/// whose sealed `field` holds the value in `court/VALUE`, `disclose` disclosed, by the
/// auditor's inspector under the case reference in `court/case-ref.txt`.
pub(super) fn court_export(
    log: &Path,
    court: &Path,
    keys_dir: &Path,
    (name, value, field, disclose): (&str, &str, &str, &[&str]),
) -> logseal::cli::ExportArgs {
    logseal::cli::ExportArgs {
        dir: log.to_path_buf(),
        out: court.join(name),
        match_file: Some(court.join(value)),
        field: vec![field.into()],
        leaf: vec![],
        kind: None,
        producer: None,
        since: None,
        until: None,
        disclose: disclose.iter().map(|d| d.to_string()).collect(),
        max_chain: 10_000,
        max_logging_delay: 86_400,
        inspector_key: keys_dir.join(format!("{}.key", scenario::INSPECTOR)),
        purpose: "court-order".into(),
        legal_basis: "dsa-art-54".into(),
        case_ref_file: court.join("case-ref.txt"),
        organisation: "rechtbank-amsterdam".into(),
        from_checkpoint: None,
        trust: None,
    }
}

/// Step 12's summary of a `subject --json` report: the queries found, by official, and
/// where the inspection itself was logged.
fn subject_summary(doc: &serde_json::Value) -> String {
    let records = doc["records"].as_array().cloned().unwrap_or_default();
    let queries: Vec<&serde_json::Value> = records
        .iter()
        .filter(|r| r["producer"] == "query-frontend")
        .collect();
    let mut officials: BTreeMap<String, u64> = BTreeMap::new();
    for q in &queries {
        let who = q["disclosures"]["actor.user"].as_str().unwrap_or("?");
        *officials.entry(who.to_string()).or_default() += 1;
    }
    let mut busiest: Vec<(&String, &u64)> = officials.iter().collect();
    busiest.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let mut s = format!(
        "   {} record(s) found: {} queries by {} officials (most: {})\n",
        records.len(),
        queries.len(),
        officials.len(),
        busiest
            .iter()
            .take(3)
            .map(|(o, n)| format!("{o} ×{n}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    for q in queries.iter().take(3) {
        s.push_str(&format!(
            "   leaf {:>5}  {}  {}  {}\n",
            q["leaf"],
            q["occurred_at"].as_str().unwrap_or(""),
            q["disclosures"]["actor.user"].as_str().unwrap_or("?"),
            q["summary"].as_str().unwrap_or(""),
        ));
    }
    if queries.len() > 3 {
        s.push_str(&format!("   … and {} more\n", queries.len() - 3));
    }
    s.push_str(&format!(
        "   {}\n",
        super::reveal::logged_line(&doc["access_logged"])
    ));
    s
}

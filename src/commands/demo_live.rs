//! Step 14 of `logseal demo`: day 31, live. A copy of the honest log is served on loopback
//! (`logseal serve`, in this process) with two witnesses (`logseal witness serve`, also in
//! this process) and a witness policy of quorum 2; the producers send day 31's records
//! through the append endpoint; the log's checkpoint is cosigned by both witnesses; the
//! auditor's monitor (`logseal watch`, one round at a time) verifies it against a trust file
//! that requires both witnesses; then the operator rewrites the served log, the witnesses
//! refuse to cosign the rewritten checkpoint, and the monitor's next round catches it and
//! keeps both checkpoints as evidence. Servers, witnesses and monitor run on the scenario's
//! clock (day 31 of 2026-03), not this machine's.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use logseal::cli::{ServeArgs, WatchArgs, WitnessServeArgs};
use logseal::client::Client;
use logseal::note::Ed25519NoteKey;
use logseal::scenario::{self, SignedDay};
use logseal::verify::{Trust, TrustFile};

use super::log::{WITNESS_TIMEOUT, now_secs, run_on_scenario_clock};
use super::watch::Round;
use super::{Invalid, files, keygen, serve, witness_serve};

/// The two witnesses of step 14 (their keys derive from the scenario's seed, like every
/// other demo key).
pub(super) const WITNESSES: [&str; 2] = ["witness-a.example", "witness-b.example"];

/// What step 14 leaves for the Explore lines.
pub(super) struct Live {
    /// The served log (rewritten by the operator at the end of the step).
    pub log: PathBuf,
    /// The trust file requiring both witnesses.
    pub trust: PathBuf,
    /// The alert's evidence directory.
    pub evidence: PathBuf,
    /// The evidence bundle exported from the served log, with the witnesses' cosignatures.
    pub bundle: PathBuf,
    /// A time after the rewrite (seconds), for `verify --at`.
    pub after: u64,
}

/// Run step 14 on a copy of `honest`: `day` is day 31 of the scenario (signed, not yet
/// appended); `trust_file` is the auditor's trust file without witnesses, `heartbeats` its
/// heartbeat requirements; `seed_state` the auditor's state after it verified day 30.
#[allow(clippy::too_many_arguments)]
pub(super) fn live(
    dir: &Path,
    honest: &Path,
    keys_dir: &Path,
    trust_file: &TrustFile,
    heartbeats: &BTreeMap<String, u64>,
    seed_state: &Path,
    day: &SignedDay,
    out: &mut String,
) -> anyhow::Result<Live> {
    let live = dir.join("live");
    super::demo::copy_tree(honest, &live)?;
    // The servers, the witnesses and the monitor read the clock: the scenario's, at the end
    // of day 31 (every record of the day lies before it).
    run_on_scenario_clock(day.checkpoint_at);

    // Two witnesses, each with its own key and state.
    let mut policy = Vec::new();
    let mut vkeys = Vec::new();
    let mut witnesses = Vec::new();
    for name in WITNESSES {
        let key = Ed25519NoteKey::new(name, scenario::secret_key(name))?;
        let (secret, _) = keygen::write_key_pair(&key, &keys_dir.join(name))?;
        let vkey = super::witness::cosigner_vkey(&key)?;
        let w = witness_serve::start_in_background(WitnessServeArgs {
            key: secret,
            state: dir.join("witnesses").join(name),
            log_key: vec![keys_dir.join("log.pub")],
            listen: loopback(),
        })
        .with_context(|| format!("demo: starting the witness {name}"))?;
        policy.push(serde_json::json!({"url": w.url, "vkey": vkey}));
        vkeys.push(vkey);
        witnesses.push(w);
    }
    let policy_path = dir.join("live-witnesses.json");
    std::fs::write(
        &policy_path,
        serde_json::to_string_pretty(&serde_json::json!({"witnesses": policy, "quorum": 2}))?,
    )?;
    // The auditor now requires both witnesses' cosignatures. The monitor reads the log over
    // HTTP, without the private part: it does not require check 7.
    // The log had no witnesses before today: its checkpoints up to today's first size are
    // not held to the quorum (each a notice); every later one is.
    let before = logseal::log::Log::open_read_only(&live)?.size();
    let trust = Trust::new(TrustFile {
        witnesses: vkeys,
        witness_quorum: 2,
        witnessed_after_size: Some(before),
        ..trust_file.clone()
    })?
    .require_heartbeats(heartbeats.clone())?;
    let trust_path = dir.join("auditor").join("trust-witnessed.json");
    files::create_new(&trust_path, &trust.to_json(), 0o644)?;

    let server = serve::start_in_background(ServeArgs {
        dir: live.clone(),
        listen: loopback(),
        // Checkpoints on demand only, so the output is the same on every run.
        checkpoint_interval: Duration::from_secs(24 * 3600),
        max_body: 1 << 20,
        max_concurrent: 256,
        rate: None,
        witnesses: Some(policy_path.clone()),
        tsa: None,
        tsa_cert: None,
    })
    .context("demo: starting the server")?;
    let client = Client::new(&server.url, WITNESS_TIMEOUT);
    out.push_str(&format!(
        "\n14. day 31, live: a copy of the honest log ({}) is served on loopback (`logseal serve \
         {} --witnesses {}`, at {}), with two witnesses ({} and {}, `logseal witness serve`: \
         each keeps its own state in {}); the auditor's trust file {} now requires both \
         (quorum 2) on every checkpoint after size {before}, the log's size when they \
         started\n",
        live.display(),
        live.display(),
        policy_path.display(),
        server.url,
        WITNESSES[0],
        WITNESSES[1],
        dir.join("witnesses").display(),
        trust_path.display(),
    ));

    // The producers send the day's records through POST /add as they happen, in the day's
    // order (a notification names its sanction, so it is sent after the sanction is logged);
    // each answer is the receipt, given once the record is durable.
    let mut acknowledged: Vec<(u64, &scenario::Signed)> = Vec::new();
    for s in &day.records {
        let r = client.add(&s.item).map_err(|e| {
            anyhow::anyhow!(
                "demo: {} seq {} was not acknowledged: {e}",
                s.producer,
                s.seq
            )
        })?;
        acknowledged.push((r.leaf_index, s));
    }
    let producers: std::collections::BTreeSet<&str> =
        day.records.iter().map(|s| s.producer).collect();
    let (first, last) = (
        acknowledged.first().map_or(0, |a| a.0),
        acknowledged.last().map_or(0, |a| a.0),
    );
    out.push_str(&format!(
        "   {} producers send day 31's {} records through POST /add as they happen; every one \
         is acknowledged with its leaf (leaves {first} to {last}) once it is durable\n",
        producers.len(),
        acknowledged.len(),
    ));

    // The checkpoint, on demand: the server asks both witnesses before it publishes.
    let note = client
        .publish_checkpoint()
        .context("demo: POST /checkpoint")?;
    out.push_str(
        "   POST /checkpoint: the log signs, both witnesses check the consistency proof from \
         what they saw before and cosign with their own time:\n",
    );
    for line in String::from_utf8_lossy(&note).lines() {
        out.push_str(&format!("   │ {line}\n"));
    }

    // The auditor's monitor: it starts from the state of its last full verification (day
    // 30) and verifies only what is new, over HTTP.
    let monitor = dir.join("monitor");
    super::demo::copy_tree(seed_state, &monitor)?;
    let watch = WatchArgs {
        url: server.url.clone(),
        trust: trust_path.clone(),
        state: monitor.clone(),
        interval: Duration::from_secs(60),
        hook: None,
        hook_args: Vec::new(),
        once: true,
    };
    match super::watch::round(&watch, &trust)? {
        Round::Clean(line) => out.push_str(&format!(
            "   the auditor's monitor (`logseal watch {} --trust {} --state {}`), first round: \
             {line}",
            server.url,
            trust_path.display(),
            monitor.display()
        )),
        Round::Alert(why) => {
            return Err(Invalid(format!(
                "demo: the monitor alerted on the honest log: {why}"
            ))
            .into());
        }
    }
    // A court's evidence bundle from the served log: the inspector's export is logged
    // through the server (its access record by POST /add, then a checkpoint the witnesses
    // cosign), and the bundle carries that checkpoint with both cosignatures.
    let bundle = witnessed_bundle(dir, &live, keys_dir, &trust)?;
    out.push_str(&format!(
        "   the inspector exports the account case again, from the served log: `logseal \
         export {} …` finds the log held by the server (DIR/private/serving), logs the export \
         through it and waits for a witnessed checkpoint over that record; `logseal bundle \
         verify {} --trust {}`:\n   {}\n   its newest checkpoint (size {}) is cosigned by {}\n",
        live.display(),
        bundle.path.display(),
        trust_path.display(),
        bundle.verdict,
        bundle.size,
        bundle.witnesses.join(" and "),
    ));
    files::print(out)?;
    out.clear();

    // The operator removes one of the day's queries from the served files and signs a new
    // checkpoint; the witnesses will not cosign it.
    let (dropped, record) = acknowledged
        .iter()
        .find(|(_, s)| {
            s.kind == logseal::record::Kind::DataAccess && s.producer == "query-frontend"
        })
        .copied()
        .context("demo: day 31 has a query")?;
    let public = logseal::store::FsStore::open(live.join("public"))?;
    let rewritten = scenario::dishonest_rewrite(&public, dropped, now_secs() + 60)?;
    out.push_str(&format!(
        "   the operator deletes leaf {dropped} ({} seq {}, a query of the day) from the \
         served files, rebuilds the tree and signs a checkpoint; asked to cosign it:\n",
        record.producer, record.seq
    ));
    let policy = super::log::read_witness_policy(&policy_path)?;
    let mut sizes: BTreeMap<String, u64> = policy
        .witnesses
        .iter()
        .map(|w| (w.url.clone(), bundle.size))
        .collect();
    let (sigs, outcomes) = logseal::client::collect_cosignatures(
        &policy,
        &rewritten,
        // The operator has no consistency proof from the size the witnesses hold.
        &|_| Some(Vec::new()),
        &mut sizes,
        WITNESS_TIMEOUT,
    );
    if !sigs.is_empty() {
        return Err(Invalid("demo: a witness cosigned the rewritten checkpoint".into()).into());
    }
    for line in super::log::witness_summary(&policy, &outcomes).lines() {
        out.push_str(&format!("   │ {line}\n"));
    }

    // The monitor's next round.
    let evidence = match super::watch::round(&watch, &trust)? {
        Round::Alert(why) => {
            out.push_str(&format!(
                "   the monitor's next round alerts (exit status 1, a line per violation on \
                 standard error, and a hook program when one is given): {why}\n"
            ));
            why.rsplit("evidence in ")
                .next()
                .map(PathBuf::from)
                .context("demo: the alert names its evidence")?
        }
        Round::Clean(line) => {
            return Err(Invalid(format!("demo: the monitor missed the rewrite: {line}")).into());
        }
    };
    let mut kept: Vec<String> = std::fs::read_dir(&evidence)?
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    kept.sort();
    out.push_str(&format!(
        "   evidence kept: {} ({}): the witnessed checkpoint it had verified and the one \
         served now; no operator can show both as one history\n",
        evidence.display(),
        kept.join(", ")
    ));
    server.stop().context("demo: stopping the server")?;
    drop(witnesses);
    Ok(Live {
        log: live,
        trust: trust_path,
        evidence,
        bundle: bundle.path,
        after: now_secs() + 3600,
    })
}

fn loopback() -> std::net::SocketAddr {
    std::net::SocketAddr::from(([127, 0, 0, 1], 0))
}

/// The bundle exported from the served log, as verified against the witnessed trust file.
struct Witnessed {
    path: PathBuf,
    verdict: String,
    /// The size of its newest checkpoint.
    size: u64,
    /// The pinned witnesses that cosigned that checkpoint.
    witnesses: Vec<String>,
}

/// Export the account case of step 13 from the served log `live` (the export is logged
/// through the server), and verify the bundle against `trust` (quorum 2).
fn witnessed_bundle(
    dir: &Path,
    live: &Path,
    keys_dir: &Path,
    trust: &Trust,
) -> anyhow::Result<Witnessed> {
    let court = dir.join("court");
    let path = court.join("account-case-witnessed.lsb");
    let args = super::demo::court_export(
        live,
        &court,
        keys_dir,
        (
            "account-case-witnessed.lsb",
            "account.txt",
            "account_id",
            &["account_id", "content_hash", "matched_hash_value"],
        ),
    );
    super::bundle::export_text(args, now_secs())
        .context("demo: exporting the account case from the served log")?;
    let bundle = logseal::bundle::Bundle::decode(&std::fs::read(&path)?)
        .map_err(|e| Invalid(format!("demo: {}: {e}", path.display())))?;
    let v = logseal::bundle::verify(&bundle, trust, None);
    let verdict = super::bundle::last_line(&v);
    if !v.integrity_holds() {
        return Err(Invalid(format!(
            "demo: {} does not verify: {verdict}",
            path.display()
        ))
        .into());
    }
    let newest = v.newest();
    let witnesses: Vec<String> = newest.witnesses.iter().map(|(n, _)| n.clone()).collect();
    if witnesses.len() < 2 {
        return Err(Invalid(format!(
            "demo: {}: its newest checkpoint is cosigned by {witnesses:?}, not both witnesses",
            path.display()
        ))
        .into());
    }
    Ok(Witnessed {
        path,
        verdict,
        size: newest.size,
        witnesses,
    })
}

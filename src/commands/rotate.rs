//! `logseal rotate-log-key`: a thin layer over [`Log::rotate_log_key`].

use anyhow::Context;
use logseal::cli::RotateLogKeyArgs;
use logseal::log::Log;
use logseal::note::NoteVerifier;

use super::log::now_secs;
use super::record::read_signer;
use super::{Invalid, files};

pub fn run(args: RotateLogKeyArgs) -> anyhow::Result<()> {
    let key = read_signer(&args.new_key)?;
    let mut log = Log::open(&args.dir)
        .with_context(|| format!("cannot open the log {}", args.dir.display()))?;
    if key.verifier().name() != log.origin() {
        return Err(Invalid(format!(
            "{}: the new key is named {:?}, but a log key must be named after the origin {:?} \
             (create it with `logseal keygen --name {}`)",
            args.new_key.display(),
            key.verifier().name(),
            log.origin(),
            log.origin()
        ))
        .into());
    }
    let note = log.rotate_log_key(&key, now_secs())?;
    let history = log.log_key_history()?;
    let out = serde_json::json!({
        "rotation_size": log.size(),
        "rotation_checkpoint": String::from_utf8_lossy(&note),
        "log_key_history": history,
    });
    files::print(&format!("{}\n", serde_json::to_string_pretty(&out)?))
}

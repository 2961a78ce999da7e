//! What the read-layer benchmarks share: the synthetic log they read, and the operator's
//! anchors it is opened with.

use std::path::{Path, PathBuf};

use logseal::inspect::Anchors;
use logseal::log::Log;
use logseal::note::Ed25519NoteVerifier;
use logseal::tree::TreeHashAlg;

/// A synthetic log of `records` records (`DIR/log`) under the target directory's `name`,
/// written by `xtask synth-log` when missing, or when the xtask binary changed since.
pub fn synth_log(name: &str, records: u64) -> PathBuf {
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let xtask = Path::new(env!("CARGO_BIN_EXE_xtask"));
    let meta = std::fs::metadata(xtask).expect("the xtask binary");
    let stamp = format!("{records} {} {:?}", meta.len(), meta.modified().ok());
    let stamp_file = root.join("stamp");
    if std::fs::read_to_string(&stamp_file).ok().as_deref() != Some(stamp.as_str()) {
        let _ = std::fs::remove_dir_all(&root);
        let status = std::process::Command::new(xtask)
            .args(["synth-log", root.to_str().expect("UTF-8 path")])
            .args(["--records", &records.to_string()])
            .status()
            .expect("run xtask synth-log");
        assert!(status.success(), "xtask synth-log failed");
        std::fs::write(&stamp_file, stamp).expect("write the stamp");
    }
    root.join("log")
}

/// The operator's anchors, as the read commands open a log without --trust.
pub fn anchors(log: &Log) -> Anchors {
    let cfg = log.config();
    let authority = Ed25519NoteVerifier::from_vkey(&cfg.authority_key).expect("authority key");
    Anchors::operator(
        &cfg.origin,
        TreeHashAlg::parse(&cfg.tree_hash).expect("tree hash"),
        log.log_verifier(),
        *authority.public_key(),
    )
}

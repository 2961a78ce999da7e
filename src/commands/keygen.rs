//! `logseal keygen`: a fresh Ed25519 key pair as signed-note key strings (`crate::note`).
//! PREFIX.key holds the secret (mode 0600 from creation, never printed); PREFIX.pub the
//! verifier key. Neither file is ever overwritten.

use std::path::{Path, PathBuf};

use logseal::cli::KeygenArgs;
use logseal::note::Ed25519NoteKey;

use super::files;

pub fn run(args: KeygenArgs) -> anyhow::Result<()> {
    let key = Ed25519NoteKey::generate(&args.name, &mut rand_core::OsRng)?;
    let (secret, public) = write_key_pair(&key, &args.out)?;
    files::print(&format!(
        "{}\nsecret key: {}\npublic key: {}\n",
        key.verifier().to_vkey(),
        secret.display(),
        public.display()
    ))
}

/// Write PREFIX.key (mode 0600) and PREFIX.pub; refuses if either exists. Returns both paths.
pub fn write_key_pair(key: &Ed25519NoteKey, prefix: &Path) -> anyhow::Result<(PathBuf, PathBuf)> {
    let secret = files::with_suffix(prefix, "key");
    let public = files::with_suffix(prefix, "pub");
    files::ensure_absent(&[&secret, &public])?;
    files::create_new(&secret, format!("{}\n", key.to_skey()).as_bytes(), 0o600)?;
    if let Err(e) = files::create_new(
        &public,
        format!("{}\n", key.verifier().to_vkey()).as_bytes(),
        0o644,
    ) {
        // We created the secret file a moment ago; do not leave half a key pair behind.
        let _ = std::fs::remove_file(&secret);
        return Err(e);
    }
    Ok((secret, public))
}

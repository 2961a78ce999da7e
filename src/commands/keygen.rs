//! `logseal keygen`: a fresh Ed25519 key pair as signed-note key strings (`crate::note`).
//! PREFIX.key holds the secret (mode 0600 from creation, never printed); PREFIX.pub the
//! verifier key. Neither file is ever overwritten. Prints the public key in every form an
//! input takes: the verifier key (trust file `log_key`, `registration_authority`; `init
//! --authority`), the raw public key in hex (a key-registration's or key-revocation's
//! `public_key`) and the cosigner key (trust file `witnesses`, for a witness's key).

use std::path::{Path, PathBuf};

use logseal::checkpoint::CosignatureVerifier;
use logseal::cli::KeygenArgs;
use logseal::note::{Ed25519NoteKey, NoteVerifier};

use super::files;

pub fn run(args: KeygenArgs) -> anyhow::Result<()> {
    let key = Ed25519NoteKey::generate(&args.name, &mut rand_core::OsRng)?;
    let cosigner = CosignatureVerifier::new(key.verifier().name(), key.secret_key().public_key())?;
    let (secret, public) = write_key_pair(&key, &args.out)?;
    files::print(&format!(
        "{}\nsecret key: {}\npublic key: {}\n\
         raw public key (hex; a key-registration's or key-revocation's public_key): {}\n\
         cosigner key (a trust file's witnesses, when this is a witness's key): {}\n",
        key.verifier().to_vkey(),
        secret.display(),
        public.display(),
        hex::encode(key.verifier().public_key().as_bytes()),
        cosigner.to_vkey(),
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

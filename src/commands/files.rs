//! File helpers of the binary: reading inputs with the file named in every error, and creating
//! outputs that never overwrite anything (`create_new`), with the mode set at creation.

use std::ffi::OsString;
use std::io::{Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use anyhow::Context;

/// `PREFIX.ext` (the prefix may already contain dots; nothing is replaced).
pub fn with_suffix(prefix: &Path, ext: &str) -> PathBuf {
    let mut s: OsString = prefix.as_os_str().to_owned();
    s.push(".");
    s.push(ext);
    PathBuf::from(s)
}

/// Read a whole file.
pub fn read(path: &Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))
}

/// Read a file, or standard input when `path` is `None`; returns the bytes and a name for
/// messages.
pub fn read_input(path: Option<&Path>) -> anyhow::Result<(Vec<u8>, String)> {
    match path {
        Some(p) => Ok((read(p)?, p.display().to_string())),
        None => {
            let mut buf = Vec::new();
            std::io::stdin()
                .read_to_end(&mut buf)
                .context("cannot read standard input")?;
            Ok((buf, "standard input".into()))
        }
    }
}

/// Read a one-line key file (the line, without its line ending).
pub fn read_key_line(path: &Path) -> anyhow::Result<String> {
    let bytes = read(path)?;
    let text = String::from_utf8(bytes)
        .map_err(|_| anyhow::anyhow!("{}: not a key file (not UTF-8 text)", path.display()))?;
    Ok(text.trim_end_matches(['\n', '\r']).to_string())
}

/// Refuse early if any of `paths` exists, naming it.
pub fn ensure_absent(paths: &[&Path]) -> anyhow::Result<()> {
    for p in paths {
        if p.symlink_metadata().is_ok() {
            anyhow::bail!("{} already exists; refusing to overwrite it", p.display());
        }
    }
    Ok(())
}

/// Create `path` (which must not exist) with `mode`, write `bytes` and sync.
pub fn create_new(path: &Path, bytes: &[u8], mode: u32) -> anyhow::Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                anyhow::anyhow!(
                    "{} already exists; refusing to overwrite it",
                    path.display()
                )
            } else {
                anyhow::Error::new(e).context(format!("cannot create {}", path.display()))
            }
        })?;
    f.write_all(bytes)
        .and_then(|()| f.sync_all())
        .with_context(|| format!("cannot write {}", path.display()))
}

/// Write text to standard output in one go. A closed pipe (`logseal verify | head -1`) is
/// not an error: the reader has what it wanted, and the exit status stays the command's.
pub fn print(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => r.context("cannot write to standard output"),
    }
}

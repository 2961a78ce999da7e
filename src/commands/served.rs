//! Where a running `logseal serve` can be reached, for the writers that must go through it
//! while it holds the log's sequencer lock (logged reveals, retention sweeps; docs/SERVE.md,
//! "Writing while served").
//!
//! The server writes its URL to `DIR/private/serving` once it listens, and removes the file
//! when it stops. A writer that finds the lock held reads the file, and takes the server for
//! this log's sequencer only if the checkpoint it serves is signed by this log's key under
//! this log's origin and is not behind the checkpoint the directory holds. A file left by a
//! server that was killed names a server that no longer answers: the writer then fails (and
//! reveals or erases nothing); the next `serve` replaces the file.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context as _, bail};
use logseal::client::Client;
use logseal::log::Log;
use logseal::note::NoteVerifier;

/// The file's name in `DIR/private`.
pub(crate) const FILE: &str = "serving";

/// How long a writer waits for one answer of the server (a sweep's commit walks the log).
pub(crate) const TIMEOUT: Duration = Duration::from_secs(600);

/// How long a writer waits for the server's checkpoint before taking it for gone.
const PROBE_TIMEOUT: Duration = Duration::from_secs(10);

fn path(dir: &Path) -> PathBuf {
    dir.join("private").join(FILE)
}

/// The server's URL as a writer on this machine reaches it: an unspecified listen address
/// (`0.0.0.0`, `::`) is reached on loopback.
pub(crate) fn url_of(bound: SocketAddr) -> String {
    let ip = match bound.ip() {
        std::net::IpAddr::V4(ip) if ip.is_unspecified() => std::net::Ipv4Addr::LOCALHOST.into(),
        std::net::IpAddr::V6(ip) if ip.is_unspecified() => std::net::Ipv6Addr::LOCALHOST.into(),
        ip => ip,
    };
    format!("http://{}", SocketAddr::new(ip, bound.port()))
}

/// `DIR/private/serving` while it lives: written (atomically) when made, removed when
/// dropped.
pub(crate) struct Advert {
    path: PathBuf,
}

/// Say where the server of `dir` listens.
pub(crate) fn advertise(dir: &Path, bound: SocketAddr) -> anyhow::Result<Advert> {
    let path = path(dir);
    let tmp = dir.join("private").join(format!(".{FILE}.tmp"));
    let write = || -> std::io::Result<()> {
        std::fs::write(&tmp, format!("{}\n", url_of(bound)))?;
        std::fs::rename(&tmp, &path)
    };
    write().with_context(|| format!("cannot write {}", path.display()))?;
    Ok(Advert { path })
}

impl Drop for Advert {
    fn drop(&mut self) {
        if let Err(e) = std::fs::remove_file(&self.path)
            && e.kind() != std::io::ErrorKind::NotFound
        {
            eprintln!("logseal serve: cannot remove {}: {e}", self.path.display());
        }
    }
}

/// The URL `DIR/private/serving` names, if the file is there.
pub(crate) fn advertised(dir: &Path) -> anyhow::Result<Option<String>> {
    let path = path(dir);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    let url = text.trim_end_matches('\n');
    if !url.starts_with("http://") || url.contains(char::is_whitespace) || url.len() > 256 {
        bail!(
            "{}: not a server URL ({url:?}); it is written by `logseal serve`",
            path.display()
        );
    }
    Ok(Some(url.to_string()))
}

/// A client of the server `dir/private/serving` names, once it has shown that it serves this
/// log (`log`, opened read-only): its checkpoint is signed by the log's key and not behind the
/// one the directory holds. Errors name the file and the server.
pub(crate) fn connect(dir: &Path, log: &Log) -> anyhow::Result<Client> {
    let Some(url) = advertised(dir)? else {
        bail!(
            "no {} says where a server of this log listens: the lock is held by another \
             writer (not `logseal serve`)",
            path(dir).display()
        );
    };
    let note = Client::new(&url, PROBE_TIMEOUT)
        .checkpoint()
        .with_context(|| {
            format!(
                "the server {url} named by {} does not answer (a server that stopped without \
             removing it?)",
                path(dir).display()
            )
        })?;
    let n = logseal::note::parse_note(&note)
        .with_context(|| format!("{url}: the checkpoint served does not parse"))?;
    let verifier: &dyn NoteVerifier = log.log_verifier();
    logseal::note::verify_note(&n, &[verifier]).with_context(|| {
        format!(
            "{url}: the checkpoint served is not signed by this log's key: not the server of {}",
            dir.display()
        )
    })?;
    let served = logseal::checkpoint::Checkpoint::parse(&n.text)
        .with_context(|| format!("{url}: the checkpoint served does not parse"))?;
    if served.origin != log.origin() {
        bail!(
            "{url}: serves the log {:?}, not {:?} ({})",
            served.origin,
            log.origin(),
            dir.display()
        );
    }
    if let Some(held) = log.reader().checkpoint()? {
        let held = logseal::checkpoint::Checkpoint::parse(&logseal::note::parse_note(&held)?.text)?;
        if served.size < held.size {
            bail!(
                "{url}: serves a checkpoint of size {}, behind the {} the directory holds: \
                 not the server of {}",
                served.size,
                held.size,
                dir.display()
            );
        }
    }
    Ok(Client::new(&url, TIMEOUT))
}

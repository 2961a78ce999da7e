//! `logseal mirror SRC DST`: copy a log's public part between a directory and a bucket (or
//! from a served log), verifying it as it goes ([`logseal::mirror`]).

use std::io::IsTerminal;
use std::path::Path;

use anyhow::{Context, bail};
use logseal::mirror::{self, MirrorError};
use logseal::record::types::Timestamp;
use logseal::store::{FsStore, ObjectStore};

use super::Invalid;
use super::log::now_secs;
use super::verify::{Bar, open_remote, read_trust, remote_url};
use logseal::cli::MirrorArgs;

/// The store of a mirror's end: a location's public part.
fn open_end(location: &Path, writing: bool) -> anyhow::Result<Box<dyn ObjectStore>> {
    if let Some(url) = remote_url(location) {
        if !writing {
            return open_remote(url);
        }
        if !logseal::store::s3::is_s3_url(url) {
            bail!("{url}: a mirror writes to a directory or an s3:// bucket, not over HTTP");
        }
        // Never through the local cache: what is compared must be what the bucket holds.
        return Ok(Box::new(logseal::store::S3Store::from_url(url)?));
    }
    if location.join("private").exists() {
        if writing {
            bail!(
                "{}: a log directory (it has private/): a mirror writes only to a public copy \
                 or a bucket, never into a log its sequencer writes",
                location.display()
            );
        }
        // A log directory: its public part wherever its config puts it.
        return Ok(logseal::log::public_store(location)?);
    }
    let public = location.join("public");
    if !writing && !public.is_dir() {
        bail!(
            "{}: no public part (expected {}): not a log directory, or truncated",
            location.display(),
            public.display()
        );
    }
    Ok(Box::new(FsStore::open(&public).with_context(|| {
        format!("opening {}", public.display())
    })?))
}

pub fn run(args: MirrorArgs) -> anyhow::Result<()> {
    let trust = read_trust(&args.trust)?;
    let at_secs = match &args.at {
        Some(s) => {
            Timestamp::parse_rfc3339(s)
                .map_err(|e| anyhow::anyhow!("--at {s:?}: {e}"))?
                .0
                .millis()
                / 1000
        }
        None => now_secs(),
    };
    if args.private.is_some()
        && (remote_url(&args.src).is_some()
            || !args.src.join("private").join("config.json").is_file())
    {
        bail!(
            "{}: --private copies the private part of a log directory; SRC is not one",
            args.src.display()
        );
    }
    let src = open_end(&args.src, false)?;
    let dst = open_end(&args.dst, true)?;
    let bar = (args.progress && std::io::stderr().is_terminal()).then(|| {
        Bar(indicatif::ProgressBar::new(0).with_style(
            indicatif::ProgressStyle::with_template(
                "mirroring {bar:40} {pos}/{len} records ({per_sec}, {eta})",
            )
            .expect("valid template"),
        ))
    });
    let progress: &dyn logseal::verify::Progress = match &bar {
        Some(b) => b,
        None => &logseal::verify::NoProgress,
    };
    let result = mirror::mirror(src.as_ref(), dst.as_ref(), &trust, at_secs, progress);
    if let Some(b) = &bar {
        b.0.finish_and_clear();
    }
    let (s, d) = (args.src.display(), args.dst.display());
    match result {
        Ok(m) => {
            let from = match m.previous {
                Some(p) if p == m.size => format!("already at {p} records; "),
                Some(p) => format!("{p} → {} records; ", m.size),
                None => format!("{} records; ", m.size),
            };
            println!(
                "mirrored {s} to {d}: {from}{} object(s) copied ({} bytes), {} already present",
                m.copied, m.bytes, m.present
            );
            if m.content_violations > 0 {
                println!(
                    "note: the verifier found {} violation(s) of checks 3-8 in what the records \
                     say; they are copied as they are (`logseal verify` lists them)",
                    m.content_violations
                );
            }
            for p in &m.unlisted {
                println!(
                    "note: {s} cannot list {p}/: objects there the verifier did not read were not copied"
                );
            }
            match &args.private {
                Some(to) => copy_private(&args, to, dst.as_ref(), &trust, (m.size, m.root)),
                None => Ok(()),
            }
        }
        Err(MirrorError::SourceFails(why, outcome)) => {
            eprint!("{}", super::verify::render(&outcome.report));
            Err(Invalid(format!("{s} does not verify ({why}); {d} is unchanged")).into())
        }
        Err(
            e @ (MirrorError::Differs(_)
            | MirrorError::Destination(..)
            | MirrorError::TwoVersions(_)
            | MirrorError::NotAPrefix(..)),
        ) => Err(Invalid(format!("{e}; {d}'s checkpoint is unchanged")).into()),
        Err(e) => Err(anyhow::Error::new(e).context(format!("mirroring {s} to {d}"))),
    }
}

/// `--private PRIV`: the private part of the log directory SRC, after its public part was
/// mirrored and verified at `size` ([`logseal::mirror_private`]).
fn copy_private(
    args: &MirrorArgs,
    to: &Path,
    public: &dyn ObjectStore,
    trust: &logseal::verify::Trust,
    checkpoint: (u64, logseal::tree::Hash),
) -> anyhow::Result<()> {
    check_private_destination(args, to)?;
    // No batch or erasure of SRC's own sequencer while its private part is read (the copy
    // checks afterwards that nothing changed, for sequencers elsewhere).
    let _lock = logseal::store::SequencerLock::acquire(&args.src.join("private")).map_err(|e| {
        Invalid(format!(
            "{e}: the private part is copied while no sequencer writes it (stop `serve`, or \
             mirror when the log is idle); the public part was mirrored"
        ))
    })?;
    let src = logseal::log::private_store(&args.src)?;
    let dst: Box<dyn ObjectStore> = match to.to_str().filter(|t| logseal::store::s3::is_s3_url(t)) {
        Some(url) => Box::new(logseal::store::S3Store::for_private_part(url)?),
        None => {
            if to.join("config.json").exists() || to.join("private").exists() {
                bail!(
                    "{}: a log directory's private part (or a log directory): --private writes \
                     only to an empty directory or a previous copy",
                    to.display()
                );
            }
            Box::new(FsStore::open(to).with_context(|| format!("opening {}", to.display()))?)
        }
    };
    let alg = logseal::log::origin_alg(trust.origin());
    let copied = logseal::mirror_private::mirror_private(
        src.as_ref(),
        public,
        alg,
        checkpoint,
        dst.as_ref(),
    )
    .map_err(|e| Invalid(format!("{e}; the private part was not (wholly) copied")))?;
    println!(
        "private part of {} to {}: state at {} records; {} object(s) copied, {} already \
         present, {} no longer in the source removed",
        args.src.display(),
        to.display(),
        copied.size,
        copied.copied,
        copied.present,
        copied.removed
    );
    if !copied.destroyed.is_empty() {
        println!(
            "not copied: {} data key(s) that published retention-deletions say were destroyed \
             (a mirror never un-erases), and the sealed objects under them: {}",
            copied.destroyed.len(),
            copied.destroyed.join(", ")
        );
    }
    if copied.without_key > 0 {
        println!(
            "not copied: {} sealed object(s) whose data key is not copied",
            copied.without_key
        );
    }
    Ok(())
}

/// PRIV must be neither inside nor around SRC or DST (a public part is served as it is, and
/// a copy inside the live private part would be read as part of it), nor the same bucket
/// prefix as DST or SRC's public part, or nested with it.
fn check_private_destination(args: &MirrorArgs, to: &Path) -> anyhow::Result<()> {
    let refuse = |other: &str| {
        Invalid(format!(
            "--private {}: it lies within {other}, or holds it: the private part (data keys) \
             must be kept apart from any public part and from the source log",
            to.display()
        ))
    };
    let to_s = to.to_string_lossy().to_string();
    if logseal::store::s3::is_s3_url(&to_s) {
        let Some(Ok((tb, tp))) = logseal::store::s3::parse_s3_url(&to_s) else {
            bail!("--private {to_s}: not an s3://BUCKET[/PREFIX] location");
        };
        let nested = |a: &str, b: &str| a.is_empty() || b == a || b.starts_with(&format!("{a}/"));
        let mut others: Vec<String> = vec![args.dst.to_string_lossy().to_string()];
        if let Ok(Some(p)) = logseal::log::public_location_of(&args.src) {
            others.push(p);
        }
        for o in others {
            if let Some(Ok((ob, op))) = logseal::store::s3::parse_s3_url(&o)
                && ob == tb
                && (nested(&tp, &op) || nested(&op, &tp))
            {
                return Err(refuse(&o).into());
            }
        }
        return Ok(());
    }
    // Directories: compare canonical paths (of the nearest existing ancestor for one that
    // does not exist yet).
    let canonical = |p: &Path| -> Option<std::path::PathBuf> {
        let abs = std::path::absolute(p).ok()?;
        let mut existing = abs.clone();
        let mut rest = Vec::new();
        while !existing.exists() {
            rest.push(existing.file_name()?.to_owned());
            existing = existing.parent()?.to_path_buf();
        }
        let mut c = existing.canonicalize().ok()?;
        for r in rest.iter().rev() {
            c.push(r);
        }
        Some(c)
    };
    let Some(t) = canonical(to) else {
        bail!("--private {}: cannot resolve the path", to.display());
    };
    for other in [&args.src, &args.dst] {
        if remote_url(other).is_some() {
            continue;
        }
        if let Some(o) = canonical(other)
            && (t.starts_with(&o) || o.starts_with(&t))
        {
            return Err(refuse(&other.display().to_string()).into());
        }
    }
    Ok(())
}

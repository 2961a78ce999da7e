//! [`ObjectStore`] on a local directory, with fsync discipline, and the sequencer lock.

use std::collections::BTreeSet;
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use super::{ObjectStore, StoreError, check_key};

static TMP_COUNTER: AtomicU64 = AtomicU64::new(0);

fn io(op: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> StoreError {
    let path = path.display().to_string();
    move |source| StoreError::Io { op, path, source }
}

/// An object store rooted at a directory.
#[derive(Debug)]
pub struct FsStore {
    root: PathBuf,
    /// Directories holding objects renamed since the last `sync`.
    dirty: Mutex<BTreeSet<PathBuf>>,
}

impl FsStore {
    /// A store rooted at `root`, created if missing.
    pub fn open(root: impl Into<PathBuf>) -> Result<Self, StoreError> {
        let root = root.into();
        fs::create_dir_all(&root).map_err(io("create directory", &root))?;
        Ok(FsStore {
            root,
            dirty: Mutex::new(BTreeSet::new()),
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn path(&self, key: &str) -> Result<PathBuf, StoreError> {
        check_key(key)?;
        Ok(self.root.join(key))
    }

    /// Write `data` to a temporary file beside `path`, fsync it, rename it over `path`.
    fn write_renamed(&self, path: &Path, data: &[u8]) -> Result<(), StoreError> {
        let dir = path.parent().expect("object paths have a parent");
        if !dir.exists() {
            fs::create_dir_all(dir).map_err(io("create directory", dir))?;
            // The new directories themselves must reach the disk: fsync every ancestor up
            // to the root on the next sync.
            let mut d = dir.to_path_buf();
            let mut dirty = self.dirty.lock().expect("lock poisoned");
            while d.starts_with(&self.root) && d != self.root {
                if let Some(p) = d.parent() {
                    dirty.insert(p.to_path_buf());
                    d = p.to_path_buf();
                } else {
                    break;
                }
            }
        }
        let name = path.file_name().expect("object paths have a file name");
        let tmp = dir.join(format!(
            "{}.tmp-{}-{}",
            name.to_string_lossy(),
            std::process::id(),
            TMP_COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let mut f = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
            .map_err(io("create", &tmp))?;
        f.write_all(data).map_err(io("write", &tmp))?;
        f.sync_all().map_err(io("fsync", &tmp))?;
        drop(f);
        fs::rename(&tmp, path).map_err(|e| {
            let _ = fs::remove_file(&tmp);
            io("rename", path)(e)
        })?;
        self.dirty
            .lock()
            .expect("lock poisoned")
            .insert(dir.to_path_buf());
        Ok(())
    }

    /// Open the object `key` for reading: `None` when absent; refused
    /// ([`StoreError::NotRegular`]) when it, or a directory on its path below the root, is
    /// a symbolic link, or when it is not a regular file. The type is checked before opening
    /// (so a FIFO or device is never opened) and again on the descriptor, which is opened
    /// with `O_NONBLOCK | O_NOFOLLOW` so that a file swapped in between cannot block or
    /// lead elsewhere.
    fn open_object(&self, key: &str) -> Result<Option<(PathBuf, File)>, StoreError> {
        let path = self.path(key)?;
        let refuse = |found: String| StoreError::NotRegular {
            path: path.display().to_string(),
            found,
        };
        // The directories between the root and the object.
        let mut dir = self.root.clone();
        let parts: Vec<&str> = key.split('/').collect();
        for (i, part) in parts[..parts.len() - 1].iter().enumerate() {
            dir.push(part);
            match fs::symlink_metadata(&dir) {
                Ok(m) if m.file_type().is_symlink() => {
                    return Err(refuse(format!(
                        "under a symbolic link ({})",
                        parts[..=i].join("/")
                    )));
                }
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
                Err(e) => return Err(io("stat", &dir)(e)),
            }
        }
        match fs::symlink_metadata(&path) {
            Ok(m) if !m.file_type().is_file() => return Err(refuse(file_kind(&m.file_type()))),
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io("stat", &path)(e)),
        }
        let f = match OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW)
            .open(&path)
        {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) if e.raw_os_error() == Some(libc::ELOOP) => {
                return Err(refuse("a symbolic link".into()));
            }
            Err(e) => return Err(io("open", &path)(e)),
        };
        let m = f.metadata().map_err(io("stat", &path))?;
        if !m.file_type().is_file() {
            return Err(refuse(file_kind(&m.file_type())));
        }
        Ok(Some((path, f)))
    }

    /// Remove temporary files a crashed writer left behind (call under the sequencer lock).
    pub fn remove_stale_temporaries(&self) -> Result<usize, StoreError> {
        let mut removed = 0;
        let mut stack = vec![self.root.clone()];
        while let Some(dir) = stack.pop() {
            let rd = match fs::read_dir(&dir) {
                Ok(rd) => rd,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(io("list", &dir)(e)),
            };
            for entry in rd {
                let entry = entry.map_err(io("list", &dir))?;
                let p = entry.path();
                let ft = entry.file_type().map_err(io("stat", &p))?;
                if ft.is_dir() {
                    stack.push(p);
                } else if entry.file_name().to_string_lossy().contains(".tmp-") {
                    fs::remove_file(&p).map_err(io("remove", &p))?;
                    removed += 1;
                }
            }
        }
        Ok(removed)
    }
}

/// What a file that is not a regular file is, for messages.
fn file_kind(t: &fs::FileType) -> String {
    let kind = if t.is_symlink() {
        "a symbolic link"
    } else if t.is_dir() {
        "a directory"
    } else if t.is_fifo() {
        "a FIFO (named pipe)"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_socket() {
        "a socket"
    } else {
        "not a regular file"
    };
    kind.into()
}

fn fsync_dir(dir: &Path) -> Result<(), StoreError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io("fsync directory", dir))
}

impl ObjectStore for FsStore {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let Some((path, mut f)) = self.open_object(key)? else {
            return Ok(None);
        };
        let mut v = Vec::new();
        f.read_to_end(&mut v).map_err(io("read", &path))?;
        Ok(Some(v))
    }

    fn get_at_most(&self, key: &str, max: usize) -> Result<Option<Vec<u8>>, StoreError> {
        let Some((path, f)) = self.open_object(key)? else {
            return Ok(None);
        };
        let mut v = Vec::new();
        f.take(max as u64 + 1)
            .read_to_end(&mut v)
            .map_err(io("read", &path))?;
        if v.len() > max {
            return Err(StoreError::TooLarge {
                path: path.display().to_string(),
                max,
            });
        }
        Ok(Some(v))
    }

    fn put(&self, key: &str, data: &[u8]) -> Result<(), StoreError> {
        let path = self.path(key)?;
        self.write_renamed(&path, data)
    }

    fn sync(&self) -> Result<(), StoreError> {
        let dirs = std::mem::take(&mut *self.dirty.lock().expect("lock poisoned"));
        // Deepest first, so a new directory's entry is durable before its parent's.
        for d in dirs.iter().rev() {
            fsync_dir(d)?;
        }
        Ok(())
    }

    fn compare_and_swap(
        &self,
        key: &str,
        expected: Option<&[u8]>,
        data: &[u8],
    ) -> Result<(), StoreError> {
        let path = self.path(key)?;
        let current = self.get(key)?;
        if current.as_deref() != expected {
            return Err(StoreError::CasConflict {
                key: self.describe(key),
            });
        }
        self.write_renamed(&path, data)?;
        self.sync()
    }

    fn delete(&self, key: &str) -> Result<(), StoreError> {
        let path = self.path(key)?;
        match fs::remove_file(&path) {
            Ok(()) => {
                if let Some(d) = path.parent() {
                    self.dirty
                        .lock()
                        .expect("lock poisoned")
                        .insert(d.to_path_buf());
                }
                Ok(())
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io("remove", &path)(e)),
        }
    }

    fn list(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        let base = if prefix.is_empty() {
            self.root.clone()
        } else {
            self.path(prefix)?
        };
        let mut out = Vec::new();
        let mut stack = vec![base];
        while let Some(dir) = stack.pop() {
            let rd = match fs::read_dir(&dir) {
                Ok(rd) => rd,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(io("list", &dir)(e)),
            };
            for entry in rd {
                let entry = entry.map_err(io("list", &dir))?;
                let p = entry.path();
                if entry.file_type().map_err(io("stat", &p))?.is_dir() {
                    stack.push(p);
                } else if !entry.file_name().to_string_lossy().contains(".tmp-") {
                    let rel = p.strip_prefix(&self.root).expect("under root");
                    out.push(rel.to_string_lossy().replace('\\', "/"));
                }
            }
        }
        out.sort();
        Ok(out)
    }

    fn describe(&self, key: &str) -> String {
        self.root.join(key).display().to_string()
    }
}

/// How long a held sequencer lock is tried again before [`SequencerLock::acquire`] fails.
pub const LOCK_RETRY: std::time::Duration = std::time::Duration::from_millis(250);

/// The sequencer lock: an exclusive OS file lock (`File::try_lock`) on `<dir>/lock`, held for
/// the lifetime of this value. Readers never take it.
#[derive(Debug)]
pub struct SequencerLock {
    _file: File,
    path: PathBuf,
}

impl SequencerLock {
    /// Take the lock or fail naming the holder's pid (if it wrote one). A lock found held is
    /// tried again for up to [`LOCK_RETRY`]: a process that spawns a program while it holds
    /// or has just released the lock lends its descriptor to the child for the instant
    /// between fork and exec, which must not fail a sequencer that opens right after.
    pub fn acquire(dir: &Path) -> Result<Self, StoreError> {
        let start = std::time::Instant::now();
        loop {
            match Self::try_acquire(dir) {
                Err(StoreError::Locked { .. }) if start.elapsed() < LOCK_RETRY => {
                    std::thread::sleep(std::time::Duration::from_millis(10));
                }
                other => return other,
            }
        }
    }

    fn try_acquire(dir: &Path) -> Result<Self, StoreError> {
        fs::create_dir_all(dir).map_err(io("create directory", dir))?;
        let path = dir.join("lock");
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io("open", &path))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                let holder = holder.trim();
                return Err(StoreError::Locked {
                    path: path.display().to_string(),
                    holder: if holder.is_empty() {
                        String::new()
                    } else {
                        format!(" (pid {holder})")
                    },
                });
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(io("lock", &path)(e)),
        }
        file.set_len(0).map_err(io("truncate", &path))?;
        file.write_all(std::process::id().to_string().as_bytes())
            .map_err(io("write", &path))?;
        Ok(SequencerLock { _file: file, path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_at_most_refuses_oversized_objects_without_reading_them() {
        let dir = tempfile::tempdir().unwrap();
        let s = FsStore::open(dir.path()).unwrap();
        s.put("x", &[1; 100]).unwrap();
        assert_eq!(s.get_at_most("x", 100).unwrap().unwrap().len(), 100);
        let e = s.get_at_most("x", 99).unwrap_err();
        assert!(matches!(e, StoreError::TooLarge { max: 99, .. }), "{e}");
        assert!(e.to_string().contains("larger than the 99 bytes"), "{e}");
        // A huge sparse file is refused after reading at most max + 1 bytes.
        let f = std::fs::File::create(dir.path().join("big")).unwrap();
        f.set_len(1 << 40).unwrap();
        assert!(matches!(
            s.get_at_most("big", 1 << 20),
            Err(StoreError::TooLarge { .. })
        ));
        assert_eq!(s.get_at_most("absent", 1).unwrap(), None);
    }

    #[test]
    fn special_files_and_symbolic_links_are_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("store");
        let s = FsStore::open(&root).unwrap();
        s.put("a/file", b"x").unwrap();
        let status = std::process::Command::new("mkfifo")
            .arg(root.join("a/fifo"))
            .status()
            .unwrap();
        assert!(status.success());
        std::fs::create_dir(root.join("a/dir")).unwrap();
        std::fs::write(dir.path().join("outside"), b"secret").unwrap();
        std::os::unix::fs::symlink(dir.path().join("outside"), root.join("a/link")).unwrap();
        std::fs::create_dir(dir.path().join("elsewhere")).unwrap();
        std::fs::write(dir.path().join("elsewhere/file"), b"y").unwrap();
        std::os::unix::fs::symlink(dir.path().join("elsewhere"), root.join("b")).unwrap();
        for (key, found) in [
            ("a/fifo", "a FIFO"),
            ("a/dir", "a directory"),
            ("a/link", "a symbolic link"),
            ("b/file", "under a symbolic link (b)"),
        ] {
            for r in [s.get(key), s.get_at_most(key, 10)] {
                match r {
                    Err(StoreError::NotRegular { found: f, .. }) => {
                        assert!(f.starts_with(found), "{key}: {f}")
                    }
                    other => panic!("{key}: {other:?}"),
                }
            }
        }
        assert_eq!(s.get("a/file").unwrap().unwrap(), b"x");
        assert_eq!(s.get("c/absent").unwrap(), None);
    }

    #[test]
    fn put_get_cas_delete_list() {
        let dir = tempfile::tempdir().unwrap();
        let s = FsStore::open(dir.path()).unwrap();
        assert_eq!(s.get("a/b").unwrap(), None);
        s.put("a/b", b"one").unwrap();
        s.sync().unwrap();
        assert_eq!(s.get("a/b").unwrap().as_deref(), Some(&b"one"[..]));
        s.compare_and_swap("cp", None, b"1").unwrap();
        assert!(matches!(
            s.compare_and_swap("cp", None, b"2"),
            Err(StoreError::CasConflict { .. })
        ));
        s.compare_and_swap("cp", Some(b"1"), b"2").unwrap();
        assert_eq!(
            s.list("").unwrap(),
            vec!["a/b".to_string(), "cp".to_string()]
        );
        s.delete("a/b").unwrap();
        assert_eq!(s.get("a/b").unwrap(), None);
        for bad in ["", "/x", "a/../b", "a//b", "x.tmp-1"] {
            assert!(s.get(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn second_sequencer_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let l = SequencerLock::acquire(dir.path()).unwrap();
        let e = SequencerLock::acquire(dir.path()).unwrap_err();
        assert!(matches!(e, StoreError::Locked { .. }), "{e}");
        assert!(e.to_string().contains(&std::process::id().to_string()));
        drop(l);
        SequencerLock::acquire(dir.path()).unwrap();
    }

    #[test]
    fn stale_temporaries_removed() {
        let dir = tempfile::tempdir().unwrap();
        let s = FsStore::open(dir.path()).unwrap();
        std::fs::write(dir.path().join("x.tmp-1-2"), b"partial").unwrap();
        assert_eq!(s.list("").unwrap(), Vec::<String>::new());
        assert_eq!(s.remove_stale_temporaries().unwrap(), 1);
    }
}

//! Key rotation on the log's side (docs/FORMAT.md §Key rotation).
//!
//! Owns `private/log-keys.json` (the log's key history, in the form of the trust file's
//! `log_key_history`), `private/rotation/<size>` (each rotation checkpoint), and the switch
//! from the old to the new signing key: [`Log::rotate_log_key`] signs the checkpoint of the
//! current size with both keys, publishes it (as the size's history entry, or as
//! `public/rotations/<N>` when the history already holds the old key's checkpoint of that
//! size), and only then makes the new key the log's key.
//! A checkpoint asked for at a rotation size is that rotation checkpoint (never one signed by
//! the new key alone, which a verifier refuses as `checkpoint-rotation-unsigned`).
//!
//! Also the registration authority in force for admission: the configured key, replaced by
//! the latest authority-replacement registration the log admitted.

use crate::checkpoint::{self, CosignatureSigner};
use crate::crypto::PublicKey;
use crate::note::{self, Ed25519NoteKey, NoteSigner, NoteVerifier};
use crate::verify::keys::{LogKeyEntry, is_authority_replacement};

use super::admission::Authority;
use super::state::State;
use super::{CONFIG_KEY, LOG_KEY_KEY, Log, LogError, config_err, history, reader, write_secret};
use crate::store::{ObjectStore, StoreError};

/// The log's key history (private).
const HISTORY_KEY: &str = "log-keys.json";

fn rotation_key(size: u64) -> String {
    format!("rotation/{size:020}")
}

fn refuse(reason: impl std::fmt::Display) -> LogError {
    LogError::Checkpoint(format!("log key rotation refused: {reason}"))
}

impl Log {
    /// The log's key history, oldest first (one entry, from size 0, until a rotation).
    pub fn log_key_history(&self) -> Result<Vec<LogKeyEntry>, LogError> {
        let path = self.local.root().join(HISTORY_KEY);
        match self.local.get(HISTORY_KEY)? {
            None => Ok(vec![LogKeyEntry {
                key: self.config.log_key.clone(),
                from_size: 0,
                until_size: None,
            }]),
            Some(b) => {
                let h: Vec<LogKeyEntry> =
                    serde_json::from_slice(&b).map_err(|e| config_err(&path, e))?;
                if h.is_empty() {
                    return Err(config_err(&path, "an empty key history"));
                }
                Ok(h)
            }
        }
    }

    /// The rotation checkpoint of `size`, when the log key was rotated at that size.
    pub fn rotation_checkpoint(&self, size: u64) -> Result<Option<Vec<u8>>, LogError> {
        let h = self.log_key_history()?;
        if h.len() < 2 || h.last().map(|e| e.from_size) != Some(size) {
            return Ok(None);
        }
        Ok(self.local.get(&rotation_key(size))?)
    }

    /// The log's signing key, `private/log.key`.
    pub(super) fn signing_key(&self) -> Result<Ed25519NoteKey, LogError> {
        let key_path = self.local.root().join(LOG_KEY_KEY);
        let skey = self
            .local
            .get(LOG_KEY_KEY)?
            .ok_or_else(|| config_err(&key_path, "missing"))?;
        let skey = String::from_utf8(skey).map_err(|e| config_err(&key_path, e))?;
        Ed25519NoteKey::from_skey(skey.trim()).map_err(|e| config_err(&key_path, e))
    }

    /// Rotate the log key to `new_key` at the current size N: publish a checkpoint of size N
    /// signed (and cosigned, at `now_secs`) by the old and the new key, record the history
    /// (the old key signs sizes up to N, the new one from N), then sign with the new key.
    /// Returns the rotation checkpoint. Interrupted, it is completed by running it again with
    /// the same key.
    pub fn rotate_log_key(
        &mut self,
        new_key: &Ed25519NoteKey,
        now_secs: u64,
    ) -> Result<Vec<u8>, LogError> {
        self.writable()?;
        if self.coordinated() {
            // The key history and the rotation checkpoint are not committed in etcd yet: a
            // standby directory would go on signing with the retired key.
            return Err(refuse(
                "this log's sequencers are coordinated through etcd (--coord), and a rotation \
                 is not yet committed there; rotate the key of a log without --coord",
            ));
        }
        let new_vkey = new_key.verifier().to_vkey();
        if new_key.verifier().name() != self.config.origin {
            return Err(refuse(format!(
                "the new key is named {:?}; a log key is named after the origin {:?}",
                new_key.verifier().name(),
                self.config.origin
            )));
        }
        let mut history = self.log_key_history()?;
        let last = history.last().expect("never empty").clone();
        if last.key == new_vkey && history.len() > 1 {
            // An interrupted rotation to this key: finish switching to it.
            self.switch_key(new_key)?;
            return self
                .local
                .get(&rotation_key(last.from_size))?
                .ok_or_else(|| refuse("the rotation checkpoint of the history is missing"));
        }
        if history.iter().any(|e| e.key == new_vkey) {
            return Err(refuse("the new key is already in the log's key history"));
        }
        let old = self.signing_key()?;
        if old.verifier().to_vkey() != self.config.log_key {
            return Err(config_err(
                &self.local.root().join(LOG_KEY_KEY),
                "does not match the log key in config.json",
            ));
        }
        let size = self.state.size;
        if size == 0 {
            return Err(refuse(
                "the log is empty: initialise it with the new key instead",
            ));
        }
        if last.from_size >= size {
            return Err(refuse(format!(
                "the current key took over at size {}; append records before rotating again",
                last.from_size
            )));
        }
        let note = self.rotation_note(&old, new_key, now_secs)?;
        self.publish_rotation(&note)?;
        history.last_mut().expect("never empty").until_size = Some(size);
        history.push(LogKeyEntry {
            key: new_vkey,
            from_size: size,
            until_size: None,
        });
        let json = serde_json::to_vec_pretty(&history).expect("serialisable");
        self.local.put(HISTORY_KEY, &json)?;
        self.local.sync()?;
        self.switch_key(new_key)?;
        Ok(note)
    }

    /// The rotation checkpoint of the current size: the one `private/rotation/<N>` holds from
    /// an interrupted run (when it is a checkpoint of this tree), or a new one signed and
    /// cosigned at `now_secs` by `old` and `new_key`, kept there (durably) before anything is
    /// published.
    fn rotation_note(
        &self,
        old: &Ed25519NoteKey,
        new_key: &Ed25519NoteKey,
        now_secs: u64,
    ) -> Result<Vec<u8>, LogError> {
        let size = self.state.size;
        let cp = checkpoint::Checkpoint::new(&self.config.origin, size, self.state.root.0)
            .map_err(|e| LogError::Checkpoint(e.to_string()))?;
        if let Some(kept) = self.local.get(&rotation_key(size))?
            && let Ok(n) = note::parse_note(&kept)
            && checkpoint::Checkpoint::parse(&n.text).ok().as_ref() == Some(&cp)
        {
            return Ok(kept);
        }
        let name = self.config.origin.clone();
        let cosigner = |k: &Ed25519NoteKey| {
            CosignatureSigner::new(&name, k.secret_key().clone(), now_secs)
                .map_err(|e| LogError::Checkpoint(e.to_string()))
        };
        let (old_co, new_co) = (cosigner(old)?, cosigner(new_key)?);
        let signers: [&dyn NoteSigner; 4] = [old, &old_co, new_key, &new_co];
        let note = note::sign_note(&cp.to_body(), &signers)
            .map_err(|e| LogError::Checkpoint(e.to_string()))?
            .to_bytes();
        self.local.put(&rotation_key(size), &note)?;
        self.local.sync()?;
        Ok(note)
    }

    /// Publish the rotation checkpoint `note` of the current size N: as the history entry of
    /// N when N has none yet (or has this one: a rerun), else write-once as
    /// `public/rotations/<N>` beside the old key's entry; then as `public/checkpoint`.
    fn publish_rotation(&mut self, note: &[u8]) -> Result<(), LogError> {
        let size = self.state.size;
        let cp = checkpoint::Checkpoint::new(&self.config.origin, size, self.state.root.0)
            .map_err(|e| LogError::Checkpoint(e.to_string()))?;
        match self.reader().published_checkpoint(size)? {
            Some(entry) if entry != note => {
                history::publish_rotation(self.public.as_ref(), size, note)?
            }
            _ => {
                // The size is recorded first, so that no append removes its partial tiles.
                if !self.state.checkpoint_sizes.contains(&size) {
                    let mut state = self.state.clone();
                    state.checkpoint_sizes.push(size);
                    self.swap_state(state)?;
                }
                history::publish(self.public.as_ref(), &cp, note)?;
            }
        }
        let published = self.reader().checkpoint()?;
        if published.as_deref() != Some(note) {
            self.public
                .compare_and_swap(reader::CHECKPOINT_KEY, published.as_deref(), note)?;
        }
        Ok(())
    }

    /// Make `key` the log's signing key: `log.key`, then `config.json` (the commit).
    fn switch_key(&mut self, key: &Ed25519NoteKey) -> Result<(), LogError> {
        let mut config = self.config.clone();
        config.log_key = key.verifier().to_vkey();
        if self.signing_key().ok().map(|k| k.verifier().to_vkey()) != Some(config.log_key.clone()) {
            // A new file of mode 0600, renamed over the old key (atomic), the directory synced.
            let dir = self.local.root().to_path_buf();
            let tmp = dir.join(format!("{LOG_KEY_KEY}.new"));
            let io = |op: &'static str, p: &std::path::Path| {
                let path = p.display().to_string();
                move |source| LogError::Store(StoreError::Io { op, path, source })
            };
            match std::fs::remove_file(&tmp) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(io("remove", &tmp)(e));
                }
                _ => {}
            }
            write_secret(&tmp, key.to_skey().as_bytes())?;
            std::fs::rename(&tmp, dir.join(LOG_KEY_KEY)).map_err(io("rename", &tmp))?;
            std::fs::File::open(&dir)
                .and_then(|d| d.sync_all())
                .map_err(io("fsync", &dir))?;
        }
        let json = serde_json::to_vec_pretty(&config).expect("serialisable");
        self.local.put(CONFIG_KEY, &json)?;
        self.local.sync()?;
        self.config = config;
        self.log_verifier = key.verifier();
        Ok(())
    }
}

/// The registration authority in force for admitting the next record: the configured one,
/// or the key of the latest authority-replacement registration in `state` (a key-registration
/// the authority in force signed, for its own producer id, with exactly the authority kinds).
pub(crate) fn authority_in_force(state: &State, configured: &Authority) -> Option<Authority> {
    let entry =
        state.keys.iter().rev().find(|k| {
            is_authority_replacement(&k.producer, &k.kinds, configured.producer.as_str())
        })?;
    Some(Authority {
        producer: configured.producer.clone(),
        key: PublicKey::from_bytes(&entry.public_key.0).ok()?,
    })
}

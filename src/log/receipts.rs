//! COSE Receipts of inclusion ([`crate::receipt`]) made by the log: signed with the log's key,
//! for a tree size the log has published a checkpoint of, so that the root a receipt signs is
//! always a root the log has also published.

use super::{Log, LogError};
use crate::tree::TreeHashAlg;

impl Log {
    /// The COSE receipt (RFC 9942) that leaf `leaf` is in the tree of the published
    /// checkpoint of size `size`, signed with the log's current key. SHA-256 logs only.
    pub fn receipt(&self, leaf: u64, size: u64) -> Result<Vec<u8>, LogError> {
        let refuse = |why: String| LogError::Checkpoint(format!("no receipt: {why}"));
        if self.alg() != TreeHashAlg::Sha256 {
            return Err(refuse(
                "a BLAKE3 log has no registered verifiable data structure (RFC 9942 defines \
                 RFC9162_SHA256 only)"
                    .into(),
            ));
        }
        if !self.state.checkpoint_sizes.contains(&size) {
            return Err(refuse(format!(
                "the log has published no checkpoint of size {size}"
            )));
        }
        if leaf >= size {
            return Err(refuse(format!(
                "leaf {leaf} is not in the tree of size {size}"
            )));
        }
        let reader = self.reader();
        let record = reader.entry(leaf, size)?;
        let path = reader.inclusion_proof(size, leaf)?;
        let root = reader.root(size)?;
        let key = self.signing_key()?;
        crate::receipt::make(
            key.secret_key(),
            &self.config.origin,
            &record,
            size,
            leaf,
            &path,
            &root,
        )
        .map_err(|e| refuse(e.to_string()))
    }
}

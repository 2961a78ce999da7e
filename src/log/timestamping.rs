//! Time-stamping a checkpoint the log signed (docs/FORMAT.md §Timestamp tokens): an RFC 3161
//! request over the checkpoint's note text, sent by the caller (the library does no network
//! I/O), the answer verified against the authorities given (and the request's nonce) before it
//! is kept write-once beside the checkpoint history as `public/checkpoints/<N>.tsr`.

use crate::checkpoint::Checkpoint;
use crate::timestamp::{self, Authority, Stamp, TimestampError};

use super::{Log, LogError, history};

/// Sends a DER time-stamp request to the TSA and returns its answer (or why there is none).
pub type SendRequest<'a> = dyn FnMut(&[u8]) -> Result<Vec<u8>, String> + 'a;

/// Why a checkpoint was not time-stamped (it is published all the same).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StampError {
    #[error("the note is not a checkpoint: {0}")]
    Note(String),
    #[error("the time-stamping authority did not answer: {0}")]
    Unreachable(String),
    #[error("the time-stamp response does not verify: {0}")]
    Invalid(#[from] TimestampError),
    #[error(transparent)]
    Log(#[from] LogError),
}

/// A checkpoint time-stamped: what the token proves, and whether it was written now (`false`:
/// a token of that size was kept already, and stays).
#[derive(Debug, Clone)]
pub struct Stamped {
    pub size: u64,
    pub stamp: Stamp,
    pub written: bool,
}

impl Log {
    /// Time-stamp `note` (a checkpoint this log signed): `send` posts the DER request to the
    /// TSA and returns its answer; the answer must verify for the note's text, the `nonce`
    /// and one of `authorities`.
    pub fn timestamp_checkpoint(
        &self,
        note: &[u8],
        authorities: &[Authority],
        nonce: &[u8],
        send: &mut SendRequest<'_>,
    ) -> Result<Stamped, StampError> {
        let parsed = crate::note::parse_note(note).map_err(|e| StampError::Note(e.to_string()))?;
        let cp = Checkpoint::parse(&parsed.text).map_err(|e| StampError::Note(e.to_string()))?;
        let message = parsed.text.as_bytes();
        let request = timestamp::request(message, nonce)?;
        let response = send(&request).map_err(StampError::Unreachable)?;
        let stamp = timestamp::verify_response(&response, message, Some(nonce), authorities)?;
        let written = history::publish_timestamp(self.public.as_ref(), cp.size, &response)
            .map_err(LogError::from)?;
        Ok(Stamped {
            size: cp.size,
            stamp,
            written,
        })
    }
}

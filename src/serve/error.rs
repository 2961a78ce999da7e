//! How a refusal becomes an HTTP status (docs/SERVE.md, Status codes): 400 for what is not a
//! well-formed record, 403 for a key or kind the authority did not allow (or a signature that
//! does not verify), 409 for what conflicts with the log's state (seq, prev, a key already
//! registered), 500 for the server's own failures. The message is the refusal's text, the
//! same words `logseal append` prints.

use crate::log::{LogError, Refusal};

/// A status and the message sent as the body (`text/plain`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpError {
    pub status: u16,
    pub message: String,
}

impl HttpError {
    pub fn new(status: u16, message: impl Into<String>) -> Self {
        HttpError {
            status,
            message: message.into(),
        }
    }
}

/// The status of a refused record.
pub fn refusal_status(r: &Refusal) -> u16 {
    match r {
        Refusal::Malformed(_) | Refusal::Disclosure { .. } => 400,
        Refusal::UnregisteredKey { .. }
        | Refusal::WrongProducer { .. }
        | Refusal::KindNotAllowed { .. }
        | Refusal::Revoked { .. }
        | Refusal::AuthorityOnly { .. }
        | Refusal::AuthorityKind { .. }
        | Refusal::AuthorityProducer { .. }
        | Refusal::Signature(_) => 403,
        Refusal::Seq { .. }
        | Refusal::Prev { .. }
        | Refusal::DuplicateKey { .. }
        | Refusal::RevokeUnknown { .. } => 409,
        Refusal::CorruptRegistry { .. } => 500,
    }
}

/// The answer to a refused record: its status and `refused: <the refusal>`.
pub fn refused(r: &Refusal) -> HttpError {
    HttpError::new(refusal_status(r), format!("refused: {r}"))
}

/// What an append of a single record failed with, as an answer: a refusal or a bad
/// disclosure is the record's fault; anything else is the server's (500).
pub fn append_error(e: &LogError) -> HttpError {
    match e {
        LogError::Refused { refusal, .. } => refused(refusal),
        LogError::BadDisclosure {
            disclosure, reason, ..
        } => HttpError::new(400, format!("refused: disclosure {disclosure}: {reason}")),
        other => HttpError::new(500, format!("the log could not append: {other}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::RecordError;
    use crate::record::text::ProducerId;
    use crate::record::types::Hash32;

    #[test]
    fn statuses() {
        let p = ProducerId::new("qf").unwrap();
        let seq = Refusal::Seq {
            producer: p.clone(),
            expected: 3,
            found: 5,
        };
        assert_eq!(refusal_status(&seq), 409);
        assert_eq!(
            refused(&seq).message,
            "refused: qf: seq 5 does not continue the chain (next seq is 3); records must be \
             appended in order, without gaps or repeats"
        );
        let unknown = Refusal::UnregisteredKey {
            kid: Hash32([1; 32]),
            producer: p.clone(),
        };
        assert_eq!(refusal_status(&unknown), 403);
        let revoked = Refusal::Revoked {
            kid: Hash32([1; 32]),
            producer: p,
            revoked_at: 4,
        };
        assert_eq!(refusal_status(&revoked), 403);
        let bad = Refusal::Malformed(RecordError::NotCoseSign1);
        assert_eq!(refusal_status(&bad), 400);
        let e = LogError::ReadOnly;
        assert_eq!(append_error(&e).status, 500);
    }
}

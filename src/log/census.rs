//! A census of a log's records: how many of each kind and of each producer, and each
//! producer's last heartbeat, by reading every record of a tree (`logseal info --count`).
//!
//! It reads the public part only (entry bundles, one in memory at a time) and decodes each
//! record; it checks no signature, chain or proof: that is `verify`'s job, and a census of a
//! log that does not verify counts what the log holds, not what is true. It is a full read
//! (hours at 10⁹ records): callers run it only when asked to.

use std::collections::BTreeMap;

use super::reader::{LogReader, ReadError};
use crate::record::Record;
use crate::record::kinds::Kind;
use crate::record::types::Timestamp;

/// What a census found among the records `0..size` of a tree.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Census {
    /// How many records were read (the tree's size).
    pub records: u64,
    /// Records that did not decode (counted under no kind and no producer).
    pub undecodable: u64,
    /// Kind name → records of that kind.
    pub kinds: BTreeMap<String, u64>,
    /// Producer id → its records and last heartbeat.
    pub producers: BTreeMap<String, ProducerCensus>,
}

/// One producer in a [`Census`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProducerCensus {
    /// Records of this producer (of every kind).
    pub records: u64,
    /// Its last producer-heartbeat in leaf order: the leaf and the heartbeat's own time.
    pub last_heartbeat: Option<(u64, Timestamp)>,
}

impl Census {
    /// Count one record (`entry`, at `leaf`).
    fn add(&mut self, leaf: u64, entry: &[u8]) {
        self.records += 1;
        let Ok(rec) = Record::decode(entry) else {
            self.undecodable += 1;
            return;
        };
        let p = rec.payload();
        *self.kinds.entry(p.kind().name().to_string()).or_default() += 1;
        let producer = self
            .producers
            .entry(p.producer.as_str().to_string())
            .or_default();
        producer.records += 1;
        if p.kind() == Kind::ProducerHeartbeat {
            producer.last_heartbeat = Some((leaf, p.occurred_at));
        }
    }
}

/// Read and count every record of the tree of `size` (a full read; see the module header).
pub fn count_records(reader: &LogReader<'_>, size: u64) -> Result<Census, ReadError> {
    let mut census = Census::default();
    reader.for_each_entry(size, 0, size, |leaf, entry| {
        census.add(leaf, entry);
        Ok(())
    })?;
    Ok(census)
}

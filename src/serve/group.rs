//! Group commit across requests: the sequencer appends what concurrent `/add` requests sent
//! as one atomic [`Log::append`] batch (one fsync wave) and answers each request with its own
//! outcome. A record refused in a group does not fail the others: [`Log::append`] refuses a
//! batch before writing anything, so the group is retried without the refused record (its
//! request gets the refusal). The refused record's successors in the same group that depend
//! on it (the next seq of its chain) are then refused in turn, as they would be alone. After
//! [`MAX_RETRIES`] refusals in one group the rest is appended one record at a time, so a
//! flood of bad records costs each its own admission, not a re-admission of the whole group.

use crate::log::{AppendItem, Log, LogError, Receipt};

use super::error::{HttpError, append_error};

/// Refusals in one group after which the rest is appended record by record.
pub const MAX_RETRIES: usize = 8;

/// Each record's outcome, in order, and whether the log must be reopened before the next
/// append (an append whose outcome is unknown poisons the handle: [`LogError::Poisoned`]).
#[derive(Debug)]
pub struct GroupOutcome {
    pub results: Vec<Result<Receipt, HttpError>>,
    pub reopen: bool,
}

/// Append `items` (one per request, in arrival order) in as few atomic batches as refusals
/// allow.
pub fn append_group(log: &mut Log, items: Vec<AppendItem>) -> GroupOutcome {
    let mut results: Vec<Option<Result<Receipt, HttpError>>> = vec![None; items.len()];
    let mut pending: Vec<usize> = (0..items.len()).collect();
    let mut items = items;
    let mut refusals = 0;
    let mut reopen = false;
    while !items.is_empty() && refusals < MAX_RETRIES {
        match log.append(&items) {
            Ok(receipts) => {
                for (i, r) in pending.drain(..).zip(receipts) {
                    results[i] = Some(Ok(r));
                }
                items.clear();
            }
            Err(e @ (LogError::Refused { .. } | LogError::BadDisclosure { .. })) => {
                let at = refused_index(&e);
                results[pending.remove(at)] = Some(Err(append_error(&e)));
                items.remove(at);
                refusals += 1;
            }
            Err(e) => {
                reopen = must_reopen(&e);
                let answer = append_error(&e);
                for i in pending.drain(..) {
                    results[i] = Some(Err(answer.clone()));
                }
                items.clear();
            }
        }
    }
    for (i, item) in pending.into_iter().zip(items) {
        let r = if reopen {
            Err(HttpError::new(503, "the log is being reopened; retry"))
        } else {
            log.append(std::slice::from_ref(&item)).map_err(|e| {
                reopen |= must_reopen(&e);
                append_error(&e)
            })
        };
        results[i] = Some(r.map(|mut v| v.remove(0)));
    }
    GroupOutcome {
        results: results
            .into_iter()
            .map(|r| r.expect("every record is answered"))
            .collect(),
        reopen,
    }
}

fn refused_index(e: &LogError) -> usize {
    match e {
        LogError::Refused { index, .. } | LogError::BadDisclosure { index, .. } => *index,
        _ => unreachable!("only refusals name a record"),
    }
}

fn must_reopen(e: &LogError) -> bool {
    matches!(
        e,
        LogError::AppendInterrupted { .. } | LogError::Poisoned { .. }
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::fixtures::{Fixture, chain};
    use crate::record::types::Hash32;
    use crate::tree::TreeHashAlg;

    fn status(r: &Result<Receipt, HttpError>) -> u16 {
        match r {
            Ok(_) => 200,
            Err(e) => e.status,
        }
    }

    #[test]
    fn one_batch_when_nothing_is_refused() {
        let (f, mut log) = Fixture::new();
        let (items, _) = chain(&f, 0, Hash32([0; 32]), 5);
        let before = log.size();
        let out = append_group(&mut log, items.clone());
        assert!(!out.reopen);
        for (i, r) in out.results.iter().enumerate() {
            let r = r.as_ref().unwrap();
            assert_eq!(r.leaf_index, before + i as u64);
            assert_eq!(r.leaf_hash.0, TreeHashAlg::Sha256.leaf(&items[i].record));
        }
    }

    #[test]
    fn a_refused_record_does_not_fail_the_others() {
        let (f, mut log) = Fixture::new();
        let (items, _) = chain(&f, 0, Hash32([0; 32]), 3);
        let mut group = items.clone();
        // A record whose seq skips ahead (409), and a garbage one (400), in the middle.
        let (skip, _) = chain(&f, 5, Hash32([9; 32]), 1);
        group.insert(1, skip[0].clone());
        group.insert(
            2,
            AppendItem {
                record: vec![0xa0],
                disclosures: vec![],
            },
        );
        let size = log.size();
        let out = append_group(&mut log, group);
        let statuses: Vec<u16> = out.results.iter().map(status).collect();
        assert_eq!(statuses, [200, 409, 400, 200, 200]);
        let msg = &out.results[1].as_ref().unwrap_err().message;
        assert!(
            msg.starts_with("refused: query-frontend: seq 5 does not continue"),
            "{msg}"
        );
        assert_eq!(log.size(), size + 3);
        // Acknowledged records are in the log, in order.
        let r = out.results[3].as_ref().unwrap();
        assert_eq!(r.leaf_index, size + 1);
        assert_eq!(r.seq, 1);
    }

    #[test]
    fn a_flood_of_refusals_is_appended_one_by_one() {
        let (f, mut log) = Fixture::new();
        let (good, _) = chain(&f, 0, Hash32([0; 32]), 2);
        let mut group: Vec<AppendItem> = (0..MAX_RETRIES + 3)
            .map(|_| AppendItem {
                record: vec![0xa0],
                disclosures: vec![],
            })
            .collect();
        group.extend(good);
        let out = append_group(&mut log, group);
        let statuses: Vec<u16> = out.results.iter().map(status).collect();
        let mut want = vec![400; MAX_RETRIES + 3];
        want.extend([200, 200]);
        assert_eq!(statuses, want);
    }
}

//! References between records, followed both ways, every end authenticated: what a record
//! refers to (a notification or appeal → its sanction, a decision → its appeal, a hold or
//! case status → its scope, a sanction → the policy publications it cites — the same set the
//! verifier's check 4 resolves; a data access → the grants and revocations of its
//! authorisation; a retention deletion → the records it covers; any record → the key
//! registration that admits it) and what refers to it (the reverse of the first, and the
//! retention deletions that cover it).
//!
//! Owns no state; the indexes of [`super::index`] find the candidates, and each is read back
//! and checked to really hold the reference before it is reported.

use crate::crypto::PublicKey;
use crate::record::kinds::Body;
use crate::record::kinds::retention_deletion::{RangeType, Target};
use crate::record::types::RecordRef;
use crate::verify::chains::references;

use super::{Fetched, InspectError, Inspector};

/// The most records of a retention deletion's targets listed one by one.
pub const MAX_COVERED_LISTED: usize = 20;

/// One link between two records.
#[derive(Debug, Clone)]
pub struct Link {
    /// What the link is, in words (`refers to`, `authorisation`, `covers`, …).
    pub what: &'static str,
    /// The record at the other end, authenticated, or why it cannot be shown.
    pub to: Result<Fetched, String>,
}

/// A record's place in its producer's chain.
#[derive(Debug, Clone)]
pub struct ChainPlace {
    /// Records of the producer in the log (per the index).
    pub count: usize,
    /// The record before it (seq − 1), when its seq is not 0.
    pub prev: Option<Result<Fetched, String>>,
    /// Whether the record's `prev` is that record's leaf hash.
    pub prev_matches: Option<bool>,
    /// The record after it (seq + 1), if in the log.
    pub next: Option<Result<Fetched, String>>,
}

fn refers_to(body: &Body, target: &Fetched) -> bool {
    let p = target.record.payload();
    references(body)
        .iter()
        .any(|r| r.producer == p.producer && r.seq == p.seq && r.leaf_hash.0 == target.leaf_hash)
}

/// Whether retention-deletion target `t` covers the record at `f`.
pub fn covers(t: &Target, f: &Fetched) -> bool {
    let p = f.record.payload();
    match t.range {
        RangeType::Leaf => (t.first..=t.last).contains(&f.leaf),
        RangeType::Seq => {
            t.producer.as_ref() == Some(&p.producer) && (t.first..=t.last).contains(&p.seq)
        }
    }
}

fn shown(r: Result<Option<Fetched>, InspectError>, missing: String) -> Result<Fetched, String> {
    match r {
        Ok(Some(f)) => Ok(f),
        Ok(None) => Err(missing),
        Err(e) => Err(e.to_string()),
    }
}

impl Inspector<'_> {
    /// The record a reference names: `producer#seq` with that leaf hash.
    pub fn resolve(&self, r: &RecordRef) -> Result<Fetched, String> {
        let found = self.by_seq_lenient(r.producer.as_str(), r.seq);
        let f = shown(
            found,
            format!("{}#{}: no such record in the log", r.producer, r.seq),
        )?;
        match f.leaf_hash == r.leaf_hash.0 {
            true => Ok(f),
            false => Err(format!(
                "{}#{} is at leaf {} with leaf hash {}, not the {} the reference names",
                r.producer,
                r.seq,
                f.leaf,
                hex::encode(f.leaf_hash),
                r.leaf_hash
            )),
        }
    }

    /// `producer#seq` without rebuilding the index on a miss (a gap is a real miss).
    fn by_seq_lenient(&self, producer: &str, seq: u64) -> Result<Option<Fetched>, InspectError> {
        let (mut found, mut refused) = self.lookup(
            |ix| ix.leaves_of(producer, seq),
            |f| f.record.payload().producer.as_str() == producer && f.record.payload().seq == seq,
            false,
        )?;
        match (found.pop(), refused.pop()) {
            (Some(f), _) => Ok(Some(f)),
            (None, Some(e)) => Err(e),
            (None, None) => Ok(None),
        }
    }

    /// What `f` refers to.
    pub fn references_of(&self, f: &Fetched) -> Result<Vec<Link>, InspectError> {
        let body = &f.record.payload().body;
        let mut out: Vec<Link> = references(body)
            .into_iter()
            .map(|r| Link {
                what: "refers to",
                to: self.resolve(r),
            })
            .collect();
        match body {
            Body::DataAccess(a) => {
                if let Some(id) = &a.actor.authorisation_id {
                    out.extend(self.authorisation(id.as_str())?);
                }
            }
            Body::RetentionDeletion(d) => {
                for t in &d.targets {
                    out.extend(self.covered(t)?);
                }
            }
            _ => {}
        }
        out.push(self.registration(f)?);
        Ok(out)
    }

    /// The grants and revocations of authorisation `id`.
    fn authorisation(&self, id: &str) -> Result<Vec<Link>, InspectError> {
        let (found, refused) = self.lookup(
            |ix| ix.authorisations_of(id),
            |g| matches!(&g.record.payload().body, Body::Authorisation(a) if a.authorisation_id.as_str() == id),
            false,
        )?;
        let mut out: Vec<Link> = found
            .into_iter()
            .map(|g| Link {
                what: "authorisation",
                to: Ok(g),
            })
            .collect();
        out.extend(refused.into_iter().map(|e| Link {
            what: "authorisation",
            to: Err(e.to_string()),
        }));
        if out.is_empty() {
            out.push(Link {
                what: "authorisation",
                to: Err(format!("no authorisation record for {id} in the log")),
            });
        }
        Ok(out)
    }

    /// The records a deletion target covers (at most [`MAX_COVERED_LISTED`]).
    fn covered(&self, t: &Target) -> Result<Vec<Link>, InspectError> {
        let leaves: Vec<u64> = match (t.range, &t.producer) {
            (RangeType::Leaf, _) => (t.first..=t.last.min(self.head.size.saturating_sub(1)))
                .take(MAX_COVERED_LISTED)
                .collect(),
            (RangeType::Seq, Some(p)) => {
                self.index()?
                    .seqs_between(p.as_str(), t.first, t.last, MAX_COVERED_LISTED)
            }
            (RangeType::Seq, None) => Vec::new(),
        };
        let mut out = Vec::new();
        for leaf in leaves {
            let to = match self.fetch(leaf) {
                Ok(f) if covers(t, &f) => Ok(f),
                // The index named a record outside the target: rebuild, never believe it.
                Ok(_) if !self.fresh.get() => {
                    self.rebuild(format!(
                        "a hit did not hold: leaf {leaf} is not in the target"
                    ))?;
                    return self.covered(t);
                }
                Ok(_) => continue,
                Err(e) => Err(e.to_string()),
            };
            out.push(Link { what: "covers", to });
        }
        Ok(out)
    }

    /// The key registration that admits `f` (the latest before it registering its key).
    fn registration(&self, f: &Fetched) -> Result<Link, InspectError> {
        let kid = *f.record.kid();
        let what = "key registration";
        if self
            .anchors
            .authority_at(f.leaf)
            .is_some_and(|a| a.key_id() == kid)
        {
            return Ok(Link {
                what,
                to: Err("signed by the registration authority's own key (an anchor, registered by no record)".into()),
            });
        }
        let holds = |g: &Fetched| match &g.record.payload().body {
            Body::KeyRegistration(k) => {
                PublicKey::from_bytes(&k.public_key.0).is_ok_and(|key| key.key_id() == kid)
            }
            _ => false,
        };
        let (found, _) = self.lookup(|ix| ix.registrations_of(&hex::encode(kid)), holds, false)?;
        let to = found.into_iter().rfind(|g| g.leaf < f.leaf).ok_or_else(|| {
            format!(
                "no key registration of key {} before leaf {} in the log",
                hex::encode(kid),
                f.leaf
            )
        });
        Ok(Link { what, to })
    }

    /// The public key of a key registration record.
    pub fn registered_key(reg: &Fetched) -> Option<PublicKey> {
        match &reg.record.payload().body {
            Body::KeyRegistration(k) => PublicKey::from_bytes(&k.public_key.0).ok(),
            _ => None,
        }
    }

    /// What refers to `f`, and the retention deletions that cover it.
    pub fn referenced_by(&self, f: &Fetched) -> Result<Vec<Link>, InspectError> {
        let key = hex::encode(f.leaf_hash);
        let (found, refused) = self.lookup(
            |ix| ix.referencing(&key),
            |g| refers_to(&g.record.payload().body, f),
            false,
        )?;
        let mut out: Vec<Link> = found
            .into_iter()
            .map(|g| Link {
                what: "referred to by",
                to: Ok(g),
            })
            .collect();
        let (deletions, more) = self.lookup(|ix| ix.deletions(), |_| true, false)?;
        for d in deletions {
            if let Body::RetentionDeletion(rd) = &d.record.payload().body
                && rd.targets.iter().any(|t| covers(t, f))
            {
                out.push(Link {
                    what: "covered by",
                    to: Ok(d),
                });
            }
        }
        out.extend(refused.into_iter().chain(more).map(|e| Link {
            what: "referred to by",
            to: Err(e.to_string()),
        }));
        Ok(out)
    }

    /// `f`'s place in its producer's chain.
    pub fn chain_place(&self, f: &Fetched) -> Result<ChainPlace, InspectError> {
        let p = f.record.payload();
        let producer = p.producer.as_str();
        let prev = match p.seq {
            0 => None,
            s => Some(shown(
                self.by_seq_lenient(producer, s - 1),
                format!(
                    "{producer}#{} is not in the log (a gap in the chain)",
                    s - 1
                ),
            )),
        };
        let prev_matches = match &prev {
            Some(Ok(x)) => Some(x.leaf_hash == p.prev.0),
            _ => None,
        };
        let next = match self.by_seq_lenient(producer, p.seq + 1) {
            Ok(None) => None,
            other => Some(shown(other, String::new())),
        };
        Ok(ChainPlace {
            count: self.index()?.count_of(producer),
            prev,
            prev_matches,
            next,
        })
    }
}

//! The proof endpoints' answers, read from the public part only (the same objects a client
//! of the read API sees): an inclusion proof against a published checkpoint, and a
//! consistency proof between two sizes.

use crate::checkpoint::Checkpoint;
use crate::log::LogReader;
use crate::note::parse_note;
use crate::store::ObjectStore;
use crate::tree::TreeHashAlg;

use super::{ConsistencyProof, HttpError, InclusionProof};

/// The proof of leaf `index` in the checkpoint of `size` (the latest when `None`).
pub fn inclusion(
    store: &dyn ObjectStore,
    alg: TreeHashAlg,
    index: u64,
    size: Option<u64>,
) -> Result<InclusionProof, HttpError> {
    let reader = LogReader::new(store, alg);
    let (size, note) = checkpoint_of(&reader, size)?;
    if index >= size {
        return Err(HttpError::new(
            404,
            format!(
                "leaf {index} is not covered by the checkpoint of size {size} yet: wait for the \
                 next checkpoint, or POST /checkpoint"
            ),
        ));
    }
    let proof = reader.inclusion_proof(size, index).map_err(server)?;
    let leaf = reader.leaf_hash(index, size).map_err(server)?;
    Ok(InclusionProof {
        leaf_index: index,
        tree_size: size,
        leaf_hash: hex::encode(leaf),
        proof: proof.iter().map(hex::encode).collect(),
        checkpoint: note,
    })
}

/// The proof that the tree of `old` is a prefix of the checkpoint of `new` (the latest when
/// `None`).
pub fn consistency(
    store: &dyn ObjectStore,
    alg: TreeHashAlg,
    old: u64,
    new: Option<u64>,
) -> Result<ConsistencyProof, HttpError> {
    let reader = LogReader::new(store, alg);
    let (new, note) = checkpoint_of(&reader, new)?;
    if old > new {
        return Err(HttpError::new(
            400,
            format!("old={old} is larger than the checkpoint's size {new}"),
        ));
    }
    let proof = reader.consistency_proof(old, new).map_err(server)?;
    Ok(ConsistencyProof {
        old_size: old,
        new_size: new,
        proof: proof.iter().map(hex::encode).collect(),
        checkpoint: note,
    })
}

/// The published checkpoint of `size` (the latest when `None`), and its size.
fn checkpoint_of(reader: &LogReader<'_>, size: Option<u64>) -> Result<(u64, String), HttpError> {
    let note = match size {
        None => reader.checkpoint().map_err(server)?,
        Some(s) => reader.published_checkpoint(s).map_err(server)?,
    };
    let Some(note) = note else {
        return Err(HttpError::new(
            404,
            match size {
                Some(s) => format!("no checkpoint of size {s} was published by this log"),
                None => "this log has published no checkpoint".to_string(),
            },
        ));
    };
    let found = parse_note(&note)
        .ok()
        .and_then(|n| Checkpoint::parse(&n.text).ok())
        .map(|c| c.size)
        .ok_or_else(|| HttpError::new(500, "the published checkpoint does not parse"))?;
    if size.is_some_and(|s| s != found) {
        return Err(HttpError::new(
            500,
            format!("the published checkpoint of size {size:?} holds size {found}"),
        ));
    }
    let note = String::from_utf8(note)
        .map_err(|_| HttpError::new(500, "the published checkpoint is not UTF-8"))?;
    Ok((found, note))
}

fn server(e: impl std::fmt::Display) -> HttpError {
    HttpError::new(500, format!("cannot read the log: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::fixtures::{Fixture, chain};
    use crate::record::types::Hash32;

    #[test]
    fn proofs_against_published_checkpoints_verify() {
        let (f, mut log) = Fixture::new();
        let (items, _) = chain(&f, 0, Hash32([0; 32]), 4);
        log.append(&items).unwrap();
        log.checkpoint(1_772_358_000).unwrap();
        let public = crate::store::FsStore::open(f.path().join("public")).unwrap();
        let alg = TreeHashAlg::Sha256;
        let size = log.size();
        let p = inclusion(&public, alg, 2, None).unwrap();
        assert_eq!(p.tree_size, size);
        assert_eq!(p.leaf_hash, hex::encode(alg.leaf(&items[1].record)));
        let e = inclusion(&public, alg, size, None).unwrap_err();
        assert_eq!(e.status, 404);
        assert!(
            e.message
                .starts_with(&format!("leaf {size} is not covered"))
        );
        let e = inclusion(&public, alg, 0, Some(size + 7)).unwrap_err();
        assert_eq!(
            (e.status, e.message),
            (
                404,
                format!(
                    "no checkpoint of size {} was published by this log",
                    size + 7
                )
            )
        );
        let c = consistency(&public, alg, 1, Some(size)).unwrap();
        assert_eq!(c.new_size, size);
        assert!(!c.proof.is_empty());
        assert_eq!(
            consistency(&public, alg, size + 1, None)
                .unwrap_err()
                .status,
            400
        );
    }
}

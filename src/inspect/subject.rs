//! "Who accessed this person's data": the records whose sealed fields open to one value.
//!
//! The value is matched exactly as it was committed (docs/FORMAT.md §7): a text value, its
//! bytes as given, no case folding, trimming or Unicode normalisation; a list field (e.g.
//! `subjects`) matches when one of its items is the value. Each candidate comes from the
//! sealed-value index ([`super::sealed_index`]), is read back from its sealed object,
//! authenticated by its leaf hash against the checkpoint ([`super::Inspector::fetch`]), and
//! its disclosure is checked against the record's commitment before it is returned.

use crate::record::Record;
use crate::record::kinds::Body;
use crate::record::kinds::legal_hold::HoldAction;
use crate::record::sealed::{Disclosure, FieldPath, PathElem, SealedValue};
use crate::tree::Hash;

use super::sealed_index::{SealedIndex, SealedIndexError, holds};
use super::{InspectError, Inspector};

/// Why a search could not run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SubjectError {
    #[error("{place}: the value is not UTF-8 text: {reason}")]
    NotText { place: String, reason: String },
    #[error("{place}: the value is empty")]
    Empty { place: String },
    #[error("{place}: the value holds a line break inside it; give one value per file")]
    Multiline { place: String },
    #[error(transparent)]
    Index(#[from] SealedIndexError),
    #[error(transparent)]
    Inspect(#[from] InspectError),
}

/// The value in a value file: its UTF-8 text with exactly one trailing line feed (`\n`)
/// removed if present; nothing else is changed (a `\r` before it, spaces, case stay).
pub fn value_from_file(place: &str, bytes: &[u8]) -> Result<String, SubjectError> {
    let text = std::str::from_utf8(bytes).map_err(|e| SubjectError::NotText {
        place: place.to_string(),
        reason: e.to_string(),
    })?;
    let text = text.strip_suffix('\n').unwrap_or(text);
    if text.is_empty() {
        return Err(SubjectError::Empty {
            place: place.to_string(),
        });
    }
    if text.contains('\n') {
        return Err(SubjectError::Multiline {
            place: place.to_string(),
        });
    }
    Ok(text.to_string())
}

/// Whether the disclosure's path is one of `fields` (any when empty): equal, or equal once
/// its list indices are dropped (`recipients` matches `recipients.0`).
pub fn field_selected(path: &FieldPath, fields: &[FieldPath]) -> bool {
    if fields.is_empty() {
        return true;
    }
    let names = FieldPath(
        path.0
            .iter()
            .filter(|e| matches!(e, PathElem::Name(_)))
            .cloned()
            .collect(),
    );
    fields.iter().any(|f| f == path || *f == names)
}

/// One authenticated record whose sealed field opens to the value.
#[derive(Debug, Clone)]
pub struct Found {
    pub leaf: u64,
    pub leaf_hash: Hash,
    pub record: Record,
    /// The retention group and key generation its disclosures are sealed under.
    pub group: String,
    pub gen_: u64,
    /// The fields that hold the value.
    pub matched: Vec<FieldPath>,
    /// Every disclosure of the record that opened its commitment.
    pub disclosures: Vec<Disclosure>,
}

/// A candidate that did not hold: refused by the read layer, or its disclosure does not
/// open the record's commitment.
#[derive(Debug)]
pub struct Rejected {
    pub leaf: u64,
    pub reason: String,
}

/// Every record whose sealed field (among `fields`, all when empty) opens to `value`.
pub fn search(
    ins: &Inspector<'_>,
    index: &SealedIndex<'_>,
    value: &str,
    fields: &[FieldPath],
) -> Result<(Vec<Found>, Vec<Rejected>), SubjectError> {
    let value = SealedValue::Text(value.to_string());
    let mut found = Vec::new();
    let mut rejected = Vec::new();
    for hit in index.find(&value)? {
        if hit.leaf >= ins.head().size {
            // Appended after the checkpoint: not yet authenticated, not reported.
            continue;
        }
        let f = match ins.fetch(hit.leaf) {
            Ok(f) => f,
            Err(e @ InspectError::Refused { .. }) => {
                rejected.push(Rejected {
                    leaf: hit.leaf,
                    reason: e.to_string(),
                });
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        let sealed = &f.record.payload().sealed;
        let mut opened = Vec::new();
        let mut bad = None;
        for d in hit.disclosures {
            match sealed.iter().find(|(p, _)| *p == d.path) {
                Some((_, c)) if *c == d.commitment() => opened.push(d),
                _ => bad = Some(d.path.clone()),
            }
        }
        if let Some(p) = bad {
            rejected.push(Rejected {
                leaf: hit.leaf,
                reason: format!(
                    "the stored disclosure of {p} does not open the record's commitment \
                     (sealed-mismatch)"
                ),
            });
            continue;
        }
        let matched: Vec<FieldPath> = opened
            .iter()
            .filter(|d| holds(d, &value) && field_selected(&d.path, fields))
            .map(|d| d.path.clone())
            .collect();
        if matched.is_empty() {
            continue;
        }
        found.push(Found {
            leaf: f.leaf,
            leaf_hash: f.leaf_hash,
            record: f.record,
            group: hit.group,
            gen_: hit.gen_,
            matched,
            disclosures: opened,
        });
    }
    Ok((found, rejected))
}

/// The retention state of one sealed field of a found record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldState {
    /// Its disclosure is stored and opened its commitment.
    Present,
    /// No disclosure is stored; these retention deletions (leaf, `producer#seq`) name it.
    Erased { by: Vec<(u64, String)> },
    /// No disclosure is stored and no retention deletion in the log names it.
    NotStored,
}

/// The retention state of a found record: per sealed field, and the legal holds on it.
#[derive(Debug, Clone)]
pub struct Retention {
    pub fields: Vec<(FieldPath, FieldState)>,
    /// Legal-hold records naming it: (leaf, hold id, set or release).
    pub holds: Vec<(u64, String, &'static str)>,
}

/// Where each sealed field of `f` stands: present, erased under which deletion, held.
pub fn retention(ins: &Inspector<'_>, f: &Found) -> Result<Retention, InspectError> {
    let fetched = super::Fetched {
        leaf: f.leaf,
        leaf_hash: f.leaf_hash,
        record: f.record.clone(),
    };
    let links = ins.referenced_by(&fetched)?;
    let mut deletions = Vec::new();
    let mut holds = Vec::new();
    for l in &links {
        let Ok(g) = &l.to else { continue };
        let p = g.record.payload();
        match &p.body {
            Body::RetentionDeletion(rd) => {
                deletions.push((g.leaf, format!("{}#{}", p.producer, p.seq), rd))
            }
            Body::LegalHold(h) => holds.push((
                g.leaf,
                h.hold_id.as_str().to_string(),
                match h.action {
                    HoldAction::Set => "set",
                    HoldAction::Release => "release",
                },
            )),
            _ => {}
        }
    }
    let fields = f
        .record
        .payload()
        .sealed
        .iter()
        .map(|(path, _)| {
            if f.disclosures.iter().any(|d| d.path == *path) {
                return (path.clone(), FieldState::Present);
            }
            let by: Vec<(u64, String)> = deletions
                .iter()
                .filter(|(_, _, rd)| {
                    rd.targets
                        .iter()
                        .any(|t| super::refs::covers(t, &fetched) && t.matches_field(path))
                })
                .map(|(l, n, _)| (*l, n.clone()))
                .collect();
            let state = match by.is_empty() {
                true => FieldState::NotStored,
                false => FieldState::Erased { by },
            };
            (path.clone(), state)
        })
        .collect();
    Ok(Retention { fields, holds })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_trailing_line_feed_is_dropped_nothing_else() {
        assert_eq!(value_from_file("f", b"sub-1\n").unwrap(), "sub-1");
        assert_eq!(value_from_file("f", b"sub-1").unwrap(), "sub-1");
        assert_eq!(value_from_file("f", b"sub-1\r\n").unwrap(), "sub-1\r");
        assert_eq!(value_from_file("f", b" sub-1 ").unwrap(), " sub-1 ");
        assert!(matches!(
            value_from_file("f", b"a\n\n"),
            Err(SubjectError::Multiline { .. })
        ));
        assert!(matches!(
            value_from_file("f", b"\n"),
            Err(SubjectError::Empty { .. })
        ));
        assert!(matches!(
            value_from_file("f", b"\xff"),
            Err(SubjectError::NotText { .. })
        ));
    }

    #[test]
    fn fields_select_by_path_or_by_names() {
        let p = |s: &str| FieldPath::parse(s).unwrap();
        assert!(field_selected(&p("recipients.0"), &[p("recipients")]));
        assert!(field_selected(&p("actor.user"), &[p("actor.user")]));
        assert!(!field_selected(&p("actor.user"), &[p("subject")]));
        assert!(field_selected(&p("query"), &[]));
    }
}

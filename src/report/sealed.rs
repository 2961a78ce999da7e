//! On-site statistics over sealed fields of data-access records (`logseal report --sealed`),
//! e.g. accesses per official (`actor.user`): each counted record's disclosure of the field
//! is checked against its commitment before its value is counted. The command that feeds
//! this logs its own data-access record first (naming the leaf range and fields in
//! `revealed_ranges`); this module only counts.
//!
//! Memory: one entry per distinct value of each field (officials, case references), nothing
//! per record.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::record::Payload;
use crate::record::kinds::Body;
use crate::record::sealed::{Disclosure, FieldPath, SealedValue};

/// The sealed fields of `data-access` that statistics may count by: single values that name
/// who accessed, under which case or order, and about whom.
pub const COUNTABLE: &[&str] = &[
    "actor.user",
    "actor.on_behalf_of",
    "case_ref",
    "order_ref",
    "subject",
];

/// Values listed in the text report per field; JSON and CSV list all.
pub const TOP: usize = 20;

/// Accesses counted by the value of one sealed field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldStats {
    /// The sealed field's path, e.g. `actor.user`.
    pub field: String,
    /// Data-access records carrying the field (a commitment).
    pub records: u64,
    /// Of those, counted: the disclosure is stored and opens the commitment.
    pub counted: u64,
    /// No disclosure stored (erased by retention, or lost): not counted.
    pub not_stored: u64,
    /// The stored disclosure does not open the commitment: not counted.
    pub mismatched: Vec<u64>,
    /// Each value with its count, most first (ties by value).
    pub per_value: Vec<(String, u64)>,
}

/// Statistics over sealed fields, counted up to the report's checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SealedStats {
    /// The access record logged before any value was read: leaf, `producer#seq`, checkpoint.
    pub logged: serde_json::Value,
    pub fields: Vec<FieldStats>,
}

/// The running count of [`SealedStats`].
#[derive(Debug)]
pub struct SealedTally {
    fields: Vec<(FieldPath, Tally)>,
}

#[derive(Debug, Default)]
struct Tally {
    records: u64,
    not_stored: u64,
    mismatched: Vec<u64>,
    values: BTreeMap<String, u64>,
}

/// Why a field cannot be counted by.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("--sealed {field}: {why}")]
pub struct NotCountable {
    pub field: String,
    pub why: String,
}

/// The fields to count by, each checked against [`COUNTABLE`], none twice.
pub fn parse_fields(fields: &[String]) -> Result<Vec<FieldPath>, NotCountable> {
    let mut out: Vec<FieldPath> = Vec::new();
    for f in fields {
        let bad = |why: String| NotCountable {
            field: f.clone(),
            why,
        };
        if !COUNTABLE.contains(&f.as_str()) {
            return Err(bad(format!(
                "not a field statistics count by (one of: {})",
                COUNTABLE.join(", ")
            )));
        }
        let p = FieldPath::parse(f).map_err(|e| bad(e.to_string()))?;
        if out.contains(&p) {
            return Err(bad("given twice".into()));
        }
        out.push(p);
    }
    Ok(out)
}

impl SealedTally {
    pub fn new(fields: Vec<FieldPath>) -> SealedTally {
        SealedTally {
            fields: fields.into_iter().map(|f| (f, Tally::default())).collect(),
        }
    }

    /// Whether `p` is a record this tally reads the disclosures of.
    pub fn wants(&self, p: &Payload) -> bool {
        matches!(p.body, Body::DataAccess(_))
            && self
                .fields
                .iter()
                .any(|(f, _)| p.sealed.iter().any(|(q, _)| q == f))
    }

    /// Count the data-access record at `leaf` with the disclosures stored for it.
    pub fn add(&mut self, leaf: u64, p: &Payload, stored: &[Disclosure]) {
        if !matches!(p.body, Body::DataAccess(_)) {
            return;
        }
        for (field, t) in &mut self.fields {
            let Some((_, c)) = p.sealed.iter().find(|(q, _)| q == field) else {
                continue;
            };
            t.records += 1;
            match stored.iter().find(|d| d.path == *field) {
                None => t.not_stored += 1,
                Some(d) if d.commitment() != *c => t.mismatched.push(leaf),
                Some(d) => *t.values.entry(value_text(&d.value)).or_default() += 1,
            }
        }
    }

    pub fn finish(self, logged: serde_json::Value) -> SealedStats {
        let fields = self
            .fields
            .into_iter()
            .map(|(f, t)| {
                let mut per_value: Vec<(String, u64)> = t.values.into_iter().collect();
                per_value.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
                FieldStats {
                    field: f.to_string(),
                    records: t.records,
                    counted: per_value.iter().map(|(_, n)| n).sum(),
                    not_stored: t.not_stored,
                    mismatched: t.mismatched,
                    per_value,
                }
            })
            .collect();
        SealedStats { logged, fields }
    }
}

/// A counted value as text: text as is, bytes in hex, numbers in decimal.
fn value_text(v: &SealedValue) -> String {
    match v {
        SealedValue::Text(s) => s.clone(),
        SealedValue::Bytes(b) => hex::encode(b),
        SealedValue::Uint(u) => u.to_string(),
        SealedValue::List(items) => items.iter().map(value_text).collect::<Vec<_>>().join(","),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_countable_fields_once() {
        assert!(parse_fields(&["actor.user".into(), "case_ref".into()]).is_ok());
        let e = parse_fields(&["subjects".into()]).unwrap_err();
        assert!(e.to_string().contains("--sealed subjects"), "{e}");
        let e = parse_fields(&["actor.user".into(), "actor.user".into()]).unwrap_err();
        assert!(e.to_string().contains("given twice"), "{e}");
    }

    #[test]
    fn counts_opened_values_and_names_what_did_not_open() {
        use crate::log::fixtures;
        let user = FieldPath::parse("actor.user").unwrap();
        let key = crate::crypto::SecretKey::from_seed(&[2; 32]);
        let item = fixtures::access(20, crate::record::types::Hash32([7; 32]), &key, "o/x");
        let record = crate::record::Record::decode(&item.record).unwrap();
        let payload = record.payload().clone();
        let disclosures = item.disclosures.clone();
        let mut t = SealedTally::new(vec![user.clone()]);
        assert!(t.wants(&payload));
        t.add(0, &payload, &disclosures);
        t.add(1, &payload, &disclosures);
        t.add(2, &payload, &[]);
        let mut forged = disclosures.clone();
        for d in &mut forged {
            if d.path == user {
                d.value = SealedValue::Text("someone-else".into());
            }
        }
        t.add(3, &payload, &forged);
        let s = t.finish(serde_json::Value::Null);
        let f = &s.fields[0];
        assert_eq!(f.records, 4);
        assert_eq!(f.counted, 2);
        assert_eq!(f.per_value, vec![("officer-0".to_string(), 2)]);
        assert_eq!(f.not_stored, 1);
        assert_eq!(f.mismatched, vec![3]);
    }
}

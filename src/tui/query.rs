//! The little languages of the prompts: the filter (`/`) and the jump (`:`), parsed into
//! [`Query`] and [`Target`]. Pure.

use crate::inspect::fields;
use crate::record::types::Timestamp;

use super::data::{Query, Target};

/// The verdict marks a filter may ask for.
pub const VERDICTS: &[&str] = &["violated", "undetermined", "notice", "ok", "pending"];

fn time(name: &str, value: &str) -> Result<Timestamp, String> {
    Timestamp::parse_rfc3339(value)
        .map(|(t, _)| t)
        .map_err(|e| format!("{name}={value}: not an RFC 3339 time ({e})"))
}

/// Parse a filter: `kind=K producer=P since=T until=T verdict=V PATH=VALUE words…`.
pub fn parse_query(text: &str) -> Result<Query, String> {
    let mut q = Query::default();
    for term in text.split_whitespace() {
        let Some((name, value)) = term.split_once('=') else {
            q.words.push(term.to_lowercase());
            continue;
        };
        if name.is_empty() || value.is_empty() {
            return Err(format!("{term}: a condition is NAME=VALUE"));
        }
        match name {
            "since" => q.filter.since = Some(time(name, value)?),
            "until" => q.filter.until = Some(time(name, value)?),
            "verdict" if VERDICTS.contains(&value) => q.verdict = Some(value.to_string()),
            "verdict" => {
                return Err(format!("verdict={value}: one of {}", VERDICTS.join(", ")));
            }
            _ => q.filter.add(name, value),
        }
    }
    Ok(q)
}

/// Whether the record's public fields hold every word of `q` (case-insensitive).
pub fn words_match(q: &Query, record: &crate::record::Record) -> bool {
    if q.words.is_empty() {
        return true;
    }
    let all: Vec<String> = fields::public_fields(record)
        .into_iter()
        .map(|f| f.value.to_lowercase())
        .collect();
    q.words.iter().all(|w| all.iter().any(|v| v.contains(w)))
}

/// Parse a jump target: a leaf index, `producer#seq`, or an RFC 3339 time.
pub fn parse_target(text: &str) -> Result<Target, String> {
    let t = text.trim();
    if let Ok(leaf) = t.parse::<u64>() {
        return Ok(Target::Leaf(leaf));
    }
    if let Some((p, seq)) = t.rsplit_once('#') {
        return match (p.is_empty(), seq.parse::<u64>()) {
            (false, Ok(seq)) => Ok(Target::Seq(p.to_string(), seq)),
            _ => Err(format!("{t:?}: PRODUCER#SEQ needs a producer and a number")),
        };
    }
    match Timestamp::parse_rfc3339(t) {
        Ok((ts, _)) => Ok(Target::Time(ts.0)),
        Err(_) => Err(format!(
            "{t:?} is not a leaf index (380), PRODUCER#SEQ (notifier#3) or an RFC 3339 time"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_parse_into_conditions_times_words_and_a_verdict() {
        let q = parse_query("kind=appeal-decision since=2026-03-01T00:00:00Z verdict=violated Zoë")
            .unwrap();
        assert_eq!(q.filter.conditions.len(), 1);
        assert!(q.filter.since.is_some());
        assert_eq!(q.verdict.as_deref(), Some("violated"));
        assert_eq!(q.words, vec!["zoë".to_string()]);
        assert!(parse_query("verdict=bad").unwrap_err().contains("one of"));
        assert!(
            parse_query("since=yesterday")
                .unwrap_err()
                .contains("RFC 3339")
        );
        assert!(parse_query("=x").is_err());
    }

    #[test]
    fn targets_are_leaves_seqs_or_times() {
        assert_eq!(parse_target("380"), Ok(Target::Leaf(380)));
        assert_eq!(
            parse_target("appeals#1"),
            Ok(Target::Seq("appeals".into(), 1))
        );
        assert!(matches!(
            parse_target("2026-03-17T00:00:00Z"),
            Ok(Target::Time(_))
        ));
        assert!(parse_target("#1").is_err());
        assert!(parse_target("soon").is_err());
    }
}

//! The rules a record must obey beyond its CBOR types, each with a stable id.
//!
//! Owns: [`RULES`], the one table of every rule the decoder and validator enforce that the
//! CDDL schemas cannot state (required combinations, ranges, list lengths and uniqueness,
//! enumeration closure, text rules, sealed-field rules); [`Violation`], the error a kind's
//! check returns, naming its rule; and the docs/FORMAT.md sections generated from the code's
//! tables ([`generated_sections`]: the rules, and every kind's sealed fields), which
//! `cargo run --bin xtask -- all` writes between marker comments.
//!
//! Every error that breaks a rule says `(rule <id>)`. Tests hold the table, the code and the
//! spec together: each id the code names is in the table and each id of the table is named
//! by the code (`src/record/rules.rs` tests), each rule has a record that breaks it and is
//! rejected with its id (`tests/format_rules.rs`), and docs/FORMAT.md holds exactly the
//! generated text.

/// One rule: a stable id `<scope>.<name>`, the scope it applies to (`envelope`, `text`,
/// `enum`, `sealed`, `target`, or a kind's name), and its statement for implementers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub id: &'static str,
    pub kind: &'static str,
    pub text: &'static str,
}

/// A broken rule: its id and a message that names the field (`<field>: …`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub rule: &'static str,
    pub message: String,
}

impl Violation {
    /// A violation of `rule`, which must be an id of [`RULES`] (checked in debug builds).
    pub fn new(rule: &'static str, message: impl Into<String>) -> Self {
        debug_assert!(find(rule).is_some(), "rule {rule} is not in RULES");
        Violation {
            rule,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (rule {})", self.message, self.rule)
    }
}

/// The rule with `id`.
pub fn find(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}

/// The id named by an error message's `(rule <id>)`, if any (the last one).
pub fn named_in(message: &str) -> Option<&str> {
    let start = message.rfind("(rule ")? + "(rule ".len();
    let end = start + message[start..].find(')')?;
    Some(&message[start..end])
}

macro_rules! rules {
    ($($id:literal, $kind:literal, $text:literal;)*) => {
        /// Every rule, grouped by scope, in the order the code checks them.
        pub static RULES: &[Rule] = &[$(Rule { id: $id, kind: $kind, text: $text },)*];
    };
}

rules! {
    "envelope.version", "envelope",
        "`version` (key 0) is 1.";
    "envelope.known-keys", "envelope",
        "No payload key other than 0–14.";
    "envelope.required-keys", "envelope",
        "Keys 0, 1, 2, 3, 4, 5, 11, 13 and 14 are present.";
    "envelope.commitment-size", "envelope",
        "Every value of `sealed` (key 14) is a 32-byte byte string.";
    "envelope.chain-start-prev", "envelope",
        "`seq` 0 has an all-zero `prev`.";
    "envelope.zero-prev-only-at-start", "envelope",
        "`seq` > 0 has a `prev` that is not all zeros.";
    "envelope.utc-offset-range", "envelope",
        "`utc_offset_minutes`, if present, is within −1080..=1080 (compare the magnitude without overflow: −32768 is out of range).";
    "envelope.retention-rule-ref", "envelope",
        "`retention_rule`, if present, is `id@version`: exactly one `@`, both sides non-empty.";
    "envelope.sealed-path-allowed", "envelope",
        "Every path in `sealed` matches a sealed field of the kind (§7.4).";
    "envelope.sealed-path-required", "envelope",
        "Every sealed field the kind requires (§7.4) has a path in `sealed`.";
    "enum.closed", "enum",
        "An enumeration (the kind, the status, every enumeration of a body) takes only the codes its CDDL lists; any other unsigned integer is rejected.";
    "text.non-empty", "text",
        "An identifier, free text or producer id is not empty.";
    "text.no-control", "text",
        "No control character (general category Cc); free text may hold line feed (U+000A) and tab (U+0009).";
    "text.no-bidi", "text",
        "No bidirectional or invisible formatting character: U+061C, U+200B–U+200F, U+202A–U+202E, U+2060–U+2069, U+FEFF.";
    "text.length", "text",
        "An identifier has at most 256 characters (Unicode scalar values), a free text at most 4,096, a producer id at most 64 bytes.";
    "text.nfc", "text",
        "Identifiers and free text are in Unicode Normalization Form C under the Unicode version of §8.1; never normalised by the verifier.";
    "text.producer-id-chars", "text",
        "A producer id is `[a-z0-9]` followed by `[a-z0-9._-]*`.";
    "sealed.path-form", "sealed",
        "A field path has 1 to 8 elements, the first a name; a name is `[a-z_][a-z0-9_]{0,63}`, an index an unsigned integer.";
    "sealed.value-class", "sealed",
        "A sealed value is text, bytes, an unsigned integer or a one-level list of those, and of its path's class (§7.2).";
    "sealed.list-length", "sealed",
        "A sealed list value has at most 100,000 items.";
    "target.targets-list", "target",
        "`targets` is not empty and has at most 1,024 entries.";
    "target.seq-needs-producer", "target",
        "A target with `range` seq names its `producer`.";
    "target.leaf-no-producer", "target",
        "A target with `range` leaf has no `producer`.";
    "target.range-ordered", "target",
        "A target's `last` is not less than its `first`.";
    "target.fields-list", "target",
        "A target's `fields` has no entry twice and at most 64 entries.";
    "target.field-pattern", "target",
        "Each entry of a target's `fields` is `.`-separated parts, each `*` or a non-empty `[a-z0-9_]+`.";
    "data-access.destination-country-alpha2", "data-access",
        "`destination_country` is an ISO 3166-1 alpha-2 code (two ASCII capital letters).";
    "data-access.destination-only-for-transfer", "data-access",
        "`destination_country` is present only when `action` is transfer.";
    "data-access.data-categories-non-empty", "data-access",
        "`data_categories` is not empty.";
    "data-access.data-categories-unique", "data-access",
        "`data_categories` has no entry twice.";
    "data-access.revealed-list", "data-access",
        "`revealed`, when present, has 1 to 10,000 entries.";
    "data-access.revealed-field-path", "data-access",
        "Each `field` of `revealed` is a sealed-field path in dotted form (§7.1).";
    "data-access.revealed-unique", "data-access",
        "`revealed` names no (leaf, field) twice.";
    "data-access.revealed-range-list", "data-access",
        "`revealed_ranges`, when present, has 1 to 1,000 entries.";
    "data-access.revealed-range-order", "data-access",
        "Each entry of `revealed_ranges` has `first` <= `last`.";
    "data-access.revealed-range-field-path", "data-access",
        "Each `field` of `revealed_ranges` is a sealed-field path in dotted form (§7.1).";
    "data-access.revealed-range-unique", "data-access",
        "`revealed_ranges` names no (first, last, field) twice.";
    "account-sanction.some-decision", "account-sanction",
        "At least one decision: `decision_visibility` not empty, or `decision_monetary`, `decision_provision` or `decision_account` present.";
    "account-sanction.decision-visibility-unique", "account-sanction",
        "`decision_visibility` has no entry twice.";
    "account-sanction.services-affected-list", "account-sanction",
        "`services_affected` has no entry twice and at most 64 entries.";
    "account-sanction.territorial-scope-list", "account-sanction",
        "`territorial_scope` has no entry twice and at most 64 entries.";
    "account-sanction.territorial-scope-alpha2", "account-sanction",
        "Each entry of `territorial_scope` is an ISO 3166-1 alpha-2 code (two ASCII capital letters).";
    "account-sanction.category-specification-list", "account-sanction",
        "`category_specification` has no entry twice and at most 64 entries.";
    "account-sanction.content-type-non-empty", "account-sanction",
        "`content_type` is not empty.";
    "account-sanction.content-type-unique", "account-sanction",
        "`content_type` has no entry twice.";
    "account-sanction.end-date-needs-decision", "account-sanction",
        "Each `end_date_*_restriction` is present only with its decision: account with `decision_account`, monetary with `decision_monetary`, service with `decision_provision`, visibility with a non-empty `decision_visibility`.";
    "account-sanction.end-date-after-application", "account-sanction",
        "No `end_date_*_restriction` is before `application_date`.";
    "account-sanction.illegal-needs-legal-ground", "account-sanction",
        "`decision_ground` DECISION_GROUND_ILLEGAL_CONTENT requires `illegal_content_legal_ground`.";
    "account-sanction.incompatible-needs-ground", "account-sanction",
        "`decision_ground` DECISION_GROUND_INCOMPATIBLE_CONTENT requires `incompatible_content_ground`.";
    "account-sanction.illegal-excludes-incompatible-ground", "account-sanction",
        "`decision_ground` DECISION_GROUND_ILLEGAL_CONTENT excludes `incompatible_content_ground`.";
    "account-sanction.incompatible-needs-terms-clause", "account-sanction",
        "`decision_ground` DECISION_GROUND_INCOMPATIBLE_CONTENT requires `terms_clause` (DSA 17(3)(e)).";
    "account-sanction.detection-is-automated", "account-sanction",
        "A `detection` whose `method` is not notice requires `automated_detection` true.";
    "account-sanction.hash-needs-algorithm", "account-sanction",
        "`detection.method` cryptographic-hash or perceptual-hash requires `detection.hash_algorithm`.";
    "account-sanction.hash-needs-list", "account-sanction",
        "`detection.method` cryptographic-hash or perceptual-hash requires `detection.hash_list`.";
    "account-sanction.no-hash-no-algorithm", "account-sanction",
        "`detection.method` classifier or notice excludes `detection.hash_algorithm`.";
    "account-sanction.no-hash-no-list", "account-sanction",
        "`detection.method` classifier or notice excludes `detection.hash_list`.";
    "account-sanction.hash-algorithm-matches-method", "account-sanction",
        "`detection.hash_algorithm` is perceptual (photodna, pdq) exactly when `detection.method` is perceptual-hash (md5 and sha-1 go with cryptographic-hash).";
    "account-sanction.distance-only-perceptual", "account-sanction",
        "`detection.perceptual_distance` and `detection.threshold` are present only when `detection.method` is perceptual-hash.";
    "account-sanction.review-done-details", "account-sanction",
        "`human_review.done` true requires `human_review.time`, `human_review.outcome` and `human_review.qualification`.";
    "account-sanction.review-excludes-fully-automated", "account-sanction",
        "`human_review.done` true excludes `automated_decision` AUTOMATED_DECISION_FULLY.";
    "account-sanction.review-not-done-no-details", "account-sanction",
        "`human_review.done` false excludes `qualification`, `time` and `outcome`.";
    "notification.statement-redress-unique", "notification",
        "`statement.redress` has no entry twice.";
    "notification.language-tag", "notification",
        "`language` has the shape of a BCP 47 tag: a primary subtag of 2–8 ASCII letters, then `-`-separated subtags of 1–8 ASCII letters or digits.";
    "appeal.out-of-court-needs-body", "appeal",
        "`channel` out-of-court-body requires `settlement_body`.";
    "appeal.body-only-out-of-court", "appeal",
        "`settlement_body` is present only when `channel` is out-of-court-body.";
    "appeal-decision.review-needs-qualification", "appeal-decision",
        "`human_review` true requires `reviewer_qualification`.";
    "appeal-decision.qualification-only-with-review", "appeal-decision",
        "`human_review` false excludes `reviewer_qualification`.";
    "appeal-decision.upheld-not-reinstated", "appeal-decision",
        "`outcome` upheld requires `reinstated` false.";
    "appeal-decision.communicated-after-decided", "appeal-decision",
        "`communicated_at`, when present, is not before `decided_at`.";
    "obligation-policy.rules-list", "obligation-policy",
        "`rules` is not empty and has at most 256 entries.";
    "obligation-policy.rule-id-no-at", "obligation-policy",
        "A rule's `id` contains no `@`.";
    "obligation-policy.rule-ids-unique", "obligation-policy",
        "No two rules have the same `id`.";
    "obligation-policy.rule-lists", "obligation-policy",
        "A rule's `producers`, `legal_bases`, `followers` and `redress` each have at most 64 entries and no entry twice.";
    "obligation-policy.deadline-required", "obligation-policy",
        "A `rule` break-glass-justified, statement-of-reasons or appeal-deadline requires `deadline_seconds`.";
    "obligation-policy.order-required-needs-bases", "obligation-policy",
        "A `rule` order-required lists at least one entry in `legal_bases`.";
    "retention-policy.rules-list", "retention-policy",
        "`rules` is not empty and has at most 256 entries.";
    "retention-policy.rule-id-no-at", "retention-policy",
        "A rule's `id` contains no `@`.";
    "retention-policy.rule-kinds-unique", "retention-policy",
        "A rule's `kinds` has no entry twice.";
    "retention-policy.rule-data-categories-list", "retention-policy",
        "A rule's `data_categories` has no entry twice and at most 64 entries.";
    "retention-policy.rule-conditions-unique", "retention-policy",
        "A rule's `conditions` has no entry twice.";
    "retention-policy.timed-needs-period", "retention-policy",
        "A `rule` minimum or cap requires `period`.";
    "retention-policy.period-positive", "retention-policy",
        "`period.count` is at least 1.";
    "retention-policy.timed-needs-trigger", "retention-policy",
        "A `rule` minimum or cap requires `trigger`.";
    "retention-policy.calendar-needs-time-zone", "retention-policy",
        "A calendar rule (`period.unit` months or years, or `align` present) requires `time_zone`.";
    "retention-policy.hold-override-untimed", "retention-policy",
        "A `rule` hold-override has no `period`, `trigger`, `align` or `time_zone`.";
    "retention-policy.hold-override-needs-condition", "retention-policy",
        "A `rule` hold-override has at least one entry in `conditions`.";
    "retention-policy.rule-ids-unique", "retention-policy",
        "No two rules have the same `id`.";
    "retention-deletion.rule-ref", "retention-deletion",
        "`rule` is `id@version`: exactly one `@`, both sides non-empty.";
    "retention-deletion.loss-is-erase-disclosure", "retention-deletion",
        "`exception_ground` disclosure-lost requires `method` erase-disclosure.";
    "retention-deletion.shred-needs-key-id", "retention-deletion",
        "`method` crypto-shred requires `shredded_key_id`.";
    "retention-deletion.key-id-only-shred", "retention-deletion",
        "`method` erase-disclosure excludes `shredded_key_id`.";
    "retention-review.rule-ref", "retention-review",
        "`rule` is `id@version`: exactly one `@`, both sides non-empty.";
    "retention-review.keep-needs-next-review", "retention-review",
        "`decision` keep requires `next_review_at`.";
    "retention-review.erase-no-next-review", "retention-review",
        "`decision` erase excludes `next_review_at`.";
    "retention-review.next-review-after-review", "retention-review",
        "`next_review_at` is after `reviewed_at`.";
    "legal-hold.scope-list", "legal-hold",
        "`scope` has at most 512 entries and no entry twice.";
    "legal-hold.set-needs-scope", "legal-hold",
        "`action` set requires a non-empty `scope`.";
    "legal-hold.set-by-only-release", "legal-hold",
        "`action` set excludes `set_by`.";
    "legal-hold.release-needs-set-by", "legal-hold",
        "`action` release requires `set_by` (the legal-hold record that set the hold).";
    "legal-hold.until-only-set", "legal-hold",
        "`action` release excludes `until`.";
    "case-status.scope-list", "case-status",
        "`scope` has at most 512 entries and no entry twice.";
    "case-status.complaint-only-for-complaint-event", "case-status",
        "`complaint` is present only when `event` is complaint-pending or complaint-resolved.";
    "authorisation.legal-bases-list", "authorisation",
        "`legal_bases` has no entry twice and at most 64 entries.";
    "authorisation.grant-needs-legal-basis", "authorisation",
        "`action` grant requires a non-empty `legal_bases`.";
    "authorisation.valid-until-after-from", "authorisation",
        "For `action` grant, `valid_until`, if present, is after `valid_from`.";
    "authorisation.revoke-no-legal-bases", "authorisation",
        "`action` revoke requires an empty `legal_bases`.";
    "authorisation.revoke-no-valid-until", "authorisation",
        "`action` revoke excludes `valid_until`.";
    "key-registration.public-key-valid", "key-registration",
        "`public_key` is a valid Ed25519 public key: a canonical encoding of a curve point not of small order (the rules of §5).";
    "key-registration.kinds-non-empty", "key-registration",
        "`kinds` is not empty.";
    "key-registration.kinds-unique", "key-registration",
        "`kinds` has no entry twice.";
    "key-revocation.public-key-valid", "key-revocation",
        "`public_key` is a valid Ed25519 public key (as for key-registration).";
    "key-revocation.compromised-since-only-compromise", "key-revocation",
        "`compromised_since` is present only when `reason` is compromise.";
    "producer-reset.last-known-together", "producer-reset",
        "`last_known_seq` and `last_known_head` are both present or both absent.";
    "policy-publication.publishes-something", "policy-publication",
        "At least one of `terms`, `hash_list` or a non-empty `thresholds`.";
    "policy-publication.clauses-list", "policy-publication",
        "`terms.clauses` has at most 512 entries and no `clause_id` twice.";
    "policy-publication.thresholds-unique", "policy-publication",
        "No two `thresholds` have the same `hash_algorithm`.";
    "policy-publication.thresholds-perceptual", "policy-publication",
        "Each threshold's `hash_algorithm` is perceptual (photodna or pdq).";
    "producer-heartbeat.cadence-positive", "producer-heartbeat",
        "`cadence_secs` is at least 1.";
    "producer-heartbeat.period-ordered", "producer-heartbeat",
        "`period_end` is not before `period_start`.";
    "producer-heartbeat.counter-names-unique", "producer-heartbeat",
        "No two `counters` have the same `name`.";
}

/// The spec, relative to the crate root.
pub const FORMAT_DOC: &str = "docs/FORMAT.md";
/// The generated sections of docs/FORMAT.md, by marker name.
pub const RULES_SECTION: &str = "record rules";
pub const SEALED_SECTION: &str = "sealed fields";

/// The line that opens the generated section `name` in docs/FORMAT.md.
pub fn begin_marker(name: &str) -> String {
    format!("<!-- BEGIN GENERATED: {name} (src/record/rules.rs; cargo run --bin xtask -- all) -->")
}

/// The line that closes it.
pub fn end_marker(name: &str) -> String {
    format!("<!-- END GENERATED: {name} -->")
}

/// Every generated section of docs/FORMAT.md: (marker name, text between the markers).
pub fn generated_sections() -> Vec<(&'static str, String)> {
    vec![
        (RULES_SECTION, render_markdown()),
        (SEALED_SECTION, render_sealed_markdown()),
    ]
}

/// The docs/FORMAT.md text for [`RULES`]: one table per scope, in table order.
pub fn render_markdown() -> String {
    let mut out = String::from(
        "\nGenerated from `src/record/rules.rs`; do not edit by hand. Every rule the decoder \
         and validator enforce beyond the CDDL types, with its stable id; a record that breaks \
         one MUST be rejected. Codes (§9): the rules checked while the payload is decoded \
         (`envelope.version`, `envelope.known-keys`, `envelope.required-keys`, \
         `envelope.commitment-size`, `enum.closed`, `text.*`, `sealed.path-form`) are \
         `payload-decode`; `envelope.sealed-path-allowed` and `envelope.sealed-path-required` \
         are `payload-unknown-sealed-field` and `payload-missing-sealed-field`; the other \
         envelope rules have their own `payload-*` codes; a kind's rules (and `target.*`) are \
         `payload-body`; in a disclosure, `sealed.value-class` and `sealed.list-length` are \
         `cbor-decode` when the value cannot be read and `sealed-bad-value` otherwise. logseal \
         checks the decoding rules in byte order, then the other envelope rules in the order \
         listed, then the kind's rules in the order listed, and names the first broken rule in \
         its message as `(rule <id>)`. Ids never change meaning; a new rule gets a new id.\n",
    );
    let mut scope = "";
    for r in RULES {
        if r.kind != scope {
            scope = r.kind;
            out.push_str(&format!(
                "\n**{}**\n\n| id | rule |\n|---|---|\n",
                scope_title(scope)
            ));
        }
        out.push_str(&format!("| `{}` | {} |\n", r.id, r.text));
    }
    out.push('\n');
    out
}

fn scope_title(scope: &str) -> String {
    match scope {
        "envelope" => "Envelope (payload keys 0–14)".into(),
        "enum" => "Enumerations".into(),
        "text" => "Text (§8)".into(),
        "sealed" => "Sealed fields (§7), in the payload and in disclosures".into(),
        "target" => "Targets (`targets` of retention-deletion and retention-review)".into(),
        kind => format!("`{kind}`"),
    }
}

/// The docs/FORMAT.md table of every kind's sealed fields, from the kinds' tables.
pub fn render_sealed_markdown() -> String {
    use super::sealed::ValueClass;
    let mut out = String::from(
        "\nGenerated from the kinds' tables (`src/record/kinds/*.rs`, `SEALED`); do not edit \
         by hand. `*` stands for any array index. A path not listed for its kind is \
         `envelope.sealed-path-allowed`, a required one missing `envelope.sealed-path-required`; \
         a disclosure's value must be of the path's class (`sealed.value-class`).\n\n\
         | kind | path | class | required | holds |\n|---|---|---|---|---|\n",
    );
    for kind in super::Kind::ALL {
        let specs = kind.sealed_specs();
        if specs.is_empty() {
            out.push_str(&format!("| `{kind}` | (none) | | | |\n"));
        }
        for s in specs {
            let class = match s.class {
                ValueClass::Identifier => "identifier",
                ValueClass::FreeText => "free text",
                ValueClass::Bytes => "bytes",
                ValueClass::IdentifierList => "identifier list",
            };
            out.push_str(&format!(
                "| `{kind}` | `{}` | {class} | {} | {} |\n",
                s.pattern(),
                if s.required { "yes" } else { "no" },
                s.doc.replace('|', "\\|")
            ));
        }
    }
    out.push('\n');
    out
}

/// Why a generated section could not be placed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{FORMAT_DOC}: no line {0:?}")]
pub struct SpliceError(String);

/// Byte range of the text between the markers of section `name` in `doc`.
fn between(doc: &str, name: &str) -> Result<std::ops::Range<usize>, SpliceError> {
    let (b, e) = (begin_marker(name), end_marker(name));
    let begin = doc.find(&b).ok_or_else(|| SpliceError(b.clone()))? + b.len();
    let end = doc[begin..].find(&e).ok_or(SpliceError(e))? + begin;
    Ok(begin..end)
}

/// `doc` with the text of section `name` replaced by `generated` (after a line break).
pub fn splice(doc: &str, name: &str, generated: &str) -> Result<String, SpliceError> {
    let r = between(doc, name)?;
    Ok(format!("{}\n{generated}{}", &doc[..r.start], &doc[r.end..]))
}

/// `doc` with every generated section rewritten.
pub fn splice_all(doc: &str) -> Result<String, SpliceError> {
    let mut out = doc.to_string();
    for (name, text) in generated_sections() {
        out = splice(&out, name, &text)?;
    }
    Ok(out)
}

/// The text of section `name` in `doc`, as [`splice`] writes it.
pub fn section<'a>(doc: &'a str, name: &str) -> Result<&'a str, SpliceError> {
    let r = between(doc, name)?;
    let s = &doc[r];
    Ok(s.strip_prefix('\n').unwrap_or(s))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;

    use super::*;
    use crate::record::Kind;

    const SCOPES: &[&str] = &["envelope", "enum", "text", "sealed", "target"];

    fn scopes() -> Vec<String> {
        let mut v: Vec<String> = SCOPES.iter().map(|s| s.to_string()).collect();
        v.extend(Kind::ALL.iter().map(|k| k.name().to_string()));
        v
    }

    /// Every rule id written in `text` as `"<scope>.<name>"` or `(rule <scope>.<name>)`.
    fn ids_in(text: &str, out: &mut BTreeSet<String>) {
        for scope in scopes() {
            for opener in ["\"", "(rule "] {
                let needle = format!("{opener}{scope}.");
                for (at, _) in text.match_indices(&needle) {
                    let rest = &text[at + needle.len()..];
                    let n = rest
                        .find(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'))
                        .unwrap_or(rest.len());
                    let close = if opener == "\"" { '"' } else { ')' };
                    if n > 0 && rest[n..].starts_with(close) {
                        out.insert(format!("{scope}.{}", &rest[..n]));
                    }
                }
            }
        }
    }

    fn walk(dir: &Path, out: &mut BTreeSet<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs")
                && path.file_name().is_some_and(|n| n != "rules.rs")
            {
                ids_in(&std::fs::read_to_string(&path).unwrap(), out);
            }
        }
    }

    /// The rule ids the decoder and validator name: every `.rs` under src/record (but this
    /// table) and src/cbor.rs.
    fn ids_in_code() -> BTreeSet<String> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut used = BTreeSet::new();
        walk(&root.join("record"), &mut used);
        ids_in(
            &std::fs::read_to_string(root.join("cbor.rs")).unwrap(),
            &mut used,
        );
        used
    }

    #[test]
    fn every_rule_the_code_names_is_in_the_table_and_back() {
        let used = ids_in_code();
        let table: BTreeSet<String> = RULES.iter().map(|r| r.id.to_string()).collect();
        let unlisted: Vec<_> = used.difference(&table).collect();
        assert!(
            unlisted.is_empty(),
            "rules the code enforces but RULES (and so docs/FORMAT.md) does not state: {unlisted:?}"
        );
        let unused: Vec<_> = table.difference(&used).collect();
        assert!(
            unused.is_empty(),
            "rules in RULES that no code names: {unused:?}"
        );
        assert!(RULES.len() >= 70, "{} rules", RULES.len());
    }

    #[test]
    fn the_scanner_sees_both_spellings() {
        let mut found = BTreeSet::new();
        ids_in(
            "x(\"legal-hold.scope-list\", ..) \"m (rule text.nfc)\" \"legal-hold.scope\" \"a.b\"",
            &mut found,
        );
        let want: BTreeSet<String> = ["legal-hold.scope-list", "text.nfc", "legal-hold.scope"]
            .map(String::from)
            .into();
        assert_eq!(found, want);
    }

    #[test]
    fn ids_are_unique_scoped_and_kebab_case() {
        let scopes = scopes();
        for (i, r) in RULES.iter().enumerate() {
            assert!(
                RULES[..i].iter().all(|o| o.id != r.id),
                "{} listed twice",
                r.id
            );
            let (scope, name) = r.id.split_once('.').unwrap();
            assert_eq!(scope, r.kind, "{}", r.id);
            assert!(scopes.iter().any(|s| s == scope), "{}", r.id);
            assert!(
                !name.is_empty()
                    && name
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{}",
                r.id
            );
            assert!(r.text.ends_with('.') && !r.text.contains('|'), "{}", r.id);
        }
    }

    #[test]
    fn a_violation_displays_its_rule_and_named_in_reads_it_back() {
        let v = Violation::new("legal-hold.until-only-set", "until: no");
        assert_eq!(v.to_string(), "until: no (rule legal-hold.until-only-set)");
        assert_eq!(named_in(&v.to_string()), Some("legal-hold.until-only-set"));
        assert_eq!(named_in("no rule here"), None);
    }

    #[test]
    fn splice_replaces_only_the_section() {
        let (b, e) = (begin_marker("x"), end_marker("x"));
        let doc = format!("a\n{b}\nold\n{e}\nb\n");
        let new = splice(&doc, "x", "new\n").unwrap();
        assert_eq!(new, format!("a\n{b}\nnew\n{e}\nb\n"));
        assert_eq!(section(&new, "x").unwrap(), "new\n");
        assert!(splice("no markers", "x", "y").is_err());
    }

    /// docs/FORMAT.md holds exactly what the tables generate (a rule added to the code and
    /// the table but not regenerated into the spec fails here).
    #[test]
    fn format_md_sections_are_generated_from_the_tables() {
        let doc = include_str!("../../docs/FORMAT.md");
        for (name, text) in generated_sections() {
            assert_eq!(
                section(doc, name).unwrap(),
                text,
                "docs/FORMAT.md section {name:?} is stale: run `cargo run --bin xtask -- all`"
            );
        }
        for r in RULES {
            assert!(doc.contains(&format!("| `{}` |", r.id)), "{}", r.id);
        }
    }
}

//! One realistic record per kind, in the JSON form [`crate::record::json::build_from_json`]
//! accepts, drawn from the built-in scenario (shared/scenario.md): A, a central
//! subscriber-data service queried by police officials; B, a cloud platform's account
//! sanctions after a hash-list match; and the registration, retention and hold records
//! around them. Every sealed field a kind allows is present, so tests and schema checks
//! exercise each path.
//!
//! Owns: the sample inputs only. Deterministic (digests and leaf hashes are BLAKE3 of fixed
//! labels, keys from fixed seeds); no I/O, no clock.

use serde_json::{Value, json};

use super::Kind;
use crate::crypto::SecretKey;

/// A 32-byte hex digest standing for a file, text or leaf: BLAKE3 of `label`.
fn digest(label: &str) -> String {
    hex::encode(blake3::hash(label.as_bytes()).as_bytes())
}

/// `bytes` with its first `n` bits flipped: a perceptual hash at Hamming distance `n`.
fn flip_bits(bytes: &[u8], n: usize) -> Vec<u8> {
    let mut out = bytes.to_vec();
    for i in 0..n {
        out[i / 8] ^= 0x80 >> (i % 8);
    }
    out
}

/// A 16-byte hex id (trace and operation ids).
fn id16(label: &str) -> String {
    hex::encode(&blake3::hash(label.as_bytes()).as_bytes()[..16])
}

/// A reference (producer, seq, leaf hash) to another sample record.
fn rref(producer: &str, seq: u64) -> Value {
    json!({
        "producer": producer,
        "seq": seq,
        "leaf_hash": digest(&format!("leaf {producer} {seq}"))
    })
}

/// The hex Ed25519 public key of a fixed seed.
fn public_key(seed: u8) -> String {
    hex::encode(SecretKey::from_seed(&[seed; 32]).public_key().as_bytes())
}

/// A record: the envelope fields of a producer's record `seq`, with `body`.
fn record(
    producer: &str,
    seq: u64,
    occurred_at: &str,
    activity: &str,
    retention_rule: &str,
    body: Value,
) -> Value {
    json!({
        "producer": producer,
        "seq": seq,
        "prev": digest(&format!("leaf {producer} {}", seq - 1)),
        "occurred_at": occurred_at,
        "processing_activity": format!("https://register.example/activities/{activity}"),
        "trace_id": id16(&format!("trace {producer} {seq}")),
        "operation_id": id16(&format!("operation {producer} {seq}")),
        "status": "ok",
        "retention_rule": retention_rule,
        "body": body,
    })
}

/// One sample record per kind, in [`Kind::ALL`] order.
pub fn samples() -> Vec<(Kind, Value)> {
    let all = vec![
        (Kind::DataAccess, data_access()),
        (Kind::AccountSanction, account_sanction()),
        (Kind::Notification, notification()),
        (Kind::Appeal, appeal()),
        (Kind::AppealDecision, appeal_decision()),
        (Kind::RetentionPolicy, retention_policy()),
        (Kind::RetentionDeletion, retention_deletion()),
        (Kind::RetentionReview, retention_review()),
        (Kind::LegalHold, legal_hold()),
        (Kind::CaseStatus, case_status()),
        (Kind::Authorisation, authorisation()),
        (Kind::KeyRegistration, key_registration()),
        (Kind::KeyRevocation, key_revocation()),
        (Kind::ProducerReset, producer_reset()),
        (Kind::PolicyPublication, policy_publication()),
        (Kind::ProducerHeartbeat, producer_heartbeat()),
        (Kind::ObligationPolicy, obligation_policy()),
        (Kind::AccessJustification, access_justification()),
    ];
    debug_assert!(all.iter().map(|(k, _)| *k).eq(Kind::ALL.iter().copied()));
    all
}

/// A: an official searches the subscriber data by IP address, on behalf of the prosecutor.
fn data_access() -> Value {
    let mut r = record(
        "query-frontend",
        1842,
        "2026-03-02T14:07:31.412+01:00",
        "cis-query",
        "de-bdsg76-led-logs@1",
        json!({
            "action": "search",
            "legal_basis": "nl-sv-126na",
            "purpose": "criminal-investigation",
            "actor": {
                "role": "opsporingsambtenaar",
                "organisation": "politie-eenheid-noord-nederland",
                "authorisation_id": "auth-7f3a9c",
                "break_glass": false,
                "user": "NL-POL-104233",
                "on_behalf_of": "OvJ Groningen 0412"
            },
            "data_categories": ["subscriber-name-address", "ip-assignment"],
            "result_count": 2,
            "data_origin": {
                "provider": "provider-kpn",
                "file_digest": digest("provider-kpn upload 2026-03-02"),
                "record_count": 1843210
            },
            "case_ref": "PL0100-2026041233",
            "order_ref": "126na-2026-00871",
            "subject": "Jeroen van IJsselstein",
            "subjects": ["Jeroen van IJsselstein", "Zoë de Vries-Smit"],
            "query": "2001:db8:4f2a:10::17 at 2026-03-01T21:14:05Z",
            "recipients": ["OM Arrondissementsparket Noord-Nederland"]
        }),
    );
    r["parent_operation_id"] = json!(id16("operation cis-portal 77120"));
    r
}

/// B: an account closed after a PDQ match during an automatic backup, reviewed by a person.
fn account_sanction() -> Value {
    record(
        "trust-and-safety",
        311,
        "2026-04-09T08:12:44.020Z",
        "tns-sanctions",
        "eu-dsa20-appeal-window@1",
        json!({
            "decision_visibility": [],
            "decision_provision": "DECISION_PROVISION_TOTAL_TERMINATION",
            "decision_account": "DECISION_ACCOUNT_TERMINATED",
            "account_type": "ACCOUNT_TYPE_PRIVATE",
            "services_affected": ["mail", "storage", "games"],
            "territorial_scope": ["AT", "DE", "NL"],
            "application_date": "2026-04-09T08:12:44.000Z",
            "decision_ground": "DECISION_GROUND_INCOMPATIBLE_CONTENT",
            "incompatible_content_ground": "terms-4.2-prohibited-content",
            "terms_clause": {
                "document_id": "cloudbox-terms",
                "version": "2026-01",
                "clause_id": "4.2",
                "text_digest": digest("cloudbox-terms 2026-01 clause 4.2"),
                "publication": rref("policy-board", 12)
            },
            "category": "STATEMENT_CATEGORY_PROTECTION_OF_MINORS",
            "category_specification": ["KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL"],
            "content_type": ["CONTENT_TYPE_IMAGE"],
            "source_type": "SOURCE_VOLUNTARY",
            "automated_detection": true,
            "automated_decision": "AUTOMATED_DECISION_PARTIALLY",
            "detection": {
                "method": "perceptual-hash",
                "hash_algorithm": "pdq",
                "hash_list": {
                    "operator": "ncmec",
                    "list_name": "industry-pdq",
                    "source_database": "ncmec-csam-hashes",
                    "category": "A1",
                    "snapshot_digest": digest("ncmec industry-pdq 2026-04-08"),
                    "fetched_at": "2026-04-08T02:00:00.000Z",
                    "publication": rref("policy-board", 13)
                },
                "perceptual_distance": 12,
                "threshold": 31
            },
            "triggering_event": {
                "kind": "backup",
                "event_id": "evt-5c1e0b7a",
                "time": "2026-04-09T07:58:02.000Z",
                "client_app": "cloudbox-android/8.14.2",
                "shared_with_count": 0
            },
            "human_review": {
                "done": true,
                "qualification": "trained-csam-reviewer",
                "time": "2026-04-09T08:10:15.000Z",
                "outcome": "confirmed",
                "reviewer": "tns-reviewer-031"
            },
            "external_report": {
                "report_id": "CT-2026-118734402",
                "time": "2026-04-09T09:30:00.000Z"
            },
            "puid": "sor-2026-04-000731",
            "content_date": "2026-04-02T18:20:00.000Z",
            "decision_facts": "An image stored by the account's automatic backup matched an entry \
                               of a hash list of known abuse material (category A1) at PDQ \
                               distance 12, below the list's threshold of 31; a trained reviewer \
                               confirmed the match.",
            "ground_explanation": "Clause 4.2 of the terms prohibits storing material that \
                                   matches the hash lists of known child sexual abuse material.",
            "account_id": "u-88412907",
            "content_id": "file-3b9d1e77a0",
            "explanation": "Ein in der automatischen Sicherung gespeichertes Bild entspricht einem \
                            Eintrag der Hash-Liste (Kategorie A1); Nr. 4.2 der Nutzungsbedingungen.",
            "matched_entry_id": "ncmec:A1:00917342",
            "matched_hash_value": digest("pdq entry 00917342"),
            "content_hash": hex::encode(flip_bits(&blake3::hash(b"pdq entry 00917342").as_bytes()[..], 12)),
            "content_digest": digest("file-3b9d1e77a0 content")
        }),
    )
}

/// B: the statement of reasons for that sanction, sent by e-mail.
fn notification() -> Value {
    record(
        "notifier",
        5120,
        "2026-04-09T08:13:05.500Z",
        "tns-notices",
        "eu-dsa20-appeal-window@1",
        json!({
            "sanction": rref("trust-and-safety", 311),
            "channel": "email",
            "sent_at": "2026-04-09T08:13:05.000Z",
            "text_digest": digest("statement of reasons sor-2026-04-000731 de"),
            "language": "de",
            "delivery_status": "delivered",
            "statement": {
                "facts_and_circumstances": true,
                "decision_ground": "DECISION_GROUND_INCOMPATIBLE_CONTENT",
                "ground_reference": "terms-4.2-prohibited-content",
                "automated_detection": true,
                "automated_decision": "AUTOMATED_DECISION_PARTIALLY",
                "redress": ["internal-complaint", "out-of-court-settlement", "judicial-redress"]
            },
            "recipient_address": "zoe.mueller@example.de"
        }),
    )
}

/// B: the user appeals two weeks later.
fn appeal() -> Value {
    record(
        "appeals",
        874,
        "2026-04-23T19:41:10.000+02:00",
        "tns-appeals",
        "eu-dsa20-appeal-window@1",
        json!({
            "sanction": rref("trust-and-safety", 311),
            "received_at": "2026-04-23T17:41:09.000Z",
            "channel": "complaint-system",
            "statement": "Das Bild kam über die automatische Sicherung meines Telefons aus einem \
                          Gruppenchat. Ich habe es nie geöffnet oder geteilt.\nBitte prüfen Sie \
                          das erneut."
        }),
    )
}

/// B: a qualified reviewer reverses the sanction.
fn appeal_decision() -> Value {
    record(
        "appeals",
        902,
        "2026-04-28T10:02:00.000Z",
        "tns-appeals",
        "eu-dsa20-appeal-window@1",
        json!({
            "appeal": rref("appeals", 874),
            "decided_at": "2026-04-28T10:01:30.000Z",
            "human_review": true,
            "reviewer_qualification": "senior-trust-and-safety-reviewer",
            "outcome": "reversed",
            "reinstated": true,
            "communicated_at": "2026-04-28T10:05:12.000Z",
            "reviewer": "tns-reviewer-007",
            "explanation": "Die Datei wurde nur automatisch gesichert und nie geteilt; die \
                            Kontoschließung war unverhältnismäßig. Das Konto ist wiederhergestellt."
        }),
    )
}

/// The retention rules of record-fields.md, as one policy.
fn retention_policy() -> Value {
    record(
        "retention-authority",
        3,
        "2026-02-27T09:00:00.000+01:00",
        "retention-policy",
        "nl-nen7513-access-logs@1",
        json!({
            "policy_id": "logseal-demo-retention",
            "version": 2,
            "authority": "functionaris-gegevensbescherming",
            "rules": [
                {
                    "id": "de-bdsg76-led-logs", "version": 1, "rule": "cap",
                    "kinds": ["data-access"], "data_categories": [],
                    "period": {"count": 1, "unit": "years"}, "trigger": "occurred-at",
                    "align": "end-of-year", "time_zone": "Europe/Berlin",
                    "conditions": [], "legal_source": "BDSG §76(4)"
                },
                {
                    "id": "nl-nen7513-access-logs", "version": 1, "rule": "minimum",
                    "kinds": ["data-access"], "data_categories": [],
                    "period": {"count": 5, "unit": "years"}, "trigger": "occurred-at",
                    "time_zone": "Europe/Amsterdam",
                    "conditions": [], "legal_source": "NEN 7513"
                },
                {
                    "id": "eu-dsa20-appeal-window", "version": 1, "rule": "minimum",
                    "kinds": ["account-sanction", "notification", "appeal", "appeal-decision"],
                    "data_categories": [],
                    "period": {"count": 6, "unit": "months"}, "trigger": "notification-sent",
                    "time_zone": "Europe/Brussels",
                    "conditions": ["complaint-pending", "case-pending"],
                    "legal_source": "DSA Art 20(1)–(2), 21"
                },
                {
                    "id": "us-2258a-preservation", "version": 1, "rule": "minimum",
                    "kinds": ["account-sanction"], "data_categories": [],
                    "period": {"count": 1, "unit": "years"}, "trigger": "report-made",
                    "time_zone": "America/New_York",
                    "conditions": [], "legal_source": "18 U.S.C. 2258A(h)"
                },
                {
                    "id": "eu-r1232-csam-cap", "version": 1, "rule": "cap",
                    "kinds": ["account-sanction"], "data_categories": [],
                    "period": {"count": 12, "unit": "months"}, "trigger": "identification",
                    "time_zone": "Europe/Brussels",
                    "conditions": ["complaint-pending"],
                    "legal_source": "Reg. (EU) 2021/1232 Art 3"
                },
                {
                    "id": "hold-override", "version": 1, "rule": "hold-override",
                    "kinds": [], "data_categories": [],
                    "conditions": ["legal-hold"],
                    "legal_source": "GDPR 17(3)(e), 18(1)(c); LED 16(3)"
                }
            ],
            "supersedes": rref("retention-authority", 1)
        }),
    )
}

/// A: the sweep crypto-shreds the sealed fields of a year's queries.
fn retention_deletion() -> Value {
    record(
        "retention-sweep",
        58,
        "2027-12-31T23:05:12.000Z",
        "retention-sweep",
        "nl-nen7513-access-logs@1",
        json!({
            "targets": [{
                "range": "seq", "producer": "query-frontend", "first": 0, "last": 1203,
                "fields": ["actor.user", "actor.on_behalf_of", "query", "subject", "subjects",
                           "recipients.*"]
            }],
            "rule": "de-bdsg76-led-logs@1",
            "due_at": "2027-12-31T23:00:00.000Z",
            "executed_at": "2027-12-31T23:05:11.000Z",
            "method": "crypto-shred",
            "shredded_key_id": digest("disclosure key de-bdsg76-led-logs@1 2026"),
            "executor": "retention-sweep",
            "holds_checked": true,
            "item_count": 4817
        }),
    )
}

/// A: a periodic review keeps a case's queries (LED Art 5).
fn retention_review() -> Value {
    record(
        "retention-sweep",
        41,
        "2026-09-01T08:30:00.000+02:00",
        "retention-review",
        "nl-nen7513-access-logs@1",
        json!({
            "rule": "de-bdsg76-led-logs@1",
            "reviewed_at": "2026-09-01T06:29:00.000Z",
            "targets": [{
                "range": "leaf", "first": 40211, "last": 40388, "fields": []
            }],
            "decision": "keep",
            "next_review_at": "2027-03-01T06:00:00.000Z",
            "item_count": 178,
            "reviewer": "privacy-officer-04",
            "reasons": "Zaak PL0100-2026041233 is nog niet afgesloten; de bevragingen zijn \
                        nodig voor de verantwoording aan de rechter-commissaris."
        }),
    )
}

/// B: a court case is pending over the account; its records are held.
fn legal_hold() -> Value {
    record(
        "legal-desk",
        9,
        "2026-05-04T11:20:00.000+02:00",
        "legal-holds",
        "eu-dsa20-appeal-window@1",
        json!({
            "action": "set",
            "hold_id": "hold-2026-0007",
            "scope": [
                rref("trust-and-safety", 311),
                rref("appeals", 874),
                rref("appeals", 902)
            ],
            "authority": "rechtbank-amsterdam",
            "legal_basis": "gdpr-17-3-e",
            "until": "2027-05-04T00:00:00.000Z",
            "case_ref": "C/13/771234 / HA ZA 26-118"
        }),
    )
}

/// A: the investigation is closed; retention counted from closure starts now.
fn case_status() -> Value {
    record(
        "case-registry",
        120,
        "2026-06-30T16:45:00.000+02:00",
        "case-registry",
        "nl-nen7513-access-logs@1",
        json!({
            "event": "closed",
            "case_id": "case-3e7f21",
            "effective_at": "2026-06-30T14:45:00.000Z",
            "authority": "om-arrondissementsparket-noord-nederland",
            "scope": [rref("query-frontend", 1842), rref("query-frontend", 1907)],
            "case_ref": "PL0100-2026041233"
        }),
    )
}

/// A: the authorisation registry grants an official access under Sv 126n–126ua.
fn authorisation() -> Value {
    record(
        "authorisation-registry",
        64,
        "2026-02-28T09:15:00.000+01:00",
        "authorisation-register",
        "nl-nen7513-access-logs@1",
        json!({
            "action": "grant",
            "authorisation_id": "auth-7f3a9c",
            "role": "opsporingsambtenaar",
            "organisation": "politie-eenheid-noord-nederland",
            "legal_bases": ["nl-sv-126n", "nl-sv-126na", "nl-sv-126u", "nl-sv-126ua"],
            "valid_from": "2026-03-01T00:00:00.000Z",
            "valid_until": "2027-03-01T00:00:00.000Z",
            "official": "NL-POL-104233",
            "decision_ref": "JenV-2026-0031187"
        }),
    )
}

/// The registration authority registers the query front-end's key.
fn key_registration() -> Value {
    record(
        "registration-authority",
        4,
        "2026-02-28T08:00:00.000Z",
        "producer-registry",
        "nl-nen7513-access-logs@1",
        json!({
            "producer": "query-frontend",
            "public_key": public_key(31),
            "kinds": ["data-access", "producer-heartbeat"]
        }),
    )
}

/// The registration authority revokes a compromised key of the upload gateway.
fn key_revocation() -> Value {
    record(
        "registration-authority",
        11,
        "2026-03-14T07:30:00.000Z",
        "producer-registry",
        "nl-nen7513-access-logs@1",
        json!({
            "producer": "upload-gateway",
            "public_key": public_key(32),
            "reason": "compromise",
            "compromised_since": "2026-03-13T22:00:00.000Z"
        }),
    )
}

/// The registration authority declares the upload gateway's restart after a disk failure.
fn producer_reset() -> Value {
    record(
        "registration-authority",
        12,
        "2026-03-14T07:45:00.000Z",
        "producer-registry",
        "nl-nen7513-access-logs@1",
        json!({
            "producer": "upload-gateway",
            "reason": "restored-from-backup",
            "last_known_seq": 27,
            "last_known_head": digest("leaf upload-gateway 27"),
            "explanation": "Schijfstoring op 2026-03-14; de toestand is hersteld uit de \
                            nachtelijke back-up van 2026-03-13. Records 28 en later ontbreken."
        }),
    )
}

/// B: the platform publishes its terms, the hash-list snapshot and its PDQ threshold.
fn policy_publication() -> Value {
    record(
        "policy-board",
        13,
        "2026-04-08T02:05:00.000Z",
        "tns-policies",
        "eu-dsa20-appeal-window@1",
        json!({
            "effective_from": "2026-04-08T02:00:00.000Z",
            "terms": {
                "document_id": "cloudbox-terms",
                "version": "2026-01",
                "digest": digest("cloudbox-terms 2026-01"),
                "location": "https://cloudbox.example/legal/terms/2026-01",
                "clauses": [
                    {"clause_id": "4.2", "text_digest": digest("cloudbox-terms 2026-01 clause 4.2")},
                    {"clause_id": "4.3", "text_digest": digest("cloudbox-terms 2026-01 clause 4.3")}
                ]
            },
            "hash_list": {
                "operator": "ncmec",
                "list_name": "industry-pdq",
                "source_database": "ncmec-csam-hashes",
                "category": "A1",
                "hash_algorithm": "pdq",
                "snapshot_digest": digest("ncmec industry-pdq 2026-04-08"),
                "fetched_at": "2026-04-08T02:00:00.000Z",
                "entry_count": 5281034
            },
            "thresholds": [{"hash_algorithm": "pdq", "max_distance": 31}]
        }),
    )
}

/// A: the query front-end's daily heartbeat (its own count of queries served).
fn producer_heartbeat() -> Value {
    record(
        "query-frontend",
        1911,
        "2026-03-03T00:00:05.000+01:00",
        "cis-query",
        "nl-nen7513-access-logs@1",
        json!({
            "cadence_secs": 86400,
            "period_start": "2026-03-01T23:00:00.000Z",
            "period_end": "2026-03-02T23:00:00.000Z",
            "counters": [
                {"name": "queries-served", "value": 143, "kind": "data-access"}
            ]
        }),
    )
}

/// The obligation rules the demo's supervisory authority and platform regulator set.
fn obligation_policy() -> Value {
    record(
        "obligation-authority",
        1,
        "2026-02-27T09:30:00.000+01:00",
        "obligation-policy",
        "nl-nen7513-access-logs@1",
        json!({
            "policy_id": "logseal-demo-obligations",
            "version": 1,
            "authority": "autoriteit-persoonsgegevens",
            "rules": [
                {
                    "id": "nl-access-scope", "version": 1, "rule": "access-scope",
                    "producers": ["query-frontend"], "legal_bases": [], "followers": [],
                    "redress": [], "legal_source": "LED Art 25; Telecommunicatiewet 13.4"
                },
                {
                    "id": "nl-sv-order", "version": 1, "rule": "order-required",
                    "producers": ["query-frontend"], "legal_bases": ["nl-sv-126n", "nl-sv-126u"],
                    "followers": [], "redress": [], "legal_source": "Sv art 126n, 126u"
                },
                {
                    "id": "nl-break-glass", "version": 1, "rule": "break-glass-justified",
                    "producers": [], "legal_bases": [], "deadline_seconds": 86400,
                    "followers": ["ciot-registry"], "max_logging_delay_seconds": 3600,
                    "redress": [], "legal_source": "NEN 7513 §6.4"
                },
                {
                    "id": "dsa17-statement-of-reasons", "version": 1,
                    "rule": "statement-of-reasons", "producers": ["trust-and-safety"],
                    "legal_bases": [], "deadline_seconds": 0, "followers": ["notifier"],
                    "max_logging_delay_seconds": 900,
                    "redress": ["internal-complaint", "out-of-court-settlement", "judicial-redress"],
                    "legal_source": "DSA Art 17(1), 17(3)"
                }
            ]
        }),
    )
}

/// An emergency access justified the next morning and approved.
fn access_justification() -> Value {
    record(
        "ciot-registry",
        42,
        "2026-03-02T08:15:00.000+01:00",
        "ciot-break-glass-review",
        "nl-nen7513-access-logs@1",
        json!({
            "access": rref("query-frontend", 1187),
            "justified_at": "2026-03-02T07:14:30.000Z",
            "reason": "imminent-danger-to-life",
            "approved": true,
            "case_ref": "PL0900-2026041733",
            "statement": "Vermiste minderjarige; locatiebepaling via abonnee van het laatst \
                          gebruikte nummer was spoedeisend.",
            "approver": "ciot-duty-officer-04"
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::json::build_from_json;
    use crate::record::kinds::{Body, Seg};
    use crate::record::sealed::SALT_LEN;
    use crate::record::types::Timestamp;
    use crate::record::{Record, RecordBuilder};

    const ORIGIN: &str = "logseal.example/demo";

    fn salts() -> impl FnMut() -> [u8; SALT_LEN] {
        let mut n = 0u8;
        move || {
            n = n.wrapping_add(1);
            [n; SALT_LEN]
        }
    }

    fn build(kind: Kind, v: Value) -> Result<RecordBuilder, String> {
        build_from_json(kind, v, &mut salts()).map_err(|e| e.to_string())
    }

    /// Remove every value at a sealed-field pattern (the JSON input minus sealed fields).
    fn strip(node: &mut Value, pattern: &[Seg]) {
        match pattern {
            [Seg::Name(n)] | [Seg::Name(n), Seg::AnyIndex] => {
                if let Some(m) = node.as_object_mut() {
                    m.remove(*n);
                }
            }
            [Seg::Name(n), rest @ ..] => {
                if let Some(child) = node.get_mut(*n) {
                    strip(child, rest);
                }
            }
            [Seg::AnyIndex, rest @ ..] => {
                if let Some(items) = node.as_array_mut() {
                    for item in items {
                        strip(item, rest);
                    }
                }
            }
            [] => {}
        }
    }

    #[test]
    fn one_sample_per_kind_in_code_order() {
        let kinds: Vec<Kind> = samples().into_iter().map(|(k, _)| k).collect();
        assert_eq!(kinds, Kind::ALL);
        assert_eq!(Kind::ALL.len(), 18);
        for (i, k) in Kind::ALL.iter().enumerate() {
            assert_eq!(k.code(), i as u64 + 1, "{k}");
            assert_eq!(Kind::from_name(k.name()), Some(*k));
        }
    }

    #[test]
    fn every_sample_builds_signs_decodes_and_round_trips() {
        let key = SecretKey::from_seed(&[9; 32]);
        for (kind, sample) in samples() {
            let builder = build(kind, sample.clone()).unwrap_or_else(|e| panic!("{kind}: {e}"));
            let signed = builder.sign(&key, ORIGIN).unwrap();
            let record = Record::decode(&signed.bytes).unwrap_or_else(|e| panic!("{kind}: {e}"));
            record.verify(&key.public_key(), ORIGIN).unwrap();
            let p = record.payload();
            assert_eq!(p.kind(), kind);
            // Every sealed field the kind allows is present, and every disclosure opens.
            for spec in kind.sealed_specs() {
                assert!(
                    p.sealed.iter().any(|(path, _)| spec.matches(path)),
                    "{kind}: sample lacks sealed field {}",
                    spec.pattern()
                );
            }
            for d in &signed.disclosures {
                p.check_disclosure(d).unwrap();
            }
            // JSON → CBOR → JSON: the public body comes back exactly.
            let mut public = sample["body"].clone();
            for spec in kind.sealed_specs() {
                strip(&mut public, spec.path);
            }
            assert_eq!(p.body.to_json(), public, "{kind}: body JSON round trip");
            assert_eq!(Body::from_json(kind, public).unwrap(), p.body);
            let env = serde_json::to_value(p.envelope_json()).unwrap();
            for field in [
                "producer",
                "seq",
                "prev",
                "status",
                "retention_rule",
                "trace_id",
            ] {
                assert_eq!(env[field], sample[field], "{kind}: {field}");
            }
            let (at, offset) =
                Timestamp::parse_rfc3339(sample["occurred_at"].as_str().unwrap()).unwrap();
            assert_eq!((p.occurred_at, p.utc_offset_minutes), (at, Some(offset)));
            // The payload is canonical: it re-encodes to its own bytes.
            assert_eq!(p.to_bytes(), record.payload_bytes());
        }
    }

    /// Per kind: a required public field (JSON pointer), a closed-enumeration field and a
    /// text field (public or sealed) to break.
    const BREAK: &[(Kind, &str, &str, &str)] = &[
        (
            Kind::DataAccess,
            "/body/actor/role",
            "/body/action",
            "/body/legal_basis",
        ),
        (
            Kind::AccountSanction,
            "/body/puid",
            "/body/content_type/0",
            "/body/explanation",
        ),
        (
            Kind::Notification,
            "/body/sent_at",
            "/body/channel",
            "/body/recipient_address",
        ),
        (
            Kind::Appeal,
            "/body/received_at",
            "/body/channel",
            "/body/statement",
        ),
        (
            Kind::AppealDecision,
            "/body/outcome",
            "/body/outcome",
            "/body/reviewer_qualification",
        ),
        (
            Kind::RetentionPolicy,
            "/body/rules/2/legal_source",
            "/body/rules/0/period/unit",
            "/body/rules/1/time_zone",
        ),
        (
            Kind::RetentionDeletion,
            "/body/executor",
            "/body/method",
            "/body/targets/0/fields/2",
        ),
        (
            Kind::RetentionReview,
            "/body/decision",
            "/body/targets/0/range",
            "/body/reasons",
        ),
        (
            Kind::LegalHold,
            "/body/authority",
            "/body/action",
            "/body/case_ref",
        ),
        (
            Kind::CaseStatus,
            "/body/effective_at",
            "/body/event",
            "/body/case_id",
        ),
        (
            Kind::Authorisation,
            "/body/valid_from",
            "/body/action",
            "/body/official",
        ),
        (
            Kind::KeyRegistration,
            "/body/kinds",
            "/body/kinds/1",
            "/body/producer",
        ),
        (
            Kind::KeyRevocation,
            "/body/public_key",
            "/body/reason",
            "/body/producer",
        ),
        (
            Kind::ProducerReset,
            "/body/producer",
            "/body/reason",
            "/body/explanation",
        ),
        (
            Kind::PolicyPublication,
            "/body/hash_list/entry_count",
            "/body/thresholds/0/hash_algorithm",
            "/body/terms/clauses/1/clause_id",
        ),
        (
            Kind::ProducerHeartbeat,
            "/body/counters/0/value",
            "/body/counters/0/kind",
            "/body/counters/0/name",
        ),
        (
            Kind::ObligationPolicy,
            "/body/rules/1/legal_source",
            "/body/rules/0/rule",
            "/body/rules/2/id",
        ),
        (
            Kind::AccessJustification,
            "/body/reason",
            "",
            "/body/statement",
        ),
    ];

    /// `/body/rules/2/x` → `body.rules[2].x`.
    fn json_path(pointer: &str) -> String {
        let mut out = String::new();
        for part in pointer.trim_start_matches('/').split('/') {
            if part.bytes().all(|b| b.is_ascii_digit()) {
                out.push_str(&format!("[{part}]"));
            } else {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(part);
            }
        }
        out
    }

    fn sample_of(kind: Kind) -> Value {
        samples().into_iter().find(|(k, _)| *k == kind).unwrap().1
    }

    #[test]
    fn rejections_name_the_json_path() {
        assert_eq!(BREAK.len(), Kind::ALL.len());
        for &(kind, missing, enumerated, text) in BREAK {
            // A missing required field: named at its parent.
            let mut v = sample_of(kind);
            let (parent, field) = missing.rsplit_once('/').unwrap();
            v.pointer_mut(parent)
                .and_then(Value::as_object_mut)
                .unwrap_or_else(|| panic!("{kind}: {parent}"))
                .remove(field)
                .unwrap_or_else(|| panic!("{kind}: no {missing}"));
            let e = build(kind, v).unwrap_err();
            let want = format!("{}: missing field `{field}`", json_path(parent));
            assert!(e.starts_with(&want), "{kind}: {e:?}, wanted {want:?}");

            // A value outside a closed enumeration (a kind without one names "").
            let mut v = sample_of(kind);
            if enumerated.is_empty() {
                assert_eq!(
                    kind,
                    Kind::AccessJustification,
                    "only it has no enumeration"
                );
            }
            if !enumerated.is_empty() {
                *v.pointer_mut(enumerated)
                    .unwrap_or_else(|| panic!("{kind}: {enumerated}")) = json!("not-a-code");
                let e = build(kind, v).unwrap_err();
                let want = format!("{}: unknown ", json_path(enumerated));
                assert!(e.starts_with(&want), "{kind}: {e:?}, wanted {want:?}");
                assert!(e.contains("\"not-a-code\""), "{kind}: {e}");
            }

            // An over-long text (longer than any identifier or free text may be).
            let mut v = sample_of(kind);
            *v.pointer_mut(text)
                .unwrap_or_else(|| panic!("{kind}: {text}")) =
                json!("x".repeat(crate::record::text::MAX_TEXT_CHARS + 1));
            let e = build(kind, v).unwrap_err();
            let want = format!("{}: ", json_path(text));
            assert!(
                e.starts_with(&want) && e.contains("more than the limit of"),
                "{kind}: {e:?}, wanted {want:?}…more than the limit of"
            );
        }
    }

    #[test]
    fn cross_field_rules_name_the_field() {
        let cases: &[(Kind, &str, Value, &str)] = &[
            (
                Kind::AccountSanction,
                "/body/human_review/done",
                json!(false),
                "body.human_review.done: false",
            ),
            (
                Kind::AccountSanction,
                "/body/territorial_scope/0",
                json!("Deutschland"),
                "body.territorial_scope.0: ",
            ),
            (
                Kind::AppealDecision,
                "/body/outcome",
                json!("upheld"),
                "body.reinstated: ",
            ),
            (
                Kind::Appeal,
                "/body/channel",
                json!("out-of-court-body"),
                "body.settlement_body: required",
            ),
            (
                Kind::Notification,
                "/body/language",
                json!("deutsch!"),
                "body.language: ",
            ),
            (
                Kind::RetentionPolicy,
                "/body/rules/1/time_zone",
                Value::Null,
                "body.rules.1.time_zone: required",
            ),
            (
                Kind::RetentionDeletion,
                "/body/method",
                json!("erase-disclosure"),
                "body.shredded_key_id: only for crypto-shred",
            ),
            (
                Kind::RetentionDeletion,
                "/body/targets/0/first",
                json!(2000),
                "body.targets.0.last: 1203 is before first 2000",
            ),
            (
                Kind::RetentionDeletion,
                "/body/exception_ground",
                json!("disclosure-lost"),
                "body.method: a declared loss (exception_ground disclosure-lost) destroys no key",
            ),
            (
                Kind::RetentionReview,
                "/body/decision",
                json!("erase"),
                "body.next_review_at: ",
            ),
            (
                Kind::LegalHold,
                "/body/scope",
                json!([]),
                "body.scope: must not be empty",
            ),
            (
                Kind::CaseStatus,
                "/body/complaint",
                rref("appeals", 874),
                "body.complaint: only for a complaint event",
            ),
            (
                Kind::Authorisation,
                "/body/valid_until",
                json!("2026-02-01T00:00:00.000Z"),
                "body.valid_until: ",
            ),
            (
                Kind::KeyRegistration,
                "/body/public_key",
                json!("00".repeat(32)),
                "body.public_key: ",
            ),
            (
                Kind::KeyRevocation,
                "/body/reason",
                json!("rotation"),
                "body.compromised_since: ",
            ),
            (
                Kind::ProducerReset,
                "/body/last_known_seq",
                Value::Null,
                "body.last_known_seq: required",
            ),
            (
                Kind::PolicyPublication,
                "/body/thresholds/0/hash_algorithm",
                json!("md5"),
                "body.thresholds.0.hash_algorithm: ",
            ),
            (
                Kind::ProducerHeartbeat,
                "/body/cadence_secs",
                json!(0),
                "body.cadence_secs: ",
            ),
            (
                Kind::DataAccess,
                "/body/data_categories/1",
                json!("subscriber-name-address"),
                "body.data_categories.1: ",
            ),
        ];
        for (kind, pointer, value, want) in cases {
            let mut v = sample_of(*kind);
            let (parent, field) = pointer.rsplit_once('/').unwrap();
            let slot = v
                .pointer_mut(parent)
                .unwrap_or_else(|| panic!("{kind}: {parent}"));
            if value.is_null() {
                slot.as_object_mut().unwrap().remove(field);
            } else if let Some(items) = slot.as_array_mut() {
                items[field.parse::<usize>().unwrap()] = value.clone();
            } else {
                slot[field] = value.clone();
            }
            let e = build(*kind, v).unwrap_err();
            assert!(e.starts_with(want), "{kind}: {e:?}, wanted {want:?}");
        }
    }
}

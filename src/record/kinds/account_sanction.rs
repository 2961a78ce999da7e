//! `account-sanction`: a platform restricts or closes an account (DSA Art 17 statement of
//! reasons; field names and JSON enumeration spellings after the EU DSA Transparency
//! Database API, "TDB"). Schema: `schemas/account-sanction.cddl`.
//!
//! Legal sources (shared/record-fields.md): DSA Art 17(3) — the restriction imposed
//! (`decision_*`, services, territorial scope, duration), facts and circumstances
//! (`triggering_event`, detection evidence), use of automated means (17(3)(c):
//! `automated_detection`, `automated_decision`), the legal ground (17(3)(d)) or the terms
//! clause (17(3)(e), pointing to a policy-publication record); TDB field names and
//! enumeration spellings; DSA Art 16/22 for `source_type`; 18 U.S.C. 2258A for
//! `external_report`.
//!
//! Also owns [`HashAlgorithm`], which policy-publication reuses for hash-list thresholds.
//! Sealed: the account and content ids, the explanation, the matched hash-list entry and
//! hash value, the content digest and the human reviewer.

use minicbor::{Decode, Encode};
use serde::{Deserialize, Serialize};

use super::{Kind, KindBody, MAX_CODES, SealedSpec, Seg, bounded, is_alpha2, unique};
use crate::closed_enum;
use crate::record::rules::Violation;
use crate::record::sealed::ValueClass;
use crate::record::text::{FreeText, Ident};
use crate::record::types::{Hash32, RecordRef, Timestamp};

closed_enum!(
    /// Restriction of the visibility of content (TDB `decision_visibility`).
    DecisionVisibility {
        ContentRemoved = 0, "DECISION_VISIBILITY_CONTENT_REMOVED";
        ContentDisabled = 1, "DECISION_VISIBILITY_CONTENT_DISABLED";
        ContentDemoted = 2, "DECISION_VISIBILITY_CONTENT_DEMOTED";
        ContentAgeRestricted = 3, "DECISION_VISIBILITY_CONTENT_AGE_RESTRICTED";
        ContentInteractionRestricted = 4, "DECISION_VISIBILITY_CONTENT_INTERACTION_RESTRICTED";
        ContentLabelled = 5, "DECISION_VISIBILITY_CONTENT_LABELLED";
        Other = 6, "DECISION_VISIBILITY_OTHER";
    }
);

closed_enum!(
    /// Restriction of monetary payments (TDB `decision_monetary`).
    DecisionMonetary {
        Suspension = 0, "DECISION_MONETARY_SUSPENSION";
        Termination = 1, "DECISION_MONETARY_TERMINATION";
        Other = 2, "DECISION_MONETARY_OTHER";
    }
);

closed_enum!(
    /// Restriction of the provision of the service (TDB `decision_provision`).
    DecisionProvision {
        PartialSuspension = 0, "DECISION_PROVISION_PARTIAL_SUSPENSION";
        TotalSuspension = 1, "DECISION_PROVISION_TOTAL_SUSPENSION";
        PartialTermination = 2, "DECISION_PROVISION_PARTIAL_TERMINATION";
        TotalTermination = 3, "DECISION_PROVISION_TOTAL_TERMINATION";
    }
);

closed_enum!(
    /// Suspension or termination of the account (TDB `decision_account`).
    DecisionAccount {
        Suspended = 0, "DECISION_ACCOUNT_SUSPENDED";
        Terminated = 1, "DECISION_ACCOUNT_TERMINATED";
    }
);

closed_enum!(
    /// TDB `account_type`.
    AccountType {
        Business = 0, "ACCOUNT_TYPE_BUSINESS";
        Private = 1, "ACCOUNT_TYPE_PRIVATE";
    }
);

closed_enum!(
    /// TDB `decision_ground`: illegal content (a legal ground) or content incompatible with
    /// the terms of service (a terms ground).
    DecisionGround {
        IllegalContent = 0, "DECISION_GROUND_ILLEGAL_CONTENT";
        IncompatibleContent = 1, "DECISION_GROUND_INCOMPATIBLE_CONTENT";
    }
);

closed_enum!(
    /// TDB `category`.
    Category {
        AnimalWelfare = 0, "STATEMENT_CATEGORY_ANIMAL_WELFARE";
        DataProtectionAndPrivacyViolations = 1, "STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS";
        IllegalOrHarmfulSpeech = 2, "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH";
        IntellectualPropertyInfringements = 3, "STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS";
        NegativeEffectsOnCivicDiscourseOrElections = 4, "STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS";
        NonConsensualBehaviour = 5, "STATEMENT_CATEGORY_NON_CONSENSUAL_BEHAVIOUR";
        PornographyOrSexualizedContent = 6, "STATEMENT_CATEGORY_PORNOGRAPHY_OR_SEXUALIZED_CONTENT";
        ProtectionOfMinors = 7, "STATEMENT_CATEGORY_PROTECTION_OF_MINORS";
        RiskForPublicSecurity = 8, "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY";
        ScamsAndFraud = 9, "STATEMENT_CATEGORY_SCAMS_AND_FRAUD";
        SelfHarm = 10, "STATEMENT_CATEGORY_SELF_HARM";
        ScopeOfPlatformService = 11, "STATEMENT_CATEGORY_SCOPE_OF_PLATFORM_SERVICE";
        UnsafeAndIllegalProducts = 12, "STATEMENT_CATEGORY_UNSAFE_AND_ILLEGAL_PRODUCTS";
        Violence = 13, "STATEMENT_CATEGORY_VIOLENCE";
        ConsumerInformation = 14, "STATEMENT_CATEGORY_CONSUMER_INFORMATION";
        CyberViolence = 15, "STATEMENT_CATEGORY_CYBER_VIOLENCE";
        CyberViolenceAgainstWomen = 16, "STATEMENT_CATEGORY_CYBER_VIOLENCE_AGAINST_WOMEN";
        NotSpecifiedNotice = 17, "STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE";
        OtherViolationTc = 18, "STATEMENT_CATEGORY_OTHER_VIOLATION_TC";
        UnsafeAndProhibitedProducts = 19, "STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS";
    }
);

closed_enum!(
    /// TDB `content_type`.
    ContentType {
        App = 0, "CONTENT_TYPE_APP";
        Audio = 1, "CONTENT_TYPE_AUDIO";
        Image = 2, "CONTENT_TYPE_IMAGE";
        Product = 3, "CONTENT_TYPE_PRODUCT";
        SyntheticMedia = 4, "CONTENT_TYPE_SYNTHETIC_MEDIA";
        Text = 5, "CONTENT_TYPE_TEXT";
        Video = 6, "CONTENT_TYPE_VIDEO";
        Other = 7, "CONTENT_TYPE_OTHER";
    }
);

closed_enum!(
    /// TDB `source_type`: what set the decision in motion.
    SourceType {
        Article16 = 0, "SOURCE_ARTICLE_16";
        TrustedFlagger = 1, "SOURCE_TRUSTED_FLAGGER";
        OtherNotification = 2, "SOURCE_TYPE_OTHER_NOTIFICATION";
        Voluntary = 3, "SOURCE_VOLUNTARY";
    }
);

closed_enum!(
    /// TDB `automated_decision` (DSA 17(3)(c)).
    AutomatedDecision {
        Fully = 0, "AUTOMATED_DECISION_FULLY";
        Partially = 1, "AUTOMATED_DECISION_PARTIALLY";
        NotAutomated = 2, "AUTOMATED_DECISION_NOT_AUTOMATED";
    }
);

closed_enum!(
    /// How the content was detected.
    DetectionMethod {
        CryptographicHash = 0, "cryptographic-hash";
        PerceptualHash = 1, "perceptual-hash";
        Classifier = 2, "classifier";
        Notice = 3, "notice";
    }
);

closed_enum!(
    /// The hash function a hash list uses.
    HashAlgorithm {
        PhotoDna = 0, "photodna";
        Pdq = 1, "pdq";
        Md5 = 2, "md5";
        Sha1 = 3, "sha-1";
    }
);

impl HashAlgorithm {
    /// Whether near matches (a distance and a threshold) make sense for it.
    pub fn is_perceptual(self) -> bool {
        matches!(self, HashAlgorithm::PhotoDna | HashAlgorithm::Pdq)
    }
}

closed_enum!(
    /// What the user did that brought the content to the platform's scanner.
    EventKind {
        Upload = 0, "upload";
        Sync = 1, "sync";
        Backup = 2, "backup";
        Share = 3, "share";
        Send = 4, "send";
    }
);

closed_enum!(
    /// What the human reviewer concluded about the automated finding.
    ReviewOutcome {
        Confirmed = 0, "confirmed";
        Rejected = 1, "rejected";
        Modified = 2, "modified";
    }
);

/// The terms-of-service clause a decision relies on (DSA 17(3)(e)), pointing at the
/// policy-publication record that published that version of the terms.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
#[cbor(map)]
#[serde(deny_unknown_fields)]
pub struct TermsClause {
    #[n(0)]
    pub document_id: Ident,
    #[n(1)]
    pub version: Ident,
    #[n(2)]
    pub clause_id: Ident,
    /// BLAKE3 digest of the clause's text as published.
    #[n(3)]
    pub text_digest: Hash32,
    /// The policy-publication record of that document version.
    #[n(4)]
    pub publication: RecordRef,
}

/// The hash list a match was found in, as fetched (a wrong list category once flagged stock
/// images, so the snapshot matters).
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
#[cbor(map)]
#[serde(deny_unknown_fields)]
pub struct HashList {
    /// Who maintains the list, e.g. `ncmec`.
    #[n(0)]
    pub operator: Ident,
    #[n(1)]
    pub list_name: Ident,
    /// The database the list's entries come from.
    #[n(2)]
    pub source_database: Ident,
    /// The list's own category of entries.
    #[n(3)]
    pub category: Ident,
    /// Digest of the snapshot the matcher used.
    #[n(4)]
    pub snapshot_digest: Hash32,
    #[n(5)]
    pub fetched_at: Timestamp,
    /// The policy-publication record of that snapshot, if the platform published one.
    #[n(6)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publication: Option<RecordRef>,
}

/// Detection evidence. The matched entry, hash value and content digest are sealed.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
#[cbor(map)]
#[serde(deny_unknown_fields)]
pub struct Detection {
    #[n(0)]
    pub method: DetectionMethod,
    #[n(1)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash_algorithm: Option<HashAlgorithm>,
    #[n(2)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash_list: Option<HashList>,
    /// Distance between the content's and the entry's perceptual hash (e.g. PDQ Hamming
    /// distance, 0–256). Integers only.
    #[n(3)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub perceptual_distance: Option<u64>,
    /// Largest distance counted as a match.
    #[n(4)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<u64>,
}

/// The user action that brought the content in: was anything actually shared?
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
#[cbor(map)]
#[serde(deny_unknown_fields)]
pub struct TriggeringEvent {
    #[n(0)]
    pub kind: EventKind,
    /// The platform's pseudonymous event id.
    #[n(1)]
    pub event_id: Ident,
    #[n(2)]
    pub time: Timestamp,
    /// The client application, e.g. `photos-android/8.14`.
    #[n(3)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_app: Option<Ident>,
    /// With how many other accounts the content was shared (0: with nobody).
    #[n(4)]
    pub shared_with_count: u64,
}

/// Human review of the decision. The reviewer's identity is sealed (`human_review.reviewer`).
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
#[cbor(map)]
#[serde(deny_unknown_fields)]
pub struct HumanReview {
    #[n(0)]
    pub done: bool,
    /// The reviewer's qualification, e.g. `trained-csam-reviewer`.
    #[n(1)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qualification: Option<Ident>,
    #[n(2)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<Timestamp>,
    #[n(3)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<ReviewOutcome>,
}

/// A report made to an outside body (e.g. a CyberTipline report under 18 U.S.C. 2258A).
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
#[cbor(map)]
#[serde(deny_unknown_fields)]
pub struct ExternalReport {
    #[n(0)]
    pub report_id: Ident,
    #[n(1)]
    pub time: Timestamp,
}

/// The public body of an account-sanction record. The larger nested parts are boxed so
/// that [`super::Body`] stays small.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
#[cbor(map)]
#[serde(deny_unknown_fields)]
pub struct AccountSanction {
    #[n(0)]
    #[serde(default)]
    pub decision_visibility: Vec<DecisionVisibility>,
    #[n(1)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision_monetary: Option<DecisionMonetary>,
    #[n(2)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision_provision: Option<DecisionProvision>,
    #[n(3)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision_account: Option<DecisionAccount>,
    #[n(4)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_type: Option<AccountType>,
    /// The services one decision reaches, e.g. `mail`, `storage`, `games`.
    #[n(5)]
    #[serde(default)]
    pub services_affected: Vec<Ident>,
    /// ISO 3166-1 alpha-2 codes of the territories where the decision applies.
    #[n(6)]
    #[serde(default)]
    pub territorial_scope: Vec<Ident>,
    #[n(7)]
    pub application_date: Timestamp,
    /// End of the account restriction; absent (JSON `null`) = indefinite.
    #[n(8)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_date_account_restriction: Option<Timestamp>,
    #[n(9)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_date_monetary_restriction: Option<Timestamp>,
    #[n(10)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_date_service_restriction: Option<Timestamp>,
    #[n(11)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_date_visibility_restriction: Option<Timestamp>,
    #[n(12)]
    pub decision_ground: DecisionGround,
    /// The legal provision, for illegal content (e.g. `de-stgb-184b`).
    #[n(13)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub illegal_content_legal_ground: Option<Ident>,
    /// The contractual ground, for content incompatible with the terms.
    #[n(14)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incompatible_content_ground: Option<Ident>,
    #[n(15)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terms_clause: Option<Box<TermsClause>>,
    #[n(16)]
    pub category: Category,
    /// TDB keywords, e.g. `KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL`.
    #[n(17)]
    #[serde(default)]
    pub category_specification: Vec<Ident>,
    #[n(18)]
    pub content_type: Vec<ContentType>,
    #[n(19)]
    pub source_type: SourceType,
    #[n(20)]
    pub automated_detection: bool,
    #[n(21)]
    pub automated_decision: AutomatedDecision,
    #[n(22)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detection: Option<Box<Detection>>,
    #[n(23)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub triggering_event: Option<Box<TriggeringEvent>>,
    #[n(24)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub human_review: Option<HumanReview>,
    #[n(25)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_report: Option<ExternalReport>,
    /// The platform's unique id of the statement of reasons (TDB `puid`).
    #[n(26)]
    pub puid: Ident,
    /// When the content was posted or created (TDB `content_date`).
    #[n(27)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_date: Option<Timestamp>,
    /// The facts and circumstances relied on, as submitted to the Transparency Database
    /// (TDB `decision_facts`): non-personal (DSA 24(5)); the explanation addressed to the
    /// person is the sealed `explanation`.
    #[n(28)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision_facts: Option<FreeText>,
    /// The public, non-personal explanation of the ground, as submitted to the Transparency
    /// Database (TDB `illegal_content_explanation` or `incompatible_content_explanation`,
    /// by `decision_ground`); the sealed `explanation` is the one addressed to the person.
    #[n(29)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ground_explanation: Option<FreeText>,
}

const SEALED: &[SealedSpec] = &[
    SealedSpec {
        path: &[Seg::Name("account_id")],
        class: ValueClass::Identifier,
        required: true,
        doc: "the sanctioned account",
    },
    SealedSpec {
        path: &[Seg::Name("content_id")],
        class: ValueClass::Identifier,
        required: false,
        doc: "the content the decision is about",
    },
    SealedSpec {
        path: &[Seg::Name("explanation")],
        class: ValueClass::FreeText,
        required: false,
        doc: "the explanation of the ground addressed to the person (the public ground_explanation is what the Transparency Database receives)",
    },
    SealedSpec {
        path: &[Seg::Name("matched_entry_id")],
        class: ValueClass::Identifier,
        required: false,
        doc: "the id of the hash-list entry that matched",
    },
    SealedSpec {
        path: &[Seg::Name("matched_hash_value")],
        class: ValueClass::Bytes,
        required: false,
        doc: "the hash value of the matched entry",
    },
    SealedSpec {
        path: &[Seg::Name("content_hash")],
        class: ValueClass::Bytes,
        required: false,
        doc: "the content's own perceptual hash, as computed by the detection (e.g. 32-byte PDQ)",
    },
    SealedSpec {
        path: &[Seg::Name("content_digest")],
        class: ValueClass::Bytes,
        required: false,
        doc: "the digest of the content as scanned",
    },
    SealedSpec {
        path: &[Seg::Name("human_review"), Seg::Name("reviewer")],
        class: ValueClass::Identifier,
        required: false,
        doc: "who reviewed the decision",
    },
];

impl AccountSanction {
    fn check_end(
        &self,
        field: &str,
        end: Option<Timestamp>,
        decided: bool,
    ) -> Result<(), Violation> {
        let Some(end) = end else { return Ok(()) };
        if !decided {
            return Err(Violation::new(
                "account-sanction.end-date-needs-decision",
                format!("{field}: set, but there is no matching decision"),
            ));
        }
        if end < self.application_date {
            return Err(Violation::new(
                "account-sanction.end-date-after-application",
                format!(
                    "{field}: {} is before application_date {}",
                    end.to_rfc3339(),
                    self.application_date.to_rfc3339()
                ),
            ));
        }
        Ok(())
    }

    fn check_lists(&self) -> Result<(), Violation> {
        unique(
            "account-sanction.decision-visibility-unique",
            "decision_visibility",
            &self.decision_visibility,
        )?;
        let rule = "account-sanction.services-affected-list";
        unique(rule, "services_affected", &self.services_affected)?;
        bounded(
            rule,
            "services_affected",
            &self.services_affected,
            MAX_CODES,
        )?;
        let rule = "account-sanction.territorial-scope-list";
        unique(rule, "territorial_scope", &self.territorial_scope)?;
        bounded(
            rule,
            "territorial_scope",
            &self.territorial_scope,
            MAX_CODES,
        )?;
        for (i, t) in self.territorial_scope.iter().enumerate() {
            if !is_alpha2(t.as_str()) {
                return Err(Violation::new(
                    "account-sanction.territorial-scope-alpha2",
                    format!("territorial_scope.{i}: {t:?} is not an ISO 3166-1 alpha-2 code"),
                ));
            }
        }
        let rule = "account-sanction.category-specification-list";
        unique(rule, "category_specification", &self.category_specification)?;
        bounded(
            rule,
            "category_specification",
            &self.category_specification,
            MAX_CODES,
        )?;
        if self.content_type.is_empty() {
            return Err(Violation::new(
                "account-sanction.content-type-non-empty",
                "content_type: at least one content type is required",
            ));
        }
        unique(
            "account-sanction.content-type-unique",
            "content_type",
            &self.content_type,
        )
    }

    fn check_end_dates(&self) -> Result<(), Violation> {
        self.check_end(
            "end_date_account_restriction",
            self.end_date_account_restriction,
            self.decision_account.is_some(),
        )?;
        self.check_end(
            "end_date_monetary_restriction",
            self.end_date_monetary_restriction,
            self.decision_monetary.is_some(),
        )?;
        self.check_end(
            "end_date_service_restriction",
            self.end_date_service_restriction,
            self.decision_provision.is_some(),
        )?;
        self.check_end(
            "end_date_visibility_restriction",
            self.end_date_visibility_restriction,
            !self.decision_visibility.is_empty(),
        )
    }

    fn check_ground(&self) -> Result<(), Violation> {
        let (rule, message) = match self.decision_ground {
            DecisionGround::IllegalContent if self.illegal_content_legal_ground.is_none() => (
                "account-sanction.illegal-needs-legal-ground",
                "illegal_content_legal_ground: required for DECISION_GROUND_ILLEGAL_CONTENT",
            ),
            DecisionGround::IncompatibleContent if self.incompatible_content_ground.is_none() => (
                "account-sanction.incompatible-needs-ground",
                "incompatible_content_ground: required for DECISION_GROUND_INCOMPATIBLE_CONTENT",
            ),
            DecisionGround::IllegalContent if self.incompatible_content_ground.is_some() => (
                "account-sanction.illegal-excludes-incompatible-ground",
                "incompatible_content_ground: set, but decision_ground is DECISION_GROUND_ILLEGAL_CONTENT",
            ),
            DecisionGround::IncompatibleContent if self.terms_clause.is_none() => (
                "account-sanction.incompatible-needs-terms-clause",
                "terms_clause: required for DECISION_GROUND_INCOMPATIBLE_CONTENT (DSA 17(3)(e))",
            ),
            _ => return Ok(()),
        };
        Err(Violation::new(rule, message))
    }

    fn check_review(&self) -> Result<(), Violation> {
        let Some(h) = &self.human_review else {
            return Ok(());
        };
        if h.done {
            let rule = "account-sanction.review-done-details";
            for (name, missing) in [
                ("time", h.time.is_none()),
                ("outcome", h.outcome.is_none()),
                ("qualification", h.qualification.is_none()),
            ] {
                if missing {
                    return Err(Violation::new(
                        rule,
                        format!("human_review.{name}: required when the review was done"),
                    ));
                }
            }
            if self.automated_decision == AutomatedDecision::Fully {
                return Err(Violation::new(
                    "account-sanction.review-excludes-fully-automated",
                    "human_review.done: true, but automated_decision is AUTOMATED_DECISION_FULLY",
                ));
            }
        } else if h.qualification.is_some() || h.time.is_some() || h.outcome.is_some() {
            return Err(Violation::new(
                "account-sanction.review-not-done-no-details",
                "human_review.done: false, but qualification, time or outcome is set",
            ));
        }
        Ok(())
    }
}

impl KindBody for AccountSanction {
    const KIND: Kind = Kind::AccountSanction;
    const SEALED: &'static [SealedSpec] = SEALED;

    fn validate(&self) -> Result<(), Violation> {
        if self.decision_visibility.is_empty()
            && self.decision_monetary.is_none()
            && self.decision_provision.is_none()
            && self.decision_account.is_none()
        {
            return Err(Violation::new(
                "account-sanction.some-decision",
                "decision_account: no decision at all (visibility, monetary, provision or account)",
            ));
        }
        self.check_lists()?;
        self.check_end_dates()?;
        self.check_ground()?;
        if let Some(d) = &self.detection {
            validate_detection(d, self.automated_detection)?;
        }
        self.check_review()
    }
}

fn validate_detection(d: &Detection, automated_detection: bool) -> Result<(), Violation> {
    let hashing = matches!(
        d.method,
        DetectionMethod::CryptographicHash | DetectionMethod::PerceptualHash
    );
    if d.method != DetectionMethod::Notice && !automated_detection {
        return Err(Violation::new(
            "account-sanction.detection-is-automated",
            format!(
                "automated_detection: false, but detection.method is {}",
                d.method
            ),
        ));
    }
    let (rule, message) = match (hashing, d.hash_algorithm, &d.hash_list) {
        (true, None, _) => (
            "account-sanction.hash-needs-algorithm",
            format!("detection.hash_algorithm: required for {}", d.method),
        ),
        (true, _, None) => (
            "account-sanction.hash-needs-list",
            format!("detection.hash_list: required for {}", d.method),
        ),
        (false, Some(_), _) => (
            "account-sanction.no-hash-no-algorithm",
            format!("detection.hash_algorithm: not applicable to {}", d.method),
        ),
        (false, _, Some(_)) => (
            "account-sanction.no-hash-no-list",
            format!("detection.hash_list: not applicable to {}", d.method),
        ),
        _ => ("", String::new()),
    };
    if !rule.is_empty() {
        return Err(Violation::new(rule, message));
    }
    if let Some(a) = d.hash_algorithm {
        let perceptual = d.method == DetectionMethod::PerceptualHash;
        if a.is_perceptual() != perceptual {
            return Err(Violation::new(
                "account-sanction.hash-algorithm-matches-method",
                format!("detection.hash_algorithm: {a} is not a {} hash", d.method),
            ));
        }
    }
    if d.method != DetectionMethod::PerceptualHash {
        let rule = "account-sanction.distance-only-perceptual";
        if d.perceptual_distance.is_some() {
            return Err(Violation::new(
                rule,
                "detection.perceptual_distance: only for perceptual-hash",
            ));
        }
        if d.threshold.is_some() {
            return Err(Violation::new(
                rule,
                "detection.threshold: only for perceptual-hash",
            ));
        }
    }
    Ok(())
}

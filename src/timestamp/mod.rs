//! RFC 3161 time-stamp tokens over checkpoints (docs/FORMAT.md §Timestamp tokens): the request a
//! log sends to a time-stamping authority (TSA), and the verification of its answer — the
//! `TimeStampResp` (RFC 3161 §2.4.2), the CMS `SignedData` it carries (RFC 5652 §5), the
//! `TSTInfo` inside (RFC 3161 §2.4.2), the signing-certificate attribute (ESS, RFC 5035 §5.4),
//! and the signer's certificate (RFC 5280), pinned by or issued by a certificate the trust
//! file lists. A token that verifies says that the message (a checkpoint's note text) existed
//! at `genTime`.
//!
//! Pure: bytes in, a [`Stamp`] or a [`TimestampError`] naming what failed out. No clock (the
//! certificate's validity is judged at the token's own `genTime`), no I/O, no randomness (the
//! caller passes the nonce). DER decoding and encoding are the RustCrypto `der`, `cms`,
//! `x509-cert` and `x509-tsp` crates'; a response must be DER (it must encode back to its very
//! bytes), so the signed attributes that are verified are the bytes received.

mod asn1;
mod signature;

use cms::cert::CertificateChoices;
use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier, SignerInfo};
use const_oid::ObjectIdentifier;
use const_oid::db::rfc5280::{ID_CE_BASIC_CONSTRAINTS, ID_CE_EXT_KEY_USAGE, ID_KP_TIME_STAMPING};
use const_oid::db::rfc5911::{
    ID_AA_SIGNING_CERTIFICATE_V_2, ID_CONTENT_TYPE, ID_MESSAGE_DIGEST, ID_SIGNED_DATA,
};
use const_oid::db::rfc5912::ID_SHA_256;
use der::asn1::{Int, OctetString};
use der::{Decode, DecodePem, Encode};
use sha2::{Digest, Sha256};
use x509_cert::Certificate;
use x509_cert::ext::pkix::{BasicConstraints, ExtendedKeyUsage};
use x509_tsp::{MessageImprint, TimeStampReq, TimeStampResp, TspVersion, TstInfo};

pub use signature::DigestAlg;

/// `id-ct-TSTInfo` (RFC 3161 §2.4.2): the content type of a time-stamp token's content.
pub const ID_CT_TST_INFO: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.1.4");

/// The largest time-stamp response read or kept (a token with a few certificates is a few
/// kilobytes).
pub const MAX_RESPONSE_SIZE: usize = 64 * 1024;

/// The SHA-256 digest a request for `message` carries (its message imprint).
pub fn imprint(message: &[u8]) -> [u8; 32] {
    Sha256::digest(message).into()
}

/// A time-stamping authority the trust file pins: its name there and a certificate (the TSA's
/// own, or the certificate of the CA that issues the TSA's certificates).
#[derive(Debug, Clone)]
pub struct Authority {
    pub name: String,
    pub certificate: Certificate,
    der: Vec<u8>,
}

impl Authority {
    /// An authority from its certificate in PEM form.
    pub fn from_pem(name: &str, pem: &str) -> Result<Authority, TimestampError> {
        let certificate = Certificate::from_pem(pem.as_bytes()).map_err(|e| {
            TimestampError::TrustCertificate {
                name: name.to_string(),
                reason: e.to_string(),
            }
        })?;
        let der = certificate
            .to_der()
            .map_err(|e| TimestampError::TrustCertificate {
                name: name.to_string(),
                reason: e.to_string(),
            })?;
        Ok(Authority {
            name: name.to_string(),
            certificate,
            der,
        })
    }

    /// SHA-256 of the certificate's DER, hex: how reports name the anchor.
    pub fn fingerprint(&self) -> String {
        format!("sha256:{}", hex::encode(Sha256::digest(&self.der)))
    }
}

/// What a verified token proves: the message existed at `gen_time` (seconds since the epoch),
/// by the word of the TSA that `authority` (the trust file's name) vouches for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    pub gen_time: u64,
    /// The token's declared accuracy, rounded up to whole seconds (0 when it declares none):
    /// RFC 3161 proves the time only to within it, so the message existed by
    /// [`Stamp::existed_by`].
    pub accuracy_secs: u64,
    /// The trust file's name of the authority the signer is pinned by or chained to.
    pub authority: String,
    /// The signer certificate's subject (RFC 4514 form).
    pub signer: String,
    /// The token's serial number, hex.
    pub serial: String,
}

impl Stamp {
    /// The latest time the token proves the message existed by: genTime plus its accuracy.
    pub fn existed_by(&self) -> u64 {
        self.gen_time.saturating_add(self.accuracy_secs)
    }
}

/// Why a time-stamp request could not be built or a response did not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TimestampError {
    #[error("timestamp authority {name:?}: its certificate does not decode: {reason}")]
    TrustCertificate { name: String, reason: String },
    #[error("the time-stamp {what} does not decode: {reason}")]
    Malformed { what: &'static str, reason: String },
    #[error("the time-stamp response is not DER: it does not encode back to the same bytes")]
    NotDer,
    #[error("the time-stamp response is larger than {MAX_RESPONSE_SIZE} bytes ({size})")]
    TooLarge { size: usize },
    #[error("the time-stamping authority did not grant the request: status {status}{text}")]
    NotGranted { status: String, text: String },
    #[error("the time-stamp response carries no token although its status is granted")]
    NoToken,
    #[error("the token's content type is {found}, not id-signedData")]
    NotSignedData { found: String },
    #[error("the token's encapsulated content type is {found}, not id-ct-TSTInfo")]
    NotTstInfo { found: String },
    #[error("the token has {count} signer infos; a time-stamp token has exactly one")]
    SignerCount { count: usize },
    #[error("the message imprint uses algorithm {found}, not SHA-256")]
    ImprintAlgorithm { found: String },
    #[error(
        "the message imprint {found} is not the SHA-256 of the time-stamped message ({expected})"
    )]
    ImprintMismatch { expected: String, found: String },
    #[error("the token's nonce is {found}, the request's {expected}")]
    NonceMismatch { expected: String, found: String },
    #[error("unsupported {what} algorithm {oid}")]
    UnsupportedAlgorithm { what: &'static str, oid: String },
    #[error("the signer info has no signed attribute {name}")]
    AttributeMissing { name: &'static str },
    #[error("the signed attribute {name} does not decode or has not exactly one value: {reason}")]
    AttributeMalformed { name: &'static str, reason: String },
    #[error("the content-type attribute is {found}, not id-ct-TSTInfo")]
    ContentTypeAttribute { found: String },
    #[error(
        "the message-digest attribute {found} is not the digest of the token's TSTInfo \
         ({expected}): the TSTInfo was changed after signing"
    )]
    MessageDigestMismatch { expected: String, found: String },
    #[error("the token names signer {signer}, and carries no certificate of it")]
    SignerCertificateMissing { signer: String },
    #[error("the token identifies its signer by subject key identifier, which is not supported")]
    SignerBySubjectKeyId,
    #[error("the token's signature does not verify under the key of {signer}")]
    SignatureInvalid { signer: String },
    #[error("the signature of certificate {subject} by {issuer} does not verify")]
    CertificateSignatureInvalid { subject: String, issuer: String },
    #[error(
        "the signer {subject} (issuer {issuer}) is neither a timestamp authority of the trust \
         file nor issued by one"
    )]
    Untrusted { subject: String, issuer: String },
    #[error(
        "the issuer {issuer} the trust file lists is not a CA (no basicConstraints cA), so it \
         cannot vouch for {subject}"
    )]
    IssuerNotCa { issuer: String, subject: String },
    #[error(
        "certificate {subject} is not valid at the token's time {gen_time}: valid from \
         {not_before} until {not_after}"
    )]
    CertificateNotValidAt {
        subject: String,
        gen_time: String,
        not_before: String,
        not_after: String,
    },
    #[error("certificate {subject} is not for time-stamping: {reason}")]
    NotTimestampingCertificate { subject: String, reason: String },
    #[error("signing-certificate attribute: {reason}")]
    SigningCertificate { reason: String },
}

fn malformed(what: &'static str) -> impl Fn(der::Error) -> TimestampError {
    move |e| TimestampError::Malformed {
        what,
        reason: e.to_string(),
    }
}

/// A DER `TimeStampReq` (RFC 3161 §2.4.1) for `message`: version 1, SHA-256 imprint of the
/// message, `nonce` (its big-endian bytes; the first must be 0x01..=0x7f, so that it is a
/// positive INTEGER in its shortest form), `certReq` true (the TSA puts its certificate into
/// the token, so that the token verifies with the trust file alone).
pub fn request(message: &[u8], nonce: &[u8]) -> Result<Vec<u8>, TimestampError> {
    let req = TimeStampReq {
        version: TspVersion::V1,
        message_imprint: MessageImprint {
            hash_algorithm: spki::AlgorithmIdentifier {
                oid: ID_SHA_256,
                parameters: Some(der::asn1::Null.into()),
            },
            hashed_message: OctetString::new(imprint(message).to_vec())
                .map_err(malformed("request"))?,
        },
        req_policy: None,
        nonce: Some(nonce_int(nonce)?),
        cert_req: true,
        extensions: None,
    };
    req.to_der().map_err(malformed("request"))
}

fn nonce_int(nonce: &[u8]) -> Result<Int, TimestampError> {
    match nonce.first() {
        Some(1..=0x7f) => Int::new(nonce).map_err(malformed("request")),
        _ => Err(TimestampError::Malformed {
            what: "request",
            reason: "the nonce must start with a byte in 0x01..=0x7f".into(),
        }),
    }
}

/// Verify a DER `TimeStampResp` for `message` against the `authorities` of the trust file
/// (and, when the request is at hand, that it answers its `nonce`): see [`verify_token`].
pub fn verify_response(
    bytes: &[u8],
    message: &[u8],
    nonce: Option<&[u8]>,
    authorities: &[Authority],
) -> Result<Stamp, TimestampError> {
    if bytes.len() > MAX_RESPONSE_SIZE {
        return Err(TimestampError::TooLarge { size: bytes.len() });
    }
    let resp = TimeStampResp::from_der(bytes).map_err(malformed("response"))?;
    if resp.to_der().map_err(malformed("response"))? != bytes {
        return Err(TimestampError::NotDer);
    }
    use cmpv2::status::PkiStatus;
    if !matches!(
        resp.status.status,
        PkiStatus::Accepted | PkiStatus::GrantedWithMods
    ) {
        let text = resp
            .status
            .status_string
            .as_ref()
            .map(|s| {
                let t: Vec<String> = s.iter().map(|u| u.to_string()).collect();
                format!(": {}", t.join("; "))
            })
            .unwrap_or_default();
        return Err(TimestampError::NotGranted {
            status: format!("{:?}", resp.status.status),
            text,
        });
    }
    let token = resp.time_stamp_token.ok_or(TimestampError::NoToken)?;
    let stamp = check_token(&token, message, authorities)?;
    if let Some(expected) = nonce {
        let tst = tst_info(&token)?.1;
        let expected_int = nonce_int(expected)?;
        if tst.nonce.as_ref() != Some(&expected_int) {
            return Err(TimestampError::NonceMismatch {
                expected: hex::encode(expected_int.as_bytes()),
                found: tst
                    .nonce
                    .map_or("absent".into(), |n| hex::encode(n.as_bytes())),
            });
        }
    }
    Ok(stamp)
}

/// Verify a DER `TimeStampToken` (a CMS `ContentInfo`) for `message`: its `TSTInfo`'s imprint
/// is SHA-256 of `message`; its one signer's signed attributes hold content type
/// id-ct-TSTInfo, the digest of the encapsulated `TSTInfo`, and an ESS signing-certificate-v2
/// naming the signer's certificate; their signature verifies under that certificate's key;
/// the certificate is valid at `genTime`, for time-stamping only (extended key usage
/// id-kp-timeStamping, critical), and is either a certificate of `authorities` or issued by
/// one (a CA) valid at `genTime` too.
pub fn verify_token(
    bytes: &[u8],
    message: &[u8],
    authorities: &[Authority],
) -> Result<Stamp, TimestampError> {
    let token = ContentInfo::from_der(bytes).map_err(malformed("token"))?;
    if token.to_der().map_err(malformed("token"))? != bytes {
        return Err(TimestampError::NotDer);
    }
    check_token(&token, message, authorities)
}

/// The token's `SignedData` and the `TSTInfo` it encapsulates (with the `TSTInfo`'s DER).
fn tst_info(token: &ContentInfo) -> Result<(SignedData, TstInfo, Vec<u8>), TimestampError> {
    if token.content_type != ID_SIGNED_DATA {
        return Err(TimestampError::NotSignedData {
            found: token.content_type.to_string(),
        });
    }
    let sd: SignedData = token.content.decode_as().map_err(malformed("SignedData"))?;
    if sd.to_der().map_err(malformed("SignedData"))?
        != token.content.to_der().map_err(malformed("SignedData"))?
    {
        return Err(TimestampError::NotDer);
    }
    let encap = &sd.encap_content_info;
    if encap.econtent_type != ID_CT_TST_INFO {
        return Err(TimestampError::NotTstInfo {
            found: encap.econtent_type.to_string(),
        });
    }
    let content = encap.econtent.as_ref().ok_or(TimestampError::Malformed {
        what: "SignedData",
        reason: "no encapsulated content".into(),
    })?;
    let octets: OctetString = content.decode_as().map_err(malformed("eContent"))?;
    let tst_der = octets.as_bytes().to_vec();
    let tst = TstInfo::from_der(&tst_der).map_err(malformed("TSTInfo"))?;
    Ok((sd, tst, tst_der))
}

fn check_token(
    token: &ContentInfo,
    message: &[u8],
    authorities: &[Authority],
) -> Result<Stamp, TimestampError> {
    let (sd, tst, tst_der) = tst_info(token)?;
    // The imprint: SHA-256 of the message.
    let mi = &tst.message_imprint;
    if mi.hash_algorithm.oid != ID_SHA_256 {
        return Err(TimestampError::ImprintAlgorithm {
            found: mi.hash_algorithm.oid.to_string(),
        });
    }
    let expected = imprint(message);
    if mi.hashed_message.as_bytes() != expected {
        return Err(TimestampError::ImprintMismatch {
            expected: hex::encode(expected),
            found: hex::encode(mi.hashed_message.as_bytes()),
        });
    }
    let gen_time = tst.gen_time.to_unix_duration().as_secs();
    // Accuracy in whole seconds, rounded up; negative sub-second parts count as none.
    let accuracy_secs = tst.accuracy.as_ref().map_or(0, |a| {
        let sub = u64::try_from(a.millis.unwrap_or(0)).unwrap_or(0) * 1000
            + u64::try_from(a.micros.unwrap_or(0)).unwrap_or(0);
        a.seconds
            .unwrap_or(0)
            .saturating_add(sub.div_ceil(1_000_000))
    });
    let signers = sd.signer_infos.0.as_slice();
    let [si] = signers else {
        return Err(TimestampError::SignerCount {
            count: signers.len(),
        });
    };
    // The signed attributes: content type and the digest of the TSTInfo.
    let digest = DigestAlg::from_oid(&si.digest_alg.oid, "digest")?;
    let attrs = si
        .signed_attrs
        .as_ref()
        .ok_or(TimestampError::AttributeMissing {
            name: "content-type",
        })?;
    let ct: ObjectIdentifier = asn1::single_attribute(attrs, ID_CONTENT_TYPE, "content-type")?;
    if ct != ID_CT_TST_INFO {
        return Err(TimestampError::ContentTypeAttribute {
            found: ct.to_string(),
        });
    }
    let md: OctetString = asn1::single_attribute(attrs, ID_MESSAGE_DIGEST, "message-digest")?;
    let want = digest.digest(&tst_der);
    if md.as_bytes() != want.as_slice() {
        return Err(TimestampError::MessageDigestMismatch {
            expected: hex::encode(&want),
            found: hex::encode(md.as_bytes()),
        });
    }
    // The signer's certificate and its signature over the signed attributes.
    let certs = token_certificates(&sd);
    let signer = signer_certificate(si, &certs, authorities)?;
    let subject = signer.tbs_certificate.subject.to_string();
    let signed = attrs.to_der().map_err(malformed("signed attributes"))?;
    signature::verify(
        &signer.tbs_certificate.subject_public_key_info,
        &si.signature_algorithm,
        digest,
        &signed,
        si.signature.as_bytes(),
    )
    .map_err(|e| match e {
        signature::Failure::Unsupported(what, oid) => {
            TimestampError::UnsupportedAlgorithm { what, oid }
        }
        signature::Failure::Invalid => TimestampError::SignatureInvalid {
            signer: subject.clone(),
        },
    })?;
    asn1::check_signing_certificate(attrs, signer)?;
    // The certificate: for time-stamping, valid at genTime, and trusted.
    timestamping_only(signer)?;
    valid_at(signer, gen_time)?;
    let authority = anchor(signer, authorities, gen_time)?;
    Ok(Stamp {
        gen_time,
        accuracy_secs,
        authority: authority.name.clone(),
        signer: subject,
        serial: hex::encode(tst.serial_number.as_bytes()),
    })
}

fn token_certificates(sd: &SignedData) -> Vec<&Certificate> {
    sd.certificates
        .iter()
        .flat_map(|set| set.0.iter())
        .filter_map(|c| match c {
            CertificateChoices::Certificate(c) => Some(c),
            _ => None,
        })
        .collect()
}

/// The certificate the signer info names (issuer and serial number), among the token's and
/// the trust file's.
fn signer_certificate<'a>(
    si: &SignerInfo,
    certs: &[&'a Certificate],
    authorities: &'a [Authority],
) -> Result<&'a Certificate, TimestampError> {
    let SignerIdentifier::IssuerAndSerialNumber(ias) = &si.sid else {
        return Err(TimestampError::SignerBySubjectKeyId);
    };
    certs
        .iter()
        .copied()
        .chain(authorities.iter().map(|a| &a.certificate))
        .find(|c| {
            c.tbs_certificate.issuer == ias.issuer
                && c.tbs_certificate.serial_number == ias.serial_number
        })
        .ok_or_else(|| TimestampError::SignerCertificateMissing {
            signer: format!(
                "issuer {}, serial {}",
                ias.issuer,
                hex::encode(ias.serial_number.as_bytes())
            ),
        })
}

fn time_text(secs: u64) -> String {
    crate::record::types::Timestamp(secs.saturating_mul(1000)).to_rfc3339()
}

/// The certificate is valid at `at` (seconds): `notBefore ≤ at ≤ notAfter` (RFC 5280 §4.1.2.5).
fn valid_at(cert: &Certificate, at: u64) -> Result<(), TimestampError> {
    let v = &cert.tbs_certificate.validity;
    let (from, until) = (
        v.not_before.to_unix_duration().as_secs(),
        v.not_after.to_unix_duration().as_secs(),
    );
    if at < from || at > until {
        return Err(TimestampError::CertificateNotValidAt {
            subject: cert.tbs_certificate.subject.to_string(),
            gen_time: time_text(at),
            not_before: time_text(from),
            not_after: time_text(until),
        });
    }
    Ok(())
}

/// RFC 3161 §2.3: the TSA's certificate has exactly one extended key usage, id-kp-timeStamping,
/// in a critical extension.
fn timestamping_only(cert: &Certificate) -> Result<(), TimestampError> {
    let fail = |reason: &str| TimestampError::NotTimestampingCertificate {
        subject: cert.tbs_certificate.subject.to_string(),
        reason: reason.to_string(),
    };
    let ext = cert
        .tbs_certificate
        .extensions
        .iter()
        .flatten()
        .find(|e| e.extn_id == ID_CE_EXT_KEY_USAGE)
        .ok_or_else(|| fail("no extended key usage extension"))?;
    if !ext.critical {
        return Err(fail("the extended key usage extension is not critical"));
    }
    let eku = ExtendedKeyUsage::from_der(ext.extn_value.as_bytes())
        .map_err(|e| fail(&format!("the extended key usage does not decode: {e}")))?;
    if eku.0 != [ID_KP_TIME_STAMPING] {
        let found: Vec<String> = eku.0.iter().map(|o| o.to_string()).collect();
        return Err(fail(&format!(
            "its extended key usage is [{}], not id-kp-timeStamping alone",
            found.join(", ")
        )));
    }
    Ok(())
}

/// The authority of the trust file that vouches for the signer: the signer's certificate is
/// one of theirs (pinned), or was issued (and signed) by one that is a CA valid at `gen_time`.
fn anchor<'a>(
    signer: &Certificate,
    authorities: &'a [Authority],
    gen_time: u64,
) -> Result<&'a Authority, TimestampError> {
    let der = signer.to_der().map_err(malformed("certificate"))?;
    if let Some(a) = authorities.iter().find(|a| a.der == der) {
        return Ok(a);
    }
    let tbs = &signer.tbs_certificate;
    // Every listed authority named as the issuer is tried (a CA re-keyed under the same name
    // may be listed twice); the first that verifies and is valid at genTime anchors it.
    let mut first_failure = None;
    for issuer in authorities
        .iter()
        .filter(|a| a.certificate.tbs_certificate.subject == tbs.issuer)
    {
        match issued_by(signer, issuer, gen_time) {
            Ok(()) => return Ok(issuer),
            Err(e) => {
                first_failure.get_or_insert(e);
            }
        }
    }
    Err(first_failure.unwrap_or_else(|| TimestampError::Untrusted {
        subject: tbs.subject.to_string(),
        issuer: tbs.issuer.to_string(),
    }))
}

/// That `issuer` is a CA, signed `signer`, and is valid at `gen_time`.
fn issued_by(
    signer: &Certificate,
    issuer: &Authority,
    gen_time: u64,
) -> Result<(), TimestampError> {
    let tbs = &signer.tbs_certificate;
    let ca_tbs = &issuer.certificate.tbs_certificate;
    let is_ca = ca_tbs
        .extensions
        .iter()
        .flatten()
        .find(|e| e.extn_id == ID_CE_BASIC_CONSTRAINTS)
        .and_then(|e| BasicConstraints::from_der(e.extn_value.as_bytes()).ok())
        .is_some_and(|b| b.ca);
    if !is_ca {
        return Err(TimestampError::IssuerNotCa {
            issuer: ca_tbs.subject.to_string(),
            subject: tbs.subject.to_string(),
        });
    }
    let tbs_der = tbs.to_der().map_err(malformed("certificate"))?;
    let digest = DigestAlg::for_signature(&signer.signature_algorithm.oid)?;
    signature::verify(
        &ca_tbs.subject_public_key_info,
        &signer.signature_algorithm,
        digest,
        &tbs_der,
        signer.signature.raw_bytes(),
    )
    .map_err(|e| match e {
        signature::Failure::Unsupported(what, oid) => {
            TimestampError::UnsupportedAlgorithm { what, oid }
        }
        signature::Failure::Invalid => TimestampError::CertificateSignatureInvalid {
            subject: tbs.subject.to_string(),
            issuer: ca_tbs.subject.to_string(),
        },
    })?;
    valid_at(&issuer.certificate, gen_time)
}

#[cfg(test)]
mod tests;

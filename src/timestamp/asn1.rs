//! The signed attributes of a time-stamp token's signer info: reading one attribute's single
//! value (RFC 5652 §5.3), and the ESS signing-certificate-v2 attribute (RFC 5035 §5.4; the
//! types are declared here with the `der` crate's derive, as no RustCrypto crate of this
//! generation has them).

use der::asn1::OctetString;
use der::{Decode, Encode, Sequence};
use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;
use x509_cert::attr::Attributes;
use x509_cert::ext::pkix::name::{GeneralName, GeneralNames};
use x509_cert::serial_number::SerialNumber;

use super::{DigestAlg, ID_AA_SIGNING_CERTIFICATE_V_2, TimestampError};

/// `SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2, policies SEQUENCE OF
/// PolicyInformation OPTIONAL }` (the policies are not used, and kept undecoded).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct SigningCertificateV2 {
    certs: Vec<EssCertIdV2>,
    #[asn1(optional = "true")]
    policies: Option<der::Any>,
}

/// `ESSCertIDv2 ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier DEFAULT {algorithm
/// id-sha256}, certHash OCTET STRING, issuerSerial IssuerSerial OPTIONAL }`.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct EssCertIdV2 {
    #[asn1(optional = "true")]
    hash_algorithm: Option<AlgorithmIdentifierOwned>,
    cert_hash: OctetString,
    #[asn1(optional = "true")]
    issuer_serial: Option<IssuerSerial>,
}

/// `IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber CertificateSerialNumber }`.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct IssuerSerial {
    issuer: GeneralNames,
    serial_number: SerialNumber,
}

/// The one value of the signed attribute `oid`, decoded as `T`.
pub(super) fn single_attribute<T: for<'a> Decode<'a>>(
    attrs: &Attributes,
    oid: const_oid::ObjectIdentifier,
    name: &'static str,
) -> Result<T, TimestampError> {
    let mut found = attrs.iter().filter(|a| a.oid == oid);
    let attr = found
        .next()
        .ok_or(TimestampError::AttributeMissing { name })?;
    let bad = |reason: String| TimestampError::AttributeMalformed { name, reason };
    if found.next().is_some() {
        return Err(bad("the attribute appears twice".into()));
    }
    let [value] = attr.values.as_slice() else {
        return Err(bad(format!("{} values", attr.values.len())));
    };
    let der = value.to_der().map_err(|e| bad(e.to_string()))?;
    T::from_der(&der).map_err(|e| bad(e.to_string()))
}

/// The ESS signing-certificate-v2 attribute's first entry names `signer`: its hash of the
/// certificate (SHA-256 unless it says otherwise) and, when present, its issuer and serial.
pub(super) fn check_signing_certificate(
    attrs: &Attributes,
    signer: &Certificate,
) -> Result<(), TimestampError> {
    let fail = |reason: String| TimestampError::SigningCertificate { reason };
    let sc: SigningCertificateV2 = single_attribute(
        attrs,
        ID_AA_SIGNING_CERTIFICATE_V_2,
        "signing-certificate-v2",
    )?;
    let first = sc
        .certs
        .first()
        .ok_or_else(|| fail("it lists no certificate".into()))?;
    let alg = match &first.hash_algorithm {
        None => DigestAlg::Sha256,
        Some(a) => DigestAlg::from_oid(&a.oid, "signing-certificate hash")?,
    };
    let der = signer.to_der().map_err(|e| fail(e.to_string()))?;
    let hash = alg.digest(&der);
    if first.cert_hash.as_bytes() != hash.as_slice() {
        return Err(fail(format!(
            "its certificate hash {} is not the hash of the signer's certificate {} ({})",
            hex::encode(first.cert_hash.as_bytes()),
            signer.tbs_certificate.subject,
            hex::encode(&hash)
        )));
    }
    if let Some(is) = &first.issuer_serial {
        let tbs = &signer.tbs_certificate;
        let issuer_named = is
            .issuer
            .iter()
            .any(|g| matches!(g, GeneralName::DirectoryName(n) if *n == tbs.issuer));
        if !issuer_named || is.serial_number != tbs.serial_number {
            return Err(fail(format!(
                "its issuer and serial number are not those of the signer's certificate {}",
                tbs.subject
            )));
        }
    }
    Ok(())
}

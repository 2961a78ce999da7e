//! The digests and signature algorithms a time-stamp token and its certificates may use:
//! SHA-256/384/512; ECDSA over P-256 or P-384 (RFC 5758 §3.2) and RSA PKCS #1 v1.5 (RFC 8017
//! §8.2), with the RustCrypto `p256`, `p384` and `rsa` crates. Anything else is unsupported.

use const_oid::ObjectIdentifier;
use const_oid::db::rfc5912::{
    ECDSA_WITH_SHA_256, ECDSA_WITH_SHA_384, ECDSA_WITH_SHA_512, ID_EC_PUBLIC_KEY, ID_SHA_256,
    ID_SHA_384, ID_SHA_512, RSA_ENCRYPTION, SECP_256_R_1, SECP_384_R_1,
    SHA_256_WITH_RSA_ENCRYPTION, SHA_384_WITH_RSA_ENCRYPTION, SHA_512_WITH_RSA_ENCRYPTION,
};
use sha2::{Digest, Sha256, Sha384, Sha512};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

use super::TimestampError;

/// A digest algorithm of the SHA-2 family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DigestAlg {
    Sha256,
    Sha384,
    Sha512,
}

impl DigestAlg {
    pub(super) fn from_oid(
        oid: &ObjectIdentifier,
        what: &'static str,
    ) -> Result<Self, TimestampError> {
        match *oid {
            ID_SHA_256 => Ok(DigestAlg::Sha256),
            ID_SHA_384 => Ok(DigestAlg::Sha384),
            ID_SHA_512 => Ok(DigestAlg::Sha512),
            _ => Err(TimestampError::UnsupportedAlgorithm {
                what,
                oid: oid.to_string(),
            }),
        }
    }

    /// The digest a certificate's signature algorithm (`sha256WithRSAEncryption`, …) names.
    pub(super) fn for_signature(oid: &ObjectIdentifier) -> Result<Self, TimestampError> {
        match *oid {
            ECDSA_WITH_SHA_256 | SHA_256_WITH_RSA_ENCRYPTION => Ok(DigestAlg::Sha256),
            ECDSA_WITH_SHA_384 | SHA_384_WITH_RSA_ENCRYPTION => Ok(DigestAlg::Sha384),
            ECDSA_WITH_SHA_512 | SHA_512_WITH_RSA_ENCRYPTION => Ok(DigestAlg::Sha512),
            _ => Err(TimestampError::UnsupportedAlgorithm {
                what: "certificate signature",
                oid: oid.to_string(),
            }),
        }
    }

    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            DigestAlg::Sha256 => Sha256::digest(data).to_vec(),
            DigestAlg::Sha384 => Sha384::digest(data).to_vec(),
            DigestAlg::Sha512 => Sha512::digest(data).to_vec(),
        }
    }
}

/// Why a signature was not accepted.
pub(super) enum Failure {
    Unsupported(&'static str, String),
    Invalid,
}

/// Verify `sig` over `data` by the key `spki`, with the signature algorithm `alg` (which must
/// name `digest`, or be the bare key algorithm as CMS allows for RSA).
pub(super) fn verify(
    spki: &SubjectPublicKeyInfoOwned,
    alg: &AlgorithmIdentifierOwned,
    digest: DigestAlg,
    data: &[u8],
    sig: &[u8],
) -> Result<(), Failure> {
    let unsupported = || Failure::Unsupported("signature", alg.oid.to_string());
    let key = spki.subject_public_key.raw_bytes();
    let hashed = digest.digest(data);
    match spki.algorithm.oid {
        ID_EC_PUBLIC_KEY => {
            let named = DigestAlg::for_signature(&alg.oid).map_err(|_| unsupported())?;
            if named != digest {
                return Err(unsupported());
            }
            let curve: ObjectIdentifier = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.decode_as().ok())
                .ok_or_else(|| Failure::Unsupported("key", "EC without a named curve".into()))?;
            use p256::ecdsa::signature::hazmat::PrehashVerifier;
            match curve {
                SECP_256_R_1 => {
                    let k = p256::ecdsa::VerifyingKey::from_sec1_bytes(key)
                        .map_err(|_| Failure::Invalid)?;
                    let s = p256::ecdsa::Signature::from_der(sig).map_err(|_| Failure::Invalid)?;
                    k.verify_prehash(&hashed, &s).map_err(|_| Failure::Invalid)
                }
                SECP_384_R_1 => {
                    let k = p384::ecdsa::VerifyingKey::from_sec1_bytes(key)
                        .map_err(|_| Failure::Invalid)?;
                    let s = p384::ecdsa::Signature::from_der(sig).map_err(|_| Failure::Invalid)?;
                    k.verify_prehash(&hashed, &s).map_err(|_| Failure::Invalid)
                }
                other => Err(Failure::Unsupported("curve", other.to_string())),
            }
        }
        RSA_ENCRYPTION => {
            if alg.oid != RSA_ENCRYPTION {
                let named = DigestAlg::for_signature(&alg.oid).map_err(|_| unsupported())?;
                if named != digest {
                    return Err(unsupported());
                }
            }
            use rsa::pkcs1::DecodeRsaPublicKey;
            let k = rsa::RsaPublicKey::from_pkcs1_der(key).map_err(|_| Failure::Invalid)?;
            let scheme = match digest {
                DigestAlg::Sha256 => rsa::Pkcs1v15Sign::new::<Sha256>(),
                DigestAlg::Sha384 => rsa::Pkcs1v15Sign::new::<Sha384>(),
                DigestAlg::Sha512 => rsa::Pkcs1v15Sign::new::<Sha512>(),
            };
            k.verify(scheme, &hashed, sig).map_err(|_| Failure::Invalid)
        }
        other => Err(Failure::Unsupported("key", other.to_string())),
    }
}

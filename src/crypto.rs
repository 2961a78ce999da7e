//! Ed25519 keys and the one signature rule logseal uses everywhere.
//!
//! Owns: key validation (refusing small-order and non-canonical public keys), key ids,
//! signing, and strict verification. Everything that checks a signature — records, notes,
//! cosignatures — goes through [`verify_strict`], so there is exactly one rule:
//! RFC 8032 §5.1.7 with the cofactorless equation `[S]B = R + [k]A`, `S < L` (canonical),
//! `R` and `A` not of small order, and `R` compared by its encoding (so a non-canonical `R`
//! fails). This is `ed25519_dalek::VerifyingKey::verify_strict`. Batch verification is not
//! used: dalek's batch equation is not strict.
//!
//! Never reads files, the clock or randomness by itself: callers pass an RNG.

use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

/// Length of an Ed25519 public key, a signature, and a key id, in bytes.
pub const PUBLIC_KEY_LEN: usize = 32;
pub const SIGNATURE_LEN: usize = 64;
pub const KEY_ID_LEN: usize = 32;

/// Why a key or a signature was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CryptoError {
    #[error("public key {key} is not a valid Ed25519 point encoding")]
    InvalidPoint { key: String },
    #[error("public key {key} is not canonically encoded (y is not reduced mod p)")]
    NonCanonicalKey { key: String },
    #[error("public key {key} has small order (it would accept forged signatures)")]
    SmallOrderKey { key: String },
    #[error("signature must be {SIGNATURE_LEN} bytes, found {found}")]
    SignatureLength { found: usize },
    #[error("signature does not verify under key {key} (strict Ed25519, RFC 8032 §5.1.7)")]
    BadSignature { key: String },
}

impl CryptoError {
    /// A stable kebab-case code for the variant, named by test vectors and reports
    /// (docs/FORMAT.md §Rejection codes). Never changes once published.
    pub fn code(&self) -> &'static str {
        match self {
            CryptoError::InvalidPoint { .. } => "key-invalid-point",
            CryptoError::NonCanonicalKey { .. } => "key-non-canonical",
            CryptoError::SmallOrderKey { .. } => "key-small-order",
            CryptoError::SignatureLength { .. } => "signature-length",
            CryptoError::BadSignature { .. } => "signature-invalid",
        }
    }
}

/// A public key that passed validation: a canonical encoding of a point that is not of small
/// order. Constructing one is the registration-time check DESIGN.md asks for.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct PublicKey {
    bytes: [u8; PUBLIC_KEY_LEN],
    key: VerifyingKey,
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PublicKey({})", hex::encode(self.bytes))
    }
}

impl PublicKey {
    /// Parse and validate a 32-byte public key.
    pub fn from_bytes(bytes: &[u8; PUBLIC_KEY_LEN]) -> Result<Self, CryptoError> {
        let key = VerifyingKey::from_bytes(bytes).map_err(|_| CryptoError::InvalidPoint {
            key: hex::encode(bytes),
        })?;
        if key.to_edwards().compress().to_bytes() != *bytes {
            return Err(CryptoError::NonCanonicalKey {
                key: hex::encode(bytes),
            });
        }
        if key.is_weak() {
            return Err(CryptoError::SmallOrderKey {
                key: hex::encode(bytes),
            });
        }
        Ok(Self { bytes: *bytes, key })
    }

    /// Parse from a slice that must be exactly 32 bytes.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, CryptoError> {
        let arr: [u8; PUBLIC_KEY_LEN] =
            bytes.try_into().map_err(|_| CryptoError::InvalidPoint {
                key: hex::encode(bytes),
            })?;
        Self::from_bytes(&arr)
    }

    pub fn as_bytes(&self) -> &[u8; PUBLIC_KEY_LEN] {
        &self.bytes
    }

    /// The key id used in record headers: `SHA-256(public key bytes)`.
    pub fn key_id(&self) -> KeyId {
        key_id(&self.bytes)
    }

    /// Verify `signature` over `message` with the strict rule (see module docs).
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), CryptoError> {
        verify_strict(&self.key, message, signature)
    }
}

/// `SHA-256(public key bytes)`: the 32-byte `kid` of a record's protected header.
pub type KeyId = [u8; KEY_ID_LEN];

/// The key id of a raw public key (validation is a separate step).
pub fn key_id(public_key: &[u8; PUBLIC_KEY_LEN]) -> KeyId {
    Sha256::digest(public_key).into()
}

/// Strict Ed25519 verification of `signature` (64 bytes) over `message`.
pub fn verify_strict(
    key: &VerifyingKey,
    message: &[u8],
    signature: &[u8],
) -> Result<(), CryptoError> {
    let sig: [u8; SIGNATURE_LEN] =
        signature
            .try_into()
            .map_err(|_| CryptoError::SignatureLength {
                found: signature.len(),
            })?;
    let sig = ed25519_dalek::Signature::from_bytes(&sig);
    key.verify_strict(message, &sig)
        .map_err(|_| CryptoError::BadSignature {
            key: hex::encode(key.as_bytes()),
        })
}

/// An Ed25519 signing key (the 32-byte RFC 8032 seed). Never printed by `Debug`.
#[derive(Clone)]
pub struct SecretKey {
    key: SigningKey,
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "SecretKey(public {})",
            hex::encode(self.key.verifying_key().as_bytes())
        )
    }
}

impl SecretKey {
    /// A fresh key from the given cryptographic RNG.
    pub fn generate<R: rand_core::CryptoRngCore + ?Sized>(rng: &mut R) -> Self {
        Self {
            key: SigningKey::generate(rng),
        }
    }

    /// A key from its 32-byte seed (RFC 8032 §5.1.5 private key).
    pub fn from_seed(seed: &[u8; 32]) -> Self {
        Self {
            key: SigningKey::from_bytes(seed),
        }
    }

    /// The 32-byte seed. Handle with care: this is the secret.
    pub fn seed(&self) -> [u8; 32] {
        self.key.to_bytes()
    }

    /// The public key. A key generated or derived from a seed is never of small order
    /// (its scalar is clamped), so this cannot fail.
    pub fn public_key(&self) -> PublicKey {
        let key = self.key.verifying_key();
        PublicKey {
            bytes: key.to_bytes(),
            key,
        }
    }

    /// Sign `message` (pure Ed25519, RFC 8032 §5.1.6).
    pub fn sign(&self, message: &[u8]) -> [u8; SIGNATURE_LEN] {
        self.key.sign(message).to_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_verify_roundtrip_and_tamper() {
        let sk = SecretKey::from_seed(&[7u8; 32]);
        let pk = sk.public_key();
        let sig = sk.sign(b"hello");
        pk.verify(b"hello", &sig).unwrap();
        assert!(matches!(
            pk.verify(b"hellO", &sig),
            Err(CryptoError::BadSignature { .. })
        ));
        assert!(matches!(
            pk.verify(b"hello", &sig[..63]),
            Err(CryptoError::SignatureLength { found: 63 })
        ));
    }

    #[test]
    fn rfc8032_test_1() {
        // RFC 8032 §7.1, TEST 1 (empty message).
        let seed: [u8; 32] =
            hex::decode("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
                .unwrap()
                .try_into()
                .unwrap();
        let sk = SecretKey::from_seed(&seed);
        assert_eq!(
            hex::encode(sk.public_key().as_bytes()),
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
        );
        assert_eq!(
            hex::encode(sk.sign(b"")),
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
        );
    }

    #[test]
    fn small_order_key_refused() {
        // The identity point (y = 1) has order 1.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        assert!(matches!(
            PublicKey::from_bytes(&identity),
            Err(CryptoError::SmallOrderKey { .. })
        ));
    }

    #[test]
    fn non_canonical_key_refused() {
        // y = p + 1 (≡ 1) encoded without reduction: 0xee, 0xff.., 0x7f.
        let mut bytes = [0xffu8; 32];
        bytes[0] = 0xee;
        bytes[31] = 0x7f;
        assert!(matches!(
            PublicKey::from_bytes(&bytes),
            Err(CryptoError::NonCanonicalKey { .. }) | Err(CryptoError::InvalidPoint { .. })
        ));
    }

    #[test]
    fn non_canonical_s_rejected() {
        let sk = SecretKey::from_seed(&[9u8; 32]);
        let pk = sk.public_key();
        let mut sig = sk.sign(b"m");
        // Add L to S: same value mod L, but not canonical.
        let l: [u8; 32] =
            hex::decode("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010")
                .unwrap()
                .try_into()
                .unwrap();
        let mut carry = 0u16;
        for i in 0..32 {
            let v = sig[32 + i] as u16 + l[i] as u16 + carry;
            sig[32 + i] = v as u8;
            carry = v >> 8;
        }
        assert!(pk.verify(b"m", &sig).is_err());
    }
}

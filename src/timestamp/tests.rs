//! Known-answer tokens made by `openssl ts` (testvectors/timestamp/make.sh, README there) and
//! tampered copies of them, each rejected with the error that names what failed.

use super::*;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/testvectors/timestamp/");

fn read(name: &str) -> Vec<u8> {
    std::fs::read(format!("{DIR}{name}")).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn authority(name: &str, file: &str) -> Authority {
    Authority::from_pem(name, &String::from_utf8(read(file)).unwrap()).unwrap()
}

fn message() -> Vec<u8> {
    read("checkpoint.txt")
}

fn ca() -> Vec<Authority> {
    vec![authority("test-tsa", "ca.pem")]
}

fn cert_validity(file: &str) -> (u64, u64) {
    let a = authority("x", file);
    let v = &a.certificate.tbs_certificate.validity;
    (
        v.not_before.to_unix_duration().as_secs(),
        v.not_after.to_unix_duration().as_secs(),
    )
}

#[test]
fn the_openssl_token_verifies_against_its_ca() {
    let stamp = verify_response(&read("valid.tsr"), &message(), None, &ca()).unwrap();
    assert_eq!(stamp.authority, "test-tsa");
    assert_eq!(stamp.signer, "CN=logseal test TSA");
    // genTime lies within the TSA certificate's validity (it was made by make.sh).
    let (from, until) = cert_validity("tsa.pem");
    assert!(
        stamp.gen_time >= from && stamp.gen_time <= until,
        "{stamp:?}"
    );
}

#[test]
fn a_pinned_tsa_certificate_is_an_anchor_too() {
    let pinned = vec![authority("the-tsa", "tsa.pem")];
    let stamp = verify_response(&read("valid.tsr"), &message(), None, &pinned).unwrap();
    assert_eq!(stamp.authority, "the-tsa");
}

#[test]
fn the_request_is_what_openssl_sends_but_for_the_nonce() {
    // openssl ts -query: version 1, SHA-256 imprint, a nonce, certReq true.
    let theirs = TimeStampReq::from_der(&read("request.tsq")).unwrap();
    let nonce = theirs.nonce.clone().unwrap();
    let ours = request(&message(), nonce.as_bytes()).unwrap();
    assert_eq!(ours, read("request.tsq"));
    // And the response answers that nonce, not another.
    verify_response(
        &read("valid.tsr"),
        &message(),
        Some(nonce.as_bytes()),
        &ca(),
    )
    .unwrap();
    let other = [0x11; 8];
    match verify_response(&read("valid.tsr"), &message(), Some(&other), &ca()) {
        Err(TimestampError::NonceMismatch { expected, .. }) => {
            assert_eq!(expected, hex::encode(other))
        }
        r => panic!("{r:?}"),
    }
    assert!(matches!(
        request(&message(), &[0x80, 1]),
        Err(TimestampError::Malformed {
            what: "request",
            ..
        })
    ));
}

/// The position of the token's genTime (GeneralizedTime, tag 0x18, 15 bytes) in `der`.
fn gen_time_at(der: &[u8]) -> usize {
    let at = der
        .windows(2)
        .position(|w| w == [0x18, 15])
        .expect("a GeneralizedTime");
    at + 2
}

#[test]
fn a_flipped_gen_time_byte_breaks_the_message_digest() {
    let mut tsr = read("valid.tsr");
    // The last digit of the seconds: still a valid time, another one.
    let i = gen_time_at(&tsr) + 13;
    tsr[i] = if tsr[i] == b'0' { b'1' } else { b'0' };
    match verify_response(&tsr, &message(), None, &ca()) {
        Err(TimestampError::MessageDigestMismatch { .. }) => {}
        r => panic!("{r:?}"),
    }
}

#[test]
fn another_message_is_an_imprint_mismatch() {
    let mut other = message();
    other[0] ^= 1;
    match verify_response(&read("valid.tsr"), &other, None, &ca()) {
        Err(TimestampError::ImprintMismatch { expected, found }) => {
            assert_eq!(expected, hex::encode(imprint(&other)));
            assert_eq!(found, hex::encode(imprint(&message())));
        }
        r => panic!("{r:?}"),
    }
}

#[test]
fn a_tsa_of_another_ca_is_untrusted() {
    let other = vec![authority("other", "other-ca.pem")];
    match verify_response(&read("valid.tsr"), &message(), None, &other) {
        Err(TimestampError::Untrusted { subject, issuer }) => {
            assert_eq!(subject, "CN=logseal test TSA");
            assert_eq!(issuer, "CN=logseal test timestamp CA");
        }
        r => panic!("{r:?}"),
    }
}

#[test]
fn a_re_keyed_ca_under_the_same_name_does_not_hide_the_issuer() {
    // Alone, the CA with the issuer's name but another key did not sign the TSA's
    // certificate; listed before the real one, every authority of that name is tried.
    let rekeyed = authority("rekeyed", "same-name-ca.pem");
    match verify_response(
        &read("valid.tsr"),
        &message(),
        None,
        std::slice::from_ref(&rekeyed),
    ) {
        Err(TimestampError::CertificateSignatureInvalid { subject, .. }) => {
            assert_eq!(subject, "CN=logseal test TSA");
        }
        r => panic!("{r:?}"),
    }
    let both = vec![rekeyed, ca()[0].clone()];
    let stamp = verify_response(&read("valid.tsr"), &message(), None, &both).unwrap();
    assert_eq!(stamp.authority, ca()[0].name);
}

#[test]
fn a_certificate_outside_its_validity_at_gen_time_is_refused() {
    for (file, subject) in [
        ("expired.tsr", "CN=logseal test TSA\\, expired"),
        ("not-yet-valid.tsr", "CN=logseal test TSA\\, not yet valid"),
    ] {
        match verify_response(&read(file), &message(), None, &ca()) {
            Err(TimestampError::CertificateNotValidAt { subject: s, .. }) => {
                assert_eq!(s, subject, "{file}")
            }
            r => panic!("{file}: {r:?}"),
        }
    }
}

#[test]
fn a_signer_without_the_timestamping_purpose_is_refused() {
    match verify_token(&read("no-eku.tst"), &message(), &ca()) {
        Err(TimestampError::NotTimestampingCertificate { subject, reason }) => {
            assert_eq!(subject, "CN=logseal test signer without timeStamping");
            assert_eq!(reason, "no extended key usage extension");
        }
        r => panic!("{r:?}"),
    }
}

#[test]
fn a_flipped_signature_byte_is_an_invalid_signature() {
    let mut tsr = read("valid.tsr");
    // The signature is the last element of the signer info: its last byte is the end of the
    // response (no unsigned attributes, openssl puts the certificates before the signer infos).
    let n = tsr.len();
    tsr[n - 1] ^= 1;
    match verify_response(&tsr, &message(), None, &ca()) {
        Err(TimestampError::SignatureInvalid { signer }) => {
            assert_eq!(signer, "CN=logseal test TSA")
        }
        r => panic!("{r:?}"),
    }
}

#[test]
fn trailing_bytes_and_truncation_do_not_decode() {
    let mut tsr = read("valid.tsr");
    tsr.push(0);
    assert!(matches!(
        verify_response(&tsr, &message(), None, &ca()),
        Err(TimestampError::Malformed {
            what: "response",
            ..
        })
    ));
    let tsr = read("valid.tsr");
    assert!(matches!(
        verify_response(&tsr[..tsr.len() - 1], &message(), None, &ca()),
        Err(TimestampError::Malformed {
            what: "response",
            ..
        })
    ));
}

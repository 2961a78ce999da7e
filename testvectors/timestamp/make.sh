#!/bin/sh
# Regenerates the RFC 3161 timestamp vectors of src/timestamp (docs/FORMAT.md §Timestamp tokens)
# with the openssl CLI (3.0 or later). The keys are test keys, published here on purpose.
# Tokens carry the time they were made and ECDSA signatures are randomised: a run gives other
# bytes, and the tests read whatever is checked in (their expectations do not depend on the time).
set -eu
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat > "$work/ca.cnf" <<'CNF'
[ca]
default_ca = test_ca
[test_ca]
dir = WORK
database = WORK/index.txt
new_certs_dir = WORK
serial = WORK/serial
default_md = sha256
policy = any
unique_subject = no
copy_extensions = none
[any]
commonName = supplied
[root]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[tsa]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = critical, timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[plain]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CNF
sed -i "s|WORK|$work|g" "$work/ca.cnf"
: > "$work/index.txt"
echo 1000 > "$work/serial"

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
# issue NAME KEY EXT START END [CA-CERT CA-KEY]: a certificate for NAME (self-signed without CA)
issue() {
  openssl req -new -key "$2" -subj "/CN=$1" -out "$work/req.csr"
  if [ $# -gt 5 ]; then
    openssl ca -batch -config "$work/ca.cnf" -extensions "$3" -startdate "$4" -enddate "$5" \
      -cert "$6" -keyfile "$7" -in "$work/req.csr" -out "$work/out.pem" 2>/dev/null
  else
    openssl ca -batch -config "$work/ca.cnf" -extensions "$3" -startdate "$4" -enddate "$5" \
      -selfsign -keyfile "$2" -in "$work/req.csr" -out "$work/out.pem" 2>/dev/null
  fi
  openssl x509 -in "$work/out.pem"
}

[ -f ca.key ] || key ca.key
[ -f tsa.key ] || key tsa.key
[ -f other-ca.key ] || key other-ca.key
issue "logseal test timestamp CA" ca.key root 20260101000000Z 20460101000000Z > ca.pem
issue "logseal test other CA" other-ca.key root 20260101000000Z 20460101000000Z > other-ca.pem
# A CA under the very name of ca.pem with another key (a re-keyed CA): listed first, it
# must not hide ca.pem.
issue "logseal test timestamp CA" other-ca.key root 20260101000000Z 20460101000000Z > same-name-ca.pem
issue "logseal test TSA" tsa.key tsa 20260101000000Z 20360101000000Z ca.pem ca.key > tsa.pem
issue "logseal test TSA, expired" tsa.key tsa 20200101000000Z 20210101000000Z ca.pem ca.key > tsa-expired.pem
issue "logseal test TSA, not yet valid" tsa.key tsa 20400101000000Z 20410101000000Z ca.pem ca.key > tsa-future.pem
issue "logseal test signer without timeStamping" tsa.key plain 20260101000000Z 20360101000000Z ca.pem ca.key > tsa-no-eku.pem

cat > "$work/ts.cnf" <<'CNF'
[tsa]
default_tsa = test_tsa
[test_tsa]
serial = WORK/tsaserial
signer_digest = sha256
default_policy = 1.3.6.1.4.1.99999.1
digests = sha256
ess_cert_id_alg = sha256
ess_cert_id_chain = no
accuracy = secs:1
ordering = no
tsa_name = yes
CNF
sed -i "s|WORK|$work|g" "$work/ts.cnf"
echo 01 > "$work/tsaserial"

# The message: a checkpoint's note text (the body every signature of the note signs).
# request.tsq: SHA-256 imprint, certReq true, a nonce.
openssl ts -query -data checkpoint.txt -sha256 -cert -out request.tsq 2>/dev/null
reply() { openssl ts -reply -config "$work/ts.cnf" -queryfile request.tsq -inkey tsa.key -signer "$1" -out "$2" 2>/dev/null; }
reply tsa.pem valid.tsr
reply tsa-expired.pem expired.tsr
reply tsa-future.pem not-yet-valid.tsr
# openssl ts refuses to sign with a certificate that is not for time-stamping, so the token
# without the purpose is the valid token's TSTInfo signed by openssl cms (CAdES: with an ESS
# signingCertificateV2 attribute).
openssl ts -reply -in valid.tsr -token_out -out "$work/token.der" 2>/dev/null
openssl cms -verify -noverify -inform DER -in "$work/token.der" -out "$work/tstinfo.der" 2>/dev/null
openssl cms -sign -binary -nodetach -nosmimecap -cades -md sha256 -outform DER \
  -econtent_type 1.2.840.113549.1.9.16.1.4 -signer tsa-no-eku.pem -inkey tsa.key \
  -in "$work/tstinfo.der" -out no-eku.tst
# Check with openssl's own verifier.
openssl ts -verify -data checkpoint.txt -in valid.tsr -CAfile ca.pem -untrusted tsa.pem

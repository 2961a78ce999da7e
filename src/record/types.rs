//! Small value types shared by the envelope and every record kind.
//!
//! Owns: fixed-size byte strings, instants, and references to other records, with their
//! CBOR (deterministic) and JSON (producer input) forms.

use minicbor::{Decode, Decoder, Encode, Encoder};

use super::text::ProducerId;

macro_rules! byte_array {
    ($(#[$doc:meta])* $name:ident, $n:expr) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
        pub struct $name(pub [u8; $n]);

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}", hex::encode(self.0))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}", hex::encode(self.0))
            }
        }

        impl<C> Encode<C> for $name {
            fn encode<W: minicbor::encode::Write>(
                &self,
                e: &mut Encoder<W>,
                _: &mut C,
            ) -> Result<(), minicbor::encode::Error<W::Error>> {
                e.bytes(&self.0)?;
                Ok(())
            }
        }

        impl<'b, C> Decode<'b, C> for $name {
            fn decode(d: &mut Decoder<'b>, _: &mut C) -> Result<Self, minicbor::decode::Error> {
                let at = d.position();
                let b = d.bytes()?;
                let arr: [u8; $n] = b.try_into().map_err(|_| {
                    minicbor::decode::Error::message(format!(
                        "expected a byte string of {} bytes, found {}",
                        $n,
                        b.len()
                    ))
                    .at(at)
                })?;
                Ok(Self(arr))
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&hex::encode(self.0))
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                let v = hex::decode(&s).map_err(|e| {
                    serde::de::Error::custom(format!("expected {} hex bytes: {e}", $n))
                })?;
                let arr: [u8; $n] = v.try_into().map_err(|v: Vec<u8>| {
                    serde::de::Error::custom(format!(
                        "expected {} bytes (hex), found {}",
                        $n,
                        v.len()
                    ))
                })?;
                Ok(Self(arr))
            }
        }
    };
}

byte_array!(
    /// A 32-byte hash or digest (leaf hashes, file digests, key ids), hex in JSON.
    Hash32,
    32
);
byte_array!(
    /// A 16-byte random id (trace and operation ids), hex in JSON.
    Id16,
    16
);

/// A UTC instant: milliseconds since 1970-01-01T00:00:00Z, leap seconds not counted
/// (POSIX time). In JSON: RFC 3339 text with an offset (`2026-03-01T09:30:00.250Z`).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default)]
pub struct Timestamp(pub u64);

impl Timestamp {
    /// Milliseconds since the Unix epoch.
    pub fn millis(self) -> u64 {
        self.0
    }

    /// Parse RFC 3339 (`YYYY-MM-DDTHH:MM:SS[.fff][Z|±HH:MM]`), returning the instant and the
    /// offset in minutes that was written.
    pub fn parse_rfc3339(s: &str) -> Result<(Timestamp, i16), String> {
        let err = || format!("{s:?} is not an RFC 3339 date-time (e.g. 2026-03-01T09:30:00Z)");
        let b = s.as_bytes();
        if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !(b[10] == b'T' || b[10] == b't') {
            return Err(err());
        }
        if b[13] != b':' || b[16] != b':' {
            return Err(err());
        }
        let num = |r: std::ops::Range<usize>| -> Result<u64, String> {
            let t = s.get(r).ok_or_else(err)?;
            if !t.bytes().all(|c| c.is_ascii_digit()) {
                return Err(err());
            }
            t.parse().map_err(|_| err())
        };
        let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
        let (h, mi, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
        let mut i = 19;
        let mut millis = 0u64;
        if b.get(i) == Some(&b'.') {
            let start = i + 1;
            let mut end = start;
            while end < b.len() && b[end].is_ascii_digit() {
                end += 1;
            }
            if end == start || end - start > 9 {
                return Err(err());
            }
            let frac = &s[start..end];
            let padded = format!("{frac:0<3}");
            millis = padded[..3].parse().map_err(|_| err())?;
            if frac.len() > 3 && frac[3..].bytes().any(|c| c != b'0') {
                return Err(format!(
                    "{s:?}: precision finer than a millisecond is not kept"
                ));
            }
            i = end;
        }
        let offset: i16 = match b.get(i) {
            Some(b'Z') | Some(b'z') if i + 1 == b.len() => 0,
            Some(c @ (b'+' | b'-')) if i + 6 == b.len() && b[i + 3] == b':' => {
                let oh = num(i + 1..i + 3)? as i16;
                let om = num(i + 4..i + 6)? as i16;
                if oh > 23 || om > 59 {
                    return Err(err());
                }
                let o = oh * 60 + om;
                if *c == b'-' { -o } else { o }
            }
            _ => return Err(err()),
        };
        if !(1970..=9999).contains(&y)
            || !(1..=12).contains(&mo)
            || d == 0
            || d > days_in_month(y, mo)
            || h > 23
            || mi > 59
            || sec > 59
        {
            return Err(err());
        }
        let days = days_from_civil(y as i64, mo as i64, d as i64);
        let secs = days * 86_400 + (h * 3600 + mi * 60 + sec) as i64 - i64::from(offset) * 60;
        if secs < 0 {
            return Err(format!("{s:?} is before 1970-01-01T00:00:00Z"));
        }
        Ok((Timestamp(secs as u64 * 1000 + millis), offset))
    }

    /// Format as RFC 3339 UTC with milliseconds, e.g. `2026-03-01T09:30:00.250Z`.
    pub fn to_rfc3339(self) -> String {
        let secs = (self.0 / 1000) as i64;
        let ms = self.0 % 1000;
        let days = secs.div_euclid(86_400);
        let rem = secs.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        format!(
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{ms:03}Z",
            rem / 3600,
            (rem / 60) % 60,
            rem % 60
        )
    }
}

fn is_leap(y: u64) -> bool {
    (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400)
}

fn days_in_month(y: u64, m: u64) -> u64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
pub(crate) fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

pub(crate) fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

impl<C> Encode<C> for Timestamp {
    fn encode<W: minicbor::encode::Write>(
        &self,
        e: &mut Encoder<W>,
        _: &mut C,
    ) -> Result<(), minicbor::encode::Error<W::Error>> {
        e.u64(self.0)?;
        Ok(())
    }
}

impl<'b, C> Decode<'b, C> for Timestamp {
    fn decode(d: &mut Decoder<'b>, _: &mut C) -> Result<Self, minicbor::decode::Error> {
        Ok(Timestamp(d.u64()?))
    }
}

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_rfc3339())
    }
}

impl<'de> serde::Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Timestamp::parse_rfc3339(&s)
            .map(|(t, _)| t)
            .map_err(serde::de::Error::custom)
    }
}

/// A reference to another record: (producer, seq, leaf hash) — never a leaf index, which a
/// producer cannot know when it signs. CBOR: `[producer, seq, leaf-hash]`.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, Encode, Decode, serde::Serialize, serde::Deserialize,
)]
#[cbor(array)]
#[serde(deny_unknown_fields)]
pub struct RecordRef {
    #[n(0)]
    pub producer: ProducerId,
    #[n(1)]
    pub seq: u64,
    #[n(2)]
    pub leaf_hash: Hash32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_roundtrip() {
        let (t, off) = Timestamp::parse_rfc3339("2026-03-01T09:30:00.250Z").unwrap();
        assert_eq!(off, 0);
        assert_eq!(t.to_rfc3339(), "2026-03-01T09:30:00.250Z");
        let (t2, off) = Timestamp::parse_rfc3339("2026-03-01T10:30:00.25+01:00").unwrap();
        assert_eq!((t2, off), (t, 60));
        assert_eq!(Timestamp(0).to_rfc3339(), "1970-01-01T00:00:00.000Z");
        let (t3, _) = Timestamp::parse_rfc3339("2024-02-29T23:59:59Z").unwrap();
        assert_eq!(t3.0, 1_709_251_199_000);
        for bad in [
            "2026-02-30T00:00:00Z",
            "2026-03-01 09:30:00Z",
            "2026-03-01T09:30:00",
            "2026-03-01T24:00:00Z",
            "1969-12-31T23:59:59Z",
            "2026-03-01T09:30:00.1234Z",
        ] {
            assert!(Timestamp::parse_rfc3339(bad).is_err(), "{bad}");
        }
    }
}

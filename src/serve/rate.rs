//! The per-key rate of `POST /add`: a token bucket per signing key (kid), `rate` records per
//! second with bursts of up to `max(rate, 1)`. Time is given by the caller (a monotonic
//! duration since the server started), so this is pure.

use std::collections::HashMap;
use std::time::Duration;

/// At most this many keys are tracked; past it, buckets that have refilled are forgotten
/// (a forgotten key starts again with a full bucket, which is what it would have).
const MAX_KEYS: usize = 1 << 16;

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Duration,
}

/// Token buckets per key.
#[derive(Debug)]
pub struct RateLimiter {
    rate: f64,
    burst: f64,
    buckets: HashMap<[u8; 32], Bucket>,
}

impl RateLimiter {
    /// `rate` records per second per key (positive).
    pub fn new(rate: f64) -> Self {
        RateLimiter {
            rate,
            burst: rate.max(1.0),
            buckets: HashMap::new(),
        }
    }

    /// Whether key `kid` may append one record at `now`; takes a token when it may.
    pub fn allow(&mut self, kid: [u8; 32], now: Duration) -> bool {
        if self.buckets.len() >= MAX_KEYS && !self.buckets.contains_key(&kid) {
            self.forget_full(now);
        }
        let (rate, burst) = (self.rate, self.burst);
        let b = self.buckets.entry(kid).or_insert(Bucket {
            tokens: burst,
            at: now,
        });
        let elapsed = now.saturating_sub(b.at).as_secs_f64();
        b.tokens = (b.tokens + elapsed * rate).min(burst);
        b.at = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    fn forget_full(&mut self, now: Duration) {
        let (rate, burst) = (self.rate, self.burst);
        self.buckets
            .retain(|_, b| b.tokens + now.saturating_sub(b.at).as_secs_f64() * rate < burst);
    }

    /// How many keys are tracked.
    pub fn keys(&self) -> usize {
        self.buckets.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn burst_then_rate_per_key() {
        let mut r = RateLimiter::new(2.0);
        let (a, b) = ([1; 32], [2; 32]);
        assert!(r.allow(a, ms(0)));
        assert!(r.allow(a, ms(0)));
        assert!(!r.allow(a, ms(0)), "a burst of 2");
        assert!(r.allow(b, ms(0)), "another key has its own bucket");
        assert!(!r.allow(a, ms(400)));
        assert!(r.allow(a, ms(500)), "one token after half a second");
        assert!(!r.allow(a, ms(500)));
    }

    #[test]
    fn slow_rate_has_a_burst_of_one() {
        let mut r = RateLimiter::new(0.5);
        assert!(r.allow([1; 32], ms(0)));
        assert!(!r.allow([1; 32], ms(1999)));
        assert!(r.allow([1; 32], ms(2000)));
    }

    #[test]
    fn keys_are_bounded() {
        let mut r = RateLimiter::new(1.0);
        for i in 0..MAX_KEYS as u32 {
            let mut k = [0; 32];
            k[..4].copy_from_slice(&i.to_le_bytes());
            assert!(r.allow(k, ms(0)));
        }
        assert_eq!(r.keys(), MAX_KEYS);
        assert!(r.allow([9; 32], ms(1000)), "refilled buckets are forgotten");
        assert_eq!(r.keys(), 1);
    }
}

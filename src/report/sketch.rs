//! A streaming quantile sketch of durations: a log-bucket histogram (the scheme of DDSketch,
//! Masson, Rim and Lee, VLDB 2019) with a fixed relative accuracy (answers clamped to the exact minimum and maximum), in memory bounded by the
//! range of the values, not their number.
//!
//! A duration `d` milliseconds (`d ≥ 1`) falls in bucket `i = ceil(ln d / ln γ)`, the range
//! `(γ^(i-1), γ^i]`, with `γ = (1 + α) / (1 − α)`; a quantile is answered with the bucket's
//! value `2γ^i / (γ + 1)`, within a relative error of `α` ([`RELATIVE_ERROR`]) of the true
//! value of that rank. Zero durations are counted apart; the maximum is kept exactly. A
//! duration of up to 2^63 ms needs fewer than 2,200 buckets.

use std::collections::BTreeMap;

use serde::Serialize;

/// The relative accuracy α of every quantile the sketch answers (1%).
pub const RELATIVE_ERROR: f64 = 0.01;

/// Durations in milliseconds, summarised.
#[derive(Debug, Clone, Default)]
pub struct Sketch {
    buckets: BTreeMap<i32, u64>,
    zeros: u64,
    count: u64,
    min: u64,
    max: u64,
}

/// What a sketch says: the count, the median, the 90th percentile (each within
/// [`RELATIVE_ERROR`]) and the exact maximum, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub count: u64,
    pub median_ms: u64,
    pub p90_ms: u64,
    pub max_ms: u64,
}

fn gamma() -> f64 {
    (1.0 + RELATIVE_ERROR) / (1.0 - RELATIVE_ERROR)
}

impl Sketch {
    /// Add one duration.
    pub fn add(&mut self, ms: u64) {
        self.min = if self.count == 0 {
            ms
        } else {
            self.min.min(ms)
        };
        self.count += 1;
        self.max = self.max.max(ms);
        if ms == 0 {
            self.zeros += 1;
            return;
        }
        let i = ((ms as f64).ln() / gamma().ln()).ceil() as i32;
        *self.buckets.entry(i).or_default() += 1;
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    /// The value at quantile `q` (0 ≤ q ≤ 1): the bucket holding the value of rank
    /// `floor(q · (count − 1))`, clamped to the exact minimum and maximum. `None` when empty.
    pub fn quantile(&self, q: f64) -> Option<u64> {
        if self.count == 0 {
            return None;
        }
        let rank = (q.clamp(0.0, 1.0) * (self.count - 1) as f64).floor() as u64;
        if rank < self.zeros {
            return Some(0);
        }
        let mut seen = self.zeros;
        for (&i, &n) in &self.buckets {
            seen += n;
            if seen > rank {
                let g = gamma();
                let v = (2.0 * g.powi(i) / (g + 1.0)).round() as u64;
                return Some(v.clamp(self.min, self.max));
            }
        }
        Some(self.max)
    }

    /// Median, 90th percentile and maximum; `None` when empty.
    pub fn summary(&self) -> Option<Summary> {
        Some(Summary {
            count: self.count,
            median_ms: self.quantile(0.5)?,
            p90_ms: self.quantile(0.9)?,
            max_ms: self.max,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_are_within_the_stated_relative_error() {
        let mut s = Sketch::default();
        let values: Vec<u64> = (1..=10_000u64).map(|k| k * 37 + 1000).collect();
        values.iter().for_each(|&v| s.add(v));
        for q in [0.0, 0.25, 0.5, 0.9, 0.99, 1.0] {
            let exact = values[(q * (values.len() - 1) as f64).floor() as usize] as f64;
            let got = s.quantile(q).unwrap() as f64;
            assert!(
                (got - exact).abs() <= RELATIVE_ERROR * exact + 1.0,
                "q {q}: {got} vs {exact}"
            );
        }
        assert_eq!(s.summary().unwrap().max_ms, 10_000 * 37 + 1000);
    }

    #[test]
    fn zeros_and_empty() {
        let mut s = Sketch::default();
        assert_eq!(s.summary(), None);
        s.add(0);
        s.add(0);
        assert_eq!(s.quantile(0.9), Some(0));
        (0..8).for_each(|_| s.add(360_000));
        let sum = s.summary().unwrap();
        assert_eq!((sum.count, sum.max_ms), (10, 360_000));
        assert!(sum.median_ms.abs_diff(360_000) <= 3_600, "{sum:?}");
        assert_eq!(s.quantile(0.1), Some(0), "ranks 0 and 1 are the zeros");
    }

    #[test]
    fn one_value_is_answered_exactly() {
        let mut s = Sketch::default();
        s.add(358_000);
        let sum = s.summary().unwrap();
        assert_eq!(
            (sum.median_ms, sum.p90_ms, sum.max_ms),
            (358_000, 358_000, 358_000)
        );
    }

    #[test]
    fn memory_is_bounded_by_the_range() {
        let mut s = Sketch::default();
        for k in 0..200_000u64 {
            s.add(k * 1_000_003 % 86_400_000 + 1);
        }
        assert!(s.buckets.len() < 1_000, "{}", s.buckets.len());
    }
}

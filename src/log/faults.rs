//! The points where tests simulate a crash or an I/O error (compiled to nothing outside
//! tests).

use super::LogError;
#[cfg(test)]
use super::StoreError;

#[cfg(test)]
thread_local! {
    /// Tests: the erasure step at which to simulate a crash (a panic, so no clean-up runs).
    pub(crate) static CRASH_AT: std::cell::Cell<u8> = const { std::cell::Cell::new(0) };
}

/// A point where tests simulate a crash: 1 to 4 in [`Log::erase`], 5 in [`Log::checkpoint`]
/// between the history entry and the latest checkpoint.
pub(super) fn crash_point(_n: u8) {
    #[cfg(test)]
    if CRASH_AT.with(|c| c.get()) == _n {
        panic!("simulated crash at erasure step {_n}");
    }
}

#[cfg(test)]
thread_local! {
    /// Tests: run once just after the next listing of the vault ([`VaultIndex::load`]), to
    /// interleave a sequencer's sweep with a reader's scan.
    #[allow(clippy::type_complexity)]
    pub(crate) static AFTER_LIST: std::cell::RefCell<Option<Box<dyn FnOnce()>>> =
        const { std::cell::RefCell::new(None) };
}

#[cfg(test)]
thread_local! {
    /// Tests: the point at which a write fails with an I/O error (see [`fail_point`]).
    pub(crate) static FAIL_AT: std::cell::Cell<u8> = const { std::cell::Cell::new(0) };
}

/// A point where tests simulate an I/O error: 1 re-sealing an erasure's survivors, 2 an
/// append's writes before the state swap, 3 the swap (not written), 4 the swap (written,
/// then reported failed), 5 destroying an erasure's old keys.
pub(super) fn fail_point(_n: u8) -> Result<(), LogError> {
    #[cfg(test)]
    if FAIL_AT.with(|c| c.get()) == _n {
        return Err(LogError::Store(StoreError::Io {
            op: "simulated",
            path: format!("fail point {_n}"),
            source: std::io::Error::other("simulated I/O error"),
        }));
    }
    Ok(())
}

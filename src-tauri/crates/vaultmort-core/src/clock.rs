//! The one clock every time-based rule reads: not-before and expiry, soft-delete purge dates,
//! renewal and token lifetimes.
//!
//! It is the system clock plus an offset that a user (or a test) can move forward or back, so a
//! vault can be "aged" to see what happens after 90 days. The offset is kept in the store by the
//! core (see `Vaultmort::shift_clock`) so that every door of one installation agrees on the time.

use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, Duration, TimeZone, Utc};

/// The system clock shifted by an adjustable number of seconds.
#[derive(Debug, Default)]
pub struct Clock {
    offset_seconds: AtomicI64,
    fixed: Option<i64>,
}

impl Clock {
    /// The system clock, unshifted.
    pub fn system() -> Self {
        Self::default()
    }

    /// A clock stopped at `at` (before any shift), for benchmarks and tests that need exact times.
    pub fn fixed(at: DateTime<Utc>) -> Self {
        Self { offset_seconds: AtomicI64::new(0), fixed: Some(at.timestamp()) }
    }

    /// The current (shifted) time, to whole seconds as Key Vault reports times.
    pub fn now(&self) -> DateTime<Utc> {
        let base = self.fixed.unwrap_or_else(|| Utc::now().timestamp());
        let seconds = base.saturating_add(self.offset_seconds.load(Ordering::Relaxed));
        Utc.timestamp_opt(seconds, 0).single().unwrap_or_else(Utc::now)
    }

    /// The current shift.
    pub fn offset(&self) -> Duration {
        Duration::seconds(self.offset_seconds.load(Ordering::Relaxed))
    }

    /// Sets the shift.
    pub fn set_offset(&self, offset: Duration) {
        self.offset_seconds.store(offset.num_seconds(), Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shifting_moves_now_by_exactly_the_offset() {
        let start = Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).single().expect("a valid date");
        let clock = Clock::fixed(start);
        assert_eq!(clock.now(), start, "an unshifted fixed clock shows its start");
        clock.set_offset(Duration::days(91));
        assert_eq!(clock.now(), start + Duration::days(91), "the shift is added to every reading");
        assert_eq!(clock.offset(), Duration::days(91));
    }
}

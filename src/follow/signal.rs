//! Ctrl-C and SIGTERM in follow mode: they end the run cleanly. The signal
//! is only noted here; the follow loop sees it between reads, prints and
//! flushes every event already read (and, for `--count`, `--by` and
//! `--every`, the totals), saves the bookmark, and kaq exits with 128 plus
//! the signal's number (130 for Ctrl-C, 143 for SIGTERM), as shells report a
//! command a signal ended.

use std::sync::atomic::{AtomicI32, Ordering};

/// The signal that asked kaq to stop; 0 while none has.
static STOP: AtomicI32 = AtomicI32::new(0);

#[cfg(unix)]
extern "C" fn note(signal: libc::c_int) {
    // Only an atomic store: all a signal handler may safely do here.
    STOP.store(signal, Ordering::Relaxed);
}

/// From now on, Ctrl-C and SIGTERM are noted instead of ending the process.
pub(crate) fn catch() {
    #[cfg(unix)]
    for signal in [libc::SIGINT, libc::SIGTERM] {
        // SAFETY: `note` is an `extern "C" fn(c_int)` that only stores to an
        // atomic, which is async-signal-safe; installing it replaces the
        // default action for these two signals and touches no other state.
        unsafe {
            libc::signal(signal, note as *const () as libc::sighandler_t);
        }
    }
    #[cfg(not(unix))]
    {
        // Fails only if a handler is already set; then Ctrl-C keeps its
        // default and ends the process.
        // 2 is SIGINT's number, which the exit status reports.
        let _ = ctrlc::set_handler(|| STOP.store(2, Ordering::Relaxed));
    }
}

/// The signal that asked kaq to stop, if one has.
pub(crate) fn caught() -> Option<i32> {
    match STOP.load(Ordering::Relaxed) {
        0 => None,
        s => Some(s),
    }
}

/// Whether one has (for loops that check often).
pub(crate) fn stopping() -> bool {
    caught().is_some()
}

//! One signal path for every command: SIGINT (Ctrl-C) and SIGTERM set flags instead of
//! killing the process, so no output is ever left half-written. Commands that train poll
//! [`stop_flag`] between steps, write what finished (marked incomplete) and exit with
//! [`exit_code`]: 130 after SIGINT, 143 after SIGTERM, as a shell reports a process killed
//! by them.

use std::sync::atomic::{AtomicBool, Ordering};

static STOP: AtomicBool = AtomicBool::new(false);
static TERM: AtomicBool = AtomicBool::new(false);

/// Exit code after SIGINT.
pub const EXIT_SIGINT: i32 = 130;
/// Exit code after SIGTERM.
pub const EXIT_SIGTERM: i32 = 143;

/// Routes SIGINT and SIGTERM to the flags (once, before any work).
pub fn install() {
    use signal_hook::consts::{SIGINT, SIGTERM};
    use signal_hook::flag::register;
    // Registration only fails for signals that cannot be caught; these two can.
    let _ = register(SIGINT, &STOP);
    let _ = register(SIGTERM, &STOP);
    let _ = register(SIGTERM, &TERM);
}

/// Set once either signal arrived: training stops after the current step.
pub fn stop_flag() -> &'static AtomicBool {
    &STOP
}

/// Whether a signal arrived.
pub fn stopped() -> bool {
    STOP.load(Ordering::SeqCst)
}

/// The exit code a signal asks for (None: no signal arrived).
pub fn exit_code() -> Option<i32> {
    stopped().then(|| {
        if TERM.load(Ordering::SeqCst) {
            EXIT_SIGTERM
        } else {
            EXIT_SIGINT
        }
    })
}

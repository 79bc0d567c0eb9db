//! Containing internal failures: a panic while one input file is read
//! becomes that file's internal error instead of ending the whole run.
//!
//! Input: a closure reading one file. Output: its value, or the source
//! location of the panic. Invariant: nothing printed or returned here carries
//! the panic's message, since a message such as a failed `&str` slice quotes
//! the cell value it was slicing; only the place in our code is kept.

use std::cell::RefCell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Mutex;

thread_local! {
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// The place of the last panic on any thread, for the one line `main` prints
/// when a panic ends the command.
static ANY_PANIC: Mutex<Option<String>> = Mutex::new(None);

/// Where a caught panic happened in the program's code (`file:line:column`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PanicAt(pub String);

impl std::fmt::Display for PanicAt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "internal error at {}", self.0)
    }
}

/// Replaces the default panic hook, which prints the panic's message (it may
/// quote a cell value), by one that remembers only the location, for
/// [`catch`] on the same thread and for [`any_panic`], and logs it at debug level.
pub fn install_hook() {
    panic::set_hook(Box::new(record));
}

/// Keeps the current panic hook (a test harness's, which prints the
/// message) and records each panic's location before it, as
/// [`install_hook`] does.
pub fn record_locations() {
    let previous = panic::take_hook();
    panic::set_hook(Box::new(move |info| {
        record(info);
        previous(info);
    }));
}

fn record(info: &panic::PanicHookInfo<'_>) {
    let place = info
        .location()
        .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()))
        .unwrap_or_else(|| "an unknown place".to_string());
    tracing::debug!(place = %place, "panic");
    if let Ok(mut any) = ANY_PANIC.lock() {
        *any = Some(place.clone());
    }
    LAST_PANIC.with(|last| *last.borrow_mut() = Some(place));
}

/// The place of the last panic on any thread, if the hook recorded one.
pub fn any_panic() -> Option<PanicAt> {
    ANY_PANIC
        .lock()
        .ok()
        .and_then(|any| any.clone())
        .map(PanicAt)
}

/// The location of the last panic on this thread, if any was recorded.
pub fn last_panic() -> Option<PanicAt> {
    LAST_PANIC.with(|last| last.borrow().clone()).map(PanicAt)
}

/// Runs `read`, turning a panic into the place it happened.
///
/// The closure's state is dropped with the panic: callers pass a closure
/// that owns or only reads what it works on, so no half-changed shared state
/// survives (hence `AssertUnwindSafe`).
pub fn catch<T>(read: impl FnOnce() -> T) -> Result<T, PanicAt> {
    LAST_PANIC.with(|last| *last.borrow_mut() = None);
    panic::catch_unwind(AssertUnwindSafe(read))
        .map_err(|_| last_panic().unwrap_or_else(|| PanicAt("an unknown place".to_string())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::string_slice)]
    fn a_panic_is_caught_and_the_next_call_runs() {
        let cell = String::from("2024-04-1é");
        assert!(catch(|| cell[..10].len()).is_err());
        assert_eq!(catch(|| 7), Ok(7));
        assert_eq!(last_panic(), None, "a new catch forgets the last panic");
    }
}

//! Findings: panics caught with `catch_unwind` (quietly: a panic hook records the message and
//! location instead of printing), minimised by deleting ever smaller pieces of the input while the
//! same panic (same location) still happens, and written to `build/fuzz-crashes/`.

use std::cell::RefCell;
use std::panic::{self, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::targets::Target;

#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    pub message: String,
    pub location: String,
}

thread_local! {
    static LAST: RefCell<Option<Failure>> = const { RefCell::new(None) };
}

/// Executions so far, minimisation runs included (the watchdog's heartbeat).
pub static EXECUTIONS: AtomicU64 = AtomicU64::new(0);

/// Panics on the fuzzing thread are recorded, not printed (other threads print as usual).
pub fn install_quiet_hook(fuzz_thread: std::thread::ThreadId) {
    let default = panic::take_hook();
    panic::set_hook(Box::new(move |info| {
        if std::thread::current().id() != fuzz_thread {
            return default(info);
        }
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "(non-string panic)".into());
        let location = info.location().map(|l| format!("{}:{}", l.file(), l.line())).unwrap_or_default();
        LAST.with(|f| *f.borrow_mut() = Some(Failure { message, location }));
    }));
}

/// Runs `target` on `input`; the failure, if it panicked.
pub fn run(target: Target, input: &[u8]) -> Option<Failure> {
    EXECUTIONS.fetch_add(1, Ordering::Relaxed);
    match panic::catch_unwind(AssertUnwindSafe(|| target.run(input))) {
        Ok(()) => None,
        Err(_) => Some(
            LAST.with(|f| f.borrow_mut().take())
                .unwrap_or(Failure { message: "(panic without a hook record)".into(), location: String::new() }),
        ),
    }
}

/// The smallest input found (within a time budget) that fails at the same location.
pub fn minimise(target: Target, input: &[u8], failure: &Failure) -> Vec<u8> {
    let deadline = Instant::now() + Duration::from_secs(30);
    let same = |b: &[u8]| run(target, b).is_some_and(|f| f.location == failure.location);
    let mut best = input.to_vec();
    let mut piece = best.len().div_ceil(2).max(1);
    loop {
        let mut i = 0;
        while i < best.len() && Instant::now() < deadline {
            let mut candidate = best.clone();
            candidate.drain(i..(i + piece).min(best.len()));
            if same(&candidate) {
                best = candidate;
            } else {
                i += piece;
            }
        }
        if piece == 1 || Instant::now() >= deadline {
            return best;
        }
        piece = piece.div_ceil(2);
    }
}

pub fn crash_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/build/fuzz-crashes"))
}

/// Writes the input (`<target>-<hash>.bin`) and a note on it (`.txt`); returns the input's path.
pub fn save(target: Target, input: &[u8], what: &str, seed: u64) -> PathBuf {
    let dir = crash_dir();
    let _ = std::fs::create_dir_all(&dir);
    let hash = input.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    let bin = dir.join(format!("{}-{hash:016x}.bin", target.name()));
    let _ = std::fs::write(&bin, input);
    let note = format!(
        "target: {}\n{what}\niteration seed: {seed:#x}\ninput: {} bytes, {:?}\nreplay: FUZZ_REPLAY={} cargo test --release --test fuzz -- --nocapture\n",
        target.name(),
        input.len(),
        String::from_utf8_lossy(&input[..input.len().min(2000)]),
        bin.display()
    );
    let _ = std::fs::write(bin.with_extension("txt"), note);
    bin
}

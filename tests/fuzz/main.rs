#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
//! A fuzz harness on stable Rust (no libFuzzer): structure-aware and mutation-based inputs
//! (`gen`) into four targets (`targets`): the SSE parser, the event decoder (fast path against
//! the general path), the accumulator and the stream state machine. Panics are caught with
//! `catch_unwind`, minimised and written to `build/fuzz-crashes/` (`crash`); a watchdog writes the
//! input of an execution that makes no progress (a hang) there too and stops the process.
//!
//! `cargo test` runs a short pass with a fixed seed. Environment (empty counts as unset):
//! - `FUZZ_SECONDS`, `FUZZ_ITERS`: how long to run (both: whichever ends first); defaults to
//!   the short pass of `DEFAULT_ITERS` executions.
//! - `FUZZ_SEED` (default 1): the run's seed; execution `i` gets a seed derived from it and `i`,
//!   so any execution can be regenerated.
//! - `FUZZ_TARGET`: only `sse`, `decode`, `accumulate`, `stream`, `bridge` or `tool_loop` (`tool_loop.rs`).
//! - `FUZZ_REPLAY=build/fuzz-crashes/<target>-<hash>.bin`: runs that one input, panics shown.
//! - `FUZZ_HANG_SECONDS` (default 20): an execution that takes longer is a hang.
//!
//! `make fuzz FUZZ_SECONDS=600` runs it in release mode (tests always unwind, whatever the
//! release profile's `panic` setting, so `catch_unwind` works).

mod corpus;
mod crash;
mod gen;
mod json_spans;
#[path = "../common/recordings.rs"]
mod recordings;
#[path = "../common/rng.rs"]
mod rng;
mod targets;
mod tool_loop;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use corpus::Corpus;
use rng::{mix, Rng};
use targets::Target;

/// Executions of the short pass in `cargo test` (a few seconds in a debug build).
const DEFAULT_ITERS: u64 = 20_000;

/// Distinct findings (by panic location) after which the run stops.
const MAX_FINDINGS: usize = 20;

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|s| !s.trim().is_empty())
}

fn env_num<T: std::str::FromStr>(name: &str) -> Option<T> {
    env(name).map(|s| s.trim().parse().unwrap_or_else(|_| panic!("{name}={s}: not a number")))
}

/// Execution `i` of the run seeded `seed`: its own seed, target and input.
fn execution(corpus: &Corpus, seed: u64, only: Option<Target>, i: u64) -> (u64, Target, Vec<u8>) {
    let own = mix(seed ^ mix(i.wrapping_add(0x5eed)));
    let mut rng = Rng::new(own);
    let target = only.unwrap_or_else(|| Target::pick(&mut rng));
    let input = gen::input(&mut rng, corpus, target);
    (own, target, input)
}

#[test]
fn fuzz() {
    if let Some(path) = env("FUZZ_REPLAY") {
        return replay(PathBuf::from(path));
    }
    let seconds: Option<f64> = env_num("FUZZ_SECONDS");
    let iters: Option<u64> = env_num("FUZZ_ITERS").or(if seconds.is_none() { Some(DEFAULT_ITERS) } else { None });
    let seed: u64 = env_num("FUZZ_SEED").unwrap_or(1);
    let only = env("FUZZ_TARGET").map(|t| Target::from_name(&t).unwrap_or_else(|| panic!("FUZZ_TARGET={t}: unknown")));
    let hang = Duration::from_secs(env_num("FUZZ_HANG_SECONDS").unwrap_or(20));

    let corpus = Arc::new(Corpus::load());
    crash::install_quiet_hook(std::thread::current().id());
    let current = Arc::new(AtomicU64::new(0));
    let done = Arc::new(AtomicBool::new(false));
    let watchdog = {
        let (corpus, current, done) = (Arc::clone(&corpus), Arc::clone(&current), Arc::clone(&done));
        std::thread::spawn(move || watch(&corpus, seed, only, &current, &done, hang))
    };

    let start = Instant::now();
    let deadline = seconds.map(|s| start + Duration::from_secs_f64(s));
    let mut per_target: BTreeMap<&str, u64> = BTreeMap::new();
    let mut findings: BTreeMap<String, (u64, PathBuf)> = BTreeMap::new();
    let mut last_report = start;
    let mut i = 0u64;
    while iters.map_or(true, |n| i < n) && (i % 256 != 0 || deadline.map_or(true, |d| Instant::now() < d)) {
        current.store(i, Ordering::Relaxed);
        let (own, target, input) = execution(&corpus, seed, only, i);
        *per_target.entry(target.name()).or_default() += 1;
        if let Some(failure) = crash::run(target, &input) {
            let seen = findings.entry(failure.location.clone()).or_insert((0, PathBuf::new()));
            seen.0 += 1;
            if seen.0 == 1 {
                let small = crash::minimise(target, &input, &failure);
                let what = format!("panic: {}\nat: {}", failure.message, failure.location);
                seen.1 = crash::save(target, &small, &what, own);
                let (name, message) = (target.name(), failure.message.chars().take(300).collect::<String>());
                let (from, to, at, path) = (input.len(), small.len(), &failure.location, seen.1.display());
                eprintln!("fuzz: FOUND in {name} (execution {i}, {from} -> {to} bytes): {message} at {at}\n      written to {path}");
                if findings.len() >= MAX_FINDINGS {
                    break;
                }
            }
        }
        i += 1;
        if i % 4096 == 0 && last_report.elapsed() > Duration::from_secs(30) {
            last_report = Instant::now();
            let t = start.elapsed().as_secs_f64();
            eprintln!("fuzz: {i} executions in {t:.0} s ({:.0}/s), {} findings", i as f64 / t, findings.len());
        }
    }
    done.store(true, Ordering::Relaxed);
    let _ = watchdog.join();
    let t = start.elapsed().as_secs_f64();
    let executions = crash::EXECUTIONS.load(Ordering::Relaxed);
    eprintln!(
        "fuzz: seed {seed}: {i} inputs ({executions} executions with minimisation) in {t:.1} s = {:.0} executions/s; per target {per_target:?}; {} findings",
        i as f64 / t.max(1e-9),
        findings.len()
    );
    eprintln!("fuzz: reached: {}", targets::reached::summary());
    let report: Vec<String> =
        findings.iter().map(|(at, (n, path))| format!("{n}x at {at} (minimised: {})", path.display())).collect();
    assert!(report.is_empty(), "fuzz findings:\n{}", report.join("\n"));
}

/// Stops the process when no execution finishes for `hang`, after writing the input of the one
/// running (regenerated from its seed).
fn watch(corpus: &Corpus, seed: u64, only: Option<Target>, current: &AtomicU64, done: &AtomicBool, hang: Duration) {
    let (mut last, mut since) = (u64::MAX, Instant::now());
    while !done.load(Ordering::Relaxed) {
        std::thread::sleep(Duration::from_millis(200));
        let now = crash::EXECUTIONS.load(Ordering::Relaxed);
        if now != last {
            (last, since) = (now, Instant::now());
        } else if since.elapsed() > hang {
            let i = current.load(Ordering::Relaxed);
            let (own, target, input) = execution(corpus, seed, only, i);
            let what = format!("hang: execution {i} ran for more than {} s", hang.as_secs());
            let path = crash::save(target, &input, &what, own);
            eprintln!("fuzz: HANG in {} (execution {i}), input written to {}", target.name(), path.display());
            std::process::exit(2);
        }
    }
}

fn replay(path: PathBuf) {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    let target = name.split('-').next().and_then(Target::from_name).unwrap_or_else(|| panic!("{name}: no target name"));
    let input = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    eprintln!("fuzz: replaying {} ({} bytes) on {}", path.display(), input.len(), target.name());
    target.run(&input);
    eprintln!("fuzz: no failure");
}

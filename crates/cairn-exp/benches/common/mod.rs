//! The plain timing harness the benches share.

use std::time::Instant;

/// The best wall time of `runs` runs of `f`, in ms, with what the last run returned.
pub fn best_ms(runs: usize, mut f: impl FnMut() -> usize) -> (f64, usize) {
    let mut best = f64::MAX;
    let mut out = 0;
    for _ in 0..runs {
        let t = Instant::now();
        out = std::hint::black_box(f());
        best = best.min(t.elapsed().as_secs_f64() * 1000.0);
    }
    (best, out)
}

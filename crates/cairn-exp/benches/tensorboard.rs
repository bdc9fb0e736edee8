//! Reading TensorBoard runs: Cairn's reader against TensorBoard's own (2.20.0, from
//! `.venv-dvc`; `scripts/ensure-dvc.sh` installs it) on one workload written by
//! TensorBoard's writer — 20 runs × 5,000 steps × 3 scalars (300,000 points), in a
//! project that also holds a 10,000-file data folder the search walks past.
//! `cargo bench -p cairn-exp --bench tensorboard` (a plain timing harness: best of runs).

mod common;

use std::path::Path;

const RUNS: usize = 20;
const STEPS: usize = 5000;

fn points(root: &Path) -> usize {
    cairn_exp::tensorboard::runs(root)
        .iter()
        .map(|r| r.scalars.values().map(Vec::len).sum::<usize>())
        .sum()
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    // TensorBoard: a fresh multiplexer loading every run.
    let (tb_ms, tb_points) = common::tracker_workload("tensorboard_tool.py", root, RUNS, STEPS);

    // Cairn, first read: every file parsed.
    let (cold_read_ms, n) = common::first_read_ms(&root.join("runs"), |_| true, points);
    assert_eq!(n, tb_points, "both readers see the same points");
    // Cairn, again (what every refresh of the table costs): the search, the cached
    // files' sizes checked, the runs merged.
    let (warm_ms, _) = common::best_ms(10, || points(root));
    println!(
        "workload: {RUNS} runs x {STEPS} steps x 3 scalars = {tb_points} points, plus 10,000 data files"
    );
    println!("tensorboard 2.20 load:   {tb_ms:8.1} ms");
    println!(
        "cairn first read:        {cold_read_ms:8.1} ms  ({:.0}x)",
        tb_ms / cold_read_ms
    );
    println!(
        "cairn refresh (cached):  {warm_ms:8.1} ms  ({:.0}x)",
        tb_ms / warm_ms
    );
}

//! Reading W&B runs: Cairn's `.wandb` reader against the same files decoded in Python
//! with W&B's own protobuf classes (`tests/experiments/wandb_tool.py read`, the way
//! W&B's Python SDK read them before its Go core) — 20 offline runs × 5,000 steps × 3
//! numbers written by W&B 0.31's SDK (from `.venv-dvc`; `scripts/ensure-dvc.sh`
//! installs it), in a project that also holds a 10,000-file data folder the search
//! walks past. `cargo bench -p cairn-exp --bench wandb` (a plain timing harness: best
//! of runs). Writing the workload takes a minute: each run is a W&B process.

mod common;

use std::path::Path;

const RUNS: usize = 20;
const STEPS: usize = 5000;

fn points(root: &Path) -> usize {
    cairn_exp::wandb::runs(root)
        .iter()
        .map(|r| r.history.values().map(Vec::len).sum::<usize>())
        .sum()
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    // Python decoding each run's records with W&B's protobuf classes.
    let (py_ms, py_points) = common::tracker_workload("wandb_tool.py", root, RUNS, STEPS);

    // Cairn, first read: every run's `.wandb` file parsed (W&B's logs are not read).
    let is_run_file = |f: &Path| f.extension().is_some_and(|e| e == "wandb");
    let (cold_read_ms, n) = common::first_read_ms(&root.join("wandb"), is_run_file, points);
    assert_eq!(n, py_points, "both readers see the same points");
    // Cairn, again (what every refresh of the table costs): the search, the cached
    // files' sizes checked, the runs built.
    let (warm_ms, _) = common::best_ms(10, || points(root));
    println!(
        "workload: {RUNS} W&B runs x {STEPS} steps x 3 numbers = {py_points} points, plus 10,000 data files"
    );
    println!("python + wandb protobuf:  {py_ms:8.1} ms");
    println!(
        "cairn first read:         {cold_read_ms:8.1} ms  ({:.0}x)",
        py_ms / cold_read_ms
    );
    println!(
        "cairn refresh (cached):   {warm_ms:8.1} ms  ({:.0}x)",
        py_ms / warm_ms
    );
}

//! Reading W&B runs: Cairn's `.wandb` reader against the same files decoded in Python
//! with W&B's own protobuf classes (`tests/experiments/wandb_tool.py read`, the way
//! W&B's Python SDK read them before its Go core) — 20 offline runs × 5,000 steps × 3
//! numbers written by W&B 0.31's SDK (from `.venv-dvc`; `scripts/ensure-dvc.sh`
//! installs it), in a project that also holds a 10,000-file data folder the search
//! walks past. `cargo bench -p cairn-exp --bench wandb` (a plain timing harness: best
//! of runs). Writing the workload takes a minute: each run is a W&B process.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::Instant;

const RUNS: usize = 20;
const STEPS: usize = 5000;

fn tool(args: &[&str]) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let python = root.join(".venv-dvc/bin/python");
    if !python.exists() {
        eprintln!("needs wandb in .venv-dvc: run scripts/ensure-dvc.sh");
        std::process::exit(2);
    }
    let out = Command::new(python)
        .arg(root.join("tests/experiments/wandb_tool.py"))
        .args(args)
        .stderr(std::process::Stdio::null())
        .output()
        .expect("python");
    assert!(out.status.success(), "wandb_tool.py {args:?} failed");
    String::from_utf8(out.stdout).unwrap()
}

fn points(root: &Path) -> usize {
    cairn_exp::wandb::runs(root)
        .iter()
        .map(|r| r.history.values().map(Vec::len).sum::<usize>())
        .sum()
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    tool(&[
        "bench",
        root.to_str().unwrap(),
        &RUNS.to_string(),
        &STEPS.to_string(),
    ]);
    let data = root.join("data");
    for i in 0..10_000 {
        let sub = data.join(format!("{:02}", i % 100));
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::write(sub.join(format!("{i}.txt")), "x").unwrap();
    }

    let theirs = tool(&["time", root.to_str().unwrap()]);
    let mut f = theirs.split_whitespace();
    let py_ms: f64 = f.next().unwrap().parse::<f64>().unwrap() * 1000.0;
    let py_points: usize = f.next().unwrap().parse().unwrap();

    // Cairn, first read: every file parsed (a fresh copy each time, so nothing is
    // cached; the copy is not timed).
    let mut cold_read_ms = f64::MAX;
    let mut n = 0;
    for _ in 0..3 {
        let copy = tempfile::tempdir().unwrap();
        copy_run_files(&root.join("wandb"), &copy.path().join("wandb"));
        let t = Instant::now();
        n = points(copy.path());
        cold_read_ms = cold_read_ms.min(t.elapsed().as_secs_f64() * 1000.0);
    }
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

/// Each run folder's `.wandb` file (W&B's logs and `files/` are not read).
fn copy_run_files(from: &Path, to: &Path) {
    for run in std::fs::read_dir(from).unwrap() {
        let run = run.unwrap().path();
        if !run.is_dir() || run.is_symlink() {
            continue;
        }
        let dest = to.join(run.file_name().unwrap());
        std::fs::create_dir_all(&dest).unwrap();
        for f in std::fs::read_dir(&run).unwrap() {
            let f = f.unwrap().path();
            if f.extension().is_some_and(|e| e == "wandb") {
                std::fs::copy(&f, dest.join(f.file_name().unwrap())).unwrap();
            }
        }
    }
}

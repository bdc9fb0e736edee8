//! Reading TensorBoard runs: Cairn's reader against TensorBoard's own (2.20.0, from
//! `.venv-dvc`; `scripts/ensure-dvc.sh` installs it) on one workload written by
//! TensorBoard's writer — 20 runs × 5,000 steps × 3 scalars (300,000 points), in a
//! project that also holds a 10,000-file data folder the search walks past.
//! `cargo bench -p cairn-exp --bench tensorboard` (a plain timing harness: best of runs).

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
        eprintln!("needs TensorBoard in .venv-dvc: run scripts/ensure-dvc.sh");
        std::process::exit(2);
    }
    let out = Command::new(python)
        .arg(root.join("tests/experiments/tensorboard_tool.py"))
        .args(args)
        .stderr(std::process::Stdio::null())
        .output()
        .expect("python");
    assert!(out.status.success(), "tensorboard_tool.py {args:?} failed");
    String::from_utf8(out.stdout).unwrap()
}

fn points(root: &Path) -> usize {
    cairn_exp::tensorboard::runs(root)
        .iter()
        .map(|r| r.scalars.values().map(Vec::len).sum::<usize>())
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

    // TensorBoard: a fresh multiplexer loading every run (its own timer, in-process).
    let theirs = tool(&["time", root.to_str().unwrap()]);
    let mut f = theirs.split_whitespace();
    let tb_ms: f64 = f.next().unwrap().parse::<f64>().unwrap() * 1000.0;
    let tb_points: usize = f.next().unwrap().parse().unwrap();

    // Cairn, first read: every file parsed (a fresh copy each time, so nothing is
    // cached; the copy is not timed).
    let mut cold_read_ms = f64::MAX;
    let mut n = 0;
    for _ in 0..3 {
        let copy = tempfile::tempdir().unwrap();
        copy_runs(&root.join("runs"), &copy.path().join("runs"));
        let t = Instant::now();
        n = points(copy.path());
        cold_read_ms = cold_read_ms.min(t.elapsed().as_secs_f64() * 1000.0);
    }
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

fn copy_runs(from: &Path, to: &Path) {
    for run in std::fs::read_dir(from).unwrap() {
        let run = run.unwrap().path();
        let dest = to.join(run.file_name().unwrap());
        std::fs::create_dir_all(&dest).unwrap();
        for f in std::fs::read_dir(&run).unwrap() {
            let f = f.unwrap().path();
            std::fs::copy(&f, dest.join(f.file_name().unwrap())).unwrap();
        }
    }
}

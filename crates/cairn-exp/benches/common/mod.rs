//! The plain timing harness the benches share, and the workload helpers of the benches
//! that read other trackers' logs. Each bench uses part of it.
#![allow(dead_code)]

use std::path::Path;
use std::process::Command;
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

/// What `tests/experiments/<script> <args>` prints, run with the reference venv's
/// Python (where the trackers' SDKs are); exits if the venv is missing.
pub fn venv_tool(script: &str, args: &[&str]) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let python = root.join(".venv-dvc/bin/python");
    if !python.exists() {
        eprintln!("needs the reference venv: run scripts/ensure-dvc.sh");
        std::process::exit(2);
    }
    let out = Command::new(python)
        .arg(root.join("tests/experiments").join(script))
        .args(args)
        .stderr(std::process::Stdio::null())
        .output()
        .expect("python");
    assert!(out.status.success(), "{script} {args:?} failed");
    String::from_utf8(out.stdout).unwrap()
}

/// Writes `script bench`'s workload of `runs` runs × `steps` steps into `root` with a
/// 10,000-file `data/` folder beside it, then times the tracker's own reading of it
/// (`script time`, its own timer): that time in ms and the points it found.
pub fn tracker_workload(script: &str, root: &Path, runs: usize, steps: usize) -> (f64, usize) {
    let dir = root.to_str().unwrap();
    venv_tool(
        script,
        &["bench", dir, &runs.to_string(), &steps.to_string()],
    );
    data_files(root);
    let theirs = venv_tool(script, &["time", dir]);
    let mut f = theirs.split_whitespace();
    let ms = f.next().unwrap().parse::<f64>().unwrap() * 1000.0;
    (ms, f.next().unwrap().parse().unwrap())
}

/// A 10,000-file `data/` folder beside the logs, which a search for them walks past.
fn data_files(root: &Path) {
    let data = root.join("data");
    for i in 0..10_000 {
        let sub = data.join(format!("{:02}", i % 100));
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::write(sub.join(format!("{i}.txt")), "x").unwrap();
    }
}

/// The best of three first reads by `read` (returning the points it found) of fresh
/// copies of the run folders in `runs` (with the files `keep` accepts), so nothing is
/// cached; the copies are not timed.
pub fn first_read_ms(
    runs: &Path,
    keep: impl Fn(&Path) -> bool,
    read: impl Fn(&Path) -> usize,
) -> (f64, usize) {
    let mut best = f64::MAX;
    let mut points = 0;
    for _ in 0..3 {
        let copy = tempfile::tempdir().unwrap();
        let to = copy.path().join(runs.file_name().unwrap());
        for run in std::fs::read_dir(runs).unwrap() {
            let run = run.unwrap().path();
            if !run.is_dir() || run.is_symlink() {
                continue;
            }
            let dest = to.join(run.file_name().unwrap());
            std::fs::create_dir_all(&dest).unwrap();
            for f in std::fs::read_dir(&run).unwrap() {
                let f = f.unwrap().path();
                if f.is_file() && keep(&f) {
                    std::fs::copy(&f, dest.join(f.file_name().unwrap())).unwrap();
                }
            }
        }
        let t = Instant::now();
        points = read(copy.path());
        best = best.min(t.elapsed().as_secs_f64() * 1000.0);
    }
    (best, points)
}

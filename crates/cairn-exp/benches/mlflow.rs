//! Reading an MLflow file store of 2,000 runs (5 params, 3 metrics × 100 steps each:
//! 20,000 small files) as the experiments table does on every refresh: the first read,
//! then again with nothing changed (served from the cache after its stamps are checked).
//! `cargo bench -p cairn-exp --bench mlflow` (a plain timing harness: best of runs).

use std::fmt::Write as _;
use std::time::Instant;

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let exp = dir.path().join("mlruns/1");
    std::fs::create_dir_all(&exp).unwrap();
    std::fs::write(exp.join("meta.yaml"), "experiment_id: '1'\nname: sweep\n").unwrap();
    for r in 0..2000u64 {
        let run = exp.join(format!("{r:032x}"));
        for sub in ["params", "metrics", "tags"] {
            std::fs::create_dir_all(run.join(sub)).unwrap();
        }
        std::fs::write(
            run.join("meta.yaml"),
            format!(
                "run_id: {r:032x}\nrun_name: run-{r}\nstart_time: {}\nstatus: 3\n",
                1_700_000_000_000 + r
            ),
        )
        .unwrap();
        for p in ["lr", "epochs", "batch", "optim", "seed"] {
            std::fs::write(run.join("params").join(p), format!("{}", r % 7)).unwrap();
        }
        for m in ["loss", "acc", "val_loss"] {
            let mut text = String::new();
            for s in 0..100u64 {
                let _ = writeln!(
                    text,
                    "{} {} {s}",
                    1_700_000_000_000 + s,
                    (r * s % 97) as f64 / 97.0
                );
            }
            std::fs::write(run.join("metrics").join(m), text).unwrap();
        }
        std::fs::write(run.join("tags/mlflow.runName"), format!("run-{r}")).unwrap();
    }
    let t = Instant::now();
    let n = cairn_exp::mlflow::runs(dir.path()).len();
    let first = t.elapsed().as_secs_f64() * 1000.0;
    let mut again = f64::MAX;
    for _ in 0..10 {
        let t = Instant::now();
        assert_eq!(
            std::hint::black_box(cairn_exp::mlflow::runs(dir.path())).len(),
            n
        );
        again = again.min(t.elapsed().as_secs_f64() * 1000.0);
    }
    println!("{n} MLflow runs: first read {first:.1} ms, refresh {again:.1} ms");
}

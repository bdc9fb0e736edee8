//! W&B runs: Cairn's `.wandb` reader (`cairn_exp::wandb`) against runs written by W&B's
//! own SDK (wandb 0.31.0, in the same venv as dvc) in offline mode. `wandb_tool.py
//! write` runs four training programs — nested config updated after start, 300 logged
//! steps with histograms, a NaN and a jump in step, a summary override, a
//! `define_metric` minimum with a failing exit code, a 2,000-step run whose file spans
//! many blocks with a record larger than a block, an unnamed run in a subfolder — and
//! `read` decodes each file with W&B's protobuf schema. Cairn must find the same runs
//! with the same names, config, summary, history and exit.

use std::collections::BTreeMap;

use cairn_exp::wandb::Status;
use serde_json::Value;

fn number(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

#[test]
fn wandb_runs_are_read_as_wandb_wrote_them() {
    let (_dir, theirs, ours) =
        super::written_and_read("wandb_tool.py", cairn_exp::wandb::runs, |r| r.id.clone());
    assert_eq!(theirs.len(), 4, "the tool wrote four runs");
    for (id, run) in &ours {
        let want = &theirs[id];
        assert_eq!(run.run_id, want["run_id"].as_str().unwrap(), "{id}: run id");
        let name = want["name"].as_str().unwrap();
        let name = if name.is_empty() { &run.run_id } else { name };
        assert_eq!(run.name, name, "{id}: name");
        assert_eq!(run.start_ms, want["start_ms"].as_i64(), "{id}: start");
        let status = match want["exit"].as_i64() {
            Some(0) => Status::Finished,
            Some(code) => Status::Failed(code as i32),
            None => Status::Running,
        };
        assert_eq!(run.status, status, "{id}: exit");
        assert_eq!(
            serde_json::to_value(&run.config).unwrap(),
            want["config"],
            "{id}: config"
        );
        let summary: BTreeMap<String, f64> = want["summary"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), number(v)))
            .collect();
        assert_eq!(run.summary, summary, "{id}: summary");
        let history = want["history"].as_object().unwrap();
        assert_eq!(
            run.history.keys().collect::<Vec<_>>(),
            history.keys().collect::<Vec<_>>(),
            "{id}: logged keys"
        );
        for (key, points) in history {
            let points: Vec<(f64, f64)> = points
                .as_array()
                .unwrap()
                .iter()
                .map(|p| (number(&p[0]), number(&p[1])))
                .collect();
            assert_eq!(run.history[key], points, "{id}/{key}: points");
        }
    }

    // Not vacuous: the runs hold what the programs logged.
    let by_name = |name: &str| ours.values().find(|r| r.name == name).unwrap();
    let baseline = by_name("baseline");
    assert_eq!(baseline.history["train/loss"].len(), 300);
    assert_eq!(baseline.history["train/loss"][299], (299.0, 1.0 / 300.0));
    assert_eq!(baseline.history["acc"].len(), 299, "the NaN is not charted");
    assert_eq!(baseline.history["late"], vec![(400.0, 3.5)]);
    assert!(
        !baseline.history.contains_key("weights"),
        "histograms are not numbers"
    );
    assert_eq!(baseline.latest()["best"], 0.99);
    assert_eq!(baseline.config["model.layers"], 3);
    assert_eq!(baseline.config["epochs"], 300, "updated after start");
    let min = by_name("min-summary");
    assert_eq!(min.status, Status::Failed(2));
    assert_eq!(min.latest()["val_loss.min"], 0.3);
    let big = by_name("big");
    assert_eq!(big.history.len(), 20);
    assert_eq!(big.history["m19"].len(), 2000);
    assert_eq!(
        big.config["notes_blob"].as_str().map(str::len),
        Some(100_000)
    );
    let unnamed = ours
        .keys()
        .find(|id| id.starts_with("sub/wandb/offline-run-"))
        .expect("the run made with dir=\"sub\"");
    assert_eq!(ours[unnamed].history["x"], vec![(5.0, 1.25), (9.0, 2.5)]);
}

use std::path::Path;

use prost::Message as _;
use serde_json::json;

use super::proto::{
    Changes, HistoryRecord, HistoryStep, Item, Record, RunExitRecord, RunRecord, Timestamp,
};
use super::*;

fn item(path: &[&str], value: &str) -> Item {
    Item {
        key: String::new(),
        nested_key: path.iter().map(|s| s.to_string()).collect(),
        integer: None,
        number: None,
        value_json: value.to_string(),
    }
}

fn keyed(key: &str, value: &str) -> Item {
    Item {
        key: key.to_string(),
        ..item(&[], value)
    }
}

fn run_record(id: &str, name: &str, config: Vec<Item>) -> Vec<u8> {
    Record {
        run: Some(RunRecord {
            run_id: id.into(),
            project: "p".into(),
            config: Some(Changes {
                update: config,
                remove: vec![],
            }),
            summary: None,
            display_name: name.into(),
            start_time: Some(Timestamp {
                seconds: 1_795_867_551,
                nanos: 22_064_000,
            }),
        }),
        ..Default::default()
    }
    .encode_to_vec()
}

fn history(step: i64, items: Vec<Item>) -> Vec<u8> {
    let mut items = items;
    items.push(item(&["_step"], &step.to_string()));
    items.push(item(&["_runtime"], "0.5"));
    Record {
        history: Some(HistoryRecord {
            item: items,
            step: Some(HistoryStep { num: step }),
        }),
        ..Default::default()
    }
    .encode_to_vec()
}

fn summary(update: Vec<Item>, remove: Vec<Item>) -> Vec<u8> {
    Record {
        summary: Some(Changes { update, remove }),
        ..Default::default()
    }
    .encode_to_vec()
}

fn config(update: Vec<Item>) -> Vec<u8> {
    Record {
        config: Some(Changes {
            update,
            remove: vec![],
        }),
        ..Default::default()
    }
    .encode_to_vec()
}

fn exit(code: i32) -> Vec<u8> {
    Record {
        exit: Some(RunExitRecord { exit_code: code }),
        ..Default::default()
    }
    .encode_to_vec()
}

fn write(dir: &Path, id: &str, records: &[Vec<u8>]) -> std::path::PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let refs: Vec<&[u8]> = records.iter().map(Vec::as_slice).collect();
    let path = dir.join(format!("run-{id}.wandb"));
    std::fs::write(&path, log::file(&refs)).unwrap();
    FILES.forget(&path);
    path
}

/// A finished run as W&B 0.31 writes one: config at start and updated later, history
/// rows with `_step`, nested dicts, media and NaN, summary updates with an override.
fn finished_run() -> Vec<Vec<u8>> {
    let mut records = vec![run_record(
        "784hdeh2",
        "my-run",
        vec![
            keyed("_wandb", "{}"),
            keyed("lr", "0.01"),
            keyed("model", r#"{"layers":3,"act":"relu"}"#),
            keyed("sizes", "[1,2]"),
        ],
    )];
    for step in 0..5 {
        let loss = 1.0 / (step as f64 + 1.0);
        records.push(history(
            step,
            vec![
                item(&["loss"], &loss.to_string()),
                item(&["nested", "a"], &step.to_string()),
                item(
                    &["hist"],
                    r#"{"_type":"histogram","values":[1,2],"bins":[0,1,2]}"#,
                ),
                item(&["odd"], if step == 2 { "NaN" } else { "1.5" }),
            ],
        ));
        records.push(summary(
            vec![
                item(&["loss"], &loss.to_string()),
                item(&["nested", "a"], &step.to_string()),
                item(&["_step"], &step.to_string()),
            ],
            vec![],
        ));
    }
    records.push(config(vec![keyed("epochs", "5")]));
    // `run.name = …` during the run: a run record with the new name only.
    records.push(
        Record {
            run: Some(RunRecord {
                display_name: "renamed".into(),
                ..Default::default()
            }),
            ..Default::default()
        }
        .encode_to_vec(),
    );
    records.push(summary(
        vec![keyed("best", "0.99")],
        vec![keyed("gone", "")],
    ));
    records.push(exit(0));
    records
}

#[test]
fn a_finished_run_reads_as_wandb_shows_it() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp
        .path()
        .join("wandb/offline-run-20261128_120551-784hdeh2");
    write(&dir, "784hdeh2", &finished_run());
    let runs = runs(tmp.path());
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    assert_eq!(run.id, "wandb/offline-run-20261128_120551-784hdeh2");
    assert_eq!(
        (run.run_id.as_str(), run.name.as_str()),
        ("784hdeh2", "renamed")
    );
    assert_eq!(run.start_ms, Some(1_795_867_551_022));
    assert_eq!(run.status, Status::Finished);
    assert_eq!(
        serde_json::to_value(&run.config).unwrap(),
        json!({"lr": 0.01, "model.layers": 3, "model.act": "relu", "sizes": [1, 2], "epochs": 5})
    );
    assert_eq!(run.history["loss"].len(), 5);
    assert_eq!(run.history["loss"][4], (4.0, 0.2));
    assert_eq!(run.history["nested.a"][3], (3.0, 3.0));
    // NaN is not charted; media are not numbers.
    assert_eq!(
        run.history["odd"].iter().map(|p| p.0).collect::<Vec<_>>(),
        vec![0.0, 1.0, 3.0, 4.0]
    );
    assert!(
        !run.history
            .keys()
            .any(|k| k.starts_with("hist") || k.starts_with('_'))
    );
    let latest = run.latest();
    assert_eq!(latest["loss"], 0.2);
    assert_eq!(latest["best"], 0.99);
    assert!(
        !latest.contains_key("odd"),
        "not in the summary: W&B shows no value"
    );
    assert!(!latest.contains_key("_step"));
    assert_eq!(run.series().len(), 3);
    assert_eq!(run.series()[0].file, format!("wandb/{}", run.id));
    assert_eq!(run.damaged_at, None);
    assert_eq!(super::run(tmp.path(), &run.id).as_ref(), Some(run));
    assert_eq!(super::run(tmp.path(), "../elsewhere"), None);
}

#[test]
fn the_summary_wins_over_the_last_logged_value() {
    // `define_metric("loss", summary="min")`: W&B keeps the minimum in the summary.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("wandb/run-1");
    let records = vec![
        run_record("a1", "", vec![]),
        history(0, vec![item(&["loss"], "0.5")]),
        history(1, vec![item(&["loss"], "0.7")]),
        summary(vec![item(&["loss"], "0.5")], vec![]),
        summary(vec![item(&["drop"], "1")], vec![]),
        summary(vec![], vec![item(&["drop"], "")]),
        exit(1),
    ];
    write(&dir, "a1", &records);
    let run = super::run(tmp.path(), "wandb/run-1").unwrap();
    assert_eq!(run.name, "a1", "an unnamed run shows its id");
    assert_eq!(run.status, Status::Failed(1));
    assert_eq!(run.latest()["loss"], 0.5);
    assert!(!run.latest().contains_key("drop"));
}

#[test]
fn a_growing_file_is_followed_and_a_silent_one_crashed() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("wandb/offline-run-x-g1");
    let mut records = vec![run_record(
        "g1",
        "growing",
        vec![keyed("note", &format!("\"{}\"", "x".repeat(70_000)))],
    )];
    for step in 0..200 {
        records.push(history(step, vec![item(&["loss"], &format!("{step}.5"))]));
    }
    records.push(exit(0));
    let refs: Vec<&[u8]> = records.iter().map(Vec::as_slice).collect();
    let whole = log::file(&refs);
    let path = dir.join("run-g1.wandb");
    std::fs::create_dir_all(&dir).unwrap();
    FILES.forget(&path);
    // The writer flushed up to some point inside the big config record, then further.
    let mut seen = Vec::new();
    for cut in [7, 40_000, 75_000, 80_000, whole.len() - 3, whole.len()] {
        std::fs::write(&path, &whole[..cut]).unwrap();
        let run = super::run(tmp.path(), "wandb/offline-run-x-g1");
        seen.push(run.map(|r| (r.history.get("loss").map_or(0, Vec::len), r.status)));
    }
    assert_eq!(seen[0], None, "only the header: nothing to show yet");
    assert_eq!(seen[1], None, "the run record is still being written");
    let counts: Vec<usize> = seen[2..].iter().map(|s| s.unwrap().0).collect();
    assert!(counts.windows(2).all(|w| w[0] <= w[1]), "{counts:?}");
    assert_eq!(
        seen[4].unwrap(),
        (200, Status::Running),
        "the exit record is cut"
    );
    assert_eq!(seen[5].unwrap(), (200, Status::Finished));
    let config = &super::run(tmp.path(), "wandb/offline-run-x-g1")
        .unwrap()
        .config;
    assert_eq!(config["note"].as_str().map(str::len), Some(70_000));

    // Without an exit record and untouched for minutes, the run died.
    std::fs::write(&path, &whole[..whole.len() - 3]).unwrap();
    let old = SystemTime::now() - Duration::from_secs(600);
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(old)
        .unwrap();
    FILES.forget(&path);
    assert_eq!(
        super::run(tmp.path(), "wandb/offline-run-x-g1")
            .unwrap()
            .status,
        Status::Crashed
    );
}

#[test]
fn discovery_skips_links_environments_and_foreign_files() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(
        &root.join("wandb/run-20261128_1-aaa"),
        "aaa",
        &finished_run(),
    );
    write(
        &root.join("sub/proj/wandb/offline-run-2-bbb"),
        "bbb",
        &finished_run(),
    );
    write(
        &root.join(".venv/lib/wandb/run-3-ccc"),
        "ccc",
        &finished_run(),
    );
    std::os::unix::fs::symlink(
        root.join("wandb/run-20261128_1-aaa"),
        root.join("wandb/latest-run"),
    )
    .unwrap();
    // A crashed run W&B never flushed: only the header.
    let empty = root.join("wandb/offline-run-4-ddd");
    std::fs::create_dir_all(&empty).unwrap();
    std::fs::write(empty.join("run-ddd.wandb"), log::HEADER).unwrap();
    // Not a W&B file.
    std::fs::write(root.join("wandb/run-zzz.wandb"), b"hello").unwrap();
    let ids: Vec<String> = runs(root).into_iter().map(|r| r.id).collect();
    assert_eq!(
        ids,
        vec![
            "sub/proj/wandb/offline-run-2-bbb",
            "wandb/run-20261128_1-aaa"
        ]
    );
}

#[test]
fn a_damaged_file_shows_what_came_before_and_where_it_broke() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("wandb/run-d1");
    let path = write(&dir, "d1", &finished_run());
    let mut bytes = std::fs::read(&path).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 0xff;
    std::fs::write(&path, &bytes).unwrap();
    FILES.forget(&path);
    let run = super::run(tmp.path(), "wandb/run-d1").unwrap();
    let broke = run.damaged_at.expect("the flipped byte is found");
    assert!(broke <= at as u64 && broke > 7, "{broke}");
    assert!(!run.history["loss"].is_empty() && run.history["loss"].len() < 5);
    assert_eq!(
        run.status,
        Status::Running,
        "the exit record is past the damage"
    );
}

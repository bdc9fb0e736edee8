//! Event files built here with the same messages; the cross-tool test writes them with
//! TensorBoard's own writer and compares with TensorBoard's own reader.

use std::path::Path;

use prost::Message as _;

use super::proto::*;
use super::record::frame;
use super::*;

fn scalar_event(step: i64, wall: f64, tag: &str, v: f32) -> Event {
    Event {
        wall_time: wall,
        step,
        summary: Some(Summary {
            value: vec![SummaryValue {
                tag: tag.into(),
                simple_value: Some(v),
                ..Default::default()
            }],
        }),
        session_log: None,
        file_version: None,
    }
}

fn tensor_value(tag: &str, plugin: Option<&str>, dims: &[i64], vals: &[f64]) -> SummaryValue {
    SummaryValue {
        tag: tag.into(),
        tensor: Some(TensorProto {
            dtype: dtype::DOUBLE,
            tensor_shape: Some(TensorShape {
                dim: dims.iter().map(|&size| Dim { size }).collect(),
            }),
            double_val: vals.to_vec(),
            ..Default::default()
        }),
        metadata: plugin.map(|p| SummaryMetadata {
            plugin_data: Some(PluginData {
                plugin_name: p.into(),
                content: Vec::new(),
            }),
        }),
        ..Default::default()
    }
}

fn event(step: i64, values: Vec<SummaryValue>) -> Event {
    Event {
        wall_time: 1_700_000_000.0 + step as f64,
        step,
        summary: Some(Summary { value: values }),
        session_log: None,
        file_version: None,
    }
}

fn write(path: &Path, events: &[Event]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let bytes: Vec<u8> = events
        .iter()
        .flat_map(|e| frame(&e.encode_to_vec()))
        .collect();
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn simple_values_across_files_in_name_order() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("runs/a");
    write(
        &dir.join("events.out.tfevents.2.host"),
        &[scalar_event(3, 1_700_000_003.5, "loss", 0.25)],
    );
    write(
        &dir.join("events.out.tfevents.1.host"),
        &[
            Event {
                file_version: Some("brain.Event:2".into()),
                ..Default::default()
            },
            // Out of step order: kept (from version 2 on only a restart cuts).
            scalar_event(2, 1_700_000_002.0, "loss", 0.5),
            scalar_event(1, 1_700_000_001.0, "loss", 1.0),
            scalar_event(1, 1_700_000_001.0, "acc", 0.75),
        ],
    );
    let all = runs(t.path());
    assert_eq!(all.len(), 1);
    let run = &all[0];
    assert_eq!(run.id, "runs/a");
    assert_eq!(run.start_ms, Some(1_700_000_001_000));
    assert_eq!(
        run.scalars["loss"],
        vec![(1.0, 1.0), (2.0, 0.5), (3.0, 0.25)]
    );
    assert_eq!(run.latest()["loss"], 0.25);
    assert_eq!(run.latest()["acc"], 0.75);
    assert_eq!(super::run(t.path(), "runs/a").as_ref(), Some(run));
    assert_eq!(super::run(t.path(), "../x"), None);
    assert_eq!(run.series()[1].file, "tensorboard/runs/a");
}

#[test]
fn tensors_count_when_the_tags_first_metadata_names_the_scalars_plugin() {
    let t = tempfile::tempdir().unwrap();
    write(
        &t.path().join("logs/events.out.tfevents.1"),
        &[
            // tf.summary.scalar: metadata with the first value only.
            event(
                0,
                vec![tensor_value("epoch_loss", Some("scalars"), &[], &[2.0])],
            ),
            event(1, vec![tensor_value("epoch_loss", None, &[], &[1.5])]),
            // A histogram's tensor is not a scalar; a one-number tensor of another
            // plugin is not drawn as one either.
            event(
                1,
                vec![tensor_value(
                    "weights",
                    Some("histograms"),
                    &[2, 3],
                    &[0.0; 6],
                )],
            ),
            event(1, vec![tensor_value("text", Some("text"), &[1], &[7.0])]),
            // A tensor with no metadata at all belongs to no dashboard.
            event(1, vec![tensor_value("raw", None, &[], &[3.0])]),
        ],
    );
    let run = super::run(t.path(), "logs").unwrap();
    assert_eq!(run.scalars.keys().collect::<Vec<_>>(), ["epoch_loss"]);
    assert_eq!(run.scalars["epoch_loss"], vec![(0.0, 2.0), (1.0, 1.5)]);
}

#[test]
fn a_restart_drops_what_was_logged_at_or_after_its_step() {
    let t = tempfile::tempdir().unwrap();
    let start = |step| Event {
        step,
        session_log: Some(SessionLog {
            status: SESSION_START,
        }),
        ..Default::default()
    };
    let version = Event {
        file_version: Some("brain.Event:2".into()),
        ..Default::default()
    };
    write(
        &t.path().join("events.out.tfevents.1"),
        &[
            version,
            // The first start is the session's, not a restart.
            start(0),
            scalar_event(1, 1.0, "loss", 1.0),
            scalar_event(2, 2.0, "loss", 0.9),
            scalar_event(3, 3.0, "loss", 0.8),
            start(2),
            scalar_event(2, 4.0, "loss", 0.7),
        ],
    );
    let run = super::run(t.path(), ".").unwrap();
    assert_eq!(run.id, ".");
    assert_eq!(run.scalars["loss"], vec![(1.0, 1.0), (2.0, 0.7)]);
}

#[test]
fn without_a_file_version_a_step_going_back_cuts_that_tags_later_points() {
    let t = tempfile::tempdir().unwrap();
    write(
        &t.path().join("old/events.out.tfevents.1"),
        &[
            scalar_event(1, 1.0, "loss", 1.0),
            scalar_event(2, 2.0, "acc", 0.5),
            scalar_event(3, 3.0, "loss", 0.8),
            scalar_event(3, 3.0, "acc", 0.6),
            scalar_event(2, 4.0, "loss", 0.7),
        ],
    );
    let run = super::run(t.path(), "old").unwrap();
    assert_eq!(run.scalars["loss"], vec![(1.0, 1.0), (2.0, 0.7)]);
    assert_eq!(
        run.scalars["acc"],
        vec![(2.0, 0.5), (3.0, 0.6)],
        "other tags stay"
    );
}

#[test]
fn hyperparameters_from_the_plugin_and_lightnings_yaml() {
    let t = tempfile::tempdir().unwrap();
    let info = HParamsPluginData {
        session_start_info: Some(SessionStartInfo {
            hparams: [
                (
                    "lr".to_string(),
                    StructValue {
                        number_value: Some(0.01),
                        ..Default::default()
                    },
                ),
                (
                    "epochs".to_string(),
                    StructValue {
                        number_value: Some(10.0),
                        ..Default::default()
                    },
                ),
                (
                    "optim".to_string(),
                    StructValue {
                        string_value: Some("adam".into()),
                        ..Default::default()
                    },
                ),
            ]
            .into(),
        }),
    };
    let dir = t.path().join("lightning_logs/version_0");
    write(
        &dir.join("events.out.tfevents.1"),
        &[event(
            0,
            vec![SummaryValue {
                tag: "_hparams_/session_start_info".into(),
                metadata: Some(SummaryMetadata {
                    plugin_data: Some(PluginData {
                        plugin_name: "hparams".into(),
                        content: info.encode_to_vec(),
                    }),
                }),
                ..Default::default()
            }],
        )],
    );
    std::fs::write(dir.join("hparams.yaml"), "lr: 0.5\nmodel:\n  depth: 3\n").unwrap();
    let run = super::run(t.path(), "lightning_logs/version_0").unwrap();
    assert!(run.scalars.is_empty());
    assert_eq!(
        serde_json::to_value(&run.hparams).unwrap(),
        serde_json::json!({"epochs": 10, "lr": 0.01, "model.depth": 3, "optim": "adam"}),
        "the plugin's values win over the yaml's"
    );
}

#[test]
fn a_growing_file_is_read_from_where_it_was_left() {
    let t = tempfile::tempdir().unwrap();
    let path = t.path().join("run/events.out.tfevents.1");
    let first = frame(&scalar_event(1, 1.0, "loss", 1.0).encode_to_vec());
    let second = frame(&scalar_event(2, 2.0, "loss", 0.5).encode_to_vec());
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    // The writer is half-way through its second record.
    let mut bytes = first.clone();
    bytes.extend(&second[..7]);
    std::fs::write(&path, &bytes).unwrap();
    assert_eq!(
        super::run(t.path(), "run").unwrap().scalars["loss"],
        vec![(1.0, 1.0)]
    );
    bytes.extend(&second[7..]);
    std::fs::write(&path, &bytes).unwrap();
    assert_eq!(
        super::run(t.path(), "run").unwrap().scalars["loss"],
        vec![(1.0, 1.0), (2.0, 0.5)]
    );
    // Replaced by a shorter file (a new run in the same place): read from the start.
    std::fs::remove_file(&path).unwrap();
    std::fs::write(&path, &second).unwrap();
    assert_eq!(
        super::run(t.path(), "run").unwrap().scalars["loss"],
        vec![(2.0, 0.5)]
    );
    reader::forget(&path);
}

#[test]
fn environments_hidden_folders_and_empty_runs_are_not_runs() {
    let t = tempfile::tempdir().unwrap();
    let e = [scalar_event(1, 1.0, "loss", 1.0)];
    write(&t.path().join(".venv/lib/events.out.tfevents.1"), &e);
    write(&t.path().join("env/events.out.tfevents.1"), &e);
    std::fs::write(t.path().join("env/pyvenv.cfg"), "home = /usr\n").unwrap();
    write(&t.path().join(".hidden/events.out.tfevents.1"), &e);
    write(&t.path().join("node_modules/x/events.out.tfevents.1"), &e);
    // Only a graph: nothing to show.
    write(
        &t.path().join("graph/events.out.tfevents.1"),
        &[event(0, Vec::new())],
    );
    write(&t.path().join("real/events.out.tfevents.1"), &e);
    let ids: Vec<String> = runs(t.path()).into_iter().map(|r| r.id).collect();
    assert_eq!(ids, ["real"]);
}

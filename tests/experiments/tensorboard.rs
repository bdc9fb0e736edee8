//! TensorBoard event files: Cairn's reader (`cairn_exp::tensorboard`) against
//! TensorBoard's own writer and reader (tensorboard 2.20.0, in the same venv as dvc).
//! `tensorboard_tool.py write` makes runs as PyTorch, TF2 and Lightning write them —
//! several files per run, tensors with metadata on their first value only, images and
//! histograms beside the scalars, hyperparameters, a restart, a file of the old format,
//! events in the log folder itself — and `read` prints what TensorBoard's multiplexer
//! shows for them; Cairn must list the same runs with the same points.

use serde_json::Value;

#[test]
fn tensorboard_runs_are_read_as_tensorboard_reads_them() {
    let (_dir, theirs, ours) =
        super::written_and_read("tensorboard_tool.py", cairn_exp::tensorboard::runs, |r| {
            r.id.clone()
        });
    assert_eq!(theirs.len(), 6, "the tool wrote six runs");
    for (id, run) in &ours {
        let want = &theirs[id];
        let tags: Vec<&String> = want["scalars"].as_object().unwrap().keys().collect();
        assert_eq!(
            run.scalars.keys().collect::<Vec<_>>(),
            tags,
            "{id}: scalar tags"
        );
        for (tag, points) in want["scalars"].as_object().unwrap() {
            let mut points: Vec<&Value> = points.as_array().unwrap().iter().collect();
            // TensorBoard keeps logging order; Cairn sorts by step (stable).
            points.sort_by_key(|p| p[0].as_i64().unwrap());
            let got = &run.scalars[tag];
            assert_eq!(got.len(), points.len(), "{id}/{tag}: number of points");
            for (g, p) in got.iter().zip(&points) {
                assert_eq!(g.0, p[0].as_f64().unwrap(), "{id}/{tag}: steps");
                let v = p[1].as_f64().unwrap();
                // A 32-bit value is shown as the shortest decimal that is that float.
                let same = match p[2].as_str() {
                    Some("f32") => g.1 as f32 == v as f32,
                    _ => g.1 == v,
                };
                assert!(
                    same,
                    "{id}/{tag} at step {}: cairn {} vs tensorboard {v}",
                    g.0, g.1
                );
            }
        }
        let hparams = want["hparams"].as_object().unwrap();
        assert_eq!(run.hparams.len(), hparams.len(), "{id}: hyperparameters");
        for (k, v) in hparams {
            let got = &run.hparams[k];
            let same = match (got.as_f64(), v.as_f64()) {
                (Some(a), Some(b)) => a == b,
                _ => got == v,
            };
            assert!(same, "{id}: hparam {k}: cairn {got} vs tensorboard {v}");
        }
    }
    // Not vacuous: the runs hold what was written.
    assert_eq!(
        ours["runs/pytorch"].scalars["loss"].len(),
        300,
        "two files of one run"
    );
    assert_eq!(
        ours["runs/restarted"].scalars["loss"].len(),
        8,
        "a restart cut two points"
    );
    assert_eq!(
        ours["lightning_logs/version_0"].hparams["optimizer"],
        "adam"
    );
    assert_eq!(
        ours["runs/tf2"].scalars.len(),
        3,
        "histogram and text tensors left out"
    );
}

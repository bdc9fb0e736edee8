//! Runs made outside DVC that the experiments table shows beside its experiments,
//! read-only: MLflow's file store (`mlruns/`), TensorBoard event files and W&B run
//! files (`wandb/*run-*/run-*.wandb`). Each kind
//! has a row-id prefix, a column file shared by all its runs, and step series of its own.

use indexmap::IndexMap;
use serde_json::Value;

use crate::dto::{ExpRow, ExpRowKind};
use cairn_exp::series::Series;

/// A row with its cells by (is metric, file, key).
pub(crate) type Imported = (ExpRow, IndexMap<(bool, String, String), Value>);

/// One kind of imported run.
struct Kind {
    /// Row ids start with this, then the run's id.
    prefix: &'static str,
    /// `ExpRow::source`.
    source: &'static str,
    /// The column file its params and metrics share.
    file: &'static str,
}

const MLFLOW: Kind = Kind {
    prefix: "mlflow:",
    source: "mlflow",
    file: cairn_exp::mlflow::MLRUNS,
};
const TENSORBOARD: Kind = Kind {
    prefix: "tb:",
    source: "tensorboard",
    file: cairn_exp::tensorboard::FILE,
};

const WANDB: Kind = Kind {
    prefix: "wandb:",
    source: "wandb",
    file: cairn_exp::wandb::FILE,
};

/// Whether a row id is an imported run's (it has no commit, plots or DVC actions).
pub(crate) fn is_imported(id: &str) -> bool {
    [MLFLOW, TENSORBOARD, WANDB]
        .iter()
        .any(|k| id.starts_with(k.prefix))
}

/// Every imported run of the project at `root`: MLflow's, then TensorBoard's, then
/// W&B's, each newest first.
pub(crate) fn rows(root: &std::path::Path) -> Vec<Imported> {
    let mlflow = cairn_exp::mlflow::runs(root).into_iter().map(|run| {
        let status = match run.status.as_str() {
            "running" => "running",
            "scheduled" => "queued",
            "failed" | "killed" => "failed",
            _ => "success",
        };
        // MLflow keeps params as text: numbers read as numbers, as in params.yaml.
        let params = run.params.iter().map(|(k, v)| {
            let value = serde_json::from_str::<Value>(v)
                .ok()
                .filter(Value::is_number)
                .unwrap_or_else(|| Value::String(v.clone()));
            (k.clone(), value)
        });
        MLFLOW.row(
            &run.id,
            run.name.clone(),
            run.start_ms,
            status,
            params,
            run.latest(),
        )
    });
    let tensorboard = cairn_exp::tensorboard::runs(root).into_iter().map(|run| {
        TENSORBOARD.row(
            &run.id,
            run.id.clone(),
            run.start_ms,
            "success",
            run.hparams.clone(),
            run.latest(),
        )
    });
    let wandb = cairn_exp::wandb::runs(root).into_iter().map(|run| {
        use cairn_exp::wandb::Status;
        let (status, error) = match run.status {
            Status::Finished => ("success", None),
            Status::Running => ("running", None),
            Status::Failed(code) => ("failed", Some(format!("exited with code {code}"))),
            Status::Crashed => (
                "failed",
                Some("stopped without finishing (W&B shows it as crashed)".to_string()),
            ),
        };
        let mut row = WANDB.row(
            &run.id,
            run.name.clone(),
            run.start_ms,
            status,
            run.config.clone(),
            run.latest(),
        );
        row.0.error = error.or_else(|| {
            run.damaged_at.map(|at| {
                format!("its .wandb file is damaged at byte {at}: what W&B wrote after that is not shown")
            })
        });
        row
    });
    mlflow.chain(tensorboard).chain(wandb).collect()
}

/// The step series of the imported run behind row id `id`; none if it is gone (or the
/// id is not an imported run's).
pub(crate) fn series(root: &std::path::Path, id: &str) -> Vec<Series> {
    if let Some(run) = id.strip_prefix(MLFLOW.prefix) {
        return cairn_exp::mlflow::run(root, run)
            .map(|r| r.series())
            .unwrap_or_default();
    }
    if let Some(run) = id.strip_prefix(TENSORBOARD.prefix) {
        return cairn_exp::tensorboard::run(root, run)
            .map(|r| r.series())
            .unwrap_or_default();
    }
    if let Some(run) = id.strip_prefix(WANDB.prefix) {
        return cairn_exp::wandb::run(root, run)
            .map(|r| r.series())
            .unwrap_or_default();
    }
    Vec::new()
}

impl Kind {
    /// A run of this kind as a read-only experiment row of no baseline.
    fn row(
        &self,
        id: &str,
        name: String,
        start_ms: Option<i64>,
        status: &str,
        params: impl IntoIterator<Item = (String, Value)>,
        metrics: impl IntoIterator<Item = (String, f64)>,
    ) -> Imported {
        let mut cells = IndexMap::new();
        for (k, v) in params {
            cells.insert((false, self.file.to_string(), k), v);
        }
        for (k, v) in metrics {
            cells.insert((true, self.file.to_string(), k), Value::from(v));
        }
        let row = ExpRow {
            worker: None,
            id: format!("{}{id}", self.prefix),
            name,
            kind: ExpRowKind::Experiment,
            baseline: None,
            created: start_ms.map(|ms| cairn_exp::collect::iso_timestamp(ms / 1000)),
            status: status.to_string(),
            error: None,
            values: Vec::new(),
            note: None,
            source: Some(self.source.to_string()),
        };
        (row, cells)
    }
}

//! A Markdown report of experiments against their baseline (for a CI job summary or a
//! pull-request comment): one table with every metric and the params that differ, each
//! experiment's values with their change from the baseline, then chart images.

use indexmap::IndexMap;
use serde_json::Value;

use crate::diff::{Fmt, fmt_value, subtract};
use crate::show::{RevState, ShowResult};

/// One chart to link from the report.
#[derive(Debug, Clone)]
pub struct Image {
    /// Alt text / heading (the metric).
    pub title: String,
    /// Path as written into the Markdown (relative to the report).
    pub path: String,
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn short_key(k: &str) -> String {
    k.split_once(':')
        .map(|(_, b)| b.to_string())
        .unwrap_or_else(|| k.to_string())
}

fn is_num(v: &Value) -> bool {
    v.is_number()
}

/// The report text.
pub fn markdown(title: &str, res: &ShowResult, images: &[Image]) -> String {
    let mut out = format!("# {title}\n\n");
    for b in &res.baselines {
        let base_label = b
            .state
            .name
            .clone()
            .unwrap_or_else(|| b.state.rev[..7.min(b.state.rev.len())].to_string());
        out.push_str(&format!(
            "Baseline: `{base_label}` ({}), {} experiment(s).\n\n",
            &b.state.rev[..7.min(b.state.rev.len())],
            b.experiments.len()
        ));
        let tips: Vec<&RevState> = b
            .experiments
            .iter()
            .filter_map(|e| e.revs.first())
            .collect();
        let flat = |r: &RevState| {
            r.data
                .as_ref()
                .map(|d| (d.flat_metrics(), d.flat_params()))
                .unwrap_or_default()
        };
        let (bm, bp) = flat(&b.state);
        let rows: Vec<(IndexMap<String, Value>, IndexMap<String, Value>)> =
            tips.iter().map(|r| flat(r)).collect();
        let mut metric_cols: Vec<String> = bm.keys().cloned().collect();
        for (m, _) in &rows {
            for k in m.keys() {
                if !metric_cols.contains(k) {
                    metric_cols.push(k.clone());
                }
            }
        }
        // Params: only those that vary across the table.
        let mut param_cols: Vec<String> = Vec::new();
        for (_, p) in &rows {
            for (k, v) in p {
                if bp.get(k) != Some(v) && !param_cols.contains(k) {
                    param_cols.push(k.clone());
                }
            }
        }
        let mut header = vec!["Experiment".to_string()];
        header.extend(metric_cols.iter().map(|k| short_key(k)));
        header.extend(param_cols.iter().map(|k| short_key(k)));
        out.push_str(&format!(
            "| {} |\n",
            header
                .iter()
                .map(|h| cell(h))
                .collect::<Vec<_>>()
                .join(" | ")
        ));
        out.push_str(&format!(
            "|{}\n",
            header
                .iter()
                .enumerate()
                .map(|(i, _)| if i == 0 { "---|" } else { "---:|" })
                .collect::<String>()
        ));
        let mut line = |name: String,
                        m: &IndexMap<String, Value>,
                        p: &IndexMap<String, Value>,
                        is_base: bool| {
            let mut cells = vec![name];
            for k in &metric_cols {
                let v = m.get(k);
                let mut s = fmt_value(v, Fmt::Sig(5));
                if !is_base
                    && let (Some(v), Some(b)) = (v, bm.get(k))
                    && is_num(v)
                    && is_num(b)
                    && v != b
                {
                    let d = subtract(v, b);
                    let ds = fmt_value(Some(&d), Fmt::Sig(5));
                    let sign = if ds.starts_with('-') { "" } else { "+" };
                    s = format!("{s} ({sign}{ds})");
                }
                cells.push(s);
            }
            for k in &param_cols {
                cells.push(fmt_value(p.get(k), Fmt::Sig(5)));
            }
            out.push_str(&format!(
                "| {} |\n",
                cells
                    .iter()
                    .map(|c| cell(c))
                    .collect::<Vec<_>>()
                    .join(" | ")
            ));
        };
        line(format!("**{base_label}** (baseline)"), &bm, &bp, true);
        for (e, (m, p)) in b.experiments.iter().zip(&rows) {
            line(format!("`{}`", e.name), m, p, false);
        }
        out.push('\n');
    }
    if !images.is_empty() {
        out.push_str("## Plots\n\n");
        for i in images {
            out.push_str(&format!(
                "### {}\n\n![{}]({})\n\n",
                i.title, i.title, i.path
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::{ExpData, FileResult};
    use crate::show::{Baseline, ExpEntry};
    use serde_json::json;

    fn state(rev: &str, name: Option<&str>, params: Value, metrics: Value) -> RevState {
        let mut p = IndexMap::new();
        p.insert("params.yaml".to_string(), FileResult::Data(params));
        let mut m = IndexMap::new();
        m.insert("metrics.json".to_string(), FileResult::Data(metrics));
        RevState {
            rev: rev.into(),
            name: name.map(str::to_string),
            data: Some(ExpData {
                rev: rev.into(),
                timestamp: Some("2026-11-27T10:00:00".into()),
                params: p,
                metrics: m,
                deps: IndexMap::new(),
                outs: IndexMap::new(),
            }),
            error: None,
        }
    }

    #[test]
    fn report_text() {
        let base = state(
            "30d2b1c47a74403c850b9f361d9657c72b7ad062",
            Some("main"),
            json!({"lr": 0.1, "epochs": 3, "model": {"name": "cnn"}}),
            json!({"acc": 0.30000000000000004, "loss": 0.9}),
        );
        let e1 = state(
            "aec88d9a9e1881762a8ee1f1039cf0393f020fb4",
            Some("tuned"),
            json!({"lr": 0.2, "epochs": 3, "model": {"name": "cnn"}}),
            json!({"acc": 0.6000000000000001, "loss": 0.8}),
        );
        let e2 = state(
            "154c7381aad6c6ae320eaa04845b101931c8bc85",
            Some("long|run"),
            json!({"lr": 0.1, "epochs": 10, "model": {"name": "rnn"}}),
            json!({"acc": 1.0, "loss": 0.9}),
        );
        let res = ShowResult {
            workspace: None,
            baselines: vec![Baseline {
                state: base,
                experiments: vec![
                    ExpEntry {
                        name: "tuned".into(),
                        revs: vec![e1],
                        executor: None,
                    },
                    ExpEntry {
                        name: "long|run".into(),
                        revs: vec![e2],
                        executor: None,
                    },
                ],
            }],
        };
        let md = markdown(
            "Experiments",
            &res,
            &[Image {
                title: "acc".into(),
                path: "plots/acc.png".into(),
            }],
        );
        insta::assert_snapshot!(md);
    }
}

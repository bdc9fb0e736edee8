//! Comparison across projects: two repositories' results in one set of columns.

use crate::common::{call, init_dvc_repo, write_results};
use serde_json::{Value, json};

/// A row as (project name, row kind, row name, cell text by column title `file:key`).
type Row = (String, String, String, Vec<(String, Option<String>)>);

fn table(v: &Value) -> Vec<Row> {
    let names: std::collections::HashMap<&str, &str> = v["projects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["path"].as_str().unwrap(), p["name"].as_str().unwrap()))
        .collect();
    let titles: Vec<String> = v["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            format!(
                "{}:{}",
                c["file"].as_str().unwrap(),
                c["key"].as_str().unwrap()
            )
        })
        .collect();
    v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let row = &r["row"];
            let cells = titles
                .iter()
                .zip(row["values"].as_array().unwrap())
                .map(|(t, c)| (t.clone(), c["text"].as_str().map(str::to_string)))
                .collect();
            (
                names[r["project"].as_str().unwrap()].to_string(),
                row["kind"].as_str().unwrap().to_string(),
                row["name"].as_str().unwrap().to_string(),
                cells,
            )
        })
        .collect()
}

#[test]
fn two_projects_line_up_by_param_and_metric_and_a_bad_one_is_named() {
    let (_data, api, _demo) = crate::common::api_with_demo();
    let dir = tempfile::tempdir().unwrap();
    // Project a: lr and acc, committed, work tree the same.
    let a = dir.path().join("a");
    let git_a = init_dvc_repo(&a);
    write_results(&a, "lr: 0.1\n", r#"{"acc": 0.5}"#);
    git_a.commit_all("a").unwrap();
    // Project b: lr and depth, acc and f1; an experiment; a new, uncommitted result.
    let b = dir.path().join("b");
    let git_b = init_dvc_repo(&b);
    write_results(&b, "lr: 0.2\ndepth: 3\n", r#"{"acc": 0.6, "f1": 0.4}"#);
    let head_b = git_b.commit_all("b").unwrap().id;
    write_results(&b, "lr: 0.3\ndepth: 3\n", r#"{"acc": 0.65, "f1": 0.45}"#);
    let exp = git_b.commit_all("exp").unwrap().id;
    git_b
        .set_ref(&cairn_exp::refs::ref_name(&head_b, "faster"), &exp, "exp")
        .unwrap();
    git_b.set_ref("refs/heads/main", &head_b, "back").unwrap();
    write_results(&b, "lr: 0.2\ndepth: 4\n", r#"{"acc": 0.7, "f1": 0.5}"#);
    let root = |p: &std::path::Path| p.canonicalize().unwrap().to_string_lossy().into_owned();
    let (a, b) = (root(&a), root(&b));
    let nowhere = dir.path().join("gone").to_string_lossy().into_owned();

    let got = call(
        &api,
        "compare_projects",
        json!({"projects": [a, b, nowhere]}),
    );
    let cell = |t: &str, v: Option<&str>| (t.to_string(), v.map(str::to_string));
    let row = |p: &str, kind: &str, name: &str, cells: [Option<&str>; 4]| {
        let titles = [
            "params.yaml:lr",
            "params.yaml:depth",
            "metrics.json:acc",
            "metrics.json:f1",
        ];
        (
            p.to_string(),
            kind.to_string(),
            name.to_string(),
            titles
                .iter()
                .zip(cells)
                .map(|(t, v)| cell(t, v))
                .collect::<Vec<_>>(),
        )
    };
    assert_eq!(
        table(&got),
        [
            // a's work tree equals its HEAD: one row.
            row(
                "a",
                "baseline",
                "main",
                [Some("0.1"), None, Some("0.5"), None]
            ),
            // b's work tree holds results HEAD does not: listed first.
            row(
                "b",
                "workspace",
                "workspace",
                [Some("0.2"), Some("4"), Some("0.7"), Some("0.5")]
            ),
            row(
                "b",
                "baseline",
                "main",
                [Some("0.2"), Some("3"), Some("0.6"), Some("0.4")]
            ),
        ]
    );
    let projects = got["projects"].as_array().unwrap();
    assert_eq!(projects.len(), 3);
    assert!(projects[0]["error"].is_null() && projects[1]["error"].is_null());
    assert_eq!(projects[2]["name"], "gone");
    assert!(
        projects[2]["error"]
            .as_str()
            .unwrap()
            .contains("does not exist"),
        "{}",
        projects[2]
    );

    // With experiments: b's experiment follows its baseline.
    let with = call(
        &api,
        "compare_projects",
        json!({"projects": [b], "experiments": true}),
    );
    let rows = table(&with);
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert_eq!(
        (rows[2].1.as_str(), rows[2].2.as_str()),
        ("experiment", "faster")
    );
    assert_eq!(rows[2].3[0], cell("params.yaml:lr", Some("0.3")));

    // Nothing to compare is refused.
    let err = cairn_api::dispatch(&api, "compare_projects", json!({"projects": []})).unwrap_err();
    assert_eq!(err.code, cairn_api::ErrorCode::InvalidArguments);
}

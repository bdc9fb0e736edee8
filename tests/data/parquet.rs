//! Parquet previews against pyarrow (26.0.1, in the reference venv). `parquet_tool.py`
//! writes a seeded table of 25 column types — every integer width, float16/32/64 with
//! NaN and infinities, strings with quotes, tabs and emoji, a dictionary column, bytes,
//! dates, timestamps in ms/µs(UTC)/ns, times, decimals up to 38 digits, lists, structs
//! and maps, about a tenth of each column null — once per codec (snappy, zstd, gzip,
//! lz4, brotli, none), with row groups of 100, 500 or all rows, data pages v1 and v2,
//! and dictionary encoding on or off. The real `dvc add` tracks them and git commits
//! them; Cairn's preview, read from dvc's cache, must show the columns, the row count
//! and the first 200 rows as pyarrow reads them back. Then a second version (rows
//! dropped, one duplicated, 40 added), tracked by dvc again: the comparison with the
//! first commit must count and list the same rows added and removed.

use cairn_api::dto::PreviewArgs;
use serde_json::{Value, json};

use crate::support::*;

fn preview(api: &cairn_api::Api, root: &str, pointer: &str, compare_to: Option<&str>) -> Value {
    let p = api
        .preview_data(PreviewArgs {
            project: root.to_string(),
            pointer: pointer.to_string(),
            output: None,
            commit: None,
            inner: None,
            compare_to: compare_to.map(str::to_string),
        })
        .unwrap_or_else(|e| panic!("preview of {pointer}: {e:?}"));
    serde_json::to_value(p).unwrap()
}

fn commit(repo: &TestRepo, msg: &str) -> String {
    repo.git_ok(["add", "-A"]);
    repo.git_ok(["commit", "-q", "-m", msg]);
    repo.git_ok(["rev-parse", "HEAD"]).trim().to_string()
}

fn track(repo: &TestRepo, files: &[&String]) {
    let mut args = vec!["add".to_string()];
    args.extend(files.iter().map(|f| f.to_string()));
    repo.dvc_ok(&args);
}

/// `field` of `ours` equals `theirs`, reporting the first differing row and cell.
fn same_rows(c: &mut Checks, what: &str, ours: &Value, theirs: &Value) {
    let (Some(a), Some(b)) = (ours.as_array(), theirs.as_array()) else {
        c.fail(format!("{what}: not lists: {ours} / {theirs}"));
        return;
    };
    c.check(a.len() == b.len(), || {
        format!("{what}: {} rows, pyarrow {}", a.len(), b.len())
    });
    if let Some((i, (x, y))) = a.iter().zip(b).enumerate().find(|(_, (x, y))| x != y) {
        let cells = x
            .as_array()
            .into_iter()
            .flatten()
            .zip(y.as_array().into_iter().flatten());
        let (j, (cx, cy)) = cells
            .enumerate()
            .find(|(_, (cx, cy))| cx != cy)
            .unwrap_or((0, (x, y)));
        c.fail(format!(
            "{what}: row {i} cell {j}: cairn {cx}, pyarrow {cy}"
        ));
    }
}

#[test]
fn parquet_tables_preview_and_compare_as_pyarrow_reads_them() {
    let repo = TestRepo::new();
    init(Tool::Dvc, &repo);
    let v1: serde_json::Map<String, Value> =
        serde_json::from_str(&venv_tool("data/parquet_tool.py", "write", repo.path())).unwrap();
    assert_eq!(v1.len(), 6, "one table per codec");
    let files: Vec<&String> = v1.keys().collect();
    track(&repo, &files);
    let first = commit(&repo, "tables v1");

    let (_data, api) = cairn_e2e::app();
    let root = repo.path().canonicalize().unwrap().display().to_string();
    let mut c = Checks::new("parquet previews");
    for (file, theirs) in &v1 {
        let p = preview(&api, &root, &format!("{file}.dvc"), None);
        c.check(p["kind"] == "table", || {
            format!("{file}: shown as {}", p["kind"])
        });
        c.check(p["fromCache"] == true, || {
            format!("{file}: not read from dvc's cache")
        });
        c.check(p["columns"] == theirs["columns"], || {
            format!(
                "{file}: columns {} / pyarrow {}",
                p["columns"], theirs["columns"]
            )
        });
        c.check(p["totalRows"] == theirs["total"], || {
            format!(
                "{file}: {} rows / pyarrow {}",
                p["totalRows"], theirs["total"]
            )
        });
        c.check(p["truncated"] == true, || {
            format!("{file}: 1234 rows not marked as cut")
        });
        same_rows(&mut c, file, &p["rows"], &theirs["rows"]);
        let types = &p["columnTypes"];
        for (col, want) in [
            (0, "int64"),
            (1, "int8"),
            (6, "uint64"),
            (9, "halffloat"),
            (11, "string"),
            (12, "string"),
            (16, "timestamp[us, UTC]"),
            (17, "timestamp[ns]"),
            (20, "decimal(12, 2)"),
            (22, "list"),
            (23, "struct"),
            (24, "map"),
            (25, "timestamp[us, Europe/Paris]"),
            (26, "timestamp[ms, -03:30]"),
        ] {
            c.check(types[col] == want, || {
                format!("{file}: column {col} typed {}, want {want}", types[col])
            });
        }
    }
    // Known cells, so the comparison cannot pass on two empty tables.
    let snappy = &v1["tables/snappy.parquet"]["rows"];
    c.check(snappy[0][0] == "0" && snappy[199][0] == "199", || {
        format!("the ids run 0..199: {} .. {}", snappy[0][0], snappy[199][0])
    });
    c.check(
        snappy.as_array().unwrap().iter().any(|r| r[7] == "inf")
            && snappy.as_array().unwrap().iter().any(|r| r[1].is_null()),
        || "the rows hold infinities and nulls".into(),
    );

    let v2: serde_json::Map<String, Value> =
        serde_json::from_str(&venv_tool("data/parquet_tool.py", "edit", repo.path())).unwrap();
    track(&repo, &files);
    commit(&repo, "tables v2");
    for (file, theirs) in &v2 {
        let p = preview(&api, &root, &format!("{file}.dvc"), Some(&first));
        let ch = &p["changes"];
        c.check(
            ch["added"] == theirs["added"] && ch["removed"] == theirs["removed"],
            || {
                format!(
                    "{file}: +{} −{} rows, pyarrow +{} −{}",
                    ch["added"], ch["removed"], theirs["added"], theirs["removed"]
                )
            },
        );
        same_rows(
            &mut c,
            &format!("{file} added"),
            &ch["addedRows"],
            &theirs["addedRows"],
        );
        same_rows(
            &mut c,
            &format!("{file} removed"),
            &ch["removedRows"],
            &theirs["removedRows"],
        );
    }
    c.check(v2["tables/zstd.parquet"]["added"] == json!(41), || {
        format!(
            "41 rows added (40 new, one duplicated): {}",
            v2["tables/zstd.parquet"]["added"]
        )
    });
    c.finish();
}

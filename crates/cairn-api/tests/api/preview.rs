//! Previewing tracked data at any version, from the cache, and comparing two versions.

use std::path::Path;

use crate::common::{api_with_demo, call};
use cairn_api::{ErrorCode, dispatch};
use serde_json::json;

fn head(demo: &str) -> String {
    cairn_git::Git::discover(Path::new(demo))
        .unwrap()
        .head_commit()
        .unwrap()
}

#[test]
fn a_table_is_previewed_from_the_cache_and_compared_with_an_older_version() {
    let (_d, api, demo) = api_with_demo();
    let csv = Path::new(&demo).join("data/flowers.csv");
    let original = std::fs::read_to_string(&csv).unwrap();
    let lines = original.lines().count() as u64;
    let first = head(&demo);

    let p = call(
        &api,
        "preview_data",
        json!({"project": demo, "pointer": "data/flowers.csv.dvc"}),
    );
    assert_eq!(p["kind"], "table");
    assert_eq!(p["path"], "data/flowers.csv");
    assert_eq!(p["fromCache"], true);
    let header: Vec<String> = original
        .lines()
        .next()
        .unwrap()
        .split(',')
        .map(String::from)
        .collect();
    assert_eq!(p["columns"], json!(header));
    assert_eq!(p["totalRows"], lines - 1);
    assert_eq!(
        p["rows"].as_array().unwrap().len(),
        200,
        "the first 200 rows"
    );
    assert_eq!(p["truncated"], true);
    let second_line: Vec<&str> = original.lines().nth(1).unwrap().split(',').collect();
    assert_eq!(p["rows"][0], json!(second_line));

    // A new version with two more rows and one fewer, saved; then the work tree edited
    // again without tracking: the preview shows the recorded version, not the edit.
    let mut kept: Vec<&str> = original.lines().collect();
    let dropped = kept.remove(5).to_string();
    let text = format!(
        "{}\n7.0,3.2,4.7,1.4,versicolor\n4.9,3.0,1.4,0.2,setosa\n",
        kept.join("\n")
    );
    std::fs::write(&csv, &text).unwrap();
    call(
        &api,
        "data_add",
        json!({"project": demo, "paths": ["data/flowers.csv"]}),
    );
    call(
        &api,
        "save_version",
        json!({"project": demo, "message": "two more flowers", "paths": []}),
    );
    std::fs::write(&csv, "sepal_length\n1\n").unwrap();
    let p = call(
        &api,
        "preview_data",
        json!({"project": demo, "pointer": "data/flowers.csv.dvc", "compareTo": first}),
    );
    assert_eq!(p["totalRows"], lines - 1 + 1, "two added, one removed");
    let c = &p["changes"];
    assert_eq!(
        (c["added"].as_u64(), c["removed"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(
        c["addedRows"],
        json!([
            ["7.0", "3.2", "4.7", "1.4", "versicolor"],
            ["4.9", "3.0", "1.4", "0.2", "setosa"]
        ])
    );
    assert_eq!(
        c["removedRows"],
        json!([dropped.split(',').collect::<Vec<_>>()])
    );
    assert_eq!(c["against"], first[..7]);

    // The old version, by commit.
    let old = call(
        &api,
        "preview_data",
        json!({"project": demo, "pointer": "data/flowers.csv.dvc", "commit": first}),
    );
    assert_eq!(old["totalRows"], lines - 1);

    // Its cache object gone: named, with what to do.
    let md5 = old["md5"].as_str().unwrap();
    let object = Path::new(&demo)
        .join(".dvc/cache/files/md5")
        .join(&md5[..2])
        .join(&md5[2..]);
    std::fs::remove_file(&object).unwrap();
    let err = dispatch(
        &api,
        "preview_data",
        json!({"project": demo, "pointer": "data/flowers.csv.dvc", "commit": first}),
    )
    .unwrap_err();
    assert_eq!(err.code, ErrorCode::Data);
    assert!(err.message.contains("not in the local cache"), "{err:?}");
}

#[test]
fn a_folder_lists_its_files_previews_each_kind_and_compares_versions() {
    let (_d, api, demo) = api_with_demo();
    let dir = Path::new(&demo).join("assets");
    std::fs::create_dir_all(dir.join("nested")).unwrap();
    std::fs::write(dir.join("notes.txt"), "héllo\nworld\n").unwrap();
    std::fs::write(dir.join("logo.png"), b"\x89PNG\r\n\x1a\nfake").unwrap();
    std::fs::write(dir.join("blob.bin"), b"\x00\x01\x02\xff").unwrap();
    std::fs::write(dir.join("nested/b.txt"), "b\n").unwrap();
    call(
        &api,
        "data_add",
        json!({"project": demo, "paths": ["assets"]}),
    );
    call(
        &api,
        "save_version",
        json!({"project": demo, "message": "assets", "paths": []}),
    );
    let first = head(&demo);
    let p = call(
        &api,
        "preview_data",
        json!({"project": demo, "pointer": "assets.dvc"}),
    );
    assert_eq!(p["kind"], "dir");
    assert_eq!(p["totalEntries"], 4);
    let rels: Vec<&str> = p["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["relpath"].as_str().unwrap())
        .collect();
    assert_eq!(rels, ["blob.bin", "logo.png", "nested/b.txt", "notes.txt"]);

    let inner = |name: &str| {
        call(
            &api,
            "preview_data",
            json!({"project": demo, "pointer": "assets.dvc", "inner": name}),
        )
    };
    let t = inner("notes.txt");
    assert_eq!(
        (t["kind"].as_str(), t["text"].as_str()),
        (Some("text"), Some("héllo\nworld\n"))
    );
    assert_eq!(t["path"], "assets/notes.txt");
    let i = inner("logo.png");
    assert_eq!(i["kind"], "image");
    assert!(
        i["image"]
            .as_str()
            .unwrap()
            .starts_with("data:image/png;base64,iVBORw0KGg"),
        "{i}"
    );
    assert_eq!(inner("blob.bin")["kind"], "binary");
    assert_eq!(inner("nested/b.txt")["text"], "b\n");
    for (bad, code) in [
        ("../dvc.yaml", ErrorCode::InvalidArguments),
        ("missing.txt", ErrorCode::NotFound),
    ] {
        let err = dispatch(
            &api,
            "preview_data",
            json!({"project": demo, "pointer": "assets.dvc", "inner": bad}),
        )
        .unwrap_err();
        assert_eq!(err.code, code, "{bad}: {err:?}");
    }

    std::fs::remove_file(dir.join("blob.bin")).unwrap();
    std::fs::write(dir.join("notes.txt"), "changed\n").unwrap();
    std::fs::write(dir.join("new.txt"), "new\n").unwrap();
    call(
        &api,
        "data_add",
        json!({"project": demo, "paths": ["assets"]}),
    );
    let p = call(
        &api,
        "preview_data",
        json!({"project": demo, "pointer": "assets.dvc", "compareTo": first}),
    );
    let c = &p["changes"];
    assert_eq!(c["addedFiles"], json!(["new.txt"]));
    assert_eq!(c["removedFiles"], json!(["blob.bin"]));
    assert_eq!(c["modifiedFiles"], json!(["notes.txt"]));
    assert_eq!(
        (c["added"].as_u64(), c["removed"].as_u64()),
        (Some(1), Some(1))
    );
}

#[test]
fn a_parquet_table_shows_its_types_nulls_and_row_count_and_a_damaged_one_is_named() {
    let (_d, api, demo) = api_with_demo();
    // pyarrow 26, zstd: the demo's flowers with every 37th measurement missing, the
    // species dictionary-encoded and a UTC timestamp per flower.
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/flowers.parquet");
    let table = Path::new(&demo).join("data/flowers.parquet");
    std::fs::copy(&fixture, &table).unwrap();
    call(
        &api,
        "data_add",
        json!({"project": demo, "paths": ["data/flowers.parquet"]}),
    );
    let p = call(
        &api,
        "preview_data",
        json!({"project": demo, "pointer": "data/flowers.parquet.dvc"}),
    );
    assert_eq!(p["kind"], "table");
    assert_eq!(
        p["columns"],
        json!([
            "sepal_length",
            "sepal_width",
            "petal_length",
            "petal_width",
            "species",
            "measured_at"
        ])
    );
    assert_eq!(
        p["columnTypes"],
        json!([
            "double",
            "double",
            "double",
            "double",
            "string",
            "timestamp[us, UTC]"
        ])
    );
    assert_eq!(p["totalRows"], 300);
    assert_eq!(p["truncated"], true);
    assert_eq!(p["rows"].as_array().unwrap().len(), 200);
    assert_eq!(
        p["rows"][0],
        json!([
            "5.67",
            "3.43",
            "1.48",
            "0.1",
            "setosa",
            "2026-03-01 09:00:00+00:00"
        ])
    );
    assert_eq!(
        p["rows"][5],
        json!([
            null,
            null,
            null,
            null,
            "virginica",
            "2026-03-01 09:35:00+00:00"
        ]),
        "row 5's measurements are missing"
    );

    // Cut short: the file is named with what went wrong, nothing else is.
    let bytes = std::fs::read(&fixture).unwrap();
    std::fs::remove_file(&table).unwrap();
    std::fs::write(&table, &bytes[..bytes.len() / 2]).unwrap();
    let err = dispatch(
        &api,
        "preview_data",
        json!({"project": demo, "pointer": "data/flowers.parquet.dvc"}),
    );
    // The recorded version is still whole in the cache.
    assert!(err.is_ok(), "{err:?}");
    call(
        &api,
        "data_add",
        json!({"project": demo, "paths": ["data/flowers.parquet"]}),
    );
    let err = dispatch(
        &api,
        "preview_data",
        json!({"project": demo, "pointer": "data/flowers.parquet.dvc"}),
    )
    .unwrap_err();
    assert_eq!(err.code, ErrorCode::Data);
    assert!(
        err.message
            .starts_with("data/flowers.parquet: not a readable Parquet file"),
        "{err:?}"
    );
}

#[test]
fn a_json_lines_file_is_a_table_and_a_bad_line_is_named() {
    let (_d, api, demo) = api_with_demo();
    let file = Path::new(&demo).join("data/chat.jsonl");
    let v1 = concat!(
        "{\"prompt\": \"Hi\", \"answer\": \"Hello!\", \"score\": 0.9}\n",
        "\n",
        "{\"prompt\": \"2+2?\", \"answer\": null, \"tags\": [\"math\"], \"score\": 1}\n",
        "{\"answer\": \"ok\", \"meta\": {\"lang\": \"en\"}, \"prompt\": \"Say ok\"}\n",
    );
    std::fs::write(&file, v1).unwrap();
    call(
        &api,
        "data_add",
        json!({"project": demo, "paths": ["data/chat.jsonl"]}),
    );
    call(
        &api,
        "save_version",
        json!({"project": demo, "message": "chat v1", "paths": []}),
    );
    let first = head(&demo);
    let p = call(
        &api,
        "preview_data",
        json!({"project": demo, "pointer": "data/chat.jsonl.dvc"}),
    );
    assert_eq!(p["kind"], "table");
    assert_eq!(
        p["columns"],
        json!(["prompt", "answer", "score", "tags", "meta"])
    );
    assert_eq!(p["totalRows"], 3, "the blank line is not a row");
    assert_eq!(
        p["rows"],
        json!([
            ["Hi", "Hello!", "0.9", null, null],
            ["2+2?", null, "1", "[\"math\"]", null],
            ["Say ok", "ok", null, null, "{\"lang\":\"en\"}"]
        ])
    );

    // A second version: one line gone, one new; compared with the first.
    std::fs::write(
        &file,
        concat!(
            "{\"prompt\": \"Hi\", \"answer\": \"Hello!\", \"score\": 0.9}\n",
            "{\"prompt\": \"2+2?\", \"answer\": null, \"tags\": [\"math\"], \"score\": 1}\n",
            "{\"prompt\": \"3+3?\", \"answer\": \"6\", \"score\": 1}\n",
        ),
    )
    .unwrap();
    call(
        &api,
        "data_add",
        json!({"project": demo, "paths": ["data/chat.jsonl"]}),
    );
    let p = call(
        &api,
        "preview_data",
        json!({"project": demo, "pointer": "data/chat.jsonl.dvc", "compareTo": first}),
    );
    let c = &p["changes"];
    assert_eq!(
        (c["added"].as_u64(), c["removed"].as_u64()),
        (Some(1), Some(1))
    );
    // v2 has no `meta`: rows are compared by column name, in both versions' columns.
    assert_eq!(
        p["columns"],
        json!(["prompt", "answer", "score", "tags", "meta"])
    );
    assert_eq!(c["addedRows"], json!([["3+3?", "6", "1", null, null]]));
    assert_eq!(
        c["removedRows"],
        json!([["Say ok", "ok", null, null, "{\"lang\":\"en\"}"]])
    );

    // A line that is not an object, then one that is not JSON: each named with its line.
    for (text, line, says) in [
        (
            "{\"a\": 1}\n[1, 2]\n",
            2,
            "must be an object, this one is a list",
        ),
        ("{\"a\": 1}\n{\"a\": 2}\n{\"a\": \n", 3, "not valid JSON"),
    ] {
        std::fs::remove_file(&file).unwrap();
        std::fs::write(&file, text).unwrap();
        call(
            &api,
            "data_add",
            json!({"project": demo, "paths": ["data/chat.jsonl"]}),
        );
        let err = dispatch(
            &api,
            "preview_data",
            json!({"project": demo, "pointer": "data/chat.jsonl.dvc"}),
        )
        .unwrap_err();
        assert_eq!(err.code, ErrorCode::Data);
        assert_eq!(err.line, Some(line), "{err:?}");
        assert!(
            err.message
                .starts_with(&format!("data/chat.jsonl:{line}: "))
                && err.message.contains(says),
            "{err:?}"
        );
    }
}

/// Makes `text` the cached object of `rel` (through tracking, whose pointer is then
/// dropped) and returns its md5.
fn cached(api: &cairn_api::Api, demo: &str, rel: &str, text: &str) -> String {
    std::fs::write(Path::new(demo).join(rel), text).unwrap();
    call(api, "data_add", json!({"project": demo, "paths": [rel]}));
    let pointer = Path::new(demo).join(format!("{rel}.dvc"));
    let md5 = std::fs::read_to_string(&pointer)
        .unwrap()
        .lines()
        .find_map(|l| {
            l.trim()
                .trim_start_matches("- ")
                .strip_prefix("md5: ")
                .map(str::to_string)
        })
        .unwrap();
    std::fs::remove_file(pointer).unwrap();
    md5
}

fn lock(demo: &str, entries: &[(&str, &str, &str)]) {
    let mut text = String::from("schema: '2.0'\nstages:\n");
    for (stage, path, md5) in entries {
        text.push_str(&format!(
            "  {stage}:\n    cmd: make {path}\n    outs:\n    - path: {path}\n      hash: md5\n      md5: {md5}\n      size: 1\n"
        ));
    }
    std::fs::write(Path::new(demo).join("dvc.lock"), text).unwrap();
}

#[test]
fn a_stage_output_is_previewed_by_path_with_its_versions_from_dvc_lock() {
    let (_d, api, demo) = api_with_demo();
    let v1 = cached(&api, &demo, "report.csv", "name,score\nada,3\nbob,5\n");
    let other = cached(&api, &demo, "other.txt", "x\n");
    lock(&demo, &[("report", "report.csv", &v1)]);
    call(
        &api,
        "save_version",
        json!({"project": demo, "message": "report v1", "paths": []}),
    );
    let v2 = cached(&api, &demo, "report.csv", "name,score\nada,3\ncy,7\n");
    lock(&demo, &[("report", "report.csv", &v2)]);
    call(
        &api,
        "save_version",
        json!({"project": demo, "message": "report v2", "paths": []}),
    );
    // Another stage's change rewrites dvc.lock without touching the report.
    lock(
        &demo,
        &[
            ("report", "report.csv", &v2),
            ("other", "other.txt", &other),
        ],
    );
    call(
        &api,
        "save_version",
        json!({"project": demo, "message": "other", "paths": []}),
    );
    std::fs::remove_file(Path::new(&demo).join("report.csv")).unwrap();

    let p = call(
        &api,
        "preview_data",
        json!({"project": demo, "pointer": "", "output": "report.csv"}),
    );
    assert_eq!(p["kind"], "table");
    assert_eq!(p["fromCache"], true);
    assert_eq!(p["rows"], json!([["ada", "3"], ["cy", "7"]]));
    let versions = call(
        &api,
        "data_history",
        json!({"project": demo, "pointer": "", "output": "report.csv"}),
    );
    let md5s: Vec<&str> = versions
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["md5"].as_str().unwrap())
        .collect();
    assert_eq!(
        md5s,
        [&v2[..8], &v1[..8]],
        "one version per change of the output"
    );
    let first = versions[1]["commit"]["id"].as_str().unwrap();
    let diff = call(
        &api,
        "preview_data",
        json!({"project": demo, "pointer": "", "output": "report.csv", "compareTo": first}),
    );
    assert_eq!(diff["changes"]["addedRows"], json!([["cy", "7"]]));
    assert_eq!(diff["changes"]["removedRows"], json!([["bob", "5"]]));
    let err = dispatch(
        &api,
        "preview_data",
        json!({"project": demo, "pointer": "", "output": "nowhere.csv"}),
    )
    .unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound, "{err:?}");
}

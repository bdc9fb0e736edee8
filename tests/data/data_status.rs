//! `data status`: both tools on the same repo, step by step through a project's life
//! (empty git repo, added, committed, edited, renamed, a pipeline, objects missing from
//! the cache, a remote), each step with the flag combinations people use. dvc lists
//! paths in no fixed order (sets and hash maps), so lists are compared sorted: JSON
//! lists recursively, text per section.

use serde_json::Value;

use crate::support::*;

fn commit(repo: &TestRepo, msg: &str) {
    repo.git_ok(["add", "-A"]);
    repo.git_ok(["commit", "-q", "-m", msg]);
}

fn sorted(v: Value) -> Value {
    match v {
        Value::Array(items) => {
            let mut items: Vec<Value> = items.into_iter().map(sorted).collect();
            items.sort_by_key(|v| v.to_string());
            Value::Array(items)
        }
        Value::Object(m) => Value::Object(m.into_iter().map(|(k, v)| (k, sorted(v))).collect()),
        v => v,
    }
}

/// Sections (split at blank lines), each as its first line (the heading) and its
/// other lines sorted: dvc's order of entries within a section varies run to run.
fn sections(text: &str) -> Vec<(String, Vec<String>)> {
    text.split("\n\n")
        .map(|s| {
            let mut lines = s.lines().map(str::to_string);
            let head = lines.next().unwrap_or_default();
            let mut rest: Vec<String> = lines.collect();
            rest.sort();
            (head, rest)
        })
        .collect()
}

/// `data status` with `flags` (plus `--json`, then as text) gives the same answer from
/// both tools; returns dvc's JSON.
fn same(c: &mut Checks, r: &TestRepo, step: &str, flags: &[&str]) -> Value {
    same_text(c, r, step, flags);
    same_json(c, r, step, flags)
}

fn same_text(c: &mut Checks, r: &TestRepo, step: &str, flags: &[&str]) {
    let mut argv = vec!["data", "status"];
    argv.extend_from_slice(flags);
    let (d, k) = (Tool::Dvc.run(r, &argv), Tool::Cairn.run(r, &argv));
    c.check(d.success() && k.success(), || {
        format!("{step}: `{}` failed\n{d}\n{k}", argv.join(" "))
    });
    c.check(sections(&d.stdout()) == sections(&k.stdout()), || {
        format!(
            "{step}: `{}` text differs\n--- dvc\n{}--- cairn\n{}",
            argv.join(" "),
            d.stdout(),
            k.stdout()
        )
    });
}

fn same_json(c: &mut Checks, r: &TestRepo, step: &str, flags: &[&str]) -> Value {
    let mut argv = vec!["data", "status"];
    argv.extend_from_slice(flags);
    argv.push("--json");
    let (d, k) = (Tool::Dvc.run(r, &argv), Tool::Cairn.run(r, &argv));
    match (d.json(), k.json()) {
        (Ok(a), Ok(b)) => {
            let (a, b) = (sorted(a), sorted(b));
            c.check(a == b, || {
                format!(
                    "{step}: `{}` differs\n  dvc:   {a}\n  cairn: {b}",
                    argv.join(" ")
                )
            });
            a
        }
        (a, b) => {
            c.fail(format!("{step}: `{}`: {a:?} / {b:?}", argv.join(" ")));
            Value::Null
        }
    }
}

/// The hash a pointer file records for its output.
fn recorded_md5(r: &TestRepo, pointer: &str) -> String {
    let text = String::from_utf8(r.read(pointer)).unwrap();
    let line = text.lines().find_map(|l| l.trim().strip_prefix("- md5: "));
    line.expect("the pointer records an md5").to_string()
}

const FLAGS: &[&[&str]] = &[
    &[],
    &["--granular"],
    &["--unchanged", "--granular"],
    &["--untracked-files"],
];

/// Every flag set's JSON, and the text of the plainest and the fullest (one renderer
/// prints them all; dvc's start-up makes each run cost a second).
fn same_all(c: &mut Checks, r: &TestRepo, step: &str) -> Value {
    let plain = same(c, r, step, &[]);
    same(
        c,
        r,
        step,
        &["--unchanged", "--granular", "--untracked-files"],
    );
    for flags in &FLAGS[1..] {
        same_json(c, r, step, flags);
    }
    plain
}

#[test]
fn data_status_agrees_with_dvc_as_data_is_added_edited_and_moved() {
    let r = TestRepo::new();
    let mut c = Checks::new("data status (data edits)");
    init(Tool::Dvc, &r);
    // An empty git repo: dvc init's staged files count as other changes.
    same_all(&mut c, &r, "empty repo");
    r.write("data/a.txt", "a\n");
    r.write("data/b.txt", "b\n");
    r.write("data/sub/c.txt", "c\n");
    r.write("model.bin", [1u8, 2, 3]);
    r.write("notes.txt", "not tracked\n");
    add(Tool::Cairn, &r, &["data", "model.bin"]);
    let v = same_all(&mut c, &r, "added, nothing committed");
    c.check(
        v["committed"]["added"]
            .as_array()
            .is_some_and(|a| a.len() == 2),
        || format!("added outputs should be committed changes: {v}"),
    );
    commit(&r, "v1");
    same_all(&mut c, &r, "committed");

    // Edit the data: a file, a file inside the folder, one added, one deleted.
    r.write("model.bin", [4u8, 5]);
    r.write("data/sub/c.txt", "C\n");
    r.write("data/new.txt", "new\n");
    r.remove("data/b.txt");
    let v = same_all(&mut c, &r, "edited");
    c.check(
        v["uncommitted"]["modified"]
            .as_array()
            .is_some_and(|a| a.len() == 2),
        || format!("both outputs should be modified: {v}"),
    );
    for t in [
        &["data"][..],
        &["data/sub", "--granular"],
        &["model.bin"],
        &["data/a.txt"],
    ] {
        same(&mut c, &r, "edited, with targets", t);
    }

    // Recorded again but not committed to git; then the model moved.
    add(Tool::Cairn, &r, &["data", "model.bin"]);
    same_all(&mut c, &r, "re-added");
    commit(&r, "v2");
    r.dvc_ok(["move", "model.bin", "model2.bin"]);
    let v = same_all(&mut c, &r, "moved");
    c.check(v["committed"]["renamed"].is_array(), || {
        format!("a rename: {v}")
    });
    c.finish();
}

#[test]
fn data_status_agrees_with_dvc_on_pipelines_and_missing_objects() {
    let r = TestRepo::new();
    let mut c = Checks::new("data status (pipelines, missing objects)");
    init(Tool::Dvc, &r);
    r.write("data/a.txt", "a\n");
    r.write("data/sub/c.txt", "c\n");
    r.write("model2.bin", [4u8, 5]);
    add(Tool::Cairn, &r, &["data", "model2.bin"]);
    commit(&r, "v1");

    // A pipeline: a cached file and folder, an uncached file, a stage never run.
    r.dvc_ok([
        "stage", "add", "-q", "-n", "gen", "-o", "out.txt", "-O", "plain.txt", "-o", "outdir",
        "echo hi > out.txt; echo p > plain.txt; mkdir -p outdir; echo 1 > outdir/x; echo 2 > outdir/y",
    ]);
    r.dvc_ok([
        "stage",
        "add",
        "-q",
        "-n",
        "never",
        "-o",
        "never.txt",
        "echo n > never.txt",
    ]);
    same_all(&mut c, &r, "stages declared");
    r.dvc_ok(["repro", "-q", "gen"]);
    same_all(&mut c, &r, "gen run");
    commit(&r, "v4");
    r.write("out.txt", "changed\n");
    r.write("never.txt", "made by hand\n");
    r.remove("outdir/x");
    let v = same_all(&mut c, &r, "pipeline outputs edited");
    c.check(
        v["uncommitted"]["added"] == serde_json::json!(["never.txt"]),
        || format!("an output never recorded but present is added: {v}"),
    );
    r.write("out.txt", "hi\n");
    r.remove("never.txt");
    r.dvc_ok(["checkout", "-q", "outdir"]);

    // Objects missing from the cache: a file's, then a folder's listing. First a folder
    // neither tool has looked into: its files (and subfolders) are unknown.
    let md5 = recorded_md5(&r, "model2.bin.dvc");
    r.remove(format!(".dvc/cache/files/md5/{}/{}", &md5[..2], &md5[2..]));
    r.write("more/m.txt", "m\n");
    r.write("more/deep/n.txt", "n\n");
    add(Tool::Dvc, &r, &["more"]);
    let dir = recorded_md5(&r, "more.dvc");
    r.remove(format!(".dvc/cache/files/md5/{}/{}", &dir[..2], &dir[2..]));
    let v = same(
        &mut c,
        &r,
        "an unseen folder's listing missing",
        &["--granular"],
    );
    c.check(
        v["not_in_cache"] == serde_json::json!(["model2.bin", "more/"]),
        || format!("model2.bin and more/ are not in the cache: {v}"),
    );
    c.check(
        v["uncommitted"]["unknown"]
            == serde_json::json!(["more/deep/", "more/deep/n.txt", "more/m.txt"]),
        || format!("files of a folder with no listing are unknown: {v}"),
    );
    same_all(&mut c, &r, "an unseen folder's listing missing");
    // A listing both tools have seen: dvc's index and Cairn's memo remember it.
    let dir = recorded_md5(&r, "data.dvc");
    r.remove(format!(".dvc/cache/files/md5/{}/{}", &dir[..2], &dir[2..]));
    same_all(&mut c, &r, "a seen folder's listing missing");
    c.finish();
}

#[test]
fn not_in_remote_agrees_with_dvc() {
    let r = TestRepo::new();
    let mut c = Checks::new("data status --not-in-remote");
    init(Tool::Dvc, &r);
    r.write("data/a.txt", "a\n");
    r.write("data/b.txt", "b\n");
    r.write("model.bin", [1u8, 2, 3]);
    r.write("keep.bin", "local only\n");
    add(Tool::Dvc, &r, &["data", "model.bin", "keep.bin"]);
    // `push: false` keeps an output out of the remote, and out of this list.
    let keep = String::from_utf8(r.read("keep.bin.dvc")).unwrap();
    r.write(
        "keep.bin.dvc",
        keep.replace("  path: keep.bin", "  path: keep.bin\n  push: false"),
    );
    commit(&r, "v1");
    let flags: &[&[&str]] = &[
        &["--not-in-remote"],
        &["--not-in-remote", "--granular"],
        &["--not-in-remote", "--granular", "data/a.txt"],
    ];
    // No remote at all: everything is missing from it.
    for f in flags {
        same(&mut c, &r, "no remote", f);
    }
    let store = tempfile::tempdir().unwrap();
    r.dvc_ok([
        "remote",
        "add",
        "-d",
        "store",
        store.path().to_str().unwrap(),
    ]);
    for f in flags {
        same(&mut c, &r, "empty remote", f);
    }
    r.dvc_ok(["push", "-q", "data.dvc"]);
    for f in flags {
        same(&mut c, &r, "folder pushed", f);
    }
    // One file of the folder gone from the remote, then the folder's listing.
    let on_remote = |md5: &str| {
        store
            .path()
            .join("files/md5")
            .join(&md5[..2])
            .join(&md5[2..])
    };
    // md5 of "a\n"
    std::fs::remove_file(on_remote("60b725f10c9c85c70d97880dfe8191b3")).unwrap();
    let v = same(
        &mut c,
        &r,
        "a file gone from the remote",
        &["--not-in-remote", "--granular"],
    );
    c.check(
        v["not_in_remote"] == serde_json::json!(["data/a.txt", "model.bin"]),
        || format!("data/a.txt and model.bin are not on the remote: {v}"),
    );
    same(
        &mut c,
        &r,
        "a file gone from the remote",
        &["--not-in-remote"],
    );
    std::fs::remove_file(on_remote(&recorded_md5(&r, "data.dvc"))).unwrap();
    for f in flags {
        same(&mut c, &r, "listing gone from the remote", f);
    }
    // A remote named but not configured is an error naming it.
    let k = Tool::Cairn.run(&r, ["data", "status", "--not-in-remote", "-r", "nosuch"]);
    c.check(!k.success() && k.stderr().contains("nosuch"), || {
        format!("an unknown remote is named: {k}")
    });
    c.finish();
}

/// A pipeline file that does not load stops `data status` in both tools; Cairn names
/// the file and the line.
#[test]
fn a_malformed_pipeline_file_is_named() {
    let r = TestRepo::new();
    init(Tool::Dvc, &r);
    r.write("dvc.yaml", "stages:\n  a:\n    cmd: x\n    outs: [\n");
    let (d, k) = (
        Tool::Dvc.run(&r, ["data", "status"]),
        Tool::Cairn.run(&r, ["data", "status"]),
    );
    assert!(!d.success(), "dvc fails too: {d}");
    assert!(!k.success() && k.stderr().contains("dvc.yaml:5:"), "{k}");
}

//! `cairn show`: tracked data at any revision, printed or as JSON, on a repository whose
//! pointers the real `dvc add` wrote.

use serde_json::json;

use crate::support::*;

const V1: &str = "name,score\nada,3\nbob,5\ncy,7\n";
const V2: &str = "name,score\nada,3\ncy,7\ndee,9\ndee,9\n";

fn repo_with_two_versions() -> TestRepo {
    let r = TestRepo::new();
    init(Tool::Dvc, &r);
    r.write("data/scores.csv", V1);
    r.write("data/set/a.txt", "a\n");
    r.write("data/set/b.txt", "b\n");
    r.dvc_ok(["add", "data/scores.csv", "data/set"]);
    r.git_ok(["add", "-A"]);
    r.git_ok(["commit", "-q", "-m", "v1"]);
    r.write("data/scores.csv", V2);
    r.remove("data/set/a.txt");
    r.write("data/set/c.txt", "c\n");
    r.dvc_ok(["add", "data/scores.csv", "data/set"]);
    r.git_ok(["add", "-A"]);
    r.git_ok(["commit", "-q", "-m", "v2"]);
    r
}

#[test]
fn show_prints_tables_folders_and_row_changes_between_revisions() {
    let r = repo_with_two_versions();
    let mut c = Checks::new("cairn show");

    let now = Tool::Cairn.run(&r, ["show", "data/scores.csv"]);
    c.check(now.success(), || format!("show failed: {}", now.stderr()));
    let text = now.stdout();
    let lines: Vec<&str> = text.lines().collect();
    c.check(
        lines.first().is_some_and(|l| {
            l.starts_with("data/scores.csv — ")
                && l.contains("4 rows")
                && l.ends_with("from the cache")
        }),
        || format!("heading: {text}"),
    );
    c.check(
        lines.get(1) == Some(&"name  score") && lines.get(5) == Some(&"dee   9"),
        || format!("the table, padded: {text}"),
    );

    let old = Tool::Cairn.run(&r, ["show", "data/scores.csv", "--rev", "HEAD~1", "--json"]);
    match old.json() {
        Ok(v) => {
            c.check(
                v["totalRows"] == 3 && v["rows"][1] == json!(["bob", "5"]),
                || format!("v1 as JSON: {v}"),
            );
        }
        Err(e) => c.fail(e),
    }

    let diff = Tool::Cairn.run(&r, ["show", "data/scores.csv", "--against", "HEAD~1"]);
    let text = diff.stdout();
    c.check(
        text.contains("+2 rows, -1 rows compared with HEAD~1")
            && text.contains("+  dee   9")
            && text.contains("-  bob   5"),
        || format!("rows added and removed: {text}"),
    );

    let dir = Tool::Cairn.run(&r, ["show", "data/set", "--against", "HEAD~1", "--json"]);
    match dir.json() {
        Ok(v) => c.check(
            v["kind"] == "dir"
                && v["changes"]["addedFiles"] == json!(["c.txt"])
                && v["changes"]["removedFiles"] == json!(["a.txt"]),
            || format!("the folder's files: {v}"),
        ),
        Err(e) => c.fail(e),
    }
    let inner = Tool::Cairn.run(&r, ["show", "data/set/b.txt"]);
    c.check(inner.stdout().ends_with("b\n"), || {
        format!("a file inside the folder: {}", inner.stdout())
    });

    let untracked = Tool::Cairn.run(&r, ["show", "params.yaml"]);
    c.check(
        !untracked.success()
            && untracked
                .stderr()
                .contains("params.yaml is neither tracked by a .dvc file nor a stage output"),
        || format!("an untracked path is named: {}", untracked.stderr()),
    );
    let escaping = Tool::Cairn.run(&r, ["show", "../outside.csv"]);
    c.check(!escaping.success(), || {
        "a path outside the repository is refused".into()
    });
    c.finish();
}

#[test]
fn show_reads_a_stage_output_recorded_in_dvc_lock_at_any_revision() {
    let r = TestRepo::new();
    init(Tool::Dvc, &r);
    r.write(
        "dvc.yaml",
        "stages:\n  summarize:\n    cmd: cp scores.csv summary.csv\n    deps: [scores.csv]\n    outs: [summary.csv]\n",
    );
    r.write("scores.csv", V1);
    r.dvc_ok(["repro", "-q"]);
    r.git_ok(["add", "-A"]);
    r.git_ok(["commit", "-q", "-m", "v1"]);
    r.write("scores.csv", V2);
    r.dvc_ok(["repro", "-q"]);
    r.git_ok(["add", "-A"]);
    r.git_ok(["commit", "-q", "-m", "v2"]);
    // The work tree's copy goes: the preview reads the cache by dvc.lock's hash.
    r.remove("summary.csv");
    let mut c = Checks::new("cairn show on a stage output");

    let now = Tool::Cairn.run(&r, ["show", "summary.csv", "--json"]);
    match now.json() {
        Ok(v) => c.check(v["totalRows"] == 4 && v["fromCache"] == true, || {
            format!("v2 from the cache: {v}")
        }),
        Err(e) => c.fail(e),
    }
    let old = Tool::Cairn.run(&r, ["show", "summary.csv", "--rev", "HEAD~1", "--json"]);
    match old.json() {
        Ok(v) => c.check(
            v["totalRows"] == 3 && v["rows"][1] == json!(["bob", "5"]),
            || format!("v1: {v}"),
        ),
        Err(e) => c.fail(e),
    }
    let diff = Tool::Cairn.run(&r, ["show", "summary.csv", "--against", "HEAD~1"]);
    c.check(
        diff.stdout()
            .contains("+2 rows, -1 rows compared with HEAD~1"),
        || {
            format!(
                "row changes of a stage output: {} {}",
                diff.stdout(),
                diff.stderr()
            )
        },
    );
    c.finish();
}

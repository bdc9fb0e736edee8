//! `cairn move` against `dvc move`: the same data, `.dvc` files and `.gitignore`s after
//! the same moves, each tool calling the other's result clean.

use crate::support::*;

/// Two identical repositories with tracked data, committed.
fn pair() -> (TestRepo, TestRepo) {
    let base = TestRepo::new();
    base.write("data.csv", "a,b\n1,2\n");
    base.write("images/cat.png", "meow");
    base.write("images/sub/dog.png", "woof");
    base.write("other.txt", "text\n");
    base.write("dir/keep.txt", "stays\n");
    base.write(
        "dvc.yaml",
        "stages:\n  copy:\n    cmd: cp dir/keep.txt made.txt\n    deps: [dir/keep.txt]\n    outs: [made.txt]\n",
    );
    init(Tool::Dvc, &base);
    base.dvc_ok(["add", "-q", "data.csv", "images", "other.txt"]);
    // A record not named after its data keeps its name and place.
    std::fs::rename(base.join("other.txt.dvc"), base.join("notes.dvc")).unwrap();
    base.dvc_ok(["repro", "-q"]);
    base.git_ok(["add", "-A"]);
    base.git_ok(["commit", "-qm", "base"]);
    (base.duplicate(), base.duplicate())
}

fn same_everywhere(c: &mut Checks, by_cairn: &TestRepo, by_dvc: &TestRepo, when: &str) {
    let tree = |r: &TestRepo| r.read_tree().without(".dvc/tmp").without(".git");
    c.trees(when, ("dvc", &tree(by_dvc)), ("cairn", &tree(by_cairn)));
    expect_clean(c, Tool::Dvc, by_cairn, &format!("dvc status {when}"));
    expect_clean(c, Tool::Cairn, by_dvc, &format!("cairn status {when}"));
}

#[test]
fn moves_agree_with_dvc_move() {
    let (by_cairn, by_dvc) = pair();
    let mut c = Checks::new("move");
    let moves: [&[&str]; 4] = [
        // A file into an existing folder: it keeps its name there.
        &["data.csv", "dir"],
        // A folder renamed in place, its record with it.
        &["images", "pictures"],
        // Data recorded by a differently named .dvc file: the file records the new path.
        &["other.txt", "dir/other-notes.txt"],
        // Back out of a folder, renamed.
        &["dir/data.csv", "table.csv"],
    ];
    for m in moves {
        let args: Vec<&str> = std::iter::once("move").chain(m.iter().copied()).collect();
        let run = Tool::Cairn.run(&by_cairn, &args);
        c.succeeded(&run);
        by_dvc.dvc_ok(&args);
        same_everywhere(
            &mut c,
            &by_cairn,
            &by_dvc,
            &format!("after move {}", m.join(" ")),
        );
    }
    // Data changed before its move keeps its record: both then call it modified.
    for r in [&by_cairn, &by_dvc] {
        r.write("table.csv", "a,b\n1,2\n3,4\n");
    }
    c.succeeded(&Tool::Cairn.run(&by_cairn, ["move", "table.csv", "grown.csv"]));
    by_dvc.dvc_ok(["move", "table.csv", "grown.csv"]);
    let tree = |r: &TestRepo| r.read_tree().without(".dvc/tmp").without(".git");
    // dvc also copies the changed content into its cache (unrecorded); Cairn renames
    // without reading the data again, leaving that to `add`/`commit`.
    let uncached = |r: &TestRepo| tree(r).without(".dvc/cache");
    c.trees(
        "after moving changed data",
        ("dvc", &uncached(&by_dvc)),
        ("cairn", &uncached(&by_cairn)),
    );
    for (tool, repo) in [(Tool::Cairn, &by_dvc), (Tool::Dvc, &by_cairn)] {
        let st = tool.ok(repo, ["status", "--json"]).stdout();
        c.check(
            json(&st)
                == json(r#"{"grown.csv.dvc": [{"changed outs": {"grown.csv": "modified"}}]}"#),
            || format!("{} status after moving changed data: {st}", tool.name()),
        );
    }
    // A stage's output, a path nothing tracks, into a tracked folder: refused by both,
    // nothing moved.
    for args in [
        ["move", "made.txt", "moved.txt"],
        ["move", "dir/keep.txt", "kept.txt"],
        ["move", "grown.csv", "pictures"],
    ] {
        let before = tree(&by_cairn);
        let run = Tool::Cairn.run(&by_cairn, args);
        c.check(!run.success(), || format!("cairn {args:?} is refused"));
        c.check(!run.stderr().trim().is_empty(), || {
            format!("cairn {args:?} says why")
        });
        c.trees(
            &format!("{args:?} changes nothing"),
            ("before", &before),
            ("after", &tree(&by_cairn)),
        );
        c.check(!by_dvc.dvc(args).status.success(), || {
            format!("dvc {args:?} is refused")
        });
    }
    // Onto an existing file: Cairn refuses (dvc overwrites it, losing that file).
    let before = tree(&by_cairn);
    let run = Tool::Cairn.run(&by_cairn, ["move", "grown.csv", "dir/keep.txt"]);
    c.check(
        !run.success() && run.stderr().contains("already exists"),
        || format!("onto an existing file: {run}"),
    );
    c.trees(
        "a refused overwrite changes nothing",
        ("before", &before),
        ("after", &tree(&by_cairn)),
    );
    c.finish();
}

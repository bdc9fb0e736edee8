//! `cairn ls` against `dvc ls`: the same entries, sizes, hashes and text for the work
//! tree and for revisions, with `.dvc` files' and a pipeline's outputs, folders known only
//! from their listing, `.dvcignore`, executables, unicode names and every flag (trees
//! too).

use crate::support::*;

#[test]
fn list_shows_what_dvc_list_shows() {
    let repo = TestRepo::new();
    init(Tool::Dvc, &repo);
    let dvc = |args: &[&str]| {
        let out = Tool::Dvc.run(&repo, args);
        assert!(out.success(), "dvc {args:?}: {out}");
    };
    repo.write("data/a.txt", "a\n");
    repo.write("data/sub/b.txt", "b\n");
    repo.write("data/ünï cödé.txt", "u\n");
    repo.write("c.txt", "c\n");
    repo.write("gone/g.txt", "g\n");
    repo.write("nested/in/n.csv", "n\n");
    repo.write("with space.txt", "s\n");
    repo.write("tools/run.sh", "#!/bin/sh\n");
    set_mode(&repo.path().join("tools/run.sh"), 0o755);
    repo.write(".dvcignore", "*.tmp\n");
    repo.write("nested/x.tmp", "t\n");
    repo.write(
        "dvc.yaml",
        "stages:\n  prep:\n    cmd: mkdir -p out && echo hi > out/o.txt && echo m > model.bin\n    deps: [c.txt]\n    outs: [out, model.bin]\n",
    );
    dvc(&["add", "data", "c.txt", "gone", "nested/in/n.csv"]);
    dvc(&["repro"]);
    repo.git_ok(["add", "-A"]);
    repo.git_ok(["commit", "-qm", "data and a pipeline"]);
    // The work tree moves on: an edited output, a file the folder's listing lacks, an
    // output folder gone, files git does not track.
    repo.write("c.txt", "changed, longer\n");
    repo.write("out/new.txt", "z\n");
    std::fs::remove_dir_all(repo.path().join("gone")).unwrap();
    repo.write("untracked.txt", "u\n");
    repo.write("later.tmp", "t\n");

    let cases: &[&[&str]] = &[
        &["."],
        &[".", "--json"],
        &[".", "-R", "--json"],
        &[".", "-R", "--size", "--show-hash"],
        &[".", "--size"],
        &[".", "--show-hash"],
        &[".", "--dvc-only"],
        &[".", "--dvc-only", "--json"],
        &[".", "--dvc-only", "-R", "--json"],
        &[".", "-R", "-L", "1"],
        &[".", "-R", "-L", "2", "--json"],
        &[".", "-R", "-L", "0", "--json"],
        &[".", "data", "--json"],
        &[".", "data/sub/b.txt", "--json"],
        &[".", "gone", "--json", "--size"],
        &[".", "out", "--show-hash", "--size"],
        &[".", "nested", "--dvc-only", "--json"],
        &[".", "data.dvc", "--dvc-only", "--json"],
        &[".", "--rev", "HEAD"],
        &[".", "--rev", "HEAD", "-R", "--json"],
        &[".", "--rev", "HEAD", "--dvc-only", "-R", "--json"],
        &[".", "--rev", "HEAD", "-R", "-L", "0", "--json"],
        &[".", "data", "--rev", "HEAD", "--size", "--show-hash"],
        &[".", "-T"],
        &[".", "-T", "-L", "1", "--size"],
        &[".", "data", "-T", "--size", "--show-hash"],
        &[".", "gone", "-T", "--size"],
        &[".", "-T", "--dvc-only", "--size"],
        &[".", "-T", "--rev", "HEAD", "--show-hash"],
    ];
    let mut c = Checks::new("ls");
    for case in cases {
        let args: Vec<&str> = std::iter::once("ls").chain(case.iter().copied()).collect();
        let (ours, theirs) = (Tool::Cairn.run(&repo, &args), Tool::Dvc.run(&repo, &args));
        c.check(
            ours.success() && theirs.success() && ours.stdout() == theirs.stdout(),
            || {
                format!(
                    "{case:?}\n--- dvc\n{}\n--- cairn\n{}{}",
                    theirs.stdout(),
                    ours.stdout(),
                    ours.stderr()
                )
            },
        );
    }
    // A path that is not there fails in both, naming it; so does a tree as JSON.
    let (ours, theirs) = (
        Tool::Cairn.run(&repo, ["ls", ".", "-T", "--json"]),
        Tool::Dvc.run(&repo, ["ls", ".", "-T", "--json"]),
    );
    c.check(!ours.success() && !theirs.success(), || format!("{ours}"));
    let (ours, theirs) = (
        Tool::Cairn.run(&repo, ["ls", ".", "nope"]),
        Tool::Dvc.run(&repo, ["ls", ".", "nope"]),
    );
    c.check(!ours.success() && !theirs.success(), || format!("{ours}"));
    c.check(ours.stderr().contains("nope"), || ours.stderr().to_string());
    c.finish();
}

fn set_mode(path: &std::path::Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

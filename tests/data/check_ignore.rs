//! `cairn check-ignore` against `dvc check-ignore`: the same lines and exit codes for
//! nested `.dvcignore` files, negation, directory patterns and DVC's built-in patterns.

use crate::support::*;

#[test]
fn check_ignore_explains_as_dvc_does() {
    let repo = TestRepo::new();
    init(Tool::Dvc, &repo);
    repo.write(
        ".dvcignore",
        "# comment\n*.log\n!keep.log\ntmp/\n/top-only.txt\ncache\n*.log\n",
    );
    repo.write("data/.dvcignore", "*.csv\n!important.csv\n");
    let files = [
        "a.log",
        "keep.log",
        "data/x.log",
        "data/keep.log",
        "tmp/f.txt",
        "data/tmp/f.txt",
        "top-only.txt",
        "data/top-only.txt",
        "data/x.csv",
        "data/important.csv",
        "data/x.txt",
        "cache/x",
        "plain.txt",
        "data/sub/y.csv",
    ];
    for f in files {
        repo.write(f, "x");
    }
    let mut c = Checks::new("check-ignore");
    // Every file, the folders holding some, a missing path and DVC's own places.
    let targets: Vec<&str> = files
        .into_iter()
        .chain(["tmp", "cache", "missing.log", ".git", ".dvc/config", ".dvc"])
        .collect();
    // All targets in one call per flag set (dvc starts slowly): one line per target, in
    // order.
    for flags in [&[][..], &["-d"], &["-d", "-n"]] {
        let args: Vec<&str> = std::iter::once("check-ignore")
            .chain(flags.iter().copied())
            .chain(targets.iter().copied())
            .collect();
        let (ours, theirs) = (Tool::Cairn.run(&repo, &args), Tool::Dvc.run(&repo, &args));
        c.check(
            ours.stdout() == theirs.stdout() && ours.success() == theirs.success(),
            || {
                format!(
                    "{flags:?}\n--- dvc ({})\n{}--- cairn ({})\n{}{}",
                    theirs.success(),
                    theirs.stdout(),
                    ours.success(),
                    ours.stdout(),
                    ours.stderr()
                )
            },
        );
    }
    // Exit codes: 0 when a target is ignored (or, with -d, any pattern matched), else 1.
    for args in [
        &["check-ignore", "plain.txt"][..],
        &["check-ignore", "keep.log"],
        &["check-ignore", "-d", "keep.log"],
        &["check-ignore", "plain.txt", "a.log"],
    ] {
        let (ours, theirs) = (Tool::Cairn.run(&repo, args), Tool::Dvc.run(&repo, args));
        c.check(
            ours.stdout() == theirs.stdout() && ours.success() == theirs.success(),
            || format!("{args:?}: {ours}"),
        );
    }
    c.finish();
}

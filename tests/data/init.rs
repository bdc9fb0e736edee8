//! `cairn init` against `dvc init`.

use crate::support::*;

/// In a fresh git repo both produce the same files and stage the same ones.
#[test]
fn init_matches_dvc_init() {
    let a = TestRepo::new();
    let b = TestRepo::new();
    init(Tool::Dvc, &a);
    let run = Tool::Cairn.run(&b, ["init"]);
    let mut c = Checks::new("init");
    if c.succeeded(&run) {
        c.trees(
            "tree after init",
            ("dvc", &a.read_tree()),
            ("cairn", &b.read_tree()),
        );
        let (ga, gb) = (git_status(&a), git_status(&b));
        c.check(ga == gb, || {
            format!("git status differs\n--- dvc ---\n{ga}--- cairn ---\n{gb}")
        });
        // A project tracking nothing yet says so, as dvc's status does.
        let (sa, sb) = (
            Tool::Dvc.ok(&a, ["status"]).stdout(),
            Tool::Cairn.ok(&b, ["status"]).stdout(),
        );
        c.check(sa == sb && sb.contains("no data or pipelines"), || {
            format!("status of an empty project\n--- dvc ---\n{sa}--- cairn ---\n{sb}")
        });
    }
    c.finish();
}

/// An existing `.dvcignore` is kept as it is.
#[test]
fn init_keeps_existing_dvcignore() {
    let a = TestRepo::new();
    let b = TestRepo::new();
    for r in [&a, &b] {
        r.write(".dvcignore", DVCIGNORE);
    }
    init(Tool::Dvc, &a);
    let run = Tool::Cairn.run(&b, ["init"]);
    let mut c = Checks::new("init with .dvcignore");
    if c.succeeded(&run) {
        c.trees(
            "tree after init",
            ("dvc", &a.read_tree()),
            ("cairn", &b.read_tree()),
        );
    }
    c.check(a.read(".dvcignore") == DVCIGNORE.as_bytes(), || {
        "dvc replaced .dvcignore".into()
    });
    c.finish();
}

/// `cairn init` twice, and after `dvc init`, changes nothing.
#[test]
fn init_is_idempotent() {
    let a = TestRepo::new();
    init(Tool::Dvc, &a);
    let before = a.read_tree();
    let status = git_status(&a);
    let _ = Tool::Cairn.run(&a, ["init"]);
    let mut c = Checks::new("init in an initialised repo");
    c.trees("tree", ("before", &before), ("after", &a.read_tree()));
    c.check(status == git_status(&a), || "git status changed".into());
    c.finish();
}

/// `root` prints the way up to the repository root, as dvc's does, from any depth.
#[test]
fn root_matches_dvc_root() {
    let repo = TestRepo::new();
    init(Tool::Dvc, &repo);
    repo.write("a/b/c/file", "x");
    for dir in ["", "a", "a/b/c"] {
        let at = |program: &std::path::Path| {
            let out = std::process::Command::new(program)
                .arg("root")
                .current_dir(repo.join(dir))
                .envs(repo.env())
                .output()
                .unwrap();
            assert!(out.status.success(), "{program:?} root in {dir:?}");
            String::from_utf8(out.stdout).unwrap()
        };
        assert_eq!(
            at(&cairn_testkit::cairn_bin()),
            at(&cairn_testkit::dvc_bin()),
            "in {dir:?}"
        );
    }
}

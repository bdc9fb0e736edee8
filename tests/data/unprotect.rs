//! `cairn unprotect` against `dvc unprotect` with linking cache types: the same files,
//! modes and statuses afterwards, and an edit no longer reaches the cache.

use crate::support::*;

/// Two identical repositories whose data `dvc add` linked to their own caches.
fn linked(cache_type: &str) -> (TestRepo, TestRepo) {
    let base = TestRepo::new();
    base.write("data.csv", "a,b\n1,2\n");
    base.write("images/a.png", "aaa");
    base.write("images/sub/b.png", "bbb");
    init(Tool::Dvc, &base);
    base.dvc_ok(["config", "cache.type", cache_type]);
    let pair = (base.duplicate(), base.duplicate());
    for r in [&pair.0, &pair.1] {
        r.dvc_ok(["add", "-q", "data.csv", "images"]);
    }
    pair
}

#[test]
fn unprotect_agrees_with_dvc_for_symlinks_and_hardlinks() {
    let mut c = Checks::new("unprotect");
    for cache_type in ["symlink", "hardlink"] {
        let (by_cairn, by_dvc) = linked(cache_type);
        let linked_now = std::fs::symlink_metadata(by_cairn.join("data.csv")).unwrap();
        c.check(
            cache_type != "symlink" || linked_now.file_type().is_symlink(),
            || format!("{cache_type}: the workspace copy is a link before unprotect"),
        );
        if cache_type == "symlink" {
            // A typed path that is such a link is the data, not an escape: checkout and
            // status take it.
            c.succeeded(&Tool::Cairn.run(&by_cairn, ["checkout", "data.csv"]));
            c.succeeded(&Tool::Cairn.run(&by_cairn, ["data", "status", "data.csv"]));
        }
        let args = ["unprotect", "data.csv", "images"];
        c.succeeded(&Tool::Cairn.run(&by_cairn, args));
        by_dvc.dvc_ok(args);
        let tree = |r: &TestRepo| r.read_tree().without(".dvc/tmp").without(".git");
        c.trees(
            &format!("{cache_type}: after unprotect"),
            ("dvc", &tree(&by_dvc)),
            ("cairn", &tree(&by_cairn)),
        );
        expect_clean(
            &mut c,
            Tool::Dvc,
            &by_cairn,
            &format!("{cache_type}: dvc status after cairn unprotect"),
        );
        expect_clean(
            &mut c,
            Tool::Cairn,
            &by_dvc,
            &format!("{cache_type}: cairn status after dvc unprotect"),
        );
        // An edit now changes the work tree only.
        let cache_before = by_cairn.read_tree().only(".dvc/cache");
        by_cairn.write("data.csv", "edited\n");
        c.trees(
            &format!("{cache_type}: the cache after an edit"),
            ("before", &cache_before),
            ("after", &by_cairn.read_tree().only(".dvc/cache")),
        );
        let refused = Tool::Cairn.run(&by_cairn, ["unprotect", "data.csv.dvc"]);
        c.check(
            !refused.success() && refused.stderr().contains("not tracked data"),
            || format!("{cache_type}: a path that is not tracked data is refused: {refused}"),
        );
    }
    c.finish();
}

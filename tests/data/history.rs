//! Commands that look at git history or at the whole cache: `diff`, `gc`,
//! `fsck`. Both tools run on the same repo (diff) or on identical copies
//! (gc), and their results are compared.

use crate::support::*;

fn commit(repo: &TestRepo, msg: &str) {
    repo.git_ok(["add", "-A"]);
    repo.git_ok(["commit", "-q", "-m", msg]);
}

/// data/ (4 files), model.bin, other.txt, added by `tool` and committed.
fn v1(tool: Tool) -> TestRepo {
    let r = TestRepo::new();
    r.write("data/a.txt", "a\n");
    r.write("data/b.txt", "b\n");
    r.write("data/c.txt", "c\n");
    r.write("data/sub/d.txt", "d\n");
    r.write("model.bin", [1u8, 2, 3]);
    r.write("other.txt", "other\n");
    init(tool, &r);
    add(tool, &r, &["data", "model.bin", "other.txt"]);
    commit(&r, "v1");
    r
}

/// Workspace changes on top of v1: modify, delete, add and rename inside
/// `data/`, modify `model.bin`, delete `other.txt`.
fn change(r: &TestRepo) {
    r.write("data/a.txt", "A\n");
    r.remove("data/b.txt");
    r.write("data/new.txt", "new\n");
    r.remove("data/sub/d.txt");
    r.write("data/sub/e.txt", "d\n");
    r.write("model.bin", [4u8, 5, 6, 7]);
    r.remove("other.txt");
}

fn same_diff(c: &mut Checks, r: &TestRepo, args: &[&str], step: &str) {
    let mut argv = vec!["diff"];
    argv.extend_from_slice(args);
    argv.push("--json");
    let d = Tool::Dvc.run(r, &argv);
    let k = Tool::Cairn.run(r, &argv);
    c.same_json(&format!("{step}: `diff {}`", args.join(" ")), &d, &k);
}

/// The text and Markdown of `diff args…`, as dvc prints them (groups, sorted paths,
/// the files summary, "not in cache" only against the workspace).
fn same_diff_text(c: &mut Checks, r: &TestRepo, args: &[&str], step: &str) {
    for md in [false, true] {
        let mut argv = vec!["diff"];
        argv.extend_from_slice(args);
        if md {
            argv.push("--md");
        }
        let (d, k) = (Tool::Dvc.run(r, &argv), Tool::Cairn.run(r, &argv));
        c.check(d.stdout() == k.stdout(), || {
            format!(
                "{step}: `{}` differs\n--- dvc\n{}--- cairn\n{}",
                argv.join(" "),
                d.stdout(),
                k.stdout()
            )
        });
    }
}

fn diff_sequence(tool: Tool) {
    let r = v1(tool);
    let mut c = Checks::new(format!("diff ({tool}-added repo)"));
    same_diff(&mut c, &r, &[], "clean");
    change(&r);
    same_diff(&mut c, &r, &[], "workspace changes");
    same_diff(&mut c, &r, &["HEAD"], "workspace changes");
    same_diff_text(&mut c, &r, &[], "workspace changes");

    add(tool, &r, &["data", "model.bin"]);
    r.git_ok(["rm", "-q", "--cached", "other.txt.dvc"]);
    r.remove("other.txt.dvc");
    commit(&r, "v2");
    same_diff(&mut c, &r, &[], "after commit v2");
    same_diff(&mut c, &r, &["HEAD~1"], "v1 vs workspace");
    same_diff(&mut c, &r, &["HEAD~1", "HEAD"], "v1 vs v2");
    same_diff(&mut c, &r, &["HEAD", "HEAD~1"], "v2 vs v1");
    same_diff_text(&mut c, &r, &["HEAD~1", "HEAD"], "v1 vs v2");

    // An object of v1 missing from the cache (model.bin was [1, 2, 3]).
    r.remove(".dvc/cache/files/md5/52/89df737df57326fcdd22597afb1fac");
    same_diff(&mut c, &r, &["HEAD~1", "HEAD"], "v1 object missing");
    same_diff(&mut c, &r, &["HEAD", "HEAD~1"], "v1 object missing");
    // An object of the workspace's data/ missing (data/new.txt, "new\n").
    r.remove(".dvc/cache/files/md5/9c/d599a3523898e6a12e13ec787da50a");
    same_diff(&mut c, &r, &[], "workspace object missing");
    same_diff(&mut c, &r, &["HEAD~1"], "workspace object missing");
    same_diff_text(&mut c, &r, &["HEAD~1"], "workspace object missing");
    // The whole cache gone.
    r.remove(".dvc/cache");
    same_diff(&mut c, &r, &[], "no cache");
    same_diff(&mut c, &r, &["HEAD~1"], "no cache");
    same_diff(&mut c, &r, &["HEAD", "HEAD"], "no cache");
    same_diff_text(&mut c, &r, &[], "no cache");
    c.finish();
}

#[test]
fn diff_in_dvc_added_repo() {
    diff_sequence(Tool::Dvc);
}

#[test]
fn diff_in_cairn_added_repo() {
    diff_sequence(Tool::Cairn);
}

/// v1 committed, v2 added in the workspace (and optionally committed).
fn two_versions(commit_v2: bool) -> TestRepo {
    let r = v1(Tool::Dvc);
    change(&r);
    add(Tool::Dvc, &r, &["data", "model.bin"]);
    r.remove("other.txt.dvc");
    if commit_v2 {
        commit(&r, "v2");
    }
    r
}

/// `gc` on two identical copies; compares the remaining caches and the
/// workspaces, and checks that the result is still clean for both tools.
fn gc_case(label: &str, repo: TestRepo, dvc_args: &[&str], cairn_args: &[&str]) {
    let mut c = Checks::new(label);
    let k = repo.duplicate();
    let before = cache_objects(&k.read_tree());

    // Dry runs first: nothing may disappear.
    let mut dry = cairn_args.to_vec();
    dry.retain(|a| *a != "--force");
    dry.push("--dry-run");
    let run = Tool::Cairn.run(&k, &dry);
    c.succeeded(&run);
    c.trees(
        "cache after `cairn gc --dry-run`",
        ("before", &before),
        ("after", &cache_objects(&k.read_tree())),
    );
    dry.pop();
    let run = Tool::Cairn.run(&k, &dry);
    c.succeeded(&run);
    c.trees(
        "cache after `cairn gc` without --force",
        ("before", &before),
        ("after", &cache_objects(&k.read_tree())),
    );

    Tool::Dvc.ok(&repo, dvc_args);
    let run = Tool::Cairn.run(&k, cairn_args);
    if c.succeeded(&run) {
        let (td, tk) = (repo.read_tree(), k.read_tree());
        c.trees(
            "cache after gc",
            ("dvc", &cache_objects(&td)),
            ("cairn", &cache_objects(&tk)),
        );
        c.trees(
            "workspace after gc",
            ("dvc", &workspace(&td)),
            ("cairn", &workspace(&tk)),
        );
        c.check(cache_objects(&td) != before, || {
            "dvc gc removed nothing?".into()
        });
        expect_clean(&mut c, Tool::Dvc, &k, "after cairn gc");
        expect_clean(&mut c, Tool::Cairn, &k, "after cairn gc");
    }
    c.finish();
}

#[test]
fn gc_workspace() {
    gc_case(
        "gc --workspace",
        two_versions(false),
        &["gc", "-w", "-f"],
        &["gc", "--workspace", "--force"],
    );
}

#[test]
fn gc_workspace_keeps_nothing_from_history() {
    // v1 is committed, but -w keeps only the workspace's references.
    gc_case(
        "gc --workspace (v2 committed)",
        two_versions(true),
        &["gc", "-w", "-f"],
        &["gc", "--workspace", "--force"],
    );
}

#[test]
fn gc_all_commits() {
    // v1 and v2 committed, v3 in the workspace: -A keeps v1, v2 and v3,
    // and removes an object nothing references.
    let r = two_versions(true);
    r.write("data/a.txt", "third\n");
    add(Tool::Dvc, &r, &["data"]);
    r.write("data/a.txt", "fourth\n");
    add(Tool::Dvc, &r, &["data"]);
    gc_case(
        "gc --all-commits",
        r,
        &["gc", "-w", "-A", "-f"],
        &["gc", "--workspace", "--all-commits", "--force"],
    );
}

/// `fsck` passes on a cache written by dvc; after corrupting one object it
/// reports and quarantines it, the other objects are untouched, and both
/// tools agree on the resulting status.
#[test]
fn fsck_finds_corrupt_object() {
    let r = v1(Tool::Dvc);
    let mut c = Checks::new("fsck");
    let run = Tool::Cairn.run(&r, ["fsck"]);
    c.succeeded(&run);

    // md5("b\n"): data/b.txt's object.
    let hash = "3b5d5c3712955042212316173ccf37be";
    let obj = format!(".dvc/cache/files/md5/{}/{}", &hash[..2], &hash[2..]);
    let path = r.join(&obj);
    let mut perms = std::fs::metadata(&path).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o644);
    std::fs::set_permissions(&path, perms).unwrap();
    r.write(&obj, "corrupted\n");
    let before = cache_objects(&r.read_tree());

    let run = Tool::Cairn.run(&r, ["fsck"]);
    let text = format!(
        "{}{}",
        run.stdout(),
        String::from_utf8_lossy(&run.output.stderr)
    );
    c.check(text.contains(hash), || {
        format!("fsck does not name {hash}:\n{run}")
    });
    c.check(!path.exists(), || {
        format!("{obj} still in the cache after fsck:\n{run}")
    });
    c.trees(
        "other cache objects after fsck",
        ("before", &before.without(&obj)),
        ("after", &cache_objects(&r.read_tree())),
    );
    let d = Tool::Dvc.run(&r, ["status", "--json"]);
    let k = Tool::Cairn.run(&r, ["status", "--json"]);
    c.same_json("status after fsck", &d, &k);
    c.finish();
}

//! Seeded random trees through both tools. Each seed gets its own set of
//! tests (so they run in parallel and fail independently); odd seeds also
//! carry a `.dvcignore`.

use crate::support::*;

fn spec(seed: u64) -> TreeSpec {
    TreeSpec {
        dvcignore: seed % 2 == 1,
        // One seed with a few MiB-sized files.
        big_files: if seed == 4 { 2 } else { 0 },
        ..TreeSpec::default()
    }
}

/// Same tree, `dvc add` in A and `cairn add` in B: same `.dvc` files,
/// `.gitignore`s, cache objects, workspace.
fn add_matches(seed: u64) {
    let (src, fx) = Fixture::new(seed, &spec(seed));
    let a = fx.added(&src, Tool::Dvc);
    let b = fx.added(&src, Tool::Cairn);
    let mut c = Checks::new(format!("seed {seed}: add"));
    compare_after_add(&mut c, &a, &b);
    c.finish();
}

/// After `cairn add`: dvc sees a clean repo, and `dvc checkout` restores
/// deleted data from cairn's cache.
fn dvc_reads_cairn_add(seed: u64) {
    let (src, fx) = Fixture::new(seed, &spec(seed));
    let b = fx.added(&src, Tool::Cairn);
    let mut c = Checks::new(format!("seed {seed}: dvc reads cairn's add"));
    expect_clean(&mut c, Tool::Cairn, &b, "after cairn add");
    expect_clean(&mut c, Tool::Dvc, &b, "after cairn add");
    remove_targets(&b, &fx.targets);
    let run = Tool::Dvc.run(&b, ["checkout"]);
    if c.succeeded(&run) {
        check_restored(&mut c, &fx, &b, "dvc checkout");
    }
    c.finish();
}

/// After `dvc add`: cairn sees a clean repo, and `cairn checkout` restores
/// deleted data exactly like `dvc checkout` does (contents and modes, which
/// covers DVC's exec-bit rules: `isexec` single files come back `u+x`,
/// files inside directories lose the bit), after which dvc sees a clean repo.
fn cairn_reads_dvc_add(seed: u64) {
    let (src, fx) = Fixture::new(seed, &spec(seed));
    let a = fx.added(&src, Tool::Dvc);
    let mut c = Checks::new(format!("seed {seed}: cairn reads dvc's add"));
    expect_clean(&mut c, Tool::Cairn, &a, "after dvc add");

    let a2 = a.duplicate();
    remove_targets(&a, &fx.targets);
    remove_targets(&a2, &fx.targets);
    let by_cairn = Tool::Cairn.run(&a, ["checkout"]);
    Tool::Dvc.ok(&a2, ["checkout"]);
    if c.succeeded(&by_cairn) {
        check_restored(&mut c, &fx, &a, "cairn checkout");
        c.trees(
            "workspace after checkout (content, modes)",
            ("dvc", &workspace(&a2.read_tree())),
            ("cairn", &workspace(&a.read_tree())),
        );
        expect_clean(&mut c, Tool::Dvc, &a, "after cairn checkout");
    }
    c.finish();
}

/// One file inside a tracked directory modified (same size, so only the
/// content and mtime change) and another tracked file deleted: both tools'
/// `status --json` agree, in a dvc-added and in a cairn-added repo.
fn status_matches(seed: u64) {
    let (src, fx) = Fixture::new(seed, &spec(seed));
    let a = fx.added(&src, Tool::Dvc);
    let b = fx.added(&src, Tool::Cairn);
    let mut c = Checks::new(format!("seed {seed}: status after changes"));

    // Candidates: tracked, non-empty files inside a directory target.
    let tracked = fx.tracked_files();
    let in_dir: Vec<&String> = tracked
        .0
        .iter()
        .filter(|(p, e)| p.contains('/') && !e.bytes.is_empty())
        .map(|(p, _)| p)
        .collect();
    let modified = in_dir[seed as usize % in_dir.len()].clone();
    // Delete a top-level single file if there is one, else another dir member.
    let deleted = fx
        .targets
        .iter()
        .find(|t| tracked.0.contains_key(t.as_str()))
        .cloned()
        .unwrap_or_else(|| in_dir[(seed as usize + 1) % in_dir.len()].clone());

    for (repo, who) in [(&a, "dvc-added"), (&b, "cairn-added")] {
        // Let cairn see the clean state first (fills any mtime cache).
        let _ = Tool::Cairn.run(repo, ["status", "--json"]);
        let mut bytes = repo.read(&modified);
        bytes[0] ^= 0xff;
        repo.write(&modified, &bytes);
        repo.remove(&deleted);

        let d = Tool::Dvc.run(repo, ["status", "--json"]);
        let k = Tool::Cairn.run(repo, ["status", "--json"]);
        let what = format!("{who} repo, modified {modified:?}, deleted {deleted:?}");
        if let Some(v) = c.same_json(&what, &d, &k) {
            c.check(v != json("{}"), || {
                format!("{what}: dvc reports no change?\n{d}")
            });
        }
    }
    c.finish();
}

/// `cairn init` inside a repo where `dvc init` + `dvc add` already ran
/// changes nothing: not the tree, not the git index.
fn init_in_dvc_repo_is_noop(seed: u64) {
    let (src, fx) = Fixture::new(seed, &spec(seed));
    let a = fx.added(&src, Tool::Dvc);
    let before = a.read_tree();
    let git_before = git_status(&a);
    let index_before = a.read(".git/index");
    let run = Tool::Cairn.run(&a, ["init"]);
    let mut c = Checks::new(format!("seed {seed}: cairn init in a DVC repo"));
    c.trees(
        &format!("tree changed by `cairn init` (exit {})", run.output.status),
        ("before", &before),
        ("after", &a.read_tree()),
    );
    let git_after = git_status(&a);
    c.check(git_before == git_after, || {
        format!("git status changed\n--- before ---\n{git_before}--- after ---\n{git_after}")
    });
    c.check(index_before == a.read(".git/index"), || {
        "`cairn init` rewrote .git/index".to_owned()
    });
    c.finish();
}

macro_rules! seeds {
    ($($module:ident = $seed:expr),* $(,)?) => {$(
        mod $module {
            #[test]
            fn add_matches() { super::add_matches($seed) }
            #[test]
            fn dvc_reads_cairn_add() { super::dvc_reads_cairn_add($seed) }
            #[test]
            fn cairn_reads_dvc_add() { super::cairn_reads_dvc_add($seed) }
            #[test]
            fn status_matches() { super::status_matches($seed) }
            #[test]
            fn init_in_dvc_repo_is_noop() { super::init_in_dvc_repo_is_noop($seed) }
        }
    )*};
}

seeds! {
    seed1 = 1,
    seed2 = 2,
    seed3 = 3,
    seed4 = 4,
    seed5 = 5,
}

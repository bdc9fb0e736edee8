use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::*;

fn generate(seed: u64, spec: &TreeSpec) -> (tempfile::TempDir, Vec<PathBuf>) {
    let dir = tempfile::tempdir().unwrap();
    let files = RandomTree::generate(dir.path(), seed, spec);
    (dir, files)
}

#[test]
fn same_seed_same_tree() {
    for seed in [0, 1, 42, u64::MAX] {
        let spec = TreeSpec::with_dvcignore();
        let (a, fa) = generate(seed, &spec);
        let (b, fb) = generate(seed, &spec);
        assert_eq!(fa, fb, "seed {seed}: file lists differ");
        let (ta, tb) = (Tree::read(a.path()), Tree::read(b.path()));
        assert_eq!(
            ta.diff(&tb, "first", "second"),
            Vec::<String>::new(),
            "seed {seed}"
        );
        assert!(ta.0.len() > spec.files, "seed {seed}: too few entries");
    }
}

#[test]
fn different_seeds_differ() {
    let spec = TreeSpec::default();
    let (a, _) = generate(1, &spec);
    let (b, _) = generate(2, &spec);
    assert_ne!(Tree::read(a.path()), Tree::read(b.path()));
}

#[test]
fn returned_files_are_exactly_the_files_on_disk() {
    let (dir, files) = generate(7, &TreeSpec::with_dvcignore());
    let mut on_disk: Vec<PathBuf> = Tree::read(dir.path())
        .files()
        .0
        .keys()
        .map(PathBuf::from)
        .collect();
    on_disk.sort();
    let mut sorted = files.clone();
    sorted.sort();
    assert_eq!(files, sorted, "list is sorted");
    assert_eq!(on_disk, files);
    assert!(files.contains(&PathBuf::from(".dvcignore")));
}

#[test]
fn every_feature_for_many_seeds() {
    for seed in 0..20 {
        let (dir, files) = generate(seed, &TreeSpec::default());
        let found = RandomTree::features(dir.path(), &files);
        let missing: Vec<_> = Feature::ALL.iter().filter(|f| !found.contains(f)).collect();
        assert!(missing.is_empty(), "seed {seed}: missing {missing:?}");
    }
}

#[test]
fn sizes_modes_and_targets() {
    let spec = TreeSpec::default();
    let (dir, files) = generate(3, &spec);
    let tree = Tree::read(dir.path());
    let mut max = 0;
    for (path, e) in &tree.files().0 {
        max = max.max(e.bytes.len());
        assert!(e.bytes.len() <= spec.max_file_size, "{path} too big");
        assert!(
            e.mode == 0o644 || e.mode == 0o755,
            "{path}: mode {:o}",
            e.mode
        );
    }
    assert!(max > 1024, "some file is bigger than 1 KiB");
    let targets = RandomTree::targets(&files);
    assert_eq!(targets.len(), spec.top_dirs + spec.top_files, "{targets:?}");
    // The first top-level file is executable (the `isexec: true` case).
    let exec_top = targets
        .iter()
        .filter(|t| tree.0[t.as_str()].kind == EntryKind::File)
        .any(|t| tree.0[t.as_str()].mode & 0o111 != 0);
    assert!(exec_top, "an executable top-level file");
}

#[test]
fn big_files_option() {
    let spec = TreeSpec {
        files: 5,
        big_files: 2,
        ..TreeSpec::default()
    };
    let (dir, _) = generate(11, &spec);
    let big = Tree::read(dir.path())
        .files()
        .0
        .values()
        .filter(|e| e.bytes.len() >= 1 << 20)
        .count();
    assert_eq!(big, 2);
}

#[test]
fn dvcignore_matches_some_files_and_not_others() {
    let (dir, files) = generate(5, &TreeSpec::with_dvcignore());
    assert_eq!(
        std::fs::read_to_string(dir.path().join(".dvcignore")).unwrap(),
        DVCIGNORE
    );
    let ignored: BTreeSet<&PathBuf> = files.iter().filter(|p| dvcignored(p)).collect();
    let names = |set: &BTreeSet<&PathBuf>| -> BTreeSet<String> {
        set.iter()
            .map(|p| p.file_name().unwrap().to_str().unwrap().to_owned())
            .collect()
    };
    let ignored_names = names(&ignored);
    assert!(ignored_names.contains("debug.log"), "{ignored_names:?}");
    assert!(
        ignored_names.contains("scratch.bin"),
        "file in tmp/: {ignored_names:?}"
    );
    // keep.log inside tmp/ is ignored, the other keep.log is not.
    let keeps: Vec<_> = files
        .iter()
        .filter(|p| p.file_name().unwrap() == "keep.log")
        .collect();
    assert_eq!(keeps.len(), 2);
    assert_eq!(keeps.iter().filter(|p| dvcignored(p)).count(), 1);
    assert!(!dvcignored(Path::new("data/tmp.txt")));
    assert!(dvcignored(Path::new("data/tmp/x")));
    assert!(!dvcignored(Path::new("data/x.logs")));
}

#[test]
fn no_dvcignore_by_default() {
    let (dir, files) = generate(5, &TreeSpec::default());
    assert!(!dir.path().join(".dvcignore").exists());
    assert!(
        files.iter().all(|p| !dvcignored(p)),
        "no .log files, no tmp/"
    );
}

#[test]
fn test_repo_is_hermetic_git() {
    let repo = TestRepo::new();
    assert!(repo.join(".git").is_dir());
    repo.write("a/b.txt", "hello\n");
    repo.git_ok(["add", "a/b.txt"]);
    repo.git_ok(["commit", "-q", "-m", "first"]);
    let who = repo.git_ok(["log", "-1", "--format=%an <%ae> / %cn <%ce>"]);
    assert_eq!(
        who.trim(),
        "Cairn Test <test@cairn.invalid> / Cairn Test <test@cairn.invalid>"
    );
    let out = repo.git(["config", "--global", "--list"]);
    assert!(String::from_utf8_lossy(&out.stdout).trim().is_empty());
}

#[test]
fn copy_to_and_read_tree() {
    let a = TestRepo::new();
    let b = TestRepo::new();
    RandomTree::generate(a.path(), 9, &TreeSpec::with_dvcignore());
    std::fs::write(b.join("stale"), "x").unwrap();
    a.copy_to(&b);
    let (ta, tb) = (a.read_tree(), b.read_tree());
    assert_eq!(ta.diff(&tb, "a", "b"), Vec::<String>::new());
    assert!(!ta.0.contains_key(".git"));
    assert!(b.join(".git").is_dir());

    let c = a.duplicate();
    assert_eq!(c.read_tree(), ta);
    assert!(c.join(".git/HEAD").is_file());

    // diff reports content and mode changes.
    b.write("stale", "y");
    let d = a.read_tree().diff(&b.read_tree(), "a", "b");
    assert_eq!(d.len(), 1, "{d:?}");
    assert!(d[0].contains("only in b"), "{d:?}");
}

#[test]
fn tree_filters() {
    let repo = TestRepo::new();
    repo.write("d/x", "1");
    repo.write("d-x", "2");
    repo.write("e/y", "3");
    let t = repo.read_tree();
    assert_eq!(t.only("d").0.keys().collect::<Vec<_>>(), ["d", "d/x"]);
    assert_eq!(
        t.without("d").0.keys().collect::<Vec<_>>(),
        ["d-x", "e", "e/y"]
    );
}

//! The fixture shared by the data tests: a random tree copied into hermetic
//! git repos, `init` + `add` run by one tool or the other, and the
//! comparisons every test does after an `add`.

use std::path::PathBuf;

pub use cairn_e2e::*;

/// A generated tree and what is known about it before any tool runs.
pub struct Fixture {
    pub files: Vec<PathBuf>,
    /// Top-level `add` targets (directories and single files).
    pub targets: Vec<String>,
    /// The working tree right after generation.
    pub original: Tree,
}

impl Fixture {
    /// Generate the tree for `seed` into a fresh repo.
    pub fn new(seed: u64, spec: &TreeSpec) -> (TestRepo, Fixture) {
        let repo = TestRepo::new();
        let files = RandomTree::generate(repo.path(), seed, spec);
        let targets = RandomTree::targets(&files);
        let original = repo.read_tree();
        (
            repo,
            Fixture {
                files,
                targets,
                original,
            },
        )
    }

    /// A repo with the same tree, initialised and added by `tool`.
    pub fn added(&self, source: &TestRepo, tool: Tool) -> TestRepo {
        let repo = TestRepo::new();
        source.copy_to(&repo);
        init(tool, &repo);
        add(tool, &repo, &self.targets);
        repo
    }

    /// The generated data files that a tool must track (not `.dvcignore`d),
    /// with contents; what a checkout has to bring back.
    pub fn tracked_files(&self) -> Tree {
        self.original
            .files()
            .filter(|p| p != ".dvcignore" && !dvcignored(std::path::Path::new(p)))
    }
}

/// `tool add targets...`, panicking on failure.
pub fn add(tool: Tool, repo: &TestRepo, targets: &[impl AsRef<str>]) -> Run {
    let mut args = vec!["add".to_owned()];
    args.extend(targets.iter().map(|t| t.as_ref().to_owned()));
    tool.ok(repo, &args)
}

/// `git status --porcelain` with untracked files listed one by one.
pub fn git_status(repo: &TestRepo) -> String {
    repo.git_ok(["status", "--porcelain=v1", "-uall"])
}

/// Compare what `dvc add` produced in `a` with what `cairn add` produced in
/// `b`: `.dvc` files, `.gitignore`s, cache objects (bytes and 0444 modes),
/// the `.dvc` dir's config files, the workspace files' contents and exec
/// bits, and `git status`.
pub fn compare_after_add(c: &mut Checks, a: &TestRepo, b: &TestRepo) {
    let (ta, tb) = (a.read_tree(), b.read_tree());
    c.trees(
        ".dvc files",
        ("dvc", &dvc_files(&ta)),
        ("cairn", &dvc_files(&tb)),
    );
    c.trees(
        ".gitignore files",
        ("dvc", &gitignores(&ta)),
        ("cairn", &gitignores(&tb)),
    );
    let (ca, cb) = (cache_objects(&ta), cache_objects(&tb));
    c.trees("cache objects", ("dvc", &ca), ("cairn", &cb));
    let bad_modes: Vec<String> =
        cb.0.iter()
            .filter(|(_, e)| e.mode != 0o444)
            .map(|(p, e)| format!("{p} {:o}", e.mode))
            .collect();
    c.check(bad_modes.is_empty(), || {
        format!("cairn cache objects not 0444: {bad_modes:?}")
    });
    c.trees(
        ".dvc/config, .dvc/.gitignore, .dvcignore",
        ("dvc", &config_files(&ta)),
        ("cairn", &config_files(&tb)),
    );
    // Contents and the owner exec bit of the workspace. DVC replaces
    // workspace files by fresh copies of the cache objects (so an executable
    // 0755 file comes back 0744); cairn may leave them in place (dvc-format.md
    // §12), so the rest of the mode is not compared here. Checkout modes are
    // compared exactly in the checkout tests.
    let exec = |m: u32| m & 0o100;
    c.trees(
        "workspace files after add (content, owner exec bit)",
        ("dvc", &workspace(&ta).files().map_modes(exec)),
        ("cairn", &workspace(&tb).files().map_modes(exec)),
    );
    let (ga, gb) = (git_status(a), git_status(b));
    c.check(ga == gb, || {
        format!("git status differs\n--- dvc ---\n{ga}--- cairn ---\n{gb}")
    });
}

fn config_files(t: &Tree) -> Tree {
    t.files()
        .filter(|p| matches!(p, ".dvc/config" | ".dvc/.gitignore" | ".dvcignore"))
}

/// Remove every target from the workspace (what a user does before
/// `checkout` to test a restore).
pub fn remove_targets(repo: &TestRepo, targets: &[String]) {
    for t in targets {
        repo.remove(t);
    }
}

/// `status --json` of `tool` must print `{}`.
pub fn expect_clean(c: &mut Checks, tool: Tool, repo: &TestRepo, when: &str) {
    let run = tool.run(repo, ["status", "--json"]);
    match run.json() {
        Ok(v) if v == json("{}") => {}
        Ok(v) => c.fail(format!(
            "{when}: `{tool} status --json` printed {v}, expected {{}}\n{run}"
        )),
        Err(e) => c.fail(format!("{when}: {e}")),
    }
}

/// Check that `restored` holds exactly the tracked files of the fixture
/// (content only) inside the targets.
pub fn check_restored(c: &mut Checks, fx: &Fixture, repo: &TestRepo, who: &str) {
    let in_targets = |t: &Tree| -> Tree {
        t.filter(|p| {
            fx.targets
                .iter()
                .any(|tg| p == tg || p.starts_with(&format!("{tg}/")))
        })
        .files()
        .map_modes(|_| 0)
    };
    c.trees(
        &format!("restored by {who} vs original (content)"),
        ("original", &in_targets(&fx.tracked_files())),
        (who, &in_targets(&repo.read_tree())),
    );
}

/// Runs `prelude` then `code` in the venv's Python; its output. Panics with its errors.
pub fn venv_python(prelude: &str, code: &str) -> String {
    let out = std::process::Command::new(venv_bin("python"))
        .arg("-c")
        .arg(format!("{prelude}\n{code}"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

//! Cross-tool tests for pipelines: `cairn repro`/`status` against the real `dvc`
//! (3.67.1) on generated pipelines. Each scenario is built twice; one copy is reproduced
//! by each tool, and the results must agree: `dvc.lock` byte for byte, the cache
//! objects, and each tool must call the other's result up to date. Then the same edits
//! (a param, a dep, a command, a deleted output) must make both name the same stale stages.

mod behaviour;
mod editing;
mod scenarios;

use cairn_e2e::{Checks, TestRepo, Tool, cache_objects, gitignores, init, json};

pub use scenarios::Scenario;

/// Builds `scenario` in a fresh repo, commits it, and returns the repo.
pub fn build(s: &Scenario) -> TestRepo {
    let repo = TestRepo::new();
    for (path, content) in &s.files {
        repo.write(path, content);
    }
    init(Tool::Dvc, &repo);
    repo.git_ok(["add", "-A"]);
    repo.git_ok(["commit", "-q", "-m", "scenario"]);
    repo
}

/// `status --json` of `tool`, parsed.
pub fn status(tool: Tool, repo: &TestRepo) -> serde_json::Value {
    let run = tool.ok(repo, ["status", "--json"]);
    json(&run.stdout())
}

/// Reproduces with each tool on identical copies and compares everything.
fn check_scenario(s: &Scenario) {
    let mut c = Checks::new(s.name);
    let base = build(s);
    let by_cairn = base.duplicate();
    let by_dvc = base.duplicate();
    c.check(
        status(Tool::Cairn, &base) == status(Tool::Dvc, &base),
        || {
            format!(
                "status before any run differs:\n  cairn: {}\n  dvc:   {}",
                status(Tool::Cairn, &base),
                status(Tool::Dvc, &base)
            )
        },
    );
    Tool::Cairn.ok(&by_cairn, ["repro"]);
    Tool::Dvc.ok(&by_dvc, ["repro"]);
    let lock_c = String::from_utf8_lossy(&by_cairn.read("dvc.lock")).into_owned();
    let lock_d = String::from_utf8_lossy(&by_dvc.read("dvc.lock")).into_owned();
    c.check(lock_c == lock_d, || {
        format!("dvc.lock differs\n--- cairn\n{lock_c}\n--- dvc\n{lock_d}")
    });
    c.trees(
        "cache objects",
        ("dvc", &cache_objects(&by_dvc.read_tree())),
        ("cairn", &cache_objects(&by_cairn.read_tree())),
    );
    c.trees(
        ".gitignore files",
        ("dvc", &gitignores(&by_dvc.read_tree())),
        ("cairn", &gitignores(&by_cairn.read_tree())),
    );
    // Up to date, but for stages that always run.
    let expected = serde_json::Value::Object(
        s.always
            .iter()
            .map(|st| (st.to_string(), json(r#"["always changed"]"#)))
            .collect(),
    );
    let dvc_on_cairn = status(Tool::Dvc, &by_cairn);
    c.check(dvc_on_cairn == expected, || {
        format!("`dvc status` after `cairn repro`: {dvc_on_cairn}")
    });
    let cairn_on_dvc = status(Tool::Cairn, &by_dvc);
    c.check(cairn_on_dvc == expected, || {
        format!("`cairn status` after `dvc repro`: {cairn_on_dvc}")
    });
    // A second cairn repro has nothing to do.
    let again = Tool::Cairn.ok(&by_cairn, ["repro"]).stdout();
    let reran: Vec<&str> = again
        .lines()
        .filter_map(|l| l.strip_prefix("Running stage '"))
        .filter_map(|l| l.strip_suffix("':"))
        .collect();
    c.check(
        reran.iter().all(|st| s.always.contains(st))
            && s.always.iter().all(|st| reran.contains(st)),
        || format!("second repro ran something:\n{again}"),
    );
    // Edits: both tools must name the same stale stages, the same way.
    for edit in &s.edits {
        let repo = by_dvc.duplicate();
        edit.apply(&repo);
        let (sc, sd) = (status(Tool::Cairn, &repo), status(Tool::Dvc, &repo));
        c.check(sc == sd, || {
            format!(
                "after {}: status differs\n  cairn: {sc}\n  dvc:   {sd}",
                edit.describe()
            )
        });
        // The text too, line for line (the order of stages and entries included).
        let (tc, td) = (
            Tool::Cairn.ok(&repo, ["status"]).stdout(),
            Tool::Dvc.ok(&repo, ["status"]).stdout(),
        );
        c.check(tc == td, || {
            format!(
                "after {}: status text differs\n--- cairn\n{tc}--- dvc\n{td}",
                edit.describe()
            )
        });
        c.check(sd != json("{}"), || {
            format!(
                "after {}: dvc reports nothing stale (edit is not a test)",
                edit.describe()
            )
        });
        // And reproducing after the edit converges to the same lock.
        let (rc, rd) = (repo.duplicate(), repo);
        Tool::Cairn.ok(&rc, ["repro"]);
        Tool::Dvc.ok(&rd, ["repro"]);
        let (lc, ld) = (
            String::from_utf8_lossy(&rc.read("dvc.lock")).into_owned(),
            String::from_utf8_lossy(&rd.read("dvc.lock")).into_owned(),
        );
        c.check(lc == ld, || {
            format!(
                "after {}: dvc.lock differs\n--- cairn\n{lc}\n--- dvc\n{ld}",
                edit.describe()
            )
        });
        let st = status(Tool::Dvc, &rc);
        c.check(st == expected, || {
            format!(
                "after {} and cairn repro, dvc status: {st}",
                edit.describe()
            )
        });
    }
    c.finish();
}

macro_rules! scenario_tests {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                check_scenario(&scenarios::$name());
            }
        )*
    };
}

scenario_tests!(
    linear,
    diamond,
    fan_out,
    foreach_and_matrix,
    two_params_files,
    wdir_and_dir_outs,
    uncached_and_persist_outs,
    frozen_always_and_callback
);

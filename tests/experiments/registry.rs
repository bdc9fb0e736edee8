//! The model registry in git tags against GTO 1.10.1 (in the reference venv): the real
//! `gto` registers, assigns, unassigns, deregisters and deprecates, and after each step
//! `cairn models --json` must print what `gto show --json` prints — the latest version
//! of every active artifact and the version in every stage.

use std::time::Duration;

use cairn_e2e::{Checks, TestRepo, Tool};
use serde_json::Value;

fn gto(repo: &TestRepo, args: &[&str]) {
    // GTO orders events by their tags' times, in whole seconds.
    std::thread::sleep(Duration::from_millis(1100));
    let bin = cairn_e2e::dvc_bin().parent().unwrap().join("gto");
    let out = repo.run(&bin, args);
    assert!(
        out.status.success(),
        "gto {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn commit(repo: &TestRepo, content: &str) {
    repo.write("model.pkl", content);
    repo.git_ok(["add", "-A"]);
    repo.git_ok(["commit", "-q", "-m", content]);
}

fn same_registry(c: &mut Checks, repo: &TestRepo, step: &str) -> Value {
    let bin = cairn_e2e::dvc_bin().parent().unwrap().join("gto");
    let theirs = repo.run(&bin, ["show", "--json"]);
    let theirs: Value = serde_json::from_slice(&theirs.stdout).unwrap_or_else(|e| {
        panic!(
            "gto show --json: {e}: {}",
            String::from_utf8_lossy(&theirs.stdout)
        )
    });
    let ours = Tool::Cairn.run(repo, ["models", "--json"]);
    match ours.json() {
        Ok(ours) => c.check(ours == theirs, || {
            format!("{step}:\ncairn {ours}\ngto   {theirs}")
        }),
        Err(e) => c.fail(format!("{step}: {e}")),
    }
    theirs
}

#[test]
fn model_registry_reads_as_gto_shows_it() {
    let repo = TestRepo::new();
    repo.write(
        "dvc.yaml",
        "artifacts:\n  model:\n    path: model.pkl\n    type: model\n",
    );
    commit(&repo, "first");
    let mut c = Checks::new("model registry vs gto show");
    gto(&repo, &["register", "model", "--version", "v0.1.0"]);
    gto(&repo, &["register", "nlp/sub:bert", "--version", "v1.0.0"]);
    commit(&repo, "second");
    gto(&repo, &["register", "model", "--version", "v0.2.0"]);
    gto(
        &repo,
        &["assign", "model", "--version", "v0.1.0", "--stage", "prod"],
    );
    gto(
        &repo,
        &["assign", "model", "--version", "v0.2.0", "--stage", "dev"],
    );
    let two = same_registry(&mut c, &repo, "two versions, prod and dev");
    c.check(two["model"]["stage"]["prod"] == "v0.1.0", || {
        format!("prod holds v0.1.0: {two}")
    });

    commit(&repo, "third");
    gto(&repo, &["register", "model", "--version", "v1.0.0-rc.1"]);
    gto(
        &repo,
        &[
            "assign",
            "model",
            "--version",
            "v1.0.0-rc.1",
            "--stage",
            "prod",
        ],
    );
    gto(
        &repo,
        &[
            "assign",
            "nlp/sub:bert",
            "--version",
            "v1.0.0",
            "--stage",
            "dev",
        ],
    );
    let rc = same_registry(&mut c, &repo, "a release candidate promoted to prod");
    c.check(rc["model"]["version"] == "v1.0.0-rc.1", || {
        format!("the rc is latest: {rc}")
    });

    // A lower version put in prod after the rc: the newest assignment wins, not the
    // highest version.
    gto(
        &repo,
        &["assign", "model", "--version", "v0.2.0", "--stage", "prod"],
    );
    let newest = same_registry(&mut c, &repo, "v0.2.0 put in prod after the rc");
    c.check(newest["model"]["stage"]["prod"] == "v0.2.0", || {
        format!("prod holds the newest assignment: {newest}")
    });
    gto(&repo, &["deprecate", "model", "v1.0.0-rc.1", "prod"]);
    same_registry(&mut c, &repo, "the rc taken out of prod");
    gto(&repo, &["deprecate", "model", "v0.2.0"]);
    same_registry(&mut c, &repo, "v0.2.0 deregistered");

    gto(&repo, &["register", "old", "--version", "v3.0.0"]);
    gto(
        &repo,
        &["assign", "old", "--version", "v3.0.0", "--stage", "archive"],
    );
    gto(&repo, &["deprecate", "old"]);
    let end = same_registry(&mut c, &repo, "an artifact deprecated");
    c.check(
        end.get("old").is_none() && end["model"]["stage"]["prod"] == "v0.1.0",
        || format!("old is hidden, prod is back to v0.1.0: {end}"),
    );

    // One artifact's versions: the same versions and commits as `gto show model`.
    let bin = cairn_e2e::dvc_bin().parent().unwrap().join("gto");
    let theirs: Value =
        serde_json::from_slice(&repo.run(&bin, ["show", "model", "--json"]).stdout).unwrap();
    let ours = Tool::Cairn
        .run(&repo, ["models", "show", "model", "--json"])
        .json()
        .unwrap();
    let pairs = |v: &Value, name: &str, commit: &str| -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = v
            .as_array()
            .into_iter()
            .flatten()
            .filter(|x| x["registered"] != false)
            .map(|x| {
                (
                    x[name].as_str().unwrap_or("").to_string(),
                    x[commit].as_str().unwrap_or("").to_string(),
                )
            })
            .collect();
        out.sort();
        out
    };
    let active: Vec<Value> = ours["versions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["active"] == true)
        .cloned()
        .collect();
    c.check(
        pairs(&Value::Array(active), "version", "commit")
            == pairs(&theirs, "version", "commit_hexsha"),
        || format!("model's versions:\ncairn {ours}\ngto   {theirs}"),
    );

    // The terminal's way: `cairn models register` and `assign`, read back by gto.
    commit(&repo, "fourth");
    std::thread::sleep(Duration::from_millis(1100));
    let reg = Tool::Cairn.run(
        &repo,
        ["models", "register", "model", "--version", "v2.0.0"],
    );
    c.check(
        reg.success() && reg.stdout().contains("Registered model v2.0.0"),
        || format!("cairn models register: {} {}", reg.stdout(), reg.stderr()),
    );
    std::thread::sleep(Duration::from_millis(1100));
    let promote = Tool::Cairn.run(&repo, ["models", "assign", "model", "v2.0.0", "prod"]);
    c.check(promote.success(), || {
        format!("cairn models assign: {}", promote.stderr())
    });
    let last = same_registry(
        &mut c,
        &repo,
        "v2.0.0 registered and promoted by cairn's CLI",
    );
    c.check(last["model"]["stage"]["prod"] == "v2.0.0", || {
        format!("prod holds v2.0.0: {last}")
    });
    let again = Tool::Cairn.run(&repo, ["models", "assign", "model", "v2.0.0", "prod"]);
    c.check(
        !again.success() && again.stderr().contains("is in prod already"),
        || format!("a second assignment is refused: {}", again.stderr()),
    );
    c.finish();
}

#[test]
fn versions_registered_and_promoted_in_cairn_read_the_same_in_gto() {
    use cairn_api::dto::{AssignStageArgs, RegisterModelArgs};
    let repo = TestRepo::new();
    commit(&repo, "one");
    commit(&repo, "two");
    commit(&repo, "three");
    let (_data, api) = cairn_e2e::app();
    let project = repo.path().canonicalize().unwrap().display().to_string();
    let register = |version: Option<&str>, rev: &str| {
        std::thread::sleep(Duration::from_millis(1100));
        api.register_model(RegisterModelArgs {
            project: project.clone(),
            name: "model".into(),
            version: version.map(String::from),
            rev: Some(rev.into()),
        })
    };
    let assign = |version: &str, stage: &str| {
        std::thread::sleep(Duration::from_millis(1100));
        api.assign_stage(AssignStageArgs {
            project: project.clone(),
            name: "model".into(),
            version: version.into(),
            stage: stage.into(),
        })
    };
    let mut c = Checks::new("registry written by cairn, read by gto");
    register(None, "HEAD~2").unwrap();
    register(Some("v1.0.0"), "HEAD~1").unwrap();
    let view = register(None, "HEAD").unwrap();
    c.check(view.models[0].latest.as_deref() == Some("v1.0.1"), || {
        format!(
            "a version without a number is the latest's next patch: {:?}",
            view.models[0].latest
        )
    });
    assign("v1.0.0", "prod").unwrap();
    assign("v1.0.1", "dev").unwrap();
    assign("v0.0.1", "prod").unwrap();
    let shown = same_registry(
        &mut c,
        &repo,
        "three versions, two stages, written by cairn",
    );
    c.check(
        shown["model"]["stage"]["prod"] == "v0.0.1" && shown["model"]["stage"]["dev"] == "v1.0.1",
        || format!("gto sees the newest assignments: {shown}"),
    );
    // gto's own next assignment numbers itself after ours and reads back the same.
    gto(
        &repo,
        &[
            "assign",
            "model",
            "--version",
            "v1.0.0",
            "--stage",
            "staging",
        ],
    );
    same_registry(&mut c, &repo, "gto assigning after cairn");
    let tags = repo.git_ok(["tag", "-l", "model#*"]);
    c.check(tags.lines().any(|t| t == "model#staging#4"), || {
        format!("gto's assignment counts past cairn's three: {tags}")
    });

    // What gto refuses, cairn refuses, with the reason.
    let refusals = [
        (
            register(None, "HEAD").unwrap_err(),
            "is model v1.0.1 already",
        ),
        (register(Some("v1.0.0"), "HEAD~1").unwrap_err(), "already"),
        (assign("v1.0.1", "dev").unwrap_err(), "is in dev already"),
        (
            assign("v9.9.9", "prod").unwrap_err(),
            "no registered version v9.9.9",
        ),
        (
            assign("v1.0.1", "pro d").unwrap_err(),
            "not a name the registry takes",
        ),
    ];
    for (err, says) in refusals {
        c.check(err.message.contains(says), || {
            format!("refused with {says:?}: {err:?}")
        });
    }
    same_registry(&mut c, &repo, "after the refusals (nothing written)");
    c.finish();
}

/// A `.gto` with `stages:` restricts assignments in both tools: gto and cairn (the CLI
/// and the app) refuse a stage it does not list and nothing is written; a listed stage
/// goes through and reads the same in both. The app offers the listed stages.
#[test]
fn gto_config_stages_restrict_assignments_in_both_tools() {
    let repo = TestRepo::new();
    repo.write(".gto", "stages: [dev, prod]\n");
    commit(&repo, "one");
    gto(&repo, &["register", "model", "--version", "v1.0.0"]);
    let mut c = Checks::new(".gto stages");
    let bin = cairn_e2e::dvc_bin().parent().unwrap().join("gto");
    let theirs = repo.run(
        &bin,
        [
            "assign",
            "model",
            "--version",
            "v1.0.0",
            "--stage",
            "staging",
        ],
    );
    c.check(!theirs.status.success(), || {
        "gto assigned a stage .gto does not list".into()
    });
    let ours = Tool::Cairn.run(&repo, ["models", "assign", "model", "v1.0.0", "staging"]);
    c.check(
        !ours.success()
            && ours
                .stderr()
                .contains("not a stage .gto allows (dev, prod)"),
        || format!("cairn models assign staging: {ours}"),
    );
    let (_data, api) = cairn_e2e::app();
    let project = repo.path().canonicalize().unwrap().display().to_string();
    let assign = |stage: &str| {
        std::thread::sleep(Duration::from_millis(1100));
        api.assign_stage(cairn_api::dto::AssignStageArgs {
            project: project.clone(),
            name: "model".into(),
            version: "v1.0.0".into(),
            stage: stage.into(),
        })
    };
    let refused = assign("staging").unwrap_err();
    c.check(refused.message.contains("not a stage .gto allows"), || {
        format!("the app's refusal: {refused:?}")
    });
    let tags = repo.git_ok(["tag"]);
    c.check(!tags.contains("staging"), || {
        format!("a refused assignment left a tag: {tags}")
    });
    let view = assign("prod").unwrap();
    c.check(
        view.allowed_stages == Some(vec!["dev".to_string(), "prod".to_string()]),
        || format!("the app offers .gto's stages: {:?}", view.allowed_stages),
    );
    let shown = same_registry(&mut c, &repo, "a listed stage assigned by cairn");
    c.check(shown["model"]["stage"]["prod"] == "v1.0.0", || {
        format!("gto sees prod: {shown}")
    });
    // A broken `.gto` is named with its line when a write needs it.
    repo.write(".gto", "stages: prod\n");
    let broken = assign("dev").unwrap_err();
    c.check(
        broken.line == Some(1) && broken.message.contains("`stages` must be a list"),
        || format!("a broken .gto: {broken:?}"),
    );
    c.finish();
}

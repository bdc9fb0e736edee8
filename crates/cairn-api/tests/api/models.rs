//! The Models view: GTO's registry tags joined with `dvc.yaml`'s `artifacts:`.

use std::process::Command;

use crate::common::{call, init_dvc_repo};
use cairn_api::{Api, ApiConfig};
use serde_json::json;

fn git(root: &std::path::Path, at: i64, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(["-c", "user.name=Reg", "-c", "user.email=reg@e.invalid"])
        .args(args)
        .current_dir(root)
        .env("GIT_COMMITTER_DATE", format!("@{at} +0000"))
        .env("GIT_AUTHOR_DATE", format!("@{at} +0000"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

#[test]
fn models_list_versions_stages_and_declared_models() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("repo");
    init_dvc_repo(&root);
    std::fs::write(
        root.join("dvc.yaml"),
        "artifacts:\n  classifier:\n    path: models/clf.pkl\n    type: model\n    desc: Flower classifier\n  encoder:\n    path: models/enc.pkl\n",
    )
    .unwrap();
    git(&root, 1_700_000_000, &["add", "-A"]);
    git(&root, 1_700_000_000, &["commit", "-qm", "first"]);
    let first = git(&root, 1_700_000_000, &["rev-parse", "HEAD"]);
    std::fs::write(root.join("params.yaml"), "lr: 0.1\n").unwrap();
    git(&root, 1_700_000_100, &["add", "-A"]);
    git(&root, 1_700_000_100, &["commit", "-qm", "second"]);
    let second = git(&root, 1_700_000_100, &["rev-parse", "HEAD"]);
    for (at, tag, commit) in [
        (1_700_000_200, "classifier@v1.0.0", &first),
        (1_700_000_300, "classifier@v1.1.0", &second),
        (1_700_000_400, "classifier#prod#1", &first),
        (1_700_000_500, "classifier#dev#2", &second),
    ] {
        git(
            &root,
            at,
            &["tag", "-a", tag, "-m", &format!("Registry: {tag}"), commit],
        );
    }
    // A lightweight tag is not a registry event (GTO skips those too).
    git(&root, 1_700_000_600, &["tag", "classifier#prod#3", &second]);

    let data = tempfile::tempdir().unwrap();
    let api = Api::new(ApiConfig {
        data_dir: Some(data.path().to_path_buf()),
        ..Default::default()
    })
    .unwrap();
    let v = call(
        &api,
        "list_models",
        json!({"project": root.canonicalize().unwrap()}),
    );
    assert_eq!(v["stages"], json!(["dev", "prod"]));
    let clf = &v["models"][0];
    assert_eq!(clf["name"], "classifier");
    assert_eq!(clf["path"], "models/clf.pkl");
    assert_eq!(clf["type"], "model");
    assert_eq!(clf["desc"], "Flower classifier");
    assert_eq!(clf["latest"], "v1.1.0");
    assert_eq!(
        clf["stages"],
        json!([{"stage": "dev", "version": "v1.1.0"}, {"stage": "prod", "version": "v1.0.0"}])
    );
    let versions: Vec<(&str, &str, &serde_json::Value)> = clf["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["version"].as_str().unwrap(),
                x["commit"].as_str().unwrap(),
                &x["stages"],
            )
        })
        .collect();
    assert_eq!(
        versions,
        [
            ("v1.1.0", second.as_str(), &json!(["dev"])),
            ("v1.0.0", first.as_str(), &json!(["prod"]))
        ]
    );
    assert_eq!(clf["versions"][1]["author"], "Reg");
    assert_eq!(clf["versions"][1]["message"], "Registry: classifier@v1.0.0");
    // Declared in dvc.yaml, never registered: listed, with nothing in the registry.
    let enc = &v["models"][1];
    assert_eq!(
        (
            enc["name"].as_str(),
            enc["registered"].as_bool(),
            enc["path"].as_str()
        ),
        (Some("encoder"), Some(false), Some("models/enc.pkl"))
    );
    assert_eq!(enc["versions"], json!([]));
}

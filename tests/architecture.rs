//! The crate boundaries ARCHITECTURE.md promises, checked on the workspace's manifests
//! (`cargo metadata`): a dependency that crosses one fails here, not in review.

use std::collections::BTreeMap;
use std::process::Command;

/// Each workspace crate and the crates it depends on directly (normal dependencies).
fn dependencies() -> BTreeMap<String, Vec<String>> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "cargo metadata: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let deps = p["dependencies"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|d| d["kind"].is_null())
                .map(|d| d["name"].as_str().unwrap().to_string())
                .collect();
            (p["name"].as_str().unwrap().to_string(), deps)
        })
        .collect()
}

const ENGINES: [&str; 7] = [
    "cairn-core",
    "cairn-yaml",
    "cairn-git",
    "cairn-data",
    "cairn-pipeline",
    "cairn-run",
    "cairn-exp",
];

#[test]
fn the_adapters_reach_the_engines_only_through_cairn_api() {
    let deps = dependencies();
    for adapter in ["cairn-cli", "cairn-server", "cairn-desktop"] {
        let theirs = &deps[adapter];
        assert!(
            theirs.iter().any(|d| d == "cairn-api"),
            "{adapter} should use cairn-api"
        );
        let direct: Vec<&String> = theirs
            .iter()
            .filter(|d| ENGINES.contains(&d.as_str()))
            .collect();
        assert!(
            direct.is_empty(),
            "{adapter} depends on {direct:?} directly; add the use case to cairn-api instead"
        );
    }
}

#[test]
fn library_crates_neither_print_nor_know_their_frontends() {
    let deps = dependencies();
    let frontends = ["clap", "indicatif", "tauri", "axum", "anyhow"];
    for lib in ENGINES.iter().copied().chain(["cairn-api"]) {
        let bad: Vec<&String> = deps[lib]
            .iter()
            .filter(|d| frontends.contains(&d.as_str()))
            .collect();
        assert!(bad.is_empty(), "{lib} depends on {bad:?}");
    }
}

#[test]
fn git2_and_sqlite_stay_where_they_are_documented() {
    let deps = dependencies();
    let users = |krate: &str| -> Vec<&str> {
        deps.iter()
            .filter(|(_, d)| d.iter().any(|x| x == krate))
            .map(|(name, _)| name.as_str())
            .collect()
    };
    assert_eq!(users("git2"), ["cairn-git"]);
    assert_eq!(users("rusqlite"), ["cairn-api", "cairn-data", "cairn-run"]);
}

//! Byte-for-byte comparison of `to_dot`/`to_mermaid` with the real `dvc dag` on copies of
//! corpus cases. Slow (DVC starts in ~1 s), so ignored by default:
//!
//! `DVC=/work/dvcvenv/bin/dvc cargo test -p cairn-pipeline --test dvc_dag -- --ignored --nocapture`
//!
//! `DVC_DAG_CASES=a,b` picks cases; by default a spread of accepted ones is used. Both tools
//! read the same temporary copy, so even the directory-order-dependent multi-file cases must
//! match exactly.

use std::path::{Path, PathBuf};
use std::process::Command;

fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if name == "expected.json" {
            continue;
        }
        let dest = to.join(&name);
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
            copy_tree(&entry.path(), &dest);
        } else {
            std::fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

fn run(dvc: &str, dir: &Path, args: &[&str]) -> String {
    let out = Command::new(dvc)
        .args(args)
        .current_dir(dir)
        .env("DVC_NO_ANALYTICS", "1")
        .env("DVC_STUDIO_OFFLINE", "1")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "dvc {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
#[ignore = "needs a real dvc; slow"]
fn dag_renderings_match_dvc() {
    let dvc = std::env::var("DVC").unwrap_or_else(|_| "/work/dvcvenv/bin/dvc".into());
    if !Path::new(&dvc).exists() {
        eprintln!("!!! SKIPPING: dvc not found at {dvc} !!!");
        return;
    }
    let corpus =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/dvc-projects");
    let default = "03sarath__dvc-example-get-started,2025ab05117__recomart-mlops,BoiseState__rank-fairness-metrics,\
                   CCRI-POPROX__poprox-recommender,PIReTship__bookdata-tools,iterative__example-get-started,\
                   MArpogaus__stplf-bnf,TassiloHo__CaroTTS,lenskit__lk-perf-monitor,open-innovations__leeds-2023,\
                   ModelOriented__MAIR,data42lana__end-to-end-cv-mlops-project,iterative__dvcyaml-schema__valid-matrix";
    let cases = std::env::var("DVC_DAG_CASES").unwrap_or_else(|_| default.into());
    let tmp = std::env::temp_dir().join(format!("cairn-dvc-dag-{}", std::process::id()));
    let mut failures = Vec::new();
    for case in cases.split(',').map(str::trim).filter(|c| !c.is_empty()) {
        let dir = tmp.join(case);
        std::fs::create_dir_all(&dir).unwrap();
        Command::new("git")
            .args(["init", "-q"])
            .current_dir(&dir)
            .status()
            .unwrap();
        run(&dvc, &dir, &["init", "-q"]);
        copy_tree(&corpus.join(case), &dir);
        let project = cairn_pipeline::load_project(&dir).unwrap();
        let dag = cairn_pipeline::build_dag(&project).unwrap();
        for (args, ours) in [
            (vec!["dag", "--dot"], cairn_pipeline::to_dot(&dag)),
            (
                vec!["dag", "--mermaid"],
                cairn_pipeline::to_mermaid(&dag, false),
            ),
            (vec!["dag", "--md"], cairn_pipeline::to_mermaid(&dag, true)),
        ] {
            let theirs = run(&dvc, &dir, &args);
            if theirs != ours {
                failures.push(format!(
                    "{case} {args:?}:\n--- dvc\n{theirs}\n--- cairn\n{ours}"
                ));
            } else {
                eprintln!("ok {case} {args:?}");
            }
        }
    }
    let _ = std::fs::remove_dir_all(&tmp);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

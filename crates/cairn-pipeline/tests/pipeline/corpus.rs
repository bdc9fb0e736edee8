//! Runs Cairn over the 213 real-world pipelines of `shared/corpus/dvc-projects` and checks
//! that it agrees with DVC 3.67.1's recorded verdict on every one: the same stages with the
//! same interpolated fields and the same edges for accepted cases, an error for rejected ones.
//!
//! Stage order is compared within each `dvc.yaml`; the order of files is the OS directory
//! order on the machine that recorded the corpus, so only the set of files is compared.
//! Set `CORPUS_CASE=<substring>` to run a subset.

use std::collections::BTreeSet;
use std::path::PathBuf;

use cairn_pipeline::{LocalFs, Stage, build_dag, load_project_fs};
use serde_json::{Value, json};

fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/dvc-projects")
}

/// The fields of `expected.json`'s `stages[]` entries, from a Cairn stage.
fn stage_json(s: &Stage) -> Value {
    let mut m = serde_json::Map::new();
    m.insert("name".into(), json!(s.addressing));
    m.insert("stage_name".into(), json!(s.name));
    m.insert("dvcfile".into(), json!(s.dvcfile));
    m.insert("cmd".into(), serde_json::to_value(&s.cmd).unwrap());
    m.insert(
        "deps".into(),
        json!(s.deps.iter().map(|d| d.path.clone()).collect::<Vec<_>>()),
    );
    m.insert(
        "outs".into(),
        json!(s.outs.iter().map(|o| o.path.clone()).collect::<Vec<_>>()),
    );
    m.insert(
        "params".into(),
        json!(
            s.params
                .iter()
                .map(|p| json!({"file": p.file, "keys": p.keys}))
                .collect::<Vec<_>>()
        ),
    );
    m.insert("wdir".into(), json!(s.wdir));
    let pick = |f: &dyn Fn(&cairn_pipeline::Out) -> bool| -> Vec<String> {
        s.outs
            .iter()
            .filter(|o| f(o))
            .map(|o| o.path.clone())
            .collect()
    };
    for (k, v) in [
        (
            "metrics",
            pick(&|o| o.kind == cairn_pipeline::OutKind::Metric),
        ),
        ("plots", pick(&|o| o.kind == cairn_pipeline::OutKind::Plot)),
        ("outs_no_cache", pick(&|o| !o.cache)),
        ("outs_persist", pick(&|o| o.persist)),
    ] {
        if !v.is_empty() {
            m.insert(k.into(), json!(v));
        }
    }
    if s.frozen {
        m.insert("frozen".into(), json!(true));
    }
    if s.always_changed {
        m.insert("always_changed".into(), json!(true));
    }
    if let Some(d) = &s.desc {
        m.insert("desc".into(), json!(d));
    }
    Value::Object(m)
}

/// Stage lists grouped per dvcfile, keeping order within each file.
fn by_file(stages: &[Value]) -> std::collections::BTreeMap<String, Vec<Value>> {
    let mut out: std::collections::BTreeMap<String, Vec<Value>> = Default::default();
    for s in stages {
        out.entry(s["dvcfile"].as_str().unwrap_or("").to_string())
            .or_default()
            .push(s.clone());
    }
    out
}

fn check_case(dir: &std::path::Path) -> Result<(usize, usize), String> {
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap()).unwrap();
    let accepted = expected["accepted"].as_bool().unwrap();
    let fs = LocalFs::new(dir);
    let result = load_project_fs(&fs).and_then(|p| build_dag(&p).map(|d| (p, d)));
    match (accepted, result) {
        (false, Ok(_)) => Err(format!(
            "DVC rejects ({}: {}) but Cairn accepts",
            expected["error_kind"].as_str().unwrap_or(""),
            expected["error"]
                .as_str()
                .unwrap_or("")
                .lines()
                .next()
                .unwrap_or("")
        )),
        (false, Err(e)) => {
            // Same class of failure as DVC (kinds named as in the corpus' `error_kind`).
            let theirs = expected["error_kind"].as_str().unwrap_or("");
            let ours = match e.kind() {
                "unsupported_remote" => "missing_remote_plugin (environment-dependent)",
                "stage" => "interpolation_or_vars",
                k => k,
            };
            if std::env::var_os("CORPUS_SHOW_ERRORS").is_some() {
                eprintln!("--- {}\n{e}", dir.display());
            }
            if ours != theirs {
                return Err(format!(
                    "rejected for another reason: cairn {ours} ({e}) vs dvc {theirs}"
                ));
            }
            Ok((0, 0))
        }
        (true, Err(e)) => Err(format!("DVC accepts but Cairn rejects: {e}")),
        (true, Ok((project, dag))) => {
            let ours: Vec<Value> = project.stages().map(stage_json).collect();
            let theirs: Vec<Value> = expected["stages"].as_array().unwrap().clone();
            let (ours_f, theirs_f) = (by_file(&ours), by_file(&theirs));
            let keys_o: BTreeSet<_> = ours_f.keys().collect();
            let keys_t: BTreeSet<_> = theirs_f.keys().collect();
            if keys_o != keys_t {
                return Err(format!(
                    "pipeline files differ: cairn {keys_o:?} dvc {keys_t:?}"
                ));
            }
            for (file, t) in &theirs_f {
                let o = &ours_f[file];
                let names_o: Vec<&str> = o.iter().map(|s| s["name"].as_str().unwrap()).collect();
                let names_t: Vec<&str> = t.iter().map(|s| s["name"].as_str().unwrap()).collect();
                if names_o != names_t {
                    return Err(format!(
                        "{file}: stage names differ:\n  cairn {names_o:?}\n  dvc   {names_t:?}"
                    ));
                }
                for (a, b) in o.iter().zip(t) {
                    if a != b {
                        let mut diffs = Vec::new();
                        for k in a
                            .as_object()
                            .unwrap()
                            .keys()
                            .chain(b.as_object().unwrap().keys())
                        {
                            if a.get(k) != b.get(k)
                                && !diffs
                                    .iter()
                                    .any(|d: &String| d.starts_with(&format!("{k}:")))
                            {
                                diffs.push(format!(
                                    "{k}: cairn {} dvc {}",
                                    a.get(k).unwrap_or(&Value::Null),
                                    b.get(k).unwrap_or(&Value::Null)
                                ));
                            }
                        }
                        return Err(format!("stage {}: {}", b["name"], diffs.join("; ")));
                    }
                }
            }
            let ours_e: BTreeSet<(String, String)> = dag
                .edges()
                .iter()
                .map(|&(p, c)| (dag.nodes[p].clone(), dag.nodes[c].clone()))
                .collect();
            let theirs_e: BTreeSet<(String, String)> = expected["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| {
                    (
                        e[0].as_str().unwrap().to_string(),
                        e[1].as_str().unwrap().to_string(),
                    )
                })
                .collect();
            if ours_e != theirs_e {
                let extra: Vec<_> = ours_e.difference(&theirs_e).take(3).collect();
                let missing: Vec<_> = theirs_e.difference(&ours_e).take(3).collect();
                return Err(format!(
                    "edges differ ({} vs {}): extra {extra:?} missing {missing:?}",
                    ours_e.len(),
                    theirs_e.len()
                ));
            }
            Ok((ours.len(), ours_e.len()))
        }
    }
}

#[test]
fn corpus_agrees_with_dvc() {
    let root = corpus_dir();
    // shared/ sits beside the repository, in CI as on developer machines; without it
    // this test would prove nothing, so it fails rather than skips.
    assert!(root.is_dir(), "corpus not found at {}", root.display());
    let filter = std::env::var("CORPUS_CASE").ok();
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("expected.json").is_file())
        .filter(|p| {
            filter
                .as_deref()
                .is_none_or(|f| p.to_string_lossy().contains(f))
        })
        .collect();
    cases.sort();
    let mut failures = Vec::new();
    let (mut n_stages, mut n_edges) = (0, 0);
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let outcome = std::panic::catch_unwind(|| check_case(case))
            .unwrap_or_else(|_| Err("panicked".into()));
        match outcome {
            Ok((s, e)) => {
                n_stages += s;
                n_edges += e;
            }
            Err(msg) => failures.push(format!("{name}: {msg}")),
        }
    }
    eprintln!(
        "corpus: {}/{} cases agree with DVC ({n_stages} stages and {n_edges} edges of accepted cases compared)",
        cases.len() - failures.len(),
        cases.len()
    );
    for f in &failures {
        eprintln!("  DISAGREE {f}");
    }
    assert!(
        failures.is_empty(),
        "{} of {} corpus cases disagree with DVC",
        failures.len(),
        cases.len()
    );
}

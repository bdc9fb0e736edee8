//! The pipeline editor over the 213 real-world pipelines of `shared/corpus/dvc-projects`:
//! for every stage it may edit, rewriting its command as written must leave a file that
//! loads to the same pipeline, and adding then removing an output must give back the file
//! byte for byte (when the list was in block style). Real files have comments, odd
//! indentation, flow lists, folded commands and CRLF-free quirks the unit tests do not.

use std::path::{Path, PathBuf};

use cairn_pipeline::edit::{Edit, PathList, plan, written_cmd};
use cairn_pipeline::{LocalFs, load_project_fs};
use serde_json::Value;

fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/dvc-projects")
}

/// The project as JSON without line numbers (an edit moves lines).
fn model(root: &Path) -> Result<Value, String> {
    let p = load_project_fs(&LocalFs::new(root)).map_err(|e| e.to_string())?;
    let mut v = serde_json::to_value(p.stages().collect::<Vec<_>>()).unwrap();
    strip_lines(&mut v);
    Ok(v)
}

fn strip_lines(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.remove("line");
            m.values_mut().for_each(strip_lines);
        }
        Value::Array(a) => a.iter_mut().for_each(strip_lines),
        _ => {}
    }
}

fn copy_dir(from: &Path, to: &Path) {
    for e in walkdir(from) {
        let rel = e.strip_prefix(from).unwrap();
        let dst = to.join(rel);
        std::fs::create_dir_all(dst.parent().unwrap()).unwrap();
        std::fs::copy(&e, &dst).unwrap();
    }
}

fn walkdir(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walkdir(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn editing_real_pipelines_round_trips() {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .expect("the corpus is in ../shared/corpus")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    let (mut checked, mut failures) = (0usize, Vec::new());
    for case in cases {
        let tmp = tempfile::tempdir().unwrap();
        copy_dir(&case, tmp.path());
        let root = tmp.path();
        let Ok(before) = model(root) else { continue };
        let fs = LocalFs::new(root);
        let project = load_project_fs(&fs).unwrap();
        let stages: Vec<_> = project
            .stages()
            .filter(|s| !s.data_source && s.generated_from.is_none())
            .take(6)
            .cloned()
            .collect();
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        for st in stages {
            let Some(cmd) = written_cmd(&fs, &st) else {
                failures.push(format!("{name}: {}: no written command", st.addressing));
                continue;
            };
            let original = std::fs::read_to_string(root.join(&st.dvcfile)).unwrap();
            // The command, rewritten as written.
            match plan(
                &fs,
                &Edit::SetCmd {
                    stage: st.addressing.clone(),
                    cmd,
                },
            ) {
                Ok(change) => {
                    std::fs::write(root.join(&change.file), &change.after).unwrap();
                    match model(root) {
                        Ok(after) if after == before => {}
                        Ok(_) => failures.push(format!(
                            "{name}: {}: set_cmd changed the pipeline",
                            st.addressing
                        )),
                        Err(e) => failures.push(format!(
                            "{name}: {}: set_cmd broke the file: {e}",
                            st.addressing
                        )),
                    }
                    std::fs::write(root.join(&st.dvcfile), &original).unwrap();
                }
                // A stage written in flow style is refused on purpose.
                Err(cairn_pipeline::edit::EditError::FlowStyle { .. }) => continue,
                Err(e) => failures.push(format!("{name}: {}: set_cmd refused: {e}", st.addressing)),
            }
            // An output added and removed again.
            let dir = st.wdir_rel();
            let probe = if dir.is_empty() {
                "cairn-probe.out".to_string()
            } else {
                format!("{dir}/cairn-probe.out")
            };
            let add = Edit::AddPath {
                stage: st.addressing.clone(),
                list: PathList::Outs,
                path: probe.clone(),
            };
            let remove = Edit::RemovePath {
                stage: st.addressing.clone(),
                list: PathList::Outs,
                path: probe,
            };
            let added = match plan(&fs, &add) {
                Ok(c) => c,
                Err(cairn_pipeline::edit::EditError::FlowStyle { .. }) => continue,
                Err(e) => {
                    failures.push(format!("{name}: {}: add out refused: {e}", st.addressing));
                    continue;
                }
            };
            std::fs::write(root.join(&added.file), &added.after).unwrap();
            let flow_list =
                !added.after.contains("cairn-probe.out\n") || original.contains("outs: [");
            match plan(&fs, &remove) {
                Ok(removed) => {
                    std::fs::write(root.join(&removed.file), &removed.after).unwrap();
                    let back = model(root);
                    if !flow_list && removed.after != original {
                        failures.push(format!(
                            "{name}: {}: add+remove out is not byte-identical",
                            st.addressing
                        ));
                    } else if back.as_ref() != Ok(&before) {
                        failures.push(format!(
                            "{name}: {}: add+remove out changed the pipeline",
                            st.addressing
                        ));
                    }
                }
                Err(e) => failures.push(format!(
                    "{name}: {}: remove out refused: {e}",
                    st.addressing
                )),
            }
            std::fs::write(root.join(&st.dvcfile), &original).unwrap();
            checked += 1;
        }
    }
    eprintln!("edited {checked} stages of the corpus");
    assert!(checked > 200, "only {checked} stages were edited");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

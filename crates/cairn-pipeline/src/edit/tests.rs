use super::*;
use crate::LocalFs;

/// A repo with the given files; returns the dir (kept alive by the caller).
fn repo(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (p, text) in files {
        let path = dir.path().join(p);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

fn apply(dir: &tempfile::TempDir, edit: Edit) -> Result<String, EditError> {
    let change = plan(&LocalFs::new(dir.path()), &edit)?;
    std::fs::write(dir.path().join(&change.file), &change.after).unwrap();
    Ok(change.after)
}

fn stage(name: &str, cmd: &str, deps: &[&str], outs: &[&str]) -> NewStage {
    NewStage {
        name: name.into(),
        cmd: vec![cmd.into()],
        deps: deps.iter().map(|d| d.to_string()).collect(),
        outs: outs
            .iter()
            .map(|o| NewOut {
                path: o.to_string(),
                kind: OutKind::Out,
                cache: true,
                persist: false,
            })
            .collect(),
        ..Default::default()
    }
}

fn add(s: NewStage) -> Edit {
    Edit::AddStage {
        file: "dvc.yaml".into(),
        stage: s,
        force: false,
    }
}

const HAND_WRITTEN: &str = "\
# Our pipeline.
vars:
  - seed: 1

stages:
    # Cleans the raw data.
    prepare:
        cmd: python prep.py   # keep this comment
        deps:
            - data.csv
            - prep.py
        outs:
            - prepared

    train:
        cmd: python train.py
        deps:
            - prepared
        outs:
            - model.pkl

metrics:
  - metrics.json
";

#[test]
fn a_new_file_gets_what_dvc_stage_add_writes() {
    let dir = repo(&[("data.csv", "x")]);
    let mut st = stage("prepare", "python prep.py", &["data.csv"], &["prepared"]);
    st.params = vec![
        ParamsSpec {
            file: None,
            keys: vec!["seed".into(), "alpha".into()],
        },
        ParamsSpec {
            file: Some("other.yaml".into()),
            keys: vec![],
        },
    ];
    st.outs.push(NewOut {
        path: "scores.json".into(),
        kind: OutKind::Metric,
        cache: false,
        persist: false,
    });
    let text = apply(&dir, add(st)).unwrap();
    assert_eq!(
        text,
        "stages:\n  prepare:\n    cmd: python prep.py\n    deps:\n    - data.csv\n    params:\n    \
         - alpha\n    - seed\n    - other.yaml:\n    outs:\n    - prepared\n    metrics:\n    \
         - scores.json:\n        cache: false\n"
    );
}

#[test]
fn edits_keep_every_other_line_of_a_hand_written_file() {
    let dir = repo(&[
        ("dvc.yaml", HAND_WRITTEN),
        ("data.csv", ""),
        ("prep.py", ""),
    ]);
    let text = apply(
        &dir,
        add(stage(
            "evaluate",
            "python eval.py",
            &["model.pkl"],
            &["eval.json"],
        )),
    )
    .unwrap();
    let expected = HAND_WRITTEN.replace(
        "            - model.pkl\n",
        "            - model.pkl\n    evaluate:\n        cmd: python eval.py\n        deps:\n            - model.pkl\n        outs:\n            - eval.json\n",
    );
    assert_eq!(text, expected);

    let text = apply(
        &dir,
        Edit::SetCmd {
            stage: "train".into(),
            cmd: vec!["python train.py --epochs 3".into()],
        },
    )
    .unwrap();
    assert!(text.contains("    train:\n        cmd: python train.py --epochs 3\n        deps:"));
    assert!(text.contains("cmd: python prep.py   # keep this comment"));

    // Appended to an indented list with the list's own indentation.
    let text = apply(
        &dir,
        Edit::AddPath {
            stage: "train".into(),
            list: PathList::Deps,
            path: "data.csv".into(),
        },
    )
    .unwrap();
    assert!(text.contains("            - prepared\n            - data.csv\n        outs:"));

    let text = apply(
        &dir,
        Edit::RemovePath {
            stage: "prepare".into(),
            list: PathList::Deps,
            path: "./prep.py".into(),
        },
    )
    .unwrap();
    assert!(text.contains("            - data.csv\n        outs:\n            - prepared\n"));

    // Removing a stage takes its comment and one separating blank line.
    let text = apply(
        &dir,
        Edit::RemoveStage {
            stage: "prepare".into(),
        },
    )
    .unwrap();
    assert!(text.starts_with("# Our pipeline.\nvars:\n  - seed: 1\n\nstages:\n    train:\n"));
    assert!(!text.contains("Cleans"));
    assert!(text.ends_with("\nmetrics:\n  - metrics.json\n"));
}

#[test]
fn a_missing_key_goes_where_dvc_puts_it_and_an_emptied_list_goes_away() {
    let dir = repo(&[
        (
            "dvc.yaml",
            "stages:\n  a:\n    cmd: echo\n    outs:\n    - o\n",
        ),
        ("in.txt", ""),
    ]);
    let text = apply(
        &dir,
        Edit::AddPath {
            stage: "a".into(),
            list: PathList::Deps,
            path: "in.txt".into(),
        },
    )
    .unwrap();
    assert_eq!(
        text,
        "stages:\n  a:\n    cmd: echo\n    deps:\n    - in.txt\n    outs:\n    - o\n"
    );
    // Appending to DVC's own (indentless) lists keeps every other line, trailing spaces too.
    let with_space = "stages:\n  a:\n    cmd: echo\n    deps:\n    - in.txt \n    outs:\n    - o\n";
    std::fs::write(dir.path().join("dvc.yaml"), with_space).unwrap();
    let out = |add: bool| {
        let (stage, list, path) = ("a".to_string(), PathList::Outs, "p".to_string());
        if add {
            Edit::AddPath { stage, list, path }
        } else {
            Edit::RemovePath { stage, list, path }
        }
    };
    let text = apply(&dir, out(true)).unwrap();
    assert_eq!(text, with_space.replace("- o\n", "- o\n    - p\n"));
    assert_eq!(apply(&dir, out(false)).unwrap(), with_space);
    std::fs::write(
        dir.path().join("dvc.yaml"),
        text.replace(" \n", "\n").replace("    - p\n", ""),
    )
    .unwrap();
    let text = apply(
        &dir,
        Edit::RemovePath {
            stage: "a".into(),
            list: PathList::Deps,
            path: "in.txt".into(),
        },
    )
    .unwrap();
    assert_eq!(text, "stages:\n  a:\n    cmd: echo\n    outs:\n    - o\n");
    let text = apply(&dir, Edit::RemoveStage { stage: "a".into() }).unwrap();
    assert_eq!(text, "stages: {}\n");
    // And a stage can be added to that again.
    let text = apply(&dir, add(stage("b", "echo b", &[], &["b.txt"]))).unwrap();
    assert_eq!(
        text,
        "stages:\n  b:\n    cmd: echo b\n    outs:\n    - b.txt\n"
    );
}

#[test]
fn several_commands_become_a_list_and_blank_ones_are_dropped() {
    let dir = repo(&[("dvc.yaml", "stages:\n  a:\n    cmd: echo\n")]);
    let text = apply(
        &dir,
        Edit::SetCmd {
            stage: "a".into(),
            cmd: vec!["make data".into(), "  ".into(), "make model".into()],
        },
    )
    .unwrap();
    assert_eq!(
        text,
        "stages:\n  a:\n    cmd:\n    - make data\n    - make model\n"
    );
    let err = apply(
        &dir,
        Edit::SetCmd {
            stage: "a".into(),
            cmd: vec![" ".into()],
        },
    )
    .unwrap_err();
    assert!(matches!(err, EditError::EmptyCmd(_)), "{err}");
}

#[test]
fn a_wire_that_closes_a_loop_is_refused_with_the_stages_on_it() {
    let dir = repo(&[(
        "dvc.yaml",
        "stages:\n  a:\n    cmd: echo\n    outs:\n    - a.txt\n  b:\n    cmd: echo\n    deps:\n    - a.txt\n    outs:\n    - b.txt\n",
    )]);
    let before = std::fs::read_to_string(dir.path().join("dvc.yaml")).unwrap();
    let err = apply(
        &dir,
        Edit::AddPath {
            stage: "a".into(),
            list: PathList::Deps,
            path: "b.txt".into(),
        },
    )
    .unwrap_err();
    assert_eq!(err.kind(), "cycle", "{err}");
    assert!(err.to_string().contains("nothing was written"), "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("dvc.yaml")).unwrap(),
        before
    );
    // An output another stage already writes is refused too.
    let err = apply(
        &dir,
        Edit::AddPath {
            stage: "b".into(),
            list: PathList::Outs,
            path: "a.txt".into(),
        },
    )
    .unwrap_err();
    assert!(matches!(err, EditError::WouldBreak(_)), "{err}");
}

#[test]
fn bad_names_paths_and_missing_deps_are_refused() {
    let dir = repo(&[(
        "dvc.yaml",
        "stages:\n  a:\n    cmd: echo\n    outs:\n    - a.txt\n",
    )]);
    let e = apply(&dir, add(stage("x.y", "echo", &[], &[]))).unwrap_err();
    assert!(matches!(e, EditError::BadName(_)), "{e}");
    let e = apply(&dir, add(stage("a", "echo", &[], &[]))).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("dvc.yaml:2: stage `a` already exists"),
        "{e}"
    );
    let e = apply(&dir, add(stage("b", "echo", &["../secret"], &[]))).unwrap_err();
    assert!(matches!(e, EditError::OutsideRepo(_)), "{e}");
    let e = apply(&dir, add(stage("b", "echo", &[], &["/etc/x"]))).unwrap_err();
    assert!(matches!(e, EditError::OutsideRepo(_)), "{e}");
    let e = apply(&dir, add(stage("b", "echo", &["nowhere.csv"], &[]))).unwrap_err();
    assert!(
        e.to_string()
            .contains("`nowhere.csv` does not exist and no stage outputs it")
    );
    // A dep inside another stage's output directory is fine.
    apply(&dir, add(stage("b", "echo", &["a.txt"], &[]))).unwrap();
    let e = apply(
        &dir,
        Edit::SetCmd {
            stage: "zzz".into(),
            cmd: vec!["x".into()],
        },
    )
    .unwrap_err();
    assert!(matches!(e, EditError::NoSuchStage(_)), "{e}");
}

#[test]
fn generated_and_flow_style_stages_are_left_to_the_author() {
    let dir = repo(&[(
        "dvc.yaml",
        "stages:\n  grid:\n    foreach: [1, 2]\n    do:\n      cmd: echo ${item}\n  f: {cmd: echo}\n",
    )]);
    let e = apply(
        &dir,
        Edit::SetCmd {
            stage: "grid@1".into(),
            cmd: vec!["x".into()],
        },
    )
    .unwrap_err();
    assert!(e.to_string().contains("generated from `grid`"), "{e}");
    let e = apply(
        &dir,
        Edit::SetCmd {
            stage: "f".into(),
            cmd: vec!["x".into()],
        },
    )
    .unwrap_err();
    assert!(
        e.to_string()
            .starts_with("dvc.yaml:6: stage `f` is written in flow style"),
        "{e}"
    );
}

#[test]
fn paths_are_written_relative_to_the_stage_directory() {
    let dir = repo(&[
        (
            "sub/dvc.yaml",
            "stages:\n  s:\n    cmd: echo\n    wdir: work\n    deps:\n    - in.txt\n",
        ),
        ("sub/work/in.txt", ""),
        ("top.csv", ""),
    ]);
    let text = apply(
        &dir,
        Edit::AddPath {
            stage: "sub/dvc.yaml:s".into(),
            list: PathList::Deps,
            path: "top.csv".into(),
        },
    )
    .unwrap();
    assert!(
        text.ends_with("    - in.txt\n    - ../../top.csv\n"),
        "{text}"
    );
    let text = apply(
        &dir,
        Edit::RemovePath {
            stage: "sub/dvc.yaml:s".into(),
            list: PathList::Deps,
            path: "sub/work/in.txt".into(),
        },
    )
    .unwrap();
    assert!(text.ends_with("    deps:\n    - ../../top.csv\n"), "{text}");
}

#[test]
fn written_cmd_is_the_text_before_interpolation() {
    let dir = repo(&[(
        "dvc.yaml",
        "vars:\n  - n: 3\nstages:\n  a:\n    cmd: echo ${n}\n",
    )]);
    let fs = LocalFs::new(dir.path());
    let project = crate::load_project_fs(&fs).unwrap();
    let st = project.stage("a").unwrap();
    assert_eq!(st.cmd.commands(), vec!["echo 3".to_string()]);
    assert_eq!(written_cmd(&fs, st), Some(vec!["echo ${n}".to_string()]));
}

#[test]
fn writing_and_reverting_refuse_a_file_changed_meanwhile() {
    let dir = repo(&[("dvc.yaml", "stages:\n  a:\n    cmd: echo\n")]);
    let fs = LocalFs::new(dir.path());
    let change = plan(
        &fs,
        &Edit::SetCmd {
            stage: "a".into(),
            cmd: vec!["echo 2".into()],
        },
    )
    .unwrap();
    write(dir.path(), &change).unwrap();
    let read = || std::fs::read_to_string(dir.path().join("dvc.yaml")).unwrap();
    assert_eq!(read(), "stages:\n  a:\n    cmd: echo 2\n");
    // Written twice: the file no longer holds what the change started from.
    assert!(matches!(
        write(dir.path(), &change),
        Err(EditError::Conflict(_))
    ));
    revert(dir.path(), &change).unwrap();
    assert_eq!(read(), "stages:\n  a:\n    cmd: echo\n");
    // Someone edits the file by hand: undo must not clobber that.
    write(dir.path(), &change).unwrap();
    std::fs::write(
        dir.path().join("dvc.yaml"),
        "stages:\n  a:\n    cmd: mine\n",
    )
    .unwrap();
    assert!(matches!(
        revert(dir.path(), &change),
        Err(EditError::Conflict(_))
    ));
    assert_eq!(read(), "stages:\n  a:\n    cmd: mine\n");

    // Undoing the creation of a file removes it.
    let new = plan(
        &fs,
        &Edit::AddStage {
            file: "sub/dvc.yaml".into(),
            stage: stage("b", "echo b", &[], &[]),
            force: false,
        },
    )
    .unwrap();
    assert_eq!(new.before, None);
    write(dir.path(), &new).unwrap();
    assert!(dir.path().join("sub/dvc.yaml").exists());
    revert(dir.path(), &new).unwrap();
    assert!(!dir.path().join("sub/dvc.yaml").exists());
}

#[test]
fn new_stages_follow_the_files_list_indentation() {
    let dir = repo(&[
        (
            "dvc.yaml",
            "stages:\n  a:\n    cmd: echo\n    outs:\n      - a.txt\n",
        ),
        ("params.yaml", "lr: 1\n"),
        ("o.yaml", "d: 1\n"),
    ]);
    let mut st = stage("b", "echo b", &["a.txt"], &["b.txt"]);
    st.outs[0].cache = false;
    st.params = vec![ParamsSpec {
        file: Some("o.yaml".into()),
        keys: vec!["d".into()],
    }];
    let text = apply(&dir, add(st)).unwrap();
    assert_eq!(
        text,
        "stages:\n  a:\n    cmd: echo\n    outs:\n      - a.txt\n  b:\n    cmd: echo b\n    deps:\n      - a.txt\n    params:\n      - o.yaml:\n        - d\n    outs:\n      - b.txt:\n          cache: false\n"
    );
}

#[test]
fn removing_a_stage_forgets_its_lock_entry_and_ignores_and_undo_brings_them_back() {
    let yaml = "stages:\n  a:\n    cmd: echo\n    outs:\n    - a.txt\n  b:\n    cmd: echo\n    outs:\n    - b.txt\n";
    let lock = "schema: '2.0'\nstages:\n  a:\n    cmd: echo\n    outs:\n    - path: a.txt\n      hash: md5\n      md5: 60b725f10c9c85c70d97880dfe8191b3\n      size: 2\n  b:\n    cmd: echo\n    outs:\n    - path: b.txt\n      hash: md5\n      md5: 3b5d5c3712955042212316173ccf37be\n      size: 2\n";
    let dir = repo(&[
        ("dvc.yaml", yaml),
        ("dvc.lock", lock),
        (".gitignore", "/a.txt\n/b.txt\n"),
    ]);
    let read = |f: &str| std::fs::read_to_string(dir.path().join(f)).ok();
    let change = plan(
        &LocalFs::new(dir.path()),
        &Edit::RemoveStage { stage: "a".into() },
    )
    .unwrap();
    write(dir.path(), &change).unwrap();
    assert_eq!(
        read("dvc.yaml").unwrap(),
        "stages:\n  b:\n    cmd: echo\n    outs:\n    - b.txt\n"
    );
    assert_eq!(
        read("dvc.lock").unwrap(),
        "schema: '2.0'\nstages:\n  b:\n    cmd: echo\n    outs:\n    - path: b.txt\n      hash: md5\n      md5: 3b5d5c3712955042212316173ccf37be\n      size: 2\n"
    );
    assert_eq!(read(".gitignore").unwrap(), "/b.txt\n");
    revert(dir.path(), &change).unwrap();
    assert_eq!(read("dvc.yaml").unwrap(), yaml);
    assert_eq!(read("dvc.lock").unwrap(), lock);
    assert_eq!(read(".gitignore").unwrap(), "/a.txt\n/b.txt\n");
    // A hand edit to any of the files stops the undo before anything is written.
    write(dir.path(), &change).unwrap();
    std::fs::write(dir.path().join(".gitignore"), "/b.txt\n/mine\n").unwrap();
    assert!(
        matches!(revert(dir.path(), &change), Err(EditError::Conflict(f)) if f == ".gitignore")
    );
    assert_eq!(
        read("dvc.yaml").unwrap(),
        "stages:\n  b:\n    cmd: echo\n    outs:\n    - b.txt\n"
    );
}

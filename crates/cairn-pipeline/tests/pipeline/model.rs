//! Behaviour tests over small in-memory repositories: interpolation, expansion names, the
//! graph checks and the wording of errors. Expected values were checked against DVC 3.67.1.

use std::collections::BTreeMap;
use std::io;

use cairn_pipeline::{
    Cmd, PipelineError, RepoFs, build_dag, load_project_fs, to_dot, to_mermaid, to_text,
};

/// A repository held in memory: path → contents.
struct MemFs(BTreeMap<String, String>);

impl MemFs {
    fn new(files: &[(&str, &str)]) -> Self {
        MemFs(
            files
                .iter()
                .map(|(p, t)| (p.to_string(), t.to_string()))
                .collect(),
        )
    }
}

impl RepoFs for MemFs {
    fn read_to_string(&self, rel: &str) -> io::Result<String> {
        self.0
            .get(rel)
            .cloned()
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, rel.to_string()))
    }
    fn exists(&self, rel: &str) -> bool {
        self.0.contains_key(rel) || self.is_dir(rel)
    }
    fn is_dir(&self, rel: &str) -> bool {
        rel.is_empty() || self.0.keys().any(|k| k.starts_with(&format!("{rel}/")))
    }
    fn list_dir(&self, rel: &str) -> io::Result<Vec<(String, bool)>> {
        let prefix = if rel.is_empty() {
            String::new()
        } else {
            format!("{rel}/")
        };
        let mut out: Vec<(String, bool)> = Vec::new();
        for k in self.0.keys() {
            if let Some(rest) = k.strip_prefix(&prefix) {
                let (name, is_dir) = match rest.split_once('/') {
                    Some((d, _)) => (d.to_string(), true),
                    None => (rest.to_string(), false),
                };
                if !out.iter().any(|(n, _)| *n == name) {
                    out.push((name, is_dir));
                }
            }
        }
        Ok(out)
    }
}

fn names(files: &[(&str, &str)]) -> Vec<String> {
    let p = load_project_fs(&MemFs::new(files)).unwrap();
    p.stages().map(|s| s.addressing.clone()).collect()
}

fn cmds(files: &[(&str, &str)]) -> Vec<String> {
    let p = load_project_fs(&MemFs::new(files)).unwrap();
    p.stages()
        .map(|s| match &s.cmd {
            Cmd::Str(c) => format!("{}: {c}", s.addressing),
            Cmd::List(l) => format!("{}: {l:?}", s.addressing),
        })
        .collect()
}

fn error(files: &[(&str, &str)]) -> PipelineError {
    let fs = MemFs::new(files);
    match load_project_fs(&fs) {
        Err(e) => e,
        Ok(p) => build_dag(&p).expect_err("expected the pipeline to be rejected"),
    }
}

const PARAMS: &str = "flags: [true, false]\nlr: [0.1, 1.0e-5]\n\
    opts: {epochs: 3, verbose: true, quiet: false, tags: [a, 'b c'], nested: {x: 1}}\n";

#[test]
fn generated_names_follow_dvc() {
    let yaml = r#"stages:
  f:
    foreach: ${flags}
    do:
      cmd: echo ${item}
  g:
    foreach: [true, 1.5, null, 1e-5]
    do:
      cmd: echo ${item}
  m:
    matrix:
      flag: ${flags}
      lr: [0.1, true]
      d: [{a: 1}, [1]]
    cmd: echo ${item.flag} ${key} ${opts}
  h:
    foreach: ${lr}
    do:
      cmd: echo ${item} \${item}
  dicts:
    foreach:
      us: {epochs: 1}
      eu: {epochs: 2}
    do:
      cmd: echo ${key} ${item.epochs}
  listdicts:
    foreach:
      - {os: linux}
      - {os: mac}
    do:
      cmd: echo ${item.os}
"#;
    // Exactly what DVC 3.67.1 printed for this file (note `True` vs `true`).
    insta::assert_snapshot!(cmds(&[("params.yaml", PARAMS), ("dvc.yaml", yaml)]).join("\n"), @r"
    f@True: echo true
    f@False: echo false
    g@true: echo true
    g@1.5: echo 1.5
    g@None: echo None
    g@1e-05: echo 1e-05
    m@True-0.1-d0: echo true True-0.1-d0 --epochs 3 --verbose --tags a 'b c' --nested.x 1
    m@True-0.1-d1: echo true True-0.1-d1 --epochs 3 --verbose --tags a 'b c' --nested.x 1
    m@True-true-d0: echo true True-true-d0 --epochs 3 --verbose --tags a 'b c' --nested.x 1
    m@True-true-d1: echo true True-true-d1 --epochs 3 --verbose --tags a 'b c' --nested.x 1
    m@False-0.1-d0: echo false False-0.1-d0 --epochs 3 --verbose --tags a 'b c' --nested.x 1
    m@False-0.1-d1: echo false False-0.1-d1 --epochs 3 --verbose --tags a 'b c' --nested.x 1
    m@False-true-d0: echo false False-true-d0 --epochs 3 --verbose --tags a 'b c' --nested.x 1
    m@False-true-d1: echo false False-true-d1 --epochs 3 --verbose --tags a 'b c' --nested.x 1
    h@0.1: echo 0.1 ${item}
    h@1e-05: echo 1e-05 ${item}
    dicts@us: echo us 1
    dicts@eu: echo eu 2
    listdicts@0: echo linux
    listdicts@1: echo mac
    ");
}

#[test]
fn vars_files_keys_inline_and_stage_vars() {
    let files = [
        ("params.yaml", "model: {name: resnet, layers: [18, 34]}\n"),
        (
            "conf/extra.json",
            "{\"a\": 1, \"b\": {\"c\": \"x\"}, \"unused\": 0}",
        ),
        ("conf/t.toml", "threshold = 0.5\n"),
        ("sub/local.yaml", "here: yes\n"),
        (
            "dvc.yaml",
            "vars:\n  - conf/extra.json:a,b\n  - conf/t.toml\n  - {outdir: out}\nstages:\n  s:\n    cmd: run ${model.name}-${model.layers[1]} ${b.c} ${a} ${threshold} > ${outdir}/x\n    wdir: sub\n    vars: [local.yaml]\n    deps:\n      - ${here}.txt\n    outs:\n      - ${outdir}/x\n    params:\n      - model.name\n      - ../conf/t.toml:\n        - threshold\n",
        ),
    ];
    let p = load_project_fs(&MemFs::new(&files)).unwrap();
    let s = p.stages().next().unwrap();
    assert_eq!(s.cmd, Cmd::Str("run resnet-34 x 1 0.5 > out/x".into()));
    assert_eq!(s.wdir, "sub");
    assert_eq!(s.deps[0].path, "yes.txt"); // `yes` is a string in YAML 1.2
    assert_eq!(s.outs[0].path, "out/x");
    assert_eq!(s.params[0].file, "params.yaml");
    assert_eq!(s.params[1].file, "../conf/t.toml");
    assert_eq!(s.params[1].keys, vec!["threshold"]);
}

#[test]
fn interpolation_inside_flow_sequences_is_a_yaml_error() {
    // `[${x}]` is invalid YAML for ruamel too: the braces clash with flow syntax.
    let files = [(
        "dvc.yaml",
        "stages:\n  s:\n    cmd: x\n    deps: [${x}.txt]\n",
    )];
    assert!(matches!(error(&files), PipelineError::Syntax { .. }));
}

#[test]
fn params_whole_file_swallows_keys() {
    let files = [(
        "dvc.yaml",
        "stages:\n  s:\n    cmd: x\n    params:\n      - a\n      - params.yaml:\n      - other.yaml: [k]\n      - other.yaml: [j]\n",
    )];
    let p = load_project_fs(&MemFs::new(&files)).unwrap();
    let s = p.stages().next().unwrap();
    let got: Vec<(String, Vec<String>)> = s
        .params
        .iter()
        .map(|p| (p.file.clone(), p.keys.clone()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("params.yaml".into(), vec![]),
            ("other.yaml".into(), vec!["k".into(), "j".into()])
        ]
    );
}

#[test]
fn subdirectory_addresses_and_edges() {
    let files = [
        (
            "dvc.yaml",
            "stages:\n  a:\n    cmd: x\n    outs: [data/]\n  lone:\n    cmd: y\n",
        ),
        (
            "sub/dvc.yaml",
            "stages:\n  s:\n    cmd: z\n    deps: [../data/file.csv]\n    outs: [s.txt]\n",
        ),
        (
            "dvc2/dvc.yaml",
            "stages:\n  t:\n    cmd: z\n    deps: [../sub]\n",
        ),
    ];
    assert_eq!(
        names(&files),
        vec!["a", "lone", "dvc2/dvc.yaml:t", "sub/dvc.yaml:s"]
    );
    let dag = build_dag(&load_project_fs(&MemFs::new(&files)).unwrap()).unwrap();
    insta::assert_snapshot!(to_dot(&dag), @r#"
    strict digraph {
    "a";
    "lone";
    "dvc2/dvc.yaml:t";
    "sub/dvc.yaml:s";
    "a" -> "sub/dvc.yaml:s";
    "sub/dvc.yaml:s" -> "dvc2/dvc.yaml:t";
    }
    "#);
    insta::assert_snapshot!(to_mermaid(&dag, false), @r#"
    flowchart TD
    	node1["a"]
    	node2["dvc2/dvc.yaml:t"]
    	node3["sub/dvc.yaml:s"]
    	node1-->node3
    	node3-->node2
    	node4["lone"]
    "#);
    insta::assert_snapshot!(to_text(&dag), @r"
    a
    sub/dvc.yaml:s  <- a
    dvc2/dvc.yaml:t  <- sub/dvc.yaml:s

    lone
    ");
}

#[test]
fn execution_order_is_dfs_postorder() {
    // The §5 example: a→b→c, a→d runs a, b, c, d.
    let files = [(
        "dvc.yaml",
        "stages:\n  d:\n    cmd: x\n    deps: [a.txt]\n  c:\n    cmd: x\n    deps: [b.txt]\n  b:\n    cmd: x\n    deps: [a.txt]\n    outs: [b.txt]\n  a:\n    cmd: x\n    outs: [a.txt]\n",
    )];
    let dag = build_dag(&load_project_fs(&MemFs::new(&files)).unwrap()).unwrap();
    let order: Vec<&str> = dag
        .postorder(None, false)
        .iter()
        .map(|&i| dag.nodes[i].as_str())
        .collect();
    assert_eq!(order, vec!["a", "d", "b", "c"]);
    let c = dag.index_of("c").unwrap();
    let plan: Vec<&str> = dag
        .repro_plan(&[c], false)
        .iter()
        .map(|&i| dag.nodes[i].as_str())
        .collect();
    assert_eq!(plan, vec!["a", "b", "c"]);
}

#[test]
fn cycle_is_named() {
    let files = [(
        "dvc.yaml",
        "stages:\n  a:\n    cmd: x\n    deps: [c.txt]\n    outs: [a.txt]\n  b:\n    cmd: x\n    deps: [a.txt]\n    outs: [b.txt]\n  c:\n    cmd: x\n    deps: [b.txt]\n    outs: [c.txt]\n",
    )];
    insta::assert_snapshot!(error(&files), @r"
    pipeline has a cycle: a -> c -> b -> a
      hint: the same item(s) are defined as both a dependency and an output along this path; break the loop by removing one of those deps
    ");
    let self_loop = [(
        "dvc.yaml",
        "stages:\n  s:\n    cmd: x\n    deps: [data]\n    outs: [data/out.txt]\n",
    )];
    assert!(matches!(error(&self_loop), PipelineError::Cycle { stages } if stages == ["s", "s"]));
}

#[test]
fn duplicate_and_overlapping_outputs() {
    let dup = [(
        "dvc.yaml",
        "stages:\n  a:\n    cmd: x\n    outs: [m.pkl]\n  b:\n    cmd: x\n    outs: [./m.pkl]\n",
    )];
    insta::assert_snapshot!(error(&dup), @r"
    dvc.yaml:7: output 'm.pkl' is specified in: a, b
      hint: keep each output in exactly one stage; remove it from all but one of them
    ");
    let nested = [(
        "dvc.yaml",
        "stages:\n  a:\n    cmd: x\n    outs: [data/sub/x]\n  b:\n    cmd: x\n    outs: [data]\n",
    )];
    insta::assert_snapshot!(error(&nested), @r"
    dvc.yaml:7: the output paths 'data' ('b') and 'data/sub/x' ('a') overlap and are thus in the same tracked directory
      hint: outputs should be in separate tracked directories or tracked individually
    ");
}

#[test]
fn error_messages_name_file_line_and_key() {
    let unknown = [(
        "sub/dvc.yaml",
        "stages:\n  s:\n    cmd: echo ${missing.key}\n",
    )];
    insta::assert_snapshot!(error(&unknown), @r"
    sub/dvc.yaml:3:10: failed to parse 'stages.s.cmd' in 'sub/dvc.yaml': Could not find 'missing.key'
      hint: define 'missing.key' in params.yaml next to 'sub/dvc.yaml' or in `vars`; write `\${` for a literal `${` (shell `${VAR:-x}` must be escaped or written as $VAR)
    ");
    let typed = [
        ("params.yaml", "l: [1, 2]\n"),
        (
            "dvc.yaml",
            "stages:\n  s:\n    cmd: x\n    deps:\n      - a-${l}\n",
        ),
    ];
    insta::assert_snapshot!(error(&typed), @r"
    dvc.yaml:5:9: failed to parse 'stages.s.deps' in 'dvc.yaml': Cannot interpolate data of type 'list'
      hint: only strings, numbers and booleans can be substituted here (a dict only in `cmd`)
    ");
    let yaml = [("dvc.yaml", "stages:\n  s:\n    cmd: x\n     deps: [a]\n")];
    insta::assert_snapshot!(error(&yaml), @r"
    dvc.yaml:4:10: 'dvc.yaml' is invalid: mapping values are not allowed in this context
      hint: fix the syntax at that position (YAML forbids tabs for indentation; quote values containing ': ' or '{')
    ");
    let schema = [(
        "dvc.yaml",
        "stages:\n  s:\n    cmd: x\n    outs:\n      - m.pkl:\n          cache: no\n",
    )];
    insta::assert_snapshot!(error(&schema), @r"
    dvc.yaml:6:18: 'dvc.yaml' validation failed: expected bool, got a string, in stages -> s -> outs -> 0 -> m.pkl -> cache
      hint: use true or false (interpolation `${…}` is not allowed here)
    ");
    let redefined = [
        ("params.yaml", "lr: 1\n"),
        (
            "dvc.yaml",
            "vars:\n  - {lr: 2}\nstages:\n  s:\n    cmd: x\n",
        ),
    ];
    insta::assert_snapshot!(error(&redefined), @r"
    dvc.yaml:2:5: failed to parse 'vars' in 'dvc.yaml': cannot redefine 'lr' from 'vars[0]' as it already exists in 'params.yaml'
      hint: check that the file exists relative to the dvc.yaml (or the stage wdir) and that no variable is defined twice
    ");
    let legacy_lock = [
        ("dvc.yaml", "stages:\n  s:\n    cmd: x\n"),
        ("dvc.lock", "s:\n  cmd: x\n"),
    ];
    assert!(matches!(error(&legacy_lock), PipelineError::Lock { .. }));
    let remote = [(
        "dvc.yaml",
        "stages:\n  s:\n    cmd: x\n    deps: [s3://bucket/key]\n",
    )];
    assert!(matches!(
        error(&remote),
        PipelineError::UnsupportedRemote { .. }
    ));
}

#[test]
fn dvcignore_and_out_dirs_hide_pipelines() {
    let files = [
        (".dvcignore", "ignored/\n"),
        ("dvc.yaml", "stages:\n  a:\n    cmd: x\n    outs: [gen]\n"),
        ("ignored/dvc.yaml", "stages:\n  broken: {}\n"),
        ("gen/dvc.yaml", "stages:\n  inside:\n    cmd: x\n"),
        ("ok/dvc.yaml", "stages:\n  b:\n    cmd: x\n"),
    ];
    assert_eq!(names(&files), vec!["a", "ok/dvc.yaml:b"]);
}

#[test]
fn dvc_files_are_data_sources() {
    // Same layout as a repo checked with `dvc dag --dot` (DVC 3.67.1), whose output this is.
    let files = [
        (
            "dvc.yaml",
            "stages:\n  a:\n    cmd: echo a > a.txt\n    outs: [a.txt]\n  b:\n    foreach: [x, y]\n    do:\n      cmd: cat a.txt > b_${item}.txt\n      deps: [a.txt]\n      outs:\n        - b_${item}.txt\n  c:\n    cmd: cat b_x.txt sub/s.txt > c.txt\n    deps: [b_x.txt, sub/s.txt]\n    outs: [c.txt]\n  lone:\n    cmd: echo\n",
        ),
        (
            "data/raw.txt.dvc",
            "outs:\n- md5: d41d8cd98f00b204e9800998ecf8427e\n  size: 0\n  hash: md5\n  path: raw.txt\n",
        ),
        (
            "sub/dvc.yaml",
            "stages:\n  s:\n    cmd: cat ../data/raw.txt > s.txt\n    deps: [../data/raw.txt]\n    outs: [s.txt]\n",
        ),
    ];
    let dag = build_dag(&load_project_fs(&MemFs::new(&files)).unwrap()).unwrap();
    assert_eq!(
        to_dot(&dag),
        "strict digraph {\n\"a\";\n\"b@x\";\n\"b@y\";\n\"c\";\n\"lone\";\n\"data/raw.txt.dvc\";\n\"sub/dvc.yaml:s\";\n\
         \"a\" -> \"b@x\";\n\"a\" -> \"b@y\";\n\"b@x\" -> \"c\";\n\"data/raw.txt.dvc\" -> \"sub/dvc.yaml:s\";\n\
         \"sub/dvc.yaml:s\" -> \"c\";\n}\n\n"
    );
}

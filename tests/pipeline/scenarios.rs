//! Generated pipelines, each with the edits to check afterwards.

use cairn_e2e::TestRepo;

/// A change made to a reproduced repository.
pub enum Edit {
    /// Replace `from` with `to` in a file.
    Replace(&'static str, &'static str, &'static str),
    /// Overwrite a file.
    Write(&'static str, &'static str),
    /// Delete a file or directory.
    Remove(&'static str),
}

impl Edit {
    pub fn apply(&self, repo: &TestRepo) {
        match self {
            Edit::Replace(file, from, to) => {
                let text = String::from_utf8(repo.read(file)).expect("utf-8");
                assert!(text.contains(from), "{file} has no {from:?}");
                repo.write(file, text.replacen(from, to, 1));
            }
            Edit::Write(file, content) => repo.write(file, content),
            Edit::Remove(path) => repo.remove(path),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Edit::Replace(f, a, b) => format!("editing {f} ({a:?} -> {b:?})"),
            Edit::Write(f, _) => format!("rewriting {f}"),
            Edit::Remove(p) => format!("deleting {p}"),
        }
    }
}

/// Files of a repository plus the edits to try.
pub struct Scenario {
    pub name: &'static str,
    /// Stages that run on every repro (`always_changed`, or no deps and no outs).
    pub always: Vec<&'static str>,
    pub files: Vec<(&'static str, String)>,
    pub edits: Vec<Edit>,
}

fn s(v: &str) -> String {
    v.to_string()
}

pub fn linear() -> Scenario {
    Scenario {
        always: Vec::new(),
        name: "linear",
        files: vec![
            ("in.txt", s("raw\n")),
            ("params.yaml", s("scale: 2\nlr: 0.001\nname: a long value with spaces\n")),
            (
                "dvc.yaml",
                s("stages:
  a:
    cmd: cp in.txt a.txt && echo ${scale} >> a.txt
    deps: [in.txt]
    params: [scale]
    outs: [a.txt]
  b:
    cmd: cat a.txt a.txt > b.txt
    deps: [a.txt]
    params: [lr, name]
    outs: [b.txt]
  c:
    cmd: wc -c b.txt > c.txt && echo 'a rather long command line that goes past the eighty column limit of ruamel' > /dev/null
    deps: [b.txt]
    outs: [c.txt]
"),
            ),
        ],
        edits: vec![
            Edit::Replace("params.yaml", "scale: 2", "scale: 3"),
            Edit::Replace("params.yaml", "lr: 0.001", "lr: 1e-05"),
            Edit::Write("in.txt", "changed\n"),
            Edit::Replace("dvc.yaml", "cat a.txt a.txt > b.txt", "cat a.txt > b.txt"),
            Edit::Remove("b.txt"),
        ],
    }
}

pub fn diamond() -> Scenario {
    Scenario {
        always: Vec::new(),
        name: "diamond",
        files: vec![
            ("src.txt", s("1\n2\n3\n")),
            (
                "dvc.yaml",
                s("stages:
  top:
    cmd: sort -r src.txt > top.txt
    deps: [src.txt]
    outs: [top.txt]
  left:
    cmd: head -n 2 top.txt > left.txt
    deps: [top.txt]
    outs: [left.txt]
  right:
    cmd: tail -n 2 top.txt > right.txt
    deps: [top.txt]
    outs: [right.txt]
  bottom:
    cmd: cat left.txt right.txt > bottom.txt
    deps: [left.txt, right.txt]
    outs: [bottom.txt]
"),
            ),
        ],
        edits: vec![
            Edit::Write("src.txt", "4\n5\n"),
            Edit::Remove("left.txt"),
            Edit::Write("right.txt", "tampered\n"),
        ],
    }
}

pub fn fan_out() -> Scenario {
    let mut yaml = s("stages:\n");
    for i in 0..12 {
        yaml.push_str(&format!("  leaf{i:02}:\n    cmd: echo {i} | cat seed.txt - > out{i:02}.txt\n    deps: [seed.txt]\n    outs: [out{i:02}.txt]\n"));
    }
    yaml.push_str("  gather:\n    cmd: cat out*.txt > all.txt\n    deps:\n");
    for i in 0..12 {
        yaml.push_str(&format!("    - out{i:02}.txt\n"));
    }
    yaml.push_str("    outs: [all.txt]\n");
    Scenario {
        always: Vec::new(),
        name: "fan_out",
        files: vec![("seed.txt", s("seed\n")), ("dvc.yaml", yaml)],
        edits: vec![
            Edit::Write("seed.txt", "new seed\n"),
            Edit::Remove("out07.txt"),
        ],
    }
}

pub fn foreach_and_matrix() -> Scenario {
    Scenario {
        always: Vec::new(),
        name: "foreach_and_matrix",
        files: vec![
            ("params.yaml", s("models: [small, large]\nthreshold: 0.5\n")),
            (
                "dvc.yaml",
                s("stages:
  eval:
    foreach: ${models}
    do:
      cmd: echo ${item} threshold=${threshold} > eval_${item}.txt
      outs:
        - eval_${item}.txt
  grid:
    matrix:
      size: [1, 2]
      kind: [a, b]
    cmd: echo ${item.size}-${item.kind} > grid_${item.size}_${item.kind}.txt
    outs:
      - grid_${item.size}_${item.kind}.txt
  dictloop:
    foreach:
      us: {epochs: 1}
      eu: {epochs: 2}
    do:
      cmd: echo ${key} ${item.epochs} > dl_${key}.txt
      outs:
        - dl_${key}.txt
"),
            ),
        ],
        edits: vec![
            Edit::Replace("params.yaml", "threshold: 0.5", "threshold: 0.75"),
            Edit::Remove("grid_2_b.txt"),
        ],
    }
}

pub fn two_params_files() -> Scenario {
    Scenario {
        always: Vec::new(),
        name: "two_params_files",
        files: vec![
            (
                "params.yaml",
                s("train:\n  lr: 0.1\n  epochs: 3\nseed: 7\n"),
            ),
            ("custom.yaml", s("threshold: 0.5\nother: x\n")),
            ("data.csv", s("a,b\n1,2\n")),
            (
                "dvc.yaml",
                s("stages:
  train:
    cmd: cat data.csv > model.txt && echo ${train.lr} >> model.txt
    deps: [data.csv]
    params:
      - train
      - seed
      - custom.yaml:
          - threshold
    outs: [model.txt]
  report:
    cmd: cat model.txt > report.txt
    deps: [model.txt]
    params:
      - custom.yaml:
    outs: [report.txt]
"),
            ),
        ],
        edits: vec![
            Edit::Replace("params.yaml", "epochs: 3", "epochs: 4"),
            Edit::Replace("custom.yaml", "threshold: 0.5", "threshold: 0.6"),
            Edit::Replace("custom.yaml", "other: x", "other: y"),
            Edit::Replace("custom.yaml", "other: x", "other: x\nadded: 1"),
        ],
    }
}

pub fn wdir_and_dir_outs() -> Scenario {
    Scenario {
        always: Vec::new(),
        name: "wdir_and_dir_outs",
        files: vec![
            ("data/raw.txt", s("raw data\n")),
            (
                "dvc.yaml",
                s("stages:
  split:
    cmd: mkdir -p ../parts && cp raw.txt ../parts/one.txt && echo two > ../parts/two.txt
    wdir: data
    deps: [raw.txt]
    outs: [../parts]
  merge:
    cmd: cat parts/one.txt parts/two.txt > merged.txt
    deps: [parts]
    outs: [merged.txt]
"),
            ),
        ],
        edits: vec![
            Edit::Write("data/raw.txt", "other\n"),
            Edit::Write("parts/two.txt", "tampered\n"),
            Edit::Remove("parts"),
        ],
    }
}

pub fn uncached_and_persist_outs() -> Scenario {
    Scenario {
        always: Vec::new(),
        name: "uncached_and_persist_outs",
        files: vec![
            ("in.txt", s("x\n")),
            (
                "dvc.yaml",
                s("stages:
  train:
    cmd: cp in.txt model.bin && printf '{\"acc\":0.9}' > metrics.json && echo line >> history.log && printf 'step,acc\\n0,0.5\\n' > curve.csv
    deps: [in.txt]
    outs:
      - model.bin
      - history.log:
          persist: true
    metrics:
      - metrics.json:
          cache: false
    plots:
      - curve.csv:
          cache: false
  export:
    cmd: cp model.bin exported.bin
    deps: [model.bin]
    outs:
      - exported.bin:
          cache: false
"),
            ),
        ],
        edits: vec![Edit::Write("in.txt", "y\n"), Edit::Remove("metrics.json"), Edit::Remove("exported.bin")],
    }
}

pub fn frozen_always_and_callback() -> Scenario {
    Scenario {
        always: vec!["gen", "notify"],
        name: "frozen_always_and_callback",
        files: vec![
            ("in.txt", s("input\n")),
            ("frozen.txt", s("made before the stage was frozen\n")),
            // An output must not be tracked by git (both tools refuse that).
            (".gitignore", s("/frozen.txt\n")),
            (
                "dvc.yaml",
                s("stages:
  gen:
    cmd: echo constant > always.txt
    outs: [always.txt]
    always_changed: true
  frozen:
    cmd: echo regenerated > frozen.txt
    deps: [in.txt]
    outs: [frozen.txt]
    frozen: true
  use:
    cmd: cat always.txt frozen.txt > use.txt
    deps: [always.txt, frozen.txt]
    outs: [use.txt]
  notify:
    cmd: echo callback
"),
            ),
        ],
        edits: vec![
            Edit::Write("in.txt", "changed input\n"),
            Edit::Remove("use.txt"),
            Edit::Write("frozen.txt", "edited by hand\n"),
        ],
    }
}

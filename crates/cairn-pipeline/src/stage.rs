//! The stage model: what a resolved `dvc.yaml` stage means (DVC's `StageLoader.load_stage`).
//!
//! Paths are kept exactly as written (trailing `/`, `../`, URLs), because that is what DVC
//! shows and writes into `dvc.lock`; [`Stage::dep_repo_path`] / [`Out::repo_path`] give the
//! normalised repo-relative form used for graph building.

use cairn_yaml::{Mark, Node, Value};
use serde::Serialize;

use crate::data::Data;
use crate::error::{Location, PipelineError};
use crate::fs::{normpath, parent, repo_path, url_scheme};

/// A stage command: one string (possibly multi-line) or a list of commands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(untagged)]
pub enum Cmd {
    /// `cmd: python train.py` (a multi-line string runs line by line).
    Str(String),
    /// `cmd: [a, b]`.
    List(Vec<String>),
}

impl Cmd {
    /// The commands to run, one per entry: a multi-line string is split into lines, the
    /// way DVC's `_enforce_cmd_list` does.
    pub fn commands(&self) -> Vec<String> {
        match self {
            Cmd::Str(s) => s
                .lines()
                .map(String::from)
                .filter(|l| !l.trim().is_empty())
                .collect(),
            Cmd::List(v) => v.clone(),
        }
    }
}

/// A file or directory dependency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dep {
    /// As written (after interpolation), relative to the stage's `wdir`.
    pub path: String,
    /// Line of the entry in the pipeline file.
    pub line: usize,
}

/// A params dependency: keys of one params file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParamsDep {
    /// The params file as written, relative to the stage's `wdir` (`params.yaml` by default).
    pub file: String,
    /// The keys (dotted); empty means the whole file.
    pub keys: Vec<String>,
    /// Line of the first entry naming this file.
    pub line: usize,
}

/// Which section an output was declared in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OutKind {
    /// `outs`.
    Out,
    /// `metrics`.
    Metric,
    /// `plots`.
    Plot,
}

/// A stage output (from `outs`, `metrics` or `plots`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Out {
    /// As written (after interpolation), relative to the stage's `wdir`.
    pub path: String,
    /// The section it came from.
    pub kind: OutKind,
    /// `cache:` (default true).
    pub cache: bool,
    /// `persist:` (default false): not deleted before the command runs.
    pub persist: bool,
    /// `push:` (default true).
    pub push: bool,
    /// `remote:`.
    pub remote: Option<String>,
    /// `desc:`.
    pub desc: Option<String>,
    /// `type:`.
    #[serde(rename = "type")]
    pub type_: Option<String>,
    /// `labels:`.
    pub labels: Vec<String>,
    /// `meta:`.
    pub meta: Option<serde_json::Value>,
    /// Plot properties (`x`, `y`, `template`, ...) for plots that have them.
    pub plot_props: Option<serde_json::Map<String, serde_json::Value>>,
    /// Line of the entry.
    pub line: usize,
}

/// A pipeline stage after expansion and interpolation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stage {
    /// Name within its file: `train`, `eval@small`, `grid@1-a`.
    pub name: String,
    /// How DVC addresses it: the name for the root `dvc.yaml`, else `sub/dvc.yaml:name`.
    pub addressing: String,
    /// Repo-relative path of the pipeline file.
    pub dvcfile: String,
    /// The `foreach`/`matrix` group a generated stage belongs to.
    pub generated_from: Option<String>,
    /// The command(s).
    pub cmd: Cmd,
    /// Working directory, repo-relative, `.` for the root.
    pub wdir: String,
    /// File/directory dependencies, in order.
    pub deps: Vec<Dep>,
    /// Params dependencies, in DVC's order (first mention of each file).
    pub params: Vec<ParamsDep>,
    /// Outputs: `outs`, then `metrics`, then `plots`.
    pub outs: Vec<Out>,
    /// `frozen: true`.
    pub frozen: bool,
    /// `always_changed: true`.
    pub always_changed: bool,
    /// `desc:`.
    pub desc: Option<String>,
    /// `meta:`.
    pub meta: Option<serde_json::Value>,
    /// Line where the stage (or its group) is defined.
    pub line: usize,
    /// True for a `.dvc` file (a data source: outputs but no command), whose address is
    /// its path and whose `name` is empty.
    pub data_source: bool,
}

/// `dvc.yaml`'s addressing rule (`Stage.addressing`).
pub fn addressing(dvcfile: &str, name: &str) -> String {
    if dvcfile == "dvc.yaml" {
        name.to_string()
    } else {
        format!("{dvcfile}:{name}")
    }
}

impl Stage {
    /// The stage's working directory relative to the repo root (`""` for the root).
    pub fn wdir_rel(&self) -> &str {
        if self.wdir == "." { "" } else { &self.wdir }
    }

    /// A dep path normalised relative to the repo root (`None` for URLs).
    pub fn dep_repo_path(&self, path: &str) -> Option<String> {
        if url_scheme(path).is_some() {
            return None;
        }
        Some(repo_path(self.wdir_rel(), path))
    }

    /// Repo-relative normalised paths of the params files.
    pub fn params_repo_paths(&self) -> Vec<String> {
        self.params
            .iter()
            .map(|p| repo_path(self.wdir_rel(), &p.file))
            .collect()
    }
}

impl Out {
    /// The output normalised relative to the repo root (`None` for URLs).
    pub fn repo_path(&self, stage: &Stage) -> Option<String> {
        stage.dep_repo_path(&self.path)
    }
}

struct Builder<'a> {
    file: &'a str,
    name: &'a str,
    addressing: String,
}

impl Builder<'_> {
    fn bad(&self, mark: Mark, key: &str, message: String, hint: &str) -> PipelineError {
        PipelineError::Stage {
            at: Location::at(self.file, mark),
            stage: self.addressing.clone(),
            key: format!("stages.{}.{key}", self.name),
            message,
            hint: hint.into(),
        }
    }

    fn string(&self, n: &Node, key: &str) -> Result<String, PipelineError> {
        match &n.value {
            Value::Str(s) => Ok(s.clone()),
            _ => Err(self.bad(
                n.mark,
                key,
                format!("expected a string, got {}", n.type_name()),
                "an interpolated `${…}` here must produce a string",
            )),
        }
    }

    /// Checks a dep/out path: no DVC files, no remote schemes Cairn cannot reach.
    fn check_path(&self, n: &Node, path: &str, key: &str) -> Result<(), PipelineError> {
        let base = path.rsplit('/').next().unwrap_or(path);
        if path.ends_with(".dvc") || base == "dvc.yaml" {
            return Err(self.bad(
                n.mark,
                key,
                format!("DVC file '{path}' cannot be an output or a dependency"),
                "depend on the data the .dvc file tracks instead",
            ));
        }
        if let Some(scheme) = url_scheme(path)
            && !matches!(scheme, "http" | "https")
        {
            return Err(PipelineError::UnsupportedRemote {
                at: Location::at(self.file, n.mark),
                stage: self.addressing.clone(),
                path: path.to_string(),
                scheme: scheme.to_string(),
            });
        }
        Ok(())
    }
}

fn get<'a>(def: &'a Node, key: &str) -> Option<&'a Node> {
    def.as_map()?
        .iter()
        .find(|(k, _)| k.as_str() == Some(key))
        .map(|(_, v)| v)
}

/// Builds a [`Stage`] from an interpolated definition of stage `name` in `file`.
pub fn build_stage(
    file: &str,
    name: &str,
    generated_from: Option<String>,
    def: &Node,
    mark: Mark,
) -> Result<Stage, PipelineError> {
    let b = Builder {
        file,
        name,
        addressing: addressing(file, name),
    };

    let cmd = match get(def, "cmd") {
        Some(Node {
            value: Value::Str(s),
            ..
        }) => Cmd::Str(s.clone()),
        Some(Node {
            value: Value::Seq(items),
            ..
        }) => Cmd::List(items.iter().map(|i| Data::from_node(i).py_str()).collect()),
        Some(other) => {
            return Err(b.bad(
                other.mark,
                "cmd",
                format!("expected a string or a list, got {}", other.type_name()),
                "write the command as a string",
            ));
        }
        None => {
            return Err(b.bad(
                def.mark,
                "cmd",
                "required key not provided".into(),
                "add `cmd:`",
            ));
        }
    };

    let dir = parent(file);
    let wdir = match get(def, "wdir") {
        Some(w) if !crate::schema::is_falsy(w) => {
            let text = match &w.value {
                Value::Str(s) => s.clone(),
                _ => Data::from_node(w).py_str(),
            };
            normpath(&crate::fs::join(dir, &text))
        }
        _ => normpath(dir),
    };

    let mut deps = Vec::new();
    if let Some(list) = get(def, "deps").and_then(Node::as_seq) {
        for n in list {
            let path = b.string(n, "deps")?;
            b.check_path(n, &path, "deps")?;
            deps.push(Dep {
                path,
                line: n.mark.line,
            });
        }
    }

    let params = merge_params(&b, get(def, "params"))?;

    let mut outs = Vec::new();
    for (key, kind) in [
        ("outs", OutKind::Out),
        ("metrics", OutKind::Metric),
        ("plots", OutKind::Plot),
    ] {
        if let Some(list) = get(def, key) {
            load_outs(&b, list, key, kind, &mut outs)?;
        }
    }

    let flag = |k: &str| {
        matches!(
            get(def, k),
            Some(Node {
                value: Value::Bool(true),
                ..
            })
        )
    };
    let desc = match get(def, "desc") {
        Some(Node {
            value: Value::Str(s),
            ..
        }) if !s.is_empty() => Some(s.clone()),
        _ => None,
    };
    let meta = get(def, "meta").map(|m| Data::from_node(m).to_json());

    Ok(Stage {
        name: name.to_string(),
        addressing: b.addressing.clone(),
        dvcfile: file.to_string(),
        generated_from,
        cmd,
        wdir,
        deps,
        params,
        outs,
        frozen: flag("frozen"),
        always_changed: flag("always_changed"),
        desc,
        meta,
        line: mark.line,
        data_source: false,
    })
}

/// DVC's `_merge_params`: plain keys belong to `params.yaml`; `{file: null}` or
/// `{file: []}` tracks the whole file and then swallows any keys listed for it.
fn merge_params(b: &Builder, node: Option<&Node>) -> Result<Vec<ParamsDep>, PipelineError> {
    const DEFAULT: &str = "params.yaml";
    let Some(items) = node.and_then(Node::as_seq) else {
        return Ok(Vec::new());
    };
    let mut whole: Vec<String> = Vec::new();
    for item in items {
        if let Some(m) = item.as_map() {
            for (k, v) in m {
                if crate::schema::is_falsy(v) {
                    whole.push(Data::from_node(k).py_str());
                }
            }
        }
    }
    let mut out: Vec<ParamsDep> = Vec::new();
    let slot = |file: &str, line: usize, out: &mut Vec<ParamsDep>| -> usize {
        match out.iter().position(|p| p.file == file) {
            Some(i) => i,
            None => {
                out.push(ParamsDep {
                    file: file.to_string(),
                    keys: Vec::new(),
                    line,
                });
                out.len() - 1
            }
        }
    };
    for item in items {
        match &item.value {
            Value::Map(m) => {
                for (k, v) in m {
                    let file = Data::from_node(k).py_str();
                    let i = slot(&file, k.mark.line, &mut out);
                    if whole.contains(&file) {
                        out[i].keys.clear();
                        continue;
                    }
                    let Some(keys) = v.as_seq() else {
                        return Err(b.bad(
                            v.mark,
                            "params",
                            format!("Expected list of params for custom params file '{file}', got '{}'.", Data::from_node(v).py_type()),
                            "write `- file.yaml: [key1, key2]`",
                        ));
                    };
                    out[i]
                        .keys
                        .extend(keys.iter().map(|k| Data::from_node(k).py_str()));
                }
            }
            _ => {
                let key = Data::from_node(item).py_str();
                if !whole.iter().any(|w| w == DEFAULT) {
                    let i = slot(DEFAULT, item.mark.line, &mut out);
                    out[i].keys.push(key);
                }
            }
        }
    }
    Ok(out)
}

/// An output's flags, in the order written.
type Flags = Vec<(String, Node)>;

const PLOT_PROPS: [&str; 7] = [
    "template", "x", "y", "x_label", "y_label", "title", "header",
];

/// DVC's `load_from_pipeline`: entries with the same path in one section merge their flags.
fn load_outs(
    b: &Builder,
    list: &Node,
    key: &str,
    kind: OutKind,
    outs: &mut Vec<Out>,
) -> Result<(), PipelineError> {
    let Some(items) = list.as_seq() else {
        return Ok(());
    };
    let mut merged: Vec<(String, Mark, Flags)> = Vec::new();
    let mut add = |path: String, mark: Mark, flags: Vec<(String, Node)>| match merged
        .iter_mut()
        .find(|(p, _, _)| *p == path)
    {
        Some(entry) => {
            for (k, v) in flags {
                match entry.2.iter_mut().find(|(ek, _)| *ek == k) {
                    Some(slot) => slot.1 = v,
                    None => entry.2.push((k, v)),
                }
            }
        }
        None => merged.push((path, mark, flags)),
    };
    for item in items {
        match &item.value {
            Value::Str(s) => add(s.clone(), item.mark, Vec::new()),
            Value::Map(m) => {
                for (k, v) in m {
                    let path = b.string(k, key)?;
                    let Some(flags) = v.as_map() else {
                        return Err(b.bad(
                            v.mark,
                            key,
                            format!(
                                "Expected dict for '{path}', got: '{}'",
                                Data::from_node(v).py_type()
                            ),
                            "write `- path: {cache: false}`",
                        ));
                    };
                    let flags = flags
                        .iter()
                        .map(|(fk, fv)| (fk.as_str().unwrap_or("").to_string(), fv.clone()))
                        .collect();
                    add(path, k.mark, flags);
                }
            }
            _ => {
                return Err(b.bad(
                    item.mark,
                    key,
                    format!("'{}' not supported.", Data::from_node(item).py_type()),
                    "write a path",
                ));
            }
        }
    }
    for (path, mark, flags) in merged {
        b.check_path(
            &Node {
                value: Value::Null,
                mark,
            },
            &path,
            key,
        )?;
        let flag = |name: &str, default: bool| match flags.iter().find(|(k, _)| k == name) {
            Some((
                _,
                Node {
                    value: Value::Bool(v),
                    ..
                },
            )) => *v,
            _ => default,
        };
        let text = |name: &str| {
            flags
                .iter()
                .find(|(k, _)| k == name)
                .and_then(|(_, v)| v.as_str().map(String::from))
        };
        let plot_props = if kind == OutKind::Plot {
            let props: serde_json::Map<String, serde_json::Value> = flags
                .iter()
                .filter(|(k, _)| PLOT_PROPS.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), Data::from_node(v).to_json()))
                .collect();
            if props.is_empty() { None } else { Some(props) }
        } else {
            None
        };
        outs.push(Out {
            cache: flag("cache", true),
            persist: flag("persist", false),
            push: flag("push", true),
            remote: text("remote"),
            desc: text("desc"),
            type_: text("type"),
            labels: flags
                .iter()
                .find(|(k, _)| k == "labels")
                .and_then(|(_, v)| v.as_seq())
                .map(|l| {
                    l.iter()
                        .filter_map(|n| n.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default(),
            meta: flags
                .iter()
                .find(|(k, _)| k == "meta")
                .map(|(_, v)| Data::from_node(v).to_json()),
            plot_props,
            path,
            kind,
            line: mark.line,
        });
    }
    Ok(())
}

/// Loads a `.dvc` file (DVC's single-stage file) as a data-source stage, so that stages
/// depending on tracked data get an edge from it in the graph, as in `dvc dag`.
pub fn build_dvc_file_stage(file: &str, root: &Node) -> Result<Stage, PipelineError> {
    const ALLOWED: [&str; 9] = [
        "md5",
        "wdir",
        "deps",
        "outs",
        "locked",
        "frozen",
        "meta",
        "always_changed",
        "desc",
    ];
    let b = Builder {
        file,
        name: "",
        addressing: file.to_string(),
    };
    let schema_err = |mark: Mark, key: &str, message: &str| {
        PipelineError::Schema {
        at: Location::at(file, mark),
        key: key.to_string(),
        message: message.to_string(),
        hint: "a .dvc file has `outs:` (and optionally `deps:`, `wdir:`, `frozen:`, `desc:`); regenerate it with `dvc add`".into(),
    }
    };
    let empty: &[(Node, Node)] = &[];
    let entries = match &root.value {
        Value::Map(m) => m.as_slice(),
        _ if crate::schema::is_falsy(root) => empty,
        _ => {
            return Err(schema_err(
                root.mark,
                "the top level",
                "expected a dictionary",
            ));
        }
    };
    for (k, _) in entries {
        if !k.as_str().is_some_and(|n| ALLOWED.contains(&n)) {
            return Err(schema_err(
                k.mark,
                k.as_str().unwrap_or("?"),
                "extra keys not allowed",
            ));
        }
    }
    let entry_path = |n: &Node, key: &str| -> Result<String, PipelineError> {
        match n.get("path").map(|p| &p.value) {
            Some(Value::Str(p)) => Ok(p.clone()),
            _ => Err(schema_err(
                n.mark,
                &format!("{key} -> path"),
                "required key not provided",
            )),
        }
    };
    let dir = parent(file);
    let wdir = match root.get("wdir").and_then(Node::as_str) {
        Some(w) if !w.is_empty() => normpath(&crate::fs::join(dir, w)),
        _ => normpath(dir),
    };
    let mut deps = Vec::new();
    for n in root.get("deps").and_then(Node::as_seq).unwrap_or(&[]) {
        deps.push(Dep {
            path: entry_path(n, "deps")?,
            line: n.mark.line,
        });
    }
    let mut outs = Vec::new();
    for n in root.get("outs").and_then(Node::as_seq).unwrap_or(&[]) {
        let path = entry_path(n, "outs")?;
        b.check_path(n, &path, "outs")?;
        let flag = |k: &str, default: bool| match n.get(k).map(|v| &v.value) {
            Some(Value::Bool(v)) => *v,
            _ => default,
        };
        let text = |k: &str| n.get(k).and_then(Node::as_str).map(String::from);
        outs.push(Out {
            path,
            kind: OutKind::Out,
            cache: flag("cache", true),
            persist: flag("persist", false),
            push: flag("push", true),
            remote: text("remote"),
            desc: text("desc"),
            type_: text("type"),
            labels: Vec::new(),
            meta: n.get("meta").map(|m| Data::from_node(m).to_json()),
            plot_props: None,
            line: n.mark.line,
        });
    }
    let flag = |k: &str| matches!(root.get(k).map(|v| &v.value), Some(Value::Bool(true)));
    Ok(Stage {
        name: String::new(),
        addressing: file.to_string(),
        dvcfile: file.to_string(),
        generated_from: None,
        cmd: Cmd::List(Vec::new()),
        wdir,
        deps,
        params: Vec::new(),
        outs,
        frozen: flag("frozen") || flag("locked"),
        always_changed: flag("always_changed"),
        desc: root.get("desc").and_then(Node::as_str).map(String::from),
        meta: root.get("meta").map(|m| Data::from_node(m).to_json()),
        line: root.mark.line,
        data_source: true,
    })
}

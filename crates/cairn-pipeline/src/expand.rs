//! Turning a validated `dvc.yaml` into concrete, interpolated stage definitions:
//! plain stages, `foreach`/`do` groups and `matrix` stages (DVC's `dvc/parsing/__init__.py`).
//!
//! Generated names follow DVC exactly, because they are the keys of `dvc.lock`:
//! - `foreach` over a list of scalars: `name@<str(value)>`; over a list holding any list or
//!   dict: `name@<index>`; over a dict: `name@<key>`;
//! - `matrix`: `name@<frag>-<frag>…` in axis order, a fragment being `str(value)` or
//!   `<axis><index>` for list/dict values.
//!
//! One quirk is kept on purpose: a boolean that reaches the name through a `${…}` reference
//! is spelled `True`/`False` (Python `str()` of DVC's context node), while a literal one is
//! `true`/`false` (DVC's `to_str`).

use cairn_yaml::{Mark, Node, Value};
use indexmap::IndexMap;

use crate::context::{Context, DEFAULT_PARAMS_FILE, VarsError};
use crate::data::Data;
use crate::error::{Location, PipelineError};
use crate::fs::{RepoFs, join, normpath, parent};
use crate::interpolate::{self, InterpError, Resolved, to_str};

/// One stage after expansion and interpolation.
#[derive(Debug, Clone)]
pub struct ResolvedStage {
    /// The stage name within its file (`train`, `eval@small`).
    pub name: String,
    /// For generated stages, the group name (`eval`).
    pub generated_from: Option<String>,
    /// The interpolated definition (a mapping without `vars`/`foreach`/`matrix`).
    pub def: Node,
    /// Where the stage (or its group) is defined.
    pub mark: Mark,
}

/// A whole pipeline file after interpolation.
#[derive(Debug, Clone, Default)]
pub struct ResolvedFile {
    /// Stages in DVC's order.
    pub stages: Vec<ResolvedStage>,
    /// Top-level `metrics`.
    pub metrics: Vec<Node>,
    /// Top-level `params`.
    pub params: Vec<Node>,
    /// Top-level `plots`.
    pub plots: Vec<Node>,
    /// Top-level `artifacts`, by (interpolated) name.
    pub artifacts: Vec<(String, Node)>,
    /// Top-level `datasets`.
    pub datasets: Vec<Node>,
}

struct Resolver<'a> {
    fs: &'a dyn RepoFs,
    /// Repo-relative path of the dvc.yaml.
    file: &'a str,
    /// Repo-relative directory of the dvc.yaml (`""` at the root).
    wdir: String,
    ctx: Context,
}

/// A planned `foreach`/`matrix` group: the template and, per generated key, the temporary
/// variables (`item`, `key`) to resolve it with.
struct Group {
    template: Node,
    members: Vec<(String, Vec<(String, Data)>)>,
}

/// A value to iterate over, remembering whether it came out of the context (see module docs).
#[derive(Clone)]
struct Item {
    data: Data,
    from_ctx: bool,
}

fn name_fragment(item: &Item) -> Result<String, String> {
    match (&item.data, item.from_ctx) {
        (Data::Bool(b), true) => Ok(if *b { "True" } else { "False" }.to_string()),
        (d, _) => to_str(d),
    }
}

fn seq_key(entries: &[(Node, Node)], key: &str) -> Option<Node> {
    entries
        .iter()
        .find(|(k, _)| k.as_str() == Some(key))
        .map(|(_, v)| v.clone())
}

impl Resolver<'_> {
    fn interp_err(&self, mark: Mark, key: String, e: InterpError) -> PipelineError {
        let hint = match &e {
            InterpError::NotFound(name) => format!(
                "define '{name}' in params.yaml next to '{}' or in `vars`; write `\\${{` for a literal `${{` (shell `${{VAR:-x}}` must be escaped or written as $VAR)",
                self.file
            ),
            InterpError::Syntax(_) => "use ${name}, ${a.b} or ${a[0]}".into(),
            InterpError::Type(_) => {
                "only strings, numbers and booleans can be substituted here (a dict only in `cmd`)"
                    .into()
            }
        };
        PipelineError::Interpolation {
            at: Location::at(self.file, mark),
            key,
            message: e.message(),
            hint: hint.into(),
        }
    }

    fn vars_err(&self, mark: Mark, key: String, e: VarsError, vars: &[Node]) -> PipelineError {
        let mark = e
            .index
            .and_then(|i| vars.get(i))
            .map(|n| n.mark)
            .unwrap_or(mark);
        PipelineError::Vars {
            at: Location::at(self.file, mark),
            key,
            message: e.message,
            hint: "check that the file exists relative to the dvc.yaml (or the stage wdir) and that no variable is defined twice".into(),
        }
    }

    fn no_interpolation_in(&self, vars: &Node, key: String) -> Result<(), PipelineError> {
        if interpolate::has_references(vars) {
            return Err(PipelineError::Interpolation {
                at: Location::at(self.file, vars.mark),
                key,
                message: "interpolating is not allowed".into(),
                hint: "`vars` entries are read before interpolation; write literal file names and values".into(),
            });
        }
        Ok(())
    }

    fn check_syntax(&self, def: &Node, group: &str) -> Result<(), PipelineError> {
        if let Some(entries) = def.as_map() {
            for (k, v) in entries {
                interpolate::check_syntax(v).map_err(|(mark, m)| {
                    self.interp_err(
                        mark,
                        format!("stages.{group}.{}", k.as_str().unwrap_or("?")),
                        InterpError::Syntax(m),
                    )
                })?;
            }
        }
        Ok(())
    }

    /// Resolves one concrete stage definition (DVC's `EntryDefinition.resolve_stage`).
    fn resolve_entry(
        &mut self,
        name: &str,
        def: &Node,
        checks: bool,
        group: &str,
    ) -> Result<Node, PipelineError> {
        if checks {
            self.check_syntax(def, group)?;
        }
        let entries = def.as_map().unwrap_or(&[]);
        let wdir = match seq_key(entries, "wdir") {
            Some(w) if !crate::schema::is_falsy(&w) => {
                let text = match &w.value {
                    Value::Str(s) => match interpolate::resolve_str(s, &self.ctx.data, None) {
                        Ok(Resolved::Value(d)) => to_str(&d).unwrap_or_default(),
                        Ok(Resolved::Text(t)) => t,
                        Err(e) => {
                            return Err(self.interp_err(w.mark, format!("stages.{name}.wdir"), e));
                        }
                    },
                    _ => Data::from_node(&w).py_str(),
                };
                normpath(&join(&self.wdir, &text))
            }
            _ => self.wdir.clone(),
        };
        let vars = seq_key(entries, "vars");
        let saved_ctx = if let Some(vars) = &vars {
            self.no_interpolation_in(vars, format!("stages.{name}.vars"))?;
            let items = vars.as_seq().unwrap_or(&[]).to_vec();
            if items.is_empty() {
                None
            } else {
                let backup = self.ctx.clone();
                let wd = if wdir == "." {
                    String::new()
                } else {
                    wdir.clone()
                };
                if let Err(e) = self
                    .ctx
                    .load_from_vars(self.fs, &items, &wd, Some(name), None)
                {
                    self.ctx = backup;
                    return Err(self.vars_err(vars.mark, format!("stages.{name}.vars"), e, &items));
                }
                Some(backup)
            }
        } else {
            None
        };
        let mut out = Vec::with_capacity(entries.len());
        let mut result = Ok(());
        for (k, v) in entries {
            let key = k.as_str().unwrap_or("");
            if key == "vars" {
                continue;
            }
            match interpolate::resolve_node(v, &self.ctx.data, Some(key)) {
                Ok(n) => out.push((k.clone(), n)),
                Err((mark, e)) => {
                    result = Err(self.interp_err(mark, format!("stages.{name}.{key}"), e));
                    break;
                }
            }
        }
        if let Some(backup) = saved_ctx {
            self.ctx = backup;
        }
        result?;
        Ok(Node {
            value: Value::Map(out),
            mark: def.mark,
        })
    }

    /// Resolves `foreach`/`matrix` data with `unwrap=False` semantics: remembers which
    /// values were whole `${…}` references.
    fn resolve_iterable(&self, node: &Node, key: &str) -> Result<(Data, bool), PipelineError> {
        let err = |mark, e| self.interp_err(mark, key.to_string(), e);
        match &node.value {
            Value::Str(s) => match interpolate::resolve_str(s, &self.ctx.data, None)
                .map_err(|e| err(node.mark, e))?
            {
                Resolved::Value(d) => Ok((d, true)),
                Resolved::Text(t) => Ok((Data::Str(t), false)),
            },
            _ => {
                let resolved = interpolate::resolve_node(node, &self.ctx.data, None)
                    .map_err(|(m, e)| err(m, e))?;
                Ok((Data::from_node(&resolved), false))
            }
        }
    }

    /// Elements of a resolved sequence with their provenance.
    fn items_of(&self, node: &Node, data: &Data, whole_from_ctx: bool) -> Vec<Item> {
        let Data::List(list) = data else {
            return Vec::new();
        };
        let literal = node.as_seq().filter(|_| !whole_from_ctx);
        list.iter()
            .enumerate()
            .map(|(i, d)| {
                let from_ctx = whole_from_ctx
                    || literal
                        .and_then(|l| l.get(i))
                        .is_some_and(|n| match &n.value {
                            Value::Str(s) => {
                                let r = interpolate::find_references(s);
                                r.len() == 1 && r[0].start == 0 && r[0].end == s.len()
                            }
                            _ => false,
                        });
                Item {
                    data: d.clone(),
                    from_ctx,
                }
            })
            .collect()
    }

    /// Plans a `foreach` group: its generated keys and the `item`/`key` values of each.
    fn foreach(&mut self, name: &str, def: &Node) -> Result<Group, PipelineError> {
        let entries = def.as_map().unwrap_or(&[]);
        let foreach = seq_key(entries, "foreach").unwrap_or_else(|| Node::new(Value::Null));
        let template = seq_key(entries, "do").unwrap_or_else(|| Node::new(Value::Map(vec![])));
        let key = format!("stages.{name}.foreach");
        let (data, from_ctx) = self.resolve_iterable(&foreach, &key)?;
        let is_dict = matches!(data, Data::Dict(_));
        let mut normalized: IndexMap<String, Data> = IndexMap::new();
        match &data {
            Data::Dict(m) => {
                // Literal mappings may have non-string keys; DVC names them with to_str(key).
                let literal = if from_ctx {
                    None
                } else {
                    interpolate::resolve_node(&foreach, &self.ctx.data, None).ok()
                };
                let (keys, values): (Vec<String>, Vec<Data>) =
                    match literal.as_ref().and_then(|n| n.as_map()) {
                        Some(raw) => raw
                            .iter()
                            .map(|(k, v)| {
                                let item = Item {
                                    data: Data::from_node(k),
                                    from_ctx: false,
                                };
                                (name_fragment(&item).unwrap_or_default(), Data::from_node(v))
                            })
                            .unzip(),
                        None => (m.keys().cloned().collect(), m.values().cloned().collect()),
                    };
                for (k, v) in keys.into_iter().zip(values) {
                    normalized.insert(k, v);
                }
            }
            Data::List(list) => {
                let items = self.items_of(&foreach, &data, from_ctx);
                if list.iter().any(Data::is_map_or_seq) {
                    for (i, v) in list.iter().enumerate() {
                        normalized.insert(i.to_string(), v.clone());
                    }
                } else {
                    for item in items {
                        let k = name_fragment(&item).map_err(|m| {
                            self.interp_err(foreach.mark, key.clone(), InterpError::Type(m))
                        })?;
                        normalized.insert(k, item.data);
                    }
                }
            }
            other => {
                return Err(PipelineError::Stage {
                    at: Location::at(self.file, foreach.mark),
                    stage: name.to_string(),
                    key: key.clone(),
                    message: format!(
                        "failed to resolve '{key}' in '{}': expected list/dictionary, got {}",
                        self.file,
                        other.py_type()
                    ),
                    hint: "foreach needs a list or a mapping".into(),
                });
            }
        }
        let members = normalized
            .into_iter()
            .map(|(k, v)| {
                let mut temp = vec![("item".to_string(), v)];
                if is_dict {
                    temp.push(("key".to_string(), Data::Str(k.clone())));
                }
                (k, temp)
            })
            .collect();
        Ok(Group { template, members })
    }

    /// Plans a `matrix` group: every combination's key and `item`/`key` values.
    fn matrix(&mut self, name: &str, def: &Node) -> Result<Group, PipelineError> {
        let entries = def.as_map().unwrap_or(&[]);
        let matrix = seq_key(entries, "matrix").unwrap_or_else(|| Node::new(Value::Map(vec![])));
        let template = Node {
            value: Value::Map(
                entries
                    .iter()
                    .filter(|(k, _)| k.as_str() != Some("matrix"))
                    .cloned()
                    .collect(),
            ),
            mark: def.mark,
        };
        let key = format!("stages.{name}.matrix");
        let mut axes: Vec<(String, Vec<Item>)> = Vec::new();
        for (ak, av) in matrix.as_map().unwrap_or(&[]) {
            let axis = ak.as_str().unwrap_or("").to_string();
            let (data, from_ctx) = self.resolve_iterable(av, &key)?;
            let items = match &data {
                Data::List(_) => self.items_of(av, &data, from_ctx),
                // enumerate() over a string walks its characters.
                Data::Str(s) => s
                    .chars()
                    .map(|c| Item {
                        data: Data::Str(c.to_string()),
                        from_ctx,
                    })
                    .collect(),
                Data::Dict(m) => m
                    .keys()
                    .map(|k| Item {
                        data: Data::Str(k.clone()),
                        from_ctx: true,
                    })
                    .collect(),
                other => {
                    return Err(PipelineError::Stage {
                        at: Location::at(self.file, av.mark),
                        stage: name.to_string(),
                        key: key.clone(),
                        message: format!("'{}' object is not iterable", other.py_type()),
                        hint: "each matrix axis needs a list".into(),
                    });
                }
            };
            axes.push((axis, items));
        }
        // Cartesian product in axis order, last axis varying fastest (itertools.product).
        let mut combos: Vec<Vec<usize>> = vec![vec![]];
        for (_, items) in &axes {
            let mut next = Vec::with_capacity(combos.len() * items.len());
            for c in &combos {
                for i in 0..items.len() {
                    let mut c2 = c.clone();
                    c2.push(i);
                    next.push(c2);
                }
            }
            combos = next;
        }
        let mut normalized: IndexMap<String, IndexMap<String, Data>> = IndexMap::new();
        for combo in combos {
            let mut d = IndexMap::new();
            let mut frags = Vec::new();
            for ((axis, items), &i) in axes.iter().zip(&combo) {
                let item = &items[i];
                d.insert(axis.clone(), item.data.clone());
                frags.push(if item.data.is_map_or_seq() {
                    format!("{axis}{i}")
                } else {
                    name_fragment(item).map_err(|m| {
                        self.interp_err(matrix.mark, key.clone(), InterpError::Type(m))
                    })?
                });
            }
            normalized.insert(frags.join("-"), d);
        }
        let members = normalized
            .into_iter()
            .map(|(k, d)| {
                let temp = vec![
                    ("key".to_string(), Data::Str(k.clone())),
                    ("item".to_string(), Data::Dict(d)),
                ];
                (k, temp)
            })
            .collect();
        Ok(Group { template, members })
    }

    /// Resolves every member of a planned group with its temporary variables set.
    fn expand_group(
        &mut self,
        name: &str,
        mark: Mark,
        group: Group,
        out: &mut Vec<ResolvedStage>,
    ) -> Result<(), PipelineError> {
        if !group.members.is_empty() {
            self.check_syntax(&group.template, name)?;
        }
        for (k, temp) in group.members {
            let generated = format!("{name}@{k}");
            let saved = self.ctx.set_temporarily(temp);
            let resolved = self.resolve_entry(&generated, &group.template, false, name);
            self.ctx.restore(saved);
            out.push(ResolvedStage {
                name: generated,
                generated_from: Some(name.to_string()),
                def: resolved?,
                mark,
            });
        }
        Ok(())
    }

    fn top(&self, node: &Node, key: String) -> Result<Node, PipelineError> {
        interpolate::check_syntax(node)
            .map_err(|(m, e)| self.interp_err(m, key.clone(), InterpError::Syntax(e)))?;
        interpolate::resolve_node(node, &self.ctx.data, None)
            .map_err(|(m, e)| self.interp_err(m, key, e))
    }
}

/// Expands and interpolates every stage and top-level section of the pipeline file `file`
/// (repo-relative), whose validated YAML is `root`.
pub fn resolve_file(
    fs: &dyn RepoFs,
    file: &str,
    root: &Node,
) -> Result<ResolvedFile, PipelineError> {
    let empty: &[(Node, Node)] = &[];
    let top = root.as_map().unwrap_or(empty);
    let section = |k: &str| seq_key(top, k);
    let wdir = parent(file).to_string();
    let mut r = Resolver {
        fs,
        file,
        wdir: wdir.clone(),
        ctx: Context::new(),
    };

    let vars = section("vars");
    let var_items: Vec<Node> = vars
        .as_ref()
        .and_then(|v| v.as_seq())
        .map(|s| s.to_vec())
        .unwrap_or_default();
    if let Some(v) = &vars {
        r.no_interpolation_in(v, "vars".into())?;
    }
    let mark = vars.as_ref().map(|v| v.mark).unwrap_or(root.mark);
    if let Err(e) = r
        .ctx
        .load_from_vars(fs, &var_items, &wdir, None, Some(DEFAULT_PARAMS_FILE))
    {
        return Err(r.vars_err(mark, "vars".into(), e, &var_items));
    }

    let mut out = ResolvedFile::default();
    if let Some(stages) = section("stages") {
        // DVC lists every stage name (resolving all foreach/matrix data) before it resolves
        // any stage, so iteration errors surface first; plan all groups, then resolve.
        let mut plans: Vec<Option<Group>> = Vec::new();
        for (k, def) in stages.as_map().unwrap_or(empty) {
            let name = k.as_str().unwrap_or("").to_string();
            let entries = def.as_map().unwrap_or(empty);
            let has = |key: &str| entries.iter().any(|(k, _)| k.as_str() == Some(key));
            plans.push(if has("matrix") {
                Some(r.matrix(&name, def)?)
            } else if has("foreach") {
                Some(r.foreach(&name, def)?)
            } else {
                None
            });
        }
        for ((k, def), plan) in stages.as_map().unwrap_or(empty).iter().zip(plans) {
            let name = k.as_str().unwrap_or("").to_string();
            if let Some(group) = plan {
                r.expand_group(&name, def.mark, group, &mut out.stages)?;
            } else {
                let resolved = r.resolve_entry(&name, def, true, &name)?;
                out.stages.push(ResolvedStage {
                    name,
                    generated_from: None,
                    def: resolved,
                    mark: def.mark,
                });
            }
        }
    }

    let list = |k: &str| {
        section(k)
            .and_then(|n| n.as_seq().map(|s| s.to_vec()))
            .unwrap_or_default()
    };
    for (i, m) in list("metrics").iter().enumerate() {
        out.metrics.push(r.top(m, format!("metrics.{i}"))?);
    }
    for (i, p) in list("plots").iter().enumerate() {
        out.plots.push(r.top(p, format!("plots.{i}"))?);
    }
    for (i, p) in list("params").iter().enumerate() {
        out.params.push(r.top(p, format!("params.{i}"))?);
    }
    if let Some(arts) = section("artifacts") {
        for (k, v) in arts.as_map().unwrap_or(empty) {
            let raw = k.as_str().unwrap_or("").to_string();
            let name_node = r.top(k, format!("artifacts.{raw}"))?;
            let Some(name) = name_node.as_str() else {
                return Err(PipelineError::Stage {
                    at: Location::at(file, k.mark),
                    stage: raw.clone(),
                    key: format!("artifacts.{raw}"),
                    message: format!(
                        "expected str, got {}",
                        Data::from_node(&name_node).py_type()
                    ),
                    hint: "artifact names must interpolate to strings".into(),
                });
            };
            out.artifacts
                .push((name.to_string(), r.top(v, format!("artifacts.{raw}"))?));
        }
    }
    for (i, d) in list("datasets").iter().enumerate() {
        out.datasets.push(r.top(d, format!("datasets.{i}"))?);
    }
    Ok(out)
}

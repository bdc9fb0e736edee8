//! The `dvc.yaml` schema check, done on the raw YAML before any interpolation.
//!
//! DVC validates with voluptuous (`dvc/schema.py` `MULTI_STAGE_SCHEMA`) before it resolves
//! `${…}`, so `frozen: ${flag}` is a schema error (a string where a bool belongs) and unknown
//! keys such as DVC 2's `live:` or `outs_no_cache:` are rejected. This module reproduces
//! those rules and reports the first violation with its line and key path.

use cairn_yaml::{Mark, Node, Value};

use crate::error::{Location, PipelineError};

/// A path of keys, printed DVC style: `stages -> train -> outs -> 0`.
#[derive(Clone, Default)]
struct KeyPath(Vec<String>);

impl KeyPath {
    fn push(&self, k: impl ToString) -> KeyPath {
        let mut v = self.0.clone();
        v.push(k.to_string());
        KeyPath(v)
    }
    fn show(&self) -> String {
        if self.0.is_empty() {
            "the top level".into()
        } else {
            self.0.join(" -> ")
        }
    }
}

struct Checker<'a> {
    file: &'a str,
}

type R = Result<(), PipelineError>;

impl Checker<'_> {
    fn fail(&self, mark: Mark, path: &KeyPath, message: &str, hint: &str) -> PipelineError {
        PipelineError::Schema {
            at: Location::at(self.file, mark),
            key: path.show(),
            message: message.to_string(),
            hint: hint.into(),
        }
    }

    fn map<'n>(&self, node: &'n Node, path: &KeyPath) -> Result<&'n [(Node, Node)], PipelineError> {
        node.as_map().ok_or_else(|| {
            self.fail(
                node.mark,
                path,
                "expected a dictionary",
                "write a mapping (`key: value` lines) here",
            )
        })
    }

    fn seq<'n>(&self, node: &'n Node, path: &KeyPath) -> Result<&'n [Node], PipelineError> {
        node.as_seq().ok_or_else(|| {
            self.fail(
                node.mark,
                path,
                "expected a list",
                "write a list (`- item` lines) here",
            )
        })
    }

    fn str_(&self, node: &Node, path: &KeyPath) -> R {
        match node.value {
            Value::Str(_) => Ok(()),
            _ => Err(self.fail(
                node.mark,
                path,
                &format!("expected str, got {}", node.type_name()),
                "quote the value to make it a string",
            )),
        }
    }

    fn bool_(&self, node: &Node, path: &KeyPath) -> R {
        match node.value {
            Value::Bool(_) => Ok(()),
            _ => Err(self.fail(
                node.mark,
                path,
                &format!("expected bool, got {}", node.type_name()),
                "use true or false (interpolation `${…}` is not allowed here)",
            )),
        }
    }

    fn str_list(&self, node: &Node, path: &KeyPath) -> R {
        for (i, item) in self.seq(node, path)?.iter().enumerate() {
            self.str_(item, &path.push(i))?;
        }
        Ok(())
    }

    fn str_or_list(&self, node: &Node, path: &KeyPath) -> R {
        match node.value {
            Value::Str(_) | Value::Seq(_) => Ok(()),
            _ => Err(self.fail(
                node.mark,
                path,
                "expected str or list",
                "write a string or a list of strings",
            )),
        }
    }

    /// Iterates a mapping whose keys must be strings; `allowed` checks each key.
    fn keys<'n>(
        &self,
        node: &'n Node,
        path: &KeyPath,
        allowed: &[&str],
        what: &str,
    ) -> Result<Vec<(&'n str, &'n Node, Mark)>, PipelineError> {
        let mut out = Vec::new();
        for (k, v) in self.map(node, path)? {
            match k.as_str() {
                Some(name) if allowed.contains(&name) => out.push((name, v, k.mark)),
                _ => {
                    let shown = k
                        .as_str()
                        .map(String::from)
                        .unwrap_or_else(|| format!("{:?}", k.value));
                    return Err(self.fail(
                        k.mark,
                        &path.push(&shown),
                        "extra keys not allowed",
                        &format!(
                            "remove '{shown}'; allowed keys for {what} are: {}",
                            allowed.join(", ")
                        ),
                    ));
                }
            }
        }
        Ok(out)
    }

    fn required(
        &self,
        node: &Node,
        path: &KeyPath,
        present: &[(&str, &Node, Mark)],
        key: &str,
    ) -> R {
        if present.iter().any(|(k, _, _)| *k == key) {
            Ok(())
        } else {
            Err(self.fail(
                node.mark,
                &path.push(key),
                "required key not provided",
                &format!("add '{key}'"),
            ))
        }
    }

    fn top(&self, root: &Node) -> R {
        let path = KeyPath::default();
        let allowed = [
            "datasets",
            "plots",
            "stages",
            "vars",
            "params",
            "metrics",
            "artifacts",
        ];
        for (k, v, _) in self.keys(root, &path, &allowed, "a dvc.yaml file")? {
            let p = path.push(k);
            match k {
                "datasets" => {}
                "plots" => {
                    for (i, item) in self.seq(v, &p)?.iter().enumerate() {
                        if !matches!(item.value, Value::Str(_)) {
                            self.top_plot(item, &p.push(i))?;
                        }
                    }
                }
                "stages" => {
                    for (name, def) in self.map(v, &p)? {
                        let Some(n) = name.as_str() else {
                            return Err(self.fail(
                                name.mark,
                                &p.push(format!("{:?}", name.value)),
                                "extra keys not allowed",
                                "stage names must be strings; quote the name",
                            ));
                        };
                        self.stage_entry(def, &p.push(n))?;
                    }
                }
                "vars" => self.vars(v, &p)?,
                "params" | "metrics" => self.str_list(v, &p)?,
                "artifacts" => {
                    for (name, art) in self.map(v, &p)? {
                        let ap = p.push(name.as_str().unwrap_or("?"));
                        if name.as_str().is_none() {
                            return Err(self.fail(
                                name.mark,
                                &ap,
                                "extra keys not allowed",
                                "artifact names must be strings",
                            ));
                        }
                        let keys = self.keys(
                            art,
                            &ap,
                            &["path", "desc", "type", "labels", "meta"],
                            "an artifact",
                        )?;
                        self.required(art, &ap, &keys, "path")?;
                        for (ak, av, _) in keys {
                            match ak {
                                "path" | "desc" | "type" => self.str_(av, &ap.push(ak))?,
                                "labels" => self.str_list(av, &ap.push(ak))?,
                                _ => {}
                            }
                        }
                    }
                }
                _ => unreachable!(),
            }
        }
        Ok(())
    }

    fn vars(&self, v: &Node, p: &KeyPath) -> R {
        for (i, item) in self.seq(v, p)?.iter().enumerate() {
            if !matches!(item.value, Value::Str(_) | Value::Map(_)) {
                return Err(self.fail(
                    item.mark,
                    &p.push(i),
                    "expected str or dict",
                    "list file names or inline mappings",
                ));
            }
        }
        Ok(())
    }

    fn top_plot(&self, item: &Node, p: &KeyPath) -> R {
        let entries = self.map(item, p)?;
        if entries.is_empty() {
            return Err(self.fail(
                item.mark,
                p,
                "required key not provided",
                "name the plot: `- id: {x: ..., y: ...}`",
            ));
        }
        for (id, def) in entries {
            let Some(name) = id.as_str() else {
                return Err(self.fail(
                    id.mark,
                    p,
                    "extra keys not allowed",
                    "plot ids must be strings",
                ));
            };
            let dp = p.push(name);
            if matches!(def.value, Value::Null) {
                continue;
            }
            let allowed = ["x", "y", "x_label", "y_label", "title", "template"];
            for (k, v, _) in self.keys(def, &dp, &allowed, "a top-level plot")? {
                let kp = dp.push(k);
                match k {
                    "x" => match &v.value {
                        Value::Str(_) => {}
                        Value::Map(m) => {
                            for (fk, fv) in m {
                                self.str_(fk, &kp)?;
                                self.str_(fv, &kp.push(fk.as_str().unwrap_or("?")))?;
                            }
                        }
                        _ => {
                            return Err(self.fail(
                                v.mark,
                                &kp,
                                "expected str or dict",
                                "x is a column name or {file: column}",
                            ));
                        }
                    },
                    "y" => match &v.value {
                        Value::Str(_) => {}
                        Value::Seq(_) => self.str_list(v, &kp)?,
                        Value::Map(m) => {
                            for (fk, fv) in m {
                                self.str_(fk, &kp)?;
                                if !matches!(fv.value, Value::Str(_)) {
                                    self.str_list(fv, &kp.push(fk.as_str().unwrap_or("?")))?;
                                }
                            }
                        }
                        _ => {
                            return Err(self.fail(
                                v.mark,
                                &kp,
                                "expected str, list or dict",
                                "y is a column, a list, or {file: column(s)}",
                            ));
                        }
                    },
                    _ => self.str_(v, &kp)?,
                }
            }
        }
        Ok(())
    }

    fn stage_entry(&self, def: &Node, p: &KeyPath) -> R {
        let is_foreach = def.as_map().is_some_and(|m| {
            m.iter()
                .any(|(k, _)| matches!(k.as_str(), Some("foreach" | "do")))
        });
        if !is_foreach {
            return self.stage_definition(def, p);
        }
        let keys = self.keys(def, p, &["foreach", "do"], "a foreach stage")?;
        self.required(def, p, &keys, "foreach")?;
        self.required(def, p, &keys, "do")?;
        for (k, v, _) in keys {
            match k {
                "foreach" => {
                    if !matches!(v.value, Value::Str(_) | Value::Seq(_) | Value::Map(_)) {
                        return Err(self.fail(
                            v.mark,
                            &p.push(k),
                            "expected dict, list or str",
                            "foreach takes a list, a mapping or a `${…}` reference",
                        ));
                    }
                }
                _ => self.stage_definition(v, &p.push(k))?,
            }
        }
        Ok(())
    }

    fn stage_definition(&self, def: &Node, p: &KeyPath) -> R {
        let allowed = [
            "matrix",
            "cmd",
            "wdir",
            "deps",
            "params",
            "vars",
            "frozen",
            "meta",
            "desc",
            "always_changed",
            "outs",
            "metrics",
            "plots",
        ];
        let keys = self.keys(def, p, &allowed, "a stage")?;
        self.required(def, p, &keys, "cmd")?;
        for (k, v, _) in keys {
            let kp = p.push(k);
            match k {
                "matrix" => {
                    for (mk, mv) in self.map(v, &kp)? {
                        let Some(name) = mk.as_str() else {
                            return Err(self.fail(
                                mk.mark,
                                &kp,
                                "extra keys not allowed",
                                "matrix axis names must be strings",
                            ));
                        };
                        self.str_or_list(mv, &kp.push(name))?;
                    }
                }
                "cmd" => self.str_or_list(v, &kp)?,
                "wdir" | "desc" => self.str_(v, &kp)?,
                "deps" => self.str_list(v, &kp)?,
                "params" => {
                    for (i, item) in self.seq(v, &kp)?.iter().enumerate() {
                        if !matches!(item.value, Value::Str(_) | Value::Map(_)) {
                            return Err(self.fail(
                                item.mark,
                                &kp.push(i),
                                "expected str or dict",
                                "list param keys, or {file: [keys]}",
                            ));
                        }
                    }
                }
                "vars" => self.vars(v, &kp)?,
                "frozen" | "always_changed" => self.bool_(v, &kp)?,
                "meta" => {}
                "outs" | "metrics" | "plots" => self.outs(v, &kp, k == "plots")?,
                _ => unreachable!(),
            }
        }
        Ok(())
    }

    fn outs(&self, v: &Node, p: &KeyPath, plots: bool) -> R {
        for (i, item) in self.seq(v, p)?.iter().enumerate() {
            let ip = p.push(i);
            match &item.value {
                Value::Str(_) => {}
                Value::Map(entries) => {
                    for (path, flags) in entries {
                        let Some(name) = path.as_str() else {
                            return Err(self.fail(
                                path.mark,
                                &ip,
                                "extra keys not allowed",
                                "output paths must be strings",
                            ));
                        };
                        let fp = ip.push(name);
                        if plots && let Value::Seq(list) = &flags.value {
                            for (j, f) in list.iter().enumerate() {
                                self.out_flags(f, &fp.push(j), true)?;
                            }
                        } else {
                            self.out_flags(flags, &fp, plots)?;
                        }
                    }
                }
                _ => {
                    return Err(self.fail(
                        item.mark,
                        &ip,
                        "expected str or dict",
                        "write `- path` or `- path: {cache: false}`",
                    ));
                }
            }
        }
        Ok(())
    }

    fn out_flags(&self, flags: &Node, p: &KeyPath, plots: bool) -> R {
        const OUT: [&str; 9] = [
            "desc",
            "type",
            "labels",
            "meta",
            "cache",
            "persist",
            "checkpoint",
            "remote",
            "push",
        ];
        const PLOT: [&str; 16] = [
            "desc",
            "type",
            "labels",
            "meta",
            "cache",
            "persist",
            "checkpoint",
            "remote",
            "push",
            "template",
            "x",
            "y",
            "x_label",
            "y_label",
            "title",
            "header",
        ];
        let allowed: &[&str] = if plots { &PLOT } else { &OUT };
        for (k, v, _) in self.keys(
            flags,
            p,
            allowed,
            if plots { "a plot" } else { "an output" },
        )? {
            let kp = p.push(k);
            match k {
                "cache" | "persist" | "checkpoint" | "push" | "header" => self.bool_(v, &kp)?,
                "labels" => self.str_list(v, &kp)?,
                "meta" => {}
                _ => self.str_(v, &kp)?,
            }
        }
        Ok(())
    }
}

/// Whether a document counts as empty for DVC (`yaml.load(text) or {}`).
pub fn is_falsy(node: &Node) -> bool {
    match &node.value {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::Int(i) => *i == 0,
        Value::BigInt(_) => false,
        Value::Float(f) => *f == 0.0,
        Value::Str(s) => s.is_empty(),
        Value::Seq(s) => s.is_empty(),
        Value::Map(m) => m.is_empty(),
    }
}

/// Checks a parsed `dvc.yaml` against DVC's schema; `file` is the repo-relative path.
pub fn validate_dvc_yaml(root: &Node, file: &str) -> Result<(), PipelineError> {
    if is_falsy(root) {
        return Ok(());
    }
    Checker { file }.top(root)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str) -> Result<(), PipelineError> {
        validate_dvc_yaml(&cairn_yaml::parse(text).unwrap(), "dvc.yaml")
    }

    #[test]
    fn accepts_full_stage() {
        check(
            "vars: [a.yaml, {x: 1}]\nstages:\n  s:\n    cmd: [a, b]\n    wdir: w\n    deps: [d]\n    params: [p, {f.yaml: null}]\n    outs: [o, {o2: {cache: false, persist: true, push: false, remote: r, desc: d}}]\n    metrics: [{m.json: {cache: false}}]\n    plots: [{p.csv: {x: a, y: b, header: true}}]\n    frozen: true\n    always_changed: false\n    meta: {any: [thing]}\n    desc: text\n  f:\n    foreach: [1, 2]\n    do: {cmd: echo}\nplots:\n  - p.csv\n  - id: {x: a, y: {f.csv: [b, c]}}\nmetrics: [m.json]\nparams: [p.yaml]\nartifacts: {m: {path: m.pkl, type: model}}\n",
        )
        .unwrap();
    }

    #[test]
    fn rejects_unknown_keys_with_line() {
        let err =
            check("stages:\n  train:\n    cmd: x\n    live:\n      dvclive: {}\n").unwrap_err();
        match err {
            PipelineError::Schema {
                at, key, message, ..
            } => {
                assert_eq!(at.line, 4);
                assert_eq!(key, "stages -> train -> live");
                assert_eq!(message, "extra keys not allowed");
            }
            other => panic!("{other}"),
        }
        assert!(check("stages:\n  s:\n    cmd: x\n    frozen: ${f}\n").is_err());
        assert!(check("stages:\n  s:\n    deps: [a]\n").is_err());
        assert!(check("plots:\n  ROC: {x: a}\n").is_err());
        assert!(
            check("stages:\n  s:\n    matrix: {a: [1]}\n    foreach: [1]\n    do: {cmd: x}\n")
                .is_err()
        );
    }
}

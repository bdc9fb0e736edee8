//! `add_stage`: a new stage's lines written as `dvc stage add` writes them, placed at the
//! end of the file's `stages` in the file's own indentation and list style.

use super::*;

/// The stage as DVC's `to_pipeline_file` serialises it (key order, sorted deps and outs).
fn stage_node(st: &NewStage) -> Node {
    let mut body: Vec<(&str, Node)> = Vec::new();
    if let Some(d) = st.desc.as_deref().filter(|d| !d.is_empty()) {
        body.push(("desc", s(d)));
    }
    body.push(("cmd", cmd_node(&st.cmd)));
    if let Some(w) = st.wdir.as_deref().filter(|w| !w.is_empty() && *w != ".") {
        body.push(("wdir", s(w)));
    }
    let mut deps = st.deps.clone();
    deps.sort();
    deps.dedup();
    if !deps.is_empty() {
        body.push(("deps", seq(deps.iter().map(|d| s(d)).collect())));
    }
    let params = params_node(&st.params);
    if !params.is_empty() {
        body.push(("params", seq(params)));
    }
    let mut outs = st.outs.clone();
    outs.sort_by(|a, b| a.path.cmp(&b.path));
    for (key, kind) in [
        ("outs", OutKind::Out),
        ("metrics", OutKind::Metric),
        ("plots", OutKind::Plot),
    ] {
        let items: Vec<Node> = outs
            .iter()
            .filter(|o| o.kind == kind)
            .map(|o| {
                let mut flags = Vec::new();
                if !o.cache {
                    flags.push(("cache", Node::new(Value::Bool(false))));
                }
                if o.persist {
                    flags.push(("persist", Node::new(Value::Bool(true))));
                }
                if flags.is_empty() {
                    s(&o.path)
                } else {
                    map(vec![(&o.path, map(flags))])
                }
            })
            .collect();
        if !items.is_empty() {
            body.push((key, seq(items)));
        }
    }
    if st.always_changed {
        body.push(("always_changed", Node::new(Value::Bool(true))));
    }
    map(body)
}

/// DVC's `_serialize_params_keys`: keys of `params.yaml` first (sorted), then one
/// `{file: [keys]}` per other file in path order.
fn params_node(params: &[ParamsSpec]) -> Vec<Node> {
    let mut by_file: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for p in params {
        let file = p.file.clone().unwrap_or_else(|| "params.yaml".into());
        by_file
            .entry(file)
            .or_default()
            .extend(p.keys.iter().cloned());
    }
    let mut out: Vec<Node> = Vec::new();
    for (file, mut keys) in by_file {
        keys.sort();
        keys.dedup();
        if !keys.is_empty() && file == "params.yaml" {
            let mut first: Vec<Node> = keys.iter().map(|k| s(k)).collect();
            first.append(&mut out);
            out = first;
        } else {
            let v = if keys.is_empty() {
                Node::new(Value::Null)
            } else {
                seq(keys.iter().map(|k| s(k)).collect())
            };
            out.push(map(vec![(&file, v)]));
        }
    }
    out
}

pub(super) fn add_stage(
    fs: &dyn RepoFs,
    file: &str,
    st: &NewStage,
    force: bool,
) -> Result<(Change, Vec<String>), EditError> {
    if !valid_name(&st.name) {
        return Err(EditError::BadName(st.name.clone()));
    }
    let mut st = st.clone();
    st.cmd = clean_cmd(&st.cmd);
    if st.cmd.is_empty() {
        return Err(EditError::EmptyCmd(st.name.clone()));
    }
    let dir = repo_path(parent(file), st.wdir.as_deref().unwrap_or("."));
    let new_deps: Vec<String> = st.deps.iter().map(|d| repo_path(&dir, d)).collect();
    for p in st
        .deps
        .iter()
        .chain(st.outs.iter().map(|o| &o.path))
        .filter(|p| crate::fs::url_scheme(p).is_none())
    {
        let rp = repo_path(&dir, p);
        if crate::fs::outside_repo(p, &rp) {
            return Err(EditError::OutsideRepo(p.clone()));
        }
    }
    let before = read(fs, file)?;
    let summary = format!("added stage `{}` to {file}", st.name);
    let text = before.clone().unwrap_or_default();
    let parsed = Parsed::new(file, &text)?;
    let is_empty_doc = matches!(parsed.root.value, Value::Null);
    if !is_empty_doc && parsed.root.as_map().is_none() {
        return Err(EditError::Broken(PipelineError::Schema {
            at: crate::Location::new(file, 1, 1),
            key: String::new(),
            message: "the file is not a mapping".into(),
            hint: "a dvc.yaml starts with `stages:`".into(),
        }));
    }
    let mut lines = parsed.lines.clone();
    match parsed.stages(file)? {
        Some((stages_entry, stages)) if !stages.is_empty() => {
            let col = col0(stages[0].key);
            // The file's own step from a stage key to its body (DVC writes 2).
            let step = stages[0]
                .value
                .as_map()
                .and_then(|m| m.first())
                .map(|(k, _)| col0(k).saturating_sub(col))
                .filter(|s| *s > 0)
                .unwrap_or(2);
            let offset = seq_offset(&parsed.lines, &stages);
            let layout = |lines| offset_sequences(reindent(lines, col, step), offset);
            let node = stage_lines(&st, col);
            if let Some(existing) = find(&stages, &st.name) {
                if !force {
                    return Err(EditError::StageExists {
                        name: st.name.clone(),
                        file: file.to_string(),
                        line: existing.start + 1,
                    });
                }
                let new = layout(node);
                lines.splice(existing.start, existing.end, new);
            } else {
                let last = stages.last().expect("non-empty");
                let at = last.end.max(stages_entry.start + 1);
                lines.splice(at, at, layout(node));
            }
        }
        Some((stages_entry, _)) => {
            // `stages:` with nothing (or `{}`) under it.
            let new = with_stages_key(stage_lines(&st, 2));
            lines.splice(stages_entry.start, stages_entry.end, new);
        }
        None => {
            let new = with_stages_key(stage_lines(&st, 2));
            let at = if is_empty_doc {
                0
            } else {
                lines.content_end(0, lines.end())
            };
            if is_empty_doc {
                lines = Lines(vec![String::new()]);
            }
            lines.splice(at, at, new);
        }
    }
    let mut after = lines.text();
    if !after.ends_with('\n') {
        after.push('\n');
    }
    Ok((
        Change {
            file: file.to_string(),
            before,
            after,
            summary,
            also: Vec::new(),
        },
        new_deps,
    ))
}

/// A new stage's lines with its name at column `col`, as DVC writes them, except that a
/// command ruamel's folding would change is quoted (see `snippet::cmd_entry_at`).
fn stage_lines(st: &NewStage, col: usize) -> Vec<String> {
    const MARK: &str = "cairn-command-goes-here";
    let mut with_mark = st.clone();
    with_mark.cmd = vec![MARK.to_string()];
    let mut lines = entry_at(&st.name, stage_node(&with_mark), col);
    if let Some(i) = lines
        .iter()
        .position(|l| l.trim_start() == format!("cmd: {MARK}"))
    {
        let indent = lines[i].len() - lines[i].trim_start().len();
        lines.splice(i..=i, cmd_entry_at(cmd_node(&st.cmd), indent));
    }
    lines
}

fn with_stages_key(stage: Vec<String>) -> Vec<String> {
    std::iter::once("stages:".to_string())
        .chain(stage)
        .collect()
}

/// Scales the indentation of `lines` (written with a step of 2 from column `col`) to the
/// file's own `step`, so a stage added to a file indented by 4 is indented by 4 too.
fn reindent(lines: Vec<String>, col: usize, step: usize) -> Vec<String> {
    if step == 2 {
        return lines;
    }
    lines
        .into_iter()
        .map(|l| {
            let indent = l.len() - l.trim_start().len();
            let extra = indent.saturating_sub(col) * step / 2;
            format!("{}{}", " ".repeat(col + extra), l.trim_start())
        })
        .collect()
}

/// How far right of their key the file writes list dashes (`deps:` then `  - a` is 2;
/// DVC writes 0), from the first block list in its stages.
fn seq_offset(lines: &Lines, stages: &[Entry<'_>]) -> usize {
    for stage in stages {
        let Some(body) = stage.value.as_map() else {
            continue;
        };
        for (k, v) in body {
            if let Value::Seq(items) = &v.value
                && is_block(lines, k, v)
            {
                return doc::dash_col(lines, items).saturating_sub(col0(k));
            }
        }
    }
    0
}

/// Moves each block list item (and the lines that continue it) `offset` columns right of
/// where ruamel puts it (at its key's column), to match the file's own list style.
fn offset_sequences(lines: Vec<String>, offset: usize) -> Vec<String> {
    if offset == 0 {
        return lines;
    }
    let mut out = Vec::with_capacity(lines.len());
    let mut item_col: Option<usize> = None;
    for l in lines {
        let trimmed = l.trim_start();
        let indent = l.len() - trimmed.len();
        let is_item = trimmed == "-" || trimmed.starts_with("- ");
        if is_item {
            item_col = Some(indent);
        } else if item_col.is_none_or(|c| indent <= c) {
            item_col = None;
            out.push(l);
            continue;
        }
        out.push(format!("{}{trimmed}", " ".repeat(indent + offset)));
    }
    out
}

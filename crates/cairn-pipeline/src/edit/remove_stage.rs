//! `remove_stage`: the stage's lines go, and with them what `dvc remove` also removes —
//! its `dvc.lock` entry and its outputs' `.gitignore` lines.

use super::*;

pub(super) fn remove_stage(fs: &dyn RepoFs, st: &Stage) -> Result<Change, EditError> {
    let file = &st.dvcfile;
    let text = read(fs, file)?.unwrap_or_default();
    let parsed = Parsed::new(file, &text)?;
    let (stages_entry, stages) = parsed
        .stages(file)?
        .ok_or_else(|| EditError::NoSuchStage(st.addressing.clone()))?;
    let (e, _) = parsed.stage(file, &st.name)?;
    let mut lines = parsed.lines.clone();
    if stages.len() == 1 {
        // The last stage: keep an empty `stages` mapping, as ruamel would leave it.
        let indent = col0(stages_entry.key);
        let new = vec![format!("{}stages: {{}}", " ".repeat(indent))];
        lines.splice(stages_entry.start, stages_entry.end, new);
    } else {
        let start = lines.comments_above(e.start, stages_entry.start + 1);
        let mut end = e.end;
        // Take the blank line that separated it, not the one before it too (nor leave one
        // right under `stages:`).
        let blank = |i: usize| lines.0.get(i).is_some_and(|l| l.trim().is_empty());
        let first = start == stages_entry.start + 1;
        if start > 0 && (blank(start - 1) || first) && end < lines.end() && blank(end) {
            end += 1;
        }
        lines.splice(start, end, vec![]);
    }
    Ok(Change {
        file: file.clone(),
        before: Some(text),
        after: lines.text(),
        summary: format!("removed stage `{}` from {file}", st.name),
        also: forget_stage(fs, st)?,
    })
}

/// What `dvc remove` does besides the pipeline file: the stage's entry leaves `dvc.lock`
/// (the file goes when it has no stage left) and its cached outputs leave their
/// `.gitignore` (likewise deleted when empty). The outputs themselves stay.
fn forget_stage(fs: &dyn RepoFs, st: &Stage) -> Result<Vec<FileChange>, EditError> {
    let mut out = Vec::new();
    let lock = crate::fs::join(parent(&st.dvcfile), "dvc.lock");
    if let Some(text) = read(fs, &lock)? {
        let parsed = Parsed::new(&lock, &text)?;
        if let Some((stages_entry, stages)) = parsed.stages(&lock)?
            && let Some(e) = find(&stages, &st.name)
        {
            let after = if stages.len() == 1 {
                None
            } else {
                let mut lines = parsed.lines.clone();
                lines.splice(e.start, e.next.max(e.end).min(stages_entry.next), vec![]);
                Some(lines.text())
            };
            out.push(FileChange {
                file: lock,
                before: Some(text),
                after,
            });
        }
    }
    for o in st.outs.iter().filter(|o| o.cache) {
        let Some(rp) = o.repo_path(st) else { continue };
        let (dir, name) = match rp.rsplit_once('/') {
            Some((d, n)) => (d, n),
            None => ("", rp.as_str()),
        };
        let file = crate::fs::join(dir, ".gitignore");
        let entry = format!("/{name}");
        // Several outputs can share one .gitignore: edit what the earlier ones left.
        let (before, current) = match out.iter().position(|c: &FileChange| c.file == file) {
            Some(i) => {
                let c = out.remove(i);
                (c.before, c.after)
            }
            None => {
                let t = read(fs, &file)?;
                (t.clone(), t)
            }
        };
        let Some(current) = current else {
            out.push(FileChange {
                file,
                before,
                after: None,
            });
            continue;
        };
        let kept: String = current
            .split_inclusive('\n')
            .filter(|l| l.trim() != entry)
            .collect();
        let after = (!kept.is_empty()).then_some(kept);
        out.push(FileChange {
            file,
            before,
            after,
        });
    }
    out.retain(|c| c.before != c.after);
    Ok(out)
}

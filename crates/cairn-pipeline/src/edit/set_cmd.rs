//! `set_cmd`: a stage's command replaced in place, a list kept a list.

use super::*;

pub(super) fn set_cmd(fs: &dyn RepoFs, st: &Stage, cmd: &[String]) -> Result<Change, EditError> {
    let cmd = clean_cmd(cmd);
    if cmd.is_empty() {
        return Err(EditError::EmptyCmd(st.addressing.clone()));
    }
    let summary = format!("changed the command of stage `{}`", st.addressing);
    edit_stage(fs, st, summary, |_, body, lines, col| {
        // A command written as a list stays a list: `dvc.lock` records it as written, so
        // turning `[x]` into `x` would make DVC call the stage changed.
        let was_list = find(body, "cmd").is_some_and(|e| matches!(e.value.value, Value::Seq(_)));
        let node = if was_list {
            seq(cmd.iter().map(|c| s(c)).collect())
        } else {
            cmd_node(&cmd)
        };
        let new = cmd_entry_at(node, col);
        match find(body, "cmd") {
            Some(e) => lines.splice(e.start, e.end, new),
            None => {
                let at = body.first().map(|b| b.start).unwrap_or(0);
                lines.splice(at, at, new)
            }
        }
        Ok(())
    })
}

//! `set_frozen`: `frozen: true` added to a stage, or taken away, as `dvc freeze` and
//! `dvc unfreeze` write it (appended after the stage's last key; gone when unfrozen).

use super::*;

pub(super) fn set_frozen(fs: &dyn RepoFs, st: &Stage, frozen: bool) -> Result<Change, EditError> {
    let summary = format!(
        "{} stage `{}`",
        if frozen { "froze" } else { "unfroze" },
        st.addressing
    );
    edit_stage(fs, st, summary, |_, body, lines, col| {
        let old = find(body, "frozen");
        match (old, frozen) {
            (Some(e), true) => {
                lines.splice(e.start, e.end, entry_at("frozen", bool_node(true), col));
            }
            (Some(e), false) => lines.splice(e.start, e.end, vec![]),
            (None, true) => {
                // After the last key and any blank lines or comments that follow it:
                // ruamel keeps those with the key before them.
                let at = body.last().map(|b| b.next).unwrap_or(0);
                lines.splice(at, at, entry_at("frozen", bool_node(true), col));
            }
            (None, false) => {}
        }
        Ok(())
    })
}

fn bool_node(b: bool) -> cairn_yaml::Node {
    cairn_yaml::Node::new(cairn_yaml::Value::Bool(b))
}

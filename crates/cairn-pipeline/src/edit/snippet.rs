//! Writing new YAML lines the way DVC (ruamel) would write them at a given indentation.
//!
//! ruamel folds long scalars at 80 columns counted from the line start, so a snippet is
//! emitted nested under placeholder keys that put it at its real column, and the
//! placeholder lines are dropped. Files indented by 2 (what DVC writes) thus get exactly the
//! bytes `dvc stage add` would produce.

use cairn_yaml::{Node, Value};

/// A string scalar node.
pub(crate) fn s(text: &str) -> Node {
    Node::new(Value::Str(text.to_string()))
}

/// A mapping node from entries.
pub(crate) fn map(entries: Vec<(&str, Node)>) -> Node {
    Node::new(Value::Map(
        entries.into_iter().map(|(k, v)| (s(k), v)).collect(),
    ))
}

/// A sequence node.
pub(crate) fn seq(items: Vec<Node>) -> Node {
    Node::new(Value::Seq(items))
}

/// The lines of block collection `node` (a mapping or a sequence) with its keys or dashes
/// at column `col`.
pub(crate) fn block_at(node: Node, col: usize) -> Vec<String> {
    let even = col - col % 2;
    // A sequence under a key is written with its dashes at the key's column (ruamel's
    // default), a mapping one level deeper.
    let depth = match node.value {
        Value::Seq(_) => even / 2 + 1,
        _ => even / 2,
    };
    let mut wrapped = node;
    for _ in 0..depth {
        wrapped = map(vec![("_", wrapped)]);
    }
    let text = cairn_yaml::to_string(&wrapped);
    let pad = " ".repeat(col % 2);
    text.lines()
        .skip(depth)
        .map(|l| format!("{pad}{l}"))
        .collect()
}

/// The lines of one mapping entry `key: value` with the key at column `col`.
pub(crate) fn entry_at(key: &str, value: Node, col: usize) -> Vec<String> {
    block_at(map(vec![(key, value)]), col)
}

/// Whether an entry written by [`entry_at`] reads back as `key: value`.
fn reads_back(lines: &[String], key: &str, value: &Node) -> bool {
    let Ok(doc) = cairn_yaml::parse(&(lines.join("\n") + "\n")) else {
        return false;
    };
    let Some(back) = doc.get(key) else {
        return false;
    };
    // Compared through the emitter, which ignores source positions.
    cairn_yaml::to_string(&map(vec![(key, back.clone())]))
        == cairn_yaml::to_string(&map(vec![(key, value.clone())]))
}

/// `key: value` for a string or a list of strings, each string JSON-quoted on one line (a
/// valid YAML double-quoted scalar that nothing folds).
fn quoted_entry_at(key: &str, value: &Node, col: usize) -> Vec<String> {
    let pad = " ".repeat(col);
    let q = |n: &Node| serde_json::to_string(n.as_str().unwrap_or_default()).unwrap_or_default();
    match &value.value {
        Value::Seq(items) => std::iter::once(format!("{pad}{key}:"))
            .chain(items.iter().map(|i| format!("{pad}- {}", q(i))))
            .collect(),
        _ => vec![format!("{pad}{key}: {}", q(value))],
    }
}

/// `entry_at("cmd", …)`, unless ruamel's folding would change the command: it folds at a
/// space even after another space, and reading back drops one of the two (DVC itself
/// corrupts such commands when it rewrites `dvc.yaml`). Then the commands are quoted.
pub(crate) fn cmd_entry_at(value: Node, col: usize) -> Vec<String> {
    let lines = entry_at("cmd", value.clone(), col);
    if reads_back(&lines, "cmd", &value) {
        lines
    } else {
        quoted_entry_at("cmd", &value, col)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_that_folding_would_change_are_quoted() {
        // ruamel.yaml 0.18 (DVC's) writes this, at column 0, with a break after
        // "train.py  ", and reads it back with one space there (checked in Python).
        let cmd = r#"docker run -v "$(pwd)"/runs:${docker_workdir}/runs  ${YOLOV5_IMAGE}  python3 train.py  --data ${data.data_configs_dir}/${data.data_train}.yaml --weights x"#;
        let plain = entry_at("cmd", s(cmd), 0);
        assert_eq!(
            plain[1],
            "  python3 train.py  --data ${data.data_configs_dir}/${data.data_train}.yaml "
        );
        assert!(
            !reads_back(&plain, "cmd", &s(cmd)),
            "ruamel's folding loses a space here"
        );
        let lines = cmd_entry_at(s(cmd), 0);
        assert_eq!(
            lines,
            vec![format!("cmd: {}", serde_json::to_string(cmd).unwrap())]
        );
        assert!(reads_back(&lines, "cmd", &s(cmd)));
        // Ordinary commands are written as DVC writes them.
        assert_eq!(
            cmd_entry_at(s("python train.py"), 4),
            vec!["    cmd: python train.py"]
        );
    }

    #[test]
    fn sequences_and_mappings_land_at_the_column() {
        assert_eq!(
            entry_at("deps", seq(vec![s("a"), s("b c")]), 4),
            vec!["    deps:", "    - a", "    - b c"]
        );
        assert_eq!(block_at(seq(vec![s("x")]), 6), vec!["      - x"]);
        assert_eq!(entry_at("cmd", s("echo"), 3), vec!["   cmd: echo"]);
        assert_eq!(
            entry_at("train", map(vec![("cmd", s("python t.py"))]), 2),
            vec!["  train:", "    cmd: python t.py"]
        );
    }

    #[test]
    fn long_commands_fold_at_the_real_column() {
        let cmd = "python src/featurization.py data/prepared data/features --with-a-long-flag x";
        let lines = entry_at("cmd", s(cmd), 4);
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!(lines[0].starts_with("    cmd: python"));
        assert!(lines[1].starts_with("      "));
    }
}

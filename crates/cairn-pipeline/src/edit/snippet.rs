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

#[cfg(test)]
mod tests {
    use super::*;

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

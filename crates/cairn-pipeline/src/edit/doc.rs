//! Finding things in a `dvc.yaml`'s text by line, so an edit touches only the lines it must.
//!
//! The parser gives each node the position where it starts; an entry of a block mapping
//! therefore runs from its key's line to the next sibling key's line (or its parent's end).
//! Trailing blank and comment-only lines belong to what follows, so a removed stage takes the
//! comments written right above it but leaves the blank line that separated it.

use cairn_yaml::{Node, Value};

/// A file as lines (without their `\n`); joining with `\n` gives the text back exactly.
#[derive(Debug, Clone)]
pub(crate) struct Lines(pub Vec<String>);

impl Lines {
    pub(crate) fn new(text: &str) -> Self {
        Lines(text.split('\n').map(str::to_string).collect())
    }

    pub(crate) fn text(&self) -> String {
        self.0.join("\n")
    }

    /// One past the last line of the document's content: a final `\n` leaves an empty last
    /// element, which is not a line to insert before.
    pub(crate) fn end(&self) -> usize {
        if self.0.last().is_some_and(|l| l.is_empty()) {
            self.0.len() - 1
        } else {
            self.0.len()
        }
    }

    fn is_filler(&self, i: usize) -> bool {
        let t = self.0[i].trim();
        t.is_empty() || t.starts_with('#')
    }

    /// One past the last content line (not blank, not only a comment) in `start..end`.
    pub(crate) fn content_end(&self, start: usize, end: usize) -> usize {
        let mut e = end.min(self.0.len());
        while e > start && self.is_filler(e - 1) {
            e -= 1;
        }
        e
    }

    /// The first line of the comment block directly above line `i` (no blank line between).
    pub(crate) fn comments_above(&self, i: usize, floor: usize) -> usize {
        let mut s = i;
        while s > floor && self.0[s - 1].trim_start().starts_with('#') {
            s -= 1;
        }
        s
    }

    /// The character at a node's mark, to tell `{`/`[` flow collections from block ones.
    pub(crate) fn char_at(&self, node: &Node) -> Option<char> {
        let line = self.0.get(node.mark.line.checked_sub(1)?)?;
        line.chars().nth(node.mark.col.checked_sub(1)?)
    }

    /// Replaces lines `start..end` with `new`.
    pub(crate) fn splice(&mut self, start: usize, end: usize, new: Vec<String>) {
        self.0.splice(start..end, new);
    }
}

/// 0-based line of a node.
pub(crate) fn line0(n: &Node) -> usize {
    n.mark.line.saturating_sub(1)
}

/// 0-based column of a node.
pub(crate) fn col0(n: &Node) -> usize {
    n.mark.col.saturating_sub(1)
}

/// One entry of a block mapping: its key, value and the lines it spans.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Entry<'a> {
    pub key: &'a Node,
    pub value: &'a Node,
    /// First line (the key's).
    pub start: usize,
    /// One past its last content line.
    pub end: usize,
    /// Where the next sibling (or the parent's end) starts.
    pub next: usize,
}

/// The entries of the mapping `pairs`, whose content ends before line `parent_end`.
pub(crate) fn entries<'a>(
    lines: &Lines,
    pairs: &'a [(Node, Node)],
    parent_end: usize,
) -> Vec<Entry<'a>> {
    let mut out = Vec::with_capacity(pairs.len());
    for (i, (k, v)) in pairs.iter().enumerate() {
        let start = line0(k);
        let next = pairs
            .get(i + 1)
            .map(|(k2, _)| lines.comments_above(line0(k2), start + 1))
            .unwrap_or(parent_end);
        out.push(Entry {
            key: k,
            value: v,
            start,
            end: lines.content_end(start + 1, next).max(start + 1),
            next,
        });
    }
    out
}

/// The entry with string key `key`.
pub(crate) fn find<'a>(entries: &[Entry<'a>], key: &str) -> Option<Entry<'a>> {
    entries
        .iter()
        .find(|e| e.key.as_str() == Some(key))
        .copied()
}

/// Whether a collection value is written in block style (its own lines, no brackets).
pub(crate) fn is_block(lines: &Lines, key: &Node, value: &Node) -> bool {
    match &value.value {
        Value::Map(m) if !m.is_empty() => {
            line0(value) > line0(key) && lines.char_at(value) != Some('{')
        }
        // An indentless list (`deps:` then `- a` at the key's column, DVC's own style)
        // starts at its first item, not at a dash.
        Value::Seq(s) if !s.is_empty() => {
            line0(value) > line0(key) && lines.char_at(value) != Some('[')
        }
        _ => false,
    }
}

/// Lines `start..end` of a block sequence, split per item: `(first line, one past last)`.
pub(crate) fn seq_items(lines: &Lines, items: &[Node], end: usize) -> Vec<(usize, usize)> {
    let starts: Vec<usize> = items.iter().map(line0).collect();
    let mut out = Vec::with_capacity(items.len());
    for (i, &s) in starts.iter().enumerate() {
        let next = starts
            .get(i + 1)
            .map(|&n| lines.comments_above(n, s + 1))
            .unwrap_or(end);
        out.push((s, lines.content_end(s + 1, next).max(s + 1)));
    }
    out
}

/// The column of the `-` of a block sequence's items.
pub(crate) fn dash_col(lines: &Lines, items: &[Node]) -> usize {
    let first = &lines.0[line0(&items[0])];
    first.len() - first.trim_start().len()
}

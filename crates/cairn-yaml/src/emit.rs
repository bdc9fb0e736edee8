//! Writes YAML the way DVC writes it (ruamel.yaml, round-trip dumper, default settings).
//!
//! `.dvc` files and `dvc.lock` must be byte-identical to DVC's so the two tools don't
//! fight over diffs. This is a port of the parts of ruamel's `Emitter` that block-style
//! documents of mappings, sequences and scalars exercise: style choice
//! (`analyze_scalar`/`choose_scalar_style`), the three scalar writers with their
//! 80-column folding, and the indentation state (`column`, `whitespace`, `indention`).
//! Columns count characters, as Python's `len(str)` does.

use crate::node::{Node, Value};
use crate::resolve::{PlainKind, resolve_plain};

const BEST_WIDTH: usize = 80;
const BEST_INDENT: usize = 2;
const MAX_SIMPLE_KEY_LENGTH: usize = 128;

/// Serialises a document (normally a mapping) exactly as DVC's YAML dumper would.
pub fn to_string(root: &Node) -> String {
    let mut e = Emitter {
        out: String::new(),
        column: 0,
        whitespace: true,
        indention: true,
    };
    match &root.value {
        Value::Map(entries) if !entries.is_empty() => e.block_map(entries, 0),
        Value::Seq(items) if !items.is_empty() => e.block_seq(items, 0, false),
        _ => e.scalar_or_flow(root, 0, Ctx::Root),
    }
    if e.column > 0 || !e.whitespace {
        e.line_break();
    }
    e.out
}

#[derive(Clone, Copy, PartialEq)]
enum Ctx {
    Root,
    MapValue,
    SeqItem,
    Key,
    ExplicitKey,
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Style {
    Plain,
    Single,
    Double,
}

struct Emitter {
    out: String,
    column: usize,
    whitespace: bool,
    indention: bool,
}

struct Analysis {
    empty: bool,
    multiline: bool,
    allow_block_plain: bool,
    allow_single_quoted: bool,
}

impl Emitter {
    fn write(&mut self, s: &str) {
        self.column += s.chars().count();
        self.out.push_str(s);
    }

    fn line_break(&mut self) {
        self.out.push('\n');
        self.whitespace = true;
        self.indention = true;
        self.column = 0;
    }

    /// ruamel writes a non-`\n` break character (NEL, LS, PS) itself as the break.
    fn line_break_with(&mut self, br: char) {
        if br == '\n' {
            self.line_break();
        } else {
            self.out.push(br);
            self.whitespace = true;
            self.indention = true;
            self.column = 0;
        }
    }

    fn write_indent(&mut self, indent: usize) {
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.line_break();
        }
        if self.column < indent {
            self.whitespace = true;
            let pad = " ".repeat(indent - self.column);
            self.out.push_str(&pad);
            self.column = indent;
        }
    }

    fn write_indicator(
        &mut self,
        indicator: &str,
        need_whitespace: bool,
        whitespace: bool,
        indention: bool,
    ) {
        let data = if self.whitespace || !need_whitespace {
            indicator.to_string()
        } else {
            format!(" {indicator}")
        };
        self.whitespace = whitespace;
        self.indention = self.indention && indention;
        self.write(&data);
    }

    fn block_map(&mut self, entries: &[(Node, Node)], indent: usize) {
        for (key, value) in entries {
            self.write_indent(indent);
            let key_text = scalar_text(key);
            // ruamel counts the prepared tag (`!!str`, `!!int`, ...) into the limit.
            let tag_len = match key.value {
                Value::Str(_) | Value::Int(_) | Value::BigInt(_) => 5,
                Value::Bool(_) | Value::Null => 6,
                _ => 7,
            };
            let simple = key_text.chars().count() + tag_len < MAX_SIMPLE_KEY_LENGTH
                && !key_text.chars().any(is_break);
            if simple {
                self.scalar_or_flow(key, indent + BEST_INDENT, Ctx::Key);
                self.write_indicator(":", false, false, false);
            } else {
                // Long or multi-line keys use YAML's explicit form: `? key` / `: value`.
                self.write_indicator("?", true, false, true);
                self.scalar_or_flow(key, indent + BEST_INDENT, Ctx::ExplicitKey);
                self.write_indent(indent);
                self.write_indicator(":", true, false, true);
            }
            self.node(value, indent, Ctx::MapValue);
        }
    }

    fn block_seq(&mut self, items: &[Node], indent: usize, indentless: bool) {
        let indent = if indentless {
            indent
        } else {
            indent + BEST_INDENT
        };
        for item in items {
            self.write_indent(indent);
            self.write_indicator("-", true, false, true);
            self.node(item, indent, Ctx::SeqItem);
        }
    }

    /// Emits `node` as the value of a key or item whose container sits at `indent`.
    fn node(&mut self, node: &Node, indent: usize, ctx: Ctx) {
        match &node.value {
            Value::Map(entries) if !entries.is_empty() => {
                self.block_map(entries, indent + BEST_INDENT)
            }
            Value::Seq(items) if !items.is_empty() => {
                // Sequences directly under a mapping key are "indentless" (`key:\n- a`).
                let indentless = ctx == Ctx::MapValue && !self.indention;
                self.block_seq(items, indent, indentless)
            }
            _ => self.scalar_or_flow(node, indent + BEST_INDENT, ctx),
        }
    }

    fn scalar_or_flow(&mut self, node: &Node, indent: usize, ctx: Ctx) {
        match &node.value {
            Value::Seq(_) => {
                self.write_indicator("[", true, true, false);
                self.write_indicator("]", false, false, false);
            }
            Value::Map(_) => {
                self.write_indicator("{", true, true, false);
                self.write_indicator("}", false, false, false);
            }
            _ => self.scalar(node, indent, ctx),
        }
    }

    fn scalar(&mut self, node: &Node, indent: usize, ctx: Ctx) {
        let text = scalar_text(node);
        let is_str = matches!(node.value, Value::Str(_));
        let simple_key = ctx == Ctx::Key;
        let a = analyze(&text);
        let implicit_plain = !is_str || resolve_plain(&text) == PlainKind::Str;
        let plain_ok =
            implicit_plain && !(simple_key && (a.empty || a.multiline)) && a.allow_block_plain;
        let style = if matches!(node.value, Value::Null) || plain_ok {
            Style::Plain
        } else if text.contains('\'') || text.contains('\n') {
            Style::Double
        } else if a.allow_single_quoted && !(simple_key && a.multiline) {
            Style::Single
        } else {
            Style::Double
        };
        if ctx == Ctx::SeqItem {
            self.write_indent(indent);
        }
        let split = !simple_key;
        match style {
            Style::Plain => self.write_plain(&text, indent, split),
            Style::Single => self.write_single_quoted(&text, indent, split),
            Style::Double => self.write_double_quoted(&text, indent, split),
        }
    }

    fn write_plain(&mut self, text: &str, indent: usize, split: bool) {
        if text.is_empty() {
            return;
        }
        if !self.whitespace {
            self.write(" ");
        }
        self.whitespace = false;
        self.indention = false;
        let chars: Vec<char> = text.chars().collect();
        let (mut spaces, mut breaks) = (false, false);
        let (mut start, mut end) = (0usize, 0usize);
        while end <= chars.len() {
            let ch = chars.get(end).copied();
            if spaces {
                if ch != Some(' ') {
                    if start + 1 == end && self.column >= BEST_WIDTH && split {
                        self.write_indent(indent);
                        self.whitespace = false;
                        self.indention = false;
                    } else {
                        self.write(&collect(&chars[start..end]));
                    }
                    start = end;
                }
            } else if breaks {
                if !ch.is_some_and(is_break) {
                    if chars[start] == '\n' {
                        self.line_break();
                    }
                    for &br in &chars[start..end] {
                        self.line_break_with(br);
                    }
                    self.write_indent(indent);
                    self.whitespace = false;
                    self.indention = false;
                    start = end;
                }
            } else if ch.is_none_or(|c| c == ' ' || is_break(c)) {
                let data = collect(&chars[start..end]);
                if data.chars().count() + self.column > BEST_WIDTH && self.column > indent {
                    // Words longer than the line get a line of their own.
                    self.write_indent(indent);
                }
                self.write(&data);
                start = end;
            }
            if let Some(c) = ch {
                spaces = c == ' ';
                breaks = is_break(c);
            }
            end += 1;
        }
    }

    fn write_single_quoted(&mut self, text: &str, indent: usize, split: bool) {
        self.write_indicator("'", true, false, false);
        let chars: Vec<char> = text.chars().collect();
        let (mut spaces, mut breaks) = (false, false);
        let (mut start, mut end) = (0usize, 0usize);
        while end <= chars.len() {
            let ch = chars.get(end).copied();
            if spaces {
                if ch != Some(' ') {
                    if start + 1 == end
                        && self.column > BEST_WIDTH
                        && split
                        && start != 0
                        && end != chars.len()
                    {
                        self.write_indent(indent);
                    } else {
                        self.write(&collect(&chars[start..end]));
                    }
                    start = end;
                }
            } else if breaks {
                if !ch.is_some_and(is_break) {
                    if chars[start] == '\n' {
                        self.line_break();
                    }
                    for &br in &chars[start..end] {
                        self.line_break_with(br);
                    }
                    self.write_indent(indent);
                    start = end;
                }
            } else if ch.is_none_or(|c| c == ' ' || is_break(c) || c == '\'') && start < end {
                self.write(&collect(&chars[start..end]));
                start = end;
            }
            if ch == Some('\'') {
                self.write("''");
                start = end + 1;
            }
            if let Some(c) = ch {
                spaces = c == ' ';
                breaks = is_break(c);
            }
            end += 1;
        }
        self.write_indicator("'", false, false, false);
    }

    fn write_double_quoted(&mut self, text: &str, indent: usize, split: bool) {
        self.write_indicator("\"", true, false, false);
        let chars: Vec<char> = text.chars().collect();
        let n = chars.len();
        // Python slices: an empty range when start >= end (start can pass end by one
        // right after an escape).
        let slice = |a: usize, b: usize| {
            if a < b {
                collect(&chars[a..b])
            } else {
                String::new()
            }
        };
        let (mut start, mut end) = (0usize, 0usize);
        while end <= n {
            let ch = chars.get(end).copied();
            let special = ch.is_none_or(|c| {
                matches!(
                    c,
                    '"' | '\\' | '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{FEFF}'
                ) || !printable_unicode(c)
            });
            if special {
                if start < end {
                    self.write(&slice(start, end));
                    start = end;
                }
                if let Some(c) = ch {
                    self.write(&escape(c));
                    start = end + 1;
                }
            }
            if 0 < end
                && end + 1 < n
                && (ch == Some(' ') || start >= end)
                && self.column as isize + end as isize - start as isize > BEST_WIDTH as isize
                && split
            {
                let need_backslash = self.needs_backslash(&chars, start, end);
                let mut data = slice(start, end);
                if need_backslash {
                    data.push('\\');
                }
                if start < end {
                    start = end;
                }
                self.write(&data);
                self.write_indent(indent);
                self.whitespace = false;
                self.indention = false;
                if chars.get(start) == Some(&' ') {
                    if !need_backslash {
                        // The newline reads back as the space it replaces.
                        start += 1;
                    } else {
                        self.write("\\");
                    }
                }
            }
            end += 1;
        }
        self.write_indicator("\"", false, false, false);
    }

    /// ruamel's rule for whether a fold at `end` needs a trailing backslash (it
    /// doesn't when the next word can start the continuation line unambiguously).
    fn needs_backslash(&self, chars: &[char], start: usize, end: usize) -> bool {
        let Some(mut space_pos) = chars[end..].iter().position(|c| *c == ' ').map(|p| p + end)
        else {
            return true;
        };
        if let Some(nl) = chars[end..space_pos].iter().position(|c| *c == '\n') {
            space_pos = nl + end;
        }
        let Some(&after) = chars.get(space_pos + 1) else {
            return true;
        };
        if chars[space_pos] == '\n' && after != ' ' {
            return true;
        }
        let word = &chars[end..space_pos];
        let two_spaces = end >= 1 && chars[end - 1] == ' ' && chars.get(end) == Some(&' ');
        word.contains(&'"')
            || word.contains(&'\'')
            || after == ' '
            || after == '\n'
            || two_spaces
            || start == end
    }
}

fn collect(chars: &[char]) -> String {
    chars.iter().collect()
}

fn is_break(c: char) -> bool {
    matches!(c, '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn printable_unicode(c: char) -> bool {
    ('\x20'..='\x7e').contains(&c)
        || ('\u{a0}'..='\u{d7ff}').contains(&c)
        || ('\u{e000}'..='\u{fffd}').contains(&c)
        || ('\u{10000}'..='\u{10ffff}').contains(&c)
}

fn escape(c: char) -> String {
    let short = match c {
        '\0' => Some('0'),
        '\x07' => Some('a'),
        '\x08' => Some('b'),
        '\x09' => Some('t'),
        '\x0a' => Some('n'),
        '\x0b' => Some('v'),
        '\x0c' => Some('f'),
        '\x0d' => Some('r'),
        '\x1b' => Some('e'),
        '"' => Some('"'),
        '\\' => Some('\\'),
        '\u{85}' => Some('N'),
        '\u{a0}' => Some('_'),
        '\u{2028}' => Some('L'),
        '\u{2029}' => Some('P'),
        _ => None,
    };
    match short {
        Some(s) => format!("\\{s}"),
        None if (c as u32) <= 0xff => format!("\\x{:02X}", c as u32),
        None if (c as u32) <= 0xffff => format!("\\u{:04X}", c as u32),
        None => format!("\\U{:08X}", c as u32),
    }
}

/// The text ruamel's representer produces for a scalar.
fn scalar_text(node: &Node) -> String {
    match &node.value {
        Value::Null => String::new(),
        Value::Bool(b) => if *b { "true" } else { "false" }.to_string(),
        Value::Int(i) => i.to_string(),
        Value::BigInt(s) => s.clone(),
        Value::Float(f) if f.is_nan() => ".nan".to_string(),
        Value::Float(f) if f.is_infinite() => if *f > 0.0 { ".inf" } else { "-.inf" }.to_string(),
        Value::Float(f) => cairn_core::pyfloat::repr(*f).to_lowercase(),
        Value::Str(s) => s.clone(),
        Value::Seq(_) | Value::Map(_) => String::new(),
    }
}

/// ruamel's `analyze_scalar`, reduced to the flags block-context emission consults.
fn analyze(s: &str) -> Analysis {
    if s.is_empty() {
        return Analysis {
            empty: true,
            multiline: false,
            allow_block_plain: true,
            allow_single_quoted: true,
        };
    }
    let chars: Vec<char> = s.chars().collect();
    let ws = |c: char| {
        matches!(
            c,
            '\0' | ' ' | '\t' | '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}'
        )
    };
    let mut block_indicators = s.starts_with("---") || s.starts_with("...");
    let (mut line_breaks, mut special) = (false, false);
    let (mut leading_space, mut leading_break, mut trailing_space, mut trailing_break) =
        (false, false, false, false);
    let (mut break_space, mut space_break) = (false, false);
    let mut preceded_by_ws = true;
    let mut followed_by_ws = chars.len() == 1 || ws(chars[1]);
    let (mut prev_space, mut prev_break) = (false, false);
    let last = chars.len() - 1;
    for (i, &ch) in chars.iter().enumerate() {
        if i == 0 {
            if "#,[]{}&*!|>'\"%@`".contains(ch) {
                block_indicators = true;
            }
            if (ch == '?' || ch == ':') && followed_by_ws {
                block_indicators = true;
            }
            if ch == '-' && followed_by_ws {
                block_indicators = true;
            }
        } else {
            if ch == ':' && followed_by_ws {
                block_indicators = true;
            }
            if ch == '#' && preceded_by_ws {
                block_indicators = true;
            }
        }
        if is_break(ch) {
            line_breaks = true;
        }
        if !(ch == '\n' || ('\x20'..='\x7e').contains(&ch)) {
            let unicode_ok =
                (ch == '\u{85}' || printable_unicode(ch) && ch >= '\u{a0}') && ch != '\u{feff}';
            if !unicode_ok {
                special = true;
            }
        }
        if ch == ' ' {
            leading_space |= i == 0;
            trailing_space |= i == last;
            break_space |= prev_break;
            prev_space = true;
            prev_break = false;
        } else if is_break(ch) {
            leading_break |= i == 0;
            trailing_break |= i == last;
            space_break |= prev_space;
            prev_space = false;
            prev_break = true;
        } else {
            prev_space = false;
            prev_break = false;
        }
        preceded_by_ws = ws(ch);
        followed_by_ws = i + 2 >= chars.len() || ws(chars[i + 2]);
    }
    let mut allow_block_plain = true;
    let mut allow_single_quoted = true;
    if leading_space || leading_break || trailing_space || trailing_break {
        allow_block_plain = false;
    }
    if break_space || special || space_break {
        allow_block_plain = false;
        allow_single_quoted = false;
    }
    if line_breaks || block_indicators {
        allow_block_plain = false;
    }
    Analysis {
        empty: false,
        multiline: line_breaks,
        allow_block_plain,
        allow_single_quoted,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Node {
        Node::new(Value::Str(v.into()))
    }
    fn map(entries: Vec<(&str, Node)>) -> Node {
        Node::new(Value::Map(
            entries.into_iter().map(|(k, v)| (s(k), v)).collect(),
        ))
    }

    #[test]
    fn writes_a_dvc_pointer_file_like_dvc() {
        let out = Node::new(Value::Map(vec![(
            s("outs"),
            Node::new(Value::Seq(vec![map(vec![
                ("md5", s("d48c66f685d160ea92972d8fffd5ec37.dir")),
                ("size", Node::new(Value::Int(12))),
                ("nfiles", Node::new(Value::Int(4))),
                ("hash", s("md5")),
                ("path", s("data")),
            ])])),
        )]));
        assert_eq!(
            to_string(&out),
            "outs:\n- md5: d48c66f685d160ea92972d8fffd5ec37.dir\n  size: 12\n  nfiles: 4\n  hash: md5\n  path: data\n"
        );
    }

    #[test]
    fn quotes_strings_that_would_read_back_as_other_types() {
        let doc = map(vec![
            ("schema", s("2.0")),
            ("a", s("")),
            ("b", s("true")),
            ("c", s("- x")),
            ("d", s("it's")),
        ]);
        assert_eq!(
            to_string(&doc),
            "schema: '2.0'\na: ''\nb: 'true'\nc: '- x'\nd: it's\n"
        );
    }

    #[test]
    fn nested_mappings_and_indentless_sequences() {
        let doc = map(vec![(
            "stages",
            map(vec![(
                "train",
                map(vec![
                    ("cmd", Node::new(Value::Seq(vec![s("a"), s("b")]))),
                    ("p", map(vec![("lr", Node::new(Value::Float(1e-5)))])),
                ]),
            )]),
        )]);
        assert_eq!(
            to_string(&doc),
            "stages:\n  train:\n    cmd:\n    - a\n    - b\n    p:\n      lr: 1e-05\n"
        );
    }
}

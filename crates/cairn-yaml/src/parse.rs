//! Reading YAML into [`Node`]s the way DVC reads it.
//!
//! DVC loads `dvc.yaml`, `dvc.lock` and params files with `ruamel.yaml`'s pure-Python safe
//! loader (`YAML(typ="safe")`), which resolves plain scalars with the YAML 1.2 rules of
//! `ruamel.yaml.resolver.VersionedResolver`. Cairn must see the same values (a `1e-3` is a float,
//! a `yes` is a string, a `0o17` is 15), otherwise interpolated commands would differ from DVC's.
//! The tokenizing is left to `saphyr-parser`; this module only builds the tree and resolves
//! scalars, tags, anchors and merge keys as `ruamel.yaml.constructor.SafeConstructor` does.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Span, Tag};

use crate::node::{Mark, Node, Value};
use crate::resolve::PlainKind;

/// A YAML document that could not be read: a syntax error, a duplicate key, an unknown tag...
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {col}: {message}")]
pub struct ParseError {
    /// 1-based line of the offending token.
    pub line: usize,
    /// 1-based column of the offending token.
    pub col: usize,
    /// What is wrong, in words.
    pub message: String,
}

impl ParseError {
    fn at(mark: Mark, message: impl Into<String>) -> Self {
        ParseError {
            line: mark.line,
            col: mark.col,
            message: message.into(),
        }
    }
}

/// Parses a single YAML document. An empty document (or one with only comments) is `Null`.
///
/// More than one document in the stream is an error, as with ruamel's `YAML.load`.
pub fn parse(text: &str) -> Result<Node, ParseError> {
    let mut events = Vec::new();
    for item in Parser::new_from_str(text) {
        match item {
            Ok(ev) => events.push(ev),
            Err(e) => {
                let m = e.marker();
                return Err(ParseError {
                    line: m.line(),
                    col: m.col() + 1,
                    message: e.info().to_string(),
                });
            }
        }
    }
    check_tabs(text, &events)?;
    let mut loader = Loader {
        events,
        pos: 0,
        anchors: HashMap::new(),
    };
    loader.document()
}

/// Rejects tabs where ruamel.yaml's scanner rejects them.
///
/// YAML 1.2 allows tabs as separators in many places and saphyr follows the spec, but
/// ruamel (like PyYAML) only skips spaces between tokens in block context, so a tab after a
/// value, before a comment, or inside an unquoted block-context scalar is "found character
/// '\t' that cannot start any token". DVC rejects such files, so we must too. Tabs are fine
/// inside quoted and block scalars, inside flow collections, and in comments.
fn check_tabs(text: &str, events: &[(Event<'_>, Span)]) -> Result<(), ParseError> {
    if !text.contains('\t') {
        return Ok(());
    }
    let chars: Vec<char> = text.chars().collect();
    let mut allowed: Vec<(usize, usize)> = Vec::new();
    let mut scalars: Vec<(usize, usize)> = Vec::new();
    let mut flow_stack: Vec<Option<usize>> = Vec::new();
    for (ev, span) in events {
        let (start, end) = (span.start.index(), span.end.index());
        match ev {
            Event::Scalar(_, style, _, _) => {
                scalars.push((start, end));
                if *style != ScalarStyle::Plain {
                    allowed.push((start, end));
                }
            }
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                let flow = matches!(chars.get(start), Some('[') | Some('{'));
                flow_stack.push(flow.then_some(start));
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some(Some(s)) = flow_stack.pop() {
                    allowed.push((s, end));
                }
            }
            _ => {}
        }
    }
    let inside = |ranges: &[(usize, usize)], i: usize| ranges.iter().any(|&(s, e)| s <= i && i < e);
    let (mut line, mut col, mut in_comment) = (1usize, 1usize, false);
    let mut prev = '\n';
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '\n' => in_comment = false,
            '#' if !in_comment
                && (prev == ' ' || prev == '\t' || prev == '\n')
                && !inside(&scalars, i) =>
            {
                in_comment = true
            }
            '\t' if !in_comment && !inside(&allowed, i) => {
                return Err(ParseError {
                    line,
                    col,
                    message:
                        "found character '\\t' that cannot start any token (use spaces, not tabs)"
                            .into(),
                });
            }
            _ => {}
        }
        if c == '\n' {
            line += 1;
            col = 1;
        } else {
            col += 1;
        }
        prev = c;
    }
    Ok(())
}

/// Builds nodes from the event list by recursive descent.
struct Loader<'a> {
    events: Vec<(Event<'a>, Span)>,
    pos: usize,
    /// Anchored nodes by saphyr's anchor id, for aliases.
    anchors: HashMap<usize, Node>,
}

fn mark_of(span: &Span) -> Mark {
    Mark {
        line: span.start.line(),
        col: span.start.col() + 1,
    }
}

const CORE: &str = "tag:yaml.org,2002:";

impl<'a> Loader<'a> {
    fn next(&mut self) -> Option<(Event<'a>, Span)> {
        let ev = self.events.get(self.pos).cloned();
        self.pos += 1;
        ev
    }

    fn peek(&self) -> Option<&(Event<'a>, Span)> {
        self.events.get(self.pos)
    }

    fn document(&mut self) -> Result<Node, ParseError> {
        let mut doc: Option<Node> = None;
        while let Some((ev, span)) = self.next() {
            match ev {
                Event::DocumentStart(_) => {
                    if doc.is_some() {
                        return Err(ParseError::at(
                            mark_of(&span),
                            "expected a single document in the stream, but found another document",
                        ));
                    }
                    let node = match self.peek() {
                        Some((Event::DocumentEnd, s)) => Node {
                            value: Value::Null,
                            mark: mark_of(s),
                        },
                        _ => self.node()?,
                    };
                    doc = Some(node);
                }
                Event::DocumentEnd | Event::StreamStart | Event::Nothing => {}
                Event::StreamEnd => break,
                _ => {
                    return Err(ParseError::at(
                        mark_of(&span),
                        "unexpected event outside a document",
                    ));
                }
            }
        }
        Ok(doc.unwrap_or(Node {
            value: Value::Null,
            mark: Mark { line: 1, col: 1 },
        }))
    }

    fn remember(&mut self, anchor: usize, node: &Node) {
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
    }

    fn node(&mut self) -> Result<Node, ParseError> {
        self.node_inner(false)
    }

    /// Reads one node. `as_key` matters only for the odd `=` scalar, which ruamel accepts
    /// as a key but refuses as a value.
    fn node_inner(&mut self, as_key: bool) -> Result<Node, ParseError> {
        let Some((ev, span)) = self.next() else {
            return Err(ParseError::at(
                Mark { line: 1, col: 1 },
                "unexpected end of stream",
            ));
        };
        let mark = mark_of(&span);
        match ev {
            Event::Scalar(text, style, anchor, tag) => {
                let value = resolve_scalar(&text, style, tag.as_deref(), mark, as_key)?;
                let node = Node { value, mark };
                self.remember(anchor, &node);
                Ok(node)
            }
            Event::Alias(id) => match self.anchors.get(&id) {
                Some(n) => Ok(Node {
                    value: n.value.clone(),
                    mark,
                }),
                None => Err(ParseError::at(mark, "found undefined alias")),
            },
            Event::SequenceStart(anchor, tag) => {
                check_collection_tag(tag.as_deref(), "seq", mark)?;
                let mut items = Vec::new();
                loop {
                    if let Some((Event::SequenceEnd, _)) = self.peek() {
                        self.pos += 1;
                        break;
                    }
                    items.push(self.node()?);
                }
                let node = Node {
                    value: Value::Seq(items),
                    mark,
                };
                self.remember(anchor, &node);
                Ok(node)
            }
            Event::MappingStart(anchor, tag) => {
                check_collection_tag(tag.as_deref(), "map", mark)?;
                let node = Node {
                    value: Value::Map(self.mapping(mark)?),
                    mark,
                };
                self.remember(anchor, &node);
                Ok(node)
            }
            _ => Err(ParseError::at(mark, "unexpected YAML event")),
        }
    }

    /// Reads mapping entries up to `MappingEnd`, applying `<<` merges and rejecting duplicate keys.
    fn mapping(&mut self, start: Mark) -> Result<Vec<(Node, Node)>, ParseError> {
        let mut explicit: Vec<(Node, Node)> = Vec::new();
        let mut merged: Option<Vec<(Node, Node)>> = None;
        loop {
            if let Some((Event::MappingEnd, _)) = self.peek() {
                self.pos += 1;
                break;
            }
            let is_merge = matches!(
                self.peek(),
                Some((Event::Scalar(t, ScalarStyle::Plain, _, None), _)) if t == "<<"
            );
            let key = self.node_inner(true)?;
            let value = self.node()?;
            if is_merge {
                if merged.is_some() {
                    return Err(ParseError::at(key.mark, "found duplicate merge key \"<<\""));
                }
                merged = Some(merge_entries(&value, start)?);
            } else {
                explicit.push((key, value));
            }
        }
        match merged {
            // ruamel checks duplicates only when there is no merge; with a merge the merged
            // entries come first and later entries silently win, keeping the first position.
            Some(mut all) => {
                all.extend(explicit);
                let mut out: Vec<(Node, Node)> = Vec::new();
                for (k, v) in all {
                    match out
                        .iter_mut()
                        .find(|(ok, _)| keys_equal(&ok.value, &k.value))
                    {
                        Some(slot) => slot.1 = v,
                        None => out.push((k, v)),
                    }
                }
                Ok(out)
            }
            None => {
                for (i, (k, _)) in explicit.iter().enumerate() {
                    if let Some((first, _)) = explicit[..i]
                        .iter()
                        .find(|(ok, _)| keys_equal(&ok.value, &k.value))
                    {
                        return Err(ParseError::at(
                            k.mark,
                            format!(
                                "found duplicate key {} (first defined on line {})",
                                describe_key(&k.value),
                                first.mark.line
                            ),
                        ));
                    }
                }
                Ok(explicit)
            }
        }
    }
}

/// The entries a `<<` value contributes: a mapping's entries, or for a list of mappings the
/// entries of the last mapping first, so that earlier mappings win (ruamel's `flatten_mapping`).
fn merge_entries(value: &Node, start: Mark) -> Result<Vec<(Node, Node)>, ParseError> {
    match &value.value {
        Value::Map(m) => Ok(m.clone()),
        Value::Seq(items) => {
            let mut out = Vec::new();
            for item in items.iter().rev() {
                match &item.value {
                    Value::Map(m) => out.extend(m.iter().cloned()),
                    _ => {
                        return Err(ParseError::at(
                            item.mark,
                            format!(
                                "expected a mapping for merging into the mapping at line {}, but found {}",
                                start.line,
                                item.type_name()
                            ),
                        ));
                    }
                }
            }
            Ok(out)
        }
        _ => Err(ParseError::at(
            value.mark,
            format!(
                "expected a mapping or list of mappings for merging, but found {}",
                value.type_name()
            ),
        )),
    }
}

/// Key equality as Python dict keys compare: `1`, `1.0` and `true` are the same key.
fn keys_equal(a: &Value, b: &Value) -> bool {
    fn num(v: &Value) -> Option<f64> {
        match v {
            Value::Int(i) => Some(*i as f64),
            Value::BigInt(s) => s.parse().ok(),
            Value::Float(f) => Some(*f),
            Value::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
            _ => None,
        }
    }
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => x == y,
        _ => match (num(a), num(b)) {
            (Some(x), Some(y)) => x == y,
            _ => a == b,
        },
    }
}

fn describe_key(v: &Value) -> String {
    match v {
        Value::Str(s) => format!("\"{s}\""),
        Value::Int(i) => i.to_string(),
        Value::BigInt(s) => s.clone(),
        Value::Float(f) => f.to_string(),
        Value::Bool(b) => if *b { "True" } else { "False" }.to_string(),
        Value::Null => "None".to_string(),
        Value::Seq(_) => "(a list)".to_string(),
        Value::Map(_) => "(a mapping)".to_string(),
    }
}

fn tag_name(tag: &Tag) -> String {
    if tag.handle == CORE {
        format!("!!{}", tag.suffix)
    } else {
        tag.to_string()
    }
}

fn check_collection_tag(tag: Option<&Tag>, want: &str, mark: Mark) -> Result<(), ParseError> {
    match tag {
        None => Ok(()),
        Some(t) if t.handle == CORE && t.suffix == want => Ok(()),
        Some(t) if t.handle.is_empty() && t.suffix == "!" => Ok(()),
        Some(t) => Err(ParseError::at(
            mark,
            format!(
                "could not determine a constructor for the tag '{}'",
                tag_name(t)
            ),
        )),
    }
}

fn resolve_scalar(
    text: &str,
    style: ScalarStyle,
    tag: Option<&Tag>,
    mark: Mark,
    as_key: bool,
) -> Result<Value, ParseError> {
    let bad = |what: &str| ParseError::at(mark, format!("invalid value for {what}: '{text}'"));
    match tag {
        None if style == ScalarStyle::Plain => {
            if text == "=" && !as_key {
                return Err(ParseError::at(
                    mark,
                    "could not determine a constructor for the tag 'tag:yaml.org,2002:value'",
                ));
            }
            Ok(resolve_plain(text))
        }
        None => Ok(Value::Str(text.to_string())),
        Some(t) if t.handle.is_empty() && t.suffix == "!" => Ok(Value::Str(text.to_string())),
        Some(t) if t.handle == CORE => match t.suffix.as_str() {
            "str" => Ok(Value::Str(text.to_string())),
            "null" => Ok(Value::Null),
            "bool" => match text.to_lowercase().as_str() {
                "yes" | "y" | "true" | "on" => Ok(Value::Bool(true)),
                "no" | "n" | "false" | "off" => Ok(Value::Bool(false)),
                _ => Err(bad("!!bool")),
            },
            "int" => construct_int(text).ok_or_else(|| bad("!!int")),
            "float" => construct_float(text)
                .map(Value::Float)
                .ok_or_else(|| bad("!!float")),
            // Timestamps and binary have no Value of their own; keep the text.
            "timestamp" | "binary" => Ok(Value::Str(text.to_string())),
            _ => Err(ParseError::at(
                mark,
                format!(
                    "could not determine a constructor for the tag '{}'",
                    tag_name(t)
                ),
            )),
        },
        Some(t) => Err(ParseError::at(
            mark,
            format!(
                "could not determine a constructor for the tag '{}'",
                tag_name(t)
            ),
        )),
    }
}

/// Resolves an untagged plain scalar with ruamel's YAML 1.2 implicit resolvers
/// ([`crate::resolve`]) and constructs its value (timestamps stay strings here, as DVC
/// only ever formats them back).
pub fn resolve_plain(s: &str) -> Value {
    let parsed = match crate::resolve::resolve_plain(s) {
        PlainKind::Bool => Some(Value::Bool(s.starts_with(['t', 'T']))),
        PlainKind::Null => Some(Value::Null),
        PlainKind::Float => construct_float(s).map(Value::Float),
        PlainKind::Int => construct_int(s),
        PlainKind::Str | PlainKind::Timestamp | PlainKind::Merge | PlainKind::ValueKey => None,
    };
    parsed.unwrap_or_else(|| Value::Str(s.to_string()))
}

fn strip_sign(s: &str) -> &str {
    s.strip_prefix(['-', '+']).unwrap_or(s)
}

/// ruamel's `construct_yaml_int`: drop `_`, honour the sign and prefix; a too-large value
/// becomes a float (Python would keep a big int, which Cairn cannot represent).
fn construct_int(text: &str) -> Option<Value> {
    let cleaned: String = text.chars().filter(|&c| c != '_').collect();
    let negative = cleaned.starts_with('-');
    let digits = strip_sign(&cleaned);
    let (radix, digits) = if let Some(d) = digits.strip_prefix("0b") {
        (2, d)
    } else if let Some(d) = digits.strip_prefix("0x") {
        (16, d)
    } else if let Some(d) = digits.strip_prefix("0o") {
        (8, d)
    } else {
        (10, digits)
    };
    if digits.is_empty() {
        return None;
    }
    match i128::from_str_radix(digits, radix) {
        Ok(v) => {
            let v = if negative { -v } else { v };
            Some(
                i64::try_from(v)
                    .map(Value::Int)
                    .unwrap_or_else(|_| Value::BigInt(v.to_string())),
            )
        }
        Err(_) => {
            // Beyond i128: plain decimals are kept exactly, as Python ints are.
            if radix == 10 && digits.chars().all(|c| c.is_ascii_digit()) {
                let d = digits.trim_start_matches('0');
                Some(Value::BigInt(format!(
                    "{}{d}",
                    if negative { "-" } else { "" }
                )))
            } else {
                None
            }
        }
    }
}

/// ruamel's `construct_yaml_float`: drop `_`, lower-case, `.inf`/`.nan`, else Python `float()`.
fn construct_float(text: &str) -> Option<f64> {
    let cleaned: String = text
        .chars()
        .filter(|&c| c != '_')
        .collect::<String>()
        .to_lowercase();
    let negative = cleaned.starts_with('-');
    let body = strip_sign(&cleaned);
    let sign = if negative { -1.0 } else { 1.0 };
    match body {
        ".inf" => Some(sign * f64::INFINITY),
        ".nan" => Some(f64::NAN),
        _ => {
            // Python's float() also accepts these spellings; Rust's parser needs no help
            // except that it refuses a bare sign or an empty string, as Python does.
            let f: f64 = body.parse().ok()?;
            Some(sign * f)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Value {
        let doc = parse(&format!("a: {s}\n")).unwrap();
        doc.get("a").unwrap().value.clone()
    }

    #[test]
    fn resolution_table_matches_ruamel_yaml_1_2() {
        // Each row was checked against ruamel.yaml 0.19.1 YAML(typ="safe").
        let s = |x: &str| Value::Str(x.to_string());
        let cases: Vec<(&str, Value)> = vec![
            ("1e-3", Value::Float(0.001)),
            ("1_000", Value::Int(1000)),
            ("0o17", Value::Int(15)),
            ("017", Value::Int(17)),
            ("0x1F", Value::Int(31)),
            ("0b101", Value::Int(5)),
            ("+.5", Value::Float(0.5)),
            (".5e3", s(".5e3")),
            (".5e+3", Value::Float(500.0)),
            ("1.", Value::Float(1.0)),
            ("1.e5", Value::Float(100000.0)),
            ("3.", Value::Float(3.0)),
            ("-.5", Value::Float(-0.5)),
            ("1e3", Value::Float(1000.0)),
            ("1.0e", s("1.0e")),
            (".inf", Value::Float(f64::INFINITY)),
            ("-.Inf", Value::Float(f64::NEG_INFINITY)),
            ("yes", s("yes")),
            ("on", s("on")),
            ("no", s("no")),
            ("True", Value::Bool(true)),
            ("TRUE", Value::Bool(true)),
            ("false", Value::Bool(false)),
            ("tRue", s("tRue")),
            ("Null", Value::Null),
            ("NULL", Value::Null),
            ("~", Value::Null),
            ("", Value::Null),
            ("0_", Value::Int(0)),
            ("12:30", s("12:30")),
            ("-0", Value::Int(0)),
            ("+12", Value::Int(12)),
            ("0x_1f", Value::Int(31)),
            ("1__0", Value::Int(10)),
            ("_1", s("_1")),
            (
                "9223372036854775808",
                Value::BigInt("9223372036854775808".into()),
            ),
            ("2020-01-01", s("2020-01-01")),
            ("'1'", s("1")),
            ("\"true\"", s("true")),
            ("!!str 1", s("1")),
            ("!!int \"2\"", Value::Int(2)),
            ("!!float 3", Value::Float(3.0)),
            ("!!bool yes", Value::Bool(true)),
            ("|\n  x\n", s("x\n")),
        ];
        for (src, want) in cases {
            assert_eq!(v(src), want, "resolving {src:?}");
        }
        match v(".NaN") {
            Value::Float(f) => assert!(f.is_nan()),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn empty_document_is_null() {
        assert_eq!(parse("").unwrap().value, Value::Null);
        assert_eq!(parse("# only a comment\n").unwrap().value, Value::Null);
        assert_eq!(parse("---\n").unwrap().value, Value::Null);
    }

    #[test]
    fn marks_are_one_based() {
        let doc = parse("stages:\n  train:\n    cmd: x\n").unwrap();
        assert_eq!(doc.mark, Mark { line: 1, col: 1 });
        let cmd = doc
            .get("stages")
            .unwrap()
            .get("train")
            .unwrap()
            .get("cmd")
            .unwrap();
        assert_eq!(cmd.mark, Mark { line: 3, col: 10 });
    }

    #[test]
    fn duplicate_key_names_its_line() {
        let err = parse("a: 1\nb: 2\na: 3\n").unwrap_err();
        assert_eq!((err.line, err.col), (3, 1));
        assert!(
            err.message.contains("duplicate key \"a\""),
            "{}",
            err.message
        );
        assert!(err.message.contains("line 1"), "{}", err.message);
        let err = parse("{a: 1, a: 1}").unwrap_err();
        assert_eq!((err.line, err.col), (1, 8));
    }

    #[test]
    fn syntax_error_position() {
        let err = parse("a: [1, 2\nb: 3\n").unwrap_err();
        assert!(err.line >= 1 && err.col >= 1, "{err}");
        let err = parse("a:\n  b: 1\n c: 2\n").unwrap_err();
        assert_eq!(err.line, 3, "{err}");
    }

    #[test]
    fn tabs_rejected_like_ruamel() {
        for bad in [
            "a: x\ty\n",
            "a:\tx\n",
            "a: x\t\n",
            "a: x\t# c\n",
            "a:\n\t- x\n",
            "a: 1\n \t\nb: 2\n",
        ] {
            assert!(parse(bad).is_err(), "{bad:?} should be rejected");
        }
        let err = parse("a:\n  - x\t\nb: 1\n").unwrap_err();
        assert_eq!((err.line, err.col), (2, 6));
        for good in [
            "a: [x,\ty]\n",
            "a: \"x\ty\"\n",
            "a: |\n  x\t\n",
            "a: x # c\t\n",
            "a: 'q\tq'\n",
        ] {
            assert!(parse(good).is_ok(), "{good:?} should be accepted");
        }
    }

    #[test]
    fn unknown_tag_is_an_error() {
        let err = parse("a: !foo 1\n").unwrap_err();
        assert_eq!((err.line, err.col), (1, 4));
        assert!(parse("a: =\n").is_err());
    }

    #[test]
    fn anchors_aliases_and_merges() {
        let doc =
            parse("x: &x {a: 1, b: 2}\nz: &z {b: 5, d: 6}\ny:\n  c: 3\n  <<: [*x, *z]\n  a: 9\n")
                .unwrap();
        let y = doc.get("y").unwrap().as_map().unwrap();
        let got: Vec<(String, Value)> = y
            .iter()
            .map(|(k, v)| (k.as_str().unwrap().to_string(), v.value.clone()))
            .collect();
        // Same order and values as ruamel: {'b': 2, 'd': 6, 'a': 9, 'c': 3}
        assert_eq!(
            got,
            vec![
                ("b".into(), Value::Int(2)),
                ("d".into(), Value::Int(6)),
                ("a".into(), Value::Int(9)),
                ("c".into(), Value::Int(3)),
            ]
        );
        let doc = parse("base: &b [1, 2]\nother: *b\n").unwrap();
        assert_eq!(doc.get("other").unwrap().as_seq().unwrap().len(), 2);
        assert!(parse("a: *nope\n").is_err());
    }

    #[test]
    fn multiple_documents_are_rejected() {
        assert!(parse("a: 1\n---\nb: 2\n").is_err());
    }
}

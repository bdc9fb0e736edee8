//! Python params files (`params.py`) read the way DVC reads them, without a Python
//! interpreter.
//!
//! DVC (`dvc/utils/serialize/_py.py`) runs `ast.parse` and keeps, from the module body:
//! single-target assignments and annotated assignments whose value `ast.literal_eval`
//! accepts (`x = 1`, `y: float = 0.1`, `self.z = 2`); classes, as a dict of their body
//! read the same way; and `def __init__` bodies, whose `self.x = …` assignments join the
//! enclosing dict. Anything else (imports, calls, `a, b = 1, 2`, `if` blocks, statements
//! whose value is not a literal) is silently skipped, exactly as DVC skips it.
//!
//! The bounded part: a tokenizer that understands Python's lexical structure (strings of
//! every kind, comments, brackets, continuation lines, indentation) and a literal parser
//! for what `literal_eval` returns. A file the tokenizer cannot read, or a literal Cairn
//! cannot represent (bytes, complex numbers, sets, non-string dict keys), is an error
//! naming the line. Python syntax errors inside a skipped (non-literal) expression are not
//! detected: DVC would refuse such a file, Cairn reads the rest.
//!
//! [`parse_lined`] also keeps each value's line, which `-S` needs to rewrite the file the
//! way DVC's `modify_py` does.

use indexmap::IndexMap;

use crate::data::Data;

/// Why a Python params file cannot be read, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct PyParamsError {
    /// 1-based line.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// A value with the (1-based) line of the assignment it came from, or a class body /
/// dict literal whose entries carry their own lines (DVC's `lineno=True` structure).
#[derive(Debug, Clone, PartialEq)]
pub enum Lined {
    /// An assigned literal.
    Leaf {
        /// Line of the assignment statement.
        line: usize,
        /// The value.
        value: Data,
    },
    /// A class body, an `__init__`'s `self.` attributes, or a dict literal.
    Map(IndexMap<String, Lined>),
}

impl Lined {
    /// The plain value.
    pub fn to_data(&self) -> Data {
        match self {
            Lined::Leaf { value, .. } => value.clone(),
            Lined::Map(m) => Data::Dict(m.iter().map(|(k, v)| (k.clone(), v.to_data())).collect()),
        }
    }
}

/// Reads a Python params file into a dict.
pub fn parse(text: &str) -> Result<Data, PyParamsError> {
    let m = parse_lined(text)?;
    Ok(Data::Dict(
        m.iter().map(|(k, v)| (k.clone(), v.to_data())).collect(),
    ))
}

/// Reads a Python params file keeping every value's line.
pub fn parse_lined(text: &str) -> Result<IndexMap<String, Lined>, PyParamsError> {
    let lines = logical_lines(text)?;
    let mut i = 0;
    let mut out = IndexMap::new();
    block(&lines, &mut i, 0, false, &mut out)?;
    if let Some(l) = lines.get(i) {
        return Err(err(l.line, "unexpected indent"));
    }
    Ok(out)
}

/// Checks that `text` still tokenizes as Python (what Cairn can check of DVC's
/// `ast.parse` after an update).
pub fn check_syntax(text: &str) -> Result<(), PyParamsError> {
    parse_lined(text).map(|_| ())
}

fn err(line: usize, message: impl Into<String>) -> PyParamsError {
    PyParamsError {
        line,
        message: message.into(),
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Name(String),
    Number(String),
    /// Prefix (lower-cased) and body without quotes, undecoded.
    Str(String, String),
    Op(&'static str),
}

#[derive(Debug)]
struct Line {
    line: usize,
    indent: usize,
    toks: Vec<Tok>,
}

const OPS: &[&str] = &[
    "**=", "//=", ">>=", "<<=", "...", "->", ":=", "==", "!=", "<=", ">=", "**", "//", "<<", ">>",
    "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "@=", "+", "-", "*", "/", "%", "@", "&", "|",
    "^", "~", "<", ">", "(", ")", "[", "]", "{", "}", ",", ":", ".", ";", "=",
];

fn logical_lines(text: &str) -> Result<Vec<Line>, PyParamsError> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let mut line = 1;
    let mut depth: Vec<(char, usize)> = Vec::new();
    let mut cur: Option<Line> = None;
    let mut at_line_start = true;
    while i < chars.len() {
        let c = chars[i];
        if at_line_start && depth.is_empty() && cur.is_none() {
            // Measure indentation; blank and comment-only lines do not count.
            let mut col = 0;
            let mut j = i;
            while j < chars.len() && matches!(chars[j], ' ' | '\t' | '\x0c') {
                col = match chars[j] {
                    '\t' => (col / 8 + 1) * 8,
                    '\x0c' => 0,
                    _ => col + 1,
                };
                j += 1;
            }
            at_line_start = false;
            i = j;
            if j >= chars.len() || matches!(chars[j], '#' | '\n' | '\r') {
                continue;
            }
            cur = Some(Line {
                line,
                indent: col,
                toks: Vec::new(),
            });
            continue;
        }
        match c {
            '\n' | '\r' => {
                if c == '\r' && chars.get(i + 1) == Some(&'\n') {
                    i += 1;
                }
                i += 1;
                line += 1;
                if depth.is_empty() {
                    if let Some(l) = cur.take() {
                        out.push(l);
                    }
                    at_line_start = true;
                }
            }
            ' ' | '\t' | '\x0c' => i += 1,
            '#' => {
                while i < chars.len() && !matches!(chars[i], '\n' | '\r') {
                    i += 1;
                }
            }
            '\\' => {
                // Explicit line joining.
                i += 1;
                match chars.get(i) {
                    Some('\n') => {
                        i += 1;
                        line += 1;
                    }
                    Some('\r') => {
                        i += if chars.get(i + 1) == Some(&'\n') {
                            2
                        } else {
                            1
                        };
                        line += 1;
                    }
                    _ => return Err(err(line, "unexpected character after line continuation")),
                }
                if cur.is_none() {
                    return Err(err(line, "unexpected line continuation"));
                }
            }
            _ => {
                let Some(l) = cur.as_mut() else {
                    return Err(err(line, "unexpected token"));
                };
                let start_line = line;
                if c.is_alphabetic() || c == '_' {
                    let mut j = i;
                    while j < chars.len() && (chars[j].is_alphanumeric() || chars[j] == '_') {
                        j += 1;
                    }
                    let word: String = chars[i..j].iter().collect();
                    let lower = word.to_lowercase();
                    let is_prefix = matches!(
                        lower.as_str(),
                        "r" | "u" | "b" | "f" | "br" | "rb" | "fr" | "rf"
                    );
                    if is_prefix && matches!(chars.get(j), Some('\'' | '"')) {
                        let (body, next, lines) = string(&chars, j, start_line)?;
                        l.toks.push(Tok::Str(lower, body));
                        line += lines;
                        i = next;
                    } else {
                        l.toks.push(Tok::Name(word));
                        i = j;
                    }
                } else if c == '\'' || c == '"' {
                    let (body, next, lines) = string(&chars, i, start_line)?;
                    l.toks.push(Tok::Str(String::new(), body));
                    line += lines;
                    i = next;
                } else if c.is_ascii_digit()
                    || (c == '.' && chars.get(i + 1).is_some_and(char::is_ascii_digit))
                {
                    let mut j = i;
                    while j < chars.len() {
                        let d = chars[j];
                        let exp_sign = matches!(d, '+' | '-')
                            && matches!(chars[j - 1], 'e' | 'E')
                            && !chars[i..j].iter().any(|x| matches!(x, 'x' | 'X'));
                        if d.is_ascii_alphanumeric() || d == '_' || d == '.' || exp_sign {
                            j += 1;
                        } else {
                            break;
                        }
                    }
                    l.toks.push(Tok::Number(chars[i..j].iter().collect()));
                    i = j;
                } else {
                    let rest: String = chars[i..(i + 3).min(chars.len())].iter().collect();
                    let Some(op) = OPS.iter().find(|o| rest.starts_with(*o)) else {
                        return Err(err(line, format!("invalid character '{c}'")));
                    };
                    match *op {
                        "(" | "[" | "{" => depth.push((c, line)),
                        ")" | "]" | "}" => {
                            let open = match c {
                                ')' => '(',
                                ']' => '[',
                                _ => '{',
                            };
                            match depth.pop() {
                                Some((o, _)) if o == open => {}
                                _ => return Err(err(line, format!("unmatched '{c}'"))),
                            }
                        }
                        _ => {}
                    }
                    l.toks.push(Tok::Op(op));
                    i += op.chars().count();
                }
            }
        }
    }
    if let Some((c, l)) = depth.pop() {
        return Err(err(l, format!("'{c}' was never closed")));
    }
    if let Some(l) = cur.take() {
        out.push(l);
    }
    Ok(out)
}

/// A string literal starting at `chars[i]` (a quote): its raw body, the index after it,
/// and how many line breaks it spans.
fn string(chars: &[char], i: usize, line: usize) -> Result<(String, usize, usize), PyParamsError> {
    let q = chars[i];
    let triple = chars.get(i + 1) == Some(&q) && chars.get(i + 2) == Some(&q);
    let mut j = i + if triple { 3 } else { 1 };
    let start = j;
    let mut lines = 0;
    loop {
        let Some(&c) = chars.get(j) else {
            return Err(err(line, "unterminated string literal"));
        };
        if c == '\\' {
            if matches!(chars.get(j + 1), Some('\n')) {
                lines += 1;
            }
            j += 2;
            continue;
        }
        if c == '\n' {
            if !triple {
                return Err(err(line, "unterminated string literal"));
            }
            lines += 1;
        }
        if c == q && (!triple || (chars.get(j + 1) == Some(&q) && chars.get(j + 2) == Some(&q))) {
            let body: String = chars[start..j].iter().collect();
            return Ok((body, j + if triple { 3 } else { 1 }, lines));
        }
        j += 1;
    }
}

const COMPOUND: &[&str] = &[
    "class", "def", "if", "elif", "else", "for", "while", "with", "try", "except", "finally",
    "async",
];

/// Reads the statements at `indent` into `out` (DVC's `_ast_tree_to_dict` over a body).
fn block(
    lines: &[Line],
    i: &mut usize,
    indent: usize,
    only_self: bool,
    out: &mut IndexMap<String, Lined>,
) -> Result<(), PyParamsError> {
    while let Some(l) = lines.get(*i) {
        if l.indent < indent {
            return Ok(());
        }
        if l.indent > indent {
            return Err(err(l.line, "unexpected indent"));
        }
        *i += 1;
        let head = match l.toks.first() {
            Some(Tok::Name(n)) => n.as_str(),
            Some(Tok::Op("@")) => continue, // a decorator; the class/def follows
            _ => "",
        };
        let soft_match = matches!(head, "match" | "case") && l.toks.last() == Some(&Tok::Op(":"));
        if COMPOUND.contains(&head) || soft_match {
            let colon = header_colon(&l.toks)
                .ok_or_else(|| err(l.line, format!("expected ':' after '{head}'")))?;
            let inline_body = &l.toks[colon + 1..];
            // What the body contributes: a class is a nested dict, `__init__` adds its
            // `self.` attributes here, anything else contributes nothing.
            let name = match l.toks.get(1) {
                Some(Tok::Name(n)) => n.as_str(),
                _ => "",
            };
            let mut body = IndexMap::new();
            let (body_only_self, keep) = match head {
                "class" => (false, true),
                "def" if name == "__init__" => (true, true),
                _ => (false, false),
            };
            if inline_body.is_empty() {
                let next = lines.get(*i).filter(|n| n.indent > indent);
                let Some(next) = next else {
                    return Err(err(l.line, "expected an indented block"));
                };
                let inner = next.indent;
                block(lines, i, inner, body_only_self, &mut body)?;
                if let Some(n) = lines.get(*i)
                    && n.indent > indent
                    && n.indent != inner
                {
                    return Err(err(n.line, "unindent does not match any outer level"));
                }
            } else {
                for stmt in split_statements(inline_body) {
                    statement(stmt, l.line, body_only_self, &mut body)?;
                }
            }
            match head {
                "class" if keep => {
                    out.insert(name.to_string(), Lined::Map(body));
                }
                "def" if keep => out.extend(body),
                _ => {}
            }
            continue;
        }
        for stmt in split_statements(&l.toks) {
            statement(stmt, l.line, only_self, out)?;
        }
    }
    Ok(())
}

/// Index of the `:` ending a compound statement's header (the first at bracket depth 0).
fn header_colon(toks: &[Tok]) -> Option<usize> {
    let mut depth = 0i32;
    for (i, t) in toks.iter().enumerate() {
        match t {
            Tok::Op("(" | "[" | "{") => depth += 1,
            Tok::Op(")" | "]" | "}") => depth -= 1,
            Tok::Op(":") if depth == 0 => return Some(i),
            Tok::Name(n) if n == "lambda" && depth == 0 => return None,
            _ => {}
        }
    }
    None
}

fn split_statements(toks: &[Tok]) -> Vec<&[Tok]> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, t) in toks.iter().enumerate() {
        match t {
            Tok::Op("(" | "[" | "{") => depth += 1,
            Tok::Op(")" | "]" | "}") => depth -= 1,
            Tok::Op(";") if depth == 0 => {
                out.push(&toks[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if start < toks.len() {
        out.push(&toks[start..]);
    }
    out
}

/// One simple statement (DVC's `_ast_assign_to_dict`): anything that is not a
/// single-target assignment of a literal is skipped.
fn statement(
    toks: &[Tok],
    line: usize,
    only_self: bool,
    out: &mut IndexMap<String, Lined>,
) -> Result<(), PyParamsError> {
    let mut depth = 0i32;
    let mut eqs = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        match t {
            Tok::Op("(" | "[" | "{") => depth += 1,
            Tok::Op(")" | "]" | "}") => depth -= 1,
            Tok::Op("=") if depth == 0 => eqs.push(i),
            Tok::Name(n) if n == "lambda" && depth == 0 && eqs.is_empty() => return Ok(()),
            _ => {}
        }
    }
    let [eq] = eqs[..] else { return Ok(()) };
    let mut target = &toks[..eq];
    // `name: annotation = value`.
    if let Some(c) = target.iter().position(|t| *t == Tok::Op(":")) {
        target = &target[..c];
    }
    let name = match target {
        [Tok::Name(n)] if !only_self && !is_keyword(n) => n.clone(),
        [Tok::Name(s), Tok::Op("."), Tok::Name(attr)] if s == "self" => attr.clone(),
        _ => return Ok(()),
    };
    let value_toks = &toks[eq + 1..];
    // A dict literal keeps a line per key (all the statement's line).
    if let Some(Tok::Op("{")) = value_toks.first() {
        let mut p = Parser {
            toks: value_toks,
            pos: 0,
            line,
        };
        match p.expr() {
            Ok(Data::Dict(m)) if p.pos == value_toks.len() => {
                let m = m
                    .into_iter()
                    .map(|(k, value)| (k, Lined::Leaf { line, value }))
                    .collect();
                out.insert(name, Lined::Map(m));
                return Ok(());
            }
            Err(Eval::Unsupported(msg)) => return Err(err(line, msg)),
            _ => {}
        }
    }
    match literal(value_toks, line) {
        Ok(value) => {
            out.insert(name, Lined::Leaf { line, value });
            Ok(())
        }
        Err(Eval::NotLiteral) => Ok(()),
        Err(Eval::Unsupported(msg)) => Err(err(line, msg)),
    }
}

/// Whether `n` is a Python keyword (so not a name that can be assigned).
pub fn is_keyword(n: &str) -> bool {
    matches!(
        n,
        "False"
            | "None"
            | "True"
            | "and"
            | "as"
            | "assert"
            | "async"
            | "await"
            | "break"
            | "class"
            | "continue"
            | "def"
            | "del"
            | "elif"
            | "else"
            | "except"
            | "finally"
            | "for"
            | "from"
            | "global"
            | "if"
            | "import"
            | "in"
            | "is"
            | "lambda"
            | "nonlocal"
            | "not"
            | "or"
            | "pass"
            | "raise"
            | "return"
            | "try"
            | "while"
            | "with"
            | "yield"
    )
}

/// Why an expression has no value for DVC.
#[derive(Debug, PartialEq)]
enum Eval {
    /// `literal_eval` raises `ValueError`: DVC skips the statement.
    NotLiteral,
    /// A literal Cairn cannot represent.
    Unsupported(String),
}

/// `ast.literal_eval` of a whole expression (a bare `1, 2` is a tuple).
fn literal(toks: &[Tok], line: usize) -> Result<Data, Eval> {
    if toks.is_empty() {
        return Err(Eval::NotLiteral);
    }
    let mut p = Parser { toks, pos: 0, line };
    let first = p.expr()?;
    let v = if p.peek() == Some(&Tok::Op(",")) {
        let mut items = vec![first];
        while p.eat(",") {
            if p.pos == toks.len() {
                break;
            }
            items.push(p.expr()?);
        }
        Data::List(items)
    } else {
        first
    };
    if p.pos != toks.len() {
        return Err(Eval::NotLiteral);
    }
    Ok(v)
}

struct Parser<'a> {
    toks: &'a [Tok],
    pos: usize,
    line: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn eat(&mut self, op: &str) -> bool {
        if matches!(self.peek(), Some(Tok::Op(o)) if *o == op) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn unsupported(&self, what: &str) -> Eval {
        Eval::Unsupported(format!(
            "{what} (line {}) cannot be used as a parameter value by Cairn",
            self.line
        ))
    }

    /// One element: an atom, maybe followed by `+`/`-` and an imaginary number (a complex
    /// literal, which `literal_eval` accepts).
    fn expr(&mut self) -> Result<Data, Eval> {
        let v = self.unary()?;
        if let Some(Tok::Op("+" | "-")) = self.peek()
            && let Some(Tok::Number(n)) = self.toks.get(self.pos + 1)
            && n.ends_with(['j', 'J'])
        {
            return Err(self.unsupported("a complex number"));
        }
        Ok(v)
    }

    fn unary(&mut self) -> Result<Data, Eval> {
        for (op, neg) in [("-", true), ("+", false)] {
            if self.eat(op) {
                // `literal_eval` wants a constant operand: `-1`, `-(1)`, not `-(-1)`.
                let operand = |t: Option<&Tok>| matches!(t, Some(Tok::Number(_) | Tok::Name(_)));
                let ok = operand(self.peek())
                    || (self.peek() == Some(&Tok::Op("("))
                        && operand(self.toks.get(self.pos + 1))
                        && self.toks.get(self.pos + 2) == Some(&Tok::Op(")")));
                if !ok {
                    return Err(Eval::NotLiteral);
                }
                let v = self.atom()?;
                return match v {
                    Data::Int(i) if neg => Ok(i
                        .checked_neg()
                        .map(Data::Int)
                        .unwrap_or_else(|| Data::BigInt(format!("-{}", i.unsigned_abs())))),
                    Data::BigInt(s) if neg => Ok(negate_big(&s)),
                    Data::Float(f) if neg => Ok(Data::Float(-f)),
                    Data::Bool(b) if neg => Ok(Data::Int(-i64::from(b))),
                    Data::Bool(b) => Ok(Data::Int(i64::from(b))),
                    v @ (Data::Int(_) | Data::BigInt(_) | Data::Float(_)) => Ok(v),
                    _ => Err(Eval::NotLiteral),
                };
            }
        }
        self.atom()
    }

    fn atom(&mut self) -> Result<Data, Eval> {
        let Some(t) = self.peek().cloned() else {
            return Err(Eval::NotLiteral);
        };
        self.pos += 1;
        match t {
            Tok::Number(n) => number(&n).map_err(|e| match e {
                Eval::Unsupported(what) => self.unsupported(&what),
                e => e,
            }),
            Tok::Name(n) => match n.as_str() {
                "True" => Ok(Data::Bool(true)),
                "False" => Ok(Data::Bool(false)),
                "None" => Ok(Data::Null),
                _ => Err(Eval::NotLiteral),
            },
            Tok::Str(prefix, body) => {
                let mut parts = vec![(prefix, body)];
                // Adjacent literals concatenate.
                while let Some(Tok::Str(p2, b2)) = self.peek().cloned() {
                    self.pos += 1;
                    parts.push((p2, b2));
                }
                if parts.iter().any(|(p, _)| p.contains('f')) {
                    return Err(Eval::NotLiteral);
                }
                if parts.iter().any(|(p, _)| p.contains('b')) {
                    return Err(self.unsupported("a bytes literal"));
                }
                let mut s = String::new();
                for (p, b) in &parts {
                    if p.contains('r') {
                        s.push_str(b);
                    } else {
                        unescape(b, &mut s).map_err(|what| self.unsupported(&what))?;
                    }
                }
                Ok(Data::Str(s))
            }
            Tok::Op("(") => {
                if self.eat(")") {
                    return Ok(Data::List(Vec::new()));
                }
                let first = self.expr()?;
                if self.eat(")") {
                    return Ok(first);
                }
                let mut items = vec![first];
                while self.eat(",") {
                    if self.eat(")") {
                        return Ok(Data::List(items));
                    }
                    items.push(self.expr()?);
                }
                if self.eat(")") {
                    Ok(Data::List(items))
                } else {
                    Err(Eval::NotLiteral)
                }
            }
            Tok::Op("[") => {
                let mut items = Vec::new();
                loop {
                    if self.eat("]") {
                        return Ok(Data::List(items));
                    }
                    items.push(self.expr()?);
                    if !self.eat(",") {
                        return if self.eat("]") {
                            Ok(Data::List(items))
                        } else {
                            Err(Eval::NotLiteral)
                        };
                    }
                }
            }
            Tok::Op("{") => {
                if self.eat("}") {
                    return Ok(Data::Dict(IndexMap::new()));
                }
                if self.peek() == Some(&Tok::Op("**")) {
                    return Err(Eval::NotLiteral);
                }
                let first = self.expr()?;
                if !self.eat(":") {
                    // A set (if it is a literal at all).
                    while self.eat(",") {
                        if self.peek() == Some(&Tok::Op("}")) {
                            break;
                        }
                        self.expr()?;
                    }
                    return if self.eat("}") {
                        Err(self.unsupported("a set"))
                    } else {
                        Err(Eval::NotLiteral)
                    };
                }
                let mut m = IndexMap::new();
                let mut key = first;
                loop {
                    let v = self.expr()?;
                    let Data::Str(k) = key else {
                        return Err(
                            self.unsupported(&format!("a dict key of type {}", key.py_type()))
                        );
                    };
                    m.insert(k, v);
                    if !self.eat(",") || self.peek() == Some(&Tok::Op("}")) {
                        break;
                    }
                    if self.peek() == Some(&Tok::Op("**")) {
                        return Err(Eval::NotLiteral);
                    }
                    key = self.expr()?;
                    if !self.eat(":") {
                        return Err(Eval::NotLiteral);
                    }
                }
                if self.eat("}") {
                    Ok(Data::Dict(m))
                } else {
                    Err(Eval::NotLiteral)
                }
            }
            Tok::Op("...") => Err(self.unsupported("Ellipsis")),
            Tok::Op(_) => Err(Eval::NotLiteral),
        }
    }
}

fn negate_big(s: &str) -> Data {
    match s.strip_prefix('-') {
        Some(pos) => Data::BigInt(pos.to_string()),
        None if s == "9223372036854775808" => Data::Int(i64::MIN),
        None => Data::BigInt(format!("-{s}")),
    }
}

/// A number token as Python reads it.
fn number(n: &str) -> Result<Data, Eval> {
    if n.ends_with(['j', 'J']) {
        return Err(Eval::Unsupported("a complex number".into()));
    }
    let bad = || Eval::Unsupported(format!("the number '{n}'"));
    let clean = n.replace('_', "");
    let lower = clean.to_lowercase();
    for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] {
        if let Some(d) = lower.strip_prefix(prefix) {
            let v = u128::from_str_radix(d, radix).map_err(|_| bad())?;
            return Ok(int_from_u128(v));
        }
    }
    if clean.contains(['.', 'e', 'E']) {
        return clean.parse::<f64>().map(Data::Float).map_err(|_| bad());
    }
    if !clean.chars().all(|c| c.is_ascii_digit()) || clean.is_empty() {
        return Err(bad());
    }
    if clean.len() > 1 && clean.starts_with('0') && clean.chars().any(|c| c != '0') {
        return Err(bad()); // `007` is a SyntaxError in Python 3
    }
    let digits = clean.trim_start_matches('0');
    if digits.is_empty() {
        return Ok(Data::Int(0));
    }
    Ok(match digits.parse::<i64>() {
        Ok(i) => Data::Int(i),
        Err(_) => Data::BigInt(digits.to_string()),
    })
}

fn int_from_u128(v: u128) -> Data {
    i64::try_from(v)
        .map(Data::Int)
        .unwrap_or_else(|_| Data::BigInt(v.to_string()))
}

/// Decodes the escapes of a non-raw string body.
fn unescape(body: &str, out: &mut String) -> Result<(), String> {
    let mut it = body.chars().peekable();
    while let Some(c) = it.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some(e) = it.next() else {
            out.push('\\');
            break;
        };
        match e {
            '\n' => {}
            '\\' => out.push('\\'),
            '\'' => out.push('\''),
            '"' => out.push('"'),
            'a' => out.push('\x07'),
            'b' => out.push('\x08'),
            'f' => out.push('\x0c'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'v' => out.push('\x0b'),
            '0'..='7' => {
                let mut v = e.to_digit(8).unwrap_or(0);
                for _ in 0..2 {
                    match it.peek().and_then(|d| d.to_digit(8)) {
                        Some(d) => {
                            v = v * 8 + d;
                            it.next();
                        }
                        None => break,
                    }
                }
                out.push(char::from_u32(v).ok_or("an escape sequence")?);
            }
            'x' | 'u' | 'U' => {
                let n = match e {
                    'x' => 2,
                    'u' => 4,
                    _ => 8,
                };
                let hex: String = (0..n).filter_map(|_| it.next()).collect();
                let v = u32::from_str_radix(&hex, 16).map_err(|_| "an escape sequence")?;
                out.push(char::from_u32(v).ok_or("an escape sequence")?);
            }
            'N' => return Err("a \\N{...} escape".into()),
            other => {
                out.push('\\');
                out.push(other);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"# comment
import os
lr = 0.1  # lr = 0.1
epochs: int = 3
name = "cnn"
big = 12345678901234567890123
small = 1e-3
tup = (1, 2)
lst = [1, 2,
       3]
cfg = {"a": 1, 'b': {"c": -2}}
flag = True
none = None
x = os.getcwd()
a, b = 1, 2
c = d = 5
neg = -5
s = r"\d+" 'x\n'
long = """multi
line"""
self.top = 1; semi = 2
if flag:
    hidden = 1

@decorator
class Train:
    depth = 2
    opt = "adam"

    def __init__(self, seed: int = 0) -> None:
        self.seed = 42
        self.w = 0.5
        local = 3

    def other(self):
        self.no = 1

class Empty: pass
"#;

    #[test]
    fn reads_what_dvc_reads() {
        // Expected: `python3 -c "from dvc.utils.serialize._py import parse_py; ..."`.
        let d = parse(SAMPLE).unwrap();
        assert_eq!(
            d.py_repr(),
            "{'lr': 0.1, 'epochs': 3, 'name': 'cnn', 'big': 12345678901234567890123, \
             'small': 0.001, 'tup': [1, 2], 'lst': [1, 2, 3], 'cfg': {'a': 1, 'b': {'c': -2}}, \
             'flag': True, 'none': None, 'neg': -5, 's': '\\\\d+x\\n', 'long': 'multi\\nline', \
             'top': 1, 'semi': 2, 'Train': {'depth': 2, 'opt': 'adam', 'seed': 42, 'w': 0.5}, \
             'Empty': {}}"
        );
        let lined = parse_lined(SAMPLE).unwrap();
        assert!(matches!(lined["lr"], Lined::Leaf { line: 3, .. }));
        let Lined::Map(train) = &lined["Train"] else {
            panic!()
        };
        assert!(matches!(train["seed"], Lined::Leaf { line: 31, .. }));
    }

    #[test]
    fn errors_name_the_line() {
        let e = parse("a = 1\nb = (1,\nc = 2\n").unwrap_err();
        assert_eq!(e.line, 2, "{e}");
        let e = parse("a = 1\nb = 'x\n").unwrap_err();
        assert_eq!(e.line, 2);
        let e = parse("a = 1\n  b = 2\n").unwrap_err();
        assert_eq!(e.line, 2);
        let e = parse("a = 1\nb = {1, 2}\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.message.contains("a set"), "{e}");
        assert_eq!(parse("z = b'x'\n").unwrap_err().line, 1);
        assert_eq!(parse("z = 1+2j\n").unwrap_err().line, 1);
        // Not literals: skipped, like DVC.
        assert_eq!(
            parse("f = f'x'\ng = [i for i in y]\nh = 1 + 2\nk = -(-1)\n")
                .unwrap()
                .py_repr(),
            "{}"
        );
        assert_eq!(
            parse("n = -9223372036854775808\nm = 0xff\n")
                .unwrap()
                .py_repr(),
            "{'n': -9223372036854775808, 'm': 255}"
        );
    }
}

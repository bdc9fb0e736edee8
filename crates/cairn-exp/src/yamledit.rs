//! Rewriting a YAML params file the way DVC's `apply_overrides` + ruamel round-trip do,
//! for block-style documents: every line that does not change stays byte for byte
//! (comments included); changed scalars are written as ruamel writes them, and an
//! end-of-line comment keeps its column when the new value fits (else it follows after one
//! space); `null`/`~` become empty values; lists are always re-emitted in block style
//! (DVC replaces every list with a plain Python list); quoted strings lose quotes they do
//! not need; flow mappings and ints/floats/bools keep their text. New keys are appended at
//! the end of their mapping. Anything else (flow-style roots, a scalar turned into a
//! mapping, multi-line scalars that change) falls back to emitting the whole document.

use cairn_pipeline::data::Data;
use cairn_yaml::{Mark, Node, Value as YValue};
use indexmap::IndexMap;

/// The new text of a YAML params file whose parsed content becomes `new`.
pub fn rewrite(text: &str, new: &Data) -> String {
    try_rewrite(text, new).unwrap_or_else(|| emit(new))
}

fn emit(d: &Data) -> String {
    match d {
        Data::Dict(m) if m.is_empty() => "{}\n".into(),
        _ => cairn_yaml::to_string(&d.to_node(Mark::default())),
    }
}

struct Edit {
    start: usize,
    end: usize,
    lines: Vec<String>,
}

fn try_rewrite(text: &str, new: &Data) -> Option<String> {
    let root = cairn_yaml::parse(text).ok()?;
    let Data::Dict(new_map) = new else {
        return None;
    };
    let pairs = match &root.value {
        YValue::Map(p) if !p.is_empty() => p,
        _ => return None,
    };
    let lines: Vec<String> = text.split('\n').map(str::to_string).collect();
    // Flow-style root (`{a: 1}`)?
    let first = &lines[pairs[0].0.mark.line - 1];
    if first.trim_start().starts_with('{') {
        return None;
    }
    let mut edits = Vec::new();
    // The root mapping owns every line up to the end (ruamel attaches trailing blank
    // lines and comments to the entry before them).
    let end = if lines.last().is_some_and(|l| l.is_empty()) {
        lines.len() - 1
    } else {
        lines.len()
    };
    process_map(&lines, pairs, new_map, end, &mut edits)?;
    // Bottom-up; at one line, replace before inserting there.
    edits.sort_by_key(|e| (std::cmp::Reverse(e.start), std::cmp::Reverse(e.end)));
    let mut out = lines;
    for e in edits {
        out.splice(e.start..e.end, e.lines);
    }
    Some(out.join("\n"))
}

/// Index one past the last line in `0..end` holding content (not blank, not a comment).
fn content_end(lines: &[String], end: usize) -> usize {
    let mut e = end.min(lines.len());
    while e > 0 {
        let t = lines[e - 1].trim();
        if t.is_empty() || t.starts_with('#') {
            e -= 1;
        } else {
            break;
        }
    }
    e
}

fn chars(s: &str) -> Vec<char> {
    s.chars().collect()
}

/// Splits the text after a value's start into (value text, comment column within line).
fn split_value(line: &[char], col: usize) -> (String, Option<usize>) {
    let rest = &line[col.min(line.len())..];
    let mut i = 0;
    if let Some(&q) = rest.first()
        && (q == '\'' || q == '"')
    {
        i = 1;
        while i < rest.len() {
            if q == '\'' && rest[i] == '\'' {
                if rest.get(i + 1) == Some(&'\'') {
                    i += 2;
                    continue;
                }
                i += 1;
                break;
            }
            if q == '"' && rest[i] == '\\' {
                i += 2;
                continue;
            }
            if q == '"' && rest[i] == '"' {
                i += 1;
                break;
            }
            i += 1;
        }
        let value: String = rest[..i.min(rest.len())].iter().collect();
        let comment = rest[i.min(rest.len())..]
            .iter()
            .position(|&c| c == '#')
            .map(|p| col + i + p);
        return (value, comment);
    }
    while i < rest.len() {
        if rest[i] == '#' && (i == 0 || rest[i - 1] == ' ' || rest[i - 1] == '\t') {
            let value: String = rest[..i].iter().collect();
            return (value.trim_end().to_string(), Some(col + i));
        }
        i += 1;
    }
    (rest.iter().collect::<String>().trim_end().to_string(), None)
}

/// Index of the `:` ending the key that starts at `col`.
fn key_colon(line: &[char], col: usize) -> Option<usize> {
    let mut i = col;
    if let Some(&q) = line.get(i)
        && (q == '\'' || q == '"')
    {
        i += 1;
        while i < line.len() && line[i] != q {
            i += if line[i] == '\\' && q == '"' { 2 } else { 1 };
        }
        i += 1;
    }
    while i < line.len() {
        if line[i] == ':' && (i + 1 == line.len() || line[i + 1] == ' ' || line[i + 1] == '\t') {
            return Some(i);
        }
        i += 1;
    }
    None
}

fn with_comment(mut prefix: String, line: &[char], comment: Option<usize>) -> String {
    let Some(c) = comment else {
        return prefix;
    };
    let comment: String = line[c..].iter().collect();
    let len = prefix.chars().count();
    if len < c {
        prefix.extend(std::iter::repeat_n(' ', c - len));
    } else {
        prefix.push(' ');
    }
    prefix.push_str(&comment);
    prefix
}

/// `key: value` lines as the emitter writes them, for one entry.
fn emit_entry(key: &str, v: &Data) -> Vec<String> {
    let mut m = IndexMap::new();
    m.insert(key.to_string(), v.clone());
    let s = cairn_yaml::to_string(&Data::Dict(m).to_node(Mark::default()));
    s.trim_end_matches('\n')
        .split('\n')
        .map(str::to_string)
        .collect()
}

fn same(node: &Node, d: &Data) -> bool {
    let a = Data::from_node(node);
    match (&a, d) {
        (Data::Float(x), Data::Float(y)) => x == y || (x.is_nan() && y.is_nan()),
        _ => &a == d,
    }
}

fn process_map(
    lines: &[String],
    pairs: &[(Node, Node)],
    new: &IndexMap<String, Data>,
    extent_end: usize,
    edits: &mut Vec<Edit>,
) -> Option<()> {
    let mut seen = Vec::new();
    let mut indent = None;
    for (i, (k, v)) in pairs.iter().enumerate() {
        let key = k.as_str()?.to_string();
        seen.push(key.clone());
        let kl = k.mark.line - 1;
        let kc = k.mark.col - 1;
        indent.get_or_insert(kc);
        let next = pairs
            .get(i + 1)
            .map(|(k, _)| k.mark.line - 1)
            .unwrap_or(extent_end);
        let entry_end = content_end(lines, next).max(kl + 1);
        let line = chars(&lines[kl]);
        let Some(nv) = new.get(&key) else {
            // The entry goes with the blank lines and comments that follow it.
            edits.push(Edit {
                start: kl,
                end: next.max(kl + 1),
                lines: Vec::new(),
            });
            continue;
        };
        let colon = key_colon(&line, kc)?;
        let orig_prefix: String = line[..=colon].iter().collect();
        // Keys are written afresh too: quotes they do not need go.
        let key_prefix = {
            let e = emit_entry(&key, &Data::Null);
            let first = e
                .first()
                .map(|l| l.trim_end().to_string())
                .unwrap_or_default();
            if e.len() == 1 && first.ends_with(':') {
                let pad: String = std::iter::repeat_n(' ', kc).collect();
                format!("{pad}{first}")
            } else {
                orig_prefix.clone()
            }
        };
        let rekey = |edits: &mut Vec<Edit>| {
            if key_prefix != orig_prefix {
                let rest: String = line[colon + 1..].iter().collect();
                edits.push(Edit {
                    start: kl,
                    end: kl + 1,
                    lines: vec![format!("{key_prefix}{rest}")],
                });
            }
        };
        let on_key_line = v.mark.line - 1 == kl;
        let value_col = if on_key_line {
            v.mark.col - 1
        } else {
            line.len()
        };
        let (vtext, comment) = if on_key_line {
            split_value(&line, value_col)
        } else {
            split_value(&line, colon + 1)
        };
        match (&v.value, nv) {
            (YValue::Map(sub), Data::Dict(nsub)) => {
                if on_key_line && vtext.starts_with('{') {
                    if !same(v, nv) {
                        return None;
                    }
                    rekey(edits);
                    continue;
                }
                if sub.is_empty() {
                    if !nsub.is_empty() {
                        return None;
                    }
                    rekey(edits);
                    continue;
                }
                rekey(edits);
                process_map(lines, sub, nsub, next, edits)?;
            }
            (YValue::Map(_), _) => return None,
            (YValue::Seq(_), _) | (_, Data::List(_)) | (_, Data::Dict(_)) => {
                let pad: String = std::iter::repeat_n(' ', kc).collect();
                let emitted = emit_entry(&key, nv);
                let first = emitted[0].clone();
                let head_value = first
                    .split_once(':')
                    .map(|(_, r)| r.trim().to_string())
                    .unwrap_or_default();
                let mut head = key_prefix.clone();
                if !head_value.is_empty() {
                    head.push(' ');
                    head.push_str(&head_value);
                }
                let mut out = vec![with_comment(head, &line, comment)];
                out.extend(emitted[1..].iter().map(|l| format!("{pad}{l}")));
                edits.push(Edit {
                    start: kl,
                    end: entry_end,
                    lines: out,
                });
            }
            _ => {
                // Scalar to scalar.
                if !on_key_line && !matches!(v.value, YValue::Null) {
                    if same(v, nv) {
                        rekey(edits);
                        continue;
                    }
                    return None;
                }
                let keep = same(v, nv)
                    && matches!(v.value, YValue::Int(_) | YValue::Float(_) | YValue::Bool(_));
                let new_text = if keep {
                    vtext.clone()
                } else if matches!(nv, Data::Null) {
                    String::new()
                } else {
                    let e = emit_entry(&key, nv);
                    if e.len() != 1 {
                        return None;
                    }
                    e[0].split_once(": ")
                        .map(|(_, r)| r.to_string())
                        .unwrap_or_default()
                };
                if new_text == vtext && key_prefix == orig_prefix {
                    continue;
                }
                let mut head = key_prefix.clone();
                if !new_text.is_empty() {
                    head.push(' ');
                    head.push_str(&new_text);
                }
                edits.push(Edit {
                    start: kl,
                    end: kl + 1,
                    lines: vec![with_comment(head, &line, comment)],
                });
            }
        }
    }
    // New keys go after the mapping's last content line.
    let added: Vec<(&String, &Data)> = new.iter().filter(|(k, _)| !seen.contains(k)).collect();
    if !added.is_empty() {
        let pad: String = std::iter::repeat_n(' ', indent.unwrap_or(0)).collect();
        let at = extent_end;
        let mut out = Vec::new();
        for (k, v) in added {
            out.extend(emit_entry(k, v).into_iter().map(|l| format!("{pad}{l}")));
        }
        edits.push(Edit {
            start: at,
            end: at,
            lines: out,
        });
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::overrides::apply_to_data;

    fn run(text: &str, ovs: &[&str]) -> String {
        let mut d = cairn_pipeline::params_file::parse("params.yaml", text).unwrap();
        let ovs: Vec<String> = ovs.iter().map(|s| s.to_string()).collect();
        apply_to_data(&mut d, &ovs, "params.yaml").unwrap();
        rewrite(text, &d)
    }

    // Expected outputs produced by DVC 3.67.1's `apply_overrides` (ruamel round-trip).
    #[test]
    fn matches_dvc_on_scalars_comments_lists_and_new_keys() {
        let src = "# top comment\nlr: 0.1   # learning rate\nepochs: 3\nname: 'quoted'\nflag: false\nopt:\n  kind: sgd  # inner\n  mom: 0.9\nlist: [1, 2]\nblist:\n- a\n- b\n";
        assert_eq!(
            run(
                src,
                &[
                    "lr=1e-5",
                    "epochs=10",
                    "name=hello world",
                    "flag=true",
                    "opt.kind=adam",
                    "opt.mom=null",
                    "list=[3,4]",
                    "+newkey=7",
                    "blist=[x]"
                ]
            ),
            "# top comment\nlr: 1e-05 # learning rate\nepochs: 10\nname: hello world\nflag: true\nopt:\n  kind: adam # inner\n  mom:\nlist:\n- 3\n- 4\nblist:\n- x\nnewkey: 7\n"
        );
        assert_eq!(
            run(
                src,
                &[
                    "lr=2",
                    "epochs=1.5",
                    "name=123",
                    "opt.kind='1'",
                    "++opt.new=abc",
                    "opt.mom=1e20"
                ]
            ),
            "# top comment\nlr: 2     # learning rate\nepochs: 1.5\nname: 123\nflag: false\nopt:\n  kind: '1'  # inner\n  mom: 1e+20\n  new: abc\nlist:\n- 1\n- 2\nblist:\n- a\n- b\n"
        );
        let src3 = "a: 'quoted'\nb: \"dq\"\nc: 1.0e-3\nd: 0x10\ne: ~\nf: yes\nnested:\n  l: [1, 2]   # c\n  m: {x: 1}\ng: 1\n";
        assert_eq!(
            run(src3, &["g=2"]),
            "a: quoted\nb: dq\nc: 1.0e-3\nd: 0x10\ne:\nf: yes\nnested:\n  l:          # c\n  - 1\n  - 2\n  m: {x: 1}\ng: 2\n"
        );
    }
}

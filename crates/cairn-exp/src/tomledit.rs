//! Rewriting a TOML params file in place, the way DVC's tomlkit round trip does for
//! changed values: only the value text of a changed `key = value` line is replaced; the
//! spacing and comment after it stay. Added or removed keys, arrays of tables and
//! multi-line values that change fall back to a plain re-serialisation.

use cairn_pipeline::data::Data;

/// The new text, or `None` when an in-place edit is not possible.
pub fn rewrite(text: &str, old: &Data, new: &Data) -> Option<String> {
    if !same_keys(old, new) {
        return None;
    }
    let mut table: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for line in text.split('\n') {
        let t = line.trim_start();
        if t.starts_with("[[") {
            return None;
        }
        if let Some(h) = t.strip_prefix('[') {
            let end = h.find(']')?;
            table = split_key(&h[..end])?;
            out.push(line.to_string());
            continue;
        }
        if t.is_empty() || t.starts_with('#') {
            out.push(line.to_string());
            continue;
        }
        let Some(eq) = find_eq(line) else {
            out.push(line.to_string());
            continue;
        };
        let mut path = table.clone();
        path.extend(split_key(&line[..eq])?);
        let after = &line[eq + 1..];
        let lead = after.len() - after.trim_start().len();
        let vstart = eq + 1 + lead;
        let vend = vstart + value_len(&line[vstart..])?;
        let (Some(ov), Some(nv)) = (get(old, &path), get(new, &path)) else {
            return None;
        };
        if ov == nv {
            out.push(line.to_string());
            continue;
        }
        out.push(format!("{}{}{}", &line[..vstart], repr(nv)?, &line[vend..]));
    }
    Some(out.join("\n"))
}

fn same_keys(a: &Data, b: &Data) -> bool {
    match (a, b) {
        (Data::Dict(x), Data::Dict(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_keys(v, w)))
        }
        (Data::Dict(_), _) | (_, Data::Dict(_)) => false,
        _ => true,
    }
}

fn get<'a>(d: &'a Data, path: &[String]) -> Option<&'a Data> {
    let mut cur = d;
    for p in path {
        match cur {
            Data::Dict(m) => cur = m.get(p)?,
            _ => return None,
        }
    }
    Some(cur)
}

fn split_key(k: &str) -> Option<Vec<String>> {
    k.split('.')
        .map(|p| {
            let p = p.trim();
            let p = p
                .strip_prefix('"')
                .and_then(|x| x.strip_suffix('"'))
                .or_else(|| p.strip_prefix('\'').and_then(|x| x.strip_suffix('\'')))
                .unwrap_or(p);
            (!p.is_empty()).then(|| p.to_string())
        })
        .collect()
}

fn find_eq(line: &str) -> Option<usize> {
    let mut q: Option<char> = None;
    for (i, c) in line.char_indices() {
        match q {
            Some(x) if c == x => q = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => q = Some(c),
            None if c == '=' => return Some(i),
            None if c == '#' => return None,
            None => {}
        }
    }
    None
}

/// Length of the value text at the start of `s` (up to spacing + comment).
fn value_len(s: &str) -> Option<usize> {
    if s.starts_with("\"\"\"") || s.starts_with("'''") {
        return None;
    }
    let mut q: Option<char> = None;
    let mut depth = 0i32;
    let mut esc = false;
    for (i, c) in s.char_indices() {
        if let Some(x) = q {
            if esc {
                esc = false;
            } else if c == '\\' && x == '"' {
                esc = true;
            } else if c == x {
                q = None;
            }
            continue;
        }
        match c {
            '"' | '\'' => q = Some(c),
            '[' | '{' => depth += 1,
            ']' | '}' => depth -= 1,
            '#' if depth == 0 => return Some(s[..i].trim_end().len()),
            _ => {}
        }
    }
    if depth != 0 || q.is_some() {
        return None;
    }
    Some(s.trim_end().len())
}

fn repr(d: &Data) -> Option<String> {
    Some(match d {
        Data::Bool(b) => b.to_string(),
        Data::Int(i) => i.to_string(),
        Data::BigInt(s) => s.clone(),
        Data::Float(f) if f.is_nan() => "nan".into(),
        Data::Float(f) if f.is_infinite() => (if *f > 0.0 { "inf" } else { "-inf" }).into(),
        Data::Float(f) => cairn_core::pyfloat::repr(*f),
        Data::Str(s) => {
            let mut o = String::from("\"");
            for c in s.chars() {
                match c {
                    '"' => o.push_str("\\\""),
                    '\\' => o.push_str("\\\\"),
                    '\n' => o.push_str("\\n"),
                    '\t' => o.push_str("\\t"),
                    c if (c as u32) < 0x20 => o.push_str(&format!("\\u{:04X}", c as u32)),
                    c => o.push(c),
                }
            }
            o.push('"');
            o
        }
        Data::List(items) => format!(
            "[{}]",
            items
                .iter()
                .map(repr)
                .collect::<Option<Vec<_>>>()?
                .join(", ")
        ),
        Data::Null | Data::Dict(_) => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::overrides::apply_to_data;

    #[test]
    fn edits_values_and_keeps_comments_like_tomlkit() {
        let src = "lr = 0.1 # c\n[model]\ndepth = 2\nname = \"cnn\"   # the net\n";
        let old = cairn_pipeline::params_file::parse("p.toml", src).unwrap();
        let mut new = old.clone();
        apply_to_data(
            &mut new,
            &["model.depth=5".into(), "model.name=rnn".into()],
            "p.toml",
        )
        .unwrap();
        assert_eq!(
            rewrite(src, &old, &new).unwrap(),
            "lr = 0.1 # c\n[model]\ndepth = 5\nname = \"rnn\"   # the net\n"
        );
        let mut added = old.clone();
        apply_to_data(&mut added, &["+x=1".into()], "p.toml").unwrap();
        assert_eq!(rewrite(src, &old, &added), None);
    }
}

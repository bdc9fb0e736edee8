//! Implicit typing of plain scalars, as ruamel.yaml resolves them under YAML 1.2.
//!
//! The emitter needs this to know when a string must be quoted (`'2.0'`, `'true'`,
//! `''`) so that DVC reads back a string; the reader uses it to type plain scalars.

/// The type a plain (unquoted) scalar resolves to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlainKind {
    /// A string.
    Str,
    /// `null`, `~` or empty.
    Null,
    /// `true`/`false` in one of ruamel's 1.2 spellings.
    Bool,
    /// An integer (decimal, `0b`, `0o`/`0`, `0x`, underscores allowed).
    Int,
    /// A float, `.inf` or `.nan`.
    Float,
    /// A timestamp such as `2024-01-31` (ruamel's safe loader makes a date of it).
    Timestamp,
    /// `<<`, the merge key.
    Merge,
    /// `=`, the YAML "value" key.
    ValueKey,
}

/// Resolves a plain scalar the way ruamel's `VersionedResolver` does for YAML 1.2.
pub fn resolve_plain(s: &str) -> PlainKind {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return PlainKind::Null,
        "true" | "True" | "TRUE" | "false" | "False" | "FALSE" => return PlainKind::Bool,
        "<<" => return PlainKind::Merge,
        "=" => return PlainKind::ValueKey,
        _ => {}
    }
    // ruamel only tries the resolvers registered for the scalar's first character.
    let first = s.chars().next().unwrap_or(' ');
    if "-+0123456789.".contains(first) && is_float(s) {
        return PlainKind::Float;
    }
    if "-+0123456789".contains(first) && is_int(s) {
        return PlainKind::Int;
    }
    if first.is_ascii_digit() && is_timestamp(s) {
        return PlainKind::Timestamp;
    }
    PlainKind::Str
}

fn strip_sign(s: &str) -> &str {
    s.strip_prefix(['-', '+']).unwrap_or(s)
}

fn all(s: &str, f: impl Fn(char) -> bool) -> bool {
    !s.is_empty() && s.chars().all(f)
}

fn is_exponent(s: &str, sign_required: bool) -> bool {
    let Some(rest) = s.strip_prefix(['e', 'E']) else {
        return false;
    };
    let digits = match rest.strip_prefix(['-', '+']) {
        Some(d) => d,
        None if sign_required => return false,
        None => rest,
    };
    all(digits, |c| c.is_ascii_digit())
}

/// `[-+]?[0-9][0-9_]*\.[0-9_]*([eE][-+]?[0-9]+)?`, `[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+`,
/// `[-+]?\.[0-9_]+([eE][-+][0-9]+)?`, `[-+]?\.(inf|Inf|INF)`, `\.(nan|NaN|NAN)`.
fn is_float(s: &str) -> bool {
    if matches!(s, ".nan" | ".NaN" | ".NAN") {
        return true;
    }
    let body = strip_sign(s);
    if matches!(body, ".inf" | ".Inf" | ".INF") {
        return true;
    }
    if let Some(frac) = body.strip_prefix('.') {
        let end = frac.find(['e', 'E']).unwrap_or(frac.len());
        let (digits, exp) = frac.split_at(end);
        return all(digits, |c| c.is_ascii_digit() || c == '_')
            && (exp.is_empty() || is_exponent(exp, true));
    }
    let Some(first) = body.chars().next() else {
        return false;
    };
    if !first.is_ascii_digit() {
        return false;
    }
    let int_end = body
        .find(|c: char| !(c.is_ascii_digit() || c == '_'))
        .unwrap_or(body.len());
    let rest = &body[int_end..];
    if let Some(frac) = rest.strip_prefix('.') {
        let end = frac.find(['e', 'E']).unwrap_or(frac.len());
        let (digits, exp) = frac.split_at(end);
        digits.chars().all(|c| c.is_ascii_digit() || c == '_')
            && (exp.is_empty() || is_exponent(exp, false))
    } else {
        is_exponent(rest, false)
    }
}

/// `[-+]?0b[0-1_]+`, `[-+]?0o?[0-7_]+`, `[-+]?[0-9_]+`, `[-+]?0x[0-9a-fA-F_]+`.
fn is_int(s: &str) -> bool {
    let body = strip_sign(s);
    if let Some(b) = body.strip_prefix("0b") {
        return all(b, |c| matches!(c, '0' | '1' | '_'));
    }
    if let Some(x) = body.strip_prefix("0x") {
        return all(x, |c| c.is_ascii_hexdigit() || c == '_');
    }
    if let Some(o) = body.strip_prefix("0o") {
        return all(o, |c| matches!(c, '0'..='7' | '_'));
    }
    all(body, |c| c.is_ascii_digit() || c == '_')
}

/// `YYYY-MM-DD`, or the full date-time form ruamel recognises.
fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    let digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    if b.len() == 10
        && (0..4).all(digit)
        && b[4] == b'-'
        && digit(5)
        && digit(6)
        && b[7] == b'-'
        && digit(8)
        && digit(9)
    {
        return true;
    }
    // Date-time: YYYY-M[M]-D[D](T|t|spaces)H[H]:MM:SS[.frac][tz]; rare in DVC files,
    // so a structural check is enough for deciding to quote.
    if b.len() > 10 && (0..4).all(digit) && b[4] == b'-' {
        let rest = &s[5..];
        if let Some(pos) = rest.find(['T', 't', ' ', '\t']) {
            let (date, time) = rest.split_at(pos);
            let date_ok = date.split('-').count() == 2
                && date
                    .split('-')
                    .all(|p| (1..=2).contains(&p.len()) && p.chars().all(|c| c.is_ascii_digit()));
            let time = time.trim_start_matches(['T', 't', ' ', '\t']);
            let time_ok =
                time.len() >= 7 && time.as_bytes().get(1..).is_some_and(|t| t.contains(&b':'));
            return date_ok && time_ok;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::{PlainKind::*, resolve_plain};

    #[test]
    fn resolves_like_ruamel_yaml_1_2() {
        let cases = [
            ("2.0", Float),
            ("1e-3", Float),
            ("1E5", Float),
            (".5", Float),
            ("-.inf", Float),
            (".nan", Float),
            ("1.", Float),
            ("1_000.5", Float),
            (".5e3", Str),
            (".5e+3", Float),
            ("42", Int),
            ("-7", Int),
            ("0x1F", Int),
            ("0o17", Int),
            ("017", Int),
            ("1_000", Int),
            ("_", Str),
            ("0b101", Int),
            ("true", Bool),
            ("False", Bool),
            ("yes", Str),
            ("on", Str),
            ("tRue", Str),
            ("", Null),
            ("~", Null),
            ("null", Null),
            ("NULL", Null),
            ("nil", Str),
            ("2024-01-31", Timestamp),
            ("2024-1-31", Str),
            ("<<", Merge),
            ("=", ValueKey),
            ("data/x.txt", Str),
            ("md5", Str),
            ("1.2.3", Str),
            ("e5", Str),
            ("-", Str),
            ("+", Str),
        ];
        for (s, want) in cases {
            assert_eq!(resolve_plain(s), want, "{s:?}");
        }
    }
}

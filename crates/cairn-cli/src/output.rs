//! Rendering for people: errors on stderr, a broken stdout pipe is not an error.

use std::io::Write;

/// Prints an error chain as `error: outer\n  caused by: inner`.
pub fn error(e: &anyhow::Error) {
    let mut msg = format!("error: {e}");
    for cause in e.chain().skip(1) {
        msg.push_str(&format!("\n  caused by: {cause}"));
    }
    eprintln!("{msg}");
}

/// Prints collected per-target errors; returns whether there were any.
pub fn errors(errs: &[cairn_api::workspace::types::DataError]) -> bool {
    for e in errs {
        eprintln!("error: {e}");
    }
    !errs.is_empty()
}

/// Writes a line to stdout, ignoring a closed pipe (`cairn status | head`).
pub fn line(s: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{s}");
}

/// Writes text to stdout as it is (no newline added), ignoring a closed pipe.
pub fn text(s: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(s.as_bytes());
}

/// Prints a JSON value exactly as DVC's `--json` does (Python `json.dumps`:
/// `", "`/`": "` separators, non-ASCII escaped), so scripts can switch tools.
pub fn json(v: &serde_json::Value) {
    line(&cairn_api::workspace::python_json(v));
}

/// Rows as columns padded to their widest cell, two spaces apart.
pub fn table(rows: &[Vec<String>]) {
    let n = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut w = vec![0usize; n];
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            w[i] = w[i].max(c.chars().count());
        }
    }
    for r in rows {
        let mut s = String::new();
        for (i, c) in r.iter().enumerate() {
            s.push_str(c);
            if i + 1 < r.len() {
                s.extend(std::iter::repeat_n(' ', w[i] - c.chars().count() + 2));
            }
        }
        line(s.trim_end());
    }
}

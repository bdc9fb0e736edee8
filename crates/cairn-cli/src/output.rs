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

/// Column widths: the widest cell, and at least the header (the first row) plus
/// `header_padding` — DVC's tables (`tabulate` with headers) use its `MIN_PADDING` of 2.
fn widths_with(rows: &[Vec<String>], header_padding: usize) -> Vec<usize> {
    let n = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut w = vec![0usize; n];
    for (r, row) in rows.iter().enumerate() {
        for (i, c) in row.iter().enumerate() {
            let len = c.chars().count() + if r == 0 { header_padding } else { 0 };
            w[i] = w[i].max(len);
        }
    }
    w
}

/// DVC's column widths.
fn widths(rows: &[Vec<String>]) -> Vec<usize> {
    widths_with(rows, 2)
}

/// Rows (the first is the header) as DVC prints a plain table: columns padded to
/// [`widths`], two spaces apart, no trailing spaces.
pub fn table(rows: &[Vec<String>]) {
    padded(rows, &widths(rows));
}

/// Rows as tight columns, each as wide as its widest cell, two spaces apart: Cairn's own
/// tables (a data preview), which no dvc command prints.
pub fn grid(rows: &[Vec<String>]) {
    padded(rows, &widths_with(rows, 0));
}

/// Rows without a header as DVC's `ui.table` prints them (`tabulate`'s plain format):
/// tight columns two spaces apart, the first right-aligned with `right_first`.
pub fn plain(rows: &[Vec<String>], right_first: bool) {
    aligned(rows, &widths_with(rows, 0), right_first);
}

fn padded(rows: &[Vec<String>], w: &[usize]) {
    aligned(rows, w, false);
}

fn aligned(rows: &[Vec<String>], w: &[usize], right_first: bool) {
    for r in rows {
        let mut s = String::new();
        for (i, c) in r.iter().enumerate() {
            let pad = w[i] - c.chars().count();
            if i == 0 && right_first {
                s.extend(std::iter::repeat_n(' ', pad));
                s.push_str(c);
                s.push_str("  ");
                continue;
            }
            s.push_str(c);
            if i + 1 < r.len() {
                s.extend(std::iter::repeat_n(' ', pad + 2));
            }
        }
        line(s.trim_end());
    }
}

/// Rows (the first is the header) as DVC's `--md` prints them (`tabulate`'s `github`
/// format, cells left-aligned and padded to [`widths`]), with its trailing blank line.
pub fn markdown(rows: &[Vec<String>]) -> String {
    let w = widths(rows);
    let row_line = |row: &[String]| {
        let cells: Vec<String> = row
            .iter()
            .zip(&w)
            .map(|(c, w)| format!("{c}{}", " ".repeat(w - c.chars().count())))
            .collect();
        format!("| {} |\n", cells.join(" | "))
    };
    let mut out = String::new();
    for (i, r) in rows.iter().enumerate() {
        out.push_str(&row_line(r));
        if i == 0 {
            let dashes: Vec<String> = w.iter().map(|w| "-".repeat(w + 2)).collect();
            out.push_str(&format!("|{}|\n", dashes.join("|")));
        }
    }
    out.push('\n');
    out
}

/// A table as text, or as Markdown with `md`. A plain table without rows prints
/// nothing, as DVC's does; its Markdown keeps the header.
pub fn table_or_markdown(rows: &[Vec<String>], md: bool) {
    if md {
        text(&markdown(rows));
    } else if rows.len() > 1 {
        table(rows);
    }
}

/// DVC's closing hint after a command changed files git should track: `git add` them
/// (sorted, once each). Nothing when no file changed.
pub fn git_add_hint<'a>(files: impl IntoIterator<Item = &'a str>) {
    let mut files: Vec<&str> = files.into_iter().collect();
    if files.is_empty() {
        return;
    }
    files.sort();
    files.dedup();
    line(&format!(
        "\nTo track the changes with git, run:\n\n\tgit add {}",
        files.join(" ")
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(r: &[&[&str]]) -> Vec<Vec<String>> {
        r.iter()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect()
    }

    #[test]
    fn markdown_as_dvc_prints_it() {
        let t = rows(&[&["Path", "acc"], &["m.json", "0.75"]]);
        assert_eq!(
            markdown(&t),
            "| Path   | acc   |\n|--------|-------|\n| m.json | 0.75  |\n\n"
        );
    }
}

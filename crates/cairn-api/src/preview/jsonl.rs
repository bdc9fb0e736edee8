//! JSON Lines tables (`.jsonl`, `.ndjson`: one JSON object per line, as LLM and
//! evaluation data sets are kept): a column per key, in the order keys first appear, as
//! `pandas.read_json(lines=True)` lays them out. Strings show as text, other values as
//! compact JSON; `null` and a key a line lacks are missing values.

use std::io::{BufRead, BufReader};
use std::path::Path;

use serde_json::{Map, Value};

use super::{Row, Table, TableHead};
use crate::error::{ApiError, ApiResult, ErrorCode, io_error};

/// Each non-blank line's object, with its 1-based line number.
fn objects(
    path: &Path,
    shown: &str,
) -> ApiResult<impl Iterator<Item = ApiResult<(u32, Map<String, Value>)>>> {
    let f = std::fs::File::open(path).map_err(|e| io_error(path, e))?;
    let shown = shown.to_string();
    Ok(BufReader::new(f)
        .lines()
        .enumerate()
        .filter(|(_, l)| l.as_ref().map_or(true, |l| !l.trim().is_empty()))
        .map(move |(i, line)| {
            let n = i as u32 + 1;
            let line = line.map_err(|e| {
                ApiError::new(ErrorCode::Data, format!("{shown}:{n}: unreadable: {e}"))
                    .at(shown.clone(), Some(n))
            })?;
            match serde_json::from_str::<Value>(&line) {
                Ok(Value::Object(m)) => Ok((n, m)),
                Ok(other) => Err(ApiError::new(
                    ErrorCode::Data,
                    format!(
                        "{shown}:{n}: each line of a JSON Lines file must be an object, this one is {}",
                        kind(&other)
                    ),
                )
                .at(shown.clone(), Some(n))),
                Err(e) => Err(ApiError::new(
                    ErrorCode::Data,
                    format!("{shown}:{n}: not valid JSON: {e}"),
                )
                .at(shown.clone(), Some(n))),
            }
        }))
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn cell(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// Keys in the order they first appear.
fn columns<'a>(objects: impl Iterator<Item = &'a Map<String, Value>>) -> Vec<String> {
    let mut seen = indexmap::IndexSet::new();
    for o in objects {
        for k in o.keys() {
            if !seen.contains(k.as_str()) {
                seen.insert(k.clone());
            }
        }
    }
    seen.into_iter().collect()
}

fn rows_of(objects: &[Map<String, Value>], columns: &[String]) -> Vec<Row> {
    objects
        .iter()
        .map(|o| columns.iter().map(|c| cell(o.get(c))).collect())
        .collect()
}

/// The columns of the first `max_rows` objects and those rows; every line is read
/// (and so checked and counted) when `scan_all`.
pub(super) fn head(
    path: &Path,
    max_rows: usize,
    scan_all: bool,
    shown: &str,
) -> ApiResult<TableHead> {
    let mut first = Vec::new();
    let mut count = 0u64;
    for o in objects(path, shown)? {
        let (_, o) = o?;
        if first.len() < max_rows {
            first.push(o);
        } else if !scan_all {
            break;
        }
        count += 1;
    }
    let columns = columns(first.iter());
    Ok(TableHead {
        rows: rows_of(&first, &columns),
        columns,
        column_types: Vec::new(),
        truncated: count as usize > first.len() || !scan_all,
        total_rows: scan_all.then_some(count),
    })
}

/// The columns of the whole file and every row.
pub(super) fn all_rows(path: &Path, shown: &str) -> ApiResult<Table> {
    let all: Vec<Map<String, Value>> = objects(path, shown)?
        .map(|o| o.map(|(_, o)| o))
        .collect::<ApiResult<_>>()?;
    let columns = columns(all.iter());
    let rows = rows_of(&all, &columns);
    Ok((columns, rows))
}

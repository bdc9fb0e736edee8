//! CSV and TSV tables: the header, the first rows and a count, or every row for a
//! comparison.

use std::path::Path;

use super::{Row, Table, TableHead};
use crate::error::{ApiError, ApiResult, ErrorCode, io_error};

fn reader(path: &Path, delimiter: u8) -> ApiResult<csv::Reader<std::fs::File>> {
    let f = std::fs::File::open(path).map_err(|e| io_error(path, e))?;
    Ok(csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(true)
        .from_reader(f))
}

fn record(r: &csv::StringRecord) -> Row {
    r.iter().map(|c| Some(c.to_string())).collect()
}

fn header(rd: &mut csv::Reader<std::fs::File>, shown: &str) -> ApiResult<Vec<String>> {
    Ok(rd
        .headers()
        .map_err(|e| table_error(shown, e))?
        .iter()
        .map(str::to_string)
        .collect())
}

fn table_error(shown: &str, e: csv::Error) -> ApiError {
    let line = e.position().map(|p| p.line() as u32);
    ApiError::new(
        ErrorCode::Data,
        format!("{shown}: not a readable table: {e}"),
    )
    .at(shown, line)
}

/// The header and the first `max_rows` rows; every row is counted unless the file is
/// larger than `max_scan` bytes.
pub(super) fn head(
    path: &Path,
    delimiter: u8,
    max_rows: usize,
    scan_all: bool,
    shown: &str,
) -> ApiResult<TableHead> {
    let mut rd = reader(path, delimiter)?;
    let columns = header(&mut rd, shown)?;
    let mut rows = Vec::new();
    let mut count = 0u64;
    let mut rec = csv::StringRecord::new();
    while rd
        .read_record(&mut rec)
        .map_err(|e| table_error(shown, e))?
    {
        if rows.len() < max_rows {
            rows.push(record(&rec));
        } else if !scan_all {
            break;
        }
        count += 1;
    }
    Ok(TableHead {
        columns,
        column_types: Vec::new(),
        truncated: count as usize > rows.len() || !scan_all,
        total_rows: scan_all.then_some(count),
        rows,
    })
}

/// The header and every row.
pub(super) fn all_rows(path: &Path, delimiter: u8, shown: &str) -> ApiResult<Table> {
    let mut rd = reader(path, delimiter)?;
    let columns = header(&mut rd, shown)?;
    let rows = rd
        .records()
        .map(|r| r.map(|r| record(&r)).map_err(|e| table_error(shown, e)))
        .collect::<ApiResult<_>>()?;
    Ok((columns, rows))
}

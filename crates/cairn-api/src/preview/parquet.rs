//! Parquet tables: the schema's columns with their types, the first rows (only the row
//! groups they are in are read, so a preview of a file of any size is quick) and the
//! row count from the footer; every row for a comparison.

use std::fs::File;
use std::path::Path;

use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::Row as Record;

use super::arrow_zones;
use super::cells::{self, Hint};
use super::{Row, Table, TableHead};
use crate::error::{ApiError, ApiResult, ErrorCode, io_error};

fn open(path: &Path, shown: &str) -> ApiResult<SerializedFileReader<File>> {
    let f = File::open(path).map_err(|e| io_error(path, e))?;
    SerializedFileReader::new(f).map_err(|e| unreadable(shown, e))
}

fn unreadable(shown: &str, e: parquet::errors::ParquetError) -> ApiError {
    ApiError::new(
        ErrorCode::Data,
        format!("{shown}: not a readable Parquet file: {e}"),
    )
}

struct Schema {
    columns: Vec<String>,
    types: Vec<String>,
    hints: Vec<Hint>,
}

fn schema(reader: &SerializedFileReader<File>) -> Schema {
    let meta = reader.metadata().file_metadata();
    let zones = arrow_zones::zones(meta.key_value_metadata());
    let fields = meta.schema_descr().root_schema().get_fields();
    let zone = |f: &parquet::schema::types::Type| zones.get(f.name()).map(String::as_str);
    Schema {
        columns: fields.iter().map(|f| f.name().to_string()).collect(),
        types: fields
            .iter()
            .map(|f| cells::type_label(f, zone(f)))
            .collect(),
        hints: fields.iter().map(|f| cells::hint(f, zone(f))).collect(),
    }
}

fn row(record: &Record, hints: &[Hint]) -> Row {
    record
        .get_column_iter()
        .enumerate()
        .map(|(i, (_, f))| cells::cell(f, hints.get(i).unwrap_or(&Hint::None)))
        .collect()
}

/// The columns, their types, the first `max_rows` rows and the row count.
pub(super) fn head(path: &Path, max_rows: usize, shown: &str) -> ApiResult<TableHead> {
    let reader = open(path, shown)?;
    let s = schema(&reader);
    let total = reader.metadata().file_metadata().num_rows().max(0) as u64;
    let mut rows = Vec::new();
    for r in reader
        .get_row_iter(None)
        .map_err(|e| unreadable(shown, e))?
        .take(max_rows)
    {
        rows.push(row(&r.map_err(|e| unreadable(shown, e))?, &s.hints));
    }
    Ok(TableHead {
        columns: s.columns,
        column_types: s.types,
        truncated: total > rows.len() as u64,
        total_rows: Some(total),
        rows,
    })
}

/// Every row, refused past `max_cells` (rows × columns): a compressed file can hold
/// far more than its size suggests.
pub(super) fn all_rows(path: &Path, max_cells: u64, shown: &str) -> ApiResult<Table> {
    let reader = open(path, shown)?;
    let total = reader.metadata().file_metadata().num_rows().max(0) as u64;
    let s = schema(&reader);
    let cells = total.saturating_mul(s.columns.len().max(1) as u64);
    if cells > max_cells {
        return Err(ApiError::new(
            ErrorCode::Data,
            format!(
                "{shown}: too large to compare row by row here ({total} rows × {} columns; up to {max_cells} values)",
                s.columns.len()
            ),
        ));
    }
    let rows = reader
        .get_row_iter(None)
        .map_err(|e| unreadable(shown, e))?
        .map(|r| {
            r.map(|r| row(&r, &s.hints))
                .map_err(|e| unreadable(shown, e))
        })
        .collect::<ApiResult<_>>()?;
    Ok((s.columns, rows))
}

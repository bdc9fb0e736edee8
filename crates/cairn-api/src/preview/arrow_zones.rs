//! The time zones of timestamp columns, from the Arrow schema pyarrow stores in a
//! Parquet file's metadata (`ARROW:schema`).
//!
//! Parquet itself records only that a timestamp is UTC-adjusted; the zone a user gave it
//! (`pa.timestamp("us", tz="Europe/Paris")`, a pandas `datetime64[ns, Europe/Paris]`)
//! lives in Arrow's schema, which pyarrow writes base64-encoded as an IPC message: a
//! flatbuffer `Message` whose header is the `Schema`. Only the few tables on the path to
//! a top-level field's `Timestamp.timezone` are read, so no Arrow library is needed.
//! Anything unexpected gives no zone (the column is then shown in UTC), never an error.

use std::collections::HashMap;

use base64::Engine as _;

/// Arrow's `Type` union tag for `Timestamp` (Schema.fbs).
const TYPE_TIMESTAMP: u8 = 10;
/// Arrow's `MessageHeader` union tag for `Schema` (Message.fbs).
const HEADER_SCHEMA: u8 = 1;

/// Top-level column name → the time zone string of its timestamp type (`Europe/Paris`,
/// `+05:30`, `UTC`), for the columns that have one.
pub(super) fn zones(
    metadata: Option<&Vec<parquet::file::metadata::KeyValue>>,
) -> HashMap<String, String> {
    let encoded = metadata
        .into_iter()
        .flatten()
        .find(|kv| kv.key == "ARROW:schema")
        .and_then(|kv| kv.value.as_deref());
    encoded
        .and_then(|e| {
            base64::engine::general_purpose::STANDARD
                .decode(e.trim())
                .ok()
        })
        .and_then(|bytes| read_schema(&bytes))
        .unwrap_or_default()
}

/// A flatbuffer table at `pos` in `buf`.
#[derive(Clone, Copy)]
struct Table<'a> {
    buf: &'a [u8],
    pos: usize,
}

fn u16_at(buf: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(buf.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(buf: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(buf.get(at..at + 4)?.try_into().ok()?))
}

impl<'a> Table<'a> {
    /// The table an unsigned offset stored at `at` points to.
    fn follow(buf: &'a [u8], at: usize) -> Option<Table<'a>> {
        let pos = at.checked_add(u32_at(buf, at)? as usize)?;
        (pos < buf.len()).then_some(Table { buf, pos })
    }

    /// Where field `i` is stored, if the table has it.
    fn field(&self, i: usize) -> Option<usize> {
        let soffset = u32_at(self.buf, self.pos)? as i32;
        let vtable = usize::try_from(self.pos as i64 - i64::from(soffset)).ok()?;
        let vtable_len = u16_at(self.buf, vtable)? as usize;
        let slot = 4 + 2 * i;
        if slot + 2 > vtable_len {
            return None;
        }
        match u16_at(self.buf, vtable + slot)? {
            0 => None,
            off => Some(self.pos + off as usize),
        }
    }

    fn u8_field(&self, i: usize) -> Option<u8> {
        self.buf.get(self.field(i)?).copied()
    }

    fn table_field(&self, i: usize) -> Option<Table<'a>> {
        Table::follow(self.buf, self.field(i)?)
    }

    fn str_field(&self, i: usize) -> Option<&'a str> {
        let at = self.field(i)?;
        let start = at.checked_add(u32_at(self.buf, at)? as usize)?;
        let len = u32_at(self.buf, start)? as usize;
        std::str::from_utf8(self.buf.get(start + 4..start + 4 + len)?).ok()
    }

    /// The tables of a vector-of-tables field.
    fn tables_field(&self, i: usize) -> Option<Vec<Table<'a>>> {
        let at = self.field(i)?;
        let start = at.checked_add(u32_at(self.buf, at)? as usize)?;
        let n = u32_at(self.buf, start)? as usize;
        (0..n)
            .map(|k| Table::follow(self.buf, start + 4 + 4 * k))
            .collect()
    }
}

/// An encapsulated IPC message (optional `0xFFFFFFFF` continuation marker, then the
/// metadata length, then the `Message` flatbuffer) holding a schema.
fn read_schema(bytes: &[u8]) -> Option<HashMap<String, String>> {
    let mut at = 0;
    if u32_at(bytes, 0)? == 0xFFFF_FFFF {
        at = 4;
    }
    let len = u32_at(bytes, at)? as usize;
    let message = bytes.get(at + 4..at + 4 + len)?;
    let root = Table::follow(message, 0)?;
    // Message: version, header_type, header, bodyLength, custom_metadata.
    if root.u8_field(1)? != HEADER_SCHEMA {
        return None;
    }
    let schema = root.table_field(2)?;
    // Schema: endianness, fields, …  Field: name, nullable, type_type, type, …
    let mut out = HashMap::new();
    for field in schema.tables_field(1)? {
        let (Some(name), Some(TYPE_TIMESTAMP)) = (field.str_field(0), field.u8_field(2)) else {
            continue;
        };
        // Timestamp: unit, timezone.
        if let Some(zone) = field.table_field(3).and_then(|t| t.str_field(1))
            && !zone.is_empty()
        {
            out.insert(name.to_string(), zone.to_string());
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `ARROW:schema` as pyarrow 26 writes it for `ts: timestamp[us, tz=Europe/Paris]`,
    /// `off: timestamp[ms, tz=+05:30]`, `plain: timestamp[ns]`, `n: int64`.
    const SCHEMA: &str = "/////zgBAAAQAAAAAAAKAAwABgAFAAgACgAAAAABBAAMAAAACAAIAAAABAAIAAAABAAAAAQAAAC8AAAAcAAAADwAAAAEAAAAZP///wAAAQIQAAAAHAAAAAQAAAAAAAAAAQAAAG4AAAAIAAwACAAHAAgAAAAAAAABQAAAAJj///8AAAEKEAAAABwAAAAEAAAAAAAAAAUAAABwbGFpbgAGAAgABgAGAAAAAAADAMj///8AAAEKEAAAABQAAAAEAAAAAAAAAAMAAABvZmYAuP///wAAAQAEAAAABgAAACswNTozMAAAEAAUAAgABgAHAAwAAAAQABAAAAAAAAEKEAAAABwAAAAEAAAAAAAAAAIAAAB0cwAACAAMAAYACAAIAAAAAAACAAQAAAAMAAAARXVyb3BlL1BhcmlzAAAAAAAAAAA=";

    #[test]
    fn reads_the_zones_pyarrow_stored() {
        let kv = vec![parquet::file::metadata::KeyValue::new(
            "ARROW:schema".to_string(),
            SCHEMA.to_string(),
        )];
        let z = zones(Some(&kv));
        assert_eq!(z.get("ts").map(String::as_str), Some("Europe/Paris"));
        assert_eq!(z.get("off").map(String::as_str), Some("+05:30"));
        assert_eq!(z.len(), 2, "{z:?}");
    }

    #[test]
    fn garbage_gives_no_zones() {
        for v in ["", "!!!", "AAAA", "/////wAAAAA=", &SCHEMA[..60]] {
            let kv = vec![parquet::file::metadata::KeyValue::new(
                "ARROW:schema".to_string(),
                v.to_string(),
            )];
            assert!(zones(Some(&kv)).is_empty(), "{v}");
        }
        assert!(zones(None).is_empty());
    }
}

//! A Parquet value as the text a Python user expects to see for it: what `str()` prints
//! for the value pyarrow's `to_pylist()` gives (`1.0`, `True`, `2024-01-02 03:04:05+00:00`,
//! `[1, None]`, `{'x': 'a'}`), so a preview reads like the notebook that wrote the file.
//! Nanosecond timestamps print their nine digits, as pandas' `Timestamp` does; values
//! nested in lists, structs and maps are Python literals, with dates and times in the
//! same ISO form as at the top level. A top-level timestamp column with a time zone is
//! shown in that zone with its offset (`+01:00`, `+00:09:21` for Paris before 1911), as
//! Python's `str()` of the zoned datetime does — the zone comes from pyarrow's stored
//! schema ([`super::arrow_zones`]), looked up in the system's tz database; without one
//! (another writer, an unknown zone, a nested value) a UTC-adjusted timestamp is shown
//! in UTC (`+00:00`).

use cairn_core::pyfloat;
use cairn_pipeline::data::py_repr_str;
use parquet::basic::{LogicalType, TimeUnit};
use parquet::data_type::Decimal;
use parquet::record::Field;
use parquet::schema::types::Type;

/// What the column's schema says about values the record reader leaves as plain
/// integers (nanosecond times) or whose zone it drops (UTC timestamps).
#[derive(Debug, Clone)]
pub(super) enum Hint {
    None,
    Timestamp {
        unit: Unit,
        utc: bool,
        zone: Option<jiff::tz::TimeZone>,
    },
    Time {
        unit: Unit,
    },
}

/// A zone as Arrow writes it: an IANA name (`Europe/Paris`) or a fixed offset
/// (`+05:30`, `-03:30`); `None` when the system's tz database does not know it.
pub(super) fn time_zone(name: &str) -> Option<jiff::tz::TimeZone> {
    let b = name.as_bytes();
    if name.len() == 6 && matches!(b[0], b'+' | b'-') && b[3] == b':' {
        let h: i32 = name[1..3].parse().ok()?;
        let m: i32 = name[4..6].parse().ok()?;
        let secs = (h * 3600 + m * 60) * if b[0] == b'-' { -1 } else { 1 };
        return jiff::tz::Offset::from_seconds(secs)
            .ok()
            .map(jiff::tz::TimeZone::fixed);
    }
    jiff::tz::TimeZone::get(name).ok()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Unit {
    Millis,
    Micros,
    Nanos,
}

impl Unit {
    fn per_second(self) -> i64 {
        match self {
            Unit::Millis => 1_000,
            Unit::Micros => 1_000_000,
            Unit::Nanos => 1_000_000_000,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Unit::Millis => "ms",
            Unit::Micros => "us",
            Unit::Nanos => "ns",
        }
    }
}

fn unit(u: &TimeUnit) -> Unit {
    match u {
        TimeUnit::MILLIS => Unit::Millis,
        TimeUnit::MICROS => Unit::Micros,
        TimeUnit::NANOS => Unit::Nanos,
    }
}

/// The hint for a top-level column, whose Arrow type names `zone`.
pub(super) fn hint(t: &Type, zone: Option<&str>) -> Hint {
    match t.get_basic_info().logical_type_ref() {
        Some(LogicalType::Timestamp(ts)) => Hint::Timestamp {
            unit: unit(&ts.unit),
            utc: ts.is_adjusted_to_u_t_c,
            zone: zone.filter(|_| ts.is_adjusted_to_u_t_c).and_then(time_zone),
        },
        Some(LogicalType::Time(tt)) => Hint::Time {
            unit: unit(&tt.unit),
        },
        _ => Hint::None,
    }
}

/// A short type name for the column header, in pyarrow's words where they exist; a
/// zoned timestamp's names its zone.
pub(super) fn type_label(t: &Type, zone: Option<&str>) -> String {
    use parquet::basic::Type as Physical;
    let info = t.get_basic_info();
    match info.logical_type_ref() {
        Some(LogicalType::String | LogicalType::Enum) => return "string".into(),
        Some(LogicalType::Json) => return "json".into(),
        Some(LogicalType::Bson) => return "bson".into(),
        Some(LogicalType::Uuid) => return "uuid".into(),
        Some(LogicalType::Float16) => return "halffloat".into(),
        Some(LogicalType::Date) => return "date32[day]".into(),
        Some(LogicalType::Decimal(d)) => return format!("decimal({}, {})", d.precision, d.scale),
        Some(LogicalType::Integer(i)) => {
            let sign = if i.is_signed { "" } else { "u" };
            return format!("{sign}int{}", i.bit_width);
        }
        Some(LogicalType::Timestamp(ts)) => {
            let u = unit(&ts.unit).label();
            return if let Some(z) = zone.filter(|_| ts.is_adjusted_to_u_t_c) {
                format!("timestamp[{u}, {z}]")
            } else if ts.is_adjusted_to_u_t_c {
                format!("timestamp[{u}, UTC]")
            } else {
                format!("timestamp[{u}]")
            };
        }
        Some(LogicalType::Time(tt)) => return format!("time[{}]", unit(&tt.unit).label()),
        Some(LogicalType::List) => return "list".into(),
        Some(LogicalType::Map) => return "map".into(),
        _ => {}
    }
    if t.is_group() {
        return if t.get_fields().len() == 1
            && t.get_fields()[0].get_basic_info().repetition()
                == parquet::basic::Repetition::REPEATED
        {
            "list".into()
        } else {
            "struct".into()
        };
    }
    if info.has_repetition() && info.repetition() == parquet::basic::Repetition::REPEATED {
        return "list".into();
    }
    match t.get_physical_type() {
        Physical::BOOLEAN => "bool",
        Physical::INT32 => "int32",
        Physical::INT64 => "int64",
        Physical::INT96 => "timestamp[ns]",
        Physical::FLOAT => "float",
        Physical::DOUBLE => "double",
        Physical::BYTE_ARRAY | Physical::FIXED_LEN_BYTE_ARRAY => "binary",
    }
    .into()
}

/// A top-level cell; `None` for a missing value.
pub(super) fn cell(f: &Field, hint: &Hint) -> Option<String> {
    Some(match (f, hint) {
        (Field::Null, _) => return None,
        (Field::Str(s), _) => s.clone(),
        (Field::Long(v), Hint::Timestamp { unit, utc, zone }) => {
            timestamp(*v, *unit, *utc, zone.as_ref())
        }
        (Field::TimestampMillis(v), Hint::Timestamp { utc, zone, .. }) => {
            timestamp(*v, Unit::Millis, *utc, zone.as_ref())
        }
        (Field::TimestampMicros(v), Hint::Timestamp { utc, zone, .. }) => {
            timestamp(*v, Unit::Micros, *utc, zone.as_ref())
        }
        (Field::Long(v), Hint::Time { unit }) => time(*v, *unit),
        _ => literal(f, false),
    })
}

/// `f` as `str()` prints it, or inside a container as `repr()` does (`quoted`).
fn literal(f: &Field, quoted: bool) -> String {
    match f {
        Field::Null => "None".into(),
        Field::Bool(b) => if *b { "True" } else { "False" }.into(),
        Field::Byte(v) => v.to_string(),
        Field::Short(v) => v.to_string(),
        Field::Int(v) => v.to_string(),
        Field::Long(v) => v.to_string(),
        Field::UByte(v) => v.to_string(),
        Field::UShort(v) => v.to_string(),
        Field::UInt(v) => v.to_string(),
        Field::ULong(v) => v.to_string(),
        Field::Float16(v) => short_half(*v),
        Field::Float(v) => short_float(*v),
        Field::Double(v) => pyfloat::repr(*v),
        Field::Decimal(d) => decimal(d),
        Field::Str(s) if quoted => py_repr_str(s),
        Field::Str(s) => s.clone(),
        Field::Bytes(b) => bytes_repr(b.data()),
        Field::Date(days) => date(*days as i64),
        Field::TimeMillis(v) => time(*v as i64, Unit::Millis),
        Field::TimeMicros(v) => time(*v, Unit::Micros),
        Field::TimestampMillis(v) => timestamp(*v, Unit::Millis, false, None),
        Field::TimestampMicros(v) => timestamp(*v, Unit::Micros, false, None),
        Field::Group(row) => {
            let items: Vec<String> = row
                .get_column_iter()
                .map(|(k, v)| format!("{}: {}", py_repr_str(k), literal(v, true)))
                .collect();
            format!("{{{}}}", items.join(", "))
        }
        Field::ListInternal(list) => {
            let items: Vec<String> = list.elements().iter().map(|v| literal(v, true)).collect();
            format!("[{}]", items.join(", "))
        }
        Field::MapInternal(map) => {
            // pyarrow gives a map as a list of (key, value) tuples.
            let items: Vec<String> = map
                .entries()
                .iter()
                .map(|(k, v)| format!("({}, {})", literal(k, true), literal(v, true)))
                .collect();
            format!("[{}]", items.join(", "))
        }
    }
}

/// A 32-bit float by its own shortest digits (`0.1`, not the `0.10000000149011612` its
/// widening to a Python float would print), laid out as Python lays out floats.
fn short_float(v: f32) -> String {
    let digits = format!("{v:e}");
    pyfloat::repr(digits.parse::<f64>().unwrap_or(f64::from(v)))
}

/// A 16-bit float by its own shortest digits (`0.1` for the half nearest 0.1, whose exact
/// value is 0.0999755859375): the fewest digits that read back as the same half.
fn short_half(v: half::f16) -> String {
    let wide = f32::from(v);
    if !wide.is_finite() || wide == 0.0 {
        return short_float(wide);
    }
    for precision in 0..=4 {
        let digits = format!("{wide:.precision$e}");
        if let Ok(back) = digits.parse::<f32>()
            && half::f16::from_f32(back) == v
        {
            return pyfloat::repr(digits.parse::<f64>().unwrap_or(f64::from(wide)));
        }
    }
    short_float(wide)
}

/// Python's `str(Decimal)`: positional unless the adjusted exponent is below -6.
fn decimal(d: &Decimal) -> String {
    let bytes = d.data();
    // Big-endian two's complement, up to 16 bytes for what Parquet writers emit.
    let mut v: i128 = if bytes.first().is_some_and(|b| b & 0x80 != 0) {
        -1
    } else {
        0
    };
    for b in bytes.iter().take(16) {
        v = (v << 8) | i128::from(*b);
    }
    let scale = d.scale();
    let neg = v < 0;
    let digits = v.unsigned_abs().to_string();
    let sign = if neg { "-" } else { "" };
    if scale == 0 {
        return format!("{sign}{digits}");
    }
    if scale < 0 {
        // Python shows a positive exponent in scientific form: Decimal('1E+2').
        return sci(sign, &digits, digits.len() as i64 - 1 - scale as i64);
    }
    let adjusted = digits.len() as i64 - 1 - scale as i64;
    if adjusted < -6 {
        return sci(sign, &digits, adjusted);
    }
    let scale = scale as usize;
    if digits.len() > scale {
        let (int, frac) = digits.split_at(digits.len() - scale);
        format!("{sign}{int}.{frac}")
    } else {
        format!("{sign}0.{}{digits}", "0".repeat(scale - digits.len()))
    }
}

fn sci(sign: &str, digits: &str, exp: i64) -> String {
    let (first, rest) = digits.split_at(1);
    let mant = if rest.is_empty() {
        first.to_string()
    } else {
        format!("{first}.{rest}")
    };
    let esign = if exp < 0 { '-' } else { '+' };
    format!("{sign}{mant}E{esign}{}", exp.abs())
}

/// Python's `repr(bytes)`.
fn bytes_repr(b: &[u8]) -> String {
    let q = if b.contains(&b'\'') && !b.contains(&b'"') {
        b'"'
    } else {
        b'\''
    };
    let mut out = String::from("b");
    out.push(q as char);
    for &c in b {
        match c {
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            c if c == q => {
                out.push('\\');
                out.push(c as char);
            }
            0x20..=0x7e => out.push(c as char),
            c => out.push_str(&format!("\\x{c:02x}")),
        }
    }
    out.push(q as char);
    out
}

/// Days since 1970-01-01 as `YYYY-MM-DD`.
fn date(days: i64) -> String {
    let (y, m, d) = cairn_core::civil::from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// `HH:MM:SS`, with the fraction as Python (six digits) or pandas (nine, when the
/// nanoseconds are not whole microseconds) prints it.
fn clock(seconds_of_day: i64, nanos: i64) -> String {
    let (h, m, s) = (
        seconds_of_day / 3600,
        seconds_of_day / 60 % 60,
        seconds_of_day % 60,
    );
    let frac = if nanos == 0 {
        String::new()
    } else if nanos % 1000 == 0 {
        format!(".{:06}", nanos / 1000)
    } else {
        format!(".{nanos:09}")
    };
    format!("{h:02}:{m:02}:{s:02}{frac}")
}

fn split(v: i64, unit: Unit) -> (i64, i64) {
    let per = unit.per_second();
    (v.div_euclid(per), v.rem_euclid(per) * (1_000_000_000 / per))
}

fn timestamp(v: i64, unit: Unit, utc: bool, zone: Option<&jiff::tz::TimeZone>) -> String {
    let (secs, nanos) = split(v, unit);
    let offset = match (utc, zone) {
        (false, _) => None,
        (true, None) => Some(0),
        (true, Some(tz)) => Some(
            jiff::Timestamp::from_second(secs)
                .map(|t| tz.to_offset(t).seconds())
                .unwrap_or(0),
        ),
    };
    let local = secs + i64::from(offset.unwrap_or(0));
    format!(
        "{} {}{}",
        date(local.div_euclid(86_400)),
        clock(local.rem_euclid(86_400), nanos),
        offset.map(offset_text).unwrap_or_default()
    )
}

/// An offset as Python's `datetime` prints it: `+01:00`, `-03:30`, `+00:09:21`.
fn offset_text(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let s = seconds.unsigned_abs();
    let (h, m, sec) = (s / 3600, s / 60 % 60, s % 60);
    if sec == 0 {
        format!("{sign}{h:02}:{m:02}")
    } else {
        format!("{sign}{h:02}:{m:02}:{sec:02}")
    }
}

fn time(v: i64, unit: Unit) -> String {
    let (secs, nanos) = split(v, unit);
    clock(secs, nanos)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_times_print_as_python_does() {
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(date(19_723), "2024-01-01");
        assert_eq!(date(-1), "1969-12-31");
        assert_eq!(date(11_016), "2000-02-29");
        assert_eq!(
            timestamp(1_704_164_645_000_000, Unit::Micros, false, None),
            "2024-01-02 03:04:05"
        );
        assert_eq!(
            timestamp(1_704_164_645_123_000, Unit::Micros, true, None),
            "2024-01-02 03:04:05.123000+00:00"
        );
        assert_eq!(
            timestamp(1_704_164_645_123_456_789, Unit::Nanos, false, None),
            "2024-01-02 03:04:05.123456789"
        );
        assert_eq!(
            timestamp(-1, Unit::Millis, false, None),
            "1969-12-31 23:59:59.999000"
        );
        let paris = time_zone("Europe/Paris");
        assert!(paris.is_some(), "the system's tz database has Europe/Paris");
        // Winter, summer, and before 1911 (Paris mean time).
        for (v, want) in [
            (1_704_164_645_000, "2024-01-02 04:04:05+01:00"),
            (1_719_889_445_000, "2024-07-02 05:04:05+02:00"),
            (-2_000_000_000_000, "1906-08-16 20:36:01+00:09:21"),
        ] {
            assert_eq!(timestamp(v, Unit::Millis, true, paris.as_ref()), want);
        }
        let fixed = time_zone("-03:30");
        assert_eq!(
            timestamp(0, Unit::Micros, true, fixed.as_ref()),
            "1969-12-31 20:30:00-03:30"
        );
        assert!(time_zone("Mars/Olympus_Mons").is_none());
        assert_eq!(time(3_723_000, Unit::Millis), "01:02:03");
        assert_eq!(time(3_723_000_000_001, Unit::Nanos), "01:02:03.000000001");
    }

    #[test]
    fn decimals_print_as_python_decimal() {
        let d = |v: i64, scale| decimal(&Decimal::from_i64(v, 18, scale));
        assert_eq!(d(123, 2), "1.23");
        assert_eq!(d(-5, 3), "-0.005");
        assert_eq!(d(0, 2), "0.00");
        assert_eq!(d(42, 0), "42");
        assert_eq!(d(1, 7), "1E-7");
        assert_eq!(d(1, 6), "0.000001");
        let big = Decimal::from_bytes(
            parquet::data_type::ByteArray::from(vec![
                0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
            ]),
            38,
            1,
        );
        assert_eq!(decimal(&big), "-0.2");
    }

    #[test]
    fn literals_inside_containers_are_quoted() {
        assert_eq!(bytes_repr(b"a\x00'"), "b\"a\\x00'\"");
        assert_eq!(short_float(0.1), "0.1");
        assert_eq!(short_float(1e20), "1e+20");
        assert_eq!(short_float(3.0), "3.0");
        assert_eq!(short_half(half::f16::from_f32(0.1)), "0.1");
        assert_eq!(short_half(half::f16::from_f32(65504.0)), "65500.0");
        assert_eq!(short_half(half::f16::from_f32(-2.25)), "-2.25");
    }
}

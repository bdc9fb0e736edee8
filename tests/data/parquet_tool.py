"""Writes Parquet tables with pyarrow and prints what a preview of them must show.

    parquet_tool.py write DIR   # DIR/tables/<codec>.parquet, version 1
    parquet_tool.py edit DIR    # version 2 of each: rows dropped, duplicated and added

Each prints JSON, per file: the columns, the first 200 rows and the row count (write),
or the rows only in the new version and only in the old one (edit). Expected cells are
what `str()` prints for the values pyarrow reads back (`None` stays null), except where
Cairn's preview documents its own rule: 32- and 16-bit floats by their own shortest
digits (numpy's), and nanosecond times with nine digits, as pandas prints them.
"""

import datetime
import decimal
import json
import random
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

CODECS = ["snappy", "zstd", "gzip", "lz4", "brotli", "none"]
ROWS = 1234
SHOWN = 200
DIFF_ROWS = 50

ALPHABET = "abcxyz ÄéßΩж中文🙂'\"\t\n,;\\"


def text(rng):
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 12)))


def maybe(rng, value):
    return None if rng.random() < 0.1 else value


def make_rows(rng, n, start):
    """Column name -> list of Python values, for rows start..start+n."""
    floats = [0.0, -0.0, 0.1, 1e20, 1e-7, 0.1 + 0.2, float("inf"), float("-inf"), float("nan"), 123456.789]
    cols = {name: [] for name, _ in SCHEMA}
    for i in range(start, start + n):
        cols["id"].append(i)
        cols["i8"].append(maybe(rng, rng.randint(-128, 127)))
        cols["i16"].append(maybe(rng, rng.randint(-(2**15), 2**15 - 1)))
        cols["i32"].append(maybe(rng, rng.randint(-(2**31), 2**31 - 1)))
        cols["u8"].append(maybe(rng, rng.randint(0, 255)))
        cols["u32"].append(maybe(rng, rng.randint(0, 2**32 - 1)))
        cols["u64"].append(maybe(rng, rng.randint(0, 2**64 - 1)))
        cols["f64"].append(maybe(rng, rng.choice(floats + [rng.uniform(-1e6, 1e6)])))
        cols["f32"].append(maybe(rng, rng.choice(floats + [rng.uniform(-10, 10)])))
        cols["f16"].append(maybe(rng, rng.choice([0.1, 3.0, 1000.5, -2.25, rng.uniform(-100, 100)])))
        cols["flag"].append(maybe(rng, rng.random() < 0.5))
        cols["name"].append(maybe(rng, text(rng)))
        cols["label"].append(maybe(rng, rng.choice(["setosa", "versicolor", "virginica"])))
        cols["blob"].append(maybe(rng, bytes(rng.randrange(256) for _ in range(rng.randint(0, 6))) + b"'"))
        cols["day"].append(maybe(rng, datetime.date(1970, 1, 1) + datetime.timedelta(days=rng.randint(-30000, 40000))))
        ms = rng.randint(-2 * 10**12, 4 * 10**12)
        cols["ts_ms"].append(maybe(rng, ms))
        cols["ts_us_utc"].append(maybe(rng, ms * 1000 + rng.choice([0, rng.randint(0, 999)])))
        cols["ts_ns"].append(maybe(rng, ms * 10**6 + rng.choice([0, rng.randint(0, 999_999)])))
        cols["t_ms"].append(maybe(rng, rng.randint(0, 86_400_000 - 1)))
        cols["t_ns"].append(maybe(rng, rng.randint(0, 86_400 * 10**9 - 1)))
        cols["price"].append(maybe(rng, decimal.Decimal(rng.randint(-10**9, 10**9)).scaleb(-2)))
        cols["tiny"].append(maybe(rng, decimal.Decimal(rng.randint(-10**20, 10**20)).scaleb(-20)))
        cols["tags"].append(maybe(rng, [maybe(rng, rng.randint(-5, 5)) for _ in range(rng.randint(0, 4))]))
        cols["point"].append(maybe(rng, {"x": maybe(rng, rng.randint(0, 9)), "y": maybe(rng, text(rng)[:3])}))
        cols["attrs"].append(maybe(rng, [(k, rng.randint(0, 99)) for k in rng.sample(["a", "b", "c"], rng.randint(0, 3))]))
        cols["ts_paris"].append(maybe(rng, ms * 1000 + rng.choice([0, rng.randint(0, 999)])))
        cols["ts_offset"].append(maybe(rng, ms))
    return cols


SCHEMA = [
    ("id", pa.int64()),
    ("i8", pa.int8()),
    ("i16", pa.int16()),
    ("i32", pa.int32()),
    ("u8", pa.uint8()),
    ("u32", pa.uint32()),
    ("u64", pa.uint64()),
    ("f64", pa.float64()),
    ("f32", pa.float32()),
    ("f16", pa.float16()),
    ("flag", pa.bool_()),
    ("name", pa.string()),
    ("label", pa.dictionary(pa.int32(), pa.string())),
    ("blob", pa.binary()),
    ("day", pa.date32()),
    ("ts_ms", pa.timestamp("ms")),
    ("ts_us_utc", pa.timestamp("us", tz="UTC")),
    ("ts_ns", pa.timestamp("ns")),
    ("t_ms", pa.time32("ms")),
    ("t_ns", pa.time64("ns")),
    ("price", pa.decimal128(12, 2)),
    ("tiny", pa.decimal128(38, 20)),
    ("tags", pa.list_(pa.int64())),
    ("point", pa.struct([("x", pa.int64()), ("y", pa.string())])),
    ("attrs", pa.map_(pa.string(), pa.int64())),
    # Zoned: shown in their zone (DST, and Paris' +00:09:21 before 1911), as str() does.
    ("ts_paris", pa.timestamp("us", tz="Europe/Paris")),
    ("ts_offset", pa.timestamp("ms", tz="-03:30")),
]


def table(cols):
    arrays = []
    for name, t in SCHEMA:
        values = cols[name]
        if t == pa.float16():
            mask = np.array([v is None for v in values])
            data = np.array([0.0 if v is None else v for v in values], dtype=np.float16)
            arrays.append(pa.array(data, type=t, mask=mask))
        elif pa.types.is_dictionary(t):
            arrays.append(pa.array(values, type=pa.string()).dictionary_encode())
        else:
            arrays.append(pa.array(values, type=t))
    return pa.Table.from_arrays(arrays, names=[n for n, _ in SCHEMA])


def shortest(value, np_type):
    """A narrow float by its own shortest digits, laid out as Python lays out floats."""
    return repr(float(np.format_float_scientific(np_type(value), unique=True)))


def nanos_text(value, per_second, clock_only):
    secs, frac = divmod(value, per_second)
    nanos = frac * (10**9 // per_second)
    base = datetime.datetime(1970, 1, 1) + datetime.timedelta(seconds=secs)
    head = base.strftime("%H:%M:%S") if clock_only else base.strftime("%Y-%m-%d %H:%M:%S")
    if nanos == 0:
        return head
    return f"{head}.{nanos // 1000:06d}" if nanos % 1000 == 0 else f"{head}.{nanos:09d}"


def cell(scalar):
    t = scalar.type
    if not scalar.is_valid:
        return None
    if pa.types.is_float32(t):
        return shortest(scalar.as_py(), np.float32)
    if pa.types.is_float16(t):
        return shortest(scalar.as_py(), np.float16)
    if pa.types.is_timestamp(t) and t.unit == "ns":
        return nanos_text(scalar.value, 10**9, False)
    if pa.types.is_time64(t) and t.unit == "ns":
        return nanos_text(scalar.value, 10**9, True)
    if pa.types.is_dictionary(t):
        return scalar.as_py()
    value = scalar.as_py()
    return value if isinstance(value, str) else str(value)


def rows_of(path):
    t = pq.read_table(path)
    cols = [t.column(i) for i in range(t.num_columns)]
    return t.column_names, [[cell(c[r]) for c in cols] for r in range(t.num_rows)]


def write_version(dirpath, version):
    out = {}
    for n, codec in enumerate(CODECS):
        rng = random.Random(f"{codec}-{version}")
        path = dirpath / "tables" / f"{codec}.parquet"
        if version == 1:
            data = table(make_rows(rng, ROWS, 0))
        else:
            old = pq.read_table(path)
            keep = [i for i in range(ROWS) if i % 7 != 3]
            extra = table(make_rows(rng, 40, ROWS)).cast(old.schema)
            data = pa.concat_tables([old.take(keep), old.slice(0, 1), extra])
        path.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(
            data,
            path,
            compression=codec,
            row_group_size=[100, 500, ROWS * 2][n % 3],
            data_page_version=["1.0", "2.0"][n % 2],
            use_dictionary=n % 3 != 2,
        )
        out[f"tables/{codec}.parquet"] = path
    return out


def only_in(a, b):
    pool = {}
    for r in b:
        key = json.dumps(r)
        pool[key] = pool.get(key, 0) + 1
    count, first = 0, []
    for r in a:
        key = json.dumps(r)
        if pool.get(key, 0) > 0:
            pool[key] -= 1
        else:
            count += 1
            if len(first) < DIFF_ROWS:
                first.append(r)
    return count, first


def main():
    mode, dirpath = sys.argv[1], Path(sys.argv[2])
    result = {}
    if mode == "write":
        for rel, path in write_version(dirpath, 1).items():
            columns, rows = rows_of(path)
            result[rel] = {"columns": columns, "rows": rows[:SHOWN], "total": len(rows)}
    elif mode == "edit":
        before = {rel: rows_of(dirpath / rel)[1] for rel in (f"tables/{c}.parquet" for c in CODECS)}
        for rel, path in write_version(dirpath, 2).items():
            after = rows_of(path)[1]
            added, added_rows = only_in(after, before[rel])
            removed, removed_rows = only_in(before[rel], after)
            result[rel] = {"added": added, "addedRows": added_rows, "removed": removed, "removedRows": removed_rows}
    else:
        sys.exit(f"unknown mode {mode}")
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()

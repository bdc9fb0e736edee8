//! `exp show`'s table as DVC builds it (`tabulate` in `dvc/repo/experiments/show.py`,
//! `show_experiments` in `dvc/commands/experiments/show.py`), from the `exp show --json`
//! structure: the same columns in the same order, the same cells. `cairn exp show
//! --csv` then prints what `dvc exp show --csv` prints, byte for byte, and the text and
//! Markdown tables hold the same cells as dvc's.

use std::collections::HashMap;

use indexmap::IndexMap;
use serde_json::Value;

use cairn_pipeline::data::Data;

/// How the table is to be printed: DVC fills and formats CSV differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableStyle {
    /// `--csv`: empty fills, ISO timestamps, values as they are; the `rev`, `typ` and
    /// `parent` columns kept.
    Csv,
    /// The text and Markdown tables: `-` fills (`!` for a file that failed to load),
    /// five significant digits, `04:18 PM` for today and `Nov 28, 2026` before, and the
    /// tree drawn into the `Experiment` column.
    Human,
}

/// What shapes the table besides the data (`exp show`'s table flags).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableOptions {
    /// `--precision`: significant digits of floats. As in dvc, it applies to CSV only;
    /// the text and Markdown tables always use five.
    pub precision: Option<usize>,
    /// `--sort-by`: a metric or param (`name`, or `file:name`) to order each baseline's
    /// experiments by.
    pub sort_by: Option<String>,
    /// `--sort-order desc`.
    pub descending: bool,
    /// `--keep`: columns matching these patterns (Python `re.match`: from the start) are
    /// never dropped.
    pub keep: Vec<String>,
    /// `--drop`: columns matching these patterns go.
    pub drop: Vec<String>,
    /// `--only-changed`: columns with one value in every row go.
    pub only_changed: bool,
}

/// DVC's `exp show` table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpTable {
    /// Column names.
    pub headers: Vec<String>,
    /// One row per baseline or experiment, a cell per column.
    pub rows: Vec<Vec<String>>,
}

const FIXED: [&str; 7] = [
    "Experiment",
    "rev",
    "typ",
    "Created",
    "parent",
    "State",
    "Executor",
];

/// Per file, its flattened keys in first-seen order (DVC's `_DataNames`).
type Names = IndexMap<String, IndexMap<String, ()>>;

/// DVC's `flatten_dict.flatten(d, reducer="dot")`: nested non-empty mappings joined with
/// dots; empty mappings dropped; anything else a leaf.
fn flatten(v: &Value, prefix: &str, out: &mut IndexMap<String, Value>) {
    if let Value::Object(m) = v {
        for (k, v) in m {
            let key = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            match v {
                Value::Object(inner) if inner.is_empty() => {}
                Value::Object(_) => flatten(v, &key, out),
                other => {
                    out.insert(key, other.clone());
                }
            }
        }
    }
}

/// A file's values as a row reads them: flattened when they are a mapping, else the
/// whole value under the file's name.
fn file_items(fname: &str, file: &Value) -> IndexMap<String, Value> {
    let mut items = IndexMap::new();
    match file.get("data") {
        Some(d @ Value::Object(_)) => flatten(d, "", &mut items),
        Some(other) => {
            items.insert(fname.to_string(), other.clone());
        }
        None => {}
    }
    items
}

fn collect_files(names: &mut Names, files: Option<&Value>) {
    for (path, file) in files.and_then(Value::as_object).into_iter().flatten() {
        let entry = names.entry(path.clone()).or_default();
        if let Some(d @ Value::Object(_)) = file.get("data") {
            let mut items = IndexMap::new();
            flatten(d, "", &mut items);
            for k in items.keys() {
                entry.insert(k.clone(), ());
            }
        }
    }
}

/// Every revision in the structure: each baseline, then its experiments' revisions.
fn all_revs(show: &Value) -> Vec<&Value> {
    let mut out = Vec::new();
    for b in show.as_array().into_iter().flatten() {
        out.push(b);
        for e in b["experiments"].as_array().into_iter().flatten() {
            out.extend(e["revs"].as_array().into_iter().flatten());
        }
    }
    out
}

/// DVC's `_normalize_headers`: a name seen once is its own header, else `path:name`.
fn headers_of(names: &Names, count: &IndexMap<String, usize>) -> Vec<String> {
    names
        .iter()
        .flat_map(|(path, keys)| {
            keys.keys().map(move |k| {
                if count.get(k).copied().unwrap_or(0) == 1 {
                    k.clone()
                } else {
                    format!("{path}:{k}")
                }
            })
        })
        .collect()
}

/// Python's `str()` of DVC's `_format_field(value, precision)`: with a precision, floats
/// (also inside lists and mappings, where they become strings) are `f"{v:.{p}g}"`.
fn format_field(v: &Value, precision: Option<usize>) -> String {
    fn fmt(d: Data, p: usize) -> Data {
        match d {
            Data::Float(f) if f.is_finite() => Data::Str(crate::diff::py_g(f, p)),
            Data::Float(f) => Data::Str(cairn_core::pyfloat::repr(f)),
            Data::List(items) => Data::List(items.into_iter().map(|d| fmt(d, p)).collect()),
            Data::Dict(m) => Data::Dict(m.into_iter().map(|(k, d)| (k, fmt(d, p))).collect()),
            other => other,
        }
    }
    let d = Data::from_json(v);
    match precision {
        Some(p) => fmt(d, p).py_str(),
        None => d.py_str(),
    }
}

/// DVC's `format_time`: ISO for CSV, else the time of day for `today`'s commits and the
/// date for older ones.
fn format_time(ts: &str, style: TableStyle, today: chrono::NaiveDate) -> String {
    if style == TableStyle::Csv {
        return ts.to_string();
    }
    match chrono::NaiveDateTime::parse_from_str(ts, "%Y-%m-%dT%H:%M:%S%.f") {
        Ok(t) if t.date() == today => t.format("%I:%M %p").to_string(),
        Ok(t) => t.format("%b %d, %Y").to_string(),
        Err(_) => ts.to_string(),
    }
}

/// Git's `is_sha` as scmrepo decides it: 4 to 40 hex digits.
fn is_sha(rev: &str) -> bool {
    (4..=40).contains(&rev.len()) && rev.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Python's `str.capitalize()`.
fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first
            .to_uppercase()
            .chain(chars.flat_map(char::to_lowercase))
            .collect(),
        None => String::new(),
    }
}

struct Columns {
    headers: Vec<String>,
    metrics: Names,
    params: Names,
    deps: Vec<String>,
    /// Header → column, per group (`metrics`, `params`, `deps`): DVC looks a name up
    /// among its own group's headers, so a metric called `rev` is never the `rev` column.
    index: HashMap<(&'static str, String), usize>,
}

impl Columns {
    fn index(&self, group: &'static str, header: &str) -> Option<usize> {
        self.index.get(&(group, header.to_string())).copied()
    }
}

/// One revision's param, metric and dep cells into `row`.
fn data_cells(
    row: &mut [String],
    cols: &Columns,
    data: &Value,
    fill: &str,
    precision: Option<usize>,
) {
    for (group, names) in [("metrics", &cols.metrics), ("params", &cols.params)] {
        for (fname, file) in data[group].as_object().into_iter().flatten() {
            let items = file_items(fname, file);
            let missing = if file.get("error").is_some_and(|e| !e.is_null()) {
                "!"
            } else {
                fill
            };
            for name in names.get(fname).into_iter().flat_map(IndexMap::keys) {
                let value = match items.get(name) {
                    None | Some(Value::Null) => missing.to_string(),
                    Some(v) => format_field(v, precision),
                };
                let col = cols
                    .index(group, name)
                    .or_else(|| cols.index(group, &format!("{fname}:{name}")));
                if let Some(i) = col {
                    row[i] = value;
                }
            }
        }
    }
    for name in &cols.deps {
        if let (Some(dep), Some(i)) = (data["deps"].get(name), cols.index("deps", name)) {
            row[i] = dep["hash"].as_str().unwrap_or(fill).to_string();
        }
    }
}

/// The table of an `exp show --json` structure, as DVC's `tabulate` and
/// `show_experiments` make it. Errors name a sort column that is unknown or ambiguous,
/// or a pattern that is not a regular expression.
pub fn tabulate(
    show: &Value,
    style: TableStyle,
    options: &TableOptions,
    today: chrono::NaiveDate,
) -> Result<ExpTable, String> {
    let (fill, precision) = match style {
        TableStyle::Csv => ("", options.precision.filter(|p| *p > 0)),
        TableStyle::Human => ("-", Some(5)),
    };
    let mut metrics = Names::new();
    let mut params = Names::new();
    let mut deps = std::collections::BTreeSet::new();
    for r in all_revs(show) {
        collect_files(&mut metrics, r["data"].get("metrics"));
        collect_files(&mut params, r["data"].get("params"));
        deps.extend(
            r["data"]["deps"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(k, _)| k.clone()),
        );
    }
    // `metrics_names | params_names`: a file in both counts with its params' keys.
    let mut union: Names = metrics.clone();
    for (k, v) in &params {
        union.insert(k.clone(), v.clone());
    }
    let mut count: IndexMap<String, usize> = IndexMap::new();
    for name in union
        .values()
        .flat_map(IndexMap::keys)
        .map(String::as_str)
        .chain(FIXED)
    {
        *count.entry(name.to_string()).or_default() += 1;
    }
    let mut headers: Vec<String> = FIXED.iter().map(|s| s.to_string()).collect();
    let mut index = HashMap::new();
    for (group, names) in [
        ("metrics", headers_of(&metrics, &count)),
        ("params", headers_of(&params, &count)),
        ("deps", deps.iter().cloned().collect()),
    ] {
        for h in names {
            index.insert((group, h.clone()), headers.len());
            headers.push(h);
        }
    }
    let cols = Columns {
        headers,
        metrics,
        params,
        deps: deps.into_iter().collect(),
        index,
    };
    let sort = match &options.sort_by {
        Some(by) => Some(sort_column(by, &cols.metrics, &cols.params)?),
        None => None,
    };
    let blank = || vec![fill.to_string(); cols.headers.len()];
    let mut rows = Vec::new();
    for b in show.as_array().into_iter().flatten() {
        let mut row = blank();
        let rev = b["rev"].as_str().unwrap_or_default();
        row[0] = String::new();
        row[1] = match b["name"].as_str() {
            Some(n) if !n.is_empty() => n.to_string(),
            _ if is_sha(rev) => rev.chars().take(7).collect(),
            _ => rev.to_string(),
        };
        row[2] = "baseline".into();
        row[4] = String::new();
        if let Some(data) = b.get("data").filter(|d| d.is_object()) {
            row[3] = data["timestamp"]
                .as_str()
                .map_or(fill.to_string(), |t| format_time(t, style, today));
            data_cells(&mut row, &cols, data, fill, precision);
        }
        rows.push(row);
        let mut exps = b["experiments"].as_array().cloned().unwrap_or_default();
        if let Some((path, name, group)) = &sort {
            // DVC's `_sort_exp`: `sorted(key=(value is None, value), reverse=…)`, stable.
            let key = |e: &Value| {
                let file = &e["revs"][0]["data"][group.as_str()][path.as_str()];
                let v = file_items(path, file)
                    .get(name)
                    .cloned()
                    .unwrap_or(Value::Null);
                (v.is_null(), v)
            };
            exps.sort_by(|a, b| {
                let (ka, kb) = (key(a), key(b));
                let order = ka.0.cmp(&kb.0).then_with(|| py_cmp(&ka.1, &kb.1));
                if options.descending {
                    order.reverse()
                } else {
                    order
                }
            });
        }
        for (i, e) in exps.iter().enumerate() {
            let Some(exp) = e["revs"].as_array().and_then(|r| r.first()) else {
                continue;
            };
            let mut row = blank();
            let rev = exp["rev"].as_str().unwrap_or_default();
            row[0] = exp["name"].as_str().unwrap_or_default().to_string();
            row[1] = if is_sha(rev) {
                rev.chars().take(7).collect()
            } else {
                rev.to_string()
            };
            row[2] = if i + 1 == exps.len() {
                "branch_base"
            } else {
                "branch_commit"
            }
            .into();
            row[4] = String::new();
            if let Some(x) = e.get("executor").filter(|x| x.is_object()) {
                if let Some(s) = x["state"].as_str() {
                    row[5] = capitalize(s);
                }
                if let Some(n) = x["name"].as_str().filter(|n| !n.is_empty()) {
                    row[6] = capitalize(n);
                }
            }
            if let Some(data) = exp.get("data").filter(|d| d.is_object()) {
                row[3] = data["timestamp"]
                    .as_str()
                    .map_or(fill.to_string(), |t| format_time(t, style, today));
                data_cells(&mut row, &cols, data, fill, precision);
            }
            rows.push(row);
        }
    }
    let mut table = ExpTable {
        headers: cols.headers,
        rows,
    };
    table.select(style, options, fill)?;
    Ok(table)
}

/// DVC's `_sort_column`: the file, key and group (`metrics` or `params`) `by` names.
fn sort_column(
    by: &str,
    metrics: &Names,
    params: &Names,
) -> Result<(String, String, String), String> {
    let mut found: Vec<(String, String, String)> = Vec::new();
    fn add(found: &mut Vec<(String, String, String)>, m: (String, String, String)) {
        if !found.contains(&m) {
            found.push(m);
        }
    }
    let parts: Vec<&str> = by.split(':').collect();
    for split in 1..parts.len() {
        let (path, name) = (parts[..split].join(":"), parts[split..].join(":"));
        for (group, names) in [("metrics", metrics), ("params", params)] {
            if names.get(&path).is_some_and(|n| n.contains_key(&name)) {
                add(&mut found, (path.clone(), name.clone(), group.into()));
            }
        }
    }
    if found.is_empty() {
        for (group, names) in [("metrics", metrics), ("params", params)] {
            for (path, keys) in names {
                if keys.contains_key(by) {
                    add(&mut found, (path.clone(), by.to_string(), group.into()));
                }
            }
        }
    }
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(format!("Unknown sort column '{by}'")),
        _ => Err(format!(
            "Ambiguous sort column '{by}' matched '{}'",
            found
                .iter()
                .map(|(p, n, _)| format!("{p}:{n}"))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// Orders two values as Python's `<` does for the types a params or metrics file holds
/// (numbers with numbers, strings with strings); other mixes, which Python refuses to
/// compare, by their text.
fn py_cmp(a: &Value, b: &Value) -> std::cmp::Ordering {
    let num = |v: &Value| match v {
        Value::Bool(b) => Some(f64::from(u8::from(*b))),
        Value::Number(n) => n.as_f64(),
        _ => None,
    };
    match (num(a), num(b), a, b) {
        (Some(x), Some(y), _, _) => x.partial_cmp(&y).unwrap_or(std::cmp::Ordering::Equal),
        (_, _, Value::String(x), Value::String(y)) => x.cmp(y),
        _ => crate::pyvalue::py_str(a).cmp(&crate::pyvalue::py_str(b)),
    }
}

/// [`tabulate`] with this machine's date as today (DVC prints today's commits by time).
pub fn tabulate_today(
    show: &Value,
    style: TableStyle,
    options: &TableOptions,
) -> Result<ExpTable, String> {
    tabulate(show, style, options, chrono::Local::now().date_naive())
}

impl ExpTable {
    /// `show_experiments`' column choices, in its order: `--keep` protects, empty
    /// `State`/`Executor` go, the text form merges the id columns, `--only-changed`,
    /// then `--drop`.
    fn select(
        &mut self,
        style: TableStyle,
        options: &TableOptions,
        fill: &str,
    ) -> Result<(), String> {
        let pattern = |pats: &[String]| -> Result<Option<regex::Regex>, String> {
            if pats.is_empty() {
                return Ok(None);
            }
            regex::Regex::new(&format!("^(?:{})", pats.join("|")))
                .map(Some)
                .map_err(|e| format!("not a regular expression: {e}"))
        };
        let keep = pattern(&options.keep)?;
        let kept = |h: &str| keep.as_ref().is_some_and(|k| k.is_match(h));
        for col in ["State", "Executor"] {
            if let Some(i) = self.column(col)
                && !kept(col)
                && self.rows.iter().all(|r| r[i] == fill)
            {
                self.drop_column(i);
            }
        }
        if style == TableStyle::Human {
            self.merge();
        }
        if options.only_changed {
            let same: Vec<String> = (0..self.headers.len())
                .filter(|&i| {
                    let values: std::collections::HashSet<&str> =
                        self.rows.iter().map(|r| r[i].as_str()).collect();
                    values.len() == 1
                })
                .map(|i| self.headers[i].clone())
                .collect();
            for h in same.iter().filter(|h| !kept(h)) {
                if let Some(i) = self.column(h) {
                    self.drop_column(i);
                }
            }
        }
        if let Some(drop) = pattern(&options.drop)? {
            let gone: Vec<String> = self
                .headers
                .iter()
                .filter(|h| drop.is_match(h) && !kept(h))
                .cloned()
                .collect();
            for h in gone {
                if let Some(i) = self.column(&h) {
                    self.drop_column(i);
                }
            }
        }
        Ok(())
    }

    fn drop_column(&mut self, i: usize) {
        self.headers.remove(i);
        for r in &mut self.rows {
            r.remove(i);
        }
    }

    fn column(&self, name: &str) -> Option<usize> {
        self.headers.iter().position(|h| h == name)
    }

    /// The text and Markdown form (`show_experiments` without `csv`): `Experiment` shows
    /// the tree and `rev [name]`, and `rev`, `typ` and `parent` go.
    fn merge(&mut self) {
        let (Some(exp), Some(rev), Some(typ)) = (
            self.column("Experiment"),
            self.column("rev"),
            self.column("typ"),
        ) else {
            return;
        };
        for r in &mut self.rows {
            let (name, id) = (&r[exp], &r[rev]);
            let text = if r[typ] == "baseline" || name.is_empty() {
                if name.is_empty() {
                    id.clone()
                } else {
                    name.clone()
                }
            } else {
                format!("{id} [{name}]")
            };
            r[exp] = match r[typ].as_str() {
                "branch_commit" => format!("├── {text}"),
                "branch_base" => format!("└── {text}"),
                _ => text,
            };
        }
        for col in ["rev", "typ", "parent"] {
            if let Some(i) = self.column(col) {
                self.drop_column(i);
            }
        }
    }

    /// CSV as Python's `csv.writer` writes it (minimal quoting, `\r\n` line ends).
    pub fn to_csv(&self) -> String {
        let field = |c: &str| {
            if c.contains([',', '"', '\r', '\n']) {
                format!("\"{}\"", c.replace('"', "\"\""))
            } else {
                c.to_string()
            }
        };
        let mut out = String::new();
        for row in std::iter::once(&self.headers).chain(&self.rows) {
            let cells: Vec<String> = row.iter().map(|c| field(c)).collect();
            out.push_str(&cells.join(","));
            out.push_str("\r\n");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sample() -> Value {
        json!([
            {"rev": "workspace", "name": null, "data": {"rev": "workspace", "timestamp": null,
              "params": {"params.yaml": {"data": {"lr": 0.1, "model": {"depth": 3}, "tags": [0.25, "a"]}}},
              "metrics": {"m.json": {"data": {"acc": 0.912345678}}}, "deps": {}, "outs": {}, "meta": {}},
             "error": null, "experiments": null},
            {"rev": "91c10c72c726334a0e3357401d9413405513077b", "name": "main", "data": {"rev": "91c1", "timestamp": "2026-11-28T09:05:00",
              "params": {"params.yaml": {"data": {"lr": 0.1}}},
              "metrics": {"m.json": {"error": {"type": "FileNotFoundError", "msg": "x"}}}, "deps": {"data.csv": {"hash": "abc", "size": 1, "nfiles": null}}, "outs": {}, "meta": {}},
             "error": null, "experiments": [
                {"revs": [{"rev": "3614a24aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "name": "done", "data": {"rev": "3614", "timestamp": "2026-11-29T16:18:03",
                   "params": {"params.yaml": {"data": {"lr": 0.2}}}, "metrics": {"m.json": {"data": {"acc": true}}}, "deps": {}, "outs": {}, "meta": {}},
                   "error": null, "experiments": null}], "executor": null, "name": "done"},
                {"revs": [{"rev": "a312393bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "name": "q1", "data": {"rev": "a312", "timestamp": "2026-11-29T16:18:04",
                   "params": {"params.yaml": {"data": {"lr": 0.3}}}, "metrics": {}, "deps": {}, "outs": {}, "meta": {}},
                   "error": null, "experiments": null}], "executor": {"state": "queued", "name": "dvc-task", "local": null}, "name": "q1"}
             ]}
        ])
    }

    fn today() -> chrono::NaiveDate {
        chrono::NaiveDate::from_ymd_opt(2026, 11, 29).unwrap()
    }

    #[test]
    fn csv_has_dvcs_columns_and_cells() {
        let t = tabulate(
            &sample(),
            TableStyle::Csv,
            &TableOptions::default(),
            today(),
        )
        .unwrap();
        assert_eq!(
            t.to_csv(),
            "Experiment,rev,typ,Created,parent,State,Executor,acc,lr,model.depth,tags,data.csv\r\n\
             ,workspace,baseline,,,,,0.912345678,0.1,3,\"[0.25, 'a']\",\r\n\
             ,main,baseline,2026-11-28T09:05:00,,,,!,0.1,,,abc\r\n\
             done,3614a24,branch_commit,2026-11-29T16:18:03,,,,True,0.2,,,\r\n\
             q1,a312393,branch_base,2026-11-29T16:18:04,,Queued,Dvc-task,,0.3,,,\r\n"
        );
    }

    #[test]
    fn the_human_table_draws_the_tree_and_rounds() {
        let t = tabulate(
            &sample(),
            TableStyle::Human,
            &TableOptions::default(),
            today(),
        )
        .unwrap();
        assert_eq!(
            t.headers,
            [
                "Experiment",
                "Created",
                "State",
                "Executor",
                "acc",
                "lr",
                "model.depth",
                "tags",
                "data.csv"
            ]
        );
        assert_eq!(
            t.rows[0],
            [
                "workspace",
                "-",
                "-",
                "-",
                "0.91235",
                "0.1",
                "3",
                "['0.25', 'a']",
                "-"
            ]
        );
        assert_eq!(t.rows[1][..5], ["main", "Nov 28, 2026", "-", "-", "!"]);
        assert_eq!(t.rows[2][..4], ["├── 3614a24 [done]", "04:18 PM", "-", "-"]);
        assert_eq!(
            t.rows[3][..4],
            ["└── a312393 [q1]", "04:18 PM", "Queued", "Dvc-task"]
        );
    }

    #[test]
    fn state_and_executor_go_when_no_row_has_one_and_clashing_names_get_their_file() {
        let mut s = sample();
        s[1]["experiments"].as_array_mut().unwrap().pop();
        s[1]["data"]["metrics"]["m.json"] = json!({"data": {"lr": 0.5}});
        let t = tabulate(&s, TableStyle::Csv, &TableOptions::default(), today()).unwrap();
        assert!(
            !t.headers.iter().any(|h| h == "State" || h == "Executor"),
            "{:?}",
            t.headers
        );
        assert!(
            t.headers.contains(&"m.json:lr".to_string()),
            "{:?}",
            t.headers
        );
        assert!(
            t.headers.contains(&"params.yaml:lr".to_string()),
            "{:?}",
            t.headers
        );
    }

    #[test]
    fn a_metric_named_like_a_fixed_column_keeps_its_own_column() {
        let mut s = sample();
        s[0]["data"]["metrics"]["m.json"] = json!({"data": {"acc": 0.5, "rev": 7}});
        let t = tabulate(&s, TableStyle::Csv, &TableOptions::default(), today()).unwrap();
        let col = |h: &str| t.headers.iter().position(|x| x == h).unwrap();
        assert_eq!(t.rows[0][col("rev")], "workspace");
        assert_eq!(t.rows[0][col("m.json:rev")], "7");
    }

    #[test]
    fn sorting_keeping_and_dropping_as_dvc_does() {
        let by_lr = |descending| TableOptions {
            sort_by: Some("params.yaml:lr".into()),
            descending,
            ..TableOptions::default()
        };
        let names = |t: &ExpTable| t.rows.iter().map(|r| r[0].clone()).collect::<Vec<_>>();
        let t = tabulate(&sample(), TableStyle::Csv, &by_lr(true), today()).unwrap();
        assert_eq!(names(&t), ["", "", "q1", "done"]);
        assert_eq!(
            t.rows[3][2], "branch_base",
            "the last row after sorting closes the tree"
        );
        let t = tabulate(&sample(), TableStyle::Csv, &by_lr(false), today()).unwrap();
        assert_eq!(names(&t), ["", "", "done", "q1"]);
        let unknown = TableOptions {
            sort_by: Some("nope".into()),
            ..TableOptions::default()
        };
        assert_eq!(
            tabulate(&sample(), TableStyle::Csv, &unknown, today()).unwrap_err(),
            "Unknown sort column 'nope'"
        );
        let pick = TableOptions {
            drop: vec!["model|tags|data".into(), "Created".into()],
            keep: vec!["tags".into()],
            only_changed: true,
            ..TableOptions::default()
        };
        let t = tabulate(&sample(), TableStyle::Human, &pick, today()).unwrap();
        assert_eq!(
            t.headers,
            ["Experiment", "State", "Executor", "acc", "lr", "tags"]
        );
    }
}

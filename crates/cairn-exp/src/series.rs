//! Step series: DVCLive's `dvclive/plots/metrics/**.tsv` (`step`, optional `timestamp`,
//! value) and the CSV/TSV/JSON/JSONL/YAML plots declared in `dvc.yaml`, at any revision;
//! plus min/max-bucket decimation for a pixel width (spikes always survive; a zoomed
//! range is re-decimated from the raw points).

use serde::Serialize;
use serde_json::Value;

use crate::snapshot::Snapshot;

/// One named series.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Series {
    /// Metric name (`acc`, `train/loss`, or `file:field` for declared plots).
    pub name: String,
    /// The file it came from.
    pub file: String,
    /// `(x, y)` points in x order.
    pub points: Vec<(f64, f64)>,
}

/// Each named history's value at its highest step: the last point (histories are in step
/// order, logging order within a step), what trackers show as a metric's value.
pub fn latest(
    histories: &std::collections::BTreeMap<String, Vec<(f64, f64)>>,
) -> std::collections::BTreeMap<String, f64> {
    histories
        .iter()
        .filter_map(|(k, pts)| pts.last().map(|p| (k.clone(), p.1)))
        .collect()
}

/// Named histories as step series read from `file`.
pub fn from_histories(
    histories: &std::collections::BTreeMap<String, Vec<(f64, f64)>>,
    file: &str,
) -> Vec<Series> {
    histories
        .iter()
        .map(|(k, pts)| Series {
            name: k.clone(),
            file: file.to_string(),
            points: pts.clone(),
        })
        .collect()
}

/// Decimates `points` (sorted by x) to at most about `2 * width` points: the x range
/// (or `range`) is cut into `width` buckets and each keeps its minimum and maximum y (in
/// x order), so spikes are never dropped. The first and last points of the range stay.
/// Runs in one pass over the points in range (binary search for the ends).
pub fn decimate(points: &[(f64, f64)], width: usize, range: Option<(f64, f64)>) -> Vec<(f64, f64)> {
    let (lo_i, hi_i) = match range {
        Some((a, b)) => (
            points.partition_point(|p| p.0 < a),
            points.partition_point(|p| p.0 <= b),
        ),
        None => (0, points.len()),
    };
    let pts = &points[lo_i..hi_i.max(lo_i)];
    let width = width.max(1);
    if pts.len() <= 2 * width + 2 {
        return pts.to_vec();
    }
    let x0 = pts[0].0;
    let x1 = pts[pts.len() - 1].0;
    let span = x1 - x0;
    let mut out = Vec::with_capacity(2 * width + 2);
    if span <= 0.0 || !span.is_finite() {
        // All at one x: keep extremes.
        let (mut mn, mut mx) = (0, 0);
        for (i, p) in pts.iter().enumerate() {
            if p.1 < pts[mn].1 {
                mn = i;
            }
            if p.1 > pts[mx].1 {
                mx = i;
            }
        }
        let mut idx = vec![0, mn, mx, pts.len() - 1];
        idx.sort_unstable();
        idx.dedup();
        return idx.into_iter().map(|i| pts[i]).collect();
    }
    let scale = width as f64 / span;
    let mut bucket = usize::MAX;
    let (mut mn, mut mx) = (0usize, 0usize);
    let flush = |out: &mut Vec<(f64, f64)>, mn: usize, mx: usize| {
        let (a, b) = if mn <= mx { (mn, mx) } else { (mx, mn) };
        out.push(pts[a]);
        if b != a {
            out.push(pts[b]);
        }
    };
    for (i, p) in pts.iter().enumerate() {
        let b = (((p.0 - x0) * scale) as usize).min(width - 1);
        if b != bucket {
            if bucket != usize::MAX {
                flush(&mut out, mn, mx);
            }
            bucket = b;
            mn = i;
            mx = i;
            continue;
        }
        let y = p.1;
        if y < pts[mn].1 || (pts[mn].1.is_nan() && !y.is_nan()) {
            mn = i;
        }
        if y > pts[mx].1 || (pts[mx].1.is_nan() && !y.is_nan()) {
            mx = i;
        }
    }
    if bucket != usize::MAX {
        flush(&mut out, mn, mx);
    }
    if out.first() != pts.first() {
        out.insert(0, pts[0]);
    }
    if out.last() != pts.last() {
        out.push(pts[pts.len() - 1]);
    }
    out
}

fn num(s: &str) -> Option<f64> {
    let t = s.trim();
    if t.is_empty() {
        return None;
    }
    t.parse::<f64>().ok()
}

/// Parses a delimited table (header row) into numeric columns, without per-cell
/// allocations (a 1M-row DVCLive file is tens of MB).
fn parse_delimited(text: &str, sep: char) -> (Vec<String>, Vec<Vec<Option<f64>>>) {
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header: Vec<String> = lines
        .next()
        .map(|h| {
            h.split(sep)
                .map(|s| s.trim().trim_matches('"').to_string())
                .collect()
        })
        .unwrap_or_default();
    let mut cols: Vec<Vec<Option<f64>>> = vec![Vec::new(); header.len()];
    for l in lines {
        let mut n = 0;
        for (i, cell) in l.split(sep).enumerate() {
            if let Some(c) = cols.get_mut(i) {
                c.push(num(cell.trim_matches('"')));
            }
            n = i + 1;
        }
        for c in cols.iter_mut().skip(n) {
            c.push(None);
        }
    }
    (header, cols)
}

/// Rows of a JSON/JSONL/YAML plot file: a list of records, or a dict holding one list.
fn records(rel: &str, bytes: &[u8]) -> Option<Vec<serde_json::Map<String, Value>>> {
    let lower = rel.to_lowercase();
    let list: Vec<Value> = if lower.ends_with(".jsonl") {
        String::from_utf8_lossy(bytes)
            .lines()
            .filter(|l| !l.trim().is_empty())
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    } else {
        let v = crate::snapshot::parse_by_suffix(rel, bytes).ok()?;
        match v {
            Value::Array(a) => a,
            Value::Object(m) => m.into_iter().find_map(|(_, v)| match v {
                Value::Array(a) => Some(a),
                _ => None,
            })?,
            _ => return None,
        }
    };
    Some(
        list.into_iter()
            .filter_map(|v| match v {
                Value::Object(m) => Some(m),
                _ => None,
            })
            .collect(),
    )
}

fn value_num(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => num(s),
        Value::Bool(b) => Some(f64::from(u8::from(*b))),
        _ => None,
    }
}

/// Series of one plot file: `x` is the given field, else `step`, else the row index;
/// every other numeric column (except `timestamp`) is a series, or only `ys` if given.
pub fn parse_plot_file(
    rel: &str,
    bytes: &[u8],
    x: Option<&str>,
    ys: &[String],
    name_prefix: &str,
) -> Vec<Series> {
    let lower = rel.to_lowercase();
    let (header, cols): (Vec<String>, Vec<Vec<Option<f64>>>) =
        if lower.ends_with(".tsv") || lower.ends_with(".csv") {
            let sep = if lower.ends_with(".tsv") { '\t' } else { ',' };
            parse_delimited(&String::from_utf8_lossy(bytes), sep)
        } else {
            let Some(recs) = records(rel, bytes) else {
                return Vec::new();
            };
            let mut header: Vec<String> = Vec::new();
            for r in &recs {
                for k in r.keys() {
                    if !header.contains(k) {
                        header.push(k.clone());
                    }
                }
            }
            let cols = header
                .iter()
                .map(|h| recs.iter().map(|r| r.get(h).and_then(value_num)).collect())
                .collect();
            (header, cols)
        };
    let nrows = cols.first().map(Vec::len).unwrap_or(0);
    let xi = match x {
        Some(x) => header.iter().position(|h| h == x),
        None => header.iter().position(|h| h == "step"),
    };
    let mut out = Vec::new();
    for (ci, col) in header.iter().enumerate() {
        if Some(ci) == xi || col == "timestamp" {
            continue;
        }
        if !ys.is_empty() && !ys.contains(col) {
            continue;
        }
        let mut pts: Vec<(f64, f64)> = (0..nrows)
            .filter_map(|ri| {
                let xv = match xi {
                    Some(xi) => cols[xi][ri]?,
                    None => ri as f64,
                };
                Some((xv, cols[ci][ri]?))
            })
            .collect();
        if pts.is_empty() {
            continue;
        }
        if pts.windows(2).any(|w| w[1].0 < w[0].0) {
            pts.sort_by(|a, b| a.0.total_cmp(&b.0));
        }
        out.push(Series {
            name: if name_prefix.is_empty() {
                col.clone()
            } else {
                format!("{name_prefix}{col}")
            },
            file: rel.to_string(),
            points: pts,
        });
    }
    out
}

/// A plot a pipeline declares: its path (a file or a folder), and its `x` and `y`.
pub(crate) type DeclaredPlot = (String, Option<String>, Vec<String>);

/// The plots a revision's pipeline declares (top-level and stage `plots:`).
pub(crate) fn declared_plots(snap: &Snapshot<'_>) -> Vec<DeclaredPlot> {
    let mut declared: Vec<DeclaredPlot> = Vec::new();
    if let Ok(project) = &snap.project {
        for f in &project.files {
            let dir = cairn_pipeline::fs::parent(&f.path);
            for p in &f.plots {
                match p {
                    Value::String(s) => {
                        declared.push((cairn_pipeline::fs::repo_path(dir, s), None, Vec::new()))
                    }
                    Value::Object(m) => {
                        for (id, def) in m {
                            let x = def.get("x").and_then(Value::as_str).map(str::to_string);
                            match def.get("y") {
                                Some(Value::Object(files)) => {
                                    for (file, ys) in files {
                                        let ys = match ys {
                                            Value::String(s) => vec![s.clone()],
                                            Value::Array(a) => a
                                                .iter()
                                                .filter_map(|v| v.as_str().map(str::to_string))
                                                .collect(),
                                            _ => Vec::new(),
                                        };
                                        declared.push((
                                            cairn_pipeline::fs::repo_path(dir, file),
                                            x.clone(),
                                            ys,
                                        ));
                                    }
                                }
                                Some(Value::String(y)) => declared.push((
                                    cairn_pipeline::fs::repo_path(dir, id),
                                    x,
                                    vec![y.clone()],
                                )),
                                Some(Value::Array(a)) => declared.push((
                                    cairn_pipeline::fs::repo_path(dir, id),
                                    x,
                                    a.iter()
                                        .filter_map(|v| v.as_str().map(str::to_string))
                                        .collect(),
                                )),
                                _ => declared.push((
                                    cairn_pipeline::fs::repo_path(dir, id),
                                    x,
                                    Vec::new(),
                                )),
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        for s in project.stages() {
            for o in &s.outs {
                if o.kind == cairn_pipeline::OutKind::Plot
                    && let Some(p) = o.repo_path(s)
                {
                    let props = o.plot_props.as_ref();
                    let x = props
                        .and_then(|m| m.get("x"))
                        .and_then(Value::as_str)
                        .map(str::to_string);
                    let ys = props
                        .and_then(|m| m.get("y"))
                        .map(|y| match y {
                            Value::String(s) => vec![s.clone()],
                            Value::Array(a) => a
                                .iter()
                                .filter_map(|v| v.as_str().map(str::to_string))
                                .collect(),
                            _ => Vec::new(),
                        })
                        .unwrap_or_default();
                    declared.push((p, x, ys));
                }
            }
        }
    }
    declared
}

/// Every series of a revision: DVCLive metric files and declared plots.
pub fn load_all(snap: &Snapshot<'_>) -> Vec<Series> {
    let mut out: Vec<Series> = Vec::new();
    let mut seen_files: Vec<String> = Vec::new();
    let mut declared = declared_plots(snap);
    // DVCLive's default location, even when not declared.
    declared.push((
        "dvclive/plots/metrics".into(),
        Some("step".into()),
        Vec::new(),
    ));
    for (path, x, ys) in declared {
        let files = snap.expand(&path);
        let is_dir = files.len() != 1 || files[0] != path;
        for file in files {
            if seen_files.contains(&file) {
                continue;
            }
            let lower = file.to_lowercase();
            if ![".tsv", ".csv", ".json", ".jsonl", ".yaml", ".yml"]
                .iter()
                .any(|e| lower.ends_with(e))
            {
                continue;
            }
            let Ok(bytes) = snap.read(&file) else {
                continue;
            };
            seen_files.push(file.clone());
            // DVCLive: `dvclive/plots/metrics/train/loss.tsv` → `train/loss`.
            let live_name = file
                .strip_prefix("dvclive/plots/metrics/")
                .and_then(|n| n.strip_suffix(".tsv"));
            let mut series = parse_plot_file(&file, &bytes, x.as_deref(), &ys, "");
            if let Some(n) = live_name
                && series.len() == 1
            {
                series[0].name = n.to_string();
            } else if is_dir || series.len() > 1 || live_name.is_none() {
                for s in &mut series {
                    s.name = format!("{file}:{}", s.name);
                }
            }
            out.extend(series);
        }
    }
    out
}

/// A revision (`None` = work tree) and its series.
pub type RevSeries = (Option<String>, Vec<Series>);

/// Every series of the work tree (`rev = None`) or of a revision/experiment name.
pub fn load_rev(root: &std::path::Path, rev: Option<&str>) -> Result<Vec<Series>, crate::ExpError> {
    let git = match rev {
        None => None,
        Some(_) => Some(cairn_git::Git::discover(root)?),
    };
    let running = running_projects(rev.is_some(), root);
    load_with(root, git.as_ref(), &running, rev)
}

/// DVC's running tasks (see [`crate::dvc_queue::running_projects`]), read only when a
/// revision is asked for.
fn running_projects(any_rev: bool, root: &std::path::Path) -> Vec<(String, std::path::PathBuf)> {
    if any_rev {
        crate::dvc_queue::running_projects(root)
    } else {
        Vec::new()
    }
}

/// [`load_rev`] for each of `revs`, opening the repository once; a revision that cannot
/// be read gets its error and does not stop the others.
pub fn load_revs(
    root: &std::path::Path,
    revs: &[Option<String>],
) -> Result<Vec<Result<Vec<Series>, crate::ExpError>>, crate::ExpError> {
    let git = if revs.iter().any(Option::is_some) {
        Some(cairn_git::Git::discover(root)?)
    } else {
        None
    };
    let running = running_projects(git.is_some(), root);
    Ok(revs
        .iter()
        .map(|r| load_with(root, git.as_ref(), &running, r.as_deref()))
        .collect())
}

fn load_with(
    root: &std::path::Path,
    git: Option<&cairn_git::Git>,
    running: &[(String, std::path::PathBuf)],
    rev: Option<&str>,
) -> Result<Vec<Series>, crate::ExpError> {
    // A queued experiment running in its own working copy: what it has logged so far,
    // every point when that copy is a worktree here.
    if let Some(r) = rev {
        if let Some(series) = crate::live::series_in_place(root, r) {
            return Ok(series);
        }
        if let Some(live) = crate::live::load(root, r) {
            return Ok(live.series);
        }
    }
    // A task DVC's worker runs: its executor's work tree, as `dvc exp show` reads it.
    if let Some((_, project)) = rev.and_then(|r| running.iter().find(|(id, _)| id == r)) {
        return Ok(load_all(&Snapshot::workspace(project)));
    }
    match (rev, git) {
        (Some(r), Some(git)) => {
            let c = crate::diff::resolve_rev(git, r)?;
            Ok(load_all(&Snapshot::at(git, &c)))
        }
        _ => Ok(load_all(&Snapshot::workspace(root))),
    }
}

/// Per revision, the named series decimated for `width` pixels (optionally only the
/// x range `range`): what a chart of several experiments needs.
pub fn compare(
    root: &std::path::Path,
    revs: &[Option<String>],
    names: &[String],
    width: usize,
    range: Option<(f64, f64)>,
) -> Result<Vec<RevSeries>, crate::ExpError> {
    let mut out = Vec::new();
    for (r, all) in revs.iter().zip(load_revs(root, revs)?) {
        let picked = all?
            .into_iter()
            .filter(|s| names.is_empty() || names.contains(&s.name))
            .map(|mut s| {
                s.points = decimate(&s.points, width, range);
                s
            })
            .collect();
        out.push((r.clone(), picked));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimation_keeps_spikes_and_rezooms() {
        let mut pts: Vec<(f64, f64)> = (0..100_000).map(|i| (i as f64, (i % 7) as f64)).collect();
        pts[54_321].1 = 1000.0;
        pts[77_777].1 = -1000.0;
        let d = decimate(&pts, 200, None);
        assert!(d.len() <= 402, "{}", d.len());
        assert!(d.contains(&(54_321.0, 1000.0)));
        assert!(d.contains(&(77_777.0, -1000.0)));
        assert_eq!(d.first(), Some(&(0.0, 0.0)));
        assert_eq!(d.last(), pts.last());
        assert!(d.windows(2).all(|w| w[0].0 <= w[1].0));
        let z = decimate(&pts, 200, Some((54_000.0, 55_000.0)));
        assert!(z.contains(&(54_321.0, 1000.0)));
        assert!(z.iter().all(|p| p.0 >= 54_000.0 && p.0 <= 55_000.0));
        assert_eq!(decimate(&pts[..10], 200, None).len(), 10);
    }

    #[test]
    fn dvclive_tsv_and_csv_and_jsonl() {
        let s = parse_plot_file("a.tsv", b"step\tacc\n0\t0.5\n1\t0.7\n", None, &[], "");
        assert_eq!(s[0].name, "acc");
        assert_eq!(s[0].points, vec![(0.0, 0.5), (1.0, 0.7)]);
        let s = parse_plot_file(
            "a.tsv",
            b"timestamp\tstep\tloss\n17\t0\t1\n18\t1\t0.5\n",
            None,
            &[],
            "",
        );
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].points, vec![(0.0, 1.0), (1.0, 0.5)]);
        let s = parse_plot_file(
            "p.csv",
            b"epoch,a,b\n1,2,3\n2,4,5\n",
            Some("epoch"),
            &[],
            "",
        );
        assert_eq!(s.len(), 2);
        let s = parse_plot_file("p.jsonl", b"{\"a\": 1}\n{\"a\": 3}\n", None, &[], "");
        assert_eq!(s[0].points, vec![(0.0, 1.0), (1.0, 3.0)]);
        let s = parse_plot_file(
            "p.json",
            br#"{"r": [{"x": 1, "y": 2}]}"#,
            Some("x"),
            &[],
            "",
        );
        assert_eq!(s[0].points, vec![(1.0, 2.0)]);
    }
}

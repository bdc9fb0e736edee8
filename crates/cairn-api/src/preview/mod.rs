//! Preview of tracked data at any version, without checking it out: the first rows of a
//! table, a text file, an image, or a folder's files — read from the cache by the hash the
//! pointer recorded (in the work tree, or at a commit), and compared with another version
//! (rows or files added and removed). A version not in the cache falls back to the work
//! tree's copy when it is the current one.

mod arrow_zones;
mod cells;
mod delimited;
mod jsonl;
mod parquet;

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use base64::Engine;
use cairn_data::Repo;
use cairn_data::hash::HashKind;
use cairn_data::pointer::{HashInfo, Pointer};
use cairn_git::Git;

use crate::dto::*;
use crate::error::{ApiError, ApiResult, ErrorCode, io_error};
use crate::{Api, project_root};

/// Rows of a table sent to the frontend.
const MAX_ROWS: usize = 200;
/// Bytes of a text file sent.
const MAX_TEXT: usize = 64 * 1024;
/// Largest image sent (as a data URL).
pub(crate) const MAX_IMAGE: u64 = 8 << 20;
/// Tables up to this size are counted and compared whole; larger ones only previewed.
const MAX_SCAN: u64 = 64 << 20;
/// Folder entries and changed files listed.
const MAX_ENTRIES: usize = 1000;
/// Added or removed rows listed.
const MAX_DIFF_ROWS: usize = 50;
/// Parquet tables up to this many cells (rows × columns) are compared whole: a
/// compressed file holds far more than its size suggests, and each cell becomes text.
const MAX_COMPARE_CELLS: u64 = 4_000_000;

/// One table row; `None` is a missing value.
type Row = Vec<Option<String>>;

/// A whole table: its columns and every row.
type Table = (Vec<String>, Vec<Row>);

/// The start of a table.
struct TableHead {
    columns: Vec<String>,
    column_types: Vec<String>,
    rows: Vec<Row>,
    total_rows: Option<u64>,
    truncated: bool,
}

/// How a file holds a table, by its extension (cache objects have none: the shown path
/// says what the data is).
#[derive(Clone, Copy)]
enum TableFormat {
    Delimited(u8),
    JsonLines,
    Parquet,
}

fn table_format(shown: &str) -> Option<TableFormat> {
    match extension(shown).as_str() {
        "csv" => Some(TableFormat::Delimited(b',')),
        "tsv" | "tab" => Some(TableFormat::Delimited(b'\t')),
        "jsonl" | "ndjson" => Some(TableFormat::JsonLines),
        "parquet" | "pq" => Some(TableFormat::Parquet),
        _ => None,
    }
}

/// Where `path`'s recorded version is: its `.dvc` file, or the `dvc.lock` of the stage
/// that outputs it (with the output as the lock writes it), and the path inside a
/// tracked folder when `path` is below one.
pub struct DataAt {
    /// The `.dvc` file or `dvc.lock`, repo-relative.
    pub pointer: String,
    /// With a `dvc.lock`: the output as the lock writes its path.
    pub output: Option<String>,
    /// A file inside a tracked folder.
    pub inner: Option<String>,
}

/// The record a request names: `pointer` (with `output` for a `dvc.lock`) as given, or,
/// with an empty pointer, the one found for the repo-relative path in `output` (the
/// app's stage panel knows outputs by path).
pub(crate) fn record_of(root: &Path, pointer: &str, output: Option<&str>) -> ApiResult<DataAt> {
    let output = output.filter(|o| !o.is_empty());
    if !pointer.is_empty() {
        return Ok(DataAt {
            pointer: pointer.to_string(),
            output: output.map(str::to_string),
            inner: None,
        });
    }
    let Some(path) = output else {
        return Err(ApiError::new(
            ErrorCode::InvalidArguments,
            "name the data: a .dvc file, or an output's path",
        ));
    };
    let abs = cairn_data::paths::resolve_in_repo(root, root, Path::new(path))?;
    find_recorded(root, &abs)
}

/// Finds where the version of `path` (absolute, inside `root`) is recorded: the `.dvc`
/// file tracking it or a folder around it, else the `dvc.lock` of the stage that
/// outputs it.
pub fn find_recorded(root: &Path, path: &Path) -> ApiResult<DataAt> {
    let rel = |p: &Path| cairn_data::paths::rel_slash(p, root);
    let inside = |out: &Path| -> Option<Option<String>> {
        if out == path {
            return Some(None);
        }
        path.strip_prefix(out)
            .ok()
            .map(|inner| Some(inner.to_string_lossy().replace('\\', "/")))
    };
    if path.extension().is_some_and(|e| e == "dvc") && path.is_file() {
        return Ok(DataAt {
            pointer: rel(path),
            output: None,
            inner: None,
        });
    }
    let (tracked, _) = cairn_data::collect::pointers(root)?;
    for t in &tracked {
        for i in 0..t.pointer.outs.len() {
            if let Some(inner) = inside(&t.out_path(i)) {
                return Ok(DataAt {
                    pointer: rel(&t.file),
                    output: None,
                    inner,
                });
            }
        }
    }
    // A stage's output, recorded in the dvc.lock beside its dvc.yaml.
    let (project, _) = cairn_pipeline::load_project_lenient(&cairn_pipeline::LocalFs::new(root));
    for f in &project.files {
        let Some(lock) = &f.lock else { continue };
        let dir = match f.path.rsplit_once('/') {
            Some((d, _)) => root.join(d),
            None => root.to_path_buf(),
        };
        for out in lock.stages.values().flat_map(|s| s.outs.iter()) {
            let written = out.path.trim_end_matches('/');
            if let Some(inner) = inside(&dir.join(written)) {
                return Ok(DataAt {
                    pointer: rel(&dir.join("dvc.lock")),
                    output: Some(written.to_string()),
                    inner,
                });
            }
        }
    }
    Err(ApiError::not_found(format!(
        "{} is neither tracked by a .dvc file nor a stage output in dvc.lock (track it with `cairn add {}`, or run its stage)",
        rel(path),
        rel(path)
    )))
}

/// What one version of the previewed path is.
enum Located {
    File {
        path: PathBuf,
        md5: Option<String>,
        from_cache: bool,
    },
    Dir {
        entries: Vec<(String, String)>,
        md5: String,
    },
}

impl Api {
    /// `preview_data`.
    pub fn preview_data(&self, args: PreviewArgs) -> ApiResult<DataPreview> {
        preview(args)
    }
}

/// Tracked data at a version (and its changes since another): what `preview_data` and
/// `cairn show` show.
pub(crate) fn preview(args: PreviewArgs) -> ApiResult<DataPreview> {
    let root = project_root(&args.project)?;
    let repo = Repo::open(&root)?;
    let git = Git::discover(&root).ok();
    let at = record_of(repo.root(), &args.pointer, args.output.as_deref())?;
    let args = PreviewArgs {
        pointer: at.pointer,
        output: at.output,
        inner: at.inner.or(args.inner),
        ..args
    };
    let pointer_abs =
        cairn_data::paths::resolve_in_repo(repo.root(), repo.root(), Path::new(&args.pointer))?;
    let inner = args
        .inner
        .as_deref()
        .map(|i| i.trim_matches('/'))
        .filter(|i| !i.is_empty());
    if inner.is_some_and(|i| i.split('/').any(|c| c == ".." || c == ".")) {
        return Err(ApiError::new(
            ErrorCode::InvalidArguments,
            format!(
                "{}: a path inside the folder, without `..`",
                inner.unwrap_or("")
            ),
        ));
    }
    let commit = args.commit.as_deref().filter(|c| !c.is_empty());
    let output = args.output.as_deref().filter(|o| !o.is_empty());
    let (out_path, hash) = recorded(git.as_ref(), &pointer_abs, &args.pointer, output, commit)?;
    let shown_path = match inner {
        Some(i) => format!(
            "{}/{i}",
            cairn_data::paths::rel_slash(&out_path, repo.root())
        ),
        None => cairn_data::paths::rel_slash(&out_path, repo.root()),
    };
    let here = locate(
        &repo,
        &hash,
        &out_path,
        inner,
        commit.is_none(),
        &shown_path,
    )?;
    let mut preview = render(&here, &shown_path)?;
    if let Some(other) = args.compare_to.as_deref().filter(|c| !c.is_empty()) {
        let (_, other_hash) = recorded(
            git.as_ref(),
            &pointer_abs,
            &args.pointer,
            output,
            Some(other),
        )?;
        let there = locate(&repo, &other_hash, &out_path, inner, false, &shown_path)?;
        let (changes, columns) = compare(&here, &there, &shown_path, other)?;
        if let Some(columns) = columns.filter(|c| *c != preview.columns) {
            // Compared rows are laid out in both versions' columns: carry the types
            // over by name.
            let types: HashMap<&str, &str> = preview
                .columns
                .iter()
                .zip(&preview.column_types)
                .map(|(c, t)| (c.as_str(), t.as_str()))
                .collect();
            if !preview.column_types.is_empty() {
                preview.column_types = columns
                    .iter()
                    .map(|c| types.get(c.as_str()).unwrap_or(&"").to_string())
                    .collect();
            }
            preview.columns = columns;
        }
        preview.changes = Some(changes);
    }
    Ok(preview)
}

/// The output path and its recorded hash, in the work tree's pointer (a `.dvc` file,
/// or a `dvc.lock` with `output` naming one of its stages' outputs) or at `commit`.
fn recorded(
    git: Option<&Git>,
    pointer_abs: &Path,
    pointer_rel: &str,
    output: Option<&str>,
    commit: Option<&str>,
) -> ApiResult<(PathBuf, HashInfo)> {
    let text = match commit {
        None => std::fs::read_to_string(pointer_abs).map_err(|e| io_error(pointer_abs, e))?,
        Some(c) => {
            let git = git.ok_or_else(|| {
                ApiError::new(ErrorCode::Git, "this project is not a git repository")
            })?;
            let bytes = git.read_at(c, pointer_rel)?.ok_or_else(|| {
                ApiError::not_found(format!("{pointer_rel} does not exist in {c:.7}"))
            })?;
            String::from_utf8_lossy(&bytes).into_owned()
        }
    };
    recorded_in(pointer_abs, pointer_rel, output, &text, commit)
}

/// The output path and hash recorded in `text`, the content of `pointer_rel` (a `.dvc`
/// file, or a `dvc.lock` with `output`) at `commit` (the work tree when `None`).
pub(crate) fn recorded_in(
    pointer_abs: &Path,
    pointer_rel: &str,
    output: Option<&str>,
    text: &str,
    commit: Option<&str>,
) -> ApiResult<(PathBuf, HashInfo)> {
    let dir = pointer_abs.parent().unwrap_or(Path::new("."));
    if pointer_rel == "dvc.lock" || pointer_rel.ends_with("/dvc.lock") {
        let output = output.ok_or_else(|| {
            ApiError::new(
                ErrorCode::InvalidArguments,
                format!("{pointer_rel}: name which stage output to show"),
            )
        })?;
        let lock = cairn_pipeline::lockfile::load(text, pointer_rel)?;
        let wanted = output.trim_end_matches('/');
        let entry = lock
            .stages
            .values()
            .flat_map(|s| s.outs.iter())
            .find(|o| o.path.trim_end_matches('/') == wanted)
            .ok_or_else(|| {
                ApiError::not_found(match commit {
                    Some(c) => format!("{wanted} is not a stage output in {pointer_rel} at {c:.7}"),
                    None => format!(
                        "{wanted} is not a stage output in {pointer_rel} (run the stage first)"
                    ),
                })
            })?;
        let md5 = entry.md5.clone().ok_or_else(|| {
            ApiError::new(
                ErrorCode::Data,
                format!("{wanted}: {pointer_rel} records no hash for it"),
            )
        })?;
        let hash = HashInfo {
            md5,
            size: entry.size,
            nfiles: entry.nfiles,
            kind: if entry.hash.as_deref() == Some("md5") {
                HashKind::Md5
            } else {
                HashKind::LegacyDos2Unix
            },
        };
        return Ok((dir.join(wanted), hash));
    }
    let pointer = Pointer::parse(pointer_abs, text)?;
    let out = pointer
        .outs
        .first()
        .ok_or_else(|| ApiError::new(ErrorCode::Data, format!("{pointer_rel} tracks nothing")))?;
    let hash = out.hash.clone().ok_or_else(|| {
        ApiError::new(
            ErrorCode::Data,
            format!("{pointer_rel}: no hash recorded yet (track the data first)"),
        )
    })?;
    Ok((dir.join(&out.path), hash))
}

/// Where the bytes (or the listing) of one version are: the cache, else — for the
/// current version only — the work tree.
fn locate(
    repo: &Repo,
    hash: &HashInfo,
    out_path: &Path,
    inner: Option<&str>,
    may_use_workspace: bool,
    shown: &str,
) -> ApiResult<Located> {
    let not_cached = || {
        ApiError::new(
            ErrorCode::Data,
            format!(
                "{shown}: this version is not in the local cache (pull it from a remote first)"
            ),
        )
    };
    if !hash.is_dir() {
        if inner.is_some() {
            return Err(ApiError::new(
                ErrorCode::InvalidArguments,
                format!("{shown}: the tracked data is a file, not a folder"),
            ));
        }
        return file_version(repo, &hash.md5, hash.kind, out_path, may_use_workspace)
            .ok_or_else(not_cached);
    }
    let entries: Vec<(String, String)> = match repo.odb().read_manifest(&hash.md5, hash.kind) {
        Ok(m) => m
            .entries()
            .iter()
            .map(|e| (e.relpath.clone(), e.md5.clone()))
            .collect(),
        Err(_) if may_use_workspace && out_path.is_dir() => workspace_listing(out_path),
        Err(_) => return Err(not_cached()),
    };
    match inner {
        None => Ok(Located::Dir {
            entries,
            md5: hash.md5.clone(),
        }),
        Some(i) => {
            let md5 = entries
                .iter()
                .find(|(rel, _)| rel == i)
                .map(|(_, m)| m.clone())
                .ok_or_else(|| ApiError::not_found(format!("{shown} is not in this version")))?;
            file_version(repo, &md5, hash.kind, &out_path.join(i), may_use_workspace)
                .ok_or_else(not_cached)
        }
    }
}

fn file_version(
    repo: &Repo,
    md5: &str,
    kind: HashKind,
    workspace: &Path,
    may_use_workspace: bool,
) -> Option<Located> {
    let cached = repo.odb().path(md5, kind);
    if !md5.is_empty() && cached.is_file() {
        return Some(Located::File {
            path: cached,
            md5: Some(md5.to_string()),
            from_cache: true,
        });
    }
    (may_use_workspace && workspace.is_file()).then(|| Located::File {
        path: workspace.to_path_buf(),
        md5: (!md5.is_empty()).then(|| md5.to_string()),
        from_cache: false,
    })
}

/// The files under a work-tree folder (hash unknown), for a current version whose
/// manifest is not cached.
fn workspace_listing(dir: &Path) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            let rel = e.path().strip_prefix(dir).ok()?;
            Some((rel.to_string_lossy().replace('\\', "/"), String::new()))
        })
        .collect();
    out.sort();
    out
}

fn extension(path: &str) -> String {
    Path::new(path)
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default()
}

/// `bytes` of an image file named `path` as a data URL; `None` for what is not an image.
pub(crate) fn image_data_url(path: &str, bytes: &[u8]) -> Option<String> {
    let mime = image_mime(&extension(path))?;
    Some(format!(
        "data:{mime};base64,{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    ))
}

fn image_mime(ext: &str) -> Option<&'static str> {
    Some(match ext {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "svg" => "image/svg+xml",
        "bmp" => "image/bmp",
        _ => return None,
    })
}

fn empty_preview(path: &str, kind: PreviewKind) -> DataPreview {
    DataPreview {
        path: path.to_string(),
        md5: None,
        size: None,
        from_cache: false,
        kind,
        columns: Vec::new(),
        column_types: Vec::new(),
        rows: Vec::new(),
        total_rows: None,
        text: None,
        truncated: false,
        image: None,
        entries: Vec::new(),
        total_entries: 0,
        changes: None,
    }
}

fn render(here: &Located, shown: &str) -> ApiResult<DataPreview> {
    match here {
        Located::Dir { entries, md5 } => {
            let mut p = empty_preview(shown, PreviewKind::Dir);
            p.md5 = Some(md5.clone());
            p.from_cache = true;
            p.total_entries = entries.len() as u64;
            p.truncated = entries.len() > MAX_ENTRIES;
            p.entries = entries
                .iter()
                .take(MAX_ENTRIES)
                .map(|(rel, md5)| PreviewEntry {
                    relpath: rel.clone(),
                    md5: md5.clone(),
                })
                .collect();
            Ok(p)
        }
        Located::File {
            path,
            md5,
            from_cache,
        } => {
            let size = std::fs::metadata(path)
                .map_err(|e| io_error(path, e))?
                .len();
            let ext = extension(shown);
            let mut p = if let Some(format) = table_format(shown) {
                table_preview(path, format, size, shown)?
            } else if image_mime(&ext).is_some() {
                let mut p = empty_preview(shown, PreviewKind::Image);
                if size <= MAX_IMAGE {
                    let bytes = std::fs::read(path).map_err(|e| io_error(path, e))?;
                    p.image = image_data_url(shown, &bytes);
                } else {
                    p.truncated = true;
                }
                p
            } else {
                text_preview(path, shown)?
            };
            p.md5 = md5.clone();
            p.size = Some(size);
            p.from_cache = *from_cache;
            Ok(p)
        }
    }
}

fn text_preview(path: &Path, shown: &str) -> ApiResult<DataPreview> {
    let mut head = Vec::with_capacity(MAX_TEXT + 1);
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_TEXT as u64 + 1).read_to_end(&mut head))
        .map_err(|e| io_error(path, e))?;
    let truncated = head.len() > MAX_TEXT;
    head.truncate(MAX_TEXT);
    // A cut may split a UTF-8 sequence: drop at most the last 3 bytes of it.
    let text = match std::str::from_utf8(&head) {
        Ok(t) => Some(t.to_string()),
        Err(e) if truncated && e.valid_up_to() + 4 > head.len() && e.error_len().is_none() => {
            Some(String::from_utf8_lossy(&head[..e.valid_up_to()]).into_owned())
        }
        Err(_) => None,
    };
    match text.filter(|t| !t.contains('\0')) {
        Some(t) => {
            let mut p = empty_preview(shown, PreviewKind::Text);
            p.text = Some(t);
            p.truncated = truncated;
            Ok(p)
        }
        None => Ok(empty_preview(shown, PreviewKind::Binary)),
    }
}

fn table_preview(
    path: &Path,
    format: TableFormat,
    size: u64,
    shown: &str,
) -> ApiResult<DataPreview> {
    let head = match format {
        TableFormat::Delimited(d) => delimited::head(path, d, MAX_ROWS, size <= MAX_SCAN, shown)?,
        TableFormat::JsonLines => jsonl::head(path, MAX_ROWS, size <= MAX_SCAN, shown)?,
        TableFormat::Parquet => parquet::head(path, MAX_ROWS, shown)?,
    };
    let mut p = empty_preview(shown, PreviewKind::Table);
    p.columns = head.columns;
    p.column_types = head.column_types;
    p.rows = head.rows;
    p.total_rows = head.total_rows;
    p.truncated = head.truncated;
    Ok(p)
}

/// A whole table, for comparing.
fn all_rows(path: &Path, format: TableFormat, shown: &str) -> ApiResult<Table> {
    let size = std::fs::metadata(path)
        .map_err(|e| io_error(path, e))?
        .len();
    if size > MAX_SCAN {
        return Err(ApiError::new(
            ErrorCode::Data,
            format!(
                "{shown}: too large to compare row by row here ({} MiB; up to {} MiB)",
                size >> 20,
                MAX_SCAN >> 20
            ),
        ));
    }
    match format {
        TableFormat::Delimited(d) => delimited::all_rows(path, d, shown),
        TableFormat::JsonLines => jsonl::all_rows(path, shown),
        TableFormat::Parquet => parquet::all_rows(path, MAX_COMPARE_CELLS, shown),
    }
}

/// What `here` has that `there` does not, and the reverse: rows for tables (as
/// multisets: a duplicated row counts twice), files for folders. For tables whose
/// columns differ between the versions, also the columns the compared rows are in.
fn compare(
    here: &Located,
    there: &Located,
    shown: &str,
    against: &str,
) -> ApiResult<(PreviewChanges, Option<Vec<String>>)> {
    let mut columns = None;
    let mut c = PreviewChanges {
        against: against.chars().take(7).collect(),
        added: 0,
        removed: 0,
        added_rows: Vec::new(),
        removed_rows: Vec::new(),
        added_files: Vec::new(),
        removed_files: Vec::new(),
        modified_files: Vec::new(),
    };
    match (here, there) {
        (Located::Dir { entries: a, .. }, Located::Dir { entries: b, .. }) => {
            let old: HashMap<&str, &str> =
                b.iter().map(|(r, m)| (r.as_str(), m.as_str())).collect();
            let new: HashMap<&str, &str> =
                a.iter().map(|(r, m)| (r.as_str(), m.as_str())).collect();
            for (rel, md5) in a {
                match old.get(rel.as_str()) {
                    None => c.added_files.push(rel.clone()),
                    Some(m) if m != md5 && !m.is_empty() && !md5.is_empty() => {
                        c.modified_files.push(rel.clone())
                    }
                    Some(_) => {}
                }
            }
            c.removed_files = b
                .iter()
                .filter(|(rel, _)| !new.contains_key(rel.as_str()))
                .map(|(rel, _)| rel.clone())
                .collect();
            c.added = c.added_files.len() as u64;
            c.removed = c.removed_files.len() as u64;
            for list in [
                &mut c.added_files,
                &mut c.removed_files,
                &mut c.modified_files,
            ] {
                list.truncate(MAX_ENTRIES);
            }
        }
        (Located::File { path: a, .. }, Located::File { path: b, .. })
            if table_format(shown).is_some() =>
        {
            let format = table_format(shown).unwrap_or(TableFormat::Delimited(b','));
            let (new_columns, new_rows) = all_rows(a, format, shown)?;
            let (old_columns, old_rows) = all_rows(b, format, shown)?;
            // A column added, dropped or moved between versions: rows are compared by
            // column name, in the previewed version's columns then the other's.
            let (new_rows, old_rows) = if new_columns == old_columns {
                (new_rows, old_rows)
            } else {
                let mut merged = new_columns.clone();
                merged.extend(
                    old_columns
                        .iter()
                        .filter(|c| !new_columns.contains(c))
                        .cloned(),
                );
                let aligned = (
                    realign(new_rows, &new_columns, &merged),
                    realign(old_rows, &old_columns, &merged),
                );
                columns = Some(merged);
                aligned
            };
            (c.added, c.added_rows) = only_in(&new_rows, &old_rows);
            (c.removed, c.removed_rows) = only_in(&old_rows, &new_rows);
        }
        (Located::File { md5: a, .. }, Located::File { md5: b, .. }) => {
            if a != b {
                c.modified_files.push(String::new());
            }
        }
        _ => {
            c.modified_files.push(String::new());
        }
    }
    Ok((c, columns))
}

/// `rows` (in `from` columns) laid out in `to` columns; a column a version lacks is
/// missing in its rows.
fn realign(rows: Vec<Row>, from: &[String], to: &[String]) -> Vec<Row> {
    let at: Vec<Option<usize>> = to
        .iter()
        .map(|c| from.iter().position(|f| f == c))
        .collect();
    rows.into_iter()
        .map(|r| {
            at.iter()
                .map(|i| i.and_then(|i| r.get(i).cloned().flatten()))
                .collect()
        })
        .collect()
}

/// How many rows of `a` are not in `b`, counting duplicates (a multiset difference),
/// and the first of them.
fn only_in(a: &[Row], b: &[Row]) -> (u64, Vec<Row>) {
    let mut pool: HashMap<&[Option<String>], usize> = HashMap::new();
    for r in b {
        *pool.entry(r.as_slice()).or_default() += 1;
    }
    let mut count = 0;
    let mut first = Vec::new();
    for r in a {
        match pool.get_mut(r.as_slice()) {
            Some(n) if *n > 0 => *n -= 1,
            _ => {
                count += 1;
                if first.len() < MAX_DIFF_ROWS {
                    first.push(r.clone());
                }
            }
        }
    }
    (count, first)
}

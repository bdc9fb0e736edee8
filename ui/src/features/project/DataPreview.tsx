import { useEffect, useState } from "react";
import { call, describeError, toApiError, type DataPreview as Preview, type DataVersion, type TrackedItem } from "../../ipc";
import { Button, Modal, Pill } from "../../components/ui";
import { Icon } from "../../components/Icon";
import { formatBytes } from "../../format";

/** Which version to show and what to compare it with ("" = the work tree's / nothing). */
type Pick = { commit: string; compareTo: string; inner: string | null };

/** One table cell; a missing value (Parquet's null) is shown as such, not as "". */
function Cell(props: { value: string | null }) {
  return props.value === null ? <td className="mono null">null</td> : <td className="mono">{props.value}</td>;
}

/** A look inside tracked data at any version, read from the cache, with a comparison. */
export function DataPreview(props: {
  project: string;
  item: TrackedItem;
  commit?: string;
  /** A stage's output, by its repo-relative path (its versions are in dvc.lock), instead of `item.pointer`. */
  output?: string;
  onClose: () => void;
}) {
  const { project, item, output } = props;
  // An output is found by its path alone, wherever its dvc.lock is.
  const pointer = output ? "" : item.pointer;
  const [pick, setPick] = useState<Pick>({ commit: props.commit ?? "", compareTo: "", inner: null });
  const [versions, setVersions] = useState<DataVersion[]>([]);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    call("data_history", { project, pointer, ...(output ? { output } : {}) })
      .then(setVersions)
      .catch(() => setVersions([]));
  }, [project, pointer, output]);

  useEffect(() => {
    let live = true;
    setError(null);
    call("preview_data", {
      project,
      pointer,
      ...(output ? { output } : {}),
      ...(pick.commit ? { commit: pick.commit } : {}),
      ...(pick.inner ? { inner: pick.inner } : {}),
      ...(pick.compareTo ? { compareTo: pick.compareTo } : {}),
    })
      .then((p) => live && setPreview(p))
      .catch((e) => {
        if (!live) return;
        setPreview(null);
        setError(describeError(toApiError(e)));
      });
    return () => {
      live = false;
    };
  }, [project, pointer, output, pick]);

  return (
    <Modal
      title={`Preview of ${item.path}`}
      icon={item.isDir ? "dir" : "file"}
      onClose={props.onClose}
      testId="preview-dialog"
      wide
      footer={<Button onClick={props.onClose}>Close</Button>}
    >
      <div className="preview-bar">
        <VersionSelect label="Version" none="As tracked now" versions={versions} value={pick.commit} onChange={(commit) => setPick({ ...pick, commit })} aria="Version to preview" />
        <VersionSelect label="Compare with" none="Nothing" versions={versions} value={pick.compareTo} onChange={(compareTo) => setPick({ ...pick, compareTo })} aria="Version to compare with" />
      </div>
      {pick.inner && (
        <div className="preview-crumbs">
          <button className="link" onClick={() => setPick({ ...pick, inner: null })} data-testid="preview-up">
            {item.path}
          </button>
          <span className="muted"> / </span>
          <span className="mono">{pick.inner}</span>
        </div>
      )}
      {error && <p className="form-error">{error}</p>}
      {preview && <PreviewBody preview={preview} onOpen={(inner) => setPick({ ...pick, inner })} />}
    </Modal>
  );
}

function VersionSelect(props: { label: string; none: string; versions: DataVersion[]; value: string; onChange: (commit: string) => void; aria: string }) {
  return (
    <label>
      <span className="muted small">{props.label}</span>
      <select value={props.value} onChange={(e) => props.onChange(e.target.value)} aria-label={props.aria}>
        <option value="">{props.none}</option>
        {props.versions.map((v) => (
          <option key={v.commit.id} value={v.commit.id}>
            {v.commit.summary} · {v.commit.id.slice(0, 7)}
          </option>
        ))}
      </select>
    </label>
  );
}

function PreviewBody({ preview: p, onOpen }: { preview: Preview; onOpen: (inner: string) => void }) {
  const c = p.changes;
  return (
    <div className="preview" data-testid="preview" data-kind={p.kind}>
      <div className="muted small preview-meta">
        {p.md5 && <span className="mono">{p.md5.replace(/\.dir$/, "").slice(0, 8)}</span>}
        {p.size != null && <span>{formatBytes(p.size)}</span>}
        {p.kind === "table" && p.totalRows != null && <span>{p.totalRows.toLocaleString("en-US")} rows</span>}
        {p.kind === "dir" && <span>{p.totalEntries.toLocaleString("en-US")} files</span>}
        {!p.fromCache && <Pill tone="stale" title="This version is not in the cache; showing the work tree's copy">work tree copy</Pill>}
      </div>
      {c && (
        <div className="preview-changes" data-testid="preview-changes">
          {p.kind === "table" ? (
            <>
              <b className="added">+{c.added.toLocaleString("en-US")}</b> rows, <b className="removed">−{c.removed.toLocaleString("en-US")}</b> rows compared
              with {c.against}
            </>
          ) : p.kind === "dir" ? (
            <>
              <b className="added">+{c.addedFiles.length}</b> files, <b className="removed">−{c.removedFiles.length}</b>, {c.modifiedFiles.length} changed compared
              with {c.against}
            </>
          ) : (
            <>{c.modifiedFiles.length ? "Differs from" : "Same as"} {c.against}</>
          )}
        </div>
      )}
      {p.kind === "table" && (
        <div className="preview-table-wrap">
          <table className="table preview-table">
            <thead>
              <tr>
                {c && <th />}
                {p.columns.map((h, i) => (
                  <th key={i}>
                    {h}
                    {p.columnTypes[i] && <span className="col-type">{p.columnTypes[i]}</span>}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {c?.addedRows.map((r, i) => (
                <tr key={`a${i}`} className="row-added" data-testid="row-added">
                  <td className="diff-mark">+</td>
                  {r.map((v, j) => (
                    <Cell key={j} value={v} />
                  ))}
                </tr>
              ))}
              {c?.removedRows.map((r, i) => (
                <tr key={`r${i}`} className="row-removed" data-testid="row-removed">
                  <td className="diff-mark">−</td>
                  {r.map((v, j) => (
                    <Cell key={j} value={v} />
                  ))}
                </tr>
              ))}
              {!c &&
                p.rows.map((r, i) => (
                  <tr key={i}>
                    {r.map((v, j) => (
                      <Cell key={j} value={v} />
                    ))}
                  </tr>
                ))}
            </tbody>
          </table>
          {!c && p.truncated && (
            <p className="muted small">
              The first {p.rows.length} of {p.totalRows != null ? p.totalRows.toLocaleString("en-US") : "many"} rows.
            </p>
          )}
        </div>
      )}
      {p.kind === "text" && (
        <pre className="preview-text" data-testid="preview-text">
          {p.text}
          {p.truncated ? "\n…" : ""}
        </pre>
      )}
      {p.kind === "image" &&
        (p.image ? <img className="preview-image" src={p.image} alt={p.path} /> : <p className="muted">Too large to show here.</p>)}
      {p.kind === "binary" && <p className="muted">Not text, a table or an image: only its size and hash are shown.</p>}
      {p.kind === "dir" && (
        <ul className="preview-files" data-testid="preview-files">
          {p.entries.map((e) => {
            const state = c?.addedFiles.includes(e.relpath) ? "added" : c?.modifiedFiles.includes(e.relpath) ? "modified" : "";
            return (
              <li key={e.relpath} className={state}>
                <button className="link mono" onClick={() => onOpen(e.relpath)}>
                  <Icon name="file" size={13} /> {e.relpath}
                </button>
                {state && <Pill tone={state === "added" ? "ok" : "stale"}>{state}</Pill>}
              </li>
            );
          })}
          {c?.removedFiles.map((f) => (
            <li key={`-${f}`} className="removed">
              <span className="mono">
                <Icon name="file" size={13} /> {f}
              </span>
              <Pill tone="failed">removed</Pill>
            </li>
          ))}
          {p.truncated && <li className="muted small">… and {(p.totalEntries - p.entries.length).toLocaleString("en-US")} more</li>}
        </ul>
      )}
    </div>
  );
}

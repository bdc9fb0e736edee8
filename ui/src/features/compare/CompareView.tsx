import { useEffect, useMemo, useState } from "react";
import { call, toApiError, type ApiError, type ProjectsComparison } from "../../ipc";
import { Button, ErrorBox, Pill } from "../../components/ui";
import { Icon } from "../../components/Icon";
import { notify } from "../../components/toast";
import { relativeTime } from "../../format";
import { statLabel, tableTsv, visibleColumns, type SortKey } from "../experiments/model";
import { asView, rowKey, sortCompared } from "./model";
import "../experiments/experiments.css";
import "./compare.css";

function created(ts: string | null): string {
  if (!ts) return "—";
  const t = Date.parse(ts);
  return Number.isNaN(t) ? ts : relativeTime(t, Date.now(), true);
}

/**
 * Several projects' results in one table: each project's `HEAD` (its work tree too when
 * it holds results not committed yet) and, if asked, its experiments, with the same
 * param or metric of every project in one column. Sortable across projects; a project's
 * name opens its Experiments tab.
 */
export function CompareView(props: { projects: string[]; onOpen: (path: string) => void; onBack: () => void }) {
  const { projects } = props;
  const [data, setData] = useState<ProjectsComparison | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [experiments, setExperiments] = useState(false);
  const [onlyChanged, setOnlyChanged] = useState(true);
  const [sort, setSort] = useState<SortKey>(null);

  useEffect(() => {
    let live = true;
    call("compare_projects", { projects, ...(experiments ? { experiments: true } : {}) })
      .then((d) => {
        if (!live) return;
        setData(d);
        setError(null);
      })
      .catch((e) => live && setError(toApiError(e)));
    return () => {
      live = false;
    };
  }, [projects, experiments]);

  const view = useMemo(() => (data ? asView(data) : null), [data]);
  const columns = useMemo(() => (view ? visibleColumns(view, onlyChanged) : []), [view, onlyChanged]);
  const rows = useMemo(() => (data ? sortCompared(data.rows, sort) : []), [data, sort]);
  const names = useMemo(() => Object.fromEntries((data?.projects ?? []).map((p) => [p.path, p.name])), [data]);

  const sortBy = (column: number) =>
    setSort((s) => (s?.column === column ? (s.descending ? { column, descending: false } : null) : { column, descending: true }));
  const copyTable = () => {
    if (!view) return;
    const text = tableTsv(
      view,
      rows.map((r) => r.row),
      columns,
      { title: "Project", of: (_, i) => names[rows[i]?.project ?? ""] ?? "" },
    );
    Promise.resolve()
      .then(() => navigator.clipboard.writeText(text))
      .then(() => notify("ok", rows.length === 1 ? "Copied 1 row" : `Copied ${rows.length} rows`))
      .catch((e: unknown) => notify("error", `Could not copy the table: ${e instanceof Error ? e.message : String(e)}`));
  };
  const failed = data?.projects.filter((p) => p.error) ?? [];

  return (
    <div className="page compare-page" data-testid="compare">
      <header className="page-head">
        <div>
          <h1>Compare projects</h1>
          <p className="muted">
            {data ? data.projects.map((p) => p.name).join(" · ") : `${projects.length} projects`} — the same param or metric
            of each project in one column.
          </p>
        </div>
        <div className="head-actions">
          <Button icon="home" onClick={props.onBack} testId="compare-back">
            Projects
          </Button>
          <Button onClick={copyTable} disabled={!data} title="Copy the rows and columns shown, tab-separated, to paste into a spreadsheet" testId="compare-copy">
            Copy table
          </Button>
        </div>
      </header>
      {error && <ErrorBox error={error} />}
      {failed.map((p) => (
        <div className="banner" key={p.path} data-testid="compare-problem">
          <ErrorBox error={{ code: "not_found", message: `${p.name} is left out: ${p.error ?? ""}` }} />
        </div>
      ))}
      <div className="exp-viewbar compare-viewbar">
        <label className="check" title="Each project's experiments too, not only what is committed">
          <input type="checkbox" checked={experiments} onChange={(e) => setExperiments(e.target.checked)} data-testid="compare-experiments" />
          Experiments too
        </label>
        <label className="check" title="Hide params that are the same in every row">
          <input type="checkbox" checked={onlyChanged} onChange={(e) => setOnlyChanged(e.target.checked)} data-testid="compare-only-changed" />
          Only changed params
        </label>
        <span className="muted" data-testid="compare-count">
          {rows.length === 1 ? "1 row" : `${rows.length} rows`}
        </span>
      </div>
      {!data && !error && <div className="page-loading">Loading…</div>}
      {view && (
        <div className="exp-table-wrap compare-table-wrap" data-testid="compare-table">
          <table className="table exp-table">
            <thead>
              <tr>
                <th className="exp-name-col">Project</th>
                <th>Row</th>
                <th>Created</th>
                {columns.map((i) => {
                  const c = view.columns[i];
                  if (!c) return null;
                  const stat = c.stat ? statLabel(c.stat) : null;
                  return (
                    <th
                      key={i}
                      className={`num sortable ${c.kind}`}
                      title={`${c.file}: ${c.key} — click to sort`}
                      onClick={() => sortBy(i)}
                      data-testid={`compare-col-${c.kind}-${c.key}`}
                    >
                      <span className="col-file">{stat ?? c.file}</span>
                      <span className="col-key">
                        {c.key}
                        {sort?.column === i && <Icon name="chevron" size={11} className={`sort-arrow ${sort.descending ? "down" : "up"}`} />}
                      </span>
                    </th>
                  );
                })}
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={rowKey(r)} className={`exp-row ${r.row.kind}`} data-testid="compare-row" data-project={names[r.project]} data-kind={r.row.kind}>
                  <td className="exp-name-col">
                    <button className="link-btn compare-project" title={`Open ${r.project}`} onClick={() => props.onOpen(r.project)}>
                      {names[r.project] ?? r.project}
                    </button>
                  </td>
                  <td>
                    <span className={r.row.kind === "experiment" ? "mono" : ""}>{r.row.name}</span>{" "}
                    {r.row.kind !== "experiment" && <Pill tone="neutral">{r.row.kind === "workspace" ? "uncommitted" : "HEAD"}</Pill>}
                    {r.row.error && <Icon name="alert" size={13} className="fail-msg" />}
                  </td>
                  <td className="muted small">{created(r.row.created)}</td>
                  {columns.map((i) => {
                    const v = r.row.values[i];
                    return (
                      <td key={i} className="num mono">
                        {v?.text ?? <span className="muted">—</span>}
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

import { useEffect, useMemo, useState } from "react";
import { call, toApiError, type ApiError, type ProjectsComparison, type RevSeriesView } from "../../ipc";
import { Button, Empty, ErrorBox, Pill } from "../../components/ui";
import { Icon } from "../../components/Icon";
import { createdLabel } from "../../format";
import { alignSeries, colours, metricNames, statLabel, tableCells, visibleColumns, type SortKey } from "../experiments/model";
import { ChartLegend, MetricChart } from "../experiments/MetricChart";
import { CopyMenu } from "../experiments/CopyMenu";
import { asView, rowKey, seriesRequests, sortCompared } from "./model";
import "../experiments/experiments.css";
import "./compare.css";

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
  // Charted rows by `rowKey`; each project's HEAD at first.
  const [selected, setSelected] = useState<string[] | null>(null);
  const [series, setSeries] = useState<RevSeriesView[]>([]);

  useEffect(() => {
    let live = true;
    call("compare_projects", { projects, ...(experiments ? { experiments: true } : {}) })
      .then((d) => {
        if (!live) return;
        setData(d);
        setError(null);
        setSelected((s) => s?.filter((k) => d.rows.some((r) => rowKey(r) === k)) ?? d.rows.filter((r) => r.row.kind === "baseline").map(rowKey));
      })
      .catch((e) => live && setError(toApiError(e)));
    return () => {
      live = false;
    };
  }, [projects, experiments]);

  // Step series of the charted rows, asked of each project and keyed like the rows.
  useEffect(() => {
    if (!data || !selected || selected.length === 0) {
      setSeries([]);
      return;
    }
    let live = true;
    Promise.all(
      seriesRequests(data.rows, selected).map(({ project, revs }) =>
        call("metric_series", { project, revs: revs.map((r) => r.id), names: [], width: 600 }).then((got) =>
          got.map((s) => ({ ...s, rev: revs.find((r) => r.id === s.rev)?.key ?? s.rev })),
        ),
      ),
    )
      .then((all) => live && setSeries(all.flat()))
      .catch(() => live && setSeries([]));
    return () => {
      live = false;
    };
  }, [data, selected]);
  const view = useMemo(() => (data ? asView(data) : null), [data]);
  const columns = useMemo(() => (view ? visibleColumns(view, onlyChanged) : []), [view, onlyChanged]);
  const rows = useMemo(() => (data ? sortCompared(data.rows, sort) : []), [data, sort]);
  const names = useMemo(() => Object.fromEntries((data?.projects ?? []).map((p) => [p.path, p.name])), [data]);

  const sortBy = (column: number) =>
    setSort((s) => (s?.column === column ? (s.descending ? { column, descending: false } : null) : { column, descending: true }));
  const failed = data?.projects.filter((p) => p.error) ?? [];
  const charted = selected ?? [];
  const colourOf = colours(charted);
  const labelOf = (key: string) => {
    const r = data?.rows.find((x) => rowKey(x) === key);
    return r ? `${names[r.project] ?? r.project} · ${r.row.name}` : key;
  };
  const lines = charted.map((k) => ({ label: labelOf(k), colour: colourOf[k] ?? "#888" }));
  const toggle = (key: string) => setSelected((s) => (s?.includes(key) ? s.filter((x) => x !== key) : [...(s ?? []), key]));

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
          <CopyMenu
            cells={() =>
              view
                ? tableCells(
                    view,
                    rows.map((r) => r.row),
                    columns,
                    { title: "Project", of: (_, i) => names[rows[i]?.project ?? ""] ?? "" },
                  )
                : []
            }
            done={rows.length === 1 ? "Copied 1 row" : `Copied ${rows.length} rows`}
            disabled={!data}
            testId="compare-copy"
          />
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
                    <span className="exp-name">
                      <input type="checkbox" checked={charted.includes(rowKey(r))} onChange={() => toggle(rowKey(r))} aria-label={`Chart ${labelOf(rowKey(r))}`} data-testid="compare-select" />
                      <span className="swatch" style={{ background: charted.includes(rowKey(r)) ? colourOf[rowKey(r)] : "transparent" }} />
                      <button className="link-btn compare-project" title={`Open ${r.project}`} onClick={() => props.onOpen(r.project)}>
                        {names[r.project] ?? r.project}
                      </button>
                    </span>
                  </td>
                  <td>
                    <span className={r.row.kind === "experiment" ? "mono" : ""}>{r.row.name}</span>{" "}
                    {r.row.kind !== "experiment" && <Pill tone="neutral">{r.row.kind === "workspace" ? "uncommitted" : "HEAD"}</Pill>}
                    {r.row.error && <Icon name="alert" size={13} className="fail-msg" />}
                  </td>
                  <td className="muted small">{createdLabel(r.row.created)}</td>
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
      {view && <ComparedCharts series={series} keys={charted} lines={lines} />}
    </div>
  );
}

/** The charted rows' step series, one chart per series name, across projects. */
function ComparedCharts(props: { series: RevSeriesView[]; keys: string[]; lines: { label: string; colour: string }[] }) {
  const { series, keys, lines } = props;
  const charts = useMemo(() => metricNames(series).map((name) => ({ name, data: alignSeries(series, keys, name) })), [series, keys]);
  return (
    <section className="exp-charts compare-charts" data-testid="compare-charts">
      <div className="exp-charts-head">
        <h2>Metrics over steps</h2>
        <ChartLegend lines={lines} />
      </div>
      {keys.length === 0 ? (
        <Empty icon="graph" title="Nothing selected">
          <p className="muted">Tick rows to chart their step series side by side, whichever project they come from.</p>
        </Empty>
      ) : charts.length === 0 ? (
        <p className="muted">The selected rows have no step series (DVCLive plots).</p>
      ) : (
        <div className="chart-grid">
          {charts.map((c) => (
            <MetricChart key={c.name} title={c.name} data={c.data} lines={lines} />
          ))}
        </div>
      )}
    </section>
  );
}

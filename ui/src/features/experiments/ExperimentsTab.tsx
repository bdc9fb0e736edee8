import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useVirtualizer } from "@tanstack/react-virtual";
import { call, toApiError, type ApiError, type ExperimentsView, type ModelsView, type RevImagesView, type RevSeriesView } from "../../ipc";
import { Empty, ErrorBox, Pill } from "../../components/ui";
import { Icon } from "../../components/Icon";
import { createdLabel } from "../../format";
import { useEvents } from "../useEvents";
import { Button } from "../../components/ui";
import type { ExperimentRequest } from "../project/ProjectView";
import { ChartLegend, MetricChart } from "./MetricChart";
import { NewExperiment } from "./NewExperiment";
import { ExpRowMenu } from "./ExpActions";
import { ColumnPicker } from "./ColumnPicker";
import { CopyMenu } from "./CopyMenu";
import { GroupRow } from "./GroupRow";
import { DerivedDialog } from "./DerivedDialog";
import { PivotDialog } from "./PivotDialog";
import { ParallelDialog } from "./ParallelDialog";
import { ModelsDialog } from "./ModelsDialog";
import { QueueLogDialog } from "./QueueLogDialog";
import { registryMayHaveChanged, versionsByCommit, versionText } from "./models";
import { PlotImages } from "./PlotImages";
import { parseDerived, withDerived, type Derived, type ViewColumn } from "./formula";
import {
  aggregateChart,
  alignSeries,
  colours,
  columnId,
  commitTrends,
  differs,
  groupChartLines,
  HISTORY_MODES,
  importedCounts,
  MAX_SMOOTHING,
  metricNames,
  nextSelection,
  parseHidden,
  parseHistory,
  parseSeriesMode,
  parseSmoothing,
  SERIES_MODES,
  seriesCellTitle,
  SOURCES,
  seriesStats,
  sortRows,
  statLabel,
  tableEntries,
  tableCells,
  visibleColumns,
  type SeriesMode,
  type SortKey,
} from "./model";
import "./experiments.css";

const ROW_HEIGHT = 34;
/** Rows charted when the tab opens: workspace, baseline and the newest experiments. */
const FIRST_SELECTED = 5;
/** Which other tracker a read-only row comes from. */
function SourcePill({ source }: { source: string }) {
  const known = SOURCES[source];
  return (
    <Pill tone="neutral" title={known?.title}>
      {known?.label ?? source}
    </Pill>
  );
}

const STATUS_TONE: Record<string, string> = { queued: "neutral", running: "running", failed: "failed" };
/** Where the smoothing slider's value is kept between sessions. */
const SMOOTHING_KEY = "cairn.smoothing";
/** Where the step-series column choice (and the chosen step) are kept. */
const SERIES_MODE_KEY = "cairn.seriesMode";
const SERIES_STEP_KEY = "cairn.seriesStep";
/** Where each project's hidden columns are kept (a JSON list of column ids). */
const hiddenKey = (project: string) => `cairn.hiddenColumns:${project}`;
/** Where each project's derived columns (name and formula) are kept. */
const derivedKey = (project: string) => `cairn.derived:${project}`;
/** Where each project's history choice (HEAD, last commits, branches) is kept. */
const historyKey = (project: string) => `cairn.history:${project}`;
/** The line of the commit trend charts. */
const TREND_LINE = [{ label: "committed", colour: "#4f5ef0" }];

function readStored(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null; // storage unavailable
  }
}

function store(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // storage unavailable or full: the choice still holds for this session
  }
}

/** ISO local time as DVC prints it → relative, for the Created column. */
/** `set` with `value` added, or removed if it was there. */
function toggled(set: ReadonlySet<string>, value: string): Set<string> {
  const next = new Set(set);
  if (!next.delete(value)) next.add(value);
  return next;
}


export function ExperimentsTab(props: { project: string; running: boolean; onRunExperiment: (req: ExperimentRequest) => Promise<void> }) {
  const { project } = props;
  const [creating, setCreating] = useState(false);
  // The table as the API sent it; `view` below adds the derived columns.
  const [apiView, setView] = useState<ExperimentsView | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [selected, setSelected] = useState<string[] | null>(null);
  const [onlyChanged, setOnlyChanged] = useState(true);
  const [sort, setSort] = useState<SortKey>(null);
  // The row every other row is compared with; each row's own baseline when none.
  const [reference, setReference] = useState<string | null>(null);
  const [filter, setFilter] = useState("");
  const [series, setSeries] = useState<RevSeriesView[]>([]);
  const [images, setImages] = useState<RevImagesView[]>([]);
  const [seriesVersion, setSeriesVersion] = useState(0);
  const [smoothing, setSmoothing] = useState(() => parseSmoothing(readStored(SMOOTHING_KEY)));
  const [seriesMode, setSeriesMode] = useState<SeriesMode>(() => parseSeriesMode(readStored(SERIES_MODE_KEY)));
  const [seriesStep, setSeriesStep] = useState(() => readStored(SERIES_STEP_KEY) ?? "");
  const stats = useMemo(() => seriesStats(seriesMode, seriesStep), [seriesMode, seriesStep]);
  const [hiddenList, setHiddenList] = useState<string[]>(() => parseHidden(readStored(hiddenKey(project))));
  const hidden = useMemo(() => new Set(hiddenList), [hiddenList]);
  // Grouping column by identity (indices move on reload), and which groups are open.
  const [groupBy, setGroupBy] = useState<string | null>(null);
  const [openGroups, setOpenGroups] = useState<Set<string>>(new Set());
  useEffect(() => setHiddenList(parseHidden(readStored(hiddenKey(project)))), [project]);
  const [derived, setDerived] = useState<Derived[]>(() => parseDerived(readStored(derivedKey(project))));
  useEffect(() => setDerived(parseDerived(readStored(derivedKey(project)))), [project]);
  const [editingDerived, setEditingDerived] = useState(false);
  const [pivoting, setPivoting] = useState(false);
  const [paralleling, setParalleling] = useState(false);
  const [models, setModels] = useState<ModelsView | null>(null);
  const [showingModels, setShowingModels] = useState(false);
  const [logOf, setLogOf] = useState<string | null>(null);
  const withFormulas = useMemo(() => (apiView ? withDerived(apiView, derived) : null), [apiView, derived]);
  const view = withFormulas?.view ?? null;
  const [historyId, setHistoryId] = useState(() => parseHistory(readStored(historyKey(project))));
  useEffect(() => setHistoryId(parseHistory(readStored(historyKey(project)))), [project]);
  const history = useMemo(() => (HISTORY_MODES.find((m) => m.id === historyId) ?? HISTORY_MODES[0])?.history, [historyId]);
  // Set when the step-series choice changes: the new columns (past the metrics) are
  // scrolled into view once they arrive.
  const revealSeries = useRef(false);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const scroller = useRef<HTMLDivElement>(null);

  // Only the newest request's answer lands (reloads overlap while files change).
  const latest = useRef(0);
  // Row ids of the last answer: experiments that appear later are charted at once.
  const known = useRef<Set<string> | null>(null);
  const load = useCallback(() => {
    const ticket = ++latest.current;
    const more = history && (history.commits > 1 || history.allBranches) ? { commits: history.commits, allBranches: history.allBranches } : {};
    call("list_experiments", { project, ...(stats.length > 0 ? { series: stats } : {}), ...more })
      .then((v) => {
        if (ticket !== latest.current) return;
        setView(v);
        setError(null);
        // Read now: React runs the updater later, after `known` moved on.
        const before = known.current;
        setSelected((s) => nextSelection(s, before, v.rows, FIRST_SELECTED));
        known.current = new Set(v.rows.map((r) => r.id));
        setSeriesVersion((n) => n + 1);
      })
      .catch((e) => ticket === latest.current && setError(toApiError(e)));
  }, [project, stats, history]);

  useEffect(load, [load]);
  // A reload scheduled by an event runs the newest `load`: one captured earlier would
  // ask for the columns chosen before (and, being the newest request, win).
  const latestLoad = useRef(load);
  useEffect(() => {
    latestLoad.current = load;
  }, [load]);

  // Live: metrics files change while training runs; reload (debounced) as they do.
  // The model registry (git tags, dvc.yaml's artifacts) is read again only when refs or
  // a dvc.yaml move, not with every metrics file a training run rewrites.
  const [modelsVersion, setModelsVersion] = useState(0);
  useEvents((e) => {
    if (!("project" in e) || e.project !== project) return;
    if (e.type === "files_changed" || e.type === "run_finished") {
      if (timer.current) clearTimeout(timer.current);
      timer.current = setTimeout(() => latestLoad.current(), 300);
    }
    if (e.type === "files_changed" && registryMayHaveChanged(e.paths)) setModelsVersion((n) => n + 1);
  });

  useEffect(() => {
    let live = true;
    call("list_models", { project })
      .then((m) => live && setModels(m))
      .catch(() => live && setModels(null));
    return () => {
      live = false;
    };
  }, [project, modelsVersion]);
  const modelVersions = useMemo(() => versionsByCommit(models), [models]);

  const revs = useMemo(() => selected ?? [], [selected]);
  useEffect(() => {
    if (revs.length === 0) {
      setSeries([]);
      setImages([]);
      return;
    }
    let live = true;
    call("metric_series", { project, revs, names: [], width: 600 })
      .then((s) => live && setSeries(s))
      .catch(() => live && setSeries([]));
    call("plot_images", { project, revs })
      .then((i) => live && setImages(i))
      .catch(() => live && setImages([]));
    return () => {
      live = false;
    };
  }, [project, revs, seriesVersion]);

  const columns = useMemo(() => (view ? visibleColumns(view, onlyChanged, hidden) : []), [view, onlyChanged, hidden]);
  const rows = useMemo(() => {
    if (!view) return [];
    const needle = filter.trim().toLowerCase();
    // The filter matches names and notes.
    const shown = needle
      ? view.rows.filter((r) => r.kind !== "experiment" || r.name.toLowerCase().includes(needle) || !!r.note?.toLowerCase().includes(needle))
      : view.rows;
    return sortRows(shown, sort);
  }, [view, sort, filter]);
  const groupColumn = useMemo(() => {
    const i = view && groupBy ? view.columns.findIndex((c) => columnId(c) === groupBy) : -1;
    return i >= 0 ? i : null;
  }, [view, groupBy]);
  const entries = useMemo(() => tableEntries(rows, groupColumn, openGroups), [rows, groupColumn, openGroups]);
  // Grouped, each group is one line in the charts (its runs' mean, ± deviation band).
  const chartLines = useMemo(
    () => (view && groupColumn !== null ? groupChartLines(view.rows, revs, groupColumn, view.columns[groupColumn]?.key ?? "") : null),
    [view, revs, groupColumn],
  );
  const colourOf = useMemo(
    () => (chartLines ? Object.fromEntries(chartLines.flatMap((l) => l.members.map((m) => [revs[m] ?? "", l.colour]))) : colours(revs)),
    [chartLines, revs],
  );
  // One chart per metric; memoized so a re-render (typing in the filter, moving the
  // smoothing slider) hands the charts the same points and keeps their zoom.
  const charts = useMemo(
    () =>
      metricNames(series).map((name) => {
        const data = alignSeries(series, revs, name);
        return chartLines ? { name, ...aggregateChart(data, chartLines) } : { name, data, bands: [] };
      }),
    [series, revs, chartLines],
  );
  // Memoized like `charts`: new arrays on every render would reset the charts' zoom.
  const trends = useMemo(() => (view ? commitTrends(view, columns) : { labels: [], charts: [] }), [view, columns]);
  useEffect(() => {
    const wrap = scroller.current;
    const ths = wrap?.querySelectorAll("th.series");
    const last = ths?.[ths.length - 1];
    if (!revealSeries.current || !wrap || !last) return;
    revealSeries.current = false;
    // By hand: `scrollIntoView` ignores the sticky header cells in some engines.
    const beyond = last.getBoundingClientRect().right - wrap.getBoundingClientRect().right;
    if (beyond > 0) wrap.scrollLeft += beyond + 12;
  }, [view]);
  useEffect(() => store(SMOOTHING_KEY, String(smoothing)), [smoothing]);
  useEffect(() => store(SERIES_MODE_KEY, seriesMode), [seriesMode]);
  useEffect(() => store(SERIES_STEP_KEY, seriesStep), [seriesStep]);
  const chooseDerived = (d: Derived[]) => {
    setDerived(d);
    store(derivedKey(project), JSON.stringify(d));
  };
  const chooseHidden = (ids: string[]) => {
    setHiddenList(ids);
    store(hiddenKey(project), JSON.stringify(ids));
  };

  const virtual = useVirtualizer({
    count: entries.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });

  if (error)
    return (
      <div className="banner">
        <ErrorBox error={error} />
      </div>
    );
  if (!view) return <div className="page-loading">Loading…</div>;

  const toggle = (id: string) => setSelected((s) => (s?.includes(id) ? s.filter((x) => x !== id) : [...(s ?? []), id]));
  const selectMany = (ids: string[], on: boolean) =>
    setSelected((s) => (on ? [...(s ?? []), ...ids.filter((id) => !s?.includes(id))] : (s ?? []).filter((x) => !ids.includes(x))));
  // Params some row changes: grouping by one nobody changed would make one group.
  const changing = new Set(visibleColumns(view, true));
  const groupable = view.columns.map((c, i) => ({ c, i })).filter(({ c, i }) => c.kind === "param" && changing.has(i));
  const sortBy = (column: number) =>
    setSort((s) => (s?.column === column ? (s.descending ? { column, descending: false } : null) : { column, descending: true }));
  const experiments = view.rows.filter((r) => r.kind === "experiment" && !r.source).length;
  const imported = importedCounts(view.rows);
  // One line per charted revision, in the order of the y arrays `alignSeries` gives.
  const lines = chartLines
    ? chartLines.map(({ label, colour }) => ({ label, colour }))
    : revs.map((id) => ({ label: view.rows.find((r) => r.id === id)?.name ?? id, colour: colourOf[id] ?? "#888" }));
  const baselines = view.rows.filter((r) => r.kind === "baseline");
  const items = virtual.getVirtualItems();
  const padTop = items[0]?.start ?? 0;
  const padBottom = virtual.getTotalSize() - (items[items.length - 1]?.end ?? 0);

  return (
    <div className="exp-tab">
      <div className="exp-toolbar">
        <span className="muted" data-testid="exp-count">
          {experiments === 1 ? "1 experiment" : `${experiments} experiments`} on{" "}
          {baselines.length > 1 ? `${baselines.length} commits` : (baselines[0]?.name ?? "HEAD")}
          {imported.map((n) => ` · ${n}`).join("")}
        </span>
        <label className="search small-search">
          <Icon name="search" size={14} />
          <input value={filter} onChange={(e) => setFilter(e.target.value)} placeholder="Filter experiments" data-testid="exp-filter" />
        </label>
        <span className="grow" />
        <Button
          icon="graph"
          onClick={() => setPivoting(true)}
          disabled={groupable.length === 0}
          title={groupable.length === 0 ? "Pivot needs experiments whose params differ" : "One param down, another across, a metric's mean in each cell"}
          testId="pivot-open"
        >
          Pivot
        </Button>
        <Button
          icon="graph"
          onClick={() => setParalleling(true)}
          disabled={rows.length < 2}
          title="An axis per param and metric, a line per row: drag along an axis to keep a range"
          testId="parallel-open"
        >
          Parallel
        </Button>
        {models && models.models.length > 0 && (
          <Button icon="graph" onClick={() => setShowingModels(true)} title="Registered model versions and the stage each is in (GTO's git tags)" testId="models-open">
            Models
          </Button>
        )}
        <Button icon="plus" onClick={() => setEditingDerived(true)} title="A column computed from others: accuracy / train.epochs, [train/loss] * 100…" testId="derived-open">
          Formula
        </Button>
        <CopyMenu cells={() => tableCells(view, rows, columns)} done={rows.length === 1 ? "Copied 1 row" : `Copied ${rows.length} rows`} testId="copy-table" />
        <Button
          kind="primary"
          icon="play"
          onClick={() => setCreating(true)}
          disabled={props.running || !view.columns.some((c) => c.kind === "param")}
          title={props.running ? "A run is in progress" : "Run the pipeline with changed params and record it"}
          testId="new-experiment-open"
        >
          New experiment
        </Button>
      </div>
      <div className="exp-viewbar" data-testid="exp-viewbar">
        <label className="check" title="Older commits (and other branches) as more baselines, each with its own experiments, and their metrics charted across commits">
          History
          <select
            value={historyId}
            onChange={(e) => {
              const id = parseHistory(e.target.value);
              setHistoryId(id);
              store(historyKey(project), id);
            }}
            aria-label="History"
            data-testid="history"
          >
            {HISTORY_MODES.map((m) => (
              <option key={m.id} value={m.id}>
                {m.label}
              </option>
            ))}
          </select>
        </label>
        <label className="check" title="Hide params that are the same in every row">
          <input type="checkbox" checked={onlyChanged} onChange={(e) => setOnlyChanged(e.target.checked)} data-testid="only-changed" />
          Only changed params
        </label>
        <label className="check" title="A column per step series (DVCLive plots) with its lowest or highest value and the step that reached it, or its value at one step — the best epoch, not only the last">
          Step series
          <select value={seriesMode} aria-label="Step series" onChange={(e) => {
              revealSeries.current = true;
              setSeriesMode(parseSeriesMode(e.target.value));
            }} data-testid="series-mode">
            {SERIES_MODES.map((m) => (
              <option key={m.mode} value={m.mode}>
                {m.label}
              </option>
            ))}
          </select>
          {seriesMode === "at" && (
            <input
              className="series-step"
              type="number"
              min={0}
              step={1}
              value={seriesStep}
              onChange={(e) => {
                revealSeries.current = true;
                setSeriesStep(e.target.value);
              }}
              placeholder="step"
              aria-label="Step"
              data-testid="series-step"
            />
          )}
        </label>
        <label className="check" title="Put experiments with the same value of a param together: each group shows its metrics' mean ± deviation (repeated seeds, one line)">
          Group by
          <select
            value={groupBy ?? ""}
            onChange={(e) => {
              setGroupBy(e.target.value || null);
              setOpenGroups(new Set());
            }}
            aria-label="Group by"
            data-testid="group-by"
          >
            <option value="">None</option>
            {groupable.map(({ c }) => (
              <option key={columnId(c)} value={columnId(c)}>
                {c.key}
              </option>
            ))}
          </select>
        </label>
        {withFormulas && withFormulas.problems.length > 0 && (
          <span className="fail-msg small" data-testid="derived-problems" title={withFormulas.problems.map((p) => `${p.name}: ${p.message}`).join("\n")}>
            <Icon name="alert" size={13} /> {withFormulas.problems.map((p) => p.name).join(", ")}: formula no longer fits the table
          </span>
        )}
        <ColumnPicker view={view} hidden={hidden} onChange={chooseHidden} />
      </div>
      {pivoting && <PivotDialog view={view} rows={rows} params={groupable.map(({ i }) => i)} onClose={() => setPivoting(false)} />}
      {logOf && <QueueLogDialog project={project} id={logOf} onClose={() => setLogOf(null)} />}
      {showingModels && models && <ModelsDialog project={project} view={models} onChange={setModels} onClose={() => setShowingModels(false)} />}
      {paralleling && (
        <ParallelDialog view={view} rows={rows} params={groupable.map(({ i }) => i)} onChart={(ids) => setSelected(ids)} onClose={() => setParalleling(false)} />
      )}
      {editingDerived && apiView && (
        <DerivedDialog view={apiView} derived={derived} onChange={chooseDerived} onClose={() => setEditingDerived(false)} />
      )}
      {creating && <NewExperiment view={view} onRun={props.onRunExperiment} onClose={() => setCreating(false)} />}
      {experiments === 0 && (
        <p className="muted exp-hint">
          No experiments yet. Press <b>New experiment</b> to run the pipeline with other params (or use{" "}
          <code>cairn exp run -S key=value</code> in a terminal) — each is recorded here, and in <code>dvc exp show</code>,
          next to this baseline.
        </p>
      )}
      <div className="exp-table-wrap" ref={scroller} data-testid="exp-table">
        <table className="table exp-table">
          <thead>
            <tr>
              <th className="exp-name-col">Experiment</th>
              <th>Created</th>
              {columns.map((i) => {
                const c: ViewColumn | undefined = view.columns[i];
                if (!c) return null;
                const active = sort?.column === i;
                const stat = c.stat ? statLabel(c.stat) : null;
                return (
                  <th
                    key={i}
                    className={`num sortable ${c.kind} ${c.formula ? "derived" : ""}`}
                    title={c.formula ? `${c.key} = ${c.formula} — click to sort` : `${stat ? `${stat} of ${c.key} in ` : ""}${c.file}${stat ? "" : `: ${c.key}`} — click to sort`}
                    onClick={() => sortBy(i)}
                    data-testid={c.formula ? `col-derived-${c.key}` : stat ? `col-series-${c.key}-${stat}` : `col-${c.kind}-${c.key}`}
                  >
                    <span className="col-file">{c.formula ? `= ${c.formula}` : (stat ?? c.file)}</span>
                    <span className="col-key">
                      {c.key}
                      {active && <Icon name="chevron" size={11} className={`sort-arrow ${sort.descending ? "down" : "up"}`} />}
                    </span>
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>
            {padTop > 0 && <tr style={{ height: padTop }} />}
            {items.map((item) => {
              const entry = entries[item.index];
              if (!entry) return null;
              if (entry.kind === "group") {
                const g = entry.group;
                return (
                  <GroupRow
                    key={`group:${g.value}`}
                    view={view}
                    group={g}
                    by={groupColumn ?? 0}
                    columns={columns}
                    open={entry.open}
                    selected={g.rows.filter((r) => revs.includes(r.id)).length}
                    height={ROW_HEIGHT}
                    onToggleOpen={() => setOpenGroups((o) => toggled(o, g.value))}
                    onSelect={(on) => selectMany(g.rows.map((r) => r.id), on)}
                  />
                );
              }
              const r = entry.row;
              const on = revs.includes(r.id);
              return (
                <tr
                  key={r.id}
                  className={`exp-row ${r.kind} ${on ? "selected" : ""} ${entry.member ? "member" : ""}`}
                  style={{ height: ROW_HEIGHT }}
                  data-testid="exp-row"
                  data-kind={r.kind}
                >
                  <td className="exp-name-col">
                    <div className="exp-name-cell">
                    <label className="exp-name" title={r.error ?? r.id}>
                      <input type="checkbox" checked={on} onChange={() => toggle(r.id)} data-testid="exp-select" />
                      <span className="swatch" style={{ background: on ? colourOf[r.id] : "transparent" }} />
                      <span className={r.kind === "experiment" ? "mono" : ""}>{r.name}</span>
                      {r.kind !== "experiment" && <Pill tone="neutral">{r.kind === "workspace" ? "work tree" : "baseline"}</Pill>}
                      {r.source && <SourcePill source={r.source} />}
                      {r.kind !== "workspace" &&
                        modelVersions.get(r.id)?.map((l) => (
                          <Pill key={l.model} tone="running" title="A registered model version made from this commit">
                            <span data-testid="model-pill">{versionText(l)}</span>
                          </Pill>
                        ))}
                      {STATUS_TONE[r.status] && (
                        <button
                          type="button"
                          className="pill-button"
                          title={`Its log${r.worker ? ` (on the SSH worker ${r.worker})` : ""}`}
                          data-testid="queue-log-open"
                          onClick={(e) => {
                            e.stopPropagation();
                            setLogOf(r.id);
                          }}
                        >
                          <Pill tone={STATUS_TONE[r.status]}>{r.worker ? `${r.status} on ${r.worker}` : r.status}</Pill>
                        </button>
                      )}
                      {r.error && <Icon name="alert" size={13} className="fail-msg" />}
                      {reference === r.id && <Pill tone="running">reference</Pill>}
                      {r.note && (
                        <span className="exp-note" title={r.note} data-testid="exp-note-text">
                          {r.note}
                        </span>
                      )}
                    </label>
                    <button
                      className={`icon-btn pin-btn ${reference === r.id ? "pinned" : ""}`}
                      title={reference === r.id ? "Compare each row with its baseline again" : "Compare every row with this one"}
                      aria-label={reference === r.id ? `Unpin ${r.name}` : `Compare every row with ${r.name}`}
                      aria-pressed={reference === r.id}
                      onClick={() => setReference((cur) => (cur === r.id ? null : r.id))}
                      data-testid="exp-pin"
                    >
                      <Icon name="pin" size={14} />
                    </button>
                    {r.kind === "experiment" && r.status === "success" && !r.source && (
                      <ExpRowMenu project={project} row={r} running={props.running} onDone={load} />
                    )}
                    </div>
                  </td>
                  <td className="muted small">{createdLabel(r.created)}</td>
                  {columns.map((i) => {
                    const v = r.values[i];
                    const c = view.columns[i];
                    // Min and max name the step that reached them: the best epoch.
                    const step = c?.stat && c.stat.stat !== "at" ? v?.step : undefined;
                    return (
                      <td
                        key={i}
                        className={`num mono ${differs(r, view.rows, i, reference) ? "changed" : ""}`}
                        title={v && c ? seriesCellTitle(c, v) : undefined}
                      >
                        {v?.text ?? <span className="muted">—</span>}
                        {step !== undefined && <span className="cell-step">@{step}</span>}
                      </td>
                    );
                  })}
                </tr>
              );
            })}
            {padBottom > 0 && <tr style={{ height: padBottom }} />}
          </tbody>
        </table>
      </div>
      <section className="exp-charts" data-testid="exp-charts">
        {trends.charts.length > 0 && (
          <div className="exp-trends" data-testid="exp-trends">
            <div className="exp-charts-head">
              <h2>Metrics over commits</h2>
              <span className="muted small">
                {trends.labels.length} commits, oldest first: {trends.labels[0]} … {trends.labels[trends.labels.length - 1]}
              </span>
            </div>
            <div className="chart-grid">
              {trends.charts.map((c) => (
                <MetricChart key={c.name} title={c.name} data={c.data} lines={TREND_LINE} xLabels={trends.labels} height={150} />
              ))}
            </div>
          </div>
        )}
        <div className="exp-charts-head">
          <h2>Metrics over steps</h2>
          <ChartLegend lines={lines} />
          <label className="exp-smoothing" title="Exponential moving average of each line; the raw line stays visible, faint, underneath">
            Smoothing
            <input
              type="range"
              min={0}
              max={MAX_SMOOTHING}
              step={0.01}
              value={smoothing}
              onChange={(e) => setSmoothing(parseSmoothing(e.target.value))}
              aria-valuetext={smoothing > 0 ? smoothing.toFixed(2) : "off"}
              data-testid="smoothing"
            />
            <span className="exp-smoothing-value mono" data-testid="smoothing-value">
              {smoothing > 0 ? smoothing.toFixed(2) : "off"}
            </span>
          </label>
        </div>
        {revs.length === 0 ? (
          <Empty icon="graph" title="Nothing selected">
            <p className="muted">Tick rows in the table to chart their metrics side by side.</p>
          </Empty>
        ) : charts.length === 0 ? (
          <p className="muted">
            The selected rows have no step series (DVCLive&apos;s <code>dvclive/plots/metrics</code> or plots declared in{" "}
            <code>dvc.yaml</code>).
          </p>
        ) : (
          <div className="chart-grid">
            {charts.map((c) => (
              <MetricChart key={c.name} title={c.name} data={c.data} lines={lines} bands={c.bands} smoothing={smoothing} />
            ))}
          </div>
        )}
        {revs.length > 0 && (
          <PlotImages images={images.filter((i) => revs.includes(i.rev))} labelOf={(id) => view.rows.find((r) => r.id === id)?.name ?? id} colourOf={colourOf} />
        )}
      </section>
    </div>
  );
}

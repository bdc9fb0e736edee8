// Pure helpers of the Experiments tab: which columns to show, row order, what differs
// from the baseline, and series aligned for uPlot. Kept free of React for unit tests.
import type { ExpCell, ExpColumn, ExperimentsView, ExpRow, RevSeriesView, SeriesStat } from "../../ipc";

/** Line colours, assigned to selected rows in selection order. */
export const PALETTE = ["#4f5ef0", "#e5484d", "#30a46c", "#e09a16", "#8e7cf0", "#3fb6c8", "#d6409f", "#6e56cf", "#a18072", "#0091ff"];

export type SortKey = { column: number; descending: boolean } | null;

/** Runs from other trackers, shown read-only beside the experiments (`ExpRow.source`). */
export const SOURCES: Record<string, { label: string; title: string }> = {
  mlflow: { label: "MLflow", title: "An MLflow run in mlruns/ (read-only here)" },
  tensorboard: { label: "TensorBoard", title: "A folder of TensorBoard event files (read-only here)" },
  wandb: { label: "W&B", title: "A Weights & Biases run folder under wandb/ (read-only here)" },
};

/** How many rows of each other tracker there are: `["1 MLflow run", "3 TensorBoard runs"]`. */
export function importedCounts(rows: ExpRow[]): string[] {
  return Object.entries(SOURCES).flatMap(([source, { label }]) => {
    const n = rows.filter((r) => r.source === source).length;
    return n === 0 ? [] : [`${n} ${label} run${n === 1 ? "" : "s"}`];
  });
}

/**
 * Indices of the columns to show: every metric and series, params only where some row
 * differs (with `onlyChanged`), and none the user hid (by [`columnId`]).
 */
export function visibleColumns(view: ExperimentsView, onlyChanged: boolean, hidden: ReadonlySet<string> = new Set()): number[] {
  return view.columns
    .map((c, i) => ({ c, i }))
    .filter(({ c }) => !hidden.has(columnId(c)))
    .filter(({ c, i }) => c.kind !== "param" || !onlyChanged || !allSame(view.rows, i))
    .map(({ i }) => i);
}

/** A column's identity across reloads (its index moves as params and metrics come and go). */
export function columnId(c: ExpColumn): string {
  return [c.kind, c.file, c.key, c.stat ? statLabel(c.stat) : ""].join("\u0000");
}

/** Hidden column ids kept in localStorage; anything unreadable hides nothing. */
export function parseHidden(stored: string | null): string[] {
  if (!stored) return [];
  try {
    const v: unknown = JSON.parse(stored);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
  } catch {
    return [];
  }
}

function allSame(rows: ExpRow[], column: number): boolean {
  const first = rows[0]?.values[column]?.text;
  return rows.every((r) => r.values[column]?.text === first);
}

/**
 * Rows in table order: the workspace on top, then each baseline followed by its own
 * experiments, sorted by `sort` within it (so a sort never moves an experiment away
 * from the commit it was run on).
 */
export function sortRows(rows: ExpRow[], sort: SortKey): ExpRow[] {
  const byBaseline = new Map<string, ExpRow[]>();
  for (const r of rows) {
    if (r.kind !== "experiment") continue;
    const key = r.baseline ?? "";
    byBaseline.set(key, [...(byBaseline.get(key) ?? []), r]);
  }
  const ordered = (exps: ExpRow[]) => {
    if (!sort) return exps;
    const dir = sort.descending ? -1 : 1;
    return [...exps].sort((a, b) => {
      const c = compareCells(a.values[sort.column], b.values[sort.column]);
      // Rows without a value go last whichever the direction.
      if (c === null) return a.values[sort.column] ? -1 : b.values[sort.column] ? 1 : 0;
      return c * dir;
    });
  };
  const out = rows.filter((r) => r.kind === "workspace");
  for (const b of rows.filter((r) => r.kind === "baseline")) {
    out.push(b, ...ordered(byBaseline.get(b.id) ?? []));
    byBaseline.delete(b.id);
  }
  // Experiments whose baseline is not listed (none from the API) keep a place at the end.
  out.push(...ordered([...byBaseline.values()].flat()));
  return out;
}

/** Numbers by value, text naturally; `null` when either cell is missing. */
export function compareCells(a: ExpCell | null | undefined, b: ExpCell | null | undefined): number | null {
  if (!a || !b) return null;
  if (a.num !== null && b.num !== null) return a.num - b.num;
  return a.text.localeCompare(b.text, undefined, { numeric: true });
}

/**
 * Whether `row`'s value in `column` differs from what it is compared with: the pinned
 * reference row if any, else an experiment's own baseline, and `HEAD` (the first
 * baseline) for the workspace and for older commits and other branches.
 */
export function differs(row: ExpRow, rows: ExpRow[], column: number, reference: string | null = null): boolean {
  const pinned = reference ? rows.find((r) => r.id === reference) : undefined;
  if (pinned) return row.id !== pinned.id && (row.values[column]?.text ?? null) !== (pinned.values[column]?.text ?? null);
  const head = rows.find((r) => r.kind === "baseline");
  if (row.kind === "baseline" && row.id === head?.id) return false;
  const base = row.kind === "experiment" && row.baseline ? rows.find((r) => r.id === row.baseline) : head;
  if (!base) return false;
  return (row.values[column]?.text ?? null) !== (base.values[column]?.text ?? null);
}

/** Every metric name in the loaded series, in first-seen order. */
export function metricNames(series: RevSeriesView[]): string[] {
  const names: string[] = [];
  for (const r of series) for (const s of r.series) if (!names.includes(s.name)) names.push(s.name);
  return names;
}

/**
 * One metric of several revisions as uPlot wants it: a shared, sorted x array and one
 * y array per revision (`null` where that revision has no point at that x).
 */
export function alignSeries(series: RevSeriesView[], revs: string[], name: string): (number | null)[][] {
  const lines = revs.map((rev) => series.find((s) => s.rev === rev)?.series.find((s) => s.name === name));
  const xs = [...new Set(lines.flatMap((l) => l?.xs ?? []))].sort((a, b) => a - b);
  const index = new Map(xs.map((x, i) => [x, i]));
  const ys = lines.map((l) => {
    const y: (number | null)[] = new Array<number | null>(xs.length).fill(null);
    l?.xs.forEach((x, i) => {
      y[index.get(x) as number] = l.ys[i] ?? null;
    });
    return y;
  });
  return [xs, ...ys];
}

/** The colour of each selected row, by row id. */
export function colours(selected: string[]): Record<string, string> {
  return Object.fromEntries(selected.map((id, i) => [id, PALETTE[i % PALETTE.length] ?? "#888"]));
}

/** A param the New experiment dialog can change: its column, file, key and current value. */
export type EditableParam = { column: number; file: string; key: string; value: string };

/** Every param column with its value in the work tree (the row an experiment starts from). */
export function paramsOf(view: ExperimentsView): EditableParam[] {
  const from = view.rows.find((r) => r.kind === "workspace") ?? view.rows.find((r) => r.kind === "baseline");
  return view.columns.flatMap((c, column) => (c.kind === "param" ? [{ column, file: c.file, key: c.key, value: from?.values[column]?.text ?? "" }] : []));
}

/** `-S` overrides for the values edited in the dialog (by column) that differ from the work tree. */
export function overrides(view: ExperimentsView, edited: Record<number, string>): string[] {
  return paramsOf(view).flatMap((p) => {
    const v = edited[p.column]?.trim();
    if (v === undefined || v === p.value) return [];
    return [`${p.file === "params.yaml" ? "" : `${p.file}:`}${p.key}=${v}`];
  });
}

/**
 * The ticked rows after the table reloads: rows that are gone drop out, experiments
 * that were not there before (one just ran) are added, and the first load ticks the
 * first `first` rows.
 */
export function nextSelection(selected: string[] | null, before: Set<string> | null, rows: ExpRow[], first: number): string[] {
  if (!selected || !before) return rows.slice(0, first).map((r) => r.id);
  const kept = selected.filter((id) => rows.some((r) => r.id === id));
  const fresh = rows.filter((r) => r.kind === "experiment" && !before.has(r.id) && !kept.includes(r.id)).map((r) => r.id);
  return [...kept, ...fresh];
}

/** The largest smoothing weight the slider offers (1 would freeze the average at its first value). */
export const MAX_SMOOTHING = 0.99;

/** The smoothing weight kept in localStorage, or 0 (off) when it is missing or not a number in range. */
export function parseSmoothing(stored: string | null): number {
  if (stored === null || stored.trim() === "") return 0;
  const w = Number(stored);
  if (!Number.isFinite(w)) return 0;
  return Math.min(Math.max(w, 0), MAX_SMOOTHING);
}

/**
 * TensorBoard's smoothing: an exponential moving average with weight `weight` (0 = off),
 * debiased so that the first points are not pulled towards 0. Gaps (null, NaN, ±∞) stay
 * gaps (null) and are skipped: they neither reset the average nor enter it. The average
 * is a weighted mean of the points so far, so it is clamped to their range; that keeps a
 * constant series exactly constant despite rounding.
 */
export function smooth(ys: (number | null)[], weight: number): (number | null)[] {
  const w = Number.isFinite(weight) ? Math.min(Math.max(weight, 0), MAX_SMOOTHING) : 0;
  let last = 0;
  let seen = 0;
  let lo = Infinity;
  let hi = -Infinity;
  return ys.map((y) => {
    if (y === null || !Number.isFinite(y)) return null;
    seen += 1;
    lo = Math.min(lo, y);
    hi = Math.max(hi, y);
    last = last * w + (1 - w) * y;
    const debiased = last / (1 - Math.pow(w, seen));
    return Math.min(Math.max(debiased, lo), hi);
  });
}

/**
 * uPlot data for a chart with smoothing: the raw lines as they are, then one smoothed
 * line per raw line, in the same order. Without smoothing, `data` unchanged.
 */
export function withSmoothed(data: (number | null)[][], weight: number): (number | null)[][] {
  if (!(weight > 0)) return data;
  const [xs = [], ...ys] = data;
  return [xs, ...ys, ...ys.map((y) => smooth(y, weight))];
}

/** A `#rgb` or `#rrggbb` colour with an alpha channel; other colour syntaxes unchanged. */
export function withAlpha(colour: string, alpha: number): string {
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(colour)?.[1];
  if (!hex) return colour;
  const full = hex.length === 3 ? [...hex].map((c) => c + c).join("") : hex;
  const a = Math.round(Math.min(Math.max(alpha, 0), 1) * 255);
  return `#${full}${a.toString(16).padStart(2, "0")}`;
}

/** A first column before Experiment, such as the project. */
export type LeadColumn = { title: string; of: (row: ExpRow, index: number) => string };

/**
 * The table as text cells: a header row (Experiment, Created, then `file:key` of each
 * column, then Note when any row has one; `lead` adds a first column) and one line per
 * row, in the given order; a missing value is an empty cell.
 */
export function tableCells(view: ExperimentsView, rows: ExpRow[], columns: number[], lead?: LeadColumn): string[][] {
  const names = columns
    .map((i): (ExpColumn & { formula?: string }) | undefined => view.columns[i])
    .map((c) => (!c ? "" : c.formula ? `${c.key} (= ${c.formula})` : c.stat ? `${c.key} (${statLabel(c.stat)})` : `${c.file}:${c.key}`));
  const notes = rows.some((r) => r.note);
  const header = [...(lead ? [lead.title] : []), "Experiment", "Created", ...names, ...(notes ? ["Note"] : [])];
  const lines = rows.map((r, n) => [
    ...(lead ? [lead.of(r, n)] : []),
    r.name,
    r.created ?? "",
    ...columns.map((i) => r.values[i]?.text ?? ""),
    ...(notes ? [r.note ?? ""] : []),
  ]);
  return [header, ...lines];
}

/** How a copied table is written: for a spreadsheet, a README, or a paper. */
export type TableFormat = "tsv" | "markdown" | "latex";

const LATEX_SPECIAL: Record<string, string> = {
  "\\": "\\textbackslash{}",
  "&": "\\&",
  "%": "\\%",
  $: "\\$",
  "#": "\\#",
  _: "\\_",
  "{": "\\{",
  "}": "\\}",
  "~": "\\textasciitilde{}",
  "^": "\\textasciicircum{}",
};

/**
 * Cells as text: tab-separated (tabs and line breaks in a cell become spaces), a
 * Markdown table (`|` escaped), or a LaTeX `tabular` with booktabs rules (specials
 * escaped; columns whose body is all numbers right-aligned).
 */
export function formatTable(cells: string[][], format: TableFormat): string {
  const flat = cells.map((line) => line.map((c) => c.replace(/\r\n|[\t\r\n]/g, " ")));
  if (format === "tsv") return flat.map((line) => line.join("\t")).join("\n");
  const [header = [], ...body] = flat;
  const numeric = header.map((_, j) => body.length > 0 && body.every((line) => (line[j] ?? "") === "" || Number.isFinite(Number(line[j]))));
  if (format === "markdown") {
    const row = (line: string[]) => `| ${line.map((c) => c.replace(/\|/g, "\\|")).join(" | ")} |`;
    return [row(header), `| ${numeric.map((n) => (n ? "---:" : "---")).join(" | ")} |`, ...body.map(row)].join("\n");
  }
  const esc = (c: string) => c.replace(/[\\&%$#_{}~^]/g, (ch) => LATEX_SPECIAL[ch] ?? ch);
  const row = (line: string[]) => `${line.map(esc).join(" & ")} \\\\`;
  return [`\\begin{tabular}{${numeric.map((n) => (n ? "r" : "l")).join("")}}`, "\\toprule", row(header), "\\midrule", ...body.map(row), "\\bottomrule", "\\end{tabular}"].join("\n");
}

/** The table as tab-separated text, for a spreadsheet (see [`tableCells`]). */
export function tableTsv(view: ExperimentsView, rows: ExpRow[], columns: number[], lead?: LeadColumn): string {
  return formatTable(tableCells(view, rows, columns, lead), "tsv");
}

/** Which step-series columns the table shows: none, one stat, both extremes, or a step's value. */
export type SeriesMode = "off" | "min" | "max" | "minmax" | "at";

export const SERIES_MODES: { mode: SeriesMode; label: string }[] = [
  { mode: "off", label: "Off" },
  { mode: "min", label: "Minimum" },
  { mode: "max", label: "Maximum" },
  { mode: "minmax", label: "Min and max" },
  { mode: "at", label: "At step…" },
];

/**
 * The stats `list_experiments` is asked for. "At step" needs a whole, non-negative step;
 * until one is typed it asks for nothing.
 */
export function seriesStats(mode: SeriesMode, step: string): SeriesStat[] {
  switch (mode) {
    case "min":
      return [{ stat: "min" }];
    case "max":
      return [{ stat: "max" }];
    case "minmax":
      return [{ stat: "min" }, { stat: "max" }];
    case "at": {
      const n = step.trim() === "" ? NaN : Number(step);
      return Number.isFinite(n) && n >= 0 ? [{ stat: "at", step: n }] : [];
    }
    default:
      return [];
  }
}

/** The series mode kept in localStorage, or "off" when it is missing or unknown. */
export function parseSeriesMode(stored: string | null): SeriesMode {
  return SERIES_MODES.find((m) => m.mode === stored)?.mode ?? "off";
}

/** How a stat reads in a column header: `min`, `max`, `step 10`. */
export function statLabel(stat: SeriesStat): string {
  return stat.stat === "at" ? `step ${stat.step}` : stat.stat;
}

/** A series cell's tooltip: the value, and for min/max the step that first reached it. */
export function seriesCellTitle(column: ExpColumn, cell: ExpCell): string {
  if (!column.stat || column.stat.stat === "at" || cell.step === undefined) return cell.text;
  return `${column.stat.stat === "min" ? "Lowest" : "Highest"} ${column.key}: ${cell.text}, first reached at step ${cell.step}`;
}

/** Rows that share one value of the grouping column. */
export type RowGroup = { value: string; rows: ExpRow[] };

/**
 * Experiments grouped by their value in `column`, groups in the order their first row
 * comes in `rows` (so a sort orders groups too); workspace and baselines are left out
 * (they stay on top, ungrouped). A row without the value groups under "—".
 */
export function groupRows(rows: ExpRow[], column: number): RowGroup[] {
  const groups = new Map<string, ExpRow[]>();
  for (const r of rows) {
    if (r.kind !== "experiment") continue;
    const value = r.values[column]?.text ?? "—";
    const members = groups.get(value);
    if (members) members.push(r);
    else groups.set(value, [r]);
  }
  return [...groups].map(([value, members]) => ({ value, rows: members }));
}

/** Mean, sample standard deviation, range and count of a column's numbers in some rows. */
export type Aggregate = { mean: number; std: number; min: number; max: number; n: number };

/** The aggregate of `column` over the rows that have a finite number there; null if none do. */
export function aggregate(rows: ExpRow[], column: number): Aggregate | null {
  const xs = rows.map((r) => r.values[column]?.num).filter((x): x is number => typeof x === "number" && Number.isFinite(x));
  if (xs.length === 0) return null;
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  // Sample (n − 1) deviation: the spread of repeated seeds, not of this exact set.
  const std = n > 1 ? Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, std, min: Math.min(...xs), max: Math.max(...xs), n };
}

/** `0.912 ± 0.013`: four significant digits, the deviation to the same decimal place. */
export function formatAggregate(a: Aggregate): string {
  const mean = Number(a.mean.toPrecision(4));
  if (a.n < 2) return String(mean);
  const decimals = Math.max(0, Math.min(12, 3 - Math.floor(Math.log10(Math.abs(a.mean) || 1))));
  return `${mean} ± ${a.std.toFixed(decimals)}`;
}

/** What a group's cell shows for a param: the shared value, or that it varies. */
export function sharedValue(rows: ExpRow[], column: number): string | null {
  const first = rows[0]?.values[column]?.text ?? null;
  return rows.every((r) => (r.values[column]?.text ?? null) === first) ? first : null;
}

/** One line of the table body: a row, or (when grouping) a group's summary line. */
export type TableEntry = { kind: "row"; row: ExpRow; member: boolean } | { kind: "group"; group: RowGroup; open: boolean };

/**
 * The table body's lines: without grouping, the rows; grouped by `column`, workspace
 * and baselines first, then each group's line followed by its rows when it is open.
 */
export function tableEntries(rows: ExpRow[], column: number | null, open: ReadonlySet<string>): TableEntry[] {
  if (column === null) return rows.map((row) => ({ kind: "row", row, member: false }));
  const out: TableEntry[] = rows.filter((r) => r.kind !== "experiment").map((row) => ({ kind: "row", row, member: false }));
  for (const group of groupRows(rows, column)) {
    const isOpen = open.has(group.value);
    out.push({ kind: "group", group, open: isOpen });
    if (isOpen) out.push(...group.rows.map((row): TableEntry => ({ kind: "row", row, member: true })));
  }
  return out;
}

/** One line of a chart: a name, a colour, and which aligned y arrays it stands for. */
export type ChartLine = { label: string; colour: string; members: number[] };

/** A shaded band between two extra y arrays (indices among the extra arrays). */
export type Band = { lo: number; hi: number; colour: string };

/**
 * Charts of grouped runs: each line becomes the mean of its members at every step
 * (members without that step left out), and a line of two or more members gets a band
 * of ± one sample deviation. `data` is aligned ([x, y per run]); the result is aligned
 * too: [x, one mean per line, then the band edges (lo, hi) of each banded line].
 */
export function aggregateChart(data: (number | null)[][], lines: ChartLine[]): { data: (number | null)[][]; bands: Band[] } {
  const [xs = [], ...ys] = data;
  const means: (number | null)[][] = [];
  const edges: (number | null)[][] = [];
  const bands: Band[] = [];
  for (const line of lines) {
    const mean: (number | null)[] = [];
    const lo: (number | null)[] = [];
    const hi: (number | null)[] = [];
    xs.forEach((_, i) => {
      const vals = line.members.map((m) => ys[m]?.[i]).filter((v): v is number => typeof v === "number" && Number.isFinite(v));
      if (vals.length === 0) {
        mean.push(null);
        lo.push(null);
        hi.push(null);
        return;
      }
      const m = vals.reduce((a, b) => a + b, 0) / vals.length;
      const sd = vals.length > 1 ? Math.sqrt(vals.reduce((a, v) => a + (v - m) ** 2, 0) / (vals.length - 1)) : null;
      mean.push(m);
      lo.push(sd === null ? null : m - sd);
      hi.push(sd === null ? null : m + sd);
    });
    means.push(mean);
    if (line.members.length > 1) {
      bands.push({ lo: edges.length, hi: edges.length + 1, colour: line.colour });
      edges.push(lo, hi);
    }
  }
  return { data: [xs, ...means, ...edges], bands };
}

/**
 * The chart lines of `revs` (the charted rows, in order) when grouping by `column`: one
 * line per group of experiments (its charted members), workspace and baselines alone.
 * Colours follow the order lines first appear.
 */
export function groupChartLines(rows: ExpRow[], revs: string[], column: number, key: string): ChartLine[] {
  const lines = new Map<string, ChartLine>();
  revs.forEach((id, i) => {
    const row = rows.find((r) => r.id === id);
    const value = row?.kind === "experiment" ? (row.values[column]?.text ?? "—") : null;
    const lineKey = value === null ? `row:${id}` : `group:${value}`;
    let line = lines.get(lineKey);
    if (!line) {
      line = { label: value === null ? (row?.name ?? id) : `${key} = ${value}`, colour: PALETTE[lines.size % PALETTE.length] ?? "#888", members: [] };
      lines.set(lineKey, line);
    }
    line.members.push(i);
  });
  return [...lines.values()].map((l) => (l.label.includes(" = ") && l.members.length > 1 ? { ...l, label: `${l.label} (${l.members.length} runs)` } : l));
}

/** How much history the table lists: commits per branch, and whether every branch. */
export type History = { commits: number; allBranches: boolean };

export const HISTORY_MODES: { id: string; label: string; history: History }[] = [
  { id: "head", label: "HEAD", history: { commits: 1, allBranches: false } },
  { id: "5", label: "Last 5 commits", history: { commits: 5, allBranches: false } },
  { id: "20", label: "Last 20 commits", history: { commits: 20, allBranches: false } },
  { id: "branches", label: "All branches", history: { commits: 1, allBranches: true } },
  { id: "branches-5", label: "All branches, 5 commits each", history: { commits: 5, allBranches: true } },
];

/** The history choice kept in localStorage, or HEAD alone when it is missing or unknown. */
export function parseHistory(stored: string | null): string {
  return HISTORY_MODES.find((m) => m.id === stored)?.id ?? "head";
}

/**
 * Every metric of the baseline commits, oldest first, one chart each: what the table's
 * history shows as trends across committed model versions. `labels` name the commits
 * (the x axis counts them 0, 1, 2…); a metric with a number in fewer than two commits
 * has no trend and no chart. Commits order by time, the API's order breaking ties.
 */
export function commitTrends(view: ExperimentsView, columns: number[]): { labels: string[]; charts: { name: string; data: (number | null)[][] }[] } {
  const baselines = view.rows
    .map((r, i) => ({ r, i }))
    .filter(({ r }) => r.kind === "baseline")
    .sort((a, b) => {
      const ta = a.r.created ? Date.parse(a.r.created) : NaN;
      const tb = b.r.created ? Date.parse(b.r.created) : NaN;
      if (Number.isFinite(ta) && Number.isFinite(tb) && ta !== tb) return ta - tb;
      return b.i - a.i;
    })
    .map(({ r }) => r);
  if (baselines.length < 2) return { labels: [], charts: [] };
  const xs = baselines.map((_, i) => i);
  const charts = columns.flatMap((column) => {
    const c = view.columns[column];
    if (c?.kind !== "metric") return [];
    const ys = baselines.map((r) => {
      const v = r.values[column]?.num;
      return typeof v === "number" && Number.isFinite(v) ? v : null;
    });
    if (ys.filter((y) => y !== null).length < 2) return [];
    return [{ name: `${c.file}:${c.key}`, data: [xs, ys] }];
  });
  return { labels: baselines.map((r) => r.name), charts };
}

import { describe, expect, it } from "vitest";
import type { ExperimentsView, ExpRow } from "../../ipc";
import {
  aggregate,
  aggregateChart,
  alignSeries,
  columnId,
  commitTrends,
  differs,
  formatAggregate,
  formatTable,
  groupChartLines,
  importedCounts,
  groupRows,
  nextSelection,
  overrides,
  paramsOf,
  parseHidden,
  parseHistory,
  parseSeriesMode,
  parseSmoothing,
  seriesCellTitle,
  seriesStats,
  sharedValue,
  statLabel,
  smooth,
  sortRows,
  tableTsv,
  visibleColumns,
  withAlpha,
  withSmoothed,
} from "./model";

const cell = (text: string, num: number | null = Number.isNaN(Number(text)) ? null : Number(text)) => ({ text, num });
const row = (id: string, kind: ExpRow["kind"], values: ExpRow["values"], baseline: string | null = null): ExpRow => ({
  id,
  name: id,
  kind,
  baseline,
  created: null,
  status: "success",
  error: null,
  values,
  note: null,
});

const view: ExperimentsView = {
  columns: [
    { kind: "param", file: "params.yaml", key: "seed" },
    { kind: "param", file: "params.yaml", key: "lr" },
    { kind: "metric", file: "metrics.json", key: "acc" },
  ],
  rows: [
    row("workspace", "workspace", [cell("1"), cell("0.1"), cell("0.9")]),
    row("head", "baseline", [cell("1"), cell("0.1"), cell("0.8")]),
    row("e1", "experiment", [cell("1"), cell("0.05"), cell("0.95")], "head"),
    row("e2", "experiment", [cell("1"), cell("0.2"), null], "head"),
    row("e3", "experiment", [cell("1"), cell("0.3"), cell("0.85")], "head"),
  ],
};

describe("experiments table", () => {
  it("hides params that no row changes, never metrics", () => {
    expect(visibleColumns(view, true)).toEqual([1, 2]);
    expect(visibleColumns(view, false)).toEqual([0, 1, 2]);
  });

  it("sorts experiments by a column, keeps workspace and baseline on top, empty cells last", () => {
    const ids = (rows: ExpRow[]) => rows.map((r) => r.id);
    expect(ids(sortRows(view.rows, { column: 2, descending: true }))).toEqual(["workspace", "head", "e1", "e3", "e2"]);
    expect(ids(sortRows(view.rows, { column: 2, descending: false }))).toEqual(["workspace", "head", "e3", "e1", "e2"]);
    expect(ids(sortRows(view.rows, null))).toEqual(ids(view.rows));
  });

  it("marks values that differ from the row's baseline", () => {
    const [ws, head, e1] = view.rows as [ExpRow, ExpRow, ExpRow];
    expect(differs(e1, view.rows, 1)).toBe(true);
    expect(differs(e1, view.rows, 0)).toBe(false);
    expect(differs(head, view.rows, 1)).toBe(false);
    expect(differs(ws, view.rows, 2)).toBe(true);
    // A pinned reference row replaces the baseline, and is itself never marked.
    expect(differs(head, view.rows, 1, e1.id)).toBe(true);
    expect(differs(e1, view.rows, 1, e1.id)).toBe(false);
    expect(differs(e1, view.rows, 1, "gone")).toBe(true);
  });

  it("aligns series of several revisions on one x axis", () => {
    const data = alignSeries(
      [
        { rev: "a", series: [{ name: "loss", file: "f", xs: [0, 1, 2], ys: [3, 2, 1] }] },
        { rev: "b", series: [{ name: "loss", file: "f", xs: [1, 3], ys: [5, 4] }] },
      ],
      ["a", "b", "missing"],
      "loss",
    );
    expect(data).toEqual([
      [0, 1, 2, 3],
      [3, 2, 1, null],
      [null, 5, null, 4],
      [null, null, null, null],
    ]);
  });

  it("turns edited values into -S overrides, file-qualified outside params.yaml", () => {
    const v: ExperimentsView = {
      ...view,
      columns: [...view.columns, { kind: "param", file: "conf/train.yaml", key: "epochs" }],
      rows: view.rows.map((r) => ({ ...r, values: [...r.values, cell("10")] })),
    };
    expect(paramsOf(v).map((p) => `${p.key}=${p.value}`)).toEqual(["seed=1", "lr=0.1", "epochs=10"]);
    expect(overrides(v, {})).toEqual([]);
    expect(overrides(v, { 1: "0.1", 3: " 20 " })).toEqual(["conf/train.yaml:epochs=20"]);
    expect(overrides(v, { 0: "2", 1: "0.3" })).toEqual(["seed=2", "lr=0.3"]);
  });

  it("keeps the ticked rows across reloads and ticks experiments that just appeared", () => {
    expect(nextSelection(null, null, view.rows, 2)).toEqual(["workspace", "head"]);
    const before = new Set(["workspace", "head", "e1"]);
    // e1 was unticked by the user and stays so; e2 and e3 are new; a vanished row drops.
    expect(nextSelection(["head", "gone"], before, view.rows, 2)).toEqual(["head", "e2", "e3"]);
    expect(nextSelection(["e2"], new Set(view.rows.map((r) => r.id)), view.rows, 2)).toEqual(["e2"]);
  });
});

describe("smoothing", () => {
  it("is the identity at weight 0", () => {
    const ys = [3, 1, null, 4, 1, 5, null, 9, 2.5];
    expect(smooth(ys, 0)).toEqual(ys);
  });

  it("keeps a constant series constant (debiased, not pulled towards 0)", () => {
    for (const w of [0.3, 0.6, 0.9, 0.99]) expect(smooth([0.7, 0.7, 0.7, 0.7, 0.7], w)).toEqual([0.7, 0.7, 0.7, 0.7, 0.7]);
    // With a gap first and in the middle: still constant where there are points.
    expect(smooth([null, 42, null, 42, 42], 0.95)).toEqual([null, 42, null, 42, 42]);
  });

  it("leaves gaps as gaps: they neither reset nor poison the average", () => {
    const w = 0.8;
    const dense = smooth([1, 3, 2, 5], w);
    const gappy = smooth([null, 1, null, null, 3, 2, Number.NaN, 5, null], w);
    expect(gappy).toEqual([null, dense[0], null, null, dense[1], dense[2], null, dense[3], null]);
    expect(gappy.every((y) => y === null || Number.isFinite(y))).toBe(true);
    expect(smooth([null, null], w)).toEqual([null, null]);
  });

  it("follows a step and converges to the new level", () => {
    const ys = [...new Array<number>(10).fill(0), ...new Array<number>(200).fill(1)];
    const out = smooth(ys, 0.9) as number[];
    expect(out.slice(0, 10)).toEqual(new Array<number>(10).fill(0));
    // Lags behind the step, rises monotonically, never overshoots.
    expect(out[10]).toBeGreaterThan(0);
    expect(out[10]).toBeLessThan(0.5);
    for (let i = 11; i < out.length; i++) {
      expect(out[i]).toBeGreaterThanOrEqual(out[i - 1] as number);
      expect(out[i]).toBeLessThanOrEqual(1);
    }
    expect(out[out.length - 1]).toBeCloseTo(1, 6);
  });

  it("adds one smoothed line per raw line after the raw ones, only when on", () => {
    const data = [
      [0, 1, 2],
      [1, null, 1],
      [2, 2, null],
    ];
    expect(withSmoothed(data, 0)).toBe(data);
    expect(withSmoothed(data, 0.5)).toEqual([...data, [1, null, 1], [2, 2, null]]);
  });

  it("reads the stored slider value safely", () => {
    expect(parseSmoothing(null)).toBe(0);
    expect(parseSmoothing("")).toBe(0);
    expect(parseSmoothing("junk")).toBe(0);
    expect(parseSmoothing("NaN")).toBe(0);
    expect(parseSmoothing("0.6")).toBe(0.6);
    expect(parseSmoothing("-1")).toBe(0);
    expect(parseSmoothing("5")).toBe(0.99);
  });

  it("fades a hex colour for the raw line under the smoothed one", () => {
    expect(withAlpha("#4f5ef0", 0.25)).toBe("#4f5ef040");
    expect(withAlpha("#888", 0.25)).toBe("#88888840");
    expect(withAlpha("rgb(1, 2, 3)", 0.25)).toBe("rgb(1, 2, 3)");
  });
});

describe("copy table", () => {
  it("writes the shown rows and columns as tab-separated text, cells kept on one line", () => {
    const rows: ExpRow[] = [
      { ...row("e1", "experiment", [cell("1"), cell("0.05"), cell("0.95")], "head"), name: "bold\tbeam", created: "2024-05-01T10:00:00" },
      row("e2", "experiment", [cell("1"), cell("a\nb\r\nc"), null], "head"),
    ];
    expect(tableTsv(view, rows, [1, 2])).toBe(
      [
        "Experiment\tCreated\tparams.yaml:lr\tmetrics.json:acc",
        "bold beam\t2024-05-01T10:00:00\t0.05\t0.95",
        "e2\t\ta b c\t",
      ].join("\n"),
    );
    expect(tableTsv(view, [], [])).toBe("Experiment\tCreated");
    const noted = [{ ...rows[0]!, note: "why:\tthis" }, rows[1]!];
    expect(tableTsv(view, noted, [1]).split("\n")).toEqual(["Experiment\tCreated\tparams.yaml:lr\tNote", "bold beam\t2024-05-01T10:00:00\t0.05\twhy: this", "e2\t\ta b c\t"]);
  });
});

describe("step-series columns", () => {
  const series: ExperimentsView = {
    columns: [
      ...view.columns,
      { kind: "series", file: "dvclive/plots/metrics/loss.tsv", key: "loss", stat: { stat: "min" } },
      { kind: "series", file: "dvclive/plots/metrics/loss.tsv", key: "loss", stat: { stat: "at", step: 10 } },
    ],
    rows: view.rows.map((r, i) => ({ ...r, values: [...r.values, { text: String(0.5 - i / 10), num: 0.5 - i / 10, step: i }, null] })),
  };

  it("asks for the stats of the chosen mode; a step must be a number ≥ 0", () => {
    expect(seriesStats("off", "3")).toEqual([]);
    expect(seriesStats("min", "")).toEqual([{ stat: "min" }]);
    expect(seriesStats("minmax", "")).toEqual([{ stat: "min" }, { stat: "max" }]);
    expect(seriesStats("at", "12")).toEqual([{ stat: "at", step: 12 }]);
    expect(seriesStats("at", "")).toEqual([]);
    expect(seriesStats("at", "-1")).toEqual([]);
    expect(seriesStats("at", "ten")).toEqual([]);
    expect(parseSeriesMode("minmax")).toBe("minmax");
    expect(parseSeriesMode("best")).toBe("off");
    expect(parseSeriesMode(null)).toBe("off");
  });

  it("labels and explains a series cell", () => {
    const [min, at] = series.columns.slice(3);
    expect(statLabel({ stat: "max" })).toBe("max");
    expect(statLabel({ stat: "at", step: 10 })).toBe("step 10");
    expect(seriesCellTitle(min!, { text: "0.25", num: 0.25, step: 7 })).toBe("Lowest loss: 0.25, first reached at step 7");
    expect(seriesCellTitle(at!, { text: "0.3", num: 0.3, step: 10 })).toBe("0.3");
    expect(seriesCellTitle(view.columns[2]!, { text: "0.9", num: 0.9 })).toBe("0.9");
  });

  it("are always shown, sort by value and copy with their stat in the header", () => {
    expect(visibleColumns(series, true)).toEqual([1, 2, 3, 4]);
    const ids = (rows: ExpRow[]) => rows.map((r) => r.id);
    expect(ids(sortRows(series.rows, { column: 3, descending: false }))).toEqual(["workspace", "head", "e3", "e2", "e1"]);
    expect(tableTsv(series, series.rows.slice(0, 1), [3, 4]).split("\n")[0]).toBe("Experiment\tCreated\tloss (min)\tloss (step 10)");
  });
});

describe("column choice", () => {
  it("hides chosen columns by identity, whatever their index", () => {
    const lr = columnId(view.columns[1]!);
    const acc = columnId(view.columns[2]!);
    expect(visibleColumns(view, false, new Set([lr]))).toEqual([0, 2]);
    expect(visibleColumns(view, true, new Set([acc]))).toEqual([1]);
    // The same column in a reloaded view with another column in front keeps its id.
    const moved: ExperimentsView = { ...view, columns: [{ kind: "param", file: "params.yaml", key: "new" }, ...view.columns] };
    expect(visibleColumns(moved, false, new Set([lr]))).toEqual([0, 1, 3]);
    expect(columnId({ kind: "series", file: "f.tsv", key: "loss", stat: { stat: "min" } })).not.toBe(
      columnId({ kind: "series", file: "f.tsv", key: "loss", stat: { stat: "max" } }),
    );
  });

  it("reads what it stored, and nothing from junk", () => {
    expect(parseHidden(JSON.stringify(["a", "b"]))).toEqual(["a", "b"]);
    expect(parseHidden(null)).toEqual([]);
    expect(parseHidden("{")).toEqual([]);
    expect(parseHidden('{"a":1}')).toEqual([]);
    expect(parseHidden('["a", 3, null]')).toEqual(["a"]);
  });
});

describe("grouping", () => {
  const runs: ExpRow[] = [
    row("ws", "workspace", [cell("1"), cell("0.1"), cell("0.9")]),
    row("head", "baseline", [cell("1"), cell("0.1"), cell("0.8")]),
    row("a", "experiment", [cell("1"), cell("0.1"), cell("0.90")], "head"),
    row("b", "experiment", [cell("2"), cell("0.2"), cell("0.70")], "head"),
    row("c", "experiment", [cell("2"), cell("0.1"), cell("0.94")], "head"),
    row("d", "experiment", [cell("3"), cell("0.1"), null], "head"),
    row("e", "experiment", [cell("3"), null, cell("0.5")], "head"),
  ];

  it("groups experiments by a column's value, in row order, leaving workspace and baseline out", () => {
    const groups = groupRows(runs, 1);
    expect(groups.map((g) => [g.value, g.rows.map((r) => r.id)])).toEqual([
      ["0.1", ["a", "c", "d"]],
      ["0.2", ["b"]],
      ["—", ["e"]],
    ]);
  });

  it("aggregates the numbers there are: mean, sample deviation, range, count", () => {
    const [lr01] = groupRows(runs, 1);
    const a = aggregate(lr01!.rows, 2)!;
    expect(a.n).toBe(2);
    expect(a.mean).toBeCloseTo(0.92, 12);
    expect(a.std).toBeCloseTo(Math.sqrt(0.0008), 12);
    expect([a.min, a.max]).toEqual([0.9, 0.94]);
    expect(formatAggregate(a)).toBe("0.92 ± 0.0283");
    expect(formatAggregate(aggregate([runs[3]!], 2)!)).toBe("0.7");
    expect(aggregate([runs[5]!], 2)).toBeNull();
    expect(formatAggregate({ mean: 1234.5678, std: 12.3456, min: 0, max: 0, n: 3 })).toBe("1235 ± 12");
  });

  it("shows a param's value when a group shares it", () => {
    const [lr01] = groupRows(runs, 1);
    expect(sharedValue(lr01!.rows, 1)).toBe("0.1");
    expect(sharedValue(lr01!.rows, 0)).toBeNull();
  });
});

describe("grouped charts", () => {
  it("draws each group as its members' mean with a ± one deviation band", () => {
    // x, then runs a, b (one group) and c (alone); b has no point at x = 2.
    const data = [
      [0, 1, 2],
      [1, 2, 3],
      [3, 4, null],
      [5, 5, 5],
    ];
    const out = aggregateChart(data, [
      { label: "g", colour: "#111111", members: [0, 1] },
      { label: "c", colour: "#222222", members: [2] },
    ]);
    expect(out.data[0]).toEqual([0, 1, 2]);
    expect(out.data[1]).toEqual([2, 3, 3]);
    expect(out.data[2]).toEqual([5, 5, 5]);
    const sd = Math.sqrt(2);
    expect(out.data[3]).toEqual([2 - sd, 3 - sd, null]);
    expect(out.data[4]).toEqual([2 + sd, 3 + sd, null]);
    expect(out.bands).toEqual([{ lo: 0, hi: 1, colour: "#111111" }]);
  });
});

describe("grouped chart lines", () => {
  it("makes one line per group of charted experiments; workspace and baseline stay alone", () => {
    const rows: ExpRow[] = [
      row("ws", "workspace", [cell("1")]),
      row("head", "baseline", [cell("1")]),
      row("a", "experiment", [cell("30")], "head"),
      row("b", "experiment", [cell("40")], "head"),
      row("c", "experiment", [cell("30")], "head"),
    ];
    const lines = groupChartLines(rows, ["head", "a", "b", "c"], 0, "epochs");
    expect(lines.map((l) => [l.label, l.members])).toEqual([
      ["head", [0]],
      ["epochs = 30 (2 runs)", [1, 3]],
      ["epochs = 40", [2]],
    ]);
    expect(new Set(lines.map((l) => l.colour)).size).toBe(3);
  });
});

describe("history", () => {
  // Workspace, HEAD and two older commits (newest first, as the API lists them), each
  // older one with an experiment of its own.
  const dated = (r: ExpRow, created: string | null): ExpRow => ({ ...r, created });
  const hist: ExperimentsView = {
    columns: [
      { kind: "param", file: "params.yaml", key: "lr" },
      { kind: "metric", file: "metrics.json", key: "acc" },
      { kind: "metric", file: "metrics.json", key: "only_once" },
    ],
    rows: [
      row("workspace", "workspace", [cell("0.3"), cell("0.7"), null]),
      dated(row("c3", "baseline", [cell("0.3"), cell("0.7"), null]), "2026-11-03T10:00:00"),
      dated(row("c2", "baseline", [cell("0.2"), cell("0.6"), cell("1")]), "2026-11-02T10:00:00"),
      row("x2a", "experiment", [cell("0.1"), cell("0.4"), null], "c2"),
      row("x2b", "experiment", [cell("0.5"), cell("0.9"), null], "c2"),
      dated(row("c1", "baseline", [cell("0.1"), cell("oops", null), null]), "2026-11-01T10:00:00"),
      row("x1", "experiment", [cell("0.2"), cell("0.8"), null], "c1"),
    ],
  };
  const ids = (rows: ExpRow[]) => rows.map((r) => r.id);

  it("keeps each commit's experiments under it, sorted within it", () => {
    expect(ids(sortRows(hist.rows, null))).toEqual(ids(hist.rows));
    expect(ids(sortRows(hist.rows, { column: 1, descending: true }))).toEqual(["workspace", "c3", "c2", "x2b", "x2a", "c1", "x1"]);
    // Shuffled input (experiments first) comes back in the same nesting.
    const shuffled = [...hist.rows].reverse();
    expect(ids(sortRows(shuffled, { column: 1, descending: false }))).toEqual(["workspace", "c1", "x1", "c2", "x2a", "x2b", "c3"]);
  });

  it("compares older commits with HEAD and experiments with their own commit", () => {
    const [, c3, c2, x2a] = hist.rows as [ExpRow, ExpRow, ExpRow, ExpRow];
    expect(differs(c3, hist.rows, 0)).toBe(false);
    expect(differs(c2, hist.rows, 0)).toBe(true);
    expect(differs(x2a, hist.rows, 0)).toBe(true);
    const same = { ...x2a, values: [cell("0.2"), cell("0.6"), null] };
    expect(differs(same, hist.rows, 0)).toBe(false);
  });

  it("charts each metric across the commits, oldest first, skipping what has no trend", () => {
    const t = commitTrends(hist, [0, 1, 2]);
    expect(t.labels).toEqual(["c1", "c2", "c3"]);
    expect(t.charts).toEqual([{ name: "metrics.json:acc", data: [[0, 1, 2], [null, 0.6, 0.7]] }]);
    // Without dates, the API's order (newest first) is reversed.
    const undated = { ...hist, rows: hist.rows.map((r) => ({ ...r, created: null })) };
    expect(commitTrends(undated, [1]).labels).toEqual(["c1", "c2", "c3"]);
    // One commit is no trend.
    expect(commitTrends(view, [0, 1, 2])).toEqual({ labels: [], charts: [] });
  });

  it("reads the stored history choice, HEAD alone for junk", () => {
    expect(parseHistory("20")).toBe("20");
    expect(parseHistory("branches-5")).toBe("branches-5");
    expect(parseHistory("all of it")).toBe("head");
    expect(parseHistory(null)).toBe("head");
  });
});

describe("table formats", () => {
  const cells = [
    ["Experiment", "lr", "acc"],
    ["bold_beam #1", "0.05", "0.9"],
    ["a|b & 50%", "0.1", ""],
  ];

  it("writes Markdown with numeric columns right-aligned and pipes escaped", () => {
    expect(formatTable(cells, "markdown")).toBe(
      ["| Experiment | lr | acc |", "| --- | ---: | ---: |", "| bold_beam #1 | 0.05 | 0.9 |", "| a\\|b & 50% | 0.1 |  |"].join("\n"),
    );
  });

  it("writes a LaTeX tabular with booktabs rules and specials escaped", () => {
    expect(formatTable(cells, "latex")).toBe(
      [
        "\\begin{tabular}{lrr}",
        "\\toprule",
        "Experiment & lr & acc \\\\",
        "\\midrule",
        "bold\\_beam \\#1 & 0.05 & 0.9 \\\\",
        "a|b \\& 50\\% & 0.1 &  \\\\",
        "\\bottomrule",
        "\\end{tabular}",
      ].join("\n"),
    );
  });

  it("keeps one line per row in every format", () => {
    const multi = [["Note"], ["line one\nline two\tend"]];
    expect(formatTable(multi, "tsv")).toBe("Note\nline one line two end");
    expect(formatTable(multi, "markdown").split("\n")).toHaveLength(3);
  });
});

describe("importedCounts", () => {
  const r = (id: string, source?: string): ExpRow =>
    ({ id, name: id, kind: "experiment", baseline: null, created: null, status: "success", error: null, values: [], note: null, source }) as ExpRow;
  it("counts each other tracker's runs, DVC's own rows not at all", () => {
    expect(importedCounts([r("a"), r("b")])).toEqual([]);
    expect(importedCounts([r("mlflow:1", "mlflow"), r("tb:x", "tensorboard"), r("tb:y", "tensorboard"), r("c")])).toEqual([
      "1 MLflow run",
      "2 TensorBoard runs",
    ]);
    expect(importedCounts([r("wandb:w/1", "wandb"), r("wandb:w/2", "wandb"), r("wandb:w/3", "wandb")])).toEqual(["3 W&B runs"]);
  });
});

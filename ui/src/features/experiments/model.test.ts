import { describe, expect, it } from "vitest";
import type { ExperimentsView, ExpRow } from "../../ipc";
import { alignSeries, differs, nextSelection, overrides, paramsOf, sortRows, visibleColumns } from "./model";

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

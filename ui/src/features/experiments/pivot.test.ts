import { describe, expect, it } from "vitest";
import type { ExpRow } from "../../ipc";
import { pivot, pivotCells, shade } from "./pivot";
import { formatTable } from "./model";

const row = (id: string, kind: ExpRow["kind"], lr: string | null, model: string | null, acc: number | null): ExpRow => ({
  id,
  name: id,
  kind,
  baseline: null,
  created: null,
  status: "success",
  error: null,
  note: null,
  values: [lr === null ? null : { text: lr, num: Number(lr) }, model === null ? null : { text: model, num: null }, acc === null ? null : { text: String(acc), num: acc }],
});

const rows = [
  row("ws", "workspace", "0.1", "cnn", 0.99),
  row("head", "baseline", "0.1", "cnn", 0.98),
  row("a", "experiment", "0.1", "cnn", 0.8),
  row("b", "experiment", "0.1", "cnn", 0.9),
  row("c", "experiment", "0.05", "rnn", 0.7),
  row("d", "experiment", "0.2", "cnn", null),
  row("e", "experiment", "0.2", null, 0.6),
];

describe("pivot", () => {
  it("puts each experiment in its cell, values in numeric order, no value last", () => {
    const p = pivot(rows, 0, 1, 2);
    expect(p.down).toEqual(["0.05", "0.1", "0.2"]);
    expect(p.across).toEqual(["cnn", "rnn", "—"]);
    const means = p.cells.map((line) => line.map((c) => (c ? Number(c.mean.toFixed(6)) : null)));
    // Workspace and baseline are left out; a run without the metric adds nothing.
    expect(means).toEqual([
      [null, 0.7, null],
      [0.85, null, null],
      [null, null, 0.6],
    ]);
    expect(p.cells[1]?.[0]?.n).toBe(2);
    expect(p.range?.lo).toBeCloseTo(0.6);
    expect(p.range?.hi).toBeCloseTo(0.85);
    expect(shade(p, p.range?.hi ?? 0)).toBe(1);
    expect(shade(p, 0.6)).toBe(0);
  });

  it("copies as a grid with both params named in the corner", () => {
    expect(formatTable(pivotCells(pivot(rows, 0, 1, 2), "lr", "model"), "tsv")).toBe(
      ["lr \\ model\tcnn\trnn\t—", "0.05\t\t0.7\t", "0.1\t0.85 ± 0.0707\t\t", "0.2\t\t\t0.6"].join("\n"),
    );
  });

  it("is empty without experiments", () => {
    const p = pivot(rows.slice(0, 2), 0, 1, 2);
    expect(p).toEqual({ down: [], across: [], cells: [], range: null });
  });
});

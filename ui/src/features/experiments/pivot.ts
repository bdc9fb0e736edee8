// Pivot tables of the experiments: one param down, another across, a metric's mean in
// each cell (sweeps of lr × batch size, model × data set). Kept free of React for tests.
import type { ExpRow } from "../../ipc";
import { aggregate, formatAggregate, type Aggregate } from "./model";

export type Pivot = {
  /** The values of the row param, then of the column param, in numeric or natural order. */
  down: string[];
  across: string[];
  /** `cells[i][j]`: the value column over the experiments with `down[i]` and `across[j]`. */
  cells: (Aggregate | null)[][];
  /** The lowest and highest cell mean, for shading; null without any. */
  range: { lo: number; hi: number } | null;
};

/** Values sorted as numbers when they all are, else naturally; "—" (no value) last. */
export function ordered(values: Set<string>): string[] {
  const all = [...values].filter((v) => v !== "—");
  const numeric = all.every((v) => v.trim() !== "" && Number.isFinite(Number(v)));
  all.sort(numeric ? (a, b) => Number(a) - Number(b) : (a, b) => a.localeCompare(b, undefined, { numeric: true }));
  return values.has("—") ? [...all, "—"] : all;
}

/**
 * The pivot of `value` over the experiments among `rows` by their `down` and `across`
 * columns (workspace and baselines are left out, as when grouping).
 */
export function pivot(rows: ExpRow[], down: number, across: number, value: number): Pivot {
  const runs = rows.filter((r) => r.kind === "experiment");
  const text = (r: ExpRow, c: number) => r.values[c]?.text ?? "—";
  const d = ordered(new Set(runs.map((r) => text(r, down))));
  const a = ordered(new Set(runs.map((r) => text(r, across))));
  const cells = d.map((dv) => a.map((av) => aggregate(runs.filter((r) => text(r, down) === dv && text(r, across) === av), value)));
  const means = cells.flat().flatMap((c) => (c ? [c.mean] : []));
  const range = means.length ? { lo: Math.min(...means), hi: Math.max(...means) } : null;
  return { down: d, across: a, cells, range };
}

/** Where a mean sits between the lowest and highest cell, 0 to 1 (0.5 when all are equal). */
export function shade(p: Pivot, mean: number): number {
  if (!p.range) return 0;
  const { lo, hi } = p.range;
  return hi > lo ? (mean - lo) / (hi - lo) : 0.5;
}

/** The pivot as text cells: a corner naming both params, then one line per row value. */
export function pivotCells(p: Pivot, downKey: string, acrossKey: string): string[][] {
  const head = [`${downKey} \\ ${acrossKey}`, ...p.across];
  const lines = p.down.map((dv, i) => [dv, ...(p.cells[i] ?? []).map((c) => (c ? formatAggregate(c) : ""))]);
  return [head, ...lines];
}

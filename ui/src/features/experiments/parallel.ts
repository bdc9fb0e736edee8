// Parallel coordinates of the experiments: one vertical axis per param or metric, one
// line per row through its values, so a sweep's good region shows as a bundle. Axes
// can be brushed (a range kept per axis); a row passes when it is inside every brush.
// Kept free of React for tests.
import type { ExperimentsView, ExpRow } from "../../ipc";
import { ordered } from "./pivot";

/** An axis: numbers spread from their lowest to highest value, or text values evenly. */
export type Axis =
  | { column: number; label: string; kind: "number"; lo: number; hi: number }
  | { column: number; label: string; kind: "category"; values: string[] };

/** A kept range on one axis, as positions from 0 (bottom) to 1 (top), `lo <= hi`. */
export type Brush = { lo: number; hi: number };

/** The axes for `columns` over `rows`: numeric where every value present is a number. */
export function axes(view: ExperimentsView, rows: ExpRow[], columns: number[]): Axis[] {
  return columns.flatMap((column): Axis[] => {
    const c = view.columns[column];
    if (!c) return [];
    const label = c.stat ? `${c.key} (${c.stat.stat})` : c.key;
    const cells = rows.flatMap((r) => (r.values[column] ? [r.values[column]] : []));
    if (cells.length === 0) return [];
    const nums = cells.map((x) => x.num);
    if (nums.every((n): n is number => typeof n === "number" && Number.isFinite(n))) {
      return [{ column, label, kind: "number", lo: Math.min(...nums), hi: Math.max(...nums) }];
    }
    return [{ column, label, kind: "category", values: ordered(new Set(cells.map((x) => x.text))) }];
  });
}

/** Where `row` sits on `axis`, 0 (bottom) to 1 (top); null without a value there. */
export function position(axis: Axis, row: ExpRow): number | null {
  const cell = row.values[axis.column];
  if (!cell) return null;
  if (axis.kind === "number") {
    if (cell.num === null || !Number.isFinite(cell.num)) return null;
    return axis.hi > axis.lo ? (cell.num - axis.lo) / (axis.hi - axis.lo) : 0.5;
  }
  const i = axis.values.indexOf(cell.text);
  if (i < 0) return null;
  return axis.values.length > 1 ? i / (axis.values.length - 1) : 0.5;
}

/** The rows inside every brush (by axis column); a row without a value on a brushed axis is out. */
export function brushed(rows: ExpRow[], axisList: Axis[], brushes: ReadonlyMap<number, Brush>): ExpRow[] {
  const active = axisList.filter((a) => brushes.has(a.column));
  return rows.filter((r) =>
    active.every((a) => {
      const b = brushes.get(a.column);
      const p = position(a, r);
      return b !== undefined && p !== null && p >= b.lo - 1e-9 && p <= b.hi + 1e-9;
    }),
  );
}

/** The value at position `p` of a numeric axis, or the category there; for brush labels. */
export function valueAt(axis: Axis, p: number): string {
  if (axis.kind === "category") return axis.values[Math.round(p * (axis.values.length - 1))] ?? "";
  return String(Number((axis.lo + p * (axis.hi - axis.lo)).toPrecision(4)));
}

/** Tick labels of an axis, bottom to top: lowest, middle and highest number, or every category. */
export function ticks(axis: Axis): { at: number; label: string }[] {
  if (axis.kind === "category") return axis.values.map((v, i) => ({ at: axis.values.length > 1 ? i / (axis.values.length - 1) : 0.5, label: v }));
  if (axis.hi === axis.lo) return [{ at: 0.5, label: valueAt(axis, 0) }];
  return [0, 0.5, 1].map((at) => ({ at, label: valueAt(axis, at) }));
}

// Viridis, sampled: readable on light and dark backgrounds and in grey.
const RAMP = ["#440154", "#3b528b", "#21918c", "#5ec962", "#fde725"];

/** A colour from the ramp for `t` in 0..1 (clamped); grey for a row without a value. */
export function rampColour(t: number | null): string {
  if (t === null || !Number.isFinite(t)) return "#9aa0aa";
  const x = Math.min(1, Math.max(0, t)) * (RAMP.length - 1);
  const i = Math.min(RAMP.length - 2, Math.floor(x));
  const f = x - i;
  const mix = (a: string, b: string, k: number) => Math.round(parseInt(a, 16) * (1 - k) + parseInt(b, 16) * k);
  const [a, b] = [RAMP[i] ?? "#000000", RAMP[i + 1] ?? "#000000"];
  const ch = (o: number) => mix(a.slice(o, o + 2), b.slice(o, o + 2), f).toString(16).padStart(2, "0");
  return `#${ch(1)}${ch(3)}${ch(5)}`;
}

import { describe, expect, it } from "vitest";
import type { ExperimentsView, ExpRow } from "../../ipc";
import { axes, brushed, position, rampColour, ticks, valueAt, type Brush } from "./parallel";

const row = (id: string, lr: number | null, model: string | null, acc: number | null): ExpRow => ({
  id,
  name: id,
  kind: "experiment",
  baseline: null,
  created: null,
  status: "success",
  error: null,
  note: null,
  values: [lr === null ? null : { text: String(lr), num: lr }, model === null ? null : { text: model, num: null }, acc === null ? null : { text: String(acc), num: acc }],
});

const view: ExperimentsView = {
  columns: [
    { kind: "param", file: "params.yaml", key: "lr" },
    { kind: "param", file: "params.yaml", key: "model" },
    { kind: "metric", file: "metrics.json", key: "acc" },
  ],
  rows: [],
} as unknown as ExperimentsView;

const rows = [row("a", 0.1, "cnn", 0.8), row("b", 0.3, "rnn", 0.9), row("c", 0.2, "cnn", null), row("d", null, "mlp", 0.5)];

describe("parallel coordinates", () => {
  it("makes numeric axes from the values' range and category axes in natural order", () => {
    const [lr, model, acc] = axes(view, rows, [0, 1, 2]);
    expect(lr).toEqual({ column: 0, label: "lr", kind: "number", lo: 0.1, hi: 0.3 });
    expect(model).toEqual({ column: 1, label: "model", kind: "category", values: ["cnn", "mlp", "rnn"] });
    expect(acc).toMatchObject({ kind: "number", lo: 0.5, hi: 0.9 });
    expect(axes(view, [row("x", null, null, null)], [0, 1, 2])).toEqual([]);
  });

  it("places rows along each axis, bottom 0 to top 1, and nothing where a value is missing", () => {
    const [lr, model] = axes(view, rows, [0, 1]);
    expect(position(lr!, rows[0]!)).toBeCloseTo(0);
    expect(position(lr!, rows[1]!)).toBeCloseTo(1);
    expect(position(lr!, rows[2]!)).toBeCloseTo(0.5);
    expect(position(lr!, rows[3]!)).toBeNull();
    expect(position(model!, rows[3]!)).toBe(0.5);
    expect(position(model!, rows[1]!)).toBe(1);
    // One value only: the middle.
    const [flat] = axes(view, [rows[0]!], [0]);
    expect(position(flat!, rows[0]!)).toBe(0.5);
  });

  it("keeps the rows inside every brush, and drops those without a value on a brushed axis", () => {
    const list = axes(view, rows, [0, 1, 2]);
    expect(brushed(rows, list, new Map()).map((r) => r.id)).toEqual(["a", "b", "c", "d"]);
    const upperLr = new Map<number, Brush>([[0, { lo: 0.4, hi: 1 }]]);
    expect(brushed(rows, list, upperLr).map((r) => r.id)).toEqual(["b", "c"]);
    const andGoodAcc = new Map<number, Brush>([...upperLr, [2, { lo: 0.5, hi: 1 }]]);
    expect(brushed(rows, list, andGoodAcc).map((r) => r.id)).toEqual(["b"]);
  });

  it("labels axes with their range or categories, and colours along a ramp", () => {
    const [lr, model] = axes(view, rows, [0, 1]);
    expect(ticks(lr!).map((t) => t.label)).toEqual(["0.1", "0.2", "0.3"]);
    expect(ticks(model!).map((t) => [t.at, t.label])).toEqual([
      [0, "cnn"],
      [0.5, "mlp"],
      [1, "rnn"],
    ]);
    expect(valueAt(model!, 0.9)).toBe("rnn");
    expect(rampColour(0)).toBe("#440154");
    expect(rampColour(1)).toBe("#fde725");
    expect(rampColour(2)).toBe("#fde725");
    expect(rampColour(null)).toBe("#9aa0aa");
  });
});

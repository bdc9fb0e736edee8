import { describe, expect, it } from "vitest";
import type { ExpColumn, ExpRow } from "../../ipc";
import { evaluate, formatValue, FormulaError, parseDerived, parseFormula, withDerived } from "./formula";

const columns: ExpColumn[] = [
  { kind: "param", file: "params.yaml", key: "train.epochs" },
  { kind: "metric", file: "metrics.json", key: "accuracy" },
  { kind: "metric", file: "metrics.json", key: "loss" },
  { kind: "metric", file: "eval.json", key: "loss" },
  { kind: "metric", file: "metrics.json", key: "train/loss" },
  { kind: "param", file: "params.yaml", key: "name" },
];
const row = (values: (number | string | null)[]): ExpRow => ({
  id: "r",
  name: "r",
  kind: "experiment",
  baseline: null,
  created: null,
  status: "success",
  error: null,
  note: null,
  values: values.map((v) => (v === null ? null : { text: String(v), num: typeof v === "number" ? v : null })),
});
const r = row([20, 0.9, 0.25, 0.5, 1.5, "cnn"]);
const calc = (src: string, at: ExpRow = r) => evaluate(parseFormula(src, columns), at);
const failure = (src: string) => {
  try {
    parseFormula(src, columns);
  } catch (e) {
    if (e instanceof FormulaError) return { message: e.message, at: e.at };
    throw e;
  }
  throw new Error(`${src} parsed`);
};

describe("formulas", () => {
  it("does arithmetic with the usual precedence", () => {
    expect(calc("1 + 2 * 3")).toBe(7);
    expect(calc("(1 + 2) * 3")).toBe(9);
    expect(calc("2 ^ 3 ^ 2")).toBe(512);
    expect(calc("-2 ^ 2")).toBe(-4);
    expect(calc("10 - 4 - 3")).toBe(3);
    expect(calc("1e3 / .5")).toBe(2000);
  });

  it("reads columns by key, dotted keys bare, others in brackets, file-qualified when a key repeats", () => {
    expect(calc("accuracy / train.epochs")).toBeCloseTo(0.045);
    expect(calc("[train/loss] * 2")).toBe(3);
    expect(calc("[eval.json:loss] - [metrics.json:loss]")).toBe(0.25);
    expect(calc("max(accuracy, [eval.json:loss], 0.1) + min(1, 2)")).toBe(1.9);
    expect(calc("sqrt(abs(-16)) + log10(100) + log(exp(1))")).toBe(7);
  });

  it("has no value where a value it reads is missing or not a number", () => {
    expect(calc("accuracy * 2", row([20, null, 0.25, 0.5, 1, "x"]))).toBeNull();
    expect(calc("name + 1")).toBeNull();
  });

  it("names what is wrong and where", () => {
    expect(failure("loss * 2")).toEqual({ message: "`loss` is in metrics.json and eval.json: write [metrics.json:loss]", at: 0 });
    expect(failure("accuracy + recall")).toEqual({ message: "no param or metric `recall`", at: 11 });
    expect(failure("median(accuracy)").message).toMatch(/^no function `median`/);
    expect(failure("sqrt(1, 2)").message).toBe("sqrt takes 1 argument");
    expect(failure("(accuracy")).toEqual({ message: "expected `)`", at: 9 });
    expect(failure("accuracy *")).toEqual({ message: "the formula ends too early", at: 10 });
    expect(failure("accuracy 2")).toEqual({ message: "unexpected text after the formula", at: 9 });
    expect(failure("[train/loss").message).toMatch(/not closed/);
    expect(failure("accuracy % 2")).toEqual({ message: "unexpected `%`: use numbers, column keys, + - * / ^, ( ) and functions", at: 9 });
  });

  it("formats six significant digits, and says nan and inf", () => {
    expect(formatValue(0.1 + 0.2)).toBe("0.3");
    expect(formatValue(1234567)).toBe("1234570");
    expect(formatValue(Math.sqrt(-1))).toBe("nan");
    expect(formatValue(-1 / 0)).toBe("-inf");
  });
});

describe("derived columns", () => {
  const view = { columns, rows: [r, row([10, 0.8, 0.3, 0.6, 2, "rnn"])] };

  it("appends one metric column per formula, computed for every row", () => {
    const { view: out, problems } = withDerived(view, [
      { name: "acc per epoch", formula: "accuracy / train.epochs" },
      { name: "broken", formula: "recall * 2" },
      { name: "inverse", formula: "1 / (accuracy - 0.9)" },
    ]);
    expect(problems).toEqual([{ name: "broken", message: "no param or metric `recall`" }]);
    expect(out.columns.slice(6)).toEqual([
      { kind: "metric", file: "", key: "acc per epoch", formula: "accuracy / train.epochs" },
      { kind: "metric", file: "", key: "inverse", formula: "1 / (accuracy - 0.9)" },
    ]);
    expect(out.rows.map((x) => x.values.slice(6))).toEqual([
      [{ text: "0.045", num: 0.045 }, { text: "inf", num: null }],
      [{ text: "0.08", num: 0.08 }, { text: "-10", num: -10.000000000000002 }],
    ]);
    // The input is untouched.
    expect(view.rows[0]?.values.length).toBe(6);
  });

  it("reads what it stored, and nothing from junk", () => {
    expect(parseDerived('[{"name":"a","formula":"1"},{"name":2},"x"]')).toEqual([{ name: "a", formula: "1" }]);
    expect(parseDerived("{}")).toEqual([]);
    expect(parseDerived("nope")).toEqual([]);
  });
});

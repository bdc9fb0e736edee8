// Derived columns: a small arithmetic language over a row's params and metrics
// (`accuracy / train.epochs`, `[train/loss] * 100`, `max(recall.a, recall.b)`), parsed
// once and evaluated per row. Kept free of React for unit tests.
import type { ExpColumn, ExpRow } from "../../ipc";

/** A parsed formula: a tree over column indices. */
export type Formula =
  | { op: "num"; value: number }
  | { op: "col"; column: number }
  | { op: "neg"; arg: Formula }
  | { op: "bin"; fn: "+" | "-" | "*" | "/" | "^"; left: Formula; right: Formula }
  | { op: "call"; fn: FnName; args: Formula[] };

const FUNCTIONS = {
  abs: [1, 1],
  sqrt: [1, 1],
  log: [1, 1],
  log10: [1, 1],
  exp: [1, 1],
  min: [1, Infinity],
  max: [1, Infinity],
} as const;
type FnName = keyof typeof FUNCTIONS;

/** Why a formula does not parse, and where (a character offset into it). */
export class FormulaError extends Error {
  constructor(
    message: string,
    readonly at: number,
  ) {
    super(message);
  }
}

type Token =
  | { t: "num"; value: number; at: number }
  | { t: "name"; text: string; bracketed: boolean; at: number }
  | { t: "sym"; text: string; at: number }
  | { t: "end"; at: number };

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i] ?? "";
    if (/\s/.test(ch)) {
      i++;
    } else if (/[0-9.]/.test(ch) && /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.test(src.slice(i))) {
      const m = /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(src.slice(i)) as RegExpExecArray;
      out.push({ t: "num", value: Number(m[0]), at: i });
      i += m[0].length;
    } else if (ch === "[") {
      const end = src.indexOf("]", i);
      if (end < 0) throw new FormulaError("a `[` is not closed: write [file:key] or [key]", i);
      const text = src.slice(i + 1, end).trim();
      if (!text) throw new FormulaError("empty [ ]: put a column's key in it", i);
      out.push({ t: "name", text, bracketed: true, at: i });
      i = end + 1;
    } else if (/[A-Za-z_]/.test(ch)) {
      const m = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(src.slice(i)) as RegExpExecArray;
      out.push({ t: "name", text: m[0], bracketed: false, at: i });
      i += m[0].length;
    } else if ("+-*/^(),".includes(ch)) {
      out.push({ t: "sym", text: ch, at: i });
      i++;
    } else {
      throw new FormulaError(`unexpected \`${ch}\`: use numbers, column keys, + - * / ^, ( ) and functions`, i);
    }
  }
  out.push({ t: "end", at: src.length });
  return out;
}

/** The column a name refers to: `file:key` exactly, else a param or metric `key` in one file. */
function resolve(name: string, columns: ExpColumn[], at: number): number {
  const usable = columns.map((c, i) => ({ c, i })).filter(({ c }) => c.kind !== "series");
  const exact = usable.find(({ c }) => `${c.file}:${c.key}` === name);
  if (exact) return exact.i;
  const byKey = usable.filter(({ c }) => c.key === name);
  if (byKey.length === 1) return (byKey[0] as { i: number }).i;
  if (byKey.length > 1)
    throw new FormulaError(`\`${name}\` is in ${byKey.map(({ c }) => c.file).join(" and ")}: write [${byKey[0]?.c.file}:${name}]`, at);
  throw new FormulaError(`no param or metric \`${name}\``, at);
}

/**
 * Parses `src` against the table's columns. Precedence: `^` (right-associative) over
 * unary minus over `* /` over `+ -`. Throws a [`FormulaError`] naming the problem.
 */
export function parseFormula(src: string, columns: ExpColumn[]): Formula {
  const tokens = tokenize(src);
  let pos = 0;
  const peek = () => tokens[pos] as Token;
  const next = () => tokens[pos++] as Token;
  const isSym = (tok: Token, text: string) => tok.t === "sym" && tok.text === text;
  const expect = (text: string) => {
    const tok = next();
    if (!isSym(tok, text)) throw new FormulaError(`expected \`${text}\``, tok.at);
  };

  const sum = (): Formula => {
    let left = product();
    for (let tok = peek(); isSym(tok, "+") || isSym(tok, "-"); tok = peek()) {
      next();
      left = { op: "bin", fn: (tok as { text: "+" | "-" }).text, left, right: product() };
    }
    return left;
  };
  const product = (): Formula => {
    let left = unary();
    for (let tok = peek(); isSym(tok, "*") || isSym(tok, "/"); tok = peek()) {
      next();
      left = { op: "bin", fn: (tok as { text: "*" | "/" }).text, left, right: unary() };
    }
    return left;
  };
  const unary = (): Formula => {
    if (isSym(peek(), "-")) {
      next();
      return { op: "neg", arg: unary() };
    }
    if (isSym(peek(), "+")) {
      next();
      return unary();
    }
    return power();
  };
  const power = (): Formula => {
    const base = atom();
    if (isSym(peek(), "^")) {
      next();
      return { op: "bin", fn: "^", left: base, right: unary() };
    }
    return base;
  };
  const atom = (): Formula => {
    const tok = next();
    if (tok.t === "num") return { op: "num", value: tok.value };
    if (tok.t === "name") {
      if (!tok.bracketed && isSym(peek(), "(")) {
        if (!(tok.text in FUNCTIONS))
          throw new FormulaError(`no function \`${tok.text}\`: there are ${Object.keys(FUNCTIONS).join(", ")}`, tok.at);
        const fn = tok.text as FnName;
        next();
        const args: Formula[] = [];
        if (!isSym(peek(), ")")) {
          args.push(sum());
          while (isSym(peek(), ",")) {
            next();
            args.push(sum());
          }
        }
        expect(")");
        const [lo, hi] = FUNCTIONS[fn];
        if (args.length < lo || args.length > hi)
          throw new FormulaError(`${fn} takes ${lo === hi ? lo : `${lo} or more`} argument${hi === 1 ? "" : "s"}`, tok.at);
        return { op: "call", fn, args };
      }
      return { op: "col", column: resolve(tok.text, columns, tok.at) };
    }
    if (isSym(tok, "(")) {
      const inner = sum();
      expect(")");
      return inner;
    }
    throw new FormulaError(tok.t === "end" ? "the formula ends too early" : `unexpected \`${tok.t === "sym" ? tok.text : ""}\``, tok.at);
  };

  const f = sum();
  const rest = peek();
  if (rest.t !== "end") throw new FormulaError("unexpected text after the formula", rest.at);
  return f;
}

/** The formula's value for `row`; null when a value it uses is missing or not a number. */
export function evaluate(f: Formula, row: ExpRow): number | null {
  switch (f.op) {
    case "num":
      return f.value;
    case "col": {
      const v = row.values[f.column]?.num;
      return typeof v === "number" ? v : null;
    }
    case "neg": {
      const v = evaluate(f.arg, row);
      return v === null ? null : -v;
    }
    case "bin": {
      const a = evaluate(f.left, row);
      const b = evaluate(f.right, row);
      if (a === null || b === null) return null;
      switch (f.fn) {
        case "+":
          return a + b;
        case "-":
          return a - b;
        case "*":
          return a * b;
        case "/":
          return a / b;
        case "^":
          return a ** b;
      }
      return null;
    }
    case "call": {
      const args = f.args.map((a) => evaluate(a, row));
      if (args.some((a) => a === null)) return null;
      const xs = args as number[];
      const x = xs[0] as number;
      switch (f.fn) {
        case "abs":
          return Math.abs(x);
        case "sqrt":
          return Math.sqrt(x);
        case "log":
          return Math.log(x);
        case "log10":
          return Math.log10(x);
        case "exp":
          return Math.exp(x);
        case "min":
          return Math.min(...xs);
        case "max":
          return Math.max(...xs);
      }
    }
  }
}

/** A value as the table shows it: six significant digits, no trailing zeros. */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return "nan";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
  return String(Number(v.toPrecision(6)));
}

/** A derived column as the user wrote it. */
export type Derived = { name: string; formula: string };

/** A table column; derived ones carry their formula. */
export type ViewColumn = ExpColumn & { formula?: string };

/** Derived columns kept in localStorage; anything unreadable is none. */
export function parseDerived(stored: string | null): Derived[] {
  if (!stored) return [];
  try {
    const v: unknown = JSON.parse(stored);
    if (!Array.isArray(v)) return [];
    return v.flatMap((d: unknown) => {
      if (typeof d !== "object" || d === null) return [];
      const { name, formula } = d as Record<string, unknown>;
      return typeof name === "string" && typeof formula === "string" ? [{ name, formula }] : [];
    });
  } catch {
    return [];
  }
}

/**
 * The table with one more metric column per derived column, computed for every row
 * (after the columns it reads, which keep their indices). A formula that no longer
 * parses (a column it names went away) adds no column and is named in `problems`.
 */
export function withDerived<V extends { columns: ExpColumn[]; rows: ExpRow[] }>(
  view: V,
  derived: Derived[],
): { view: V; problems: { name: string; message: string }[] } {
  const problems: { name: string; message: string }[] = [];
  const parsed: { d: Derived; f: Formula }[] = [];
  for (const d of derived) {
    try {
      parsed.push({ d, f: parseFormula(d.formula, view.columns) });
    } catch (e) {
      problems.push({ name: d.name, message: e instanceof Error ? e.message : String(e) });
    }
  }
  if (parsed.length === 0) return { view, problems };
  const columns: ViewColumn[] = [...view.columns, ...parsed.map(({ d }) => ({ kind: "metric" as const, file: "", key: d.name, formula: d.formula }))];
  const rows = view.rows.map((r) => ({
    ...r,
    values: [
      ...r.values,
      ...parsed.map(({ f }) => {
        const v = evaluate(f, r);
        return v === null ? null : { text: formatValue(v), num: Number.isFinite(v) ? v : null };
      }),
    ],
  }));
  return { view: { ...view, columns, rows }, problems };
}

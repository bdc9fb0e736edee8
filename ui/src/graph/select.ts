import type { PipelineView, StageState } from "../ipc";

/**
 * Stage selection in the dbt/Dagster style, for large pipelines: terms separated by spaces
 * or commas, each adding stages to the selection.
 *
 * - `train`: the stage (by address `sub/dvc.yaml:train` or name; `*` matches any run of
 *   characters, so `eval@*` is a whole foreach group);
 * - `+train` / `train+`: with everything upstream / downstream; `2+train` / `train+1`: up to
 *   that many steps;
 * - `@train`: the stage, everything downstream, and everything those need (what a rebuild
 *   from it reads);
 * - `state:stale` (or `up_to_date`, `failed`, `frozen`…): stages in that state.
 */
export type Selection = { ids: Set<string>; unmatched: string[] };

type Graph = Pick<PipelineView, "stages" | "edges">;

const TERM = /^(@)?(?:(\d*)\+)?(.+?)(?:\+(\d*))?$/;

function globRegex(glob: string): RegExp {
  const escaped = glob.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*");
  return new RegExp(`^${escaped}$`);
}

/** Ids reachable from `start` following edges `dir`ward, up to `depth` steps (∞ if null). */
function walk(g: Graph, start: Iterable<string>, dir: "up" | "down", depth: number | null): Set<string> {
  const seen = new Set(start);
  let frontier = [...seen];
  for (let step = 0; frontier.length && (depth === null || step < depth); step++) {
    const next: string[] = [];
    for (const e of g.edges) {
      const [from, to] = dir === "down" ? [e.source, e.target] : [e.target, e.source];
      if (frontier.includes(from) && !seen.has(to)) {
        seen.add(to);
        next.push(to);
      }
    }
    frontier = next;
  }
  return seen;
}

function matching(g: Graph, pattern: string): string[] {
  if (pattern.startsWith("state:")) {
    const state = pattern.slice("state:".length) as StageState;
    return g.stages.filter((s) => s.state === state && !s.isDataSource).map((s) => s.id);
  }
  const re = globRegex(pattern);
  return g.stages.filter((s) => !s.isDataSource && (re.test(s.id) || re.test(s.name))).map((s) => s.id);
}

/** The stages `query` selects in `g`; `null` for an empty query (everything). */
export function selectStages(g: Graph, query: string): Selection | null {
  const terms = query.split(/[\s,]+/).filter(Boolean);
  if (terms.length === 0) return null;
  const ids = new Set<string>();
  const unmatched: string[] = [];
  for (const term of terms) {
    const m = TERM.exec(term);
    const [, at, up, pattern, down] = m ?? [];
    const base = pattern ? matching(g, pattern) : [];
    if (base.length === 0) {
      unmatched.push(term);
      continue;
    }
    const depth = (d: string | undefined) => (d === undefined ? undefined : d === "" ? null : Number(d));
    let picked = new Set(base);
    if (at) {
      const downstream = walk(g, base, "down", null);
      picked = walk(g, downstream, "up", null);
    } else {
      const u = depth(up);
      const d = depth(down);
      if (u !== undefined) for (const id of walk(g, base, "up", u)) picked.add(id);
      if (d !== undefined) for (const id of walk(g, base, "down", d)) picked.add(id);
    }
    for (const id of picked) ids.add(id);
  }
  return { ids, unmatched };
}

/** The `cairn repro` command that runs exactly `ids` (each stage alone, in graph order). */
export function reproCommand(g: Graph, ids: ReadonlySet<string>): string {
  const order = g.stages.filter((s) => ids.has(s.id) && !s.isDataSource).map((s) => s.id);
  const quote = (s: string) => (/^[\w@./:-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
  return ["cairn repro --single-item", ...order.map(quote)].join(" ");
}

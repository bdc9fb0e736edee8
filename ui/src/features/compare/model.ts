// Pure helpers of the comparison across projects, kept free of React for unit tests.
import type { ComparedRow, ExperimentsView, ProjectsComparison } from "../../ipc";
import { compareCells, type SortKey } from "../experiments/model";

/** The comparison as one experiments table (its rows in the comparison's order). */
export function asView(c: ProjectsComparison): ExperimentsView {
  return { columns: c.columns, rows: c.rows.map((r) => r.row) };
}

/** A row's identity: ids repeat across projects (every project has a `workspace`). */
export function rowKey(r: ComparedRow): string {
  return `${r.project}\u0000${r.row.id}`;
}

/**
 * Rows in table order: as listed (project by project) without a sort; sorted by a
 * column across every project otherwise, rows without a value last either way.
 */
export function sortCompared(rows: ComparedRow[], sort: SortKey): ComparedRow[] {
  if (!sort) return rows;
  const dir = sort.descending ? -1 : 1;
  return [...rows].sort((a, b) => {
    const x = a.row.values[sort.column];
    const y = b.row.values[sort.column];
    const c = compareCells(x, y);
    if (c === null) return x ? -1 : y ? 1 : 0;
    return c * dir;
  });
}

/**
 * What to ask `metric_series` for the charted rows (`keys`, by [`rowKey`]): one request
 * per project, with each row's id there and its key here.
 */
export function seriesRequests(rows: ComparedRow[], keys: string[]): { project: string; revs: { id: string; key: string }[] }[] {
  const byProject = new Map<string, { id: string; key: string }[]>();
  for (const key of keys) {
    const r = rows.find((x) => rowKey(x) === key);
    if (!r) continue;
    byProject.set(r.project, [...(byProject.get(r.project) ?? []), { id: r.row.id, key }]);
  }
  return [...byProject].map(([project, revs]) => ({ project, revs }));
}

import { describe, expect, it } from "vitest";
import type { ComparedRow, ProjectsComparison } from "../../ipc";
import { asView, rowKey, seriesRequests, sortCompared } from "./model";
import { tableTsv, visibleColumns } from "../experiments/model";

const cell = (text: string) => ({ text, num: Number.isNaN(Number(text)) ? null : Number(text) });
const compared = (project: string, id: string, kind: "workspace" | "baseline" | "experiment", values: (string | null)[]): ComparedRow => ({
  project,
  row: { id, name: id, kind, baseline: null, created: null, status: "success", error: null, note: null, values: values.map((v) => (v === null ? null : cell(v))) },
});

const comparison: ProjectsComparison = {
  projects: [
    { path: "/p/a", name: "a", error: null },
    { path: "/p/b", name: "b", error: null },
  ],
  columns: [
    { kind: "param", file: "params.yaml", key: "lr" },
    { kind: "param", file: "params.yaml", key: "seed" },
    { kind: "metric", file: "metrics.json", key: "acc" },
  ],
  rows: [
    compared("/p/a", "main", "baseline", ["0.1", "1", "0.5"]),
    compared("/p/b", "workspace", "workspace", ["0.2", "1", null]),
    compared("/p/b", "main", "baseline", ["0.2", "1", "0.9"]),
    compared("/p/b", "e1", "experiment", ["0.3", "1", "0.7"]),
  ],
};

describe("comparison across projects", () => {
  it("sorts across projects by a column, missing values last, and keeps the listed order unsorted", () => {
    const keys = (rows: ComparedRow[]) => rows.map((r) => `${r.project}:${r.row.id}`);
    expect(keys(sortCompared(comparison.rows, null))).toEqual(["/p/a:main", "/p/b:workspace", "/p/b:main", "/p/b:e1"]);
    expect(keys(sortCompared(comparison.rows, { column: 2, descending: true }))).toEqual(["/p/b:main", "/p/b:e1", "/p/a:main", "/p/b:workspace"]);
    expect(keys(sortCompared(comparison.rows, { column: 2, descending: false }))).toEqual(["/p/a:main", "/p/b:e1", "/p/b:main", "/p/b:workspace"]);
  });

  it("tells rows of the same id in two projects apart", () => {
    const [a, , b] = comparison.rows as [ComparedRow, ComparedRow, ComparedRow];
    expect(a.row.id).toBe(b.row.id);
    expect(rowKey(a)).not.toBe(rowKey(b));
  });

  it("hides params the same everywhere and copies with the project first", () => {
    const view = asView(comparison);
    expect(visibleColumns(view, true)).toEqual([0, 2]);
    const names: Record<string, string> = { "/p/a": "a", "/p/b": "b" };
    const tsv = tableTsv(view, view.rows.slice(0, 2), [0, 2], { title: "Project", of: (_, i) => names[comparison.rows[i]?.project ?? ""] ?? "" });
    expect(tsv).toBe("Project\tExperiment\tCreated\tparams.yaml:lr\tmetrics.json:acc\na\tmain\t\t0.1\t0.5\nb\tworkspace\t\t0.2\t");
  });

  it("asks each project for the series of its charted rows", () => {
    const [a, bWs, bMain] = comparison.rows as [ComparedRow, ComparedRow, ComparedRow];
    expect(seriesRequests(comparison.rows, [rowKey(bMain), rowKey(a), "gone", rowKey(bWs)])).toEqual([
      { project: "/p/b", revs: [{ id: "main", key: rowKey(bMain) }, { id: "workspace", key: rowKey(bWs) }] },
      { project: "/p/a", revs: [{ id: "main", key: rowKey(a) }] },
    ]);
  });
});

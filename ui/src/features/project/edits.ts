import type { PipelineEdit, PipelineView, StageEdge } from "../../ipc";

/** Non-empty trimmed lines of a text box (one path or command per line). */
export function lines(text: string): string[] {
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
}

/** Outputs of `source` that could be wired into `target` (those it does not use yet). */
export function wireChoices(view: Pick<PipelineView, "stages" | "edges">, source: string, target: string): string[] {
  const outs = view.stages.find((s) => s.id === source)?.outs ?? [];
  const used = new Set(view.edges.filter((e) => e.source === source && e.target === target).flatMap((e) => e.paths));
  return outs.filter((o) => !used.has(o));
}

/** Whether a new wire from `source` into `target` is worth offering. */
export function canWire(view: Pick<PipelineView, "stages">, source: string | null, target: string | null): boolean {
  if (!source || !target || source === target) return false;
  const t = view.stages.find((s) => s.id === target);
  const s = view.stages.find((x) => x.id === source);
  return !!t && !!s && t.editable && s.outs.length > 0;
}

/** The edits that cut an edge: the consumer stops depending on what the producer feeds it. */
export function unwire(edge: Pick<StageEdge, "target" | "paths">): PipelineEdit[] {
  return edge.paths.map((path) => ({ kind: "remove_dep", stage: edge.target, path }));
}

/** Every output in the project, for path suggestions. */
export function knownOutputs(view: Pick<PipelineView, "stages">): string[] {
  return [...new Set(view.stages.flatMap((s) => s.outs))].sort();
}

import type { Edge, Node } from "@xyflow/react";
import type { PipelineView, StageNode } from "../ipc";

/** Node size used by the layout and the renderer (they must agree). */
export const NODE_WIDTH = 200;
export const NODE_HEIGHT = 72;

/** Data carried by a stage node on the canvas. */
export type StageNodeData = { stage: StageNode; selected: boolean };
export type StageFlowNode = Node<StageNodeData, "stage">;

/** The input of the layered layout (ELK JSON), built without React so it can be tested. */
export interface LayoutInput {
  id: string;
  layoutOptions: Record<string, string>;
  children: { id: string; width: number; height: number }[];
  edges: { id: string; sources: string[]; targets: string[] }[];
}

/** Node positions by id (top-left corner). */
export type Positions = Record<string, { x: number; y: number }>;

export function edgeId(source: string, target: string): string {
  return `${source}->${target}`;
}

/** ELK input for a pipeline: left-to-right layers, edges only between known stages. */
export function layoutInput(view: Pick<PipelineView, "stages" | "edges">): LayoutInput {
  const ids = new Set(view.stages.map((s) => s.id));
  return {
    id: "root",
    layoutOptions: {
      "elk.algorithm": "layered",
      "elk.direction": "RIGHT",
      "elk.layered.spacing.nodeNodeBetweenLayers": "56",
      "elk.spacing.nodeNode": "28",
      // Room for edges that skip a layer, which React Flow draws straight through it.
      "elk.spacing.edgeNode": "56",
      "elk.layered.spacing.edgeNodeBetweenLayers": "24",
      "elk.layered.nodePlacement.strategy": "BRANDES_KOEPF",
      "elk.edgeRouting": "SPLINES",
    },
    children: view.stages.map((s) => ({ id: s.id, width: NODE_WIDTH, height: NODE_HEIGHT })),
    edges: view.edges
      .filter((e) => ids.has(e.source) && ids.has(e.target))
      .map((e) => ({ id: edgeId(e.source, e.target), sources: [e.source], targets: [e.target] })),
  };
}

/**
 * A simple layered placement used until the worker answers (and in tests): each stage
 * goes one column right of its deepest producer.
 */
export function fallbackPositions(view: Pick<PipelineView, "stages" | "edges">): Positions {
  const depth = new Map<string, number>();
  const producers = new Map<string, string[]>();
  for (const e of view.edges) {
    producers.set(e.target, [...(producers.get(e.target) ?? []), e.source]);
  }
  const visiting = new Set<string>();
  const depthOf = (id: string): number => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    if (visiting.has(id)) return 0; // a cycle: the problems list reports it
    visiting.add(id);
    const d = Math.max(-1, ...(producers.get(id) ?? []).map(depthOf)) + 1;
    visiting.delete(id);
    depth.set(id, d);
    return d;
  };
  const rows = new Map<number, number>();
  const out: Positions = {};
  for (const s of view.stages) {
    const d = depthOf(s.id);
    const row = rows.get(d) ?? 0;
    rows.set(d, row + 1);
    out[s.id] = { x: d * (NODE_WIDTH + 56), y: row * (NODE_HEIGHT + 28) };
  }
  return out;
}

/** React Flow nodes and edges for a pipeline with positions. */
export function toFlow(
  view: Pick<PipelineView, "stages" | "edges">,
  positions: Positions,
  selected: string | null,
): { nodes: StageFlowNode[]; edges: Edge[] } {
  const byId = new Map(view.stages.map((s) => [s.id, s]));
  const nodes: StageFlowNode[] = view.stages.map((stage) => ({
    id: stage.id,
    type: "stage",
    position: positions[stage.id] ?? { x: 0, y: 0 },
    data: { stage, selected: stage.id === selected },
    selected: stage.id === selected,
    width: NODE_WIDTH,
    height: NODE_HEIGHT,
    // Fixed size: telling React Flow keeps its handle positions across state updates, so
    // edges do not blink while a run re-renders nodes.
    measured: { width: NODE_WIDTH, height: NODE_HEIGHT },
  }));
  const edges: Edge[] = view.edges
    .filter((e) => byId.has(e.source) && byId.has(e.target))
    .map((e) => {
      const target = byId.get(e.target);
      const source = byId.get(e.source);
      const active = target?.state === "running" || source?.state === "running";
      return {
        id: edgeId(e.source, e.target),
        source: e.source,
        target: e.target,
        animated: active,
        className: active ? "edge-active" : undefined,
      };
    });
  return { nodes, edges };
}

/** The ids downstream of `id` (itself included): what "Run from here" would consider. */
export function downstreamOf(view: Pick<PipelineView, "edges">, id: string): Set<string> {
  const out = new Set([id]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const e of view.edges) {
      if (out.has(e.source) && !out.has(e.target)) {
        out.add(e.target);
        grew = true;
      }
    }
  }
  return out;
}

import type { PipelineView, StageEdge, StageNode } from "../ipc";
import { statusLook } from "./status";

/** Node ids of collapsed groups start with this (stage addresses never do). */
export const GROUP_PREFIX = "group:";

export function groupNodeId(group: string): string {
  return GROUP_PREFIX + group;
}

export function isGroupNode(id: string): boolean {
  return id.startsWith(GROUP_PREFIX);
}

type Graph = Pick<PipelineView, "stages" | "edges">;

/**
 * The graph with each foreach/matrix group of two or more stages drawn as one node, unless
 * the group is in `expanded`. A group node shows the state needing most attention among its
 * members and how many are not up to date; edges are re-attached to it, merged, and those
 * inside a group dropped.
 */
export function collapseGroups(view: Graph, expanded: ReadonlySet<string>): Graph {
  const members = new Map<string, StageNode[]>();
  for (const s of view.stages) {
    if (s.group) members.set(s.group, [...(members.get(s.group) ?? []), s]);
  }
  const nodeOf = new Map<string, string>();
  for (const [g, list] of members) {
    if (list.length < 2 || expanded.has(g)) continue;
    for (const s of list) nodeOf.set(s.id, groupNodeId(g));
  }
  if (nodeOf.size === 0) return view;

  const stages: StageNode[] = [];
  const emitted = new Set<string>();
  for (const s of view.stages) {
    const gid = nodeOf.get(s.id);
    if (!gid) {
      stages.push(s);
      continue;
    }
    if (emitted.has(gid)) continue;
    emitted.add(gid);
    const list = members.get(s.group!)!;
    const worst = list.reduce((a, b) => (statusLook(b.state).rank < statusLook(a.state).rank ? b : a));
    const pending = list.filter((m) => m.state !== "up_to_date" && m.state !== "frozen").length;
    stages.push({
      ...s,
      id: gid,
      name: `${s.group!.split(":").pop()} ×${list.length}`,
      state: worst.state,
      reasons: pending ? [`${pending} of ${list.length} not up to date`] : [],
      depCount: list.reduce((n, m) => n + m.depCount, 0),
      outCount: list.reduce((n, m) => n + m.outCount, 0),
      outs: [...new Set(list.flatMap((m) => m.outs))],
      editable: false,
    });
  }

  const edges = new Map<string, StageEdge>();
  for (const e of view.edges) {
    const source = nodeOf.get(e.source) ?? e.source;
    const target = nodeOf.get(e.target) ?? e.target;
    if (source === target) continue;
    const key = `${source}>${target}`;
    const prev = edges.get(key);
    edges.set(key, { source, target, paths: [...new Set([...(prev?.paths ?? []), ...e.paths])] });
  }
  return { stages, edges: [...edges.values()] };
}

/** `id` with everything upstream and downstream of it: what focus mode keeps. */
export function lineageOf(view: Pick<PipelineView, "edges">, id: string): Set<string> {
  const keep = new Set([id]);
  for (const dir of ["down", "up"] as const) {
    const seen = new Set([id]);
    let frontier = [id];
    while (frontier.length) {
      const next: string[] = [];
      for (const e of view.edges) {
        const [from, to] = dir === "down" ? [e.source, e.target] : [e.target, e.source];
        if (frontier.includes(from) && !seen.has(to)) {
          seen.add(to);
          next.push(to);
        }
      }
      frontier = next;
    }
    for (const s of seen) keep.add(s);
  }
  return keep;
}

/** The graph reduced to `keep`. */
export function onlyNodes(view: Graph, keep: ReadonlySet<string>): Graph {
  return {
    stages: view.stages.filter((s) => keep.has(s.id)),
    edges: view.edges.filter((e) => keep.has(e.source) && keep.has(e.target)),
  };
}

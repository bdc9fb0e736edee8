// The layered layout runs in ELK's own Web Worker (elk-worker.min.js), so a large pipeline
// never blocks the UI thread. The main thread only sends the graph and reads positions.
import ELK from "elkjs/lib/elk-api.js";
import elkWorkerUrl from "elkjs/lib/elk-worker.min.js?url";
import type { LayoutInput, Positions } from "./build";

let elk: InstanceType<typeof ELK> | undefined;

/** Lays the graph out in the worker. */
export async function layoutInWorker(graph: LayoutInput): Promise<Positions> {
  elk ??= new ELK({ workerFactory: () => new Worker(elkWorkerUrl) });
  const out = await elk.layout(graph);
  const positions: Positions = {};
  for (const c of out.children ?? []) positions[c.id] = { x: c.x ?? 0, y: c.y ?? 0 };
  return positions;
}

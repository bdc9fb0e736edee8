// The model registry beside the experiments: which registered model versions each
// commit is, so a table row can say "classifier v1.1.0 · prod". Kept free of React.
import type { ModelsView } from "../../ipc";

/** One registered version as a row's label: the model, its version and its stages. */
export type VersionLabel = { model: string; version: string; stages: string[] };

/** Commit → the active registered versions made from it, models in name order. */
export function versionsByCommit(view: ModelsView | null): Map<string, VersionLabel[]> {
  const out = new Map<string, VersionLabel[]>();
  for (const m of view?.models ?? []) {
    if (!m.active) continue;
    for (const v of m.versions) {
      if (!v.active || !v.registered) continue;
      out.set(v.commit, [...(out.get(v.commit) ?? []), { model: m.name, version: v.version, stages: v.stages }]);
    }
  }
  return out;
}

/** `classifier v1.1.0 · dev, prod`. */
export function versionText(l: VersionLabel): string {
  return `${l.model} ${l.version}${l.stages.length ? ` · ${l.stages.join(", ")}` : ""}`;
}

/** Whether changed paths (a `files_changed` event's, at most 50 of them) can have moved
 * the registry: a ref (tags), or a dvc.yaml's `artifacts:`. A full list may hide more. */
export function registryMayHaveChanged(paths: string[]): boolean {
  return paths.length >= 50 || paths.some((p) => p.startsWith(".git/") || p === "dvc.yaml" || p.endsWith("/dvc.yaml"));
}

import { describe, expect, it } from "vitest";
import type { ModelsView } from "../../ipc";
import { registryMayHaveChanged, versionsByCommit, versionText } from "./models";

const version = (v: string, commit: string, stages: string[], active = true, registered = true) => ({
  version: v,
  commit,
  registered,
  active,
  created: "2026-01-01T00:00:00",
  author: "me",
  message: "",
  stages,
});

const view: ModelsView = {
  stages: ["dev", "prod"],
  allowedStages: null,
  models: [
    {
      name: "classifier",
      path: "clf.pkl",
      type: "model",
      desc: null,
      latest: "v1.1.0",
      stages: [],
      active: true,
      registered: true,
      versions: [version("v1.1.0", "c2", ["dev"]), version("v1.0.0", "c1", ["prod"]), version("v0.9.0", "c0", [], false), version("c3", "c3", ["qa"], true, false)],
    },
    { name: "encoder", path: null, type: null, desc: null, latest: "v2.0.0", stages: [], active: true, registered: true, versions: [version("v2.0.0", "c2", [])] },
    { name: "old", path: null, type: null, desc: null, latest: "v1.0.0", stages: [], active: false, registered: true, versions: [version("v1.0.0", "c1", [])] },
  ],
};

describe("model versions by commit", () => {
  it("labels each commit with the active registered versions made from it", () => {
    const m = versionsByCommit(view);
    expect(m.get("c2")?.map(versionText)).toEqual(["classifier v1.1.0 · dev", "encoder v2.0.0"]);
    expect(m.get("c1")?.map(versionText)).toEqual(["classifier v1.0.0 · prod"]);
    // Deregistered, deprecated and merely stage-assigned commits are not versions.
    expect(m.has("c0")).toBe(false);
    expect(m.has("c3")).toBe(false);
    expect(versionsByCommit(null).size).toBe(0);
  });
});

describe("when the registry is read again", () => {
  it("follows refs and dvc.yaml files, not metrics a run rewrites", () => {
    expect(registryMayHaveChanged([".git/refs/tags/model@v1.0.0"])).toBe(true);
    expect(registryMayHaveChanged(["sub/dvc.yaml"])).toBe(true);
    expect(registryMayHaveChanged(["dvclive/metrics.json", "model.json"])).toBe(false);
    expect(registryMayHaveChanged(Array.from({ length: 50 }, (_, i) => `f${i}`))).toBe(true);
  });
});

import { describe, expect, it } from "vitest";
import type { StageNode } from "../../ipc";
import { canWire, knownOutputs, lines, unwire, wireChoices } from "./edits";

function stage(id: string, outs: string[], editable = true): StageNode {
  return {
    id,
    name: id,
    dvcfile: "dvc.yaml",
    line: 1,
    cmd: ["x"],
    state: "stale",
    reasons: [],
    depCount: 0,
    outCount: outs.length,
    isDataSource: false,
    outs,
    editable,
    group: null,
  };
}

const view = {
  stages: [stage("prepare", ["data/prepared", "data/stats.json"]), stage("train", ["model.pkl"]), stage("grid@1", [], false)],
  edges: [{ source: "prepare", target: "train", paths: ["data/prepared"] }],
};

describe("pipeline edits", () => {
  it("splits text boxes into trimmed non-empty lines", () => {
    expect(lines(" a \n\n b\n")).toEqual(["a", "b"]);
  });
  it("offers only outputs not wired yet", () => {
    expect(wireChoices(view, "prepare", "train")).toEqual(["data/stats.json"]);
    expect(wireChoices(view, "train", "prepare")).toEqual(["model.pkl"]);
  });
  it("refuses wires into generated stages, from stages without outputs and onto themselves", () => {
    expect(canWire(view, "prepare", "train")).toBe(true);
    expect(canWire(view, "prepare", "grid@1")).toBe(false);
    expect(canWire(view, "grid@1", "train")).toBe(false);
    expect(canWire(view, "train", "train")).toBe(false);
  });
  it("cuts an edge by removing each dependency it stands for", () => {
    expect(unwire({ target: "train", paths: ["a", "b/c"] })).toEqual([
      { kind: "remove_dep", stage: "train", path: "a" },
      { kind: "remove_dep", stage: "train", path: "b/c" },
    ]);
  });
  it("lists every output once, sorted", () => {
    expect(knownOutputs(view)).toEqual(["data/prepared", "data/stats.json", "model.pkl"]);
  });
});

import { describe, expect, it } from "vitest";
import type { StageNode, StageState } from "../ipc";
import { collapseGroups, groupNodeId, lineageOf, onlyNodes } from "./groups";

function stage(id: string, state: StageState = "up_to_date", group: string | null = null, outs: string[] = []): StageNode {
  return { id, name: id, dvcfile: "dvc.yaml", line: 1, cmd: ["x"], state, reasons: [], depCount: 1, outCount: outs.length, isDataSource: false, outs, editable: group === null, group };
}

const view = {
  stages: [
    stage("prepare", "up_to_date", null, ["data"]),
    stage("train@1", "up_to_date", "train", ["m1"]),
    stage("train@2", "stale", "train", ["m2"]),
    stage("train@3", "failed", "train", ["m3"]),
    stage("report", "stale"),
    stage("solo@a", "up_to_date", "solo"),
  ],
  edges: [
    { source: "prepare", target: "train@1", paths: ["data"] },
    { source: "prepare", target: "train@2", paths: ["data"] },
    { source: "prepare", target: "train@3", paths: ["data"] },
    { source: "train@1", target: "report", paths: ["m1"] },
    { source: "train@2", target: "report", paths: ["m2"] },
  ],
};

describe("collapsed groups", () => {
  it("draws a foreach group as one node with the worst state and merged edges", () => {
    const g = collapseGroups(view, new Set());
    expect(g.stages.map((s) => s.id)).toEqual(["prepare", groupNodeId("train"), "report", "solo@a"]);
    const node = g.stages[1]!;
    expect(node.name).toBe("train ×3");
    expect(node.state).toBe("failed");
    expect(node.reasons).toEqual(["2 of 3 not up to date"]);
    expect(node.outs).toEqual(["m1", "m2", "m3"]);
    expect(node.editable).toBe(false);
    expect(g.edges).toEqual([
      { source: "prepare", target: groupNodeId("train"), paths: ["data"] },
      { source: groupNodeId("train"), target: "report", paths: ["m1", "m2"] },
    ]);
  });
  it("leaves expanded groups and single-stage groups alone", () => {
    const g = collapseGroups(view, new Set(["train"]));
    expect(g).toBe(view);
  });
});

describe("focus", () => {
  it("keeps a stage's ancestors and descendants only", () => {
    const keep = lineageOf(view, "train@2");
    expect([...keep].sort()).toEqual(["prepare", "report", "train@2"]);
    const g = onlyNodes(view, keep);
    expect(g.stages.map((s) => s.id)).toEqual(["prepare", "train@2", "report"]);
    expect(g.edges).toHaveLength(2);
  });
});

import { describe, expect, it } from "vitest";
import type { StageNode, StageState } from "../ipc";
import { downstreamOf, fallbackPositions, layoutInput, toFlow } from "./build";
import { applyStageUpdate, stateForPhase, statusLook, summarizeStates } from "./status";

function stage(id: string, state: StageState = "stale"): StageNode {
  return {
    id,
    name: id,
    dvcfile: "dvc.yaml",
    line: 1,
    cmd: [`python ${id}.py`],
    state,
    reasons: [],
    depCount: 1,
    outCount: 1,
    isDataSource: false,
    outs: [],
    editable: true,
    group: null,
  };
}

const demo = {
  stages: [stage("prepare"), stage("featurize"), stage("train", "running"), stage("evaluate")],
  edges: [
    { source: "prepare", target: "featurize", paths: [] },
    { source: "featurize", target: "train", paths: [] },
    { source: "featurize", target: "evaluate", paths: [] },
    { source: "train", target: "evaluate", paths: [] },
  ],
};

describe("layout input", () => {
  it("has one child per stage and one edge per dependency, left to right", () => {
    const g = layoutInput(demo);
    expect(g.children.map((c) => c.id)).toEqual(["prepare", "featurize", "train", "evaluate"]);
    expect(g.edges).toHaveLength(4);
    expect(g.layoutOptions["elk.direction"]).toBe("RIGHT");
  });

  it("drops edges to stages that failed to load", () => {
    const g = layoutInput({ stages: [stage("a")], edges: [{ source: "a", target: "gone", paths: [] }] });
    expect(g.edges).toEqual([]);
  });
});

describe("fallback positions", () => {
  it("puts each stage one column right of its deepest producer", () => {
    const p = fallbackPositions(demo);
    expect(p.prepare!.x).toBeLessThan(p.featurize!.x);
    expect(p.train!.x).toBeLessThan(p.evaluate!.x);
    expect(p.featurize!.x).toBeLessThan(p.train!.x);
  });

  it("survives a cycle", () => {
    const p = fallbackPositions({
      stages: [stage("a"), stage("b")],
      edges: [
        { source: "a", target: "b", paths: [] },
        { source: "b", target: "a", paths: [] },
      ],
    });
    expect(Object.keys(p)).toEqual(["a", "b"]);
  });
});

describe("flow graph", () => {
  it("marks the selected node and animates edges touching a running stage", () => {
    const { nodes, edges } = toFlow(demo, fallbackPositions(demo), "train");
    expect(nodes.find((n) => n.id === "train")?.data.selected).toBe(true);
    expect(edges.filter((e) => e.animated).map((e) => e.id)).toEqual([
      "featurize->train",
      "train->evaluate",
    ]);
  });

  it("finds everything downstream of a stage", () => {
    expect([...downstreamOf(demo, "featurize")].sort()).toEqual(["evaluate", "featurize", "train"]);
  });
});

describe("status colouring", () => {
  it("gives every state a distinct colour", () => {
    const states: StageState[] = ["up_to_date", "stale", "running", "failed", "frozen", "queued", "unknown"];
    expect(new Set(states.map((s) => statusLook(s).color)).size).toBe(states.length);
  });

  it("follows engine phases", () => {
    expect(stateForPhase("running", "stale")).toBe("running");
    expect(stateForPhase("succeeded", "running")).toBe("up_to_date");
    expect(stateForPhase("restored", "running")).toBe("up_to_date");
    expect(stateForPhase("failed", "running")).toBe("failed");
    expect(stateForPhase("blocked", "queued")).toBe("stale");
    expect(stateForPhase("cancelled", "running")).toBe("stale");
  });

  it("summarises what needs attention first", () => {
    expect(summarizeStates(["up_to_date", "stale", "failed", "stale"])).toBe(
      "1 failed · 2 stale · 1 up to date",
    );
  });
});

describe("live stage updates", () => {
  it("clears stale reasons on success and keeps the failure message", () => {
    const s = { ...stage("train"), reasons: ["never run"] };
    expect(applyStageUpdate(s, "running").reasons).toEqual(["never run"]);
    expect(applyStageUpdate(s, "succeeded")).toMatchObject({ state: "up_to_date", reasons: [] });
    expect(applyStageUpdate(s, "failed", "exit code 3")).toMatchObject({ state: "failed", reasons: ["exit code 3"] });
    expect(applyStageUpdate(s, "blocked").state).toBe("stale");
  });
});

import { describe, expect, it } from "vitest";
import type { PipelineView, StageNode, StageState } from "../ipc";
import { reproCommand, selectStages } from "./select";

function stage(id: string, state: StageState = "up_to_date", name = id.split(":").pop() ?? id): StageNode {
  return { id, name, state, isDataSource: false } as unknown as StageNode;
}

// prepare → featurize → train → evaluate, featurize → report, eval@a/eval@b after train.
const g: Pick<PipelineView, "stages" | "edges"> = {
  stages: [
    stage("prepare"),
    stage("featurize", "stale"),
    stage("train", "stale"),
    stage("evaluate"),
    stage("report"),
    stage("eval@a"),
    stage("eval@b", "failed"),
    { ...stage("data/raw.csv.dvc"), isDataSource: true } as StageNode,
  ],
  edges: [
    ["data/raw.csv.dvc", "prepare"],
    ["prepare", "featurize"],
    ["featurize", "train"],
    ["train", "evaluate"],
    ["featurize", "report"],
    ["train", "eval@a"],
    ["train", "eval@b"],
  ].map(([source, target]) => ({ source: source ?? "", target: target ?? "", paths: [] })),
};

const ids = (q: string) => [...(selectStages(g, q)?.ids ?? [])].sort();

describe("stage selection", () => {
  it("is everything when empty", () => {
    expect(selectStages(g, "  ")).toBeNull();
  });

  it("picks names and globs, unions terms", () => {
    expect(ids("train")).toEqual(["train"]);
    expect(ids("eval@*")).toEqual(["eval@a", "eval@b"]);
    expect(ids("train, report")).toEqual(["report", "train"]);
  });

  it("adds ancestors and descendants, all or up to a depth", () => {
    expect(ids("+train")).toEqual(["data/raw.csv.dvc", "featurize", "prepare", "train"]);
    expect(ids("1+train")).toEqual(["featurize", "train"]);
    expect(ids("featurize+")).toEqual(["eval@a", "eval@b", "evaluate", "featurize", "report", "train"]);
    expect(ids("featurize+1")).toEqual(["featurize", "report", "train"]);
  });

  it("@ takes what a rebuild from a stage reads", () => {
    expect(ids("@report")).toEqual(["data/raw.csv.dvc", "featurize", "prepare", "report"]);
  });

  it("selects by state and says which terms matched nothing", () => {
    expect(ids("state:stale")).toEqual(["featurize", "train"]);
    expect(ids("state:failed")).toEqual(["eval@b"]);
    expect(selectStages(g, "train nope +missing")?.unmatched).toEqual(["nope", "+missing"]);
  });

  it("becomes a repro command in graph order, data sources left out", () => {
    const sel = selectStages(g, "+train")?.ids ?? new Set<string>();
    expect(reproCommand(g, sel)).toBe("cairn repro --single-item prepare featurize train");
  });
});

import { describe, expect, it } from "vitest";
import { applyProgress, describeProgress, fraction, visibleTasks, type ProgressEvent, type TaskView } from "./tasks";

const ev = (over: Partial<ProgressEvent>): ProgressEvent => ({
  type: "progress",
  project: "/p",
  task: "task-1",
  title: "Tracking data",
  phase: "",
  done: 0,
  bytes: 0,
  cancellable: false,
  finished: false,
  ...over,
});

describe("progress tasks", () => {
  it("keep their start time across updates and leave when finished", () => {
    let t = new Map<string, TaskView>();
    t = applyProgress(t, ev({}), 1000);
    t = applyProgress(t, ev({ phase: "hashing", done: 5, total: 10 }), 1500);
    expect(t.get("task-1")?.since).toBe(1000);
    expect(t.get("task-1")?.event.done).toBe(5);
    t = applyProgress(t, ev({ finished: true }), 1600);
    expect(t.size).toBe(0);
  });

  it("show only once they have run a moment, oldest first", () => {
    let t = new Map<string, TaskView>();
    t = applyProgress(t, ev({ task: "a" }), 1000);
    t = applyProgress(t, ev({ task: "b" }), 1200);
    expect(visibleTasks(t, 1100)).toEqual([]);
    expect(visibleTasks(t, 1350).map((x) => x.event.task)).toEqual(["a"]);
    expect(visibleTasks(t, 2000).map((x) => x.event.task)).toEqual(["a", "b"]);
  });

  it("measure by bytes, else by count, else not at all", () => {
    expect(fraction(ev({ bytes: 50, totalBytes: 200, done: 9, total: 10 }))).toBe(0.25);
    expect(fraction(ev({ done: 3, total: 4 }))).toBe(0.75);
    expect(fraction(ev({ done: 3 }))).toBeNull();
    expect(fraction(ev({ done: 0, total: 0 }))).toBeNull();
  });

  it("describe themselves from what they know", () => {
    expect(describeProgress(ev({}))).toBe("starting…");
    expect(describeProgress(ev({ phase: "receiving objects", done: 1234, total: 10000 }))).toBe(
      "receiving objects · 1,234 / 10,000",
    );
    expect(describeProgress(ev({ phase: "looking for repositories", done: 3 }))).toBe("looking for repositories · 3");
  });
});

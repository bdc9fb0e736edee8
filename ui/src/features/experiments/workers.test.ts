import { describe, expect, it } from "vitest";
import { parseWorkers, rememberWorker, workerProblem } from "./workers";

describe("workers", () => {
  it("accepts ssh URLs that name a folder, and nothing for this machine", () => {
    expect(workerProblem("")).toBeNull();
    expect(workerProblem("ssh://me@gpu:2222/srv/cairn")).toBeNull();
    expect(workerProblem("gpu:/srv/cairn")).toMatch(/SSH URL/);
    expect(workerProblem("ssh://gpu")).toMatch(/host, then a folder/);
    expect(workerProblem("ssh://gpu/")).toMatch(/Name a folder/);
  });

  it("keeps the most recent first, once each, at most six", () => {
    let list: string[] = [];
    for (const w of ["ssh://a/x", "ssh://b/x", "ssh://a/x/", "ssh://c/x"]) list = rememberWorker(list, w);
    expect(list).toEqual(["ssh://c/x", "ssh://a/x", "ssh://b/x"]);
    for (let i = 0; i < 10; i++) list = rememberWorker(list, `ssh://h${i}/w`);
    expect(list).toHaveLength(6);
    expect(list[0]).toBe("ssh://h9/w");
    expect(rememberWorker(list, "  ")).toBe(list);
  });

  it("reads back only well-formed entries", () => {
    expect(parseWorkers(null)).toEqual([]);
    expect(parseWorkers("{")).toEqual([]);
    expect(parseWorkers(JSON.stringify(["ssh://a/x", 3, "nope", ""]))).toEqual(["ssh://a/x"]);
  });
});

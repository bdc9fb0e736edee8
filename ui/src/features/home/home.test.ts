import { describe, expect, it } from "vitest";
import { newsText } from "./Home";

describe("project news", () => {
  it("names what is new, singular or plural, leaving out what is not", () => {
    expect(newsText({ commits: 1, experiments: 3 })).toBe("3 new experiments, 1 commit");
    expect(newsText({ commits: 0, experiments: 1 })).toBe("1 new experiment");
    expect(newsText({ commits: 100, experiments: 0 })).toBe("100+ commits");
  });
});

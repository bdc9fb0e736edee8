import { describe, expect, it } from "vitest";
import { formatBytes, formatDuration, relativeTime, tildify } from "./format";

describe("formatting", () => {
  it("formats sizes, durations and times for people", () => {
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(1536)).toBe("1.5 KB");
    expect(formatBytes(null)).toBe("—");
    expect(formatDuration(250)).toBe("250 ms");
    expect(formatDuration(1500)).toBe("1.5 s");
    expect(relativeTime(1000, 1000 * 1000 + 120_000)).toBe("2 min ago");
    expect(tildify("/home/ada/ml/proj")).toBe("~/ml/proj");
  });
});

import { afterEach, describe, expect, it, vi } from "vitest";

describe("locale guard", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("replaces a language Intl rejects before uPlot can read it", async () => {
    vi.resetModules();
    vi.stubGlobal("navigator", { language: "C" });
    expect(() => new Intl.NumberFormat(navigator.language)).toThrow(RangeError);
    await import("./locale");
    expect(navigator.language).toBe("en-US");
  });

  it("keeps a language Intl accepts", async () => {
    vi.resetModules();
    vi.stubGlobal("navigator", { language: "de-DE" });
    await import("./locale");
    expect(navigator.language).toBe("de-DE");
  });
});

import { describe, expect, it } from "vitest";
import { keyName } from "./shortcuts";

const k = (key: string, mods: Partial<{ shiftKey: boolean; ctrlKey: boolean; metaKey: boolean; altKey: boolean }> = {}) =>
  keyName({ key, shiftKey: false, ctrlKey: false, metaKey: false, altKey: false, ...mods });

describe("shortcut names", () => {
  it("normalises letters and modifiers", () => {
    expect(k("r")).toBe("r");
    expect(k("R", { shiftKey: true })).toBe("shift+r");
    expect(k("k", { metaKey: true })).toBe("mod+k");
    expect(k("Escape")).toBe("Escape");
    expect(k("?", { shiftKey: true })).toBe("?");
  });
});

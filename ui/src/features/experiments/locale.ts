// uPlot builds `new Intl.NumberFormat(navigator.language)` when its module loads.
// WebKitGTK reports the POSIX locale as the language under `LANG=C` (seen: "C"), which
// Intl rejects with a RangeError — taking the whole bundle down with it, so the window
// stays blank. Before uPlot loads, a language Intl cannot use is replaced by "en-US".
function usable(tag: string): boolean {
  try {
    new Intl.NumberFormat(tag);
    return true;
  } catch {
    return false;
  }
}

if (typeof navigator !== "undefined" && !usable(navigator.language)) {
  Object.defineProperty(navigator, "language", { value: "en-US", configurable: true });
}

export {};

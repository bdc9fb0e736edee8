import { useEffect, useRef } from "react";

/** Keys → actions; `shift+r` style for modifiers. Ignored while typing in a field. */
export type ShortcutMap = Record<string, (() => void) | undefined>;

export function keyName(e: Pick<KeyboardEvent, "key" | "shiftKey" | "ctrlKey" | "metaKey" | "altKey">): string {
  const parts: string[] = [];
  if (e.ctrlKey || e.metaKey) parts.push("mod");
  if (e.altKey) parts.push("alt");
  const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  if (e.shiftKey && key.length === 1 && /[a-z]/.test(key)) parts.push("shift");
  parts.push(key);
  return parts.join("+");
}

export function useShortcuts(map: ShortcutMap): void {
  const ref = useRef(map);
  useEffect(() => {
    ref.current = map;
  });
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.isContentEditable)) return;
      if (document.querySelector(".modal-backdrop")) return;
      const action = ref.current[keyName(e)];
      if (action) {
        e.preventDefault();
        action();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
}

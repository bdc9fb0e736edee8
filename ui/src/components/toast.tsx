import { useSyncExternalStore } from "react";
import { Icon } from "./Icon";

type Toast = { id: number; kind: "ok" | "error" | "info"; text: string };

let toasts: Toast[] = [];
let next = 1;
const listeners = new Set<() => void>();

function emit() {
  for (const l of listeners) l();
}

/** Shows a transient message in the corner. */
export function notify(kind: Toast["kind"], text: string, ms = kind === "error" ? 8000 : 3500): void {
  const id = next++;
  toasts = [...toasts, { id, kind, text }].slice(-4);
  emit();
  setTimeout(() => {
    toasts = toasts.filter((t) => t.id !== id);
    emit();
  }, ms);
}

export function Toasts() {
  const list = useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => toasts,
  );
  return (
    <div className="toasts" aria-live="polite">
      {list.map((t) => (
        <div key={t.id} className={`toast toast-${t.kind}`}>
          <Icon name={t.kind === "ok" ? "check" : t.kind === "error" ? "alert" : "bolt"} size={16} />
          <span>{t.text}</span>
        </div>
      ))}
    </div>
  );
}

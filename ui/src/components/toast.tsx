import { useSyncExternalStore } from "react";
import { Icon } from "./Icon";

type ToastAction = { label: string; run: () => void };
type Toast = { id: number; kind: "ok" | "error" | "info"; text: string; action?: ToastAction };

let toasts: Toast[] = [];
let next = 1;
const listeners = new Set<() => void>();

function emit() {
  for (const l of listeners) l();
}

/** Shows a transient message in the corner. */
export function notify(kind: Toast["kind"], text: string, ms = kind === "error" ? 8000 : 3500, action?: ToastAction): void {
  const id = next++;
  toasts = [...toasts, { id, kind, text, action }].slice(-4);
  emit();
  setTimeout(() => dismiss(id), ms);
}

function dismiss(id: number): void {
  toasts = toasts.filter((t) => t.id !== id);
  emit();
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
          {t.action && (
            <button
              className="toast-action"
              onClick={() => {
                dismiss(t.id);
                t.action?.run();
              }}
            >
              {t.action.label}
            </button>
          )}
        </div>
      ))}
    </div>
  );
}

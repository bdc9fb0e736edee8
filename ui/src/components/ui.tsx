import { useEffect, useRef, type ReactNode } from "react";
import type { ApiError, StageState } from "../ipc";
import { statusLook } from "../graph/status";
import { Icon, type IconName } from "./Icon";

export function Button(props: {
  children?: ReactNode;
  icon?: IconName;
  kind?: "primary" | "secondary" | "ghost" | "danger";
  onClick?: () => void;
  disabled?: boolean;
  title?: string;
  kbd?: string;
  type?: "button" | "submit";
  testId?: string;
}) {
  const { kind = "secondary" } = props;
  return (
    <button
      type={props.type ?? "button"}
      className={`btn btn-${kind}`}
      onClick={props.onClick}
      disabled={props.disabled}
      title={props.title}
      data-testid={props.testId}
    >
      {props.icon && <Icon name={props.icon} size={15} />}
      {props.children && <span>{props.children}</span>}
      {props.kbd && <kbd>{props.kbd}</kbd>}
    </button>
  );
}

export function StatusBadge({ state, testId }: { state: StageState; testId?: string }) {
  const look = statusLook(state);
  return (
    <span className={`badge badge-${state}`} style={{ ["--c" as string]: look.color }} data-testid={testId}>
      <span className="dot" />
      {look.label}
    </span>
  );
}

export function Pill({ children, tone = "neutral", title }: { children: ReactNode; tone?: string; title?: string }) {
  return (
    <span className={`pill pill-${tone}`} title={title}>
      {children}
    </span>
  );
}

/** A file:line error, readable. */
export function ErrorBox({ error, onClose }: { error: ApiError; onClose?: () => void }) {
  return (
    <div className="error-box" role="alert" data-testid="error-box">
      <Icon name="alert" size={18} />
      <div className="error-body">
        {error.file && (
          <div className="error-where">
            {error.file}
            {error.line ? `:${error.line}` : ""}
          </div>
        )}
        <div className="error-msg">{stripLocation(error)}</div>
      </div>
      {onClose && (
        <button className="icon-btn" onClick={onClose} aria-label="Dismiss">
          <Icon name="x" />
        </button>
      )}
    </div>
  );
}

/** The message without a leading "file:line:col: " (shown separately above it). */
export function stripLocation(e: ApiError): string {
  if (!e.file || !e.message.startsWith(e.file)) return e.message;
  return e.message.slice(e.file.length).replace(/^(:\d+)*:?\s*/, "");
}

export function Modal(props: {
  title: string;
  icon?: IconName;
  children: ReactNode;
  onClose: () => void;
  footer: ReactNode;
  testId?: string;
  /** Wide enough for a table (previews). */
  wide?: boolean;
}) {
  const ref = useRef<HTMLDivElement>(null);
  // Callers pass a new `onClose` on every render (and the app re-renders whenever files
  // change): keep the latest in a ref so focus moves to the first field only on opening,
  // never back to it while someone types in another.
  const onClose = useRef(props.onClose);
  useEffect(() => {
    onClose.current = props.onClose;
  });
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") onClose.current();
    };
    window.addEventListener("keydown", onKey);
    ref.current?.querySelector<HTMLElement>("input, button.btn-primary")?.focus();
    return () => window.removeEventListener("keydown", onKey);
  }, []);
  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose.current()}>
      <div className={`modal ${props.wide ? "modal-wide" : ""}`} role="dialog" aria-modal="true" aria-label={props.title} ref={ref} data-testid={props.testId}>
        <div className="modal-head">
          {props.icon && (
            <span className="modal-icon">
              <Icon name={props.icon} size={20} />
            </span>
          )}
          <h2>{props.title}</h2>
        </div>
        <div className="modal-body">{props.children}</div>
        <div className="modal-foot">{props.footer}</div>
      </div>
    </div>
  );
}

export function Empty({ icon, title, children }: { icon: IconName; title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <div className="empty-icon">
        <Icon name={icon} size={28} />
      </div>
      <h3>{title}</h3>
      {children}
    </div>
  );
}

/**
 * A form that calls `onSubmit` on Enter (or its submit button) instead of reloading the
 * page — every dialog's fields.
 */
export function SubmitForm(props: { onSubmit: () => void; className?: string; children: ReactNode }) {
  return (
    <form
      className={props.className}
      onSubmit={(e) => {
        e.preventDefault();
        props.onSubmit();
      }}
    >
      {props.children}
    </form>
  );
}

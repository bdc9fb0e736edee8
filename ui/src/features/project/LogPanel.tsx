import { useEffect, useMemo, useRef, useState } from "react";
import { Icon } from "../../components/Icon";
import type { LiveLogs } from "./ProjectView";

/** The run's output, all stages interleaved by stage, following the tail while running. */
export function LogPanel({ logs, order, running }: { logs: LiveLogs; order: string[]; running: boolean; onCancel: () => void }) {
  const [open, setOpen] = useState(false);
  const body = useRef<HTMLDivElement>(null);
  const lines = useMemo(
    () => order.flatMap((stage) => (logs[stage] ?? []).map((l, i) => ({ key: `${stage}:${i}`, stage, ...l }))),
    [logs, order],
  );
  useEffect(() => {
    if (running) setOpen(true);
  }, [running]);
  useEffect(() => {
    const el = body.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [lines.length, open]);
  return (
    <section className={`log-panel ${open ? "open" : ""}`} data-testid="log-panel">
      <button className="log-head" onClick={() => setOpen(!open)}>
        <Icon name="terminal" size={15} />
        <span>Output</span>
        {running && <span className="live">live</span>}
        <span className="muted">{lines.length ? `${lines.length} lines` : "no output yet"}</span>
        <Icon name="chevron" size={14} className={`chev ${open ? "down" : "collapsed-up"}`} />
      </button>
      {open && (
        <div className="log-body mono" ref={body} data-testid="log-lines">
          {lines.length === 0 && <div className="muted">Run the pipeline to see its output here.</div>}
          {lines.map((l) => (
            <div key={l.key} className={`log-line ${l.stream}`}>
              <span className="log-stage">{l.stage}</span>
              <span className="log-text">{l.line}</span>
            </div>
          ))}
        </div>
      )}
    </section>
  );
}

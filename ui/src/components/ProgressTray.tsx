import { useEffect, useState } from "react";
import { call, describeError, toApiError } from "../ipc";
import { useEvents } from "../features/useEvents";
import { Icon } from "./Icon";
import { notify } from "./toast";
import { applyProgress, describeProgress, fraction, SHOW_AFTER_MS, visibleTasks, type TaskView } from "./tasks";

/** Live progress of long commands (tracking data, cloning…), with Cancel where it can. */
export function ProgressTray() {
  const [tasks, setTasks] = useState<Map<string, TaskView>>(new Map());
  const [now, setNow] = useState(() => Date.now());
  useEvents((e) => {
    if (e.type === "progress") setTasks((t) => applyProgress(t, e, Date.now()));
  });
  // Re-check visibility while tasks run, so one without updates still shows up.
  useEffect(() => {
    if (tasks.size === 0) return;
    const id = setInterval(() => setNow(Date.now()), SHOW_AFTER_MS / 2);
    return () => clearInterval(id);
  }, [tasks.size]);
  const shown = visibleTasks(tasks, now);
  if (shown.length === 0) return null;
  return (
    <div className="progress-tray" aria-live="polite" data-testid="progress-tray">
      {shown.map(({ event: e }) => {
        const f = fraction(e);
        return (
          <div key={e.task} className="progress-task" data-testid="progress-task">
            <div className="progress-head">
              <span className="spinner" aria-hidden />
              <strong className="truncate">{e.title}</strong>
              {e.cancellable && (
                <button
                  className="icon-btn"
                  title="Cancel"
                  aria-label={`Cancel ${e.title}`}
                  onClick={() =>
                    void call("cancel_task", { task: e.task }).catch((err) =>
                      notify("error", describeError(toApiError(err))),
                    )
                  }
                >
                  <Icon name="x" size={14} />
                </button>
              )}
            </div>
            <div className={`progress-bar ${f == null ? "indeterminate" : ""}`}>
              <div style={f == null ? undefined : { width: `${(f * 100).toFixed(1)}%` }} />
            </div>
            <div className="progress-text muted">{describeProgress(e)}</div>
          </div>
        );
      })}
    </div>
  );
}

import { useEffect, useRef, useState } from "react";
import { call, describeError, toApiError, type QueueLog } from "../../ipc";
import { Button, Modal } from "../../components/ui";

/** How often a running experiment's log is read again. */
const POLL_MS = 1000;

/**
 * The log of an experiment in the queue — waiting, running here or on an SSH worker, or
 * failed — followed live while it runs, kept scrolled to the end unless scrolled up.
 */
export function QueueLogDialog(props: { project: string; id: string; onClose: () => void }) {
  const [log, setLog] = useState<QueueLog | null>(null);
  const [error, setError] = useState<string | null>(null);
  const body = useRef<HTMLPreElement>(null);
  const following = useRef(true);
  const live = !log || log.state === "queued" || log.state === "running";

  useEffect(() => {
    let stop = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const read = () =>
      call("queue_log", { project: props.project, id: props.id })
        .then((l) => {
          if (stop) return;
          setLog(l);
          setError(null);
          if (l.state === "queued" || l.state === "running") timer = setTimeout(read, POLL_MS);
        })
        .catch((e) => !stop && setError(describeError(toApiError(e))));
    void read();
    return () => {
      stop = true;
      clearTimeout(timer);
    };
  }, [props.project, props.id]);

  useEffect(() => {
    const el = body.current;
    if (el && following.current) el.scrollTop = el.scrollHeight;
  }, [log]);

  return (
    <Modal
      title={log ? `Log of ${log.name}` : "Log"}
      icon="terminal"
      testId="queue-log"
      wide
      onClose={props.onClose}
      footer={
        <>
          <span className="muted small grow" data-testid="queue-log-state">
            {log && `${log.state}${log.worker ? ` on ${log.worker}` : log.dvcQueue ? " in dvc's queue (dvc queue start)" : " on this machine"}`}
            {live && <span className="live"> live</span>}
          </span>
          <Button onClick={props.onClose}>Close</Button>
        </>
      }
    >
      {error && <p className="fail-msg small">{error}</p>}
      {log?.error && (
        <p className="fail-msg small" data-testid="queue-log-error">
          {log.error}
        </p>
      )}
      <pre
        ref={body}
        className="code logs"
        data-testid="queue-log-lines"
        onScroll={(e) => {
          const el = e.currentTarget;
          following.current = el.scrollTop + el.clientHeight >= el.scrollHeight - 8;
        }}
      >
        {log?.skipped ? `… ${log.skipped} earlier lines\n` : ""}
        {log ? (log.lines.length ? log.lines.join("\n") : "Nothing written yet.") : "Reading…"}
      </pre>
    </Modal>
  );
}

import { useEffect, useState } from "react";
import { call, toApiError, type ApiError, type LogLine, type StageDetail, type StageNode } from "../../ipc";
import { Button, ErrorBox, Pill, StatusBadge } from "../../components/ui";
import { Icon } from "../../components/Icon";
import { formatBytes } from "../../format";
import type { RunRequest } from "./ProjectView";

export function StagePanel(props: {
  project: string;
  stage: StageNode;
  liveLogs: LogLine[] | undefined;
  running: boolean;
  onRun: (r: RunRequest) => void;
  onClose: () => void;
}) {
  const { project, stage } = props;
  const [detail, setDetail] = useState<StageDetail | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  // Refresh when the stage's state changes (a run finished, files changed).
  useEffect(() => {
    call("get_stage", { project, stage: stage.id })
      .then((d) => {
        setDetail(d);
        setError(null);
      })
      .catch((e) => setError(toApiError(e)));
  }, [project, stage.id, stage.state]);

  const logs = props.liveLogs && props.liveLogs.length ? props.liveLogs : (detail?.logs ?? []);
  const target = { targets: [stage.id] };
  return (
    <aside className="side-panel" data-testid="stage-panel">
      <div className="panel-head">
        <div>
          <h2>{stage.name}</h2>
          <div className="muted mono small">
            {stage.dvcfile}:{stage.line}
          </div>
        </div>
        <button className="icon-btn" onClick={props.onClose} aria-label="Close panel" title="Close (Esc)">
          <Icon name="x" />
        </button>
      </div>
      <div className="panel-status">
        <StatusBadge state={stage.state} testId="panel-state" />
        {stage.reasons.length > 0 && (
          <ul className="reasons">
            {stage.reasons.map((r) => (
              <li key={r}>{r}</li>
            ))}
          </ul>
        )}
      </div>
      {!stage.isDataSource && (
        <div className="panel-actions">
          <Button kind="primary" icon="play" disabled={props.running} onClick={() => props.onRun({ ...target, force: false, downstream: false, singleItem: true })} testId="run-stage">
            Run this stage
          </Button>
          <Button icon="forward" disabled={props.running} onClick={() => props.onRun({ ...target, force: false, downstream: true, singleItem: false })} testId="run-from-here">
            Run from here
          </Button>
          <Button icon="refresh" kind="ghost" disabled={props.running} onClick={() => props.onRun({ ...target, force: true, downstream: false, singleItem: true })} title="Run even if up to date">
            Force
          </Button>
        </div>
      )}
      {error && <ErrorBox error={error} />}
      <div className="panel-scroll">
        {stage.cmd.length > 0 && (
          <section>
            <h3>Command</h3>
            <pre className="code">{stage.cmd.join("\n")}</pre>
          </section>
        )}
        {detail && detail.deps.length > 0 && (
          <section>
            <h3>Dependencies</h3>
            <ul className="paths">
              {detail.deps.map((d) => (
                <li key={d.path}>
                  <Icon name={d.nfiles !== null ? "dir" : "file"} size={14} />
                  <span className="mono truncate" title={d.path}>{d.path}</span>
                  <span className="muted nowrap">{d.exists ? formatBytes(d.size) : "missing"}</span>
                </li>
              ))}
            </ul>
          </section>
        )}
        {detail && detail.outs.length > 0 && (
          <section>
            <h3>Outputs</h3>
            <ul className="paths">
              {detail.outs.map((o) => (
                <li key={o.path}>
                  <Icon name={o.nfiles !== null ? "dir" : "file"} size={14} />
                  <span className="mono truncate" title={o.path}>{o.path}</span>
                  {o.kind !== "out" && <Pill>{o.kind}</Pill>}
                  {o.cacheDisabled ? (
                    <Pill tone="neutral" title="cache: false — kept in git, not in the DVC cache">git</Pill>
                  ) : o.cached ? (
                    <Pill tone="ok" title="This version is in the cache">cached</Pill>
                  ) : (
                    <Pill tone="stale" title="Not in the cache yet">not cached</Pill>
                  )}
                  <span className="muted nowrap">{o.exists ? formatBytes(o.size) : "missing"}</span>
                </li>
              ))}
            </ul>
          </section>
        )}
        {detail && detail.params.length > 0 && (
          <section>
            <h3>Params</h3>
            <table className="params">
              <tbody>
                {detail.params.map((p) => (
                  <tr key={`${p.file}:${p.key}`}>
                    <td className="mono">{p.key}</td>
                    <td className="mono value">{p.value}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        )}
        <section>
          <h3>
            Latest logs {detail?.logsRun && !(props.liveLogs && props.liveLogs.length) && <span className="muted small">run {detail.logsRun}</span>}
          </h3>
          {logs.length ? (
            <pre className="code logs" data-testid="stage-logs">
              {logs.map((l, i) => (
                <div key={i} className={`log-line ${l.stream}`}>{l.line}</div>
              ))}
            </pre>
          ) : (
            <p className="muted small">No output recorded yet.</p>
          )}
        </section>
      </div>
    </aside>
  );
}

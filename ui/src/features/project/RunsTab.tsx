import { Fragment, useEffect, useState } from "react";
import { call, describeError, toApiError, type RunDetailView, type RunInfo } from "../../ipc";
import { Empty, Pill } from "../../components/ui";
import { Icon } from "../../components/Icon";
import { notify } from "../../components/toast";
import { formatDuration, relativeTime } from "../../format";

const TONE: Record<string, string> = {
  succeeded: "ok",
  up_to_date: "neutral",
  restored: "ok",
  failed: "failed",
  blocked: "failed",
  running: "running",
  queued: "neutral",
  cancelled: "neutral",
  frozen: "frozen",
};

export function RunsTab({ project, version }: { project: string; version: number }) {
  const [runs, setRuns] = useState<RunInfo[] | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [detail, setDetail] = useState<RunDetailView | null>(null);
  const [openStage, setOpenStage] = useState<string | null>(null);

  useEffect(() => {
    call("list_runs", { project })
      .then((r) => {
        setRuns(r);
        setSelected((s) => s ?? r[0]?.id ?? null);
      })
      .catch((e) => notify("error", describeError(toApiError(e))));
  }, [project, version]);

  useEffect(() => {
    if (!selected) return;
    call("get_run", { project, runId: selected })
      .then((d) => {
        setDetail(d);
        // Open the failed stage's logs, else the last stage that printed something.
        const withLogs = d.stages.filter((s) => s.logs.length > 0);
        setOpenStage(d.stages.find((s) => s.outcome === "failed")?.stage ?? withLogs[withLogs.length - 1]?.stage ?? null);
      })
      .catch((e) => notify("error", describeError(toApiError(e))));
  }, [project, selected, version]);

  if (!runs) return <div className="page-loading">Loading…</div>;
  if (runs.length === 0)
    return (
      <Empty icon="history" title="No runs yet">
        <p className="muted">Runs you start appear here with their stages, durations and logs.</p>
      </Empty>
    );
  return (
    <div className="runs-tab">
      <ul className="run-list" data-testid="run-list">
        {runs.map((r) => (
          <li key={r.id}>
            <button className={`run-item ${selected === r.id ? "active" : ""}`} onClick={() => setSelected(r.id)} data-testid="run-item">
              <span className={`run-dot ${TONE[r.status] ?? "neutral"}`} />
              <span className="run-main">
                <span className="run-title">
                  {r.targets.length ? r.targets.join(", ") : "Whole pipeline"}
                </span>
                <span className="muted small">
                  {relativeTime(r.startedMs, Date.now(), true)} · {r.endedMs ? formatDuration(r.endedMs - r.startedMs) : "running"}
                  {r.gitCommit ? ` · ${r.gitCommit.slice(0, 7)}${r.dirty ? "+" : ""}` : ""}
                </span>
              </span>
              <Pill tone={TONE[r.status] ?? "neutral"}>{r.status}</Pill>
            </button>
          </li>
        ))}
      </ul>
      <div className="run-detail">
        {detail && (
          <>
            <div className="card-head">
              <h2 className="mono">{detail.run.id}</h2>
              <span className="muted">
                started {new Date(detail.run.startedMs).toLocaleString()}
                {detail.run.dirty ? " · uncommitted changes" : ""}
              </span>
            </div>
            <table className="table" data-testid="run-stages">
              <thead>
                <tr>
                  <th>Stage</th>
                  <th>Outcome</th>
                  <th className="num">Duration</th>
                  <th className="num">Exit</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {detail.stages.map((s) => (
                  <Fragment key={s.stage}>
                    <tr className="clickable" title={s.message ?? undefined} onClick={() => setOpenStage(openStage === s.stage ? null : s.stage)}>
                      <td className="mono">{s.stage}</td>
                      <td>
                        <Pill tone={TONE[s.outcome] ?? "neutral"}>{s.outcome.replace(/_/g, " ")}</Pill>
                        {s.message && (s.outcome === "failed" || s.outcome === "blocked") && <span className="small msg fail-msg"> {s.message}</span>}
                      </td>
                      <td className="num">{formatDuration(s.durationMs)}</td>
                      <td className="num mono">{s.exitCode ?? "—"}</td>
                      <td className="num">
                        {s.logs.length > 0 && <Icon name="chevron" size={14} className={`chev ${openStage === s.stage ? "down" : ""}`} />}
                      </td>
                    </tr>
                    {openStage === s.stage && s.logs.length > 0 && (
                      <tr className="log-row">
                        <td colSpan={5}>
                          <pre className="code logs">
                            {s.logs.map((l, i) => (
                              <div key={i} className={`log-line ${l.stream}`}>{l.line}</div>
                            ))}
                          </pre>
                        </td>
                      </tr>
                    )}
                  </Fragment>
                ))}
              </tbody>
            </table>
          </>
        )}
      </div>
    </div>
  );
}

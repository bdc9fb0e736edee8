import { useCallback, useEffect, useRef, useState } from "react";
import {
  call,
  describeError,
  toApiError,
  type ApiError,
  type LogLine,
  type PipelineView,
  type ProjectSummary,
  type RunArgs,
} from "../../ipc";
import { Icon } from "../../components/Icon";
import { Button, ErrorBox, Modal } from "../../components/ui";
import { notify } from "../../components/toast";
import { useShortcuts } from "../../components/shortcuts";
import { applyStageUpdate, summarizeStates } from "../../graph/status";
import { relativeTime, tildify } from "../../format";
import { useEvents } from "../useEvents";
import { PipelineTab } from "./PipelineTab";
import { DataTab } from "./DataTab";
import { RunsTab } from "./RunsTab";
import { ExperimentsTab } from "../experiments/ExperimentsTab";

export type Tab = "pipeline" | "experiments" | "data" | "runs";
export type RunRequest = Omit<RunArgs, "project">;
/** An experiment to run: changed params as `[file:]key=value`, and an optional name. */
export type ExperimentRequest = { setParams: string[]; name: string | null; worker?: string };
/** What the Run buttons and the New experiment dialog ask for. */
type Pending = { pipeline: RunRequest } | { experiment: ExperimentRequest };
/** Live output by stage, from this session's runs. */
export type LiveLogs = Record<string, LogLine[]>;

const TABS: { id: Tab; label: string; icon: "graph" | "database" | "history" | "bolt" }[] = [
  { id: "pipeline", label: "Pipeline", icon: "graph" },
  { id: "experiments", label: "Experiments", icon: "bolt" },
  { id: "data", label: "Data", icon: "database" },
  { id: "runs", label: "Runs", icon: "history" },
];

export function ProjectView(props: {
  path: string;
  name: string;
  tab: Tab;
  onTab: (t: Tab) => void;
  onOpened: () => void;
}) {
  const { path, onOpened } = props;
  const [summary, setSummary] = useState<ProjectSummary | null>(null);
  const [view, setView] = useState<PipelineView | null>(null);
  const [loadError, setLoadError] = useState<ApiError | null>(null);
  const [runError, setRunError] = useState<ApiError | null>(null);
  const [logs, setLogs] = useState<LiveLogs>({});
  const [running, setRunning] = useState(false);
  const [trustAsk, setTrustAsk] = useState<Pending | null>(null);
  // What the current run is, for the message when it ends.
  const runKind = useRef<"pipeline" | "experiment">("pipeline");
  const [runsVersion, setRunsVersion] = useState(0);
  const [fitSignal, setFitSignal] = useState(0);
  const refreshTimer = useRef<ReturnType<typeof setTimeout> | null>(null);

  // Refreshes can overlap (file events during a run in a terminal); only the newest
  // request's answer may land, or a slow early one would show stale states.
  const latestLoad = useRef(0);
  const loadPipeline = useCallback(() => {
    const ticket = ++latestLoad.current;
    call("get_pipeline", { project: path })
      .then((v) => {
        if (ticket !== latestLoad.current) return;
        setView(v);
        setRunning(v.activeRun !== null);
        setLoadError(null);
      })
      .catch((e) => ticket === latestLoad.current && setLoadError(toApiError(e)));
  }, [path]);

  useEffect(() => {
    call("open_project", { project: path })
      .then((s) => {
        setSummary(s);
        onOpened();
      })
      .catch((e) => setLoadError(toApiError(e)));
    loadPipeline();
  }, [path, loadPipeline, onOpened]);

  const refreshSoon = useCallback(() => {
    if (refreshTimer.current) clearTimeout(refreshTimer.current);
    refreshTimer.current = setTimeout(() => {
      loadPipeline();
      call("open_project", { project: path }).then(setSummary).catch(() => undefined);
    }, 250);
  }, [loadPipeline, path]);

  useEvents((e) => {
    if (!("project" in e) || e.project !== path) return;
    switch (e.type) {
      case "run_started":
        setRunning(true);
        setRunError(null);
        setLogs((old) => {
          const next = { ...old };
          for (const s of e.stages) next[s] = [];
          return next;
        });
        setView((v) =>
          v && {
            ...v,
            activeRun: e.runId,
            stages: v.stages.map((s) => (e.stages.includes(s.id) ? { ...s, state: "queued" } : s)),
          },
        );
        break;
      case "stage_update":
        setView((v) =>
          v && {
            ...v,
            stages: v.stages.map((s) => (s.id === e.stage ? applyStageUpdate(s, e.phase, e.message) : s)),
          },
        );
        break;
      case "stage_output":
        setLogs((old) => ({ ...old, [e.stage]: [...(old[e.stage] ?? []), ...e.lines].slice(-2000) }));
        break;
      case "run_finished":
        setRunning(false);
        setRunsVersion((n) => n + 1);
        if (e.status === "succeeded")
          notify("ok", runKind.current === "experiment" ? "Experiment recorded: see it in the Experiments tab" : "Run finished: pipeline up to date");
        else if (e.status === "cancelled") notify("info", "Run cancelled");
        else notify("error", e.error ?? "Run failed: see the failed stage's logs");
        if (e.error && e.status === "failed") setRunError({ code: "run", message: e.error });
        refreshSoon();
        break;
      case "files_changed":
        if (!running) refreshSoon();
        break;
    }
  });

  const start = useCallback(
    async (req: Pending, trusted = view?.trusted ?? false) => {
      if (!trusted) {
        setTrustAsk(req);
        return;
      }
      setRunError(null);
      try {
        if ("pipeline" in req) await call("run_pipeline", { project: path, ...req.pipeline });
        else await call("run_experiment", { project: path, ...req.experiment });
        runKind.current = "pipeline" in req ? "pipeline" : "experiment";
        setRunning(true);
      } catch (e) {
        const err = toApiError(e);
        if (err.code === "not_trusted") setTrustAsk(req);
        else if ("experiment" in req) throw err;
        else setRunError(err);
      }
    },
    [path, view?.trusted],
  );
  const startRun = useCallback((req: RunRequest) => start({ pipeline: req }), [start]);

  const [makingEnv, setMakingEnv] = useState(false);
  const makeEnv = async () => {
    if (!view?.trusted) {
      notify("info", "Trust the project first: making its environment installs what its requirements.txt names");
      return;
    }
    setMakingEnv(true);
    try {
      const env = await call("make_python_env", { project: path });
      notify("ok", `Stages now run in ${env}`);
    } catch (e) {
      notify("error", describeError(toApiError(e)));
    } finally {
      setMakingEnv(false);
      refreshSoon();
    }
  };

  const cancel = useCallback(() => {
    call("cancel_run", { project: path }).catch((e) => notify("error", describeError(toApiError(e))));
  }, [path]);

  const runAll = () => void startRun({ targets: [], force: false, downstream: false, singleItem: false });
  const forceAll = () => void startRun({ targets: [], force: true, downstream: false, singleItem: false });

  useShortcuts({
    r: running ? undefined : runAll,
    "shift+r": running ? undefined : forceAll,
    "mod+.": running ? cancel : undefined,
    "1": () => props.onTab("pipeline"),
    "2": () => props.onTab("experiments"),
    "3": () => props.onTab("data"),
    "4": () => props.onTab("runs"),
    f: () => setFitSignal((n) => n + 1),
  });

  const commandStages = view?.stages.filter((s) => !s.isDataSource) ?? [];
  const staleCount = commandStages.filter((s) => s.state === "stale").length;
  return (
    <div className="project">
      <header className="project-head">
        <div className="project-title">
          <h1 data-testid="project-name">{summary?.name ?? props.name}</h1>
          <div className="project-meta">
            {summary?.branch && (
              <span className="chip">
                <Icon name="branch" size={13} />
                {summary.branch}
              </span>
            )}
            {summary?.lastCommit && (
              <span className="muted truncate" title={summary.lastCommit} data-testid="last-commit">
                <Icon name="commit" size={13} /> {summary.lastCommit} · {relativeTime(summary.lastCommitTime)}
              </span>
            )}
            <span className="muted mono truncate" title={path}>
              {tildify(path)}
            </span>
            {view?.pythonEnv && (
              <span className="muted py-env" title="Stage commands run with this Python environment (activated as `source …/bin/activate` would)" data-testid="python-env">
                runs in <span className="mono">{view.pythonEnv}</span>
              </span>
            )}
            {!view?.pythonEnv && view?.pythonEnvMakeable && (
              <button
                type="button"
                className="chip chip-action py-env"
                disabled={makingEnv}
                title={`No Python environment: stages run with the system's python. Makes .venv from ${view.pythonEnvMakeable} (python3 -m venv, then pip install -r); git ignores it.`}
                data-testid="make-python-env"
                onClick={() => void makeEnv()}
              >
                <Icon name="play" size={12} /> {makingEnv ? "Making .venv…" : `Make .venv from ${view.pythonEnvMakeable}`}
              </button>
            )}
          </div>
        </div>
        <div className="head-actions">
          {view && commandStages.length > 0 && (
            <span className="state-summary" data-testid="state-summary">
              {summarizeStates(commandStages.map((s) => s.state))}
            </span>
          )}
          {running ? (
            <Button kind="danger" icon="stop" onClick={cancel} kbd="Ctrl ." testId="cancel-run">
              Cancel
            </Button>
          ) : (
            <>
              <Button icon="refresh" kind="ghost" onClick={forceAll} title="Run every stage even if up to date (Shift R)" testId="force-all">
                Force all
              </Button>
              <Button
                icon="play"
                kind="primary"
                onClick={runAll}
                kbd="R"
                disabled={!view || commandStages.length === 0}
                title={staleCount ? `Run the ${staleCount} stale stage(s) and what depends on them` : "Everything is up to date"}
                testId="run-all"
              >
                {staleCount ? `Run ${staleCount} stale` : "Run pipeline"}
              </Button>
            </>
          )}
        </div>
      </header>
      <nav className="tabs" role="tablist">
        {TABS.map((t, i) => (
          <button
            key={t.id}
            role="tab"
            aria-selected={props.tab === t.id}
            className={`tab ${props.tab === t.id ? "active" : ""}`}
            onClick={() => props.onTab(t.id)}
            data-testid={`tab-${t.id}`}
          >
            <Icon name={t.icon} size={15} />
            {t.label}
            <kbd>{i + 1}</kbd>
          </button>
        ))}
      </nav>
      {loadError && (
        <div className="banner">
          <ErrorBox error={loadError} />
        </div>
      )}
      {runError && (
        <div className="banner">
          <ErrorBox error={runError} onClose={() => setRunError(null)} />
        </div>
      )}
      <div className="tab-body">
        {props.tab === "pipeline" && view && (
          <PipelineTab
            view={view}
            logs={logs}
            running={running}
            onRun={(r) => void startRun(r)}
            onCancel={cancel}
            onEdited={loadPipeline}
            fitSignal={fitSignal}
          />
        )}
        {props.tab === "experiments" && (
          <ExperimentsTab project={path} running={running} onRunExperiment={(req) => start({ experiment: req })} />
        )}
        {props.tab === "data" && <DataTab project={path} />}
        {props.tab === "runs" && <RunsTab project={path} version={runsVersion} />}
      </div>
      {trustAsk && (
        <Modal
          title="Trust this project?"
          icon="shield"
          testId="trust-dialog"
          onClose={() => setTrustAsk(null)}
          footer={
            <>
              <Button onClick={() => setTrustAsk(null)}>Cancel</Button>
              <Button
                kind="primary"
                testId="trust-confirm"
                onClick={async () => {
                  const req = trustAsk;
                  setTrustAsk(null);
                  try {
                    await call("set_trust", { project: path, trusted: true });
                    setView((v) => v && { ...v, trusted: true });
                    await start(req, true);
                  } catch (e) {
                    notify("error", describeError(toApiError(e)));
                  }
                }}
              >
                Trust and run
              </Button>
            </>
          }
        >
          <p>
            Running a pipeline executes the commands written in this repository's <code>dvc.yaml</code> on your machine,
            with your permissions. Only trust projects whose code you know.
          </p>
          <p className="mono muted">{path}</p>
          <p className="muted">Cairn remembers this choice for this folder.</p>
        </Modal>
      )}
    </div>
  );
}

import { useState } from "react";
import type { ExperimentsView } from "../../ipc";
import { Button, Modal } from "../../components/ui";
import { useSubmit } from "../../components/useSubmit";
import type { ExperimentRequest } from "../project/ProjectView";
import { overrides, paramsOf } from "./model";
import { WORKERS_KEY, parseWorkers, rememberWorker, workerProblem } from "./workers";

/**
 * The "New experiment" dialog: every param with its value in the work tree, editable;
 * the changed ones become `-S` overrides of one experiment run.
 */
export function NewExperiment(props: {
  view: ExperimentsView;
  onRun: (req: ExperimentRequest) => Promise<void>;
  onClose: () => void;
}) {
  const params = paramsOf(props.view);
  const [values, setValues] = useState<Record<number, string>>({});
  const [name, setName] = useState("");
  const [workers] = useState(() => parseWorkers(localStorage.getItem(WORKERS_KEY)));
  const [worker, setWorker] = useState("");
  const { busy, error, submit } = useSubmit();
  const setParams = overrides(props.view, values);
  const badWorker = workerProblem(worker);
  // On a worker the run is the point, so the values may stay as they are.
  const ready = !badWorker && (setParams.length > 0 || worker.trim() !== "");

  const run = () =>
    submit(async () => {
      const on = worker.trim();
      await props.onRun({ setParams, name: name.trim() || null, ...(on ? { worker: on } : {}) });
      if (on) localStorage.setItem(WORKERS_KEY, JSON.stringify(rememberWorker(workers, on)));
      props.onClose();
    });

  return (
    <Modal
      title="New experiment"
      icon="bolt"
      testId="new-experiment"
      onClose={props.onClose}
      footer={
        <>
          <span className="muted small grow" data-testid="override-summary">
            {setParams.length ? setParams.join("  ") : worker.trim() ? "The values as they are" : "Change a value to try it"}
          </span>
          <Button onClick={props.onClose}>Cancel</Button>
          <Button kind="primary" icon="play" onClick={() => void run()} disabled={busy || !ready} testId="run-experiment">
            {worker.trim() ? "Run on worker" : "Run experiment"}
          </Button>
        </>
      }
    >
      <p className="muted">
        Runs the pipeline with these values and records the result as an experiment next to the baseline — the same as{" "}
        <code>cairn exp run -S</code> (and <code>dvc exp run -S</code>). Your work tree keeps the experiment&apos;s values afterwards.
        Several values — <code>0.1,0.2</code>, <code>range(1,5)</code> — make a sweep: one experiment per combination, queued
        and run in parallel in their own worktrees. <em>Run on</em> an SSH machine (a GPU box) to run it there: the experiment comes
        back here with its outputs, as if it had run here.
      </p>
      <div className="param-form">
        {params.map((p) => {
          const value = values[p.column] ?? p.value;
          const changed = value !== p.value;
          return (
            <label key={p.column} className={`param-field ${changed ? "changed" : ""}`}>
              <span className="param-key mono" title={p.file}>
                {p.key}
                {p.file !== "params.yaml" && <span className="muted small"> · {p.file}</span>}
              </span>
              <input
                className="mono"
                value={value}
                aria-label={p.key}
                onChange={(e) => setValues((v) => ({ ...v, [p.column]: e.target.value }))}
                onKeyDown={(e) => e.key === "Enter" && ready && void run()}
              />
            </label>
          );
        })}
      </div>
      <label className="param-field name-field">
        <span className="param-key">Name (optional)</span>
        <input value={name} placeholder="generated, e.g. lumpy-hogs" aria-label="Experiment name" onChange={(e) => setName(e.target.value)} />
      </label>
      <label className="param-field name-field">
        <span className="param-key" title="Runs on another machine over SSH: Cairn sends itself, the commit and the data there, and brings the experiment back. The machine needs sh and git.">
          Run on
        </span>
        <input
          className="mono"
          value={worker}
          list="cairn-workers"
          placeholder="this machine — or ssh://user@host/folder"
          aria-label="Run on"
          data-testid="run-on"
          onChange={(e) => setWorker(e.target.value)}
        />
      </label>
      <datalist id="cairn-workers">
        {workers.map((w) => (
          <option key={w} value={w} />
        ))}
      </datalist>
      {badWorker && (
        <p className="fail-msg small" data-testid="worker-problem">
          {badWorker}
        </p>
      )}
      {error && (
        <p className="fail-msg small" data-testid="experiment-error">
          {error}
        </p>
      )}
    </Modal>
  );
}

import { useState } from "react";
import type { PipelineEdit } from "../../ipc";
import { Button, Modal } from "../../components/ui";
import { useSubmit } from "../../components/useSubmit";
import { lines } from "./edits";

/**
 * The "Add stage" dialog: what `cairn stage add` / `dvc stage add` take, written to the
 * root dvc.yaml. Refusals (a name in use, a loop, a missing input) show in the dialog.
 */
export function AddStage(props: {
  outputs: string[];
  onAdd: (edit: PipelineEdit) => Promise<void>;
  onClose: () => void;
}) {
  const [name, setName] = useState("");
  const [cmd, setCmd] = useState("");
  const [deps, setDeps] = useState<string[]>([]);
  const [otherDeps, setOtherDeps] = useState("");
  const [outs, setOuts] = useState("");
  const { busy, error, submit } = useSubmit();
  const ready = name.trim() !== "" && cmd.trim() !== "";

  const add = () =>
    submit(async () => {
      await props.onAdd({
        kind: "add_stage",
        name: name.trim(),
        cmd,
        deps: [...deps, ...lines(otherDeps)],
        outs: lines(outs),
      });
      props.onClose();
    });

  return (
    <Modal
      title="Add stage"
      icon="graph"
      testId="add-stage"
      onClose={props.onClose}
      footer={
        <>
          <span className="muted small grow">Written to dvc.yaml, as <code>dvc stage add</code> writes it</span>
          <Button onClick={props.onClose}>Cancel</Button>
          <Button kind="primary" icon="plus" onClick={() => void add()} disabled={busy || !ready} testId="add-stage-submit">
            Add stage
          </Button>
        </>
      }
    >
      <div className="stage-form">
        <label>
          <span>Name</span>
          <input value={name} placeholder="e.g. evaluate" aria-label="Stage name" onChange={(e) => setName(e.target.value)} />
        </label>
        <label>
          <span>Command</span>
          <textarea value={cmd} rows={2} placeholder="python src/evaluate.py model.pkl" aria-label="Command" onChange={(e) => setCmd(e.target.value)} />
          <span className="muted small field-help">One command per line; they run in order from the project folder.</span>
        </label>
        {props.outputs.length > 0 && (
          <fieldset className="choices">
            <legend>Inputs from other stages</legend>
            <ul className="choice-list">
              {props.outputs.map((o) => (
                <li key={o}>
                  <label className="check">
                    <input
                      type="checkbox"
                      checked={deps.includes(o)}
                      aria-label={`Input ${o}`}
                      onChange={(e) => setDeps((d) => (e.target.checked ? [...d, o] : d.filter((x) => x !== o)))}
                    />
                    <span className="mono">{o}</span>
                  </label>
                </li>
              ))}
            </ul>
          </fieldset>
        )}
        <label>
          <span>Other inputs</span>
          <textarea value={otherDeps} rows={2} placeholder={"src/evaluate.py"} aria-label="Other inputs" onChange={(e) => setOtherDeps(e.target.value)} />
          <span className="muted small field-help">Files or folders the command reads, one per line, relative to the project.</span>
        </label>
        <label>
          <span>Outputs</span>
          <textarea value={outs} rows={2} placeholder={"eval/report.json"} aria-label="Outputs" onChange={(e) => setOuts(e.target.value)} />
          <span className="muted small field-help">What the command writes, one per line. Cairn caches them and removes them before each run.</span>
        </label>
      </div>
      {error && (
        <p className="fail-msg small" data-testid="add-stage-error">
          {error}
        </p>
      )}
    </Modal>
  );
}

/** Picks which output of `source` a new wire into `target` stands for. */
export function WireDialog(props: {
  source: string;
  target: string;
  choices: string[];
  onWire: (path: string) => Promise<void>;
  onClose: () => void;
}) {
  const { busy, error, submit } = useSubmit();
  return (
    <Modal
      title={`Feed ${props.target} from ${props.source}`}
      icon="graph"
      testId="wire-dialog"
      onClose={props.onClose}
      footer={<Button onClick={props.onClose}>Cancel</Button>}
    >
      <p className="muted">Which output should <b>{props.target}</b> read?</p>
      <ul className="choice-list">
        {props.choices.map((c) => (
          <li key={c}>
            <Button
              disabled={busy}
              onClick={() =>
                void submit(async () => {
                  await props.onWire(c);
                  props.onClose();
                })
              }
            >
              <span className="mono">{c}</span>
            </Button>
          </li>
        ))}
      </ul>
      {error && <p className="fail-msg small">{error}</p>}
    </Modal>
  );
}

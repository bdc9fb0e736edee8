import { useState } from "react";
import { call, describeError, toApiError, type ModelsView } from "../../ipc";
import { Button, Modal, Pill } from "../../components/ui";
import { notify } from "../../components/toast";

/** When a version was registered, in the reader's words: `2026-03-01 09:00`. */
const when = (iso: string) => iso.replace("T", " ").slice(0, 16);

/**
 * The model registry (GTO's git tags, as `gto show` reads them): each model's latest
 * version and what each stage holds, then every version with its commit and stages.
 * Models declared in dvc.yaml but never registered are listed with how to start.
 */
export function ModelsDialog(props: { project: string; view: ModelsView; onChange: (v: ModelsView) => void; onClose: () => void }) {
  const { project, view } = props;
  const shown = view.models.filter((m) => m.active);
  const [name, setName] = useState(shown[0]?.name ?? "");
  const [version, setVersion] = useState("");
  const [stageFor, setStageFor] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const act = (run: () => Promise<ModelsView>, done: string, reset: () => void) => {
    setBusy(true);
    setError(null);
    run()
      .then((v) => {
        props.onChange(v);
        reset();
        notify("ok", done);
      })
      .catch((e) => setError(describeError(toApiError(e))))
      .finally(() => setBusy(false));
  };
  const register = () =>
    act(
      () => call("register_model", { project, name: name.trim(), ...(version.trim() ? { version: version.trim() } : {}) }),
      `Registered the current commit as ${name.trim()} ${version.trim() || "(next version)"}`,
      () => setVersion(""),
    );
  const assign = (model: string, v: string) => {
    const stage = (stageFor[`${model} ${v}`] ?? "").trim();
    act(
      () => call("assign_stage", { project, name: model, version: v, stage }),
      `${model} ${v} is in ${stage} now`,
      () => setStageFor((f) => ({ ...f, [`${model} ${v}`]: "" })),
    );
  };
  return (
    <Modal
      title="Models"
      icon="graph"
      wide
      onClose={props.onClose}
      testId="models-dialog"
      footer={
        <>
          <span className="muted small grow">
            Kept in git tags exactly as <code>gto register</code> and <code>gto assign</code> write them; push them with <code>git push --tags</code>.
          </span>
          <Button onClick={props.onClose}>Close</Button>
        </>
      }
    >
      <form
        className="exp-viewbar model-register"
        onSubmit={(e) => {
          e.preventDefault();
          register();
        }}
      >
        <span className="small">Register the current commit as</span>
        <input list="model-names" value={name} onChange={(e) => setName(e.target.value)} placeholder="model name" aria-label="Model name" data-testid="register-name" />
        <datalist id="model-names">
          {view.models.map((m) => (
            <option key={m.name} value={m.name} />
          ))}
        </datalist>
        <input value={version} onChange={(e) => setVersion(e.target.value)} placeholder="next version" aria-label="Version" data-testid="register-version" size={12} />
        <Button kind="primary" disabled={busy || !name.trim()} testId="register-submit" onClick={register}>
          Register
        </Button>
      </form>
      {error && (
        <p className="fail-msg small" data-testid="models-error">
          {error}
        </p>
      )}
      <table className="table models-table" data-testid="models-table">
        <thead>
          <tr>
            <th>Model</th>
            <th>Latest</th>
            {view.stages.map((s) => (
              <th key={s}>#{s}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {shown.map((m) => (
            <tr key={m.name} data-testid="model-row" data-model={m.name}>
              <td>
                <b className="mono">{m.name}</b>
                {m.type && <Pill tone="neutral">{m.type}</Pill>}
                {m.path && <div className="muted small mono">{m.path}</div>}
                {m.desc && <div className="muted small">{m.desc}</div>}
              </td>
              <td className="mono">{m.latest ?? (m.registered ? "—" : <span className="muted">not registered</span>)}</td>
              {view.stages.map((s) => (
                <td key={s} className="mono" data-testid="model-stage" data-stage={s}>
                  {m.stages.find((x) => x.stage === s)?.version ?? <span className="muted">—</span>}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {shown
        .filter((m) => m.versions.length > 0)
        .map((m) => (
          <section key={m.name} className="model-versions">
            <h3>{m.name}: versions</h3>
            <table className="table">
              <thead>
                <tr>
                  <th>Version</th>
                  <th>Commit</th>
                  <th>Stages</th>
                  <th>Registered</th>
                  <th>By</th>
                  <th>Promote</th>
                </tr>
              </thead>
              <tbody>
                {m.versions.map((v) => (
                  <tr key={`${v.version}-${v.commit}`} className={v.active ? "" : "muted"} data-testid="model-version">
                    <td className="mono">
                      {v.registered ? v.version : v.version.slice(0, 7)}
                      {!v.active && <Pill tone="neutral">deregistered</Pill>}
                    </td>
                    <td className="mono" title={v.commit}>
                      {v.commit.slice(0, 7)}
                    </td>
                    <td>
                      {v.stages.map((s) => (
                        <Pill key={s} tone="running">
                          {s}
                        </Pill>
                      ))}
                    </td>
                    <td className="small">{when(v.created)}</td>
                    <td className="small" title={v.message}>
                      {v.author}
                    </td>
                    <td>
                      {v.active && v.registered && (
                        <span className="model-assign">
                          <input
                            list="model-stages"
                            size={8}
                            placeholder="stage"
                            title={view.allowedStages ? `.gto allows: ${view.allowedStages.join(", ")}` : undefined}
                            aria-label={`Stage for ${m.name} ${v.version}`}
                            value={stageFor[`${m.name} ${v.version}`] ?? ""}
                            onChange={(e) => setStageFor({ ...stageFor, [`${m.name} ${v.version}`]: e.target.value })}
                            data-testid="assign-stage"
                          />
                          <Button
                            kind="ghost"
                            disabled={busy || !(stageFor[`${m.name} ${v.version}`] ?? "").trim()}
                            onClick={() => assign(m.name, v.version)}
                            testId="assign-submit"
                          >
                            Assign
                          </Button>
                        </span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        ))}
      <datalist id="model-stages">
        {(view.allowedStages ?? ["dev", "staging", "prod", ...view.stages.filter((s) => !["dev", "staging", "prod"].includes(s))]).map((s) => (
          <option key={s} value={s} />
        ))}
      </datalist>
      {view.models.some((m) => !m.registered) && (
        <p className="muted small">
          Declared in dvc.yaml, not registered yet: {view.models.filter((m) => !m.registered).map((m) => m.name).join(", ")}. <code>gto register NAME</code> makes the
          current commit its first version.
        </p>
      )}
    </Modal>
  );
}

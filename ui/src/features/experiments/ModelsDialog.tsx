import type { ModelsView } from "../../ipc";
import { Button, Modal, Pill } from "../../components/ui";

/** When a version was registered, in the reader's words: `2026-03-01 09:00`. */
const when = (iso: string) => iso.replace("T", " ").slice(0, 16);

/**
 * The model registry (GTO's git tags, as `gto show` reads them): each model's latest
 * version and what each stage holds, then every version with its commit and stages.
 * Models declared in dvc.yaml but never registered are listed with how to start.
 */
export function ModelsDialog(props: { view: ModelsView; onClose: () => void }) {
  const { view } = props;
  const shown = view.models.filter((m) => m.active);
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
            Read from git tags as <code>gto show</code> reads them; <code>gto register</code> and <code>gto assign</code> (or <code>cairn models</code> to look)
            in a terminal.
          </span>
          <Button onClick={props.onClose}>Close</Button>
        </>
      }
    >
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
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        ))}
      {view.models.some((m) => !m.registered) && (
        <p className="muted small">
          Declared in dvc.yaml, not registered yet: {view.models.filter((m) => !m.registered).map((m) => m.name).join(", ")}. <code>gto register NAME</code> makes the
          current commit its first version.
        </p>
      )}
    </Modal>
  );
}

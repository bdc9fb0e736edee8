import { useEffect, useState } from "react";
import { call, describeError, toApiError, type ApiError, type LogLine, type PipelineEdit, type StageDetail, type StageNode } from "../../ipc";
import { Button, ErrorBox, Modal, Pill, StatusBadge } from "../../components/ui";
import { useSubmit } from "../../components/useSubmit";
import { Icon } from "../../components/Icon";
import { formatBytes } from "../../format";
import type { RunRequest } from "./ProjectView";
import { DataPreview } from "./DataPreview";

export function StagePanel(props: {
  project: string;
  stage: StageNode;
  liveLogs: LogLine[] | undefined;
  running: boolean;
  onRun: (r: RunRequest) => void;
  onEdit: (...edits: PipelineEdit[]) => Promise<void>;
  outputs: string[];
  focused: boolean;
  onFocus: () => void;
  onCollapse?: () => void;
  onClose: () => void;
}) {
  const { project, stage } = props;
  // A stage output looked at in the preview (its versions come from dvc.lock).
  const [previewing, setPreviewing] = useState<{ path: string; isDir: boolean } | null>(null);
  const [detail, setDetail] = useState<StageDetail | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [cmdDraft, setCmdDraft] = useState<string | null>(null);
  const [newDep, setNewDep] = useState("");
  const [newOut, setNewOut] = useState("");
  const [confirmDelete, setConfirmDelete] = useState(false);
  const { busy, error: editError, setError: setEditError, submit } = useSubmit();
  // While a run holds the repository lock, edits would wait for it and fail: offer them
  // again when it ends.
  const editable = stage.editable && detail?.writtenCmd != null && !props.running;
  const change = (...edits: PipelineEdit[]) => submit(() => props.onEdit(...edits));
  const removePath = (kind: "remove_dep" | "remove_out", path: string) =>
    props.onEdit({ kind, stage: stage.id, path }).catch((e) => setEditError(describeError(toApiError(e))));
  // Refresh when the stage's state changes (a run finished, files changed).
  useEffect(() => {
    call("get_stage", { project, stage: stage.id })
      .then((d) => {
        setDetail(d);
        setError(null);
      })
      .catch((e) => setError(toApiError(e)));
  }, [project, stage.id, stage.state, stage.cmd, stage.depCount, stage.outCount]);

  const logs = props.liveLogs && props.liveLogs.length ? props.liveLogs : (detail?.logs ?? []);
  const target = { targets: [stage.id] };
  return (
    <aside className="side-panel" data-testid="stage-panel" data-stage={stage.id}>
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
          {stage.editable && (
            <Button
              icon="pin"
              kind="ghost"
              disabled={props.running}
              onClick={() => void change({ kind: "set_frozen", stage: stage.id, frozen: stage.state !== "frozen" })}
              title={
                stage.state === "frozen"
                  ? "Let runs update this stage again (removes frozen: true, as dvc unfreeze)"
                  : "Keep this stage's results: runs leave it alone (frozen: true in dvc.yaml, as dvc freeze)"
              }
              testId="freeze-stage"
            >
              {stage.state === "frozen" ? "Unfreeze" : "Freeze"}
            </Button>
          )}
        </div>
      )}
      <div className="panel-actions">
        <Button kind="ghost" icon="graph" onClick={props.onFocus} testId="focus-stage" title="Show only what this stage depends on and what depends on it (L)">
          {props.focused ? "Show whole pipeline" : "Focus on lineage"}
        </Button>
        {props.onCollapse && (
          <Button kind="ghost" onClick={props.onCollapse} testId="collapse-group" title={`Draw ${stage.group} as one node again`}>
            Collapse {stage.group?.split(":").pop()}
          </Button>
        )}
      </div>
      {error && <ErrorBox error={error} />}
      <div className="panel-scroll">
        {editError && <p className="fail-msg small" data-testid="edit-error">{editError}</p>}
        {stage.cmd.length > 0 && (
          <section>
            <div className="section-head">
              <h3>Command</h3>
              {editable && cmdDraft === null && (
                <Button kind="ghost" icon="edit" onClick={() => setCmdDraft(detail?.writtenCmd ?? "")} testId="edit-cmd">
                  Edit
                </Button>
              )}
            </div>
            {cmdDraft === null ? (
              <pre className="code" data-testid="stage-cmd">{stage.cmd.join("\n")}</pre>
            ) : (
              <>
                <textarea
                  className="cmd-edit"
                  value={cmdDraft}
                  aria-label="Command"
                  autoFocus
                  onChange={(e) => setCmdDraft(e.target.value)}
                  onKeyDown={(e) => {
                    if (e.key === "Escape") setCmdDraft(null);
                    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) void change({ kind: "set_cmd", stage: stage.id, cmd: cmdDraft }).then(() => setCmdDraft(null));
                  }}
                />
                <div className="edit-row">
                  <span className="muted small grow">One command per line · Ctrl+Enter saves</span>
                  <Button onClick={() => setCmdDraft(null)}>Cancel</Button>
                  <Button
                    kind="primary"
                    disabled={busy || cmdDraft.trim() === "" || cmdDraft === detail?.writtenCmd}
                    onClick={() => void change({ kind: "set_cmd", stage: stage.id, cmd: cmdDraft }).then(() => setCmdDraft(null))}
                    testId="save-cmd"
                  >
                    Save
                  </Button>
                </div>
              </>
            )}
            {!editable && !stage.isDataSource && detail && (
              <p className="muted small">Generated by foreach/matrix: edit its template in {stage.dvcfile}.</p>
            )}
          </section>
        )}
        {detail && (detail.deps.length > 0 || editable) && (
          <section>
            <h3>Dependencies</h3>
            <ul className="paths" data-testid="stage-deps">
              {detail.deps.map((d) => (
                <li key={d.path}>
                  <Icon name={d.nfiles !== null ? "dir" : "file"} size={14} />
                  <span className="mono truncate" title={d.path}>{d.path}</span>
                  <span className="muted nowrap">{d.exists ? formatBytes(d.size) : "missing"}</span>
                  {editable && <RemoveButton what={d.path} onClick={() => void removePath("remove_dep", d.path)} />}
                </li>
              ))}
            </ul>
            {editable && (
              <PathAdder
                id="dep"
                value={newDep}
                onChange={setNewDep}
                suggestions={props.outputs.filter((o) => !detail.deps.some((d) => d.path === o) && !detail.outs.some((x) => x.path === o))}
                placeholder="Add an input (a path or another stage's output)"
                busy={busy}
                onAdd={() => void change({ kind: "add_dep", stage: stage.id, path: newDep.trim() }).then(() => setNewDep(""))}
              />
            )}
          </section>
        )}
        {detail && (detail.outs.length > 0 || editable) && (
          <section>
            <h3>Outputs</h3>
            <ul className="paths" data-testid="stage-outs">
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
                  {!o.cacheDisabled && o.cached !== null && (
                    <button
                      className="link small"
                      onClick={() => setPreviewing({ path: o.path, isDir: o.nfiles !== null })}
                      title="Look inside this output at any version, from the cache"
                      data-testid={`preview-out-${o.path}`}
                    >
                      Preview
                    </button>
                  )}
                  {editable && <RemoveButton what={o.path} onClick={() => void removePath("remove_out", o.path)} />}
                </li>
              ))}
            </ul>
            {editable && (
              <PathAdder
                id="out"
                value={newOut}
                onChange={setNewOut}
                suggestions={[]}
                placeholder="Add an output the command writes"
                busy={busy}
                onAdd={() => void change({ kind: "add_out", stage: stage.id, path: newOut.trim() }).then(() => setNewOut(""))}
              />
            )}
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
        {editable && (
          <section className="danger-zone">
            <Button kind="ghost" icon="trash" onClick={() => setConfirmDelete(true)} testId="delete-stage">
              Delete stage…
            </Button>
          </section>
        )}
      </div>
      {confirmDelete && (
        <Modal
          title={`Delete stage ${stage.name}?`}
          icon="trash"
          testId="confirm-delete"
          onClose={() => setConfirmDelete(false)}
          footer={
            <>
              <Button onClick={() => setConfirmDelete(false)}>Cancel</Button>
              <Button
                kind="danger"
                onClick={() => {
                  setConfirmDelete(false);
                  props.onClose();
                  props.onEdit({ kind: "remove_stage", stage: stage.id }).catch(() => undefined);
                }}
                testId="confirm-delete-submit"
              >
                Delete stage
              </Button>
            </>
          }
        >
          <p>
            Removes <b>{stage.name}</b> from <span className="mono">{stage.dvcfile}</span>, with its <span className="mono">dvc.lock</span> entry
            and <span className="mono">.gitignore</span> lines, as <code>dvc remove</code> does. Its outputs and their cached versions stay where
            they are. You can undo this right after.
          </p>
        </Modal>
      )}
      {previewing && (
        <DataPreview
          project={project}
          item={{ path: previewing.path, pointer: "", stage: stage.id, isDir: previewing.isDir, size: null, nfiles: null, md5: null, state: "in_sync" }}
          output={previewing.path}
          onClose={() => setPreviewing(null)}
        />
      )}
    </aside>
  );
}

function RemoveButton({ what, onClick }: { what: string; onClick: () => void }) {
  return (
    <button className="icon-btn path-remove" onClick={onClick} aria-label={`Remove ${what}`} title={`Remove ${what} from this stage`}>
      <Icon name="x" size={13} />
    </button>
  );
}

function PathAdder(props: {
  id: string;
  value: string;
  onChange: (v: string) => void;
  suggestions: string[];
  placeholder: string;
  busy: boolean;
  onAdd: () => void;
}) {
  const list = `paths-${props.id}`;
  const ok = props.value.trim() !== "" && !props.busy;
  return (
    <div className="edit-row">
      <input
        className="mono"
        value={props.value}
        list={props.suggestions.length ? list : undefined}
        placeholder={props.placeholder}
        aria-label={props.placeholder}
        onChange={(e) => props.onChange(e.target.value)}
        onKeyDown={(e) => e.key === "Enter" && ok && props.onAdd()}
      />
      {props.suggestions.length > 0 && (
        <datalist id={list}>
          {props.suggestions.map((s) => (
            <option key={s} value={s} />
          ))}
        </datalist>
      )}
      <Button disabled={!ok} onClick={props.onAdd} testId={`add-${props.id}`}>
        Add
      </Button>
    </div>
  );
}

import { useCallback, useEffect, useState } from "react";
import { call, describeError, toApiError, type DataState, type DataVersion, type DataView, type RemoteCheck, type SyncDirection, type TrackedItem } from "../../ipc";
import { Button, Empty, ErrorBox, Modal, Pill, SubmitForm } from "../../components/ui";
import { Icon } from "../../components/Icon";
import { notify } from "../../components/toast";
import { formatBytes, relativeTime } from "../../format";
import { useEvents } from "../useEvents";
import { DataPreview } from "./DataPreview";
import { RemoteDialog } from "./RemoteDialog";

const STATE: Record<DataState, { label: string; tone: string }> = {
  in_sync: { label: "in sync", tone: "ok" },
  modified: { label: "modified", tone: "stale" },
  not_in_cache: { label: "not in cache", tone: "failed" },
  deleted: { label: "deleted", tone: "failed" },
  new: { label: "new", tone: "running" },
  not_recorded: { label: "not run yet", tone: "neutral" },
};

/** How data_history and preview_data find an item's versions: a stage's output by its path (its versions are in dvc.lock). */
function recordOf(it: TrackedItem): { pointer: string; output?: string } {
  return it.stage ? { pointer: "", output: it.path } : { pointer: it.pointer };
}

export function DataTab({ project }: { project: string }) {
  const [data, setData] = useState<DataView | null>(null);
  const [history, setHistory] = useState<TrackedItem | null>(null);
  const [previewing, setPreviewing] = useState<{ item: TrackedItem; commit?: string } | null>(null);
  const [adding, setAdding] = useState(false);
  const [moving, setMoving] = useState<TrackedItem | null>(null);
  const [settingRemote, setSettingRemote] = useState(false);
  const [message, setMessage] = useState("");
  const [busy, setBusy] = useState(false);
  // What the last "Check remote" found, with each item's version then: an item
  // recorded anew since is not vouched for. Cleared by a push or pull.
  const [remoteCheck, setRemoteCheck] = useState<(RemoteCheck & { versions: Map<string, string | null> }) | null>(null);
  const load = useCallback(() => {
    call("data_status", { project })
      .then(setData)
      .catch((e) => notify("error", describeError(toApiError(e))));
  }, [project]);
  useEffect(load, [load]);
  useEvents((e) => {
    if ("project" in e && e.project === project && (e.type === "files_changed" || e.type === "run_finished")) load();
  });

  const act = async (what: () => Promise<unknown>, ok: string) => {
    setBusy(true);
    try {
      await what();
      notify("ok", ok);
      load();
    } catch (e) {
      notify("error", describeError(toApiError(e)));
    } finally {
      setBusy(false);
    }
  };

  const sync = async (direction: SyncDirection) => {
    setBusy(true);
    setRemoteCheck(null);
    try {
      const r = await call("data_sync", { project, direction });
      const moved = r.transferred === 0 ? "Everything is up to date" : `${r.transferred} file${r.transferred === 1 ? "" : "s"} ${direction === "push" ? "pushed to" : "pulled from"} ${r.remote}`;
      if (r.missing.length) notify("error", `${moved}; not available: ${r.missing.join(", ")}`, 10000);
      else notify("ok", r.restored.length ? `${moved}; restored ${r.restored.join(", ")}` : moved);
      for (const p of r.problems) notify("error", describeError(p));
      load();
    } catch (e) {
      notify("error", describeError(toApiError(e)));
    } finally {
      setBusy(false);
    }
  };

  const checkRemote = async () => {
    setBusy(true);
    try {
      const r = await call("remote_check", { project });
      setRemoteCheck({ ...r, versions: new Map((data?.items ?? []).map((it) => [it.path, it.md5])) });
      if (r.missing.length === 0) notify("ok", `All ${r.checked} recorded output${r.checked === 1 ? " is" : "s are"} on ${r.remote}`);
      else notify("error", `${r.missing.length} of ${r.checked} recorded outputs not on ${r.remote}: ${r.missing.join(", ")}. Push sends them.`, 10000);
    } catch (e) {
      notify("error", describeError(toApiError(e)));
    } finally {
      setBusy(false);
    }
  };
  const onRemote = (it: TrackedItem): boolean | null => {
    if (!remoteCheck || !it.md5 || remoteCheck.versions.get(it.path) !== it.md5) return null;
    return !remoteCheck.missing.includes(it.isDir ? `${it.path}/` : it.path);
  };

  // Writes what is on disk into the record (dvc.lock or the .dvc file), as `dvc commit -f`; undoable.
  const record = async (it: TrackedItem) => {
    setBusy(true);
    try {
      const r = await call("data_commit", { project, paths: [it.path], force: true });
      if (r.changed)
        notify("ok", r.summary[0]?.toUpperCase() + r.summary.slice(1), 8000, {
          label: "Undo",
          run: () =>
            void call("undo_edit", { project })
              .then(() => {
                notify("info", `The record of ${it.path} is back as it was`);
                load();
              })
              .catch((e) => notify("error", describeError(toApiError(e)))),
        });
      else notify("info", r.summary);
      load();
    } catch (e) {
      notify("error", describeError(toApiError(e)));
    } finally {
      setBusy(false);
    }
  };

  const save = () =>
    act(async () => {
      const c = await call("save_version", { project, message, paths: [] });
      setMessage("");
      return c;
    }, "Saved a new version");

  if (!data) return <div className="page-loading">Loading…</div>;
  return (
    <div className="data-tab">
      <section className="card">
        <div className="card-head">
          <h2>Tracked data</h2>
          {data.remote && (
            <span className="muted small" title={data.remote.url} data-testid="remote-name">
              remote <span className="mono">{data.remote.name}</span>
            </span>
          )}
          <span className="grow" />
          <div className="row-gap">
            <Button icon="download" onClick={() => void act(() => call("data_checkout", { project, paths: [], force: false }), "Workspace data restored from the cache")} disabled={busy} title="Restore every tracked path to its recorded version">
              Checkout all
            </Button>
            {data.remote ? (
              <>
                <Button
                  icon="download"
                  onClick={() => void sync("pull")}
                  disabled={busy || !data.remote.usable}
                  title={data.remote.usable ? `Fetch the data from ${data.remote.url} and restore it` : `Cairn pulls from folder, S3, GCS, Azure, SSH, HTTP and WebDAV remotes; use dvc pull for ${data.remote.url}`}
                  testId="pull-data"
                >
                  Pull
                </Button>
                <Button
                  icon="save"
                  onClick={() => void sync("push")}
                  disabled={busy || !data.remote.usable}
                  title={data.remote.usable ? `Send the data to ${data.remote.url}` : `Cairn pushes to folder, S3, GCS, Azure, SSH, HTTP and WebDAV remotes; use dvc push for ${data.remote.url}`}
                  testId="push-data"
                >
                  Push
                </Button>
                <Button
                  icon="search"
                  onClick={() => void checkRemote()}
                  disabled={busy || !data.remote.usable}
                  title={data.remote.usable ? `See which tracked data ${data.remote.url} does not have yet` : `use dvc data status --not-in-remote for ${data.remote.url}`}
                  testId="check-remote"
                >
                  Check remote
                </Button>
                <Button onClick={() => setSettingRemote(true)} title={`Change remote ${data.remote.name} (${data.remote.url})`} testId="remote-settings">
                  Remote…
                </Button>
              </>
            ) : (
              <Button icon="database" onClick={() => setSettingRemote(true)} title="Choose where Push sends the data and Pull gets it from" testId="remote-settings">
                Set up remote…
              </Button>
            )}
            <Button icon="plus" kind="primary" onClick={() => setAdding(true)} testId="track-data">
              Track file or folder…
            </Button>
          </div>
        </div>
        {data.problems.map((p, i) => (
          <ErrorBox key={i} error={p} />
        ))}
        {data.items.length === 0 ? (
          <Empty icon="database" title="No tracked data">
            <p className="muted">Track a data file or folder: its content goes to the cache, and a small pointer file is versioned with git.</p>
          </Empty>
        ) : (
          <table className="table" data-testid="tracked-table">
            <thead>
              <tr>
                <th>Path</th>
                <th>Status</th>
                <th className="num">Size</th>
                <th className="num">Files</th>
                <th>Version</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {data.items.map((it) => (
                <tr key={it.path} data-testid={`data-row-${it.path}`}>
                  <td>
                    <span className="cell-path">
                      <Icon name={it.isDir ? "dir" : "file"} size={15} />
                      <span className="mono">{it.path}</span>
                    </span>
                    {/* What records it, under its path: the table stays narrow enough for a laptop window. */}
                    <div className="recorded-by muted small">
                      {it.stage ? (
                        <span title={`Written by stage ${it.stage}; its versions are recorded in ${it.pointer}`}>
                          stage <span className="mono">{it.stage}</span>
                        </span>
                      ) : (
                        <span className="mono" title="A pointer file versioned with git">
                          {it.pointer}
                        </span>
                      )}
                    </div>
                  </td>
                  <td>
                    <Pill tone={STATE[it.state].tone} title={it.state === "not_recorded" ? `Run stage ${it.stage} to produce and record it` : undefined}>
                      {STATE[it.state].label}
                    </Pill>
                    {onRemote(it) === true && (
                      <Pill tone="ok" title={`${remoteCheck?.remote} has this version`}>
                        on remote
                      </Pill>
                    )}
                    {onRemote(it) === false && (
                      <Pill tone="stale" title={`${remoteCheck?.remote} does not have this version yet: Push sends it`}>
                        not pushed
                      </Pill>
                    )}
                    {it.state === "not_in_cache" && (
                      <span className="muted small state-hint">{data.remote?.usable ? " Pull fetches it" : " pull it from a remote (dvc pull)"}</span>
                    )}
                  </td>
                  <td className="num">{formatBytes(it.size)}</td>
                  <td className="num">{it.nfiles ?? (it.isDir ? "—" : 1)}</td>
                  <td className="mono muted">{it.md5 ?? "—"}</td>
                  <td className="row-actions">
                    {it.state !== "not_recorded" && (
                      <>
                        <Button kind="ghost" icon="search" onClick={() => setPreviewing({ item: it })} testId={`preview-${it.path}`}>
                          Preview
                        </Button>
                        <Button kind="ghost" icon="history" onClick={() => setHistory(it)} testId={`versions-${it.path}`}>
                          Versions
                        </Button>
                      </>
                    )}
                    {!it.stage && (
                      <Button kind="ghost" icon="edit" disabled={busy} onClick={() => setMoving(it)} title={`Rename or move ${it.path} with its ${it.pointer} (as dvc move)`} testId={`move-${it.path}`}>
                        Move…
                      </Button>
                    )}
                    {(it.state === "modified" || (it.state === "not_in_cache" && it.stage)) && (
                      <Button
                        kind="ghost"
                        icon="save"
                        disabled={busy}
                        onClick={() => void record(it)}
                        title={`Store ${it.path} as it is now and write that version into ${it.pointer} (as dvc commit); Undo takes it back`}
                        testId={`record-${it.path}`}
                      >
                        Record as is
                      </Button>
                    )}
                    {it.state !== "in_sync" && it.state !== "not_recorded" && (
                      <Button kind="ghost" icon="download" disabled={busy} onClick={() => void act(() => call("data_checkout", { project, paths: [it.path], force: false }), `${it.path} restored`)}>
                        Checkout
                      </Button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section className="card">
        <div className="card-head">
          <h2>Save version</h2>
          <span className="muted">Commits pointer files, dvc.lock, params and code together, so data and code are versioned as one.</span>
        </div>
        {data.unsaved.length === 0 ? (
          <p className="muted" data-testid="nothing-to-save">
            <Icon name="check" size={14} /> Everything is saved.
          </p>
        ) : (
          <>
            <ul className="changes" data-testid="unsaved">
              {data.unsaved.map((c) => (
                <li key={c.path}>
                  <span className={`change change-${c.change}`}>{c.change[0]?.toUpperCase()}</span>
                  <span className="mono">{c.path}</span>
                </li>
              ))}
            </ul>
            <SubmitForm className="save-form" onSubmit={() => void save()}>
              <input className="text-input" placeholder="Describe this version, e.g. “More training data, lr 0.05”" value={message} onChange={(e) => setMessage(e.target.value)} aria-label="Version message" />
              <Button kind="primary" icon="save" type="submit" disabled={!message.trim() || busy} testId="save-version">
                Save version
              </Button>
            </SubmitForm>
          </>
        )}
      </section>
      {history && (
        <History
          project={project}
          item={history}
          onClose={() => setHistory(null)}
          onChanged={load}
          onPreview={(commit) => {
            setHistory(null);
            setPreviewing({ item: history, commit });
          }}
        />
      )}
      {previewing && <DataPreview project={project} item={previewing.item} output={recordOf(previewing.item).output} commit={previewing.commit} onClose={() => setPreviewing(null)} />}
      {adding && <TrackDialog project={project} onClose={() => setAdding(false)} onDone={load} />}
      {moving && <MoveDialog project={project} item={moving} onClose={() => setMoving(null)} onDone={load} />}
      {settingRemote && (
        <RemoteDialog
          project={project}
          remote={data.remote}
          onClose={() => setSettingRemote(false)}
          onSaved={(r) => {
            notify("ok", `Remote ${r.name} set up: Push and Pull use ${r.url}. Save version commits .dvc/config for your team.`, 8000);
            load();
          }}
        />
      )}
    </div>
  );
}

function History({
  project,
  item,
  onClose,
  onChanged,
  onPreview,
}: {
  project: string;
  item: TrackedItem;
  onClose: () => void;
  onChanged: () => void;
  onPreview: (commit: string) => void;
}) {
  const [versions, setVersions] = useState<DataVersion[] | null>(null);
  const load = useCallback(() => {
    call("data_history", { project, ...recordOf(item) })
      .then(setVersions)
      .catch((e) => notify("error", describeError(toApiError(e))));
  }, [project, item]);
  useEffect(load, [load]);
  const checkout = async (v: DataVersion) => {
    try {
      await call("checkout_version", { project, pointer: item.pointer, commit: v.commit.id });
      notify("ok", `${item.path} is now the version from “${v.commit.summary}”`);
      load();
      onChanged();
    } catch (e) {
      notify("error", describeError(toApiError(e)));
    }
  };
  return (
    <Modal title={`Versions of ${item.path}`} icon="history" onClose={onClose} testId="versions-dialog" footer={<Button onClick={onClose}>Close</Button>}>
      {!versions ? (
        <p className="muted">Loading…</p>
      ) : versions.length === 0 ? (
        <p className="muted">No saved versions yet: use “Save version”.</p>
      ) : (
        <ul className="versions">
          {versions.map((v) => (
            <li key={v.commit.id} className={v.current ? "current" : ""} data-testid="version">
              <div className="v-main">
                <div className="v-title">{v.commit.summary}</div>
                <div className="muted small">
                  <span className="mono">{v.commit.id.slice(0, 7)}</span> · {v.commit.author} · {relativeTime(v.commit.time)} · {formatBytes(v.size)}
                  {v.nfiles !== null ? ` · ${v.nfiles} files` : ""}
                </div>
              </div>
              {v.inCache && (
                <Button kind="ghost" icon="search" onClick={() => onPreview(v.commit.id)} testId="preview-version">
                  Preview
                </Button>
              )}
              {v.current ? (
                <Pill tone="ok">current</Pill>
              ) : item.stage ? (
                // A stage output's version comes with its commit's dvc.lock: switching it alone would leave the lock lying.
                <Pill tone="neutral" title={`Check out that commit (or re-run ${item.stage}) to get this version back`}>
                  {v.inCache ? "in cache" : "not in cache"}
                </Pill>
              ) : v.inCache ? (
                <Button icon="download" onClick={() => void checkout(v)} testId="checkout-version">
                  Check out
                </Button>
              ) : (
                <Pill tone="failed" title="The data of this version is not in the local cache">not in cache</Pill>
              )}
            </li>
          ))}
        </ul>
      )}
    </Modal>
  );
}

function TrackDialog({ project, onClose, onDone }: { project: string; onClose: () => void; onDone: () => void }) {
  const [path, setPath] = useState("");
  const [error, setError] = useState<string | null>(null);
  const submit = async () => {
    try {
      await call("data_add", { project, paths: [path.trim()], force: false });
      notify("ok", `Tracking ${path.trim()}`);
      onDone();
      onClose();
    } catch (e) {
      setError(describeError(toApiError(e)));
    }
  };
  return (
    <Modal
      title="Track file or folder"
      icon="plus"
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button kind="primary" disabled={!path.trim()} onClick={() => void submit()} testId="track-confirm">
            Track
          </Button>
        </>
      }
    >
      <p className="muted">A path inside the project, e.g. <code>data/images</code>. Its content is stored in the cache; a <code>.dvc</code> pointer is created for git.</p>
      <SubmitForm onSubmit={() => void submit()}>
        <input className="text-input mono" value={path} onChange={(e) => setPath(e.target.value)} placeholder="data/raw" aria-label="Path to track" />
      </SubmitForm>
      {error && <p className="form-error">{error}</p>}
    </Modal>
  );
}

function MoveDialog({ project, item, onClose, onDone }: { project: string; item: TrackedItem; onClose: () => void; onDone: () => void }) {
  const [to, setTo] = useState(item.path);
  const [error, setError] = useState<string | null>(null);
  const submit = async () => {
    try {
      const r = await call("data_move", { project, from: item.path, to: to.trim() });
      notify("ok", `Moved ${item.path} to ${r.to}`, 8000, {
        label: "Undo",
        run: () =>
          void call("data_move", { project, from: r.to, to: item.path })
            .then(() => {
              notify("info", `${item.path} is back in its place`);
              onDone();
            })
            .catch((e) => notify("error", describeError(toApiError(e)))),
      });
      onDone();
      onClose();
    } catch (e) {
      setError(describeError(toApiError(e)));
    }
  };
  const unchanged = !to.trim() || to.trim() === item.path;
  return (
    <Modal
      title={`Move ${item.path}`}
      icon="edit"
      onClose={onClose}
      testId="move-dialog"
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button kind="primary" disabled={unchanged} onClick={() => void submit()} testId="move-confirm">
            Move
          </Button>
        </>
      }
    >
      <p className="muted">
        The data moves with its <code>{item.pointer}</code> and its <code>.gitignore</code> entry, as <code>dvc move</code> does; its versions stay in the cache. A folder that exists receives it
        under its own name.
      </p>
      <SubmitForm onSubmit={() => void submit()}>
        <input className="text-input mono" value={to} onChange={(e) => setTo(e.target.value)} aria-label="New path" autoFocus />
      </SubmitForm>
      {error && <p className="form-error">{error}</p>}
    </Modal>
  );
}

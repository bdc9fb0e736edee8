import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { call, describeError, folderPicker, toApiError, type ProjectNews, type ProjectSummary, type RunState } from "../../ipc";
import { Icon } from "../../components/Icon";
import { Button, Empty, Modal, Pill, SubmitForm } from "../../components/ui";
import { notify } from "../../components/toast";
import { useShortcuts } from "../../components/shortcuts";
import { useSubmit } from "../../components/useSubmit";
import { useEvents } from "../useEvents";
import { relativeTime, tildify } from "../../format";
import { describeProgress, fraction, type ProgressEvent } from "../../components/tasks";
import "../compare/compare.css";

const RUN_TONE: Record<RunState, string> = {
  running: "running",
  succeeded: "ok",
  failed: "failed",
  cancelled: "neutral",
};

/** "2 new experiments, 1 commit" (what is non-zero). */
export function newsText(n: ProjectNews): string {
  const parts = [
    n.experiments ? `${n.experiments} new experiment${n.experiments === 1 ? "" : "s"}` : "",
    n.commits ? `${n.commits >= 100 ? "100+" : n.commits} commit${n.commits === 1 ? "" : "s"}` : "",
  ];
  return parts.filter(Boolean).join(", ");
}

export function Home({ onOpen, onChanged, onCompare }: { onOpen: (path: string) => void; onChanged: () => void; onCompare: (paths: string[]) => void }) {
  const [projects, setProjects] = useState<ProjectSummary[] | null>(null);
  const [query, setQuery] = useState("");
  const [adding, setAdding] = useState(false);
  const [cloning, setCloning] = useState(false);
  const [creating, setCreating] = useState(false);
  const [removing, setRemoving] = useState<ProjectSummary | null>(null);
  // The projects ticked for a comparison, in the order they were ticked; null when not picking.
  const [picking, setPicking] = useState<string[] | null>(null);
  const pick = (path: string) => setPicking((p) => (p === null ? p : p.includes(path) ? p.filter((x) => x !== path) : [...p, path]));
  const search = useRef<HTMLInputElement>(null);

  const load = useCallback(() => {
    call("list_projects", {})
      .then(setProjects)
      .catch((e) => notify("error", describeError(toApiError(e))));
  }, []);
  useEffect(load, [load]);
  useEvents((e) => {
    if (e.type === "projects_changed" || e.type === "run_finished") load();
  });
  useShortcuts({ "/": () => search.current?.focus() });

  const shown = useMemo(() => {
    const q = query.trim().toLowerCase();
    return (projects ?? []).filter((p) => !q || p.name.toLowerCase().includes(q) || p.path.toLowerCase().includes(q));
  }, [projects, query]);

  const remove = async (p: ProjectSummary) => {
    try {
      await call("remove_project", { project: p.path });
      notify("ok", `Removed ${p.name} from the list (its files are untouched)`);
      load();
      onChanged();
    } catch (e) {
      notify("error", describeError(toApiError(e)));
    }
    setRemoving(null);
  };

  return (
    <div className="page">
      <header className="page-head">
        <div>
          <h1>Projects</h1>
          <p className="muted">Git repositories with DVC pipelines and data on this machine.</p>
        </div>
        <div className="head-actions">
          <label className="search">
            <Icon name="search" />
            <input
              ref={search}
              placeholder="Search projects"
              value={query}
              onChange={(e) => setQuery(e.target.value)}
              aria-label="Search projects"
            />
            <kbd>/</kbd>
          </label>
          <Button
            icon="graph"
            onClick={() => setPicking((p) => (p === null ? [] : null))}
            disabled={(projects?.length ?? 0) < 2}
            title="Put several projects' params and metrics side by side"
            testId="compare-open"
          >
            Compare…
          </Button>
          <Button icon="plus" onClick={() => setCreating(true)} title="Start a project from nothing: a folder with git and DVC set up" testId="new-project">
            New project…
          </Button>
          <Button icon="download" onClick={() => setCloning(true)} testId="clone">
            Clone…
          </Button>
          <Button icon="folder" kind="primary" onClick={() => setAdding(true)} testId="add-folder">
            Add folder…
          </Button>
        </div>
      </header>
      {projects && projects.length === 0 && (
        <Empty icon="folder" title="No projects yet">
          <p className="muted">Add a folder: every git repository inside it becomes a project. Or clone one.</p>
          <div className="row-gap">
            <Button kind="primary" icon="folder" onClick={() => setAdding(true)}>
              Add folder…
            </Button>
            <Button icon="download" onClick={() => setCloning(true)}>
              Clone…
            </Button>
            <Button
              icon="bolt"
              onClick={() =>
                call("install_demo", {})
                  .then((p) => onOpen(p.path))
                  .catch((e) => notify("error", describeError(toApiError(e))))
              }
            >
              Open the demo
            </Button>
          </div>
        </Empty>
      )}
      {picking && (
        <div className="compare-bar" data-testid="compare-bar">
          <span>
            <b>Compare:</b> tick the projects to put side by side ({picking.length} ticked).
          </span>
          <span className="grow" />
          <Button onClick={() => setPicking(null)}>Cancel</Button>
          <Button kind="primary" icon="graph" disabled={picking.length < 2} onClick={() => onCompare(picking)} testId="compare-go">
            Compare {picking.length >= 2 ? picking.length : ""} projects
          </Button>
        </div>
      )}
      <div className="project-grid" data-testid="project-list">
        {shown.map((p) => (
          <article
            key={p.path}
            className={`project-card ${p.missing ? "missing" : ""} ${picking?.includes(p.path) ? "picked" : ""}`}
            onClick={() => !p.missing && (picking ? pick(p.path) : onOpen(p.path))}
            tabIndex={0}
            onKeyDown={(e) => e.key === "Enter" && !p.missing && (picking ? pick(p.path) : onOpen(p.path))}
            data-testid="project-card"
          >
            <div className="card-top">
              <div className="card-title">
                {picking && !p.missing && (
                  <input
                    type="checkbox"
                    checked={picking.includes(p.path)}
                    onChange={() => pick(p.path)}
                    onClick={(e) => e.stopPropagation()}
                    aria-label={`Compare ${p.name}`}
                    data-testid="compare-pick"
                  />
                )}
                <h3>{p.name}</h3>
                {p.trusted && (
                  <span className="trusted" title="Trusted: its pipeline may run">
                    <Icon name="shield" size={14} />
                  </span>
                )}
              </div>
              <button
                className="icon-btn card-remove"
                title="Remove from list"
                aria-label={`Remove ${p.name} from list`}
                onClick={(e) => {
                  e.stopPropagation();
                  setRemoving(p);
                }}
              >
                <Icon name="trash" />
              </button>
            </div>
            <div className="card-path mono truncate" title={p.path}>
              {tildify(p.path)}
            </div>
            {p.missing ? (
              <div className="card-problem">The folder is gone.</div>
            ) : (
              <div className="card-commit">
                <span className="chip">
                  <Icon name="branch" size={13} />
                  {p.branch ?? "detached"}
                </span>
                <span className="truncate muted" title={p.lastCommit ?? ""}>
                  {p.lastCommit ?? "no commits yet"}
                </span>
                <span className="muted nowrap">{relativeTime(p.lastCommitTime)}</span>
              </div>
            )}
            <div className="card-stats">
              <span className="stat">
                <Icon name="graph" size={14} />
                {p.stageCount} {p.stageCount === 1 ? "stage" : "stages"}
              </span>
              {p.problem ? (
                <Pill tone="failed" title={describeError(p.problem)}>
                  pipeline error
                </Pill>
              ) : p.staleCount ? (
                <Pill tone="stale">{p.staleCount} stale</Pill>
              ) : p.stageCount > 0 && p.staleCount === 0 ? (
                <Pill tone="ok">up to date</Pill>
              ) : null}
              {p.lastRun && (
                <Pill tone={RUN_TONE[p.lastRun]}>last run {p.lastRun}</Pill>
              )}
            </div>
            {p.news && (
              <div className="card-news" data-testid="project-news" title="Made since you last opened this project in Cairn (in a terminal, by CI, or pulled)">
                <Icon name="bolt" size={13} />
                {newsText(p.news)} since you last opened it
              </div>
            )}
          </article>
        ))}
      </div>
      {adding && (
        <AddFolder
          onClose={() => setAdding(false)}
          onAdded={(first) => {
            setAdding(false);
            load();
            onChanged();
            if (first) onOpen(first);
          }}
        />
      )}
      {creating && (
        <NewProject
          onClose={() => setCreating(false)}
          onCreated={(path) => {
            setCreating(false);
            load();
            onChanged();
            onOpen(path);
          }}
        />
      )}
      {cloning && (
        <CloneRepo
          onClose={() => setCloning(false)}
          onCloned={(path) => {
            setCloning(false);
            load();
            onChanged();
            onOpen(path);
          }}
        />
      )}
      {removing && (
        <Modal
          title={`Remove ${removing.name}?`}
          icon="trash"
          onClose={() => setRemoving(null)}
          footer={
            <>
              <Button onClick={() => setRemoving(null)}>Keep</Button>
              <Button kind="danger" onClick={() => void remove(removing)}>
                Remove from list
              </Button>
            </>
          }
        >
          <p>The project disappears from Cairn. Nothing on disk is deleted.</p>
          <p className="mono muted">{removing.path}</p>
        </Modal>
      )}
    </div>
  );
}

function AddFolder({ onClose, onAdded }: { onClose: () => void; onAdded: (first: string | null) => void }) {
  const [path, setPath] = useState("");
  const { busy, error, setError, submit: run } = useSubmit();
  const submit = () =>
    run(async () => {
      const r = await call("add_folder", { path: path.trim() });
      const n = r.added.length;
      notify(
        "ok",
        n
          ? `Added ${n} project${n === 1 ? "" : "s"}${r.alreadyListed ? ` (${r.alreadyListed} already listed)` : ""}`
          : "Those repositories are already listed",
      );
      onAdded(n === 1 ? (r.added[0]?.path ?? null) : null);
    });
  return (
    <Modal
      title="Add folder"
      icon="folder"
      onClose={onClose}
      testId="add-folder-dialog"
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button kind="primary" onClick={() => void submit()} disabled={!path.trim() || busy}>
            {busy ? "Searching…" : "Add projects"}
          </Button>
        </>
      }
    >
      <p className="muted">Every git repository in this folder (up to four levels deep) is added.</p>
      <SubmitForm onSubmit={() => void submit()}>
        <FolderInput value={path} onChange={setPath} label="Folder path" placeholder="/home/you/projects" onError={setError} />
      </SubmitForm>
      {error && <p className="form-error">{error}</p>}
    </Modal>
  );
}

function CloneRepo({ onClose, onCloned }: { onClose: () => void; onCloned: (path: string) => void }) {
  const [url, setUrl] = useState("");
  const [folder, setFolder] = useState("");
  const [name, setName] = useState("");
  const [progress, setProgress] = useState<ProgressEvent | null>(null);
  const { busy, error, setError, submit: run } = useSubmit();
  const task = useRef<string | null>(null);
  useEffect(() => {
    call("app_info", {})
      .then((i) => setFolder((f) => f || i.cloneFolder))
      .catch(() => {});
  }, []);
  useEvents((e) => {
    if (e.type !== "progress" || !busy || !e.title.startsWith("Cloning ")) return;
    task.current = e.finished ? null : e.task;
    setProgress(e.finished ? null : e);
  });
  const submit = () =>
    run(async () => {
      try {
        const p = await call("clone_project", {
          url: url.trim(),
          folder: folder.trim(),
          ...(name.trim() ? { name: name.trim() } : {}),
        });
        notify("ok", `Cloned ${p.name}. Look over its pipeline, then trust it to run.`, 6000);
        onCloned(p.path);
      } finally {
        setProgress(null);
        task.current = null;
      }
    });
  const cancel = () => {
    if (task.current) void call("cancel_task", { task: task.current }).catch(() => {});
    else onClose();
  };
  const f = progress ? fraction(progress) : null;
  return (
    <Modal
      title="Clone a repository"
      icon="download"
      onClose={busy ? cancel : onClose}
      testId="clone-dialog"
      footer={
        <>
          <Button onClick={busy ? cancel : onClose}>{busy ? "Stop" : "Cancel"}</Button>
          <Button kind="primary" onClick={() => void submit()} disabled={!url.trim() || !folder.trim() || busy}>
            {busy ? "Cloning…" : "Clone"}
          </Button>
        </>
      }
    >
      <p className="muted">
        Anything <span className="mono">git clone</span> takes: an https or ssh URL, or a path. It uses your git and
        its saved credentials.
      </p>
      <SubmitForm className="stage-form" onSubmit={() => void submit()}>
        <label>
          <span>Repository</span>
          <input
            className="text-input mono"
            placeholder="https://github.com/team/project.git"
            value={url}
            onChange={(e) => setUrl(e.target.value)}
            aria-label="Repository URL"
            disabled={busy}
          />
        </label>
        <label>
          <span>Into folder</span>
          <FolderInput value={folder} onChange={setFolder} label="Folder to clone into" disabled={busy} onError={setError} />
        </label>
        <label>
          <span>Name</span>
          <input
            className="text-input mono"
            placeholder="from the URL"
            value={name}
            onChange={(e) => setName(e.target.value)}
            aria-label="Project folder name"
            disabled={busy}
          />
        </label>
        <button type="submit" hidden />
      </SubmitForm>
      {busy && (
        <div className="clone-progress" data-testid="clone-progress">
          <div className={`progress-bar ${f == null ? "indeterminate" : ""}`}>
            <div style={f == null ? undefined : { width: `${(f * 100).toFixed(1)}%` }} />
          </div>
          <span className="muted">{progress?.phase ? describeProgress(progress) : "contacting the server…"}</span>
        </div>
      )}
      {error && <p className="form-error">{error}</p>}
    </Modal>
  );
}

/** A folder path with a Browse… button where the platform has a folder picker. */
function FolderInput(props: { value: string; onChange: (v: string) => void; label: string; placeholder?: string; disabled?: boolean; onError: (message: string) => void }) {
  const pick = folderPicker();
  return (
    <div className="row-gap nowrap-row">
      <input
        className="text-input mono"
        placeholder={props.placeholder}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
        aria-label={props.label}
        disabled={props.disabled}
      />
      {pick && (
        <Button
          icon="folder"
          onClick={() =>
            void pick()
              .then((p) => p && props.onChange(p))
              .catch((e) => props.onError(describeError(toApiError(e))))
          }
        >
          Browse…
        </Button>
      )}
    </div>
  );
}

/**
 * A project from nothing: a folder with git, DVC's files and a README, committed — for
 * someone who has never run `git init`. It opens at once, trusted.
 */
function NewProject({ onClose, onCreated }: { onClose: () => void; onCreated: (path: string) => void }) {
  const [name, setName] = useState("");
  const [folder, setFolder] = useState("");
  const { busy, error, setError, submit: run } = useSubmit();
  useEffect(() => {
    call("app_info", {})
      .then((i) => setFolder((f) => f || i.cloneFolder))
      .catch(() => {});
  }, []);
  const submit = () =>
    run(async () => {
      const p = await call("create_project", { folder: folder.trim(), name: name.trim() });
      notify("ok", `Created ${p.name}: add a stage, or track data in the Data tab`, 6000);
      onCreated(p.path);
    });
  return (
    <Modal
      title="New project"
      icon="plus"
      onClose={onClose}
      testId="new-project-dialog"
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button kind="primary" onClick={() => void submit()} disabled={!name.trim() || !folder.trim() || busy} testId="new-project-create">
            {busy ? "Creating…" : "Create"}
          </Button>
        </>
      }
    >
      <p className="muted">A new folder with version control set up (git, and DVC&apos;s files for data and pipelines), ready to run and to share.</p>
      <SubmitForm className="stage-form" onSubmit={() => void submit()}>
        <label>
          <span>Name</span>
          <input className="text-input mono" placeholder="flower-classifier" value={name} onChange={(e) => setName(e.target.value)} aria-label="Project name" autoFocus />
        </label>
        <label>
          <span>In folder</span>
          <FolderInput value={folder} onChange={setFolder} label="Folder to create it in" onError={setError} />
        </label>
        <button type="submit" hidden />
      </SubmitForm>
      {error && <p className="form-error">{error}</p>}
    </Modal>
  );
}

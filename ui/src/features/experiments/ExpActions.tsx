import { useRef, useState } from "react";
import { call, describeError, toApiError, type ExpAction, type ExpRow } from "../../ipc";
import { Button, Modal, SubmitForm } from "../../components/ui";
import { Icon } from "../../components/Icon";
import { notify } from "../../components/toast";
import { useSubmit } from "../../components/useSubmit";
import { useDismiss } from "../../components/useDismiss";
import { NoteDialog } from "./NoteDialog";

type Dialog = { kind: "apply" | "branch" | "rename"; row: ExpRow } | null;

/** The "⋯" menu of one experiment row and the dialogs its items open. */
export function ExpRowMenu(props: { project: string; row: ExpRow; running: boolean; onDone: () => void }) {
  const { project, row } = props;
  const [open, setOpen] = useState<{ x: number; y: number } | null>(null);
  const [dialog, setDialog] = useState<Dialog>(null);
  const [noting, setNoting] = useState(false);
  const menu = useRef<HTMLDivElement>(null);
  useDismiss(menu, open !== null, () => setOpen(null));

  const remove = async () => {
    setOpen(null);
    try {
      const r = await act(project, row.name, { kind: "remove" });
      props.onDone();
      notify("ok", r.message, 8000, {
        label: "Undo",
        run: () =>
          void act(project, row.name, { kind: "restore", refs: r.removed })
            .then((u) => {
              notify("ok", u.message);
              props.onDone();
            })
            .catch((e) => notify("error", describeError(toApiError(e)))),
      });
    } catch (e) {
      notify("error", describeError(toApiError(e)));
    }
  };
  const item = (label: string, onClick: () => void, opts: { disabled?: string; danger?: boolean; testId: string }) => (
    <button
      role="menuitem"
      className={opts.danger ? "danger" : ""}
      disabled={!!opts.disabled}
      title={opts.disabled}
      data-testid={opts.testId}
      onClick={() => {
        setOpen(null);
        onClick();
      }}
    >
      {label}
    </button>
  );
  return (
    <>
      <button
        className="icon-btn row-menu-btn"
        aria-label={`Actions for ${row.name}`}
        aria-haspopup="menu"
        data-testid="exp-actions"
        onClick={(e) => {
          const r = e.currentTarget.getBoundingClientRect();
          setOpen(open ? null : { x: r.left, y: r.bottom + 4 });
        }}
      >
        <Icon name="more" size={15} />
      </button>
      {open && (
        <div className="row-menu" role="menu" ref={menu} style={{ left: open.x, top: open.y }} data-testid="exp-menu">
          {item("Apply to work tree…", () => setDialog({ kind: "apply", row }), {
            disabled: props.running ? "A run is in progress" : undefined,
            testId: "exp-apply",
          })}
          {item("Make a branch…", () => setDialog({ kind: "branch", row }), { testId: "exp-branch" })}
          {item("Rename…", () => setDialog({ kind: "rename", row }), { testId: "exp-rename" })}
          {item(row.note ? "Edit note…" : "Add note…", () => setNoting(true), { testId: "exp-note" })}
          {item("Delete", () => void remove(), { danger: true, testId: "exp-delete" })}
        </div>
      )}
      {noting && (
        <NoteDialog
          project={project}
          row={row}
          onClose={() => setNoting(false)}
          onDone={() => {
            setNoting(false);
            props.onDone();
          }}
        />
      )}
      {dialog && (
        <ActionDialog
          project={project}
          dialog={dialog}
          onClose={() => setDialog(null)}
          onDone={() => {
            setDialog(null);
            props.onDone();
          }}
        />
      )}
    </>
  );
}

function act(project: string, experiment: string, action: ExpAction) {
  return call("experiment_action", { project, experiment, action });
}

function ActionDialog(props: { project: string; dialog: NonNullable<Dialog>; onClose: () => void; onDone: () => void }) {
  const { kind, row } = props.dialog;
  const [name, setName] = useState(kind === "branch" ? `${row.name}-branch` : kind === "rename" ? row.name : "");
  const { busy, error, submit: run } = useSubmit();
  const submit = () =>
    run(async () => {
      const action: ExpAction =
        kind === "apply" ? { kind: "apply" } : kind === "branch" ? { kind: "branch", branch: name.trim() } : { kind: "rename", newName: name.trim() };
      const r = await act(props.project, row.name, action);
      notify("ok", r.message, 6000);
      if (r.missing.length) notify("error", `Not in the cache (pull them): ${r.missing.join(", ")}`);
      props.onDone();
    });
  const title = kind === "apply" ? `Apply ${row.name}?` : kind === "branch" ? `Branch from ${row.name}` : `Rename ${row.name}`;
  const label = kind === "apply" ? "Apply" : kind === "branch" ? "Create branch" : "Rename";
  return (
    <Modal
      title={title}
      icon={kind === "branch" ? "branch" : kind === "rename" ? "edit" : "download"}
      onClose={props.onClose}
      testId="exp-action-dialog"
      footer={
        <>
          <Button onClick={props.onClose}>Cancel</Button>
          <Button kind="primary" onClick={() => void submit()} disabled={busy || (kind !== "apply" && !name.trim())} testId="exp-action-confirm">
            {label}
          </Button>
        </>
      }
    >
      {kind === "apply" ? (
        <p>
          Its params, code and outputs replace the work tree&apos;s, uncommitted (<b>Save version</b> commits them). Changes you
          have not committed are kept in <span className="mono">refs/exps/apply/stash</span>, as <span className="mono">dvc exp apply</span> keeps them.
        </p>
      ) : (
        <SubmitForm className="stage-form" onSubmit={() => void submit()}>
          <label>
            <span>{kind === "branch" ? "Branch name" : "New name"}</span>
            <input value={name} onChange={(e) => setName(e.target.value)} aria-label={kind === "branch" ? "Branch name" : "New name"} />
          </label>
          {kind === "branch" && (
            <span className="muted small field-help">A git branch at the experiment&apos;s commit; the experiment stays listed.</span>
          )}
        </SubmitForm>
      )}
      {error && <p className="form-error">{error}</p>}
    </Modal>
  );
}

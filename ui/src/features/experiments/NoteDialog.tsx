import { useState } from "react";
import { call, type ExpRow } from "../../ipc";
import { Button, Modal } from "../../components/ui";
import { notify } from "../../components/toast";
import { useSubmit } from "../../components/useSubmit";

/**
 * Writes the note on an experiment's commit: why it was run, what it showed. Kept as a
 * git note (`refs/notes/cairn`), so it lives in the repository, not in the app.
 */
export function NoteDialog(props: { project: string; row: ExpRow; onClose: () => void; onDone: () => void }) {
  const [note, setNote] = useState(props.row.note ?? "");
  const { busy, error, submit } = useSubmit();
  const save = () =>
    submit(async () => {
      await call("set_note", { project: props.project, commit: props.row.id, note });
      notify("ok", note.trim() ? `Noted ${props.row.name}` : `Removed the note on ${props.row.name}`);
      props.onDone();
    });
  return (
    <Modal
      title={`Note on ${props.row.name}`}
      icon="edit"
      onClose={props.onClose}
      testId="note-dialog"
      footer={
        <>
          <span className="muted small grow">
            A git note (<code>git log --notes=cairn</code>); push <code>refs/notes/cairn</code> to share it
          </span>
          <Button onClick={props.onClose}>Cancel</Button>
          <Button kind="primary" onClick={() => void save()} disabled={busy} testId="note-save">
            Save
          </Button>
        </>
      }
    >
      <div className="stage-form">
        <label>
          <span>Note</span>
          <textarea
            value={note}
            rows={4}
            placeholder="Why this run, what it showed…"
            aria-label="Note"
            onChange={(e) => setNote(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) void save();
            }}
            data-testid="note-text"
          />
          <span className="muted small field-help">Leave it empty to remove the note. Ctrl+Enter saves.</span>
        </label>
      </div>
      {error && <p className="form-error">{error}</p>}
    </Modal>
  );
}

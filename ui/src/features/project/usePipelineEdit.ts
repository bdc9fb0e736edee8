import { useCallback, useRef } from "react";
import { call, describeError, toApiError, type PipelineEdit } from "../../ipc";
import { notify } from "../../components/toast";

/**
 * Applies pipeline edits and offers to undo them. `edit` resolves when the file is written
 * (the file watcher then reloads the graph) and rejects, with the readable reason, when the
 * edit was refused.
 */
export function usePipelineEdit(project: string, onChanged: () => void) {
  const undo = useCallback(async () => {
    try {
      const r = await call("undo_edit", { project });
      onChanged();
      notify("info", capitalize(r.summary));
    } catch (e) {
      notify("error", describeError(toApiError(e)));
    }
  }, [project, onChanged]);

  // Undo always takes back the newest edit, so only the newest toast's button may do it.
  const latest = useRef(0);
  const edit = useCallback(
    async (...edits: PipelineEdit[]) => {
      let summary = "";
      for (const e of edits) {
        const r = await call("edit_pipeline", { project, edit: e });
        summary = r.summary;
      }
      onChanged();
      const mine = ++latest.current;
      const run = () =>
        mine === latest.current ? void undo() : notify("info", "Undo takes back the newest edit first: press Ctrl+Z to step back through them");
      if (summary) notify("ok", capitalize(summary), 6000, { label: "Undo", run });
    },
    [project, onChanged, undo],
  );

  return { edit, undo };
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

import { useMemo, useRef, useState } from "react";
import type { ExpColumn, ExperimentsView } from "../../ipc";
import { Button } from "../../components/ui";
import { useDismiss } from "../../components/useDismiss";
import { columnId, statLabel } from "./model";

const KIND_LABEL: Record<ExpColumn["kind"], string> = { param: "Params", metric: "Metrics", series: "Step series" };

/**
 * Chooses the experiments table's columns: a project with dozens of metrics shows only
 * those that matter. Hidden columns are remembered per project by the caller.
 */
export function ColumnPicker(props: { view: ExperimentsView; hidden: ReadonlySet<string>; onChange: (hidden: string[]) => void }) {
  const [open, setOpen] = useState(false);
  const [filter, setFilter] = useState("");
  const panel = useRef<HTMLDivElement>(null);
  useDismiss(panel, open, () => setOpen(false));
  const columns = useMemo(() => props.view.columns.map((c) => ({ c, id: columnId(c), label: `${c.key}${c.stat ? ` (${statLabel(c.stat)})` : ""}` })), [props.view]);
  const hiddenHere = columns.filter((x) => props.hidden.has(x.id)).length;
  const needle = filter.trim().toLowerCase();
  const shown = columns.filter((x) => !needle || x.label.toLowerCase().includes(needle) || x.c.file.toLowerCase().includes(needle));
  // Hidden ids of columns not in this view (another branch's metrics) are kept.
  const set = (ids: string[], hide: boolean) => {
    const next = new Set(props.hidden);
    for (const id of ids) {
      if (hide) next.add(id);
      else next.delete(id);
    }
    props.onChange([...next]);
  };

  return (
    <div className="col-picker" ref={panel}>
      <Button onClick={() => setOpen((o) => !o)} title="Choose which params, metrics and step series the table shows" testId="columns-open">
        {hiddenHere > 0 ? `Columns (${hiddenHere} hidden)` : "Columns"}
      </Button>
      {open && (
        <div className="col-picker-panel" role="dialog" aria-label="Columns" data-testid="columns-panel">
          <div className="col-picker-head">
            <input value={filter} onChange={(e) => setFilter(e.target.value)} placeholder="Filter columns" aria-label="Filter columns" autoFocus data-testid="columns-filter" />
            <button className="link-btn" onClick={() => set(shown.map((x) => x.id), false)} data-testid="columns-show-all">
              Show all
            </button>
            <button className="link-btn" onClick={() => set(shown.map((x) => x.id), true)} data-testid="columns-hide-all">
              Hide all
            </button>
          </div>
          <div className="col-picker-list">
            {(["param", "metric", "series"] as const).map((kind) => {
              const group = shown.filter((x) => x.c.kind === kind);
              if (group.length === 0) return null;
              return (
                <fieldset key={kind}>
                  <legend>{KIND_LABEL[kind]}</legend>
                  {group.map((x) => (
                    <label key={x.id} className="check" title={`${x.c.file}: ${x.label}`}>
                      <input type="checkbox" checked={!props.hidden.has(x.id)} onChange={(e) => set([x.id], !e.target.checked)} data-testid={`column-toggle-${x.label}`} />
                      <span className="mono">{x.label}</span>
                      <span className="muted small col-picker-file">{x.c.file}</span>
                    </label>
                  ))}
                </fieldset>
              );
            })}
            {shown.length === 0 && <p className="muted small">No column matches “{filter}”.</p>}
          </div>
        </div>
      )}
    </div>
  );
}

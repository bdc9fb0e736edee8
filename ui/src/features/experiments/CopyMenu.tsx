import { useRef, useState } from "react";
import { Button } from "../../components/ui";
import { useDismiss } from "../../components/useDismiss";
import { copyToClipboard } from "../../components/clipboard";
import { formatTable, type TableFormat } from "./model";

const FORMATS: { format: TableFormat; label: string; hint: string }[] = [
  { format: "tsv", label: "For a spreadsheet", hint: "tab-separated" },
  { format: "markdown", label: "As Markdown", hint: "a README, an issue" },
  { format: "latex", label: "As LaTeX", hint: "tabular with booktabs rules" },
];

/**
 * *Copy table* with a choice of format. `cells` (header first) are computed when a
 * format is picked; `done` says what was copied.
 */
export function CopyMenu(props: { cells: () => string[][]; done: string; disabled?: boolean; testId: string }) {
  const [open, setOpen] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  useDismiss(box, open, () => setOpen(false));
  const copy = (format: TableFormat) => {
    setOpen(false);
    copyToClipboard(formatTable(props.cells(), format), props.done);
  };
  return (
    <div className="col-picker copy-menu" ref={box}>
      <Button onClick={() => setOpen((o) => !o)} disabled={props.disabled} title="Copy the rows and columns shown" testId={props.testId}>
        Copy table
      </Button>
      {open && (
        <div className="col-picker-panel copy-menu-panel" role="menu" aria-label="Copy table as">
          {FORMATS.map((f) => (
            <button key={f.format} role="menuitem" className="copy-menu-item" onClick={() => copy(f.format)} data-testid={`${props.testId}-${f.format}`}>
              <span>{f.label}</span>
              <span className="muted small">{f.hint}</span>
            </button>
          ))}
        </div>
      )}
    </div>
  );
}

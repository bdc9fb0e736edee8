import { useMemo, useState } from "react";
import type { ExperimentsView, ExpRow } from "../../ipc";
import { Button, Modal } from "../../components/ui";
import { CopyMenu } from "./CopyMenu";
import { formatAggregate } from "./model";
import { pivot, pivotCells, shade } from "./pivot";

/**
 * A pivot of the experiments shown: a param down, another across, a metric's mean
 * (± deviation over repeated runs) in each cell, shaded from lowest to highest.
 */
export function PivotDialog(props: { view: ExperimentsView; rows: ExpRow[]; params: number[]; onClose: () => void }) {
  const { view, rows, params } = props;
  const values = useMemo(() => view.columns.map((c, i) => ({ c, i })).filter(({ c }) => c.kind !== "param"), [view]);
  const [down, setDown] = useState(params[0] ?? -1);
  const [across, setAcross] = useState(params[1] ?? params[0] ?? -1);
  const [value, setValue] = useState(values[0]?.i ?? -1);
  const p = useMemo(() => (down >= 0 && across >= 0 && value >= 0 ? pivot(rows, down, across, value) : null), [rows, down, across, value]);
  const key = (i: number) => view.columns[i]?.key ?? "";
  const select = (label: string, current: number, set: (i: number) => void, options: { i: number; label: string }[], testId: string) => (
    <label className="check">
      {label}
      <select value={current} onChange={(e) => set(Number(e.target.value))} aria-label={label} data-testid={testId}>
        {options.map((o) => (
          <option key={o.i} value={o.i}>
            {o.label}
          </option>
        ))}
      </select>
    </label>
  );
  const paramOptions = params.map((i) => ({ i, label: key(i) }));
  return (
    <Modal
      title="Pivot"
      icon="graph"
      wide
      onClose={props.onClose}
      testId="pivot-dialog"
      footer={
        <>
          <span className="muted small grow">The experiments shown in the table (the filter applies); each cell is the mean of its runs.</span>
          <CopyMenu cells={() => (p ? pivotCells(p, key(down), key(across)) : [])} done="Copied the pivot table" disabled={!p || p.down.length === 0} testId="pivot-copy" />
          <Button onClick={props.onClose}>Close</Button>
        </>
      }
    >
      <div className="exp-viewbar pivot-controls">
        {select("Rows", down, setDown, paramOptions, "pivot-down")}
        {select("Columns", across, setAcross, paramOptions, "pivot-across")}
        {select(
          "Values",
          value,
          setValue,
          values.map(({ c, i }) => ({ i, label: c.stat ? `${c.key} (${c.stat.stat})` : c.key })),
          "pivot-value",
        )}
      </div>
      {!p || p.down.length === 0 ? (
        <p className="muted">No experiments to pivot: run a sweep (New experiment with several values) first.</p>
      ) : (
        <div className="pivot-wrap">
          <table className="table pivot-table" data-testid="pivot-table">
            <thead>
              <tr>
                <th className="pivot-corner">
                  <span className="mono">{key(across)} →</span>
                  <span className="mono">{key(down)} ↓</span>
                </th>
                {p.across.map((a) => (
                  <th key={a} className="num mono">
                    {a}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {p.down.map((d, i) => (
                <tr key={d}>
                  <th className="mono">{d}</th>
                  {(p.cells[i] ?? []).map((c, j) => (
                    <td
                      key={p.across[j]}
                      className="num mono"
                      data-testid="pivot-cell"
                      data-down={d}
                      data-across={p.across[j]}
                      title={c ? `${key(value)}: mean ${c.mean} over ${c.n} run${c.n === 1 ? "" : "s"} (min ${c.min}, max ${c.max})` : "no run"}
                      style={c ? { background: `color-mix(in srgb, var(--accent) ${Math.round(8 + 40 * shade(p, c.mean))}%, var(--bg-elev))` } : undefined}
                    >
                      {c ? formatAggregate(c) : <span className="muted">—</span>}
                      {c && c.n > 1 && <span className="cell-step">n={c.n}</span>}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Modal>
  );
}

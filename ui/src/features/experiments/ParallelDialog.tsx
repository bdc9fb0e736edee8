import { useMemo, useRef, useState, type PointerEvent } from "react";
import type { ExperimentsView, ExpRow } from "../../ipc";
import { Button, Modal } from "../../components/ui";
import { axes, brushed, position, rampColour, ticks, valueAt, type Axis, type Brush } from "./parallel";

const W = 960;
const H = 420;
const TOP = 46;
const BOTTOM = 28;
const SIDE = 70;
const PLOT = H - TOP - BOTTOM;
/** Axes drawn by default: the params that differ, then the metrics, up to this many. */
const DEFAULT_AXES = 10;

const yOf = (p: number) => TOP + (1 - p) * PLOT;

/** One row's line as path commands; a missing value breaks it. */
function pathOf(list: Axis[], xs: number[], row: ExpRow): string {
  let d = "";
  let pen = false;
  list.forEach((a, i) => {
    const p = position(a, row);
    if (p === null) {
      pen = false;
      return;
    }
    d += `${pen ? "L" : "M"}${xs[i]?.toFixed(1)},${yOf(p).toFixed(1)}`;
    pen = true;
  });
  return d;
}

/**
 * Parallel coordinates of the rows shown in the table: an axis per param and metric, a
 * line per row coloured by a metric. Drag along an axis to keep a range (several axes
 * combine); the rows inside every range can then be charted.
 */
export function ParallelDialog(props: {
  view: ExperimentsView;
  rows: ExpRow[];
  params: number[];
  onChart: (ids: string[]) => void;
  onClose: () => void;
}) {
  const { view, rows } = props;
  const metrics = useMemo(() => view.columns.map((c, i) => ({ c, i })).filter(({ c }) => c.kind !== "param"), [view]);
  // By default the params that differ and the metrics that vary: an axis where every row
  // has the same value only pinches the lines together.
  const [chosen, setChosen] = useState<number[]>(() =>
    axes(view, rows, [...props.params, ...metrics.map(({ i }) => i)])
      .filter((a) => (a.kind === "number" ? a.hi > a.lo : a.values.length > 1))
      .map((a) => a.column)
      .slice(0, DEFAULT_AXES),
  );
  const [colourBy, setColourBy] = useState(metrics[0]?.i ?? -1);
  const [brushes, setBrushes] = useState<Map<number, Brush>>(new Map());
  const [picking, setPicking] = useState(false);
  const list = useMemo(() => axes(view, rows, chosen), [view, rows, chosen]);
  const xs = list.map((_, i) => (list.length > 1 ? SIDE + (i * (W - 2 * SIDE)) / (list.length - 1) : W / 2));
  const kept = useMemo(() => new Set(brushed(rows, list, brushes).map((r) => r.id)), [rows, list, brushes]);
  const colourAxis = useMemo(() => axes(view, rows, [colourBy])[0] ?? null, [view, rows, colourBy]);
  const svg = useRef<SVGSVGElement>(null);
  const drag = useRef<{ column: number; from: number; moved: boolean } | null>(null);

  const positionAt = (e: PointerEvent) => {
    const box = svg.current?.getBoundingClientRect();
    if (!box || box.height === 0) return 0;
    const y = ((e.clientY - box.top) * H) / box.height;
    return Math.min(1, Math.max(0, 1 - (y - TOP) / PLOT));
  };
  const setBrush = (column: number, b: Brush | null) =>
    setBrushes((m) => {
      const next = new Map(m);
      if (b) next.set(column, b);
      else next.delete(column);
      return next;
    });
  const start = (column: number) => (e: PointerEvent<SVGRectElement>) => {
    e.currentTarget.setPointerCapture(e.pointerId);
    drag.current = { column, from: positionAt(e), moved: false };
  };
  const move = (e: PointerEvent) => {
    const d = drag.current;
    if (!d) return;
    const to = positionAt(e);
    if (Math.abs(to - d.from) * PLOT < 4 && !d.moved) return;
    d.moved = true;
    setBrush(d.column, { lo: Math.min(d.from, to), hi: Math.max(d.from, to) });
  };
  const end = () => {
    const d = drag.current;
    drag.current = null;
    // A click without a drag clears that axis's range.
    if (d && !d.moved) setBrush(d.column, null);
  };
  const toggleAxis = (i: number) => {
    setChosen((c) => (c.includes(i) ? c.filter((x) => x !== i) : [...c, i].sort((a, b) => a - b)));
    setBrush(i, null);
  };
  const labelOf = (i: number) => {
    const c = view.columns[i];
    return c ? (c.stat ? `${c.key} (${c.stat.stat})` : c.key) : "";
  };
  const drawable = rows.filter((r) => list.some((a) => position(a, r) !== null));
  const keptIds = drawable.filter((r) => kept.has(r.id)).map((r) => r.id);

  return (
    <Modal
      title="Parallel coordinates"
      icon="graph"
      wide
      onClose={props.onClose}
      testId="parallel-dialog"
      footer={
        <>
          <span className="muted small grow" data-testid="pc-count">
            {brushes.size === 0
              ? `${drawable.length} rows; drag along an axis to keep a range`
              : `${keptIds.length} of ${drawable.length} rows in the kept ranges`}
          </span>
          {brushes.size > 0 && (
            <Button kind="ghost" onClick={() => setBrushes(new Map())} testId="pc-clear">
              Clear ranges
            </Button>
          )}
          <Button
            icon="graph"
            disabled={keptIds.length === 0}
            onClick={() => {
              props.onChart(keptIds);
              props.onClose();
            }}
            title="Tick these rows in the table, so their step series are charted"
            testId="pc-chart"
          >
            Chart {keptIds.length === 1 ? "this row" : `these ${keptIds.length}`}
          </Button>
          <Button onClick={props.onClose}>Close</Button>
        </>
      }
    >
      <div className="exp-viewbar pc-controls">
        <label className="check">
          Colour by
          <select value={colourBy} onChange={(e) => setColourBy(Number(e.target.value))} aria-label="Colour by" data-testid="pc-colour">
            {metrics.map(({ i }) => (
              <option key={i} value={i}>
                {labelOf(i)}
              </option>
            ))}
          </select>
        </label>
        <span className="col-picker">
          <Button kind="ghost" onClick={() => setPicking((p) => !p)} testId="pc-axes">
            Axes ({list.length})
          </Button>
          {picking && (
            <div className="col-picker-panel pc-axes-panel">
              <div className="col-picker-list">
                {view.columns.map((c, i) => (
                  <label key={i} className="check">
                    <input type="checkbox" checked={chosen.includes(i)} onChange={() => toggleAxis(i)} data-testid="pc-axis-pick" />
                    <span className="mono">{labelOf(i)}</span>
                    <span className="muted small col-picker-file">{c.kind}</span>
                  </label>
                ))}
              </div>
            </div>
          )}
        </span>
      </div>
      {list.length < 2 || drawable.length === 0 ? (
        <p className="muted">Pick at least two axes with values (run a sweep — New experiment with several values — for lines worth comparing).</p>
      ) : (
        <svg ref={svg} className="pc" viewBox={`0 0 ${W} ${H}`} role="img" aria-label="Parallel coordinates" data-testid="pc-plot" onPointerMove={move} onPointerUp={end}>
          {drawable.map((r) => {
            const t = colourAxis ? position(colourAxis, r) : null;
            const on = kept.has(r.id);
            return (
              <path
                key={r.id}
                d={pathOf(list, xs, r)}
                className={`pc-line${on ? "" : " pc-out"}`}
                stroke={on ? rampColour(t) : undefined}
                strokeDasharray={r.kind === "experiment" ? undefined : "5 4"}
                data-testid="pc-line"
                data-row={r.id}
                data-kept={on}
              >
                <title>{r.name}</title>
              </path>
            );
          })}
          {list.map((a, i) => {
            const x = xs[i] ?? 0;
            const b = brushes.get(a.column);
            return (
              <g key={a.column} data-testid="pc-axis" data-column={labelOf(a.column)}>
                <line x1={x} x2={x} y1={TOP} y2={TOP + PLOT} className="pc-axis-line" />
                <text x={x} y={TOP - 22} className="pc-axis-label" textAnchor="middle">
                  {a.label.length > 22 ? `…${a.label.slice(-21)}` : a.label}
                </text>
                {ticks(a).map((t) => (
                  <text key={`${t.at}-${t.label}`} x={x - 6} y={yOf(t.at) + 4} className="pc-tick" textAnchor="end">
                    {t.label.length > 12 ? `${t.label.slice(0, 11)}…` : t.label}
                  </text>
                ))}
                {b && (
                  <>
                    <rect x={x - 8} width={16} y={yOf(b.hi)} height={Math.max(2, (b.hi - b.lo) * PLOT)} className="pc-brush" />
                    <text x={x + 10} y={yOf(b.hi) + 4} className="pc-tick">
                      {valueAt(a, b.hi)}
                    </text>
                    <text x={x + 10} y={yOf(b.lo) + 4} className="pc-tick">
                      {valueAt(a, b.lo)}
                    </text>
                  </>
                )}
                <rect
                  x={x - 14}
                  width={28}
                  y={TOP - 6}
                  height={PLOT + 12}
                  className="pc-hit"
                  onPointerDown={start(a.column)}
                  data-testid="pc-hit"
                  aria-label={`Keep a range of ${a.label}`}
                />
              </g>
            );
          })}
        </svg>
      )}
      {colourAxis && list.length >= 2 && (
        <div className="pc-legend muted small">
          <span>{colourAxis.kind === "number" ? valueAt(colourAxis, 0) : ""}</span>
          <span className="pc-ramp" />
          <span>{colourAxis.kind === "number" ? valueAt(colourAxis, 1) : ""}</span>
          <span>{labelOf(colourBy)}; dashed: the work tree and commits</span>
        </div>
      )}
    </Modal>
  );
}

import { useEffect, useMemo, useRef } from "react";
import uPlot from "./uplot";
import { withAlpha, withSmoothed, type Band } from "./model";
import "uplot/dist/uPlot.min.css";

/** Reads a CSS custom property of the page, so charts follow the light/dark theme. */
function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

/** Opacity of a raw line drawn under its smoothed one. */
const RAW_ALPHA = 0.25;
/** Opacity of a group's ± deviation band. */
const BAND_ALPHA = 0.16;

/**
 * One metric of several experiments: `data` is uPlot's aligned data (x, then one y array
 * per line), `lines` names and colours each y array. With `smoothing` > 0 each line is
 * drawn smoothed in its colour over its raw points, faint, so the raw data stays visible.
 * y arrays past `lines` are band edges: `bands` shades between pairs of them (a group's
 * ± deviation around its mean). With `xLabels`, x counts commits (0, 1, 2…) and each
 * tick reads as its commit's name, with a dot per commit. The chart follows its box's
 * width.
 */
export function MetricChart(props: {
  title: string;
  data: (number | null)[][];
  lines: { label: string; colour: string }[];
  smoothing?: number;
  bands?: Band[];
  height?: number;
  xLabels?: string[];
}) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const { title, data, lines, smoothing = 0, bands = [], height = 180, xLabels } = props;
  // Read by the axis formatter of the chart made once per set of lines.
  const labels = useRef(xLabels);
  const byCommit = xLabels !== undefined;
  const smoothed = smoothing > 0;
  // The extra y arrays (band edges) after one per line.
  const edges = data.slice(1 + lines.length);
  const shown = useMemo(() => withSmoothed(data, smoothing), [data, smoothing]);
  // What the chart draws now: its raw points and the data handed to uPlot.
  const drawn = useRef({ data, shown });

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const axis = {
      stroke: cssVar("--text-muted", "#667085"),
      grid: { stroke: cssVar("--border", "#dfe2e8"), width: 1 },
      ticks: { stroke: cssVar("--border", "#dfe2e8"), width: 1 },
      font: "11px system-ui, sans-serif",
    };
    const opts: uPlot.Options = {
      width: Math.max(el.clientWidth, 200),
      height,
      legend: { show: false },
      cursor: { drag: { x: true, y: false } },
      scales: { x: { time: false } },
      axes: [
        {
          ...axis,
          label: byCommit ? "commit" : "step",
          labelSize: 14,
          labelFont: "11px system-ui, sans-serif",
          ...(byCommit
            ? {
                incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500],
                values: (_: uPlot, splits: number[]) => splits.map((v) => (Number.isInteger(v) ? (labels.current?.[v] ?? "") : "")),
              }
            : {}),
        },
        { ...axis, size: 56 },
      ],
      series: [
        { label: byCommit ? "commit" : "step" },
        // uPlot draws series in order: raw lines first, smoothed ones on top.
        ...lines.map((l) => ({
          label: l.label,
          stroke: smoothed ? withAlpha(l.colour, RAW_ALPHA) : l.colour,
          width: smoothed ? 1.2 : 1.6,
          spanGaps: true,
          points: { show: byCommit },
        })),
        ...edges.map((_, j) => ({ label: `band ${j}`, stroke: "transparent", width: 0, spanGaps: true, points: { show: false } })),
        ...(smoothed
          ? [
              ...lines.map((l) => ({ label: `${l.label} (smoothed)`, stroke: l.colour, width: 1.8, spanGaps: true, points: { show: false } })),
              ...edges.map((_, j) => ({ label: `band ${j} (smoothed)`, stroke: "transparent", width: 0, spanGaps: true, points: { show: false } })),
            ]
          : []),
      ],
      // Band edges are series 1 + lines + j (raw) or past all raw series (smoothed).
      bands: bands.map((b) => {
        const first = 1 + lines.length + (smoothed ? lines.length + edges.length : 0);
        return { series: [first + b.hi, first + b.lo] as [number, number], fill: withAlpha(b.colour, BAND_ALPHA) };
      }),
    };
    plot.current = new uPlot(opts, shown as uPlot.AlignedData, el);
    drawn.current = { data, shown };
    const resize = new ResizeObserver(() => plot.current?.setSize({ width: Math.max(el.clientWidth, 200), height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
    // A new set of lines (or turning smoothing on or off) needs a new chart; new points
    // or another smoothing weight for the same lines don't.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [height, smoothed, byCommit, lines.map((l) => `${l.label}:${l.colour}`).join("|"), bands.map((b) => `${b.lo}:${b.hi}:${b.colour}`).join("|")]);

  // New points rescale the chart; another smoothing weight of the same points keeps the
  // step range the user zoomed to (smoothed lines stay within the raw lines' range).
  useEffect(() => {
    const p = plot.current;
    if (!p || drawn.current.shown === shown) return;
    const sameSteps = drawn.current.data === data && p.scales.x?.min != null;
    drawn.current = { data, shown };
    if (!sameSteps) p.setData(shown as uPlot.AlignedData);
    else {
      p.setData(shown as uPlot.AlignedData, false);
      p.redraw();
    }
  }, [data, shown]);

  // New commit names (a reload, another history) relabel the axis of the same chart.
  useEffect(() => {
    labels.current = xLabels;
    plot.current?.redraw(false, true);
  }, [xLabels]);

  // How many points the lines hold (band edges aside): lets a test see a live chart grow.
  const points = useMemo(() => data.slice(1, 1 + lines.length).reduce((n, ys) => n + ys.filter((y) => y !== null).length, 0), [data, lines.length]);

  return (
    <figure className="metric-chart" data-testid="metric-chart" data-points={points}>
      <figcaption className="mono">{title}</figcaption>
      <div ref={box} className="metric-chart-plot" />
    </figure>
  );
}

/** The names and colours of a set of charts' lines, once above them. */
export function ChartLegend(props: { lines: { label: string; colour: string }[] }) {
  return (
    <div className="exp-legend">
      {props.lines.map((l, i) => (
        <span key={`${i}:${l.label}`} className="legend-item">
          <span className="swatch" style={{ background: l.colour }} />
          {l.label}
        </span>
      ))}
    </div>
  );
}

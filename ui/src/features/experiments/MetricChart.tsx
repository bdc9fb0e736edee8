import { useEffect, useRef } from "react";
import uPlot from "./uplot";
import "uplot/dist/uPlot.min.css";

/** Reads a CSS custom property of the page, so charts follow the light/dark theme. */
function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

/**
 * One metric of several experiments: `data` is uPlot's aligned data (x, then one y array
 * per line), `lines` names and colours each y array. The chart follows its box's width.
 */
export function MetricChart(props: {
  title: string;
  data: (number | null)[][];
  lines: { label: string; colour: string }[];
  height?: number;
}) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const { title, data, lines, height = 180 } = props;

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
      axes: [{ ...axis, label: "step", labelSize: 14, labelFont: "11px system-ui, sans-serif" }, { ...axis, size: 56 }],
      series: [{ label: "step" }, ...lines.map((l) => ({ label: l.label, stroke: l.colour, width: 1.6, spanGaps: true, points: { show: false } }))],
    };
    plot.current = new uPlot(opts, data as uPlot.AlignedData, el);
    const resize = new ResizeObserver(() => plot.current?.setSize({ width: Math.max(el.clientWidth, 200), height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
    // A new set of lines needs a new chart; new points for the same lines don't.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [height, lines.map((l) => `${l.label}:${l.colour}`).join("|")]);

  useEffect(() => {
    plot.current?.setData(data as uPlot.AlignedData);
  }, [data]);

  return (
    <figure className="metric-chart" data-testid="metric-chart">
      <figcaption className="mono">{title}</figcaption>
      <div ref={box} className="metric-chart-plot" />
    </figure>
  );
}

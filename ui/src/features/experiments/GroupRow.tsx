import type { ExperimentsView } from "../../ipc";
import { Icon } from "../../components/Icon";
import { Pill } from "../../components/ui";
import { aggregate, formatAggregate, sharedValue, type RowGroup } from "./model";

/**
 * A group's summary line: the grouping value and run count, each metric as mean ± sample
 * deviation over the runs (min, max and count in the tooltip), each param the value the
 * runs share or "varies". Its checkbox charts every run of the group.
 */
export function GroupRow(props: {
  view: ExperimentsView;
  group: RowGroup;
  by: number;
  columns: number[];
  open: boolean;
  selected: number;
  height: number;
  onToggleOpen: () => void;
  onSelect: (on: boolean) => void;
}) {
  const { view, group, columns } = props;
  const n = group.rows.length;
  const key = view.columns[props.by]?.key ?? "";
  return (
    <tr className="exp-group" style={{ height: props.height }} data-testid="exp-group" data-value={group.value}>
      <td className="exp-name-col">
        <div className="exp-name-cell">
          <span className="exp-name">
            <input
              type="checkbox"
              checked={props.selected === n}
              ref={(el) => {
                if (el) el.indeterminate = props.selected > 0 && props.selected < n;
              }}
              onChange={(e) => props.onSelect(e.target.checked)}
              aria-label={`Chart every run with ${key} = ${group.value}`}
              data-testid="group-select"
            />
            <button className="icon-btn group-toggle" onClick={props.onToggleOpen} aria-expanded={props.open} aria-label={props.open ? "Hide its runs" : "Show its runs"} data-testid="group-toggle">
              <Icon name="chevron" size={12} className={props.open ? "open" : ""} />
            </button>
            <span className="mono">
              {key} = {group.value}
            </span>
            <Pill tone="neutral">{n === 1 ? "1 run" : `${n} runs`}</Pill>
          </span>
        </div>
      </td>
      <td />
      {columns.map((i) => {
        const c = view.columns[i];
        if (c?.kind === "param") {
          const v = sharedValue(group.rows, i);
          return (
            <td key={i} className="num mono muted">
              {v ?? "varies"}
            </td>
          );
        }
        const a = aggregate(group.rows, i);
        return (
          <td key={i} className="num mono" title={a ? `mean ± sample deviation of ${a.n} run${a.n === 1 ? "" : "s"}; min ${a.min}, max ${a.max}` : undefined}>
            {a ? formatAggregate(a) : <span className="muted">—</span>}
          </td>
        );
      })}
    </tr>
  );
}

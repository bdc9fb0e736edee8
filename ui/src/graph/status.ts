import type { StageNode, StageState } from "../ipc";

/** How a stage state looks: a label for people and a CSS colour token. */
export interface StatusLook {
  label: string;
  /** CSS custom property holding the colour. */
  color: string;
  /** Sort rank: what needs attention first. */
  rank: number;
}

const LOOKS: Record<StageState, StatusLook> = {
  failed: { label: "Failed", color: "var(--status-failed)", rank: 0 },
  running: { label: "Running", color: "var(--status-running)", rank: 1 },
  queued: { label: "Queued", color: "var(--status-queued)", rank: 2 },
  stale: { label: "Stale", color: "var(--status-stale)", rank: 3 },
  unknown: { label: "Unknown", color: "var(--status-unknown)", rank: 4 },
  frozen: { label: "Frozen", color: "var(--status-frozen)", rank: 5 },
  up_to_date: { label: "Up to date", color: "var(--status-ok)", rank: 6 },
};

/** Plain colours for SVG attributes (the minimap), matching the CSS tokens. */
export const STATUS_HEX: Record<StageState, string> = {
  failed: "#e5484d",
  running: "#3e8ef7",
  queued: "#8e7cf0",
  stale: "#f0a020",
  unknown: "#8b95a5",
  frozen: "#3fb6c8",
  up_to_date: "#30a46c",
};

export function statusLook(state: StageState): StatusLook {
  return LOOKS[state];
}

/** The state a stage moves to when the engine reports `phase` for it. */
export function stateForPhase(phase: string, previous: StageState): StageState {
  switch (phase) {
    case "queued":
      return "queued";
    case "running":
      return "running";
    case "succeeded":
    case "up_to_date":
    case "restored":
      return "up_to_date";
    case "frozen":
      return "frozen";
    case "failed":
      return "failed";
    case "blocked":
      return "stale";
    case "cancelled":
    case "would_run":
      return previous === "running" || previous === "queued" ? "stale" : previous;
    default:
      return previous;
  }
}

/** Counts per state, for the toolbar summary. */
export function countStates(states: StageState[]): Partial<Record<StageState, number>> {
  const out: Partial<Record<StageState, number>> = {};
  for (const s of states) out[s] = (out[s] ?? 0) + 1;
  return out;
}

/** A one-line summary such as "3 stale · 1 up to date". */
export function summarizeStates(states: StageState[]): string {
  const counts = countStates(states);
  return (Object.keys(counts) as StageState[])
    .sort((a, b) => statusLook(a).rank - statusLook(b).rank)
    .map((s) => `${counts[s]} ${statusLook(s).label.toLowerCase()}`)
    .join(" · ");
}

/** A stage after the engine reported `phase` for it: new state, and reasons that fit it. */
export function applyStageUpdate(stage: StageNode, phase: string, message?: string): StageNode {
  const state = stateForPhase(phase, stage.state);
  let reasons = stage.reasons;
  if (state === "up_to_date") reasons = [];
  else if (phase === "failed" && message) reasons = [message];
  else if (phase === "blocked") reasons = ["not run: a stage it depends on failed"];
  return { ...stage, state, reasons };
}

import type { ApiEvent } from "../ipc";
import { formatBytes } from "../format";

export type ProgressEvent = Extract<ApiEvent, { type: "progress" }>;

/** A task the tray shows: its latest event and when it started (ms). */
export type TaskView = { event: ProgressEvent; since: number };

/** Tasks shorter than this never appear: a quick add should not flash a bar. */
export const SHOW_AFTER_MS = 300;

/** Folds one progress event into the running tasks (finished ones leave). */
export function applyProgress(tasks: Map<string, TaskView>, e: ProgressEvent, now: number): Map<string, TaskView> {
  const next = new Map(tasks);
  if (e.finished) next.delete(e.task);
  else next.set(e.task, { event: e, since: tasks.get(e.task)?.since ?? now });
  return next;
}

/** The tasks old enough to show, oldest first. */
export function visibleTasks(tasks: Map<string, TaskView>, now: number): TaskView[] {
  return [...tasks.values()].filter((t) => now - t.since >= SHOW_AFTER_MS).sort((a, b) => a.since - b.since);
}

/** 0..1 when the step has a known size, else null (an indeterminate bar). */
export function fraction(e: ProgressEvent): number | null {
  if (e.totalBytes) return Math.min(1, e.bytes / e.totalBytes);
  if (e.total) return Math.min(1, e.done / e.total);
  return null;
}

/** "hashing · 1,234 / 10,000 · 1.2 MB", from what the event knows. */
export function describeProgress(e: ProgressEvent): string {
  const parts: string[] = [];
  if (e.phase) parts.push(e.phase);
  if (e.total != null) parts.push(`${e.done.toLocaleString("en-US")} / ${e.total.toLocaleString("en-US")}`);
  else if (e.done > 0) parts.push(e.done.toLocaleString("en-US"));
  if (e.bytes > 0) parts.push(formatBytes(e.bytes));
  return parts.join(" · ") || "starting…";
}

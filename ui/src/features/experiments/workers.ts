/** The SSH workers a user ran experiments on, most recent first, kept in localStorage. */

export const WORKERS_KEY = "cairn.workers";
const KEEP = 6;

/** What a *Run on* value must look like before it is sent (the API checks the rest). */
export function workerProblem(url: string): string | null {
  const u = url.trim();
  if (!u) return null;
  if (!u.startsWith("ssh://")) return "A worker is an SSH URL: ssh://user@host[:port]/folder";
  const rest = u.slice("ssh://".length);
  const slash = rest.indexOf("/");
  if (slash <= 0) return "Name the host, then a folder on it for Cairn: ssh://user@host/~/cairn-worker";
  if (rest.slice(slash).replace(/\/+$/, "") === "") return "Name a folder on the worker for Cairn's files, e.g. ssh://host/~/cairn-worker";
  return null;
}

/** Stored workers; anything unreadable is none. */
export function parseWorkers(stored: string | null): string[] {
  if (!stored) return [];
  try {
    const v: unknown = JSON.parse(stored);
    return Array.isArray(v) ? v.filter((w): w is string => typeof w === "string" && workerProblem(w) === null && w.trim() !== "") : [];
  } catch {
    return [];
  }
}

/** `used` first, then the others, without repeats (trailing slashes ignored), at most six. */
export function rememberWorker(list: string[], used: string): string[] {
  const norm = (w: string) => w.trim().replace(/\/+$/, "");
  const u = norm(used);
  if (!u) return list;
  return [u, ...list.filter((w) => norm(w) !== u)].slice(0, KEEP);
}

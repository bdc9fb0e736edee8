/** "1.2 MB" */
export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return "—";
  const units = ["B", "KB", "MB", "GB", "TB"];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

/** A commit time as DVC prints it (ISO, local) → "3 min ago"; "—" without one. */
export function createdLabel(ts: string | null): string {
  if (!ts) return "—";
  const t = Date.parse(ts);
  return Number.isNaN(t) ? ts : relativeTime(t, Date.now(), true);
}

/** "3 min ago" for a time in seconds (or ms with `ms`). */
export function relativeTime(t: number | null | undefined, now = Date.now(), ms = false): string {
  if (t === null || t === undefined) return "—";
  const diff = Math.max(0, now - (ms ? t : t * 1000)) / 1000;
  if (diff < 45) return "just now";
  if (diff < 3600) return `${Math.round(diff / 60)} min ago`;
  if (diff < 86400) return `${Math.round(diff / 3600)} h ago`;
  if (diff < 86400 * 30) return `${Math.round(diff / 86400)} d ago`;
  return new Date(ms ? t : t * 1000).toLocaleDateString();
}

/** "1.4 s", "2 min 3 s" */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "—";
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

/** The last path component. */
export function baseName(p: string): string {
  const parts = p.split(/[\\/]/).filter(Boolean);
  return parts[parts.length - 1] ?? p;
}

/** Replaces the home directory with "~". */
export function tildify(p: string, home?: string): string {
  const h = home ?? /^(\/home\/[^/]+|\/root|\/Users\/[^/]+)/.exec(p)?.[1];
  return h && p.startsWith(h) ? `~${p.slice(h.length)}` : p;
}

import { notify } from "./toast";

/**
 * Copies a table (or any text) and says so in a toast, or why it could not. Through a
 * promise: `navigator.clipboard` is missing outside secure contexts, and that failure
 * should be a toast too, not an uncaught error.
 */
export function copyToClipboard(text: string, done: string): void {
  Promise.resolve()
    .then(() => navigator.clipboard.writeText(text))
    .then(() => notify("ok", done))
    .catch((e: unknown) => notify("error", `Could not copy the table: ${e instanceof Error ? e.message : String(e)}`));
}

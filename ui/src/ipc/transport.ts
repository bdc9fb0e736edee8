import type { ApiEvent } from "./bindings";

/**
 * How the frontend reaches cairn-api. The Tauri and HTTP implementations are the only
 * place where the desktop app and `cairn ui` differ.
 */
export interface Transport {
  /** Which one this is (shown in the About box, used by tests). */
  readonly kind: "tauri" | "http";
  /** Runs a command; rejects with an `ApiError`-shaped object. */
  invoke(command: string, args: unknown): Promise<unknown>;
  /** Subscribes to every `ApiEvent`; returns the unsubscribe function. */
  listen(handler: (event: ApiEvent) => void): () => void;
  /** A native folder picker, where there is one (the desktop app); `null` if cancelled. */
  pickFolder?: () => Promise<string | null>;
}

import type { ApiError, ApiEvent, Commands } from "./bindings";
import { httpTransport } from "./http";
import { tauriTransport } from "./tauri";
import type { Transport } from "./transport";

export type * from "./bindings";

function pickTransport(): Transport {
  return "__TAURI_INTERNALS__" in window ? tauriTransport() : httpTransport();
}

let transport: Transport | undefined;

function current(): Transport {
  transport ??= pickTransport();
  return transport;
}

/** For tests: use another transport. */
export function setTransport(t: Transport): void {
  transport = t;
}

/** Which transport is in use. */
export function transportKind(): Transport["kind"] {
  return current().kind;
}

/** The native folder picker, if this transport has one. */
export function folderPicker(): (() => Promise<string | null>) | undefined {
  return current().pickFolder;
}

/** Calls a cairn-api command with typed arguments and result. */
export async function call<C extends keyof Commands>(
  command: C,
  args: Commands[C]["args"],
): Promise<Commands[C]["result"]> {
  try {
    return (await current().invoke(command, args)) as Commands[C]["result"];
  } catch (e) {
    throw toApiError(e);
  }
}

/** Subscribes to engine events. */
export function onEvent(handler: (e: ApiEvent) => void): () => void {
  return current().listen(handler);
}

/** Anything thrown → an ApiError (unknown shapes become `internal`). */
export function toApiError(e: unknown): ApiError {
  if (e && typeof e === "object" && "code" in e && "message" in e) {
    return e as ApiError;
  }
  if (typeof e === "string") {
    try {
      return toApiError(JSON.parse(e));
    } catch {
      return { code: "internal", message: e };
    }
  }
  return { code: "internal", message: String(e) };
}

/** "dvc.yaml:12: message" for people. */
export function describeError(e: ApiError): string {
  const where = e.file ? `${e.file}${e.line ? `:${e.line}` : ""}` : "";
  return where && !e.message.startsWith(e.file ?? "\0") ? `${where}: ${e.message}` : e.message;
}

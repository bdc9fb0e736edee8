import type { ApiEvent } from "./bindings";
import type { Transport } from "./transport";

const TOKEN_KEY = "cairn.token";

/**
 * Reads the per-launch token from `?token=` (the URL `cairn ui` prints), keeps it for this
 * tab, and removes it from the address bar so it does not end up in screenshots.
 */
export function takeToken(loc: Location = window.location): string {
  const params = new URLSearchParams(loc.search);
  const fromUrl = params.get("token");
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    params.delete("token");
    const rest = params.toString();
    history.replaceState(null, "", loc.pathname + (rest ? `?${rest}` : "") + loc.hash);
    return fromUrl;
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? "";
}

/** `cairn ui`: `POST /api/<command>` and server-sent events on `/api/events`. */
export function httpTransport(base = "", token = takeToken()): Transport {
  return {
    kind: "http",
    async invoke(command, args) {
      let resp: Response;
      try {
        resp = await fetch(`${base}/api/${command}`, {
          method: "POST",
          headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
          body: JSON.stringify(args ?? {}),
        });
      } catch (e) {
        throw { code: "io", message: `Cannot reach the Cairn server: ${String(e)}` };
      }
      const body: unknown = await resp.json().catch(() => null);
      if (!resp.ok) {
        throw body ?? { code: "internal", message: `HTTP ${resp.status}` };
      }
      return body;
    },
    listen(handler) {
      const source = new EventSource(`${base}/api/events?token=${encodeURIComponent(token)}`);
      source.onmessage = (m: MessageEvent<string>) => {
        try {
          handler(JSON.parse(m.data) as ApiEvent);
        } catch {
          /* a malformed event is dropped */
        }
      };
      return () => source.close();
    },
  };
}

import { invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import { open } from "@tauri-apps/plugin-dialog";
import type { ApiEvent } from "./bindings";
import type { Transport } from "./transport";

/** The desktop app: one generic `api` command and one `cairn://event` channel. */
export function tauriTransport(): Transport {
  return {
    kind: "tauri",
    invoke: (command, args) => invoke("api", { command, args: args ?? {} }),
    async pickFolder() {
      const picked = await open({ directory: true, multiple: false, title: "Add folder" });
      return typeof picked === "string" ? picked : null;
    },
    listen(handler) {
      let stop: (() => void) | undefined;
      let stopped = false;
      void listen<ApiEvent>("cairn://event", (e) => handler(e.payload)).then((un) => {
        if (stopped) un();
        else stop = un;
      });
      return () => {
        stopped = true;
        stop?.();
      };
    },
  };
}

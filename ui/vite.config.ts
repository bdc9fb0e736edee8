import { defineConfig } from "vitest/config";
import react from "@vitejs/plugin-react";

// The same build serves the Tauri webview (custom protocol) and `cairn ui` (HTTP).
export default defineConfig({
  plugins: [react()],
  base: "./",
  clearScreen: false,
  server: { port: 5173, strictPort: true },
  build: { target: "es2022", chunkSizeWarningLimit: 2500, sourcemap: false },
  worker: { format: "es" },
  test: { environment: "node", include: ["src/**/*.test.ts"] },
});

import { defineConfig } from "vitest/config";
import react from "@vitejs/plugin-react";

// The same build serves the Tauri webview (custom protocol) and `cairn ui` (HTTP).
// In `npm run dev`, /api goes to a running `cairn ui` (open http://localhost:5173/?token=…
// with the token it printed); the proxy drops the Origin header, which the server would
// otherwise refuse as foreign.
const backend = process.env.CAIRN_UI_BACKEND ?? "http://127.0.0.1:7780";

export default defineConfig({
  plugins: [react()],
  base: "./",
  clearScreen: false,
  server: {
    port: 5173,
    strictPort: true,
    proxy: {
      "/api": {
        target: backend,
        changeOrigin: true,
        configure: (proxy) => proxy.on("proxyReq", (req) => req.removeHeader("origin")),
      },
    },
  },
  build: { target: "es2022", chunkSizeWarningLimit: 2500, sourcemap: false },
  worker: { format: "es" },
  test: { environment: "node", include: ["src/**/*.test.ts"] },
});

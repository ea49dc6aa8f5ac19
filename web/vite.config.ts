/// <reference types="vitest/config" />
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// During `npm run dev` the API is the Python app (`make run`), reached through this proxy.
const API_TARGET = "http://127.0.0.1:8000";

export default defineConfig({
  plugins: [react()],
  server: {
    // The app's own folder, and the preprocessing vectors its Vitest checks against the Python.
    fs: { allow: [".", "../tests/vectors"] },
    proxy: {
      // ws: the admin event stream (/api/admin/events) is a WebSocket.
      "/api": { target: API_TARGET, changeOrigin: false, ws: true },
      "/healthz": { target: API_TARGET },
    },
  },
  // The inference worker (src/inference/worker.ts) is an ES module: onnxruntime-web splits
  // into chunks, and its .wasm file is emitted into assets/ like any other asset.
  worker: { format: "es" },
  build: {
    outDir: "dist",
    assetsDir: "assets",
    sourcemap: false,
  },
  test: {
    environment: "jsdom",
    globals: true,
    setupFiles: ["./src/test/setup.ts"],
    css: false,
    testTimeout: 15000,
  },
});

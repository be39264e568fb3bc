/**
 * Builds the dashboard (Preact) into dist/ui, served by src/http/routes/ui.ts under /ui/. JSX is
 * compiled by Vite's own transformer (no plugin), so the build needs nothing beyond vite and preact.
 */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "/ui/",
  logLevel: "warn",
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: fileURLToPath(new URL("../../dist/ui", import.meta.url)),
    emptyOutDir: true,
    assetsDir: "",
    // one script and one stylesheet, no inline code: the page's CSP allows only same-origin files
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
  },
});

import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The customer's app: sources in app/, built into static/app/, which Django serves (/app/ answers
// with the built index.html, the rest are static files).
export default defineConfig({
  root: "app",
  base: "/static/app/",
  plugins: [react()],
  build: {
    outDir: "../../static/app",
    emptyOutDir: true,
    // No inline scripts or styles: the page's policy allows only files from the platform.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
});

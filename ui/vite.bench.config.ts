// Builds the benchmark pages in bench/ to <repo>/target/bench-ui, away from
// ui/dist (which ships inside the app). Same plugins as the app's build.
import { defineConfig } from 'vite';
import app from './vite.config.ts';

// Paths from this file, not from the shell's directory (no @types/node here).
const here = (p: string) => decodeURIComponent(new URL(p, import.meta.url).pathname);

export default defineConfig({
  root: here('./bench'),
  base: './',
  plugins: app.plugins,
  clearScreen: false,
  build: {
    outDir: here('../target/bench-ui'),
    emptyOutDir: true, // outside root, so Vite would not empty it unasked
    chunkSizeWarningLimit: 1500,
    rollupOptions: { input: here('./bench/scroll.html') },
  },
});

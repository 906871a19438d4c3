import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

// The desktop shell (Tauri) loads ui/dist from disk, so every asset path is relative.
export default defineConfig({
  base: './',
  plugins: [react()],
  clearScreen: false,
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
  },
  test: {
    environment: 'jsdom',
    setupFiles: ['./src/test/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    // Typing into date pickers takes seconds on CI's two busy cores; a limit,
    // not a speed target.
    testTimeout: 20_000,
    mockReset: true,
  },
});

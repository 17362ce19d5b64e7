// Builds the console to apps/console/dist. Asset URLs are relative (`base: './'`) and routing lives in the hash,
// so any static server (the API in the embedded default, or nginx) serves it with no fallback rule.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  base: './',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 700,
    // No manualChunks: recharts is reachable only through the lazily loaded pages that chart (components/charts.tsx),
    // so Rollup keeps it out of the entry chunk. bench/src/console.ts checks the entry's gzipped size.
  },
  server: { proxy: { '/api': 'http://127.0.0.1:8080', '/pipeline': 'http://127.0.0.1:8080', '/orders': 'http://127.0.0.1:8080' } },
});

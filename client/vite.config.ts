import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

// The client builds to client/dist, which the server serves; in dev, API and socket.io calls go to
// the local server (TONGBAN_DEV_API, default https://127.0.0.1:8443).
const root = fileURLToPath(new URL('.', import.meta.url));
const api = process.env.TONGBAN_DEV_API ?? 'https://127.0.0.1:8443';

export default defineConfig({
  root,
  plugins: [react()],
  // The statistics page's chunk (ECharts, ~550 kB, ~185 kB gzipped) loads only on /stats.
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 600 },
  server: {
    fs: { allow: ['..'] },
    proxy: {
      '/api': { target: api, secure: false },
      '/pki': { target: api, secure: false },
      '/socket.io': { target: api, secure: false, ws: true },
    },
  },
});

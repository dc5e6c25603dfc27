/**
 * Vite build of the web application into web/dist, which `parallax serve` serves at `/`.
 * In development (`npx vite web`), /api is proxied to a `parallax serve` on port 8080, so the app and the
 * API share an origin as they do in production (cookies are SameSite=Strict).
 */
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 1200,
  },
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
});

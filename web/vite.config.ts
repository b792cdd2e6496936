import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const api = process.env.AUDITLOG_DEV_API ?? 'http://127.0.0.1:8080';

/**
 * The UI is built into web/dist, which `auditlog serve` serves at `/`. Nothing is inlined (no data: URIs, no
 * inline scripts), so the pages run under a CSP of 'self' only. `npm run dev:web` proxies the API.
 */
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    target: 'es2022',
    sourcemap: false,
  },
  server: {
    proxy: { '/v1': api, '/healthz': api },
  },
});

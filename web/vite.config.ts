import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const api = process.env.AUDITLOG_DEV_API ?? 'http://127.0.0.1:8080';

/**
 * The API reference page, next to the UI at /api-reference: its page, its start script and Scalar's
 * standalone bundle (a devDependency, copied here at build so that the server needs no CDN nor the package).
 */
function apiReference(): Plugin {
  const files = {
    'api-reference/index.html': join(import.meta.dirname, 'api-reference/index.html'),
    'api-reference/init.js': join(import.meta.dirname, 'api-reference/init.js'),
    'api-reference/scalar.js': join(
      import.meta.dirname,
      '../node_modules/@scalar/api-reference/dist/browser/standalone.js',
    ),
  };
  return {
    name: 'auditlog-api-reference',
    apply: 'build',
    generateBundle() {
      for (const [fileName, path] of Object.entries(files)) {
        this.emitFile({ type: 'asset', fileName, source: readFileSync(path) });
      }
    },
  };
}

/**
 * The UI is built into web/dist, which `auditlog serve` serves at `/`. Nothing is inlined (no data: URIs, no
 * inline scripts), so the pages run under a CSP of 'self' only. `npm run dev:web` proxies the API.
 */
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react(), apiReference()],
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

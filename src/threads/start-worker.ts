import { type ResourceLimits, Worker } from 'node:worker_threads';

/**
 * Starts a worker thread from a compiled module URL (`…/x.js`). When this code runs from its TypeScript
 * sources (the test runner, `tsx`), the thread registers tsx first and loads `…/x.ts` instead. Used by the
 * stores' threads (store/threads/thread-limits.ts) and the server's body check (server/plugins/large-bodies.ts).
 */
export function startWorker(jsUrl: URL, workerData?: unknown, resourceLimits?: ResourceLimits): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(jsUrl, { workerData, resourceLimits });
  const tsUrl = jsUrl.href.replace(/\.js$/, '.ts');
  const code = `import('tsx/esm/api').then((api) => { api.register(); return import(${JSON.stringify(tsUrl)}); })`;
  return new Worker(code, { eval: true, workerData, resourceLimits });
}

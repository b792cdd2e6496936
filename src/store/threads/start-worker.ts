import { Worker } from 'node:worker_threads';

/**
 * Starts a worker thread from a compiled module URL (`…/x.js`). When this code runs from its TypeScript
 * sources (the test runner, `tsx`), the thread registers tsx first and loads `…/x.ts` instead.
 */
export function startWorker(jsUrl: URL, workerData: unknown): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(jsUrl, { workerData });
  const tsUrl = jsUrl.href.replace(/\.js$/, '.ts');
  const code = `import('tsx/esm/api').then((api) => { api.register(); return import(${JSON.stringify(tsUrl)}); })`;
  return new Worker(code, { eval: true, workerData });
}

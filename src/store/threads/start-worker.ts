import { Worker } from 'node:worker_threads';

/**
 * Starts a worker thread from a compiled module URL (`…/x.js`). When this code runs from its TypeScript
 * sources (the test runner, `tsx`), the thread registers tsx first and loads `…/x.ts` instead.
 */
/**
 * Each thread is a V8 isolate with its own heap, whose young generation may grow to 3 × 16 MB by default; a
 * store's threads (writer, readers) only pass pages and batches of ~1 MB, so a young generation of 8 MB
 * keeps a server's resident memory down (an export's peak: see BENCHMARKS.md) for more frequent, shorter
 * scavenges.
 */
const THREAD_LIMITS = { maxYoungGenerationSizeMb: 8 };

export function startWorker(jsUrl: URL, workerData: unknown): Worker {
  if (!import.meta.url.endsWith('.ts'))
    return new Worker(jsUrl, { workerData, resourceLimits: THREAD_LIMITS });
  const tsUrl = jsUrl.href.replace(/\.js$/, '.ts');
  const code = `import('tsx/esm/api').then((api) => { api.register(); return import(${JSON.stringify(tsUrl)}); })`;
  return new Worker(code, { eval: true, workerData, resourceLimits: THREAD_LIMITS });
}

import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { tempDir } from '../helpers/temp-dir.js';

const run = promisify(execFile);
const BIN = new URL('../../bin/auditlog.js', import.meta.url).pathname;
export const UI_TOKEN = 'waOKBzlcA90hkpAVRgvE6mCCqeTtE_5T';

export interface UiServer {
  url: string;
  token: string;
  /** GET/POST/DELETE against the API with the admin token; the parsed JSON (or text) and the status. */
  api: (path: string, init?: { method?: string; json?: unknown; token?: string }) => Promise<any>;
  raw: (path: string, init?: RequestInit) => Promise<Response>;
  close: () => Promise<void>;
}

/**
 * A real `auditlog serve` process on a SQLite file that `auditlog demo` filled first — the same commands a
 * person runs. The built CLI (dist/) and UI (web/dist) are used, so `npm test` builds first (pretest).
 */
export async function startUiServer(
  options: { events?: number; db?: string; env?: Record<string, string> } = {},
): Promise<UiServer> {
  const dir = tempDir('auditlog-ui-');
  // An existing store (AUDITLOG_UI_PERF_DB for repeated large measurements) is served as it is.
  const db = options.db ?? dir.file('auditlog.db');
  if (!options.db) {
    await run(process.execPath, [BIN, 'demo', '--events', String(options.events ?? 3000), '--db', db], {
      maxBuffer: 16 * 1024 * 1024,
    });
  }
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--host', '127.0.0.1', '--db', db], {
    env: { ...process.env, AUDITLOG_BOOTSTRAP_TOKEN: UI_TOKEN, LOG_LEVEL: 'warn', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await listeningUrl(child);
  const raw = (path: string, init: RequestInit = {}) => fetch(url + path, init);
  const api: UiServer['api'] = async (path, init = {}) => {
    const headers: Record<string, string> = { authorization: `Bearer ${init.token ?? UI_TOKEN}` };
    if (init.json !== undefined) headers['content-type'] = 'application/json';
    const res = await raw(path, {
      method: init.method ?? 'GET',
      headers,
      body: init.json === undefined ? undefined : JSON.stringify(init.json),
    });
    const text = await res.text();
    const type = res.headers.get('content-type') ?? '';
    if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path} answered ${res.status}: ${text}`);
    return type.includes('json') ? JSON.parse(text) : text;
  };
  return {
    url,
    token: UI_TOKEN,
    api,
    raw,
    close: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      dir.remove();
    },
  };
}

function listeningUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}\n${err}`)), 30_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /auditlog listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${out}\n${err}`));
    });
  });
}

// A client that cannot work is refused at open, naming the option; and the sender does not keep a script
// alive that recorded and returned without close() (the event waits in the spool for the next client).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { AuditClient, type AuditClientOptions } from '../../packages/sdk/src/index.js';
import { tempDir } from '../helpers/temp-dir.js';
import { adminEvent, freePort } from './sdk-helpers.js';

const SDK = fileURLToPath(new URL('../../packages/sdk/dist/packages/sdk/src/index.js', import.meta.url));

describe('AuditClient.open options', () => {
  const dir = tempDir('auditlog-sdk-options-');
  afterAll(() => dir.remove());

  const valid = () => ({ url: 'http://127.0.0.1:1', token: 'al_x', spoolDir: dir.file('never') });
  const bad: [Partial<Record<keyof AuditClientOptions, unknown>>, RegExp][] = [
    [{ url: 'not a url' }, /url must be an http\(s\) URL, got "not a url"/],
    [{ url: 'ftp://host/' }, /url must be an http\(s\) URL/],
    [{ url: 'file:///tmp/x' }, /url must be an http\(s\) URL/],
    // fetch refuses a URL with credentials: every send failed and was retried forever, the spool grew.
    [{ url: 'http://user:s3cret-pw@127.0.0.1:1' }, /url must not hold a username or password/],
    [{ url: 'https://user@127.0.0.1:1/audit/' }, /url must not hold a username or password/],
    // The SDK appends v1/events to the URL's path: a query or fragment was dropped, and the prefix with it.
    [{ url: 'http://127.0.0.1:1/audit?tenant=a' }, /url must not hold a query or fragment/],
    [{ url: 'http://127.0.0.1:1/audit#x' }, /url must not hold a query or fragment/],
    [{ url: 'http://127.0.0.1:1/audit?' }, /url must not hold a query or fragment/],
    [{ token: '' }, /token must be a non-empty string/],
    [{ token: undefined }, /token must be a non-empty string/],
    [{ spoolDir: '' }, /spoolDir must be a directory path/],
    [{ requestTimeoutMs: 0 }, /requestTimeoutMs must be a positive integer, got 0/],
    [{ maxSpoolBytes: -1 }, /maxSpoolBytes must be a positive integer, got -1/],
    [{ segmentBytes: Number.NaN }, /segmentBytes must be a positive integer/],
    [{ initialRetryDelayMs: '200' }, /initialRetryDelayMs must be a positive integer, got "200"/],
    [{ batchSize: 5000 }, /batchSize must be an integer from 1 to 1000, got 5000/],
    [{ onRetry: 'log' }, /onRetry must be a function/],
  ];
  for (const [override, message] of bad) {
    it(`refuses ${JSON.stringify(override) ?? override}`, async () => {
      const options = { ...valid(), ...override } as AuditClientOptions;
      await expect(AuditClient.open(options)).rejects.toThrow(message);
      expect(existsSync(dir.file('never'))).toBe(false);
    });
  }

  it('does not echo the password of a URL it refuses', async () => {
    const options = { ...valid(), url: 'http://user:s3cret-pw@127.0.0.1:1/audit/' };
    const error = await AuditClient.open(options).catch((e: Error) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).not.toContain('s3cret-pw');
    expect((error as Error).message).toContain('http://***@127.0.0.1:1/audit/');
  });

  it('lets a script that records without close() exit while the service is unreachable', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const spoolDir = dir.file('script');
    const script = `
      import { AuditClient } from ${JSON.stringify(SDK)};
      const client = await AuditClient.open({ url: ${JSON.stringify(url)}, token: 't', spoolDir: ${JSON.stringify(spoolDir)}, initialRetryDelayMs: 5000 });
      await client.record(${JSON.stringify(adminEvent(1))});
      console.log('recorded');`;
    const started = Date.now();
    const result = await new Promise<{ code: number | null; stdout: string; killed: boolean }>((resolve) => {
      const child = execFile(
        process.execPath,
        ['--input-type=module', '-e', script],
        { timeout: 8000 },
        (_e, stdout) => resolve({ code: child.exitCode, stdout, killed: child.killed }),
      );
    });
    expect(result.stdout).toContain('recorded');
    expect(result.killed).toBe(false);
    expect(result.code).toBe(0);
    expect(Date.now() - started).toBeLessThan(5000);
    // The event waits for the next client.
    const next = await AuditClient.open({ url, token: 't', spoolDir });
    expect(next.pendingBytes).toBeGreaterThan(0);
    await next.close({ flushTimeoutMs: 0 });
  });
});

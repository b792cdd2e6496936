import type { AuditClientOptions } from './client.js';

/**
 * A client that cannot work is refused at open, naming the option, rather than retrying forever (an
 * unparsable URL), hanging (a zero timeout) or refusing every record() (a negative spool limit).
 */
export function checkOptions(options: AuditClientOptions): void {
  const fail = (option: string, why: string, value: unknown): never => {
    throw new TypeError(`AuditClient.open: ${option} ${why}, got ${JSON.stringify(value) ?? String(value)}`);
  };
  if (typeof options !== 'object' || options === null) fail('options', 'must be an object', options);
  const { url, token, spoolDir } = options;
  if (typeof url !== 'string' || !URL.canParse(url)) fail('url', 'must be an http(s) URL', url);
  const protocol = new URL(url).protocol;
  if (protocol !== 'http:' && protocol !== 'https:') fail('url', 'must be an http(s) URL', url);
  if (typeof token !== 'string' || token.trim() === '') fail('token', 'must be a non-empty string', token);
  if (/[\r\n]/.test(token)) fail('token', 'must be one line', '…');
  if (typeof spoolDir !== 'string' || spoolDir === '') fail('spoolDir', 'must be a directory path', spoolDir);
  const positive: (keyof AuditClientOptions)[] = [
    'maxSpoolBytes',
    'segmentBytes',
    'batchBytes',
    'initialRetryDelayMs',
    'maxRetryDelayMs',
    'requestTimeoutMs',
  ];
  for (const option of positive) {
    const value = options[option];
    if (value !== undefined && !(Number.isSafeInteger(value) && (value as number) > 0))
      fail(option, 'must be a positive integer', value);
  }
  const { batchSize } = options;
  if (batchSize !== undefined && !(Number.isSafeInteger(batchSize) && batchSize >= 1 && batchSize <= 1000))
    fail('batchSize', 'must be an integer from 1 to 1000', batchSize);
  for (const option of ['onDeadLetter', 'onRetry', 'onError'] as const)
    if (options[option] !== undefined && typeof options[option] !== 'function')
      fail(option, 'must be a function', typeof options[option]);
}

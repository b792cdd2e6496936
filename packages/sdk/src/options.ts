import type { AuditClientOptions } from './client.js';

/**
 * A client that cannot work is refused at open, naming the option, rather than retrying forever (an
 * unparsable URL, one with credentials fetch refuses), hanging (a zero timeout) or refusing every record() (a negative spool limit).
 */
export function checkOptions(options: AuditClientOptions): void {
  const fail = (option: string, why: string, value: unknown): never => {
    throw new TypeError(`AuditClient.open: ${option} ${why}, got ${JSON.stringify(value) ?? String(value)}`);
  };
  if (typeof options !== 'object' || options === null) fail('options', 'must be an object', options);
  const { url, token, spoolDir } = options;
  if (typeof url !== 'string' || !URL.canParse(url)) fail('url', 'must be an http(s) URL', url);
  const parsed = new URL(url);
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') fail('url', 'must be an http(s) URL', url);
  // fetch refuses a URL with credentials, so every send would fail and be retried forever; the token is
  // the credential. The password is not repeated in the message (it ends up in logs).
  if (parsed.username !== '' || parsed.password !== '')
    fail('url', 'must not hold a username or password (the token authenticates)', withoutCredentials(parsed));
  // Sends go to v1/events under the URL's path: a query or fragment is dropped (with /audit in
  // https://host/audit?x=1).
  if (/[?#]/.test(parsed.href))
    fail('url', 'must not hold a query or fragment (v1/events is appended to its path)', url);
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

function withoutCredentials(url: URL): string {
  return `${url.protocol}//***@${url.host}${url.pathname}${url.search}${url.hash}`;
}

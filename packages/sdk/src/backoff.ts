export interface BackoffOptions {
  /** The first retry's delay, before jitter. */
  initialDelayMs: number;
  /** No delay grows past this (Retry-After excepted: the server's word wins). */
  maxDelayMs: number;
}

/**
 * Exponential backoff with "equal jitter": attempt n (1, 2, …) waits between half and all of
 * initial × 2^(n−1), capped; the random half spreads the retries of many clients after an outage.
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random = Math.random): number {
  const ceiling = Math.min(options.maxDelayMs, options.initialDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Retry-After in milliseconds: delay-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

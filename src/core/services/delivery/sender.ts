import type { DestinationRecord } from '../../domain/destination.js';
import type { OutgoingEntry } from '../../domain/destination-payload.js';
import type { WebhookKeys } from '../../domain/destination-secrets.js';
import { NatsSender } from './nats-sender.js';
import { SyslogSender } from './syslog-sender.js';
import { WebhookSender } from './webhook-sender.js';

/**
 * Sends one batch to a receiver. Resolves only once the receiver has it (a 2xx; a syslog connection closed
 * cleanly by both sides; a JetStream ack), so that the cursor moves only past delivered entries.
 */
export interface Sender {
  /** `signal` aborts the send (the delivery stopping): it then rejects at once, the batch undelivered. */
  send(entries: readonly OutgoingEntry[], batchId: string, signal?: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

export const SEND_TIMEOUT_MS = 10_000;

export function senderFor(d: DestinationRecord, keys: WebhookKeys | null): Sender {
  if (d.kind === 'webhook') {
    if (!keys) throw new Error('The webhook has no signing keys');
    return new WebhookSender(d.settings, keys);
  }
  if (d.kind === 'syslog') return new SyslogSender(d.settings);
  return new NatsSender(d.settings);
}

/** `work`, or its abort: a stopping delivery does not wait for a receiver that does not answer. */
export function abortable<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

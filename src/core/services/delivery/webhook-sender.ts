import type { DestinationSettings } from '../../domain/destination.js';
import { type OutgoingEntry, payloadObject } from '../../domain/destination-payload.js';
import { type WebhookKeys, webhookHeaders } from '../../domain/destination-secrets.js';
import { SEND_TIMEOUT_MS, type Sender } from './sender.js';

/**
 * Standard Webhooks: a POST of a JSON array, signed (`v1` HMAC-SHA256 and `v1a` Ed25519) over
 * `${webhook-id}.${webhook-timestamp}.${body}`. A retry keeps the webhook-id and signs a fresh timestamp.
 */
export class WebhookSender implements Sender {
  readonly #settings: DestinationSettings;
  readonly #keys: WebhookKeys;

  constructor(settings: DestinationSettings, keys: WebhookKeys) {
    this.#settings = settings;
    this.#keys = keys;
  }

  async send(entries: readonly OutgoingEntry[], batchId: string, stop?: AbortSignal): Promise<void> {
    const body = JSON.stringify(entries.map((e) => payloadObject(e, this.#settings.format)));
    const headers = webhookHeaders(this.#keys, batchId, Math.floor(Date.now() / 1000), body);
    const res = await fetch(this.#settings.url as string, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json', 'user-agent': 'auditlog-webhooks/1' },
      body,
      signal: stop
        ? AbortSignal.any([AbortSignal.timeout(SEND_TIMEOUT_MS), stop])
        : AbortSignal.timeout(SEND_TIMEOUT_MS),
      redirect: 'manual',
    });
    await res.body?.cancel().catch(() => {});
    if (res.status < 200 || res.status > 299) throw new Error(`The receiver answered HTTP ${res.status}`);
  }

  async close(): Promise<void> {}
}

import type { NatsConnection } from '@nats-io/transport-node';
import type { DestinationSettings } from '../../domain/destination.js';
import { type OutgoingEntry, payloadObject } from '../../domain/destination-payload.js';
import { abortable, SEND_TIMEOUT_MS, type Sender } from './sender.js';

/**
 * NATS JetStream: one message per entry on the destination's subject, published with the entry id as
 * `Nats-Msg-Id`, so that the stream itself drops a resent entry within its duplicate window. A batch is
 * delivered once the stream has acknowledged every message (a subject no stream takes is an error). The
 * stream is the operator's to create (retention, replicas, who consumes it).
 */
export class NatsSender implements Sender {
  readonly #settings: DestinationSettings;
  #connection: Promise<NatsConnection> | null = null;

  constructor(settings: DestinationSettings) {
    this.#settings = settings;
  }

  async send(entries: readonly OutgoingEntry[], _batchId?: string, stop?: AbortSignal): Promise<void> {
    // Stopping: the acks are not waited for (close() then drops the connection); the batch is sent again.
    return abortable(this.#publish(entries), stop);
  }

  async #publish(entries: readonly OutgoingEntry[]): Promise<void> {
    // Loaded on first use: the client costs every process start (each CLI command) otherwise.
    const [{ connect }, { jetstream }] = await Promise.all([
      import('@nats-io/transport-node'),
      import('@nats-io/jetstream'),
    ]);
    this.#connection ??= connect({
      servers: (this.#settings.servers as string).split(',').map((s) => s.trim()),
      timeout: SEND_TIMEOUT_MS,
      reconnect: false,
      name: 'auditlog',
    });
    let nc: NatsConnection;
    try {
      nc = await this.#connection;
    } catch (error) {
      this.#connection = null;
      throw error;
    }
    const js = jetstream(nc, { timeout: SEND_TIMEOUT_MS });
    const subject = this.#settings.subject as string;
    await Promise.all(
      entries.map((e) =>
        js.publish(subject, JSON.stringify(payloadObject(e, this.#settings.format)), { msgID: e.id }),
      ),
    ).catch((error: unknown) => {
      throw missingStream(error, subject) ?? error;
    });
  }

  async close(): Promise<void> {
    const pending = this.#connection;
    this.#connection = null;
    if (pending) await (await pending.catch(() => null))?.close();
  }
}

/**
 * The client reads "no responders" to a publish as JetStream not being enabled, but the usual cause is that
 * no stream takes the subject (JetStream answers only for subjects a stream holds): say that instead.
 */
function missingStream(error: unknown, subject: string): Error | null {
  const e = error as { message?: unknown; cause?: { message?: unknown } };
  const text = `${String(e?.message)} ${String(e?.cause?.message)}`;
  if (!/no responders/i.test(text)) return null;
  return new Error(
    `No JetStream stream takes the subject '${subject}' (no responders): create one, e.g. nats stream add --subjects '${subject}', or enable JetStream on the server`,
  );
}

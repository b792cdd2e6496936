import { createPublicKey, verify } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** One delivery as a Standard Webhooks receiver saw it. */
export interface Delivery {
  webhookId: string;
  entries: Record<string, unknown>[];
}

/**
 * A real HTTP receiver of signed webhooks: it verifies every delivery with the `standardwebhooks` library
 * (the `v1` HMAC signature and the timestamp) and the `v1a` Ed25519 signature with the public key alone;
 * a delivery that fails either is answered 400 and counted. `down()` makes it answer 503 until `up()`.
 */
export class WebhookReceiver {
  readonly deliveries: Delivery[] = [];
  rejected = 0;
  #server: Server;
  #down = false;
  #secret: string | null = null;
  #publicKey: string | null = null;

  private constructor(server: Server) {
    this.#server = server;
  }

  static async start(): Promise<WebhookReceiver> {
    const server = createServer();
    const receiver = new WebhookReceiver(server);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () =>
        res.writeHead(receiver.#receive(Buffer.concat(chunks).toString('utf8'), req.headers)).end(),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/hooks/audit`;
  }

  /** The keys the destination's creation answered: the secret, and the public key from its view. */
  trust(secret: string, publicKey: string): void {
    this.#secret = secret;
    this.#publicKey = publicKey;
  }

  down(): void {
    this.#down = true;
  }

  up(): void {
    this.#down = false;
  }

  /** Every entry received, in arrival order, duplicates included. */
  entries(): Record<string, unknown>[] {
    return this.deliveries.flatMap((d) => d.entries);
  }

  #receive(body: string, headers: Record<string, string | string[] | undefined>): number {
    if (this.#down) return 503;
    if (!this.#secret || !this.#publicKey) return 500;
    const flat = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, String(v)]));
    try {
      const entries = new Webhook(this.#secret).verify(body, flat) as Record<string, unknown>[];
      if (!ed25519Valid(this.#publicKey, flat, body)) throw new Error('v1a signature does not verify');
      this.deliveries.push({ webhookId: flat['webhook-id']!, entries });
      return 204;
    } catch {
      this.rejected++;
      return 400;
    }
  }

  close(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

/** Standard Webhooks `v1a`: Ed25519 over `${id}.${timestamp}.${body}`, checked with the `whpk_` key only. */
function ed25519Valid(publicKey: string, headers: Record<string, string>, body: string): boolean {
  const raw = Buffer.from(publicKey.replace(/^whpk_/, ''), 'base64');
  const key = createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') },
    format: 'jwk',
  });
  const content = Buffer.from(`${headers['webhook-id']}.${headers['webhook-timestamp']}.${body}`);
  return (headers['webhook-signature'] ?? '')
    .split(' ')
    .filter((s) => s.startsWith('v1a,'))
    .some((s) => verify(null, content, key, Buffer.from(s.slice(4), 'base64')));
}

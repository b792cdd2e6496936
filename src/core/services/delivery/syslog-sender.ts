import { isIP, type Socket, connect as tcpConnect } from 'node:net';
import { hostname } from 'node:os';
import { connect as tlsConnect } from 'node:tls';
import type { DestinationSettings } from '../../domain/destination.js';
import type { OutgoingEntry } from '../../domain/destination-payload.js';
import { octetCounted, syslogMessage } from '../../domain/syslog-message.js';
import { SEND_TIMEOUT_MS, type Sender } from './sender.js';

/**
 * Syslog over TCP or TLS (RFC 5425 octet counting), one RFC 5424 message per entry. Syslog has no
 * acknowledgement, so each batch has a connection of its own: the batch counts as delivered once the receiver
 * has read it to the end and closed its side too — a receiver that died meanwhile makes it an error, and the
 * batch is sent again.
 */
export class SyslogSender implements Sender {
  readonly #settings: DestinationSettings;
  readonly #host = hostname();

  constructor(settings: DestinationSettings) {
    this.#settings = settings;
  }

  send(entries: readonly OutgoingEntry[], _batchId?: string, stop?: AbortSignal): Promise<void> {
    const s = this.#settings;
    const text = entries
      .map((e) => octetCounted(syslogMessage(e, s.format, this.#host, s.maxMessageSize)))
      .join('');
    return new Promise<void>((resolve, reject) => {
      const options = { host: s.host as string, port: s.port as number };
      let socket: Socket;
      const fail = (error: Error) => {
        socket.destroy();
        reject(error);
      };
      const write = () => {
        socket.end(text);
      };
      if (s.tls) {
        const servername = isIP(options.host) ? {} : { servername: options.host };
        socket = tlsConnect({ ...options, ...servername, ...(s.caPem ? { ca: s.caPem } : {}) }, write);
      } else {
        socket = tcpConnect(options, write);
      }
      socket.setTimeout(SEND_TIMEOUT_MS, () => fail(new Error('The syslog receiver did not answer in time')));
      socket.on('error', fail);
      // Stopping: the connection is dropped, so the receiver cannot take the batch as whole; it is sent again.
      const onStop = () => fail(stop?.reason as Error);
      if (stop?.aborted) onStop();
      else stop?.addEventListener('abort', onStop, { once: true });
      socket.on('close', () => stop?.removeEventListener('abort', onStop));
      socket.on('data', () => {});
      socket.on('close', (hadError) => {
        if (!hadError) resolve();
      });
    });
  }

  async close(): Promise<void> {}
}

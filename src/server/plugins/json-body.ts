import { isUtf8 } from 'node:buffer';
import type { FastifyInstance } from 'fastify';
import { duplicateKeyIn } from '../../core/domain/duplicate-keys.js';
import { AuditError } from '../../core/domain/errors.js';

/**
 * JSON bodies must be UTF-8 (RFC 8259): read as bytes and refused (400) when they are not, then parsed as
 * Fastify would. Decoded as text first, a stray byte became U+FFFD and was stored as if sent — the value a
 * lone surrogate escape is refused for (the event schema): no value may come back other than it was sent.
 * A member name repeated in an object is refused too (duplicate-keys.ts): JSON.parse would keep the last.
 */
export function installJsonBody(app: FastifyInstance): void {
  // A compressed body, or one in another charset, was read as UTF-8 JSON and refused as "not valid UTF-8"
  // (or read wrongly): the answer names what is not supported instead.
  app.addHook('onRequest', async (request) => {
    const type = request.headers['content-type'];
    if (type === undefined) return;
    const encoding = request.headers['content-encoding']?.trim().toLowerCase();
    if (encoding && encoding !== 'identity')
      throw new AuditError(
        'unsupported_media_type',
        `Content-Encoding ${encoding} is not supported: send the body uncompressed`,
      );
    const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(type)?.[1]?.toLowerCase();
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8')
      throw new AuditError('unsupported_media_type', `charset ${charset} is not supported: send UTF-8 JSON`);
  });
  // Keys named __proto__ or constructor are data (core/own-property.ts), as the server's options say.
  const parse = app.getDefaultJsonParser('ignore', 'ignore');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const bytes = body as Buffer;
    // A DELETE (which takes no body) sent with the header by a client that always sends it: no body. Any
    // other method keeps Fastify's 400 `The JSON body is empty`.
    if (bytes.length === 0 && request.method === 'DELETE') {
      done(null, undefined);
      return;
    }
    if (!isUtf8(bytes)) {
      done(notUtf8(), undefined);
      return;
    }
    const text = bytes.toString('utf8');
    parse(request, text, (error, value) => {
      const duplicate = error ? undefined : duplicateKeyIn(bytes, value, text);
      if (duplicate === undefined) done(error, value);
      else done(duplicateKey(duplicate), undefined);
    });
  });
}

export const notUtf8 = () => new AuditError('invalid_request', 'The body is not valid UTF-8');

export const duplicateKey = (pointer: string) =>
  new AuditError('invalid_request', `${pointer}: duplicate key`, [
    { path: pointer, message: 'duplicate key' },
  ]);

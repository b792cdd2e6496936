import { describe, expect, it } from 'vitest';
import { AuditError } from '../../src/core/domain/errors.js';
import { deserializeError, serializeError } from '../../src/store/threads/worker-pool.js';

describe('errors crossing from a worker thread', () => {
  it('keep an AuditError as it was', () => {
    const e = deserializeError(serializeError(new AuditError('store_unavailable', 'disk full', [])));
    expect(e).toMatchObject({ code: 'store_unavailable', status: 503, message: 'disk full' });
  });

  it("never hand an unexpected error's own message to a client; it stays the cause, for the log", () => {
    const e = deserializeError(serializeError(new Error('no such column: secret_table.x')));
    expect(e.code).toBe('internal');
    expect(JSON.stringify(e.toJSON())).not.toContain('secret_table');
    expect((e.cause as Error).message).toBe('no such column: secret_table.x');
  });
});

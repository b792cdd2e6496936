// A JSON or OCSF syslog message over the destination's maximum stays one valid JSON document within the
// limit, with a marker naming what was cut; CEF is cut as text, never inside an escape.
import { describe, expect, it } from 'vitest';
import type { OutgoingEntry } from '../../src/core/domain/destination-payload.js';
import { syslogMessage } from '../../src/core/domain/syslog-message.js';

const entry = (extra: Record<string, unknown>, targetType = 'Carrier'): OutgoingEntry => ({
  id: 'ev-1',
  seq: 7,
  stream: 'event',
  receivedMs: Date.parse('2026-12-05T10:00:00.000Z'),
  facts: { stream: 'event', category: 'telephony', eventType: 'carrier.updated' },
  event: {
    id: 'ev-1',
    seq: 7,
    tenant: 'acme',
    occurredAt: '2026-12-05T09:59:59.000Z',
    receivedAt: '2026-12-05T10:00:00.000Z',
    actor: { id: 'usr_1', username: 'jane', type: 'user' },
    action: 'update',
    eventType: 'carrier.updated',
    category: 'telephony',
    target: { type: targetType, id: 'c-1' },
    oldValue: null,
    newValue: null,
    changes: [],
    ...extra,
  } as OutgoingEntry['event'],
});

/** The structured data's bytes and the parsed MSG. */
function read(msg: string, max: number) {
  expect(Buffer.byteLength(msg)).toBeLessThanOrEqual(max);
  const sd = /truncated="true" bytes="(\d+)"\] \uFEFF/.exec(msg);
  expect(sd, msg.slice(0, 200)).not.toBeNull();
  return { bytes: Number(sd?.[1]), body: JSON.parse(msg.slice(msg.indexOf('\uFEFF') + 1)) };
}

describe('a truncated JSON or OCSF syslog message', () => {
  it('shortens the longest strings first and says which', () => {
    const e = entry({
      oldValue: { note: 'a'.repeat(30_000), name: 'short' },
      newValue: { note: 'b'.repeat(30_000), tags: ['x'.repeat(5000)] },
    });
    for (const max of [2048, 4096, 8096, 20_000]) {
      const msg = syslogMessage(e, 'json', 'h', max);
      const { bytes, body } = read(msg, max);
      expect(Buffer.byteLength(msg)).toBeGreaterThan(max - 16); // the room is used, not wasted
      expect(body.stream).toBe('admin');
      expect(body.truncated).toEqual({
        bytes,
        shortened: expect.arrayContaining(['oldValue.note', 'newValue.note']),
        shortenedCount: expect.any(Number),
        dropped: [],
      });
      expect(bytes).toBeGreaterThan(65_000);
      expect(body.oldValue.name).toBe('short'); // short strings are left alone
      expect(body.newValue.note).toMatch(/^b+…$/);
      expect(body).toMatchObject({ id: 'ev-1', seq: 7, tenant: 'acme', eventType: 'carrier.updated' });
      expect(syslogMessage(e, 'json', 'h', max)).toBe(msg); // deterministic
    }
  });

  it('drops old and new values when shortening strings is not enough, and names them', () => {
    const many = Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`k${i}`, i]));
    const fewer = Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`k${i}`, i]));
    const msg = syslogMessage(entry({ newValue: many, oldValue: fewer }), 'json', 'h', 4096);
    const { bytes, body } = read(msg, 4096);
    expect(body.truncated).toMatchObject({ bytes, dropped: ['newValue', 'oldValue'] });
    expect(body.newValue).toBeNull();
    expect(body.oldValue).toBeNull();
    // One large value dropped, a small one kept.
    const one = syslogMessage(entry({ newValue: many, oldValue: { a: 1 } }), 'json', 'h', 4096);
    expect(read(one, 4096).body).toMatchObject({ truncated: { dropped: ['newValue'] }, oldValue: { a: 1 } });
    expect(body.target).toEqual({ type: 'Carrier', id: 'c-1' });
  });

  it('keeps only the fields naming the entry when nothing else fits', () => {
    const many = Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`k${i}`, i]));
    const changes = Array.from({ length: 500 }, (_, i) => ({ field: `f${i}`, old: i, new: i + 1 }));
    const e = entry({ newValue: many, changes, actor: { id: 'u', type: 'user', ...many } });
    const { body } = read(syslogMessage(e, 'json', 'h', 2048), 2048);
    expect(body.truncated).toMatchObject({ omitted: true, dropped: ['newValue', 'changes'] });
    expect(body).toMatchObject({ stream: 'admin', id: 'ev-1', seq: 7, tenant: 'acme' });
    expect(body.actor).toBeUndefined();
  });

  it('puts the OCSF marker in unmapped and keeps the class and metadata', () => {
    const e = entry({
      newValue: { note: 'é'.repeat(20_000) },
      changes: [{ field: 'note', old: 'x', new: 'y' }],
    });
    const msg = syslogMessage(e, 'ocsf', 'h', 8096);
    const { bytes, body } = read(msg, 8096);
    expect(body.class_uid).toBe(3004);
    expect(body.metadata).toMatchObject({ uid: 'ev-1', sequence: 7, tenant_uid: 'acme' });
    expect(body.unmapped.truncated).toMatchObject({
      bytes,
      shortened: ['entity_result.data.note'],
      dropped: [],
    });
    expect(body.unmapped.changes).toEqual([{ field: 'note', old: 'x', new: 'y' }]);
  });

  it('never leaves half a surrogate pair or half a UTF-8 character', () => {
    for (const max of [2048, 2049, 2050, 2051]) {
      const msg = syslogMessage(entry({ newValue: { s: '😀'.repeat(5000) } }), 'json', 'h', max);
      const { body } = read(msg, max);
      expect(body.newValue.s).toMatch(/^(😀)+…$/u);
      expect(msg).not.toContain('\uFFFD');
      expect(msg).not.toMatch(/\\ud[89ab]/i);
    }
  });
});

describe('a truncated CEF message', () => {
  it('never ends inside an escape, whichever escape the limit falls in', () => {
    for (const reason of ['\n'.repeat(3000), '='.repeat(3000), 'a\\'.repeat(3000)]) {
      for (const max of [2048, 2049, 2050, 2051]) {
        const msg = syslogMessage(entry({ reason }), 'cef', 'h', max);
        expect(Buffer.byteLength(msg)).toBeLessThanOrEqual(max);
        expect(msg.endsWith('…[truncated]')).toBe(true);
        const before = msg.slice(0, -'…[truncated]'.length);
        expect((/\\*$/.exec(before)?.[0].length ?? 0) % 2).toBe(0);
      }
    }
  });
});

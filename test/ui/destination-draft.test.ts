// The destination form's body (web/src/format/destination-draft.ts): a cleared optional field is left out,
// so the server applies its default, rather than sent as text the server refuses.
import { describe, expect, it } from 'vitest';
import { DestinationCreate } from '../../src/core/domain/schemas/destination-schema.js';
import { DEFAULT_SYSLOG_MAX_MESSAGE } from '../../src/core/domain/syslog-message.js';
import {
  createBody,
  draftOf,
  draftProblems,
  emptyDraft,
  MAX_MESSAGE_SIZE,
} from '../../web/src/format/destination-draft.js';

describe('the destination form body', () => {
  it('leaves a cleared batch size out, and sends a typed one as a number', () => {
    const draft = { ...emptyDraft(), name: 'hook', url: 'https://example.test/hook' };
    expect(createBody({ ...draft, batchSize: '' })).not.toHaveProperty('batchSize');
    expect(createBody({ ...draft, batchSize: '  ' })).not.toHaveProperty('batchSize');
    expect(createBody({ ...draft, batchSize: '250' }).batchSize).toBe(250);
  });

  it('reads an empty streams filter as both streams (the API takes it as all)', () => {
    const d = { kind: 'webhook', format: 'json', url: 'https://x.test/h', filter: { streams: [] } };
    const draft = draftOf(d as unknown as Parameters<typeof draftOf>[0]);
    expect([draft.admin, draft.auth]).toEqual([true, true]);
  });
});

describe('the syslog max message size', () => {
  it('is checked with the API schema’s bounds, and sent as a number', () => {
    const bounds = DestinationCreate.properties.maxMessageSize as unknown as {
      minimum: number;
      maximum: number;
    };
    expect([MAX_MESSAGE_SIZE.minimum, MAX_MESSAGE_SIZE.maximum]).toEqual([bounds.minimum, bounds.maximum]);
    expect(MAX_MESSAGE_SIZE.default).toBe(DEFAULT_SYSLOG_MAX_MESSAGE);
    const draft = { ...emptyDraft(), kind: 'syslog' as const, name: 's', host: 'h', port: '514' };
    for (const ok of ['', '2048', '65536', '1048576']) {
      expect(draftProblems({ ...draft, maxMessageSize: ok })).toEqual({});
    }
    for (const bad of ['2047', '1048577', '4k', '-4096', '4096.5']) {
      expect(Object.keys(draftProblems({ ...draft, maxMessageSize: bad }))).toEqual(['maxMessageSize']);
    }
    expect(createBody({ ...draft, maxMessageSize: '65536' }).maxMessageSize).toBe(65_536);
    expect(createBody({ ...draft, maxMessageSize: '' })).not.toHaveProperty('maxMessageSize');
    // Another kind does not send it (the API would refuse it there).
    expect(createBody({ ...draft, kind: 'webhook', maxMessageSize: '65536' })).not.toHaveProperty(
      'maxMessageSize',
    );
  });
});

// The destination form's body (web/src/format/destination-draft.ts): a cleared optional field is left out,
// so the server applies its default, rather than sent as text the server refuses.
import { describe, expect, it } from 'vitest';
import { createBody, draftOf, emptyDraft } from '../../web/src/format/destination-draft.js';

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

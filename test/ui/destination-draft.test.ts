// The destination form's body (web/src/format/destination-draft.ts): a cleared optional field is left out,
// so the server applies its default, rather than sent as text the server refuses.
import { describe, expect, it } from 'vitest';
import { createBody, emptyDraft } from '../../web/src/format/destination-draft.js';

describe('the destination form body', () => {
  it('leaves a cleared batch size out, and sends a typed one as a number', () => {
    const draft = { ...emptyDraft(), name: 'hook', url: 'https://example.test/hook' };
    expect(createBody({ ...draft, batchSize: '' })).not.toHaveProperty('batchSize');
    expect(createBody({ ...draft, batchSize: '  ' })).not.toHaveProperty('batchSize');
    expect(createBody({ ...draft, batchSize: '250' }).batchSize).toBe(250);
  });
});

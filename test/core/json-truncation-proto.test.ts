// A syslog message shrunk to fit (fitJson) keeps a member named __proto__: capping its strings rebuilt each
// object with out[k] = …, which set the prototype, and the member was gone from the message the SIEM read.
import { describe, expect, it } from 'vitest';
import { fitJson } from '../../src/core/domain/json-truncation.js';

describe('fitJson', () => {
  it('keeps __proto__ members, at the top and inside, when it shortens strings', () => {
    const long = 'x'.repeat(400);
    const payload = JSON.parse(
      `{"stream":"event","id":"e-1","__proto__":{"t":"${long}"},"metadata":{"__proto__":{"m":"${long}"},"constructor":"${long}"}}`,
    );
    const rules = { markerAt: [], droppable: ['metadata'], keep: ['stream', 'id'] };
    const out = JSON.parse(fitJson(payload, rules, 2000, (text) => text.length <= 700));
    expect(Object.keys(out)).toEqual(['stream', 'truncated', 'id', '__proto__', 'metadata']);
    expect(Object.keys(out.metadata)).toEqual(['__proto__', 'constructor']);
    expect(Object.getOwnPropertyDescriptor(out.metadata, '__proto__')?.value.m).toMatch(/^x+…$/);
    expect(out.truncated.shortened).toContain('metadata.__proto__.m');
  });
});

import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bootstrapTokenProblem, issueToken } from '../../src/core/domain/tokens.js';

describe('bootstrapTokenProblem', () => {
  it('accepts tokens of 128 bits and more, as generated', () => {
    for (let i = 0; i < 200; i++) {
      expect(bootstrapTokenProblem(randomBytes(16).toString('base64url').slice(0, 22))).toBeNull();
      expect(bootstrapTokenProblem(randomBytes(32).toString('base64'))).toBeNull();
      expect(bootstrapTokenProblem(randomBytes(16).toString('hex'))).toBeNull();
    }
    expect(bootstrapTokenProblem(issueToken('default', ['admin'], { nowMs: 0 }).token)).toBeNull();
  });

  it('refuses what an attacker guesses or a short random string', () => {
    for (const weak of [
      '',
      'abc',
      'password123',
      randomBytes(16).toString('base64url').slice(0, 21),
      randomBytes(16).toString('hex').slice(0, 31),
      'correct horse battery staple',
      'ÄÖÜäöüßÄÖÜäöüßÄÖÜäöüßÄÖÜäöüß',
      'abababababababababababababababab',
    ]) {
      expect(bootstrapTokenProblem(weak), weak).toEqual(expect.any(String));
    }
  });
});

describe('issued token ids', () => {
  it('never begin with "-", so a command line never reads one as an option', () => {
    const ids = Array.from({ length: 3000 }, () => issueToken('t', ['read'], { nowMs: 0 }).record.id);
    expect(ids.every((id) => /^[A-Za-z0-9_][A-Za-z0-9_-]{11}$/.test(id))).toBe(true);
    // 3000 random ids: about 47 would begin with "-" if nothing prevented it.
    expect(new Set(ids.map((id) => id[0])).size).toBeGreaterThan(50);
  });
});

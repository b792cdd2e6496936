// The example platform records every sign-in attempt, hostile ones most of all (a brute-force detector must
// see them): what was typed is turned into a username the audit service accepts, never refused and lost.
import { describe, expect, it } from 'vitest';
import { auditableUsername } from '../../examples/admin-platform/src/sign-in.js';
import { checkAuthEvents } from '../../src/core/domain/prepare-auth-event.js';

describe('the username an attempt is recorded with', () => {
  it('is what was typed, made acceptable to the service: JSON, U+FFFD for control characters, cut to 256', () => {
    expect(auditableUsername('jane.admin')).toBe('jane.admin');
    expect(auditableUsername({ $ne: 1 })).toBe('{"$ne":1}');
    expect(auditableUsername('a\u0000b\ud800c')).toBe('a\ufffdb\ufffdc');
    const long = auditableUsername(`${'😀'.repeat(300)}`)!;
    expect(Array.from(long)).toHaveLength(256);
    expect(long.endsWith('…')).toBe(true);
    for (const empty of [undefined, null, '', '   ']) expect(auditableUsername(empty)).toBeUndefined();
  });

  it('is one the service takes, for any hostile value', () => {
    for (const raw of [{ $ne: 1 }, 'x'.repeat(10_000), 'a\u0000b', '\udc00', ['a'], 'é'.repeat(400)]) {
      const username = auditableUsername(raw)!;
      const attempt = {
        type: 'login_failure',
        user: { username },
        ip: '198.51.100.7',
        reason: 'unknown_user',
      };
      expect(() => checkAuthEvents([attempt], [''], Date.now()), JSON.stringify(raw)).not.toThrow();
    }
  });
});

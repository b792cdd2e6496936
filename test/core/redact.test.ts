import { describe, expect, it } from 'vitest';
import { isRedactedMarker, Redactor } from '../../src/core/domain/redact.js';
import { NEAR_MISS_KEYS, SECRET_KEYS, secretPairs } from '../contract/helpers/secret-spellings.js';

const key = Buffer.alloc(32, 7);
const r = new Redactor(key);
const MARKER = { redacted: true, fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/) };
const TEXT_MARKER = /\[redacted:[0-9a-f]{16}\]/;

describe('Redactor: keys', () => {
  it('replaces the value under every secret spelling and keeps every near miss', () => {
    const input = Object.fromEntries([...SECRET_KEYS, ...NEAR_MISS_KEYS].map((k) => [k, `v-${k}`]));
    const out = r.redact('t1', input) as Record<string, unknown>;
    expect(SECRET_KEYS.filter((k) => !isRedactedMarker(out[k]))).toEqual([]);
    expect(NEAR_MISS_KEYS.filter((k) => out[k] !== `v-${k}`)).toEqual([]);
  });

  it('replaces secrets at any depth and leaves the rest', () => {
    const out = r.redact('t1', {
      host: 'sip.example',
      auth: { password: 'hunter2', user: 'acct' },
      list: [{ apiKey: 'k' }],
    }) as any;
    expect(out.host).toBe('sip.example');
    expect(out.auth.user).toBe('acct');
    expect(out.auth.password).toEqual(MARKER);
    expect(out.list[0].apiKey).toEqual(MARKER);
    expect(JSON.stringify(out)).not.toContain('hunter2');
  });

  it('redacts numbers, objects and arrays whole; keeps null and booleans', () => {
    expect(r.redact('t', { pin: 1234, tokens: ['a', 'b'], secret: { v: 1 } })).toEqual({
      pin: MARKER,
      tokens: MARKER,
      secret: MARKER,
    });
    expect(r.redact('t', { password: null, passwordSet: true, otp: false })).toEqual({
      password: null,
      passwordSet: true,
      otp: false,
    });
  });

  it('returns the input itself when nothing is secret', () => {
    const v = { a: [1, { b: 'text with no secret' }], c: null };
    expect(r.redact('t', v)).toBe(v);
  });

  it('gives different secrets different fingerprints and equal secrets equal ones', () => {
    const fp = (v: unknown) => (r.redact('t1', { password: v }) as any).password.fingerprint;
    expect(fp('one')).not.toBe(fp('two'));
    expect(fp('one')).toBe(fp('one'));
  });

  it('keys fingerprints by tenant and by store key', () => {
    const t1 = (r.redact('t1', { password: 'one' }) as any).password.fingerprint;
    const t2 = (r.redact('t2', { password: 'one' }) as any).password.fingerprint;
    const other = (new Redactor(Buffer.alloc(32, 8)).redact('t1', { password: 'one' }) as any).password
      .fingerprint;
    expect(t1).not.toBe(t2);
    expect(t1).not.toBe(other);
  });

  it('keeps a marker already there (an export imports again unchanged), but not a forged one', () => {
    const once = r.redact('t', { password: 'x', nested: { token: 'y' } });
    expect(r.redact('t', once)).toEqual(once);
    const forged = r.redact('t', { note: { redacted: true, fingerprint: 'password=hunter2' } }) as any;
    expect(forged.note.fingerprint).toMatch(TEXT_MARKER);
    expect(JSON.stringify(forged)).not.toContain('hunter2');
  });
});

describe('Redactor: name/value pairs', () => {
  const secrets: string[] = [];
  const secret = (tag: string) => {
    const s = `${tag}-s3cr3t-${secrets.length}`;
    secrets.push(s);
    return s;
  };

  it.each(secretPairs(secret))('$label', ({ value }) => {
    const text = JSON.stringify(r.redact('t', { list: value }));
    expect(secrets.filter((s) => text.includes(s))).toEqual([]);
  });

  it('a [name, value] entry among other items of its list: objects, strings, longer arrays', () => {
    const out = r.redact('t', {
      headers: [['authorization', 'Bearer abc'], { name: 'accept', value: '*/*' }, 'x', ['a', 'b', 'c']],
      env: [['password', 'hunter2'], 'x', ['accept', 'text/html']],
    }) as any;
    expect(out.headers).toEqual([
      ['authorization', MARKER],
      { name: 'accept', value: '*/*' },
      'x',
      ['a', 'b', 'c'],
    ]);
    expect(out.env).toEqual([['password', MARKER], 'x', ['accept', 'text/html']]);
  });

  it('keeps the names, the other fields and pairs whose name is not a secret', () => {
    const out = r.redact('t', {
      env: [
        { name: 'DB_HOST', value: 'db.internal' },
        { name: 'DB_PASSWORD', value: 'p', description: 'the db' },
        { name: 'MAX_TOKENS', value: 4096 },
      ],
    }) as any;
    expect(out.env).toEqual([
      { name: 'DB_HOST', value: 'db.internal' },
      { name: 'DB_PASSWORD', value: MARKER, description: 'the db' },
      { name: 'MAX_TOKENS', value: 4096 },
    ]);
  });

  it('a two-element array that is not part of a list of entries is left alone', () => {
    expect(r.redact('t', { tags: ['password', 'reset'] })).toEqual({ tags: ['password', 'reset'] });
  });
});

describe('Redactor: free text', () => {
  it('redacts secrets inside string values and keys at any depth, keeping the rest readable', () => {
    const out = r.redact('t', {
      note: 'deploy with Authorization: Bearer abc123def456',
      deep: [{ url: 'https://bot:hunter2@hooks.example/x' }],
      'Bearer abcdef1234567890': 1,
    }) as any;
    expect(out.note).toMatch(/^deploy with Authorization: Bearer \[redacted:[0-9a-f]{16}\]$/);
    expect(out.deep[0].url).toMatch(/^https:\/\/bot:\[redacted:[0-9a-f]{16}\]@hooks\.example\/x$/);
    expect(Object.keys(out)).toEqual(['note', 'deep', expect.stringMatching(/^Bearer \[redacted:/)]);
    expect(JSON.stringify(out)).not.toMatch(/hunter2|abc123def456|abcdef1234567890/);
  });

  it('the text fingerprint is the key fingerprint of the same secret, so the two can be matched', () => {
    const byKey = (r.redact('t', { password: 'hunter2' }) as any).password.fingerprint;
    expect(r.redactText('t', 'password=hunter2')).toBe(`password=[redacted:${byKey}]`);
  });

  it('is stable: the same text gives the same result, and a result redacts to itself', () => {
    const t = 'login as admin:hunter2 via https://admin:hunter2@x.example, token=abc';
    const once = r.redactText('t', t);
    expect(r.redactText('t', t)).toBe(once);
    expect(r.redactText('t', once)).toBe(once);
  });

  it('redacts the same text again after it was seen clean under another configuration', () => {
    const plain = new Redactor(key, { replaceDefaults: true });
    expect(plain.redactText('t', 'ssn=123-45-6789')).toBe('ssn=123-45-6789');
    const custom = new Redactor(key, { keys: ['ssn'] });
    expect(custom.redactText('t', 'ssn=123-45-6789')).toMatch(/^ssn=\[redacted:/);
  });
});

describe('Redactor: stability', () => {
  it('redacting a redacted value again changes nothing (keys, pairs, text, keys holding text)', () => {
    const value = {
      password: 'p',
      list: secretPairs((tag) => `${tag}-x1`).map((p) => p.value),
      note: 'Authorization: Bearer abc123def456\nhttps://u:p4ss@h/x?token=t0k',
      'Bearer abcdef1234567890': { apiKeys: ['a', 'b'] },
    };
    const once = r.redact('t', value);
    expect(once).not.toEqual(value);
    expect(r.redact('t', once)).toEqual(once);
  });
});

describe('Redactor: configuration', () => {
  it('accepts configured keys, patterns and an allow-list', () => {
    const custom = new Redactor(key, {
      keys: ['pinCode', /^x-/],
      allow: ['tokenBudget'],
      patterns: [/\bEMP-\d{6}\b/],
    });
    const out = custom.redact('t', {
      pin_code: '1234',
      'x-sig': 'abc',
      password: 'hidden',
      tokenBudget: 500,
      note: 'badge EMP-123456',
    }) as any;
    expect(out.pin_code).toEqual(MARKER);
    expect(out['x-sig']).toEqual(MARKER);
    expect(out.password).toEqual(MARKER);
    expect(out.tokenBudget).toBe(500);
    expect(out.note).toMatch(/^badge \[redacted:[0-9a-f]{16}\]$/);
  });

  it('replaceDefaults turns the built-in words and patterns off', () => {
    const custom = new Redactor(key, { keys: ['pinCode'], replaceDefaults: true });
    const out = custom.redact('t', {
      pin_code: '1234',
      password: 'visible',
      note: 'Bearer abcdef123456',
    }) as any;
    expect(out).toEqual({ pin_code: MARKER, password: 'visible', note: 'Bearer abcdef123456' });
  });
});

import { describe, expect, it } from 'vitest';
import { defaultIsSecretKey, isRedactedMarker, Redactor } from '../../src/core/redact.js';

const key = Buffer.alloc(32, 7);

describe('secret keys', () => {
  it.each([
    'password',
    'db_password',
    'smtpPassword',
    'secret',
    'client_secret',
    'token',
    'accessToken',
    'refresh_token',
    'apiKey',
    'api_key',
    'API-KEY',
    'privateKey',
    'private_key',
    'totp',
    'totpSecret',
    'secretAccessKey',
    'passphrase',
  ])('%s is a secret', (k) => expect(defaultIsSecretKey(k)).toBe(true));

  it.each([
    'maxTokens',
    'tokenCount',
    'username',
    'keyboard',
    'passwordMinLength_x',
    'monkey',
    'spin',
    'description',
  ])('%s is not a secret', (k) => {
    // passwordMinLength_x contains the word "password": words, not substrings, decide.
    expect(defaultIsSecretKey(k)).toBe(k === 'passwordMinLength_x');
  });
});

describe('Redactor', () => {
  const r = new Redactor(key);

  it('replaces secrets at any depth and leaves the rest', () => {
    const out = r.redact('t1', {
      host: 'sip.example',
      auth: { password: 'hunter2', user: 'acct' },
      list: [{ apiKey: 'k' }],
    }) as any;
    expect(out.host).toBe('sip.example');
    expect(out.auth.user).toBe('acct');
    expect(isRedactedMarker(out.auth.password)).toBe(true);
    expect(isRedactedMarker(out.list[0].apiKey)).toBe(true);
    expect(JSON.stringify(out)).not.toContain('hunter2');
  });

  it('gives different secrets different fingerprints and equal secrets equal ones', () => {
    const a = (r.redact('t1', { password: 'one' }) as any).password.fingerprint;
    const b = (r.redact('t1', { password: 'two' }) as any).password.fingerprint;
    const a2 = (r.redact('t1', { password: 'one' }) as any).password.fingerprint;
    expect(a).not.toBe(b);
    expect(a).toBe(a2);
    expect(a).toMatch(/^[0-9a-f]{16}$/);
  });

  it('keys fingerprints by tenant and by store key', () => {
    const t1 = (r.redact('t1', { password: 'one' }) as any).password.fingerprint;
    const t2 = (r.redact('t2', { password: 'one' }) as any).password.fingerprint;
    const other = (new Redactor(Buffer.alloc(32, 8)).redact('t1', { password: 'one' }) as any).password
      .fingerprint;
    expect(t1).not.toBe(t2);
    expect(t1).not.toBe(other);
  });

  it('accepts configured keys and patterns', () => {
    const custom = new Redactor(key, { keys: ['pinCode', /^x-/], replaceDefaults: true });
    const out = custom.redact('t', { pin_code: '1234', 'x-sig': 'abc', password: 'visible' }) as any;
    expect(isRedactedMarker(out.pin_code)).toBe(true);
    expect(isRedactedMarker(out['x-sig'])).toBe(true);
    expect(out.password).toBe('visible');
  });

  it('keeps null secrets as null', () => {
    expect(r.redact('t', { password: null })).toEqual({ password: null });
  });
});

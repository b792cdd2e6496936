import { describe, expect, it } from 'vitest';
import { isSecretKey, SecretKeys, splitKey } from '../../src/core/domain/secret-keys.js';
import { NEAR_MISS_KEYS, SECRET_KEYS } from '../contract/helpers/secret-spellings.js';

describe('secret keys (built-in rules)', () => {
  it('the tables hold more than 100 distinct spellings', () => {
    expect(new Set([...SECRET_KEYS, ...NEAR_MISS_KEYS]).size).toBeGreaterThan(200);
  });

  it.each(SECRET_KEYS)('%s names a secret', (k) => expect(isSecretKey(k)).toBe(true));

  it.each(NEAR_MISS_KEYS)('%s does not', (k) => expect(isSecretKey(k)).toBe(false));

  it.each([
    ['passWord', 'pass word'],
    ['PASSWORD_HASH', 'password hash'],
    ['dbpasswords', 'db password'],
    ['apiKeys', 'api key'],
    ['APIKey', 'api key'],
    ['x-api-key', 'x api key'],
    ['spring.datasource.password', 'spring datasource password'],
    ['2faCode', '2 fa code'],
    ['oauth2Token', 'oauth 2 token'],
    ['passwordless', 'password less'],
    ['cookies', 'cookie'],
    ['secretsManager', 'secret manager'],
  ])('%s splits into the words "%s"', (k, words) => expect(splitKey(k).join(' ')).toBe(words));

  it('a term matches across word breaks and inside run-together words', () => {
    for (const k of [
      'passWord',
      'pass_word',
      'PASSWORD',
      'smtppassword',
      'PASSWORDHASH',
      'api_key',
      'apikey',
    ])
      expect(isSecretKey(k), k).toBe(true);
  });

  it('compatibility forms read as their letters (NFKC): full-width keys are secrets too', () => {
    for (const k of ['ｐａｓｓｗｏｒｄ', 'ＡＰＩ＿ＫＥＹ', 'db_ｐａｓｓｗｏｒｄ', 'ｃｌｉｅｎｔＳｅｃｒｅｔ'])
      expect(isSecretKey(k), k).toBe(true);
    for (const k of ['ｎａｍｅ', 'ｐａｓｓｗｏｒｄＰｏｌｉｃｙ', 'ｍａｘＴｏｋｅｎｓ'])
      expect(isSecretKey(k), k).toBe(false);
  });

  it('a quantity before a term makes a count, not a secret', () => {
    expect(isSecretKey('maxTokens')).toBe(false);
    expect(isSecretKey('numPasswords')).toBe(false);
    expect(isSecretKey('newPassword')).toBe(true);
  });
});

describe('SecretKeys (configured)', () => {
  it('extra keys are terms: any spelling, and inside longer keys', () => {
    const keys = new SecretKeys({ keys: ['ssn'] });
    for (const k of ['ssn', 'SSN', 'userSsn', 'ssn_hash', 'password']) expect(keys.isSecret(k), k).toBe(true);
    expect(keys.isSecret('lesson')).toBe(false);
  });

  it('patterns are tested against the key as sent', () => {
    const keys = new SecretKeys({ keys: [/^x-sig/i] });
    expect(keys.isSecret('X-Signature')).toBe(true);
    expect(keys.isSecret('the-x-sig')).toBe(false);
  });

  it('replaceDefaults leaves only the configured keys', () => {
    const keys = new SecretKeys({ keys: ['pinCode', /^x-/], replaceDefaults: true });
    expect(keys.isSecret('pin_code')).toBe(true);
    expect(keys.isSecret('x-anything')).toBe(true);
    expect(keys.isSecret('password')).toBe(false);
  });

  it('the allow-list wins over every rule, by name in any spelling or by pattern', () => {
    const keys = new SecretKeys({ keys: ['budget'], allow: ['token_budget', /^legacy/] });
    expect(keys.isSecret('tokenBudget')).toBe(false);
    expect(keys.isSecret('TOKEN-BUDGET')).toBe(false);
    expect(keys.isSecret('legacyPassword')).toBe(false);
    expect(keys.isSecret('password')).toBe(true);
    expect(keys.isSecret('budget')).toBe(true);
  });

  it('a global pattern gives the same answer every time (no lastIndex state)', () => {
    const keys = new SecretKeys({ keys: [/sig/g], allow: [/^public/g] });
    for (let i = 0; i < 3; i++) {
      expect(keys.isSecret(`sig${i}`)).toBe(true);
      expect(new SecretKeys({ keys: [/sig/g] }).isSecret('sig')).toBe(true);
      expect(keys.isSecret(`publicSig${i}`)).toBe(false);
    }
  });

  it('keeps answering right past its memo limit', () => {
    const keys = new SecretKeys();
    for (let i = 0; i < 25_000; i++) keys.isSecret(`field${i}`);
    expect(keys.isSecret('password')).toBe(true);
    expect(keys.isSecret('field1')).toBe(false);
  });
});

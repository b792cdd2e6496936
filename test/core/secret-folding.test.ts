// Secret words spelt in compatibility forms (full width, mathematical letters, ligatures) or with Cyrillic
// and Greek look-alike letters are found in free text and in keys; in text, exactly the secret span of the
// text as sent is replaced, however folding changed the lengths before it.
import { describe, expect, it } from 'vitest';
import { Redactor } from '../../src/core/domain/redact.js';
import { isSecretKey, SecretKeys } from '../../src/core/domain/secret-keys.js';
import { SecretText } from '../../src/core/domain/secret-text.js';

const keys = new SecretKeys();
const scanner = new SecretText({ isSecretKey: (k) => keys.isSecret(k), keyFragments: keys.fragments() });
const redact = (t: string) => scanner.redact(t, (secret) => `[R:${secret}]`);

describe('free text', () => {
  it.each([
    ['ｐａｓｓｗｏｒｄ=hunter2', 'ｐａｓｓｗｏｒｄ=[R:hunter2]'],
    ['ｐａｓｓｗｏｒｄ＝ｈｕｎｔｅｒ２ then', 'ｐａｓｓｗｏｒｄ＝[R:ｈｕｎｔｅｒ２] then'],
    ['db ｐａｓｓｗｏｒｄ: "hunter"', 'db ｐａｓｓｗｏｒｄ: "[R:hunter]"'],
    // A ligature folds to two units, a mathematical letter's surrogate pair to one: offsets shift both ways.
    ['ﬁle ﬁle_password=hunter2 ok', 'ﬁle ﬁle_password=[R:hunter2] ok'],
    ['𝐩𝐚𝐬𝐬𝐰𝐨𝐫𝐝=hunter2 ok', '𝐩𝐚𝐬𝐬𝐰𝐨𝐫𝐝=[R:hunter2] ok'],
    ['x=ﬃ 𝐩𝐚𝐬𝐬𝐰𝐨𝐫𝐝=ﬁ𝐱9 y', 'x=ﬃ 𝐩𝐚𝐬𝐬𝐰𝐨𝐫𝐝=[R:ﬁ𝐱9] y'],
    // Cyrillic р, а, о; Greek Ρ, Α, Τ
    ['раssword=hunter2', 'раssword=[R:hunter2]'],
    ['login with ΡΑSSWORD=hunter2', 'login with ΡΑSSWORD=[R:hunter2]'],
    ['?access_tоken=abc123&x=1', '?access_tоken=[R:abc123]&x=1'],
    ['Ａｕｔｈｏｒｉｚａｔｉｏｎ: Bearer abcdef', 'Ａｕｔｈｏｒｉｚａｔｉｏｎ: Bearer [R:abcdef]'],
    ['ＢＥＡＲＥＲ abcdef123456', 'ＢＥＡＲＥＲ [R:abcdef123456]'],
  ])('%s', (text, expected) => {
    expect(redact(text)).toBe(expected);
  });

  it('a secret ending inside characters that fold together takes their whole run', () => {
    // Full-width ｅ and a combining acute compose under NFKC: the run cannot be split code point by code point.
    const text = 'ｐａｓｓｗｏｒｄ＝ｈｅ\u0301ｌｌｏ９ ok';
    expect(redact(text)).toBe(`[R:${text.slice(0, -3)}] ok`);
  });

  it('a value the folding would end sooner is redacted whole, as sent', () => {
    expect(redact('password=abc＆def')).toBe('password=[R:abc＆def]');
  });

  it.each([
    'Привет, мир: пароль не менялся',
    'naïve café=ok, résumé: done',
    'ｎｏｔｅ＝ｈｅｌｌｏ',
    'раssword: rotated',
    '東京のサーバー: 再起動しました',
  ])('keeps %s', (text) => {
    expect(redact(text)).toBe(text);
  });

  it('redacting twice changes nothing', () => {
    const r = new Redactor(Buffer.alloc(32, 1));
    for (const text of ['ｐａｓｓｗｏｒｄ=hunter2', 'раssword=hunter2 ﬁ', '𝐩𝐚𝐬𝐬𝐰𝐨𝐫𝐝="x y"']) {
      const once = r.redactText('t', text);
      expect(once).not.toContain('hunter2');
      expect(once).toMatch(/\[redacted:[0-9a-f]{16}\]/);
      expect(r.redactText('t', once)).toBe(once);
    }
  });
});

describe('keys', () => {
  it('look-alike letters read as the Latin ones they imitate', () => {
    for (const k of [
      'раssword',
      'РАSSWORD',
      'ΡΑSSWORD',
      'sеcrеt',
      'аpiKеy',
      'access_tоken',
      'db_раsswоrd',
      'ΑPΙ_KEY',
      'раsswогd',
    ])
      expect(isSecretKey(k), k).toBe(true);
    for (const k of ['пароль', 'раssport', 'tоkenCount', 'имя', 'раsswordPolicy'])
      expect(isSecretKey(k), k).toBe(false);
  });

  it('are redacted in values at any depth', () => {
    const r = new Redactor(Buffer.alloc(32, 1));
    const out = r.redact('t', { smtp: { раssword: 'hunter2', host: 'mail' }, list: [{ ΑPI_KEY: 'k-1' }] });
    expect(JSON.stringify(out)).not.toMatch(/hunter2|k-1/);
    expect(out).toMatchObject({ smtp: { host: 'mail', раssword: { redacted: true } } });
  });
});

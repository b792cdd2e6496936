import { describe, expect, it } from 'vitest';
import { SecretKeys } from '../../src/core/domain/secret-keys.js';
import { SecretText } from '../../src/core/domain/secret-text.js';

const keys = new SecretKeys();
const text = new SecretText({ isSecretKey: (k) => keys.isSecret(k) });
const R = '[R]';
const redact = (t: string, scanner = text) => scanner.redact(t, () => R);

const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJlMQ';
const AL = 'al_AbCdEfGhIjKl_0123456789abcdefghijABCDEFGHIJ0123456789abc';

describe('secrets in free text are replaced, the rest is kept', () => {
  it.each([
    // authorization headers and schemes
    ['Authorization: Bearer abc.def-123', 'Authorization: Bearer [R]'],
    ['authorization: bearer abc.def-123 (old)', 'authorization: bearer [R]'],
    ['Proxy-Authorization: Basic dXNlcjpwYXNz', 'Proxy-Authorization: Basic [R]'],
    ['HTTP_AUTHORIZATION=Token abc', 'HTTP_AUTHORIZATION=Token [R]'],
    ['{"Authorization":"Bearer abcdef123456"}', '{"Authorization":"Bearer [R]"}'],
    ['authorization=Basic%20dXNlcjpwYXNz&x=1', 'authorization=[R]&x=1'],
    ['Cookie: sid=abc123; theme=dark\nnext line', 'Cookie: [R]\nnext line'],
    ['Set-Cookie: sid=abc123; HttpOnly', 'Set-Cookie: [R]'],
    ['retried with Bearer abcdef1234567890 twice', 'retried with Bearer [R] twice'],
    ['curl -H "Authorization: Bearer x9"', 'curl -H "Authorization: Bearer [R]"'],
    ['basic dXNlcjpwYXNzd29yZA==', 'basic [R]'],
    // credentials in URLs
    [
      'see postgres://admin:s3cr3t@db.example:5432/app now',
      'see postgres://admin:[R]@db.example:5432/app now',
    ],
    ['amqp://guest:p@ss@mq.local/vhost', 'amqp://guest:[R]@mq.local/vhost'],
    ['https://ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789@github.com/o/r', 'https://[R]@github.com/o/r'],
    ['https://example.com/reset?token=abc123&lang=en', 'https://example.com/reset?token=[R]&lang=en'],
    [
      'otpauth://totp/ACME:bob?secret=JBSWY3DPEHPK3PXP&issuer=ACME',
      'otpauth://totp/ACME:bob?secret=[R]&issuer=ACME',
    ],
    // private keys
    [
      'key:\n-----BEGIN RSA PRIVATE KEY-----\nMIIEow\nabc==\n-----END RSA PRIVATE KEY-----\nend',
      'key:\n-----BEGIN RSA PRIVATE KEY-----\n[R]\n-----END RSA PRIVATE KEY-----\nend',
    ],
    [
      '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXkt (cut)',
      '-----BEGIN OPENSSH PRIVATE KEY-----\n[R]',
    ],
    [
      '-----BEGIN PGP PRIVATE KEY BLOCK-----\nlQOYBF\n-----END PGP PRIVATE KEY BLOCK-----',
      '-----BEGIN PGP PRIVATE KEY BLOCK-----\n[R]\n-----END PGP PRIVATE KEY BLOCK-----',
    ],
    // token formats
    [`token ${AL} leaked`, 'token al_AbCdEfGhIjKl_[R] leaked'],
    [`Bearer ${AL}`, 'Bearer al_AbCdEfGhIjKl_[R]'],
    [`session ${JWT} expired`, 'session [R] expired'],
    ['AKIAIOSFODNN7EXAMPLE rotated', '[R] rotated'],
    ['ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789 and github_pat_11ABCDEFG0123456789_abcdefghij', '[R] and [R]'],
    ['glpat-aBcDeFgHiJkLmNoPqRsT1', '[R]'],
    ['xoxb-1234-5678-abcdefghij', '[R]'],
    [
      'sk_live_abcdefghijklmnop1234 rk_test_ABCDEFGHIJKLMNOP1234 whsec_abcdefghijklmnopqrstuvwx12',
      '[R] [R] [R]',
    ],
    ['AIzaSyA-abcdefghijklmnopqrstuvwxyz01234', '[R]'],
    ['npm_abcdefghijklmnopqrstuvwxyz0123456789', '[R]'],
    ['SG.abcdefghijklmnop12.abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGH', '[R]'],
    ['openai sk-proj-abcDEF1234567890abcdefgh', 'openai [R]'],
    // key=value forms
    ['Server=db;User Id=sa;Password=Pa55w0rd!;Database=x', 'Server=db;User Id=sa;Password=[R];Database=x'],
    ['{"password":"hunter2","user":"bob"}', '{"password":"[R]","user":"bob"}'],
    ['{\\"apiKey\\":\\"k-123\\",\\"n\\":1}', '{\\"apiKey\\":\\"[R]\\",\\"n\\":1}'],
    ["db_password='x y z' host=db", "db_password='[R]' host=db"],
    ['password: hunter22', 'password: [R]'],
    ['X-Api-Key: abcd1234efgh', 'X-Api-Key: [R]'],
    ['mysql --password hunter2 --user root', 'mysql --password [R] --user root'],
    ['note=Bearer abcdef1234567890', 'note=Bearer [R]'],
  ])('%j', (input, expected) => expect(redact(input)).toBe(expected));
});

describe('ordinary text is left alone', () => {
  it.each([
    'the bearer of bad news; Basic authentication; Token rotation done',
    'password: rotated by ops; token: expired',
    'maxTokens=4096 passwordMinLength=12 tokenCount: 5 passwordPolicy=strict',
    'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
    'https://example.com:8443/path?tab=history#top',
    'ssh://git@github.com/org/repo.git',
    '09:00 to 18:00 America/New_York',
    'Ticket OPS-7523: raise maxChannels, approved by ops.oncall',
    'sk-learn-something-here-long is a library',
    'mail jane@example.com about the author: spinner pinned',
    'internal_al_notatoken and task-sk-x',
    'pwd',
  ])('%j', (input) => expect(redact(input)).toBe(input));
});

describe('markers', () => {
  const real = (t: string) => text.redact(t, () => '[redacted:0123456789abcdef]');

  it.each([
    'password=hunter2 and https://u:p4ss@h and Authorization: Bearer abcdef123456',
    '{"token":"abc"} Cookie: a=1',
    `-----BEGIN EC PRIVATE KEY-----\nMHcC\n-----END EC PRIVATE KEY----- ${JWT} ${AL}`,
    'Bearer abcdef1234567890 --password x',
  ])('redacting twice changes nothing: %j', (input) => {
    const once = real(input);
    expect(once).not.toBe(input);
    expect(real(once)).toBe(once);
  });

  it('each span is passed to mark exactly once, without its quotes or scheme', () => {
    const seen: string[] = [];
    // A header's value runs to the end of its line.
    text.redact('{"password":"p1"} Authorization: Bearer tok123\nhttps://u:p2@h', (s) => {
      seen.push(s);
      return R;
    });
    expect(seen).toEqual(['p1', 'tok123', 'p2']);
  });
});

describe('configured patterns', () => {
  it('a pattern redacts its match, or only its `secret` group', () => {
    const custom = new SecretText({
      isSecretKey: (k) => keys.isSecret(k),
      patterns: [/\bEMP-\d{6}\b/, /ticket (?<secret>[A-Z]{3}\d{3})/g],
    });
    expect(redact('badge EMP-123456 for ticket ABC123', custom)).toBe('badge [R] for ticket [R]');
    expect(redact('password=hunter2', custom)).toBe('password=[R]');
  });

  it('without the built-in patterns only key=value with the configured keys and the patterns apply', () => {
    const only = new SecretText({
      isSecretKey: (k) => k === 'pin',
      patterns: [/\d{4}-\d{4}/],
      builtIn: false,
    });
    expect(redact(`pin=1234 password=x Bearer abcdef123456 ${JWT} 1111-2222`, only)).toBe(
      `pin=[R] password=x Bearer abcdef123456 ${JWT} [R]`,
    );
  });

  it('a pattern does not re-redact inside an existing marker', () => {
    const custom = new SecretText({ isSecretKey: () => false, patterns: [/[0-9a-f]{16}/] });
    const marked = 'x [redacted:0123456789abcdef] y';
    expect(custom.redact(marked, () => R)).toBe(marked);
  });
});

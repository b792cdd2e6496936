// The example admin platform: `npm run example` next to a running `npm start` (see docs/sdk.md).
import { AuditClient } from '../../../packages/sdk/src/index.js';
import { buildApp } from './app.js';
import { DEMO_TOTP_SECRET } from './data.js';

const env = process.env;
const token = env.AUDITLOG_TOKEN;
if (!token) {
  process.stderr.write('admin-platform: set AUDITLOG_TOKEN to a token with the ingest scope (docs/sdk.md)\n');
  process.exit(2);
}
const audit = await AuditClient.open({
  url: env.AUDITLOG_URL ?? 'http://127.0.0.1:8080',
  token,
  spoolDir: env.ADMIN_SPOOL_DIR ?? 'data/admin-platform-spool',
  maxRetryDelayMs: Number(env.ADMIN_MAX_RETRY_DELAY_MS ?? 30_000),
  onDeadLetter: (letter) => process.stderr.write(`audit event refused for good: ${letter.reason}\n`),
});
const app = buildApp(audit, { trustProxy: env.ADMIN_TRUST_PROXY ?? 'loopback' });
const url = await app.listen({ port: Number(env.ADMIN_PORT ?? 3000), host: env.ADMIN_HOST ?? '127.0.0.1' });
process.stdout.write(
  `admin-platform listening on ${url} — sign in at ${url}/sign-in as jane.admin / correct-horse (password), ` +
    `tom.ops / battery-staple (+ TOTP, secret ${DEMO_TOTP_SECRET}) or eva.sup / purple-monkey (+ code from ${url}/dev/outbox)\n`,
);
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, async () => {
    await app.close();
    await audit.close(); // what could not be sent stays in the spool for the next start
    process.exit(0);
  });

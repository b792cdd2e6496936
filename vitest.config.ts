import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';
import { postgresStatus } from './test/helpers/postgres.js';

/** The tests that run once more against PostgreSQL: everything that talks to a server, the store contract, the properties. */
const POSTGRES_TESTS = [
  'test/server/**/*.test.ts',
  'test/contract/**/*.test.ts',
  'test/store-contract/**/*.test.ts',
  'test/property/**/*.test.ts',
];

/**
 * Project `postgres` runs when a PostgreSQL server answers, or when AUDITLOG_TEST_REQUIRE_ALL=1 (CI), where a
 * missing server fails its tests instead of skipping them.
 */
async function postgresProjects(): Promise<TestProjectInlineConfiguration[]> {
  const status = await postgresStatus();
  if (!status.ok && process.env.AUDITLOG_TEST_REQUIRE_ALL !== '1') {
    const once = globalThis as { auditlogWarnedPostgres?: boolean }; // the config is evaluated more than once
    if (!once.auditlogWarnedPostgres)
      console.warn(`skipping the postgres project: ${status.reason} (set AUDITLOG_TEST_DATABASE_URL)`);
    once.auditlogWarnedPostgres = true;
    return [];
  }
  return [
    {
      extends: true,
      test: {
        name: 'postgres',
        include: POSTGRES_TESTS,
        env: { AUDITLOG_TEST_STORE: 'postgres' },
        globalSetup: ['test/helpers/postgres-global-setup.ts'],
      },
    },
  ];
}

export default defineConfig(async () => ({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // expect.poll gives up after 1 s by default; a browser render on two loaded cores can take longer.
    expect: { poll: { timeout: 10_000, interval: 50 } },
    pool: 'forks',
    // Helpers' per-file releases (test/helpers/file-cleanup.ts): servers and databases a test file left.
    setupFiles: ['test/helpers/after-each-file.ts'],
    // A worker keeps its modules between files: importing the module graph afresh for each of 160 files cost
    // 160 s of the suite's 740 s. Safe here because no test mocks modules, stubs globals or sets process.env
    // (every server, store and browser a test needs is its own); a test that must is to say so and reset it.
    isolate: false,
    // Two cores: suites that start servers and writer threads run better two at a time.
    maxWorkers: 2,
    reporters: process.env.CI ? ['default'] : ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'sqlite',
          include: ['test/**/*.test.ts', 'web/test/**/*.test.ts'],
          env: { AUDITLOG_TEST_STORE: 'sqlite' },
        },
      },
      ...(await postgresProjects()),
    ],
  },
}));

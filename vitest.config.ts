import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'web/test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two cores: suites that start servers and writer threads run better two at a time.
    maxWorkers: 2,
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});

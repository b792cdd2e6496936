import { defineConfig } from 'vitest/config';

/** The UI timings of `npm run bench` (a real browser on the benchmark's demo store); not part of npm test. */
export default defineConfig({
  test: { include: ['bench/ui/**/*.test.ts'], testTimeout: 1_800_000, hookTimeout: 1_800_000, pool: 'forks' },
});

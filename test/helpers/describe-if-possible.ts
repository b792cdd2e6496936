import { describe, it } from 'vitest';

const REQUIRE_ALL = process.env.AUDITLOG_TEST_REQUIRE_ALL === '1';

/**
 * `describe` for a suite that needs something this machine may lack (`unavailable` resolves to why, or null):
 * skipped with the reason, unless AUDITLOG_TEST_REQUIRE_ALL=1 (CI), where the suite fails instead.
 */
export function describeIfPossible(
  name: string,
  needs: string,
  unavailable: () => Promise<string | null>,
  body: () => void,
): void {
  describe(name, async () => {
    const reason = await unavailable();
    if (reason === null) {
      body();
    } else if (REQUIRE_ALL) {
      it(`needs ${needs}`, () => {
        throw new Error(`${reason} (AUDITLOG_TEST_REQUIRE_ALL=1)`);
      });
    } else {
      console.warn(`skipping "${name}": ${reason}`);
      describe.skip(`needs ${needs}`, body);
    }
  });
}

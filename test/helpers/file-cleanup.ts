// Releases that must run after every test file, for helpers that hold resources per file (servers, databases).
// With `isolate: false` a helper module is evaluated once per worker, so an `afterAll` at its top level ran after
// the first test file that imported it only: later files' databases were never dropped. A setup file
// (after-each-file.ts) is evaluated again before each test file, and calls these after it.
const releases = new Set<() => Promise<void>>();

/** Registers `release` to run after each test file (once registered, for every later file of the worker). */
export function releaseAfterEachFile(release: () => Promise<void>): void {
  releases.add(release);
}

export async function releaseAll(): Promise<void> {
  for (const release of releases) await release();
}

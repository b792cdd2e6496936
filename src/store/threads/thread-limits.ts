/**
 * Each thread is a V8 isolate with its own heap, whose young generation may grow to 3 × 16 MB by default. A
 * reader only passes pages of under 1 MB, so a small young generation keeps a server's resident memory down
 * (an export's peak: see BENCHMARKS.md) for more frequent, shorter scavenges: 4 MB, not 8, took ~10 MB off a
 * CSV export's peak, and the planner's randomized workload kept its worst p95 (14.5–21.7 ms against
 * 15.9–18.8, alternated runs).
 */
export const READER_LIMITS = { maxYoungGenerationSizeMb: 4 };
/**
 * The writer holds a whole group (up to 1,000 entries, ~3 MB) while it commits, and every scavenge copies
 * it: with 8 MB, 112 scavenges took 544 ms of 30,000 batched events; with 48 MB, 30 took 182 ms. Its young
 * generation grows only under ingest (an export does not write).
 */
export const WRITER_LIMITS = { maxYoungGenerationSizeMb: 48 };
